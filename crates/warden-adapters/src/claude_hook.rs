//! Claude Code's hook protocol: parsing a hook payload (any event) and
//! rendering warden's answer in the shape Claude Code expects.
//!
//! VS Code's Copilot agent reads the same settings files and runs the same
//! hook command with a different payload (`hookEventName`, `sessionId`,
//! its own tool names). [`parse_payload`] recognises that dialect and maps
//! its tools onto the same action kinds; a tool it does not know becomes an
//! unknown tool for the policy to decide, never a misread allow.
//!
//! The answer contract (from Claude Code's hooks documentation): exit 0
//! with a JSON object on stdout; for `PreToolUse`,
//! `hookSpecificOutput.permissionDecision` is `allow`, `deny` or `ask` with
//! a `permissionDecisionReason`. Exit 2 blocks with stderr as the reason;
//! any other exit status, a crash or a timeout lets the action proceed,
//! which is why the caller turns every failure into exit 2.

use crate::claude::{tool_to_what, AdapterError};
use serde_json::{json, Map, Value};
use warden_action::{ActionKind, Decision, Effect, What};

/// Largest payload accepted (a PostToolUse can carry a whole file's output).
pub const MAX_PAYLOAD_BYTES: usize = 8 * 1024 * 1024;

/// Which client sent the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Claude Code (snake_case fields).
    ClaudeCode,
    /// VS Code's Copilot agent (camelCase fields, its own tool names).
    VsCodeCopilot,
}

impl Dialect {
    /// A short name for records.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::ClaudeCode => "claude-code",
            Dialect::VsCodeCopilot => "vscode-copilot",
        }
    }
}

/// The event a payload reports.
#[derive(Debug, Clone, PartialEq)]
pub enum HookEvent {
    /// A session began or resumed.
    SessionStart {
        /// startup, resume, clear, compact, fork.
        source: Option<String>,
    },
    /// The human submitted a prompt: the intent record.
    UserPromptSubmit {
        /// The prompt text.
        prompt: String,
    },
    /// A tool is about to run.
    PreToolUse {
        /// The tool's name.
        tool_name: String,
        /// Its input.
        tool_input: Value,
    },
    /// A permission dialog would appear.
    PermissionRequest {
        /// The tool's name.
        tool_name: String,
        /// Its input.
        tool_input: Value,
    },
    /// A tool ran.
    PostToolUse {
        /// The tool's name.
        tool_name: String,
        /// Its input.
        tool_input: Value,
        /// What it returned (what the model will see).
        tool_response: Value,
    },
    /// A tool failed.
    PostToolUseFailure {
        /// The tool's name.
        tool_name: String,
        /// Its input.
        tool_input: Value,
        /// The error.
        error: Value,
    },
    /// A subagent started.
    SubagentStart {
        /// Its type.
        agent_type: Option<String>,
    },
    /// A subagent finished.
    SubagentStop {
        /// Its type.
        agent_type: Option<String>,
    },
    /// The turn ended.
    Stop,
    /// The session ended.
    SessionEnd {
        /// Why.
        reason: Option<String>,
    },
    /// Any other event: recorded and answered neutrally.
    Other {
        /// The event's name.
        name: String,
    },
}

impl HookEvent {
    /// The event's name as Claude Code spells it.
    pub fn name(&self) -> &str {
        match self {
            HookEvent::SessionStart { .. } => "SessionStart",
            HookEvent::UserPromptSubmit { .. } => "UserPromptSubmit",
            HookEvent::PreToolUse { .. } => "PreToolUse",
            HookEvent::PermissionRequest { .. } => "PermissionRequest",
            HookEvent::PostToolUse { .. } => "PostToolUse",
            HookEvent::PostToolUseFailure { .. } => "PostToolUseFailure",
            HookEvent::SubagentStart { .. } => "SubagentStart",
            HookEvent::SubagentStop { .. } => "SubagentStop",
            HookEvent::Stop => "Stop",
            HookEvent::SessionEnd { .. } => "SessionEnd",
            HookEvent::Other { name } => name,
        }
    }
}

