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
    /// Answer one assistant hook event (reads the payload on stdin). This is
    /// what `warden install` registers; it fails closed: any error, panic,
    /// malformed or oversized payload or timeout exits 2 (block) with a
    /// one-line reason on stderr.
    #[command(subcommand)]
    Hook(HookCommand),
    /// Register warden's hook with an assistant (or remove it).
    #[command(subcommand)]
    Install(InstallCommand),
    /// Inspect, verify and export the hash-chained audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Register and manage assistant identities (non-human identities).
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Register and manage tool connections (MCP servers, plugins).
    #[command(subcommand)]
    Tool(ToolCommand),
    /// Move identities from one owner to another.
    #[command(subcommand)]
    Owner(OwnerCommand),
    /// Approval requests created by `approve` decisions: a second person
    /// approves or denies them.
    #[command(subcommand)]
    Approvals(ApprovalsCommand),
    /// Session credentials: start a session with its own short-lived,
    /// signed credential, list, show and revoke them.
    #[command(subcommand)]
    Session(SessionCommand),
    /// Just-in-time grants for remote writes and deploys: list and revoke.
    #[command(subcommand)]
    Grants(GrantsCommand),
    /// Enrolled humans: the identity source for sessions and owners.
    #[command(subcommand)]
    Human(HumanCommand),
    /// Run an assistant (or any command) in a governed session: its own
    /// credential, a kernel-enforced sandbox (Landlock, seccomp,
    /// no_new_privs, masked secrets, scrubbed environment) and a governed
    /// egress proxy that decides and records every request and injects
    /// brokered credentials only where a grant covers the request. Refuses
    /// to start when the host cannot enforce a required control or its
    /// canaries, tried in the command's own process before exec, are not
    /// stopped. Secret files that appear in the workspace during the
    /// session are masked inside it. Warden's daemon prepares the session
    /// when it runs (the proxy then lives in it until the command ends);
    /// WARDEN_NO_DAEMON=1 prepares in-process. WARDEN_RUN_TIMING=1 prints
    /// where the launch spends its time.
    Run(RunArgs),
    /// Inventory this endpoint: the AI coding assistants installed (by
    /// binaries, config directories and extension manifests), their
    /// permission modes, allow rules, hooks, MCP servers and plugins, the
    /// credentials this account could hand them, a risk tier for each and
    /// the warden command that fixes each finding. Needs no set-up; never
    /// prints a secret (fingerprints only).
    Scan(ScanArgs),
    /// Map warden's controls to OWASP (NHI, Agentic, LLM), CSA MAESTRO and
    /// NIST (AI RMF, CSF 2.0) identifiers, each with its status on this
    /// endpoint computed from live evidence (scan, registry, audit trail,
    /// sandbox ladder).
    Report(ReportArgs),
    /// Print which sandbox controls this host enforces, and prove each with
    /// a canary. Exit 1 when `warden run` would refuse to start.
    Doctor {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// A resident per-user process that keeps the policies parsed and the
    /// audit log open, so each hook call costs about a millisecond. Hooks
    /// reach it over a user-only Unix socket in $WARDEN_HOME/run and decide
    /// in-process when it is not running.
    #[command(subcommand)]
    Daemon(DaemonCommand),
}

/// `warden hook …`.
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Claude Code's hook protocol (every event). Also recognises VS Code
    /// Copilot's payloads, which reads the same settings files.
    #[command(name = "claude-code")]
    ClaudeCode(HookArgs),
}

/// Options of a hook.
#[derive(Debug, Args)]
pub struct HookArgs {
    /// The agent's name in decisions and records (default: claude-code, or
    /// vscode-copilot for Copilot's payloads).
    #[arg(long)]
    pub agent: Option<String>,
    /// The hook's own deadline in milliseconds; past it, it exits 2 (block)
    /// before the assistant's timeout could turn a hang into "proceed".
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u64).range(50..=60_000))]
    pub timeout_ms: u64,
    /// Decide in this process even when warden's daemon is running.
    #[arg(long)]
    pub no_daemon: bool,
}

/// `warden daemon …`.
#[derive(Debug, Subcommand)]
pub enum DaemonCommand {
    /// Start the daemon in the background (no-op when it runs already).
    Start,
    /// Run the daemon in the foreground.
    Run,
    /// Stop the daemon.
    Stop,
    /// Say whether the daemon runs.
    Status,
}

/// `warden install …`.
#[derive(Debug, Subcommand)]
pub enum InstallCommand {
    /// Register `warden hook claude-code` for every Claude Code event.
    #[command(name = "claude-code")]
    ClaudeCode(InstallArgs),
}

