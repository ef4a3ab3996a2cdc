//! Shell command classification.
//!
//! A command line is parsed with tree-sitter-bash and walked statement by
//! statement. Words are resolved statically where bash would resolve them
//! without running anything (quotes, backslashes, `~`, `$HOME`, variables
//! assigned earlier on the same line); what cannot be resolved is marked
//! dynamic. Each simple command is classified by [`programs`], and data flow
//! through pipes is tracked so that `curl … | sh` (remote code execution) and
//! `cat .env | curl -d @- …` (exfiltration) are recognised as such.
//!
//! The analysis is conservative: a parse error, a computed command name or
//! code that cannot be judged adds [`Class::Opaque`], never nothing.

mod db;
mod files;
mod infra;
mod inline;
mod net;
mod opts;
mod packages;
mod programs;
mod system;
mod vcs;
mod words;

use crate::destination::{self, DestinationConfig};
use crate::paths::{self, PathEnv};
use crate::ProductionConfig;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tree_sitter::{Node, Parser};
use warden_action::{Class, Context, Destination, DestinationClass, Sensitivity};

pub use words::Word;

/// How deep `bash -c`, `eval` and `$(…)` may nest before the rest is opaque.
const MAX_DEPTH: usize = 6;
/// Longest command line the parser is given; longer input is opaque.
pub const MAX_COMMAND_BYTES: usize = 64 * 1024;

/// What the shell classifier needs to know about where the command runs.
pub struct ShellEnv<'a> {
    /// Home, workspace, warden's state, temp dirs.
    pub paths: &'a PathEnv,
    /// The working directory.
    pub cwd: PathBuf,
    /// Destination classes.
    pub destinations: &'a DestinationConfig,
    /// What counts as production.
    pub production: &'a ProductionConfig,
    /// The workspace's `origin` remote, for `git push` destinations.
    pub origin: Option<&'a str>,
}

/// Classifies one command line, adding classes, paths and destinations to `ctx`.
pub fn classify(command: &str, env: &ShellEnv<'_>, ctx: &mut Context) {
    let mut analyzer = Analyzer::new(env, ctx);
    analyzer.script(command);
    if analyzer.ctx.classes.is_empty() {
        // An empty line or only comments: nothing runs.
        analyzer.ctx.add(Class::ReadOnly, "nothing to run");
    }
}

/// The properties of data flowing out of a stage (into a pipe) or out of a
/// command substitution.
#[derive(Debug, Clone, Default)]
pub(crate) struct Flow {
    /// Carries bytes fetched from the network.
    pub network: bool,
    /// Carries bytes decoded from an encoding (base64 -d, xxd -r, …).
    pub decoded: bool,
    /// Carries the contents of local files.
    pub files: bool,
    /// Carries secrets (credential files, environment dumps).
    pub secret: bool,
    /// Is exactly this literal text (echo or printf of static words, a heredoc).
    pub literal: Option<String>,
    /// Names paths rooted here (output of find, ls, git ls-files), for xargs.
    pub listed: Vec<String>,
    /// Names of the secret environment variables the data carries.
    pub secret_vars: Vec<String>,
}

impl Flow {
    /// Output fetched from the network.
    pub(crate) fn from_network() -> Flow {
        Flow {
            network: true,
            ..Flow::default()
        }
    }

    fn merge(&mut self, other: &Flow) {
        self.network |= other.network;
        self.decoded |= other.decoded;
        self.files |= other.files;
        self.secret |= other.secret;
        self.literal = None;
        self.listed.extend(other.listed.iter().cloned());
        for var in &other.secret_vars {
            if !self.secret_vars.contains(var) {
                self.secret_vars.push(var.clone());
            }
        }
    }

    /// Whether running this data as code is remote code execution.
    fn is_foreign_code(&self) -> bool {
        self.network || self.decoded
    }
}

/// One simple command with its words resolved.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cmd {
    /// `NAME=value` prefixes.
    pub assigns: Vec<(String, Word)>,
    /// The program and its arguments.
    pub argv: Vec<Word>,
    /// Output redirections: (target, append).
    pub writes: Vec<Word>,
    /// Input redirections from files.
    pub reads: Vec<Word>,
    /// Literal standard input from a heredoc or here-string.
    pub stdin_literal: Option<String>,
}

