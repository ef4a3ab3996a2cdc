//! Linux enforcement: Landlock, seccomp, mount-namespace masking,
//! `no_new_privs` and capability dropping.
//!
//! Everything that allocates, opens paths or compiles happens in
//! [`Prepared::new`], in the parent. [`Prepared::enforce_in_child`] only
//! makes system calls, so it can run between `fork` and `exec` (in
//! `CommandExt::pre_exec`), even when the parent is multi-threaded.

mod landlock;
mod mask;
mod seccomp;
mod selftest;
mod sys;
mod watch;

pub use watch::{SecretWatcher, Watched, MAX_WATCHED_DIRS};

use std::collections::BTreeSet;
use std::ffi::CString;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::Arc;

use std::os::fd::OwnedFd;

use seccompiler::BpfProgram;
use serde::{Deserialize, Serialize};

use crate::{Control, Enforced, HostFacts, Ladder, MaskKind, Missing, Plan, SandboxError};

use mask::PreparedMask;

/// A sandbox ready to enforce: the Landlock ruleset created, the seccomp
/// programs compiled, the masks' paths converted, the host checked against
/// the profile's requirements. Build it once in the parent; enforce it in
/// as many children as needed.
#[derive(Debug)]
pub struct Prepared {
    plan: Plan,
    enforcement: Arc<Enforcement>,
    enforced: Enforced,
    /// Where the self-test keeps its canary secret between runs.
    canary_dir: Option<std::path::PathBuf>,
}

/// What a child applies between fork and exec: data only, ready for
/// system calls.
#[derive(Debug)]
struct Enforcement {
    /// The Landlock ruleset, built with every right a hard requirement (so
    /// a ruleset that exists is fully enforced).
    ruleset: Option<OwnedFd>,
    /// `landlock_restrict_self` flags.
    landlock_flags: u32,
    filters: Vec<BpfProgram>,
    masks: Vec<PreparedMask>,
    /// Enter a private mount namespace even with nothing to mask at start,
    /// so [`hide_in_running`] can mask a secret that appears later.
    private_mounts: bool,
    drop_caps: bool,
    close_fds: bool,
}

/// A prepared sandbox in a form another process can enforce in its own
/// child: warden's small front binary launches the command itself (so it
/// keeps the terminal and its process group) while the daemon prepares.
/// The Landlock ruleset travels beside it as a descriptor (`SCM_RIGHTS`).
/// Canary files and the listener stay with the preparing process (the
/// [`HandoffGuard`]) until the launch is over.
#[derive(Debug, Serialize, Deserialize)]
pub struct Handoff {
    masks: Vec<(CPath, bool, bool)>,
    private_mounts: bool,
    drop_caps: bool,
    close_fds: bool,
    /// Each program's instructions packed as `code | jt << 16 | jf << 24 | k << 32`.
    filters: Vec<Vec<u64>>,
    /// `Some(flags)` when a Landlock ruleset descriptor goes with it.
    landlock_flags: Option<u32>,
    canaries: Option<selftest::CanarySet>,
}

/// What the preparing side keeps while a [`Handoff`] is launched: the
/// canaries' files and listener.
pub struct HandoffGuard {
    _outside: Option<selftest::Outside>,
}

impl std::fmt::Debug for HandoffGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandoffGuard").finish_non_exhaustive()
    }
}

/// A [`Handoff`] received and made ready to enforce.
#[derive(Debug)]
pub struct Adopted {
    enforcement: Arc<Enforcement>,
    canaries: Option<Arc<selftest::CanarySet>>,
}

