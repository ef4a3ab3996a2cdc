//! Version control: git and the forges' CLIs (gh, glab).
//!
//! git subcommands fall in four groups: reads, local changes (`vcs_local`),
//! network (fetch, pull, clone: `network_read` + `vcs_local`; push:
//! `vcs_remote_write`) and changes that lose uncommitted work
//! (`discard_work`). Bypassing or redirecting hooks is `governance_tamper`.

use super::opts::{self, Parsed};
use super::{Analyzer, Flow, Word};
use crate::destination;
use std::path::PathBuf;
use warden_action::Class;

/// Subcommands that only read the repository.
const GIT_READS: &[&str] = &[
    "status",
    "log",
    "diff",
    "show",
    "blame",
    "annotate",
    "rev-parse",
    "rev-list",
    "describe",
    "ls-files",
    "ls-tree",
    "cat-file",
    "grep",
    "shortlog",
    "whatchanged",
    "name-rev",
    "merge-base",
    "for-each-ref",
    "show-ref",
    "count-objects",
    "fsck",
    "verify-commit",
    "verify-tag",
    "check-ignore",
    "check-attr",
    "check-ref-format",
    "help",
    "version",
    "var",
    "diff-tree",
    "diff-files",
    "diff-index",
    "range-diff",
    "cherry",
    "show-branch",
    "reflog",
    "difftool",
    "instaweb",
    "bugreport",
    "fsmonitor--daemon",
];

/// Subcommands that change only the local repository.
const GIT_LOCAL: &[&str] = &[
    "add",
    "commit",
    "switch",
    "merge",
    "rebase",
    "tag",
    "cherry-pick",
    "revert",
    "mv",
    "rm",
    "init",
    "apply",
    "am",
    "notes",
    "bisect",
    "gc",
    "prune",
    "repack",
    "update-index",
    "update-ref",
    "commit-tree",
    "merge-file",
    "sparse-checkout",
    "mktree",
    "mktag",
    "hash-object",
    "read-tree",
    "write-tree",
    "symbolic-ref",
    "pack-refs",
    "maintenance",
    "format-patch",
    "restore",
    "checkout",
    "reset",
    "stash",
    "branch",
    "worktree",
    "remote",
    "config",
    "clean",
    "submodule",
    "lfs",
    "filter-branch",
    "filter-repo",
    "replace",
];

/// Options of `git commit` that take a value.
const COMMIT_VALUES: &[&str] = &[
    "-m",
    "--message",
    "-F",
    "--file",
    "-C",
    "--reuse-message",
    "-c",
    "--reedit-message",
    "--author",
    "--date",
    "-t",
    "--template",
    "--fixup",
    "--squash",
    "--cleanup",
    "--trailer",
];

impl Analyzer<'_, '_> {
    pub(crate) fn git(&mut self, args: &[Word], input: &Flow) -> Flow {
        let _ = input;
        // Global options before the subcommand.
        let mut i = 0;
        let saved_cwd = self.cwd.clone();
        while let Some(word) = args.get(i) {
            let text = word.text();
            match text {
                "-C" => {
                    if let Some(dir) = args.get(i + 1).and_then(|w| w.value.clone()) {
                        let fact = self.path_fact(&dir);
                        self.cwd = PathBuf::from(fact.path);
                    }
                    i += 2;
                }
                "-c" => {
                    if let Some(setting) = args.get(i + 1) {
                        self.git_setting(setting.text(), true);
                    }
                    i += 2;
                }
                "--git-dir" | "--work-tree" | "--namespace" | "--exec-path" | "--super-prefix"
                | "--config-env" => i += 2,
                _ if text.starts_with("--git-dir=")
                    || text.starts_with("--work-tree=")
                    || text.starts_with("--exec-path=")
                    || text.starts_with("--namespace=") =>
                {
                    i += 1
                }
                _ if text.starts_with("--config-env=") => i += 1,
                _ if text.starts_with('-') => i += 1,
                _ => break,
            }
        }
        let Some(sub_word) = args.get(i) else {
            self.ctx
                .add(Class::ReadOnly, "`git` without a subcommand prints help");
            self.cwd = saved_cwd;
            return Flow::default();
        };
        let Some(sub) = sub_word.value.clone() else {
            self.ctx
                .add(Class::Opaque, "git subcommand computed at run time");
            self.cwd = saved_cwd;
            return Flow::default();
        };
        let rest = args.get(i + 1..).unwrap_or(&[]);
        let flow = self.git_sub(&sub, rest);
        self.cwd = saved_cwd;
        flow
    }

