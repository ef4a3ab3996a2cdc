//! The client side of warden's daemon protocol, shared by the thin
//! `warden` front binary and the full CLI. Kept free of heavy crates: the
//! front binary's start-up time is most of a hook call's cost.
//!
//! Wire format (both directions): a 4-byte big-endian length, then that
//! many bytes. Request: a JSON header `{"v", "version", "agent"}`, then the
//! raw payload as a second frame. Response: one JSON frame
//! `{"ok": bool, "stdout": <answer JSON>, "error": <reason>}`, or
//! `{"stale": true}` from a daemon of another version.

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::os::unix::io::AsRawFd;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The protocol version.
pub const PROTOCOL: u64 = 1;
/// Largest header frame.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Largest payload or reply frame (a PostToolUse can carry a whole file).
pub const MAX_FRAME_BYTES: usize = 8 * 1024 * 1024;

/// `$WARDEN_HOME/run`, mode 0700.
pub fn run_dir(root: &Path) -> PathBuf {
    root.join("run")
}

/// The daemon's socket.
pub fn socket_path(root: &Path) -> PathBuf {
    run_dir(root).join("daemon.sock")
}

/// The daemon's pid file.
pub fn pid_path(root: &Path) -> PathBuf {
    run_dir(root).join("daemon.pid")
}

/// Writes one length-prefixed frame.
pub fn write_frame(stream: &mut UnixStream, bytes: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(bytes.len()).map_err(|_| std::io::Error::other("frame too large"))?;
    stream.write_all(&len.to_be_bytes())?;
    stream.write_all(bytes)
}

/// Reads one length-prefixed frame of at most `max` bytes.
pub fn read_frame(stream: &mut UnixStream, max: usize) -> std::io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    stream.read_exact(&mut len)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > max {
        return Err(std::io::Error::other("frame too large"));
    }
    let mut bytes = vec![0u8; len];
    stream.read_exact(&mut bytes)?;
    Ok(bytes)
}

/// The credentials (`SO_PEERCRED`) of the process at the other end of a
/// Unix socket.
fn peer_cred(stream: &UnixStream) -> Option<libc::ucred> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `len` bytes into `cred`, a properly
    // sized and aligned ucred, and the fd is a live socket we own.
    let rc = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    (rc == 0 && len as usize == std::mem::size_of::<libc::ucred>()).then_some(cred)
}

/// The uid of the process at the other end of a Unix socket.
pub fn peer_uid(stream: &UnixStream) -> Option<u32> {
    peer_cred(stream).map(|cred| cred.uid)
}

/// This process's effective uid.
pub fn own_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// The human at the keyboard: `WARDEN_HUMAN` when set (an enrolled
/// identity), else `USER` or `LOGNAME`, else the account name of the
/// process's user (services and containers often set neither variable).
pub fn current_human() -> Option<String> {
    human_from(|k| std::env::var(k).ok())
}

/// [`current_human`] from another process's environment.
pub fn human_from(var: impl Fn(&str) -> Option<String>) -> Option<String> {
    ["WARDEN_HUMAN", "USER", "LOGNAME"]
        .iter()
        .find_map(|k| var(k).filter(|v| !v.trim().is_empty()))
        .or_else(account_name)
}

