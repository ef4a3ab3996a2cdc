//! What the proxy asks its caller, and what it reports back.
//!
//! The proxy holds no policy. For every request it builds an
//! [`EgressRequest`], asks the caller's [`EgressDecider`] for a [`Verdict`],
//! acts on it, and reports what happened through [`EgressDecider::record`]
//! with an [`Outcome`].

use std::fmt;

/// The protocol spoken towards the destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Plain HTTP (an absolute-form `http://` request to the proxy).
    Http,
    /// HTTPS: a `CONNECT` tunnel, or a request read inside an intercepted
    /// one. A `CONNECT` is assumed to carry TLS; the decider still sees the
    /// port and may refuse ports it does not expect.
    Https,
}

impl Scheme {
    /// `"http"` or `"https"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    /// The port a URL of this scheme uses when it names none.
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One egress request, as the proxy sees it, handed to the decider.
///
/// The destination (`host`, `port`) is always the one the proxy will
/// connect to: for intercepted requests it is the `CONNECT` target, never
/// the spoofable `Host` header (a request whose `Host` names another host
/// is refused before it is decided).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EgressRequest {
    /// The session that sent it, from verified proxy authentication;
    /// `None` when the proxy does not require authentication, or when the
    /// request is refused for missing or invalid credentials.
    pub session: Option<String>,
    /// Plain HTTP or HTTPS.
    pub scheme: Scheme,
    /// The destination host, lower-cased, without a trailing dot; an IPv6
    /// address is given without brackets. Empty when the request was too
    /// malformed to name one.
    pub host: String,
    /// The destination port.
    pub port: u16,
    /// The HTTP method; `None` for a `CONNECT` (the tunnel itself, whose
    /// inner requests are decided separately when it is intercepted).
    pub method: Option<String>,
    /// The path and query of the request; `None` for a `CONNECT`. It may
    /// contain anything the client put in the URL, secrets included:
    /// redact before logging.
    pub path: Option<String>,
    /// True when the proxy can read the request's content: every inner
    /// request of a TLS-terminated tunnel, and the `CONNECT` that opens such
    /// a tunnel. False for opaque tunnels and for plain HTTP.
    pub intercepted: bool,
}

impl EgressRequest {
    /// A `scheme://host:port/path` rendering for messages (no secrets are
    /// removed: redact before printing if the path may carry them).
    pub fn url(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!(
            "{}://{}:{}{}",
            self.scheme,
            host,
            self.port,
            self.path.as_deref().unwrap_or("")
        )
    }
}

/// The decider's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Let the request through (it still passes the proxy's own DLP checks
    /// when its content is visible).
    Allow,
    /// Refuse it. The reason is sent to the client in one line (header
    /// `X-Warden-Reason` and the body), so it must not contain secrets.
    Deny {
        /// Why, in one line.
        reason: String,
    },
}

impl Verdict {
    /// A deny with this reason.
    pub fn deny(reason: impl Into<String>) -> Self {
        Verdict::Deny {
            reason: reason.into(),
        }
    }

    /// True for [`Verdict::Allow`].
    pub fn is_allow(&self) -> bool {
        matches!(self, Verdict::Allow)
    }
}

/// What finally happened to a request, reported to [`EgressDecider::record`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The proxy answered the client itself with this status (407, 403, 400,
    /// 413, 431, …) and sent nothing to the destination.
    Refused {
        /// The status code the client got.
        status: u16,
    },
    /// The request went to the destination, which answered with `status`.
    Forwarded {
        /// The destination's status code.
        status: u16,
        /// Whether the proxy injected a brokered credential.
        credential_injected: bool,
    },
    /// An opaque tunnel ran and is now closed.
    Tunnelled {
        /// Bytes from the client to the destination.
        bytes_up: u64,
        /// Bytes from the destination to the client.
        bytes_down: u64,
    },
    /// The `CONNECT` was accepted and TLS is being terminated by the proxy;
    /// every inner request is decided and recorded on its own.
    Intercepted,
    /// Allowed, but the destination could not be reached or failed; the
    /// client got `status` (502 or 504).
    UpstreamFailed {
        /// The status code the client got.
        status: u16,
        /// What failed (no secrets).
        reason: String,
    },
}

/// The caller's policy: decides every request and hears every outcome.
///
/// Both methods are called on the proxy's runtime threads and must not
/// block for long. A panic in either is caught: a panicking `decide` is a
/// deny, a panicking `record` is ignored.
pub trait EgressDecider: Send + Sync + 'static {
    /// Decides one request. Called for every `CONNECT`, every plain HTTP
    /// request and every request inside an intercepted tunnel, before
    /// anything is sent to the destination. A caller that must record a
    /// decision before it takes effect records it here.
    fn decide(&self, request: &EgressRequest) -> Verdict;

    /// Reports the final verdict (which is a deny when the proxy refused a
    /// request the decider allowed, e.g. for a secret in its body) and what
    /// happened. Called exactly once per decided or refused request; the
    /// default does nothing.
    fn record(&self, request: &EgressRequest, verdict: &Verdict, outcome: &Outcome) {
        let _ = (request, verdict, outcome);
    }
}

impl<T: EgressDecider + ?Sized> EgressDecider for std::sync::Arc<T> {
    fn decide(&self, request: &EgressRequest) -> Verdict {
        (**self).decide(request)
    }
    fn record(&self, request: &EgressRequest, verdict: &Verdict, outcome: &Outcome) {
        (**self).record(request, verdict, outcome)
    }
}
