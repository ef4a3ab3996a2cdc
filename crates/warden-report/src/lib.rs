//! Warden's control catalog and report renderer.
//!
//! [`catalog`] lists every control warden implements, what implements it
//! and the framework identifiers it *addresses* or *contributes to*: OWASP
//! Non-Human Identities Top 10 (2025), OWASP Top 10 for Agentic
//! Applications (2026), OWASP Top 10 for LLM Applications (2025), CSA
//! MAESTRO layers, NIST AI RMF 1.0 subcategories and NIST CSF 2.0
//! subcategories ([`Framework`]). Identifiers are spelled exactly and
//! edition-stamped as in the project's research note on the frameworks;
//! those the note does not confirm are marked "(unconfirmed: …)" in every
//! output.
//!
//! The caller measures [`Evidence`] on the host (registry, audit
//! statistics, `warden scan`, the sandbox ladder), one [`Metric`] per key in
//! [`keys`]. [`assess`] turns it into each control's [`Status`], and the
//! renderers print the whole report: [`render_markdown`], [`render_html`]
//! (one self-contained page with a coverage chart) and [`render_json`] (the
//! serialized [`Report`]). With a framework filter only the controls mapped
//! to it, and only its identifiers, are shown; without one, every framework
//! and a coverage matrix. [`OUT_OF_SCOPE`] says plainly what warden does
//! not do.
//!
//! Wording: the report says "addresses" or "contributes to" and never claims
//! conformance with a framework; the tests check every output for it.
//!
//! ```
//! use warden_report::{keys, render_markdown, Evidence, Framework, Metric};
//!
//! let evidence = Evidence::new("2026-05-01T09:30:00Z", "dev-laptop")
//!     .with(keys::ASSISTANTS_REGISTERED_WITH_OWNER, Metric::share(3, 3, "assistants registered with owners"))
//!     .with(keys::OWNERS_INACTIVE, Metric::zero(0, "identities with an inactive or missing owner"));
//! let md = render_markdown(&evidence, Some(Framework::OwaspNhi));
//! assert!(md.contains("3 of 3 assistants registered with owners"));
//! assert!(md.contains("NHI1:2025"));
//! ```

#![warn(missing_docs)]

mod assess;
mod catalog;
mod evidence;
mod framework;
mod render;
mod report;
mod scope;

pub use assess::{assess, combine, ControlStatus, EvidenceLine};
pub use catalog::{catalog, control, Control};
pub use evidence::{keys, Evidence, Metric, MetricValue, Status};
pub use framework::{parse_filter, Framework, FrameworkRef, Identifier, Relation};
pub use render::{render, render_html, render_json, render_markdown, Format};
pub use report::{
    coverage, FrameworkCoverage, IdentifierCoverage, Report, ReportControl, ReportRef, Summary,
    SCHEMA, STATEMENT,
};
pub use scope::OUT_OF_SCOPE;

/// A command-line value that names no framework or format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not one of the framework names (or `all`, where a filter is parsed).
    #[error(
        "unknown framework {0:?}: expected owasp-nhi, owasp-asi, owasp-llm, maestro, nist-ai-rmf, nist-csf or all"
    )]
    UnknownFramework(String),
    /// Not one of the format names.
    #[error("unknown report format {0:?}: expected md, html or json")]
    UnknownFormat(String),
}
