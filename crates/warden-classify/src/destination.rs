//! Network destinations: extracting hosts from URLs, git remotes and
//! scp/rsync arguments, and classifying them by configurable host patterns.
//!
//! Everything here is pure string logic: no DNS, no syscalls.

use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, Ipv6Addr};
use warden_action::DestinationClass;

/// Host patterns per destination class; `*` matches any run of characters
/// (within a host, including dots). Leading `*.` also matches the bare domain
/// (`*.github.com` matches `github.com`).
///
/// Production patterns without a dot are also tried against each
/// dot-separated label of the host, so `prod-*` matches
/// `prod-db.example.com` and `*-prod` matches `api-prod.example.com`. That
/// widening is only applied to production: over-matching production makes a
/// policy stricter, while over-matching a trusted class would loosen it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DestinationConfig {
    /// Package registries (npm, PyPI, crates.io, distribution mirrors, …).
    pub package_registry: Vec<String>,
    /// Code hosts (GitHub, GitLab, …).
    pub code_hosting: Vec<String>,
    /// Documentation sites.
    pub docs: Vec<String>,
    /// Internal hosts; private address ranges are internal without a pattern.
    pub internal: Vec<String>,
    /// Production hosts; checked before every other class.
    pub production: Vec<String>,
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

impl Default for DestinationConfig {
    fn default() -> Self {
        DestinationConfig {
            package_registry: strings(&[
                "registry.npmjs.org",
                "registry.yarnpkg.com",
                "pypi.org",
                "pypi.python.org",
                "files.pythonhosted.org",
                "crates.io",
                "static.crates.io",
                "index.crates.io",
                "static.rust-lang.org",
                "proxy.golang.org",
                "sum.golang.org",
                "index.golang.org",
                "rubygems.org",
                "index.rubygems.org",
                "repo.maven.apache.org",
                "repo1.maven.org",
                "plugins.gradle.org",
                "services.gradle.org",
                "maven.google.com",
                "api.nuget.org",
                "repo.packagist.org",
                "packagist.org",
                "hex.pm",
                "repo.hex.pm",
                "pub.dev",
                "repo.anaconda.com",
                "conda.anaconda.org",
                "registry.terraform.io",
                "deb.debian.org",
                "security.debian.org",
                "archive.ubuntu.com",
                "*.archive.ubuntu.com",
                "security.ubuntu.com",
                "ports.ubuntu.com",
                "dl-cdn.alpinelinux.org",
                "registry-1.docker.io",
                "auth.docker.io",
                "registry.hub.docker.com",
                "ghcr.io",
                "quay.io",
            ]),
            code_hosting: strings(&[
                "github.com",
                "*.github.com",
                "api.github.com",
                "raw.githubusercontent.com",
                "objects.githubusercontent.com",
                "codeload.github.com",
                "gist.github.com",
                "*.githubusercontent.com",
                "gitlab.com",
                "*.gitlab.com",
                "bitbucket.org",
                "*.bitbucket.org",
                "codeberg.org",
                "git.sr.ht",
                "dev.azure.com",
            ]),
            docs: strings(&[
                "docs.rs",
                "doc.rust-lang.org",
                "developer.mozilla.org",
                "docs.python.org",
                "*.readthedocs.io",
                "learn.microsoft.com",
                "nodejs.org",
                "go.dev",
                "pkg.go.dev",
                "kubernetes.io",
                "stackoverflow.com",
                "*.stackexchange.com",
                "en.cppreference.com",
                "docs.npmjs.com",
                "docs.docker.com",
                "man7.org",
            ]),
            internal: strings(&[
                "*.internal",
                "*.corp",
                "*.lan",
                "*.intranet",
                "*.local",
                "*.localdomain",
                "*.home.arpa",
            ]),
            production: strings(&[
                "*.prod.*",
                "prod.*",
                "prod-*",
                "*-prod",
                "*-prod.*",
                "prod",
                "*.production.*",
                "production.*",
                "production-*",
                "*-production",
                "production",
            ]),
        }
    }
}

/// The simple glob used above (also reused by other modules for kube
/// contexts and AWS profiles): `*` matches any run of characters, everything
/// else matches itself, case-sensitively.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    // Byte-wise matching is exact for UTF-8 because the only metacharacter
    // is ASCII; the single-backtrack-point algorithm keeps it O(n·m) with
    // no recursion, whatever the pattern.
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<usize> = None;
    let mut mark = 0usize;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            pi += 1;
            mark = ti;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// Whether a host pattern matches a host: [`glob_match`] after lower-casing
