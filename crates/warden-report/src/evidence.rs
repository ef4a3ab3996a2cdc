//! Live evidence: measurements taken on this host, keyed by name.
//!
//! The caller (the `warden report` command) fills an [`Evidence`] from the
//! store, the scan and the sandbox ladder, one [`Metric`] per key in
//! [`keys`], built with the helpers on [`Metric`] so that the wording and
//! the pass/fail rule of each kind of measurement are the same everywhere.
//! A key that was not measured is simply left out: the controls that name
//! it show "not measured" for it.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The outcome of one measurement, or of a control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// In place and working as intended on this host.
    Pass,
    /// In place for some of what it covers, not all; or some of its
    /// evidence is missing.
    Partial,
    /// Not in place, or evidence shows it failing.
    Fail,
    /// No evidence was measured.
    NotMeasured,
    /// A measurement that says nothing about pass or fail by itself (a
    /// count of decisions, say). Shown as evidence; ignored when a control's
    /// status is computed. A control's status is never `Info`.
    Info,
}

impl Status {
    /// The label shown in reports: `PASS`, `PARTIAL`, `FAIL`, `NOT
    /// MEASURED` or `INFO`.
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Partial => "PARTIAL",
            Status::Fail => "FAIL",
            Status::NotMeasured => "NOT MEASURED",
            Status::Info => "INFO",
        }
    }

    /// The JSON and CSS name: `pass`, `partial`, `fail`, `not_measured`, `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Partial => "partial",
            Status::Fail => "fail",
            Status::NotMeasured => "not_measured",
            Status::Info => "info",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The measured value behind a metric, kept so that JSON consumers need not
/// parse [`Metric::display`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricValue {
    /// A count of things.
    Count(u64),
    /// `part` of `whole` (e.g. 3 of 3 assistants registered).
    Ratio {
        /// The things that meet the condition.
        part: u64,
        /// All the things considered.
        whole: u64,
    },
    /// A yes/no fact (e.g. the audit chain verifies).
    Flag(bool),
    /// Any other number.
    Number(f64),
    /// Structured or textual detail.
    Text(String),
    /// Nothing was measured.
    None,
}

impl MetricValue {
    /// The value as a number, where it is one: a count, a ratio's fraction
    /// (`None` when its whole is 0), a flag as 1 or 0, or the number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            MetricValue::Count(n) => Some(*n as f64),
            MetricValue::Ratio { part, whole } if *whole > 0 => Some(*part as f64 / *whole as f64),
            MetricValue::Ratio { .. } => None,
            MetricValue::Flag(b) => Some(if *b { 1.0 } else { 0.0 }),
            MetricValue::Number(x) => Some(*x),
            MetricValue::Text(_) | MetricValue::None => None,
        }
    }
}

/// One measurement: its value, the sentence a person reads, and what it
/// means for the controls that use it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// The measured value.
    pub value: MetricValue,
    /// The sentence shown in the report, e.g. "3 of 3 assistants registered
    /// with owners". May contain paths or any other text: every renderer
    /// escapes it.
    pub display: String,
    /// What the measurement says.
    pub status: Status,
}

impl Metric {
    /// A metric with every field given.
    pub fn new(value: MetricValue, display: impl Into<String>, status: Status) -> Metric {
        Metric {
            value,
            display: display.into(),
            status,
        }
    }

    /// "`part` of `whole` `what`", where more is better: pass when all,
    /// partial when some, fail when none; [`Status::Info`] ("no … found")
    /// when `whole` is 0. Example: `share(3, 3, "assistants registered with
    /// owners")` → "3 of 3 assistants registered with owners", pass.
    pub fn share(part: u64, whole: u64, what: &str) -> Metric {
        let status = if whole == 0 {
            Status::Info
        } else if part >= whole {
            Status::Pass
        } else if part == 0 {
            Status::Fail
        } else {
            Status::Partial
        };
        Metric::new(
            MetricValue::Ratio { part, whole },
            ratio_text(part, whole, what),
            status,
        )
    }

    /// "`part` of `whole` `what`", where anything short of all is a
    /// failure (required controls): pass when all, else fail; info when
    /// `whole` is 0.
    pub fn all_required(part: u64, whole: u64, what: &str) -> Metric {
        let status = if whole == 0 {
            Status::Info
        } else if part >= whole {
            Status::Pass
        } else {
            Status::Fail
        };
        Metric::new(
            MetricValue::Ratio { part, whole },
            ratio_text(part, whole, what),
            status,
        )
    }

