//! Endpoint posture discovery: which AI coding assistants a user has, how
//! each is configured, which credentials each could reach, and how much
//! damage each could do.
//!
//! [`scan`] looks at one account's home directory (and, optionally, the
//! system-wide managed config under [`ScanOptions::system_root`] and a set
//! of repositories) and returns a [`ScanReport`]:
//!
//! * **Assistants** ([`Assistant`]): Claude Code, Codex CLI, Gemini CLI,
//!   Cursor, VS Code with Copilot, Cline, Continue, Windsurf, Zed, Goose and
//!   the Copilot CLI, found by binaries on `PATH`, config directories and
//!   editor extension directories. For each: its permission mode and
//!   whether it runs unattended (bypass, YOLO, auto-approve), its allow
//!   rules, its hooks (is warden's installed, and does it fail closed under
//!   that assistant's semantics), its MCP servers (transport, the names of
//!   the environment variables holding tokens, fingerprints of tokens
//!   written into the config, where each is configured), its plugins and
//!   extensions, whether it is governed, its risk [`Tier`] with the reason,
//!   and [`Finding`]s, each with the warden command that fixes it.
//! * **Credentials** ([`CredentialFinding`]) the account holds and an
//!   unsandboxed assistant therefore inherits: cloud CLIs (AWS, gcloud,
//!   Azure), kubeconfig contexts, gh and glab, registry tokens (npm, PyPI,
//!   cargo, docker), SSH keys (with or without a passphrase) and the agent,
//!   the git credential store and `.netrc`, secrets in shell profiles and
//!   the environment, `.env` files and secrets in the scanned repositories
//!   (through `warden-secrets`' parallel walker) and tokens written into MCP
//!   configs.
//!
//! **No secret value ever leaves the scan.** A credential is named by its
//! [`fingerprint`] (type, last four characters, a hash prefix); every
//! literal secret value met while parsing is remembered and scrubbed from
//! every string of the report before it is returned, and the renderers
//! pass every string through `warden_secrets::redact` as well.
//!
//! **The scan never fails and never panics on input.** Unreadable, oversized
//! or malformed files, symlinks leading out of the scanned roots, FIFOs and
//! devices become [`ScanReport::notes`]; each assistant's and each
//! credential source's parsing runs under `catch_unwind` as a last resort.
//!
//! Where config locations and keys come from: the project's reference
//! `hooks-and-configs.md` (each assistant's documented files and keys).
//! Keys read here that the reference does not list are named in the docs
//! of the module that reads them.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod assistants;
mod creds;
mod error;
mod fsread;
mod hooks;
mod mcp;
mod parse;
mod render;
mod risk;
mod ssh;

pub use error::ScanError;
pub use render::{render_table, to_json, to_sarif};
pub use risk::reassess;

use serde::Serialize;
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Instant;

/// What to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOptions {
    /// The home directory of the account to scan.
    pub home: PathBuf,
    /// Repositories and directories to walk for `.env` files and secrets;
    /// their top-level project configs (`.mcp.json`, `.claude/settings.json`,
    /// `.cursor/mcp.json`, …) are read too.
    pub paths: Vec<PathBuf>,
    /// The `PATH` to look for assistants' binaries in (`None`: binaries are
    /// not looked for).
    pub path_env: Option<OsString>,
    /// No file larger than this is read (configs and walked files alike).
    pub max_file_bytes: u64,
    /// Honour `.gitignore` while walking [`ScanOptions::paths`] (off by
    /// default: ignored files such as `.env` are where secrets live).
    pub respect_gitignore: bool,
    /// The scanned account's environment (`SSH_AUTH_SOCK`, `CODEX_HOME`,
    /// `XDG_CONFIG_HOME`, `GOOSE_MODE`, tokens in variables, …). Taken from
    /// here, never from the scanning process, so scans are reproducible.
    pub env: Vec<(String, String)>,
    /// Where system-wide managed configs live (`/` on a real machine):
    /// `/etc/claude-code/managed-settings.json`, `/etc/gemini-cli/settings.json`,
    /// `/etc/codex/config.toml`, `/etc/cursor/hooks.json`,
    /// `/etc/windsurf/hooks.json`. `None` skips them.
    pub system_root: Option<PathBuf>,
}

