//! Secret detection for shell command lines, URLs and file contents.
//!
//! [`find_secrets`] reports the byte span of each secret *value* (cloud keys,
//! forge and SaaS tokens, private key blocks, URL passwords, high-entropy
//! values assigned to secret-looking names); [`redact`] and [`describe`]
//! never reveal more than the last four characters; [`is_secret_env_name`]
//! tells whether an environment variable conventionally holds a secret.
//!
//! One ASCII-case-insensitive Aho-Corasick pass finds which rule keywords
//! occur; only those rules run their regex (compiled once, lazily, without
//! Unicode; a regex that fails to compile disables its rule). Overlaps are
//! resolved by earliest start, then longest span, then rule order. Never
//! reported: documentation examples (`…EXAMPLE…`), placeholders (`${VAR}`,
//! `<token>`, `your_token_here`, `changeme`, `xxxx`, …), one repeated
//! character, short repeated patterns, obvious sequences, and values taken
//! from shell variables or command substitutions (`password=$PW`).

use aho_corasick::{AhoCorasick, Input};
use regex::bytes::{Captures, Regex, RegexBuilder};
use std::cmp::Reverse;
use std::sync::OnceLock;
use Check::{Generic, OpenAi, Plain, PrivateKey, UrlAuth};

/// One secret found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMatch {
    /// Stable kebab-case id of the rule that found the secret.
    pub rule: &'static str,
    /// Byte offset of the first byte of the secret value.
    pub start: usize,
    /// Byte offset one past the last byte of the secret value.
    pub end: usize,
}

/// Rule id of private key blocks (redacted without a hint).
const PRIVATE_KEY: &str = "private-key";
/// Values shorter than this (in chars) are redacted without a last-4 hint.
const MIN_HINT_CHARS: usize = 16;

/// Post-regex validation of a rule's candidate value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Check {
    Plain,      // allow-list only
    OpenAi,     // project key or the `T3BlbkFJ` marker, not Anthropic
    UrlAuth,    // URL password: no placeholders
    Generic,    // secret-looking name, entropy and shape rules
    PrivateKey, // needs a body; spans to the END line
}

/// A detection rule: prefilter keywords (space-separated, matched ASCII
/// case-insensitively) and a regex whose `v` group is the secret value.
struct Rule {
    id: &'static str,
    keywords: &'static str,
    pattern: &'static str,
    check: Check,
    regex: OnceLock<Option<Regex>>,
}

impl Rule {
    /// The compiled regex, or `None` if it failed to compile (rule skipped).
    fn regex(&self) -> Option<&Regex> {
        self.regex.get_or_init(|| compile(self.pattern)).as_ref()
    }
}

/// Builds the rule table from `id, keywords, check, pattern;` rows.
macro_rules! rules {
    ($($id:expr, $kw:expr, $check:ident, $re:expr;)*) => {
        [$(Rule { id: $id, keywords: $kw, check: $check, pattern: $re, regex: OnceLock::new() },)*]
    };
}

fn compile(pattern: &str) -> Option<Regex> {
    RegexBuilder::new(pattern).unicode(false).build().ok()
}

/// All rules in priority order: on identical spans the earlier rule wins.
/// The `v` group of each pattern is the secret value.
static RULES: [Rule; 26] = rules! {
    PRIVATE_KEY, "-----BEGIN", PrivateKey,
        r"(?P<v>-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----)";
    "aws-access-key-id", "AKIA ASIA ABIA ACCA", Plain,
        r"\b(?P<v>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b";
    "aws-secret-access-key", "secret", Plain, concat!(
        r#"(?i:aws[A-Za-z0-9_.-]*secret[A-Za-z0-9_.-]*)["']?\s*(?:=>|:=|=|:)\s*["']?"#,
        r"(?P<v>[A-Za-z0-9/+=]{40})(?:[^A-Za-z0-9/+=]|$)");
    "github-pat", "ghp_", Plain, r"\b(?P<v>ghp_[A-Za-z0-9]{36})\b";
    "github-oauth", "gho_", Plain, r"\b(?P<v>gho_[A-Za-z0-9]{36})\b";
    "github-user-to-server", "ghu_", Plain, r"\b(?P<v>ghu_[A-Za-z0-9]{36})\b";
    "github-server-to-server", "ghs_", Plain, r"\b(?P<v>ghs_[A-Za-z0-9]{36})\b";
    "github-refresh", "ghr_", Plain, r"\b(?P<v>ghr_[A-Za-z0-9]{36})\b";
    "github-fine-grained-pat", "github_pat_", Plain, r"\b(?P<v>github_pat_[A-Za-z0-9_]{70,})";
    "gitlab-pat", "glpat-", Plain, r"\b(?P<v>glpat-[A-Za-z0-9_-]{20,})";
    "slack-token", "xox", Plain, r"\b(?P<v>xox[baprs]-[A-Za-z0-9-]{10,})";
    "slack-webhook", "hooks.slack.com", Plain,
        r"hooks\.slack\.com/services/(?P<v>T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+)";
    "stripe-secret-key", "sk_live_ sk_test_ rk_live_ rk_test_", Plain,
        r"\b(?P<v>[sr]k_(?:live|test)_[A-Za-z0-9]{16,})";
    "anthropic-api-key", "sk-ant-", Plain, r"\b(?P<v>sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{80,})";
    "openai-api-key", "sk-", OpenAi, r"\b(?P<v>sk-[A-Za-z0-9_-]{20,})";
    "jwt", "eyJ", Plain, r"\b(?P<v>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})";
    "google-api-key", "AIza", Plain, r"\b(?P<v>AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)";
    "npm-token", "npm_", Plain, r"\b(?P<v>npm_[A-Za-z0-9]{36})\b";
    "pypi-token", "pypi-", Plain, r"\b(?P<v>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})";
    "sendgrid-api-key", "SG.", Plain,
        r"\b(?P<v>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)";
    "huggingface-token", "hf_", Plain, r"\b(?P<v>hf_[A-Za-z]{34})\b";
    "digitalocean-token", "dop_v1_", Plain, r"\b(?P<v>dop_v1_[a-f0-9]{64})\b";
    "docker-hub-pat", "dckr_pat_", Plain,
        r"\b(?P<v>dckr_pat_[A-Za-z0-9_-]{27})(?:[^A-Za-z0-9_-]|$)";
    "shopify-token", "shpat_ shpca_ shppa_ shpss_", Plain,
        r"\b(?P<v>shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})\b";
    "url-basic-auth", "://", UrlAuth,
        r#"[A-Za-z][A-Za-z0-9+.-]*://[A-Za-z0-9._~%!$&()*+,;=-]*:(?P<v>[A-Za-z0-9._~%!$&()*+,;=:-]+)@[^\s@/:]"#;
    // `--name value`, `name=value`, `"name": "value"`, `Authorization: Bearer value`.
    "generic-secret-assignment",
        "secret token passw pwd auth api_key apikey api-key access_key accesskey access-key \
         private_key privatekey private-key",
        Generic, concat!(
        r"(?P<dash>--)?(?P<name>[A-Za-z0-9_.-]*",
        r"(?i:secret|token|passw|pwd|auth|api[_-]?key|access[_-]?key|private[_-]?key)",
        r#"[A-Za-z0-9_.-]*)["']?(?P<sep>\s*(?:=>|:=|=|:)\s*|\s+)(?P<q>["']?)"#,
        r"(?:(?i:bearer|basic|token)\s+)?(?P<v>[A-Za-z0-9+/=_.!@#%^*-]{12,})");
};

