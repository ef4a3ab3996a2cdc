//! `warden hook claude-code`: one hook event in, one answer out, fail closed.
//!
//! Claude Code proceeds on any exit status but 2, on a crash and on a
//! timeout, so every path that is not a deliberate answer ends here in
//! exit 2 with a one-line reason on stderr: a panic, a payload that does not
//! parse or is too large, a missing installation, an audit append that
//! failed, and a watchdog that fires before the hook's own deadline.
//!
//! The order is fixed: decide, record, then answer. A decision that was not
//! recorded is never given.

use crate::cli::HookArgs;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use warden_action::{Action, Decision, Effect, Who};
use warden_adapters::claude_hook::{self, Answer, HookEvent, HookPayload, MAX_PAYLOAD_BYTES};
use warden_classify::secrets;
use warden_engine::{Config, Engine};
use warden_policy::Validation;
use warden_store::{Layout, NewApproval, NewRecord, RecordKind, Store};

/// Longest summary kept in a record (prompts are the longest).
const MAX_SUMMARY_CHARS: usize = 4000;

/// Runs the hook. Never returns an error: failures are exit 2.
///
/// When warden's daemon is running, the payload is decided and recorded
/// there (policies already parsed, database already open); otherwise, or if
/// the daemon cannot be reached, it is decided here in the same way.
pub fn run(layout: &Layout, args: &HookArgs) -> ExitCode {
    // One deadline for the whole call: time spent trying the daemon counts
    // against the in-process decision, which must still finish before the
    // watchdog fires.
    let started = Instant::now();
    start_watchdog(Duration::from_millis(args.timeout_ms));
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<Answer, String> {
        let bytes = read_payload()?;
        if !args.no_daemon {
            match crate::client::ask(
                &layout.root,
                args.agent.as_deref(),
                &bytes,
                Duration::from_millis(args.timeout_ms),
            ) {
                Some(crate::client::Reply::Answer(stdout)) => return Ok(Answer { stdout }),
                Some(crate::client::Reply::Block(reason)) => return Err(reason),
                None => {}
            }
        }
        let state = HookState::open(layout)?;
        let budget = Duration::from_millis(args.timeout_ms).saturating_sub(started.elapsed());
        let caller = Caller::this_process(args.agent.clone(), budget);
        state.handle(&bytes, &caller)
    }));
    match outcome {
        Ok(Ok(answer)) => {
            let mut stdout = std::io::stdout().lock();
            if writeln!(stdout, "{}", answer.stdout)
                .and_then(|()| stdout.flush())
                .is_err()
            {
                return block("cannot write the answer");
            }
            ExitCode::SUCCESS
        }
        Ok(Err(reason)) => block(&reason),
        Err(_) => block("internal error in the hook"),
    }
}

/// Exit 2 with one line on stderr: Claude Code blocks and shows the reason.
fn block(reason: &str) -> ExitCode {
    let mut line = format!("warden: {}; denied to stay safe", secrets::redact(reason));
    line.retain(|c| c != '\n' && c != '\r');
    eprintln!("{line}");
    ExitCode::from(2)
}

/// Ends the process with exit 2 if the hook has not answered in time, so a
/// hang can never turn into Claude Code's "timeout means proceed".
fn start_watchdog(deadline: Duration) {
    let spawned = std::thread::Builder::new()
        .name("warden-watchdog".to_owned())
        .spawn(move || {
            std::thread::sleep(deadline);
            eprintln!(
                "warden: the hook did not finish within {} ms; denied to stay safe",
                deadline.as_millis()
            );
            std::process::exit(2);
        });
    // Without a watchdog thread the hook still runs; Claude Code's own
    // timeout remains, and everything else fails closed.
    let _ = spawned;
}

fn read_payload() -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_PAYLOAD_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the hook payload: {e}"))?;
    Ok(bytes)
}

fn user_home() -> Result<PathBuf, String> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| "HOME is not set".to_owned())
}

/// The human at the keyboard, as far as the environment says.
fn human() -> Option<String> {
    crate::registry::current_human()
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max).collect();
    cut.push('…');
    cut
}

/// A redacted one-line description of a tool call.
fn describe_call(tool: &str, input: &Value) -> String {
    let main = [
        "command",
        "file_path",
        "notebook_path",
        "url",
        "query",
        "pattern",
        "path",
        "prompt",
    ]
    .iter()
    .find_map(|k| input.get(*k).and_then(Value::as_str));
    let text = match main {
        Some(m) => format!("{tool}: {m}"),
        None => format!(
            "{tool}: {}",
            serde_json::to_string(input).unwrap_or_default()
        ),
    };
    truncate(&secrets::redact(&text), MAX_SUMMARY_CHARS)
}

