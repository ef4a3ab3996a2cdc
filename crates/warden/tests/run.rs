//! `warden run` and `warden doctor` end to end, on the real kernel, no mocks.
//!
//! Each test builds a throw-away world: a fake home holding real-looking
//! secrets (`~/.ssh/id_ed25519`, `~/.aws/credentials`), persistence and
//! governance files (`~/.bashrc`, `~/.claude/settings.json`, the workspace's
//! `.git/hooks`), a git workspace whose origin is a local forge, and an
//! initialised `$WARDEN_HOME` whose `warden.toml` gains a `[run]` section.
//! The forge is a real HTTPS server on loopback with its own test CA
//! (`git http-backend` for `/repo.git/…`, a greeting on `/hello`) that, like
//! GitHub, wants a token for pushes. The launcher's environment carries
//! planted long-lived credentials, the forge token warden brokers, and a
//! marker; none of them may be seen inside.
//!
//! * `escape_suite_passes_inside_warden_run` runs `tests/escape/escape.sh`
//!   (every escape of issue 5 part 7, and the allowed work) inside
//!   `warden run` and wants every line PASS; `…_as_an_unprivileged_user`
//!   does the same as uid 65534 through `setpriv` (when the tests run as
//!   root, as CI does); `escape_script_detects_escapes_without_warden`
//!   proves the script is not vacuous: outside the sandbox the same attempts
//!   succeed.
//! * `kernel_level_probes_are_refused_inside_warden_run` repeats the process
//!   and network escapes with raw system calls from this test binary, so
//!   they are covered whatever tools the host has (ptrace of the launcher,
//!   a direct connect, UDP, raw sockets).
//! * `the_sandbox_environment_follows_the_contract`: exit status, summary
//!   line, proxy and CA variables, session variables, scrubbed credentials.
//! * `doctor_names_every_control_and_passes_on_this_host` (as root and as
//!   the unprivileged user).
//! * `a_host_without_a_required_control_is_refused_clearly`: a `warden run`
//!   nested inside another (where seccomp denies the namespaces masking
//!   needs) exits 1 and names what is missing.
//! * `git_push_needs_a_grant_and_the_token_never_enters_the_sandbox`: a push
//!   from inside fails, the hook's `ask` for `git push` issues a grant, the
//!   same session's push then succeeds with the token the proxy injected,
//!   and the proxy's decisions are in the audit log.
//!
//! Only non-Linux hosts skip (with a note). Everything passes as root.

use std::fs;
use std::io::Read as _;
use std::net::{TcpListener, UdpSocket};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const WARDEN: &str = env!("CARGO_BIN_EXE_warden");
/// The escape suite, shipped with the repository.
const ESCAPE_SH: &str = include_str!("../../../tests/escape/escape.sh");

/// The token the forge wants for pushes: warden reads it from its own
/// environment (`[[run.credentials]] env`) and injects it in the proxy.
const FORGE_TOKEN: &str = "ghp_WardenRunForgeToken0123456789abcdefXY";
/// Long-lived credentials in the launcher's environment.
const GITHUB_TOKEN: &str = "ghp_PlantedGithubToken0123456789abcdefXYZ";
const AWS_KEY_ID: &str = "AKIAPLANTEDKEY012345";
const AWS_SECRET: &str = "PlantedAwsSecretKey0123456789abcdefghijKL";
const OPENAI_KEY: &str = "sk-PlantedOpenAiKey0123456789abcdefghijklmn";
const NPM_TOKEN: &str = "npm_PlantedNpmToken0123456789abcdefghijkl";
/// A value only the launcher's environment holds (its variable's name is
/// scrubbed), looked for in `/proc/$PPID/environ`.
const PARENT_MARKER: &str = "parent-environ-marker-5be1c07d";
/// What the secret files hold; the script recognises the key header.
const SSH_CANARY: &str = "SSH-KEY-CANARY-41f0";
const AWS_CANARY: &str = "AWS-FILE-CANARY-7d22";
const DOTENV_CANARY: &str = "DOTENV-CANARY-9a13";
/// A secret that appears only after the session started.
const PEM_LATE: &str = "LATE-SECRET-CANARY-c0ffee";
const HELLO: &str = "hello from the allowed host";
/// The unprivileged user of the second run (nobody).
const NOBODY: u32 = 65534;

fn linux() -> bool {
    if cfg!(target_os = "linux") {
        true
    } else {
        eprintln!("warden run's sandbox is Linux-only; skipping on this OS");
        false
    }
}

fn is_root() -> bool {
    // SAFETY: no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn sha256_hex(s: &str) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn assert_ok(out: &Output, what: &str) {
    assert!(out.status.success(), "{what}:\n{}", text(out));
}

/// Waits for `child` at most `secs`, then kills it; collects its output.
fn wait_for(mut child: Child, secs: u64, what: &str) -> Output {
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stderr.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + Duration::from_secs(secs);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let out = out_reader.join().unwrap_or_default();
            let err = err_reader.join().unwrap_or_default();
            panic!(
                "{what} did not finish within {secs} s\n--- stdout\n{}\n--- stderr\n{}",
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&err)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    }
}

// ---------------------------------------------------------------------------
// Where the world lives
// ---------------------------------------------------------------------------

/// `Profile::standard` grants /tmp, /var/tmp and /dev/shm read-write and the
/// system directories read-only, and refuses a profile whose roots contain
/// the home: the fake home must live elsewhere. As root it must also be
/// reachable by the unprivileged user.
fn scratch_base() -> PathBuf {
    let granted = [
        "/tmp", "/var/tmp", "/dev/shm", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
        "/libx32", "/etc", "/opt", "/proc", "/sys", "/nix", "/snap",
    ];
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(p) = std::env::var_os("WARDEN_TEST_SCRATCH") {
        candidates.push(p.into());
    }
    candidates.push(PathBuf::from(env!("CARGO_TARGET_TMPDIR")));
    candidates.push(manifest.join("../../target/run-tests"));
    if is_root() {
        candidates.push(PathBuf::from("/var/lib/warden-run-tests"));
    }
    let reachable = |p: &Path| {
        !is_root()
            || p.ancestors()
                .all(|a| fs::metadata(a).is_ok_and(|m| m.permissions().mode() & 0o001 != 0))
    };
    for c in &candidates {
        if fs::create_dir_all(c).is_err() {
            continue;
        }
        let Ok(c) = fs::canonicalize(c) else { continue };
        if granted.iter().any(|g| c.starts_with(g)) {
            continue;
        }
        if !reachable(&c) {
            let _ = fs::set_permissions(&c, fs::Permissions::from_mode(0o755));
            if !reachable(&c) {
                continue;
            }
        }
        return c;
    }
    panic!(
        "no scratch directory outside the sandbox's granted roots among {candidates:?}; \
         set WARDEN_TEST_SCRATCH"
    );
}

fn write(path: &Path, content: &str, mode: u32) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, content).expect("write");
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

fn git(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=dev",
            "-c",
            "user.email=dev@example.invalid",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert_ok(&out, &format!("git {args:?}"));
    out
}

fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

// ---------------------------------------------------------------------------
// The forge: HTTPS on loopback with its own CA
// ---------------------------------------------------------------------------

