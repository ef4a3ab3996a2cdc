//! The registry of assistant identities and tool connections: validation,
//! the lifecycle state machine, ownership transfer, tools, and the audit
//! record that accompanies every change.

mod audit_support;

use std::time::{Duration, UNIX_EPOCH};

use audit_support::{all, expect_ok, fresh, key};
use warden_store::{
    Agent, AgentKind, AgentScope, AgentState, NewAgent, NewTool, Record, RecordKind, Store,
    StoreError, ToolState,
};

fn new_agent(name: &str, owner: &str) -> NewAgent {
    NewAgent {
        name: name.into(),
        kind: AgentKind::ClaudeCode,
        owner: owner.into(),
        deputy: None,
        purpose: Some("reviews pull requests".into()),
        scope: AgentScope {
            repos: vec!["github.com/acme/api".into()],
            paths: vec!["src/**".into()],
            destinations: vec!["api.github.com".into()],
            mcp_servers: vec!["github".into()],
            tool_kinds: vec!["read".into(), "write".into()],
        },
    }
}

fn new_tool(name: &str, agents: &[&str]) -> NewTool {
    NewTool {
        name: name.into(),
        kind: "mcp".into(),
        owner: "alice@example.com".into(),
        endpoint: "npx -y @modelcontextprotocol/server-github".into(),
        version: Some("1.2.3".into()),
        pin: Some(format!("sha256:{}", "ab".repeat(32))),
        scope: AgentScope {
            destinations: vec!["api.github.com".into()],
            ..AgentScope::default()
        },
        agents: agents.iter().map(|a| (*a).to_owned()).collect(),
    }
}

/// Registers `name` (owned by alice) and brings it to `state`.
fn agent_in(store: &Store, name: &str, state: AgentState) -> Agent {
    let agent = store
        .register_agent(&new_agent(name, "alice@example.com"), "bob")
        .unwrap();
    match state {
        AgentState::Active => agent,
        AgentState::Suspended => store
            .set_agent_state(name, AgentState::Suspended, "bob", Some("on leave"))
            .unwrap(),
        AgentState::Offboarded => store
            .set_agent_state(name, AgentState::Offboarded, "bob", Some("retired"))
            .unwrap(),
    }
}

/// The records appended after the first `before`.
fn new_records(store: &Store, before: usize) -> Vec<Record> {
    all(store).split_off(before)
}

/// Asserts that `record` is the registry record of a change to `agent`
/// made by `actor`.
fn assert_agent_record(record: &Record, agent: &Agent, actor: &str, summary: &str) {
    assert_eq!(record.kind, RecordKind::Registry);
    assert_eq!(record.agent.as_deref(), Some(agent.name.as_str()));
    assert_eq!(record.human.as_deref(), Some(actor));
    assert_eq!(record.tool, None);
    assert_eq!(record.summary, summary);
    let mut detail = record.detail.clone();
    if agent.state == AgentState::Offboarded {
        // Offboarding also says what it revoked and retired.
        let map = detail.as_object_mut().unwrap();
        for key in ["credentials_revoked", "grants_revoked", "tools_disabled"] {
            assert!(map.remove(key).is_some(), "{key} in {}", record.detail);
        }
    }
    assert_eq!(detail, serde_json::to_value(agent).unwrap());
}

