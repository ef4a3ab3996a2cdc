//! What each program does: the table that turns one resolved simple command
//! into classes.
//!
//! Handlers are grouped by family (readers, writers, wrappers, shells and
//! interpreters, network tools, version control, package managers, build
//! tools, infrastructure, databases, system administration). A program that
//! is not in the table is [`Class::Unknown`]; a program named by a path in the
//! workspace is [`Class::Opaque`], because its behaviour cannot be judged
//! from the command line.

use super::opts;
use super::{Analyzer, Cmd, Flow, Word};
use crate::destination;
use std::path::PathBuf;
use warden_action::{Class, DestinationClass, Sensitivity};

/// Programs that only read their arguments and print.
const READERS: &[&str] = &[
    "cat",
    "less",
    "more",
    "head",
    "tail",
    "wc",
    "ls",
    "ll",
    "dir",
    "tree",
    "stat",
    "file",
    "du",
    "df",
    "diff",
    "cmp",
    "sort",
    "uniq",
    "cut",
    "tr",
    "column",
    "nl",
    "od",
    "hexdump",
    "strings",
    "md5sum",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "b2sum",
    "cksum",
    "basename",
    "dirname",
    "realpath",
    "readlink",
    "pwd",
    "whoami",
    "id",
    "uname",
    "hostname",
    "date",
    "uptime",
    "ps",
    "free",
    "which",
    "type",
    "whereis",
    "true",
    "false",
    "sleep",
    "test",
    "[",
    "[[",
    "seq",
    "tac",
    "rev",
    "fold",
    "fmt",
    "paste",
    "join",
    "comm",
    "expand",
    "unexpand",
    "lsof",
    "ss",
    "netstat",
    "nproc",
    "arch",
    "tty",
    "groups",
    "man",
    "help",
    "clear",
    "cd",
    "pushd",
    "popd",
    "shopt",
    "alias",
    "unalias",
    "hash",
    "history",
    "wait",
    "jobs",
    "bat",
    "batcat",
    "fd",
    "fdfind",
    "exa",
    "eza",
    "lsb_release",
    "locale",
    "getconf",
    "vmstat",
    "iostat",
    "top",
    "htop",
    "pgrep",
    "pidof",
    "printf",
    "echo",
    "yes",
    "tput",
    "stty",
    "umask",
    "ulimit",
    "read",
    "exit",
    "return",
    "shift",
    "trap",
    "getopts",
    "let",
    "local",
    ":",
    "cal",
    "colordiff",
    "delta",
    "tldr",
    "info",
    "jq",
    "yq",
    "xq",
    "base32",
    "numfmt",
    "sum",
    "lscpu",
    "lsblk",
    "lsmod",
    "mount",
    "findmnt",
    "dmesg",
    "journalctl",
    "last",
    "w",
    "who",
    "dig",
    "host",
    "nslookup",
    "ping",
    "traceroute",
    "tracepath",
    "mtr",
    "whois",
];

/// Readers whose first positional argument is a pattern or a program, not a file.
const PATTERN_FIRST: &[&str] = &[
    "grep", "egrep", "fgrep", "rg", "ag", "ack", "awk", "gawk", "mawk", "nawk", "jq", "yq", "sed",
];

/// Network diagnostics: they reach a host but carry no data.
const NET_PROBES: &[&str] = &[
    "dig",
    "host",
    "nslookup",
    "ping",
    "traceroute",
    "tracepath",
    "mtr",
    "whois",
];

/// Build, test, lint and format tools that run the project's own code.
const BUILD_TOOLS: &[&str] = &[
    "make",
    "gmake",
    "cmake",
    "ninja",
    "meson",
    "gradle",
    "mvn",
    "ant",
    "sbt",
    "bazel",
    "bazelisk",
    "buck",
    "just",
    "task",
    "tsc",
    "jest",
    "vitest",
    "mocha",
    "ava",
    "pytest",
    "py.test",
    "tox",
    "nox",
    "mypy",
    "pyright",
    "ruff",
    "flake8",
    "pylint",
    "black",
    "isort",
    "eslint",
    "prettier",
    "biome",
    "stylelint",
    "rustfmt",
    "clang-format",
    "clang-tidy",
    "gofmt",
    "goimports",
    "golangci-lint",
    "staticcheck",
    "shellcheck",
    "shfmt",
    "hadolint",
    "rspec",
    "rake",
    "phpunit",
    "phpstan",
    "swiftlint",
    "ktlint",
    "detekt",
    "tflint",
    "actionlint",
    "yamllint",
    "markdownlint",
    "cspell",
    "codespell",
    "webpack",
    "vite",
    "rollup",
    "esbuild",
    "parcel",
    "turbo",
    "nx",
    "lerna",
    "next",
    "nuxt",
    "astro",
    "svelte-kit",
    "ng",
    "playwright",
    "cypress",
    "storybook",
    "gcc",
    "g++",
    "cc",
    "c++",
    "clang",
    "clang++",
    "rustc",
    "javac",
    "kotlinc",
    "swiftc",
    "ld",
    "ar",
    "strip",
    "nasm",
    "protoc",
    "buf",
    "flatc",
    "sass",
    "tailwindcss",
    "postcss",
    "babel",
    "swc",
    "xcodebuild",
    "swift",
    "zig",
    "ctest",
    "coverage",
    "nyc",
    "c8",
    "hyperfine",
    "criterion",
    "wasm-pack",
    "trunk",
    "maturin",
    "bundler",
];

/// Long-lived credential variables and the hosts they legitimately authenticate to.
const TOKEN_HOSTS: &[(&str, &[&str])] = &[
    (
        "GITHUB_TOKEN",
        &["github.com", "api.github.com", "uploads.github.com"],
    ),
    (
        "GH_TOKEN",
        &["github.com", "api.github.com", "uploads.github.com"],
    ),
    ("GITLAB_TOKEN", &["gitlab.com"]),
    ("NPM_TOKEN", &["registry.npmjs.org"]),
    ("OPENAI_API_KEY", &["api.openai.com"]),
    ("ANTHROPIC_API_KEY", &["api.anthropic.com"]),
    ("HF_TOKEN", &["huggingface.co"]),
    ("SLACK_TOKEN", &["slack.com"]),
    ("STRIPE_API_KEY", &["api.stripe.com"]),
];