mod forge {
    use super::*;
    use base64::Engine as _;
    use bytes::Bytes;
    use http_body_util::{BodyExt as _, Full};
    use hyper::body::Incoming;
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
        SanType,
    };
    use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    use std::convert::Infallible;

    /// One request the forge saw.
    #[derive(Debug, Clone)]
    pub struct Seen {
        pub method: String,
        pub path: String,
        /// The `Authorization` header carried the forge token.
        pub authorized: bool,
        /// Some `Authorization` header was present.
        pub any_auth: bool,
    }

    pub struct Forge {
        pub port: u16,
        /// The bare repositories' root (`repo.git` inside).
        pub root: PathBuf,
        /// The test CA, PEM (for `[run] extra_roots`).
        pub ca_pem: PathBuf,
        /// Pushes that reached `git-receive-pack` with the right token.
        pub pushes: Arc<AtomicUsize>,
        pub seen: Arc<Mutex<Vec<Seen>>>,
        _rt: tokio::runtime::Runtime,
    }

    impl Forge {
        pub fn seen(&self) -> Vec<Seen> {
            self.seen.lock().expect("lock").clone()
        }
    }

    fn reply(status: u16, body: &'static str) -> Response {
        let mut r = hyper::Response::new(Full::new(Bytes::from_static(body.as_bytes())));
        *r.status_mut() = http::StatusCode::from_u16(status).expect("status");
        r
    }

    type Response = hyper::Response<Full<Bytes>>;

    async fn handle(
        root: PathBuf,
        pushes: Arc<AtomicUsize>,
        seen: Arc<Mutex<Vec<Seen>>>,
        req: hyper::Request<Incoming>,
    ) -> Result<Response, Infallible> {
        let (parts, body) = req.into_parts();
        let path = parts.uri.path().to_string();
        let query = parts.uri.query().unwrap_or("").to_string();
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD
                .encode(format!("x-access-token:{FORGE_TOKEN}"))
        );
        let auth = parts.headers.get("authorization").map(|v| v.as_bytes());
        let authorized = auth == Some(expected.as_bytes());
        seen.lock().expect("lock").push(Seen {
            method: parts.method.to_string(),
            path: format!("{path}?{query}"),
            authorized,
            any_auth: auth.is_some(),
        });
        if path == "/hello" {
            return Ok(reply(200, HELLO));
        }
        if !path.starts_with("/repo.git/") {
            return Ok(reply(404, "not found\n"));
        }
        if path.ends_with("/git-receive-pack") || query.contains("service=git-receive-pack") {
            if !authorized {
                let mut r = reply(401, "authentication required\n");
                r.headers_mut().insert(
                    "www-authenticate",
                    http::HeaderValue::from_static("Basic realm=\"test forge\""),
                );
                return Ok(r);
            }
            if path.ends_with("/git-receive-pack") {
                pushes.fetch_add(1, Ordering::SeqCst);
            }
        }
        let body = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let header = |n: &str| {
            parts
                .headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let (content_type, encoding) = (header("content-type"), header("content-encoding"));
        let method = parts.method.to_string();
        let out = tokio::task::spawn_blocking(move || {
            let mut child = Command::new("git")
                .arg("http-backend")
                .env("GIT_PROJECT_ROOT", &root)
                .env("GIT_HTTP_EXPORT_ALL", "1")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("PATH_INFO", &path)
                .env("QUERY_STRING", &query)
                .env("REQUEST_METHOD", &method)
                .env("CONTENT_TYPE", &content_type)
                .env("CONTENT_LENGTH", body.len().to_string())
                .env("HTTP_CONTENT_ENCODING", &encoding)
                .env("REMOTE_USER", "x-access-token")
                .env("REMOTE_ADDR", "127.0.0.1")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("git http-backend");
            let mut stdin = child.stdin.take().expect("stdin");
            let writer = std::thread::spawn(move || {
                use std::io::Write as _;
                let _ = stdin.write_all(&body);
            });
            let out = child.wait_with_output().expect("output").stdout;
            let _ = writer.join();
            out
        })
        .await
        .expect("join");
        let split = out
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|i| (i, 4))
            .or_else(|| out.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)));
        let (head, body) = match split {
            Some((i, n)) => (
                String::from_utf8_lossy(&out[..i]).into_owned(),
                out[i + n..].to_vec(),
            ),
            None => (String::new(), out),
        };
        let mut r = hyper::Response::new(Full::new(Bytes::from(body)));
        for line in head.lines() {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("status") {
                if let Some(code) = value.split(' ').next().and_then(|c| c.parse::<u16>().ok()) {
                    *r.status_mut() = http::StatusCode::from_u16(code)
                        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
                }
            } else if let (Ok(n), Ok(v)) = (
                http::HeaderName::from_bytes(name.trim().as_bytes()),
                http::HeaderValue::from_str(value),
            ) {
                r.headers_mut().append(n, v);
            }
        }
        Ok(r)
    }

    /// Starts the forge, with an empty bare `repo.git` that accepts pushes,
    /// under `dir`.
    pub fn start(dir: &Path) -> Forge {
        let root = dir.join("forge");
        let bare = root.join("repo.git");
        fs::create_dir_all(&root).expect("mkdir");
        let init = Command::new("git")
            .args(["init", "-q", "--bare", "-b", "main"])
            .arg(&bare)
            .output()
            .expect("git init --bare");
        assert_ok(&init, "git init --bare");
        let cfg = Command::new("git")
            .arg("--git-dir")
            .arg(&bare)
            .args(["config", "http.receivepack", "true"])
            .output()
            .expect("git config");
        assert_ok(&cfg, "git config http.receivepack");

        // The test PKI: a CA and a leaf for localhost and 127.0.0.1.
        let ca_key = KeyPair::generate().expect("key");
        let mut ca_params = CertificateParams::default();
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "warden run test forge CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca_params.self_signed(&ca_key).expect("CA");
        let ca_pem = dir.join("forge-ca.pem");
        write(&ca_pem, &ca_cert.pem(), 0o644);
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf_key = KeyPair::generate().expect("key");
        let mut leaf_params =
            CertificateParams::new(vec!["localhost".to_string()]).expect("params");
        leaf_params
            .subject_alt_names
            .push(SanType::IpAddress("127.0.0.1".parse().expect("ip")));
        let leaf = leaf_params.signed_by(&leaf_key, &issuer).expect("leaf");

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
            )
            .expect("cert");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));

        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let pushes = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (p, s, r) = (pushes.clone(), seen.clone(), root.clone());
        rt.spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, root, pushes, seen) =
                    (acceptor.clone(), r.clone(), p.clone(), s.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let svc = service_fn(move |req| {
                        handle(root.clone(), pushes.clone(), seen.clone(), req)
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), svc)
                        .await;
                });
            }
        });
        Forge {
            port,
            root,
            ca_pem,
            pushes,
            seen,
            _rt: rt,
        }
    }
}

// ---------------------------------------------------------------------------
// The world
// ---------------------------------------------------------------------------

/// A loopback TCP listener that is not the proxy, counting connections.
struct Blocked {
    port: u16,
    accepted: Arc<AtomicUsize>,
}

