//! Path resolution and sensitivity classification.
//!
//! [`resolve`] turns whatever an assistant wrote (`~/x`, `$HOME/x`,
//! `../a/./b`, a path through a symlink) into the absolute physical path the
//! kernel would open; [`classify`] labels that path (secret, governance,
//! persistence, system, home, temp, device). Both run on every hook call:
//! resolution costs one `lstat` per existing component and classification is
//! pure string work.

use crate::destination::glob_match;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};
use warden_action::{PathFact, Sensitivity};

/// Linux's own limit on symlinks followed in one lookup (`MAXSYMLINKS`).
const MAX_SYMLINK_HOPS: usize = 40;

/// Where the classifier stands: the user's home, the workspace, warden's own
/// state dir, git's hooksPath, temp dirs.
///
/// Paths are compared component-wise with resolved paths, so they should be
/// canonical themselves ([`PathEnv::new`] canonicalizes them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathEnv {
    /// The user's home directory.
    pub home: PathBuf,
    /// The workspace (git root or cwd), if known.
    pub workspace_root: Option<PathBuf>,
    /// Warden's own state directory (policies, keys, audit log).
    pub warden_home: PathBuf,
    /// The directory named by git's `core.hooksPath`, if configured.
    pub hooks_path: Option<PathBuf>,
    /// Temporary directories (`/tmp`, `/var/tmp`, `$TMPDIR`, …).
    pub temp_dirs: Vec<PathBuf>,
}

impl PathEnv {
    /// An environment with the given directories canonicalized where they
    /// exist and [`PathEnv::default_temp_dirs`] as temp dirs.
    pub fn new(
        home: PathBuf,
        workspace_root: Option<PathBuf>,
        warden_home: PathBuf,
        hooks_path: Option<PathBuf>,
    ) -> Self {
        PathEnv {
            home: canonical_or(home),
            workspace_root: workspace_root.map(canonical_or),
            warden_home: canonical_or(warden_home),
            hooks_path: hooks_path.map(canonical_or),
            temp_dirs: PathEnv::default_temp_dirs(),
        }
    }

    /// `/tmp`, `/var/tmp`, `/dev/shm` and `$TMPDIR`, each also in its
    /// canonical form (on macOS `/tmp` is really `/private/tmp`).
    pub fn default_temp_dirs() -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = ["/tmp", "/var/tmp", "/dev/shm"]
            .iter()
            .map(PathBuf::from)
            .collect();
        if let Some(t) = std::env::var_os("TMPDIR").filter(|t| !t.is_empty()) {
            let t = PathBuf::from(t);
            if t.is_absolute() {
                dirs.push(t);
            }
        }
        let canon: Vec<PathBuf> = dirs
            .iter()
            .filter_map(|d| std::fs::canonicalize(d).ok())
            .collect();
        for c in canon {
            if !dirs.contains(&c) {
                dirs.push(c);
            }
        }
        dirs
    }
}

fn canonical_or(p: PathBuf) -> PathBuf {
    std::fs::canonicalize(&p).unwrap_or(p)
}

/// Expand `~`, `~/…`, `$HOME`, `${HOME}` (using `env.home`), make absolute
/// against `cwd`, then resolve `.`, `..` and symlinks component by
/// component: existing components are followed physically (so `..` after a
/// symlinked directory goes to the parent of the link's target, as the
/// kernel does), and the part that does not exist yet is appended with `.`
/// and `..` applied lexically. Symlink hops are capped, and links under
/// `/proc` and `/dev` (other than `/dev/shm`) are not followed, because
/// there they describe the hook's own process, not the command's.
///
/// The result is always absolute. `~user` resolves to `/root` for root and
/// to a sibling of `env.home` otherwise, a best guess that avoids a passwd
/// lookup.
pub fn resolve(raw: &str, cwd: &Path, env: &PathEnv) -> PathBuf {
    let expanded = expand_home(raw, &env.home);
    let absolute = if expanded.is_absolute() {
        expanded
    } else {
        let base = if cwd.is_absolute() {
            cwd.to_path_buf()
        } else {
            Path::new("/").join(cwd)
        };
        base.join(expanded)
    };
    resolve_physical(&absolute)
}

