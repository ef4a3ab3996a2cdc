//! Rendering a report: a table for people, JSON, and SARIF 2.1.0 for code
//! scanning tools. Every string goes through `warden_secrets::redact` on
//! the way out, on top of the scrubbing [`crate::scan`] already did.

use crate::{Assistant, CredentialFinding, ScanReport, Severity};
use serde_json::{json, Map, Value};
use std::fmt::Write as _;
use std::path::Path;

/// A string fit for the report: secrets redacted (the secret engine's
/// findings, and passwords in URLs), control characters replaced, at most
/// `max` characters.
pub(crate) fn clean(s: &str, max: usize) -> String {
    let mut out = warden_secrets::redact(s);
    out = strip_url_passwords(&out);
    let mut cleaned: String = out
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect();
    if out.chars().count() > max {
        cleaned.push('…');
    }
    cleaned
}

/// `scheme://user:password@host` → `scheme://user:***@host`.
fn strip_url_passwords(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find("://") {
        let (head, tail) = rest.split_at(pos + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || c == '/' || c == '"' || c == '\'')
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rsplit_once('@') {
            Some((userinfo, host)) => match userinfo.split_once(':') {
                Some((user, _)) => {
                    out.push_str(user);
                    out.push_str(":***@");
                    out.push_str(host);
                }
                None => out.push_str(authority),
            },
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn scrub_str(s: &mut String, secrets: &[String]) {
    for secret in secrets {
        if s.contains(secret.as_str()) {
            *s = s.replace(secret.as_str(), "[REDACTED]");
        }
    }
}

fn scrub_path(p: &mut std::path::PathBuf, secrets: &[String]) {
    let mut s = p.to_string_lossy().into_owned();
    if secrets.iter().any(|x| s.contains(x.as_str())) {
        scrub_str(&mut s, secrets);
        *p = s.into();
    }
}

fn scrub_opt(s: &mut Option<String>, secrets: &[String]) {
    if let Some(s) = s {
        scrub_str(s, secrets);
    }
}

/// Replaces every remembered secret value in every string of `report`.
pub(crate) fn scrub_report(report: &mut ScanReport, secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    for a in &mut report.assistants {
        scrub_opt(&mut a.permission_mode, secrets);
        for s in a
            .allow_rules
            .iter_mut()
            .chain(a.hooks.other_hooks.iter_mut())
            .chain(a.plugins.iter_mut())
        {
            scrub_str(s, secrets);
        }
        for e in &mut a.found_by {
            scrub_path(&mut e.path, secrets);
        }
        for m in &mut a.mcp_servers {
            scrub_str(&mut m.name, secrets);
            scrub_str(&mut m.transport, secrets);
            scrub_path(&mut m.origin, secrets);
            for v in &mut m.env_token_vars {
                scrub_str(v, secrets);
            }
        }
        scrub_str(&mut a.tier_reason, secrets);
        for f in &mut a.findings {
            scrub_str(&mut f.title, secrets);
            scrub_str(&mut f.detail, secrets);
            scrub_str(&mut f.remediation, secrets);
        }
    }
    for c in &mut report.credentials {
        scrub_path(&mut c.path, secrets);
        scrub_opt(&mut c.name, secrets);
        scrub_opt(&mut c.scope_hint, secrets);
    }
    for n in &mut report.notes {
        scrub_str(n, secrets);
    }
}

fn redact_value(v: &mut Value) {
    let mut stack: Vec<&mut Value> = vec![v];
    while let Some(cur) = stack.pop() {
        match cur {
            Value::String(s) => {
                let r = warden_secrets::redact(s);
                if r != *s {
                    *s = r;
                }
            }
            Value::Array(a) => stack.extend(a.iter_mut()),
            Value::Object(o) => stack.extend(o.values_mut()),
            _ => {}
        }
    }
}

/// The report as JSON: the report's own fields, plus `status` per assistant
/// (`governed`, `registered` or `shadow`) and `severity` and `remediation`
/// per credential. Every string is redacted.
pub fn to_json(report: &ScanReport) -> Value {
    let mut v = serde_json::to_value(report).unwrap_or_else(|_| json!({}));
    if let Some(list) = v.get_mut("assistants").and_then(Value::as_array_mut) {
        for (item, a) in list.iter_mut().zip(&report.assistants) {
            if let Some(o) = item.as_object_mut() {
                o.insert("status".into(), a.governed.status().into());
                o.insert("display_name".into(), a.kind.display_name().into());
            }
        }
    }
    if let Some(list) = v.get_mut("credentials").and_then(Value::as_array_mut) {
        for (item, c) in list.iter_mut().zip(&report.credentials) {
            if let Some(o) = item.as_object_mut() {
                o.insert("severity".into(), c.severity().as_str().into());
                o.insert("remediation".into(), c.remediation().into());
            }
        }
    }
    if let Some(o) = v.as_object_mut() {
        o.insert("schema".into(), "warden-scan/1".into());
    }
    redact_value(&mut v);
    v
}

fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// A `file://` URI for an absolute path (bytes outside the unreserved set
/// and `/` percent-encoded).
fn file_uri(path: &Path) -> String {
    let s = path.to_string_lossy();
    let mut out = String::from("file://");
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn location(path: Option<&Path>, line: Option<u64>, logical: &str) -> Value {
    match path.filter(|p| p.is_absolute()) {
        Some(p) => {
            let mut phys = json!({ "artifactLocation": { "uri": file_uri(p) } });
            if let Some(l) = line.filter(|l| *l > 0) {
                phys["region"] = json!({ "startLine": l });
            }
            json!({ "physicalLocation": phys })
        }
        None => json!({ "logicalLocations": [{ "name": logical, "kind": "module" }] }),
    }
}

/// The report as SARIF 2.1.0: one run of the `warden-scan` tool, one rule
/// per finding type (`warden-scan/<rule>`, `warden-scan/credential/<kind>`)
/// carrying a `security-severity`, and one result per assistant finding and
/// per credential, each with its level, message (title, detail and the
/// remediation) and location. Every string is redacted.
pub fn to_sarif(report: &ScanReport) -> Value {
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_index: Map<String, Value> = Map::new();
    let mut results: Vec<Value> = Vec::new();
    let mut rule = |id: String, text: String, sev: Severity, rules: &mut Vec<Value>| -> usize {
        if let Some(i) = rule_index.get(&id).and_then(Value::as_u64) {
            let i = usize::try_from(i).unwrap_or(0);
            // Keep the highest severity seen for the rule.
            if let Some(r) = rules.get_mut(i) {
                let cur = r["properties"]["security-severity"]
                    .as_str()
                    .and_then(|s| s.parse::<f64>().ok())
                    .unwrap_or(0.0);
                let new: f64 = security_severity(sev).parse().unwrap_or(0.0);
                if new > cur {
                    r["properties"]["security-severity"] = security_severity(sev).into();
                }
            }
            return i;
        }
        let i = rules.len();
        rules.push(json!({
            "id": id,
            "name": id.rsplit('/').next().unwrap_or(&id),
            "shortDescription": { "text": text },
            "properties": {
                "security-severity": security_severity(sev),
                "tags": ["security", "ai-assistant"]
            }
        }));
        rule_index.insert(id, Value::from(i as u64));
        i
    };
    for a in &report.assistants {
        for f in &a.findings {
            let id = format!("warden-scan/{}", f.rule);
            let idx = rule(id.clone(), rule_text(&f.rule), f.severity, &mut rules);
            let fallback = a.found_by.first().map(|e| e.path.as_path());
            results.push(json!({
                "ruleId": id,
                "ruleIndex": idx,
                "level": sarif_level(f.severity),
                "message": { "text": format!("{}: {}. {} Fix: {}", a.kind.as_str(), f.title, f.detail, f.remediation) },
                "locations": [location(f.path.as_deref().filter(|p| p.is_absolute()).or(fallback), None, a.kind.as_str())],
                "properties": {
                    "assistant": a.kind.as_str(),
                    "severity": f.severity.as_str(),
                    "tier": a.tier.as_str(),
                    "status": a.governed.status()
                }
            }));
        }
    }
    for c in &report.credentials {
        let id = format!("warden-scan/credential/{}", c.kind);
        let sev = c.severity();
        let idx = rule(
            id.clone(),
            format!("Credential reachable by assistants: {}", c.kind),
            sev,
            &mut rules,
        );
        let mut text = format!(
            "{} reachable from the account{}{}",
            c.kind,
            c.name
                .as_ref()
                .map(|n| format!(" (`{n}`)"))
                .unwrap_or_default(),
            c.fingerprint
                .as_ref()
                .map(|f| format!(", fingerprint {f}"))
                .unwrap_or_default()
        );
        if let Some(h) = &c.scope_hint {
            let _ = write!(text, "; {h}");
        }
        let _ = write!(text, ". Fix: {}", c.remediation());
        results.push(json!({
            "ruleId": id,
            "ruleIndex": idx,
            "level": sarif_level(sev),
            "message": { "text": text },
            "locations": [location(Some(&c.path), c.line, "environment")],
            "properties": {
                "kind": c.kind,
                "long_lived": c.long_lived,
                "production": c.production,
                "severity": sev.as_str()
            }
        }));
    }
    let mut v = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "warden-scan",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/warden",
                "rules": rules
            }},
            "results": results
        }]
    });
    redact_value(&mut v);
    v
}