fn blocked_listener() -> Blocked {
    let l = TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = l.local_addr().expect("addr").port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let a = accepted.clone();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            if conn.is_ok() {
                a.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    Blocked { port, accepted }
}

struct World {
    _dir: tempfile::TempDir,
    /// The fake home (with `$WARDEN_HOME` beside it, both owned by the
    /// user warden runs as).
    home: PathBuf,
    ws: PathBuf,
    warden_home: PathBuf,
    forge: forge::Forge,
    blocked: Blocked,
    udp: UdpSocket,
    /// Run warden as this uid (through setpriv), else as ourselves.
    uid: Option<u32>,
    /// Launch through the daemon (the default for users) instead of
    /// in-process (`WARDEN_NO_DAEMON`).
    daemon: bool,
}

impl World {
    fn new(uid: Option<u32>) -> World {
        let dir = tempfile::Builder::new()
            .prefix("warden-run-")
            .tempdir_in(scratch_base())
            .expect("tempdir");
        let root = fs::canonicalize(dir.path()).expect("canonical");
        fs::set_permissions(&root, fs::Permissions::from_mode(0o755)).expect("chmod");
        let user_root = root.join("user");
        let home = user_root.join("home");
        let ws = home.join("work/proj");
        let warden_home = user_root.join("warden");
        // World-readable on purpose: for the unprivileged run, file modes
        // would allow every read, so a refusal can only be the sandbox's.
        write(
            &home.join(".ssh/id_ed25519"),
            &format!(
                "-----BEGIN OPENSSH PRIVATE KEY-----\n{SSH_CANARY}\n-----END OPENSSH PRIVATE KEY-----\n"
            ),
            0o644,
        );
        write(
            &home.join(".aws/credentials"),
            &format!("[default]\naws_secret_access_key = {AWS_CANARY}\n"),
            0o644,
        );
        write(&home.join(".bashrc"), "# bashrc\n", 0o644);
        write(
            &home.join(".claude/settings.json"),
            "{\"hooks\":{}}\n",
            0o644,
        );
        fs::create_dir_all(home.join(".claude/projects")).expect("mkdir");
        write(&ws.join("src/main.rs"), "fn main() {}\n", 0o644);
        write(&ws.join("README.md"), "# proj\n", 0o644);
        write(
            &ws.join(".env"),
            &format!("API_KEY={DOTENV_CANARY}\n"),
            0o644,
        );
        let forge = forge::start(&root);
        git(&ws, &["init", "-q", "-b", "main"]);
        git(&ws, &["add", "src/main.rs", "README.md"]);
        git(&ws, &["commit", "-q", "-m", "init"]);
        git(
            &ws,
            &[
                "remote",
                "add",
                "origin",
                &format!("https://localhost:{}/repo.git", forge.port),
            ],
        );
        write(
            &ws.join(".git/hooks/pre-commit"),
            "#!/bin/sh\nexit 0\n",
            0o755,
        );
        write(&ws.join("escape.sh"), ESCAPE_SH, 0o755);
        // Keep the harness's files out of `git status`.
        write(
            &ws.join(".git/info/exclude"),
            "escape.sh\n.wt/\nprobe-bin\n",
            0o644,
        );
        chmod_dirs(&user_root);
        if let Some(uid) = uid {
            let st = Command::new("chown")
                .arg("-R")
                .arg(format!("{uid}:{uid}"))
                .arg(&user_root)
                .status()
                .expect("chown");
            assert!(st.success(), "chown the user's files");
        }
        let udp = UdpSocket::bind("127.0.0.1:0").expect("udp");
        udp.set_nonblocking(true).expect("nonblocking");
        let world = World {
            _dir: dir,
            home,
            ws,
            warden_home,
            forge,
            blocked: blocked_listener(),
            udp,
            uid,
            daemon: false,
        };
        // `warden init` as the user (the state dir is theirs), a registered
        // identity, then the `[run]` section.
        assert_ok(
            &world.warden(&["init"]).output().expect("init"),
            "warden init",
        );
        assert_ok(
            &world
                .warden(&[
                    "agent",
                    "register",
                    "claude-code",
                    "--kind",
                    "claude-code",
                    "--owner",
                    "dev@example.com",
                ])
                .output()
                .expect("register"),
            "warden agent register",
        );
        let config = world.warden_home.join("warden.toml");
        let mut toml = fs::read_to_string(&config).expect("warden.toml");
        toml.push_str(&format!(
            "\n[run]\nbrokered = [\"localhost\"]\nallow_private_destinations = true\n\
             extra_roots = [{:?}]\n\n[[run.credentials]]\nhost = \"localhost\"\n\
             env = \"WARDEN_TEST_FORGE_TOKEN\"\ninject = \"basic\"\n",
            world.forge.ca_pem.display().to_string()
        ));
        fs::write(&config, toml).expect("append [run]");
        world
    }

    /// `warden ARGS` as the world's user, from the workspace, with a clean
    /// environment plus the planted credentials.
    fn warden(&self, args: &[&str]) -> Command {
        let mut cmd = match self.uid {
            Some(uid) => {
                let mut c = Command::new("setpriv");
                c.arg(format!("--reuid={uid}"))
                    .arg(format!("--regid={uid}"))
                    .arg("--clear-groups")
                    .arg(WARDEN);
                c
            }
            None => Command::new(WARDEN),
        };
        cmd.args(args)
            .current_dir(&self.ws)
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", &self.home)
            .env("USER", "dev")
            .env("LANG", "C.UTF-8")
            .env("WARDEN_HOME", &self.warden_home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("WARDEN_TEST_FORGE_TOKEN", FORGE_TOKEN)
            .env("GITHUB_TOKEN", GITHUB_TOKEN)
            .env("AWS_ACCESS_KEY_ID", AWS_KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
            .env("OPENAI_API_KEY", OPENAI_KEY)
            .env("NPM_TOKEN", NPM_TOKEN)
            .env("ESCAPE_PARENT_SECRET", PARENT_MARKER)
            .env("NO_PROXY", "localhost,127.0.0.1")
            .env("no_proxy", "localhost,127.0.0.1")
            .env("SSH_AUTH_SOCK", "/nonexistent/agent.sock")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if self.daemon {
            // The launch's own timing marks say which path it took.
            cmd.env("WARDEN_RUN_TIMING", "1");
        } else {
            cmd.env("WARDEN_NO_DAEMON", "1");
        }
        cmd
    }

    /// A world that launches through warden's daemon (started here) or
    /// in-process.
    fn launching(uid: Option<u32>, through_daemon: bool) -> World {
        let mut world = World::new(uid);
        if through_daemon {
            world.use_daemon();
        }
        world
    }

    /// From now on, launch through warden's daemon, started here.
    fn use_daemon(&mut self) {
        self.daemon = true;
        assert_ok(
            &self.warden(&["daemon", "start"]).output().expect("daemon"),
            "warden daemon start",
        );
    }

    /// `warden run --agent claude-code -- COMMAND…`, waited for.
    fn run(&self, extra: &[&str], command: &[&str], secs: u64) -> Output {
        let mut args = vec!["run", "--agent", "claude-code"];
        args.extend_from_slice(extra);
        args.push("--");
        args.extend_from_slice(command);
        let child = self.warden(&args).spawn().expect("spawn warden run");
        wait_for(child, secs, &format!("warden run {command:?}"))
    }

    fn planted(&self) -> [(&'static str, &'static str); 7] {
        [
            ("WARDEN_TEST_FORGE_TOKEN", FORGE_TOKEN),
            ("GITHUB_TOKEN", GITHUB_TOKEN),
            ("AWS_ACCESS_KEY_ID", AWS_KEY_ID),
            ("AWS_SECRET_ACCESS_KEY", AWS_SECRET),
            ("OPENAI_API_KEY", OPENAI_KEY),
            ("NPM_TOKEN", NPM_TOKEN),
            ("ESCAPE_PARENT_SECRET", PARENT_MARKER),
        ]
    }

    fn escape_args(&self) -> Vec<String> {
        let mut a = vec![
            "sh".to_string(),
            "escape.sh".to_string(),
            "--blocked-port".to_string(),
            self.blocked.port.to_string(),
            "--udp-port".to_string(),
            self.udp.local_addr().expect("addr").port().to_string(),
            "--fetch-url".to_string(),
            format!("https://localhost:{}/hello", self.forge.port),
            "--fetch-expect".to_string(),
            HELLO.to_string(),
            "--marker".to_string(),
            PARENT_MARKER.to_string(),
            "--commit-workspace".to_string(),
        ];
        for (_, v) in self.planted() {
            a.push("--secret-sha256".to_string());
            a.push(sha256_hex(v));
        }
        a
    }

    fn nothing_arrived_on_udp(&self) -> bool {
        let mut buf = [0u8; 64];
        matches!(self.udp.recv_from(&mut buf), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
    }

    /// The governance and persistence files are as the world made them.
    fn assert_untouched(&self) {
        assert_eq!(
            fs::read_to_string(self.home.join(".bashrc")).expect("bashrc"),
            "# bashrc\n"
        );
        assert_eq!(
            fs::read_to_string(self.home.join(".claude/settings.json")).expect("settings"),
            "{\"hooks\":{}}\n"
        );
        assert_eq!(
            fs::read_to_string(self.ws.join(".git/hooks/pre-commit")).expect("hook"),
            "#!/bin/sh\nexit 0\n"
        );
        assert!(!self.ws.join(".git/hooks/post-checkout").exists());
        assert!(fs::read_to_string(self.home.join(".ssh/id_ed25519"))
            .expect("key")
            .contains(SSH_CANARY));
        let config = fs::read_to_string(self.ws.join(".git/config")).expect("config");
        assert!(!config.contains("escape suite"), "{config}");
    }

    fn audit(&self) -> Vec<Value> {
        let out = self
            .warden(&["audit", "export"])
            .output()
            .expect("audit export");
        assert_ok(&out, "warden audit export");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).expect("one JSON record per line"))
            .collect()
    }
}

impl Drop for World {
    fn drop(&mut self) {
        // `warden run` starts the per-user daemon (the hooks inside reach
        // it); it must not outlive this world.
        let _ = self.warden(&["daemon", "stop"]).output();
    }
}

fn chmod_dirs(root: &Path) {
    fs::set_permissions(root, fs::Permissions::from_mode(0o755)).expect("chmod");
    for e in fs::read_dir(root).expect("read_dir").flatten() {
        let ft = e.file_type().expect("type");
        if ft.is_dir() && !ft.is_symlink() {
            chmod_dirs(&e.path());
        }
    }
}

/// The `warden run` sub-command exists in this build.
fn run_available() -> bool {
    let out = Command::new(WARDEN)
        .args(["run", "--help"])
        .env("WARDEN_NO_DAEMON", "1")
        .output()
        .expect("warden runs");
    out.status.success()
}

fn need_run() -> bool {
    assert!(
        run_available(),
        "`warden run` is missing from this build of warden"
    );
    assert!(
        git_available(),
        "these tests need git (the forge is git http-backend)"
    );
    true
}

// ---------------------------------------------------------------------------
// The escape suite
// ---------------------------------------------------------------------------

/// Escapes that must be attempted (and refused) on every host: the script
/// needs only sh and coreutils for them.
const ALWAYS: &[&str] = &[
    "read:ssh-by-path",
    "read:aws-by-path",
    "read:ssh-listing",
    "read:ssh-via-symlink",
    "read:aws-via-dir-symlink",
    "read:ssh-via-proc-self-root",
    "read:aws-via-proc-self-root",
    "read:ssh-via-proc-parent-root",
    "read:parent-environ",
    "read:ssh-hardlink-into-workspace",
    "read:aws-hardlink-into-tmp",
    "read:workspace-dotenv",
    "write:bashrc",
    "write:git-hook-pre-commit",
    "write:git-hook-new",
    "write:git-config",
    "write:claude-settings",
    "signal:parent",
    "env:credential-names",
    "env:real-credentials",
    "allowed:write-workspace",
    "allowed:write-tmp",
    "allowed:write-slash-tmp",
    "allowed:git-commit",
    "allowed:git-commit-workspace",
    "allowed:build",
    "allowed:test",
    "allowed:read-system",
    "allowed:fetch",
];

/// Parses the script's report: (PASS names, FAIL lines, SKIP lines).
fn report(out: &Output) -> (Vec<String>, Vec<String>, Vec<String>) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut pass = Vec::new();
    let mut fail = Vec::new();
    let mut skip = Vec::new();
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("PASS ") {
            pass.push(rest.split(" -- ").next().unwrap_or(rest).to_string());
        } else if line.starts_with("FAIL ") {
            fail.push(line.to_string());
        } else if line.starts_with("SKIP ") {
            skip.push(line.to_string());
        }
    }
    (pass, fail, skip)
}

