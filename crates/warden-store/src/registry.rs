//! The registry of assistant identities (agents) and the tool connections
//! (MCP servers, plugins) they are approved to use.
//!
//! Every assistant Warden governs is a non-human identity with an
//! accountable human owner, an optional deputy, a declared scope and a
//! lifecycle (`active` ⇄ `suspended` → `offboarded`). Every change to the
//! registry is committed together with its audit record (kind
//! [`RecordKind::Registry`]) in one `BEGIN IMMEDIATE` transaction, so a
//! change without its record, or a record without its change, can never be
//! committed.
//!
//! # Schema (migration 3)
//!
//! ```sql
//! CREATE TABLE agents (
//!     name             TEXT PRIMARY KEY,
//!     kind             TEXT NOT NULL CHECK (kind IN ('claude-code', 'codex', 'gemini',
//!                          'cursor', 'copilot', 'windsurf', 'cline', 'other')),
//!     owner            TEXT NOT NULL CHECK (owner <> ''),
//!     deputy           TEXT,
//!     purpose          TEXT,
//!     state            TEXT NOT NULL CHECK (state IN ('active', 'suspended', 'offboarded')),
//!     created_at       TEXT NOT NULL,
//!     last_used_at     TEXT,
//!     scope            TEXT NOT NULL,        -- JSON AgentScope
//!     state_reason     TEXT,
//!     state_changed_by TEXT,
//!     state_changed_at TEXT
//! ) STRICT;
//! CREATE INDEX agents_owner ON agents (owner COLLATE NOCASE);
//! CREATE TABLE tools (
//!     name           TEXT PRIMARY KEY,
//!     kind           TEXT NOT NULL CHECK (kind IN ('mcp', 'plugin')),
//!     owner          TEXT NOT NULL CHECK (owner <> ''),
//!     endpoint       TEXT NOT NULL CHECK (endpoint <> ''),
//!     version        TEXT,
//!     pin            TEXT,
//!     scope          TEXT NOT NULL,          -- JSON AgentScope
//!     state          TEXT NOT NULL CHECK (state IN ('active', 'removed')),
//!     created_at     TEXT NOT NULL,
//!     removed_at     TEXT,
//!     removed_by     TEXT,
//!     removed_reason TEXT
//! ) STRICT;
//! CREATE TABLE tool_agents (
//!     tool  TEXT NOT NULL REFERENCES tools (name),
//!     agent TEXT NOT NULL REFERENCES agents (name),
//!     PRIMARY KEY (tool, agent)
//! ) STRICT, WITHOUT ROWID;
//! CREATE INDEX tool_agents_agent ON tool_agents (agent);
//! -- plus triggers that abort deleting agents or tools (names are never
//! -- reused), renaming them, leaving the offboarded state, and changing
//! -- tool_agents.
//! ```

use std::fmt;
use std::time::SystemTime;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};

use crate::audit::{append_in, json_text, NewRecord, RecordKind};
use crate::time::format_rfc3339_millis;
use crate::{Store, StoreError};

/// Migration 3: the `agents`, `tools` and `tool_agents` tables.
pub(crate) fn migrate_3(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE agents (
             name             TEXT PRIMARY KEY,
             kind             TEXT NOT NULL CHECK (kind IN ('claude-code', 'codex', 'gemini',
                                  'cursor', 'copilot', 'windsurf', 'cline', 'other')),
             owner            TEXT NOT NULL CHECK (owner <> ''),
             deputy           TEXT,
             purpose          TEXT,
             state            TEXT NOT NULL
                                  CHECK (state IN ('active', 'suspended', 'offboarded')),
             created_at       TEXT NOT NULL,
             last_used_at     TEXT,
             scope            TEXT NOT NULL,
             state_reason     TEXT,
             state_changed_by TEXT,
             state_changed_at TEXT
         ) STRICT;
         CREATE INDEX agents_owner ON agents (owner COLLATE NOCASE);
         CREATE TABLE tools (
             name           TEXT PRIMARY KEY,
             kind           TEXT NOT NULL CHECK (kind IN ('mcp', 'plugin')),
             owner          TEXT NOT NULL CHECK (owner <> ''),
             endpoint       TEXT NOT NULL CHECK (endpoint <> ''),
             version        TEXT,
             pin            TEXT,
             scope          TEXT NOT NULL,
             state          TEXT NOT NULL CHECK (state IN ('active', 'removed')),
             created_at     TEXT NOT NULL,
             removed_at     TEXT,
             removed_by     TEXT,
             removed_reason TEXT
         ) STRICT;
         CREATE TABLE tool_agents (
             tool  TEXT NOT NULL REFERENCES tools (name),
             agent TEXT NOT NULL REFERENCES agents (name),
             PRIMARY KEY (tool, agent)
         ) STRICT, WITHOUT ROWID;
         CREATE INDEX tool_agents_agent ON tool_agents (agent);
         CREATE TRIGGER agents_no_delete BEFORE DELETE ON agents
         BEGIN SELECT RAISE(ABORT, 'agents are never deleted (offboard them instead)'); END;
         CREATE TRIGGER agents_no_rename BEFORE UPDATE OF name ON agents
         WHEN NEW.name IS NOT OLD.name
         BEGIN SELECT RAISE(ABORT, 'agents are never renamed'); END;
         CREATE TRIGGER agents_offboarded_is_terminal BEFORE UPDATE OF state ON agents
         WHEN OLD.state = 'offboarded' AND NEW.state IS NOT 'offboarded'
         BEGIN SELECT RAISE(ABORT, 'an offboarded agent stays offboarded'); END;
         CREATE TRIGGER tools_no_delete BEFORE DELETE ON tools
         BEGIN SELECT RAISE(ABORT, 'tools are never deleted (remove them instead)'); END;
         CREATE TRIGGER tools_no_rename BEFORE UPDATE OF name ON tools
         WHEN NEW.name IS NOT OLD.name
         BEGIN SELECT RAISE(ABORT, 'tools are never renamed'); END;
         CREATE TRIGGER tool_agents_no_update BEFORE UPDATE ON tool_agents
         BEGIN SELECT RAISE(ABORT, 'tool_agents is append-only'); END;
         CREATE TRIGGER tool_agents_no_delete BEFORE DELETE ON tool_agents
         BEGIN SELECT RAISE(ABORT, 'tool_agents is append-only'); END;",
    )
}

