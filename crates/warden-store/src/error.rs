//! The error type shared by every operation in this crate.

use std::path::PathBuf;

use crate::{AgentState, ApprovalStatus};

/// Everything that can go wrong while locating, initializing or opening
/// Warden's state directory.
///
/// No variant ever carries secret key material: key-related errors name the
/// file and describe the problem, nothing more.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// None of `$WARDEN_HOME`, `$XDG_CONFIG_HOME` (absolute) or `$HOME` is
    /// set, so there is no place to keep Warden's state.
    #[error(
        "cannot locate the Warden home: set WARDEN_HOME, or XDG_CONFIG_HOME (absolute), or HOME"
    )]
    NoHome,

    /// An I/O operation on `path` failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory the operation was about.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// `init` without `force` found one of the files it would write already
    /// present; nothing was written.
    #[error("{path} already exists; Warden is already initialized here (use --force to overwrite the configuration and policies)")]
    AlreadyInitialized {
        /// The first supplied file found to exist.
        path: PathBuf,
    },

    /// A file supplied to `init` has an unacceptable relative path.
    #[error("invalid relative path {relative:?}: {reason}")]
    InvalidPath {
        /// The path as supplied.
        relative: String,
        /// Why it was rejected.
        reason: &'static str,
    },

    /// Something other than a directory is in the way of a directory `init`
    /// needs.
    #[error("{path} exists but is not a directory")]
    NotADirectory {
        /// The offending path.
        path: PathBuf,
    },

    /// A directory is in the way of a file `init` needs to write.
    #[error("{path} exists but is not a regular file")]
    NotAFile {
        /// The offending path.
        path: PathBuf,
    },

    /// The signing key file is readable or writable by group or others.
    #[error("signing key {path} has mode {mode:04o}; it must not be accessible by group or others (chmod 600 {path})")]
    KeyPermissions {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },

    /// A key file exists but does not hold a valid key.
    #[error("key file {path} is invalid: {reason}")]
    InvalidKey {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it (never the key material itself).
        reason: &'static str,
    },

    /// The public key file does not match the signing key.
    #[error("public key {public} does not match signing key {secret}")]
    KeyMismatch {
        /// The signing (private) key file.
        secret: PathBuf,
        /// The verifying (public) key file.
        public: PathBuf,
    },

    /// A public key exists without its signing key; generating a new pair
    /// would overwrite the audit trail's published identity.
    #[error("public key {public} exists but signing key {secret} is missing; refusing to generate a new identity over it")]
    MissingSigningKey {
        /// The missing signing key file.
        secret: PathBuf,
        /// The existing public key file.
        public: PathBuf,
    },

    /// The operating system's random number generator failed.
    #[error("cannot obtain random bytes: {0}")]
    Random(#[source] getrandom::Error),

    /// The database at `path` could not be opened or configured.
    #[error("cannot open database {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// The underlying SQLite error.
        #[source]
        source: rusqlite::Error,
    },

    /// SQLite reported an error.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    /// The database could not be switched to write-ahead logging.
    #[error("database refused WAL journal mode (journal_mode is {0:?})")]
    JournalMode(String),

    /// The database schema is newer than (or otherwise unknown to) this
    /// version of Warden.
    #[error(
        "database schema version {found} is not supported (this Warden supports up to {supported})"
    )]
    UnsupportedSchema {
        /// The `user_version` found in the database.
        found: i64,
        /// The newest schema version this build knows.
        supported: u32,
    },

    /// An audit record read back from the database cannot be decoded
    /// (an unknown kind or malformed JSON column); [`crate::Store::verify`]
    /// reports the same condition as a tampering problem instead.
    #[error("audit record {seq} is corrupt: {reason}")]
    CorruptRecord {
        /// The record's sequence number.
        seq: i64,
        /// What could not be decoded.
        reason: String,
    },

    /// An audit record could not be encoded as JSON.
    #[error("cannot encode audit record: {0}")]
    Encode(#[source] serde_json::Error),

    /// An argument was rejected before anything was written.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// What the argument is (e.g. `"owner"`, `"agent name"`).
        field: &'static str,
        /// Why it was rejected.
        reason: String,
    },

    /// An agent of this name is registered, or was once: names are never
    /// reused, so audit records naming one stay unambiguous.
    #[error("agent {name} already exists (names are never reused, even after offboarding)")]
    AgentExists {
        /// The name.
        name: String,
    },

    /// A tool connection of this name exists, or once did (removed tools
    /// keep their names for the same reason agents do).
    #[error("tool {name} already exists (names are never reused, even after removal)")]
    ToolExists {
        /// The name.
        name: String,
    },

    /// No agent, tool or approval has this name or id.
    #[error("{what} {id} not found")]
    NotFound {
        /// `"agent"`, `"tool"` or `"approval"`.
        what: &'static str,
        /// The name or id looked up.
        id: String,
    },

    /// The agent lifecycle does not allow this state change (see
    /// [`crate::Store::set_agent_state`]).
    #[error("agent cannot go from {from} to {to}")]
    InvalidTransition {
        /// The agent's current state.
        from: AgentState,
        /// The state asked for.
        to: AgentState,
    },

    /// The tool connection was already removed.
    #[error("tool {name} is already removed")]
    ToolRemoved {
        /// The tool's name.
        name: String,
    },

    /// The approval request was already decided (or used up), so it can
    /// no longer be approved or denied.
    #[error("approval {id} is {status}, not pending")]
    NotPending {
        /// The request's id.
        id: String,
        /// Its current status.
        status: ApprovalStatus,
    },

    /// The approval request expired before it was decided.
    #[error("approval {id} has expired")]
    Expired {
        /// The request's id.
        id: String,
    },

    /// Segregation of duties: the human who requested an approval cannot
    /// grant it.
    #[error(
        "approval {id}: {approver} requested it and cannot approve it (segregation of duties)"
    )]
    SelfApproval {
        /// The request's id.
        id: String,
        /// The refused approver.
        approver: String,
    },

    /// Segregation of duties: the request demands an approver other than
    /// the agent's owner and deputy.
    #[error("approval {id}: {approver} is the owner or deputy of agent {agent} and cannot approve its actions (segregation of duties)")]
    OwnerApproval {
        /// The request's id.
        id: String,
        /// The refused approver.
        approver: String,
        /// The agent whose owner or deputy they are.
        agent: String,
    },

    /// The request demands an approver other than the agent's owner, but
    /// the agent is not registered, so nobody can be shown to differ
    /// from its owner; the approval is refused rather than waved through.
    #[error("approval {id}: agent {agent} is not registered, so the approver cannot be checked against its owner")]
    OwnerUnknown {
        /// The request's id.
        id: String,
        /// The unregistered agent.
        agent: String,
    },

    /// A registry or approval row read back from the database cannot be
    /// decoded (an unknown enum value or malformed JSON): it was written
    /// by something other than this crate.
    #[error("{table} row {key} is corrupt: {reason}")]
    CorruptRow {
        /// The table.
        table: &'static str,
        /// The row's name or id.
        key: String,
        /// What could not be decoded.
        reason: String,
    },
}

impl StoreError {
    /// Wraps an I/O error together with the path it concerns.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }
}
