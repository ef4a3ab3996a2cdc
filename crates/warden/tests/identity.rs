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
        self.run_env(user, args, stdin, &[])
    }

    fn run_env(
        &self,
        user: &str,
        args: &[&str],
        stdin: Option<&[u8]>,
        env: &[(&str, &str)],
    ) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_warden"))
            .args(args)
            .env_clear()
            .envs(env.iter().copied())
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
        self.hook_with(user, command, json!({}), &[], &[])
    }

    /// Sends one hook event (any payload) as `user`, expecting exit 0.
    fn event(
        &self,
        user: &str,
        payload: &Value,
        hook_args: &[&str],
        env: &[(&str, &str)],
    ) -> Value {
        let mut args = vec!["hook", "claude-code"];
        args.extend_from_slice(hook_args);
        let out = self.run_env(user, &args, Some(payload.to_string().as_bytes()), env);
        assert_ok(&out);
        serde_json::from_slice(&out.stdout).expect("hook prints JSON")
    }

    /// The SessionStart that issues session `session` its credential.
    fn start(&self, user: &str, session: &str) {
        let payload = json!({
            "session_id": session, "cwd": self.workspace,
            "hook_event_name": "SessionStart", "source": "startup",
        });
        assert_eq!(self.event(user, &payload, &[], &[]), json!({}));
    }

    /// A Bash PreToolUse in session s1 with `extra` payload fields merged
    /// in, extra hook arguments and environment.
    fn hook_with(
        &self,
        user: &str,
        command: &str,
        extra: Value,
        hook_args: &[&str],
        env: &[(&str, &str)],
    ) -> (String, String) {
        let mut payload = json!({
            "session_id": "s1", "cwd": self.workspace, "prompt_id": "p1",
            "hook_event_name": "PreToolUse", "tool_name": "Bash",
            "tool_input": { "command": command }, "tool_use_id": "t1",
        });
        if let (Some(map), Value::Object(extra)) = (payload.as_object_mut(), extra) {
            map.extend(extra);
        }
        let answer = self.event(user, &payload, hook_args, env);
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
    sandbox.start("dev", "s1");
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

// ---------------------------------------------------------------------------
// Session credentials, subagents, grants, offboarding, owners, humans
// ---------------------------------------------------------------------------

impl Sandbox {
    fn register(&self, name: &str, owner: &str) {
        assert_ok(&self.run(
            "dev",
            &[
                "agent",
                "register",
                name,
                "--kind",
                "claude-code",
                "--owner",
                owner,
            ],
            None,
        ));
    }

    fn stdout_of(&self, user: &str, args: &[&str]) -> String {
        let out = self.run(user, args, None);
        assert_ok(&out);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `warden session start` without a command and with a pipe for
    /// stdout: the `export` lines. Returns the credential.
    fn launch(&self, agent: &str, extra: &[&str]) -> String {
        let mut args = vec!["session", "start", "--agent", agent];
        args.extend_from_slice(extra);
        let text = self.stdout_of("dev", &args);
        text.lines()
            .find_map(|l| l.strip_prefix("export WARDEN_SESSION_CREDENTIAL='"))
            .and_then(|l| l.strip_suffix('\''))
            .unwrap_or_else(|| panic!("no credential in {text}"))
            .to_owned()
    }

    fn set_config(&self, from: &str, to: &str) {
        let path = self.warden_home.join("warden.toml");
        let text = std::fs::read_to_string(&path).expect("read warden.toml");
        assert!(text.contains(from), "{from} in warden.toml");
        std::fs::write(&path, text.replace(from, to)).expect("write warden.toml");
    }
}

fn credential_ids(listing: &str) -> Vec<String> {
    listing
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

#[test]
fn every_session_gets_its_own_credential_and_loses_it_when_revoked_or_ended() {
    let sandbox = Sandbox::new("baseline");
    sandbox.register("claude-code", "olivia@example.com");
    // A session that never started has no credential: denied, with why.
    let (decision, reason) = sandbox.hook("dev", "git status");
    assert_eq!(decision, "deny", "{reason}");
    assert!(
        reason.contains("warden.credential") && reason.contains("no session credential"),
        "{reason}"
    );

    sandbox.start("dev", "s1");
    sandbox.start("dev", "s2");
    let listing = sandbox.stdout_of("dev", &["session", "list"]);
    let ids = credential_ids(&listing);
    assert_eq!(ids.len(), 2, "{listing}");
    assert_ne!(ids[0], ids[1], "one credential per session");
    assert!(
        listing.contains("valid") && listing.contains("claude-code") && listing.contains("dev"),
        "{listing}"
    );
    let (decision, reason) = sandbox.hook("dev", "git status");
    assert_eq!(decision, "allow", "{reason}");
    // `session show` never prints the token.
    let s1 = listing
        .lines()
        .find(|l| l.contains("session s1 "))
        .and_then(|l| l.split_whitespace().next())
        .expect("s1's credential")
        .to_owned();
    let shown = sandbox.stdout_of("dev", &["session", "show", &s1]);
    assert!(!shown.contains("wsc1."), "{shown}");

    assert_ok(&sandbox.run(
        "dev",
        &["session", "revoke", &s1, "--reason", "lost laptop"],
        None,
    ));
    let (decision, reason) = sandbox.hook("dev", "git status");
    assert_eq!(decision, "deny", "{reason}");
    assert!(
        reason.contains("revoked") && reason.contains("lost laptop"),
        "{reason}"
    );

    // s2 still works until it ends.
    let in_s2 = json!({ "session_id": "s2" });
    assert_eq!(
        sandbox
            .hook_with("dev", "git status", in_s2.clone(), &[], &[])
            .0,
        "allow"
    );
    let end = json!({ "session_id": "s2", "cwd": sandbox.workspace, "hook_event_name": "SessionEnd", "reason": "other" });
    assert_eq!(sandbox.event("dev", &end, &[], &[]), json!({}));
    let (decision, reason) = sandbox.hook_with("dev", "git status", in_s2, &[], &[]);
    assert_eq!(decision, "deny", "{reason}");
    assert!(reason.contains("the session ended"), "{reason}");
    assert_ok(&sandbox.run("dev", &["audit", "verify"], None));
}

#[test]
fn a_launched_sessions_credential_is_bound_to_its_agent_repo_and_lifetime() {
    let sandbox = Sandbox::new("baseline");
    sandbox.register("bot", "olivia@example.com");
    sandbox.register("other", "olivia@example.com");
    let token = sandbox.launch("bot", &["--task", "fix the build"]);
    let env = [("WARDEN_SESSION_CREDENTIAL", token.as_str())];

    // The hook learns the identity from the credential.
    let (decision, reason) = sandbox.hook_with("dev", "git status", json!({}), &[], &env);
    assert_eq!(decision, "allow", "{reason}");
    let export = sandbox.stdout_of("dev", &["audit", "export"]);
    let last_decision: Value = export
        .lines()
        .rfind(|l| l.contains("\"decision\":\"allow\""))
        .map(|l| serde_json::from_str(l).expect("json"))
        .expect("a decision record");
    assert_eq!(last_decision["agent"], "bot");

    // Another agent presenting it is denied.
    let (decision, reason) =
        sandbox.hook_with("dev", "git status", json!({}), &["--agent", "other"], &env);
    assert_eq!(decision, "deny");
    assert!(reason.contains("belongs to agent \"bot\""), "{reason}");

    // Another repository is denied.
    let elsewhere = sandbox.home.join("src/elsewhere");
    std::fs::create_dir_all(elsewhere.join(".git")).expect("second repo");
    std::fs::write(elsewhere.join(".git/HEAD"), "ref: refs/heads/main\n").expect("HEAD");
    let (decision, reason) =
        sandbox.hook_with("dev", "git status", json!({ "cwd": elsewhere }), &[], &env);
    assert_eq!(decision, "deny");
    assert!(
        reason.contains("is bound to") && reason.contains("elsewhere"),
        "{reason}"
    );

    // A forged credential (one character of its signed part changed).
    let mut forged = token.clone().into_bytes();
    let at = 40;
    forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).expect("ascii");
    let (decision, reason) = sandbox.hook_with(
        "dev",
        "git status",
        json!({}),
        &[],
        &[("WARDEN_SESSION_CREDENTIAL", &forged)],
    );
    assert_eq!(decision, "deny");
    assert!(reason.contains("credential is invalid"), "{reason}");

    // One minted by another warden (another key) is a forgery here.
    let stranger = Sandbox::new("baseline");
    stranger.register("bot", "olivia@example.com");
    let foreign = stranger.launch("bot", &[]);
    let (decision, reason) = sandbox.hook_with(
        "dev",
        "git status",
        json!({}),
        &[],
        &[("WARDEN_SESSION_CREDENTIAL", &foreign)],
    );
    assert_eq!(decision, "deny");
    assert!(reason.contains("forged or altered"), "{reason}");

    // An expired one.
    let short = sandbox.launch("bot", &["--ttl", "1"]);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let (decision, reason) = sandbox.hook_with(
        "dev",
        "git status",
        json!({}),
        &[],
        &[("WARDEN_SESSION_CREDENTIAL", &short)],
    );
    assert_eq!(decision, "deny");
    assert!(reason.contains("expired"), "{reason}");

    // Without a command and on a pipe the credential is printed for eval;
    // with a command it is only in the command's environment.
    let out = sandbox.run(
        "dev",
        &[
            "session",
            "start",
            "--agent",
            "bot",
            "--",
            "sh",
            "-c",
            "test -n \"$WARDEN_SESSION_CREDENTIAL\" && echo \"$WARDEN_AGENT\"",
        ],
        None,
    );
    assert_ok(&out);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "bot");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("wsc1."));
    assert_fails(
        &sandbox.run("dev", &["session", "start", "--agent", "nobody"], None),
        "no agent named nobody",
    );
}

