//! End-to-end tests of `warden hook claude-code`, the hook Claude Code (and
//! VS Code's Copilot agent) runs for every event.
//!
//! The hook must fail closed: Claude Code proceeds on any exit status but 2,
//! on a crash and on a timeout, so every answer here is checked for its exit
//! status, its exact JSON and a one-line stderr, and every event for what it
//! left in the audit trail (`warden audit export --format jsonl`).
//!
//! Every test runs the real `warden` front binary (which hands the hook to
//! `warden-core` beside it, or asks warden's daemon) in a sandbox: a fake
//! `$HOME` holding a git workspace at `$HOME/src/app`, a `$WARDEN_HOME`, and
//! an environment cleared down to `PATH`. `WARDEN_NO_DAEMON=1` is set
//! everywhere except where a test deliberately lets a hook start the
//! daemon; every test that starts a daemon stops it through a guard.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

// ---------------------------------------------------------------------------
// Real payloads
// ---------------------------------------------------------------------------

// Captured from the real Claude Code CLI 2.1.328 in one headless session
// that made one Bash call (`echo hi`); home paths normalised. The tool
// payloads are the adapter tests' copies; the other four are inlined
// verbatim. Every test rewrites `cwd` to the sandbox's workspace.

const PRE_TOOL_USE: &str =
    include_str!("../../warden-adapters/tests/payloads/claude-2.1.328-PreToolUse-Bash.json");
const POST_TOOL_USE: &str =
    include_str!("../../warden-adapters/tests/payloads/claude-2.1.328-PostToolUse-Bash.json");
const SESSION_START: &str = r#"{"session_id":"835bad07-d8cd-4fd9-a9b2-5472f6f4776a","transcript_path":"/home/dev/.claude/projects/-home-dev-work-app/835bad07-d8cd-4fd9-a9b2-5472f6f4776a.jsonl","cwd":"/home/dev/work/app","hook_event_name":"SessionStart","source":"startup"}"#;
const USER_PROMPT_SUBMIT: &str = r#"{"session_id":"835bad07-d8cd-4fd9-a9b2-5472f6f4776a","transcript_path":"/home/dev/.claude/projects/-home-dev-work-app/835bad07-d8cd-4fd9-a9b2-5472f6f4776a.jsonl","cwd":"/home/dev/work/app","prompt_id":"37f672e0-4a82-4849-b97d-0e78ce1b2e48","permission_mode":"default","hook_event_name":"UserPromptSubmit","prompt":"run echo hi"}"#;
const STOP: &str = r#"{"session_id":"835bad07-d8cd-4fd9-a9b2-5472f6f4776a","transcript_path":"/home/dev/.claude/projects/-home-dev-work-app/835bad07-d8cd-4fd9-a9b2-5472f6f4776a.jsonl","cwd":"/home/dev/work/app","prompt_id":"37f672e0-4a82-4849-b97d-0e78ce1b2e48","permission_mode":"default","effort":{"level":"medium"},"hook_event_name":"Stop","stop_hook_active":false,"last_assistant_message":"done.","background_tasks":[],"session_crons":[]}"#;
const SESSION_END: &str = r#"{"session_id":"835bad07-d8cd-4fd9-a9b2-5472f6f4776a","transcript_path":"/home/dev/.claude/projects/-home-dev-work-app/835bad07-d8cd-4fd9-a9b2-5472f6f4776a.jsonl","cwd":"/home/dev/work/app","prompt_id":"37f672e0-4a82-4849-b97d-0e78ce1b2e48","hook_event_name":"SessionEnd","reason":"other"}"#;

/// The captured session's ids.
const SESSION_ID: &str = "835bad07-d8cd-4fd9-a9b2-5472f6f4776a";
const PROMPT_ID: &str = "37f672e0-4a82-4849-b97d-0e78ce1b2e48";

/// Largest payload the hook accepts.
const MAX_PAYLOAD_BYTES: usize = 8 * 1024 * 1024;

/// The longest any one warden process may take before a test gives up on it.
const PROCESS_LIMIT: Duration = Duration::from_secs(30);

/// The human the sandbox says is at the keyboard (`$USER`).
const HUMAN: &str = "hook-tester";

// ---------------------------------------------------------------------------
// The sandbox and how commands run in it
// ---------------------------------------------------------------------------

/// A throw-away world: a fake home with a git workspace, and a warden home.
struct Sandbox {
    _dir: TempDir,
    /// The canonical temp dir.
    root: PathBuf,
    /// The fake `$HOME`.
    home: PathBuf,
    /// `$WARDEN_HOME`.
    warden_home: PathBuf,
    /// `$HOME/src/app`, a git repository whose origin is on github.com.
    workspace: PathBuf,
    /// How many exported records the set-up wrote (the session start that
    /// issued the test session's credential); [`Sandbox::export`] skips
    /// them.
    setup_records: std::sync::atomic::AtomicUsize,
}