/// Who is calling and by when the answer must be given. In the daemon
/// these come from the hook process, not from the daemon's own
/// environment.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The agent name given on the hook's command line.
    pub agent: Option<String>,
    /// The human ($USER of the hook process).
    pub human: Option<String>,
    /// When the hook gives up and blocks; nothing may be recorded as
    /// decided after it.
    pub deadline: Instant,
    /// The session credential in the hook process's environment
    /// ([`crate::session::CREDENTIAL_ENV`]), set when warden launched the
    /// assistant.
    pub credential: Option<String>,
}

impl Caller {
    /// The caller of this process.
    pub fn this_process(agent: Option<String>, budget: Duration) -> Caller {
        Caller {
            agent,
            human: human(),
            deadline: Instant::now() + budget,
            credential: std::env::var(crate::session::CREDENTIAL_ENV)
                .ok()
                .filter(|c| !c.trim().is_empty()),
        }
    }
}

/// How long an approval request stays open.
const APPROVAL_TTL: Duration = Duration::from_secs(15 * 60);

/// How often a waiting hook looks for a decision on its approval request.
const APPROVAL_POLL: Duration = Duration::from_millis(200);

/// The host of a git remote URL (`https://host/…`, `ssh://git@host/…` or
/// scp-like `git@host:…`).
fn remote_host(remote: &str) -> Option<String> {
    let rest = match remote.split_once("://") {
        Some((_, rest)) => rest,
        None => remote.split_once(':').map(|(h, _)| h)?,
    };
    let authority = rest.split('/').next()?;
    let host = authority.rsplit('@').next()?.split(':').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// A fingerprint of the exact action: agent, session, working directory,
/// tool and input (the input's JSON with sorted keys), so an approval
/// covers nothing else.
fn action_fingerprint(
    agent: &str,
    session: Option<&str>,
    cwd: &str,
    tool: &str,
    input: &Value,
) -> String {
    use sha2::{Digest, Sha256};
    let canonical = canonical_json(input);
    let mut hasher = Sha256::new();
    for part in [agent, session.unwrap_or(""), cwd, tool, canonical.as_str()] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

fn canonical_json(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let body: Vec<String> = keys
                .into_iter()
                .map(|k| {
                    format!(
                        "{}:{}",
                        Value::String(k.clone()),
                        map.get(k).map(canonical_json).unwrap_or_default()
                    )
                })
                .collect();
            format!("{{{}}}", body.join(","))
        }
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(canonical_json)
                .collect::<Vec<_>>()
                .join(",")
        ),
        other => other.to_string(),
    }
}

/// How often a resident process looks for changed policy files.
const STAMP_EVERY: Duration = Duration::from_millis(500);

/// Time kept back from the hook's deadline, so a record that lands is one
/// whose answer still reaches the assistant.
const DEADLINE_MARGIN: Duration = Duration::from_millis(300);

struct Context<'a> {
    payload: &'a HookPayload,
    agent: String,
    human: Option<String>,
    /// The session grants are issued to: the launcher's (`warden run`),
    /// whose proxy asks for them, else the assistant's own.
    grant_session: Option<String>,
}

impl Context<'_> {
    fn record(&self, kind: RecordKind) -> NewRecord {
        NewRecord {
            kind,
            session_id: self.payload.session_id.clone(),
            prompt_id: self.payload.prompt_id.clone(),
            tool_use_id: self.payload.tool_use_id.clone(),
            agent: Some(self.agent.clone()),
            human: self.human.clone(),
            tool: None,
            summary: String::new(),
            decision: None,
            policies: Vec::new(),
            reasons: Vec::new(),
            secret_in_output: false,
            detail: json!({
                "event": self.payload.event.name(),
                "dialect": self.payload.dialect.as_str(),
                "permission_mode": self.payload.permission_mode,
                "cwd": self.payload.cwd,
                "agent_id": self.payload.agent_id,
            }),
        }
    }

    fn who(&self) -> Who {
        Who {
            agent: self.agent.clone(),
            agent_kind: Some(self.payload.dialect.as_str().to_owned()),
            human: self.human.clone(),
            session_id: self.payload.session_id.clone(),
            prompt_id: self.payload.prompt_id.clone(),
            tool_use_id: self.payload.tool_use_id.clone(),
            registry: None,
            credential: warden_action::CredentialState::NotChecked,
        }
    }
}

/// What deciding and recording a hook event needs: the layout, the open
/// audit log, the signing key, and the engine (loaded on first use in a
/// hook process, kept and reloaded on change in the daemon).
pub struct HookState {
    layout: Layout,
    store: Mutex<Store>,
    key: Option<warden_store::ed25519_dalek::SigningKey>,
    /// The public half of `key`, which session credentials verify against.
    verifying_key: Option<warden_store::ed25519_dalek::VerifyingKey>,
    engine: Mutex<Option<Loaded>>,
    /// When each agent's last use was last written.
    touched: Mutex<std::collections::HashMap<String, Instant>>,
    /// Session credentials whose signatures already verified.
    verified: crate::session::VerifiedCache,
    /// Working directory → repository, with when it was found.
    repos: Mutex<std::collections::HashMap<String, (Instant, Option<String>)>>,
}

