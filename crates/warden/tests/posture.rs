//! `warden scan` and `warden report` through the real binary, on the
//! fixture homes of `crates/warden-scan` (each assistant's real config
//! formats, fake credentials).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../warden-scan/tests/fixtures")
        .join(name)
}

fn warden(warden_home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(args)
        .env("WARDEN_HOME", warden_home)
        .env("WARDEN_NO_DAEMON", "1")
        .env("USER", "secops")
        .output()
        .expect("warden runs")
}

fn planted() -> Vec<String> {
    let values = planted_values();
    assert!(values.len() >= 20, "the fixtures plant their secrets");
    values
}

fn planted_values() -> Vec<String> {
    std::fs::read_to_string(fixture("planted.txt"))
        .expect("planted.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        // Each line is `name value`.
        .filter_map(|l| l.split_whitespace().nth(1).map(str::to_owned))
        .collect()
}

fn stdout(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn scan_needs_no_setup_and_never_prints_a_secret() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let uninitialized = scratch.path().join("warden");
    let home = fixture("laptop");
    let home_arg = home.to_string_lossy().into_owned();
    for format in ["table", "json", "sarif"] {
        let text = stdout(&warden(
            &uninitialized,
            &["scan", "--home-dir", &home_arg, "--format", format],
        ));
        for secret in planted() {
            assert!(
                !text.contains(&secret),
                "{format} output holds a planted secret"
            );
        }
    }
    let json: Value = serde_json::from_str(&stdout(&warden(
        &uninitialized,
        &["scan", "--home-dir", &home_arg, "--format", "json"],
    )))
    .expect("json");
    let kinds: Vec<&str> = json["assistants"]
        .as_array()
        .expect("assistants")
        .iter()
        .filter_map(|a| a["kind"].as_str())
        .collect();
    for kind in ["claude-code", "codex", "gemini", "cursor"] {
        assert!(kinds.contains(&kind), "{kind} found: {kinds:?}");
    }
    assert!(!uninitialized.exists(), "a scan creates nothing");

    let example = fixture("issue-example").to_string_lossy().into_owned();
    let json: Value = serde_json::from_str(&stdout(&warden(
        &uninitialized,
        &["scan", "--home-dir", &example, "--format", "json"],
    )))
    .expect("json");
    assert_eq!(json["assistants"][0]["tier"], "critical", "{json}");
}

#[test]
fn the_report_maps_controls_with_live_evidence_and_never_claims_compliance() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let warden_home = scratch.path().join("warden");
    stdout(&warden(&warden_home, &["init"]));
    stdout(&warden(
        &warden_home,
        &[
            "agent",
            "register",
            "claude-code",
            "--kind",
            "claude-code",
            "--owner",
            "olivia@example.com",
        ],
    ));
    let home = fixture("laptop").to_string_lossy().into_owned();
    let md = stdout(&warden(&warden_home, &["report", "--home-dir", &home]));
    assert!(
        md.contains("NHI1:2025") && md.contains("ASI01:2026") && md.contains("PR.AA-01"),
        "{md}"
    );
    assert!(
        md.contains("addresses") && md.contains("unconfirmed"),
        "{md}"
    );
    assert!(
        md.contains("assistants registered with an owner"),
        "live evidence: {md}"
    );
    let nhi = stdout(&warden(
        &warden_home,
        &["report", "--home-dir", &home, "--framework", "owasp-nhi"],
    ));
    assert!(
        nhi.contains("NHI7:2025") && !nhi.contains("ASI01:2026"),
        "{nhi}"
    );
    let out = scratch.path().join("report.html");
    let out_arg = out.to_string_lossy().into_owned();
    stdout(&warden(
        &warden_home,
        &[
            "report",
            "--home-dir",
            &home,
            "--format",
            "html",
            "--output",
            &out_arg,
        ],
    ));
    let html = std::fs::read_to_string(&out).expect("html written");
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("<svg") && html.contains("<table")
    );
    let json: Value = serde_json::from_str(&stdout(&warden(
        &warden_home,
        &["report", "--home-dir", &home, "--format", "json"],
    )))
    .expect("json");
    assert_eq!(json["schema"], "warden-report/1");
    for text in [&md, &nhi, &html, &json.to_string()] {
        assert!(
            !text.to_lowercase().contains("complian"),
            "never says compliant"
        );
        for secret in planted() {
            assert!(!text.contains(&secret), "a planted secret in the report");
        }
    }
    let bad = warden(&warden_home, &["report", "--framework", "iso-9001"]);
    assert_eq!(
        bad.status.code(),
        Some(1),
        "an unknown framework is an error"
    );
}
