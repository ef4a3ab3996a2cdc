//! Registering warden's hook in Claude Code's settings files.
//!
//! This module is the pure part of `warden install claude-code`: it turns
//! one settings file's JSON into the same JSON with warden's handlers added
//! ([`install`]) or removed ([`uninstall`]), and reports what a file holds
//! ([`status`]). It does **no I/O**: the binary reads the file (an absent file
//! is `{}`), calls these functions and writes the result back.
//!
//! # The registration format
//!
//! Claude Code's `settings.json` holds `hooks`: event name → array of
//! *matcher groups* → each group's `hooks` array of *handlers*:
//!
//! ```json
//! {
//!   "hooks": {
//!     "PreToolUse": [
//!       {
//!         "matcher": "*",
//!         "hooks": [
//!           { "type": "command", "command": "'/usr/bin/warden' hook claude-code || exit 2", "timeout": 10 }
//!         ]
//!       }
//!     ]
//!   }
//! }
//! ```
//!
//! Warden registers one group per event in [`EVENTS`]. Tool events
//! ([`TOOL_EVENTS`]) get `"matcher": "*"` (every tool, MCP tools included);
//! the other events get a group without `matcher`, which Claude Code reads
//! as "everything" (some of them, like `UserPromptSubmit` and `Stop`, take no
//! matcher at all).
//!
//! # Recognising warden's handlers
//!
//! A handler is warden's when it is an object whose `command` is a string
//! containing [`COMMAND_MARKER`] (` hook claude-code`). That is how
//! [`install`] replaces an older registration (say, with another binary
//! path) instead of adding a second one, and how [`uninstall`] finds what to
//! remove. [`InstallOptions::command`] must therefore contain the marker.
//!
//! # Failing closed
//!
//! Claude Code blocks on exit status 2 only: exit 1, a missing or
//! non-executable command, a crash and a timeout all let the action proceed.
//! [`hook_command`] therefore registers `'<warden>' hook claude-code || exit 2`,
//! which turns every failure of the binary into a block. The one case no
//! command string can cover is Claude Code's own timeout (it stops waiting
//! and proceeds), so the timeouts here only bound a hang, and the hook
//! enforces its own, shorter deadline and denies when it runs out.
//!
//! # What is kept
//!
//! Everything that is not a warden handler is kept exactly: other keys
//! (permissions, env, …) and their order, the user's own hooks, their
//! matchers and their order. Key order survives because this crate enables
//! serde_json's `preserve_order` feature; keys warden adds are appended.
//! Groups, handlers and event values warden does not understand (a group
//! that is not an object, say) are left as they are; only the levels warden
//! must write into (the settings object, `hooks`, each event's array) are
//! required to have the right type.

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The Claude Code events warden registers for.
pub const EVENTS: &[&str] = &[
    "SessionStart",
    "UserPromptSubmit",
    "PreToolUse",
    "PermissionRequest",
    "PostToolUse",
    "PostToolUseFailure",
    "SubagentStart",
    "SubagentStop",
    "Stop",
    "SessionEnd",
];

/// The events among [`EVENTS`] whose matcher is a tool name: warden's group
/// for them has `"matcher": "*"` (all tools, MCP tools included).
pub const TOOL_EVENTS: &[&str] = &[
    "PreToolUse",
    "PermissionRequest",
    "PostToolUse",
    "PostToolUseFailure",
];

/// What every warden handler's command contains (and what identifies a
/// handler as warden's).
pub const COMMAND_MARKER: &str = " hook claude-code";

/// The timeout, in seconds, of an event [`InstallOptions::timeouts`] does
/// not name.
///
/// The hook answers in about 1–10 ms, so the timeout only bounds a hang. It
/// is not a security boundary: when a hook times out Claude Code *proceeds*,
/// so the hook itself enforces a shorter deadline and denies when it runs
/// out. Ten seconds leaves that deadline room on a loaded machine while
/// keeping a hung hook from stalling a session for Claude Code's default of
/// ten minutes.
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;