    fn git_sub(&mut self, sub: &str, rest: &[Word]) -> Flow {
        let texts: Vec<&str> = rest.iter().map(Word::text).collect();
        let has = |flags: &[&str]| texts.iter().any(|t| flags.contains(t));
        if has(&["--no-verify"])
            && matches!(
                sub,
                "commit" | "push" | "merge" | "am" | "rebase" | "cherry-pick" | "revert"
            )
        {
            self.ctx.add(
                Class::GovernanceTamper,
                format!("`git {sub} --no-verify` skips the repository's hooks"),
            );
        }
        match sub {
            "push" | "send-pack" => {
                let parsed = opts::parse(
                    rest,
                    &["--repo", "-o", "--push-option", "--receive-pack", "--exec"],
                    false,
                );
                self.git_remote_host(parsed.pos.first());
                self.ctx.add(
                    Class::VcsRemoteWrite,
                    "`git push` writes to a remote repository",
                );
                return Flow::default();
            }
            "fetch" | "pull" | "remote-update" => {
                let parsed = opts::parse(
                    rest,
                    &[
                        "--depth",
                        "-j",
                        "--jobs",
                        "--upload-pack",
                        "-s",
                        "--strategy",
                        "-X",
                        "--strategy-option",
                    ],
                    false,
                );
                self.git_remote_host(parsed.pos.first());
                self.ctx.add(
                    Class::NetworkRead,
                    format!("`git {sub}` downloads from a remote"),
                );
                self.ctx
                    .add(Class::VcsLocal, format!("`git {sub}` updates local refs"));
                return Flow::default();
            }
            "clone" => {
                let parsed = opts::parse(
                    rest,
                    &[
                        "-b",
                        "--branch",
                        "--depth",
                        "-o",
                        "--origin",
                        "--reference",
                        "-c",
                        "--config",
                        "--template",
                        "--separate-git-dir",
                        "-j",
                        "--jobs",
                        "--filter",
                        "-u",
                        "--upload-pack",
                        "--shallow-since",
                        "--shallow-exclude",
                    ],
                    false,
                );
                if let Some(url) = parsed.pos.first().and_then(|w| w.value.clone()) {
                    if let Some(host) = destination::host_of_git_remote(&url) {
                        self.destination(&host);
                    }
                }
                for setting in parsed
                    .values(&["-c", "--config"])
                    .cloned()
                    .collect::<Vec<_>>()
                {
                    self.git_setting(setting.text(), true);
                }
                if parsed.has(&["--template"]) {
                    self.ctx.add(
                        Class::GovernanceTamper,
                        "`git clone --template` installs hooks",
                    );
                }
                self.ctx
                    .add(Class::NetworkRead, "`git clone` downloads a repository");
                self.ctx
                    .add(Class::VcsLocal, "`git clone` creates a repository");
                if let Some(dir) = parsed.pos.get(1).cloned() {
                    if let Some(raw) = &dir.value {
                        let fact = self.path_fact(raw);
                        if !fact.in_workspace {
                            self.write_target(&dir, false);
                        }
                    }
                }
                return Flow::default();
            }
            "ls-remote" => {
                let parsed = opts::parse(
                    rest,
                    &["--upload-pack", "--sort", "-o", "--server-option"],
                    false,
                );
                self.git_remote_host(parsed.pos.first());
                self.ctx
                    .add(Class::NetworkRead, "`git ls-remote` lists remote refs");
                return Flow::default();
            }
            "send-email" | "request-pull" | "imap-send" => {
                self.ctx
                    .add(Class::NetworkSend, format!("`git {sub}` sends patches out"));
                return Flow::default();
            }
            "credential"
            | "credential-store"
            | "credential-cache"
            | "credential-osxkeychain"
            | "credential-libsecret"
            | "credential-manager" => {
                self.ctx.add(
                    Class::SecretAccess,
                    format!("`git {sub}` reads stored credentials"),
                );
                return Flow::default();
            }
            "daemon" | "http-backend" | "upload-pack" | "receive-pack" | "shell" => {
                self.ctx.add(
                    Class::NetworkSend,
                    format!("`git {sub}` serves the repository"),
                );
                return Flow::default();
            }
            "hook" => {
                self.ctx
                    .add(Class::Opaque, "`git hook run` runs a hook script");
                return Flow::default();
            }
            _ => {}
        }
        if GIT_READS.contains(&sub) {
            if sub == "reflog"
                && texts
                    .first()
                    .is_some_and(|t| matches!(*t, "expire" | "delete"))
            {
                self.ctx.add(
                    Class::DiscardWork,
                    "`git reflog expire` drops the safety net of lost commits",
                );
                return Flow::default();
            }
            self.ctx
                .add(Class::ReadOnly, format!("`git {sub}` only reads"));
            return Flow {
                files: true,
                ..Flow::default()
            };
        }
        if GIT_LOCAL.contains(&sub) {
            self.git_local(sub, rest);
            if sub == "ls-files" {
                return Flow::default();
            }
            return Flow::default();
        }
        self.ctx.add(
            Class::Opaque,
            format!("`git {sub}` is an alias or extension whose behaviour is unknown"),
        );
        Flow::default()
    }

