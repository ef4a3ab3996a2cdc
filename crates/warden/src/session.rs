//! Session credentials at the edge: minting one when a session starts,
//! deriving a narrower one for a subagent, and checking the one presented
//! with each decision.
//!
//! A hook-started session's assistant cannot carry a token, so warden
//! holds it in the store, keyed by the assistant's session id (and
//! subagent id). A session started by `warden session start` or `warden
//! run` hands the token to the assistant in [`CREDENTIAL_ENV`]; its hooks
//! inherit the variable and present it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use warden_action::CredentialState;
use warden_engine::config::HumanSource;
use warden_engine::Config;
use warden_identity::{Caveat, Credential, Expected, SessionClaims, Verified};
use warden_store::ed25519_dalek::{SigningKey, VerifyingKey};
use warden_store::{CredentialRecord, NewCredential, Store};

pub use warden_identity::CREDENTIAL_ENV;

/// Longest task text kept in a credential.
const MAX_TASK_CHARS: usize = 200;

/// The human of a new session, from the configured source.
///
/// # Errors
/// One line saying why no human could be determined.
pub fn resolve_human(
    config: &Config,
    store: &Store,
    os_human: Option<&str>,
    cwd: &Path,
) -> Result<String, String> {
    let os_human = os_human
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_owned);
    match config.identity.human {
        HumanSource::Os => os_human
            .ok_or_else(|| "the session's human is unknown: set WARDEN_HUMAN or USER".into()),
        HumanSource::Git => git_email(cwd).ok_or_else(|| {
            format!(
                "[identity] human = \"git\", but `git config user.email` is empty in {}",
                cwd.display()
            )
        }),
        HumanSource::Enrolled => {
            let name = os_human.ok_or_else(|| {
                "the session's human is unknown: set WARDEN_HUMAN or USER".to_owned()
            })?;
            match store.human(&name) {
                Ok(Some(human)) if human.state == "active" => Ok(human.name),
                Ok(Some(_)) => Err(format!("{name} is enrolled but inactive")),
                Ok(None) => Err(format!(
                    "{name} is not enrolled ([identity] human = \"enrolled\"; run `warden human enroll {name}`)"
                )),
                Err(e) => Err(format!("cannot read enrolled humans: {e}")),
            }
        }
    }
}

/// `git config user.email` as git itself resolves it from `cwd`.
fn git_email(cwd: &Path) -> Option<String> {
    let output = std::process::Command::new("git")
        .args(["config", "--get", "user.email"])
        .current_dir(cwd)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let email = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !email.is_empty() && !email.chars().any(char::is_control))
        .then_some(email)
}

/// The repository a directory belongs to: its workspace root, if any.
pub fn repo_of(cwd: &Path) -> Option<String> {
    let workspace = warden_classify::workspace::detect(cwd);
    workspace.is_git.then_some(workspace.root)
}

/// What a new session credential is for.
pub struct SessionRequest<'a> {
    /// The agent identity.
    pub agent: &'a str,
    /// The human.
    pub human: &'a str,
    /// The session id (the assistant's, or one warden made up).
    pub session: &'a str,
    /// Where the session starts.
    pub cwd: &'a Path,
    /// What the human said it is for.
    pub task: Option<&'a str>,
    /// Keep the token in the store for the hook (the assistant cannot
    /// carry it).
    pub held: bool,
}

/// Mints and records a session credential.
///
/// # Errors
/// One line when the key is missing or the store refuses.
pub fn mint(
    store: &Store,
    issuer: Option<&SigningKey>,
    config: &Config,
    request: &SessionRequest<'_>,
) -> Result<(Credential, CredentialRecord), String> {
    mint_with_ttl(store, issuer, config, request, None)
}

/// [`mint`] with a lifetime in seconds instead of the configured one
/// (the caller caps it).
///
/// # Errors
/// As for [`mint`].
pub fn mint_with_ttl(
    store: &Store,
    issuer: Option<&SigningKey>,
    config: &Config,
    request: &SessionRequest<'_>,
    ttl_seconds: Option<u64>,
) -> Result<(Credential, CredentialRecord), String> {
    let issuer = issuer.ok_or("warden's signing key is missing (run `warden init`)")?;
    let now = Store::unix_now();
    let ttl = ttl_seconds.unwrap_or_else(|| config.session_ttl().as_secs());
    let ttl = i64::try_from(ttl).unwrap_or(3600);
    let cwd = request.cwd.to_string_lossy().into_owned();
    let task = request.task.map(|t| {
        warden_classify::secrets::redact(t)
            .chars()
            .take(MAX_TASK_CHARS)
            .collect()
    });
    let claims = SessionClaims {
        id: warden_identity::new_id().map_err(|e| e.to_string())?,
        agent: request.agent.to_owned(),
        human: request.human.to_owned(),
        session: request.session.to_owned(),
        repo: repo_of(request.cwd),
        cwd,
        task,
        issued_at: now,
        expires_at: now.saturating_add(ttl),
        kinds: None,
    };
    let credential = Credential::mint(issuer, &claims).map_err(|e| e.to_string())?;
    let record = store
        .record_credential(&NewCredential {
            id: claims.id.clone(),
            parent: None,
            agent: claims.agent.clone(),
            human: claims.human.clone(),
            session_id: claims.session.clone(),
            subagent: None,
            label: None,
            repo: claims.repo.clone(),
            task: claims.task.clone(),
            kinds: None,
            issued_at: claims.issued_at,
            expires_at: claims.expires_at,
            token: request.held.then(|| credential.encode()),
        })
        .map_err(|e| format!("cannot record the session credential: {e}"))?;
    Ok((credential, record))
}

