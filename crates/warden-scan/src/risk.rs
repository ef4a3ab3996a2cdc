//! Risk: each assistant's tier, the reason, and its findings.
//!
//! # The model
//!
//! **Reach** is the most sensitive thing the assistant could do at all (a
//! human approving each step or not), from three sources:
//!
//! * its shell: every assistant here can run commands, so it can send data
//!   anywhere ([`Tier::NetworkSend`]) and use every credential the account
//!   holds: SSH keys, git and registry tokens → [`Tier::RemoteWrite`];
//!   cloud CLIs and kube contexts → [`Tier::CloudWrite`]; anything named
//!   production → [`Tier::ProductionWrite`]. Under `warden run`
//!   ([`crate::Governance::sandboxed`]) the credential stores are masked and
//!   the environment scrubbed, so only secrets inside the workspace and in
//!   MCP configs stay reachable, and the network goes through warden's
//!   proxy. Codex's own sandbox caps the shell when the approval policy is
//!   `never` (nothing can escalate out of it): `read-only` → read-only,
//!   `workspace-write` without network → workspace-write;
//! * its MCP servers: a server with a token → remote write; one that drives
//!   a cloud (`aws`, `gcloud`, `azure`, `kubectl`, `terraform`, … in its
//!   name or command) → cloud write; a remote one → network send; a local
//!   one → workspace write; a production name raises it;
//! * nothing else: reading the workspace is the floor.
//!
//! **Unattended reach** is what it can do with nobody approving: everything
//! in a bypass mode; otherwise what its allow rules pre-approve (a bare
//! shell rule or a rule for an interpreter or build runner is the whole
//! shell; `aws`/`kubectl`/`terraform`… rules are the cloud credentials;
//! `git push`/`gh` the remote ones; `curl` the network; edits the
//! workspace; `mcp__server` that server), plus edits in accept-edits modes
//! and MCP servers whose tools run unasked (`trust`, `alwaysAllow`).
//!
//! **Gate**: warden's hook registered on the pre-action event *and* failing
//! closed. Policy then decides every action even in a bypass mode (a hook
//! that fails open can be slipped past by making it crash or time out).
//!
//! **Tier** = reach, raised to [`Tier::Critical`] when there is no gate and
//! the unattended reach is production, or is cloud write through a
//! long-lived credential: the example, Claude Code in
//! `bypassPermissions` with long-lived AWS keys and a production kube
//! context reachable, is critical. Under a gate the tier stays the reach
//! and the reason points at `warden agent show`, which decides probe
//! actions under the installed policy.

use crate::{Assistant, AssistantKind as K, CredentialFinding, Finding, McpServer, Severity, Tier};
use std::path::PathBuf;

/// Codex's own sandbox, where nothing can escalate out of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NativeSandbox {
    /// `sandbox_mode = "read-only"`.
    ReadOnly,
    /// `sandbox_mode = "workspace-write"`, with or without network.
    WorkspaceWrite { network: bool },
}

/// What discovery learnt that the report does not show directly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Facts {
    /// The main config file (for findings' locations).
    pub(crate) config: Option<PathBuf>,
    /// The file that set [`Assistant::permission_mode`].
    pub(crate) mode_source: Option<PathBuf>,
    /// The bypass setting and its file.
    pub(crate) bypass_setting: Option<(String, PathBuf)>,
    /// Managed settings that disable bypass mode.
    pub(crate) bypass_disabled: Option<PathBuf>,
    /// Edits run unasked (acceptEdits, auto, auto_edit).
    pub(crate) accept_edits: bool,
    pub(crate) native_sandbox: Option<NativeSandbox>,
    /// (rule, file) for every allow rule.
    pub(crate) allow_origin: Vec<(String, PathBuf)>,
    /// (event, matcher) where warden's hook sees only some tools.
    pub(crate) hook_partial: Vec<(String, String)>,
    pub(crate) hook_origin: Option<PathBuf>,
    pub(crate) hook_not_on_gate: bool,
    /// (setting, file) that switch warden's hook off.
    pub(crate) hooks_disabled: Option<(String, PathBuf)>,
    /// The assistant has a pre-action hook mechanism.
    pub(crate) hooks_supported: bool,
    /// (server, why, file) for MCP servers whose tools run unasked.
    pub(crate) auto_approved_mcp: Vec<(String, String, PathBuf)>,
    /// (server, variable, file) for tokens written into MCP configs.
    pub(crate) literal_tokens: Vec<(String, String, PathBuf)>,
    /// The shell profile whose alias starts it through `warden run`.
    pub(crate) alias: Option<PathBuf>,
    /// Remarks for the tier reason.
    pub(crate) notes: Vec<String>,
}

/// Recomputes every assistant's tier, reason and findings, for when the
/// caller has filled [`crate::Governance::registered`] or
/// [`crate::Governance::sandboxed`] from warden's registry.
pub fn reassess(report: &mut crate::ScanReport) {
    let scrub: Vec<String> = Vec::new();
    assess_all(&mut report.assistants, &report.credentials);
    crate::render::scrub_report(report, &scrub);
}

