//! Static resolution of shell words: quotes, escapes, `~`, variables.

use super::{node_text, Analyzer, Flow};
use crate::secrets;
use tree_sitter::Node;
use warden_action::Class;

/// A shell word after static resolution.
#[derive(Debug, Clone, Default)]
pub struct Word {
    /// The value bash would pass, when it is known without running anything.
    pub value: Option<String>,
    /// What flows out of the substitutions inside the word.
    pub(crate) flow: Flow,
    /// Whether the word holds a `$(…)`, backtick or `<(…)`.
    pub has_substitution: bool,
    /// Whether the word is a process substitution `<(…)` (a file whose
    /// contents are the command's output).
    pub process_substitution: bool,
}

impl Word {
    /// A word with a known value.
    pub fn literal(value: String) -> Self {
        Word {
            value: Some(value),
            ..Word::default()
        }
    }

    /// The value, or an empty string when dynamic.
    pub fn text(&self) -> &str {
        self.value.as_deref().unwrap_or("")
    }
}

/// Removes backslash escapes the way bash does outside quotes.
fn unescape_bare(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('\n') | None => {}
                Some(next) => out.push(next),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Removes the backslash escapes that double quotes honour.
fn unescape_double(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some(&next) if matches!(next, '\\' | '"' | '$' | '`') => {
                    out.push(next);
                    chars.next();
                }
                Some('\n') => {
                    chars.next();
                }
                _ => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Decodes `$'…'` escapes.
fn unescape_ansi_c(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c != '\\' || i + 1 >= bytes.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let next = bytes[i + 1];
        i += 2;
        match next {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' | 'b' | 'e' | 'E' | 'f' | 'v' => {}
            '\\' | '\'' | '"' | '?' => out.push(next),
            'x' => {
                let hex: String = bytes[i..]
                    .iter()
                    .take(2)
                    .take_while(|c| c.is_ascii_hexdigit())
                    .collect();
                i += hex.len();
                if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(ch);
                }
            }
            '0'..='7' => {
                let mut oct = String::from(next);
                oct.extend(
                    bytes[i..]
                        .iter()
                        .take(2)
                        .take_while(|c| ('0'..='7').contains(*c)),
                );
                i += oct.len() - 1;
                if let Some(ch) = u32::from_str_radix(&oct, 8).ok().and_then(char::from_u32) {
                    out.push(ch);
                }
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}

impl Analyzer<'_, '_> {
    /// Resolves a word node.
    pub(crate) fn word(&mut self, node: Node<'_>, src: &str) -> Word {
        let text = node_text(node, src);
        match node.kind() {
            "word" => Word::literal(self.expand_tilde(&unescape_bare(text))),
            "number" | "file_descriptor" => Word::literal(text.to_owned()),
            "raw_string" => {
                let inner = text
                    .strip_prefix('\'')
                    .and_then(|t| t.strip_suffix('\''))
                    .unwrap_or(text);
                Word::literal(inner.to_owned())
            }
            "ansi_c_string" => {
                let inner = text
                    .strip_prefix("$'")
                    .and_then(|t| t.strip_suffix('\''))
                    .unwrap_or(text);
                Word::literal(unescape_ansi_c(inner))
            }
            "string" | "translated_string" => self.compound(node, src, true),
            "concatenation" => {
                let mut word = self.compound(node, src, false);
                if let Some(v) = word.value.take() {
                    word.value = Some(self.expand_tilde(&v));
                }
                word
            }
            "simple_expansion" | "expansion" => self.expansion(node, src),
            "command_substitution" => {
                let flow = self.substitution(node, src);
                Word {
                    value: None,
                    flow,
                    has_substitution: true,
                    process_substitution: false,
                }
            }
            "process_substitution" => {
                let flow = self.substitution(node, src);
                Word {
                    value: None,
                    flow,
                    has_substitution: true,
                    process_substitution: true,
                }
            }
            "arithmetic_expansion" => {
                self.words_in_node(node, src);
                Word::default()
            }
            "string_content" => Word::literal(unescape_double(text)),
            _ => Word::literal(text.to_owned()),
        }
    }

    fn words_in_node(&mut self, node: Node<'_>, src: &str) {
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        for child in children {
            if matches!(
                child.kind(),
                "command_substitution" | "process_substitution" | "simple_expansion" | "expansion"
            ) {
                let _ = self.word(child, src);
            } else {
                self.words_in_node(child, src);
            }
        }
    }

    /// A double-quoted string or a concatenation: literal gaps between the
    /// named children, plus each child's value.
    fn compound(&mut self, node: Node<'_>, src: &str, quoted: bool) -> Word {
        let range = node.byte_range();
        let (mut pos, end) = if quoted {
            let text = node_text(node, src);
            let open = if text.starts_with("$\"") { 2 } else { 1 };
            let close = usize::from(text.len() > open && text.ends_with('"'));
            (range.start + open, range.end - close)
        } else {
            (range.start, range.end)
        };
        let mut out = Some(String::new());
        let mut result = Word::default();
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        for child in children {
            let child_range = child.byte_range();
            if child_range.start > pos {
                let gap = src.get(pos..child_range.start).unwrap_or("");
                let gap = if quoted {
                    unescape_double(gap)
                } else {
                    unescape_bare(gap)
                };
                if let Some(o) = out.as_mut() {
                    o.push_str(&gap);
                }
            }
            let part = if quoted && child.kind() == "string_content" {
                Word::literal(unescape_double(node_text(child, src)))
            } else {
                self.word(child, src)
            };
            result.flow.merge(&part.flow);
            result.has_substitution |= part.has_substitution;
            match (&mut out, part.value) {
                (Some(o), Some(v)) => o.push_str(&v),
                _ => out = None,
            }
            pos = pos.max(child_range.end);
        }
        if end > pos {
            let gap = src.get(pos..end).unwrap_or("");
            let gap = if quoted {
                unescape_double(gap)
            } else {
                unescape_bare(gap)
            };
            if let Some(o) = out.as_mut() {
                o.push_str(&gap);
            }
        }
        result.value = out;
        result
    }

    fn expansion(&mut self, node: Node<'_>, src: &str) -> Word {
        let text = node_text(node, src);
        let plain_name = if node.kind() == "simple_expansion" {
            text.strip_prefix('$')
        } else {
            text.strip_prefix("${")
                .and_then(|t| t.strip_suffix('}'))
                .filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        };
        // `${X:-…}`, `${#X}` and the like: find the variable for secret checks.
        let name = plain_name.map(str::to_owned).or_else(|| {
            let mut cursor = node.walk();
            let found = node
                .named_children(&mut cursor)
                .find(|c| c.kind() == "variable_name")
                .map(|c| node_text(c, src).to_owned());
            found
        });
        // Substitutions inside `${X:-$(…)}` still run.
        self.words_in_node(node, src);
        let Some(name) = name else {
            return Word::default();
        };
        if let Some(assigned) = self.vars.get(&name) {
            let value = if plain_name.is_some() {
                assigned.clone()
            } else {
                None
            };
            return Word {
                value,
                ..Word::default()
            };
        }
        let mut word = Word::default();
        if plain_name.is_some() {
            word.value = match name.as_str() {
                "HOME" => Some(self.env.paths.home.to_string_lossy().into_owned()),
                "PWD" => Some(self.env.cwd.to_string_lossy().into_owned()),
                _ => None,
            };
        }
        if secrets::is_secret_env_name(&name) {
            self.ctx.add(
                Class::SecretAccess,
                format!("expands the secret environment variable ${name}"),
            );
            word.flow.secret = true;
            word.flow.secret_vars.push(name.clone());
        }
        word
    }

    /// `~` and `~/…` at the start of a word.
    fn expand_tilde(&self, value: &str) -> String {
        let home = self.env.paths.home.to_string_lossy();
        if value == "~" {
            return home.into_owned();
        }
        if let Some(rest) = value.strip_prefix("~/") {
            return format!("{}/{rest}", home.trim_end_matches('/'));
        }
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_escapes_are_removed() {
        assert_eq!(unescape_bare(r"c\at"), "cat");
        assert_eq!(unescape_bare(r"a\\b"), r"a\b");
        assert_eq!(unescape_bare("x\\"), "x");
    }

    #[test]
    fn double_quote_escapes_follow_bash() {
        assert_eq!(unescape_double(r#"a\"b"#), "a\"b");
        assert_eq!(unescape_double(r"a\nb"), r"a\nb");
        assert_eq!(unescape_double(r"\$HOME"), "$HOME");
    }

    #[test]
    fn ansi_c_strings_decode() {
        assert_eq!(unescape_ansi_c(r"\x63at"), "cat");
        assert_eq!(unescape_ansi_c(r"\143at"), "cat");
        assert_eq!(unescape_ansi_c(r"a\tb"), "a\tb");
        assert_eq!(unescape_ansi_c("\\"), "\\");
    }
}
