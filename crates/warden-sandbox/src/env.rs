//! Environment scrubbing: long-lived credentials never enter the sandbox.
//!
//! A variable is removed when its *name* matches one of
//! [`EnvPolicy::remove`] (wildcards, case-insensitive), or, with
//! [`EnvPolicy::inspect_values`], when its *value* looks like a credential
//! (a known token prefix, a private key, a URL with a password), unless the
//! name is on [`EnvPolicy::keep`], which always wins: an assistant that
//! needs its own API key to reach its model keeps it only when the caller
//! says so explicitly.
//!
//! Only names are ever reported. [`ScrubbedEnv`]'s `Debug` prints names, never
//! values.

use std::ffi::{OsStr, OsString};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::glob;

/// What to remove from, and what to keep in, the sandbox's environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnvPolicy {
    /// Name patterns to remove (`*` and `?` wildcards, case-insensitive).
    pub remove: Vec<String>,
    /// Name patterns to keep even if they match `remove` or their value
    /// looks like a credential (for example `ANTHROPIC_API_KEY` when the
    /// assistant must reach its model directly).
    pub keep: Vec<String>,
    /// Also remove variables whose value looks like a credential.
    pub inspect_values: bool,
}

impl Default for EnvPolicy {
    fn default() -> Self {
        EnvPolicy {
            remove: default_remove_patterns(),
            keep: Vec::new(),
            inspect_values: true,
        }
    }
}

/// The default name patterns: cloud credentials (`AWS_*`, `AZURE_*`,
/// `GOOGLE_APPLICATION_CREDENTIALS`), forge and registry tokens
/// (`GITHUB_TOKEN`, `GH_TOKEN`, `GITLAB_TOKEN`, `NPM_TOKEN`), every
/// `*_API_KEY`, `*_TOKEN`, `*_SECRET*`, `*_PASSWORD`, `ANTHROPIC_API_KEY` and
/// `OPENAI_API_KEY`, cluster configuration (`KUBECONFIG`), and the agent
/// sockets that are credentials in themselves (`SSH_AUTH_SOCK`,
/// `GPG_AGENT_INFO`, `DBUS_SESSION_BUS_ADDRESS`, through which a keyring
/// answers).
pub fn default_remove_patterns() -> Vec<String> {
    [
        "AWS_*",
        "AZURE_*",
        "ARM_CLIENT_SECRET",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "GOOGLE_CREDENTIALS",
        "CLOUDSDK_AUTH_*",
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "GH_ENTERPRISE_TOKEN",
        "GITHUB_ENTERPRISE_TOKEN",
        "GITLAB_TOKEN",
        "NPM_TOKEN",
        "NODE_AUTH_TOKEN",
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "OPENAI_API_KEY",
        "*_API_KEY",
        "*_APIKEY",
        "*_TOKEN",
        "*_SECRET",
        "*_SECRET_*",
        "*_SECRET_KEY",
        "*SECRET*",
        "*_PASSWORD",
        "*_PASSWD",
        "*_PRIVATE_KEY",
        "*_CREDENTIALS",
        "DATABASE_URL",
        "KUBECONFIG",
        "VAULT_*",
        "DOCKER_AUTH_CONFIG",
        "SSH_AUTH_SOCK",
        "SSH_AGENT_PID",
        "GPG_AGENT_INFO",
        "DBUS_SESSION_BUS_ADDRESS",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect()
}

/// Why a variable was removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum RemovalReason {
    /// The name matched this pattern.
    Pattern(String),
    /// The value looked like this kind of credential.
    Value(String),
}

/// One removed variable: its name and why (never its value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    /// The variable's name (lossily converted to UTF-8).
    pub name: String,
    /// Why it was removed.
    pub reason: RemovalReason,
}

/// The result of [`scrub_env`]: the variables to pass on and the names that
/// were removed.
#[derive(Clone, Default)]
pub struct ScrubbedEnv {
    /// The variables the sandbox gets, in input order.
    pub kept: Vec<(OsString, OsString)>,
    /// The variables that were removed, names only.
    pub removed: Vec<Removed>,
}

impl fmt::Debug for ScrubbedEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print values: a kept variable may still be sensitive (an
        // API key the caller chose to keep).
        let kept: Vec<_> = self.kept.iter().map(|(k, _)| k).collect();
        let removed: Vec<_> = self.removed.iter().map(|r| &r.name).collect();
        f.debug_struct("ScrubbedEnv")
            .field("kept", &kept)
            .field("removed", &removed)
            .finish()
    }
}

impl ScrubbedEnv {
    /// Names of the removed variables.
    pub fn removed_names(&self) -> Vec<&str> {
        self.removed.iter().map(|r| r.name.as_str()).collect()
    }

    /// Replace `cmd`'s environment with exactly the kept variables.
    pub fn apply_to(&self, cmd: &mut std::process::Command) {
        cmd.env_clear();
        cmd.envs(self.kept.iter().map(|(k, v)| (k, v)));
    }

    /// Add or replace one variable (the proxy variables, the session
    /// credential, the CA bundle the launcher adds after scrubbing).
    pub fn set(&mut self, name: impl Into<OsString>, value: impl Into<OsString>) {
        let name = name.into();
        let value = value.into();
        if let Some(slot) = self.kept.iter_mut().find(|(k, _)| *k == name) {
            slot.1 = value;
        } else {
            self.kept.push((name, value));
        }
    }
}

