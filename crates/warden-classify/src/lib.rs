//! Deterministic classifiers that turn a normalized [`Action`] into its
//! [`Context`](warden_action::Context): the workspace it runs in, the classes
//! of what it does, the sensitivity of the paths it touches, the
//! destinations it reaches and the secrets it carries.
//!
//! Every entry point (hooks, gateway, proxy, launcher) calls
//! [`Classifier::classify`] before the policy decides. The classifiers never
//! decide anything themselves, and they are conservative: what they cannot
//! judge is labelled [`Class::Opaque`] or [`Class::Unknown`], never nothing.

pub mod destination;
pub mod paths;
pub mod secrets;
pub mod shell;
pub mod workspace;

use destination::DestinationConfig;
use paths::PathEnv;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use warden_action::{Action, ActionKind, Class, Context, SecretFinding};

/// Names that mark something as production (glob patterns, case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProductionConfig {
    /// AWS profiles (`--profile`, `AWS_PROFILE`).
    pub aws_profiles: Vec<String>,
    /// Kubernetes contexts (`--context`, `--kube-context`).
    pub kube_contexts: Vec<String>,
    /// Kubernetes namespaces.
    pub namespaces: Vec<String>,
    /// GCP projects.
    pub gcp_projects: Vec<String>,
    /// Azure subscriptions and resource groups.
    pub azure_subscriptions: Vec<String>,
    /// Terraform workspaces, Pulumi stacks and var files.
    pub terraform_workspaces: Vec<String>,
}

impl Default for ProductionConfig {
    fn default() -> Self {
        let prod = |extra: &[&str]| {
            let mut v: Vec<String> = ["*prod*", "*prd*", "live", "*-live"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
            v.extend(extra.iter().map(|s| (*s).to_owned()));
            v
        };
        ProductionConfig {
            aws_profiles: prod(&[]),
            kube_contexts: prod(&[]),
            namespaces: prod(&[]),
            gcp_projects: prod(&[]),
            azure_subscriptions: prod(&[]),
            terraform_workspaces: prod(&[]),
        }
    }
}

/// The classifier's configuration (the `[destinations]` and `[production]`
/// tables of `warden.toml`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClassifyConfig {
    /// Destination classes by host pattern.
    pub destinations: DestinationConfig,
    /// What counts as production.
    pub production: ProductionConfig,
}

/// Classifies actions for one user.
#[derive(Debug)]
pub struct Classifier {
    config: ClassifyConfig,
    /// Home, warden home and temp dirs, canonicalized once.
    base: PathEnv,
    /// Recently seen working directories: their workspace and path
    /// environment, so a resident process does not re-read `.git` and
    /// re-resolve the same directories on every action.
    places: Mutex<HashMap<PathBuf, Arc<Place>>>,
}

/// What the classifier knows about one working directory.
#[derive(Debug)]
struct Place {
    seen: Instant,
    cwd: PathBuf,
    workspace: warden_action::Workspace,
    env: PathEnv,
}

/// How long a working directory's workspace facts are reused. Short, so a
/// branch switch or a new remote is seen almost at once.
const PLACE_TTL: Duration = Duration::from_secs(2);
/// How many working directories are remembered.
const MAX_PLACES: usize = 64;

impl Clone for Classifier {
    fn clone(&self) -> Self {
        Classifier {
            config: self.config.clone(),
            base: self.base.clone(),
            places: Mutex::new(HashMap::new()),
        }
    }
}

/// MCP tool-name verbs that only read.
const MCP_READ_VERBS: &[&str] = &[
    "get", "list", "read", "search", "query", "fetch", "find", "describe", "show", "view",
    "lookup", "count", "browse", "resolve", "status", "check", "inspect", "explain", "retrieve",
    "download", "select", "head", "stat", "info", "diff", "preview", "validate", "echo", "ping",
];

impl Classifier {
    /// A classifier for the user whose home is `home` and whose warden
    /// state lives in `warden_home`.
    pub fn new(config: ClassifyConfig, home: PathBuf, warden_home: PathBuf) -> Self {
        Classifier {
            config,
            base: PathEnv::new(home, None, warden_home, None),
            places: Mutex::new(HashMap::new()),
        }
    }

