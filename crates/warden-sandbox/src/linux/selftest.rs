//! The canary self-test on Linux.
//!
//! The parent sets up canaries (a secret file in a directory outside every
//! allowed root, a symlink and a hard-link target inside a writable root, a
//! loopback listener on a port that is not allowed), forks, and the child
//! enforces the prepared sandbox exactly as a launch would, then tries each
//! canary with raw system calls and writes one record per canary to a
//! pipe. Nothing the child reads is sent back: only "stopped or not" and the
//! error number.

use std::ffi::CString;
use std::fs;
use std::io::Read as _;
use std::net::TcpListener;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::CPath;

use super::sys::{errno, write_all};
use super::Prepared;
use crate::{Access, CanaryResult, Control, MaskKind, SandboxError, SelfTestReport};

const CANARY_CONTENT: &[u8] = b"warden-sandbox canary secret\n";

/// One attempt, with everything it needs prepared (no allocation in the
/// child).
#[derive(Debug, Serialize, Deserialize)]
enum Op {
    /// Open and read one byte. Stopped: open failed or nothing to read.
    Read(CPath),
    /// Open a directory and list it. Stopped: open failed or it is empty.
    List(CPath),
    /// Open for writing (no truncation). Stopped: the open failed.
    OpenWrite(CPath),
    /// Create a new file (removed again if it worked).
    Create(CPath),
    /// Hard-link (removed again if it worked).
    Link(CPath, CPath),
    /// TCP connect to 127.0.0.1:port. Stopped: EACCES or EPERM.
    Connect(u16),
    /// TCP connect to 127.0.0.2:port, where nothing listens: Landlock
    /// decides by port alone, so this proves the port allowed (refused by
    /// the network stack, not by the sandbox) without a handshake with
    /// whatever serves it on 127.0.0.1. Stopped: EACCES or EPERM.
    ConnectAside(u16),
    /// TCP Fast Open send to 127.0.0.1:port. Stopped: EACCES or EPERM.
    FastOpen(u16),
    /// UDP datagram to 127.0.0.1:port. Stopped: socket or send refused.
    UdpSend(u16),
    /// Create a socket. Stopped: refused.
    Socket(i32, i32, i32),
    /// PTRACE_SEIZE a process (detached again if it worked).
    Ptrace(libc::pid_t),
    /// io_uring_setup. Stopped: refused.
    IoUring,
    /// umount2 of a path that does not exist. Stopped: EPERM (not ENOENT).
    Umount,
    /// Signal 0 to a process. Stopped: EPERM.
    Signal(libc::pid_t),
    /// A user namespace. Stopped: refused.
    Unshare,
    /// no_new_privs is set. "Stopped" means it holds.
    NoNewPrivs,
    /// No capability is effective or permitted. "Stopped" means it holds.
    NoCapabilities,
}

#[derive(Debug, Serialize, Deserialize)]
struct Canary {
    name: String,
    controls: Vec<Control>,
    expect_restricted: bool,
    op: Op,
}

fn cstr(p: &Path) -> Result<CPath, SandboxError> {
    CString::new(p.as_os_str().as_encoded_bytes())
        .map(CPath)
        .map_err(|e| SandboxError::SelfTest(format!("{}: {e}", p.display())))
}

fn denied_errno(e: i32) -> bool {
    e == libc::EACCES || e == libc::EPERM
}

fn loopback(port: u16) -> libc::sockaddr_in {
    // SAFETY: sockaddr_in is plain data; zero is a valid value.
    let mut a: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    a.sin_family = libc::AF_INET as libc::sa_family_t;
    a.sin_port = port.to_be();
    a.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
    a
}

