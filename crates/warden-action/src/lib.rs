//! The normalized action, the decision, and the identity vocabulary.
//!
//! Every Warden entry point (an assistant's hook, the MCP gateway, the egress
//! proxy, the sandbox launcher) turns what it sees into one [`Action`]. The
//! classifiers fill in its [`Context`], the policy engine turns it into a
//! [`Decision`], and the entry point renders that decision in its own
//! protocol. This crate is plain data: no I/O, no policy, no parsing of any
//! assistant's protocol.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Who performs an action: the non-human identity, the human behind it and
/// the session, prompt and tool call that link intent to execution.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Who {
    /// The agent identity's name (for example `claude-code` or a registered name).
    pub agent: String,
    /// The assistant product (`claude-code`, `codex`, `gemini`, …), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_kind: Option<String>,
    /// The accountable human on whose behalf the agent acts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub human: Option<String>,
    /// The assistant's session id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// The id of the human prompt that led to this action (the intent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_id: Option<String>,
    /// The id of the tool call itself (the execution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_use_id: Option<String>,
    /// What warden's registry says of the agent; None when it is not
    /// registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<AgentFacts>,
    /// What the session credential presented with the action says.
    #[serde(default)]
    pub credential: CredentialState,
}

/// The outcome of checking the session credential that came with an
/// action. An `Invalid` credential is denied before any policy runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CredentialState {
    /// No credential was checked. Only what-if evaluations (`warden
    /// check`, policy tests, benchmarks) leave it so; every enforcing entry
    /// point sets `Valid` or `Invalid`.
    #[default]
    NotChecked,
    /// A valid credential covers the action.
    Valid {
        /// The credential's id.
        id: String,
        /// The caveat label for a derived credential (`subagent:Explore`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Missing, forged, expired, revoked, or bound elsewhere.
    Invalid {
        /// One line saying which, and what to do.
        reason: String,
    },
}

/// Registry facts about an agent identity, as policies see them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentFacts {
    /// `active`, `suspended` or `offboarded`.
    pub state: String,
    /// The accountable owner.
    pub owner: String,
    /// The risk tier.
    pub tier: String,
    /// The assistant product (`claude-code`, `codex`, …).
    pub kind: String,
}

/// The kind of an action. Each kind is one Cedar action in the policy schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// A shell command line.
    Shell,
    /// Reading a file.
    FileRead,
    /// Creating or overwriting a file.
    FileWrite,
    /// Editing part of an existing file.
    FileEdit,
    /// Searching or listing files (glob, grep).
    Search,
    /// Fetching a URL or searching the web.
    NetworkFetch,
    /// Calling a tool on an MCP server.
    McpCall,
    /// Starting a subagent.
    Subagent,
    /// Anything else an assistant may do.
    Other,
}

impl ActionKind {
    /// Every kind, in schema order.
    pub const ALL: [ActionKind; 9] = [
        ActionKind::Shell,
        ActionKind::FileRead,
        ActionKind::FileWrite,
        ActionKind::FileEdit,
        ActionKind::Search,
        ActionKind::NetworkFetch,
        ActionKind::McpCall,
        ActionKind::Subagent,
        ActionKind::Other,
    ];

    /// The snake_case name, which is also the Cedar action id.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Shell => "shell",
            ActionKind::FileRead => "file_read",
            ActionKind::FileWrite => "file_write",
            ActionKind::FileEdit => "file_edit",
            ActionKind::Search => "search",
            ActionKind::NetworkFetch => "network_fetch",
            ActionKind::McpCall => "mcp_call",
            ActionKind::Subagent => "subagent",
            ActionKind::Other => "other",
        }
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An MCP server and one of its tools.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpTarget {
    /// The server's configured name.
    pub server: String,
    /// The tool's name on that server.
    pub tool: String,
}

/// What the action does and on what, as the entry point reported it.
///
/// Paths are absolute with symlinks resolved once the classifiers have run;
/// adapters may leave them relative to `cwd`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct What {
    /// The kind of action.
    pub kind: ActionKind,
    /// The assistant's own tool name (`Bash`, `Read`, `mcp__github__create_issue`, …).
    pub tool: String,
    /// The working directory the action runs in.
    pub cwd: String,
    /// The shell command line, for shell actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Files and directories the action names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// URLs the action names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// The MCP server and tool, for MCP calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp: Option<McpTarget>,
    /// Text the action would write, or other free text worth scanning for
    /// secrets (edit replacements, a web search query, MCP arguments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

