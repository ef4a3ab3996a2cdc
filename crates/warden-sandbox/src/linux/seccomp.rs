//! The seccomp-bpf filter (built in the parent with `seccompiler`, installed
//! in the child).
//!
//! Default allow; the listed calls fail with `EPERM`:
//!
//! * mount-table changes: `mount`, `umount2`, `pivot_root`, `move_mount`,
//!   `open_tree`, `fsopen`, `fsconfig`, `fsmount`, `fspick`,
//!   `mount_setattr`;
//! * kernel attack surface and kernel state: `bpf`, `keyctl`, `add_key`,
//!   `request_key`, module and kexec calls, `io_uring_*` (io_uring performs
//!   socket and file operations without passing through this filter),
//!   `userfaultfd`, `open_by_handle_at` (opens a file by handle, around path
//!   resolution), `swapon`/`swapoff`, `reboot`, `syslog`, `acct`,
//!   `quotactl`, `iopl`/`ioperm`;
//! * other processes: `ptrace`, `process_vm_readv`/`writev`, `pidfd_getfd`
//!   (unless [`ProcessPolicy::allow_ptrace_descendants`](crate::ProcessPolicy));
//!   `perf_event_open` (unless `allow_perf_events`);
//! * namespaces: `setns`, `unshare` and `clone` with any `CLONE_NEW*` flag,
//!   and `clone3` (whose flags live in memory the filter cannot read) fails
//!   with `ENOSYS` so the C library falls back to `clone` (unless
//!   `allow_namespaces`);
//! * sockets: any domain but `AF_INET`, `AF_INET6` (and `AF_UNIX` when
//!   allowed); for `AF_INET`/`AF_INET6` any type but `SOCK_STREAM` (UDP,
//!   raw, SCTP seqpacket) and any protocol but 0 and `IPPROTO_TCP`
//!   (MPTCP and SCTP streams, which Landlock's TCP rules do not cover);
//! * `sendto`/`sendmsg`/`sendmmsg` with `MSG_FASTOPEN` (a connect hidden in
//!   a send);
//! * `ioctl` `TIOCSTI` and `TIOCLINUX` (typing into the terminal the
//!   sandbox shares with its launcher).
//!
//! On x86_64 a second, tiny filter fails every x32-ABI call (`ENOSYS`),
//! whose numbers the main filter does not list; the main filter's
//! architecture check already kills any 32-bit (`int 0x80`) call.

use std::collections::BTreeMap;

#[cfg(target_arch = "x86_64")]
use seccompiler::sock_filter;
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen as Len, SeccompCmpOp as Op,
    SeccompCondition as Cond, SeccompFilter, SeccompRule, TargetArch,
};

use crate::{NetworkPolicy, ProcessPolicy, SandboxError};

fn err(e: impl std::fmt::Display) -> SandboxError {
    SandboxError::Seccomp(e.to_string())
}

fn cond(arg: u8, op: Op, value: u64) -> Result<Cond, SandboxError> {
    Cond::new(arg, Len::Dword, op, value).map_err(err)
}

fn rule(conds: Vec<Cond>) -> Result<SeccompRule, SandboxError> {
    SeccompRule::new(conds).map_err(err)
}

fn target_arch() -> Result<TargetArch, SandboxError> {
    TargetArch::try_from(std::env::consts::ARCH).map_err(err)
}

/// The calls denied without condition.
fn unconditional(process: &ProcessPolicy) -> Vec<i64> {
    let mut v = vec![
        libc::SYS_mount,
        libc::SYS_umount2,
        libc::SYS_pivot_root,
        libc::SYS_move_mount,
        libc::SYS_open_tree,
        libc::SYS_fsopen,
        libc::SYS_fsconfig,
        libc::SYS_fsmount,
        libc::SYS_fspick,
        libc::SYS_mount_setattr,
        libc::SYS_bpf,
        libc::SYS_keyctl,
        libc::SYS_add_key,
        libc::SYS_request_key,
        libc::SYS_init_module,
        libc::SYS_finit_module,
        libc::SYS_delete_module,
        libc::SYS_kexec_load,
        libc::SYS_kexec_file_load,
        libc::SYS_io_uring_setup,
        libc::SYS_io_uring_enter,
        libc::SYS_io_uring_register,
        libc::SYS_userfaultfd,
        libc::SYS_open_by_handle_at,
        libc::SYS_swapon,
        libc::SYS_swapoff,
        libc::SYS_reboot,
        libc::SYS_syslog,
        libc::SYS_acct,
        libc::SYS_quotactl,
    ];
    #[cfg(target_arch = "x86_64")]
    v.extend([libc::SYS_iopl, libc::SYS_ioperm]);
    if !process.allow_ptrace_descendants {
        v.extend([
            libc::SYS_ptrace,
            libc::SYS_process_vm_readv,
            libc::SYS_process_vm_writev,
            libc::SYS_pidfd_getfd,
        ]);
    }
    if !process.allow_perf_events {
        v.push(libc::SYS_perf_event_open);
    }
    if !process.allow_namespaces {
        v.push(libc::SYS_setns);
    }
    v
}

