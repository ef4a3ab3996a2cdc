#!/usr/bin/env node
// A scripted stand-in for the Anthropic Messages API, for end-to-end tests
// that drive the real Claude Code CLI without any access to Anthropic.
//
// Usage:
//   node scripted-model.mjs --script SCRIPT.json --log REQUESTS.jsonl [--port 0] [--host 127.0.0.1]
//
// SCRIPT.json is either an array of steps or {"steps": [...], "final_text": "..."}.
// A step is one tool call {"name": "Bash", "input": {...}} (optionally with
// "text": "..." said before the call), or {"tool_uses": [{name, input}, ...]}
// for several calls in one assistant turn. Every request that offers tools
// (non-empty `tools`) gets the next step; once the script is exhausted, or for
// requests without tools (title generation, summaries, ...), the answer is
// plain text and stop_reason "end_turn".
//
// Which step is "next" is worked out from the conversation in the request
// (the number of assistant turns that already carry a scripted tool call), so
// a retried request gets the same answer and the server keeps no per-request
// state beyond the log.
//
// Every request received is appended to REQUESTS.jsonl as one JSON object
// {seq, method, path, reply, headers, body} (body as parsed JSON, or as a
// string when it is not JSON; x-api-key / authorization headers redacted) so a
// test can check what reached the "model".
//
// Once listening, the server prints {"port": N} on one line on stdout.
// It exits on SIGTERM / SIGINT, or when stdin closes if --exit-on-stdin-close.

import http from 'node:http';
import fs from 'node:fs';
import process from 'node:process';

const TOOL_ID_PREFIX = 'toolu_e2e_';
const MODEL_FALLBACK = 'claude-scripted-e2e';

function parseArgs(argv) {
  const out = { port: 0, host: '127.0.0.1', script: null, log: null, exitOnStdinClose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`);
      return argv[++i];
    };
    if (a === '--port') out.port = Number(next());
    else if (a === '--host') out.host = next();
    else if (a === '--script') out.script = next();
    else if (a === '--log') out.log = next();
    else if (a === '--exit-on-stdin-close') out.exitOnStdinClose = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!out.log) throw new Error('--log FILE is required');
  return out;
}

function loadScript(file) {
  if (!file) return { steps: [], finalText: 'Done.' };
  const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  const steps = Array.isArray(raw) ? raw : raw.steps || [];
  const finalText = (!Array.isArray(raw) && raw.final_text) || 'Done.';
  return {
    steps: steps.map((s, i) => {
      const uses = s.tool_uses || [{ name: s.name, input: s.input }];
      for (const u of uses) {
        if (typeof u.name !== 'string' || typeof u.input !== 'object' || u.input === null) {
          throw new Error(`script step ${i}: each tool call needs a string "name" and an object "input"`);
        }
      }
      return { text: s.text || null, uses };
    }),
    finalText,
  };
}

const args = parseArgs(process.argv.slice(2));
const script = loadScript(args.script);
let seq = 0;

function logRecord(rec) {
  fs.appendFileSync(args.log, JSON.stringify(rec) + '\n');
}

// How many assistant turns in this conversation already hold a scripted call.
function scriptedTurnsSoFar(body) {
  let n = 0;
  for (const m of body.messages || []) {
    if (m.role !== 'assistant' || !Array.isArray(m.content)) continue;
    if (m.content.some((b) => b && b.type === 'tool_use' && String(b.id).startsWith(TOOL_ID_PREFIX))) n++;
  }
  return n;
}

// Builds the content blocks of the reply to a /v1/messages request.
function plan(body) {
  const offersTools = Array.isArray(body.tools) && body.tools.length > 0;
  if (offersTools) {
    const idx = scriptedTurnsSoFar(body);
    if (idx < script.steps.length) {
      const step = script.steps[idx];
      const blocks = [];
      if (step.text) blocks.push({ type: 'text', text: step.text });
      step.uses.forEach((u, j) => {
        blocks.push({ type: 'tool_use', id: `${TOOL_ID_PREFIX}${idx}_${j}`, name: u.name, input: u.input });
      });
      return { kind: `step ${idx}`, blocks, stopReason: 'tool_use' };
    }
    return { kind: 'final', blocks: [{ type: 'text', text: script.finalText }], stopReason: 'end_turn' };
  }
  return { kind: 'plain', blocks: [{ type: 'text', text: 'Scripted reply.' }], stopReason: 'end_turn' };
}

function usage(outputTokens) {
  return {
    input_tokens: 10,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens,
  };
}

function messageId() {
  return `msg_e2e_${String(seq).padStart(6, '0')}`;
}

function jsonMessage(body, p) {
  return {
    id: messageId(),
    type: 'message',
    role: 'assistant',
    model: body.model || MODEL_FALLBACK,
    content: p.blocks,
    stop_reason: p.stopReason,
    stop_sequence: null,
    usage: usage(5),
  };
}

function sse(res, event, data) {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function streamMessage(res, body, p) {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': `req_e2e_${seq}`,
  });
  sse(res, 'message_start', {
    type: 'message_start',
    message: {
      id: messageId(),
      type: 'message',
      role: 'assistant',
      model: body.model || MODEL_FALLBACK,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usage(1),
    },
  });
  p.blocks.forEach((b, index) => {
    if (b.type === 'text') {
      sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: b.text } });
    } else {
      sse(res, 'content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} },
      });
      sse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(b.input) },
      });
    }
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
  });
  sse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: p.stopReason, stop_sequence: null },
    usage: { output_tokens: 5 },
  });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

function sendJson(res, status, obj) {
  const text = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_e2e_${seq}` });
  res.end(text);
}

