//! Cedar policy for Warden: the schema, the three packs, and the one
//! function that turns a classified [`Action`] into a [`Decision`].
//!
//! # Effects
//!
//! Cedar itself only permits or forbids. Warden adds two effects on top,
//! declared as annotations on `permit` policies:
//!
//! * `@effect("ask")`: the local human confirms in the assistant's prompt;
//! * `@effect("approve")`: a second, authorized human approves through warden.
//!
//! Resolution: any matching `forbid` denies (a forbid always wins). Otherwise
//! the matching permits decide and the strictest effect among them wins
//! (approve > ask > allow). No matching permit is a default deny. Every
//! decision names the deciding policies (`@id`) and gives their `@reason`.
//!
//! # Fail closed
//!
//! A policy that errors while evaluating is not silently skipped (as Cedar
//! would do): any evaluation error denies, naming the policy.

mod index;
pub mod packs;

use cedar_policy::{
    Authorizer, Context, Decision as CedarDecision, Entities, EntityId, EntityTypeName, EntityUid,
    Policy, PolicyId, PolicySet, Request, RestrictedExpression, Schema, ValidationMode, Validator,
};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use warden_action::{Action, Class, Decision, Effect};

/// The policy id of a deny that no policy made.
pub const DEFAULT_DENY_ID: &str = "warden.default_deny";

/// Decisions after which the candidate index is built.
const INDEX_AFTER_DECISIONS: usize = 8;

/// File name of the schema inside a policy directory.
pub const SCHEMA_FILE: &str = "warden.cedarschema";

/// Why policies could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The schema does not parse.
    #[error("schema {file}: {message}")]
    Schema {
        /// Which file.
        file: String,
        /// Cedar's message.
        message: String,
    },
    /// A policy file does not parse.
    #[error("{file}: {message}")]
    Parse {
        /// Which file.
        file: String,
        /// Cedar's message.
        message: String,
    },
    /// A policy breaks a Warden rule (ids, effects, reasons).
    #[error("{file}: policy {policy}: {message}")]
    Annotation {
        /// Which file.
        file: String,
        /// Which policy.
        policy: String,
        /// What is wrong.
        message: String,
    },
    /// Policies do not validate against the schema.
    #[error("policies do not validate against the schema:\n{0}")]
    Validation(String),
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// Which file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// No policy files were found.
    #[error("no .cedar policy files in {0}")]
    NoPolicies(String),
}

/// What Warden knows about each policy besides its Cedar text.
#[derive(Debug, Clone)]
struct PolicyMeta {
    effect: Effect,
    reason: String,
    class: Option<Class>,
    forbid: bool,
}

/// Whether to validate policies against the schema when loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    /// Validate strictly (commands that change or check policies).
    Strict,
    /// Skip validation (the hot path, after policies were validated once).
    Skip,
}

/// Parsed, checked policies and the schema, ready to decide.
pub struct PolicyEngine {
    schema: Schema,
    policies: PolicySet,
    meta: HashMap<PolicyId, PolicyMeta>,
    /// Built after a few decisions, when the process is evidently resident:
    /// building it costs more than it saves for a single decision.
    index: OnceLock<index::CandidateIndex>,
    /// The action entities and their groups, from the schema.
    action_entities: Entities,
    decisions: AtomicUsize,
    authorizer: Authorizer,
    warnings: Vec<String>,
}

impl std::fmt::Debug for PolicyEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyEngine")
            .field("policies", &self.meta.len())
            .finish()
    }
}

