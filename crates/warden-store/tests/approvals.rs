//! Approval requests: segregation of duties, bounded uses, expiry,
//! idempotent requests, denial, concurrent consumers, and the audit record
//! of every step.

mod audit_support;

use std::sync::{Arc, Barrier};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use audit_support::{all, expect_ok, fresh, key};
use warden_store::{
    AgentKind, AgentScope, Approval, ApprovalStatus, NewAgent, NewApproval, Record, RecordKind,
    Store, StoreError,
};

/// 2023-11-14T22:13:20.000Z, a fixed "now".
fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// A store in which agent `bot` is owned by owner@example.com, with
/// deputy@example.com as deputy.
fn setup() -> (tempfile::TempDir, std::path::PathBuf, Store) {
    let (dir, path, store) = fresh();
    store
        .register_agent(
            &NewAgent {
                name: "bot".into(),
                kind: AgentKind::ClaudeCode,
                owner: "owner@example.com".into(),
                deputy: Some("deputy@example.com".into()),
                purpose: None,
                scope: AgentScope::default(),
            },
            "admin",
        )
        .unwrap();
    (dir, path, store)
}

/// A single-use request by alice for agent `bot`, valid 10 minutes, that
/// the owner may not approve.
fn request(fingerprint: &str) -> NewApproval {
    NewApproval {
        fingerprint: fingerprint.into(),
        agent: "bot".into(),
        session_id: Some("session-1".into()),
        requester: Some("alice@example.com".into()),
        summary: "git push --force origin main".into(),
        policies: vec!["force-push-needs-approval".into()],
        reasons: vec!["force push to a protected branch".into()],
        ttl: secs(600),
        uses: 1,
        owner_must_differ: true,
    }
}

/// The records appended after the first `before`.
fn new_records(store: &Store, before: usize) -> Vec<Record> {
    all(store).split_off(before)
}

/// Asserts `record` is the approval record of `approval` in its new state.
fn assert_step(record: &Record, approval: &Approval, human: Option<&str>, summary: &str) {
    assert_eq!(record.kind, RecordKind::Approval);
    assert_eq!(record.agent.as_deref(), Some(approval.agent.as_str()));
    assert_eq!(record.session_id, approval.session_id);
    assert_eq!(record.human.as_deref(), human);
    assert_eq!(record.summary, summary);
    assert_eq!(record.policies, approval.policies);
    assert_eq!(record.reasons, approval.reasons);
    assert_eq!(record.detail, serde_json::to_value(approval).unwrap());
}

fn approved(store: &Store, fingerprint: &str, uses: u32, at: SystemTime) -> Approval {
    let mut new = request(fingerprint);
    new.uses = uses;
    let pending = store.request_approval_at(&new, at).unwrap();
    store
        .approve_at(&pending.id, "carol@example.com", at)
        .unwrap()
}