    /// Uses these temporary directories instead of the system's (tests and
    /// policy-test fixtures that live under `/tmp` themselves).
    pub fn with_temp_dirs(mut self, temp_dirs: Vec<PathBuf>) -> Self {
        self.base.temp_dirs = temp_dirs;
        self
    }

    /// The workspace and path environment of a working directory, from the
    /// cache when fresh.
    fn place(&self, cwd: &Path) -> Arc<Place> {
        let now = Instant::now();
        {
            let places = self
                .places
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some(place) = places.get(cwd) {
                if now.duration_since(place.seen) < PLACE_TTL {
                    return Arc::clone(place);
                }
            }
        }
        let workspace = workspace::detect(cwd);
        let root = PathBuf::from(&workspace.root);
        let mut env = self.base.clone();
        env.hooks_path = workspace.hooks_path.as_ref().map(|h| {
            let p = PathBuf::from(h);
            let p = if p.is_absolute() { p } else { root.join(p) };
            std::fs::canonicalize(&p).unwrap_or(p)
        });
        env.workspace_root = Some(root);
        let resolved = paths::resolve(&cwd.to_string_lossy(), Path::new("/"), &env);
        let place = Arc::new(Place {
            seen: now,
            cwd: resolved,
            workspace,
            env,
        });
        let mut places = self
            .places
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if places.len() >= MAX_PLACES {
            places.clear();
        }
        places.insert(cwd.to_path_buf(), Arc::clone(&place));
        place
    }

    /// The configuration in use.
    pub fn config(&self) -> &ClassifyConfig {
        &self.config
    }

    /// Fills `action.context`. Never fails: what cannot be judged is opaque.
    pub fn classify(&self, action: &mut Action) {
        let mut ctx = Context::default();
        let cwd = PathBuf::from(&action.what.cwd);
        if !cwd.is_absolute() {
            ctx.add(
                Class::Opaque,
                "the working directory is not an absolute path",
            );
        }
        let cwd = if cwd.is_absolute() {
            cwd
        } else {
            PathBuf::from("/")
        };
        let place = self.place(&cwd);
        ctx.workspace = place.workspace.clone();
        let env = &place.env;
        let origin = ctx.workspace.remote.clone();
        let shell_env = shell::ShellEnv {
            paths: env,
            cwd: place.cwd.clone(),
            destinations: &self.config.destinations,
            production: &self.config.production,
            origin: origin.as_deref(),
        };
        let what = &action.what;
        match what.kind {
            ActionKind::Shell => match &what.command {
                Some(command) if !command.trim().is_empty() => {
                    shell::classify(command, &shell_env, &mut ctx);
                    scan_text(command, &mut ctx, "command");
                }
                _ => ctx.add(Class::Opaque, "a shell action without a command"),
            },
            ActionKind::FileRead | ActionKind::Search => {
                if what.paths.is_empty() {
                    let cwd_text = shell_env.cwd.to_string_lossy().into_owned();
                    shell::classify_read(&cwd_text, &shell_env, &mut ctx);
                }
                for path in &what.paths {
                    shell::classify_read(path, &shell_env, &mut ctx);
                }
            }
            ActionKind::FileWrite | ActionKind::FileEdit => {
                if what.paths.is_empty() {
                    ctx.add(Class::Opaque, "a write without a path");
                }
                for path in &what.paths {
                    shell::classify_write(path, &shell_env, &mut ctx);
                }
                if let Some(content) = &what.content {
                    scan_text(content, &mut ctx, "content");
                }
            }
            ActionKind::NetworkFetch => {
                for url in &what.urls {
                    match destination::host_of_url(url) {
                        Some(host) => shell::note_destination(&host, &shell_env, &mut ctx),
                        None => ctx.add(Class::Opaque, "a URL without a host"),
                    }
                    scan_text(url, &mut ctx, "url");
                }
                if what.urls.is_empty() {
                    if let Some(query) = &what.content {
                        // A web search sends its query to the search engine.
                        scan_text(query, &mut ctx, "url");
                    }
                }
                ctx.add(Class::NetworkRead, "fetches from the web");
            }
            ActionKind::McpCall => {
                let tool = what
                    .mcp
                    .as_ref()
                    .map(|m| m.tool.to_ascii_lowercase())
                    .unwrap_or_default();
                let first_word = tool.split(['_', '-', '.']).next().unwrap_or("");
                if MCP_READ_VERBS.contains(&first_word) {
                    ctx.add(Class::McpRead, format!("MCP tool `{tool}` reads"));
                } else {
                    ctx.add(
                        Class::McpWrite,
                        format!("MCP tool `{tool}` may change something"),
                    );
                }
                for url in &what.urls {
                    if let Some(host) = destination::host_of_url(url) {
                        shell::note_destination(&host, &shell_env, &mut ctx);
                    }
                }
                for path in &what.paths {
                    shell::classify_mcp_path(path, &shell_env, &mut ctx);
                }
                if let Some(content) = &what.content {
                    scan_text(content, &mut ctx, "content");
                }
            }
            ActionKind::Subagent => {
                ctx.add(Class::Subagent, "starts a subagent");
                if let Some(prompt) = &what.content {
                    scan_text(prompt, &mut ctx, "content");
                }
            }
            ActionKind::Other => {
                ctx.add(
                    Class::Unknown,
                    format!("tool `{}` is not classified", what.tool),
                );
            }
        }
        if ctx.classes.is_empty() {
            ctx.add(Class::Unknown, "nothing recognisable in the action");
        }
        action.context = ctx;
    }
}