/// Options of `warden install claude-code`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// user: ~/.claude/settings.json; project: <project>/.claude/settings.json;
    /// managed: /etc/claude-code/managed-settings.json (needs root).
    #[arg(long, default_value = "user", value_parser = ["user", "project", "managed"])]
    pub scope: String,
    /// The project directory for --scope project (default: the current one).
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
    /// With --scope managed: also set allowManagedHooksOnly, so user,
    /// project and plugin hooks cannot run beside warden's.
    #[arg(long)]
    pub managed_only: bool,
    /// Remove warden's hooks instead, keeping everything else.
    #[arg(long)]
    pub uninstall: bool,
    /// Print the resulting settings instead of writing them.
    #[arg(long)]
    pub dry_run: bool,
    /// The registered identity the hook acts as (its --agent). Offboarding
    /// that identity removes the hook again.
    #[arg(long)]
    pub agent: Option<String>,
}

/// `warden audit …`.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain and check the signed checkpoints; exits 1
    /// and names the first bad record when anything was altered, deleted,
    /// inserted, reordered or truncated.
    Verify,
    /// Write one JSON object per record to stdout.
    Export(ExportArgs),
    /// A readable timeline of a session: each prompt, then the actions it
    /// led to, with decisions, reasons and results.
    Show(ShowArgs),
    /// Sign a checkpoint of the current head now.
    Checkpoint,
}

/// Options of `warden audit export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// jsonl: warden's records; ocsf: OCSF events (API Activity 6003,
    /// Process Activity 1007, File System Activity 1001).
    #[arg(long, default_value = "jsonl", value_parser = ["jsonl", "ocsf"])]
    pub format: String,
    /// Only this session.
    #[arg(long)]
    pub session: Option<String>,
    /// Only records at or after this RFC 3339 time (e.g. 2026-11-26T00:00:00Z).
    #[arg(long)]
    pub since: Option<String>,
}

/// Options of `warden audit show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The session to show.
    #[arg(long)]
    pub session: String,
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

/// `warden agent …`.
#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Register an assistant identity with an accountable owner.
    Register(AgentRegisterArgs),
    /// List identities.
    List,
    /// Show an identity, its state, scope and risk tier (and what set it).
    Show {
        /// The identity's name.
        name: String,
    },
    /// Suspend an identity: its next action is denied, also in a running session.
    Suspend {
        /// The identity's name.
        name: String,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Resume a suspended identity.
    Resume {
        /// The identity's name.
        name: String,
    },
    /// Offboard an identity for good: it is stopped at its next action,
    /// its approvals are void, its history is kept.
    Offboard {
        /// The identity's name.
        name: String,
        /// Why (recorded).
        #[arg(long)]
        reason: String,
    },
}

/// `warden agent register`.
#[derive(Debug, Args)]
pub struct AgentRegisterArgs {
    /// The identity's name (also what hooks pass as --agent; Claude Code's
    /// hook uses `claude-code` unless told otherwise).
    pub name: String,
    /// claude-code, codex, gemini, cursor, copilot, windsurf, cline or other.
    #[arg(long, value_parser = ["claude-code", "codex", "gemini", "cursor", "copilot", "windsurf", "cline", "other"])]
    pub kind: String,
    /// The accountable owner's email.
    #[arg(long)]
    pub owner: String,
    /// A deputy owner's email.
    #[arg(long)]
    pub deputy: Option<String>,
    /// What it is for.
    #[arg(long)]
    pub purpose: Option<String>,
    /// A TOML file with its scope: repos, paths, destinations, mcp_servers, tool_kinds.
    #[arg(long, value_name = "FILE")]
    pub scope: Option<PathBuf>,
}

/// `warden tool …`.
#[derive(Debug, Subcommand)]
pub enum ToolCommand {
    /// Register a tool connection.
    Add(ToolAddArgs),
    /// List tool connections.
    List,
    /// Show a tool connection.
    Show {
        /// Its name.
        name: String,
    },
    /// Remove a tool connection (recorded; its history is kept).
    Remove {
        /// Its name.
        name: String,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
    },
}

/// `warden tool add`.
#[derive(Debug, Args)]
pub struct ToolAddArgs {
    /// Its name (for MCP servers, the server name assistants use).
    pub name: String,
    /// mcp or plugin.
    #[arg(long, default_value = "mcp", value_parser = ["mcp", "plugin"])]
    pub kind: String,
    /// The accountable owner's email.
    #[arg(long)]
    pub owner: String,
    /// The command line or URL it runs at.
    #[arg(long)]
    pub endpoint: String,
    /// Its version.
    #[arg(long)]
    pub version: Option<String>,
    /// A hash pin, e.g. sha256:….
    #[arg(long)]
    pub pin: Option<String>,
    /// Identities approved to use it (repeatable).
    #[arg(long = "agent")]
    pub agents: Vec<String>,
}

/// `warden approvals …`.
#[derive(Debug, Subcommand)]
pub enum ApprovalsCommand {
    /// List approval requests (pending ones first).
    List {
        /// Only this status: pending, approved, denied, used, expired.
        #[arg(long)]
        status: Option<String>,
    },
    /// Show one request.
    Show {
        /// The request id (apr-…).
        id: String,
    },
    /// Approve a request as a second person (not the session's human).
    Approve {
        /// The request id.
        id: String,
    },
    /// Deny a request.
    Deny {
        /// The request id.
        id: String,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
    },
}

