//! Tests for registering warden in Claude Code's settings: the exact JSON
//! written, idempotence, install/uninstall round trips, key order, malformed
//! files, managed settings, warnings, status, the hook command's quoting and
//! its fail-closed behaviour under a real `sh`, and round-trip properties.

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use warden_adapters::claude_settings::{
    default_timeouts, fails_closed, hook_command, install, is_warden_handler, managed_warnings,
    settings_path, status, uninstall, InstallOptions, Scope, SettingsError, Warning, EVENTS,
    TOOL_EVENTS,
};

const CMD: &str = "'/usr/local/bin/warden' hook claude-code || exit 2";
const OLD_CMD: &str = "'/opt/old/warden' hook claude-code || exit 2";

fn user_options() -> InstallOptions {
    InstallOptions::new(Scope::User, CMD)
}

fn installed(settings: Value) -> Value {
    match install(settings.clone(), &user_options()) {
        Ok(done) => done.settings,
        Err(e) => panic!("install into {settings}: {e}"),
    }
}

fn uninstalled(settings: Value) -> Value {
    match uninstall(settings.clone()) {
        Ok(done) => done,
        Err(e) => panic!("uninstall from {settings}: {e}"),
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// Settings a user might have, none with warden handlers.
fn originals() -> Vec<Value> {
    vec![
        json!({}),
        json!({
            "permissions": {"allow": ["Bash(npm test)"], "deny": ["Read(./.env)"], "defaultMode": "acceptEdits"},
            "env": {"FOO": "1", "BAR": "two"},
            "model": "opus"
        }),
        json!({
            "env": {"A": "b"},
            "hooks": {
                "PreToolUse": [
                    {"matcher": "Bash", "hooks": [{"type": "command", "command": "~/bin/check-bash.sh", "timeout": 30}]}
                ],
                "Stop": [
                    {"hooks": [{"type": "command", "command": "notify-send done"}]}
                ]
            },
            "statusLine": {"type": "command", "command": "echo hi"}
        }),
        json!({
            "hooks": {
                "Notification": [{"matcher": "idle_prompt", "hooks": [{"type": "http", "url": "https://example.invalid/n"}]}],
                "PostToolUse": [{"matcher": "Edit|Write", "hooks": [{"type": "command", "command": "cargo fmt"}]}]
            },
            "disableAllHooks": false
        }),
    ]
}

// ---------------------------------------------------------------- install

#[test]
fn install_into_empty_object_gives_exactly_the_expected_json() {
    let got = installed(json!({}));
    let expected = r#"{
  "hooks": {
    "SessionStart": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "'/usr/local/bin/warden' hook claude-code || exit 2",
            "timeout": 10
          }
        ]
      }
    ],
    "UserPromptSubmit": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "'/usr/local/bin/warden' hook claude-code || exit 2",
            "timeout": 10
          }
        ]
      }
    ],
    "PreToolUse": [
      {
        "matcher": "*",
        "hooks": [
          {
            "type": "command",
            "command": "'/usr/local/bin/warden' hook claude-code || exit 2",
            "timeout": 10
          }
        ]
      }
    ],
    "PermissionRequest": [
      {
        "matcher": "*",
        "hooks": [
          {
            "type": "command",
            "command": "'/usr/local/bin/warden' hook claude-code || exit 2",
            "timeout": 10
          }
        ]
      }
    ],
    "PostToolUse": [
      {
        "matcher": "*",
        "hooks": [
          {
            "type": "command",
            "command": "'/usr/local/bin/warden' hook claude-code || exit 2",
            "timeout": 10
          }
        ]
      }
    ],
    "PostToolUseFailure": [
      {
        "matcher": "*",
        "hooks": [
          {
            "type": "command",
            "command": "'/usr/local/bin/warden' hook claude-code || exit 2",
            "timeout": 10
          }
        ]
      }
    ],
    "SubagentStart": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "'/usr/local/bin/warden' hook claude-code || exit 2",
            "timeout": 10
          }
        ]
      }
    ],
    "SubagentStop": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "'/usr/local/bin/warden' hook claude-code || exit 2",
            "timeout": 10
          }
        ]
      }
    ],
    "Stop": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "'/usr/local/bin/warden' hook claude-code || exit 2",
            "timeout": 10
          }
        ]
      }
    ],
    "SessionEnd": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "'/usr/local/bin/warden' hook claude-code || exit 2",
            "timeout": 5
          }
        ]
      }
    ]
  }
}"#;
    assert_eq!(pretty(&got), expected);
}

