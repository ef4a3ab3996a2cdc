//! `warden agent`, `warden tool` and `warden approvals`: the registry of
//! non-human identities, their tool connections, and approval requests.

use crate::cli::{AgentCommand, AgentRegisterArgs, ApprovalsCommand, ToolAddArgs, ToolCommand};
use anyhow::{bail, Context as _};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use warden_action::{Action, AgentFacts, Effect, Who};
use warden_engine::Engine;
use warden_policy::Validation;
use warden_store::{
    Agent, AgentKind, AgentScope, AgentState, ApprovalStatus, Layout, NewAgent, NewTool, Store,
};

/// The human at the keyboard: `WARDEN_HUMAN` when set (an enrolled
/// identity), else the OS user.
pub fn current_human() -> Option<String> {
    crate::client::current_human()
}

pub fn actor() -> anyhow::Result<String> {
    current_human().context("cannot tell who you are: set USER or WARDEN_HUMAN")
}

pub fn open(layout: &Layout) -> anyhow::Result<Store> {
    let path = layout.database();
    if !path.exists() {
        bail!(
            "warden is not initialized at {} (run `warden init`)",
            layout.root.display()
        );
    }
    let store = Store::open(&path).context("cannot open warden's database")?;
    Ok(match warden_store::load_signing_key(layout) {
        Ok(key) => store.with_signing_key(key),
        Err(_) => store,
    })
}

/// Registry facts for a decision: `Ok(None)` when the agent is unknown. A
/// registry that cannot be read is an error, never "unregistered": an
/// offboarded identity must not be mistaken for an unknown one.
pub fn facts(store: &Store, name: &str) -> Result<Option<AgentFacts>, String> {
    let agent = store
        .agent(name)
        .map_err(|e| format!("cannot read the registry entry of {name}: {e}"))?;
    Ok(agent.map(|agent| AgentFacts {
        state: agent.state.as_str().to_owned(),
        owner: agent.owner.clone(),
        tier: String::new(),
        kind: agent.kind.as_str().to_owned(),
    }))
}

