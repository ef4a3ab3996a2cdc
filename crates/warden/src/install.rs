//! `warden install claude-code`: register (or remove) warden's hook in a
//! Claude Code settings file, keeping everything else in it.

use crate::cli::InstallArgs;
use anyhow::{bail, Context as _};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use warden_adapters::claude_settings::{self, InstallOptions, Scope};
use warden_store::Layout;

fn read_settings(path: &Path) -> anyhow::Result<Value> {
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().is_empty() => Ok(Value::Object(Default::default())),
        Ok(text) => serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON; fix it first", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::Object(Default::default())),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Writes atomically: a temp file beside the target, then a rename.
fn write_settings(path: &Path, settings: &Value) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .context("the settings path has no directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut text = serde_json::to_string_pretty(settings)?;
    text.push('\n');
    let temp = dir.join(format!(
        ".{}.warden-{}",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    std::fs::write(&temp, text).with_context(|| format!("cannot write {}", temp.display()))?;
    if let Ok(meta) = std::fs::metadata(path) {
        // Keep the original file's permissions.
        let _ = std::fs::set_permissions(&temp, meta.permissions());
    }
    std::fs::rename(&temp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// Runs `warden install claude-code`.
pub fn run(
    layout: &Layout,
    home_flag: Option<&PathBuf>,
    args: &InstallArgs,
) -> anyhow::Result<ExitCode> {
    let scope = match args.scope.as_str() {
        "project" => Scope::Project,
        "managed" => Scope::Managed,
        _ => Scope::User,
    };
    let user_home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .context("HOME is not set")?;
    let project = match &args.project {
        Some(dir) => std::path::absolute(dir)?,
        None => std::env::current_dir()?,
    };
    let config_dir = std::env::var_os("CLAUDE_CONFIG_DIR").map(PathBuf::from);
    let path = claude_settings::settings_path(scope, &user_home, &project, config_dir.as_deref());
    let settings = read_settings(&path)?;
    let result = if args.uninstall {
        claude_settings::uninstall(settings)
            .with_context(|| format!("cannot update {}", path.display()))?
    } else {
        if !layout.config().exists() {
            bail!(
                "warden is not initialized at {} (run `warden init` first)",
                layout.root.display()
            );
        }
        let binary = std::env::current_exe().context("cannot find warden's own binary")?;
        let binary = std::fs::canonicalize(&binary).unwrap_or(binary);
        // Pin the state directory in the command only when it is not the
        // default one, so the hook sees the same policies as this install.
        let pinned_home = home_flag
            .cloned()
            .or_else(|| std::env::var_os("WARDEN_HOME").map(PathBuf::from))
            .map(|h| std::path::absolute(&h).unwrap_or(h));
        if let Some(agent) = &args.agent {
            // The identity must exist: a hook for a name nobody registered
            // would act as an unregistered assistant.
            let store = crate::registry::open(layout)?;
            if store.agent(agent)?.is_none() {
                bail!("no agent named {agent} (run `warden agent register {agent} …` first)");
            }
        }
        let command = claude_settings::hook_command_for(
            &binary,
            pinned_home.as_deref(),
            args.agent.as_deref(),
        )?;
        let mut options = InstallOptions::new(scope, command);
        options.managed_only = args.managed_only;
        let installed = claude_settings::install(settings, &options)
            .with_context(|| format!("cannot update {}", path.display()))?;
        for warning in &installed.warnings {
            eprintln!("warning: {warning}");
        }
        if scope != Scope::Managed {
            let managed_path =
                claude_settings::settings_path(Scope::Managed, &user_home, &project, None);
            if let Ok(managed) = read_settings(&managed_path) {
                for warning in claude_settings::managed_warnings(&managed, scope) {
                    eprintln!("warning: {warning}");
                }
            }
        }
        installed.settings
    };
    if args.dry_run {
        println!("{}", serde_json::to_string_pretty(&result)?);
        return Ok(ExitCode::SUCCESS);
    }
    write_settings(&path, &result)?;
    if let (Some(agent), false) = (&args.agent, args.uninstall) {
        // Remembered, so that offboarding the identity removes the hook.
        let store = crate::registry::open(layout)?;
        store.record_install(
            agent,
            "claude-code",
            "hook",
            &path.to_string_lossy(),
            &crate::registry::actor()?,
        )?;
    }
    let status = claude_settings::status(&result);
    if args.uninstall {
        println!("warden's hooks removed from {}", path.display());
    } else {
        println!(
            "warden's hook registered in {} for {} events ({})",
            path.display(),
            claude_settings::EVENTS.len(),
            if status.is_complete() {
                "complete, fails closed"
            } else {
                "INCOMPLETE"
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Removes the configuration entries warden installed for an offboarded
/// identity. Returns one line per entry; an entry that cannot be removed
/// is reported, not fatal (the identity is already denied everywhere).
pub fn remove_installs(store: &warden_store::Store, agent: &str, actor: &str) -> Vec<String> {
    let installs = match store.installs(agent) {
        Ok(installs) => installs,
        Err(e) => return vec![format!("cannot list what was installed for {agent}: {e}")],
    };
    let mut lines = Vec::new();
    for install in installs {
        let path = PathBuf::from(&install.path);
        let outcome = read_settings(&path)
            .and_then(|settings| {
                claude_settings::uninstall(settings)
                    .with_context(|| format!("cannot update {}", path.display()))
            })
            .and_then(|settings| write_settings(&path, &settings))
            .and_then(|()| Ok(store.mark_uninstalled(&install, actor)?));
        lines.push(match outcome {
            Ok(()) => format!("removed warden's {} from {}", install.what, path.display()),
            Err(e) => format!(
                "could not remove warden's {} from {}: {e:#}",
                install.what,
                path.display()
            ),
        });
    }
    lines
}