pub(crate) fn assess_all(assistants: &mut [Assistant], creds: &[CredentialFinding]) {
    for a in assistants {
        assess(a, creds);
    }
}

const CLOUD_WORDS: &[&str] = &[
    "aws",
    "gcloud",
    "gcp",
    "gsutil",
    "azure",
    "az",
    "kubectl",
    "kubernetes",
    "k8s",
    "helm",
    "terraform",
    "tofu",
    "pulumi",
    "eksctl",
    "cdk",
    "oc",
];

fn is_cloud_kind(kind: &str) -> bool {
    kind.starts_with("aws-")
        || kind.starts_with("gcloud-")
        || kind.starts_with("azure-")
        || kind == "kube-context"
}

fn is_remote_kind(kind: &str) -> bool {
    matches!(
        kind,
        "ssh-key"
            | "ssh-agent"
            | "gh-token"
            | "glab-token"
            | "git-credential-store"
            | "netrc"
            | "npm-token"
            | "pypi-token"
            | "cargo-token"
            | "docker-auth"
    )
}

/// The tier a credential gives whoever can use it.
pub(crate) fn credential_tier(c: &CredentialFinding) -> Tier {
    let name = c.name.as_deref().unwrap_or("").to_ascii_lowercase();
    let cloud = is_cloud_kind(&c.kind)
        || [
            "aws",
            "gcp",
            "google",
            "azure",
            "kube",
            "terraform",
            "cloudflare",
        ]
        .iter()
        .any(|w| name.starts_with(w));
    if c.production {
        Tier::ProductionWrite
    } else if cloud {
        Tier::CloudWrite
    } else {
        Tier::RemoteWrite
    }
}

/// Whether `warden run`'s sandbox leaves a credential reachable: secrets in
/// the workspace and tokens handed to MCP servers.
fn reachable_in_sandbox(c: &CredentialFinding) -> bool {
    matches!(c.kind.as_str(), "repo-secret" | "mcp-config-token")
}

fn label(c: &CredentialFinding) -> String {
    let what = match c.kind.as_str() {
        "aws-access-key" => "AWS key",
        "aws-sso-profile" => "AWS SSO profile",
        "aws-credential-process" => "AWS credential_process profile",
        "aws-role-profile" => "AWS role profile",
        "gcloud-adc" => "gcloud application-default credentials",
        "gcloud-cli" => "gcloud login",
        "azure-cli" => "Azure CLI login",
        "azure-service-principal" => "Azure service principal",
        "kube-context" => "kube context",
        "gh-token" => "gh token",
        "glab-token" => "glab token",
        "npm-token" => "npm token",
        "pypi-token" => "PyPI token",
        "cargo-token" => "cargo token",
        "docker-auth" => "docker registry login",
        "ssh-key" => "SSH key",
        "ssh-agent" => "ssh-agent",
        "git-credential-store" => "git credential store entry",
        "netrc" => ".netrc entry",
        "env-secret" => "secret in the environment",
        "shell-profile-secret" => "secret in a shell profile",
        "dotenv-secret" => ".env secret",
        "repo-secret" => "secret in a repository",
        "mcp-config-token" => "MCP config token",
        other => other,
    };
    let mut s = match &c.name {
        Some(n) => format!("{what} `{}`", crate::render::clean(n, 60)),
        None => what.to_owned(),
    };
    let mut tags = Vec::new();
    if c.production {
        tags.push("production");
    }
    if c.long_lived {
        tags.push("long-lived");
    }
    if c.passphrase == Some(false) {
        tags.push("no passphrase");
    }
    if !tags.is_empty() {
        s.push_str(&format!(" ({})", tags.join(", ")));
    }
    s
}

fn server_tier(s: &McpServer) -> Tier {
    let text = format!("{} {}", s.name, s.transport).to_ascii_lowercase();
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // Documentation and search servers read, whatever cloud they are about.
    let reads_only = words.iter().any(|w| {
        matches!(
            *w,
            "doc" | "docs" | "documentation" | "search" | "knowledge"
        )
    });
    let cloud = !reads_only && words.iter().any(|w| CLOUD_WORDS.contains(w));
    let has_token = !s.env_token_vars.is_empty() || !s.token_fingerprints.is_empty();
    let base = if cloud {
        Tier::CloudWrite
    } else if has_token {
        Tier::RemoteWrite
    } else if !s.transport.starts_with("stdio") {
        Tier::NetworkSend
    } else {
        Tier::WorkspaceWrite
    };
    if crate::creds::is_prod(&s.name) && base >= Tier::RemoteWrite {
        Tier::ProductionWrite
    } else {
        base
    }
}

/// Reach through the shell and credentials, with its reasons.
struct Reach {
    shell: Tier,
    /// (tier, reason) contributions, most sensitive first.
    parts: Vec<(Tier, String, bool /* long-lived cloud */)>,
}