/// Run one canary in the (sandboxed) child: (stopped, errno).
fn attempt(op: &Op) -> (bool, i32) {
    // SAFETY: raw system calls on prepared, NUL-terminated paths and stack
    // buffers; every descriptor opened is closed.
    unsafe {
        match op {
            Op::Read(p) => {
                let fd = libc::open(p.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
                if fd < 0 {
                    return (true, errno());
                }
                let mut b = [0u8; 1];
                let n = libc::read(fd, b.as_mut_ptr().cast(), 1);
                let e = errno();
                libc::close(fd);
                (n <= 0, if n < 0 { e } else { 0 })
            }
            Op::List(p) => {
                let fd = libc::open(
                    p.as_ptr(),
                    libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
                );
                if fd < 0 {
                    return (true, errno());
                }
                let mut buf = [0u8; 2048];
                let mut names = 0;
                loop {
                    let n = libc::syscall(libc::SYS_getdents64, fd, buf.as_mut_ptr(), buf.len());
                    if n <= 0 {
                        break;
                    }
                    let mut off = 0usize;
                    while off + 19 < n as usize {
                        let reclen = u16::from_ne_bytes([buf[off + 16], buf[off + 17]]) as usize;
                        let name = &buf[off + 19..];
                        let is_dot = name.starts_with(b".\0") || name.starts_with(b"..\0");
                        if !is_dot {
                            names += 1;
                        }
                        if reclen == 0 {
                            break;
                        }
                        off += reclen;
                    }
                }
                libc::close(fd);
                (names == 0, 0)
            }
            Op::OpenWrite(p) => {
                let fd = libc::open(p.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
                if fd < 0 {
                    return (true, errno());
                }
                libc::close(fd);
                (false, 0)
            }
            Op::Create(p) => {
                let fd = libc::open(
                    p.as_ptr(),
                    libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC,
                    0o600,
                );
                if fd < 0 {
                    let e = errno();
                    // A name already taken proves nothing: not stopped.
                    return (e != libc::EEXIST, e);
                }
                libc::close(fd);
                libc::unlink(p.as_ptr());
                (false, 0)
            }
            Op::Link(src, dst) => {
                if libc::link(src.as_ptr(), dst.as_ptr()) != 0 {
                    let e = errno();
                    // A name already taken proves nothing: not stopped.
                    return (e != libc::EEXIST, e);
                }
                libc::unlink(dst.as_ptr());
                (false, 0)
            }
            Op::Connect(port) | Op::FastOpen(port) | Op::ConnectAside(port) => {
                // Non-blocking: Landlock decides in connect() itself, so an
                // allowed connect answers EINPROGRESS at once instead of
                // waiting for the handshake.
                let fd = libc::socket(
                    libc::AF_INET,
                    libc::SOCK_STREAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                    0,
                );
                if fd < 0 {
                    return (true, errno());
                }
                let mut a = loopback(*port);
                if matches!(op, Op::ConnectAside(_)) {
                    a.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::new(127, 0, 0, 2)).to_be();
                }
                let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
                let r = if matches!(op, Op::FastOpen(_)) {
                    libc::sendto(
                        fd,
                        b"x".as_ptr().cast(),
                        1,
                        libc::MSG_FASTOPEN | libc::MSG_NOSIGNAL,
                        (&a as *const libc::sockaddr_in).cast(),
                        len,
                    ) as libc::c_int
                } else {
                    libc::connect(fd, (&a as *const libc::sockaddr_in).cast(), len)
                };
                let e = if r < 0 { errno() } else { 0 };
                libc::close(fd);
                (r < 0 && denied_errno(e), e)
            }
            Op::UdpSend(port) => {
                let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
                if fd < 0 {
                    return (true, errno());
                }
                let a = loopback(*port);
                let r = libc::sendto(
                    fd,
                    b"x".as_ptr().cast(),
                    1,
                    0,
                    (&a as *const libc::sockaddr_in).cast(),
                    std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
                );
                let e = if r < 0 { errno() } else { 0 };
                libc::close(fd);
                (r < 0 && denied_errno(e), e)
            }
            Op::Socket(d, t, p) => {
                let fd = libc::socket(*d, *t | libc::SOCK_CLOEXEC, *p);
                if fd < 0 {
                    return (true, errno());
                }
                libc::close(fd);
                (false, 0)
            }
            Op::Ptrace(pid) => {
                let r = libc::ptrace(libc::PTRACE_SEIZE, *pid, 0, 0);
                if r < 0 {
                    return (true, errno());
                }
                libc::ptrace(libc::PTRACE_DETACH, *pid, 0, 0);
                (false, 0)
            }
            Op::IoUring => {
                let mut params = [0u8; 120];
                let fd = libc::syscall(libc::SYS_io_uring_setup, 1u32, params.as_mut_ptr());
                if fd < 0 {
                    return (true, errno());
                }
                libc::close(fd as libc::c_int);
                (false, 0)
            }
            Op::Umount => {
                let r = libc::umount2(c"/nonexistent-warden-canary".as_ptr(), 0);
                let e = if r < 0 { errno() } else { 0 };
                (r < 0 && e == libc::EPERM, e)
            }
            Op::Signal(pid) => {
                let r = libc::kill(*pid, 0);
                let e = if r < 0 { errno() } else { 0 };
                (r < 0 && e == libc::EPERM, e)
            }
            Op::Unshare => {
                let r = libc::unshare(libc::CLONE_NEWUSER);
                (r < 0, if r < 0 { errno() } else { 0 })
            }
            Op::NoNewPrivs => {
                let r = libc::prctl(libc::PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
                (r == 1, 0)
            }
            Op::NoCapabilities => {
                #[repr(C)]
                struct Header {
                    version: u32,
                    pid: i32,
                }
                let mut h = Header {
                    version: 0x2008_0522,
                    pid: 0,
                };
                let mut data = [0u32; 6];
                let r = libc::syscall(libc::SYS_capget, &mut h, data.as_mut_ptr());
                if r != 0 {
                    return (false, errno());
                }
                // effective, permitted of both 32-bit halves.
                (
                    data[0] == 0 && data[1] == 0 && data[3] == 0 && data[4] == 0,
                    0,
                )
            }
        }
    }
}

/// 16 random bytes, hex.
fn random_hex() -> Result<String, SandboxError> {
    let mut bytes = [0u8; 16];
    // SAFETY: getrandom writes at most the buffer's length.
    let n = unsafe { libc::getrandom(bytes.as_mut_ptr().cast(), bytes.len(), 0) };
    if n != bytes.len() as isize {
        return Err(SandboxError::SelfTest(
            "no randomness for the canary names".to_owned(),
        ));
    }
    Ok(crate::plan::hex_bytes::encode(&bytes))
}

/// The kept canary directory `dir`, created (0700) when absent, if it lies
/// outside every allowed root.
fn kept_canary_dir(dir: &Path, plan: &crate::Plan) -> Option<PathBuf> {
    use std::os::unix::fs::DirBuilderExt as _;
    let _ = fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir);
    let dir = crate::plan::canonicalize(dir).ok()?;
    plan.covering_rule(&dir).is_none().then_some(dir)
}

/// Where to put the secret canary: a directory outside every allowed root
/// where this process can create a subdirectory.
fn canary_home(prepared: &Prepared) -> Option<PathBuf> {
    let plan = &prepared.plan;
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(d) = std::env::var_os("XDG_RUNTIME_DIR") {
        candidates.push(PathBuf::from(d));
    }
    if let Some(h) = &plan.profile.home {
        candidates.push(h.clone());
    }
    candidates.extend(["/var/tmp", "/tmp", "/run", "/dev/shm"].map(PathBuf::from));
    let unique = format!(
        ".warden-canary-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    for c in candidates {
        let Ok(c) = crate::plan::canonicalize(&c) else {
            continue;
        };
        if plan.covering_rule(&c).is_some() {
            continue;
        }
        let dir = c.join(&unique);
        if fs::create_dir(&dir).is_ok() {
            return Some(dir);
        }
    }
    None
}

/// Removes the canary files when the self-test ends.
struct Cleanup(Vec<PathBuf>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for p in self.0.iter().rev() {
            if p.is_dir() {
                let _ = fs::remove_dir_all(p);
            } else {
                let _ = fs::remove_file(p);
            }
        }
    }
}