impl Analyzer<'_, '_> {
    /// Classifies one simple command given the data on its standard input.
    pub(crate) fn run(&mut self, cmd: Cmd, input: &Flow) -> Flow {
        if cmd.argv.is_empty() {
            for (name, value) in &cmd.assigns {
                self.note_assignment(name, value);
                self.vars.insert(name.clone(), value.value.clone());
            }
            self.ctx.add(Class::ReadOnly, "sets shell variables");
            return Flow::default();
        }
        // Prefix assignments apply to this command only.
        let saved: Vec<(String, Option<Option<String>>)> = cmd
            .assigns
            .iter()
            .map(|(n, _)| (n.clone(), self.vars.get(n).cloned()))
            .collect();
        for (name, value) in &cmd.assigns {
            self.note_assignment(name, value);
            self.vars.insert(name.clone(), value.value.clone());
        }
        let mut stdin = input.clone();
        for source in &cmd.reads {
            let severity = match &source.value {
                Some(raw) => self.source_path(raw),
                None => None,
            };
            stdin.files = true;
            stdin.literal = None;
            if severity == Some(Sensitivity::Secret) {
                stdin.secret = true;
            }
        }
        if let Some(text) = &cmd.stdin_literal {
            stdin = Flow {
                literal: Some(text.clone()),
                ..Flow::default()
            };
        }
        let out = self.program(&cmd.argv, &stdin);
        for target in &cmd.writes {
            self.write_target(target, false);
            if out.network {
                if let Some(raw) = &target.value {
                    let fact = self.path_fact(raw);
                    self.fetched_files.push(PathBuf::from(fact.path));
                }
            }
        }
        for (name, previous) in saved {
            match previous {
                Some(value) => self.vars.insert(name, value),
                None => self.vars.remove(&name),
            };
        }
        out
    }

    /// Dispatches on the program name.
    pub(crate) fn program(&mut self, argv: &[Word], input: &Flow) -> Flow {
        let Some((head, args)) = argv.split_first() else {
            return Flow::default();
        };
        for word in argv {
            self.secret_flow_note(word);
        }
        let Some(raw_name) = head.value.clone() else {
            if head.flow.is_foreign_code() {
                self.ctx.add(
                    Class::RemoteCodeExec,
                    "runs a command name produced by downloaded or decoded data",
                );
            } else {
                self.ctx
                    .add(Class::Opaque, "the program name is computed at run time");
            }
            return Flow::default();
        };
        if raw_name.is_empty() {
            self.ctx.add(Class::Opaque, "an empty program name");
            return Flow::default();
        }
        let name = match self.program_name(&raw_name) {
            Some(name) => name,
            None => return self.local_program(&raw_name),
        };
        self.ctx.programs.insert(name.clone());
        if name.contains("warden") {
            return self.warden(args);
        }
        let name = normalize(&name);
        self.dispatch(&name, args, input)
    }