fn shell_reach(a: &Assistant, creds: &[CredentialFinding]) -> Reach {
    let sandboxed = a.governed.sandboxed == Some(true);
    let mut parts: Vec<(Tier, String, bool)> = Vec::new();
    let cap = match a.facts.native_sandbox {
        Some(NativeSandbox::ReadOnly) => Some(Tier::ReadOnly),
        Some(NativeSandbox::WorkspaceWrite { network: false }) => Some(Tier::WorkspaceWrite),
        _ => None,
    };
    if let Some(cap) = cap {
        parts.push((
            cap,
            "Codex's sandbox confines its commands and approval_policy = never lets nothing escalate"
                .to_owned(),
            false,
        ));
        return Reach { shell: cap, parts };
    }
    parts.push((
        Tier::NetworkSend,
        if sandboxed {
            "its commands reach the network only through warden's proxy".to_owned()
        } else {
            "its commands can send data anywhere".to_owned()
        },
        false,
    ));
    for c in creds {
        if sandboxed && !reachable_in_sandbox(c) {
            continue;
        }
        let t = credential_tier(c);
        let long_cloud = c.long_lived && t >= Tier::CloudWrite;
        parts.push((t, label(c), long_cloud));
    }
    parts.sort_by_key(|p| std::cmp::Reverse(p.0));
    let shell = parts.first().map_or(Tier::NetworkSend, |p| p.0);
    Reach { shell, parts }
}

/// Commands that run whatever they are given: pre-approving them
/// pre-approves the whole shell.
const INTERPRETERS: &[&str] = &[
    "bash",
    "sh",
    "zsh",
    "fish",
    "python",
    "python3",
    "node",
    "npx",
    "uvx",
    "ruby",
    "perl",
    "deno",
    "bun",
    "env",
    "xargs",
    "eval",
    "sudo",
    "exec",
    "pwsh",
    "powershell",
];
/// Cloud CLI verbs that only read.
const READ_VERBS: &[&str] = &[
    "get", "describe", "list", "ls", "logs", "show", "plan", "top", "version", "whoami", "explain",
    "diff", "view", "status", "validate", "fmt", "output", "auth", "config",
];
const NETWORK_CMDS: &[&str] = &[
    "curl", "wget", "http", "https", "httpie", "nc", "ncat", "netcat", "telnet", "ftp", "sftp",
];
const SSH_CMDS: &[&str] = &["ssh", "scp", "rsync", "sftp"];

/// The tier an allow rule pre-approves, and whether it is the whole shell.
fn rule_tier(
    rule: &str,
    shell: Tier,
    creds: &[CredentialFinding],
    servers: &[McpServer],
) -> (Tier, bool) {
    let (name, spec) = match rule.split_once('(') {
        Some((n, rest)) => (n.trim(), Some(rest.trim_end_matches(')').trim())),
        None => (rule.trim(), None),
    };
    let lname = name.to_ascii_lowercase();
    let max_cred = |pred: &dyn Fn(&CredentialFinding) -> bool, floor: Tier| {
        creds
            .iter()
            .filter(|c| pred(c))
            .map(credential_tier)
            .max()
            .map_or(floor, |t| t.max(floor))
    };
    if lname.starts_with("mcp__") || lname.starts_with("mcp_") {
        let rest = lname
            .strip_prefix("mcp__")
            .or_else(|| lname.strip_prefix("mcp_"))
            .unwrap_or("");
        let server = rest.split("__").next().unwrap_or("").trim_end_matches('*');
        let t = servers
            .iter()
            .filter(|s| server.is_empty() || s.name.eq_ignore_ascii_case(server))
            .map(server_tier)
            .max()
            .unwrap_or(Tier::WorkspaceWrite);
        return (t, false);
    }
    let shell_tool = matches!(
        lname.as_str(),
        "bash"
            | "shell"
            | "terminal"
            | "run_shell_command"
            | "prefix_rule"
            | "powershell"
            | "execute"
            | "shell_command"
            | "*"
    );
    if shell_tool {
        let spec = spec.unwrap_or("*");
        // VS Code writes regexes as `/^git\s+push/i`; Zed as `^git\s+push`.
        let spec = match spec.strip_prefix('/') {
            Some(r) if lname == "terminal" => r.rsplit_once('/').map_or(r, |(body, _)| body),
            _ => spec,
        };
        let cmd = spec
            .trim_start_matches('^')
            .replace("\\s+", " ")
            .replace("\\s", " ")
            .replace(['\\', '"'], "");
        let mut words = cmd.split_whitespace();
        let first = words.next().unwrap_or("*");
        let first = first
            .rsplit('/')
            .next()
            .unwrap_or(first)
            .trim_end_matches(":*");
        let second = words.next().unwrap_or("");
        if first == "*" || first.is_empty() || INTERPRETERS.contains(&first) {
            return (shell, true);
        }
        if CLOUD_WORDS.contains(&first) {
            // `kubectl get`, `terraform plan`, `aws s3 ls`: reads only.
            let verbs: Vec<&str> = cmd
                .split_whitespace()
                .skip(1)
                .take(3)
                .take_while(|w| !w.contains('*'))
                .collect();
            if verbs.iter().any(|v| READ_VERBS.contains(v)) {
                return (Tier::NetworkSend, false);
            }
            return (
                max_cred(&|c| is_cloud_kind(&c.kind), Tier::NetworkSend)
                    .min(shell.max(Tier::NetworkSend)),
                false,
            );
        }
        let remote = |c: &CredentialFinding| is_remote_kind(&c.kind);
        if first == "git" && (second.is_empty() || second.starts_with("push") || second == "*") {
            return (
                max_cred(&remote, Tier::NetworkSend).min(Tier::ProductionWrite),
                false,
            );
        }
        if matches!(first, "gh" | "glab") {
            return (max_cred(&remote, Tier::NetworkSend), false);
        }
        if ["publish", "push", "upload"]
            .iter()
            .any(|w| cmd.contains(w))
        {
            return (max_cred(&remote, Tier::NetworkSend), false);
        }
        if SSH_CMDS.contains(&first) {
            return (max_cred(&remote, Tier::NetworkSend), false);
        }
        if NETWORK_CMDS.contains(&first) {
            return (Tier::NetworkSend, false);
        }
        return (Tier::WorkspaceWrite, false);
    }
    match lname.as_str() {
        "webfetch" | "web_fetch" | "fetch" | "url" | "websearch" | "google_web_search" => {
            (Tier::NetworkSend, false)
        }
        "edit" | "write" | "multiedit" | "write_file" | "replace" | "edit_file"
        | "notebookedit" | "create" | "create_file" => (Tier::WorkspaceWrite, false),
        _ => (Tier::ReadOnly, false),
    }
}