/// Derives and records a subagent's credential from its parent's: the
/// kinds configured for its type, and never a later expiry.
///
/// # Errors
/// One line when the parent does not verify or the store refuses.
pub fn derive_subagent(
    store: &Store,
    issuer: &VerifyingKey,
    config: &Config,
    parent: &Credential,
    held_session: &str,
    subagent_id: &str,
    subagent_type: Option<&str>,
) -> Result<(Credential, Verified), String> {
    // A subagent whose credential was revoked does not get a new one.
    if let Ok(Some((by, why))) = store.subagent_revoked(held_session, subagent_id) {
        return Err(format!(
            "the subagent's credential was revoked by {by}: {why}"
        ));
    }
    let verified_parent = parent.verify(issuer).map_err(|e| e.to_string())?;
    let kinds = subagent_type.and_then(|t| config.credentials.subagents.get(t).cloned());
    let label = format!("subagent:{}", subagent_type.unwrap_or("unknown"));
    let caveat = Caveat::new(label.clone(), None, kinds.clone()).map_err(|e| e.to_string())?;
    let child = parent.attenuate(&caveat).map_err(|e| e.to_string())?;
    let verified = child.verify(issuer).map_err(|e| e.to_string())?;
    store
        .record_credential(&NewCredential {
            id: caveat.id.clone(),
            parent: Some(verified_parent.id().to_owned()),
            agent: verified.root.agent.clone(),
            human: verified.root.human.clone(),
            // Held under the session id the hook looks it up by (the
            // assistant's), which under `warden run` is not the launcher's.
            session_id: held_session.to_owned(),
            subagent: Some(subagent_id.to_owned()),
            label: Some(label),
            repo: verified.root.repo.clone(),
            task: verified.root.task.clone(),
            kinds: verified.kinds.as_ref().map(|k| k.iter().cloned().collect()),
            issued_at: Store::unix_now(),
            expires_at: verified.expires_at,
            token: Some(child.encode()),
        })
        .map_err(|e| format!("cannot record the subagent's credential: {e}"))?;
    Ok((child, verified))
}

/// Verified signatures by token text: a session's many decisions pay for
/// one signature check. Expiry, binding and revocation are still checked
/// at every decision.
#[derive(Default)]
pub struct VerifiedCache {
    entries: Mutex<HashMap<String, Verified>>,
}

/// Most tokens kept verified at once.
const CACHE_LIMIT: usize = 512;

impl VerifiedCache {
    /// Verifies `token`'s signatures, from the cache when seen before.
    pub fn verify(&self, token: &str, issuer: &VerifyingKey) -> Result<Verified, String> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(verified) = entries.get(token) {
            return Ok(verified.clone());
        }
        let verified = Credential::decode(token)
            .and_then(|c| c.verify(issuer))
            .map_err(|e| e.to_string())?;
        if entries.len() >= CACHE_LIMIT {
            entries.clear();
        }
        entries.insert(token.to_owned(), verified.clone());
        Ok(verified)
    }
}

/// What one decision checks the credential against.
pub struct Presented<'a> {
    /// The token, if one was presented or is held for the session.
    pub token: Option<&'a str>,
    /// Where it came from, for the reason (`environment`, `session`).
    pub source: &'a str,
    /// What the action expects.
    pub expected: Expected<'a>,
}

/// Checks a presented credential: signatures, revocation, expiry and
/// binding. Returns the state for the action.
pub fn check(
    store: &Store,
    issuer: Option<&VerifyingKey>,
    cache: &VerifiedCache,
    presented: &Presented<'_>,
) -> CredentialState {
    let invalid = |reason: String| CredentialState::Invalid { reason };
    let Some(token) = presented.token else {
        return invalid(format!(
            "no session credential: the session was not started through warden's SessionStart hook, `warden session start` or `warden run` (agent {})",
            presented.expected.agent
        ));
    };
    let Some(issuer) = issuer else {
        return invalid("warden's signing key is missing, so no credential can be checked".into());
    };
    let verified = match cache.verify(token, issuer) {
        Ok(verified) => verified,
        Err(e) => {
            return invalid(format!(
                "the {} credential is invalid: {e}",
                presented.source
            ))
        }
    };
    match store.revoked_among(&verified.ids) {
        Ok(Some((id, why))) => {
            return invalid(format!("the session credential {id} is not valid: {why}"))
        }
        Ok(None) => {}
        Err(e) => return invalid(format!("cannot check revocation: {e}")),
    }
    if let Err(rejection) = verified.check(&presented.expected) {
        return invalid(rejection.to_string());
    }
    CredentialState::Valid {
        id: verified.id().to_owned(),
        label: verified.labels.last().cloned(),
    }
}