/// The name of the real user's account in the password database.
fn account_name() -> Option<String> {
    let mut buf = vec![0u8; 4096];
    // SAFETY: a zeroed passwd is a valid out-parameter for getpwuid_r.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is to live, writable memory of the given size;
    // getpwuid_r writes the entry's strings into `buf` only.
    let rc = unsafe {
        libc::getpwuid_r(
            libc::getuid(),
            &mut pwd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
        return None;
    }
    // SAFETY: pw_name points to a NUL-terminated string inside `buf`,
    // which outlives this borrow.
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
    name.to_str()
        .ok()
        .map(str::to_owned)
        .filter(|n| !n.is_empty())
}

/// What the daemon answered.
pub enum Reply {
    /// The answer to print (exit 0).
    Answer(Value),
    /// A reason to block (exit 2).
    Block(String),
}

/// Asks the daemon under `root` to decide and record a payload. None means
/// "no usable daemon" (none running, another user's, another version, a
/// broken exchange): the caller decides in-process.
pub fn ask(root: &Path, agent: Option<&str>, payload: &[u8], deadline: Duration) -> Option<Reply> {
    let mut stream = UnixStream::connect(socket_path(root)).ok()?;
    // The daemon must be ours: a socket planted by someone else is ignored.
    if peer_uid(&stream)? != own_uid() {
        return None;
    }
    let io_deadline = deadline
        .saturating_sub(Duration::from_millis(200))
        .max(Duration::from_millis(50));
    stream.set_read_timeout(Some(io_deadline)).ok()?;
    stream.set_write_timeout(Some(io_deadline)).ok()?;
    let human = current_human();
    let header = json!({
        "v": PROTOCOL,
        "version": env!("CARGO_PKG_VERSION"),
        "agent": agent,
        "human": human,
        // A launched session's credential, presented by the hook process.
        "credential": std::env::var("WARDEN_SESSION_CREDENTIAL").ok(),
        "home": std::env::var("HOME").ok(),
        "tmpdir": std::env::var("TMPDIR").ok(),
        "xdg_config_home": std::env::var("XDG_CONFIG_HOME").ok(),
        // What is left of the hook's deadline when the daemon starts.
        "deadline_ms": u64::try_from(io_deadline.as_millis()).unwrap_or(u64::MAX),
    });
    write_frame(&mut stream, header.to_string().as_bytes()).ok()?;
    write_frame(&mut stream, payload).ok()?;
    let reply = read_frame(&mut stream, MAX_FRAME_BYTES).ok()?;
    let reply: Value = serde_json::from_slice(&reply).ok()?;
    if reply.get("stale").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    match reply.get("ok").and_then(Value::as_bool) {
        // An answer without its JSON is a broken exchange: decide in-process.
        Some(true) => reply
            .get("stdout")
            .filter(|v| v.is_object())
            .cloned()
            .map(Reply::Answer),
        Some(false) => Some(Reply::Block(
            reply
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("the daemon refused the payload")
                .to_owned(),
        )),
        None => None,
    }
}

/// The daemon's launch token: `run/launch.token`, mode 0600, rewritten at
/// every daemon start. Reading it proves the caller is outside every
/// sandbox: `$WARDEN_HOME` is denied inside, while the socket is not (hooks
/// inside reach the daemon through it), so only a process outside can ask
/// the daemon to launch a session.
pub fn launch_token_path(root: &Path) -> PathBuf {
    run_dir(root).join("launch.token")
}

/// Sends one byte, carrying `fd` as `SCM_RIGHTS` when there is one.
pub fn send_fd(stream: &UnixStream, fd: Option<std::os::fd::RawFd>) -> std::io::Result<()> {
    let byte = [u8::from(fd.is_some())];
    let mut iov = libc::iovec {
        iov_base: byte.as_ptr().cast_mut().cast(),
        iov_len: 1,
    };
    // Room for one descriptor, aligned for cmsghdr.
    let mut control = [0u64; 4];
    // SAFETY: a zeroed msghdr is valid; every pointer set below is to live
    // memory of the stated size.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    if let Some(fd) = fd {
        // SAFETY: CMSG_SPACE/CMSG_LEN are pure computations; the control
        // buffer holds CMSG_SPACE(sizeof(int)) bytes, and CMSG_FIRSTHDR of
        // a msghdr with that buffer points inside it.
        unsafe {
            let space = libc::CMSG_SPACE(std::mem::size_of::<libc::c_int>() as u32) as usize;
            msg.msg_control = control.as_mut_ptr().cast();
            msg.msg_controllen = space;
            let cmsg = libc::CMSG_FIRSTHDR(&msg);
            (*cmsg).cmsg_level = libc::SOL_SOCKET;
            (*cmsg).cmsg_type = libc::SCM_RIGHTS;
            (*cmsg).cmsg_len = libc::CMSG_LEN(std::mem::size_of::<libc::c_int>() as u32) as usize;
            std::ptr::write_unaligned(libc::CMSG_DATA(cmsg).cast::<libc::c_int>(), fd);
        }
    }
    // SAFETY: msg points to live buffers for the duration of the call.
    let sent = unsafe { libc::sendmsg(stream.as_raw_fd(), &msg, libc::MSG_NOSIGNAL) };
    if sent == 1 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Receives the byte [`send_fd`] sent and the descriptor it carries (the
/// front's side).
#[allow(dead_code)]
pub fn recv_fd(stream: &UnixStream) -> std::io::Result<Option<std::os::fd::OwnedFd>> {
    use std::os::fd::FromRawFd as _;
    let mut byte = [0u8; 1];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr().cast(),
        iov_len: 1,
    };
    let mut control = [0u64; 4];
    // SAFETY: as in send_fd; the kernel writes at most msg_controllen bytes.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&control);
    // SAFETY: msg points to live buffers for the duration of the call;
    // received descriptors are close-on-exec.
    let got = unsafe { libc::recvmsg(stream.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) };
    if got != 1 {
        return Err(if got < 0 {
            std::io::Error::last_os_error()
        } else {
            std::io::Error::other("the daemon closed the connection")
        });
    }
    if msg.msg_flags & libc::MSG_CTRUNC != 0 {
        return Err(std::io::Error::other("unexpected descriptors"));
    }
    let mut fd = None;
    // SAFETY: walking the control messages the kernel wrote into `control`.
    unsafe {
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        if !cmsg.is_null()
            && (*cmsg).cmsg_level == libc::SOL_SOCKET
            && (*cmsg).cmsg_type == libc::SCM_RIGHTS
            && (*cmsg).cmsg_len
                == libc::CMSG_LEN(std::mem::size_of::<libc::c_int>() as u32) as usize
        {
            let raw = std::ptr::read_unaligned(libc::CMSG_DATA(cmsg).cast::<libc::c_int>());
            fd = Some(std::os::fd::OwnedFd::from_raw_fd(raw));
        }
    }
    if fd.is_some() != (byte[0] == 1) {
        return Err(std::io::Error::other(
            "the descriptor and its marker disagree",
        ));
    }
    Ok(fd)
}

/// The pid of the process at the other end of a Unix socket.
pub fn peer_pid(stream: &UnixStream) -> Option<i32> {
    peer_cred(stream)
        .map(|cred| cred.pid)
        .filter(|pid| *pid > 0)
}

/// A launch request, the front's second frame (see the daemon's `launcher`
/// module): `warden run`'s arguments, and the caller's directory and whole
/// environment.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct LaunchRequest {
    /// The arguments after `run`.
    pub argv: Vec<String>,
    /// The caller's working directory (absolute).
    pub cwd: String,
    /// The caller's environment.
    pub env: Vec<[String; 2]>,
}

