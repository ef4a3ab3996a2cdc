//! Reading hook registrations and judging them.
//!
//! Every assistant with hooks nests them the same way, give or take a
//! level: `hooks` → event name → array of entries, where an entry is either
//! a *matcher group* (`{"matcher", "hooks": [handlers]}`: Claude Code,
//! Codex, Gemini) or a handler itself (`{"command", …}`: Cursor, Windsurf,
//! VS Code, Copilot). A handler's command is `command` (plus `args`, exec
//! form, no shell), or Copilot's `bash`, or VS Code's `linux`/`osx`.
//! [`collect`] flattens all of them into [`HookEntry`]s.

use crate::render::clean;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// How a hook's failure is treated by the assistant running it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Semantics {
    /// Exit status 2 blocks; every other failure proceeds (Claude Code,
    /// Codex, Gemini, VS Code, Windsurf, Copilot).
    Exit2,
    /// Cursor: exit 2 blocks, and `failClosed: true` makes every failure
    /// block.
    Cursor,
    /// Cline: the hook must print `{"cancel": true}`.
    Cline,
}

/// One registered hook handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HookEntry {
    pub(crate) event: String,
    pub(crate) matcher: Option<String>,
    /// The command line (exec-form `args` appended, space-separated).
    pub(crate) command: String,
    /// Exec form (`args` given): no shell, so no `|| exit 2` wrapper.
    pub(crate) exec_form: bool,
    /// Cursor's `failClosed: true`.
    pub(crate) fail_closed_flag: bool,
    pub(crate) origin: PathBuf,
    /// What to show instead of the command (Cline's hook files: the path).
    pub(crate) display: Option<String>,
}

/// Collects the handlers under `hooks` (an object of event → array).
pub(crate) fn collect(hooks: Option<&Value>, origin: &Path, out: &mut Vec<HookEntry>) {
    let Some(events) = hooks.and_then(Value::as_object) else {
        return;
    };
    for (event, groups) in events {
        let Some(groups) = groups.as_array() else {
            continue;
        };
        for group in groups {
            let matcher = group
                .get("matcher")
                .and_then(Value::as_str)
                .map(str::to_owned);
            match group.get("hooks").and_then(Value::as_array) {
                Some(handlers) => {
                    for h in handlers {
                        push_handler(event, matcher.clone(), h, origin, out);
                    }
                }
                None => push_handler(event, matcher, group, origin, out),
            }
        }
    }
}