    fn dispatch(&mut self, name: &str, args: &[Word], input: &Flow) -> Flow {
        match name {
            "echo" | "printf" => self.echo(name, args),
            "env" => self.env_cmd(args, input),
            "printenv" => self.printenv(args),
            "set" if args.is_empty() => self.dump_environment("set"),
            "set" | "shopt" | "true" | "false" | ":" | "cd" | "pushd" | "popd" => {
                if name == "cd" {
                    self.change_dir(args);
                }
                self.ctx
                    .add(Class::ReadOnly, format!("`{name}` changes only the shell"));
                Flow::default()
            }
            "find" => self.find(args, input),
            "xargs" => self.xargs(args, input),
            "sudo" | "doas" | "pkexec" | "run0" | "runuser" => self.privileged(name, args, input),
            "su" => self.su(args, input),
            "nohup" | "time" | "exec" | "builtin" | "setsid" | "unbuffer" | "caffeinate"
            | "xvfb-run" | "chronic" | "catchsegv" => self.wrapped(args, &[], input),
            "command" => {
                let parsed = opts::parse(args, &[], true);
                if parsed.has(&["-v", "-V"]) {
                    self.ctx.add(Class::ReadOnly, "looks up a command");
                    return Flow::default();
                }
                self.program(&parsed.pos, input)
            }
            "timeout" => {
                let parsed = opts::parse(args, &["-s", "--signal", "-k", "--kill-after"], true);
                self.program(parsed.pos.get(1..).unwrap_or(&[]), input)
            }
            "nice" => self.wrapped(args, &["-n", "--adjustment"], input),
            "ionice" => self.wrapped(args, &["-c", "-n", "-p", "--class", "--classdata"], input),
            "stdbuf" => self.wrapped(args, &["-i", "-o", "-e"], input),
            "taskset" => {
                let parsed = opts::parse(args, &[], true);
                self.program(parsed.pos.get(1..).unwrap_or(&[]), input)
            }
            "watch" => self.wrapped(args, &["-n", "--interval", "-d"], input),
            "flock" => {
                let parsed = opts::parse(args, &["-w", "-E"], true);
                self.program(parsed.pos.get(1..).unwrap_or(&[]), input)
            }
            "strace" | "ltrace" | "gdb" | "valgrind" | "perf" => {
                self.ctx.add(
                    Class::Opaque,
                    format!("`{name}` runs and inspects another program"),
                );
                Flow::default()
            }
            "bash" | "sh" | "zsh" | "dash" | "ksh" | "fish" | "ash" | "busybox" => {
                self.shell(name, args, input)
            }
            "eval" => self.eval(args),
            "source" | "." => self.source(args),
            "python" | "node" | "nodejs" | "perl" | "ruby" | "php" | "deno" | "bun" | "lua"
            | "rscript" | "osascript" | "pwsh" | "powershell" | "tclsh" | "julia" => {
                self.interpreter(name, args, input)
            }
            "curl" => self.curl(args, input),
            "wget" => self.wget(args, input),
            "http" | "https" | "xh" | "httpie" => self.httpie(args, input),
            "scp" | "sftp" => self.scp(name, args),
            "rsync" => self.rsync(args),
            "ssh" | "mosh" => self.ssh(args, input),
            "nc" | "ncat" | "netcat" | "socat" | "telnet" => self.netcat(name, args, input),
            "git" => self.git(args, input),
            "gh" | "glab" => self.forge(name, args),
            "npm" | "pnpm" | "yarn" | "bun-pm" => self.node_pm(name, args),
            "npx" | "pnpx" | "bunx" => self.npx(args, input),
            "pip" | "pipx" => self.pip(args),
            "uv" => self.uv(args, input),
            "poetry" | "pdm" | "hatch" | "pipenv" | "rye" => self.py_project(name, args),
            "twine" | "flit" => {
                if args
                    .iter()
                    .any(|a| matches!(a.text(), "upload" | "publish"))
                {
                    self.ctx
                        .add(Class::Publish, format!("`{name}` uploads a package"));
                } else {
                    self.ctx
                        .add(Class::BuildTest, format!("`{name}` checks a package"));
                }
                Flow::default()
            }
            "cargo" => self.cargo(args),
            "rustup" => self.simple_installer(name, args),
            "go" => self.go(args),
            "gem" | "bundle" | "composer" | "conda" | "mamba" | "brew" | "apt" | "apt-get"
            | "dnf" | "yum" | "apk" | "pacman" | "zypper" | "snap" | "flatpak" | "port"
            | "nix-env" | "mix" | "dotnet" | "nuget" | "pod" | "swiftpm" | "deno-install" => {
                self.system_pm(name, args)
            }
            "dpkg" | "rpm" => self.dpkg(args),
            "docker" | "podman" | "nerdctl" => self.docker(name, args),
            "docker-compose" => self.compose(args),
            "kubectl" | "oc" | "k" => self.kubectl(args),
            "helm" => self.helm(args),
            "terraform" | "tofu" | "terragrunt" => self.terraform(args),
            "pulumi" => self.pulumi(args),
            "aws" => self.aws(args),
            "gcloud" | "gsutil" => self.gcloud(name, args),
            "az" => self.az(args),
            "vercel" | "netlify" | "fly" | "flyctl" | "heroku" | "firebase" | "serverless"
            | "sls" | "wrangler" | "railway" | "amplify" | "cdk" | "sam" | "eb"
            | "ansible-playbook" | "ansible" | "kustomize" | "skaffold" | "tilt" | "argocd"
            | "flux" => self.deployer(name, args),
            "psql" | "mysql" | "mariadb" | "sqlite3" | "sqlite" | "mongosh" | "mongo"
            | "redis-cli" | "cqlsh" | "clickhouse-client" | "duckdb" | "sqlcmd" | "cockroach" => {
                self.database(name, args, input)
            }
            "pg_dump" | "mysqldump" | "mongodump" | "pg_restore" | "mongorestore" | "dropdb"
            | "createdb" => self.db_admin(name, args),
            "alembic" | "flyway" | "liquibase" | "knex" | "sqlx" | "diesel" | "prisma"
            | "sequelize" | "typeorm" | "dbmate" | "goose" | "migrate" | "atlas" | "rails" => {
                self.migration(name, args)
            }
            "rm" | "unlink" | "rmdir" | "shred" | "srm" => self.remove(name, args),
            "mv" => self.mv(args),
            "cp" | "install" => self.cp(args),
            "ln" => self.ln(args),
            "touch" | "mkdir" | "truncate" | "mkfifo" | "mktemp" => self.create(name, args),
            "tee" => self.tee(args, input),
            "chmod" | "chown" | "chgrp" | "chattr" | "setfacl" => self.chmod(name, args),
            "setcap" => {
                self.ctx.add(Class::Privilege, "grants file capabilities");
                self.write_targets(args, 1);
                Flow::default()
            }
            "dd" => self.dd(args, input),
            "mkfs" | "wipefs" | "fdisk" | "sfdisk" | "parted" | "gdisk" | "mkswap"
            | "blkdiscard" | "cryptsetup" => {
                self.ctx.add(
                    Class::Destructive,
                    format!("`{name}` rewrites disks or partitions"),
                );
                Flow::default()
            }
            "sed" => self.sed(args, input),
            "patch" => {
                let parsed = opts::parse(
                    args,
                    &["-p", "-i", "-d", "-o", "--input", "--directory"],
                    false,
                );
                if let Some(file) = parsed.value(&["-i", "--input"]).cloned() {
                    self.read_path_word(&file);
                }
                match parsed.pos.first().cloned() {
                    Some(target) => self.write_target(&target, false),
                    None => self.write_path(".", false),
                }
                Flow::default()
            }
            "tar" => self.tar(args),
            "unzip" | "7z" | "unrar" => self.unzip(name, args),
            "zip" | "gzip" | "gunzip" | "bzip2" | "bunzip2" | "xz" | "unxz" | "zstd" | "unzstd" => {
                self.compress(name, args, input)
            }
            "base64" | "xxd" | "openssl" | "uudecode" | "gpg" | "gpg2" => {
                self.codec(name, args, input)
            }
            "crontab" => self.crontab(args),
            "at" | "batch" | "launchctl" | "update-rc.d" | "chkconfig" | "schtasks" => {
                self.ctx.add(
                    Class::Persistence,
                    format!("`{name}` schedules or registers a program to run later"),
                );
                Flow::default()
            }
            "systemctl" | "service" => self.systemctl(name, args),
            "kill" | "pkill" | "killall" => self.kill(name, args),
            "fuser" => {
                if args.iter().any(|a| {
                    a.text() == "-k" || (a.text().starts_with('-') && a.text().contains('k'))
                }) {
                    self.ctx.add(
                        Class::ProcessControl,
                        "`fuser -k` kills the processes using a file or port",
                    );
                } else {
                    self.ctx.add(Class::ReadOnly, "`fuser` lists processes");
                }
                Flow::default()
            }
            "security" | "pass" | "op" | "bw" | "lpass" | "keyring" | "secret-tool" | "vault"
            | "gopass" | "ssh-add" | "aws-vault" | "sops" | "doppler" | "chamber" => {
                self.secret_tool(name, args)
            }
            "ssh-keygen" => {
                self.ctx
                    .add(Class::SecretAccess, "creates or reads SSH key material");
                Flow::default()
            }
            "ssh-agent" => {
                self.ctx.add(Class::ReadOnly, "starts an SSH agent");
                Flow::default()
            }
            "open" | "xdg-open" | "start" => {
                self.ctx.add(
                    Class::Opaque,
                    format!("`{name}` hands a file or URL to another application"),
                );
                Flow::default()
            }
            "shutdown" | "reboot" | "halt" | "poweroff" | "init" => {
                self.ctx
                    .add(Class::Destructive, format!("`{name}` stops the machine"));
                Flow::default()
            }
            "useradd" | "usermod" | "userdel" | "passwd" | "chpasswd" | "visudo" | "groupadd"
            | "adduser" | "deluser" => {
                self.ctx
                    .add(Class::Privilege, format!("`{name}` changes accounts"));
                Flow::default()
            }
            "iptables" | "nft" | "ufw" | "ip6tables" | "sysctl" | "modprobe" | "insmod"
            | "rmmod" | "swapoff" | "umount" => {
                self.ctx
                    .add(Class::Privilege, format!("`{name}` changes the system"));
                Flow::default()
            }
            _ if BUILD_TOOLS.contains(&name) => {
                self.ctx.add(
                    Class::BuildTest,
                    format!("`{name}` builds, tests or formats the project"),
                );
                Flow::default()
            }
            _ if PATTERN_FIRST.contains(&name) => self.pattern_reader(name, args, input),
            _ if READERS.contains(&name) => self.reader(name, args, input),
            _ => {
                self.ctx
                    .add(Class::Unknown, format!("`{name}` is not a known program"));
                Flow::default()
            }
        }
    }

    /// The bare name of a program, or None when it names a local file.
    fn program_name(&self, raw: &str) -> Option<String> {
        if !raw.contains('/') {
            return Some(raw.to_owned());
        }
        const SYSTEM_BINS: &[&str] = &[
            "/bin/",
            "/sbin/",
            "/usr/bin/",
            "/usr/sbin/",
            "/usr/local/bin/",
            "/usr/local/sbin/",
            "/opt/homebrew/bin/",
        ];
        if SYSTEM_BINS.iter().any(|p| raw.starts_with(p)) {
            return raw.rsplit('/').next().map(str::to_owned);
        }
        None
    }