impl What {
    /// A new action description of `kind` for `tool`, run in `cwd`.
    pub fn new(kind: ActionKind, tool: impl Into<String>, cwd: impl Into<String>) -> Self {
        What {
            kind,
            tool: tool.into(),
            cwd: cwd.into(),
            command: None,
            paths: Vec::new(),
            urls: Vec::new(),
            mcp: None,
            content: None,
        }
    }
}

/// A class of behaviour found by the classifiers. The names are the strings
/// that Cedar policies test in `context.classes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Reads or lists without changing anything.
    ReadOnly,
    /// Writes inside the workspace.
    WorkspaceWrite,
    /// Writes inside a temporary directory.
    TempWrite,
    /// Writes outside the workspace and temporary directories.
    OutsideWrite,
    /// Builds, tests, lints or formats code.
    BuildTest,
    /// Installs packages from the default registries.
    PackageInstall,
    /// Installs packages from an arbitrary URL, path or index.
    PackageInstallUntrusted,
    /// Local version control (commit, branch, diff, …).
    VcsLocal,
    /// Writes to a remote repository or code host (push, pull requests, releases).
    VcsRemoteWrite,
    /// Publishes a package or image.
    Publish,
    /// Downloads from the network.
    NetworkRead,
    /// Sends data to the network.
    NetworkSend,
    /// Sends workspace files or secrets out of the machine.
    Exfiltration,
    /// Runs code fetched or decoded at run time.
    RemoteCodeExec,
    /// Irreversibly destroys data outside the workspace, devices or system trees.
    Destructive,
    /// Gains privileges (sudo, su, doas, pkexec).
    Privilege,
    /// Installs persistence (shell rc files, cron, systemd units, autostart).
    Persistence,
    /// Tampers with governance (assistant settings and hooks, warden, git hooks).
    GovernanceTamper,
    /// Deploys (kubectl apply, helm upgrade, terraform apply, …).
    Deploy,
    /// Mutates cloud resources.
    CloudMutation,
    /// Writes to a database.
    DatabaseWrite,
    /// Reads secrets: credential files, secret stores, secret environment variables.
    SecretAccess,
    /// A secret value appears in content the action writes or sends.
    SecretInContent,
    /// A secret value appears in a URL.
    SecretInUrl,
    /// Irreversibly discards uncommitted work.
    DiscardWork,
    /// Reads home-directory files outside the workspace.
    HomeRead,
    /// Code whose effect cannot be judged statically.
    Opaque,
    /// A program the classifier does not know.
    Unknown,
    /// Starts a subagent.
    Subagent,
    /// An MCP tool that reads.
    McpRead,
    /// An MCP tool that writes or acts.
    McpWrite,
    /// Stops or signals other processes.
    ProcessControl,
}