/// Default for [`ScanOptions::max_file_bytes`]: 10 MiB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

impl ScanOptions {
    /// Options for `home` with nothing else: no repositories, no `PATH`, no
    /// environment, no system root, a 10 MiB file limit.
    pub fn new(home: impl Into<PathBuf>) -> ScanOptions {
        ScanOptions {
            home: home.into(),
            paths: Vec::new(),
            path_env: None,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            respect_gitignore: false,
            env: Vec::new(),
            system_root: None,
        }
    }
}

/// Everything a scan found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScanReport {
    /// The home directory that was scanned.
    pub home: PathBuf,
    /// The assistants found, in [`AssistantKind`] order.
    pub assistants: Vec<Assistant>,
    /// Credentials reachable from the account, in discovery order.
    pub credentials: Vec<CredentialFinding>,
    /// What could not be read or was skipped, and why.
    pub notes: Vec<String>,
    /// How much was read.
    pub stats: ScanStats,
}

/// How much a scan read and how long it took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ScanStats {
    /// Files read (configs, credential files and walked files).
    pub files_scanned: u64,
    /// Bytes read.
    pub bytes_scanned: u64,
    /// Wall-clock milliseconds.
    pub elapsed_ms: u64,
}

/// The assistants the scan knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssistantKind {
    /// Anthropic's Claude Code (CLI and IDE extension).
    ClaudeCode,
    /// OpenAI's Codex CLI (and its IDE extension).
    Codex,
    /// Google's Gemini CLI.
    Gemini,
    /// Cursor.
    Cursor,
    /// VS Code with GitHub Copilot's agent.
    VscodeCopilot,
    /// Cline (VS Code extension `saoudrizwan.claude-dev`).
    Cline,
    /// Continue (extension `continue.continue`, CLI `cn`).
    Continue,
    /// Windsurf (Cascade).
    Windsurf,
    /// Zed's agent.
    Zed,
    /// Block's Goose.
    Goose,
    /// GitHub Copilot CLI.
    CopilotCli,
}

impl AssistantKind {
    /// Every kind, in report order.
    pub const ALL: [AssistantKind; 11] = [
        AssistantKind::ClaudeCode,
        AssistantKind::Codex,
        AssistantKind::Gemini,
        AssistantKind::Cursor,
        AssistantKind::VscodeCopilot,
        AssistantKind::Cline,
        AssistantKind::Continue,
        AssistantKind::Windsurf,
        AssistantKind::Zed,
        AssistantKind::Goose,
        AssistantKind::CopilotCli,
    ];

    /// The kind's stable name (`claude-code`, `vscode-copilot`, …), also the
    /// default agent name in remediation commands.
    pub fn as_str(self) -> &'static str {
        match self {
            AssistantKind::ClaudeCode => "claude-code",
            AssistantKind::Codex => "codex",
            AssistantKind::Gemini => "gemini",
            AssistantKind::Cursor => "cursor",
            AssistantKind::VscodeCopilot => "vscode-copilot",
            AssistantKind::Cline => "cline",
            AssistantKind::Continue => "continue",
            AssistantKind::Windsurf => "windsurf",
            AssistantKind::Zed => "zed",
            AssistantKind::Goose => "goose",
            AssistantKind::CopilotCli => "copilot-cli",
        }
    }

    /// The name people know it by.
    pub fn display_name(self) -> &'static str {
        match self {
            AssistantKind::ClaudeCode => "Claude Code",
            AssistantKind::Codex => "Codex CLI",
            AssistantKind::Gemini => "Gemini CLI",
            AssistantKind::Cursor => "Cursor",
            AssistantKind::VscodeCopilot => "VS Code + Copilot",
            AssistantKind::Cline => "Cline",
            AssistantKind::Continue => "Continue",
            AssistantKind::Windsurf => "Windsurf",
            AssistantKind::Zed => "Zed",
            AssistantKind::Goose => "Goose",
            AssistantKind::CopilotCli => "Copilot CLI",
        }
    }

    /// The `--kind` of `warden agent register` for this assistant.
    pub fn registry_kind(self) -> &'static str {
        match self {
            AssistantKind::ClaudeCode => "claude-code",
            AssistantKind::Codex => "codex",
            AssistantKind::Gemini => "gemini",
            AssistantKind::Cursor => "cursor",
            AssistantKind::VscodeCopilot | AssistantKind::CopilotCli => "copilot",
            AssistantKind::Windsurf => "windsurf",
            AssistantKind::Cline => "cline",
            AssistantKind::Continue | AssistantKind::Zed | AssistantKind::Goose => "other",
        }
    }

    /// The command that starts it (what `warden run -- …` wraps).
    pub fn launch_command(self) -> &'static str {
        match self {
            AssistantKind::ClaudeCode => "claude",
            AssistantKind::Codex => "codex",
            AssistantKind::Gemini => "gemini",
            AssistantKind::Cursor => "cursor",
            AssistantKind::VscodeCopilot | AssistantKind::Cline => "code",
            AssistantKind::Continue => "cn",
            AssistantKind::Windsurf => "windsurf",
            AssistantKind::Zed => "zed",
            AssistantKind::Goose => "goose",
            AssistantKind::CopilotCli => "copilot",
        }
    }
}

