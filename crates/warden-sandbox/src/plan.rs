//! The plan: a profile resolved against this filesystem.
//!
//! [`Plan::build`] canonicalizes every path (symlinks resolved, so `/lib`
//! and `/usr/lib` are one root), drops the ones that do not exist, checks
//! the profile's invariants (home never granted whole; no allowed root
//! inside a denied path), and works out what the allow-list alone cannot
//! express:
//!
//! * denied paths that lie inside an allowed root (`/etc/shadow` inside
//!   `/etc`) become [`MaskKind::Hide`] masks;
//! * files in writable roots whose names say they are secrets (`.env`,
//!   `*.pem`) become [`MaskKind::Hide`] masks;
//! * files in writable roots that are hard links to a denied file (same
//!   device and inode) become [`MaskKind::Hide`] masks;
//! * governance paths inside writable roots become [`MaskKind::ReadOnly`]
//!   masks.
//!
//! What it cannot fix is listed in [`Plan::gaps`], in plain words.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{glob, Profile, SandboxError};

/// The rights an allowed root grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Read, list and execute.
    ReadOnly,
    /// Everything except creating device nodes: read, write, create,
    /// remove, rename and link within the allowed hierarchies, truncate.
    ReadWrite,
    /// Read, write and ioctl on device files (no creation).
    Device,
}

/// One allow-list rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FsRule {
    /// The canonical path.
    pub path: PathBuf,
    /// What it grants.
    pub access: Access,
    /// Whether the path is a directory (the rule covers its hierarchy).
    pub is_dir: bool,
}

/// What a mask does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaskKind {
    /// Replace the path with something empty (an empty read-only file, or an
    /// empty read-only directory).
    Hide,
    /// Keep the path's content but make it read-only.
    ReadOnly,
}

/// Why a path is masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaskReason {
    /// A denied path inside an allowed root.
    DeniedInsideRoot,
    /// A file whose name marks it as a secret, inside a writable root.
    SecretName,
    /// A hard link to a denied file, inside a writable root.
    HardLinkToDenied,
    /// A governance path inside a writable root.
    Governance,
}

/// One path to mask in the sandbox's private mount namespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mask {
    /// The canonical path.
    pub path: PathBuf,
    /// What to do.
    pub kind: MaskKind,
    /// Why.
    pub reason: MaskReason,
    /// Whether it is a directory.
    pub is_dir: bool,
}

/// A profile resolved against the filesystem; input to
/// [`Prepared::new`](crate::Prepared::new).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    /// The profile this plan was built from.
    pub profile: Profile,
    /// The allow-list, canonical and de-duplicated.
    pub rules: Vec<FsRule>,
    /// Paths to mask.
    pub masks: Vec<Mask>,
    /// Profile paths that do not exist (no rule, nothing to protect).
    pub skipped: Vec<PathBuf>,
    /// Denied paths inside allowed roots that need no mask because the
    /// launching user cannot read them anyway (file permissions).
    pub protected_by_permissions: Vec<PathBuf>,
    /// Governance paths that exist and are checked by
    /// [`GovernanceSnapshot`], plus absent ones whose creation it detects.
    pub governance: Vec<PathBuf>,
    /// What this plan leaves open, in plain words. Callers must show these.
    pub gaps: Vec<String>,
    /// Whether the secret scan stopped at its entry limit.
    pub scan_truncated: bool,
    /// The writable roots scanned for secret files (the workspaces and
    /// the extra scan roots inside writable roots), which a
    /// [`SecretWatcher`](crate::SecretWatcher) keeps watching.
    #[serde(default)]
    pub scanned_roots: Vec<PathBuf>,
    /// The profile's denied paths that exist, resolved.
    #[serde(default)]
    pub denied_resolved: Vec<PathBuf>,
}