/// Probes, most sensitive first: the tier is the first one the policy does
/// not deny (an ask or approve still makes it reachable).
const PROBES: &[(&str, &str, &str)] = &[
    (
        "production-write",
        "Bash",
        r#"{"command":"kubectl --context prod apply -f k8s/"}"#,
    ),
    (
        "cloud-write",
        "Bash",
        r#"{"command":"terraform apply -auto-approve"}"#,
    ),
    (
        "remote-write",
        "Bash",
        r#"{"command":"git push origin main"}"#,
    ),
    (
        "network-send",
        "Bash",
        r#"{"command":"curl -X POST -d status=ok https://example.com/hook"}"#,
    ),
    (
        "workspace-write",
        "Write",
        r#"{"file_path":"{cwd}/warden-tier-probe.txt","content":"x"}"#,
    ),
    ("read-only", "Read", r#"{"file_path":"{cwd}/README.md"}"#),
];

/// The risk tier of an identity under the installed policy: the most
/// sensitive probe action the policy allows, asks about or sends for
/// approval, with the explanation.
pub fn assess_tier(layout: &Layout, agent: &Agent) -> anyhow::Result<(String, String)> {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .context("HOME is not set")?;
    let engine = Engine::load(&layout.root, home, Validation::Skip)?;
    let cwd = agent
        .scope
        .repos
        .first()
        .map(PathBuf::from)
        .unwrap_or(std::env::current_dir()?);
    let cwd = cwd.to_string_lossy().into_owned();
    for (tier, tool, input) in PROBES {
        let input: serde_json::Value = serde_json::from_str(&input.replace("{cwd}", &cwd))?;
        let who = Who {
            agent: agent.name.clone(),
            registry: Some(AgentFacts {
                state: "active".to_owned(),
                owner: agent.owner.clone(),
                tier: String::new(),
                kind: agent.kind.as_str().to_owned(),
            }),
            ..Who::default()
        };
        let (action, decision): (Option<Action>, _) =
            engine.decide_tool_call(tool, &input, &cwd, who);
        if decision.effect != Effect::Deny {
            let what = action
                .and_then(|a| a.what.command.or(a.what.paths.first().cloned()))
                .unwrap_or_default();
            return Ok((
                (*tier).to_owned(),
                format!(
                    "`{what}` is {} ({})",
                    decision.effect,
                    decision.policies.join(", ")
                ),
            ));
        }
    }
    Ok((
        "none".to_owned(),
        "the policy denies every probe action".to_owned(),
    ))
}

fn print_agent(layout: &Layout, agent: &Agent) -> anyhow::Result<()> {
    let (tier, why) =
        assess_tier(layout, agent).unwrap_or_else(|e| ("unknown".to_owned(), format!("{e:#}")));
    println!("{}", agent.name);
    println!("  kind:     {}", agent.kind.as_str());
    println!("  owner:    {}", agent.owner);
    if let Some(deputy) = &agent.deputy {
        println!("  deputy:   {deputy}");
    }
    if let Some(purpose) = &agent.purpose {
        println!("  purpose:  {purpose}");
    }
    println!("  state:    {}", agent.state.as_str());
    if let Some(reason) = &agent.state_reason {
        println!(
            "            ({reason}; by {})",
            agent.state_changed_by.as_deref().unwrap_or("?")
        );
    }
    println!("  tier:     {tier}, because {why}");
    println!("  created:  {}", agent.created_at);
    println!(
        "  last use: {}",
        agent.last_used_at.as_deref().unwrap_or("never")
    );
    println!("  scope:    {}", serde_json::to_string(&agent.scope)?);
    Ok(())
}

/// Runs `warden agent …`.
pub fn agent(layout: &Layout, command: &AgentCommand) -> anyhow::Result<ExitCode> {
    let store = open(layout)?;
    match command {
        AgentCommand::Register(args) => register(layout, &store, args),
        AgentCommand::List => {
            for agent in store.agents()? {
                println!(
                    "{:<24} {:<12} {:<11} {}",
                    agent.name,
                    agent.kind.as_str(),
                    agent.state.as_str(),
                    agent.owner
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        AgentCommand::Show { name } => {
            let agent = store
                .agent(name)?
                .with_context(|| format!("no agent named {name}"))?;
            print_agent(layout, &agent)?;
            Ok(ExitCode::SUCCESS)
        }
        AgentCommand::Suspend { name, reason } => {
            let agent =
                store.set_agent_state(name, AgentState::Suspended, &actor()?, reason.as_deref())?;
            println!("{} suspended; its next action is denied", agent.name);
            Ok(ExitCode::SUCCESS)
        }
        AgentCommand::Resume { name } => {
            let agent = store.set_agent_state(name, AgentState::Active, &actor()?, None)?;
            println!("{} resumed", agent.name);
            Ok(ExitCode::SUCCESS)
        }
        AgentCommand::Offboard { name, reason } => {
            let agent =
                store.set_agent_state(name, AgentState::Offboarded, &actor()?, Some(reason))?;
            println!(
                "{} offboarded by {}; its credentials and grants are revoked, its next action is denied and its history is kept",
                agent.name,
                actor()?
            );
            for line in crate::install::remove_installs(&store, &agent.name, &actor()?) {
                println!("  {line}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn register(layout: &Layout, store: &Store, args: &AgentRegisterArgs) -> anyhow::Result<ExitCode> {
    let scope: AgentScope = match &args.scope {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            toml::from_str(&text)
                .with_context(|| format!("{} is not a valid scope", path.display()))?
        }
        None => AgentScope::default(),
    };
    let kind =
        AgentKind::parse(&args.kind).with_context(|| format!("unknown kind {}", args.kind))?;
    let agent = store.register_agent(
        &NewAgent {
            name: args.name.clone(),
            kind,
            owner: args.owner.clone(),
            deputy: args.deputy.clone(),
            purpose: args.purpose.clone(),
            scope,
        },
        &actor()?,
    )?;
    println!("registered {}", agent.name);
    print_agent(layout, &agent)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `warden tool …`.
pub fn tool(layout: &Layout, command: &ToolCommand) -> anyhow::Result<ExitCode> {
    let store = open(layout)?;
    match command {
        ToolCommand::Add(args) => add_tool(&store, args),
        ToolCommand::List => {
            for tool in store.tools()? {
                println!(
                    "{:<20} {:<7} {:<8} {:<28} {}",
                    tool.name, tool.kind, tool.state, tool.owner, tool.endpoint
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ToolCommand::Show { name } => {
            let tool = store
                .tool(name)?
                .with_context(|| format!("no tool named {name}"))?;
            println!("{}", serde_json::to_string_pretty(&tool)?);
            Ok(ExitCode::SUCCESS)
        }
        ToolCommand::Remove { name, reason } => {
            let tool = store.remove_tool(name, &actor()?, reason.as_deref())?;
            println!("{} removed", tool.name);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn add_tool(store: &Store, args: &ToolAddArgs) -> anyhow::Result<ExitCode> {
    let tool = store.add_tool(
        &NewTool {
            name: args.name.clone(),
            kind: args.kind.clone(),
            owner: args.owner.clone(),
            endpoint: args.endpoint.clone(),
            version: args.version.clone(),
            pin: args.pin.clone(),
            scope: AgentScope::default(),
            agents: args.agents.clone(),
        },
        &actor()?,
    )?;
    println!("registered tool connection {}", tool.name);
    Ok(ExitCode::SUCCESS)
}

/// Runs `warden approvals …`.
pub fn approvals(layout: &Layout, command: &ApprovalsCommand) -> anyhow::Result<ExitCode> {
    let store = open(layout)?;
    match command {
        ApprovalsCommand::List { status } => {
            let status = match status {
                Some(s) => {
                    Some(ApprovalStatus::parse(s).with_context(|| format!("unknown status {s}"))?)
                }
                None => None,
            };
            for approval in store.approvals(status)? {
                println!(
                    "{}  {:<8}  {:<16}  requested by {:<12}  expires {}  {}",
                    approval.id,
                    approval.status.as_str(),
                    approval.agent,
                    approval.requester.as_deref().unwrap_or("?"),
                    approval.expires_at,
                    approval.summary
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ApprovalsCommand::Show { id } => {
            let approval = store
                .approval(id)?
                .with_context(|| format!("no approval request {id}"))?;
            println!("{}", serde_json::to_string_pretty(&approval)?);
            Ok(ExitCode::SUCCESS)
        }
        ApprovalsCommand::Approve { id } => {
            let approval = store.approve(id, &actor()?)?;
            println!(
                "{} approved by {}: the same action is allowed {} more time(s) until {}",
                approval.id,
                approval.approver.as_deref().unwrap_or("?"),
                approval.uses_left,
                approval.expires_at
            );
            Ok(ExitCode::SUCCESS)
        }
        ApprovalsCommand::Deny { id, reason } => {
            let approval = store.deny_approval(id, &actor()?, reason.as_deref())?;
            println!("{} denied", approval.id);
            let _ = json!({});
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs `warden owner transfer FROM TO`.
pub fn transfer(layout: &Layout, from: &str, to: &str) -> anyhow::Result<ExitCode> {
    let store = open(layout)?;
    let moved = store.transfer_owner(from, to, &actor()?)?;
    if moved.is_empty() {
        println!("no identity is owned by {from}");
    } else {
        println!("moved to {to}: {}", moved.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
