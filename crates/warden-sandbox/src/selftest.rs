//! The self-test report (OS-neutral types).
//!
//! The self-test forks a child, enforces the prepared sandbox in it exactly
//! as a launch would, and makes canary attempts: each escape attempt must
//! be stopped and each piece of allowed work must go through. A control is
//! *proven* when every canary exercising it behaved as expected, and
//! *failed* when any did not.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::Control;

/// One canary attempt and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanaryResult {
    /// What was tried, in words (paths included, never file contents).
    pub name: String,
    /// The controls this canary exercises.
    pub controls: Vec<Control>,
    /// Whether the attempt is supposed to be stopped (an escape) or to go
    /// through (allowed work, a property that must hold).
    pub expect_restricted: bool,
    /// Whether it was stopped.
    pub restricted: bool,
    /// The error number the attempt ended with (0: none).
    pub errno: i32,
}

impl CanaryResult {
    /// Did the canary behave as the policy says it must?
    pub fn passed(&self) -> bool {
        self.restricted == self.expect_restricted
    }
}

/// The outcome of a self-test.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfTestReport {
    /// Every canary, in the order tried.
    pub canaries: Vec<CanaryResult>,
    /// Controls whose canaries all passed.
    pub proven: BTreeSet<Control>,
    /// Controls with at least one failed canary.
    pub failed: BTreeSet<Control>,
    /// What the self-test could not set up, in words.
    pub notes: Vec<String>,
}

impl SelfTestReport {
    /// Build the proven/failed sets from the canaries.
    pub fn from_canaries(canaries: Vec<CanaryResult>, notes: Vec<String>) -> SelfTestReport {
        let mut proven = BTreeSet::new();
        let mut failed = BTreeSet::new();
        for c in &canaries {
            for control in &c.controls {
                if c.passed() {
                    proven.insert(*control);
                } else {
                    failed.insert(*control);
                }
            }
        }
        proven.retain(|c| !failed.contains(c));
        SelfTestReport {
            canaries,
            proven,
            failed,
            notes,
        }
    }

    /// Did every canary pass?
    pub fn passed(&self) -> bool {
        self.canaries.iter().all(CanaryResult::passed)
    }

    /// A human-readable report.
    pub fn render(&self) -> String {
        let mut s = String::new();
        for c in &self.canaries {
            let verdict = match (c.passed(), c.expect_restricted) {
                (true, true) => "blocked",
                (true, false) => "allowed",
                (false, true) => "ESCAPED",
                (false, false) => "WRONGLY BLOCKED",
            };
            let _ = writeln!(s, "  [{verdict:>15}] {}", c.name);
        }
        let names =
            |set: &BTreeSet<Control>| set.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ");
        let _ = writeln!(s, "proven: {}", names(&self.proven));
        if !self.failed.is_empty() {
            let _ = writeln!(s, "FAILED: {}", names(&self.failed));
        }
        for n in &self.notes {
            let _ = writeln!(s, "note: {n}");
        }
        s
    }
}