/// The timeout, in seconds, for `SessionEnd`.
///
/// Claude Code gives `SessionEnd` hooks a short budget (1.5 s unless a
/// handler asks for more, up to 60) because the user is waiting for the
/// session to close; warden only records the end there, so 5 s is plenty.
pub const SESSION_END_TIMEOUT_SECS: u64 = 5;

/// The timeout, in seconds, for each event in [`EVENTS`], as
/// [`InstallOptions::new`] sets them: [`SESSION_END_TIMEOUT_SECS`] for
/// `SessionEnd`, [`DEFAULT_TIMEOUT_SECS`] for the others (`PreToolUse`,
/// `PermissionRequest` and `UserPromptSubmit` included: see
/// [`DEFAULT_TIMEOUT_SECS`] for why a decision event needs no more).
pub fn default_timeouts() -> BTreeMap<String, u64> {
    EVENTS
        .iter()
        .map(|event| {
            let secs = if *event == "SessionEnd" {
                SESSION_END_TIMEOUT_SECS
            } else {
                DEFAULT_TIMEOUT_SECS
            };
            ((*event).to_owned(), secs)
        })
        .collect()
}

/// A Claude Code settings scope warden can install into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The user's settings (`~/.claude/settings.json`): every project.
    User,
    /// A project's shared settings (`<project>/.claude/settings.json`).
    Project,
    /// The machine's managed settings: highest precedence, and the only
    /// scope users cannot override or switch off.
    Managed,
}

impl Scope {
    /// The scope's name: `user`, `project` or `managed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::User => "user",
            Scope::Project => "project",
            Scope::Managed => "managed",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a scope's settings file lives.
///
/// * [`Scope::User`]: `<claude_config_dir>/settings.json` when
///   `claude_config_dir` (the `CLAUDE_CONFIG_DIR` environment variable) is
///   given and not empty, else `<home>/.claude/settings.json`;
/// * [`Scope::Project`]: `<project>/.claude/settings.json` (the shared
///   project file; `settings.local.json` is the user's private one);
/// * [`Scope::Managed`]: `/etc/claude-code/managed-settings.json` on Linux
///   (and other Unix systems), `/Library/Application
///   Support/ClaudeCode/managed-settings.json` on macOS and
///   `C:\Program Files\ClaudeCode\managed-settings.json` on Windows.
///
/// Paths are joined, not resolved: the caller passes absolute ones.
pub fn settings_path(
    scope: Scope,
    home: &Path,
    project: &Path,
    claude_config_dir: Option<&Path>,
) -> PathBuf {
    match scope {
        Scope::User => match claude_config_dir {
            Some(dir) if !dir.as_os_str().is_empty() => dir.join("settings.json"),
            _ => home.join(".claude").join("settings.json"),
        },
        Scope::Project => project.join(".claude").join("settings.json"),
        Scope::Managed => managed_settings_path(),
    }
}

/// The managed settings file on this operating system.
fn managed_settings_path() -> PathBuf {
    if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/ClaudeCode/managed-settings.json")
    } else if cfg!(windows) {
        PathBuf::from(r"C:\Program Files\ClaudeCode\managed-settings.json")
    } else {
        PathBuf::from("/etc/claude-code/managed-settings.json")
    }
}

/// The shell command to register:
/// `'<warden_bin>' hook claude-code || exit 2`, or with a warden home
/// `'<warden_bin>' --home '<warden_home>' hook claude-code || exit 2`.
///
/// Claude Code runs the command with a POSIX shell and treats exit 2 as a
/// block and every other non-zero status as "proceed". The `|| exit 2`
/// turns every failure into a block: the binary missing (127), not
/// executable (126), exiting non-zero, crashing or being killed (128 + the
/// signal). Paths are single-quoted for `sh`, an embedded `'` written as
/// `'\''`, so spaces and shell metacharacters in them are inert.
///
/// # Errors
///
/// [`SettingsError::RelativePath`] when a path is not absolute (hooks run in
/// the project directory, so a relative path would name another file), and
/// [`SettingsError::NonUtf8Path`] when a path is not valid UTF-8 (JSON
/// strings cannot carry it).
pub fn hook_command(
    warden_bin: &Path,
    warden_home: Option<&Path>,
) -> Result<String, SettingsError> {
    hook_command_for(warden_bin, warden_home, None)
}