    fn git_local(&mut self, sub: &str, rest: &[Word]) {
        let local = |a: &mut Self, why: &str| a.ctx.add(Class::VcsLocal, why.to_owned());
        match sub {
            "commit" => {
                let parsed = opts::parse(rest, COMMIT_VALUES, false);
                if parsed.has(&["-n"]) {
                    self.ctx.add(
                        Class::GovernanceTamper,
                        "`git commit -n` skips the repository's hooks",
                    );
                }
                if let Some(file) = parsed.value(&["-F", "--file"]).cloned() {
                    self.read_word(&file);
                }
                local(self, "`git commit` records a commit");
            }
            "branch" => {
                let parsed = opts::parse(
                    rest,
                    &[
                        "-u",
                        "--set-upstream-to",
                        "--contains",
                        "--no-contains",
                        "--merged",
                        "--no-merged",
                        "--sort",
                        "--format",
                        "--points-at",
                    ],
                    false,
                );
                if parsed.has(&["-D"])
                    || (parsed.has(&["--delete", "-d"]) && parsed.has(&["--force", "-f"]))
                {
                    self.ctx.add(
                        Class::DiscardWork,
                        "`git branch -D` deletes a branch even if it is not merged",
                    );
                } else if parsed.pos.is_empty()
                    && !parsed.has(&[
                        "-m",
                        "-M",
                        "-c",
                        "-C",
                        "-d",
                        "--delete",
                        "-u",
                        "--set-upstream-to",
                        "--unset-upstream",
                        "--edit-description",
                    ])
                    || (parsed.has(&[
                        "--list",
                        "-l",
                        "--show-current",
                        "-a",
                        "-r",
                        "--all",
                        "--remotes",
                    ]) && !parsed.has(&["-m", "-M", "-d", "-D"]))
                {
                    self.ctx.add(Class::ReadOnly, "`git branch` lists branches");
                } else {
                    local(self, "`git branch` changes branches");
                }
            }
            "tag" => {
                let parsed = opts::parse(
                    rest,
                    &[
                        "-m",
                        "--message",
                        "-F",
                        "--file",
                        "-u",
                        "--local-user",
                        "--sort",
                        "--format",
                        "--contains",
                        "--points-at",
                        "--merged",
                        "--no-merged",
                    ],
                    false,
                );
                if (parsed.pos.is_empty() && !parsed.has(&["-d", "--delete"]))
                    || parsed.has(&["-l", "--list", "-v", "--verify"])
                {
                    self.ctx.add(Class::ReadOnly, "`git tag` lists tags");
                } else {
                    local(self, "`git tag` changes tags");
                }
            }
            "stash" => {
                let verb = rest.first().map(Word::text).unwrap_or("push");
                match verb {
                    "list" | "show" => self.ctx.add(Class::ReadOnly, "`git stash list` only reads"),
                    "drop" | "clear" => self.ctx.add(
                        Class::DiscardWork,
                        format!("`git stash {verb}` deletes stashed work"),
                    ),
                    _ => local(self, "`git stash` sets work aside"),
                }
            }
            "reset" => {
                if rest
                    .iter()
                    .any(|w| matches!(w.text(), "--hard" | "--merge" | "--keep"))
                {
                    self.ctx.add(
                        Class::DiscardWork,
                        "`git reset --hard` discards uncommitted changes",
                    );
                } else {
                    local(self, "`git reset` moves the branch or unstages");
                }
            }
            "clean" => {
                let parsed = opts::parse(rest, &["-e", "--exclude"], false);
                if parsed.has(&["-n", "--dry-run"]) {
                    self.ctx.add(Class::ReadOnly, "`git clean -n` only lists");
                } else if parsed.has(&["-f", "--force", "-i", "--interactive"]) {
                    self.ctx
                        .add(Class::DiscardWork, "`git clean` deletes untracked files");
                } else {
                    self.ctx.add(
                        Class::ReadOnly,
                        "`git clean` without --force refuses to act",
                    );
                }
            }
            "checkout" => {
                let parsed = opts::parse(
                    rest,
                    &["-b", "-B", "--orphan", "--conflict", "--pathspec-from-file"],
                    false,
                );
                let discards = parsed.has(&["-f", "--force", "-p", "--patch"])
                    || (parsed.saw_double_dash
                        && !parsed.pos.is_empty()
                        && !parsed.has(&["-b", "-B"]))
                    || parsed
                        .pos
                        .iter()
                        .any(|w| matches!(w.text(), "." | "./" | ":/"))
                    || (parsed.pos.len() > 1 && !parsed.has(&["-b", "-B", "--orphan"]));
                if discards {
                    self.ctx.add(
                        Class::DiscardWork,
                        "`git checkout` of paths overwrites uncommitted changes",
                    );
                } else {
                    local(self, "`git checkout` switches branches");
                }
            }
            "switch" => {
                if rest
                    .iter()
                    .any(|w| matches!(w.text(), "--discard-changes" | "-f" | "--force"))
                {
                    self.ctx.add(
                        Class::DiscardWork,
                        "`git switch --discard-changes` drops uncommitted changes",
                    );
                } else {
                    local(self, "`git switch` switches branches");
                }
            }
            "restore" => {
                let staged_only = rest.iter().any(|w| matches!(w.text(), "--staged" | "-S"))
                    && !rest.iter().any(|w| matches!(w.text(), "--worktree" | "-W"));
                if staged_only {
                    local(self, "`git restore --staged` unstages");
                } else {
                    self.ctx.add(
                        Class::DiscardWork,
                        "`git restore` overwrites uncommitted changes",
                    );
                }
            }
            "worktree" => match rest.first().map(Word::text) {
                Some("list") => self
                    .ctx
                    .add(Class::ReadOnly, "`git worktree list` only reads"),
                Some("remove") if rest.iter().any(|w| matches!(w.text(), "-f" | "--force")) => {
                    self.ctx.add(
                        Class::DiscardWork,
                        "`git worktree remove --force` deletes a dirty worktree",
                    )
                }
                _ => local(self, "`git worktree` manages worktrees"),
            },
            "remote" => match rest.first().map(Word::text) {
                None | Some("-v" | "--verbose" | "show" | "get-url") => {
                    if rest.first().map(Word::text) == Some("show") && rest.len() > 1 {
                        self.ctx
                            .add(Class::NetworkRead, "`git remote show` contacts the remote");
                    } else {
                        self.ctx.add(Class::ReadOnly, "`git remote` lists remotes");
                    }
                }
                Some("update") => {
                    self.ctx
                        .add(Class::NetworkRead, "`git remote update` fetches");
                    local(self, "`git remote update` updates refs");
                }
                Some(_) => {
                    for word in rest {
                        if let Some(host) = word
                            .value
                            .as_deref()
                            .filter(|v| v.contains("://") || v.contains('@'))
                            .and_then(destination::host_of_git_remote)
                        {
                            self.destination(&host);
                        }
                    }
                    local(self, "`git remote` changes remotes");
                }
            },
            "config" => self.git_config(rest),
            "submodule" => match rest.first().map(Word::text) {
                Some("update" | "add" | "sync") => {
                    self.ctx
                        .add(Class::NetworkRead, "`git submodule` downloads submodules");
                    local(self, "`git submodule` updates submodules");
                }
                Some("status" | "summary" | "foreach") | None => {
                    if rest.first().map(Word::text) == Some("foreach") {
                        let code: Vec<Word> = rest
                            .iter()
                            .skip(1)
                            .filter(|w| !w.text().starts_with("--"))
                            .cloned()
                            .collect();
                        if let Some(code) = code.first() {
                            let code = code.clone();
                            self.eval_like(&code);
                        }
                    } else {
                        self.ctx
                            .add(Class::ReadOnly, "`git submodule status` only reads");
                    }
                }
                _ => local(self, "`git submodule` changes submodules"),
            },
            "lfs" => match rest.first().map(Word::text) {
                Some("pull" | "fetch" | "clone") => {
                    self.ctx
                        .add(Class::NetworkRead, "`git lfs` downloads objects");
                    local(self, "`git lfs` updates files");
                }
                Some("push") => self
                    .ctx
                    .add(Class::VcsRemoteWrite, "`git lfs push` uploads objects"),
                Some("ls-files" | "status" | "env" | "version") => {
                    self.ctx.add(Class::ReadOnly, "`git lfs` only reads")
                }
                _ => local(self, "`git lfs` changes local state"),
            },
            "filter-branch" | "filter-repo" => {
                self.ctx
                    .add(Class::DiscardWork, format!("`git {sub}` rewrites history"));
            }
            "gc" | "prune"
                if rest
                    .iter()
                    .any(|w| w.text().starts_with("--prune=now") || w.text() == "--aggressive") =>
            {
                self.ctx.add(
                    Class::DiscardWork,
                    "`git gc --prune=now` deletes unreachable commits for good",
                );
            }
            "rm" => {
                if rest.iter().any(|w| w.text() == "--cached") {
                    local(self, "`git rm --cached` unstages");
                } else {
                    local(self, "`git rm` removes tracked files");
                }
            }
            "apply" | "am" => {
                let parsed = opts::parse(
                    rest,
                    &[
                        "-p",
                        "-C",
                        "--directory",
                        "--exclude",
                        "--include",
                        "--whitespace",
                    ],
                    false,
                );
                if parsed.has(&["--check", "--stat", "--numstat", "--summary"]) {
                    self.ctx
                        .add(Class::ReadOnly, "`git apply --check` only reads");
                } else {
                    local(self, "`git apply` changes files");
                }
            }
            "init" => {
                if rest.iter().any(|w| w.text().starts_with("--template")) {
                    self.ctx.add(
                        Class::GovernanceTamper,
                        "`git init --template` installs hooks",
                    );
                }
                local(self, "`git init` creates a repository");
            }
            _ => local(self, &format!("`git {sub}` changes the local repository")),
        }
    }

