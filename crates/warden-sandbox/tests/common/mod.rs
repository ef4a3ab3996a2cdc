//! Shared fixture for the sandbox tests: a fake home with real-looking
//! secrets, a git workspace, an assistant state directory, and helpers to
//! run programs inside the sandbox.

#![allow(dead_code)]

use std::ffi::OsString;
use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use warden_sandbox::{
    default_denied, default_devices, default_governance, default_system_read_only,
    default_workspace_governance, probe, scrub_env, EnvPolicy, Plan, Prepared, Profile,
};

pub const SSH_CANARY: &str = "FAKE-SSH-PRIVATE-KEY-CANARY-7f3a";
pub const AWS_CANARY: &str = "FAKE-AWS-SECRET-CANARY-91bc";
pub const DOTENV_CANARY: &str = "FAKE-DOTENV-CANARY-55d2";
pub const PEM_CANARY: &str = "FAKE-PEM-CANARY-0a1b";

/// The fake world.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub home: PathBuf,
    pub ws: PathBuf,
    pub tmp: PathBuf,
    pub claude: PathBuf,
    pub allowed: TcpListener,
    pub other: TcpListener,
}

pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write(path: &Path, content: &str, mode: u32) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, content).expect("write");
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

fn chmod_dirs(root: &Path) {
    fs::set_permissions(root, fs::Permissions::from_mode(0o755)).expect("chmod");
    for e in fs::read_dir(root).expect("read_dir").flatten() {
        let ft = e.file_type().expect("type");
        if ft.is_dir() && !ft.is_symlink() {
            chmod_dirs(&e.path());
        }
    }
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::Builder::new()
            .prefix("warden-sandbox-test")
            .tempdir()
            .expect("tempdir");
        let root = dir.path().to_path_buf();
        let home = root.join("home");
        let ws = home.join("work/proj");
        let tmp = root.join("tmp");
        let claude = home.join(".claude");
        // World-readable on purpose: when a test drops to an unprivileged
        // user, file permissions would allow every read, so a refusal can
        // only come from the sandbox.
        write(
            &home.join(".ssh/id_ed25519"),
            &format!("-----BEGIN OPENSSH PRIVATE KEY-----\n{SSH_CANARY}\n"),
            0o644,
        );
        write(
            &home.join(".aws/credentials"),
            &format!("[default]\naws_secret_access_key = {AWS_CANARY}\n"),
            0o644,
        );
        write(&home.join(".bashrc"), "# bashrc\n", 0o644);
        write(&claude.join("settings.json"), "{\"hooks\":{}}\n", 0o644);
        fs::create_dir_all(claude.join("projects")).expect("mkdir");
        fs::create_dir_all(&tmp).expect("mkdir");
        write(&ws.join("src/main.rs"), "fn main() {}\n", 0o644);
        write(
            &ws.join(".env"),
            &format!("API_KEY={DOTENV_CANARY}\n"),
            0o644,
        );
        write(&ws.join("certs/server.pem"), PEM_CANARY, 0o644);
        write(&ws.join(".env.example"), "API_KEY=\n", 0o644);
        git(&ws, &["init", "-q"]);
        git(&ws, &["add", "src/main.rs"]);
        git(&ws, &["commit", "-q", "-m", "init"]);
        write(
            &ws.join(".git/hooks/pre-commit"),
            "#!/bin/sh\nexit 0\n",
            0o755,
        );
        // A hard link to a denied file, made before the session starts.
        fs::hard_link(home.join(".aws/credentials"), ws.join("notes.txt")).expect("hard link");
        chmod_dirs(&root);
        let allowed = TcpListener::bind("127.0.0.1:0").expect("listen");
        let other = TcpListener::bind("127.0.0.1:0").expect("listen");
        Fixture {
            dir,
            home,
            ws,
            tmp,
            claude,
            allowed,
            other,
        }
    }

    pub fn allowed_port(&self) -> u16 {
        self.allowed.local_addr().expect("addr").port()
    }

    pub fn other_port(&self) -> u16 {
        self.other.local_addr().expect("addr").port()
    }

    /// The profile a launcher would derive for this fake home.
    pub fn profile(&self) -> Profile {
        let mut read_only = default_system_read_only();
        // The test binary re-executes itself as a probe.
        let exe = std::env::current_exe().expect("current_exe");
        read_only.push(exe.parent().expect("exe dir").to_path_buf());
        let mut p = Profile {
            home: Some(self.home.clone()),
            workspaces: vec![self.ws.clone()],
            read_write: vec![self.tmp.clone(), self.claude.clone()],
            read_only,
            devices: default_devices(),
            governance: default_governance(&self.home),
            workspace_governance: default_workspace_governance(),
            denied: default_denied(&self.home),
            ..Profile::default()
        };
        p.network.connect_tcp_ports = vec![self.allowed_port()];
        p.scan.extra_roots = vec![self.claude.clone()];
        p
    }

    /// Give the home and the temp dir to `uid` (for the unprivileged run).
    pub fn chown_home(&self, uid: u32) {
        for root in [&self.home, &self.tmp] {
            let status = Command::new("chown")
                .args(["-R", &format!("{uid}:{uid}")])
                .arg(root)
                .status()
                .expect("chown");
            assert!(status.success());
        }
    }
}