impl Class {
    /// The snake_case name used in policies.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::ReadOnly => "read_only",
            Class::WorkspaceWrite => "workspace_write",
            Class::TempWrite => "temp_write",
            Class::OutsideWrite => "outside_write",
            Class::BuildTest => "build_test",
            Class::PackageInstall => "package_install",
            Class::PackageInstallUntrusted => "package_install_untrusted",
            Class::VcsLocal => "vcs_local",
            Class::VcsRemoteWrite => "vcs_remote_write",
            Class::Publish => "publish",
            Class::NetworkRead => "network_read",
            Class::NetworkSend => "network_send",
            Class::Exfiltration => "exfiltration",
            Class::RemoteCodeExec => "remote_code_exec",
            Class::Destructive => "destructive",
            Class::Privilege => "privilege",
            Class::Persistence => "persistence",
            Class::GovernanceTamper => "governance_tamper",
            Class::Deploy => "deploy",
            Class::CloudMutation => "cloud_mutation",
            Class::DatabaseWrite => "database_write",
            Class::SecretAccess => "secret_access",
            Class::SecretInContent => "secret_in_content",
            Class::SecretInUrl => "secret_in_url",
            Class::DiscardWork => "discard_work",
            Class::HomeRead => "home_read",
            Class::Opaque => "opaque",
            Class::Unknown => "unknown",
            Class::Subagent => "subagent",
            Class::McpRead => "mcp_read",
            Class::McpWrite => "mcp_write",
            Class::ProcessControl => "process_control",
        }
    }

    /// Every class.
    pub const ALL: [Class; 32] = [
        Class::ReadOnly,
        Class::WorkspaceWrite,
        Class::TempWrite,
        Class::OutsideWrite,
        Class::BuildTest,
        Class::PackageInstall,
        Class::PackageInstallUntrusted,
        Class::VcsLocal,
        Class::VcsRemoteWrite,
        Class::Publish,
        Class::NetworkRead,
        Class::NetworkSend,
        Class::Exfiltration,
        Class::RemoteCodeExec,
        Class::Destructive,
        Class::Privilege,
        Class::Persistence,
        Class::GovernanceTamper,
        Class::Deploy,
        Class::CloudMutation,
        Class::DatabaseWrite,
        Class::SecretAccess,
        Class::SecretInContent,
        Class::SecretInUrl,
        Class::DiscardWork,
        Class::HomeRead,
        Class::Opaque,
        Class::Unknown,
        Class::Subagent,
        Class::McpRead,
        Class::McpWrite,
        Class::ProcessControl,
    ];

    /// Parses a class from its policy name.
    pub fn parse(name: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sensitive a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    /// A secret store or credential file.
    Secret,
    /// A governance file: assistant settings and hooks, warden's state, git hooks.
    Governance,
    /// A persistence location: shell rc files, crontabs, systemd units, autostart.
    Persistence,
    /// A system directory outside the user's home.
    System,
    /// In the user's home but outside the workspace.
    Home,
    /// A temporary directory.
    Temp,
    /// A device node.
    Device,
}

impl Sensitivity {
    /// The snake_case name used in policies.
    pub fn as_str(self) -> &'static str {
        match self {
            Sensitivity::Secret => "secret",
            Sensitivity::Governance => "governance",
            Sensitivity::Persistence => "persistence",
            Sensitivity::System => "system",
            Sensitivity::Home => "home",
            Sensitivity::Temp => "temp",
            Sensitivity::Device => "device",
        }
    }
}

/// What the classifiers learned about one path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathFact {
    /// The absolute path, symlinks resolved as far as the path exists.
    pub path: String,
    /// Whether it lies inside the workspace.
    pub in_workspace: bool,
    /// Its sensitivity labels.
    pub sensitivity: BTreeSet<Sensitivity>,
    /// Why it was labelled (for explanations), for example `ssh private key`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// The class of a network destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DestinationClass {
    /// A package registry (npm, PyPI, crates.io, …).
    PackageRegistry,
    /// A code host (GitHub, GitLab, …).
    CodeHosting,
    /// Documentation sites.
    Docs,
    /// Internal hosts (configurable).
    Internal,
    /// Production (configurable).
    Production,
    /// Loopback.
    Local,
    /// Anything else.
    Unknown,
}

impl DestinationClass {
    /// The snake_case name used in policies.
    pub fn as_str(self) -> &'static str {
        match self {
            DestinationClass::PackageRegistry => "package_registry",
            DestinationClass::CodeHosting => "code_hosting",
            DestinationClass::Docs => "docs",
            DestinationClass::Internal => "internal",
            DestinationClass::Production => "production",
            DestinationClass::Local => "local",
            DestinationClass::Unknown => "unknown",
        }
    }
}

/// A network destination the action reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    /// The host name or address, lower-cased.
    pub host: String,
    /// Its class.
    pub class: DestinationClass,
}

/// A secret found in content, reported without its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretFinding {
    /// The rule that matched, for example `aws-access-key-id`.
    pub rule: String,
    /// Where it was found: `command`, `url`, `content`, `path`.
    pub location: String,
    /// A redacted preview: the first characters of the secret's kind and its last four characters.
    pub redacted: String,
}

/// The repository or directory the action works in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    /// The git root of the cwd, or the cwd itself outside git.
    pub root: String,
    /// Whether `root` is a git repository.
    pub is_git: bool,
    /// The `origin` remote URL (credentials stripped), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// The checked-out branch, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// The configured `core.hooksPath`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hooks_path: Option<String>,
}