impl std::fmt::Display for AssistantKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an assistant was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    /// An executable on `PATH`.
    Binary,
    /// A config file or directory.
    Config,
    /// An editor extension directory.
    Extension,
}

impl EvidenceKind {
    /// `binary`, `config` or `extension`.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Binary => "binary",
            EvidenceKind::Config => "config",
            EvidenceKind::Extension => "extension",
        }
    }
}

/// One piece of evidence that an assistant is installed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Evidence {
    /// What kind of evidence.
    pub kind: EvidenceKind,
    /// Where.
    pub path: PathBuf,
}

/// What an assistant's hook configuration does for governance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HookStatus {
    /// Warden's hook is registered on the assistant's pre-action event
    /// (`PreToolUse`, `BeforeTool`, `preToolUse`, `pre_run_command`, …) and
    /// not disabled by another setting.
    pub warden_installed: bool,
    /// Every warden pre-action hook fails closed under the assistant's
    /// semantics: for exit-2 assistants (Claude Code, Codex, Gemini, VS Code,
    /// Windsurf, Copilot) the shell command ends with `|| exit 2`; for
    /// Cursor, `"failClosed": true` or `|| exit 2`; for Cline, a fallback
    /// that prints `{"cancel": true}`.
    pub fails_closed: bool,
    /// Other hooks, as `Event: command` (secrets redacted, shortened).
    pub other_hooks: Vec<String>,
}

/// One MCP server (tool connection) an assistant is configured with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct McpServer {
    /// The server's name in the config.
    pub name: String,
    /// `stdio: <command line>` or `<type>: <url>` (secrets redacted).
    pub transport: String,
    /// Whether the config enables it (`disabled: true`, `enabled: false`
    /// turn it off).
    pub enabled: bool,
    /// Names of environment variables that carry its tokens: `env` entries
    /// with token-like names or token values, `${VAR}` references in
    /// headers, `bearer_token_env_var`, `env_vars`, `env_http_headers`.
    /// Names only, never values.
    pub env_token_vars: Vec<String>,
    /// [`fingerprint`]s of tokens written literally into the config.
    pub token_fingerprints: Vec<String>,
    /// The file it is configured in.
    pub origin: PathBuf,
}

/// Whether an assistant is under warden's control.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Governance {
    /// Warden's hook gates its actions ([`HookStatus::warden_installed`]).
    pub hook: bool,
    /// It is registered as an identity; `None` until the caller fills it
    /// from warden's registry (then call [`reassess`]).
    pub registered: Option<bool>,
    /// It runs inside warden's sandbox: `Some(true)` when a shell alias or
    /// function in the account's shell profile starts it through
    /// `warden run`; otherwise `None` (unknown), for the caller to fill.
    pub sandboxed: Option<bool>,
}

impl Governance {
    /// `governed` (a warden hook or sandbox controls it), `registered`
    /// (known to the registry, but nothing enforces it) or `shadow`.
    pub fn status(&self) -> &'static str {
        if self.hook || self.sandboxed == Some(true) {
            "governed"
        } else if self.registered == Some(true) {
            "registered"
        } else {
            "shadow"
        }
    }
}