impl Sandbox {
    /// A sandbox whose warden home does not exist yet.
    fn new() -> Sandbox {
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        fs::create_dir_all(&base).expect("create cargo's scratch directory");
        let dir = tempfile::Builder::new()
            .prefix("warden-hook-")
            .tempdir_in(&base)
            .expect("create a temp dir");
        let root = fs::canonicalize(dir.path()).expect("canonicalize the temp dir");
        let home = root.join("home");
        let workspace = home.join("src").join("app");
        fs::create_dir_all(workspace.join(".git")).expect("create the workspace");
        fs::write(workspace.join(".git/HEAD"), "ref: refs/heads/main\n").expect("write HEAD");
        fs::write(
            workspace.join(".git/config"),
            "[core]\n\trepositoryformatversion = 0\n[remote \"origin\"]\n\turl = git@github.com:example/app.git\n",
        )
        .expect("write .git/config");
        Sandbox {
            _dir: dir,
            warden_home: root.join("warden"),
            root,
            home,
            workspace,
            setup_records: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// A sandbox initialized with `pack`.
    fn with_pack(pack: &str) -> Sandbox {
        let sandbox = Sandbox::new();
        let out = sandbox.run(&["init", "--pack", pack]);
        assert_exit(&out, 0, &format!("warden init --pack {pack}"));
        sandbox.start_session("hook-test-session");
        sandbox
            .setup_records
            .store(sandbox.export().len(), std::sync::atomic::Ordering::Relaxed);
        sandbox
    }

    /// Sends the SessionStart that gives `session` its credential.
    fn start_session(&self, session: &str) {
        let payload = json!({
            "session_id": session,
            "transcript_path": self.home.join(".claude/t.jsonl").to_string_lossy(),
            "cwd": self.workspace.to_string_lossy(),
            "hook_event_name": "SessionStart",
            "source": "startup",
        });
        let answer = self.answer(&payload, "SessionStart");
        assert_eq!(answer, json!({}), "SessionStart is answered neutrally");
    }

    /// Audit records of one kind.
    fn export_kind(&self, kind: &str) -> Vec<Value> {
        self.export()
            .into_iter()
            .filter(|r| r["kind"] == kind)
            .collect()
    }

    /// `binary` with a cleared environment pointing into the sandbox, and
    /// `WARDEN_NO_DAEMON=1`.
    fn command_of(&self, binary: &Path, args: &[&str]) -> Command {
        let mut command = Command::new(binary);
        command
            .args(args)
            .env_clear()
            .env(
                "PATH",
                std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()),
            )
            .env("HOME", &self.home)
            .env("WARDEN_HOME", &self.warden_home)
            .env("USER", HUMAN)
            .env("RUST_BACKTRACE", "0")
            .env("WARDEN_NO_DAEMON", "1")
            .current_dir(&self.home)
            .stdin(Stdio::null());
        command
    }

    /// The `warden` front binary, as [`Sandbox::command_of`].
    fn command(&self, args: &[&str]) -> Command {
        self.command_of(Path::new(env!("CARGO_BIN_EXE_warden")), args)
    }

    /// Runs a non-hook command and waits for it (bounded).
    fn run(&self, args: &[&str]) -> Output {
        run_bounded(
            self.command(args),
            None,
            &format!("warden {}", args.join(" ")),
        )
    }

    /// `warden hook claude-code` with `payload` on stdin.
    fn hook(&self, payload: &[u8]) -> Output {
        run_bounded(
            self.command(&["hook", "claude-code"]),
            Some(payload.to_vec()),
            "warden hook claude-code",
        )
    }

    /// `warden hook claude-code` with a JSON payload.
    fn hook_json(&self, payload: &Value) -> Output {
        self.hook(payload.to_string().as_bytes())
    }

    /// The answer to a payload the hook must answer (exit 0).
    fn answer(&self, payload: &Value, what: &str) -> Value {
        answer_of(&self.hook_json(payload), what)
    }

    /// A captured payload with `cwd` rewritten to the workspace.
    fn real(&self, text: &str) -> Value {
        let mut value: Value = serde_json::from_str(text).expect("a captured payload parses");
        value["cwd"] = json!(self.workspace.to_string_lossy());
        value
    }

    /// A Claude Code tool event (`PreToolUse`, `PermissionRequest`) in the
    /// workspace.
    fn tool_event(&self, event: &str, tool: &str, input: Value, tool_use_id: &str) -> Value {
        json!({
            "session_id": "hook-test-session",
            "transcript_path": self.home.join(".claude/t.jsonl").to_string_lossy(),
            "cwd": self.workspace.to_string_lossy(),
            "prompt_id": "hook-test-prompt",
            "permission_mode": "default",
            "hook_event_name": event,
            "tool_name": tool,
            "tool_input": input,
            "tool_use_id": tool_use_id,
        })
    }

    /// A `PreToolUse` for `Bash` running `command`.
    fn bash(&self, command: &str, tool_use_id: &str) -> Value {
        self.tool_event(
            "PreToolUse",
            "Bash",
            json!({ "command": command, "description": "a command" }),
            tool_use_id,
        )
    }

    /// Every audit record, from `warden audit export --format jsonl`.
    fn export(&self) -> Vec<Value> {
        self.export_all()
            .into_iter()
            .filter(|r| {
                !["registry", "credential", "grant"].contains(&r["kind"].as_str().unwrap_or(""))
            })
            .skip(
                self.setup_records
                    .load(std::sync::atomic::Ordering::Relaxed),
            )
            .collect()
    }

    /// Every audit record, the registry's included.
    fn export_all(&self) -> Vec<Value> {
        let out = self.run(&["audit", "export", "--format", "jsonl"]);
        assert_exit(&out, 0, "warden audit export");
        stdout(&out)
            .lines()
            .map(|line| serde_json::from_str(line).expect("an exported record is JSON"))
            .collect()
    }

    /// `warden audit verify`.
    fn verify(&self) -> Output {
        self.run(&["audit", "verify"])
    }

    /// The audit database, opened directly (as an attacker with file access
    /// would).
    fn database(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.warden_home.join("warden.db")).expect("open warden.db")
    }
}

/// Runs `command` with `stdin` (or none), collecting both streams, and
/// fails the test if it has not exited within [`PROCESS_LIMIT`].
fn run_bounded(mut command: Command, stdin: Option<Vec<u8>>, what: &str) -> Output {
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("spawn warden");
    // The binary may stop reading early (an oversized payload), so a broken
    // pipe is fine.
    let writer = child.stdin.take().map(|mut pipe| {
        let bytes = stdin.unwrap_or_default();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let out = wait_bounded(child, PROCESS_LIMIT, what);
    if let Some(writer) = writer {
        writer.join().expect("the stdin writer does not panic");
    }
    out
}

/// Waits for `child` (its stdout and stderr piped), killing it and failing
/// the test after `limit`.
fn wait_bounded(mut child: Child, limit: Duration, what: &str) -> Output {
    fn drain(
        pipe: Option<impl std::io::Read + Send + 'static>,
    ) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for warden") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {limit:?}; killed");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: stdout.join().expect("the stdout reader does not panic"),
        stderr: stderr.join().expect("the stderr reader does not panic"),
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the exit code, showing both streams when it differs.
fn assert_exit(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: exit status\n--- stdout\n{}\n--- stderr\n{}",
        stdout(out),
        stderr(out)
    );
}

/// Asserts a deliberate answer: exit 0, nothing on stderr, exactly one line
/// on stdout holding one JSON object. Returns the object.
fn answer_of(out: &Output, what: &str) -> Value {
    assert_exit(out, 0, what);
    assert!(out.stderr.is_empty(), "{what}: stderr: {}", stderr(out));
    let text = stdout(out);
    assert!(
        text.ends_with('\n'),
        "{what}: stdout ends its line: {text:?}"
    );
    assert_eq!(text.lines().count(), 1, "{what}: one JSON line: {text:?}");
    let value: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{what}: stdout is not JSON ({e}): {text}"));
    assert!(value.is_object(), "{what}: not a JSON object: {value}");
    value
}

/// Asserts a block: exit 2, nothing on stdout, exactly one stderr line
/// starting `warden:`. Returns the line.
fn blocked(out: &Output, what: &str) -> String {
    assert_exit(out, 2, what);
    assert!(
        out.stdout.is_empty(),
        "{what}: a block prints no answer, got {}",
        stdout(out)
    );
    let err = stderr(out);
    assert!(err.ends_with('\n'), "{what}: stderr ends its line: {err:?}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{what}: stderr must be one line: {err:?}");
    assert!(
        lines[0].starts_with("warden:"),
        "{what}: stderr starts with `warden:`: {err:?}"
    );
    lines[0].to_owned()
}

/// The `permissionDecision` and its reason from a `PreToolUse` answer,
/// checking the answer's exact shape.
fn pre_tool_use(answer: &Value, what: &str) -> (String, String) {
    let keys: Vec<&String> = answer.as_object().expect("an object").keys().collect();
    assert_eq!(keys, ["hookSpecificOutput"], "{what}: {answer}");
    let specific = &answer["hookSpecificOutput"];
    assert_eq!(
        specific.as_object().map(|o| o.len()),
        Some(3),
        "{what}: hookSpecificOutput has hookEventName, permissionDecision, permissionDecisionReason: {answer}"
    );
    assert_eq!(specific["hookEventName"], "PreToolUse", "{what}: {answer}");
    let decision = specific["permissionDecision"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: no permissionDecision: {answer}"));
    let reason = specific["permissionDecisionReason"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: no permissionDecisionReason: {answer}"));
    assert!(
        reason.starts_with("warden ["),
        "{what}: the reason names warden and the policies: {reason}"
    );
    (decision.to_owned(), reason.to_owned())
}

/// A record's string field.
fn field<'a>(record: &'a Value, key: &str) -> &'a str {
    record[key].as_str().unwrap_or("")
}

/// The records of `kind`.
fn of_kind<'a>(records: &'a [Value], kind: &str) -> Vec<&'a Value> {
    records.iter().filter(|r| r["kind"] == kind).collect()
}