const _: () = assert!(RULES.len() <= 64, "rule masks are u64");
const ALL_RULES: u64 = u64::MAX >> (64 - RULES.len());

/// Keyword automaton and, per keyword, the mask of rules it enables.
struct Prefilter {
    ac: AhoCorasick,
    masks: Vec<u64>,
}

fn build_prefilter() -> Option<Prefilter> {
    let mut pats: Vec<String> = Vec::new();
    let mut masks: Vec<u64> = Vec::new();
    for (i, rule) in RULES.iter().enumerate() {
        for kw in rule.keywords.split_ascii_whitespace() {
            let kw = kw.to_ascii_lowercase();
            match pats.iter().position(|p| *p == kw) {
                Some(j) => masks[j] |= 1 << i,
                None => {
                    pats.push(kw);
                    masks.push(1 << i);
                }
            }
        }
    }
    let ac = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&pats);
    Some(Prefilter {
        ac: ac.ok()?,
        masks,
    })
}

/// Bit mask of the rules whose keyword occurs in `text` (all rules if the
/// prefilter is unavailable).
fn keyword_mask(text: &str) -> u64 {
    static PREFILTER: OnceLock<Option<Prefilter>> = OnceLock::new();
    let Some(pf) = PREFILTER.get_or_init(build_prefilter) else {
        return ALL_RULES;
    };
    let Ok(hits) = pf.ac.try_find_overlapping_iter(Input::new(text)) else {
        return ALL_RULES;
    };
    let mut mask = 0;
    for hit in hits {
        let rule_mask = pf.masks.get(hit.pattern().as_usize());
        mask |= rule_mask.copied().unwrap_or(ALL_RULES);
        if mask == ALL_RULES {
            break;
        }
    }
    mask
}

/// A validated match before overlap resolution: start, end, priority, id.
type Candidate = (usize, usize, usize, &'static str);

/// Runs the enabled rules; with `first_only`, stops after the first rule
/// that finds something.
fn scan(text: &str, first_only: bool) -> Vec<Candidate> {
    let mut out = Vec::new();
    if text.is_empty() {
        return out;
    }
    let mask = keyword_mask(text);
    for (prio, rule) in RULES.iter().enumerate() {
        if mask & (1 << prio) == 0 {
            continue;
        }
        scan_rule(prio, rule, text, &mut out);
        if first_only && !out.is_empty() {
            return out;
        }
    }
    // The full engine (warden-secrets: more than two hundred token
    // formats) runs after these rules and loses every overlap to them, so
    // the labels the policies and tests know stay as they were.
    let engine_priority = RULES.len();
    for finding in warden_secrets::scan(text.as_bytes()) {
        let (start, end) = (finding.start, finding.end);
        if start < end && text.is_char_boundary(start) && text.is_char_boundary(end) {
            out.push((start, end, engine_priority, finding.rule.id));
            if first_only {
                break;
            }
        }
    }
    out
}

/// Appends the validated matches of one rule to `out`.
fn scan_rule(prio: usize, rule: &'static Rule, text: &str, out: &mut Vec<Candidate>) {
    let Some(re) = rule.regex() else { return };
    let hay = text.as_bytes();
    let mut pos = 0;
    while pos < hay.len() {
        let Some(caps) = re.captures_at(hay, pos) else {
            break;
        };
        let Some(v) = caps.name("v") else { break };
        let (start, mut end) = (v.start(), v.end());
        let mut next = end;
        let value = text.get(start..end);
        let ok = match rule.check {
            PrivateKey => {
                let ok = pem_body_follows(hay, end);
                if ok {
                    end = pem_end(hay, end);
                    next = end;
                }
                ok
            }
            Generic => {
                let ok = value.is_some_and(|val| generic_ok(&caps, text, val, end));
                if !ok && !is_assignment(&caps) {
                    // `token PASSWORD=…`: the "value" may hold the real pair.
                    // (Other rejections resume after the value: linear time.)
                    next = caps.name("name").map_or(end, |n| n.end());
                }
                ok
            }
            OpenAi => value.is_some_and(openai_ok),
            UrlAuth => value.is_some_and(url_password_ok),
            Plain => value.is_some_and(|val| !is_placeholder(val)),
        };
        if ok && start < end && text.is_char_boundary(start) && text.is_char_boundary(end) {
            out.push((start, end, prio, rule.id));
        }
        pos = next.max(pos + 1);
    }
}

/// Finds the secrets in `text`: sorted by start, non-overlapping (on overlap
/// the earliest, then longest, then highest-priority match is kept).
pub fn find_secrets(text: &str) -> Vec<SecretMatch> {
    let mut cands = scan(text, false);
    cands.sort_unstable_by_key(|&(start, end, prio, _)| (start, Reverse(end), prio));
    let mut out: Vec<SecretMatch> = Vec::with_capacity(cands.len());
    for (start, end, _, rule) in cands {
        if out.last().is_none_or(|last| start >= last.end) {
            out.push(SecretMatch { rule, start, end });
        }
    }
    out
}

/// Whether `text` holds at least one secret; same answer as
/// `!find_secrets(text).is_empty()`, but stops at the first finding.
pub fn contains_secret(text: &str) -> bool {
    !scan(text, true).is_empty()
}

/// The last four characters of the match's value, when the value is long
/// enough that they reveal little, and they are printable.
fn hint<'a>(m: &SecretMatch, text: &'a str) -> Option<&'a str> {
    if m.rule == PRIVATE_KEY {
        return None;
    }
    let value = text.get(m.start..m.end)?;
    if value.chars().count() < MIN_HINT_CHARS {
        return None;
    }
    let (idx, _) = value.char_indices().rev().nth(3)?;
    let tail = value.get(idx..)?;
    let printable = tail.chars().all(|c| !c.is_control() && c != ']');
    printable.then_some(tail)
}

