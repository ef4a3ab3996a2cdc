//! Warden's governed egress proxy.
//!
//! The proxy runs in warden, outside the sandbox, on a loopback port. The
//! sandbox can connect to nothing else, and finds the proxy through
//! `HTTP_PROXY`/`HTTPS_PROXY` set to `http://SESSION:TOKEN@127.0.0.1:PORT`
//! ([`RunningProxy::proxy_url`]).
//!
//! # The model
//!
//! * **Every request is decided by the caller.** The proxy holds no policy:
//!   it turns each `CONNECT`, each plain HTTP request and each request
//!   inside an intercepted tunnel into an [`EgressRequest`] (session,
//!   scheme, host, port, method, path) and asks the caller's
//!   [`EgressDecider`]. What finally happened is reported back through
//!   [`EgressDecider::record`] with an [`Outcome`], once per request.
//! * **Sessions are authenticated.** With [`ProxyAuth::Required`], each
//!   `CONNECT` and each plain request must carry `Proxy-Authorization:
//!   Basic base64(session:token)` that the caller's [`SessionVerifier`]
//!   accepts; otherwise `407`, recorded as a deny. The header never leaves
//!   the proxy.
//! * **Brokered hosts are intercepted.** For hosts listed in
//!   [`ProxyConfig::brokered_hosts`] the proxy answers the `CONNECT`, then
//!   terminates TLS with a leaf for that host signed by the [`LocalCa`], and
//!   reads each HTTP/1.1 request inside. Each one is decided by method and
//!   path, then checked by DLP ([`dlp`]): the URL, every header and the body
//!   (buffered up to [`Limits::max_inspected_body`], inflated when gzip or
//!   deflate; larger bodies are refused) must carry neither a value the
//!   [`CredentialBroker`] holds (raw, URL-encoded or base64 in any
//!   alignment) nor anything the caller's [`SecretScanner`] finds. Only then
//!   does the broker get the chance to inject the real credential
//!   ([`InjectedCredential`]): a fresh `Authorization` header, or the real
//!   value in place of a placeholder the sandbox holds. The request goes to
//!   the destination over TLS verified with [`UpstreamRoots`], and the
//!   response streams back.
//! * **Git pushes are read object by object.** A `git-receive-pack` body
//!   to a brokered host is walked ([`git`]): every object of the pack is
//!   inflated (within [`Limits::max_inspected_push`]) and scanned the same
//!   way, so a secret committed to a file is found although the body only
//!   carries it compressed. A pack that cannot be read is refused.
//! * **Other hosts are tunnelled opaquely.** Their `CONNECT` is decided by
//!   host and port only; the bytes are copied both ways untouched.
//! * **Plain HTTP** requests are decided one by one; their URL and headers
//!   are always scanned, and when the host is brokered their body is
//!   inspected and a credential may be injected, as inside a tunnel.
//! * **Everything fails closed.** A malformed or oversized head (over
//!   [`head::MAX_HEAD_BYTES`] by default), a body over the inspection limit,
//!   an encoding that cannot be read, a panic in any caller hook, a `Host`
//!   header naming another host than the destination, a destination that
//!   resolves to a private address: each is a refusal with a one-line
//!   reason in `X-Warden-Reason` and the body, recorded as a deny.
//!   Hop-by-hop headers are never forwarded. Idle connections and tunnels
//!   are closed after [`Timeouts::idle`].
//!
//! # Running it
//!
//! [`Proxy::bind`] starts the proxy on a thread with its own tokio runtime
//! and returns a [`RunningProxy`] (its port, `shutdown`); async callers use
//! [`Proxy::new`] and [`Proxy::serve`] on a listener of their own.
//!
//! ```no_run
//! use warden_proxy::*;
//!
//! struct AllowAll;
//! impl EgressDecider for AllowAll {
//!     fn decide(&self, _: &EgressRequest) -> Verdict { Verdict::Allow }
//! }
//!
//! let ca = std::sync::Arc::new(LocalCa::load_or_create("/tmp/warden-ca")?);
//! let bundle = ca.ca_bundle(None)?; // for SSL_CERT_FILE in the sandbox
//! let config = ProxyConfig {
//!     brokered_hosts: vec![HostPattern::parse("api.github.com")?],
//!     ca: Some(ca),
//!     ..ProxyConfig::default()
//! };
//! let proxy = Proxy::bind(config, AllowAll, NoBroker)?;
//! println!("HTTPS_PROXY=http://127.0.0.1:{} SSL_CERT_FILE={}", proxy.port(), bundle.display());
//! proxy.shutdown();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

pub mod ca;
pub mod config;
pub mod credentials;
pub mod decision;
pub mod dlp;
mod forward;
pub mod git;
pub mod head;
pub mod hosts;
mod io;
pub mod net;
mod server;
pub mod tls;

pub use ca::{CaError, LocalCa, SYSTEM_CA_BUNDLE};
pub use config::{Limits, ProxyAuth, ProxyConfig, Timeouts};
pub use credentials::{
    constant_time_eq, CredentialBroker, InjectedCredential, NoBroker, SecretString,
    SessionVerifier, TokenMap,
};
pub use decision::{EgressDecider, EgressRequest, Outcome, Scheme, Verdict};
pub use dlp::SecretScanner;
pub use hosts::HostPattern;
pub use server::{proxy_authorization, proxy_url, Proxy, ProxyError, RunningProxy};
pub use tls::UpstreamRoots;