pub fn prepare(profile: &Profile) -> (Plan, Arc<Prepared>) {
    let plan = Plan::build(profile).expect("plan");
    let ladder = probe();
    let prepared = Prepared::new(&plan, &ladder).unwrap_or_else(|e| {
        panic!(
            "this host must provide the required controls: {e}\n{}",
            ladder.render()
        )
    });
    (plan, Arc::new(prepared))
}

/// How a sandboxed command is run.
#[derive(Clone, Copy, Default)]
pub struct As {
    /// Switch to this uid/gid before enforcing (requires root).
    pub uid: Option<u32>,
}

/// The environment a launcher would pass: scrubbed, plus a few planted
/// credentials that must not survive.
pub fn sandbox_env(fx: &Fixture) -> warden_sandbox::ScrubbedEnv {
    let vars: Vec<(OsString, OsString)> = vec![
        ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
        ("HOME".into(), fx.home.clone().into()),
        ("LANG".into(), "C".into()),
        ("GIT_CONFIG_NOSYSTEM".into(), "1".into()),
        (
            "GITHUB_TOKEN".into(),
            "ghp_FAKEFAKEFAKEFAKEFAKEFAKE1234".into(),
        ),
        ("AWS_SECRET_ACCESS_KEY".into(), AWS_CANARY.into()),
        ("SSH_AUTH_SOCK".into(), "/tmp/ssh-x/agent.1".into()),
    ];
    scrub_env(vars, &EnvPolicy::default())
}

fn set_user(cmd: &mut Command, how: As) {
    if let Some(uid) = how.uid {
        // SAFETY: only async-signal-safe system calls.
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
}

/// The same shell command without the sandbox (the baseline).
pub fn unsandboxed(fx: &Fixture, how: As, script: &str) -> Output {
    let mut cmd = Command::new("/bin/sh");
    cmd.args(["-c", script])
        .current_dir(&fx.ws)
        .stdin(Stdio::null());
    sandbox_env(fx).apply_to(&mut cmd);
    set_user(&mut cmd, how);
    cmd.output().expect("spawn")
}

pub fn run(
    fx: &Fixture,
    prepared: &Arc<Prepared>,
    how: As,
    program: &str,
    args: &[&str],
    extra_env: &[(&str, String)],
) -> Output {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(&fx.ws)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    sandbox_env(fx).apply_to(&mut cmd);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    set_user(&mut cmd, how);
    prepared.attach(&mut cmd);
    cmd.output().expect("spawn sandboxed command")
}

pub fn sh(fx: &Fixture, prepared: &Arc<Prepared>, how: As, script: &str) -> Output {
    run(fx, prepared, how, "/bin/sh", &["-c", script], &[])
}

/// Run this test binary as a probe inside the sandbox: `op` and `arg` are
/// read by the `probe_entry` test.
pub fn probe_op(fx: &Fixture, prepared: &Arc<Prepared>, how: As, op: &str, arg: &str) -> Output {
    let exe = std::env::current_exe().expect("current_exe");
    let exe = exe.to_str().expect("utf-8 exe path").to_string();
    run(
        fx,
        prepared,
        how,
        &exe,
        &[
            "--exact",
            "probe_entry",
            "--nocapture",
            "--test-threads=1",
            "-q",
        ],
        &[
            ("WARDEN_PROBE_OP", op.to_string()),
            ("WARDEN_PROBE_ARG", arg.to_string()),
        ],
    )
}

pub fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The probe's verdict: `Ok(())` if the operation succeeded, `Err(errno)`.
pub fn verdict(out: &Output) -> Result<(), i32> {
    let s = String::from_utf8_lossy(&out.stdout);
    if s.contains("PROBE-OK") {
        return Ok(());
    }
    if let Some(rest) = s.split("PROBE-ERR ").nth(1) {
        let n: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        return Err(n.parse().unwrap_or(-1));
    }
    panic!("probe gave no verdict:\n{}", text(out));
}

/// The probe side: runs inside the sandbox, prints PROBE-OK or
/// PROBE-ERR <errno>, and exits.
pub fn probe_main() {
    let Ok(op) = std::env::var("WARDEN_PROBE_OP") else {
        return;
    };
    let arg = std::env::var("WARDEN_PROBE_ARG").unwrap_or_default();
    let r = run_probe(&op, &arg);
    match r {
        Ok(()) => println!("PROBE-OK"),
        Err(e) => println!("PROBE-ERR {e}"),
    }
    std::process::exit(0);
}

fn last() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(-1)
}