/// both, where a leading `*.` also matches the bare domain.
pub fn host_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim().to_ascii_lowercase();
    let host = host.to_ascii_lowercase();
    if pattern.is_empty() {
        return false;
    }
    if let Some(bare) = pattern.strip_prefix("*.") {
        if glob_match(bare, &host) {
            return true;
        }
    }
    glob_match(&pattern, &host)
}

/// Production matching: whole-host, or per label for dotless patterns so
/// `prod-*` and `*-prod` respect label boundaries (never `product.com`).
fn production_matches(pattern: &str, host: &str) -> bool {
    if host_matches(pattern, host) {
        return true;
    }
    let pattern = pattern.trim().to_ascii_lowercase();
    !pattern.is_empty()
        && !pattern.contains('.')
        && host.split('.').any(|label| glob_match(&pattern, label))
}

/// The host (lower-case, no port, no userinfo, IPv6 brackets kept off) of a
/// URL like `https://user:pw@Host:443/x`, or of a bare `host:port` or
/// `host/path`. `file:` URLs and strings that are not a host give `None`.
pub fn host_of_url(url: &str) -> Option<String> {
    let url = url.trim();
    if let Some((scheme, rest)) = split_scheme(url) {
        if scheme.eq_ignore_ascii_case("file") {
            return None;
        }
        // With an explicit scheme, whatever stands in the authority is the
        // host the client will contact: keep odd hosts (`$HOST`) so callers
        // see an unknown destination rather than none.
        return authority_host(rest, false);
    }
    if let Some(rest) = url.strip_prefix("//") {
        return authority_host(rest, false);
    }
    // A bare string with spaces is prose, not a host.
    if url.contains(char::is_whitespace) {
        return None;
    }
    authority_host(url, true)
}

/// Splits `scheme://rest` when the scheme is well formed.
fn split_scheme(url: &str) -> Option<(&str, &str)> {
    let idx = url.find("://")?;
    let scheme = &url[..idx];
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (first_ok && rest_ok).then(|| (scheme, &url[idx + 3..]))
}

/// The host of an authority (`user@host:port`) at the start of `rest`.
/// `strict` rejects anything that does not look like a host name or address.
fn authority_host(rest: &str, strict: bool) -> Option<String> {
    // Backslash ends the authority too: browsers treat it as `/`, and
    // `https://evil\@good` must not be read as `good`.
    let end = rest
        .find(|c: char| matches!(c, '/' | '?' | '#' | '\\') || c.is_whitespace())
        .unwrap_or(rest.len());
    let authority = &rest[..end];
    let hostport = match authority.rfind('@') {
        Some(i) => &authority[i + 1..],
        None => authority,
    };
    let host = if let Some(inner) = hostport.strip_prefix('[') {
        let close = inner.find(']')?;
        let after = &inner[close + 1..];
        if !(after.is_empty() || port_ok(after.strip_prefix(':')?)) && strict {
            return None;
        }
        let v6 = &inner[..close];
        if strict && v6.split('%').next()?.parse::<Ipv6Addr>().is_err() {
            return None;
        }
        v6
    } else {
        let colons = hostport.matches(':').count();
        if colons > 1 {
            // An unbracketed IPv6 literal is only taken whole.
            hostport.parse::<Ipv6Addr>().ok()?;
            hostport
        } else if let Some((h, port)) = hostport.split_once(':') {
            if strict && !port_ok(port) {
                return None;
            }
            h
        } else {
            hostport
        }
    };
    let host = host.trim_end_matches('.').to_lowercase();
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    if strict && !host.contains(':') && !host_chars_ok(&host) {
        return None;
    }
    Some(host)
}

fn port_ok(port: &str) -> bool {
    port.chars().all(|c| c.is_ascii_digit())
}

/// Characters a DNS name or IPv4 literal may hold (non-ASCII for IDNs).
fn host_chars_ok(host: &str) -> bool {
    host.chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_'))
        && !host.starts_with('-')
}