    /// A program named by a path: the workspace's own code, or a download.
    fn local_program(&mut self, raw: &str) -> Flow {
        let fact = self.path_fact(raw);
        let path = PathBuf::from(&fact.path);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.ctx.programs.insert(name.clone());
        if self.fetched_files.contains(&path) {
            self.ctx.add(
                Class::RemoteCodeExec,
                format!("runs {} right after downloading it", fact.path),
            );
            return Flow::default();
        }
        if matches!(
            name.as_str(),
            "gradlew" | "mvnw" | "configure" | "bootstrap" | "x.py" | "build.sh" | "test.sh"
        ) && fact.in_workspace
        {
            self.ctx.add(
                Class::BuildTest,
                format!("runs the project's build script {name}"),
            );
            return Flow::default();
        }
        self.ctx.add(
            Class::Opaque,
            format!(
                "runs {} whose behaviour cannot be judged from the command line",
                fact.path
            ),
        );
        Flow::default()
    }

    /// Notes where a word carries a secret (for exfiltration checks).
    fn secret_flow_note(&mut self, _word: &Word) {}

    // ----- readers --------------------------------------------------------

    fn reader(&mut self, name: &str, args: &[Word], input: &Flow) -> Flow {
        let with_value: &[&str] = match name {
            "head" | "tail" => &["-n", "-c", "--lines", "--bytes"],
            "sort" => &["-k", "-t", "-o", "--output", "-S"],
            "cut" => &["-d", "-f", "-c", "-b"],
            "diff" => &["-U", "-C", "--label"],
            "du" => &["-d", "--max-depth"],
            "ls" | "tree" => &["-I", "-L", "--ignore"],
            "ps" => &["-o", "-p", "-u", "-C"],
            "fd" | "fdfind" => &["-e", "-t", "-E", "--type", "--extension", "--exclude"],
            "od" | "hexdump" => &["-t", "-N", "-j", "-n", "-s"],
            "journalctl" => &["-u", "-n", "--since", "--until"],
            "ping" => &["-c", "-W", "-i"],
            "date" => &["-d", "--date", "-r"],
            "seq" | "yes" | "sleep" | "printf" | "echo" | "umask" | "ulimit" | "read" => {
                self.ctx
                    .add(Class::ReadOnly, format!("`{name}` only prints"));
                return Flow::default();
            }
            _ => &[],
        };
        let parsed = opts::parse(args, with_value, false);
        if NET_PROBES.contains(&name) {
            for host in parsed.pos_text() {
                if !host.starts_with('@') {
                    self.destination(&host);
                }
            }
            self.ctx
                .add(Class::NetworkRead, format!("`{name}` queries the network"));
            return Flow::from_network();
        }
        if name == "sort" {
            if let Some(out) = parsed.value(&["-o", "--output"]).cloned() {
                self.write_target(&out, false);
            }
        }
        if name == "ps" && parsed.has(&["-e", "-E"]) {
            // `ps e` / `ps -E` show the environment of processes.
        }
        let takes_files = !matches!(
            name,
            "pwd"
                | "whoami"
                | "id"
                | "uname"
                | "hostname"
                | "date"
                | "uptime"
                | "ps"
                | "free"
                | "which"
                | "type"
                | "whereis"
                | "true"
                | "false"
                | "test"
                | "["
                | "[["
                | "nproc"
                | "arch"
                | "tty"
                | "groups"
                | "man"
                | "help"
                | "clear"
                | "alias"
                | "unalias"
                | "hash"
                | "history"
                | "wait"
                | "jobs"
                | "lsb_release"
                | "locale"
                | "getconf"
                | "vmstat"
                | "iostat"
                | "top"
                | "htop"
                | "pgrep"
                | "pidof"
                | "tput"
                | "stty"
                | "exit"
                | "return"
                | "shift"
                | "trap"
                | "getopts"
                | "let"
                | "local"
                | "cal"
                | "tldr"
                | "info"
                | "lscpu"
                | "lsblk"
                | "lsmod"
                | "mount"
                | "findmnt"
                | "dmesg"
                | "last"
                | "w"
                | "who"
                | "basename"
                | "dirname"
                | "lsof"
                | "ss"
                | "netstat"
                | "numfmt"
                | "journalctl"
        );
        if matches!(name, "pgrep" | "pidof") && args.iter().any(|a| a.text().contains("warden")) {
            self.targets_warden = true;
        }
        let mut out = Flow::default();
        if takes_files {
            let mut any = false;
            for word in &parsed.pos {
                any = true;
                out.merge(&self.read_word(word));
            }
            if !any {
                // Reading standard input: the data passes through.
                out = input.clone();
                out.literal = None;
                if matches!(
                    name,
                    "ls" | "tree"
                        | "du"
                        | "df"
                        | "stat"
                        | "file"
                        | "fd"
                        | "fdfind"
                        | "dir"
                        | "exa"
                        | "eza"
                ) {
                    out.listed.push(".".to_owned());
                    let cwd = self.cwd.to_string_lossy().into_owned();
                    self.read_path(&cwd);
                }
            } else if matches!(
                name,
                "ls" | "tree" | "fd" | "fdfind" | "exa" | "eza" | "dir"
            ) {
                out.listed = parsed.pos_text();
            }
        }
        self.ctx
            .add(Class::ReadOnly, format!("`{name}` only reads"));
        out
    }

    /// Reads a path argument (a static path, or a substitution's output).
    pub(crate) fn read_word(&mut self, word: &Word) -> Flow {
        let mut out = word.flow.clone();
        out.literal = None;
        if word.process_substitution {
            return out;
        }
        if let Some(raw) = &word.value {
            let severity = self.read_path(raw);
            out.files = true;
            if severity == Some(Sensitivity::Secret) {
                out.secret = true;
            }
        }
        out
    }

