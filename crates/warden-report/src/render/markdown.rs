//! Markdown rendering.

use std::fmt::Write;

use crate::evidence::Status;
use crate::framework::{marker, short_marker, Relation};
use crate::report::Report;

pub(super) fn render(report: &Report) -> String {
    let mut out = String::new();
    // `write!` into a String cannot fail.
    let w = &mut out;

    let _ = writeln!(w, "# Warden control report\n");
    let _ = writeln!(
        w,
        "**Host:** {} · **Generated:** {} · **Framework:** {}\n",
        text(&report.host),
        text(&report.generated_at),
        framework_label(report)
    );
    let _ = writeln!(w, "> {}\n", report.statement);

    // Summary.
    let s = report.summary;
    let _ = writeln!(w, "## Summary\n");
    let _ = writeln!(w, "{} controls shown.\n", report.controls.len());
    let _ = writeln!(w, "| Status | Controls |\n|---|---:|");
    let _ = writeln!(w, "| PASS | {} |", s.pass);
    let _ = writeln!(w, "| PARTIAL | {} |", s.partial);
    let _ = writeln!(w, "| FAIL | {} |", s.fail);
    let _ = writeln!(w, "| NOT MEASURED | {} |\n", s.not_measured);

    // Coverage per framework.
    let _ = writeln!(w, "## Coverage\n");
    let _ = writeln!(
        w,
        "Identifiers of each framework's list that the catalog addresses or contributes to (static mapping, independent of this host's evidence).\n"
    );
    let _ = writeln!(
        w,
        "| Framework | Identifiers in list | Addressed | Contributed to only | Not covered |\n|---|---:|---:|---:|---:|"
    );
    for fw in &report.frameworks {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} |",
            fw.framework.short_title(),
            fw.total,
            fw.addressed,
            fw.contributed_only,
            fw.uncovered()
        );
    }
    let _ = writeln!(w);

    // Controls.
    let _ = writeln!(w, "## Controls\n");
    let _ = writeln!(w, "| Control | Name | Status |\n|---|---|---|");
    for c in &report.controls {
        let _ = writeln!(
            w,
            "| {} | {} | **{}** |",
            c.id,
            cell(&c.name),
            c.status.label()
        );
    }
    let _ = writeln!(w);
    for c in &report.controls {
        let _ = writeln!(w, "### {} · {} — {}\n", c.id, c.name, c.status.label());
        let _ = writeln!(w, "{}\n", c.description);
        let _ = writeln!(w, "*Implemented by:* `{}`\n", c.implemented_by);
        let _ = writeln!(w, "**Evidence**\n");
        for line in &c.evidence {
            if line.status == Status::NotMeasured && line.display == "not measured" {
                let _ = writeln!(w, "- **{}** `{}`", line.status.label(), code(&line.key));
            } else {
                let _ = writeln!(
                    w,
                    "- **{}** {} (`{}`)",
                    line.status.label(),
                    text(&line.display),
                    code(&line.key)
                );
            }
        }
        let _ = writeln!(w);
        let _ = writeln!(w, "**Maps to**\n");
        let _ = writeln!(
            w,
            "| Framework | Identifier | Title | Relation |\n|---|---|---|---|"
        );
        for r in &c.refs {
            let _ = writeln!(
                w,
                "| {} | {} | {}{} | {} |",
                r.framework.short_title(),
                r.id,
                cell(&r.title),
                cell(&short_marker(r.confirmed, r.note.as_deref())),
                r.relation.as_str()
            );
        }
        let _ = writeln!(w);
        let _ = writeln!(w, "*Limits:* {}\n", c.limits);
    }

    // Framework mappings.
    let _ = writeln!(w, "## Framework mappings\n");
    for fw in &report.frameworks {
        let _ = writeln!(w, "### {}\n", fw.title);
        let _ = writeln!(w, "{}\n", fw.scope);
        if let Some(caveat) = &fw.caveat {
            let _ = writeln!(w, "*Source caveat:* {caveat}\n");
        }
        let _ = writeln!(
            w,
            "{} of {} identifiers addressed, {} contributed to only, {} not covered.\n",
            fw.addressed,
            fw.total,
            fw.contributed_only,
            fw.uncovered()
        );
        let _ = writeln!(
            w,
            "| Identifier | Title | Addressed by | Contributes to |\n|---|---|---|---|"
        );
        for i in &fw.identifiers {
            let (addressed, contributed) =
                if i.addressed_by.is_empty() && i.contributed_to_by.is_empty() {
                    ("**not covered**".to_string(), "**not covered**".to_string())
                } else {
                    (
                        list_or_dash(&i.addressed_by),
                        list_or_dash(&i.contributed_to_by),
                    )
                };
            let _ = writeln!(
                w,
                "| {} | {}{} | {} | {} |",
                i.id,
                cell(&i.title),
                cell(&marker(i.confirmed, i.note.as_deref())),
                addressed,
                contributed
            );
        }
        let _ = writeln!(w);
    }

    // Coverage matrix, only without a filter.
    if report.is_all() {
        let _ = writeln!(w, "## Coverage matrix\n");
        let _ = writeln!(w, "● addresses · ○ contributes to\n");
        let _ = write!(w, "| Identifier |");
        for c in &report.controls {
            let _ = write!(w, " {} |", c.id);
        }
        let _ = write!(w, "\n|---|");
        for _ in &report.controls {
            let _ = write!(w, ":-:|");
        }
        let _ = writeln!(w);
        for fw in &report.frameworks {
            let _ = write!(w, "| **{}** |", fw.framework.short_title());
            for _ in &report.controls {
                let _ = write!(w, " |");
            }
            let _ = writeln!(w);
            for i in &fw.identifiers {
                let unconfirmed = if i.confirmed { "" } else { " (unconfirmed)" };
                let _ = write!(w, "| {}{} |", i.id, unconfirmed);
                for c in &report.controls {
                    let mark = matrix_mark(report, c.id.as_str(), fw.framework, &i.id);
                    let _ = write!(w, " {mark} |");
                }
                let _ = writeln!(w);
            }
        }
        let _ = writeln!(w);
    }

    // Out of scope.
    let _ = writeln!(w, "## Out of scope\n");
    let _ = writeln!(w, "Warden does not do the following:\n");
    for item in &report.out_of_scope {
        let _ = writeln!(w, "- {item}");
    }
    out
}

