//! Credentials reachable from the scanned account.
//!
//! Each source is read by its own parser, under the account's home (or the
//! directory its relocation variable names):
//!
//! | kind | where | what is read |
//! |---|---|---|
//! | `aws-access-key`, `aws-sso-profile`, `aws-credential-process`, `aws-role-profile` | `~/.aws/credentials`, `~/.aws/config` (`AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`) | per profile: static keys (`AKIA…` long-lived, `ASIA…` temporary), `sso_*`, `credential_process`, `role_arn` |
//! | `gcloud-adc`, `gcloud-cli` | `~/.config/gcloud/` (`CLOUDSDK_CONFIG`) | `application_default_credentials.json` `type`; `credentials.db` present; the active configuration's account and project |
//! | `azure-cli`, `azure-service-principal` | `~/.azure/` (`AZURE_CONFIG_DIR`) | `azureProfile.json` subscriptions; token caches present; `service_principal_entries.json` secrets |
//! | `kube-context` | `~/.kube/config` | each context: cluster, namespace, the user's auth (static token, client certificate, exec plugin) |
//! | `gh-token` | `~/.config/gh/hosts.yml` (`GH_CONFIG_DIR`) | `oauth_token` per host and user, else the keyring |
//! | `glab-token` | `~/.config/glab-cli/config.yml` (`GLAB_CONFIG_DIR`) | `hosts.<host>.token` |
//! | `npm-token` | `~/.npmrc` (`NPM_CONFIG_USERCONFIG`) | `_authToken`, `_auth`, `_password` |
//! | `pypi-token` | `~/.pypirc` | `password` per repository section |
//! | `cargo-token` | `~/.cargo/credentials.toml`, `credentials` (`CARGO_HOME`) | `registry.token`, `registries.<name>.token` |
//! | `docker-auth` | `~/.docker/config.json` (`DOCKER_CONFIG`) | `auths` (inline `auth`, `identitytoken`), `credsStore`, `credHelpers` |
//! | `ssh-key`, `ssh-agent` | `~/.ssh/*`, `SSH_AUTH_SOCK` | see [`crate::ssh`] |
//! | `git-credential-store`, `netrc` | `~/.git-credentials`, `~/.config/git/credentials`, `~/.netrc` | passwords per host |
//! | `shell-profile-secret` | `~/.bashrc`, `~/.zshrc`, `~/.profile`, … | secrets `warden-secrets` finds |
//! | `env-secret` | [`crate::ScanOptions::env`] | secret values, and long values of token-like names |
//! | `dotenv-secret`, `repo-secret` | [`crate::ScanOptions::paths`] | `warden_secrets::walk::scan_paths` |
//!
//! Every secret value met is fingerprinted and remembered for scrubbing.

use crate::fsread::Ctx;
use crate::parse::{self, IniSection};
use crate::{fingerprint, guarded, CredentialFinding, ScanOptions};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Shell profiles read for secrets and `warden run` aliases.
pub(crate) const PROFILES: &[&str] = &[
    ".bashrc",
    ".bash_profile",
    ".bash_login",
    ".bash_aliases",
    ".profile",
    ".zshrc",
    ".zshenv",
    ".zprofile",
    ".config/fish/config.fish",
];

/// What the shell profiles say about launching assistants.
#[derive(Debug, Default)]
pub(crate) struct ShellFacts {
    /// (command name, profile) for aliases/functions that start the command
    /// through `warden run`.
    pub(crate) warden_run: Vec<(String, PathBuf)>,
}

/// Whether a name suggests production: one of its words (split on
/// non-alphanumerics and camel case) is `prod`, `production`, `prd` or
/// `live`, or `prod` followed by digits.
pub(crate) fn is_prod(name: &str) -> bool {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words.iter().any(|w| {
        matches!(w.as_str(), "prod" | "production" | "prd" | "live")
            || w.strip_prefix("prod")
                .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
    })
}

/// Reads every credential source of the account.
pub(crate) fn discover(ctx: &Ctx, out: &mut Vec<CredentialFinding>) -> ShellFacts {
    guarded(ctx, "AWS credentials", || aws(ctx, out));
    guarded(ctx, "gcloud credentials", || gcloud(ctx, out));
    guarded(ctx, "Azure CLI credentials", || azure(ctx, out));
    guarded(ctx, "kubeconfig", || kube(ctx, out));
    guarded(ctx, "gh config", || gh(ctx, out));
    guarded(ctx, "glab config", || glab(ctx, out));
    guarded(ctx, "npm config", || npm(ctx, out));
    guarded(ctx, "PyPI config", || pypi(ctx, out));
    guarded(ctx, "cargo credentials", || cargo(ctx, out));
    guarded(ctx, "docker config", || docker(ctx, out));
    guarded(ctx, "SSH keys", || crate::ssh::discover(ctx, out));
    guarded(ctx, "ssh-agent", || ssh_agent(ctx, out));
    guarded(ctx, "git credential store", || git_credentials(ctx, out));
    guarded(ctx, ".netrc", || netrc(ctx, out));
    let mut facts = ShellFacts::default();
    guarded(ctx, "shell profiles", || profiles(ctx, out, &mut facts));
    guarded(ctx, "environment", || environment(ctx, out));
    facts
}

