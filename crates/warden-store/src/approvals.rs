//! Approval requests: a human other than the requester (and, where policy
//! demands it, other than the agent's owner) grants an action a bounded
//! number of uses within a bounded time.
//!
//! A request moves through
//!
//! ```text
//! pending ──approve──▶ approved ──consume × uses──▶ used
//!    │                    │
//!    ├──deny──▶ denied    └──(expires_at passes)──▶ expired
//!    └──(expires_at passes)──▶ expired
//! ```
//!
//! Every step is committed together with its audit record (kind
//! [`RecordKind::Approval`]) in one `BEGIN IMMEDIATE` transaction. Expiry
//! is lazy: a request past its `expires_at` is treated as expired at once
//! (it can be neither approved, denied nor consumed), and its status is
//! set to `expired`, with its record, the next time [`Store::approvals`],
//! [`Store::approve`] or [`Store::deny_approval`] looks at it.
//!
//! # Schema (migration 4)
//!
//! ```sql
//! CREATE TABLE approvals (
//!     id                TEXT PRIMARY KEY,       -- "apr-" + 10 lowercase hex
//!     fingerprint       TEXT NOT NULL CHECK (fingerprint <> ''),
//!     agent             TEXT NOT NULL,
//!     session_id        TEXT,
//!     requester         TEXT,
//!     summary           TEXT NOT NULL,
//!     policies          TEXT NOT NULL,          -- JSON array of strings
//!     reasons           TEXT NOT NULL,          -- JSON array of strings
//!     created_at        TEXT NOT NULL,
//!     expires_at        TEXT NOT NULL,
//!     status            TEXT NOT NULL
//!         CHECK (status IN ('pending', 'approved', 'denied', 'used', 'expired')),
//!     approver          TEXT,
//!     decided_at        TEXT,
//!     decision_reason   TEXT,
//!     uses_left         INTEGER NOT NULL CHECK (uses_left >= 0),
//!     owner_must_differ INTEGER NOT NULL CHECK (owner_must_differ IN (0, 1))
//! ) STRICT;
//! CREATE INDEX approvals_fingerprint ON approvals (fingerprint, status);
//! CREATE INDEX approvals_due ON approvals (status, expires_at);
//! -- plus a trigger that aborts deleting approvals.
//! ```
//!
//! `agent` is deliberately not a foreign key: approvals also serve
//! assistants that were never registered.

use std::fmt;
use std::time::{Duration, SystemTime};

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};

use crate::audit::{append_in, json_text, RecordKind};
use crate::registry::{change_record, check_text, one_line, optional_text, same_person};
use crate::time::format_rfc3339_millis;
use crate::{Store, StoreError};

/// Migration 4: the `approvals` table.
pub(crate) fn migrate_4(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE approvals (
             id                TEXT PRIMARY KEY,
             fingerprint       TEXT NOT NULL CHECK (fingerprint <> ''),
             agent             TEXT NOT NULL,
             session_id        TEXT,
             requester         TEXT,
             summary           TEXT NOT NULL,
             policies          TEXT NOT NULL,
             reasons           TEXT NOT NULL,
             created_at        TEXT NOT NULL,
             expires_at        TEXT NOT NULL,
             status            TEXT NOT NULL
                 CHECK (status IN ('pending', 'approved', 'denied', 'used', 'expired')),
             approver          TEXT,
             decided_at        TEXT,
             decision_reason   TEXT,
             uses_left         INTEGER NOT NULL CHECK (uses_left >= 0),
             owner_must_differ INTEGER NOT NULL CHECK (owner_must_differ IN (0, 1))
         ) STRICT;
         CREATE INDEX approvals_fingerprint ON approvals (fingerprint, status);
         CREATE INDEX approvals_due ON approvals (status, expires_at);
         CREATE TRIGGER approvals_no_delete BEFORE DELETE ON approvals
         BEGIN SELECT RAISE(ABORT, 'approvals are never deleted'); END;",
    )
}

/// Where an approval request is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApprovalStatus {
    /// Waiting for a decision.
    Pending,
    /// Granted, with uses left.
    Approved,
    /// Refused.
    Denied,
    /// Granted, and every use consumed.
    Used,
    /// Its time ran out before it was decided or used up.
    Expired,
}