/// Which assistant product an identity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgentKind {
    /// Anthropic's Claude Code.
    ClaudeCode,
    /// OpenAI's Codex CLI.
    Codex,
    /// Google's Gemini CLI.
    Gemini,
    /// Cursor.
    Cursor,
    /// GitHub Copilot.
    Copilot,
    /// Windsurf.
    Windsurf,
    /// Cline.
    Cline,
    /// Anything else.
    Other,
}

impl AgentKind {
    /// Every kind, in declaration order.
    pub const ALL: [AgentKind; 8] = [
        AgentKind::ClaudeCode,
        AgentKind::Codex,
        AgentKind::Gemini,
        AgentKind::Cursor,
        AgentKind::Copilot,
        AgentKind::Windsurf,
        AgentKind::Cline,
        AgentKind::Other,
    ];

    /// The name used in JSON, in the database and on the command line
    /// (`"claude-code"`, `"codex"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            AgentKind::ClaudeCode => "claude-code",
            AgentKind::Codex => "codex",
            AgentKind::Gemini => "gemini",
            AgentKind::Cursor => "cursor",
            AgentKind::Copilot => "copilot",
            AgentKind::Windsurf => "windsurf",
            AgentKind::Cline => "cline",
            AgentKind::Other => "other",
        }
    }

    /// The kind named `name` (exactly as [`AgentKind::as_str`] spells it).
    pub fn parse(name: &str) -> Option<AgentKind> {
        AgentKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for AgentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, not `write_str`, so that width and alignment (`{:<10}`) apply.
        f.pad(self.as_str())
    }
}

/// Where an identity is in its lifecycle (see [`Store::set_agent_state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AgentState {
    /// May act (subject to policy).
    Active,
    /// Temporarily barred from acting; can be reactivated.
    Suspended,
    /// Retired for good; the name is never reused.
    Offboarded,
}

impl AgentState {
    /// Every state, in declaration order.
    pub const ALL: [AgentState; 3] = [
        AgentState::Active,
        AgentState::Suspended,
        AgentState::Offboarded,
    ];

    /// The name used in JSON and in the database (`"active"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            AgentState::Active => "active",
            AgentState::Suspended => "suspended",
            AgentState::Offboarded => "offboarded",
        }
    }

    /// The state named `name` (exactly as [`AgentState::as_str`] spells it).
    pub fn parse(name: &str) -> Option<AgentState> {
        AgentState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether the lifecycle allows going from `self` to `to`:
    /// active → suspended, suspended → active, and active or suspended →
    /// offboarded. Offboarded is terminal, and staying in the same state
    /// is not a transition.
    pub fn can_become(self, to: AgentState) -> bool {
        matches!(
            (self, to),
            (AgentState::Active, AgentState::Suspended)
                | (AgentState::Suspended, AgentState::Active)
                | (AgentState::Active, AgentState::Offboarded)
                | (AgentState::Suspended, AgentState::Offboarded)
        )
    }
}

impl fmt::Display for AgentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, not `write_str`, so that width and alignment (`{:<10}`) apply.
        f.pad(self.as_str())
    }
}

/// What an identity (or a tool connection) is meant to touch. Each list
/// holds patterns whose meaning belongs to the policy engine; the store
/// only keeps them. Empty lists mean "nothing declared".
///
/// The CLI parses it from a TOML file (hence `deny_unknown_fields`: a
/// misspelt key must not silently widen or narrow a scope); the store keeps
/// it as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentScope {
    /// Repositories (e.g. `github.com/acme/api`).
    pub repos: Vec<String>,
    /// File-system paths or globs.
    pub paths: Vec<String>,
    /// Network destinations (hosts, URLs).
    pub destinations: Vec<String>,
    /// MCP servers (registered tool names).
    pub mcp_servers: Vec<String>,
    /// Kinds of tool call (e.g. `read`, `write`, `exec`, `net`).
    pub tool_kinds: Vec<String>,
}

/// An identity to register (see [`Store::register_agent`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgent {
    /// Unique forever; `[a-z0-9][a-z0-9._-]{0,63}`.
    pub name: String,
    /// Which assistant product it is.
    pub kind: AgentKind,
    /// The accountable human, as an email address.
    pub owner: String,
    /// Who stands in for the owner, as an email address.
    pub deputy: Option<String>,
    /// What the identity is for.
    pub purpose: Option<String>,
    /// What it is meant to touch.
    pub scope: AgentScope,
}

