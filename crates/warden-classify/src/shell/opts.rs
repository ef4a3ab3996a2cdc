//! A small, tolerant command-line option splitter.
//!
//! Each program handler says which options take a value; everything else that
//! starts with `-` is a flag. `--` ends the options.

use super::Word;

/// Options and positional arguments of one command.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// Options in order: name (with dashes, for example `-d` or `--data`) and value.
    pub opts: Vec<(String, Option<Word>)>,
    /// Positional arguments in order.
    pub pos: Vec<Word>,
    /// Whether `--` appeared.
    pub saw_double_dash: bool,
}

impl Parsed {
    /// Whether any of `names` was given.
    pub fn has(&self, names: &[&str]) -> bool {
        self.opts.iter().any(|(n, _)| names.contains(&n.as_str()))
    }

    /// Values of every option among `names`.
    pub fn values<'a>(&'a self, names: &'a [&'a str]) -> impl Iterator<Item = &'a Word> + 'a {
        self.opts
            .iter()
            .filter(move |(n, _)| names.contains(&n.as_str()))
            .filter_map(|(_, v)| v.as_ref())
    }

    /// The first value of any option among `names`.
    pub fn value<'a>(&'a self, names: &'a [&'a str]) -> Option<&'a Word> {
        self.values(names).next()
    }

    /// Positional values that are known statically.
    pub fn pos_text(&self) -> Vec<String> {
        self.pos.iter().filter_map(|w| w.value.clone()).collect()
    }
}

/// Splits `args` into options and positionals. `with_value` lists the
/// options that take a value (`-o`, `--output`). Short flags may be combined
/// (`-rf`); a short option that takes a value may be glued (`-ofile`).
/// With `stop_at_first_positional`, everything after the first positional is
/// positional (for wrappers such as `sudo CMD -x`).
pub(crate) fn parse(args: &[Word], with_value: &[&str], stop_at_first_positional: bool) -> Parsed {
    let mut parsed = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let word = &args[i];
        i += 1;
        let Some(text) = word.value.as_deref() else {
            parsed.pos.push(word.clone());
            if stop_at_first_positional {
                parsed.pos.extend(args[i..].iter().cloned());
                break;
            }
            continue;
        };
        if parsed.saw_double_dash || text == "-" || !text.starts_with('-') {
            parsed.pos.push(word.clone());
            if stop_at_first_positional {
                parsed.pos.extend(args[i..].iter().cloned());
                break;
            }
            continue;
        }
        if text == "--" {
            parsed.saw_double_dash = true;
            if stop_at_first_positional {
                parsed.pos.extend(args[i..].iter().cloned());
                break;
            }
            continue;
        }
        if let Some(long) = text.strip_prefix("--") {
            if let Some((name, value)) = long.split_once('=') {
                parsed
                    .opts
                    .push((format!("--{name}"), Some(Word::literal(value.to_owned()))));
            } else if with_value.contains(&text) {
                let value = args.get(i).cloned();
                i += usize::from(value.is_some());
                parsed.opts.push((text.to_owned(), value));
            } else {
                parsed.opts.push((text.to_owned(), None));
            }
            continue;
        }
        // A short cluster: -abc, -ovalue, -o value.
        let chars: Vec<char> = text.chars().skip(1).collect();
        let mut j = 0;
        while j < chars.len() {
            let name = format!("-{}", chars[j]);
            j += 1;
            if with_value.contains(&name.as_str()) {
                let glued: String = chars[j..].iter().collect();
                if glued.is_empty() {
                    let value = args.get(i).cloned();
                    i += usize::from(value.is_some());
                    parsed.opts.push((name, value));
                } else {
                    parsed.opts.push((name, Some(Word::literal(glued))));
                }
                break;
            }
            parsed.opts.push((name, None));
        }
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<Word> {
        list.iter()
            .map(|s| Word::literal((*s).to_owned()))
            .collect()
    }

    #[test]
    fn clusters_values_and_double_dash() {
        let p = parse(
            &words(&["-rf", "-o", "out", "--data=@x", "a", "--", "-b"]),
            &["-o"],
            false,
        );
        assert!(p.has(&["-r"]) && p.has(&["-f"]));
        assert_eq!(p.value(&["-o"]).map(Word::text), Some("out"));
        assert_eq!(p.value(&["--data"]).map(Word::text), Some("@x"));
        assert_eq!(p.pos_text(), vec!["a", "-b"]);
    }

    #[test]
    fn glued_short_value() {
        let p = parse(&words(&["-ofile", "-n5"]), &["-o", "-n"], false);
        assert_eq!(p.value(&["-o"]).map(Word::text), Some("file"));
        assert_eq!(p.value(&["-n"]).map(Word::text), Some("5"));
    }

    #[test]
    fn stops_at_first_positional() {
        let p = parse(&words(&["-u", "root", "cat", "-n", "f"]), &["-u"], true);
        assert_eq!(p.pos_text(), vec!["cat", "-n", "f"]);
    }
}
