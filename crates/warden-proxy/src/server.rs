//! The listener, the first request of each connection, `CONNECT` tunnels
//! and TLS interception.

use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::{BuildHasher as _, Hash as _, Hasher as _};
use std::net::SocketAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use crate::config::{ProxyAuth, ProxyConfig};
use crate::credentials::{CredentialBroker, InjectedCredential, SecretString};
use crate::decision::{EgressDecider, EgressRequest, Outcome, Scheme, Verdict};
use crate::dlp::{KnownSecrets, SecretScanner};
use crate::forward::{serve_http, Mode};
use crate::head::{parse_head, parse_proxy_authorization, HeadError, HeadStatus, RequestHead};
use crate::hosts::parse_authority;
use crate::io::{ActivityClock, Counted, Prefixed};
use crate::net::{self, ConnectError};

/// Errors starting the proxy.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// The configuration cannot work.
    #[error("invalid proxy configuration: {0}")]
    Config(String),
    /// Binding the listener or starting the runtime failed.
    #[error("{action}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The destination roots could not be loaded.
    #[error(transparent)]
    Roots(#[from] crate::tls::RootsError),
}

/// A refusal the proxy answers itself: a status and a one-line reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub status: u16,
    pub reason: String,
}

impl Refusal {
    pub(crate) fn new(status: u16, reason: impl Into<String>) -> Self {
        Refusal {
            status,
            reason: reason.into(),
        }
    }
}

/// What every connection shares: configuration, the caller's hooks, TLS.
pub(crate) struct Shared {
    pub config: ProxyConfig,
    pub decider: Arc<dyn EgressDecider>,
    pub broker: Arc<dyn CredentialBroker>,
    /// The TLS client for destinations, built on first use: loading the
    /// system's roots costs milliseconds that a launch should not wait for.
    pub connector: std::sync::OnceLock<Option<TlsConnector>>,
    /// The matcher for the broker's current known secrets.
    pub known_cache: Mutex<Option<(KnownStamp, Arc<KnownSecrets>)>>,
    /// The random key of the hash that stamps a set of known secrets.
    pub known_hasher: RandomState,
}

impl Shared {
    /// The TLS client for destinations (None without brokered hosts, or
    /// when no root could be loaded: every such connection then fails
    /// closed with a 502).
    pub(crate) fn connector(&self) -> Option<TlsConnector> {
        self.connector
            .get_or_init(|| {
                if self.config.brokered_hosts.is_empty() {
                    return None;
                }
                self.config
                    .upstream_roots
                    .client_config()
                    .ok()
                    .map(TlsConnector::from)
            })
            .clone()
    }
}

/// Identifies a set of known secrets: keyed hash, count, total length.
pub(crate) type KnownStamp = (u64, usize, usize);

impl Shared {
    /// The decider's verdict; a panic is a deny.
    pub(crate) fn decide(&self, request: &EgressRequest) -> Verdict {
        catch_unwind(AssertUnwindSafe(|| self.decider.decide(request)))
            .unwrap_or_else(|_| Verdict::deny("the egress decider failed (panic); denied"))
    }

    /// Reports an outcome; a panic in the hook is ignored.
    pub(crate) fn record(&self, request: &EgressRequest, verdict: &Verdict, outcome: Outcome) {
        let _ = catch_unwind(AssertUnwindSafe(|| {
            self.decider.record(request, verdict, &outcome)
        }));
    }

    /// Records a refusal as a deny.
    pub(crate) fn record_refusal(&self, request: &EgressRequest, refusal: &Refusal) {
        self.record(
            request,
            &Verdict::deny(refusal.reason.clone()),
            Outcome::Refused {
                status: refusal.status,
            },
        );
    }

    /// The broker's known secrets as a matcher, rebuilt only when the set
    /// of values changes; a panic is a refusal.
    pub(crate) fn known_secrets(&self) -> Result<Arc<KnownSecrets>, Refusal> {
        let secrets = catch_unwind(AssertUnwindSafe(|| self.broker.known_secrets()))
            .map_err(|_| Refusal::new(403, "the credential broker failed (panic); denied"))?;
        // A keyed hash of the values (never stored or shown), their count and
        // total length identify the set.
        let mut h = self.known_hasher.build_hasher();
        let mut total = 0usize;
        for s in &secrets {
            s.expose().hash(&mut h);
            total += s.len();
        }
        let stamp = (h.finish(), secrets.len(), total);
        if let Ok(cache) = self.known_cache.lock() {
            if let Some((st, k)) = cache.as_ref() {
                if *st == stamp {
                    return Ok(k.clone());
                }
            }
        }
        let known = Arc::new(KnownSecrets::new(&secrets));
        if let Ok(mut cache) = self.known_cache.lock() {
            *cache = Some((stamp, known.clone()));
        }
        Ok(known)
    }