/// The main filter: matched calls fail with `EPERM`.
fn main_filter(net: &NetworkPolicy, process: &ProcessPolicy) -> Result<BpfProgram, SandboxError> {
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    for nr in unconditional(process) {
        rules.insert(nr, Vec::new());
    }

    // socket(domain, type, protocol)
    let mut socket = Vec::new();
    let mut allowed_domains = vec![libc::AF_INET as u64, libc::AF_INET6 as u64];
    if net.unix_sockets {
        allowed_domains.push(libc::AF_UNIX as u64);
    }
    socket.push(rule(
        allowed_domains
            .iter()
            .map(|d| cond(0, Op::Ne, *d))
            .collect::<Result<_, _>>()?,
    )?);
    for domain in [libc::AF_INET as u64, libc::AF_INET6 as u64] {
        // Any type but a TCP stream, with or without SOCK_NONBLOCK and
        // SOCK_CLOEXEC (the kernel rejects every other flag bit itself).
        let stream = libc::SOCK_STREAM as u64;
        let (nonblock, cloexec) = (libc::SOCK_NONBLOCK as u64, libc::SOCK_CLOEXEC as u64);
        let mut not_stream = vec![cond(0, Op::Eq, domain)?];
        for ty in [
            stream,
            stream | nonblock,
            stream | cloexec,
            stream | nonblock | cloexec,
        ] {
            not_stream.push(cond(1, Op::Ne, ty)?);
        }
        socket.push(rule(not_stream)?);
        socket.push(rule(vec![
            cond(0, Op::Eq, domain)?,
            cond(2, Op::Ne, 0)?,
            cond(2, Op::Ne, libc::IPPROTO_TCP as u64)?,
        ])?);
    }
    rules.insert(libc::SYS_socket, socket);

    // TCP Fast Open: a connect carried by a send.
    let fastopen = libc::MSG_FASTOPEN as u64;
    for (nr, arg) in [
        (libc::SYS_sendto, 3u8),
        (libc::SYS_sendmsg, 2),
        (libc::SYS_sendmmsg, 3),
    ] {
        rules.insert(
            nr,
            vec![rule(vec![cond(arg, Op::MaskedEq(fastopen), fastopen)?])?],
        );
    }

    // Terminal injection. The kernel truncates ioctl commands to 32 bits,
    // so a Dword comparison cannot be evaded with high bits.
    // The constants' type differs between C libraries.
    #[allow(clippy::unnecessary_cast)]
    let (tiocsti, tioclinux) = (libc::TIOCSTI as u64, libc::TIOCLINUX as u64);
    rules.insert(
        libc::SYS_ioctl,
        vec![
            rule(vec![cond(1, Op::Eq, tiocsti)?])?,
            rule(vec![cond(1, Op::Eq, tioclinux)?])?,
        ],
    );

    if !process.allow_namespaces {
        let ns_flags: [u64; 8] = [
            libc::CLONE_NEWNS as u64,
            libc::CLONE_NEWUSER as u64,
            libc::CLONE_NEWPID as u64,
            libc::CLONE_NEWNET as u64,
            libc::CLONE_NEWUTS as u64,
            libc::CLONE_NEWIPC as u64,
            libc::CLONE_NEWCGROUP as u64,
            libc::CLONE_NEWTIME as u64,
        ];
        let any_flag = |flags: &[u64]| -> Result<Vec<SeccompRule>, SandboxError> {
            flags
                .iter()
                .map(|f| rule(vec![cond(0, Op::MaskedEq(*f), *f)?]))
                .collect()
        };
        rules.insert(libc::SYS_unshare, any_flag(&ns_flags)?);
        // clone's first argument is the flags on x86_64 and aarch64;
        // CLONE_NEWTIME is not a clone flag (it overlaps CSIGNAL there).
        rules.insert(libc::SYS_clone, any_flag(&ns_flags[..7])?);
    }

    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        target_arch()?,
    )
    .map_err(err)?;
    filter.try_into().map_err(err)
}

/// `clone3` fails with `ENOSYS`, so the C library falls back to `clone`,
/// whose flags the main filter can read.
fn clone3_filter() -> Result<BpfProgram, SandboxError> {
    let mut rules = BTreeMap::new();
    rules.insert(libc::SYS_clone3, Vec::new());
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::ENOSYS as u32),
        target_arch()?,
    )
    .map_err(err)?;
    filter.try_into().map_err(err)
}

/// Fail every x32-ABI call (syscall number with bit 30 set) with `ENOSYS`.
#[cfg(target_arch = "x86_64")]
fn x32_filter() -> BpfProgram {
    const BPF_LD_W_ABS: u16 = 0x20;
    const BPF_JGE_K: u16 = 0x05 | 0x30;
    const BPF_RET_K: u16 = 0x06;
    const X32_BIT: u32 = 0x4000_0000;
    let ins = |code, jt, jf, k| sock_filter { code, jt, jf, k };
    vec![
        // A = seccomp_data.nr
        ins(BPF_LD_W_ABS, 0, 0, 0),
        ins(BPF_JGE_K, 0, 1, X32_BIT),
        ins(
            BPF_RET_K,
            0,
            0,
            libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32,
        ),
        ins(BPF_RET_K, 0, 0, libc::SECCOMP_RET_ALLOW),
    ]
}

/// Every filter to install, in order.
pub(crate) fn build(
    net: &NetworkPolicy,
    process: &ProcessPolicy,
) -> Result<Vec<BpfProgram>, SandboxError> {
    let mut filters = Vec::new();
    #[cfg(target_arch = "x86_64")]
    filters.push(x32_filter());
    filters.push(main_filter(net, process)?);
    if !process.allow_namespaces {
        filters.push(clone3_filter()?);
    }
    Ok(filters)
}

/// Is seccomp filtering available on this kernel?
pub(crate) fn available() -> bool {
    if let Ok(s) = std::fs::read_to_string("/proc/sys/kernel/seccomp/actions_avail") {
        return s.split_whitespace().any(|a| a == "errno");
    }
    // SAFETY: PR_GET_SECCOMP has no pointer arguments.
    unsafe { libc::prctl(libc::PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 }
}
