//! `warden session …`, `warden grants …`, `warden human …` and `warden
//! owner report`.

use crate::cli::{GrantsCommand, HumanCommand, SessionCommand, SessionStartArgs};
use crate::registry::{actor, current_human, open};
use anyhow::{bail, Context as _};
use std::io::IsTerminal as _;
use std::process::ExitCode;
use warden_engine::Config;
use warden_store::{AgentState, Layout};

/// Runs `warden session …`.
pub fn session(layout: &Layout, command: &SessionCommand) -> anyhow::Result<ExitCode> {
    let store = open(layout)?;
    match command {
        SessionCommand::Start(args) => start(layout, &store, args),
        SessionCommand::List { agent } => {
            let now = warden_store::format_rfc3339(std::time::SystemTime::now());
            for credential in store.credentials(agent.as_deref())? {
                let state = if credential.revoked_at.is_some() {
                    "revoked"
                } else if credential.expires_at.as_str() <= now.as_str() {
                    "expired"
                } else {
                    "valid"
                };
                println!(
                    "{}  {:<8} {:<16} {:<24} session {:<38} expires {}{}",
                    credential.id,
                    state,
                    credential.agent,
                    credential.human,
                    credential.session_id,
                    credential.expires_at,
                    credential
                        .label
                        .as_deref()
                        .map(|l| format!("  ({l})"))
                        .unwrap_or_default()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        SessionCommand::Show { id } => {
            let credential = store
                .credential(id)?
                .with_context(|| format!("no credential {id}"))?;
            // The token is skipped by serialization: it is never printed.
            println!("{}", serde_json::to_string_pretty(&credential)?);
            Ok(ExitCode::SUCCESS)
        }
        SessionCommand::Revoke { id, reason } => {
            let credential = store.revoke_credential(id, &actor()?, reason)?;
            println!(
                "credential {} of {} revoked; its next decision is denied",
                credential.id, credential.agent
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn start(
    layout: &Layout,
    store: &warden_store::Store,
    args: &SessionStartArgs,
) -> anyhow::Result<ExitCode> {
    let config = Config::load(&layout.config())?;
    let identity = store
        .agent(&args.agent)?
        .with_context(|| format!("no agent named {} (register it first)", args.agent))?;
    if identity.state != AgentState::Active {
        bail!(
            "{} is {}; no session can start for it",
            identity.name,
            identity.state.as_str()
        );
    }
    let agent = identity.name.as_str();
    let cwd = match &args.cwd {
        Some(dir) => std::fs::canonicalize(dir)
            .with_context(|| format!("cannot use {} as the session's directory", dir.display()))?,
        None => std::env::current_dir()?,
    };
    let human = crate::session::resolve_human(&config, store, current_human().as_deref(), &cwd)
        .map_err(anyhow::Error::msg)?;
    let session_id = format!("ws-{}", &warden_identity::new_id()?[..12]);
    // A shorter lifetime than the configured one, never a longer one.
    let ttl = args
        .ttl
        .map(|seconds| seconds.clamp(1, config.session_ttl().as_secs()));
    let (credential, record) = crate::session::mint_with_ttl(
        store,
        store.signing_key(),
        &config,
        &crate::session::SessionRequest {
            agent,
            human: &human,
            session: &session_id,
            cwd: &cwd,
            task: args.task.as_deref(),
            held: false,
        },
        ttl,
    )
    .map_err(anyhow::Error::msg)?;
    let token = credential.encode();
    eprintln!(
        "warden: session {session_id} for {agent} ({human}), credential {}, repo {}, expires {}",
        record.id,
        record.repo.as_deref().unwrap_or("(none)"),
        record.expires_at
    );
    if let Some((program, rest)) = args.command.split_first() {
        use std::os::unix::process::CommandExt as _;
        let error = std::process::Command::new(program)
            .args(rest)
            .current_dir(&cwd)
            .env(crate::session::CREDENTIAL_ENV, &token)
            .env("WARDEN_SESSION_ID", &session_id)
            .env("WARDEN_AGENT", agent)
            .exec();
        bail!("cannot run {program}: {error}");
    }
    if std::io::stdout().is_terminal() {
        eprintln!(
            "warden: the credential is not printed to a terminal; run `eval \"$(warden session start --agent {agent})\"` or `warden session start --agent {agent} -- COMMAND`"
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!("export {}='{token}'", crate::session::CREDENTIAL_ENV);
    println!("export WARDEN_SESSION_ID='{session_id}'");
    println!("export WARDEN_AGENT='{agent}'");
    Ok(ExitCode::SUCCESS)
}

/// Runs `warden grants …`.
pub fn grants(layout: &Layout, command: &GrantsCommand) -> anyhow::Result<ExitCode> {
    let store = open(layout)?;
    match command {
        GrantsCommand::List { all } => {
            let now = warden_store::Store::now_text();
            for grant in store.grants(*all)? {
                let state = if grant.revoked_at.is_some() {
                    "revoked"
                } else if grant.closed_at.is_some() {
                    "closed"
                } else if grant.expires_at.as_str() <= now.as_str() {
                    "expired"
                } else if grant.confirmed_at.is_none() {
                    "pending"
                } else {
                    "live"
                };
                println!(
                    "{}  {:<8} {:<16} {:<20} hosts {:<24} expires {}  {}",
                    grant.id,
                    state,
                    grant.agent,
                    grant.source,
                    grant.hosts.join(","),
                    grant.expires_at,
                    grant.summary
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        GrantsCommand::Confirm { id } => {
            let grant = store.confirm_grant(id, &actor()?)?;
            println!(
                "grant {} confirmed: the broker may use it for {} until {}",
                grant.id,
                grant.hosts.join(", "),
                grant.expires_at
            );
            Ok(ExitCode::SUCCESS)
        }
        GrantsCommand::Revoke { id, reason } => {
            let grant = store.revoke_grant(id, &actor()?, reason)?;
            println!("grant {} revoked", grant.id);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs `warden human …`.
pub fn human(layout: &Layout, command: &HumanCommand) -> anyhow::Result<ExitCode> {
    let store = open(layout)?;
    match command {
        HumanCommand::Enroll { name } => {
            let human = store.enroll_human(name, &actor()?)?;
            println!("{} enrolled ({})", human.name, human.state);
        }
        HumanCommand::Deactivate { name } => {
            let human = store.deactivate_human(name, &actor()?)?;
            println!("{} is now {}", human.name, human.state);
        }
        HumanCommand::List => {
            for human in store.humans()? {
                println!(
                    "{:<32} {:<8} enrolled {} by {}",
                    human.name, human.state, human.enrolled_at, human.enrolled_by
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One finding of the owner report.
#[derive(serde::Serialize)]
struct OwnerFinding {
    agent: String,
    state: String,
    role: &'static str,
    person: String,
    problem: String,
}

/// Runs `warden owner report`: identities (not offboarded) whose owner or
/// deputy is missing, not enrolled, or inactive. Ownership is only checked
/// against enrollment once anyone is enrolled; before that, only missing
/// owners are reported.
pub fn owner_report(layout: &Layout, json: bool) -> anyhow::Result<ExitCode> {
    let store = open(layout)?;
    let enrolled = store.humans()?;
    let mut findings = Vec::new();
    for agent in store.agents()? {
        if agent.state == AgentState::Offboarded {
            continue;
        }
        let people = std::iter::once(("owner", Some(agent.owner.clone())))
            .chain(std::iter::once(("deputy", agent.deputy.clone())));
        for (role, person) in people {
            let problem = match person.as_deref().map(str::trim) {
                None if role == "deputy" => continue,
                None | Some("") => Some("missing".to_owned()),
                Some(name) if !enrolled.is_empty() => {
                    match enrolled.iter().find(|h| h.name.eq_ignore_ascii_case(name)) {
                        None => Some("not enrolled".to_owned()),
                        Some(h) if h.state != "active" => Some(format!("{} human", h.state)),
                        Some(_) => None,
                    }
                }
                Some(_) => None,
            };
            if let Some(problem) = problem {
                findings.push(OwnerFinding {
                    agent: agent.name.clone(),
                    state: agent.state.as_str().to_owned(),
                    role,
                    person: person.unwrap_or_default(),
                    problem,
                });
            }
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&findings)?);
    } else if findings.is_empty() {
        println!("every identity has an active, enrolled owner");
    } else {
        for finding in &findings {
            println!(
                "{:<24} {:<10} {:<7} {:<32} {}  (fix: warden owner transfer {} NEW_OWNER)",
                finding.agent,
                finding.state,
                finding.role,
                finding.person,
                finding.problem,
                if finding.person.is_empty() {
                    "''"
                } else {
                    &finding.person
                }
            );
        }
    }
    Ok(if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
