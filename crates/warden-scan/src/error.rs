//! What can go wrong while reading one file. A scan never fails as a whole:
//! each of these becomes a note in [`crate::ScanReport::notes`].

use std::path::{Path, PathBuf};

/// A file the scan could not use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    /// Reading failed.
    #[error("{}: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error's kind.
        kind: std::io::ErrorKind,
        /// The I/O error, as text.
        message: String,
    },
    /// Larger than [`crate::ScanOptions::max_file_bytes`]; not read.
    #[error("{}: {size} bytes, over the {limit}-byte limit; not read", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit in force.
        limit: u64,
    },
    /// A FIFO, socket, device or directory where a file was expected.
    #[error("{}: not a regular file; not read", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
    },
    /// A symbolic link whose target lies outside the scanned roots.
    #[error("{}: symbolic link to a place outside the scanned roots; not followed", path.display())]
    OutsideRoots {
        /// The link.
        path: PathBuf,
    },
    /// The file's contents did not parse in the format expected.
    #[error("{}: not valid {format}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// JSON, TOML, YAML, ….
        format: &'static str,
        /// The parser's message (never the file's contents).
        message: String,
    },
}

impl ScanError {
    pub(crate) fn io(path: &Path, err: &std::io::Error) -> ScanError {
        ScanError::Io {
            path: path.to_path_buf(),
            kind: err.kind(),
            message: err.to_string(),
        }
    }

    /// The same error, naming `path` (the path as the scan knows it, rather
    /// than a resolved link target).
    pub(crate) fn at(self, path: &Path) -> ScanError {
        let path = path.to_path_buf();
        match self {
            ScanError::Io { kind, message, .. } => ScanError::Io {
                path,
                kind,
                message,
            },
            ScanError::TooLarge { size, limit, .. } => ScanError::TooLarge { path, size, limit },
            ScanError::NotRegular { .. } => ScanError::NotRegular { path },
            ScanError::OutsideRoots { .. } => ScanError::OutsideRoots { path },
            ScanError::Parse {
                format, message, ..
            } => ScanError::Parse {
                path,
                format,
                message,
            },
        }
    }
}
