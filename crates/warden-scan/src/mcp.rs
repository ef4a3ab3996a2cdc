//! MCP server entries, in every assistant's dialect, and the tokens in them.
//!
//! Keys understood (from the reference, per assistant): `command` (a string,
//! or Zed's older `{path, args, env}` object), `args`, `cmd` (Goose), `env`
//! / `envs` (Goose), `url`, `httpUrl` (Gemini), `serverUrl` (Windsurf),
//! `uri` (Goose), `type`, `headers` / `http_headers` (Codex),
//! `bearer_token_env_var`, `env_vars` and `env_http_headers` (Codex),
//! `disabled` / `enabled`, Gemini's `trust` and Cline's `alwaysAllow`.
//!
//! A value counts as a *literal token* when `warden-secrets` recognises a
//! secret in it, or when its variable or header name is token-like
//! (`TOKEN`, `SECRET`, `KEY`, `PASSWORD`, `PAT`, `AUTH`, `CREDENTIAL`) and
//! the value is a plausible secret (8+ characters, no spaces, not a
//! `${VAR}`/`{env:…}`/`${input:…}` reference, not a placeholder). Literal
//! tokens are fingerprinted, remembered for scrubbing and reported as
//! `mcp-config-token` credentials; references only contribute the variable
//! name.

use crate::fsread::Ctx;
use crate::render::clean;
use crate::{fingerprint, CredentialFinding, McpServer};
use serde_json::{Map, Value};
use std::path::Path;

/// What an MCP config says beyond the server list.
#[derive(Debug, Default)]
pub(crate) struct Extra {
    /// (server, why) for servers whose tools run without confirmation.
    pub(crate) auto_approved: Vec<(String, String)>,
    /// Allow rules implied by the config (`mcp__server__tool`).
    pub(crate) allow_rules: Vec<String>,
    /// (server, variable) for literal tokens written in the config.
    pub(crate) literal_tokens: Vec<(String, String)>,
}

/// Reads every server of an object `name → entry`.
pub(crate) fn servers_from_map(
    ctx: &Ctx,
    map: Option<&Value>,
    origin: &Path,
    servers: &mut Vec<McpServer>,
    creds: &mut Vec<CredentialFinding>,
    extra: &mut Extra,
) {
    let Some(map) = map.and_then(Value::as_object) else {
        return;
    };
    for (name, entry) in map.iter().take(1000) {
        server(ctx, name, entry, origin, servers, creds, extra);
    }
}

/// Reads every server of a list of entries that carry their own `name`
/// (Continue's YAML).
pub(crate) fn servers_from_list(
    ctx: &Ctx,
    list: Option<&Value>,
    origin: &Path,
    servers: &mut Vec<McpServer>,
    creds: &mut Vec<CredentialFinding>,
    extra: &mut Extra,
) {
    let Some(list) = list.and_then(Value::as_array) else {
        return;
    };
    for (i, entry) in list.iter().take(1000).enumerate() {
        let name = entry
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("server-{}", i + 1));
        server(ctx, &name, entry, origin, servers, creds, extra);
    }
}

