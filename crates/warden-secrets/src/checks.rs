//! Running one rule over one window, and everything that decides whether a
//! regex match is a secret: allow-lists, entropy, and per-format checks.

use crate::rules::{Check, Rule, Tier};
use aho_corasick::AhoCorasick;
use regex::bytes::{Captures, Regex};
use std::collections::HashSet;
use std::sync::OnceLock;

/// A validated match before overlap resolution.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub(crate) tier: Tier,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) rule: usize,
}

/// Runs rule `ri` over `buf[ws..we]` (look-behind sees the bytes before
/// `ws`) and appends the matches that pass its checks.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_rule(
    ri: usize,
    rule: &Rule,
    re: &Regex,
    buf: &[u8],
    ws: usize,
    we: usize,
    allowed: &HashSet<Vec<u8>>,
    out: &mut Vec<Candidate>,
) {
    let hay = &buf[..we];
    let mut pos = ws;
    let mut rejected = 0usize;
    while pos < we {
        let Some(caps) = re.captures_at(hay, pos) else {
            break;
        };
        let Some(whole) = caps.get(0) else { break };
        let secret = caps.name("secret").unwrap_or(whole);
        let mut next = whole.end().max(pos + 1);
        let (start, end) = (secret.start(), secret.end());
        // A match that runs into a hard cut of the window may be the prefix
        // of a longer token: judge it only when the window ends at a
        // separator.
        let cut = end == we && we < buf.len() && is_token_byte(buf[we]);
        let verdict = if cut || start >= end {
            None
        } else {
            validate(rule, &caps, buf, start, end, allowed)
        };
        match verdict {
            Some((s, e)) => {
                rejected = 0;
                out.push(Candidate {
                    tier: rule.tier,
                    start: s,
                    end: e,
                    rule: ri,
                });
            }
            None => {
                rejected += 1;
                // `token PASSWORD=…`: a later name may hide inside the
                // rejected value; resume right after this name (but not
                // forever: text made of nothing but names would cost one
                // regex search per name).
                if rule.check == Check::Generic && rejected <= 64 {
                    if let Some(name) = caps.name("name") {
                        next = name.end().max(pos + 1);
                    }
                }
            }
        }
        pos = next;
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/' | b'=' | b'.' | b'~' | b'%')
}

/// The secret's final range if the match passes, else `None`.
fn validate(
    rule: &Rule,
    caps: &Captures<'_>,
    buf: &[u8],
    start: usize,
    mut end: usize,
    allowed: &HashSet<Vec<u8>>,
) -> Option<(usize, usize)> {
    match rule.check {
        Check::Pem => {
            end = pem_end(buf, end)?;
        }
        Check::Putty => {
            end = putty_end(buf, end)?;
        }
        Check::Generic => {
            end = generic_end(caps, buf, start, end)?;
        }
        _ => {}
    }
    let value = &buf[start..end];
    // Cheap structural checks first, the allow-list after them.
    if let Some(min) = rule.min_entropy {
        if entropy(value) < min {
            return None;
        }
    }
    let ok = match rule.check {
        Check::None | Check::Pem | Check::Putty => true,
        Check::Jwt => jwt_ok(value),
        Check::BasicAuthB64 => basic_auth_ok(value),
        Check::UrlPassword => {
            let user = caps.name("user").map(|m| m.as_bytes()).unwrap_or_default();
            url_password_ok(user, value)
        }
        Check::AzureSas => azure_sas_ok(buf, start),
        Check::Generic => generic_ok(caps, buf, value),
    };
    if !ok || allowed.contains(value) || has_marker(value) || is_known_example(value) {
        return None;
    }
    let structured = matches!(rule.check, Check::Pem | Check::Putty);
    if !structured && low_information(value) {
        return None;
    }
    Some((start, end))
}

// ------------------------------------------------------------------ allow-list

/// Substrings (lowercase) that mark documentation values and placeholders.
const MARKERS: &[&str] = &[
    "example",
    "xxxx",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "your_",
    "your-",
    "yourtoken",
    "yourpassword",
    "yourkey",
    "yoursecret",
    "yourapikey",
    "<",
    ">",
    "${",
    "{{",
    "}}",
    "%(",
    "$(",
    "redacted",
    "dummy",
    "sample",
    "replace_me",
    "replaceme",
    "insert_",
    "insert-",
    "todo",
    "fixme",
    "*****",
    "....",
    "_here",
    "-here",
    "notreal",
    "not_real",
    "not-real",
    "not_a_real",
    "lorem",
    "ipsum",
];

/// Published example values (from vendor documentation) that are not
/// caught by a marker.
const KNOWN_EXAMPLES: &[&str] = &[
    // Stripe's public documentation test keys.
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
    "sk_test_26PHem9AhJZvU623DfE1x4sd",
    // The jwt.io sample token's signature.
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    // GitHub's documentation token.
    "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
];

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len()
        && hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// One case-insensitive automaton over all markers (built once).
pub(crate) fn has_marker(value: &[u8]) -> bool {
    static AC: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    let ac = AC.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(MARKERS)
            .ok()
    });
    match ac {
        Some(ac) => ac.is_match(value),
        None => MARKERS.iter().any(|m| contains_ci(value, m.as_bytes())),
    }
}