fn sockaddr(port: u16) -> libc::sockaddr_in {
    // SAFETY: plain data.
    let mut a: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    a.sin_family = libc::AF_INET as libc::sa_family_t;
    a.sin_port = port.to_be();
    a.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
    a
}

fn run_probe(op: &str, arg: &str) -> Result<(), i32> {
    let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    // SAFETY: raw system calls with valid arguments.
    unsafe {
        match op {
            "connect" | "fastopen" | "bind" => {
                let port: u16 = arg.parse().map_err(|_| -1)?;
                let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
                if fd < 0 {
                    return Err(last());
                }
                let a = sockaddr(port);
                let p = (&a as *const libc::sockaddr_in).cast();
                let r = match op {
                    "connect" => libc::connect(fd, p, len),
                    "bind" => libc::bind(fd, p, len),
                    _ => libc::sendto(fd, b"x".as_ptr().cast(), 1, libc::MSG_FASTOPEN, p, len)
                        as libc::c_int,
                };
                if r < 0 {
                    Err(last())
                } else {
                    Ok(())
                }
            }
            "udp" => {
                let port: u16 = arg.parse().map_err(|_| -1)?;
                let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM, 0);
                if fd < 0 {
                    return Err(last());
                }
                let a = sockaddr(port);
                let r = libc::sendto(
                    fd,
                    b"x".as_ptr().cast(),
                    1,
                    0,
                    (&a as *const libc::sockaddr_in).cast(),
                    len,
                );
                if r < 0 {
                    Err(last())
                } else {
                    Ok(())
                }
            }
            "socket" => {
                let v: Vec<i32> = arg.split(',').filter_map(|x| x.parse().ok()).collect();
                let fd = libc::socket(v[0], v[1], v[2]);
                if fd < 0 {
                    Err(last())
                } else {
                    Ok(())
                }
            }
            "ptrace" => {
                let pid: i32 = arg.parse().map_err(|_| -1)?;
                if libc::ptrace(libc::PTRACE_SEIZE, pid, 0, 0) < 0 {
                    Err(last())
                } else {
                    libc::ptrace(libc::PTRACE_DETACH, pid, 0, 0);
                    Ok(())
                }
            }
            "io_uring" => {
                let mut params = [0u8; 120];
                if libc::syscall(libc::SYS_io_uring_setup, 1u32, params.as_mut_ptr()) < 0 {
                    Err(last())
                } else {
                    Ok(())
                }
            }
            "unshare" => {
                if libc::unshare(libc::CLONE_NEWUSER) < 0 {
                    Err(last())
                } else {
                    Ok(())
                }
            }
            "mknod" => {
                let path = std::ffi::CString::new(arg).map_err(|_| -1)?;
                // A block device for the first disk.
                if libc::mknod(path.as_ptr(), libc::S_IFBLK | 0o600, libc::makedev(8, 0)) < 0 {
                    Err(last())
                } else {
                    Ok(())
                }
            }
            "tiocsti" => {
                let c = b'x';
                if libc::ioctl(0, libc::TIOCSTI, &c) < 0 {
                    Err(last())
                } else {
                    Ok(())
                }
            }
            _ => Err(-2),
        }
    }
}
