//! HTTP requests the proxy can read: plain HTTP proxy requests, and the
//! requests inside an intercepted tunnel. Each is decided, inspected when
//! its host is brokered, given its credential, and forwarded over a
//! connection to the destination that is kept for the next request.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::{Bytes, BytesMut};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request, Response, Uri, Version};
use http_body_util::{BodyExt as _, Either, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use zeroize::Zeroizing;

use crate::credentials::InjectedCredential;
use crate::decision::{EgressRequest, Outcome, Scheme, Verdict};
use crate::dlp::{decode_basic, decoded_for_scan, percent_decode, DecodeError, KnownSecrets};
use crate::git;
use crate::hosts::{host_header_matches, normalize_host};
use crate::net;
use crate::server::{
    connect_refusal, reason_line, record_connect_failure, unnamed_request, Refusal, Shared,
};

/// The body of a request sent to a destination: streamed from the client,
/// or buffered after inspection.
type ReqBody = Either<Incoming, Full<Bytes>>;
/// The body of a response to the client: streamed from the destination, or
/// the proxy's own.
pub(crate) type RespBody = Either<Incoming, Full<Bytes>>;

/// What kind of connection a request arrived on.
#[derive(Debug, Clone)]
pub(crate) enum Mode {
    /// The client's plain connection to the proxy: absolute-form HTTP
    /// requests, each authenticated.
    Plain,
    /// Inside a TLS tunnel the proxy terminated for a brokered host.
    Intercept {
        session: Option<String>,
        host: String,
        port: u16,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct UpstreamKey {
    scheme: Scheme,
    host: String,
    port: u16,
}

struct Upstream {
    key: UpstreamKey,
    sender: SendRequest<ReqBody>,
}

/// The state of one client connection.
struct Conn {
    shared: Arc<Shared>,
    mode: Mode,
    /// The destination connection kept between requests (HTTP/1.1 requests
    /// on one client connection come one at a time).
    upstream: Mutex<Option<Upstream>>,
}

/// Serves HTTP/1.1 on `io` until the client closes or idles out.
pub(crate) async fn serve_http<S>(shared: Arc<Shared>, io: S, mode: Mode)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let conn = Arc::new(Conn {
        shared: shared.clone(),
        mode,
        upstream: Mutex::new(None),
    });
    let svc_conn = conn.clone();
    let service = service_fn(move |req: Request<Incoming>| {
        let c = svc_conn.clone();
        async move { Ok::<_, Infallible>(c.handle(req).await) }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(shared.config.timeouts.idle)
        .max_header_size(shared.config.limits.max_head_bytes)
        .max_buf_size(shared.config.limits.max_head_bytes.max(8192) + 8192)
        .keep_alive(true);
    if let Err(e) = builder.serve_connection(TokioIo::new(io), service).await {
        if e.is_parse() || e.is_parse_too_large() {
            let mut request = unnamed_request(Scheme::Http, None);
            if let Mode::Intercept {
                session,
                host,
                port,
            } = &conn.mode
            {
                request = EgressRequest {
                    session: session.clone(),
                    scheme: Scheme::Https,
                    host: host.clone(),
                    port: *port,
                    method: None,
                    path: None,
                    intercepted: true,
                };
            }
            let status = if e.is_parse_too_large() { 431 } else { 400 };
            shared.record_refusal(
                &request,
                &Refusal::new(status, format!("malformed request: {e}")),
            );
        }
    }
}

impl Conn {
    async fn handle(self: &Arc<Self>, req: Request<Incoming>) -> Response<RespBody> {
        let (request, refusal) = self.identify(&req);
        if let Some(refusal) = refusal {
            self.shared.record_refusal(&request, &refusal);
            return refusal_response(&refusal);
        }
        let verdict = self.shared.decide(&request);
        if let Verdict::Deny { reason } = &verdict {
            let refusal = Refusal::new(403, reason.clone());
            self.shared
                .record(&request, &verdict, Outcome::Refused { status: 403 });
            return refusal_response(&refusal);
        }
        match self.forward(&request, req).await {
            Ok((response, injected)) => {
                self.shared.record(
                    &request,
                    &verdict,
                    Outcome::Forwarded {
                        status: response.status().as_u16(),
                        credential_injected: injected,
                    },
                );
                response.map(Either::Left)
            }
            Err(Failure::Refused(refusal)) => {
                self.shared.record_refusal(&request, &refusal);
                refusal_response(&refusal)
            }
            Err(Failure::Upstream(refusal)) => {
                self.shared.record(
                    &request,
                    &verdict,
                    Outcome::UpstreamFailed {
                        status: refusal.status,
                        reason: refusal.reason.clone(),
                    },
                );
                refusal_response(&refusal)
            }
            Err(Failure::Connect(e, refusal)) => {
                record_connect_failure(&self.shared, &request, &verdict, &e, &refusal);
                refusal_response(&refusal)
            }
        }
    }

    /// Builds the request to decide, or the refusal to send without
    /// deciding (authentication, malformed or misdirected requests).
    fn identify(&self, req: &Request<Incoming>) -> (EgressRequest, Option<Refusal>) {
        let method = req.method().as_str().to_string();
        let path = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".to_string());
        match &self.mode {
            Mode::Plain => {
                let mut request = unnamed_request(Scheme::Http, None);
                request.method = Some(method);
                request.path = Some(path);
                let uri = req.uri();
                if let Some(Ok(host)) = uri.host().map(normalize_host) {
                    request.host = host;
                    request.port = uri.port_u16().unwrap_or(80);
                }
                let auth = self.shared.authenticate(
                    req.headers()
                        .get_all(header::PROXY_AUTHORIZATION)
                        .iter()
                        .map(|v| v.as_bytes()),
                );
                match auth {
                    Ok(session) => request.session = session,
                    Err(refusal) => return (request, Some(refusal)),
                }
                if req.method() == Method::CONNECT {
                    return (
                        request,
                        Some(Refusal::new(
                            400,
                            "CONNECT must be the first request on a connection",
                        )),
                    );
                }
                match uri.scheme_str() {
                    Some("http") => {}
                    Some("https") => {
                        return (
                            request,
                            Some(Refusal::new(400, "send HTTPS requests through CONNECT")),
                        )
                    }
                    Some(_) => return (request, Some(Refusal::new(400, "unsupported URL scheme"))),
                    None => {
                        return (
                            request,
                            Some(Refusal::new(
                                400,
                                "not a proxy request: the target must be an absolute http:// URL",
                            )),
                        )
                    }
                }
                if request.host.is_empty() {
                    return (
                        request,
                        Some(Refusal::new(400, "invalid host in request URL")),
                    );
                }
                if request.port == 0 {
                    return (
                        request,
                        Some(Refusal::new(400, "invalid port in request URL")),
                    );
                }
                if let Some(refusal) = check_host_header(req.headers(), &request.host, request.port)
                {
                    return (request, Some(refusal));
                }
                (request, None)
            }
            Mode::Intercept {
                session,
                host,
                port,
            } => {
                let request = EgressRequest {
                    session: session.clone(),
                    scheme: Scheme::Https,
                    host: host.clone(),
                    port: *port,
                    method: Some(method),
                    path: Some(path),
                    intercepted: true,
                };
                if req.method() == Method::CONNECT {
                    return (
                        request,
                        Some(Refusal::new(400, "CONNECT inside an intercepted tunnel")),
                    );
                }
                if let Some(authority) = req.uri().authority() {
                    if !host_header_matches(authority.as_str().as_bytes(), host, *port) {
                        return (
                            request,
                            Some(Refusal::new(
                                403,
                                "the request URL names another host than the tunnel",
                            )),
                        );
                    }
                }
                if let Some(refusal) = check_host_header(req.headers(), host, *port) {
                    return (request, Some(refusal));
                }
                (request, None)
            }
        }
    }

    /// Inspects (when the host is brokered), injects and forwards one
    /// decided request. Returns the destination's response and whether a
    /// credential was injected.
    async fn forward(
        &self,
        request: &EgressRequest,
        req: Request<Incoming>,
    ) -> Result<(Response<Incoming>, bool), Failure> {
        let brokered = request.intercepted || self.shared.config.is_brokered(&request.host);
        let (mut parts, body) = req.into_parts();
        let known = self.shared.known_secrets().map_err(Failure::Refused)?;
        let target = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".to_string());
        self.scan_head(&known, target.as_bytes(), &parts.headers)?;
        strip_hop_by_hop(&mut parts.headers);
        parts.headers.remove(header::EXPECT);
        let body: ReqBody = if brokered {
            let bytes = self
                .read_and_scan_body(&known, parts.uri.path(), &parts.headers, body)
                .await?;
            parts.headers.remove(header::CONTENT_LENGTH);
            if !bytes.is_empty()
                || parts.method == Method::POST
                || parts.method == Method::PUT
                || parts.method == Method::PATCH
            {
                parts
                    .headers
                    .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
            }
            Either::Right(Full::new(bytes))
        } else {
            Either::Left(body)
        };
        let injected = if brokered {
            let credential = self
                .shared
                .credential_for(request)
                .map_err(Failure::Refused)?;
            inject(credential, &mut parts.headers).map_err(Failure::Refused)?
        } else {
            false
        };
        if !parts.headers.contains_key(header::HOST) {
            let value = authority(&request.host, request.port, request.scheme);
            let value = HeaderValue::from_str(&value)
                .map_err(|_| Failure::Refused(Refusal::new(400, "invalid host")))?;
            parts.headers.insert(header::HOST, value);
        }
        parts.uri = Uri::try_from(target)
            .map_err(|_| Failure::Refused(Refusal::new(400, "invalid request target")))?;
        parts.version = Version::HTTP_11;
        let key = UpstreamKey {
            scheme: request.scheme,
            host: request.host.clone(),
            port: request.port,
        };
        let mut sender = self.upstream_for(&key).await?;
        let response = sender
            .send_request(Request::from_parts(parts, body))
            .await
            .map_err(|e| {
                Failure::Upstream(Refusal::new(
                    502,
                    format!("the destination failed: {}", short_error(&e)),
                ))
            })?;
        if let Ok(mut slot) = self.upstream.lock() {
            *slot = Some(Upstream { key, sender });
        }
        let (mut rparts, rbody) = response.into_parts();
        strip_hop_by_hop(&mut rparts.headers);
        // Only the proxy speaks for warden.
        rparts.headers.remove("x-warden-reason");
        Ok((Response::from_parts(rparts, rbody), injected))
    }

    /// A ready connection to the destination: the kept one when it matches
    /// and is still open, else a new one.
    async fn upstream_for(&self, key: &UpstreamKey) -> Result<SendRequest<ReqBody>, Failure> {
        let kept = self.upstream.lock().ok().and_then(|mut slot| slot.take());
        if let Some(up) = kept {
            if up.key == *key && !up.sender.is_closed() {
                let mut sender = up.sender;
                if sender.ready().await.is_ok() {
                    return Ok(sender);
                }
            }
        }
        let shared = &self.shared;
        let timeouts = shared.config.timeouts;
        let tcp = net::connect(
            &key.host,
            key.port,
            shared.config.allow_private_destinations,
            timeouts.connect,
        )
        .await
        .map_err(|e| {
            let refusal = connect_refusal(&e);
            Failure::Connect(e, refusal)
        })?;
        let handshake_err = |e: hyper::Error| {
            Failure::Upstream(Refusal::new(
                502,
                format!("cannot talk HTTP to the destination: {}", short_error(&e)),
            ))
        };
        let builder = hyper::client::conn::http1::Builder::new();
        let sender = match key.scheme {
            Scheme::Http => {
                let (sender, conn) = builder
                    .handshake::<_, ReqBody>(TokioIo::new(tcp))
                    .await
                    .map_err(handshake_err)?;
                tokio::spawn(conn);
                sender
            }
            Scheme::Https => {
                let connector = shared.connector().ok_or_else(|| {
                    Failure::Upstream(Refusal::new(502, "no TLS configuration for destinations"))
                })?;
                let name = ServerName::try_from(key.host.clone()).map_err(|_| {
                    Failure::Upstream(Refusal::new(502, "invalid destination name for TLS"))
                })?;
                let tls = match tokio::time::timeout(
                    timeouts.tls_handshake,
                    connector.connect(name, tcp),
                )
                .await
                {
                    Ok(Ok(tls)) => tls,
                    Ok(Err(e)) => {
                        return Err(Failure::Upstream(Refusal::new(
                            502,
                            format!(
                                "TLS with {} failed: {}",
                                key.host,
                                reason_line(&e.to_string())
                            ),
                        )))
                    }
                    Err(_) => {
                        return Err(Failure::Upstream(Refusal::new(
                            504,
                            format!("TLS with {} timed out", key.host),
                        )))
                    }
                };
                let (sender, conn) = builder
                    .handshake::<_, ReqBody>(TokioIo::new(tls))
                    .await
                    .map_err(handshake_err)?;
                tokio::spawn(conn);
                sender
            }
        };
        Ok(sender)
    }

    /// Checks the URL and header values for known secrets and scanner hits.
    fn scan_head(
        &self,
        known: &KnownSecrets,
        target: &[u8],
        headers: &HeaderMap,
    ) -> Result<(), Failure> {
        let refuse = |what: &str| Failure::Refused(Refusal::new(403, what.to_string()));
        let decoded_target = percent_decode(target);
        if known.found_in(target) || known.found_in(&decoded_target) {
            return Err(refuse("the request URL carries a brokered credential"));
        }
        for (name, value) in headers {
            if name == header::PROXY_AUTHORIZATION {
                continue;
            }
            let v = value.as_bytes();
            let basic = if name == header::AUTHORIZATION {
                decode_basic(v)
            } else {
                None
            };
            if known.found_in(v) || basic.as_ref().is_some_and(|b| known.found_in(b)) {
                return Err(refuse(&format!(
                    "header {name} carries a brokered credential"
                )));
            }
        }
        if let Some(rule) = self.shared.scan(target).map_err(Failure::Refused)?.or(self
            .shared
            .scan(&decoded_target)
            .map_err(Failure::Refused)?)
        {
            return Err(refuse(&format!(
                "the request URL carries a secret ({rule})"
            )));
        }
        for (name, value) in headers {
            if name == header::PROXY_AUTHORIZATION {
                continue;
            }
            if let Some(rule) = self
                .shared
                .scan(value.as_bytes())
                .map_err(Failure::Refused)?
            {
                return Err(refuse(&format!("header {name} carries a secret ({rule})")));
            }
        }
        Ok(())
    }

    /// Reads the whole body (within the inspection limit) and scans it.
    async fn read_and_scan_body(
        &self,
        known: &KnownSecrets,
        path: &str,
        headers: &HeaderMap,
        mut body: Incoming,
    ) -> Result<Bytes, Failure> {
        let limit = self.shared.config.limits.max_inspected_body;
        let too_large = || {
            Failure::Refused(Refusal::new(
                413,
                format!("the request body exceeds the {limit}-byte inspection limit"),
            ))
        };
        if let Some(len) = headers.get(header::CONTENT_LENGTH) {
            let len: u64 = len
                .to_str()
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .ok_or_else(|| Failure::Refused(Refusal::new(400, "invalid Content-Length")))?;
            if len > limit as u64 {
                return Err(too_large());
            }
        }
        let mut buf = BytesMut::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| {
                Failure::Refused(Refusal::new(
                    400,
                    format!("cannot read the request body: {}", short_error(&e)),
                ))
            })?;
            if let Ok(data) = frame.into_data() {
                if buf.len() + data.len() > limit {
                    return Err(too_large());
                }
                buf.extend_from_slice(&data);
            }
        }
        let bytes = buf.freeze();
        let encoding = headers.get(header::CONTENT_ENCODING).map(|v| v.as_bytes());
        let decoded = decoded_for_scan(encoding, &bytes, limit).map_err(|e| match e {
            DecodeError::TooLarge(_) => too_large(),
            other => Failure::Refused(Refusal::new(403, other.to_string())),
        })?;
        if known.found_in(&decoded) {
            return Err(Failure::Refused(Refusal::new(
                403,
                "the request body carries a brokered credential",
            )));
        }
        if let Some(rule) = self.shared.scan(&decoded).map_err(Failure::Refused)? {
            return Err(Failure::Refused(Refusal::new(
                403,
                format!("the request body carries a secret ({rule})"),
            )));
        }
        let is_push = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case(git::RECEIVE_PACK_REQUEST))
            || path.ends_with("/git-receive-pack");
        if is_push {
            self.scan_push(known, &decoded)?;
        }
        Ok(bytes)
    }

    /// Inflates every object of a git push and scans it.
    fn scan_push(&self, known: &KnownSecrets, body: &[u8]) -> Result<(), Failure> {
        let budget = self.shared.config.limits.max_inspected_push;
        let mut finding: Result<(), Failure> = Ok(());
        let walked = git::for_each_object(body, budget, |object| {
            if known.found_in(object) {
                finding = Err(Failure::Refused(Refusal::new(
                    403,
                    "the pushed commits carry a brokered credential",
                )));
                return false;
            }
            match self.shared.scan(object) {
                Ok(None) => true,
                Ok(Some(rule)) => {
                    finding = Err(Failure::Refused(Refusal::new(
                        403,
                        format!("the pushed commits carry a secret ({rule})"),
                    )));
                    false
                }
                Err(refusal) => {
                    finding = Err(Failure::Refused(refusal));
                    false
                }
            }
        });
        finding?;
        walked.map_err(|e| match e {
            git::PackError::TooLarge(_) => Failure::Refused(Refusal::new(413, e.to_string())),
            git::PackError::Malformed(_) => Failure::Refused(Refusal::new(403, e.to_string())),
        })
    }
}

/// Why a decided request was not forwarded.
enum Failure {
    /// The proxy refused it (DLP, limits, malformed): a deny.
    Refused(Refusal),
    /// The destination could not be reached or failed.
    Upstream(Refusal),
    /// Connecting failed (a private destination is a deny, the rest
    /// upstream failures).
    Connect(net::ConnectError, Refusal),
}

fn short_error(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    reason_line(&s)
}

fn authority(host: &str, port: u16, scheme: Scheme) -> String {
    let h = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    if port == scheme.default_port() {
        h
    } else {
        format!("{h}:{port}")
    }
}

/// Refuses a request whose `Host` header names another destination than
/// the one decided on (domain fronting), or that has several.
fn check_host_header(headers: &HeaderMap, host: &str, port: u16) -> Option<Refusal> {
    let mut values = headers.get_all(header::HOST).iter();
    let first = values.next()?;
    if values.next().is_some() {
        return Some(Refusal::new(400, "more than one Host header"));
    }
    if host_header_matches(first.as_bytes(), host, port) {
        None
    } else {
        Some(Refusal::new(
            403,
            "the Host header names another host than the destination",
        ))
    }
}

/// Removes hop-by-hop headers: those named by `Connection`, and the fixed
/// set (`Proxy-Authorization` among them, so the session's proxy
/// credentials never leave the proxy).
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let listed: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|t| HeaderName::from_bytes(t.trim().as_bytes()).ok())
        .collect();
    for name in listed {
        headers.remove(name);
    }
    for name in [
        header::CONNECTION,
        header::PROXY_AUTHORIZATION,
        header::PROXY_AUTHENTICATE,
        header::TE,
        header::TRAILER,
        header::TRANSFER_ENCODING,
        header::UPGRADE,
    ] {
        headers.remove(name);
    }
    headers.remove("keep-alive");
    headers.remove("proxy-connection");
}

