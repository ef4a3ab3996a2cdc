//! `warden run` and `warden doctor`: an assistant in the kernel sandbox,
//! behind the governed egress proxy, with its own session credential.
//!
//! The launcher is an entry point like the hook: every request the proxy
//! sees becomes a network action decided by `Engine::decide_with` and
//! recorded before it is answered. An `ask` or `approve` on the network is
//! allowed only where a live just-in-time grant covers the session and
//! host, because nobody can answer a prompt there; the hook issues those
//! grants when the human says yes or a second person approves.

use crate::cli::RunArgs;
use anyhow::{bail, Context as _};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use warden_action::{Action, ActionKind, Class, CredentialState, Effect, What, Who};
use warden_classify::secrets;
use warden_engine::config::BrokeredCredential;
use warden_engine::{Config, Engine};
use warden_proxy::{
    CredentialBroker, EgressDecider, EgressRequest, HostPattern, InjectedCredential, LocalCa,
    Proxy, ProxyAuth, ProxyConfig, SecretString, TokenMap, UpstreamRoots, Verdict,
};
use warden_store::{Layout, NewRecord, RecordKind, Store};

/// Decides every proxied request through the engine and records it.
struct EngineDecider {
    /// The assistant's model API hosts (`[run] assistant_hosts`).
    assistant_hosts: Vec<HostPattern>,
    /// Every block id of the session's credential, checked for revocation
    /// at every request.
    credential_ids: Vec<String>,
    /// The credential's expiry, Unix seconds.
    expires_at: i64,
    /// Loaded on the first request, not at launch.
    engine: std::sync::OnceLock<Result<Arc<Engine>, String>>,
    warden_home: PathBuf,
    user_home: PathBuf,
    store: Arc<Mutex<Store>>,
    who: Who,
    cwd: String,
}

impl EngineDecider {
    fn engine(&self) -> Result<Arc<Engine>, String> {
        self.engine
            .get_or_init(|| {
                Engine::load(
                    &self.warden_home,
                    self.user_home.clone(),
                    warden_policy::Validation::Skip,
                )
                .map(Arc::new)
                .map_err(|e| format!("cannot load the policies: {e}"))
            })
            .clone()
    }

    fn decide_and_record(&self, request: &EgressRequest) -> Result<Verdict, String> {
        let engine = self.engine()?;
        // The session's credential and the identity's registry state are
        // read at every request: a revocation, an offboarding or the
        // expiry stops the session's traffic at once.
        let mut who = self.who.clone();
        {
            let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            who.registry = crate::registry::facts(&store, &who.agent)?;
            let invalid = match store
                .revoked_among(&self.credential_ids)
                .map_err(|e| format!("cannot check revocation: {e}"))?
            {
                Some((id, why)) => Some(format!("the session credential {id} is not valid: {why}")),
                None if Store::unix_now() >= self.expires_at => {
                    Some("the session credential expired; start a new session".to_owned())
                }
                None => None,
            };
            if let Some(reason) = invalid {
                who.credential = CredentialState::Invalid { reason };
            }
        }
        let mut what = What::new(ActionKind::NetworkFetch, "proxy", self.cwd.clone());
        what.urls.push(request.url());
        let mut action = Action::new(who, what);
        let method = request.method.clone();
        let path = request.path.clone().unwrap_or_default();
        let own_channel = self
            .assistant_hosts
            .iter()
            .any(|pattern| pattern.matches(&request.host));
        let added = request_class(request, own_channel);
        let decision = engine.decide_with(&mut action, |action| {
            let Some(method) = &method else { return };
            if path.contains("git-receive-pack") {
                action.context.add(
                    Class::VcsRemoteWrite,
                    "git push over HTTPS through warden's proxy",
                );
            } else if !own_channel && !matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS") {
                action.context.add(
                    Class::NetworkSend,
                    format!("{method} sends data to {}", request.host),
                );
            }
        });
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let session = self.who.session_id.clone().unwrap_or_default();
        let (verdict, mut reasons, policies) = match decision.effect {
            Effect::Allow => (
                Verdict::Allow,
                decision.reasons.clone(),
                decision.policies.clone(),
            ),
            Effect::Deny => (
                Verdict::deny(decision.reason_line()),
                decision.reasons.clone(),
                decision.policies.clone(),
            ),
            Effect::Ask | Effect::Approve => {
                // Nobody can answer a prompt on the wire: a grant from the
                // hook (an ask answered yes, or an approval) must cover it.
                // The grant must cover this kind of request: a push needs
                // a push's grant, any other write a send's.
                let class = added
                    .map(Class::as_str)
                    .or_else(|| action.context.classes.iter().next().map(|c| c.as_str()));
                match store
                    .grant_covering(&session, &request.host, class)
                    .map_err(|e| format!("cannot read grants: {e}"))?
                {
                    Some(grant) => {
                        let mut reasons = decision.reasons.clone();
                        reasons.push(format!("covered by grant {} ({})", grant.id, grant.source));
                        let mut policies = decision.policies.clone();
                        policies.push(format!("warden.grant:{}", grant.id));
                        (Verdict::Allow, reasons, policies)
                    }
                    None => {
                        let reason = format!(
                            "{}; it needs a just-in-time grant: ask for it through the assistant (the developer says yes) or an approval",
                            decision.reason_line()
                        );
                        (
                            Verdict::deny(reason.clone()),
                            vec![reason],
                            decision.policies.clone(),
                        )
                    }
                }
            }
        };
        let mut record = NewRecord::new(
            RecordKind::Decision,
            secrets::redact(&format!(
                "proxy: {} {}",
                request.method.as_deref().unwrap_or("CONNECT"),
                request.url()
            )),
        );
        record.session_id = Some(session);
        record.agent = Some(self.who.agent.clone());
        record.human = self.who.human.clone();
        record.tool = Some("proxy".to_owned());
        record.decision = Some(if verdict.is_allow() { "allow" } else { "deny" }.to_owned());
        record.policies = policies;
        reasons.iter_mut().for_each(|r| *r = secrets::redact(r));
        record.reasons = reasons;
        let classes: Vec<&str> = action.context.classes.iter().map(|c| c.as_str()).collect();
        record.detail = json!({
            "entry": "proxy",
            "host": request.host,
            "port": request.port,
            "intercepted": request.intercepted,
            "classes": classes,
        });
        // Recorded before the proxy acts on it: no answer without a record.
        store
            .append(&record)
            .map_err(|e| format!("cannot record the request: {e}"))?;
        Ok(verdict)
    }
}

