//! Workspace detection: the git root of a directory, its branch, `origin`
//! remote and `core.hooksPath`, read straight from the repository files.
//!
//! This runs on every hook call, so it never spawns `git`: it stats its way
//! up to the nearest `.git` and reads at most a handful of small files.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use warden_action::Workspace;

/// Git files larger than this are not read; real ones are a few KiB.
const MAX_GIT_FILE: u64 = 1 << 20;

/// Finds the workspace of `cwd`: walk up to the nearest directory holding
/// `.git` (a directory, or a file `gitdir: <path>` as in worktrees and
/// submodules); else the cwd itself with `is_git = false`.
///
/// `root` is canonicalized when the cwd exists. `remote` is `origin`'s URL
/// with any credentials removed. `hooks_path` is `core.hooksPath` from the
/// repository config (falling back to the global and system config, which
/// git also honours), made absolute: `~/` is expanded with `$HOME` and a
/// relative value is taken from the root, where git runs hooks.
pub fn detect(cwd: &Path) -> Workspace {
    detect_with(cwd, home_dir().as_deref(), true)
}

/// [`detect`] with the home used for `~` and the global config made
/// explicit, so tests do not depend on the machine's git setup.
fn detect_with(cwd: &Path, home: Option<&Path>, global: bool) -> Workspace {
    let cwd = absolute(cwd);
    // git discovers from the physical directory, so do the same; a cwd that
    // does not exist is walked as given.
    let start = fs::canonicalize(&cwd).unwrap_or(cwd);
    for dir in start.ancestors() {
        let dot_git = dir.join(".git");
        let Ok(meta) = fs::metadata(&dot_git) else {
            continue;
        };
        let gitdir = if meta.is_dir() {
            Some(dot_git)
        } else if meta.is_file() {
            // A `.git` file that is not a valid pointer still marks the
            // root (git stops there too), but there is nothing to read.
            read_small(&dot_git).and_then(|text| gitdir_from_file(&text, dir))
        } else {
            continue;
        };
        return repo_workspace(dir, gitdir.as_deref(), home, global);
    }
    Workspace {
        root: start.to_string_lossy().into_owned(),
        is_git: false,
        remote: None,
        branch: None,
        hooks_path: None,
    }
}

fn repo_workspace(
    root: &Path,
    gitdir: Option<&Path>,
    home: Option<&Path>,
    global: bool,
) -> Workspace {
    let mut ws = Workspace {
        root: root.to_string_lossy().into_owned(),
        is_git: true,
        remote: None,
        branch: None,
        hooks_path: None,
    };
    let Some(gitdir) = gitdir else {
        return ws;
    };
    ws.branch = read_small(&gitdir.join("HEAD")).and_then(|head| branch_of_head(&head));

    // Linked worktrees keep HEAD in their own gitdir but share the config of
    // the common dir named by `commondir`.
    let common = read_small(&gitdir.join("commondir"))
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .map(|c| gitdir.join(c))
        .unwrap_or_else(|| gitdir.to_path_buf());

    let mut config = GitConfig::default();
    if let Some(text) = read_small(&common.join("config")) {
        config.parse(&text);
    }
    // `extensions.worktreeConfig` settings override the shared ones.
    if let Some(text) = read_small(&gitdir.join("config.worktree")) {
        config.parse(&text);
    }

    ws.remote = config
        .first("remote", Some("origin"), "url")
        .filter(|u| !u.trim().is_empty())
        .map(|u| strip_url_credentials(u.trim()));

    let mut hooks = config.last("core", None, "hookspath").map(str::to_owned);
    if hooks.is_none() && global {
        hooks = global_hooks_path(home);
    }
    ws.hooks_path = hooks
        .filter(|h| !h.trim().is_empty())
        .map(|h| expand_config_path(h.trim(), root, home))
        .map(|p| p.to_string_lossy().into_owned());
    ws
}

