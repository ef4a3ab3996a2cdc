//! The daemon's side of `warden run` through the front.
//!
//! A launch costs little in the kernel and a lot in bookkeeping: starting
//! the 25 MB `warden-core`, opening the store, loading the CA, probing the
//! host. The daemon has all of that warm, so the small `warden` front asks
//! it to prepare the session (credential, plan, sandbox, proxy) and then
//! enforces the prepared sandbox in its own child and execs the command
//! itself, so the command keeps the terminal, its process group and its
//! parent. The proxy lives in the daemon until the front's connection
//! closes.
//!
//! Protocol, after the usual header (`"op": "launch"` and the launch
//! token):
//!
//! 1. front → daemon: a frame `{"argv", "cwd", "env"}`;
//! 2. daemon → front: one byte carrying the Landlock ruleset descriptor
//!    (`SCM_RIGHTS`, when Landlock is enforced), then a frame: `{"ok": true,
//!    "program", "args", "env", "notices", "handoff"}`, `{"ok": false,
//!    "error"}` (refused: print and exit 1) or `{"stale": true}` (prepare
//!    in-process instead);
//! 3. front → daemon: `{"spawned": bool, "pid"}` (the canary files can go;
//!    the secret watcher starts on that pid when it is the front's child),
//!    then `{"exit": code}` or end of stream, which ends the session's proxy;
//!    The daemon then compares the governance paths with the snapshot it
//!    took and records every change; the front compares the copy it was
//!    sent (`governance`) and prints them.
//!
//! Only a caller that can read `run/launch.token` (outside every sandbox:
//! `$WARDEN_HOME` is denied inside) and shares the daemon's mount namespace
//! (the paths in the plan are the daemon's) is served.

use crate::client::{peer_pid, read_frame, send_fd, write_frame, LaunchReply, LaunchRequest};
use crate::run::{prepare, Caller};
use serde_json::Value;
use std::ffi::OsString;
use std::os::fd::AsRawFd as _;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use warden_store::Layout;

/// Largest launch request (the caller's environment is in it).
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// Sessions launched through the daemon and still running; an idle daemon
/// does not exit while one runs (their proxies live here).
pub static ACTIVE_SESSIONS: AtomicUsize = AtomicUsize::new(0);

/// A fresh launch token, written to `run/launch.token` (0600).
pub fn write_token(layout: &Layout) -> anyhow::Result<String> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let token = format!(
        "{}{}",
        warden_identity::new_id()?,
        warden_identity::new_id()?
    );
    let path = crate::client::launch_token_path(&layout.root);
    let tmp = path.with_extension(format!("{}", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    std::io::Write::write_all(&mut file, token.as_bytes())?;
    std::fs::rename(&tmp, &path)?;
    Ok(token)
}

/// Equal in time independent of where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn reply(stream: &mut UnixStream, fd: Option<i32>, body: &LaunchReply) {
    if send_fd(stream, fd).is_ok() {
        if let Ok(bytes) = serde_json::to_vec(body) {
            let _ = write_frame(stream, &bytes);
        }
    }
}

fn stale() -> LaunchReply {
    LaunchReply {
        stale: true,
        ..LaunchReply::default()
    }
}

fn refused(error: String) -> LaunchReply {
    LaunchReply {
        ok: Some(false),
        error: Some(error),
        ..LaunchReply::default()
    }
}

/// Is the peer in this process's mount namespace?
fn same_mount_namespace(pid: i32) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    let ns = |p: String| std::fs::metadata(p).map(|m| (m.dev(), m.ino())).ok();
    match (
        ns(format!("/proc/{pid}/ns/mnt")),
        ns("/proc/self/ns/mnt".to_owned()),
    ) {
        (Some(theirs), Some(ours)) => theirs == ours,
        _ => false,
    }
}

