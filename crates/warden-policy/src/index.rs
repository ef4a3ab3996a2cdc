//! A candidate index over the policy set.
//!
//! Cedar evaluates every policy for every request, which costs about a
//! microsecond per policy. Most Warden policies start with a cheap test on
//! the context (`context.classes.contains("push")`, `context.production`),
//! so the index reads each policy's *first* condition and, per request,
//! hands Cedar only the policies whose first condition can hold.
//!
//! Soundness: only the leftmost conjunct of the first `when` clause (and the
//! action scope) is used. Cedar evaluates conditions left to right and
//! stops at the first false one, so a policy whose leftmost conjunct is
//! false can neither match nor raise an error: leaving it out changes
//! nothing. A policy whose first condition is anything else is always a
//! candidate.

use cedar_policy::{Policy, PolicySet};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use warden_action::{Action, ActionKind};

/// A cheap necessary condition of a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Guard {
    /// `context.<set>.contains("v")`.
    Contains(String, String),
    /// `context.<set>.containsAny(["a", "b"])`.
    ContainsAny(String, Vec<String>),
    /// `context.<bool>`.
    Flag(String),
    /// `context.<string> == "v"`.
    Equals(String, String),
}

#[derive(Debug, Clone)]
struct Entry {
    policy: Policy,
    /// Cedar action ids the scope allows; None for any.
    kinds: Option<Vec<String>>,
    guard: Option<Guard>,
}

/// Policies with their guards, and a cache of the policy subsets built so far.
#[derive(Debug)]
pub(crate) struct CandidateIndex {
    entries: Vec<Entry>,
    cache: Mutex<HashMap<Vec<u64>, Arc<PolicySet>>>,
}

/// How many distinct candidate sets are kept.
const MAX_CACHED_SETS: usize = 512;

/// The context attributes a guard may test, computed once per request.
pub(crate) struct Facts<'a> {
    action: &'a Action,
    sensitivity: BTreeSet<&'static str>,
}

impl<'a> Facts<'a> {
    pub(crate) fn new(action: &'a Action) -> Self {
        Facts {
            action,
            sensitivity: action
                .context
                .sensitivities()
                .iter()
                .map(|s| s.as_str())
                .collect(),
        }
    }

    /// Whether a set attribute holds `value`; None when the attribute is unknown.
    fn set_contains(&self, attr: &str, value: &str) -> Option<bool> {
        let ctx = &self.action.context;
        Some(match attr {
            "classes" => ctx.classes.iter().any(|c| c.as_str() == value),
            "programs" => ctx.programs.contains(value),
            "paths" => ctx.paths.iter().any(|p| p.path == value),
            "hosts" => ctx.destinations.iter().any(|d| d.host == value),
            "destination_classes" => ctx.destinations.iter().any(|d| d.class.as_str() == value),
            "secret_kinds" => ctx.secrets.iter().any(|s| s.rule == value),
            "sensitivity" => self.sensitivity.contains(value),
            _ => return None,
        })
    }

    fn flag(&self, attr: &str) -> Option<bool> {
        let ctx = &self.action.context;
        Some(match attr {
            "production" => ctx.production,
            "all_in_workspace" => ctx.all_paths_in_workspace(),
            // Mirrors build_request: the registry decides agent_registered;
            // MCP registration is not known yet.
            "agent_registered" => self.action.who.registry.is_some(),
            "mcp_registered" => false,
            _ => return None,
        })
    }

    fn string(&self, attr: &str) -> Option<String> {
        let what = &self.action.what;
        let ctx = &self.action.context;
        let who = &self.action.who;
        Some(match attr {
            "tool" => what.tool.clone(),
            "kind" => what.kind.as_str().to_owned(),
            "command" => what.command.clone().unwrap_or_default(),
            "cwd" => what.cwd.clone(),
            "workspace" => ctx.workspace.root.clone(),
            "branch" => ctx.workspace.branch.clone().unwrap_or_default(),
            "remote" => ctx.workspace.remote.clone().unwrap_or_default(),
            "mcp_server" => what
                .mcp
                .as_ref()
                .map(|m| m.server.clone())
                .unwrap_or_default(),
            "mcp_tool" => what
                .mcp
                .as_ref()
                .map(|m| m.tool.clone())
                .unwrap_or_default(),
            "human" => who.human.clone().unwrap_or_default(),
            "session" => who.session_id.clone().unwrap_or_default(),
            "agent_kind" => who.agent_kind.clone().unwrap_or_default(),
            _ => return None,
        })
    }
}

impl Guard {
    /// Whether the guard can hold; unknown attributes always can.
    fn holds(&self, facts: &Facts<'_>) -> bool {
        match self {
            Guard::Contains(attr, value) => facts.set_contains(attr, value).unwrap_or(true),
            Guard::ContainsAny(attr, values) => {
                let mut known = true;
                let any = values.iter().any(|v| match facts.set_contains(attr, v) {
                    Some(b) => b,
                    None => {
                        known = false;
                        true
                    }
                });
                any || !known
            }
            Guard::Flag(attr) => facts.flag(attr).unwrap_or(true),
            Guard::Equals(attr, value) => facts.string(attr).is_none_or(|s| &s == value),
        }
    }
}

/// `context.<attr>` in the JSON form of a policy.
fn context_attr(expr: &Value) -> Option<String> {
    let dot = expr.get(".")?;
    if dot.get("left")?.get("Var")?.as_str()? != "context" {
        return None;
    }
    Some(dot.get("attr")?.as_str()?.to_owned())
}