fn short(p: &std::path::Path) -> String {
    p.display().to_string()
}

fn assess(a: &mut Assistant, creds: &[CredentialFinding]) {
    let name = a.kind.as_str();
    let reach = shell_reach(a, creds);
    let enabled: Vec<&McpServer> = a.mcp_servers.iter().filter(|s| s.enabled).collect();
    let mcp_reach = enabled
        .iter()
        .map(|s| (server_tier(s), s.name.clone()))
        .max_by_key(|(t, _)| *t);
    let total = reach
        .shell
        .max(mcp_reach.as_ref().map_or(Tier::ReadOnly, |m| m.0));

    // Unattended reach.
    let gated = a.governed.hook && a.hooks.fails_closed;
    let owned: Vec<McpServer> = enabled.iter().map(|s| (*s).clone()).collect();
    let mut unattended = Tier::ReadOnly;
    let mut unattended_long_cloud = false;
    let mut why_unattended: Vec<String> = Vec::new();
    if a.bypass {
        unattended = total;
        unattended_long_cloud = reach.parts.iter().any(|p| p.2);
        let (setting, file) = a
            .facts
            .bypass_setting
            .clone()
            .unwrap_or_else(|| ("bypass mode".to_owned(), PathBuf::new()));
        why_unattended.push(format!("{setting} ({})", short(&file)));
    } else {
        if a.facts.accept_edits {
            unattended = Tier::WorkspaceWrite;
        }
        let mut risky_rules: Vec<(Tier, String)> = Vec::new();
        for rule in &a.allow_rules {
            let (t, whole) = rule_tier(rule, reach.shell, creds, &owned);
            if whole {
                unattended_long_cloud |= reach.parts.iter().any(|p| p.2);
            } else if t >= Tier::CloudWrite {
                unattended_long_cloud |=
                    creds.iter().any(|c| is_cloud_kind(&c.kind) && c.long_lived);
            }
            if t > unattended {
                unattended = t;
            }
            if t >= Tier::RemoteWrite {
                risky_rules.push((t, rule.clone()));
            }
        }
        for (server, _, _) in &a.facts.auto_approved_mcp {
            if let Some(s) = enabled.iter().find(|s| &s.name == server) {
                unattended = unattended.max(server_tier(s));
            }
        }
        risky_rules.sort_by_key(|r| std::cmp::Reverse(r.0));
        if let Some((_, r)) = risky_rules.first() {
            why_unattended.push(format!("allow rule `{r}`"));
        }
    }
    let critical = !gated
        && unattended >= Tier::CloudWrite
        && (unattended >= Tier::ProductionWrite || unattended_long_cloud);
    a.tier = if critical { Tier::Critical } else { total };

    // The reason.
    let mut top: Vec<String> = reach
        .parts
        .iter()
        .filter(|p| p.0 == reach.shell && reach.shell > Tier::NetworkSend)
        .map(|p| p.1.clone())
        .take(3)
        .collect();
    let extra_count = reach
        .parts
        .iter()
        .filter(|p| p.0 == reach.shell && reach.shell > Tier::NetworkSend)
        .count()
        .saturating_sub(3);
    if extra_count > 0 {
        top.push(format!("{extra_count} more"));
    }
    let mut parts: Vec<String> = Vec::new();
    if critical {
        parts.push(format!(
            "{} with no fail-closed warden hook, so nobody approves what it does, and it can reach {} without approval",
            why_unattended.join(" and "),
            unattended.as_str()
        ));
    } else if gated {
        parts.push(format!(
            "warden's fail-closed hook decides every action (`warden agent show {name}` gives the tier under policy)"
        ));
    }
    if critical && unattended_long_cloud {
        let long: Vec<String> = reach
            .parts
            .iter()
            .filter(|p| p.2)
            .take(3)
            .map(|p| p.1.clone())
            .collect();
        parts.push(format!("long-lived cloud credentials: {}", long.join(", ")));
    }
    if let Some(alias) = &a.facts.alias {
        parts.push(format!(
            "starts under `warden run` ({}), which masks credential stores",
            short(alias)
        ));
    }
    if reach.shell >= total {
        if top.is_empty() {
            if let Some(p) = reach.parts.first() {
                parts.push(p.1.clone());
            }
        } else {
            parts.push(format!("reachable through its shell: {}", top.join(", ")));
        }
    } else if let Some((t, s)) = &mcp_reach {
        parts.push(format!(
            "its MCP server `{}` can {}",
            crate::render::clean(s, 60),
            t.as_str()
        ));
    }
    if !critical && !a.bypass && unattended >= Tier::RemoteWrite && !gated {
        parts.push(format!(
            "{} pre-approves {}",
            why_unattended.join(", "),
            unattended.as_str()
        ));
    }
    parts.extend(a.facts.notes.iter().cloned());
    a.tier_reason = format!("{}: {}", a.tier.as_str(), parts.join("; "));

    a.findings = findings(a, creds, &reach, unattended, gated, &owned);
}

