//! Precision and recall over the labelled corpus in `tests/corpus`.
//!
//! Every file is scanned with the builtin scanner (lockfiles too, so their
//! integrity hashes are tested as negatives). A finding matches a label on
//! the same file and line whose rule is the finding's rule, or `generic`
//! for any `generic-*` rule; each label and each finding counts once.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use warden_secrets::Scanner;

#[derive(Deserialize)]
struct Labels {
    secret: Vec<Label>,
}

#[derive(Deserialize, Clone)]
struct Label {
    file: String,
    line: usize,
    rule: String,
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.file_name().is_some_and(|n| n != "labels.toml") {
            out.push(p);
        }
    }
}

fn compatible(label: &str, rule: &str) -> bool {
    label == rule || (label == "generic" && rule.starts_with("generic-"))
}

#[test]
fn corpus_precision_and_recall() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let labels: Labels =
        toml::from_str(&std::fs::read_to_string(root.join("labels.toml")).unwrap()).unwrap();
    let mut paths = Vec::new();
    files(&root, &mut paths);
    paths.sort();
    let scanner = Scanner::builtin();
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut unmatched: Vec<Label> = labels.secret.clone();
    let mut false_positives = Vec::new();
    let mut per_rule: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for path in &paths {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let buf = std::fs::read(path).unwrap();
        for f in scanner.scan(&buf) {
            let hit = unmatched
                .iter()
                .position(|l| l.file == rel && l.line == f.line && compatible(&l.rule, f.rule.id));
            match hit {
                Some(i) => {
                    unmatched.swap_remove(i);
                    tp += 1;
                    per_rule.entry(f.rule.id).or_default().0 += 1;
                }
                None => {
                    fp += 1;
                    per_rule.entry(f.rule.id).or_default().1 += 1;
                    false_positives.push(format!("{rel}:{}: {}", f.line, f.rule.id));
                }
            }
        }
    }
    let fneg = unmatched.len();
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fneg).max(1) as f64;
    println!(
        "corpus: {} files, {} labelled secrets",
        paths.len(),
        labels.secret.len()
    );
    println!("true positives {tp}, false positives {fp}, false negatives {fneg}");
    println!("precision {precision:.3}  recall {recall:.3}");
    for fpos in &false_positives {
        println!("  false positive  {fpos}");
    }
    for l in &unmatched {
        println!("  missed          {}:{}: {}", l.file, l.line, l.rule);
    }
    assert!(
        labels.secret.len() >= 200,
        "the corpus should hold a few hundred secrets"
    );
    assert!(recall >= 0.95, "recall {recall:.3} < 0.95");
    assert!(precision >= 0.9, "precision {precision:.3} < 0.9");
}
