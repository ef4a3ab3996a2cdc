//! Creating (or refreshing) a Warden home directory.

use std::collections::HashSet;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use ed25519_dalek::VerifyingKey;

use crate::fsutil::{atomic_write, ensure_dir, parent_of, sync_dir, write_new};
use crate::home::{CONFIG_FILE, DATABASE_FILE, KEYS_DIR, POLICIES_DIR};
use crate::keys::{
    exists, generate_signing_key, load_signing_key, load_verifying_key, write_signing_key,
    write_verifying_key,
};
use crate::{Layout, Store, StoreError};

/// Mode of the home directory and the key directory.
const PRIVATE_DIR_MODE: u32 = 0o700;
/// Mode of directories under `policies/`.
const POLICY_DIR_MODE: u32 = 0o755;
/// Mode of policy files.
const POLICY_FILE_MODE: u32 = 0o644;
/// Mode of the configuration file (and any other non-policy file).
const PRIVATE_FILE_MODE: u32 = 0o600;
/// Mode of the database file.
const DATABASE_MODE: u32 = 0o600;

/// A file `init` writes into the home directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitFile {
    /// Path relative to the home directory, `/`-separated, e.g.
    /// `warden.toml` or `policies/base.cedar`. Must not be empty, absolute,
    /// or contain empty, `.` or `..` components, and must not point into
    /// the database or `keys/`.
    pub relative: String,
    /// The file's contents.
    pub contents: String,
}

impl InitFile {
    /// A file at `relative` with `contents`.
    pub fn new(relative: impl Into<String>, contents: impl Into<String>) -> Self {
        InitFile {
            relative: relative.into(),
            contents: contents.into(),
        }
    }
}

/// What [`init`] did, file by file (absolute paths under the home).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InitReport {
    /// Files that did not exist and were created (supplied files, the
    /// database, key files).
    pub created: Vec<PathBuf>,
    /// Supplied files that existed and were replaced (only with `force`).
    pub overwritten: Vec<PathBuf>,
    /// Existing files left untouched: the database and key files.
    pub kept: Vec<PathBuf>,
    /// Stale `policies/*.cedar` files that were not supplied and were
    /// deleted (only with `force`).
    pub removed: Vec<PathBuf>,
}

/// The state of the key pair found before writing anything.
enum KeyState {
    /// Neither key file exists: generate a pair.
    Absent,
    /// Both exist and match.
    Complete,
    /// Only the signing key exists: derive and write the public key.
    MissingPublic(VerifyingKey),
}