#[test]
fn register_reads_back_and_is_audited() {
    let (_dir, _path, store) = fresh();
    let mut new = new_agent("reviewer-bot", "  alice@example.com ");
    new.deputy = Some("dave@example.com".into());
    let agent = store.register_agent(&new, "bob").unwrap();
    assert_eq!(agent.name, "reviewer-bot");
    assert_eq!(agent.kind, AgentKind::ClaudeCode);
    assert_eq!(agent.owner, "alice@example.com", "trimmed");
    assert_eq!(agent.deputy.as_deref(), Some("dave@example.com"));
    assert_eq!(agent.purpose.as_deref(), Some("reviews pull requests"));
    assert_eq!(agent.state, AgentState::Active);
    assert_eq!(agent.scope, new.scope);
    assert!(agent.tools.is_empty());
    assert_eq!(agent.last_used_at, None);
    assert_eq!(agent.state_reason, None);
    assert_eq!(agent.state_changed_by, None);
    assert_eq!(agent.state_changed_at, None);
    assert_eq!(agent.created_at.len(), "2024-03-01T12:34:56.789Z".len());
    assert!(agent.created_at.ends_with('Z'));

    assert_eq!(store.agent("reviewer-bot").unwrap().as_ref(), Some(&agent));
    assert_eq!(store.agent("nobody").unwrap(), None);
    assert_eq!(store.agents().unwrap(), vec![agent.clone()]);

    let records = all(&store);
    assert_eq!(records.len(), 1);
    assert_agent_record(
        &records[0],
        &agent,
        "bob",
        "agent reviewer-bot registered (kind claude-code, owner alice@example.com) by bob",
    );
    let json = serde_json::to_value(&agent).unwrap();
    assert_eq!(json["kind"], "claude-code");
    assert_eq!(json["state"], "active");
    assert_eq!(json["scope"]["mcp_servers"][0], "github");
    expect_ok(&store);
}

#[test]
fn every_kind_round_trips() {
    let (_dir, _path, store) = fresh();
    for (i, kind) in AgentKind::ALL.into_iter().enumerate() {
        let mut new = new_agent(&format!("agent-{i}"), "alice@example.com");
        new.kind = kind;
        new.purpose = Some("   ".into());
        new.scope = AgentScope::default();
        let agent = store.register_agent(&new, "bob").unwrap();
        assert_eq!(agent.kind, kind);
        assert_eq!(agent.purpose, None, "a blank purpose is none");
        assert_eq!(store.agent(&new.name).unwrap().unwrap().kind, kind);
    }
    let names: Vec<String> = store
        .agents()
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names.len(), AgentKind::ALL.len());
    assert!(names.windows(2).all(|w| w[0] < w[1]), "sorted: {names:?}");
}

#[test]
fn lifecycle_state_machine_is_exhaustive() {
    use AgentState::{Active, Offboarded, Suspended};
    // The lifecycle, spelled out independently of `AgentState::can_become`.
    let allowed = [
        (Active, Suspended),
        (Suspended, Active),
        (Active, Offboarded),
        (Suspended, Offboarded),
    ];
    let (_dir, _path, store) = fresh();
    let mut tried = 0;
    for (i, from) in AgentState::ALL.into_iter().enumerate() {
        for (j, to) in AgentState::ALL.into_iter().enumerate() {
            let name = format!("agent-{i}-{j}");
            let before_state = agent_in(&store, &name, from);
            let before = all(&store).len();
            let result = store.set_agent_state(&name, to, "carol", Some("because\nreasons"));
            if allowed.contains(&(from, to)) {
                assert!(from.can_become(to));
                let agent = result.unwrap_or_else(|e| panic!("{from} -> {to}: {e}"));
                assert_eq!(agent.state, to);
                assert_eq!(agent.state_reason.as_deref(), Some("because\nreasons"));
                assert_eq!(agent.state_changed_by.as_deref(), Some("carol"));
                assert!(agent.state_changed_at.is_some());
                assert_eq!(store.agent(&name).unwrap().unwrap(), agent);
                let records = new_records(&store, before);
                assert_eq!(records.len(), 1, "{from} -> {to}");
                let verb = match to {
                    Active => "reactivated",
                    Suspended => "suspended",
                    Offboarded => "offboarded",
                };
                assert_agent_record(
                    &records[0],
                    &agent,
                    "carol",
                    &format!("agent {name} {verb} (was {from}) by carol: because reasons"),
                );
            } else {
                assert!(!from.can_become(to));
                match result {
                    Err(StoreError::InvalidTransition { from: f, to: t }) => {
                        assert_eq!((f, t), (from, to));
                    }
                    other => panic!("{from} -> {to}: expected InvalidTransition, got {other:?}"),
                }
                assert_eq!(all(&store).len(), before, "{from} -> {to} wrote a record");
                assert_eq!(store.agent(&name).unwrap().unwrap(), before_state);
            }
            tried += 1;
        }
    }
    assert_eq!(tried, 9);
    expect_ok(&store);
}

