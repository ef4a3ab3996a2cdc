#!/usr/bin/env node
// Runs one scenario through the real Claude Code CLI against the scripted
// model (scripted-model.mjs) and prints one JSON object describing the run.
//
//   node run-claude.mjs SCENARIO.json [--run-dir DIR]
//   node run-claude.mjs -            (scenario on stdin)
//
// Node's standard library only. See README.md for the scenario format and the
// shape of the output. Exit status: 0 when the run happened (whatever the CLI
// did: look at exit_code / result), 2 when the harness itself failed (then the
// JSON has an "error" field).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_TIMEOUT_MS = 120_000;
const SERVER_START_TIMEOUT_MS = 10_000;
const SETUP_TIMEOUT_MS = 60_000;
const MAX_CAPTURE = 1 << 20; // bytes kept of a child's stdout / stderr

// Environment that keeps the CLI away from everything but the scripted model.
const OFFLINE_ENV = {
  DISABLE_AUTOUPDATER: '1',
  DISABLE_TELEMETRY: '1',
  DISABLE_ERROR_REPORTING: '1',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: '1',
  CLAUDE_CODE_DISABLE_TERMINAL_TITLE: '1',
};
// Variables taken over from the caller's environment; nothing else is (so a
// developer's own ANTHROPIC_* / CLAUDE_* settings never leak into a run).
const PASSTHROUGH_ENV = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'USER', 'LOGNAME', 'SHELL'];
const DUMMY_API_KEY = 'sk-ant-test-dummy';

class HarnessError extends Error {}
let failedRunDir = null; // reported with a harness error, once known

// Children still running, killed (with their process groups) if this script
// is told to stop.
const live = new Set();
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(sig, () => {
    for (const child of live) killGroup(child, 'SIGKILL');
    process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGHUP' ? 1 : 15));
  });
}

function parseArgs(argv) {
  const out = { scenario: null, runDir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--run-dir') out.runDir = argv[++i];
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node run-claude.mjs SCENARIO.json|- [--run-dir DIR]\n');
      process.exit(0);
    } else if (out.scenario === null) out.scenario = a;
    else throw new HarnessError(`unexpected argument ${a}`);
  }
  if (out.scenario === null) throw new HarnessError('usage: node run-claude.mjs SCENARIO.json|- [--run-dir DIR]');
  return out;
}

// --- locating the CLI -------------------------------------------------------

function platformKey() {
  const cpu = os.arch();
  if (process.platform === 'linux') {
    const report = process.report?.getReport?.();
    const musl = report != null && report.header?.glibcVersionRuntime === undefined;
    return `linux-${cpu}${musl ? '-musl' : ''}`;
  }
  return `${process.platform}-${cpu}`;
}

// The native binary ships in the optional dependency
// @anthropic-ai/claude-code-<platform>; the wrapper's postinstall hard-links
// it over bin/claude.exe. Take the platform package directly, so the harness
// works even where install scripts did not run (npm ci --ignore-scripts).
function findClaude() {
  if (process.env.CLAUDE_BIN) return process.env.CLAUDE_BIN;
  const nm = path.join(E2E_DIR, 'node_modules', '@anthropic-ai');
  const exe = process.platform === 'win32' ? 'claude.exe' : 'claude';
  const native = path.join(nm, `claude-code-${platformKey()}`, exe);
  if (fs.existsSync(native)) return native;
  const wrapperBin = path.join(nm, 'claude-code', 'bin', 'claude.exe');
  if (fs.existsSync(wrapperBin) && fs.statSync(wrapperBin).size > 4096) return wrapperBin;
  throw new HarnessError(
    `Claude Code CLI not found (looked for ${native}); run "npm ci" in ${E2E_DIR} or set CLAUDE_BIN`,
  );
}

function installedVersion() {
  try {
    const pkg = path.join(E2E_DIR, 'node_modules', '@anthropic-ai', 'claude-code', 'package.json');
    return JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
  } catch {
    return null;
  }
}

// --- children with a time limit ----------------------------------------------