pub(crate) struct Analyzer<'e, 'c> {
    pub env: &'e ShellEnv<'e>,
    pub ctx: &'c mut Context,
    /// Variables assigned earlier on the line, with static values.
    pub vars: HashMap<String, Option<String>>,
    pub depth: usize,
    /// Files written with data fetched from the network, to catch
    /// `curl -o x.sh … && sh x.sh`.
    pub fetched_files: Vec<PathBuf>,
    /// The working directory as `cd` changes it along the line.
    pub cwd: PathBuf,
    /// Whether the line looked up warden's processes (`pgrep warden`), so a
    /// `kill $(…)` later on it may be aimed at warden.
    pub targets_warden: bool,
}

impl<'e, 'c> Analyzer<'e, 'c> {
    fn new(env: &'e ShellEnv<'e>, ctx: &'c mut Context) -> Self {
        Analyzer {
            env,
            ctx,
            vars: HashMap::new(),
            depth: 0,
            fetched_files: Vec::new(),
            cwd: env.cwd.clone(),
            targets_warden: false,
        }
    }
}

impl Analyzer<'_, '_> {
    /// Parses and walks a script (the whole line, or the string of `bash -c`).
    pub fn script(&mut self, source: &str) -> Flow {
        if source.len() > MAX_COMMAND_BYTES {
            self.ctx
                .add(Class::Opaque, "command line too long to analyse");
            return Flow::default();
        }
        if self.depth > MAX_DEPTH {
            self.ctx.add(Class::Opaque, "shell code nested too deeply");
            return Flow::default();
        }
        let Some(tree) = parse_bash(source) else {
            self.ctx.add(Class::Opaque, "command could not be parsed");
            return Flow::default();
        };
        let root = tree.root_node();
        if root.has_error() {
            self.ctx
                .add(Class::Opaque, "command does not parse as bash");
        }
        self.depth += 1;
        let flow = self.statements(root, source, &Flow::default());
        self.depth -= 1;
        flow
    }

    /// Walks every statement below `node`; returns the union of their output.
    fn statements(&mut self, node: Node<'_>, src: &str, input: &Flow) -> Flow {
        let mut out = Flow::default();
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        for child in children {
            let flow = self.statement(child, src, input);
            out.merge(&flow);
        }
        out
    }

    /// Walks one statement, given the data flowing into its standard input.
    fn statement(&mut self, node: Node<'_>, src: &str, input: &Flow) -> Flow {
        match node.kind() {
            "command" => {
                let cmd = self.command(node, src, &[]);
                self.run(cmd, input)
            }
            "redirected_statement" => self.redirected(node, src, input),
            "pipeline" => self.pipeline(node, src, input),
            "variable_assignment" => {
                self.assignment(node, src);
                Flow::default()
            }
            "variable_assignments" => {
                let mut cursor = node.walk();
                let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
                for child in children {
                    self.assignment(child, src);
                }
                Flow::default()
            }
            "declaration_command" => self.declaration(node, src),
            "unset_command" => {
                self.ctx
                    .add(Class::ReadOnly, "unset changes only the shell");
                Flow::default()
            }
            "function_definition" => self.function(node, src),
            "comment" | "heredoc_body" | "heredoc_start" | "heredoc_end" => Flow::default(),
            "test_command" => {
                self.words_in(node, src);
                self.ctx.add(Class::ReadOnly, "a test reads only");
                Flow::default()
            }
            "ERROR" => {
                self.ctx
                    .add(Class::Opaque, "command does not parse as bash");
                self.statements(node, src, input)
            }
            "word"
            | "string"
            | "raw_string"
            | "concatenation"
            | "number"
            | "simple_expansion"
            | "expansion"
            | "command_substitution"
            | "process_substitution"
            | "arithmetic_expansion" => {
                // Words in statement position (loop values, case subjects):
                // only their substitutions run.
                let word = self.word(node, src);
                word.flow
            }
            "for_statement" => self.for_loop(node, src, input),
            "subshell" => {
                // A subshell's `cd` and assignments do not leak out.
                let cwd = self.cwd.clone();
                let vars = self.vars.clone();
                let flow = self.statements(node, src, input);
                self.cwd = cwd;
                self.vars = vars;
                flow
            }
            // Lists, groups, loops, conditionals and the rest:
            // every statement inside runs, so every one is classified.
            _ => self.statements(node, src, input),
        }
    }

