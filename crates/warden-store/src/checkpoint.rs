//! Ed25519-signed checkpoints of the audit chain's head.
//!
//! A checkpoint states "record `seq` had hash `hash`", signed with the
//! audit key at time `ts`. Because every hash covers all earlier records,
//! one valid checkpoint vouches for the whole prefix up to `seq`: a
//! rewrite of that prefix (even one that re-computes every hash) or its
//! truncation no longer matches it, and only the key holder can sign a
//! new one.

use std::time::SystemTime;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};

use crate::audit::head;
use crate::time::format_rfc3339_millis;
use crate::{Store, StoreError};

/// [`Store::append_signed`] signs a checkpoint once the head is this many
/// records past the newest checkpoint.
pub const CHECKPOINT_EVERY: i64 = 64;

/// The prefix of every signed checkpoint message.
pub const CHECKPOINT_DOMAIN: &[u8] = b"warden-audit-checkpoint-v1\0";

/// A signed statement that the audit record `seq` had hash `hash`.
///
/// The signed message is the byte string
///
/// ```text
/// b"warden-audit-checkpoint-v1\0" ++ seq (8 bytes, big-endian, two's complement)
///                                 ++ hash (64 ASCII hex digits)
///                                 ++ ts   (RFC 3339 ASCII, the rest of the message)
/// ```
///
/// The domain prefix keeps the signature from being valid for anything
/// else signed with the same key; every field but the last has a fixed
/// length, so the encoding is unambiguous.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The record's sequence number.
    pub seq: i64,
    /// The record's hash (64 lowercase hex digits).
    pub hash: String,
    /// When the checkpoint was signed: RFC 3339, UTC, milliseconds.
    pub ts: String,
    /// The Ed25519 signature of [`Checkpoint::message`], 128 lowercase hex
    /// digits.
    pub signature: String,
}

impl Checkpoint {
    /// Signs a checkpoint of record `seq` with hash `hash` at time `ts`.
    pub fn sign(seq: i64, hash: &str, ts: &str, key: &SigningKey) -> Checkpoint {
        let signature = key.sign(&message(seq, hash, ts));
        Checkpoint {
            seq,
            hash: hash.to_owned(),
            ts: ts.to_owned(),
            signature: hex::encode(signature.to_bytes()),
        }
    }

    /// The exact bytes that are signed (see [`Checkpoint`]).
    pub fn message(&self) -> Vec<u8> {
        message(self.seq, &self.hash, &self.ts)
    }

    /// Whether `signature` is a valid (strict) Ed25519 signature of
    /// [`Checkpoint::message`] under `key`. A signature that is not 128
    /// hex digits is invalid.
    pub fn verify(&self, key: &VerifyingKey) -> bool {
        let mut bytes = [0u8; 64];
        if hex::decode_to_slice(&self.signature, &mut bytes).is_err() {
            return false;
        }
        // Strict verification rejects malleable and small-order-key
        // signatures, so a checkpoint has exactly one valid encoding.
        key.verify_strict(&self.message(), &Signature::from_bytes(&bytes))
            .is_ok()
    }
}

/// Builds the signed message for `(seq, hash, ts)`.
fn message(seq: i64, hash: &str, ts: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(CHECKPOINT_DOMAIN.len() + 8 + hash.len() + ts.len());
    out.extend_from_slice(CHECKPOINT_DOMAIN);
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(hash.as_bytes());
    out.extend_from_slice(ts.as_bytes());
    out
}

/// Inserts `checkpoint` into the `checkpoints` table.
fn insert(tx: &Transaction<'_>, checkpoint: &Checkpoint) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO checkpoints (seq, hash, ts, signature) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        checkpoint.seq,
        checkpoint.hash,
        checkpoint.ts,
        checkpoint.signature
    ])?;
    Ok(())
}

