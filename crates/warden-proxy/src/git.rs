//! Inspection of git pushes (`git-receive-pack` request bodies).
//!
//! A push carries its objects zlib-compressed inside a pack, so a secret
//! committed to a file never appears in the raw body. This module walks the
//! pkt-line commands and the pack, inflates every object (within a budget)
//! and hands each one to a callback for scanning. Deltas are reduced to
//! the concatenation of their inserted literals: the base they copy from
//! may be on the server only, and any new text a delta adds is among its
//! inserts, so a secret split across two insert instructions is rejoined.

use flate2::{Decompress, FlushDecompress, Status};

/// Why a push body could not be inspected. Every case is a refusal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackError {
    /// The pkt-line section or the pack is malformed or truncated.
    #[error("cannot inspect the pushed pack: {0}")]
    Malformed(&'static str),
    /// The inflated objects exceed the budget.
    #[error("the pushed objects exceed the {0}-byte inspection limit once inflated")]
    TooLarge(usize),
}

/// The content-type of a push request body.
pub const RECEIVE_PACK_REQUEST: &str = "application/x-git-receive-pack-request";

/// Walks a `git-receive-pack` request body and calls `visit` with every
/// object's inflated content (reduced to inserted literals for deltas).
/// `budget` bounds the total inflated bytes. `visit` returning `false`
/// stops the walk early (a finding).
pub fn for_each_object(
    body: &[u8],
    budget: usize,
    mut visit: impl FnMut(&[u8]) -> bool,
) -> Result<(), PackError> {
    let (oid_len, mut pos) = skip_pkt_lines(body)?;
    if pos == body.len() {
        return Ok(()); // Only ref deletions: no pack.
    }
    let pack = &body[pos..];
    if pack.len() < 12 || &pack[..4] != b"PACK" {
        return Err(PackError::Malformed("no pack after the commands"));
    }
    let version = u32::from_be_bytes([pack[4], pack[5], pack[6], pack[7]]);
    if version != 2 && version != 3 {
        return Err(PackError::Malformed("unknown pack version"));
    }
    let count = u32::from_be_bytes([pack[8], pack[9], pack[10], pack[11]]);
    pos = 12;
    let mut spent = 0usize;
    let mut out = Vec::new();
    for _ in 0..count {
        let (kind, size, header_len) = object_header(&pack[pos..])?;
        pos += header_len;
        match kind {
            1..=4 => {}
            6 => {
                // OFS_DELTA: a variable-length negative offset.
                let n = pack[pos..]
                    .iter()
                    .position(|b| b & 0x80 == 0)
                    .ok_or(PackError::Malformed("truncated delta offset"))?;
                pos += n + 1;
            }
            7 => {
                pos = pos
                    .checked_add(oid_len)
                    .filter(|p| *p <= pack.len())
                    .ok_or(PackError::Malformed("truncated delta base"))?;
            }
            _ => return Err(PackError::Malformed("unknown object type")),
        }
        let remaining = budget.saturating_sub(spent);
        if size > remaining {
            return Err(PackError::TooLarge(budget));
        }
        let consumed = inflate_into(&pack[pos..], size, &mut out)?;
        pos += consumed;
        spent += out.len();
        let content = if kind >= 6 {
            delta_inserts(&out)?
        } else {
            std::mem::take(&mut out)
        };
        if !visit(&content) {
            return Ok(());
        }
        out.clear();
    }
    Ok(())
}

/// Skips the pkt-line sections (commands, then push options if any) up to
/// the pack; returns the object id length in bytes (20 for SHA-1, 32 for
/// SHA-256, from the first command) and the pack's offset.
fn skip_pkt_lines(body: &[u8]) -> Result<(usize, usize), PackError> {
    let mut pos = 0;
    let mut oid_len = None;
    loop {
        if pos == body.len() {
            return Ok((oid_len.unwrap_or(20), pos));
        }
        if body[pos..].starts_with(b"PACK") {
            return Ok((oid_len.unwrap_or(20), pos));
        }
        let len_hex = body
            .get(pos..pos + 4)
            .ok_or(PackError::Malformed("truncated pkt-line"))?;
        let len_str = std::str::from_utf8(len_hex)
            .map_err(|_| PackError::Malformed("bad pkt-line length"))?;
        let len = usize::from_str_radix(len_str, 16)
            .map_err(|_| PackError::Malformed("bad pkt-line length"))?;
        match len {
            0 => pos += 4, // flush: the next section (push options, or the pack)
            1..=3 => return Err(PackError::Malformed("bad pkt-line length")),
            _ => {
                let line = body
                    .get(pos + 4..pos + len)
                    .ok_or(PackError::Malformed("truncated pkt-line"))?;
                if oid_len.is_none() {
                    // "<old-oid> <new-oid> <ref>": the hex length tells the hash.
                    let hex = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
                    oid_len = Some(if hex == 64 { 32 } else { 20 });
                }
                pos += len;
            }
        }
    }
}

