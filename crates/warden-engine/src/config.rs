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
             terraform_workspaces = [{}]\n",
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
    }

    #[test]
    fn unknown_keys_are_errors() {
        assert!(Config::parse("pak = \"baseline\"").is_err());
    }
}