impl Adopted {
    /// Convert `handoff` (and the ruleset descriptor that came with it)
    /// into the form a child enforces. Fails when they do not match.
    pub fn new(handoff: Handoff, ruleset: Option<OwnedFd>) -> Result<Adopted, SandboxError> {
        let bad = |what: &str| {
            SandboxError::Enforce(io::Error::new(io::ErrorKind::InvalidData, what.to_owned()))
        };
        if handoff.landlock_flags.is_some() != ruleset.is_some() {
            return Err(bad("the Landlock ruleset and its description do not match"));
        }
        let masks = handoff
            .masks
            .into_iter()
            .map(|(target, hide, is_dir)| PreparedMask {
                target: target.0,
                hide,
                is_dir,
            })
            .collect::<Vec<_>>();
        let mut masks = masks;
        mask::order(&mut masks);
        let filters = handoff
            .filters
            .iter()
            .map(|program| {
                if program.is_empty() || program.len() > usize::from(u16::MAX) {
                    return Err(bad("a seccomp program is empty or too long"));
                }
                Ok(program.iter().map(|&i| unpack(i)).collect::<BpfProgram>())
            })
            .collect::<Result<Vec<_>, SandboxError>>()?;
        Ok(Adopted {
            enforcement: Arc::new(Enforcement {
                ruleset,
                landlock_flags: handoff.landlock_flags.unwrap_or(0),
                filters,
                masks,
                private_mounts: handoff.private_mounts,
                drop_caps: handoff.drop_caps,
                close_fds: handoff.close_fds,
            }),
            canaries: handoff.canaries.map(Arc::new),
        })
    }

    /// Install the enforcement, and the canaries when the handoff carries
    /// them, as `cmd`'s `pre_exec` hook (see [`Prepared::attach_self_tested`]).
    /// Without canaries the result is `None`.
    pub fn attach(&self, cmd: &mut Command) -> Result<Option<LaunchSelfTest>, SandboxError> {
        match &self.canaries {
            Some(set) => attach_tested(&self.enforcement, set, cmd).map(Some),
            None => {
                attach_plain(&self.enforcement, cmd);
                Ok(None)
            }
        }
    }
}

/// A path for a system call, in a handoff as hex (a path need not be
/// UTF-8, and JSON spells bytes one number each).
#[derive(Debug, Clone)]
pub(crate) struct CPath(pub(crate) CString);

impl std::ops::Deref for CPath {
    type Target = std::ffi::CStr;
    fn deref(&self) -> &std::ffi::CStr {
        &self.0
    }
}

impl Serialize for CPath {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        crate::plan::hex_bytes::serialize(self.0.as_bytes(), serializer)
    }
}

impl<'de> Deserialize<'de> for CPath {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<CPath, D::Error> {
        use serde::de::Error as _;
        let bytes = crate::plan::hex_bytes::deserialize(deserializer)?;
        CString::new(bytes)
            .map(CPath)
            .map_err(|_| D::Error::custom("a path holds a NUL byte"))
    }
}

fn pack(f: &seccompiler::sock_filter) -> u64 {
    u64::from(f.code) | u64::from(f.jt) << 16 | u64::from(f.jf) << 24 | u64::from(f.k) << 32
}

fn unpack(i: u64) -> seccompiler::sock_filter {
    seccompiler::sock_filter {
        code: (i & 0xffff) as u16,
        jt: (i >> 16 & 0xff) as u8,
        jf: (i >> 24 & 0xff) as u8,
        k: (i >> 32) as u32,
    }
}

fn attach_plain(enforcement: &Arc<Enforcement>, cmd: &mut Command) {
    let me = Arc::clone(enforcement);
    // SAFETY: enforce_in_child is async-signal-safe (system calls only,
    // on data prepared before fork).
    unsafe {
        cmd.pre_exec(move || me.enforce_in_child());
    }
}

fn attach_tested(
    enforcement: &Arc<Enforcement>,
    set: &Arc<selftest::CanarySet>,
    cmd: &mut Command,
) -> Result<LaunchSelfTest, SandboxError> {
    let (read_end, write_end) = selftest::pipe()?;
    let wfd = std::os::fd::AsRawFd::as_raw_fd(&write_end);
    let me = Arc::clone(enforcement);
    let canaries = Arc::clone(set);
    // SAFETY: enforce_in_child and attempt_all are system calls only, on
    // data prepared before fork.
    unsafe {
        cmd.pre_exec(move || {
            let enforced = me.enforce_in_child();
            selftest::write_status(wfd, &enforced);
            enforced?;
            if canaries.attempt_all(wfd) {
                Ok(())
            } else {
                Err(io::Error::from_raw_os_error(libc::EPERM))
            }
        });
    }
    Ok(LaunchSelfTest {
        set: Arc::clone(set),
        read_end,
        write_end: Some(write_end),
        outside: None,
    })
}