/// A parsed hook payload.
#[derive(Debug, Clone, PartialEq)]
pub struct HookPayload {
    /// Who sent it.
    pub dialect: Dialect,
    /// The session.
    pub session_id: Option<String>,
    /// The prompt this event belongs to (links intent to execution).
    pub prompt_id: Option<String>,
    /// The tool call's id.
    pub tool_use_id: Option<String>,
    /// The working directory.
    pub cwd: String,
    /// The permission mode (default, plan, acceptEdits, bypassPermissions, …).
    pub permission_mode: Option<String>,
    /// The subagent's id, inside a subagent.
    pub agent_id: Option<String>,
    /// The subagent's type (`Explore`, `general-purpose`, …), inside a
    /// subagent.
    pub agent_type: Option<String>,
    /// The event.
    pub event: HookEvent,
}

/// Why a payload could not be understood.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum HookError {
    /// More than [`MAX_PAYLOAD_BYTES`].
    #[error("the hook payload is larger than {MAX_PAYLOAD_BYTES} bytes")]
    TooLarge,
    /// Not JSON.
    #[error("the hook payload is not valid JSON")]
    NotJson,
    /// JSON, but not an object.
    #[error("the hook payload is not a JSON object")]
    NotObject,
    /// A required field is missing or has the wrong type.
    #[error("the hook payload has no valid `{0}` field")]
    Field(&'static str),
}

fn text(map: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| map.get(*k).and_then(Value::as_str))
        .map(str::to_owned)
}

/// Parses a hook payload of either dialect.
pub fn parse_payload(bytes: &[u8]) -> Result<HookPayload, HookError> {
    if bytes.len() > MAX_PAYLOAD_BYTES {
        return Err(HookError::TooLarge);
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|_| HookError::NotJson)?;
    let Value::Object(map) = value else {
        return Err(HookError::NotObject);
    };
    let dialect = if map.contains_key("hook_event_name") {
        Dialect::ClaudeCode
    } else if map.contains_key("hookEventName") {
        Dialect::VsCodeCopilot
    } else {
        return Err(HookError::Field("hook_event_name"));
    };
    let event_name = text(&map, &["hook_event_name", "hookEventName"])
        .ok_or(HookError::Field("hook_event_name"))?;
    let cwd = text(&map, &["cwd"]).ok_or(HookError::Field("cwd"))?;
    let tool = |map: &Map<String, Value>| -> Result<(String, Value), HookError> {
        let name = text(map, &["tool_name", "toolName"]).ok_or(HookError::Field("tool_name"))?;
        let input = map
            .get("tool_input")
            .or_else(|| map.get("toolInput"))
            .cloned()
            .unwrap_or(Value::Null);
        Ok((name, input))
    };
    let event = match event_name.as_str() {
        "SessionStart" => HookEvent::SessionStart {
            source: text(&map, &["source"]),
        },
        "UserPromptSubmit" => HookEvent::UserPromptSubmit {
            prompt: text(&map, &["prompt"]).ok_or(HookError::Field("prompt"))?,
        },
        "PreToolUse" => {
            let (tool_name, tool_input) = tool(&map)?;
            HookEvent::PreToolUse {
                tool_name,
                tool_input,
            }
        }
        "PermissionRequest" => {
            let (tool_name, tool_input) = tool(&map)?;
            HookEvent::PermissionRequest {
                tool_name,
                tool_input,
            }
        }
        "PostToolUse" => {
            let (tool_name, tool_input) = tool(&map)?;
            let tool_response = map
                .get("tool_response")
                .or_else(|| map.get("toolResponse"))
                .cloned()
                .unwrap_or(Value::Null);
            HookEvent::PostToolUse {
                tool_name,
                tool_input,
                tool_response,
            }
        }
        "PostToolUseFailure" => {
            let (tool_name, tool_input) = tool(&map)?;
            HookEvent::PostToolUseFailure {
                tool_name,
                tool_input,
                error: map.get("error").cloned().unwrap_or(Value::Null),
            }
        }
        "SubagentStart" => HookEvent::SubagentStart {
            agent_type: text(&map, &["agent_type", "agentType"]),
        },
        "SubagentStop" => HookEvent::SubagentStop {
            agent_type: text(&map, &["agent_type", "agentType"]),
        },
        "Stop" => HookEvent::Stop,
        "SessionEnd" => HookEvent::SessionEnd {
            reason: text(&map, &["reason"]),
        },
        other => HookEvent::Other {
            name: other.to_owned(),
        },
    };
    Ok(HookPayload {
        dialect,
        session_id: text(&map, &["session_id", "sessionId"]),
        prompt_id: text(&map, &["prompt_id", "promptId"]),
        tool_use_id: text(&map, &["tool_use_id", "toolUseId"]),
        cwd,
        permission_mode: text(&map, &["permission_mode", "permissionMode"]),
        agent_id: text(&map, &["agent_id", "agentId"]),
        agent_type: text(&map, &["agent_type", "agentType"]),
        event,
    })
}