#[test]
fn request_creates_a_pending_approval_and_records_it() {
    let (_dir, _path, store) = setup();
    let before = all(&store).len();
    let approval = store.request_approval_at(&request("fp-1"), t0()).unwrap();
    assert!(approval.id.starts_with("apr-"));
    assert_eq!(approval.id.len(), 14);
    assert!(approval.id[4..]
        .chars()
        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
    assert_eq!(approval.fingerprint, "fp-1");
    assert_eq!(approval.agent, "bot");
    assert_eq!(approval.session_id.as_deref(), Some("session-1"));
    assert_eq!(approval.requester.as_deref(), Some("alice@example.com"));
    assert_eq!(approval.summary, "git push --force origin main");
    assert_eq!(approval.created_at, "2023-11-14T22:13:20.000Z");
    assert_eq!(approval.expires_at, "2023-11-14T22:23:20.000Z");
    assert_eq!(approval.status, ApprovalStatus::Pending);
    assert_eq!(approval.uses_left, 1);
    assert!(approval.owner_must_differ);
    assert_eq!(approval.approver, None);
    assert_eq!(approval.decided_at, None);
    assert_eq!(
        store.approval(&approval.id).unwrap().as_ref(),
        Some(&approval)
    );
    assert_eq!(store.approval("apr-0000000000").unwrap(), None);

    let records = new_records(&store, before);
    assert_eq!(records.len(), 1);
    assert_step(
        &records[0],
        &approval,
        Some("alice@example.com"),
        &format!(
            "approval {} (git push --force origin main) for agent bot requested by \
             alice@example.com (1 use, expires 2023-11-14T22:23:20.000Z)",
            approval.id
        ),
    );
    assert_eq!(records[0].decision, None);
    let json = serde_json::to_value(&approval).unwrap();
    assert_eq!(json["status"], "pending");
    assert_eq!(json["uses_left"], 1);
    expect_ok(&store);
}

#[test]
fn invalid_requests_are_refused() {
    let (_dir, _path, store) = setup();
    let cases = [
        (
            NewApproval {
                uses: 0,
                ..request("fp")
            },
            "uses",
        ),
        (
            NewApproval {
                ttl: Duration::ZERO,
                ..request("fp")
            },
            "ttl",
        ),
        (
            NewApproval {
                ttl: Duration::MAX,
                ..request("fp")
            },
            "ttl",
        ),
        (request(" "), "fingerprint"),
        (
            NewApproval {
                agent: String::new(),
                ..request("fp")
            },
            "agent",
        ),
        (
            NewApproval {
                summary: " ".into(),
                ..request("fp")
            },
            "summary",
        ),
    ];
    for (new, field) in cases {
        let err = store.request_approval_at(&new, t0()).unwrap_err();
        assert!(
            matches!(&err, StoreError::InvalidInput { field: f, .. } if *f == field),
            "{field}: {err:?}"
        );
    }
    assert!(store.approvals_at(None, t0()).unwrap().is_empty());
    assert_eq!(all(&store).len(), 1, "only the agent's registration");
}

#[test]
fn requests_are_idempotent_while_live() {
    let (_dir, _path, store) = setup();
    let first = store.request_approval_at(&request("fp"), t0()).unwrap();
    let before = all(&store).len();
    // Retried by the assistant: the same pending request comes back.
    let again = store
        .request_approval_at(&request("fp"), t0() + secs(30))
        .unwrap();
    assert_eq!(again, first);
    assert_eq!(all(&store).len(), before, "a repeat writes nothing");
    // Another action is another request.
    let other = store
        .request_approval_at(&request("fp-other"), t0())
        .unwrap();
    assert_ne!(other.id, first.id);

    // Approved and unused: still the same one.
    let granted = store
        .approve_at(&first.id, "carol@example.com", t0() + secs(60))
        .unwrap();
    assert_eq!(
        store
            .request_approval_at(&request("fp"), t0() + secs(90))
            .unwrap(),
        granted
    );
    // Used up: a new request.
    store
        .consume_approval_at("fp", t0() + secs(100))
        .unwrap()
        .unwrap();
    let second = store
        .request_approval_at(&request("fp"), t0() + secs(110))
        .unwrap();
    assert_ne!(second.id, first.id);
    assert_eq!(second.status, ApprovalStatus::Pending);
    // Expired: a new request.
    let third = store
        .request_approval_at(&request("fp"), t0() + secs(110 + 600))
        .unwrap();
    assert_ne!(third.id, second.id);
    // Denied: a new request.
    store
        .deny_approval_at(&third.id, "carol@example.com", None, t0() + secs(720))
        .unwrap();
    let fourth = store
        .request_approval_at(&request("fp"), t0() + secs(730))
        .unwrap();
    assert_ne!(fourth.id, third.id);
    expect_ok(&store);
}

#[test]
fn segregation_of_duties() {
    let (_dir, _path, store) = setup();
    let pending = store.request_approval_at(&request("fp"), t0()).unwrap();
    let before = all(&store).len();
    // A bare user name matches an address's local part (a session's human
    // may be an operating-system user): refusing is the safe side.
    for requester in ["alice@example.com", " Alice@Example.COM ", "alice"] {
        let err = store.approve_at(&pending.id, requester, t0()).unwrap_err();
        assert!(
            matches!(&err, StoreError::SelfApproval { id, .. } if *id == pending.id),
            "{requester:?}: {err:?}"
        );
    }
    for owner in [
        "owner@example.com",
        "OWNER@example.com",
        "deputy@example.com",
    ] {
        let err = store.approve_at(&pending.id, owner, t0()).unwrap_err();
        assert!(
            matches!(&err, StoreError::OwnerApproval { agent, .. } if agent == "bot"),
            "{owner:?}: {err:?}"
        );
    }
    for blank in ["", "   "] {
        let err = store.approve_at(&pending.id, blank, t0()).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::InvalidInput {
                    field: "approver",
                    ..
                }
            ),
            "{err:?}"
        );
    }
    // Refusals change nothing and write nothing.
    assert_eq!(store.approval(&pending.id).unwrap().unwrap(), pending);
    assert_eq!(all(&store).len(), before);

    let granted = store
        .approve_at(&pending.id, " carol@example.com ", t0() + secs(5))
        .unwrap();
    assert_eq!(granted.status, ApprovalStatus::Approved);
    assert_eq!(granted.approver.as_deref(), Some("carol@example.com"));
    assert_eq!(
        granted.decided_at.as_deref(),
        Some("2023-11-14T22:13:25.000Z")
    );
    assert_eq!(granted.expires_at, pending.expires_at);
    assert_eq!(granted.uses_left, 1);
    let records = new_records(&store, before);
    assert_eq!(records.len(), 1);
    assert_step(
        &records[0],
        &granted,
        Some("carol@example.com"),
        &format!(
            "approval {} (git push --force origin main) for agent bot approved by \
             carol@example.com (1 use, expires 2023-11-14T22:23:20.000Z)",
            granted.id
        ),
    );
    assert_eq!(records[0].decision.as_deref(), Some("approve"));
    expect_ok(&store);
}