/// The canaries of one self-test, with what they need outside the sandbox
/// (files, a listener), removed when this is dropped.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct CanarySet {
    canaries: Vec<Canary>,
    notes: Vec<String>,
}

/// How many canaries a self-test tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Depth {
    /// Every canary: each way around each control (`warden doctor`).
    Full,
    /// At least one canary per control, every mask, and the attempts the
    /// start-up check must make (a secret read, a connect that bypasses
    /// the proxy, a UDP send, ptrace of the launcher): each launch.
    Launch,
}

/// What the canaries need outside the sandbox while they run: their files
/// (removed on drop) and a loopback listener on a port that is not allowed.
pub(super) struct Outside {
    _cleanup: Cleanup,
    _listener: TcpListener,
}

impl CanarySet {
    /// Set up every canary `prepared` can prove (in the parent: allocates,
    /// creates files).
    pub(super) fn build(
        prepared: &Prepared,
        launcher: libc::pid_t,
        depth: Depth,
    ) -> Result<(CanarySet, Outside), SandboxError> {
        let full = depth == Depth::Full;
        let plan = &prepared.plan;
        let enforced = &prepared.enforced;
        let has = |c: Control| enforced.controls.contains(&c);
        let mut canaries: Vec<Canary> = Vec::new();
        let mut notes = Vec::new();
        let mut cleanup = Cleanup(Vec::new());
        let st = |e: std::io::Error| SandboxError::SelfTest(e.to_string());
        let mut add = |name: String, controls: &[Control], expect_restricted: bool, op: Op| {
            canaries.push(Canary {
                name,
                controls: controls.to_vec(),
                expect_restricted,
                op,
            })
        };
        let fs_ctl = [Control::FsAllowList];

        // A writable root for positive checks, symlinks and link targets:
        // prefer a non-workspace one (temp), so nothing appears in the project.
        let writable: Option<PathBuf> = {
            let ws: Vec<PathBuf> = plan
                .profile
                .workspaces
                .iter()
                .filter_map(|w| crate::plan::canonicalize(w).ok())
                .collect();
            let rw: Vec<&PathBuf> = plan
                .rules
                .iter()
                .filter(|r| r.access == Access::ReadWrite && r.is_dir)
                .map(|r| &r.path)
                .collect();
            rw.iter()
                .find(|p| !ws.contains(p))
                .or(rw.first())
                .map(|p| (*p).clone())
        };
        // Random: a daemon runs many self-tests at once, and a session must
        // not be able to plant files under the names a later one will use.
        let tag = format!(".warden-selftest-{}", random_hex()?);

        if has(Control::FsAllowList) {
            // The secret canary outside every root: in the kept directory
            // when one is set, else in a fresh one removed afterwards.
            let kept = prepared
                .canary_dir
                .as_deref()
                .and_then(|d| kept_canary_dir(d, plan));
            let fresh = || canary_home(prepared);
            match kept.clone().or_else(fresh) {
            Some(dir) => {
                let secret = dir.join("id_canary");
                if kept.is_none() {
                    cleanup.0.push(dir.clone());
                    fs::write(&secret, CANARY_CONTENT).map_err(st)?;
                } else if fs::read(&secret).ok().as_deref() != Some(CANARY_CONTENT) {
                    fs::write(&secret, CANARY_CONTENT).map_err(st)?;
                }
                add(
                    format!("read canary secret {}", secret.display()),
                    &fs_ctl,
                    true,
                    Op::Read(cstr(&secret)?),
                );
                // The ways around a denied read (through /proc, a symlink,
                // a hard link) and the canary directory itself: the full
                // battery (`warden doctor`); a launch proves the control.
                if full {
                add(
                    format!("read it via /proc/self/root{}", secret.display()),
                    &fs_ctl,
                    true,
                    Op::Read(cstr(&Path::new("/proc/self/root").join(
                        secret.strip_prefix("/").unwrap_or(&secret),
                    ))?),
                );
                add(
                    format!("list {}", dir.display()),
                    &fs_ctl,
                    true,
                    Op::List(cstr(&dir)?),
                );
                add(
                    format!("create a file in {}", dir.display()),
                    &fs_ctl,
                    true,
                    Op::Create(cstr(&dir.join("planted"))?),
                );
                if let Some(w) = &writable {
                    let link = w.join(format!("{tag}-symlink"));
                    if std::os::unix::fs::symlink(&secret, &link).is_ok() {
                        cleanup.0.push(link.clone());
                        add(
                            format!("read it through a symlink in {}", w.display()),
                            &fs_ctl,
                            true,
                            Op::Read(cstr(&link)?),
                        );
                    }
                }
                // A hard link can only be attempted on the canary's own
                // filesystem; across filesystems it fails anyway (EXDEV),
                // which would prove nothing.
                use std::os::unix::fs::MetadataExt;
                let dev = fs::metadata(&dir).map(|m| m.dev()).ok();
                let same_fs = plan
                    .rules
                    .iter()
                    .filter(|r| r.access == Access::ReadWrite && r.is_dir)
                    .map(|r| &r.path)
                    .find(|p| fs::metadata(p).map(|m| m.dev()).ok() == dev);
                match same_fs {
                    Some(w) => add(
                        format!("hard-link it into {}", w.display()),
                        &fs_ctl,
                        true,
                        Op::Link(cstr(&secret)?, cstr(&w.join(format!("{tag}-hardlink")))?),
                    ),
                    None => notes.push(format!(
                        "no writable root shares a filesystem with {}: the hard-link canary was skipped (a link across filesystems is impossible anyway)",
                        dir.display()
                    )),
                }
                }
            }
            None => notes.push(
                "no directory outside the allowed roots was writable: the secret canary was skipped"
                    .to_string(),
            ),
        }
            // Real denied paths (opened, never printed or returned).
            for d in plan
                .denied_resolved
                .iter()
                .filter(|d| plan.covering_rule(d).is_none())
                .take(if full { 8 } else { 2 })
            {
                let op = if d.is_dir() {
                    Op::List(cstr(d)?)
                } else {
                    Op::Read(cstr(d)?)
                };
                add(format!("read denied {}", d.display()), &fs_ctl, true, op);
            }
            // Another process's secrets through /proc.
            let ppid = launcher;
            add(
                format!("read /proc/{ppid}/environ of the launcher"),
                &fs_ctl,
                true,
                Op::Read(cstr(Path::new(&format!("/proc/{ppid}/environ")))?),
            );
            if let Some(w) = &writable {
                add(
                    format!("create a file in writable {}", w.display()),
                    &fs_ctl,
                    false,
                    Op::Create(cstr(&w.join(format!("{tag}-ok")))?),
                );
            }
        }

        if has(Control::Masking) {
            for m in &plan.masks {
                let p = cstr(&m.path)?;
                let (name, op) = match (m.kind, m.is_dir) {
                    (MaskKind::Hide, false) => {
                        (format!("read masked {}", m.path.display()), Op::Read(p))
                    }
                    (MaskKind::Hide, true) => {
                        (format!("list masked {}", m.path.display()), Op::List(p))
                    }
                    (MaskKind::ReadOnly, false) => (
                        format!("write governance file {}", m.path.display()),
                        Op::OpenWrite(p),
                    ),
                    (MaskKind::ReadOnly, true) => (
                        format!("create a file in governance dir {}", m.path.display()),
                        Op::Create(cstr(&m.path.join(format!("{tag}-planted")))?),
                    ),
                };
                add(name, &[Control::Masking], true, op);
            }
        }

        // Network.
        let allowed = &plan.profile.network.connect_tcp_ports;
        let listener = loop {
            let l = TcpListener::bind("127.0.0.1:0").map_err(st)?;
            let port = l.local_addr().map_err(st)?.port();
            if !allowed.contains(&port) {
                break l;
            }
        };
        let port = listener.local_addr().map_err(st)?.port();
        if has(Control::TcpPorts) {
            add(
                format!("TCP connect to 127.0.0.1:{port} (not allowed)"),
                &[Control::TcpPorts],
                true,
                Op::Connect(port),
            );
            add(
                format!("TCP Fast Open send to 127.0.0.1:{port}"),
                &[Control::TcpPorts, Control::Seccomp],
                true,
                Op::FastOpen(port),
            );
            for p in allowed.iter().take(4) {
                add(
                    format!("TCP connect to 127.0.0.2:{p} (allowed port; nothing listens there)"),
                    &[Control::TcpPorts],
                    false,
                    Op::ConnectAside(*p),
                );
            }
        }
        if has(Control::Seccomp) {
            let sc = [Control::Seccomp];
            add(
                "UDP send to 127.0.0.1:53 (DNS)".into(),
                &sc,
                true,
                Op::UdpSend(53),
            );
            add(
                "raw ICMP socket".into(),
                &sc,
                true,
                Op::Socket(libc::AF_INET, libc::SOCK_RAW, libc::IPPROTO_ICMP),
            );
            add(
                "IPv6 UDP socket".into(),
                &sc,
                true,
                Op::Socket(libc::AF_INET6, libc::SOCK_DGRAM, 0),
            );
            add(
                "netlink socket".into(),
                &sc,
                true,
                Op::Socket(libc::AF_NETLINK, libc::SOCK_RAW, 0),
            );
            add(
                "packet socket".into(),
                &sc,
                true,
                Op::Socket(libc::AF_PACKET, libc::SOCK_RAW, 0),
            );
            add(
                "MPTCP stream socket".into(),
                &sc,
                true,
                Op::Socket(libc::AF_INET, libc::SOCK_STREAM, 262),
            );
            if !plan.profile.network.unix_sockets {
                add(
                    "new Unix socket".into(),
                    &sc,
                    true,
                    Op::Socket(libc::AF_UNIX, libc::SOCK_STREAM, 0),
                );
            }
            add("io_uring_setup".into(), &sc, true, Op::IoUring);
            add("umount2".into(), &sc, true, Op::Umount);
            if !plan.profile.process.allow_ptrace_descendants {
                add(
                    "ptrace the launcher".into(),
                    &[Control::Seccomp, Control::FsAllowList],
                    true,
                    Op::Ptrace(launcher),
                );
            }
            if !plan.profile.process.allow_namespaces {
                add("create a user namespace".into(), &sc, true, Op::Unshare);
            }
        } else if has(Control::FsAllowList) {
            add(
                "ptrace the launcher".into(),
                &fs_ctl,
                true,
                Op::Ptrace(launcher),
            );
        }
        if has(Control::IpcScope) {
            add(
                "signal the launcher".into(),
                &[Control::IpcScope],
                true,
                Op::Signal(launcher),
            );
        }
        add(
            "gain privileges through exec (no_new_privs must be set)".into(),
            &[Control::NoNewPrivs],
            true,
            Op::NoNewPrivs,
        );
        if has(Control::DropCapabilities) {
            add(
                "hold any effective or permitted capability".into(),
                &[Control::DropCapabilities],
                true,
                Op::NoCapabilities,
            );
        }
        Ok((
            CanarySet { canaries, notes },
            Outside {
                _cleanup: cleanup,
                _listener: listener,
            },
        ))
    }

