//! `warden.toml`: which pack is installed and how the classifiers see
//! destinations and production.

use serde::{Deserialize, Serialize};
use std::path::Path;
use warden_classify::ClassifyConfig;

/// The configuration file's name inside `$WARDEN_HOME`.
pub const CONFIG_FILE: &str = "warden.toml";

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source} (run `warden init` first)")]
    Io {
        /// Which file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("{path}: {message}")]
    Invalid {
        /// Which file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// The contents of `warden.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The pack `warden init` installed (informational; the policies in
    /// `policies/` are what decides).
    #[serde(default)]
    pub pack: String,
    /// The name given to an assistant that does not say who it is.
    #[serde(default = "default_agent")]
    pub default_agent: String,
    /// Destinations and production patterns.
    #[serde(default)]
    pub classify: ClassifyConfig,
    /// Where the human's identity comes from.
    #[serde(default)]
    pub identity: IdentityConfig,
    /// Session credentials.
    #[serde(default)]
    pub credentials: CredentialsConfig,
    /// How a hook behaves while an approval is pending.
    #[serde(default)]
    pub approvals: ApprovalsConfig,
    /// Just-in-time grants.
    #[serde(default)]
    pub grants: GrantsConfig,
    /// `warden run`: the egress proxy and the credential broker.
    #[serde(default)]
    pub run: RunConfig,
}

/// `[run]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// Hosts whose TLS the proxy terminates with warden's local CA, so it
    /// can inspect requests and inject brokered credentials (exact, or
    /// `*.suffix`). Other hosts are tunnelled, decided by host only.
    #[serde(default = "default_brokered")]
    pub brokered: Vec<String>,
    /// Let the proxy reach loopback and private addresses (local test
    /// servers); off, so the sandbox cannot reach local services or cloud
    /// metadata through it.
    #[serde(default)]
    pub allow_private_destinations: bool,
    /// Extra PEM files of CAs the proxy trusts upstream.
    #[serde(default)]
    pub extra_roots: Vec<std::path::PathBuf>,
    /// The developer's credentials the broker may inject.
    #[serde(default)]
    pub credentials: Vec<BrokeredCredential>,
    /// The assistant's own model API hosts: requests to them are its
    /// channel to its model, recorded and decided like any other, but a
    /// POST there is not counted as sending data out.
    #[serde(default = "default_assistant_hosts")]
    pub assistant_hosts: Vec<String>,
    /// Environment variables kept in the sandbox although they look like
    /// credentials (for example `ANTHROPIC_API_KEY`, when the assistant
    /// must reach its model with an API key rather than its own login).
    #[serde(default)]
    pub keep_env: Vec<String>,
}

fn default_assistant_hosts() -> Vec<String> {
    vec!["api.anthropic.com".to_owned()]
}

fn default_brokered() -> Vec<String> {
    vec!["github.com".to_owned(), "api.github.com".to_owned()]
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            brokered: default_brokered(),
            allow_private_destinations: false,
            extra_roots: Vec::new(),
            credentials: Vec::new(),
            assistant_hosts: default_assistant_hosts(),
            keep_env: Vec::new(),
        }
    }
}

/// `[[run.credentials]]`: where a brokered credential comes from. Read by
/// warden outside the sandbox; only injected where a grant covers the
/// request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrokeredCredential {
    /// The host (exact or `*.suffix`) it is for; must be brokered.
    pub host: String,
    /// An environment variable of warden's own process.
    #[serde(default)]
    pub env: Option<String>,
    /// A file holding it.
    #[serde(default)]
    pub file: Option<std::path::PathBuf>,
    /// A command that prints it (`["gh", "auth", "token"]`).
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// `basic` (user `x-access-token`, git over HTTPS) or `bearer`.
    #[serde(default = "default_inject")]
    pub inject: String,
}

fn default_inject() -> String {
    "basic".to_owned()
}

/// The source of the human's identity, recorded on every session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HumanSource {
    /// The operating-system user (`WARDEN_HUMAN`, else `USER`/`LOGNAME`).
    #[default]
    Os,
    /// `git config user.email` in the session's directory.
    Git,
    /// The OS user, which must be enrolled and active (`warden human enroll`).
    Enrolled,
}

/// `[identity]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfig {
    /// Where the human's identity comes from.
    #[serde(default)]
    pub human: HumanSource,
}

/// `[credentials]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialsConfig {
    /// Whether a decision without a valid session credential is denied.
    #[serde(default = "yes")]
    pub required: bool,
    /// Requested session lifetime in minutes, capped by the pack's limit.
    #[serde(default = "default_session_minutes")]
    pub session_minutes: u32,
    /// The kinds each subagent type's credential is narrowed to (by the
    /// assistant's subagent type, e.g. `Explore`); a type not listed keeps
    /// its parent's kinds.
    #[serde(default = "default_subagent_kinds")]
    pub subagents: std::collections::BTreeMap<String, Vec<String>>,
}

fn yes() -> bool {
    true
}

fn default_session_minutes() -> u32 {
    480
}

fn default_subagent_kinds() -> std::collections::BTreeMap<String, Vec<String>> {
    let read_only = vec!["file_read".to_owned(), "search".to_owned()];
    std::collections::BTreeMap::from([
        ("Explore".to_owned(), read_only.clone()),
        ("Plan".to_owned(), read_only),
    ])
}