/// [`hook_command`] for a named identity: the hook passes `--agent NAME`,
/// so its decisions are that registered identity's.
///
/// # Errors
/// As for [`hook_command`].
pub fn hook_command_for(
    warden_bin: &Path,
    warden_home: Option<&Path>,
    agent: Option<&str>,
) -> Result<String, SettingsError> {
    let mut command = shell_quote(absolute_utf8(warden_bin)?);
    if let Some(home) = warden_home {
        command.push_str(" --home ");
        command.push_str(&shell_quote(absolute_utf8(home)?));
    }
    command.push_str(COMMAND_MARKER);
    if let Some(agent) = agent {
        command.push_str(" --agent ");
        command.push_str(&shell_quote(agent));
    }
    command.push_str(" || exit 2");
    Ok(command)
}

fn absolute_utf8(path: &Path) -> Result<&str, SettingsError> {
    let text = path.to_str().ok_or_else(|| SettingsError::NonUtf8Path {
        path: path.to_path_buf(),
    })?;
    if !path.is_absolute() {
        return Err(SettingsError::RelativePath {
            path: path.to_path_buf(),
        });
    }
    Ok(text)
}

/// `text` single-quoted for a POSIX shell.
fn shell_quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('\'');
    for c in text.chars() {
        if c == '\'' {
            quoted.push_str(r"'\''");
        } else {
            quoted.push(c);
        }
    }
    quoted.push('\'');
    quoted
}

/// Whether a hook command fails closed: it ends with `|| exit 2` (spaces
/// around the parts and a trailing `;` allowed), so any failure of what
/// comes before it becomes Claude Code's blocking exit status.
pub fn fails_closed(command: &str) -> bool {
    let tail = command.trim_end().trim_end_matches(';').trim_end();
    let Some(before) = tail.strip_suffix("exit 2") else {
        return false;
    };
    // `exit 2` is a whole word right after `||`, and something precedes it.
    let Some(rest) = before.trim_end().strip_suffix("||") else {
        return false;
    };
    !rest.trim().is_empty()
}

/// Whether `handler` is one of warden's (see the module docs).
pub fn is_warden_handler(handler: &Value) -> bool {
    handler
        .get("command")
        .and_then(Value::as_str)
        .is_some_and(|command| command.contains(COMMAND_MARKER))
}

/// How [`install`] registers warden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallOptions {
    /// The scope of the settings file being changed.
    pub scope: Scope,
    /// The shell command of every handler, normally from [`hook_command`].
    /// It must contain [`COMMAND_MARKER`].
    pub command: String,
    /// Per-event timeouts in seconds (see [`DEFAULT_TIMEOUT_SECS`] for why
    /// they are short). An event in [`EVENTS`] that is not named gets
    /// [`DEFAULT_TIMEOUT_SECS`]; naming an event not in [`EVENTS`] is an
    /// error, and so is a zero timeout.
    pub timeouts: BTreeMap<String, u64>,
    /// Set `allowManagedHooksOnly: true`, so that Claude Code runs only
    /// managed hooks (users cannot add hooks that run beside, or instead of,
    /// warden's). Only meaningful for [`Scope::Managed`]; an error in the
    /// other scopes.
    pub managed_only: bool,
}

impl InstallOptions {
    /// Options for `scope` with `command`, the [`default_timeouts`] and
    /// `managed_only` off.
    pub fn new(scope: Scope, command: impl Into<String>) -> Self {
        InstallOptions {
            scope,
            command: command.into(),
            timeouts: default_timeouts(),
            managed_only: false,
        }
    }

