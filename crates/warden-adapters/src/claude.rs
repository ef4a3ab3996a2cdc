//! Claude Code: a hook's `tool_name` and `tool_input` as a Warden [`What`].
//!
//! Claude Code sends every tool event (`PreToolUse`, `PermissionRequest`,
//! `PostToolUse`, …) to a command hook as one JSON object on stdin, with the
//! fields `tool_name`, `tool_input` and `cwd` among others. [`tool_to_what`]
//! maps those three onto a [`What`]:
//!
//! | `tool_name` | kind | fields filled |
//! |---|---|---|
//! | `Bash` | [`Shell`](ActionKind::Shell) | `command` ← `command` |
//! | `Read` | [`FileRead`](ActionKind::FileRead) | `paths` ← `[file_path]` |
//! | `Write` | [`FileWrite`](ActionKind::FileWrite) | `paths` ← `[file_path]`, `content` ← `content` |
//! | `Edit` | [`FileEdit`](ActionKind::FileEdit) | `paths` ← `[file_path]`, `content` ← `new_string` |
//! | `MultiEdit` (legacy) | [`FileEdit`](ActionKind::FileEdit) | `paths` ← `[file_path]`, `content` ← every `edits[].new_string`, joined by `\n` |
//! | `NotebookEdit` | [`FileEdit`](ActionKind::FileEdit) | `paths` ← `[notebook_path]`, `content` ← `new_source` (absent for deletions) |
//! | `Glob` | [`Search`](ActionKind::Search) | `paths` ← `[path]` if given, plus the pattern's literal base directory when the pattern leaves the search root (see below) |
//! | `Grep` | [`Search`](ActionKind::Search) | `paths` ← `[path]` if given (the pattern is a regex, not a path) |
//! | `LS` (older versions) | [`Search`](ActionKind::Search) | `paths` ← `[path]` |
//! | `WebFetch` | [`NetworkFetch`](ActionKind::NetworkFetch) | `urls` ← `[url]`, `content` ← `prompt` |
//! | `WebSearch` | [`NetworkFetch`](ActionKind::NetworkFetch) | `content` ← `query` |
//! | `Agent`, `Task` (its name before 2.1.63) | [`Subagent`](ActionKind::Subagent) | `content` ← `prompt`, `command` ← `subagent_type` |
//! | `mcp__<server>__<tool>` | [`McpCall`](ActionKind::McpCall) | `mcp`, `content` ← the compact JSON input, `urls` and `paths` found in it (see below) |
//! | `ReadMcpResourceTool` | [`McpCall`](ActionKind::McpCall) | as an MCP call to tool `read_resource` on the server named by its `server` field |
//! | [`INTERNAL_TOOLS`] | [`Other`](ActionKind::Other) | nothing: they touch nothing outside the assistant |
//! | anything else | [`Other`](ActionKind::Other) | `content` ← the compact JSON input |
//!
//! Paths are kept exactly as given (Claude Code sends absolute paths for
//! `Read`, `Write` and `Edit`); the classifier resolves them against `cwd`.
//!
//! **Glob patterns.** A `Glob` pattern is matched under `path` (or `cwd`),
//! but a pattern can also leave that root: `/etc/**/*.conf`, `~/.ssh/*` or
//! `../../secrets/*`. When the pattern starts with `/` or `~`, or its literal
//! part has a `..` component, its *literal base directory* is added to
//! `paths`: the part before the first glob metacharacter (`*`, `?`, `[`, `{`),
//! cut back to the last `/` (the whole pattern when it has no
//! metacharacter). A relative base is joined onto `path` when `path` is given.
//!
//! **MCP arguments.** For MCP calls the whole input is compact JSON in
//! `content` (for secret scanning), and the input is walked, at most
//! [`MCP_SCAN_MAX_DEPTH`] levels deep, for string values: those starting with
//! `http://` or `https://` (any case) go to `urls`; other strings anywhere
//! under a key in [`MCP_PATH_KEYS`] go to `paths`. Each list keeps at most
//! [`MCP_SCAN_MAX_VALUES`] distinct values, in input order; anything past the
//! limits is only visible in `content`.
//!
//! **Errors.** A known tool whose input is not a JSON object, lacks a
//! required field (absent or `null`) or has a field of the wrong type is an
//! [`AdapterError`]; optional fields may be absent or `null`. Unknown tools
//! never fail. The adapter never panics.

