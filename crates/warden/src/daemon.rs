//! `warden daemon`: a resident per-user process for the hooks.
//!
//! Parsing the Cedar policies costs milliseconds per process, more than
//! the rest of a hook call together, so the daemon keeps the policies
//! parsed (with the candidate index built), the audit log open and the
//! signing key loaded. A hook process then only connects, sends the payload
//! and prints the answer.
//!
//! Security of the channel:
//! * the socket lives in `$WARDEN_HOME/run/` (mode 0700) with mode 0600;
//! * every connection's peer credentials are checked (`SO_PEERCRED`): only
//!   the daemon's own user is served;
//! * the protocol has two operations: "decide and record this hook
//!   payload", and "prepare a `warden run` launch" (`launcher.rs`), which
//!   only a caller that can read the launch token in `run/` (so not a
//!   sandboxed process) may use; nothing else can be changed through it;
//! * a hook that cannot reach the daemon decides in-process; nothing fails
//!   open. A daemon from another warden version is not used.
//!
//! The wire format is in the `client` module.

use crate::client::{
    own_uid, peer_uid, pid_path, read_frame, run_dir, socket_path, write_frame, MAX_HEADER_BYTES,
    PROTOCOL,
};
use crate::hook::{Caller, HookState};
use anyhow::{bail, Context as _};
use serde_json::{json, Value};

use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::os::unix::process::CommandExt as _;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use warden_adapters::claude_hook::MAX_PAYLOAD_BYTES;
use warden_store::Layout;

fn serve_connection(launch: &LaunchContext, state: &HookState, mut stream: UnixStream) {
    if peer_uid(&stream) != Some(own_uid()) {
        return;
    }
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let Ok(header) = read_frame(&mut stream, MAX_HEADER_BYTES) else {
        return;
    };
    let Ok(header) = serde_json::from_slice::<Value>(&header) else {
        return;
    };
    let current = header.get("v").and_then(Value::as_u64) == Some(PROTOCOL)
        && header.get("version").and_then(Value::as_str) == Some(env!("CARGO_PKG_VERSION"));
    if !current {
        let _ = write_frame(&mut stream, json!({ "stale": true }).to_string().as_bytes());
        return;
    }
    if header.get("op").and_then(Value::as_str) == Some("launch") {
        crate::launcher::serve(
            launch.layout.clone(),
            Arc::clone(&launch.token),
            header,
            stream,
        );
        return;
    }
    // The daemon decides for the caller: the environment classification
    // reads (HOME for `~`, TMPDIR for temp paths, XDG_CONFIG_HOME for git's
    // global config) must be the caller's, else the hook decides in-process.
    let same_env = ["home", "tmpdir", "xdg_config_home"]
        .iter()
        .zip(["HOME", "TMPDIR", "XDG_CONFIG_HOME"])
        .all(|(key, var)| {
            header.get(*key).and_then(Value::as_str) == std::env::var(var).ok().as_deref()
        });
    if !same_env {
        let _ = write_frame(&mut stream, json!({ "stale": true }).to_string().as_bytes());
        return;
    }
    let budget = header
        .get("deadline_ms")
        .and_then(Value::as_u64)
        .map(|ms| Duration::from_millis(ms.min(MAX_DEADLINE_MS)))
        .unwrap_or(Duration::from_secs(5));
    let caller = Caller {
        agent: header
            .get("agent")
            .and_then(Value::as_str)
            .map(str::to_owned),
        human: header
            .get("human")
            .and_then(Value::as_str)
            .map(str::to_owned),
        deadline: std::time::Instant::now() + budget,
        credential: header
            .get("credential")
            .and_then(Value::as_str)
            .filter(|c| !c.trim().is_empty())
            .map(str::to_owned),
    };
    let Ok(payload) = read_frame(&mut stream, MAX_PAYLOAD_BYTES) else {
        return;
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        state.handle(&payload, &caller)
    }));
    let reply = match outcome {
        Ok(Ok(answer)) => json!({ "ok": true, "stdout": answer.stdout }),
        Ok(Err(reason)) => {
            json!({ "ok": false, "error": warden_classify::secrets::redact(&reason) })
        }
        Err(_) => json!({ "ok": false, "error": "internal error in the daemon" }),
    };
    let _ = write_frame(&mut stream, reply.to_string().as_bytes());
}

/// What a launch needs from the daemon.
struct LaunchContext {
    layout: Layout,
    token: Arc<String>,
}