fn is_known_example(value: &[u8]) -> bool {
    static AC: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    let ac = AC.get_or_init(|| AhoCorasick::new(KNOWN_EXAMPLES).ok());
    match ac {
        Some(ac) => ac.is_match(value),
        None => KNOWN_EXAMPLES
            .iter()
            .any(|e| value.windows(e.len()).any(|w| w == e.as_bytes())),
    }
}

/// Shannon entropy in bits per byte.
pub(crate) fn entropy(v: &[u8]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in v {
        counts[usize::from(b)] += 1;
    }
    let n = v.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// The longest alphanumeric run of the value is mostly one character, a
/// short repeated pattern, or an ascending/descending sequence.
pub(crate) fn low_information(value: &[u8]) -> bool {
    let seg = value
        .split(|b| !b.is_ascii_alphanumeric())
        .max_by_key(|s| s.len())
        .unwrap_or_default();
    let n = seg.len();
    if n < 6 {
        return false;
    }
    let mut counts = [0usize; 256];
    for &b in seg {
        counts[usize::from(b)] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(0);
    let distinct = counts.iter().filter(|&&c| c > 0).count();
    if top * 10 >= n * 6 || (n >= 12 && distinct <= 3) {
        return true;
    }
    for period in 1..=4 {
        if n > 2 * period {
            let same = (0..n - period)
                .filter(|&i| seg[i] == seg[i + period])
                .count();
            if same * 10 >= (n - period) * 9 {
                return true;
            }
        }
    }
    let steps = seg.windows(2).filter(|w| {
        let d = i16::from(w[1]) - i16::from(w[0]);
        d == 1 || d == -1
    });
    steps.count() * 10 >= (n - 1) * 8
}

// ------------------------------------------------------------------ formats

/// End of a PEM block whose header ends at `header_end`: through the END
/// line, or through the body when the block is cut short. `None` when
/// fewer than 64 base64 characters follow (a header alone is code, not a
/// key).
fn pem_end(buf: &[u8], header_end: usize) -> Option<usize> {
    let lim = buf.len().min(header_end + 64 * 1024);
    let mut i = header_end;
    let mut b64 = 0usize;
    let mut last_b64 = header_end;
    let mut line_start = true;
    while i < lim {
        let c = buf[i];
        if c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=') {
            // Armor header lines (`Proc-Type: 4,ENCRYPTED`, `Version: …`).
            if line_start {
                let rest = &buf[i..lim.min(i + 80)];
                let key_len = rest
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
                    .count();
                if key_len > 0 && rest.get(key_len) == Some(&b':') {
                    while i < lim && buf[i] != b'\n' && !buf[i..].starts_with(b"\\n") {
                        i += 1;
                    }
                    continue;
                }
            }
            line_start = false;
            b64 += 1;
            i += 1;
            last_b64 = i;
        } else if matches!(c, b' ' | b'\t' | b'\r') {
            i += 1;
        } else if c == b'\n' {
            line_start = true;
            i += 1;
        } else if c == b'\\' && matches!(buf.get(i + 1), Some(b'n' | b'r')) {
            line_start = true;
            i += 2;
        } else if buf[i..].starts_with(b"-----END") || buf[i..].starts_with(b"---- END") {
            if b64 < 64 {
                return None;
            }
            let tail = &buf[i + 8..lim.min(i + 8 + 80)];
            let close = memchr::memmem::find(tail, b"----")?;
            let mut end = i + 8 + close;
            while end < lim && buf[end] == b'-' {
                end += 1;
            }
            return Some(end);
        } else {
            break;
        }
    }
    (b64 >= 64).then_some(last_b64)
}

/// End of a PuTTY key file: the end of its `Private-MAC:` line.
fn putty_end(buf: &[u8], from: usize) -> Option<usize> {
    let lim = buf.len().min(from + 16 * 1024);
    let region = &buf[from..lim];
    memchr::memmem::find(region, b"Private-Lines:")?;
    let mac = memchr::memmem::find(region, b"Private-MAC:")?;
    let line_end = memchr::memchr(b'\n', &region[mac..]).map_or(region.len(), |p| mac + p);
    let mut end = from + line_end;
    while end > from && buf[end - 1] == b'\r' {
        end -= 1;
    }
    Some(end)
}

fn b64_value(c: u8) -> Option<u32> {
    Some(u32::from(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    }))
}

