//! Assistant identities end to end: the registry lifecycle decides, and an
//! `approve` decision becomes a request that only a second person can
//! approve, once.

use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

struct Sandbox {
    _dir: tempfile::TempDir,
    home: PathBuf,
    warden_home: PathBuf,
    workspace: PathBuf,
}

impl Sandbox {
    fn new(pack: &str) -> Sandbox {
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        std::fs::create_dir_all(&base).expect("scratch dir");
        let dir = tempfile::Builder::new()
            .prefix("warden-identity-")
            .tempdir_in(&base)
            .expect("temp dir");
        let root = std::fs::canonicalize(dir.path()).expect("canonical");
        let home = root.join("home");
        let workspace = home.join("src/app");
        std::fs::create_dir_all(workspace.join(".git")).expect("workspace");
        std::fs::write(workspace.join(".git/HEAD"), "ref: refs/heads/main\n").expect("HEAD");
        let sandbox = Sandbox {
            _dir: dir,
            home,
            warden_home: root.join("warden"),
            workspace,
        };
        assert_ok(&sandbox.run("dev", &["init", "--pack", pack], None));
        sandbox
    }

    fn run(&self, user: &str, args: &[&str], stdin: Option<&[u8]>) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_warden"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("WARDEN_HOME", &self.warden_home)
            .env("USER", user)
            .env("WARDEN_NO_DAEMON", "1")
            .current_dir(&self.workspace)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn warden");
        if let Some(mut pipe) = child.stdin.take() {
            let _ = pipe.write_all(stdin.unwrap_or_default());
        }
        child.wait_with_output().expect("warden finishes")
    }

    fn check(&self, agent: &str, command: &str) -> Value {
        let cwd = self.workspace.to_string_lossy().into_owned();
        let input = json!({ "command": command }).to_string();
        let out = self.run(
            "dev",
            &[
                "check", "--tool", "Bash", "--input", &input, "--cwd", &cwd, "--agent", agent,
                "--json",
            ],
            None,
        );
        assert_ok(&out);
        serde_json::from_slice(&out.stdout).expect("check prints JSON")
    }

    /// A PreToolUse of `command` answered by the hook, run as `user`.
    fn hook(&self, user: &str, command: &str) -> (String, String) {
        let payload = json!({
            "session_id": "s1", "cwd": self.workspace, "prompt_id": "p1",
            "hook_event_name": "PreToolUse", "tool_name": "Bash",
            "tool_input": { "command": command }, "tool_use_id": "t1",
        });
        let out = self.run(
            user,
            &["hook", "claude-code"],
            Some(payload.to_string().as_bytes()),
        );
        assert_ok(&out);
        let answer: Value = serde_json::from_slice(&out.stdout).expect("hook prints JSON");
        let specific = &answer["hookSpecificOutput"];
        (
            specific["permissionDecision"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
            specific["permissionDecisionReason"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
        )
    }
}

fn assert_ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn assert_fails(out: &Output, needle: &str) {
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(needle), "expected {needle:?} in {stderr}");
}

#[test]
fn the_lifecycle_decides_at_the_next_action() {
    let sandbox = Sandbox::new("baseline");
    // Unregistered: reads run, edits ask.
    assert_eq!(sandbox.check("bot", "git status")["decision"], "allow");
    assert_eq!(
        sandbox.check("bot", "touch notes.md")["policies"],
        json!(["baseline.ask-unregistered"])
    );

    let out = sandbox.run(
        "dev",
        &[
            "agent",
            "register",
            "bot",
            "--kind",
            "claude-code",
            "--owner",
            "alice@example.com",
            "--purpose",
            "reviews",
        ],
        None,
    );
    assert_ok(&out);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("tier:     production-write, because"),
        "{shown}"
    );
    assert_eq!(sandbox.check("bot", "touch notes.md")["decision"], "allow");
    assert_fails(
        &sandbox.run(
            "dev",
            &[
                "agent", "register", "bot", "--kind", "codex", "--owner", "a@b.c",
            ],
            None,
        ),
        "bot",
    );

    assert_ok(&sandbox.run(
        "dev",
        &["agent", "suspend", "bot", "--reason", "investigating"],
        None,
    ));
    let value = sandbox.check("bot", "git status");
    assert_eq!(value["decision"], "deny");
    assert_eq!(value["policies"], json!(["baseline.deny-inactive-agent"]));
    assert_ok(&sandbox.run("dev", &["agent", "resume", "bot"], None));
    assert_eq!(sandbox.check("bot", "git status")["decision"], "allow");

    assert_ok(&sandbox.run(
        "dev",
        &["agent", "offboard", "bot", "--reason", "project ended"],
        None,
    ));
    assert_eq!(sandbox.check("bot", "git status")["decision"], "deny");
    assert_fails(
        &sandbox.run("dev", &["agent", "resume", "bot"], None),
        "offboarded",
    );
    let list = sandbox.run("dev", &["agent", "list"], None);
    assert!(String::from_utf8_lossy(&list.stdout).contains("offboarded"));

    // Every change is in the audit trail, which still verifies.
    let export = sandbox.run("dev", &["audit", "export"], None);
    let registry = String::from_utf8_lossy(&export.stdout)
        .lines()
        .filter(|l| l.contains("\"registry\""))
        .count();
    assert_eq!(
        registry, 4,
        "register, suspend, resume, offboard, and nothing else"
    );
    assert_ok(&sandbox.run("dev", &["audit", "verify"], None));
}

#[test]
fn a_production_action_needs_a_second_person_once() {
    let sandbox = Sandbox::new("production");
    assert_ok(&sandbox.run(
        "dev",
        &[
            "agent",
            "register",
            "claude-code",
            "--kind",
            "claude-code",
            "--owner",
            "olivia@example.com",
        ],
        None,
    ));
    let command = "kubectl --context prod-eu apply -f k8s/";
    let (decision, reason) = sandbox.hook("dev", command);
    assert_eq!(decision, "deny", "{reason}");
    let id = reason
        .split_whitespace()
        .find(|w| w.starts_with("apr-"))
        .map(|w| {
            w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                .to_owned()
        })
        .unwrap_or_else(|| panic!("no request id in {reason}"));

    // The same human cannot approve their own session's request, and the
    // production pack's @sod("approver-not-owner") rules out the owner.
    assert_fails(
        &sandbox.run("dev", &["approvals", "approve", &id], None),
        "requested it and cannot approve it",
    );
    assert_fails(
        &sandbox.run("olivia", &["approvals", "approve", &id], None),
        "is the owner or deputy",
    );
    let listed = sandbox.run("alice", &["approvals", "list"], None);
    assert!(String::from_utf8_lossy(&listed.stdout).contains(&id));
    assert_ok(&sandbox.run("alice", &["approvals", "approve", &id], None));

    let (decision, reason) = sandbox.hook("dev", command);
    assert_eq!(decision, "allow", "{reason}");
    assert!(reason.contains("alice") && reason.contains(&id), "{reason}");
    // Single use: the next identical call needs a new approval.
    let (decision, reason) = sandbox.hook("dev", command);
    assert_eq!(decision, "deny", "{reason}");
    assert!(
        !reason.contains(&id),
        "a new request, not the used one: {reason}"
    );

    let export = String::from_utf8_lossy(&sandbox.run("dev", &["audit", "export"], None).stdout)
        .into_owned();
    assert!(
        export.contains("\"approval\"") && export.contains("alice"),
        "{export}"
    );
    assert_ok(&sandbox.run("dev", &["audit", "verify"], None));
}
