//! Session credentials, just-in-time grants, enrolled humans and the
//! assistant configuration entries warden installed, per identity.
//!
//! The credentials themselves are signed tokens (crate `warden-identity`);
//! this table is what the issuer remembers of each: its binding, where it
//! was handed out and whether it was revoked. Revocation takes effect at
//! the next decision, because every decision asks [`Store::revoked_among`].
//!
//! A grant is the short-lived, recorded permission that an `ask` answered
//! yes or an approval yields for one remote write or deploy. The egress
//! proxy's credential broker asks [`Store::grant_covering`] before it
//! injects a real credential.
//!
//! # Schema (migration 5)
//!
//! ```sql
//! CREATE TABLE credentials (
//!     id            TEXT PRIMARY KEY,     -- 32 hex (the token's block id)
//!     parent        TEXT,                 -- the credential it was derived from
//!     agent         TEXT NOT NULL,
//!     human         TEXT NOT NULL,
//!     session_id    TEXT NOT NULL,        -- warden's or the assistant's session id
//!     subagent      TEXT,                 -- the assistant's subagent id, for derived ones
//!     label         TEXT,
//!     repo          TEXT,
//!     task          TEXT,
//!     kinds         TEXT,                 -- JSON array, NULL = every kind
//!     issued_at     TEXT NOT NULL,
//!     expires_at    TEXT NOT NULL,
//!     token         TEXT,                 -- kept only for credentials warden holds for a hook
//!     revoked_at    TEXT,
//!     revoked_by    TEXT,
//!     revoke_reason TEXT
//! ) STRICT;
//! CREATE TABLE grants (
//!     id          TEXT PRIMARY KEY,       -- "grt-" + 10 hex
//!     agent       TEXT NOT NULL,
//!     session_id  TEXT,
//!     credential  TEXT,
//!     tool_use_id TEXT,
//!     source      TEXT NOT NULL,          -- "ask" or "approval:apr-…"
//!     tool        TEXT,                   -- the tool connection it was issued through
//!     kind        TEXT NOT NULL,
//!     classes     TEXT NOT NULL,          -- JSON array
//!     hosts       TEXT NOT NULL,          -- JSON array
//!     summary     TEXT NOT NULL,
//!     issued_at   TEXT NOT NULL,
//!     expires_at  TEXT NOT NULL,
//!     closed_at   TEXT,                   -- the tool call it covered finished
//!     revoked_at  TEXT, revoked_by TEXT, revoke_reason TEXT
//! ) STRICT;
//! CREATE TABLE humans (name TEXT PRIMARY KEY, state TEXT NOT NULL, enrolled_at TEXT NOT NULL,
//!     enrolled_by TEXT NOT NULL, changed_at TEXT, changed_by TEXT) STRICT;
//! CREATE TABLE installs (id INTEGER PRIMARY KEY, agent TEXT NOT NULL, assistant TEXT NOT NULL,
//!     what TEXT NOT NULL, path TEXT NOT NULL, installed_at TEXT NOT NULL, removed_at TEXT) STRICT;
//! -- plus triggers that abort deleting credentials and grants.
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};

use crate::audit::{append_in, json_text, RecordKind};
use crate::registry::{change_record, check_text, one_line};
use crate::time::{format_rfc3339_millis, format_unix_seconds};
use crate::{Store, StoreError};

/// Migration 5: credentials, grants, humans and installs.
pub(crate) fn migrate_5(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE credentials (
             id            TEXT PRIMARY KEY,
             parent        TEXT,
             agent         TEXT NOT NULL,
             human         TEXT NOT NULL,
             session_id    TEXT NOT NULL,
             subagent      TEXT,
             label         TEXT,
             repo          TEXT,
             task          TEXT,
             kinds         TEXT,
             issued_at     TEXT NOT NULL,
             expires_at    TEXT NOT NULL,
             token         TEXT,
             revoked_at    TEXT,
             revoked_by    TEXT,
             revoke_reason TEXT
         ) STRICT;
         CREATE INDEX credentials_session ON credentials (session_id, subagent);
         CREATE INDEX credentials_agent ON credentials (agent);
         CREATE TRIGGER credentials_no_delete BEFORE DELETE ON credentials
         BEGIN SELECT RAISE(ABORT, 'credentials are never deleted'); END;
         CREATE TABLE grants (
             id            TEXT PRIMARY KEY,
             agent         TEXT NOT NULL,
             session_id    TEXT,
             credential    TEXT,
             tool_use_id   TEXT,
             source        TEXT NOT NULL,
             tool          TEXT,
             kind          TEXT NOT NULL,
             classes       TEXT NOT NULL,
             hosts         TEXT NOT NULL,
             summary       TEXT NOT NULL,
             issued_at     TEXT NOT NULL,
             expires_at    TEXT NOT NULL,
             closed_at     TEXT,
             revoked_at    TEXT,
             revoked_by    TEXT,
             revoke_reason TEXT
         ) STRICT;
         CREATE INDEX grants_session ON grants (session_id, expires_at);
         CREATE INDEX grants_agent ON grants (agent);
         CREATE TRIGGER grants_no_delete BEFORE DELETE ON grants
         BEGIN SELECT RAISE(ABORT, 'grants are never deleted'); END;
         CREATE TABLE humans (
             name        TEXT PRIMARY KEY COLLATE NOCASE,
             state       TEXT NOT NULL CHECK (state IN ('active', 'inactive')),
             enrolled_at TEXT NOT NULL,
             enrolled_by TEXT NOT NULL,
             changed_at  TEXT,
             changed_by  TEXT
         ) STRICT;
         CREATE TABLE installs (
             id           INTEGER PRIMARY KEY,
             agent        TEXT NOT NULL,
             assistant    TEXT NOT NULL,
             what         TEXT NOT NULL,
             path         TEXT NOT NULL,
             installed_at TEXT NOT NULL,
             removed_at   TEXT
         ) STRICT;
         CREATE INDEX installs_agent ON installs (agent);",
    )
}

