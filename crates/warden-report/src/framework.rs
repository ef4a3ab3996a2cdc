//! The frameworks the report maps to, and their identifiers.
//!
//! Every identifier, title and confirmation flag here was taken from the
//! project's research note `shared/reference/frameworks.md`, which labels
//! each entry CONFIRMED (primary or secondary) or UNCONFIRMED. An entry is
//! [`Identifier::confirmed`] only when the note confirms both the identifier
//! and the title exactly as written here; otherwise every output marks it
//! `(unconfirmed: …)` with the reason in [`Identifier::note`].
//!
//! Each framework's list ([`Framework::identifiers`]) is the set the coverage
//! chart counts against. For the two OWASP Top 10 lists and MAESTRO it is the
//! whole list; for the NIST frameworks it is the subset the note selects as
//! relevant to governing agents, which [`Framework::scope`] says in words.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// A framework the report can map controls to. Each variant is one
/// edition: identifiers are always edition-stamped where the framework
/// stamps them (`NHI7:2025`, `ASI03:2026`, `LLM06:2025`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Framework {
    /// OWASP Top 10 Non-Human Identities Risks, 2025 (`NHI1:2025` … `NHI10:2025`).
    OwaspNhi,
    /// OWASP Top 10 for Agentic Applications, 2026 edition (`ASI01:2026` … `ASI10:2026`).
    OwaspAsi,
    /// OWASP Top 10 for LLM Applications, 2025 edition (`LLM01:2025` … `LLM10:2025`).
    OwaspLlm,
    /// CSA MAESTRO agentic threat-modelling framework: architectural layers `L1` … `L7`.
    Maestro,
    /// NIST AI Risk Management Framework 1.0 (NIST AI 100-1): subcategories such as `GOVERN 1.6`.
    NistAiRmf,
    /// NIST Cybersecurity Framework 2.0: subcategories such as `PR.AA-01`.
    NistCsf,
}

impl Framework {
    /// Every framework, in the order the report lists them (agent-specific
    /// lists first, as the research note recommends).
    pub const ALL: [Framework; 6] = [
        Framework::OwaspNhi,
        Framework::OwaspAsi,
        Framework::OwaspLlm,
        Framework::Maestro,
        Framework::NistAiRmf,
        Framework::NistCsf,
    ];

    /// Parses a command-line name: `owasp-nhi`, `owasp-asi`, `owasp-llm`,
    /// `maestro`, `nist-ai-rmf` or `nist-csf` (ASCII case-insensitive).
    /// `all` is not a framework; see [`parse_filter`].
    pub fn parse(name: &str) -> Result<Framework, ParseError> {
        let lower = name.trim().to_ascii_lowercase();
        Framework::ALL
            .into_iter()
            .find(|f| f.as_str() == lower)
            .ok_or_else(|| ParseError::UnknownFramework(name.to_string()))
    }

