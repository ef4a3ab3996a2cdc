//! Measures the secret scanner's throughput over a directory tree.
//!
//! ```text
//! cargo run --release -p warden-secrets --example scan_throughput -- DIR [--threads N] [--findings FILE] [--walk] [--walk-only]
//! ```
//!
//! Reads every file under DIR into memory first (with the walk's own
//! limits: no binary files, nothing over 10 MiB, no lockfiles), then times
//! only the scanning: once on one thread, and once on N threads (default:
//! the number of cores) over the same files. `--walk` also times
//! `walk::scan_paths` end to end (directory walk, reads and scan), which is
//! what a user waits for. `--findings FILE` writes one `path:line:rule` line
//! per finding (no secret values) for precision and recall checks.
//! `--walk-only` skips the in-memory measurements and only runs the walk
//! (what `bench/secrets-vs-peers` times as a whole process).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;
use warden_secrets::walk::{self, WalkOptions};
use warden_secrets::Scanner;

fn collect(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&p) else {
            continue;
        };
        for entry in rd.flatten() {
            let path = entry.path();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                stack.push(path);
            } else if ft.is_file() && !walk::skipped_by_path(&path) {
                let Ok(meta) = entry.metadata() else { continue };
                if meta.len() > 10 * 1024 * 1024 {
                    continue;
                }
                let Ok(buf) = std::fs::read(&path) else {
                    continue;
                };
                if memchr_nul(&buf[..buf.len().min(walk::BINARY_PROBE)]) {
                    continue;
                }
                files.push((path, buf));
            }
        }
    }
    files.sort();
    files
}

fn memchr_nul(b: &[u8]) -> bool {
    b.contains(&0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut findings_out: Option<PathBuf> = None;
    let mut do_walk = false;
    let mut walk_only = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => threads = args.next().and_then(|t| t.parse().ok()).unwrap_or(threads),
            "--findings" => findings_out = args.next().map(PathBuf::from),
            "--walk" => do_walk = true,
            "--walk-only" => walk_only = true,
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: scan_throughput DIR [--threads N] [--findings FILE] [--walk]");
        std::process::exit(2);
    };
    if walk_only {
        let opts = WalkOptions {
            threads,
            ..WalkOptions::default()
        };
        let t = Instant::now();
        let report = walk::scan_paths(std::slice::from_ref(&dir), &opts);
        let secs = t.elapsed().as_secs_f64();
        let walked = report.bytes_scanned as f64 / (1024.0 * 1024.0);
        println!(
            "walk (end to end): {secs:.3} s  {:.0} MiB/s  files {}  findings {}",
            walked / secs,
            report.files_scanned,
            report.findings.len()
        );
        let lines: Vec<String> = report
            .findings
            .iter()
            .map(|f| format!("{}:{}:{}", f.path.display(), f.line, f.rule.id))
            .collect();
        write_findings(findings_out.as_deref(), &lines);
        return;
    }
    let t = Instant::now();
    let files = collect(&dir);
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let mib = bytes as f64 / (1024.0 * 1024.0);
    println!(
        "read {} files, {:.1} MiB in {:.2?}",
        files.len(),
        mib,
        t.elapsed()
    );

    let scanner = Scanner::builtin();
    // Warm up: build the prefilter and compile the regexes once.
    for (_, buf) in files.iter().take(200) {
        scanner.scan(buf);
    }

    let t = Instant::now();
    let mut findings = Vec::new();
    for (path, buf) in &files {
        for f in scanner.scan(buf) {
            findings.push(format!("{}:{}:{}", path.display(), f.line, f.rule.id));
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "1 thread:  {:.3} s  {:.0} MiB/s  files {}  findings {}",
        secs,
        mib / secs,
        files.len(),
        findings.len()
    );

    if threads > 1 {
        let t = Instant::now();
        let chunk = files.len().div_ceil(threads).max(1);
        let count: usize = std::thread::scope(|s| {
            let handles: Vec<_> = files
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || {
                        part.iter()
                            .map(|(_, b)| scanner.scan(b).len())
                            .sum::<usize>()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
        });
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{threads} threads: {secs:.3} s  {:.0} MiB/s  findings {count}",
            mib / secs
        );
    }

    if do_walk {
        let opts = WalkOptions {
            threads,
            ..WalkOptions::default()
        };
        let t = Instant::now();
        let report = walk::scan_paths(std::slice::from_ref(&dir), &opts);
        let secs = t.elapsed().as_secs_f64();
        let walked = report.bytes_scanned as f64 / (1024.0 * 1024.0);
        println!(
            "walk (end to end): {secs:.3} s  {:.0} MiB/s  files {}  findings {}  binary {}  large {}",
            walked / secs,
            report.files_scanned,
            report.findings.len(),
            report.skipped_binary,
            report.skipped_large
        );
    }

    write_findings(findings_out.as_deref(), &findings);
}

fn write_findings(out: Option<&Path>, lines: &[String]) {
    let Some(out) = out else { return };
    match std::fs::File::create(out) {
        Ok(mut f) => {
            for line in lines {
                let _ = writeln!(f, "{line}");
            }
        }
        Err(e) => eprintln!("cannot write {}: {e}", out.display()),
    }
}