fn framework_label(report: &Report) -> String {
    match report.frameworks.as_slice() {
        [one] if !report.is_all() => format!("{} ({})", one.framework.as_str(), one.title),
        _ => "all (every framework)".to_string(),
    }
}

/// The matrix cell for control `control` × identifier `id`.
pub(super) fn matrix_mark(
    report: &Report,
    control: &str,
    framework: crate::Framework,
    id: &str,
) -> &'static str {
    let Some(fw) = report.frameworks.iter().find(|f| f.framework == framework) else {
        return "";
    };
    let Some(ident) = fw.identifiers.iter().find(|i| i.id == id) else {
        return "";
    };
    if ident.addressed_by.iter().any(|c| c == control) {
        mark(Relation::Addresses)
    } else if ident.contributed_to_by.iter().any(|c| c == control) {
        mark(Relation::ContributesTo)
    } else {
        ""
    }
}

fn mark(relation: Relation) -> &'static str {
    match relation {
        Relation::Addresses => "●",
        Relation::ContributesTo => "○",
    }
}

fn list_or_dash(ids: &[String]) -> String {
    if ids.is_empty() {
        "—".to_string()
    } else {
        ids.join(", ")
    }
}

/// Escapes untrusted text (evidence, host, time) for Markdown: no markup,
/// no HTML, no table breaks, one line.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Trusted text in a table cell: `|` escaped, one line.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Text inside a code span: backticks and line breaks removed.
fn code(s: &str) -> String {
    s.chars().filter(|c| *c != '`' && !c.is_control()).collect()
}
