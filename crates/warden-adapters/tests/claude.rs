//! Tests for the Claude Code adapter: one per tool mapping, real payloads,
//! malformed inputs, MCP name parsing, and a never-panics property.

use proptest::prelude::*;
use serde_json::{json, Value};
use warden_action::{ActionKind, McpTarget, What};
use warden_adapters::claude::{
    parse_mcp_tool_name, tool_to_what, AdapterError, INTERNAL_TOOLS, MCP_SCAN_MAX_DEPTH,
    MCP_SCAN_MAX_VALUES,
};

const CWD: &str = "/home/dev/work/app";

fn ok(tool: &str, input: Value) -> What {
    match tool_to_what(tool, &input, CWD) {
        Ok(what) => what,
        Err(e) => panic!("{tool} {input}: unexpected error {e}"),
    }
}

fn err(tool: &str, input: Value) -> AdapterError {
    match tool_to_what(tool, &input, CWD) {
        Ok(what) => panic!("{tool} {input}: expected an error, got {what:?}"),
        Err(e) => e,
    }
}

fn what(kind: ActionKind, tool: &str) -> What {
    What::new(kind, tool, CWD)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn mcp(server: &str, tool: &str) -> Option<McpTarget> {
    Some(McpTarget {
        server: server.to_owned(),
        tool: tool.to_owned(),
    })
}

fn missing(tool: &str, field: &'static str) -> AdapterError {
    AdapterError::MissingField {
        tool: tool.to_owned(),
        field,
    }
}

fn wrong(tool: &str, field: &'static str, expected: &'static str) -> AdapterError {
    AdapterError::WrongType {
        tool: tool.to_owned(),
        field,
        expected,
    }
}

fn not_object(tool: &str) -> AdapterError {
    AdapterError::InputNotObject {
        tool: tool.to_owned(),
    }
}

// ---------------------------------------------------------------- payloads

/// Runs a whole hook payload through the adapter, as the hook binary will.
fn from_payload(payload: &str) -> What {
    let payload: Value = match serde_json::from_str(payload) {
        Ok(v) => v,
        Err(e) => panic!("payload is not JSON: {e}"),
    };
    let tool = payload["tool_name"].as_str().unwrap_or_default();
    let cwd = payload["cwd"].as_str().unwrap_or_default();
    match tool_to_what(tool, &payload["tool_input"], cwd) {
        Ok(what) => what,
        Err(e) => panic!("payload rejected: {e}"),
    }
}

#[test]
fn captured_pre_tool_use_bash() {
    let got = from_payload(include_str!("payloads/claude-2.1.328-PreToolUse-Bash.json"));
    let mut want = What::new(ActionKind::Shell, "Bash", "/home/dev/work/app");
    want.command = Some("echo hi".to_owned());
    assert_eq!(got, want);
}

#[test]
fn captured_post_tool_use_bash() {
    let got = from_payload(include_str!(
        "payloads/claude-2.1.328-PostToolUse-Bash.json"
    ));
    let mut want = What::new(ActionKind::Shell, "Bash", "/home/dev/work/app");
    want.command = Some("echo hi".to_owned());
    assert_eq!(got, want);
}

#[test]
fn documented_pre_tool_use_bash_ignores_timeout_and_background() {
    let got = from_payload(include_str!("payloads/docs-PreToolUse-Bash.json"));
    let mut want = What::new(ActionKind::Shell, "Bash", "/home/user/my-project");
    want.command = Some("npm test".to_owned());
    assert_eq!(got, want);
}

#[test]
fn documented_post_tool_use_write() {
    let got = from_payload(include_str!("payloads/docs-PostToolUse-Write.json"));
    let mut want = What::new(ActionKind::FileWrite, "Write", "/Users/...");
    want.paths = strings(&["/path/to/file.txt"]);
    want.content = Some("file content".to_owned());
    assert_eq!(got, want);
}

// ---------------------------------------------------------------- mappings

#[test]
fn bash() {
    let got = ok(
        "Bash",
        json!({"command": "git status", "description": "status", "timeout": 5000, "run_in_background": true}),
    );
    let mut want = what(ActionKind::Shell, "Bash");
    want.command = Some("git status".to_owned());
    assert_eq!(got, want);
}

#[test]
fn read() {
    let got = ok(
        "Read",
        json!({"file_path": "/home/dev/.ssh/id_ed25519", "offset": 10, "limit": 5}),
    );
    let mut want = what(ActionKind::FileRead, "Read");
    want.paths = strings(&["/home/dev/.ssh/id_ed25519"]);
    assert_eq!(got, want);
}

#[test]
fn write() {
    let got = ok(
        "Write",
        json!({"file_path": "src/main.rs", "content": "fn main() {}\n"}),
    );
    let mut want = what(ActionKind::FileWrite, "Write");
    want.paths = strings(&["src/main.rs"]);
    want.content = Some("fn main() {}\n".to_owned());
    assert_eq!(got, want);
}

#[test]
fn edit_keeps_new_string_only() {
    let got = ok(
        "Edit",
        json!({"file_path": "/w/a.rs", "old_string": "OLD", "new_string": "NEW", "replace_all": true}),
    );
    let mut want = what(ActionKind::FileEdit, "Edit");
    want.paths = strings(&["/w/a.rs"]);
    want.content = Some("NEW".to_owned());
    assert_eq!(got, want);
}

#[test]
fn multi_edit_joins_new_strings() {
    let got = ok(
        "MultiEdit",
        json!({"file_path": "/w/a.rs", "edits": [
            {"old_string": "a", "new_string": "one"},
            {"old_string": "b", "new_string": "two", "replace_all": true},
            {"old_string": "c", "new_string": ""}
        ]}),
    );
    let mut want = what(ActionKind::FileEdit, "MultiEdit");
    want.paths = strings(&["/w/a.rs"]);
    want.content = Some("one\ntwo\n".to_owned());
    assert_eq!(got, want);
}

#[test]
fn multi_edit_with_no_edits_has_empty_content() {
    let got = ok("MultiEdit", json!({"file_path": "/w/a.rs", "edits": []}));
    assert_eq!(got.content.as_deref(), Some(""));
}

#[test]
fn notebook_edit_replace() {
    let got = ok(
        "NotebookEdit",
        json!({"notebook_path": "/w/n.ipynb", "cell_id": "c1", "new_source": "print(1)", "edit_mode": "replace"}),
    );
    let mut want = what(ActionKind::FileEdit, "NotebookEdit");
    want.paths = strings(&["/w/n.ipynb"]);
    want.content = Some("print(1)".to_owned());
    assert_eq!(got, want);
}

#[test]
fn notebook_edit_delete_has_no_content() {
    let got = ok(
        "NotebookEdit",
        json!({"notebook_path": "/w/n.ipynb", "cell_id": "c1", "edit_mode": "delete"}),
    );
    let mut want = what(ActionKind::FileEdit, "NotebookEdit");
    want.paths = strings(&["/w/n.ipynb"]);
    assert_eq!(got, want);
}

#[test]
fn glob_relative_pattern_without_path() {
    let got = ok("Glob", json!({"pattern": "**/*.rs"}));
    assert_eq!(got, what(ActionKind::Search, "Glob"));
}

#[test]
fn glob_with_path() {
    let got = ok(
        "Glob",
        json!({"pattern": "src/**/*.rs", "path": "/w/crate"}),
    );
    let mut want = what(ActionKind::Search, "Glob");
    want.paths = strings(&["/w/crate"]);
    assert_eq!(got, want);
}

#[test]
fn glob_absolute_pattern_adds_its_base_directory() {
    let got = ok("Glob", json!({"pattern": "/etc/**/*.conf"}));
    let mut want = what(ActionKind::Search, "Glob");
    want.paths = strings(&["/etc"]);
    assert_eq!(got, want);

    let got = ok(
        "Glob",
        json!({"pattern": "/home/dev/.ssh/id_*", "path": "/w"}),
    );
    assert_eq!(got.paths, strings(&["/w", "/home/dev/.ssh"]));

    assert_eq!(ok("Glob", json!({"pattern": "/*"})).paths, strings(&["/"]));
    assert_eq!(
        ok("Glob", json!({"pattern": "/etc/{passwd,shadow}"})).paths,
        strings(&["/etc"])
    );
    assert_eq!(
        ok("Glob", json!({"pattern": "/etc/passwd"})).paths,
        strings(&["/etc/passwd"])
    );
}

#[test]
fn glob_home_pattern_adds_its_base_directory() {
    assert_eq!(
        ok("Glob", json!({"pattern": "~/.aws/cred*"})).paths,
        strings(&["~/.aws"])
    );
    assert_eq!(ok("Glob", json!({"pattern": "~/*"})).paths, strings(&["~"]));
}

#[test]
fn glob_parent_pattern_adds_its_base_joined_to_path() {
    assert_eq!(
        ok(
            "Glob",
            json!({"pattern": "../../secrets/*.pem", "path": "/w/a/b"})
        )
        .paths,
        strings(&["/w/a/b", "/w/a/b/../../secrets"])
    );
    assert_eq!(
        ok("Glob", json!({"pattern": "../x/*", "path": "/w/"})).paths,
        strings(&["/w/", "/w/../x"])
    );
    assert_eq!(
        ok("Glob", json!({"pattern": "../*"})).paths,
        strings(&[".."])
    );
}

#[test]
fn glob_base_equal_to_path_is_not_repeated() {
    assert_eq!(
        ok("Glob", json!({"pattern": "/etc/*", "path": "/etc"})).paths,
        strings(&["/etc"])
    );
}

#[test]
fn grep_pattern_is_not_a_path() {
    let got = ok(
        "Grep",
        json!({"pattern": "/etc/passwd", "path": "/w/src", "glob": "/etc/*", "output_mode": "content", "-i": true}),
    );
    let mut want = what(ActionKind::Search, "Grep");
    want.paths = strings(&["/w/src"]);
    assert_eq!(got, want);

    let got = ok("Grep", json!({"pattern": "TODO"}));
    assert_eq!(got, what(ActionKind::Search, "Grep"));
}

#[test]
fn ls() {
    let got = ok("LS", json!({"path": "/w", "ignore": ["target"]}));
    let mut want = what(ActionKind::Search, "LS");
    want.paths = strings(&["/w"]);
    assert_eq!(got, want);
}

#[test]
fn web_fetch() {
    let got = ok(
        "WebFetch",
        json!({"url": "https://docs.rs/serde", "prompt": "summarize"}),
    );
    let mut want = what(ActionKind::NetworkFetch, "WebFetch");
    want.urls = strings(&["https://docs.rs/serde"]);
    want.content = Some("summarize".to_owned());
    assert_eq!(got, want);

    let got = ok("WebFetch", json!({"url": "https://docs.rs/serde"}));
    assert_eq!(got.content, None);
}

#[test]
fn web_search() {
    let got = ok(
        "WebSearch",
        json!({"query": "rust serde", "allowed_domains": ["docs.rs"], "blocked_domains": ["x.com"]}),
    );
    let mut want = what(ActionKind::NetworkFetch, "WebSearch");
    want.content = Some("rust serde".to_owned());
    assert_eq!(got, want);
}

#[test]
fn agent_and_task() {
    for tool in ["Agent", "Task"] {
        let got = ok(
            tool,
            json!({"prompt": "find the bug", "description": "debug", "subagent_type": "general-purpose", "model": "sonnet"}),
        );
        let mut want = what(ActionKind::Subagent, tool);
        want.content = Some("find the bug".to_owned());
        want.command = Some("general-purpose".to_owned());
        assert_eq!(got, want);

        assert_eq!(ok(tool, json!({})), what(ActionKind::Subagent, tool));
    }
}

#[test]
fn mcp_tool() {
    let input = json!({
        "owner": "acme",
        "repo": "app",
        "title": "Crash",
        "body": "see https://ci.acme.dev/run/1 and http://example.com",
        "links": ["https://acme.dev/a", "HTTPS://ACME.DEV/B", "ftp://x", "https://acme.dev/a"],
        "path": "docs/README.md",
        "files": {"source": ["/w/a", "/w/b"], "destination": {"root": "/srv"}},
        "filePath": "/tmp/x",
        "count": 3
    });
    let got = ok("mcp__github__create_issue", input.clone());
    let mut want = what(ActionKind::McpCall, "mcp__github__create_issue");
    want.mcp = mcp("github", "create_issue");
    want.content = Some(serde_json::to_string(&input).unwrap_or_default());
    want.urls = strings(&["https://acme.dev/a", "HTTPS://ACME.DEV/B"]);
    want.paths = strings(&["/srv", "/tmp/x", "/w/a", "/w/b", "docs/README.md"]);
    // Object keys are walked in the map's order, which depends on whether
    // serde_json's `preserve_order` feature is on somewhere in the build.
    let mut got = got;
    got.paths.sort();
    assert_eq!(got, want);
}

#[test]
fn mcp_content_is_compact_json() {
    let input = json!({"sql": "select 1", "args": [1, 2]});
    let got = ok("mcp__db__query", input.clone());
    let content = got.content.clone().unwrap_or_default();
    assert!(
        content == r#"{"args":[1,2],"sql":"select 1"}"#
            || content == r#"{"sql":"select 1","args":[1,2]}"#,
        "{content}"
    );
    assert!(got.paths.is_empty() && got.urls.is_empty());
}

#[test]
fn mcp_url_under_a_path_key_is_a_url_only() {
    let got = ok("mcp__fs__copy", json!({"source": "https://x.test/f"}));
    assert_eq!(got.urls, strings(&["https://x.test/f"]));
    assert!(got.paths.is_empty());
}

#[test]
fn mcp_scan_respects_depth_limit() {
    // `{"path": {"a": {"a": … "leaf" }}}` with the leaf `levels` containers deep.
    fn nested(levels: usize) -> Value {
        let mut v = json!("/deep");
        for _ in 1..levels {
            v = json!({ "a": v });
        }
        json!({ "path": v })
    }
    assert_eq!(
        ok("mcp__s__t", nested(MCP_SCAN_MAX_DEPTH)).paths,
        strings(&["/deep"])
    );
    assert!(ok("mcp__s__t", nested(MCP_SCAN_MAX_DEPTH + 1))
        .paths
        .is_empty());
}

#[test]
fn mcp_scan_respects_value_limit() {
    let paths: Vec<String> = (0..MCP_SCAN_MAX_VALUES + 10)
        .map(|i| format!("/p/{i}"))
        .collect();
    let urls: Vec<String> = (0..MCP_SCAN_MAX_VALUES + 10)
        .map(|i| format!("https://h/{i}"))
        .collect();
    let got = ok("mcp__s__t", json!({"paths": paths, "urls": urls}));
    assert_eq!(got.paths.len(), MCP_SCAN_MAX_VALUES);
    assert_eq!(got.urls.len(), MCP_SCAN_MAX_VALUES);
    assert_eq!(got.paths.first().map(String::as_str), Some("/p/0"));
    assert_eq!(got.urls.first().map(String::as_str), Some("https://h/0"));
}

#[test]
fn mcp_input_need_not_be_an_object() {
    let got = ok("mcp__s__t", Value::Null);
    let mut want = what(ActionKind::McpCall, "mcp__s__t");
    want.mcp = mcp("s", "t");
    want.content = Some("null".to_owned());
    assert_eq!(got, want);
}

#[test]
fn mcp_plugin_server() {
    let got = ok("mcp__plugin_tools_fs__read_file", json!({"path": "/w/x"}));
    assert_eq!(got.mcp, mcp("plugin_tools_fs", "read_file"));
    assert_eq!(got.paths, strings(&["/w/x"]));
}

#[test]
fn read_mcp_resource_is_an_mcp_call() {
    let input = json!({"server": "docs", "uri": "https://docs.acme.dev/r/1"});
    let got = ok("ReadMcpResourceTool", input.clone());
    let mut want = what(ActionKind::McpCall, "ReadMcpResourceTool");
    want.mcp = mcp("docs", "read_resource");
    want.content = Some(serde_json::to_string(&input).unwrap_or_default());
    want.urls = strings(&["https://docs.acme.dev/r/1"]);
    assert_eq!(got, want);

    assert_eq!(
        err("ReadMcpResourceTool", json!({"uri": "x"})),
        missing("ReadMcpResourceTool", "server")
    );
}

#[test]
fn internal_tools_are_other_without_paths_or_content() {
    assert!(!INTERNAL_TOOLS.contains(&"ReadMcpResourceTool"));
    for tool in INTERNAL_TOOLS {
        let got = ok(
            tool,
            json!({"todos": [{"content": "x", "status": "pending"}], "file_path": "/etc/passwd", "plan": "p"}),
        );
        assert_eq!(got, what(ActionKind::Other, tool), "{tool}");
        // They need no fields, so any input is accepted.
        assert_eq!(
            ok(tool, json!("text")),
            what(ActionKind::Other, tool),
            "{tool}"
        );
    }
}

#[test]
fn unknown_tool_is_other_with_its_input_as_content() {
    let got = ok(
        "PowerShell",
        json!({"command": "Remove-Item -Recurse C:\\"}),
    );
    let mut want = what(ActionKind::Other, "PowerShell");
    want.content = Some(r#"{"command":"Remove-Item -Recurse C:\\"}"#.to_owned());
    assert_eq!(got, want);

    let got = ok("", json!([1, "two"]));
    let mut want = what(ActionKind::Other, "");
    want.content = Some(r#"[1,"two"]"#.to_owned());
    assert_eq!(got, want);

    // Tool names are case-sensitive: this is not Bash.
    assert_eq!(ok("bash", json!(7)).kind, ActionKind::Other);
}

// ---------------------------------------------------------------- errors

#[test]
fn missing_required_fields() {
    let cases: [(&str, Value, &'static str); 14] = [
        ("Bash", json!({"description": "x"}), "command"),
        ("Read", json!({}), "file_path"),
        ("Write", json!({"content": "x"}), "file_path"),
        ("Write", json!({"file_path": "/w/a"}), "content"),
        (
            "Edit",
            json!({"file_path": "/w/a", "old_string": "x"}),
            "new_string",
        ),
        ("MultiEdit", json!({"file_path": "/w/a"}), "edits"),
        (
            "MultiEdit",
            json!({"file_path": "/w/a", "edits": [{"old_string": "x"}]}),
            "edits[].new_string",
        ),
        ("NotebookEdit", json!({"new_source": "x"}), "notebook_path"),
        ("Glob", json!({"path": "/w"}), "pattern"),
        ("Grep", json!({"path": "/w"}), "pattern"),
        ("LS", json!({}), "path"),
        ("WebFetch", json!({"prompt": "x"}), "url"),
        ("WebSearch", json!({}), "query"),
        ("Bash", json!({"command": null}), "command"),
    ];
    for (tool, input, field) in cases {
        assert_eq!(err(tool, input), missing(tool, field), "{tool}");
    }
}

#[test]
fn wrong_field_types() {
    let cases: [(&str, Value, &'static str, &'static str); 14] = [
        ("Bash", json!({"command": ["ls"]}), "command", "a string"),
        ("Read", json!({"file_path": 1}), "file_path", "a string"),
        (
            "Write",
            json!({"file_path": "/w/a", "content": {"x": 1}}),
            "content",
            "a string",
        ),
        (
            "Edit",
            json!({"file_path": "/w/a", "new_string": false}),
            "new_string",
            "a string",
        ),
        (
            "MultiEdit",
            json!({"file_path": "/w/a", "edits": "x"}),
            "edits",
            "an array",
        ),
        (
            "MultiEdit",
            json!({"file_path": "/w/a", "edits": ["x"]}),
            "edits[]",
            "an object",
        ),
        (
            "MultiEdit",
            json!({"file_path": "/w/a", "edits": [{"new_string": 1}]}),
            "edits[].new_string",
            "a string",
        ),
        (
            "NotebookEdit",
            json!({"notebook_path": "/w/n", "new_source": ["a"]}),
            "new_source",
            "a string",
        ),
        (
            "Glob",
            json!({"pattern": "*", "path": 1}),
            "path",
            "a string",
        ),
        ("Grep", json!({"pattern": 1}), "pattern", "a string"),
        (
            "WebFetch",
            json!({"url": "https://x", "prompt": 1}),
            "prompt",
            "a string",
        ),
        ("WebSearch", json!({"query": 1}), "query", "a string"),
        ("Agent", json!({"prompt": 1}), "prompt", "a string"),
        (
            "Task",
            json!({"subagent_type": 1}),
            "subagent_type",
            "a string",
        ),
    ];
    for (tool, input, field, expected) in cases {
        assert_eq!(err(tool, input), wrong(tool, field, expected), "{tool}");
    }
}

#[test]
fn optional_null_fields_are_absent() {
    assert_eq!(
        ok("Glob", json!({"pattern": "*", "path": null})).paths,
        Vec::<String>::new()
    );
    assert_eq!(
        ok("WebFetch", json!({"url": "https://x", "prompt": null})).content,
        None
    );
}

#[test]
fn known_tools_need_an_object() {
    for tool in [
        "Bash",
        "Read",
        "Write",
        "Edit",
        "MultiEdit",
        "NotebookEdit",
        "Glob",
        "Grep",
        "LS",
        "WebFetch",
        "WebSearch",
        "Agent",
        "Task",
        "ReadMcpResourceTool",
    ] {
        for input in [
            Value::Null,
            json!("ls"),
            json!(["ls"]),
            json!(1),
            json!(true),
        ] {
            assert_eq!(err(tool, input), not_object(tool), "{tool}");
        }
    }
}

#[test]
fn malformed_mcp_names() {
    for name in [
        "mcp__",
        "mcp__github",
        "mcp__github__",
        "mcp____tool",
        "mcp___x",
    ] {
        assert_eq!(
            err(name, json!({})),
            AdapterError::BadMcpName(name.to_owned()),
            "{name}"
        );
    }
}

#[test]
fn error_messages_are_one_line_and_do_not_quote_values() {
    let e = err(
        "Write",
        json!({"file_path": "/w", "content": ["AKIAIOSFODNN7EXAMPLE"]}),
    );
    let msg = e.to_string();
    assert_eq!(
        msg,
        r#"tool "Write": tool_input field "content" is not a string"#
    );
    assert!(!msg.contains("AKIA"));

    let msg = AdapterError::BadMcpName("mcp__a\nb".to_owned()).to_string();
    assert!(!msg.contains('\n'), "{msg}");
    assert_eq!(
        missing("Read", "file_path").to_string(),
        r#"tool "Read": tool_input lacks the required field "file_path""#
    );
    assert_eq!(
        not_object("Bash").to_string(),
        r#"tool "Bash": tool_input is not a JSON object"#
    );
}

// ---------------------------------------------------------------- MCP names

#[test]
fn parse_mcp_names() {
    let cases = [
        ("mcp__github__create_issue", "github", "create_issue"),
        ("mcp__my_server__do_thing", "my_server", "do_thing"),
        ("mcp__my-server__do-thing", "my-server", "do-thing"),
        ("mcp__a__b__c", "a", "b__c"),
        ("mcp__plugin_p_s__t", "plugin_p_s", "t"),
        // Ambiguous: server `a_` with tool `b`, or server `a` with tool `_b`.
        ("mcp__a___b", "a", "_b"),
        ("mcp__s__t x/y", "s", "t x/y"),
    ];
    for (name, server, tool) in cases {
        assert_eq!(parse_mcp_tool_name(name), mcp(server, tool), "{name}");
    }
}

#[test]
fn parse_mcp_names_rejects() {
    for name in [
        "",
        "mcp",
        "mcp_",
        "mcp__",
        "mcp__github",
        "mcp__github__",
        "mcp____tool",
        "MCP__github__x",
        "Bash",
        "xmcp__a__b",
    ] {
        assert_eq!(parse_mcp_tool_name(name), None, "{name}");
    }
}

// ---------------------------------------------------------------- fuzz entry

#[test]
fn fuzz_entry_accepts_anything() {
    for data in [
        &b""[..],
        b"not json",
        b"{}",
        b"[]",
        br#"{"tool_name": 1}"#,
        br#"{"tool_name": "Bash"}"#,
        br#"{"tool_name": "Bash", "tool_input": {"command": "ls"}, "cwd": "/w"}"#,
        br#"{"tool_name": "mcp__a__b", "tool_input": {"path": ["/x"]}}"#,
        br#"{"tool_name": "mcp__", "tool_input": 1}"#,
        include_bytes!("payloads/claude-2.1.328-PreToolUse-Bash.json"),
    ] {
        warden_adapters::fuzz_tool_call(data);
    }
}

// ---------------------------------------------------------------- properties

/// Arbitrary JSON values, at most about five levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("/etc/passwd"),
            Just("~/.ssh/*"),
            Just("../*"),
            Just("https://x.test/"),
            Just("[{*?"),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        let key = prop_oneof![
            Just("command".to_owned()),
            Just("file_path".to_owned()),
            Just("content".to_owned()),
            Just("new_string".to_owned()),
            Just("edits".to_owned()),
            Just("notebook_path".to_owned()),
            Just("new_source".to_owned()),
            Just("pattern".to_owned()),
            Just("path".to_owned()),
            Just("paths".to_owned()),
            Just("url".to_owned()),
            Just("query".to_owned()),
            Just("prompt".to_owned()),
            Just("subagent_type".to_owned()),
            Just("server".to_owned()),
            ".{0,6}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key, inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn tool_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "Bash",
            "Read",
            "Write",
            "Edit",
            "MultiEdit",
            "NotebookEdit",
            "Glob",
            "Grep",
            "LS",
            "WebFetch",
            "WebSearch",
            "Task",
            "Agent",
            "ReadMcpResourceTool",
            "TodoWrite",
            "Skill",
            "mcp__",
            "mcp__s__t",
        ])
        .prop_map(str::to_owned),
        "mcp_{0,3}[a-z_]{0,4}(__)?[a-z_]{0,4}",
        ".{0,16}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn tool_to_what_never_panics(tool in tool_name(), input in json_value(), cwd in ".{0,8}") {
        match tool_to_what(&tool, &input, &cwd) {
            Ok(what) => {
                prop_assert_eq!(&what.tool, &tool);
                prop_assert_eq!(&what.cwd, &cwd);
                prop_assert_eq!(what.mcp.is_some(), what.kind == ActionKind::McpCall);
                prop_assert!(what.urls.len() <= MCP_SCAN_MAX_VALUES.max(1));
                prop_assert!(what.paths.len() <= MCP_SCAN_MAX_VALUES.max(2));
            }
            Err(e) => {
                prop_assert!(!e.to_string().contains('\n'));
            }
        }
    }

    #[test]
    fn fuzz_entry_never_panics(data in prop::collection::vec(any::<u8>(), 0..64)) {
        warden_adapters::fuzz_tool_call(&data);
    }

    #[test]
    fn fuzz_entry_never_panics_on_json(tool in tool_name(), input in json_value(), cwd in ".{0,8}") {
        let data = serde_json::to_vec(&json!({"tool_name": tool, "tool_input": input, "cwd": cwd}))
            .unwrap_or_default();
        warden_adapters::fuzz_tool_call(&data);
    }

    #[test]
    fn mcp_names_round_trip(server in "[a-z0-9-]([a-z0-9_-]?[a-z0-9-])*", tool in "[a-zA-Z0-9_-]{1,12}") {
        let name = format!("mcp__{server}__{tool}");
        prop_assume!(!server.contains("__"));
        prop_assert_eq!(parse_mcp_tool_name(&name), mcp(&server, &tool));
    }
}
