//! Parsers for the config formats the scan reads, all producing a
//! [`serde_json::Value`] tree so that every assistant's config is read the
//! same way.
//!
//! * JSON is read leniently as JSONC (VS Code, Zed and Gemini allow `//`
//!   and `/* */` comments and trailing commas; a UTF-8 byte-order mark is
//!   dropped). serde_json limits nesting to 128 levels.
//! * TOML goes through the `toml` crate after a nesting pre-check.
//! * YAML goes through yaml-rust2's event parser (a state machine, no
//!   recursion) into a tree built here with an explicit stack, a node
//!   budget and a depth limit; aliases become `null`, so a "billion laughs"
//!   document costs what its text costs.
//! * INI (AWS, PyPI, gcloud) is a small line parser.
//!
//! Error messages never quote the input.

use serde_json::{Map, Value};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// Deepest nesting accepted in TOML and YAML.
const MAX_DEPTH: usize = 128;
/// Most YAML nodes built from one document stream.
const MAX_NODES: usize = 500_000;

/// A parse failure: the format and a message free of input text.
pub(crate) type ParseResult = Result<Value, (&'static str, String)>;

fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8_lossy(bytes)
}

/// JSON with comments and trailing commas.
pub(crate) fn json(bytes: &[u8]) -> ParseResult {
    let stripped = strip_jsonc(&text(bytes));
    serde_json::from_str(&stripped).map_err(|e| {
        (
            "JSON",
            format!(
                "{} at line {} column {}",
                json_category(&e),
                e.line(),
                e.column()
            ),
        )
    })
}

fn json_category(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected data",
        serde_json::error::Category::Eof => "unexpected end of input",
    }
}

/// Removes `//` and `/* */` comments and commas before `}` or `]`, outside
/// strings. Newlines inside comments are kept, so positions stay useful.
pub(crate) fn strip_jsonc(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut last_sig: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                }
                let end = i.min(bytes.len());
                last_sig = Some(out.len());
                out.extend_from_slice(&bytes[start..end]);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    if bytes[i] == b'\n' {
                        out.push(b'\n');
                    }
                    i += 1;
                }
                i += 2;
                continue;
            }
            b'}' | b']' => {
                if let Some(pos) = last_sig {
                    if out[pos] == b',' {
                        out[pos] = b' ';
                    }
                }
                last_sig = Some(out.len());
                out.push(b);
            }
            b' ' | b'\t' | b'\r' | b'\n' => out.push(b),
            _ => {
                last_sig = Some(out.len());
                out.push(b);
            }
        }
        i += 1;
    }
    // Only ASCII bytes were removed or replaced, and strings were copied
    // whole, so this is still valid UTF-8; be total anyway.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// TOML.
pub(crate) fn toml(bytes: &[u8]) -> ParseResult {
    let text = text(bytes);
    if bracket_depth(&text) > MAX_DEPTH {
        return Err(("TOML", format!("nested deeper than {MAX_DEPTH} levels")));
    }
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| {
                let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                format!(" at line {line}")
            })
            .unwrap_or_default();
        ("TOML", format!("{}{at}", first_line(e.message())))
    })?;
    Ok(toml_to_json(toml::Value::Table(table)))
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or_default();
    line.chars().take(120).collect()
}

/// The deepest `[`/`{` nesting, ignoring brackets inside quoted strings
/// (roughly: good enough to refuse pathological input before a recursive
/// parser sees it).
fn bracket_depth(text: &str) -> usize {
    let (mut depth, mut max, mut quote) = (0usize, 0usize, None::<u8>);
    let mut prev = 0u8;
    for &b in text.as_bytes() {
        match quote {
            Some(q) => {
                if b == q && !(q == b'"' && prev == b'\\') {
                    quote = None;
                }
            }
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'[' | b'{' => {
                    depth += 1;
                    max = max.max(depth);
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                b'\n' => {}
                _ => {}
            },
        }
        if b == b'\n' && quote == Some(b'\'') {
            quote = None;
        }
        prev = b;
    }
    max
}

fn toml_to_json(v: toml::Value) -> Value {
    // Depth is bounded by the pre-check, so recursion here is bounded too.
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(
            t.into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect::<Map<String, Value>>(),
        ),
    }
}

