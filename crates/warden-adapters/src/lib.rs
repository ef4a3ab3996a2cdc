//! Thin adapters from each assistant's protocol to Warden's action model.
//!
//! An adapter takes what an assistant's hook received (a tool name, the
//! tool's JSON input and the working directory) and describes it as a
//! [`warden_action::What`]. Adapters are deliberately thin:
//!
//! * they do **no I/O**: no file system, no network, no environment, no
//!   clock. Paths are passed through exactly as the assistant gave them;
//!   resolving them against the working directory and following symlinks is
//!   the classifiers' job;
//! * they make **no policy decisions**: an unknown tool is not an error, it is
//!   reported as [`warden_action::ActionKind::Other`] and the policy decides;
//! * they **never panic** on any input. When a known tool's input is
//!   malformed they return an error, and the caller fails closed with that
//!   error's one-line reason (see [`warden_action::Decision::fail_closed`]).
//!
//! Modules:
//!
//! * [`claude`]: Claude Code (`PreToolUse` hook `tool_name` / `tool_input`).

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::todo,
    clippy::unimplemented,
    clippy::unreachable
)]

pub mod claude;
pub mod claude_hook;
pub mod claude_settings;

/// Fuzzing entry point for [`claude::tool_to_what`].
///
/// `data` is expected to be a JSON object
/// `{"tool_name": <string>, "tool_input": <any>, "cwd": <string>}` (the shape
/// of a Claude Code `PreToolUse` payload; other fields are ignored,
/// `tool_input` defaults to `null` and `cwd` to the empty string). Input that
/// does not parse is ignored, and so are adapter errors: the point is that
/// nothing panics. A cargo-fuzz target only has to call this function.
///
/// # Panics
///
/// Only if [`claude::tool_to_what`] breaks one of its own invariants (a bug
/// the fuzzer should report): the returned action must carry the given tool
/// name and working directory, and it must name an MCP target exactly when it
/// is an MCP call.
pub fn fuzz_tool_call(data: &[u8]) {
    #[derive(serde::Deserialize)]
    struct Call {
        tool_name: String,
        #[serde(default)]
        tool_input: serde_json::Value,
        #[serde(default)]
        cwd: String,
    }

    let Ok(call) = serde_json::from_slice::<Call>(data) else {
        return;
    };
    if let Ok(what) = claude::tool_to_what(&call.tool_name, &call.tool_input, &call.cwd) {
        assert_eq!(
            what.tool, call.tool_name,
            "the tool name is carried through"
        );
        assert_eq!(what.cwd, call.cwd, "the cwd is carried through");
        assert_eq!(
            what.mcp.is_some(),
            what.kind == warden_action::ActionKind::McpCall,
            "an MCP target is set exactly for MCP calls"
        );
    }
}
