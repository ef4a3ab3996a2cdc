//! The keyword prefilter: one pass over the buffer that reports every
//! occurrence of every rule keyword, ASCII case-insensitively.
//!
//! `aho-corasick` builds the automaton (a DFA with standard, overlapping
//! match semantics). Its own search loop takes one dependent table look-up
//! per byte, about 650 MiB/s here. We copy the DFA's transitions into a
//! table of 16-bit premultiplied state ids over our own byte classes and
//! walk the buffer in four interleaved lanes: the four look-up chains are
//! independent, so the CPU overlaps them (about twice the throughput). The
//! table is indexed by `u16 + u8`, which the array length covers, so the
//! hot loop has no bounds checks and no `unsafe`. When the automaton is
//! too big for 16-bit ids, `aho-corasick`'s own overlapping search is used.

use crate::rules::Rule;
use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{AhoCorasick, Anchored, MatchKind, StartKind};
use std::collections::HashMap;

/// One keyword occurrence `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Hit {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) keyword: u32,
}

/// 65536 premultiplied ids plus the largest class index.
const TABLE_LEN: usize = 65536 + 256;
const LANES: usize = 4;
/// Below this many bytes per lane a single lane is used.
const MIN_LANE: usize = 2048;

struct Table {
    class: [u8; 256],
    trans: Box<[u16; TABLE_LEN]>,
    start: u16,
    /// Premultiplied ids below this are match states.
    match_limit: u16,
    stride: u16,
    /// Keyword ids per match state (indexed by id / stride).
    matches: Vec<Vec<u32>>,
}

enum Imp {
    Table(Box<Table>),
    Ac(AhoCorasick),
    /// Infallible fallback: lowercased copy and one memmem per keyword.
    Naive(Vec<memchr::memmem::Finder<'static>>),
}

pub(crate) struct Prefilter {
    keywords: Vec<Vec<u8>>,
    rules_of: Vec<Vec<usize>>,
    max_len: usize,
    imp: Imp,
}

/// Distinct keywords of the enabled rules and, per keyword, its rules.
fn collect(all: &[Rule], enabled: &[usize]) -> (Vec<Vec<u8>>, Vec<Vec<usize>>) {
    let mut keywords: Vec<Vec<u8>> = Vec::new();
    let mut rules_of: Vec<Vec<usize>> = Vec::new();
    for &ri in enabled {
        for kw in all[ri].keywords {
            let kw = kw.to_ascii_lowercase().into_bytes();
            match keywords.iter().position(|k| *k == kw) {
                Some(j) => {
                    if !rules_of[j].contains(&ri) {
                        rules_of[j].push(ri);
                    }
                }
                None => {
                    keywords.push(kw);
                    rules_of.push(vec![ri]);
                }
            }
        }
    }
    (keywords, rules_of)
}

impl Prefilter {
    pub(crate) fn new(all: &[Rule], enabled: &[usize]) -> Result<Prefilter, String> {
        let (keywords, rules_of) = collect(all, enabled);
        if keywords.iter().any(|k| k.is_empty()) {
            return Err("empty keyword".into());
        }
        let max_len = keywords.iter().map(Vec::len).max().unwrap_or(1);
        let dfa = DFA::builder()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .prefilter(false)
            .start_kind(StartKind::Unanchored)
            .build(&keywords)
            .map_err(|e| e.to_string())?;
        let imp = match export(&dfa, &keywords) {
            Some(t) => Imp::Table(Box::new(t)),
            None => Imp::Ac(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .ascii_case_insensitive(true)
                    .build(&keywords)
                    .map_err(|e| e.to_string())?,
            ),
        };
        Ok(Prefilter {
            keywords,
            rules_of,
            max_len,
            imp,
        })
    }

    /// The slow prefilter that cannot fail to build.
    pub(crate) fn scan_everything(all: &[Rule], enabled: &[usize]) -> Prefilter {
        let (keywords, rules_of) = collect(all, enabled);
        let finders = keywords
            .iter()
            .map(|k| memchr::memmem::Finder::new(k).into_owned())
            .collect();
        Prefilter {
            max_len: keywords.iter().map(Vec::len).max().unwrap_or(1),
            keywords,
            rules_of,
            imp: Imp::Naive(finders),
        }
    }

    pub(crate) fn keyword_count(&self) -> usize {
        self.keywords.len()
    }