impl EgressDecider for EngineDecider {
    fn decide(&self, request: &EgressRequest) -> Verdict {
        self.decide_and_record(request).unwrap_or_else(|reason| {
            Verdict::deny(format!("warden: {reason}; denied to stay safe"))
        })
    }

    /// Records what the decision record cannot say: a request refused
    /// without a decision (no proxy authentication, a malformed request), a
    /// request blocked after it was allowed (a secret in its body, a size
    /// limit), and every request into which a credential was injected.
    fn record(&self, request: &EgressRequest, verdict: &Verdict, outcome: &warden_proxy::Outcome) {
        use warden_proxy::Outcome;
        let summary = match (verdict, outcome) {
            (Verdict::Allow, Outcome::Refused { status }) => {
                format!(
                    "proxy blocked an allowed request ({status}): {}",
                    request.url()
                )
            }
            (Verdict::Deny { reason }, Outcome::Refused { status })
                if request.session.is_none() =>
            {
                format!("proxy refused ({status}) without a session: {reason}")
            }
            (
                _,
                Outcome::Forwarded {
                    status,
                    credential_injected: true,
                },
            ) => format!(
                "proxy injected a brokered credential under a grant ({status}): {} {}",
                request.method.as_deref().unwrap_or("?"),
                request.url()
            ),
            _ => return,
        };
        let mut record = NewRecord::new(RecordKind::Event, secrets::redact(&summary));
        record.session_id = self.who.session_id.clone();
        record.agent = Some(self.who.agent.clone());
        record.human = self.who.human.clone();
        record.tool = Some("proxy".to_owned());
        record.detail = json!({ "entry": "proxy", "host": request.host, "port": request.port });
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        // The request is already answered; losing this line is not worth a
        // panic on the proxy's thread.
        let _ = store.append(&record);
    }
}

/// What a request does beyond reading, as only the proxy can tell: talking
/// to git-receive-pack is a push (the advertisement GET included, which
/// the push needs authenticated), other non-reading methods send data out
/// (except on the assistant's own channel to its model).
fn request_class(request: &EgressRequest, own_channel: bool) -> Option<Class> {
    let method = request.method.as_deref()?;
    let path = request.path.as_deref().unwrap_or_default();
    if path.contains("git-receive-pack") {
        Some(Class::VcsRemoteWrite)
    } else if !own_channel && !matches!(method, "GET" | "HEAD" | "OPTIONS") {
        Some(Class::NetworkSend)
    } else {
        None
    }
}

/// Injects a real credential only where a live grant covers the request.
struct GrantBroker {
    store: Arc<Mutex<Store>>,
    session: String,
    credentials: Vec<(HostPattern, BrokeredCredential, SecretString)>,
}

impl CredentialBroker for GrantBroker {
    fn credential_for(&self, request: &EgressRequest) -> Option<InjectedCredential> {
        let (_, spec, secret) = self
            .credentials
            .iter()
            .find(|(pattern, _, _)| pattern.matches(&request.host))?;
        let class = request_class(request, false).unwrap_or(Class::NetworkRead);
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        store
            .grant_covering(&self.session, &request.host, Some(class.as_str()))
            .ok()
            .flatten()?;
        Some(match spec.inject.as_str() {
            "bearer" => InjectedCredential::Bearer(secret.clone()),
            _ => InjectedCredential::Basic {
                user: "x-access-token".to_owned(),
                password: secret.clone(),
            },
        })
    }

    fn known_secrets(&self) -> Vec<SecretString> {
        self.credentials.iter().map(|(_, _, s)| s.clone()).collect()
    }
}

/// Reads a brokered credential from the developer's own store, in
/// warden's process (never in the sandbox).
fn read_credential(spec: &BrokeredCredential, caller: &Caller) -> anyhow::Result<SecretString> {
    let value = if let Some(name) = &spec.env {
        caller
            .var_string(name)
            .with_context(|| format!("{name} is not set (credential for {})", spec.host))?
    } else if let Some(path) = &spec.file {
        std::fs::read_to_string(path).with_context(|| {
            format!(
                "cannot read the credential for {} from {}",
                spec.host,
                path.display()
            )
        })?
    } else if let Some(argv) = &spec.command {
        let (program, args) = argv
            .split_first()
            .with_context(|| format!("the credential command for {} is empty", spec.host))?;
        let out = std::process::Command::new(program)
            .args(args)
            .env_clear()
            .envs(caller.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&caller.cwd)
            .stderr(std::process::Stdio::null())
            .output()
            .with_context(|| format!("cannot run {program} for the credential of {}", spec.host))?;
        if !out.status.success() {
            bail!("{program} failed to give the credential for {}", spec.host);
        }
        String::from_utf8(out.stdout).context("the credential is not UTF-8")?
    } else {
        bail!(
            "[[run.credentials]] for {} names no env, file or command",
            spec.host
        );
    };
    let value = value.trim().to_owned();
    if value.is_empty() {
        bail!("the credential for {} is empty", spec.host);
    }
    Ok(SecretString::new(value))
}