/// Puts a brokered credential into the headers. Returns whether anything
/// was injected.
fn inject(
    credential: Option<InjectedCredential>,
    headers: &mut HeaderMap,
) -> Result<bool, Refusal> {
    let invalid = || {
        Refusal::new(
            403,
            "the brokered credential cannot be sent in a header; denied",
        )
    };
    let sensitive = |s: &str| -> Result<HeaderValue, Refusal> {
        let mut v = HeaderValue::from_str(s).map_err(|_| invalid())?;
        v.set_sensitive(true);
        Ok(v)
    };
    match credential {
        None => Ok(false),
        Some(InjectedCredential::Bearer(token)) => {
            let value = Zeroizing::new(format!("Bearer {}", token.expose()));
            headers.insert(header::AUTHORIZATION, sensitive(&value)?);
            Ok(true)
        }
        Some(InjectedCredential::Basic { user, password }) => {
            let creds = Zeroizing::new(format!("{user}:{}", password.expose()));
            let value = Zeroizing::new(format!("Basic {}", STANDARD.encode(creds.as_bytes())));
            headers.insert(header::AUTHORIZATION, sensitive(&value)?);
            Ok(true)
        }
        Some(InjectedCredential::Header { name, value }) => {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
            headers.insert(name, sensitive(value.expose())?);
            Ok(true)
        }
        Some(InjectedCredential::ReplacePlaceholder { placeholder, value }) => {
            if placeholder.is_empty() {
                return Ok(false);
            }
            let mut replaced = false;
            let names: Vec<HeaderName> = headers.keys().cloned().collect();
            for name in names {
                let values: Vec<HeaderValue> = headers.get_all(&name).iter().cloned().collect();
                let mut changed = false;
                let mut new_values = Vec::with_capacity(values.len());
                for v in values {
                    let bytes = v.as_bytes();
                    if let Some(new) =
                        replace_bytes(bytes, placeholder.as_bytes(), value.expose().as_bytes())
                    {
                        new_values.push(sensitive(
                            std::str::from_utf8(&new).map_err(|_| invalid())?,
                        )?);
                        changed = true;
                    } else if let Some(decoded) = (name == header::AUTHORIZATION)
                        .then(|| decode_basic(bytes))
                        .flatten()
                    {
                        match replace_bytes(
                            &decoded,
                            placeholder.as_bytes(),
                            value.expose().as_bytes(),
                        ) {
                            Some(new) => {
                                let new = Zeroizing::new(new);
                                let encoded =
                                    Zeroizing::new(format!("Basic {}", STANDARD.encode(&*new)));
                                new_values.push(sensitive(&encoded)?);
                                changed = true;
                            }
                            None => new_values.push(v),
                        }
                    } else {
                        new_values.push(v);
                    }
                }
                if changed {
                    headers.remove(&name);
                    for v in new_values {
                        headers.append(name.clone(), v);
                    }
                    replaced = true;
                }
            }
            Ok(replaced)
        }
    }
}

