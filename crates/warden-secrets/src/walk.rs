//! Scanning directory trees in parallel.
//!
//! [`scan_paths`] walks files and directories with the `ignore` crate's
//! parallel walker, skips binary files (a NUL byte in the first 8 KiB),
//! files larger than [`WalkOptions::max_file_size`], lockfiles and VCS
//! object stores (unless asked not to), honours `.gitignore` only when
//! [`WalkOptions::respect_gitignore`] is set, and returns what it found as
//! [`FileFinding`]s: path, position, rule and fingerprint, never the secret.

use crate::{Rule, Scanner};
use ignore::{WalkBuilder, WalkState};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Bytes inspected for a NUL to call a file binary.
pub const BINARY_PROBE: usize = 8 * 1024;

/// Lockfiles: machine-written, large, full of integrity hashes.
const LOCKFILES: &[&str] = &[
    "Cargo.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "bun.lockb",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "pdm.lock",
    "composer.lock",
    "Gemfile.lock",
    "go.sum",
    "flake.lock",
    "packages.lock.json",
    "Podfile.lock",
    "mix.lock",
    "pubspec.lock",
    "gradle.lockfile",
    "Package.resolved",
    "conan.lock",
];

/// Options for [`scan_paths`].
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Files larger than this many bytes are skipped (default 10 MiB).
    pub max_file_size: u64,
    /// Honour `.gitignore`, `.ignore` and the global git excludes (default
    /// off: ignored files such as `.env` are where secrets live).
    pub respect_gitignore: bool,
    /// Scan hidden files and directories (default on).
    pub include_hidden: bool,
    /// Follow symbolic links (default off).
    pub follow_links: bool,
    /// Skip lockfiles and VCS object stores (default on).
    pub skip_lockfiles: bool,
    /// Worker threads; 0 picks one per core.
    pub threads: usize,
    /// The scanner to use; `None` uses [`Scanner::builtin`].
    pub scanner: Option<Arc<Scanner>>,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            max_file_size: 10 * 1024 * 1024,
            respect_gitignore: false,
            include_hidden: true,
            follow_links: false,
            skip_lockfiles: true,
            threads: 0,
            scanner: None,
        }
    }
}

/// One secret found in a file. Holds the fingerprint, never the value.
#[derive(Debug, Clone, PartialEq)]
pub struct FileFinding {
    /// The file.
    pub path: PathBuf,
    /// The rule that found the secret.
    pub rule: &'static Rule,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    /// Byte range of the secret in the file.
    pub start: usize,
    /// End of the byte range (exclusive).
    pub end: usize,
    /// [`crate::fingerprint`] of the secret.
    pub fingerprint: String,
}

/// A file or directory that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkError {
    /// Where it happened, when known.
    pub path: Option<PathBuf>,
    /// What happened.
    pub message: String,
}

/// What [`scan_paths`] found and how much it read.
#[derive(Debug, Clone, Default)]
pub struct WalkReport {
    /// Findings, sorted by path, line and column.
    pub findings: Vec<FileFinding>,
    /// Files read and scanned.
    pub files_scanned: u64,
    /// Bytes scanned.
    pub bytes_scanned: u64,
    /// Files skipped as binary.
    pub skipped_binary: u64,
    /// Files skipped as larger than the limit.
    pub skipped_large: u64,
    /// Lockfiles and VCS objects skipped by path.
    pub skipped_path: u64,
    /// Entries that could not be read.
    pub errors: Vec<WalkError>,
}

/// Whether the walk skips `path` by name alone.
pub fn skipped_by_path(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if LOCKFILES.contains(&name) {
        return true;
    }
    let mut comps = path
        .components()
        .map(|c| c.as_os_str().to_str().unwrap_or_default());
    let mut prev = "";
    comps.any(|c| {
        let hit = matches!(
            (prev, c),
            (".git", "objects") | (".git", "lfs") | (".hg", "store") | (".svn", "pristine")
        );
        prev = c;
        hit
    })
}

#[derive(Default)]
struct Counters {
    files: AtomicU64,
    bytes: AtomicU64,
    binary: AtomicU64,
    large: AtomicU64,
    by_path: AtomicU64,
}

enum Outcome {
    Scanned(Vec<u8>),
    Binary,
    Large,
}

/// Reads a file unless it is too large or binary.
fn read_file(path: &Path, max: u64) -> std::io::Result<Outcome> {
    let mut f = File::open(path)?;
    let len = f.metadata()?.len();
    if len > max {
        return Ok(Outcome::Large);
    }
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1));
    // Never read past the limit, even if the file grows meanwhile.
    f.by_ref()
        .take(max.saturating_add(1))
        .read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Ok(Outcome::Large);
    }
    if memchr::memchr(0, &buf[..buf.len().min(BINARY_PROBE)]).is_some() {
        return Ok(Outcome::Binary);
    }
    Ok(Outcome::Scanned(buf))
}