    /// The broker's credential for a request; a panic is a refusal.
    pub(crate) fn credential_for(
        &self,
        request: &EgressRequest,
    ) -> Result<Option<InjectedCredential>, Refusal> {
        catch_unwind(AssertUnwindSafe(|| self.broker.credential_for(request)))
            .map_err(|_| Refusal::new(403, "the credential broker failed (panic); denied"))
    }

    /// Runs the caller's scanner; a panic is a refusal.
    pub(crate) fn scan(&self, data: &[u8]) -> Result<Option<String>, Refusal> {
        match &self.config.scanner {
            None => Ok(None),
            Some(s) => {
                let s: &dyn SecretScanner = s.as_ref();
                catch_unwind(AssertUnwindSafe(|| s.scan(data)))
                    .map_err(|_| Refusal::new(403, "the secret scanner failed (panic); denied"))
            }
        }
    }

    /// Checks proxy authentication from the `Proxy-Authorization` values of
    /// a request: the session, or a 407 refusal.
    pub(crate) fn authenticate<'a>(
        &self,
        mut values: impl Iterator<Item = &'a [u8]>,
    ) -> Result<Option<String>, Refusal> {
        let ProxyAuth::Required(verifier) = &self.config.auth else {
            return Ok(None);
        };
        let refuse = |why: &str| Refusal::new(407, why.to_string());
        let value = values
            .next()
            .ok_or_else(|| refuse("proxy authentication required"))?;
        if values.next().is_some() {
            return Err(refuse("more than one Proxy-Authorization header"));
        }
        let creds = parse_proxy_authorization(value)
            .ok_or_else(|| refuse("malformed proxy credentials"))?;
        let ok = catch_unwind(AssertUnwindSafe(|| {
            verifier.verify(&creds.session, creds.token.expose())
        }))
        .unwrap_or(false);
        if ok {
            Ok(Some(creds.session))
        } else {
            Err(refuse("invalid proxy credentials"))
        }
    }
}

/// The governed egress proxy. Build it with [`Proxy::new`] and run it with
/// [`Proxy::serve`] inside a tokio runtime, or start it on its own thread
/// and runtime with [`Proxy::bind`].
#[derive(Clone)]
pub struct Proxy {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl Proxy {
    /// Checks the configuration and prepares TLS. Fails when the listen
    /// address is not loopback, when brokered hosts are configured without
    /// a CA, or when no root can verify brokered destinations.
    pub fn new(
        config: ProxyConfig,
        decider: impl EgressDecider,
        broker: impl CredentialBroker,
    ) -> Result<Self, ProxyError> {
        if !config.listen.ip().is_loopback() {
            return Err(ProxyError::Config(format!(
                "the proxy listens on loopback only, not {}",
                config.listen
            )));
        }
        if config.limits.max_head_bytes < 1024 {
            return Err(ProxyError::Config(
                "max_head_bytes must be at least 1024".into(),
            ));
        }
        if !config.brokered_hosts.is_empty() {
            if config.ca.is_none() {
                return Err(ProxyError::Config("brokered hosts need a local CA".into()));
            }
            if !config.upstream_roots.system && config.upstream_roots.extra.is_empty() {
                return Err(crate::tls::RootsError::Empty.into());
            }
        }
        let connector = std::sync::OnceLock::new();
        Ok(Proxy {
            shared: Arc::new(Shared {
                config,
                decider: Arc::new(decider),
                broker: Arc::new(broker),
                connector,
                known_cache: Mutex::new(None),
                known_hasher: RandomState::new(),
            }),
        })
    }

