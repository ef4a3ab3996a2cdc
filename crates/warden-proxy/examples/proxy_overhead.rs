//! Per-request overhead of the proxy on loopback.
//!
//! Runs many sequential keep-alive GETs against a local server, directly
//! and through the proxy, and prints the median and 90th percentile of each
//! and the median overhead in microseconds:
//!
//! * plain HTTP: direct vs an absolute-form request through the proxy
//!   (authenticated, decided, URL and headers scanned);
//! * HTTPS through an opaque `CONNECT` tunnel vs direct HTTPS;
//! * HTTPS to a brokered host, intercepted by the proxy (TLS terminated,
//!   decided by method and path, DLP, TLS re-originated) vs direct HTTPS.
//!
//! Run with `cargo run --release -p warden-proxy --example proxy_overhead
//! [-- REQUESTS]`.

use std::convert::Infallible;
use std::io::{BufRead as _, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use warden_proxy::{
    proxy_authorization, CredentialBroker, EgressDecider, EgressRequest, HostPattern,
    InjectedCredential, LocalCa, Proxy, ProxyAuth, ProxyConfig, SecretString, TokenMap,
    UpstreamRoots, Verdict,
};

struct AllowAll;
impl EgressDecider for AllowAll {
    fn decide(&self, _: &EgressRequest) -> Verdict {
        Verdict::Allow
    }
}

/// Holds one known secret (so DLP has work to do) and grants nothing.
struct OneSecret;
impl CredentialBroker for OneSecret {
    fn credential_for(&self, _: &EgressRequest) -> Option<InjectedCredential> {
        None
    }
    fn known_secrets(&self) -> Vec<SecretString> {
        vec![SecretString::new("ghp_benchmarkTokenValue0123456789abcdef")]
    }
}

type Error = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), Error> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;

    // Upstream PKI and servers.
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::default();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "bench upstream CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate()?;
    let leaf =
        CertificateParams::new(vec!["localhost".to_string()])?.signed_by(&leaf_key, &issuer)?;
    let upstream_ca: CertificateDer<'static> = ca_cert.der().clone();

    let http_addr = rt.block_on(serve_plain())?;
    let https_addr = rt.block_on(serve_tls(leaf.der().clone(), leaf_key.serialize_der()))?;

    // The proxy: authenticated, localhost brokered only on demand below.
    let dir = std::env::temp_dir().join(format!("warden-proxy-bench-{}", std::process::id()));
    let ca = Arc::new(LocalCa::load_or_create(&dir)?);
    let mut tokens = TokenMap::new();
    tokens.insert("bench", SecretString::new("bench-token"));
    let auth = proxy_authorization("bench", &SecretString::new("bench-token"));
    let base = ProxyConfig {
        auth: ProxyAuth::Required(Arc::new(tokens)),
        ca: Some(ca.clone()),
        upstream_roots: UpstreamRoots::only(vec![upstream_ca.clone()]),
        allow_private_destinations: true,
        ..ProxyConfig::default()
    };
    // One proxy tunnels (nothing brokered); the other intercepts localhost.
    let tunnelling = Proxy::bind(ProxyConfig { ..base.clone() }, AllowAll, OneSecret)?;
    let intercepting = Proxy::bind(
        ProxyConfig {
            brokered_hosts: vec![HostPattern::parse("localhost")?],
            ..base
        },
        AllowAll,
        OneSecret,
    )?;

    println!("{n} sequential keep-alive GETs per case (after 200 warm-up requests)\n");
    println!(
        "{:<44} {:>10} {:>10} {:>12}",
        "case", "median µs", "p90 µs", "overhead µs"
    );

    // 1. Plain HTTP.
    let direct_req = format!("GET /bench HTTP/1.1\r\nHost: {http_addr}\r\n\r\n");
    let proxied_req = format!("GET http://{http_addr}/bench HTTP/1.1\r\nHost: {http_addr}\r\nProxy-Authorization: {}\r\n\r\n", auth.expose());
    let direct = measure(&mut tcp(http_addr)?, direct_req.as_bytes(), n)?;
    let proxied = measure(&mut tcp(tunnelling.addr())?, proxied_req.as_bytes(), n)?;
    report("plain HTTP, direct", &direct, None);
    report("plain HTTP, through the proxy", &proxied, Some(&direct));

    // 2 and 3. HTTPS.
    let https_req = format!(
        "GET /bench HTTP/1.1\r\nHost: localhost:{}\r\n\r\n",
        https_addr.port()
    );
    let direct_tls = measure(
        &mut tls(tcp(https_addr)?, &upstream_ca)?,
        https_req.as_bytes(),
        n,
    )?;
    report("HTTPS, direct", &direct_tls, None);
    let target = format!("localhost:{}", https_addr.port());
    let tunnel = connect(tunnelling.addr(), &target, auth.expose())?;
    let tunnelled = measure(&mut tls(tunnel, &upstream_ca)?, https_req.as_bytes(), n)?;
    report(
        "HTTPS, opaque CONNECT tunnel",
        &tunnelled,
        Some(&direct_tls),
    );
    let tunnel = connect(intercepting.addr(), &target, auth.expose())?;
    let intercepted = measure(&mut tls(tunnel, ca.cert_der())?, https_req.as_bytes(), n)?;
    report(
        "HTTPS, intercepted (brokered host, DLP)",
        &intercepted,
        Some(&direct_tls),
    );

    tunnelling.shutdown();
    intercepting.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

