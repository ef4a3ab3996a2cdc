//! The one decision function.
//!
//! Every entry point (the assistants' hooks, `warden check`, later the MCP
//! gateway and the egress proxy) hands its normalized [`Action`] to
//! [`Engine::decide`]: the classifiers fill in the context, the Cedar
//! policies decide, and the entry point renders the [`Decision`] in its own
//! protocol. Nothing else decides.
//!
//! The engine fails closed: a panic anywhere in classification or policy
//! evaluation becomes a deny with a one-line reason.

pub mod config;
pub mod policy_test;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use warden_action::{Action, CredentialState, Decision, Effect, Who};
use warden_classify::Classifier;
use warden_policy::{PolicyEngine, PolicyError, Validation};

pub use config::Config;

/// Why the engine could not be built.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// warden.toml is missing or invalid.
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// The policies are missing or invalid.
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

/// Classifiers plus policies: everything needed to decide.
#[derive(Debug)]
pub struct Engine {
    classifier: Classifier,
    policy: PolicyEngine,
}

impl Engine {
    /// Builds an engine from its parts.
    pub fn new(classifier: Classifier, policy: PolicyEngine) -> Self {
        Engine { classifier, policy }
    }

    /// Loads `warden.toml` and `policies/` from a warden home.
    pub fn load(
        warden_home: &Path,
        user_home: PathBuf,
        validation: Validation,
    ) -> Result<Self, EngineError> {
        let config = Config::load(&warden_home.join(config::CONFIG_FILE))?;
        let policy = PolicyEngine::load_dir(&warden_home.join("policies"), validation)?;
        let classifier = Classifier::new(
            config.classify.clone(),
            user_home,
            warden_home.to_path_buf(),
        );
        Ok(Engine { classifier, policy })
    }

    /// The loaded policies.
    pub fn policy(&self) -> &PolicyEngine {
        &self.policy
    }

    /// Classifies and decides an action, filling its context. A panic
    /// anywhere below becomes a deny.
    pub fn decide(&self, action: &mut Action) -> Decision {
        self.decide_with(action, |_| {})
    }

    /// [`Engine::decide`] with facts only the entry point knows added after
    /// classification and before policy (the egress proxy adds what an
    /// HTTP method and path mean: a push is a remote write).
    pub fn decide_with(
        &self,
        action: &mut Action,
        add_facts: impl FnOnce(&mut Action),
    ) -> Decision {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            self.classifier.classify(action);
            add_facts(action);
            // No policy can allow what an invalid credential presents:
            // the credential is checked before any policy runs.
            if let CredentialState::Invalid { reason } = &action.who.credential {
                return Decision {
                    effect: Effect::Deny,
                    policies: vec!["warden.credential".to_owned()],
                    reasons: vec![reason.clone()],
                };
            }
            self.policy.decide(action)
        }));
        outcome.unwrap_or_else(|_| {
            Decision::fail_closed("internal error while deciding; denied to stay safe")
        })
    }

    /// Decides a Claude Code style tool call: tool name, `tool_input`, cwd.
    /// Returns the action (when the input could be understood) and the decision.
    pub fn decide_tool_call(
        &self,
        tool: &str,
        input: &serde_json::Value,
        cwd: &str,
        who: Who,
    ) -> (Option<Action>, Decision) {
        match warden_adapters::claude::tool_to_what(tool, input, cwd) {
            Ok(what) => {
                let mut action = Action::new(who, what);
                let decision = self.decide(&mut action);
                (Some(action), decision)
            }
            Err(error) => (
                None,
                Decision::fail_closed(format!("cannot understand the tool call: {error}")),
            ),
        }
    }
}