#[test]
fn offboarding_requires_a_reason() {
    let (_dir, _path, store) = fresh();
    for from in [AgentState::Active, AgentState::Suspended] {
        let name = format!("bot-{from}");
        agent_in(&store, &name, from);
        let before = all(&store).len();
        for reason in [None, Some(""), Some("  ")] {
            let err = store
                .set_agent_state(&name, AgentState::Offboarded, "bob", reason)
                .unwrap_err();
            assert!(
                matches!(
                    err,
                    StoreError::InvalidInput {
                        field: "reason",
                        ..
                    }
                ),
                "{err:?}"
            );
        }
        assert_eq!(all(&store).len(), before);
        assert_eq!(store.agent(&name).unwrap().unwrap().state, from);
    }
    // Suspending and reactivating need no reason, and clear the old one.
    agent_in(&store, "plain", AgentState::Suspended);
    let agent = store
        .set_agent_state("plain", AgentState::Active, "bob", None)
        .unwrap();
    assert_eq!(agent.state_reason, None);
    let last = all(&store).pop().unwrap();
    assert_eq!(
        last.summary,
        "agent plain reactivated (was suspended) by bob"
    );
}

#[test]
fn unknown_agent_and_blank_actor() {
    let (_dir, _path, store) = fresh();
    let err = store
        .set_agent_state("ghost", AgentState::Suspended, "bob", None)
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::NotFound { what: "agent", id } if id == "ghost"),
        "{err:?}"
    );
    agent_in(&store, "bot", AgentState::Active);
    for actor in ["", "  ", "bo\nb"] {
        let err = store
            .set_agent_state("bot", AgentState::Suspended, actor, None)
            .unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidInput { field: "actor", .. }),
            "{err:?}"
        );
        let err = store
            .register_agent(&new_agent("other", "alice@example.com"), actor)
            .unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidInput { field: "actor", .. }),
            "{err:?}"
        );
    }
    assert_eq!(all(&store).len(), 1);
}

#[test]
fn names_are_never_reused() {
    let (_dir, _path, store) = fresh();
    agent_in(&store, "bot", AgentState::Active);
    agent_in(&store, "old-bot", AgentState::Offboarded);
    let before = all(&store).len();
    for name in ["bot", "old-bot"] {
        let mut again = new_agent(name, "someone@example.com");
        again.kind = AgentKind::Codex;
        let err = store.register_agent(&again, "carol").unwrap_err();
        assert!(
            matches!(&err, StoreError::AgentExists { name: n } if n == name),
            "{err:?}"
        );
    }
    assert_eq!(all(&store).len(), before);
    let old = store.agent("old-bot").unwrap().unwrap();
    assert_eq!(old.state, AgentState::Offboarded);
    assert_eq!(old.owner, "alice@example.com");

    // The database itself refuses to forget or revive a name.
    let conn = store.connection();
    assert!(conn
        .execute("DELETE FROM agents WHERE name = 'old-bot'", [])
        .is_err());
    assert!(conn
        .execute(
            "UPDATE agents SET state = 'active' WHERE name = 'old-bot'",
            []
        )
        .is_err());
    assert!(conn
        .execute("UPDATE agents SET name = 'new-bot' WHERE name = 'bot'", [])
        .is_err());
}

#[test]
fn names_are_validated() {
    let (_dir, _path, store) = fresh();
    let long = "x".repeat(65);
    for bad in [
        "",
        "Bot",
        "-bot",
        ".bot",
        "bot bot",
        "bot/1",
        "bøt",
        long.as_str(),
    ] {
        let err = store
            .register_agent(&new_agent(bad, "alice@example.com"), "bob")
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::InvalidInput {
                    field: "agent name",
                    ..
                }
            ),
            "{bad:?}: {err:?}"
        );
    }
    let longest = "x".repeat(64);
    for good in ["0", "bot", "a.b_c-9", longest.as_str()] {
        store
            .register_agent(&new_agent(good, "alice@example.com"), "bob")
            .unwrap();
    }
    assert_eq!(all(&store).len(), 4);
}