/// The CA bundle the sandbox trusts: the system's roots, warden's CA and
/// the configured extra roots (tunnelled hosts are verified inside).
///
/// It cannot live in warden's state directory, which is denied inside, so
/// it is a content-addressed file in a private per-user directory under the
/// temp directory, shared by every session with the same trust and never
/// written twice. Its content is compared at every launch (the temp
/// directory is writable inside the sandbox), and the launcher masks its
/// directory read-only inside, so no session can alter what the next one
/// trusts. Names are opened relative to the checked directory and never
/// through a link.
fn trust_bundle(
    ca_dir: &Path,
    extra_roots: &[PathBuf],
    temp_dir: &Path,
) -> anyhow::Result<(PathBuf, PathBuf)> {
    use sha2::Digest as _;
    let ca = match std::fs::read_to_string(ca_dir.join("ca.pem")) {
        Ok(pem) => pem,
        // The first launch on this machine creates the CA.
        Err(_) => LocalCa::load_or_create(ca_dir)
            .context("cannot create warden's local CA")?
            .cert_pem()
            .to_owned(),
    };
    let system = Path::new(warden_proxy::SYSTEM_CA_BUNDLE);
    // The inputs' identities: unchanged inputs give the bundle built last
    // time (the daemon launches many sessions), which is still compared
    // with the file on disk below.
    let inputs: Vec<_> = [system, &ca_dir.join("ca.pem")]
        .into_iter()
        .chain(extra_roots.iter().map(PathBuf::as_path))
        .map(|p| (p.to_path_buf(), file_stamp(p)))
        .collect();
    type Built = (Vec<(PathBuf, Option<FileStamp>)>, Arc<Vec<u8>>, String);
    static LAST: Mutex<Option<Built>> = Mutex::new(None);
    let cached = {
        let last = LAST.lock().unwrap_or_else(|p| p.into_inner());
        last.as_ref()
            .filter(|(stamps, _, _)| *stamps == inputs)
            .map(|(_, bytes, name)| (Arc::clone(bytes), name.clone()))
    };
    let (bundle, name) = match cached {
        Some(hit) => hit,
        None => {
            let built = build_bundle(system, &ca, extra_roots)?;
            let digest = sha2::Sha256::digest(&built);
            let name: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
            let built = Arc::new(built);
            *LAST.lock().unwrap_or_else(|p| p.into_inner()) =
                Some((inputs, Arc::clone(&built), name.clone()));
            (built, name)
        }
    };
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    let dir = temp_dir.join(format!("warden-{uid}-trust"));
    let dirfd = open_private_dir(&dir)?;
    let name = format!("ca-bundle-{name}.crt");
    let path = dir.join(&name);
    let cname = std::ffi::CString::new(name.as_bytes()).context("bundle name")?;
    // A file verified before and unchanged since (same inode, size, and
    // change time, which no user can set) is not read again.
    static VERIFIED: Mutex<Option<(PathBuf, FileStamp)>> = Mutex::new(None);
    let on_disk = stamp_at(&dirfd, &cname);
    let known = VERIFIED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .is_some_and(|(p, stamp)| *p == path && Some(*stamp) == on_disk);
    if known {
        return Ok((path, dir));
    }
    // Read and compare, with the file's stamp taken before and after the
    // read on the same descriptor: only content that held still is
    // remembered as verified. Every name is opened relative to the checked
    // directory, never following a link.
    // SAFETY: a directory descriptor we own and a NUL-terminated name.
    let fd = unsafe {
        libc::openat(
            std::os::fd::AsRawFd::as_raw_fd(&dirfd),
            cname.as_ptr(),
            libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
        )
    };
    let verified = (fd >= 0)
        .then(|| {
            // SAFETY: fd was just opened and is owned here.
            let mut f = unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(fd) };
            let before = fd_stamp(&f)?;
            let mut bytes = Vec::with_capacity(bundle.len());
            std::io::Read::read_to_end(&mut f, &mut bytes).ok()?;
            (bytes == bundle[..] && fd_stamp(&f) == Some(before)).then_some(before)
        })
        .flatten();
    match verified {
        Some(stamp) => {
            *VERIFIED.lock().unwrap_or_else(|p| p.into_inner()) = Some((path.clone(), stamp));
        }
        None => write_at(&dirfd, &cname, &bundle)
            .with_context(|| format!("cannot write {}", path.display()))?,
    }
    Ok((path, dir))
}

/// Creates `dir` (0700) if absent and opens it without following a link;
/// refuses it unless it is a directory owned by this user that nobody else
/// can enter (another local user may have made it first).
fn open_private_dir(dir: &Path) -> anyhow::Result<std::os::fd::OwnedFd> {
    use std::os::fd::FromRawFd as _;
    use std::os::unix::fs::DirBuilderExt as _;
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", dir.display())),
    }
    let c = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes())
        .with_context(|| format!("{} holds a NUL byte", dir.display()))?;
    // SAFETY: a NUL-terminated path; the descriptor is owned below.
    let fd = unsafe {
        libc::open(
            c.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(std::io::Error::last_os_error())
            .with_context(|| format!("cannot open {}", dir.display()));
    }
    // SAFETY: fd was just opened and is owned here.
    let fd = unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) };
    let meta = std::fs::File::from(fd.try_clone()?).metadata()?;
    use std::os::unix::fs::MetadataExt as _;
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o077 != 0 {
        bail!(
            "refusing {}: it is not a private directory owned by this user",
            dir.display()
        );
    }
    Ok(fd)
}

/// The stamp of `name` in `dir`, not following a link.
fn stamp_at(dir: &std::os::fd::OwnedFd, name: &std::ffi::CStr) -> Option<FileStamp> {
    // SAFETY: a zeroed stat is a valid out-parameter.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: a directory descriptor we own, a NUL-terminated name.
    let r = unsafe {
        libc::fstatat(
            std::os::fd::AsRawFd::as_raw_fd(dir),
            name.as_ptr(),
            &mut st,
            libc::AT_SYMLINK_NOFOLLOW,
        )
    };
    (r == 0 && st.st_mode & libc::S_IFMT == libc::S_IFREG).then_some((
        st.st_dev,
        st.st_ino,
        st.st_size as u64,
        st.st_ctime,
        st.st_ctime_nsec,
    ))
}

/// Writes `bytes` as `name` in `dir`: a new file with a random name
/// (`O_EXCL`, never following a link), renamed into place.
fn write_at(dir: &std::os::fd::OwnedFd, name: &std::ffi::CStr, bytes: &[u8]) -> anyhow::Result<()> {
    use std::os::fd::{AsRawFd as _, FromRawFd as _};
    let tmp = std::ffi::CString::new(format!(".tmp-{}", warden_identity::new_id()?))?;
    // SAFETY: a directory descriptor we own, a NUL-terminated name.
    let fd = unsafe {
        libc::openat(
            dir.as_raw_fd(),
            tmp.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            0o644 as libc::c_uint,
        )
    };
    if fd < 0 {
        return Err(std::io::Error::last_os_error().into());
    }
    // SAFETY: fd was just opened and is owned here.
    let mut file = unsafe { std::fs::File::from_raw_fd(fd) };
    let written = std::io::Write::write_all(&mut file, bytes);
    drop(file);
    // SAFETY: the same directory descriptor and NUL-terminated names.
    let renamed = written.is_ok()
        && unsafe {
            libc::renameat(
                dir.as_raw_fd(),
                tmp.as_ptr(),
                dir.as_raw_fd(),
                name.as_ptr(),
            )
        } == 0;
    if !renamed {
        let err = std::io::Error::last_os_error();
        // SAFETY: as above.
        unsafe { libc::unlinkat(dir.as_raw_fd(), tmp.as_ptr(), 0) };
        written?;
        return Err(err.into());
    }
    Ok(())
}

/// What identifies a file's content without reading it: device, inode,
/// size and change time (set by the kernel on any write, never by a user).
type FileStamp = (u64, u64, u64, i64, i64);

/// The stamp of the file `path` names (links followed, as reading does).
fn file_stamp(path: &Path) -> Option<FileStamp> {
    stamp_of(&std::fs::metadata(path).ok()?)
}

fn fd_stamp(file: &std::fs::File) -> Option<FileStamp> {
    stamp_of(&file.metadata().ok()?)
}

