//! Secret detection for text that an AI coding assistant is about to run,
//! send or write: shell command lines, URLs and file contents.
//!
//! Results say which rule fired and where the value sits; the value itself
//! is never stored or echoed (redaction keeps at most its last four chars).
//!
//! # Design
//! The caller is a hook with a budget of about a millisecond, usually in a
//! fresh process, so start-up cost matters as much as scanning speed:
//!
//! * every rule lists lowercase ASCII keywords; a single Aho-Corasick
//!   automaton over all of them (ASCII case-insensitive) decides which rules
//!   can match at all, so text without keywords costs one linear pass;
//! * a rule's regex is compiled on first use only and cached per rule;
//! * regexes are byte regexes with Unicode disabled (far cheaper to compile)
//!   that only match ASCII, so each reported range is a valid `&str` range;
//! * every candidate passes an allow-list (documented examples,
//!   placeholders, variable references) before it is reported.
//!
//! Adding a rule means adding one entry to the `RULES` table and its tests.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::bytes::{CaptureLocations, Regex, RegexBuilder};

/// A secret found in text; the value itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMatch {
    /// The rule id, for example "aws-access-key-id".
    pub rule: &'static str,
    /// Byte offset where the secret value starts.
    pub start: usize,
    /// Byte offset just past the secret value.
    pub end: usize,
}

/// Rule id of PEM private key blocks; they are redacted without any hint.
const PRIVATE_KEY: &str = "private-key";
/// Rule id of the context-based catch-all rule.
const GENERIC: &str = "generic-secret-assignment";

/// Minimum Shannon entropy (bits per char) for values that only their
/// context marks as secret.
const MIN_ENTROPY: f64 = 3.5;
/// Length bounds for values that only their context marks as secret.
const GENERIC_MIN_LEN: usize = 16;
const GENERIC_MAX_LEN: usize = 200;
/// Other occurrences of a found value are reported too once it is this long;
/// shorter values would hit unrelated text.
const MIN_REPEAT_LEN: usize = 8;
/// Cap on candidates, so hostile input cannot make the result explode.
const MAX_CANDIDATES: usize = 1 << 16;

/// One detection rule.
struct Rule {
    /// Stable id shown in reports and redaction markers.
    id: &'static str,
    /// Lowercase ASCII keywords; the rule runs only if one occurs in the text.
    keywords: &'static [&'static str],
    /// How the rule finds candidates once triggered.
    finder: Finder,
}