function handle(req, res, rawBody) {
  seq++;
  const url = new URL(req.url, 'http://localhost');
  const path = url.pathname;
  let body = rawBody;
  if (rawBody.length > 0) {
    try {
      body = JSON.parse(rawBody);
    } catch {
      // keep the string
    }
  }
  const headers = { ...req.headers };
  for (const h of ['x-api-key', 'authorization']) if (h in headers) headers[h] = '[redacted]';
  const rec = { seq, method: req.method, path: url.pathname + url.search, reply: null, headers, body };

  if (req.method === 'POST' && path === '/v1/messages') {
    if (typeof body !== 'object' || body === null) {
      rec.reply = 'error: body not JSON';
      logRecord(rec);
      return sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'body is not JSON' } });
    }
    const p = plan(body);
    rec.reply = `${p.kind}${body.stream ? ' (stream)' : ''}`;
    rec.tool_uses = p.blocks.filter((b) => b.type === 'tool_use').map((b) => b.id);
    logRecord(rec);
    if (body.stream) return streamMessage(res, body, p);
    return sendJson(res, 200, jsonMessage(body, p));
  }
  if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
    const n = Math.max(1, Math.ceil(rawBody.length / 4));
    rec.reply = 'count_tokens';
    logRecord(rec);
    return sendJson(res, 200, { input_tokens: n });
  }
  if ((req.method === 'GET' || req.method === 'HEAD') && (path === '/' || path === '/health' || path === '/v1')) {
    rec.reply = 'health';
    logRecord(rec);
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(req.method === 'HEAD' ? undefined : '{"ok":true}');
  }
  if (req.method === 'GET' && path === '/v1/models') {
    rec.reply = 'models';
    logRecord(rec);
    return sendJson(res, 200, { data: [], has_more: false, first_id: null, last_id: null });
  }
  if (req.method === 'GET' && path.startsWith('/v1/models/')) {
    const id = decodeURIComponent(path.slice('/v1/models/'.length));
    rec.reply = 'model';
    logRecord(rec);
    return sendJson(res, 200, { type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' });
  }
  rec.reply = 'unknown: 404';
  logRecord(rec);
  process.stderr.write(`scripted-model: unknown ${req.method} ${req.url}\n`);
  return sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no scripted answer for ${req.method} ${path}` } });
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try {
      handle(req, res, Buffer.concat(chunks).toString('utf8'));
    } catch (err) {
      process.stderr.write(`scripted-model: ${err.stack || err}\n`);
      if (!res.headersSent) sendJson(res, 500, { type: 'error', error: { type: 'api_error', message: String(err) } });
      else res.end();
    }
  });
});
// Keep-alive sockets must not hold the process open at shutdown.
server.keepAliveTimeout = 1000;

server.listen(args.port, args.host, () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (args.exitOnStdinClose) {
  process.stdin.on('end', shutdown);
  process.stdin.resume();
}
