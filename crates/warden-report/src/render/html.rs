//! HTML rendering: one self-contained page.
//!
//! Inline CSS and inline SVG only: no scripts, no fonts, no images, no
//! links except in-page anchors. Every string is escaped, whether it comes
//! from the catalog or from the evidence.

use std::fmt::Write;

use super::markdown::matrix_mark;
use crate::evidence::Status;
use crate::framework::{marker, short_marker, Framework, Relation};
use crate::report::{FrameworkCoverage, Report};

const CSS: &str = r#"
:root{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--card:#fff;--head:#0f172a;
--pass:#1a7f37;--partial:#9a6700;--fail:#cf222e;--nm:#6e7781;--info:#0969da;
--addr:#0f766e;--contrib:#5fd3c3;--none:#e4e8ec}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg);line-height:1.5;font-size:15px}
header.top{background:var(--head);color:#f1f5f9;padding:28px 40px 22px}
header.top h1{margin:0 0 6px;font-size:1.7rem;letter-spacing:.01em}
header.top .meta{display:flex;flex-wrap:wrap;gap:6px 28px;color:#cbd5e1;font-size:.95rem}
header.top .meta b{color:#f8fafc;font-weight:600}
nav.toc{background:#1e293b;padding:8px 40px;font-size:.9rem}
nav.toc a{color:#cbd5e1;margin-right:18px;text-decoration:none}
nav.toc a:hover{color:#fff;text-decoration:underline}
main{max-width:1240px;margin:0 auto;padding:8px 40px 48px}
h2{margin:36px 0 12px;font-size:1.3rem;border-bottom:1px solid var(--line);padding-bottom:6px}
h3{margin:20px 0 8px;font-size:1.08rem}
p.statement{background:#eef6ff;border:1px solid #c8e1ff;border-radius:8px;padding:12px 16px;margin:20px 0 0;font-size:.93rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:14px;margin-top:8px}
.card{background:var(--card);border:1px solid var(--line);border-top:5px solid var(--nm);border-radius:10px;padding:14px 18px}
.card .n{font-size:2.4rem;font-weight:700;line-height:1.1}
.card .l{color:var(--muted);font-size:.85rem;text-transform:uppercase;letter-spacing:.06em}
.card.pass{border-top-color:var(--pass)}.card.pass .n{color:var(--pass)}
.card.partial{border-top-color:var(--partial)}.card.partial .n{color:var(--partial)}
.card.fail{border-top-color:var(--fail)}.card.fail .n{color:var(--fail)}
.card.not_measured .n{color:var(--nm)}
.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 18px;margin:10px 0}
svg.chart{width:100%;height:auto;display:block}
svg.chart text{font-family:inherit;font-size:13px;fill:var(--ink)}
svg.chart text.sub{fill:var(--muted);font-size:12px}
table{border-collapse:collapse;width:100%;background:var(--card);margin:6px 0 14px}
th,td{border:1px solid var(--line);padding:6px 9px;text-align:left;vertical-align:top;font-size:.9rem}
th{background:#eef1f4;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 9px;border-radius:999px;font-size:.72rem;font-weight:700;color:#fff;white-space:nowrap;letter-spacing:.03em;vertical-align:1px}
.b-pass{background:var(--pass)}.b-partial{background:var(--partial)}.b-fail{background:var(--fail)}
.b-not_measured{background:var(--nm)}.b-info{background:var(--info)}
.unconf{color:#9a3412;font-style:italic}
.note{color:var(--muted);font-size:.85em}
.control{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--nm);border-radius:10px;padding:4px 18px 8px;margin:16px 0}
.control.s-pass{border-left-color:var(--pass)}.control.s-partial{border-left-color:var(--partial)}.control.s-fail{border-left-color:var(--fail)}
.control h3{display:flex;gap:10px;align-items:center;flex-wrap:wrap}
.control .cid{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--muted);font-size:.9rem}
.impl{color:var(--muted);font-size:.88rem}
.limits{background:#fff8e6;border-left:3px solid #d4a72c;padding:6px 10px;font-size:.88rem;margin:4px 0 10px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.86em;background:#eef1f4;padding:0 4px;border-radius:4px}
td code,td a,td.fw,td.rel{white-space:nowrap}
tr.gap td{background:#fdf2f2}
tr.gap td.none{color:var(--fail)}
td.refs div{margin:1px 0 3px}
table.maps td.fw{width:15%}table.maps td.refs{width:42.5%}
table.ev td:first-child{width:62%}
td.refs div code{margin-right:4px}
.caveat{color:#7c4a03;font-size:.88rem}
.matrix-wrap{overflow-x:auto}
table.matrix td,table.matrix th{text-align:center;padding:3px 5px;font-size:.8rem}
table.matrix th.vert{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:500}
table.matrix td.rowid{text-align:left;white-space:nowrap;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
table.matrix tr.group td{background:#eef1f4;font-weight:600;text-align:left}
table.matrix td.a{color:var(--addr);font-weight:700}
table.matrix td.c{color:var(--addr)}
ul.oos li{margin:4px 0}
footer{color:var(--muted);font-size:.82rem;text-align:center;padding:18px}
@media print{header.top,nav.toc{background:none;color:#000}header.top .meta,header.top .meta b{color:#000}nav.toc{display:none}.control,.card,.panel{break-inside:avoid}}
"#;

pub(super) fn render(report: &Report) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let w = &mut out;
    // `write!` into a String cannot fail.
    let _ = write!(
        w,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Warden control report: {host}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        host = esc(&report.host)
    );

    // Header.
    let _ = write!(
        w,
        "<header class=\"top\">\n<h1>Warden control report</h1>\n<div class=\"meta\">\
         <span>Host <b>{}</b></span><span>Generated <b>{}</b></span><span>Framework <b>{}</b></span>\
         <span>Controls shown <b>{}</b></span></div>\n</header>\n",
        esc(&report.host),
        esc(&report.generated_at),
        esc(&framework_label(report)),
        report.controls.len()
    );
    let _ = write!(w, "<nav class=\"toc\"><a href=\"#summary\">Summary</a><a href=\"#coverage\">Coverage</a><a href=\"#controls\">Controls</a><a href=\"#frameworks\">Framework mappings</a>");
    if report.is_all() {
        let _ = write!(w, "<a href=\"#matrix\">Coverage matrix</a>");
    }
    let _ = writeln!(w, "<a href=\"#out-of-scope\">Out of scope</a></nav>");
    let _ = writeln!(w, "<main>");
    let _ = writeln!(w, "<p class=\"statement\">{}</p>", esc(&report.statement));

    // Summary cards.
    let s = report.summary;
    let _ = writeln!(
        w,
        "<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">"
    );
    for (status, n) in [
        (Status::Pass, s.pass),
        (Status::Partial, s.partial),
        (Status::Fail, s.fail),
        (Status::NotMeasured, s.not_measured),
    ] {
        let _ = writeln!(
            w,
            "<div class=\"card {}\"><div class=\"n\">{n}</div><div class=\"l\">{}</div></div>",
            status.as_str(),
            esc(status.label())
        );
    }
    let _ = writeln!(w, "</div>\n</section>");

    // Coverage chart.
    let _ = writeln!(w, "<section id=\"coverage\">\n<h2>Coverage</h2>");
    let _ = writeln!(
        w,
        "<p class=\"note\">Identifiers of each framework's list that warden's controls address or contribute to. This is the static mapping; the status of each control on this host is below.</p>"
    );
    let _ = writeln!(w, "<div class=\"panel\">");
    chart(w, &report.frameworks);
    let _ = writeln!(w, "</div>");
    let _ = writeln!(
        w,
        "<table>\n<thead><tr><th>Framework</th><th class=\"num\">Identifiers in list</th><th class=\"num\">Addressed</th><th class=\"num\">Contributed to only</th><th class=\"num\">Not covered</th></tr></thead>\n<tbody>"
    );
    for fw in &report.frameworks {
        let _ = writeln!(
            w,
            "<tr><td><a href=\"#f-{}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            fw.framework.as_str(),
            esc(fw.framework.short_title()),
            fw.total,
            fw.addressed,
            fw.contributed_only,
            fw.uncovered()
        );
    }
    let _ = writeln!(w, "</tbody>\n</table>\n</section>");

    // Controls: overview, then one card each.
    let _ = writeln!(w, "<section id=\"controls\">\n<h2>Controls</h2>");
    let _ = writeln!(
        w,
        "<table>\n<thead><tr><th>Control</th><th>Name</th><th>Status</th><th>Evidence</th></tr></thead>\n<tbody>"
    );
    for c in &report.controls {
        let measured: Vec<String> = c
            .evidence
            .iter()
            .filter(|e| e.status != Status::NotMeasured)
            .map(|e| esc(&e.display))
            .collect();
        let missing = c.evidence.len() - measured.len();
        let mut evidence = measured.join("; ");
        if missing > 0 {
            if !evidence.is_empty() {
                evidence.push(' ');
            }
            let _ = write!(
                evidence,
                "<span class=\"note\">({missing} of {} not measured)</span>",
                c.evidence.len()
            );
        }
        let _ = writeln!(
            w,
            "<tr><td><a href=\"#c-{id}\"><code>{id}</code></a></td><td>{}</td><td>{}</td><td>{evidence}</td></tr>",
            esc(&c.name),
            badge(c.status),
            id = esc(&c.id)
        );
    }
    let _ = writeln!(w, "</tbody>\n</table>");
    for c in &report.controls {
        let _ = writeln!(
            w,
            "<article class=\"control s-{}\" id=\"c-{}\">\n<h3><span class=\"cid\">{}</span> {} {}</h3>",
            c.status.as_str(),
            esc(&c.id),
            esc(&c.id),
            esc(&c.name),
            badge(c.status)
        );
        let _ = writeln!(w, "<p>{}</p>", inline_code(&c.description));
        let _ = writeln!(
            w,
            "<p class=\"impl\">Implemented by <code>{}</code></p>",
            esc(&c.implemented_by)
        );
        let _ = writeln!(
            w,
            "<table class=\"ev\">\n<thead><tr><th>Evidence</th><th>Status</th><th>Key</th></tr></thead>\n<tbody>"
        );
        for e in &c.evidence {
            let _ = writeln!(
                w,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                esc(&e.display),
                badge(e.status),
                esc(&e.key)
            );
        }
        let _ = writeln!(w, "</tbody>\n</table>");
        let _ = writeln!(
            w,
            "<table class=\"maps\">\n<thead><tr><th>Framework</th><th>Addresses</th><th>Contributes to</th></tr></thead>\n<tbody>"
        );
        for fw in Framework::ALL {
            if !c.refs.iter().any(|r| r.framework == fw) {
                continue;
            }
            let cell = |relation: Relation| {
                let items: Vec<String> = c
                    .refs
                    .iter()
                    .filter(|r| r.framework == fw && r.relation == relation)
                    .map(|r| {
                        format!(
                            "<div><code>{}</code> {}{}</div>",
                            esc(&r.id),
                            esc(&r.title),
                            short_marker_html(r.confirmed, r.note.as_deref())
                        )
                    })
                    .collect();
                if items.is_empty() {
                    "—".to_string()
                } else {
                    items.concat()
                }
            };
            let _ = writeln!(
                w,
                "<tr><td class=\"fw\">{}</td><td class=\"refs\">{}</td><td class=\"refs\">{}</td></tr>",
                esc(fw.short_title()),
                cell(Relation::Addresses),
                cell(Relation::ContributesTo)
            );
        }
        let _ = writeln!(w, "</tbody>\n</table>");
        let _ = writeln!(
            w,
            "<p class=\"limits\"><b>Limits.</b> {}</p>\n</article>",
            inline_code(&c.limits)
        );
    }
    let _ = writeln!(w, "</section>");

    // Framework mappings.
    let _ = writeln!(
        w,
        "<section id=\"frameworks\">\n<h2>Framework mappings</h2>"
    );
    for fw in &report.frameworks {
        let _ = writeln!(
            w,
            "<h3 id=\"f-{}\">{}</h3>",
            fw.framework.as_str(),
            esc(&fw.title)
        );
        let _ = writeln!(w, "<p class=\"note\">{}</p>", esc(&fw.scope));
        if let Some(caveat) = &fw.caveat {
            let _ = writeln!(w, "<p class=\"caveat\">Source caveat: {}</p>", esc(caveat));
        }
        let _ = writeln!(
            w,
            "<p>{} of {} identifiers addressed, {} contributed to only, {} not covered.</p>",
            fw.addressed,
            fw.total,
            fw.contributed_only,
            fw.uncovered()
        );
        let _ = writeln!(
            w,
            "<table>\n<thead><tr><th>Identifier</th><th>Title</th><th>Addressed by</th><th>Contributes to</th></tr></thead>\n<tbody>"
        );
        for i in &fw.identifiers {
            let gap = i.addressed_by.is_empty() && i.contributed_to_by.is_empty();
            let _ = writeln!(
                w,
                "<tr{}><td><code>{}</code></td><td>{}{}</td><td{}>{}</td><td{}>{}</td></tr>",
                if gap { " class=\"gap\"" } else { "" },
                esc(&i.id),
                esc(&i.title),
                marker_html(i.confirmed, i.note.as_deref()),
                if gap { " class=\"none\"" } else { "" },
                if gap {
                    "not covered".to_string()
                } else {
                    control_links(&i.addressed_by)
                },
                if gap { " class=\"none\"" } else { "" },
                if gap {
                    "not covered".to_string()
                } else {
                    control_links(&i.contributed_to_by)
                }
            );
        }
        let _ = writeln!(w, "</tbody>\n</table>");
    }
    let _ = writeln!(w, "</section>");

    // Coverage matrix.
    if report.is_all() {
        let _ = writeln!(w, "<section id=\"matrix\">\n<h2>Coverage matrix</h2>");
        let _ = writeln!(
            w,
            "<p class=\"note\">● addresses · ○ contributes to. Rows are framework identifiers, columns are controls.</p>"
        );
        let _ = writeln!(
            w,
            "<div class=\"matrix-wrap\">\n<table class=\"matrix\">\n<thead><tr><th>Identifier</th>"
        );
        for c in &report.controls {
            let _ = write!(w, "<th class=\"vert\">{}</th>", esc(&c.id));
        }
        let _ = writeln!(w, "</tr></thead>\n<tbody>");
        let columns = report.controls.len() + 1;
        for fw in &report.frameworks {
            let _ = writeln!(
                w,
                "<tr class=\"group\"><td colspan=\"{columns}\">{}</td></tr>",
                esc(fw.framework.short_title())
            );
            for i in &fw.identifiers {
                let unconfirmed = if i.confirmed {
                    ""
                } else {
                    " <span class=\"unconf\">(unconfirmed)</span>"
                };
                let gap = i.addressed_by.is_empty() && i.contributed_to_by.is_empty();
                let _ = write!(
                    w,
                    "<tr{}><td class=\"rowid\">{}{unconfirmed}</td>",
                    if gap { " class=\"gap\"" } else { "" },
                    esc(&i.id)
                );
                for c in &report.controls {
                    let mark = matrix_mark(report, &c.id, fw.framework, &i.id);
                    let class = match mark {
                        "●" => " class=\"a\"",
                        "○" => " class=\"c\"",
                        _ => "",
                    };
                    let _ = write!(w, "<td{class}>{mark}</td>");
                }
                let _ = writeln!(w, "</tr>");
            }
        }
        let _ = writeln!(w, "</tbody>\n</table>\n</div>\n</section>");
    }

    // Out of scope.
    let _ = writeln!(w, "<section id=\"out-of-scope\">\n<h2>Out of scope</h2>\n<p>Warden does not do the following:</p>\n<ul class=\"oos\">");
    for item in &report.out_of_scope {
        let _ = writeln!(w, "<li>{}</li>", inline_code(item));
    }
    let _ = writeln!(w, "</ul>\n</section>\n</main>");
    let _ = writeln!(
        w,
        "<footer>Generated by warden report · schema {} · controls address or contribute to framework identifiers; this page is not a certification.</footer>\n</body>\n</html>",
        esc(&report.schema)
    );
    out
}

/// The horizontal stacked bar chart: per framework, identifiers addressed,
/// contributed to only, and not covered, out of its list.
fn chart(w: &mut String, frameworks: &[FrameworkCoverage]) {
    const LABEL: f64 = 190.0;
    const BAR: f64 = 470.0;
    const ROW: f64 = 40.0;
    const TOP: f64 = 10.0;
    let height = TOP + ROW * frameworks.len() as f64 + 34.0;
    let _ = writeln!(
        w,
        "<svg class=\"chart\" viewBox=\"0 0 900 {height}\" role=\"img\" aria-labelledby=\"chart-title\">\n<title id=\"chart-title\">Identifiers addressed and contributed to, per framework</title>"
    );
    for (n, fw) in frameworks.iter().enumerate() {
        let y = TOP + ROW * n as f64;
        let total = fw.total.max(1) as f64;
        let wa = BAR * fw.addressed as f64 / total;
        let wc = BAR * fw.contributed_only as f64 / total;
        let wn = BAR - wa - wc;
        let _ = writeln!(
            w,
            "<text x=\"0\" y=\"{:.1}\">{}</text>",
            y + 17.0,
            esc(fw.framework.short_title())
        );
        let _ = writeln!(
            w,
            "<rect x=\"{LABEL}\" y=\"{y:.1}\" width=\"{wa:.1}\" height=\"24\" fill=\"#0f766e\"><title>{} addressed</title></rect>",
            fw.addressed
        );
        let _ = writeln!(
            w,
            "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{wc:.1}\" height=\"24\" fill=\"#5fd3c3\"><title>{} contributed to only</title></rect>",
            LABEL + wa,
            fw.contributed_only
        );
        let _ = writeln!(
            w,
            "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{wn:.1}\" height=\"24\" fill=\"#e4e8ec\"><title>{} not covered</title></rect>",
            LABEL + wa + wc,
            fw.uncovered()
        );
        let _ = writeln!(
            w,
            "<text x=\"{:.1}\" y=\"{:.1}\">{} of {} addressed</text>",
            LABEL + BAR + 12.0,
            y + 11.0,
            fw.addressed,
            fw.total
        );
        let _ = writeln!(
            w,
            "<text class=\"sub\" x=\"{:.1}\" y=\"{:.1}\">+{} contributed to · {} not covered</text>",
            LABEL + BAR + 12.0,
            y + 25.0,
            fw.contributed_only,
            fw.uncovered()
        );
    }
    let ly = TOP + ROW * frameworks.len() as f64 + 6.0;
    for (n, (color, label)) in [
        ("#0f766e", "addressed"),
        ("#5fd3c3", "contributed to only"),
        ("#e4e8ec", "not covered"),
    ]
    .into_iter()
    .enumerate()
    {
        let x = LABEL + 170.0 * n as f64;
        let _ = writeln!(
            w,
            "<rect x=\"{x:.1}\" y=\"{ly:.1}\" width=\"14\" height=\"14\" fill=\"{color}\"/>\n<text class=\"sub\" x=\"{:.1}\" y=\"{:.1}\">{label}</text>",
            x + 20.0,
            ly + 12.0
        );
    }
    let _ = writeln!(w, "</svg>");
}

fn framework_label(report: &Report) -> String {
    match report.frameworks.as_slice() {
        [one] if !report.is_all() => format!("{} ({})", one.framework.as_str(), one.title),
        _ => "all".to_string(),
    }
}

fn badge(status: Status) -> String {
    format!(
        "<span class=\"badge b-{}\">{}</span>",
        status.as_str(),
        esc(status.label())
    )
}

/// The short marker; an unconfirmed one carries its reason as a tooltip.
fn short_marker_html(confirmed: bool, note: Option<&str>) -> String {
    let text = short_marker(confirmed, note);
    if text.is_empty() {
        return String::new();
    }
    match (confirmed, note) {
        (false, Some(reason)) => {
            format!(
                "<span class=\"unconf\" title=\"{}\">{}</span>",
                esc(reason),
                esc(&text)
            )
        }
        (false, None) => format!("<span class=\"unconf\">{}</span>", esc(&text)),
        (true, _) => format!("<span class=\"note\">{}</span>", esc(&text)),
    }
}

fn marker_html(confirmed: bool, note: Option<&str>) -> String {
    let text = marker(confirmed, note);
    if text.is_empty() {
        String::new()
    } else if confirmed {
        format!("<span class=\"note\">{}</span>", esc(&text))
    } else {
        format!("<span class=\"unconf\">{}</span>", esc(&text))
    }
}

fn control_links(ids: &[String]) -> String {
    if ids.is_empty() {
        return "—".to_string();
    }
    ids.iter()
        .map(|id| format!("<a href=\"#c-{0}\">{0}</a>", esc(id)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Escapes `s` and turns `` `code` `` spans into `<code>` elements (for the
/// catalog's own prose).
fn inline_code(s: &str) -> String {
    let mut out = String::new();
    for (n, part) in s.split('`').enumerate() {
        if n % 2 == 1 {
            out.push_str("<code>");
            out.push_str(&esc(part));
            out.push_str("</code>");
        } else {
            out.push_str(&esc(part));
        }
    }
    // An unbalanced backtick leaves an odd number of parts: nothing to close,
    // because every opened <code> above is closed in the same step.
    out
}

/// Escapes text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