#[test]
fn install_into_empty_object_has_no_warnings() {
    let done = install(json!({}), &user_options());
    assert_eq!(done.map(|d| d.warnings), Ok(vec![]));
}

#[test]
fn installing_twice_is_installing_once() {
    for original in originals() {
        let once = installed(original.clone());
        let twice = installed(once.clone());
        assert_eq!(pretty(&twice), pretty(&once), "original: {original}");
    }
}

#[test]
fn install_keeps_the_users_hooks_and_adds_one_group_per_event() {
    let got = installed(originals().swap_remove(2));
    let pre = &got["hooks"]["PreToolUse"];
    assert_eq!(
        pre,
        &json!([
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "~/bin/check-bash.sh", "timeout": 30}]},
            {"matcher": "*", "hooks": [{"type": "command", "command": CMD, "timeout": 10}]}
        ])
    );
    assert_eq!(
        got["hooks"]["Stop"],
        json!([
            {"hooks": [{"type": "command", "command": "notify-send done"}]},
            {"hooks": [{"type": "command", "command": CMD, "timeout": 10}]}
        ])
    );
    for event in EVENTS {
        let groups = got["hooks"][*event].as_array().cloned().unwrap_or_default();
        let warden: Vec<&Value> = groups
            .iter()
            .flat_map(|g| g["hooks"].as_array().into_iter().flatten())
            .filter(|h| is_warden_handler(h))
            .collect();
        assert_eq!(warden.len(), 1, "{event}");
    }
}

#[test]
fn install_then_uninstall_gives_back_the_original() {
    for original in originals() {
        let back = uninstalled(installed(original.clone()));
        assert_eq!(pretty(&back), pretty(&original));
    }
}

#[test]
fn an_older_warden_handler_is_replaced_in_place() {
    let original = json!({
        "hooks": {
            "PreToolUse": [
                {"matcher": "*", "hooks": [{"type": "command", "command": OLD_CMD, "timeout": 30}]},
                {"matcher": "Bash", "hooks": [{"type": "command", "command": "mine.sh"}]}
            ],
            "Stop": [
                {"hooks": [{"type": "command", "command": "notify-send done"}]},
                {"hooks": [{"type": "command", "command": OLD_CMD}]}
            ]
        }
    });
    let got = installed(original);
    assert_eq!(
        got["hooks"]["PreToolUse"],
        json!([
            {"matcher": "*", "hooks": [{"type": "command", "command": CMD, "timeout": 10}]},
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "mine.sh"}]}
        ])
    );
    assert_eq!(
        got["hooks"]["Stop"],
        json!([
            {"hooks": [{"type": "command", "command": "notify-send done"}]},
            {"hooks": [{"type": "command", "command": CMD, "timeout": 10}]}
        ])
    );
    assert!(!pretty(&got).contains("/opt/old/warden"));
    // Event order: the existing ones first, the new ones appended in EVENTS order.
    let order: Vec<&String> = got["hooks"]
        .as_object()
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    assert_eq!(order.first().map(|s| s.as_str()), Some("PreToolUse"));
    assert_eq!(order.get(1).map(|s| s.as_str()), Some("Stop"));
    assert_eq!(order.len(), EVENTS.len());

    // Uninstalling then drops warden's groups and the events left empty.
    assert_eq!(
        uninstalled(got),
        json!({
            "hooks": {
                "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "mine.sh"}]}],
                "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}]
            }
        })
    );
}

#[test]
fn duplicate_warden_handlers_collapse_into_one() {
    let original = json!({
        "hooks": {
            "PreToolUse": [
                {"matcher": "Bash", "hooks": [{"type": "command", "command": "mine.sh"}, {"type": "command", "command": OLD_CMD}]},
                {"matcher": "*", "hooks": [{"type": "command", "command": OLD_CMD}]},
                {"matcher": "Read", "hooks": [{"type": "command", "command": CMD}]}
            ]
        }
    });
    let got = installed(original);
    // The first warden handler shared a group with the user's hook: that
    // group keeps the user's hook, warden's own group goes right after it.
    assert_eq!(
        got["hooks"]["PreToolUse"],
        json!([
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "mine.sh"}]},
            {"matcher": "*", "hooks": [{"type": "command", "command": CMD, "timeout": 10}]}
        ])
    );
}

