//! Warden's secret detection engine.
//!
//! [`Scanner::scan`] finds credentials in a byte buffer and reports, for
//! each, the rule that matched and the byte range of the secret *value*;
//! [`Scanner::redact`] replaces every value with `[REDACTED:rule-id]`;
//! [`fingerprint`] names a secret without revealing it; [`walk::scan_paths`]
//! scans directory trees in parallel. The builtin rule set ([`rules`]) knows
//! more than two hundred token formats, each written from the public
//! description of the format and carrying its own fake test samples.
//!
//! # Design
//!
//! **Two stages, one full pass.** Every rule names *keywords*: lowercase
//! literals, at least one of which occurs in (or, for context rules, near)
//! every secret the rule can find. All keywords of all rules are compiled into
//! one ASCII-case-insensitive Aho-Corasick DFA (the `aho-corasick` crate
//! builds it). That DFA is the only pass over the whole buffer; its
//! transitions are copied into a compact 16-bit table and the buffer is
//! walked in four interleaved lanes, so the CPU overlaps four independent
//! chains of table look-ups instead of waiting on one (about twice the speed
//! of a single lane; most source code contains no keyword at all, and then
//! this pass is all the work there is). Only the rules whose keywords occur
//! run their regular expression, and only over a *window* around each
//! keyword hit: the lines holding the hit (plus a few lines for context
//! rules), capped in length so a minified one-line file does not turn into
//! a full scan per hit.
//!
//! **Unicode off.** Every regex is compiled with `unicode(false)` over bytes
//! (`regex::bytes`): token alphabets are ASCII, `\b`, `\s` and `(?i)` are
//! then ASCII-only (as in RE2, where most public token descriptions come
//! from), the engine never rejects invalid UTF-8, and compilation is about a
//! hundred times cheaper. Regexes are compiled lazily, the first time one of
//! their keywords is seen, so a short command line costs only the rules it
//! can trigger. Secret alphabets are ASCII, so a finding in valid UTF-8 text
//! always starts and ends on a character boundary.
//!
//! **Tiers.** Rules are [`Tier::Specific`] (a format with its own prefix or
//! structure, such as `ghp_…`), [`Tier::Context`] (a value shape that is only
//! credible next to a service name, such as 32 hex characters near
//! `DATADOG_API_KEY`) or [`Tier::Generic`] (a high-entropy value assigned to
//! a name like `password`, `secret`, `token` or `api_key`, or a password in
//! a URL). When findings overlap, the more specific tier wins, then the
//! earlier and longer match.
//!
//! **Allow-list policy.** Never reported: values containing a documentation
//! or placeholder marker (`example`, `xxxx`, `placeholder`, `changeme`,
//! `your_`, `redacted`, `dummy`, `sample`, `<…>`, `${…}`, `{{…}}`, …),
//! well-known published example values (AWS's `AKIAIOSFODNN7EXAMPLE`,
//! Stripe's public documentation test key, the jwt.io sample token, …),
//! low-information values (mostly one repeated character, a short repeated
//! pattern, an ascending or descending run), and values supplied through
//! [`ScanOptions::allowed_values`]. The word `fake` is deliberately *not*
//! allow-listed: a realistic-looking credential in a test fixture is
//! reported, because nothing distinguishes it from a real one; use an
//! `EXAMPLE` marker for values that must pass. Generic rules add their own
//! checks: Shannon entropy above the rule's minimum, at least two character
//! classes, no identifiers, paths, URLs or dotted names, a closing quote when
//! the value is quoted, and a name whose last component is the secret word
//! (`DB_PASSWORD` counts, `PASSWORD_MIN_LENGTH` and `token_hash` do not).
//!
//! **Limits (directory walk).** Files whose first 8 KiB hold a NUL byte are
//! binary and skipped; files larger than [`walk::WalkOptions::max_file_size`]
//! (10 MiB by default) are skipped; `.gitignore` rules are honoured only on
//! request (secrets are most often in ignored files such as `.env`); hidden
//! files are scanned; lockfiles (`Cargo.lock`, `package-lock.json`,
//! `yarn.lock`, …) and VCS object stores are skipped by default because
//! they are machine-written, large and full of integrity hashes. Minified
//! bundles are *not* skipped: they are a common place for leaked keys.
//!
//! **Never the secret.** A [`Finding`] holds a byte range into the scanned
//! buffer; [`walk::FileFinding`] holds only the [`fingerprint`]
//! (`rule-id:…last4:sha256-prefix`), never the value.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod checks;
mod prefilter;
mod rules;
pub mod walk;

