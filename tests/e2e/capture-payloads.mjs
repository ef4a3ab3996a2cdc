#!/usr/bin/env node
// Regenerates payloads/: one example stdin payload per hook event (and per tool
// for the tool events) as the pinned Claude Code CLI sends it, plus one example
// of the CLI's --output-format json result. Paths and ids are normalised so
// the files do not change from run to run:
//   temporary HOME        -> /home/user
//   temporary workspace   -> /home/user/project   (transcript slug -home-user-project)
//   UUIDs                 -> 00000000-0000-4000-8000-00000000000N (in order of appearance)
//   durations / timings   -> 0
//
//   node capture-payloads.mjs
//
// Node's standard library only.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
const OUT_DIR = path.join(E2E_DIR, 'payloads');

function runScenario(scenario) {
  const text = execFileSync(process.execPath, [path.join(E2E_DIR, 'run-claude.mjs'), '-'], {
    input: JSON.stringify(scenario),
    encoding: 'utf8',
    timeout: 180_000,
  });
  const out = JSON.parse(text);
  if (out.error) throw new Error(out.error);
  if (out.exit_code !== 0) throw new Error(`claude exited ${out.exit_code}: ${out.stderr}`);
  return out;
}

function readJsonl(file) {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

function normaliser(run) {
  const uuids = new Map();
  const slug = (p) => p.replace(/[^A-Za-z0-9]/g, '-');
  const replacements = [
    [slug(run.workspace), '-home-user-project'],
    [run.workspace, '/home/user/project'],
    [run.home, '/home/user'],
    [run.run_dir, '/tmp/e2e-run'],
  ];
  const TIMING = /(^|_)(ms|duration)$|^(ttft|time_to|first_content)/;
  const walk = (v, key) => {
    if (typeof v === 'string') {
      let s = v;
      for (const [from, to] of replacements) s = s.split(from).join(to);
      return s.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (u) => {
        if (!uuids.has(u)) uuids.set(u, `00000000-0000-4000-8000-${String(uuids.size + 1).padStart(12, '0')}`);
        return uuids.get(u);
      });
    }
    if (typeof v === 'number' && key && TIMING.test(key)) return 0;
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk;
}

function save(name, value) {
  fs.writeFileSync(path.join(OUT_DIR, `${name}.json`), JSON.stringify(value, null, 2) + '\n');
  return name;
}

const fixtures = JSON.parse(fs.readFileSync(path.join(E2E_DIR, 'scenarios', 'capture-events.json'), 'utf8'));
const denyCat = JSON.parse(fs.readFileSync(path.join(E2E_DIR, 'scenarios', 'deny-cat.json'), 'utf8'));
const runs = [
  // Bash, Write, Read, Edit, a failing Bash call and a Bash call the hook denies.
  fixtures,
  // No allow rules: the file-writing Bash call needs a permission prompt,
  // which shows PermissionRequest (and, with nobody to answer, a denial).
  { ...denyCat, allowed_tools: [] },
];

fs.mkdirSync(OUT_DIR, { recursive: true });
for (const f of fs.readdirSync(OUT_DIR)) if (f.endsWith('.json')) fs.unlinkSync(path.join(OUT_DIR, f));
const written = new Set();
let first = true;
for (const scenario of runs) {
  const run = runScenario(scenario);
  const norm = normaliser(run);
  for (const payload of readJsonl(run.hook_log)) {
    const event = payload.hook_event_name;
    const name = payload.tool_name ? `${event}.${payload.tool_name}` : event;
    if (written.has(name)) continue;
    written.add(save(name, norm(payload)));
  }
  if (first) {
    written.add(save('cli-result', norm(run.result)));
    first = false;
  }
}
process.stdout.write([...written].sort().join('\n') + '\n');