impl PolicyEngine {
    /// Builds an engine from a schema and named policy sources.
    pub fn from_sources(
        schema_src: &str,
        files: &[(String, String)],
        validation: Validation,
    ) -> Result<Self, PolicyError> {
        let (schema, schema_warnings) =
            Schema::from_cedarschema_str(schema_src).map_err(|e| PolicyError::Schema {
                file: SCHEMA_FILE.to_owned(),
                message: one_line(&format!("{e}")),
            })?;
        let mut warnings: Vec<String> = schema_warnings.map(|w| format!("{w}")).collect();
        let mut policies = PolicySet::new();
        let mut meta = HashMap::new();
        for (file, source) in files {
            let parsed = PolicySet::from_str(source).map_err(|e| PolicyError::Parse {
                file: file.clone(),
                message: one_line(&format!("{e:?}")).chars().take(600).collect(),
            })?;
            if parsed.templates().next().is_some() {
                return Err(PolicyError::Parse {
                    file: file.clone(),
                    message: "templates are not supported".to_owned(),
                });
            }
            let mut in_file: Vec<Policy> = parsed.policies().cloned().collect();
            // Keep source order so ids and errors read naturally.
            in_file.sort_by_key(|p| {
                p.id()
                    .to_string()
                    .trim_start_matches("policy")
                    .parse::<usize>()
                    .unwrap_or(0)
            });
            for policy in in_file {
                let (id, info) = policy_meta(file, &policy)?;
                if meta.contains_key(&id) {
                    return Err(PolicyError::Annotation {
                        file: file.clone(),
                        policy: id.to_string(),
                        message: "duplicate @id".to_owned(),
                    });
                }
                let renamed = policy.new_id(id.clone());
                policies.add(renamed).map_err(|e| PolicyError::Parse {
                    file: file.clone(),
                    message: one_line(&format!("{e}")),
                })?;
                meta.insert(id, info);
            }
        }
        if meta.is_empty() {
            return Err(PolicyError::NoPolicies("the given sources".to_owned()));
        }
        let action_entities = schema.action_entities().map_err(|e| PolicyError::Schema {
            file: SCHEMA_FILE.to_owned(),
            message: one_line(&format!("{e}")),
        })?;
        if validation == Validation::Strict {
            let result = Validator::new(schema.clone()).validate(&policies, ValidationMode::Strict);
            let errors: Vec<String> = result
                .validation_errors()
                .map(|e| format!("  {e}"))
                .collect();
            if !errors.is_empty() {
                return Err(PolicyError::Validation(errors.join("\n")));
            }
            warnings.extend(result.validation_warnings().map(|w| format!("{w}")));
        }
        Ok(PolicyEngine {
            schema,
            action_entities,
            index: OnceLock::new(),
            decisions: AtomicUsize::new(0),
            policies,
            meta,
            authorizer: Authorizer::new(),
            warnings,
        })
    }