use serde_json::{Map, Value};
use warden_action::{ActionKind, McpTarget, What};

/// Why a tool call could not be turned into an action (the caller fails
/// closed with this reason).
///
/// The messages are one line (names are quoted and escaped) and never quote
/// a field's value, so they cannot leak a secret from the input.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdapterError {
    /// A required field is absent or `null`.
    #[error("tool {tool:?}: tool_input lacks the required field {field:?}")]
    MissingField {
        /// The tool's name.
        tool: String,
        /// The field's name (`edits[].new_string` for a field of an array element).
        field: &'static str,
    },
    /// A field has the wrong JSON type.
    #[error("tool {tool:?}: tool_input field {field:?} is not {expected}")]
    WrongType {
        /// The tool's name.
        tool: String,
        /// The field's name (`edits[]` for an array element).
        field: &'static str,
        /// The type expected, with its article (`a string`, `an array`, …).
        expected: &'static str,
    },
    /// The tool needs fields, but its input is not a JSON object.
    #[error("tool {tool:?}: tool_input is not a JSON object")]
    InputNotObject {
        /// The tool's name.
        tool: String,
    },
    /// The tool name starts with `mcp__` but does not name a server and a tool.
    #[error("malformed MCP tool name {0:?}: expected mcp__<server>__<tool>")]
    BadMcpName(String),
}

/// Claude Code's built-in tools that act only on the assistant's own state
/// (its to-do list, plan mode, questions to the user, its background shells,
/// skills and slash commands, the list of MCP resources). They map to
/// [`ActionKind::Other`] with no paths and no content.
///
/// `ReadMcpResourceTool` is not among them: reading a resource makes an MCP
/// server act, so it maps to an MCP call (tool `read_resource`).
pub const INTERNAL_TOOLS: [&str; 10] = [
    "TodoWrite",
    "ExitPlanMode",
    "EnterPlanMode",
    "AskUserQuestion",
    "BashOutput",
    "KillShell",
    "KillBash",
    "SlashCommand",
    "Skill",
    "ListMcpResourcesTool",
];

/// Keys under which the string values of an MCP call's input are taken as paths.
pub const MCP_PATH_KEYS: [&str; 8] = [
    "path",
    "file_path",
    "filePath",
    "paths",
    "source",
    "destination",
    "directory",
    "root",
];

/// How deep the MCP input is searched for URLs and paths: a value inside more
/// than this many objects or arrays (counting `tool_input` itself) is not
/// inspected.
pub const MCP_SCAN_MAX_DEPTH: usize = 8;

/// The most URLs, and separately the most paths, taken from one MCP input.
pub const MCP_SCAN_MAX_VALUES: usize = 64;

/// The tool name `ReadMcpResourceTool` is mapped to on its server.
pub const READ_RESOURCE_TOOL: &str = "read_resource";