#[test]
fn owner_may_approve_when_the_policy_allows_it() {
    let (_dir, _path, store) = setup();
    let mut new = request("fp");
    new.owner_must_differ = false;
    let pending = store.request_approval_at(&new, t0()).unwrap();
    let granted = store
        .approve_at(&pending.id, "owner@example.com", t0())
        .unwrap();
    assert_eq!(granted.status, ApprovalStatus::Approved);

    // The requester is still refused.
    let mut new = request("fp-2");
    new.owner_must_differ = false;
    let pending = store.request_approval_at(&new, t0()).unwrap();
    assert!(matches!(
        store.approve_at(&pending.id, "alice@example.com", t0()),
        Err(StoreError::SelfApproval { .. })
    ));
}

#[test]
fn owner_check_fails_closed_for_an_unregistered_agent() {
    let (_dir, _path, store) = setup();
    let mut new = request("fp");
    new.agent = "unregistered".into();
    let pending = store.request_approval_at(&new, t0()).unwrap();
    let err = store
        .approve_at(&pending.id, "carol@example.com", t0())
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::OwnerUnknown { agent, .. } if agent == "unregistered"),
        "{err:?}"
    );
    new.fingerprint = "fp-2".into();
    new.owner_must_differ = false;
    let pending = store.request_approval_at(&new, t0()).unwrap();
    store
        .approve_at(&pending.id, "carol@example.com", t0())
        .unwrap();
}

#[test]
fn only_pending_requests_can_be_decided() {
    let (_dir, _path, store) = setup();
    let err = store
        .approve_at("apr-0123456789", "carol@example.com", t0())
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::NotFound { what: "approval", id } if id == "apr-0123456789"),
        "{err:?}"
    );
    let err = store
        .deny_approval_at("apr-0123456789", "carol@example.com", None, t0())
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");

    let granted = approved(&store, "fp-a", 1, t0());
    let denied = store.request_approval_at(&request("fp-d"), t0()).unwrap();
    store
        .deny_approval_at(&denied.id, "carol@example.com", None, t0())
        .unwrap();
    let used = approved(&store, "fp-u", 1, t0());
    store.consume_approval_at("fp-u", t0()).unwrap().unwrap();

    let before = all(&store).len();
    for (id, status) in [
        (&granted.id, ApprovalStatus::Approved),
        (&denied.id, ApprovalStatus::Denied),
        (&used.id, ApprovalStatus::Used),
    ] {
        let err = store.approve_at(id, "dave@example.com", t0()).unwrap_err();
        assert!(
            matches!(&err, StoreError::NotPending { status: s, .. } if *s == status),
            "{err:?}"
        );
        let err = store
            .deny_approval_at(id, "dave@example.com", None, t0())
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::NotPending { status: s, .. } if *s == status),
            "{err:?}"
        );
    }
    assert_eq!(all(&store).len(), before);
}

