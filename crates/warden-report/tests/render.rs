//! The renderers: wording, unconfirmed marking, filters, escaping, HTML
//! shape and JSON round trips; and how evidence becomes a status.

use warden_report::{
    assess, catalog, combine, keys, render, render_html, render_json, render_markdown, Evidence,
    Format, Framework, Metric, MetricValue, Report, Status,
};

/// Evidence in which every control passes.
fn healthy() -> Evidence {
    Evidence::new("2026-05-01T09:30:00Z", "dev-laptop")
        .with(keys::ASSISTANTS_TOTAL, Metric::count(3, "assistants found"))
        .with(
            keys::ASSISTANTS_SHADOW,
            Metric::none_of(0, 3, "assistants ungoverned (shadow)"),
        )
        .with(
            keys::ASSISTANTS_REGISTERED_WITH_OWNER,
            Metric::share(3, 3, "assistants registered with owners"),
        )
        .with(
            keys::ASSISTANTS_HOOK_INSTALLED,
            Metric::share(3, 3, "assistants with warden's hook"),
        )
        .with(
            keys::ASSISTANTS_HOOK_FAIL_CLOSED,
            Metric::share(3, 3, "hooks that fail closed"),
        )
        .with(
            keys::ASSISTANTS_BYPASS_MODE,
            Metric::none_of(0, 3, "assistants in bypass mode"),
        )
        .with(
            keys::OWNERS_INACTIVE,
            Metric::zero(0, "identities with a missing or inactive owner"),
        )
        .with(
            keys::TOOLS_TOTAL,
            Metric::count(4, "MCP servers and plugins found"),
        )
        .with(
            keys::TOOLS_REGISTERED,
            Metric::share(4, 4, "tool connections registered with an owner"),
        )
        .with(
            keys::TOOLS_PINNED,
            Metric::share(4, 4, "registered tool connections pinned"),
        )
        .with(
            keys::CREDENTIALS_DISCOVERED,
            Metric::count(7, "credentials reachable from the account"),
        )
        .with(
            keys::CREDENTIALS_LONG_LIVED_REACHABLE,
            Metric::zero(0, "long-lived credentials reachable"),
        )
        .with(
            keys::CREDENTIALS_BROKERED,
            Metric::count(2, "credentials brokered"),
        )
        .with(
            keys::SESSIONS_30D,
            Metric::count(41, "session credentials minted in 30 days"),
        )
        .with(
            keys::SESSIONS_SANDBOXED_30D,
            Metric::count(12, "sessions under warden run in 30 days"),
        )
        .with(
            keys::DECISIONS_30D,
            Metric::count(1234, "decisions in 30 days"),
        )
        .with(
            keys::DECISIONS_WITHOUT_CREDENTIAL_30D,
            Metric::zero(0, "decisions without a session credential in 30 days"),
        )
        .with(
            keys::DECISIONS_DENIED_30D,
            Metric::count(17, "denies in 30 days"),
        )
        .with(
            keys::POLICY_VALID,
            Metric::flag(
                true,
                "installed policies validate",
                "policies do not validate",
            ),
        )
        .with(
            keys::SUBAGENTS_30D,
            Metric::count(9, "subagents in 30 days"),
        )
        .with(
            keys::SUBAGENTS_WITHOUT_DERIVED_CREDENTIAL_30D,
            Metric::zero(0, "subagent decisions without a derived credential"),
        )
        .with(
            keys::APPROVALS_30D,
            Metric::count(5, "approval requests in 30 days"),
        )
        .with(
            keys::APPROVALS_SELF_APPROVED,
            Metric::zero(0, "self-approved requests"),
        )
        .with(
            keys::GRANTS_30D,
            Metric::count(8, "grants issued in 30 days"),
        )
        .with(keys::GRANTS_LIVE, Metric::count(1, "grants live now"))
        .with(
            keys::GRANTS_OPEN_AFTER_SESSION_END,
            Metric::zero(0, "grants live after their session ended"),
        )
        .with(
            keys::OFFBOARDED_TOTAL,
            Metric::count(1, "identities offboarded"),
        )
        .with(
            keys::OFFBOARDED_WITH_LIVE_CREDENTIALS,
            Metric::zero(0, "offboarded identities with live credentials"),
        )
        .with(
            keys::OFFBOARDED_WITH_HOOK_INSTALLED,
            Metric::zero(0, "offboarded identities still hooked"),
        )
        .with(
            keys::AUDIT_INTACT,
            Metric::flag(true, "audit chain verifies", "audit chain TAMPERED"),
        )
        .with(keys::AUDIT_RECORDS, Metric::count(5120, "audit records"))
        .with(
            keys::AUDIT_CHECKPOINTS,
            Metric::at_least(80, 1, "signed checkpoints"),
        )
        .with(
            keys::AUDIT_ACTIONS_WITH_PROMPT_30D,
            Metric::share(1234, 1234, "tool calls linked to their prompt in 30 days"),
        )
        .with(
            keys::SECRETS_CANARY_DETECTED,
            Metric::flag(true, "canary secret detected", "canary missed"),
        )
        .with(
            keys::SECRETS_BLOCKED_30D,
            Metric::count(2, "secrets blocked in 30 days"),
        )
        .with(
            keys::SECRETS_IN_OUTPUT_30D,
            Metric::count(1, "secrets redacted from outputs in 30 days"),
        )
        .with(
            keys::SANDBOX_CONTROLS_AVAILABLE,
            Metric::share(7, 7, "sandbox controls enforced"),
        )
        .with(
            keys::SANDBOX_CONTROLS_REQUIRED,
            Metric::all_required(5, 5, "required sandbox controls enforced"),
        )
        .with(
            keys::EGRESS_REQUESTS_30D,
            Metric::count(300, "proxied requests in 30 days"),
        )
        .with(
            keys::EGRESS_DENIED_30D,
            Metric::count(3, "proxied requests refused in 30 days"),
        )
}