/// Reads one server entry.
pub(crate) fn server(
    ctx: &Ctx,
    name: &str,
    entry: &Value,
    origin: &Path,
    servers: &mut Vec<McpServer>,
    creds: &mut Vec<CredentialFinding>,
    extra: &mut Extra,
) {
    let Some(obj) = entry.as_object() else { return };
    // Goose nests some entries under `config:`; read both levels.
    let nested = obj.get("config").and_then(Value::as_object);
    let get = |k: &str| obj.get(k).or_else(|| nested.and_then(|n| n.get(k)));
    let mut tokens = Tokens::default();

    let enabled = !(get("disabled").and_then(Value::as_bool) == Some(true)
        || get("enabled").and_then(Value::as_bool) == Some(false));

    // Command line.
    let mut cmdline: Vec<String> = Vec::new();
    let mut env_objs: Vec<&Map<String, Value>> = Vec::new();
    match get("command").or_else(|| get("cmd")) {
        Some(Value::String(c)) => cmdline.push(c.clone()),
        Some(Value::Object(o)) => {
            if let Some(p) = o.get("path").and_then(Value::as_str) {
                cmdline.push(p.to_owned());
            }
            cmdline.extend(crate::parse::strings(o.get("args")));
            if let Some(e) = o.get("env").and_then(Value::as_object) {
                env_objs.push(e);
            }
        }
        _ => {}
    }
    cmdline.extend(crate::parse::strings(get("args")));
    for k in ["env", "envs"] {
        if let Some(e) = get(k).and_then(Value::as_object) {
            env_objs.push(e);
        }
    }
    let url = ["url", "httpUrl", "serverUrl", "uri"]
        .iter()
        .find_map(|k| get(k).and_then(Value::as_str));
    let kind = get("type").and_then(Value::as_str);

    for env in env_objs {
        for (var, value) in env.iter().take(500) {
            if let Some(v) = value.as_str() {
                tokens.assignment(ctx, var, v);
            }
        }
    }
    for k in ["headers", "http_headers"] {
        if let Some(h) = get(k).and_then(Value::as_object) {
            for (header, value) in h.iter().take(200) {
                if let Some(v) = value.as_str() {
                    tokens.header(ctx, header, v);
                }
            }
        }
    }
    if let Some(v) = get("bearer_token_env_var").and_then(Value::as_str) {
        tokens.var(v);
    }
    if let Some(list) = get("env_vars").and_then(Value::as_array) {
        for item in list.iter().take(200) {
            let name = item
                .as_str()
                .or_else(|| item.get("name").and_then(Value::as_str));
            if let Some(n) = name {
                if token_like(n) {
                    tokens.var(n);
                }
            }
        }
    }
    if let Some(h) = get("env_http_headers").and_then(Value::as_object) {
        for v in h.values().filter_map(Value::as_str) {
            tokens.var(v);
        }
    }
    // Secrets inside arguments and the URL.
    for text in cmdline.iter().map(String::as_str).chain(url) {
        tokens.free_text(ctx, text);
    }

    let transport = match (url, cmdline.is_empty()) {
        (Some(u), _) => format!("{}: {}", kind.unwrap_or("http"), clean(u, 200)),
        (None, false) => format!("stdio: {}", clean(&cmdline.join(" "), 200)),
        (None, true) => match kind {
            Some(k) => k.to_owned(),
            None => "unknown".to_owned(),
        },
    };

    if get("trust").and_then(Value::as_bool) == Some(true) {
        extra.auto_approved.push((
            name.to_owned(),
            "`trust: true` skips every confirmation".to_owned(),
        ));
        extra.allow_rules.push(format!("mcp__{name}"));
    }
    let always = crate::parse::strings(get("alwaysAllow"));
    if !always.is_empty() {
        extra.auto_approved.push((
            name.to_owned(),
            format!("`alwaysAllow` runs {} tool(s) unasked", always.len()),
        ));
        for t in always.iter().take(100) {
            extra.allow_rules.push(format!("mcp__{name}__{t}"));
        }
    }

    for (var, fp) in &tokens.literal {
        extra.literal_tokens.push((name.to_owned(), var.clone()));
        creds.push(CredentialFinding {
            kind: "mcp-config-token".to_owned(),
            path: origin.to_path_buf(),
            name: Some(format!("{name}:{var}")),
            fingerprint: Some(fp.clone()),
            age_days: ctx.age_days(origin),
            long_lived: true,
            production: crate::creds::is_prod(name) || crate::creds::is_prod(var),
            scope_hint: Some(format!("token for MCP server `{name}`")),
            passphrase: None,
            line: None,
        });
    }
    let mut env_token_vars = tokens.vars;
    env_token_vars.dedup();
    servers.push(McpServer {
        name: name.to_owned(),
        transport,
        enabled,
        env_token_vars,
        token_fingerprints: tokens.literal.into_iter().map(|(_, fp)| fp).collect(),
        origin: origin.to_path_buf(),
    });
}

/// Whether a variable or header name says it holds a secret: one of its
/// `_`/`-`-separated parts is `TOKEN`, `SECRET`, `KEY`, `PASSWORD`,
/// `PASSWD`, `PAT`, `CREDENTIAL(S)`, `COOKIE` or `APIKEY`, or ends with
/// `TOKEN`, `SECRET`, `PASSWORD` or `APIKEY`.
pub(crate) fn token_like(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .any(|p| {
            matches!(
                p,
                "TOKEN"
                    | "TOKENS"
                    | "SECRET"
                    | "SECRETS"
                    | "KEY"
                    | "PASSWORD"
                    | "PASSWD"
                    | "PAT"
                    | "CREDENTIAL"
                    | "CREDENTIALS"
                    | "COOKIE"
                    | "APIKEY"
            ) || ["TOKEN", "SECRET", "PASSWORD", "APIKEY"]
                .iter()
                .any(|w| p.ends_with(w))
        })
}

/// Whether a value refers to a variable or input rather than holding a
/// secret: `${VAR}`, `$VAR`, `{env:VAR}`, `${input:id}`, `{{ secrets.x }}`.
pub(crate) fn reference(value: &str) -> Option<String> {
    let v = value.trim();
    let v = v
        .strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))
        .or_else(|| v.strip_prefix("token "))
        .unwrap_or(v)
        .trim();
    if let Some(inner) = v.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        return Some(reference_name(inner));
    }
    if let Some(inner) = v.strip_prefix("{env:").and_then(|r| r.strip_suffix('}')) {
        return Some(inner.to_owned());
    }
    if let Some(name) = v.strip_prefix('$') {
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Some(name.to_owned());
        }
    }
    if v.starts_with("{{") && v.ends_with("}}") {
        return Some(
            v.trim_matches(|c| c == '{' || c == '}' || c == ' ')
                .to_owned(),
        );
    }
    None
}

/// The variable named inside `${…}`: `VAR`, `VAR:-default`, `env:VAR`, or
/// a VS Code input `input:id` (kept as is).
fn reference_name(inner: &str) -> String {
    if inner.starts_with("input:") {
        return inner.to_owned();
    }
    let inner = inner.strip_prefix("env:").unwrap_or(inner);
    inner.split(":-").next().unwrap_or(inner).to_owned()
}

