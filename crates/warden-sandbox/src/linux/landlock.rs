//! The Landlock ruleset (built in the parent, enforced in the child).
//!
//! The kernel's ABI version is probed first (a read-only query). The ruleset
//! then asks for exactly the rights that ABI supports, with
//! [`CompatLevel::HardRequirement`]: nothing is silently dropped, and a
//! right the kernel refused would be an error, not a weaker sandbox. What the
//! probed ABI cannot provide is reported by the ladder as an unavailable
//! control, and a profile that requires it is refused before anything runs.
//!
//! Rights per rule (ABI permitting):
//!
//! | access | rights |
//! |---|---|
//! | read-only | execute, read file, read dir |
//! | read-write | everything handled except creating character or block devices and device ioctls |
//! | device | read, write, truncate, ioctl |
//!
//! Not granting `MAKE_CHAR`/`MAKE_BLOCK` anywhere matters for root: a
//! block-device node made in the workspace would otherwise expose the raw
//! disk. `REFER` (ABI 2) is granted only inside writable roots, so a hard link
//! or rename can never bring a file from outside them in.

use landlock::{
    Access, AccessFs, AccessNet, BitFlags, CompatLevel, Compatible, NetPort, PathBeneath, PathFd,
    Ruleset, RulesetAttr, RulesetCreated, RulesetCreatedAttr, Scope, ABI,
};

use crate::plan::{Access as Grant, Plan};
use crate::SandboxError;

/// Log denials in programs the sandboxed process executes (ABI 7).
const LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON: u32 = 1 << 1;

/// `landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)`.
const CREATE_RULESET_VERSION: libc::c_uint = 1;

/// The running kernel's Landlock ABI version (0 when unsupported or
/// disabled).
pub(crate) fn kernel_abi() -> u32 {
    // SAFETY: the version query takes no attribute and writes nothing.
    let v = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<libc::c_void>(),
            0usize,
            CREATE_RULESET_VERSION,
        )
    };
    if v < 0 {
        0
    } else {
        v as u32
    }
}

/// The newest ABI whose rights this crate requests and has been tested with,
/// not newer than the kernel's.
///
/// ABI 7 adds only audit flags; ABI 8 (all-threads enforcement) is not
/// needed in a single-threaded child; ABI 9's pathname Unix-socket right
/// and ABI 10's UDP rights are not requested yet (the seccomp filter covers
/// sockets instead), so kernels newer than 7 are treated as 7.
pub(crate) fn vetted_abi(kernel: u32) -> ABI {
    match kernel {
        0 => ABI::Unsupported,
        1 => ABI::V1,
        2 => ABI::V2,
        3 => ABI::V3,
        4 => ABI::V4,
        5 => ABI::V5,
        6 => ABI::V6,
        _ => ABI::V7,
    }
}

fn err(e: impl std::fmt::Display) -> SandboxError {
    SandboxError::Landlock(e.to_string())
}

/// What the built ruleset enforces.
pub(crate) struct Built {
    pub(crate) ruleset: RulesetCreated,
    pub(crate) net: bool,
    pub(crate) scopes: bool,
    /// `landlock_restrict_self` flags.
    pub(crate) restrict_flags: u32,
}

/// Build the ruleset for `plan` on a kernel with ABI `kernel`.
pub(crate) fn build(plan: &Plan, kernel: u32) -> Result<Built, SandboxError> {
    let abi = vetted_abi(kernel);
    let handled = AccessFs::from_all(abi);
    let read = AccessFs::from_read(abi);
    let mut rw = handled;
    rw.remove(AccessFs::MakeChar | AccessFs::MakeBlock);
    if abi >= ABI::V5 {
        rw.remove(AccessFs::IoctlDev);
    }
    let mut device: BitFlags<AccessFs> = read | AccessFs::WriteFile;
    if abi >= ABI::V3 {
        device |= AccessFs::Truncate;
    }
    if abi >= ABI::V5 {
        device |= AccessFs::IoctlDev;
    }
    let file_rights = AccessFs::from_file(abi);

    let net = abi >= ABI::V4;
    let scopes = abi >= ABI::V6;

    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::HardRequirement)
        .handle_access(handled)
        .map_err(err)?;
    if net {
        ruleset = ruleset
            .handle_access(AccessNet::BindTcp | AccessNet::ConnectTcp)
            .map_err(err)?;
    }
    if scopes {
        ruleset = ruleset
            .scope(Scope::AbstractUnixSocket | Scope::Signal)
            .map_err(err)?;
    }
    let mut created = ruleset.create().map_err(err)?;

    for rule in &plan.rules {
        let mut access = match rule.access {
            Grant::ReadOnly => read,
            Grant::ReadWrite => rw,
            Grant::Device => device,
        };
        if !rule.is_dir {
            access &= file_rights;
        }
        let fd = PathFd::new(&rule.path).map_err(|e| SandboxError::Io {
            path: rule.path.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        created = created
            .add_rule(PathBeneath::new(fd, access))
            .map_err(err)?;
    }
    if net {
        for port in &plan.profile.network.connect_tcp_ports {
            created = created
                .add_rule(NetPort::new(*port, AccessNet::ConnectTcp))
                .map_err(err)?;
        }
        for port in &plan.profile.network.bind_tcp_ports {
            created = created
                .add_rule(NetPort::new(*port, AccessNet::BindTcp))
                .map_err(err)?;
        }
    }
    // Log denials after exec too (when the audit subsystem is on), so the
    // host's audit log shows what the sandboxed program tried. The child
    // calls landlock_restrict_self itself, with these flags.
    let restrict_flags = if abi >= ABI::V7 {
        LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON
    } else {
        0
    };
    Ok(Built {
        ruleset: created,
        net,
        scopes,
        restrict_flags,
    })
}