/// How a rule finds candidate secrets.
enum Finder {
    /// A regex whose capture group 1 is the value; the format is specific
    /// enough that only the placeholder allow-list applies.
    Token(&'static str),
    /// Like `Token`, but the value must also look random, because the format
    /// alone (a length and an alphabet) says little.
    RandomToken(&'static str),
    /// A secret-looking name assigned a value: group 1 is the name, groups
    /// 2 to 4 the value (double-quoted, single-quoted, bare).
    Assignment(&'static str),
    /// PEM private key blocks; hand-written since the END line must repeat
    /// the BEGIN label, which regexes without back-references cannot express.
    PrivateKey,
    /// `scheme://user:password@host`; hand-written to follow URL parsing
    /// rules (the last `@` ends the user info).
    BasicAuthUrl,
}

/// The rule table. Order matters only for ties: when two rules report the
/// same range, the earlier one wins, so specific rules come first and the
/// generic rule last.
const RULES: &[Rule] = &[
    Rule {
        id: PRIVATE_KEY,
        keywords: &["-----begin"],
        finder: Finder::PrivateKey,
    },
    // AWS key ids: a four-letter type prefix and 16 base32 chars.
    Rule {
        id: "aws-access-key-id",
        keywords: &["akia", "asia", "abia", "acca"],
        finder: Finder::Token(r"\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b"),
    },
    // The secret half has no prefix: 40 base64 chars, recognised by the
    // name it is assigned to (credentials files, env files, JSON output).
    Rule {
        id: "aws-secret-access-key",
        keywords: &["secret_access_key", "secretaccesskey", "secret-access-key"],
        finder: Finder::RandomToken(
            r#"(?i:secret[_-]?access[_-]?key)\\?["']?[ \t]*(?::=|=>|[:=])[ \t]*\\?["']?([A-Za-z0-9/+=]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        ),
    },
    // GitHub: documented prefixes plus at least 36 base62 chars.
    Rule {
        id: "github-pat",
        keywords: &["ghp_"],
        finder: Finder::Token(r"\b(ghp_[0-9A-Za-z]{36,})\b"),
    },
    Rule {
        id: "github-oauth",
        keywords: &["gho_"],
        finder: Finder::Token(r"\b(gho_[0-9A-Za-z]{36,})\b"),
    },
    Rule {
        id: "github-app-token",
        keywords: &["ghu_", "ghs_"],
        finder: Finder::Token(r"\b((?:ghu|ghs)_[0-9A-Za-z]{36,})\b"),
    },
    Rule {
        id: "github-refresh-token",
        keywords: &["ghr_"],
        finder: Finder::Token(r"\b(ghr_[0-9A-Za-z]{36,})\b"),
    },
    Rule {
        id: "github-fine-grained-pat",
        keywords: &["github_pat_"],
        finder: Finder::Token(r"\b(github_pat_[0-9A-Za-z_]{82,})\b"),
    },
    // GitLab: personal/project/group access tokens, optionally in the newer
    // routable form with a `.<version>.<checksum>` tail.
    Rule {
        id: "gitlab-pat",
        keywords: &["glpat-"],
        finder: Finder::Token(
            r"\b(glpat-[0-9A-Za-z_-]{20,}(?:\.[0-9A-Za-z]{1,4}\.[0-9A-Za-z]{4,16})?)",
        ),
    },
    // The other GitLab token kinds (deploy, runner, trigger, feed, mail,
    // agent, OAuth app, SCIM, feature flags, CI job) and legacy runner
    // registration tokens.
    Rule {
        id: "gitlab-token",
        keywords: &[
            "gldt-",
            "glrt-",
            "glptt-",
            "glft-",
            "glimt-",
            "glagent-",
            "gloas-",
            "glsoat-",
            "glffct-",
            "glcbt-",
            "gr1348941",
        ],
        finder: Finder::Token(
            r"\b((?:gldt|glrt|glptt|glft|glimt|glagent|gloas|glsoat|glffct|glcbt)-[0-9A-Za-z_-]{20,}(?:\.[0-9A-Za-z]{1,4}\.[0-9A-Za-z]{4,16})?|GR1348941[0-9A-Za-z_-]{20,})",
        ),
    },
    // Slack bot/user/app-level tokens: numeric ids then a random part;
    // rotating tokens use the xoxe forms.
    Rule {
        id: "slack-token",
        keywords: &["xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-", "xoxe"],
        finder: Finder::Token(
            r"\b(xox[abprs]-[0-9]{6,}-[0-9A-Za-z-]{8,}|xoxe(?:\.xox[bp])?-[0-9]-[0-9A-Za-z]{40,})",
        ),
    },
    Rule {
        id: "slack-app-token",
        keywords: &["xapp-"],
        finder: Finder::Token(r"\b(xapp-[0-9]+-[A-Z0-9]{8,}-[0-9]{8,}-[0-9A-Za-z]{32,})"),
    },
    // The path of a webhook URL is the credential; the host stays visible.
    Rule {
        id: "slack-webhook-url",
        keywords: &["hooks.slack.com"],
        finder: Finder::Token(
            r"hooks\.slack\.com/(?:services|workflows|triggers)/(T[A-Z0-9]{6,}/[AB][A-Z0-9]{6,}/(?:[0-9]{6,}/)?[0-9A-Za-z]{16,})",
        ),
    },
    // Stripe: test-mode keys too, since they still grant API access.
    Rule {
        id: "stripe-secret-key",
        keywords: &["sk_live_", "sk_test_"],
        finder: Finder::Token(r"\b(sk_(?:live|test)_[0-9A-Za-z]{24,})"),
    },
    Rule {
        id: "stripe-restricted-key",
        keywords: &["rk_live_", "rk_test_"],
        finder: Finder::Token(r"\b(rk_(?:live|test)_[0-9A-Za-z]{24,})"),
    },
    Rule {
        id: "stripe-webhook-secret",
        keywords: &["whsec_"],
        finder: Finder::Token(r"\b(whsec_[0-9A-Za-z]{32,})"),
    },
    // JWTs: a JSON header and payload (both start `{"` = `eyJ`) and a signature.
    Rule {
        id: "jwt",
        keywords: &["eyj"],
        finder: Finder::Token(
            r"\b(eyJ[0-9A-Za-z_-]{10,}\.eyJ[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]{10,})",
        ),
    },
    Rule {
        id: "google-api-key",
        keywords: &["aiza"],
        finder: Finder::Token(r"\b(AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)"),
    },
    // OpenAI: project, service-account and admin keys, and legacy keys
    // that embed base64("openai") = T3BlbkFJ.
    Rule {
        id: "openai-api-key",
        keywords: &["sk-proj-", "sk-svcacct-", "sk-admin-", "t3blbkfj"],
        finder: Finder::Token(
            r"\b(sk-(?:proj|svcacct|admin)-[0-9A-Za-z_-]{20,}|sk-[0-9A-Za-z]{20}T3BlbkFJ[0-9A-Za-z]{20})(?:[^0-9A-Za-z_-]|$)",
        ),
    },
    // Anthropic API and admin keys, and OAuth access/refresh tokens.
    Rule {
        id: "anthropic-api-key",
        keywords: &["sk-ant-"],
        finder: Finder::Token(
            r"\b(sk-ant-(?:api|admin)[0-9]{2}-[0-9A-Za-z_-]{80,}|sk-ant-(?:oat|ort)[0-9]{2}-[0-9A-Za-z_-]{40,})",
        ),
    },
    Rule {
        id: "npm-access-token",
        keywords: &["npm_"],
        finder: Finder::Token(r"\b(npm_[0-9A-Za-z]{36})\b"),
    },
    // PyPI tokens are macaroons whose first bytes encode the issuing index
    // (pypi.org or test.pypi.org).
    Rule {
        id: "pypi-upload-token",
        keywords: &["pypi-ageichlwas5vcmc", "pypi-agendgvzdc5wexbplm9yzw"],
        finder: Finder::Token(
            r"\b(pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[0-9A-Za-z_-]{50,})",
        ),
    },
    Rule {
        id: "twilio-api-key",
        keywords: &["sk"],
        finder: Finder::Token(r"\b(SK[0-9a-fA-F]{32})\b"),
    },
    Rule {
        id: "sendgrid-api-key",
        keywords: &["sg."],
        finder: Finder::Token(r"\b(SG\.[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43})(?:[^0-9A-Za-z_-]|$)"),
    },
    Rule {
        id: "huggingface-token",
        keywords: &["hf_"],
        finder: Finder::Token(r"\b(hf_[A-Za-z]{34})\b"),
    },
    // DigitalOcean personal access, OAuth and refresh tokens.
    Rule {
        id: "digitalocean-token",
        keywords: &["dop_v1_", "doo_v1_", "dor_v1_"],
        finder: Finder::Token(r"\b(do[opr]_v1_[0-9a-f]{64})\b"),
    },
    // Docker Hub personal and organisation access tokens.
    Rule {
        id: "dockerhub-pat",
        keywords: &["dckr_pat_", "dckr_oat_"],
        finder: Finder::Token(r"\b(dckr_(?:pat|oat)_[0-9A-Za-z_-]{20,})"),
    },
    // Shopify access tokens and shared secrets (admin, custom, private apps).
    Rule {
        id: "shopify-token",
        keywords: &["shpat_", "shpss_", "shpca_", "shppa_"],
        finder: Finder::Token(r"\b(shp(?:at|ss|ca|pa)_[0-9a-fA-F]{32})\b"),
    },
    // Azure storage account keys inside connection strings.
    Rule {
        id: "azure-storage-key",
        keywords: &["accountkey"],
        finder: Finder::RandomToken(r"(?i:accountkey)[ \t]*=[ \t]*([0-9A-Za-z+/]{86}==)"),
    },
    Rule {
        id: "basic-auth-url",
        keywords: &["://"],
        finder: Finder::BasicAuthUrl,
    },
    // Must stay last: it only fills gaps the specific rules leave.
    Rule {
        id: GENERIC,
        keywords: &[
            "secret",
            "token",
            "passwd",
            "password",
            "apikey",
            "api_key",
            "api-key",
            "accesskey",
            "access_key",
            "access-key",
            "privatekey",
            "private_key",
            "private-key",
            "auth",
            "credential",
        ],
        // Name, separator, then a double-quoted, single-quoted or bare value,
        // optionally after an HTTP auth scheme. Quotes may be backslash-escaped
        // (JSON inside shell strings). Quoted values exclude spaces, brackets,
        // braces and backslashes, so templates and variable references do not
        // match; bare values also stop at shell and query-string punctuation.
        finder: Finder::Assignment(
            r#"(?i)([a-z0-9_.-]*(?:secret|token|passwd|password|api[_-]?key|access[_-]?key|private[_-]?key|auth|credential)[a-z0-9_.-]*)\\?["']?[ \t]*(?::=|=>|[:=])[ \t]*(?:\\?"(?:(?:bearer|token|basic)[ \t]+)?([\x21\x23-\x26\x28-\x3B\x3D\x3F-\x5A\x5E\x5F\x61-\x7A\x7C\x7E]+)\\?"|\\?'(?:(?:bearer|token|basic)[ \t]+)?([\x21\x23-\x26\x28-\x3B\x3D\x3F-\x5A\x5E\x5F\x61-\x7A\x7C\x7E]+)\\?'|(?:(?:bearer|token|basic)[ \t]+)?([-A-Za-z0-9_+/=.~!@$%^*]+))"#,
        ),
    },
];

/// Number of rules; sizes the per-rule arrays below.
const RULE_COUNT: usize = RULES.len();

/// Lazily compiled regex per rule (`None` inside: failed to compile, so the
/// rule reports nothing instead of panicking).
static REGEXES: [OnceLock<Option<Regex>>; RULE_COUNT] = [const { OnceLock::new() }; RULE_COUNT];

/// Keyword automaton plus, per keyword, the rules it triggers.
struct Prefilter {
    automaton: AhoCorasick,
    rules_of: Vec<Vec<usize>>,
}

/// Built on first use; `None` if building failed, in which case every rule
/// runs (slower, but nothing is missed).
static PREFILTER: OnceLock<Option<Prefilter>> = OnceLock::new();

fn prefilter() -> Option<&'static Prefilter> {
    PREFILTER
        .get_or_init(|| {
            // Several rules may share a keyword: give the automaton each
            // keyword once and map it to all of its rules.
            let mut pairs: Vec<(&'static str, usize)> = RULES
                .iter()
                .enumerate()
                .flat_map(|(i, rule)| rule.keywords.iter().map(move |k| (*k, i)))
                .collect();
            pairs.sort_unstable();
            let mut words: Vec<&'static str> = Vec::new();
            let mut rules_of: Vec<Vec<usize>> = Vec::new();
            for (word, rule) in pairs {
                match (words.last(), rules_of.last_mut()) {
                    (Some(last), Some(rules)) if *last == word => rules.push(rule),
                    _ => {
                        words.push(word);
                        rules_of.push(vec![rule]);
                    }
                }
            }
            let automaton = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&words)
                .ok()?;
            Some(Prefilter {
                automaton,
                rules_of,
            })
        })
        .as_ref()
}

/// The compiled regex of rule `index`, compiling it on first use.
fn regex_for(index: usize) -> Option<&'static Regex> {
    let pattern = match RULES.get(index)?.finder {
        Finder::Token(p) | Finder::RandomToken(p) | Finder::Assignment(p) => p,
        Finder::PrivateKey | Finder::BasicAuthUrl => return None,
    };
    REGEXES
        .get(index)?
        .get_or_init(|| RegexBuilder::new(pattern).unicode(false).build().ok())
        .as_ref()
}

/// Which rules have a keyword in `text`.
fn triggered_rules(text: &str) -> [bool; RULE_COUNT] {
    let mut hit = [false; RULE_COUNT];
    let Some(pre) = prefilter() else {
        return [true; RULE_COUNT];
    };
    // Overlapping search: a keyword inside another must still count.
    let Ok(matches) = pre.automaton.try_find_overlapping_iter(text) else {
        return [true; RULE_COUNT];
    };
    for m in matches {
        if let Some(rules) = pre.rules_of.get(m.pattern().as_usize()) {
            for &r in rules {
                if let Some(slot) = hit.get_mut(r) {
                    *slot = true;
                }
            }
        }
    }
    hit
}

/// A candidate before overlap resolution.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    rule: usize,
    start: usize,
    end: usize,
}

/// Records a candidate if its range is a valid, non-empty `&str` range.
fn push_candidate(text: &str, out: &mut Vec<Candidate>, rule: usize, start: usize, end: usize) {
    // Regexes only match ASCII, so this holds by construction; checking is
    // cheap insurance that callers can always slice with the result.
    if start < end
        && end <= text.len()
        && text.is_char_boundary(start)
        && text.is_char_boundary(end)
        && out.len() < MAX_CANDIDATES
    {
        out.push(Candidate { rule, start, end });
    }
}

/// Runs rule `index` over `text`, appending candidates to `out`; with
/// `first_only` it stops after the first one.
fn scan_rule(index: usize, text: &str, out: &mut Vec<Candidate>, first_only: bool) {
    let Some(rule) = RULES.get(index) else {
        return;
    };
    match rule.finder {
        Finder::Token(_) | Finder::RandomToken(_) | Finder::Assignment(_) => {
            scan_regex(index, text, out, first_only)
        }
        Finder::PrivateKey => scan_private_keys(index, text, out, first_only),
        Finder::BasicAuthUrl => scan_basic_auth(index, text, out, first_only),
    }
}

fn scan_regex(index: usize, text: &str, out: &mut Vec<Candidate>, first_only: bool) {
    let (Some(rule), Some(re)) = (RULES.get(index), regex_for(index)) else {
        return;
    };
    let hay = text.as_bytes();
    let mut locs: CaptureLocations = re.capture_locations();
    let mut pos = 0;
    while pos < hay.len() {
        let Some(whole) = re.captures_read_at(&mut locs, hay, pos) else {
            break;
        };
        let mut next = whole.end();
        let value = match rule.finder {
            Finder::Token(_) => locs.get(1).filter(|&(s, e)| !is_placeholder(&hay[s..e])),
            Finder::RandomToken(_) => locs.get(1).filter(|&(s, e)| {
                let v = &hay[s..e];
                !is_placeholder(v) && entropy(v) >= MIN_ENTROPY
            }),
            Finder::Assignment(_) => {
                let name = locs.get(1);
                let value = locs.get(2).or_else(|| locs.get(3)).or_else(|| locs.get(4));
                if let Some((s, e)) = value {
                    // Resume inside the value, so that an assignment nested
                    // in a rejected or overridden value is still seen; values
                    // that are too long to qualify are skipped whole to keep
                    // the scan linear.
                    if e - s <= GENERIC_MAX_LEN && s > whole.start() {
                        next = s;
                    }
                }
                match (name, value) {
                    (Some((ns, ne)), Some((vs, ve)))
                        if name_is_secretish(&hay[ns..ne]) && generic_value_ok(&hay[vs..ve]) =>
                    {
                        Some((vs, ve))
                    }
                    _ => None,
                }
            }
            Finder::PrivateKey | Finder::BasicAuthUrl => None,
        };
        if let Some((s, e)) = value {
            push_candidate(text, out, index, s, e);
            if first_only {
                return;
            }
        }
        // Every pattern consumes at least one byte, but never loop on an
        // empty match whatever a future pattern looks like.
        pos = if next > pos { next } else { pos + 1 };
    }
}

/// Finds PEM private key blocks, from the BEGIN line through the END line
/// with the same label, or to the end of the text if that line is missing.
fn scan_private_keys(index: usize, text: &str, out: &mut Vec<Candidate>, first_only: bool) {
    const BEGIN: &str = "-----BEGIN ";
    const DASHES: &str = "-----";
    // Less than this many base64 chars is a mention or a placeholder
    // (`...`, `<key>`), not a key.
    const MIN_BODY: usize = 32;
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(rel) = text.get(from..).and_then(|rest| rest.find(BEGIN)) {
        let start = from + rel;
        let label_start = start + BEGIN.len();
        let mut label_end = label_start;
        while label_end < bytes.len()
            && label_end - label_start < 64
            && (bytes[label_end].is_ascii_uppercase()
                || bytes[label_end].is_ascii_digit()
                || bytes[label_end] == b' ')
        {
            label_end += 1;
        }
        let label = text.get(label_start..label_end).unwrap_or("");
        let is_key = label.ends_with("PRIVATE KEY") || label.ends_with("PRIVATE KEY BLOCK");
        let header_end = label_end + DASHES.len();
        if !is_key || !text.get(label_end..).is_some_and(|r| r.starts_with(DASHES)) {
            from = label_start;
            continue;
        }
        match find_pem_end(text, header_end, label) {
            Some((body_end, block_end)) => {
                if base64_count(&bytes[header_end..body_end]) >= MIN_BODY {
                    push_candidate(text, out, index, start, block_end);
                    if first_only {
                        return;
                    }
                    from = block_end;
                    continue;
                }
            }
            None => {
                if leading_body_len(&bytes[header_end..]) >= MIN_BODY {
                    // No END line: the rest of the text may be key material.
                    push_candidate(text, out, index, start, text.len());
                    return;
                }
            }
        }
        from = header_end;
    }
}

/// Position of `-----END <label>-----` after `from`: (start, end) of that line.
fn find_pem_end(text: &str, from: usize, label: &str) -> Option<(usize, usize)> {
    const END: &str = "-----END ";
    let mut search = from;
    while let Some(rel) = text.get(search..)?.find(END) {
        let at = search + rel;
        let after = at + END.len();
        let rest = text.get(after..)?;
        if rest.starts_with(label) && rest[label.len()..].starts_with("-----") {
            return Some((at, after + label.len() + 5));
        }
        search = after;
    }
    None
}

fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

fn base64_count(body: &[u8]) -> usize {
    body.iter().filter(|&&b| is_base64_byte(b)).count()
}

/// Base64 chars at the start of an unterminated key body, allowing line
/// breaks (raw or as `\n` escapes) and RFC 1421 header lines.
fn leading_body_len(body: &[u8]) -> usize {
    body.iter()
        .take_while(|&&b| {
            is_base64_byte(b) || b.is_ascii_whitespace() || matches!(b, b'\\' | b':' | b',' | b'-')
        })
        .filter(|&&b| is_base64_byte(b))
        .count()
}

/// Bytes allowed in URL user info (RFC 3986 unreserved, percent-encoded,
/// sub-delims and `:`), minus quotes that end a shell word.
fn is_userinfo_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'%'
                | b'!'
                | b'$'
                | b'&'
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
        )
}