// Runs a child in its own process group; on timeout the whole group (hooks and
// shells the CLI started included) gets SIGKILL.
function run(cmd, argv, { cwd, env, timeoutMs, input }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, argv, { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(child);
    const out = [];
    const err = [];
    let outLen = 0;
    let errLen = 0;
    let timedOut = false;
    child.stdout.on('data', (c) => {
      if (outLen < MAX_CAPTURE) out.push(c);
      outLen += c.length;
    });
    child.stderr.on('data', (c) => {
      if (errLen < MAX_CAPTURE) err.push(c);
      errLen += c.length;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code: null, signal: null, timedOut, error: String(e), stdout: '', stderr: '', ms: Date.now() - started });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      // Anything the CLI left behind in its group (a backgrounded shell) goes too.
      killGroup(child, 'SIGKILL');
      resolve({
        code,
        signal,
        timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: Date.now() - started,
      });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

// Starts scripted-model.mjs and resolves with {child, port} once it listens.
function startModel(scriptFile, logFile, stderrFile) {
  return new Promise((resolve, reject) => {
    const errFd = fs.openSync(stderrFile, 'a');
    const child = spawn(
      process.execPath,
      [path.join(E2E_DIR, 'scripted-model.mjs'), '--script', scriptFile, '--log', logFile, '--exit-on-stdin-close'],
      { stdio: ['pipe', 'pipe', errFd], detached: true },
    );
    fs.closeSync(errFd);
    live.add(child);
    child.on('exit', () => live.delete(child));
    let buf = '';
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(new HarnessError('scripted model did not report its port in time'));
    }, SERVER_START_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new HarnessError(`scripted model failed to start: ${e}`));
    });
    const early = (code) => {
      clearTimeout(timer);
      reject(new HarnessError(`scripted model exited early (code ${code}); see ${stderrFile}`));
    };
    child.on('exit', early);
    child.stdout.on('data', (c) => {
      buf += c.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.removeListener('exit', early);
      try {
        resolve({ child, port: JSON.parse(buf.slice(0, nl)).port });
      } catch (e) {
        killGroup(child, 'SIGKILL');
        reject(new HarnessError(`scripted model printed ${JSON.stringify(buf.slice(0, nl))}`));
      }
    });
  });
}

function stopModel(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin.end(); // --exit-on-stdin-close
  });
}

// --- scenario -------------------------------------------------------------------

// Replaces {{E2E_DIR}}, {{RUN_DIR}}, {{HOME}}, {{WORKSPACE}}, {{HOOK_LOG}} in
// every string of a JSON value.
function substitute(value, vars) {
  if (typeof value === 'string') {
    return value.replace(/\{\{([A-Z0-9_]+)\}\}/g, (m, k) => (k in vars ? vars[k] : m));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)]));
  }
  return value;
}

const TOOL_EVENTS = new Set(['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionRequest', 'PermissionDenied']);
// Every event 2.1.x knows that a command hook can be registered for, logged
// when the scenario asks for "capture_hook_events": true.
const CAPTURE_EVENTS = [
  'PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionRequest', 'PermissionDenied',
  'Notification', 'UserPromptSubmit', 'SessionStart', 'SessionEnd', 'Stop', 'StopFailure',
  'SubagentStart', 'SubagentStop', 'PreCompact', 'PostCompact',
];

function hookEntry(event, commands) {
  const list = (Array.isArray(commands) ? commands : [commands]).map((c) =>
    typeof c === 'string' ? { type: 'command', command: c } : c,
  );
  return TOOL_EVENTS.has(event) ? { matcher: '*', hooks: list } : { hooks: list };
}

