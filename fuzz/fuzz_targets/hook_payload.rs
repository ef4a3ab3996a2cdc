//! Any bytes as a hook payload on stdin: parsing must not panic, and a
//! parsed tool event must map to an action or a clean error.
#![no_main]
use warden_adapters::claude_hook::{parse_payload, tool_call_to_what, HookEvent};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(payload) = parse_payload(data) else { return };
    if let HookEvent::PreToolUse { tool_name, tool_input } | HookEvent::PermissionRequest { tool_name, tool_input } = &payload.event {
        if let Ok(what) = tool_call_to_what(payload.dialect, tool_name, tool_input, &payload.cwd) {
            assert_eq!(what.cwd, payload.cwd);
        }
    }
});