fn family_passed(pass: &[String], prefix: &str) -> bool {
    pass.iter().any(|p| p.starts_with(prefix))
}

fn escape_suite(uid: Option<u32>, through_daemon: bool) {
    let world = World::launching(uid, through_daemon);
    let args = world.escape_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = world.run(&["--task", "escape suite"], &args, 300);
    let all = text(&out);
    eprintln!("{all}");
    // The path the launch took: prepared by the daemon and spawned by the
    // front, or all in warden-core.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.contains("(front)") && stderr.contains("(daemon)"),
        through_daemon,
        "{all}"
    );
    let (pass, fail, skip) = report(&out);
    // SAFETY: no preconditions.
    let me = uid.unwrap_or_else(|| unsafe { libc::geteuid() });
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("INFO uid {me},")),
        "the suite ran as uid {me}:\n{all}"
    );
    assert!(
        fail.is_empty(),
        "escapes that worked or work that was refused inside warden run:\n{}\n\n{all}",
        fail.join("\n")
    );
    assert_eq!(out.status.code(), Some(0), "{all}");
    for name in ALWAYS {
        assert!(
            pass.iter().any(|p| p == name),
            "{name} was not attempted or did not pass (skipped: {skip:?}):\n{all}"
        );
    }
    // Each family of issue 5 part 7 was really attempted with some tool.
    for family in ["connect:", "udp:", "raw:", "ptrace:"] {
        assert!(
            family_passed(&pass, family),
            "no {family} attempt ran (skipped: {skip:?}):\n{all}"
        );
    }
    // The summary line.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.lines().any(|l| l.starts_with("warden: session ws-")),
        "{all}"
    );
    // What the script cannot see from inside.
    assert_eq!(
        world.blocked.accepted.load(Ordering::SeqCst),
        0,
        "a direct connection reached the non-proxy listener"
    );
    assert!(
        world.nothing_arrived_on_udp(),
        "a UDP datagram left the sandbox"
    );
    world.assert_untouched();
    // The allowed fetch went through the proxy to the forge, and the forge
    // saw no credential on it.
    let hellos: Vec<_> = world
        .forge
        .seen()
        .into_iter()
        .filter(|s| s.path.starts_with("/hello"))
        .collect();
    assert_eq!(hellos.len(), 1, "{hellos:?}");
    assert!(!hellos[0].any_auth, "{hellos:?}");
    // Nothing printed carries a planted secret or a file canary.
    for (name, value) in world.planted() {
        assert!(!all.contains(value), "{name}'s value was printed:\n{all}");
    }
    for canary in [SSH_CANARY, AWS_CANARY, DOTENV_CANARY] {
        assert!(!all.contains(canary), "{canary} was printed:\n{all}");
    }
    // The session's proxied requests were decided and audited.
    let records = world.audit();
    assert!(
        records
            .iter()
            .any(|r| r["tool"] == "proxy" && r.to_string().contains("/hello")),
        "no proxy record for the fetch: {records:#?}"
    );
}

#[test]
fn escape_suite_passes_inside_warden_run() {
    if !linux() || !need_run() {
        return;
    }
    escape_suite(None, true);
}

#[test]
fn escape_suite_passes_in_the_in_process_launcher() {
    if !linux() || !need_run() {
        return;
    }
    escape_suite(None, false);
}

#[test]
fn escape_suite_passes_as_an_unprivileged_user() {
    if !linux() || !need_run() {
        return;
    }
    if !is_root() {
        eprintln!("not root: the suite already runs unprivileged in escape_suite_passes_inside_warden_run");
        escape_suite(None, true);
        return;
    }
    assert!(
        Command::new("setpriv")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success()),
        "setpriv (util-linux) is needed to drop to an unprivileged user"
    );
    escape_suite(Some(NOBODY), true);
}