impl Prepared {
    /// Prepare `plan` for this host as described by `ladder`.
    ///
    /// Refuses (with [`SandboxError::Refused`]) when a required control is
    /// unavailable. A control that is not required and not available is
    /// listed in [`Enforced::not_enforced`], which the caller must show;
    /// nothing is dropped silently.
    pub fn new(plan: &Plan, ladder: &Ladder) -> Result<Prepared, SandboxError> {
        ladder.check_plan(plan)?;
        let profile = &plan.profile;
        let mut controls = BTreeSet::new();
        let mut not_enforced = Vec::new();
        let mut missing = |c: Control, controls: &mut BTreeSet<Control>, on: bool| {
            if on {
                controls.insert(c);
            } else {
                not_enforced.push(Missing {
                    control: c,
                    why: ladder.rung(c).detail.clone(),
                });
            }
        };

        let mut landlock_flags = 0;
        let ruleset = if ladder.available(Control::FsAllowList) {
            let built = landlock::build(plan, ladder.facts.landlock_abi)?;
            controls.insert(Control::FsAllowList);
            missing(Control::TcpPorts, &mut controls, built.net);
            missing(Control::IpcScope, &mut controls, built.scopes);
            landlock_flags = built.restrict_flags;
            Option::<OwnedFd>::from(built.ruleset)
        } else {
            missing(Control::FsAllowList, &mut controls, false);
            missing(Control::TcpPorts, &mut controls, false);
            missing(Control::IpcScope, &mut controls, false);
            None
        };

        let filters = if ladder.available(Control::Seccomp) {
            controls.insert(Control::Seccomp);
            seccomp::build(&profile.network, &profile.process)?
        } else {
            missing(Control::Seccomp, &mut controls, false);
            Vec::new()
        };
        controls.insert(Control::NoNewPrivs);

        let masks = if plan.needs_masking() {
            if ladder.available(Control::Masking) {
                controls.insert(Control::Masking);
                plan.masks
                    .iter()
                    .map(|m| {
                        Ok(PreparedMask {
                            target: CString::new(m.path.as_os_str().as_encoded_bytes()).map_err(
                                |e| SandboxError::Io {
                                    path: m.path.clone(),
                                    source: io::Error::new(io::ErrorKind::InvalidInput, e),
                                },
                            )?,
                            hide: m.kind == MaskKind::Hide,
                            is_dir: m.is_dir,
                        })
                    })
                    .collect::<Result<Vec<_>, SandboxError>>()?
            } else {
                missing(Control::Masking, &mut controls, false);
                Vec::new()
            }
        } else {
            Vec::new()
        };

        let drop_caps = profile.process.drop_capabilities;
        if drop_caps {
            controls.insert(Control::DropCapabilities);
        }

        if ladder.available(Control::FsAllowList) && ruleset.is_none() {
            return Err(SandboxError::Landlock(
                "the kernel gave no ruleset descriptor".to_owned(),
            ));
        }
        let mut masks = masks;
        mask::order(&mut masks);
        let mask_count = masks.len();
        Ok(Prepared {
            plan: plan.clone(),
            enforcement: Arc::new(Enforcement {
                ruleset,
                landlock_flags,
                filters,
                masks,
                private_mounts: ladder.available(Control::Masking),
                drop_caps,
                close_fds: profile.process.close_inherited_fds,
            }),
            enforced: Enforced {
                landlock_abi: ladder.facts.landlock_abi,
                controls,
                masks: mask_count,
                not_enforced,
            },
            canary_dir: None,
        })
    }

    /// Keep the self-test's canary secret in `dir` (created when absent,
    /// never removed), instead of a fresh directory per self-test: a
    /// launcher that starts many sessions saves the file system work. It
    /// must lie outside every allowed root, else a fresh one is used.
    pub fn with_canary_dir(mut self, dir: std::path::PathBuf) -> Prepared {
        self.canary_dir = Some(dir);
        self
    }

    /// What enforcing will apply.
    pub fn enforced(&self) -> &Enforced {
        &self.enforced
    }

    /// The plan this was prepared from.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Enforce in the calling process: meant for the child between `fork`
    /// and `exec`. Steps, in order:
    ///
    /// 1. mark inherited descriptors above 2 close-on-exec;
    /// 2. enter a private mount namespace (whenever the host allows it, so a
    ///    later [`hide_in_running`] works) and apply the masks;
    /// 3. drop capabilities (root);
    /// 4. set `no_new_privs`;
    /// 5. install the seccomp filters;
    /// 6. restrict itself with the Landlock ruleset (built with every right
    ///    a hard requirement, so it is fully enforced or not built).
    ///
    /// Only system calls: no allocation, no locks. Any failure is an error,
    /// so `Command::spawn` fails instead of running the program less
    /// confined than planned.
    pub fn enforce_in_child(&self) -> io::Result<()> {
        self.enforcement.enforce_in_child()
    }