/// Decodes standard or URL-safe base64, padded or not.
pub(crate) fn b64_decode(s: &[u8]) -> Option<Vec<u8>> {
    let s = s
        .strip_suffix(b"==")
        .or_else(|| s.strip_suffix(b"="))
        .unwrap_or(s);
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for &c in s {
        acc = (acc << 6) | b64_value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

fn jwt_ok(token: &[u8]) -> bool {
    let mut parts = token.split(|&b| b == b'.');
    let (Some(h), Some(p)) = (parts.next(), parts.next()) else {
        return false;
    };
    let Some(header) = b64_decode(h) else {
        return false;
    };
    if !(header.starts_with(b"{") && contains_ci(&header, b"\"alg\"")) {
        return false;
    }
    // Supabase `anon` keys are meant to be public.
    let payload = b64_decode(p).unwrap_or_default();
    let squeezed: Vec<u8> = payload
        .into_iter()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    !contains_ci(&squeezed, b"\"role\":\"anon\"")
}

/// Passwords that are defaults or placeholders, not secrets.
const DEFAULT_PASSWORDS: &[&str] = &[
    "password",
    "passw0rd",
    "pass",
    "passwd",
    "secret",
    "root",
    "admin",
    "administrator",
    "test",
    "testing",
    "guest",
    "postgres",
    "mysql",
    "redis",
    "user",
    "username",
    "default",
    "letmein",
    "qwerty",
    "123456",
    "1234",
    "12345678",
    "toor",
    "pwd",
    "pw",
    "demo",
    "local",
    "dev",
    "foo",
    "bar",
    "foobar",
    "none",
    "null",
    "sa",
    "oracle",
    "token",
    "apikey",
    "api_key",
    "mypassword",
    "mysecret",
    "s3cr3t",
    "hunter2",
];

fn url_password_ok(user: &[u8], pw: &[u8]) -> bool {
    if pw.len() < 4 || pw == user {
        return false;
    }
    if pw.iter().all(u8::is_ascii_digit) && pw.len() <= 5 {
        return false; // a port
    }
    if pw.iter().all(|&b| b == pw[0]) {
        return false; // a mask (`****`, `xxxx`), not a password
    }
    !DEFAULT_PASSWORDS
        .iter()
        .any(|d| pw.eq_ignore_ascii_case(d.as_bytes()))
}

fn basic_auth_ok(value: &[u8]) -> bool {
    let Some(raw) = b64_decode(value) else {
        return false;
    };
    if !raw.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        return false;
    }
    let Some(colon) = raw.iter().position(|&b| b == b':') else {
        return false;
    };
    let (user, pw) = (&raw[..colon], &raw[colon + 1..]);
    !user.is_empty()
        && user.len() <= 128
        && url_password_ok(user, pw)
        && !has_marker(pw)
        && !low_information(pw)
}

fn azure_sas_ok(buf: &[u8], at: usize) -> bool {
    let lo = at.saturating_sub(1024);
    let line_start = memchr::memrchr(b'\n', &buf[lo..at]).map_or(lo, |p| lo + p + 1);
    memchr::memmem::find(&buf[line_start..at], b"sv=").is_some()
}

// ------------------------------------------------------------------ generic

/// Words that name a secret when they are the last part of a name.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "api_key",
    "accesskey",
    "secretkey",
    "privatekey",
    "authkey",
    "authtoken",
    "accesstoken",
    "refreshtoken",
    "clientsecret",
    "appsecret",
    "credential",
    "credentials",
    "auth",
];
/// Qualifiers that make a trailing `key` a secret (`api_key`, `signing_key`).
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "secret",
    "private",
    "signing",
    "encryption",
    "master",
    "auth",
    "app",
    "license",
    "client",
    "account",
    "service",
    "shared",
    "hmac",
    "session",
    "cookie",
    "jwt",
    "webhook",
    "subscription",
    "admin",
    "write",
    "ingest",
    "deploy",
    "x",
];
/// Trailing parts that do not change what a name holds (`secret_key_base`).
const MODIFIERS: &[&str] = &[
    "value",
    "val",
    "b64",
    "base64",
    "hex",
    "raw",
    "str",
    "string",
    "enc",
    "encoded",
    "plain",
    "plaintext",
    "base",
    "data",
    "bytes",
    "prod",
    "production",
    "live",
    "dev",
    "staging",
    "v1",
    "v2",
    "1",
    "2",
];
/// Parts that make a name hold something other than the secret itself.
const STOP: &[&str] = &[
    "hash",
    "hashed",
    "digest",
    "checksum",
    "fingerprint",
    "sha",
    "sha1",
    "sha256",
    "sha512",
    "md5",
    "public",
    "pub",
    "example",
    "sample",
    "placeholder",
    "dummy",
    "mock",
    "fake",
    "regex",
    "pattern",
    "format",
    "policy",
    "length",
    "len",
    "min",
    "max",
    "count",
    "limit",
    "size",
    "type",
    "name",
    "id",
    "ids",
    "url",
    "uri",
    "path",
    "file",
    "dir",
    "prefix",
    "suffix",
    "field",
    "header",
    "param",
    "hint",
    "label",
    "prompt",
    "expiry",
    "expires",
    "expiration",
    "ttl",
    "timeout",
    "lifetime",
    "endpoint",
    "method",
    "mode",
    "kind",
    "enabled",
    "required",
    "reset",
    "forgot",
    "confirm",
    "confirmation",
    "validation",
    "validator",
    "strength",
    "rotation",
    "env",
    "var",
    "index",
    "usage",
    "budget",
    "counter",
    "estimator",
    "manager",
    "provider",
    "store",
    "storage",
    "cache",
    "generator",
    "parser",
    "lexer",
    "class",
    "helper",
    "service",
];