#[test]
fn owner_and_deputy_are_validated() {
    let (_dir, _path, store) = fresh();
    for bad in [
        "",
        "   ",
        "alice",
        "@example.com",
        "alice@",
        "al ice@example.com",
    ] {
        let err = store
            .register_agent(&new_agent("bot", bad), "bob")
            .unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidInput { field: "owner", .. }),
            "{bad:?}: {err:?}"
        );
    }
    let mut new = new_agent("bot", "alice@example.com");
    new.deputy = Some("dave".into());
    let err = store.register_agent(&new, "bob").unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::InvalidInput {
                field: "deputy",
                ..
            }
        ),
        "{err:?}"
    );
    new.deputy = Some(" ALICE@example.com".into());
    let err = store.register_agent(&new, "bob").unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::InvalidInput {
                field: "deputy",
                ..
            }
        ),
        "the owner cannot be their own deputy: {err:?}"
    );
    assert!(all(&store).is_empty());
    assert!(store.agents().unwrap().is_empty());
    new.deputy = Some("  ".into());
    assert_eq!(store.register_agent(&new, "bob").unwrap().deputy, None);
}

#[test]
fn touch_updates_last_used_without_an_audit_record() {
    let (_dir, _path, store) = fresh();
    agent_in(&store, "bot", AgentState::Active);
    let t = UNIX_EPOCH + Duration::from_millis(1_709_296_496_789);
    store.touch_agent_at("bot", t).unwrap();
    let used = store.agent("bot").unwrap().unwrap().last_used_at;
    assert_eq!(used.as_deref(), Some("2024-03-01T12:34:56.789Z"));
    // An older touch (a slower concurrent hook) does not move it back.
    store
        .touch_agent_at("bot", t - Duration::from_secs(60))
        .unwrap();
    assert_eq!(store.agent("bot").unwrap().unwrap().last_used_at, used);
    store.touch_agent("bot").unwrap();
    let now = store.agent("bot").unwrap().unwrap().last_used_at.unwrap();
    assert!(now > used.unwrap());
    let err = store.touch_agent("ghost").unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { what: "agent", .. }),
        "{err:?}"
    );
    assert_eq!(all(&store).len(), 1, "only the registration is audited");
}

#[test]
fn transfer_owner_moves_live_agents() {
    let (_dir, _path, store) = fresh();
    agent_in(&store, "a-bot", AgentState::Active);
    agent_in(&store, "b-bot", AgentState::Suspended);
    agent_in(&store, "c-bot", AgentState::Offboarded);
    store
        .register_agent(&new_agent("d-bot", "dave@example.com"), "bob")
        .unwrap();
    let mut deputised = new_agent("e-bot", "alice@example.com");
    deputised.deputy = Some("carol@example.com".into());
    store.register_agent(&deputised, "bob").unwrap();
    let before = all(&store).len();

    let moved = store
        .transfer_owner("ALICE@example.com ", "carol@example.com", "bob")
        .unwrap();
    assert_eq!(moved, ["a-bot", "b-bot", "e-bot"]);
    for name in &moved {
        assert_eq!(
            store.agent(name).unwrap().unwrap().owner,
            "carol@example.com"
        );
    }
    assert_eq!(
        store.agent("b-bot").unwrap().unwrap().state,
        AgentState::Suspended,
        "the state is unchanged"
    );
    assert_eq!(
        store.agent("c-bot").unwrap().unwrap().owner,
        "alice@example.com",
        "offboarded agents keep their historical owner"
    );
    assert_eq!(
        store.agent("d-bot").unwrap().unwrap().owner,
        "dave@example.com"
    );
    assert_eq!(store.agent("e-bot").unwrap().unwrap().deputy, None);

    let records = new_records(&store, before);
    assert_eq!(records.len(), 3, "one record per moved agent");
    for (record, name) in records.iter().zip(&moved) {
        let agent = store.agent(name).unwrap().unwrap();
        let mut summary =
            format!("agent {name} transferred from alice@example.com to carol@example.com by bob");
        if name == "e-bot" {
            summary.push_str(" (deputy cleared: the new owner was the deputy)");
        }
        assert_agent_record(record, &agent, "bob", &summary);
    }

    // Nothing left to move: no change, no record.
    let before = all(&store).len();
    assert!(store
        .transfer_owner("alice@example.com", "carol@example.com", "bob")
        .unwrap()
        .is_empty());
    assert_eq!(all(&store).len(), before);

    for (from, to) in [
        ("carol@example.com", "Carol@Example.com"),
        ("carol", "dave@example.com"),
        ("carol@example.com", ""),
    ] {
        let err = store.transfer_owner(from, to, "bob").unwrap_err();
        assert!(matches!(err, StoreError::InvalidInput { .. }), "{err:?}");
    }
    expect_ok(&store);
}