/// Describes Claude Code's call of `tool_name` with `tool_input`, run in
/// `cwd`, as a [`What`] (see the [module docs](self) for the mapping).
///
/// # Errors
///
/// An [`AdapterError`] when a known tool's input is malformed or an
/// `mcp__` name does not name a server and a tool. Unknown tools never fail.
pub fn tool_to_what(tool_name: &str, tool_input: &Value, cwd: &str) -> Result<What, AdapterError> {
    let what = match tool_name {
        "Bash" => {
            let input = Input::new(tool_name, tool_input)?;
            let mut what = What::new(ActionKind::Shell, tool_name, cwd);
            what.command = Some(input.required_str("command")?.to_owned());
            what
        }
        "Read" => {
            let input = Input::new(tool_name, tool_input)?;
            let mut what = What::new(ActionKind::FileRead, tool_name, cwd);
            what.paths.push(input.required_str("file_path")?.to_owned());
            what
        }
        "Write" => {
            let input = Input::new(tool_name, tool_input)?;
            let mut what = What::new(ActionKind::FileWrite, tool_name, cwd);
            what.paths.push(input.required_str("file_path")?.to_owned());
            what.content = Some(input.required_str("content")?.to_owned());
            what
        }
        "Edit" => {
            let input = Input::new(tool_name, tool_input)?;
            let mut what = What::new(ActionKind::FileEdit, tool_name, cwd);
            what.paths.push(input.required_str("file_path")?.to_owned());
            what.content = Some(input.required_str("new_string")?.to_owned());
            what
        }
        "MultiEdit" => {
            let input = Input::new(tool_name, tool_input)?;
            let mut what = What::new(ActionKind::FileEdit, tool_name, cwd);
            what.paths.push(input.required_str("file_path")?.to_owned());
            let mut replacements = Vec::new();
            for edit in input.required_array("edits")? {
                let edit = edit.as_object().ok_or_else(|| AdapterError::WrongType {
                    tool: tool_name.to_owned(),
                    field: "edits[]",
                    expected: "an object",
                })?;
                let edit = Input {
                    tool: tool_name,
                    fields: edit,
                };
                replacements.push(edit.required_str_as("new_string", "edits[].new_string")?);
            }
            what.content = Some(replacements.join("\n"));
            what
        }
        "NotebookEdit" => {
            let input = Input::new(tool_name, tool_input)?;
            let mut what = What::new(ActionKind::FileEdit, tool_name, cwd);
            what.paths
                .push(input.required_str("notebook_path")?.to_owned());
            what.content = input.optional_str("new_source")?.map(str::to_owned);
            what
        }
        "Glob" => {
            let input = Input::new(tool_name, tool_input)?;
            let mut what = What::new(ActionKind::Search, tool_name, cwd);
            let pattern = input.required_str("pattern")?;
            let root = input.optional_str("path")?;
            if let Some(root) = root {
                what.paths.push(root.to_owned());
            }
            if let Some(base) = glob_escape_base(pattern, root) {
                if !what.paths.contains(&base) {
                    what.paths.push(base);
                }
            }
            what
        }
        "Grep" => {
            let input = Input::new(tool_name, tool_input)?;
            let mut what = What::new(ActionKind::Search, tool_name, cwd);
            input.required_str("pattern")?;
            if let Some(root) = input.optional_str("path")? {
                what.paths.push(root.to_owned());
            }
            what
        }
        "LS" => {
            let input = Input::new(tool_name, tool_input)?;
            let mut what = What::new(ActionKind::Search, tool_name, cwd);
            what.paths.push(input.required_str("path")?.to_owned());
            what
        }
        "WebFetch" => {
            let input = Input::new(tool_name, tool_input)?;
            let mut what = What::new(ActionKind::NetworkFetch, tool_name, cwd);
            what.urls.push(input.required_str("url")?.to_owned());
            what.content = input.optional_str("prompt")?.map(str::to_owned);
            what
        }
        "WebSearch" => {
            let input = Input::new(tool_name, tool_input)?;
            let mut what = What::new(ActionKind::NetworkFetch, tool_name, cwd);
            what.content = Some(input.required_str("query")?.to_owned());
            what
        }
        "Agent" | "Task" => {
            let input = Input::new(tool_name, tool_input)?;
            let mut what = What::new(ActionKind::Subagent, tool_name, cwd);
            what.content = input.optional_str("prompt")?.map(str::to_owned);
            what.command = input.optional_str("subagent_type")?.map(str::to_owned);
            what
        }
        "ReadMcpResourceTool" => {
            let input = Input::new(tool_name, tool_input)?;
            let server = input.required_str("server")?.to_owned();
            mcp_call(
                tool_name,
                tool_input,
                cwd,
                McpTarget {
                    server,
                    tool: READ_RESOURCE_TOOL.to_owned(),
                },
            )
        }
        _ if INTERNAL_TOOLS.contains(&tool_name) => What::new(ActionKind::Other, tool_name, cwd),
        _ if tool_name.starts_with(MCP_PREFIX) => {
            let target = parse_mcp_tool_name(tool_name)
                .ok_or_else(|| AdapterError::BadMcpName(tool_name.to_owned()))?;
            mcp_call(tool_name, tool_input, cwd, target)
        }
        _ => {
            let mut what = What::new(ActionKind::Other, tool_name, cwd);
            what.content = Some(compact_json(tool_input));
            what
        }
    };
    Ok(what)
}

