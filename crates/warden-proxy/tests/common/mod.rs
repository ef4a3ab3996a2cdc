//! Test fixtures: real upstream servers on loopback (plain HTTP and HTTPS
//! with their own CA), a recording decider, a broker, and a raw HTTP/1.1
//! client that talks to the proxy over real sockets.

#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, Response};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use warden_proxy::*;

/// What an upstream saw of one request.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// A running upstream.
pub struct Upstream {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Upstream {
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

async fn handle(
    seen: Arc<Mutex<Vec<Seen>>>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let reply = format!("ok {} {} {}", parts.method, path, body.len());
    seen.lock().expect("lock").push(Seen {
        method: parts.method.to_string(),
        path,
        headers: parts.headers,
        body,
    });
    Ok(Response::new(Full::new(Bytes::from(reply))))
}

/// A plain HTTP/1.1 upstream on 127.0.0.1.
pub async fn http_upstream() -> Upstream {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let _ = tcp.set_nodelay(true);
            let s = s.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req| handle(s.clone(), req));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), svc)
                    .await;
            });
        }
    });
    Upstream { addr, seen }
}

/// A test CA and a leaf for `localhost` / 127.0.0.1 signed by it.
pub struct TestPki {
    pub ca_der: CertificateDer<'static>,
    pub leaf_der: CertificateDer<'static>,
    pub leaf_key_der: Vec<u8>,
}

pub fn test_pki() -> TestPki {
    let ca_key = KeyPair::generate().expect("key");
    let mut ca_params = CertificateParams::default();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "upstream test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).expect("ca");
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().expect("key");
    let mut leaf_params = CertificateParams::new(vec!["localhost".to_string()]).expect("params");
    leaf_params
        .subject_alt_names
        .push(SanType::IpAddress("127.0.0.1".parse().expect("ip")));
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).expect("leaf");
    TestPki {
        ca_der: ca_cert.der().clone(),
        leaf_der: leaf.der().clone(),
        leaf_key_der: leaf_key.serialize_der(),
    }
}

/// An HTTPS upstream on 127.0.0.1 presenting the test PKI's leaf.
pub async fn https_upstream(pki: &TestPki) -> Upstream {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
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
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let _ = tcp.set_nodelay(true);
            let s = s.clone();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = service_fn(move |req| handle(s.clone(), req));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    Upstream { addr, seen }
}

/// A decider with fixed rules that records every outcome.
#[derive(Default)]
pub struct TestDecider {
    pub decided: Mutex<Vec<EgressRequest>>,
    pub records: Mutex<Vec<(EgressRequest, Verdict, Outcome)>>,
    pub panic_on_path: Option<String>,
}

impl EgressDecider for TestDecider {
    fn decide(&self, r: &EgressRequest) -> Verdict {
        self.decided.lock().expect("lock").push(r.clone());
        let path = r.path.as_deref().unwrap_or("");
        if let Some(p) = &self.panic_on_path {
            if path.starts_with(p.as_str()) {
                panic!("test decider panics");
            }
        }
        if r.host.starts_with("denied") {
            return Verdict::deny(format!("host {} is not allowed", r.host));
        }
        if r.method.as_deref() == Some("DELETE") || path.starts_with("/admin") {
            return Verdict::deny("destructive call refused by policy");
        }
        Verdict::Allow
    }
    fn record(&self, r: &EgressRequest, v: &Verdict, o: &Outcome) {
        self.records
            .lock()
            .expect("lock")
            .push((r.clone(), v.clone(), o.clone()));
    }
}