function buildSettings(scn, scenarioDir, vars) {
  let settings = {};
  if (typeof scn.settings === 'string') {
    const file = path.resolve(scenarioDir, scn.settings);
    settings = substitute(JSON.parse(fs.readFileSync(file, 'utf8')), vars);
  } else if (scn.settings && typeof scn.settings === 'object') {
    settings = scn.settings;
  }
  const hooks = { ...(settings.hooks || {}) };
  const add = (event, commands) => {
    hooks[event] = [...(hooks[event] || []), hookEntry(event, commands)];
  };
  for (const [event, commands] of Object.entries(scn.hooks || {})) add(event, commands);
  if (scn.capture_hook_events !== false) {
    // $E2E_DIR is expanded by the hook's shell (the CLI's environment has it).
    for (const event of CAPTURE_EVENTS) add(event, 'sh "$E2E_DIR/fixtures/log-hook.sh"');
  }
  if (Object.keys(hooks).length) settings.hooks = hooks;
  return settings;
}

function writeFiles(root, files) {
  for (const [rel, content] of Object.entries(files || {})) {
    const dest = path.resolve(root, rel);
    if (dest !== root && !dest.startsWith(root + path.sep)) throw new HarnessError(`file ${rel} escapes ${root}`);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n');
  }
}

function readJsonl(file) {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return { unparsed: l };
      }
    });
}

