//! What each command does.

use crate::check;
use crate::cli::{
    Cli, Command, DaemonCommand, HookCommand, InitArgs, InstallCommand, PolicyCommand,
    PolicySource, PolicyTestArgs,
};
use anyhow::{bail, Context as _};
use std::path::PathBuf;
use std::process::ExitCode;
use warden_classify::ClassifyConfig;
use warden_engine::{config, policy_test, Config};
use warden_policy::{packs, PolicyEngine, Validation};
use warden_store::{InitFile, Layout, StoreError};

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let layout = match &cli.home {
        Some(dir) => Layout::new(dir.clone()),
        None => Layout::from_env().context("cannot find warden's state directory")?,
    };
    match cli.command {
        Command::Init(args) => init(&layout, &args),
        Command::Check(args) => check::run(&layout, &args),
        Command::Policy(PolicyCommand::Validate(source)) => validate(&layout, &source),
        Command::Policy(PolicyCommand::Test(args)) => test(&layout, &args),
        Command::Hook(HookCommand::ClaudeCode(args)) => Ok(crate::hook::run(&layout, &args)),
        Command::Install(InstallCommand::ClaudeCode(args)) => {
            crate::install::run(&layout, cli.home.as_ref(), &args)
        }
        Command::Audit(command) => crate::audit::run(&layout, &command),
        Command::Agent(command) => crate::registry::agent(&layout, &command),
        Command::Tool(command) => crate::registry::tool(&layout, &command),
        Command::Approvals(command) => crate::registry::approvals(&layout, &command),
        Command::Owner(crate::cli::OwnerCommand::Transfer { from, to }) => {
            crate::registry::transfer(&layout, &from, &to)
        }
        Command::Owner(crate::cli::OwnerCommand::Report { json }) => {
            crate::sessions_cli::owner_report(&layout, json)
        }
        Command::Session(command) => crate::sessions_cli::session(&layout, &command),
        Command::Grants(command) => crate::sessions_cli::grants(&layout, &command),
        Command::Human(command) => crate::sessions_cli::human(&layout, &command),
        Command::Run(args) => crate::run::run(&layout, &args),
        Command::Scan(args) => crate::posture::scan(&layout, &args),
        Command::Report(args) => crate::posture::report(&layout, &args),
        Command::Doctor { json } => crate::run::doctor(&layout, json),
        Command::Daemon(DaemonCommand::Run) => crate::daemon::serve(&layout),
        Command::Daemon(DaemonCommand::Start) => crate::daemon::start(&layout),
        Command::Daemon(DaemonCommand::Stop) => crate::daemon::stop(&layout),
        Command::Daemon(DaemonCommand::Status) => crate::daemon::status(&layout),
        Command::Policy(PolicyCommand::Packs) => {
            for pack in packs::PACKS {
                println!("{:<11} {}", pack.name, pack.summary);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn init(layout: &Layout, args: &InitArgs) -> anyhow::Result<ExitCode> {
    let Some(pack) = packs::pack(&args.pack) else {
        bail!(
            "unknown pack {:?}; choose one of {}",
            args.pack,
            packs::names().join(", ")
        );
    };
    // A pack that does not validate must never be installed.
    PolicyEngine::from_sources(packs::SCHEMA, &pack.policy_sources(), Validation::Strict)
        .with_context(|| format!("the shipped {} pack does not validate", pack.name))?;
    let mut files = vec![
        InitFile::new(config::CONFIG_FILE, Config::render_default(pack.name)),
        InitFile::new(
            format!("policies/{}", warden_policy::SCHEMA_FILE),
            packs::SCHEMA,
        ),
    ];
    for (name, source) in pack.policies {
        files.push(InitFile::new(format!("policies/{name}"), *source));
    }
    for (name, source) in pack.tests {
        files.push(InitFile::new(format!("policies/tests/{name}"), *source));
    }
    let report = match warden_store::init(layout, &files, args.force) {
        Ok(report) => report,
        Err(StoreError::AlreadyInitialized { path }) => bail!(
            "{} already exists; warden is initialized at {} (use --force to rewrite warden.toml and the policies; the database and keys are always kept)",
            path.display(),
            layout.root.display()
        ),
        Err(error) => return Err(error).context("warden init failed"),
    };
    println!(
        "warden initialized at {} with the {} pack",
        layout.root.display(),
        pack.name
    );
    for path in &report.created {
        println!("  created     {}", path.display());
    }
    for path in &report.overwritten {
        println!("  overwritten {}", path.display());
    }
    for path in &report.removed {
        println!("  removed     {}", path.display());
    }
    for path in &report.kept {
        println!("  kept        {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Loads policies from a pack, a directory, or the installed ones.
fn load_policies(layout: &Layout, source: &PolicySource) -> anyhow::Result<(PolicyEngine, String)> {
    if let Some(name) = &source.pack {
        let Some(pack) = packs::pack(name) else {
            bail!("unknown pack {name:?}");
        };
        let engine =
            PolicyEngine::from_sources(packs::SCHEMA, &pack.policy_sources(), Validation::Strict)?;
        return Ok((engine, format!("the {name} pack")));
    }
    let dir: PathBuf = source.dir.clone().unwrap_or_else(|| layout.policies());
    let engine = PolicyEngine::load_dir(&dir, Validation::Strict)?;
    Ok((engine, dir.display().to_string()))
}

fn validate(layout: &Layout, source: &PolicySource) -> anyhow::Result<ExitCode> {
    let (engine, origin) = load_policies(layout, source)?;
    for warning in engine.warnings() {
        println!("warning: {warning}");
    }
    println!(
        "{} policies in {origin} validate against the schema",
        engine.policy_count()
    );
    Ok(ExitCode::SUCCESS)
}

fn test(layout: &Layout, args: &PolicyTestArgs) -> anyhow::Result<ExitCode> {
    let (engine, origin) = load_policies(layout, &args.source)?;
    let mut suites: Vec<(String, Vec<policy_test::TestCase>)> = Vec::new();
    if args.files.is_empty() {
        let Some(pack) = args.source.pack.as_deref().and_then(packs::pack) else {
            bail!("name test files, or use --pack to run a pack's own tests");
        };
        for (name, source) in pack.tests {
            let cases = policy_test::parse_tests(source).map_err(anyhow::Error::msg)?;
            suites.push(((*name).to_owned(), cases));
        }
    }
    for file in &args.files {
        let cases = policy_test::read_tests(file).map_err(anyhow::Error::msg)?;
        suites.push((file.display().to_string(), cases));
    }
    // Tests use the destinations and production patterns of warden.toml
    // when warden is initialized, else the defaults.
    let classify = Config::load(&layout.config())
        .map(|c| c.classify)
        .unwrap_or_else(|_| ClassifyConfig::default());
    let cases: Vec<policy_test::TestCase> =
        suites.iter().flat_map(|(_, c)| c.iter().cloned()).collect();
    let outcomes =
        policy_test::run(engine, classify, &cases).context("cannot create the test fixture")?;
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    for outcome in &outcomes {
        if !outcome.passed {
            println!("FAIL {}: {}", outcome.name, outcome.detail);
        } else if args.verbose {
            println!("ok   {}: {}", outcome.name, outcome.detail);
        }
    }
    println!(
        "{} passed, {} failed ({} files, policies from {origin})",
        outcomes.len() - failed,
        failed,
        suites.len()
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