/// Evidence with hostile strings (paths, markup, quotes) and some failures.
fn hostile() -> Evidence {
    Evidence::new(
        "2026-05-01T09:30:00Z <now>",
        "host<script>alert(1)</script>&\"'",
    )
    .with(keys::ASSISTANTS_TOTAL, Metric::count(2, "assistants found"))
    .with(
        keys::ASSISTANTS_SHADOW,
        Metric::none_of(
            1,
            2,
            "assistants ungoverned: /home/me/a&b/<cursor>/\"x\" | `rm` *bold* [l](u)",
        ),
    )
    .with(
        keys::AUDIT_INTACT,
        Metric::flag(
            false,
            "ok",
            "audit chain TAMPERED at record 2: <img src=x onerror=alert(1)>",
        ),
    )
    .with(
        keys::SANDBOX_CONTROLS_AVAILABLE,
        Metric::share(3, 7, "sandbox controls enforced"),
    )
    .with(
        "custom.key",
        Metric::info("<b>not escaped?</b> https://evil.example/x"),
    )
}

fn evidences() -> Vec<Evidence> {
    vec![healthy(), hostile(), Evidence::new("t", "h")]
}

fn filters() -> Vec<Option<Framework>> {
    std::iter::once(None)
        .chain(Framework::ALL.into_iter().map(Some))
        .collect()
}

fn all_outputs() -> Vec<(String, Option<Framework>, String)> {
    let mut out = Vec::new();
    for e in evidences() {
        for f in filters() {
            for format in [Format::Markdown, Format::Html, Format::Json] {
                out.push((format.to_string(), f, render(format, &e, f)));
            }
        }
    }
    out
}

#[test]
fn no_output_ever_says_complian() {
    for (format, filter, text) in all_outputs() {
        let lower = text.to_lowercase();
        assert!(
            !lower.contains("complian"),
            "{format} {filter:?} says complian… at {:?}",
            lower.find("complian")
        );
        assert!(
            lower.contains("addresses") || lower.contains("contributes to"),
            "{format} {filter:?}"
        );
    }
}