fn expand_home(raw: &str, home: &Path) -> PathBuf {
    let home_known = !home.as_os_str().is_empty();
    for token in ["~", "${HOME}", "$HOME"] {
        if let Some(rest) = raw.strip_prefix(token) {
            if rest.is_empty() && home_known {
                return home.to_path_buf();
            }
            if let Some(rest) = rest.strip_prefix('/') {
                if home_known {
                    // Trim so `~//etc` stays under home instead of `join`
                    // replacing it with `/etc`.
                    return home.join(rest.trim_start_matches('/'));
                }
            }
        }
    }
    if let Some(rest) = raw.strip_prefix('~') {
        let (user, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let valid_user = !user.is_empty()
            && user
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if valid_user {
            let user_home = if user == "root" {
                Some(PathBuf::from("/root"))
            } else {
                home.parent()
                    .filter(|p| home_known && !p.as_os_str().is_empty())
                    .map(|p| p.join(user))
            };
            if let Some(h) = user_home {
                return h.join(tail.trim_start_matches('/'));
            }
        }
    }
    PathBuf::from(raw)
}

enum Step {
    Parent,
    Name(OsString),
}

fn push_steps(stack: &mut Vec<Step>, path: &Path) {
    // The stack pops from the end, so push the components in reverse.
    for c in path.components().rev() {
        match c {
            Component::ParentDir => stack.push(Step::Parent),
            Component::Normal(n) => stack.push(Step::Name(n.to_os_string())),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
}

fn resolve_physical(absolute: &Path) -> PathBuf {
    let mut stack = Vec::new();
    push_steps(&mut stack, absolute);
    let mut out = PathBuf::from("/");
    let mut depth = 0usize;
    // Depth of the first component known not to exist: below it nothing is
    // looked up, until `..` climbs back above it.
    let mut missing_at: Option<usize> = None;
    let mut hops = 0usize;
    while let Some(step) = stack.pop() {
        let name = match step {
            Step::Parent => {
                if out.pop() {
                    depth -= 1;
                }
                if missing_at.is_some_and(|m| depth < m) {
                    missing_at = None;
                }
                continue;
            }
            Step::Name(name) => name,
        };
        out.push(&name);
        depth += 1;
        if missing_at.is_some() || !follows_links(&out) {
            continue;
        }
        match std::fs::symlink_metadata(&out) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = if hops < MAX_SYMLINK_HOPS {
                    std::fs::read_link(&out).ok()
                } else {
                    None
                };
                match target {
                    Some(target) => {
                        hops += 1;
                        out.pop();
                        depth -= 1;
                        if target.is_absolute() {
                            out = PathBuf::from("/");
                            depth = 0;
                        }
                        push_steps(&mut stack, &target);
                    }
                    // A loop or an unreadable link: keep the name as is.
                    None => missing_at = Some(depth),
                }
            }
            Ok(_) => {}
            Err(_) => missing_at = Some(depth),
        }
    }
    out
}

/// Whether symlinks at `path` describe the file system rather than the
/// process looking (`/proc/self`, `/dev/stdin`, `/dev/fd/3`).
fn follows_links(path: &Path) -> bool {
    let mut comps = path.components().skip(1);
    match comps.next() {
        Some(Component::Normal(first)) if first == "proc" => false,
        Some(Component::Normal(first)) if first == "dev" => {
            matches!(comps.next(), Some(Component::Normal(n)) if n == "shm")
                || path == Path::new("/dev")
        }
        _ => true,
    }
}

/// Classify an absolute, resolved path.
///
/// Unresolved input is tolerated: `.` and `..` are applied lexically first.
/// `why` explains the most severe label (secret, then governance,
/// persistence, device, system, home, temp).
pub fn classify(path: &Path, env: &PathEnv) -> PathFact {
    let norm = normalize(path);
    let comps: Vec<&str> = norm.iter().map(|c| c.as_ref()).collect();
    let mut acc = Acc::default();
    classify_into(&comps, path.has_root(), env, &mut acc, 0);
    PathFact {
        path: path.to_string_lossy().into_owned(),
        in_workspace: in_workspace(&comps, env),
        sensitivity: acc.labels,
        why: acc.why.map(|(_, w)| w.to_owned()),
    }
}

/// Whether a file NAME alone marks a secret (for use when only a glob or
/// name is known), e.g. `id_rsa`, `.env.production`, `credentials.json`.
///
/// Names are compared case-insensitively: `SERVER.PEM` holds a key just the
/// same, and a false positive on a secret only costs a question.
pub fn is_secret_file_name(name: &str) -> bool {
    secret_name_why(name).is_some()
}

/// Accumulated labels and the explanation of the most severe one.
#[derive(Default)]
struct Acc {
    labels: BTreeSet<Sensitivity>,
    why: Option<(u8, &'static str)>,
}

impl Acc {
    fn add(&mut self, label: Sensitivity, why: &'static str) {
        self.labels.insert(label);
        let rank = severity(label);
        // Strictly better only: the first (most specific) rule wins ties.
        if self.why.is_none_or(|(r, _)| rank < r) {
            self.why = Some((rank, why));
        }
    }
}

fn severity(label: Sensitivity) -> u8 {
    match label {
        Sensitivity::Secret => 0,
        Sensitivity::Governance => 1,
        Sensitivity::Persistence => 2,
        Sensitivity::Device => 3,
        Sensitivity::System => 4,
        Sensitivity::Home => 5,
        Sensitivity::Temp => 6,
    }
}

/// Component equality: exact on Linux, ASCII case-insensitive on macOS
/// whose default file system ignores case (`~/.SSH` is `~/.ssh` there).
/// A `*` in the pattern is a glob within the component.
fn comp_match(pattern: &str, comp: &str) -> bool {
    if cfg!(target_os = "macos") {
        if pattern.contains('*') {
            glob_match(&pattern.to_ascii_lowercase(), &comp.to_ascii_lowercase())
        } else {
            pattern.eq_ignore_ascii_case(comp)
        }
    } else if pattern.contains('*') {
        glob_match(pattern, comp)
    } else {
        pattern == comp
    }
}

fn starts_with(comps: &[&str], pattern: &[&str]) -> bool {
    comps.len() >= pattern.len() && pattern.iter().zip(comps).all(|(p, c)| comp_match(p, c))
}

/// [`starts_with`] for a `/`-separated rule pattern, without allocating.
fn matches_rule(comps: &[&str], pattern: &str) -> bool {
    let mut n = 0;
    for p in pattern.split('/') {
        match comps.get(n) {
            Some(c) if comp_match(p, c) => n += 1,
            _ => return false,
        }
    }
    true
}

/// Components with `.` dropped and `..` applied lexically.
fn normalize(path: &Path) -> Vec<Cow<'_, str>> {
    let mut out: Vec<Cow<'_, str>> = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(n) => out.push(n.to_string_lossy()),
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    out
}

/// A configured directory as components; empty and `/` mean "not set",
/// since they would otherwise contain every path.
fn dir_comps(dir: &Path) -> Option<Vec<Cow<'_, str>>> {
    if !dir.has_root() {
        return None;
    }
    let comps = normalize(dir);
    (!comps.is_empty()).then_some(comps)
}

fn under(comps: &[&str], dir: &Path) -> bool {
    dir_comps(dir).is_some_and(|d| {
        let d: Vec<&str> = d.iter().map(|c| c.as_ref()).collect();
        starts_with(comps, &d)
    })
}

fn in_workspace(comps: &[&str], env: &PathEnv) -> bool {
    env.workspace_root
        .as_deref()
        .is_some_and(|w| under(comps, w))
}

/// A rule: a `/`-separated component pattern (a `*` globs within one
/// component), the label it gives and why.
type Rule = (&'static str, Sensitivity, &'static str);

use Sensitivity::{Governance, Persistence, Secret};