/// Everything the classifiers computed about an action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    /// The workspace.
    pub workspace: Workspace,
    /// Behaviour classes; never empty after classification.
    pub classes: BTreeSet<Class>,
    /// Programs the command runs (base names, wrappers unwrapped).
    pub programs: BTreeSet<String>,
    /// Facts about each path touched.
    pub paths: Vec<PathFact>,
    /// Network destinations.
    pub destinations: Vec<Destination>,
    /// Secrets found, without their values.
    pub secrets: Vec<SecretFinding>,
    /// Whether the action targets production (hosts, kube contexts, cloud profiles).
    pub production: bool,
    /// Human-readable notes on why each class was assigned.
    pub notes: Vec<String>,
    /// The first note given for each class, so a decision can say why the
    /// class that triggered a policy was found.
    #[serde(default)]
    pub evidence: BTreeMap<Class, String>,
}

impl Context {
    /// Adds a class with the note that explains it.
    pub fn add(&mut self, class: Class, note: impl Into<String>) {
        self.classes.insert(class);
        let note = note.into();
        self.evidence.entry(class).or_insert_with(|| note.clone());
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    /// Whether every path touched lies inside the workspace.
    pub fn all_paths_in_workspace(&self) -> bool {
        self.paths.iter().all(|p| p.in_workspace)
    }

    /// The union of all path sensitivities.
    pub fn sensitivities(&self) -> BTreeSet<Sensitivity> {
        self.paths
            .iter()
            .flat_map(|p| p.sensitivity.iter().copied())
            .collect()
    }
}

/// A normalized action: who, what, and its context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// Who acts.
    pub who: Who,
    /// What is done, on what.
    pub what: What,
    /// What the classifiers found.
    #[serde(default)]
    pub context: Context,
}

impl Action {
    /// A new, not yet classified action.
    pub fn new(who: Who, what: What) -> Self {
        Action {
            who,
            what,
            context: Context::default(),
        }
    }
}

/// The effect of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Proceed without asking.
    Allow,
    /// Ask the local human in the assistant's own prompt.
    Ask,
    /// A second, authorized human must approve through warden.
    Approve,
    /// Refuse.
    Deny,
}

impl Effect {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "allow",
            Effect::Ask => "ask",
            Effect::Approve => "approve",
            Effect::Deny => "deny",
        }
    }

    /// Parses an effect name.
    pub fn parse(name: &str) -> Option<Effect> {
        match name {
            "allow" => Some(Effect::Allow),
            "ask" => Some(Effect::Ask),
            "approve" => Some(Effect::Approve),
            "deny" => Some(Effect::Deny),
            _ => None,
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A decision with the policies that made it and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The effect.
    pub effect: Effect,
    /// Ids of the deciding policies.
    pub policies: Vec<String>,
    /// Human-readable reasons, one per deciding policy (or one for a default or an error).
    pub reasons: Vec<String>,
}

impl Decision {
    /// A deny that no policy made: an error, a bad input, a missing policy.
    /// `reason` must be one line and must not contain a secret.
    pub fn fail_closed(reason: impl Into<String>) -> Self {
        Decision {
            effect: Effect::Deny,
            policies: vec!["warden.fail_closed".to_owned()],
            reasons: vec![reason.into()],
        }
    }

    /// The reasons joined into one line.
    pub fn reason_line(&self) -> String {
        let mut line = self.reasons.join("; ");
        line.retain(|c| c != '\n' && c != '\r');
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_round_trip() {
        for class in Class::ALL {
            assert_eq!(Class::parse(class.as_str()), Some(class));
            let json = serde_json_like(class.as_str());
            assert_eq!(json, format!("\"{}\"", class.as_str()));
        }
    }

    fn serde_json_like(name: &str) -> String {
        format!("\"{name}\"")
    }

    #[test]
    fn effect_names_round_trip() {
        for e in [Effect::Allow, Effect::Ask, Effect::Approve, Effect::Deny] {
            assert_eq!(Effect::parse(e.as_str()), Some(e));
        }
        assert_eq!(Effect::parse("permit"), None);
    }

    #[test]
    fn fail_closed_is_a_one_line_deny() {
        let d = Decision::fail_closed("bad\ninput");
        assert_eq!(d.effect, Effect::Deny);
        assert_eq!(d.reason_line(), "badinput");
    }

    #[test]
    fn context_add_keeps_notes_unique() {
        let mut c = Context::default();
        c.add(Class::ReadOnly, "cat reads");
        c.add(Class::ReadOnly, "cat reads");
        assert_eq!(c.notes.len(), 1);
        assert!(c.classes.contains(&Class::ReadOnly));
    }
}