fn stamp_of(m: &std::fs::Metadata) -> Option<FileStamp> {
    use std::os::unix::fs::MetadataExt as _;
    m.is_file()
        .then(|| (m.dev(), m.ino(), m.len(), m.ctime(), m.ctime_nsec()))
}

/// The system's roots, warden's CA (`ca`, PEM) and the extra roots, in one
/// PEM text.
fn build_bundle(system: &Path, ca: &str, extra_roots: &[PathBuf]) -> anyhow::Result<Vec<u8>> {
    let mut bundle = if system.exists() {
        std::fs::read(system).with_context(|| format!("cannot read {}", system.display()))?
    } else {
        Vec::new()
    };
    if !bundle.is_empty() && !bundle.ends_with(b"\n") {
        bundle.push(b'\n');
    }
    bundle.extend_from_slice(b"# Warden local CA (TLS interception of brokered hosts)\n");
    bundle.extend_from_slice(ca.as_bytes());
    for path in extra_roots {
        bundle.push(b'\n');
        bundle.extend(
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?,
        );
    }
    Ok(bundle)
}

/// The issuer's public key, from the store's signing key.
fn store_key_public(
    store: &Arc<Mutex<Store>>,
) -> Option<warden_store::ed25519_dalek::VerifyingKey> {
    let store = store.lock().unwrap_or_else(|p| p.into_inner());
    store.signing_key().map(|k| k.verifying_key())
}

/// The proxy password of a session: 32 random bytes, hex.
fn proxy_password() -> anyhow::Result<String> {
    Ok(format!(
        "{}{}",
        warden_identity::new_id()?,
        warden_identity::new_id()?
    ))
}

/// The assistant state directories the sandbox may write (their
/// governance files stay read-only).
fn assistant_dirs(home: &Path) -> Vec<PathBuf> {
    [".claude", ".codex", ".gemini", ".cache"]
        .iter()
        .map(|d| home.join(d))
        .filter(|p| p.is_dir())
        .collect()
}

/// Builds the sandbox profile: the standard one for the workspace, or the
/// file given. The caller adds the proxy's port, the only TCP destination,
/// once it has one.
fn profile(
    layout: &Layout,
    config: &Config,
    args: &RunArgs,
    caller: &Caller,
    home: &Path,
    workspace: &Path,
) -> anyhow::Result<warden_sandbox::Profile> {
    // Paths on the command line are the caller's, relative to its working
    // directory (the daemon's is elsewhere).
    let theirs = |p: &Path| caller.cwd.join(p);
    let mut profile = match &args.profile {
        Some(path) => {
            let path = theirs(path);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            toml::from_str(&text)
                .with_context(|| format!("{} is not a valid profile", path.display()))?
        }
        None => warden_sandbox::Profile::standard(home, workspace, &assistant_dirs(home)),
    };
    // What the command itself needs: its program and warden's own binaries
    // (the hooks), the temp directory the caller set, and what was asked
    // for on the command line.
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
    {
        profile.read_only.push(dir);
    }
    if let Some(program) = args
        .command
        .first()
        .and_then(|p| resolve_program(p, caller))
    {
        if let Some(dir) = program.parent() {
            profile.read_only.push(dir.to_path_buf());
        }
    }
    if let Some(tmp) = caller.var("TMPDIR").map(PathBuf::from) {
        if tmp.is_absolute() && !home.starts_with(&tmp) {
            profile.read_write.push(tmp);
        }
    }
    profile
        .read_only
        .extend(args.read_only.iter().map(|p| theirs(p)));
    profile
        .read_write
        .extend(args.read_write.iter().map(|p| theirs(p)));
    profile.env.keep.extend(config.run.keep_env.iter().cloned());
    // The variables a brokered credential is read from never enter, whatever
    // their names look like; keeping one would hand the sandbox the token.
    for spec in &config.run.credentials {
        if let Some(name) = &spec.env {
            if profile
                .env
                .keep
                .iter()
                .any(|k| k.eq_ignore_ascii_case(name))
            {
                bail!(
                    "[run] keep_env keeps {name}, which [[run.credentials]] brokers for {}",
                    spec.host
                );
            }
            profile.env.remove.push(name.clone());
        }
    }
    // Hooks inside the sandbox reach warden's daemon over its Unix socket;
    // warden's own state (keys, database) is never readable inside.
    profile.network.unix_sockets = true;
    profile.denied.push(layout.root.clone());
    Ok(profile)
}

/// The home directory, the current directory and its workspace (git root,
/// else the directory itself).
fn places(caller: &Caller) -> anyhow::Result<(PathBuf, PathBuf, PathBuf)> {
    let home = caller
        .var("HOME")
        .map(PathBuf::from)
        .context("HOME is not set")?;
    let cwd = caller.cwd.clone();
    let workspace = crate::session::repo_of(&cwd)
        .map(PathBuf::from)
        .unwrap_or_else(|| cwd.clone());
    Ok((home, cwd, workspace))
}

/// The host's capability ladder, probed at most once a minute per process
/// (the daemon prepares many launches; probing forks twice). A stale rung
/// cannot weaken a launch: each launched process proves its sandbox with
/// the canaries before it execs, and fails to start when enforcing fails.
fn ladder() -> warden_sandbox::Ladder {
    static CACHE: Mutex<Option<(std::time::Instant, warden_sandbox::Ladder)>> = Mutex::new(None);
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    match &*cache {
        Some((at, ladder)) if at.elapsed() < std::time::Duration::from_secs(60) => ladder.clone(),
        _ => {
            let ladder = warden_sandbox::probe();
            *cache = Some((std::time::Instant::now(), ladder.clone()));
            ladder
        }
    }
}

/// Warden's local CA, loaded once per process while its files are unchanged
/// (the daemon serves many sessions; parsing the key and making a leaf key
/// cost a few hundred microseconds). Sessions share its leaf cache.
fn local_ca(ca_dir: &Path) -> anyhow::Result<Arc<LocalCa>> {
    type Loaded = (PathBuf, Vec<Option<FileStamp>>, Arc<LocalCa>);
    static LOADED: Mutex<Option<Loaded>> = Mutex::new(None);
    let stamps = || -> Vec<_> {
        ["ca.pem", "ca-key.pem"]
            .iter()
            .map(|f| file_stamp(&ca_dir.join(f)))
            .collect()
    };
    let before = stamps();
    {
        let loaded = LOADED.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((dir, seen, ca)) = &*loaded {
            if dir == ca_dir && *seen == before && before.iter().all(Option::is_some) {
                return Ok(Arc::clone(ca));
            }
        }
    }
    let ca = Arc::new(LocalCa::load_or_create(ca_dir).context("cannot load warden's local CA")?);
    *LOADED.lock().unwrap_or_else(|p| p.into_inner()) =
        Some((ca_dir.to_path_buf(), stamps(), Arc::clone(&ca)));
    Ok(ca)
}

