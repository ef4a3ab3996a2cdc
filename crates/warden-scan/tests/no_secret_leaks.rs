//! No planted secret value appears in any output: the table, the JSON, the
//! SARIF, or the report's Debug form. And the outputs are well formed.

mod common;

use serde_json::Value;
use warden_scan::{render_table, scan, to_json, to_sarif};

fn fixture_text() -> String {
    let mut all = String::new();
    let mut stack = vec![common::fixture("laptop"), common::fixture("issue-example")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else {
                all.push_str(&String::from_utf8_lossy(&std::fs::read(&p).unwrap()));
            }
        }
    }
    all
}

#[test]
fn planted_values_never_leave_the_scan() {
    let planted = common::planted();
    assert!(planted.len() >= 25);
    // The test means something only if the values are really in the
    // fixtures (or, for the environment one, in the options).
    let text = fixture_text();
    for (name, value) in &planted {
        assert!(
            text.contains(value.as_str()) || name == "openai_env",
            "{name} is not in the fixtures"
        );
    }
    let bin = common::fake_path(&["claude", "codex", "code", "goose", "copilot"]);
    let mut outputs = Vec::new();
    for opts in [
        common::laptop_options(bin.path()),
        warden_scan::ScanOptions::new(common::fixture("issue-example")),
    ] {
        let r = scan(&opts);
        outputs.push(("table", render_table(&r)));
        outputs.push(("json", to_json(&r).to_string()));
        outputs.push(("sarif", to_sarif(&r).to_string()));
        outputs.push(("debug", format!("{r:?}")));
    }
    for (what, out) in &outputs {
        for (name, value) in &planted {
            assert!(
                !out.contains(value.as_str()),
                "{name} appears in the {what} output"
            );
            // Nor a long piece of it (the last four characters are the
            // fingerprint's, by design).
            if value.len() >= 24 {
                let middle = &value[4..value.len() - 8];
                assert!(
                    !out.contains(middle),
                    "part of {name} appears in the {what} output"
                );
            }
        }
    }
}

#[test]
fn sarif_is_one_result_per_finding() {
    let bin = common::fake_path(&["claude"]);
    let r = scan(&common::laptop_options(bin.path()));
    let s = to_sarif(&r);
    assert_eq!(s["version"], "2.1.0");
    assert!(s["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &s["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "warden-scan");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let findings: usize = r.assistants.iter().map(|a| a.findings.len()).sum();
    assert_eq!(results.len(), findings + r.credentials.len());
    let mut ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "rule ids are unique");
    for res in results {
        let id = res["ruleId"].as_str().unwrap();
        assert!(id.starts_with("warden-scan/"));
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], id);
        assert!(matches!(
            res["level"].as_str().unwrap(),
            "error" | "warning" | "note"
        ));
        assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        let loc = &res["locations"][0];
        let uri = loc["physicalLocation"]["artifactLocation"]["uri"].as_str();
        let logical = loc["logicalLocations"][0]["name"].as_str();
        assert!(
            uri.is_some_and(|u| u.starts_with("file:///")) || logical.is_some(),
            "{res}"
        );
        assert!(rules[idx]["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .is_ok());
    }
    // A repository secret points at its line.
    let dotenv = results
        .iter()
        .find(|r| r["ruleId"] == "warden-scan/credential/dotenv-secret")
        .unwrap();
    assert_eq!(
        dotenv["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    let fix = results
        .iter()
        .find(|r| r["ruleId"] == "warden-scan/mcp-token-in-config")
        .unwrap();
    assert!(fix["message"]["text"]
        .as_str()
        .unwrap()
        .contains("[[run.credentials]]"));
}

#[test]
fn json_carries_status_and_remediation() {
    let bin = common::fake_path(&[]);
    let r = scan(&common::laptop_options(bin.path()));
    let j = to_json(&r);
    assert_eq!(j["schema"], "warden-scan/1");
    let a = &j["assistants"][0];
    assert_eq!(a["kind"], "claude-code");
    assert_eq!(a["status"], "governed");
    assert_eq!(a["tier"], "production-write");
    assert_eq!(a["hooks"]["fails_closed"], true);
    assert!(a.get("facts").is_none());
    let creds = j["credentials"].as_array().unwrap();
    assert!(creds
        .iter()
        .all(|c| c["remediation"].as_str().is_some_and(|s| !s.is_empty())));
    assert!(creds.iter().all(|c| matches!(
        c["severity"].as_str(),
        Some("info" | "low" | "medium" | "high" | "critical")
    )));
    let kube = creds.iter().find(|c| c["name"] == "prod-eu").unwrap();
    assert_eq!(kube["production"], true);
    assert_eq!(kube["kind"], "kube-context");
    let ssh: Vec<&Value> = creds.iter().filter(|c| c["kind"] == "ssh-key").collect();
    assert_eq!(ssh.len(), 3);
    assert!(j["stats"]["files_scanned"].as_u64().unwrap() > 0);
}