fn push_handler(
    event: &str,
    matcher: Option<String>,
    h: &Value,
    origin: &Path,
    out: &mut Vec<HookEntry>,
) {
    let Some(obj) = h.as_object() else { return };
    if obj
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t != "command")
    {
        // http / prompt / agent / mcp_tool handlers: record what they are.
        let what = obj
            .get("url")
            .or_else(|| obj.get("tool"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let kind = obj.get("type").and_then(Value::as_str).unwrap_or_default();
        out.push(HookEntry {
            event: event.to_owned(),
            matcher,
            command: format!("<{kind}> {what}").trim_end().to_owned(),
            exec_form: true,
            fail_closed_flag: false,
            origin: origin.to_path_buf(),
            display: None,
        });
        return;
    }
    let command = ["command", "bash", "linux", "osx"]
        .iter()
        .find_map(|k| obj.get(*k).and_then(Value::as_str));
    let Some(command) = command else { return };
    let args: Vec<&str> = obj
        .get("args")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let exec_form = obj.get("args").is_some_and(Value::is_array);
    let mut full = command.to_owned();
    for a in args {
        full.push(' ');
        full.push_str(a);
    }
    out.push(HookEntry {
        event: event.to_owned(),
        matcher: matcher.or_else(|| {
            obj.get("matcher")
                .and_then(Value::as_str)
                .map(str::to_owned)
        }),
        command: full,
        exec_form,
        fail_closed_flag: obj.get("failClosed").and_then(Value::as_bool) == Some(true),
        origin: origin.to_path_buf(),
        display: None,
    });
}

/// Whether a command line runs warden's hook: some word is the `warden`
/// (or `warden-core`) binary, by base name, and a later word is `hook`.
pub(crate) fn is_warden(command: &str) -> bool {
    let words: Vec<String> = command
        .split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|' || c == '(')
        .map(|w| w.trim_matches(|c| c == '\'' || c == '"').to_owned())
        .filter(|w| !w.is_empty())
        .collect();
    let Some(bin) = words.iter().position(|w| {
        let base = w.rsplit('/').next().unwrap_or(w);
        base == "warden" || base == "warden-core"
    }) else {
        return false;
    };
    words[bin + 1..].iter().any(|w| w == "hook")
}

/// Whether one warden handler fails closed under `sem`.
pub(crate) fn entry_fails_closed(e: &HookEntry, sem: Semantics) -> bool {
    match sem {
        Semantics::Exit2 => {
            !e.exec_form && warden_adapters::claude_settings::fails_closed(&e.command)
        }
        Semantics::Cursor => {
            e.fail_closed_flag
                || (!e.exec_form && warden_adapters::claude_settings::fails_closed(&e.command))
        }
        Semantics::Cline => {
            let c = e.command.replace(char::is_whitespace, "");
            c.contains("||") && c.contains("\"cancel\":true")
        }
    }
}

/// Whether a matcher covers every tool.
pub(crate) fn matches_all(matcher: Option<&str>) -> bool {
    matches!(matcher.map(str::trim), None | Some("" | "*" | ".*"))
}

/// The judgement of an assistant's hooks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Judged {
    pub(crate) status: crate::HookStatus,
    /// Gate events warden covers only for some tools (event, matcher).
    pub(crate) partial: Vec<(String, String)>,
    /// The file warden's gate hook is registered in.
    pub(crate) origin: Option<PathBuf>,
    /// Warden is registered but only on events that do not gate actions.
    pub(crate) not_on_gate: bool,
}

/// Judges `entries`: `gate` lists the pre-action events (compared
/// ASCII-case-insensitively); `matchers` says whether the assistant honours
/// matchers (VS Code ignores them).
pub(crate) fn judge(
    entries: &[HookEntry],
    gate: &[&str],
    sem: Semantics,
    matchers: bool,
) -> Judged {
    let mut j = Judged::default();
    let is_gate = |e: &HookEntry| gate.iter().any(|g| g.eq_ignore_ascii_case(&e.event));
    let warden_gate: Vec<&HookEntry> = entries
        .iter()
        .filter(|e| is_gate(e) && is_warden(&e.command))
        .collect();
    j.status.warden_installed = !warden_gate.is_empty();
    j.status.fails_closed =
        j.status.warden_installed && warden_gate.iter().all(|e| entry_fails_closed(e, sem));
    j.origin = warden_gate.first().map(|e| e.origin.clone());
    j.not_on_gate = warden_gate.is_empty() && entries.iter().any(|e| is_warden(&e.command));
    if matchers && j.status.warden_installed {
        // Full coverage needs one warden handler with an all-tools matcher
        // on some gate event.
        if !warden_gate
            .iter()
            .any(|e| matches_all(e.matcher.as_deref()))
        {
            for e in &warden_gate {
                j.partial
                    .push((e.event.clone(), e.matcher.clone().unwrap_or_default()));
            }
        }
    }
    for e in entries.iter().filter(|e| !is_warden(&e.command)) {
        let shown = e.display.as_deref().unwrap_or(&e.command);
        let line = format!("{}: {}", e.event, clean(shown, 160));
        if !j.status.other_hooks.contains(&line) {
            j.status.other_hooks.push(line);
        }
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warden_detection() {
        assert!(is_warden("'/usr/bin/warden' hook claude-code || exit 2"));
        assert!(is_warden(
            "/opt/w/bin/warden --home '/x y' hook claude-code --agent a"
        ));
        assert!(is_warden("WARDEN_HOME=/x warden-core hook claude-code"));
        assert!(!is_warden("/usr/bin/wardenx hook"));
        assert!(!is_warden("warden check --tool Bash"));
        assert!(!is_warden("echo hook"));
    }

    #[test]
    fn collect_and_judge() {
        let v: Value = serde_json::json!({
            "PreToolUse": [
                {"matcher": "*", "hooks": [{"type": "command", "command": "'/usr/bin/warden' hook claude-code || exit 2"}]},
                {"matcher": "Bash", "hooks": [{"type": "command", "command": "./lint.sh"}]}
            ],
            "Stop": [{"hooks": [{"type": "http", "url": "https://h.example/x"}]}],
            "beforeShellExecution": [{"command": "warden hook cursor", "failClosed": true}]
        });
        let mut out = Vec::new();
        collect(Some(&v), Path::new("/s.json"), &mut out);
        assert_eq!(out.len(), 4);
        let j = judge(&out, &["PreToolUse"], Semantics::Exit2, true);
        assert!(j.status.warden_installed && j.status.fails_closed);
        assert!(j.partial.is_empty());
        assert_eq!(
            j.status.other_hooks,
            vec!["PreToolUse: ./lint.sh", "Stop: <http> https://h.example/x"]
        );
        let j = judge(&out, &["beforeShellExecution"], Semantics::Cursor, true);
        assert!(j.status.fails_closed);
        let j = judge(&out, &["beforeShellExecution"], Semantics::Exit2, true);
        assert!(j.status.warden_installed && !j.status.fails_closed);
    }
}