/// Describes a tool call of either dialect as a [`What`].
pub fn tool_call_to_what(
    dialect: Dialect,
    tool_name: &str,
    tool_input: &Value,
    cwd: &str,
) -> Result<What, AdapterError> {
    match dialect {
        Dialect::ClaudeCode => tool_to_what(tool_name, tool_input, cwd),
        Dialect::VsCodeCopilot => copilot_tool_to_what(tool_name, tool_input, cwd),
    }
}

/// VS Code Copilot's agent tools, mapped onto Claude Code's equivalents so
/// one policy covers both. Unknown tools stay unknown (`Other`).
fn copilot_tool_to_what(tool_name: &str, input: &Value, cwd: &str) -> Result<What, AdapterError> {
    let field = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| input.get(*k).and_then(Value::as_str))
            .map(str::to_owned)
    };
    let claude_equivalent = match tool_name {
        "runInTerminal" | "run_in_terminal" | "runCommand" | "executeCommand" => {
            field(&["command"]).map(|command| ("Bash", json!({ "command": command })))
        }
        "readFile" | "read_file" => {
            field(&["filePath", "file_path", "path"]).map(|p| ("Read", json!({ "file_path": p })))
        }
        "createFile" | "create_file" => field(&["filePath", "file_path", "path"]).map(|p| {
            let content = field(&["content"]).unwrap_or_default();
            ("Write", json!({ "file_path": p, "content": content }))
        }),
        "editFiles"
        | "replaceStringInFile"
        | "replace_string_in_file"
        | "insertEdit"
        | "insert_edit_into_file"
        | "applyPatch" => {
            let path = field(&["filePath", "file_path", "path"]).or_else(|| {
                input
                    .get("files")
                    .and_then(Value::as_array)
                    .and_then(|files| files.first())
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            });
            let new =
                field(&["newString", "new_string", "code", "content", "input"]).unwrap_or_default();
            path.map(|p| {
                (
                    "Edit",
                    json!({ "file_path": p, "old_string": "", "new_string": new }),
                )
            })
        }
        "fetch" | "fetchWebpage" | "fetch_webpage" => {
            let url = field(&["url"]).or_else(|| {
                input
                    .get("urls")
                    .and_then(Value::as_array)
                    .and_then(|u| u.first())
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            });
            url.map(|u| ("WebFetch", json!({ "url": u, "prompt": "" })))
        }
        "fileSearch" | "file_search" | "textSearch" | "grep_search" | "codebase"
        | "listDirectory" | "list_dir" => {
            let path = field(&["path", "directory", "includePattern"]);
            Some((
                "Grep",
                json!({ "pattern": field(&["query", "pattern"]).unwrap_or_default(), "path": path }),
            ))
        }
        _ => None,
    };
    match claude_equivalent {
        Some((tool, claude_input)) => {
            let mut what = tool_to_what(tool, &claude_input, cwd)?;
            what.tool = tool_name.to_owned();
            Ok(what)
        }
        None => {
            // Never guess: an unmapped Copilot tool is an unknown tool.
            let mut what = What::new(ActionKind::Other, tool_name, cwd);
            what.content = serde_json::to_string(input).ok();
            Ok(what)
        }
    }
}

/// How the answer to Claude Code should look.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The JSON printed on stdout (exit status 0).
    pub stdout: Value,
}

/// The reason shown for a decision: the deciding policies and their reasons.
pub fn reason_text(decision: &Decision) -> String {
    let mut line = format!(
        "warden [{}]: {}",
        decision.policies.join(", "),
        decision.reason_line()
    );
    if decision.effect == Effect::Approve {
        line.push_str(
            ". This action needs the approval of a second, authorized person through warden \
             (`warden approvals`); it is denied until approved.",
        );
    }
    // Claude Code caps hook strings at 10,000 characters.
    if line.len() > 9000 {
        let mut cut = 9000;
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        line.truncate(cut);
        line.push('…');
    }
    line
}

/// The answer to a `PreToolUse`: always explicit, so safe work is not
/// interrupted by prompts; `approve` is answered as a deny that says how
/// approval is requested.
pub fn pre_tool_use_answer(decision: &Decision) -> Answer {
    let permission = match decision.effect {
        Effect::Allow => "allow",
        Effect::Ask => "ask",
        Effect::Approve | Effect::Deny => "deny",
    };
    Answer {
        stdout: json!({
            "hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": permission,
                "permissionDecisionReason": reason_text(decision),
            }
        }),
    }
}

