//! `warden scan` and `warden report`: what is on this endpoint, and which
//! controls warden provides here, with live evidence.
//!
//! `warden scan` needs no set-up: without an initialized state directory it
//! reports every assistant as unregistered. `warden report` reads the
//! registry and the audit trail when there is one; a key it cannot measure
//! is reported as not measured, never guessed.

use crate::cli::{ReportArgs, ScanArgs};
use anyhow::Context as _;
use rusqlite::OptionalExtension as _;
use std::path::PathBuf;
use std::process::ExitCode;
use warden_report::{keys, Evidence, Metric};
use warden_store::{Layout, Store};

/// The window of the report's activity figures.
const WINDOW_DAYS: i64 = 30;

fn user_home(args_home: Option<&PathBuf>) -> anyhow::Result<PathBuf> {
    match args_home {
        Some(home) => Ok(home.clone()),
        None => std::env::var_os("HOME")
            .map(PathBuf::from)
            .context("HOME is not set (or give --home-dir)"),
    }
}

/// The store, when warden is initialized here (a scan works without one).
fn open_store(layout: &Layout) -> Option<Store> {
    if !layout.database().exists() {
        return None;
    }
    crate::registry::open(layout).ok()
}

/// Scans, then fills in what the registry knows.
fn scan_with_registry(
    layout: &Layout,
    home: PathBuf,
    paths: &[PathBuf],
) -> (warden_scan::ScanReport, Option<Store>) {
    let mut options = warden_scan::ScanOptions::new(home);
    options.paths = paths.to_vec();
    options.path_env = std::env::var_os("PATH");
    options.env = std::env::vars()
        .filter(|(name, _)| name == "SSH_AUTH_SOCK" || name == "KUBECONFIG")
        .collect();
    options.system_root = Some(PathBuf::from("/"));
    let mut report = warden_scan::scan(&options);
    let store = open_store(layout);
    let agents = store
        .as_ref()
        .and_then(|s| s.agents().ok())
        .unwrap_or_default();
    for assistant in &mut report.assistants {
        let kind = assistant.kind.registry_kind();
        assistant.governed.registered = Some(
            agents
                .iter()
                .any(|a| a.kind.as_str() == kind && a.state == warden_store::AgentState::Active),
        );
    }
    warden_scan::reassess(&mut report);
    (report, store)
}

/// Runs `warden scan`.
pub fn scan(layout: &Layout, args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let home = user_home(args.home_dir.as_ref())?;
    let (report, _) = scan_with_registry(layout, home, &args.path);
    let text = match args.format.as_str() {
        "json" => serde_json::to_string_pretty(&warden_scan::to_json(&report))?,
        "sarif" => serde_json::to_string_pretty(&warden_scan::to_sarif(&report))?,
        _ => warden_scan::render_table(&report),
    };
    // The renderers never include a secret's value; redact anyway, as
    // everything warden prints is.
    println!("{}", warden_classify::secrets::redact(&text));
    Ok(ExitCode::SUCCESS)
}

/// Counts rows of a query with one parameter (the window's start).
fn count(store: &Store, sql: &str, since: &str) -> Option<u64> {
    store
        .connection()
        .query_row(sql, [since], |row| row.get::<_, i64>(0))
        .optional()
        .ok()
        .flatten()
        .and_then(|n| u64::try_from(n).ok())
}