/// Rules relative to a home directory (the user's, `/root`, `/home/*`,
/// `/Users/*`): a path matches when it starts with the pattern.
const HOME_RULES: &[Rule] = &[
    // Cloud and tool credentials.
    (".aws", Secret, "AWS credentials"),
    (".config/gcloud", Secret, "Google Cloud credentials"),
    (".azure", Secret, "Azure credentials"),
    (".kube", Secret, "Kubernetes credentials"),
    (".docker/config.json", Secret, "Docker registry credentials"),
    (".config/gh/hosts.yml", Secret, "GitHub CLI token"),
    (".config/glab-cli/config.yml", Secret, "GitLab CLI token"),
    (".config/hub", Secret, "hub token"),
    (".npmrc", Secret, "npm token"),
    (".yarnrc.yml", Secret, "yarn token"),
    (".pypirc", Secret, "PyPI token"),
    (".cargo/credentials", Secret, "cargo registry token"),
    (".cargo/credentials.toml", Secret, "cargo registry token"),
    (".gem/credentials", Secret, "RubyGems credentials"),
    (".m2/settings.xml", Secret, "Maven credentials"),
    (".gradle/gradle.properties", Secret, "Gradle credentials"),
    (".netrc", Secret, "netrc credentials"),
    ("_netrc", Secret, "netrc credentials"),
    (".git-credentials", Secret, "git credentials"),
    (".config/git/credentials", Secret, "git credentials"),
    (".vault-token", Secret, "Vault token"),
    (
        ".terraform.d/credentials.tfrc.json",
        Secret,
        "Terraform Cloud token",
    ),
    (".pgpass", Secret, "database credentials"),
    (".my.cnf", Secret, "database credentials"),
    (".config/op", Secret, "1Password CLI credentials"),
    // Key rings and password managers.
    (".gnupg", Secret, "GnuPG keyring"),
    (".password-store", Secret, "password store"),
    (".local/share/keyrings", Secret, "desktop keyring"),
    ("Library/Keychains", Secret, "macOS keychain"),
    (".config/Bitwarden", Secret, "password manager"),
    (".config/1Password", Secret, "password manager"),
    (
        "Library/Application Support/Bitwarden",
        Secret,
        "password manager",
    ),
    (
        "Library/Application Support/1Password",
        Secret,
        "password manager",
    ),
    // Browser profiles hold cookies, saved logins and their keys.
    (".mozilla", Secret, "browser profile"),
    ("snap/firefox", Secret, "browser profile"),
    ("snap/chromium", Secret, "browser profile"),
    (".config/google-chrome", Secret, "browser profile"),
    (".config/chromium", Secret, "browser profile"),
    (".config/BraveSoftware", Secret, "browser profile"),
    (".config/microsoft-edge", Secret, "browser profile"),
    (
        "Library/Application Support/Google/Chrome",
        Secret,
        "browser profile",
    ),
    (
        "Library/Application Support/Firefox",
        Secret,
        "browser profile",
    ),
    (
        "Library/Application Support/BraveSoftware",
        Secret,
        "browser profile",
    ),
    (
        "Library/Application Support/Microsoft Edge",
        Secret,
        "browser profile",
    ),
    ("Library/Cookies", Secret, "browser cookies"),
    // Warden's keys sign policies and approvals: secret and governance.
    (".config/warden/keys", Secret, "warden keys"),
    (".config/warden", Governance, "warden state"),
    // Assistant and git settings that live only in the home.
    (".claude.json", Governance, "Claude Code settings"),
    (".gitconfig", Governance, "git global config"),
    (".config/git/config", Governance, "git global config"),
    (
        ".config/Code/User/settings.json",
        Governance,
        "VS Code settings",
    ),
    (
        ".config/Code/User/mcp.json",
        Governance,
        "VS Code MCP config",
    ),
    (
        "Library/Application Support/Code/User/settings.json/",
        Governance,
        "VS Code settings",
    ),
    (
        "Library/Application Support/Code/User/mcp.json",
        Governance,
        "VS Code MCP config",
    ),
    (
        ".config/Cursor/User/settings.json",
        Governance,
        "Cursor settings",
    ),
    (
        "Library/Application Support/Cursor/User/settings.json/",
        Governance,
        "Cursor settings",
    ),
    // Shell startup and session files run on every login or shell.
    (".bashrc", Persistence, "shell startup file"),
    (".bash_profile", Persistence, "shell startup file"),
    (".bash_login", Persistence, "shell startup file"),
    (".bash_logout", Persistence, "shell startup file"),
    (".profile", Persistence, "shell startup file"),
    (".zshrc", Persistence, "shell startup file"),
    (".zprofile", Persistence, "shell startup file"),
    (".zshenv", Persistence, "shell startup file"),
    (".zlogin", Persistence, "shell startup file"),
    (".zlogout", Persistence, "shell startup file"),
    (".config/zsh", Persistence, "shell startup file"),
    (
        ".config/fish/config.fish",
        Persistence,
        "shell startup file",
    ),
    (".config/fish/conf.d", Persistence, "shell startup file"),
    (".config/fish/functions", Persistence, "shell startup file"),
    (".xprofile", Persistence, "session startup file"),
    (".xinitrc", Persistence, "session startup file"),
    (".xsessionrc", Persistence, "session startup file"),
    (".pam_environment", Persistence, "session environment"),
    (".config/environment.d", Persistence, "session environment"),
    (".config/systemd/user", Persistence, "systemd user unit"),
    (".config/autostart", Persistence, "autostart entry"),
    ("Library/LaunchAgents", Persistence, "launch agent"),
];

/// Rules from the file system root (`/private` is stripped first, so macOS's
/// `/private/etc` matches `etc`).
const ROOT_RULES: &[Rule] = &[
    ("etc/shadow", Secret, "password hashes"),
    ("etc/shadow-", Secret, "password hashes"),
    ("etc/gshadow", Secret, "password hashes"),
    ("etc/gshadow-", Secret, "password hashes"),
    ("etc/master.passwd", Secret, "password hashes"),
    ("etc/sudoers", Secret, "sudoers"),
    ("etc/sudoers.d", Secret, "sudoers"),
    ("etc/ssh/ssh_host_*_key", Secret, "ssh host private key"),
    ("etc/ssl/private", Secret, "TLS private keys"),
    (
        "etc/claude-code",
        Governance,
        "Claude Code managed settings",
    ),
    (
        "Library/Application Support/ClaudeCode",
        Governance,
        "Claude Code managed settings",
    ),
    ("etc/codex", Governance, "Codex managed config"),
    ("etc/gemini-cli", Governance, "Gemini CLI system settings"),
    ("etc/gitconfig", Governance, "git system config"),
    ("etc/profile", Persistence, "shell startup file"),
    ("etc/profile.d", Persistence, "shell startup file"),
    ("etc/bash.bashrc", Persistence, "shell startup file"),
    ("etc/bashrc", Persistence, "shell startup file"),
    ("etc/zsh", Persistence, "shell startup file"),
    ("etc/zshrc", Persistence, "shell startup file"),
    ("etc/zprofile", Persistence, "shell startup file"),
    ("etc/zshenv", Persistence, "shell startup file"),
    ("etc/environment", Persistence, "session environment"),
    ("etc/crontab", Persistence, "crontab"),
    ("etc/cron.*", Persistence, "crontab"),
    ("etc/anacrontab", Persistence, "crontab"),
    ("var/spool/cron", Persistence, "crontab"),
    ("var/spool/anacron", Persistence, "crontab"),
    ("var/at/tabs", Persistence, "crontab"),
    ("usr/lib/cron/tabs", Persistence, "crontab"),
    ("etc/systemd", Persistence, "systemd unit"),
    ("lib/systemd/system", Persistence, "systemd unit"),
    ("usr/lib/systemd/system", Persistence, "systemd unit"),
    ("etc/init.d", Persistence, "init script"),
    ("etc/rc.local", Persistence, "init script"),
    ("etc/ld.so.preload", Persistence, "library preload"),
    ("etc/ld.so.conf", Persistence, "library search path"),
    ("etc/ld.so.conf.d", Persistence, "library search path"),
    ("etc/xdg/autostart", Persistence, "autostart entry"),
    ("Library/LaunchDaemons", Persistence, "launch daemon"),
    ("Library/LaunchAgents", Persistence, "launch agent"),
];