    /// The command-line and JSON name, e.g. `"owasp-nhi"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Framework::OwaspNhi => "owasp-nhi",
            Framework::OwaspAsi => "owasp-asi",
            Framework::OwaspLlm => "owasp-llm",
            Framework::Maestro => "maestro",
            Framework::NistAiRmf => "nist-ai-rmf",
            Framework::NistCsf => "nist-csf",
        }
    }

    /// The full title with its edition, e.g. "OWASP Top 10 Non-Human
    /// Identities Risks (2025)".
    pub fn title(self) -> &'static str {
        match self {
            Framework::OwaspNhi => "OWASP Top 10 Non-Human Identities Risks (2025)",
            Framework::OwaspAsi => {
                "OWASP Top 10 for Agentic Applications (2026 edition, released December 2025)"
            }
            Framework::OwaspLlm => "OWASP Top 10 for LLM Applications (2025 edition)",
            Framework::Maestro => {
                "CSA MAESTRO agentic AI threat-modelling framework (2025), layers"
            }
            Framework::NistAiRmf => {
                "NIST AI Risk Management Framework 1.0 (NIST AI 100-1, January 2023)"
            }
            Framework::NistCsf => "NIST Cybersecurity Framework 2.0 (February 2024)",
        }
    }

    /// A short label with the edition for charts and table columns, e.g.
    /// "OWASP NHI 2025".
    pub fn short_title(self) -> &'static str {
        match self {
            Framework::OwaspNhi => "OWASP NHI 2025",
            Framework::OwaspAsi => "OWASP Agentic 2026",
            Framework::OwaspLlm => "OWASP LLM 2025",
            Framework::Maestro => "CSA MAESTRO",
            Framework::NistAiRmf => "NIST AI RMF 1.0",
            Framework::NistCsf => "NIST CSF 2.0",
        }
    }

    /// What [`identifiers`](Framework::identifiers) holds: the whole list,
    /// or the subset selected as relevant.
    pub fn scope(self) -> &'static str {
        match self {
            Framework::OwaspNhi => "All ten risks of the list.",
            Framework::OwaspAsi => "All ten risks of the list.",
            Framework::OwaspLlm => {
                "All ten risks of the 2025 edition. The 2026 edition renumbers them (Excessive Agency is LLM03:2026); each entry names its 2026 number."
            }
            Framework::Maestro => {
                "All seven architectural layers. Cross-layer threats are a category of their own, not a layer, and are not counted."
            }
            Framework::NistAiRmf => {
                "The subcategories the reference selects as relevant to agent accountability, monitoring and third-party components, not all 72 subcategories of AI RMF 1.0."
            }
            Framework::NistCsf => {
                "The subcategories the reference selects as relevant to identities, access, data, platform, monitoring and incident analysis, not the whole of CSF 2.0."
            }
        }
    }

    /// A caveat about the source of this framework's identifiers or titles,
    /// printed with the framework in every output.
    pub fn caveat(self) -> Option<&'static str> {
        match self {
            Framework::OwaspNhi => None,
            Framework::OwaspAsi => Some(
                "Titles are confirmed only from secondary sources (OWASP draft file names, the OWASP-hosted crosswalk and independent write-ups); the final PDF was not read, so the exact wording of every title is unconfirmed.",
            ),
            Framework::OwaspLlm => None,
            Framework::Maestro => Some(
                "Layer names are confirmed from secondary sources; CSA's introducing blog post was not read.",
            ),
            Framework::NistAiRmf => Some(
                "Subcategory texts are abridged from a secondary copy; only MANAGE 2.4 is quoted verbatim. Check wording against NIST AI 100-1 before quoting it.",
            ),
            Framework::NistCsf => Some(
                "Subcategory texts are confirmed from several agreeing secondary copies of CSF 2.0; the primary (NIST CSWP 29) was not read.",
            ),
        }
    }

    /// This framework's identifiers, in the framework's own order.
    pub fn identifiers(self) -> &'static [Identifier] {
        match self {
            Framework::OwaspNhi => NHI_LIST,
            Framework::OwaspAsi => ASI_LIST,
            Framework::OwaspLlm => LLM_LIST,
            Framework::Maestro => MAESTRO_LIST,
            Framework::NistAiRmf => AI_RMF_LIST,
            Framework::NistCsf => CSF_LIST,
        }
    }

    /// Looks up one of this framework's identifiers by its exact spelling.
    pub fn identifier(self, id: &str) -> Option<&'static Identifier> {
        self.identifiers().iter().find(|i| i.id == id)
    }
}

impl fmt::Display for Framework {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Framework {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Framework::parse(s)
    }
}

/// Parses the `--framework` argument: `all` is no filter (`None`), any
/// other value must name a framework.
pub fn parse_filter(name: &str) -> Result<Option<Framework>, ParseError> {
    if name.trim().eq_ignore_ascii_case("all") {
        Ok(None)
    } else {
        Framework::parse(name).map(Some)
    }
}

/// How a control relates to a framework identifier. The report never
/// claims more than these two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The control is a primary mitigation of the risk, or directly
    /// implements the outcome.
    Addresses,
    /// The control supports the risk's mitigation or the outcome without
    /// covering it on its own.
    ContributesTo,
}

impl Relation {
    /// The words used in the report: "addresses" or "contributes to".
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Addresses => "addresses",
            Relation::ContributesTo => "contributes to",
        }
    }
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One identifier of a framework, as the research note gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Identifier {
    /// The framework it belongs to.
    pub framework: Framework,
    /// The exact, edition-stamped identifier, e.g. `"NHI7:2025"`,
    /// `"ASI03:2026"`, `"LLM06:2025"`, `"L4"`, `"GOVERN 1.6"`, `"PR.AA-01"`.
    pub id: &'static str,
    /// The official title (NIST: the subcategory text, abridged where the
    /// framework's caveat says so).
    pub title: &'static str,
    /// Whether the note confirms this identifier and title exactly as
    /// written. Unconfirmed ones are marked in every output.
    pub confirmed: bool,
    /// What is unconfirmed and why, or another remark every output shows
    /// (such as the 2026 number of an LLM risk).
    pub note: Option<&'static str>,
}