    /// `for x in a b c; do …; done`: the body runs once per static value.
    fn for_loop(&mut self, node: Node<'_>, src: &str, input: &Flow) -> Flow {
        const MAX_ITERATIONS: usize = 8;
        let name = node
            .child_by_field_name("variable")
            .map(|n| node_text(n, src).to_owned());
        let mut values: Vec<Option<String>> = Vec::new();
        let mut cursor = node.walk();
        let value_nodes: Vec<Node<'_>> =
            node.children_by_field_name("value", &mut cursor).collect();
        for value in value_nodes {
            let word = self.word(value, src);
            values.push(word.value);
        }
        let Some(body) = node.child_by_field_name("body") else {
            return Flow::default();
        };
        let Some(name) = name else {
            // C-style `for ((…))`: walk the body once.
            return self.statement(body, src, input);
        };
        if values.is_empty() {
            values.push(None);
        }
        let saved = self.vars.get(&name).cloned();
        let mut out = Flow::default();
        for value in values.into_iter().take(MAX_ITERATIONS) {
            self.vars.insert(name.clone(), value);
            let flow = self.statement(body, src, input);
            out.merge(&flow);
        }
        match saved {
            Some(v) => self.vars.insert(name, v),
            None => self.vars.remove(&name),
        };
        out
    }

    fn pipeline(&mut self, node: Node<'_>, src: &str, input: &Flow) -> Flow {
        let mut cursor = node.walk();
        let stages: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        let mut flow = input.clone();
        for stage in stages {
            flow = self.statement(stage, src, &flow);
        }
        flow
    }

    fn redirected(&mut self, node: Node<'_>, src: &str, input: &Flow) -> Flow {
        let mut redirects = Vec::new();
        let mut continuation: Vec<Node<'_>> = Vec::new();
        let mut pipe_continuation = false;
        let mut cursor = node.walk();
        for child in node.children_by_field_name("redirect", &mut cursor) {
            redirects.push(child);
            if child.kind() == "heredoc_redirect" {
                // tree-sitter-bash nests what follows `<<EOF` on the same line
                // (`| sh`, `&& x`) inside the heredoc redirect.
                let mut inner = child.walk();
                for part in child.children(&mut inner) {
                    match part.kind() {
                        "|" | "|&" => pipe_continuation = true,
                        "pipeline"
                        | "command"
                        | "list"
                        | "redirected_statement"
                        | "subshell"
                        | "compound_statement" => continuation.push(part),
                        _ => {}
                    }
                }
            }
        }
        let Some(body) = node.child_by_field_name("body") else {
            return self.statements(node, src, input);
        };
        let out = if body.kind() == "command" {
            let cmd = self.command(body, src, &redirects);
            self.run(cmd, input)
        } else {
            // A compound statement with redirections: apply the writes, walk the body.
            let extra = self.redirect_cmd(&redirects, src);
            for target in &extra.writes {
                self.write_target(target, false);
            }
            for target in &extra.reads {
                self.read_path_word(target);
            }
            let mut flow_in = input.clone();
            if let Some(text) = extra.stdin_literal {
                flow_in.literal = Some(text);
            }
            self.statement(body, src, &flow_in)
        };
        let mut flow = out;
        for next in continuation {
            if pipe_continuation {
                flow = self.statement(next, src, &flow);
            } else {
                flow = self.statement(next, src, &Flow::default());
            }
        }
        flow
    }

