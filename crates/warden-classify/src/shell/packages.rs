//! Package managers and language toolchains.
//!
//! Installs from the default registries are `package_install`; installs
//! from URLs, git, archives, paths outside the workspace or custom indexes
//! are `package_install_untrusted`. Project scripts and toolchain builds are
//! `build_test`; uploads are `publish`.

use super::opts;
use super::{Analyzer, Flow, Word};
use warden_action::Class;

/// Variables that point a package manager at another index.
const INDEX_VARS: &[&str] = &[
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "UV_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
    "UV_INDEX",
    "UV_DEFAULT_INDEX",
    "NPM_CONFIG_REGISTRY",
    "npm_config_registry",
    "YARN_REGISTRY",
    "CARGO_REGISTRIES_DEFAULT",
    "GOPROXY",
    "GOFLAGS",
    "GONOSUMCHECK",
    "GONOSUMDB",
    "GOSUMDB",
];

/// Default registries for npm-style package managers.
const NPM_REGISTRIES: &[&str] = &[
    "registry.npmjs.org",
    "registry.yarnpkg.com",
    "registry.npmmirror.com",
];

impl Analyzer<'_, '_> {
    /// Whether a variable assigned on this line redirects installs.
    fn custom_index_in_env(&self) -> bool {
        INDEX_VARS.iter().any(|v| self.vars.contains_key(*v))
    }

    /// Judges the package specs of an install; `path_ok` says whether a
    /// path inside the workspace is a trusted source.
    fn install_specs(&mut self, tool: &str, specs: &[Word], npm_style: bool) -> bool {
        let mut untrusted = false;
        for spec in specs {
            let Some(text) = spec.value.clone() else {
                self.ctx.add(
                    Class::Opaque,
                    format!("`{tool}` installs a package named at run time"),
                );
                continue;
            };
            let lower = text.to_ascii_lowercase();
            let is_url = lower.contains("://")
                || lower.starts_with("git+")
                || lower.starts_with("git@")
                || lower.starts_with("github:")
                || lower.starts_with("gitlab:")
                || lower.starts_with("bitbucket:")
                || lower.starts_with("gist:");
            let is_archive = [
                ".tar.gz", ".tgz", ".zip", ".whl", ".deb", ".rpm", ".apk", ".tar.bz2", ".tar.xz",
                ".gem", ".crate",
            ]
            .iter()
            .any(|e| lower.ends_with(e));
            let is_path = text.starts_with('.')
                || text.starts_with('/')
                || text.starts_with('~')
                || lower.starts_with("file:");
            let github_shorthand =
                npm_style && !text.starts_with('@') && text.contains('/') && !is_path && !is_url;
            if is_url || github_shorthand {
                if let Some(host) = crate::destination::host_of_url(&text) {
                    self.destination(&host);
                }
                untrusted = true;
            } else if is_archive {
                untrusted = true;
            } else if is_path {
                let raw = text.trim_start_matches("file:").to_owned();
                let fact = self.path_fact(&raw);
                if !fact.in_workspace {
                    untrusted = true;
                }
            }
        }
        untrusted
    }

    fn install(&mut self, tool: &str, untrusted: bool) {
        if untrusted || self.custom_index_in_env() {
            self.ctx.add(
                Class::PackageInstallUntrusted,
                format!("`{tool}` installs from a source other than the default registry"),
            );
        } else {
            self.ctx.add(
                Class::PackageInstall,
                format!("`{tool}` installs packages from the default registry"),
            );
        }
    }

