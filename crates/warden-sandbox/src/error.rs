//! Errors and refusals.

use std::fmt;
use std::path::PathBuf;

use crate::Control;

/// Why a sandbox could not be planned, prepared or enforced.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A profile path is relative; every path must be absolute.
    #[error("sandbox profile path is not absolute: {0}")]
    RelativePath(PathBuf),
    /// An allowed root contains the home directory, which would grant every
    /// credential under it.
    #[error("sandbox profile grants {root}, which contains the home directory {home}; grant specific subdirectories instead")]
    HomeGranted {
        /// The offending allowed root.
        root: PathBuf,
        /// The home directory.
        home: PathBuf,
    },
    /// An allowed root lies inside a denied path.
    #[error("sandbox profile allows {allowed}, which lies inside the denied path {denied}")]
    AllowedInsideDenied {
        /// The allowed root.
        allowed: PathBuf,
        /// The denied path containing it.
        denied: PathBuf,
    },
    /// A filesystem operation on a profile path failed.
    #[error("sandbox: {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The host cannot enforce what the profile requires.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Building the Landlock ruleset failed.
    #[error("sandbox: landlock: {0}")]
    Landlock(String),
    /// Building the seccomp filter failed.
    #[error("sandbox: seccomp: {0}")]
    Seccomp(String),
    /// Enforcing in the current process failed (see [`crate::apply`]).
    #[error("sandbox: enforcing failed: {0}")]
    Enforce(#[source] std::io::Error),
    /// [`crate::apply`] was called in a multi-threaded process, where the
    /// restrictions would cover only the calling thread.
    #[error("sandbox: apply() needs a single-threaded process ({0} threads); prepare in the parent and enforce in the child instead")]
    MultiThreaded(usize),
    /// The self-test could not run (fork, pipe, canary set-up).
    #[error("sandbox self-test: {0}")]
    SelfTest(String),
    /// This operating system has no enforcement backend.
    #[error("sandbox: kernel enforcement is implemented for Linux only ({0})")]
    Unsupported(&'static str),
}

/// One control a profile requires that this host cannot enforce.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Missing {
    /// The control.
    pub control: Control,
    /// Why the host cannot provide it.
    pub why: String,
}

/// The launch is refused: the profile requires controls this host does not
/// provide. Never degraded silently; the message names each control and the
/// reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Refusal {
    /// Every missing required control.
    pub missing: Vec<Missing>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refusing to start: the policy requires sandbox controls this host cannot enforce:"
        )?;
        for m in &self.missing {
            write!(
                f,
                "\n  - {} ({}): {}",
                m.control,
                m.control.describe(),
                m.why
            )?;
        }
        write!(
            f,
            "\nRun on a host that provides them, or remove them from the profile's `required` list to accept the risk explicitly."
        )
    }
}
