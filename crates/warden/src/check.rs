//! `warden check`: decide one action and explain it.

use crate::cli::CheckArgs;
use anyhow::{bail, Context as _};
use serde_json::json;
use std::io::Read;
use std::process::ExitCode;
use warden_action::{Action, Decision, Who};
use warden_engine::{Config, Engine};
use warden_policy::Validation;
use warden_store::Layout;

/// Largest input accepted, like the hooks' own limit.
const MAX_INPUT_BYTES: u64 = 1 << 20;

fn read_input(spec: &str) -> anyhow::Result<String> {
    let mut text = String::new();
    if spec == "-" {
        std::io::stdin()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_string(&mut text)
            .context("cannot read the input from standard input")?;
    } else if let Some(path) = spec.strip_prefix('@') {
        std::fs::File::open(path)
            .with_context(|| format!("cannot open {path}"))?
            .take(MAX_INPUT_BYTES + 1)
            .read_to_string(&mut text)
            .with_context(|| format!("cannot read {path}"))?;
    } else {
        text = spec.to_owned();
    }
    if text.len() as u64 > MAX_INPUT_BYTES {
        bail!("the input is larger than {MAX_INPUT_BYTES} bytes");
    }
    Ok(text)
}

/// Runs `warden check`.
pub fn run(layout: &Layout, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(&layout.config())?;
    let user_home = std::env::var_os("HOME")
        .map(std::path::PathBuf::from)
        .context("HOME is not set")?;
    let engine = Engine::load(&layout.root, user_home, Validation::Strict)?;
    let cwd = match &args.cwd {
        Some(dir) => {
            std::path::absolute(dir).with_context(|| format!("bad --cwd {}", dir.display()))?
        }
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    let cwd = cwd.to_string_lossy().into_owned();
    let agent = args
        .agent
        .clone()
        .unwrap_or_else(|| config.default_agent.clone());
    // Registry facts decide too: an unregistered, suspended or offboarded
    // identity gets what the policy gives it.
    let store =
        warden_store::Store::open(&layout.database()).context("cannot open warden's database")?;
    let registry = crate::registry::facts(&store, &agent).map_err(anyhow::Error::msg)?;
    let who = Who {
        agent,
        human: crate::registry::current_human(),
        registry,
        ..Who::default()
    };
    let (action, decision) = match read_input(&args.input) {
        Ok(text) => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(input) => engine.decide_tool_call(&args.tool, &input, &cwd, who),
            Err(error) => (
                None,
                Decision::fail_closed(format!(
                    "the input is not valid JSON: {}",
                    error.to_string().lines().next().unwrap_or("")
                )),
            ),
        },
        Err(error) => (None, Decision::fail_closed(format!("{error:#}"))),
    };
    // Everything printed passes the secret detector: tool names, paths,
    // programs and reasons can carry a token as well as commands can.
    if args.json {
        let mut value = render_json(action.as_ref(), &decision);
        redact_strings(&mut value);
        println!("{value}");
    } else {
        print!(
            "{}",
            warden_classify::secrets::redact(&render_text(action.as_ref(), &decision))
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// One JSON object: decision, policies, reasons, classes and the action.
/// Command lines and file contents are redacted before they are printed.
pub fn render_json(action: Option<&Action>, decision: &Decision) -> serde_json::Value {
    let classes: Vec<&str> = action
        .map(|a| a.context.classes.iter().map(|c| c.as_str()).collect())
        .unwrap_or_default();
    let action_json = action.map(|a| {
        let mut shown = a.clone();
        redact_action(&mut shown);
        serde_json::to_value(&shown).unwrap_or(serde_json::Value::Null)
    });
    json!({
        "decision": decision.effect.as_str(),
        "policies": decision.policies,
        "reasons": decision.reasons,
        "classes": classes,
        "production": action.map(|a| a.context.production).unwrap_or(false),
        "action": action_json,
    })
}

/// Redacts every string in a JSON value, keys included.
pub fn redact_strings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => *s = warden_classify::secrets::redact(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_strings),
        serde_json::Value::Object(map) => {
            let entries: Vec<(String, serde_json::Value)> =
                std::mem::take(map).into_iter().collect();
            for (key, mut item) in entries {
                redact_strings(&mut item);
                map.insert(warden_classify::secrets::redact(&key), item);
            }
        }
        _ => {}
    }
}

fn redact_action(action: &mut Action) {
    let redact = warden_classify::secrets::redact;
    if let Some(command) = &action.what.command {
        action.what.command = Some(redact(command));
    }
    if let Some(content) = &action.what.content {
        action.what.content = Some(redact(content));
    }
    for url in &mut action.what.urls {
        *url = redact(url);
    }
    for note in &mut action.context.notes {
        *note = redact(note);
    }
    for note in action.context.evidence.values_mut() {
        *note = redact(note);
    }
}

/// The human-readable explanation.
pub fn render_text(action: Option<&Action>, decision: &Decision) -> String {
    let mut out = String::new();
    out.push_str(&format!("decision: {}\n", decision.effect));
    out.push_str(&format!("policies: {}\n", decision.policies.join(", ")));
    out.push_str("reasons:\n");
    for reason in &decision.reasons {
        out.push_str(&format!(
            "  - {}\n",
            warden_classify::secrets::redact(reason)
        ));
    }
    let Some(action) = action else {
        return out;
    };
    let ctx = &action.context;
    let what = &action.what;
    out.push_str(&format!(
        "action: {} via {} as {}\n",
        what.kind.as_str(),
        what.tool,
        action.who.agent
    ));
    if let Some(command) = &what.command {
        out.push_str(&format!(
            "command: {}\n",
            warden_classify::secrets::redact(command)
        ));
    }
    let ws = &ctx.workspace;
    out.push_str(&format!(
        "workspace: {}{}{}\n",
        ws.root,
        if ws.is_git {
            " (git"
        } else {
            " (not a git repository"
        },
        match (&ws.branch, &ws.remote) {
            (Some(b), Some(r)) => format!(", branch {b}, origin {r})"),
            (Some(b), None) => format!(", branch {b})"),
            _ => ")".to_owned(),
        }
    ));
    let classes: Vec<&str> = ctx.classes.iter().map(|c| c.as_str()).collect();
    out.push_str(&format!("classes: {}\n", classes.join(", ")));
    if !ctx.programs.is_empty() {
        let programs: Vec<&str> = ctx.programs.iter().map(String::as_str).collect();
        out.push_str(&format!("programs: {}\n", programs.join(", ")));
    }
    if ctx.production {
        out.push_str("production: yes\n");
    }
    if !ctx.paths.is_empty() {
        out.push_str("paths:\n");
        for path in &ctx.paths {
            let labels: Vec<&str> = path.sensitivity.iter().map(|s| s.as_str()).collect();
            out.push_str(&format!(
                "  {} [{}]{}{}\n",
                path.path,
                if path.in_workspace {
                    "workspace"
                } else {
                    "outside workspace"
                },
                if labels.is_empty() {
                    String::new()
                } else {
                    format!(" {}", labels.join(", "))
                },
                path.why
                    .as_ref()
                    .map(|w| format!(" ({w})"))
                    .unwrap_or_default()
            ));
        }
    }
    if !ctx.destinations.is_empty() {
        out.push_str("destinations:\n");
        for d in &ctx.destinations {
            out.push_str(&format!("  {} [{}]\n", d.host, d.class.as_str()));
        }
    }
    if !ctx.secrets.is_empty() {
        out.push_str("secrets:\n");
        for s in &ctx.secrets {
            out.push_str(&format!("  {} in {}: {}\n", s.rule, s.location, s.redacted));
        }
    }
    if !ctx.notes.is_empty() {
        out.push_str("why:\n");
        for note in &ctx.notes {
            out.push_str(&format!("  - {}\n", warden_classify::secrets::redact(note)));
        }
    }
    out
}
