//! A prepared sandbox handed to another process (warden's front) and
//! enforced there, on the real kernel: the same sandbox, proven by the
//! same canaries, and a handoff that does not add up is refused.

mod common;

use std::os::unix::ffi::OsStrExt as _;
use std::process::{Command, Stdio};

use common::*;
use proptest::prelude::*;
use warden_sandbox::{Adopted, Handoff, Plan, Prepared};

/// Hands `prepared` over through JSON, as the daemon does, and adopts it.
fn hand_over(prepared: &Prepared) -> (Adopted, warden_sandbox::HandoffGuard) {
    let (handoff, ruleset, guard) = prepared
        .handoff(std::process::id() as i32, true)
        .expect("handoff");
    let text = serde_json::to_string(&handoff).expect("serialize");
    let back: Handoff = serde_json::from_str(&text).expect("deserialize");
    (Adopted::new(back, ruleset).expect("adopt"), guard)
}

#[test]
fn a_handed_over_sandbox_confines_and_proves_itself() {
    let fx = Fixture::new();
    // A secret whose name is not UTF-8: the handoff carries paths as bytes.
    let odd = fx.ws.join(std::ffi::OsStr::from_bytes(b"deploy-\xff.pem"));
    std::fs::write(&odd, PEM_CANARY).expect("write");
    let (_plan, prepared) = prepare(&fx.profile());
    let (adopted, guard) = hand_over(&prepared);
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg(
            "cat \"$1/.ssh/id_ed25519\"; cat \"$2/.env\"; cat \"$2\"/deploy-*.pem; \
             echo x >> \"$1/.bashrc\"; echo done",
        )
        .arg("sh")
        .arg(&fx.home)
        .arg(&fx.ws)
        .current_dir(&fx.ws)
        .stdin(Stdio::null());
    let test = adopted
        .attach(&mut cmd)
        .expect("attach")
        .expect("the handoff carries canaries");
    let out = cmd.output().expect("the sandboxed command runs");
    drop(cmd);
    let report = test.finish().expect("the canaries report");
    drop(guard);
    assert!(report.passed(), "{}", report.render());
    assert!(report.canaries.len() > 20, "{}", report.render());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stdout.trim(), "done", "stderr: {stderr}");
    for secret in [SSH_CANARY, DOTENV_CANARY, PEM_CANARY.trim()] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret));
    }
    assert_eq!(stderr.matches("Permission denied").count(), 4, "{stderr}");
}

#[test]
fn a_handoff_without_its_ruleset_is_refused() {
    let fx = Fixture::new();
    let (_plan, prepared) = prepare(&fx.profile());
    let (handoff, ruleset, _guard) = prepared.handoff(1, false).expect("handoff");
    assert!(ruleset.is_some(), "Landlock is enforced on this host");
    assert!(Adopted::new(handoff, None).is_err());
}

#[test]
fn a_handoff_without_canaries_attaches_no_self_test() {
    let fx = Fixture::new();
    let plan = Plan::build(&fx.profile()).expect("plan");
    let prepared = Prepared::new(&plan, &warden_sandbox::probe()).expect("prepare");
    let (handoff, ruleset, _guard) = prepared.handoff(1, false).expect("handoff");
    let adopted = Adopted::new(handoff, ruleset).expect("adopt");
    let mut cmd = Command::new("/bin/true");
    assert!(adopted.attach(&mut cmd).expect("attach").is_none());
    assert!(cmd.status().expect("runs").success());
}

proptest! {
    /// Whatever bytes arrive where a handoff is expected, decoding and
    /// adopting them fails cleanly or yields a handoff; it never panics.
    #[test]
    fn arbitrary_handoff_text_never_panics(text in ".{0,400}") {
        if let Ok(handoff) = serde_json::from_str::<Handoff>(&text) {
            let _ = Adopted::new(handoff, None);
        }
    }

    /// Masks with arbitrary path bytes survive the trip.
    #[test]
    fn hex_paths_round_trip(bytes in proptest::collection::vec(1u8..=255, 1..64)) {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let text = format!(
            r#"{{"masks":[["{hex}",true,false]],"private_mounts":true,"drop_caps":true,"close_fds":true,"filters":[],"landlock_flags":null,"canaries":null}}"#
        );
        let handoff: Handoff = serde_json::from_str(&text).expect("a valid handoff");
        let again = serde_json::to_string(&handoff).expect("serialize");
        prop_assert!(again.contains(&hex));
    }

    /// Hex that is odd, not hex, or spells a NUL byte is refused.
    #[test]
    fn bad_hex_is_refused(bad in prop_oneof![Just("0".to_owned()), Just("zz".to_owned()), Just("6100".to_owned())]) {
        let text = format!(
            r#"{{"masks":[["{bad}",true,false]],"private_mounts":true,"drop_caps":true,"close_fds":true,"filters":[],"landlock_flags":null,"canaries":null}}"#
        );
        prop_assert!(serde_json::from_str::<Handoff>(&text).is_err());
    }
}

#[test]
fn a_secret_inside_a_read_only_governance_directory_stays_hidden() {
    let fx = Fixture::new();
    let hooks = fx.ws.join(".claude/hooks");
    std::fs::create_dir_all(&hooks).expect("mkdir");
    std::fs::write(hooks.join("deploy.key"), PEM_CANARY).expect("write");
    std::fs::write(hooks.join("pre.sh"), "#!/bin/sh\n").expect("write");
    let (plan, prepared) = prepare(&fx.profile());
    // The directory is bound read-only and the key hidden beneath it; the
    // read-only bind must not uncover the key.
    assert!(plan.masks.len() >= 2);
    let report = prepared.self_test().expect("self-test");
    assert!(report.passed(), "{}", report.render());
    let (adopted, _guard) = hand_over(&prepared);
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg(
            "cat .claude/hooks/deploy.key; echo x > .claude/hooks/pre.sh; cat .claude/hooks/pre.sh",
        )
        .current_dir(&fx.ws)
        .stdin(Stdio::null());
    let test = adopted.attach(&mut cmd).expect("attach");
    let out = cmd.output().expect("runs");
    drop(cmd);
    if let Some(test) = test {
        let report = test.finish().expect("report");
        assert!(report.passed(), "{}", report.render());
    }
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(PEM_CANARY), "{all}");
    assert!(all.contains("#!/bin/sh"), "the hook stays as it was: {all}");
}
