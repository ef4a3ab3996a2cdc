//! Warden's state directory and its embedded SQLite store.
//!
//! Warden keeps everything it needs in one directory, `$WARDEN_HOME`
//! (see [`default_home`]), laid out as described by [`Layout`]:
//!
//! ```text
//! $WARDEN_HOME/            0700
//! ├── warden.toml          0600  configuration
//! ├── policies/            Cedar policies (*.cedar, warden.cedarschema, tests/*.toml), 0644
//! ├── warden.db            0600  SQLite database (WAL mode): the audit trail
//! └── keys/                0700
//!     ├── audit.ed25519     0600  hex Ed25519 signing key
//!     └── audit.ed25519.pub 0644  hex Ed25519 verifying key
//! ```
//!
//! [`init`] creates the directory from caller-supplied files, [`Store`]
//! opens the database, and [`load_signing_key`] / [`load_verifying_key`]
//! read the audit identity. The database and the keys are never
//! overwritten or deleted by this crate.
//!
//! The database holds the tamper-evident audit trail: [`Store::append`]
//! adds a [`Record`] to a SHA-256 hash chain, [`Store::checkpoint`] signs
//! its head with the audit key, and [`Store::verify`] re-checks both (see
//! the `audit` and `checkpoint` module sources for the exact formats).
//!
//! It also holds the registry of assistant identities and tool connections
//! ([`Store::register_agent`], [`Store::add_tool`], …) and approval
//! requests ([`Store::request_approval`], [`Store::approve`],
//! [`Store::consume_approval`], …). Every change to either is committed in
//! the same transaction as the audit record describing it, so neither can
//! exist without the other.
//!
//! This crate is Unix-only: it relies on Unix permission bits.
#![warn(missing_docs)]

mod approvals;
mod audit;
mod checkpoint;
mod db;
mod error;
mod fsutil;
mod home;
mod init;
mod keys;
mod registry;
mod sessions;
mod time;
mod verify;

pub use approvals::{Approval, ApprovalStatus, NewApproval};
pub use audit::{NewRecord, Record, RecordFilter, RecordKind, GENESIS_HASH};
pub use checkpoint::{Checkpoint, CHECKPOINT_DOMAIN, CHECKPOINT_EVERY};
pub use db::{Durability, Store, WalCheckpoint, SCHEMA_VERSION};
pub use error::StoreError;
pub use home::{
    default_home, home_from, Layout, CONFIG_FILE, DATABASE_FILE, KEYS_DIR, POLICIES_DIR,
    SIGNING_KEY_FILE, VERIFYING_KEY_FILE,
};
pub use init::{init, InitFile, InitReport};
pub use keys::{load_signing_key, load_verifying_key};
pub use registry::{Agent, AgentKind, AgentScope, AgentState, NewAgent, NewTool, Tool, ToolState};
pub use sessions::{CredentialRecord, Grant, Human, Install, NewCredential, NewGrant};
pub use time::format_rfc3339;
pub use verify::{Problem, ProblemKind, VerifyReport};

/// The Ed25519 implementation used for the audit keys, re-exported so
/// callers use the same version.
pub use ed25519_dalek;
