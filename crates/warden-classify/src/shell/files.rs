//! Programs that create, change, move or delete files.
//!
//! A writing program contributes only the write class of its destination
//! (workspace, temp, outside), plus what its sources reveal (a credential,
//! a home file). Recursive deletes and permission changes of trees that hold
//! more than the workspace are `destructive`.

use super::opts;
use super::{Analyzer, Flow, Word};
use std::path::{Path, PathBuf};
use warden_action::{Class, Sensitivity};

/// Pseudo-devices that are safe to read.
const BENIGN_DEVICES: &[&str] = &[
    "/dev/zero",
    "/dev/null",
    "/dev/urandom",
    "/dev/random",
    "/dev/stdin",
    "/dev/full",
];

/// Splits a target with a glob in its last component into its directory.
fn glob_parent(raw: &str) -> Option<String> {
    let last = raw.rsplit('/').next().unwrap_or(raw);
    if !last.contains(['*', '?', '[']) {
        return None;
    }
    match raw.rsplit_once('/') {
        Some(("", _)) => Some("/".to_owned()),
        Some((dir, _)) => Some(dir.to_owned()),
        None => Some(".".to_owned()),
    }
}

impl Analyzer<'_, '_> {
    /// Writes every positional after the first `skip`.
    pub(crate) fn write_targets(&mut self, args: &[Word], skip: usize) {
        let parsed = opts::parse(args, &[], false);
        for target in parsed.pos.iter().skip(skip) {
            self.write_target(target, false);
        }
    }

    pub(crate) fn remove(&mut self, name: &str, args: &[Word]) -> Flow {
        let parsed = opts::parse(args, &["-n", "--iterations", "-s", "--size"], false);
        let recursive = name == "rmdir" || parsed.has(&["-r", "-R", "--recursive"]);
        if parsed.has(&["--no-preserve-root"]) {
            self.ctx.add(
                Class::Destructive,
                "`rm --no-preserve-root` allows deleting /",
            );
        }
        if parsed.pos.is_empty() {
            self.ctx.add(
                Class::ReadOnly,
                format!("`{name}` without operands does nothing"),
            );
        }
        for target in &parsed.pos {
            match &target.value {
                Some(raw) => match glob_parent(raw) {
                    Some(dir) => {
                        let whole = recursive || name == "shred";
                        self.write_path(&dir, whole);
                    }
                    None => {
                        let raw = raw.clone();
                        self.write_path(&raw, recursive);
                    }
                },
                None => self.ctx.add(
                    Class::Opaque,
                    format!("`{name}` deletes a path computed at run time"),
                ),
            }
        }
        Flow::default()
    }

    pub(crate) fn mv(&mut self, args: &[Word]) -> Flow {
        let parsed = opts::parse(args, &["-t", "--target-directory", "-S", "--suffix"], false);
        for target in parsed
            .values(&["-t", "--target-directory"])
            .cloned()
            .collect::<Vec<_>>()
        {
            self.write_target(&target, false);
        }
        for word in &parsed.pos {
            // A source disappears from where it was; the destination changes.
            if let Some(raw) = &word.value {
                let raw = raw.clone();
                if self.source_path(&raw) == Some(Sensitivity::Home) {
                    // Moving a home file is a write there, handled below.
                }
            }
            self.write_target(word, false);
        }
        Flow::default()
    }