/// How long a working directory's repository is remembered.
const REPO_CACHE: Duration = Duration::from_secs(2);

/// The engine and configuration as loaded: when the files were last
/// checked, what they were, and what was built from them.
type Loaded = (Instant, PolicyStamp, Arc<Engine>, Arc<Config>);

/// What the loaded policies were read from: each file's name, size and
/// modification time, so a change is noticed and the engine reloaded.
type PolicyStamp = Vec<(String, u64, Option<std::time::SystemTime>, u64, i64, i64)>;

fn policy_stamp(layout: &Layout) -> PolicyStamp {
    let mut stamp: PolicyStamp = Vec::new();
    let mut add = |path: &std::path::Path| {
        if let Ok(meta) = std::fs::metadata(path) {
            use std::os::unix::fs::MetadataExt;
            // Inode and ctime too: a same-size edit copied in with its old
            // mtime (`cp -p`, `rsync -t`) still changes them.
            stamp.push((
                path.to_string_lossy().into_owned(),
                meta.len(),
                meta.modified().ok(),
                meta.ino(),
                meta.ctime(),
                meta.ctime_nsec(),
            ));
        }
    };
    add(&layout.config());
    if let Ok(entries) = std::fs::read_dir(layout.policies()) {
        let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            add(&path);
        }
    }
    stamp
}

impl HookState {
    /// Opens the audit log and the key; the engine loads on first use.
    pub fn open(layout: &Layout) -> Result<HookState, String> {
        Config::load(&layout.config()).map_err(|e| format!("{e}"))?;
        let store = Store::open(&layout.database())
            .map_err(|e| format!("cannot open the audit log: {e}"))?;
        let key = warden_store::load_signing_key(layout).ok();
        let store = match &key {
            Some(key) => store.with_signing_key(key.clone()),
            None => store,
        };
        Ok(HookState {
            layout: layout.clone(),
            store: Mutex::new(store),
            verifying_key: key.as_ref().map(|k| k.verifying_key()),
            key,
            engine: Mutex::new(None),
            touched: Mutex::new(std::collections::HashMap::new()),
            verified: crate::session::VerifiedCache::default(),
            repos: Mutex::new(std::collections::HashMap::new()),
        })
    }

    /// The engine and configuration for the current files, reloading them
    /// when they changed.
    fn engine(&self) -> Result<(Arc<Engine>, Arc<Config>), String> {
        let mut slot = self.engine.lock().unwrap_or_else(|p| p.into_inner());
        // Policy files are checked at most every STAMP_EVERY: a changed
        // policy takes effect within that time, and calls in between skip
        // the directory scan.
        if let Some((checked, _, engine, config)) = slot.as_ref() {
            if checked.elapsed() < STAMP_EVERY {
                return Ok((Arc::clone(engine), Arc::clone(config)));
            }
        }
        let stamp = policy_stamp(&self.layout);
        if let Some((checked, loaded, engine, config)) = slot.as_mut() {
            if *loaded == stamp {
                *checked = Instant::now();
                return Ok((Arc::clone(engine), Arc::clone(config)));
            }
        }
        let config = Arc::new(Config::load(&self.layout.config()).map_err(|e| format!("{e}"))?);
        let engine = Arc::new(
            Engine::load(&self.layout.root, user_home()?, Validation::Skip)
                .map_err(|e| format!("{e}"))?,
        );
        *slot = Some((
            Instant::now(),
            stamp,
            Arc::clone(&engine),
            Arc::clone(&config),
        ));
        Ok((engine, config))
    }

    /// Appends a record, redacted throughout, unless the caller's deadline
    /// has (nearly) passed: waiting for the database is bounded by it, so
    /// no decision is recorded after the hook gave up and blocked.
    fn append(&self, mut record: NewRecord, deadline: Instant) -> Result<(), String> {
        redact_record(&mut record);
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let remaining = deadline
            .checked_duration_since(Instant::now())
            .and_then(|left| left.checked_sub(DEADLINE_MARGIN))
            .filter(|left| !left.is_zero())
            .ok_or_else(|| {
                "no time left to record the event before the hook's deadline".to_owned()
            })?;
        store
            .connection()
            .busy_timeout(remaining)
            .map_err(|e| format!("cannot bound the audit log's lock wait: {e}"))?;
        store
            .append_signed(&record, self.key.as_ref())
            .map(|_| ())
            .map_err(|e| format!("cannot record the event in the audit log: {e}"))
    }

    fn checkpoint(&self) -> Result<(), String> {
        if let Some(key) = &self.key {
            let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            store
                .checkpoint(key)
                .map_err(|e| format!("cannot checkpoint the audit log: {e}"))?;
        }
        Ok(())
    }

