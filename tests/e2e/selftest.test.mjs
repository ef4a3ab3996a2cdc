// Self-test of the e2e harness: the scripted model on its own, then the real
// Claude Code CLI driven through run-claude.mjs with stand-in hooks.
//
//   cd tests/e2e && npm ci && node --test selftest.test.mjs
//
// Node's standard library only (node:test).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
const MARKER = 'E2E-SECRET-MARKER-7f3c9a1e';
const denyCat = JSON.parse(fs.readFileSync(path.join(E2E_DIR, 'scenarios', 'deny-cat.json'), 'utf8'));

function runScenario(scenario) {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [path.join(E2E_DIR, 'run-claude.mjs'), '-'],
      { timeout: 180_000, maxBuffer: 64 << 20 },
      (err, stdout) => {
        if (err && err.code !== 2) return reject(err);
        const out = JSON.parse(stdout);
        if (out.error) return reject(new Error(out.error));
        resolve(out);
      },
    );
    child.stdin.end(JSON.stringify(scenario));
  });
}

const logText = (run) => fs.readFileSync(run.model_log, 'utf8');
const cleanup = (run) => fs.rmSync(run.run_dir, { recursive: true, force: true });

// --- the scripted model alone ------------------------------------------------------

async function withModel(steps, fn) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripted-model-'));
  const script = path.join(dir, 'script.json');
  const log = path.join(dir, 'log.jsonl');
  fs.writeFileSync(script, JSON.stringify({ steps, final_text: 'The end.' }));
  const child = spawn(process.execPath, [path.join(E2E_DIR, 'scripted-model.mjs'), '--script', script, '--log', log], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (c) => {
        buf += c;
        if (buf.includes('\n')) resolve(JSON.parse(buf).port);
      });
      child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
    await fn(`http://127.0.0.1:${port}`, log);
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const post = (url, body) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const TOOLS = [{ name: 'Bash', description: 'shell', input_schema: { type: 'object' } }];

test('scripted model streams a tool call, then final text', async () => {
  await withModel([{ name: 'Bash', input: { command: 'ls' } }], async (base, log) => {
    const first = { model: 'm', stream: true, tools: TOOLS, messages: [{ role: 'user', content: 'hi' }] };
    const res = await post(`${base}/v1/messages?beta=true`, first);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /text\/event-stream/);
    const events = (await res.text()).split('\n').filter((l) => l.startsWith('event: ')).map((l) => l.slice(7));
    assert.deepEqual(events, [
      'message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop',
    ]);
    // The same request again (a retry) gets the same step.
    const again = await (await post(`${base}/v1/messages`, { ...first, stream: false })).json();
    assert.equal(again.stop_reason, 'tool_use');
    assert.deepEqual(again.content[0], { type: 'tool_use', id: 'toolu_e2e_0_0', name: 'Bash', input: { command: 'ls' } });
    // After the scripted turn the script is exhausted: plain text, end_turn.
    const second = {
      ...first,
      stream: false,
      messages: [
        ...first.messages,
        { role: 'assistant', content: again.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_e2e_0_0', content: 'x' }] },
      ],
    };
    const done = await (await post(`${base}/v1/messages`, second)).json();
    assert.equal(done.stop_reason, 'end_turn');
    assert.equal(done.content[0].text, 'The end.');
    // No tools offered: plain text, the script untouched.
    const plain = await (await post(`${base}/v1/messages`, { model: 'm', messages: first.messages })).json();
    assert.equal(plain.stop_reason, 'end_turn');
    assert.equal(plain.content[0].type, 'text');
    const count = await (await post(`${base}/v1/messages/count_tokens`, first)).json();
    assert.ok(count.input_tokens > 0);
    const unknown = await fetch(`${base}/v1/unknown`);
    assert.equal(unknown.status, 404);
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 6);
    assert.equal(lines[0].body.messages[0].content, 'hi');
    assert.equal(lines[5].reply, 'unknown: 404');
  });
});

// --- the real CLI ------------------------------------------------------------

test('the CLI runs the allowed call, the hook denies cat secret.txt, the secret never reaches the model', async () => {
  const run = await runScenario(denyCat);
  try {
    assert.equal(run.exit_code, 0, run.stderr);
    assert.equal(run.result.is_error, false);
    assert.equal(run.result.result, 'Finished.');
    assert.equal(fs.readFileSync(path.join(run.workspace, 'allowed.txt'), 'utf8'), 'ok\n');
    assert.deepEqual(run.permission_denials, [
      {
        tool_name: 'Bash',
        tool_use_id: 'toolu_e2e_1_0',
        tool_input: { command: 'cat secret.txt', description: 'Show secret.txt' },
      },
    ]);
    assert.deepEqual(run.tool_results.toolu_e2e_1_0, { is_error: true, content: 'PreToolUse:Bash hook error: test' });
    assert.equal(run.tool_results.toolu_e2e_0_0.is_error, false);
    assert.equal(run.model_requests, 3);
    assert.deepEqual(run.unknown_endpoints, []);
    assert.ok(!logText(run).includes(MARKER), 'the secret reached the model');
    assert.deepEqual(run.hook_events, [
      'SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PreToolUse', 'Stop', 'SessionEnd',
    ]);
  } finally {
    cleanup(run);
  }
});

test('control: without the deny hook the secret does reach the model log', async () => {
  const run = await runScenario({ ...denyCat, hooks: {} });
  try {
    assert.equal(run.exit_code, 0, run.stderr);
    assert.deepEqual(run.permission_denials, []);
    assert.ok(logText(run).includes(MARKER), 'the check for the secret would not see it');
  } finally {
    cleanup(run);
  }
});

// What Warden's fail-closed registration ("... || exit 2") relies on.
test('a PreToolUse hook that exits 2 blocks the call; one that exits 1 does not', async () => {
  const hook = (status) => `cat >/dev/null; echo "blocked by test hook" >&2; exit ${status}`;
  const blocked = await runScenario({ ...denyCat, hooks: { PreToolUse: hook(2) } });
  const open = await runScenario({ ...denyCat, hooks: { PreToolUse: hook(1) } });
  try {
    assert.deepEqual(
      blocked.permission_denials.map((d) => d.tool_input.command),
      ['echo ok > allowed.txt', 'cat secret.txt'],
    );
    assert.match(blocked.tool_results.toolu_e2e_1_0.content, /blocked by test hook/);
    assert.ok(!logText(blocked).includes(MARKER));
    assert.deepEqual(open.permission_denials, []);
    assert.ok(logText(open).includes(MARKER));
  } finally {
    cleanup(blocked);
    cleanup(open);
  }
});