const MCP_PREFIX: &str = "mcp__";
const MCP_SEPARATOR: &str = "__";

/// Splits a Claude Code MCP tool name `mcp__<server>__<tool>` into its
/// server and tool.
///
/// The server is everything between the `mcp__` prefix and the **first**
/// following `__`; the tool is everything after it (so it may itself contain
/// `__`). Server names may contain single underscores and dashes, and plugin
/// servers appear as `plugin_<plugin>_<server>`. A server name that itself
/// contains `__` (or ends in `_`) is ambiguous in this encoding and is split
/// at its first `__`. Returns `None` when the name lacks the prefix, the
/// separator, the server or the tool.
///
/// ```
/// use warden_adapters::claude::parse_mcp_tool_name;
/// let t = parse_mcp_tool_name("mcp__my_server__do_thing").unwrap();
/// assert_eq!((t.server.as_str(), t.tool.as_str()), ("my_server", "do_thing"));
/// assert!(parse_mcp_tool_name("mcp__github").is_none());
/// ```
pub fn parse_mcp_tool_name(name: &str) -> Option<McpTarget> {
    let rest = name.strip_prefix(MCP_PREFIX)?;
    let (server, tool) = rest.split_once(MCP_SEPARATOR)?;
    if server.is_empty() || tool.is_empty() {
        return None;
    }
    Some(McpTarget {
        server: server.to_owned(),
        tool: tool.to_owned(),
    })
}

/// A tool input known to be a JSON object.
struct Input<'a> {
    tool: &'a str,
    fields: &'a Map<String, Value>,
}

impl<'a> Input<'a> {
    fn new(tool: &'a str, input: &'a Value) -> Result<Self, AdapterError> {
        match input.as_object() {
            Some(fields) => Ok(Input { tool, fields }),
            None => Err(AdapterError::InputNotObject {
                tool: tool.to_owned(),
            }),
        }
    }