/// Finds the password of `scheme://user:password@host` URLs.
fn scan_basic_auth(index: usize, text: &str, out: &mut Vec<Candidate>, first_only: bool) {
    let b = text.as_bytes();
    for (sep, _) in text.match_indices("://") {
        // A scheme must precede `://`; it starts with a letter.
        let mut scheme = sep;
        while scheme > 0
            && (b[scheme - 1].is_ascii_alphanumeric()
                || matches!(b[scheme - 1], b'+' | b'.' | b'-'))
        {
            scheme -= 1;
        }
        if !b[scheme..sep].iter().any(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let auth_start = sep + 3;
        let mut i = auth_start;
        let mut at = None;
        while i < b.len() && (is_userinfo_byte(b[i]) || b[i] == b'@') {
            if b[i] == b'@' {
                at = Some(i);
            }
            i += 1;
        }
        let Some(at) = at else {
            continue;
        };
        let Some(colon) = b[auth_start..at].iter().position(|&c| c == b':') else {
            continue;
        };
        let user = &b[auth_start..auth_start + colon];
        let pass_start = auth_start + colon + 1;
        let pass = &b[pass_start..at];
        let host_len = b[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
            .count();
        let host = &b[at + 1..at + 1 + host_len];
        if (host.is_empty() && b.get(at + 1) != Some(&b'[')) || !password_ok(user, pass, host) {
            continue;
        }
        push_candidate(text, out, index, pass_start, at);
        if first_only && !out.is_empty() {
            return;
        }
    }
}

/// Whether a URL password is real rather than a placeholder or template.
fn password_ok(user: &[u8], pass: &[u8], host: &[u8]) -> bool {
    const WORDS: &[&[u8]] = &[
        b"pass",
        b"passwd",
        b"pwd",
        b"pw",
        b"secret",
        b"user",
        b"username",
        b"x-oauth-basic",
    ];
    pass.len() >= 3
        && !is_placeholder(pass)
        && !WORDS.iter().any(|w| pass.eq_ignore_ascii_case(w))
        // `%s` / `%(password)s` are format strings, not values.
        && !pass.starts_with(b"%s")
        && !pass.starts_with(b"%(")
        // `guest:guest`, `root:root`: documented defaults, not secrets.
        && !pass.eq_ignore_ascii_case(user)
        && !contains_ci(host, b"example")
}

/// Whether a variable or key name marks its value as secret: a secret word
/// must end the name or one of its parts (`authToken`, `db_password`,
/// `client-secrets`), so `tokenizer` or `authority` do not count. Names that
/// point at a secret rather than hold it (`*_url`, `*_file`) do not count.
fn name_is_secretish(name: &[u8]) -> bool {
    const WORDS: &[&[u8]] = &[
        b"password",
        b"passwd",
        b"secret",
        b"token",
        b"apikey",
        b"api_key",
        b"api-key",
        b"accesskey",
        b"access_key",
        b"access-key",
        b"privatekey",
        b"private_key",
        b"private-key",
        b"credential",
        b"authorization",
        b"auth",
    ];
    const NOT_VALUES: &[&[u8]] = &[
        b"url",
        b"uri",
        b"path",
        b"file",
        b"filename",
        b"dir",
        b"directory",
        b"name",
        b"type",
        b"id",
        b"ids",
        b"endpoint",
        b"host",
        b"ttl",
        b"expiry",
        b"expires",
        b"expiration",
        b"length",
        b"count",
        b"size",
        b"timeout",
        b"version",
        b"mode",
        b"enabled",
        b"method",
        b"provider",
        b"format",
        b"prefix",
        b"suffix",
        b"policy",
        b"scope",
        b"scopes",
        b"header_name",
    ];
    if NOT_VALUES.iter().any(|s| ends_with_ci(name, s)) {
        return false;
    }
    WORDS.iter().any(|w| {
        (0..name.len().saturating_sub(w.len() - 1)).any(|i| {
            let end = i + w.len();
            if !name[i..end].eq_ignore_ascii_case(w) {
                return false;
            }
            match name.get(end) {
                None => true,
                Some(c) if !c.is_ascii_alphabetic() => true,
                // Plural: `credentials`, `secrets`.
                Some(b's' | b'S') => name.get(end + 1).is_none_or(|c| !c.is_ascii_alphabetic()),
                // camelCase boundary: `authToken`.
                Some(c) => c.is_ascii_uppercase() && name[end - 1].is_ascii_lowercase(),
            }
        })
    })
}

/// Whether a value assigned to a secret-looking name is itself a secret.
fn generic_value_ok(v: &[u8]) -> bool {
    // References to where a secret lives, not the secret itself.
    const REFERENCES: &[&[u8]] = &[
        b"process.env",
        b"os.environ",
        b"os.getenv",
        b"env.",
        b"secrets.",
        b"vars.",
        b"import.meta",
        b"config.",
        b"settings.",
        b"/",
        b"./",
        b"../",
        b"~/",
    ];
    (GENERIC_MIN_LEN..=GENERIC_MAX_LEN).contains(&v.len())
        && v.iter().any(u8::is_ascii_digit)
        && v.iter().any(u8::is_ascii_alphabetic)
        && !is_placeholder(v)
        && !REFERENCES.iter().any(|r| starts_with_ci(v, r))
        && !contains_ci(v, b"://")
        && !is_identifier_path(v)
        && !is_constant_name(v)
        && entropy(v) >= MIN_ENTROPY
}

/// `config.auth.clientSecret2`: a dotted code path, not a value.
fn is_identifier_path(v: &[u8]) -> bool {
    v.contains(&b'.')
        && v.split(|&c| c == b'.').all(|part| {
            part.first()
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
                && part.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        })
}

/// `MY_SERVICE_TOKEN_V2`: the name of another variable, not a value.
fn is_constant_name(v: &[u8]) -> bool {
    v.first().is_some_and(u8::is_ascii_uppercase)
        && v.contains(&b'_')
        && v.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
}

/// Documented examples, placeholders, templates, masked and degenerate
/// values: never reported by any rule.
fn is_placeholder(v: &[u8]) -> bool {
    const PARTS: &[&[u8]] = &[
        b"example",
        b"xxxx",
        b"placeholder",
        b"changeme",
        b"change_me",
        b"change-me",
        b"your_",
        b"your-",
        b"redacted",
        b"dummy",
        b"<",
        b">",
        b"${",
        b"{{",
        b"}}",
        b"...",
        b"****",
    ];
    const WORDS: &[&[u8]] = &[
        b"test",
        b"password",
        b"secret",
        b"token",
        b"changeit",
        b"none",
        b"null",
        b"nil",
        b"undefined",
        b"true",
        b"false",
        b"empty",
    ];
    v.is_empty()
        // `$VAR` and `${VAR}`: a reference to the secret, not the secret.
        || v[0] == b'$'
        || PARTS.iter().any(|p| contains_ci(v, p))
        || WORDS.iter().any(|w| v.eq_ignore_ascii_case(w))
        || v.iter().all(|&c| c == v[0])
        // Long runs of one char (`AKIAAAAAAAAAAAAAAAAA`) are filler.
        || longest_run(v) >= 8
}

fn longest_run(v: &[u8]) -> usize {
    let (mut best, mut run) = (0, 0);
    for (i, c) in v.iter().enumerate() {
        run = if i > 0 && v[i - 1] == *c { run + 1 } else { 1 };
        best = best.max(run);
    }
    best
}

/// Shannon entropy in bits per byte.
fn entropy(v: &[u8]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &c in v {
        counts[usize::from(c)] += 1;
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

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

fn starts_with_ci(hay: &[u8], prefix: &[u8]) -> bool {
    hay.get(..prefix.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
}

fn ends_with_ci(hay: &[u8], suffix: &[u8]) -> bool {
    hay.len() >= suffix.len() && hay[hay.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

fn is_generic(rule: usize) -> bool {
    RULES.get(rule).is_some_and(|r| r.id == GENERIC)
}

fn is_private_key(rule: usize) -> bool {
    RULES.get(rule).is_some_and(|r| r.id == PRIVATE_KEY)
}

/// Adds every other occurrence of an already found value: once a string is
/// known to be a secret, a second copy (`echo $TOKEN` expanded, a value
/// pasted twice) leaks it just as much.
fn add_repeats(text: &str, cands: &mut Vec<Candidate>) {
    let mut values: Vec<(&str, usize)> = cands
        .iter()
        .filter(|c| c.end - c.start >= MIN_REPEAT_LEN && !is_private_key(c.rule))
        .filter_map(|c| Some((text.get(c.start..c.end)?, c.rule)))
        .collect();
    values.sort_unstable();
    values.dedup_by(|a, b| a.0 == b.0);
    if values.is_empty() {
        return;
    }
    // One pass for all values keeps this linear in the text.
    let Ok(ac) = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(values.iter().map(|v| v.0))
    else {
        return;
    };
    let Ok(found) = ac.try_find_overlapping_iter(text) else {
        return;
    };
    for m in found {
        if let Some(&(_, rule)) = values.get(m.pattern().as_usize()) {
            push_candidate(text, cands, rule, m.start(), m.end());
        }
    }
}

/// Orders candidates and drops overlaps: among specific rules the earlier,
/// then longer, then higher-priority one wins; a generic match is kept only
/// where it overlaps no specific one, since the specific rule names the
/// secret better.
fn resolve(mut cands: Vec<Candidate>) -> Vec<SecretMatch> {
    cands.sort_unstable_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(a.rule.cmp(&b.rule))
    });
    cands.dedup_by(|later, earlier| later.start == earlier.start && later.end == earlier.end);

    let mut kept: Vec<Candidate> = Vec::new();
    let mut last_end = 0;
    for c in cands.iter().filter(|c| !is_generic(c.rule)) {
        if c.start >= last_end {
            kept.push(*c);
            last_end = c.end;
        }
    }
    let specific = kept.len();
    let mut k = 0;
    let mut last_generic_end = 0;
    for c in cands.iter().filter(|c| is_generic(c.rule)) {
        if c.start < last_generic_end {
            continue;
        }
        // Specific matches are sorted and disjoint, so their ends ascend too.
        while k < specific && kept[k].end <= c.start {
            k += 1;
        }
        if k < specific && kept[k].start < c.end {
            continue;
        }
        kept.push(*c);
        last_generic_end = c.end;
    }
    kept.sort_unstable_by_key(|c| c.start);
    kept.into_iter()
        .filter_map(|c| {
            Some(SecretMatch {
                rule: RULES.get(c.rule)?.id,
                start: c.start,
                end: c.end,
            })
        })
        .collect()
}

/// All secrets in `text`, in order of position, non-overlapping (on overlap keep the earlier/longer one).
///
/// Where a generic assignment overlaps a provider-specific match, the
/// specific one is kept. Further copies of a found value (8+ chars) are
/// reported under the same rule.
pub fn find_secrets(text: &str) -> Vec<SecretMatch> {
    if text.is_empty() {
        return Vec::new();
    }
    let hit = triggered_rules(text);
    let mut cands = Vec::new();
    for (index, _) in hit.iter().enumerate().filter(|(_, &h)| h) {
        scan_rule(index, text, &mut cands, false);
    }
    if cands.is_empty() {
        return Vec::new();
    }
    add_repeats(text, &mut cands);
    resolve(cands)
}

/// Whether `text` holds at least one secret (may short-circuit).
pub fn contains_secret(text: &str) -> bool {
    if text.is_empty() {
        return false;
    }
    let hit = triggered_rules(text);
    let mut cands = Vec::new();
    hit.iter()
        .enumerate()
        .filter(|(_, &h)| h)
        .any(|(index, _)| {
            scan_rule(index, text, &mut cands, true);
            !cands.is_empty()
        })
}

/// The trailing hint shown for a value: its last four chars, but never more
/// than a quarter of it, so short values are not given away.
fn hint(value: &str) -> &str {
    let show = (value.chars().count() / 4).min(4);
    if show == 0 {
        return "";
    }
    let start = value
        .char_indices()
        .rev()
        .nth(show - 1)
        .map_or(0, |(i, _)| i);
    value.get(start..).unwrap_or("")
}

/// `text` with every secret value replaced by `[REDACTED:<rule>:…<last 4 chars>]`; for private key blocks replace the whole block and show no characters of it (`[REDACTED:private-key]`).
///
/// Values shorter than 16 chars show fewer chars (a quarter of their length).
pub fn redact(text: &str) -> String {
    let matches = find_secrets(text);
    if matches.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 40 * matches.len());
    let mut pos = 0;
    for m in &matches {
        let (Some(before), Some(value)) = (text.get(pos..m.start), text.get(m.start..m.end)) else {
            continue;
        };
        out.push_str(before);
        out.push_str("[REDACTED:");
        out.push_str(m.rule);
        if m.rule != PRIVATE_KEY {
            out.push_str(":…");
            out.push_str(hint(value));
        }
        out.push(']');
        pos = m.end;
    }
    out.push_str(text.get(pos..).unwrap_or(""));
    out
}

/// A short, value-free description of one match for reports: `"<rule> …<last4>"` (private keys: just the rule).
///
/// Like [`redact`], short values show a quarter of their length at most.
pub fn describe(m: &SecretMatch, text: &str) -> String {
    if m.rule == PRIVATE_KEY {
        return m.rule.to_owned();
    }
    let value = text.get(m.start..m.end).unwrap_or("");
    format!("{} …{}", m.rule, hint(value))
}

/// Whether an environment variable NAME suggests it holds a secret: e.g. AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, GITHUB_TOKEN, GH_TOKEN, GITLAB_TOKEN, NPM_TOKEN, OPENAI_API_KEY, ANTHROPIC_API_KEY, *_API_KEY, *_APIKEY, *_TOKEN, *_SECRET, *_SECRET_KEY, *_PASSWORD, *_PASSWD, *_PRIVATE_KEY, *_ACCESS_KEY, *_CREDENTIALS, DATABASE_URL, *_DSN; case-insensitive.
///
/// Names that point at a secret rather than hold it (`*_URL`, `*_PATH`,
/// `*_FILE`, `*_DIR`, ...) are not secret names, except connection strings
/// that embed passwords (`DATABASE_URL`, `REDIS_URL`, `*_DSN`, ...).
/// A trailing version part (`_2`, `_V2`) is ignored.
pub fn is_secret_env_name(name: &str) -> bool {
    // Matched as whole name or after `_`.
    const CONNECTION: &[&[u8]] = &[
        b"DATABASE_URL",
        b"DATABASE_URI",
        b"DB_URL",
        b"DB_URI",
        b"REDIS_URL",
        b"MONGODB_URI",
        b"MONGODB_URL",
        b"MONGO_URI",
        b"MONGO_URL",
        b"AMQP_URL",
        b"RABBITMQ_URL",
        b"CONNECTION_STRING",
        b"DSN",
        b"PASS",
        b"AUTH_KEY",
        b"SIGNING_KEY",
        b"ENCRYPTION_KEY",
        b"MASTER_KEY",
    ];
    // Matched as any suffix, so `PGPASSWORD` and `GHTOKEN` count too.
    const SUFFIXES: &[&[u8]] = &[
        b"TOKEN",
        b"SECRET",
        b"PASSWORD",
        b"PASSWD",
        b"APIKEY",
        b"API_KEY",
        b"SECRETKEY",
        b"SECRET_KEY",
        b"PRIVATEKEY",
        b"PRIVATE_KEY",
        b"ACCESSKEY",
        b"ACCESS_KEY",
        b"CREDENTIALS",
        b"CREDENTIAL",
    ];
    // The id half of an AWS key pair is reported by the scanner too.
    const EXACT: &[&[u8]] = &[b"AWS_ACCESS_KEY_ID", b"SECRET_KEY_BASE"];

    let mut n = name.trim().as_bytes();
    if EXACT.iter().any(|e| env_eq(n, e)) {
        return true;
    }
    // Drop one trailing version part: `_2`, `_V2`.
    if let Some(cut) = n.iter().rposition(|&c| matches!(c, b'_' | b'-' | b'.')) {
        let tail = &n[cut + 1..];
        let digits = tail
            .strip_prefix(b"V")
            .or_else(|| tail.strip_prefix(b"v"))
            .unwrap_or(tail);
        if cut > 0 && !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
            n = &n[..cut];
        }
    }
    let bounded = |s: &[u8]| {
        env_suffix(n, s)
            && (n.len() == s.len() || matches!(n[n.len() - s.len() - 1], b'_' | b'-' | b'.'))
    };
    CONNECTION.iter().any(|s| bounded(s))
        || SUFFIXES.iter().any(|s| env_suffix(n, s))
        // `MYSQL_PWD` holds a password, but plain `PWD` is the working directory.
        || (n.len() > 3 && bounded(b"PWD"))
}

/// Case-insensitive name equality that treats `-` and `.` like `_`.
fn env_eq(a: &[u8], b: &[u8]) -> bool {
    let norm = |c: u8| match c {
        b'-' | b'.' => b'_',
        c => c.to_ascii_uppercase(),
    };
    a.len() == b.len() && a.iter().zip(b).all(|(&x, &y)| norm(x) == norm(y))
}

fn env_suffix(name: &[u8], suffix: &[u8]) -> bool {
    name.len() >= suffix.len() && env_eq(&name[name.len() - suffix.len()..], suffix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const B64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const B32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const UPPER_NUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    const HEX: &str = "0123456789abcdef";
    const DIGITS: &str = "0123456789";
    const PASSWORD_CHARS: &str =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!%^*_-+";

    /// Deterministic pseudo-random string (xorshift64), so that samples are
    /// format-valid, random-looking and stable, yet no literal token appears
    /// in this source file.
    fn rnd(alphabet: &str, len: usize, seed: u64) -> String {
        let a = alphabet.as_bytes();
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from(a[(x % a.len() as u64) as usize])
            })
            .collect()
    }

    fn pem(label: &str, seed: u64) -> String {
        let body: Vec<String> = (0..4).map(|i| rnd(B64, 64, seed + i)).collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----",
            body.join("\n")
        )
    }

    /// (rule, text, secret value): at least three per rule, in varied contexts.
    fn samples() -> Vec<(&'static str, String, String)> {
        let mut out = Vec::new();
        let mut add = |rule: &'static str, template: &str, value: String| {
            out.push((rule, template.replace("@@", &value), value));
        };
        // Contexts that the hook sees: env files, shell, JSON, YAML, URLs.
        let shell = "export SOME_VALUE=@@ && ./deploy.sh";
        let json = "{\"name\": \"svc\", \"value\": \"@@\"}";
        let yaml = "settings:\n  value: @@\n  other: 1\n";
        let header = "curl -s -H 'Authorization: Bearer @@' https://api.internal/v1";
        let clone = "git clone https://ci:@@@git.internal/team/repo.git";

        add(
            "aws-access-key-id",
            shell,
            format!("AKIA{}", rnd(B32, 16, 1)),
        );
        add(
            "aws-access-key-id",
            json,
            format!("ASIA{}", rnd(B32, 16, 2)),
        );
        add(
            "aws-access-key-id",
            "[default]\naws_access_key_id=@@\n",
            format!("ABIA{}", rnd(B32, 16, 3)),
        );

        add(
            "aws-secret-access-key",
            "aws_secret_access_key = @@\n",
            rnd(B64, 40, 4),
        );
        add(
            "aws-secret-access-key",
            "AWS_SECRET_ACCESS_KEY=@@ aws s3 ls",
            rnd(B64, 40, 5),
        );
        add(
            "aws-secret-access-key",
            "{\"SecretAccessKey\": \"@@\", \"x\": 1}",
            rnd(B64, 40, 6),
        );

        add("github-pat", shell, format!("ghp_{}", rnd(ALNUM, 36, 7)));
        add("github-pat", header, format!("ghp_{}", rnd(ALNUM, 36, 8)));
        add("github-pat", clone, format!("ghp_{}", rnd(ALNUM, 36, 9)));

        add("github-oauth", shell, format!("gho_{}", rnd(ALNUM, 36, 10)));
        add("github-oauth", json, format!("gho_{}", rnd(ALNUM, 36, 11)));
        add("github-oauth", yaml, format!("gho_{}", rnd(ALNUM, 36, 12)));

        add(
            "github-app-token",
            shell,
            format!("ghs_{}", rnd(ALNUM, 36, 13)),
        );
        add(
            "github-app-token",
            json,
            format!("ghu_{}", rnd(ALNUM, 36, 14)),
        );
        add(
            "github-app-token",
            clone,
            format!("ghs_{}", rnd(ALNUM, 36, 15)),
        );

        add(
            "github-refresh-token",
            shell,
            format!("ghr_{}", rnd(ALNUM, 36, 16)),
        );
        add(
            "github-refresh-token",
            json,
            format!("ghr_{}", rnd(ALNUM, 36, 17)),
        );
        add(
            "github-refresh-token",
            yaml,
            format!("ghr_{}", rnd(ALNUM, 36, 18)),
        );

        let fine = |seed| {
            format!(
                "github_pat_{}_{}",
                rnd(ALNUM, 22, seed),
                rnd(ALNUM, 59, seed + 1)
            )
        };
        add("github-fine-grained-pat", shell, fine(19));
        add("github-fine-grained-pat", header, fine(21));
        add("github-fine-grained-pat", clone, fine(23));

        add(
            "gitlab-pat",
            shell,
            format!("glpat-{}", rnd(B64URL, 20, 25)),
        );
        add(
            "gitlab-pat",
            header,
            format!("glpat-{}", rnd(ALNUM, 26, 26)),
        );
        add(
            "gitlab-pat",
            json,
            format!(
                "glpat-{}.01.{}",
                rnd(ALNUM, 27, 27),
                rnd("abcdefghijklmnopqrstuvwxyz0123456789", 9, 28)
            ),
        );

        add(
            "gitlab-token",
            shell,
            format!("gldt-{}", rnd(ALNUM, 20, 29)),
        );
        add(
            "gitlab-token",
            "gitlab-runner register --token @@",
            format!("glrt-{}", rnd(B64URL, 24, 30)),
        );
        add(
            "gitlab-token",
            json,
            format!("GR1348941{}", rnd(ALNUM, 20, 31)),
        );

        let bot = format!(
            "xoxb-{}-{}-{}",
            rnd(DIGITS, 12, 32),
            rnd(DIGITS, 13, 33),
            rnd(ALNUM, 24, 34)
        );
        add("slack-token", shell, bot);
        let user = format!(
            "xoxp-{}-{}-{}-{}",
            rnd(DIGITS, 11, 35),
            rnd(DIGITS, 11, 36),
            rnd(DIGITS, 12, 37),
            rnd(HEX, 32, 38)
        );
        add("slack-token", header, user);
        add(
            "slack-token",
            json,
            format!("xoxe.xoxp-1-{}", rnd(ALNUM, 60, 39)),
        );

        let app = |seed| {
            format!(
                "xapp-1-A{}-{}-{}",
                rnd(UPPER_NUM, 10, seed),
                rnd(DIGITS, 13, seed + 1),
                rnd(HEX, 64, seed + 2)
            )
        };
        add("slack-app-token", shell, app(40));
        add("slack-app-token", json, app(43));
        add("slack-app-token", yaml, app(46));

        let hook = |seed| {
            format!(
                "T{}/B{}/{}",
                rnd(UPPER_NUM, 8, seed),
                rnd(UPPER_NUM, 8, seed + 1),
                rnd(ALNUM, 24, seed + 2)
            )
        };
        add(
            "slack-webhook-url",
            "curl -X POST https://hooks.slack.com/services/@@ -d '{}'",
            hook(49),
        );
        add(
            "slack-webhook-url",
            "{\"webhook\": \"https://hooks.slack.com/services/@@\"}",
            hook(52),
        );
        add(
            "slack-webhook-url",
            "SLACK_HOOK=https://hooks.slack.com/services/@@\n",
            hook(55),
        );

        add(
            "stripe-secret-key",
            shell,
            format!("sk_live_{}", rnd(ALNUM, 24, 58)),
        );
        add(
            "stripe-secret-key",
            header,
            format!("sk_test_{}", rnd(ALNUM, 99, 59)),
        );
        add(
            "stripe-secret-key",
            "stripe.api_key = \"@@\"",
            format!("sk_live_{}", rnd(ALNUM, 40, 60)),
        );

        add(
            "stripe-restricted-key",
            shell,
            format!("rk_live_{}", rnd(ALNUM, 24, 61)),
        );
        add(
            "stripe-restricted-key",
            json,
            format!("rk_test_{}", rnd(ALNUM, 50, 62)),
        );
        add(
            "stripe-restricted-key",
            yaml,
            format!("rk_live_{}", rnd(ALNUM, 99, 63)),
        );

        add(
            "stripe-webhook-secret",
            shell,
            format!("whsec_{}", rnd(ALNUM, 32, 64)),
        );
        add(
            "stripe-webhook-secret",
            json,
            format!("whsec_{}", rnd(ALNUM, 32, 65)),
        );
        add(
            "stripe-webhook-secret",
            yaml,
            format!("whsec_{}", rnd(ALNUM, 40, 66)),
        );

        add(
            "private-key",
            "cat > id_rsa <<EOF\n@@\nEOF",
            pem(concat!("RSA ", "PRIVATE KEY"), 67),
        );
        add(
            "private-key",
            "key file:\n@@\n",
            pem(concat!("OPENSSH ", "PRIVATE KEY"), 71),
        );
        add(
            "private-key",
            "-- begin --\n@@\n",
            pem(concat!("PGP ", "PRIVATE KEY BLOCK"), 75),
        );
        // JSON-escaped newlines, as in service-account files.
        let escaped = pem(concat!("PRIVATE ", "KEY"), 79).replace('\n', "\\n");
        add(
            "private-key",
            "{\"type\": \"service_account\", \"private_key\": \"@@\\n\"}",
            escaped,
        );
        // No END line: everything from the header on is treated as key material.
        let unterminated = format!(
            "{}\n{}\n{}",
            concat!("-----BEGIN EC ", "PRIVATE KEY-----"),
            rnd(B64, 64, 83),
            rnd(B64, 30, 84)
        );
        add("private-key", "echo '@@", unterminated);

        let jwt = |seed| {
            format!(
                "eyJ{}.eyJ{}.{}",
                rnd(B64URL, 30, seed),
                rnd(B64URL, 60, seed + 1),
                rnd(B64URL, 43, seed + 2)
            )
        };
        add("jwt", header, jwt(85));
        add("jwt", json, jwt(88));
        add("jwt", "Cookie: session=@@; Path=/", jwt(91));

        add(
            "google-api-key",
            shell,
            format!("AIza{}", rnd(B64URL, 35, 94)),
        );
        add(
            "google-api-key",
            "https://maps.googleapis.com/maps/api/js?key=@@&v=3",
            format!("AIza{}", rnd(ALNUM, 35, 95)),
        );
        add(
            "google-api-key",
            json,
            format!("AIza{}", rnd(B64URL, 35, 96)),
        );

        add(
            "openai-api-key",
            shell,
            format!("sk-proj-{}", rnd(B64URL, 156, 97)),
        );
        add(
            "openai-api-key",
            header,
            format!("sk-{}T3BlbkFJ{}", rnd(ALNUM, 20, 98), rnd(ALNUM, 20, 99)),
        );
        add(
            "openai-api-key",
            json,
            format!("sk-svcacct-{}", rnd(B64URL, 80, 100)),
        );

        add(
            "anthropic-api-key",
            shell,
            format!("sk-ant-api03-{}", rnd(B64URL, 93, 101)),
        );
        add(
            "anthropic-api-key",
            "-H 'x-api-key: @@'",
            format!("sk-ant-admin01-{}", rnd(B64URL, 90, 102)),
        );
        add(
            "anthropic-api-key",
            json,
            format!("sk-ant-oat01-{}", rnd(B64URL, 60, 103)),
        );

        add(
            "npm-access-token",
            "//registry.npmjs.org/:_authToken=@@\n",
            format!("npm_{}", rnd(ALNUM, 36, 104)),
        );
        add(
            "npm-access-token",
            shell,
            format!("npm_{}", rnd(ALNUM, 36, 105)),
        );
        add(
            "npm-access-token",
            json,
            format!("npm_{}", rnd(ALNUM, 36, 106)),
        );

        add(
            "pypi-upload-token",
            "twine upload -p @@ dist/*",
            format!("pypi-AgEIcHlwaS5vcmc{}", rnd(B64URL, 60, 107)),
        );
        add(
            "pypi-upload-token",
            "[pypi]\npassword = @@\n",
            format!("pypi-AgEIcHlwaS5vcmc{}", rnd(B64URL, 150, 108)),
        );
        add(
            "pypi-upload-token",
            shell,
            format!("pypi-AgENdGVzdC5weXBpLm9yZw{}", rnd(B64URL, 70, 109)),
        );

        add("twilio-api-key", shell, format!("SK{}", rnd(HEX, 32, 110)));
        add(
            "twilio-api-key",
            json,
            format!("SK{}", rnd("0123456789ABCDEF", 32, 111)),
        );
        add(
            "twilio-api-key",
            "twilio api --api-key @@ --api-secret x",
            format!("SK{}", rnd(HEX, 32, 112)),
        );

        let sg = |seed| format!("SG.{}.{}", rnd(B64URL, 22, seed), rnd(B64URL, 43, seed + 1));
        add("sendgrid-api-key", shell, sg(113));
        add("sendgrid-api-key", header, sg(115));
        add("sendgrid-api-key", json, sg(117));

        add(
            "huggingface-token",
            shell,
            format!("hf_{}", rnd(LETTERS, 34, 119)),
        );
        add(
            "huggingface-token",
            "huggingface-cli login --token @@",
            format!("hf_{}", rnd(LETTERS, 34, 120)),
        );
        add(
            "huggingface-token",
            header,
            format!("hf_{}", rnd(LETTERS, 34, 121)),
        );

        add(
            "digitalocean-token",
            shell,
            format!("dop_v1_{}", rnd(HEX, 64, 122)),
        );
        add(
            "digitalocean-token",
            header,
            format!("doo_v1_{}", rnd(HEX, 64, 123)),
        );
        add(
            "digitalocean-token",
            json,
            format!("dor_v1_{}", rnd(HEX, 64, 124)),
        );

        add(
            "dockerhub-pat",
            "docker login -u me -p @@",
            format!("dckr_pat_{}", rnd(B64URL, 27, 125)),
        );
        add(
            "dockerhub-pat",
            shell,
            format!("dckr_pat_{}", rnd(B64URL, 27, 126)),
        );
        add(
            "dockerhub-pat",
            json,
            format!("dckr_oat_{}", rnd(B64URL, 32, 127)),
        );

        add(
            "shopify-token",
            "-H 'X-Shopify-Access-Token: @@'",
            format!("shpat_{}", rnd(HEX, 32, 128)),
        );
        add(
            "shopify-token",
            shell,
            format!("shpss_{}", rnd(HEX, 32, 129)),
        );
        add(
            "shopify-token",
            json,
            format!("shpca_{}", rnd(HEX, 32, 130)),
        );

        let conn = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=@@;EndpointSuffix=core.windows.net";
        add(
            "azure-storage-key",
            conn,
            format!("{}==", rnd(B64, 86, 131)),
        );
        add(
            "azure-storage-key",
            &format!("export AZ=\"{conn}\""),
            format!("{}==", rnd(B64, 86, 132)),
        );
        add(
            "azure-storage-key",
            "AccountKey = @@",
            format!("{}==", rnd(B64, 86, 133)),
        );

        add(
            "basic-auth-url",
            "DATABASE_URL=postgres://app:@@@db.internal:5432/app",
            rnd(ALNUM, 20, 134),
        );
        add(
            "basic-auth-url",
            "git remote add origin https://deploy:@@@git.corp.net/r.git",
            rnd(ALNUM, 12, 135),
        );
        add(
            "basic-auth-url",
            "redis-cli -u redis://:@@@cache.local:6379/0",
            rnd(PASSWORD_CHARS, 18, 136),
        );
        add(
            "basic-auth-url",
            "mongodb://admin:@@@[::1]:27017",
            rnd(ALNUM, 16, 137),
        );

        add(
            "generic-secret-assignment",
            "password = \"@@\"",
            rnd(PASSWORD_CHARS, 24, 138),
        );
        add(
            "generic-secret-assignment",
            "export DB_PASSWORD=@@",
            rnd(ALNUM, 20, 139),
        );
        add(
            "generic-secret-assignment",
            "{\"client_secret\": \"@@\", \"id\": 3}",
            rnd(B64URL, 40, 140),
        );
        add(
            "generic-secret-assignment",
            "./cli --api-key=@@ --verbose",
            rnd(ALNUM, 32, 141),
        );
        add(
            "generic-secret-assignment",
            "const cfg = { authToken: '@@' };",
            rnd(ALNUM, 28, 142),
        );
        add(
            "generic-secret-assignment",
            "curl -H \"Authorization: Bearer @@\" https://x.internal",
            rnd(ALNUM, 40, 143),
        );
        add(
            "generic-secret-assignment",
            "echo \"{\\\"token\\\": \\\"@@\\\"}\"",
            rnd(ALNUM, 30, 144),
        );
        add(
            "generic-secret-assignment",
            "SECRET_KEY_BASE: @@\n",
            rnd(HEX, 64, 145),
        );
        out
    }

    #[test]
    fn rule_table_is_consistent() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "rule ids must be unique");
        assert_eq!(
            RULES.last().map(|r| r.id),
            Some(GENERIC),
            "generic rule must be last"
        );
        for (i, rule) in RULES.iter().enumerate() {
            assert!(!rule.keywords.is_empty(), "{} has no keywords", rule.id);
            for k in rule.keywords {
                assert!(
                    !k.is_empty() && k.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()),
                    "{}: keyword {k:?} must be lowercase ASCII",
                    rule.id
                );
            }
            match rule.finder {
                Finder::Token(_) | Finder::RandomToken(_) | Finder::Assignment(_) => {
                    assert!(
                        regex_for(i).is_some(),
                        "{}: regex does not compile",
                        rule.id
                    )
                }
                Finder::PrivateKey | Finder::BasicAuthUrl => {}
            }
        }
        assert!(prefilter().is_some());
    }

    #[test]
    fn every_rule_has_three_samples() {
        let all = samples();
        for rule in RULES {
            let n = all.iter().filter(|(r, _, _)| *r == rule.id).count();
            assert!(n >= 3, "{} has {n} samples", rule.id);
        }
    }

    #[test]
    fn samples_are_found_and_redacted() {
        for (rule, text, value) in samples() {
            let found = find_secrets(&text);
            let m = found
                .iter()
                .find(|m| m.rule == rule && text.get(m.start..m.end) == Some(value.as_str()))
                .unwrap_or_else(|| panic!("{rule} not found in {text:?}: {found:?}"));
            assert!(
                contains_secret(&text),
                "{rule}: contains_secret false for {text:?}"
            );

            let red = redact(&text);
            assert!(
                !red.contains(value.as_str()),
                "{rule}: value survives in {red:?}"
            );
            assert_eq!(redact(&red), red, "{rule}: redaction not idempotent");
            assert!(
                !contains_secret(&red),
                "{rule}: redacted text still has a secret: {red:?}"
            );

            let d = describe(&text, m);
            assert!(!d.contains(value.as_str()));
            if rule == PRIVATE_KEY {
                assert_eq!(d, PRIVATE_KEY);
                assert!(red.contains("[REDACTED:private-key]"));
                assert!(!red.contains(concat!("PRIVATE ", "KEY")), "{red:?}");
            } else {
                let last4 = &value[value.len() - 4..];
                if value.len() >= 16 {
                    assert_eq!(d, format!("{rule} …{last4}"));
                    assert!(
                        red.contains(&format!("[REDACTED:{rule}:…{last4}]")),
                        "{red:?}"
                    );
                } else {
                    assert!(d.starts_with(&format!("{rule} …")));
                }
            }
        }
    }

    #[test]
    fn specific_rule_wins_over_generic_and_url() {
        let token = format!("ghp_{}", rnd(ALNUM, 36, 200));
        let text = format!("GITHUB_TOKEN={token}");
        let found = find_secrets(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule, "github-pat");
        let url = format!("https://x-access-token:{token}@github.com/o/r");
        assert_eq!(find_secrets(&url)[0].rule, "github-pat");
    }

    #[test]
    fn repeated_value_is_redacted_everywhere() {
        let secret = rnd(ALNUM, 24, 201);
        let text = format!("DB_PASSWORD={secret}\npsql --password {secret}\n");
        let found = find_secrets(&text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|m| m.rule == GENERIC));
        assert!(!redact(&text).contains(&secret));
    }

    #[test]
    fn nested_assignment_after_overridden_value_is_found() {
        let token = format!("ghp_{}", rnd(ALNUM, 36, 202));
        let secret = rnd(ALNUM, 24, 203);
        let text = format!("token={token}.secret={secret}");
        let red = redact(&text);
        assert!(!red.contains(&token) && !red.contains(&secret), "{red}");
        assert_eq!(redact(&red), red);
    }

    #[test]
    fn several_secrets_in_order() {
        let a = format!("AKIA{}", rnd(B32, 16, 204));
        let b = rnd(B64, 40, 205);
        let c = format!("npm_{}", rnd(ALNUM, 36, 206));
        let text = format!("[p]\naws_access_key_id={a}\naws_secret_access_key={b}\n# {c}\n");
        let rules: Vec<&str> = find_secrets(&text).iter().map(|m| m.rule).collect();
        assert_eq!(
            rules,
            [
                "aws-access-key-id",
                "aws-secret-access-key",
                "npm-access-token"
            ]
        );
    }

    #[test]
    fn offsets_are_char_boundaries_next_to_multibyte_text() {
        let token = format!("ghp_{}", rnd(ALNUM, 36, 207));
        let text = format!("héllo→{token}ü… ✓ password=\"{}\"日本", rnd(ALNUM, 20, 208));
        let found = find_secrets(&text);
        assert_eq!(found.len(), 2, "{found:?}");
        for m in &found {
            assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
            assert!(text[m.start..m.end].is_ascii());
        }
        assert!(redact(&text).starts_with("héllo→[REDACTED:github-pat:…"));
    }

    fn assert_clean(text: &str) {
        let found = find_secrets(text);
        assert!(found.is_empty(), "false positive in {text:?}: {found:?}");
        assert!(!contains_secret(text), "{text:?}");
        assert_eq!(redact(text), text);
    }

    #[test]
    fn allow_list_examples_and_placeholders() {
        let cases = [
            format!("aws_access_key_id = AKIAIOSFODNN7{}", "EXAMPLE"),
            format!(
                "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY{}",
                "EXAMPLEKEY"
            ),
            format!("AWS_SECRET_ACCESS_KEY={}", "x".repeat(40)),
            format!("GITHUB_TOKEN=ghp_{}", "x".repeat(36)),
            format!("GITHUB_TOKEN=ghp_{}", "X".repeat(36)),
            format!("token: ghp_{}EXAMPLE", rnd(ALNUM, 29, 300)),
            format!("key=AKIA{}", "A".repeat(16)),
            format!("sk_live_{}placeholder", rnd(ALNUM, 20, 301)),
            "STRIPE_KEY=sk_test_your_stripe_key_here_1234567890".to_owned(),
            "password=$DB_PASSWORD".to_owned(),
            "token=\"${GITHUB_TOKEN}\"".to_owned(),
            "api_key=os.environ[\"OPENAI_API_KEY\"]".to_owned(),
            "api_key = os.environ.get('OPENAI_API_KEY')".to_owned(),
            "const apiKey = process.env.OPENAI_API_KEY_2024;".to_owned(),
            "password = settings.DATABASE_PASSWORD_2".to_owned(),
            "token: ${{ secrets.GITHUB_TOKEN }}".to_owned(),
            "token: {{ .Values.githubToken }}".to_owned(),
            "password: <your-password-here>".to_owned(),
            "password=changeme".to_owned(),
            "password=hunter".to_owned(),
            "password=\"****************\"".to_owned(),
            "password=dummy".to_owned(),
            "secret=test".to_owned(),
            "token=redacted".to_owned(),
            "api_key=YOUR_API_KEY_HERE_12345".to_owned(),
            "password=aaaaaaaaaaaaaaaaaaaaaaaa".to_owned(),
            "password=abcdefgh12345678abcdefgh".to_owned(),
            "API_TOKEN=MY_SERVICE_TOKEN_V2".to_owned(),
            "secret: config.auth.clientSecret2".to_owned(),
            "client_secret=xxxxxxxxxxxxxxxxxxxx1".to_owned(),
            "api_key=\"sk-proj-...abcd1234\"".to_owned(),
            "token=[REDACTED:github-pat:…abcd]".to_owned(),
        ];
        for text in &cases {
            assert_clean(text);
        }
    }

    #[test]
    fn tricky_negatives() {
        let cases = [
            // Lockfile digests and integrity hashes.
            "checksum = \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\""
                .to_owned(),
            format!("\"integrity\": \"sha512-{}==\",", rnd(B64, 86, 400)),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".to_owned(),
            // UUIDs and commit SHAs on their own.
            "request_id: 123e4567-e89b-12d3-a456-426614174000".to_owned(),
            "123e4567-e89b-12d3-a456-426614174000".to_owned(),
            "git checkout 9fceb02d0ae598e95dc970b74767f19372d61af8".to_owned(),
            // Base64 image data under a non-secret key.
            format!(
                "{{\"icon\": \"data:image/png;base64,iVBORw0KGgo{}\"}}",
                rnd(B64, 120, 401)
            ),
            format!("thumbnail: iVBORw0KGgo{}", rnd(B64, 60, 402)),
            // Too short or wrongly shaped tokens.
            format!("id AKIA{}", rnd(B32, 10, 403)),
            format!("ghp_{}", rnd(ALNUM, 30, 404)),
            format!("npm_{}", rnd(ALNUM, 20, 405)),
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0".to_owned(),
            format!("eyJ{}.{}", rnd(B64URL, 30, 406), rnd(B64URL, 30, 407)),
            // Names that only look secret.
            "TOKENIZERS_PARALLELISM=false".to_owned(),
            "max_tokens=4096".to_owned(),
            format!("tokenizer = \"{}\"", rnd(ALNUM, 24, 408)),
            format!("author: \"{}\"", rnd(ALNUM, 24, 409)),
            format!("secretName: tls-{}", rnd(ALNUM, 20, 410)),
            format!("token_url = https://auth.internal/{}", rnd(ALNUM, 20, 411)),
            "password_file=/run/secrets/db_password_2".to_owned(),
            format!("private_key_id: {}", rnd(HEX, 40, 412)),
            "auth: true".to_owned(),
            // URLs without real credentials.
            "https://user:password@example.com/x".to_owned(),
            "postgres://user:${DB_PASS}@localhost/db".to_owned(),
            "https://user:$TOKEN@host.internal/x".to_owned(),
            "https://github.com/org/repo".to_owned(),
            "http://localhost:8080/path?a=b@c".to_owned(),
            "git@github.com:org/repo.git".to_owned(),
            "https://user@host.com/x".to_owned(),
            "mysql://root:root@localhost/db".to_owned(),
            "dsn = \"postgres://%s:%s@%s/%s\"".to_owned(),
            "redis://:<password>@cache:6379".to_owned(),
            // Mentions of key headers without a key.
            format!(
                "grep -rl -- \"{}\" ~/.ssh",
                concat!("-----BEGIN RSA ", "PRIVATE KEY-----")
            ),
            format!(
                "{}\n...\n{}",
                concat!("-----BEGIN ", "PRIVATE KEY-----"),
                concat!("-----END ", "PRIVATE KEY-----")
            ),
            format!(
                "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----",
                rnd(B64, 64, 413)
            ),
            // Plain prose and code.
            "The auth module refreshes the session token when it expires.".to_owned(),
            "fn tokenize(input: &str) -> Vec<Token> { todo!() }".to_owned(),
            "ls -la /tmp && cargo test --workspace".to_owned(),
            String::new(),
        ];
        for text in &cases {
            assert_clean(text);
        }
    }

    #[test]
    fn describe_never_panics_on_bad_ranges() {
        let m = SecretMatch {
            rule: "jwt",
            start: 5,
            end: 500,
        };
        assert_eq!(describe("short", &m), "jwt …");
        let m = SecretMatch {
            rule: "jwt",
            start: 1,
            end: 2,
        };
        assert_eq!(describe("é", &m), "jwt …");
    }

    #[test]
    fn short_values_show_less() {
        assert_eq!(hint("abcdefghijklmnop"), "mnop");
        assert_eq!(hint("abcdefgh"), "gh");
        assert_eq!(hint("abc"), "");
        assert_eq!(hint("ééééééééé"), "éé");
    }

    #[test]
    fn secret_env_names() {
        let yes = [
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_ACCESS_KEY_ID",
            "GITHUB_TOKEN",
            "GH_TOKEN",
            "GITLAB_TOKEN",
            "NPM_TOKEN",
            "OPENAI_API_KEY",
            "ANTHROPIC_API_KEY",
            "STRIPE_APIKEY",
            "SLACK_BOT_TOKEN",
            "JWT_SECRET",
            "DJANGO_SECRET_KEY",
            "DB_PASSWORD",
            "LDAP_PASSWD",
            "SSH_PRIVATE_KEY",
            "MINIO_ACCESS_KEY",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "DATABASE_URL",
            "TEST_DATABASE_URL",
            "REDIS_URL",
            "SENTRY_DSN",
            "PGPASSWORD",
            "MYSQL_PWD",
            "SMTP_PASS",
            "github_token",
            "api-key",
            "TOKEN",
            "GITHUB_TOKEN_2",
            "API_KEY_V2",
            "SECRET_KEY_BASE",
            "NODE_AUTH_TOKEN",
        ];
        let no = [
            "PATH",
            "HOME",
            "PWD",
            "OLDPWD",
            "TOKENIZERS_PARALLELISM",
            "GITHUB_TOKEN_URL",
            "OAUTH_TOKEN_PATH",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "SECRETS_DIR",
            "MAX_TOKENS",
            "SSH_AUTH_SOCK",
            "BYPASS",
            "SHELL",
            "TERM",
            "RUST_LOG",
            "API_KEY_NAME",
            "",
            "_2",
        ];
        for n in yes {
            assert!(is_secret_env_name(n), "{n} should be secret");
        }
        for n in no {
            assert!(!is_secret_env_name(n), "{n} should not be secret");
        }
    }

    fn check_invariants(text: &str) -> Result<(), TestCaseError> {
        let found = find_secrets(text);
        let mut prev_end = 0;
        for m in &found {
            prop_assert!(m.start < m.end && m.end <= text.len(), "{m:?}");
            prop_assert!(
                text.is_char_boundary(m.start) && text.is_char_boundary(m.end),
                "{m:?}"
            );
            prop_assert!(m.start >= prev_end, "unsorted or overlapping: {found:?}");
            prev_end = m.end;
            let d = describe(text, m);
            prop_assert!(d.starts_with(m.rule));
        }
        prop_assert_eq!(contains_secret(text), !found.is_empty());
        let red = redact(text);
        for m in &found {
            let value = &text[m.start..m.end];
            if value.len() >= 8 {
                prop_assert!(!red.contains(value), "{value:?} survives in {red:?}");
            }
        }
        Ok(())
    }

    /// Pieces that make up secret-like text: prefixes, separators, random
    /// token bodies and multibyte characters, so that generated strings
    /// actually hit rules and their edges.
    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "ghp_",
                "github_pat_",
                "AKIA",
                "aws_secret_access_key=",
                "password=",
                "api_key: \"",
                "Authorization: Bearer ",
                "token=",
                "\"",
                "'",
                "\\\"",
                "https://",
                "://",
                "user:",
                "@",
                "@host",
                "hooks.slack.com/services/T",
                "/B",
                "/",
                "sk_live_",
                "xoxb-123456-",
                "glpat-",
                "AIza",
                "SG.",
                "hf_",
                "SK",
                "eyJ",
                ".",
                "=",
                "_",
                "-",
                " ",
                "\n",
                "é",
                "🦀",
                "…",
                "${",
                "}",
                concat!("-----BEGIN RSA ", "PRIVATE KEY-----\n"),
                concat!("-----END RSA ", "PRIVATE KEY-----"),
                "[REDACTED:jwt:…",
                "]",
            ])
            .prop_map(String::from),
            "[A-Za-z0-9]{1,48}",
            "[A-Za-z0-9_+/=-]{8,64}",
            "[A-Z2-7]{16}",
            "\\PC{0,8}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_text_upholds_invariants(text in any::<String>()) {
            check_invariants(&text)?;
        }

        #[test]
        fn secret_like_text_upholds_invariants(parts in prop::collection::vec(fragment(), 0..24)) {
            check_invariants(&parts.concat())?;
        }

        #[test]
        fn redaction_is_idempotent(parts in prop::collection::vec(fragment(), 0..24)) {
            let red = redact(&parts.concat());
            prop_assert_eq!(redact(&red), red);
        }
    }
}