/// Migration 6: a grant from an `ask` is pending until the human confirms
/// it outside the assistant (the assistant's own prompt, and anything
/// that talks to the hook, runs where the assistant runs).
pub(crate) fn migrate_6(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "ALTER TABLE grants ADD COLUMN confirmed_at TEXT;
         ALTER TABLE grants ADD COLUMN confirmed_by TEXT;
         UPDATE grants SET confirmed_at = issued_at WHERE source <> 'ask';",
    )
}

/// A credential to remember, as minted or derived.
#[derive(Debug, Clone, Default)]
pub struct NewCredential {
    /// Its id (the token block's id).
    pub id: String,
    /// The credential it was derived from.
    pub parent: Option<String>,
    /// The agent it was issued to.
    pub agent: String,
    /// The human of the session.
    pub human: String,
    /// The session it belongs to.
    pub session_id: String,
    /// The assistant's id of the subagent it was derived for.
    pub subagent: Option<String>,
    /// The caveat's label (`subagent:Explore`).
    pub label: Option<String>,
    /// The repository it is bound to.
    pub repo: Option<String>,
    /// What the human said the session is for.
    pub task: Option<String>,
    /// The kinds it covers; None is every kind.
    pub kinds: Option<Vec<String>>,
    /// Issue time, Unix seconds.
    pub issued_at: i64,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
    /// The encoded token, when warden keeps it on the holder's behalf (a
    /// hook-started session, whose assistant cannot carry one).
    pub token: Option<String>,
}

/// A credential as the store remembers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialRecord {
    /// Its id.
    pub id: String,
    /// The credential it was derived from.
    pub parent: Option<String>,
    /// The agent it was issued to.
    pub agent: String,
    /// The human of the session.
    pub human: String,
    /// The session it belongs to.
    pub session_id: String,
    /// The subagent it was derived for.
    pub subagent: Option<String>,
    /// The caveat's label.
    pub label: Option<String>,
    /// The repository it is bound to.
    pub repo: Option<String>,
    /// The task.
    pub task: Option<String>,
    /// The kinds it covers; None is every kind.
    pub kinds: Option<Vec<String>>,
    /// When it was issued (RFC 3339).
    pub issued_at: String,
    /// When it expires (RFC 3339).
    pub expires_at: String,
    /// The token, when warden holds it; never printed.
    #[serde(skip_serializing)]
    pub token: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<String>,
    /// Who revoked it.
    pub revoked_by: Option<String>,
    /// Why.
    pub revoke_reason: Option<String>,
}

const CREDENTIAL_COLUMNS: &str = "id, parent, agent, human, session_id, subagent, label, repo, \
     task, kinds, issued_at, expires_at, token, revoked_at, revoked_by, revoke_reason";

fn credential_row(row: &Row<'_>) -> rusqlite::Result<(CredentialRecord, Option<String>)> {
    Ok((
        CredentialRecord {
            id: row.get(0)?,
            parent: row.get(1)?,
            agent: row.get(2)?,
            human: row.get(3)?,
            session_id: row.get(4)?,
            subagent: row.get(5)?,
            label: row.get(6)?,
            repo: row.get(7)?,
            task: row.get(8)?,
            kinds: None,
            issued_at: row.get(10)?,
            expires_at: row.get(11)?,
            token: row.get(12)?,
            revoked_at: row.get(13)?,
            revoked_by: row.get(14)?,
            revoke_reason: row.get(15)?,
        },
        row.get(9)?,
    ))
}

fn finish_credential(
    raw: (CredentialRecord, Option<String>),
) -> Result<CredentialRecord, StoreError> {
    let (mut record, kinds) = raw;
    if let Some(kinds) = kinds {
        record.kinds = Some(
            serde_json::from_str(&kinds).map_err(|e| StoreError::CorruptRow {
                table: "credentials",
                key: record.id.clone(),
                reason: format!("kinds: {e}"),
            })?,
        );
    }
    Ok(record)
}

