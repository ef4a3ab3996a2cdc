//! The request-head parser for the first request on a client connection.
//!
//! The proxy reads the first head itself (with `httparse`) to tell a
//! `CONNECT` from a plain HTTP request, to check proxy authentication and to
//! refuse malformed or oversized input with a recorded deny. Everything
//! after that (bodies, later requests on a keep-alive connection, requests
//! inside an intercepted tunnel) is read by hyper.

use base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;
use base64::Engine as _;

use crate::credentials::SecretString;

/// The largest request head the proxy accepts, in bytes (request line and
/// all header fields).
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// The most header fields the proxy accepts in one head.
pub const MAX_HEADERS: usize = 128;

/// One header field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderField {
    /// The name as sent (compare case-insensitively).
    pub name: String,
    /// The value, without surrounding whitespace. Not necessarily UTF-8.
    pub value: Vec<u8>,
}

/// A parsed HTTP/1.x request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    /// The method token, as sent (methods are case-sensitive).
    pub method: String,
    /// The request target: `host:port` for `CONNECT`, an absolute URL for a
    /// proxied plain HTTP request, `/path` for an origin-form one.
    pub target: String,
    /// The minor version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor_version: u8,
    /// The header fields, in order.
    pub headers: Vec<HeaderField>,
}

/// The result of feeding bytes to [`parse_head`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadStatus {
    /// A whole head was read; it took `len` bytes of the input.
    Complete {
        /// The head.
        head: RequestHead,
        /// How many input bytes it took, including the final blank line.
        len: usize,
    },
    /// More bytes are needed.
    Partial,
}

/// Why a head was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeadError {
    /// The head is longer than the limit.
    #[error("request head exceeds {limit} bytes")]
    TooLarge {
        /// The limit in force.
        limit: usize,
    },
    /// More than [`MAX_HEADERS`] header fields.
    #[error("request head has more than {MAX_HEADERS} header fields")]
    TooManyHeaders,
    /// Not a valid HTTP/1.x request head.
    #[error("malformed request head: {0}")]
    Malformed(&'static str),
}

/// Parses a request head from the start of `buf`.
///
/// Returns [`HeadStatus::Partial`] while the head is incomplete and no
/// longer than `limit`; an error as soon as it is malformed or longer than
/// `limit`. Never panics, whatever the input.
pub fn parse_head(buf: &[u8], limit: usize) -> Result<HeadStatus, HeadError> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut fields);
    match req.parse(buf) {
        Ok(httparse::Status::Partial) => {
            if buf.len() > limit {
                Err(HeadError::TooLarge { limit })
            } else {
                Ok(HeadStatus::Partial)
            }
        }
        Ok(httparse::Status::Complete(len)) => {
            if len > limit {
                return Err(HeadError::TooLarge { limit });
            }
            let method = req.method.ok_or(HeadError::Malformed("no method"))?;
            let target = req.path.ok_or(HeadError::Malformed("no request target"))?;
            let minor_version = req.version.ok_or(HeadError::Malformed("no version"))?;
            if target.is_empty() {
                return Err(HeadError::Malformed("empty request target"));
            }
            let headers = req
                .headers
                .iter()
                .map(|h| HeaderField {
                    name: h.name.to_string(),
                    value: h.value.to_vec(),
                })
                .collect();
            Ok(HeadStatus::Complete {
                head: RequestHead {
                    method: method.to_string(),
                    target: target.to_string(),
                    minor_version,
                    headers,
                },
                len,
            })
        }
        Err(httparse::Error::TooManyHeaders) => Err(HeadError::TooManyHeaders),
        Err(e) => Err(HeadError::Malformed(match e {
            httparse::Error::HeaderName => "invalid header name",
            httparse::Error::HeaderValue => "invalid header value",
            httparse::Error::NewLine => "invalid line ending",
            httparse::Error::Status => "invalid status",
            httparse::Error::Token => "invalid token",
            httparse::Error::Version => "invalid HTTP version",
            _ => "invalid request",
        })),
    }
}