    /// The field's value, `None` when absent or `null`.
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.fields.get(key).filter(|v| !v.is_null())
    }

    fn wrong_type(&self, field: &'static str, expected: &'static str) -> AdapterError {
        AdapterError::WrongType {
            tool: self.tool.to_owned(),
            field,
            expected,
        }
    }

    fn missing(&self, field: &'static str) -> AdapterError {
        AdapterError::MissingField {
            tool: self.tool.to_owned(),
            field,
        }
    }

    fn required_str(&self, field: &'static str) -> Result<&'a str, AdapterError> {
        self.required_str_as(field, field)
    }

    /// A required string `key`, reported as `field` in errors.
    fn required_str_as(&self, key: &str, field: &'static str) -> Result<&'a str, AdapterError> {
        match self.get(key) {
            None => Err(self.missing(field)),
            Some(v) => v.as_str().ok_or_else(|| self.wrong_type(field, "a string")),
        }
    }

    fn optional_str(&self, field: &'static str) -> Result<Option<&'a str>, AdapterError> {
        match self.get(field) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .map(Some)
                .ok_or_else(|| self.wrong_type(field, "a string")),
        }
    }

    fn required_array(&self, field: &'static str) -> Result<&'a Vec<Value>, AdapterError> {
        match self.get(field) {
            None => Err(self.missing(field)),
            Some(v) => v
                .as_array()
                .ok_or_else(|| self.wrong_type(field, "an array")),
        }
    }
}

/// `value` as compact JSON.
fn compact_json(value: &Value) -> String {
    // Serializing a `Value` to a string cannot fail (its map keys are strings).
    serde_json::to_string(value).unwrap_or_default()
}

/// An MCP call of `target`, with the URLs and paths found in its input.
fn mcp_call(tool_name: &str, tool_input: &Value, cwd: &str, target: McpTarget) -> What {
    let mut what = What::new(ActionKind::McpCall, tool_name, cwd);
    what.mcp = Some(target);
    what.content = Some(compact_json(tool_input));
    let mut found = Found::default();
    found.scan(tool_input, 0, false);
    what.urls = found.urls;
    what.paths = found.paths;
    what
}

/// URLs and paths found in an MCP input.
#[derive(Default)]
struct Found {
    urls: Vec<String>,
    paths: Vec<String>,
}

impl Found {
    fn full(&self) -> bool {
        self.urls.len() >= MCP_SCAN_MAX_VALUES && self.paths.len() >= MCP_SCAN_MAX_VALUES
    }

    fn scan(&mut self, value: &Value, depth: usize, under_path_key: bool) {
        if depth > MCP_SCAN_MAX_DEPTH || self.full() {
            return;
        }
        match value {
            Value::String(s) => {
                if is_http_url(s) {
                    push_unique(&mut self.urls, s);
                } else if under_path_key {
                    push_unique(&mut self.paths, s);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.scan(item, depth + 1, under_path_key);
                }
            }
            Value::Object(fields) => {
                for (key, item) in fields {
                    let is_path_key = MCP_PATH_KEYS.contains(&key.as_str());
                    self.scan(item, depth + 1, under_path_key || is_path_key);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if list.len() < MCP_SCAN_MAX_VALUES && !list.iter().any(|v| v == value) {
        list.push(value.to_owned());
    }
}

/// Whether `s` starts with `http://` or `https://`, in any case.
fn is_http_url(s: &str) -> bool {
    ["http://", "https://"].iter().any(|scheme| {
        s.get(..scheme.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
    })
}

/// Glob metacharacters: the literal part of a pattern ends at the first one.
const GLOB_META: [char; 4] = ['*', '?', '[', '{'];

/// The directory a `Glob` pattern reaches outside its search root, if it can
/// (see the module docs): the pattern's literal base directory when the
/// pattern is absolute, starts with `~` or climbs with `..`.
fn glob_escape_base(pattern: &str, root: Option<&str>) -> Option<String> {
    let base = literal_base(pattern);
    if base.starts_with('/') || base.starts_with('~') {
        return Some(base.to_owned());
    }
    if !base.split('/').any(|component| component == "..") {
        return None;
    }
    Some(match root {
        Some(root) if root.ends_with('/') => format!("{root}{base}"),
        Some(root) => format!("{root}/{base}"),
        None => base.to_owned(),
    })
}

/// The literal base of a glob pattern: the whole pattern when it has no
/// metacharacter, otherwise the part before the first one cut back to its
/// last `/` (`/` itself for a root-level pattern).
fn literal_base(pattern: &str) -> &str {
    let Some(meta) = pattern.find(GLOB_META) else {
        return pattern;
    };
    let literal = pattern.get(..meta).unwrap_or(pattern);
    match literal.rfind('/') {
        Some(0) => "/",
        Some(slash) => literal.get(..slash).unwrap_or(literal),
        None => literal,
    }
}