/// Rules that match at any depth (in a project, in the home, anywhere).
const ANYWHERE_RULES: &[Rule] = &[
    (
        ".claude/.credentials.json",
        Secret,
        "Claude Code credentials",
    ),
    (".codex/auth.json", Secret, "Codex credentials"),
    (".gemini/oauth_creds.json", Secret, "Gemini CLI credentials"),
    (".claude/settings*.json", Governance, "Claude Code settings"),
    (".claude/hooks", Governance, "Claude Code hooks"),
    // Commands, agents and skills can carry `allowed-tools` grants.
    (".claude/commands", Governance, "Claude Code commands"),
    (".claude/agents", Governance, "Claude Code agents"),
    (".claude/skills", Governance, "Claude Code skills"),
    (".cursor/hooks.json", Governance, "Cursor hooks"),
    (".cursor/mcp.json", Governance, "Cursor MCP config"),
    (".cursor/rules", Governance, "Cursor rules"),
    (".cursorrules", Governance, "Cursor rules"),
    (".codex", Governance, "Codex config"),
    (".gemini/settings.json", Governance, "Gemini CLI settings"),
    (".vscode/settings.json", Governance, "VS Code settings"),
    (".vscode/mcp.json", Governance, "VS Code MCP config"),
    // Tasks can run on folder open: code execution without a prompt.
    (".vscode/tasks.json", Governance, "VS Code tasks"),
    (".windsurf", Governance, "Windsurf config"),
    (".codeium/windsurf/hooks.json", Governance, "Windsurf hooks"),
    (
        ".codeium/windsurf/mcp_config.json",
        Governance,
        "Windsurf MCP config",
    ),
    (".clinerules", Governance, "Cline rules"),
    (".mcp.json", Governance, "MCP server config"),
    (".github/workflows", Governance, "CI workflow"),
    (".gitlab-ci.yml", Governance, "CI workflow"),
    (".circleci", Governance, "CI workflow"),
];

fn classify_into(comps: &[&str], absolute: bool, env: &PathEnv, acc: &mut Acc, depth: u8) {
    // macOS keeps /etc, /var and /tmp under /private.
    let sys: &[&str] = match comps {
        ["private", second, ..] if matches!(*second, "etc" | "var" | "tmp") => &comps[1..],
        _ => comps,
    };

    if absolute {
        match sys.first().copied() {
            Some("proc") => classify_proc(sys, env, acc, depth),
            Some("dev") if sys.get(1).copied() != Some("shm") => {
                // Device nodes are neither system files nor home files;
                // the harmless ones get no label at all.
                if sys.len() >= 2 && !is_harmless_device(&sys[1..]) {
                    acc.add(Sensitivity::Device, "device node");
                } else if sys.len() == 1 {
                    acc.add(Sensitivity::System, "system path");
                }
                return;
            }
            _ => {}
        }
        for (pattern, label, why) in ROOT_RULES {
            if matches_rule(sys, pattern) {
                acc.add(*label, why);
            }
        }
    }

    // The user's home and, conservatively, every other home on the box.
    let home = dir_comps(&env.home);
    let home_strs: Option<Vec<&str>> = home
        .as_ref()
        .map(|h| h.iter().map(|c| c.as_ref()).collect());
    let mut bases: Vec<usize> = Vec::with_capacity(2);
    if let Some(h) = &home_strs {
        if starts_with(comps, h) {
            bases.push(h.len());
        }
    }
    if absolute {
        let other = match sys {
            ["root", ..] => Some(1),
            ["home" | "Users", user, ..] if !user.is_empty() => Some(2),
            ["var", "root", ..] => Some(2),
            _ => None,
        };
        if let Some(n) = other {
            // Rebase onto `comps` so the /private offset is kept.
            let n = n + (comps.len() - sys.len());
            if !bases.contains(&n) {
                bases.push(n);
            }
        }
    }
    for base in bases {
        classify_home_relative(&comps[base..], acc);
    }

    for i in 0..comps.len() {
        for (pattern, label, why) in ANYWHERE_RULES {
            if matches_rule(&comps[i..], pattern) {
                acc.add(*label, why);
            }
        }
    }
    if let Some(why) = git_governance(comps) {
        acc.add(Governance, why);
    }
    if let Some(why) = comps.last().and_then(|name| secret_name_why(name)) {
        acc.add(Secret, why);
    }

    if under(comps, &env.warden_home) {
        let keys = env.warden_home.join("keys");
        if under(comps, &keys) {
            acc.add(Secret, "warden keys");
        }
        acc.add(Governance, "warden state");
    }
    if env.hooks_path.as_deref().is_some_and(|h| under(comps, h)) {
        acc.add(Governance, "git hooks (core.hooksPath)");
    }

    // Location labels.
    let in_ws = in_workspace(comps, env);
    // A temp dir counts only when it is nearer than the home or workspace
    // that holds the path: a home under /tmp (CI runners, containers) is
    // still home, and a workspace under /tmp is still the workspace.
    let in_temp = env.temp_dirs.iter().any(|t| {
        under(comps, t)
            && !(in_ws
                && env
                    .workspace_root
                    .as_deref()
                    .is_some_and(|w| w.starts_with(t)))
            && !(home_strs.as_ref().is_some_and(|h| starts_with(comps, h))
                && env.home.starts_with(t))
    });
    let in_home = home_strs.as_ref().is_some_and(|h| starts_with(comps, h));
    if in_temp {
        acc.add(Sensitivity::Temp, "temporary directory");
    }
    if in_home && !in_ws && !in_temp {
        acc.add(Sensitivity::Home, "home directory");
    }
    if absolute && !in_home && !in_temp && !in_ws {
        acc.add(Sensitivity::System, "system path");
    }
}

fn classify_home_relative(rel: &[&str], acc: &mut Acc) {
    if let Some((first, rest)) = rel.split_first() {
        if comp_match(".ssh", first) {
            classify_ssh(rest, acc);
        }
    }
    for (pattern, label, why) in HOME_RULES {
        if matches_rule(rel, pattern) {
            acc.add(*label, why);
        }
    }
}

/// Everything in `~/.ssh` is secret except public keys: `config` and
/// `known_hosts` reveal where the keys open doors, and `authorized_keys`,
/// `rc` and `config` (through `ProxyCommand`/`LocalCommand`) also grant
/// access or run code, so they are persistence too.
fn classify_ssh(rest: &[&str], acc: &mut Acc) {
    let Some(name) = rest.first() else {
        acc.add(Secret, "ssh directory");
        return;
    };
    if rest.len() == 1 && name.ends_with(".pub") {
        return;
    }
    let (why, persistence) = if comp_match("authorized_keys*", name) {
        ("ssh authorized keys", true)
    } else if comp_match("rc", name) {
        ("ssh rc file", true)
    } else if comp_match("config", name) {
        ("ssh config", true)
    } else if comp_match("known_hosts*", name) {
        ("ssh known hosts", false)
    } else if name.starts_with("id_") {
        ("ssh private key", false)
    } else {
        ("ssh directory", false)
    };
    acc.add(Secret, why);
    if persistence {
        acc.add(Persistence, why);
    }
}

