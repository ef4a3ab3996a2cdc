//! The watcher of secrets that appear during a session, on the real kernel.

mod common;

use std::time::Duration;

use common::*;
use warden_sandbox::{Plan, SecretWatcher};

/// Polls until `want` paths were reported, at most a few seconds.
fn collect(watcher: &mut SecretWatcher, want: usize) -> Vec<std::path::PathBuf> {
    let mut seen = Vec::new();
    for _ in 0..20 {
        let (found, _) = watcher.poll(Duration::from_millis(200));
        seen.extend(found);
        if seen.len() >= want {
            break;
        }
    }
    seen.sort();
    seen
}

#[test]
fn new_secret_files_are_reported_and_other_files_are_not() {
    let fx = Fixture::new();
    let plan = Plan::build(&fx.profile()).expect("plan");
    assert!(plan
        .scanned_roots
        .contains(&std::fs::canonicalize(&fx.ws).expect("ws")));
    let mut watcher = SecretWatcher::new(&plan).expect("watch");
    assert!(watcher.watched_dirs() >= 2, "the workspace and its src/");
    let ws = std::fs::canonicalize(&fx.ws).expect("ws");
    std::fs::write(ws.join("notes.md"), "nothing secret").expect("write");
    std::fs::write(ws.join("src/server.key"), "k").expect("write");
    // A new directory, with a secret written into it right away.
    std::fs::create_dir_all(ws.join("deploy/prod")).expect("mkdir");
    std::fs::write(ws.join("deploy/prod/.env"), "A=1").expect("write");
    // A rename onto a secret name (how editors save).
    std::fs::write(ws.join(".env.tmp-save"), "B=2").expect("write");
    std::fs::rename(ws.join(".env.tmp-save"), ws.join(".env")).expect("rename");
    // Below a skipped directory nothing is watched.
    std::fs::create_dir_all(ws.join("node_modules/pkg")).expect("mkdir");
    std::fs::write(ws.join("node_modules/pkg/.env"), "C=3").expect("write");
    let seen = collect(&mut watcher, 4);
    for want in ["src/server.key", "deploy/prod/.env", ".env"] {
        assert!(
            seen.contains(&ws.join(want)),
            "{want} not reported: {seen:?}"
        );
    }
    assert!(!seen.contains(&ws.join("notes.md")), "{seen:?}");
    assert!(
        !seen.iter().any(|p| p.starts_with(ws.join("node_modules"))),
        "{seen:?}"
    );
}

#[test]
fn a_secret_made_between_the_plan_and_the_watch_is_reported_first() {
    let fx = Fixture::new();
    let plan = Plan::build(&fx.profile()).expect("plan");
    let ws = std::fs::canonicalize(&fx.ws).expect("ws");
    std::fs::write(ws.join("late.pem"), "k").expect("write");
    let mut watcher = SecretWatcher::new(&plan).expect("watch");
    let (first, _) = watcher.poll(Duration::from_millis(0));
    assert_eq!(
        first,
        vec![ws.join("late.pem")],
        "only what the plan did not mask"
    );
}