    pub(crate) fn cp(&mut self, args: &[Word]) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "-t",
                "--target-directory",
                "-S",
                "--suffix",
                "-m",
                "--mode",
                "-o",
                "--owner",
                "-g",
                "--group",
            ],
            false,
        );
        let explicit_target = parsed.value(&["-t", "--target-directory"]).cloned();
        let (sources, dest) = match &explicit_target {
            Some(t) => (parsed.pos.clone(), Some(t.clone())),
            None => match parsed.pos.split_last() {
                Some((d, s)) => (s.to_vec(), Some(d.clone())),
                None => (Vec::new(), None),
            },
        };
        for source in &sources {
            match &source.value {
                Some(raw) => {
                    let raw = raw.clone();
                    self.source_path(&raw);
                }
                None => self
                    .ctx
                    .add(Class::Opaque, "copies a path computed at run time"),
            }
        }
        if let Some(mode) = parsed.value(&["-m", "--mode"]) {
            if is_setuid_mode(mode.text()) {
                self.ctx.add(Class::Privilege, "installs a setuid program");
            }
        }
        match dest {
            Some(dest) => {
                // Copying into a directory writes a file inside it; the label
                // of the directory decides (a persistence dir stays one).
                self.write_target(&dest, false);
            }
            None => self.ctx.add(Class::ReadOnly, "`cp` without a destination"),
        }
        Flow::default()
    }

    pub(crate) fn ln(&mut self, args: &[Word]) -> Flow {
        let parsed = opts::parse(args, &["-t", "--target-directory", "-S", "--suffix"], false);
        match parsed.pos.split_last() {
            Some((link, targets)) if !targets.is_empty() => {
                for target in targets {
                    if let Some(raw) = &target.value {
                        let raw = raw.clone();
                        self.source_path(&raw);
                    }
                }
                let link = link.clone();
                self.write_target(&link, false);
            }
            Some((only, _)) => {
                // `ln -s TARGET` links into the current directory.
                if let Some(raw) = &only.value {
                    let raw = raw.clone();
                    self.source_path(&raw);
                }
                self.write_path(".", false);
            }
            None => self.ctx.add(Class::ReadOnly, "`ln` without operands"),
        }
        Flow::default()
    }

    pub(crate) fn create(&mut self, name: &str, args: &[Word]) -> Flow {
        let with_value: &[&str] = match name {
            "mkdir" | "mkfifo" => &["-m", "--mode", "--context"],
            "truncate" => &["-s", "--size", "-r", "--reference"],
            "touch" => &["-r", "--reference", "-d", "--date", "-t"],
            _ => &["-p", "--tmpdir", "--suffix"],
        };
        let parsed = opts::parse(args, with_value, false);
        if name == "mktemp" {
            match parsed.value(&["-p", "--tmpdir"]).cloned() {
                Some(dir) => self.write_target(&dir, false),
                None => {
                    if parsed.pos.iter().any(|w| w.text().contains('/')) {
                        for t in &parsed.pos {
                            self.write_target(t, false);
                        }
                    } else {
                        self.ctx
                            .add(Class::TempWrite, "`mktemp` creates a temporary file");
                    }
                }
            }
            return Flow::default();
        }
        for target in &parsed.pos {
            self.write_target(target, false);
        }
        Flow::default()
    }

    pub(crate) fn tee(&mut self, args: &[Word], input: &Flow) -> Flow {
        let parsed = opts::parse(args, &["--output-error"], false);
        for target in &parsed.pos {
            self.write_target(target, false);
        }
        let mut out = input.clone();
        out.literal = None;
        if parsed.pos.is_empty() {
            self.ctx.add(Class::ReadOnly, "`tee` passes data through");
        }
        out
    }

    pub(crate) fn chmod(&mut self, name: &str, args: &[Word]) -> Flow {
        // A symbolic mode such as `-x` or `-w` looks like an option.
        let is_mode = |t: &str| {
            t.len() > 1
                && t.starts_with(['-', '+', '='])
                && t[1..].chars().all(|c| "rwxXstugoa".contains(c))
                && !t.starts_with("--")
                && t != "-R"
        };
        let mut leading_mode: Option<Word> = None;
        let mut rest_args: Vec<Word> = Vec::new();
        for word in args {
            if name == "chmod"
                && leading_mode.is_none()
                && is_mode(word.text())
                && !matches!(word.text(), "-R" | "-f" | "-v" | "-c")
            {
                leading_mode = Some(word.clone());
            } else {
                rest_args.push(word.clone());
            }
        }
        let parsed = opts::parse(&rest_args, &["--reference", "--from"], false);
        let recursive = parsed.has(&["-R", "--recursive"]);
        let mut pos = parsed.pos.clone();
        if let Some(mode) = leading_mode {
            pos.insert(0, mode);
        }
        if !parsed.has(&["--reference"]) && !pos.is_empty() {
            let mode = pos.remove(0);
            if name == "chmod" && is_setuid_mode(mode.text()) {
                self.ctx
                    .add(Class::Privilege, "sets the setuid or setgid bit");
            }
            if name == "chattr" && mode.text().contains('i') {
                self.ctx
                    .add(Class::Privilege, "changes immutable attributes");
            }
        }
        // A mode-like first word after -R (chmod -R 777 /): handled above.
        for target in &pos {
            match &target.value {
                Some(raw) => {
                    let raw = glob_parent(raw).unwrap_or_else(|| raw.clone());
                    let fact = self.path_fact(&raw);
                    let path = PathBuf::from(&fact.path);
                    if recursive && self.is_system_tree(&path, fact.in_workspace, &fact.sensitivity)
                    {
                        self.ctx.add(
                            Class::Destructive,
                            format!("`{name} -R` changes a tree that holds more than the workspace ({})", fact.path),
                        );
                        self.push_fact(fact);
                    } else {
                        self.write_path(&raw, false);
                    }
                }
                None => self.ctx.add(
                    Class::Opaque,
                    format!("`{name}` changes a path computed at run time"),
                ),
            }
        }
        Flow::default()
    }

    /// A directory outside the workspace, temp and the user's own files, or
    /// an ancestor of the home directory or of the workspace.
    fn is_system_tree(
        &self,
        path: &Path,
        in_workspace: bool,
        labels: &std::collections::BTreeSet<Sensitivity>,
    ) -> bool {
        if in_workspace || labels.contains(&Sensitivity::Temp) {
            return false;
        }
        let env = self.env.paths;
        if path == Path::new("/") || env.home.starts_with(path) {
            return true;
        }
        if let Some(root) = &env.workspace_root {
            if root.starts_with(path) {
                return true;
            }
        }
        !path.starts_with(&env.home)
    }

    pub(crate) fn dd(&mut self, args: &[Word], input: &Flow) -> Flow {
        let mut wrote = false;
        let mut out = Flow::default();
        for word in args {
            let text = word.text();
            if let Some(src) = text.strip_prefix("if=") {
                if !BENIGN_DEVICES.contains(&src) {
                    if let Some(Sensitivity::Secret) = self.source_path(src) {
                        out.secret = true;
                    }
                    out.files = true;
                }
            } else if let Some(dst) = text.strip_prefix("of=") {
                wrote = true;
                let dst = dst.to_owned();
                self.write_path(&dst, false);
            }
        }
        if !args.iter().any(|w| w.text().starts_with("if=")) {
            out.merge(input);
        }
        if !wrote {
            self.ctx
                .add(Class::ReadOnly, "`dd` copies to standard output");
            return out;
        }
        Flow::default()
    }

    pub(crate) fn sed(&mut self, args: &[Word], input: &Flow) -> Flow {
        let parsed = opts::parse(
            args,
            &["-e", "--expression", "-f", "--file", "-l", "--line-length"],
            false,
        );
        let in_place = parsed
            .opts
            .iter()
            .any(|(n, _)| n == "-i" || n == "--in-place" || n.starts_with("--in-place="));
        let mut files = parsed.pos.clone();
        let script_given = parsed.has(&["-e", "--expression", "-f", "--file"]);
        let mut scripts: Vec<String> = parsed
            .values(&["-e", "--expression"])
            .map(|w| w.text().to_owned())
            .collect();
        if !script_given && !files.is_empty() {
            scripts.push(files.remove(0).text().to_owned());
        }
        for script in &scripts {
            // GNU sed's `e` command and `w FILE` run programs or write files.
            if script.contains("/e") || script.starts_with('e') {
                self.ctx
                    .add(Class::Opaque, "the sed script may run commands");
            }
        }
        if in_place {
            if files.is_empty() {
                self.ctx.add(Class::ReadOnly, "`sed -i` without files");
            }
            for file in &files {
                self.write_target(file, false);
            }
            return Flow::default();
        }
        let mut out = Flow::default();
        if files.is_empty() {
            out = input.clone();
            out.literal = None;
        }
        for file in &files {
            out.merge(&self.read_word(file));
        }
        self.ctx.add(Class::ReadOnly, "`sed` prints");
        out
    }

    pub(crate) fn tar(&mut self, args: &[Word]) -> Flow {
        let mut words: Vec<Word> = args.to_vec();
        // `tar czf x.tgz dir`: the first word may be a bundle without a dash.
        if let Some(first) = words.first_mut() {
            if let Some(text) = first.value.clone() {
                if !text.starts_with('-')
                    && text.chars().all(|c| c.is_ascii_alphabetic())
                    && text
                        .chars()
                        .any(|c| matches!(c, 'c' | 'x' | 't' | 'r' | 'u'))
                {
                    first.value = Some(format!("-{text}"));
                }
            }
        }
        let parsed = opts::parse(
            &words,
            &[
                "-f",
                "--file",
                "-C",
                "--directory",
                "-T",
                "--files-from",
                "-X",
                "--exclude-from",
                "--exclude",
                "-I",
                "--use-compress-program",
                "--transform",
                "--owner",
                "--group",
                "--mode",
                "-b",
                "--blocking-factor",
                "-N",
                "--newer",
                "-H",
                "--format",
                "-K",
                "-V",
                "--label",
                "--to-command",
                "--checkpoint-action",
                "--index-file",
                "--strip-components",
            ],
            false,
        );
        let create = parsed.has(&["-c", "--create", "-r", "--append", "-u", "--update"]);
        let extract = parsed.has(&["-x", "--extract", "--get"]);
        let archive = parsed.value(&["-f", "--file"]).cloned();
        if parsed.has(&[
            "--to-command",
            "-I",
            "--use-compress-program",
            "--checkpoint-action",
        ]) {
            self.ctx
                .add(Class::Opaque, "tar runs a program of its choosing");
        }
        let mut out = Flow::default();
        if create {
            for source in &parsed.pos {
                match &source.value {
                    Some(raw) => {
                        let raw = raw.clone();
                        if self.source_path(&raw) == Some(Sensitivity::Secret) {
                            out.secret = true;
                        }
                    }
                    None => self
                        .ctx
                        .add(Class::Opaque, "archives paths computed at run time"),
                }
            }
            match archive {
                Some(a) if a.text() != "-" => self.write_target(&a, false),
                _ => {
                    out.files = true;
                    return out;
                }
            }
            return Flow::default();
        }
        if let Some(a) = &archive {
            if a.text() != "-" {
                self.source_path(a.text());
            }
        }
        if extract {
            let dir = parsed
                .value(&["-C", "--directory"])
                .cloned()
                .unwrap_or_else(|| Word::literal(".".to_owned()));
            self.write_target(&dir, false);
            if parsed.has(&["-P", "--absolute-names"]) {
                self.ctx.add(
                    Class::OutsideWrite,
                    "`tar -P` may write absolute paths anywhere",
                );
            }
            return Flow::default();
        }
        self.ctx.add(Class::ReadOnly, "`tar` lists an archive");
        out
    }

    pub(crate) fn unzip(&mut self, name: &str, args: &[Word]) -> Flow {
        let parsed = opts::parse(args, &["-d", "-x", "-P", "-p"], false);
        if parsed.has(&["-l", "-v", "-t", "-Z", "-z"])
            || (name == "7z" && parsed.pos.first().is_some_and(|w| w.text() == "l"))
        {
            self.ctx
                .add(Class::ReadOnly, format!("`{name}` lists an archive"));
            return Flow::default();
        }
        if let Some(archive) = parsed.pos.iter().find(|w| name != "7z" || w.text() != "x") {
            let archive = archive.clone();
            if let Some(raw) = archive.value {
                self.source_path(&raw);
            }
        }
        if parsed.has(&["-p", "-c"]) {
            self.ctx.add(
                Class::ReadOnly,
                format!("`{name}` extracts to standard output"),
            );
            return Flow {
                files: true,
                ..Flow::default()
            };
        }
        let dir = parsed
            .value(&["-d"])
            .cloned()
            .or_else(|| {
                parsed.opts.iter().find_map(|(n, _)| {
                    n.strip_prefix("-o")
                        .filter(|d| !d.is_empty())
                        .map(|d| Word::literal(d.to_owned()))
                })
            })
            .unwrap_or_else(|| Word::literal(".".to_owned()));
        self.write_target(&dir, false);
        Flow::default()
    }

    pub(crate) fn compress(&mut self, name: &str, args: &[Word], input: &Flow) -> Flow {
        let parsed = opts::parse(
            args,
            &["-S", "--suffix", "-x", "-i", "-T", "--threads", "-o"],
            false,
        );
        let to_stdout = parsed.has(&["-c", "--stdout", "--to-stdout", "-p"]);
        if name == "zip" {
            let mut pos = parsed.pos.clone();
            if pos.is_empty() {
                self.ctx.add(Class::ReadOnly, "`zip` without operands");
                return Flow::default();
            }
            let archive = pos.remove(0);
            for source in &pos {
                if let Some(raw) = &source.value {
                    let raw = raw.clone();
                    self.source_path(&raw);
                }
            }
            if archive.text() == "-" {
                return Flow {
                    files: true,
                    ..Flow::default()
                };
            }
            self.write_target(&archive, false);
            return Flow::default();
        }
        if parsed.pos.is_empty() {
            let mut out = input.clone();
            out.literal = None;
            self.ctx
                .add(Class::ReadOnly, format!("`{name}` transforms a stream"));
            return out;
        }
        let mut out = Flow::default();
        for file in &parsed.pos {
            if to_stdout {
                out.merge(&self.read_word(file));
            } else {
                self.write_target(file, false);
            }
        }
        if to_stdout {
            self.ctx.add(
                Class::ReadOnly,
                format!("`{name}` writes to standard output"),
            );
        }
        out
    }

    /// Encoders and decoders; decoding marks the data as decoded, so that
    /// piping it into a shell is remote code execution.
    pub(crate) fn codec(&mut self, name: &str, args: &[Word], input: &Flow) -> Flow {
        let texts: Vec<&str> = args.iter().map(Word::text).collect();
        let decodes = match name {
            "base64" => texts.iter().any(|t| {
                matches!(*t, "-d" | "--decode" | "-D")
                    || (t.starts_with('-') && !t.starts_with("--") && t.contains('d'))
            }),
            "xxd" => texts.iter().any(|t| t.starts_with('-') && t.contains('r')),
            "uudecode" => true,
            "openssl" => {
                texts
                    .iter()
                    .any(|t| matches!(*t, "-d" | "-decrypt" | "-a" | "-base64" | "-A"))
                    && texts.first().is_some_and(|s| {
                        matches!(
                            *s,
                            "enc"
                                | "base64"
                                | "aes-256-cbc"
                                | "des3"
                                | "smime"
                                | "cms"
                                | "pkeyutl"
                                | "rsautl"
                        )
                    })
            }
            _ => false,
        };
        if name == "openssl" {
            let sub = texts.first().copied().unwrap_or("");
            if matches!(sub, "s_client" | "s_server") {
                let parsed = opts::parse(
                    args,
                    &[
                        "-connect",
                        "-servername",
                        "-accept",
                        "-port",
                        "-cert",
                        "-key",
                        "-CAfile",
                    ],
                    false,
                );
                if let Some(target) = parsed.value(&["-connect"]).and_then(|w| w.value.clone()) {
                    let host = target
                        .rsplit_once(':')
                        .map(|(h, _)| h.to_owned())
                        .unwrap_or(target);
                    self.destination(&host);
                }
                self.ctx.add(
                    Class::NetworkSend,
                    format!("`openssl {sub}` opens a TLS connection"),
                );
                return Flow::from_network();
            }
            let parsed = opts::parse(
                args,
                &[
                    "-in",
                    "-out",
                    "-inkey",
                    "-key",
                    "-passin",
                    "-passout",
                    "-pass",
                    "-k",
                    "-kfile",
                    "-CAfile",
                    "-signkey",
                    "-config",
                    "-subj",
                    "-days",
                    "-newkey",
                    "-keyout",
                    "-extfile",
                    "-name",
                    "-md",
                    "-iter",
                    "-certfile",
                ],
                false,
            );
            let mut out = Flow::default();
            for src in parsed
                .values(&["-in", "-inkey", "-key", "-kfile", "-signkey"])
                .cloned()
                .collect::<Vec<_>>()
            {
                out.merge(&self.read_word(&src));
            }
            if parsed
                .values(&["-passin", "-pass", "-passout", "-k"])
                .any(|w| w.text().starts_with("pass:") || parsed.has(&["-k"]))
            {
                self.ctx
                    .add(Class::SecretAccess, "passes a password on the command line");
            }
            for dst in parsed
                .values(&["-out", "-keyout"])
                .cloned()
                .collect::<Vec<_>>()
            {
                self.write_target(&dst, false);
            }
            if !parsed.has(&["-in", "-inkey", "-key"]) {
                out.merge(input);
            }
            out.decoded |= decodes;
            self.ctx
                .add(Class::ReadOnly, format!("`openssl {sub}` transforms data"));
            return out;
        }
        if matches!(name, "gpg" | "gpg2") {
            let secret = texts.iter().any(|t| {
                matches!(
                    *t,
                    "-d" | "--decrypt"
                        | "--export-secret-keys"
                        | "--export-secret-subkeys"
                        | "--armor-export-secret"
                        | "--gen-key"
                        | "--full-generate-key"
                        | "--import"
                )
            });
            if secret {
                self.ctx
                    .add(Class::SecretAccess, "`gpg` uses private key material");
                return Flow {
                    secret: true,
                    ..Flow::default()
                };
            }
            if texts.iter().any(|t| {
                matches!(
                    *t,
                    "--list-keys"
                        | "-k"
                        | "--list-secret-keys"
                        | "-K"
                        | "--verify"
                        | "--fingerprint"
                        | "--version"
                )
            }) {
                self.ctx.add(Class::ReadOnly, "`gpg` lists or verifies");
                return Flow::default();
            }
            self.ctx
                .add(Class::Opaque, "`gpg` operation cannot be judged");
            return Flow::default();
        }
        let parsed = opts::parse(args, &["-w", "--wrap", "-c", "-l", "-s", "-o", "-g"], false);
        let mut out = Flow::default();
        if parsed.pos.is_empty() {
            out = input.clone();
            out.literal = None;
        }
        for file in &parsed.pos {
            out.merge(&self.read_word(file));
        }
        out.decoded |= decodes;
        self.ctx
            .add(Class::ReadOnly, format!("`{name}` transforms data"));
        out
    }
}

/// Whether a chmod/install mode sets setuid or setgid.
fn is_setuid_mode(mode: &str) -> bool {
    if mode.chars().all(|c| c.is_ascii_digit()) && mode.len() == 4 {
        return matches!(mode.chars().next(), Some('2' | '4' | '6' | '7'));
    }
    mode.split(',').any(|clause| {
        clause.contains('+') || clause.contains('=')
    } && (clause.contains('s')) && !clause.starts_with('-'))
}
