//! Host names, `host:port` authorities and brokered-host patterns.

use std::net::IpAddr;

/// A pattern naming brokered hosts: an exact host (`api.github.com`) or
/// every subdomain of a suffix (`*.ghe.com`, which matches `x.ghe.com` and
/// `a.b.ghe.com` but not `ghe.com` itself). Matching is case-insensitive and
/// ignores a trailing dot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPattern {
    /// Exactly this host.
    Exact(String),
    /// Any host ending in `.suffix` (stored with its leading dot).
    Suffix(String),
}

/// Why a host pattern or authority was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    /// Not a usable host name.
    #[error("invalid host {0:?}")]
    InvalidHost(String),
    /// Not `host:port`.
    #[error("invalid authority {0:?}: expected host:port")]
    InvalidAuthority(String),
}

impl HostPattern {
    /// Parses `host` or `*.suffix`.
    pub fn parse(pattern: &str) -> Result<Self, HostError> {
        if let Some(suffix) = pattern.strip_prefix("*.") {
            let host = normalize_host(suffix)?;
            Ok(HostPattern::Suffix(format!(".{host}")))
        } else {
            Ok(HostPattern::Exact(normalize_host(pattern)?))
        }
    }

    /// True when `host` (already normalized) matches.
    pub fn matches(&self, host: &str) -> bool {
        match self {
            HostPattern::Exact(h) => h == host,
            HostPattern::Suffix(s) => host.len() > s.len() && host.ends_with(s.as_str()),
        }
    }
}

/// Lower-cases a host, removes a trailing dot and the brackets of an IPv6
/// literal, and refuses anything that is neither an IP address nor a DNS
/// name made of letters, digits, `-`, `_` and dots.
pub fn normalize_host(host: &str) -> Result<String, HostError> {
    let bad = || HostError::InvalidHost(host.chars().take(100).collect());
    let trimmed = host.strip_suffix('.').unwrap_or(host);
    if let Some(inner) = trimmed.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return match inner.parse::<IpAddr>() {
            Ok(IpAddr::V6(ip)) => Ok(ip.to_string()),
            _ => Err(bad()),
        };
    }
    if let Ok(ip) = trimmed.parse::<IpAddr>() {
        return Ok(ip.to_string());
    }
    if trimmed.is_empty() || trimmed.len() > 253 {
        return Err(bad());
    }
    let ok = trimmed.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    if !ok {
        return Err(bad());
    }
    Ok(trimmed.to_ascii_lowercase())
}

/// Parses a `CONNECT` target: `host:port` or `[v6]:port`, port 1–65535.
pub fn parse_authority(authority: &str) -> Result<(String, u16), HostError> {
    let bad = || HostError::InvalidAuthority(authority.chars().take(100).collect());
    let (host, port) = authority.rsplit_once(':').ok_or_else(bad)?;
    if host.contains('@') || (host.contains(':') && !host.starts_with('[')) {
        return Err(bad());
    }
    let port: u16 = port.parse().map_err(|_| bad())?;
    if port == 0 || !port_digits_ok(authority) {
        return Err(bad());
    }
    let host = normalize_host(host)?;
    Ok((host, port))
}

fn port_digits_ok(authority: &str) -> bool {
    authority
        .rsplit_once(':')
        .map(|(_, p)| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or(false)
}

/// Compares a `Host` header value with the destination the proxy decided
/// on: the host must be the same, and a port, when given, must be the
/// destination's port.
pub fn host_header_matches(value: &[u8], host: &str, port: u16) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    let text = text.trim();
    let (h, p) = match parse_authority(text) {
        Ok((h, p)) => (h, Some(p)),
        Err(_) => match normalize_host(text) {
            Ok(h) => (h, None),
            Err(_) => return false,
        },
    };
    h == host && p.is_none_or(|p| p == port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        let exact = HostPattern::parse("API.GitHub.com.").expect("valid");
        assert!(exact.matches("api.github.com"));
        assert!(!exact.matches("github.com"));
        let suffix = HostPattern::parse("*.ghe.com").expect("valid");
        assert!(suffix.matches("x.ghe.com"));
        assert!(suffix.matches("a.b.ghe.com"));
        assert!(!suffix.matches("ghe.com"));
        assert!(!suffix.matches("evilghe.com"));
        assert!(HostPattern::parse("bad host").is_err());
    }

    #[test]
    fn authorities() {
        assert_eq!(
            parse_authority("Example.COM:443"),
            Ok(("example.com".into(), 443))
        );
        assert_eq!(parse_authority("[::1]:8443"), Ok(("::1".into(), 8443)));
        assert_eq!(
            parse_authority("127.0.0.1:80"),
            Ok(("127.0.0.1".into(), 80))
        );
        for bad in [
            "example.com",
            "example.com:0",
            "example.com:99999",
            "a@b:1",
            "::1:80",
            ":80",
            "exa mple:1",
            "x:+1",
        ] {
            assert!(parse_authority(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn host_headers() {
        assert!(host_header_matches(
            b"api.github.com",
            "api.github.com",
            443
        ));
        assert!(host_header_matches(
            b"API.github.com:443",
            "api.github.com",
            443
        ));
        assert!(!host_header_matches(
            b"api.github.com:444",
            "api.github.com",
            443
        ));
        assert!(!host_header_matches(b"evil.com", "api.github.com", 443));
        assert!(host_header_matches(b"[::1]:8080", "::1", 8080));
    }
}