/// Initializes the home directory described by `layout`.
///
/// Creates the root (mode 0700, with parents) and writes every supplied
/// file atomically (temporary file + rename; `policies/…` files get mode
/// 0644, everything else 0600). The database and an Ed25519 audit key pair
/// are created if absent, and are **never** overwritten or deleted, even
/// with `force`; existing ones are reported as kept.
///
/// Without `force`, if any supplied file already exists, nothing at all is
/// written. With `force`, supplied files are overwritten and every
/// `policies/*.cedar` file that is not supplied is removed, so switching
/// policy packs cannot leave old policies active.
///
/// All checks (path validation, existing files, key consistency) happen
/// before the first write.
///
/// # Errors
///
/// * [`StoreError::InvalidPath`] for a bad [`InitFile::relative`];
/// * [`StoreError::AlreadyInitialized`] naming the first supplied file that
///   exists, when `force` is false;
/// * [`StoreError::NotADirectory`] / [`StoreError::NotAFile`] when something
///   of the wrong kind is in the way;
/// * key errors ([`StoreError::KeyPermissions`], [`StoreError::InvalidKey`],
///   [`StoreError::KeyMismatch`], [`StoreError::MissingSigningKey`]) when an
///   existing key pair is unusable;
/// * [`StoreError::Io`], [`StoreError::Random`] or database errors from the
///   writes themselves.
pub fn init(layout: &Layout, files: &[InitFile], force: bool) -> Result<InitReport, StoreError> {
    // ---- Phase 1: checks. Nothing is written until all of them pass. ----
    let relatives = validate_all(files)?;

    if let Ok(meta) = fs::metadata(&layout.root) {
        if !meta.is_dir() {
            return Err(StoreError::NotADirectory {
                path: layout.root.clone(),
            });
        }
    }

    let mut plan = Vec::with_capacity(files.len());
    for (file, relative) in files.iter().zip(&relatives) {
        check_ancestors(&layout.root, relative)?;
        let path = layout.root.join(relative);
        let existed = match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => return Err(StoreError::NotAFile { path }),
            Ok(_) => true,
            Err(e) if e.kind() == ErrorKind::NotFound => false,
            Err(e) => return Err(StoreError::io(path, e)),
        };
        if existed && !force {
            return Err(StoreError::AlreadyInitialized { path });
        }
        plan.push((path, relative, file.contents.as_bytes(), existed));
    }

    let key_state = inspect_keys(layout)?;
    let database_existed = exists(&layout.database())?;
    let stale = if force {
        stale_policies(layout, &relatives)?
    } else {
        Vec::new()
    };

    // ---- Phase 2: writes. ----
    let mut report = InitReport::default();
    ensure_dir(&layout.root, PRIVATE_DIR_MODE)?;

    for (path, relative, contents, existed) in plan {
        let in_policies = relative.starts_with(POLICIES_DIR);
        let (dir_mode, file_mode) = if in_policies {
            (POLICY_DIR_MODE, POLICY_FILE_MODE)
        } else {
            (PRIVATE_DIR_MODE, PRIVATE_FILE_MODE)
        };
        ensure_dir(parent_of(&path), dir_mode)?;
        atomic_write(&path, contents, file_mode)?;
        if existed {
            report.overwritten.push(path);
        } else {
            report.created.push(path);
        }
    }

    if !stale.is_empty() {
        for path in stale {
            match fs::remove_file(&path) {
                Ok(()) => report.removed.push(path),
                // Already gone (e.g. removed concurrently): nothing to do.
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(StoreError::io(path, e)),
            }
        }
        sync_dir(&layout.policies())?;
    }

    let database = layout.database();
    if database_existed {
        report.kept.push(database);
    } else {
        // Pre-create the file so it (and SQLite's -wal/-shm files, which
        // copy its permissions) is private to the owner.
        write_new(&database, b"", DATABASE_MODE)?;
        drop(Store::open(&database)?);
        sync_dir(&layout.root)?;
        report.created.push(database);
    }

    let (secret, public) = (layout.signing_key(), layout.verifying_key());
    match key_state {
        KeyState::Complete => {
            report.kept.push(secret);
            report.kept.push(public);
        }
        KeyState::MissingPublic(verifying) => {
            write_verifying_key(&public, &verifying)?;
            sync_dir(&layout.keys())?;
            report.kept.push(secret);
            report.created.push(public);
        }
        KeyState::Absent => {
            ensure_dir(&layout.keys(), PRIVATE_DIR_MODE)?;
            let key = generate_signing_key()?;
            write_signing_key(&secret, &key)?;
            write_verifying_key(&public, &key.verifying_key())?;
            sync_dir(&layout.keys())?;
            report.created.push(secret);
            report.created.push(public);
        }
    }

    Ok(report)
}

/// Validates every supplied path, and that no two of them collide (the same
/// path twice, or one file inside another).
fn validate_all(files: &[InitFile]) -> Result<Vec<PathBuf>, StoreError> {
    let relatives = files
        .iter()
        .map(|f| validate_relative(&f.relative))
        .collect::<Result<Vec<_>, _>>()?;
    let mut seen = HashSet::with_capacity(relatives.len());
    for (file, relative) in files.iter().zip(&relatives) {
        if !seen.insert(relative.as_path()) {
            return Err(invalid(&file.relative, "path is supplied more than once"));
        }
    }
    for (file, relative) in files.iter().zip(&relatives) {
        if relative.ancestors().skip(1).any(|a| seen.contains(a)) {
            return Err(invalid(
                &file.relative,
                "path is inside another supplied file",
            ));
        }
    }
    Ok(relatives)
}

/// Validates one relative path and converts it to a `PathBuf`.
fn validate_relative(relative: &str) -> Result<PathBuf, StoreError> {
    let fail = |reason| Err(invalid(relative, reason));
    if relative.is_empty() {
        return fail("path is empty");
    }
    if relative.contains('\0') {
        return fail("path contains a NUL byte");
    }
    if relative.starts_with('/') || Path::new(relative).is_absolute() {
        return fail("path is absolute");
    }
    if relative.contains('\\') {
        return fail("path contains a backslash");
    }
    let mut out = PathBuf::new();
    for segment in relative.split('/') {
        match segment {
            "" => return fail("path has an empty component"),
            "." => return fail("path has a '.' component"),
            ".." => return fail("path has a '..' component"),
            s => out.push(s),
        }
    }
    let first = relative.split('/').next().unwrap_or_default();
    if first == KEYS_DIR {
        return fail("keys/ is managed by Warden and cannot be supplied");
    }
    if first == DATABASE_FILE || first.starts_with(&format!("{DATABASE_FILE}-")) {
        return fail("the database is managed by Warden and cannot be supplied");
    }
    if relative == POLICIES_DIR || (first == CONFIG_FILE && relative != CONFIG_FILE) {
        return fail("path would replace a directory or file Warden manages");
    }
    Ok(out)
}