#[test]
fn stale_warden_handlers_under_other_events_are_removed() {
    let original = json!({
        "hooks": {
            "Notification": [
                {"hooks": [{"type": "command", "command": OLD_CMD}]}
            ],
            "PreCompact": [
                {"hooks": [{"type": "command", "command": "backup.sh"}, {"type": "command", "command": OLD_CMD}]}
            ]
        }
    });
    let got = installed(original);
    let hooks = got["hooks"].as_object().cloned().unwrap_or_default();
    assert!(!hooks.contains_key("Notification"));
    assert_eq!(
        hooks.get("PreCompact"),
        Some(&json!([{"hooks": [{"type": "command", "command": "backup.sh"}]}]))
    );
    assert!(status(&got).stale.is_empty());
}

#[test]
fn install_preserves_key_order() {
    let text = r#"{
  "zeta": 1,
  "permissions": {
    "deny": [
      "Read(./.env)"
    ],
    "allow": [
      "Bash(ls)"
    ]
  },
  "hooks": {
    "Stop": [
      {
        "hooks": [
          {
            "timeout": 3,
            "command": "b.sh",
            "type": "command"
          }
        ]
      }
    ],
    "Notification": []
  },
  "alpha": {
    "y": 1,
    "x": 2
  }
}"#;
    let original: Value = serde_json::from_str(text).unwrap_or_default();
    assert_eq!(pretty(&original), text, "serde_json keeps insertion order");
    let got = installed(original.clone());
    let keys: Vec<&str> = got
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(keys, ["zeta", "permissions", "hooks", "alpha"]);
    let events: Vec<&str> = got["hooks"]
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut want = vec!["Stop", "Notification"];
    want.extend(EVENTS.iter().filter(|e| **e != "Stop"));
    assert_eq!(events, want);
    assert_eq!(pretty(&uninstalled(got)), text);
}

#[test]
fn hooks_is_appended_after_the_existing_keys() {
    let got = installed(json!({"b": 1, "a": 2}));
    let keys: Vec<&str> = got
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(keys, ["b", "a", "hooks"]);
}

#[test]
fn tool_events_match_every_tool_and_the_others_have_no_matcher() {
    let got = installed(json!({}));
    for event in EVENTS {
        let group = &got["hooks"][*event][0];
        if TOOL_EVENTS.contains(event) {
            assert_eq!(group["matcher"], json!("*"), "{event}");
        } else {
            assert!(group.get("matcher").is_none(), "{event}");
        }
    }
}

#[test]
fn custom_timeouts_are_written() {
    let mut options = user_options();
    options.timeouts.insert("PreToolUse".to_owned(), 3);
    options.timeouts.remove("Stop");
    let got = install(json!({}), &options).map(|d| d.settings);
    let got = got.unwrap_or_default();
    assert_eq!(
        got["hooks"]["PreToolUse"][0]["hooks"][0]["timeout"],
        json!(3)
    );
    assert_eq!(got["hooks"]["Stop"][0]["hooks"][0]["timeout"], json!(10));
    assert_eq!(
        got["hooks"]["SessionEnd"][0]["hooks"][0]["timeout"],
        json!(5)
    );
}

#[test]
fn default_timeouts_cover_every_event() {
    let timeouts = default_timeouts();
    assert_eq!(timeouts.len(), EVENTS.len());
    for event in EVENTS {
        let want = if *event == "SessionEnd" { 5 } else { 10 };
        assert_eq!(timeouts.get(*event), Some(&want), "{event}");
    }
}

// ------------------------------------------------------------- uninstall

#[test]
fn uninstall_when_not_installed_is_a_no_op() {
    let mut cases = originals();
    cases.push(json!({"hooks": {}}));
    cases.push(json!({"hooks": {"PreToolUse": []}}));
    cases.push(json!({"hooks": {"Stop": [{"hooks": []}]}}));
    for original in cases {
        assert_eq!(pretty(&uninstalled(original.clone())), pretty(&original));
    }
}

#[test]
fn uninstall_leaves_allow_managed_hooks_only_alone() {
    let options = InstallOptions {
        managed_only: true,
        ..InstallOptions::new(Scope::Managed, CMD)
    };
    let got = install(json!({}), &options).map(|d| d.settings);
    let back = uninstall(got.unwrap_or_default());
    assert_eq!(back, Ok(json!({"allowManagedHooksOnly": true})));
}