pub use rules::{rules, Rule, Tier};

use prefilter::{Hit, Prefilter};
use regex::bytes::{Regex, RegexBuilder};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::OnceLock;

/// Errors from building a scanner.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// [`ScanOptions`] named a rule id that does not exist.
    #[error("unknown rule id `{0}`")]
    UnknownRule(String),
    /// Every rule was disabled.
    #[error("no rule is enabled")]
    NoRules,
    /// The keyword automaton could not be built.
    #[error("cannot build the keyword prefilter: {0}")]
    Prefilter(String),
}

/// Options for [`Scanner::new`].
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Rule ids to leave out (for example `generic-token`).
    pub disabled_rules: Vec<String>,
    /// When set, only these rule ids run.
    pub only_rules: Option<Vec<String>>,
    /// Leave out every [`Tier::Generic`] rule.
    pub no_generic: bool,
    /// Exact values that are never reported (known test fixtures).
    pub allowed_values: Vec<String>,
}

/// One secret found in a buffer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Finding {
    /// The rule that found it.
    pub rule: &'static Rule,
    /// Byte offset of the first byte of the secret value.
    pub start: usize,
    /// Byte offset one past the last byte of the secret value.
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based column of `start`, counted in characters (UTF-8 lead bytes)
    /// from the start of the line.
    pub column: usize,
}

impl Finding {
    /// The secret bytes inside the buffer the finding came from (empty if
    /// the range does not fit `buf`).
    pub fn secret<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        buf.get(self.start..self.end).unwrap_or_default()
    }

    /// [`fingerprint`] of this finding's secret in `buf`.
    pub fn fingerprint(&self, buf: &[u8]) -> String {
        fingerprint(self.rule, self.secret(buf))
    }
}

/// A stable, non-reversible name for a secret:
/// `rule-id:…last4:sha256-prefix`, where `last4` is the last four characters
/// of the value (`****` when the value is shorter than 16 characters, so a
/// short password never gives away a quarter of itself) and `sha256-prefix`
/// is the first 12 hex digits of the SHA-256 of the value. Two findings of
/// the same secret have the same fingerprint.
pub fn fingerprint(rule: &Rule, secret: &[u8]) -> String {
    fingerprint_as(rule.id, secret)
}

/// [`fingerprint`] under any label (a credential kind where no rule found
/// the value, as `warden-scan` does for config files).
pub fn fingerprint_as(label: &str, secret: &[u8]) -> String {
    let digest = Sha256::digest(secret);
    let hash = hex::encode(&digest[..6]);
    let chars: Vec<char> = String::from_utf8_lossy(secret).chars().collect();
    let last4: String = if chars.len() < 16 {
        "****".to_string()
    } else {
        chars[chars.len() - 4..]
            .iter()
            .map(|&c| {
                if c.is_ascii_graphic() && c != ':' {
                    c
                } else {
                    '?'
                }
            })
            .collect()
    };
    format!("{label}:…{last4}:{hash}")
}