    /// The timeout for `event`.
    pub fn timeout(&self, event: &str) -> u64 {
        self.timeouts
            .get(event)
            .copied()
            .unwrap_or(DEFAULT_TIMEOUT_SECS)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        if !self.command.contains(COMMAND_MARKER) {
            return Err(SettingsError::UnrecognisableCommand {
                command: self.command.clone(),
            });
        }
        if self.managed_only && self.scope != Scope::Managed {
            return Err(SettingsError::ManagedOnlyOutsideManaged { scope: self.scope });
        }
        for (event, secs) in &self.timeouts {
            if !EVENTS.contains(&event.as_str()) {
                return Err(SettingsError::UnknownEvent {
                    event: event.clone(),
                });
            }
            if *secs == 0 {
                return Err(SettingsError::ZeroTimeout {
                    event: event.clone(),
                });
            }
        }
        Ok(())
    }
}

/// Why a settings file could not be changed (or a command built).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// The settings file's JSON is not an object.
    #[error("the settings file is not a JSON object")]
    NotAnObject,
    /// `hooks` is present but is not an object.
    #[error("\"hooks\" in the settings file is not a JSON object")]
    HooksNotAnObject,
    /// An event's value under `hooks` is not an array of matcher groups.
    #[error("\"hooks\".\"{event}\" in the settings file is not a JSON array")]
    EventNotAnArray {
        /// The event.
        event: String,
    },
    /// [`InstallOptions::managed_only`] was asked for outside managed
    /// settings, where Claude Code ignores `allowManagedHooksOnly`.
    #[error("allowManagedHooksOnly only works in managed settings, not in {scope} settings")]
    ManagedOnlyOutsideManaged {
        /// The scope asked for.
        scope: Scope,
    },
    /// [`InstallOptions::timeouts`] names an event warden does not register.
    #[error("no warden hook for event {event:?} (a timeout was given for it)")]
    UnknownEvent {
        /// The event named.
        event: String,
    },
    /// [`InstallOptions::timeouts`] has a zero timeout.
    #[error("the timeout for {event} is zero")]
    ZeroTimeout {
        /// The event.
        event: String,
    },
    /// [`InstallOptions::command`] does not contain [`COMMAND_MARKER`], so
    /// the handlers would not be recognised as warden's later.
    #[error("hook command {command:?} does not contain {COMMAND_MARKER:?}")]
    UnrecognisableCommand {
        /// The command.
        command: String,
    },
    /// A path given to [`hook_command`] is not absolute.
    #[error("{} is not an absolute path", path.display())]
    RelativePath {
        /// The path.
        path: PathBuf,
    },
    /// A path given to [`hook_command`] is not valid UTF-8.
    #[error("{} is not valid UTF-8", path.display())]
    NonUtf8Path {
        /// The path.
        path: PathBuf,
    },
}