fn io_err(path: &Path, source: io::Error) -> SandboxError {
    SandboxError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Canonicalizes many paths that share ancestors: each directory is
/// resolved once, and a path whose parent is known costs one `lstat`
/// (a symlink is followed in full).
#[derive(Default)]
struct Resolver {
    dirs: HashMap<PathBuf, Option<PathBuf>>,
}

impl Resolver {
    /// Canonicalize `path`, mapping "does not exist" to `None`.
    fn resolve(&mut self, path: &Path) -> Result<Option<PathBuf>, SandboxError> {
        use std::path::Component;
        if !path.is_absolute() {
            return Err(SandboxError::RelativePath(path.to_path_buf()));
        }
        // A trailing `/` or `/.` asks for a directory, which a parent-plus-
        // name lookup would not check: those go to the full resolution.
        let bytes = path.as_os_str().as_encoded_bytes();
        let plain = !bytes.ends_with(b"/")
            && !bytes.ends_with(b"/.")
            && path
                .components()
                .all(|c| matches!(c, Component::RootDir | Component::Normal(_)));
        let (Some(parent), Some(name), true) = (path.parent(), path.file_name(), plain) else {
            return full(path);
        };
        let parent = match self.dirs.get(parent) {
            Some(known) => known.clone(),
            None => {
                let known = self.resolve(parent)?;
                self.dirs.insert(parent.to_path_buf(), known.clone());
                known
            }
        };
        let Some(parent) = parent else {
            return Ok(None);
        };
        let candidate = parent.join(name);
        match fs::symlink_metadata(&candidate) {
            Ok(meta) if meta.file_type().is_symlink() => full(&candidate),
            Ok(_) => Ok(Some(candidate)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => Ok(None),
            Err(e) => Err(io_err(path, e)),
        }
    }
}

/// Canonicalize in one go, mapping "does not exist" to `None`.
fn full(path: &Path) -> Result<Option<PathBuf>, SandboxError> {
    if !path.is_absolute() {
        return Err(SandboxError::RelativePath(path.to_path_buf()));
    }
    match canonicalize(path) {
        Ok(p) => Ok(Some(p)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => Ok(None),
        Err(e) => Err(io_err(path, e)),
    }
}

/// `fs::canonicalize`, in three system calls instead of one `readlink`
/// per component: open the path (following every link) without reading
/// it, and ask the kernel for the descriptor's path.
#[cfg(target_os = "linux")]
pub(crate) fn canonicalize(path: &Path) -> io::Result<PathBuf> {
    use std::os::fd::{AsRawFd as _, FromRawFd as _, OwnedFd};
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    // SAFETY: a valid NUL-terminated path; the descriptor is owned below.
    let fd = unsafe { libc::open(c.as_ptr(), libc::O_PATH | libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fd was just opened and is owned here.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    match fs::read_link(format!("/proc/self/fd/{}", fd.as_raw_fd())) {
        // A path the kernel marks unreachable or deleted is not trusted.
        Ok(p) if p.is_absolute() && !p.as_os_str().as_encoded_bytes().ends_with(b" (deleted)") => {
            Ok(p)
        }
        _ => fs::canonicalize(path),
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn canonicalize(path: &Path) -> io::Result<PathBuf> {
    fs::canonicalize(path)
}

/// Is `path` unreachable for the launching user by file permissions alone?
/// Never true for root, whom permissions do not stop.
fn unreadable_by_launcher(path: &Path, is_dir: bool) -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        return false;
    }
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()) else {
        return false;
    };
    let mode = if is_dir { libc::X_OK } else { libc::R_OK };
    // SAFETY: c is a valid NUL-terminated string.
    unsafe { libc::faccessat(libc::AT_FDCWD, c.as_ptr(), mode, libc::AT_EACCESS) != 0 }
}

impl Plan {
    /// Resolve `profile` against the filesystem. Walks the workspaces and
    /// the [extra scan roots](crate::ScanPolicy::extra_roots) once, bounded by
    /// [`ScanPolicy::max_entries`](crate::ScanPolicy::max_entries).
    pub fn build(profile: &Profile) -> Result<Plan, SandboxError> {
        let mut plan = Plan {
            profile: profile.clone(),
            rules: Vec::new(),
            masks: Vec::new(),
            skipped: Vec::new(),
            protected_by_permissions: Vec::new(),
            governance: Vec::new(),
            gaps: Vec::new(),
            scan_truncated: false,
            scanned_roots: Vec::new(),
            denied_resolved: Vec::new(),
        };

        let mut resolver = Resolver::default();
        // 1. The allow-list.
        let mut by_path: BTreeMap<PathBuf, (BTreeSet<Access>, bool)> = BTreeMap::new();
        for (path, access) in profile.grants() {
            match resolver.resolve(path)? {
                None => plan.skipped.push(path.to_path_buf()),
                Some(c) => {
                    let is_dir = fs::metadata(&c).map_err(|e| io_err(&c, e))?.is_dir();
                    by_path
                        .entry(c)
                        .or_insert((BTreeSet::new(), is_dir))
                        .0
                        .insert(access);
                }
            }
        }
        for (path, (accesses, is_dir)) in by_path {
            for access in accesses {
                plan.rules.push(FsRule {
                    path: path.clone(),
                    access,
                    is_dir,
                });
            }
        }

        // 2. Home is never granted whole.
        if let Some(home) = &profile.home {
            if let Some(home) = resolver.resolve(home)? {
                if let Some(r) = plan.rules.iter().find(|r| home.starts_with(&r.path)) {
                    return Err(SandboxError::HomeGranted {
                        root: r.path.clone(),
                        home,
                    });
                }
            }
        }

        // 3. Denied paths: outside every root, or masked.
        let mut denied_canon = Vec::new();
        for d in &profile.denied {
            let Some(c) = resolver.resolve(d)? else {
                plan.skipped.push(d.clone());
                continue;
            };
            if let Some(r) = plan.rules.iter().find(|r| r.path.starts_with(&c)) {
                return Err(SandboxError::AllowedInsideDenied {
                    allowed: r.path.clone(),
                    denied: c,
                });
            }
            denied_canon.push(c);
        }
        plan.denied_resolved = denied_canon.clone();
        for c in &denied_canon {
            if plan.covering_rule(c).is_some() {
                let is_dir = fs::metadata(c).map(|m| m.is_dir()).unwrap_or(false);
                if unreadable_by_launcher(c, is_dir) {
                    plan.protected_by_permissions.push(c.clone());
                } else {
                    plan.add_mask(
                        c.clone(),
                        MaskKind::Hide,
                        MaskReason::DeniedInsideRoot,
                        is_dir,
                    );
                }
            }
        }

        // 4. Scan the workspaces (and listed extra roots) for secrets and
        //    hard links.
        let writable: Vec<PathBuf> = plan
            .rules
            .iter()
            .filter(|r| r.access == Access::ReadWrite && r.is_dir)
            .map(|r| r.path.clone())
            .collect();
        let mut wanted: Vec<PathBuf> = Vec::new();
        for p in profile.workspaces.iter().chain(&profile.scan.extra_roots) {
            if let Some(c) = resolver.resolve(p)? {
                if writable.iter().any(|w| c.starts_with(w)) {
                    wanted.push(c);
                }
            }
        }
        let mut roots: Vec<PathBuf> = Vec::new();
        for w in &wanted {
            if !wanted.iter().any(|o| o != w && w.starts_with(o)) && !roots.contains(w) {
                roots.push(w.clone());
            }
        }
        plan.scanned_roots = roots.clone();
        let unscanned: Vec<String> = writable
            .iter()
            .filter(|w| !roots.iter().any(|r| w.starts_with(r)))
            .map(|w| w.display().to_string())
            .collect();
        if !unscanned.is_empty() {
            plan.gaps.push(format!(
                "writable roots not scanned for secret files or hard links to denied files: {}",
                unscanned.join(", ")
            ));
        }
        let mut entries = 0usize;
        let mut skipped_dirs = BTreeSet::new();
        let mut linked = Vec::new();
        for root in &roots {
            if plan.scan_truncated {
                break;
            }
            plan.scan(root, &mut linked, &mut entries, &mut skipped_dirs);
        }
        // 5. Files with more than one link may be hard links to a denied
        //    file: only then are the denied trees walked for their inodes
        //    (browser profiles and caches there can be large).
        if !linked.is_empty() {
            let mut budget = 20_000usize;
            let mut denied_inodes = HashSet::new();
            for c in &denied_canon {
                collect_inodes(c, &mut denied_inodes, &mut budget);
            }
            for (path, inode) in linked {
                if denied_inodes.contains(&inode) {
                    plan.add_mask(path, MaskKind::Hide, MaskReason::HardLinkToDenied, false);
                }
            }
        }
        if plan.scan_truncated {
            plan.gaps.push(format!(
                "the secret scan of writable roots stopped after {} entries; secret files beyond it are not masked",
                profile.scan.max_entries
            ));
        }
        if !skipped_dirs.is_empty() {
            let names: Vec<_> = skipped_dirs.into_iter().collect();
            plan.gaps.push(format!(
                "the secret scan did not descend into {} (skip_dirs); secrets there are not masked",
                names.join(", ")
            ));
        }

        // 6. Governance paths.
        let gov = profile.governance_paths()?;
        for g in gov {
            if !g.is_absolute() {
                return Err(SandboxError::RelativePath(g));
            }
            plan.governance.push(g.clone());
            let meta = match fs::symlink_metadata(&g) {
                Ok(m) => m,
                Err(_) => {
                    if plan.writable_ancestor(&g) {
                        plan.gaps.push(format!(
                            "governance path {} does not exist: the sandbox could create it (not prevented; the launcher reports it when the session ends)",
                            g.display()
                        ));
                    }
                    continue;
                }
            };
            let Some(c) = resolver.resolve(&g)? else {
                continue;
            };
            if meta.file_type().is_symlink() && plan.writable_ancestor(&g) {
                plan.gaps.push(format!(
                    "governance path {} is a symlink inside a writable root: the link itself could be replaced (not prevented; the launcher reports it when the session ends)",
                    g.display()
                ));
            }
            if plan.covering_writable(&c) && !plan.hidden(&c) {
                let is_dir = fs::metadata(&c).map(|m| m.is_dir()).unwrap_or(false);
                plan.add_mask(c, MaskKind::ReadOnly, MaskReason::Governance, is_dir);
            }
        }
        if plan
            .masks
            .iter()
            .any(|m| m.reason == MaskReason::Governance)
        {
            plan.gaps.push(
                "a read-only governance mount does not stop renaming one of its parent directories (for example `mv .git .git.old`) and recreating the path; the launcher reports it when the session ends"
                    .to_string(),
            );
        }

        // 7. Credentials embedded in workspace git remotes.
        for ws in &profile.workspaces {
            let cfg = ws.join(".git/config");
            if let Ok(text) = fs::read_to_string(&cfg) {
                if text.lines().any(|l| {
                    let l = l.trim_start();
                    (l.starts_with("url") || l.starts_with("pushurl"))
                        && crate::env::credential_kind(std::ffi::OsStr::new(
                            l.split_once('=').map(|(_, v)| v.trim()).unwrap_or(""),
                        ))
                        .is_some()
                }) {
                    plan.gaps.push(format!(
                        "{} has a remote URL with an embedded credential, readable inside the sandbox; move it to a credential helper",
                        cfg.display()
                    ));
                }
            }
        }

        // 8. Always-true limits of this design, stated once.
        plan.gaps.push(
            "secret files that appear in the scanned roots during the session are masked when the launcher's watcher sees them: a process inside can open one in the moment before, and a descriptor opened before is not revoked"
                .to_string(),
        );
        if !profile.network.connect_tcp_ports.is_empty() {
            plan.gaps.push(format!(
                "TCP connects are filtered by port, not address: any host on port(s) {:?} is reachable directly; keep the proxy on a port no remote service uses",
                profile.network.connect_tcp_ports
            ));
        }
        if profile.network.unix_sockets {
            plan.gaps.push(
                "new Unix sockets are allowed: pathname sockets (docker.sock, an ssh-agent, D-Bus) can be connected to without any filesystem right before Landlock ABI 9"
                    .to_string(),
            );
        }
        Ok(plan)
    }

    /// The first rule whose hierarchy contains `path` (canonical).
    pub fn covering_rule(&self, path: &Path) -> Option<&FsRule> {
        self.rules.iter().find(|r| path.starts_with(&r.path))
    }

    fn covering_writable(&self, path: &Path) -> bool {
        self.rules
            .iter()
            .any(|r| r.access == Access::ReadWrite && path.starts_with(&r.path))
    }

    /// Does the nearest existing ancestor of `path` lie in a writable root?
    fn writable_ancestor(&self, path: &Path) -> bool {
        let mut p = path.parent();
        while let Some(a) = p {
            if let Ok(c) = canonicalize(a) {
                return self.covering_writable(&c);
            }
            p = a.parent();
        }
        false
    }

    fn hidden(&self, path: &Path) -> bool {
        self.masks
            .iter()
            .any(|m| m.kind == MaskKind::Hide && path.starts_with(&m.path))
    }

    fn add_mask(&mut self, path: PathBuf, kind: MaskKind, reason: MaskReason, is_dir: bool) {
        if self.hidden(&path) || self.masks.iter().any(|m| m.path == path) {
            return;
        }
        if kind == MaskKind::Hide {
            // A hide supersedes masks below it.
            self.masks.retain(|m| !m.path.starts_with(&path));
        }
        self.masks.push(Mask {
            path,
            kind,
            reason,
            is_dir,
        });
    }

    fn scan(
        &mut self,
        root: &Path,
        linked: &mut Vec<(PathBuf, (u64, u64))>,
        entries: &mut usize,
        skipped_dirs: &mut BTreeSet<String>,
    ) {
        let scan = self.profile.scan.clone();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            let Ok(rd) = fs::read_dir(&dir) else { continue };
            for entry in rd.flatten() {
                *entries += 1;
                if *entries > scan.max_entries {
                    self.scan_truncated = true;
                    return;
                }
                let name = entry.file_name();
                let name = name.to_string_lossy();
                let path = entry.path();
                let Ok(meta) = entry.metadata() else { continue };
                let ft = meta.file_type();
                let secret = glob::first_match(&scan.secret_names, &name).is_some()
                    && glob::first_match(&scan.not_secret_names, &name).is_none();
                if secret {
                    if ft.is_symlink() {
                        // Mask the target if it is reachable; the allow-list
                        // already stops a target outside every root.
                        if let Ok(t) = canonicalize(&path) {
                            if self.covering_rule(&t).is_some() {
                                let is_dir = t.is_dir();
                                self.add_mask(t, MaskKind::Hide, MaskReason::SecretName, is_dir);
                            }
                        }
                    } else if ft.is_file() || ft.is_dir() {
                        self.add_mask(path, MaskKind::Hide, MaskReason::SecretName, ft.is_dir());
                    }
                    continue;
                }
                if ft.is_dir() {
                    if name == ".git" {
                        continue;
                    }
                    if glob::first_match(&scan.skip_dirs, &name).is_some() {
                        skipped_dirs.insert(name.into_owned());
                        continue;
                    }
                    stack.push(path);
                } else if ft.is_file() && meta.nlink() > 1 {
                    linked.push((path, (meta.dev(), meta.ino())));
                }
            }
        }
    }

    /// Whether any mask must be applied (which needs [`Control::Masking`](crate::Control::Masking)).
    pub fn needs_masking(&self) -> bool {
        !self.masks.is_empty()
    }

    /// Take a snapshot of every governance path, to compare at session end.
    pub fn governance_snapshot(&self) -> GovernanceSnapshot {
        GovernanceSnapshot::take(&self.governance)
    }
}

fn collect_inodes(path: &Path, out: &mut HashSet<(u64, u64)>, budget: &mut usize) {
    let mut stack = vec![path.to_path_buf()];
    while let Some(p) = stack.pop() {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        let Ok(meta) = fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_file() {
            out.insert((meta.dev(), meta.ino()));
        } else if meta.is_dir() {
            if let Ok(rd) = fs::read_dir(&p) {
                stack.extend(rd.flatten().map(|e| e.path()));
            }
        }
    }
}

/// The observed state of one governance path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum PathState {
    Missing,
    Symlink(PathBuf),
    File {
        dev: u64,
        ino: u64,
        #[serde(with = "hex_bytes")]
        content: Vec<u8>,
    },
    Dir {
        dev: u64,
        ino: u64,
        entries: BTreeMap<String, (u64, u64, i64, i64)>,
    },
    Other,
}

fn observe(path: &Path) -> PathState {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return PathState::Missing;
    };
    let ft = meta.file_type();
    if ft.is_symlink() {
        return PathState::Symlink(fs::read_link(path).unwrap_or_default());
    }
    if ft.is_file() {
        // Governance files are small; a very large one is compared by size
        // and times only.
        let content = if meta.len() <= 4 << 20 {
            fs::read(path).unwrap_or_default()
        } else {
            format!("{}:{}:{}", meta.len(), meta.mtime(), meta.mtime_nsec()).into_bytes()
        };
        return PathState::File {
            dev: meta.dev(),
            ino: meta.ino(),
            content,
        };
    }
    if ft.is_dir() {
        let mut entries = BTreeMap::new();
        if let Ok(rd) = fs::read_dir(path) {
            for e in rd.flatten() {
                if let Ok(m) = e.metadata() {
                    entries.insert(
                        e.file_name().to_string_lossy().into_owned(),
                        (m.ino(), m.len(), m.mtime(), m.mtime_nsec()),
                    );
                }
            }
        }
        return PathState::Dir {
            dev: meta.dev(),
            ino: meta.ino(),
            entries,
        };
    }
    PathState::Other
}

/// A record of every governance path at start: taken by the launcher
/// before the session, compared after it ([`GovernanceSnapshot::changes`]).
/// It detects what the mount masks cannot prevent: creation of an absent
/// governance file, replacement of a parent directory, a swapped symlink.
/// Serializable, so the process that waits for the command (warden's
/// front) can compare it without asking back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GovernanceSnapshot {
    states: Vec<(PathBuf, PathState)>,
}