/// The answer to a `PermissionRequest`: allow or deny the dialog; for ask,
/// no decision, so the dialog appears and the human decides.
pub fn permission_request_answer(decision: &Decision) -> Answer {
    let behavior = match decision.effect {
        Effect::Allow => "allow",
        Effect::Ask => return neutral_answer(),
        Effect::Approve | Effect::Deny => "deny",
    };
    Answer {
        stdout: json!({
            "hookSpecificOutput": {
                "hookEventName": "PermissionRequest",
                "decision": { "behavior": behavior, "message": reason_text(decision) }
            }
        }),
    }
}

/// Blocks a prompt (it is erased and not sent to the model).
pub fn block_prompt_answer(reason: &str) -> Answer {
    Answer {
        stdout: json!({ "decision": "block", "reason": reason }),
    }
}

/// An answer that changes nothing.
pub fn neutral_answer() -> Answer {
    Answer { stdout: json!({}) }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_real_pre_tool_use_payload_parses() {
        let payload = parse_payload(include_bytes!(
            "../tests/payloads/claude-2.1.328-PreToolUse-Bash.json"
        ));
        let Ok(payload) = payload else {
            panic!("{payload:?}");
        };
        assert_eq!(payload.dialect, Dialect::ClaudeCode);
        assert_eq!(payload.tool_use_id.as_deref(), Some("toolu_01"));
        assert!(
            matches!(payload.event, HookEvent::PreToolUse { ref tool_name, .. } if tool_name == "Bash")
        );
    }

    #[test]
    fn copilot_payloads_are_recognised() {
        let payload = parse_payload(
            br#"{"timestamp":"2026-01-01T00:00:00Z","cwd":"/w","sessionId":"s1","hookEventName":"PreToolUse","tool_name":"runInTerminal","tool_input":{"command":"cat ~/.ssh/id_rsa"},"tool_use_id":"t1"}"#,
        );
        let Ok(payload) = payload else {
            panic!("{payload:?}");
        };
        assert_eq!(payload.dialect, Dialect::VsCodeCopilot);
        assert_eq!(payload.session_id.as_deref(), Some("s1"));
        let HookEvent::PreToolUse {
            tool_name,
            tool_input,
        } = &payload.event
        else {
            panic!("not PreToolUse");
        };
        let what = tool_call_to_what(payload.dialect, tool_name, tool_input, "/w");
        let Ok(what) = what else { panic!("{what:?}") };
        assert_eq!(what.kind, ActionKind::Shell);
        assert_eq!(what.command.as_deref(), Some("cat ~/.ssh/id_rsa"));
    }

    #[test]
    fn an_unknown_copilot_tool_is_unknown_not_allowed() {
        let what = copilot_tool_to_what("someNewTool", &json!({"x": 1}), "/w");
        let Ok(what) = what else { panic!("{what:?}") };
        assert_eq!(what.kind, ActionKind::Other);
    }

    #[test]
    fn bad_payloads_are_errors() {
        assert_eq!(parse_payload(b"nope"), Err(HookError::NotJson));
        assert_eq!(parse_payload(b"[]"), Err(HookError::NotObject));
        assert_eq!(
            parse_payload(br#"{"cwd":"/"}"#),
            Err(HookError::Field("hook_event_name"))
        );
        assert_eq!(
            parse_payload(br#"{"hook_event_name":"PreToolUse","cwd":"/"}"#),
            Err(HookError::Field("tool_name"))
        );
        let big = vec![b' '; MAX_PAYLOAD_BYTES + 1];
        assert_eq!(parse_payload(&big), Err(HookError::TooLarge));
    }

    #[test]
    fn approve_is_a_deny_that_says_how_to_get_approval() {
        let decision = Decision {
            effect: Effect::Approve,
            policies: vec!["production.approve-production".into()],
            reasons: vec!["targets production".into()],
        };
        let answer = pre_tool_use_answer(&decision).stdout;
        assert_eq!(answer["hookSpecificOutput"]["permissionDecision"], "deny");
        let reason = answer["hookSpecificOutput"]["permissionDecisionReason"]
            .as_str()
            .unwrap_or("");
        assert!(
            reason.contains("production.approve-production") && reason.contains("warden approvals")
        );
    }
}
