//! # warden-sandbox: the kernel-enforced part of `warden run`
//!
//! Hooks only see what an assistant chooses to report. This crate confines
//! the assistant's whole process tree with controls the kernel enforces,
//! whatever the assistant does.
//!
//! ## The model
//!
//! ```text
//! Profile ──Plan::build──> Plan ──Prepared::new(plan, &probe())──> Prepared ──attach(cmd)──> child
//! (OS-neutral:             (paths resolved,   (ruleset created, BPF compiled,      pre_exec: masks, caps,
//!  what must hold)          masks, gaps)       host checked against `required`)     no_new_privs, seccomp,
//!                                                                                  Landlock; then exec
//! ```
//!
//! * [`Profile`] is OS-neutral and serde-ready: workspaces (read-write),
//!   other read-write roots (temp, the assistant's state directory, package
//!   caches), read-only roots (system, toolchains), devices, governance
//!   paths that stay read-only inside writable roots, denied paths that must
//!   never be reachable, allowed TCP ports, process and environment policies,
//!   and the controls that are `required`.
//! * [`Plan::build`] resolves it against the filesystem and works out what an
//!   allow-list cannot express (see below).
//! * [`probe`] measures the host into a [`Ladder`];
//!   [`Ladder::check_required`] refuses a profile that needs a control the
//!   host lacks, with a message naming it ([`Refusal`]). Nothing is ever
//!   downgraded silently: an unavailable control that is not required is
//!   listed in [`Enforced::not_enforced`].
//! * [`Prepared`] does every allocation and path lookup in the parent;
//!   [`Prepared::enforce_in_child`] is system calls only and runs between
//!   `fork` and `exec`. [`Prepared::self_test`] forks a child, enforces, and
//!   tries canary escapes ([`SelfTestReport`]).
//! * [`Prepared::handoff`] gives the prepared sandbox to another process
//!   (warden's front), which [`Adopted`] enforces in its own child: data
//!   only, with the Landlock ruleset as a descriptor.
//! * [`SecretWatcher`] keeps watching the scanned roots during the session.
//! * [`scrub_env`] removes long-lived credentials from the environment by
//!   name pattern and by value shape, reporting names only.
//!
//! ## What is enforced on Linux
//!
//! * **Filesystem** (Landlock, ABI probed): only the granted roots are
//!   reachable. Home is never granted whole; a profile that grants a root
//!   containing it is rejected. Symlinks cannot escape (Landlock checks the
//!   resolved file). Hard links and renames cannot bring a file in from
//!   outside the writable roots (`REFER` is granted only within them), and
//!   no root grants device-node creation. `/proc/PID/environ`, `/proc/PID/mem`
//!   and ptrace of any process outside the sandbox are refused by Landlock's
//!   domain check, for root too.
//! * **Masks** (private mount namespace: root directly, otherwise an
//!   unprivileged user namespace): denied paths inside allowed roots
//!   (`/etc/shadow` in `/etc`), secret-named files in the workspaces and
//!   the listed extra scan roots (`.env`, `*.pem`), files there hard-linked
//!   to a denied file, are hidden (an unopenable
//!   `nodev` bind of `/dev/null`, or an empty read-only tmpfs); governance
//!   paths in writable roots (`.git/hooks`, `.git/config`,
//!   `~/.claude/settings.json`) are bound read-only over themselves.
//! * **Network**: Landlock (ABI ≥ 4) allows TCP `connect` only to the listed
//!   ports and `bind` to none by default; seccomp refuses every socket that
//!   is not a TCP stream (UDP, raw, netlink, packet, MPTCP, SCTP), new Unix
//!   sockets unless allowed, and `MSG_FASTOPEN` sends.
//! * **Process**: `no_new_privs`; seccomp refuses ptrace, mount calls, bpf,
//!   keyrings, modules, kexec, io_uring, userfaultfd, `open_by_handle_at`,
//!   namespace creation, `TIOCSTI`; root's capabilities are dropped;
//!   inherited descriptors are closed at exec; with Landlock ABI ≥ 6,
//!   signals and abstract Unix sockets cannot leave the sandbox.
//!
//! ## Decisions
//!
//! * **ptrace is denied outright** (with `process_vm_readv`/`writev` and
//!   `pidfd_getfd`), not only towards other processes: Landlock already
//!   confines tracing to the sandbox's own processes, and the filter makes
//!   that hold even where Landlock is missing. Debuggers inside need
//!   [`ProcessPolicy::allow_ptrace_descendants`].
//! * **New `AF_UNIX` sockets are denied by default**, although Unix sockets
//!   are local: before Landlock ABI 9 connecting to a pathname socket needs
//!   no filesystem right, so `/run/docker.sock` (root on the host), an
//!   ssh-agent or the D-Bus session bus (and the keyring behind it) would be
//!   one `connect` away. `socketpair(2)` stays allowed.
//!   [`NetworkPolicy::unix_sockets`] turns them back on, and the plan then
//!   says what that opens.
//! * **Namespaces are denied** (`unshare`/`clone` with `CLONE_NEW*`,
//!   `setns`; `clone3` answers `ENOSYS` so the C library falls back to
//!   `clone`): a user namespace gives the sandbox every capability inside
//!   it, and most kernel privilege escalations start there.
//! * **The private mount namespace is always created when the host allows
//!   it**, even with nothing to mask, so [`hide_in_running`] can mask a
//!   secret that appears during the session.
//! * **Older kernels are refused, not degraded**: a required control the
//!   ladder lacks is a [`Refusal`]; only an explicit edit of
//!   [`Profile::required`] accepts the risk, and what is then not in force is
//!   listed in [`Enforced::not_enforced`].
//!
//! ## What is Linux-only
//!
//! Everything that enforces. [`Profile`], [`Plan`], [`scrub_env`], the
//! [`Ladder`] types and the report types compile everywhere; on other
//! systems [`probe`] reports every control unavailable and
//! [`Prepared::new`] fails with [`SandboxError::Unsupported`]. A macOS
//! backend would translate the same profile into a Seatbelt
//! (`sandbox-exec`) profile, which can also deny inside allowed subtrees;
//! it cannot be built or tested on this project's machines.
//!
//! ## Honest gaps
//!
//! * Landlock filters TCP by **port, not address**: a connect to a remote
//!   host on the proxy's port is allowed. Keep the proxy on a port no
//!   remote service listens on; closing this fully needs a network
//!   namespace whose only listener is the proxy.
//! * Kernels before Landlock ABI 4 cannot filter TCP; a profile requiring
//!   [`Control::TcpPorts`] is refused there (a network-namespace fallback is
//!   not implemented, because it would also cut the sandbox off from a proxy
//!   on the host's loopback).
//! * Masks are computed at start. A secret that appears later in a scanned
//!   root (written from outside, or a masked file replaced by a rename,
//!   which detaches its mask) is masked by the launcher's
//!   [`SecretWatcher`] through [`hide_in_running`] within milliseconds; a
//!   process inside can open it in that moment and keeps a descriptor
//!   opened before. The watcher cannot tell who wrote the file, so a
//!   secret-named file the sandbox writes itself is masked too.
//! * An absent governance path can be created inside a writable root, and
//!   a parent directory of a protected path can be renamed away
//!   (`mv .git .git.old`); [`GovernanceSnapshot`] detects both after the
//!   fact, it cannot prevent them.
//! * A hard link to a denied file made *before* start is masked only when
//!   it is found by the scan (bounded by [`ScanPolicy`], not descending into
//!   `skip_dirs` or `.git`).
//! * Secrets committed to the repository's history stay readable through
//!   `.git`; a credential embedded in a workspace's git remote URL is
//!   reported in [`Plan::gaps`], not hidden.
//! * Temp directories and package caches are not scanned for secret-named
//!   files (slow, and full of test fixtures); the plan lists them.
//! * Other processes' `/proc/PID/cmdline` stays readable (the kernel does
//!   not treat it as ptrace-protected): launch tools without secrets on
//!   their command lines.
//! * Landlock's newer rights are not used yet: pathname Unix-socket
//!   connects (ABI 9) and UDP (ABI 10) are left to the seccomp filter, and
//!   kernels newer than ABI 7 are treated as ABI 7.
//! * With [`NetworkPolicy::unix_sockets`] on, pathname Unix sockets can be
//!   connected to without any filesystem right before Landlock ABI 9.

