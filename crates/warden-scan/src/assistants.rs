//! Finding assistants and reading their configs.
//!
//! Locations and keys follow the reference `hooks-and-configs.md`:
//!
//! | assistant | found by | read |
//! |---|---|---|
//! | Claude Code | `claude`; `~/.claude/` (`CLAUDE_CONFIG_DIR`); extension `anthropic.claude-code` | `settings.json` (`permissions.defaultMode`, `permissions.allow`, `hooks`, `disableAllHooks`, `enabledPlugins`), managed `managed-settings.json` (+`.d/`) with `allowManagedHooksOnly` and `disableBypassPermissionsMode`, `~/.claude.json` `mcpServers` (user and `projects.*`), `managed-mcp.json`; project `.claude/settings*.json`, `.mcp.json` |
//! | Codex CLI | `codex`; `~/.codex/` (`CODEX_HOME`); extension `openai.chatgpt` | `config.toml` (`approval_policy`, `sandbox_mode`, `sandbox_workspace_write.network_access`, the active `profile`, `mcp_servers`, `[hooks]`, `features.hooks`), `hooks.json`, `rules/*.rules` (`prefix_rule` with decision `allow`, the default), `/etc/codex/config.toml`, `/etc/codex/requirements.toml` |
//! | Gemini CLI | `gemini`; `~/.gemini/` | `settings.json` (`general.defaultApprovalMode`, `security.disableYoloMode`, `tools.allowed`, `hooks`, `hooksConfig.enabled`, `mcpServers` with `trust`), `/etc/gemini-cli/settings.json`, `policies/*.toml` (`[[rule]]` with `decision = "allow"`), `extensions/*/gemini-extension.json` |
//! | Cursor | `cursor`, `cursor-agent`; `~/.cursor/` | `mcp.json`, `hooks.json` (`failClosed`), `/etc/cursor/hooks.json`, `~/.cursor/extensions` |
//! | VS Code + Copilot | extensions `github.copilot*`; `chat.*` settings or a user `mcp.json`; then `code` | user `settings.json` (`chat.tools.autoApprove`, `chat.tools.global.autoApprove`, `chat.tools.terminal.autoApprove`, `chat.tools.urls.autoApprove`, `chat.permissions.default`, `chat.hookFilesLocations`, legacy `mcp`), user and profile `mcp.json` (`servers`), hooks from `~/.claude/settings.json` and `~/.copilot/hooks/*.json` |
//! | Cline | extension `saoudrizwan.claude-dev`; `cline`; `~/.cline/` | `cline_mcp_settings.json` (new path, `CLINE_*` overrides, the VS Code globalStorage and `~/Documents/Cline/MCP` legacy paths; `alwaysAllow`), hook files `~/Documents/Cline/Hooks/<Hook>` |
//! | Continue | extension `continue.continue`; `cn`; `~/.continue/` | `config.yaml` `mcpServers`, `mcpServers/*.yaml|*.json`, `permissions.yaml` `allow` |
//! | Windsurf | `windsurf`; `~/.codeium/windsurf/` | `mcp_config.json` (`serverUrl`), `hooks.json`, `/etc/windsurf/hooks.json`, `~/.windsurf/extensions` |
//! | Zed | `zed`, `zeditor`; `~/.config/zed/` | `settings.json` `context_servers`; `agent.tool_permissions` (`default`, `tools.*.always_allow`) and the older `agent.always_allow_tool_actions` (from Zed's tool-permissions docs; the reference marks tool permissions UNCONFIRMED); installed extensions |
//! | Goose | `goose`; `~/.config/goose/` | `config.yaml` (`GOOSE_MODE`, `extensions`), `secrets.yaml` values; `GOOSE_MODE` in the environment wins |
//! | Copilot CLI | `copilot`; `~/.copilot/` (`COPILOT_HOME`) | `mcp-config.json`, `hooks/*.json` |
//!
//! Cursor's and Windsurf's own auto-run settings and Cline's auto-approval
//! settings live in editor state databases, which are not read.

use crate::creds::ShellFacts;
use crate::fsread::Ctx;
use crate::hooks::{self, HookEntry, Semantics};
use crate::mcp::{self, Extra};
use crate::parse::{self, at, str_at, strings};
use crate::risk::NativeSandbox;
use crate::{
    Assistant, AssistantKind as K, CredentialFinding, Evidence, EvidenceKind, ScanOptions,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a settings file sits in an assistant's precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    User,
    Project,
    Managed,
}

struct Discovery<'a> {
    ctx: &'a Ctx,
    map: BTreeMap<K, Assistant>,
    creds: &'a mut Vec<CredentialFinding>,
    hooks: BTreeMap<K, Vec<HookEntry>>,
    /// (kind, setting, file) that switch an assistant's hooks off.
    hooks_off: Vec<(K, String, PathBuf)>,
    claude_managed_only: bool,
    /// Mode ranks per kind (higher = more permissive).
    mode_rank: BTreeMap<K, u8>,
}

/// Finds every assistant (see the module docs).
pub(crate) fn discover(
    ctx: &Ctx,
    opts: &ScanOptions,
    shell: &ShellFacts,
    creds: &mut Vec<CredentialFinding>,
) -> Vec<Assistant> {
    let mut d = Discovery {
        ctx,
        map: BTreeMap::new(),
        creds,
        hooks: BTreeMap::new(),
        hooks_off: Vec::new(),
        claude_managed_only: false,
        mode_rank: BTreeMap::new(),
    };
    // Each part runs guarded: a panic in one parser loses that part only.
    let parts = [
        "Claude Code configs",
        "Codex configs",
        "Gemini CLI configs",
        "Cursor configs",
        "VS Code configs",
        "editor extensions",
        "Cline configs",
        "Continue configs",
        "Windsurf configs",
        "Zed configs",
        "Goose configs",
        "Copilot CLI configs",
    ];
    for (i, what) in parts.iter().enumerate() {
        let run = std::panic::AssertUnwindSafe(|| match i {
            0 => d.claude(),
            1 => d.codex(),
            2 => d.gemini(),
            3 => d.cursor(),
            4 => d.vscode(),
            5 => d.extensions(),
            6 => d.cline(),
            7 => d.continue_(),
            8 => d.windsurf(),
            9 => d.zed(),
            10 => d.goose(),
            _ => d.copilot_cli(),
        });
        if std::panic::catch_unwind(run).is_err() {
            ctx.note(format!("internal error while reading {what}; skipped"));
        }
    }
    for p in &opts.paths {
        let run = std::panic::AssertUnwindSafe(|| d.project(p));
        if std::panic::catch_unwind(run).is_err() {
            ctx.note(format!(
                "internal error while reading the project configs of {}; skipped",
                p.display()
            ));
        }
    }
    if let Some(path_env) = &opts.path_env {
        d.binaries(path_env);
    }
    d.finish(shell)
}