impl RequestHead {
    /// The value of the first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_slice())
    }

    /// How many header fields are named `name` (case-insensitive).
    pub fn header_count(&self, name: &str) -> usize {
        self.headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .count()
    }

    /// True for a `CONNECT` request.
    pub fn is_connect(&self) -> bool {
        self.method == "CONNECT"
    }

    /// Serializes the head back to bytes (`METHOD target HTTP/1.x`, each
    /// field, a blank line). Parsing the result gives back an equal head.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.target.len());
        out.extend_from_slice(self.method.as_bytes());
        out.push(b' ');
        out.extend_from_slice(self.target.as_bytes());
        out.extend_from_slice(b" HTTP/1.");
        out.push(b'0' + self.minor_version.min(9));
        out.extend_from_slice(b"\r\n");
        for h in &self.headers {
            out.extend_from_slice(h.name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(&h.value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

/// Credentials from a `Proxy-Authorization: Basic …` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyCredentials {
    /// The session id (the user part).
    pub session: String,
    /// The session's proxy token (the password part).
    pub token: SecretString,
}

/// Parses a `Proxy-Authorization` value of the `Basic` scheme into the
/// session and token. `None` for any other scheme or malformed value.
pub fn parse_proxy_authorization(value: &[u8]) -> Option<ProxyCredentials> {
    let text = std::str::from_utf8(value).ok()?.trim();
    let (scheme, rest) = text.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = zeroize::Zeroizing::new(STANDARD_PAD_INDIFFERENT.decode(rest.trim()).ok()?);
    let decoded = std::str::from_utf8(&decoded).ok()?;
    let (session, token) = decoded.split_once(':')?;
    if session.is_empty() {
        return None;
    }
    Some(ProxyCredentials {
        session: session.to_string(),
        token: SecretString::new(token),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(buf: &[u8]) -> (RequestHead, usize) {
        match parse_head(buf, MAX_HEAD_BYTES) {
            Ok(HeadStatus::Complete { head, len }) => (head, len),
            other => panic!("not complete: {other:?}"),
        }
    }

    #[test]
    fn parses_connect() {
        let (h, len) =
            complete(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nextra");
        assert!(h.is_connect());
        assert_eq!(h.target, "example.com:443");
        assert_eq!(h.header("host"), Some(&b"example.com:443"[..]));
        assert_eq!(len, 59);
    }

    #[test]
    fn partial_then_too_large() {
        assert_eq!(
            parse_head(b"GET / HTTP/1.1\r\nA: b", 100),
            Ok(HeadStatus::Partial)
        );
        let big = vec![b'a'; 200];
        let mut buf = b"GET / HTTP/1.1\r\nA: ".to_vec();
        buf.extend_from_slice(&big);
        assert_eq!(
            parse_head(&buf, 100),
            Err(HeadError::TooLarge { limit: 100 })
        );
    }

    #[test]
    fn malformed_is_an_error() {
        assert!(parse_head(b"GET / HTTP/9.9\r\n\r\n", 100).is_err());
        assert!(parse_head(b"G(T / HTTP/1.1\r\n\r\n", 100).is_err());
        assert!(parse_head(b"\x00\x01\x02\r\n\r\n", 100).is_err());
    }

    #[test]
    fn proxy_authorization() {
        let v = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("sess-1:tok:en")
        );
        let c = parse_proxy_authorization(v.as_bytes()).expect("parsed");
        assert_eq!(c.session, "sess-1");
        assert_eq!(c.token.expose(), "tok:en");
        assert!(parse_proxy_authorization(b"Bearer abc").is_none());
        assert!(parse_proxy_authorization(b"Basic !!!").is_none());
        assert!(parse_proxy_authorization(b"Basic").is_none());
    }
}