/// An object header: type, inflated size, header length.
fn object_header(data: &[u8]) -> Result<(u8, usize, usize), PackError> {
    let first = *data
        .first()
        .ok_or(PackError::Malformed("truncated object header"))?;
    let kind = (first >> 4) & 0x07;
    let mut size = usize::from(first & 0x0f);
    let mut shift = 4u32;
    let mut i = 1;
    let mut byte = first;
    while byte & 0x80 != 0 {
        byte = *data
            .get(i)
            .ok_or(PackError::Malformed("truncated object header"))?;
        if shift > 56 {
            return Err(PackError::Malformed("object size overflows"));
        }
        size |= usize::from(byte & 0x7f) << shift;
        shift += 7;
        i += 1;
    }
    Ok((kind, size, i))
}

/// Inflates one zlib stream of `size` bytes from the start of `data` into
/// `out`; returns the compressed length consumed.
fn inflate_into(data: &[u8], size: usize, out: &mut Vec<u8>) -> Result<usize, PackError> {
    let mut z = Decompress::new(true);
    out.clear();
    out.reserve(size + 1);
    loop {
        let before_in = z.total_in();
        let before_out = z.total_out();
        let input = data
            .get(usize::try_from(before_in).map_err(|_| PackError::Malformed("offset"))?..)
            .unwrap_or(&[]);
        if out.len() == out.capacity() {
            out.reserve(4096);
        }
        let status = z
            .decompress_vec(input, out, FlushDecompress::None)
            .map_err(|_| PackError::Malformed("corrupt object data"))?;
        if out.len() > size {
            return Err(PackError::Malformed("object larger than its header says"));
        }
        match status {
            Status::StreamEnd => break,
            _ if z.total_in() == before_in && z.total_out() == before_out => {
                return Err(PackError::Malformed("truncated object data"));
            }
            _ => {}
        }
    }
    if out.len() != size {
        return Err(PackError::Malformed("object size differs from its header"));
    }
    usize::try_from(z.total_in()).map_err(|_| PackError::Malformed("offset"))
}