    /// Runs a literal or dynamic word as shell code (git submodule foreach).
    fn eval_like(&mut self, code: &Word) {
        match &code.value {
            Some(text) => {
                let text = text.clone();
                self.script(&text);
            }
            None => self
                .ctx
                .add(Class::Opaque, "runs code computed at run time"),
        }
    }

    fn git_config(&mut self, rest: &[Word]) {
        let parsed = opts::parse(
            rest,
            &["-f", "--file", "--blob", "--type", "--default", "--comment"],
            false,
        );
        let reads = parsed.has(&[
            "--get",
            "--get-all",
            "--get-regexp",
            "--get-urlmatch",
            "--list",
            "-l",
            "--show-origin",
            "--show-scope",
            "-e",
            "--edit",
        ]) && !parsed.has(&["-e", "--edit"]);
        let pos = parsed.pos_text();
        let sub_verb = pos.first().map(String::as_str);
        if reads
            || (pos.len() == 1
                && !parsed.has(&["--unset", "--unset-all", "--add", "--replace-all"]))
            || matches!(sub_verb, Some("get" | "list"))
        {
            self.ctx.add(Class::ReadOnly, "`git config` reads settings");
            return;
        }
        if parsed.has(&["-e", "--edit"]) || matches!(sub_verb, Some("edit")) {
            self.ctx
                .add(Class::Opaque, "`git config --edit` opens an editor");
            return;
        }
        let (key, value) = match sub_verb {
            Some("set" | "unset") => (
                pos.get(1).cloned().unwrap_or_default(),
                pos.get(2).cloned().unwrap_or_default(),
            ),
            _ => (
                pos.first().cloned().unwrap_or_default(),
                pos.get(1).cloned().unwrap_or_default(),
            ),
        };
        let tampered = self.git_setting(&format!("{key}={value}"), false);
        if parsed.has(&["--global", "--system"]) {
            let target = if parsed.has(&["--system"]) {
                "/etc/gitconfig".to_owned()
            } else {
                "~/.gitconfig".to_owned()
            };
            self.write_path(&target, false);
            if !tampered {
                self.ctx.add(
                    Class::OutsideWrite,
                    "`git config --global` changes every repository",
                );
            }
        } else if !tampered {
            self.ctx.add(
                Class::VcsLocal,
                "`git config` changes the repository's settings",
            );
        }
    }