/// A compiled set of rules and the keyword automaton that selects them.
pub struct Scanner {
    /// Indices (into [`rules()`]) of the enabled rules.
    enabled: Vec<usize>,
    /// Lazily compiled regex per rule index (`None` inside: failed to compile).
    regexes: Vec<OnceLock<Option<Regex>>>,
    prefilter: Prefilter,
    allowed: HashSet<Vec<u8>>,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("rules", &self.enabled.len())
            .field("keywords", &self.prefilter.keyword_count())
            .finish()
    }
}

/// Window caps around a keyword hit (bytes).
const MAX_BEFORE: usize = 512;
/// Bytes scanned per extra context line at most.
const MAX_LINE: usize = 1024;

impl Scanner {
    /// The scanner with every builtin rule, built once on first use.
    pub fn builtin() -> &'static Scanner {
        static BUILTIN: OnceLock<Scanner> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The builtin table is checked by the test suite; should it ever
            // fail to build, fall back to a scanner that still works.
            Scanner::new(ScanOptions::default()).unwrap_or_else(|_| Scanner::fallback())
        })
    }

    /// A scanner over the builtin rules, filtered and extended by `options`.
    pub fn new(options: ScanOptions) -> Result<Scanner, Error> {
        let all = rules();
        let known = |id: &str| all.iter().any(|r| r.id == id);
        for id in options
            .disabled_rules
            .iter()
            .chain(options.only_rules.iter().flatten())
        {
            if !known(id) {
                return Err(Error::UnknownRule(id.clone()));
            }
        }
        let enabled: Vec<usize> = (0..all.len())
            .filter(|&i| {
                let r = &all[i];
                !options.disabled_rules.iter().any(|d| d == r.id)
                    && options
                        .only_rules
                        .as_ref()
                        .is_none_or(|only| only.iter().any(|o| o == r.id))
                    && !(options.no_generic && r.tier == Tier::Generic)
            })
            .collect();
        if enabled.is_empty() {
            return Err(Error::NoRules);
        }
        let prefilter = Prefilter::new(all, &enabled).map_err(Error::Prefilter)?;
        Ok(Scanner {
            regexes: (0..all.len()).map(|_| OnceLock::new()).collect(),
            enabled,
            prefilter,
            allowed: options
                .allowed_values
                .into_iter()
                .map(String::into_bytes)
                .collect(),
        })
    }

    /// Last resort for [`Scanner::builtin`]: the prefilter in its slow,
    /// always-buildable form.
    fn fallback() -> Scanner {
        let all = rules();
        let enabled: Vec<usize> = (0..all.len()).collect();
        Scanner {
            regexes: (0..all.len()).map(|_| OnceLock::new()).collect(),
            prefilter: Prefilter::scan_everything(all, &enabled),
            enabled,
            allowed: HashSet::new(),
        }
    }

    /// The rules this scanner runs.
    pub fn rules(&self) -> impl Iterator<Item = &'static Rule> + '_ {
        let all = rules();
        self.enabled.iter().map(move |&i| &all[i])
    }

    fn regex(&self, idx: usize) -> Option<&Regex> {
        self.regexes[idx]
            .get_or_init(|| compile(rules()[idx].pattern))
            .as_ref()
    }

    /// Finds the secrets in `buf`: sorted by start, non-overlapping.
    pub fn scan(&self, buf: &[u8]) -> Vec<Finding> {
        let mut out = Vec::new();
        if buf.is_empty() {
            return out;
        }
        let mut hits: Vec<Hit> = Vec::new();
        self.prefilter.find(buf, &mut hits);
        if hits.is_empty() {
            return out;
        }
        // (rule index, window start, window end)
        let mut windows: Vec<(usize, usize, usize)> = Vec::new();
        let all = rules();
        for hit in &hits {
            for &ri in self.prefilter.rules_of(hit.keyword) {
                let w = all[ri].window;
                let (s, e) = window(buf, hit.start, hit.end, &w);
                windows.push((ri, s, e));
            }
        }
        windows.sort_unstable();
        let mut cands: Vec<checks::Candidate> = Vec::new();
        let mut i = 0;
        while i < windows.len() {
            let (ri, mut ws, mut we) = windows[i];
            i += 1;
            // Merge this rule's overlapping or touching windows.
            while i < windows.len() && windows[i].0 == ri && windows[i].1 <= we {
                we = we.max(windows[i].2);
                i += 1;
            }
            ws = ws.min(we);
            if let Some(re) = self.regex(ri) {
                checks::run_rule(ri, &all[ri], re, buf, ws, we, &self.allowed, &mut cands);
            }
        }
        resolve(&mut cands, buf, &mut out);
        out
    }

    /// Whether `buf` holds at least one secret.
    pub fn contains_secret(&self, buf: &[u8]) -> bool {
        !self.scan(buf).is_empty()
    }

    /// Replaces the secret part of every finding in `text` with
    /// `[REDACTED:rule-id]`. Repeats until nothing is found, so redacting
    /// the result again changes nothing.
    pub fn redact(&self, text: &str) -> String {
        const MAX_PASSES: usize = 8;
        let mut current = text.to_string();
        for _ in 0..MAX_PASSES {
            let found = self.scan(current.as_bytes());
            if found.is_empty() {
                return current;
            }
            current = replace(&current, &found);
        }
        // Still finding after many passes (pathological overlaps): blank
        // whatever is left, one byte range at a time, with a marker that
        // can never match a rule.
        let found = self.scan(current.as_bytes());
        let mut out = String::with_capacity(current.len());
        let mut last = 0;
        for f in &found {
            out.push_str(current.get(last..f.start).unwrap_or_default());
            out.push_str("[REDACTED]");
            last = f.end;
        }
        out.push_str(current.get(last..).unwrap_or_default());
        out
    }
}