    /// Install [`enforce_in_child`](Self::enforce_in_child) as `cmd`'s
    /// `pre_exec` hook. The environment is not touched: apply a
    /// [`ScrubbedEnv`](crate::ScrubbedEnv) to `cmd` as well.
    pub fn attach(self: &Arc<Self>, cmd: &mut Command) {
        attach_plain(&self.enforcement, cmd);
    }

    /// Run the canary self-test against this prepared sandbox, in a
    /// throw-away child.
    pub fn self_test(&self) -> Result<crate::SelfTestReport, SandboxError> {
        selftest::run(self)
    }

    /// Like [`attach`](Self::attach), and the launched process itself
    /// proves the sandbox before it becomes the command: between
    /// enforcement and `exec` it tries the launch's canaries (at least one
    /// per control, one per mask, a secret read, a connect that bypasses
    /// the allowed port, a UDP send, ptrace and signals to the launcher;
    /// [`self_test`](Self::self_test) adds every way around a denied read),
    /// and when any behaves otherwise than required it does not exec
    /// (`spawn` fails). One fork instead of two, and the proof is about the
    /// very process that runs the command.
    ///
    /// Call [`LaunchSelfTest::finish`] after `spawn`, whatever it returned,
    /// and drop `cmd` first: its hook holds the canary list.
    pub fn attach_self_tested(
        self: &Arc<Self>,
        cmd: &mut Command,
    ) -> Result<LaunchSelfTest, SandboxError> {
        let (set, outside) =
            selftest::CanarySet::build(self, launcher_pid(), selftest::Depth::Launch)?;
        let mut test = attach_tested(&self.enforcement, &Arc::new(set), cmd)?;
        test.outside = Some(outside);
        Ok(test)
    }

    /// This sandbox as a [`Handoff`] for `launcher` (the process that will
    /// spawn the command; the canaries try its `/proc` files and signal
    /// it), with the Landlock ruleset's descriptor to send beside it. Keep
    /// the guard until the launcher reports the launch done.
    pub fn handoff(
        &self,
        launcher: libc::pid_t,
        self_test: bool,
    ) -> Result<(Handoff, Option<OwnedFd>, HandoffGuard), SandboxError> {
        let e = &self.enforcement;
        let ruleset = match &e.ruleset {
            Some(fd) => Some(
                fd.try_clone()
                    .map_err(|err| SandboxError::Landlock(err.to_string()))?,
            ),
            None => None,
        };
        let (canaries, outside) = if self_test {
            let (set, outside) =
                selftest::CanarySet::build(self, launcher, selftest::Depth::Launch)?;
            (Some(set), Some(outside))
        } else {
            (None, None)
        };
        let handoff = Handoff {
            masks: e
                .masks
                .iter()
                .map(|m| (CPath(m.target.clone()), m.hide, m.is_dir))
                .collect(),
            private_mounts: e.private_mounts,
            drop_caps: e.drop_caps,
            close_fds: e.close_fds,
            filters: e
                .filters
                .iter()
                .map(|p| p.iter().map(pack).collect())
                .collect(),
            landlock_flags: ruleset.as_ref().map(|_| e.landlock_flags),
            canaries,
        };
        Ok((handoff, ruleset, HandoffGuard { _outside: outside }))
    }
}

/// This process's pid, as the canaries' "launcher".
fn launcher_pid() -> libc::pid_t {
    std::process::id() as libc::pid_t
}

/// The self-test of a launch in progress (see
/// [`Prepared::attach_self_tested`]).
pub struct LaunchSelfTest {
    set: Arc<selftest::CanarySet>,
    read_end: std::os::fd::OwnedFd,
    write_end: Option<std::os::fd::OwnedFd>,
    outside: Option<selftest::Outside>,
}

impl std::fmt::Debug for LaunchSelfTest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LaunchSelfTest").finish_non_exhaustive()
    }
}