impl Identifier {
    /// A reference saying a control [addresses](Relation::Addresses) this
    /// identifier.
    pub const fn addresses(self) -> FrameworkRef {
        self.with(Relation::Addresses)
    }

    /// A reference saying a control [contributes to](Relation::ContributesTo)
    /// this identifier.
    pub const fn contributes(self) -> FrameworkRef {
        self.with(Relation::ContributesTo)
    }

    const fn with(self, relation: Relation) -> FrameworkRef {
        FrameworkRef {
            framework: self.framework,
            id: self.id,
            title: self.title,
            confirmed: self.confirmed,
            note: self.note,
            relation,
        }
    }

    /// The marker every output appends to this identifier's title:
    /// `" (unconfirmed: …)"` for an unconfirmed one, `" — …"` for a note on
    /// a confirmed one, or nothing.
    pub fn marker(&self) -> String {
        marker(self.confirmed, self.note)
    }
}

/// A control's reference to one framework identifier, with how it relates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct FrameworkRef {
    /// The framework.
    pub framework: Framework,
    /// The exact, edition-stamped identifier, spelled as in the research note.
    pub id: &'static str,
    /// The identifier's title.
    pub title: &'static str,
    /// Whether the identifier and title are confirmed (see [`Identifier::confirmed`]).
    pub confirmed: bool,
    /// What is unconfirmed, or another remark (see [`Identifier::note`]).
    pub note: Option<&'static str>,
    /// Whether the control addresses or contributes to it.
    pub relation: Relation,
}

impl FrameworkRef {
    /// The identifier this reference points to.
    pub fn identifier(&self) -> Option<&'static Identifier> {
        self.framework.identifier(self.id)
    }

    /// See [`Identifier::marker`].
    pub fn marker(&self) -> String {
        marker(self.confirmed, self.note)
    }
}

/// The short form of [`marker`] used where an identifier is listed under a
/// control: `" (unconfirmed)"` without the reason (the framework's mapping
/// table gives it), `" — NOTE"` or nothing.
pub(crate) fn short_marker(confirmed: bool, note: Option<&str>) -> String {
    match (confirmed, note) {
        (false, _) => " (unconfirmed)".to_string(),
        (true, Some(note)) => format!(" — {note}"),
        (true, None) => String::new(),
    }
}

/// The text appended to a title: `" (unconfirmed)"`, `" (unconfirmed:
/// NOTE)"`, `" — NOTE"` or nothing.
pub(crate) fn marker(confirmed: bool, note: Option<&str>) -> String {
    match (confirmed, note) {
        (false, Some(note)) => format!(" (unconfirmed: {note})"),
        (false, None) => " (unconfirmed)".to_string(),
        (true, Some(note)) => format!(" — {note}"),
        (true, None) => String::new(),
    }
}

macro_rules! identifiers {
    ($list:ident, $framework:expr, [$($name:ident = ($id:literal, $title:literal, $confirmed:literal, $note:expr)),* $(,)?]) => {
        $(
            pub(crate) const $name: Identifier = Identifier {
                framework: $framework,
                id: $id,
                title: $title,
                confirmed: $confirmed,
                note: $note,
            };
        )*
        const $list: &[Identifier] = &[$($name),*];
    };
}

// OWASP NHI Top 10 2025: CONFIRMED (primary), OWASP's own repository.
identifiers!(
    NHI_LIST,
    Framework::OwaspNhi,
    [
        NHI1 = ("NHI1:2025", "Improper Offboarding", true, None),
        NHI2 = ("NHI2:2025", "Secret Leakage", true, None),
        NHI3 = ("NHI3:2025", "Vulnerable Third-Party NHI", true, None),
        NHI4 = ("NHI4:2025", "Insecure Authentication", true, None),
        NHI5 = ("NHI5:2025", "Overprivileged NHI", true, None),
        NHI6 = (
            "NHI6:2025",
            "Insecure Cloud Deployment Configurations",
            true,
            None
        ),
        NHI7 = ("NHI7:2025", "Long-Lived Secrets", true, None),
        NHI8 = ("NHI8:2025", "Environment Isolation", true, None),
        NHI9 = ("NHI9:2025", "NHI Reuse", true, None),
        NHI10 = ("NHI10:2025", "Human Use of NHI", true, None),
    ]
);