/// Redacts `text` with the builtin scanner (see [`Scanner::redact`]).
pub fn redact(text: &str) -> String {
    Scanner::builtin().redact(text)
}

/// Scans `buf` with the builtin scanner (see [`Scanner::scan`]).
pub fn scan(buf: &[u8]) -> Vec<Finding> {
    Scanner::builtin().scan(buf)
}

fn replace(text: &str, found: &[Finding]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for f in found {
        // Ranges come from ASCII-only secret alphabets, so they are char
        // boundaries; `get` keeps this total even if one were not.
        let (Some(before), true) = (text.get(last..f.start), text.is_char_boundary(f.end)) else {
            continue;
        };
        out.push_str(before);
        out.push_str("[REDACTED:");
        out.push_str(f.rule.id);
        out.push(']');
        last = f.end;
    }
    out.push_str(text.get(last..).unwrap_or_default());
    out
}

fn compile(pattern: &str) -> Option<Regex> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(4 << 20)
        .build()
        .ok()
}

/// The window a rule's regex runs over for a keyword at `[ks, ke)`.
fn window(buf: &[u8], ks: usize, ke: usize, w: &rules::Window) -> (usize, usize) {
    let lo = ks.saturating_sub(MAX_BEFORE);
    let mut start = match memchr::memrchr(b'\n', &buf[lo..ks]) {
        Some(p) => lo + p + 1,
        None => lo,
    };
    for _ in 0..w.lines_before {
        if start == 0 {
            break;
        }
        let lo = (start - 1).saturating_sub(MAX_LINE);
        start = match memchr::memrchr(b'\n', &buf[lo..start - 1]) {
            Some(p) => lo + p + 1,
            None => lo,
        };
    }
    let hi = buf.len().min(ke.saturating_add(w.max_after as usize));
    let mut end = match memchr::memchr(b'\n', &buf[ke.min(hi)..hi]) {
        Some(p) => ke + p,
        None => hi,
    };
    for _ in 0..w.lines_after {
        if end >= buf.len() {
            break;
        }
        let hi = buf.len().min(end + 1 + MAX_LINE);
        end = match memchr::memchr(b'\n', &buf[end + 1..hi]) {
            Some(p) => end + 1 + p,
            None => hi,
        };
    }
    (start, end)
}

