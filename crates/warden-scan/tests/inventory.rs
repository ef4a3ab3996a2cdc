//! The inventory of the fixture homes: which assistants, how each is
//! configured and governed, which credentials, and the tiers.

mod common;

use warden_scan::{
    reassess, scan, Assistant, AssistantKind as K, EvidenceKind, ScanReport, Severity, Tier,
};

fn laptop() -> ScanReport {
    let bin = common::fake_path(&["claude", "codex", "code", "goose", "copilot"]);
    scan(&common::laptop_options(bin.path()))
}

fn get(r: &ScanReport, k: K) -> &Assistant {
    r.assistants
        .iter()
        .find(|a| a.kind == k)
        .unwrap_or_else(|| panic!("{k} not found"))
}

fn server<'a>(a: &'a Assistant, name: &str) -> &'a warden_scan::McpServer {
    a.mcp_servers
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("{}: no MCP server {name}", a.kind))
}

fn names(a: &Assistant) -> Vec<&str> {
    a.mcp_servers.iter().map(|s| s.name.as_str()).collect()
}

fn rules(a: &Assistant) -> Vec<&str> {
    a.findings.iter().map(|f| f.rule.as_str()).collect()
}

#[test]
fn every_assistant_is_found() {
    let r = laptop();
    let kinds: Vec<&str> = r.assistants.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "claude-code",
            "codex",
            "gemini",
            "cursor",
            "vscode-copilot",
            "cline",
            "continue",
            "windsurf",
            "zed",
            "goose",
            "copilot-cli"
        ]
    );
    let status: Vec<(&str, &str)> = r
        .assistants
        .iter()
        .map(|a| (a.kind.as_str(), a.governed.status()))
        .collect();
    assert_eq!(
        status,
        [
            ("claude-code", "governed"),
            ("codex", "governed"),
            ("gemini", "governed"),
            ("cursor", "governed"),
            ("vscode-copilot", "governed"),
            ("cline", "shadow"),
            ("continue", "shadow"),
            ("windsurf", "governed"),
            ("zed", "shadow"),
            ("goose", "shadow"),
            ("copilot-cli", "shadow"),
        ]
    );
    // Evidence kinds.
    let c = get(&r, K::ClaudeCode);
    assert!(c.found_by.iter().any(
        |e| e.kind == EvidenceKind::Binary && e.path.file_name().is_some_and(|n| n == "claude")
    ));
    assert!(c
        .found_by
        .iter()
        .any(|e| e.kind == EvidenceKind::Config && e.path.ends_with(".claude/settings.json")));
    let cline = get(&r, K::Cline);
    assert!(cline
        .found_by
        .iter()
        .any(|e| e.kind == EvidenceKind::Extension
            && e.path
                .ends_with(".cursor/extensions/saoudrizwan.claude-dev-3.17.0")));
    let vs = get(&r, K::VscodeCopilot);
    assert!(vs.found_by.iter().any(
        |e| e.kind == EvidenceKind::Extension && e.path.ends_with("github.copilot-chat-0.30.1")
    ));
    assert!(get(&r, K::Continue)
        .found_by
        .iter()
        .any(|e| e.kind == EvidenceKind::Extension));
    // Nothing went wrong while reading the fixture.
    assert!(r.notes.is_empty(), "{:#?}", r.notes);
    assert!(r.stats.files_scanned >= 40);
}