/// `core.hooksPath` from the global and system config, highest priority
/// first (global `~/.gitconfig`, then XDG, then `/etc/gitconfig`).
fn global_hooks_path(home: Option<&Path>) -> Option<String> {
    let mut files: Vec<PathBuf> = Vec::new();
    if let Some(home) = home {
        files.push(home.join(".gitconfig"));
    }
    match std::env::var_os("XDG_CONFIG_HOME").filter(|x| !x.is_empty()) {
        Some(xdg) => files.push(PathBuf::from(xdg).join("git/config")),
        None => {
            if let Some(home) = home {
                files.push(home.join(".config/git/config"));
            }
        }
    }
    files.push(PathBuf::from("/etc/gitconfig"));
    files.iter().find_map(|f| {
        let text = read_small(f)?;
        let mut cfg = GitConfig::default();
        cfg.parse(&text);
        cfg.last("core", None, "hookspath").map(str::to_owned)
    })
}

fn expand_config_path(value: &str, root: &Path, home: Option<&Path>) -> PathBuf {
    if let Some(home) = home {
        if value == "~" {
            return home.to_path_buf();
        }
        if let Some(rest) = value.strip_prefix("~/") {
            return home.join(rest.trim_start_matches('/'));
        }
    }
    root.join(value)
}

fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        return p.to_path_buf();
    }
    match std::env::current_dir() {
        Ok(cur) => cur.join(p),
        Err(_) => Path::new("/").join(p),
    }
}

/// Reads a small regular file as text. Anything else (a FIFO would block
/// the hook forever, a huge file would stall it) is treated as absent.
fn read_small(path: &Path) -> Option<String> {
    let meta = fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_GIT_FILE {
        return None;
    }
    let mut buf = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    fs::File::open(path)
        .ok()?
        .take(MAX_GIT_FILE)
        .read_to_end(&mut buf)
        .ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// The gitdir named by a `.git` file (`gitdir: ../.git/worktrees/x`),
/// relative paths taken from the directory holding the file.
fn gitdir_from_file(text: &str, dir: &Path) -> Option<PathBuf> {
    let line = text.lines().next()?.trim();
    let target = line.strip_prefix("gitdir:")?.trim();
    if target.is_empty() {
        return None;
    }
    Some(dir.join(target))
}

fn branch_of_head(head: &str) -> Option<String> {
    let target = head.lines().next()?.trim().strip_prefix("ref:")?.trim();
    let branch = target.strip_prefix("refs/heads/")?;
    (!branch.is_empty()).then(|| branch.to_owned())
}

/// Removes credentials from a remote URL so that no token is ever reported:
/// `https://user:token@host/x` becomes `https://host/x`. Over HTTP(S) a lone
/// user name is dropped too, because tokens are commonly passed that way
/// (`https://ghp_…@github.com`); for other schemes a user without password
/// (`ssh://git@host/x`) is kept. scp-like remotes cannot carry a password
/// and are returned unchanged.
pub fn strip_url_credentials(url: &str) -> String {
    let Some(idx) = url.find("://") else {
        return url.to_owned();
    };
    let scheme = &url[..idx];
    let rest = &url[idx + 3..];
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..auth_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &authority[..at];
    let http = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    if !userinfo.contains(':') && !http {
        return url.to_owned();
    }
    format!("{scheme}://{}{}", &authority[at + 1..], &rest[auth_end..])
}

/// A tolerant reader for git's config format: sections with optional quoted
/// subsections (or the legacy `[section.sub]`), `key = value`, comments with
/// `#` or `;`, quoted values with escapes, and backslash line continuation.
/// Section and key names are case-insensitive, subsections are not.
/// Malformed lines are skipped rather than rejected, since a half-broken
/// config must not break the hook.
#[derive(Debug, Default)]
struct GitConfig {
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    section: String,
    subsection: Option<String>,
    key: String,
    value: String,
}

impl GitConfig {
    fn parse(&mut self, text: &str) {
        let mut section: Option<(String, Option<String>)> = None;
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            let mut rest = line.trim_start();
            if rest.starts_with('[') {
                match parse_header(rest) {
                    Some((name, sub, after)) => {
                        section = Some((name, sub));
                        rest = after.trim_start();
                    }
                    None => {
                        // Ignore entries until the next readable header
                        // rather than filing them under the wrong section.
                        section = None;
                        continue;
                    }
                }
            }
            if rest.is_empty() || rest.starts_with('#') || rest.starts_with(';') {
                continue;
            }
            let Some((name, sub)) = &section else {
                continue;
            };
            let key_len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .unwrap_or(rest.len());
            let key = &rest[..key_len];
            if !key.starts_with(|c: char| c.is_ascii_alphabetic()) {
                continue;
            }
            let after = rest[key_len..].trim_start();
            let value = if after.is_empty() || after.starts_with('#') || after.starts_with(';') {
                // A bare key is boolean true.
                "true".to_owned()
            } else if let Some(v) = after.strip_prefix('=') {
                parse_value(v, &mut lines)
            } else {
                continue;
            };
            self.entries.push(Entry {
                section: name.clone(),
                subsection: sub.clone(),
                key: key.to_ascii_lowercase(),
                value,
            });
        }
    }

    fn is_key(e: &Entry, section: &str, subsection: Option<&str>, key: &str) -> bool {
        e.section.eq_ignore_ascii_case(section)
            && e.subsection.as_deref() == subsection
            && e.key.eq_ignore_ascii_case(key)
    }

    /// The last value, which is the one git uses for single-valued keys.
    fn last(&self, section: &str, subsection: Option<&str>, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|e| Self::is_key(e, section, subsection, key))
            .map(|e| e.value.as_str())
    }

    /// The first value, which is what git fetches from for `remote.*.url`.
    fn first(&self, section: &str, subsection: Option<&str>, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| Self::is_key(e, section, subsection, key))
            .map(|e| e.value.as_str())
    }
}