#[test]
fn deny() {
    let (_dir, _path, store) = setup();
    let pending = store.request_approval_at(&request("fp"), t0()).unwrap();
    let before = all(&store).len();
    // Anyone may deny, the requester included.
    let denied = store
        .deny_approval_at(
            &pending.id,
            "alice@example.com",
            Some("  not\nneeded after all "),
            t0() + secs(1),
        )
        .unwrap();
    assert_eq!(denied.status, ApprovalStatus::Denied);
    assert_eq!(denied.approver.as_deref(), Some("alice@example.com"));
    assert_eq!(
        denied.decision_reason.as_deref(),
        Some("not\nneeded after all")
    );
    assert_eq!(
        denied.decided_at.as_deref(),
        Some("2023-11-14T22:13:21.000Z")
    );
    assert_eq!(denied.uses_left, 1, "a denial consumes nothing");
    assert_eq!(
        store.consume_approval_at("fp", t0() + secs(2)).unwrap(),
        None
    );

    let records = new_records(&store, before);
    assert_eq!(records.len(), 1);
    assert_step(
        &records[0],
        &denied,
        Some("alice@example.com"),
        &format!(
            "approval {} (git push --force origin main) for agent bot denied by \
             alice@example.com: not needed after all",
            denied.id
        ),
    );
    assert_eq!(records[0].decision.as_deref(), Some("deny"));
    let err = store
        .deny_approval_at(&pending.id, "", None, t0())
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidInput { .. }), "{err:?}");
    expect_ok(&store);
}

#[test]
fn single_use() {
    let (_dir, _path, store) = setup();
    // Pending is not approved: nothing to consume.
    let pending = store.request_approval_at(&request("fp"), t0()).unwrap();
    assert_eq!(store.consume_approval_at("fp", t0()).unwrap(), None);
    assert_eq!(store.consume_approval_at("unknown", t0()).unwrap(), None);
    store
        .approve_at(&pending.id, "carol@example.com", t0())
        .unwrap();
    let before = all(&store).len();

    let used = store
        .consume_approval_at("fp", t0() + secs(1))
        .unwrap()
        .unwrap();
    assert_eq!(used.id, pending.id);
    assert_eq!(used.uses_left, 0);
    assert_eq!(used.status, ApprovalStatus::Used);
    assert_eq!(store.approval(&pending.id).unwrap().unwrap(), used);
    assert_eq!(
        store.consume_approval_at("fp", t0() + secs(2)).unwrap(),
        None
    );

    let records = new_records(&store, before);
    assert_eq!(records.len(), 1, "one record per use, none for a miss");
    assert_step(
        &records[0],
        &used,
        Some("alice@example.com"),
        &format!(
            "approval {} (git push --force origin main) for agent bot used \
             (last use; approved by carol@example.com)",
            used.id
        ),
    );
    expect_ok(&store);
}

#[test]
fn bounded_uses() {
    let (_dir, _path, store) = setup();
    let granted = approved(&store, "fp", 3, t0());
    assert_eq!(granted.uses_left, 3);
    let before = all(&store).len();
    let mut seen = Vec::new();
    for i in 0..3 {
        let use_ = store
            .consume_approval_at("fp", t0() + secs(i + 1))
            .unwrap()
            .unwrap();
        assert_eq!(use_.id, granted.id);
        seen.push((use_.uses_left, use_.status));
    }
    assert_eq!(
        seen,
        [
            (2, ApprovalStatus::Approved),
            (1, ApprovalStatus::Approved),
            (0, ApprovalStatus::Used)
        ]
    );
    assert_eq!(
        store.consume_approval_at("fp", t0() + secs(5)).unwrap(),
        None
    );
    let summaries: Vec<String> = new_records(&store, before)
        .into_iter()
        .map(|r| r.summary)
        .collect();
    assert_eq!(summaries.len(), 3);
    assert!(summaries[0].ends_with("used (2 uses left; approved by carol@example.com)"));
    assert!(summaries[1].ends_with("used (1 use left; approved by carol@example.com)"));
    assert!(summaries[2].ends_with("used (last use; approved by carol@example.com)"));
}