/// The host of a git remote: URLs, scp-like `git@github.com:org/repo.git`,
/// `ssh://`; file paths, `file://` and command transports (`ext::`) give
/// `None`.
pub fn host_of_git_remote(remote: &str) -> Option<String> {
    let remote = remote.trim();
    if remote.is_empty() {
        return None;
    }
    // `<transport>::<address>` selects a remote helper (git checks this
    // before anything else); `ext::` and `fd::` run commands or use
    // descriptors, so there is no host to report. A loop, not recursion, so
    // `a::a::a::…` cannot exhaust the stack.
    let mut remote = remote;
    while let Some(idx) = remote.find("::") {
        let transport = &remote[..idx];
        let is_transport = transport
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && transport
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.'));
        if !is_transport {
            break;
        }
        if matches!(transport, "ext" | "fd") {
            return None;
        }
        remote = remote[idx + 2..].trim();
    }
    if split_scheme(remote).is_some() {
        return host_of_url(remote);
    }
    host_of_remote_spec(remote)
}

/// The host of an scp/rsync/ssh argument like `user@host:path`,
/// `host:path` or `host::module` (or an `scp://`/`rsync://` URL). A token is
/// remote only when a `:` comes before any `/` and the host part is a valid
/// host name, so `./a:b`, `/x:y` and options (`-o`) give `None`.
pub fn host_of_remote_spec(spec: &str) -> Option<String> {
    let spec = spec.trim();
    if spec.is_empty() || spec.starts_with('-') {
        return None;
    }
    if split_scheme(spec).is_some() {
        return host_of_url(spec);
    }
    // Find the first `:` outside IPv6 brackets; a `/` before it makes the
    // token a local path (that is also scp's and git's rule).
    let mut in_bracket = false;
    let mut sep = None;
    for (i, c) in spec.char_indices() {
        match c {
            '[' => in_bracket = true,
            ']' => in_bracket = false,
            '/' if !in_bracket => return None,
            ':' if !in_bracket => {
                sep = Some(i);
                break;
            }
            _ => {}
        }
    }
    let sep = sep?;
    let userhost = &spec[..sep];
    let after = &spec[sep + 1..];
    let host = match userhost.rfind('@') {
        Some(i) => &userhost[i + 1..],
        None => userhost,
    };
    // `C:\dir` or `C:/dir` is a drive letter, not a one-letter host.
    if host.len() == 1 && (after.starts_with('\\') || after.starts_with('/')) {
        return None;
    }
    let host = if let Some(inner) = host.strip_prefix('[') {
        let v6 = inner.strip_suffix(']')?;
        v6.split('%').next()?.parse::<Ipv6Addr>().ok()?;
        v6
    } else {
        host
    };
    let host = host.trim_end_matches('.').to_lowercase();
    if host.is_empty() || (!host.contains(':') && !host_chars_ok(&host)) {
        return None;
    }
    Some(host)
}

/// Class of a host: production patterns first, then loopback (`localhost`,
/// 127.0.0.0/8, `::1` → Local), internal patterns and private addresses
/// (10/8, 172.16/12, 192.168/16, link-local, CGNAT, IPv6 ULA → Internal),
/// package registries, code hosting, docs, else Unknown.
pub fn classify_host(host: &str, cfg: &DestinationConfig) -> DestinationClass {
    let host = normalize_host(host);
    if host.is_empty() {
        return DestinationClass::Unknown;
    }
    if cfg.production.iter().any(|p| production_matches(p, &host)) {
        return DestinationClass::Production;
    }
    let ip = parse_ip(&host);
    if is_loopback_name(&host) || ip.as_ref().is_some_and(IpKind::is_loopback) {
        return DestinationClass::Local;
    }
    if ip.as_ref().is_some_and(IpKind::is_private) || any_match(&cfg.internal, &host) {
        return DestinationClass::Internal;
    }
    if any_match(&cfg.package_registry, &host) {
        return DestinationClass::PackageRegistry;
    }
    if any_match(&cfg.code_hosting, &host) {
        return DestinationClass::CodeHosting;
    }
    if any_match(&cfg.docs, &host) {
        return DestinationClass::Docs;
    }
    DestinationClass::Unknown
}

fn any_match(patterns: &[String], host: &str) -> bool {
    patterns.iter().any(|p| host_matches(p, host))
}

/// Lower-cases and strips what a caller may have left on: brackets, a
/// `:port`, a trailing root dot.
fn normalize_host(host: &str) -> String {
    let h = host.trim();
    let h = if let Some(inner) = h.strip_prefix('[') {
        inner.split(']').next().unwrap_or(inner)
    } else {
        match h.split_once(':') {
            Some((name, port)) if !port.contains(':') && port_ok(port) => name,
            _ => h,
        }
    };
    h.trim_end_matches('.').to_lowercase()
}