#[test]
fn claude_code() {
    let r = laptop();
    let c = get(&r, K::ClaudeCode);
    assert_eq!(c.permission_mode.as_deref(), Some("bypassPermissions"));
    assert!(c.bypass);
    assert_eq!(
        c.allow_rules,
        [
            "Bash(git push:*)",
            "Bash(npm run *)",
            "Read(~/**)",
            "mcp__github"
        ]
    );
    assert!(c.hooks.warden_installed && c.hooks.fails_closed);
    assert!(c.governed.hook);
    assert_eq!(c.governed.registered, None);
    assert_eq!(
        c.hooks.other_hooks,
        ["PreToolUse: ~/.claude/hooks/lint-bash.sh"]
    );
    assert_eq!(
        names(c),
        ["github", "context7", "postgres", "sentry-project"]
    );
    let gh = server(c, "github");
    assert_eq!(gh.env_token_vars, ["GITHUB_PERSONAL_ACCESS_TOKEN"]);
    assert_eq!(gh.token_fingerprints.len(), 1);
    assert!(gh.token_fingerprints[0].starts_with("github-pat:…"));
    assert!(gh.origin.ends_with(".claude.json"));
    assert_eq!(
        gh.transport,
        "stdio: npx -y @modelcontextprotocol/server-github"
    );
    assert_eq!(
        server(c, "context7").transport,
        "http: https://mcp.context7.example/mcp"
    );
    assert!(server(c, "postgres").env_token_vars.is_empty());
    let sentry = server(c, "sentry-project");
    assert_eq!(sentry.env_token_vars, ["SENTRY_AUTH_TOKEN"]);
    assert!(sentry.token_fingerprints.is_empty());
    assert!(sentry.origin.ends_with("src/app/.mcp.json"));
    assert_eq!(c.plugins, ["code-review@claude-plugins"]);
    // Governed by a fail-closed hook: bypass does not make it critical.
    assert_eq!(c.tier, Tier::ProductionWrite);
    assert!(
        c.tier_reason.contains("fail-closed hook"),
        "{}",
        c.tier_reason
    );
    let r2 = rules(c);
    assert!(r2.contains(&"mcp-token-in-config"), "{r2:?}");
    assert!(!r2.contains(&"shadow-assistant"));
    let bypass = c.findings.iter().find(|f| f.rule == "bypass-mode").unwrap();
    assert_eq!(bypass.severity, Severity::Low);
}

#[test]
fn codex() {
    let r = laptop();
    let c = get(&r, K::Codex);
    assert_eq!(
        c.permission_mode.as_deref(),
        Some("approval_policy=never, sandbox_mode=workspace-write")
    );
    assert!(c.bypass);
    assert!(c.hooks.warden_installed);
    assert!(!c.hooks.fails_closed, "no `|| exit 2`");
    assert_eq!(c.allow_rules, ["prefix_rule(cargo test)"]);
    assert_eq!(names(c), ["docs", "figma"]);
    assert_eq!(server(c, "docs").env_token_vars, ["DOCS_API_KEY"]);
    assert_eq!(server(c, "docs").token_fingerprints.len(), 1);
    assert_eq!(server(c, "figma").env_token_vars, ["FIGMA_OAUTH_TOKEN"]);
    assert!(server(c, "figma").token_fingerprints.is_empty());
    // Its own sandbox confines the shell; the MCP servers hold tokens.
    assert_eq!(c.tier, Tier::RemoteWrite);
    let f = rules(c);
    for want in [
        "bypass-mode",
        "hook-fails-open",
        "hook-partial-coverage",
        "mcp-token-in-config",
    ] {
        assert!(f.contains(&want), "{want} missing from {f:?}");
    }
    assert!(!f.contains(&"reachable-credentials"));
}