/// Asserts that `needle` appears nowhere in `haystack`.
fn assert_absent(haystack: &str, needle: &str, what: &str) {
    assert!(
        !haystack.contains(needle),
        "{what}: the secret value appears in it:\n{haystack}"
    );
}

/// Asserts that `needle` is nowhere in the raw files of the warden home
/// (the database, its journal, logs).
fn assert_absent_from_files(dir: &Path, needle: &str) {
    for entry in fs::read_dir(dir).expect("read the warden home") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            assert_absent_from_files(&path, needle);
        } else if let Ok(bytes) = fs::read(&path) {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "the secret value is stored in {}",
                path.display()
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Secret-shaped values, built at run time so no source file holds one
// ---------------------------------------------------------------------------

/// A small deterministic generator: the values look random to the secret
/// scanners, and every run uses the same ones.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn string(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| {
                let i = usize::try_from(self.next()).expect("fits") % alphabet.len();
                char::from(alphabet[i])
            })
            .collect()
    }
}

/// A GitHub personal access token: `ghp_` and 36 alphanumerics.
fn github_token() -> String {
    let token = format!(
        "ghp_{}",
        Lcg(0x600d_0001).string(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            36
        )
    );
    assert_eq!(token.len(), 40);
    token
}

/// An AWS access key id: `AKIA` and 16 characters of AWS's alphabet
/// (uppercase letters and the digits 2-7), never a documented example.
fn aws_key_id() -> String {
    let key = format!(
        "AKIA{}",
        Lcg(0x600d_0002).string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    );
    assert_eq!(key.len(), 20);
    assert!(!key.contains("EXAMPLE"));
    key
}

// ---------------------------------------------------------------------------
// 1. A real session, event by event
// ---------------------------------------------------------------------------

#[test]
fn a_real_session_is_answered_and_recorded_in_order() {
    let sandbox = Sandbox::with_pack("baseline");
    let events = [
        ("SessionStart", SESSION_START),
        ("UserPromptSubmit", USER_PROMPT_SUBMIT),
        ("PreToolUse", PRE_TOOL_USE),
        ("PostToolUse", POST_TOOL_USE),
        ("Stop", STOP),
        ("SessionEnd", SESSION_END),
    ];
    for (event, text) in events {
        let answer = sandbox.answer(&sandbox.real(text), event);
        if event == "PreToolUse" {
            let (decision, reason) = pre_tool_use(&answer, event);
            assert_eq!(decision, "allow", "echo hi: {answer}");
            assert!(
                reason.contains("baseline.allow-unregistered-read-only"),
                "echo hi is routine: {reason}"
            );
        } else {
            assert_eq!(answer, json!({}), "{event} changes nothing");
        }
    }

    let records = sandbox.export();
    let kinds: Vec<&str> = records.iter().map(|r| field(r, "kind")).collect();
    assert_eq!(
        kinds,
        [
            "session_start",
            "prompt",
            "decision",
            "result",
            "stop",
            "session_end"
        ],
        "{records:#?}"
    );
    let seqs: Vec<u64> = records.iter().filter_map(|r| r["seq"].as_u64()).collect();
    assert_eq!(
        seqs,
        (seqs[0]..seqs[0] + 6).collect::<Vec<u64>>(),
        "consecutive"
    );
    for record in &records {
        assert_eq!(field(record, "session_id"), SESSION_ID, "{record}");
        assert_eq!(field(record, "agent"), "claude-code", "{record}");
        assert_eq!(field(record, "human"), HUMAN, "{record}");
        assert_eq!(
            field(&record["detail"], "cwd"),
            sandbox.workspace.to_string_lossy(),
            "{record}"
        );
    }
    for record in &records[1..4] {
        assert_eq!(field(record, "prompt_id"), PROMPT_ID, "{record}");
    }
    let prompt = &records[1];
    assert_eq!(field(prompt, "summary"), "run echo hi");
    assert!(prompt["decision"].is_null(), "a clean prompt: {prompt}");
    let decision = &records[2];
    assert_eq!(field(decision, "decision"), "allow");
    assert_eq!(field(decision, "tool"), "Bash");
    assert_eq!(field(decision, "tool_use_id"), "toolu_01");
    assert_eq!(field(decision, "summary"), "Bash: echo hi");
    assert_eq!(
        decision["policies"],
        json!(["baseline.allow-unregistered-read-only"])
    );
    assert_eq!(field(&decision["detail"], "event"), "PreToolUse");
    let result = &records[3];
    assert_eq!(field(result, "tool_use_id"), "toolu_01");
    assert_eq!(result["secret_in_output"], false);

    let out = sandbox.verify();
    assert_exit(&out, 0, "warden audit verify");
    assert!(
        stdout(&out).contains("audit log intact"),
        "{}",
        stdout(&out)
    );

    let out = sandbox.run(&["audit", "show", "--session", SESSION_ID]);
    assert_exit(&out, 0, "warden audit show");
    let shown = stdout(&out);
    assert!(shown.contains(SESSION_ID), "{shown}");
    assert!(
        shown.contains("PROMPT") && shown.contains("run echo hi"),
        "{shown}"
    );
    assert!(
        shown.contains("ALLOW") && shown.contains("Bash: echo hi"),
        "{shown}"
    );
    assert!(
        shown.contains("baseline.allow-unregistered-read-only"),
        "{shown}"
    );
    let prompt_at = shown.find("run echo hi").unwrap_or(usize::MAX);
    let decision_at = shown.find("ALLOW").unwrap_or(0);
    assert!(prompt_at < decision_at, "the prompt comes first: {shown}");
}

// ---------------------------------------------------------------------------
// 2. PreToolUse: deny, ask, approve
// ---------------------------------------------------------------------------

#[test]
fn pre_tool_use_denies_reading_secrets() {
    let sandbox = Sandbox::with_pack("baseline");
    let credentials = sandbox.home.join(".aws/credentials");
    let calls = [
        sandbox.bash("cat ~/.ssh/id_rsa", "toolu_ssh"),
        sandbox.tool_event(
            "PreToolUse",
            "Read",
            json!({ "file_path": credentials.to_string_lossy() }),
            "toolu_aws",
        ),
    ];
    for call in &calls {
        let what = call["tool_input"].to_string();
        let (decision, reason) = pre_tool_use(&sandbox.answer(call, &what), &what);
        assert_eq!(decision, "deny", "{what}: {reason}");
        assert!(
            reason.contains("baseline.deny-secret-access"),
            "{what}: {reason}"
        );
    }
    let records = sandbox.export();
    assert_eq!(records.len(), 2);
    for (record, id) in records.iter().zip(["toolu_ssh", "toolu_aws"]) {
        assert_eq!(field(record, "kind"), "decision");
        assert_eq!(field(record, "decision"), "deny");
        assert_eq!(field(record, "tool_use_id"), id);
        assert_eq!(record["policies"], json!(["baseline.deny-secret-access"]));
    }
    assert_exit(&sandbox.verify(), 0, "warden audit verify");
}