impl Discovery<'_> {
    fn entry(&mut self, kind: K) -> &mut Assistant {
        self.map.entry(kind).or_insert_with(|| Assistant::new(kind))
    }

    fn evidence(&mut self, kind: K, ev: EvidenceKind, path: &Path) {
        let a = self.entry(kind);
        let e = Evidence {
            kind: ev,
            path: path.to_path_buf(),
        };
        if !a.found_by.contains(&e) {
            a.found_by.push(e);
        }
    }

    fn hook_entries(&mut self, kind: K, v: Option<&Value>, origin: &Path) {
        let list = self.hooks.entry(kind).or_default();
        hooks::collect(v, origin, list);
    }

    /// Records a permission mode; the most permissive one (by `rank`) wins.
    fn mode(&mut self, kind: K, mode: &str, rank: u8, origin: &Path, bypass: bool) {
        let best = self.mode_rank.get(&kind).copied();
        let a = self.entry(kind);
        if bypass {
            a.bypass = true;
            if a.facts.bypass_setting.is_none() {
                a.facts.bypass_setting = Some((mode.to_owned(), origin.to_path_buf()));
            }
        }
        if best.is_none_or(|b| rank > b) {
            a.permission_mode = Some(mode.to_owned());
            a.facts.mode_source = Some(origin.to_path_buf());
            self.mode_rank.insert(kind, rank);
        }
    }

    fn allow(&mut self, kind: K, rule: &str, origin: &Path) {
        let rule = crate::render::clean(rule, 160);
        let a = self.entry(kind);
        if !a.allow_rules.contains(&rule) {
            a.allow_rules.push(rule.clone());
            a.facts.allow_origin.push((rule, origin.to_path_buf()));
        }
    }

    fn plugin(&mut self, kind: K, name: &str) {
        let name = crate::render::clean(name, 120);
        let a = self.entry(kind);
        if !a.plugins.contains(&name) && a.plugins.len() < 500 {
            a.plugins.push(name);
        }
    }

    fn extra(&mut self, kind: K, extra: Extra, origin: &Path) {
        for r in &extra.allow_rules {
            self.allow(kind, r, origin);
        }
        let a = self.entry(kind);
        a.facts.auto_approved_mcp.extend(
            extra
                .auto_approved
                .into_iter()
                .map(|(s, why)| (s, why, origin.to_path_buf())),
        );
        a.facts.literal_tokens.extend(
            extra
                .literal_tokens
                .into_iter()
                .map(|(s, v)| (s, v, origin.to_path_buf())),
        );
    }

    /// MCP servers of an object `name → entry` for `kind`.
    fn servers_map(&mut self, kind: K, map: Option<&Value>, origin: &Path) {
        let mut servers = Vec::new();
        let mut extra = Extra::default();
        mcp::servers_from_map(self.ctx, map, origin, &mut servers, self.creds, &mut extra);
        self.entry(kind).mcp_servers.extend(servers);
        self.extra(kind, extra, origin);
    }

    fn servers_list(&mut self, kind: K, list: Option<&Value>, origin: &Path) {
        let mut servers = Vec::new();
        let mut extra = Extra::default();
        mcp::servers_from_list(self.ctx, list, origin, &mut servers, self.creds, &mut extra);
        self.entry(kind).mcp_servers.extend(servers);
        self.extra(kind, extra, origin);
    }

    fn read(&self, path: &Path, parser: fn(&[u8]) -> parse::ParseResult) -> Option<Value> {
        let buf = self.ctx.read(path)?;
        match parser(&buf) {
            Ok(v) => Some(v),
            Err((format, message)) => {
                self.ctx.note_err(&crate::ScanError::Parse {
                    path: path.to_path_buf(),
                    format,
                    message,
                });
                None
            }
        }
    }

    fn config_dir(&mut self, kind: K, dir: &Path) -> bool {
        if self.ctx.is_dir(dir) {
            self.evidence(kind, EvidenceKind::Config, dir);
            let a = self.entry(kind);
            a.facts.config.get_or_insert_with(|| dir.to_path_buf());
            true
        } else {
            false
        }
    }

    /// The JSON files of a directory, sorted.
    fn files_with(&self, dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
        self.ctx
            .list_dir(dir)
            .into_iter()
            .filter(|(name, _, is_dir)| !is_dir && exts.iter().any(|e| name.ends_with(e)))
            .map(|(_, p, _)| p)
            .take(200)
            .collect()
    }

    // ------------------------------------------------------------ Claude Code

    fn claude(&mut self) {
        let relocated = self.ctx.relocated("CLAUDE_CONFIG_DIR");
        let dir = relocated
            .clone()
            .unwrap_or_else(|| self.ctx.home.join(".claude"));
        self.config_dir(K::ClaudeCode, &dir);
        let user = dir.join("settings.json");
        if let Some(v) = self.read(&user, parse::json) {
            self.evidence(K::ClaudeCode, EvidenceKind::Config, &user);
            self.entry(K::ClaudeCode).facts.config = Some(user.clone());
            self.claude_settings(&v, &user, Scope::User);
        }
        if let Some(managed) = self.ctx.system("etc/claude-code/managed-settings.json") {
            let mut files = vec![managed.clone()];
            if let Some(d) = managed.parent() {
                files.extend(self.files_with(&d.join("managed-settings.d"), &[".json"]));
            }
            for f in files {
                if let Some(v) = self.read(&f, parse::json) {
                    self.evidence(K::ClaudeCode, EvidenceKind::Config, &f);
                    self.claude_settings(&v, &f, Scope::Managed);
                }
            }
            if let Some(m) = self.ctx.system("etc/claude-code/managed-mcp.json") {
                if let Some(v) = self.read(&m, parse::json) {
                    self.servers_map(K::ClaudeCode, v.get("mcpServers"), &m);
                }
            }
        }
        let state = match &relocated {
            Some(d) => d.join(".claude.json"),
            None => self.ctx.home.join(".claude.json"),
        };
        if let Some(v) = self.read(&state, parse::json) {
            self.evidence(K::ClaudeCode, EvidenceKind::Config, &state);
            self.servers_map(K::ClaudeCode, v.get("mcpServers"), &state);
            if let Some(projects) = v.get("projects").and_then(Value::as_object) {
                for p in projects.values().take(5000) {
                    self.servers_map(K::ClaudeCode, p.get("mcpServers"), &state);
                }
            }
        }
    }

    fn claude_settings(&mut self, v: &Value, path: &Path, scope: Scope) {
        if let Some(mode) = str_at(v, &["permissions", "defaultMode"]) {
            let (rank, bypass) = match mode {
                "bypassPermissions" => (5, true),
                "auto" => (3, false),
                "acceptEdits" => (2, false),
                "default" | "manual" => (1, false),
                _ => (0, false), // plan, dontAsk
            };
            self.mode(K::ClaudeCode, mode, rank, path, bypass);
            if mode == "acceptEdits" || mode == "auto" {
                self.entry(K::ClaudeCode).facts.accept_edits = true;
            }
        }
        for rule in strings(at(v, &["permissions", "allow"])).iter().take(1000) {
            self.allow(K::ClaudeCode, rule, path);
        }
        if scope == Scope::Managed {
            if str_at(v, &["permissions", "disableBypassPermissionsMode"]) == Some("disable") {
                self.entry(K::ClaudeCode).facts.bypass_disabled = Some(path.to_path_buf());
            }
            if v.get("allowManagedHooksOnly").and_then(Value::as_bool) == Some(true) {
                self.claude_managed_only = true;
            }
        }
        if v.get("disableAllHooks").and_then(Value::as_bool) == Some(true) {
            self.hooks_off.push((
                K::ClaudeCode,
                "disableAllHooks".to_owned(),
                path.to_path_buf(),
            ));
        }
        let hooks = v.get("hooks");
        let mut entries = Vec::new();
        hooks::collect(hooks, path, &mut entries);
        for e in &mut entries {
            if scope == Scope::Managed {
                e.display = Some(format!("{} (managed)", e.command));
            }
        }
        self.hooks
            .entry(K::ClaudeCode)
            .or_default()
            .extend(entries.iter().cloned());
        // VS Code's agent reads hooks from Claude Code's user and project
        // settings files too (not from managed ones).
        if scope != Scope::Managed {
            self.hooks
                .entry(K::VscodeCopilot)
                .or_default()
                .extend(entries);
        }
        if let Some(plugins) = v.get("enabledPlugins").and_then(Value::as_object) {
            for (name, on) in plugins.iter().take(500) {
                if on.as_bool() != Some(false) {
                    self.plugin(K::ClaudeCode, name);
                }
            }
        }
    }

    // ------------------------------------------------------------ Codex

    fn codex(&mut self) {
        let dir = self
            .ctx
            .relocated("CODEX_HOME")
            .unwrap_or_else(|| self.ctx.home.join(".codex"));
        self.config_dir(K::Codex, &dir);
        let config = dir.join("config.toml");
        if let Some(v) = self.read(&config, parse::toml) {
            self.evidence(K::Codex, EvidenceKind::Config, &config);
            self.entry(K::Codex).facts.config = Some(config.clone());
            self.codex_config(&v, &config);
        }
        let hooks_json = dir.join("hooks.json");
        if let Some(v) = self.read(&hooks_json, parse::json) {
            self.hook_entries(K::Codex, v.get("hooks"), &hooks_json);
        }
        for rules in self.files_with(&dir.join("rules"), &[".rules"]) {
            if let Some(buf) = self.ctx.read(&rules) {
                for r in codex_allow_rules(&String::from_utf8_lossy(&buf)) {
                    self.allow(K::Codex, &format!("prefix_rule({r})"), &rules);
                }
            }
        }
        if let Some(sys) = self.ctx.system("etc/codex/config.toml") {
            if let Some(v) = self.read(&sys, parse::toml) {
                self.evidence(K::Codex, EvidenceKind::Config, &sys);
                self.codex_config(&v, &sys);
            }
        }
        if let Some(req) = self.ctx.system("etc/codex/requirements.toml") {
            if let Some(v) = self.read(&req, parse::toml) {
                self.hook_entries(K::Codex, v.get("hooks"), &req);
            }
        }
    }

    fn codex_config(&mut self, v: &Value, path: &Path) {
        // The active profile overrides the top level.
        let profile = v
            .get("profile")
            .and_then(Value::as_str)
            .and_then(|p| at(v, &["profiles", p]));
        let get = |k: &str| profile.and_then(|p| p.get(k)).or_else(|| v.get(k));
        let approval = get("approval_policy").map(|a| match a {
            Value::String(s) => s.clone(),
            Value::Object(o) => o.keys().next().cloned().unwrap_or_default(),
            _ => String::new(),
        });
        let sandbox = get("sandbox_mode")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let network = get("sandbox_workspace_write")
            .and_then(|s| s.get("network_access"))
            .and_then(Value::as_bool)
            == Some(true);
        if approval.is_some() || sandbox.is_some() {
            let a = approval.clone().unwrap_or_else(|| "on-request".to_owned());
            let s = sandbox
                .clone()
                .unwrap_or_else(|| "workspace-write".to_owned());
            let never = a == "never";
            let full = s == "danger-full-access";
            let rank = match (never, full) {
                (true, true) => 5,
                (true, false) => 4,
                (false, true) => 3,
                _ => 1,
            };
            self.mode(
                K::Codex,
                &format!("approval_policy={a}, sandbox_mode={s}"),
                rank,
                path,
                never,
            );
            if never {
                let native = match s.as_str() {
                    "danger-full-access" => None,
                    "read-only" => Some(NativeSandbox::ReadOnly),
                    _ => Some(NativeSandbox::WorkspaceWrite { network }),
                };
                self.entry(K::Codex).facts.native_sandbox = native;
            }
        }
        self.servers_map(K::Codex, v.get("mcp_servers"), path);
        self.hook_entries(K::Codex, v.get("hooks"), path);
        if at(v, &["features", "hooks"]).and_then(Value::as_bool) == Some(false) {
            self.hooks_off.push((
                K::Codex,
                "[features] hooks = false".to_owned(),
                path.to_path_buf(),
            ));
        }
    }

    // ------------------------------------------------------------ Gemini CLI

    fn gemini(&mut self) {
        let dir = self.ctx.home.join(".gemini");
        self.config_dir(K::Gemini, &dir);
        let user = dir.join("settings.json");
        let mut files = vec![user.clone()];
        let system = match self.ctx.env("GEMINI_CLI_SYSTEM_SETTINGS_PATH") {
            Some(p) if Path::new(p).is_absolute() && self.ctx.system_root.is_some() => {
                Some(PathBuf::from(p))
            }
            _ => self.ctx.system("etc/gemini-cli/settings.json"),
        };
        files.extend(system);
        files.extend(self.ctx.system("etc/gemini-cli/system-defaults.json"));
        for f in files {
            if let Some(v) = self.read(&f, parse::json) {
                self.evidence(K::Gemini, EvidenceKind::Config, &f);
                if f == user {
                    self.entry(K::Gemini).facts.config = Some(f.clone());
                }
                self.gemini_settings(&v, &f);
            }
        }
        for policy in self.files_with(&dir.join("policies"), &[".toml"]) {
            let Some(v) = self.read(&policy, parse::toml) else {
                continue;
            };
            for rule in v
                .get("rule")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .take(1000)
            {
                if rule.get("decision").and_then(Value::as_str) != Some("allow") {
                    continue;
                }
                let tool = rule.get("toolName").and_then(Value::as_str).unwrap_or("*");
                let text = match rule.get("commandPrefix").and_then(Value::as_str) {
                    Some(prefix) => format!("{tool}({prefix})"),
                    None => tool.to_owned(),
                };
                self.allow(K::Gemini, &text, &policy);
            }
        }
        for (name, ext, is_dir) in self.ctx.list_dir(&dir.join("extensions")) {
            if !is_dir || name.starts_with('.') {
                continue;
            }
            self.plugin(K::Gemini, &name);
            let manifest = ext.join("gemini-extension.json");
            if let Some(v) = self.read(&manifest, parse::json) {
                self.servers_map(K::Gemini, v.get("mcpServers"), &manifest);
            }
        }
    }

    fn gemini_settings(&mut self, v: &Value, path: &Path) {
        if let Some(mode) = str_at(v, &["general", "defaultApprovalMode"]) {
            let (rank, bypass) = match mode {
                "yolo" => (5, true),
                "auto_edit" => (2, false),
                "default" => (1, false),
                _ => (0, false),
            };
            self.mode(K::Gemini, mode, rank, path, bypass);
            if mode == "auto_edit" {
                self.entry(K::Gemini).facts.accept_edits = true;
            }
        }
        for rule in strings(at(v, &["tools", "allowed"])).iter().take(1000) {
            self.allow(K::Gemini, rule, path);
        }
        self.hook_entries(K::Gemini, v.get("hooks"), path);
        if at(v, &["hooksConfig", "enabled"]).and_then(Value::as_bool) == Some(false) {
            self.hooks_off.push((
                K::Gemini,
                "hooksConfig.enabled = false".to_owned(),
                path.to_path_buf(),
            ));
        }
        self.servers_map(K::Gemini, v.get("mcpServers"), path);
    }

    // ------------------------------------------------------------ Cursor

    fn cursor(&mut self) {
        let dir = self.ctx.home.join(".cursor");
        self.config_dir(K::Cursor, &dir);
        let mcp = dir.join("mcp.json");
        if let Some(v) = self.read(&mcp, parse::json) {
            self.evidence(K::Cursor, EvidenceKind::Config, &mcp);
            self.servers_map(K::Cursor, v.get("mcpServers"), &mcp);
        }
        let mut hook_files = vec![dir.join("hooks.json")];
        hook_files.extend(self.ctx.system("etc/cursor/hooks.json"));
        for f in hook_files {
            if let Some(v) = self.read(&f, parse::json) {
                self.evidence(K::Cursor, EvidenceKind::Config, &f);
                self.hook_entries(K::Cursor, v.get("hooks"), &f);
            }
        }
        let settings = self.ctx.xdg_config().join("Cursor/User/settings.json");
        if self.ctx.exists(&settings) {
            self.evidence(K::Cursor, EvidenceKind::Config, &settings);
        }
    }

    // ------------------------------------------------------------ VS Code

    /// VS Code's user directories (stable and Insiders, Linux and macOS)
    /// and their profiles.
    fn vscode_user_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = Vec::new();
        let bases = [
            self.ctx.xdg_config().join("Code/User"),
            self.ctx.xdg_config().join("Code - Insiders/User"),
            self.ctx.home.join("Library/Application Support/Code/User"),
        ];
        for b in bases {
            if self.ctx.is_dir(&b) {
                for (_, p, is_dir) in self.ctx.list_dir(&b.join("profiles")) {
                    if is_dir {
                        dirs.push(p);
                    }
                }
                dirs.insert(0, b);
            }
        }
        dirs
    }

    fn vscode(&mut self) {
        for dir in self.vscode_user_dirs() {
            let settings = dir.join("settings.json");
            if let Some(v) = self.read(&settings, parse::json) {
                self.vscode_settings(&v, &settings);
            }
            let mcp = dir.join("mcp.json");
            if let Some(v) = self.read(&mcp, parse::json) {
                self.evidence(K::VscodeCopilot, EvidenceKind::Config, &mcp);
                self.servers_map(K::VscodeCopilot, v.get("servers"), &mcp);
            }
        }
    }

    fn vscode_settings(&mut self, v: &Value, path: &Path) {
        let Some(obj) = v.as_object() else { return };
        let relevant = obj
            .keys()
            .any(|k| k.starts_with("chat.") || k.starts_with("github.copilot") || k == "mcp");
        if !relevant {
            return;
        }
        self.evidence(K::VscodeCopilot, EvidenceKind::Config, path);
        self.entry(K::VscodeCopilot)
            .facts
            .config
            .get_or_insert_with(|| path.to_path_buf());
        for key in ["chat.tools.global.autoApprove", "chat.tools.autoApprove"] {
            if obj.get(key).and_then(Value::as_bool) == Some(true) {
                self.mode(K::VscodeCopilot, &format!("{key}: true"), 5, path, true);
            }
        }
        if let Some(mode) = obj.get("chat.permissions.default").and_then(Value::as_str) {
            let bypass = matches!(mode, "allow" | "autoApprove" | "autopilot");
            self.mode(
                K::VscodeCopilot,
                &format!("chat.permissions.default: {mode}"),
                if bypass { 5 } else { 1 },
                path,
                bypass,
            );
        }
        let terminal_on = obj
            .get("chat.tools.terminal.enableAutoApprove")
            .and_then(Value::as_bool)
            != Some(false);
        if terminal_on {
            if let Some(rules) = obj
                .get("chat.tools.terminal.autoApprove")
                .and_then(Value::as_object)
            {
                for (cmd, on) in rules.iter().take(1000) {
                    let approved = on.as_bool() == Some(true)
                        || on.get("approve").and_then(Value::as_bool) == Some(true);
                    if approved {
                        self.allow(K::VscodeCopilot, &format!("terminal({cmd})"), path);
                    }
                }
            }
        }
        if let Some(rules) = obj
            .get("chat.tools.urls.autoApprove")
            .and_then(Value::as_object)
        {
            for (url, on) in rules.iter().take(1000) {
                if on.as_bool() == Some(true) || on.is_object() {
                    self.allow(K::VscodeCopilot, &format!("url({url})"), path);
                }
            }
        }
        if let Some(locations) = obj
            .get("chat.hookFilesLocations")
            .and_then(Value::as_object)
        {
            for (loc, on) in locations {
                if on.as_bool() == Some(false) && loc.ends_with(".claude/settings.json") {
                    self.hooks_off.push((
                        K::VscodeCopilot,
                        format!("chat.hookFilesLocations turns off {loc}"),
                        path.to_path_buf(),
                    ));
                }
            }
        }
        if let Some(legacy) = obj.get("mcp") {
            self.servers_map(K::VscodeCopilot, legacy.get("servers"), path);
        }
    }

    // ------------------------------------------------------------ extensions

    fn extensions(&mut self) {
        let home = self.ctx.home.clone();
        let hosts: [(PathBuf, Option<K>); 5] = [
            (home.join(".vscode/extensions"), Some(K::VscodeCopilot)),
            (
                home.join(".vscode-insiders/extensions"),
                Some(K::VscodeCopilot),
            ),
            (
                home.join(".vscode-server/extensions"),
                Some(K::VscodeCopilot),
            ),
            (home.join(".cursor/extensions"), Some(K::Cursor)),
            (home.join(".windsurf/extensions"), Some(K::Windsurf)),
        ];
        let mut vscode_ids: Vec<String> = Vec::new();
        for (dir, host) in hosts {
            let entries = self.ctx.list_dir(&dir);
            let is_vscode = host == Some(K::VscodeCopilot);
            for (name, path, is_dir) in entries {
                if !is_dir || name.starts_with('.') {
                    continue;
                }
                let id = extension_id(&name).to_ascii_lowercase();
                let owner = match id.as_str() {
                    "github.copilot" | "github.copilot-chat" if is_vscode => Some(K::VscodeCopilot),
                    "saoudrizwan.claude-dev" => Some(K::Cline),
                    "continue.continue" => Some(K::Continue),
                    "anthropic.claude-code" => Some(K::ClaudeCode),
                    "openai.chatgpt" => Some(K::Codex),
                    _ => None,
                };
                if let Some(k) = owner {
                    self.evidence(k, EvidenceKind::Extension, &path);
                }
                match host {
                    Some(K::VscodeCopilot) => vscode_ids.push(id),
                    Some(h) if self.map.contains_key(&h) => self.plugin(h, &id),
                    _ => {}
                }
            }
        }
        if self.map.contains_key(&K::VscodeCopilot) {
            for id in vscode_ids {
                self.plugin(K::VscodeCopilot, &id);
            }
        }
    }

    // ------------------------------------------------------------ Cline

    fn cline(&mut self) {
        let home = self.ctx.home.clone();
        let cline_dir = self
            .ctx
            .relocated("CLINE_DIR")
            .unwrap_or_else(|| home.join(".cline"));
        self.config_dir(K::Cline, &cline_dir);
        let data = self
            .ctx
            .relocated("CLINE_DATA_DIR")
            .unwrap_or_else(|| cline_dir.join("data"));
        let mut files = vec![match self.ctx.env("CLINE_MCP_SETTINGS_PATH") {
            Some(p) if Path::new(p).is_absolute() => {
                let p = PathBuf::from(p);
                if let Some(parent) = p.parent() {
                    self.ctx.add_root(parent);
                }
                p
            }
            _ => data.join("settings/cline_mcp_settings.json"),
        }];
        for dir in self.vscode_user_dirs() {
            files.push(
                dir.join("globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json"),
            );
        }
        files.push(home.join("Documents/Cline/MCP/cline_mcp_settings.json"));
        for f in files {
            if let Some(v) = self.read(&f, parse::json) {
                self.evidence(K::Cline, EvidenceKind::Config, &f);
                self.servers_map(K::Cline, v.get("mcpServers"), &f);
            }
        }
        let hooks_dir = home.join("Documents/Cline/Hooks");
        for (name, path, is_dir) in self.ctx.list_dir(&hooks_dir) {
            if is_dir || name.starts_with('.') {
                continue;
            }
            self.evidence(K::Cline, EvidenceKind::Config, &hooks_dir);
            let Some(buf) = self.ctx.read_capped(&path, 64 * 1024) else {
                continue;
            };
            let text = String::from_utf8_lossy(&buf).into_owned();
            self.hooks.entry(K::Cline).or_default().push(HookEntry {
                event: name.clone(),
                matcher: None,
                command: text,
                exec_form: false,
                fail_closed_flag: false,
                origin: path.clone(),
                display: Some(path.display().to_string()),
            });
        }
    }

    // ------------------------------------------------------------ Continue

    fn continue_(&mut self) {
        let dir = self.ctx.home.join(".continue");
        if !self.config_dir(K::Continue, &dir) {
            return;
        }
        let yaml = dir.join("config.yaml");
        if let Some(v) = self.read(&yaml, parse::yaml) {
            self.entry(K::Continue).facts.config = Some(yaml.clone());
            self.servers_list(K::Continue, v.get("mcpServers"), &yaml);
        }
        self.continue_mcp_dir(&dir.join("mcpServers"));
        let perms = dir.join("permissions.yaml");
        if let Some(v) = self.read(&perms, parse::yaml) {
            for rule in strings(v.get("allow")).iter().take(1000) {
                self.allow(K::Continue, rule, &perms);
            }
        }
    }

    fn continue_mcp_dir(&mut self, dir: &Path) {
        for f in self.files_with(dir, &[".yaml", ".yml", ".json"]) {
            let parser: fn(&[u8]) -> parse::ParseResult =
                if f.extension().is_some_and(|e| e == "json") {
                    parse::json
                } else {
                    parse::yaml
                };
            let Some(v) = self.read(&f, parser) else {
                continue;
            };
            match v.get("mcpServers") {
                Some(list @ Value::Array(_)) => self.servers_list(K::Continue, Some(list), &f),
                Some(map @ Value::Object(_)) => self.servers_map(K::Continue, Some(map), &f),
                _ => {}
            }
        }
    }

    // ------------------------------------------------------------ Windsurf

    fn windsurf(&mut self) {
        let dir = self.ctx.home.join(".codeium/windsurf");
        self.config_dir(K::Windsurf, &dir);
        let mcp = dir.join("mcp_config.json");
        if let Some(v) = self.read(&mcp, parse::json) {
            self.evidence(K::Windsurf, EvidenceKind::Config, &mcp);
            self.servers_map(K::Windsurf, v.get("mcpServers"), &mcp);
        }
        let mut hook_files = vec![dir.join("hooks.json")];
        hook_files.extend(self.ctx.system("etc/windsurf/hooks.json"));
        for f in hook_files {
            if let Some(v) = self.read(&f, parse::json) {
                self.evidence(K::Windsurf, EvidenceKind::Config, &f);
                self.hook_entries(K::Windsurf, v.get("hooks"), &f);
            }
        }
    }

    // ------------------------------------------------------------ Zed

    fn zed(&mut self) {
        let dir = self.ctx.xdg_config().join("zed");
        let settings = dir.join("settings.json");
        if let Some(v) = self.read(&settings, parse::json) {
            self.evidence(K::Zed, EvidenceKind::Config, &settings);
            self.entry(K::Zed).facts.config = Some(settings.clone());
            self.zed_settings(&v, &settings);
        }
        let installed = self.ctx.home.join(".local/share/zed/extensions/installed");
        for (name, _, is_dir) in self.ctx.list_dir(&installed) {
            if is_dir && !name.starts_with('.') {
                self.evidence(K::Zed, EvidenceKind::Extension, &installed);
                self.plugin(K::Zed, &name);
            }
        }
    }

    fn zed_settings(&mut self, v: &Value, path: &Path) {
        self.servers_map(K::Zed, v.get("context_servers"), path);
        if at(v, &["agent", "always_allow_tool_actions"]).and_then(Value::as_bool) == Some(true) {
            self.mode(K::Zed, "always_allow_tool_actions: true", 5, path, true);
        }
        if let Some(d) = str_at(v, &["agent", "tool_permissions", "default"]) {
            let bypass = d == "allow";
            self.mode(
                K::Zed,
                &format!("tool_permissions.default: {d}"),
                if bypass { 5 } else { 1 },
                path,
                bypass,
            );
        }
        if let Some(tools) =
            at(v, &["agent", "tool_permissions", "tools"]).and_then(Value::as_object)
        {
            for (tool, t) in tools.iter().take(100) {
                if t.get("default").and_then(Value::as_str) == Some("allow") {
                    self.allow(K::Zed, tool, path);
                }
                for p in t
                    .get("always_allow")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .take(500)
                {
                    if let Some(pat) = p.get("pattern").and_then(Value::as_str).or(p.as_str()) {
                        self.allow(K::Zed, &format!("{tool}({pat})"), path);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------ Goose

    fn goose(&mut self) {
        let dir = self.ctx.xdg_config().join("goose");
        self.config_dir(K::Goose, &dir);
        let config = dir.join("config.yaml");
        if let Some(v) = self.read(&config, parse::yaml) {
            self.evidence(K::Goose, EvidenceKind::Config, &config);
            self.entry(K::Goose).facts.config = Some(config.clone());
            if let Some(mode) = v.get("GOOSE_MODE").and_then(Value::as_str) {
                self.goose_mode(mode, &config);
            }
            if let Some(exts) = v.get("extensions").and_then(Value::as_object) {
                let mut servers = serde_json::Map::new();
                for (name, e) in exts.iter().take(500) {
                    let kind = e
                        .get("type")
                        .or_else(|| e.get("config").and_then(|c| c.get("type")))
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    if matches!(kind, "builtin" | "platform") {
                        if e.get("enabled").and_then(Value::as_bool) != Some(false) {
                            self.plugin(K::Goose, &format!("{name} ({kind})"));
                        }
                    } else {
                        servers.insert(name.clone(), e.clone());
                    }
                }
                self.servers_map(K::Goose, Some(&Value::Object(servers)), &config);
            }
        }
        if let Some(mode) = self.ctx.env("GOOSE_MODE").map(str::to_owned) {
            self.goose_mode(&mode, Path::new("<environment GOOSE_MODE>"));
        }
        let secrets = dir.join("secrets.yaml");
        if let Some(v) = self.read(&secrets, parse::yaml) {
            let mut env = serde_json::Map::new();
            for (k, val) in v.as_object().into_iter().flatten().take(500) {
                if let Some(s) = val.as_str() {
                    env.insert(k.clone(), Value::String(s.to_owned()));
                }
            }
            let mut servers = Vec::new();
            let mut extra = Extra::default();
            let entry = serde_json::json!({ "env": Value::Object(env) });
            mcp::server(
                self.ctx,
                "goose-secrets",
                &entry,
                &secrets,
                &mut servers,
                self.creds,
                &mut extra,
            );
            self.extra(K::Goose, extra, &secrets);
        }
    }

    fn goose_mode(&mut self, mode: &str, path: &Path) {
        let (rank, bypass) = match mode {
            "auto" => (5, true),
            "smart_approve" => (2, false),
            "approve" => (1, false),
            _ => (0, false),
        };
        self.mode(K::Goose, &format!("GOOSE_MODE={mode}"), rank, path, bypass);
    }

    // ------------------------------------------------------------ Copilot CLI

    fn copilot_cli(&mut self) {
        let dir = self
            .ctx
            .relocated("COPILOT_HOME")
            .unwrap_or_else(|| self.ctx.home.join(".copilot"));
        self.config_dir(K::CopilotCli, &dir);
        let mcp = dir.join("mcp-config.json");
        if let Some(v) = self.read(&mcp, parse::json) {
            self.evidence(K::CopilotCli, EvidenceKind::Config, &mcp);
            self.servers_map(K::CopilotCli, v.get("mcpServers"), &mcp);
        }
        for f in self.files_with(&dir.join("hooks"), &[".json"]) {
            if let Some(v) = self.read(&f, parse::json) {
                let mut entries = Vec::new();
                hooks::collect(v.get("hooks"), &f, &mut entries);
                self.hooks
                    .entry(K::CopilotCli)
                    .or_default()
                    .extend(entries.iter().cloned());
                self.hooks
                    .entry(K::VscodeCopilot)
                    .or_default()
                    .extend(entries);
            }
        }
    }

    // ------------------------------------------------------------ projects

    fn project(&mut self, root: &Path) {
        if !self.ctx.is_dir(root) {
            return;
        }
        for name in [".claude/settings.json", ".claude/settings.local.json"] {
            let f = root.join(name);
            if let Some(v) = self.read(&f, parse::json) {
                self.evidence(K::ClaudeCode, EvidenceKind::Config, &f);
                self.claude_settings(&v, &f, Scope::Project);
            }
        }
        let f = root.join(".mcp.json");
        if let Some(v) = self.read(&f, parse::json) {
            self.evidence(K::ClaudeCode, EvidenceKind::Config, &f);
            self.servers_map(K::ClaudeCode, v.get("mcpServers"), &f);
        }
        let f = root.join(".codex/config.toml");
        if let Some(v) = self.read(&f, parse::toml) {
            self.evidence(K::Codex, EvidenceKind::Config, &f);
            self.codex_config(&v, &f);
        }
        let f = root.join(".gemini/settings.json");
        if let Some(v) = self.read(&f, parse::json) {
            self.evidence(K::Gemini, EvidenceKind::Config, &f);
            self.gemini_settings(&v, &f);
        }
        let f = root.join(".cursor/mcp.json");
        if let Some(v) = self.read(&f, parse::json) {
            self.evidence(K::Cursor, EvidenceKind::Config, &f);
            self.servers_map(K::Cursor, v.get("mcpServers"), &f);
        }
        let f = root.join(".cursor/hooks.json");
        if let Some(v) = self.read(&f, parse::json) {
            self.evidence(K::Cursor, EvidenceKind::Config, &f);
            self.hook_entries(K::Cursor, v.get("hooks"), &f);
        }
        let f = root.join(".vscode/mcp.json");
        if let Some(v) = self.read(&f, parse::json) {
            self.evidence(K::VscodeCopilot, EvidenceKind::Config, &f);
            self.servers_map(K::VscodeCopilot, v.get("servers"), &f);
        }
        let f = root.join(".vscode/settings.json");
        if let Some(v) = self.read(&f, parse::json) {
            self.vscode_settings(&v, &f);
        }
        for f in self.files_with(&root.join(".github/hooks"), &[".json"]) {
            if let Some(v) = self.read(&f, parse::json) {
                let mut entries = Vec::new();
                hooks::collect(v.get("hooks"), &f, &mut entries);
                if !entries.is_empty() {
                    self.evidence(K::VscodeCopilot, EvidenceKind::Config, &f);
                }
                self.hooks
                    .entry(K::CopilotCli)
                    .or_default()
                    .extend(entries.iter().cloned());
                self.hooks
                    .entry(K::VscodeCopilot)
                    .or_default()
                    .extend(entries);
            }
        }
        let f = root.join(".windsurf/hooks.json");
        if let Some(v) = self.read(&f, parse::json) {
            self.evidence(K::Windsurf, EvidenceKind::Config, &f);
            self.hook_entries(K::Windsurf, v.get("hooks"), &f);
        }
        let d = root.join(".continue/mcpServers");
        if self.ctx.is_dir(&d) {
            self.evidence(K::Continue, EvidenceKind::Config, &d);
            self.continue_mcp_dir(&d);
        }
        let f = root.join(".zed/settings.json");
        if let Some(v) = self.read(&f, parse::json) {
            if v.get("context_servers").is_some() || v.get("agent").is_some() {
                self.evidence(K::Zed, EvidenceKind::Config, &f);
                self.zed_settings(&v, &f);
            }
        }
    }

    // ------------------------------------------------------------ binaries

    fn binaries(&mut self, path_env: &std::ffi::OsStr) {
        const NAMES: &[(K, &[&str])] = &[
            (K::ClaudeCode, &["claude"]),
            (K::Codex, &["codex"]),
            (K::Gemini, &["gemini"]),
            (K::Cursor, &["cursor", "cursor-agent"]),
            (K::VscodeCopilot, &["code", "code-insiders"]),
            (K::Cline, &["cline"]),
            (K::Continue, &["cn"]),
            (K::Windsurf, &["windsurf"]),
            (K::Zed, &["zed", "zeditor"]),
            (K::Goose, &["goose"]),
            (K::CopilotCli, &["copilot"]),
        ];
        let dirs: Vec<PathBuf> = std::env::split_paths(path_env)
            .filter(|d| d.is_absolute())
            .take(256)
            .collect();
        for (kind, names) in NAMES {
            for name in *names {
                if let Some(found) = dirs.iter().map(|d| d.join(name)).find(|p| executable(p)) {
                    self.evidence(*kind, EvidenceKind::Binary, &found);
                    break;
                }
            }
        }
    }

    // ------------------------------------------------------------ finish

    fn finish(mut self, shell: &ShellFacts) -> Vec<Assistant> {
        // VS Code on its own is an editor, not an assistant: it needs
        // Copilot-specific evidence besides the `code` binary.
        if let Some(a) = self.map.get(&K::VscodeCopilot) {
            if a.found_by.iter().all(|e| e.kind == EvidenceKind::Binary) {
                self.map.remove(&K::VscodeCopilot);
            }
        }
        let kinds: Vec<K> = self.map.keys().copied().collect();
        for kind in kinds {
            let mut entries = self.hooks.remove(&kind).unwrap_or_default();
            if kind == K::ClaudeCode && self.claude_managed_only {
                entries.retain(|e| {
                    e.display
                        .as_deref()
                        .is_some_and(|d| d.ends_with("(managed)"))
                });
            }
            let (gate, sem, matchers): (&[&str], Semantics, bool) = match kind {
                K::ClaudeCode | K::Codex => (&["PreToolUse"], Semantics::Exit2, true),
                K::Gemini => (&["BeforeTool"], Semantics::Exit2, true),
                K::Cursor => (
                    &["preToolUse", "beforeShellExecution", "beforeMCPExecution"],
                    Semantics::Cursor,
                    true,
                ),
                K::VscodeCopilot | K::CopilotCli => (&["PreToolUse"], Semantics::Exit2, false),
                K::Windsurf => (
                    &[
                        "pre_run_command",
                        "pre_mcp_tool_use",
                        "pre_write_code",
                        "pre_read_code",
                    ],
                    Semantics::Exit2,
                    false,
                ),
                K::Cline => (&["PreToolUse"], Semantics::Cline, false),
                K::Continue | K::Zed | K::Goose => (&[], Semantics::Exit2, false),
            };
            let mut judged = hooks::judge(&entries, gate, sem, matchers);
            // Cursor and Windsurf gate per action type: without a catch-all
            // event, warden must sit on shell, MCP and (Windsurf) writes.
            let covered = |events: &[&str]| {
                events.iter().all(|ev| {
                    entries
                        .iter()
                        .any(|e| e.event.eq_ignore_ascii_case(ev) && hooks::is_warden(&e.command))
                })
            };
            if judged.status.warden_installed {
                if kind == K::Cursor
                    && !covered(&["preToolUse"])
                    && !covered(&["beforeShellExecution", "beforeMCPExecution"])
                {
                    judged.partial.push((
                        "beforeShellExecution/beforeMCPExecution".into(),
                        String::new(),
                    ));
                }
                if kind == K::Windsurf
                    && !covered(&["pre_run_command", "pre_mcp_tool_use", "pre_write_code"])
                {
                    judged.partial.push((
                        "pre_run_command/pre_mcp_tool_use/pre_write_code".into(),
                        String::new(),
                    ));
                }
            }
            let off = self
                .hooks_off
                .iter()
                .find(|(k, _, _)| *k == kind)
                .map(|(_, s, p)| (s.clone(), p.clone()));
            let managed_warden = judged
                .origin
                .as_ref()
                .is_some_and(|o| o.to_string_lossy().contains("managed-settings"));
            let Some(a) = self.map.get_mut(&kind) else {
                continue;
            };
            if let (Some(off), true) = (&off, judged.status.warden_installed && !managed_warden) {
                judged.status.warden_installed = false;
                judged.status.fails_closed = false;
                a.facts.hooks_disabled = Some(off.clone());
            }
            a.hooks = judged.status;
            a.facts.hook_partial = judged.partial;
            a.facts.hook_origin = judged.origin;
            a.facts.hook_not_on_gate = judged.not_on_gate;
            a.facts.hooks_supported = !gate.is_empty();
            a.governed.hook = a.hooks.warden_installed;
            if let Some(disabled) = &a.facts.bypass_disabled {
                if a.permission_mode.as_deref() == Some("bypassPermissions") {
                    a.bypass = false;
                    a.facts.bypass_setting = None;
                    a.facts.notes.push(format!(
                        "bypassPermissions is configured but disabled by {}",
                        disabled.display()
                    ));
                }
            }
            let launch = kind.launch_command();
            if let Some((_, profile)) = shell.warden_run.iter().find(|(cmd, _)| {
                cmd == launch
                    || a.found_by.iter().any(|e| {
                        e.kind == EvidenceKind::Binary
                            && e.path.file_name().is_some_and(|n| n == cmd.as_str())
                    })
            }) {
                a.governed.sandboxed = Some(true);
                a.facts.alias = Some(profile.clone());
            }
            a.found_by.sort();
            a.found_by.dedup();
        }
        self.map
            .into_values()
            .filter(|a| !a.found_by.is_empty())
            .collect()
    }
}

/// `publisher.name` of an extension directory `publisher.name-1.2.3[-platform]`.
fn extension_id(dir: &str) -> &str {
    let bytes = dir.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            return &dir[..i];
        }
    }
    dir
}

fn executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// The `prefix_rule(...)` calls of a Codex `.rules` file whose decision is
/// `allow` (the default), as their pattern words joined by spaces (the
/// first alternative where a position lists several).
pub(crate) fn codex_allow_rules(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find("prefix_rule(") {
        let body_start = pos + "prefix_rule(".len();
        let body = &rest[body_start..];
        // The call ends at the matching parenthesis (strings skipped).
        let (mut depth, mut end, mut quote) = (1i32, body.len(), None::<char>);
        for (i, c) in body.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '(' | '[') => depth += 1,
                (None, ')' | ']') => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
            if i > 8192 {
                end = i;
                break;
            }
        }
        let call = &body[..end];
        rest = &body[end.min(body.len())..];
        let decision = keyword_string(call, "decision").unwrap_or_else(|| "allow".to_owned());
        if decision != "allow" {
            continue;
        }
        let Some(p) = call.find("pattern") else {
            continue;
        };
        let after = &call[p..];
        let Some(open) = after.find('[') else {
            continue;
        };
        let list = &after[open + 1..];
        let mut words = Vec::new();
        let (mut depth, mut quote, mut cur, mut taken_in_alt) =
            (0i32, None::<char>, String::new(), false);
        for c in list.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => {
                    quote = None;
                    if depth == 0 || !taken_in_alt {
                        words.push(std::mem::take(&mut cur));
                        if depth > 0 {
                            taken_in_alt = true;
                        }
                    } else {
                        cur.clear();
                    }
                }
                (Some(_), c) => cur.push(c),
                (None, '"' | '\'') => quote = Some(c),
                (None, '[') => {
                    depth += 1;
                    taken_in_alt = false;
                }
                (None, ']') => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                }
                _ => {}
            }
        }
        if !words.is_empty() {
            out.push(words.join(" "));
        }
        if out.len() >= 1000 {
            break;
        }
    }
    out
}

