//! The embedded SQLite database and its migrations.

use std::path::Path;
use std::time::{Duration, SystemTime};

use ed25519_dalek::SigningKey;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

use crate::time::format_rfc3339;
use crate::StoreError;

/// One schema migration; migration `i` (0-based) in [`MIGRATIONS`] brings
/// the schema to version `i + 1`.
type Migration = fn(&Transaction<'_>) -> rusqlite::Result<()>;

/// Every migration, in order. Append only: never edit or reorder an entry
/// that has shipped.
const MIGRATIONS: &[Migration] = &[
    migrate_1,
    crate::audit::migrate_2,
    crate::registry::migrate_3,
    crate::approvals::migrate_4,
    crate::sessions::migrate_5,
    crate::sessions::migrate_6,
];

/// The schema version this build of Warden creates and understands.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// How long a statement waits for a lock held by another connection.
const BUSY_TIMEOUT: Duration = Duration::from_millis(5000);

/// Migration 1: the `meta` key/value table, with `created_at` and `schema`.
fn migrate_1(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE meta (
             key   TEXT PRIMARY KEY,
             value TEXT NOT NULL
         );",
    )?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('created_at', ?1)",
        [format_rfc3339(SystemTime::now())],
    )?;
    Ok(())
}

/// How hard SQLite works to make a commit survive a crash
/// (`PRAGMA synchronous`); see [`Store::open`] for the trade-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `synchronous=NORMAL`: a commit is in the operating system's cache
    /// when it returns, so it survives the death of any process (including
    /// `kill -9`) but the last commits can be lost on power loss or a
    /// kernel crash. The database is never corrupted either way.
    #[default]
    Normal,
    /// `synchronous=FULL`: every commit is fsynced to the write-ahead log
    /// before it returns, so it also survives power loss, at the cost of
    /// one fsync per commit.
    Full,
}

impl Durability {
    /// The value given to `PRAGMA synchronous`.
    fn pragma_value(self) -> &'static str {
        match self {
            Durability::Normal => "NORMAL",
            Durability::Full => "FULL",
        }
    }
}

/// The outcome of [`Store::checkpoint_wal`] (the row returned by
/// `PRAGMA wal_checkpoint(PASSIVE)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalCheckpoint {
    /// Whether the checkpoint could not run to completion because another
    /// connection was reading or writing (a passive checkpoint never waits).
    pub busy: bool,
    /// Frames in the write-ahead log.
    pub log_frames: i64,
    /// Frames copied back into the database file (this call or earlier).
    pub checkpointed_frames: i64,
}

