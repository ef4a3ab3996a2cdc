//! The embedded SQLite database and its migrations.

use std::path::Path;
use std::time::{Duration, SystemTime};

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

use crate::time::format_rfc3339;
use crate::StoreError;

/// One schema migration; migration `i` (0-based) in [`MIGRATIONS`] brings
/// the schema to version `i + 1`.
type Migration = fn(&Transaction<'_>) -> rusqlite::Result<()>;

/// Every migration, in order. Append only: never edit or reorder an entry
/// that has shipped.
const MIGRATIONS: &[Migration] = &[migrate_1];

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

/// Warden's SQLite database, opened in WAL mode with full durability and
/// migrated to [`SCHEMA_VERSION`].
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, configures it and
    /// applies any pending migrations.
    ///
    /// The connection uses `journal_mode=WAL`, `synchronous=FULL` (a
    /// committed transaction survives `kill -9` and power loss),
    /// `busy_timeout=5000` and `foreign_keys=ON`. Migrations run in one
    /// `IMMEDIATE` transaction, so concurrent openers cannot apply them
    /// twice.
    ///
    /// # Errors
    ///
    /// * [`StoreError::Open`] when the file cannot be opened or configured;
    /// * [`StoreError::JournalMode`] when WAL mode cannot be enabled;
    /// * [`StoreError::UnsupportedSchema`] when the database was written by
    ///   a newer Warden;
    /// * [`StoreError::Sqlite`] when a migration fails.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
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
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        migrate(&mut conn)?;
        Ok(Store { conn })
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
        assert_eq!(SCHEMA_VERSION, 1);
        assert_eq!(store.meta("schema").unwrap().as_deref(), Some("1"));
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
        assert_eq!(sync, 2, "synchronous=FULL");
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
        assert_eq!(store.schema_version().unwrap(), 1);
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
                    supported: 1
                }
            ),
            "{err:?}"
        );
    }
}