/// `warden.toml`, parsed again only when the file changes (same inode,
/// size and change time as last time: the daemon prepares many launches).
fn load_config(layout: &Layout) -> anyhow::Result<Config> {
    static LAST: Mutex<Option<(PathBuf, FileStamp, Config)>> = Mutex::new(None);
    let path = layout.config();
    let stamp = file_stamp(&path);
    if let Some(stamp) = stamp {
        let last = LAST.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((p, s, config)) = &*last {
            if *p == path && *s == stamp {
                return Ok(config.clone());
            }
        }
    }
    let config = Config::load(&path)?;
    // Remembered only when the file held still while it was read.
    if let Some(stamp) = stamp.filter(|s| file_stamp(&path) == Some(*s)) {
        *LAST.lock().unwrap_or_else(|p| p.into_inner()) = Some((path, stamp, config.clone()));
    }
    Ok(config)
}

/// A store connection the daemon opened ahead for its next launch (opening
/// one costs a third of a millisecond), with its database and when it was
/// opened.
static SPARE_STORE: Mutex<Option<(PathBuf, std::time::Instant, Store)>> = Mutex::new(None);

/// Opens a store connection for the next launch (the daemon calls this
/// between launches). Errors are left to that launch, which opens its own.
pub fn open_spare_store(layout: &Layout) {
    if let Ok(store) = crate::registry::open(layout) {
        *SPARE_STORE.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((layout.database(), std::time::Instant::now(), store));
    }
}

/// The spare connection when it is for this database and fresh, else a
/// new one.
fn take_store(layout: &Layout) -> anyhow::Result<Store> {
    let spare = SPARE_STORE.lock().unwrap_or_else(|p| p.into_inner()).take();
    match spare {
        Some((path, opened, store))
            if path == layout.database()
                && opened.elapsed() < std::time::Duration::from_secs(60) =>
        {
            Ok(store)
        }
        _ => crate::registry::open(layout),
    }
}

/// Who asked for a launch: this process, or warden's front through the
/// daemon. Everything the launch reads from "the caller" (its environment,
/// its directory) comes from here, never from the daemon's own.
pub struct Caller {
    /// The caller's environment, before scrubbing.
    pub env: Vec<(std::ffi::OsString, std::ffi::OsString)>,
    /// The caller's working directory.
    pub cwd: PathBuf,
    /// The process that spawns the command (the canaries try its `/proc`
    /// files and signal it).
    pub pid: i32,
}

impl Caller {
    /// This process.
    pub fn this_process() -> anyhow::Result<Caller> {
        Ok(Caller {
            env: std::env::vars_os().collect(),
            cwd: std::env::current_dir().context("cannot read the current directory")?,
            pid: i32::try_from(std::process::id()).unwrap_or(i32::MAX),
        })
    }

    fn var(&self, name: &str) -> Option<&std::ffi::OsStr> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_os_str())
    }

    fn var_string(&self, name: &str) -> Option<String> {
        self.var(name).and_then(|v| v.to_str()).map(str::to_owned)
    }
}

/// Starts a session's proxy on its already bound listener.
pub type ProxyStart = Box<dyn FnOnce() -> anyhow::Result<warden_proxy::RunningProxy> + Send>;

/// A launch, ready to spawn: the command, its scrubbed environment, the
/// prepared sandbox, the session's proxy (running until this is dropped)
/// and what to tell the developer.
pub struct Launch {
    /// The program to run.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// The environment the command gets.
    pub env: warden_sandbox::ScrubbedEnv,
    /// The sandbox, prepared.
    pub prepared: Arc<warden_sandbox::Prepared>,
    /// Lines for the developer's terminal: the session, then every gap.
    pub notices: Vec<String>,
    /// The session's egress proxy: held, since dropping it stops it.
    #[allow(dead_code)]
    pub proxy: Option<warden_proxy::RunningProxy>,
    /// Starts the proxy when [`prepare`] left that to the caller (the
    /// daemon, after answering the front).
    pub proxy_start: Option<ProxyStart>,
    /// The governance paths as they were before the command ran.
    pub governance: warden_sandbox::GovernanceSnapshot,
    /// The proxy's listening socket, held for the session.
    #[allow(dead_code)]
    pub port_guard: std::net::TcpListener,
    /// The secret watcher's inotify instance, opened before the command
    /// runs (`None`: it could not be; the notices say so).
    pub watcher: Option<warden_sandbox::SecretWatcher>,
    /// Skip the start-up self-test.
    pub no_self_test: bool,
    /// The session's id.
    pub session_id: String,
    /// The identity the session is for.
    pub agent: String,
    /// The sandbox handed over to the caller, when it spawns the command
    /// (see [`Prepared::handoff`](warden_sandbox::Prepared::handoff)).
    pub handoff: Option<(
        warden_sandbox::Handoff,
        Option<std::os::fd::OwnedFd>,
        warden_sandbox::HandoffGuard,
    )>,
}