    /// Binds the configured address and serves on a runtime of its own, on
    /// a thread of its own, until [`RunningProxy::shutdown`] (or drop). For
    /// callers that are not async.
    pub fn bind(
        config: ProxyConfig,
        decider: impl EgressDecider,
        broker: impl CredentialBroker,
    ) -> Result<RunningProxy, ProxyError> {
        let std_listener =
            std::net::TcpListener::bind(config.listen).map_err(|source| ProxyError::Io {
                action: "bind the proxy listener",
                source,
            })?;
        Proxy::serve_on(std_listener, config, decider, broker)
    }

    /// Like [`Proxy::bind`], on a listener bound beforehand (connections
    /// made since wait in its backlog). `config.listen` is not used; the
    /// listener must be on a loopback address.
    pub fn serve_on(
        std_listener: std::net::TcpListener,
        mut config: ProxyConfig,
        decider: impl EgressDecider,
        broker: impl CredentialBroker,
    ) -> Result<RunningProxy, ProxyError> {
        config.listen = std_listener.local_addr().map_err(|source| ProxyError::Io {
            action: "read the proxy's address",
            source,
        })?;
        let workers = config.worker_threads.max(1);
        let proxy = Proxy::new(config, decider, broker)?;
        std_listener
            .set_nonblocking(true)
            .map_err(|source| ProxyError::Io {
                action: "configure the proxy listener",
                source,
            })?;
        let addr = std_listener.local_addr().map_err(|source| ProxyError::Io {
            action: "read the proxy's address",
            source,
        })?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("warden-proxy")
            .enable_all()
            .build()
            .map_err(|source| ProxyError::Io {
                action: "start the proxy runtime",
                source,
            })?;
        let (tx, rx) = oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), std::io::Error>>();
        let thread = std::thread::Builder::new()
            .name("warden-proxy".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match TcpListener::from_std(std_listener) {
                        Ok(l) => {
                            let _ = ready_tx.send(Ok(()));
                            l
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    proxy
                        .serve(listener, async {
                            let _ = rx.await;
                        })
                        .await;
                });
                runtime.shutdown_timeout(Duration::from_secs(1));
            })
            .map_err(|source| ProxyError::Io {
                action: "start the proxy thread",
                source,
            })?;
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(source)) => {
                return Err(ProxyError::Io {
                    action: "register the proxy listener",
                    source,
                })
            }
            Err(_) => {
                return Err(ProxyError::Config(
                    "the proxy thread stopped at start".into(),
                ))
            }
        }
        Ok(RunningProxy {
            addr,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// Serves connections from `listener` until `shutdown` completes; then
    /// stops accepting and closes every open connection.
    pub async fn serve(self, listener: TcpListener, shutdown: impl Future<Output = ()>) {
        let mut tasks = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    match accepted {
                        Ok((stream, _peer)) => {
                            let shared = self.shared.clone();
                            tasks.spawn(handle_connection(shared, stream));
                        }
                        // Out of file descriptors and similar: back off briefly.
                        Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                    }
                    while tasks.try_join_next().is_some() {}
                }
                () = &mut shutdown => break,
            }
        }
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
}

/// A proxy running on its own thread; shut down on [`RunningProxy::shutdown`]
/// or drop.
#[derive(Debug)]
pub struct RunningProxy {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningProxy {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The URL for `HTTP_PROXY` / `HTTPS_PROXY` in the sandbox, carrying the
    /// session's proxy credentials (so it is itself a secret).
    pub fn proxy_url(&self, session: &str, token: &SecretString) -> SecretString {
        proxy_url(self.addr, session, token)
    }

