//! Watching the scanned roots for secret files that appear during a
//! session, and masking each inside the running sandbox.
//!
//! Masks are computed at start, and two things undo that: a process outside
//! the sandbox (the developer, an editor, a credentials tool) writes a new
//! `.env` or key file into the workspace, or replaces a masked file by
//! renaming over it (which detaches the mask in the sandbox's mount
//! namespace). Both show up here as `IN_CREATE` or `IN_MOVED_TO` of a
//! secret-named entry, and the watcher masks the path again with
//! [`hide_in_running`](super::hide_in_running).
//!
//! The watcher cannot tell who created the file, so a secret-named file the
//! sandbox writes itself is masked too (it fails closed). It narrows the
//! window, it cannot close it: a process inside can open the file in the
//! moment between its creation and the mask, and keeps a descriptor opened
//! before.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::os::fd::{AsRawFd as _, FromRawFd as _, OwnedFd};
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::{Plan, SandboxError, ScanPolicy};

/// Directories watched at most; beyond it the watcher reports
/// [`Watched::Limit`] once.
pub const MAX_WATCHED_DIRS: usize = 8192;

/// What the watcher did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Watched {
    /// A secret file appeared and is masked inside the sandbox now.
    Masked(PathBuf),
    /// A secret file appeared and could not be masked (the reason).
    NotMasked(PathBuf, String),
    /// More directories than [`MAX_WATCHED_DIRS`], or the user's inotify
    /// watch limit reached: new secrets below the directories not watched
    /// are not seen.
    Limit,
    /// The kernel dropped events; the roots were scanned again.
    Rescanned,
}

/// An inotify watch over a plan's scanned roots.
#[derive(Debug)]
pub struct SecretWatcher {
    inotify: OwnedFd,
    dirs: HashMap<i32, PathBuf>,
    roots: Vec<PathBuf>,
    scan: ScanPolicy,
    limit_reported: bool,
    /// Secrets found by the initial walk, reported by the first poll.
    pending: Vec<PathBuf>,
    /// A directory could not be watched (the user's watch limit).
    unwatched: bool,
}

/// `IN_DONT_FOLLOW`: a directory swapped for a link is not followed.
const EVENTS: u32 = libc::IN_CREATE
    | libc::IN_MOVED_TO
    | libc::IN_DELETE_SELF
    | libc::IN_ONLYDIR
    | libc::IN_DONT_FOLLOW;

impl SecretWatcher {
    /// Watch every directory of `plan`'s scanned roots (skipping `.git`
    /// and the scan policy's `skip_dirs`, as the start-up scan does).
    pub fn new(plan: &Plan) -> Result<SecretWatcher, SandboxError> {
        let mut watcher = SecretWatcher::open(plan)?;
        watcher.watch_roots(plan);
        Ok(watcher)
    }

    /// The inotify instance alone, before anything is watched: take it
    /// before the command starts, so a command that uses up the user's
    /// inotify instances cannot keep the watcher from existing.
    pub fn open(plan: &Plan) -> Result<SecretWatcher, SandboxError> {
        // SAFETY: inotify_init1 with flag constants.
        let fd = unsafe { libc::inotify_init1(libc::IN_CLOEXEC | libc::IN_NONBLOCK) };
        if fd < 0 {
            return Err(SandboxError::Enforce(io::Error::last_os_error()));
        }
        let watcher = SecretWatcher {
            // SAFETY: fd was just created and is owned here.
            inotify: unsafe { OwnedFd::from_raw_fd(fd) },
            dirs: HashMap::new(),
            roots: plan.scanned_roots.clone(),
            scan: plan.profile.scan.clone(),
            limit_reported: false,
            pending: Vec::new(),
            unwatched: false,
        };
        Ok(watcher)
    }

    /// Watch every directory of the plan's scanned roots. Secrets that
    /// appeared between the plan's scan and now are reported by the first
    /// [`poll`](Self::poll) (the plan's own masks are already in force).
    pub fn watch_roots(&mut self, plan: &Plan) {
        let mut found = Vec::new();
        for root in self.roots.clone() {
            self.add_tree(&root, &mut found);
        }
        found.retain(|p| !plan.masks.iter().any(|m| m.path == *p));
        self.pending.extend(found);
    }

    /// How many directories are watched.
    pub fn watched_dirs(&self) -> usize {
        self.dirs.len()
    }

    fn is_secret(&self, name: &str) -> bool {
        crate::glob::first_match(&self.scan.secret_names, name).is_some()
            && crate::glob::first_match(&self.scan.not_secret_names, name).is_none()
    }

    fn descends(&self, name: &str) -> bool {
        name != ".git" && crate::glob::first_match(&self.scan.skip_dirs, name).is_none()
    }

