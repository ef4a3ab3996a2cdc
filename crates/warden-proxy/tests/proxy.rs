//! End-to-end tests of the proxy over real loopback sockets: real upstream
//! servers (plain HTTP and HTTPS with their own CA), real TLS clients, and
//! curl.

mod common;

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::*;
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;
use warden_proxy::*;

fn get(url_or_path: &str, host: &str, extra: &str) -> Vec<u8> {
    format!("GET {url_or_path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n").into_bytes()
}

fn auth_line() -> String {
    format!("Proxy-Authorization: {}\r\n", auth_header())
}

async fn to_proxy(proxy: &RunningProxy) -> TcpStream {
    TcpStream::connect(("127.0.0.1", proxy.port()))
        .await
        .expect("connect")
}

fn refused_with(records: &[(EgressRequest, Verdict, Outcome)], status: u16) -> bool {
    records
        .iter()
        .any(|(_, v, o)| !v.is_allow() && *o == Outcome::Refused { status })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowed_plain_get_passes_with_keep_alive() {
    let up = http_upstream().await;
    let decider = Arc::new(TestDecider::default());
    let (proxy, _) = start_proxy(decider.clone(), &[], None, None, |_| {});
    let mut s = to_proxy(&proxy).await;
    let host = format!("127.0.0.1:{}", up.port());
    for i in 0..3 {
        let r = exchange(
            &mut s,
            &get(&format!("http://{host}/hello/{i}?q=1"), &host, &auth_line()),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.text(), format!("ok GET /hello/{i}?q=1 0"));
    }
    let seen = up.seen();
    assert_eq!(seen.len(), 3);
    // The proxy's credentials never reach the destination.
    assert!(seen
        .iter()
        .all(|s| !s.headers.contains_key("proxy-authorization")));
    let records = decider.records();
    assert_eq!(records.len(), 3);
    let (req, verdict, outcome) = &records[0];
    assert_eq!(req.session.as_deref(), Some(SESSION));
    assert_eq!(req.scheme, Scheme::Http);
    assert_eq!(req.method.as_deref(), Some("GET"));
    assert_eq!(req.path.as_deref(), Some("/hello/0?q=1"));
    assert!(!req.intercepted);
    assert!(verdict.is_allow());
    assert_eq!(
        *outcome,
        Outcome::Forwarded {
            status: 200,
            credential_injected: false
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denied_host_gets_403_and_the_upstream_never_sees_it() {
    let up = http_upstream().await;
    let decider = Arc::new(TestDecider::default());
    let (proxy, _) = start_proxy(decider.clone(), &[], None, None, |_| {});
    let mut s = to_proxy(&proxy).await;
    let r = exchange(
        &mut s,
        &get("http://denied.example/x", "denied.example", &auth_line()),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.header("x-warden-reason"),
        Some("host denied.example is not allowed")
    );
    // A denied CONNECT too.
    let (status, headers, _) =
        connect_via(proxy.port(), "denied.example:443", Some(&auth_header())).await;
    assert_eq!(status, 403);
    assert!(headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("x-warden-reason") && v.contains("not allowed")));
    assert!(up.seen().is_empty());
    let records = decider.records();
    assert_eq!(
        records
            .iter()
            .filter(|(_, _, o)| *o == Outcome::Refused { status: 403 })
            .count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_or_invalid_proxy_auth_gets_407() {
    let up = http_upstream().await;
    let decider = Arc::new(TestDecider::default());
    let (proxy, _) = start_proxy(decider.clone(), &[], None, None, |_| {});
    let host = format!("127.0.0.1:{}", up.port());
    let mut s = to_proxy(&proxy).await;
    let r = exchange(&mut s, &get(&format!("http://{host}/"), &host, "")).await;
    assert_eq!(r.status, 407);
    assert_eq!(
        r.header("proxy-authenticate"),
        Some("Basic realm=\"warden\"")
    );
    let bad = proxy_authorization(SESSION, &SecretString::new("wrong-token"));
    let mut s = to_proxy(&proxy).await;
    let r = exchange(
        &mut s,
        &get(
            &format!("http://{host}/"),
            &host,
            &format!("Proxy-Authorization: {}\r\n", bad.expose()),
        ),
    )
    .await;
    assert_eq!(r.status, 407);
    assert_eq!(
        r.header("x-warden-reason"),
        Some("invalid proxy credentials")
    );
    let (status, _, _) = connect_via(proxy.port(), &host, None).await;
    assert_eq!(status, 407);
    assert!(up.seen().is_empty());
    // Refused before deciding: the decider was never asked, but every
    // refusal is recorded as a deny.
    assert!(decider.decided.lock().expect("lock").is_empty());
    let records = decider.records();
    assert_eq!(records.len(), 3);
    assert!(records.iter().all(|(r, v, o)| r.session.is_none()
        && !v.is_allow()
        && *o == Outcome::Refused { status: 407 }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_oversized_requests_are_refused_and_recorded() {
    let decider = Arc::new(TestDecider::default());
    let (proxy, _) = start_proxy(decider.clone(), &[], None, None, |_| {});
    let mut s = to_proxy(&proxy).await;
    let r = exchange(&mut s, b"GET http://x/ HTTP/1.1\r\nBad Header\r\n\r\n").await;
    assert_eq!(r.status, 400);
    assert!(r
        .header("x-warden-reason")
        .is_some_and(|v| v.contains("malformed")));
    let mut s = to_proxy(&proxy).await;
    let r = exchange(&mut s, b"CONNECT not-an-authority HTTP/1.1\r\n\r\n").await;
    assert!(r.status == 400 || r.status == 407, "{}", r.status);
    let mut s = to_proxy(&proxy).await;
    let mut big = b"GET http://x/ HTTP/1.1\r\nX-Big: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 70 * 1024));
    big.extend_from_slice(b"\r\n\r\n");
    let r = exchange(&mut s, &big).await;
    assert_eq!(r.status, 431);
    let records = decider.wait_for(|r| r.len() >= 3).await;
    assert!(refused_with(&records, 400));
    assert!(refused_with(&records, 431));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_request_on_a_keep_alive_connection_is_refused() {
    let up = http_upstream().await;
    let decider = Arc::new(TestDecider::default());
    let (proxy, _) = start_proxy(decider.clone(), &[], None, None, |_| {});
    let host = format!("127.0.0.1:{}", up.port());
    let mut s = to_proxy(&proxy).await;
    let r = exchange(
        &mut s,
        &get(&format!("http://{host}/first"), &host, &auth_line()),
    )
    .await;
    assert_eq!(r.status, 200);
    // The second request is read by hyper: it refuses it with 400 itself,
    // and the proxy records the deny.
    let r = exchange(&mut s, b"GET http://x/ HTTP/1.1\r\nBad Header\r\n\r\n").await;
    assert_eq!(r.status, 400);
    let records = decider.wait_for(|r| refused_with(r, 400)).await;
    assert_eq!(records.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_tunnel_to_a_non_brokered_host_is_opaque_end_to_end() {
    let pki = test_pki();
    let up = https_upstream(&pki).await;
    let decider = Arc::new(TestDecider::default());
    let dir = tempfile::tempdir().expect("tempdir");
    // The proxy has a CA, but localhost is not brokered: the client must see
    // the upstream's own certificate.
    let (proxy, _) = start_proxy(
        decider.clone(),
        &["brokered.example"],
        Some(&pki.ca_der),
        Some(dir.path()),
        |_| {},
    );
    let target = format!("localhost:{}", up.port());
    let (status, _, s) = connect_via(proxy.port(), &target, Some(&auth_header())).await;
    assert_eq!(status, 200);
    let mut tls = tls_over(s, std::slice::from_ref(&pki.ca_der), "localhost").await;
    let r = exchange(&mut tls, &get("/tunnelled", &target, "")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "ok GET /tunnelled 0");
    tls.shutdown().await.expect("close");
    drop(tls);
    let records = decider
        .wait_for(|r| {
            r.iter()
                .any(|(_, _, o)| matches!(o, Outcome::Tunnelled { .. }))
        })
        .await;
    let (req, verdict, outcome) = &records[0];
    assert_eq!(req.host, "localhost");
    assert_eq!(req.method, None);
    assert!(!req.intercepted);
    assert!(verdict.is_allow());
    let Outcome::Tunnelled {
        bytes_up,
        bytes_down,
    } = outcome
    else {
        panic!("not a tunnel")
    };
    assert!(*bytes_up > 100 && *bytes_down > 100);
    // One decision for the whole tunnel.
    assert_eq!(decider.decided.lock().expect("lock").len(), 1);
}

struct Brokered {
    up: Upstream,
    decider: Arc<TestDecider>,
    proxy: RunningProxy,
    ca: Arc<LocalCa>,
    _dir: tempfile::TempDir,
}

async fn brokered_setup(tweak: impl FnOnce(&mut ProxyConfig)) -> Brokered {
    let pki = test_pki();
    let up = https_upstream(&pki).await;
    let decider = Arc::new(TestDecider::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let (proxy, ca) = start_proxy(
        decider.clone(),
        &["localhost"],
        Some(&pki.ca_der),
        Some(&dir.path().join("ca")),
        tweak,
    );
    Brokered {
        up,
        decider,
        proxy,
        ca: ca.expect("CA"),
        _dir: dir,
    }
}

impl Brokered {
    fn target(&self) -> String {
        format!("localhost:{}", self.up.port())
    }
    /// A TLS connection to the brokered host through the proxy, trusting
    /// only the warden CA.
    async fn open(&self) -> tokio_rustls::client::TlsStream<TcpStream> {
        let (status, _, s) =
            connect_via(self.proxy.port(), &self.target(), Some(&auth_header())).await;
        assert_eq!(status, 200);
        tls_over(s, std::slice::from_ref(self.ca.cert_der()), "localhost").await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn brokered_requests_are_decided_by_method_and_path() {
    let b = brokered_setup(|_| {}).await;
    let mut tls = b.open().await;
    let t = b.target();
    let r = exchange(&mut tls, &get("/repos/a/b", &t, "")).await;
    assert_eq!(r.status, 200);
    let r = exchange(
        &mut tls,
        format!("DELETE /repos/a/b HTTP/1.1\r\nHost: {t}\r\n\r\n").as_bytes(),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.header("x-warden-reason"),
        Some("destructive call refused by policy")
    );
    let r = exchange(&mut tls, &get("/admin/keys", &t, "")).await;
    assert_eq!(r.status, 403);
    // Keep-alive survives a refusal.
    let r = exchange(&mut tls, &get("/after", &t, "")).await;
    assert_eq!(r.status, 200);
    let seen = b.up.seen();
    assert_eq!(
        seen.iter().map(|s| s.path.as_str()).collect::<Vec<_>>(),
        ["/repos/a/b", "/after"]
    );
    let decided = b.decider.decided.lock().expect("lock").clone();
    // The CONNECT, then each inner request, with method and path.
    assert_eq!(decided.len(), 5);
    assert!(decided[0].method.is_none() && decided[0].intercepted);
    assert_eq!(decided[2].method.as_deref(), Some("DELETE"));
    assert!(decided[1..].iter().all(|r| r.intercepted
        && r.scheme == Scheme::Https
        && r.session.as_deref() == Some(SESSION)));
    let records = b.decider.records();
    assert_eq!(records[0].2, Outcome::Intercepted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_are_injected_only_when_the_broker_grants_them() {
    let b = brokered_setup(|_| {}).await;
    let mut tls = b.open().await;
    let t = b.target();
    assert_eq!(
        exchange(&mut tls, &get("/granted/repo", &t, ""))
            .await
            .status,
        200
    );
    assert_eq!(
        exchange(
            &mut tls,
            &get(
                "/ungranted/repo",
                &t,
                "Authorization: Bearer something-else\r\n"
            )
        )
        .await
        .status,
        200
    );
    let placeholder_basic = STANDARD.encode(format!("x-access-token:{PLACEHOLDER}"));
    assert_eq!(
        exchange(
            &mut tls,
            &get(
                "/placeholder/git",
                &t,
                &format!(
                    "Authorization: Basic {placeholder_basic}\r\nX-Api-Key: {PLACEHOLDER}\r\n"
                )
            )
        )
        .await
        .status,
        200
    );
    assert_eq!(
        exchange(&mut tls, &get("/basic/x", &t, "")).await.status,
        200
    );
    let seen = b.up.seen();
    assert_eq!(seen.len(), 4);
    let auth = |i: usize| {
        seen[i]
            .headers
            .get("authorization")
            .map(|v| v.to_str().expect("ascii").to_string())
    };
    assert_eq!(auth(0), Some(format!("Bearer {REAL_TOKEN}")));
    assert_eq!(auth(1), Some("Bearer something-else".to_string()));
    assert_eq!(
        auth(2),
        Some(format!(
            "Basic {}",
            STANDARD.encode(format!("x-access-token:{REAL_TOKEN}"))
        ))
    );
    assert_eq!(
        seen[2].headers.get("x-api-key").map(|v| v.as_bytes()),
        Some(REAL_TOKEN.as_bytes())
    );
    assert_eq!(
        auth(3),
        Some(format!(
            "Basic {}",
            STANDARD.encode(format!("x-access-token:{REAL_TOKEN}"))
        ))
    );
    let injected: Vec<bool> = b
        .decider
        .records()
        .iter()
        .filter_map(|(_, _, o)| match o {
            Outcome::Forwarded {
                credential_injected,
                ..
            } => Some(*credential_injected),
            _ => None,
        })
        .collect();
    assert_eq!(injected, [true, false, true, true]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn brokered_token_in_a_body_url_or_header_is_blocked_even_to_an_allowed_host() {
    let b = brokered_setup(|_| {}).await;
    let t = b.target();
    let post = |body: &str| {
        format!("POST /gists HTTP/1.1\r\nHost: {t}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len())
    };
    let cases = [
        post(&format!("{{\"content\":\"{REAL_TOKEN}\"}}")),
        post(&format!(
            "{{\"content\":\"{}\"}}",
            STANDARD.encode(format!("leak:{REAL_TOKEN}"))
        )),
        post(&format!(
            "{{\"content\":\"{}\"}}",
            STANDARD.encode(format!("ab{REAL_TOKEN}"))
        )),
        format!("GET /search?q={REAL_TOKEN} HTTP/1.1\r\nHost: {t}\r\n\r\n"),
        format!(
            "GET /x HTTP/1.1\r\nHost: {t}\r\nAuthorization: Basic {}\r\n\r\n",
            STANDARD.encode(format!("me:{REAL_TOKEN}"))
        ),
        // Even when the request is granted a credential.
        format!(
            "POST /granted/x HTTP/1.1\r\nHost: {t}\r\nContent-Length: {}\r\n\r\n{REAL_TOKEN}",
            REAL_TOKEN.len()
        ),
    ];
    let mut tls = b.open().await;
    for case in &cases {
        let r = exchange(&mut tls, case.as_bytes()).await;
        assert_eq!(r.status, 403, "{case}");
        let reason = r.header("x-warden-reason").expect("reason").to_string();
        assert!(reason.contains("brokered credential"), "{reason}");
        assert!(!reason.contains(REAL_TOKEN) && !r.text().contains(REAL_TOKEN));
    }
    assert!(b.up.seen().is_empty());
    let records = b.decider.records();
    assert_eq!(
        records
            .iter()
            .filter(|(_, _, o)| *o == Outcome::Refused { status: 403 })
            .count(),
        cases.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scanner_findings_in_the_body_are_blocked_and_gzip_is_inflated() {
    use std::io::Write as _;
    let b = brokered_setup(|_| {}).await;
    let t = b.target();
    let mut tls = b.open().await;
    let body = "aws_access_key_id = AKIAABCDEFGHIJKLMNOP";
    let r = exchange(
        &mut tls,
        format!(
            "PUT /files HTTP/1.1\r\nHost: {t}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.header("x-warden-reason"),
        Some("the request body carries a secret (aws-access-key-id)")
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(body.as_bytes()).expect("gzip");
    let gz = gz.finish().expect("gzip");
    let mut req = format!("POST /upload-pack HTTP/1.1\r\nHost: {t}\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n", gz.len()).into_bytes();
    req.extend_from_slice(&gz);
    let r = exchange(&mut tls, &req).await;
    assert_eq!(r.status, 403);
    let r = exchange(
        &mut tls,
        format!(
            "POST /x HTTP/1.1\r\nHost: {t}\r\nContent-Encoding: br\r\nContent-Length: 3\r\n\r\nabc"
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(r
        .header("x-warden-reason")
        .is_some_and(|v| v.contains("content-encoding")));
    let clean = "just code";
    let r = exchange(
        &mut tls,
        format!(
            "PUT /files HTTP/1.1\r\nHost: {t}\r\nContent-Length: {}\r\n\r\n{clean}",
            clean.len()
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(b.up.seen().len(), 1);
}

fn chunked_body(total: usize, chunk: usize) -> (Vec<u8>, Vec<u8>) {
    let payload: Vec<u8> = (0..total)
        .map(|i| b"PACK0123456789abcdefghijklmnopqrstuvwxyz"[i % 40])
        .collect();
    let wire = chunked(&payload, chunk);
    (payload, wire)
}

fn chunked(payload: &[u8], chunk: usize) -> Vec<u8> {
    let mut wire = Vec::new();
    for c in payload.chunks(chunk) {
        wire.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        wire.extend_from_slice(c);
        wire.extend_from_slice(b"\r\n");
    }
    wire.extend_from_slice(b"0\r\n\r\n");
    wire
}

/// Poorly compressible text: pseudo-random hex.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b"0123456789abcdef"[(x & 15) as usize]
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_smart_http_chunked_post_goes_through_interception() {
    let b = brokered_setup(|_| {}).await;
    let t = b.target();
    let mut tls = b.open().await;
    // A push of a 6 MiB file: about 3 MiB on the wire, inflated and scanned.
    let payload = push_body(&noise(6 * 1024 * 1024 + 17));
    assert!(payload.len() > 2 * 1024 * 1024);
    let wire = chunked(&payload, 65_520);
    let mut req = format!(
        "POST /granted/org/repo.git/git-receive-pack HTTP/1.1\r\nHost: {t}\r\nContent-Type: application/x-git-receive-pack-request\r\nAccept: application/x-git-receive-pack-result\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    req.extend_from_slice(&wire);
    let r = exchange(&mut tls, &req).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.text(),
        format!(
            "ok POST /granted/org/repo.git/git-receive-pack {}",
            payload.len()
        )
    );
    let seen = b.up.seen();
    assert_eq!(seen[0].body, payload);
    assert_eq!(
        seen[0].headers.get("authorization").map(|v| v.as_bytes()),
        Some(format!("Bearer {REAL_TOKEN}").as_bytes())
    );
    // The next request on the same connection still works.
    assert_eq!(
        exchange(
            &mut tls,
            &get("/info/refs?service=git-receive-pack", &t, "")
        )
        .await
        .status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_inspection_limit_are_refused() {
    let b = brokered_setup(|c| c.limits.max_inspected_body = 64 * 1024).await;
    let t = b.target();
    let tls = b.open().await;
    let (_, wire) = chunked_body(200 * 1024, 8192);
    let mut req = format!("POST /big HTTP/1.1\r\nHost: {t}\r\nTransfer-Encoding: chunked\r\n\r\n")
        .into_bytes();
    req.extend_from_slice(&wire);
    // The proxy answers before the body is all sent and closes; like a
    // real client, read the answer while still writing (the rest of the
    // write may fail with a broken pipe).
    let (mut reader, mut writer) = tokio::io::split(tls);
    let sending = tokio::spawn(async move {
        let _ = writer.write_all(&req).await;
        let _ = writer.flush().await;
    });
    let r = read_response(&mut reader).await;
    let _ = sending.await;
    assert_eq!(r.status, 413);
    let mut tls = b.open().await;
    let r = exchange(
        &mut tls,
        format!("POST /big HTTP/1.1\r\nHost: {t}\r\nContent-Length: 100000\r\n\r\n").as_bytes(),
    )
    .await;
    assert_eq!(r.status, 413);
    assert!(b.up.seen().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_chunked_post_streams_to_a_non_brokered_host() {
    let up = http_upstream().await;
    let decider = Arc::new(TestDecider::default());
    let (proxy, _) = start_proxy(decider.clone(), &[], None, None, |c| {
        c.limits.max_inspected_body = 1024
    });
    let host = format!("127.0.0.1:{}", up.port());
    let (payload, wire) = chunked_body(2 * 1024 * 1024, 30_000);
    let mut req = format!("POST http://{host}/repo.git/git-upload-pack HTTP/1.1\r\nHost: {host}\r\n{}Transfer-Encoding: chunked\r\n\r\n", auth_line()).into_bytes();
    req.extend_from_slice(&wire);
    let mut s = to_proxy(&proxy).await;
    let r = exchange(&mut s, &req).await;
    assert_eq!(r.status, 200);
    assert_eq!(up.seen()[0].body, payload);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_header_naming_another_host_is_refused() {
    let b = brokered_setup(|_| {}).await;
    let mut tls = b.open().await;
    let r = exchange(&mut tls, &get("/x", "evil.example", "")).await;
    assert_eq!(r.status, 403);
    let up = http_upstream().await;
    let (proxy, _) = start_proxy(Arc::new(TestDecider::default()), &[], None, None, |_| {});
    let mut s = to_proxy(&proxy).await;
    let r = exchange(
        &mut s,
        &get(
            &format!("http://127.0.0.1:{}/x", up.port()),
            "evil.example",
            &auth_line(),
        ),
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(b.up.seen().is_empty() && up.seen().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_destinations_are_refused_unless_allowed() {
    let up = http_upstream().await;
    let decider = Arc::new(TestDecider::default());
    let (proxy, _) = start_proxy(decider.clone(), &[], None, None, |c| {
        c.allow_private_destinations = false
    });
    let host = format!("127.0.0.1:{}", up.port());
    let mut s = to_proxy(&proxy).await;
    let r = exchange(
        &mut s,
        &get(&format!("http://{host}/"), &host, &auth_line()),
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(r
        .header("x-warden-reason")
        .is_some_and(|v| v.contains("private")));
    let (status, _, _) = connect_via(
        proxy.port(),
        &format!("localhost:{}", up.port()),
        Some(&auth_header()),
    )
    .await;
    assert_eq!(status, 403);
    assert!(up.seen().is_empty());
    let records = decider.records();
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|(_, v, _)| !v.is_allow()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_decider_is_a_deny() {
    let up = http_upstream().await;
    let decider = Arc::new(TestDecider {
        panic_on_path: Some("/boom".into()),
        ..TestDecider::default()
    });
    let (proxy, _) = start_proxy(decider.clone(), &[], None, None, |_| {});
    let host = format!("127.0.0.1:{}", up.port());
    let mut s = to_proxy(&proxy).await;
    let r = exchange(
        &mut s,
        &get(&format!("http://{host}/boom"), &host, &auth_line()),
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(r
        .header("x-warden-reason")
        .is_some_and(|v| v.contains("panic")));
    assert!(up.seen().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_destination_certificate_is_verified() {
    // The proxy does not trust the upstream's CA: an intercepted request
    // fails with 502 instead of reaching an unverified server.
    let pki = test_pki();
    let up = https_upstream(&pki).await;
    let other = test_pki();
    let decider = Arc::new(TestDecider::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let (proxy, ca) = start_proxy(
        decider.clone(),
        &["localhost"],
        Some(&other.ca_der),
        Some(dir.path()),
        |_| {},
    );
    let target = format!("localhost:{}", up.port());
    let (status, _, s) = connect_via(proxy.port(), &target, Some(&auth_header())).await;
    assert_eq!(status, 200);
    let mut tls = tls_over(
        s,
        std::slice::from_ref(ca.expect("ca").cert_der()),
        "localhost",
    )
    .await;
    let r = exchange(&mut tls, &get("/granted/x", &target, "")).await;
    assert_eq!(r.status, 502);
    assert!(up.seen().is_empty());
    let records = decider.records();
    assert!(records
        .iter()
        .any(|(_, _, o)| matches!(o, Outcome::UpstreamFailed { status: 502, .. })));
}

fn curl(args: &[&str]) -> (String, String) {
    let out = std::process::Command::new("curl")
        .args(args)
        .env_remove("no_proxy")
        .env_remove("NO_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .output()
        .expect("curl runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_works_through_the_proxy() {
    let b = brokered_setup(|_| {}).await;
    let plain = http_upstream().await;
    let proxy_url = b
        .proxy
        .proxy_url(SESSION, &SecretString::new(SESSION_TOKEN));
    let proxy_url = proxy_url.expose().to_string();
    let ca_path = b.ca.cert_path().display().to_string();
    let https_url = format!("https://localhost:{}/granted/curl", b.up.port());
    let plain_url = format!("http://127.0.0.1:{}/plain", plain.port());
    let denied_url = format!("https://localhost:{}/admin/x", b.up.port());
    let (out, err) = tokio::task::spawn_blocking(move || {
        let common = [
            "-sS",
            "--noproxy",
            "",
            "--max-time",
            "20",
            "-w",
            " %{http_code}",
        ];
        let mut results = Vec::new();
        for (url, extra) in [
            (https_url, vec!["--cacert", ca_path.as_str()]),
            (plain_url, vec![]),
            (denied_url, vec!["--cacert", ca_path.as_str()]),
        ] {
            let mut args: Vec<&str> = common.to_vec();
            args.extend(["--proxy", proxy_url.as_str()]);
            args.extend(extra);
            args.push(url.as_str());
            results.push(curl(&args));
        }
        let out: Vec<String> = results.iter().map(|r| r.0.clone()).collect();
        let err: Vec<String> = results.iter().map(|r| r.1.clone()).collect();
        (out, err)
    })
    .await
    .expect("join");
    assert_eq!(out[0], "ok GET /granted/curl 0 200", "{err:?}");
    assert_eq!(out[1], "ok GET /plain 0 200", "{err:?}");
    assert!(
        out[2].ends_with(" 403") && out[2].contains("destructive call refused"),
        "{out:?} {err:?}"
    );
    assert_eq!(
        b.up.seen()[0]
            .headers
            .get("authorization")
            .map(|v| v.as_bytes()),
        Some(format!("Bearer {REAL_TOKEN}").as_bytes())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ca_bundle_lets_curl_trust_brokered_hosts() {
    let b = brokered_setup(|_| {}).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let sys = dir.path().join("system.pem");
    std::fs::write(&sys, "").expect("write");
    let bundle =
        b.ca.ca_bundle(Some(&sys))
            .expect("bundle")
            .display()
            .to_string();
    let proxy_url = b
        .proxy
        .proxy_url(SESSION, &SecretString::new(SESSION_TOKEN))
        .expose()
        .to_string();
    let url = format!("https://localhost:{}/via-bundle", b.up.port());
    let (out, err) = tokio::task::spawn_blocking(move || {
        curl(&[
            "-sS",
            "--noproxy",
            "",
            "--max-time",
            "20",
            "--proxy",
            &proxy_url,
            "--cacert",
            &bundle,
            &url,
        ])
    })
    .await
    .expect("join");
    assert_eq!(out, "ok GET /via-bundle 0", "{err}");
}

#[test]
fn shutdown_stops_the_listener_and_config_is_checked() {
    let (proxy, _) = start_proxy(Arc::new(TestDecider::default()), &[], None, None, |_| {});
    let port = proxy.port();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    proxy.shutdown();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    // Brokered hosts without a CA, and a non-loopback address, are refused.
    let bad = ProxyConfig {
        brokered_hosts: vec![HostPattern::parse("api.github.com").expect("pattern")],
        ..ProxyConfig::default()
    };
    assert!(matches!(
        Proxy::bind(bad, TestDecider::default(), NoBroker),
        Err(ProxyError::Config(_))
    ));
    let bad = ProxyConfig {
        listen: "0.0.0.0:0".parse().expect("addr"),
        ..ProxyConfig::default()
    };
    assert!(matches!(
        Proxy::bind(bad, TestDecider::default(), NoBroker),
        Err(ProxyError::Config(_))
    ));
}

/// A `git-receive-pack` request body pushing one blob.
fn push_body(blob: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let line = format!(
        "{} {} refs/heads/main\0report-status\n",
        "0".repeat(40),
        "1".repeat(40)
    );
    let mut body = format!("{:04x}{line}0000", line.len() + 4).into_bytes();
    body.extend_from_slice(b"PACK");
    body.extend_from_slice(&2u32.to_be_bytes());
    body.extend_from_slice(&1u32.to_be_bytes());
    let mut size = blob.len();
    let mut header = vec![(3u8 << 4) | (size & 0x0f) as u8];
    size >>= 4;
    while size > 0 {
        let last = header.len() - 1;
        header[last] |= 0x80;
        header.push((size & 0x7f) as u8);
        size >>= 7;
    }
    body.extend(header);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(blob).expect("zlib");
    body.extend(z.finish().expect("zlib"));
    body.extend_from_slice(&[0u8; 20]);
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_pushes_are_inflated_and_scanned() {
    let b = brokered_setup(|_| {}).await;
    let t = b.target();
    let mut tls = b.open().await;
    let post = |body: &[u8]| {
        let mut req = format!(
            "POST /granted/org/repo.git/git-receive-pack HTTP/1.1\r\nHost: {t}\r\nContent-Type: application/x-git-receive-pack-request\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(body);
        req
    };
    // The raw body holds only compressed bytes; the proxy finds the
    // secrets inside the pushed file anyway.
    let file = format!(
        "{}const TOKEN = \"{REAL_TOKEN}\";\n",
        "// an ordinary line of source code\n".repeat(40)
    );
    let leaked = push_body(file.as_bytes());
    assert!(!leaked
        .windows(REAL_TOKEN.len())
        .any(|w| w == REAL_TOKEN.as_bytes()));
    let r = exchange(&mut tls, &post(&leaked)).await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.header("x-warden-reason"),
        Some("the pushed commits carry a brokered credential")
    );
    let r = exchange(&mut tls, &post(&push_body(b"aws = AKIAABCDEFGHIJKLMNOP\n"))).await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.header("x-warden-reason"),
        Some("the pushed commits carry a secret (aws-access-key-id)")
    );
    let r = exchange(&mut tls, &post(b"0009junk")).await;
    assert_eq!(r.status, 403);
    let clean = push_body(b"fn main() {}\n");
    let r = exchange(&mut tls, &post(&clean)).await;
    assert_eq!(r.status, 200);
    assert_eq!(b.up.seen().len(), 1);
    assert_eq!(b.up.seen()[0].body, clean);
}
