//! Policy tests: an action and the decision it must get.
//!
//! Teams write these for their own policies and run them with
//! `warden policy test FILE…`; every pack ships its own. A test file is TOML:
//!
//! ```toml
//! [[test]]
//! name = "reading a key is denied"
//! tool = "Bash"                          # Claude Code's tool names
//! input = { command = "cat ~/.ssh/id_rsa" }  # its tool_input
//! cwd = "{workspace}"                    # optional, the default
//! expect = "deny"                        # allow | ask | approve | deny
//! policy = "baseline.deny-secret-access" # optional: must be among the deciding policies
//! classes = ["secret_access"]            # optional: must be among the classes found
//! registered = false                     # optional: the agent is not registered (default true)
//! agent_state = "suspended"              # optional: its registry state (default "active")
//! ```
//!
//! Tests run in a throw-away fixture: a home directory, a git workspace at
//! `{home}/src/app` whose `origin` is on github.com, and a temp directory.
//! `{home}`, `{workspace}` and `{tmp}` in any string are replaced by those
//! paths, so tests are independent of the machine they run on.

use crate::Engine;
use serde::Deserialize;
use std::fs;
use std::path::{Path, PathBuf};
use warden_action::{AgentFacts, Effect, Who};
use warden_classify::{Classifier, ClassifyConfig};
use warden_policy::PolicyEngine;

/// One test case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// What the test shows.
    pub name: String,
    /// The tool name (Bash, Read, Write, mcp__server__tool, …).
    pub tool: String,
    /// The tool's input.
    pub input: toml::Value,
    /// The working directory; `{workspace}` when absent.
    #[serde(default)]
    pub cwd: Option<String>,
    /// The agent's name.
    #[serde(default)]
    pub agent: Option<String>,
    /// The expected decision.
    pub expect: String,
    /// A policy id that must be among the deciding policies.
    #[serde(default)]
    pub policy: Option<String>,
    /// Classes that must be found.
    #[serde(default)]
    pub classes: Vec<String>,
    /// Whether the agent is registered (default true).
    #[serde(default)]
    pub registered: Option<bool>,
    /// The registered agent's state (default "active").
    #[serde(default)]
    pub agent_state: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    #[serde(default)]
    test: Vec<TestCase>,
}

/// Parses a test file.
pub fn parse_tests(source: &str) -> Result<Vec<TestCase>, String> {
    let file: TestFile = toml::from_str(source).map_err(|e| e.to_string())?;
    for case in &file.test {
        if Effect::parse(&case.expect).is_none() {
            return Err(format!(
                "test {:?}: expect must be allow, ask, approve or deny, not {:?}",
                case.name, case.expect
            ));
        }
    }
    Ok(file.test)
}

/// The result of one test.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The test's name.
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// What was expected and what happened, one line.
    pub detail: String,
}

/// A throw-away home, workspace and temp directory for policy tests.
#[derive(Debug)]
pub struct Fixture {
    _dir: tempfile::TempDir,
    /// The home directory.
    pub home: PathBuf,
    /// The git workspace, `{home}/src/app`.
    pub workspace: PathBuf,
    /// The temp directory.
    pub tmp: PathBuf,
}

impl Fixture {
    /// Creates the fixture on disk.
    pub fn new() -> std::io::Result<Fixture> {
        let dir = tempfile::Builder::new()
            .prefix("warden-policy-test-")
            .tempdir()?;
        let root = fs::canonicalize(dir.path())?;
        let home = root.join("home");
        let workspace = home.join("src").join("app");
        let tmp = root.join("tmp");
        fs::create_dir_all(workspace.join(".git"))?;
        fs::create_dir_all(&tmp)?;
        fs::write(
            workspace.join(".git").join("HEAD"),
            "ref: refs/heads/main\n",
        )?;
        fs::write(
            workspace.join(".git").join("config"),
            "[core]\n\trepositoryformatversion = 0\n[remote \"origin\"]\n\turl = git@github.com:example/app.git\n",
        )?;
        Ok(Fixture {
            _dir: dir,
            home,
            workspace,
            tmp,
        })
    }

