//! `warden`: the front door.
//!
//! A hook call must cost about a millisecond, and most of what a process
//! costs is its own start-up, which grows with the binary. So `warden` is
//! small: for `warden [--home DIR] hook claude-code …` it reads the payload
//! and asks warden's daemon, which holds the parsed policies and the open
//! audit log. `warden run` likewise asks the daemon to prepare the session
//! (credential, sandbox, proxy) and then launches the command itself, in
//! the sandbox the daemon handed over. Everything else, and a hook or a
//! launch when no daemon is usable, is handed to `warden-core` (the full
//! CLI, installed beside this binary), which works in-process. Nothing fails open: any failure on the hook
//! path exits 2.

// The daemon-side items of the protocol module are unused here.
#[allow(dead_code)]
mod client;

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

/// Largest payload read from stdin; `warden-core` applies the same limit.
const MAX_PAYLOAD_BYTES: u64 = client::MAX_FRAME_BYTES as u64;

/// The parts of a hook command line the front needs.
struct HookCall {
    home: Option<PathBuf>,
    agent: Option<String>,
    timeout_ms: u64,
    no_daemon: bool,
}

/// Recognises `[--home DIR] hook claude-code [--agent A] [--timeout-ms N] [--no-daemon]`:
/// None when this is not a hook call (it goes to warden-core unchanged),
/// `Some(Err)` when it is one with options that do not parse (blocked).
fn parse_hook(args: &[OsString]) -> Option<Result<HookCall, String>> {
    let mut call = HookCall {
        home: None,
        agent: None,
        timeout_ms: 5000,
        no_daemon: false,
    };
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        let text = arg.to_str()?;
        if text == "--home" {
            call.home = Some(PathBuf::from(args.get(i + 1)?));
            i += 2;
        } else if let Some(dir) = text.strip_prefix("--home=") {
            call.home = Some(PathBuf::from(dir));
            i += 1;
        } else {
            break;
        }
    }
    if args.get(i).map(OsString::as_os_str) != Some(OsStr::new("hook"))
        || args.get(i + 1).map(OsString::as_os_str) != Some(OsStr::new("claude-code"))
    {
        return None;
    }
    let mut options = || -> Result<(), String> {
        let mut j = i + 2;
        while let Some(arg) = args.get(j) {
            let value = |k: usize| {
                args.get(k)
                    .and_then(|v| v.to_str())
                    .ok_or("a hook option is missing its value")
            };
            match arg.to_str().ok_or("a hook argument is not UTF-8")? {
                "--agent" => {
                    call.agent = Some(value(j + 1)?.to_owned());
                    j += 2;
                }
                "--timeout-ms" => {
                    call.timeout_ms = value(j + 1)?
                        .parse()
                        .ok()
                        .filter(|t| (50..=60_000).contains(t))
                        .ok_or("--timeout-ms must be 50 to 60000")?;
                    j += 2;
                }
                "--no-daemon" => {
                    call.no_daemon = true;
                    j += 1;
                }
                other => return Err(format!("unknown hook option {other:?}")),
            }
        }
        Ok(())
    };
    // `--help` is for warden-core to print.
    if args.iter().any(|a| a == "--help" || a == "-h") {
        return None;
    }
    Some(options().map(|()| call))
}

/// `warden-core`, beside this binary.
fn core_binary() -> Option<PathBuf> {
    let me = std::env::current_exe().ok()?;
    let core = me.parent()?.join("warden-core");
    core.exists().then_some(core)
}

/// Warden's state directory, found exactly as warden-core finds it.
fn warden_home(explicit: Option<PathBuf>) -> Option<PathBuf> {
    explicit.or_else(|| {
        warden_store::home_from(
            std::env::var_os("WARDEN_HOME").as_deref(),
            std::env::var_os("XDG_CONFIG_HOME").as_deref(),
            std::env::var_os("HOME").as_deref(),
        )
        .ok()
    })
}

/// Written by the watchdog; async-signal-safe (a static byte string).
static WATCHDOG_MESSAGE: &[u8] = b"warden: the hook did not finish in time; denied to stay safe\n";

/// warden-core's pid while it decides in-process, so the deadline ends it too.
static CHILD_PID: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_deadline(_signal: libc::c_int) {
    let child = CHILD_PID.load(Ordering::SeqCst);
    // SAFETY: kill(2), write(2) and _exit(2) are async-signal-safe; the
    // buffer is static.
    unsafe {
        if child > 0 {
            libc::kill(child, libc::SIGKILL);
        }
        libc::write(2, WATCHDOG_MESSAGE.as_ptr().cast(), WATCHDOG_MESSAGE.len());
        libc::_exit(2);
    }
}