// OWASP Top 10 for Agentic Applications 2026: titles CONFIRMED (secondary),
// "UNCONFIRMED against the final PDF — exact punctuation".
const ASI_WORDING: Option<&str> = Some("exact title wording not checked against the final PDF");
identifiers!(ASI_LIST, Framework::OwaspAsi, [
    ASI01 = ("ASI01:2026", "Agent Goal Hijack", false, ASI_WORDING),
    ASI02 = ("ASI02:2026", "Tool Misuse and Exploitation", false,
        Some("exact title wording not checked against the final PDF; also written \"Tool Misuse\" or \"Tool Misuse & Exploitation\"")),
    ASI03 = ("ASI03:2026", "Identity and Privilege Abuse", false,
        Some("exact title wording not checked against the final PDF; also written \"Identity & Privilege Abuse\"")),
    ASI04 = ("ASI04:2026", "Agentic Supply Chain Vulnerabilities", false, ASI_WORDING),
    ASI05 = ("ASI05:2026", "Unexpected Code Execution (RCE)", false,
        Some("exact title wording not checked against the final PDF; also written without \"(RCE)\"")),
    ASI06 = ("ASI06:2026", "Memory & Context Poisoning", false,
        Some("exact title wording not checked against the final PDF; also written \"Memory and Context Poisoning\"")),
    ASI07 = ("ASI07:2026", "Insecure Inter-Agent Communication", false, ASI_WORDING),
    ASI08 = ("ASI08:2026", "Cascading Failures", false,
        Some("exact title wording not checked against the final PDF; also written \"Cascading Agent Failures\"")),
    ASI09 = ("ASI09:2026", "Human-Agent Trust Exploitation", false, ASI_WORDING),
    ASI10 = ("ASI10:2026", "Rogue Agents", false, ASI_WORDING),
]);

// OWASP Top 10 for LLM Applications 2025: CONFIRMED (primary). The 2026
// numbers come from the 2026 edition's repository: CONFIRMED (primary).
identifiers!(
    LLM_LIST,
    Framework::OwaspLlm,
    [
        LLM01 = (
            "LLM01:2025",
            "Prompt Injection",
            true,
            Some("2026 edition: LLM01:2026")
        ),
        LLM02 = (
            "LLM02:2025",
            "Sensitive Information Disclosure",
            true,
            Some("2026 edition: LLM02:2026")
        ),
        LLM03 = (
            "LLM03:2025",
            "Supply Chain",
            true,
            Some("2026 edition: LLM04:2026")
        ),
        LLM04 = (
            "LLM04:2025",
            "Data and Model Poisoning",
            true,
            Some("2026 edition: LLM05:2026")
        ),
        LLM05 = (
            "LLM05:2025",
            "Improper Output Handling",
            true,
            Some("2026 edition: LLM10:2026")
        ),
        LLM06 = (
            "LLM06:2025",
            "Excessive Agency",
            true,
            Some("2026 edition: LLM03:2026")
        ),
        LLM07 = (
            "LLM07:2025",
            "System Prompt Leakage",
            true,
            Some("2026 edition: LLM08:2026 Hidden Context Exposure")
        ),
        LLM08 = (
            "LLM08:2025",
            "Vector and Embedding Weaknesses",
            true,
            Some("2026 edition: LLM09:2026")
        ),
        LLM09 = (
            "LLM09:2025",
            "Misinformation",
            true,
            Some("2026 edition: LLM07:2026")
        ),
        LLM10 = (
            "LLM10:2025",
            "Unbounded Consumption",
            true,
            Some("2026 edition: LLM06:2026")
        ),
    ]
);

// CSA MAESTRO layers: CONFIRMED (secondary).
identifiers!(
    MAESTRO_LIST,
    Framework::Maestro,
    [
        L1 = ("L1", "Foundation Models", true, None),
        L2 = ("L2", "Data Operations", true, None),
        L3 = ("L3", "Agent Frameworks", true, None),
        L4 = ("L4", "Deployment and Infrastructure", true, None),
        L5 = ("L5", "Evaluation and Observability", true, None),
        L6 = (
            "L6",
            "Security",
            true,
            Some("short form of the layer's name")
        ),
        L7 = ("L7", "Agent Ecosystem", true, None),
    ]
);