impl ApprovalStatus {
    /// Every status, in declaration order.
    pub const ALL: [ApprovalStatus; 5] = [
        ApprovalStatus::Pending,
        ApprovalStatus::Approved,
        ApprovalStatus::Denied,
        ApprovalStatus::Used,
        ApprovalStatus::Expired,
    ];

    /// The name used in JSON and in the database (`"pending"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalStatus::Pending => "pending",
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Denied => "denied",
            ApprovalStatus::Used => "used",
            ApprovalStatus::Expired => "expired",
        }
    }

    /// The status named `name` (exactly as [`ApprovalStatus::as_str`]
    /// spells it).
    pub fn parse(name: &str) -> Option<ApprovalStatus> {
        ApprovalStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for ApprovalStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, not `write_str`, so that width and alignment (`{:<10}`) apply.
        f.pad(self.as_str())
    }
}

/// An approval to request (see [`Store::request_approval`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApproval {
    /// Identifies the action: the caller's hash of the agent, the session
    /// and the normalized action. Requests and uses are matched by it.
    pub fingerprint: String,
    /// The assistant identity that wants to act.
    pub agent: String,
    /// The assistant's session.
    pub session_id: Option<String>,
    /// The session's human, who may not approve the request.
    pub requester: Option<String>,
    /// The action, already redacted (it is stored and audited verbatim).
    pub summary: String,
    /// The policies that asked for approval.
    pub policies: Vec<String>,
    /// Why they did.
    pub reasons: Vec<String>,
    /// How long the request (and, once granted, the approval) lasts.
    pub ttl: Duration,
    /// How many times the approved action may run; at least 1.
    pub uses: u32,
    /// Whether the approver must be someone other than the agent's
    /// registered owner and deputy.
    pub owner_must_differ: bool,
}

/// An approval request as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// `"apr-"` followed by 10 random lowercase hex digits.
    pub id: String,
    /// See [`NewApproval::fingerprint`].
    pub fingerprint: String,
    /// See [`NewApproval::agent`].
    pub agent: String,
    /// See [`NewApproval::session_id`].
    pub session_id: Option<String>,
    /// See [`NewApproval::requester`].
    pub requester: Option<String>,
    /// See [`NewApproval::summary`].
    pub summary: String,
    /// See [`NewApproval::policies`].
    pub policies: Vec<String>,
    /// See [`NewApproval::reasons`].
    pub reasons: Vec<String>,
    /// When it was requested: RFC 3339, UTC, milliseconds.
    pub created_at: String,
    /// When it stops being valid (`created_at` + ttl), same format.
    pub expires_at: String,
    /// Where it is in its life. May still read `pending` or `approved`
    /// after `expires_at` until expiry is recorded (see the module docs).
    pub status: ApprovalStatus,
    /// Who approved or denied it.
    pub approver: Option<String>,
    /// When it was approved or denied.
    pub decided_at: Option<String>,
    /// Why it was denied, if the approver said.
    pub decision_reason: Option<String>,
    /// How many more times the action may run (0 once used up).
    pub uses_left: u32,
    /// See [`NewApproval::owner_must_differ`].
    pub owner_must_differ: bool,
}

impl Approval {
    /// Whether `expires_at` has passed at `now`.
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        self.expires_at <= format_rfc3339_millis(now)
    }
}

/// The columns of `approvals` read by [`approval_row`], in its order.
const APPROVAL_COLUMNS: &str = "id, fingerprint, agent, session_id, requester, summary, \
     policies, reasons, created_at, expires_at, status, approver, decided_at, \
     decision_reason, uses_left, owner_must_differ";

/// An `approvals` row with its JSON, status and count still undecoded.
struct ApprovalRow {
    approval: Approval,
    policies: String,
    reasons: String,
    status: String,
    uses_left: i64,
}

