//! The report model: everything a renderer prints, built once from the
//! catalog and the evidence. [`render_json`](crate::render_json) is this
//! model serialized, so it deserializes back into [`Report`].

use serde::{Deserialize, Serialize};

use crate::assess::{assess, EvidenceLine};
use crate::catalog::catalog;
use crate::evidence::{Evidence, Status};
use crate::framework::{Framework, Relation};
use crate::scope::OUT_OF_SCOPE;

/// The JSON schema name and version of [`Report`].
pub const SCHEMA: &str = "warden-report/1";

/// What the report says about its own wording, printed at the top of every
/// output.
pub const STATEMENT: &str = "Each control below addresses or contributes to the framework identifiers listed with it. \"Addresses\" means the control is a primary mitigation of that risk or directly implements that outcome; \"contributes to\" means it supports it without covering it on its own. The mapping is warden's own reading of each framework: it is not a certification, an audit or an endorsement by any publisher. Statuses come from evidence measured on this host at the time shown. Identifiers marked \"unconfirmed\" could not be checked against the publisher's final text.";

/// A rendered report's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// When the evidence was gathered.
    pub generated_at: String,
    /// The host it describes.
    pub host: String,
    /// The framework filter: a framework's name, or `"all"`.
    pub framework: String,
    /// [`STATEMENT`].
    pub statement: String,
    /// Control counts by status.
    pub summary: Summary,
    /// The controls shown (with a filter, only those mapped to it; their
    /// references only to it).
    pub controls: Vec<ReportControl>,
    /// Each framework shown, with every identifier in its list and the
    /// controls that address or contribute to it. Without a filter, this is
    /// the coverage matrix in sparse form.
    pub frameworks: Vec<FrameworkCoverage>,
    /// What warden does not do ([`OUT_OF_SCOPE`]).
    pub out_of_scope: Vec<String>,
    /// The evidence the statuses were computed from.
    pub evidence: Evidence,
}

/// Control counts by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Controls that pass.
    pub pass: usize,
    /// Controls partly in place, or with incomplete evidence.
    pub partial: usize,
    /// Controls that fail.
    pub fail: usize,
    /// Controls with no evidence.
    pub not_measured: usize,
}

/// One control in the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportControl {
    /// See [`Control::id`](crate::Control::id).
    pub id: String,
    /// See [`Control::name`](crate::Control::name).
    pub name: String,
    /// See [`Control::description`](crate::Control::description).
    pub description: String,
    /// See [`Control::implemented_by`](crate::Control::implemented_by).
    pub implemented_by: String,
    /// See [`Control::limits`](crate::Control::limits).
    pub limits: String,
    /// Its status on this host.
    pub status: Status,
    /// Its evidence, one line per key.
    pub evidence: Vec<EvidenceLine>,
    /// The identifiers it addresses or contributes to (with a filter, of
    /// that framework only).
    pub refs: Vec<ReportRef>,
}

/// A control's reference to one identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRef {
    /// The framework.
    pub framework: Framework,
    /// The exact, edition-stamped identifier.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Whether identifier and title are confirmed; `false` is printed as
    /// "(unconfirmed: …)".
    pub confirmed: bool,
    /// What is unconfirmed, or another remark.
    pub note: Option<String>,
    /// Addresses or contributes to.
    pub relation: Relation,
}

/// One framework's identifiers and how the catalog covers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkCoverage {
    /// The framework.
    pub framework: Framework,
    /// Its title with edition.
    pub title: String,
    /// What its list holds (see [`Framework::scope`]).
    pub scope: String,
    /// The source caveat (see [`Framework::caveat`]).
    pub caveat: Option<String>,
    /// Identifiers in the list.
    pub total: usize,
    /// Identifiers at least one control addresses.
    pub addressed: usize,
    /// Identifiers no control addresses but at least one contributes to.
    pub contributed_only: usize,
    /// Every identifier in the list, covered or not.
    pub identifiers: Vec<IdentifierCoverage>,
}

impl FrameworkCoverage {
    /// Identifiers no control addresses or contributes to.
    pub fn uncovered(&self) -> usize {
        self.total - self.addressed - self.contributed_only
    }
}