/// Parses `[name]`, `[name "sub"]` or `[name.sub]` at the start of `line`;
/// returns the lower-cased name, the subsection and the text after `]`.
fn parse_header(line: &str) -> Option<(String, Option<String>, &str)> {
    let inner = line.strip_prefix('[')?;
    let name_end = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
        .unwrap_or(inner.len());
    let name = &inner[..name_end];
    if name.is_empty() {
        return None;
    }
    let rest = &inner[name_end..];
    if let Some(after) = rest.strip_prefix(']') {
        // Legacy `[section.sub]`: the subsection is lower-cased by git.
        return Some(match name.split_once('.') {
            Some((s, sub)) => (
                s.to_ascii_lowercase(),
                Some(sub.to_ascii_lowercase()),
                after,
            ),
            None => (name.to_ascii_lowercase(), None, after),
        });
    }
    let rest = rest.trim_start().strip_prefix('"')?;
    let mut sub = String::new();
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                let (_, escaped) = chars.next()?;
                sub.push(escaped);
            }
            '"' => {
                let after = rest[i + 1..].trim_start().strip_prefix(']')?;
                return Some((name.to_ascii_lowercase(), Some(sub), after));
            }
            _ => sub.push(c),
        }
    }
    None
}

/// Parses a value after `=`: quotes removed, escapes decoded, an unquoted
/// comment ends it, trailing unquoted whitespace is dropped and a final
/// backslash continues it on the next line.
fn parse_value<'a>(first: &'a str, lines: &mut impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut keep = 0usize; // length of `out` up to the last significant char
    let mut in_quote = false;
    let mut line = first.trim_start();
    loop {
        let mut chars = line.chars();
        let mut continued = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    None => {
                        continued = true;
                        break;
                    }
                    Some(e) => {
                        out.push(match e {
                            'n' => '\n',
                            't' => '\t',
                            'b' => '\u{8}',
                            other => other,
                        });
                        keep = out.len();
                    }
                },
                '"' => {
                    in_quote = !in_quote;
                    keep = out.len();
                }
                '#' | ';' if !in_quote => break,
                c if c.is_whitespace() && !in_quote => out.push(c),
                c => {
                    out.push(c);
                    keep = out.len();
                }
            }
        }
        if !continued {
            break;
        }
        match lines.next() {
            Some(next) => line = next,
            None => break,
        }
    }
    out.truncate(keep);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use tempfile::TempDir;

    fn git_repo(dir: &Path, head: &str, config: &str) {
        let g = dir.join(".git");
        fs::create_dir_all(g.join("hooks")).unwrap();
        fs::write(g.join("HEAD"), head).unwrap();
        fs::write(g.join("config"), config).unwrap();
    }

    fn detect_local(cwd: &Path) -> Workspace {
        detect_with(cwd, Some(Path::new("/home/tester")), false)
    }

    fn canon(p: &Path) -> String {
        fs::canonicalize(p).unwrap().to_string_lossy().into_owned()
    }

    const CONFIG: &str = "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\
        [remote \"origin\"]\n\turl = git@github.com:acme/widget.git\n\
        \tfetch = +refs/heads/*:refs/remotes/origin/*\n[branch \"main\"]\n\tremote = origin\n";

    #[test]
    fn plain_repo() {
        let t = TempDir::new().unwrap();
        git_repo(t.path(), "ref: refs/heads/main\n", CONFIG);
        let ws = detect_local(t.path());
        assert!(ws.is_git);
        assert_eq!(ws.root, canon(t.path()));
        assert_eq!(ws.branch.as_deref(), Some("main"));
        assert_eq!(ws.remote.as_deref(), Some("git@github.com:acme/widget.git"));
        assert_eq!(ws.hooks_path, None);
    }

    #[test]
    fn nested_cwd_finds_root() {
        let t = TempDir::new().unwrap();
        git_repo(t.path(), "ref: refs/heads/feature/x\n", CONFIG);
        let deep = t.path().join("a/b/c");
        fs::create_dir_all(&deep).unwrap();
        let ws = detect_local(&deep);
        assert!(ws.is_git);
        assert_eq!(ws.root, canon(t.path()));
        assert_eq!(ws.branch.as_deref(), Some("feature/x"));
    }

    #[test]
    fn worktree_git_file_uses_commondir_config() {
        let t = TempDir::new().unwrap();
        let main = t.path().join("main");
        git_repo(
            &main,
            "ref: refs/heads/main\n",
            "[core]\n\thooksPath = .githooks\n",
        );
        let wt_gitdir = main.join(".git/worktrees/wt");
        fs::create_dir_all(&wt_gitdir).unwrap();
        fs::write(wt_gitdir.join("HEAD"), "ref: refs/heads/topic\n").unwrap();
        fs::write(wt_gitdir.join("commondir"), "../..\n").unwrap();
        let wt = t.path().join("wt");
        fs::create_dir_all(wt.join("src")).unwrap();
        fs::write(
            wt.join(".git"),
            format!("gitdir: {}\n", wt_gitdir.display()),
        )
        .unwrap();
        let ws = detect_local(&wt.join("src"));
        assert!(ws.is_git);
        assert_eq!(ws.root, canon(&wt));
        assert_eq!(ws.branch.as_deref(), Some("topic"));
        let expected = Path::new(&canon(&wt)).join(".githooks");
        assert_eq!(ws.hooks_path.as_deref(), Some(expected.to_str().unwrap()));
    }

    #[test]
    fn relative_gitdir_file() {
        let t = TempDir::new().unwrap();
        let real = t.path().join("modules/sub");
        fs::create_dir_all(&real).unwrap();
        fs::write(real.join("HEAD"), "ref: refs/heads/dev\n").unwrap();
        let sub = t.path().join("sub");
        fs::create_dir_all(&sub).unwrap();
        fs::write(sub.join(".git"), "gitdir: ../modules/sub\n").unwrap();
        let ws = detect_local(&sub);
        assert!(ws.is_git);
        assert_eq!(ws.branch.as_deref(), Some("dev"));
    }

    #[test]
    fn no_repo_is_cwd() {
        let t = TempDir::new().unwrap();
        let ws = detect_local(t.path());
        // A temp dir could sit inside some repo on an odd machine; only
        // assert when it does not.
        if !ws.is_git {
            assert_eq!(ws.root, canon(t.path()));
            assert_eq!(ws.remote, None);
            assert_eq!(ws.branch, None);
        }
    }

    #[test]
    fn missing_cwd_does_not_panic() {
        let ws = detect_local(Path::new("/definitely/not/here/x"));
        assert!(!ws.root.is_empty());
        let ws = detect_local(Path::new("relative/dir"));
        assert!(Path::new(&ws.root).is_absolute());
    }

    #[test]
    fn remote_credentials_stripped() {
        let t = TempDir::new().unwrap();
        git_repo(
            t.path(),
            "ref: refs/heads/main\n",
            "[remote \"origin\"]\n\turl = https://bob:ghp_SECRETTOKEN@github.com/acme/x.git\n",
        );
        let ws = detect_local(t.path());
        let remote = ws.remote.unwrap();
        assert_eq!(remote, "https://github.com/acme/x.git");
        assert!(!remote.contains("SECRET"));
    }

    #[test]
    fn strip_credentials_forms() {
        assert_eq!(
            strip_url_credentials("https://user:tok@host/x"),
            "https://host/x"
        );
        assert_eq!(
            strip_url_credentials("https://tok@host/x"),
            "https://host/x"
        );
        assert_eq!(
            strip_url_credentials("ssh://git@host/x"),
            "ssh://git@host/x"
        );
        assert_eq!(strip_url_credentials("ssh://git:pw@host/x"), "ssh://host/x");
        assert_eq!(
            strip_url_credentials("git@github.com:a/b"),
            "git@github.com:a/b"
        );
        assert_eq!(
            strip_url_credentials("https://host/a@b"),
            "https://host/a@b"
        );
        assert_eq!(strip_url_credentials("https://a:b@c@host"), "https://host");
    }

    #[test]
    fn hooks_path_read_and_tilde_expanded() {
        let t = TempDir::new().unwrap();
        git_repo(
            t.path(),
            "ref: refs/heads/main\n",
            "[Core]\n\tHooksPath = \"~/githooks\" ; shared hooks\n",
        );
        let ws = detect_local(t.path());
        assert_eq!(ws.hooks_path.as_deref(), Some("/home/tester/githooks"));
    }

    #[test]
    fn detached_head() {
        let t = TempDir::new().unwrap();
        git_repo(
            t.path(),
            "3f786850e387550fdab836ed7e6dc881de23001b\n",
            CONFIG,
        );
        let ws = detect_local(t.path());
        assert!(ws.is_git);
        assert_eq!(ws.branch, None);
    }

    #[test]
    fn garbage_config_does_not_panic() {
        let t = TempDir::new().unwrap();
        git_repo(
            t.path(),
            "ref: refs/heads/\n",
            "\u{0}\u{1}[[[ \"\n[remote \"origin\n url = x\n[core\nhookspath\n=\\\n\"\\",
        );
        let ws = detect_local(t.path());
        assert!(ws.is_git);
        assert_eq!(ws.branch, None);
        assert_eq!(ws.remote, None);
        // Binary junk as well.
        fs::write(
            t.path().join(".git/config"),
            [0xffu8, 0xfe, b'[', 0x80, b'"', b'\\'],
        )
        .unwrap();
        let _ = detect_local(t.path());
    }

    #[test]
    fn garbage_git_file_still_marks_root() {
        let t = TempDir::new().unwrap();
        fs::write(t.path().join(".git"), "nonsense").unwrap();
        let ws = detect_local(t.path());
        assert!(ws.is_git);
        assert_eq!(ws.root, canon(t.path()));
        assert_eq!(ws.branch, None);
    }

    #[test]
    fn config_reader() {
        let mut c = GitConfig::default();
        c.parse(
            "# comment\n; another\n[core] bare = false\n\thooksPath = first\n\
             [CORE]\n\thookspath = \"/a b/hooks\" # trailing\n\
             [remote \"Origin\"]\n\turl = one\n\turl = two\n\
             [remote \"origin\"]\n\turl = lower\n\
             [section.Sub]\n\tkey = legacy\n\
             [x]\n\tflag\n\tmulti = a \\\n  b\n\tesc = \"q\\\"t\\\\\\n\"\n",
        );
        assert_eq!(c.last("core", None, "bare"), Some("false"));
        assert_eq!(c.last("core", None, "HOOKSPATH"), Some("/a b/hooks"));
        assert_eq!(c.first("remote", Some("Origin"), "url"), Some("one"));
        assert_eq!(c.first("remote", Some("origin"), "url"), Some("lower"));
        assert_eq!(c.last("section", Some("sub"), "key"), Some("legacy"));
        assert_eq!(c.last("x", None, "flag"), Some("true"));
        assert_eq!(c.last("x", None, "multi"), Some("a   b"));
        assert_eq!(c.last("x", None, "esc"), Some("q\"t\\\n"));
    }
}