fn is_loopback_name(host: &str) -> bool {
    // RFC 6761 reserves `localhost` and everything under it for loopback.
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "localhost.localdomain"
        || host == "ip6-localhost"
        || host == "ip6-loopback"
}

enum IpKind {
    V4(Ipv4Addr),
    V6(Ipv6Addr),
}

impl IpKind {
    fn is_loopback(&self) -> bool {
        match self {
            // 0.0.0.0 reaches the local host when connected to on Linux.
            IpKind::V4(a) => a.is_loopback() || a.is_unspecified(),
            IpKind::V6(a) => {
                a.is_loopback()
                    || a.is_unspecified()
                    || a.to_ipv4_mapped()
                        .is_some_and(|v4| IpKind::V4(v4).is_loopback())
            }
        }
    }

    fn is_private(&self) -> bool {
        match self {
            IpKind::V4(a) => {
                let o = a.octets();
                a.is_private()
                    || a.is_link_local() // 169.254/16, including cloud metadata
                    || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64/10 (CGNAT, tailnets)
            }
            IpKind::V6(a) => {
                let s = a.segments();
                (s[0] & 0xfe00) == 0xfc00 // fc00::/7 unique local
                    || (s[0] & 0xffc0) == 0xfe80 // fe80::/10 link-local
                    || a.to_ipv4_mapped()
                        .is_some_and(|v4| IpKind::V4(v4).is_private())
            }
        }
    }
}

fn parse_ip(host: &str) -> Option<IpKind> {
    if host.contains(':') {
        let addr = host.split('%').next()?;
        return addr.parse::<Ipv6Addr>().ok().map(IpKind::V6);
    }
    parse_ipv4_loose(host).map(IpKind::V4)
}

/// Parses IPv4 the way `inet_aton` (and so curl, wget, ping) does: one to
/// four parts, each decimal, octal (`0` prefix) or hex (`0x`), the last part
/// filling the remaining bytes. `http://2130706433/` is loopback.
fn parse_ipv4_loose(host: &str) -> Option<Ipv4Addr> {
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == '.' || c == 'x')
    {
        return None;
    }
    let parts: Vec<&str> = host.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut nums = Vec::with_capacity(parts.len());
    for part in &parts {
        nums.push(parse_ipv4_part(part)?);
    }
    let (last, init) = nums.split_last()?;
    let mut value: u64 = 0;
    for (i, n) in init.iter().enumerate() {
        if *n > 0xff {
            return None;
        }
        value |= n << (8 * (3 - i));
    }
    let rest_bits = 8 * (4 - init.len());
    if rest_bits < 64 && *last >= (1u64 << rest_bits) {
        return None;
    }
    value |= last;
    u32::try_from(value).ok().map(Ipv4Addr::from)
}