#[test]
fn a_subagent_gets_a_narrower_credential_derived_from_its_parents() {
    let sandbox = Sandbox::new("baseline");
    sandbox.register("claude-code", "olivia@example.com");
    sandbox.start("dev", "s1");
    let start = json!({
        "session_id": "s1", "cwd": sandbox.workspace, "hook_event_name": "SubagentStart",
        "agent_id": "sub-1", "agent_type": "Explore",
    });
    assert_eq!(sandbox.event("dev", &start, &[], &[]), json!({}));
    let inside = json!({ "agent_id": "sub-1", "agent_type": "Explore" });
    let (decision, reason) = sandbox.hook_with("dev", "git status", inside.clone(), &[], &[]);
    assert_eq!(decision, "deny", "{reason}");
    assert!(
        reason.contains("subagent:Explore") && reason.contains("shell"),
        "{reason}"
    );
    let read = json!({
        "session_id": "s1", "cwd": sandbox.workspace, "hook_event_name": "PreToolUse",
        "tool_name": "Read", "tool_input": { "file_path": sandbox.workspace.join("README.md") },
        "tool_use_id": "t9", "agent_id": "sub-1", "agent_type": "Explore",
    });
    let answer = sandbox.event("dev", &read, &[], &[]);
    assert_eq!(
        answer["hookSpecificOutput"]["permissionDecision"], "allow",
        "{answer}"
    );
    // The parent session keeps its full credential.
    assert_eq!(sandbox.hook("dev", "git status").0, "allow");
    // A general-purpose subagent keeps its parent's kinds (derived on its
    // first call).
    let general = json!({ "agent_id": "sub-2", "agent_type": "general-purpose" });
    assert_eq!(
        sandbox.hook_with("dev", "git status", general, &[], &[]).0,
        "allow"
    );
    let listing = sandbox.stdout_of("dev", &["session", "list"]);
    assert!(
        listing.contains("(subagent:Explore)") && listing.contains("(subagent:general-purpose)"),
        "{listing}"
    );
    // Revoking the parent revokes the derived ones with it.
    let parent = listing
        .lines()
        .find(|l| !l.contains("subagent"))
        .and_then(|l| l.split_whitespace().next())
        .expect("the session's credential")
        .to_owned();
    assert_ok(&sandbox.run(
        "dev",
        &["session", "revoke", &parent, "--reason", "done"],
        None,
    ));
    let (decision, reason) = sandbox.hook_with("dev", "cat README.md", inside, &[], &[]);
    assert_eq!(decision, "deny");
    assert!(reason.contains("revoked"), "{reason}");
}