fn severity_for(t: Tier) -> Severity {
    match t {
        Tier::Critical => Severity::Critical,
        Tier::ProductionWrite | Tier::CloudWrite => Severity::High,
        Tier::RemoteWrite | Tier::NetworkSend => Severity::Medium,
        _ => Severity::Low,
    }
}

/// The command that puts warden's hook in place, or `None` where warden
/// has no hook for the assistant yet.
fn install_command(kind: K) -> Option<String> {
    match kind {
        K::ClaudeCode => Some("warden install claude-code --agent claude-code".to_owned()),
        // VS Code's agent reads ~/.claude/settings.json; the hook detects
        // Copilot's payloads and acts as `vscode-copilot`.
        K::VscodeCopilot => Some("warden install claude-code".to_owned()),
        _ => None,
    }
}

fn run_command(kind: K) -> String {
    format!(
        "warden run --agent {} -- {}",
        kind.as_str(),
        kind.launch_command()
    )
}

fn register_command(kind: K) -> String {
    format!(
        "warden agent register {} --kind {} --owner OWNER_EMAIL",
        kind.as_str(),
        kind.registry_kind()
    )
}

fn guess_host(var: &str) -> &'static str {
    let v = var.to_ascii_uppercase();
    if v.contains("GITHUB") || v.starts_with("GH_") {
        "api.github.com"
    } else if v.contains("GITLAB") || v.starts_with("GLAB") {
        "gitlab.com"
    } else if v.contains("NPM") {
        "registry.npmjs.org"
    } else if v.contains("SLACK") {
        "slack.com"
    } else if v.contains("OPENAI") {
        "api.openai.com"
    } else if v.contains("ANTHROPIC") {
        "api.anthropic.com"
    } else {
        "API_HOST"
    }
}