fn classify_proc(sys: &[&str], env: &PathEnv, acc: &mut Acc, depth: u8) {
    let is_pid = |s: &str| {
        s == "self"
            || s == "thread-self"
            || (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
    };
    match sys {
        ["proc", "kcore"] => acc.add(Secret, "kernel memory"),
        ["proc", .., "environ"] => acc.add(Secret, "process environment"),
        ["proc", .., "mem"] => acc.add(Secret, "process memory"),
        _ => {}
    }
    // `/proc/<pid>/root/X` is X seen through that process's root: label it
    // as X too. Depth-capped, though each step shortens the path anyway.
    if let ["proc", pid, "root", rest @ ..] = sys {
        if is_pid(pid) && depth < 8 {
            classify_into(rest, true, env, acc, depth + 1);
        }
    }
}

/// Device nodes that read or write nothing of value.
fn is_harmless_device(rest: &[&str]) -> bool {
    match rest {
        [name] => matches!(
            *name,
            "null" | "zero" | "full" | "stdin" | "stdout" | "stderr" | "tty" | "urandom" | "random"
        ),
        ["fd", ..] => true,
        _ => false,
    }
}

/// Git metadata that can run code: hooks in any repository's git dir
/// (including bare `x.git` repos and submodule git dirs under `modules/`),
/// its `config` (which can set `core.hooksPath`, `core.fsmonitor`, …), and
/// the `.git` entry itself, since rewriting a `.git` file redirects the
/// whole repository. Only git's own layout counts, so a project's
/// `src/hooks/` next to a `.git` is not governance.
fn git_governance(comps: &[&str]) -> Option<&'static str> {
    let is_config = |c: &str| comp_match("config", c) || comp_match("config.worktree", c);
    for (i, c) in comps.iter().enumerate() {
        let exact = comp_match(".git", c);
        if !exact && !c.ends_with(".git") {
            continue;
        }
        match &comps[i + 1..] {
            [] if exact => return Some("git metadata"),
            [first, ..] if comp_match("hooks", first) => return Some("git hooks"),
            [only] if is_config(only) => return Some("git config"),
            rest @ [first, .., last]
                if exact && (comp_match("modules", first) || comp_match("worktrees", first)) =>
            {
                if rest.iter().any(|c| comp_match("hooks", c)) {
                    return Some("git hooks");
                }
                if is_config(last) {
                    return Some("git config");
                }
            }
            _ => {}
        }
    }
    None
}