    /// Judges one `key=value` git setting; returns whether it was a tamper.
    fn git_setting(&mut self, setting: &str, one_shot: bool) -> bool {
        let (key, value) = setting.split_once('=').unwrap_or((setting, ""));
        let key = key.to_ascii_lowercase();
        if key == "core.hookspath" {
            self.ctx.add(
                Class::GovernanceTamper,
                "changes core.hooksPath, which replaces the repository's hooks",
            );
            return true;
        }
        if matches!(
            key.as_str(),
            "core.fsmonitor"
                | "core.sshcommand"
                | "core.pager"
                | "core.editor"
                | "sequence.editor"
                | "diff.external"
                | "core.askpass"
                | "credential.helper"
                | "gpg.program"
                | "uploadpack.packobjectshook"
        ) || (key.starts_with("alias.") && value.starts_with('!'))
            || (key.starts_with("filter.")
                && (key.ends_with(".clean")
                    || key.ends_with(".smudge")
                    || key.ends_with(".process")))
        {
            if one_shot {
                self.ctx.add(
                    Class::Opaque,
                    format!("`git -c {key}` runs a program of its choosing"),
                );
            } else {
                self.ctx.add(
                    Class::Persistence,
                    format!("sets {key}, which makes git run a program later"),
                );
            }
            return true;
        }
        false
    }