impl LaunchSelfTest {
    /// The report, once `spawn` has returned (the child has exec'd or
    /// failed). Removes the canary files. An error means the child did not
    /// report (it could not enforce, or died): treat it as a failure.
    pub fn finish(mut self) -> Result<crate::SelfTestReport, SandboxError> {
        use std::io::Read as _;
        drop(self.write_end.take());
        let mut bytes = Vec::new();
        let read = std::fs::File::from(self.read_end).read_to_end(&mut bytes);
        drop(self.outside.take());
        read.map_err(|e| SandboxError::SelfTest(e.to_string()))?;
        self.set.report(&bytes, 0)
    }
}

impl Enforcement {
    fn enforce_in_child(&self) -> io::Result<()> {
        if self.close_fds {
            // SAFETY: close_range only changes descriptor flags.
            let r = unsafe {
                libc::syscall(
                    libc::SYS_close_range,
                    3u32,
                    u32::MAX,
                    libc::CLOSE_RANGE_CLOEXEC,
                )
            };
            if r != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        if !self.masks.is_empty() || self.private_mounts {
            mask::apply_all(&self.masks)?;
        }
        if self.drop_caps {
            drop_capabilities()?;
        }
        // SAFETY: prctl with integer arguments.
        sys::cvt(unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) })?;
        for f in &self.filters {
            // seccompiler's sock_filter has the kernel's (and libc's) layout.
            let program = libc::sock_fprog {
                len: f.len() as u16,
                filter: f.as_ptr().cast_mut().cast::<libc::sock_filter>(),
            };
            // SAFETY: the kernel copies the program; it outlives the call.
            let r = unsafe {
                libc::syscall(
                    libc::SYS_seccomp,
                    libc::SECCOMP_SET_MODE_FILTER,
                    0,
                    &program as *const libc::sock_fprog,
                )
            };
            if r != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        if let Some(ruleset) = &self.ruleset {
            // SAFETY: a ruleset descriptor we own, and integer flags.
            let r = unsafe {
                libc::syscall(
                    libc::SYS_landlock_restrict_self,
                    std::os::fd::AsRawFd::as_raw_fd(ruleset),
                    self.landlock_flags,
                )
            };
            if r != 0 {
                return Err(io::Error::from_raw_os_error(sys::errno().max(libc::EPERM)));
            }
        }
        Ok(())
    }
}

/// Clear the bounding set (needs `CAP_SETPCAP`, which only a privileged
/// launcher has; without it there is nothing to drop), the ambient set, and
/// the effective, permitted and inheritable sets.
fn drop_capabilities() -> io::Result<()> {
    for cap in 0..64 {
        // SAFETY: prctl with integer arguments.
        if unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0) } != 0 {
            match sys::errno() {
                libc::EINVAL | libc::EPERM => break,
                e => return Err(io::Error::from_raw_os_error(e)),
            }
        }
    }
    // SAFETY: prctl with integer arguments.
    let r = unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL,
            0,
            0,
            0,
        )
    };
    if r != 0 && sys::errno() != libc::EINVAL {
        return Err(io::Error::last_os_error());
    }
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    let header = Header {
        version: 0x2008_0522, // _LINUX_CAPABILITY_VERSION_3
        pid: 0,
    };
    let data = [Data {
        effective: 0,
        permitted: 0,
        inheritable: 0,
    }; 2];
    // SAFETY: header and data have the kernel's layout and outlive the call.
    sys::cvt_long(unsafe { libc::syscall(libc::SYS_capset, &header, data.as_ptr()) })?;
    Ok(())
}

/// Fork, run `f` in the child, and report whether it returned true.
/// `f` must be async-signal-safe.
fn in_child(f: &dyn Fn() -> bool) -> bool {
    // SAFETY: the child only runs `f` (system calls) and `_exit`.
    unsafe {
        let pid = libc::fork();
        if pid == 0 {
            libc::_exit(if f() { 0 } else { 1 });
        }
        if pid < 0 {
            return false;
        }
        let mut status = 0;
        while libc::waitpid(pid, &mut status, 0) < 0 {
            if sys::errno() != libc::EINTR {
                return false;
            }
        }
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
    }
}

