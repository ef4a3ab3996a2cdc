//! The capability ladder, the refusal path and the canary self-test, on the
//! real kernel.

mod common;

use std::collections::BTreeSet;
use std::ffi::CString;

use common::*;
use warden_sandbox::{
    apply, probe, self_test, CanaryResult, Control, Ladder, Plan, Prepared, SandboxError,
    SelfTestReport,
};

#[test]
fn this_host_provides_every_control() {
    // CI runs on the same kind of machine (Linux 6.x, Landlock ABI 7,
    // seccomp, user namespaces). If this fails, the host changed: the
    // ladder says what is missing.
    let ladder = probe();
    let text = ladder.render();
    assert!(ladder.facts.landlock_abi >= 6, "{text}");
    for c in Control::ALL {
        assert!(ladder.available(c), "{c} unavailable:\n{text}");
    }
    assert!(text.contains("fs_allow_list"), "{text}");
}

#[test]
fn self_test_proves_every_control() {
    let fx = Fixture::new();
    let plan = Plan::build(&fx.profile()).expect("plan");
    let report = self_test(&plan).expect("self-test runs");
    let rendered = report.render();
    assert!(report.passed(), "{rendered}");
    let expected: BTreeSet<Control> = Control::ALL.into_iter().collect();
    assert_eq!(report.proven, expected, "{rendered}");
    assert!(report.failed.is_empty(), "{rendered}");
    // The canaries that the issue names are all there.
    for needle in [
        "read canary secret",
        "/proc/self/root",
        "through a symlink",
        "hard-link it",
        "environ of the launcher",
        "(not allowed)",
        "(allowed port;",
        "UDP send",
        "raw ICMP socket",
        "ptrace the launcher",
        "write governance file",
        "read masked",
    ] {
        assert!(
            rendered.contains(needle),
            "missing canary {needle:?}:\n{rendered}"
        );
    }
    // The canary files are cleaned up.
    assert!(std::fs::read_dir(&fx.tmp)
        .expect("tmp")
        .flatten()
        .all(|e| !e
            .file_name()
            .to_string_lossy()
            .starts_with(".warden-selftest")));
}

#[test]
fn a_failed_canary_fails_its_controls() {
    let ok = CanaryResult {
        name: "udp".into(),
        controls: vec![Control::Seccomp],
        expect_restricted: true,
        restricted: true,
        errno: libc::EPERM,
    };
    let escaped = CanaryResult {
        name: "connect".into(),
        controls: vec![Control::TcpPorts, Control::Seccomp],
        expect_restricted: true,
        restricted: false,
        errno: 0,
    };
    let r = SelfTestReport::from_canaries(vec![ok, escaped], vec![]);
    assert!(!r.passed());
    assert!(r.proven.is_empty());
    assert_eq!(
        r.failed,
        [Control::TcpPorts, Control::Seccomp].into_iter().collect()
    );
    assert!(r.render().contains("ESCAPED"));
}

#[test]
fn a_kernel_without_tcp_filtering_is_refused_with_a_clear_message() {
    let fx = Fixture::new();
    let plan = Plan::build(&fx.profile()).expect("plan");
    let mut facts = probe().facts;
    facts.landlock_abi = 3;
    let ladder = Ladder::from_facts(facts);
    let err = Prepared::new(&plan, &ladder).unwrap_err();
    let SandboxError::Refused(refusal) = &err else {
        panic!("expected a refusal, got {err}");
    };
    assert_eq!(refusal.missing.len(), 1, "{err}");
    assert_eq!(refusal.missing[0].control, Control::TcpPorts);
    let msg = err.to_string();
    assert!(msg.contains("tcp_ports") && msg.contains("ABI 4"), "{msg}");

    // Dropping the requirement is explicit, and what is then not enforced
    // is reported, not hidden.
    let mut profile = fx.profile();
    profile.required.remove(&Control::TcpPorts);
    let plan = Plan::build(&profile).expect("plan");
    let prepared = Prepared::new(&plan, &ladder).expect("prepared");
    let not: Vec<_> = prepared
        .enforced()
        .not_enforced
        .iter()
        .map(|m| m.control)
        .collect();
    assert!(not.contains(&Control::TcpPorts), "{not:?}");
    assert!(not.contains(&Control::IpcScope), "{not:?}");
}

#[test]
fn masking_unavailable_refuses_only_when_there_is_something_to_mask() {
    let fx = Fixture::new();
    let mut facts = probe().facts;
    facts.mount_masking = false;
    let ladder = Ladder::from_facts(facts);
    let plan = Plan::build(&fx.profile()).expect("plan");
    assert!(plan.needs_masking());
    let err = Prepared::new(&plan, &ladder).unwrap_err();
    assert!(err.to_string().contains("masking"), "{err}");
    // Nothing to mask: no refusal.
    let mut profile = fx.profile();
    profile.workspaces.clear();
    profile.read_write.clear();
    profile.governance.clear();
    profile.denied.retain(|d| !d.starts_with("/etc"));
    let plan = Plan::build(&profile).expect("plan");
    assert!(!plan.needs_masking(), "{:?}", plan.masks);
    Prepared::new(&plan, &ladder).expect("no masks needed");
}

#[test]
fn apply_refuses_a_multi_threaded_process() {
    let fx = Fixture::new();
    let plan = Plan::build(&fx.profile()).expect("plan");
    // The test harness runs tests on their own threads.
    let err = apply(&plan).unwrap_err();
    assert!(matches!(err, SandboxError::MultiThreaded(_)), "{err}");
}

#[test]
fn apply_confines_a_single_threaded_process() {
    let fx = Fixture::new();
    let plan = Plan::build(&fx.profile()).expect("plan");
    let secret = CString::new(
        fx.home
            .join(".ssh/id_ed25519")
            .into_os_string()
            .into_encoded_bytes(),
    )
    .expect("path");
    let ws_file = CString::new(
        fx.ws
            .join("from-apply")
            .into_os_string()
            .into_encoded_bytes(),
    )
    .expect("path");
    // A forked child is single-threaded.
    // SAFETY: the child only calls apply (glibc's allocator is fork-safe)
    // and raw system calls, then _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        let code = match apply(&plan) {
            Err(_) => 10,
            Ok(enforced) if !enforced.controls.contains(&Control::FsAllowList) => 11,
            Ok(_) => unsafe {
                let denied = libc::open(secret.as_ptr(), libc::O_RDONLY) < 0;
                let fd = libc::open(
                    ws_file.as_ptr(),
                    libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC,
                    0o644,
                );
                match (denied, fd >= 0) {
                    (true, true) => 0,
                    (false, _) => 12,
                    (_, false) => 13,
                }
            },
        };
        // SAFETY: terminate the child.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: pid is our child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    assert!(libc::WIFEXITED(status), "status {status:#x}");
    assert_eq!(
        libc::WEXITSTATUS(status),
        0,
        "10 apply failed, 11 no fs, 12 secret readable, 13 workspace unwritable"
    );
    assert!(fx.ws.join("from-apply").exists());
}