#[test]
fn gemini_cursor_vscode_windsurf() {
    let r = laptop();
    let g = get(&r, K::Gemini);
    assert_eq!(g.permission_mode.as_deref(), Some("auto_edit"));
    assert!(!g.bypass);
    assert!(g.hooks.warden_installed && g.hooks.fails_closed);
    assert_eq!(g.governed.sandboxed, Some(true), "alias in ~/.bashrc");
    assert_eq!(
        g.allow_rules,
        [
            "run_shell_command(git status)",
            "run_shell_command(terraform plan)",
            "mcp__jira"
        ]
    );
    assert_eq!(names(g), ["jira", "local-fs", "fixture-ext-server"]);
    assert_eq!(server(g, "jira").env_token_vars, ["JIRA_TOKEN"]);
    assert_eq!(
        server(g, "jira").transport,
        "http: https://mcp.jira.example/mcp"
    );
    assert_eq!(g.plugins, ["fixture-ext"]);
    assert!(rules(g).contains(&"mcp-auto-approve"));
    assert_eq!(
        g.hooks.other_hooks,
        ["AfterTool: $GEMINI_PROJECT_DIR/.gemini/hooks/fmt.sh"]
    );

    let c = get(&r, K::Cursor);
    assert!(
        c.hooks.warden_installed && c.hooks.fails_closed,
        "failClosed: true"
    );
    assert_eq!(names(c), ["linear", "browser"]);
    assert_eq!(server(c, "linear").env_token_vars, ["LINEAR_API_KEY"]);
    assert!(server(c, "linear").token_fingerprints[0].starts_with("linear-api-key:"));
    assert!(c.plugins.contains(&"saoudrizwan.claude-dev".to_owned()));

    let v = get(&r, K::VscodeCopilot);
    assert!(!v.bypass);
    assert!(
        v.hooks.warden_installed && v.hooks.fails_closed,
        "VS Code reads ~/.claude/settings.json"
    );
    assert_eq!(
        v.allow_rules,
        [
            "terminal(npm test)",
            "terminal(terraform)",
            "url(https://docs.example.com)"
        ]
    );
    assert_eq!(names(v), ["github-remote", "playwright"]);
    assert_eq!(
        server(v, "github-remote").env_token_vars,
        ["input:gh-token"]
    );
    assert!(v.plugins.contains(&"ms-python.python".to_owned()));

    let w = get(&r, K::Windsurf);
    assert!(w.hooks.warden_installed && w.hooks.fails_closed);
    assert!(
        rules(w).contains(&"hook-partial-coverage"),
        "only pre_run_command"
    );
    let kb = server(w, "remote-kb");
    assert_eq!(kb.transport, "http: https://kb.example/mcp");
    assert_eq!(kb.token_fingerprints.len(), 1);
    assert_eq!(
        w.hooks.other_hooks,
        ["post_write_code: python3 ~/.codeium/log.py"]
    );
}

#[test]
fn shadow_assistants() {
    let r = laptop();
    let cl = get(&r, K::Cline);
    assert!(!cl.hooks.warden_installed);
    assert_eq!(
        cl.allow_rules,
        [
            "mcp__aws-docs__read_documentation",
            "mcp__aws-docs__search_documentation"
        ]
    );
    assert!(!server(cl, "old").enabled);
    assert!(server(cl, "aws-docs").enabled);
    assert!(rules(cl).contains(&"shadow-assistant"));

    let co = get(&r, K::Continue);
    assert_eq!(co.allow_rules, ["Read(**)", "Bash(kubectl get *)"]);
    assert_eq!(names(co), ["SQLite", "search"]);
    assert_eq!(server(co, "search").env_token_vars, ["SEARCH_API_KEY"]);

    let z = get(&r, K::Zed);
    assert_eq!(
        z.permission_mode.as_deref(),
        Some("tool_permissions.default: confirm")
    );
    assert!(!z.bypass);
    assert_eq!(names(z), ["postgres-ctx", "remote-docs"]);
    assert_eq!(server(z, "postgres-ctx").env_token_vars, ["PGPASSWORD"]);
    assert_eq!(server(z, "remote-docs").env_token_vars, ["DOCS_KEY"]);
    assert_eq!(z.plugins, ["html"]);
    assert!(z.allow_rules.iter().any(|r| r.contains("git\\s+push")));

    let g = get(&r, K::Goose);
    assert!(g.bypass);
    assert_eq!(g.permission_mode.as_deref(), Some("GOOSE_MODE=auto"));
    assert_eq!(names(g), ["github"]);
    assert_eq!(
        server(g, "github").env_token_vars,
        ["GITHUB_PERSONAL_ACCESS_TOKEN"]
    );
    assert_eq!(g.plugins, ["developer (builtin)"]);
    // Unattended with production and long-lived cloud credentials in reach.
    assert_eq!(g.tier, Tier::Critical);
    let shadow = g
        .findings
        .iter()
        .find(|f| f.rule == "shadow-assistant")
        .unwrap();
    assert_eq!(shadow.severity, Severity::Critical);
    assert!(shadow
        .remediation
        .contains("warden run --agent goose -- goose"));
    assert!(shadow
        .remediation
        .contains("warden agent register goose --kind other"));

    let cp = get(&r, K::CopilotCli);
    assert_eq!(names(cp), ["sentry"]);
    assert_eq!(server(cp, "sentry").env_token_vars, ["SENTRY_TOKEN"]);
    assert_eq!(cp.governed.status(), "shadow");
}