    /// Replaces `{home}`, `{workspace}` and `{tmp}`.
    pub fn expand(&self, text: &str) -> String {
        text.replace("{workspace}", &self.workspace.to_string_lossy())
            .replace("{home}", &self.home.to_string_lossy())
            .replace("{tmp}", &self.tmp.to_string_lossy())
    }

    /// A classifier that sees this fixture as the machine.
    pub fn classifier(&self, config: ClassifyConfig) -> Classifier {
        Classifier::new(
            config,
            self.home.clone(),
            self.home.join(".config").join("warden"),
        )
        .with_temp_dirs(vec![self.tmp.clone()])
    }

    fn expand_value(&self, value: &toml::Value) -> serde_json::Value {
        match value {
            toml::Value::String(s) => serde_json::Value::String(self.expand(s)),
            toml::Value::Integer(i) => serde_json::Value::from(*i),
            toml::Value::Float(f) => serde_json::Value::from(*f),
            toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
            toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
            toml::Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(|v| self.expand_value(v)).collect())
            }
            toml::Value::Table(table) => serde_json::Value::Object(
                table
                    .iter()
                    .map(|(k, v)| (k.clone(), self.expand_value(v)))
                    .collect(),
            ),
        }
    }
}

/// Runs test cases against policies in a fresh fixture.
pub fn run(
    policy: PolicyEngine,
    config: ClassifyConfig,
    cases: &[TestCase],
) -> std::io::Result<Vec<Outcome>> {
    let fixture = Fixture::new()?;
    let engine = Engine::new(fixture.classifier(config), policy);
    let mut outcomes = Vec::new();
    for case in cases {
        let input = fixture.expand_value(&case.input);
        let cwd = fixture.expand(case.cwd.as_deref().unwrap_or("{workspace}"));
        let registry = case.registered.unwrap_or(true).then(|| AgentFacts {
            state: case
                .agent_state
                .clone()
                .unwrap_or_else(|| "active".to_owned()),
            owner: "owner@example.com".to_owned(),
            tier: "unassessed".to_owned(),
            kind: "claude-code".to_owned(),
        });
        let who = Who {
            agent: case
                .agent
                .clone()
                .unwrap_or_else(|| "policy-test".to_owned()),
            registry,
            ..Who::default()
        };
        let (action, decision) = engine.decide_tool_call(&case.tool, &input, &cwd, who);
        let classes: Vec<String> = action
            .as_ref()
            .map(|a| {
                a.context
                    .classes
                    .iter()
                    .map(|c| c.as_str().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        let mut problems = Vec::new();
        if decision.effect.as_str() != case.expect {
            problems.push(format!("expected {}, got {}", case.expect, decision.effect));
        }
        if let Some(policy) = &case.policy {
            if !decision.policies.contains(policy) {
                problems.push(format!(
                    "expected policy {policy} among the deciding policies"
                ));
            }
        }
        for class in &case.classes {
            if !classes.contains(class) {
                problems.push(format!("expected class {class}"));
            }
        }
        let summary = format!(
            "{} by [{}]; classes [{}]; {}",
            decision.effect,
            decision.policies.join(", "),
            classes.join(", "),
            decision.reason_line()
        );
        outcomes.push(Outcome {
            name: case.name.clone(),
            passed: problems.is_empty(),
            detail: if problems.is_empty() {
                summary
            } else {
                format!("{}: {summary}", problems.join("; "))
            },
        });
    }
    Ok(outcomes)
}

/// Reads a test file from disk.
pub fn read_tests(path: &Path) -> Result<Vec<TestCase>, String> {
    let source = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_tests(&source).map_err(|e| format!("{}: {e}", path.display()))
}