/// Something in a settings file that will stop warden's hooks from
/// running (or weaken them), found while installing. Not an error: the
/// install is still written, and the binary shows the warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// The file being changed sets `disableAllHooks: true`: Claude Code runs
    /// none of the hooks it governs (in user and project settings, all but
    /// managed hooks; in managed settings, all hooks).
    DisableAllHooks {
        /// The scope of the file.
        scope: Scope,
    },
    /// The managed settings set `allowManagedHooksOnly: true`, so a user or
    /// project install never runs.
    ManagedHooksOnly {
        /// The scope being installed into.
        scope: Scope,
    },
    /// The managed settings set `disableAllHooks: true`: no hook runs at all.
    ManagedDisableAllHooks,
    /// `permissions.defaultMode` is `bypassPermissions`: Claude Code asks
    /// for nothing, so `PermissionRequest` never fires and warden's
    /// `PreToolUse` hook is the only gate.
    BypassPermissions,
    /// [`InstallOptions::command`] does not end with `|| exit 2`, so a
    /// missing or crashing binary lets every action through.
    CommandFailsOpen,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::DisableAllHooks { scope: Scope::Managed } => f.write_str(
                "the managed settings set disableAllHooks: true, so Claude Code runs no hooks at all, warden's included",
            ),
            Warning::DisableAllHooks { scope } => write!(
                f,
                "the {scope} settings set disableAllHooks: true, so Claude Code does not run warden's hooks from them"
            ),
            Warning::ManagedHooksOnly { scope } => write!(
                f,
                "the managed settings set allowManagedHooksOnly: true, so Claude Code ignores hooks in {scope} settings, warden's included; install into the managed settings instead"
            ),
            Warning::ManagedDisableAllHooks => f.write_str(
                "the managed settings set disableAllHooks: true, so Claude Code runs no hooks at all, warden's included",
            ),
            Warning::BypassPermissions => f.write_str(
                "permissions.defaultMode is bypassPermissions: Claude Code asks for nothing, so PermissionRequest never fires and warden's PreToolUse hook is the only gate",
            ),
            Warning::CommandFailsOpen => f.write_str(
                "the hook command does not end with `|| exit 2`: if the binary is missing or crashes, Claude Code lets the action through",
            ),
        }
    }
}

/// What [`install`] returns: the new settings and the warnings about them.
#[derive(Debug, Clone, PartialEq)]
pub struct Installed {
    /// The settings with warden's handlers, to be written back.
    pub settings: Value,
    /// What in the settings will stop warden's hooks from running, or
    /// weaken them (see [`Warning`]).
    pub warnings: Vec<Warning>,
}

/// Adds warden's handler for every event in [`EVENTS`], idempotently.
///
/// For each event, every existing warden handler (see
/// [`is_warden_handler`]) is removed, and a group left empty by the removal
/// is dropped. Warden's group then goes where the first of them was: in
/// place of its group when that group held only warden handlers, right
/// after it when it also holds the user's (which stay there), or at the end
/// of the event's array when there was no warden handler. So an older
/// registration is replaced in place, never duplicated, and installing
/// twice gives the same settings as installing once. Warden handlers under
/// events warden no longer registers for are removed too.
///
/// Everything else is kept exactly (see the module docs). `hooks` and event
/// arrays that do not exist are appended. With
/// [`InstallOptions::managed_only`], `allowManagedHooksOnly` is set to
/// `true` (in place if the key exists, else appended).
///
/// The returned [`Installed::warnings`] cover this file only; when
/// installing into user or project settings, also pass the managed settings
/// to [`managed_warnings`].
///
/// # Errors
///
/// The settings are not an object; `hooks` or an event's value has the
/// wrong type (any event, not only warden's: warden does not write into a
/// file it cannot read); or the options are invalid (see
/// [`SettingsError`]).
pub fn install(settings: Value, options: &InstallOptions) -> Result<Installed, SettingsError> {
    options.validate()?;
    let Value::Object(mut root) = settings else {
        return Err(SettingsError::NotAnObject);
    };

    let mut warnings = Vec::new();
    if root.get("disableAllHooks") == Some(&Value::Bool(true)) {
        warnings.push(Warning::DisableAllHooks {
            scope: options.scope,
        });
    }
    if root
        .get("permissions")
        .and_then(|p| p.get("defaultMode"))
        .and_then(Value::as_str)
        == Some("bypassPermissions")
    {
        warnings.push(Warning::BypassPermissions);
    }
    if !fails_closed(&options.command) {
        warnings.push(Warning::CommandFailsOpen);
    }

    let hooks = root
        .entry("hooks")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(hooks) = hooks else {
        return Err(SettingsError::HooksNotAnObject);
    };
    check_event_arrays(hooks)?;

    // Stale registrations under events warden no longer uses.
    let stale: Vec<String> = hooks
        .keys()
        .filter(|event| !EVENTS.contains(&event.as_str()))
        .cloned()
        .collect();
    for event in stale {
        if let Some(Value::Array(groups)) = hooks.get_mut(&event) {
            if strip_warden(groups).is_some() && groups.is_empty() {
                remove_key(hooks, &event);
            }
        }
    }

    for event in EVENTS {
        let entry = hooks
            .entry(*event)
            .or_insert_with(|| Value::Array(Vec::new()));
        let Value::Array(groups) = entry else {
            return Err(SettingsError::EventNotAnArray {
                event: (*event).to_owned(),
            });
        };
        let at = strip_warden(groups).unwrap_or(groups.len());
        groups.insert(at, warden_group(event, options));
    }

    if options.managed_only {
        root.insert("allowManagedHooksOnly".to_owned(), Value::Bool(true));
    }
    Ok(Installed {
        settings: Value::Object(root),
        warnings,
    })
}