/// `warden daemon run`: serve in the foreground until killed.
pub fn serve(layout: &Layout) -> anyhow::Result<ExitCode> {
    // A panic message can quote a payload; the log gets one quiet line.
    std::panic::set_hook(Box::new(|_| {
        eprintln!("warden daemon: internal error (a request was denied)")
    }));
    let state = Arc::new(HookState::open(layout).map_err(anyhow::Error::msg)?);
    let dir = run_dir(&layout.root);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
    let socket = socket_path(&layout.root);
    if UnixStream::connect(&socket).is_ok() {
        bail!("a warden daemon already serves {}", socket.display());
    }
    let _ = std::fs::remove_file(&socket);
    let listener =
        UnixListener::bind(&socket).with_context(|| format!("cannot bind {}", socket.display()))?;
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600))?;
    std::fs::write(pid_path(&layout.root), format!("{}\n", std::process::id()))?;
    eprintln!("warden daemon serving {}", socket.display());
    let last_used = Arc::new(AtomicU64::new(now_secs()));
    {
        // An idle daemon goes away; the next hook starts a fresh one.
        let last_used = Arc::clone(&last_used);
        let socket = socket.clone();
        let pid = pid_path(&layout.root);
        let _ = std::thread::Builder::new()
            .name("warden-idle".to_owned())
            .spawn(move || loop {
                std::thread::sleep(Duration::from_secs(30));
                let sessions = crate::launcher::ACTIVE_SESSIONS.load(Ordering::SeqCst);
                if sessions == 0
                    && now_secs().saturating_sub(last_used.load(Ordering::Relaxed)) > IDLE_EXIT_SECS
                {
                    let _ = std::fs::remove_file(&socket);
                    let _ = std::fs::remove_file(&pid);
                    std::process::exit(0);
                }
            });
    }
    // A few resident workers, each waiting in accept() on the same socket:
    // the kernel wakes one per connection, with no hand-off between
    // threads, and no thread is created per call (thread creation and exit
    // cost more than deciding).
    let launch = Arc::new(LaunchContext {
        layout: layout.clone(),
        token: Arc::new(
            crate::launcher::write_token(layout).context("cannot write the launch token")?,
        ),
    });
    crate::run::open_spare_store(layout);
    let mut workers = Vec::new();
    for n in 0..WORKERS {
        let launch = Arc::clone(&launch);
        let listener = listener
            .try_clone()
            .context("cannot share the daemon socket")?;
        let state = Arc::clone(&state);
        let last_used = Arc::clone(&last_used);
        let worker = std::thread::Builder::new()
            .name(format!("warden-worker-{n}"))
            .spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else {
                        // Out of descriptors or similar: back off, do not spin.
                        std::thread::sleep(Duration::from_millis(10));
                        continue;
                    };
                    last_used.store(now_secs(), Ordering::Relaxed);
                    serve_connection(&launch, &state, stream);
                }
            })
            .context("cannot start a daemon worker")?;
        workers.push(worker);
    }
    for worker in workers {
        let _ = worker.join();
    }
    Ok(ExitCode::SUCCESS)
}

/// The longest budget a caller may ask for (the hook's own maximum).
const MAX_DEADLINE_MS: u64 = 60_000;

/// Connections served at once.
const WORKERS: usize = 4;

/// A daemon unused for this long exits.
const IDLE_EXIT_SECS: u64 = 30 * 60;

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn running_pid(layout: &Layout) -> Option<i32> {
    UnixStream::connect(socket_path(&layout.root)).ok()?;
    std::fs::read_to_string(pid_path(&layout.root))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// `warden daemon start`: run the daemon detached.
pub fn start(layout: &Layout) -> anyhow::Result<ExitCode> {
    match ensure_started(layout)? {
        Started::Already(pid) => println!("warden daemon already running (pid {pid})"),
        Started::Now(pid) => println!("warden daemon started (pid {pid})"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether [`ensure_started`] found the daemon or started it.
pub enum Started {
    /// It was running, with this pid.
    Already(i32),
    /// It was started now, with this pid.
    Now(u32),
}

/// Starts the daemon unless it runs, and waits until it answers (quietly,
/// for `warden run`, whose output belongs to the command it runs).
pub fn ensure_started(layout: &Layout) -> anyhow::Result<Started> {
    if let Some(pid) = running_pid(layout) {
        return Ok(Started::Already(pid));
    }
    let binary = std::env::current_exe().context("cannot find warden's own binary")?;
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(layout.root.join("daemon.log"))
        .context("cannot open the daemon log")?;
    // Its own process group: the terminal's Ctrl-C (sent to the foreground
    // group) must not end the daemon other sessions' proxies live in.
    let child = std::process::Command::new(binary)
        .arg("--home")
        .arg(&layout.root)
        .args(["daemon", "run"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .process_group(0)
        .spawn()
        .context("cannot start the daemon")?;
    // Wait until it answers, at most two seconds.
    for _ in 0..200 {
        if UnixStream::connect(socket_path(&layout.root)).is_ok() {
            return Ok(Started::Now(child.id()));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    bail!(
        "the daemon did not start; see {}",
        layout.root.join("daemon.log").display()
    )
}

/// `warden daemon stop`.
pub fn stop(layout: &Layout) -> anyhow::Result<ExitCode> {
    let Some(pid) = running_pid(layout) else {
        println!("warden daemon is not running");
        return Ok(ExitCode::SUCCESS);
    };
    // SAFETY: kill has no memory-safety preconditions.
    if unsafe { libc::kill(pid, libc::SIGTERM) } != 0 {
        bail!("cannot stop the daemon (pid {pid})");
    }
    for _ in 0..200 {
        if UnixStream::connect(socket_path(&layout.root)).is_err() {
            let _ = std::fs::remove_file(socket_path(&layout.root));
            let _ = std::fs::remove_file(pid_path(&layout.root));
            println!("warden daemon stopped");
            return Ok(ExitCode::SUCCESS);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    bail!("the daemon (pid {pid}) did not stop")
}

/// `warden daemon status`.
pub fn status(layout: &Layout) -> anyhow::Result<ExitCode> {
    match running_pid(layout) {
        Some(pid) => {
            println!(
                "warden daemon running (pid {pid}) on {}",
                socket_path(&layout.root).display()
            );
            Ok(ExitCode::SUCCESS)
        }
        None => {
            println!("warden daemon not running; hooks decide in-process");
            Ok(ExitCode::from(3))
        }
    }
}
