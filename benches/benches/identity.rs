//! Criterion benchmarks of what identity adds to a decision: verifying the
//! session credential (cold, and through the verified-signature cache the
//! daemon keeps), the revocation lookup, the binding check and the registry
//! lookup, against a store holding 50 identities and 1,000 credentials.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;
use warden_identity::{Caveat, Credential, Expected, SessionClaims};
use warden_store::ed25519_dalek::SigningKey;
use warden_store::{AgentKind, AgentScope, NewAgent, NewCredential, Store};

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    issuer: SigningKey,
    session: String,
    subagent: String,
}

fn world() -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let issuer = SigningKey::from_bytes(&[3u8; 32]);
    let store = Store::open(&dir.path().join("warden.db"))
        .expect("open store")
        .with_signing_key(issuer.clone());
    for i in 0..50 {
        store
            .register_agent(
                &NewAgent {
                    name: format!("agent-{i}"),
                    kind: AgentKind::ClaudeCode,
                    owner: "owner@example.com".into(),
                    deputy: None,
                    purpose: None,
                    scope: AgentScope::default(),
                },
                "bench",
            )
            .expect("register");
    }
    let now = Store::unix_now();
    let mut session = String::new();
    for i in 0..1000 {
        let claims = SessionClaims {
            id: warden_identity::new_id().expect("id"),
            agent: format!("agent-{}", i % 50),
            human: "dev@example.com".into(),
            session: format!("session-{i}"),
            repo: Some("/work/app".into()),
            cwd: "/work/app".into(),
            task: Some("fix the build".into()),
            issued_at: now,
            expires_at: now + 3600,
            kinds: None,
        };
        let credential = Credential::mint(&issuer, &claims).expect("mint");
        store
            .record_credential(&NewCredential {
                id: claims.id.clone(),
                agent: claims.agent.clone(),
                human: claims.human.clone(),
                session_id: claims.session.clone(),
                repo: claims.repo.clone(),
                issued_at: claims.issued_at,
                expires_at: claims.expires_at,
                token: Some(credential.encode()),
                ..NewCredential::default()
            })
            .expect("record");
        if i == 507 {
            session = credential.encode();
        }
    }
    let caveat =
        Caveat::new("subagent:Explore", None, Some(vec!["file_read".into()])).expect("caveat");
    let child = Credential::decode(&session)
        .and_then(|c| c.attenuate(&caveat))
        .expect("attenuate");
    store
        .record_credential(&NewCredential {
            id: caveat.id.clone(),
            agent: "agent-7".into(),
            human: "dev@example.com".into(),
            session_id: "session-507".into(),
            issued_at: now,
            expires_at: now + 3600,
            ..NewCredential::default()
        })
        .expect("record child");
    World {
        _dir: dir,
        store,
        issuer,
        session,
        subagent: child.encode(),
    }
}

fn identity(c: &mut Criterion) {
    let world = world();
    let key = world.issuer.verifying_key();
    let expected = Expected {
        agent: "agent-7",
        repo: Some("/work/app"),
        cwd: "/work/app/src",
        kind: "file_read",
        now: Store::unix_now(),
    };
    let mut group = c.benchmark_group("identity");
    group.measurement_time(Duration::from_secs(4));
    group.bench_function("verify_session_credential", |b| {
        b.iter(|| black_box(Credential::decode(&world.session).and_then(|c| c.verify(&key))))
    });
    group.bench_function("verify_subagent_credential", |b| {
        b.iter(|| black_box(Credential::decode(&world.subagent).and_then(|c| c.verify(&key))))
    });
    let verified = Credential::decode(&world.session)
        .and_then(|c| c.verify(&key))
        .expect("verifies");
    group.bench_function("revocation_binding_and_registry_lookup", |b| {
        b.iter(|| {
            let revoked = world.store.revoked_among(&verified.ids).expect("lookup");
            let bound = verified.check(&expected);
            let agent = world.store.agent("agent-7").expect("registry");
            black_box((revoked, bound, agent))
        })
    });
    group.bench_function("first_decision_of_a_session", |b| {
        b.iter(|| {
            let verified = Credential::decode(&world.session)
                .and_then(|c| c.verify(&key))
                .expect("verifies");
            let revoked = world.store.revoked_among(&verified.ids).expect("lookup");
            let bound = verified.check(&expected);
            let agent = world.store.agent("agent-7").expect("registry");
            black_box((revoked, bound, agent))
        })
    });
    group.finish();
}

criterion_group!(benches, identity);
criterion_main!(benches);