#[test]
fn uninstall_keeps_the_users_handler_in_a_shared_group() {
    let settings = json!({
        "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [
            {"type": "command", "command": OLD_CMD},
            {"type": "command", "command": "mine.sh"}
        ]}]}
    });
    assert_eq!(
        uninstall(settings),
        Ok(
            json!({"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [
                {"type": "command", "command": "mine.sh"}
            ]}]}})
        )
    );
}

// ------------------------------------------------------------- malformed

#[test]
fn malformed_settings_give_the_right_errors() {
    let cases = [
        (json!([]), SettingsError::NotAnObject),
        (json!("x"), SettingsError::NotAnObject),
        (Value::Null, SettingsError::NotAnObject),
        (json!({"hooks": []}), SettingsError::HooksNotAnObject),
        (json!({"hooks": null}), SettingsError::HooksNotAnObject),
        (
            json!({"hooks": {"PreToolUse": {"matcher": "*"}}}),
            SettingsError::EventNotAnArray {
                event: "PreToolUse".to_owned(),
            },
        ),
        (
            json!({"hooks": {"Stop": [], "Notification": "x"}}),
            SettingsError::EventNotAnArray {
                event: "Notification".to_owned(),
            },
        ),
    ];
    for (settings, want) in cases {
        assert_eq!(
            install(settings.clone(), &user_options()).map(|d| d.settings),
            Err(want.clone()),
            "install {settings}"
        );
        if settings.is_object() || want == SettingsError::NotAnObject {
            assert_eq!(
                uninstall(settings.clone()),
                Err(want),
                "uninstall {settings}"
            );
        }
    }
}

#[test]
fn error_messages_name_the_event() {
    let err = install(json!({"hooks": {"Stop": 1}}), &user_options()).map(|d| d.settings);
    let message = err.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("\"Stop\""), "{message}");
}