    /// Builds a [`Cmd`] from a `command` node plus any outer redirections.
    fn command(&mut self, node: Node<'_>, src: &str, outer_redirects: &[Node<'_>]) -> Cmd {
        let mut cmd = Cmd::default();
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        let mut redirects: Vec<Node<'_>> = Vec::new();
        for child in children {
            match child.kind() {
                "variable_assignment" => {
                    if let Some((name, value)) = self.assignment_parts(child, src) {
                        cmd.assigns.push((name, value));
                    }
                }
                "command_name" => {
                    let inner = child.named_child(0).unwrap_or(child);
                    let word = self.word(inner, src);
                    cmd.argv.push(word);
                }
                "file_redirect" | "heredoc_redirect" | "herestring_redirect" => {
                    redirects.push(child)
                }
                _ => {
                    let word = self.word(child, src);
                    cmd.argv.push(word);
                }
            }
        }
        redirects.extend_from_slice(outer_redirects);
        let extra = self.redirect_cmd(&redirects, src);
        cmd.writes = extra.writes;
        cmd.reads = extra.reads;
        cmd.stdin_literal = extra.stdin_literal;
        cmd
    }

    /// Resolves redirections into write targets, read sources and literal stdin.
    fn redirect_cmd(&mut self, redirects: &[Node<'_>], src: &str) -> Cmd {
        let mut cmd = Cmd::default();
        for redirect in redirects {
            match redirect.kind() {
                "file_redirect" => {
                    let op = redirect_operator(*redirect, src);
                    let Some(dest) = redirect.child_by_field_name("destination") else {
                        continue;
                    };
                    // `2>&1`, `>&2`: duplicating a descriptor touches no file.
                    if op.contains('&') && dest.kind() == "number" {
                        continue;
                    }
                    let target = self.word(dest, src);
                    if op.starts_with('<') && !op.starts_with("<>") {
                        cmd.reads.push(target);
                    } else {
                        cmd.writes.push(target);
                    }
                }
                "heredoc_redirect" => {
                    let mut cursor = redirect.walk();
                    for part in redirect.children(&mut cursor) {
                        if part.kind() == "heredoc_body" {
                            let text = node_text(part, src);
                            // An unquoted heredoc expands `$(…)`; classify those.
                            self.words_in(part, src);
                            cmd.stdin_literal = Some(text.to_owned());
                        }
                    }
                }
                "herestring_redirect" => {
                    if let Some(value) = redirect.named_child(0) {
                        let word = self.word(value, src);
                        cmd.stdin_literal = word.value.clone().or(Some(String::new()));
                        if word.value.is_none() {
                            cmd.stdin_literal = None;
                        }
                    }
                }
                _ => {}
            }
        }
        cmd
    }

    fn assignment_parts(&mut self, node: Node<'_>, src: &str) -> Option<(String, Word)> {
        let name = node.child_by_field_name("name")?;
        let name = node_text(name, src).to_owned();
        let value = match node.child_by_field_name("value") {
            Some(value) => self.word(value, src),
            None => Word::literal(String::new()),
        };
        Some((name, value))
    }

    fn assignment(&mut self, node: Node<'_>, src: &str) {
        if let Some((name, value)) = self.assignment_parts(node, src) {
            self.note_assignment(&name, &value);
            self.vars.insert(name, value.value.clone());
        }
    }

    /// Classes implied by assigning a variable (in a prefix or on its own).
    pub(crate) fn note_assignment(&mut self, name: &str, value: &Word) {
        if name.starts_with("WARDEN_") {
            self.ctx.add(
                Class::GovernanceTamper,
                format!("changes warden's own setting {name}"),
            );
        }
        if matches!(name, "AWS_PROFILE" | "AWS_DEFAULT_PROFILE") {
            if let Some(profile) = &value.value {
                if self.is_production_name(profile, &self.env.production.aws_profiles) {
                    self.production(format!("AWS profile {profile}"));
                }
            }
        }
        if matches!(
            name,
            "KUBECONTEXT" | "TF_WORKSPACE" | "CLOUDSDK_CORE_PROJECT"
        ) {
            if let Some(v) = &value.value {
                if self.is_production_name(v, &self.env.production.kube_contexts) {
                    self.production(format!("{name}={v}"));
                }
            }
        }
        if name.starts_with("GIT_") && name.contains("HOOK") {
            self.ctx.add(
                Class::GovernanceTamper,
                format!("redirects git hooks with {name}"),
            );
        }
        if let Some(v) = &value.value {
            if let Some(host) = destination::host_of_url(v).filter(|_| v.contains("://")) {
                self.destination(&host);
            }
        }
        if value.flow.is_foreign_code() {
            self.ctx.add(
                Class::NetworkRead,
                format!("{name} is set from downloaded data"),
            );
        }
    }

    fn declaration(&mut self, node: Node<'_>, src: &str) -> Flow {
        let keyword = node
            .child(0)
            .map(|n| node_text(n, src).to_owned())
            .unwrap_or_default();
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        let mut named_anything = false;
        let mut flags = Vec::new();
        for child in children {
            match child.kind() {
                "variable_assignment" => {
                    named_anything = true;
                    self.assignment(child, src);
                }
                "variable_name" => named_anything = true,
                _ => {
                    let word = self.word(child, src);
                    if let Some(v) = word.value {
                        if v.starts_with('-') {
                            flags.push(v);
                        } else {
                            named_anything = true;
                        }
                    }
                }
            }
        }
        let dumps = !named_anything
            && (keyword == "export"
                || keyword == "declare"
                || keyword == "typeset"
                || keyword == "readonly");
        if dumps {
            self.ctx.add(
                Class::SecretAccess,
                format!("`{keyword}` without names prints the environment"),
            );
            return Flow {
                secret: true,
                ..Flow::default()
            };
        }
        self.ctx
            .add(Class::ReadOnly, format!("`{keyword}` sets shell variables"));
        Flow::default()
    }

    fn function(&mut self, node: Node<'_>, src: &str) -> Flow {
        let name = node
            .child_by_field_name("name")
            .map(|n| node_text(n, src).to_owned())
            .unwrap_or_default();
        if let Some(body) = node.child_by_field_name("body") {
            if calls_itself(body, src, &name) {
                self.ctx.add(
                    Class::Destructive,
                    format!("function `{name}` calls itself (a fork bomb pattern)"),
                );
            }
            return self.statement(body, src, &Flow::default());
        }
        Flow::default()
    }

    /// Classifies substitutions inside any node (heredoc bodies, tests).
    fn words_in(&mut self, node: Node<'_>, src: &str) {
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        for child in children {
            match child.kind() {
                "command_substitution" | "process_substitution" => {
                    self.substitution(child, src);
                }
                "simple_expansion" | "expansion" => {
                    let _ = self.word(child, src);
                }
                _ => self.words_in(child, src),
            }
        }
    }

    /// Walks a `$(…)`, backtick or `<(…)` body and returns what its output carries.
    pub(crate) fn substitution(&mut self, node: Node<'_>, src: &str) -> Flow {
        if self.depth > MAX_DEPTH {
            self.ctx.add(Class::Opaque, "shell code nested too deeply");
            return Flow::default();
        }
        self.depth += 1;
        let flow = self.statements(node, src, &Flow::default());
        self.depth -= 1;
        flow
    }

    /// Records a read of a path named by a word.
    pub(crate) fn read_path_word(&mut self, word: &Word) -> Option<Sensitivity> {
        match &word.value {
            Some(raw) => self.read_path(raw),
            None => None,
        }
    }

    /// Records a read of `raw`; returns the most severe label.
    pub(crate) fn read_path(&mut self, raw: &str) -> Option<Sensitivity> {
        self.read_path_as(raw, true)
    }

    /// Records a read by a program that writes elsewhere (cp, tar): only a
    /// sensitive source adds a class.
    pub(crate) fn source_path(&mut self, raw: &str) -> Option<Sensitivity> {
        self.read_path_as(raw, false)
    }

    fn read_path_as(&mut self, raw: &str, plain_read: bool) -> Option<Sensitivity> {
        if raw.is_empty() || raw == "-" {
            return None;
        }
        let fact = self.path_fact(raw);
        let severe = most_severe(&fact.sensitivity);
        let labels_home = fact.sensitivity.contains(&Sensitivity::Home);
        let why = fact.why.clone();
        let shown = fact.path.clone();
        let in_workspace = fact.in_workspace;
        self.push_fact(fact);
        match severe {
            Some(Sensitivity::Secret) => {
                let what = why.unwrap_or_else(|| "a credential".to_owned());
                self.ctx
                    .add(Class::SecretAccess, format!("reads {what} ({shown})"));
            }
            Some(Sensitivity::Device) => {
                self.ctx
                    .add(Class::SecretAccess, format!("reads a raw device ({shown})"));
            }
            _ if !in_workspace && labels_home => {
                self.ctx.add(
                    Class::HomeRead,
                    format!("reads outside the workspace in the home directory ({shown})"),
                );
            }
            _ if plain_read => self.ctx.add(Class::ReadOnly, "reads files"),
            _ => {}
        }
        severe
    }

    /// Records a write to a path named by a word (a dynamic target is opaque).
    pub(crate) fn write_target(&mut self, word: &Word, deletes_tree: bool) {
        match &word.value {
            Some(raw) => self.write_path(raw, deletes_tree),
            None => self
                .ctx
                .add(Class::Opaque, "writes to a path computed at run time"),
        }
    }

    /// Records a write (or a recursive delete) of `raw`.
    pub(crate) fn write_path(&mut self, raw: &str, deletes_tree: bool) {
        if matches!(
            raw,
            "/dev/null" | "/dev/stdout" | "/dev/stderr" | "/dev/tty" | "-"
        ) || raw.starts_with("/dev/fd/")
        {
            return;
        }
        let fact = self.path_fact(raw);
        let shown = fact.path.clone();
        let why = fact.why.clone().unwrap_or_default();
        let labels = fact.sensitivity.clone();
        let in_workspace = fact.in_workspace;
        let path = PathBuf::from(&fact.path);
        self.push_fact(fact);
        if labels.contains(&Sensitivity::Governance) {
            self.ctx.add(
                Class::GovernanceTamper,
                format!("writes a governance file: {why} ({shown})"),
            );
        }
        if labels.contains(&Sensitivity::Persistence) {
            self.ctx.add(
                Class::Persistence,
                format!("writes a persistence location: {why} ({shown})"),
            );
        }
        if labels.contains(&Sensitivity::Secret) {
            self.ctx.add(
                Class::SecretAccess,
                format!("writes a credential store: {why} ({shown})"),
            );
        }
        if labels.contains(&Sensitivity::Device) {
            self.ctx
                .add(Class::Destructive, format!("writes a raw device ({shown})"));
            return;
        }
        if deletes_tree && self.is_precious_tree(&path) {
            self.ctx.add(
                Class::Destructive,
                format!("recursively deletes {shown}, which holds more than the workspace"),
            );
            return;
        }
        if in_workspace {
            if deletes_tree && self.is_workspace_history(&path) {
                self.ctx.add(
                    Class::DiscardWork,
                    format!("recursively deletes the workspace or its history ({shown})"),
                );
            }
            self.ctx
                .add(Class::WorkspaceWrite, "writes inside the workspace");
        } else if labels.contains(&Sensitivity::Temp) {
            self.ctx
                .add(Class::TempWrite, "writes in a temporary directory");
        } else if deletes_tree {
            self.ctx.add(
                Class::Destructive,
                format!("recursively deletes outside the workspace ({shown})"),
            );
        } else {
            self.ctx.add(
                Class::OutsideWrite,
                format!("writes outside the workspace ({shown})"),
            );
        }
    }

    /// `/`, the home directory, or an ancestor of the workspace or home.
    fn is_precious_tree(&self, path: &Path) -> bool {
        let env = self.env.paths;
        if path == Path::new("/") || path == env.home {
            return true;
        }
        if env.home.starts_with(path) {
            return true;
        }
        match &env.workspace_root {
            Some(root) => root.starts_with(path) && root != path,
            None => false,
        }
    }

    fn is_workspace_history(&self, path: &Path) -> bool {
        match &self.env.paths.workspace_root {
            Some(root) => path == root || path == root.join(".git"),
            None => false,
        }
    }

    pub(crate) fn path_fact(&self, raw: &str) -> warden_action::PathFact {
        let resolved = paths::resolve(raw, &self.cwd, self.env.paths);
        paths::classify(&resolved, self.env.paths)
    }

    pub(crate) fn push_fact(&mut self, fact: warden_action::PathFact) {
        if !self.ctx.paths.iter().any(|p| p.path == fact.path) {
            self.ctx.paths.push(fact);
        }
    }

    /// Records a network destination; production destinations mark the action.
    pub(crate) fn destination(&mut self, host: &str) {
        let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
        if host.is_empty() {
            return;
        }
        let class = destination::classify_host(&host, self.env.destinations);
        if class == DestinationClass::Production {
            self.production(format!("host {host}"));
        }
        if !self.ctx.destinations.iter().any(|d| d.host == host) {
            self.ctx.destinations.push(Destination { host, class });
        }
    }

    /// Marks the action as targeting production.
    pub(crate) fn production(&mut self, why: String) {
        self.ctx.production = true;
        let note = format!("targets production: {why}");
        if !self.ctx.notes.contains(&note) {
            self.ctx.notes.push(note);
        }
    }

    pub(crate) fn is_production_name(&self, name: &str, patterns: &[String]) -> bool {
        let lower = name.to_ascii_lowercase();
        patterns
            .iter()
            .any(|p| destination::glob_match(&p.to_ascii_lowercase(), &lower))
    }
}