fn finding(kind: &str, path: &Path) -> CredentialFinding {
    CredentialFinding {
        kind: kind.to_owned(),
        path: path.to_path_buf(),
        ..CredentialFinding::default()
    }
}

/// An environment variable naming a file, else the home default.
fn file_from_env(ctx: &Ctx, var: &str, default: PathBuf) -> PathBuf {
    match ctx.env(var).map(PathBuf::from) {
        Some(p) if p.is_absolute() => {
            if let Some(parent) = p.parent() {
                ctx.add_root(parent);
            }
            p
        }
        _ => default,
    }
}

fn parse_or_note(ctx: &Ctx, path: &Path, parser: fn(&[u8]) -> parse::ParseResult) -> Option<Value> {
    let buf = ctx.read(path)?;
    match parser(&buf) {
        Ok(v) => Some(v),
        Err((format, message)) => {
            ctx.note_err(&crate::ScanError::Parse {
                path: path.to_path_buf(),
                format,
                message,
            });
            None
        }
    }
}

// ---------------------------------------------------------------- AWS

fn aws(ctx: &Ctx, out: &mut Vec<CredentialFinding>) {
    let cred_path = file_from_env(
        ctx,
        "AWS_SHARED_CREDENTIALS_FILE",
        ctx.home.join(".aws/credentials"),
    );
    let conf_path = file_from_env(ctx, "AWS_CONFIG_FILE", ctx.home.join(".aws/config"));
    let creds = ctx
        .read(&cred_path)
        .map(|b| parse::ini(&b))
        .unwrap_or_default();
    let conf = ctx
        .read(&conf_path)
        .map(|b| parse::ini(&b))
        .unwrap_or_default();
    // profile name → (credentials section, config section)
    let mut names: Vec<String> = Vec::new();
    for s in &creds {
        if !s.name.is_empty() && !names.contains(&s.name) {
            names.push(s.name.clone());
        }
    }
    let conf_name = |s: &IniSection| -> Option<String> {
        if s.name == "default" {
            Some("default".to_owned())
        } else {
            s.name.strip_prefix("profile ").map(|n| n.trim().to_owned())
        }
    };
    for s in &conf {
        if let Some(n) = conf_name(s) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    let empty = IniSection::default();
    for name in names.iter().take(500) {
        let c = creds
            .iter()
            .rev()
            .find(|s| &s.name == name)
            .unwrap_or(&empty);
        let f = conf
            .iter()
            .rev()
            .find(|s| conf_name(s).as_deref() == Some(name))
            .unwrap_or(&empty);
        let get = |k: &str| c.get(k).or_else(|| f.get(k));
        let key_in_creds =
            c.get("aws_access_key_id").is_some() || c.get("aws_secret_access_key").is_some();
        let key_path = if key_in_creds { &cred_path } else { &conf_path };
        let region = get("region");
        let mut prod = is_prod(name);
        let mut cf;
        if let Some(secret) = get("aws_secret_access_key").or(get("aws_access_key_id")) {
            let key_id = get("aws_access_key_id").unwrap_or_default();
            for v in [
                get("aws_secret_access_key"),
                get("aws_access_key_id"),
                get("aws_session_token"),
            ]
            .into_iter()
            .flatten()
            {
                ctx.remember_secret(v);
            }
            let temporary = key_id.starts_with("ASIA") || get("aws_session_token").is_some();
            cf = finding("aws-access-key", key_path);
            cf.long_lived = !temporary;
            cf.fingerprint = Some(fingerprint(
                "aws-access-key",
                if key_id.is_empty() { secret } else { key_id }.as_bytes(),
            ));
            cf.scope_hint = Some(if temporary {
                "temporary session key (ASIA…)".to_owned()
            } else if key_id.starts_with("AKIA") {
                "IAM user access key (AKIA…), does not expire".to_owned()
            } else {
                "static access key".to_owned()
            });
            cf.age_days = ctx.age_days(key_path);
        } else if get("sso_session").is_some()
            || get("sso_start_url").is_some()
            || get("sso_account_id").is_some()
        {
            cf = finding("aws-sso-profile", &conf_path);
            let role = get("sso_role_name").unwrap_or("?");
            let account = get("sso_account_id").unwrap_or("?");
            prod |= is_prod(role);
            cf.scope_hint = Some(format!("SSO role {role} in account {account}"));
            cf.age_days = ctx.age_days(&conf_path);
        } else if let Some(process) = get("credential_process") {
            cf = finding("aws-credential-process", &conf_path);
            let program = process
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .rsplit('/')
                .next()
                .unwrap_or_default();
            cf.scope_hint = Some(format!("credential_process runs {program}"));
            cf.age_days = ctx.age_days(&conf_path);
        } else if let Some(arn) = get("role_arn") {
            cf = finding("aws-role-profile", &conf_path);
            let role = arn.rsplit('/').next().unwrap_or(arn);
            prod |= is_prod(role);
            let via = get("source_profile")
                .map(|p| format!("source_profile {p}"))
                .or_else(|| get("credential_source").map(|s| format!("credential_source {s}")))
                .unwrap_or_else(|| "web identity".to_owned());
            cf.scope_hint = Some(format!("assumes role {role} via {via}"));
            cf.age_days = ctx.age_days(&conf_path);
        } else {
            continue;
        }
        if let Some(r) = region {
            if let Some(h) = cf.scope_hint.as_mut() {
                h.push_str(&format!(", region {r}"));
            }
        }
        if name.to_ascii_lowercase().contains("admin")
            || get("role_arn").is_some_and(|a| a.to_ascii_lowercase().contains("admin"))
            || get("sso_role_name").is_some_and(|a| a.to_ascii_lowercase().contains("admin"))
        {
            if let Some(h) = cf.scope_hint.as_mut() {
                h.push_str(", admin role by name");
            }
        }
        cf.name = Some(name.clone());
        cf.production = prod;
        out.push(cf);
    }
}

// ---------------------------------------------------------------- gcloud

fn gcloud(ctx: &Ctx, out: &mut Vec<CredentialFinding>) {
    let dir = ctx
        .relocated("CLOUDSDK_CONFIG")
        .unwrap_or_else(|| ctx.home.join(".config/gcloud"));
    let adc = dir.join("application_default_credentials.json");
    if let Some(v) = parse_or_note(ctx, &adc, parse::json) {
        let t = v.get("type").and_then(Value::as_str).unwrap_or("unknown");
        for k in [
            "refresh_token",
            "private_key",
            "client_secret",
            "private_key_id",
        ] {
            if let Some(s) = v.get(k).and_then(Value::as_str) {
                ctx.remember_secret(s);
            }
        }
        let mut cf = finding("gcloud-adc", &adc);
        let secret = ["refresh_token", "private_key_id", "private_key"]
            .iter()
            .find_map(|k| v.get(*k).and_then(Value::as_str));
        cf.fingerprint = secret.map(|s| fingerprint("gcloud-adc", s.as_bytes()));
        cf.long_lived = matches!(
            t,
            "authorized_user" | "service_account" | "impersonated_service_account"
        );
        let project = v
            .get("quota_project_id")
            .or_else(|| v.get("project_id"))
            .and_then(Value::as_str);
        let who = v.get("client_email").and_then(Value::as_str);
        let mut hint = match t {
            "authorized_user" => "user refresh token (authorized_user)".to_owned(),
            "service_account" => "service account key".to_owned(),
            "external_account" => "workload identity federation (external_account)".to_owned(),
            other => format!("type {}", crate::render::clean(other, 40)),
        };
        if let Some(w) = who {
            hint.push_str(&format!(" {}", crate::render::clean(w, 80)));
        }
        if let Some(p) = project {
            hint.push_str(&format!(", project {}", crate::render::clean(p, 60)));
            cf.production = is_prod(p);
        }
        cf.name = Some(t.to_owned());
        cf.scope_hint = Some(hint);
        cf.age_days = ctx.age_days(&adc);
        out.push(cf);
    }
    let db = dir.join("credentials.db");
    if ctx.exists(&db) {
        let active = ctx
            .read_capped(&dir.join("active_config"), 4096)
            .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
            .filter(|s| !s.is_empty() && !s.contains('/'))
            .unwrap_or_else(|| "default".to_owned());
        let conf = ctx
            .read(&dir.join("configurations").join(format!("config_{active}")))
            .map(|b| parse::ini(&b))
            .unwrap_or_default();
        let core = conf.iter().find(|s| s.name == "core");
        let account = core.and_then(|s| s.get("account"));
        let project = core.and_then(|s| s.get("project"));
        let mut cf = finding("gcloud-cli", &db);
        cf.name = account.map(str::to_owned);
        cf.long_lived = true;
        cf.production = project.is_some_and(is_prod);
        cf.scope_hint = Some(format!(
            "gcloud CLI login (refresh tokens in credentials.db), configuration {active}{}",
            project
                .map(|p| format!(", project {p}"))
                .unwrap_or_default()
        ));
        cf.age_days = ctx.age_days(&db);
        out.push(cf);
    }
}

// ---------------------------------------------------------------- Azure

fn azure(ctx: &Ctx, out: &mut Vec<CredentialFinding>) {
    let dir = ctx
        .relocated("AZURE_CONFIG_DIR")
        .unwrap_or_else(|| ctx.home.join(".azure"));
    let profile = dir.join("azureProfile.json");
    let caches = [
        "msal_token_cache.json",
        "msal_token_cache.bin",
        "accessTokens.json",
    ];
    let cache = caches.iter().map(|c| dir.join(c)).find(|p| ctx.exists(p));
    let subs: Vec<(String, bool)> = parse_or_note(ctx, &profile, parse::json)
        .and_then(|v| v.get("subscriptions").cloned())
        .and_then(|s| s.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .take(1000)
        .filter_map(|s| {
            let name = s.get("name").and_then(Value::as_str)?;
            Some((
                name.to_owned(),
                s.get("isDefault").and_then(Value::as_bool) == Some(true),
            ))
        })
        .collect();
    if cache.is_some() || !subs.is_empty() {
        let path = cache.clone().unwrap_or_else(|| profile.clone());
        let mut cf = finding("azure-cli", &path);
        cf.name = subs
            .iter()
            .find(|(_, d)| *d)
            .or(subs.first())
            .map(|(n, _)| n.clone());
        cf.long_lived = true;
        cf.production = subs.iter().any(|(n, _)| is_prod(n));
        let names: Vec<&str> = subs.iter().take(5).map(|(n, _)| n.as_str()).collect();
        cf.scope_hint = Some(format!(
            "az login: {} subscription(s){}{}",
            subs.len(),
            if names.is_empty() { "" } else { ": " },
            names.join(", ")
        ));
        cf.age_days = ctx.age_days(&path);
        out.push(cf);
    }
    let sp = dir.join("service_principal_entries.json");
    if let Some(v) = parse_or_note(ctx, &sp, parse::json) {
        for e in v.as_array().into_iter().flatten().take(100) {
            let secret = ["client_secret", "accessToken"]
                .iter()
                .find_map(|k| e.get(*k).and_then(Value::as_str));
            let id = ["client_id", "servicePrincipalId"]
                .iter()
                .find_map(|k| e.get(*k).and_then(Value::as_str));
            let mut cf = finding("azure-service-principal", &sp);
            if let Some(s) = secret {
                ctx.remember_secret(s);
                cf.fingerprint = Some(fingerprint("azure-service-principal", s.as_bytes()));
            }
            cf.name = id.map(str::to_owned);
            cf.long_lived = true;
            cf.scope_hint = Some("service principal secret stored by az login".to_owned());
            cf.age_days = ctx.age_days(&sp);
            out.push(cf);
        }
    }
}

// ---------------------------------------------------------------- kube

fn kube(ctx: &Ctx, out: &mut Vec<CredentialFinding>) {
    let path = ctx.home.join(".kube/config");
    if ctx.env("KUBECONFIG").is_some() {
        ctx.note("KUBECONFIG is set; only ~/.kube/config was scanned");
    }
    let Some(v) = parse_or_note(ctx, &path, parse::yaml) else {
        return;
    };
    let named = |list: &str, name: &str, inner: &str| -> Option<Value> {
        v.get(list)?
            .as_array()?
            .iter()
            .find(|e| e.get("name").and_then(Value::as_str) == Some(name))
            .and_then(|e| e.get(inner).cloned())
    };
    // Remember every static secret, whichever context uses it.
    for u in v
        .get("users")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(user) = u.get("user") {
            for k in ["token", "client-key-data", "password"] {
                if let Some(s) = user.get(k).and_then(Value::as_str) {
                    ctx.remember_secret(s);
                }
            }
        }
    }
    let current = v.get("current-context").and_then(Value::as_str);
    for c in v
        .get("contexts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(1000)
    {
        let Some(name) = c.get("name").and_then(Value::as_str) else {
            continue;
        };
        let ctxv = c.get("context").cloned().unwrap_or(Value::Null);
        let cluster = ctxv.get("cluster").and_then(Value::as_str).unwrap_or("");
        let user = ctxv.get("user").and_then(Value::as_str).unwrap_or("");
        let ns = ctxv.get("namespace").and_then(Value::as_str);
        let server = named("clusters", cluster, "cluster")
            .and_then(|c| c.get("server").and_then(Value::as_str).map(str::to_owned));
        let host = server
            .as_deref()
            .map(|s| {
                let rest = s.split("://").nth(1).unwrap_or(s);
                rest.split(['/', ':']).next().unwrap_or(rest).to_owned()
            })
            .unwrap_or_default();
        let u = named("users", user, "user").unwrap_or(Value::Null);
        let (auth, long_lived, secret) = if let Some(t) = u.get("token").and_then(Value::as_str) {
            ("static bearer token".to_owned(), true, Some(t.to_owned()))
        } else if let Some(k) = u.get("client-key-data").and_then(Value::as_str) {
            ("client certificate".to_owned(), true, Some(k.to_owned()))
        } else if u.get("client-key").is_some() {
            ("client certificate (key file)".to_owned(), true, None)
        } else if let Some(cmd) = at_str(&u, &["exec", "command"]) {
            let args = parse::strings(u.get("exec").and_then(|e| e.get("args")));
            let prog = cmd.rsplit('/').next().unwrap_or(cmd);
            let shown: Vec<&str> = args.iter().take(2).map(String::as_str).collect();
            (
                format!("exec plugin {} {}", prog, shown.join(" "))
                    .trim_end()
                    .to_owned(),
                false,
                None,
            )
        } else if let Some(p) = at_str(&u, &["auth-provider", "name"]) {
            (format!("auth-provider {p}"), false, None)
        } else if u.get("password").is_some() {
            ("basic auth password".to_owned(), true, None)
        } else {
            ("no credentials in the file".to_owned(), false, None)
        };
        let mut cf = finding("kube-context", &path);
        cf.name = Some(name.to_owned());
        cf.fingerprint = secret.map(|s| fingerprint("kube-context", s.as_bytes()));
        cf.long_lived = long_lived;
        cf.production =
            is_prod(name) || is_prod(cluster) || ns.is_some_and(is_prod) || is_prod(&host);
        cf.scope_hint = Some(format!(
            "cluster {}{}{}, auth: {}{}",
            crate::render::clean(cluster, 80),
            if host.is_empty() {
                String::new()
            } else {
                format!(" ({})", crate::render::clean(&host, 80))
            },
            ns.map(|n| format!(", namespace {}", crate::render::clean(n, 60)))
                .unwrap_or_default(),
            crate::render::clean(&auth, 80),
            if current == Some(name) {
                ", current context"
            } else {
                ""
            }
        ));
        cf.age_days = ctx.age_days(&path);
        out.push(cf);
    }
}

fn at_str<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    parse::str_at(v, path)
}

// ---------------------------------------------------------------- gh, glab

fn gh(ctx: &Ctx, out: &mut Vec<CredentialFinding>) {
    let dir = ctx
        .relocated("GH_CONFIG_DIR")
        .unwrap_or_else(|| ctx.xdg_config().join("gh"));
    let path = dir.join("hosts.yml");
    let Some(v) = parse_or_note(ctx, &path, parse::yaml) else {
        return;
    };
    for (host, entry) in v.as_object().into_iter().flatten().take(100) {
        let user = entry.get("user").and_then(Value::as_str);
        let mut tokens: Vec<(Option<String>, Option<String>)> = Vec::new();
        if let Some(users) = entry.get("users").and_then(Value::as_object) {
            for (u, e) in users.iter().take(100) {
                let t = e.get("oauth_token").and_then(Value::as_str);
                tokens.push((Some(u.clone()), t.map(str::to_owned)));
            }
        }
        if let Some(t) = entry.get("oauth_token").and_then(Value::as_str) {
            tokens.retain(|(u, _)| u.as_deref() != user);
            tokens.insert(0, (user.map(str::to_owned), Some(t.to_owned())));
        }
        if tokens.is_empty() {
            tokens.push((user.map(str::to_owned), None));
        }
        for (u, t) in tokens {
            let mut cf = finding("gh-token", &path);
            cf.name = Some(match &u {
                Some(u) => format!("{host}:{u}"),
                None => host.clone(),
            });
            cf.long_lived = true;
            match t.filter(|t| !t.is_empty()) {
                Some(t) => {
                    ctx.remember_secret(&t);
                    cf.fingerprint = Some(fingerprint("gh-token", t.as_bytes()));
                    cf.scope_hint = Some(format!(
                        "GitHub token for {host} in plain text{}",
                        if t.starts_with("gho_") {
                            " (OAuth token, no expiry)"
                        } else {
                            ""
                        }
                    ));
                }
                None => {
                    cf.scope_hint = Some(format!(
                        "GitHub login for {host}; token in the system keyring (`gh auth token` prints it)"
                    ));
                }
            }
            cf.age_days = ctx.age_days(&path);
            out.push(cf);
        }
    }
}

fn glab(ctx: &Ctx, out: &mut Vec<CredentialFinding>) {
    let dir = ctx
        .relocated("GLAB_CONFIG_DIR")
        .unwrap_or_else(|| ctx.xdg_config().join("glab-cli"));
    let path = dir.join("config.yml");
    let Some(v) = parse_or_note(ctx, &path, parse::yaml) else {
        return;
    };
    for (host, entry) in v
        .get("hosts")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .take(100)
    {
        let token = entry
            .get("token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty());
        let mut cf = finding("glab-token", &path);
        cf.name = Some(match entry.get("user").and_then(Value::as_str) {
            Some(u) => format!("{host}:{u}"),
            None => host.clone(),
        });
        cf.long_lived = true;
        match token {
            Some(t) => {
                ctx.remember_secret(t);
                cf.fingerprint = Some(fingerprint("glab-token", t.as_bytes()));
                cf.scope_hint = Some(format!("GitLab token for {host} in plain text"));
            }
            None => {
                cf.scope_hint = Some(format!("GitLab login for {host}; token in the keyring"));
            }
        }
        cf.age_days = ctx.age_days(&path);
        out.push(cf);
    }
}

// ---------------------------------------------------------------- registries

fn npm(ctx: &Ctx, out: &mut Vec<CredentialFinding>) {
    let path = file_from_env(ctx, "NPM_CONFIG_USERCONFIG", ctx.home.join(".npmrc"));
    let Some(buf) = ctx.read(&path) else { return };
    let text = String::from_utf8_lossy(&buf);
    for (i, line) in text.lines().enumerate().take(10_000) {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim().trim_matches('"'));
        let (registry, field) = match key.rsplit_once(':') {
            Some((r, f)) if r.starts_with("//") => (r.trim_end_matches('/'), f),
            _ => ("registry (default)", key),
        };
        if !matches!(field, "_authToken" | "_auth" | "_password") || value.is_empty() {
            continue;
        }
        let mut cf = finding("npm-token", &path);
        cf.name = Some(registry.trim_start_matches("//").to_owned());
        cf.long_lived = true;
        cf.line = Some(i as u64 + 1);
        match crate::mcp::reference(value) {
            Some(var) => {
                cf.scope_hint = Some(format!("{field} taken from ${var}"));
            }
            None => {
                ctx.remember_secret(value);
                cf.fingerprint = Some(fingerprint("npm-token", value.as_bytes()));
                cf.scope_hint = Some(format!("{field} in plain text; can publish packages"));
            }
        }
        cf.age_days = ctx.age_days(&path);
        out.push(cf);
    }
}

fn pypi(ctx: &Ctx, out: &mut Vec<CredentialFinding>) {
    let path = ctx.home.join(".pypirc");
    let Some(buf) = ctx.read(&path) else { return };
    for s in parse::ini(&buf).iter().take(100) {
        let Some(pw) = s.get("password") else {
            continue;
        };
        ctx.remember_secret(pw);
        let mut cf = finding("pypi-token", &path);
        cf.name = Some(s.name.clone());
        cf.fingerprint = Some(fingerprint("pypi-token", pw.as_bytes()));
        cf.long_lived = true;
        let what = if s.get("username") == Some("__token__") || pw.starts_with("pypi-") {
            "API token"
        } else {
            "password"
        };
        cf.scope_hint = Some(format!(
            "{what} for {}; can upload packages",
            s.get("repository").unwrap_or(&s.name)
        ));
        cf.age_days = ctx.age_days(&path);
        out.push(cf);
    }
}

fn cargo(ctx: &Ctx, out: &mut Vec<CredentialFinding>) {
    let dir = ctx
        .relocated("CARGO_HOME")
        .unwrap_or_else(|| ctx.home.join(".cargo"));
    for file in ["credentials.toml", "credentials"] {
        let path = dir.join(file);
        let Some(v) = parse_or_note(ctx, &path, parse::toml) else {
            continue;
        };
        let mut entries: Vec<(String, String)> = Vec::new();
        if let Some(t) = parse::str_at(&v, &["registry", "token"]) {
            entries.push(("crates.io".to_owned(), t.to_owned()));
        }
        for (name, r) in v
            .get("registries")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .take(100)
        {
            if let Some(t) = r.get("token").and_then(Value::as_str) {
                entries.push((name.clone(), t.to_owned()));
            }
        }
        for (name, token) in entries {
            ctx.remember_secret(&token);
            let mut cf = finding("cargo-token", &path);
            cf.name = Some(name.clone());
            cf.fingerprint = Some(fingerprint("cargo-token", token.as_bytes()));
            cf.long_lived = true;
            cf.scope_hint = Some(format!("registry token for {name}; can publish crates"));
            cf.age_days = ctx.age_days(&path);
            out.push(cf);
        }
    }
}

fn docker(ctx: &Ctx, out: &mut Vec<CredentialFinding>) {
    let dir = ctx
        .relocated("DOCKER_CONFIG")
        .unwrap_or_else(|| ctx.home.join(".docker"));
    let path = dir.join("config.json");
    let Some(v) = parse_or_note(ctx, &path, parse::json) else {
        return;
    };
    let store = v.get("credsStore").and_then(Value::as_str);
    let helpers = v.get("credHelpers").and_then(Value::as_object);
    let mut seen: Vec<String> = Vec::new();
    for (host, e) in v
        .get("auths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .take(200)
    {
        seen.push(host.clone());
        let inline = ["auth", "identitytoken", "registrytoken"]
            .iter()
            .find_map(|k| e.get(*k).and_then(Value::as_str).filter(|s| !s.is_empty()));
        let mut cf = finding("docker-auth", &path);
        cf.name = Some(host.clone());
        cf.long_lived = true;
        match inline {
            Some(s) => {
                ctx.remember_secret(s);
                cf.fingerprint = Some(fingerprint("docker-auth", s.as_bytes()));
                cf.scope_hint = Some(format!(
                    "registry {host}: credentials inline (base64), can push images"
                ));
            }
            None => {
                let helper = helpers
                    .and_then(|h| h.get(host))
                    .and_then(Value::as_str)
                    .or(store);
                match helper {
                    Some(h) => {
                        cf.scope_hint = Some(format!(
                            "registry {host}: in credential helper docker-credential-{h}"
                        ))
                    }
                    None => continue,
                }
            }
        }
        cf.age_days = ctx.age_days(&path);
        out.push(cf);
    }
    for (host, helper) in helpers.into_iter().flatten().take(200) {
        if seen.contains(host) {
            continue;
        }
        let mut cf = finding("docker-auth", &path);
        cf.name = Some(host.clone());
        cf.long_lived = true;
        cf.scope_hint = Some(format!(
            "registry {host}: in credential helper docker-credential-{}",
            helper.as_str().unwrap_or("?")
        ));
        cf.age_days = ctx.age_days(&path);
        out.push(cf);
    }
}

// ---------------------------------------------------------------- ssh-agent, git, netrc

fn ssh_agent(ctx: &Ctx, out: &mut Vec<CredentialFinding>) {
    let Some(sock) = ctx.env("SSH_AUTH_SOCK") else {
        return;
    };
    let mut cf = finding("ssh-agent", Path::new(sock));
    cf.name = Some("SSH_AUTH_SOCK".to_owned());
    cf.scope_hint = Some(
        "ssh-agent socket: every key loaded in the agent signs for any process of this user"
            .to_owned(),
    );
    out.push(cf);
}

/// `scheme://user:password@host/…` → (host, user, password).
fn url_credentials(line: &str) -> Option<(String, String, String)> {
    let (_, rest) = line.trim().split_once("://")?;
    let (userinfo, hostpart) = rest.rsplit_once('@')?;
    // `https://TOKEN@host` carries the token as the user name.
    let (user, pass) = userinfo.split_once(':').unwrap_or(("", userinfo));
    if pass.is_empty() {
        return None;
    }
    let host = hostpart.split(['/', '?']).next().unwrap_or(hostpart);
    Some((host.to_owned(), user.to_owned(), pass.to_owned()))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn git_credentials(ctx: &Ctx, out: &mut Vec<CredentialFinding>) {
    for path in [
        ctx.home.join(".git-credentials"),
        ctx.xdg_config().join("git/credentials"),
    ] {
        let Some(buf) = ctx.read(&path) else { continue };
        let text = String::from_utf8_lossy(&buf);
        for (i, line) in text.lines().enumerate().take(10_000) {
            let Some((host, user, pass)) = url_credentials(line) else {
                continue;
            };
            ctx.remember_secret(&pass);
            let decoded = percent_decode(&pass);
            ctx.remember_secret(&decoded);
            let mut cf = finding("git-credential-store", &path);
            cf.name = Some(if user.is_empty() {
                host.clone()
            } else {
                format!("{host}:{}", percent_decode(&user))
            });
            cf.fingerprint = Some(fingerprint("git-credential-store", decoded.as_bytes()));
            cf.long_lived = true;
            cf.production = is_prod(&host);
            cf.line = Some(i as u64 + 1);
            cf.scope_hint = Some(format!(
                "git credential store: password or token for {host} in plain text"
            ));
            cf.age_days = ctx.age_days(&path);
            out.push(cf);
        }
    }
}

fn netrc(ctx: &Ctx, out: &mut Vec<CredentialFinding>) {
    let path = ctx.home.join(".netrc");
    let Some(buf) = ctx.read(&path) else { return };
    let text = String::from_utf8_lossy(&buf);
    let words: Vec<&str> = text.split_whitespace().take(100_000).collect();
    let mut machine: Option<&str> = None;
    let mut i = 0;
    while i < words.len() {
        match words[i] {
            "machine" => {
                machine = words.get(i + 1).copied();
                i += 2;
            }
            "default" => {
                machine = Some("default");
                i += 1;
            }
            "password" => {
                if let Some(pw) = words.get(i + 1) {
                    ctx.remember_secret(pw);
                    let host = machine.unwrap_or("default");
                    let mut cf = finding("netrc", &path);
                    cf.name = Some(host.to_owned());
                    cf.fingerprint = Some(fingerprint("netrc", pw.as_bytes()));
                    cf.long_lived = true;
                    cf.production = is_prod(host);
                    cf.scope_hint = Some(format!("password for {host} in plain text"));
                    cf.age_days = ctx.age_days(&path);
                    out.push(cf);
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
}

// ---------------------------------------------------------------- shell, env

/// The variable a line assigns (`export NAME=`, `NAME=`, `set -x NAME`).
fn assigned_name(line: &str) -> Option<String> {
    let l = line.trim_start();
    let l = l
        .strip_prefix("export ")
        .or_else(|| l.strip_prefix("declare -x "))
        .unwrap_or(l)
        .trim_start();
    let l = l
        .strip_prefix("set -gx ")
        .or_else(|| l.strip_prefix("set -x "))
        .or_else(|| l.strip_prefix("set -Ux "))
        .unwrap_or(l);
    let name: String = l
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
}

fn profiles(ctx: &Ctx, out: &mut Vec<CredentialFinding>, facts: &mut ShellFacts) {
    for rel in PROFILES {
        let path = ctx.home.join(rel);
        let Some(buf) = ctx.read(&path) else { continue };
        for f in warden_secrets::scan(&buf) {
            let secret = String::from_utf8_lossy(f.secret(&buf)).into_owned();
            ctx.remember_secret(&secret);
            let line_start = buf[..f.start.min(buf.len())]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            let line_end = buf[f.start.min(buf.len())..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(buf.len(), |p| f.start + p);
            let line = String::from_utf8_lossy(&buf[line_start..line_end]);
            let name = assigned_name(&line);
            let mut cf = finding("shell-profile-secret", &path);
            cf.production = name.as_deref().is_some_and(is_prod);
            cf.name = Some(name.unwrap_or_else(|| f.rule.id.to_owned()));
            cf.fingerprint = Some(f.fingerprint(&buf));
            cf.long_lived = true;
            cf.line = Some(f.line as u64);
            cf.scope_hint = Some(format!(
                "{} exported to every process of the shell",
                f.rule.description
            ));
            cf.age_days = ctx.age_days(&path);
            out.push(cf);
        }
        let text = String::from_utf8_lossy(&buf);
        for line in text.lines() {
            if !line.contains("warden") || !line.contains(" run") {
                continue;
            }
            let l = line.trim_start();
            // alias NAME='warden run … -- NAME …' or NAME() { warden run … }
            let name = if let Some(rest) = l.strip_prefix("alias ") {
                rest.split(['=', ' ']).next().map(str::to_owned)
            } else if let Some(rest) = l.strip_prefix("function ") {
                rest.split(['(', ' ', '{']).next().map(str::to_owned)
            } else {
                l.split_once("()").map(|(n, _)| n.trim().to_owned())
            };
            let words: Vec<&str> = line
                .split(|c: char| c.is_whitespace() || c == '\'' || c == '"' || c == ';')
                .filter(|w| !w.is_empty())
                .collect();
            let runs = words
                .windows(2)
                .any(|w| (w[0] == "warden" || w[0].ends_with("/warden")) && w[1] == "run");
            if let (Some(n), true) = (name, runs) {
                if !n.is_empty() {
                    facts.warden_run.push((n, path.clone()));
                }
            }
        }
    }
}

fn environment(ctx: &Ctx, out: &mut Vec<CredentialFinding>) {
    let mut vars: Vec<(&String, &String)> = ctx.env.iter().collect();
    vars.sort();
    for (name, value) in vars {
        if matches!(name.as_str(), "SSH_AUTH_SOCK" | "WARDEN_SESSION_CREDENTIAL") {
            continue;
        }
        let found = warden_secrets::scan(value.as_bytes());
        let fp = if let Some(f) = found.first() {
            for f in &found {
                ctx.remember_secret(&String::from_utf8_lossy(f.secret(value.as_bytes())));
            }
            Some((
                f.fingerprint(value.as_bytes()),
                f.rule.description.to_owned(),
            ))
        } else if crate::mcp::token_like(name)
            && value.len() >= 16
            && !crate::mcp::placeholder(value)
            && crate::mcp::reference(value).is_none()
        {
            Some((
                fingerprint("env-secret", value.as_bytes()),
                "token-like variable".to_owned(),
            ))
        } else {
            None
        };
        let Some((fp, what)) = fp else { continue };
        ctx.remember_secret(value);
        let mut cf = finding("env-secret", Path::new("<environment>"));
        cf.name = Some(name.clone());
        cf.fingerprint = Some(fp);
        cf.long_lived = true;
        cf.production = is_prod(name);
        cf.scope_hint = Some(format!(
            "{what} in the environment, inherited by every child"
        ));
        out.push(cf);
    }
}

// ---------------------------------------------------------------- repositories

/// Walks [`ScanOptions::paths`] with `warden-secrets`; returns (files,
/// bytes) read.
pub(crate) fn walk_paths(
    ctx: &Ctx,
    opts: &ScanOptions,
    out: &mut Vec<CredentialFinding>,
) -> (u64, u64) {
    let mut roots = Vec::new();
    for p in &opts.paths {
        if ctx.exists(p) {
            roots.push(p.clone());
        } else {
            ctx.note(format!("{}: does not exist; not scanned", p.display()));
        }
    }
    if roots.is_empty() {
        return (0, 0);
    }
    let walk_opts = warden_secrets::walk::WalkOptions {
        max_file_size: opts.max_file_bytes,
        respect_gitignore: opts.respect_gitignore,
        ..Default::default()
    };
    let mut stats = (0, 0);
    guarded(ctx, "the scanned paths", || {
        let report = warden_secrets::walk::scan_paths(&roots, &walk_opts);
        stats = (report.files_scanned, report.bytes_scanned);
        for e in report.errors.iter().take(50) {
            ctx.note(match &e.path {
                Some(p) => format!("{}: {}", p.display(), e.message),
                None => e.message.clone(),
            });
        }
        if report.errors.len() > 50 {
            ctx.note(format!(
                "{} more unreadable entries under the scanned paths",
                report.errors.len() - 50
            ));
        }
        if report.skipped_large > 0 {
            ctx.note(format!(
                "{} file(s) over {} bytes under the scanned paths were not scanned",
                report.skipped_large, opts.max_file_bytes
            ));
        }
        // A credential file already reported by its own parser is not
        // reported again, nor is a value already fingerprinted.
        let known_paths: Vec<PathBuf> = out.iter().map(|c| c.path.clone()).collect();
        let mut known_hashes: Vec<String> = out
            .iter()
            .filter_map(|c| c.fingerprint.as_deref())
            .filter_map(|f| f.rsplit(':').next().map(str::to_owned))
            .collect();
        for f in report.findings {
            if known_paths.contains(&f.path) {
                continue;
            }
            let hash = f.fingerprint.rsplit(':').next().unwrap_or("").to_owned();
            if known_hashes.contains(&hash) {
                continue;
            }
            known_hashes.push(hash);
            let file = f
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let dotenv = file.starts_with(".env") || file.ends_with(".env");
            let mut cf = finding(
                if dotenv {
                    "dotenv-secret"
                } else {
                    "repo-secret"
                },
                &f.path,
            );
            cf.name = Some(f.rule.id.to_owned());
            cf.fingerprint = Some(f.fingerprint.clone());
            cf.long_lived = !(f.rule.id.contains("session")
                || f.rule.id.contains("short-term")
                || f.rule.id == "jwt");
            cf.production = f
                .path
                .components()
                .any(|c| is_prod(&c.as_os_str().to_string_lossy()));
            cf.scope_hint = Some(f.rule.description.to_owned());
            cf.line = Some(f.line as u64);
            cf.age_days = ctx.age_days(&f.path);
            out.push(cf);
        }
    });
    stats
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prod_names() {
        for p in [
            "prod",
            "prod-eu-1",
            "arn:aws:eks:us-east-1:1:cluster/production",
            "ProdCluster",
            "live",
            "k8s-prd",
            "prod2",
        ] {
            assert!(is_prod(p), "{p}");
        }
        for n in [
            "product",
            "staging",
            "dev",
            "reproduce",
            "delivery",
            "olive",
        ] {
            assert!(!is_prod(n), "{n}");
        }
    }

    #[test]
    fn helpers() {
        assert_eq!(
            assigned_name("export GITHUB_TOKEN=x").as_deref(),
            Some("GITHUB_TOKEN")
        );
        assert_eq!(
            assigned_name("set -gx NPM_TOKEN x").as_deref(),
            Some("NPM_TOKEN")
        );
        assert_eq!(
            url_credentials("https://me:p%40ss@github.com/x"),
            Some(("github.com".into(), "me".into(), "p%40ss".into()))
        );
        assert_eq!(percent_decode("p%40ss%"), "p@ss%");
        assert_eq!(
            url_credentials("https://tok123456@github.com"),
            Some(("github.com".into(), String::new(), "tok123456".into()))
        );
        assert_eq!(url_credentials("https://github.com/x"), None);
    }
}
