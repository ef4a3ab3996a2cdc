//! Small system-call helpers that are safe between `fork` and `exec`: they
//! never allocate, lock or touch anything but the stack and raw syscalls.

use std::ffi::CStr;
use std::io;

/// `Err(last_os_error)` when `ret` is -1.
pub(crate) fn cvt(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// `Err(last_os_error)` when `ret` is -1 (for `syscall(2)` results).
pub(crate) fn cvt_long(ret: libc::c_long) -> io::Result<libc::c_long> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// The calling thread's errno.
pub(crate) fn errno() -> i32 {
    io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Write all of `buf` to `fd`.
pub(crate) fn write_all(fd: libc::c_int, mut buf: &[u8]) -> io::Result<()> {
    while !buf.is_empty() {
        // SAFETY: buf is a valid slice for its length.
        let n = unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        buf = &buf[n as usize..];
    }
    Ok(())
}

/// Open `path` for writing (no create) and write `buf` to it.
pub(crate) fn write_file(path: &CStr, buf: &[u8]) -> io::Result<()> {
    // SAFETY: path is NUL-terminated.
    let fd = cvt(unsafe { libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC) })?;
    let r = write_all(fd, buf);
    // SAFETY: fd was opened above.
    unsafe { libc::close(fd) };
    r
}

/// A fixed buffer that formats an id map line (`"ID ID 1\n"`) on the stack.
pub(crate) struct IdMapLine {
    buf: [u8; 32],
    len: usize,
}

impl IdMapLine {
    /// The line mapping `id` to itself.
    pub(crate) fn identity(id: u32) -> IdMapLine {
        let mut line = IdMapLine {
            buf: [0; 32],
            len: 0,
        };
        line.push_u32(id);
        line.push(b' ');
        line.push_u32(id);
        line.push(b' ');
        line.push(b'1');
        line.push(b'\n');
        line
    }

    fn push(&mut self, b: u8) {
        if self.len < self.buf.len() {
            self.buf[self.len] = b;
            self.len += 1;
        }
    }

    fn push_u32(&mut self, mut v: u32) {
        let mut digits = [0u8; 10];
        let mut n = 0;
        loop {
            digits[n] = b'0' + (v % 10) as u8;
            n += 1;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        while n > 0 {
            n -= 1;
            self.push(digits[n]);
        }
    }

    /// The formatted bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// Number of threads in this process (from `/proc/self/status`); 0 when
/// unknown. Allocates: parent side only.
pub(crate) fn thread_count() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Threads:"))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::IdMapLine;

    #[test]
    fn id_map_line() {
        assert_eq!(IdMapLine::identity(0).as_bytes(), b"0 0 1\n");
        assert_eq!(IdMapLine::identity(65534).as_bytes(), b"65534 65534 1\n");
        assert_eq!(
            IdMapLine::identity(u32::MAX).as_bytes(),
            b"4294967295 4294967295 1\n"
        );
    }
}