thread_local! {
    /// One parser per thread: creating a parser and loading the grammar
    /// costs more than parsing a typical command line.
    static PARSER: std::cell::RefCell<Option<Parser>> = const { std::cell::RefCell::new(None) };
}

/// Parses bash source; None when the grammar cannot be loaded or parsing fails.
fn parse_bash(source: &str) -> Option<tree_sitter::Tree> {
    // tree-sitter-bash's scanner passes code points to the C library's
    // `isdigit`/`isalpha`, which index a table meant for bytes: a large code
    // point reads out of bounds and can crash the process. So the parser
    // sees every non-ASCII byte as `x`, a word character as bash itself
    // treats them (it splits words on ASCII blanks only). Offsets are
    // unchanged, so callers slice the original source with the tree's
    // byte ranges.
    let ascii;
    let bytes: &[u8] = if source.is_ascii() {
        source.as_bytes()
    } else {
        ascii = source
            .bytes()
            .map(|b| if b.is_ascii() { b } else { b'x' })
            .collect::<Vec<u8>>();
        &ascii
    };
    PARSER.with(|cell| {
        // A nested parse (bash -c inside bash -c) happens after the outer
        // parse returned, so the borrow is never held twice; if it were,
        // fall back to a fresh parser.
        let mut slot = match cell.try_borrow_mut() {
            Ok(slot) => slot,
            Err(_) => return fresh_parser().and_then(|mut p| p.parse(bytes, None)),
        };
        if slot.is_none() {
            *slot = fresh_parser();
        }
        let parser = slot.as_mut()?;
        parser.reset();
        parser.parse(bytes, None)
    })
}