/// What in the managed settings will stop an install into `scope` from
/// running: `allowManagedHooksOnly: true` (for [`Scope::User`] and
/// [`Scope::Project`]) and `disableAllHooks: true`.
///
/// Empty for [`Scope::Managed`]: then the managed settings are the file
/// being changed, and [`install`] reports on it. A managed settings value
/// that is not an object yields nothing. The binary calls this with each
/// managed source it can read (`managed-settings.json` and the files of
/// `managed-settings.d/`).
pub fn managed_warnings(managed: &Value, scope: Scope) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if scope == Scope::Managed {
        return warnings;
    }
    if managed.get("allowManagedHooksOnly") == Some(&Value::Bool(true)) {
        warnings.push(Warning::ManagedHooksOnly { scope });
    }
    if managed.get("disableAllHooks") == Some(&Value::Bool(true)) {
        warnings.push(Warning::ManagedDisableAllHooks);
    }
    warnings
}

/// Removes warden's handlers (see [`is_warden_handler`]) from every event,
/// and nothing else.
///
/// A matcher group left empty by the removal is dropped, then an event
/// array left empty, then `hooks` if it is left empty. Empty groups, arrays
/// or `hooks` that were empty before are kept, except that an event array
/// (or `hooks`) that was empty before [`install`] is indistinguishable from
/// one install created, and is dropped. Settings without warden handlers are
/// returned unchanged.
///
/// `allowManagedHooksOnly` is never removed, even when [`install`] set it:
/// nothing records who set it, and removing a managed lock someone else
/// relies on would be worse than leaving one behind. The binary can tell
/// the user to remove it by hand.
///
/// # Errors
///
/// The settings are not an object, or `hooks` or an event's value has the
/// wrong type.
pub fn uninstall(settings: Value) -> Result<Value, SettingsError> {
    let Value::Object(mut root) = settings else {
        return Err(SettingsError::NotAnObject);
    };
    let Some(hooks) = root.get_mut("hooks") else {
        return Ok(Value::Object(root));
    };
    let Value::Object(hooks) = hooks else {
        return Err(SettingsError::HooksNotAnObject);
    };
    check_event_arrays(hooks)?;

    let mut removed_any = false;
    let events: Vec<String> = hooks.keys().cloned().collect();
    for event in events {
        if let Some(Value::Array(groups)) = hooks.get_mut(&event) {
            if strip_warden(groups).is_some() {
                removed_any = true;
                if groups.is_empty() {
                    remove_key(hooks, &event);
                }
            }
        }
    }
    if removed_any && hooks.is_empty() {
        remove_key(&mut root, "hooks");
    }
    Ok(Value::Object(root))
}

/// Every event's value must be an array.
fn check_event_arrays(hooks: &Map<String, Value>) -> Result<(), SettingsError> {
    match hooks.iter().find(|(_, groups)| !groups.is_array()) {
        Some((event, _)) => Err(SettingsError::EventNotAnArray {
            event: event.clone(),
        }),
        None => Ok(()),
    }
}