/// Removes tags so that a marker in a `<span>` counts as following its id.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn unconfirmed_identifiers_are_marked_wherever_they_appear() {
    let e = healthy();
    for f in filters() {
        let md = render_markdown(&e, f);
        let html = strip_tags(&render_html(&e, f));
        for text in [&md, &html] {
            for fw in Framework::ALL {
                for ident in fw.identifiers() {
                    let hits: Vec<usize> = text.match_indices(ident.id).map(|(i, _)| i).collect();
                    for at in hits {
                        let end = (at + 400).min(text.len());
                        let end = (0..=end).rev().find(|i| text.is_char_boundary(*i)).unwrap();
                        let window = &text[at..end];
                        // The marker follows on the same line.
                        let line = window.lines().next().unwrap_or("");
                        if ident.confirmed {
                            assert!(
                                !line[ident.id.len()..]
                                    .trim_start()
                                    .starts_with("(unconfirmed"),
                                "{} marked unconfirmed: {line}",
                                ident.id
                            );
                        } else {
                            assert!(
                                line.contains("(unconfirmed"),
                                "{} not marked in {f:?}: {line}",
                                ident.id
                            );
                        }
                    }
                }
            }
        }
        let json = render_json(&e, f);
        for c in json["controls"].as_array().unwrap() {
            for r in c["refs"].as_array().unwrap() {
                let fw = Framework::parse(r["framework"].as_str().unwrap()).unwrap();
                let ident = fw.identifier(r["id"].as_str().unwrap()).unwrap();
                assert_eq!(r["confirmed"].as_bool(), Some(ident.confirmed));
            }
        }
    }
    // And at least one unconfirmed identifier is actually shown.
    assert!(render_markdown(&e, None).contains("ASI03:2026"));
    assert!(render_markdown(&e, None).contains("(unconfirmed"));
}

#[test]
fn a_filter_shows_only_that_framework() {
    let e = healthy();
    for f in Framework::ALL {
        let report = Report::build(&e, Some(f));
        let expected: Vec<&str> = catalog()
            .iter()
            .filter(|c| c.maps_to(f))
            .map(|c| c.id)
            .collect();
        let shown: Vec<&str> = report.controls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(shown, expected, "{f}");
        assert!(report
            .controls
            .iter()
            .all(|c| !c.refs.is_empty() && c.refs.iter().all(|r| r.framework == f)));
        assert_eq!(report.frameworks.len(), 1);
        assert_eq!(report.frameworks[0].framework, f);
        assert_eq!(report.framework, f.as_str());

        let md = render_markdown(&e, Some(f));
        let html = render_html(&e, Some(f));
        for other in Framework::ALL.into_iter().filter(|o| *o != f) {
            for ident in other.identifiers() {
                // MAESTRO's "L1".."L7" are too short to search for in prose.
                if other == Framework::Maestro {
                    continue;
                }
                assert!(!md.contains(ident.id), "{f} markdown shows {}", ident.id);
                assert!(!html.contains(ident.id), "{f} html shows {}", ident.id);
            }
        }
        for c in catalog().iter().filter(|c| !c.maps_to(f)) {
            assert!(
                !md.contains(&format!("### {} ", c.id)),
                "{f} shows {}",
                c.id
            );
            assert!(
                !html.contains(&format!("id=\"c-{}\"", c.id)),
                "{f} shows {}",
                c.id
            );
        }
        assert!(!md.contains("## Coverage matrix"));
        assert!(!html.contains("id=\"matrix\""));
        // Every identifier of the framework's list is in its mapping table.
        for ident in f.identifiers() {
            assert!(
                md.contains(&format!("| {} |", ident.id)),
                "{f}: {} missing",
                ident.id
            );
        }
    }
    let all = render_markdown(&e, None);
    assert!(all.contains("## Coverage matrix"));
    for c in catalog() {
        assert!(all.contains(&format!("### {} ", c.id)));
    }
    assert!(render_html(&e, None).contains("id=\"matrix\""));
}

#[test]
fn some_controls_are_hidden_by_a_filter() {
    // WDN-GOV-1 maps to no OWASP list; WDN-SEC-1 to no Agentic risk.
    let nhi = Report::build(&healthy(), Some(Framework::OwaspNhi));
    assert!(nhi.controls.iter().all(|c| c.id != "WDN-GOV-1"));
    let asi = Report::build(&healthy(), Some(Framework::OwaspAsi));
    assert!(asi.controls.iter().all(|c| c.id != "WDN-SEC-1"));
    assert!(nhi.controls.len() < catalog().len());
}