#[test]
fn credentials() {
    let r = laptop();
    let mut kinds: Vec<&str> = r.credentials.iter().map(|c| c.kind.as_str()).collect();
    kinds.sort_unstable();
    let mut want = vec![
        "aws-access-key",
        "aws-access-key",
        "aws-credential-process",
        "aws-role-profile",
        "aws-sso-profile",
        "azure-cli",
        "azure-service-principal",
        "cargo-token",
        "docker-auth",
        "docker-auth",
        "dotenv-secret",
        "env-secret",
        "gcloud-adc",
        "gh-token",
        "git-credential-store",
        "glab-token",
        "kube-context",
        "kube-context",
        "mcp-config-token",
        "mcp-config-token",
        "mcp-config-token",
        "mcp-config-token",
        "mcp-config-token",
        "mcp-config-token",
        "netrc",
        "npm-token",
        "npm-token",
        "pypi-token",
        "repo-secret",
        "shell-profile-secret",
        "ssh-agent",
        "ssh-key",
        "ssh-key",
        "ssh-key",
    ];
    want.sort_unstable();
    assert_eq!(kinds, want);
    let find = |kind: &str, name: &str| {
        r.credentials
            .iter()
            .find(|c| c.kind == kind && c.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no {kind} {name}"))
    };
    let aws = find("aws-access-key", "default");
    assert!(aws.long_lived && !aws.production);
    assert!(aws
        .fingerprint
        .as_ref()
        .unwrap()
        .starts_with("aws-access-key:…"));
    assert!(!find("aws-access-key", "staging").long_lived);
    assert!(find("aws-sso-profile", "prod-admin").production);
    assert!(find("aws-role-profile", "deployer")
        .scope_hint
        .as_ref()
        .unwrap()
        .contains("Deployer"));
    let prod = find("kube-context", "prod-eu");
    assert!(prod.production && prod.long_lived);
    let dev = find("kube-context", "dev");
    assert!(!dev.production && !dev.long_lived);
    assert!(dev
        .scope_hint
        .as_ref()
        .unwrap()
        .contains("exec plugin aws eks"));
    assert!(find("azure-cli", "Contoso Production").production);
    assert!(
        find("gcloud-adc", "authorized_user").production,
        "acme-prod-analytics"
    );
    assert_eq!(find("ssh-key", "id_ed25519").passphrase, Some(false));
    assert!(find("ssh-key", "id_ed25519")
        .fingerprint
        .as_ref()
        .unwrap()
        .starts_with("SHA256:"));
    assert_eq!(find("ssh-key", "deploy_ci").passphrase, Some(true));
    assert_eq!(find("ssh-key", "legacy_rsa").passphrase, Some(true));
    assert!(r.credentials.iter().any(|c| c.kind == "ssh-agent"));
    let npm_ref = find("npm-token", "npm.pkg.github.com");
    assert!(
        npm_ref.fingerprint.is_none(),
        "a ${{GITHUB_TOKEN}} reference"
    );
    assert!(find("npm-token", "registry.npmjs.org")
        .fingerprint
        .is_some());
    let dotenv = r
        .credentials
        .iter()
        .find(|c| c.kind == "dotenv-secret")
        .unwrap();
    assert!(dotenv.path.ends_with("src/app/.env"));
    assert_eq!(dotenv.line, Some(3));
    assert_eq!(dotenv.name.as_deref(), Some("github-pat"));
    let repo = r
        .credentials
        .iter()
        .find(|c| c.kind == "repo-secret")
        .unwrap();
    assert!(repo.path.ends_with("config/notify.py"));
    assert_eq!(find("shell-profile-secret", "GITHUB_TOKEN").line, Some(3));
    let env = find("env-secret", "OPENAI_API_KEY");
    assert!(env.remediation().contains("[[run.credentials]]"));
    assert!(find("shell-profile-secret", "GITHUB_TOKEN")
        .remediation()
        .contains("remove GITHUB_TOKEN from your shell profile"));
    assert!(find("gh-token", "github.com:fixture-dev")
        .remediation()
        .contains("command = [\"gh\", \"auth\", \"token\"]"));
}

#[test]
fn the_issue_example_is_critical() {
    let mut opts = warden_scan::ScanOptions::new(common::fixture("issue-example"));
    opts.path_env = None;
    let mut r = scan(&opts);
    assert_eq!(r.assistants.len(), 1);
    let c = &r.assistants[0];
    assert_eq!(c.kind, K::ClaudeCode);
    assert!(c.bypass && !c.governed.hook);
    assert_eq!(c.governed.status(), "shadow");
    assert_eq!(c.tier, Tier::Critical);
    assert!(
        c.tier_reason.contains("bypassPermissions"),
        "{}",
        c.tier_reason
    );
    assert!(
        c.tier_reason.contains("kube context `production`"),
        "{}",
        c.tier_reason
    );
    assert!(
        c.tier_reason.contains("AWS key `admin`"),
        "{}",
        c.tier_reason
    );
    let bypass = c.findings.iter().find(|f| f.rule == "bypass-mode").unwrap();
    assert_eq!(bypass.severity, Severity::Critical);
    assert!(bypass
        .remediation
        .contains("warden install claude-code --agent claude-code"));
    let shadow = c
        .findings
        .iter()
        .find(|f| f.rule == "shadow-assistant")
        .unwrap();
    assert!(shadow
        .remediation
        .contains("warden agent register claude-code --kind claude-code"));
    assert!(c.findings.iter().any(|f| f.rule == "broad-allow-rule"));
    let kinds: Vec<&str> = r.credentials.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds, ["aws-access-key", "kube-context"]);
    assert!(r.credentials[1].production && r.credentials[0].long_lived);

    // The caller fills the registry facts: registered but unenforced.
    r.assistants[0].governed.registered = Some(true);
    reassess(&mut r);
    let c = &r.assistants[0];
    assert_eq!(c.governed.status(), "registered");
    assert!(!c.findings.iter().any(|f| f.rule == "shadow-assistant"));
    assert_eq!(c.tier, Tier::Critical);
    // Under warden run, the credential stores are masked.
    r.assistants[0].governed.sandboxed = Some(true);
    reassess(&mut r);
    let c = &r.assistants[0];
    assert_eq!(c.governed.status(), "governed");
    assert_eq!(c.tier, Tier::NetworkSend, "{}", c.tier_reason);
    assert!(!c.findings.iter().any(|f| f.rule == "reachable-credentials"));
}

#[test]
fn an_empty_home_has_nothing() {
    let home = tempfile::tempdir().unwrap();
    let r = scan(&warden_scan::ScanOptions::new(home.path()));
    assert!(r.assistants.is_empty() && r.credentials.is_empty());
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    let table = warden_scan::render_table(&r);
    assert!(table.contains("none found"));
    // A missing home is no error either.
    let r = scan(&warden_scan::ScanOptions::new("/nonexistent/home"));
    assert!(r.assistants.is_empty());
}