/// Prepares a launch for `caller`: the session and its credential, the
/// sandbox (planned, prepared, refused when the host cannot enforce what
/// the profile requires) and the proxy. `mark` receives progress for
/// `WARDEN_RUN_TIMING`. With `handoff`, the sandbox is also handed over
/// for the caller to enforce (the daemon's launches).
pub fn prepare(
    layout: &Layout,
    args: &RunArgs,
    caller: &Caller,
    handoff: bool,
    mark: &dyn Fn(&str),
) -> anyhow::Result<Launch> {
    let Some((program, program_args)) = args.command.split_first() else {
        bail!("nothing to run: give the command after `--` (for example `warden run -- claude`)");
    };
    let config = load_config(layout)?;
    let (home, cwd, workspace) = places(caller)?;

    // The host must provide what the profile requires, or nothing starts.
    mark("config");
    let ladder = ladder();
    mark("probe");
    // Refuse before anything else when the host cannot enforce what the
    // profile requires (the proxy's port, added later, changes nothing
    // that is required).
    let mut profile = profile(layout, &config, args, caller, &home, &workspace)?;
    if let Err(refusal) = ladder.check_required(&profile) {
        bail!("refusing to start: {refusal}\n(run `warden doctor` to see what this host enforces)");
    }
    // The proxy's port is chosen now, so the sandbox is planned and
    // prepared on another thread while the credential is minted and the
    // proxy starts.
    // The listener is bound now and handed to the proxy when it starts:
    // connections made before then wait in its backlog.
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))
        .context("cannot bind a loopback port for the proxy")?;
    let port = listener
        .local_addr()
        .context("cannot read the proxy's port")?
        .port();
    // Held until the session ends, whatever becomes of the proxy: the port
    // the sandbox may connect to is never free for another process.
    let port_guard = listener
        .try_clone()
        .context("cannot hold the proxy's port")?;
    let ca_dir = layout.root.join("ca");
    let temp_dir = caller
        .var("TMPDIR")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    profile.network.connect_tcp_ports = vec![port];
    let governance_paths = profile.governance_paths()?;
    std::thread::scope(|scope| -> anyhow::Result<Launch> {
        // The credential is minted (and recorded) on another thread while
        // this one plans and prepares the sandbox, the longer of the two.
        let minter = scope.spawn(|| {
            let store = take_store(layout)?;
            let agent_name = args
                .agent
                .clone()
                .unwrap_or_else(|| config.default_agent.clone());
            let registry =
                crate::registry::facts(&store, &agent_name).map_err(anyhow::Error::msg)?;
            if let Some(facts) = &registry {
                if facts.state != "active" {
                    bail!(
                        "{agent_name} is {}; no session can start for it",
                        facts.state
                    );
                }
            }
            let human = crate::session::resolve_human(
                &config,
                &store,
                crate::client::human_from(|k| caller.var_string(k)).as_deref(),
                &cwd,
            )
            .map_err(anyhow::Error::msg)?;
            let session_id = format!("ws-{}", &warden_identity::new_id()?[..12]);
            let (credential, record) = crate::session::mint(
                &store,
                store.signing_key(),
                &config,
                &crate::session::SessionRequest {
                    agent: &agent_name,
                    human: &human,
                    session: &session_id,
                    cwd: &cwd,
                    task: args.task.as_deref(),
                    held: false,
                },
            )
            .map_err(anyhow::Error::msg)?;
            // Every governance path as it is before the command runs,
            // compared when it ends (what masks cannot prevent).
            let governance = warden_sandbox::GovernanceSnapshot::take(&governance_paths);
            anyhow::Ok((
                store, agent_name, registry, human, session_id, credential, record, governance,
            ))
        });
        let planned = (|| {
            let planned = plan_sandbox(layout, &config, profile, &ladder, &ca_dir, &temp_dir)?;
            // For the front, the canaries are set up here too.
            let handoff = match handoff {
                true => Some(planned.1.handoff(caller.pid, !args.no_self_test)?),
                false => None,
            };
            // The watcher's inotify instance exists before the command
            // does (the command could use up the user's instances).
            let watcher =
                warden_sandbox::SecretWatcher::open(&planned.0).map_err(|e| e.to_string());
            anyhow::Ok((planned, handoff, watcher))
        })();
        mark("prepared");
        let (store, agent_name, registry, human, session_id, credential, record, governance) =
            minter
                .join()
                .map_err(|_| anyhow::anyhow!("minting the session credential failed"))??;
        let ((plan, prepared, bundle, profile), handoff, watcher) = planned?;
        mark("credential minted");
        // The developer's real credentials, read here, before the environment
        // is scrubbed; they never enter the sandbox.
        let mut brokered = Vec::new();
        for spec in &config.run.credentials {
            let pattern = HostPattern::parse(&spec.host)
                .map_err(|e| anyhow::anyhow!("[[run.credentials]] host {:?}: {e}", spec.host))?;
            brokered.push((pattern, spec.clone(), read_credential(spec, caller)?));
        }

        let proxy_token = SecretString::new(proxy_password()?);
        let mut tokens = TokenMap::new();
        tokens.insert(session_id.clone(), proxy_token.clone());
        let mut brokered_hosts = Vec::new();
        for host in &config.run.brokered {
            brokered_hosts.push(
                HostPattern::parse(host)
                    .map_err(|e| anyhow::anyhow!("[run] brokered {host:?}: {e}"))?,
            );
        }
        let scanner: Arc<dyn warden_proxy::SecretScanner> = Arc::new(|data: &[u8]| {
            let text = String::from_utf8_lossy(data);
            secrets::find_secrets(&text)
                .first()
                .map(|m| m.rule.to_owned())
        });
        let shared = Arc::new(Mutex::new(store));
        let who = Who {
            agent: agent_name.clone(),
            agent_kind: None,
            human: Some(human.clone()),
            session_id: Some(session_id.clone()),
            registry,
            credential: CredentialState::Valid {
                id: record.id.clone(),
                label: None,
            },
            ..Who::default()
        };
        let mut assistant_hosts = Vec::new();
        for host in &config.run.assistant_hosts {
            assistant_hosts.push(
                HostPattern::parse(host)
                    .map_err(|e| anyhow::anyhow!("[run] assistant_hosts {host:?}: {e}"))?,
            );
        }
        let verified = credential
            .verify(
                &store_key_public(&shared)
                    .context("warden's signing key is missing (run `warden init`)")?,
            )
            .context("the session's own credential does not verify")?;
        let decider = EngineDecider {
            assistant_hosts,
            credential_ids: verified.ids.clone(),
            expires_at: verified.expires_at,
            engine: std::sync::OnceLock::new(),
            warden_home: layout.root.clone(),
            user_home: home.clone(),
            store: Arc::clone(&shared),
            who,
            cwd: cwd.to_string_lossy().into_owned(),
        };
        let broker = GrantBroker {
            store: Arc::clone(&shared),
            session: session_id.clone(),
            credentials: brokered,
        };
        let run_config = config.run.clone();
        let proxy_ca_dir = ca_dir.clone();
        let start_proxy = move || -> anyhow::Result<warden_proxy::RunningProxy> {
            let ca = local_ca(&proxy_ca_dir)?;
            let mut roots = UpstreamRoots::default();
            for path in &run_config.extra_roots {
                roots.add_pem_file(path).map_err(|e| {
                    anyhow::anyhow!("cannot add the roots in {}: {e}", path.display())
                })?;
            }
            let proxy_config = ProxyConfig {
                auth: ProxyAuth::Required(Arc::new(tokens)),
                brokered_hosts,
                ca: Some(ca),
                upstream_roots: roots,
                scanner: Some(scanner),
                allow_private_destinations: run_config.allow_private_destinations,
                // One session's traffic: one worker (threads cost launch time).
                worker_threads: 1,
                ..ProxyConfig::default()
            };
            Proxy::serve_on(listener, proxy_config, decider, broker)
                .context("cannot start the egress proxy")
        };
        // In-process, the proxy starts beside the planner and is running
        // before the command. The daemon starts it once the front has its
        // answer (off the launch's critical path); the command's first
        // connections wait in the listener's backlog meanwhile.
        let (starting, deferred): (_, Option<ProxyStart>) = if handoff.is_some() {
            (None, Some(Box::new(start_proxy)))
        } else {
            (Some(std::thread::spawn(start_proxy)), None)
        };
        mark("proxy starting");

        let proxy = match starting {
            Some(thread) => Some(
                thread
                    .join()
                    .map_err(|_| anyhow::anyhow!("the proxy failed to start"))??,
            ),
            None => None,
        };
        let proxy_url = warden_proxy::proxy_url(
            std::net::SocketAddr::from(([127, 0, 0, 1], port)),
            &session_id,
            &proxy_token,
        );
        mark("proxy");

        let mut env = warden_sandbox::scrub_env(caller.env.iter().cloned(), &profile.env);
        for name in [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "http_proxy",
            "https_proxy",
            "ALL_PROXY",
        ] {
            env.set(name, proxy_url.expose());
        }
        // Nothing bypasses the proxy.
        for name in ["NO_PROXY", "no_proxy"] {
            env.set(name, "");
        }
        let bundle_text = bundle.to_string_lossy().into_owned();
        for name in [
            "SSL_CERT_FILE",
            "GIT_SSL_CAINFO",
            "REQUESTS_CA_BUNDLE",
            "CURL_CA_BUNDLE",
            "NODE_EXTRA_CA_CERTS",
        ] {
            env.set(name, &bundle_text);
        }
        env.set(crate::session::CREDENTIAL_ENV, credential.encode());
        env.set("WARDEN_SESSION_ID", &session_id);
        env.set("WARDEN_AGENT", &agent_name);
        env.set("WARDEN_HOME", layout.root.as_os_str());
        // Git over SSH cannot pass the proxy: rewrite GitHub's SSH remotes to
        // HTTPS and make any other ssh use fail with a clear message.
        env.set("GIT_CONFIG_COUNT", "2");
        env.set("GIT_CONFIG_KEY_0", "url.https://github.com/.insteadOf");
        env.set("GIT_CONFIG_VALUE_0", "git@github.com:");
        env.set("GIT_CONFIG_KEY_1", "url.https://github.com/.insteadOf");
        env.set("GIT_CONFIG_VALUE_1", "ssh://git@github.com/");
        env.set(
        "GIT_SSH_COMMAND",
        "sh -c 'echo \"warden: git over SSH is not available under warden run; use an HTTPS remote (warden supplies the credential once granted)\" >&2; exit 1'",
    );

        let mut notices = vec![format!(
        "warden: session {session_id} for {agent_name} ({human}), credential {}; sandboxed ({}), proxy 127.0.0.1:{}",
        record.id,
        prepared
            .enforced()
            .controls
            .iter()
            .map(|c| c.name())
            .collect::<Vec<_>>()
            .join(", "),
        port
    )];
        notices.extend(plan.gaps.iter().map(|gap| format!("warden: note: {gap}")));
        if let Err(why) = &watcher {
            notices.push(format!(
                "warden: note: the secret watcher could not start ({why}): secrets that appear during the session are not masked"
            ));
        }
        mark("env");
        Ok(Launch {
            program: program.clone(),
            args: program_args.to_vec(),
            env,
            prepared,
            notices,
            proxy,
            proxy_start: deferred,
            governance,
            port_guard,
            watcher: watcher.ok(),
            no_self_test: args.no_self_test,
            session_id: session_id.clone(),
            agent: agent_name.clone(),
            handoff,
        })
    })
}