/// `haystack` with every `needle` replaced, or `None` when there is none.
fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    let mut out = Zeroizing::new(Vec::with_capacity(haystack.len() + with.len()));
    let mut i = 0;
    let mut found = false;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
            found = true;
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    found.then_some(out)
}

/// The proxy's own answer: the status, `X-Warden-Reason` and the reason as
/// the body.
pub(crate) fn refusal_response(refusal: &Refusal) -> Response<RespBody> {
    let reason = reason_line(&refusal.reason);
    let body = format!("warden: {reason}\n");
    let mut builder = Response::builder()
        .status(refusal.status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header("x-warden-reason", reason.as_str());
    if refusal.status == 407 {
        builder = builder.header(header::PROXY_AUTHENTICATE, "Basic realm=\"warden\"");
    }
    match builder.body(Either::Right(Full::new(Bytes::from(body)))) {
        Ok(r) => r,
        Err(_) => {
            let mut r = Response::new(Either::Right(Full::new(Bytes::from_static(
                b"warden: denied\n",
            ))));
            *r.status_mut() = http::StatusCode::FORBIDDEN;
            r
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::SecretString;

    #[test]
    fn hop_by_hop_headers_are_removed() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONNECTION,
            HeaderValue::from_static("keep-alive, x-custom"),
        );
        h.insert("x-custom", HeaderValue::from_static("1"));
        h.insert("keep-alive", HeaderValue::from_static("timeout=5"));
        h.insert(
            header::PROXY_AUTHORIZATION,
            HeaderValue::from_static("Basic abc"),
        );
        h.insert("proxy-connection", HeaderValue::from_static("keep-alive"));
        h.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        strip_hop_by_hop(&mut h);
        assert_eq!(h.len(), 1);
        assert!(h.contains_key(header::ACCEPT));
    }

    #[test]
    fn placeholders_are_replaced_in_headers_and_inside_basic_auth() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-token",
            HeaderValue::from_static("token warden-placeholder-123"),
        );
        let basic = format!(
            "Basic {}",
            STANDARD.encode("x-access-token:warden-placeholder-123")
        );
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&basic).expect("valid"),
        );
        let injected = inject(
            Some(InjectedCredential::ReplacePlaceholder {
                placeholder: "warden-placeholder-123".into(),
                value: SecretString::new("real-secret"),
            }),
            &mut h,
        )
        .expect("ok");
        assert!(injected);
        assert_eq!(
            h.get("x-token").map(|v| v.as_bytes()),
            Some(&b"token real-secret"[..])
        );
        let expected = format!("Basic {}", STANDARD.encode("x-access-token:real-secret"));
        assert_eq!(
            h.get(header::AUTHORIZATION).map(|v| v.as_bytes()),
            Some(expected.as_bytes())
        );
    }

    #[test]
    fn no_placeholder_no_injection() {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        let injected = inject(
            Some(InjectedCredential::ReplacePlaceholder {
                placeholder: "warden-placeholder-123".into(),
                value: SecretString::new("real"),
            }),
            &mut h,
        )
        .expect("ok");
        assert!(!injected);
    }

    #[test]
    fn a_credential_with_a_newline_is_refused() {
        let mut h = HeaderMap::new();
        assert!(inject(
            Some(InjectedCredential::Bearer(SecretString::new("a\r\nb"))),
            &mut h
        )
        .is_err());
    }
}