/// The same script outside the sandbox, same user, same environment as
/// warden's: the attempts are real, so they succeed. Without this the
/// PASS lines above could be a script that never tries.
#[test]
fn escape_script_detects_escapes_without_warden() {
    if !linux() || !git_available() {
        return;
    }
    let world = World::new(None);
    let mut args = world.escape_args();
    // No proxy outside warden: leave the fetch out.
    let i = args.iter().position(|a| a == "--fetch-url").expect("fetch");
    args.drain(i..i + 4);
    let mut cmd = Command::new("sh");
    cmd.args(&args[1..])
        .current_dir(&world.ws)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", &world.home)
        .env("GITHUB_TOKEN", GITHUB_TOKEN)
        .env("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = wait_for(cmd.spawn().expect("sh"), 300, "escape.sh without warden");
    let all = text(&out);
    assert!(!out.status.success(), "{all}");
    let (_, fail, _) = report(&out);
    let failed = |name: &str| fail.iter().any(|l| l.starts_with(&format!("FAIL {name}:")));
    let mut expected = vec![
        "read:ssh-by-path",
        "read:aws-by-path",
        "read:ssh-listing",
        "read:ssh-via-symlink",
        "read:aws-via-dir-symlink",
        "read:ssh-via-proc-self-root",
        "read:ssh-hardlink-into-workspace",
        "read:workspace-dotenv",
        "write:bashrc",
        "write:git-hook-pre-commit",
        "write:git-hook-new",
        "write:claude-settings",
        "signal:parent",
        "env:credential-names",
        "env:real-credentials",
    ];
    let has = |p: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {p}")])
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if has("bash") {
        expected.extend(["connect:bash-dev-tcp", "udp:bash-dev-udp"]);
    }
    if has("python3") {
        expected.extend(["connect:python", "udp:python"]);
        if is_root() {
            expected.extend(["raw:python-icmp", "raw:python-packet", "ptrace:python"]);
        }
    }
    if has("curl") {
        expected.push("connect:curl-noproxy");
    }
    for name in expected {
        assert!(
            failed(name),
            "{name} should succeed outside the sandbox:\n{all}"
        );
    }
    assert!(world.blocked.accepted.load(Ordering::SeqCst) > 0);
    if has("python3") || has("bash") {
        assert!(!world.nothing_arrived_on_udp(), "the UDP datagram arrived");
    }
}

// ---------------------------------------------------------------------------
// Kernel-level probes from this binary (no tools needed)
// ---------------------------------------------------------------------------

/// Entry point for the probe run inside `warden run` (see
/// `kernel_level_probes_are_refused_inside_warden_run`); a no-op otherwise.
#[test]
fn probe_entry() {
    let Ok(op) = std::env::var("PROBE_OP") else {
        return;
    };
    let arg: i64 = std::env::var("PROBE_ARG")
        .ok()
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    // SAFETY: raw system calls with valid arguments.
    let r = unsafe {
        let last = || std::io::Error::last_os_error().raw_os_error().unwrap_or(-1);
        let sockaddr = |port: u16| {
            let mut a: libc::sockaddr_in = std::mem::zeroed();
            a.sin_family = libc::AF_INET as libc::sa_family_t;
            a.sin_port = port.to_be();
            a.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
            a
        };
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        match op.as_str() {
            "ptrace-parent" => {
                let ppid = libc::getppid();
                if libc::ptrace(libc::PTRACE_SEIZE, ppid, 0, 0) < 0 {
                    Err(last())
                } else {
                    libc::ptrace(libc::PTRACE_DETACH, ppid, 0, 0);
                    Ok(())
                }
            }
            "connect" => {
                let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
                let a = sockaddr(arg as u16);
                if fd < 0 || libc::connect(fd, (&a as *const libc::sockaddr_in).cast(), len) < 0 {
                    Err(last())
                } else {
                    Ok(())
                }
            }
            "udp" => {
                let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM, 0);
                let a = sockaddr(arg as u16);
                if fd < 0
                    || libc::sendto(
                        fd,
                        b"x".as_ptr().cast(),
                        1,
                        0,
                        (&a as *const libc::sockaddr_in).cast(),
                        len,
                    ) < 0
                {
                    Err(last())
                } else {
                    Ok(())
                }
            }
            "raw" => {
                if libc::socket(libc::AF_INET, libc::SOCK_RAW, libc::IPPROTO_ICMP) < 0 {
                    Err(last())
                } else {
                    Ok(())
                }
            }
            "kill-parent" => {
                if libc::kill(libc::getppid(), 0) < 0 {
                    Err(last())
                } else {
                    Ok(())
                }
            }
            _ => Err(-2),
        }
    };
    match r {
        Ok(()) => println!("PROBE-OK"),
        Err(e) => println!("PROBE-ERR {e}"),
    }
    std::process::exit(0);
}

fn verdict(out: &Output) -> Result<(), i32> {
    let s = String::from_utf8_lossy(&out.stdout);
    if s.contains("PROBE-OK") {
        return Ok(());
    }
    if let Some(rest) = s.split("PROBE-ERR ").nth(1) {
        let n: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        return Err(n.parse().unwrap_or(-1));
    }
    panic!("the probe gave no verdict:\n{}", text(out));
}

#[test]
fn kernel_level_probes_are_refused_inside_warden_run() {
    if !linux() || !need_run() {
        return;
    }
    let world = World::new(None);
    // This test binary, copied into the workspace (its own directory is not
    // a granted root), is the probe.
    let exe = std::env::current_exe().expect("current_exe");
    let probe = world.ws.join("probe-bin");
    fs::copy(&exe, &probe).expect("copy the probe");
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o755)).expect("chmod");
    let udp_port = world.udp.local_addr().expect("addr").port();
    let cases: [(&str, u16, &[i32]); 5] = [
        ("ptrace-parent", 0, &[libc::EPERM, libc::EACCES]),
        ("kill-parent", 0, &[libc::EPERM]),
        ("connect", world.blocked.port, &[libc::EACCES, libc::EPERM]),
        ("udp", udp_port, &[libc::EPERM, libc::EACCES]),
        ("raw", 0, &[libc::EPERM, libc::EACCES]),
    ];
    for (op, arg, errnos) in cases {
        let arg = arg.to_string();
        let out = {
            let mut cmd = world.warden(&[
                "run",
                "--agent",
                "claude-code",
                "--",
                "./probe-bin",
                "--exact",
                "probe_entry",
                "--nocapture",
                "--test-threads=1",
                "-q",
            ]);
            cmd.env("PROBE_OP", op).env("PROBE_ARG", &arg);
            wait_for(cmd.spawn().expect("spawn"), 120, op)
        };
        match verdict(&out) {
            Err(e) if errnos.contains(&e) => {}
            v => panic!(
                "{op} inside warden run: {v:?}, wanted one of {errnos:?}\n{}",
                text(&out)
            ),
        }
    }
    assert_eq!(world.blocked.accepted.load(Ordering::SeqCst), 0);
    assert!(world.nothing_arrived_on_udp());
}

// ---------------------------------------------------------------------------
// The contract of `warden run`
// ---------------------------------------------------------------------------