fn rule_text(rule: &str) -> String {
    match rule {
        "shadow-assistant" => "AI assistant not governed by warden",
        "unregistered" => "AI assistant without a registered identity",
        "bypass-mode" => "AI assistant runs without approvals",
        "hook-fails-open" => "warden hook fails open",
        "hook-partial-coverage" => "warden hook covers only some actions",
        "hooks-disabled" => "hooks disabled by a setting",
        "hook-not-on-gate" => "warden hook not on the pre-action event",
        "broad-allow-rule" => "allow rule pre-approves sensitive actions",
        "mcp-token-in-config" => "token written into an MCP config",
        "mcp-auto-approve" => "MCP server tools run without confirmation",
        "reachable-credentials" => "long-lived or production credentials reachable",
        other => other,
    }
    .to_owned()
}

fn pad(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n >= w {
        format!("{s} ")
    } else {
        format!("{s}{} ", " ".repeat(w - n))
    }
}

fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
                .min(64)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::from("  ");
        for (i, c) in r.iter().enumerate() {
            let c: String = if c.chars().count() > 64 {
                c.chars().take(63).chain(std::iter::once('…')).collect()
            } else {
                c.clone()
            };
            line.push_str(&pad(&c, widths[i]));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn hook_cell(a: &Assistant) -> String {
    if a.hooks.warden_installed {
        if a.hooks.fails_closed {
            "warden (fails closed)".into()
        } else {
            "warden (FAILS OPEN)".into()
        }
    } else if !a.facts.hooks_supported {
        "no hook support".into()
    } else {
        "none".into()
    }
}

fn cred_row(c: &CredentialFinding) -> Vec<String> {
    let mut where_ = c.path.display().to_string();
    if let Some(l) = c.line {
        let _ = write!(where_, ":{l}");
    }
    vec![
        c.kind.clone(),
        c.name.clone().unwrap_or_default(),
        where_,
        c.age_days.map(|d| format!("{d}d")).unwrap_or_default(),
        if c.long_lived { "yes" } else { "" }.into(),
        if c.production { "PROD" } else { "" }.into(),
        match c.passphrase {
            Some(true) => "yes".into(),
            Some(false) => "NO".into(),
            None => String::new(),
        },
        c.fingerprint.clone().unwrap_or_default(),
    ]
}

/// The report as text for a terminal: an inventory table, each assistant's
/// details (evidence, mode, allow rules, hooks, MCP servers, plugins, tier
/// with its reason, findings with their remediation), the credentials, the
/// notes and the statistics. Every line is redacted.
pub fn render_table(report: &ScanReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "AI coding assistants ({})", report.assistants.len());
    if report.assistants.is_empty() {
        out.push_str("  none found\n");
    } else {
        let mut rows = vec![vec![
            "ASSISTANT".to_owned(),
            "STATUS".into(),
            "MODE".into(),
            "HOOK".into(),
            "MCP".into(),
            "TIER".into(),
        ]];
        for a in &report.assistants {
            rows.push(vec![
                a.kind.as_str().to_owned(),
                a.governed.status().to_owned(),
                match (&a.permission_mode, a.bypass) {
                    (Some(m), true) => format!("{m} (BYPASS)"),
                    (Some(m), false) => m.clone(),
                    (None, true) => "BYPASS".into(),
                    (None, false) => "-".into(),
                },
                hook_cell(a),
                a.mcp_servers.len().to_string(),
                a.tier.as_str().to_owned(),
            ]);
        }
        out.push_str(&table(&rows));
    }
    for a in &report.assistants {
        let _ = writeln!(out, "\n{} ({})", a.kind.display_name(), a.kind.as_str());
        let found: Vec<String> = a
            .found_by
            .iter()
            .map(|e| format!("{} {}", e.kind.as_str(), e.path.display()))
            .collect();
        let _ = writeln!(out, "  found by:   {}", found.join(", "));
        let _ = writeln!(
            out,
            "  governance: {} (hook: {}, registered: {}, sandboxed: {})",
            a.governed.status(),
            hook_cell(a),
            tri(a.governed.registered),
            tri(a.governed.sandboxed)
        );
        if let Some(m) = &a.permission_mode {
            let _ = writeln!(
                out,
                "  mode:       {m}{}",
                if a.bypass { " (runs unattended)" } else { "" }
            );
        }
        if !a.allow_rules.is_empty() {
            let _ = writeln!(out, "  allow:      {}", a.allow_rules.join(", "));
        }
        for h in &a.hooks.other_hooks {
            let _ = writeln!(out, "  hook:       {h}");
        }
        for m in &a.mcp_servers {
            let mut line = format!("{} [{}]", m.name, m.transport);
            if !m.enabled {
                line.push_str(" (disabled)");
            }
            if !m.env_token_vars.is_empty() {
                let _ = write!(line, " tokens: {}", m.env_token_vars.join(", "));
            }
            if !m.token_fingerprints.is_empty() {
                let _ = write!(line, " IN CONFIG: {}", m.token_fingerprints.join(", "));
            }
            let _ = write!(line, " ({})", m.origin.display());
            let _ = writeln!(out, "  mcp:        {line}");
        }
        if !a.plugins.is_empty() {
            let shown: Vec<&str> = a.plugins.iter().take(12).map(String::as_str).collect();
            let more = a.plugins.len().saturating_sub(12);
            let _ = writeln!(
                out,
                "  plugins:    {}{}",
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            );
        }
        let _ = writeln!(out, "  tier:       {} — {}", a.tier.as_str(), a.tier_reason);
        for f in &a.findings {
            let _ = writeln!(out, "  [{}] {}", f.severity.as_str(), f.title);
            let _ = writeln!(out, "      {}", f.detail);
            let _ = writeln!(out, "      fix: {}", f.remediation);
        }
    }
    let _ = writeln!(
        out,
        "\nCredentials reachable from this account ({})",
        report.credentials.len()
    );
    if report.credentials.is_empty() {
        out.push_str("  none found\n");
    } else {
        let mut rows = vec![vec![
            "KIND".to_owned(),
            "NAME".into(),
            "WHERE".into(),
            "AGE".into(),
            "LONG-LIVED".into(),
            "PROD".into(),
            "PASSPHRASE".into(),
            "FINGERPRINT".into(),
        ]];
        rows.extend(report.credentials.iter().map(cred_row));
        out.push_str(&table(&rows));
    }
    if !report.notes.is_empty() {
        let _ = writeln!(out, "\nNotes");
        for n in &report.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
    let _ = writeln!(
        out,
        "\nScanned {} files ({} bytes) in {} ms.",
        report.stats.files_scanned, report.stats.bytes_scanned, report.stats.elapsed_ms
    );
    let home = report.home.to_string_lossy();
    let home = home.trim_end_matches('/');
    if !home.is_empty() {
        out = out.replace(&format!("{home}/"), "~/");
    }
    out.lines()
        .map(warden_secrets::redact)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn tri(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning() {
        assert_eq!(
            clean("https://u:pw@h.example/x and ftp://h", 200),
            "https://u:***@h.example/x and ftp://h"
        );
        assert_eq!(clean("abcdef", 3), "abc…");
        assert_eq!(clean("a\nb", 10), "a b");
        assert!(
            clean("GITHUB_TOKEN=ghp_FAKEjlKcHhK35KZsZ4i1DTTXlfA9IgGgRs2T", 200)
                .contains("[REDACTED")
        );
        assert_eq!(file_uri(Path::new("/a b/c")), "file:///a%20b/c");
    }
}
