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

use std::collections::BTreeSet;
use std::ffi::CString;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::Arc;

use ::landlock::{RulesetCreated, RulesetStatus};
use seccompiler::BpfProgram;

use crate::{Control, Enforced, HostFacts, Ladder, MaskKind, Missing, Plan, SandboxError};

use mask::PreparedMask;

/// A sandbox ready to enforce: the Landlock ruleset created, the seccomp
/// programs compiled, the masks' paths converted, the host checked against
/// the profile's requirements. Build it once in the parent; enforce it in
/// as many children as needed.
#[derive(Debug)]
pub struct Prepared {
    plan: Plan,
    ruleset: Option<RulesetCreated>,
    filters: Vec<BpfProgram>,
    masks: Vec<PreparedMask>,
    /// Enter a private mount namespace even with nothing to mask at start,
    /// so [`hide_in_running`] can mask a secret that appears later.
    private_mounts: bool,
    drop_caps: bool,
    close_fds: bool,
    enforced: Enforced,
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

        let ruleset = if ladder.available(Control::FsAllowList) {
            let built = landlock::build(plan, ladder.facts.landlock_abi)?;
            controls.insert(Control::FsAllowList);
            missing(Control::TcpPorts, &mut controls, built.net);
            missing(Control::IpcScope, &mut controls, built.scopes);
            Some(built.ruleset)
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

        Ok(Prepared {
            plan: plan.clone(),
            ruleset,
            filters,
            masks: masks.clone(),
            private_mounts: ladder.available(Control::Masking),
            drop_caps,
            close_fds: profile.process.close_inherited_fds,
            enforced: Enforced {
                landlock_abi: ladder.facts.landlock_abi,
                controls,
                masks: masks.len(),
                not_enforced,
            },
        })
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
    /// 6. restrict itself with the Landlock ruleset, and fail unless the
    ///    kernel reports it fully enforced.
    ///
    /// Only system calls: no allocation, no locks. Any failure is an error,
    /// so `Command::spawn` fails instead of running the program less
    /// confined than planned.
    pub fn enforce_in_child(&self) -> io::Result<()> {
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
            seccompiler::apply_filter(f).map_err(|e| match e {
                seccompiler::Error::Seccomp(e) | seccompiler::Error::Prctl(e) => e,
                _ => io::Error::from_raw_os_error(libc::EINVAL),
            })?;
        }
        if let Some(ruleset) = &self.ruleset {
            let status = ruleset
                .try_clone()?
                .restrict_self()
                .map_err(|_| io::Error::from_raw_os_error(sys::errno().max(libc::EPERM)))?;
            if status.ruleset != RulesetStatus::FullyEnforced {
                return Err(io::Error::from_raw_os_error(libc::ENOTSUP));
            }
        }
        Ok(())
    }

    /// Install [`enforce_in_child`](Self::enforce_in_child) as `cmd`'s
    /// `pre_exec` hook. The environment is not touched: apply a
    /// [`ScrubbedEnv`](crate::ScrubbedEnv) to `cmd` as well.
    pub fn attach(self: &Arc<Self>, cmd: &mut Command) {
        let me = Arc::clone(self);
        // SAFETY: enforce_in_child is async-signal-safe (system calls only,
        // on data prepared before fork).
        unsafe {
            cmd.pre_exec(move || me.enforce_in_child());
        }
    }

    /// Run the canary self-test against this prepared sandbox.
    pub fn self_test(&self) -> Result<crate::SelfTestReport, SandboxError> {
        selftest::run(self)
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
