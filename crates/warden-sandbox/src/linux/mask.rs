//! Masking in a private mount namespace (runs in the child, before exec).
//!
//! * As root: `unshare(CLONE_NEWNS)`.
//! * Otherwise: `unshare(CLONE_NEWUSER | CLONE_NEWNS)` with the caller's uid
//!   and gid mapped to themselves, which grants `CAP_SYS_ADMIN` over the new
//!   mount namespace only. Those capabilities are gone after exec (the uid
//!   is not 0 inside), and the seccomp filter and Landlock forbid further
//!   mount operations anyway.
//!
//! Then `/` is made recursively private so no mask propagates back to the
//! host, and each mask is applied:
//!
//! * hide a file: bind `/dev/null` over it, remounted read-only with
//!   `nodev`, so opening it fails (`EACCES`) instead of reading anything;
//! * hide a directory: mount an empty read-only tmpfs over it;
//! * read-only: bind the path over itself and remount it read-only. A
//!   mount point cannot be unlinked or renamed over (`EBUSY`), so the file
//!   cannot be replaced either.

use std::ffi::{CStr, CString};
use std::io;
use std::ptr;

use super::sys::{cvt, write_file, IdMapLine};

/// One mask, with its path ready for the child.
#[derive(Debug, Clone)]
pub(crate) struct PreparedMask {
    pub(crate) target: CString,
    pub(crate) hide: bool,
    pub(crate) is_dir: bool,
}

const DEV_NULL: &CStr = c"/dev/null";
const ROOT: &CStr = c"/";
const TMPFS: &CStr = c"tmpfs";
const TMPFS_OPTS: &CStr = c"size=4k,mode=0555";

/// Enter a private mount namespace (and a user namespace when not root).
pub(crate) fn enter_mount_namespace() -> io::Result<()> {
    // SAFETY: plain syscalls with valid arguments.
    unsafe {
        let euid = libc::geteuid();
        let egid = libc::getegid();
        if euid == 0 {
            cvt(libc::unshare(libc::CLONE_NEWNS))?;
        } else {
            cvt(libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS))?;
            // A process that changed its uid (a launcher that dropped from
            // root) is not dumpable, which makes its /proc/self files
            // root-owned and the maps unwritable. exec recomputes the flag.
            cvt(libc::prctl(libc::PR_SET_DUMPABLE, 1, 0, 0, 0))?;
            write_file(c"/proc/self/setgroups", b"deny")?;
            write_file(c"/proc/self/uid_map", IdMapLine::identity(euid).as_bytes())?;
            write_file(c"/proc/self/gid_map", IdMapLine::identity(egid).as_bytes())?;
        }
        cvt(libc::mount(
            ptr::null(),
            ROOT.as_ptr(),
            ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            ptr::null(),
        ))?;
    }
    Ok(())
}

/// The mount flags of the mount at `target` that a remount must keep (in a
/// user namespace they are locked and cannot be cleared).
fn kept_flags(target: &CStr) -> io::Result<libc::c_ulong> {
    // SAFETY: statvfs writes into the zeroed struct.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    cvt(unsafe { libc::statvfs(target.as_ptr(), &mut st) })?;
    let f = st.f_flag;
    let mut out = 0;
    for (st_flag, ms_flag) in [
        (libc::ST_NOSUID, libc::MS_NOSUID),
        (libc::ST_NODEV, libc::MS_NODEV),
        (libc::ST_NOEXEC, libc::MS_NOEXEC),
        (libc::ST_NOATIME, libc::MS_NOATIME),
        (libc::ST_NODIRATIME, libc::MS_NODIRATIME),
        (libc::ST_RELATIME, libc::MS_RELATIME),
    ] {
        if f & st_flag != 0 {
            out |= ms_flag;
        }
    }
    Ok(out)
}

fn remount_read_only(target: &CStr, extra: libc::c_ulong) -> io::Result<()> {
    let flags = kept_flags(target)? | extra | libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY;
    // SAFETY: valid NUL-terminated strings, null data.
    cvt(unsafe {
        libc::mount(
            ptr::null(),
            target.as_ptr(),
            ptr::null(),
            flags,
            ptr::null(),
        )
    })?;
    Ok(())
}

/// Apply one mask (inside the private mount namespace).
pub(crate) fn apply_mask(m: &PreparedMask) -> io::Result<()> {
    let target = m.target.as_c_str();
    // SAFETY: valid NUL-terminated strings, null data where allowed.
    unsafe {
        if m.hide && m.is_dir {
            cvt(libc::mount(
                TMPFS.as_ptr(),
                target.as_ptr(),
                TMPFS.as_ptr(),
                libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                TMPFS_OPTS.as_ptr().cast(),
            ))?;
        } else if m.hide {
            cvt(libc::mount(
                DEV_NULL.as_ptr(),
                target.as_ptr(),
                ptr::null(),
                libc::MS_BIND,
                ptr::null(),
            ))?;
            remount_read_only(target, libc::MS_NODEV | libc::MS_NOSUID | libc::MS_NOEXEC)?;
        } else {
            cvt(libc::mount(
                target.as_ptr(),
                target.as_ptr(),
                ptr::null(),
                libc::MS_BIND,
                ptr::null(),
            ))?;
            remount_read_only(target, 0)?;
        }
    }
    Ok(())
}

/// Put masks in the order they must be applied: read-only binds first,
/// parents before children (a bind is not recursive, so anything mounted
/// below a path before it is bound read-only would vanish under the bind),
/// then hidden directories, then hidden files (so no later mount covers the
/// first hidden file, which the later ones are bound from).
pub(crate) fn order(masks: &mut [PreparedMask]) {
    masks.sort_by_key(|m| {
        let class = match (m.hide, m.is_dir) {
            (false, _) => 0,
            (true, true) => 1,
            (true, false) => 2,
        };
        (class, m.target.as_bytes().len())
    });
}

/// Enter the namespace and apply every mask (in [`order`]).
///
/// The first hidden file gets the full treatment (bind, then remount
/// read-only and `nodev`); every later one is a bind of that first mask,
/// since a bind mount copies its source mount's flags: one system call
/// instead of three.
pub(crate) fn apply_all(masks: &[PreparedMask]) -> io::Result<()> {
    enter_mount_namespace()?;
    let mut hidden_file: Option<&CStr> = None;
    for m in masks {
        match hidden_file {
            Some(first) if m.hide && !m.is_dir => {
                // SAFETY: valid NUL-terminated strings, null data.
                cvt(unsafe {
                    libc::mount(
                        first.as_ptr(),
                        m.target.as_ptr(),
                        ptr::null(),
                        libc::MS_BIND,
                        ptr::null(),
                    )
                })?;
            }
            _ => {
                apply_mask(m)?;
                if m.hide && !m.is_dir {
                    hidden_file = Some(m.target.as_c_str());
                }
            }
        }
    }
    Ok(())
}