/// Splits `myAPIKey.client_secret-x` into `my api key client secret x`.
pub(crate) fn name_components(name: &[u8]) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<u8> = name.to_vec();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                parts.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && (prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(|p| p.is_ascii_uppercase())
                    && next.is_some_and(|n| n.is_ascii_lowercase())));
        if boundary && !cur.is_empty() {
            parts.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase() as char);
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    parts
}

/// Whether a name holds a secret: its last meaningful part is a secret
/// word, and no part says it holds something else.
pub(crate) fn name_is_secret(name: &[u8]) -> bool {
    let mut parts = name_components(name);
    if parts.iter().any(|p| STOP.contains(&p.as_str())) {
        return false;
    }
    while parts.len() > 1
        && parts
            .last()
            .is_some_and(|p| MODIFIERS.contains(&p.as_str()))
    {
        parts.pop();
    }
    let Some(last) = parts.last() else {
        return false;
    };
    if SECRET_WORDS.contains(&last.as_str()) {
        return true;
    }
    if last == "key" && parts.len() >= 2 {
        return KEY_QUALIFIERS.contains(&parts[parts.len() - 2].as_str());
    }
    false
}

/// The end of a generic value: unquoted values stop at `,;&`.
fn generic_end(caps: &Captures<'_>, buf: &[u8], start: usize, end: usize) -> Option<usize> {
    let quoted = caps.name("q").is_some_and(|q| !q.is_empty());
    if quoted {
        return Some(end);
    }
    let cut = buf[start..end]
        .iter()
        .position(|b| matches!(b, b',' | b';' | b'&'))
        .map_or(end, |p| start + p);
    (cut > start).then_some(cut)
}