#[test]
fn tools_are_added_listed_and_removed() {
    let (_dir, _path, store) = fresh();
    agent_in(&store, "a-bot", AgentState::Active);
    agent_in(&store, "b-bot", AgentState::Suspended);
    let before = all(&store).len();

    let tool = store
        .add_tool(&new_tool("github", &["b-bot", "a-bot", " a-bot"]), "bob")
        .unwrap();
    assert_eq!(tool.name, "github");
    assert_eq!(tool.kind, "mcp");
    assert_eq!(tool.agents, ["a-bot", "b-bot"], "sorted, deduplicated");
    assert_eq!(tool.state, ToolState::Active);
    assert_eq!(tool.version.as_deref(), Some("1.2.3"));
    assert_eq!(tool.removed_at, None);
    assert_eq!(store.tool("github").unwrap().as_ref(), Some(&tool));
    assert_eq!(store.agent("a-bot").unwrap().unwrap().tools, ["github"]);
    assert_eq!(store.agent("b-bot").unwrap().unwrap().tools, ["github"]);

    let mut plugin = new_tool("lint", &[]);
    plugin.kind = "plugin".into();
    plugin.pin = None;
    plugin.version = Some(" ".into());
    let plugin = store.add_tool(&plugin, "bob").unwrap();
    assert!(plugin.agents.is_empty());
    assert_eq!(plugin.version, None);
    assert_eq!(plugin.pin, None);
    assert_eq!(store.tools().unwrap(), vec![tool.clone(), plugin.clone()]);

    let records = new_records(&store, before);
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].kind, RecordKind::Registry);
    assert_eq!(records[0].tool.as_deref(), Some("github"));
    assert_eq!(records[0].agent, None);
    assert_eq!(records[0].human.as_deref(), Some("bob"));
    assert_eq!(
        records[0].summary,
        "tool github added (kind mcp, owner alice@example.com, for a-bot, b-bot) by bob"
    );
    assert_eq!(records[0].detail, serde_json::to_value(&tool).unwrap());
    assert_eq!(
        records[1].summary,
        "tool lint added (kind plugin, owner alice@example.com, no agents) by bob"
    );

    let removed = store
        .remove_tool("github", "carol", Some("replaced by the official server"))
        .unwrap();
    assert_eq!(removed.state, ToolState::Removed);
    assert_eq!(removed.removed_by.as_deref(), Some("carol"));
    assert_eq!(
        removed.removed_reason.as_deref(),
        Some("replaced by the official server")
    );
    assert!(removed.removed_at.is_some());
    assert_eq!(removed.agents, ["a-bot", "b-bot"], "history is kept");
    assert!(store.agent("a-bot").unwrap().unwrap().tools.is_empty());
    let last = all(&store).pop().unwrap();
    assert_eq!(
        last.summary,
        "tool github removed by carol: replaced by the official server"
    );
    assert_eq!(last.tool.as_deref(), Some("github"));
    assert_eq!(last.human.as_deref(), Some("carol"));
    assert_eq!(last.detail, serde_json::to_value(&removed).unwrap());

    let before = all(&store).len();
    let err = store.remove_tool("github", "carol", None).unwrap_err();
    assert!(matches!(err, StoreError::ToolRemoved { .. }), "{err:?}");
    let err = store.remove_tool("ghost", "carol", None).unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { what: "tool", .. }),
        "{err:?}"
    );
    let err = store.add_tool(&new_tool("github", &[]), "bob").unwrap_err();
    assert!(
        matches!(err, StoreError::ToolExists { .. }),
        "a removed tool's name is not reused: {err:?}"
    );
    assert_eq!(all(&store).len(), before);
    expect_ok(&store);
}