#[test]
fn pre_tool_use_asks_before_a_push() {
    let sandbox = Sandbox::with_pack("baseline");
    let what = "git push origin main";
    let (decision, reason) = pre_tool_use(&sandbox.answer(&sandbox.bash(what, "t1"), what), what);
    assert_eq!(decision, "ask", "{reason}");
    let records = sandbox.export();
    assert_eq!(records.len(), 1);
    assert_eq!(field(&records[0], "decision"), "ask");
}

#[test]
fn production_approval_is_a_deny_that_says_how_to_get_approval() {
    let sandbox = Sandbox::with_pack("production");
    let what = "kubectl --context prod-eu apply -f k8s/";
    let (decision, reason) = pre_tool_use(&sandbox.answer(&sandbox.bash(what, "t1"), what), what);
    assert_eq!(decision, "deny", "approve is answered as deny: {reason}");
    assert!(
        reason.contains("production.approve-production"),
        "names the policy: {reason}"
    );
    assert!(
        reason.contains("warden approvals"),
        "says how to get approval: {reason}"
    );
    let records = sandbox.export_kind("decision");
    assert_eq!(records.len(), 1);
    assert_eq!(
        field(&records[0], "decision"),
        "approve",
        "the audit keeps the real effect"
    );
    assert_eq!(records[0]["detail"]["production"], true, "{}", records[0]);
}

#[test]
fn a_tool_call_that_cannot_be_understood_is_denied() {
    let sandbox = Sandbox::with_pack("baseline");
    // Bash without a command, and with a command that is not a string.
    let mut no_input = sandbox.bash("echo hi", "t1");
    no_input
        .as_object_mut()
        .expect("an object")
        .remove("tool_input");
    let wrong_type = sandbox.tool_event("PreToolUse", "Bash", json!({ "command": 42 }), "t2");
    for call in [no_input, wrong_type] {
        let what = call.to_string();
        let (decision, reason) = pre_tool_use(&sandbox.answer(&call, &what), &what);
        assert_eq!(decision, "deny", "{what}: {reason}");
    }
}

// ---------------------------------------------------------------------------
// 3. PermissionRequest
// ---------------------------------------------------------------------------

#[test]
fn permission_request_allows_denies_or_leaves_the_dialog_to_the_human() {
    let sandbox = Sandbox::with_pack("baseline");
    let request = |command: &str, id: &str| {
        sandbox.tool_event(
            "PermissionRequest",
            "Bash",
            json!({ "command": command }),
            id,
        )
    };
    for (command, behavior, policy) in [
        ("echo hi", "allow", "baseline.allow-unregistered-read-only"),
        ("cat ~/.ssh/id_rsa", "deny", "baseline.deny-secret-access"),
    ] {
        let answer = sandbox.answer(&request(command, command), command);
        let specific = &answer["hookSpecificOutput"];
        assert_eq!(specific["hookEventName"], "PermissionRequest", "{answer}");
        assert_eq!(
            specific["decision"]["behavior"], behavior,
            "{command}: {answer}"
        );
        let message = specific["decision"]["message"].as_str().unwrap_or("");
        assert!(message.contains(policy), "{command}: {answer}");
        assert!(
            specific.get("permissionDecision").is_none(),
            "PermissionRequest has its own shape: {answer}"
        );
    }
    let answer = sandbox.answer(&request("git push origin main", "push"), "push");
    assert_eq!(answer, json!({}), "ask leaves the dialog to the human");

    let decisions: Vec<String> = sandbox
        .export()
        .iter()
        .map(|r| format!("{}:{}", field(r, "kind"), field(r, "decision")))
        .collect();
    assert_eq!(
        decisions,
        ["decision:allow", "decision:deny", "decision:ask"]
    );
}

// ---------------------------------------------------------------------------
// 4. Fail closed
// ---------------------------------------------------------------------------

#[test]
fn malformed_payloads_fail_closed() {
    let sandbox = Sandbox::with_pack("baseline");
    let cwd = sandbox.workspace.to_string_lossy().into_owned();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", b"this is not json".to_vec()),
        ("empty stdin", Vec::new()),
        ("an array", b"[]".to_vec()),
        ("an empty object", b"{}".to_vec()),
        ("truncated JSON", br#"{"hook_event_name":"PreToolUse","#.to_vec()),
        ("invalid UTF-8", b"{\"hook_event_name\":\"Stop\",\"cwd\":\"\xff\"}".to_vec()),
        (
            "no hook_event_name",
            json!({ "session_id": "s", "cwd": cwd, "tool_name": "Bash", "tool_input": { "command": "echo hi" } })
                .to_string()
                .into_bytes(),
        ),
        (
            "hook_event_name not a string",
            json!({ "hook_event_name": 7, "cwd": cwd }).to_string().into_bytes(),
        ),
        (
            "a PreToolUse without tool_name",
            json!({ "session_id": "s", "cwd": cwd, "hook_event_name": "PreToolUse", "tool_input": { "command": "echo hi" } })
                .to_string()
                .into_bytes(),
        ),
        (
            "a PermissionRequest without tool_name",
            json!({ "session_id": "s", "cwd": cwd, "hook_event_name": "PermissionRequest", "tool_input": { "command": "echo hi" } })
                .to_string()
                .into_bytes(),
        ),
        (
            "a PreToolUse without cwd",
            json!({ "session_id": "s", "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": { "command": "echo hi" } })
                .to_string()
                .into_bytes(),
        ),
    ];
    for (what, payload) in cases {
        blocked(&sandbox.hook(&payload), what);
    }
    assert!(
        sandbox.export().is_empty(),
        "nothing that was not understood is recorded as if it had been"
    );
}

/// A `Stop` payload padded with whitespace to exactly `len` bytes.
fn stop_of_len(sandbox: &Sandbox, len: usize) -> Vec<u8> {
    let mut payload = sandbox.real(STOP).to_string().into_bytes();
    assert!(payload.len() < len);
    payload.resize(len, b' ');
    payload
}

#[test]
fn a_payload_over_8_mib_fails_closed() {
    let sandbox = Sandbox::with_pack("baseline");
    let line = blocked(
        &sandbox.hook(&stop_of_len(&sandbox, MAX_PAYLOAD_BYTES + 1)),
        "8 MiB + 1",
    );
    assert!(line.contains("too large"), "{line}");

    // A PreToolUse that would be allowed, made one byte too large.
    let mut call = sandbox.bash("echo hi", "big").to_string().into_bytes();
    call.resize(MAX_PAYLOAD_BYTES + 1, b'\n');
    blocked(&sandbox.hook(&call), "an allowed call over 8 MiB");
    assert!(sandbox.export().is_empty());

    // Exactly the limit is still answered.
    let out = sandbox.hook(&stop_of_len(&sandbox, MAX_PAYLOAD_BYTES));
    assert_eq!(answer_of(&out, "exactly 8 MiB"), json!({}));
    assert_eq!(sandbox.export().len(), 1);
}