/// YAML: the first document of the stream.
pub(crate) fn yaml(bytes: &[u8]) -> ParseResult {
    let text = text(bytes);
    let mut parser = Parser::new_from_str(&text);
    // Containers being built: (object or array, pending key for objects).
    let mut stack: Vec<(Value, Option<String>)> = Vec::new();
    let mut root: Option<Value> = None;
    let mut nodes = 0usize;
    loop {
        let (event, _mark) = parser.next_token().map_err(|e| {
            (
                "YAML",
                format!("{} at line {}", e.info(), e.marker().line()),
            )
        })?;
        let value = match event {
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentStart => continue,
            Event::DocumentEnd => {
                if root.is_some() {
                    break;
                }
                continue;
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(("YAML", format!("nested deeper than {MAX_DEPTH} levels")));
                }
                nodes += 1;
                if nodes > MAX_NODES {
                    return Err(("YAML", format!("more than {MAX_NODES} nodes")));
                }
                let container = if matches!(event, Event::MappingStart(..)) {
                    Value::Object(Map::new())
                } else {
                    Value::Array(Vec::new())
                };
                stack.push((container, None));
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => match stack.pop() {
                Some((v, _)) => v,
                None => return Err(("YAML", "unbalanced document".to_owned())),
            },
            Event::Alias(_) => {
                nodes += 1;
                Value::Null
            }
            Event::Scalar(s, style, _, tag) => {
                nodes += 1;
                if nodes > MAX_NODES {
                    return Err(("YAML", format!("more than {MAX_NODES} nodes")));
                }
                scalar(s, style, tag.is_some())
            }
        };
        // Attach `value` to its parent, or make it the root.
        match stack.last_mut() {
            None => {
                root = Some(value);
            }
            Some((Value::Object(map), key)) => match key.take() {
                None => *key = Some(key_text(&value)),
                Some(k) => {
                    map.insert(k, value);
                }
            },
            Some((Value::Array(items), _)) => items.push(value),
            Some(_) => {}
        }
    }
    Ok(root.unwrap_or(Value::Null))
}

fn key_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        // A complex key: keep something stable, never the content.
        Value::Array(_) | Value::Object(_) => "<complex key>".to_owned(),
    }
}

fn scalar(s: String, style: TScalarStyle, tagged: bool) -> Value {
    if style != TScalarStyle::Plain || tagged {
        if tagged && (s == "null" || s.is_empty()) {
            return Value::Null;
        }
        return Value::String(s);
    }
    match s.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => {
            if let Ok(i) = s.parse::<i64>() {
                Value::from(i)
            } else {
                Value::String(s)
            }
        }
    }
}

/// One INI section: its name and its `key = value` pairs in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct IniSection {
    pub(crate) name: String,
    pub(crate) entries: Vec<(String, String)>,
}

impl IniSection {
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// INI as AWS, PyPI and gcloud write it: `[section]`, `key = value` or
/// `key: value`, `#`/`;` comments. Indented lines continue a value (AWS
/// nested sections such as `s3 =`) and are ignored.
pub(crate) fn ini(bytes: &[u8]) -> Vec<IniSection> {
    let text = text(bytes);
    let mut out: Vec<IniSection> = Vec::new();
    for raw in text.lines() {
        if raw.starts_with([' ', '\t']) {
            continue;
        }
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            out.push(IniSection {
                name: name.trim().to_owned(),
                entries: Vec::new(),
            });
            continue;
        }
        let Some(pos) = line.find(['=', ':']) else {
            continue;
        };
        let key = line[..pos].trim().to_owned();
        let value = line[pos + 1..].trim().to_owned();
        if out.is_empty() {
            out.push(IniSection::default());
        }
        if let Some(section) = out.last_mut() {
            section.entries.push((key, value));
        }
    }
    out
}

/// `v` at a path of object keys.
pub(crate) fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |cur, key| cur.get(*key))
}

/// The string at a path of object keys.
pub(crate) fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path).and_then(Value::as_str)
}

/// The strings of an array (other items skipped).
pub(crate) fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonc() {
        let v = json(
            b"\xEF\xBB\xBF{\n // c\n \"a\": \"x//y\", /* b */ \"b\": [1,2,],\n \"c\": {\"d\": \"\\\"/*\"},\n}",
        )
        .unwrap();
        assert_eq!(v["a"], "x//y");
        assert_eq!(v["b"][1], 2);
        assert_eq!(v["c"]["d"], "\"/*");
    }

    #[test]
    fn yaml_tree_and_aliases() {
        let v =
            yaml(b"a: &x [1, 2]\nb: *x\nc:\n  - name: n\n    on: true\nd: 'null'\ne: ~\n").unwrap();
        assert_eq!(v["a"][1], 2);
        assert_eq!(v["b"], Value::Null);
        assert_eq!(v["c"][0]["name"], "n");
        assert_eq!(v["c"][0]["on"], true);
        assert_eq!(v["d"], "null");
        assert_eq!(v["e"], Value::Null);
        let deep = "[".repeat(10_000);
        assert!(yaml(deep.as_bytes()).is_err());
    }

    #[test]
    fn toml_depth() {
        let deep = format!("a = {}", "[".repeat(100_000));
        assert!(toml(deep.as_bytes()).is_err());
        let v = toml(b"[x]\ny = \"[[[\"\n").unwrap();
        assert_eq!(v["x"]["y"], "[[[");
    }

    #[test]
    fn ini_sections() {
        let s = ini(
            b"[default]\naws_access_key_id = A\ns3 =\n  max = 1\n# c\n[profile p]\nregion: eu\n",
        );
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].get("aws_access_key_id"), Some("A"));
        assert_eq!(s[1].name, "profile p");
        assert_eq!(s[1].get("region"), Some("eu"));
    }
}
