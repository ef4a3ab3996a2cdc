//! The scan never panics and never hangs, whatever the config files hold,
//! and stays inside its roots.

mod common;

use proptest::prelude::*;
use std::path::Path;
use warden_scan::{render_table, scan, to_json, to_sarif, ScanOptions};

/// Every file the scan parses, relative to the home.
const CONFIGS: &[&str] = &[
    ".claude/settings.json",
    ".claude.json",
    ".codex/config.toml",
    ".codex/hooks.json",
    ".codex/rules/default.rules",
    ".gemini/settings.json",
    ".gemini/policies/p.toml",
    ".gemini/extensions/x/gemini-extension.json",
    ".cursor/mcp.json",
    ".cursor/hooks.json",
    ".config/Code/User/settings.json",
    ".config/Code/User/mcp.json",
    ".cline/data/settings/cline_mcp_settings.json",
    "Documents/Cline/Hooks/PreToolUse",
    ".continue/config.yaml",
    ".continue/permissions.yaml",
    ".continue/mcpServers/a.yaml",
    ".continue/mcpServers/b.json",
    ".codeium/windsurf/mcp_config.json",
    ".codeium/windsurf/hooks.json",
    ".config/zed/settings.json",
    ".config/goose/config.yaml",
    ".config/goose/secrets.yaml",
    ".copilot/mcp-config.json",
    ".copilot/hooks/h.json",
    ".aws/credentials",
    ".aws/config",
    ".config/gcloud/application_default_credentials.json",
    ".config/gcloud/configurations/config_default",
    ".azure/azureProfile.json",
    ".azure/service_principal_entries.json",
    ".kube/config",
    ".config/gh/hosts.yml",
    ".config/glab-cli/config.yml",
    ".npmrc",
    ".pypirc",
    ".cargo/credentials.toml",
    ".docker/config.json",
    ".ssh/id_ed25519",
    ".ssh/id_ed25519.pub",
    ".git-credentials",
    ".netrc",
    ".bashrc",
    "src/.mcp.json",
    "src/.claude/settings.json",
    "src/.vscode/settings.json",
];

fn write(home: &Path, rel: &str, bytes: &[u8]) {
    let p = home.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

fn options(home: &Path) -> ScanOptions {
    let mut o = ScanOptions::new(home);
    o.paths = vec![home.join("src")];
    o.env = vec![("SSH_AUTH_SOCK".into(), "/tmp/x".into())];
    o
}

fn all_outputs(o: &ScanOptions) {
    let r = scan(o);
    // Panics are caught as a last resort; none should happen at all.
    assert!(
        !r.notes.iter().any(|n| n.contains("internal error")),
        "{:?}",
        r.notes
    );
    let _ = render_table(&r);
    let _ = to_json(&r).to_string();
    let _ = to_sarif(&r).to_string();
}

/// A real config's bytes, for mutation.
fn seed(rel: &str) -> Vec<u8> {
    std::fs::read(common::fixture("laptop").join(rel)).unwrap_or_default()
}

fn content(rel: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let real = seed(rel);
    let real2 = real.clone();
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        "\\PC{0,300}".prop_map(String::into_bytes),
        // The real file, cut short.
        (0..=real.len()).prop_map(move |n| real[..n].to_vec()),
        // The real file with a few bytes changed.
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8).prop_map(
            move |edits| {
                let mut v = real2.clone();
                if !v.is_empty() {
                    for (i, b) in edits {
                        let at = i.index(v.len());
                        v[at] = b;
                    }
                }
                v
            }
        ),
        Just(b"[[[[[[[[[[".repeat(5000)),
        Just(b"{\"a\":".repeat(20000)),
        Just(b"- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -".repeat(200)),
        Just(b"a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n".to_vec()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_configs_never_panic(files in CONFIGS.iter().map(|r| content(r)).collect::<Vec<_>>()) {
        let home = tempfile::tempdir().unwrap();
        for (rel, bytes) in CONFIGS.iter().zip(&files) {
            write(home.path(), rel, bytes);
        }
        all_outputs(&options(home.path()));
    }
}

#[test]
fn pathological_inputs_in_every_file() {
    let home = tempfile::tempdir().unwrap();
    let nasty: [&[u8]; 6] = [
        b"",
        b"\xff\xfe\x00\x00garbage",
        &[b'['; 200_000],
        &[b'{'; 200_000],
        b"a = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA/////w==\n-----END OPENSSH PRIVATE KEY-----\n",
    ];
    for n in nasty {
        for rel in CONFIGS {
            write(home.path(), rel, n);
        }
        all_outputs(&options(home.path()));
    }
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_roots_are_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("settings.json"),
        r#"{"permissions":{"defaultMode":"bypassPermissions"}}"#,
    )
    .unwrap();
    std::fs::create_dir_all(home.path().join(".claude")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("settings.json"),
        home.path().join(".claude/settings.json"),
    )
    .unwrap();
    // A directory link leading out, too.
    std::fs::create_dir_all(outside.path().join("aws")).unwrap();
    std::fs::write(
        outside.path().join("aws/credentials"),
        "[default]\naws_access_key_id = AKIAFAKEFAKEFAKEFAKE\naws_secret_access_key = x\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path().join("aws"), home.path().join(".aws")).unwrap();
    let r = scan(&ScanOptions::new(home.path()));
    let claude = &r.assistants[0];
    assert_eq!(claude.permission_mode, None, "the target was not read");
    assert!(r.credentials.is_empty(), "{:?}", r.credentials);
    assert!(
        r.notes
            .iter()
            .filter(|n| n.contains("outside the scanned roots"))
            .count()
            >= 2,
        "{:?}",
        r.notes
    );

    // A link inside the home (dotfiles managed from a repository) is fine.
    let home2 = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home2.path().join("dotfiles")).unwrap();
    std::fs::create_dir_all(home2.path().join(".claude")).unwrap();
    std::fs::write(
        home2.path().join("dotfiles/claude.json"),
        r#"{"permissions":{"defaultMode":"bypassPermissions"}}"#,
    )
    .unwrap();
    std::os::unix::fs::symlink(
        home2.path().join("dotfiles/claude.json"),
        home2.path().join(".claude/settings.json"),
    )
    .unwrap();
    let r = scan(&ScanOptions::new(home2.path()));
    assert_eq!(
        r.assistants[0].permission_mode.as_deref(),
        Some("bypassPermissions")
    );
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_do_not_hang_the_scan() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".claude")).unwrap();
    let fifo = home.path().join(".claude/settings.json");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !status.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo unavailable; skipped");
        return;
    }
    std::os::unix::fs::symlink("/dev/zero", home.path().join(".claude.json")).ok();
    let opts = ScanOptions::new(home.path());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let r = scan(&opts);
        let _ = tx.send(r);
    });
    let r = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the scan hung on a FIFO");
    assert!(
        r.notes.iter().any(|n| n.contains("not a regular file")),
        "{:?}",
        r.notes
    );
}

#[test]
fn files_over_the_limit_are_not_read() {
    let home = tempfile::tempdir().unwrap();
    let big = format!(
        "{{\"permissions\":{{\"defaultMode\":\"bypassPermissions\"}},\"pad\":\"{}\"}}",
        "x".repeat(5000)
    );
    write(home.path(), ".claude/settings.json", big.as_bytes());
    let mut o = ScanOptions::new(home.path());
    o.max_file_bytes = 1024;
    let r = scan(&o);
    assert_eq!(r.assistants[0].permission_mode, None);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("over the 1024-byte limit")),
        "{:?}",
        r.notes
    );
}