#[test]
fn a_large_tool_output_is_scanned_within_the_deadline() {
    let sandbox = Sandbox::with_pack("baseline");
    let mut payload = sandbox.real(POST_TOOL_USE);
    let base = payload.to_string().len();
    // No character that JSON escapes: the payload's size is the text's.
    let filler = "lorem ipsum dolor sit amet, consectetur adipiscing elit. ";
    let room = MAX_PAYLOAD_BYTES - base - 64;
    let text = filler.repeat(room / filler.len() + 1)[..room].to_owned();
    payload["tool_response"]["stdout"] = json!(text);
    let bytes = payload.to_string().into_bytes();
    assert!(bytes.len() <= MAX_PAYLOAD_BYTES && bytes.len() > MAX_PAYLOAD_BYTES - 1024);
    assert_eq!(
        answer_of(&sandbox.hook(&bytes), "a large PostToolUse"),
        json!({})
    );
    let records = sandbox.export();
    assert_eq!(records.len(), 1);
    assert_eq!(field(&records[0], "kind"), "result");
    assert_eq!(records[0]["secret_in_output"], false);
}

#[test]
fn an_uninitialised_home_fails_closed() {
    let sandbox = Sandbox::new();
    for (event, text) in [
        ("PreToolUse", PRE_TOOL_USE),
        ("UserPromptSubmit", USER_PROMPT_SUBMIT),
        ("Stop", STOP),
    ] {
        let line = blocked(&sandbox.hook_json(&sandbox.real(text)), event);
        assert!(
            line.contains("warden init"),
            "{event}: says what to do: {line}"
        );
    }
}

#[test]
fn a_missing_warden_core_fails_closed() {
    let sandbox = Sandbox::with_pack("baseline");
    let lonely = sandbox.root.join("lonely");
    fs::create_dir_all(&lonely).expect("create a bin dir");
    let front = lonely.join("warden");
    fs::copy(env!("CARGO_BIN_EXE_warden"), &front).expect("copy the front binary");
    assert!(!lonely.join("warden-core").exists());
    for (what, payload) in [
        ("an allowed call", sandbox.real(PRE_TOOL_USE)),
        ("a stop", sandbox.real(STOP)),
    ] {
        let out = run_bounded(
            sandbox.command_of(&front, &["hook", "claude-code"]),
            Some(payload.to_string().into_bytes()),
            what,
        );
        let line = blocked(&out, what);
        assert!(line.contains("warden-core"), "{what}: {line}");
    }
    assert!(sandbox.export().is_empty());
}