fn generic_ok(caps: &Captures<'_>, buf: &[u8], value: &[u8]) -> bool {
    let Some(secret) = caps.name("secret") else {
        return false;
    };
    let start = secret.start();
    let end = start + value.len();
    let dash = caps.name("dash").is_some();
    let quote = caps.name("q").map(|q| q.as_bytes()).unwrap_or_default();
    let sep = caps.name("sep").map(|s| s.as_bytes()).unwrap_or(b":");
    let spaced_only = !sep.iter().any(|b| matches!(b, b'=' | b':'));
    if let Some(name) = caps.name("name") {
        if !name_is_secret(name.as_bytes()) {
            return false;
        }
        // `name value` only for command-line flags (`--token value`).
        if spaced_only && !dash {
            return false;
        }
    }
    let after = buf.get(end).copied();
    if !quote.is_empty() {
        let closes = after == Some(quote[0])
            || (after == Some(b'\\') && buf.get(end + 1) == Some(&quote[0]));
        if !closes {
            return false;
        }
    } else {
        let terminates = match after {
            None => true,
            Some(b) => {
                b.is_ascii_whitespace()
                    || matches!(b, b',' | b';' | b'&' | b')' | b'}' | b']' | b'"' | b'\'')
            }
        };
        if !terminates {
            return false;
        }
        // Paths in code (`Self::Token`, `crate::token::Kind`).
        if memchr::memmem::find(value, b"::").is_some() {
            return false;
        }
        if !unquoted_context_ok(caps, buf, end, sep, dash) {
            return false;
        }
        // Unquoted identifiers (`token: next_token`) need a digit to be a value.
        let identifier = value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if identifier && !value.iter().any(u8::is_ascii_digit) && caps.name("name").is_some() {
            return false;
        }
    }
    generic_value_ok(value)
}

/// Where an unquoted value is a value and not code: env files and YAML
/// (`NAME=value`, `name: value` alone on a line), command-line flags,
/// query strings and connection strings (`?token=…`, `;Password=…`), and
/// `NAME=value` without spaces (shell assignments).
fn unquoted_context_ok(
    caps: &Captures<'_>,
    buf: &[u8],
    end: usize,
    sep: &[u8],
    dash: bool,
) -> bool {
    let Some(name) = caps.name("name") else {
        return true; // `Authorization: Bearer …`
    };
    if dash || sep == b"=" {
        return true;
    }
    if name.start() > 0 && matches!(buf[name.start() - 1], b'?' | b'&' | b';') {
        return true;
    }
    // Both look-arounds are bounded: a huge single-line file must not make
    // every candidate rescan the line.
    const REACH: usize = 256;
    let lo = name.start().saturating_sub(REACH);
    let Some(nl) = memchr::memrchr(b'\n', &buf[lo..name.start()])
        .map(|p| lo + p + 1)
        .or((lo == 0).then_some(0))
    else {
        return false;
    };
    let prefix = buf[nl..name.start()].trim_ascii_start();
    let at_line_start = prefix.is_empty() || prefix == b"-" || prefix == b"export";
    let hi = buf.len().min(end + REACH);
    let rest_of_line = buf[end..hi]
        .split(|&b| b == b'\n')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    let ends_line = rest_of_line.is_empty() || rest_of_line.starts_with(b"#");
    at_line_start && ends_line
}