    /// Loads `warden.cedarschema` and every `*.cedar` file of a directory
    /// (sorted by name; subdirectories are ignored).
    pub fn load_dir(dir: &Path, validation: Validation) -> Result<Self, PolicyError> {
        let schema_path = dir.join(SCHEMA_FILE);
        let schema_src = read(&schema_path)?;
        let entries = std::fs::read_dir(dir).map_err(|source| PolicyError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let mut names: Vec<std::path::PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "cedar") && p.is_file())
            .collect();
        names.sort();
        if names.is_empty() {
            return Err(PolicyError::NoPolicies(dir.display().to_string()));
        }
        let mut files = Vec::new();
        for path in names {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.push((name, read(&path)?));
        }
        Self::from_sources(&schema_src, &files, validation)
    }

    /// An annotation of a loaded policy (`@sod`, `@reason`, …).
    pub fn annotation(&self, policy: &str, key: &str) -> Option<&str> {
        self.policies.annotation(&PolicyId::new(policy), key)
    }

    /// Whether a decision's policies require the approver to be someone
    /// other than the agent's owner or deputy (`@sod("approver-not-owner")`);
    /// every approval already requires someone other than the requester.
    pub fn approver_must_not_be_owner(&self, decision: &Decision) -> bool {
        decision
            .policies
            .iter()
            .any(|p| self.annotation(p, "sod") == Some("approver-not-owner"))
    }

    /// Whether a decision's policies mark the action as one that needs a
    /// just-in-time grant (`@grant("required")`): remote writes, publishing
    /// and deploys, as the pack decides.
    pub fn requires_grant(&self, decision: &Decision) -> bool {
        decision
            .policies
            .iter()
            .any(|p| self.annotation(p, "grant") == Some("required"))
    }

    /// How many policies are loaded.
    pub fn policy_count(&self) -> usize {
        self.meta.len()
    }

    /// Warnings from the schema and the validator.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Decides a classified action. Never panics and never fails open: any
    /// problem building the request or evaluating a policy is a deny.
    pub fn decide(&self, action: &Action) -> Decision {
        let request = match build_request(action) {
            Ok(r) => r,
            Err(message) => {
                return Decision::fail_closed(format!("cannot build the policy request: {message}"))
            }
        };
        let entities = match build_entities(action, &self.action_entities) {
            Ok(e) => e,
            Err(message) => {
                return Decision::fail_closed(format!("cannot build the policy request: {message}"))
            }
        };
        let seen = self.decisions.fetch_add(1, Ordering::Relaxed);
        if seen + 1 >= INDEX_AFTER_DECISIONS {
            self.prepare_index();
        }
        // Once built, only the policies whose first condition can hold are
        // evaluated; see the `index` module for why this changes no decision.
        let response = match self.index.get() {
            Some(index) => match index.candidates(action) {
                Ok(set) => self.authorizer.is_authorized(&request, &set, &entities),
                Err(message) => {
                    return Decision::fail_closed(format!("cannot select policies: {message}"))
                }
            },
            None => self
                .authorizer
                .is_authorized(&request, &self.policies, &entities),
        };
        self.resolve(&response, action)
    }

    /// Builds the candidate index now (resident processes and benchmarks);
    /// otherwise it is built after the first few decisions.
    pub fn prepare_index(&self) {
        self.index
            .get_or_init(|| index::CandidateIndex::new(&self.policies));
    }

    /// Decides with every policy, without the candidate index (for tests
    /// that check the index changes nothing).
    pub fn decide_unindexed(&self, action: &Action) -> Decision {
        let request = match build_request(action) {
            Ok(r) => r,
            Err(message) => {
                return Decision::fail_closed(format!("cannot build the policy request: {message}"))
            }
        };
        let entities = match build_entities(action, &self.action_entities) {
            Ok(e) => e,
            Err(message) => {
                return Decision::fail_closed(format!("cannot build the policy request: {message}"))
            }
        };
        let response = self
            .authorizer
            .is_authorized(&request, &self.policies, &entities);
        self.resolve(&response, action)
    }

    /// Turns Cedar's response into Warden's decision.
    fn resolve(&self, response: &cedar_policy::Response, action: &Action) -> Decision {
        let errors: Vec<String> = response
            .diagnostics()
            .errors()
            .map(|e| one_line(&format!("{e}")))
            .collect();
        if !errors.is_empty() {
            let mut decision = Decision::fail_closed(format!(
                "policy evaluation failed, so the action is denied: {}",
                errors.join("; ")
            ));
            decision.reasons.truncate(1);
            return decision;
        }
        let deciding: Vec<&PolicyId> = response.diagnostics().reason().collect();
        match response.decision() {
            CedarDecision::Deny => {
                let forbids: Vec<&PolicyId> = deciding
                    .into_iter()
                    .filter(|id| self.meta.get(*id).is_some_and(|m| m.forbid))
                    .collect();
                if forbids.is_empty() {
                    return Decision {
                        effect: Effect::Deny,
                        policies: vec![DEFAULT_DENY_ID.to_owned()],
                        reasons: vec!["no policy permits this action (default deny)".to_owned()],
                    };
                }
                self.explain(Effect::Deny, &forbids, action)
            }
            CedarDecision::Allow => {
                let strictest = deciding
                    .iter()
                    .filter_map(|id| self.meta.get(*id).map(|m| m.effect))
                    .max()
                    .unwrap_or(Effect::Deny);
                let winners: Vec<&PolicyId> = deciding
                    .into_iter()
                    .filter(|id| self.meta.get(*id).is_some_and(|m| m.effect == strictest))
                    .collect();
                if winners.is_empty() {
                    return Decision::fail_closed("a permit matched without known metadata");
                }
                self.explain(strictest, &winners, action)
            }
        }
    }

    fn explain(&self, effect: Effect, ids: &[&PolicyId], action: &Action) -> Decision {
        let mut sorted: Vec<&PolicyId> = ids.to_vec();
        sorted.sort_by_key(|id| id.to_string());
        let mut policies = Vec::new();
        let mut reasons = Vec::new();
        for id in sorted {
            let Some(meta) = self.meta.get(id) else {
                continue;
            };
            policies.push(id.to_string());
            let evidence = meta
                .class
                .and_then(|c| action.context.evidence.get(&c))
                .map(|e| format!(" ({e})"))
                .unwrap_or_default();
            reasons.push(one_line(&format!("{}{evidence}", meta.reason)));
        }
        Decision {
            effect,
            policies,
            reasons,
        }
    }
}