/// Exits 2 when the deadline passes, so a hang never becomes Claude Code's
/// "timeout means proceed". A SIGALRM timer rather than a thread: creating
/// a thread costs a noticeable share of a hook call.
fn arm_watchdog(deadline: Duration) {
    let timer = libc::itimerval {
        it_interval: libc::timeval {
            tv_sec: 0,
            tv_usec: 0,
        },
        it_value: libc::timeval {
            tv_sec: libc::time_t::try_from(deadline.as_secs()).unwrap_or(5),
            tv_usec: libc::suseconds_t::from(deadline.subsec_micros()),
        },
    };
    let handler: extern "C" fn(libc::c_int) = on_deadline;
    // SAFETY: the handler only calls async-signal-safe functions; the
    // timer struct is valid for the call.
    unsafe {
        libc::signal(libc::SIGALRM, handler as libc::sighandler_t);
        libc::setitimer(libc::ITIMER_REAL, &timer, std::ptr::null_mut());
    }
}

fn block(reason: &str) -> ExitCode {
    let mut line = format!("warden: {reason}; denied to stay safe");
    line.retain(|c| c != '\n' && c != '\r');
    eprintln!("{line}");
    ExitCode::from(2)
}

fn hook(args: &[OsString], call: HookCall) -> ExitCode {
    std::panic::set_hook(Box::new(|_| {
        eprintln!("warden: internal error in the hook; denied to stay safe");
        std::process::exit(2);
    }));
    let deadline = Duration::from_millis(call.timeout_ms);
    arm_watchdog(deadline);
    let mut payload = Vec::new();
    if std::io::stdin()
        .lock()
        .take(MAX_PAYLOAD_BYTES + 1)
        .read_to_end(&mut payload)
        .is_err()
    {
        return block("cannot read the hook payload");
    }
    if payload.len() as u64 > MAX_PAYLOAD_BYTES {
        return block("the hook payload is too large");
    }
    if !call.no_daemon {
        if let Some(root) = warden_home(call.home.clone()) {
            match client::ask(&root, call.agent.as_deref(), &payload, deadline) {
                Some(client::Reply::Answer(stdout)) => {
                    let mut out = std::io::stdout().lock();
                    return match writeln!(out, "{stdout}").and_then(|()| out.flush()) {
                        Ok(()) => ExitCode::SUCCESS,
                        Err(_) => block("cannot write the answer"),
                    };
                }
                Some(client::Reply::Block(reason)) => return block(&reason),
                None => {}
            }
        }
    }
    // No usable daemon: warden-core decides in-process with the same payload.
    let Some(core) = core_binary() else {
        return block("warden-core is not installed beside warden");
    };
    let mut command = Command::new(&core);
    command.args(args);
    if !call.no_daemon {
        command.arg("--no-daemon");
    }
    let mut child = match command.stdin(Stdio::piped()).spawn() {
        Ok(child) => child,
        Err(_) => return block("cannot start warden-core"),
    };
    CHILD_PID.store(i32::try_from(child.id()).unwrap_or(0), Ordering::SeqCst);
    if let Some(mut stdin) = child.stdin.take() {
        if stdin.write_all(&payload).is_err() {
            let _ = child.kill();
            return block("cannot hand the payload to warden-core");
        }
    }
    let code = match child.wait() {
        Ok(status) if status.code() == Some(0) => ExitCode::SUCCESS,
        // Anything else, a signal included, blocks.
        _ => ExitCode::from(2),
    };
    if !call.no_daemon && std::env::var_os("WARDEN_NO_DAEMON").is_none() {
        start_daemon(&core, call.home.as_ref());
    }
    code
}