#[test]
fn odd_groups_and_handlers_are_left_as_they_are() {
    let original = json!({"hooks": {"PreToolUse": [
        "not a group",
        {"matcher": "Bash"},
        {"matcher": "Read", "hooks": "nope"},
        {"matcher": "Edit", "hooks": [3, {"type": "command"}]}
    ]}});
    let got = installed(original.clone());
    let groups = got["hooks"]["PreToolUse"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(groups.len(), 5);
    assert_eq!(uninstalled(got.clone()), original);
    // Not an object; no hooks array (twice).
    assert_eq!(status(&got).problems.len(), 3);
}

#[test]
fn invalid_options_are_errors() {
    let mut options = user_options();
    options.timeouts.insert("Notification".to_owned(), 10);
    assert_eq!(
        install(json!({}), &options).map(|d| d.settings),
        Err(SettingsError::UnknownEvent {
            event: "Notification".to_owned()
        })
    );

    let mut options = user_options();
    options.timeouts.insert("PreToolUse".to_owned(), 0);
    assert_eq!(
        install(json!({}), &options).map(|d| d.settings),
        Err(SettingsError::ZeroTimeout {
            event: "PreToolUse".to_owned()
        })
    );

    let options = InstallOptions::new(Scope::User, "/usr/bin/warden hook claude || exit 2");
    assert!(matches!(
        install(json!({}), &options),
        Err(SettingsError::UnrecognisableCommand { .. })
    ));
}

// --------------------------------------------------------------- managed

#[test]
fn managed_scope_with_managed_only_sets_allow_managed_hooks_only() {
    let options = InstallOptions {
        managed_only: true,
        ..InstallOptions::new(Scope::Managed, CMD)
    };
    let got = install(json!({"env": {"A": "1"}}), &options).map(|d| d.settings);
    let got = got.unwrap_or_default();
    assert_eq!(got["allowManagedHooksOnly"], json!(true));
    let keys: Vec<&str> = got
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(keys, ["env", "hooks", "allowManagedHooksOnly"]);
    assert!(status(&got).allow_managed_hooks_only);

    // An existing false is flipped in place.
    let got = install(json!({"allowManagedHooksOnly": false, "env": {}}), &options)
        .map(|d| d.settings)
        .unwrap_or_default();
    let keys: Vec<&str> = got
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(keys, ["allowManagedHooksOnly", "env", "hooks"]);
    assert_eq!(got["allowManagedHooksOnly"], json!(true));
}

#[test]
fn managed_scope_without_managed_only_leaves_the_key_alone() {
    let options = InstallOptions::new(Scope::Managed, CMD);
    let got = install(json!({}), &options).map(|d| d.settings);
    assert_eq!(
        got.map(|g| g.get("allowManagedHooksOnly").cloned()),
        Ok(None)
    );
}

#[test]
fn managed_only_outside_managed_settings_is_an_error() {
    for scope in [Scope::User, Scope::Project] {
        let options = InstallOptions {
            managed_only: true,
            ..InstallOptions::new(scope, CMD)
        };
        assert_eq!(
            install(json!({}), &options).map(|d| d.settings),
            Err(SettingsError::ManagedOnlyOutsideManaged { scope })
        );
    }
}

// -------------------------------------------------------------- warnings

#[test]
fn warnings_for_disabled_hooks_bypass_mode_and_a_fail_open_command() {
    let settings = json!({
        "disableAllHooks": true,
        "permissions": {"defaultMode": "bypassPermissions"}
    });
    let options = InstallOptions::new(Scope::Project, "/usr/bin/warden hook claude-code");
    let done = install(settings, &options);
    let warnings = done.map(|d| d.warnings).unwrap_or_default();
    assert_eq!(
        warnings,
        vec![
            Warning::DisableAllHooks {
                scope: Scope::Project
            },
            Warning::BypassPermissions,
            Warning::CommandFailsOpen,
        ]
    );
    for warning in &warnings {
        assert!(!warning.to_string().is_empty());
    }
    assert!(warnings
        .first()
        .is_some_and(|w| w.to_string().contains("project settings")));
}

#[test]
fn managed_settings_that_stop_a_user_install_are_reported() {
    let managed = json!({"allowManagedHooksOnly": true, "disableAllHooks": true});
    assert_eq!(
        managed_warnings(&managed, Scope::User),
        vec![
            Warning::ManagedHooksOnly { scope: Scope::User },
            Warning::ManagedDisableAllHooks
        ]
    );
    assert_eq!(
        managed_warnings(&json!({"allowManagedHooksOnly": true}), Scope::Project),
        vec![Warning::ManagedHooksOnly {
            scope: Scope::Project
        }]
    );
    assert!(managed_warnings(&managed, Scope::Managed).is_empty());
    assert!(managed_warnings(&json!({"allowManagedHooksOnly": false}), Scope::User).is_empty());
    assert!(managed_warnings(&json!([]), Scope::User).is_empty());
}

// ----------------------------------------------------------------- status

#[test]
fn status_after_install_is_complete() {
    let got = installed(originals().swap_remove(2));
    let st = status(&got);
    assert!(st.is_complete());
    assert!(st.is_installed());
    assert_eq!(st.events.len(), EVENTS.len());
    for (event, entry) in EVENTS.iter().zip(&st.events) {
        assert_eq!(entry.event, *event);
        assert_eq!(entry.handlers.len(), 1, "{event}");
        let handler = &entry.handlers[0];
        assert!(handler.fails_closed && handler.covers_all);
        assert_eq!(handler.command, CMD);
        let want = if *event == "SessionEnd" { 5.0 } else { 10.0 };
        assert_eq!(handler.timeout, Some(want));
    }
    let others: Vec<(&str, Option<&str>, Option<&str>)> = st
        .other_hooks
        .iter()
        .map(|h| (h.event.as_str(), h.matcher.as_deref(), h.target.as_deref()))
        .collect();
    assert_eq!(
        others,
        vec![
            ("PreToolUse", Some("Bash"), Some("~/bin/check-bash.sh")),
            ("Stop", None, Some("notify-send done")),
        ]
    );
    assert!(st.problems.is_empty());
}

#[test]
fn status_of_nothing_installed() {
    let st = status(&json!({}));
    assert!(!st.is_installed());
    assert!(!st.is_complete());
    assert!(st.events.iter().all(|e| e.handlers.is_empty()));

    let st = status(&json!([]));
    assert_eq!(st.problems.len(), 1);
}

#[test]
fn status_flags_fail_open_narrow_stale_and_disabled_registrations() {
    let mut settings = installed(json!({}));
    // A handler without `|| exit 2`.
    settings["hooks"]["Stop"][0]["hooks"][0]["command"] = json!("/usr/bin/warden hook claude-code");
    let st = status(&settings);
    assert!(!st.is_complete());
    let stop = st.events.iter().find(|e| e.event == "Stop");
    assert_eq!(stop.map(|e| e.handlers[0].fails_closed), Some(false));

    // A handler that only sees Bash.
    let mut settings = installed(json!({}));
    settings["hooks"]["PreToolUse"][0]["matcher"] = json!("Bash");
    let st = status(&settings);
    assert!(!st.is_complete());

    // A stale handler under an event warden does not use.
    let mut settings = installed(json!({}));
    settings["hooks"]["Notification"] =
        json!([{"hooks": [{"type": "command", "command": OLD_CMD}]}]);
    let st = status(&settings);
    assert_eq!(st.stale.len(), 1);
    assert!(st.is_complete());

    // Hooks switched off.
    let mut settings = installed(json!({}));
    settings["disableAllHooks"] = json!(true);
    let st = status(&settings);
    assert!(st.disable_all_hooks && !st.is_complete());

    // A missing event.
    let mut settings = installed(json!({}));
    if let Some(hooks) = settings["hooks"].as_object_mut() {
        hooks.retain(|k, _| k != "SubagentStop");
    }
    assert!(!status(&settings).is_complete());
}

#[test]
fn status_describes_other_kinds_of_hooks() {
    let settings = json!({"hooks": {"PostToolUse": [{"matcher": "mcp__.*", "hooks": [
        {"type": "http", "url": "https://example.invalid/h"},
        {"type": "mcp_tool", "server": "audit", "tool": "record"},
        {"type": "prompt", "prompt": "check it"}
    ]}]}});
    let st = status(&settings);
    let targets: Vec<(Option<&str>, Option<&str>)> = st
        .other_hooks
        .iter()
        .map(|h| (h.kind.as_deref(), h.target.as_deref()))
        .collect();
    assert_eq!(
        targets,
        vec![
            (Some("http"), Some("https://example.invalid/h")),
            (Some("mcp_tool"), Some("audit/record")),
            (Some("prompt"), None),
        ]
    );
}

#[test]
fn fails_closed_recognises_the_wrapper() {
    for yes in [
        "'/w' hook claude-code || exit 2",
        "'/w' hook claude-code ||exit 2",
        "'/w' hook claude-code||exit 2;",
        "'/w' hook claude-code || exit 2  \n",
    ] {
        assert!(fails_closed(yes), "{yes:?}");
    }
    for no in [
        "'/w' hook claude-code",
        "'/w' hook claude-code || exit 1",
        "'/w' hook claude-code || exit 22",
        "'/w' hook claude-code; exit 2",
        "'/w' hook claude-code && exit 2",
        "'/w' hook claude-code || myexit 2",
        "|| exit 2",
        "'/w' hook claude-code || exit 2 &",
    ] {
        assert!(!fails_closed(no), "{no:?}");
    }
}

// ----------------------------------------------------------------- paths

#[test]
fn settings_paths() {
    let home = Path::new("/home/me");
    let project = Path::new("/work/app");
    assert_eq!(
        settings_path(Scope::User, home, project, None),
        PathBuf::from("/home/me/.claude/settings.json")
    );
    assert_eq!(
        settings_path(Scope::User, home, project, Some(Path::new("/cfg/claude"))),
        PathBuf::from("/cfg/claude/settings.json")
    );
    assert_eq!(
        settings_path(Scope::User, home, project, Some(Path::new(""))),
        PathBuf::from("/home/me/.claude/settings.json")
    );
    assert_eq!(
        settings_path(Scope::Project, home, project, Some(Path::new("/cfg"))),
        PathBuf::from("/work/app/.claude/settings.json")
    );
    if cfg!(target_os = "linux") {
        assert_eq!(
            settings_path(Scope::Managed, home, project, None),
            PathBuf::from("/etc/claude-code/managed-settings.json")
        );
    }
}

// ---------------------------------------------------------- hook command

#[test]
fn hook_command_quotes_paths() {
    assert_eq!(
        hook_command(Path::new("/usr/local/bin/warden"), None),
        Ok(CMD.to_owned())
    );
    assert_eq!(
        hook_command(
            Path::new("/opt/my tools/it's/warden"),
            Some(Path::new("/home/me/.warden's home"))
        ),
        Ok(r"'/opt/my tools/it'\''s/warden' --home '/home/me/.warden'\''s home' hook claude-code || exit 2".to_owned())
    );
    assert_eq!(
        hook_command(Path::new("/a/$(rm -rf ~)`x`;b"), None),
        Ok("'/a/$(rm -rf ~)`x`;b' hook claude-code || exit 2".to_owned())
    );
}

#[test]
fn hook_command_needs_absolute_utf8_paths() {
    assert_eq!(
        hook_command(Path::new("bin/warden"), None),
        Err(SettingsError::RelativePath {
            path: PathBuf::from("bin/warden")
        })
    );
    assert_eq!(
        hook_command(Path::new("/bin/warden"), Some(Path::new("rel/home"))),
        Err(SettingsError::RelativePath {
            path: PathBuf::from("rel/home")
        })
    );
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bad = Path::new(std::ffi::OsStr::from_bytes(b"/opt/\xffwarden"));
        assert!(matches!(
            hook_command(bad, None),
            Err(SettingsError::NonUtf8Path { .. })
        ));
    }
}