fn fresh_parser() -> Option<Parser> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_bash::LANGUAGE.into())
        .ok()?;
    Some(parser)
}

fn redirect_operator<'s>(node: Node<'_>, src: &'s str) -> &'s str {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if !child.is_named() {
            return node_text(child, src);
        }
    }
    ">"
}

/// Whether a function body runs a command with the function's own name.
fn calls_itself(node: Node<'_>, src: &str, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    if node.kind() == "command_name" && node_text(node, src) == name {
        return true;
    }
    let mut cursor = node.walk();
    let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
    children.into_iter().any(|c| calls_itself(c, src, name))
}

pub(crate) fn node_text<'s>(node: Node<'_>, src: &'s str) -> &'s str {
    src.get(node.byte_range()).unwrap_or("")
}

fn most_severe(labels: &std::collections::BTreeSet<Sensitivity>) -> Option<Sensitivity> {
    [
        Sensitivity::Secret,
        Sensitivity::Device,
        Sensitivity::Governance,
        Sensitivity::Persistence,
        Sensitivity::Home,
        Sensitivity::System,
        Sensitivity::Temp,
    ]
    .into_iter()
    .find(|s| labels.contains(s))
}

/// Classifies a file read (Read, Glob, Grep) of `raw`.
pub(crate) fn classify_read(raw: &str, env: &ShellEnv<'_>, ctx: &mut Context) {
    let mut analyzer = Analyzer::new(env, ctx);
    analyzer.read_path(raw);
}

/// Classifies a file write or edit of `raw`.
pub(crate) fn classify_write(raw: &str, env: &ShellEnv<'_>, ctx: &mut Context) {
    let mut analyzer = Analyzer::new(env, ctx);
    analyzer.write_path(raw, false);
}

/// Records a path named in an MCP call: only sensitive paths add a class.
pub(crate) fn classify_mcp_path(raw: &str, env: &ShellEnv<'_>, ctx: &mut Context) {
    let mut analyzer = Analyzer::new(env, ctx);
    analyzer.source_path(raw);
}

/// Records a network destination.
pub(crate) fn note_destination(host: &str, env: &ShellEnv<'_>, ctx: &mut Context) {
    let mut analyzer = Analyzer::new(env, ctx);
    analyzer.destination(host);
}