#[test]
fn the_sandbox_environment_follows_the_contract() {
    if !linux() || !need_run() {
        return;
    }
    let world = World::new(None);
    // The command's exit status is warden's.
    let out = world.run(
        &["--task", "environment"],
        &[
            "sh",
            "-c",
            "env; echo CA-CERTS $(grep -c 'BEGIN CERTIFICATE' \"$SSL_CERT_FILE\"); exit 7",
        ],
        120,
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(7), "{all}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warden: session ws-"))
        .collect();
    assert_eq!(summary.len(), 1, "one summary line on stderr:\n{all}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let env: std::collections::BTreeMap<&str, &str> =
        stdout.lines().filter_map(|l| l.split_once('=')).collect();
    let get = |k: &str| -> &str {
        env.get(k)
            .copied()
            .unwrap_or_else(|| panic!("{k} is not set inside warden run:\n{all}"))
    };
    // The proxy, with the session's own credentials.
    let proxy = get("HTTPS_PROXY");
    for k in ["HTTP_PROXY", "http_proxy", "https_proxy"] {
        assert_eq!(get(k), proxy, "{k}");
    }
    let rest = proxy
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("HTTPS_PROXY={proxy}"));
    let (userinfo, hostport) = rest.split_once('@').expect("user:token@host:port");
    assert!(userinfo.contains(':'), "session:token in {proxy}");
    let port = hostport
        .trim_end_matches('/')
        .strip_prefix("127.0.0.1:")
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("the proxy is on 127.0.0.1: {proxy}"));
    assert_ne!(port, 0);
    // Nothing bypasses the proxy: the launcher's NO_PROXY is gone (unset,
    // or set empty, which overrides any default).
    for k in ["NO_PROXY", "no_proxy"] {
        assert!(
            env.get(k).is_none_or(|v| v.is_empty()),
            "{k} must be removed:\n{all}"
        );
    }
    // One CA bundle, including warden's local CA, for every client.
    let bundle = get("SSL_CERT_FILE");
    for k in [
        "GIT_SSL_CAINFO",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        "NODE_EXTRA_CA_CERTS",
    ] {
        assert_eq!(get(k), bundle, "{k}");
    }
    let count: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix("CA-CERTS "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    assert!(count >= 1, "the CA bundle is readable inside:\n{all}");
    // The session.
    let session = get("WARDEN_SESSION_ID");
    assert!(session.starts_with("ws-"), "{session}");
    assert!(
        summary[0].contains(session),
        "the summary names the session: {}",
        summary[0]
    );
    assert!(!get("WARDEN_SESSION_CREDENTIAL").is_empty());
    assert_eq!(get("WARDEN_AGENT"), "claude-code");
    // Scrubbed: by name, and no planted value anywhere.
    for k in [
        "GITHUB_TOKEN",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "OPENAI_API_KEY",
        "NPM_TOKEN",
        "WARDEN_TEST_FORGE_TOKEN",
        "SSH_AUTH_SOCK",
    ] {
        assert!(!env.contains_key(k), "{k} reached the sandbox:\n{all}");
    }
    for (name, value) in world.planted() {
        assert!(!all.contains(value), "{name}'s value reached the sandbox");
    }

    // --no-self-test still runs the command, in the sandbox.
    let out = world.run(
        &["--no-self-test"],
        &["sh", "-c", "cat \"$HOME/.ssh/id_ed25519\"; echo done"],
        120,
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("done") && !all.contains(SSH_CANARY), "{all}");
}

#[test]
fn doctor_names_every_control_and_passes_on_this_host() {
    if !linux() {
        return;
    }
    let world = World::new(None);
    let out = world.warden(&["doctor"]).output().expect("doctor");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let lower = String::from_utf8_lossy(&out.stdout).to_lowercase();
    for control in [
        "fs_allow_list",
        "tcp_ports",
        "ipc_scope",
        "seccomp",
        "no_new_privs",
        "masking",
        "drop_capabilities",
    ] {
        assert!(
            lower.contains(control),
            "doctor does not name {control}:\n{all}"
        );
    }
    assert!(
        lower.contains("self-test") || lower.contains("self test"),
        "doctor shows the self-test:\n{all}"
    );
    assert!(lower.contains("landlock"), "{all}");
    let out = world
        .warden(&["doctor", "--json"])
        .output()
        .expect("doctor --json");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("doctor --json prints JSON ({e}):\n{}", text(&out)));
    let s = v.to_string();
    for control in ["fs_allow_list", "tcp_ports", "seccomp", "no_new_privs"] {
        assert!(s.contains(control), "{control} in {s}");
    }
    drop(world);
    // An unprivileged user gets the same ladder (masking through a user
    // namespace) and a self-test that runs.
    if is_root() {
        let world = World::new(Some(NOBODY));
        let out = world.warden(&["doctor"]).output().expect("doctor");
        let all = text(&out);
        assert_eq!(out.status.code(), Some(0), "as uid {NOBODY}: {all}");
        assert!(all.contains("unprivileged"), "{all}");
        assert!(!all.contains("could not run"), "{all}");
    }
}

/// A host that lacks a control the profile requires is refused, with exit
/// status 1 and a message naming what is missing. Inside `warden run`, the
/// seccomp filter denies namespaces, so a nested `warden run` finds no way
/// to mask (and Landlock forbids it to bind a port of its own).
#[test]
fn a_host_without_a_required_control_is_refused_clearly() {
    if !linux() || !need_run() {
        return;
    }
    let world = World::new(None);
    let out = world.run(
        &[],
        &[
            "sh",
            "-c",
            &format!(
                "export WARDEN_HOME=\"$PWD/.wt/inner\"; {WARDEN} init >/dev/null || exit 90; \
                 {WARDEN} run --agent claude-code -- /bin/true; echo \"inner exit $?\""
            ),
        ],
        120,
    );
    let all = text(&out);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("inner exit 1"),
        "the nested warden run must refuse with exit status 1:\n{all}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(
        stderr.contains("refusing to start")
            && ["masking", "namespace"].iter().any(|c| stderr.contains(c)),
        "the refusal names the missing control:\n{all}"
    );
}

// ---------------------------------------------------------------------------
// git push through the proxy, with and without a grant
// ---------------------------------------------------------------------------

const PUSH_SCRIPT: &str = r#"
set -u
export GIT_TERMINAL_PROMPT=0 GIT_AUTHOR_NAME=agent GIT_AUTHOR_EMAIL=agent@example.invalid \
    GIT_COMMITTER_NAME=agent GIT_COMMITTER_EMAIL=agent@example.invalid
mkdir -p .wt
env > .wt/env.txt
printf %s "$WARDEN_SESSION_ID" > .wt/sid
printf %s "$WARDEN_SESSION_CREDENTIAL" > .wt/cred
printf 'pushed from the sandbox\n' > pushed.txt
git add pushed.txt && git commit -q -m 'from the sandbox' || exit 3
git push origin HEAD:refs/heads/main > .wt/push1.log 2>&1
echo $? > .wt/push1.rc
: > .wt/ready
i=0
while [ ! -e .wt/go ]; do
    sleep 0.1
    i=$((i + 1))
    [ "$i" -lt 1500 ] || exit 4
done
git push origin HEAD:refs/heads/main > .wt/push2.log 2>&1
echo $? > .wt/push2.rc
git ls-remote origin > .wt/ls-remote.txt 2>&1
exit 0
"#;

fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every file under `dir` (not following symlinks) whose bytes contain
/// `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return hits;
    };
    for e in entries.flatten() {
        let Ok(ft) = e.file_type() else { continue };
        let p = e.path();
        if ft.is_dir() {
            hits.extend(files_containing(&p, needle));
        } else if ft.is_file() {
            if let Ok(bytes) = fs::read(&p) {
                if bytes.windows(needle.len()).any(|w| w == needle) {
                    hits.push(p);
                }
            }
        }
    }
    hits
}