/// How much damage an assistant could do: the most sensitive action it can
/// take. Ordered from least to most sensitive; the names match the tiers
/// `warden agent show` computes under policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// Reads the workspace.
    #[default]
    ReadOnly,
    /// Changes files in the workspace.
    WorkspaceWrite,
    /// Sends data to arbitrary network destinations.
    NetworkSend,
    /// Writes to remote services: pushes code, publishes packages, calls
    /// SaaS APIs with a token.
    RemoteWrite,
    /// Changes cloud infrastructure.
    CloudWrite,
    /// Changes production.
    ProductionWrite,
    /// Production or long-lived cloud credentials, used with nobody
    /// approving each action and no fail-closed policy gate.
    Critical,
}

impl Tier {
    /// `read-only`, `workspace-write`, `network-send`, `remote-write`,
    /// `cloud-write`, `production-write` or `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::ReadOnly => "read-only",
            Tier::WorkspaceWrite => "workspace-write",
            Tier::NetworkSend => "network-send",
            Tier::RemoteWrite => "remote-write",
            Tier::CloudWrite => "cloud-write",
            Tier::ProductionWrite => "production-write",
            Tier::Critical => "critical",
        }
    }
}

impl std::fmt::Display for Tier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How urgent a finding is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Worth knowing.
    #[default]
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// `info`, `low`, `medium`, `high` or `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something about an assistant that should change, with the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule id (`shadow-assistant`, `bypass-mode`, …), the SARIF
    /// `ruleId` (prefixed `warden-scan/`).
    pub rule: String,
    /// How urgent.
    pub severity: Severity,
    /// One line.
    pub title: String,
    /// What was seen and why it matters.
    pub detail: String,
    /// The warden command that fixes it (and the config change, if any).
    pub remediation: String,
    /// The file the finding is about, when there is one.
    pub path: Option<PathBuf>,
}

/// One AI coding assistant found on the endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assistant {
    /// Which assistant.
    pub kind: AssistantKind,
    /// How it was found.
    pub found_by: Vec<Evidence>,
    /// The most permissive permission or approval mode configured in any
    /// scope read (`bypassPermissions`, `never/danger-full-access`, `auto`,
    /// …), with `None` when no file sets one.
    pub permission_mode: Option<String>,
    /// It can act with nobody approving: bypass/YOLO/auto-approve-all
    /// settings (`bypassPermissions`, `approval_policy = "never"`,
    /// `chat.tools.autoApprove`, `GOOSE_MODE: auto`, …).
    pub bypass: bool,
    /// Rules that pre-approve actions, as written (`Bash(git push *)`),
    /// or normalised to that shape for assistants with other syntaxes
    /// (`terminal(npm test)`, `prefix_rule(gh pr view)`, `mcp__server__*`).
    pub allow_rules: Vec<String>,
    /// Hooks and whether warden's is one of them.
    pub hooks: HookStatus,
    /// MCP servers from every config read.
    pub mcp_servers: Vec<McpServer>,
    /// Plugins and extensions (Claude Code plugins, Gemini extensions,
    /// editor extension ids).
    pub plugins: Vec<String>,
    /// Whether warden controls it.
    pub governed: Governance,
    /// The most sensitive action it can take.
    pub tier: Tier,
    /// Why [`Assistant::tier`] is what it is.
    pub tier_reason: String,
    /// What should change, each with its remediation.
    pub findings: Vec<Finding>,
    /// Facts the risk assessment needs but the report does not show.
    #[serde(skip)]
    pub(crate) facts: risk::Facts,
}

impl Assistant {
    /// An assistant of `kind` with nothing found yet.
    pub fn new(kind: AssistantKind) -> Assistant {
        Assistant {
            kind,
            found_by: Vec::new(),
            permission_mode: None,
            bypass: false,
            allow_rules: Vec::new(),
            hooks: HookStatus::default(),
            mcp_servers: Vec::new(),
            plugins: Vec::new(),
            governed: Governance::default(),
            tier: Tier::ReadOnly,
            tier_reason: String::new(),
            findings: Vec::new(),
            facts: risk::Facts::default(),
        }
    }
}