    /// "`bad` of `whole` `what`", where every one is a finding: pass when
    /// `bad` is 0, else fail. Example: `none_of(1, 4, "assistants in bypass
    /// mode")` → "1 of 4 assistants in bypass mode", fail.
    pub fn none_of(bad: u64, whole: u64, what: &str) -> Metric {
        let status = if bad == 0 { Status::Pass } else { Status::Fail };
        Metric::new(
            MetricValue::Ratio { part: bad, whole },
            ratio_text(bad, whole, what),
            status,
        )
    }

    /// "`bad` `what`", where the count should be zero: pass when 0, else
    /// fail. Example: `zero(0, "decisions without a session credential in
    /// 30 days")`.
    pub fn zero(bad: u64, what: &str) -> Metric {
        let status = if bad == 0 { Status::Pass } else { Status::Fail };
        Metric::new(MetricValue::Count(bad), count_text(bad, what), status)
    }

    /// "`n` `what`", a count that is neither good nor bad by itself
    /// ([`Status::Info`]). Example: `count(412, "decisions in 30 days")`.
    pub fn count(n: u64, what: &str) -> Metric {
        Metric::new(MetricValue::Count(n), count_text(n, what), Status::Info)
    }

    /// "`n` `what`", pass when `n` is at least `min`, else fail. Example:
    /// `at_least(12, 1, "signed audit checkpoints")`.
    pub fn at_least(n: u64, min: u64, what: &str) -> Metric {
        let status = if n >= min { Status::Pass } else { Status::Fail };
        Metric::new(MetricValue::Count(n), count_text(n, what), status)
    }

    /// A yes/no fact: pass with `if_true` shown, or fail with `if_false`.
    /// Example: `flag(intact, "audit chain verifies", "audit chain TAMPERED
    /// at record 2")`.
    pub fn flag(ok: bool, if_true: &str, if_false: &str) -> Metric {
        if ok {
            Metric::new(MetricValue::Flag(true), if_true, Status::Pass)
        } else {
            Metric::new(MetricValue::Flag(false), if_false, Status::Fail)
        }
    }

    /// An explicit "could not be measured" with the reason (e.g. "no
    /// warden home on this host"). Counts as not measured.
    pub fn not_measured(reason: &str) -> Metric {
        Metric::new(MetricValue::None, reason, Status::NotMeasured)
    }

    /// Information with no pass/fail meaning, as text.
    pub fn info(text: &str) -> Metric {
        Metric::new(MetricValue::Text(text.to_string()), text, Status::Info)
    }
}

fn ratio_text(part: u64, whole: u64, what: &str) -> String {
    if whole == 0 {
        format!("none found: 0 of 0 {what}")
    } else {
        format!("{part} of {whole} {what}")
    }
}

fn count_text(n: u64, what: &str) -> String {
    format!("{n} {what}")
}

/// Everything measured on one host at one time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// When the evidence was gathered, as the caller formats it (RFC 3339
    /// recommended, e.g. `2026-05-01T09:30:00Z`).
    pub generated_at: String,
    /// The host it describes.
    pub host: String,
    /// The measurements, by key (see [`keys`]). Keys not in [`keys::ALL`]
    /// are kept and shown in the JSON output but used by no control.
    #[serde(default)]
    pub metrics: BTreeMap<String, Metric>,
}

impl Evidence {
    /// Empty evidence for `host` at `generated_at`.
    pub fn new(generated_at: impl Into<String>, host: impl Into<String>) -> Evidence {
        Evidence {
            generated_at: generated_at.into(),
            host: host.into(),
            metrics: BTreeMap::new(),
        }
    }

    /// Records `metric` under `key`, replacing any earlier one.
    pub fn insert(&mut self, key: &str, metric: Metric) -> &mut Evidence {
        self.metrics.insert(key.to_string(), metric);
        self
    }

    /// [`insert`](Evidence::insert), by value, for building in one expression.
    pub fn with(mut self, key: &str, metric: Metric) -> Evidence {
        self.insert(key, metric);
        self
    }

    /// The metric under `key`.
    pub fn get(&self, key: &str) -> Option<&Metric> {
        self.metrics.get(key)
    }
}