#[test]
fn expiry() {
    let (_dir, _path, store) = setup();
    let mut short = request("fp-pending");
    short.ttl = secs(60);
    let pending = store.request_approval_at(&short, t0()).unwrap();
    short.fingerprint = "fp-approved".into();
    short.uses = 2;
    let granted = store.request_approval_at(&short, t0()).unwrap();
    let granted = store
        .approve_at(&granted.id, "carol@example.com", t0())
        .unwrap();
    let used_up = approved(&store, "fp-used", 1, t0());
    store.consume_approval_at("fp-used", t0()).unwrap().unwrap();

    // One millisecond before expiry it still works; at expiry it does not.
    let just_before = t0() + secs(60) - Duration::from_millis(1);
    let one = store
        .consume_approval_at("fp-approved", just_before)
        .unwrap()
        .unwrap();
    assert_eq!(one.uses_left, 1);
    let before = all(&store).len();
    assert_eq!(
        store
            .consume_approval_at("fp-approved", t0() + secs(60))
            .unwrap(),
        None
    );
    assert_eq!(all(&store).len(), before, "a miss writes nothing");

    // Approving an expired pending request fails and records the expiry.
    let err = store
        .approve_at(&pending.id, "carol@example.com", t0() + secs(61))
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Expired { id } if *id == pending.id),
        "{err:?}"
    );
    let expired = store.approval(&pending.id).unwrap().unwrap();
    assert_eq!(expired.status, ApprovalStatus::Expired);
    let records = new_records(&store, before);
    assert_eq!(records.len(), 1);
    assert_step(
        &records[0],
        &expired,
        Some("alice@example.com"),
        &format!(
            "approval {} (git push --force origin main) for agent bot expired (was pending)",
            pending.id
        ),
    );
    // Once expired, it stays so, with no further records.
    let before = all(&store).len();
    for result in [
        store.approve_at(&pending.id, "carol@example.com", t0() + secs(62)),
        store.deny_approval_at(&pending.id, "carol@example.com", None, t0() + secs(62)),
    ] {
        assert!(
            matches!(result, Err(StoreError::Expired { .. })),
            "{result:?}"
        );
    }
    assert_eq!(all(&store).len(), before);

    // Listing marks the expired approval, once, and leaves used ones alone.
    assert!(granted.is_expired_at(t0() + secs(60)));
    assert!(!granted.is_expired_at(just_before));
    let listed = store.approvals_at(None, t0() + secs(61)).unwrap();
    let statuses: Vec<(String, ApprovalStatus)> =
        listed.iter().map(|a| (a.id.clone(), a.status)).collect();
    assert_eq!(
        statuses,
        [
            (pending.id.clone(), ApprovalStatus::Expired),
            (granted.id.clone(), ApprovalStatus::Expired),
            (used_up.id.clone(), ApprovalStatus::Used),
        ]
    );
    let records = new_records(&store, before);
    assert_eq!(records.len(), 1);
    let expired = store.approval(&granted.id).unwrap().unwrap();
    assert_eq!(expired.uses_left, 1, "expiry keeps the count");
    assert_step(
        &records[0],
        &expired,
        Some("alice@example.com"),
        &format!(
            "approval {} (git push --force origin main) for agent bot expired \
             (was approved by carol@example.com, 1 use left)",
            granted.id
        ),
    );
    let before = all(&store).len();
    store.approvals_at(None, t0() + secs(120)).unwrap();
    assert_eq!(all(&store).len(), before, "expiry is recorded once");
    expect_ok(&store);
}

#[test]
fn approvals_filter_by_status() {
    let (_dir, _path, store) = setup();
    let pending = store.request_approval_at(&request("fp-p"), t0()).unwrap();
    let granted = approved(&store, "fp-a", 2, t0() + secs(1));
    let denied = store
        .request_approval_at(&request("fp-d"), t0() + secs(2))
        .unwrap();
    let denied = store
        .deny_approval_at(&denied.id, "carol@example.com", None, t0() + secs(2))
        .unwrap();
    let at = t0() + secs(3);
    let ids = |status| -> Vec<String> {
        store
            .approvals_at(status, at)
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect()
    };
    assert_eq!(ids(Some(ApprovalStatus::Pending)), [pending.id.as_str()]);
    assert_eq!(ids(Some(ApprovalStatus::Approved)), [granted.id.as_str()]);
    assert_eq!(ids(Some(ApprovalStatus::Denied)), [denied.id.as_str()]);
    assert!(ids(Some(ApprovalStatus::Used)).is_empty());
    assert!(ids(Some(ApprovalStatus::Expired)).is_empty());
    assert_eq!(ids(None), [pending.id, granted.id, denied.id]);
}

