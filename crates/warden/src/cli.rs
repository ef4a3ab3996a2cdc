//! The command line, as clap sees it.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Govern AI coding assistants as non-human identities: every action an
/// assistant takes is classified, decided by Cedar policy (allow, ask,
/// approve or deny, with reasons) and recorded.
#[derive(Debug, Parser)]
#[command(name = "warden", version, about, long_about = None)]
pub struct Cli {
    /// Warden's state directory (default: $WARDEN_HOME, else
    /// $XDG_CONFIG_HOME/warden, else ~/.config/warden).
    #[arg(long, global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// Warden's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the state directory: warden.toml, policies/ (a pack and the
    /// schema), the SQLite database and the audit signing key. Never
    /// overwrites anything without --force; even with --force the database
    /// and keys are kept.
    Init(InitArgs),
    /// Decide one action through the same pipeline the hooks use, without
    /// an assistant, and explain the decision.
    Check(CheckArgs),
    /// Validate and test Cedar policies.
    #[command(subcommand)]
    Policy(PolicyCommand),
}

/// `warden init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The policy pack: baseline (internal code assistance), production
    /// (baseline plus approval for production) or regulated (deny by default).
    #[arg(long, default_value = "baseline", value_parser = ["baseline", "production", "regulated"])]
    pub pack: String,
    /// Overwrite warden.toml and the policies (the database and keys are kept).
    #[arg(long)]
    pub force: bool,
}

/// `warden check`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    warden check --tool Bash --input '{\"command\":\"git push origin main\"}'\n  \
    warden check --tool Read --input '{\"file_path\":\"/home/me/.ssh/id_rsa\"}' --json\n  \
    warden check --tool mcp__github__create_issue --input '{\"title\":\"x\"}'\n\n\
    The exit status is 0 when a decision was made (whatever it is) and 1 when \
    warden could not run (not initialized, invalid policies).")]
pub struct CheckArgs {
    /// The tool, by Claude Code's names: Bash, Read, Write, Edit, MultiEdit,
    /// NotebookEdit, Glob, Grep, WebFetch, WebSearch, Task, Agent,
    /// mcp__SERVER__TOOL.
    #[arg(long)]
    pub tool: String,
    /// The tool's input as JSON in Claude Code's tool_input shape, `@FILE`
    /// to read it from a file, or `-` for standard input.
    #[arg(long)]
    pub input: String,
    /// The working directory the action runs in (default: the current one).
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// The agent's name (default: `default_agent` from warden.toml).
    #[arg(long)]
    pub agent: Option<String>,
    /// Print one JSON object: decision, policies, reasons, classes and the
    /// classified action.
    #[arg(long)]
    pub json: bool,
}

/// `warden policy …`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Check the policies against the schema (default: $WARDEN_HOME/policies).
    Validate(PolicySource),
    /// Run policy test files: each case is an action and its expected
    /// decision. Exits 1 when any test fails.
    Test(PolicyTestArgs),
    /// List the shipped policy packs.
    Packs,
}

/// Where policies come from.
#[derive(Debug, Args)]
pub struct PolicySource {
    /// A directory holding warden.cedarschema and *.cedar files.
    #[arg(long, value_name = "DIR", conflicts_with = "pack")]
    pub dir: Option<PathBuf>,
    /// A shipped pack instead of installed policies.
    #[arg(long, value_parser = ["baseline", "production", "regulated"])]
    pub pack: Option<String>,
}

/// `warden policy test`.
#[derive(Debug, Args)]
pub struct PolicyTestArgs {
    /// Test files (TOML). With --pack and no files, the pack's own tests run.
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub source: PolicySource,
    /// Print every test, not only failures.
    #[arg(long, short)]
    pub verbose: bool,
}