#[test]
fn an_ask_answered_yes_yields_a_grant_that_ends_with_the_call() {
    let sandbox = Sandbox::new("baseline");
    std::fs::write(
        sandbox.workspace.join(".git/config"),
        "[remote \"origin\"]\n\turl = https://github.com/example/app.git\n",
    )
    .expect("origin");
    sandbox.register("claude-code", "olivia@example.com");
    sandbox.start("dev", "s1");
    let (decision, reason) = sandbox.hook("dev", "git push origin main");
    assert_eq!(decision, "ask", "{reason}");
    // The developer's "yes" happens inside the assistant, so the grant
    // waits for a confirmation from outside it.
    let grants = sandbox.stdout_of("dev", &["grants", "list"]);
    assert!(
        grants.contains("pending") && grants.contains("github.com") && grants.contains("ask"),
        "{grants}"
    );
    let id = credential_ids(&grants).remove(0);
    assert_ok(&sandbox.run("dev", &["grants", "confirm", &id], None));
    assert!(sandbox
        .stdout_of("dev", &["grants", "list"])
        .contains("live"));
    assert_fails(
        &sandbox.run("dev", &["grants", "confirm", &id], None),
        "not pending",
    );
    // The call finished: the grant closes.
    let post = json!({
        "session_id": "s1", "cwd": sandbox.workspace, "hook_event_name": "PostToolUse",
        "tool_name": "Bash", "tool_input": { "command": "git push origin main" },
        "tool_response": { "stdout": "" }, "tool_use_id": "t1",
    });
    assert_eq!(sandbox.event("dev", &post, &[], &[]), json!({}));
    assert!(sandbox
        .stdout_of("dev", &["grants", "list"])
        .trim()
        .is_empty());
    assert!(sandbox
        .stdout_of("dev", &["grants", "list", "--all"])
        .contains("closed"));
    // A routine command yields none.
    assert_eq!(sandbox.hook("dev", "git status").0, "allow");
    assert_eq!(
        credential_ids(&sandbox.stdout_of("dev", &["grants", "list", "--all"])).len(),
        1
    );
}