// NIST AI RMF 1.0: notation official; texts abridged from a secondary copy
// (MANAGE texts checked against AI 100-1 Table 4).
identifiers!(AI_RMF_LIST, Framework::NistAiRmf, [
    GOVERN_1_4 = ("GOVERN 1.4", "Risk management process and outcomes established through transparent policies, procedures and other controls.", true, None),
    GOVERN_1_5 = ("GOVERN 1.5", "Ongoing monitoring and periodic review of the risk management process; roles defined.", true, None),
    GOVERN_1_6 = ("GOVERN 1.6", "Mechanisms are in place to inventory AI systems and are resourced according to organizational risk priorities.", true, None),
    GOVERN_1_7 = ("GOVERN 1.7", "Processes and procedures for decommissioning and phasing out AI systems safely, without increasing risk.", true, None),
    GOVERN_2_1 = ("GOVERN 2.1", "Roles, responsibilities and lines of communication for AI risk are documented and clear.", true, None),
    GOVERN_3_2 = ("GOVERN 3.2", "Policies and procedures define and differentiate roles and responsibilities for human-AI configurations and oversight of AI systems.", true, None),
    GOVERN_4_3 = ("GOVERN 4.3", "Practices enable AI testing, identification of incidents, and information sharing.", true, None),
    GOVERN_6_1 = ("GOVERN 6.1", "Policies and procedures address AI risks associated with third-party entities.", true, None),
    GOVERN_6_2 = ("GOVERN 6.2", "Contingency processes for failures or incidents in third-party data or AI systems deemed high-risk.", true, None),
    MAP_1_1 = ("MAP 1.1", "Intended purposes, beneficial uses, context and settings are understood and documented.", true, None),
    MAP_3_3 = ("MAP 3.3", "Targeted application scope is specified and documented.", true, None),
    MAP_3_5 = ("MAP 3.5", "Processes for human oversight are defined, assessed and documented.", true, None),
    MAP_4_1 = ("MAP 4.1", "Approaches for mapping risks of components (incl. third-party) are in place.", true, None),
    MAP_4_2 = ("MAP 4.2", "Internal risk controls for components, including third-party AI technologies, are identified and documented.", true, None),
    MEASURE_1_2 = ("MEASURE 1.2", "Appropriateness of AI metrics and effectiveness of existing controls are regularly assessed and updated.", false,
        Some("not in the reference's subcategory table; title from memory and fit marked unconfirmed there")),
    MEASURE_2_4 = ("MEASURE 2.4", "The functionality and behavior of the AI system and its components are monitored when in production.", true, None),
    MEASURE_2_7 = ("MEASURE 2.7", "AI system security and resilience are evaluated and documented.", true, None),
    MEASURE_2_8 = ("MEASURE 2.8", "Risks associated with transparency and accountability are examined and documented.", true, None),
    MEASURE_3_1 = ("MEASURE 3.1", "Approaches, personnel and documentation are in place to regularly identify and track existing, unanticipated and emergent AI risks.", true, None),
    MANAGE_1_3 = ("MANAGE 1.3", "Responses to high-priority AI risks are developed, planned, documented (mitigate/transfer/avoid/accept).", true, None),
    MANAGE_2_4 = ("MANAGE 2.4", "Mechanisms are in place and applied, and responsibilities are assigned and understood, to supersede, disengage, or deactivate AI systems that demonstrate performance or outcomes inconsistent with intended use.", true, Some("verbatim")),
    MANAGE_3_1 = ("MANAGE 3.1", "AI risks and benefits from third-party resources are regularly monitored, and risk controls are applied and documented.", true, None),
    MANAGE_4_1 = ("MANAGE 4.1", "Post-deployment monitoring plans implemented, including feedback, appeal and override, decommissioning, incident response, change management.", true, None),
    MANAGE_4_3 = ("MANAGE 4.3", "Incidents and errors are communicated; tracking/response/recovery processes followed and documented.", true, None),
]);

