//! Any bytes as a Claude Code tool call (`{tool_name, tool_input, cwd}`):
//! the adapter must not panic and must keep its invariants.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    warden_adapters::fuzz_tool_call(data);
});