fn read(path: &Path) -> Result<String, PolicyError> {
    std::fs::read_to_string(path).map_err(|source| PolicyError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Reads and checks Warden's annotations on one policy.
fn policy_meta(file: &str, policy: &Policy) -> Result<(PolicyId, PolicyMeta), PolicyError> {
    let fallback = policy.id().to_string();
    let bad = |message: &str| PolicyError::Annotation {
        file: file.to_owned(),
        policy: policy.annotation("id").unwrap_or(&fallback).to_owned(),
        message: message.to_owned(),
    };
    let id = policy
        .annotation("id")
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| bad("every policy needs an @id(\"...\") annotation"))?;
    if id.chars().any(|c| c.is_whitespace()) {
        return Err(bad("@id must not contain whitespace"));
    }
    let reason = policy
        .annotation("reason")
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| bad("every policy needs a @reason(\"...\") annotation"))?;
    let forbid = policy.effect() == cedar_policy::Effect::Forbid;
    let effect = match policy.annotation("effect") {
        None if forbid => Effect::Deny,
        None => Effect::Allow,
        Some(_) if forbid => {
            return Err(bad(
                "@effect is only allowed on permit policies (a forbid always denies)",
            ))
        }
        Some(name) => match Effect::parse(name) {
            Some(Effect::Deny) => {
                return Err(bad("use a forbid policy to deny, not @effect(\"deny\")"))
            }
            Some(effect) => effect,
            None => return Err(bad("@effect must be \"allow\", \"ask\" or \"approve\"")),
        },
    };
    let class = match policy.annotation("class") {
        None => None,
        Some(name) => Some(Class::parse(name).ok_or_else(|| bad("@class names an unknown class"))?),
    };
    Ok((
        PolicyId::new(id),
        PolicyMeta {
            effect,
            reason: reason.to_owned(),
            class,
            forbid,
        },
    ))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn uid(type_name: &str, id: &str) -> Result<EntityUid, String> {
    let type_name = EntityTypeName::from_str(type_name).map_err(|e| one_line(&format!("{e}")))?;
    Ok(EntityUid::from_type_name_and_id(
        type_name,
        EntityId::new(id),
    ))
}

fn string_set<'a>(items: impl Iterator<Item = &'a str>) -> RestrictedExpression {
    RestrictedExpression::new_set(items.map(|s| RestrictedExpression::new_string(s.to_owned())))
}