/// Whether a literal value looks like a placeholder rather than a secret.
pub(crate) fn placeholder(value: &str) -> bool {
    let l = value.to_ascii_lowercase();
    l.len() < 8
        || l.contains(char::is_whitespace)
        || l.starts_with('/')
        || l.starts_with("~/")
        || l.starts_with("./")
        || (l.contains("://") && !l.contains('@'))
        || [
            "your",
            "xxx",
            "<",
            "example",
            "changeme",
            "placeholder",
            "redacted",
            "todo",
        ]
        .iter()
        .any(|p| l.contains(p))
}

#[derive(Default)]
struct Tokens {
    vars: Vec<String>,
    /// (variable or header name, fingerprint)
    literal: Vec<(String, String)>,
}

impl Tokens {
    fn var(&mut self, name: &str) {
        let name = name.trim().to_owned();
        if !name.is_empty() && !self.vars.contains(&name) {
            self.vars.push(name);
        }
    }

    fn literal(&mut self, ctx: &Ctx, name: &str, value: &str, fp: String) {
        ctx.remember_secret(value);
        if !self.literal.iter().any(|(_, f)| *f == fp) {
            self.literal.push((name.to_owned(), fp));
        }
    }

    /// `NAME=value` in `env`.
    fn assignment(&mut self, ctx: &Ctx, name: &str, value: &str) {
        if let Some(r) = reference(value) {
            if token_like(name) || token_like(&r) {
                self.var(name);
            }
            return;
        }
        let found = warden_secrets::scan(value.as_bytes());
        if let Some(f) = found.first() {
            self.var(name);
            for f in &found {
                let secret = String::from_utf8_lossy(f.secret(value.as_bytes())).into_owned();
                ctx.remember_secret(&secret);
            }
            self.literal(ctx, name, value, f.fingerprint(value.as_bytes()));
        } else if token_like(name) && !placeholder(value) {
            self.var(name);
            self.literal(
                ctx,
                name,
                value,
                fingerprint("mcp-config-token", value.as_bytes()),
            );
        }
    }

    /// A header: references name variables; literal credentials count.
    fn header(&mut self, ctx: &Ctx, header: &str, value: &str) {
        let mut referenced = false;
        let mut rest = value;
        while let Some(start) = rest.find("${") {
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else { break };
            self.var(&reference_name(&after[..end]));
            referenced = true;
            rest = &after[end + 1..];
        }
        if referenced || reference(value).is_some() {
            if let Some(r) = reference(value) {
                self.var(&r);
            }
            return;
        }
        let secretish = token_like(header) || header.eq_ignore_ascii_case("authorization");
        let found = warden_secrets::scan(value.as_bytes());
        if let Some(f) = found.first() {
            for f in &found {
                let secret = String::from_utf8_lossy(f.secret(value.as_bytes())).into_owned();
                ctx.remember_secret(&secret);
            }
            self.literal(ctx, header, value, f.fingerprint(value.as_bytes()));
        } else if secretish {
            let bare = value
                .trim()
                .trim_start_matches("Bearer ")
                .trim_start_matches("bearer ")
                .trim_start_matches("Basic ")
                .trim_start_matches("token ")
                .trim();
            if !placeholder(bare) {
                self.literal(
                    ctx,
                    header,
                    bare,
                    fingerprint("mcp-config-token", bare.as_bytes()),
                );
            }
        }
    }

    /// Arguments and URLs: only what the secret engine recognises.
    fn free_text(&mut self, ctx: &Ctx, text: &str) {
        for f in warden_secrets::scan(text.as_bytes()) {
            let secret = String::from_utf8_lossy(f.secret(text.as_bytes())).into_owned();
            let fp = f.fingerprint(text.as_bytes());
            self.literal(ctx, f.rule.id, &secret, fp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_references() {
        assert!(token_like("GITHUB_TOKEN"));
        assert!(token_like("API_KEY"));
        assert!(token_like("OPENAI_APIKEY"));
        assert!(token_like("GITHUB_PERSONAL_ACCESS_TOKEN"));
        assert!(token_like("DB_PASSWORD"));
        assert!(!token_like("LOG_LEVEL"));
        assert!(!token_like("PATH"));
        assert!(!token_like("KEYBOARD"));
        assert_eq!(
            reference("${GITHUB_TOKEN}").as_deref(),
            Some("GITHUB_TOKEN")
        );
        assert_eq!(reference("Bearer ${env:FIGMA}").as_deref(), Some("FIGMA"));
        assert_eq!(reference("{env:X}").as_deref(), Some("X"));
        assert_eq!(reference("$HOME").as_deref(), Some("HOME"));
        assert_eq!(reference("${input:token}").as_deref(), Some("input:token"));
        assert_eq!(reference("${X:-d}").as_deref(), Some("X"));
        assert!(reference("abc$def").is_none());
        assert!(placeholder("<your-token>"));
        assert!(!placeholder("s3cr3t-Value-99"));
    }
}