/// Scrub `vars` (typically `std::env::vars_os()`) according to `policy`.
pub fn scrub_env<I>(vars: I, policy: &EnvPolicy) -> ScrubbedEnv
where
    I: IntoIterator<Item = (OsString, OsString)>,
{
    let mut out = ScrubbedEnv::default();
    for (name, value) in vars {
        let lossy = name.to_string_lossy();
        if glob::first_match(&policy.keep, &lossy).is_some() {
            out.kept.push((name, value));
            continue;
        }
        let reason = if let Some(p) = glob::first_match(&policy.remove, &lossy) {
            Some(RemovalReason::Pattern(p.to_string()))
        } else if policy.inspect_values {
            credential_kind(&value).map(|k| RemovalReason::Value(k.to_string()))
        } else {
            None
        };
        match reason {
            Some(reason) => out.removed.push(Removed {
                name: lossy.into_owned(),
                reason,
            }),
            None => out.kept.push((name, value)),
        }
    }
    out
}

/// Token prefixes that identify a credential by its value.
const TOKEN_PREFIXES: &[(&str, &str)] = &[
    ("ghp_", "GitHub token"),
    ("gho_", "GitHub token"),
    ("ghu_", "GitHub token"),
    ("ghs_", "GitHub token"),
    ("ghr_", "GitHub token"),
    ("github_pat_", "GitHub token"),
    ("glpat-", "GitLab token"),
    ("sk-ant-", "Anthropic key"),
    ("xoxb-", "Slack token"),
    ("xoxp-", "Slack token"),
    ("xapp-", "Slack token"),
    ("npm_", "npm token"),
    ("pypi-", "PyPI token"),
    ("AKIA", "AWS access key"),
    ("ASIA", "AWS access key"),
    ("AIza", "Google API key"),
    ("hvs.", "Vault token"),
];

/// What kind of credential `value` looks like, if any. Deliberately
/// conservative (long values with a known prefix, private keys, URLs with a
/// password) so ordinary configuration is not removed.
pub fn credential_kind(value: &OsStr) -> Option<&'static str> {
    let v = value.to_string_lossy();
    let v = v.trim();
    if v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return Some("private key");
    }
    for (prefix, kind) in TOKEN_PREFIXES {
        if v.len() >= prefix.len() + 16
            && v.starts_with(prefix)
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
        {
            return Some(kind);
        }
    }
    if url_has_password(v) {
        return Some("URL with a password");
    }
    None
}

fn url_has_password(v: &str) -> bool {
    let Some(i) = v.find("://") else {
        return false;
    };
    let rest = &v[i + 3..];
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    match authority.rfind('@') {
        Some(at) => authority[..at].contains(':'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(list: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        list.iter()
            .map(|(k, v)| (OsString::from(k), OsString::from(v)))
            .collect()
    }

    #[test]
    fn removes_by_name_and_value_and_keeps_explicitly() {
        let input = vars(&[
            ("PATH", "/usr/bin"),
            ("AWS_SECRET_ACCESS_KEY", "abc"),
            ("GITHUB_TOKEN", "x"),
            ("OPENAI_API_KEY", "x"),
            ("ANTHROPIC_API_KEY", "sk-ant-xxxxxxxxxxxxxxxxxxxxxxxx"),
            ("MY_DB_PASSWORD", "x"),
            ("SSH_AUTH_SOCK", "/tmp/ssh-x/agent.1"),
            ("INNOCENT", "ghp_0123456789abcdefghijklmnop"),
            ("PG", "postgres://u:p@host/db"),
            ("HOME", "/home/u"),
            ("LANG", "C.UTF-8"),
        ]);
        let mut policy = EnvPolicy::default();
        policy.keep.push("ANTHROPIC_API_KEY".into());
        let out = scrub_env(input, &policy);
        let kept: Vec<_> = out
            .kept
            .iter()
            .map(|(k, _)| k.to_string_lossy().into_owned())
            .collect();
        assert_eq!(kept, ["PATH", "ANTHROPIC_API_KEY", "HOME", "LANG"]);
        let removed = out.removed_names();
        assert_eq!(
            removed,
            [
                "AWS_SECRET_ACCESS_KEY",
                "GITHUB_TOKEN",
                "OPENAI_API_KEY",
                "MY_DB_PASSWORD",
                "SSH_AUTH_SOCK",
                "INNOCENT",
                "PG"
            ]
        );
        let dbg = format!("{out:?}");
        assert!(!dbg.contains("sk-ant"), "{dbg}");
        assert!(!dbg.contains("ghp_"), "{dbg}");
    }

    #[test]
    fn set_replaces_or_appends() {
        let mut out = scrub_env(vars(&[("A", "1")]), &EnvPolicy::default());
        out.set("A", "2");
        out.set("HTTPS_PROXY", "http://127.0.0.1:1");
        assert_eq!(out.kept.len(), 2);
        assert_eq!(out.kept[0].1, OsString::from("2"));
    }

    #[test]
    fn plain_urls_and_short_values_stay() {
        assert_eq!(credential_kind(OsStr::new("https://example.com/a@b")), None);
        assert_eq!(credential_kind(OsStr::new("npm_config")), None);
        assert!(credential_kind(OsStr::new("https://u:pw@example.com/")).is_some());
    }
}