/// Removes `key` from `map`, keeping the order of the other keys.
fn remove_key(map: &mut Map<String, Value>, key: &str) {
    map.retain(|k, _| k != key);
}

/// Removes warden's handlers from `groups`, dropping the groups that this
/// leaves empty. Returns where a replacement goes, or `None` when nothing
/// was removed: the index in the new `groups` of the first group warden's
/// handler was removed from when that group was dropped, else the index
/// right after it.
fn strip_warden(groups: &mut Vec<Value>) -> Option<usize> {
    let mut first = None;
    let mut kept = Vec::with_capacity(groups.len());
    for mut group in groups.drain(..) {
        let (removed, emptied) = match group.get_mut("hooks") {
            Some(Value::Array(handlers)) => {
                let before = handlers.len();
                handlers.retain(|handler| !is_warden_handler(handler));
                (handlers.len() < before, handlers.is_empty())
            }
            _ => (false, false),
        };
        if !(removed && emptied) {
            kept.push(group);
        }
        if removed {
            // Where the emptied group was, or right after the group that
            // keeps the user's handlers.
            first.get_or_insert(kept.len());
        }
    }
    *groups = kept;
    first
}

/// Warden's matcher group for `event`.
fn warden_group(event: &str, options: &InstallOptions) -> Value {
    let mut handler = Map::new();
    handler.insert("type".to_owned(), Value::from("command"));
    handler.insert("command".to_owned(), Value::from(options.command.as_str()));
    handler.insert("timeout".to_owned(), Value::from(options.timeout(event)));

    let mut group = Map::new();
    if TOOL_EVENTS.contains(&event) {
        group.insert("matcher".to_owned(), Value::from("*"));
    }
    group.insert(
        "hooks".to_owned(),
        Value::Array(vec![Value::Object(handler)]),
    );
    Value::Object(group)
}

/// What a settings file holds, as far as hooks go (see [`status`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InstallStatus {
    /// One entry per event in [`EVENTS`], in that order.
    pub events: Vec<EventStatus>,
    /// Warden handlers under events warden does not register for (left by
    /// an older version; [`install`] removes them).
    pub stale: Vec<HandlerStatus>,
    /// Every handler that is not warden's.
    pub other_hooks: Vec<OtherHook>,
    /// Whether the file sets `disableAllHooks: true`.
    pub disable_all_hooks: bool,
    /// Whether the file sets `allowManagedHooksOnly: true`.
    pub allow_managed_hooks_only: bool,
    /// Parts of the file that are not shaped like hook registrations, each
    /// described with where it is (`hooks.PreToolUse[0]` …).
    pub problems: Vec<String>,
}

impl InstallStatus {
    /// Whether warden governs every event from this file: each event in
    /// [`EVENTS`] has a warden handler that fails closed and covers every
    /// matcher value, and hooks are not disabled.
    pub fn is_complete(&self) -> bool {
        !self.disable_all_hooks
            && self.events.iter().all(|event| {
                event
                    .handlers
                    .iter()
                    .any(|h| h.fails_closed && h.covers_all)
            })
    }

    /// Whether any warden handler is registered (for any event).
    pub fn is_installed(&self) -> bool {
        !self.stale.is_empty() || self.events.iter().any(|e| !e.handlers.is_empty())
    }
}

/// Warden's handlers for one event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventStatus {
    /// The event (one of [`EVENTS`]).
    pub event: &'static str,
    /// Warden's handlers for it, in file order (normally one).
    pub handlers: Vec<HandlerStatus>,
}

/// One warden handler.
#[derive(Debug, Clone, PartialEq)]
pub struct HandlerStatus {
    /// The event it is registered under.
    pub event: String,
    /// Its group's matcher, if the group has a string one.
    pub matcher: Option<String>,
    /// Whether the matcher selects everything (`"*"`, `""`, `".*"` or none).
    pub covers_all: bool,
    /// Its command.
    pub command: String,
    /// Whether the command fails closed (see [`fails_closed`]).
    pub fails_closed: bool,
    /// Its timeout in seconds, if it has a numeric one (Claude Code's
    /// default for command hooks, 600 s, applies otherwise).
    pub timeout: Option<f64>,
}

