//! The proxy's configuration.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use crate::ca::LocalCa;
use crate::credentials::SessionVerifier;
use crate::dlp::SecretScanner;
use crate::head::MAX_HEAD_BYTES;
use crate::hosts::HostPattern;
use crate::tls::UpstreamRoots;

/// Whether clients must authenticate to the proxy.
#[derive(Clone)]
pub enum ProxyAuth {
    /// No authentication: every request's session is `None`. Only for a
    /// proxy that no untrusted local process can reach.
    Disabled,
    /// Every `CONNECT` and every plain HTTP request must carry
    /// `Proxy-Authorization: Basic base64(session:token)` that the verifier
    /// accepts, or it gets `407` and is recorded as denied. Clients send it
    /// when the proxy URL carries it: `http://SESSION:TOKEN@127.0.0.1:PORT`.
    Required(Arc<dyn SessionVerifier>),
}

impl std::fmt::Debug for ProxyAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProxyAuth::Disabled => f.write_str("Disabled"),
            ProxyAuth::Required(_) => f.write_str("Required(..)"),
        }
    }
}

/// Size limits. Exceeding one is a deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest request head (request line and header fields), in bytes.
    pub max_head_bytes: usize,
    /// The largest request body the proxy buffers to inspect (for brokered
    /// hosts), in bytes, before and after inflating a compressed body. A
    /// larger body is refused with `413`.
    pub max_inspected_body: usize,
    /// The most bytes the objects of one git push may inflate to while the
    /// proxy scans them (see [`crate::git`]). A larger push is refused with
    /// `413`.
    pub max_inspected_push: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head_bytes: MAX_HEAD_BYTES,
            max_inspected_body: 8 * 1024 * 1024,
            max_inspected_push: 64 * 1024 * 1024,
        }
    }
}

/// Timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Reading the first request head of a connection.
    pub head: Duration,
    /// A keep-alive connection waiting for its next request, and a tunnel
    /// in which no byte moves either way, are closed after this.
    pub idle: Duration,
    /// Resolving and connecting to a destination.
    pub connect: Duration,
    /// A TLS handshake, with the client or with the destination.
    pub tls_handshake: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            head: Duration::from_secs(30),
            idle: Duration::from_secs(300),
            connect: Duration::from_secs(15),
            tls_handshake: Duration::from_secs(15),
        }
    }
}

/// Everything the proxy needs besides its decider and broker.
#[derive(Clone)]
pub struct ProxyConfig {
    /// Where to listen. Must be a loopback address; port 0 picks a free
    /// port (read it back from [`crate::RunningProxy::port`]).
    pub listen: SocketAddr,
    /// Proxy authentication.
    pub auth: ProxyAuth,
    /// Hosts whose TLS the proxy terminates, so it can decide each request
    /// by method and path, scan it and inject credentials. Every other host
    /// is tunnelled opaquely.
    pub brokered_hosts: Vec<HostPattern>,
    /// The local CA that signs leaves for brokered hosts; required when
    /// `brokered_hosts` is not empty.
    pub ca: Option<Arc<LocalCa>>,
    /// The roots that verify brokered destinations.
    pub upstream_roots: UpstreamRoots,
    /// The caller's secret detector, run on everything the proxy can read.
    pub scanner: Option<Arc<dyn SecretScanner>>,
    /// Size limits.
    pub limits: Limits,
    /// Timeouts.
    pub timeouts: Timeouts,
    /// Whether destinations may resolve to loopback, private or link-local
    /// addresses. Off by default: the sandbox must not reach the host's own
    /// services or cloud metadata through the proxy.
    pub allow_private_destinations: bool,
    /// Worker threads of the runtime that [`crate::Proxy::bind`] starts.
    pub worker_threads: usize,
}

impl std::fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyConfig")
            .field("listen", &self.listen)
            .field("auth", &self.auth)
            .field("brokered_hosts", &self.brokered_hosts)
            .field("ca", &self.ca)
            .field("upstream_roots", &self.upstream_roots.extra.len())
            .field("scanner", &self.scanner.is_some())
            .field("limits", &self.limits)
            .field("timeouts", &self.timeouts)
            .field(
                "allow_private_destinations",
                &self.allow_private_destinations,
            )
            .field("worker_threads", &self.worker_threads)
            .finish()
    }
}

impl Default for ProxyConfig {
    fn default() -> Self {
        ProxyConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            auth: ProxyAuth::Disabled,
            brokered_hosts: Vec::new(),
            ca: None,
            upstream_roots: UpstreamRoots::default(),
            scanner: None,
            limits: Limits::default(),
            timeouts: Timeouts::default(),
            allow_private_destinations: false,
            worker_threads: 2,
        }
    }
}

impl ProxyConfig {
    /// True when `host` (normalized) is brokered.
    pub fn is_brokered(&self, host: &str) -> bool {
        self.brokered_hosts.iter().any(|p| p.matches(host))
    }
}