/// Replaces every secret by `[REDACTED:<rule>:…<last4>]`; values under 16
/// chars get `[REDACTED:<rule>]` and key blocks `[REDACTED:private-key]`.
pub fn redact(text: &str) -> String {
    // One pass can unmask a secret that overlapped a removed match; repeat
    // until nothing is found (markers themselves never match).
    const MAX_PASSES: usize = 8;
    let mut current = redact_once(text);
    for _ in 1..MAX_PASSES {
        if !contains_secret(&current) {
            return current;
        }
        current = redact_once(&current);
    }
    current
}

fn redact_once(text: &str) -> String {
    let matches = find_secrets(text);
    if matches.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for m in &matches {
        out.push_str(text.get(last..m.start).unwrap_or_default());
        out.push_str("[REDACTED:");
        out.push_str(m.rule);
        if let Some(tail) = hint(m, text) {
            out.push_str(":…");
            out.push_str(tail);
        }
        out.push(']');
        last = m.end;
    }
    out.push_str(text.get(last..).unwrap_or_default());
    out
}

/// A safe one-line label for a match, e.g. `github-pat …a1b2`; never the
/// whole value (short values and key blocks get the rule id only).
pub fn describe(m: &SecretMatch, text: &str) -> String {
    match hint(m, text) {
        Some(tail) => format!("{} …{}", m.rule, tail),
        None => m.rule.to_string(),
    }
}

/// Whether an environment variable name conventionally holds a secret
/// (`GITHUB_TOKEN`, `*_API_KEY`, `*_PASSWORD`, `DATABASE_URL`, …),
/// case-insensitively. The secret word must be the last component:
/// `MAX_TOKENS`, `TOKEN_LIMIT` and `PASSWORD_MIN_LENGTH` are not secrets.
pub fn is_secret_env_name(name: &str) -> bool {
    const EXACT: &str = "AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN GITHUB_TOKEN GH_TOKEN \
        GITLAB_TOKEN NPM_TOKEN DATABASE_URL REDIS_URL MONGODB_URI MONGO_URL PGPASSWORD \
        SENTRY_DSN ANTHROPIC_API_KEY OPENAI_API_KEY";
    const SUFFIXES: &str = "TOKEN SECRET PASSWORD PASSWD PWD PASSPHRASE APIKEY API_KEY \
        SECRET_KEY SECRET_ACCESS_KEY PRIVATE_KEY SIGNING_KEY ENCRYPTION_KEY CREDENTIALS \
        CONNECTION_STRING";
    let norm = name.trim().to_ascii_uppercase().replace(['-', '.'], "_");
    // `$PWD` is the working directory, not a password.
    let suffix_hit = |s: &str| {
        norm.strip_suffix(s)
            .is_some_and(|rest| rest.ends_with('_') || (rest.is_empty() && s != "PWD"))
    };
    EXACT.split_ascii_whitespace().any(|e| e == norm)
        || SUFFIXES.split_ascii_whitespace().any(suffix_hit)
}

/// Allow-list: documentation examples, template placeholders and
/// low-information values are never reported.
fn is_placeholder(value: &str) -> bool {
    const MARKERS: &str = "example placeholder changeme change_me change-me dummy redacted \
        sample your_ your- test123 xxxx **** ${ $( < >";
    let lower = value.to_ascii_lowercase();
    value.starts_with('$')
        || MARKERS.split_ascii_whitespace().any(|m| lower.contains(m))
        || low_information(value)
}

/// A value whose longest alphanumeric run is mostly one character, a short
/// repeated pattern, or an ascending/descending sequence.
fn low_information(value: &str) -> bool {
    let seg = value
        .as_bytes()
        .split(|b| !b.is_ascii_alphanumeric())
        .max_by_key(|s| s.len())
        .unwrap_or_default();
    let n = seg.len();
    if n < 8 {
        return false;
    }
    let lower: Vec<u8> = seg.iter().map(u8::to_ascii_lowercase).collect();
    let mut counts = [0usize; 256];
    for &b in &lower {
        counts[usize::from(b)] += 1;
    }
    let dominant = counts.iter().copied().max().unwrap_or(0);
    let periodic = (1..=4).any(|p| (p..n).all(|i| lower[i] == lower[i - p]));
    let steps = lower.windows(2).filter(|w| is_step(w[0], w[1])).count();
    dominant * 4 >= n * 3 || periodic || steps * 4 >= (n - 1) * 3
}