    /// In the sandboxed child, after enforcement: try every canary and write
    /// one record each to `wfd`. True when every canary behaved as required.
    /// System calls only.
    pub(super) fn attempt_all(&self, wfd: RawFd) -> bool {
        let mut all_passed = true;
        // Records go out a buffer at a time, not one write each.
        let mut buf = [0u8; 5 * 64];
        let mut used = 0;
        for c in &self.canaries {
            let (stopped, e) = attempt(&c.op);
            all_passed &= stopped == c.expect_restricted;
            buf[used] = u8::from(stopped);
            buf[used + 1..used + 5].copy_from_slice(&e.to_le_bytes());
            used += 5;
            if used == buf.len() {
                let _ = write_all(wfd, &buf);
                used = 0;
            }
        }
        let _ = write_all(wfd, &buf[..used]);
        all_passed
    }

    /// Turn the child's records (status byte, then five bytes per canary) into
    /// the report.
    pub(super) fn report(&self, bytes: &[u8], status: i32) -> Result<SelfTestReport, SandboxError> {
        match bytes.first() {
            Some(0) => {}
            Some(_) if bytes.len() >= 5 => {
                let e = i32::from_le_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]);
                return Err(SandboxError::SelfTest(format!(
                    "enforcing the sandbox in the test child failed: {}",
                    std::io::Error::from_raw_os_error(e)
                )));
            }
            _ => {
                return Err(SandboxError::SelfTest(format!(
                    "the test child ended without a report (wait status {status:#x})"
                )))
            }
        }
        let records = &bytes[1..];
        if records.len() != self.canaries.len() * 5 {
            return Err(SandboxError::SelfTest(format!(
                "the test child reported {} of {} canaries (wait status {status:#x})",
                records.len() / 5,
                self.canaries.len()
            )));
        }
        let results = self
            .canaries
            .iter()
            .zip(records.chunks_exact(5))
            .map(|(c, r)| CanaryResult {
                name: c.name.clone(),
                controls: c.controls.clone(),
                expect_restricted: c.expect_restricted,
                restricted: r[0] == 1,
                errno: i32::from_le_bytes([r[1], r[2], r[3], r[4]]),
            })
            .collect();
        Ok(SelfTestReport::from_canaries(results, self.notes.clone()))
    }
}