/// Plans and prepares the sandbox for `profile` (the proxy's port already
/// in it), with the trust bundle read-only inside: the planner thread of
/// [`prepare`].
fn plan_sandbox(
    layout: &Layout,
    config: &Config,
    mut profile: warden_sandbox::Profile,
    ladder: &warden_sandbox::Ladder,
    ca_dir: &Path,
    temp_dir: &Path,
) -> anyhow::Result<(
    warden_sandbox::Plan,
    Arc<warden_sandbox::Prepared>,
    PathBuf,
    warden_sandbox::Profile,
)> {
    let (bundle, trust_dir) = trust_bundle(ca_dir, &config.run.extra_roots, temp_dir)?;
    // The whole directory is read-only inside: no session can rename it,
    // replace the bundle or plant anything a later launch would read.
    profile.governance.push(trust_dir);
    let plan = warden_sandbox::Plan::build(&profile).context("cannot plan the sandbox")?;
    if let Err(refusal) = ladder.check_plan(&plan) {
        bail!("refusing to start: {refusal}\n(run `warden doctor` to see what this host enforces)");
    }
    // The canary secret is kept in warden's own directory, which every
    // sandbox is denied.
    let prepared = Arc::new(
        warden_sandbox::Prepared::new(&plan, ladder)
            .context("cannot prepare the sandbox")?
            .with_canary_dir(layout.root.join("run").join("canary")),
    );
    Ok((plan, prepared, bundle, profile))
}

/// Runs `warden run` in this process (the front found no daemon to
/// prepare it).
pub fn run(layout: &Layout, args: &RunArgs) -> anyhow::Result<ExitCode> {
    let t0 = std::time::Instant::now();
    let timing = std::env::var_os("WARDEN_RUN_TIMING").is_some();
    let mark = |what: &str| {
        if timing {
            eprintln!(
                "warden: {:>8.2} ms {what}",
                t0.elapsed().as_secs_f64() * 1e3
            );
        }
    };
    let caller = Caller::this_process()?;
    let mut launch = prepare(layout, args, &caller, false, &mark)?;
    // Hooks inside reach the daemon, which decides outside the sandbox.
    crate::daemon::ensure_started(layout).context("cannot start warden's daemon for the hooks")?;
    for line in &launch.notices {
        eprintln!("{line}");
    }
    let program = launch.program.clone();
    let mut command = std::process::Command::new(&program);
    command.args(&launch.args);
    launch.env.apply_to(&mut command);
    // The self-test runs in the command's own process, after the sandbox
    // is enforced and before exec: a canary that escapes stops the exec.
    let self_test = if launch.no_self_test {
        launch.prepared.attach(&mut command);
        None
    } else {
        Some(
            launch
                .prepared
                .attach_self_tested(&mut command)
                .context("cannot set up the sandbox self-test")?,
        )
    };
    let spawned = command.spawn();
    drop(command);
    if let Some(self_test) = self_test {
        if let Err(refusal) = crate::client::judge_self_test(self_test.finish()) {
            if let Ok(mut child) = spawned {
                // Unreachable in practice: a failed canary stops the exec.
                let _ = child.kill();
                let _ = child.wait();
            }
            bail!("{refusal}");
        }
    }
    mark("self-tested and spawned");
    let mut child = spawned.with_context(|| format!("cannot run {program} in the sandbox"))?;
    let _watch = watch_secrets(layout, &mut launch, child.id());
    // The terminal's interrupt and quit reach the command (the same process
    // group); warden stays, so the proxy serves the session to its end.
    crate::client::ignore_terminal_signals();
    let status = child
        .wait()
        .with_context(|| format!("cannot wait for {program}"))?;
    mark("command done");
    for line in governance_changes(layout, &launch) {
        eprintln!("{line}");
    }
    let code = crate::client::exit_code(status);
    // Every decision was recorded before it was answered; the proxy's
    // threads end with the process instead of being waited for.
    drop(std::io::Write::flush(&mut std::io::stderr()));
    std::process::exit(code)
}