/// What a new grant covers and why it exists.
#[derive(Debug, Clone, Default)]
pub struct NewGrant {
    /// The agent it is for.
    pub agent: String,
    /// The session it is for.
    pub session_id: Option<String>,
    /// The session credential it hangs off, revoked with it.
    pub credential: Option<String>,
    /// The tool call it covers; finishing that call closes the grant.
    pub tool_use_id: Option<String>,
    /// `ask` or `approval:apr-…`.
    pub source: String,
    /// The tool connection (MCP server, plugin) it was issued through.
    pub tool: Option<String>,
    /// The action kind.
    pub kind: String,
    /// The action's classes (`vcs_push`, `deploy`, …).
    pub classes: Vec<String>,
    /// The destinations it may reach (hosts), for the credential broker.
    pub hosts: Vec<String>,
    /// A redacted one-line description of the action.
    pub summary: String,
    /// How long it lasts.
    pub ttl: Duration,
}

/// A just-in-time grant as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// `grt-` and ten hex digits.
    pub id: String,
    /// The agent it is for.
    pub agent: String,
    /// The session it is for.
    pub session_id: Option<String>,
    /// The session credential it hangs off.
    pub credential: Option<String>,
    /// The tool call it covers.
    pub tool_use_id: Option<String>,
    /// `ask` or `approval:apr-…`.
    pub source: String,
    /// The tool connection it was issued through.
    pub tool: Option<String>,
    /// The action kind.
    pub kind: String,
    /// The action's classes.
    pub classes: Vec<String>,
    /// The hosts it covers.
    pub hosts: Vec<String>,
    /// What it was issued for.
    pub summary: String,
    /// Issue time (RFC 3339).
    pub issued_at: String,
    /// Expiry (RFC 3339).
    pub expires_at: String,
    /// When the tool call it covered finished.
    pub closed_at: Option<String>,
    /// When it became usable: at issue for an approval's grant; for an
    /// ask's, when the human confirmed it (`warden grants confirm`).
    pub confirmed_at: Option<String>,
    /// Who confirmed it.
    pub confirmed_by: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<String>,
    /// Who revoked it.
    pub revoked_by: Option<String>,
    /// Why.
    pub revoke_reason: Option<String>,
}

impl Grant {
    /// Whether it can still be used at `now` (RFC 3339 millis compare as
    /// text).
    pub fn is_live_at(&self, now: &str) -> bool {
        self.confirmed_at.is_some()
            && self.closed_at.is_none()
            && self.revoked_at.is_none()
            && self.expires_at.as_str() > now
    }
}

const GRANT_COLUMNS: &str = "id, agent, session_id, credential, tool_use_id, source, tool, kind, \
     classes, hosts, summary, issued_at, expires_at, closed_at, revoked_at, revoked_by, \
     revoke_reason, confirmed_at, confirmed_by";

fn grant_row(row: &Row<'_>) -> rusqlite::Result<(Grant, String, String)> {
    Ok((
        Grant {
            id: row.get(0)?,
            agent: row.get(1)?,
            session_id: row.get(2)?,
            credential: row.get(3)?,
            tool_use_id: row.get(4)?,
            source: row.get(5)?,
            tool: row.get(6)?,
            kind: row.get(7)?,
            classes: Vec::new(),
            hosts: Vec::new(),
            summary: row.get(10)?,
            issued_at: row.get(11)?,
            expires_at: row.get(12)?,
            closed_at: row.get(13)?,
            revoked_at: row.get(14)?,
            revoked_by: row.get(15)?,
            revoke_reason: row.get(16)?,
            confirmed_at: row.get(17)?,
            confirmed_by: row.get(18)?,
        },
        row.get(8)?,
        row.get(9)?,
    ))
}

fn finish_grant(raw: (Grant, String, String)) -> Result<Grant, StoreError> {
    let (mut grant, classes, hosts) = raw;
    let corrupt = |field: &str, e: serde_json::Error| StoreError::CorruptRow {
        table: "grants",
        key: grant.id.clone(),
        reason: format!("{field}: {e}"),
    };
    let classes = serde_json::from_str(&classes).map_err(|e| corrupt("classes", e))?;
    let hosts = serde_json::from_str(&hosts).map_err(|e| corrupt("hosts", e))?;
    grant.classes = classes;
    grant.hosts = hosts;
    Ok(grant)
}

/// An enrolled human: a source of identity and a possible owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Human {
    /// Email address or user name.
    pub name: String,
    /// `active` or `inactive` (left the team, on leave).
    pub state: String,
    /// When enrolled.
    pub enrolled_at: String,
    /// Who enrolled them.
    pub enrolled_by: String,
}

/// An assistant configuration entry warden wrote for an identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Install {
    /// Row id.
    pub id: i64,
    /// The identity it was installed for.
    pub agent: String,
    /// The assistant (`claude-code`).
    pub assistant: String,
    /// What: `hook` or `mcp:NAME`.
    pub what: String,
    /// The configuration file.
    pub path: String,
    /// When.
    pub installed_at: String,
}