/// A close-on-exec pipe: (read end, write end).
pub(super) fn pipe() -> Result<(OwnedFd, OwnedFd), SandboxError> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills the array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(SandboxError::SelfTest(
            std::io::Error::last_os_error().to_string(),
        ));
    }
    // SAFETY: both descriptors were just created and are owned here.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Write the child's status byte: 0, or 1 and the errno enforcement failed
/// with.
pub(super) fn write_status(wfd: RawFd, enforced: &std::io::Result<()>) {
    match enforced {
        Ok(()) => {
            let _ = write_all(wfd, &[0u8]);
        }
        Err(e) => {
            let mut rec = [1u8; 5];
            rec[1..].copy_from_slice(&e.raw_os_error().unwrap_or(0).to_le_bytes());
            let _ = write_all(wfd, &rec);
        }
    }
}

/// The self-test in a throw-away child (`warden doctor`, [`Prepared::self_test`]).
pub(super) fn run(prepared: &Prepared) -> Result<SelfTestReport, SandboxError> {
    let (set, outside) =
        CanarySet::build(prepared, std::process::id() as libc::pid_t, Depth::Full)?;
    let st = |e: std::io::Error| SandboxError::SelfTest(e.to_string());
    let (read_end, write_end) = pipe()?;
    let wfd = write_end.as_raw_fd();
    // SAFETY: the child runs only system calls on data prepared above, then
    // _exit; it never returns into Rust code that could allocate or unwind.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(st(std::io::Error::last_os_error()));
    }
    if pid == 0 {
        let enforced = prepared.enforce_in_child();
        write_status(wfd, &enforced);
        if enforced.is_ok() {
            set.attempt_all(wfd);
        }
        // SAFETY: terminate the child without running destructors.
        unsafe { libc::_exit(i32::from(enforced.is_err())) };
    }
    drop(write_end);
    let mut bytes = Vec::new();
    let read = fs::File::from(read_end).read_to_end(&mut bytes);
    let mut status = 0;
    // SAFETY: pid is our child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    drop(outside);
    read.map_err(st)?;
    set.report(&bytes, status)
}