impl TestDecider {
    pub fn records(&self) -> Vec<(EgressRequest, Verdict, Outcome)> {
        self.records.lock().expect("lock").clone()
    }
    /// Waits until `pred` holds for the records (tunnels are recorded when
    /// they close).
    pub async fn wait_for(
        &self,
        pred: impl Fn(&[(EgressRequest, Verdict, Outcome)]) -> bool,
    ) -> Vec<(EgressRequest, Verdict, Outcome)> {
        for _ in 0..200 {
            let r = self.records();
            if pred(&r) {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("condition never held; records: {:#?}", self.records());
    }
}

pub const REAL_TOKEN: &str = "ghp_RealBrokeredToken0123456789abcdefXYZ";
pub const PLACEHOLDER: &str = "warden-placeholder-7f3a9c2e";

/// A broker holding one token: granted for paths under `/granted`, swapped
/// for the placeholder under `/placeholder`, nothing elsewhere.
pub struct TestBroker;

impl CredentialBroker for TestBroker {
    fn credential_for(&self, r: &EgressRequest) -> Option<InjectedCredential> {
        let path = r.path.as_deref().unwrap_or("");
        if path.starts_with("/granted") {
            Some(InjectedCredential::Bearer(SecretString::new(REAL_TOKEN)))
        } else if path.starts_with("/placeholder") {
            Some(InjectedCredential::ReplacePlaceholder {
                placeholder: PLACEHOLDER.into(),
                value: SecretString::new(REAL_TOKEN),
            })
        } else if path.starts_with("/basic") {
            Some(InjectedCredential::Basic {
                user: "x-access-token".into(),
                password: SecretString::new(REAL_TOKEN),
            })
        } else {
            None
        }
    }
    fn known_secrets(&self) -> Vec<SecretString> {
        vec![SecretString::new(REAL_TOKEN)]
    }
}

pub const SESSION: &str = "sess-1";
pub const SESSION_TOKEN: &str = "proxy-token-abc";

pub fn token_map() -> TokenMap {
    let mut m = TokenMap::new();
    m.insert(SESSION, SecretString::new(SESSION_TOKEN));
    m
}

pub fn auth_header() -> String {
    proxy_authorization(SESSION, &SecretString::new(SESSION_TOKEN))
        .expose()
        .to_string()
}

/// A scanner that flags AWS-style access key ids.
pub fn test_scanner(data: &[u8]) -> Option<String> {
    data.windows(20)
        .any(|w| {
            w.starts_with(b"AKIA")
                && w[4..]
                    .iter()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
        .then(|| "aws-access-key-id".to_string())
}

/// A parsed response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Reads one response head from `s` (byte by byte, so nothing after it is
/// consumed).
pub async fn read_head<S: AsyncRead + Unpin>(s: &mut S) -> (u16, Vec<(String, String)>) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut byte))
            .await
            .expect("timely")
            .expect("read");
        assert!(
            n == 1,
            "connection closed inside a response head: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    (status, headers)
}

/// Sends raw request bytes and reads a response framed by Content-Length
/// or chunked encoding.
pub async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(s: &mut S, request: &[u8]) -> Resp {
    s.write_all(request).await.expect("write");
    s.flush().await.expect("flush");
    read_response(s).await
}

pub async fn read_response<S: AsyncRead + Unpin>(s: &mut S) -> Resp {
    let (status, headers) = read_head(s).await;
    let find = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if let Some(len) = find("content-length") {
        let len: usize = len.parse().expect("length");
        body.resize(len, 0);
        tokio::time::timeout(Duration::from_secs(10), s.read_exact(&mut body))
            .await
            .expect("timely")
            .expect("body");
    } else if find("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        loop {
            let mut line = Vec::new();
            let mut b = [0u8; 1];
            while !line.ends_with(b"\r\n") {
                s.read_exact(&mut b).await.expect("chunk size");
                line.push(b[0]);
            }
            let size =
                usize::from_str_radix(String::from_utf8_lossy(&line).trim(), 16).expect("hex");
            let mut chunk = vec![0u8; size + 2];
            s.read_exact(&mut chunk).await.expect("chunk");
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    }
    Resp {
        status,
        headers,
        body,
    }
}

/// Opens a `CONNECT` to `target` through the proxy; returns the response
/// head and the stream.
pub async fn connect_via(
    proxy_port: u16,
    target: &str,
    auth: Option<&str>,
) -> (u16, Vec<(String, String)>, TcpStream) {
    let mut s = TcpStream::connect(("127.0.0.1", proxy_port))
        .await
        .expect("connect to the proxy");
    let mut req = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
    if let Some(a) = auth {
        req.push_str(&format!("Proxy-Authorization: {a}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.expect("write");
    let (status, headers) = read_head(&mut s).await;
    (status, headers, s)
}

/// A TLS client over `s` trusting only `roots`.
pub async fn tls_over(
    s: TcpStream,
    roots: &[CertificateDer<'static>],
    name: &str,
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let mut store = rustls::RootCertStore::empty();
    for r in roots {
        store.add(r.clone()).expect("root");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(store)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    connector
        .connect(ServerName::try_from(name.to_string()).expect("name"), s)
        .await
        .expect("TLS handshake")
}

/// Starts a proxy with the standard test configuration.
pub fn start_proxy(
    decider: Arc<TestDecider>,
    brokered: &[&str],
    upstream_ca: Option<&CertificateDer<'static>>,
    ca_dir: Option<&std::path::Path>,
    tweak: impl FnOnce(&mut ProxyConfig),
) -> (RunningProxy, Option<Arc<LocalCa>>) {
    let ca = ca_dir.map(|d| Arc::new(LocalCa::load_or_create(d).expect("CA")));
    let mut config = ProxyConfig {
        auth: ProxyAuth::Required(Arc::new(token_map())),
        brokered_hosts: brokered
            .iter()
            .map(|h| HostPattern::parse(h).expect("pattern"))
            .collect(),
        ca: ca.clone(),
        upstream_roots: UpstreamRoots::only(upstream_ca.into_iter().cloned().collect()),
        scanner: Some(Arc::new(test_scanner) as Arc<dyn SecretScanner>),
        allow_private_destinations: true,
        ..ProxyConfig::default()
    };
    tweak(&mut config);
    let proxy = Proxy::bind(config, decider, TestBroker).expect("proxy starts");
    (proxy, ca)
}