/// A handler that is not warden's.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherHook {
    /// The event it is registered under.
    pub event: String,
    /// Its group's matcher, if the group has a string one.
    pub matcher: Option<String>,
    /// Its `type` (`command`, `http`, …), if it has a string one.
    pub kind: Option<String>,
    /// What it runs: its `command`, `url`, or `server`/`tool`, if any.
    pub target: Option<String>,
}

/// Reports warden's handlers, the other hooks and the hook switches in one
/// settings file. Never fails: what it cannot read goes to
/// [`InstallStatus::problems`].
pub fn status(settings: &Value) -> InstallStatus {
    let mut status = InstallStatus {
        events: EVENTS
            .iter()
            .map(|event| EventStatus {
                event,
                handlers: Vec::new(),
            })
            .collect(),
        ..InstallStatus::default()
    };
    let Some(root) = settings.as_object() else {
        status
            .problems
            .push("the settings are not an object".to_owned());
        return status;
    };
    status.disable_all_hooks = root.get("disableAllHooks") == Some(&Value::Bool(true));
    status.allow_managed_hooks_only = root.get("allowManagedHooksOnly") == Some(&Value::Bool(true));
    let hooks = match root.get("hooks") {
        None => return status,
        Some(Value::Object(hooks)) => hooks,
        Some(_) => {
            status.problems.push("hooks is not an object".to_owned());
            return status;
        }
    };
    for (event, groups) in hooks {
        let Some(groups) = groups.as_array() else {
            status
                .problems
                .push(format!("hooks.{event} is not an array"));
            continue;
        };
        for (g, group) in groups.iter().enumerate() {
            let Some(group) = group.as_object() else {
                status
                    .problems
                    .push(format!("hooks.{event}[{g}] is not an object"));
                continue;
            };
            let matcher_value = group.get("matcher");
            let matcher = matcher_value.and_then(Value::as_str).map(str::to_owned);
            let covers_all = match matcher_value {
                None | Some(Value::Null) => true,
                Some(Value::String(m)) => matches!(m.as_str(), "" | "*" | ".*"),
                Some(_) => false,
            };
            let Some(handlers) = group.get("hooks").and_then(Value::as_array) else {
                status
                    .problems
                    .push(format!("hooks.{event}[{g}].hooks is not an array"));
                continue;
            };
            for handler in handlers {
                record_handler(&mut status, event, &matcher, covers_all, handler);
            }
        }
    }
    status
}

fn record_handler(
    status: &mut InstallStatus,
    event: &str,
    matcher: &Option<String>,
    covers_all: bool,
    handler: &Value,
) {
    let command = handler.get("command").and_then(Value::as_str);
    match command {
        Some(command) if command.contains(COMMAND_MARKER) => {
            let found = HandlerStatus {
                event: event.to_owned(),
                matcher: matcher.clone(),
                covers_all,
                command: command.to_owned(),
                fails_closed: fails_closed(command),
                timeout: handler.get("timeout").and_then(Value::as_f64),
            };
            match status.events.iter_mut().find(|e| e.event == event) {
                Some(entry) => entry.handlers.push(found),
                None => status.stale.push(found),
            }
        }
        _ => {
            let text = |key: &str| handler.get(key).and_then(Value::as_str);
            let target = command
                .or_else(|| text("url"))
                .map(str::to_owned)
                .or_else(|| match (text("server"), text("tool")) {
                    (Some(server), Some(tool)) => Some(format!("{server}/{tool}")),
                    (Some(server), None) => Some(server.to_owned()),
                    _ => None,
                });
            status.other_hooks.push(OtherHook {
                event: event.to_owned(),
                matcher: matcher.clone(),
                kind: text("type").map(str::to_owned),
                target,
            });
        }
    }
}