#[test]
fn evidence_is_escaped_in_html() {
    let html = render_html(&hostile(), None);
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("host&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;"));
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("/home/me/a&amp;b/&lt;cursor&gt;/&quot;x&quot;"));
    assert!(!html.contains("<cursor>"));
    assert!(!html.contains("<now>"));
}

#[test]
fn evidence_is_escaped_in_markdown() {
    let md = render_markdown(&hostile(), None);
    assert!(!md.contains("<script>"));
    assert!(!md.contains("<img"));
    assert!(!md.contains("<cursor>"));
    assert!(md.contains("host&lt;script&gt;"));
    // A `|` in evidence cannot break a table, and markup is inert.
    assert!(md.contains("\\| \\`rm\\` \\*bold\\* \\[l\\](u)"));
}

/// Checks that every element opened is closed in order (void elements and
/// `/>` excepted), and returns the tags seen: (name, whole tag text).
fn check_balanced(html: &str) -> Vec<(String, String)> {
    const VOID: &[&str] = &["meta", "br", "hr", "img", "input", "link", "col", "wbr"];
    let mut stack: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start..];
        let end = rest.find('>').expect("unterminated tag");
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let closing = tag.starts_with('/');
        let self_closing = tag.ends_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        assert!(!name.is_empty(), "empty tag name in <{tag}>");
        seen.push((name.clone(), tag.to_string()));
        if closing {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(open, name, "</{name}> closes <{open}>");
        } else if !self_closing && !VOID.contains(&name.as_str()) {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    seen
}