/// One identifier and the controls mapped to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentifierCoverage {
    /// The exact, edition-stamped identifier.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Whether identifier and title are confirmed.
    pub confirmed: bool,
    /// What is unconfirmed, or another remark.
    pub note: Option<String>,
    /// Ids of the controls that address it.
    pub addressed_by: Vec<String>,
    /// Ids of the controls that contribute to it.
    pub contributed_to_by: Vec<String>,
}

impl Report {
    /// Builds the report for `evidence`, limited to `filter` if given.
    pub fn build(evidence: &Evidence, filter: Option<Framework>) -> Report {
        let shown: Vec<_> = assess(evidence)
            .into_iter()
            .filter(|cs| filter.is_none_or(|f| cs.control.maps_to(f)))
            .collect();

        let mut summary = Summary::default();
        for cs in &shown {
            match cs.status {
                Status::Pass => summary.pass += 1,
                Status::Partial => summary.partial += 1,
                Status::Fail => summary.fail += 1,
                Status::NotMeasured | Status::Info => summary.not_measured += 1,
            }
        }

        let controls = shown
            .iter()
            .map(|cs| ReportControl {
                id: cs.control.id.to_string(),
                name: cs.control.name.to_string(),
                description: cs.control.description.to_string(),
                implemented_by: cs.control.implemented_by.to_string(),
                limits: cs.control.limits.to_string(),
                status: cs.status,
                evidence: cs.evidence.clone(),
                refs: cs
                    .control
                    .refs
                    .iter()
                    .filter(|r| filter.is_none_or(|f| r.framework == f))
                    .map(|r| ReportRef {
                        framework: r.framework,
                        id: r.id.to_string(),
                        title: r.title.to_string(),
                        confirmed: r.confirmed,
                        note: r.note.map(str::to_string),
                        relation: r.relation,
                    })
                    .collect(),
            })
            .collect();

        let frameworks = Framework::ALL
            .into_iter()
            .filter(|f| filter.is_none_or(|g| g == *f))
            .map(coverage)
            .collect();

        Report {
            schema: SCHEMA.to_string(),
            generated_at: evidence.generated_at.clone(),
            host: evidence.host.clone(),
            framework: filter.map_or("all", Framework::as_str).to_string(),
            statement: STATEMENT.to_string(),
            summary,
            controls,
            frameworks,
            out_of_scope: OUT_OF_SCOPE.iter().map(|s| s.to_string()).collect(),
            evidence: evidence.clone(),
        }
    }

    /// Whether this is the unfiltered report (which adds the coverage matrix).
    pub fn is_all(&self) -> bool {
        self.framework == "all"
    }
}

/// The static coverage of one framework's list by the catalog.
pub fn coverage(framework: Framework) -> FrameworkCoverage {
    let identifiers: Vec<IdentifierCoverage> = framework
        .identifiers()
        .iter()
        .map(|ident| {
            let mut addressed_by = Vec::new();
            let mut contributed_to_by = Vec::new();
            for control in catalog() {
                for r in control.refs_for(framework).filter(|r| r.id == ident.id) {
                    match r.relation {
                        Relation::Addresses => addressed_by.push(control.id.to_string()),
                        Relation::ContributesTo => contributed_to_by.push(control.id.to_string()),
                    }
                }
            }
            IdentifierCoverage {
                id: ident.id.to_string(),
                title: ident.title.to_string(),
                confirmed: ident.confirmed,
                note: ident.note.map(str::to_string),
                addressed_by,
                contributed_to_by,
            }
        })
        .collect();
    let addressed = identifiers
        .iter()
        .filter(|i| !i.addressed_by.is_empty())
        .count();
    let contributed_only = identifiers
        .iter()
        .filter(|i| i.addressed_by.is_empty() && !i.contributed_to_by.is_empty())
        .count();
    FrameworkCoverage {
        framework,
        title: framework.title().to_string(),
        scope: framework.scope().to_string(),
        caveat: framework.caveat().map(str::to_string),
        total: identifiers.len(),
        addressed,
        contributed_only,
        identifiers,
    }
}
