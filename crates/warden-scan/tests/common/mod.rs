//! Shared set-up for the integration tests: fixture homes, a fake PATH and
//! the planted secrets.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use warden_scan::ScanOptions;

/// A fixture home under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Every secret planted in the fixtures: (name, value).
pub fn planted() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(fixture("planted.txt")).expect("planted.txt");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// A directory of fake executables named `names`.
pub fn fake_path(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for n in names {
        let p = dir.path().join(n);
        std::fs::write(&p, "#!/bin/sh\nexit 0\n").expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
    }
    dir
}

/// Options for the `laptop` fixture, as `warden scan` would build them.
pub fn laptop_options(bin: &Path) -> ScanOptions {
    let home = fixture("laptop");
    let openai = planted()
        .into_iter()
        .find(|(k, _)| k == "openai_env")
        .map(|(_, v)| v)
        .expect("openai_env planted");
    let mut opts = ScanOptions::new(&home);
    opts.paths = vec![home.join("src/app")];
    opts.path_env = Some(
        std::env::join_paths([bin.to_path_buf(), PathBuf::from("/nonexistent/bin")])
            .expect("join_paths"),
    );
    opts.env = vec![
        ("SSH_AUTH_SOCK".into(), "/tmp/ssh-FAKE/agent.123".into()),
        ("OPENAI_API_KEY".into(), openai),
        ("LANG".into(), "C.UTF-8".into()),
    ];
    opts
}