/// A registered identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    /// Its unique name.
    pub name: String,
    /// Which assistant product it is.
    pub kind: AgentKind,
    /// The accountable human (email address).
    pub owner: String,
    /// The owner's stand-in (email address).
    pub deputy: Option<String>,
    /// What the identity is for.
    pub purpose: Option<String>,
    /// Where it is in its lifecycle.
    pub state: AgentState,
    /// When it was registered: RFC 3339, UTC, milliseconds.
    pub created_at: String,
    /// When it last acted (see [`Store::touch_agent`]).
    pub last_used_at: Option<String>,
    /// What it is meant to touch.
    pub scope: AgentScope,
    /// The active tool connections it is approved to use, by name, sorted.
    pub tools: Vec<String>,
    /// Why its state last changed.
    pub state_reason: Option<String>,
    /// Who last changed its state.
    pub state_changed_by: Option<String>,
    /// When its state last changed.
    pub state_changed_at: Option<String>,
}

/// A tool connection to register (see [`Store::add_tool`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTool {
    /// Unique forever; same rule as agent names.
    pub name: String,
    /// `"mcp"` or `"plugin"`.
    pub kind: String,
    /// The accountable human, as an email address.
    pub owner: String,
    /// The command line or URL that reaches the tool. Kept verbatim and
    /// written to the audit trail: it must not contain credentials.
    pub endpoint: String,
    /// The approved version.
    pub version: Option<String>,
    /// A hash pin of the approved artefact, `algorithm:hex` (e.g.
    /// `sha256:…`).
    pub pin: Option<String>,
    /// What the tool is meant to touch.
    pub scope: AgentScope,
    /// The registered identities approved to use it.
    pub agents: Vec<String>,
}

/// Whether a tool connection is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolState {
    /// Registered and usable.
    Active,
    /// Removed for good; the name is never reused.
    Removed,
}

impl ToolState {
    /// The name used in JSON and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ToolState::Active => "active",
            ToolState::Removed => "removed",
        }
    }

    /// The state named `name`.
    pub fn parse(name: &str) -> Option<ToolState> {
        match name {
            "active" => Some(ToolState::Active),
            "removed" => Some(ToolState::Removed),
            _ => None,
        }
    }
}

impl fmt::Display for ToolState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, not `write_str`, so that width and alignment (`{:<10}`) apply.
        f.pad(self.as_str())
    }
}

/// A registered tool connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// Its unique name.
    pub name: String,
    /// `"mcp"` or `"plugin"`.
    pub kind: String,
    /// The accountable human (email address).
    pub owner: String,
    /// The command line or URL that reaches it.
    pub endpoint: String,
    /// The approved version.
    pub version: Option<String>,
    /// The hash pin of the approved artefact.
    pub pin: Option<String>,
    /// What it is meant to touch.
    pub scope: AgentScope,
    /// The identities approved to use it, sorted.
    pub agents: Vec<String>,
    /// Whether it is still in use.
    pub state: ToolState,
    /// When it was added: RFC 3339, UTC, milliseconds.
    pub created_at: String,
    /// When it was removed.
    pub removed_at: Option<String>,
    /// Who removed it.
    pub removed_by: Option<String>,
    /// Why it was removed.
    pub removed_reason: Option<String>,
}

/// The longest name (agent or tool) accepted.
const MAX_NAME: usize = 64;

/// Checks `name` against `[a-z0-9][a-z0-9._-]{0,63}`.
pub(crate) fn check_name(field: &'static str, name: &str) -> Result<(), StoreError> {
    let invalid = |reason: &str| StoreError::InvalidInput {
        field,
        reason: format!("{name:?} {reason}"),
    };
    let mut chars = name.chars();
    match chars.next() {
        None => return Err(invalid("is empty")),
        Some(c) if !(c.is_ascii_lowercase() || c.is_ascii_digit()) => {
            return Err(invalid("must start with a lowercase letter or digit"))
        }
        Some(_) => {}
    }
    if name.len() > MAX_NAME {
        return Err(invalid("is longer than 64 characters"));
    }
    if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        return Err(invalid(
            "may contain only lowercase letters, digits, '.', '_' and '-'",
        ));
    }
    Ok(())
}

/// Trims `value` and checks it is non-empty and one line; returns the
/// trimmed text.
pub(crate) fn check_text<'a>(field: &'static str, value: &'a str) -> Result<&'a str, StoreError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(StoreError::InvalidInput {
            field,
            reason: "must not be empty".into(),
        });
    }
    // Identities and names end up in one-line summaries and in tables the
    // CLI prints; a control character could forge a line of either.
    if value.chars().any(char::is_control) {
        return Err(StoreError::InvalidInput {
            field,
            reason: format!("{value:?} contains a control character"),
        });
    }
    Ok(value)
}

/// Trims `value` and checks it looks like an email address: one line, no
/// whitespace, and an `@` with something on either side.
pub(crate) fn check_email<'a>(field: &'static str, value: &'a str) -> Result<&'a str, StoreError> {
    let value = check_text(field, value)?;
    let looks_right = !value.chars().any(char::is_whitespace)
        && value
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
    if !looks_right {
        return Err(StoreError::InvalidInput {
            field,
            reason: format!("{value:?} is not an email address"),
        });
    }
    Ok(value)
}