fn findings(
    a: &Assistant,
    creds: &[CredentialFinding],
    reach: &Reach,
    unattended: Tier,
    gated: bool,
    servers: &[McpServer],
) -> Vec<Finding> {
    let kind = a.kind;
    let name = kind.as_str();
    let display = kind.display_name();
    let config = a.facts.config.clone();
    let mut out: Vec<Finding> = Vec::new();
    let status = a.governed.status();

    if status == "shadow" {
        let how = match install_command(kind) {
            Some(cmd) => {
                if a.governed.registered == Some(true) {
                    format!("`{cmd}`")
                } else {
                    format!("`{}`, then `{cmd}`", register_command(kind))
                }
            }
            None => format!(
                "`{}`, then start it as `{}` (warden has no hook for {display} yet)",
                register_command(kind),
                run_command(kind)
            ),
        };
        out.push(Finding {
            rule: "shadow-assistant".to_owned(),
            severity: severity_for(a.tier),
            title: format!("{display} is a shadow assistant: nothing of warden's governs it"),
            detail: format!(
                "No warden hook and no warden sandbox{}; it acts with the account's full permissions (tier {}).",
                if a.governed.registered == Some(true) {
                    ""
                } else {
                    ", and no registered identity with an owner"
                },
                a.tier.as_str()
            ),
            remediation: how,
            path: config.clone(),
        });
    } else if a.governed.registered == Some(false) {
        out.push(Finding {
            rule: "unregistered".to_owned(),
            severity: Severity::Medium,
            title: format!("{display} has no registered identity"),
            detail: "Its actions are decided and recorded, but under no identity with an accountable owner.".to_owned(),
            remediation: format!("`{}`", register_command(kind)),
            path: config.clone(),
        });
    }

    if a.bypass {
        let (setting, file) = a
            .facts
            .bypass_setting
            .clone()
            .unwrap_or_else(|| ("bypass mode".to_owned(), PathBuf::new()));
        if gated {
            out.push(Finding {
                rule: "bypass-mode".to_owned(),
                severity: Severity::Low,
                title: format!("{display} runs without approvals ({setting})"),
                detail: format!(
                    "{setting} in {} skips the assistant's own prompts; warden's fail-closed hook still decides every action.",
                    short(&file)
                ),
                remediation: format!(
                    "keep `{}` in place; turn {setting} off in {} to get the assistant's own prompts back",
                    install_command(kind).unwrap_or_else(|| "warden's hook".to_owned()),
                    short(&file)
                ),
                path: Some(file),
            });
        } else {
            let fix = match install_command(kind) {
                Some(cmd) => format!(
                    "`{cmd}` (its pre-action hook still decides in bypass mode), and turn {setting} off in {}",
                    short(&file)
                ),
                None => format!("`{}`, and turn {setting} off in {}", run_command(kind), short(&file)),
            };
            out.push(Finding {
                rule: "bypass-mode".to_owned(),
                severity: if a.tier == Tier::Critical {
                    Severity::Critical
                } else {
                    Severity::High
                },
                title: format!("{display} runs unattended ({setting})"),
                detail: format!(
                    "{setting} in {} lets it act with nobody approving, and no fail-closed warden hook decides instead; it can reach {} that way.",
                    short(&file),
                    unattended.as_str()
                ),
                remediation: fix,
                path: Some(file),
            });
        }
    }

    if a.hooks.warden_installed && !a.hooks.fails_closed {
        let fix = match kind {
            K::Cursor => "add `\"failClosed\": true` to warden's entries in hooks.json (or end the command with `|| exit 2`)".to_owned(),
            K::Cline => "make the hook file print `{\"cancel\": true}` when warden fails (`warden hook … || echo '{\"cancel\": true}'`)".to_owned(),
            _ => match install_command(kind) {
                Some(cmd) => format!("`{cmd}` registers it as `… || exit 2`"),
                None => "end warden's hook command with `|| exit 2`".to_owned(),
            },
        };
        out.push(Finding {
            rule: "hook-fails-open".to_owned(),
            severity: Severity::High,
            title: format!("warden's hook for {display} fails open"),
            detail: "If warden is missing, crashes or is killed, the assistant treats the failure as \"proceed\" and the action runs ungoverned.".to_owned(),
            remediation: fix,
            path: a.facts.hook_origin.clone(),
        });
    }
    for (event, matcher) in &a.facts.hook_partial {
        out.push(Finding {
            rule: "hook-partial-coverage".to_owned(),
            severity: Severity::Medium,
            title: format!("warden's hook for {display} sees only some actions"),
            detail: if matcher.is_empty() {
                format!("warden is registered on some pre-action events but not on all of {event}.")
            } else {
                format!(
                    "warden's {event} hook matches only `{}`; other tools run ungoverned.",
                    crate::render::clean(matcher, 80)
                )
            },
            remediation: match install_command(kind) {
                Some(cmd) => format!("`{cmd}` registers it for every tool (matcher `*`)"),
                None => format!("register warden on every pre-action event ({event})"),
            },
            path: a.facts.hook_origin.clone(),
        });
    }
    if let Some((setting, file)) = &a.facts.hooks_disabled {
        out.push(Finding {
            rule: "hooks-disabled".to_owned(),
            severity: Severity::High,
            title: format!("{setting} switches warden's hook off for {display}"),
            detail: format!("warden's hook is registered, but {setting} in {} stops it from running.", short(file)),
            remediation: match kind {
                K::ClaudeCode | K::VscodeCopilot => format!(
                    "remove {setting} from {}; `sudo warden install claude-code --scope managed --managed-only --agent {name}` makes the hook one that user settings cannot switch off",
                    short(file)
                ),
                _ => format!("remove {setting} from {}", short(file)),
            },
            path: Some(file.clone()),
        });
    }
    if a.facts.hook_not_on_gate {
        out.push(Finding {
            rule: "hook-not-on-gate".to_owned(),
            severity: Severity::Medium,
            title: format!("warden's hook for {display} is not on its pre-action event"),
            detail: "warden sees events but cannot block actions.".to_owned(),
            remediation: install_command(kind)
                .map(|c| format!("`{c}`"))
                .unwrap_or_else(|| "register warden on the pre-action event".to_owned()),
            path: config.clone(),
        });
    }

    if !gated {
        for (rule, file) in &a.facts.allow_origin {
            let (t, whole) = rule_tier(rule, reach.shell, creds, servers);
            if t < Tier::RemoteWrite {
                continue;
            }
            out.push(Finding {
                rule: "broad-allow-rule".to_owned(),
                severity: if t >= Tier::CloudWrite {
                    Severity::High
                } else {
                    Severity::Medium
                },
                title: format!("`{rule}` runs without approval in {display}"),
                detail: format!(
                    "{} pre-approves {}{}.",
                    short(file),
                    if whole { "arbitrary commands, up to " } else { "" },
                    t.as_str()
                ),
                remediation: match install_command(kind) {
                    Some(cmd) => format!("remove `{rule}` from {} and let warden's policy decide these calls: `{cmd}`", short(file)),
                    None => format!("remove `{rule}` from {}, and start it as `{}`", short(file), run_command(kind)),
                },
                path: Some(file.clone()),
            });
        }
    }

    for (server, var, file) in &a.facts.literal_tokens {
        let transport = servers
            .iter()
            .find(|s| &s.name == server)
            .map(|s| s.transport.clone())
            .unwrap_or_default();
        // A header name is no variable name: suggest one.
        let env_like = !var.is_empty()
            && var
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        let env_var = if env_like {
            var.clone()
        } else {
            let base: String = server
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            format!("{base}_TOKEN")
        };
        let register = if transport.is_empty() || transport == "unknown" {
            String::new()
        } else {
            format!(
                "`warden tool add {server} --kind mcp --owner OWNER_EMAIL --endpoint '{}'`; ",
                transport.replace('\'', "")
            )
        };
        out.push(Finding {
            rule: "mcp-token-in-config".to_owned(),
            severity: Severity::High,
            title: format!("MCP server `{server}` has a token written into its config"),
            detail: format!(
                "{} holds a literal credential for `{server}` ({var}); every process that can read the file has it.",
                short(file)
            ),
            remediation: format!(
                "{register}add `[[run.credentials]] host = \"{}\" env = \"{env_var}\"` to warden.toml and start the assistant as `{}`; then remove the value from {} (reference `${{{env_var}}}` instead) and rotate the token",
                guess_host(&env_var),
                run_command(kind),
                short(file)
            ),
            path: Some(file.clone()),
        });
    }
    for (server, why, file) in &a.facts.auto_approved_mcp {
        out.push(Finding {
            rule: "mcp-auto-approve".to_owned(),
            severity: Severity::Medium,
            title: format!("MCP server `{server}` runs tools without confirmation"),
            detail: format!("{why} ({}).", short(file)),
            remediation: match install_command(kind) {
                Some(cmd) => format!("remove it from {}; `{cmd}` lets warden's policy decide MCP calls", short(file)),
                None => format!("remove it from {}; register the server with `warden tool add {server} --kind mcp --owner OWNER_EMAIL --endpoint …`", short(file)),
            },
            path: Some(file.clone()),
        });
    }

    if a.governed.sandboxed != Some(true) && a.facts.native_sandbox.is_none() {
        let sensitive: Vec<&CredentialFinding> = creds
            .iter()
            .filter(|c| c.production || (c.long_lived && credential_tier(c) >= Tier::RemoteWrite))
            .collect();
        if !sensitive.is_empty() {
            let worst = sensitive
                .iter()
                .map(|c| credential_tier(c))
                .max()
                .unwrap_or(Tier::RemoteWrite);
            let listed: Vec<String> = sensitive.iter().take(5).map(|c| label(c)).collect();
            let more = sensitive.len().saturating_sub(5);
            out.push(Finding {
                rule: "reachable-credentials".to_owned(),
                severity: match (worst >= Tier::CloudWrite, gated) {
                    (true, false) => Severity::High,
                    (true, true) | (false, false) => Severity::Medium,
                    (false, true) => Severity::Low,
                },
                title: format!("{display} can use {} long-lived or production credential(s)", sensitive.len()),
                detail: format!(
                    "It runs as the user, so it inherits {}{}.",
                    listed.join(", "),
                    if more > 0 { format!(" and {more} more") } else { String::new() }
                ),
                remediation: format!(
                    "start it as `{}`: the sandbox masks ~/.aws, ~/.kube, ~/.ssh, ~/.config/gcloud, ~/.azure, ~/.docker and registry tokens and scrubs token variables; tokens it needs go to `[[run.credentials]]` in warden.toml",
                    run_command(kind)
                ),
                path: config.clone(),
            });
        }
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

/// See [`CredentialFinding::severity`].
pub(crate) fn credential_severity(c: &CredentialFinding) -> Severity {
    let base = match c.kind.as_str() {
        "aws-access-key" | "gcloud-adc" | "azure-service-principal" if c.long_lived => {
            Severity::High
        }
        "aws-access-key" | "gcloud-adc" => Severity::Medium,
        "aws-sso-profile" | "aws-credential-process" | "aws-role-profile" | "ssh-agent" => {
            Severity::Low
        }
        "ssh-key" => {
            if c.passphrase == Some(true) {
                Severity::Low
            } else {
                Severity::Medium
            }
        }
        "kube-context" => {
            if c.long_lived {
                Severity::Medium
            } else {
                Severity::Low
            }
        }
        "gh-token" | "glab-token" | "docker-auth" if c.fingerprint.is_none() => Severity::Low,
        "repo-secret"
        | "dotenv-secret"
        | "mcp-config-token"
        | "env-secret"
        | "shell-profile-secret" => Severity::High,
        _ => Severity::Medium,
    };
    if c.production {
        base.max(Severity::High)
    } else {
        base
    }
}

/// See [`CredentialFinding::remediation`].
pub(crate) fn credential_remediation(c: &CredentialFinding) -> String {
    let run = "start assistants as `warden run --agent NAME -- COMMAND`";
    let name = c.name.clone().unwrap_or_default();
    let file = short(&c.path);
    match c.kind.as_str() {
        "aws-access-key" if c.long_lived => format!(
            "replace the IAM user key `{name}` with SSO (`aws configure sso`) and delete it from {file}; meanwhile {run}, whose sandbox masks ~/.aws"
        ),
        k if k.starts_with("aws-") || k.starts_with("gcloud-") || k.starts_with("azure-") => {
            format!("{run}: the sandbox masks the cloud CLIs' credential stores")
        }
        "kube-context" => format!(
            "{run} (the sandbox masks ~/.kube){}",
            if c.production {
                "; keep production contexts out of the default kubeconfig"
            } else {
                ""
            }
        ),
        "gh-token" => format!(
            "add `[[run.credentials]] host = \"github.com\" command = [\"gh\", \"auth\", \"token\"]` to warden.toml and {run}: the proxy injects the token only under a grant"
        ),
        "glab-token" => format!(
            "add `[[run.credentials]] host = \"gitlab.com\" command = [\"glab\", \"config\", \"get\", \"token\"]` to warden.toml and {run}"
        ),
        "ssh-key" if c.passphrase == Some(false) => format!(
            "add a passphrase (`ssh-keygen -p -f {file}`); {run}, whose sandbox masks ~/.ssh"
        ),
        "ssh-key" => format!("{run}, whose sandbox masks ~/.ssh"),
        "ssh-agent" => format!("{run}: the sandbox drops SSH_AUTH_SOCK from the environment"),
        "env-secret" | "shell-profile-secret" => format!(
            "add `[[run.credentials]] host = \"{}\" env = \"{name}\"` to warden.toml, {run}, then remove {name} from your shell profile{}",
            guess_host(&name),
            if c.kind == "shell-profile-secret" {
                format!(" ({file})")
            } else {
                String::new()
            }
        ),
        "dotenv-secret" | "repo-secret" => format!(
            "rotate it and remove it from {file}{}; provide it through `[[run.credentials]]` in warden.toml and {run}",
            c.line.map(|l| format!(" (line {l})")).unwrap_or_default()
        ),
        "mcp-config-token" => format!(
            "move it into warden's broker: `[[run.credentials]] host = \"{}\" env = \"…\"` in warden.toml, reference it as `${{VAR}}` in {file}, and rotate it",
            guess_host(&name)
        ),
        "git-credential-store" | "netrc" => format!(
            "remove the plain-text entry from {file} (use a credential helper backed by the keyring); {run}"
        ),
        _ => format!("{run}: the sandbox masks {file}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cred(kind: &str, name: &str, long: bool, prod: bool) -> CredentialFinding {
        CredentialFinding {
            kind: kind.into(),
            name: Some(name.into()),
            long_lived: long,
            production: prod,
            ..Default::default()
        }
    }

    #[test]
    fn rules() {
        let creds = vec![
            cred("aws-access-key", "default", true, false),
            cred("gh-token", "github.com", true, false),
        ];
        let shell = Tier::CloudWrite;
        assert_eq!(rule_tier("Bash", shell, &creds, &[]), (shell, true));
        assert_eq!(
            rule_tier("Bash(python3 *)", shell, &creds, &[]),
            (shell, true)
        );
        assert_eq!(
            rule_tier("Bash(aws s3 *)", shell, &creds, &[]).0,
            Tier::CloudWrite
        );
        assert_eq!(
            rule_tier("Bash(git push:*)", shell, &creds, &[]).0,
            Tier::RemoteWrite
        );
        assert_eq!(
            rule_tier("Bash(git status)", shell, &creds, &[]).0,
            Tier::WorkspaceWrite
        );
        assert_eq!(
            rule_tier("Bash(curl *)", shell, &creds, &[]).0,
            Tier::NetworkSend
        );
        assert_eq!(
            rule_tier("Bash(kubectl get *)", shell, &creds, &[]).0,
            Tier::NetworkSend
        );
        assert_eq!(
            rule_tier("Bash(kubectl *)", shell, &creds, &[]).0,
            Tier::CloudWrite
        );
        assert_eq!(
            rule_tier("Bash(aws s3 ls)", shell, &creds, &[]).0,
            Tier::NetworkSend
        );
        assert_eq!(
            rule_tier("Bash(cargo build)", shell, &creds, &[]),
            (Tier::WorkspaceWrite, false)
        );
        assert_eq!(
            rule_tier("WebFetch", shell, &creds, &[]).0,
            Tier::NetworkSend
        );
        assert_eq!(
            rule_tier("Read(~/**)", shell, &creds, &[]).0,
            Tier::ReadOnly
        );
        assert_eq!(
            rule_tier("terminal(^kubectl\\s+apply)", shell, &creds, &[]).0,
            Tier::CloudWrite
        );
        assert_eq!(
            rule_tier("terminal(/^git\\s+push/i)", shell, &creds, &[]),
            (Tier::RemoteWrite, false)
        );
        assert_eq!(
            rule_tier("Bash(/usr/bin/aws s3 rm *)", shell, &creds, &[]).0,
            Tier::CloudWrite
        );
    }
}