/// Serves one launch: prepares it on the calling worker thread, then
/// leaves the session (the proxy, until the command ends) to a thread of
/// its own.
pub fn serve(layout: Layout, token: Arc<String>, header: Value, mut stream: UnixStream) {
    // Timing marks count from the request's arrival.
    let t0 = std::time::Instant::now();
    let presented = header.get("token").and_then(Value::as_str).unwrap_or("");
    if !same_secret(presented.as_bytes(), token.as_bytes()) {
        // A stale token (this daemon replaced another) or a caller that
        // cannot read the token: nothing is prepared; the front prepares
        // in-process, where a sandboxed caller cannot open the store.
        reply(&mut stream, None, &stale());
        return;
    }
    let Some(pid) = peer_pid(&stream).filter(|pid| same_mount_namespace(*pid)) else {
        reply(&mut stream, None, &stale());
        return;
    };
    let Ok(request) = read_frame(&mut stream, MAX_REQUEST_BYTES) else {
        return;
    };
    let Some(caller_and_args) = serde_json::from_slice::<LaunchRequest>(&request)
        .ok()
        .and_then(|r| caller_of(r, pid))
    else {
        reply(&mut stream, None, &stale());
        return;
    };
    let (caller, argv) = caller_and_args;
    // Only `run`'s own arguments are parsed (building warden's whole
    // command line costs more); command-line errors, --help and a global
    // option such as --home are warden-core's to handle.
    let Some(args) = parse_run_args(argv) else {
        reply(&mut stream, None, &stale());
        return;
    };
    ACTIVE_SESSIONS.fetch_add(1, Ordering::SeqCst);
    let active = ActiveGuard;
    // WARDEN_RUN_TIMING in the caller's environment: the daemon's marks
    // are printed with the notices.
    let timing = caller.env.iter().any(|(k, _)| k == "WARDEN_RUN_TIMING");
    let marks = std::cell::RefCell::new(Vec::new());
    let mark = |what: &str| {
        if timing {
            marks.borrow_mut().push(format!(
                "warden: {:>8.2} ms {what} (daemon)",
                t0.elapsed().as_secs_f64() * 1e3
            ));
        }
    };
    mark("request read");
    let prepared = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        prepare(&layout, &args, &caller, true, &mark)
    }));
    let mut launch = match prepared {
        Ok(Ok(launch)) => launch,
        Ok(Err(error)) => {
            let message = warden_classify::secrets::redact(&format!("{error:#}"));
            reply(&mut stream, None, &refused(message));
            return;
        }
        Err(_) => {
            reply(
                &mut stream,
                None,
                &refused("internal error while preparing the launch".to_owned()),
            );
            return;
        }
    };
    let Some((handoff, ruleset, guard)) = launch.handoff.take() else {
        reply(
            &mut stream,
            None,
            &refused("the sandbox was not handed over".to_owned()),
        );
        return;
    };
    let env: Option<Vec<[String; 2]>> = launch
        .env
        .kept
        .iter()
        .map(|(k, v)| Some([k.to_str()?.to_owned(), v.to_str()?.to_owned()]))
        .collect();
    mark("handed over");
    let mut notices = marks.into_inner();
    notices.extend(launch.notices.iter().cloned());
    let Some(env) = env else {
        reply(&mut stream, None, &stale());
        return;
    };
    let body = LaunchReply {
        ok: Some(true),
        program: launch.program.clone(),
        args: launch.args.clone(),
        env,
        notices,
        handoff: Some(handoff),
        governance: Some(launch.governance.clone()),
        ..LaunchReply::default()
    };
    reply(
        &mut stream,
        ruleset.as_ref().map(|fd| fd.as_raw_fd()),
        &body,
    );
    drop(ruleset);
    let front = caller.pid;
    // The rest of the session waits for the command on its own thread; this
    // worker goes back to serving hooks.
    let session = move || {
        let _active = active;
        let mut launch = launch;
        // No timeout: the session lasts as long as the command.
        let _ = stream.set_read_timeout(None);
        // Nothing here competes with the front for the CPU while it
        // spawns: the proxy starts once the command exists (its first
        // connections wait in the listener's backlog until then).
        let Ok(spawned) = read_frame(&mut stream, 1024) else {
            drop(launch);
            return;
        };
        // The canaries have run.
        drop(guard);
        // The command's pid, if it is the front's own child.
        let child = serde_json::from_slice::<Value>(&spawned)
            .ok()
            .and_then(|v| v.get("pid").and_then(Value::as_u64))
            .and_then(|pid| u32::try_from(pid).ok())
            .filter(|pid| parent_of(*pid) == Some(front));
        let proxy = launch.proxy_start.take().map(|start| start());
        if let Some(Err(error)) = &proxy {
            crate::run::record_event(
                &layout,
                &launch,
                &format!(
                    "the session's egress proxy could not start; its command is stopped: {error:#}"
                ),
            );
            // No session runs without its proxy (the port stays held by
            // this session, so nothing else can answer there).
            if let Some(pid) = child.and_then(|p| i32::try_from(p).ok()) {
                // SAFETY: kill has no memory-safety preconditions; the pid
                // was checked to be the front's child.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
        let _proxy = proxy;
        // The watcher of secrets that appear during the session.
        let _watch = child.and_then(|pid| crate::run::watch_secrets(&layout, &mut launch, pid));
        // Open the next launch's store connection while nothing waits.
        crate::run::open_spare_store(&layout);
        // The command ended (its exit frame) or the front went away:
        // compare the governance paths and record the changes (the front
        // compares its own copy and prints them).
        let _ = read_frame(&mut stream, 1024);
        let _ = crate::run::governance_changes(&layout, &launch);
        drop(launch);
    };
    let _ = std::thread::Builder::new()
        .name("warden-session".to_owned())
        .spawn(session);
}
/// Decrements [`ACTIVE_SESSIONS`] however the session ends.
struct ActiveGuard;

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        ACTIVE_SESSIONS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The caller and its `warden run` arguments from a request.
fn caller_of(request: LaunchRequest, pid: i32) -> Option<(Caller, Vec<OsString>)> {
    let cwd = PathBuf::from(request.cwd);
    if !cwd.is_absolute() {
        return None;
    }
    let env = request
        .env
        .into_iter()
        .map(|[k, v]| (OsString::from(k), OsString::from(v)))
        .collect();
    let argv = request.argv.into_iter().map(OsString::from).collect();
    Some((Caller { env, cwd, pid }, argv))
}

/// `warden run`'s arguments, parsed with `run`'s own definition only.
fn parse_run_args(argv: Vec<OsString>) -> Option<crate::cli::RunArgs> {
    use clap::{Args as _, FromArgMatches as _};
    let options = argv.iter().take_while(|a| *a != "--");
    if options
        .clone()
        .any(|a| a == "--home" || a.to_string_lossy().starts_with("--home="))
    {
        return None;
    }
    let command = crate::cli::RunArgs::augment_args(clap::Command::new("run"));
    let matches = command
        .try_get_matches_from(std::iter::once(OsString::from("run")).chain(argv))
        .ok()?;
    crate::cli::RunArgs::from_arg_matches(&matches).ok()
}

/// The parent of process `pid`, from `/proc/PID/stat`.
fn parent_of(pid: u32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: the fields after
    // it start at the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}