/// Builds an [`StoreError::InvalidPath`].
fn invalid(relative: &str, reason: &'static str) -> StoreError {
    StoreError::InvalidPath {
        relative: relative.to_string(),
        reason,
    }
}

/// Fails if an existing ancestor of `root/relative` (below `root`) is not a
/// directory, so that the writes cannot fail half-way for that reason.
fn check_ancestors(root: &Path, relative: &Path) -> Result<(), StoreError> {
    let mut dir = root.to_path_buf();
    let Some(parent) = relative.parent() else {
        return Ok(());
    };
    for component in parent.components() {
        dir.push(component);
        match fs::metadata(&dir) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(StoreError::NotADirectory { path: dir }),
            // Missing: it and everything below will be created.
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(StoreError::io(dir, e)),
        }
    }
    Ok(())
}

/// Inspects the key pair, loading and cross-checking whatever exists.
fn inspect_keys(layout: &Layout) -> Result<KeyState, StoreError> {
    let (secret, public) = (layout.signing_key(), layout.verifying_key());
    match (exists(&secret)?, exists(&public)?) {
        (false, false) => Ok(KeyState::Absent),
        (false, true) => Err(StoreError::MissingSigningKey { secret, public }),
        (true, public_exists) => {
            let derived = load_signing_key(layout)?.verifying_key();
            if !public_exists {
                return Ok(KeyState::MissingPublic(derived));
            }
            if load_verifying_key(layout)? != derived {
                return Err(StoreError::KeyMismatch { secret, public });
            }
            Ok(KeyState::Complete)
        }
    }
}

/// `policies/*.cedar` entries (files or symlinks, top level only) that are
/// not among the supplied `relatives`, sorted.
fn stale_policies(layout: &Layout, relatives: &[PathBuf]) -> Result<Vec<PathBuf>, StoreError> {
    let dir = layout.policies();
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StoreError::io(dir, e)),
    };
    let supplied: HashSet<&Path> = relatives.iter().map(PathBuf::as_path).collect();
    let mut stale = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::io(&dir, e))?;
        let name = entry.file_name();
        if Path::new(&name)
            .extension()
            .is_none_or(|ext| ext != "cedar")
        {
            continue;
        }
        let kind = entry
            .file_type()
            .map_err(|e| StoreError::io(entry.path(), e))?;
        if !(kind.is_file() || kind.is_symlink()) {
            continue;
        }
        let relative = Path::new(POLICIES_DIR).join(&name);
        if !supplied.contains(relative.as_path()) {
            stale.push(entry.path());
        }
    }
    stale.sort();
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(relative: &str) -> &'static str {
        match validate_relative(relative) {
            Err(StoreError::InvalidPath { reason, .. }) => reason,
            other => panic!("{relative:?} accepted: {other:?}"),
        }
    }

    #[test]
    fn accepts_plain_relative_paths() {
        for ok in [
            "warden.toml",
            "policies/base.cedar",
            "policies/warden.cedarschema",
            "policies/tests/basic.toml",
            "notes..txt",
        ] {
            assert_eq!(validate_relative(ok).unwrap(), PathBuf::from(ok));
        }
    }

    #[test]
    fn rejects_bad_paths() {
        assert_eq!(reason(""), "path is empty");
        assert_eq!(reason("/etc/passwd"), "path is absolute");
        assert_eq!(reason("../x"), "path has a '..' component");
        assert_eq!(reason("policies/../../x"), "path has a '..' component");
        assert_eq!(reason("./warden.toml"), "path has a '.' component");
        assert_eq!(reason("policies//a.cedar"), "path has an empty component");
        assert_eq!(reason("policies/"), "path has an empty component");
        assert_eq!(reason("a\0b"), "path contains a NUL byte");
        assert_eq!(reason("..\\x"), "path contains a backslash");
        reason("keys/audit.ed25519");
        reason("keys");
        reason("warden.db");
        reason("warden.db-wal");
        reason("policies");
        reason("warden.toml/x");
    }

    #[test]
    fn rejects_collisions() {
        let dup = [InitFile::new("a", ""), InitFile::new("a", "")];
        assert!(matches!(
            validate_all(&dup),
            Err(StoreError::InvalidPath { .. })
        ));
        let nested = [InitFile::new("a/b", ""), InitFile::new("a", "")];
        assert!(matches!(
            validate_all(&nested),
            Err(StoreError::InvalidPath { .. })
        ));
    }
}