/// Resolves overlaps (specific tiers first, then earliest, then longest,
/// then rule order) and fills in line and column.
fn resolve(cands: &mut [checks::Candidate], buf: &[u8], out: &mut Vec<Finding>) {
    cands.sort_unstable_by_key(|c| (c.tier, c.start, std::cmp::Reverse(c.end), c.rule));
    // Kept ranges never overlap, so one neighbour look-up per candidate
    // decides (start -> (end, rule)).
    let mut kept: std::collections::BTreeMap<usize, (usize, usize)> =
        std::collections::BTreeMap::new();
    for c in cands.iter() {
        let before = kept.range(..c.end).next_back();
        let overlaps = before.is_some_and(|(&s, &(e, _))| s < c.end && c.start < e);
        if !overlaps {
            kept.insert(c.start, (c.end, c.rule));
        }
    }
    let kept: Vec<(usize, usize, usize)> = kept.into_iter().map(|(s, (e, r))| (s, e, r)).collect();
    let all = rules();
    let (mut line, mut line_start, mut pos) = (1usize, 0usize, 0usize);
    for (start, end, ri) in kept {
        for nl in memchr::memchr_iter(b'\n', &buf[pos..start]) {
            line += 1;
            line_start = pos + nl + 1;
        }
        pos = start;
        let column = 1 + buf[line_start..start]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count();
        out.push(Finding {
            rule: &all[ri],
            start,
            end,
            line,
            column,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_format() {
        let rule = rules().iter().find(|r| r.id == "github-pat").unwrap();
        let fp = fingerprint(rule, b"ghp_0123456789abcdefghijklmnopqrstuvwxyz");
        let parts: Vec<&str> = fp.split(':').collect();
        assert_eq!(parts[0], "github-pat");
        assert_eq!(parts[1], "…wxyz");
        assert_eq!(parts[2].len(), 12);
        assert!(parts[2].bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(
            fingerprint(rule, b"short"),
            format!(
                "github-pat:…****:{}",
                &hex::encode(Sha256::digest(b"short"))[..12]
            )
        );
    }

    #[test]
    fn line_and_column() {
        let text = "a\nbé x=1\n  ghp_FAKEjlKcHhK35KZsZ4i1DTTXlfA9IgGgRs2T\n";
        let found = scan(text.as_bytes());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].line, found[0].column), (3, 3));
        let text = "é ghp_FAKEjlKcHhK35KZsZ4i1DTTXlfA9IgGgRs2T";
        let found = scan(text.as_bytes());
        assert_eq!((found[0].line, found[0].column), (1, 3));
    }

    #[test]
    fn options_filter_rules() {
        let s = Scanner::new(ScanOptions {
            only_rules: Some(vec!["github-pat".into()]),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(s.rules().count(), 1);
        assert!(matches!(
            Scanner::new(ScanOptions {
                disabled_rules: vec!["nope".into()],
                ..Default::default()
            }),
            Err(Error::UnknownRule(_))
        ));
        let t = "tok ghp_FAKEjlKcHhK35KZsZ4i1DTTXlfA9IgGgRs2T";
        let s = Scanner::new(ScanOptions {
            allowed_values: vec!["ghp_FAKEjlKcHhK35KZsZ4i1DTTXlfA9IgGgRs2T".into()],
            ..Default::default()
        })
        .unwrap();
        assert!(s.scan(t.as_bytes()).is_empty());
    }

    #[test]
    fn redaction_format() {
        let t = "export GITHUB_TOKEN=ghp_FAKEjlKcHhK35KZsZ4i1DTTXlfA9IgGgRs2T # ci";
        assert_eq!(redact(t), "export GITHUB_TOKEN=[REDACTED:github-pat] # ci");
        assert_eq!(redact(&redact(t)), redact(t));
    }
}