fn is_step(a: u8, b: u8) -> bool {
    b == a.wrapping_add(1)
        || a == b.wrapping_add(1)
        || matches!(
            (a, b),
            (b'9', b'0' | b'a') | (b'0', b'a' | b'9') | (b'z', b'a' | b'0')
        )
}

/// Shannon entropy of `s` in bits per byte.
fn entropy(s: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &b in s {
        counts[usize::from(b)] += 1;
    }
    let n = s.len() as f64;
    let probabilities = counts.iter().filter(|&&c| c > 0).map(|&c| f64::from(c) / n);
    probabilities.map(|p| -p * p.log2()).sum()
}

fn openai_ok(value: &str) -> bool {
    if value.starts_with("sk-ant-") || is_placeholder(value) {
        return false;
    }
    let prefixed = ["sk-proj-", "sk-svcacct-", "sk-admin-"]
        .iter()
        .any(|p| value.strip_prefix(p).is_some_and(|rest| rest.len() >= 20));
    prefixed || value.contains("T3BlbkFJ")
}

fn url_password_ok(password: &str) -> bool {
    const PLACEHOLDERS: &str = "password passwd pass pwd pw secret token x xx xxx user username";
    let lower = password.to_ascii_lowercase();
    let first = password.bytes().next().unwrap_or(b'$');
    !(PLACEHOLDERS.split_ascii_whitespace().any(|p| p == lower)
        || matches!(first, b'$' | b'%' | b'{' | b'<' | b'[' | b'*')
        || password.bytes().all(|b| b == first)
        || is_placeholder(password))
}

/// Splits an identifier into lowercase components on `_ . -` and camelCase.
fn name_components(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        let b = part.as_bytes();
        let mut from = 0;
        for i in 1..b.len() {
            let lower_to_upper = !b[i - 1].is_ascii_uppercase() && b[i].is_ascii_uppercase();
            let acronym_end = b[i - 1].is_ascii_uppercase()
                && b[i].is_ascii_uppercase()
                && b.get(i + 1).is_some_and(u8::is_ascii_lowercase);
            if lower_to_upper || acronym_end {
                out.push(part[from..i].to_ascii_lowercase());
                from = i;
            }
        }
        out.push(part[from..].to_ascii_lowercase());
    }
    out
}

/// Whether an assignment target names a secret: a secret word is one of its
/// components (split on `_ . -` and camelCase) and the name does not end in
/// a metadata word (`token_limit`, `password_file`).
fn name_is_secret(name: &str) -> bool {
    const WORDS: &str = "secret secrets token password passwd passphrase pwd auth \
        authorization apikey accesskey privatekey secretkey credentials";
    // Also as the tail of a run-together component: `pgpassword`, `authtoken`.
    const TAILS: [&str; 4] = ["secret", "token", "password", "passwd"];
    const PAIRS: &[(&str, &str)] = &[("api", "key"), ("access", "key"), ("private", "key")];
    const NOT_LAST: &str = "file path dir name names id ids type length len count limit \
        limits min max size url uri endpoint env var field header ttl timeout expiry expires \
        expiration prefix format mode enabled enable required policy method provider scope \
        scopes kind version index hint label pattern ref command cmd helper usage budget";
    let comps = name_components(name);
    let is_word = |c: &String| {
        WORDS.split_ascii_whitespace().any(|w| w == c) || TAILS.iter().any(|t| c.ends_with(t))
    };
    let hit = comps.iter().any(is_word)
        || comps
            .windows(2)
            .any(|w| PAIRS.contains(&(w[0].as_str(), w[1].as_str())));
    let Some(last) = comps.last() else {
        return false;
    };
    let bare_pwd = comps.len() == 1 && last == "pwd";
    hit && !bare_pwd && !NOT_LAST.split_ascii_whitespace().any(|w| w == last)
}

/// Name, separator and value rules of the generic assignment rule.
fn generic_ok(caps: &Captures<'_>, text: &str, value: &str, end: usize) -> bool {
    let hay = text.as_bytes();
    let Some(name) = caps.name("name").and_then(|m| text.get(m.start()..m.end())) else {
        return false;
    };
    // `scheme://user:password@host` is the URL rule's business.
    let start = caps.get(0).map_or(0, |m| m.start());
    let userinfo = hay.get(..start).is_some_and(|pre| pre.ends_with(b"//"));
    let quoted = caps.name("q").is_some_and(|m| !m.is_empty());
    !userinfo
        && is_assignment(caps)
        && name_is_secret(name)
        && generic_value_ok(value, quoted, hay.get(end).copied())
}

/// `name=value`, `name: value`, … or `--name value`, but not `word value`.
fn is_assignment(caps: &Captures<'_>) -> bool {
    let space_sep = caps
        .name("sep")
        .is_some_and(|m| m.as_bytes().iter().all(u8::is_ascii_whitespace));
    caps.name("dash").is_some() || !space_sep
}

/// Entropy and shape rules for a value assigned to a secret-looking name.
fn generic_value_ok(value: &str, quoted: bool, next: Option<u8>) -> bool {
    let b = value.as_bytes();
    if b.len() < 12 || matches!(next, Some(b'(' | b'[' | b'{' | b'$')) {
        return false;
    }
    let digit = b.iter().any(u8::is_ascii_digit);
    let upper = b.iter().any(u8::is_ascii_uppercase);
    let lower = b.iter().any(u8::is_ascii_lowercase);
    if !(digit || (upper && lower)) {
        return false;
    }
    if !quoted && !digit {
        // Unquoted code, not data: `self.tokenStore.current`, `getAuthHeader`.
        let ident = |s: &[u8]| {
            s.first()
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
                && s.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        };
        let dotted = b.contains(&b'.') && b.split(|c| *c == b'.').all(ident);
        let camel = b.iter().all(u8::is_ascii_alphabetic)
            && !b
                .windows(2)
                .any(|w| w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase());
        if dotted || camel {
            return false;
        }
    }
    entropy(b) >= 3.5 && !is_placeholder(value)
}