fn string_value(expr: &Value) -> Option<String> {
    Some(expr.get("Value")?.as_str()?.to_owned())
}

/// The leftmost conjunct of an `&&` chain.
fn leftmost(mut expr: &Value) -> &Value {
    while let Some(left) = expr.get("&&").and_then(|a| a.get("left")) {
        expr = left;
    }
    expr
}

fn guard_of(expr: &Value) -> Option<Guard> {
    if let Some(call) = expr.get("contains") {
        let attr = context_attr(call.get("left")?)?;
        let value = string_value(call.get("right")?)?;
        return Some(Guard::Contains(attr, value));
    }
    if let Some(call) = expr.get("containsAny") {
        let attr = context_attr(call.get("left")?)?;
        let items = call.get("right")?.get("Set")?.as_array()?;
        let values: Option<Vec<String>> = items.iter().map(string_value).collect();
        return Some(Guard::ContainsAny(attr, values?));
    }
    if let Some(eq) = expr.get("==") {
        let attr = context_attr(eq.get("left")?)?;
        let value = string_value(eq.get("right")?)?;
        return Some(Guard::Equals(attr, value));
    }
    context_attr(expr).map(Guard::Flag)
}

fn scope_kinds(json: &Value) -> Option<Vec<String>> {
    let action = json.get("action")?;
    match action.get("op")?.as_str()? {
        "==" => {
            let id = action.get("entity")?.get("id")?.as_str()?;
            ActionKind::ALL
                .iter()
                .any(|k| k.as_str() == id)
                .then(|| vec![id.to_owned()])
        }
        "in" => {
            let entities = action.get("entities")?.as_array()?;
            let ids: Option<Vec<String>> = entities
                .iter()
                .map(|e| {
                    let id = e.get("id")?.as_str()?;
                    // Only concrete kinds narrow the scope; a group (`any`,
                    // or one a team adds to its schema) may hold any kind.
                    ActionKind::ALL
                        .iter()
                        .any(|k| k.as_str() == id)
                        .then(|| id.to_owned())
                })
                .collect();
            ids
        }
        _ => None,
    }
}

impl CandidateIndex {
    /// Indexes the policies of a set.
    pub(crate) fn new(policies: &PolicySet) -> Self {
        let mut entries: Vec<Entry> = policies
            .policies()
            .map(|policy| {
                let json = policy.to_json().ok();
                let kinds = json.as_ref().and_then(scope_kinds);
                let guard = json.as_ref().and_then(|j| {
                    let first = j.get("conditions")?.as_array()?.first()?;
                    if first.get("kind")?.as_str()? != "when" {
                        return None;
                    }
                    guard_of(leftmost(first.get("body")?))
                });
                Entry {
                    policy: policy.clone(),
                    kinds,
                    guard,
                }
            })
            .collect();
        entries.sort_by_key(|e| e.policy.id().to_string());
        CandidateIndex {
            entries,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The policies that can match this action, as a policy set.
    pub(crate) fn candidates(&self, action: &Action) -> Result<Arc<PolicySet>, String> {
        let facts = Facts::new(action);
        let kind = action.what.kind.as_str();
        let mut bits = vec![0u64; self.entries.len().div_ceil(64)];
        for (i, entry) in self.entries.iter().enumerate() {
            let kind_ok = entry
                .kinds
                .as_ref()
                .is_none_or(|k| k.iter().any(|k| k == kind));
            let guard_ok = entry.guard.as_ref().is_none_or(|g| g.holds(&facts));
            if kind_ok && guard_ok {
                if let Some(word) = bits.get_mut(i / 64) {
                    *word |= 1 << (i % 64);
                }
            }
        }
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(set) = cache.get(&bits) {
            return Ok(Arc::clone(set));
        }
        let chosen = self
            .entries
            .iter()
            .enumerate()
            .filter(|(i, _)| bits.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0))
            .map(|(_, e)| e.policy.clone());
        let set = Arc::new(PolicySet::from_policies(chosen).map_err(|e| e.to_string())?);
        if cache.len() >= MAX_CACHED_SETS {
            cache.clear();
        }
        cache.insert(bits, Arc::clone(&set));
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn guard(src: &str) -> Option<Guard> {
        let policy = Policy::from_str(src).ok()?;
        let json = policy.to_json().ok()?;
        let first = json.get("conditions")?.as_array()?.first()?.clone();
        guard_of(leftmost(first.get("body")?))
    }

    #[test]
    fn only_the_leftmost_conjunct_of_a_when_clause_is_a_guard() {
        assert_eq!(
            guard(
                r#"permit(principal, action, resource) when { context.classes.contains("x") && context.production };"#
            ),
            Some(Guard::Contains("classes".into(), "x".into()))
        );
        assert_eq!(
            guard(
                r#"permit(principal, action, resource) when { context.production && context.classes.contains("x") };"#
            ),
            Some(Guard::Flag("production".into()))
        );
        // A disjunction or a negation gives no guard.
        assert_eq!(
            guard(
                r#"permit(principal, action, resource) when { context.production || context.classes.contains("x") };"#
            ),
            None
        );
        assert_eq!(
            guard(r#"permit(principal, action, resource) when { !context.production };"#),
            None
        );
    }
}