/// The evidence keys the catalog's controls read, with what each measures,
/// the helper that builds it and when it passes. `30d` means the last 30
/// days of the audit log.
pub mod keys {
    /// What one evidence key measures (its doc comment).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(crate) struct KeySpec {
        pub(crate) key: &'static str,
        pub(crate) meaning: &'static str,
    }

    macro_rules! keys {
        ($($(#[doc = $doc:literal])* $name:ident = $key:literal;)*) => {
            $(
                $(#[doc = $doc])*
                pub const $name: &str = $key;
            )*
            pub(crate) const SPECS: &[KeySpec] = &[$(KeySpec { key: $key, meaning: concat!($($doc),*) }),*];
            /// Every key the catalog uses.
            pub const ALL: &[&str] = &[$($key),*];
        };
    }

    keys! {
        /// Assistants `warden scan` found on this host. `Metric::count`.
        ASSISTANTS_TOTAL = "assistants.total";
        /// Assistants found that are shadow (no warden hook, no registry
        /// entry, not run under `warden run`). `Metric::none_of(shadow,
        /// total, …)`: pass when 0.
        ASSISTANTS_SHADOW = "assistants.shadow";
        /// Assistants found that are registered identities with an
        /// accountable owner. `Metric::share(registered, total, …)`.
        ASSISTANTS_REGISTERED_WITH_OWNER = "assistants.registered_with_owner";
        /// Assistants found with warden's hook installed for every event.
        /// `Metric::share(hooked, total, …)`.
        ASSISTANTS_HOOK_INSTALLED = "assistants.hook_installed";
        /// Assistants with warden's hook whose registered command fails
        /// closed (`|| exit 2`). `Metric::share(fail_closed, hooked, …)`.
        ASSISTANTS_HOOK_FAIL_CLOSED = "assistants.hook_fail_closed";
        /// Assistants configured in a bypass, yolo or auto-approve-all mode.
        /// `Metric::none_of(bypass, total, …)`: pass when 0.
        ASSISTANTS_BYPASS_MODE = "assistants.bypass_mode";
        /// Registered identities whose owner or deputy is missing, not
        /// enrolled or inactive (`warden owner report`). `Metric::zero`.
        OWNERS_INACTIVE = "owners.inactive";
        /// Tool connections (MCP servers, plugins) `warden scan` found.
        /// `Metric::count`.
        TOOLS_TOTAL = "tools.total";
        /// Tool connections found that are registered with an owner
        /// (`warden tool add`). `Metric::share(registered, total, …)`.
        TOOLS_REGISTERED = "tools.registered";
        /// Registered tool connections with a version and hash pin.
        /// `Metric::share(pinned, registered, …)`.
        TOOLS_PINNED = "tools.pinned";
        /// Credentials `warden scan` found reachable from the user's account
        /// (cloud, kube, forge, registry, SSH, git, `.env`, MCP configs).
        /// `Metric::count`.
        CREDENTIALS_DISCOVERED = "credentials.discovered";
        /// Long-lived credentials an assistant started outside `warden run`
        /// could read (static cloud keys, classic tokens, unencrypted SSH
        /// keys, tokens in MCP configs). `Metric::zero`: pass when 0.
        CREDENTIALS_LONG_LIVED_REACHABLE = "credentials.long_lived_reachable";
        /// Credentials configured for brokering (`[[run.credentials]]`).
        /// `Metric::count`.
        CREDENTIALS_BROKERED = "credentials.brokered";
        /// Session credentials minted in 30 days. `Metric::count`.
        SESSIONS_30D = "sessions.30d";
        /// Sessions run under `warden run` (sandbox and egress proxy) in 30
        /// days. `Metric::count`.
        SESSIONS_SANDBOXED_30D = "sessions.sandboxed.30d";
        /// Tool-call decisions in 30 days. `Metric::count`.
        DECISIONS_30D = "decisions.30d";
        /// Of those, decisions made without a valid session credential
        /// (`NotChecked` by an enforcing entry point). `Metric::zero`.
        DECISIONS_WITHOUT_CREDENTIAL_30D = "decisions.without_credential.30d";
        /// Of those, denies. `Metric::count`.
        DECISIONS_DENIED_30D = "decisions.denied.30d";
        /// The installed policies validate strictly against the schema
        /// (`warden policy validate`). `Metric::flag`.
        POLICY_VALID = "policy.valid";
        /// Subagent sessions started in 30 days. `Metric::count`.
        SUBAGENTS_30D = "subagents.30d";
        /// Subagent decisions in 30 days made without a credential derived
        /// from the parent's. `Metric::zero`.
        SUBAGENTS_WITHOUT_DERIVED_CREDENTIAL_30D = "subagents.without_derived_credential.30d";
        /// Approval requests in 30 days. `Metric::count`.
        APPROVALS_30D = "approvals.30d";
        /// Approvals in which the approver was the requester (or, where
        /// policy forbids it, the identity's owner or deputy). Must be 0.
        /// `Metric::zero`.
        APPROVALS_SELF_APPROVED = "approvals.self_approved";
        /// Just-in-time grants issued in 30 days. `Metric::count`.
        GRANTS_30D = "grants.30d";
        /// Grants live now (unexpired, unrevoked, not closed).
        /// `Metric::count`.
        GRANTS_LIVE = "grants.live";
        /// Live grants whose session has ended or whose credential is
        /// revoked. `Metric::zero`.
        GRANTS_OPEN_AFTER_SESSION_END = "grants.open_after_session_end";
        /// Identities offboarded. `Metric::count`.
        OFFBOARDED_TOTAL = "offboarded.total";
        /// Offboarded identities that still hold an unexpired, unrevoked
        /// credential or grant. `Metric::zero`.
        OFFBOARDED_WITH_LIVE_CREDENTIALS = "offboarded.with_live_credentials";
        /// Offboarded identities whose warden hook entries are still
        /// installed. `Metric::zero`.
        OFFBOARDED_WITH_HOOK_INSTALLED = "offboarded.with_hook_installed";
        /// The audit chain and its signed checkpoints verify (`warden audit
        /// verify`). `Metric::flag`, naming the first bad record if not.
        AUDIT_INTACT = "audit.intact";
        /// Records in the audit chain. `Metric::count`.
        AUDIT_RECORDS = "audit.records";
        /// Signed audit checkpoints. `Metric::at_least(n, 1, …)` once there
        /// are records.
        AUDIT_CHECKPOINTS = "audit.checkpoints";
        /// Tool-call records in 30 days that carry the prompt id of the
        /// prompt that led to them. `Metric::share(linked, total, …)`.
        AUDIT_ACTIONS_WITH_PROMPT_30D = "audit.actions_with_prompt.30d";
        /// The secret detector finds a planted canary token (a fake key of
        /// a known format). `Metric::flag`.
        SECRETS_CANARY_DETECTED = "secrets.canary_detected";
        /// Prompts, tool calls and proxied requests blocked in 30 days
        /// because they carried a secret. `Metric::count`.
        SECRETS_BLOCKED_30D = "secrets.blocked.30d";
        /// Tool outputs in 30 days in which a secret was flagged and
        /// redacted. `Metric::count`.
        SECRETS_IN_OUTPUT_30D = "secrets.in_output.30d";
        /// Sandbox controls of the capability ladder this host enforces,
        /// each proven by a canary (`warden doctor`).
        /// `Metric::share(available, ladder, …)`.
        SANDBOX_CONTROLS_AVAILABLE = "sandbox.controls_available";
        /// Controls the policy requires for `warden run` that this host
        /// enforces. `Metric::all_required(available, required, …)`: any
        /// missing one means `warden run` refuses to start.
        SANDBOX_CONTROLS_REQUIRED = "sandbox.controls_required";
        /// Requests the egress proxy decided in 30 days. `Metric::count`.
        EGRESS_REQUESTS_30D = "egress.requests.30d";
        /// Of those, requests refused. `Metric::count`.
        EGRESS_DENIED_30D = "egress.denied.30d";
        /// How many of the other keys were measured. Computed by
        /// [`assess`](crate::assess) when the caller leaves it out.
        REPORT_EVIDENCE_COVERAGE = "report.evidence_coverage";
    }

    /// What `key` measures, with the helper to build it and when it
    /// passes (the key's documentation), if it is one of [`ALL`].
    pub fn describe(key: &str) -> Option<&'static str> {
        SPECS
            .iter()
            .find(|s| s.key == key)
            .map(|s| s.meaning.trim())
    }
}