    /// Stops accepting, closes every connection and joins the thread.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for RunningProxy {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `http://SESSION:TOKEN@ADDR`, with the user and password percent-encoded.
pub fn proxy_url(addr: SocketAddr, session: &str, token: &SecretString) -> SecretString {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }
    SecretString::new(format!(
        "http://{}:{}@{}",
        enc(session),
        enc(token.expose()),
        addr
    ))
}

/// The `Proxy-Authorization` value for a session (for clients built by hand).
pub fn proxy_authorization(session: &str, token: &SecretString) -> SecretString {
    let creds = zeroize::Zeroizing::new(format!("{session}:{}", token.expose()));
    SecretString::new(format!("Basic {}", STANDARD.encode(creds.as_bytes())))
}

/// A request that could not be read well enough to name its destination.
pub(crate) fn unnamed_request(scheme: Scheme, session: Option<String>) -> EgressRequest {
    EgressRequest {
        session,
        scheme,
        host: String::new(),
        port: 0,
        method: None,
        path: None,
        intercepted: false,
    }
}

async fn handle_connection(shared: Arc<Shared>, mut tcp: TcpStream) {
    let _ = tcp.set_nodelay(true);
    let limit = shared.config.limits.max_head_bytes;
    let mut buf = BytesMut::with_capacity(4096);
    let deadline = tokio::time::Instant::now() + shared.config.timeouts.head;
    let (head, len) = loop {
        match parse_head(&buf, limit) {
            Ok(HeadStatus::Complete { head, len }) => break (head, len),
            Ok(HeadStatus::Partial) => {}
            Err(e) => {
                let status = match e {
                    HeadError::TooLarge { .. } | HeadError::TooManyHeaders => 431,
                    HeadError::Malformed(_) => 400,
                };
                let refusal = Refusal::new(status, e.to_string());
                shared.record_refusal(&unnamed_request(Scheme::Http, None), &refusal);
                write_refusal(&mut tcp, &refusal).await;
                return;
            }
        }
        if buf.capacity() - buf.len() < 1024 {
            buf.reserve(4096);
        }
        match tokio::time::timeout_at(deadline, tcp.read_buf(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                if !buf.is_empty() {
                    let refusal = Refusal::new(400, "connection closed inside a request head");
                    shared.record_refusal(&unnamed_request(Scheme::Http, None), &refusal);
                }
                return;
            }
            Ok(Ok(_)) => {}
            Err(_) => {
                if !buf.is_empty() {
                    let refusal = Refusal::new(408, "timed out reading a request head");
                    shared.record_refusal(&unnamed_request(Scheme::Http, None), &refusal);
                    write_refusal(&mut tcp, &refusal).await;
                }
                return;
            }
        }
    };
    if head.is_connect() {
        let rest = buf.split_off(len).freeze();
        handle_connect(shared, tcp, head, rest).await;
    } else {
        // hyper reads this request again from the start, and every later one.
        serve_http(shared, Prefixed::new(buf.freeze(), tcp), Mode::Plain).await;
    }
}

async fn handle_connect(shared: Arc<Shared>, mut tcp: TcpStream, head: RequestHead, rest: Bytes) {
    let target = parse_authority(&head.target);
    let mut request = unnamed_request(Scheme::Https, None);
    if let Ok((host, port)) = &target {
        request.host = host.clone();
        request.port = *port;
        request.intercepted = shared.config.is_brokered(host);
    }
    let auth = shared.authenticate(
        head.headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("proxy-authorization"))
            .map(|h| h.value.as_slice()),
    );
    request.session = match auth {
        Ok(session) => session,
        Err(refusal) => {
            shared.record_refusal(&request, &refusal);
            write_refusal(&mut tcp, &refusal).await;
            return;
        }
    };
    if let Err(e) = &target {
        let refusal = Refusal::new(400, e.to_string());
        shared.record_refusal(&request, &refusal);
        write_refusal(&mut tcp, &refusal).await;
        return;
    }
    let verdict = shared.decide(&request);
    if let Verdict::Deny { reason } = &verdict {
        let refusal = Refusal::new(403, reason.clone());
        shared.record(&request, &verdict, Outcome::Refused { status: 403 });
        write_refusal(&mut tcp, &refusal).await;
        return;
    }
    if request.intercepted {
        intercept(shared, tcp, rest, request, verdict).await;
    } else {
        tunnel(shared, tcp, rest, request, verdict).await;
    }
}

const ESTABLISHED: &[u8] = b"HTTP/1.1 200 Connection established\r\n\r\n";

