//! Bounded, symlink-aware reading of the files a scan looks at.
//!
//! Every file the scan opens goes through [`Ctx::read`]:
//!
//! * an absent file is simply absent (no note);
//! * a symbolic link is followed only when its fully resolved target lies
//!   inside one of the scan's *roots* (the home directory, the scanned
//!   paths, directories named by relocation variables such as
//!   `CODEX_HOME`, and the system root when one is given), so a link can
//!   never lead the scan to an arbitrary place on the machine;
//! * only regular files are read: the file is opened non-blocking, so a
//!   FIFO or device planted under a config name cannot hang the scan, and
//!   the type is checked on the open descriptor;
//! * at most `max_file_bytes` are read, even if the file grows meanwhile;
//!   a larger file is skipped with a note.
//!
//! Everything that goes wrong becomes a note in the report.

use crate::error::ScanError;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Directory entries looked at per directory, at most.
pub(crate) const MAX_DIR_ENTRIES: usize = 10_000;

/// Notes kept, at most (later ones are counted).
const MAX_NOTES: usize = 200;

/// The state one scan shares between its parts.
pub(crate) struct Ctx {
    pub(crate) home: PathBuf,
    pub(crate) max_bytes: u64,
    pub(crate) env: HashMap<String, String>,
    pub(crate) system_root: Option<PathBuf>,
    roots: RefCell<Vec<PathBuf>>,
    notes: RefCell<Vec<String>>,
    dropped_notes: Cell<u64>,
    pub(crate) files: Cell<u64>,
    pub(crate) bytes: Cell<u64>,
    /// Every literal secret value seen while parsing configs; the report is
    /// scrubbed of them before it is returned.
    secrets: RefCell<Vec<String>>,
    pub(crate) now: SystemTime,
}

impl Ctx {
    pub(crate) fn new(
        home: PathBuf,
        max_bytes: u64,
        env: HashMap<String, String>,
        system_root: Option<PathBuf>,
    ) -> Ctx {
        let ctx = Ctx {
            home: home.clone(),
            max_bytes,
            env,
            system_root: system_root.clone(),
            roots: RefCell::new(Vec::new()),
            notes: RefCell::new(Vec::new()),
            dropped_notes: Cell::new(0),
            files: Cell::new(0),
            bytes: Cell::new(0),
            secrets: RefCell::new(Vec::new()),
            now: SystemTime::now(),
        };
        ctx.add_root(&home);
        if let Some(root) = system_root {
            ctx.add_root(&root);
        }
        ctx
    }

    /// Allows symlink targets under `dir` (resolved once, here).
    pub(crate) fn add_root(&self, dir: &Path) {
        let resolved = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let mut roots = self.roots.borrow_mut();
        if !roots.contains(&resolved) {
            roots.push(resolved);
        }
    }

    fn inside_roots(&self, resolved: &Path) -> bool {
        self.roots.borrow().iter().any(|r| resolved.starts_with(r))
    }

    /// Records a note for the report.
    pub(crate) fn note(&self, text: impl Into<String>) {
        let mut notes = self.notes.borrow_mut();
        if notes.len() < MAX_NOTES {
            notes.push(text.into());
        } else {
            self.dropped_notes.set(self.dropped_notes.get() + 1);
        }
    }

    /// Records an error as a note.
    pub(crate) fn note_err(&self, err: &ScanError) {
        self.note(err.to_string());
    }

    pub(crate) fn take_notes(&self) -> Vec<String> {
        let mut notes = std::mem::take(&mut *self.notes.borrow_mut());
        let dropped = self.dropped_notes.get();
        if dropped > 0 {
            notes.push(format!("{dropped} more notes left out"));
        }
        notes
    }

    /// Remembers a literal secret value, so that no output carries it.
    pub(crate) fn remember_secret(&self, value: &str) {
        let value = value.trim();
        // Very short values would scrub ordinary words out of the report.
        if value.len() >= 6 {
            let mut s = self.secrets.borrow_mut();
            if !s.iter().any(|v| v == value) {
                s.push(value.to_owned());
            }
        }
    }

    pub(crate) fn take_secrets(&self) -> Vec<String> {
        std::mem::take(&mut *self.secrets.borrow_mut())
    }