    pub(crate) fn node_pm(&mut self, name: &str, args: &[Word]) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "--registry",
                "-w",
                "--workspace",
                "--prefix",
                "-C",
                "--dir",
                "--filter",
                "--cwd",
                "--tag",
                "--access",
                "--otp",
                "--scope",
                "--loglevel",
            ],
            false,
        );
        let pos = parsed.pos.clone();
        let sub = pos
            .first()
            .and_then(|w| w.value.clone())
            .unwrap_or_default();
        let rest = pos.get(1..).unwrap_or(&[]).to_vec();
        let registry_untrusted = parsed
            .value(&["--registry"])
            .and_then(|w| w.value.clone())
            .is_some_and(|r| !NPM_REGISTRIES.iter().any(|d| r.contains(d)));
        match sub.as_str() {
            "" if name == "yarn" || name == "bun-pm" => {
                self.install(name, registry_untrusted);
            }
            "" => self
                .ctx
                .add(Class::ReadOnly, format!("`{name}` prints help")),
            "install" | "i" | "in" | "isntall" | "add" | "ci" | "update" | "up" | "upgrade"
            | "install-test" | "it" | "install-ci-test" | "rebuild" | "prune" | "dedupe"
            | "link" | "remove" | "rm" | "uninstall" | "un" | "unlink" | "r" | "import"
            | "fetch" => {
                let untrusted = self.install_specs(name, &rest, true) || registry_untrusted;
                self.install(name, untrusted);
            }
            "run" | "run-script" | "rum" | "urn" | "test" | "t" | "tst" | "start" | "stop"
            | "restart" | "build" | "exec" | "x" | "lint" | "dev" | "serve" | "pack" | "format"
            | "typecheck" | "check" | "watch" | "preview" | "e2e" => {
                if sub == "exec" || sub == "x" {
                    return self.npx(&rest, &Flow::default());
                }
                self.ctx.add(
                    Class::BuildTest,
                    format!("`{name} {sub}` runs a project script"),
                );
            }
            "publish" | "unpublish" | "deprecate" | "dist-tag" | "owner" | "access" | "team" => {
                self.ctx.add(
                    Class::Publish,
                    format!("`{name} {sub}` changes a published package"),
                );
            }
            "view" | "v" | "info" | "show" | "search" | "s" | "se" | "find" | "outdated"
            | "ping" | "whoami" | "doctor" | "repo" | "docs" | "bugs" | "home" => {
                self.ctx.add(
                    Class::NetworkRead,
                    format!("`{name} {sub}` reads from the registry"),
                );
            }
            "audit" => {
                if rest.iter().any(|w| w.text() == "fix") {
                    self.install(name, registry_untrusted);
                } else {
                    self.ctx.add(
                        Class::NetworkRead,
                        format!("`{name} audit` reads advisories"),
                    );
                }
            }
            "ls" | "list" | "ll" | "la" | "why" | "explain" | "prefix" | "root" | "bin"
            | "help" | "version" | "--version" | "-v" | "fund" | "pkg" | "query" | "config"
            | "get" => {
                if sub == "config"
                    && rest
                        .first()
                        .is_some_and(|w| matches!(w.text(), "set" | "delete" | "edit"))
                {
                    self.write_path("~/.npmrc", false);
                } else if sub == "pkg"
                    && rest
                        .first()
                        .is_some_and(|w| matches!(w.text(), "set" | "delete" | "fix"))
                {
                    self.write_path("package.json", false);
                } else {
                    self.ctx
                        .add(Class::ReadOnly, format!("`{name} {sub}` only reads"));
                }
            }
            "token" | "login" | "adduser" | "logout" => {
                self.ctx.add(
                    Class::SecretAccess,
                    format!("`{name} {sub}` handles registry credentials"),
                );
            }
            "init" | "create" => {
                if rest.iter().any(|w| !w.text().starts_with('-')) || sub == "create" {
                    self.ctx.add(
                        Class::PackageInstall,
                        format!("`{name} {sub}` downloads a project generator"),
                    );
                    self.ctx
                        .add(Class::Opaque, format!("`{name} {sub}` runs the generator"));
                } else {
                    self.write_path("package.json", false);
                }
            }
            "cache" => self.ctx.add(
                Class::PackageInstall,
                format!("`{name} cache` manages the package cache"),
            ),
            "dlx" => return self.npx(&rest, &Flow::default()),
            "set-script" | "set" => self.write_path("package.json", false),
            _ if name == "yarn" || name == "pnpm" || name == "bun-pm" => {
                // `yarn build`, `pnpm lint`: a script from package.json.
                self.ctx.add(
                    Class::BuildTest,
                    format!("`{name} {sub}` runs a project script"),
                );
            }
            _ => self.ctx.add(
                Class::Unknown,
                format!("`{name} {sub}` is not a known subcommand"),
            ),
        }
        Flow::default()
    }

    /// npx, pnpm dlx, yarn dlx, bunx: run a package's binary, fetching it if needed.
    pub(crate) fn npx(&mut self, args: &[Word], input: &Flow) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "-p",
                "--package",
                "-c",
                "--call",
                "--registry",
                "--node-options",
            ],
            true,
        );
        if let Some(code) = parsed.value(&["-c", "--call"]).cloned() {
            return self.run_code_word(&code, "npx -c");
        }
        let Some(program) = parsed.pos.first().and_then(|w| w.value.clone()) else {
            self.ctx
                .add(Class::Opaque, "npx runs a package named at run time");
            return Flow::default();
        };
        let bare = program
            .rsplit_once('@')
            .filter(|(n, _)| !n.is_empty())
            .map(|(n, _)| n.to_owned())
            .unwrap_or_else(|| program.clone());
        let bare = bare.rsplit('/').next().unwrap_or(&bare).to_owned();
        let known_cli = matches!(
            bare.as_str(),
            "prisma"
                | "knex"
                | "sequelize"
                | "typeorm"
                | "vercel"
                | "netlify"
                | "wrangler"
                | "firebase"
                | "serverless"
                | "cdk"
                | "eslint"
                | "prettier"
                | "tsc"
                | "jest"
                | "vitest"
                | "playwright"
                | "cypress"
                | "next"
                | "vite"
                | "webpack"
                | "turbo"
                | "nx"
                | "biome"
                | "mocha"
                | "tsx"
                | "ts-node"
                | "stylelint"
                | "markdownlint"
                | "cspell"
                | "lerna"
                | "rollup"
                | "esbuild"
                | "parcel"
                | "astro"
                | "nuxt"
                | "storybook"
                | "ng"
                | "tailwindcss"
                | "postcss"
                | "babel"
                | "swc"
                | "typescript"
                | "sass"
                | "node"
        );
        if known_cli {
            let mut argv = vec![Word::literal(match bare.as_str() {
                "typescript" => "tsc".to_owned(),
                "tsx" | "ts-node" => "node".to_owned(),
                _ => bare.clone(),
            })];
            argv.extend(parsed.pos.iter().skip(1).cloned());
            if matches!(bare.as_str(), "tsx" | "ts-node") {
                let out = self.program(&argv, input);
                return out;
            }
            return self.program(&argv, input);
        }
        let untrusted = self.install_specs("npx", &parsed.pos[..1], true);
        self.install("npx", untrusted);
        self.ctx.add(
            Class::Opaque,
            format!("npx runs `{program}`, a package's own code"),
        );
        Flow::default()
    }

    pub(crate) fn pip(&mut self, args: &[Word]) -> Flow {
        const VALUES: &[&str] = &[
            "-r",
            "--requirement",
            "-c",
            "--constraint",
            "-e",
            "--editable",
            "-i",
            "--index-url",
            "--extra-index-url",
            "-f",
            "--find-links",
            "--trusted-host",
            "-t",
            "--target",
            "--prefix",
            "--root",
            "-d",
            "--dest",
            "--platform",
            "--python-version",
            "--implementation",
            "--abi",
            "--src",
            "--upgrade-strategy",
            "--proxy",
            "--cert",
            "--client-cert",
            "--python",
            "--report",
            "--progress-bar",
            "--log",
            "--cache-dir",
            "-w",
            "--wheel-dir",
            "--config-settings",
            "-C",
        ];
        let parsed = opts::parse(args, VALUES, false);
        let sub = parsed
            .pos
            .first()
            .and_then(|w| w.value.clone())
            .unwrap_or_default();
        let rest: Vec<Word> = parsed.pos.get(1..).unwrap_or(&[]).to_vec();
        let custom_index = parsed.has(&[
            "-i",
            "--index-url",
            "--extra-index-url",
            "-f",
            "--find-links",
            "--trusted-host",
        ]);
        match sub.as_str() {
            "install" | "uninstall" | "wheel" => {
                let mut untrusted = custom_index || self.install_specs("pip", &rest, false);
                let editables: Vec<Word> = parsed.values(&["-e", "--editable"]).cloned().collect();
                untrusted |= self.install_specs("pip", &editables, false);
                for file in parsed
                    .values(&["-r", "--requirement", "-c", "--constraint"])
                    .cloned()
                    .collect::<Vec<_>>()
                {
                    if let Some(raw) = &file.value {
                        if raw.contains("://") {
                            untrusted = true;
                        } else {
                            let raw = raw.clone();
                            self.source_path(&raw);
                        }
                    }
                }
                if sub == "wheel" {
                    self.ctx.add(Class::BuildTest, "`pip wheel` builds wheels");
                }
                self.install("pip", untrusted);
                if let Some(target) = parsed
                    .value(&["-t", "--target", "--prefix", "--root"])
                    .cloned()
                {
                    self.write_target(&target, false);
                }
            }
            "download" => {
                self.ctx
                    .add(Class::NetworkRead, "`pip download` fetches packages");
                match parsed.value(&["-d", "--dest"]).cloned() {
                    Some(dir) => self.write_target(&dir, false),
                    None => self.write_path(".", false),
                }
                if custom_index {
                    self.ctx.add(
                        Class::PackageInstallUntrusted,
                        "`pip download` from a custom index",
                    );
                }
            }
            "list" | "show" | "freeze" | "check" | "help" | "--version" | "debug" | "inspect"
            | "hash" | "" => {
                self.ctx
                    .add(Class::ReadOnly, format!("`pip {sub}` only reads"));
            }
            "search" | "index" => self.ctx.add(Class::NetworkRead, "`pip` queries the index"),
            "config" => {
                if rest
                    .first()
                    .is_some_and(|w| matches!(w.text(), "set" | "unset" | "edit"))
                {
                    self.write_path("~/.config/pip/pip.conf", false);
                } else {
                    self.ctx.add(Class::ReadOnly, "`pip config` reads settings");
                }
            }
            "cache" => self.ctx.add(
                Class::PackageInstall,
                "`pip cache` manages the package cache",
            ),
            _ => self.ctx.add(
                Class::Unknown,
                format!("`pip {sub}` is not a known subcommand"),
            ),
        }
        Flow::default()
    }

    pub(crate) fn uv(&mut self, args: &[Word], input: &Flow) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "--index",
                "--default-index",
                "--index-url",
                "--extra-index-url",
                "-p",
                "--python",
                "--directory",
                "--project",
                "--with",
                "--from",
                "-f",
                "--find-links",
                "--package",
            ],
            true,
        );
        let sub = parsed
            .pos
            .first()
            .and_then(|w| w.value.clone())
            .unwrap_or_default();
        let rest: Vec<Word> = parsed.pos.get(1..).unwrap_or(&[]).to_vec();
        let custom = parsed.has(&[
            "--index",
            "--default-index",
            "--index-url",
            "--extra-index-url",
            "-f",
            "--find-links",
        ]);
        match sub.as_str() {
            "pip" => return self.pip(&rest),
            "add" | "remove" | "sync" | "lock" | "tool" | "python" => {
                if sub == "tool" && rest.first().is_some_and(|w| w.text() == "run") {
                    return self.npx(rest.get(1..).unwrap_or(&[]), input);
                }
                let sub_parsed = opts::parse(
                    &rest,
                    &[
                        "--index",
                        "--default-index",
                        "--extra-index-url",
                        "--index-url",
                        "--group",
                        "--optional",
                        "-p",
                        "--python",
                        "--branch",
                        "--tag",
                        "--rev",
                    ],
                    false,
                );
                let custom_here = sub_parsed.has(&[
                    "--index",
                    "--default-index",
                    "--extra-index-url",
                    "--index-url",
                    "--branch",
                    "--tag",
                    "--rev",
                ]);
                let specs: Vec<Word> = sub_parsed
                    .pos
                    .iter()
                    .filter(|w| !matches!(w.text(), "install" | "upgrade" | "uninstall" | "list"))
                    .cloned()
                    .collect();
                let untrusted = custom || custom_here || self.install_specs("uv", &specs, false);
                self.install("uv", untrusted);
            }
            "run" => {
                let sub_parsed = opts::parse(
                    &rest,
                    &[
                        "--with",
                        "--python",
                        "-p",
                        "--package",
                        "--group",
                        "--extra",
                    ],
                    true,
                );
                if sub_parsed.pos.is_empty() {
                    self.ctx.add(Class::Opaque, "`uv run` without a command");
                    return Flow::default();
                }
                return self.program(&sub_parsed.pos, input);
            }
            "venv" => self.write_path(".venv", false),
            "build" => self
                .ctx
                .add(Class::BuildTest, "`uv build` builds the project"),
            "publish" => self
                .ctx
                .add(Class::Publish, "`uv publish` uploads the package"),
            "tree" | "version" | "--version" | "help" | "" => {
                self.ctx.add(Class::ReadOnly, "`uv` only reads")
            }
            "cache" => self.ctx.add(
                Class::PackageInstall,
                "`uv cache` manages the package cache",
            ),
            "init" => self.write_path(".", false),
            _ => self.ctx.add(
                Class::Unknown,
                format!("`uv {sub}` is not a known subcommand"),
            ),
        }
        Flow::default()
    }

    pub(crate) fn py_project(&mut self, name: &str, args: &[Word]) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "-C",
                "--directory",
                "--source",
                "-E",
                "--extras",
                "--with",
                "--without",
                "--group",
                "-G",
            ],
            true,
        );
        let sub = parsed
            .pos
            .first()
            .and_then(|w| w.value.clone())
            .unwrap_or_default();
        let rest: Vec<Word> = parsed.pos.get(1..).unwrap_or(&[]).to_vec();
        match sub.as_str() {
            "add" | "install" | "update" | "lock" | "sync" | "remove" | "upgrade" => {
                let specs: Vec<Word> = rest
                    .iter()
                    .filter(|w| !w.text().starts_with('-'))
                    .cloned()
                    .collect();
                let untrusted =
                    parsed.has(&["--source"]) || self.install_specs(name, &specs, false);
                self.install(name, untrusted);
            }
            "run" => {
                let sub_parsed = opts::parse(&rest, &[], true);
                return self.program(&sub_parsed.pos, &Flow::default());
            }
            "publish" => self.ctx.add(
                Class::Publish,
                format!("`{name} publish` uploads the package"),
            ),
            "build" | "check" | "test" | "fmt" | "lint" => self
                .ctx
                .add(Class::BuildTest, format!("`{name} {sub}` builds or checks")),
            "show" | "env" | "version" | "--version" | "about" | "list" | "config" | "" => self
                .ctx
                .add(Class::ReadOnly, format!("`{name} {sub}` only reads")),
            "shell" => self
                .ctx
                .add(Class::Opaque, format!("`{name} shell` opens a shell")),
            "new" | "init" => self.write_path(".", false),
            _ => self.ctx.add(
                Class::Unknown,
                format!("`{name} {sub}` is not a known subcommand"),
            ),
        }
        Flow::default()
    }

    pub(crate) fn cargo(&mut self, args: &[Word]) -> Flow {
        let args: Vec<Word> = args
            .iter()
            .filter(|w| !w.text().starts_with('+'))
            .cloned()
            .collect();
        let parsed = opts::parse(
            &args,
            &[
                "-p",
                "--package",
                "--manifest-path",
                "--target",
                "--target-dir",
                "-j",
                "--jobs",
                "--features",
                "-F",
                "--profile",
                "--bin",
                "--example",
                "--test",
                "--bench",
                "-Z",
                "--config",
                "--color",
                "-C",
            ],
            true,
        );
        let sub = parsed
            .pos
            .first()
            .and_then(|w| w.value.clone())
            .unwrap_or_default();
        let rest: Vec<Word> = parsed.pos.get(1..).unwrap_or(&[]).to_vec();
        if parsed.has(&["--config"]) || rest.iter().any(|w| w.text() == "--config") {
            self.ctx.add(
                Class::Opaque,
                "`cargo --config` overrides settings on the command line",
            );
        }
        match sub.as_str() {
            "build" | "b" | "check" | "c" | "test" | "t" | "bench" | "run" | "r" | "clippy"
            | "fmt" | "doc" | "d" | "fix" | "clean" | "tree" | "metadata" | "verify-project"
            | "nextest" | "llvm-cov" | "miri" | "expand" | "udeps" | "deny" | "machete"
            | "package" | "rustc" | "rustdoc" | "test-fuzz" | "fuzz" | "insta" | "hack"
            | "msrv" | "semver-checks" | "criterion" | "watch" | "make" | "xtask" | "audit"
            | "outdated" | "vendor" | "pkgid" | "locate-project" | "read-manifest" => {
                self.ctx.add(
                    Class::BuildTest,
                    format!("`cargo {sub}` builds, tests or checks"),
                );
            }
            "add" | "remove" | "rm" | "update" | "fetch" | "generate-lockfile" => {
                let sub_parsed = opts::parse(
                    &rest,
                    &[
                        "--git",
                        "--path",
                        "--registry",
                        "--branch",
                        "--tag",
                        "--rev",
                        "-F",
                        "--features",
                        "--rename",
                        "-p",
                        "--package",
                    ],
                    false,
                );
                let untrusted = sub_parsed.has(&["--git", "--registry"])
                    || sub_parsed.values(&["--path"]).any(|p| {
                        p.value
                            .as_deref()
                            .is_some_and(|raw| !self.path_fact(raw).in_workspace)
                    });
                self.install("cargo", untrusted);
            }
            "install" | "binstall" | "uninstall" => {
                let sub_parsed = opts::parse(
                    &rest,
                    &[
                        "--git",
                        "--path",
                        "--registry",
                        "--index",
                        "--branch",
                        "--tag",
                        "--rev",
                        "--root",
                        "--version",
                        "-F",
                        "--features",
                        "--target",
                        "-j",
                        "--bin",
                        "--example",
                        "--profile",
                    ],
                    false,
                );
                let untrusted = sub_parsed.has(&["--git", "--registry", "--index"])
                    || sub_parsed.values(&["--path"]).any(|p| {
                        p.value
                            .as_deref()
                            .is_none_or(|raw| !self.path_fact(raw).in_workspace)
                    });
                self.install("cargo", untrusted);
            }
            "publish" | "yank" | "owner" => self.ctx.add(
                Class::Publish,
                format!("`cargo {sub}` changes a published crate"),
            ),
            "login" | "logout" => self.ctx.add(
                Class::SecretAccess,
                format!("`cargo {sub}` handles registry credentials"),
            ),
            "search" | "info" => self.ctx.add(
                Class::NetworkRead,
                format!("`cargo {sub}` queries the registry"),
            ),
            "new" | "init" => self.write_path(".", false),
            "version" | "--version" | "-V" | "help" | "" | "--list" => {
                self.ctx.add(Class::ReadOnly, "`cargo` prints information")
            }
            _ => self.ctx.add(
                Class::Unknown,
                format!("`cargo {sub}` is not a known subcommand"),
            ),
        }
        Flow::default()
    }

    pub(crate) fn go(&mut self, args: &[Word]) -> Flow {
        let sub = args
            .first()
            .and_then(|w| w.value.clone())
            .unwrap_or_default();
        let rest = args.get(1..).unwrap_or(&[]);
        match sub.as_str() {
            "build" | "test" | "vet" | "run" | "fmt" | "generate" | "tool" | "fix" | "clean" => {
                self.ctx
                    .add(Class::BuildTest, format!("`go {sub}` builds or tests"));
            }
            "get" | "install" => {
                let untrusted = self.custom_index_in_env();
                self.install("go", untrusted);
            }
            "mod" | "work" => match rest.first().map(Word::text) {
                Some("download" | "tidy" | "vendor") => self.install("go", false),
                Some("graph" | "why" | "verify" | "edit") => {
                    self.ctx.add(Class::ReadOnly, "`go mod` inspects modules")
                }
                _ => self.write_path("go.mod", false),
            },
            "env" | "version" | "list" | "doc" | "help" | "" => self
                .ctx
                .add(Class::ReadOnly, format!("`go {sub}` only reads")),
            _ => self.ctx.add(
                Class::Unknown,
                format!("`go {sub}` is not a known subcommand"),
            ),
        }
        Flow::default()
    }

    pub(crate) fn simple_installer(&mut self, name: &str, args: &[Word]) -> Flow {
        let words: Vec<&str> = args
            .iter()
            .map(Word::text)
            .filter(|t| !t.starts_with('-'))
            .collect();
        match words.as_slice() {
            [] | ["show", ..] | ["which", ..] | ["--version"] | ["help", ..] | ["default"] => self
                .ctx
                .add(Class::ReadOnly, format!("`{name}` only reads")),
            ["run", ..] => self
                .ctx
                .add(Class::Opaque, format!("`{name} run` runs a program")),
            _ => self.install(name, false),
        }
        Flow::default()
    }

    pub(crate) fn system_pm(&mut self, name: &str, args: &[Word]) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "-c",
                "--channel",
                "-n",
                "--name",
                "-p",
                "--prefix",
                "-o",
                "--option",
                "-t",
                "--target-release",
                "--root",
                "--source",
                "-s",
                "--version",
                "-v",
            ],
            false,
        );
        let pos = parsed.pos.clone();
        let sub = pos
            .first()
            .and_then(|w| w.value.clone())
            .unwrap_or_default();
        let rest: Vec<Word> = pos.get(1..).unwrap_or(&[]).to_vec();
        match (name, sub.as_str()) {
            ("bundle", "exec") | ("dotnet", "run" | "exec") | ("mix", "run") => {
                if name == "dotnet" {
                    self.ctx
                        .add(Class::BuildTest, "`dotnet run` runs the project");
                    return Flow::default();
                }
                return self.program(&rest, &Flow::default());
            }
            ("dotnet", "build" | "test" | "format" | "pack" | "clean" | "publish")
                if sub != "publish" =>
            {
                self.ctx
                    .add(Class::BuildTest, format!("`dotnet {sub}` builds or tests"));
            }
            ("dotnet", "nuget") if rest.first().is_some_and(|w| w.text() == "push") => {
                self.ctx
                    .add(Class::Publish, "`dotnet nuget push` uploads a package");
            }
            ("gem", "push") | ("nuget", "push") | ("pod", "trunk") => {
                self.ctx
                    .add(Class::Publish, format!("`{name} {sub}` uploads a package"));
            }
            ("mix", "test" | "compile" | "format" | "credo" | "dialyzer") => {
                self.ctx
                    .add(Class::BuildTest, format!("`mix {sub}` builds or tests"));
            }
            ("brew", "tap") | ("snap", "install")
                if rest
                    .iter()
                    .any(|w| w.text().contains('/') || w.text().contains("://")) =>
            {
                self.install(name, true);
            }
            (
                _,
                "install" | "add" | "i" | "reinstall" | "upgrade" | "update" | "remove" | "purge"
                | "uninstall" | "autoremove" | "erase" | "-S" | "-Syu" | "-R" | "require"
                | "deps.get" | "restore" | "tap" | "dist-upgrade" | "full-upgrade" | "refresh"
                | "sync",
            ) => {
                let channel_untrusted = parsed
                    .values(&["-c", "--channel", "--source", "-s"])
                    .any(|c| !matches!(c.text(), "defaults" | "conda-forge" | "main"));
                let untrusted = channel_untrusted || self.install_specs(name, &rest, false);
                self.install(name, untrusted);
            }
            (
                _,
                "list" | "search" | "show" | "info" | "policy" | "depends" | "rdepends"
                | "outdated" | "doctor" | "config" | "--version" | "-v" | "help" | "env" | "check"
                | "why" | "deps" | "leaves" | "",
            ) => self
                .ctx
                .add(Class::ReadOnly, format!("`{name} {sub}` only reads")),
            _ => self.ctx.add(
                Class::Unknown,
                format!("`{name} {sub}` is not a known subcommand"),
            ),
        }
        Flow::default()
    }

    pub(crate) fn dpkg(&mut self, args: &[Word]) -> Flow {
        let installs = args.iter().any(|w| {
            let t = w.text();
            matches!(
                t,
                "-i" | "--install"
                    | "-U"
                    | "--upgrade"
                    | "-ivh"
                    | "-Uvh"
                    | "-e"
                    | "--erase"
                    | "-P"
                    | "--purge"
                    | "-r"
                    | "--remove"
            ) || (t.starts_with("-i") && t.len() <= 5 && !t.starts_with("--"))
                || (t.starts_with("-U") && t.len() <= 5)
        });
        if installs {
            self.ctx.add(
                Class::PackageInstallUntrusted,
                "installs a package file directly",
            );
        } else {
            self.ctx
                .add(Class::ReadOnly, "queries the package database");
        }
        Flow::default()
    }
}
