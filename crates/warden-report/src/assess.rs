//! A control's status on this host, from the evidence its keys name.

use serde::{Deserialize, Serialize};

use crate::catalog::{catalog, Control};
use crate::evidence::{keys, Evidence, Metric, Status};

/// One line of a control's evidence: a measured metric, or a key that was
/// not measured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceLine {
    /// The evidence key.
    pub key: String,
    /// The metric's status, or [`Status::NotMeasured`].
    pub status: Status,
    /// The metric's sentence, or "not measured".
    pub display: String,
}

/// A control and its status on this host.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlStatus {
    /// The control.
    pub control: &'static Control,
    /// Its status: never [`Status::Info`].
    pub status: Status,
    /// One line per evidence key, in the control's order.
    pub evidence: Vec<EvidenceLine>,
}

/// Every control of the catalog with its status, computed from the metrics
/// its [`evidence_keys`](Control::evidence_keys) name:
///
/// * a missing key is a "not measured" line;
/// * [`Status::Info`] metrics are shown but do not count;
/// * no pass/partial/fail metric at all → [`Status::NotMeasured`];
/// * otherwise the worst of them (fail, then partial, then pass), and a
///   pass with any key not measured becomes [`Status::Partial`], so a
///   control never passes on incomplete evidence.
///
/// [`keys::REPORT_EVIDENCE_COVERAGE`], when the caller did not supply it,
/// is computed here: how many of the catalog's other keys were measured.
pub fn assess(evidence: &Evidence) -> Vec<ControlStatus> {
    let derived = evidence_coverage(evidence);
    catalog()
        .iter()
        .map(|control| {
            let metrics: Vec<(&str, Option<&Metric>)> = control
                .evidence_keys
                .iter()
                .map(|&key| {
                    let metric = evidence
                        .get(key)
                        .or(if key == keys::REPORT_EVIDENCE_COVERAGE {
                            Some(&derived)
                        } else {
                            None
                        });
                    (key, metric)
                })
                .collect();
            let status = combine(metrics.iter().map(|(_, m)| m.map(|m| m.status)));
            let evidence = metrics
                .iter()
                .map(|(key, metric)| match metric {
                    Some(m) => EvidenceLine {
                        key: key.to_string(),
                        status: m.status,
                        display: m.display.clone(),
                    },
                    None => EvidenceLine {
                        key: key.to_string(),
                        status: Status::NotMeasured,
                        display: "not measured".to_string(),
                    },
                })
                .collect();
            ControlStatus {
                control,
                status,
                evidence,
            }
        })
        .collect()
}

/// Combines the statuses of a control's metrics (`None` = key missing) by
/// the rule described on [`assess`].
pub fn combine(statuses: impl IntoIterator<Item = Option<Status>>) -> Status {
    let mut worst: Option<Status> = None;
    let mut missing = false;
    for status in statuses {
        match status {
            None | Some(Status::NotMeasured) => missing = true,
            Some(Status::Info) => {}
            Some(s @ (Status::Pass | Status::Partial | Status::Fail)) => {
                worst = Some(match worst {
                    None => s,
                    Some(w) => severity_max(w, s),
                });
            }
        }
    }
    match worst {
        None => Status::NotMeasured,
        Some(Status::Pass) if missing => Status::Partial,
        Some(s) => s,
    }
}

fn severity_max(a: Status, b: Status) -> Status {
    let rank = |s: Status| match s {
        Status::Fail => 2,
        Status::Partial => 1,
        _ => 0,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

/// How many of the catalog's evidence keys (other than
/// [`keys::REPORT_EVIDENCE_COVERAGE`]) have a measured metric.
fn evidence_coverage(evidence: &Evidence) -> Metric {
    let wanted: Vec<&str> = keys::ALL
        .iter()
        .copied()
        .filter(|k| *k != keys::REPORT_EVIDENCE_COVERAGE)
        .collect();
    let measured = wanted
        .iter()
        .filter(|k| {
            evidence
                .get(k)
                .is_some_and(|m| m.status != Status::NotMeasured)
        })
        .count();
    Metric::share(
        measured as u64,
        wanted.len() as u64,
        "evidence keys measured on this host",
    )
}