/// Warden's SQLite database, opened in WAL mode and migrated to
/// [`SCHEMA_VERSION`].
///
/// A store may hold the audit signing key (see [`Store::with_signing_key`]);
/// its `Debug` output shows only the public half, as `SigningKey`'s does.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    /// The key that signs automatic checkpoints for every audit record
    /// this store appends on its own behalf (registry and approval changes,
    /// [`Store::append`]).
    signing_key: Option<SigningKey>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` with
    /// [`Durability::Normal`], configures it and applies any pending
    /// migrations.
    ///
    /// The connection uses `journal_mode=WAL`, `synchronous=NORMAL`,
    /// `busy_timeout=5000` and `foreign_keys=ON`.
    ///
    /// **Durability trade-off.** With WAL and `synchronous=NORMAL` a
    /// commit is written to the log (the operating system's page cache)
    /// but not fsynced. A committed transaction therefore survives the
    /// death of any process, including `kill -9` of the writer, and the
    /// database can never be corrupted; only a power loss or kernel crash
    /// can lose the most recent commits. Warden makes this choice because
    /// every hook invocation is a short-lived process that appends a few
    /// records: an fsync per commit would dominate its latency. Use
    /// [`Store::open_with`] and [`Durability::Full`] where losing the last
    /// records on power loss is unacceptable.
    ///
    /// **Checkpoint on close is kept.** Closing the *last* connection
    /// checkpoints the log into the database file and deletes it (about
    /// 0.4 ms). `SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE` would skip that, but
    /// then the next process to open the database is again the only one
    /// and must rebuild the log index by reading the whole log, and
    /// because that rebuild forgets which frames were already
    /// checkpointed, the log is never restarted: with one short-lived
    /// process per hook event it grew without bound (37 MB and 11 ms per
    /// open after 1600 hook-sized open/append/close cycles, against a
    /// steady 0.8-1 ms with checkpoint on close). When a long-lived process
    /// (the daemon) keeps a connection open, no other process closes the
    /// last connection, so the option would not save anything there
    /// either. That process can call [`Store::checkpoint_wal`] in the
    /// background so that no append pays for the automatic checkpoint
    /// taken when the log exceeds 1000 pages.
    ///
    /// Migrations run in one `IMMEDIATE` transaction, so concurrent openers
    /// cannot apply them twice.
    ///
    /// # Errors
    ///
    /// * [`StoreError::Open`] when the file cannot be opened or configured;
    /// * [`StoreError::JournalMode`] when WAL mode cannot be enabled;
    /// * [`StoreError::UnsupportedSchema`] when the database was written by
    ///   a newer Warden;
    /// * [`StoreError::Sqlite`] when a migration fails.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, Durability::Normal)
    }

    /// Like [`Store::open`], with an explicit [`Durability`].
    ///
    /// # Errors
    ///
    /// As for [`Store::open`].
    pub fn open_with(path: &Path, durability: Durability) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(open_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::JournalMode(mode));
        }
        conn.pragma_update(None, "synchronous", durability.pragma_value())
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        migrate(&mut conn)?;
        Ok(Store {
            conn,
            signing_key: None,
        })
    }

    /// This store, with `key` signing automatic checkpoints (every
    /// [`CHECKPOINT_EVERY`](crate::CHECKPOINT_EVERY) records) for the audit
    /// records it appends itself: registry and approval changes, and
    /// [`Store::append`]. [`Store::append_signed`] still uses the key it
    /// is given.
    #[must_use]
    pub fn with_signing_key(mut self, key: SigningKey) -> Store {
        self.signing_key = Some(key);
        self
    }

    /// The key set with [`Store::with_signing_key`], if any.
    pub fn signing_key(&self) -> Option<&SigningKey> {
        self.signing_key.as_ref()
    }

    /// Starts a `BEGIN IMMEDIATE` transaction: it takes the write lock
    /// before anything is read (waiting up to the busy timeout), so a
    /// read-check-write sequence cannot be interleaved with another
    /// writer's, in this process or any other.
    pub(crate) fn write_tx(&self) -> Result<Transaction<'_>, StoreError> {
        Ok(Transaction::new_unchecked(
            &self.conn,
            TransactionBehavior::Immediate,
        )?)
    }

    /// Starts a read transaction, so that several queries see one
    /// consistent snapshot.
    pub(crate) fn read_tx(&self) -> Result<Transaction<'_>, StoreError> {
        Ok(Transaction::new_unchecked(
            &self.conn,
            TransactionBehavior::Deferred,
        )?)
    }

    /// The schema version recorded in the database (`PRAGMA user_version`).
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] on a database error;
    /// [`StoreError::UnsupportedSchema`] if the value is negative.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        let found = user_version(&self.conn)?;
        u32::try_from(found).map_err(|_| StoreError::UnsupportedSchema {
            found,
            supported: SCHEMA_VERSION,
        })
    }

    /// The value stored under `key` in the `meta` table, if any.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] on a database error.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        let value = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?;
        Ok(value)
    }

    /// The underlying connection, for modules that add their own tables.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Copies committed write-ahead-log frames back into the database file
    /// without waiting for readers or writers (`PRAGMA
    /// wal_checkpoint(PASSIVE)`), for a background task that wants to keep
    /// the log short.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] on a database error.
    pub fn checkpoint_wal(&self) -> Result<WalCheckpoint, StoreError> {
        let (busy, log_frames, checkpointed_frames) =
            self.conn
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get(1)?, row.get(2)?))
                })?;
        Ok(WalCheckpoint {
            busy: busy != 0,
            log_frames,
            checkpointed_frames,
        })
    }
}

/// Reads `PRAGMA user_version`.
fn user_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