/// Reads a row selected with [`APPROVAL_COLUMNS`].
fn approval_row(row: &Row<'_>) -> rusqlite::Result<ApprovalRow> {
    Ok(ApprovalRow {
        approval: Approval {
            id: row.get(0)?,
            fingerprint: row.get(1)?,
            agent: row.get(2)?,
            session_id: row.get(3)?,
            requester: row.get(4)?,
            summary: row.get(5)?,
            policies: Vec::new(),
            reasons: Vec::new(),
            created_at: row.get(8)?,
            expires_at: row.get(9)?,
            status: ApprovalStatus::Pending,
            approver: row.get(11)?,
            decided_at: row.get(12)?,
            decision_reason: row.get(13)?,
            uses_left: 0,
            owner_must_differ: row.get(15)?,
        },
        policies: row.get(6)?,
        reasons: row.get(7)?,
        status: row.get(10)?,
        uses_left: row.get(14)?,
    })
}

impl ApprovalRow {
    /// Decodes the row, or reports it corrupt.
    fn decode(self) -> Result<Approval, StoreError> {
        let ApprovalRow {
            mut approval,
            policies,
            reasons,
            status,
            uses_left,
        } = self;
        let corrupt = |reason: String| StoreError::CorruptRow {
            table: "approvals",
            key: approval.id.clone(),
            reason,
        };
        approval.policies = serde_json::from_str(&policies)
            .map_err(|e| corrupt(format!("policies is not a JSON array of strings: {e}")))?;
        approval.reasons = serde_json::from_str(&reasons)
            .map_err(|e| corrupt(format!("reasons is not a JSON array of strings: {e}")))?;
        approval.status = ApprovalStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("unknown status {status:?}")))?;
        approval.uses_left = u32::try_from(uses_left)
            .map_err(|_| corrupt(format!("uses_left {uses_left} is out of range")))?;
        Ok(approval)
    }
}

/// The approval with id `id`, read through `conn`.
fn load(conn: &Connection, id: &str) -> Result<Option<Approval>, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {APPROVAL_COLUMNS} FROM approvals WHERE id = ?1"
    ))?
    .query_row([id], approval_row)
    .optional()?
    .map(ApprovalRow::decode)
    .transpose()
}

/// The approval with id `id`, or [`StoreError::NotFound`].
fn require(conn: &Connection, id: &str) -> Result<Approval, StoreError> {
    load(conn, id)?.ok_or_else(|| StoreError::NotFound {
        what: "approval",
        id: id.to_owned(),
    })
}

/// A fresh id: `"apr-"` and 10 lowercase hex digits from the operating
/// system's random number generator.
fn new_id() -> Result<String, StoreError> {
    let mut bytes = [0u8; 5];
    getrandom::fill(&mut bytes).map_err(StoreError::Random)?;
    Ok(format!("apr-{}", hex::encode(bytes)))
}

/// How a step of an approval's life is described in its audit record.
struct Step<'a> {
    /// The human to name in the record (`human`).
    human: Option<&'a str>,
    /// The summary, naming the approval, its action and who acted.
    summary: String,
    /// The record's `decision`, for approvals and denials.
    decision: Option<&'a str>,
}

/// Appends the audit record of `step` for `approval` (its new state)
/// inside `tx`.
fn record_step(
    store: &Store,
    tx: &Transaction<'_>,
    approval: &Approval,
    step: Step<'_>,
) -> Result<(), StoreError> {
    let mut record = change_record(RecordKind::Approval, step.summary, step.human, approval)?;
    record.agent = Some(approval.agent.clone());
    record.session_id = approval.session_id.clone();
    record.decision = step.decision.map(str::to_owned);
    record.policies = approval.policies.clone();
    record.reasons = approval.reasons.clone();
    append_in(tx, &record, store.signing_key())?;
    Ok(())
}

/// `"1 use"`, `"3 uses"`.
fn uses(n: u32) -> String {
    if n == 1 {
        "1 use".to_owned()
    } else {
        format!("{n} uses")
    }
}

/// `approval {id} ({summary}) for agent {agent}`: how every approval
/// record's summary starts.
fn subject(approval: &Approval) -> String {
    format!(
        "approval {} ({}) for agent {}",
        approval.id,
        one_line(&approval.summary),
        approval.agent
    )
}

/// Marks the pending or approved request `approval`, whose time has run
/// out, expired and records it, inside `tx`.
fn expire(store: &Store, tx: &Transaction<'_>, approval: &Approval) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE approvals SET status = 'expired' WHERE id = ?1")?
        .execute([&approval.id])?;
    let expired = require(tx, &approval.id)?;
    let was = match approval.status {
        ApprovalStatus::Approved => format!(
            "was approved by {}, {} left",
            approval.approver.as_deref().unwrap_or("?"),
            uses(approval.uses_left)
        ),
        status => format!("was {status}"),
    };
    record_step(
        store,
        tx,
        &expired,
        Step {
            human: approval.requester.as_deref(),
            summary: format!("{} expired ({was})", subject(approval)),
            decision: None,
        },
    )
}