    /// An environment variable of the scanned account (from the options,
    /// never the scanner's own environment).
    pub(crate) fn env(&self, name: &str) -> Option<&str> {
        self.env
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// `$XDG_CONFIG_HOME` when it is set to an absolute path, else
    /// `~/.config`.
    pub(crate) fn xdg_config(&self) -> PathBuf {
        self.relocated("XDG_CONFIG_HOME")
            .unwrap_or_else(|| self.home.join(".config"))
    }

    /// The absolute directory an environment variable relocates a config
    /// to, registered as a root.
    pub(crate) fn relocated(&self, var: &str) -> Option<PathBuf> {
        let dir = PathBuf::from(self.env(var)?);
        if !dir.is_absolute() {
            return None;
        }
        self.add_root(&dir);
        Some(dir)
    }

    /// A path under the system root (`/etc/...`), when one was given.
    pub(crate) fn system(&self, rel: &str) -> Option<PathBuf> {
        self.system_root
            .as_ref()
            .map(|root| root.join(rel.trim_start_matches('/')))
    }

    /// Resolves `path` for reading: `None` when absent or refused (refusals
    /// are noted).
    fn resolve(&self, path: &Path) -> Option<PathBuf> {
        let meta = match std::fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                self.note_err(&ScanError::io(path, &e));
                return None;
            }
        };
        let mut any_link = meta.file_type().is_symlink();
        if !any_link {
            // A link in a parent directory counts too.
            any_link = path
                .ancestors()
                .skip(1)
                .take_while(|p| !self.roots.borrow().iter().any(|r| r == p))
                .any(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()));
        }
        if !any_link {
            return Some(path.to_path_buf());
        }
        match std::fs::canonicalize(path) {
            Ok(target) if self.inside_roots(&target) => Some(target),
            Ok(_) => {
                self.note_err(&ScanError::OutsideRoots {
                    path: path.to_path_buf(),
                });
                None
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                self.note_err(&ScanError::io(path, &e));
                None
            }
        }
    }

    /// Reads a regular file of at most `max_bytes` (see the module docs).
    /// `None` when absent, refused or unreadable.
    pub(crate) fn read(&self, path: &Path) -> Option<Vec<u8>> {
        self.read_capped(path, self.max_bytes)
    }

    /// [`Ctx::read`] with a smaller cap.
    pub(crate) fn read_capped(&self, path: &Path, cap: u64) -> Option<Vec<u8>> {
        let cap = cap.min(self.max_bytes);
        let target = self.resolve(path)?;
        match read_regular(&target, cap) {
            Ok(buf) => {
                self.files.set(self.files.get() + 1);
                self.bytes.set(self.bytes.get() + buf.len() as u64);
                Some(buf)
            }
            Err(ScanError::Io {
                kind: std::io::ErrorKind::NotFound,
                ..
            }) => None,
            Err(e) => {
                self.note_err(&e.at(path));
                None
            }
        }
    }

    /// Whether `path` exists (as anything, symlinks not followed).
    pub(crate) fn exists(&self, path: &Path) -> bool {
        std::fs::symlink_metadata(path).is_ok()
    }

    /// Whether `path` is a directory the scan may enter.
    pub(crate) fn is_dir(&self, path: &Path) -> bool {
        self.resolve(path)
            .and_then(|p| std::fs::metadata(p).ok())
            .is_some_and(|m| m.is_dir())
    }

    /// The entries of a directory (names and whether each is a directory,
    /// symlinks not followed), sorted by name, at most [`MAX_DIR_ENTRIES`].
    pub(crate) fn list_dir(&self, path: &Path) -> Vec<(String, PathBuf, bool)> {
        let Some(dir) = self.resolve(path) else {
            return Vec::new();
        };
        let rd = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => return Vec::new(),
            Err(e) => {
                self.note_err(&ScanError::io(path, &e));
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for entry in rd {
            if out.len() >= MAX_DIR_ENTRIES {
                self.note(format!(
                    "{}: more than {MAX_DIR_ENTRIES} entries; the rest were not looked at",
                    path.display()
                ));
                break;
            }
            let Ok(entry) = entry else { continue };
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            out.push((name.clone(), path.join(&name), is_dir));
        }
        out.sort();
        out
    }

    /// Days since `path` was last modified (symlinks followed only inside
    /// the roots).
    pub(crate) fn age_days(&self, path: &Path) -> Option<u64> {
        let target = self.resolve(path)?;
        let modified = std::fs::metadata(target).ok()?.modified().ok()?;
        let age = self.now.duration_since(modified).ok()?;
        Some(age.as_secs() / 86_400)
    }
}

/// Opens `path` without blocking on FIFOs and reads it when it is a regular
/// file of at most `cap` bytes.
fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, ScanError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file: File = options.open(path).map_err(|e| ScanError::io(path, &e))?;
    let meta = file.metadata().map_err(|e| ScanError::io(path, &e))?;
    if !meta.is_file() {
        return Err(ScanError::NotRegular {
            path: path.to_path_buf(),
        });
    }
    if meta.len() > cap {
        return Err(ScanError::TooLarge {
            path: path.to_path_buf(),
            size: meta.len(),
            limit: cap,
        });
    }
    let mut buf = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(cap.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| ScanError::io(path, &e))?;
    if buf.len() as u64 > cap {
        return Err(ScanError::TooLarge {
            path: path.to_path_buf(),
            size: buf.len() as u64,
            limit: cap,
        });
    }
    Ok(buf)
}
