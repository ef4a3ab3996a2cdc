//! Times `warden_scan::scan` over a synthetic home directory.
//!
//! Builds, under /tmp, a home holding the `laptop` fixture's assistant
//! configs and credentials plus N files of source code (default 100,000) in
//! 50 repositories (each with a few `.env` files carrying fake secrets, a
//! `node_modules` tree and git objects), then scans it with the whole home
//! as the scanned path, as `warden scan --path ~` would, and prints the
//! time and throughput. The directory is removed afterwards.
//!
//! ```text
//! cargo run --release -p warden-scan --example scan_home [-- FILES]
//! ```

use std::io::Write;
use std::path::Path;
use std::time::Instant;

fn copy_tree(from: &Path, to: &Path, skip: &str) -> std::io::Result<()> {
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let name = e.file_name();
        if name == skip {
            continue;
        }
        let dst = to.join(&name);
        if e.file_type()?.is_dir() {
            std::fs::create_dir_all(&dst)?;
            copy_tree(&e.path(), &dst, skip)?;
        } else {
            std::fs::copy(e.path(), dst)?;
        }
    }
    Ok(())
}

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn token(&mut self, n: usize) -> String {
        const AL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..n)
            .map(|_| AL[self.below(AL.len() as u64) as usize] as char)
            .collect()
    }
}

const CODE: &[&str] = &[
    "fn handle(req: &Request) -> Result<Response, Error> {\n    let user = req.user()?;\n    if !user.active { return Err(Error::Inactive); }\n    Ok(Response::ok(render(&user)))\n}\n",
    "import os\nimport json\n\ndef load(path):\n    with open(path) as f:\n        return json.load(f)\n\nTIMEOUT = int(os.environ.get('TIMEOUT', '30'))\n",
    "export function sum(xs: number[]): number {\n  return xs.reduce((a, b) => a + b, 0);\n}\n// TODO: handle empty input in the caller\n",
    "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfor i := 0; i < 10; i++ {\n\t\tfmt.Println(i)\n\t}\n}\n",
    "# Configuration\n\nSet `API_URL` to the service address. The token comes from the\nenvironment (`API_TOKEN`); never commit it.\n",
];

fn build(home: &Path, files: usize) -> std::io::Result<(usize, u64)> {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/laptop");
    copy_tree(&fixture, home, "src")?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut made, mut bytes) = (0usize, 0u64);
    let repos = 50;
    let per_repo = files.div_ceil(repos);
    for r in 0..repos {
        let repo = home.join(format!("src/repo-{r:02}"));
        for i in 0..per_repo {
            if made >= files {
                break;
            }
            let (dir, name) = match i % 20 {
                0 => (
                    repo.join(format!(".git/objects/{:02x}", i % 256)),
                    format!("{:038x}", rng.next()),
                ),
                1 | 2 => (
                    repo.join(format!("node_modules/pkg-{}/lib", i % 37)),
                    format!("index-{i}.js"),
                ),
                _ => (
                    repo.join(format!("src/mod-{}", i % 40)),
                    format!("file_{i}.rs"),
                ),
            };
            std::fs::create_dir_all(&dir)?;
            let mut text = String::new();
            let target = 200 + rng.below(2800) as usize;
            while text.len() < target {
                text.push_str(CODE[rng.below(CODE.len() as u64) as usize]);
            }
            let mut f = std::fs::File::create(dir.join(name))?;
            f.write_all(text.as_bytes())?;
            bytes += text.len() as u64;
            made += 1;
        }
        if made < files {
            let env = format!(
                "DEBUG=1\nGITHUB_TOKEN=ghp_FAKE{}\nSTRIPE_KEY=sk_live_FAKE{}\n",
                rng.token(32),
                rng.token(28)
            );
            std::fs::write(repo.join(".env"), &env)?;
            bytes += env.len() as u64;
            made += 1;
        }
    }
    Ok((made, bytes))
}

fn main() {
    let files: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = match tempfile::Builder::new()
        .prefix("warden-scan-home-")
        .tempdir_in("/tmp")
    {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cannot create the home under /tmp: {e}");
            std::process::exit(1);
        }
    };
    let home = dir.path();
    let t = Instant::now();
    let (made, bytes) = match build(home, files) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("cannot build the home: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "built {} with {made} source files ({:.1} MiB) in {:.1} s",
        home.display(),
        bytes as f64 / 1_048_576.0,
        t.elapsed().as_secs_f64()
    );
    let mut opts = warden_scan::ScanOptions::new(home);
    opts.paths = vec![home.to_path_buf()];
    opts.path_env = std::env::var_os("PATH");
    for run in ["first", "second"] {
        let t = Instant::now();
        let report = warden_scan::scan(&opts);
        let secs = t.elapsed().as_secs_f64();
        let secrets = report
            .credentials
            .iter()
            .filter(|c| c.kind == "dotenv-secret" || c.kind == "repo-secret")
            .count();
        println!(
            "{run} scan: {:.2} s — {} files, {:.1} MiB read ({:.0} MiB/s), {} assistants, {} credentials ({} in repositories), {} notes",
            secs,
            report.stats.files_scanned,
            report.stats.bytes_scanned as f64 / 1_048_576.0,
            report.stats.bytes_scanned as f64 / 1_048_576.0 / secs,
            report.assistants.len(),
            report.credentials.len(),
            secrets,
            report.notes.len()
        );
    }
}