// NIST CSF 2.0: CONFIRMED (secondary, several agreeing copies).
identifiers!(CSF_LIST, Framework::NistCsf, [
    GV_OC_03 = ("GV.OC-03", "Legal, regulatory, and contractual requirements regarding cybersecurity — including privacy and civil liberties obligations — are understood and managed", true, None),
    GV_RR_02 = ("GV.RR-02", "Roles, responsibilities, and authorities related to cybersecurity risk management are established, communicated, understood, and enforced", true, None),
    GV_PO_01 = ("GV.PO-01", "Policy for managing cybersecurity risks is established based on organizational context, cybersecurity strategy, and priorities and is communicated and enforced", true, None),
    GV_PO_02 = ("GV.PO-02", "Policy for managing cybersecurity risks is reviewed, updated, communicated, and enforced to reflect changes in requirements, threats, technology, and organizational mission", true, None),
    GV_OV_03 = ("GV.OV-03", "Organizational cybersecurity risk management performance is evaluated and reviewed for adjustments needed", true, None),
    GV_SC_04 = ("GV.SC-04", "Suppliers are known and prioritized by criticality", true, None),
    GV_SC_07 = ("GV.SC-07", "The risks posed by a supplier, their products and services, and other third parties are understood, recorded, prioritized, assessed, responded to, and monitored over the course of the relationship", true, None),
    ID_AM_02 = ("ID.AM-02", "Inventories of software, services, and systems managed by the organization are maintained", true, None),
    ID_AM_03 = ("ID.AM-03", "Representations of the organization's authorized network communication and internal and external network data flows are maintained", true, None),
    ID_AM_04 = ("ID.AM-04", "Inventories of services provided by suppliers are maintained", true, None),
    ID_AM_07 = ("ID.AM-07", "Inventories of data and corresponding metadata for designated data types are maintained", true, None),
    ID_AM_08 = ("ID.AM-08", "Systems, hardware, software, services, and data are managed throughout their life cycles", true, None),
    ID_RA_09 = ("ID.RA-09", "The authenticity and integrity of hardware and software are assessed prior to acquisition and use", true, None),
    PR_AA_01 = ("PR.AA-01", "Identities and credentials for authorized users, services, and hardware are managed by the organization", true, None),
    PR_AA_02 = ("PR.AA-02", "Identities are proofed and bound to credentials based on the context of interactions", true, None),
    PR_AA_03 = ("PR.AA-03", "Users, services, and hardware are authenticated", true, None),
    PR_AA_04 = ("PR.AA-04", "Identity assertions are protected, conveyed, and verified", true, None),
    PR_AA_05 = ("PR.AA-05", "Access permissions, entitlements, and authorizations are defined in a policy, managed, enforced, and reviewed, and incorporate the principles of least privilege and separation of duties", true, None),
    PR_AA_06 = ("PR.AA-06", "Physical access to assets is managed, monitored, and enforced commensurate with risk", true, None),
    PR_DS_01 = ("PR.DS-01", "The confidentiality, integrity, and availability of data-at-rest are protected", true, None),
    PR_DS_02 = ("PR.DS-02", "The confidentiality, integrity, and availability of data-in-transit are protected", true, None),
    PR_DS_10 = ("PR.DS-10", "The confidentiality, integrity, and availability of data-in-use are protected", true, None),
    PR_PS_01 = ("PR.PS-01", "Configuration management practices are established and applied", true, None),
    PR_PS_04 = ("PR.PS-04", "Log records are generated and made available for continuous monitoring", true, None),
    PR_PS_05 = ("PR.PS-05", "Installation and execution of unauthorized software are prevented", true, None),
    PR_IR_01 = ("PR.IR-01", "Networks and environments are protected from unauthorized logical access and usage", true, None),
    DE_CM_01 = ("DE.CM-01", "Networks and network services are monitored to find potentially adverse events", true, None),
    DE_CM_03 = ("DE.CM-03", "Personnel activity and technology usage are monitored to find potentially adverse events", true, None),
    DE_CM_06 = ("DE.CM-06", "External service provider activities and services are monitored to find potentially adverse events", true, None),
    DE_CM_09 = ("DE.CM-09", "Computing hardware and software, runtime environments, and their data are monitored to find potentially adverse events", true, None),
    DE_AE_02 = ("DE.AE-02", "Potentially adverse events are analyzed to better understand associated activities", true, None),
    DE_AE_03 = ("DE.AE-03", "Information is correlated from multiple sources", true, None),
    RS_AN_06 = ("RS.AN-06", "Actions performed during an investigation are recorded, and the records' integrity and provenance are preserved", true, None),
    RS_AN_07 = ("RS.AN-07", "Incident data and metadata are collected, and their integrity and provenance are preserved", true, None),
    RS_MI_01 = ("RS.MI-01", "Incidents are contained", true, None),
    RC_RP_02 = ("RC.RP-02", "Recovery actions are selected, scoped, prioritized, and performed", true, None),
]);