async fn tunnel(
    shared: Arc<Shared>,
    mut tcp: TcpStream,
    rest: Bytes,
    request: EgressRequest,
    verdict: Verdict,
) {
    let timeouts = shared.config.timeouts;
    let upstream = match net::connect(
        &request.host,
        request.port,
        shared.config.allow_private_destinations,
        timeouts.connect,
    )
    .await
    {
        Ok(s) => s,
        Err(e) => {
            let refusal = connect_refusal(&e);
            record_connect_failure(&shared, &request, &verdict, &e, &refusal);
            write_refusal(&mut tcp, &refusal).await;
            return;
        }
    };
    if tcp.write_all(ESTABLISHED).await.is_err() {
        return;
    }
    let clock = ActivityClock::new();
    let (mut client, up) = Counted::new(Prefixed::new(rest, tcp), clock.clone());
    let (mut server, down) = Counted::new(upstream, clock.clone());
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        () = clock.idle(timeouts.idle) => {}
    }
    let outcome = Outcome::Tunnelled {
        bytes_up: up.load(std::sync::atomic::Ordering::Relaxed),
        bytes_down: down.load(std::sync::atomic::Ordering::Relaxed),
    };
    shared.record(&request, &verdict, outcome);
}

async fn intercept(
    shared: Arc<Shared>,
    mut tcp: TcpStream,
    rest: Bytes,
    request: EgressRequest,
    verdict: Verdict,
) {
    let leaf = match &shared.config.ca {
        Some(ca) => ca
            .server_config_for(&request.host)
            .map_err(|e| e.to_string()),
        None => Err("no local CA".to_string()),
    };
    let leaf = match leaf {
        Ok(l) => l,
        Err(e) => {
            let refusal = Refusal::new(502, format!("cannot intercept {}: {e}", request.host));
            shared.record(
                &request,
                &verdict,
                Outcome::UpstreamFailed {
                    status: 502,
                    reason: refusal.reason.clone(),
                },
            );
            write_refusal(&mut tcp, &refusal).await;
            return;
        }
    };
    if tcp.write_all(ESTABLISHED).await.is_err() {
        return;
    }
    shared.record(&request, &verdict, Outcome::Intercepted);
    let accept = TlsAcceptor::from(leaf).accept(Prefixed::new(rest, tcp));
    let tls = match tokio::time::timeout(shared.config.timeouts.tls_handshake, accept).await {
        Ok(Ok(tls)) => tls,
        // The client does not trust the warden CA, or went away.
        _ => return,
    };
    let mode = Mode::Intercept {
        session: request.session.clone(),
        host: request.host.clone(),
        port: request.port,
    };
    serve_http(shared, tls, mode).await;
}

/// The refusal a client gets when a destination cannot be reached.
pub(crate) fn connect_refusal(e: &ConnectError) -> Refusal {
    match e {
        ConnectError::Private { .. } => Refusal::new(403, e.to_string()),
        ConnectError::Timeout(_) => Refusal::new(504, e.to_string()),
        _ => Refusal::new(502, e.to_string()),
    }
}

/// Records a failed connect: a private destination is a deny, anything
/// else an upstream failure.
pub(crate) fn record_connect_failure(
    shared: &Shared,
    request: &EgressRequest,
    verdict: &Verdict,
    e: &ConnectError,
    refusal: &Refusal,
) {
    match e {
        ConnectError::Private { .. } => shared.record_refusal(request, refusal),
        _ => shared.record(
            request,
            verdict,
            Outcome::UpstreamFailed {
                status: refusal.status,
                reason: refusal.reason.clone(),
            },
        ),
    }
}

/// One printable line, at most 300 bytes, for `X-Warden-Reason`.
pub(crate) fn reason_line(reason: &str) -> String {
    let mut out: String = reason
        .chars()
        .map(|c| {
            if c == ' ' || c.is_ascii_graphic() {
                c
            } else {
                '?'
            }
        })
        .take(300)
        .collect();
    if out.trim().is_empty() {
        out = "denied".into();
    }
    out.trim().to_string()
}

pub(crate) fn status_text(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error")
}

async fn write_refusal<S: tokio::io::AsyncWrite + Unpin>(stream: &mut S, refusal: &Refusal) {
    let reason = reason_line(&refusal.reason);
    let body = format!("warden: {reason}\n");
    let mut msg = format!(
        "HTTP/1.1 {} {}\r\nX-Warden-Reason: {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        refusal.status,
        status_text(refusal.status),
        body.len()
    );
    if refusal.status == 407 {
        msg.push_str("Proxy-Authenticate: Basic realm=\"warden\"\r\n");
    }
    msg.push_str("\r\n");
    msg.push_str(&body);
    let _ = stream.write_all(msg.as_bytes()).await;
    let _ = stream.shutdown().await;
}