/// Checks that `found` is a version this build can migrate from, returning
/// it as an index into [`MIGRATIONS`].
fn known_version(found: i64) -> Result<usize, StoreError> {
    usize::try_from(found)
        .ok()
        .filter(|v| *v <= MIGRATIONS.len())
        .ok_or(StoreError::UnsupportedSchema {
            found,
            supported: SCHEMA_VERSION,
        })
}

/// Applies every pending migration in a single `IMMEDIATE` transaction.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    // Fast path: an up-to-date database needs no write lock.
    if known_version(user_version(conn)?)? == MIGRATIONS.len() {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Re-read under the write lock: another process may have migrated.
    let current = known_version(user_version(&tx)?)?;
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(current) {
        let version = index + 1;
        migration(&tx)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('schema', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [version.to_string()],
        )?;
        tx.pragma_update(None, "user_version", version as i64)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_configures_and_migrates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(SCHEMA_VERSION, 6);
        assert_eq!(store.meta("schema").unwrap().as_deref(), Some("6"));
        assert_eq!(store.meta("missing").unwrap(), None);
        let created = store.meta("created_at").unwrap().unwrap();
        assert_eq!(created.len(), "2024-01-01T00:00:00Z".len());
        assert!(created.ends_with('Z'));

        let conn = store.connection();
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 1, "synchronous=NORMAL");
        // Deliberately left at SQLite's default (see `Store::open`).
        let no_ckpt = conn
            .db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE)
            .unwrap();
        assert!(!no_ckpt, "checkpoint on close stays enabled");
        let fk: i64 = conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        let busy: i64 = conn
            .pragma_query_value(None, "busy_timeout", |r| r.get(0))
            .unwrap();
        assert_eq!(busy, 5000);
    }

    #[test]
    fn reopen_is_idempotent_and_keeps_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let created = {
            let store = Store::open(&path).unwrap();
            store.meta("created_at").unwrap()
        };
        let store = Store::open(&path).unwrap();
        assert_eq!(store.meta("created_at").unwrap(), created);
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn full_durability_and_wal_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let store = Store::open_with(&path, Durability::Full).unwrap();
        let sync: i64 = store
            .connection()
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
        let done = store.checkpoint_wal().unwrap();
        assert!(!done.busy);
        assert_eq!(done.log_frames, done.checkpointed_frames);
    }

    #[test]
    fn version_1_database_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            let tx = conn.transaction().unwrap();
            migrate_1(&tx).unwrap();
            tx.pragma_update(None, "user_version", 1).unwrap();
            tx.commit().unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.meta("schema").unwrap().as_deref(), Some("6"));
        let tables: i64 = store
            .connection()
            .query_row(
                "SELECT count(*) FROM sqlite_schema
                 WHERE type = 'table' AND name IN ('audit_log', 'checkpoints', 'agents',
                     'tools', 'tool_agents', 'approvals')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 6);
    }

    #[test]
    fn version_2_database_with_records_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let key = SigningKey::from_bytes(&[7; 32]);
        {
            let mut conn = Connection::open(&path).unwrap();
            let tx = conn.transaction().unwrap();
            migrate_1(&tx).unwrap();
            crate::audit::migrate_2(&tx).unwrap();
            tx.pragma_update(None, "user_version", 2).unwrap();
            tx.commit().unwrap();
            let old = Store {
                conn,
                signing_key: None,
            };
            for i in 0..3 {
                let record = crate::NewRecord::new(crate::RecordKind::Prompt, format!("old {i}"));
                old.append(&record).unwrap();
            }
            old.checkpoint(&key).unwrap().unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), 6);
        assert_eq!(store.meta("schema").unwrap().as_deref(), Some("6"));
        store
            .register_agent(
                &crate::NewAgent {
                    name: "bot".into(),
                    kind: crate::AgentKind::Codex,
                    owner: "alice@example.com".into(),
                    deputy: None,
                    purpose: None,
                    scope: crate::AgentScope::default(),
                },
                "bob",
            )
            .unwrap();
        let report = store.verify(&key.verifying_key()).unwrap();
        assert!(report.is_ok(), "{:?}", report.first_problem);
        assert_eq!((report.records, report.checkpoints), (4, 1));
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", 99).unwrap();
        }
        let err = Store::open(&path).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::UnsupportedSchema {
                    found: 99,
                    supported: 6
                }
            ),
            "{err:?}"
        );
    }
}