/// Runs `command` with `sh -c` and returns its exit code.
#[cfg(unix)]
fn sh(command: &str, mode: &str) -> Option<i32> {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .env("WARDEN_TEST_MODE", mode)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()
        .and_then(|s| s.code())
}

/// Every process this test binary starts is started here, in one test, so
/// no other thread forks while the script is open for writing (which would
/// make its exec fail with "text file busy").
#[cfg(unix)]
#[test]
fn the_hook_command_fails_closed_under_sh() {
    use std::os::unix::fs::PermissionsExt;

    // A binary that does not exist, in a path with a space and a quote.
    let missing = hook_command(
        Path::new("/nonexistent dir/it's not/warden"),
        Some(Path::new("/tmp/no such 'home'")),
    )
    .unwrap_or_default();
    assert_eq!(sh(&missing, ""), Some(2), "missing binary: {missing}");

    // A real script at an awkward path: it reports its arguments and exits
    // as WARDEN_TEST_MODE says.
    let root = std::env::temp_dir().join(format!("warden-settings-test-{}", std::process::id()));
    let dir = root.join("my tools").join("it's $HOME");
    std::fs::create_dir_all(&dir).unwrap_or_default();
    let script = dir.join("war'den");
    let args_file = root.join("args");
    let body = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\ncase \"$WARDEN_TEST_MODE\" in\n  ok) exit 0 ;;\n  fail) exit 1 ;;\n  block) exit 2 ;;\n  kill) kill -KILL $$ ;;\nesac\nexit 3\n",
        args_file.display()
    );
    std::fs::write(&script, body).unwrap_or_default();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap_or_default();

    let home = root.join("warden home");
    let command = hook_command(&script, Some(&home)).unwrap_or_default();
    assert_eq!(sh(&command, "ok"), Some(0), "{command}");
    let args = std::fs::read_to_string(&args_file).unwrap_or_default();
    assert_eq!(
        args,
        format!("--home\n{}\nhook\nclaude-code\n", home.display()),
        "the quoted paths reach the binary intact"
    );
    assert_eq!(sh(&command, "fail"), Some(2), "exit 1 becomes a block");
    assert_eq!(sh(&command, "block"), Some(2));
    assert_eq!(sh(&command, "other"), Some(2), "exit 3 becomes a block");
    assert_eq!(sh(&command, "kill"), Some(2), "a killed binary blocks");

    // Not executable.
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o644)).unwrap_or_default();
    assert_eq!(
        sh(&command, "ok"),
        Some(2),
        "a non-executable binary blocks"
    );

    let _ = std::fs::remove_dir_all(&root);
}