/// The inserted literals of a delta, concatenated.
fn delta_inserts(delta: &[u8]) -> Result<Vec<u8>, PackError> {
    let mut pos = 0;
    for _ in 0..2 {
        // Base size, then result size.
        let n = delta[pos..]
            .iter()
            .position(|b| b & 0x80 == 0)
            .ok_or(PackError::Malformed("truncated delta header"))?;
        pos += n + 1;
    }
    let mut out = Vec::new();
    while pos < delta.len() {
        let op = delta[pos];
        pos += 1;
        if op & 0x80 != 0 {
            // Copy from the base: skip its offset and size bytes.
            pos += (op & 0x7f).count_ones() as usize;
        } else if op != 0 {
            let n = usize::from(op);
            let lit = delta
                .get(pos..pos + n)
                .ok_or(PackError::Malformed("truncated delta insert"))?;
            out.extend_from_slice(lit);
            pos += n;
        } else {
            return Err(PackError::Malformed("reserved delta instruction"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).expect("write");
        e.finish().expect("finish")
    }

    fn header(kind: u8, mut size: usize) -> Vec<u8> {
        let mut out = vec![(kind << 4) | (size & 0x0f) as u8];
        size >>= 4;
        while size > 0 {
            let last = out.len() - 1;
            out[last] |= 0x80;
            out.push((size & 0x7f) as u8);
            size >>= 7;
        }
        out
    }

    fn pkt(line: &str) -> Vec<u8> {
        format!("{:04x}{line}", line.len() + 4).into_bytes()
    }

    fn push_body(objects: &[(u8, Vec<u8>)]) -> Vec<u8> {
        let zero = "0".repeat(40);
        let new = "1".repeat(40);
        let mut body = pkt(&format!("{zero} {new} refs/heads/main\0report-status\n"));
        body.extend_from_slice(b"0000PACK");
        body.extend_from_slice(&2u32.to_be_bytes());
        body.extend_from_slice(&(objects.len() as u32).to_be_bytes());
        for (kind, data) in objects {
            body.extend(header(*kind, data.len()));
            if *kind == 7 {
                body.extend_from_slice(&[0xab; 20]);
            }
            body.extend(zlib(data));
        }
        body.extend_from_slice(&[0u8; 20]);
        body
    }

    fn all_objects(body: &[u8]) -> Result<Vec<Vec<u8>>, PackError> {
        let mut seen = Vec::new();
        for_each_object(body, 1 << 20, |o| {
            seen.push(o.to_vec());
            true
        })?;
        Ok(seen)
    }

    #[test]
    fn objects_are_inflated() {
        let blob = b"token = ghp_secret\n".repeat(20);
        let body = push_body(&[
            (1, b"tree 123\nauthor x\n\nmsg".to_vec()),
            (3, blob.clone()),
        ]);
        let seen = all_objects(&body).expect("parsed");
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[1], blob);
    }

    #[test]
    fn delta_inserts_are_rejoined() {
        // base size 10, result size 30; copy 5 bytes, insert "ghp_se", copy, insert "cret".
        let delta = vec![
            10u8, 30, 0x91, 0x00, 0x05, 6, b'g', b'h', b'p', b'_', b's', b'e', 0x90, 0x02, 4, b'c',
            b'r', b'e', b't',
        ];
        let body = push_body(&[(7, delta)]);
        let seen = all_objects(&body).expect("parsed");
        assert_eq!(seen[0], b"ghp_secret");
    }

    #[test]
    fn budget_and_corruption_are_refusals() {
        let body = push_body(&[(3, vec![b'a'; 5000])]);
        assert_eq!(
            for_each_object(&body, 100, |_| true),
            Err(PackError::TooLarge(100))
        );
        let mut bad = body.clone();
        bad.truncate(bad.len() - 30);
        assert!(matches!(
            for_each_object(&bad, 1 << 20, |_| true),
            Err(PackError::Malformed(_))
        ));
        assert!(for_each_object(b"zzzz", 100, |_| true).is_err());
        // A deletion-only push has no pack.
        assert_eq!(
            for_each_object(&[pkt("x"), b"0000".to_vec()].concat(), 100, |_| true),
            Ok(())
        );
    }

    #[test]
    fn a_real_git_pack_is_read() {
        let Ok(dir) = tempfile::tempdir() else { return };
        let git = |args: &[&str]| {
            std::process::Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .env("GIT_AUTHOR_NAME", "t")
                .env("GIT_AUTHOR_EMAIL", "t@example.com")
                .env("GIT_COMMITTER_NAME", "t")
                .env("GIT_COMMITTER_EMAIL", "t@example.com")
                .output()
        };
        if git(&["init", "-q"])
            .map(|o| !o.status.success())
            .unwrap_or(true)
        {
            return; // No git here.
        }
        let text: String = (0..400)
            .map(|i| format!("line {i} of ordinary source code\n"))
            .collect();
        std::fs::write(dir.path().join("f.txt"), &text).expect("write");
        assert!(git(&["add", "."]).expect("add").status.success());
        assert!(git(&["commit", "-qm", "one"])
            .expect("commit")
            .status
            .success());
        let changed = text.replace("line 200 of", "line 200 has AKIAQWERTYUIOPASDFGH in");
        std::fs::write(dir.path().join("f.txt"), &changed).expect("write");
        assert!(git(&["commit", "-qam", "two"])
            .expect("commit")
            .status
            .success());
        let mut child = std::process::Command::new("git")
            .args(["pack-objects", "--stdout", "--revs", "-q"])
            .current_dir(dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("pack-objects");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(b"HEAD\n")
            .expect("revs");
        let pack = child.wait_with_output().expect("pack").stdout;
        let mut body = pkt(&format!(
            "{} {} refs/heads/main\0report-status\n",
            "0".repeat(40),
            "1".repeat(40)
        ));
        body.extend_from_slice(b"0000");
        body.extend_from_slice(&pack);
        let seen = all_objects(&body).expect("a real pack parses");
        assert!(seen.len() >= 6, "{} objects", seen.len());
        assert!(seen
            .iter()
            .any(|o| o.windows(20).any(|w| w == b"AKIAQWERTYUIOPASDFGH")));
    }
}