#![warn(missing_docs)]

mod env;
mod error;
mod glob;
mod ladder;
mod plan;
mod profile;
mod selftest;

#[cfg(target_os = "linux")]
mod linux;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

pub use env::{
    credential_kind, default_remove_patterns, scrub_env, EnvPolicy, RemovalReason, Removed,
    ScrubbedEnv,
};
pub use error::{Missing, Refusal, SandboxError};
pub use glob::matches as name_matches;
pub use ladder::{probe, HostFacts, Ladder, Rung};
pub use plan::{Access, FsRule, GovernanceSnapshot, Mask, MaskKind, MaskReason, Plan};
pub use profile::{
    default_denied, default_devices, default_governance, default_home_read_only,
    default_home_read_write, default_system_read_only, default_workspace_governance, Control,
    NetworkPolicy, ProcessPolicy, Profile, ScanPolicy,
};
pub use selftest::{CanaryResult, SelfTestReport};

#[cfg(target_os = "linux")]
pub use linux::{
    apply, hide_in_running, Adopted, Handoff, HandoffGuard, LaunchSelfTest, Prepared,
    SecretWatcher, Watched, MAX_WATCHED_DIRS,
};

/// What a [`Prepared`] sandbox enforces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enforced {
    /// The kernel's Landlock ABI (0: none).
    pub landlock_abi: u32,
    /// The controls that will be in force.
    pub controls: BTreeSet<Control>,
    /// How many paths are masked.
    pub masks: usize,
    /// Controls that would apply to this plan but that the host lacks and
    /// the profile does not require. Show them: they are not in force.
    pub not_enforced: Vec<Missing>,
}