/// The daemon's answer to a launch (see the daemon's `launcher` module).
/// Serialized as one JSON object.
#[derive(serde::Serialize, serde::Deserialize, Default)]
pub struct LaunchReply {
    /// Prepared (`Some(true)`), refused (`Some(false)`, with `error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<bool>,
    /// Prepare in-process instead.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stale: bool,
    /// Why the launch was refused (one line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The program to run.
    #[serde(default)]
    pub program: String,
    /// Its arguments.
    #[serde(default)]
    pub args: Vec<String>,
    /// The command's whole environment.
    #[serde(default)]
    pub env: Vec<[String; 2]>,
    /// Lines for the developer's terminal.
    #[serde(default)]
    pub notices: Vec<String>,
    /// The prepared sandbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff: Option<warden_sandbox::Handoff>,
    /// The governance paths before the command runs, for the front to
    /// compare when it ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub governance: Option<warden_sandbox::GovernanceSnapshot>,
}

/// The line a launcher prints for a governance path that changed during a
/// session.
pub fn governance_line(path: &Path) -> String {
    format!(
        "warden: governance path changed during the session: {} (review it before an assistant runs outside warden)",
        path.display()
    )
}

/// The verdict on a launch's self-test: `Err` with the refusal to print.
pub fn judge_self_test(
    report: Result<warden_sandbox::SelfTestReport, warden_sandbox::SandboxError>,
) -> Result<(), String> {
    match report {
        Ok(report) if report.failed.is_empty() => Ok(()),
        Ok(report) => Err(format!(
            "refusing to start: the sandbox self-test failed on this host:\n{}",
            report.render()
        )),
        Err(e) => Err(format!(
            "refusing to start: the sandbox self-test could not run: {e}"
        )),
    }
}

/// Ignore SIGINT and SIGQUIT in a launcher once its command runs: the
/// terminal's interrupt and quit are the command's (same process group),
/// and the launcher stays so the session's proxy lives on.
pub fn ignore_terminal_signals() {
    // SAFETY: setting a signal's disposition to SIG_IGN has no
    // preconditions.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_IGN);
        libc::signal(libc::SIGQUIT, libc::SIG_IGN);
    }
}

/// A launcher's exit code for its command's status: the command's own, or
/// 128 + the signal that ended it.
pub fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt as _;
    status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}