    /// Records the host of a git remote argument (URL, or a remote's name).
    fn git_remote_host(&mut self, remote: Option<&Word>) {
        let name = remote.and_then(|w| w.value.clone());
        let url = match &name {
            Some(n) if n.contains("://") || n.contains('@') || n.contains(':') => Some(n.clone()),
            Some(n) if n == "origin" => self.env.origin.map(str::to_owned),
            None => self.env.origin.map(str::to_owned),
            _ => None,
        };
        if let Some(host) = url.as_deref().and_then(destination::host_of_git_remote) {
            self.destination(&host);
        }
    }

    /// gh and glab.
    pub(crate) fn forge(&mut self, name: &str, args: &[Word]) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "-R",
                "--repo",
                "--hostname",
                "-X",
                "--method",
                "-f",
                "-F",
                "--field",
                "--raw-field",
                "--input",
                "-H",
                "--header",
                "-q",
                "--jq",
                "-t",
                "--template",
                "-b",
                "--body",
                "--title",
                "-B",
                "--base",
                "--head",
                "-m",
                "--message",
                "-n",
                "--notes",
                "-L",
                "--limit",
                "-s",
                "--state",
                "-l",
                "--label",
                "-a",
                "--assignee",
                "-w",
                "--workflow",
                "--json",
                "-e",
                "--env",
                "--org",
                "-r",
                "--reviewer",
                "-d",
                "--description",
                "--visibility",
                "-c",
                "--color",
            ],
            false,
        );
        let host = parsed
            .value(&["--hostname"])
            .and_then(|w| w.value.clone())
            .unwrap_or_else(|| {
                if name == "gh" {
                    "github.com".to_owned()
                } else {
                    "gitlab.com".to_owned()
                }
            });
        self.destination(&host);
        let pos = parsed.pos_text();
        let group = pos.first().map(String::as_str).unwrap_or("");
        let verb = pos.get(1).map(String::as_str).unwrap_or("");
        let read = |a: &mut Self| {
            a.ctx.add(
                Class::NetworkRead,
                format!("`{name} {group} {verb}` reads from the forge"),
            );
        };
        let write = |a: &mut Self| {
            a.ctx.add(
                Class::VcsRemoteWrite,
                format!("`{name} {group} {verb}` changes the remote repository"),
            );
        };
        match (group, verb) {
            ("" | "help" | "version" | "--version" | "completion", _) => {
                self.ctx
                    .add(Class::ReadOnly, format!("`{name}` prints help"));
            }
            ("auth", "token") => self.ctx.add(
                Class::SecretAccess,
                format!("`{name} auth token` prints the forge token"),
            ),
            ("auth", "status") => {
                if parsed.has(&["-t", "--show-token"]) {
                    self.ctx.add(
                        Class::SecretAccess,
                        format!("`{name} auth status --show-token` prints the token"),
                    );
                } else {
                    read(self);
                }
            }
            ("auth", _) => self.ctx.add(
                Class::SecretAccess,
                format!("`{name} auth {verb}` changes stored forge credentials"),
            ),
            ("api", _) => {
                let method = parsed
                    .value(&["-X", "--method"])
                    .and_then(|w| w.value.clone())
                    .map(|m| m.to_ascii_uppercase());
                let has_fields = parsed.has(&["-f", "-F", "--field", "--raw-field", "--input"]);
                let writes = match method.as_deref() {
                    Some("GET" | "HEAD") => false,
                    Some(_) => true,
                    None => has_fields,
                };
                if writes {
                    self.ctx.add(
                        Class::VcsRemoteWrite,
                        format!("`{name} api` sends a mutating request"),
                    );
                } else {
                    self.ctx.add(
                        Class::NetworkRead,
                        format!("`{name} api` reads from the forge"),
                    );
                }
            }
            ("pr" | "mr", "checkout") => {
                self.ctx.add(Class::NetworkRead, "fetches a pull request");
                self.ctx
                    .add(Class::VcsLocal, "checks out a pull request branch");
            }
            ("repo", "clone") => {
                self.ctx.add(Class::NetworkRead, "clones a repository");
                self.ctx.add(Class::VcsLocal, "creates a local repository");
                if let Some(dir) = pos.get(3) {
                    let fact = self.path_fact(dir);
                    if !fact.in_workspace {
                        let dir = dir.clone();
                        self.write_path(&dir, false);
                    }
                }
            }
            ("repo", "delete" | "archive") => {
                write(self);
                self.ctx.add(
                    Class::Destructive,
                    format!("`{name} repo {verb}` removes a remote repository"),
                );
            }
            ("release", "upload") | ("release", "create") if !parsed.pos.is_empty() => {
                write(self);
                if verb == "upload" || pos.len() > 3 {
                    self.ctx.add(Class::Publish, "uploads release assets");
                }
            }
            ("release" | "run" | "workflow" | "cache", "download") => {
                read(self);
                self.write_path(".", false);
            }
            ("extension" | "ext", "install" | "upgrade") => {
                self.ctx.add(
                    Class::PackageInstallUntrusted,
                    format!("`{name} extension install` runs code from a repository"),
                );
            }
            ("secret" | "variable", "list") => read(self),
            ("secret" | "variable", _) => write(self),
            ("codespace" | "cs", "ssh" | "cp") => {
                self.ctx.add(Class::NetworkSend, "reaches into a codespace");
            }
            ("browse", _) => self
                .ctx
                .add(Class::ReadOnly, "opens the repository in a browser"),
            ("config", "set") => self.ctx.add(
                Class::OutsideWrite,
                format!("changes `{name}` configuration"),
            ),
            ("config" | "alias", _) => self
                .ctx
                .add(Class::ReadOnly, format!("reads `{name}` configuration")),
            (
                _,
                "list" | "view" | "status" | "diff" | "checks" | "search" | "show" | "watch" | "ls"
                | "get" | "logs" | "trace",
            )
            | ("search" | "status", _) => read(self),
            _ => write(self),
        }
        Flow::from_network()
    }
}

#[allow(dead_code)]
fn positional(parsed: &Parsed) -> Vec<String> {
    parsed.pos_text()
}