#[test]
fn tools_are_validated() {
    let (_dir, _path, store) = fresh();
    agent_in(&store, "gone", AgentState::Offboarded);
    let before = all(&store).len();
    let cases: Vec<(NewTool, &str)> = vec![
        (new_tool("Git Hub", &[]), "tool name"),
        (
            NewTool {
                kind: "server".into(),
                ..new_tool("x", &[])
            },
            "tool kind",
        ),
        (
            NewTool {
                owner: "alice".into(),
                ..new_tool("x", &[])
            },
            "owner",
        ),
        (
            NewTool {
                endpoint: " ".into(),
                ..new_tool("x", &[])
            },
            "endpoint",
        ),
        (
            NewTool {
                pin: Some("sha256:XYZ".into()),
                ..new_tool("x", &[])
            },
            "pin",
        ),
        (new_tool("x", &["gone"]), "agents"),
    ];
    for (tool, field) in cases {
        let err = store.add_tool(&tool, "bob").unwrap_err();
        assert!(
            matches!(&err, StoreError::InvalidInput { field: f, .. } if *f == field),
            "{field}: {err:?}"
        );
    }
    let err = store
        .add_tool(&new_tool("x", &["ghost"]), "bob")
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::NotFound { what: "agent", id } if id == "ghost"),
        "{err:?}"
    );
    assert_eq!(all(&store).len(), before);
    assert!(store.tools().unwrap().is_empty());
}

#[test]
fn a_change_and_its_record_commit_together() {
    let (_dir, _path, store) = fresh();
    agent_in(&store, "bot", AgentState::Active);
    // Make every audit insert fail, as a full disk or a broken trigger
    // would, after the change itself was written in the transaction.
    store
        .connection()
        .execute_batch(
            "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log
             BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END;",
        )
        .unwrap();
    assert!(matches!(
        store.register_agent(&new_agent("other", "alice@example.com"), "bob"),
        Err(StoreError::Sqlite(_))
    ));
    assert!(matches!(
        store.set_agent_state("bot", AgentState::Suspended, "bob", None),
        Err(StoreError::Sqlite(_))
    ));
    assert!(matches!(
        store.transfer_owner("alice@example.com", "carol@example.com", "bob"),
        Err(StoreError::Sqlite(_))
    ));
    assert!(matches!(
        store.add_tool(&new_tool("github", &["bot"]), "bob"),
        Err(StoreError::Sqlite(_))
    ));
    assert_eq!(store.agent("other").unwrap(), None);
    let bot = store.agent("bot").unwrap().unwrap();
    assert_eq!(bot.state, AgentState::Active);
    assert_eq!(bot.owner, "alice@example.com");
    assert_eq!(store.tool("github").unwrap(), None);

    store
        .connection()
        .execute_batch("DROP TRIGGER fail_audit;")
        .unwrap();
    store
        .register_agent(&new_agent("other", "alice@example.com"), "bob")
        .unwrap();
    assert_eq!(all(&store).len(), 2);
    expect_ok(&store);
}

#[test]
fn registry_changes_sign_automatic_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("warden.db");
    let store = Store::open(&path).unwrap().with_signing_key(key());
    for i in 0..70 {
        store
            .register_agent(
                &new_agent(&format!("bot-{i:02}"), "alice@example.com"),
                "bob",
            )
            .unwrap();
    }
    let checkpoints = store.checkpoints().unwrap();
    assert_eq!(checkpoints.len(), 1);
    assert_eq!(checkpoints[0].seq, warden_store::CHECKPOINT_EVERY);
    let report = expect_ok(&store);
    assert_eq!((report.records, report.checkpoints), (70, 1));
    assert_eq!(store.agents().unwrap().len(), 70);
}

#[test]
fn registry_survives_reopen() {
    let (_dir, path, store) = fresh();
    let agent = agent_in(&store, "bot", AgentState::Suspended);
    let tool = store
        .add_tool(&new_tool("github", &["bot"]), "bob")
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    let mut expected = agent;
    expected.tools = vec!["github".into()];
    assert_eq!(store.agent("bot").unwrap(), Some(expected));
    assert_eq!(store.tool("github").unwrap(), Some(tool));
}
