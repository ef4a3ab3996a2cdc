//! The three policy packs shipped with Warden, embedded in the binary.
//!
//! * `baseline`: low-risk internal code assistance;
//! * `production`: baseline plus approval for anything targeting production;
//! * `regulated`: deny by default, explicit allow-lists.
//!
//! Each pack ships with policy tests (`tests/<pack>.toml`) that
//! `warden policy test` runs.

/// The Cedar schema every pack is written against.
pub const SCHEMA: &str = include_str!("../policies/warden.cedarschema");

const BASELINE: &str = include_str!("../policies/baseline.cedar");
const PRODUCTION: &str = include_str!("../policies/production.cedar");
const REGULATED: &str = include_str!("../policies/regulated.cedar");

/// A pack: its policy files and its tests.
#[derive(Debug, Clone, Copy)]
pub struct Pack {
    /// The pack's name.
    pub name: &'static str,
    /// One line on the posture it implements.
    pub summary: &'static str,
    /// Policy files: (file name, Cedar source).
    pub policies: &'static [(&'static str, &'static str)],
    /// Policy tests: (file name, TOML source).
    pub tests: &'static [(&'static str, &'static str)],
}

/// Every pack, in order of strictness.
pub const PACKS: &[Pack] = &[
    Pack {
        name: "baseline",
        summary: "low-risk internal code assistance: routine work allowed, risky work asks, dangerous work denied",
        policies: &[("baseline.cedar", BASELINE)],
        tests: &[("baseline.toml", include_str!("../policies/tests/baseline.toml"))],
    },
    Pack {
        name: "production",
        summary: "baseline, plus a second human's approval for anything that targets production",
        policies: &[("baseline.cedar", BASELINE), ("production.cedar", PRODUCTION)],
        tests: &[("production.toml", include_str!("../policies/tests/production.toml"))],
    },
    Pack {
        name: "regulated",
        summary: "deny by default: only listed commands, paths and hosts; MCP servers must be registered",
        policies: &[("regulated.cedar", REGULATED)],
        tests: &[("regulated.toml", include_str!("../policies/tests/regulated.toml"))],
    },
];

/// The names of the packs.
pub fn names() -> Vec<&'static str> {
    PACKS.iter().map(|p| p.name).collect()
}

/// Finds a pack by name.
pub fn pack(name: &str) -> Option<&'static Pack> {
    PACKS.iter().find(|p| p.name == name)
}

impl Pack {
    /// The policy files as owned (name, source) pairs.
    pub fn policy_sources(&self) -> Vec<(String, String)> {
        self.policies
            .iter()
            .map(|(n, s)| ((*n).to_owned(), (*s).to_owned()))
            .collect()
    }
}