/// Scans text for secrets; records redacted findings and the class.
fn scan_text(text: &str, ctx: &mut Context, location: &str) {
    let matches = secrets::find_secrets(text);
    for m in matches {
        let in_url = location == "url" || {
            let before = text.get(..m.start).unwrap_or("");
            let token_start = before
                .rfind(|c: char| c.is_whitespace() || c == '"' || c == '\'')
                .map(|i| i + 1)
                .unwrap_or(0);
            before.get(token_start..).is_some_and(|t| t.contains("://"))
        };
        let class = if in_url {
            Class::SecretInUrl
        } else {
            Class::SecretInContent
        };
        let label = secrets::describe(&m, text);
        ctx.add(class, format!("{location} carries a secret ({label})"));
        ctx.secrets.push(SecretFinding {
            rule: m.rule.to_owned(),
            location: location.to_owned(),
            redacted: label,
        });
    }
}

/// Classifies a command line in the fixed environment of the labelled
/// corpus (workspace `/work/app`, a git repository with origin on
/// github.com; home `/home/dev`; temp `/tmp`), without touching the
/// file system's view of those paths. Used by the corpus, the property
/// tests and the fuzz target, so all three see the same machine.
pub fn classify_in_corpus_fixture(command: &str) -> Context {
    let paths = PathEnv {
        home: PathBuf::from("/home/dev"),
        workspace_root: Some(PathBuf::from("/work/app")),
        warden_home: PathBuf::from("/home/dev/.config/warden"),
        hooks_path: None,
        temp_dirs: vec![PathBuf::from("/tmp")],
    };
    let destinations = DestinationConfig::default();
    let production = ProductionConfig::default();
    let env = shell::ShellEnv {
        paths: &paths,
        cwd: PathBuf::from("/work/app"),
        destinations: &destinations,
        production: &production,
        origin: Some("git@github.com:example/app.git"),
    };
    let mut ctx = Context::default();
    shell::classify(command, &env, &mut ctx);
    ctx
}

/// Entry point for the cargo-fuzz target `shell_classify`: classifies
/// arbitrary bytes as a command line in the corpus fixture and checks the
/// classifier's invariants (it never panics and never returns no class).
pub fn fuzz_shell(data: &[u8]) {
    let Ok(command) = std::str::from_utf8(data) else {
        return;
    };
    let ctx = classify_in_corpus_fixture(command);
    assert!(!ctx.classes.is_empty(), "a command line got no class");
}