// ------------------------------------------------------------- properties

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1.0e6f64..1.0e6).prop_map(Value::from),
        "[a-z ~/.'-]{0,12}".prop_map(Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-zA-Z]{1,8}", inner), 0..4)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

/// A handler that is not warden's.
fn user_handler() -> impl Strategy<Value = Value> {
    let command = "[a-z/ .~'-]{1,24}".prop_filter("not warden's", |c: &String| {
        !c.contains(" hook claude-code")
    });
    prop_oneof![
        (command, prop::option::of(1u64..700)).prop_map(|(command, timeout)| {
            let mut h = Map::new();
            h.insert("type".to_owned(), json!("command"));
            h.insert("command".to_owned(), json!(command));
            if let Some(t) = timeout {
                h.insert("timeout".to_owned(), json!(t));
            }
            Value::Object(h)
        }),
        "[a-z]{1,8}"
            .prop_map(|host| json!({"type": "http", "url": format!("https://{host}.invalid/")})),
        json_value(),
    ]
}

fn group(allow_empty: bool) -> impl Strategy<Value = Value> {
    let min = usize::from(!allow_empty);
    (
        prop::option::of(prop_oneof![
            Just("*".to_owned()),
            Just("Bash".to_owned()),
            Just("Edit|Write".to_owned()),
            Just("mcp__.*".to_owned()),
        ]),
        prop::collection::vec(user_handler(), min..3),
    )
        .prop_map(|(matcher, handlers)| {
            let mut g = Map::new();
            if let Some(m) = matcher {
                g.insert("matcher".to_owned(), json!(m));
            }
            g.insert("hooks".to_owned(), Value::Array(handlers));
            Value::Object(g)
        })
}