impl Default for CredentialsConfig {
    fn default() -> Self {
        CredentialsConfig {
            required: true,
            session_minutes: default_session_minutes(),
            subagents: default_subagent_kinds(),
        }
    }
}

/// `[approvals]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalsConfig {
    /// How long a hook waits for a pending approval before it denies with
    /// the request id; 0 denies at once. Always bounded by the hook's own
    /// deadline.
    #[serde(default)]
    pub wait_ms: u64,
}

/// `[grants]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantsConfig {
    /// How long a grant lasts, in seconds (it also closes when the tool
    /// call it covers finishes).
    #[serde(default = "default_grant_seconds")]
    pub ttl_seconds: u32,
}

fn default_grant_seconds() -> u32 {
    300
}

impl Default for GrantsConfig {
    fn default() -> Self {
        GrantsConfig {
            ttl_seconds: default_grant_seconds(),
        }
    }
}

/// The longest session credential each pack allows, in minutes; an
/// unknown pack gets the strictest.
pub fn pack_session_limit_minutes(pack: &str) -> u32 {
    match pack {
        "baseline" => 12 * 60,
        "production" => 8 * 60,
        _ => 60,
    }
}

impl Config {
    /// The session credential lifetime: the configured one, capped by the
    /// pack's limit, at least one minute.
    pub fn session_ttl(&self) -> std::time::Duration {
        let minutes = self
            .credentials
            .session_minutes
            .min(pack_session_limit_minutes(&self.pack))
            .max(1);
        std::time::Duration::from_secs(u64::from(minutes) * 60)
    }
}

fn default_agent() -> String {
    "unregistered".to_owned()
}

impl Config {
    /// Reads and parses a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Config::parse(&text).map_err(|message| ConfigError::Invalid {
            path: path.display().to_string(),
            message,
        })
    }

    /// Parses configuration text.
    pub fn parse(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| {
            e.to_string()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_owned()
        })
    }

    /// The commented file `warden init` writes for a pack.
    pub fn render_default(pack: &str) -> String {
        let defaults = ClassifyConfig::default();
        let list = |items: &[String]| {
            items
                .iter()
                .map(|i| format!("\"{i}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "# Warden configuration. See README.md for every setting.\n\
             # The policies in policies/ decide; this file tells the classifiers\n\
             # what your destinations and your production look like.\n\
             \n\
             # The policy pack `warden init` installed.\n\
             pack = \"{pack}\"\n\
             \n\
             # The agent name used when an assistant does not say who it is.\n\
             default_agent = \"unregistered\"\n\
             \n\
             # Destination classes by host pattern (`*` matches any run of\n\
             # characters, `*.example.com` also matches example.com).\n\
             [classify.destinations]\n\
             package_registry = [{}]\n\
             code_hosting = [{}]\n\
             docs = [{}]\n\
             internal = [{}]\n\
             production = [{}]\n\
             \n\
             # Names that mark an action as targeting production.\n\
             [classify.production]\n\
             aws_profiles = [{}]\n\
             kube_contexts = [{}]\n\
             namespaces = [{}]\n\
             gcp_projects = [{}]\n\
             azure_subscriptions = [{}]\n\
             terraform_workspaces = [{}]\n\
             \n\
             # Where the human's identity comes from: \"os\" (WARDEN_HUMAN, else\n\
             # USER), \"git\" (git config user.email) or \"enrolled\" (the OS user,\n\
             # which must be enrolled with `warden human enroll`).\n\
             [identity]\n\
             human = \"os\"\n\
             \n\
             # Every session gets its own signed, expiring credential; decisions\n\
             # without a valid one are denied. The lifetime is capped by the pack\n\
             # (baseline 720, production 480, regulated 60 minutes).\n\
             [credentials]\n\
             required = true\n\
             session_minutes = 480\n\
             \n\
             # Subagent credentials are narrowed to these kinds, by subagent type.\n\
             [credentials.subagents]\n\
             Explore = [\"file_read\", \"search\"]\n\
             Plan = [\"file_read\", \"search\"]\n\
             \n\
             # While an approval is pending the hook waits this long (0 = deny at\n\
             # once with the request id), always within its own deadline.\n\
             [approvals]\n\
             wait_ms = 0\n\
             \n\
             # Grants for remote writes and deploys last this long at most.\n\
             [grants]\n\
             ttl_seconds = 300\n",
            list(&defaults.destinations.package_registry),
            list(&defaults.destinations.code_hosting),
            list(&defaults.destinations.docs),
            list(&defaults.destinations.internal),
            list(&defaults.destinations.production),
            list(&defaults.production.aws_profiles),
            list(&defaults.production.kube_contexts),
            list(&defaults.production.namespaces),
            list(&defaults.production.gcp_projects),
            list(&defaults.production.azure_subscriptions),
            list(&defaults.production.terraform_workspaces),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_parses_back_to_the_defaults() {
        let config = Config::parse(&Config::render_default("baseline")).expect("parses");
        assert_eq!(config.pack, "baseline");
        assert_eq!(config.classify, ClassifyConfig::default());
        assert_eq!(config.credentials, CredentialsConfig::default());
        assert_eq!(config.grants, GrantsConfig::default());
        assert_eq!(config.session_ttl().as_secs(), 480 * 60);
    }

    #[test]
    fn unknown_keys_are_errors() {
        assert!(Config::parse("pak = \"baseline\"").is_err());
    }
}