/// Whether a base64-ish run of ≥ 20 chars follows a PEM header within 256
/// bytes (a bare header string in parsing code is not a key).
fn pem_body_follows(hay: &[u8], from: usize) -> bool {
    let window = hay
        .get(from..hay.len().min(from.saturating_add(256)))
        .unwrap_or_default();
    let not_b64 = |b: &u8| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    window.split(not_b64).any(|run| run.len() >= 20)
}

/// End of a private key block whose header ends at `from`: the end of the
/// next `-----END … PRIVATE KEY-----` line, else the end of the text.
fn pem_end(hay: &[u8], from: usize) -> usize {
    static END: OnceLock<Option<Regex>> = OnceLock::new();
    END.get_or_init(|| compile(r"-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"))
        .as_ref()
        .and_then(|re| re.find_at(hay, from))
        .map_or(hay.len(), |m| m.end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Builds a sample from a spec: `+`-joined parts `prefix:seed:len:alphabet`
    /// (alphabets `an`, `b32`, `b64`, `url`, `alpha`, `hex`, else the chars
    /// given), or `@pem KIND` for a private key block. Samples are generated
    /// (xorshift) so that no secret-shaped literal appears in this file.
    fn sample(spec: &str) -> String {
        const UP: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        const LOW: &str = "abcdefghijklmnopqrstuvwxyz";
        const DIG: &str = "0123456789";
        if let Some(kind) = spec.strip_prefix("@pem") {
            let body = format!("{}\n{}", sample(":62:64:b64"), sample(":63:40:b64"));
            let kind = kind.trim().replace('_', " ");
            return format!(
                "-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----"
            );
        }
        let mut out = String::new();
        for part in spec.split('+').map(str::trim) {
            let f: Vec<&str> = part.split(':').collect();
            let chars: Vec<char> = match f[3] {
                "an" => format!("{UP}{LOW}{DIG}"),
                "b32" => format!("{UP}234567"),
                "b64" => format!("{UP}{LOW}{DIG}+/"),
                "url" => format!("{UP}{LOW}{DIG}_-"),
                "alpha" => format!("{UP}{LOW}"),
                "hex" => format!("{DIG}abcdef"),
                other => other.to_string(),
            }
            .chars()
            .collect();
            let seed: u64 = f[1].parse().unwrap_or(1);
            let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            out.push_str(f[0]);
            for _ in 0..f[2].parse::<usize>().unwrap_or(0) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                out.push(chars[(x % chars.len() as u64) as usize]);
            }
        }
        out
    }

    /// `rule ;; template ;; spec` lines; `{}` in the template is the sample
    /// and `\n` a newline.
    fn table(lines: &str) -> Vec<(String, String, String)> {
        let row = |line: &str| {
            let f: Vec<&str> = line.split(" ;; ").collect();
            let value = f.get(2).map(|s| sample(s)).unwrap_or_default();
            let text = f[1].replace("\\n", "\n").replace("{}", &value);
            (f[0].to_string(), text, value)
        };
        lines
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(row)
            .collect()
    }

    /// The value must be reported, with that rule.
    const POSITIVES: &str = r#"
        aws-access-key-id ;; aws configure set key {} ;; AKIA:1:16:b32
        aws-access-key-id ;; {"AccessKeyId": "{}"} ;; ASIA:2:16:b32
        aws-secret-access-key ;; aws_secret_access_key = {}\n ;; :3:40:b64
        aws-secret-access-key ;; export AWS_SECRET_ACCESS_KEY="{}" ;; :4:40:b64
        github-pat ;; git push https://x:{}@github.com/o/r ;; ghp_:10:36:an
        github-pat ;; echo {} | gh auth login --with-token ;; ghp_:11:36:an
        github-oauth ;; GH_TOKEN={} gh pr list ;; gho_:12:36:an
        github-oauth ;; [{}] ;; gho_:13:36:an
        github-user-to-server ;; tok: {} ;; ghu_:14:36:an
        github-user-to-server ;; x {} y ;; ghu_:15:36:an
        github-server-to-server ;; "{}" ;; ghs_:16:36:an
        github-server-to-server ;; a,{},b ;; ghs_:17:36:an
        github-refresh ;; refresh={} ;; ghr_:18:36:an
        github-refresh ;; {} ;; ghr_:19:36:an
        github-fine-grained-pat ;; GH_TOKEN={} gh pr list ;; github_pat_:20:22:an + _:29:59:an
        github-fine-grained-pat ;; gh auth login -t {} ;; github_pat_:21:22:an + _:30:59:an
        gitlab-pat ;; curl -H 'PRIVATE-TOKEN: {}' x ;; glpat-:22:20:url
        gitlab-pat ;; GL={} ;; glpat-:23:26:url
        slack-token ;; SLACK={} ;; xoxb-:24:12:hex + -:25:24:an
        slack-token ;; slack send --as {} hi ;; xoxp-:27:30:an
        slack-webhook ;; https://hooks.slack.com/services/{} ;; T:28:8:b32+/B:29:9:b32+/:28:24:an
        slack-webhook ;; "https://hooks.slack.com/services/{}" ;; T:29:8:b32+/B:30:9:b32+/:29:24:an
        stripe-secret-key ;; stripe --api-key {} ;; sk_live_:30:24:an
        stripe-secret-key ;; STRIPE={}; ;; rk_test_:31:99:an
        jwt ;; curl -H "X-Jwt: {}" api ;; eyJ:32:30:url + .eyJ:33:30:url + .:34:43:url
        jwt ;; cookie={} ;; eyJ:35:10:an + .eyJ:36:12:an + .:37:10:an
        google-api-key ;; https://maps.example.net/x?key={}&q=1 ;; AIza:38:35:url
        google-api-key ;; GOOGLE={} ;; AIza:39:35:url
        openai-api-key ;; OPENAI_API_KEY={} ;; sk-proj-:40:48:url
        openai-api-key ;; openai --key {} ;; sk-:41:20:an + T3BlbkFJ:42:20:an
        anthropic-api-key ;; export ANTHROPIC_API_KEY={} ;; sk-ant-api03-:43:95:url
        anthropic-api-key ;; key: {} ;; sk-ant-admin01-:44:93:url
        npm-token ;; //registry.npmjs.org/:_authToken={} ;; npm_:45:36:an
        npm-token ;; NPM={} ;; npm_:46:36:an
        pypi-token ;; twine upload -p {} dist/* ;; pypi-AgEIcHlwaS5vcmc:47:60:url
        pypi-token ;; password = {} ;; pypi-AgEIcHlwaS5vcmc:48:60:url
        sendgrid-api-key ;; SENDGRID={}\n ;; SG.:49:22:url + .:50:43:url
        sendgrid-api-key ;; '{}' ;; SG.:50:22:url + .:51:43:url
        huggingface-token ;; huggingface-cli login --token {} ;; hf_:51:34:alpha
        huggingface-token ;; HF={} ;; hf_:52:34:alpha
        digitalocean-token ;; doctl auth init -t {} ;; dop_v1_:53:64:hex
        digitalocean-token ;; DO={} ;; dop_v1_:54:64:hex
        docker-hub-pat ;; echo {} | docker login ;; dckr_pat_:55:27:url
        docker-hub-pat ;; DOCKER={} ;; dckr_pat_:56:27:url
        shopify-token ;; X-Shopify-Access: {} ;; shpat_:57:32:hex
        shopify-token ;; SHOPIFY={} ;; shpss_:58:32:hex
        url-basic-auth ;; psql postgres://app:{}@db.internal:5432/app ;; :59:14:an
        url-basic-auth ;; git clone https://deploy:{}@git.corp/x.git ;; Pw!:60:10:an
        private-key ;; cat > id <<EOF\n{}\nEOF ;; @pem RSA_
        private-key ;; x\n{}\n ;; @pem OPENSSH_
        private-key ;; {"private_key": "{}"} ;; @pem
        generic-secret-assignment ;; mysql --password={} db ;; :64:16:an
        generic-secret-assignment ;; {"client_secret": "{}"} ;; :65:24:url
        generic-secret-assignment ;; curl -H "Authorization: Bearer {}" x ;; :66:20:an
        generic-secret-assignment ;; vault login --token {} ;; :67:18:an
        generic-secret-assignment ;; db.apiKey = '{}'; ;; :68:20:an
        generic-secret-assignment ;; https://api.example.com/v1?access_token={}&x=1 ;; :69:32:hex
        generic-secret-assignment ;; PGPASSWORD='{}' psql -h db ;; :81:14:an
        generic-secret-assignment ;; echo token DB_PASSWORD={} ;; :82:16:an
    "#;

    /// Nothing at all may be reported (the first field names the rule aimed at).
    const NEGATIVES: &str = r#"
        aws-access-key-id ;; x {} ;; AKIA:1:15:b32
        aws-access-key-id ;; {} ;; SOMEAKIA:1:16:b32
        aws-access-key-id ;; {} ;; AKIA:1:16:A
        aws-secret-access-key ;; AWS_SECRET_ACCESS_KEY=$AWS_SECRET
        aws-secret-access-key ;; aws_secret_access_key={} ;; :0:40:X
        github-pat ;; {} ;; ghp_:10:35:an
        github-pat ;; GITHUB_TOKEN={} ;; ghp_:0:36:x
        github-oauth ;; {} ;; gho_:0:36:0
        github-user-to-server ;; {} ;; ghu_:12:20:an
        github-server-to-server ;; {} ;; xghs_:13:36:an
        github-refresh ;; {} ;; ghr_:14:37:an
        github-fine-grained-pat ;; {} ;; github_pat_:20:30:an
        gitlab-pat ;; {} ;; glpat-:22:12:an
        slack-token ;; {} ;; xoxo-:24:20:an
        slack-webhook ;; https://hooks.slack.com/services/
        stripe-secret-key ;; {} ;; sk_live_:30:10:an
        stripe-secret-key ;; sk_test_1234567890abcdefghij
        jwt ;; {} ;; eyJ:32:20:an + .:33:20:an
        google-api-key ;; {} ;; AIza:38:30:an
        openai-api-key ;; {} ;; sk-:40:30:an
        openai-api-key ;; kubectl delete disk-{} ;; :41:30:an
        anthropic-api-key ;; {} ;; sk-ant-api03-:43:40:an
        npm-token ;; {} ;; npm_:45:20:an
        pypi-token ;; {} ;; pypi-:47:60:an
        sendgrid-api-key ;; {} ;; SG.:49:22:an + .:50:10:an
        huggingface-token ;; {} ;; hf_:51:34:hex
        digitalocean-token ;; {} ;; dop_v1_:53:64:alpha
        docker-hub-pat ;; {} ;; dckr_pat_:55:12:an
        shopify-token ;; {} ;; shpat_:57:32:alpha
        url-basic-auth ;; psql postgres://app:password@db/app
        url-basic-auth ;; curl https://user:${PASS}@host/x https://u:****@h
        url-basic-auth ;; git clone https://u:<password>@h/x; ssh://git@h:22/r
        url-basic-auth ;; "postgres://{user}:{pw}@{host}" http://h:80/a@b
        private-key ;; if line == "-----BEGIN {}KEY-----": ;; PRIVATE :0:0:x
        private-key ;; -----BEGIN PUBLIC KEY-----\n{} ;; :62:64:b64
        generic-secret-assignment ;; password=$DB_PASSWORD; token="$(cat tok)"
        generic-secret-assignment ;; MAX_TOKENS=409612345678 TOKEN_LIMIT=A1b2C3d4E5f6G7
        generic-secret-assignment ;; password: your_token_here\nsecret=changeme1234567
        generic-secret-assignment ;; token = self.tokenStore.current\napiKey = getApiKey()
        generic-secret-assignment ;; password=aaaaaaaaaaaaaaaa api_key=1234567890abcdef
        generic-secret-assignment ;; echo the token isAlwaysRotated PASSWORD_MIN_LENGTH=Ab3dEf6hIj9k
    "#;

    #[test]
    fn rule_table_is_sound_and_every_rule_has_samples() {
        let (pos, neg) = (table(POSITIVES), table(NEGATIVES));
        for (i, rule) in RULES.iter().enumerate() {
            let id = rule.id;
            assert!(rule.regex().is_some(), "{id} does not compile");
            let kebab = id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
            let unique = RULES[..i].iter().all(|r| r.id != id);
            let positives = pos.iter().filter(|p| p.0 == id).count();
            let negative = neg.iter().any(|n| n.0 == id);
            assert!(kebab && unique && positives >= 2 && negative, "{id}");
        }
        assert!(build_prefilter().is_some());
    }

    #[test]
    fn positive_samples_are_found() {
        for (rule, text, value) in table(POSITIVES) {
            let found = find_secrets(&text);
            let hit = found
                .iter()
                .any(|m| m.rule == rule && text[m.start..m.end] == value);
            assert!(hit, "{rule}: {text:?} gave {found:?}");
            assert!(contains_secret(&text));
        }
    }

    #[test]
    fn negative_samples_are_not_flagged() {
        for (rule, text, _) in table(NEGATIVES) {
            // These samples pin this module's own rules. The full engine's
            // formats can be wider on purpose (GitHub's tokens grew past
            // their classic lengths), so what it flags is not a failure
            // of these rules.
            if !warden_secrets::scan(text.as_bytes()).is_empty() {
                let own: Vec<_> = find_secrets(&text)
                    .into_iter()
                    .filter(|m| RULES.iter().any(|r| r.id == m.rule))
                    .collect();
                assert_eq!(own, vec![], "{rule}: {text:?}");
                continue;
            }
            assert_eq!(find_secrets(&text), vec![], "{rule}: {text:?}");
            assert!(!contains_secret(&text), "{rule}: {text:?}");
            assert_eq!(redact(&text), text);
        }
    }

    #[test]
    fn aws_documentation_examples_are_not_flagged() {
        let id = format!("AKIA{}", "IOSFODNN7EXAMPLE");
        let secret = format!("wJalrXUtnFEMI/K7MDENG/bPxRfiCY{}", "EXAMPLEKEY");
        let text = format!(
            "[default]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n\
             export AWS_SECRET_ACCESS_KEY={secret} AWS_ACCESS_KEY_ID={id}"
        );
        assert_eq!(find_secrets(&text), vec![]);
        assert!(!contains_secret(&text));
    }

    #[test]
    fn redaction_exact_output() {
        let check = |input: String, want: String| assert_eq!(redact(&input), want);
        let t = sample("ghp_:70:36:an");
        let want = format!("export GITHUB_TOKEN=[REDACTED:github-pat:…{}]", &t[36..]);
        check(format!("export GITHUB_TOKEN={t}"), want);
        let key = sample("@pem EC_");
        let want = "a\n[REDACTED:private-key]\nb";
        check(format!("a\n{key}\nb"), want.into());
        let unterminated = &key[..key.len() - 30];
        check(
            format!("k: {unterminated}"),
            "k: [REDACTED:private-key]".into(),
        );
        let pw = sample(":73:20:an");
        let want = format!(
            "git clone https://b:[REDACTED:url-basic-auth:…{}]@h",
            &pw[16..]
        );
        check(format!("git clone https://b:{pw}@h"), want);
        let short = sample(":74:9:an");
        let want = "redis://:[REDACTED:url-basic-auth]@cache:6379";
        check(format!("redis://:{short}@cache:6379"), want.into());
        let (a, b) = (sample("AKIA:75:16:b32"), sample("npm_:76:36:an"));
        let (a4, b4) = (&a[16..], &b[36..]);
        let want = format!("[REDACTED:aws-access-key-id:…{a4}] [REDACTED:npm-token:…{b4}]");
        check(format!("{a} {b}"), want);
        check("ls -la /tmp".into(), "ls -la /tmp".into());
    }

    #[test]
    fn redaction_and_describe_never_reveal_values() {
        for (rule, text, value) in table(POSITIVES) {
            let red = redact(&text);
            assert!(!red.contains(&value), "{rule}: {red}");
            assert!(red.contains(&format!("[REDACTED:{rule}")), "{rule}: {red}");
            assert_eq!(find_secrets(&red), vec![], "{rule}: {red}");
            for m in find_secrets(&text) {
                let label = describe(&m, &text);
                assert!(label.starts_with(m.rule) && !label.contains(&text[m.start..m.end]));
                assert!(!label.contains('\n'));
            }
        }
    }

    #[test]
    fn describe_format() {
        let t = sample("hf_:77:34:alpha");
        let text = format!("tok {t}");
        let found = find_secrets(&text);
        assert_eq!(
            describe(&found[0], &text),
            format!("huggingface-token …{}", &t[33..])
        );
        let out_of_bounds = SecretMatch {
            start: 3,
            end: 99,
            ..SecretMatch::clone(&found[0])
        };
        assert_eq!(describe(&out_of_bounds, "short"), "huggingface-token");
    }

    #[test]
    fn overlaps_keep_specific_rule_on_same_span() {
        let t = sample("ghp_:78:36:an");
        let text = format!("GITHUB_TOKEN={t} https://x-access-token:{t}@github.com/o/r");
        let found = find_secrets(&text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|m| m.rule == "github-pat"), "{found:?}");
    }

    #[test]
    fn secret_env_names() {
        let yes = "AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN GITHUB_TOKEN gh_token GITLAB_TOKEN \
            NPM_TOKEN STRIPE_API_KEY MAILGUN_APIKEY SLACK_BOT_TOKEN JWT_SECRET DJANGO_SECRET_KEY \
            MINIO_SECRET_ACCESS_KEY DB_PASSWORD smtp_passwd MYSQL_PWD DEPLOY_PRIVATE_KEY \
            GCP_CREDENTIALS DATABASE_URL \
            ANTHROPIC_API_KEY OPENAI_API_KEY PGPASSWORD TOKEN Vault_Token";
        for name in yes.split_whitespace() {
            assert!(is_secret_env_name(name), "{name}");
        }
        let no = "PATH HOME PWD OLDPWD USER SHELL TERM LANG EDITOR AWS_REGION AWS_PROFILE \
            AWS_DEFAULT_REGION TOKENIZERS_PARALLELISM GITHUB_ACTIONS CI NODE_ENV KEY MAX_TOKENS \
            TOKEN_LIMIT PASSWORD_MIN_LENGTH SSH_AUTH_SOCK AWS_ACCESS_KEY_ID GITHUB_TOKEN_FILE _";
        for name in no.split_whitespace().chain([""]) {
            assert!(!is_secret_env_name(name), "{name}");
        }
    }

    #[test]
    fn helper_heuristics() {
        assert!(low_information("1234567890abcdefghij") && low_information("abcdefghijklmnop"));
        assert!(low_information("QwQwQwQwQwQw") && !low_information(&sample(":80:16:an")));
        let comps = name_components("myAPIKey.client_secret-x");
        assert_eq!(comps, ["my", "api", "key", "client", "secret", "x"]);
        assert!(name_is_secret("accessToken") && !name_is_secret("tokenLimit"));
        assert!(entropy(b"aaaa") < 0.1 && entropy(b"abcd") > 1.99);
    }

    /// Asserts the structural invariants of `find_secrets` on `s`.
    fn check_invariants(s: &str) -> Result<(), TestCaseError> {
        let found = find_secrets(s);
        for w in found.windows(2) {
            prop_assert!(w[0].end <= w[1].start, "{:?}", found);
        }
        for m in &found {
            prop_assert!(m.start < m.end && m.end <= s.len());
            prop_assert!(s.is_char_boundary(m.start) && s.is_char_boundary(m.end));
        }
        prop_assert_eq!(contains_secret(s), !found.is_empty());
        let _ = redact(s);
        Ok(())
    }

    fn keyword_soup() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[ -~]{0,12}",
            "\\PC{0,4}",
            Just(sample("@pem RSA_")),
            "-----(BEGIN|END) (RSA )?PRIVATE KEY-----\n?",
            "(AKIA|ghp_|github_pat_|glpat-|xoxb-|sk_live_|eyJ|AIza|sk-|sk-proj-|npm_|SG\\.|hf_)",
            "(token|password|secret|api_key|auth|://|u:|@h|=|: |\"|--|\\$)",
            "[A-Za-z0-9_+/=-]{8,40}",
        ];
        prop::collection::vec(piece, 0..10).prop_map(|v| v.concat())
    }

    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            "(AKIA|ASIA)[A-Z2-7]{16}",
            "gh[pousr]_[A-Za-z0-9]{36}",
            "github_pat_[A-Za-z0-9_]{82}",
            "glpat-[A-Za-z0-9_-]{20,30}",
            "xox[baprs]-[A-Za-z0-9-]{10,30}",
            "[sr]k_(live|test)_[A-Za-z0-9]{16,30}",
            "eyJ[A-Za-z0-9_-]{8,20}\\.eyJ[A-Za-z0-9_-]{8,20}\\.[A-Za-z0-9_-]{8,20}",
            "AIza[0-9A-Za-z_-]{35}",
            "sk-proj-[A-Za-z0-9_-]{20,40}",
            "sk-ant-api03-[A-Za-z0-9_-]{80,90}",
            "(npm_[A-Za-z0-9]{36}|hf_[A-Za-z]{34}|dckr_pat_[A-Za-z0-9_-]{27})",
            "(dop_v1_[a-f0-9]{64}|shpat_[a-f0-9]{32}|SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43})",
            "[A-Za-z0-9!@#%^&*+/=_.-]{12,24}",
            "[A-Za-z0-9+/]{64}".prop_map(|b| format!("-----BEGIN {}KEY-----\n{b}\n", "PRIVATE ")),
        ]
    }

    fn context() -> impl Strategy<Value = (String, String)> {
        prop_oneof![
            ("[ -~]{0,20}", "[ -~]{0,20}"),
            (
                "[ -~]{0,9}(export GITHUB_TOKEN=|password: |--token |\"api_key\": \")",
                "[ -~]{0,9}"
            ),
            ("[ -~]{0,10}https://[a-z]{0,5}:", "@h\\.example[ -~]{0,10}"),
            ("[ -~]{0,10}aws_secret_access_key = ", "(\n|\"|)[ -~]{0,10}"),
        ]
    }

    proptest! {
        #[test]
        fn prop_arbitrary_strings_keep_invariants(s in any::<String>()) {
            check_invariants(&s)?;
        }

        #[test]
        fn prop_keyword_soup_keeps_invariants(s in keyword_soup()) {
            check_invariants(&s)?;
        }

        #[test]
        fn prop_redaction_is_idempotent((pre, post) in context(), tok in token()) {
            let text = format!("{pre}{tok}{post}");
            check_invariants(&text)?;
            let red = redact(&text);
            prop_assert_eq!(find_secrets(&red), vec![], "{:?} -> {:?}", text, red);
            for m in find_secrets(&text) {
                let value = &text[m.start..m.end];
                prop_assert!(value.len() < 12 || !red.contains(value), "{:?}", red);
            }
        }
    }
}