#[test]
fn every_step_is_audited_and_the_chain_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("warden.db");
    let store = Store::open(&path).unwrap().with_signing_key(key());
    let mut new = request("fp");
    new.owner_must_differ = false;
    new.uses = 2;
    let a = store.request_approval_at(&new, t0()).unwrap();
    store.approve_at(&a.id, "carol@example.com", t0()).unwrap();
    store.consume_approval_at("fp", t0()).unwrap().unwrap();
    store.consume_approval_at("fp", t0()).unwrap().unwrap();
    let b = store.request_approval_at(&request("fp-b"), t0()).unwrap();
    store
        .deny_approval_at(&b.id, "carol@example.com", Some("no"), t0())
        .unwrap();
    let c = store.request_approval_at(&request("fp-c"), t0()).unwrap();
    store.approvals_at(None, t0() + secs(3600)).unwrap();

    let records = all(&store);
    let steps: Vec<(RecordKind, String)> = records
        .iter()
        .map(|r| {
            let verb = r
                .summary
                .split(") for agent bot ")
                .nth(1)
                .and_then(|rest| rest.split([' ', ',']).next())
                .unwrap_or("?");
            (r.kind, format!("{} {verb}", &r.summary[9..23]))
        })
        .collect();
    let expected: Vec<(RecordKind, String)> = [
        (&a.id, "requested"),
        (&a.id, "approved"),
        (&a.id, "used"),
        (&a.id, "used"),
        (&b.id, "requested"),
        (&b.id, "denied"),
        (&c.id, "requested"),
        (&c.id, "expired"),
    ]
    .into_iter()
    .map(|(id, verb)| (RecordKind::Approval, format!("{id} {verb}")))
    .collect();
    assert_eq!(steps, expected);
    let report = expect_ok(&store);
    assert_eq!(report.records, 8);

    // Enough steps to pass a checkpoint boundary: the store's key signs it.
    for i in 0..60 {
        store
            .request_approval_at(&request(&format!("fp-{i}")), t0())
            .unwrap();
    }
    assert_eq!(store.checkpoints().unwrap().len(), 1);
    expect_ok(&store);
}

#[test]
fn a_step_and_its_record_commit_together() {
    let (_dir, _path, store) = setup();
    let granted = approved(&store, "fp", 1, t0());
    let pending = store.request_approval_at(&request("fp-p"), t0()).unwrap();
    store
        .connection()
        .execute_batch(
            "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log
             BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END;",
        )
        .unwrap();
    assert!(matches!(
        store.consume_approval_at("fp", t0()),
        Err(StoreError::Sqlite(_))
    ));
    assert!(matches!(
        store.approve_at(&pending.id, "carol@example.com", t0()),
        Err(StoreError::Sqlite(_))
    ));
    assert!(matches!(
        store.request_approval_at(&request("fp-new"), t0()),
        Err(StoreError::Sqlite(_))
    ));
    assert!(matches!(
        store.approvals_at(None, t0() + secs(3600)),
        Err(StoreError::Sqlite(_))
    ));
    assert_eq!(store.approval(&granted.id).unwrap().unwrap(), granted);
    assert_eq!(store.approval(&pending.id).unwrap().unwrap(), pending);
    store
        .connection()
        .execute_batch("DROP TRIGGER fail_audit;")
        .unwrap();
    assert_eq!(store.approvals_at(None, t0()).unwrap().len(), 2);
    let used = store.consume_approval_at("fp", t0()).unwrap().unwrap();
    assert_eq!(used.status, ApprovalStatus::Used);
    expect_ok(&store);
}

/// `threads` consumers, each with its own `Store` on `path`, race for
/// `fingerprint`; returns how many got a use.
fn race(path: &std::path::Path, fingerprint: &str, threads: usize) -> usize {
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let path = path.to_path_buf();
            let fingerprint = fingerprint.to_owned();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let store = Store::open(&path).unwrap();
                barrier.wait();
                store.consume_approval(&fingerprint).unwrap().is_some()
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|won| *won)
        .count()
}

#[test]
fn concurrent_consumers_of_a_single_use_approval() {
    let (_dir, path, store) = setup();
    for round in 0..5 {
        let fingerprint = format!("fp-{round}");
        let granted = approved(&store, &fingerprint, 1, SystemTime::now());
        assert_eq!(race(&path, &fingerprint, 8), 1, "round {round}");
        let after = store.approval(&granted.id).unwrap().unwrap();
        assert_eq!((after.uses_left, after.status), (0, ApprovalStatus::Used));
    }
    let uses = all(&store)
        .iter()
        .filter(|r| r.summary.contains(" used ("))
        .count();
    assert_eq!(uses, 5, "one use record per winner");
    expect_ok(&store);
}

#[test]
fn concurrent_consumers_of_a_bounded_approval() {
    let (_dir, path, store) = setup();
    let granted = approved(&store, "fp", 3, SystemTime::now());
    assert_eq!(race(&path, "fp", 10), 3);
    let after = store.approval(&granted.id).unwrap().unwrap();
    assert_eq!((after.uses_left, after.status), (0, ApprovalStatus::Used));
    expect_ok(&store);
}