impl Store {
    /// Requests approval now; see [`Store::request_approval_at`].
    ///
    /// # Errors
    ///
    /// As for [`Store::request_approval_at`].
    pub fn request_approval(&self, new: &NewApproval) -> Result<Approval, StoreError> {
        self.request_approval_at(new, SystemTime::now())
    }

    /// Creates a pending request for `new` at `now`, valid until `now +
    /// ttl`, and records it.
    ///
    /// Idempotent: when a pending or approved request with the same
    /// fingerprint is still valid at `now` (unexpired, uses left), that
    /// request is returned unchanged and nothing is written, so an
    /// assistant retrying a blocked action does not pile up requests.
    ///
    /// # Errors
    ///
    /// * [`StoreError::InvalidInput`] when the fingerprint, agent or
    ///   summary is blank, `uses` is 0, `ttl` is zero, or `now + ttl` is
    ///   not representable;
    /// * [`StoreError::Random`] when no random id can be drawn;
    /// * [`StoreError::Sqlite`] on a database error (nothing is written).
    pub fn request_approval_at(
        &self,
        new: &NewApproval,
        now: SystemTime,
    ) -> Result<Approval, StoreError> {
        let fingerprint = check_text("fingerprint", &new.fingerprint)?;
        let agent = check_text("agent", &new.agent)?;
        let summary = new.summary.trim();
        if summary.is_empty() {
            return Err(StoreError::InvalidInput {
                field: "summary",
                reason: "must not be empty".into(),
            });
        }
        if new.uses == 0 {
            return Err(StoreError::InvalidInput {
                field: "uses",
                reason: "an approval must allow at least one use".into(),
            });
        }
        if new.ttl.is_zero() {
            return Err(StoreError::InvalidInput {
                field: "ttl",
                reason: "must be longer than zero".into(),
            });
        }
        let expires = now
            .checked_add(new.ttl)
            .ok_or_else(|| StoreError::InvalidInput {
                field: "ttl",
                reason: format!("{:?} from now is not a representable time", new.ttl),
            })?;
        let created_at = format_rfc3339_millis(now);
        let expires_at = format_rfc3339_millis(expires);
        let requester = optional_text(new.requester.as_deref());

        let tx = self.write_tx()?;
        let existing = tx
            .prepare_cached(&format!(
                "SELECT {APPROVAL_COLUMNS} FROM approvals
                 WHERE fingerprint = ?1 AND status IN ('pending', 'approved')
                     AND expires_at > ?2 AND uses_left > 0
                 ORDER BY created_at, rowid LIMIT 1"
            ))?
            .query_row(params![fingerprint, created_at], approval_row)
            .optional()?;
        if let Some(existing) = existing {
            return existing.decode();
        }
        // 40 random bits: a collision is unlikely but not impossible over
        // the life of a database, and the primary key would turn it into
        // a spurious failure, so draw again instead.
        let id = loop {
            let id = new_id()?;
            let taken = tx
                .prepare_cached("SELECT 1 FROM approvals WHERE id = ?1")?
                .query_row([&id], |_| Ok(()))
                .optional()?;
            if taken.is_none() {
                break id;
            }
        };
        tx.prepare_cached(
            "INSERT INTO approvals (id, fingerprint, agent, session_id, requester, summary,
                 policies, reasons, created_at, expires_at, status, uses_left,
                 owner_must_differ)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'pending', ?11, ?12)",
        )?
        .execute(params![
            id,
            fingerprint,
            agent,
            new.session_id,
            requester,
            summary,
            json_text(&new.policies)?,
            json_text(&new.reasons)?,
            created_at,
            expires_at,
            new.uses,
            new.owner_must_differ,
        ])?;
        let stored = require(&tx, &id)?;
        let by = stored
            .requester
            .as_deref()
            .map_or_else(String::new, |r| format!(" by {r}"));
        record_step(
            self,
            &tx,
            &stored,
            Step {
                human: stored.requester.as_deref(),
                summary: format!(
                    "{} requested{by} ({}, expires {})",
                    subject(&stored),
                    uses(stored.uses_left),
                    stored.expires_at
                ),
                decision: None,
            },
        )?;
        tx.commit()?;
        Ok(stored)
    }

    /// The request with id `id`, exactly as stored (expiry is not applied:
    /// see [`Approval::is_expired_at`]).
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] on a database error;
    /// [`StoreError::CorruptRow`] when the row cannot be decoded.
    pub fn approval(&self, id: &str) -> Result<Option<Approval>, StoreError> {
        load(self.connection(), id)
    }

    /// Lists requests now; see [`Store::approvals_at`].
    ///
    /// # Errors
    ///
    /// As for [`Store::approvals_at`].
    pub fn approvals(&self, status: Option<ApprovalStatus>) -> Result<Vec<Approval>, StoreError> {
        self.approvals_at(status, SystemTime::now())
    }

    /// Every request (with `status`, if given), oldest first (in creation
    /// order on a tie), after marking
    /// the pending and approved ones whose time ran out by `now` expired,
    /// one audit record each.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] on a database error;
    /// [`StoreError::CorruptRow`] when a row cannot be decoded.
    pub fn approvals_at(
        &self,
        status: Option<ApprovalStatus>,
        now: SystemTime,
    ) -> Result<Vec<Approval>, StoreError> {
        let now = format_rfc3339_millis(now);
        const DUE: &str = "FROM approvals
             WHERE status IN ('pending', 'approved') AND expires_at <= ?1";
        // Listing is frequent and expiry rare: only take the write lock
        // when something is due.
        let due: i64 = self
            .connection()
            .prepare_cached(&format!("SELECT count(*) {DUE}"))?
            .query_row([&now], |row| row.get(0))?;
        if due > 0 {
            let tx = self.write_tx()?;
            // Re-read under the lock: another process may have expired
            // (or used) some of them meanwhile.
            let rows: Vec<ApprovalRow> = tx
                .prepare_cached(&format!(
                    "SELECT {APPROVAL_COLUMNS} {DUE} ORDER BY created_at, rowid"
                ))?
                .query_map([&now], approval_row)?
                .collect::<rusqlite::Result<_>>()?;
            for row in rows {
                expire(self, &tx, &row.decode()?)?;
            }
            tx.commit()?;
        }
        let rows: Vec<ApprovalRow> = match status {
            Some(status) => self
                .connection()
                .prepare_cached(&format!(
                    "SELECT {APPROVAL_COLUMNS} FROM approvals WHERE status = ?1
                     ORDER BY created_at, rowid"
                ))?
                .query_map([status.as_str()], approval_row)?
                .collect::<rusqlite::Result<_>>()?,
            None => self
                .connection()
                .prepare_cached(&format!(
                    "SELECT {APPROVAL_COLUMNS} FROM approvals ORDER BY created_at, rowid"
                ))?
                .query_map([], approval_row)?
                .collect::<rusqlite::Result<_>>()?,
        };
        rows.into_iter().map(ApprovalRow::decode).collect()
    }

    /// Approves now; see [`Store::approve_at`].
    ///
    /// # Errors
    ///
    /// As for [`Store::approve_at`].
    pub fn approve(&self, id: &str, approver: &str) -> Result<Approval, StoreError> {
        self.approve_at(id, approver, SystemTime::now())
    }

    /// Grants the pending request `id` on behalf of `approver` (trimmed),
    /// at `now`, and records it. The approval keeps the request's
    /// `expires_at`.
    ///
    /// Segregation of duties: the requester cannot approve their own
    /// request, and when the request says `owner_must_differ`, neither can
    /// the agent's registered owner or deputy. People are compared trimmed
    /// and case-insensitively, and a bare user name (no `@`) matches the
    /// local part of an address, so `alice` cannot approve what
    /// `alice@example.com` requested or owns (erring towards refusal).
    ///
    /// # Errors
    ///
    /// * [`StoreError::InvalidInput`] when `approver` is blank;
    /// * [`StoreError::NotFound`] when there is no such request;
    /// * [`StoreError::Expired`] when it expired (its expiry is recorded
    ///   if it was not yet);
    /// * [`StoreError::NotPending`] when it was already decided or used;
    /// * [`StoreError::SelfApproval`] when `approver` is the requester;
    /// * [`StoreError::OwnerApproval`] when `approver` is the agent's owner
    ///   or deputy and the request demands someone else;
    /// * [`StoreError::OwnerUnknown`] when the request demands someone
    ///   other than the owner but the agent is not registered;
    /// * [`StoreError::Sqlite`] on a database error.
    pub fn approve_at(
        &self,
        id: &str,
        approver: &str,
        now: SystemTime,
    ) -> Result<Approval, StoreError> {
        let approver = check_text("approver", approver)?;
        let tx = self.write_tx()?;
        let Some(current) = self.decidable(&tx, id, now)? else {
            tx.commit()?;
            return Err(StoreError::Expired { id: id.to_owned() });
        };
        if current
            .requester
            .as_deref()
            .is_some_and(|r| same_person(r, approver))
        {
            return Err(StoreError::SelfApproval {
                id: id.to_owned(),
                approver: approver.to_owned(),
            });
        }
        if current.owner_must_differ {
            let owners = tx
                .prepare_cached("SELECT owner, deputy FROM agents WHERE name = ?1")?
                .query_row([&current.agent], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?))
                })
                .optional()?;
            let Some((owner, deputy)) = owners else {
                return Err(StoreError::OwnerUnknown {
                    id: id.to_owned(),
                    agent: current.agent.clone(),
                });
            };
            if same_person(&owner, approver)
                || deputy.as_deref().is_some_and(|d| same_person(d, approver))
            {
                return Err(StoreError::OwnerApproval {
                    id: id.to_owned(),
                    approver: approver.to_owned(),
                    agent: current.agent.clone(),
                });
            }
        }
        tx.prepare_cached(
            "UPDATE approvals SET status = 'approved', approver = ?1, decided_at = ?2
             WHERE id = ?3",
        )?
        .execute(params![approver, format_rfc3339_millis(now), id])?;
        let stored = require(&tx, id)?;
        record_step(
            self,
            &tx,
            &stored,
            Step {
                human: Some(approver),
                summary: format!(
                    "{} approved by {approver} ({}, expires {})",
                    subject(&stored),
                    uses(stored.uses_left),
                    stored.expires_at
                ),
                decision: Some("approve"),
            },
        )?;
        tx.commit()?;
        Ok(stored)
    }

    /// Denies now; see [`Store::deny_approval_at`].
    ///
    /// # Errors
    ///
    /// As for [`Store::deny_approval_at`].
    pub fn deny_approval(
        &self,
        id: &str,
        approver: &str,
        reason: Option<&str>,
    ) -> Result<Approval, StoreError> {
        self.deny_approval_at(id, approver, reason, SystemTime::now())
    }

    /// Refuses the pending request `id` on behalf of `approver` (trimmed),
    /// at `now`, keeping `reason` (trimmed; blank counts as none), and
    /// records it. Anyone may deny, the requester included: refusing
    /// never widens what an agent may do.
    ///
    /// # Errors
    ///
    /// * [`StoreError::InvalidInput`] when `approver` is blank;
    /// * [`StoreError::NotFound`], [`StoreError::Expired`] and
    ///   [`StoreError::NotPending`] as for [`Store::approve_at`];
    /// * [`StoreError::Sqlite`] on a database error.
    pub fn deny_approval_at(
        &self,
        id: &str,
        approver: &str,
        reason: Option<&str>,
        now: SystemTime,
    ) -> Result<Approval, StoreError> {
        let approver = check_text("approver", approver)?;
        let reason = optional_text(reason);
        let tx = self.write_tx()?;
        if self.decidable(&tx, id, now)?.is_none() {
            tx.commit()?;
            return Err(StoreError::Expired { id: id.to_owned() });
        }
        tx.prepare_cached(
            "UPDATE approvals SET status = 'denied', approver = ?1, decided_at = ?2,
                 decision_reason = ?3
             WHERE id = ?4",
        )?
        .execute(params![approver, format_rfc3339_millis(now), reason, id])?;
        let stored = require(&tx, id)?;
        let mut summary = format!("{} denied by {approver}", subject(&stored));
        if let Some(reason) = &reason {
            summary.push_str(": ");
            summary.push_str(&one_line(reason));
        }
        record_step(
            self,
            &tx,
            &stored,
            Step {
                human: Some(approver),
                summary,
                decision: Some("deny"),
            },
        )?;
        tx.commit()?;
        Ok(stored)
    }

    /// Within `tx`, the request `id` if it is pending and unexpired at
    /// `now`; `None` when it is pending but its time ran out, after
    /// marking it expired (the caller commits that and reports
    /// [`StoreError::Expired`]).
    fn decidable(
        &self,
        tx: &Transaction<'_>,
        id: &str,
        now: SystemTime,
    ) -> Result<Option<Approval>, StoreError> {
        let current = require(tx, id)?;
        match current.status {
            ApprovalStatus::Pending => {}
            ApprovalStatus::Expired => return Err(StoreError::Expired { id: id.to_owned() }),
            status => {
                return Err(StoreError::NotPending {
                    id: id.to_owned(),
                    status,
                })
            }
        }
        if current.is_expired_at(now) {
            expire(self, tx, &current)?;
            return Ok(None);
        }
        Ok(Some(current))
    }

    /// Consumes a use now; see [`Store::consume_approval_at`].
    ///
    /// # Errors
    ///
    /// As for [`Store::consume_approval_at`].
    pub fn consume_approval(&self, fingerprint: &str) -> Result<Option<Approval>, StoreError> {
        self.consume_approval_at(fingerprint, SystemTime::now())
    }

    /// Atomically takes one use of an approved request for `fingerprint`
    /// that is unexpired at `now`: decrements `uses_left`, sets the status
    /// to `used` when it reaches 0, records the use, and returns the
    /// request as updated. `None` (nothing written) when there is no such
    /// request.
    ///
    /// The check and the decrement happen in one `BEGIN IMMEDIATE`
    /// transaction, so concurrent consumers, in any number of processes,
    /// can never take more uses than were granted: of two racing for a
    /// single-use approval, exactly one gets it.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] on a database error (including
    /// `SQLITE_BUSY` after the busy timeout), in which case no use was
    /// taken; [`StoreError::CorruptRow`] when the row cannot be decoded.
    pub fn consume_approval_at(
        &self,
        fingerprint: &str,
        now: SystemTime,
    ) -> Result<Option<Approval>, StoreError> {
        let now = format_rfc3339_millis(now);
        let tx = self.write_tx()?;
        let found = tx
            .prepare_cached(&format!(
                "SELECT {APPROVAL_COLUMNS} FROM approvals
                 WHERE fingerprint = ?1 AND status = 'approved' AND expires_at > ?2
                     AND uses_left > 0
                 ORDER BY expires_at, rowid LIMIT 1"
            ))?
            .query_row(params![fingerprint, now], approval_row)
            .optional()?;
        let Some(found) = found else {
            return Ok(None);
        };
        let found = found.decode()?;
        tx.prepare_cached(
            "UPDATE approvals SET uses_left = uses_left - 1,
                 status = CASE WHEN uses_left = 1 THEN 'used' ELSE 'approved' END
             WHERE id = ?1",
        )?
        .execute([&found.id])?;
        let stored = require(&tx, &found.id)?;
        let left = if stored.uses_left == 0 {
            "last use".to_owned()
        } else {
            format!("{} left", uses(stored.uses_left))
        };
        record_step(
            self,
            &tx,
            &stored,
            Step {
                human: stored.requester.as_deref(),
                summary: format!(
                    "{} used ({left}; approved by {})",
                    subject(&stored),
                    stored.approver.as_deref().unwrap_or("?")
                ),
                decision: None,
            },
        )?;
        tx.commit()?;
        Ok(Some(stored))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_documented_shape() {
        let id = new_id().unwrap();
        assert_eq!(id.len(), 14);
        assert!(id.starts_with("apr-"));
        assert!(id[4..]
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
        assert_ne!(new_id().unwrap(), id);
    }

    #[test]
    fn status_names_round_trip() {
        for status in ApprovalStatus::ALL {
            assert_eq!(ApprovalStatus::parse(status.as_str()), Some(status));
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::Value::String(status.as_str().into())
            );
        }
        assert_eq!(ApprovalStatus::parse("Pending"), None);
    }
}