fn keyword_string(call: &str, key: &str) -> Option<String> {
    let mut search = call;
    while let Some(p) = search.find(key) {
        let after = search[p + key.len()..].trim_start();
        if let Some(v) = after.strip_prefix('=') {
            let v = v.trim_start();
            let q = v.chars().next()?;
            if q == '"' || q == '\'' {
                let inner = &v[1..];
                return inner.find(q).map(|e| inner[..e].to_owned());
            }
        }
        search = &search[p + key.len()..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_ids() {
        assert_eq!(
            extension_id("github.copilot-chat-0.22.4"),
            "github.copilot-chat"
        );
        assert_eq!(
            extension_id("saoudrizwan.claude-dev-3.2.1-linux-x64"),
            "saoudrizwan.claude-dev"
        );
        assert_eq!(extension_id("plain"), "plain");
    }

    #[test]
    fn codex_rules() {
        let text = r#"
prefix_rule(
    pattern = ["gh", "pr", "view"],
    decision = "prompt",
    justification = "Viewing PRs (needs approval)",
)
prefix_rule(pattern = ["git", ["push", "fetch"]], match = ["git push"])
prefix_rule(pattern = ["rm"], decision = "forbidden")
prefix_rule(pattern = ["terraform", "apply"], decision = "allow")
"#;
        assert_eq!(codex_allow_rules(text), vec!["git push", "terraform apply"]);
    }
}
