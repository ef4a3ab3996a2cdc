//! The three renderers. Each builds one [`Report`] and prints it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::evidence::Evidence;
use crate::framework::Framework;
use crate::report::Report;
use crate::ParseError;

mod html;
mod markdown;

/// An output format of `warden report --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Markdown (`md`).
    Markdown,
    /// One self-contained HTML page (`html`).
    Html,
    /// One JSON object, the serialized [`Report`] (`json`).
    Json,
}

impl Format {
    /// Parses `md` (or `markdown`), `html` or `json`, ASCII case-insensitive.
    pub fn parse(name: &str) -> Result<Format, ParseError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            "json" => Ok(Format::Json),
            _ => Err(ParseError::UnknownFormat(name.to_string())),
        }
    }

    /// The command-line name: `md`, `html` or `json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Json => "json",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::parse(s)
    }
}

/// Renders the report in `format` (JSON pretty-printed, with a final newline).
pub fn render(format: Format, evidence: &Evidence, filter: Option<Framework>) -> String {
    match format {
        Format::Markdown => render_markdown(evidence, filter),
        Format::Html => render_html(evidence, filter),
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&render_json(evidence, filter))
                .expect("a report always serializes");
            text.push('\n');
            text
        }
    }
}

/// The report as Markdown (GitHub-flavoured tables). With a filter, only the
/// controls mapped to that framework and only its identifiers; without one,
/// every framework and the coverage matrix.
pub fn render_markdown(evidence: &Evidence, filter: Option<Framework>) -> String {
    markdown::render(&Report::build(evidence, filter))
}

/// The report as one self-contained HTML page: inline CSS, an inline SVG
/// chart, no scripts and no external resources. Every string from the
/// evidence is escaped.
pub fn render_html(evidence: &Evidence, filter: Option<Framework>) -> String {
    html::render(&Report::build(evidence, filter))
}

/// The report as JSON: the serialized [`Report`], which deserializes back
/// into it.
pub fn render_json(evidence: &Evidence, filter: Option<Framework>) -> serde_json::Value {
    serde_json::to_value(Report::build(evidence, filter)).expect("a report always serializes")
}