impl GovernanceSnapshot {
    /// Observe `paths` now.
    pub fn take(paths: &[PathBuf]) -> GovernanceSnapshot {
        GovernanceSnapshot {
            states: paths.iter().map(|p| (p.clone(), observe(p))).collect(),
        }
    }

    /// The governance paths whose state differs from the snapshot (created,
    /// removed, rewritten, replaced, re-pointed).
    pub fn changes(&self) -> Vec<PathBuf> {
        self.states
            .iter()
            .filter(|(p, s)| observe(p) != *s)
            .map(|(p, _)| p.clone())
            .collect()
    }
}

/// Bytes as a hex string in serialized form (JSON spells bytes one number
/// each). Shared by every byte field the launch path serializes.
pub(crate) mod hex_bytes {
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    /// Lower-case hex of `bytes`.
    pub(crate) fn encode(bytes: &[u8]) -> String {
        use std::fmt::Write as _;
        let mut hex = String::with_capacity(bytes.len() * 2);
        for b in bytes {
            let _ = write!(hex, "{b:02x}");
        }
        hex
    }

    /// The bytes `hex` spells, or `None` when it is not hex of whole bytes.
    pub(crate) fn decode(hex: &str) -> Option<Vec<u8>> {
        let hex = hex.as_bytes();
        if !hex.len().is_multiple_of(2) {
            return None;
        }
        let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
        hex.chunks_exact(2)
            .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
            .collect()
    }

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&encode(bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<u8>, D::Error> {
        let hex = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        decode(&hex).ok_or_else(|| D::Error::custom("not hex of whole bytes"))
    }
}