    pub(crate) fn rules_of(&self, keyword: u32) -> &[usize] {
        self.rules_of
            .get(keyword as usize)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    #[cfg(test)]
    pub(crate) fn uses_table(&self) -> bool {
        matches!(self.imp, Imp::Table(_))
    }

    /// Appends every keyword occurrence in `buf` to `out`, sorted.
    pub(crate) fn find(&self, buf: &[u8], out: &mut Vec<Hit>) {
        let len_of = |k: u32| self.keywords[k as usize].len();
        match &self.imp {
            Imp::Table(t) => {
                let mut raw: Vec<(usize, u16)> = Vec::new();
                run_table(t, buf, self.max_len, &mut raw);
                for (end, state) in raw {
                    let row = usize::from(state) / usize::from(t.stride);
                    for &k in &t.matches[row] {
                        out.push(Hit {
                            start: end - len_of(k),
                            end,
                            keyword: k,
                        });
                    }
                }
            }
            Imp::Ac(ac) => {
                for m in ac.find_overlapping_iter(buf) {
                    out.push(Hit {
                        start: m.start(),
                        end: m.end(),
                        keyword: m.pattern().as_u32(),
                    });
                }
            }
            Imp::Naive(finders) => {
                let lower = buf.to_ascii_lowercase();
                for (k, f) in finders.iter().enumerate() {
                    // Overlapping occurrences too (`aaaa` in `aaaaa`).
                    let mut at = 0;
                    while let Some(p) = f.find(&lower[at..]) {
                        let start = at + p;
                        out.push(Hit {
                            start,
                            end: start + len_of(k as u32),
                            keyword: k as u32,
                        });
                        at = start + 1;
                    }
                }
            }
        }
        out.sort_unstable();
    }
}

/// Copies the DFA into a [`Table`], or `None` when it does not fit.
fn export(dfa: &DFA, keywords: &[Vec<u8>]) -> Option<Table> {
    // Byte classes: every byte that occurs in a keyword (folded to
    // lowercase) has its own class; all other bytes share class 0, since no
    // transition can tell them apart.
    let mut class = [0u8; 256];
    let mut reps: Vec<u8> = vec![0x80];
    for b in 0..=255u8 {
        let folded = b.to_ascii_lowercase();
        if keywords.iter().any(|k| k.contains(&folded)) {
            let c = match reps.iter().position(|&r| r == folded) {
                Some(c) => c,
                None => {
                    reps.push(folded);
                    reps.len() - 1
                }
            };
            class[usize::from(b)] = u8::try_from(c).ok()?;
        }
    }
    let stride = reps.len();
    let start = dfa.start_state(Anchored::No).ok()?;
    // Breadth-first walk over the reachable states.
    let mut order = vec![start];
    let mut index: HashMap<u32, usize> = HashMap::from([(start.as_u32(), 0)]);
    let mut next: Vec<Vec<usize>> = Vec::new();
    let mut i = 0;
    while i < order.len() {
        let s = order[i];
        i += 1;
        let mut row = Vec::with_capacity(stride);
        for &rep in &reps {
            let t = dfa.next_state(Anchored::No, s, rep);
            let id = *index.entry(t.as_u32()).or_insert_with(|| {
                order.push(t);
                order.len() - 1
            });
            row.push(id);
        }
        next.push(row);
    }
    if std::env::var_os("WARDEN_SECRETS_DEBUG_PREFILTER").is_some() {
        eprintln!("prefilter: {} states x {} classes", order.len(), stride);
    }
    if order.len() * stride > 65536 {
        return None;
    }
    // Renumber: match states first.
    let mut dense: Vec<usize> = (0..order.len()).collect();
    dense.sort_by_key(|&k| (!dfa.is_match(order[k]), k));
    let mut new_id = vec![0usize; order.len()];
    for (n, &k) in dense.iter().enumerate() {
        new_id[k] = n;
    }
    let n_match = order.iter().filter(|&&s| dfa.is_match(s)).count();
    let trans_vec = vec![0u16; TABLE_LEN].into_boxed_slice();
    let mut trans: Box<[u16; TABLE_LEN]> = trans_vec.try_into().ok()?;
    let mut matches = vec![Vec::new(); n_match];
    for (k, &s) in order.iter().enumerate() {
        let base = new_id[k] * stride;
        for (c, &t) in next[k].iter().enumerate() {
            trans[base + c] = u16::try_from(new_id[t] * stride).ok()?;
        }
        if dfa.is_match(s) {
            matches[new_id[k]] = (0..dfa.match_len(s))
                .map(|j| dfa.match_pattern(s, j).as_u32())
                .collect();
        }
    }
    Some(Table {
        class,
        trans,
        start: u16::try_from(new_id[0] * stride).ok()?,
        match_limit: u16::try_from(n_match * stride).ok()?,
        stride: u16::try_from(stride).ok()?,
        matches,
    })
}

/// Runs the table over `buf[from..to]` from `state`, recording match states
/// whose end is past `own`.
fn run_lane(
    t: &Table,
    buf: &[u8],
    from: usize,
    to: usize,
    own: usize,
    state: u16,
    raw: &mut Vec<(usize, u16)>,
) {
    let (tr, cl, ml) = (&*t.trans, &t.class, t.match_limit);
    let mut x = state;
    for (k, &b) in buf[from..to].iter().enumerate() {
        x = tr[usize::from(x) + usize::from(cl[usize::from(b)])];
        if x < ml && from + k + 1 > own {
            raw.push((from + k + 1, x));
        }
    }
}

fn run_table(t: &Table, buf: &[u8], max_len: usize, raw: &mut Vec<(usize, u16)>) {
    let n = buf.len();
    if n < LANES * MIN_LANE {
        run_lane(t, buf, 0, n, 0, t.start, raw);
        return;
    }
    // Lane i owns match ends in (i*seg, (i+1)*seg] (the last lane: to n)
    // and starts `max_len - 1` bytes early so that keywords crossing into
    // its part are seen whole.
    let seg = n / LANES;
    let ov = max_len.saturating_sub(1).min(seg);
    let own = [0, seg, 2 * seg, 3 * seg];
    let from = [0, seg - ov, 2 * seg - ov, 3 * seg - ov];
    let ends = [seg, 2 * seg, 3 * seg, n];
    let (tr, cl, ml) = (&*t.trans, &t.class, t.match_limit);
    let (s0, s1, s2, s3) = (
        &buf[from[0]..from[0] + seg],
        &buf[from[1]..from[1] + seg],
        &buf[from[2]..from[2] + seg],
        &buf[from[3]..from[3] + seg],
    );
    let (mut x0, mut x1, mut x2, mut x3) = (t.start, t.start, t.start, t.start);
    for (k, (((&a, &b), &c), &d)) in s0.iter().zip(s1).zip(s2).zip(s3).enumerate() {
        x0 = tr[usize::from(x0) + usize::from(cl[usize::from(a)])];
        x1 = tr[usize::from(x1) + usize::from(cl[usize::from(b)])];
        x2 = tr[usize::from(x2) + usize::from(cl[usize::from(c)])];
        x3 = tr[usize::from(x3) + usize::from(cl[usize::from(d)])];
        if (x0 < ml) | (x1 < ml) | (x2 < ml) | (x3 < ml) {
            for (lane, x) in [x0, x1, x2, x3].into_iter().enumerate() {
                let end = from[lane] + k + 1;
                if x < ml && end > own[lane] {
                    raw.push((end, x));
                }
            }
        }
    }
    for (lane, x) in [x0, x1, x2, x3].into_iter().enumerate() {
        run_lane(t, buf, from[lane] + seg, ends[lane], own[lane], x, raw);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::rules;

    fn reference(p: &Prefilter, buf: &[u8]) -> Vec<Hit> {
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&p.keywords)
            .unwrap();
        let mut v: Vec<Hit> = ac
            .find_overlapping_iter(buf)
            .map(|m| Hit {
                start: m.start(),
                end: m.end(),
                keyword: m.pattern().as_u32(),
            })
            .collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn builtin_keywords_fit_the_fast_table() {
        let all = rules();
        let enabled: Vec<usize> = (0..all.len()).collect();
        let p = Prefilter::new(all, &enabled).unwrap();
        assert!(
            p.uses_table(),
            "the builtin keyword automaton outgrew 16-bit state ids"
        );
    }

    #[test]
    fn table_agrees_with_aho_corasick() {
        let all = rules();
        let enabled: Vec<usize> = (0..all.len()).collect();
        let p = Prefilter::new(all, &enabled).unwrap();
        let naive = Prefilter::scan_everything(all, &enabled);
        // A buffer long enough for four lanes, keywords at lane borders.
        let mut buf = Vec::new();
        let mut seed = 7u64;
        while buf.len() < 64 * 1024 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = (seed >> 33) as usize;
            if r.is_multiple_of(5) {
                let kw = &p.keywords[r % p.keywords.len()];
                let kw: Vec<u8> = kw
                    .iter()
                    .map(|b| {
                        if r.is_multiple_of(3) {
                            b.to_ascii_uppercase()
                        } else {
                            *b
                        }
                    })
                    .collect();
                buf.extend_from_slice(&kw);
            } else {
                let alphabet = b" abcdefghijklmnopqrstuvwxyz_-.:=\n0123456789";
                buf.push(alphabet[r % alphabet.len()]);
            }
        }
        for len in [0, 1, 100, 8191, 8192, 8193, 20000, buf.len()] {
            let b = &buf[..len];
            let mut got = Vec::new();
            p.find(b, &mut got);
            assert_eq!(got, reference(&p, b), "len {len}");
            let mut slow = Vec::new();
            naive.find(b, &mut slow);
            assert_eq!(slow, got, "naive len {len}");
        }
    }
}