/// Runs `warden report`.
pub fn report(layout: &Layout, args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let format =
        warden_report::Format::parse(&args.format).map_err(|e| anyhow::anyhow!("--format: {e}"))?;
    let filter = warden_report::parse_filter(&args.framework)
        .map_err(|e| anyhow::anyhow!("--framework: {e}"))?;
    let home = user_home(args.home_dir.as_ref())?;
    let (scan, store) = scan_with_registry(layout, home.clone(), &args.path);
    let now = std::time::SystemTime::now();
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "this host".to_owned());
    let mut evidence = Evidence::new(warden_store::format_rfc3339(now), host);

    // What the scan found.
    let total = scan.assistants.len() as u64;
    let shadow = scan
        .assistants
        .iter()
        .filter(|a| a.governed.status() == "shadow")
        .count() as u64;
    let registered = scan
        .assistants
        .iter()
        .filter(|a| a.governed.registered == Some(true))
        .count() as u64;
    let hooked = scan
        .assistants
        .iter()
        .filter(|a| a.hooks.warden_installed)
        .count() as u64;
    let fail_closed = scan
        .assistants
        .iter()
        .filter(|a| a.hooks.warden_installed && a.hooks.fails_closed)
        .count() as u64;
    let bypass = scan.assistants.iter().filter(|a| a.bypass).count() as u64;
    let tools: u64 = scan
        .assistants
        .iter()
        .map(|a| a.mcp_servers.len() as u64)
        .sum();
    let long_lived = scan.credentials.iter().filter(|c| c.long_lived).count() as u64;
    evidence
        .insert(
            keys::ASSISTANTS_TOTAL,
            Metric::count(total, "assistants found"),
        )
        .insert(
            keys::ASSISTANTS_SHADOW,
            Metric::none_of(
                shadow,
                total,
                "assistants are shadow (no hook, no registry entry, no sandbox)",
            ),
        )
        .insert(
            keys::ASSISTANTS_REGISTERED_WITH_OWNER,
            Metric::share(registered, total, "assistants registered with an owner"),
        )
        .insert(
            keys::ASSISTANTS_HOOK_INSTALLED,
            Metric::share(hooked, total, "assistants with warden's hook"),
        )
        .insert(
            keys::ASSISTANTS_HOOK_FAIL_CLOSED,
            Metric::share(fail_closed, hooked, "warden hooks that fail closed"),
        )
        .insert(
            keys::ASSISTANTS_BYPASS_MODE,
            Metric::none_of(
                bypass,
                total,
                "assistants in a bypass or auto-approve-all mode",
            ),
        )
        .insert(
            keys::TOOLS_TOTAL,
            Metric::count(tools, "MCP servers configured"),
        )
        .insert(
            keys::CREDENTIALS_DISCOVERED,
            Metric::count(
                scan.credentials.len() as u64,
                "credentials reachable from this account",
            ),
        )
        .insert(
            keys::CREDENTIALS_LONG_LIVED_REACHABLE,
            Metric::zero(
                long_lived,
                "long-lived credentials an unsandboxed assistant could read",
            ),
        );

    // What the secret detector does.
    let canary = format!("ghp_{}", "R7mK2pX9vL4qW8nT3bY6cJ1dF5gH0sA2eZ4u");
    evidence.insert(
        keys::SECRETS_CANARY_DETECTED,
        Metric::flag(
            !warden_classify::secrets::find_secrets(&canary).is_empty(),
            "the detector finds a planted canary token",
            "the detector missed a planted canary token",
        ),
    );

    // What this host's kernel enforces for `warden run`.
    let ladder = warden_sandbox::probe();
    let ladder_json = serde_json::to_value(&ladder).unwrap_or_default();
    let controls = ladder_json
        .get("controls")
        .and_then(|c| c.as_array())
        .cloned()
        .unwrap_or_default();
    let available = controls
        .iter()
        .filter(|c| c.get("available").and_then(|a| a.as_bool()) == Some(true))
        .count() as u64;
    evidence.insert(
        keys::SANDBOX_CONTROLS_AVAILABLE,
        Metric::share(
            available,
            controls.len() as u64,
            "sandbox controls available on this host",
        ),
    );
    let required = warden_sandbox::Profile::default_required();
    let required_profile = warden_sandbox::Profile {
        required: required.clone(),
        ..warden_sandbox::Profile::default()
    };
    let required_ok = ladder
        .check_required(&required_profile)
        .map(|()| required.len())
        .unwrap_or_else(|refusal| required.len().saturating_sub(refusal.missing.len()));
    evidence.insert(
        keys::SANDBOX_CONTROLS_REQUIRED,
        Metric::all_required(
            required_ok as u64,
            required.len() as u64,
            "required sandbox controls enforced",
        ),
    );

    // What the registry and the audit trail say, when warden runs here.
    if let Some(store) = &store {
        let since = warden_store::format_rfc3339(
            now - std::time::Duration::from_secs((WINDOW_DAYS * 86_400) as u64),
        );
        let q = |sql: &str| count(store, sql, &since);
        let measured = |n: Option<u64>, build: &dyn Fn(u64) -> Metric| {
            n.map(build)
                .unwrap_or_else(|| Metric::not_measured("the audit trail could not be read"))
        };
        evidence
            .insert(keys::SESSIONS_30D, measured(q("SELECT count(*) FROM credentials WHERE parent IS NULL AND issued_at >= ?1"), &|n| Metric::count(n, "session credentials issued in 30 days")))
            .insert(keys::SESSIONS_SANDBOXED_30D, measured(q("SELECT count(*) FROM credentials WHERE parent IS NULL AND token IS NULL AND session_id LIKE 'ws-%' AND issued_at >= ?1"), &|n| Metric::count(n, "sessions launched by warden in 30 days")))
            .insert(keys::DECISIONS_30D, measured(q("SELECT count(*) FROM audit_log WHERE kind = 'decision' AND ts >= ?1"), &|n| Metric::count(n, "decisions in 30 days")))
            .insert(keys::DECISIONS_DENIED_30D, measured(q("SELECT count(*) FROM audit_log WHERE kind = 'decision' AND decision = 'deny' AND ts >= ?1"), &|n| Metric::count(n, "denies in 30 days")))
            .insert(keys::DECISIONS_WITHOUT_CREDENTIAL_30D, measured(q("SELECT count(*) FROM audit_log WHERE kind = 'decision' AND decision <> 'deny' AND policies LIKE '%warden.credential%' AND ts >= ?1"), &|n| Metric::zero(n, "decisions allowed without a valid session credential in 30 days")))
            .insert(keys::SUBAGENTS_30D, measured(q("SELECT count(*) FROM audit_log WHERE kind = 'subagent_start' AND ts >= ?1"), &|n| Metric::count(n, "subagents started in 30 days")))
            .insert(keys::APPROVALS_30D, measured(q("SELECT count(*) FROM approvals WHERE created_at >= ?1"), &|n| Metric::count(n, "approval requests in 30 days")))
            .insert(keys::APPROVALS_SELF_APPROVED, measured(q("SELECT count(*) FROM approvals WHERE approver IS NOT NULL AND lower(approver) = lower(requester) AND created_at >= ?1"), &|n| Metric::zero(n, "approvals given by their own requester")))
            .insert(keys::GRANTS_30D, measured(q("SELECT count(*) FROM grants WHERE issued_at >= ?1"), &|n| Metric::count(n, "just-in-time grants issued in 30 days")))
            .insert(keys::SECRETS_BLOCKED_30D, measured(q("SELECT count(*) FROM audit_log WHERE decision = 'deny' AND (policies LIKE '%secret%') AND ts >= ?1"), &|n| Metric::count(n, "prompts and actions blocked for carrying a secret in 30 days")))
            .insert(keys::SECRETS_IN_OUTPUT_30D, measured(q("SELECT count(*) FROM audit_log WHERE secret_in_output = 1 AND ts >= ?1"), &|n| Metric::count(n, "tool outputs with a secret flagged and redacted in 30 days")))
            .insert(keys::EGRESS_REQUESTS_30D, measured(q("SELECT count(*) FROM audit_log WHERE tool = 'proxy' AND ts >= ?1"), &|n| Metric::count(n, "requests the egress proxy decided in 30 days")))
            .insert(keys::EGRESS_DENIED_30D, measured(q("SELECT count(*) FROM audit_log WHERE tool = 'proxy' AND decision = 'deny' AND ts >= ?1"), &|n| Metric::count(n, "requests the egress proxy refused in 30 days")));
        let decisions = q("SELECT count(*) FROM audit_log WHERE kind = 'decision' AND tool <> 'proxy' AND ts >= ?1");
        let linked = q("SELECT count(*) FROM audit_log WHERE kind = 'decision' AND tool <> 'proxy' AND prompt_id IS NOT NULL AND ts >= ?1");
        if let (Some(d), Some(l)) = (decisions, linked) {
            evidence.insert(
                keys::AUDIT_ACTIONS_WITH_PROMPT_30D,
                Metric::share(l, d, "tool calls linked to the prompt that led to them"),
            );
        }
        let now_text = Store::now_text();
        // Credentials store whole seconds; compare them in that format.
        let now_seconds = warden_store::format_rfc3339(now);
        let live = count(store, "SELECT count(*) FROM grants WHERE revoked_at IS NULL AND closed_at IS NULL AND expires_at > ?1", &now_text);
        if let Some(n) = live {
            evidence.insert(keys::GRANTS_LIVE, Metric::count(n, "grants live now"));
        }
        let stale = count(store, "SELECT count(*) FROM grants g JOIN credentials c ON c.id = g.credential WHERE g.revoked_at IS NULL AND g.closed_at IS NULL AND g.expires_at > ?1 AND c.revoked_at IS NOT NULL", &now_text);
        if let Some(n) = stale {
            evidence.insert(
                keys::GRANTS_OPEN_AFTER_SESSION_END,
                Metric::zero(n, "live grants whose session credential is revoked"),
            );
        }
        let agents = store.agents().unwrap_or_default();
        let offboarded: Vec<_> = agents
            .iter()
            .filter(|a| a.state == warden_store::AgentState::Offboarded)
            .collect();
        let mut live_after = 0u64;
        let mut hooks_after = 0u64;
        for agent in &offboarded {
            let holds = store
                .credentials(Some(&agent.name))
                .unwrap_or_default()
                .iter()
                .any(|c| c.revoked_at.is_none() && c.expires_at.as_str() > now_seconds.as_str());
            live_after += u64::from(holds);
            hooks_after += u64::from(!store.installs(&agent.name).unwrap_or_default().is_empty());
        }
        evidence
            .insert(
                keys::OFFBOARDED_TOTAL,
                Metric::count(offboarded.len() as u64, "identities offboarded"),
            )
            .insert(
                keys::OFFBOARDED_WITH_LIVE_CREDENTIALS,
                Metric::zero(
                    live_after,
                    "offboarded identities still holding a live credential",
                ),
            )
            .insert(
                keys::OFFBOARDED_WITH_HOOK_INSTALLED,
                Metric::zero(
                    hooks_after,
                    "offboarded identities whose hook is still installed",
                ),
            );
        let enrolled = store.humans().unwrap_or_default();
        let inactive_owners = agents
            .iter()
            .filter(|a| a.state != warden_store::AgentState::Offboarded)
            .filter(|a| {
                a.owner.trim().is_empty()
                    || (!enrolled.is_empty()
                        && !enrolled
                            .iter()
                            .any(|h| h.state == "active" && h.name.eq_ignore_ascii_case(&a.owner)))
            })
            .count() as u64;
        evidence.insert(
            keys::OWNERS_INACTIVE,
            Metric::zero(
                inactive_owners,
                "identities with a missing or inactive owner",
            ),
        );
        let registered_tools = store.tools().unwrap_or_default();
        let active_tools: Vec<_> = registered_tools
            .iter()
            .filter(|t| t.state == warden_store::ToolState::Active)
            .collect();
        let pinned = active_tools
            .iter()
            .filter(|t| t.pin.is_some() && t.version.is_some())
            .count() as u64;
        evidence
            .insert(
                keys::TOOLS_REGISTERED,
                Metric::share(
                    active_tools.len().min(tools as usize) as u64,
                    tools,
                    "MCP servers registered as tool connections",
                ),
            )
            .insert(
                keys::TOOLS_PINNED,
                Metric::share(
                    pinned,
                    active_tools.len() as u64,
                    "registered tool connections pinned to a version and hash",
                ),
            );
        if let Ok(config) = warden_engine::Config::load(&layout.config()) {
            evidence.insert(
                keys::CREDENTIALS_BROKERED,
                Metric::count(
                    config.run.credentials.len() as u64,
                    "credentials brokered by warden run",
                ),
            );
        }
        let policy_ok = warden_policy::PolicyEngine::load_dir(
            &layout.policies(),
            warden_policy::Validation::Strict,
        )
        .is_ok();
        evidence.insert(
            keys::POLICY_VALID,
            Metric::flag(
                policy_ok,
                "the installed policies validate",
                "the installed policies do not validate",
            ),
        );
        if let Ok(key) = warden_store::load_verifying_key(layout) {
            if let Ok(verdict) = store.verify(&key) {
                evidence
                    .insert(
                        keys::AUDIT_INTACT,
                        Metric::flag(
                            verdict.is_ok(),
                            "the audit chain and its checkpoints verify",
                            "the audit chain does not verify",
                        ),
                    )
                    .insert(
                        keys::AUDIT_RECORDS,
                        Metric::count(verdict.records as u64, "audit records"),
                    )
                    .insert(
                        keys::AUDIT_CHECKPOINTS,
                        Metric::at_least(
                            verdict.checkpoints as u64,
                            u64::from(verdict.records > 0),
                            "signed checkpoints",
                        ),
                    );
            }
        }
    }
    let text = match format {
        warden_report::Format::Json => {
            serde_json::to_string_pretty(&warden_report::render_json(&evidence, filter))?
        }
        other => warden_report::render(other, &evidence, filter),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("report written to {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