/// The reason a file name alone marks a secret, if it does.
fn secret_name_why(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let n = lower.as_str();
    if n.is_empty() {
        return None;
    }
    // Examples and templates hold placeholders; public keys are public.
    if [".example", ".sample", ".template", ".dist", ".pub"]
        .iter()
        .any(|s| n.ends_with(s))
    {
        return None;
    }
    if ["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"]
        .iter()
        .any(|k| n.starts_with(k))
    {
        return Some("ssh private key");
    }
    if n == ".env" || n.starts_with(".env.") || n.starts_with(".env-") || n.ends_with(".env") {
        return Some(".env file");
    }
    // direnv's `.envrc` is where projects most often export tokens.
    if n == ".envrc" {
        return Some("direnv .envrc file");
    }
    let exact = match n {
        "credentials.json" => Some("credentials file"),
        ".git-credentials" => Some("git credentials"),
        ".netrc" | "_netrc" => Some("netrc credentials"),
        ".pgpass" => Some("database credentials"),
        ".pypirc" => Some("PyPI token"),
        ".vault-token" => Some("Vault token"),
        "credentials.tfrc.json" => Some("Terraform Cloud token"),
        ".htpasswd" => Some("password hashes"),
        "secrets.yml" | "secrets.yaml" | "secrets.json" | "secrets.toml" => Some("secrets file"),
        _ => None,
    };
    if exact.is_some() {
        return exact;
    }
    if n.ends_with(".json") && (n.starts_with("service-account") || n.starts_with("client_secret"))
    {
        return Some("cloud service account key");
    }
    let ext = n.rsplit_once('.').map(|(_, e)| e)?;
    match ext {
        "pem" | "key" | "p12" | "pfx" | "jks" | "keystore" | "ppk" | "p8" => Some("private key"),
        "kdbx" => Some("KeePass database"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::fs;
    use tempfile::TempDir;
    use Sensitivity::*;

    fn env() -> PathEnv {
        PathEnv {
            home: "/home/u".into(),
            workspace_root: Some("/home/u/proj".into()),
            warden_home: "/home/u/.config/warden".into(),
            hooks_path: Some("/home/u/proj/.githooks".into()),
            temp_dirs: vec!["/tmp".into(), "/var/tmp".into(), "/dev/shm".into()],
        }
    }

    fn fact(p: &str) -> PathFact {
        classify(Path::new(p), &env())
    }

    fn labels(p: &str) -> BTreeSet<Sensitivity> {
        fact(p).sensitivity
    }

    fn has(p: &str, l: Sensitivity) -> bool {
        labels(p).contains(&l)
    }

    fn set(ls: &[Sensitivity]) -> BTreeSet<Sensitivity> {
        ls.iter().copied().collect()
    }

    #[test]
    fn ssh_dir() {
        let f = fact("/home/u/.ssh/id_rsa");
        assert_eq!(f.sensitivity, set(&[Secret, Home]));
        assert_eq!(f.why.as_deref(), Some("ssh private key"));
        assert!(!f.in_workspace);
        assert!(has("/home/u/.ssh", Secret));
        assert!(has("/home/u/.ssh/config", Secret));
        assert!(has("/home/u/.ssh/known_hosts", Secret));
        assert!(has("/home/u/.ssh/id_ed25519_sk", Secret));
        assert_eq!(
            labels("/home/u/.ssh/authorized_keys"),
            set(&[Secret, Persistence, Home])
        );
        assert_eq!(labels("/home/u/.ssh/rc"), set(&[Secret, Persistence, Home]));
        // Public keys are not secret.
        assert_eq!(labels("/home/u/.ssh/id_rsa.pub"), set(&[Home]));
    }

    #[test]
    fn home_secrets() {
        for (p, why) in [
            ("/home/u/.aws/credentials", "AWS credentials"),
            ("/home/u/.aws/config", "AWS credentials"),
            (
                "/home/u/.config/gcloud/application_default_credentials.json",
                "Google Cloud credentials",
            ),
            (
                "/home/u/.config/gcloud/access_tokens.db",
                "Google Cloud credentials",
            ),
            ("/home/u/.azure/msal_token_cache.json", "Azure credentials"),
            ("/home/u/.kube/config", "Kubernetes credentials"),
            ("/home/u/.docker/config.json", "Docker registry credentials"),
            ("/home/u/.config/gh/hosts.yml", "GitHub CLI token"),
            ("/home/u/.config/glab-cli/config.yml", "GitLab CLI token"),
            ("/home/u/.config/hub", "hub token"),
            ("/home/u/.npmrc", "npm token"),
            ("/home/u/.pypirc", "PyPI token"),
            ("/home/u/.cargo/credentials", "cargo registry token"),
            ("/home/u/.cargo/credentials.toml", "cargo registry token"),
            ("/home/u/.netrc", "netrc credentials"),
            ("/home/u/_netrc", "netrc credentials"),
            ("/home/u/.git-credentials", "git credentials"),
            ("/home/u/.config/git/credentials", "git credentials"),
            ("/home/u/.gnupg/private-keys-v1.d/x.key", "GnuPG keyring"),
            ("/home/u/.password-store/site.gpg", "password store"),
            (
                "/home/u/.local/share/keyrings/login.keyring",
                "desktop keyring",
            ),
            (
                "/home/u/Library/Keychains/login.keychain-db",
                "macOS keychain",
            ),
            (
                "/home/u/.mozilla/firefox/abc.default/logins.json",
                "browser profile",
            ),
            (
                "/home/u/.config/google-chrome/Default/Cookies",
                "browser profile",
            ),
            (
                "/home/u/.config/chromium/Default/Login Data",
                "browser profile",
            ),
            (
                "/home/u/.config/BraveSoftware/Brave-Browser/Default",
                "browser profile",
            ),
            (
                "/home/u/Library/Application Support/Google/Chrome/Default",
                "browser profile",
            ),
            ("/home/u/.config/Bitwarden/data.json", "password manager"),
            ("/home/u/.config/1Password/settings", "password manager"),
            ("/home/u/.vault-token", "Vault token"),
            (
                "/home/u/.terraform.d/credentials.tfrc.json",
                "Terraform Cloud token",
            ),
            ("/home/u/.config/warden/keys/signing.key", "warden keys"),
            ("/home/u/Documents/vault.kdbx", "KeePass database"),
        ] {
            let f = fact(p);
            assert!(f.sensitivity.contains(&Secret), "{p} not secret: {f:?}");
            assert!(f.sensitivity.contains(&Home), "{p} not home");
            assert_eq!(f.why.as_deref(), Some(why), "{p}");
        }
        assert!(has("/home/u/.config/warden/keys/signing.key", Governance));
    }

    #[test]
    fn system_secrets() {
        for p in [
            "/etc/shadow",
            "/etc/gshadow",
            "/etc/sudoers",
            "/etc/sudoers.d/90-users",
            "/etc/ssh/ssh_host_ed25519_key",
            "/etc/ssh/ssh_host_rsa_key",
        ] {
            assert_eq!(labels(p), set(&[Secret, System]), "{p}");
        }
        assert_eq!(labels("/etc/ssh/ssh_host_rsa_key.pub"), set(&[System]));
        assert_eq!(labels("/etc/ssh/sshd_config"), set(&[System]));
        // Other users' homes get the home rules too.
        assert!(has("/root/.aws/credentials", Secret));
        assert!(has("/home/other/.kube/config", Secret));
        assert!(has("/Users/mac/.ssh/id_rsa", Secret));
    }

    #[test]
    fn secret_file_names_anywhere() {
        for p in [
            "/home/u/proj/.env",
            "/home/u/proj/.env.local",
            "/home/u/proj/.env.production",
            "/home/u/proj/config/prod.env",
            "/home/u/proj/.envrc",
            "/home/u/proj/certs/server.pem",
            "/home/u/proj/tls/server.key",
            "/home/u/proj/cert.p12",
            "/home/u/proj/cert.pfx",
            "/home/u/proj/app.jks",
            "/home/u/proj/release.keystore",
            "/home/u/proj/putty.ppk",
            "/home/u/proj/credentials.json",
            "/home/u/proj/service-account-prod.json",
            "/home/u/proj/deploy/id_ed25519",
            "/tmp/id_rsa",
        ] {
            let f = fact(p);
            assert!(f.sensitivity.contains(&Secret), "{p}: {f:?}");
        }
        let f = fact("/home/u/proj/.env");
        assert!(f.in_workspace);
        assert_eq!(f.sensitivity, set(&[Secret]));
        assert_eq!(f.why.as_deref(), Some(".env file"));
    }

    #[test]
    fn secret_name_negatives() {
        for name in [
            ".env.example",
            ".env.sample",
            ".env.template",
            ".env.dist",
            "server.key.example",
            "id_rsa.pub",
            "README.md",
            "main.rs",
            "environment.ts",
            "keys.rs",
            "",
            "credentials",
        ] {
            assert!(!is_secret_file_name(name), "{name}");
        }
        for name in [
            "id_rsa",
            ".env",
            ".env.production",
            "credentials.json",
            "KEY.PEM",
            "db.kdbx",
        ] {
            assert!(is_secret_file_name(name), "{name}");
        }
        assert_eq!(labels("/home/u/proj/.env.example"), set(&[]));
    }

    #[test]
    fn governance_files() {
        for (p, why) in [
            ("/home/u/proj/.claude/settings.json", "Claude Code settings"),
            (
                "/home/u/proj/.claude/settings.local.json",
                "Claude Code settings",
            ),
            ("/home/u/.claude/settings.json", "Claude Code settings"),
            ("/home/u/.claude.json", "Claude Code settings"),
            ("/home/u/proj/.claude/hooks/guard.sh", "Claude Code hooks"),
            (
                "/etc/claude-code/managed-settings.json",
                "Claude Code managed settings",
            ),
            ("/home/u/proj/.cursor/hooks.json", "Cursor hooks"),
            ("/home/u/proj/.cursor/mcp.json", "Cursor MCP config"),
            ("/home/u/proj/.cursor/rules/x.mdc", "Cursor rules"),
            ("/home/u/proj/.codex/config.toml", "Codex config"),
            ("/home/u/.codex/config.toml", "Codex config"),
            ("/home/u/proj/.gemini/settings.json", "Gemini CLI settings"),
            ("/home/u/.gemini/settings.json", "Gemini CLI settings"),
            ("/home/u/proj/.vscode/settings.json", "VS Code settings"),
            ("/home/u/proj/.vscode/mcp.json", "VS Code MCP config"),
            ("/home/u/proj/.windsurf/rules/a.md", "Windsurf config"),
            ("/home/u/.codeium/windsurf/hooks.json", "Windsurf hooks"),
            (
                "/home/u/.codeium/windsurf/mcp_config.json",
                "Windsurf MCP config",
            ),
            ("/home/u/proj/.clinerules", "Cline rules"),
            ("/home/u/proj/.mcp.json", "MCP server config"),
            ("/home/u/.config/warden/policy.cedar", "warden state"),
            ("/home/u/proj/.git/hooks/pre-commit", "git hooks"),
            ("/home/u/other/.git/hooks/post-checkout", "git hooks"),
            ("/home/u/proj/.git/config", "git config"),
            ("/home/u/proj/.git/modules/sub/hooks/x", "git hooks"),
            ("/srv/repo.git/hooks/pre-receive", "git hooks"),
            (
                "/home/u/proj/.githooks/pre-commit",
                "git hooks (core.hooksPath)",
            ),
            ("/home/u/proj/.github/workflows/ci.yml", "CI workflow"),
        ] {
            let f = fact(p);
            assert!(f.sensitivity.contains(&Governance), "{p}: {f:?}");
            assert_eq!(f.why.as_deref(), Some(why), "{p}");
        }
        assert!(has(
            "/home/u/proj/.git/worktrees/wt/config.worktree",
            Governance
        ));
        assert!(has("/home/u/proj/.git", Governance));
        assert!(!has("/home/u/proj/.gitattributes", Governance));
        assert!(!has("/home/u/proj/src/hooks/useThing.ts", Governance));
        assert!(!has("/home/u/mylib.git/src/hooks/useThing.ts", Governance));
        assert!(!has("/home/u/proj/.git/refs/heads/config", Governance));
        assert!(!has("/home/u/proj/.git/objects/ab/cdef", Governance));
        assert!(!has("/home/u/proj/.github/CODEOWNERS", Governance));
        assert!(!has("/home/u/proj/.vscode/extensions.json", Governance));
    }

    #[test]
    fn persistence_files() {
        for p in [
            "/home/u/.bashrc",
            "/home/u/.bash_profile",
            "/home/u/.bash_login",
            "/home/u/.profile",
            "/home/u/.zshrc",
            "/home/u/.zprofile",
            "/home/u/.zshenv",
            "/home/u/.zlogin",
            "/home/u/.config/fish/config.fish",
            "/home/u/.config/fish/conf.d/x.fish",
            "/home/u/.config/systemd/user/evil.service",
            "/home/u/.config/autostart/x.desktop",
            "/home/u/Library/LaunchAgents/com.x.plist",
        ] {
            let f = fact(p);
            assert_eq!(f.sensitivity, set(&[Persistence, Home]), "{p}");
        }
        assert_eq!(
            fact("/home/u/.bashrc").why.as_deref(),
            Some("shell startup file")
        );
        for p in [
            "/etc/profile",
            "/etc/profile.d/x.sh",
            "/etc/bash.bashrc",
            "/etc/crontab",
            "/etc/cron.d/job",
            "/etc/cron.daily/job",
            "/var/spool/cron/crontabs/u",
            "/etc/systemd/system/x.service",
            "/etc/xdg/autostart/x.desktop",
            "/Library/LaunchDaemons/x.plist",
            "/etc/ld.so.preload",
            "/etc/rc.local",
            "/private/etc/profile",
        ] {
            let f = fact(p);
            assert_eq!(f.sensitivity, set(&[Persistence, System]), "{p}");
        }
        assert!(!has("/home/u/.local/bin/tool", Persistence));
    }

    #[test]
    fn system_device_home_temp() {
        for p in [
            "/etc/hosts",
            "/usr/bin/ls",
            "/bin/sh",
            "/opt/x",
            "/var/log/syslog",
            "/sys/kernel",
            "/boot/vmlinuz",
            "/root/notes",
            "/",
        ] {
            assert_eq!(labels(p), set(&[System]), "{p}");
        }
        assert_eq!(fact("/usr/bin/ls").why.as_deref(), Some("system path"));
        for p in ["/dev/sda", "/dev/mem", "/dev/nvme0n1p1", "/dev/pts/3"] {
            assert_eq!(labels(p), set(&[Device]), "{p}");
        }
        for p in [
            "/dev/null",
            "/dev/zero",
            "/dev/stdin",
            "/dev/stdout",
            "/dev/stderr",
            "/dev/tty",
            "/dev/fd/3",
            "/dev/urandom",
            "/dev/random",
        ] {
            assert_eq!(labels(p), set(&[]), "{p}");
        }
        assert_eq!(labels("/dev/shm/x"), set(&[Temp]));
        assert_eq!(labels("/tmp/x"), set(&[Temp]));
        assert_eq!(fact("/tmp/x").why.as_deref(), Some("temporary directory"));
        assert_eq!(labels("/var/tmp/x"), set(&[Temp]));
        assert_eq!(labels("/home/u/notes.txt"), set(&[Home]));
        let f = fact("/home/u/proj/src/main.rs");
        assert!(f.in_workspace);
        assert_eq!(f.sensitivity, set(&[]));
        assert_eq!(f.why, None);
        // The workspace is matched by component, not by string prefix.
        assert!(!fact("/home/u/project2/x").in_workspace);
    }

    #[test]
    fn a_workspace_under_tmp_is_the_workspace_not_temp() {
        let mut e = env();
        e.workspace_root = Some("/tmp/ws".into());
        let f = classify(Path::new("/tmp/ws/src/lib.rs"), &e);
        assert!(f.in_workspace);
        assert_eq!(f.sensitivity, set(&[]));
        // Elsewhere under /tmp is still temp.
        assert_eq!(
            classify(Path::new("/tmp/other"), &e).sensitivity,
            set(&[Temp])
        );
        // A workspace outside home and temp is not "system".
        e.workspace_root = Some("/srv/app".into());
        let f = classify(Path::new("/srv/app/main.go"), &e);
        assert!(f.in_workspace);
        assert_eq!(f.sensitivity, set(&[]));
    }

    #[test]
    fn proc_paths() {
        let f = fact("/proc/self/root/home/u/.ssh/id_rsa");
        assert!(f.sensitivity.contains(&Secret), "{f:?}");
        assert_eq!(f.why.as_deref(), Some("ssh private key"));
        assert!(has("/proc/1234/root/etc/shadow", Secret));
        assert!(has("/proc/self/environ", Secret));
        assert!(has("/proc/42/environ", Secret));
        assert!(has("/proc/42/task/43/environ", Secret));
        assert!(has("/proc/42/mem", Secret));
        assert!(has("/proc/kcore", Secret));
        assert_eq!(labels("/proc/cpuinfo"), set(&[System]));
        assert_eq!(labels("/proc/self/root/tmp/x"), set(&[System, Temp]));
    }

    #[test]
    fn unnormalized_and_empty_env() {
        assert!(has("/home/u/proj/../.ssh/./id_rsa", Secret));
        let f = classify(Path::new("/home/u/.ssh/id_rsa"), &PathEnv::default());
        assert!(f.sensitivity.contains(&Secret));
        assert!(!f.in_workspace);
        // With no home configured nothing is "home", and relative input does not panic.
        let f = classify(Path::new("relative/.env"), &PathEnv::default());
        assert_eq!(f.sensitivity, set(&[Secret]));
    }

    // ---- resolve ----

    #[test]
    fn expands_home_forms() {
        let e = env();
        let cwd = Path::new("/nonexistent-cwd");
        assert_eq!(resolve("~", cwd, &e), PathBuf::from("/home/u"));
        assert_eq!(
            resolve("~/.ssh/id_rsa", cwd, &e),
            PathBuf::from("/home/u/.ssh/id_rsa")
        );
        assert_eq!(
            resolve("$HOME/.aws", cwd, &e),
            PathBuf::from("/home/u/.aws")
        );
        assert_eq!(
            resolve("${HOME}/.aws", cwd, &e),
            PathBuf::from("/home/u/.aws")
        );
        assert_eq!(resolve("~//etc/x", cwd, &e), PathBuf::from("/home/u/etc/x"));
        assert_eq!(resolve("~root/.ssh", cwd, &e), PathBuf::from("/root/.ssh"));
        assert_eq!(resolve("~bob/x", cwd, &e), PathBuf::from("/home/bob/x"));
        assert_eq!(
            resolve("$HOMEDIR/x", cwd, &e),
            PathBuf::from("/nonexistent-cwd/$HOMEDIR/x")
        );
        assert_eq!(
            resolve("a/./b/../c", cwd, &e),
            PathBuf::from("/nonexistent-cwd/a/c")
        );
        assert_eq!(resolve("../../../..", cwd, &e), PathBuf::from("/"));
        assert_eq!(resolve("", cwd, &e), PathBuf::from("/nonexistent-cwd"));
        assert_eq!(resolve("x", Path::new("rel"), &e), PathBuf::from("/rel/x"));
        // /proc links describe the hook process, so they are kept.
        assert_eq!(
            resolve("/proc/self/root/etc/shadow", cwd, &e),
            PathBuf::from("/proc/self/root/etc/shadow")
        );
        assert_eq!(resolve("/dev/stdin", cwd, &e), PathBuf::from("/dev/stdin"));
    }

    struct Fixture {
        _dir: TempDir,
        root: PathBuf,
        home: PathBuf,
        ws: PathBuf,
    }

    fn fixture() -> Fixture {
        let dir = TempDir::new().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        let home = root.join("home/u");
        let ws = home.join("proj");
        fs::create_dir_all(home.join(".ssh")).unwrap();
        fs::create_dir_all(home.join(".aws")).unwrap();
        fs::create_dir_all(ws.join("src")).unwrap();
        fs::write(home.join(".ssh/id_rsa"), "k").unwrap();
        fs::write(home.join(".aws/credentials"), "c").unwrap();
        Fixture {
            _dir: dir,
            root,
            home,
            ws,
        }
    }

    fn fixture_env(f: &Fixture) -> PathEnv {
        PathEnv {
            home: f.home.clone(),
            workspace_root: Some(f.ws.clone()),
            warden_home: f.home.join(".config/warden"),
            hooks_path: None,
            // The fixture lives in a temp dir itself; leave temp out so the
            // home/workspace labels are what is tested.
            temp_dirs: vec![],
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlink_to_secret_leaves_workspace() {
        let f = fixture();
        let e = fixture_env(&f);
        std::os::unix::fs::symlink(f.home.join(".ssh/id_rsa"), f.ws.join("innocent.txt")).unwrap();
        let p = resolve("innocent.txt", &f.ws, &e);
        assert_eq!(p, f.home.join(".ssh/id_rsa"));
        let fact = classify(&p, &e);
        assert!(fact.sensitivity.contains(&Secret));
        assert!(!fact.in_workspace);
    }

    #[cfg(unix)]
    #[test]
    fn dotdot_after_symlinked_dir_follows_target() {
        let f = fixture();
        let e = fixture_env(&f);
        std::os::unix::fs::symlink(f.home.join(".ssh"), f.ws.join("keys")).unwrap();
        // Lexically this is proj/.aws/credentials; physically it is ~/.aws/credentials.
        let p = resolve("keys/../.aws/credentials", &f.ws, &e);
        assert_eq!(p, f.home.join(".aws/credentials"));
        assert!(classify(&p, &e).sensitivity.contains(&Secret));
        // A file that does not exist yet under a symlinked dir.
        let p = resolve("keys/new_key", &f.ws, &e);
        assert_eq!(p, f.home.join(".ssh/new_key"));
        // Relative symlink chains.
        std::os::unix::fs::symlink("keys", f.ws.join("k2")).unwrap();
        assert_eq!(resolve("k2/id_rsa", &f.ws, &e), f.home.join(".ssh/id_rsa"));
        // `..` climbing back out of a missing directory still resolves links.
        assert_eq!(
            resolve("nope/../keys/id_rsa", &f.ws, &e),
            f.home.join(".ssh/id_rsa")
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_terminate() {
        let f = fixture();
        let e = fixture_env(&f);
        std::os::unix::fs::symlink(f.ws.join("b"), f.ws.join("a")).unwrap();
        std::os::unix::fs::symlink(f.ws.join("a"), f.ws.join("b")).unwrap();
        std::os::unix::fs::symlink("self", f.ws.join("self")).unwrap();
        let p = resolve("a/x", &f.ws, &e);
        assert!(p.is_absolute());
        let p = resolve("self/self/x", &f.ws, &e);
        assert!(p.is_absolute());
        assert!(p.starts_with(&f.root));
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_home_tilde() {
        let f = fixture();
        let link = f.root.join("homelink");
        std::os::unix::fs::symlink(&f.home, &link).unwrap();
        let mut e = fixture_env(&f);
        e.home = link;
        // `~` goes through the link to the real home.
        assert_eq!(
            resolve("~/.ssh/id_rsa", &f.ws, &e),
            f.home.join(".ssh/id_rsa")
        );
    }

    #[test]
    fn path_env_new_has_temp_dirs() {
        let e = PathEnv::new(
            "/home/u".into(),
            None,
            "/home/u/.config/warden".into(),
            None,
        );
        assert!(e.temp_dirs.iter().any(|t| t == Path::new("/tmp")));
    }

    proptest! {
        #[test]
        fn resolve_never_panics_and_is_absolute(raw in ".*", cwd in ".*") {
            let e = env();
            let p = resolve(&raw, Path::new(&cwd), &e);
            prop_assert!(p.is_absolute());
            let _ = classify(&p, &e);
        }

        #[test]
        fn resolve_pathlike(raw in "[~$/{}.a-zA-Z_ ]{0,40}") {
            let e = env();
            let p = resolve(&raw, Path::new("/home/u/proj"), &e);
            prop_assert!(p.is_absolute());
            let _ = classify(&p, &e);
        }

        #[test]
        fn classify_never_panics(raw in ".*") {
            let _ = classify(Path::new(&raw), &env());
            let _ = is_secret_file_name(&raw);
        }
    }
}