    fn pattern_reader(&mut self, name: &str, args: &[Word], input: &Flow) -> Flow {
        let with_value: &[&str] = match name {
            "grep" | "egrep" | "fgrep" => &[
                "-e",
                "-f",
                "-m",
                "-A",
                "-B",
                "-C",
                "--include",
                "--exclude",
                "--exclude-dir",
                "--regexp",
                "--file",
                "--max-count",
                "--color",
            ],
            "rg" => &[
                "-e",
                "-f",
                "-g",
                "-t",
                "-T",
                "-m",
                "-A",
                "-B",
                "-C",
                "--glob",
                "--type",
                "--type-not",
                "--max-count",
                "--regexp",
                "-r",
                "--replace",
                "-M",
                "-j",
            ],
            "ag" | "ack" => &["-G", "--ignore", "-m", "-A", "-B", "-C"],
            "awk" | "gawk" | "mawk" | "nawk" => &["-F", "-v", "-f"],
            "jq" | "yq" => &[
                "--arg",
                "--argjson",
                "--slurpfile",
                "--rawfile",
                "-f",
                "--from-file",
                "--indent",
            ],
            _ => &[],
        };
        let parsed = opts::parse(args, with_value, false);
        let pattern_given = parsed.has(&["-e", "-f", "--regexp", "--file", "--from-file"])
            || (name == "rg" && parsed.has(&["--files"]));
        let mut files: Vec<Word> = parsed.pos.clone();
        if !pattern_given && !files.is_empty() {
            let program = files.remove(0);
            if matches!(name, "awk" | "gawk" | "mawk" | "nawk") {
                let text = program.text();
                if text.contains("system(") || text.contains("| getline") || text.contains("|&") {
                    self.ctx
                        .add(Class::Opaque, "awk program runs other commands");
                }
                if text.contains("ENVIRON") {
                    self.ctx
                        .add(Class::SecretAccess, "awk program reads the environment");
                }
            }
        }
        for value in parsed.values(&["-f", "--file", "--from-file", "--slurpfile", "--rawfile"]) {
            let _ = self.read_word(&value.clone());
        }
        let mut out = Flow::default();
        if files.is_empty() {
            out = input.clone();
            out.literal = None;
            if matches!(name, "rg" | "ag" | "ack")
                || (matches!(name, "grep" | "egrep" | "fgrep")
                    && parsed.has(&["-r", "-R", "--recursive"]))
            {
                let cwd = self.cwd.to_string_lossy().into_owned();
                self.read_path(&cwd);
                out.files = true;
            }
        }
        for word in &files {
            out.merge(&self.read_word(word));
        }
        let prints_paths = matches!(name, "rg" | "ag" | "ack")
            || parsed.has(&[
                "-l",
                "-L",
                "--files-with-matches",
                "--files-without-match",
                "-r",
                "-R",
                "--recursive",
            ]);
        if prints_paths {
            out.listed = if files.is_empty() {
                vec![".".to_owned()]
            } else {
                files.iter().filter_map(|w| w.value.clone()).collect()
            };
        }
        if name == "jq" && parsed.has(&["-n"]) && files.is_empty() {
            // jq -n 'env' prints the environment.
            if args.iter().any(|a| a.text().contains("env")) {
                self.ctx
                    .add(Class::SecretAccess, "jq prints the environment");
            }
        }
        self.ctx
            .add(Class::ReadOnly, format!("`{name}` only reads"));
        out
    }

    fn echo(&mut self, name: &str, args: &[Word]) -> Flow {
        let mut out = Flow::default();
        let mut text = Some(String::new());
        let mut first = true;
        let start = if name == "echo" {
            args.iter()
                .take_while(|a| matches!(a.text(), "-n" | "-e" | "-E" | "-ne" | "-en"))
                .count()
        } else {
            0
        };
        for word in args.iter().skip(start) {
            out.merge(&word.flow);
            match (&mut text, &word.value) {
                (Some(t), Some(v)) => {
                    if !first {
                        t.push(' ');
                    }
                    t.push_str(v);
                }
                _ => text = None,
            }
            first = false;
        }
        if let Some(t) = &text {
            out.listed = t.split_whitespace().map(str::to_owned).collect();
        }
        out.literal = text;
        self.ctx
            .add(Class::ReadOnly, format!("`{name}` only prints"));
        out
    }

    fn dump_environment(&mut self, what: &str) -> Flow {
        self.ctx.add(
            Class::SecretAccess,
            format!("`{what}` prints the whole environment, secrets included"),
        );
        Flow {
            secret: true,
            ..Flow::default()
        }
    }

    fn printenv(&mut self, args: &[Word]) -> Flow {
        let names: Vec<&Word> = args.iter().filter(|a| !a.text().starts_with('-')).collect();
        if names.is_empty() {
            return self.dump_environment("printenv");
        }
        let mut out = Flow::default();
        for name in names {
            match &name.value {
                Some(n) if crate::secrets::is_secret_env_name(n) => {
                    self.ctx.add(
                        Class::SecretAccess,
                        format!("prints the secret variable {n}"),
                    );
                    out.secret = true;
                }
                Some(_) => {}
                None => {
                    self.ctx
                        .add(Class::Opaque, "prints a variable named at run time");
                }
            }
        }
        self.ctx.add(Class::ReadOnly, "`printenv` prints variables");
        out
    }

    fn change_dir(&mut self, args: &[Word]) {
        let target = args
            .iter()
            .find(|a| !a.text().starts_with('-') || a.text() == "-");
        match target.and_then(|w| w.value.clone()) {
            Some(dir) if dir != "-" => {
                let fact = self.path_fact(&dir);
                self.cwd = PathBuf::from(fact.path);
            }
            Some(_) => {}
            None if target.is_none() => self.cwd = self.env.paths.home.clone(),
            None => self
                .ctx
                .add(Class::Opaque, "changes to a directory computed at run time"),
        }
    }

    fn find(&mut self, args: &[Word], input: &Flow) -> Flow {
        let _ = input;
        let mut roots: Vec<Word> = Vec::new();
        let mut i = 0;
        // Leading options (-L, -H, -P) then roots until the first expression.
        while let Some(word) = args.get(i) {
            let text = word.text();
            if matches!(text, "-L" | "-H" | "-P") {
                i += 1;
                continue;
            }
            if text.starts_with('-') || text == "(" || text == "!" || text == "\\(" {
                break;
            }
            roots.push(word.clone());
            i += 1;
        }
        if roots.is_empty() {
            roots.push(Word::literal(".".to_owned()));
        }
        let root_text: Vec<String> = roots.iter().filter_map(|w| w.value.clone()).collect();
        let mut reads_secret = false;
        for root in &roots {
            if let Some(raw) = &root.value {
                let fact = self.path_fact(raw);
                if fact.sensitivity.contains(&Sensitivity::Secret) {
                    reads_secret = true;
                }
                if fact.sensitivity.contains(&Sensitivity::Home) && !fact.in_workspace {
                    self.ctx.add(
                        Class::HomeRead,
                        format!("lists the home directory ({})", fact.path),
                    );
                }
                self.push_fact(fact);
            } else {
                self.ctx
                    .add(Class::Opaque, "searches a directory computed at run time");
            }
        }
        let _ = reads_secret;
        let mut acted = false;
        let mut wrote = false;
        while let Some(word) = args.get(i) {
            i += 1;
            match word.text() {
                "-exec" | "-execdir" | "-ok" | "-okdir" => {
                    let mut sub: Vec<Word> = Vec::new();
                    while let Some(w) = args.get(i) {
                        i += 1;
                        if matches!(w.text(), ";" | "+" | "\\;") {
                            break;
                        }
                        sub.push(w.clone());
                    }
                    acted = true;
                    for root in &root_text {
                        let argv: Vec<Word> = sub
                            .iter()
                            .map(|w| match &w.value {
                                Some(v) if v.contains("{}") => Word::literal(v.replace("{}", root)),
                                _ => w.clone(),
                            })
                            .collect();
                        self.program(&argv, &Flow::default());
                    }
                    if root_text.is_empty() {
                        self.program(&sub, &Flow::default());
                    }
                }
                "-delete" => {
                    acted = true;
                    wrote = true;
                    for root in &root_text {
                        self.write_path(root, true);
                    }
                }
                "-fprint" | "-fprint0" | "-fprintf" | "-fls" => {
                    if let Some(target) = args.get(i) {
                        self.write_target(target, false);
                        i += 1;
                    }
                }
                _ => {}
            }
        }
        if !acted {
            for root in &root_text {
                // Listing names under a secret directory reveals little; reading
                // their contents is what `-exec cat` or xargs would do.
                let fact = self.path_fact(root);
                if !fact.sensitivity.contains(&Sensitivity::Secret) {
                    continue;
                }
                self.ctx.add(Class::ReadOnly, "lists file names");
            }
            self.ctx.add(Class::ReadOnly, "`find` lists files");
        }
        let _ = wrote;
        Flow {
            listed: root_text,
            ..Flow::default()
        }
    }