/// Scans every file under `paths` (files are scanned directly) in parallel.
pub fn scan_paths(paths: &[PathBuf], opts: &WalkOptions) -> WalkReport {
    let mut report = WalkReport::default();
    let Some((first, rest)) = paths.split_first() else {
        return report;
    };
    let scanner: &Scanner = match &opts.scanner {
        Some(s) => s,
        None => Scanner::builtin(),
    };
    let mut builder = WalkBuilder::new(first);
    for p in rest {
        builder.add(p);
    }
    builder
        .standard_filters(false)
        .hidden(!opts.include_hidden)
        .git_ignore(opts.respect_gitignore)
        .git_global(opts.respect_gitignore)
        .git_exclude(opts.respect_gitignore)
        .ignore(opts.respect_gitignore)
        .parents(opts.respect_gitignore)
        .require_git(false)
        .follow_links(opts.follow_links)
        .threads(opts.threads);
    let counters = Counters::default();
    let findings: Mutex<Vec<FileFinding>> = Mutex::new(Vec::new());
    let errors: Mutex<Vec<WalkError>> = Mutex::new(Vec::new());
    let record_error = |path: Option<PathBuf>, message: String| {
        if let Ok(mut e) = errors.lock() {
            e.push(WalkError { path, message });
        }
    };
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    record_error(None, err.to_string());
                    return WalkState::Continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            let path = entry.path();
            if opts.skip_lockfiles && skipped_by_path(path) {
                counters.by_path.fetch_add(1, Ordering::Relaxed);
                return WalkState::Continue;
            }
            match read_file(path, opts.max_file_size) {
                Err(err) => record_error(Some(path.to_path_buf()), err.to_string()),
                Ok(Outcome::Binary) => {
                    counters.binary.fetch_add(1, Ordering::Relaxed);
                }
                Ok(Outcome::Large) => {
                    counters.large.fetch_add(1, Ordering::Relaxed);
                }
                Ok(Outcome::Scanned(buf)) => {
                    counters.files.fetch_add(1, Ordering::Relaxed);
                    counters
                        .bytes
                        .fetch_add(buf.len() as u64, Ordering::Relaxed);
                    let found = scanner.scan(&buf);
                    if !found.is_empty() {
                        let mapped = found.iter().map(|f| FileFinding {
                            path: path.to_path_buf(),
                            rule: f.rule,
                            line: f.line,
                            column: f.column,
                            start: f.start,
                            end: f.end,
                            fingerprint: f.fingerprint(&buf),
                        });
                        if let Ok(mut all) = findings.lock() {
                            all.extend(mapped);
                        }
                    }
                }
            }
            WalkState::Continue
        })
    });
    report.findings = findings.into_inner().unwrap_or_else(|p| p.into_inner());
    report
        .findings
        .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    report.errors = errors.into_inner().unwrap_or_else(|p| p.into_inner());
    report.files_scanned = counters.files.into_inner();
    report.bytes_scanned = counters.bytes.into_inner();
    report.skipped_binary = counters.binary.into_inner();
    report.skipped_large = counters.large.into_inner();
    report.skipped_path = counters.by_path.into_inner();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_limits_and_findings() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join(".env"),
            "GITHUB_TOKEN=ghp_FAKEjlKcHhK35KZsZ4i1DTTXlfA9IgGgRs2T\n",
        )
        .unwrap();
        std::fs::write(
            root.join("bin.dat"),
            b"\0\0ghp_FAKEjlKcHhK35KZsZ4i1DTTXlfA9IgGgRs2T",
        )
        .unwrap();
        std::fs::write(root.join("big.txt"), vec![b'a'; 4096]).unwrap();
        std::fs::write(
            root.join("Cargo.lock"),
            "ghp_FAKEjlKcHhK35KZsZ4i1DTTXlfA9IgGgRs2T",
        )
        .unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(
            root.join("sub/ignored.txt"),
            "x ghp_FAKEjlKcHhK35KZsZ4i1DTTXlfA9IgGgRs2T\n",
        )
        .unwrap();
        std::fs::write(root.join(".gitignore"), "sub/\n").unwrap();
        let opts = WalkOptions {
            max_file_size: 1024,
            ..Default::default()
        };
        let r = scan_paths(&[root.to_path_buf()], &opts);
        assert_eq!(r.skipped_binary, 1);
        assert_eq!(r.skipped_large, 1);
        assert_eq!(r.skipped_path, 1);
        assert_eq!(r.findings.len(), 2, "{:?}", r.findings);
        let f = &r.findings[0];
        assert!(f.path.ends_with(".env"));
        assert_eq!((f.line, f.column, f.rule.id), (1, 14, "github-pat"));
        assert!(f.fingerprint.starts_with("github-pat:…Rs2T:"));
        assert!(!format!("{:?}", r.findings).contains("jlKcHhK35KZsZ4i1"));
        let r = scan_paths(
            &[root.to_path_buf()],
            &WalkOptions {
                respect_gitignore: true,
                ..opts
            },
        );
        assert_eq!(r.findings.len(), 1);
        assert!(skipped_by_path(Path::new("repo/.git/objects/ab/cdef")));
        assert!(!skipped_by_path(Path::new("repo/.git/config")));
    }
}