/// Measure this host (see [`crate::probe`]).
pub(crate) fn host_facts() -> HostFacts {
    // SAFETY: geteuid has no preconditions.
    let privileged = unsafe { libc::geteuid() } == 0;
    let user_namespaces = in_child(&|| {
        // SAFETY: unshare with a flag constant, in a throw-away child.
        unsafe { libc::unshare(libc::CLONE_NEWUSER) == 0 }
    });
    let probe_mask = PreparedMask {
        target: CString::from(c"/dev/null"),
        hide: true,
        is_dir: false,
    };
    let mount_masking = in_child(&|| mask::apply_all(std::slice::from_ref(&probe_mask)).is_ok());
    HostFacts {
        landlock_abi: landlock::kernel_abi(),
        seccomp: seccomp::available(),
        user_namespaces,
        mount_masking,
        privileged,
        supported_os: true,
    }
}

/// Hide `path` inside the running sandbox whose process is `pid`: for a
/// secret that appeared in a writable root after start (the launcher's
/// watcher finds it; this masks it). Works for root and, through the
/// sandbox's user namespace, for the unprivileged user who launched it.
///
/// It narrows the "secrets created after start" gap, it does not close it:
/// a sandboxed process that opened the file before the mask keeps its
/// descriptor. Fails when the sandbox has no private mount namespace (the
/// mask would land in the host's).
pub fn hide_in_running(pid: u32, path: &std::path::Path) -> Result<(), SandboxError> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::MetadataExt;
    let io = |p: &std::path::Path, e: io::Error| SandboxError::Io {
        path: p.to_path_buf(),
        source: e,
    };
    let ns = |name: &str| std::path::PathBuf::from(format!("/proc/{pid}/ns/{name}"));
    let theirs = std::fs::metadata(ns("mnt")).map_err(|e| io(&ns("mnt"), e))?;
    let ours = std::fs::metadata("/proc/self/ns/mnt")
        .map_err(|e| io(std::path::Path::new("/proc/self/ns/mnt"), e))?;
    if (theirs.dev(), theirs.ino()) == (ours.dev(), ours.ino()) {
        return Err(SandboxError::Enforce(io::Error::new(
            io::ErrorKind::Unsupported,
            "the sandbox shares the launcher's mount namespace; nothing can be masked later",
        )));
    }
    let user_theirs = std::fs::metadata(ns("user")).map_err(|e| io(&ns("user"), e))?;
    let user_ours = std::fs::metadata("/proc/self/ns/user")
        .map_err(|e| io(std::path::Path::new("/proc/self/ns/user"), e))?;
    let join_user = (user_theirs.dev(), user_theirs.ino()) != (user_ours.dev(), user_ours.ino());
    let user_fd = std::fs::File::open(ns("user")).map_err(|e| io(&ns("user"), e))?;
    let mnt_fd = std::fs::File::open(ns("mnt")).map_err(|e| io(&ns("mnt"), e))?;
    let is_dir = std::fs::metadata(path).map_err(|e| io(path, e))?.is_dir();
    let target = CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|e| io(path, io::Error::new(io::ErrorKind::InvalidInput, e)))?;
    let m = PreparedMask {
        target,
        hide: true,
        is_dir,
    };
    let (ufd, mfd) = (user_fd.as_raw_fd(), mnt_fd.as_raw_fd());
    // setns into a user namespace needs a single-threaded caller: a forked
    // child is one.
    let ok = in_child(&|| {
        // SAFETY: setns on descriptors opened above, then mount calls.
        unsafe {
            (!join_user || libc::setns(ufd, libc::CLONE_NEWUSER) == 0)
                && libc::setns(mfd, libc::CLONE_NEWNS) == 0
                && mask::apply_mask(&m).is_ok()
        }
    });
    if ok {
        Ok(())
    } else {
        Err(SandboxError::Enforce(io::Error::other(format!(
            "could not mask {} in sandbox process {pid}",
            path.display()
        ))))
    }
}

/// Prepare and enforce `plan` on the calling process (probing the host
/// first). For a single-threaded process that is about to exec (a launcher
/// helper); a multi-threaded process gets [`SandboxError::MultiThreaded`],
/// because the restrictions would cover only the calling thread — prepare in
/// the parent and use [`Prepared::attach`] instead.
pub fn apply(plan: &Plan) -> Result<Enforced, SandboxError> {
    let threads = sys::thread_count();
    if threads != 1 {
        return Err(SandboxError::MultiThreaded(threads));
    }
    let ladder = crate::probe();
    let prepared = Prepared::new(plan, &ladder)?;
    prepared.enforce_in_child().map_err(SandboxError::Enforce)?;
    Ok(prepared.enforced.clone())
}