    fn xargs(&mut self, args: &[Word], input: &Flow) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "-I",
                "-i",
                "-n",
                "-P",
                "-d",
                "-L",
                "-a",
                "-E",
                "-s",
                "--arg-file",
                "--delimiter",
                "--max-args",
                "--max-procs",
                "--replace",
            ],
            true,
        );
        if parsed.has(&["-a", "--arg-file"]) {
            if let Some(file) = parsed.value(&["-a", "--arg-file"]).cloned() {
                self.read_word(&file);
            }
            self.ctx
                .add(Class::Opaque, "xargs takes its arguments from a file");
        }
        let mut sub: Vec<Word> = parsed.pos.clone();
        if sub.is_empty() {
            sub.push(Word::literal("echo".to_owned()));
        }
        let replace = parsed
            .value(&["-I", "--replace"])
            .and_then(|w| w.value.clone())
            .or_else(|| parsed.has(&["-i"]).then(|| "{}".to_owned()));
        let items: Vec<String> = if let Some(text) = &input.literal {
            text.split_whitespace().map(str::to_owned).collect()
        } else {
            input.listed.clone()
        };
        if items.is_empty() {
            return self.program(&sub, &Flow::default());
        }
        let mut out = Flow::default();
        match replace {
            Some(token) => {
                for item in &items {
                    let argv: Vec<Word> = sub
                        .iter()
                        .map(|w| match &w.value {
                            Some(v) if v.contains(&token) => Word::literal(v.replace(&token, item)),
                            _ => w.clone(),
                        })
                        .collect();
                    out.merge(&self.program(&argv, &Flow::default()));
                }
            }
            None => {
                let mut argv = sub.clone();
                argv.extend(items.iter().map(|i| Word::literal(i.clone())));
                out = self.program(&argv, &Flow::default());
            }
        }
        out
    }

    // ----- wrappers -------------------------------------------------------

    fn wrapped(&mut self, args: &[Word], with_value: &[&str], input: &Flow) -> Flow {
        let parsed = opts::parse(args, with_value, true);
        if parsed.pos.is_empty() {
            self.ctx
                .add(Class::ReadOnly, "a wrapper with nothing to run");
            return Flow::default();
        }
        self.program(&parsed.pos, input)
    }

    fn env_cmd(&mut self, args: &[Word], input: &Flow) -> Flow {
        let mut i = 0;
        let mut saved = Vec::new();
        while let Some(word) = args.get(i) {
            let text = word.text();
            if matches!(
                text,
                "-u" | "--unset" | "-C" | "--chdir" | "-S" | "--split-string"
            ) {
                if text == "-S" || text == "--split-string" {
                    if let Some(script) = args.get(i + 1).and_then(|w| w.value.clone()) {
                        self.script(&script);
                        return Flow::default();
                    }
                }
                i += 2;
                continue;
            }
            if text.starts_with('-') && word.value.is_some() {
                i += 1;
                continue;
            }
            if let Some((name, value)) = text.split_once('=').filter(|(n, _)| {
                !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            }) {
                let value = Word::literal(value.to_owned());
                self.note_assignment(name, &value);
                saved.push((name.to_owned(), self.vars.get(name).cloned()));
                self.vars.insert(name.to_owned(), value.value);
                i += 1;
                continue;
            }
            break;
        }
        let rest = args.get(i..).unwrap_or(&[]);
        let out = if rest.is_empty() {
            self.dump_environment("env")
        } else {
            self.program(rest, input)
        };
        for (name, previous) in saved {
            match previous {
                Some(v) => self.vars.insert(name, v),
                None => self.vars.remove(&name),
            };
        }
        out
    }

    fn privileged(&mut self, name: &str, args: &[Word], input: &Flow) -> Flow {
        self.ctx.add(
            Class::Privilege,
            format!("`{name}` runs with another user's privileges"),
        );
        let parsed = opts::parse(
            args,
            &[
                "-u", "-g", "-U", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "--user", "--group",
                "--chdir", "--prompt", "--host",
            ],
            true,
        );
        if parsed.pos.is_empty() {
            if parsed.has(&["-i", "-s", "--login", "--shell"]) {
                self.ctx
                    .add(Class::Opaque, "opens a privileged interactive shell");
            } else if !parsed.has(&["-v", "-k", "-K", "-l", "--validate", "--list", "-V"]) {
                self.ctx
                    .add(Class::Opaque, "runs nothing that can be judged");
            }
            return Flow::default();
        }
        self.program(&parsed.pos, input)
    }

    fn su(&mut self, args: &[Word], input: &Flow) -> Flow {
        self.ctx.add(Class::Privilege, "`su` switches user");
        let parsed = opts::parse(
            args,
            &["-c", "--command", "-s", "--shell", "-g", "-G"],
            false,
        );
        if let Some(code) = parsed.value(&["-c", "--command"]).cloned() {
            return self.run_code_word(&code, "su -c");
        }
        let _ = input;
        self.ctx
            .add(Class::Opaque, "opens an interactive shell as another user");
        Flow::default()
    }

    // ----- shells and interpreters ---------------------------------------

    /// Runs a word as shell code: literal code is analysed, dynamic code is
    /// opaque, downloaded code is remote code execution.
    pub(crate) fn run_code_word(&mut self, code: &Word, what: &str) -> Flow {
        match &code.value {
            Some(text) => self.script(text),
            None => {
                if code.flow.is_foreign_code() {
                    self.ctx.add(
                        Class::RemoteCodeExec,
                        format!("{what} runs code that was downloaded or decoded"),
                    );
                } else {
                    self.ctx.add(
                        Class::Opaque,
                        format!("{what} runs code computed at run time"),
                    );
                }
                Flow::default()
            }
        }
    }

    fn shell(&mut self, name: &str, args: &[Word], input: &Flow) -> Flow {
        let parsed = opts::parse(args, &["-o", "-O", "--rcfile", "--init-file"], true);
        let code_flag = parsed
            .opts
            .iter()
            .any(|(n, _)| n.starts_with('-') && !n.starts_with("--") && n.contains('c'));
        if code_flag {
            return match parsed.pos.first() {
                Some(code) => {
                    let code = code.clone();
                    self.run_code_word(&code, &format!("`{name} -c`"))
                }
                None => {
                    self.ctx
                        .add(Class::Opaque, format!("`{name} -c` without code"));
                    Flow::default()
                }
            };
        }
        match parsed.pos.first() {
            Some(script) => {
                if script.process_substitution {
                    if script.flow.is_foreign_code() {
                        self.ctx.add(
                            Class::RemoteCodeExec,
                            format!("`{name}` runs downloaded code"),
                        );
                    } else {
                        self.ctx
                            .add(Class::Opaque, format!("`{name}` runs generated code"));
                    }
                    return Flow::default();
                }
                if name == "busybox" {
                    return self.program(&parsed.pos, input);
                }
                self.script_file(script, name)
            }
            None => self.code_from_stdin(name, input),
        }
    }

    /// A shell or interpreter reading its program from standard input.
    fn code_from_stdin(&mut self, name: &str, input: &Flow) -> Flow {
        if input.is_foreign_code() {
            self.ctx.add(
                Class::RemoteCodeExec,
                format!("pipes downloaded or decoded data into `{name}`"),
            );
        } else if let Some(code) = &input.literal {
            if is_shell(name) {
                let code = code.clone();
                return self.script(&code);
            }
            let code = code.clone();
            self.inline_code(name, &code);
        } else {
            self.ctx
                .add(Class::Opaque, format!("`{name}` runs code from its input"));
        }
        Flow::default()
    }

    /// A script file handed to a shell or interpreter.
    fn script_file(&mut self, script: &Word, name: &str) -> Flow {
        match &script.value {
            Some(raw) => {
                let fact = self.path_fact(raw);
                let path = PathBuf::from(&fact.path);
                let shown = fact.path.clone();
                let secret = fact.sensitivity.contains(&Sensitivity::Secret);
                self.push_fact(fact);
                if self.fetched_files.contains(&path) {
                    self.ctx.add(
                        Class::RemoteCodeExec,
                        format!("`{name}` runs {shown} right after downloading it"),
                    );
                } else if secret {
                    self.ctx
                        .add(Class::SecretAccess, format!("`{name}` reads {shown}"));
                } else {
                    self.ctx.add(
                        Class::Opaque,
                        format!("`{name}` runs {shown}, whose behaviour cannot be judged from the command line"),
                    );
                }
            }
            None => self.ctx.add(
                Class::Opaque,
                format!("`{name}` runs a script named at run time"),
            ),
        }
        Flow::default()
    }

    fn eval(&mut self, args: &[Word]) -> Flow {
        let mut code = Some(String::new());
        let mut flow = Flow::default();
        for (i, word) in args.iter().enumerate() {
            flow.merge(&word.flow);
            match (&mut code, &word.value) {
                (Some(c), Some(v)) => {
                    if i > 0 {
                        c.push(' ');
                    }
                    c.push_str(v);
                }
                _ => code = None,
            }
        }
        let word = Word {
            value: code,
            flow,
            has_substitution: false,
            process_substitution: false,
        };
        self.run_code_word(&word, "`eval`")
    }

    fn source(&mut self, args: &[Word]) -> Flow {
        let Some(script) = args.first() else {
            self.ctx.add(Class::Opaque, "`source` without a file");
            return Flow::default();
        };
        if script.process_substitution {
            if script.flow.is_foreign_code() {
                self.ctx
                    .add(Class::RemoteCodeExec, "sources downloaded code");
            } else {
                self.ctx.add(Class::Opaque, "sources generated code");
            }
            return Flow::default();
        }
        if let Some(raw) = &script.value {
            // Activating a virtual environment only changes variables.
            if raw.ends_with("bin/activate") {
                self.ctx
                    .add(Class::ReadOnly, "activates a virtual environment");
                return Flow::default();
            }
        }
        self.script_file(script, "source")
    }

    fn interpreter(&mut self, name: &str, args: &[Word], input: &Flow) -> Flow {
        let code_flags: &[&str] = match name {
            "python" => &["-c"],
            "node" | "nodejs" | "bun" => &["-e", "--eval", "-p", "--print"],
            "deno" => &[],
            "perl" => &["-e", "-E"],
            "ruby" => &["-e"],
            "php" => &["-r"],
            "lua" => &["-e"],
            "rscript" => &["-e"],
            "osascript" => &["-e"],
            "pwsh" | "powershell" => &["-c", "-Command", "-command"],
            _ => &[],
        };
        let value_flags: &[&str] = match name {
            "python" => &["-m", "-W", "-X", "-c"],
            "node" | "nodejs" => &[
                "-r",
                "--require",
                "--import",
                "-e",
                "--eval",
                "-p",
                "--print",
                "--loader",
            ],
            "perl" => &["-e", "-E", "-I", "-M", "-m"],
            "ruby" => &["-e", "-I", "-r"],
            _ => code_flags,
        };
        let parsed = opts::parse(args, value_flags, true);
        if name == "deno" || name == "bun" {
            if let Some(sub) = parsed.pos.first().and_then(|w| w.value.clone()) {
                match sub.as_str() {
                    "test" | "bench" | "lint" | "fmt" | "check" | "build" | "compile" => {
                        self.ctx
                            .add(Class::BuildTest, format!("`{name} {sub}` builds or tests"));
                        return Flow::default();
                    }
                    "install" | "add" | "i" => {
                        self.ctx.add(
                            Class::PackageInstall,
                            format!("`{name} {sub}` installs packages"),
                        );
                        return Flow::default();
                    }
                    "eval" => {
                        if let Some(code) = parsed.pos.get(1).cloned() {
                            return self.inline_word(name, &code);
                        }
                    }
                    _ => {}
                }
            }
        }
        if parsed.has(&["--version", "-V", "-v", "--help", "-h"])
            && parsed.pos.is_empty()
            && !parsed.has(code_flags)
        {
            self.ctx.add(
                Class::ReadOnly,
                format!("`{name}` prints its version or help"),
            );
            return Flow::default();
        }
        if name == "python" {
            if let Some(module) = parsed.value(&["-m"]).and_then(|w| w.value.clone()) {
                return self.python_module(&module, &parsed.pos, input);
            }
        }
        let code = parsed
            .opts
            .iter()
            .find(|(n, _)| code_flags.contains(&n.as_str()))
            .and_then(|(_, v)| v.clone());
        if let Some(code) = code {
            let out = self.inline_word(name, &code);
            for extra in &parsed.pos {
                if extra.value.is_none() {
                    self.ctx.add(
                        Class::Opaque,
                        format!("`{name}` code receives arguments computed at run time"),
                    );
                }
            }
            return out;
        }
        match parsed.pos.first() {
            Some(script) if script.text() != "-" => {
                if script.process_substitution {
                    if script.flow.is_foreign_code() {
                        self.ctx.add(
                            Class::RemoteCodeExec,
                            format!("`{name}` runs downloaded code"),
                        );
                    } else {
                        self.ctx
                            .add(Class::Opaque, format!("`{name}` runs generated code"));
                    }
                    return Flow::default();
                }
                let script = script.clone();
                self.script_file(&script, name)
            }
            _ => self.code_from_stdin(name, input),
        }
    }

    fn inline_word(&mut self, name: &str, code: &Word) -> Flow {
        match &code.value {
            Some(text) => {
                let text = text.clone();
                self.inline_code(name, &text);
            }
            None if code.flow.is_foreign_code() => self.ctx.add(
                Class::RemoteCodeExec,
                format!("`{name}` runs code that was downloaded or decoded"),
            ),
            None => self.ctx.add(
                Class::Opaque,
                format!("`{name}` runs code computed at run time"),
            ),
        }
        Flow::default()
    }

    /// Inspects inline interpreter code for network, secrets and files.
    fn inline_code(&mut self, name: &str, code: &str) {
        let found = super::inline::inspect(code);
        let mut judged = false;
        for url in &found.urls {
            if let Some(host) = destination::host_of_url(url) {
                self.destination(&host);
            }
        }
        for var in &found.secret_env {
            judged = true;
            self.ctx.add(
                Class::SecretAccess,
                format!("`{name}` code reads the secret variable {var}"),
            );
        }
        if found.env_dump {
            judged = true;
            self.ctx.add(
                Class::SecretAccess,
                format!("`{name}` code reads the whole environment"),
            );
        }
        let mut read_secret = false;
        for path in &found.paths {
            let fact = self.path_fact(path);
            if fact.sensitivity.contains(&Sensitivity::Secret) {
                read_secret = true;
                judged = true;
                let shown = fact.path.clone();
                self.ctx
                    .add(Class::SecretAccess, format!("`{name}` code opens {shown}"));
            } else if found.writes
                && (fact.sensitivity.contains(&Sensitivity::Governance)
                    || fact.sensitivity.contains(&Sensitivity::Persistence))
            {
                judged = true;
                let p = fact.path.clone();
                self.write_path(&p, false);
                continue;
            }
            self.push_fact(fact);
        }
        if found.network_send {
            judged = true;
            self.ctx.add(
                Class::NetworkSend,
                format!("`{name}` code sends data over the network"),
            );
            if read_secret || !found.secret_env.is_empty() || found.env_dump {
                self.ctx.add(
                    Class::Exfiltration,
                    format!("`{name}` code sends secrets over the network"),
                );
            }
        } else if found.network {
            judged = true;
            self.ctx.add(
                Class::NetworkRead,
                format!("`{name}` code talks to the network"),
            );
            if (read_secret || !found.secret_env.is_empty() || found.env_dump)
                && !found.urls.is_empty()
            {
                self.ctx.add(
                    Class::Exfiltration,
                    format!("`{name}` code reads secrets and talks to the network"),
                );
            }
        }
        if found.runs_programs {
            self.ctx
                .add(Class::Opaque, format!("`{name}` code runs other programs"));
        } else if !judged {
            self.ctx.add(
                Class::Opaque,
                format!("inline `{name}` code cannot be judged from the command line"),
            );
        }
    }

    fn python_module(&mut self, module: &str, rest: &[Word], input: &Flow) -> Flow {
        match module {
            "pip" => self.pip(rest),
            "pytest" | "unittest" | "mypy" | "black" | "ruff" | "isort" | "flake8" | "pylint"
            | "tox" | "nox" | "build" | "compileall" | "py_compile" | "coverage" | "doctest" => {
                self.ctx.add(
                    Class::BuildTest,
                    format!("`python -m {module}` builds or tests"),
                );
                Flow::default()
            }
            "twine" => {
                let mut argv = vec![Word::literal("twine".to_owned())];
                argv.extend(rest.iter().cloned());
                self.program(&argv, input)
            }
            "venv" | "virtualenv" => {
                for target in rest.iter().filter(|w| !w.text().starts_with('-')) {
                    self.write_target(target, false);
                }
                Flow::default()
            }
            "json.tool" | "tokenize" | "pydoc" | "site" | "this" | "timeit" | "platform" => {
                self.ctx
                    .add(Class::ReadOnly, format!("`python -m {module}` only reads"));
                Flow::default()
            }
            "http.server" | "SimpleHTTPServer" | "smtpd" => {
                self.ctx.add(
                    Class::NetworkSend,
                    format!("`python -m {module}` serves files to the network"),
                );
                Flow::default()
            }
            _ => {
                self.ctx
                    .add(Class::Opaque, format!("`python -m {module}` runs a module"));
                Flow::default()
            }
        }
    }

    // ----- warden itself ---------------------------------------------------

    fn warden(&mut self, args: &[Word]) -> Flow {
        let words: Vec<&str> = args
            .iter()
            .map(Word::text)
            .filter(|t| !t.starts_with('-'))
            .collect();
        let read_only = matches!(
            words.as_slice(),
            [] | ["check" | "doctor" | "scan" | "report" | "help", ..]
                | ["audit", "verify" | "show" | "export", ..]
                | ["policy", "validate" | "test" | "packs", ..]
                | ["approvals" | "agent" | "tool", "list" | "show", ..]
        );
        if read_only
            || args
                .iter()
                .any(|a| matches!(a.text(), "--help" | "-h" | "--version" | "-V"))
        {
            self.ctx
                .add(Class::ReadOnly, "runs a read-only warden command");
        } else {
            self.ctx.add(
                Class::GovernanceTamper,
                "runs a warden command that changes governance (an assistant must not govern itself)",
            );
        }
        Flow::default()
    }
}