#[test]
fn stdin_that_never_closes_times_out_closed() {
    let sandbox = Sandbox::with_pack("baseline");
    let mut child = sandbox
        .command(&["hook", "claude-code", "--timeout-ms", "200"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn warden");
    // Half a payload, then nothing: the pipe stays open until the end.
    let mut pipe = child.stdin.take().expect("stdin is piped");
    pipe.write_all(br#"{"hook_event_name":"PreToolUse","#)
        .expect("write half a payload");
    pipe.flush().expect("flush");
    let start = Instant::now();
    let out = wait_bounded(
        child,
        Duration::from_secs(10),
        "a hook whose stdin never closes",
    );
    let elapsed = start.elapsed();
    drop(pipe);
    blocked(&out, "stdin never closes");
    assert!(
        elapsed >= Duration::from_millis(150),
        "it waited for the deadline: {elapsed:?}"
    );
    assert!(sandbox.export().is_empty());
}

#[test]
fn an_answer_that_cannot_be_recorded_is_not_given() {
    let sandbox = Sandbox::with_pack("baseline");
    // Someone (or a full disk) makes every append fail.
    sandbox
        .database()
        .execute_batch(
            "CREATE TRIGGER refuse_appends BEFORE INSERT ON audit_log
             BEGIN SELECT RAISE(ABORT, 'no more records'); END;",
        )
        .expect("add a trigger");
    for (event, text) in [
        ("PreToolUse", PRE_TOOL_USE),
        ("UserPromptSubmit", USER_PROMPT_SUBMIT),
        ("PostToolUse", POST_TOOL_USE),
    ] {
        let line = blocked(&sandbox.hook_json(&sandbox.real(text)), event);
        assert!(line.contains("audit"), "{event}: {line}");
    }
}

#[test]
fn a_hook_command_line_warden_does_not_understand_blocks() {
    let sandbox = Sandbox::with_pack("baseline");
    let payload = sandbox.real(PRE_TOOL_USE).to_string().into_bytes();
    for args in [
        &["hook", "claude-code", "--timeout-ms", "10"][..],
        &["hook", "claude-code", "--timeout-ms", "soon"][..],
        &["hook", "claude-code", "--bogus"][..],
        &["hook", "claude-code", "--agent"][..],
    ] {
        let what = args.join(" ");
        let out = run_bounded(sandbox.command(args), Some(payload.clone()), &what);
        assert_exit(&out, 2, &what);
        assert!(out.stdout.is_empty(), "{what}: {}", stdout(&out));
    }
    assert!(sandbox.export().is_empty());
}

/// Runs `command` while another connection holds the audit log's write
/// lock, releasing it afterwards. Returns the output and how long it took.
fn with_the_log_locked(sandbox: &Sandbox, command: Command, payload: &Value) -> (Output, Duration) {
    let lock = sandbox.database();
    lock.execute_batch("BEGIN IMMEDIATE")
        .expect("take the write lock");
    let start = Instant::now();
    let out = run_bounded(
        command,
        Some(payload.to_string().into_bytes()),
        "a hook while the audit log is locked",
    );
    let elapsed = start.elapsed();
    lock.execute_batch("COMMIT")
        .expect("release the write lock");
    (out, elapsed)
}

#[test]
fn a_locked_audit_log_blocks_within_the_deadline() {
    let sandbox = Sandbox::with_pack("baseline");
    let payload = sandbox.bash("echo hi", "t-locked");
    let (out, elapsed) = with_the_log_locked(
        &sandbox,
        sandbox.command(&["hook", "claude-code", "--timeout-ms", "800"]),
        &payload,
    );
    assert_exit(&out, 2, "a locked audit log");
    assert!(out.stdout.is_empty(), "no answer: {}", stdout(&out));
    assert!(
        stderr(&out).starts_with("warden:"),
        "a reason on stderr: {}",
        stderr(&out)
    );
    assert!(
        elapsed < Duration::from_millis(4000),
        "blocked at its own deadline, not the database's: {elapsed:?}"
    );
    assert!(
        sandbox.export().is_empty(),
        "a call that was blocked is not recorded as decided"
    );
}

/// Product bug: when the deadline passes while warden-core decides, the
/// front prints its line and exits, but warden-core (which holds the same
/// stderr) prints a second one when its own watchdog fires.
#[test]
fn a_deadline_block_prints_exactly_one_stderr_line() {
    let sandbox = Sandbox::with_pack("baseline");
    let (out, _) = with_the_log_locked(
        &sandbox,
        sandbox.command(&["hook", "claude-code", "--timeout-ms", "800"]),
        &sandbox.bash("echo hi", "t-locked"),
    );
    blocked(&out, "a locked audit log");
}

#[test]
fn a_corrupt_database_fails_closed() {
    let sandbox = Sandbox::with_pack("baseline");
    let db = sandbox.warden_home.join("warden.db");
    fs::write(&db, vec![0x5a; 8192]).expect("overwrite warden.db");
    for name in ["warden.db-wal", "warden.db-shm"] {
        let _ = fs::remove_file(sandbox.warden_home.join(name));
    }
    blocked(
        &sandbox.hook_json(&sandbox.real(PRE_TOOL_USE)),
        "a corrupt database",
    );
}

// ---------------------------------------------------------------------------
// 5. Secrets
// ---------------------------------------------------------------------------

#[test]
fn a_secret_in_a_prompt_blocks_it_and_is_never_stored() {
    let sandbox = Sandbox::with_pack("baseline");
    let token = github_token();
    let mut payload = sandbox.real(USER_PROMPT_SUBMIT);
    payload["prompt"] = json!(format!("use {token} to open the pull request"));
    let out = sandbox.hook_json(&payload);
    let answer = answer_of(&out, "a prompt with a token");
    assert_eq!(answer["decision"], "block", "{answer}");
    let reason = answer["reason"].as_str().unwrap_or("");
    assert!(reason.contains("warden.secret_in_prompt"), "{reason}");
    assert_eq!(
        answer.as_object().map(|o| o.len()),
        Some(2),
        "decision and reason: {answer}"
    );
    assert_absent(&stdout(&out), &token, "stdout");
    assert_absent(&stderr(&out), &token, "stderr");

    let records = sandbox.export();
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(field(record, "kind"), "prompt");
    assert_eq!(field(record, "decision"), "deny");
    assert_eq!(record["policies"], json!(["warden.secret_in_prompt"]));
    let summary = field(record, "summary");
    assert!(summary.contains("REDACTED"), "redacted: {summary}");
    assert!(
        summary.starts_with("use ") && summary.ends_with(" to open the pull request"),
        "the rest of the prompt is kept: {summary}"
    );
    for format in ["jsonl", "ocsf"] {
        let out = sandbox.run(&["audit", "export", "--format", format]);
        assert_exit(&out, 0, format);
        assert_absent(&stdout(&out), &token, format);
    }
    let out = sandbox.run(&["audit", "show", "--session", SESSION_ID]);
    assert_exit(&out, 0, "audit show");
    assert_absent(&stdout(&out), &token, "audit show");
    assert_absent_from_files(&sandbox.warden_home, &token);
}

#[test]
fn a_secret_in_tool_output_is_flagged_and_never_stored() {
    let sandbox = Sandbox::with_pack("baseline");
    let key = aws_key_id();
    let mut payload = sandbox.real(POST_TOOL_USE);
    payload["tool_input"]["command"] = json!("env");
    payload["tool_response"]["stdout"] = json!(format!(
        "HOME=/home/dev\nAWS_ACCESS_KEY_ID={key}\nSHELL=/bin/bash"
    ));
    let out = sandbox.hook_json(&payload);
    let answer = answer_of(&out, "an output with a key");
    let keys: Vec<&String> = answer.as_object().expect("an object").keys().collect();
    assert_eq!(keys, ["systemMessage"], "{answer}");
    let message = answer["systemMessage"].as_str().unwrap_or("");
    assert!(message.starts_with("warden:"), "{message}");
    assert_absent(&stdout(&out), &key, "stdout");
    assert_absent(&stderr(&out), &key, "stderr");

    let records = sandbox.export();
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(field(record, "kind"), "result");
    assert_eq!(record["secret_in_output"], true, "{record}");
    assert_eq!(field(record, "tool_use_id"), "toolu_01");
    assert_eq!(field(record, "prompt_id"), PROMPT_ID);
    let out = sandbox.run(&["audit", "export", "--format", "jsonl"]);
    assert_absent(&stdout(&out), &key, "export");
    let out = sandbox.run(&["audit", "show", "--session", SESSION_ID]);
    assert!(
        stdout(&out).contains("SECRET REACHED THE MODEL"),
        "{}",
        stdout(&out)
    );
    assert_absent(&stdout(&out), &key, "audit show");
    assert_absent_from_files(&sandbox.warden_home, &key);
    assert_exit(&sandbox.verify(), 0, "warden audit verify");
}

#[test]
fn a_secret_in_a_command_is_denied_and_never_stored() {
    let sandbox = Sandbox::with_pack("baseline");
    let token = github_token();
    let command = format!("curl -H 'Authorization: token {token}' https://api.github.com/user");
    let out = sandbox.hook_json(&sandbox.bash(&command, "t1"));
    let (decision, reason) = pre_tool_use(&answer_of(&out, "a command with a token"), "curl");
    assert_eq!(decision, "deny", "{reason}");
    assert_absent(&stdout(&out), &token, "stdout");
    assert_absent(&stderr(&out), &token, "stderr");
    let out = sandbox.run(&["audit", "export", "--format", "jsonl"]);
    assert_absent(&stdout(&out), &token, "export");
    assert_absent_from_files(&sandbox.warden_home, &token);
}

// ---------------------------------------------------------------------------
// 6. VS Code Copilot's dialect
// ---------------------------------------------------------------------------

/// A Copilot `PreToolUse` payload.
fn copilot(sandbox: &Sandbox, tool: &str, input: Value, id: &str) -> Value {
    json!({
        "timestamp": "2026-01-01T00:00:00.000Z",
        "cwd": sandbox.workspace.to_string_lossy(),
        "sessionId": "s1",
        "hookEventName": "PreToolUse",
        "tool_name": tool,
        "tool_input": input,
        "tool_use_id": id,
    })
}

#[test]
fn copilot_payloads_are_governed_too() {
    let sandbox = Sandbox::with_pack("baseline");
    let start = json!({
        "timestamp": "2026-01-01T00:00:00.000Z",
        "cwd": sandbox.workspace.to_string_lossy(),
        "sessionId": "s1",
        "hookEventName": "SessionStart",
    });
    assert_eq!(sandbox.answer(&start, "Copilot SessionStart"), json!({}));
    let call = copilot(
        &sandbox,
        "runInTerminal",
        json!({ "command": "cat ~/.ssh/id_rsa" }),
        "t1",
    );
    let (decision, reason) = pre_tool_use(&sandbox.answer(&call, "runInTerminal"), "copilot");
    assert_eq!(decision, "deny", "{reason}");
    assert!(reason.contains("baseline.deny-secret-access"), "{reason}");

    let call = copilot(
        &sandbox,
        "someBrandNewCopilotTool",
        json!({ "anything": "at all" }),
        "t2",
    );
    let (decision, reason) = pre_tool_use(&sandbox.answer(&call, "unknown tool"), "copilot");
    assert_eq!(
        decision, "ask",
        "an unknown tool is never allowed: {reason}"
    );

    let exported = sandbox.export();
    let records = of_kind(&exported, "decision");
    assert_eq!(records.len(), 2);
    for (record, (tool, effect)) in records.iter().zip([
        ("runInTerminal", "deny"),
        ("someBrandNewCopilotTool", "ask"),
    ]) {
        assert_eq!(field(record, "session_id"), "s1", "{record}");
        assert_eq!(field(record, "agent"), "vscode-copilot", "{record}");
        assert_eq!(field(&record["detail"], "dialect"), "vscode-copilot");
        assert_eq!(field(record, "tool"), tool);
        assert_eq!(field(record, "decision"), effect);
    }
}

// ---------------------------------------------------------------------------
// 7. Events warden has no rule for
// ---------------------------------------------------------------------------

#[test]
fn an_unknown_event_is_recorded_and_answered_neutrally() {
    let sandbox = Sandbox::with_pack("baseline");
    let payload = json!({
        "session_id": SESSION_ID,
        "transcript_path": "/home/dev/.claude/projects/x.jsonl",
        "cwd": sandbox.workspace.to_string_lossy(),
        "hook_event_name": "Notification",
        "message": "Claude needs your permission to use Bash",
        "notification_type": "permission_prompt",
    });
    assert_eq!(sandbox.answer(&payload, "Notification"), json!({}));
    let records = sandbox.export();
    assert_eq!(records.len(), 1);
    assert_eq!(field(&records[0], "kind"), "event");
    assert_eq!(field(&records[0], "session_id"), SESSION_ID);
    assert_eq!(field(&records[0]["detail"], "event"), "Notification");
    assert!(field(&records[0], "summary").contains("Notification"));
}

// ---------------------------------------------------------------------------
// 8. Concurrency
// ---------------------------------------------------------------------------

#[test]
fn concurrent_hooks_keep_one_contiguous_chain() {
    let sandbox = Sandbox::with_pack("baseline");
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..8)
            .map(|worker| {
                let sandbox = &sandbox;
                scope.spawn(move || {
                    for round in 0..10 {
                        let id = format!("toolu_w{worker}_r{round}");
                        let out = sandbox.hook_json(&sandbox.bash("echo hi", &id));
                        let (decision, _) = pre_tool_use(&answer_of(&out, &id), &id);
                        assert_eq!(decision, "allow", "{id}");
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().expect("a worker does not panic");
        }
    });
    let out = sandbox.verify();
    assert_exit(&out, 0, "warden audit verify");
    let records = sandbox.export();
    let decisions = of_kind(&records, "decision");
    assert_eq!(decisions.len(), 80);
    assert_eq!(records.len(), 80);
    let seqs: Vec<u64> = records.iter().filter_map(|r| r["seq"].as_u64()).collect();
    assert_eq!(
        seqs,
        (seqs[0]..seqs[0] + 80).collect::<Vec<u64>>(),
        "consecutive"
    );
    let ids: BTreeSet<&str> = decisions.iter().map(|r| field(r, "tool_use_id")).collect();
    assert_eq!(ids.len(), 80, "every call recorded once");
    for pair in records.windows(2) {
        assert_eq!(pair[1]["prev_hash"], pair[0]["hash"], "one chain");
    }
}

// ---------------------------------------------------------------------------
// 9. Tampering
// ---------------------------------------------------------------------------

/// A sandbox with five decision records.
fn sandbox_with_five_records() -> Sandbox {
    let sandbox = Sandbox::with_pack("baseline");
    for i in 1..=5 {
        let id = format!("t{i}");
        sandbox.answer(&sandbox.bash(&format!("echo {i}"), &id), &id);
    }
    assert_exit(&sandbox.verify(), 0, "verify before tampering");
    assert_eq!(sandbox.export().len(), 5);
    sandbox
}

#[test]
fn an_altered_record_is_detected() {
    let sandbox = sandbox_with_five_records();
    // The third decision; the set-up's records come before it.
    let third = sandbox.export()[2]["seq"].as_u64().expect("a seq");
    sandbox
        .database()
        .execute_batch(&format!(
            "DROP TRIGGER audit_log_no_update;
             UPDATE audit_log SET summary = 'Bash: echo nothing to see' WHERE seq = {third};"
        ))
        .expect("alter the third decision");
    assert_eq!(
        field(&sandbox.export()[2], "summary"),
        "Bash: echo nothing to see",
        "the record was altered"
    );
    let out = sandbox.verify();
    assert_exit(&out, 1, "verify after altering a record");
    let text = stdout(&out);
    assert!(
        text.contains(&format!("record {third}")),
        "names the record: {text}"
    );
    assert!(
        !text.contains(&format!("record {}", third - 1)),
        "not an earlier one: {text}"
    );
}

#[test]
fn a_deleted_record_is_detected() {
    let sandbox = sandbox_with_five_records();
    let third = sandbox.export()[2]["seq"].as_u64().expect("a seq");
    sandbox
        .database()
        .execute_batch(&format!(
            "DROP TRIGGER audit_log_no_delete;
             DELETE FROM audit_log WHERE seq = {third};"
        ))
        .expect("delete the third decision");
    assert_eq!(sandbox.export().len(), 4);
    let out = sandbox.verify();
    assert_exit(&out, 1, "verify after deleting a record");
    let text = stdout(&out);
    assert!(
        text.contains(&format!("record {third}")),
        "names the missing record: {text}"
    );
}

// ---------------------------------------------------------------------------
// 10. The daemon
// ---------------------------------------------------------------------------

/// Stops the sandbox's daemon when dropped, whatever happened.
struct DaemonGuard<'a>(&'a Sandbox);

impl Drop for DaemonGuard<'_> {
    fn drop(&mut self) {
        let _ = self.0.command(&["daemon", "stop"]).output();
    }
}

/// `warden daemon status`'s exit code.
fn daemon_status(sandbox: &Sandbox) -> Option<i32> {
    sandbox.run(&["daemon", "status"]).status.code()
}

/// The fields of a record that do not depend on when it was written.
fn content(record: &Value) -> Value {
    let mut record = record.clone();
    if let Some(map) = record.as_object_mut() {
        for key in ["seq", "ts", "prev_hash", "hash"] {
            map.remove(key);
        }
        // Each session start issues its own credential.
        if let Some(detail) = map.get_mut("detail").and_then(Value::as_object_mut) {
            detail.remove("credential");
        }
        if let Some(Value::String(summary)) = map.get_mut("summary") {
            if let Some(at) = summary.find("credential ") {
                summary.truncate(at);
            }
        }
    }
    record
}

#[test]
fn the_daemon_answers_exactly_like_the_hook_itself() {
    let sandbox = Sandbox::with_pack("baseline");
    let _guard = DaemonGuard(&sandbox);
    let credentials = sandbox.home.join(".aws/credentials");
    let payloads = [
        sandbox.real(SESSION_START),
        sandbox.real(USER_PROMPT_SUBMIT),
        sandbox.real(PRE_TOOL_USE),
        sandbox.bash("cat ~/.ssh/id_rsa", "t-ssh"),
        sandbox.bash("git push origin main", "t-push"),
        sandbox.tool_event(
            "PreToolUse",
            "Read",
            json!({ "file_path": credentials.to_string_lossy() }),
            "t-read",
        ),
        sandbox.tool_event(
            "PermissionRequest",
            "Read",
            json!({ "file_path": credentials.to_string_lossy() }),
            "t-perm",
        ),
        copilot(
            &sandbox,
            "runInTerminal",
            json!({ "command": "echo hi" }),
            "t-vs",
        ),
        sandbox.real(POST_TOOL_USE),
        sandbox.real(STOP),
    ];

    assert_eq!(daemon_status(&sandbox), Some(3), "no daemon yet");
    let in_process: Vec<Value> = payloads
        .iter()
        .map(|p| sandbox.answer(p, "in process"))
        .collect();
    assert_eq!(
        daemon_status(&sandbox),
        Some(3),
        "WARDEN_NO_DAEMON starts none"
    );

    let out = sandbox.run(&["daemon", "start"]);
    assert_exit(&out, 0, "warden daemon start");
    assert_eq!(daemon_status(&sandbox), Some(0), "status after start");

    // Only the front binary, without warden-core beside it: whatever it
    // answers came from the daemon.
    let lonely = sandbox.root.join("lonely");
    fs::create_dir_all(&lonely).expect("create a bin dir");
    let front = lonely.join("warden");
    fs::copy(env!("CARGO_BIN_EXE_warden"), &front).expect("copy the front binary");
    let via_daemon = |payload: &[u8], what: &str| {
        run_bounded(
            sandbox.command_of(&front, &["hook", "claude-code"]),
            Some(payload.to_vec()),
            what,
        )
    };
    for (payload, expected) in payloads.iter().zip(&in_process) {
        let what = format!("through the daemon: {payload}");
        let out = via_daemon(payload.to_string().as_bytes(), &what);
        assert_eq!(&answer_of(&out, &what), expected, "{what}");
    }
    // The daemon fails closed too, in one line.
    blocked(
        &via_daemon(b"garbage", "garbage"),
        "garbage through the daemon",
    );
    blocked(&via_daemon(b"[]", "[]"), "[] through the daemon");

    // It recorded the same records.
    let records = sandbox.export();
    let n = payloads.len();
    assert_eq!(records.len(), 2 * n, "{records:#?}");
    for (direct, served) in records[..n].iter().zip(&records[n..]) {
        assert_eq!(content(direct), content(served), "the daemon's record");
    }
    assert_exit(&sandbox.verify(), 0, "verify after the daemon");

    let out = sandbox.run(&["daemon", "stop"]);
    assert_exit(&out, 0, "warden daemon stop");
    assert_eq!(daemon_status(&sandbox), Some(3), "status after stop");
    // With no daemon and no warden-core, the front alone can only block.
    blocked(
        &via_daemon(payloads[2].to_string().as_bytes(), "no daemon"),
        "the front alone after stop",
    );
}

#[test]
fn concurrent_hooks_through_the_daemon_keep_one_chain() {
    let sandbox = Sandbox::with_pack("baseline");
    let _guard = DaemonGuard(&sandbox);
    assert_exit(&sandbox.run(&["daemon", "start"]), 0, "warden daemon start");
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..8)
            .map(|worker| {
                let sandbox = &sandbox;
                scope.spawn(move || {
                    for round in 0..10 {
                        let id = format!("toolu_w{worker}_r{round}");
                        let out = sandbox.hook_json(&sandbox.bash("echo hi", &id));
                        let (decision, _) = pre_tool_use(&answer_of(&out, &id), &id);
                        assert_eq!(decision, "allow", "{id}");
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().expect("a worker does not panic");
        }
    });
    assert_exit(&sandbox.verify(), 0, "warden audit verify");
    let records = sandbox.export();
    let seqs: Vec<u64> = records.iter().filter_map(|r| r["seq"].as_u64()).collect();
    assert_eq!(
        seqs,
        (seqs[0]..seqs[0] + 80).collect::<Vec<u64>>(),
        "consecutive"
    );
    assert_eq!(of_kind(&records, "decision").len(), 80);
    assert_exit(&sandbox.run(&["daemon", "stop"]), 0, "warden daemon stop");
}

/// Product bug: the daemon has no deadline of its own. When the client
/// gives up (the audit log is locked), the hook blocks (exit 2), but the
/// daemon goes on waiting for the lock and then records an `allow` for a
/// call Claude Code never ran.
#[test]
fn a_call_blocked_at_the_deadline_is_not_recorded_as_allowed_by_the_daemon() {
    let sandbox = Sandbox::with_pack("baseline");
    let _guard = DaemonGuard(&sandbox);
    assert_exit(&sandbox.run(&["daemon", "start"]), 0, "warden daemon start");
    let (out, _) = with_the_log_locked(
        &sandbox,
        sandbox.command(&["hook", "claude-code", "--timeout-ms", "800"]),
        &sandbox.bash("echo hi", "t-locked"),
    );
    assert_exit(&out, 2, "a locked audit log");
    // Give the daemon time to finish what it was doing.
    std::thread::sleep(Duration::from_millis(1500));
    let allowed: Vec<Value> = sandbox
        .export()
        .into_iter()
        .filter(|r| r["tool_use_id"] == "t-locked" && r["decision"] == "allow")
        .collect();
    assert!(
        allowed.is_empty(),
        "the hook blocked, yet the audit says allowed: {allowed:#?}"
    );
}

/// Product bug: the human on a record comes from the environment of the
/// process that decides, so through the daemon it is the daemon's `$USER`,
/// not that of the hook's caller.
#[test]
fn the_daemon_records_the_callers_human() {
    let sandbox = Sandbox::with_pack("baseline");
    let _guard = DaemonGuard(&sandbox);
    let mut start = sandbox.command(&["daemon", "start"]);
    start.env("USER", "someone-else");
    assert_exit(
        &run_bounded(start, None, "warden daemon start"),
        0,
        "warden daemon start",
    );
    sandbox.answer(&sandbox.bash("echo hi", "t1"), "through the daemon");
    let records = sandbox.export();
    assert_eq!(records.len(), 1);
    assert_eq!(field(&records[0], "human"), HUMAN, "{}", records[0]);
}

#[test]
fn a_hook_starts_the_daemon_in_the_background() {
    let sandbox = Sandbox::with_pack("baseline");
    let _guard = DaemonGuard(&sandbox);
    assert_eq!(daemon_status(&sandbox), Some(3));
    sandbox.start_session(SESSION_ID);
    let mut command = sandbox.command(&["hook", "claude-code"]);
    command.env_remove("WARDEN_NO_DAEMON");
    let out = run_bounded(
        command,
        Some(sandbox.real(PRE_TOOL_USE).to_string().into_bytes()),
        "a hook that may start the daemon",
    );
    let (decision, _) = pre_tool_use(&answer_of(&out, "first hook"), "first hook");
    assert_eq!(decision, "allow");
    let start = Instant::now();
    while daemon_status(&sandbox) != Some(0) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the hook started no daemon within 10 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The next hook is answered by it and recorded once.
    let mut command = sandbox.command(&["hook", "claude-code"]);
    command.env_remove("WARDEN_NO_DAEMON");
    let out = run_bounded(
        command,
        Some(sandbox.real(STOP).to_string().into_bytes()),
        "a hook with the daemon running",
    );
    assert_eq!(answer_of(&out, "second hook"), json!({}));
    let kinds: Vec<String> = sandbox
        .export()
        .iter()
        .map(|r| field(r, "kind").to_owned())
        .collect();
    assert_eq!(kinds, ["session_start", "decision", "stop"]);

    let out = sandbox.run(&["daemon", "stop"]);
    assert_exit(&out, 0, "warden daemon stop");
    assert_eq!(daemon_status(&sandbox), Some(3), "status after stop");
}