/// Prepare and self-test `plan` on this host: the start-up proof of the
/// capability ladder. Equivalent to `Prepared::new(plan, &probe())?.self_test()`.
#[cfg(target_os = "linux")]
pub fn self_test(plan: &Plan) -> Result<SelfTestReport, SandboxError> {
    Prepared::new(plan, &probe())?.self_test()
}

#[cfg(not(target_os = "linux"))]
mod unsupported {
    use super::*;

    /// A prepared sandbox. On this operating system there is no enforcement
    /// backend: [`Prepared::new`] always fails.
    #[derive(Debug)]
    pub struct Prepared {
        _private: (),
    }

    impl Prepared {
        /// Always [`SandboxError::Unsupported`] on this operating system.
        pub fn new(_plan: &Plan, _ladder: &Ladder) -> Result<Prepared, SandboxError> {
            Err(SandboxError::Unsupported(std::env::consts::OS))
        }
    }

    /// Always [`SandboxError::Unsupported`] on this operating system.
    pub fn apply(_plan: &Plan) -> Result<Enforced, SandboxError> {
        Err(SandboxError::Unsupported(std::env::consts::OS))
    }

    /// Always [`SandboxError::Unsupported`] on this operating system.
    pub fn hide_in_running(_pid: u32, _path: &std::path::Path) -> Result<(), SandboxError> {
        Err(SandboxError::Unsupported(std::env::consts::OS))
    }

    /// Always [`SandboxError::Unsupported`] on this operating system.
    pub fn self_test(_plan: &Plan) -> Result<SelfTestReport, SandboxError> {
        Err(SandboxError::Unsupported(std::env::consts::OS))
    }
}

#[cfg(not(target_os = "linux"))]
pub use unsupported::{apply, hide_in_running, self_test, Prepared};