/// Within an append's transaction, signs a checkpoint of the new head
/// `(seq, hash)` if it is at least [`CHECKPOINT_EVERY`] records past the
/// newest checkpoint. Counting from the newest checkpoint (rather than
/// checkpointing when `seq` is a multiple) catches up after appends made
/// without a key.
pub(crate) fn auto_checkpoint(
    tx: &Transaction<'_>,
    key: &SigningKey,
    seq: i64,
    hash: &str,
) -> rusqlite::Result<()> {
    let newest: Option<i64> = tx
        .prepare_cached("SELECT max(seq) FROM checkpoints")?
        .query_row([], |row| row.get(0))?;
    if seq.saturating_sub(newest.unwrap_or(0)) >= CHECKPOINT_EVERY {
        let ts = format_rfc3339_millis(SystemTime::now());
        insert(tx, &Checkpoint::sign(seq, hash, &ts, key))?;
    }
    Ok(())
}

/// Reads every checkpoint, in `seq` order.
pub(crate) fn read_all(conn: &rusqlite::Connection) -> rusqlite::Result<Vec<Checkpoint>> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, hash, ts, signature FROM checkpoints ORDER BY seq")?;
    let rows = stmt.query_map([], |row| {
        Ok(Checkpoint {
            seq: row.get(0)?,
            hash: row.get(1)?,
            ts: row.get(2)?,
            signature: row.get(3)?,
        })
    })?;
    rows.collect()
}

impl Store {
    /// Signs a checkpoint of the current head of the audit chain with
    /// `key` and stores it.
    ///
    /// Returns `None`, writing nothing, when the log is empty or its head
    /// is already checkpointed. Runs in one `IMMEDIATE` transaction, so
    /// the head cannot move between reading and signing it.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] on a database error.
    pub fn checkpoint(&self, key: &SigningKey) -> Result<Option<Checkpoint>, StoreError> {
        let tx = Transaction::new_unchecked(self.connection(), TransactionBehavior::Immediate)?;
        let Some((seq, hash)) = head(&tx)? else {
            return Ok(None);
        };
        let done = tx
            .prepare_cached("SELECT 1 FROM checkpoints WHERE seq = ?1")?
            .query_row([seq], |_| Ok(()))
            .optional()?;
        if done.is_some() {
            return Ok(None);
        }
        let ts = format_rfc3339_millis(SystemTime::now());
        let checkpoint = Checkpoint::sign(seq, &hash, &ts, key);
        insert(&tx, &checkpoint)?;
        tx.commit()?;
        Ok(Some(checkpoint))
    }

    /// Every stored checkpoint, in `seq` order, unverified.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] on a database error.
    pub fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError> {
        Ok(read_all(self.connection())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_layout() {
        let hash = "ab".repeat(32);
        let msg = message(258, &hash, "2024-03-01T00:00:00.000Z");
        let mut expected = b"warden-audit-checkpoint-v1\0".to_vec();
        expected.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 2]);
        expected.extend_from_slice(hash.as_bytes());
        expected.extend_from_slice(b"2024-03-01T00:00:00.000Z");
        assert_eq!(msg, expected);
    }

    #[test]
    fn sign_and_verify() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let other = SigningKey::from_bytes(&[4; 32]);
        let cp = Checkpoint::sign(5, &"cd".repeat(32), "2024-03-01T00:00:00.000Z", &key);
        assert_eq!(cp.signature.len(), 128);
        assert!(cp.verify(&key.verifying_key()));
        assert!(!cp.verify(&other.verifying_key()));
        for tampered in [
            Checkpoint {
                seq: 6,
                ..cp.clone()
            },
            Checkpoint {
                hash: "ce".repeat(32),
                ..cp.clone()
            },
            Checkpoint {
                ts: "2024-03-01T00:00:00.001Z".into(),
                ..cp.clone()
            },
            Checkpoint {
                signature: "zz".into(),
                ..cp.clone()
            },
        ] {
            assert!(!tampered.verify(&key.verifying_key()), "{tampered:?}");
        }
    }
}