fn parse_ipv4_part(part: &str) -> Option<u64> {
    if part.is_empty() || part.len() > 12 {
        return None;
    }
    if let Some(hex) = part.strip_prefix("0x") {
        if hex.is_empty() {
            return Some(0);
        }
        return u64::from_str_radix(hex, 16).ok();
    }
    if part.len() > 1 && part.starts_with('0') {
        return u64::from_str_radix(&part[1..], 8).ok();
    }
    part.parse::<u64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn class(host: &str) -> DestinationClass {
        classify_host(host, &DestinationConfig::default())
    }

    #[test]
    fn glob_basics() {
        assert!(glob_match("*", ""));
        assert!(glob_match("*", "anything.at.all"));
        assert!(glob_match("a*c", "abc"));
        assert!(glob_match("a*c", "ac"));
        assert!(!glob_match("a*c", "ab"));
        assert!(glob_match("*.prod.*", "db.prod.example.com"));
        assert!(!glob_match("abc", "ABC"));
        assert!(glob_match("prod-*", "prod-db.example.com"));
        assert!(glob_match("**a**", "xxaxx"));
        assert!(!glob_match("", "a"));
        assert!(glob_match("", ""));
    }

    #[test]
    fn host_pattern_matches_bare_domain() {
        assert!(host_matches("*.github.com", "github.com"));
        assert!(host_matches("*.github.com", "api.GitHub.com"));
        assert!(!host_matches("*.github.com", "evilgithub.com"));
        assert!(!host_matches("", "github.com"));
    }

    #[test]
    fn url_hosts() {
        let h = |u: &str| host_of_url(u);
        assert_eq!(
            h("https://user:pw@Host.Example.com:443/x"),
            Some("host.example.com".into())
        );
        assert_eq!(h("http://[::1]:8080/x"), Some("::1".into()));
        assert_eq!(h("example.com:8080"), Some("example.com".into()));
        assert_eq!(h("example.com/path?q"), Some("example.com".into()));
        assert_eq!(h("localhost"), Some("localhost".into()));
        assert_eq!(
            h("//cdn.example.com/lib.js"),
            Some("cdn.example.com".into())
        );
        assert_eq!(h("https://github.com@evil.com/"), Some("evil.com".into()));
        assert_eq!(h("https://evil.com\\@github.com/"), Some("evil.com".into()));
        assert_eq!(h("https://example.com./"), Some("example.com".into()));
        assert_eq!(h("https://$HOST/x"), Some("$host".into()));
        assert_eq!(h("file:///etc/passwd"), None);
        assert_eq!(h("https:///x"), None);
        assert_eq!(h("data:text/plain,hi"), None);
        assert_eq!(h("not a host"), None);
        assert_eq!(h(""), None);
        assert_eq!(h("::1"), Some("::1".into()));
        assert_eq!(h("mailto:someone@example.com"), Some("example.com".into()));
    }

    #[test]
    fn git_remote_hosts() {
        let h = |u: &str| host_of_git_remote(u);
        assert_eq!(h("git@github.com:org/repo.git"), Some("github.com".into()));
        assert_eq!(h("https://github.com/org/repo"), Some("github.com".into()));
        assert_eq!(
            h("ssh://git@gitlab.com:2222/org/repo"),
            Some("gitlab.com".into())
        );
        assert_eq!(h("git://example.org/repo"), Some("example.org".into()));
        assert_eq!(h("github.com:org/repo"), Some("github.com".into()));
        assert_eq!(h("/srv/git/repo.git"), None);
        assert_eq!(h("../repo"), None);
        assert_eq!(h("./a:b"), None);
        assert_eq!(h("file:///srv/git/repo"), None);
        assert_eq!(h("ext::ssh -o ProxyCommand=x host %S"), None);
        assert_eq!(
            h("codecommit::https://git.example.com/v1/repos/x"),
            Some("git.example.com".into())
        );
        assert_eq!(h("git@[::1]:repo"), Some("::1".into()));
        assert_eq!(h(""), None);
    }

    #[test]
    fn remote_specs() {
        let h = |u: &str| host_of_remote_spec(u);
        assert_eq!(
            h("user@Host.example.com:/tmp/x"),
            Some("host.example.com".into())
        );
        assert_eq!(h("host:path"), Some("host".into()));
        assert_eq!(h("backup::module/dir"), Some("backup".into()));
        assert_eq!(
            h("rsync://mirror.example.org/pub"),
            Some("mirror.example.org".into())
        );
        assert_eq!(h("./a:b"), None);
        assert_eq!(h("/abs/a:b"), None);
        assert_eq!(h("plainfile"), None);
        assert_eq!(h(":path"), None);
        assert_eq!(h("user@:path"), None);
        assert_eq!(h("-oProxyCommand=x:y"), None);
        assert_eq!(h("C:\\Users\\x"), None);
        assert_eq!(h("a b:c"), None);
    }

    #[test]
    fn classes() {
        use DestinationClass::*;
        assert_eq!(class("registry.npmjs.org"), PackageRegistry);
        assert_eq!(class("crates.io"), PackageRegistry);
        assert_eq!(class("github.com"), CodeHosting);
        assert_eq!(class("API.GitHub.com"), CodeHosting);
        assert_eq!(class("raw.githubusercontent.com"), CodeHosting);
        assert_eq!(class("docs.rs"), Docs);
        assert_eq!(class("requests.readthedocs.io"), Docs);
        assert_eq!(class("localhost"), Local);
        assert_eq!(class("app.localhost"), Local);
        assert_eq!(class("127.0.0.1"), Local);
        assert_eq!(class("127.8.9.10"), Local);
        assert_eq!(class("2130706433"), Local);
        assert_eq!(class("0x7f.1"), Local);
        assert_eq!(class("::1"), Local);
        assert_eq!(class("[::1]"), Local);
        assert_eq!(class("[::1]:8080"), Local);
        assert_eq!(class("localhost:3000"), Local);
        assert_eq!(class("github.com:443"), CodeHosting);
        assert_eq!(class("::ffff:127.0.0.1"), Local);
        assert_eq!(class("0.0.0.0"), Local);
        assert_eq!(class("10.1.2.3"), Internal);
        assert_eq!(class("172.16.0.1"), Internal);
        assert_eq!(class("172.31.255.255"), Internal);
        assert_eq!(class("172.32.0.1"), Unknown);
        assert_eq!(class("192.168.1.1"), Internal);
        assert_eq!(class("169.254.169.254"), Internal);
        assert_eq!(class("fd00::1"), Internal);
        assert_eq!(class("db.corp"), Internal);
        assert_eq!(class("printer.local"), Internal);
        assert_eq!(class("internal"), Internal);
        assert_eq!(class("example.com"), Unknown);
        assert_eq!(class("8.8.8.8"), Unknown);
        assert_eq!(class(""), Unknown);
        assert_eq!(class("1.2.3.4.5"), Unknown);
    }

    #[test]
    fn production_respects_labels() {
        use DestinationClass::*;
        assert_eq!(class("prod-db.example.com"), Production);
        assert_eq!(class("api-prod"), Production);
        assert_eq!(class("api-prod.example.com"), Production);
        assert_eq!(class("db.prod.example.com"), Production);
        assert_eq!(class("prod.example.com"), Production);
        assert_eq!(class("x.production.example.com"), Production);
        assert_eq!(class("eu.prod-cluster.example.com"), Production);
        assert_eq!(class("prod"), Production);
        // Production wins over every other class.
        assert_eq!(class("prod.internal"), Production);
        assert_eq!(class("product.example.com"), Unknown);
        assert_eq!(class("producthunt.com"), Unknown);
        assert_eq!(class("reproduce.io"), Unknown);
        assert_eq!(class("products-api.example.com"), Unknown);
        assert_eq!(class("prodigy.net"), Unknown);
    }

    #[test]
    fn custom_production_patterns() {
        let cfg = DestinationConfig {
            production: vec!["*.live.example.com".into()],
            ..DestinationConfig::default()
        };
        assert_eq!(
            classify_host("eu.live.example.com", &cfg),
            DestinationClass::Production
        );
        // Dotted patterns are not widened to labels.
        assert_eq!(
            classify_host("live.example.com.evil.org", &cfg),
            DestinationClass::Unknown
        );
    }

    #[test]
    fn loose_ipv4() {
        assert_eq!(parse_ipv4_loose("127.1"), Some(Ipv4Addr::new(127, 0, 0, 1)));
        assert_eq!(
            parse_ipv4_loose("0177.0.0.1"),
            Some(Ipv4Addr::new(127, 0, 0, 1))
        );
        assert_eq!(
            parse_ipv4_loose("10.0.65535"),
            Some(Ipv4Addr::new(10, 0, 255, 255))
        );
        assert_eq!(parse_ipv4_loose("4294967296"), None);
        assert_eq!(parse_ipv4_loose("256.1.1.1"), None);
        assert_eq!(parse_ipv4_loose("cafe"), None);
        assert_eq!(parse_ipv4_loose("1..2"), None);
    }

    proptest! {
        #[test]
        fn url_parsers_never_panic(s in ".*") {
            let _ = host_of_url(&s);
            let _ = host_of_git_remote(&s);
            let _ = host_of_remote_spec(&s);
            let _ = classify_host(&s, &DestinationConfig::default());
        }

        #[test]
        fn url_parsers_never_panic_on_urlish(s in "[a-z]{0,5}(://)?[a-z@:\\[\\]./0-9%\\\\]{0,30}") {
            let _ = host_of_url(&s);
            let _ = host_of_git_remote(&s);
            let _ = host_of_remote_spec(&s);
        }

        #[test]
        fn glob_never_panics(p in ".*", t in ".*") {
            let _ = glob_match(&p, &t);
        }

        #[test]
        fn star_matches_everything(s in ".*") {
            prop_assert!(glob_match("*", &s));
        }

        #[test]
        fn literal_matches_itself(s in "[^*]*") {
            prop_assert!(glob_match(&s, &s));
        }
    }
}
