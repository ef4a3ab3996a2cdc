//! Launch overhead of the sandbox: median wall time of launching
//! `/bin/true` plainly and under the sandbox, plus the one-off costs
//! (probing the host, planning, preparing, the self-test).
//!
//! ```text
//! cargo run --release -p warden-sandbox --example launch_overhead [N]
//! ```
//!
//! The sandbox is the standard assistant profile for a throw-away home and
//! workspace (system directories read-only, a git workspace with a `.env`
//! and hooks to mask, the assistant directory, one allowed TCP port).

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use warden_sandbox::{
    default_denied, default_devices, default_governance, default_system_read_only,
    default_workspace_governance, probe, Plan, Prepared, Profile,
};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<F: FnMut()>(n: usize, mut f: F) -> Duration {
    // One warm-up run (page cache, dynamic loader).
    f();
    median(
        (0..n)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn run_true(prepared: Option<&Arc<Prepared>>) {
    let mut cmd = Command::new("/bin/true");
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(p) = prepared {
        p.attach(&mut cmd);
    }
    let status = cmd.status().expect("spawn /bin/true");
    assert!(status.success(), "/bin/true failed: {status}");
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300);
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    let ws = home.join("work/proj");
    let tmp = dir.path().join("tmp");
    for d in [
        &ws.join(".git/hooks"),
        &home.join(".claude"),
        &home.join(".ssh"),
        &tmp,
    ] {
        fs::create_dir_all(d).expect("mkdir");
    }
    fs::write(ws.join(".env"), "K=v\n").expect("write");
    fs::write(ws.join(".git/config"), "[core]\n").expect("write");
    fs::write(home.join(".claude/settings.json"), "{}\n").expect("write");
    fs::write(home.join(".ssh/id_ed25519"), "key\n").expect("write");

    let profile = Profile {
        home: Some(home.clone()),
        workspaces: vec![ws.clone()],
        read_write: vec![tmp.clone(), home.join(".claude")],
        read_only: default_system_read_only(),
        devices: default_devices(),
        governance: default_governance(&home),
        workspace_governance: default_workspace_governance(),
        denied: default_denied(&home),
        network: warden_sandbox::NetworkPolicy {
            connect_tcp_ports: vec![18080],
            ..Default::default()
        },
        ..Profile::default()
    };

    let t = Instant::now();
    let ladder = probe();
    let probe_cost = t.elapsed();
    print!("{}", ladder.render());

    let plan_cost = time(50, || {
        Plan::build(&profile).expect("plan");
    });
    let plan = Plan::build(&profile).expect("plan");
    let prepare_cost = time(50, || {
        Prepared::new(&plan, &ladder).expect("prepare");
    });
    let prepared = Arc::new(Prepared::new(&plan, &ladder).expect("prepare"));
    println!(
        "masks: {}, controls: {:?}",
        prepared.enforced().masks,
        prepared.enforced().controls
    );

    let t = Instant::now();
    let report = prepared.self_test().expect("self-test");
    let selftest_cost = t.elapsed();
    assert!(report.passed(), "{}", report.render());

    let plain = time(n, || run_true(None));
    // What std's fork path costs by itself: a no-op pre_exec hook turns
    // posix_spawn (vfork) into fork + exec.
    let forked = time(n, || {
        use std::os::unix::process::CommandExt;
        let mut cmd = Command::new("/bin/true");
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: the hook does nothing.
        unsafe { cmd.pre_exec(|| Ok(())) };
        assert!(cmd.status().expect("spawn").success());
    });
    let sandboxed = time(n, || run_true(Some(&prepared)));
    // The same sandbox without anything to mask: no mount namespace.
    let mut bare = profile.clone();
    bare.workspaces.clear();
    bare.governance.clear();
    bare.denied.retain(|d| !d.starts_with("/etc"));
    let bare_plan = Plan::build(&bare).expect("plan");
    assert!(!bare_plan.needs_masking());
    let bare_prepared = Arc::new(Prepared::new(&bare_plan, &ladder).expect("prepare"));
    let unmasked = time(n, || run_true(Some(&bare_prepared)));
    // bubblewrap, when installed, with a comparable confinement: read-only
    // root, writable workspace, fresh /dev and /proc, every namespace
    // unshared (which also cuts the network).
    let bwrap_run = |unshare: &[&str]| {
        let status = Command::new("/usr/bin/bwrap")
            .args(["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"])
            .arg("--bind")
            .arg(&ws)
            .arg(&ws)
            .args(unshare)
            .args(["--die-with-parent", "/bin/true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("spawn bwrap");
        assert!(status.success(), "bwrap failed: {status}");
    };
    let has_bwrap = Path::new("/usr/bin/bwrap").exists();
    let bwrap_all = has_bwrap.then(|| time(n / 5, || bwrap_run(&["--unshare-all"])));
    let bwrap_nonet = has_bwrap.then(|| {
        time(n, || {
            bwrap_run(&[
                "--unshare-user",
                "--unshare-ipc",
                "--unshare-pid",
                "--unshare-uts",
                "--unshare-cgroup",
            ])
        })
    });
    let full = time(n / 3, || {
        let plan = Plan::build(&profile).expect("plan");
        let p = Arc::new(Prepared::new(&plan, &ladder).expect("prepare"));
        run_true(Some(&p));
    });

    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!("\nmedians over {n} launches (µs):");
    println!(
        "  /bin/true                              {:>9.0}",
        us(plain)
    );
    println!(
        "  /bin/true, fork instead of vfork       {:>9.0}   (+{:.0} µs, x{:.2})",
        us(forked),
        us(forked) - us(plain),
        us(forked) / us(plain)
    );
    println!(
        "  /bin/true, prepared sandbox            {:>9.0}   (+{:.0} µs, x{:.2})",
        us(sandboxed),
        us(sandboxed) - us(plain),
        us(sandboxed) / us(plain)
    );
    println!(
        "  /bin/true, prepared, nothing to mask   {:>9.0}   (+{:.0} µs, x{:.2})",
        us(unmasked),
        us(unmasked) - us(plain),
        us(unmasked) / us(plain)
    );
    println!(
        "  /bin/true, plan + prepare + enforce    {:>9.0}   (+{:.0} µs, x{:.2})",
        us(full),
        us(full) - us(plain),
        us(full) / us(plain)
    );
    for (label, b) in [
        ("bwrap --unshare-all /bin/true    ", bwrap_all),
        ("bwrap, all but the network ns    ", bwrap_nonet),
    ] {
        if let Some(b) = b {
            println!(
                "  {label}      {:>9.0}   (+{:.0} µs, x{:.2})",
                us(b),
                us(b) - us(plain),
                us(b) / us(plain)
            );
        }
    }
    println!("one-off costs (µs):");
    println!(
        "  probe (ladder)                         {:>9.0}",
        us(probe_cost)
    );
    println!(
        "  Plan::build (median)                   {:>9.0}",
        us(plan_cost)
    );
    println!(
        "  Prepared::new (median)                 {:>9.0}",
        us(prepare_cost)
    );
    println!(
        "  self-test ({} canaries)                {:>9.0}",
        report.canaries.len(),
        us(selftest_cost)
    );
}