/// A credential reachable from the scanned account. Never holds the value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CredentialFinding {
    /// What it is: `aws-access-key`, `aws-sso-profile`,
    /// `aws-credential-process`, `aws-role-profile`, `gcloud-adc`,
    /// `gcloud-cli`, `azure-cli`, `azure-service-principal`, `kube-context`,
    /// `gh-token`, `glab-token`, `npm-token`, `pypi-token`, `cargo-token`,
    /// `docker-auth`, `ssh-key`, `ssh-agent`, `git-credential-store`,
    /// `netrc`, `env-secret`, `shell-profile-secret`, `dotenv-secret`,
    /// `repo-secret` or `mcp-config-token`.
    pub kind: String,
    /// The file it is in (`<environment>` for the process environment).
    pub path: PathBuf,
    /// Profile, context, host, variable or rule name.
    pub name: Option<String>,
    /// [`fingerprint`] (or the SSH `SHA256:` key fingerprint), never the
    /// value.
    pub fingerprint: Option<String>,
    /// Days since the file holding it changed.
    pub age_days: Option<u64>,
    /// It does not expire by itself (an IAM user key, a PAT, a key file).
    pub long_lived: bool,
    /// Its name suggests production (`prod`, `production`, `prd`, `live`).
    pub production: bool,
    /// What it can reach, as far as the config says.
    pub scope_hint: Option<String>,
    /// SSH keys: whether the key is protected by a passphrase.
    pub passphrase: Option<bool>,
    /// The 1-based line it is on, for secrets found in files.
    pub line: Option<u64>,
}

impl CredentialFinding {
    /// How urgent it is on its own (before any assistant reaches it).
    pub fn severity(&self) -> Severity {
        risk::credential_severity(self)
    }

    /// The warden command (and clean-up) that takes it out of assistants'
    /// reach.
    pub fn remediation(&self) -> String {
        risk::credential_remediation(self)
    }
}

/// A stable, non-reversible name for a secret, in the same format as
/// `warden_secrets::fingerprint`: `kind:…last4:sha256-prefix`, where `last4`
/// is the value's last four characters (`****` when the value is shorter
/// than 16 characters) and the prefix is the first 12 hex digits of the
/// SHA-256 of the value. The same secret found by the repository walker
/// and in a config has the same hash part.
pub fn fingerprint(kind: &str, secret: &[u8]) -> String {
    warden_secrets::fingerprint_as(kind, secret)
}

/// Scans the endpoint described by `opts` (see the crate docs). Never
/// panics on input and never fails: what cannot be read becomes a note.
pub fn scan(opts: &ScanOptions) -> ScanReport {
    let started = Instant::now();
    let env: HashMap<String, String> = opts.env.iter().cloned().collect();
    let ctx = fsread::Ctx::new(
        opts.home.clone(),
        opts.max_file_bytes,
        env,
        opts.system_root.clone(),
    );
    for p in &opts.paths {
        ctx.add_root(p);
    }
    let mut credentials = Vec::new();
    let shell = creds::discover(&ctx, &mut credentials);
    let mut assistants = assistants::discover(&ctx, opts, &shell, &mut credentials);
    let walk = creds::walk_paths(&ctx, opts, &mut credentials);
    risk::assess_all(&mut assistants, &credentials);
    let mut report = ScanReport {
        home: opts.home.clone(),
        assistants,
        credentials,
        notes: ctx.take_notes(),
        stats: ScanStats {
            files_scanned: ctx.files.get() + walk.0,
            bytes_scanned: ctx.bytes.get() + walk.1,
            elapsed_ms: 0,
        },
    };
    render::scrub_report(&mut report, &ctx.take_secrets());
    report.stats.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    report
}

/// Runs `f`, turning a panic into a note (a last resort: parsers are meant
/// not to panic, and the scan must not either).
pub(crate) fn guarded<F: FnOnce()>(ctx: &fsread::Ctx, what: &str, f: F) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err() {
        ctx.note(format!("internal error while reading {what}; skipped"));
    }
}