    /// Watch `root` and the directories below it; secret-named entries met
    /// on the way go to `found` (a directory created with files in it
    /// before its watch existed).
    fn add_tree(&mut self, root: &Path, found: &mut Vec<PathBuf>) -> bool {
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            if self.dirs.len() >= MAX_WATCHED_DIRS {
                return false;
            }
            let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
                continue;
            };
            // SAFETY: a valid NUL-terminated path and an owned descriptor.
            let wd =
                unsafe { libc::inotify_add_watch(self.inotify.as_raw_fd(), c.as_ptr(), EVENTS) };
            if wd < 0 {
                // Gone again, or a link now: nothing to watch. Out of
                // watches: reported.
                if matches!(super::sys::errno(), libc::ENOSPC | libc::ENOMEM) {
                    self.unwatched = true;
                }
                continue;
            }
            self.dirs.insert(wd, dir.clone());
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if self.is_secret(&name) {
                    found.push(entry.path());
                } else if kind.is_dir() && self.descends(&name) {
                    stack.push(entry.path());
                }
            }
        }
        true
    }

    /// Wait up to `timeout` for events, and return what appeared: secret
    /// paths to mask, and whether the watch limit was hit or events were
    /// lost (in which case every root was scanned again and every secret
    /// in it is returned).
    pub fn poll(&mut self, timeout: Duration) -> (Vec<PathBuf>, Vec<Watched>) {
        let mut found = std::mem::take(&mut self.pending);
        let timeout = if found.is_empty() {
            timeout
        } else {
            Duration::ZERO
        };
        let mut notes = Vec::new();
        let mut pfd = libc::pollfd {
            fd: self.inotify.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: one pollfd, valid for the call.
        if unsafe { libc::poll(&mut pfd, 1, ms) } <= 0 {
            return (found, notes);
        }
        // Aligned for struct inotify_event.
        let mut buf = vec![0u64; 4096];
        let mut overflowed = false;
        let mut new_dirs = Vec::new();
        loop {
            // SAFETY: reading into a buffer of the stated size.
            let n = unsafe {
                libc::read(
                    self.inotify.as_raw_fd(),
                    buf.as_mut_ptr().cast(),
                    buf.len() * 8,
                )
            };
            if n <= 0 {
                break;
            }
            // SAFETY: the kernel wrote n bytes of events into buf.
            let bytes =
                unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), n as usize) };
            let mut off = 0usize;
            while off + 16 <= bytes.len() {
                let word = |at: usize| {
                    u32::from_ne_bytes([
                        bytes[off + at],
                        bytes[off + at + 1],
                        bytes[off + at + 2],
                        bytes[off + at + 3],
                    ])
                };
                let wd = word(0) as i32;
                let mask = word(4);
                let len = word(12) as usize;
                let name_bytes = bytes.get(off + 16..off + 16 + len).unwrap_or_default();
                off += 16 + len;
                if mask & libc::IN_Q_OVERFLOW != 0 {
                    overflowed = true;
                    continue;
                }
                if mask & (libc::IN_DELETE_SELF | libc::IN_IGNORED) != 0 {
                    self.dirs.remove(&wd);
                    continue;
                }
                let Some(dir) = self.dirs.get(&wd) else {
                    continue;
                };
                let end = name_bytes
                    .iter()
                    .position(|b| *b == 0)
                    .unwrap_or(name_bytes.len());
                let name = std::ffi::OsStr::from_bytes(&name_bytes[..end]);
                if name.is_empty() {
                    continue;
                }
                let path = dir.join(name);
                let text = name.to_string_lossy();
                if self.is_secret(&text) {
                    found.push(path);
                } else if mask & libc::IN_ISDIR != 0 && self.descends(&text) {
                    new_dirs.push(path);
                }
            }
        }
        for dir in new_dirs {
            if !self.add_tree(&dir, &mut found) && !self.limit_reported {
                self.limit_reported = true;
                notes.push(Watched::Limit);
            }
        }
        if self.unwatched && !self.limit_reported {
            self.limit_reported = true;
            notes.push(Watched::Limit);
        }
        if overflowed {
            for root in self.roots.clone() {
                self.add_tree(&root, &mut found);
            }
            notes.push(Watched::Rescanned);
        }
        found.sort();
        found.dedup();
        (found, notes)
    }

    /// Watch until `keep_going` says stop, masking every secret that
    /// appears inside the sandbox whose process is `pid`, and reporting
    /// each step to `report`.
    pub fn run(mut self, pid: u32, keep_going: impl Fn() -> bool, mut report: impl FnMut(Watched)) {
        while keep_going() {
            let (found, notes) = self.poll(Duration::from_millis(200));
            notes.into_iter().for_each(&mut report);
            for path in found {
                match super::hide_in_running(pid, &path) {
                    Ok(()) => report(Watched::Masked(path)),
                    // Gone again before it could be masked: nothing to hide.
                    Err(_) if fs::symlink_metadata(&path).is_err() => {}
                    Err(e) => report(Watched::NotMasked(path, e.to_string())),
                }
            }
        }
    }
}