/// Shape checks shared by the generic rules.
pub(crate) fn generic_value_ok(v: &[u8]) -> bool {
    if v.len() < 8 {
        return false;
    }
    // A default with a suffix (`password123`, `admin2024!`).
    let stem_len = v.len()
        - v.iter()
            .rev()
            .take_while(|b| !b.is_ascii_alphabetic())
            .count();
    let stem = &v[..stem_len];
    if DEFAULT_PASSWORDS
        .iter()
        .any(|d| stem.eq_ignore_ascii_case(d.as_bytes()))
    {
        return false;
    }
    if memchr::memmem::find(v, b"://").is_some()
        || v.starts_with(b"/")
        || v.starts_with(b"./")
        || v.starts_with(b"~/")
    {
        return false;
    }
    const EXTENSIONS: &[&str] = &[
        ".json", ".pem", ".key", ".txt", ".yaml", ".yml", ".crt", ".p12", ".pfx", ".env", ".toml",
        ".ini", ".cfg", ".conf", ".js", ".ts", ".py", ".rs", ".go", ".rb", ".java", ".html",
    ];
    let lower = v.to_ascii_lowercase();
    if EXTENSIONS.iter().any(|e| lower.ends_with(e.as_bytes())) {
        return false;
    }
    let lowers = v.iter().any(u8::is_ascii_lowercase);
    let uppers = v.iter().any(u8::is_ascii_uppercase);
    let digits = v.iter().any(u8::is_ascii_digit);
    let symbols = v.iter().any(|b| !b.is_ascii_alphanumeric());
    let classes = [lowers, uppers, digits, symbols]
        .iter()
        .filter(|&&c| c)
        .count();
    if classes < 2 {
        return false;
    }
    // Dotted or snake_case names (`config.db.password`, `get_api_key`).
    let pieces = v
        .split(|b| matches!(b, b'.' | b'_' | b'-'))
        .filter(|w| !w.is_empty());
    let single_case =
        |w: &[u8]| !w.iter().any(u8::is_ascii_uppercase) || !w.iter().any(u8::is_ascii_lowercase);
    let wordy = pieces.clone().count() >= 2 && pieces.clone().all(single_case) && {
        // …made of words, not of random runs: every piece is short or
        // letters only.
        pieces
            .clone()
            .all(|w| w.len() <= 12 || w.iter().all(u8::is_ascii_alphabetic))
    };
    if wordy {
        return false;
    }
    if !digits && !symbols {
        // Letters only: camelCase identifiers unless long and random.
        return v.len() >= 24 && entropy(v) >= 4.0;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            name_components(b"myAPIKey.client_secret-x"),
            ["my", "api", "key", "client", "secret", "x"]
        );
        for yes in [
            "DB_PASSWORD",
            "password",
            "accessToken",
            "api_key",
            "apiKey",
            "SECRET_KEY_BASE",
            "client_secret",
            "x-api-key",
            "GITHUB_TOKEN",
            "smtp.pass",
            "signingKey",
            "--token",
        ] {
            assert!(name_is_secret(yes.as_bytes()), "{yes}");
        }
        for no in [
            "PASSWORD_MIN_LENGTH",
            "token_hash",
            "tokenizer",
            "public_key",
            "secret_name",
            "token_type",
            "MAX_TOKENS",
            "key",
            "cache_key",
            "passwordHint",
            "TOKEN_LIMIT",
        ] {
            assert!(!name_is_secret(no.as_bytes()), "{no}");
        }
    }

    #[test]
    fn information() {
        assert!(low_information(b"aaaaaaaaaaaaaaaa"));
        assert!(low_information(b"abababababababab"));
        assert!(low_information(b"0123456789abcdef"));
        assert!(low_information(b"ghp_000000000000000000000000000000000000"));
        assert!(!low_information(b"q8ZrT0mLx2VbN7cWk4Ys"));
        assert!(entropy(b"aaaa") < 0.1 && entropy(b"abcd") > 1.99);
        assert!(has_marker(b"AKIAIOSFODNN7EXAMPLE") && has_marker(b"${TOKEN}"));
    }

    #[test]
    fn base64_and_auth() {
        assert_eq!(b64_decode(b"dXNlcjpwYXNz").unwrap(), b"user:pass");
        assert_eq!(b64_decode(b"Zm9vOmJhcg==").unwrap(), b"foo:bar");
        assert!(!basic_auth_ok(b"dXNlcm5hbWU6cGFzc3dvcmQ=")); // username:password
        assert!(basic_auth_ok(b"ZGVwbG95OnE4WnJUMG1MeDJWYk43Y1c=")); // deploy:q8ZrT0mLx2VbN7cW
    }

    #[test]
    fn generic_values() {
        assert!(generic_value_ok(b"q8ZrT0mLx2VbN7cW"));
        assert!(!generic_value_ok(b"config.db.password"));
        assert!(!generic_value_ok(b"getAccessTokenFromEnv"));
        assert!(!generic_value_ok(b"/etc/app/secret.key"));
        assert!(!generic_value_ok(b"12345678901234"));
    }
}