    /// An `approve` decision: a matching approval given by a second person
    /// allows the action once; otherwise a request is created (or found)
    /// and, after waiting for it as long as configured, the action stays
    /// denied with its id. Returns the decision and the approval used.
    #[allow(clippy::too_many_arguments)]
    fn approval(
        &self,
        engine: &Engine,
        config: &Config,
        ctx: &Context<'_>,
        tool_name: &str,
        tool_input: &Value,
        decision: Decision,
        caller: &Caller,
        requester: Option<String>,
    ) -> Result<(Decision, Option<String>), String> {
        let fingerprint = action_fingerprint(
            &ctx.agent,
            ctx.payload.session_id.as_deref(),
            &ctx.payload.cwd,
            tool_name,
            tool_input,
        );
        let approved = |used: warden_store::Approval, decision: &Decision| {
            let id = used.id.clone();
            (
                Decision {
                    effect: Effect::Allow,
                    policies: vec![format!("warden.approval:{}", used.id)],
                    reasons: vec![format!(
                        "approved by {} ({}); {}",
                        used.approver.as_deref().unwrap_or("?"),
                        used.id,
                        decision.reason_line()
                    )],
                },
                Some(id),
            )
        };
        let consume = || {
            let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            store
                .consume_approval(&fingerprint)
                .map_err(|e| format!("cannot check approvals: {e}"))
        };
        if let Some(used) = consume()? {
            return Ok(approved(used, &decision));
        }
        // Segregation of duties needs a requester to compare the approver
        // with; without one, nobody may approve.
        if requester.as_deref().is_none_or(|h| h.trim().is_empty()) {
            let mut decision = decision;
            decision.reasons.push(
                "no approval can be requested: the session's human is unknown (set WARDEN_HUMAN or USER)".to_owned(),
            );
            return Ok((decision, None));
        }
        let owner_must_differ = engine.policy().approver_must_not_be_owner(&decision);
        let request = {
            let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            store
                .request_approval(&NewApproval {
                    fingerprint: fingerprint.clone(),
                    agent: ctx.agent.clone(),
                    session_id: ctx.payload.session_id.clone(),
                    requester: requester.clone(),
                    // The approver sees the whole input and where it runs.
                    summary: truncate(
                        &secrets::redact(&format!(
                            "{tool_name} {} in {}",
                            canonical_json(tool_input),
                            ctx.payload.cwd
                        )),
                        MAX_SUMMARY_CHARS,
                    ),
                    policies: decision.policies.clone(),
                    reasons: decision
                        .reasons
                        .iter()
                        .map(|r| secrets::redact(r))
                        .collect(),
                    ttl: APPROVAL_TTL,
                    uses: 1,
                    owner_must_differ,
                })
                .map_err(|e| format!("cannot create the approval request: {e}"))?
        };
        // Wait, bounded by the configuration and by the hook's own
        // deadline (less the time the answer and its record need), with
        // the store unlocked in between so other calls proceed.
        let wait = Duration::from_millis(config.approvals.wait_ms);
        let until = (Instant::now() + wait).min(
            caller
                .deadline
                .checked_sub(DEADLINE_MARGIN * 2)
                .unwrap_or_else(Instant::now),
        );
        while Instant::now() < until {
            std::thread::sleep(APPROVAL_POLL.min(until.saturating_duration_since(Instant::now())));
            if let Some(used) = consume()? {
                return Ok(approved(used, &decision));
            }
        }
        let mut decision = decision;
        decision.reasons.push(format!(
            "approval request {} is {}; a second person runs `warden approvals approve {}`, then the same action is allowed once",
            request.id,
            request.status.as_str(),
            request.id
        ));
        Ok((decision, None))
    }

    /// Classifies and decides one tool call, with the session credential
    /// checked first.
    #[allow(clippy::too_many_arguments)]
    fn decide(
        &self,
        engine: &Engine,
        config: &Config,
        ctx: &Context<'_>,
        caller: &Caller,
        registry: Option<warden_action::AgentFacts>,
        tool_name: &str,
        tool_input: &Value,
    ) -> (Option<Action>, Decision) {
        let payload = ctx.payload;
        let what = match claude_hook::tool_call_to_what(
            payload.dialect,
            tool_name,
            tool_input,
            &payload.cwd,
        ) {
            Ok(what) => what,
            Err(error) => {
                return (
                    None,
                    Decision::fail_closed(format!("cannot understand the tool call: {error}")),
                )
            }
        };
        let mut who = ctx.who();
        who.registry = registry;
        who.credential = self.credential_state(config, ctx, caller, what.kind.as_str());
        let mut action = Action::new(who, what);
        let decision = engine.decide(&mut action);
        (Some(action), decision)
    }