/// The watcher of a running session's scanned roots (see
/// [`warden_sandbox::SecretWatcher`]); dropping it stops the watch.
pub struct SecretWatch {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for SecretWatch {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Masks, inside the sandbox whose process is `pid`, every secret file that
/// appears in the launch's scanned roots while it runs, and records each
/// in the audit log (the terminal belongs to the command). `None` when the
/// host gives no watch; the plan's gaps already say what that leaves.
pub fn watch_secrets(layout: &Layout, launch: &mut Launch, pid: u32) -> Option<SecretWatch> {
    use std::sync::atomic::{AtomicBool, Ordering};
    let Some(mut watcher) = launch.watcher.take() else {
        record_event(
            layout,
            launch,
            "the secret watcher could not start: secrets that appear during the session are not masked",
        );
        return None;
    };
    watcher.watch_roots(launch.prepared.plan());
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let layout = layout.clone();
    let session = launch.session_id.clone();
    let agent = launch.agent.clone();
    let thread = std::thread::Builder::new()
        .name("warden-secret-watch".to_owned())
        .spawn(move || {
            let mut store: Option<Store> = None;
            watcher.run(
                pid,
                || !stopped.load(Ordering::SeqCst),
                |event| {
                    use warden_sandbox::Watched;
                    let summary = match &event {
                        Watched::Masked(path) => format!(
                            "a secret file appeared during the session and is now masked inside the sandbox: {}",
                            path.display()
                        ),
                        Watched::NotMasked(path, why) => format!(
                            "a secret file appeared during the session and could NOT be masked inside the sandbox: {} ({why})",
                            path.display()
                        ),
                        Watched::Limit => format!(
                            "the secret watcher reached {} directories; secrets appearing below the others are not masked",
                            warden_sandbox::MAX_WATCHED_DIRS
                        ),
                        Watched::Rescanned => {
                            "the secret watcher lost events and scanned its roots again".to_owned()
                        }
                    };
                    if store.is_none() {
                        store = crate::registry::open(&layout).ok();
                    }
                    if let Some(store) = &store {
                        append_event(store, &session, &agent, &summary);
                    }
                },
            );
        })
        .ok()?;
    Some(SecretWatch {
        stop,
        thread: Some(thread),
    })
}

/// What changed among the governance paths while the session ran (a file
/// created where none was, a parent directory renamed away, a symlink
/// re-pointed: what read-only mounts cannot prevent), recorded in the audit
/// log, as lines for the developer's terminal.
pub fn governance_changes(layout: &Layout, launch: &Launch) -> Vec<String> {
    let lines: Vec<String> = launch
        .governance
        .changes()
        .iter()
        .map(|path| crate::client::governance_line(path))
        .collect();
    if !lines.is_empty() {
        if let Ok(store) = crate::registry::open(layout) {
            for line in &lines {
                append_event(&store, &launch.session_id, &launch.agent, line);
            }
        }
    }
    lines
}

/// Records `summary` as an event of `launch`'s session (best effort: the
/// session is already running).
pub fn record_event(layout: &Layout, launch: &Launch, summary: &str) {
    if let Ok(store) = crate::registry::open(layout) {
        append_event(&store, &launch.session_id, &launch.agent, summary);
    }
}

fn append_event(store: &Store, session: &str, agent: &str, summary: &str) {
    let mut record = NewRecord::new(RecordKind::Event, secrets::redact(summary));
    record.session_id = Some(session.to_owned());
    record.agent = Some(agent.to_owned());
    record.tool = Some("sandbox".to_owned());
    record.detail = json!({ "entry": "warden run" });
    let _ = store.append(&record);
}

/// Runs `warden doctor`: the capability ladder and the self-test of the
/// standard profile for the current directory.
pub fn doctor(layout: &Layout, as_json: bool) -> anyhow::Result<ExitCode> {
    let ladder = warden_sandbox::probe();
    let (home, _, workspace) = places(&Caller::this_process()?)?;
    let mut profile = warden_sandbox::Profile::standard(&home, &workspace, &assistant_dirs(&home));
    // The self-test needs a port to prove the TCP rule against.
    profile.network.connect_tcp_ports = vec![9];
    profile.network.unix_sockets = true;
    profile.denied.push(layout.root.clone());
    let required = ladder.check_required(&profile);
    let report = warden_sandbox::Plan::build(&profile)
        .map_err(anyhow::Error::from)
        .and_then(|plan| Ok(warden_sandbox::self_test(&plan)?));
    if as_json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "ladder": ladder,
                "required_ok": required.is_ok(),
                "refusal": required.as_ref().err().map(|r| r.to_string()),
                "self_test": report.as_ref().ok(),
                "self_test_error": report.as_ref().err().map(|e| format!("{e:#}")),
            }))?
        );
    } else {
        print!("{}", ladder.render());
        match &required {
            Ok(()) => println!("every control the standard profile requires is available"),
            Err(refusal) => println!("warden run would refuse to start: {refusal}"),
        }
        match &report {
            Ok(report) => {
                println!("self-test (each control proven by a canary):");
                print!("{}", report.render());
            }
            Err(e) => println!("self-test could not run: {e:#}"),
        }
    }
    let passed = report.as_ref().is_ok_and(|r| r.failed.is_empty());
    Ok(if required.is_ok() && passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The absolute path of a program as the shell would find it on PATH.
fn resolve_program(program: &str, caller: &Caller) -> Option<PathBuf> {
    let candidate = Path::new(program);
    if candidate.components().count() > 1 {
        return std::fs::canonicalize(caller.cwd.join(candidate)).ok();
    }
    caller
        .var("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
        .and_then(|path| std::fs::canonicalize(path).ok())
}