#[test]
fn a_pending_approval_can_be_waited_for_within_the_hooks_deadline() {
    let sandbox = Sandbox::new("production");
    sandbox.register("claude-code", "olivia@example.com");
    sandbox.set_config("wait_ms = 0", "wait_ms = 6000");
    sandbox.start("dev", "s1");
    let command = "kubectl --context prod-eu apply -f k8s/";
    std::thread::scope(|scope| {
        let approver = scope.spawn(|| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(8);
            while std::time::Instant::now() < deadline {
                let listing =
                    sandbox.stdout_of("alice", &["approvals", "list", "--status", "pending"]);
                if let Some(id) = listing.split_whitespace().find(|w| w.starts_with("apr-")) {
                    assert_ok(&sandbox.run("alice", &["approvals", "approve", id], None));
                    return true;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            false
        });
        let (decision, reason) =
            sandbox.hook_with("dev", command, json!({}), &["--timeout-ms", "9000"], &[]);
        assert!(approver.join().expect("approver"), "the request appeared");
        assert_eq!(decision, "allow", "{reason}");
        assert!(reason.contains("approved by alice"), "{reason}");
    });
    // The approval yielded a grant for the production action.
    let grants = sandbox.stdout_of("dev", &["grants", "list"]);
    assert!(grants.contains("approval:apr-"), "{grants}");
}

#[test]
fn offboarding_revokes_everything_and_removes_what_warden_installed() {
    let sandbox = Sandbox::new("baseline");
    sandbox.register("bot", "olivia@example.com");
    assert_ok(&sandbox.run("dev", &["install", "claude-code", "--agent", "bot"], None));
    let settings_path = sandbox.home.join(".claude/settings.json");
    let settings = std::fs::read_to_string(&settings_path).expect("settings written");
    assert!(
        settings.contains("hook claude-code --agent 'bot'"),
        "{settings}"
    );
    let start =
        json!({ "session_id": "s1", "cwd": sandbox.workspace, "hook_event_name": "SessionStart" });
    assert_eq!(
        sandbox.event("dev", &start, &["--agent", "bot"], &[]),
        json!({})
    );
    let (decision, _) = sandbox.hook_with(
        "dev",
        "git push origin main",
        json!({}),
        &["--agent", "bot"],
        &[],
    );
    assert_eq!(decision, "ask");
    assert!(sandbox
        .stdout_of("dev", &["grants", "list"])
        .contains("pending"));

    let out = sandbox.run(
        "dev",
        &["agent", "offboard", "bot", "--reason", "replaced"],
        None,
    );
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("removed warden's hook from"), "{text}");
    let settings = std::fs::read_to_string(&settings_path).expect("settings kept");
    assert!(!settings.contains("hook claude-code"), "{settings}");
    assert!(sandbox
        .stdout_of("dev", &["session", "list"])
        .contains("revoked"));
    let grants = sandbox.stdout_of("dev", &["grants", "list", "--all"]);
    assert!(
        grants.contains("revoked") && !grants.contains("live"),
        "{grants}"
    );
    // The running session's next call is denied, with why.
    let (decision, reason) =
        sandbox.hook_with("dev", "git status", json!({}), &["--agent", "bot"], &[]);
    assert_eq!(decision, "deny");
    assert!(reason.contains("agent offboarded: replaced"), "{reason}");
    let export = sandbox.stdout_of("dev", &["audit", "export"]);
    assert!(
        export.contains("\"credentials_revoked\":1") && export.contains("\"grants_revoked\":1"),
        "{export}"
    );
    assert_ok(&sandbox.run("dev", &["audit", "verify"], None));
}

