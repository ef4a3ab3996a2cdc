//! A real `git push` over HTTPS through the proxy to a real git
//! smart-HTTP server (`git http-backend` behind a local HTTPS server that,
//! like a forge, wants a token for pushes). The push fails without a grant,
//! succeeds with one (the token never leaves the proxy), and a push that
//! commits the token itself is blocked even with the grant.

mod common;

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::Bytes;
use common::*;
use http::{Request, Response};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use warden_proxy::*;

struct GitBroker {
    granted: AtomicBool,
}

impl CredentialBroker for GitBroker {
    fn credential_for(&self, r: &EgressRequest) -> Option<InjectedCredential> {
        let path = r.path.as_deref().unwrap_or("");
        (self.granted.load(Ordering::SeqCst) && path.contains("git-receive-pack")).then(|| {
            InjectedCredential::Basic {
                user: "x-access-token".into(),
                password: SecretString::new(REAL_TOKEN),
            }
        })
    }
    fn known_secrets(&self) -> Vec<SecretString> {
        vec![SecretString::new(REAL_TOKEN)]
    }
}

fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs `git http-backend` as a CGI for one request.
async fn git_backend(
    root: PathBuf,
    pushes: Arc<AtomicUsize>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    if path.ends_with("/git-receive-pack") || query.contains("service=git-receive-pack") {
        let expected = format!(
            "Basic {}",
            STANDARD.encode(format!("x-access-token:{REAL_TOKEN}"))
        );
        if parts.headers.get("authorization").map(|v| v.as_bytes()) != Some(expected.as_bytes()) {
            let mut r = Response::new(Full::new(Bytes::from_static(b"authentication required\n")));
            *r.status_mut() = http::StatusCode::UNAUTHORIZED;
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
    let mut r = Response::new(Full::new(Bytes::from(body)));
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

async fn git_server(pki: &TestPki, root: PathBuf, pushes: Arc<AtomicUsize>) -> u16 {
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(
        vec![pki.leaf_der.clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.leaf_key_der.clone())),
    )
    .expect("cert");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, root, pushes) = (acceptor.clone(), root.clone(), pushes.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = service_fn(move |req| git_backend(root.clone(), pushes.clone(), req));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    port
}

/// Runs git with only the variables a sandboxed git would have.
fn git(dir: &Path, home: &Path, proxy: &str, ca: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("HTTPS_PROXY", proxy)
        .env("GIT_SSL_CAINFO", ca)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "agent")
        .env("GIT_AUTHOR_EMAIL", "agent@example.com")
        .env("GIT_COMMITTER_NAME", "agent")
        .env("GIT_COMMITTER_EMAIL", "agent@example.com")
        .output()
        .expect("git runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_push_needs_a_grant_and_never_carries_the_token_itself() {
    if !git_available() {
        eprintln!("git is not installed; skipping");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("forge");
    std::fs::create_dir_all(&root).expect("mkdir");
    let bare = root.join("repo.git");
    assert!(Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(&bare)
        .status()
        .expect("init")
        .success());
    assert!(Command::new("git")
        .arg("--git-dir")
        .arg(&bare)
        .args(["config", "http.receivepack", "true"])
        .status()
        .expect("config")
        .success());
    let pki = test_pki();
    let pushes = Arc::new(AtomicUsize::new(0));
    let port = git_server(&pki, root.clone(), pushes.clone()).await;

    let ca = Arc::new(LocalCa::load_or_create(tmp.path().join("ca")).expect("CA"));
    let broker = Arc::new(GitBroker {
        granted: AtomicBool::new(false),
    });
    let decider = Arc::new(TestDecider::default());
    let config = ProxyConfig {
        auth: ProxyAuth::Required(Arc::new(token_map())),
        brokered_hosts: vec![HostPattern::parse("localhost").expect("pattern")],
        ca: Some(ca.clone()),
        upstream_roots: UpstreamRoots::only(vec![pki.ca_der.clone()]),
        scanner: Some(Arc::new(test_scanner) as Arc<dyn SecretScanner>),
        allow_private_destinations: true,
        ..ProxyConfig::default()
    };
    let proxy = Proxy::bind(config, decider.clone(), broker.clone()).expect("proxy");
    let proxy_url = proxy
        .proxy_url(SESSION, &SecretString::new(SESSION_TOKEN))
        .expose()
        .to_string();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let work = tmp.path().join("work");
    let url = format!("https://localhost:{port}/repo.git");
    let ca_path = ca.cert_path();

    let (ok, out) = {
        let (tmp_path, home, work, ca_path, proxy_url, broker) = (
            tmp.path().to_path_buf(),
            home.clone(),
            work.clone(),
            ca_path.clone(),
            proxy_url.clone(),
            broker.clone(),
        );
        tokio::task::spawn_blocking(move || {
            let g = |dir: &Path, args: &[&str]| git(dir, &home, &proxy_url, &ca_path, args);
            let (ok, out) = g(&tmp_path, &["clone", "-q", &url, "work"]);
            assert!(ok, "clone through the proxy: {out}");
            std::fs::write(work.join("README.md"), "hello\n").expect("write");
            assert!(g(&work, &["add", "."]).0);
            assert!(g(&work, &["commit", "-qm", "first"]).0);
            // No grant: the forge answers 401 and git has no credential.
            let (ok, out) = g(&work, &["push", "-q", "origin", "HEAD:refs/heads/main"]);
            assert!(!ok, "a push without a grant must fail: {out}");
            assert!(
                out.contains("could not read Username"),
                "it fails for want of a credential: {out}"
            );
            // Granted: the proxy injects the token; git never had it.
            broker.granted.store(true, Ordering::SeqCst);
            let (ok, out) = g(&work, &["push", "-q", "origin", "HEAD:refs/heads/main"]);
            assert!(ok, "a granted push must succeed: {out}");
            // Committing the token itself is blocked even with the grant.
            std::fs::write(
                work.join("config.js"),
                format!("export const token = \"{REAL_TOKEN}\";\n"),
            )
            .expect("write");
            assert!(g(&work, &["add", "."]).0);
            assert!(g(&work, &["commit", "-qm", "oops"]).0);
            g(&work, &["push", "-q", "origin", "HEAD:refs/heads/main"])
        })
        .await
        .expect("join")
    };
    assert!(!ok, "a push carrying the token must be blocked: {out}");
    assert!(out.contains("403"), "{out}");
    assert!(!out.contains(REAL_TOKEN));
    // Exactly one push reached the forge; its main has only the first commit.
    assert_eq!(pushes.load(Ordering::SeqCst), 1);
    let log = Command::new("git")
        .arg("--git-dir")
        .arg(&bare)
        .args(["log", "--format=%s", "main"])
        .output()
        .expect("log");
    assert_eq!(String::from_utf8_lossy(&log.stdout).trim(), "first");
    let records = decider.records();
    assert!(records.iter().any(|(r, v, _)| !v.is_allow()
        && r.path
            .as_deref()
            .is_some_and(|p| p.ends_with("/git-receive-pack"))));
    assert!(records.iter().any(|(_, _, o)| *o
        == Outcome::Forwarded {
            status: 200,
            credential_injected: true
        }));
}