/// Starts warden's daemon in the background for the next hook calls. Its
/// own process group, so it outlives this hook; if another hook starts one
/// at the same moment, the second finds the socket taken and exits.
fn start_daemon(core: &std::path::Path, home: Option<&PathBuf>) {
    let mut command = Command::new(core);
    if let Some(home) = home {
        command.arg("--home").arg(home);
    }
    let _ = command
        .args(["daemon", "run"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn();
}

/// Recognises `[--home DIR] run …` without `--help`: the home and the
/// arguments after `run`.
fn parse_run(args: &[OsString]) -> Option<(Option<PathBuf>, &[OsString])> {
    let (home, rest) = match args.first()?.to_str()? {
        "--home" => (Some(PathBuf::from(args.get(1)?)), &args[2..]),
        text => match text.strip_prefix("--home=") {
            Some(dir) => (Some(PathBuf::from(dir)), &args[1..]),
            None => (None, args),
        },
    };
    if rest.first()?.as_os_str() != OsStr::new("run") {
        return None;
    }
    let options = rest[1..]
        .iter()
        .take_while(|a| a.as_os_str() != OsStr::new("--"));
    if options.clone().any(|a| a == "--help" || a == "-h") {
        return None;
    }
    Some((home, &rest[1..]))
}

/// `warden run` prepared by the daemon and launched here (see the
/// daemon's `launcher` module): the command stays this process's child, in
/// the terminal's process group. `None`: no usable daemon, so warden-core
/// prepares the launch itself.
fn run_through_daemon(home: Option<PathBuf>, run_args: &[OsString]) -> Option<ExitCode> {
    use serde_json::json;
    use std::os::unix::net::UnixStream;
    if std::env::var_os("WARDEN_NO_DAEMON").is_some() {
        return None;
    }
    let t0 = std::time::Instant::now();
    let timing = std::env::var_os("WARDEN_RUN_TIMING").is_some();
    let mark = |what: &str| {
        if timing {
            eprintln!(
                "warden: {:>8.2} ms {what} (front)",
                t0.elapsed().as_secs_f64() * 1e3
            );
        }
    };
    let root = warden_home(home)?;
    let token = std::fs::read_to_string(client::launch_token_path(&root)).ok()?;
    let mut stream = UnixStream::connect(client::socket_path(&root)).ok()?;
    if client::peer_uid(&stream)? != client::own_uid() {
        return None;
    }
    // Preparing takes milliseconds; the first launch on a machine creates
    // the local CA.
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    stream
        .set_write_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let header = json!({
        "v": client::PROTOCOL,
        "version": env!("CARGO_PKG_VERSION"),
        "op": "launch",
        "token": token.trim(),
    });
    // Anything that is not UTF-8 goes to warden-core, which handles it.
    let request = client::LaunchRequest {
        argv: run_args
            .iter()
            .map(|a| a.to_str().map(str::to_owned))
            .collect::<Option<_>>()?,
        cwd: std::env::current_dir()
            .ok()?
            .into_os_string()
            .into_string()
            .ok()?,
        env: std::env::vars_os()
            .map(|(k, v)| Some([k.into_string().ok()?, v.into_string().ok()?]))
            .collect::<Option<_>>()?,
    };
    client::write_frame(&mut stream, header.to_string().as_bytes()).ok()?;
    client::write_frame(&mut stream, &serde_json::to_vec(&request).ok()?).ok()?;
    mark("request sent");
    let ruleset = client::recv_fd(&stream).ok()?;
    let reply: client::LaunchReply =
        serde_json::from_slice(&client::read_frame(&mut stream, client::MAX_FRAME_BYTES).ok()?)
            .ok()?;
    match reply.ok {
        Some(true) => {}
        Some(false) => {
            let mut line = format!(
                "warden: {}",
                reply
                    .error
                    .as_deref()
                    .unwrap_or("the daemon refused the launch")
            );
            line.retain(|c| c != '\n' && c != '\r');
            eprintln!("{line}");
            return Some(ExitCode::from(1));
        }
        None => return None,
    }
    mark("reply");
    let governance = reply.governance;
    let adopted = warden_sandbox::Adopted::new(reply.handoff?, ruleset).ok()?;
    let program = reply.program;
    let mut command = Command::new(&program);
    command.args(&reply.args).env_clear();
    command.envs(reply.env.iter().map(|[name, value]| (name, value)));
    let self_test = adopted.attach(&mut command).ok()?;
    for line in &reply.notices {
        eprintln!("{line}");
    }
    mark("adopted");
    let spawned = command.spawn();
    drop(command);
    mark("spawned");
    // The canaries have run: the daemon may remove their files.
    let _ = client::write_frame(
        &mut stream,
        json!({
            "spawned": spawned.is_ok(),
            "pid": spawned.as_ref().ok().map(std::process::Child::id),
        })
        .to_string()
        .as_bytes(),
    );
    if let Some(self_test) = self_test {
        if let Err(refusal) = client::judge_self_test(self_test.finish()) {
            if let Ok(mut child) = spawned {
                let _ = child.kill();
                let _ = child.wait();
            }
            eprintln!("warden: {refusal}");
            return Some(ExitCode::from(1));
        }
    }
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            eprintln!("warden: cannot run {program} in the sandbox: {e}");
            return Some(ExitCode::from(1));
        }
    };
    client::ignore_terminal_signals();
    mark("running");
    let code = child.wait().map(client::exit_code).unwrap_or(1);
    mark("command done");
    let _ = client::write_frame(&mut stream, json!({ "exit": code }).to_string().as_bytes());
    // What changed among the governance paths (the daemon records it).
    if let Some(snapshot) = &governance {
        for path in snapshot.changes() {
            eprintln!("{}", client::governance_line(&path));
        }
    }
    Some(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    match parse_hook(&args) {
        Some(Ok(call)) => return hook(&args, call),
        Some(Err(reason)) => return block(&format!("invalid hook arguments: {reason}")),
        None => {}
    }
    if let Some((home, run_args)) = parse_run(&args) {
        if let Some(code) = run_through_daemon(home, run_args) {
            return code;
        }
    }
    let Some(core) = core_binary() else {
        eprintln!("warden: warden-core is not installed beside this binary");
        return ExitCode::from(1);
    };
    // Every other command is warden-core's: replace this process with it.
    let error = Command::new(core).args(&args).exec();
    eprintln!("warden: cannot run warden-core: {error}");
    ExitCode::from(1)
}