async fn serve_plain() -> Result<SocketAddr, Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let _ = tcp.set_nodelay(true);
            tokio::spawn(async move {
                let svc = service_fn(|_req| async {
                    Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from_static(
                        b"hello from upstream\n",
                    ))))
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), svc)
                    .await;
            });
        }
    });
    Ok(addr)
}

async fn serve_tls(cert: CertificateDer<'static>, key: Vec<u8>) -> Result<SocketAddr, Error> {
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(
        vec![cert],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)),
    )?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let _ = tcp.set_nodelay(true);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = service_fn(|_req| async {
                    Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from_static(
                        b"hello from upstream\n",
                    ))))
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    Ok(addr)
}

fn tcp(addr: SocketAddr) -> Result<TcpStream, Error> {
    let s = TcpStream::connect(addr)?;
    s.set_nodelay(true)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    Ok(s)
}

fn connect(proxy: SocketAddr, target: &str, auth: &str) -> Result<TcpStream, Error> {
    let mut s = tcp(proxy)?;
    write!(
        s,
        "CONNECT {target} HTTP/1.1\r\nHost: {target}\r\nProxy-Authorization: {auth}\r\n\r\n"
    )?;
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if s.read(&mut b)? == 0 {
            return Err("proxy closed the CONNECT".into());
        }
        head.push(b[0]);
    }
    if !head.starts_with(b"HTTP/1.1 200") {
        return Err(format!("CONNECT refused: {}", String::from_utf8_lossy(&head)).into());
    }
    Ok(s)
}

fn tls(
    s: TcpStream,
    root: &CertificateDer<'static>,
) -> Result<rustls::StreamOwned<rustls::ClientConnection, TcpStream>, Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(root.clone())?;
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let conn = rustls::ClientConnection::new(Arc::new(config), ServerName::try_from("localhost")?)?;
    Ok(rustls::StreamOwned::new(conn, s))
}

/// Sends `req` `n` times (after a warm-up) on one connection; the latency of
/// each exchange.
fn measure<S: Read + Write>(stream: &mut S, req: &[u8], n: usize) -> Result<Vec<Duration>, Error> {
    let mut reader = BufReader::new(Rw(stream));
    let mut out = Vec::with_capacity(n);
    for i in 0..n + 200 {
        let start = Instant::now();
        reader.get_mut().0.write_all(req)?;
        reader.get_mut().0.flush()?;
        let mut content_length = 0usize;
        let mut line = String::new();
        let mut first = true;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Err("connection closed".into());
            }
            if first {
                if !line.starts_with("HTTP/1.1 200") {
                    return Err(format!("unexpected status: {line}").into());
                }
                first = false;
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.trim().parse()?;
                }
            }
        }
        let mut body = vec![0u8; content_length];
        reader.read_exact(&mut body)?;
        if i >= 200 {
            out.push(start.elapsed());
        }
    }
    Ok(out)
}

struct Rw<'a, S>(&'a mut S);
impl<S: Read> Read for Rw<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

fn percentile(samples: &[Duration], p: f64) -> f64 {
    let mut v: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e6).collect();
    v.sort_by(|a, b| a.total_cmp(b));
    let idx = ((v.len() as f64 - 1.0) * p).round() as usize;
    v.get(idx).copied().unwrap_or(f64::NAN)
}

fn report(name: &str, samples: &[Duration], baseline: Option<&[Duration]>) {
    let median = percentile(samples, 0.5);
    let overhead = baseline
        .map(|b| format!("{:>12.1}", median - percentile(b, 0.5)))
        .unwrap_or_default();
    println!(
        "{name:<44} {median:>10.1} {:>10.1} {overhead}",
        percentile(samples, 0.9)
    );
}