/// `Some(trimmed)` for a non-blank value, `None` otherwise.
pub(crate) fn optional_text(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Whether two identities (email addresses or user names) may be the same
/// person: trimmed and compared case-insensitively, as mail systems and
/// identity providers do. A bare user name (no `@`) also matches the local
/// part of an address: owners are registered by email while a session's
/// human may be an operating-system user, and for segregation of duties
/// a false match only refuses an approval, whereas a missed one would let
/// someone approve their own action.
pub(crate) fn same_person(a: &str, b: &str) -> bool {
    let a = a.trim().to_lowercase();
    let b = b.trim().to_lowercase();
    let local = |s: &str| {
        s.split_once('@')
            .map_or(s.to_owned(), |(l, _)| l.to_owned())
    };
    match (a.contains('@'), b.contains('@')) {
        (true, false) => local(&a) == b,
        (false, true) => a == local(&b),
        _ => a == b,
    }
}

/// `text` with every control character replaced by a space, so that free
/// text (reasons) cannot break the one-line summary of an audit record.
pub(crate) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Checks a hash pin: `algorithm:digest`, the algorithm lowercase
/// alphanumeric, the digest lowercase hex.
fn check_pin(pin: &str) -> Result<&str, StoreError> {
    let pin = pin.trim();
    let valid = pin.split_once(':').is_some_and(|(algo, digest)| {
        !algo.is_empty()
            && algo
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && !digest.is_empty()
            && digest
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    });
    if valid {
        Ok(pin)
    } else {
        Err(StoreError::InvalidInput {
            field: "pin",
            reason: format!("{pin:?} is not algorithm:lowercase-hex (e.g. sha256:…)"),
        })
    }
}

/// A registry audit record of `kind`: `human` is the actor, `detail` the
/// new state.
pub(crate) fn change_record<T: Serialize>(
    kind: RecordKind,
    summary: String,
    human: Option<&str>,
    detail: &T,
) -> Result<NewRecord, StoreError> {
    let mut record = NewRecord::new(kind, summary);
    record.human = human.map(str::to_owned);
    record.detail = serde_json::to_value(detail).map_err(StoreError::Encode)?;
    Ok(record)
}

/// The columns of `agents` read by [`agent_row`], in its order.
const AGENT_COLUMNS: &str = "name, kind, owner, deputy, purpose, state, created_at, \
     last_used_at, scope, state_reason, state_changed_by, state_changed_at";

/// The columns of `tools` read by [`tool_row`], in its order.
const TOOL_COLUMNS: &str = "name, kind, owner, endpoint, version, pin, scope, state, \
     created_at, removed_at, removed_by, removed_reason";

/// A corrupt-row error for `table` row `key`.
fn corrupt(table: &'static str, key: &str, reason: String) -> StoreError {
    StoreError::CorruptRow {
        table,
        key: key.to_owned(),
        reason,
    }
}

/// Decodes a stored scope.
fn decode_scope(table: &'static str, key: &str, json: &str) -> Result<AgentScope, StoreError> {
    serde_json::from_str(json).map_err(|e| corrupt(table, key, format!("scope: {e}")))
}

/// An `agents` row with its enums and JSON still undecoded: decoding can
/// fail, which a row-mapping closure cannot report as a [`StoreError`].
type AgentRow = (Agent, String, String, String);

/// Reads a row selected with [`AGENT_COLUMNS`] (kind, state and scope
/// come back raw, next to placeholder values).
fn agent_row(row: &Row<'_>) -> rusqlite::Result<AgentRow> {
    let agent = Agent {
        name: row.get(0)?,
        kind: AgentKind::Other,
        owner: row.get(2)?,
        deputy: row.get(3)?,
        purpose: row.get(4)?,
        state: AgentState::Active,
        created_at: row.get(6)?,
        last_used_at: row.get(7)?,
        scope: AgentScope::default(),
        tools: Vec::new(),
        state_reason: row.get(9)?,
        state_changed_by: row.get(10)?,
        state_changed_at: row.get(11)?,
    };
    Ok((agent, row.get(1)?, row.get(5)?, row.get(8)?))
}

/// Decodes an [`AgentRow`] and fills in the agent's tools.
fn finish_agent(conn: &Connection, raw: AgentRow) -> Result<Agent, StoreError> {
    let (mut agent, kind, state, scope) = raw;
    agent.kind = AgentKind::parse(&kind)
        .ok_or_else(|| corrupt("agents", &agent.name, format!("unknown kind {kind:?}")))?;
    agent.state = AgentState::parse(&state)
        .ok_or_else(|| corrupt("agents", &agent.name, format!("unknown state {state:?}")))?;
    agent.scope = decode_scope("agents", &agent.name, &scope)?;
    agent.tools = conn
        .prepare_cached(
            "SELECT t.name FROM tool_agents ta JOIN tools t ON t.name = ta.tool
             WHERE ta.agent = ?1 AND t.state = 'active' ORDER BY t.name",
        )?
        .query_map([&agent.name], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(agent)
}

/// The agent named `name`, read through `conn` (a connection or an open
/// transaction).
pub(crate) fn load_agent(conn: &Connection, name: &str) -> Result<Option<Agent>, StoreError> {
    let raw = conn
        .prepare_cached(&format!(
            "SELECT {AGENT_COLUMNS} FROM agents WHERE name = ?1"
        ))?
        .query_row([name], agent_row)
        .optional()?;
    raw.map(|raw| finish_agent(conn, raw)).transpose()
}

/// A `tools` row with its state and scope still undecoded.
type ToolRow = (Tool, String, String);

/// Reads a row selected with [`TOOL_COLUMNS`] (state and scope come back
/// raw, next to placeholder values).
fn tool_row(row: &Row<'_>) -> rusqlite::Result<ToolRow> {
    let tool = Tool {
        name: row.get(0)?,
        kind: row.get(1)?,
        owner: row.get(2)?,
        endpoint: row.get(3)?,
        version: row.get(4)?,
        pin: row.get(5)?,
        scope: AgentScope::default(),
        agents: Vec::new(),
        state: ToolState::Active,
        created_at: row.get(8)?,
        removed_at: row.get(9)?,
        removed_by: row.get(10)?,
        removed_reason: row.get(11)?,
    };
    Ok((tool, row.get(7)?, row.get(6)?))
}

/// Decodes a [`ToolRow`] and fills in the tool's agents.
fn finish_tool(conn: &Connection, raw: ToolRow) -> Result<Tool, StoreError> {
    let (mut tool, state, scope) = raw;
    tool.state = ToolState::parse(&state)
        .ok_or_else(|| corrupt("tools", &tool.name, format!("unknown state {state:?}")))?;
    tool.scope = decode_scope("tools", &tool.name, &scope)?;
    tool.agents = conn
        .prepare_cached("SELECT agent FROM tool_agents WHERE tool = ?1 ORDER BY agent")?
        .query_map([&tool.name], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(tool)
}

/// The tool named `name`, read through `conn`.
fn load_tool(conn: &Connection, name: &str) -> Result<Option<Tool>, StoreError> {
    let raw = conn
        .prepare_cached(&format!("SELECT {TOOL_COLUMNS} FROM tools WHERE name = ?1"))?
        .query_row([name], tool_row)
        .optional()?;
    raw.map(|raw| finish_tool(conn, raw)).transpose()
}

/// The agent named `name`, or [`StoreError::NotFound`].
fn require_agent(conn: &Connection, name: &str) -> Result<Agent, StoreError> {
    load_agent(conn, name)?.ok_or_else(|| StoreError::NotFound {
        what: "agent",
        id: name.to_owned(),
    })
}

/// The tool named `name`, or [`StoreError::NotFound`].
fn require_tool(conn: &Connection, name: &str) -> Result<Tool, StoreError> {
    load_tool(conn, name)?.ok_or_else(|| StoreError::NotFound {
        what: "tool",
        id: name.to_owned(),
    })
}

impl Store {
    /// Registers a new assistant identity, active from now on, and records
    /// the registration in the audit trail.
    ///
    /// The name, owner and deputy are trimmed of surrounding whitespace
    /// (the name is then checked, not altered); a blank purpose or deputy
    /// counts as none.
    ///
    /// # Errors
    ///
    /// * [`StoreError::InvalidInput`] when the name does not match
    ///   `[a-z0-9][a-z0-9._-]{0,63}`, the owner or deputy is not an email
    ///   address, the deputy is the owner, or the actor is blank;
    /// * [`StoreError::AgentExists`] when the name is, or ever was,
    ///   registered (an offboarded name is never reused);
    /// * [`StoreError::Sqlite`] on a database error (nothing is written).
    pub fn register_agent(&self, agent: &NewAgent, actor: &str) -> Result<Agent, StoreError> {
        check_name("agent name", &agent.name)?;
        let owner = check_email("owner", &agent.owner)?;
        let deputy = agent
            .deputy
            .as_deref()
            .filter(|d| !d.trim().is_empty())
            .map(|d| check_email("deputy", d))
            .transpose()?;
        if deputy.is_some_and(|d| same_person(d, owner)) {
            return Err(StoreError::InvalidInput {
                field: "deputy",
                reason: "must be someone other than the owner".into(),
            });
        }
        let purpose = optional_text(agent.purpose.as_deref());
        let actor = check_text("actor", actor)?;
        let now = format_rfc3339_millis(SystemTime::now());

        let tx = self.write_tx()?;
        let taken = tx
            .prepare_cached("SELECT 1 FROM agents WHERE name = ?1")?
            .query_row([&agent.name], |_| Ok(()))
            .optional()?;
        if taken.is_some() {
            return Err(StoreError::AgentExists {
                name: agent.name.clone(),
            });
        }
        tx.prepare_cached(
            "INSERT INTO agents (name, kind, owner, deputy, purpose, state, created_at, scope)
             VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?7)",
        )?
        .execute(params![
            agent.name,
            agent.kind.as_str(),
            owner,
            deputy,
            purpose,
            now,
            json_text(&agent.scope)?,
        ])?;
        let stored = require_agent(&tx, &agent.name)?;
        let mut record = change_record(
            RecordKind::Registry,
            format!(
                "agent {} registered (kind {}, owner {}) by {actor}",
                stored.name, stored.kind, stored.owner
            ),
            Some(actor),
            &stored,
        )?;
        record.agent = Some(stored.name.clone());
        append_in(&tx, &record, self.signing_key())?;
        tx.commit()?;
        Ok(stored)
    }

    /// The identity named `name`, in any state.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] on a database error;
    /// [`StoreError::CorruptRow`] when the row cannot be decoded.
    pub fn agent(&self, name: &str) -> Result<Option<Agent>, StoreError> {
        let tx = self.read_tx()?;
        let agent = load_agent(&tx, name)?;
        tx.commit()?;
        Ok(agent)
    }

    /// Every identity ever registered (offboarded ones included), sorted
    /// by name.
    ///
    /// # Errors
    ///
    /// As for [`Store::agent`].
    pub fn agents(&self) -> Result<Vec<Agent>, StoreError> {
        // One read transaction: the agents and their tools come from the
        // same snapshot.
        let tx = self.read_tx()?;
        let raws: Vec<AgentRow> = tx
            .prepare_cached(&format!("SELECT {AGENT_COLUMNS} FROM agents ORDER BY name"))?
            .query_map([], agent_row)?
            .collect::<rusqlite::Result<_>>()?;
        let agents = raws
            .into_iter()
            .map(|raw| finish_agent(&tx, raw))
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit()?;
        Ok(agents)
    }

    /// Moves an identity through its lifecycle and records the change:
    ///
    /// ```text
    /// active ──suspend──▶ suspended ──reactivate──▶ active
    /// active | suspended ──offboard (reason required)──▶ offboarded (terminal)
    /// ```
    ///
    /// `reason` (trimmed; blank counts as none) is kept as the agent's
    /// `state_reason`, replacing the previous one.
    ///
    /// # Errors
    ///
    /// * [`StoreError::InvalidTransition`] for any other pair, including
    ///   staying in the same state and leaving `offboarded`;
    /// * [`StoreError::InvalidInput`] when offboarding without a reason or
    ///   the actor is blank;
    /// * [`StoreError::NotFound`] when no agent has this name;
    /// * [`StoreError::Sqlite`] on a database error (nothing is written).
    pub fn set_agent_state(
        &self,
        name: &str,
        to: AgentState,
        actor: &str,
        reason: Option<&str>,
    ) -> Result<Agent, StoreError> {
        let actor = check_text("actor", actor)?;
        let reason = optional_text(reason);
        let now = format_rfc3339_millis(SystemTime::now());

        let tx = self.write_tx()?;
        let current = require_agent(&tx, name)?;
        let from = current.state;
        if !from.can_become(to) {
            return Err(StoreError::InvalidTransition { from, to });
        }
        if to == AgentState::Offboarded && reason.is_none() {
            return Err(StoreError::InvalidInput {
                field: "reason",
                reason: "offboarding an agent requires a reason".into(),
            });
        }
        tx.prepare_cached(
            "UPDATE agents SET state = ?1, state_reason = ?2, state_changed_by = ?3,
                 state_changed_at = ?4
             WHERE name = ?5",
        )?
        .execute(params![to.as_str(), reason, actor, now, name])?;
        // Offboarding ends everything the identity was issued, in the same
        // transaction: the next decision sees the revocations.
        let mut revoked = serde_json::Value::Null;
        if to == AgentState::Offboarded {
            let why = format!("agent offboarded: {}", reason.as_deref().unwrap_or(""));
            let (credentials, grants) =
                crate::sessions::revoke_agent_in(&tx, name, actor, &why, &now)?;
            let tools = disable_exclusive_tools(&tx, name, actor, &now)?;
            revoked = serde_json::json!({
                "credentials_revoked": credentials,
                "grants_revoked": grants,
                "tools_disabled": tools,
            });
        }
        let stored = require_agent(&tx, name)?;
        let verb = match to {
            AgentState::Active => "reactivated",
            AgentState::Suspended => "suspended",
            AgentState::Offboarded => "offboarded",
        };
        let mut summary = format!("agent {name} {verb} (was {from}) by {actor}");
        if let Some(reason) = &reason {
            summary.push_str(": ");
            summary.push_str(&one_line(reason));
        }
        let mut record = change_record(RecordKind::Registry, summary, Some(actor), &stored)?;
        record.agent = Some(stored.name.clone());
        if let (serde_json::Value::Object(detail), serde_json::Value::Object(extra)) =
            (&mut record.detail, revoked)
        {
            detail.extend(extra);
        }
        append_in(&tx, &record, self.signing_key())?;
        tx.commit()?;
        Ok(stored)
    }

    /// Records that the identity acted just now; see
    /// [`Store::touch_agent_at`].
    ///
    /// # Errors
    ///
    /// As for [`Store::touch_agent_at`].
    pub fn touch_agent(&self, name: &str) -> Result<(), StoreError> {
        self.touch_agent_at(name, SystemTime::now())
    }

    /// Sets the identity's `last_used_at` to `now`, unless it already holds
    /// a later time (concurrent hooks may finish out of order).
    ///
    /// This is bookkeeping on the hook's hot path, not a registry change:
    /// one `UPDATE`, no audit record (the audit trail records the acts
    /// themselves).
    ///
    /// # Errors
    ///
    /// [`StoreError::NotFound`] when no agent has this name;
    /// [`StoreError::Sqlite`] on a database error.
    pub fn touch_agent_at(&self, name: &str, now: SystemTime) -> Result<(), StoreError> {
        let changed = self
            .connection()
            .prepare_cached(
                "UPDATE agents SET last_used_at = ?1
                 WHERE name = ?2 AND (last_used_at IS NULL OR last_used_at < ?1)",
            )?
            .execute(params![format_rfc3339_millis(now), name])?;
        if changed == 0 {
            // Either unknown, or already touched later: tell them apart.
            let known = self
                .connection()
                .prepare_cached("SELECT 1 FROM agents WHERE name = ?1")?
                .query_row([name], |_| Ok(()))
                .optional()?;
            if known.is_none() {
                return Err(StoreError::NotFound {
                    what: "agent",
                    id: name.to_owned(),
                });
            }
        }
        Ok(())
    }

    /// Makes `to` the owner of every active or suspended identity owned by
    /// `from` (compared case-insensitively), with one audit record per
    /// identity, and returns their names, sorted. Offboarded identities
    /// keep their historical owner. Where `to` was an identity's deputy,
    /// the deputy is cleared (an owner cannot deputise for themselves).
    ///
    /// Transferring from someone who owns nothing changes nothing and
    /// returns an empty list.
    ///
    /// # Errors
    ///
    /// * [`StoreError::InvalidInput`] when `from` or `to` is not an email
    ///   address, they are the same person, or the actor is blank;
    /// * [`StoreError::Sqlite`] on a database error (nothing is written).
    pub fn transfer_owner(
        &self,
        from: &str,
        to: &str,
        actor: &str,
    ) -> Result<Vec<String>, StoreError> {
        let from = check_email("from", from)?;
        let to = check_email("to", to)?;
        if same_person(from, to) {
            return Err(StoreError::InvalidInput {
                field: "to",
                reason: "is the current owner".into(),
            });
        }
        let actor = check_text("actor", actor)?;

        let tx = self.write_tx()?;
        let names: Vec<String> = tx
            .prepare_cached(
                "SELECT name FROM agents
                 WHERE owner = ?1 COLLATE NOCASE AND state <> 'offboarded' ORDER BY name",
            )?
            .query_map([from], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for name in &names {
            let before = require_agent(&tx, name)?;
            let clear_deputy = before.deputy.as_deref().is_some_and(|d| same_person(d, to));
            tx.prepare_cached(
                "UPDATE agents SET owner = ?1, deputy = CASE WHEN ?2 THEN NULL ELSE deputy END
                 WHERE name = ?3",
            )?
            .execute(params![to, clear_deputy, name])?;
            let stored = require_agent(&tx, name)?;
            let mut summary = format!(
                "agent {name} transferred from {} to {to} by {actor}",
                before.owner
            );
            if clear_deputy {
                summary.push_str(" (deputy cleared: the new owner was the deputy)");
            }
            let mut record = change_record(RecordKind::Registry, summary, Some(actor), &stored)?;
            record.agent = Some(name.clone());
            append_in(&tx, &record, self.signing_key())?;
        }
        tx.commit()?;
        Ok(names)
    }

    /// Registers a tool connection (an MCP server or a plugin) and the
    /// identities approved to use it, and records it in the audit trail.
    ///
    /// # Errors
    ///
    /// * [`StoreError::InvalidInput`] when the name breaks the agent-name
    ///   rule, the kind is not `mcp` or `plugin`, the owner is not an
    ///   email address, the endpoint is blank or spans lines, the pin is
    ///   not `algorithm:lowercase-hex`, an approved agent is offboarded,
    ///   or the actor is blank;
    /// * [`StoreError::NotFound`] when an approved agent is not registered;
    /// * [`StoreError::ToolExists`] when the name is, or ever was, taken;
    /// * [`StoreError::Sqlite`] on a database error (nothing is written).
    pub fn add_tool(&self, tool: &NewTool, actor: &str) -> Result<Tool, StoreError> {
        check_name("tool name", &tool.name)?;
        let kind = tool.kind.trim();
        if !matches!(kind, "mcp" | "plugin") {
            return Err(StoreError::InvalidInput {
                field: "tool kind",
                reason: format!("{kind:?} is neither \"mcp\" nor \"plugin\""),
            });
        }
        let owner = check_email("owner", &tool.owner)?;
        let endpoint = check_text("endpoint", &tool.endpoint)?;
        let version = optional_text(tool.version.as_deref());
        let pin = tool
            .pin
            .as_deref()
            .filter(|p| !p.trim().is_empty())
            .map(check_pin)
            .transpose()?;
        let actor = check_text("actor", actor)?;
        let mut agents: Vec<&str> = tool.agents.iter().map(|a| a.trim()).collect();
        agents.sort_unstable();
        agents.dedup();
        let now = format_rfc3339_millis(SystemTime::now());

        let tx = self.write_tx()?;
        for name in &agents {
            let agent = require_agent(&tx, name)?;
            if agent.state == AgentState::Offboarded {
                return Err(StoreError::InvalidInput {
                    field: "agents",
                    reason: format!("agent {name} is offboarded"),
                });
            }
        }
        let taken = tx
            .prepare_cached("SELECT 1 FROM tools WHERE name = ?1")?
            .query_row([&tool.name], |_| Ok(()))
            .optional()?;
        if taken.is_some() {
            return Err(StoreError::ToolExists {
                name: tool.name.clone(),
            });
        }
        tx.prepare_cached(
            "INSERT INTO tools (name, kind, owner, endpoint, version, pin, scope, state,
                 created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'active', ?8)",
        )?
        .execute(params![
            tool.name,
            kind,
            owner,
            endpoint,
            version,
            pin,
            json_text(&tool.scope)?,
            now,
        ])?;
        for agent in &agents {
            tx.prepare_cached("INSERT INTO tool_agents (tool, agent) VALUES (?1, ?2)")?
                .execute(params![tool.name, agent])?;
        }
        let stored = require_tool(&tx, &tool.name)?;
        let approved = if stored.agents.is_empty() {
            "no agents".to_owned()
        } else {
            format!("for {}", stored.agents.join(", "))
        };
        let mut record = change_record(
            RecordKind::Registry,
            format!(
                "tool {} added (kind {}, owner {}, {approved}) by {actor}",
                stored.name, stored.kind, stored.owner
            ),
            Some(actor),
            &stored,
        )?;
        record.tool = Some(stored.name.clone());
        append_in(&tx, &record, self.signing_key())?;
        tx.commit()?;
        Ok(stored)
    }

    /// The tool connection named `name`, active or removed.
    ///
    /// # Errors
    ///
    /// As for [`Store::agent`].
    pub fn tool(&self, name: &str) -> Result<Option<Tool>, StoreError> {
        let tx = self.read_tx()?;
        let tool = load_tool(&tx, name)?;
        tx.commit()?;
        Ok(tool)
    }

    /// Every tool connection ever added (removed ones included), sorted by
    /// name.
    ///
    /// # Errors
    ///
    /// As for [`Store::agent`].
    pub fn tools(&self) -> Result<Vec<Tool>, StoreError> {
        let tx = self.read_tx()?;
        let raws: Vec<ToolRow> = tx
            .prepare_cached(&format!("SELECT {TOOL_COLUMNS} FROM tools ORDER BY name"))?
            .query_map([], tool_row)?
            .collect::<rusqlite::Result<_>>()?;
        let tools = raws
            .into_iter()
            .map(|raw| finish_tool(&tx, raw))
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit()?;
        Ok(tools)
    }

    /// Removes a tool connection for good (its row stays, marked
    /// `removed`, so its name is never reused) and records the removal.
    ///
    /// # Errors
    ///
    /// * [`StoreError::NotFound`] when no tool has this name;
    /// * [`StoreError::ToolRemoved`] when it is already removed;
    /// * [`StoreError::InvalidInput`] when the actor is blank;
    /// * [`StoreError::Sqlite`] on a database error (nothing is written).
    pub fn remove_tool(
        &self,
        name: &str,
        actor: &str,
        reason: Option<&str>,
    ) -> Result<Tool, StoreError> {
        let actor = check_text("actor", actor)?;
        let reason = optional_text(reason);
        let now = format_rfc3339_millis(SystemTime::now());

        let tx = self.write_tx()?;
        let current = require_tool(&tx, name)?;
        if current.state == ToolState::Removed {
            return Err(StoreError::ToolRemoved {
                name: name.to_owned(),
            });
        }
        tx.prepare_cached(
            "UPDATE tools SET state = 'removed', removed_at = ?1, removed_by = ?2,
                 removed_reason = ?3
             WHERE name = ?4",
        )?
        .execute(params![now, actor, reason, name])?;
        // What was issued through the connection ends with it.
        let why = format!("tool {name} removed: {}", reason.as_deref().unwrap_or(""));
        let grants = crate::sessions::revoke_tool_grants_in(&tx, name, actor, &why, &now)?;
        let stored = require_tool(&tx, name)?;
        let mut summary = format!("tool {name} removed by {actor}");
        if grants > 0 {
            summary.push_str(&format!(" ({grants} grant(s) revoked)"));
        }
        if let Some(reason) = &reason {
            summary.push_str(": ");
            summary.push_str(&one_line(reason));
        }
        let mut record = change_record(RecordKind::Registry, summary, Some(actor), &stored)?;
        record.tool = Some(name.to_owned());
        append_in(&tx, &record, self.signing_key())?;
        tx.commit()?;
        Ok(stored)
    }
}

/// Removes the tool connections that only offboarded agents use once
/// `agent` is offboarded; returns their names. Shared connections stay for
/// their other users, and the offboarded agent's decisions are denied
/// anyway.
fn disable_exclusive_tools(
    tx: &Connection,
    agent: &str,
    actor: &str,
    now: &str,
) -> Result<Vec<String>, StoreError> {
    let names: Vec<String> = tx
        .prepare_cached(
            "SELECT t.name FROM tools t JOIN tool_agents ta ON ta.tool = t.name
             WHERE ta.agent = ?1 AND t.state = 'active'
               AND NOT EXISTS (
                   SELECT 1 FROM tool_agents other JOIN agents a ON a.name = other.agent
                   WHERE other.tool = t.name AND a.state <> 'offboarded')
             ORDER BY t.name",
        )?
        .query_map([agent], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let reason = format!("its only agent {agent} was offboarded");
    for name in &names {
        tx.prepare_cached(
            "UPDATE tools SET state = 'removed', removed_at = ?1, removed_by = ?2,
                 removed_reason = ?3
             WHERE name = ?4",
        )?
        .execute(params![now, actor, reason, name])?;
        crate::sessions::revoke_tool_grants_in(tx, name, actor, &reason, now)?;
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["a", "0", "reviewer-bot", "a.b_c-d", &"x".repeat(64)] {
            check_name("agent name", ok).unwrap();
        }
        for bad in [
            "",
            "-a",
            ".a",
            "A",
            "aB",
            "a b",
            "a/b",
            "é",
            &"x".repeat(65),
        ] {
            assert!(check_name("agent name", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(
            check_email("owner", " a@b.example ").unwrap(),
            "a@b.example"
        );
        for bad in ["", "  ", "alice", "@b", "a@", "a b@c", "a@b\nc"] {
            assert!(check_email("owner", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn people() {
        assert!(same_person(" Alice@Example.com", "alice@example.COM "));
        assert!(same_person("alice", "ALICE@example.com"));
        assert!(same_person("alice@example.com", "alice"));
        assert!(!same_person("alice@example.com", "alice@other.example"));
        assert!(!same_person("alice", "bob@example.com"));
        assert!(!same_person("alice", "alicia"));
    }

    #[test]
    fn display_honours_width() {
        assert_eq!(format!("{:<8}|", ToolState::Active), "active  |");
        assert_eq!(format!("{:>10}", AgentState::Active), "    active");
        assert_eq!(format!("{:<12}|", AgentKind::ClaudeCode), "claude-code |");
    }

    #[test]
    fn pins() {
        check_pin(&format!("sha256:{}", "ab".repeat(32))).unwrap();
        for bad in [
            "sha256",
            "sha256:",
            ":ab",
            "SHA256:ab",
            "sha256:AB",
            "sha256:xyz",
        ] {
            assert!(check_pin(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn enum_names_round_trip() {
        for kind in AgentKind::ALL {
            assert_eq!(AgentKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::String(kind.as_str().into())
            );
        }
        for state in AgentState::ALL {
            assert_eq!(AgentState::parse(state.as_str()), Some(state));
            assert_eq!(
                serde_json::to_value(state).unwrap(),
                serde_json::Value::String(state.as_str().into())
            );
        }
        assert_eq!(AgentKind::parse("Claude-Code"), None);
        assert_eq!(ToolState::parse("active"), Some(ToolState::Active));
    }

    #[test]
    fn scope_rejects_unknown_keys() {
        let scope: AgentScope = serde_json::from_str(r#"{"repos":["r"]}"#).unwrap();
        assert_eq!(scope.repos, ["r"]);
        assert!(serde_json::from_str::<AgentScope>(r#"{"repo":["r"]}"#).is_err());
    }
}
