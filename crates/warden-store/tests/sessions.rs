//! Credentials, grants and humans in the store: revocation is seen at once,
//! grants cover only their session and hosts, and every change is recorded.

use std::time::Duration;
use warden_store::{NewCredential, NewGrant, Store};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("warden.db"))
        .expect("open")
        .with_signing_key(key());
    (dir, store)
}

fn key() -> warden_store::ed25519_dalek::SigningKey {
    warden_store::ed25519_dalek::SigningKey::from_bytes(&[8u8; 32])
}

fn intact(store: &Store) -> bool {
    store
        .verify(&key().verifying_key())
        .expect("verify")
        .is_ok()
}

/// A push grant for session s1 on github.com, from `source`.
fn push_grant(source: &str) -> NewGrant {
    NewGrant {
        agent: "bot".into(),
        session_id: Some("s1".into()),
        source: source.into(),
        kind: "shell".into(),
        classes: vec!["vcs_remote_write".into()],
        hosts: vec!["github.com".into()],
        summary: "Bash: git push".into(),
        ttl: Duration::from_secs(60),
        ..NewGrant::default()
    }
}

fn credential(id: &str, agent: &str, session: &str) -> NewCredential {
    NewCredential {
        id: id.into(),
        agent: agent.into(),
        human: "dev@example.com".into(),
        session_id: session.into(),
        issued_at: 1_000,
        expires_at: 2_000,
        token: Some(format!("wsc1.token-of-{id}")),
        ..NewCredential::default()
    }
}

#[test]
fn revocation_is_seen_by_the_next_lookup_and_unknown_ids_count_as_revoked() {
    let (_dir, store) = store();
    store
        .record_credential(&credential("c1", "bot", "s1"))
        .expect("record");
    let ids = vec!["c1".to_owned()];
    assert_eq!(store.revoked_among(&ids).expect("lookup"), None);
    let unknown = store
        .revoked_among(&["c9".to_owned()])
        .expect("lookup")
        .expect("unknown is revoked");
    assert!(unknown.1.contains("never issued"), "{unknown:?}");
    store
        .revoke_credential("c1", "secops", "lost laptop")
        .expect("revoke");
    let (id, why) = store.revoked_among(&ids).expect("lookup").expect("revoked");
    assert_eq!(id, "c1");
    assert!(
        why.contains("secops") && why.contains("lost laptop"),
        "{why}"
    );
    // The held token is found by session, but never serialized.
    let held = store
        .held_credential("s1", None)
        .expect("held")
        .expect("one");
    assert!(held.token.is_some());
    assert!(!serde_json::to_string(&held)
        .expect("json")
        .contains("wsc1."));
    assert!(intact(&store));
}

#[test]
fn a_grant_covers_its_session_and_hosts_until_closed() {
    let (_dir, store) = store();
    let grant = store
        .issue_grant(&NewGrant {
            tool_use_id: Some("t1".into()),
            hosts: vec!["github.com".into(), "*.githubusercontent.com".into()],
            ..push_grant("ask")
        })
        .expect("issue");
    assert!(grant.id.starts_with("grt-"));
    store.confirm_grant(&grant.id, "dev").expect("confirm");
    let covers = |session: &str, host: &str, class: Option<&str>| {
        store
            .grant_covering(session, host, class)
            .expect("query")
            .is_some()
    };
    assert!(covers("s1", "github.com", Some("vcs_remote_write")));
    assert!(covers("s1", "GitHub.com", None));
    assert!(covers("s1", "raw.githubusercontent.com", None));
    assert!(!covers("s1", "evilgithub.com", None));
    assert!(!covers("s2", "github.com", None), "another session");
    assert!(!covers("s1", "github.com", Some("deploy")), "another class");
    assert_eq!(store.close_grants("s1", "t2").expect("close"), 0);
    assert_eq!(store.close_grants("s1", "t1").expect("close"), 1);
    assert!(!covers("s1", "github.com", None), "closed");
    assert_eq!(store.grants(false).expect("live").len(), 0);
    assert_eq!(store.grants(true).expect("all").len(), 1);
    assert!(intact(&store));
}

#[test]
fn humans_are_enrolled_and_deactivated_case_insensitively() {
    let (_dir, store) = store();
    store
        .enroll_human("Alice@Example.com", "secops")
        .expect("enroll");
    assert_eq!(
        store
            .human("alice@example.com")
            .expect("read")
            .map(|h| h.state),
        Some("active".to_owned())
    );
    store
        .deactivate_human("ALICE@example.com", "secops")
        .expect("deactivate");
    assert_eq!(store.humans().expect("list")[0].state, "inactive");
    assert!(store.deactivate_human("nobody", "secops").is_err());
}

#[test]
fn revoking_a_credential_revokes_what_was_derived_from_it_and_their_grants() {
    let (_dir, store) = store();
    store
        .record_credential(&credential("root", "bot", "s1"))
        .expect("root");
    let mut child = credential("child", "bot", "s1");
    child.parent = Some("root".into());
    child.subagent = Some("sub".into());
    store.record_credential(&child).expect("child");
    let grant = store
        .issue_grant(&NewGrant {
            credential: Some("child".into()),
            ..push_grant("approval:apr-0000000000")
        })
        .expect("grant");
    assert!(store
        .grant_covering("s1", "github.com", Some("vcs_remote_write"))
        .expect("q")
        .is_some());
    store
        .revoke_credential("root", "secops", "incident")
        .expect("revoke");
    assert!(
        store
            .revoked_among(&["child".to_owned()])
            .expect("q")
            .is_some(),
        "the child is revoked"
    );
    assert!(store
        .grant_covering("s1", "github.com", None)
        .expect("q")
        .is_none());
    let all = store.grants(true).expect("grants");
    assert_eq!(all[0].id, grant.id);
    assert!(all[0].revoked_at.is_some());
    assert_eq!(
        store.subagent_revoked("s1", "sub").expect("q").map(|r| r.0),
        Some("secops".to_owned())
    );
    assert!(intact(&store));
}

#[test]
fn an_asks_grant_is_usable_only_once_confirmed() {
    let (_dir, store) = store();
    let grant = store.issue_grant(&push_grant("ask")).expect("grant");
    assert!(grant.confirmed_at.is_none());
    assert!(
        store
            .grant_covering("s1", "github.com", None)
            .expect("q")
            .is_none(),
        "pending"
    );
    store.confirm_grant(&grant.id, "dev").expect("confirm");
    assert!(store
        .grant_covering("s1", "github.com", Some("vcs_remote_write"))
        .expect("q")
        .is_some());
    assert!(
        store
            .grant_covering("s1", "github.com", Some("deploy"))
            .expect("q")
            .is_none(),
        "another class"
    );
    assert!(
        store.confirm_grant(&grant.id, "dev").is_err(),
        "confirmed once"
    );
}