// What the model was told about each scripted tool call: the tool_result
// blocks in the last /v1/messages request that carries them.
function toolResults(requests) {
  const results = {};
  for (const r of requests) {
    if (r.path?.split('?')[0] !== '/v1/messages' || !r.body?.messages) continue;
    for (const m of r.body.messages) {
      if (m.role !== 'user' || !Array.isArray(m.content)) continue;
      for (const b of m.content) {
        if (b?.type !== 'tool_result') continue;
        let content = b.content;
        if (Array.isArray(content)) content = content.map((c) => (c.type === 'text' ? c.text : JSON.stringify(c))).join('\n');
        results[b.tool_use_id] = { is_error: b.is_error === true, content };
      }
    }
  }
  return results;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const scenarioText =
    args.scenario === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(path.resolve(args.scenario), 'utf8');
  const scenarioDir = args.scenario === '-' ? process.cwd() : path.dirname(path.resolve(args.scenario));
  const claude = findClaude();

  const runDir = args.runDir
    ? (fs.mkdirSync(args.runDir, { recursive: true }), path.resolve(args.runDir))
    : fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'warden-e2e-'));
  const home = path.join(runDir, 'home');
  const workspace = path.join(runDir, 'workspace');
  const hookLog = path.join(runDir, 'hook-payloads.jsonl');
  const modelLog = path.join(runDir, 'model-requests.jsonl');
  failedRunDir = runDir;
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(workspace, { recursive: true });
  const vars = { E2E_DIR, RUN_DIR: runDir, HOME: home, WORKSPACE: workspace, HOOK_LOG: hookLog };
  const scn = substitute(JSON.parse(scenarioText), vars);
  if (typeof scn.prompt !== 'string' || scn.prompt === '') throw new HarnessError('scenario needs a "prompt" string');
  const timeoutMs = scn.timeout_ms ?? DEFAULT_TIMEOUT_MS;

  // The scripted model's script.
  const scriptFile = path.join(runDir, 'model-script.json');
  fs.writeFileSync(scriptFile, JSON.stringify({ steps: scn.steps || [], final_text: scn.final_text || 'Done.' }, null, 2));

  // Settings passed with --settings.
  const settingsFile = path.join(runDir, 'settings.json');
  fs.writeFileSync(settingsFile, JSON.stringify(buildSettings(scn, scenarioDir, vars), null, 2) + '\n');

  // Environment of the CLI (and so of its hooks and the setup commands).
  const env = {};
  for (const k of PASSTHROUGH_ENV) if (process.env[k] !== undefined) env[k] = process.env[k];
  Object.assign(env, OFFLINE_ENV, {
    HOME: home,
    TMPDIR: path.join(runDir, 'tmp'),
    TERM: 'dumb',
    NO_COLOR: '1',
    ANTHROPIC_API_KEY: DUMMY_API_KEY,
    E2E_HOOK_LOG: hookLog,
    E2E_DIR,
    GIT_CONFIG_NOSYSTEM: '1',
  });
  fs.mkdirSync(env.TMPDIR, { recursive: true });
  Object.assign(env, scn.env || {});

  // Workspace: a fresh git repository with the scenario's files, committed.
  writeFiles(home, scn.home_files);
  writeFiles(workspace, scn.files);
  const git = async (...a) => {
    const r = await run('git', a, { cwd: workspace, env, timeoutMs: SETUP_TIMEOUT_MS });
    if (r.code !== 0) throw new HarnessError(`git ${a.join(' ')} failed: ${r.error || r.stderr}`);
  };
  if (scn.git !== false) {
    await git('init', '-q', '-b', 'main');
    await git('config', 'user.email', 'e2e@example.invalid');
    await git('config', 'user.name', 'Warden E2E');
    await git('config', 'commit.gpgsign', 'false');
    if (scn.commit_files !== false && Object.keys(scn.files || {}).length) {
      await git('add', '-A');
      await git('commit', '-q', '-m', 'scenario files');
    }
  }
  const setupResults = [];
  for (const command of scn.setup || []) {
    const r = await run('/bin/sh', ['-c', command], { cwd: workspace, env, timeoutMs: SETUP_TIMEOUT_MS });
    setupResults.push({ command, exit_code: r.code, timed_out: r.timedOut, stdout: r.stdout, stderr: r.stderr });
    if (r.code !== 0) throw new HarnessError(`setup command failed (${r.code}): ${command}\n${r.stderr}`);
  }

  const { child: model, port } = await startModel(scriptFile, modelLog, path.join(runDir, 'model-stderr.log'));
  env.ANTHROPIC_BASE_URL = `http://127.0.0.1:${port}`;

  const argv = ['-p', scn.prompt, '--settings', settingsFile, '--output-format', 'json'];
  if (scn.permission_mode) argv.push('--permission-mode', scn.permission_mode);
  const allowed = scn.allowed_tools ?? ['Bash', 'Edit', 'Write', 'Read'];
  if (allowed.length) argv.push('--allowedTools', allowed.join(','));
  const debugLog = scn.debug ? path.join(runDir, 'claude-debug.log') : null;
  if (debugLog) argv.push('--debug-file', debugLog);
  argv.push(...(scn.extra_args || []));

  let cli;
  try {
    // A launcher (for example `warden run --`) wraps the CLI when given.
    const launcher = Array.isArray(scn.launcher) ? scn.launcher : [];
    cli = launcher.length
      ? await run(launcher[0], [...launcher.slice(1), claude, ...argv], { cwd: workspace, env, timeoutMs, input: '' })
      : await run(claude, argv, { cwd: workspace, env, timeoutMs, input: '' });
  } finally {
    await stopModel(model);
  }

  let result = null;
  try {
    result = JSON.parse(cli.stdout);
  } catch {
    // leave null; raw stdout is reported
  }
  const requests = readJsonl(modelLog);
  const hookPayloads = readJsonl(hookLog);
  const out = {
    claude_version: installedVersion(),
    claude_bin: claude,
    argv: [claude, ...argv],
    exit_code: cli.code,
    signal: cli.signal,
    timed_out: cli.timedOut,
    duration_ms: cli.ms,
    result,
    permission_denials: result?.permission_denials ?? null,
    tool_results: toolResults(requests),
    hook_events: hookPayloads.map((p) => p.hook_event_name ?? null),
    model_requests: requests.length,
    unknown_endpoints: requests.filter((r) => String(r.reply).startsWith('unknown')).map((r) => `${r.method} ${r.path}`),
    run_dir: runDir,
    workspace,
    home,
    settings_path: settingsFile,
    model_log: modelLog,
    hook_log: hookLog,
    debug_log: debugLog,
    setup: setupResults,
    stderr: cli.stderr,
  };
  if (result === null) out.stdout = cli.stdout;
  if (cli.error) out.spawn_error = cli.error;
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main().catch((e) => {
  const error = e instanceof HarnessError ? e.message : String(e.stack || e);
  process.stdout.write(JSON.stringify({ error, run_dir: failedRunDir }) + '\n');
  process.exit(2);
});