fn grant_id() -> Result<String, StoreError> {
    let mut bytes = [0u8; 5];
    getrandom::fill(&mut bytes).map_err(StoreError::Random)?;
    Ok(format!("grt-{}", hex::encode(bytes)))
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Revokes every live credential and grant of `agent` inside `tx`;
/// returns (credentials, grants) revoked. Used by offboarding, in its
/// transaction.
pub(crate) fn revoke_agent_in(
    tx: &Connection,
    agent: &str,
    actor: &str,
    reason: &str,
    now: &str,
) -> Result<(usize, usize), StoreError> {
    let credentials = tx
        .prepare_cached(
            "UPDATE credentials SET revoked_at = ?1, revoked_by = ?2, revoke_reason = ?3
             WHERE agent = ?4 AND revoked_at IS NULL",
        )?
        .execute(params![now, actor, reason, agent])?;
    let grants = tx
        .prepare_cached(
            "UPDATE grants SET revoked_at = ?1, revoked_by = ?2, revoke_reason = ?3
             WHERE agent = ?4 AND revoked_at IS NULL AND closed_at IS NULL",
        )?
        .execute(params![now, actor, reason, agent])?;
    Ok((credentials, grants))
}

/// Revokes every live grant issued through tool connection `tool`.
pub(crate) fn revoke_tool_grants_in(
    tx: &Connection,
    tool: &str,
    actor: &str,
    reason: &str,
    now: &str,
) -> Result<usize, StoreError> {
    Ok(tx
        .prepare_cached(
            "UPDATE grants SET revoked_at = ?1, revoked_by = ?2, revoke_reason = ?3
             WHERE tool = ?4 AND revoked_at IS NULL AND closed_at IS NULL",
        )?
        .execute(params![now, actor, reason, tool])?)
}

impl Store {
    /// Remembers a minted or derived credential and records its issue.
    ///
    /// # Errors
    /// [`StoreError::InvalidInput`] for a blank id, agent, human or
    /// session; [`StoreError::Sqlite`] otherwise (nothing written).
    pub fn record_credential(&self, new: &NewCredential) -> Result<CredentialRecord, StoreError> {
        check_text("credential id", &new.id)?;
        let agent = check_text("agent", &new.agent)?;
        let human = check_text("human", &new.human)?;
        let session = check_text("session", &new.session_id)?;
        let kinds = new.kinds.as_ref().map(json_text).transpose()?;
        let issued_at = format_unix_seconds(new.issued_at);
        let expires_at = format_unix_seconds(new.expires_at);
        let tx = self.write_tx()?;
        tx.prepare_cached(&format!(
            "INSERT INTO credentials ({CREDENTIAL_COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, NULL, NULL, NULL)"
        ))?
        .execute(params![
            new.id,
            new.parent,
            agent,
            human,
            session,
            new.subagent,
            new.label,
            new.repo,
            new.task,
            kinds,
            issued_at,
            expires_at,
            new.token,
        ])?;
        let stored = require_credential(&tx, &new.id)?;
        let what = match &stored.label {
            Some(label) => format!("credential {} derived for {label}", stored.id),
            None => format!("session credential {} issued", stored.id),
        };
        let summary = format!(
            "{what} to {agent} for {human}, session {session}, repo {}, expires {}",
            stored.repo.as_deref().unwrap_or("(none)"),
            stored.expires_at
        );
        let mut record = change_record(
            RecordKind::Credential,
            one_line(&summary),
            Some(human),
            &stored,
        )?;
        record.agent = Some(agent.to_owned());
        record.session_id = Some(session.to_owned());
        append_in(&tx, &record, self.signing_key())?;
        tx.commit()?;
        Ok(stored)
    }

    /// The credential with this id.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] or [`StoreError::CorruptRow`].
    pub fn credential(&self, id: &str) -> Result<Option<CredentialRecord>, StoreError> {
        load_credential(self.connection(), id)
    }

    /// The newest unrevoked credential warden holds for an assistant
    /// session (and subagent), with its token.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] or [`StoreError::CorruptRow`].
    pub fn held_credential(
        &self,
        session_id: &str,
        subagent: Option<&str>,
    ) -> Result<Option<CredentialRecord>, StoreError> {
        let raw = self
            .connection()
            .prepare_cached(&format!(
                "SELECT {CREDENTIAL_COLUMNS} FROM credentials
                 WHERE session_id = ?1 AND subagent IS ?2 AND token IS NOT NULL
                 ORDER BY issued_at DESC, rowid DESC LIMIT 1"
            ))?
            .query_row(params![session_id, subagent], credential_row)
            .optional()?;
        raw.map(finish_credential).transpose()
    }

    /// Credentials, newest first, optionally only one agent's.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] or [`StoreError::CorruptRow`].
    pub fn credentials(&self, agent: Option<&str>) -> Result<Vec<CredentialRecord>, StoreError> {
        let mut statement = self.connection().prepare_cached(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM credentials
             WHERE ?1 IS NULL OR agent = ?1 ORDER BY issued_at DESC, rowid DESC"
        ))?;
        let rows = statement
            .query_map(params![agent], credential_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(finish_credential).collect()
    }

    /// The first of `ids` that is revoked, with the reason, if any. This
    /// is the per-decision revocation check: one indexed lookup per id.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`].
    pub fn revoked_among(&self, ids: &[String]) -> Result<Option<(String, String)>, StoreError> {
        let mut statement = self.connection().prepare_cached(
            "SELECT revoked_at, revoked_by, revoke_reason FROM credentials WHERE id = ?1",
        )?;
        for id in ids {
            let row: Option<(Option<String>, Option<String>, Option<String>)> = statement
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            match row {
                // Every credential warden issues is remembered; one it does
                // not know was not issued by this store.
                None => return Ok(Some((id.clone(), "it was never issued here".to_owned()))),
                Some((Some(at), by, reason)) => {
                    return Ok(Some((
                        id.clone(),
                        format!(
                            "revoked {at} by {}: {}",
                            by.as_deref().unwrap_or("?"),
                            reason.as_deref().unwrap_or("no reason given")
                        ),
                    )))
                }
                Some((None, _, _)) => {}
            }
        }
        Ok(None)
    }

    /// Revokes one credential (and so everything derived from it).
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::InvalidInput`] for a blank
    /// actor, [`StoreError::Sqlite`].
    pub fn revoke_credential(
        &self,
        id: &str,
        actor: &str,
        reason: &str,
    ) -> Result<CredentialRecord, StoreError> {
        let actor = check_text("actor", actor)?;
        let now = format_rfc3339_millis(SystemTime::now());
        let tx = self.write_tx()?;
        let current = require_credential(&tx, id)?;
        if current.revoked_at.is_none() {
            // The credential and everything derived from it, with their
            // grants.
            let family = "WITH RECURSIVE family(id) AS (
                    SELECT ?4 UNION SELECT c.id FROM credentials c JOIN family f ON c.parent = f.id)";
            tx.prepare_cached(&format!(
                "{family} UPDATE credentials SET revoked_at = ?1, revoked_by = ?2,
                     revoke_reason = ?3
                 WHERE id IN (SELECT id FROM family) AND revoked_at IS NULL"
            ))?
            .execute(params![now, actor, reason, id])?;
            tx.prepare_cached(&format!(
                "{family} UPDATE grants SET revoked_at = ?1, revoked_by = ?2, revoke_reason = ?3
                 WHERE credential IN (SELECT id FROM family) AND revoked_at IS NULL
                     AND closed_at IS NULL"
            ))?
            .execute(params![now, actor, reason, id])?;
        }
        let stored = require_credential(&tx, id)?;
        let summary = format!(
            "credential {id} of {} revoked by {actor}: {}",
            stored.agent,
            one_line(reason)
        );
        let mut record = change_record(RecordKind::Credential, summary, Some(actor), &stored)?;
        record.agent = Some(stored.agent.clone());
        record.session_id = Some(stored.session_id.clone());
        append_in(&tx, &record, self.signing_key())?;
        tx.commit()?;
        Ok(stored)
    }

    /// Who revoked a credential of this session other than warden itself at
    /// session end, and why; a new SessionStart must not undo it.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`].
    pub fn session_revoked_by_someone(
        &self,
        session_id: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        Ok(self
            .connection()
            .prepare_cached(
                "SELECT revoked_by, coalesce(revoke_reason, '') FROM credentials
                 WHERE session_id = ?1 AND revoked_at IS NOT NULL
                     AND revoked_by IS NOT NULL AND revoked_by <> 'warden'
                 ORDER BY revoked_at DESC LIMIT 1",
            )?
            .query_row([session_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// Who revoked the credential held for a session's subagent, and why.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`].
    pub fn subagent_revoked(
        &self,
        session_id: &str,
        subagent: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        Ok(self
            .connection()
            .prepare_cached(
                "SELECT coalesce(revoked_by, '?'), coalesce(revoke_reason, '') FROM credentials
                 WHERE session_id = ?1 AND subagent = ?2 AND revoked_at IS NOT NULL
                 ORDER BY revoked_at DESC LIMIT 1",
            )?
            .query_row(params![session_id, subagent], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    /// Revokes the credentials warden held for an assistant session once
    /// it ended (derived ones included); returns how many.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`].
    pub fn end_session_credentials(&self, session_id: &str) -> Result<usize, StoreError> {
        let live: i64 = self
            .connection()
            .prepare_cached(
                "SELECT count(*) FROM credentials
                 WHERE session_id = ?1 AND token IS NOT NULL AND revoked_at IS NULL",
            )?
            .query_row([session_id], |r| r.get(0))?;
        if live == 0 {
            return Ok(0);
        }
        let now = format_rfc3339_millis(SystemTime::now());
        let tx = self.write_tx()?;
        let revoked = tx
            .prepare_cached(
                "UPDATE credentials SET revoked_at = ?1, revoked_by = 'warden',
                     revoke_reason = 'the session ended'
                 WHERE session_id = ?2 AND token IS NOT NULL AND revoked_at IS NULL",
            )?
            .execute(params![now, session_id])?;
        let mut record = change_record(
            RecordKind::Credential,
            format!(
                "{revoked} credential(s) of session {} revoked: the session ended",
                one_line(session_id)
            ),
            None,
            &serde_json::json!({ "session_id": session_id, "revoked": revoked }),
        )?;
        record.session_id = Some(session_id.to_owned());
        append_in(&tx, &record, self.signing_key())?;
        tx.commit()?;
        Ok(revoked)
    }

    /// Issues a grant valid for `ttl` and records it.
    ///
    /// # Errors
    /// [`StoreError::InvalidInput`] for a blank agent, kind or source or a
    /// zero ttl; [`StoreError::Sqlite`].
    pub fn issue_grant(&self, new: &NewGrant) -> Result<Grant, StoreError> {
        let agent = check_text("agent", &new.agent)?;
        let kind = check_text("kind", &new.kind)?;
        let source = check_text("source", &new.source)?;
        if new.ttl.is_zero() {
            return Err(StoreError::InvalidInput {
                field: "ttl",
                reason: "must be longer than zero".into(),
            });
        }
        let now = SystemTime::now();
        let expires = now
            .checked_add(new.ttl)
            .ok_or_else(|| StoreError::InvalidInput {
                field: "ttl",
                reason: "not a representable time".into(),
            })?;
        let tx = self.write_tx()?;
        let id = grant_id()?;
        tx.prepare_cached(&format!(
            "INSERT INTO grants ({GRANT_COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, NULL, NULL, NULL, NULL,
                     ?14, ?15)"
        ))?
        .execute(params![
            id,
            agent,
            new.session_id,
            new.credential,
            new.tool_use_id,
            source,
            new.tool,
            kind,
            json_text(&new.classes)?,
            json_text(&new.hosts)?,
            one_line(&new.summary),
            format_rfc3339_millis(now),
            format_rfc3339_millis(expires),
            // An approval was given outside the assistant; an ask was
            // answered inside it, so it waits for the human's confirmation.
            (source != "ask").then(|| format_rfc3339_millis(now)),
            (source != "ask").then(|| source.to_owned()),
        ])?;
        let stored = require_grant(&tx, &id)?;
        let summary = format!(
            "grant {id} issued to {agent} ({source}{}) for {}, expires {}",
            if stored.confirmed_at.is_none() {
                ", pending the human's confirmation"
            } else {
                ""
            },
            stored.summary,
            stored.expires_at
        );
        let mut record = change_record(RecordKind::Grant, one_line(&summary), None, &stored)?;
        record.agent = Some(agent.to_owned());
        record.session_id = new.session_id.clone();
        record.tool_use_id = new.tool_use_id.clone();
        append_in(&tx, &record, self.signing_key())?;
        tx.commit()?;
        Ok(stored)
    }

    /// Closes the live grants covering one tool call, once it finished.
    /// Returns how many were closed; nothing is written when none was.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`].
    pub fn close_grants(&self, session_id: &str, tool_use_id: &str) -> Result<usize, StoreError> {
        // Most tool calls have no grant: look before taking the write lock.
        let open: i64 = self
            .connection()
            .prepare_cached(
                "SELECT count(*) FROM grants
                 WHERE session_id = ?1 AND tool_use_id = ?2 AND closed_at IS NULL",
            )?
            .query_row(params![session_id, tool_use_id], |r| r.get(0))?;
        if open == 0 {
            return Ok(0);
        }
        let now = format_rfc3339_millis(SystemTime::now());
        let tx = self.write_tx()?;
        let closed = tx
            .prepare_cached(
                "UPDATE grants SET closed_at = ?1
                 WHERE session_id = ?2 AND tool_use_id = ?3 AND closed_at IS NULL
                     AND revoked_at IS NULL",
            )?
            .execute(params![now, session_id, tool_use_id])?;
        if closed > 0 {
            let mut record = change_record(
                RecordKind::Grant,
                format!(
                    "{closed} grant(s) closed: tool call {} finished",
                    one_line(tool_use_id)
                ),
                None,
                &serde_json::json!({ "session_id": session_id, "tool_use_id": tool_use_id }),
            )?;
            record.session_id = Some(session_id.to_owned());
            record.tool_use_id = Some(tool_use_id.to_owned());
            append_in(&tx, &record, self.signing_key())?;
            tx.commit()?;
        }
        Ok(closed)
    }

    /// Grants, newest first; only live ones unless `all`.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] or [`StoreError::CorruptRow`].
    pub fn grants(&self, all: bool) -> Result<Vec<Grant>, StoreError> {
        let now = format_rfc3339_millis(SystemTime::now());
        let mut statement = self.connection().prepare_cached(&format!(
            "SELECT {GRANT_COLUMNS} FROM grants ORDER BY issued_at DESC, rowid DESC"
        ))?;
        let rows = statement
            .query_map([], grant_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let grants: Vec<Grant> = rows
            .into_iter()
            .map(finish_grant)
            .collect::<Result<_, _>>()?;
        // Without `all`: the live ones and those pending confirmation.
        Ok(grants
            .into_iter()
            .filter(|g| {
                all || (g.closed_at.is_none()
                    && g.revoked_at.is_none()
                    && g.expires_at.as_str() > now.as_str())
            })
            .collect())
    }

    /// The broker's question: a live grant for `session_id` that covers
    /// `host` (exactly, or `*.suffix`) and, when given, `class`.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] or [`StoreError::CorruptRow`].
    pub fn grant_covering(
        &self,
        session_id: &str,
        host: &str,
        class: Option<&str>,
    ) -> Result<Option<Grant>, StoreError> {
        let now = format_rfc3339_millis(SystemTime::now());
        let mut statement = self.connection().prepare_cached(&format!(
            "SELECT {GRANT_COLUMNS} FROM grants
             WHERE session_id = ?1 AND expires_at > ?2 AND closed_at IS NULL
                 AND revoked_at IS NULL AND confirmed_at IS NOT NULL
                 AND (credential IS NULL OR credential NOT IN
                      (SELECT id FROM credentials WHERE revoked_at IS NOT NULL))
             ORDER BY expires_at"
        ))?;
        let rows = statement
            .query_map(params![session_id, now], grant_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let host = host.to_ascii_lowercase();
        for raw in rows {
            let grant = finish_grant(raw)?;
            let host_ok = grant.hosts.iter().any(|h| {
                let h = h.to_ascii_lowercase();
                h == host
                    || h.strip_prefix("*.")
                        .is_some_and(|s| host.ends_with(&format!(".{s}")))
            });
            let class_ok = class.is_none_or(|c| grant.classes.iter().any(|g| g == c));
            if host_ok && class_ok {
                return Ok(Some(grant));
            }
        }
        Ok(None)
    }

    /// Confirms a pending grant from an `ask`: the human says, outside the
    /// assistant, that the action they allowed may use a brokered
    /// credential. Recorded.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::InvalidInput`] when it is
    /// not pending (already confirmed, revoked, closed or expired) or the
    /// actor is blank; [`StoreError::Sqlite`].
    pub fn confirm_grant(&self, id: &str, actor: &str) -> Result<Grant, StoreError> {
        let actor = check_text("actor", actor)?;
        let now = format_rfc3339_millis(SystemTime::now());
        let tx = self.write_tx()?;
        let current = require_grant(&tx, id)?;
        if current.confirmed_at.is_some()
            || current.revoked_at.is_some()
            || current.closed_at.is_some()
            || current.expires_at.as_str() <= now.as_str()
        {
            return Err(StoreError::InvalidInput {
                field: "grant",
                reason: format!("{id} is not pending (confirmed, revoked, closed or expired)"),
            });
        }
        tx.prepare_cached("UPDATE grants SET confirmed_at = ?1, confirmed_by = ?2 WHERE id = ?3")?
            .execute(params![now, actor, id])?;
        let stored = require_grant(&tx, id)?;
        let summary = format!("grant {id} confirmed by {actor}: {}", stored.summary);
        let mut record =
            change_record(RecordKind::Grant, one_line(&summary), Some(actor), &stored)?;
        record.agent = Some(stored.agent.clone());
        record.session_id = stored.session_id.clone();
        append_in(&tx, &record, self.signing_key())?;
        tx.commit()?;
        Ok(stored)
    }

    /// Revokes one grant.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::InvalidInput`],
    /// [`StoreError::Sqlite`].
    pub fn revoke_grant(&self, id: &str, actor: &str, reason: &str) -> Result<Grant, StoreError> {
        let actor = check_text("actor", actor)?;
        let now = format_rfc3339_millis(SystemTime::now());
        let tx = self.write_tx()?;
        require_grant(&tx, id)?;
        tx.prepare_cached(
            "UPDATE grants SET revoked_at = ?1, revoked_by = ?2, revoke_reason = ?3
             WHERE id = ?4 AND revoked_at IS NULL",
        )?
        .execute(params![now, actor, reason, id])?;
        let stored = require_grant(&tx, id)?;
        let summary = format!("grant {id} revoked by {actor}: {}", one_line(reason));
        let mut record = change_record(RecordKind::Grant, summary, Some(actor), &stored)?;
        record.agent = Some(stored.agent.clone());
        append_in(&tx, &record, self.signing_key())?;
        tx.commit()?;
        Ok(stored)
    }

    /// Enrolls a human (or reactivates one), recorded.
    ///
    /// # Errors
    /// [`StoreError::InvalidInput`], [`StoreError::Sqlite`].
    pub fn enroll_human(&self, name: &str, actor: &str) -> Result<Human, StoreError> {
        self.set_human(name, "active", actor)
    }

    /// Marks a human inactive: they stay in the history, and identities
    /// they own show up in the owner report.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::InvalidInput`],
    /// [`StoreError::Sqlite`].
    pub fn deactivate_human(&self, name: &str, actor: &str) -> Result<Human, StoreError> {
        if self.human(name)?.is_none() {
            return Err(StoreError::NotFound {
                what: "human",
                id: name.to_owned(),
            });
        }
        self.set_human(name, "inactive", actor)
    }

    fn set_human(&self, name: &str, state: &str, actor: &str) -> Result<Human, StoreError> {
        let name = check_text("human", name)?;
        let actor = check_text("actor", actor)?;
        let now = format_rfc3339_millis(SystemTime::now());
        let tx = self.write_tx()?;
        tx.prepare_cached(
            "INSERT INTO humans (name, state, enrolled_at, enrolled_by) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (name) DO UPDATE SET state = ?2, changed_at = ?3, changed_by = ?4",
        )?
        .execute(params![name, state, now, actor])?;
        let stored = load_human(&tx, name)?.ok_or_else(|| StoreError::NotFound {
            what: "human",
            id: name.to_owned(),
        })?;
        let summary = format!("human {name} is {state} (by {actor})");
        let record = change_record(
            RecordKind::Registry,
            one_line(&summary),
            Some(actor),
            &stored,
        )?;
        append_in(&tx, &record, self.signing_key())?;
        tx.commit()?;
        Ok(stored)
    }

    /// The enrolled human with this name (case-insensitive).
    ///
    /// # Errors
    /// [`StoreError::Sqlite`].
    pub fn human(&self, name: &str) -> Result<Option<Human>, StoreError> {
        load_human(self.connection(), name.trim())
    }

    /// Every enrolled human.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`].
    pub fn humans(&self) -> Result<Vec<Human>, StoreError> {
        let mut statement = self.connection().prepare_cached(
            "SELECT name, state, enrolled_at, enrolled_by FROM humans ORDER BY name",
        )?;
        let rows = statement
            .query_map([], human_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Remembers a configuration entry written for `agent`, recorded.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`].
    pub fn record_install(
        &self,
        agent: &str,
        assistant: &str,
        what: &str,
        path: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        let now = format_rfc3339_millis(SystemTime::now());
        let tx = self.write_tx()?;
        let existing: Option<i64> = tx
            .prepare_cached(
                "SELECT id FROM installs WHERE agent = ?1 AND assistant = ?2 AND what = ?3
                 AND path = ?4 AND removed_at IS NULL",
            )?
            .query_row(params![agent, assistant, what, path], |r| r.get(0))
            .optional()?;
        if existing.is_some() {
            return Ok(());
        }
        tx.prepare_cached(
            "INSERT INTO installs (agent, assistant, what, path, installed_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![agent, assistant, what, path, now])?;
        let mut record = change_record(
            RecordKind::Registry,
            one_line(&format!(
                "{assistant} {what} installed for {agent} in {path}"
            )),
            Some(actor),
            &serde_json::json!({ "agent": agent, "assistant": assistant, "what": what, "path": path }),
        )?;
        record.agent = Some(agent.to_owned());
        append_in(&tx, &record, self.signing_key())?;
        tx.commit()?;
        Ok(())
    }

    /// The live configuration entries warden installed for `agent`.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`].
    pub fn installs(&self, agent: &str) -> Result<Vec<Install>, StoreError> {
        let mut statement = self.connection().prepare_cached(
            "SELECT id, agent, assistant, what, path, installed_at FROM installs
             WHERE agent = ?1 AND removed_at IS NULL ORDER BY id",
        )?;
        let rows = statement
            .query_map([agent], |r| {
                Ok(Install {
                    id: r.get(0)?,
                    agent: r.get(1)?,
                    assistant: r.get(2)?,
                    what: r.get(3)?,
                    path: r.get(4)?,
                    installed_at: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Marks an install removed (its entry was taken out of the file),
    /// recorded.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`].
    pub fn mark_uninstalled(&self, install: &Install, actor: &str) -> Result<(), StoreError> {
        let now = format_rfc3339_millis(SystemTime::now());
        let tx = self.write_tx()?;
        tx.prepare_cached("UPDATE installs SET removed_at = ?1 WHERE id = ?2")?
            .execute(params![now, install.id])?;
        let mut record = change_record(
            RecordKind::Registry,
            one_line(&format!(
                "{} {} removed for {} from {}",
                install.assistant, install.what, install.agent, install.path
            )),
            Some(actor),
            install,
        )?;
        record.agent = Some(install.agent.clone());
        append_in(&tx, &record, self.signing_key())?;
        tx.commit()?;
        Ok(())
    }

    /// The current time as the store writes it, for callers comparing
    /// with stored times.
    pub fn now_text() -> String {
        format_rfc3339_millis(SystemTime::now())
    }

    /// Seconds since the Unix epoch now.
    pub fn unix_now() -> i64 {
        unix_now()
    }
}

fn human_row(r: &Row<'_>) -> rusqlite::Result<Human> {
    Ok(Human {
        name: r.get(0)?,
        state: r.get(1)?,
        enrolled_at: r.get(2)?,
        enrolled_by: r.get(3)?,
    })
}

fn load_human(conn: &Connection, name: &str) -> Result<Option<Human>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT name, state, enrolled_at, enrolled_by FROM humans WHERE name = ?1")?
        .query_row([name], human_row)
        .optional()?)
}

fn load_credential(conn: &Connection, id: &str) -> Result<Option<CredentialRecord>, StoreError> {
    let raw = conn
        .prepare_cached(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE id = ?1"
        ))?
        .query_row([id], credential_row)
        .optional()?;
    raw.map(finish_credential).transpose()
}

fn require_credential(conn: &Connection, id: &str) -> Result<CredentialRecord, StoreError> {
    load_credential(conn, id)?.ok_or_else(|| StoreError::NotFound {
        what: "credential",
        id: id.to_owned(),
    })
}

fn require_grant(conn: &Connection, id: &str) -> Result<Grant, StoreError> {
    let raw = conn
        .prepare_cached(&format!("SELECT {GRANT_COLUMNS} FROM grants WHERE id = ?1"))?
        .query_row([id], grant_row)
        .optional()?;
    raw.map(finish_grant)
        .transpose()?
        .ok_or_else(|| StoreError::NotFound {
            what: "grant",
            id: id.to_owned(),
        })
}