/// Whether a tag's text has an attribute like ` onclick=` (outside quotes).
fn has_event_handler(tag: &str) -> bool {
    let mut in_quotes = false;
    let bytes = tag.as_bytes();
    for i in 0..bytes.len() {
        match bytes[i] {
            b'"' => in_quotes = !in_quotes,
            b' ' if !in_quotes && tag[i + 1..].starts_with("on") => {
                let name: String = tag[i + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .collect();
                if tag[i + 1 + name.len()..].starts_with('=') {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

#[test]
fn html_is_one_balanced_self_contained_page() {
    for e in evidences() {
        for f in filters() {
            let html = render_html(&e, f);
            assert!(html.starts_with("<!DOCTYPE html>"));
            let tags = check_balanced(&html);
            for needed in [
                "html", "head", "style", "body", "header", "table", "svg", "rect", "section",
            ] {
                assert!(
                    tags.iter().any(|(t, _)| t == needed),
                    "no <{needed}> in {f:?}"
                );
            }
            for (name, tag) in &tags {
                assert!(
                    !["script", "link", "img", "iframe", "object", "embed", "base", "form"]
                        .contains(&name.as_str()),
                    "<{tag}> in {f:?}"
                );
                // No external resources: no src, no event handlers, only in-page anchors.
                assert!(!tag.contains("src="), "<{tag}>");
                assert!(!has_event_handler(tag), "<{tag}>");
                if let Some(at) = tag.find("href=") {
                    assert!(
                        tag[at..].starts_with("href=\"#"),
                        "external href in {f:?}: <{tag}>"
                    );
                }
            }
            assert!(!html.contains("url("));
            assert!(!html.contains("@import"));
            assert!(!html.contains("xmlns"));
            // Header, cards, chart, tables, out of scope.
            assert!(html.contains("<header class=\"top\">"));
            assert!(html.contains("class=\"cards\""));
            assert!(html.contains("<svg class=\"chart\""));
            assert!(html.contains("id=\"out-of-scope\""));
            // Every in-page link has a target.
            for (at, _) in html.match_indices("href=\"#") {
                let target: String = html[at + 7..].chars().take_while(|c| *c != '"').collect();
                assert!(
                    html.contains(&format!("id=\"{target}\"")),
                    "dangling #{target}"
                );
            }
        }
    }
}

#[test]
fn html_shows_host_time_summary_and_chart_numbers() {
    let html = render_html(&healthy(), None);
    assert!(html.contains("dev-laptop"));
    assert!(html.contains("2026-05-01T09:30:00Z"));
    let report = Report::build(&healthy(), None);
    assert_eq!(report.summary.pass, catalog().len(), "{:?}", report.summary);
    assert!(html.contains(&format!(
        "<div class=\"n\">{}</div><div class=\"l\">PASS</div>",
        catalog().len()
    )));
    for fw in &report.frameworks {
        assert!(html.contains(&format!("{} of {} addressed", fw.addressed, fw.total)));
    }
}

#[test]
fn json_round_trips() {
    for e in evidences() {
        for f in filters() {
            let value = render_json(&e, f);
            let report: Report = serde_json::from_value(value.clone()).expect("deserializes");
            assert_eq!(report, Report::build(&e, f));
            assert_eq!(serde_json::to_value(&report).unwrap(), value);
            assert_eq!(report.evidence, e);
            let text = render(Format::Json, &e, f);
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&text).unwrap(),
                value
            );
        }
        let text = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<Evidence>(&text).unwrap(), e);
    }
}

#[test]
fn json_shape() {
    let v = render_json(&hostile(), None);
    assert_eq!(v["schema"], "warden-report/1");
    assert_eq!(v["framework"], "all");
    assert_eq!(v["controls"].as_array().unwrap().len(), catalog().len());
    assert_eq!(
        v["frameworks"].as_array().unwrap().len(),
        Framework::ALL.len()
    );
    assert_eq!(
        v["evidence"]["metrics"]["assistants.shadow"]["value"]["ratio"]["part"],
        1
    );
    assert_eq!(
        v["evidence"]["metrics"]["assistants.shadow"]["status"],
        "fail"
    );
    let inv = &v["controls"][0];
    assert_eq!(inv["id"], "WDN-INV-1");
    assert_eq!(inv["status"], "fail");
    assert_eq!(inv["refs"][0]["relation"], "addresses");
    assert!(v["out_of_scope"].as_array().unwrap().len() >= 8);
}

#[test]
fn statuses_from_evidence() {
    // Everything measured and healthy: every control passes.
    for cs in assess(&healthy()) {
        assert_eq!(
            cs.status,
            Status::Pass,
            "{}: {:?}",
            cs.control.id,
            cs.evidence
        );
    }
    // Nothing measured: not measured, except the evidence-coverage control,
    // which is computed and fails.
    for cs in assess(&Evidence::new("t", "h")) {
        if cs.control.evidence_keys == [keys::REPORT_EVIDENCE_COVERAGE] {
            assert_eq!(cs.status, Status::Fail);
            assert!(
                cs.evidence[0].display.starts_with("0 of "),
                "{:?}",
                cs.evidence
            );
        } else {
            assert_eq!(cs.status, Status::NotMeasured, "{}", cs.control.id);
            assert!(cs
                .evidence
                .iter()
                .all(|l| l.status == Status::NotMeasured && l.display == "not measured"));
        }
    }
    let by_id =
        |e: &Evidence, id: &str| assess(e).into_iter().find(|c| c.control.id == id).unwrap();
    // A failing metric fails its control.
    let failing = healthy().with(
        keys::APPROVALS_SELF_APPROVED,
        Metric::zero(1, "self-approved requests"),
    );
    assert_eq!(by_id(&failing, "WDN-APR-1").status, Status::Fail);
    // A partial metric makes it partial.
    let partial = healthy().with(
        keys::ASSISTANTS_REGISTERED_WITH_OWNER,
        Metric::share(2, 3, "registered"),
    );
    assert_eq!(by_id(&partial, "WDN-ID-1").status, Status::Partial);
    // A missing key demotes a pass to partial.
    let mut missing = healthy();
    missing.metrics.remove(keys::OWNERS_INACTIVE);
    let id1 = by_id(&missing, "WDN-ID-1");
    assert_eq!(id1.status, Status::Partial);
    assert!(id1
        .evidence
        .iter()
        .any(|l| l.key == keys::OWNERS_INACTIVE && l.status == Status::NotMeasured));
    // Only informational metrics: not measured.
    let info_only =
        Evidence::new("t", "h").with(keys::APPROVALS_30D, Metric::count(3, "approvals"));
    assert_eq!(by_id(&info_only, "WDN-APR-1").status, Status::NotMeasured);
    // A caller-supplied coverage metric wins over the computed one.
    let supplied =
        Evidence::new("t", "h").with(keys::REPORT_EVIDENCE_COVERAGE, Metric::share(1, 1, "x"));
    assert_eq!(by_id(&supplied, "WDN-GOV-1").status, Status::Pass);
    // Healthy evidence measures every other key.
    assert_eq!(
        by_id(&healthy(), "WDN-GOV-1").evidence[0].display,
        format!(
            "{0} of {0} evidence keys measured on this host",
            keys::ALL.len() - 1
        )
    );
}

#[test]
fn combine_rule() {
    use Status::*;
    assert_eq!(combine([]), NotMeasured);
    assert_eq!(combine([Some(Info)]), NotMeasured);
    assert_eq!(combine([Some(Pass), Some(Info)]), Pass);
    assert_eq!(combine([Some(Pass), None]), Partial);
    assert_eq!(combine([Some(Pass), Some(NotMeasured)]), Partial);
    assert_eq!(combine([Some(Pass), Some(Partial)]), Partial);
    assert_eq!(combine([Some(Partial), Some(Fail), Some(Pass)]), Fail);
    assert_eq!(combine([Some(Fail), None]), Fail);
}

#[test]
fn metric_helpers() {
    let m = Metric::share(3, 3, "assistants registered with owners");
    assert_eq!(m.display, "3 of 3 assistants registered with owners");
    assert_eq!(
        (m.status, m.value.clone()),
        (Status::Pass, MetricValue::Ratio { part: 3, whole: 3 })
    );
    assert_eq!(m.value.as_f64(), Some(1.0));
    assert_eq!(Metric::share(1, 3, "x").status, Status::Partial);
    assert_eq!(Metric::share(0, 3, "x").status, Status::Fail);
    assert_eq!(Metric::share(0, 0, "assistants").status, Status::Info);
    assert_eq!(
        Metric::share(0, 0, "assistants").display,
        "none found: 0 of 0 assistants"
    );
    assert_eq!(Metric::all_required(4, 5, "x").status, Status::Fail);
    assert_eq!(Metric::all_required(5, 5, "x").status, Status::Pass);
    assert_eq!(Metric::none_of(0, 4, "in bypass mode").status, Status::Pass);
    assert_eq!(
        Metric::none_of(1, 4, "in bypass mode").display,
        "1 of 4 in bypass mode"
    );
    assert_eq!(Metric::none_of(1, 4, "x").status, Status::Fail);
    let z = Metric::zero(0, "decisions without a session credential in 30 days");
    assert_eq!(
        z.display,
        "0 decisions without a session credential in 30 days"
    );
    assert_eq!(z.status, Status::Pass);
    assert_eq!(Metric::zero(2, "x").status, Status::Fail);
    assert_eq!(Metric::count(9, "x").status, Status::Info);
    assert_eq!(Metric::at_least(0, 1, "x").status, Status::Fail);
    assert_eq!(Metric::flag(false, "a", "b").display, "b");
    assert_eq!(Metric::flag(false, "a", "b").status, Status::Fail);
    assert_eq!(
        Metric::not_measured("no warden home").status,
        Status::NotMeasured
    );
    assert_eq!(MetricValue::Ratio { part: 0, whole: 0 }.as_f64(), None);
    assert_eq!(MetricValue::Number(2.5).as_f64(), Some(2.5));
}

#[test]
fn a_metric_marked_not_measured_counts_as_missing() {
    let e = healthy().with(
        keys::AUDIT_INTACT,
        Metric::not_measured("no warden home on this host"),
    );
    let aud = assess(&e)
        .into_iter()
        .find(|c| c.control.id == "WDN-AUD-1")
        .unwrap();
    assert_eq!(aud.status, Status::Partial);
    let md = render_markdown(&e, None);
    assert!(md.contains("no warden home on this host"));
}