#[test]
fn the_owner_report_lists_missing_and_inactive_owners() {
    let sandbox = Sandbox::new("baseline");
    sandbox.register("bot", "alice@example.com");
    // Nobody enrolled: only missing owners would be reported.
    assert_ok(&sandbox.run("dev", &["owner", "report"], None));
    assert_ok(&sandbox.run("dev", &["human", "enroll", "bob@example.com"], None));
    let out = sandbox.run("dev", &["owner", "report"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("not enrolled"));
    assert_ok(&sandbox.run("dev", &["human", "enroll", "alice@example.com"], None));
    assert_ok(&sandbox.run("dev", &["owner", "report"], None));
    assert_ok(&sandbox.run("dev", &["human", "deactivate", "alice@example.com"], None));
    let out = sandbox.run("dev", &["owner", "report", "--json"], None);
    assert_eq!(out.status.code(), Some(1));
    let findings: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(findings[0]["agent"], "bot");
    assert_eq!(findings[0]["problem"], "inactive human");
    assert_ok(&sandbox.run(
        "dev",
        &["owner", "transfer", "alice@example.com", "bob@example.com"],
        None,
    ));
    assert_ok(&sandbox.run("dev", &["owner", "report"], None));
}

#[test]
fn the_human_comes_from_the_configured_source() {
    let sandbox = Sandbox::new("baseline");
    sandbox.register("claude-code", "olivia@example.com");
    std::fs::write(
        sandbox.home.join(".gitconfig"),
        "[user]\n\temail = dana@example.com\n",
    )
    .expect("gitconfig");
    sandbox.set_config("human = \"os\"", "human = \"git\"");
    sandbox.start("dev", "s1");
    let listing = sandbox.stdout_of("dev", &["session", "list"]);
    assert!(listing.contains("dana@example.com"), "{listing}");
    let export = sandbox.stdout_of("dev", &["audit", "export"]);
    assert!(
        export.lines().any(
            |l| l.contains("\"session_start\"") && l.contains("\"human\":\"dana@example.com\"")
        ),
        "{export}"
    );

    // Enrolled: the OS user must be enrolled and active.
    sandbox.set_config("human = \"git\"", "human = \"enrolled\"");
    sandbox.start("dev", "s2");
    let (decision, reason) =
        sandbox.hook_with("dev", "git status", json!({ "session_id": "s2" }), &[], &[]);
    assert_eq!(decision, "deny", "{reason}");
    assert_ok(&sandbox.run("dev", &["human", "enroll", "dev"], None));
    sandbox.start("dev", "s3");
    assert_eq!(
        sandbox
            .hook_with("dev", "git status", json!({ "session_id": "s3" }), &[], &[])
            .0,
        "allow"
    );
}

#[test]
fn a_revocation_survives_restarts_of_the_session_and_its_subagents() {
    let sandbox = Sandbox::new("baseline");
    sandbox.register("claude-code", "olivia@example.com");
    sandbox.start("dev", "s1");
    let inside = json!({ "agent_id": "sub-1", "agent_type": "general-purpose" });
    assert_eq!(
        sandbox
            .hook_with("dev", "git status", inside.clone(), &[], &[])
            .0,
        "allow"
    );
    let listing = sandbox.stdout_of("dev", &["session", "list"]);
    let child = listing
        .lines()
        .find(|l| l.contains("subagent:general-purpose"))
        .and_then(|l| l.split_whitespace().next())
        .expect("the subagent's credential")
        .to_owned();
    // A revoked subagent credential is not derived again at its next call.
    assert_ok(&sandbox.run(
        "dev",
        &["session", "revoke", &child, "--reason", "runaway"],
        None,
    ));
    let (decision, reason) = sandbox.hook_with("dev", "git status", inside, &[], &[]);
    assert_eq!(decision, "deny", "{reason}");
    assert!(reason.contains("runaway"), "{reason}");
    // A revoked session credential is not re-issued by a resume.
    let parent = listing
        .lines()
        .find(|l| !l.contains("subagent"))
        .and_then(|l| l.split_whitespace().next())
        .expect("the session's credential")
        .to_owned();
    assert_ok(&sandbox.run(
        "dev",
        &["session", "revoke", &parent, "--reason", "stolen laptop"],
        None,
    ));
    sandbox.start("dev", "s1");
    let (decision, reason) = sandbox.hook("dev", "git status");
    assert_eq!(decision, "deny", "{reason}");
    assert!(
        reason.contains("stolen laptop") || reason.contains("no session credential"),
        "{reason}"
    );
    let export = sandbox.stdout_of("dev", &["audit", "export"]);
    assert!(
        export.contains("no new one is issued"),
        "the refusal is recorded"
    );
}