/// Canonical program names: `python3.12` → `python`, `pip3` → `pip`.
fn normalize(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let trimmed = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    match trimmed {
        "python" | "pip" | "perl" | "ruby" | "php" | "lua" | "node" | "pypy" => {
            if trimmed == "pypy" {
                "python".to_owned()
            } else {
                trimmed.to_owned()
            }
        }
        "mkfs" => "mkfs".to_owned(),
        _ if lower.starts_with("mkfs.") => "mkfs".to_owned(),
        _ if lower == "g++" || lower == "c++" || lower == "clang++" => lower,
        _ => lower,
    }
}

fn is_shell(name: &str) -> bool {
    matches!(
        name,
        "bash" | "sh" | "zsh" | "dash" | "ksh" | "fish" | "ash" | "busybox"
    )
}

/// Whether every secret variable named in `vars` belongs to one of `hosts`.
pub(crate) fn token_goes_home(vars: &[String], hosts: &[String]) -> bool {
    if vars.is_empty() || hosts.is_empty() {
        return false;
    }
    vars.iter().all(|var| {
        TOKEN_HOSTS
            .iter()
            .find(|(name, _)| name == var)
            .is_some_and(|(_, allowed)| {
                hosts.iter().all(|h| {
                    allowed
                        .iter()
                        .any(|a| h == a || h.ends_with(&format!(".{a}")))
                })
            })
    })
}

/// Whether a destination class keeps data in-house.
pub(crate) fn is_trusted_destination(class: DestinationClass) -> bool {
    matches!(
        class,
        DestinationClass::Local
            | DestinationClass::Internal
            | DestinationClass::CodeHosting
            | DestinationClass::PackageRegistry
    )
}