    /// The repository of a working directory, remembered for a moment: a
    /// session asks for the same directory at every call, and finding the
    /// git root reads several files.
    fn repo_of(&self, cwd: &str) -> Option<String> {
        let mut repos = self.repos.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, repo)) = repos.get(cwd) {
            if at.elapsed() < REPO_CACHE {
                return repo.clone();
            }
        }
        let repo = crate::session::repo_of(std::path::Path::new(cwd));
        if repos.len() > 256 {
            repos.clear();
        }
        repos.insert(cwd.to_owned(), (Instant::now(), repo.clone()));
        repo
    }

    /// Checks the credential presented for this call.
    fn credential_state(
        &self,
        config: &Config,
        ctx: &Context<'_>,
        caller: &Caller,
        kind: &str,
    ) -> warden_action::CredentialState {
        use warden_action::CredentialState;
        let payload = ctx.payload;
        let (token, source) =
            match self.token_for(config, payload, caller, payload.agent_type.as_deref()) {
                Ok(found) => found,
                Err(reason) => return CredentialState::Invalid { reason },
            };
        if token.is_none() && !config.credentials.required {
            return CredentialState::NotChecked;
        }
        let repo = self.repo_of(&payload.cwd);
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let state = crate::session::check(
            &store,
            self.verifying_key.as_ref(),
            &self.verified,
            &crate::session::Presented {
                token: token.as_deref(),
                source,
                expected: warden_identity::Expected {
                    agent: &ctx.agent,
                    repo: repo.as_deref(),
                    cwd: &payload.cwd,
                    kind,
                    now: Store::unix_now(),
                },
            },
        );
        state
    }

    /// The credential for this payload: the one in the hook's environment,
    /// else the one warden holds for the session; inside a subagent, the
    /// subagent's, derived from its parent's on first use.
    fn token_for(
        &self,
        config: &Config,
        payload: &HookPayload,
        caller: &Caller,
        subagent_type: Option<&str>,
    ) -> Result<(Option<String>, &'static str), String> {
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let held = |subagent: Option<&str>| -> Result<Option<String>, String> {
            match &payload.session_id {
                Some(session) => store
                    .held_credential(session, subagent)
                    .map(|c| c.and_then(|c| c.token))
                    .map_err(|e| format!("cannot read the session's credential: {e}")),
                None => Ok(None),
            }
        };
        let parent = match &caller.credential {
            Some(token) => Some((token.clone(), "environment")),
            None => held(None)?.map(|t| (t, "session")),
        };
        let (Some(subagent), Some((parent, source))) = (&payload.agent_id, &parent) else {
            return Ok(match parent {
                Some((token, source)) => (Some(token), source),
                None => (None, "session"),
            });
        };
        if let Some(token) = held(Some(subagent))? {
            return Ok((Some(token), "subagent"));
        }
        let issuer = self
            .verifying_key
            .as_ref()
            .ok_or("warden's signing key is missing")?;
        let parent = warden_identity::Credential::decode(parent)
            .map_err(|e| format!("the {source} credential is invalid: {e}"))?;
        let held_session = payload
            .session_id
            .as_deref()
            .ok_or("a subagent call without a session id")?;
        let (child, _) = crate::session::derive_subagent(
            &store,
            issuer,
            config,
            &parent,
            held_session,
            subagent,
            subagent_type,
        )?;
        Ok((Some(child.encode()), "subagent"))
    }

    /// Mints the session's credential (or adopts the one warden launched
    /// it with). Returns a note for the record, the session's human and
    /// details. A failure is recorded, never fatal: SessionStart cannot
    /// block, and the session's calls are then denied for want of a
    /// credential.
    fn start_session(
        &self,
        ctx: &Context<'_>,
        caller: &Caller,
        launched: Option<&warden_identity::Verified>,
    ) -> (String, Option<String>, serde_json::Map<String, Value>) {
        let mut detail = serde_json::Map::new();
        if let Some(token) = &caller.credential {
            return match launched {
                Some(v) => {
                    detail.insert("credential".into(), json!(v.id()));
                    (
                        format!(
                            "credential {} from the launcher, expires in {} s",
                            v.id(),
                            v.expires_at - Store::unix_now()
                        ),
                        Some(v.root.human.clone()),
                        detail,
                    )
                }
                None => {
                    let _ = token; // present but not valid: see credential_state
                    detail.insert(
                        "credential_error".into(),
                        json!("invalid launcher credential"),
                    );
                    (
                        "the launcher's credential is invalid; every call will be denied".into(),
                        None,
                        detail,
                    )
                }
            };
        }
        let Some(session) = ctx.payload.session_id.as_deref() else {
            return ("no session id, so no credential".into(), None, detail);
        };
        let outcome = (|| -> Result<(warden_store::CredentialRecord, String), String> {
            let config = Config::load(&self.layout.config()).map_err(|e| format!("{e}"))?;
            let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            let cwd = std::path::PathBuf::from(&ctx.payload.cwd);
            // A revocation by a person outlives the session's restarts
            // (resume, clear, compaction): no new credential is issued.
            if let Some((by, why)) = store
                .session_revoked_by_someone(session)
                .map_err(|e| format!("cannot read the session's credentials: {e}"))?
            {
                return Err(format!(
                    "the session's credential was revoked by {by} ({why}); no new one is issued"
                ));
            }
            let human =
                crate::session::resolve_human(&config, &store, caller.human.as_deref(), &cwd)?;
            let (_, record) = crate::session::mint(
                &store,
                self.key.as_ref(),
                &config,
                &crate::session::SessionRequest {
                    agent: &ctx.agent,
                    human: &human,
                    session,
                    cwd: &cwd,
                    task: None,
                    held: true,
                },
            )?;
            Ok((record, human))
        })();
        match outcome {
            Ok((record, human)) => {
                detail.insert("credential".into(), json!(record.id));
                (
                    format!(
                        "credential {} issued to {} for {human}, expires {}",
                        record.id, ctx.agent, record.expires_at
                    ),
                    Some(human),
                    detail,
                )
            }
            Err(reason) => {
                detail.insert("credential_error".into(), json!(reason));
                (format!("no credential: {reason}"), None, detail)
            }
        }
    }

    /// Issues the grant an `ask` or an approval yields for a remote write
    /// or deploy: scoped to this session, tool call, classes and hosts.
    fn issue_grant(
        &self,
        config: &Config,
        ctx: &Context<'_>,
        action: &Action,
        tool_name: &str,
        tool_input: &Value,
        source: String,
    ) -> Result<(), String> {
        // Only a valid credential yields a grant, and the grant goes to the
        // session that credential was issued for (the launcher's under
        // `warden run`), never to a session id the payload merely names.
        let warden_action::CredentialState::Valid { id, .. } = &action.who.credential else {
            return Ok(());
        };
        let credential = Some(id.clone());
        let session = {
            let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            store
                .credential(id)
                .map_err(|e| format!("cannot read the credential: {e}"))?
                .map(|c| c.session_id)
        };
        let tool = action.what.mcp.as_ref().map(|target| target.server.clone());
        let mut hosts: Vec<String> = action
            .context
            .destinations
            .iter()
            .map(|d| d.host.clone())
            .collect();
        if let Some(remote) = &action.context.workspace.remote {
            if let Some(host) = remote_host(remote) {
                hosts.push(host);
            }
        }
        hosts.sort();
        hosts.dedup();
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        store
            .issue_grant(&warden_store::NewGrant {
                agent: ctx.agent.clone(),
                session_id: session,
                credential,
                tool_use_id: ctx.payload.tool_use_id.clone(),
                source,
                tool,
                kind: action.what.kind.as_str().to_owned(),
                classes: action
                    .context
                    .classes
                    .iter()
                    .map(|c| c.as_str().to_owned())
                    .collect(),
                hosts,
                summary: describe_call(tool_name, tool_input),
                ttl: Duration::from_secs(u64::from(config.grants.ttl_seconds.max(1))),
            })
            .map(|_| ())
            .map_err(|e| format!("cannot issue the grant: {e}"))
    }

    /// Closes the grants that covered a tool call once it finished.
    fn close_grants(&self, ctx: &Context<'_>) -> Result<(), String> {
        if let (Some(session), Some(tool_use)) = (&ctx.grant_session, &ctx.payload.tool_use_id) {
            let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            store
                .close_grants(session, tool_use)
                .map_err(|e| format!("cannot close the call's grants: {e}"))?;
        }
        Ok(())
    }

    /// Whether the agent's last-use time should be written now.
    fn due_for_touch(&self, agent: &str) -> bool {
        let mut touched = self.touched.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        match touched.get(agent) {
            Some(at) if now.duration_since(*at) < Duration::from_secs(60) => false,
            _ => {
                touched.insert(agent.to_owned(), now);
                true
            }
        }
    }

    /// Decides and records one hook payload, returning the answer.
    pub fn handle(&self, bytes: &[u8], caller: &Caller) -> Result<Answer, String> {
        let payload = claude_hook::parse_payload(bytes).map_err(|e| e.to_string())?;
        {
            // Every database wait in this call (registry, approvals, the
            // record) ends before this caller's deadline.
            let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            let wait = caller
                .deadline
                .checked_duration_since(Instant::now())
                .and_then(|left| left.checked_sub(DEADLINE_MARGIN))
                .ok_or_else(|| "no time left before the hook's deadline".to_owned())?;
            store
                .connection()
                .busy_timeout(wait)
                .map_err(|e| format!("cannot bound the database's lock wait: {e}"))?;
        }
        // A credential warden handed to the assistant names the identity
        // it was issued to; a hook without --agent acts as that identity.
        let launched = caller.credential.as_deref().and_then(|token| {
            self.verified
                .verify(token, self.verifying_key.as_ref()?)
                .ok()
        });
        let agent = caller
            .agent
            .clone()
            .or_else(|| launched.as_ref().map(|v| v.root.agent.clone()))
            .unwrap_or_else(|| match payload.dialect {
                claude_hook::Dialect::ClaudeCode => "claude-code".to_owned(),
                claude_hook::Dialect::VsCodeCopilot => "vscode-copilot".to_owned(),
            });
        let ctx = Context {
            payload: &payload,
            grant_session: launched
                .as_ref()
                .map(|v| v.root.session.clone())
                .or_else(|| payload.session_id.clone()),
            agent,
            human: launched
                .as_ref()
                .map(|v| v.root.human.clone())
                .or_else(|| caller.human.clone()),
        };
        let append = |record: NewRecord| self.append(record, caller.deadline);
        match &payload.event {
            HookEvent::PreToolUse {
                tool_name,
                tool_input,
            }
            | HookEvent::PermissionRequest {
                tool_name,
                tool_input,
            } => {
                let (engine, config) = self.engine()?;
                let registry = {
                    let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
                    let facts = crate::registry::facts(&store, &ctx.agent)?;
                    if facts.is_some() && self.due_for_touch(&ctx.agent) {
                        // Last use, at most once a minute per process: a
                        // write per decision would cost more than deciding.
                        // Losing it is not worth blocking for.
                        let _ = store.touch_agent(&ctx.agent);
                    }
                    facts
                };
                let (action, decision) = self.decide(
                    &engine, &config, &ctx, caller, registry, tool_name, tool_input,
                );
                let needs_grant = engine.policy().requires_grant(&decision);
                let (decision, approval) = if decision.effect == Effect::Approve {
                    // The requester segregation of duties compares against
                    // is the human the session's credential was issued to.
                    let requester = match action.as_ref().map(|a| &a.who.credential) {
                        Some(warden_action::CredentialState::Valid { id, .. }) => {
                            let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
                            store.credential(id).ok().flatten().map(|c| c.human)
                        }
                        _ => None,
                    }
                    .or_else(|| ctx.human.clone());
                    self.approval(
                        &engine, &config, &ctx, tool_name, tool_input, decision, caller, requester,
                    )?
                } else {
                    (decision, None)
                };
                let mut record = ctx.record(RecordKind::Decision);
                record.tool = Some(tool_name.clone());
                record.summary = describe_call(tool_name, tool_input);
                record.decision = Some(decision.effect.as_str().to_owned());
                record.policies = decision.policies.clone();
                record.reasons = decision
                    .reasons
                    .iter()
                    .map(|r| secrets::redact(r))
                    .collect();
                if let (Some(action), Value::Object(detail)) = (&action, &mut record.detail) {
                    let classes: Vec<&str> =
                        action.context.classes.iter().map(|c| c.as_str()).collect();
                    detail.insert("classes".into(), json!(classes));
                    detail.insert("production".into(), json!(action.context.production));
                }
                append(record)?;
                // The grant follows the recorded decision: a decision
                // that could not be recorded leaves no grant behind.
                if let (true, Some(action)) = (needs_grant, &action) {
                    let source = match (&approval, decision.effect) {
                        (Some(id), Effect::Allow) => Some(format!("approval:{id}")),
                        (None, Effect::Ask) => Some("ask".to_owned()),
                        _ => None,
                    };
                    if let Some(source) = source {
                        self.issue_grant(&config, &ctx, action, tool_name, tool_input, source)?;
                    }
                }
                Ok(match payload.event {
                    HookEvent::PreToolUse { .. } => claude_hook::pre_tool_use_answer(&decision),
                    _ => claude_hook::permission_request_answer(&decision),
                })
            }
            HookEvent::UserPromptSubmit { prompt } => {
                let findings = secrets::find_secrets(prompt);
                let mut record = ctx.record(RecordKind::Prompt);
                record.summary = truncate(&secrets::redact(prompt), MAX_SUMMARY_CHARS);
                if findings.is_empty() {
                    append(record)?;
                    return Ok(claude_hook::neutral_answer());
                }
                let labels: Vec<String> = findings
                    .iter()
                    .map(|m| secrets::describe(m, prompt))
                    .collect();
                let reason = format!(
                "warden [warden.secret_in_prompt]: the prompt contains a secret ({}); it was not sent to the model",
                labels.join(", ")
            );
                record.decision = Some(Effect::Deny.as_str().to_owned());
                record.policies = vec!["warden.secret_in_prompt".to_owned()];
                record.reasons = vec![reason.clone()];
                append(record)?;
                Ok(claude_hook::block_prompt_answer(&reason))
            }
            HookEvent::PostToolUse {
                tool_name,
                tool_input,
                tool_response,
            } => {
                let output = match tool_response {
                    Value::String(s) => s.clone(),
                    other => serde_json::to_string(other).unwrap_or_default(),
                };
                self.close_grants(&ctx)?;
                let findings = secrets::find_secrets(&output);
                let mut record = ctx.record(RecordKind::Result);
                record.tool = Some(tool_name.clone());
                record.summary = format!(
                    "{} -> {} bytes of output",
                    describe_call(tool_name, tool_input),
                    output.len()
                );
                let mut answer = claude_hook::neutral_answer();
                if !findings.is_empty() {
                    let labels: Vec<String> = findings
                        .iter()
                        .map(|m| secrets::describe(m, &output))
                        .collect();
                    record.secret_in_output = true;
                    record.reasons = vec![format!(
                        "a secret reached the model's context: {}",
                        labels.join(", ")
                    )];
                    answer = Answer {
                        stdout: json!({
                            "systemMessage": format!(
                                "warden: the output of {tool_name} contained a secret ({}) and reached the model's context; rotate it",
                                labels.join(", ")
                            )
                        }),
                    };
                }
                append(record)?;
                Ok(answer)
            }
            HookEvent::PostToolUseFailure {
                tool_name,
                tool_input,
                error,
            } => {
                self.close_grants(&ctx)?;
                let mut record = ctx.record(RecordKind::Result);
                record.tool = Some(tool_name.clone());
                let error_text = match error {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                record.summary = truncate(
                    &secrets::redact(&format!(
                        "{} failed: {error_text}",
                        describe_call(tool_name, tool_input)
                    )),
                    MAX_SUMMARY_CHARS,
                );
                append(record)?;
                Ok(claude_hook::neutral_answer())
            }
            HookEvent::SessionStart { source } => {
                let mut record = ctx.record(RecordKind::SessionStart);
                record.summary = format!(
                    "session started ({})",
                    source.as_deref().unwrap_or("startup")
                );
                let (note, human, detail) = self.start_session(&ctx, caller, launched.as_ref());
                record.summary.push_str("; ");
                record.summary.push_str(&note);
                record.human = human.or(record.human);
                if let Value::Object(map) = &mut record.detail {
                    map.extend(detail);
                }
                append(record)?;
                Ok(claude_hook::neutral_answer())
            }
            HookEvent::SessionEnd { reason } => {
                let mut record = ctx.record(RecordKind::SessionEnd);
                record.summary =
                    format!("session ended ({})", reason.as_deref().unwrap_or("other"));
                append(record)?;
                if let Some(session) = &payload.session_id {
                    // The credentials warden held for the session end with
                    // it; a resumed session gets a new one.
                    let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
                    store
                        .end_session_credentials(session)
                        .map_err(|e| format!("cannot revoke the session's credentials: {e}"))?;
                }
                // A checkpoint at the end of every session bounds what a
                // truncation could hide.
                self.checkpoint()?;
                Ok(claude_hook::neutral_answer())
            }
            HookEvent::SubagentStart { agent_type } | HookEvent::SubagentStop { agent_type } => {
                let kind = if matches!(payload.event, HookEvent::SubagentStart { .. }) {
                    RecordKind::SubagentStart
                } else {
                    RecordKind::SubagentStop
                };
                let mut record = ctx.record(kind);
                record.summary = format!("subagent {}", agent_type.as_deref().unwrap_or("unknown"));
                if kind == RecordKind::SubagentStart && payload.agent_id.is_some() {
                    // The subagent's narrower credential is derived now;
                    // failing to is recorded, and its calls are denied.
                    let config = Config::load(&self.layout.config()).map_err(|e| format!("{e}"))?;
                    match self.token_for(&config, &payload, caller, agent_type.as_deref()) {
                        Ok((Some(token), _)) => {
                            if let Some(key) = &self.verifying_key {
                                if let Ok(v) = self.verified.verify(&token, key) {
                                    record.summary.push_str(&format!(
                                        "; credential {} derived ({})",
                                        v.id(),
                                        v.kinds.as_ref().map_or("every kind".to_owned(), |k| {
                                            k.iter().cloned().collect::<Vec<_>>().join(", ")
                                        })
                                    ));
                                }
                            }
                        }
                        Ok((None, _)) => record.summary.push_str("; no parent credential"),
                        Err(e) => record.summary.push_str(&format!("; no credential: {e}")),
                    }
                }
                append(record)?;
                Ok(claude_hook::neutral_answer())
            }
            HookEvent::Stop => {
                let mut record = ctx.record(RecordKind::Stop);
                record.summary = "the turn ended".to_owned();
                append(record)?;
                Ok(claude_hook::neutral_answer())
            }
            HookEvent::Other { name } => {
                let mut record = ctx.record(RecordKind::Event);
                record.summary = format!("event {name}");
                append(record)?;
                Ok(claude_hook::neutral_answer())
            }
        }
    }
}

/// Every string of a record passes the secret detector before it is
/// stored: ids, tool names and event fields come from the payload too.
fn redact_record(record: &mut NewRecord) {
    let redact_opt = |field: &mut Option<String>| {
        if let Some(text) = field.as_mut() {
            *text = secrets::redact(text);
        }
    };
    redact_opt(&mut record.session_id);
    redact_opt(&mut record.prompt_id);
    redact_opt(&mut record.tool_use_id);
    redact_opt(&mut record.agent);
    redact_opt(&mut record.human);
    redact_opt(&mut record.tool);
    redact_opt(&mut record.decision);
    record.summary = secrets::redact(&record.summary);
    for reason in &mut record.reasons {
        *reason = secrets::redact(reason);
    }
    redact_json(&mut record.detail);
}

fn redact_json(value: &mut Value) {
    match value {
        Value::String(text) => *text = secrets::redact(text),
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        Value::Object(map) => map.values_mut().for_each(redact_json),
        _ => {}
    }
}
