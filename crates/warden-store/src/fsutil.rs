//! Small filesystem helpers: durable atomic writes and mode-aware
//! directory creation.

use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::StoreError;

/// Creates `dir` (and any missing parents) with `mode`.
///
/// Returns `true` when `dir` itself was created by this call, in which case
/// its mode is set exactly (independent of the umask). An existing
/// directory is left as it is.
pub(crate) fn ensure_dir(dir: &Path, mode: u32) -> Result<bool, StoreError> {
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => return Ok(false),
        Ok(_) => {
            return Err(StoreError::NotADirectory {
                path: dir.to_path_buf(),
            })
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(StoreError::io(dir, e)),
    }
    DirBuilder::new()
        .recursive(true)
        .mode(mode)
        .create(dir)
        .map_err(|e| StoreError::io(dir, e))?;
    fs::set_permissions(dir, Permissions::from_mode(mode)).map_err(|e| StoreError::io(dir, e))?;
    Ok(true)
}

/// Flushes a directory's entries (new, renamed or removed files) to disk.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io(dir, e))
}

/// The directory containing `path` (`.` for a bare file name).
pub(crate) fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `contents` to `path` atomically: the data goes to a fresh temporary
/// file in the same directory, is synced, given `mode`, and renamed over
/// `path`; the directory is synced afterwards. Readers see either the old
/// file or the complete new one, never a torn write.
pub(crate) fn atomic_write(path: &Path, contents: &[u8], mode: u32) -> Result<(), StoreError> {
    let dir = parent_of(path);
    let name = path
        .file_name()
        .ok_or_else(|| StoreError::NotAFile {
            path: path.to_path_buf(),
        })?
        .to_string_lossy();
    let nonce = getrandom::u64().map_err(StoreError::Random)?;
    let tmp: PathBuf = dir.join(format!(".{name}.tmp-{}-{nonce:016x}", std::process::id()));

    let result = write_new(&tmp, contents, mode)
        .and_then(|()| fs::rename(&tmp, path).map_err(|e| StoreError::io(path, e)));
    if result.is_err() {
        // Best effort: the temporary file is useless now.
        let _ = fs::remove_file(&tmp);
    }
    result?;
    sync_dir(dir)
}

/// Creates `path` exclusively (failing if it exists) with `mode`, writes
/// `contents` and syncs it.
pub(crate) fn write_new(path: &Path, contents: &[u8], mode: u32) -> Result<(), StoreError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| StoreError::io(path, e))?;
    let written = file
        .set_permissions(Permissions::from_mode(mode))
        .and_then(|()| file.write_all(contents))
        .and_then(|()| file.sync_all());
    if let Err(e) = written {
        drop(file);
        // We created the file exclusively, so removing the partial result
        // cannot destroy anything that existed before.
        let _ = fs::remove_file(path);
        return Err(StoreError::io(path, e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_sets_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.txt");
        fs::write(&p, "old").unwrap();
        atomic_write(&p, b"new", 0o640).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "new");
        let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o640);
        // No temporary files left behind.
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn ensure_dir_reports_creation() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("a/b");
        assert!(ensure_dir(&d, 0o700).unwrap());
        assert!(!ensure_dir(&d, 0o700).unwrap());
        let mode = fs::metadata(&d).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o700);
        let f = dir.path().join("file");
        fs::write(&f, "").unwrap();
        assert!(matches!(
            ensure_dir(&f, 0o700),
            Err(StoreError::NotADirectory { .. })
        ));
    }
}