/// Builds the Cedar request for an action.
fn build_request(action: &Action) -> Result<Request, String> {
    let who = &action.who;
    let what = &action.what;
    let ctx = &action.context;
    let principal = uid("Warden::Agent", &who.agent)?;
    let cedar_action = uid("Warden::Action", what.kind.as_str())?;
    let resource = uid("Warden::Repo", &ctx.workspace.root)?;
    let sensitivity = ctx.sensitivities();
    let text = |s: &str| RestrictedExpression::new_string(s.to_owned());
    let opt = |s: &Option<String>| RestrictedExpression::new_string(s.clone().unwrap_or_default());
    let pairs: Vec<(String, RestrictedExpression)> = vec![
        ("tool".into(), text(&what.tool)),
        ("kind".into(), text(what.kind.as_str())),
        (
            "classes".into(),
            string_set(ctx.classes.iter().map(|c| c.as_str())),
        ),
        (
            "programs".into(),
            string_set(ctx.programs.iter().map(String::as_str)),
        ),
        (
            "paths".into(),
            string_set(ctx.paths.iter().map(|p| p.path.as_str())),
        ),
        (
            "sensitivity".into(),
            string_set(sensitivity.iter().map(|s| s.as_str())),
        ),
        (
            "all_in_workspace".into(),
            RestrictedExpression::new_bool(ctx.all_paths_in_workspace()),
        ),
        (
            "hosts".into(),
            string_set(ctx.destinations.iter().map(|d| d.host.as_str())),
        ),
        (
            "destination_classes".into(),
            string_set(ctx.destinations.iter().map(|d| d.class.as_str())),
        ),
        (
            "secret_kinds".into(),
            string_set(ctx.secrets.iter().map(|s| s.rule.as_str())),
        ),
        (
            "production".into(),
            RestrictedExpression::new_bool(ctx.production),
        ),
        ("command".into(), opt(&what.command)),
        ("cwd".into(), text(&what.cwd)),
        ("workspace".into(), text(&ctx.workspace.root)),
        ("branch".into(), opt(&ctx.workspace.branch)),
        ("remote".into(), opt(&ctx.workspace.remote)),
        (
            "mcp_server".into(),
            text(what.mcp.as_ref().map(|m| m.server.as_str()).unwrap_or("")),
        ),
        (
            "mcp_tool".into(),
            text(what.mcp.as_ref().map(|m| m.tool.as_str()).unwrap_or("")),
        ),
        (
            "mcp_registered".into(),
            RestrictedExpression::new_bool(false),
        ),
        ("human".into(), opt(&who.human)),
        ("session".into(), opt(&who.session_id)),
        ("agent_kind".into(), opt(&who.agent_kind)),
        (
            "agent_registered".into(),
            RestrictedExpression::new_bool(false),
        ),
    ];
    let context = Context::from_pairs(pairs).map_err(|e| one_line(&format!("{e}")))?;
    Request::new(principal, cedar_action, resource, context, None)
        .map_err(|e| one_line(&format!("{e}")))
}

/// The principal with its registry facts, the only entity policies read.
fn build_entities(action: &Action, actions: &Entities) -> Result<Entities, String> {
    let who = &action.who;
    let principal = uid("Warden::Agent", &who.agent)?;
    let text = |s: &str| RestrictedExpression::new_string(s.to_owned());
    let facts = who.registry.clone().unwrap_or(warden_action::AgentFacts {
        state: "unregistered".to_owned(),
        ..Default::default()
    });
    let attrs: HashMap<String, RestrictedExpression> = [
        (
            "registered".to_owned(),
            RestrictedExpression::new_bool(who.registry.is_some()),
        ),
        ("state".to_owned(), text(&facts.state)),
        ("owner".to_owned(), text(&facts.owner)),
        ("tier".to_owned(), text(&facts.tier)),
        ("kind".to_owned(), text(&facts.kind)),
    ]
    .into_iter()
    .collect();
    let entity = cedar_policy::Entity::new(principal, attrs, HashSet::new())
        .map_err(|e| one_line(&format!("{e}")))?;
    // With the schema's action entities, so `action in Warden::Action::"any"`
    // (and any other action group) holds for every kind in it.
    actions
        .clone()
        .add_entities([entity], None)
        .map_err(|e| one_line(&format!("{e}")))
}