#[test]
fn git_push_needs_a_grant_and_the_token_never_enters_the_sandbox() {
    if !linux() || !need_run() {
        return;
    }
    // Through the daemon, as users launch: the session's proxy lives there.
    let world = World::launching(None, true);
    let wt = world.ws.join(".wt");
    let child = world
        .warden(&[
            "run",
            "--agent",
            "claude-code",
            "--task",
            "push the fix",
            "--",
            "sh",
            "-c",
            PUSH_SCRIPT,
        ])
        .spawn()
        .expect("spawn warden run");
    // Wait for the first push to be over.
    let mut child = Some(child);
    let deadline = Instant::now() + Duration::from_secs(180);
    while !wt.join("ready").exists() {
        let c = child.as_mut().expect("child");
        if c.try_wait().expect("wait").is_some() || Instant::now() > deadline {
            let out = wait_for(child.take().expect("child"), 5, "warden run");
            panic!(
                "the session ended before its first push was over:\n{}\npush1: {}",
                text(&out),
                fs::read_to_string(wt.join("push1.log")).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let push1 = read(&wt.join("push1.log"));
    eprintln!("first push, without a grant:\n{push1}");
    assert_ne!(
        read(&wt.join("push1.rc")).trim(),
        "0",
        "a push without a grant must fail:\n{push1}"
    );
    assert_eq!(
        world.forge.pushes.load(Ordering::SeqCst),
        0,
        "no authorised push reached the forge without a grant"
    );
    assert!(!push1.contains(FORGE_TOKEN));

    // The assistant's hook is asked about `git push origin main`: the
    // baseline pack answers ask, and issues a grant for the session's
    // hosts (the origin's, localhost).
    let session = read(&wt.join("sid"));
    let credential = read(&wt.join("cred"));
    assert!(session.starts_with("ws-"), "{session}");
    let payload = json!({
        "session_id": session,
        "transcript_path": "/dev/null",
        "cwd": world.ws,
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": { "command": "git push origin main", "description": "push" },
        "tool_use_id": "toolu_push_1",
    });
    let mut hook = world
        .warden(&["hook", "claude-code"])
        .env("WARDEN_SESSION_CREDENTIAL", &credential)
        .stdin(Stdio::piped())
        .spawn()
        .expect("hook");
    {
        use std::io::Write as _;
        let mut stdin = hook.stdin.take().expect("stdin");
        stdin
            .write_all(payload.to_string().as_bytes())
            .expect("payload");
    }
    let out = wait_for(hook, 60, "warden hook claude-code");
    assert_ok(&out, "warden hook claude-code");
    let answer: Value = serde_json::from_slice(&out.stdout).expect("the hook answers JSON");
    assert_eq!(
        answer["hookSpecificOutput"]["permissionDecision"], "ask",
        "{answer}"
    );
    let grants = world.warden(&["grants", "list"]).output().expect("grants");
    assert_ok(&grants, "warden grants list");
    let grants = String::from_utf8_lossy(&grants.stdout).into_owned();
    eprintln!("the hook answered {answer}\ngrants:\n{grants}");
    assert!(
        grants.contains("pending") && grants.contains("localhost"),
        "a pending grant for localhost: {grants}"
    );
    // The developer confirms it from outside the sandbox (the "yes" of an
    // ask happens inside, where the sandbox could forge it).
    let id = grants
        .split_whitespace()
        .find(|w| w.starts_with("grt-"))
        .expect("a grant id")
        .to_owned();
    let confirmed = world
        .warden(&["grants", "confirm", &id])
        .output()
        .expect("confirm");
    assert_ok(&confirmed, "warden grants confirm");

    // The same session pushes again: granted, the proxy injects the token.
    fs::write(wt.join("go"), "").expect("go");
    let out = wait_for(child.take().expect("child"), 180, "warden run (push)");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let push2 = read(&wt.join("push2.log"));
    eprintln!("second push, granted:\n{push2}\n{all}");
    assert_eq!(
        read(&wt.join("push2.rc")).trim(),
        "0",
        "a granted push must succeed:\n{push2}\n\nfirst push:\n{push1}\n\n{all}"
    );
    assert_eq!(world.forge.pushes.load(Ordering::SeqCst), 1);
    let log = Command::new("git")
        .arg("--git-dir")
        .arg(world.forge.root.join("repo.git"))
        .args(["log", "--format=%s", "main"])
        .output()
        .expect("log");
    assert_eq!(
        String::from_utf8_lossy(&log.stdout).lines().next(),
        Some("from the sandbox")
    );
    // The token never entered the sandbox: not in its environment, not in
    // anything git printed or stored in the workspace, not in the pushed
    // content, not in what warden printed.
    let env = read(&wt.join("env.txt"));
    for (name, value) in world.planted() {
        assert!(
            !env.contains(value),
            "{name}'s value was in the sandbox's environment"
        );
    }
    assert!(!push2.contains(FORGE_TOKEN));
    assert!(!all.contains(FORGE_TOKEN));
    let hits = files_containing(&world.ws, FORGE_TOKEN.as_bytes());
    assert!(hits.is_empty(), "the token is in {hits:?}");
    let pushed = Command::new("git")
        .arg("--git-dir")
        .arg(world.forge.root.join("repo.git"))
        .args(["log", "-p", "--all"])
        .output()
        .expect("log -p");
    assert!(!String::from_utf8_lossy(&pushed.stdout).contains(FORGE_TOKEN));
    // The forge saw the token only on requests the grant covered.
    let seen = world.forge.seen();
    assert!(
        seen.iter()
            .any(|s| s.method == "POST" && s.path.contains("git-receive-pack") && s.authorized),
        "{seen:#?}"
    );

    // Every proxied request was decided and audited; the push was refused
    // before the grant and allowed after it.
    let records = world.audit();
    let proxy: Vec<&Value> = records.iter().filter(|r| r["tool"] == "proxy").collect();
    for r in &proxy {
        eprintln!("audit: {} {} {}", r["decision"], r["summary"], r["reasons"]);
    }
    assert!(!proxy.is_empty(), "no proxy records: {records:#?}");
    let receive: Vec<&&Value> = proxy
        .iter()
        .filter(|r| r.to_string().contains("git-receive-pack"))
        .collect();
    assert!(
        receive.iter().any(|r| r["decision"] != "allow"),
        "a refused receive-pack: {receive:#?}"
    );
    assert!(
        receive.iter().any(|r| r["decision"] == "allow"),
        "an allowed receive-pack: {receive:#?}"
    );
    assert!(
        proxy
            .iter()
            .any(|r| r["session_id"].as_str() == Some(session.as_str())),
        "proxy records carry the session: {proxy:#?}"
    );
    let export = records
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        !export.contains(FORGE_TOKEN),
        "the audit log holds the token"
    );
    let verify = world.warden(&["audit", "verify"]).output().expect("verify");
    assert_ok(&verify, "warden audit verify");
}

/// One length-prefixed frame, as warden's daemon protocol frames them.
fn frame(bytes: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(bytes.len())
        .expect("small")
        .to_be_bytes()
        .to_vec();
    out.extend_from_slice(bytes);
    out
}

#[test]
fn only_a_caller_outside_every_sandbox_can_ask_the_daemon_to_launch() {
    use std::io::Write as _;
    use std::os::unix::net::UnixStream;
    if !linux() || !need_run() {
        return;
    }
    let world = World::launching(None, true);
    let token_path = world.warden_home.join("run/launch.token");
    let token = fs::read_to_string(&token_path).expect("the daemon wrote its launch token");
    let mode = fs::metadata(&token_path)
        .expect("token")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the token is private");
    // A wrong token gets nothing, before anything is prepared.
    let mut stream =
        UnixStream::connect(world.warden_home.join("run/daemon.sock")).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let header = json!({
        "v": 1,
        "version": env!("CARGO_PKG_VERSION"),
        "op": "launch",
        "token": "0".repeat(token.trim().len()),
    });
    stream
        .write_all(&frame(header.to_string().as_bytes()))
        .expect("send");
    let mut marker = [0u8; 1];
    stream.read_exact(&mut marker).expect("the marker byte");
    assert_eq!(marker, [0], "no descriptor for a refused launch");
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).expect("length");
    let mut reply = vec![0u8; u32::from_be_bytes(len) as usize];
    stream.read_exact(&mut reply).expect("reply");
    let reply: Value = serde_json::from_slice(&reply).expect("JSON");
    // Nothing prepared: the caller is sent to the in-process path, where a
    // sandboxed caller cannot open warden's store.
    assert_eq!(reply["stale"], true, "{reply}");
    assert!(reply.get("handoff").is_none(), "{reply}");
    // Inside a session, the token cannot be read: warden's state
    // directory is denied, while the daemon's socket is reachable.
    let out = world.run(
        &[],
        &[
            "sh",
            "-c",
            "cat \"$WARDEN_HOME/run/launch.token\" && echo READ; test -S \"$WARDEN_HOME/run/daemon.sock\" && echo SOCKET; exit 0",
        ],
        120,
    );
    let all = text(&out);
    assert_ok(&out, "warden run");
    assert!(
        all.contains("(front)"),
        "launched through the daemon:\n{all}"
    );
    assert!(!all.contains("READ"), "{all}");
    assert!(!all.contains(token.trim()), "{all}");
}

#[test]
fn an_interrupt_reaches_the_command_and_the_session_lives_on() {
    use std::os::unix::process::CommandExt as _;
    if !linux() || !need_run() {
        return;
    }
    for through_daemon in [true, false] {
        let world = World::launching(None, through_daemon);
        let mut cmd = world.warden(&[
            "run",
            "--agent",
            "claude-code",
            "--",
            "sh",
            "-c",
            "trap 'echo got-interrupt' INT; echo ready; sleep 3 & wait; sleep 1; \
             curl -s --max-time 20 \"https://localhost:$1/hello\" >/dev/null && echo proxied; echo survived",
            "sh",
            &world.forge.port.to_string(),
        ]);
        cmd.process_group(0);
        let child = cmd.spawn().expect("spawn");
        let group = child.id() as i32;
        std::thread::sleep(Duration::from_millis(1500));
        // SAFETY: signalling a process group this test created.
        unsafe { libc::killpg(group, libc::SIGINT) };
        let out = wait_for(child, 120, "warden run under an interrupt");
        let all = text(&out);
        assert_eq!(out.status.code(), Some(0), "{all}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        for line in ["ready", "got-interrupt", "proxied", "survived"] {
            assert!(
                stdout.lines().any(|l| l == line),
                "{line} missing (daemon: {through_daemon}):\n{all}"
            );
        }
        // The daemon (started by this launch when in-process) is in a
        // process group of its own: the interrupt did not end it.
        let status = world
            .warden(&["daemon", "status"])
            .output()
            .expect("status");
        assert_ok(&status, "the daemon outlives the interrupt");
    }
}

#[test]
fn secrets_that_appear_during_a_session_are_masked_inside() {
    if !linux() || !need_run() {
        return;
    }
    for through_daemon in [true, false] {
        let world = World::launching(None, through_daemon);
        // The command waits for `go`, then tries what appeared meanwhile:
        // a new key file, a `.env` replaced by a rename (which detaches the
        // start-up mask), and a secret in a directory made inside.
        let child = world
            .warden(&[
                "run",
                "--agent",
                "claude-code",
                "--",
                "sh",
                "-c",
                "mkdir -p made-inside; touch started; i=0; while [ ! -e go ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; \
                 for f in new-deploy.pem .env made-inside/id_ed25519; do cat \"$f\" || echo \"denied $f\"; done",
            ])
            .spawn()
            .expect("spawn");
        let started = world.ws.join("started");
        let deadline = Instant::now() + Duration::from_secs(60);
        while !started.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        write(&world.ws.join("new-deploy.pem"), PEM_LATE, 0o644);
        write(
            &world.ws.join(".env.next"),
            &format!("API_KEY={PEM_LATE}\n"),
            0o644,
        );
        fs::rename(world.ws.join(".env.next"), world.ws.join(".env")).expect("rename");
        write(&world.ws.join("made-inside/id_ed25519"), PEM_LATE, 0o644);
        // The watcher masks within milliseconds; give it a generous moment.
        std::thread::sleep(Duration::from_millis(1500));
        write(&world.ws.join("go"), "", 0o644);
        let out = wait_for(child, 120, "warden run with late secrets");
        let all = text(&out);
        assert_ok(&out, "warden run");
        assert!(
            !all.contains(PEM_LATE),
            "a late secret was read (daemon: {through_daemon}):\n{all}"
        );
        for f in ["new-deploy.pem", ".env", "made-inside/id_ed25519"] {
            assert!(
                all.contains(&format!("denied {f}")),
                "{f} was not denied (daemon: {through_daemon}):\n{all}"
            );
        }
        let masked = world
            .audit()
            .into_iter()
            .filter(|r| {
                r.to_string()
                    .contains("appeared during the session and is now masked")
            })
            .count();
        assert!(masked >= 3, "each mask is audited: {masked}");
    }
}

#[test]
fn a_governance_file_created_inside_is_reported_when_the_session_ends() {
    if !linux() || !need_run() {
        return;
    }
    for through_daemon in [true, false] {
        let world = World::launching(None, through_daemon);
        // `.vscode/tasks.json` does not exist at start: a read-only mount
        // cannot cover it, so creating it is possible, and reported.
        let out = world.run(
            &[],
            &[
                "sh",
                "-c",
                "mkdir -p .vscode && echo '{\"tasks\":[]}' > .vscode/tasks.json && echo planted",
            ],
            120,
        );
        let all = text(&out);
        assert_ok(&out, "warden run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let wanted = format!(
            "governance path changed during the session: {}",
            world.ws.join(".vscode/tasks.json").display()
        );
        assert!(
            stderr.contains(&wanted),
            "not reported (daemon: {through_daemon}):\n{all}"
        );
        // Through the daemon the record is written as the session ends,
        // just after the front has printed and exited.
        let deadline = Instant::now() + Duration::from_secs(10);
        let audited = loop {
            let found = world
                .audit()
                .iter()
                .any(|r| r.to_string().contains("governance path changed"));
            if found || Instant::now() > deadline {
                break found;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(audited, "not audited (daemon: {through_daemon})");
    }
}

#[test]
fn the_trust_bundle_cannot_be_changed_from_inside() {
    if !linux() || !need_run() {
        return;
    }
    let world = World::launching(None, true);
    // The bundle's directory is in the temp directory, which the sandbox
    // may write: it must not be able to move it, plant a file or a link in
    // it, or rewrite the bundle that later launches trust.
    let out = world.run(
        &[],
        &[
            "sh",
            "-c",
            "d=$(dirname \"$SSL_CERT_FILE\"); \
             mv \"$d\" \"$d.moved\" 2>/dev/null && echo MOVED; \
             ln -s /etc/passwd \"$d/.tmp-x\" 2>/dev/null && echo LINKED; \
             echo evil >> \"$SSL_CERT_FILE\" 2>/dev/null && echo WRITTEN; \
             grep -c 'BEGIN CERTIFICATE' \"$SSL_CERT_FILE\" >/dev/null && echo READABLE",
        ],
        120,
    );
    let all = text(&out);
    assert_ok(&out, "warden run");
    for bad in ["MOVED", "LINKED", "WRITTEN"] {
        assert!(!all.contains(bad), "{bad}:\n{all}");
    }
    assert!(all.contains("READABLE"), "{all}");
    // And the next launch still starts and trusts the same bundle.
    let again = world.run(&[], &["sh", "-c", "echo next"], 120);
    assert_ok(&again, "the next warden run");
}