fn event_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(EVENTS.to_vec()).prop_map(str::to_owned),
        prop::sample::select(vec!["Notification", "PreCompact", "ConfigChange"])
            .prop_map(str::to_owned),
    ]
}

/// Settings with no warden handler. With `degenerate`, `hooks` and event
/// arrays may be empty (see [`normalised`]).
fn settings(degenerate: bool) -> impl Strategy<Value = Value> {
    let min_groups = usize::from(!degenerate);
    let min_events = usize::from(!degenerate);
    let hooks = prop::collection::vec(
        (
            event_name(),
            prop::collection::vec(group(true), min_groups..3),
        ),
        min_events..5,
    )
    .prop_map(|events| {
        Value::Object(
            events
                .into_iter()
                .map(|(e, g)| (e, Value::Array(g)))
                .collect(),
        )
    });
    (
        prop::collection::vec(
            (
                "[a-zA-Z]{1,10}".prop_filter("not hooks", |k: &String| k != "hooks"),
                json_value(),
            ),
            0..5,
        ),
        prop::option::of(hooks),
        0usize..6,
    )
        .prop_map(|(fields, hooks, at)| {
            let mut fields: Vec<(String, Value)> = fields;
            if let Some(hooks) = hooks {
                let at = at.min(fields.len());
                fields.insert(at, ("hooks".to_owned(), hooks));
            }
            let mut map = Map::new();
            for (k, v) in fields {
                map.insert(k, v);
            }
            Value::Object(map)
        })
}

/// What uninstall(install(s)) gives for settings without warden handlers:
/// `s` without the empty arrays of warden's events and then without an
/// empty `hooks` (install cannot tell them from ones it created).
fn normalised(mut settings: Value) -> Value {
    let mut drop_hooks = false;
    if let Some(hooks) = settings.get_mut("hooks").and_then(Value::as_object_mut) {
        hooks.retain(|event, groups| {
            !(EVENTS.contains(&event.as_str()) && groups.as_array().is_some_and(Vec::is_empty))
        });
        drop_hooks = hooks.is_empty();
    }
    if drop_hooks {
        if let Some(root) = settings.as_object_mut() {
            root.retain(|k, _| k != "hooks");
        }
    }
    settings
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn install_then_uninstall_is_identity(original in settings(false)) {
        let done = install(original.clone(), &user_options());
        prop_assert!(done.is_ok(), "{:?}", done);
        let once = done.map(|d| d.settings).unwrap_or_default();
        let back = uninstall(once.clone());
        prop_assert_eq!(back.as_ref().map(pretty), Ok(pretty(&original)));
    }

    #[test]
    fn install_then_uninstall_only_drops_empty_containers(original in settings(true)) {
        let once = install(original.clone(), &user_options()).map(|d| d.settings);
        let back = once.and_then(uninstall);
        prop_assert_eq!(back.map(|b| pretty(&b)), Ok(pretty(&normalised(original))));
    }

    #[test]
    fn install_is_idempotent_and_complete(original in settings(true)) {
        let once = install(original, &user_options()).map(|d| d.settings).unwrap_or_default();
        let twice = install(once.clone(), &user_options()).map(|d| d.settings);
        prop_assert_eq!(twice.map(|t| pretty(&t)), Ok(pretty(&once)));
        let st = status(&once);
        prop_assert!(st.events.iter().all(|e| e.handlers.len() == 1));
        prop_assert!(st.stale.is_empty());
        prop_assert!(st.disable_all_hooks || st.is_complete());
    }

    #[test]
    fn uninstall_without_warden_is_a_no_op(original in settings(true)) {
        prop_assert_eq!(uninstall(original.clone()).map(|b| pretty(&b)), Ok(pretty(&original)));
        prop_assert!(!status(&original).is_installed());
    }
}