/// `warden owner …`.
#[derive(Debug, Subcommand)]
pub enum OwnerCommand {
    /// Move every identity owned by FROM to TO (recorded).
    Transfer {
        /// The current owner's email.
        from: String,
        /// The new owner's email.
        to: String,
    },
    /// List identities whose owner (or deputy) is missing or inactive:
    /// not enrolled, or deactivated with `warden human deactivate`. Exits 1
    /// when there is any.
    Report {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `warden session …`.
#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// Start a session for an identity: mint its credential (Ed25519-signed,
    /// bound to the identity, you, this session and this repository, and
    /// expiring within the pack's limit) and run COMMAND with it in
    /// WARDEN_SESSION_CREDENTIAL. Without COMMAND, print `export` lines for
    /// `eval "$(warden session start …)"`; the credential is never printed
    /// to a terminal.
    Start(SessionStartArgs),
    /// List session credentials (newest first).
    List {
        /// Only this identity's.
        #[arg(long)]
        agent: Option<String>,
    },
    /// Show one credential (never its token).
    Show {
        /// The credential id.
        id: String,
    },
    /// Revoke a credential and everything derived from it; effective at the
    /// next decision, also in a running session.
    Revoke {
        /// The credential id.
        id: String,
        /// Why (recorded).
        #[arg(long)]
        reason: String,
    },
}

/// `warden session start`.
#[derive(Debug, Args)]
pub struct SessionStartArgs {
    /// The registered identity the session is for.
    #[arg(long)]
    pub agent: String,
    /// What the session is for (recorded, and carried in the credential).
    #[arg(long)]
    pub task: Option<String>,
    /// Lifetime in seconds (default: warden.toml's, capped by the pack).
    #[arg(long, value_name = "SECONDS")]
    pub ttl: Option<u64>,
    /// The directory the session works in (default: the current one).
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// The command to run with the credential.
    #[arg(last = true)]
    pub command: Vec<String>,
}

/// `warden grants …`.
#[derive(Debug, Subcommand)]
pub enum GrantsCommand {
    /// List live and pending grants (with --all, every grant ever issued).
    List {
        /// Include expired, closed and revoked grants.
        #[arg(long)]
        all: bool,
    },
    /// Confirm a grant an `ask` produced, from outside the assistant: only
    /// then may the credential broker use it (the assistant's own prompt
    /// runs where the assistant runs, so its "yes" alone is not enough).
    Confirm {
        /// The grant id (grt-…).
        id: String,
    },
    /// Revoke a grant at once.
    Revoke {
        /// The grant id (grt-…).
        id: String,
        /// Why (recorded).
        #[arg(long)]
        reason: String,
    },
}

/// `warden human …`.
#[derive(Debug, Subcommand)]
pub enum HumanCommand {
    /// Enroll a human (email or user name), or reactivate one.
    Enroll {
        /// Email address or user name.
        name: String,
    },
    /// Mark a human inactive (left, on leave): sessions with
    /// `[identity] human = "enrolled"` refuse them, and identities they own
    /// show up in `warden owner report`.
    Deactivate {
        /// Email address or user name.
        name: String,
    },
    /// List enrolled humans.
    List,
}

/// `warden run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The identity the session is for (default: warden.toml's default_agent).
    #[arg(long)]
    pub agent: Option<String>,
    /// What the session is for (recorded).
    #[arg(long)]
    pub task: Option<String>,
    /// A sandbox profile (TOML) instead of the standard one.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Skip the start-up self-test (the controls are still enforced).
    #[arg(long)]
    pub no_self_test: bool,
    /// Also let the sandbox read (and execute) PATH (repeatable).
    #[arg(long = "read-only", value_name = "PATH")]
    pub read_only: Vec<PathBuf>,
    /// Also let the sandbox write PATH (repeatable).
    #[arg(long = "read-write", value_name = "PATH")]
    pub read_write: Vec<PathBuf>,
    /// The command to run.
    #[arg(last = true, required = true)]
    pub command: Vec<String>,
}

/// `warden scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The home directory to inventory (default: $HOME).
    #[arg(long = "home-dir", value_name = "DIR")]
    pub home_dir: Option<PathBuf>,
    /// Repositories or directories to search for `.env` files and secrets
    /// (repeatable).
    #[arg(long, value_name = "DIR")]
    pub path: Vec<PathBuf>,
    /// table, json or sarif.
    #[arg(long, default_value = "table", value_parser = ["table", "json", "sarif"])]
    pub format: String,
}

/// `warden report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// owasp-nhi, owasp-asi, owasp-llm, maestro, nist-ai-rmf, nist-csf or all.
    #[arg(long, default_value = "all")]
    pub framework: String,
    /// md, html or json.
    #[arg(long, default_value = "md")]
    pub format: String,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The home directory to inventory (default: $HOME).
    #[arg(long = "home-dir", value_name = "DIR")]
    pub home_dir: Option<PathBuf>,
    /// Repositories or directories to search for secrets (repeatable).
    #[arg(long, value_name = "DIR")]
    pub path: Vec<PathBuf>,
}
