//! Containers, clusters, infrastructure as code, cloud CLIs and databases.
//!
//! Read verbs are `network_read` (or `read_only` for local databases and
//! files); verbs that change running systems are `deploy`,
//! `cloud_mutation` or `database_write`; verbs that reveal credentials are
//! `secret_access`. Profiles, contexts, namespaces, projects and hosts that
//! match the production patterns mark the action as targeting production.

use super::opts::{self, Parsed};
use super::{Analyzer, Flow, Word};
use warden_action::{Class, Sensitivity};

impl Analyzer<'_, '_> {
    fn production_if(&mut self, value: Option<String>, patterns: &[String], what: &str) {
        if let Some(v) = value {
            if self.is_production_name(&v, patterns) {
                self.production(format!("{what} {v}"));
            }
        }
    }

    pub(crate) fn docker(&mut self, name: &str, args: &[Word]) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "-H",
                "--host",
                "--context",
                "-c",
                "--config",
                "-l",
                "--log-level",
            ],
            true,
        );
        let sub = parsed
            .pos
            .first()
            .and_then(|w| w.value.clone())
            .unwrap_or_default();
        let rest: Vec<Word> = parsed.pos.get(1..).unwrap_or(&[]).to_vec();
        let (sub, rest) = match sub.as_str() {
            "container" | "image" | "buildx" | "builder" => {
                let inner = rest
                    .first()
                    .and_then(|w| w.value.clone())
                    .unwrap_or_default();
                (inner, rest.get(1..).unwrap_or(&[]).to_vec())
            }
            _ => (sub, rest),
        };
        match sub.as_str() {
            "build" | "bake" | "tag" => {
                self.ctx
                    .add(Class::BuildTest, format!("`{name} {sub}` builds an image"));
                if rest
                    .iter()
                    .any(|w| w.text() == "--push" || w.text().starts_with("--output=type=registry"))
                {
                    self.ctx.add(
                        Class::Publish,
                        format!("`{name} {sub} --push` uploads the image"),
                    );
                }
            }
            "push" => self
                .ctx
                .add(Class::Publish, format!("`{name} push` uploads an image")),
            "pull" | "search" | "manifest" => self.ctx.add(
                Class::NetworkRead,
                format!("`{name} {sub}` downloads from a registry"),
            ),
            "run" | "exec" | "create" | "start" | "attach" | "cp" | "commit" | "debug" => {
                self.container_mounts(&rest);
                self.ctx.add(
                    Class::Opaque,
                    format!("`{name} {sub}` runs code inside a container"),
                );
            }
            "compose" => return self.compose(&rest),
            "ps" | "images" | "ls" | "logs" | "inspect" | "version" | "info" | "stats" | "top"
            | "history" | "port" | "diff" | "events" | "df" | "" | "help" => {
                self.ctx
                    .add(Class::ReadOnly, format!("`{name} {sub}` only reads"));
            }
            "network" | "volume" | "context" | "system" | "plugin" | "secret" | "config" => {
                let verb = rest.first().map(Word::text).unwrap_or("");
                match verb {
                    "ls" | "list" | "inspect" | "show" | "df" | "info" | "" => self
                        .ctx
                        .add(Class::ReadOnly, format!("`{name} {sub} {verb}` only reads")),
                    "rm" | "remove" | "prune" => self.ctx.add(
                        Class::Destructive,
                        format!("`{name} {sub} {verb}` deletes data"),
                    ),
                    "install" => self.ctx.add(
                        Class::PackageInstallUntrusted,
                        format!("`{name} plugin install` installs a plugin"),
                    ),
                    _ => self.ctx.add(
                        Class::OutsideWrite,
                        format!("`{name} {sub} {verb}` changes the container host"),
                    ),
                }
            }
            "stop" | "kill" | "rm" | "rmi" | "restart" | "pause" | "unpause" | "wait" | "prune"
            | "update" | "rename" => {
                self.ctx.add(
                    Class::ProcessControl,
                    format!("`{name} {sub}` controls containers"),
                );
            }
            "login" | "logout" => self.ctx.add(
                Class::SecretAccess,
                format!("`{name} {sub}` handles registry credentials"),
            ),
            "save" | "export" => {
                let sub_parsed = opts::parse(&rest, &["-o", "--output"], false);
                if let Some(out) = sub_parsed.value(&["-o", "--output"]).cloned() {
                    self.write_target(&out, false);
                }
                self.ctx
                    .add(Class::ReadOnly, format!("`{name} {sub}` exports an image"));
            }
            "load" | "import" => self
                .ctx
                .add(Class::BuildTest, format!("`{name} {sub}` loads an image")),
            _ => self.ctx.add(
                Class::Unknown,
                format!("`{name} {sub}` is not a known subcommand"),
            ),
        }
        Flow::default()
    }

    /// Bind mounts of host paths into a container are reads (or writes) of them.
    fn container_mounts(&mut self, args: &[Word]) {
        let parsed = opts::parse(
            args,
            &[
                "-v",
                "--volume",
                "--mount",
                "-e",
                "--env",
                "--env-file",
                "-p",
                "--publish",
                "--name",
                "-w",
                "--workdir",
                "-u",
                "--user",
                "--network",
                "--entrypoint",
                "--platform",
                "-h",
                "--hostname",
                "--cap-add",
                "--device",
                "--pid",
                "--ipc",
                "--security-opt",
                "-l",
                "--label",
                "-m",
                "--memory",
                "--cpus",
                "--restart",
                "--add-host",
                "--tmpfs",
                "--ulimit",
                "--gpus",
                "--userns",
            ],
            true,
        );
        for spec in parsed
            .values(&["-v", "--volume"])
            .cloned()
            .collect::<Vec<_>>()
        {
            if let Some(text) = &spec.value {
                let host = text.split(':').next().unwrap_or("");
                if host.starts_with('/') || host.starts_with('.') || host.starts_with('~') {
                    let host = host.to_owned();
                    let severity = self.source_path(&host);
                    if host == "/" || host.ends_with("docker.sock") {
                        self.ctx.add(
                            Class::Privilege,
                            format!(
                                "mounts {host} into a container, which grants root on the host"
                            ),
                        );
                    }
                    let _ = severity;
                }
            }
        }
        for spec in parsed.values(&["--mount"]).cloned().collect::<Vec<_>>() {
            if let Some(text) = &spec.value {
                for part in text.split(',') {
                    if let Some(src) = part
                        .strip_prefix("source=")
                        .or_else(|| part.strip_prefix("src="))
                    {
                        let src = src.to_owned();
                        self.source_path(&src);
                    }
                }
            }
        }
        for file in parsed.values(&["--env-file"]).cloned().collect::<Vec<_>>() {
            self.read_word(&file);
        }
        if parsed.has(&["--privileged"])
            || parsed
                .values(&["--pid", "--cap-add", "--userns"])
                .any(|v| matches!(v.text(), "host" | "ALL" | "SYS_ADMIN"))
        {
            self.ctx
                .add(Class::Privilege, "runs a privileged container");
        }
    }

    pub(crate) fn compose(&mut self, args: &[Word]) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "-f",
                "--file",
                "-p",
                "--project-name",
                "--profile",
                "--env-file",
                "--project-directory",
            ],
            true,
        );
        let sub = parsed
            .pos
            .first()
            .and_then(|w| w.value.clone())
            .unwrap_or_default();
        match sub.as_str() {
            "up" | "run" | "exec" | "start" | "create" | "restart" | "watch" => {
                self.ctx.add(
                    Class::Opaque,
                    format!("`docker compose {sub}` runs containers"),
                );
            }
            "build" => self
                .ctx
                .add(Class::BuildTest, "`docker compose build` builds images"),
            "down" | "stop" | "kill" | "rm" | "pause" | "unpause" => {
                if parsed
                    .pos
                    .iter()
                    .any(|w| matches!(w.text(), "-v" | "--volumes"))
                {
                    self.ctx.add(
                        Class::Destructive,
                        "`docker compose down -v` deletes volumes",
                    );
                }
                self.ctx.add(
                    Class::ProcessControl,
                    format!("`docker compose {sub}` stops containers"),
                );
            }
            "pull" => self
                .ctx
                .add(Class::NetworkRead, "`docker compose pull` downloads images"),
            "push" => self
                .ctx
                .add(Class::Publish, "`docker compose push` uploads images"),
            _ => self.ctx.add(
                Class::ReadOnly,
                format!("`docker compose {sub}` only reads"),
            ),
        }
        Flow::default()
    }

    pub(crate) fn kubectl(&mut self, args: &[Word]) -> Flow {
        const VALUES: &[&str] = &[
            "--context",
            "-n",
            "--namespace",
            "--kubeconfig",
            "-o",
            "--output",
            "-l",
            "--selector",
            "-f",
            "--filename",
            "--cluster",
            "--user",
            "-s",
            "--server",
            "--token",
            "-c",
            "--container",
            "--field-selector",
            "--sort-by",
            "-p",
            "--patch",
            "--type",
            "--replicas",
            "--image",
            "--as",
            "--as-group",
            "--timeout",
            "-k",
            "--kustomize",
            "--since",
            "--tail",
            "--template",
            "-L",
            "--label-columns",
            "--grace-period",
            "--dry-run",
            "--for",
            "--port",
            "--target-port",
            "--record",
            "--to-revision",
            "--overrides",
            "--env",
            "--restart",
            "--cascade",
        ];
        let parsed = opts::parse(args, VALUES, false);
        let context = parsed.value(&["--context"]).and_then(|w| w.value.clone());
        let contexts = self.env.production.kube_contexts.clone();
        self.production_if(context.clone(), &contexts, "kube context");
        let namespace = parsed
            .value(&["-n", "--namespace"])
            .and_then(|w| w.value.clone());
        let namespaces = self.env.production.namespaces.clone();
        self.production_if(namespace, &namespaces, "namespace");
        if let Some(server) = parsed
            .value(&["-s", "--server"])
            .and_then(|w| w.value.clone())
        {
            if let Some(host) = crate::destination::host_of_url(&server) {
                self.destination(&host);
            }
        }
        if parsed.has(&["--token"]) {
            self.ctx.add(
                Class::SecretAccess,
                "passes a cluster token on the command line",
            );
        }
        for file in parsed
            .values(&["--kubeconfig"])
            .cloned()
            .collect::<Vec<_>>()
        {
            let _ = file;
        }
        let pos = parsed.pos_text();
        let verb = pos.first().map(String::as_str).unwrap_or("");
        let object = pos.get(1).map(String::as_str).unwrap_or("");
        let output = parsed
            .value(&["-o", "--output"])
            .map(|w| w.text().to_owned())
            .unwrap_or_default();
        match verb {
            "get" | "describe" => {
                let secrets = pos
                    .iter()
                    .skip(1)
                    .any(|o| o.starts_with("secret") || o.starts_with("secrets/"));
                if secrets && (verb == "describe" || !output.is_empty()) {
                    self.ctx
                        .add(Class::SecretAccess, "reads Kubernetes secrets");
                }
                self.ctx.add(
                    Class::NetworkRead,
                    format!("`kubectl {verb}` reads the cluster"),
                );
            }
            "logs" | "top" | "explain" | "version" | "api-resources" | "api-versions"
            | "cluster-info" | "diff" | "events" | "wait" => {
                self.ctx.add(
                    Class::NetworkRead,
                    format!("`kubectl {verb}` reads the cluster"),
                );
            }
            "auth" => match object {
                "can-i" | "whoami" => self
                    .ctx
                    .add(Class::NetworkRead, "`kubectl auth` checks permissions"),
                _ => self
                    .ctx
                    .add(Class::Deploy, "`kubectl auth reconcile` changes RBAC"),
            },
            "config" => match object {
                "view" | "get-contexts" | "current-context" | "get-clusters" | "get-users" => {
                    if object == "view" && parsed.has(&["--raw", "--flatten"]) {
                        self.ctx.add(
                            Class::SecretAccess,
                            "`kubectl config view --raw` prints credentials",
                        );
                    }
                    self.ctx.add(Class::ReadOnly, "reads the kubeconfig");
                }
                "use-context" | "use" | "set-context" => {
                    let ctx_name = pos.get(2).cloned();
                    self.production_if(ctx_name, &contexts, "kube context");
                    self.ctx.add(
                        Class::OutsideWrite,
                        "switches the kubeconfig's current context",
                    );
                }
                _ => self
                    .ctx
                    .add(Class::SecretAccess, "changes credentials in the kubeconfig"),
            },
            "rollout" if matches!(object, "status" | "history") => {
                self.ctx.add(
                    Class::NetworkRead,
                    "`kubectl rollout status` reads the cluster",
                );
            }
            "port-forward" | "proxy" => {
                self.ctx.add(
                    Class::NetworkSend,
                    format!("`kubectl {verb}` opens a tunnel into the cluster"),
                );
            }
            "exec" | "attach" | "cp" | "debug" | "run" => {
                self.ctx.add(
                    Class::Deploy,
                    format!("`kubectl {verb}` runs code in the cluster"),
                );
            }
            "" | "help" | "completion" | "plugin" | "options" => {
                self.ctx.add(Class::ReadOnly, "`kubectl` prints help");
            }
            _ => self.ctx.add(
                Class::Deploy,
                format!("`kubectl {verb}` changes the cluster"),
            ),
        }
        Flow::from_network()
    }

    pub(crate) fn helm(&mut self, args: &[Word]) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "--kube-context",
                "-n",
                "--namespace",
                "-f",
                "--values",
                "--set",
                "--set-string",
                "--set-file",
                "--version",
                "--repo",
                "--kubeconfig",
                "-o",
                "--output",
                "--timeout",
                "--post-renderer",
                "--description",
            ],
            false,
        );
        let contexts = self.env.production.kube_contexts.clone();
        let namespaces = self.env.production.namespaces.clone();
        self.production_if(
            parsed
                .value(&["--kube-context"])
                .and_then(|w| w.value.clone()),
            &contexts,
            "kube context",
        );
        self.production_if(
            parsed
                .value(&["-n", "--namespace"])
                .and_then(|w| w.value.clone()),
            &namespaces,
            "namespace",
        );
        let verb = parsed
            .pos
            .first()
            .map(|w| w.text().to_owned())
            .unwrap_or_default();
        match verb.as_str() {
            "install" | "upgrade" | "uninstall" | "delete" | "rollback" | "test" => {
                self.ctx
                    .add(Class::Deploy, format!("`helm {verb}` changes a release"));
            }
            "list" | "ls" | "status" | "get" | "history" | "show" | "inspect" | "search" => {
                self.ctx
                    .add(Class::NetworkRead, format!("`helm {verb}` reads releases"));
            }
            "template" | "lint" | "package" | "create" | "version" | "env" | "" | "help"
            | "verify" => {
                self.ctx.add(
                    Class::BuildTest,
                    format!("`helm {verb}` works on charts locally"),
                );
            }
            "repo" | "dependency" | "dep" | "pull" | "fetch" | "plugin" | "registry" => {
                let inner = parsed.pos.get(1).map(Word::text).unwrap_or("");
                if matches!(inner, "list" | "ls") {
                    self.ctx
                        .add(Class::ReadOnly, "`helm` lists local configuration");
                } else if verb == "plugin" && inner == "install" {
                    self.ctx.add(
                        Class::PackageInstallUntrusted,
                        "`helm plugin install` installs a plugin",
                    );
                } else if verb == "registry" {
                    self.ctx.add(
                        Class::SecretAccess,
                        "`helm registry login` handles credentials",
                    );
                } else {
                    self.ctx.add(
                        Class::PackageInstall,
                        format!("`helm {verb}` downloads charts"),
                    );
                }
            }
            "push" => self.ctx.add(Class::Publish, "`helm push` uploads a chart"),
            _ => self
                .ctx
                .add(Class::Deploy, format!("`helm {verb}` changes the cluster")),
        }
        Flow::default()
    }

    pub(crate) fn terraform(&mut self, args: &[Word]) -> Flow {
        let args: Vec<Word> = args
            .iter()
            .filter(|w| !w.text().starts_with("-chdir="))
            .cloned()
            .collect();
        let verb = args
            .first()
            .map(|w| w.text().to_owned())
            .unwrap_or_default();
        let rest = args.get(1..).unwrap_or(&[]);
        let workspaces = self.env.production.terraform_workspaces.clone();
        if let Some(ws) = self.vars.get("TF_WORKSPACE").cloned().flatten() {
            self.production_if(Some(ws), &workspaces, "terraform workspace");
        }
        for word in rest {
            let t = word.text();
            if let Some(file) = t.strip_prefix("-var-file=") {
                if self.is_production_name(file, &workspaces) || file.contains("prod") {
                    self.production(format!("terraform variables {file}"));
                }
            }
        }
        match verb.as_str() {
            "apply" | "destroy" | "import" | "taint" | "untaint" | "refresh" | "force-unlock" => {
                self.ctx.add(
                    Class::Deploy,
                    format!("`terraform {verb}` changes real infrastructure"),
                );
                self.ctx.add(
                    Class::CloudMutation,
                    format!("`terraform {verb}` changes cloud resources"),
                );
            }
            "state" => match rest.first().map(Word::text) {
                Some("list" | "show" | "pull") => self
                    .ctx
                    .add(Class::NetworkRead, "`terraform state` reads state"),
                _ => {
                    self.ctx
                        .add(Class::Deploy, "`terraform state` rewrites state");
                    self.ctx
                        .add(Class::CloudMutation, "`terraform state` rewrites state");
                }
            },
            "workspace" => {
                let name = rest.get(1).and_then(|w| w.value.clone());
                self.production_if(name, &workspaces, "terraform workspace");
                match rest.first().map(Word::text) {
                    Some("list" | "show") => {
                        self.ctx.add(Class::ReadOnly, "lists terraform workspaces")
                    }
                    Some("delete") => self
                        .ctx
                        .add(Class::CloudMutation, "deletes a terraform workspace"),
                    _ => self
                        .ctx
                        .add(Class::VcsLocal, "switches terraform workspace"),
                }
            }
            "plan" | "show" | "output" | "providers" | "graph" => {
                self.ctx.add(
                    Class::NetworkRead,
                    format!("`terraform {verb}` reads infrastructure state"),
                );
                if verb == "plan" {
                    if let Some(out) = rest
                        .iter()
                        .find_map(|w| w.text().strip_prefix("-out=").map(str::to_owned))
                    {
                        self.write_path(&out, false);
                    }
                }
            }
            "init" | "get" => self.ctx.add(
                Class::PackageInstall,
                format!("`terraform {verb}` downloads providers and modules"),
            ),
            "fmt" | "validate" | "test" | "version" | "console" | "" | "-help" | "-version"
            | "metadata" => {
                self.ctx.add(
                    Class::BuildTest,
                    format!("`terraform {verb}` works locally"),
                );
            }
            "login" | "logout" => self
                .ctx
                .add(Class::SecretAccess, "`terraform login` handles credentials"),
            _ => self.ctx.add(
                Class::Unknown,
                format!("`terraform {verb}` is not a known subcommand"),
            ),
        }
        Flow::default()
    }

    pub(crate) fn pulumi(&mut self, args: &[Word]) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "-s",
                "--stack",
                "-C",
                "--cwd",
                "--config",
                "-c",
                "--target",
                "--message",
                "-m",
                "--parallel",
            ],
            false,
        );
        let stacks = self.env.production.terraform_workspaces.clone();
        self.production_if(
            parsed
                .value(&["-s", "--stack"])
                .and_then(|w| w.value.clone()),
            &stacks,
            "pulumi stack",
        );
        let pos = parsed.pos_text();
        let verb = pos.first().map(String::as_str).unwrap_or("");
        match verb {
            "up" | "update" | "destroy" | "refresh" | "import" | "cancel" | "state" => {
                self.ctx.add(
                    Class::Deploy,
                    format!("`pulumi {verb}` changes real infrastructure"),
                );
                self.ctx.add(
                    Class::CloudMutation,
                    format!("`pulumi {verb}` changes cloud resources"),
                );
            }
            "stack" => {
                if pos.get(1).map(String::as_str) == Some("select") {
                    self.production_if(pos.get(2).cloned(), &stacks, "pulumi stack");
                }
                if parsed.has(&["--show-secrets"]) {
                    self.ctx.add(
                        Class::SecretAccess,
                        "`pulumi stack --show-secrets` prints secrets",
                    );
                } else if matches!(pos.get(1).map(String::as_str), Some("rm" | "remove")) {
                    self.ctx
                        .add(Class::CloudMutation, "`pulumi stack rm` deletes a stack");
                } else {
                    self.ctx
                        .add(Class::NetworkRead, "`pulumi stack` reads stacks");
                }
            }
            "config" => {
                if parsed.has(&["--show-secrets"])
                    || (pos.get(1).map(String::as_str) == Some("get") && parsed.has(&["--secret"]))
                {
                    self.ctx
                        .add(Class::SecretAccess, "`pulumi config` prints secrets");
                } else if matches!(pos.get(1).map(String::as_str), Some("set" | "rm")) {
                    self.write_path(".", false);
                } else {
                    self.ctx
                        .add(Class::ReadOnly, "`pulumi config` reads settings");
                }
            }
            "login" | "logout" => self
                .ctx
                .add(Class::SecretAccess, "`pulumi login` handles credentials"),
            "preview" | "whoami" | "logs" | "about" | "version" | "" => self
                .ctx
                .add(Class::NetworkRead, format!("`pulumi {verb}` reads")),
            _ => self.ctx.add(
                Class::Unknown,
                format!("`pulumi {verb}` is not a known subcommand"),
            ),
        }
        Flow::default()
    }

    pub(crate) fn aws(&mut self, args: &[Word]) -> Flow {
        const VALUES: &[&str] = &[
            "--profile",
            "--region",
            "--endpoint-url",
            "--output",
            "--query",
            "--cli-input-json",
            "--cli-input-yaml",
            "--ca-bundle",
            "--cli-read-timeout",
            "--cli-connect-timeout",
            "--color",
            "--cli-binary-format",
        ];
        let parsed = opts::parse(args, VALUES, false);
        let profile = parsed
            .value(&["--profile"])
            .and_then(|w| w.value.clone())
            .or_else(|| self.vars.get("AWS_PROFILE").cloned().flatten());
        let profiles = self.env.production.aws_profiles.clone();
        self.production_if(profile, &profiles, "AWS profile");
        if let Some(endpoint) = parsed
            .value(&["--endpoint-url"])
            .and_then(|w| w.value.clone())
        {
            if let Some(host) = crate::destination::host_of_url(&endpoint) {
                self.destination(&host);
            }
        }
        let pos = parsed.pos.clone();
        let service = pos.first().map(|w| w.text().to_owned()).unwrap_or_default();
        let op = pos.get(1).map(|w| w.text().to_owned()).unwrap_or_default();
        let rest: Vec<Word> = pos.get(2..).unwrap_or(&[]).to_vec();
        let flags: Vec<String> = parsed.opts.iter().map(|(n, _)| n.clone()).collect();
        match (service.as_str(), op.as_str()) {
            ("configure", "get") => {
                let key = rest.first().map(Word::text).unwrap_or("");
                if key.contains("secret") || key.contains("token") || key.contains("key_id") {
                    self.ctx.add(
                        Class::SecretAccess,
                        format!("`aws configure get {key}` prints a credential"),
                    );
                } else {
                    self.ctx
                        .add(Class::ReadOnly, "`aws configure get` reads settings");
                }
            }
            ("configure", "list" | "list-profiles") => self
                .ctx
                .add(Class::ReadOnly, "`aws configure list` reads settings"),
            ("configure", "export-credentials") => self.ctx.add(
                Class::SecretAccess,
                "`aws configure export-credentials` prints credentials",
            ),
            ("configure", _) => self.write_path("~/.aws/credentials", false),
            ("s3", "ls" | "presign") => {
                if op == "presign" {
                    self.ctx
                        .add(Class::SecretAccess, "`aws s3 presign` mints a bearer URL");
                }
                self.ctx
                    .add(Class::NetworkRead, "`aws s3 ls` lists objects");
            }
            ("s3", "cp" | "mv" | "sync") => {
                let paths: Vec<Word> = rest
                    .iter()
                    .filter(|w| !w.text().starts_with("--"))
                    .cloned()
                    .collect();
                let dest_remote = paths.last().is_some_and(|w| w.text().starts_with("s3://"));
                if dest_remote {
                    for source in paths.iter().take(paths.len().saturating_sub(1)) {
                        if let Some(raw) = source.value.clone().filter(|r| !r.starts_with("s3://"))
                        {
                            if self.source_path(&raw) == Some(Sensitivity::Secret) {
                                self.ctx
                                    .add(Class::Exfiltration, "uploads a credential to S3");
                            }
                        }
                    }
                    self.ctx
                        .add(Class::CloudMutation, format!("`aws s3 {op}` writes to S3"));
                } else {
                    self.ctx.add(
                        Class::NetworkRead,
                        format!("`aws s3 {op}` downloads from S3"),
                    );
                    if let Some(dest) = paths.last() {
                        let dest = dest.clone();
                        self.write_target(&dest, false);
                    }
                }
                if op == "mv" && !dest_remote {
                    self.ctx
                        .add(Class::CloudMutation, "`aws s3 mv` deletes the S3 source");
                }
            }
            ("s3", _) => self
                .ctx
                .add(Class::CloudMutation, format!("`aws s3 {op}` changes S3")),
            (
                "sts",
                "get-caller-identity" | "get-access-key-info" | "decode-authorization-message",
            ) => {
                self.ctx
                    .add(Class::NetworkRead, format!("`aws sts {op}` reads identity"));
            }
            ("sts", _)
            | ("secretsmanager", "get-secret-value" | "batch-get-secret-value")
            | ("kms", "decrypt" | "generate-data-key")
            | ("ecr", "get-login-password" | "get-authorization-token")
            | ("ecr-public", "get-login-password")
            | ("codeartifact", "get-authorization-token")
            | ("rds", "generate-db-auth-token")
            | (
                "iam",
                "create-access-key" | "create-login-profile" | "create-service-specific-credential",
            )
            | ("sso", "get-role-credentials")
            | ("eks", "get-token")
            | ("lightsail", "get-instance-access-details")
            | ("ec2", "get-password-data")
            | ("cognito-identity", "get-credentials-for-identity") => {
                self.ctx.add(
                    Class::SecretAccess,
                    format!("`aws {service} {op}` returns credentials or secrets"),
                );
                self.ctx.add(
                    Class::NetworkRead,
                    format!("`aws {service} {op}` calls AWS"),
                );
            }
            ("ssm", "get-parameter" | "get-parameters" | "get-parameters-by-path") => {
                if flags.iter().any(|f| f == "--with-decryption") {
                    self.ctx.add(
                        Class::SecretAccess,
                        "`aws ssm` with --with-decryption reveals secure strings",
                    );
                }
                self.ctx
                    .add(Class::NetworkRead, "`aws ssm` reads parameters");
            }
            ("sso", "login") | ("sso", "logout") => self.ctx.add(
                Class::SecretAccess,
                "`aws sso login` refreshes cached credentials",
            ),
            ("eks", "update-kubeconfig") => self.write_path("~/.kube/config", false),
            ("lambda", "invoke") => {
                self.ctx
                    .add(Class::CloudMutation, "`aws lambda invoke` runs cloud code");
                if let Some(out) = rest.iter().rev().find(|w| !w.text().starts_with("--")) {
                    let out = out.clone();
                    self.write_target(&out, false);
                }
            }
            ("help" | "--version", _) | ("", _) => {
                self.ctx.add(Class::ReadOnly, "`aws` prints help")
            }
            (_, op) if is_read_verb(op) => self
                .ctx
                .add(Class::NetworkRead, format!("`aws {service} {op}` reads")),
            (_, "help") => self.ctx.add(Class::ReadOnly, "`aws` prints help"),
            _ => self.ctx.add(
                Class::CloudMutation,
                format!("`aws {service} {op}` changes cloud resources"),
            ),
        }
        Flow::from_network()
    }

    pub(crate) fn gcloud(&mut self, name: &str, args: &[Word]) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "--project",
                "--account",
                "--configuration",
                "--region",
                "--zone",
                "--format",
                "--filter",
                "--impersonate-service-account",
                "--image",
                "--limit",
                "--verbosity",
                "--flags-file",
                "--billing-project",
                "--source",
                "--platform",
                "--memory",
                "--service-account",
            ],
            false,
        );
        let projects = self.env.production.gcp_projects.clone();
        let project = parsed
            .value(&["--project"])
            .and_then(|w| w.value.clone())
            .or_else(|| self.vars.get("CLOUDSDK_CORE_PROJECT").cloned().flatten());
        self.production_if(project, &projects, "GCP project");
        let pos = parsed.pos_text();
        if name == "gsutil" {
            let verb = pos.first().map(String::as_str).unwrap_or("");
            match verb {
                "ls" | "cat" | "du" | "stat" | "hash" | "version" => self
                    .ctx
                    .add(Class::NetworkRead, format!("`gsutil {verb}` reads")),
                "cp" | "rsync" | "mv" => {
                    if pos.last().is_some_and(|p| p.starts_with("gs://")) {
                        self.ctx.add(
                            Class::CloudMutation,
                            format!("`gsutil {verb}` writes to Cloud Storage"),
                        );
                    } else {
                        self.ctx
                            .add(Class::NetworkRead, format!("`gsutil {verb}` downloads"));
                        if let Some(dest) = pos.last() {
                            let dest = dest.clone();
                            self.write_path(&dest, false);
                        }
                    }
                }
                "signurl" => self
                    .ctx
                    .add(Class::SecretAccess, "`gsutil signurl` mints a bearer URL"),
                _ => self.ctx.add(
                    Class::CloudMutation,
                    format!("`gsutil {verb}` changes Cloud Storage"),
                ),
            }
            return Flow::from_network();
        }
        let joined = pos.join(" ");
        let last = pos.last().map(String::as_str).unwrap_or("");
        let secret = joined.contains("print-access-token")
            || joined.contains("print-identity-token")
            || joined.starts_with("secrets versions access")
            || joined.contains("get-credentials")
            || joined.contains("keys create")
            || joined.contains("generate-login-token");
        if secret {
            self.ctx.add(
                Class::SecretAccess,
                format!("`gcloud {joined}` returns credentials or secrets"),
            );
            if joined.contains("get-credentials") {
                self.write_path("~/.kube/config", false);
            }
        } else if pos.first().is_some_and(|p| p == "auth")
            && matches!(
                pos.get(1).map(String::as_str),
                Some("login" | "activate-service-account" | "application-default" | "revoke")
            )
        {
            self.ctx.add(
                Class::SecretAccess,
                "`gcloud auth` changes stored credentials",
            );
        } else if pos.first().is_some_and(|p| p == "config") {
            if matches!(pos.get(1).map(String::as_str), Some("set" | "unset")) {
                if pos.get(2).map(String::as_str) == Some("project") {
                    self.production_if(pos.get(3).cloned(), &projects, "GCP project");
                }
                self.ctx.add(
                    Class::OutsideWrite,
                    "`gcloud config set` changes the active configuration",
                );
            } else {
                self.ctx
                    .add(Class::ReadOnly, "`gcloud config` reads settings");
            }
        } else if pos.is_empty()
            || matches!(last, "help" | "version" | "info")
            || pos
                .first()
                .is_some_and(|p| p == "version" || p == "info" || p == "help")
        {
            self.ctx.add(Class::ReadOnly, "`gcloud` prints information");
        } else if pos.iter().any(|p| {
            matches!(
                p.as_str(),
                "list"
                    | "describe"
                    | "get-iam-policy"
                    | "get-value"
                    | "read"
                    | "tail"
                    | "get"
                    | "list-tags"
                    | "get-ancestors"
                    | "search-all-resources"
            )
        }) {
            self.ctx
                .add(Class::NetworkRead, format!("`gcloud {joined}` reads"));
        } else {
            if pos.iter().any(|p| p == "deploy") {
                self.ctx
                    .add(Class::Deploy, format!("`gcloud {joined}` deploys"));
            }
            self.ctx.add(
                Class::CloudMutation,
                format!("`gcloud {joined}` changes cloud resources"),
            );
        }
        Flow::from_network()
    }

    pub(crate) fn az(&mut self, args: &[Word]) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "--subscription",
                "-g",
                "--resource-group",
                "-n",
                "--name",
                "--query",
                "-o",
                "--output",
                "--vault-name",
                "--location",
                "-l",
                "--ids",
                "--image",
                "--resource",
            ],
            false,
        );
        let subs = self.env.production.azure_subscriptions.clone();
        self.production_if(
            parsed
                .value(&["--subscription"])
                .and_then(|w| w.value.clone()),
            &subs,
            "Azure subscription",
        );
        self.production_if(
            parsed
                .value(&["-g", "--resource-group"])
                .and_then(|w| w.value.clone()),
            &subs,
            "Azure resource group",
        );
        let pos = parsed.pos_text();
        let joined = pos.join(" ");
        let last = pos.last().map(String::as_str).unwrap_or("");
        if joined.starts_with("account get-access-token")
            || joined.starts_with("keyvault secret show")
            || joined.starts_with("keyvault secret download")
            || joined.contains("keys list")
            || joined.contains("credential reset")
            || joined.contains("list-keys")
            || joined.contains("get-credentials")
            || joined.contains("show-connection-string")
        {
            self.ctx.add(
                Class::SecretAccess,
                format!("`az {joined}` returns credentials or secrets"),
            );
        } else if pos.first().is_some_and(|p| p == "login" || p == "logout") {
            self.ctx
                .add(Class::SecretAccess, "`az login` changes stored credentials");
        } else if pos.first().is_some_and(|p| p == "account")
            && matches!(pos.get(1).map(String::as_str), Some("set"))
        {
            self.ctx.add(
                Class::OutsideWrite,
                "`az account set` switches subscription",
            );
        } else if pos.is_empty()
            || matches!(
                last,
                "show"
                    | "list"
                    | "version"
                    | "help"
                    | "exists"
                    | "list-locations"
                    | "tail"
                    | "wait"
            )
            || last.starts_with("get-")
            || last.starts_with("list-")
            || last.starts_with("show-")
        {
            self.ctx
                .add(Class::NetworkRead, format!("`az {joined}` reads"));
        } else {
            if pos.iter().any(|p| p == "deploy" || p == "deployment") {
                self.ctx
                    .add(Class::Deploy, format!("`az {joined}` deploys"));
            }
            self.ctx.add(
                Class::CloudMutation,
                format!("`az {joined}` changes cloud resources"),
            );
        }
        Flow::from_network()
    }

    pub(crate) fn deployer(&mut self, name: &str, args: &[Word]) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "--token",
                "-t",
                "--scope",
                "--app",
                "-a",
                "--project",
                "-c",
                "--config",
                "--env",
                "-e",
                "--stage",
                "-s",
                "--region",
                "-r",
                "-i",
                "--inventory",
                "-m",
                "--module-name",
                "-u",
                "--user",
                "--limit",
                "-l",
                "--site",
                "--prod-branch",
                "--profile",
            ],
            false,
        );
        if parsed.has(&["--token", "-t"]) && name != "ansible" && name != "ansible-playbook" {
            self.ctx.add(
                Class::SecretAccess,
                format!("passes a `{name}` token on the command line"),
            );
        }
        let pos = parsed.pos_text();
        let verb = pos.first().map(String::as_str).unwrap_or("");
        let production_flag = parsed.has(&["--prod", "--production"])
            || parsed
                .values(&["--stage", "-s", "--env", "-e"])
                .any(|v| v.text().contains("prod"));
        if production_flag {
            self.production(format!("`{name}` production flag"));
        }
        let read_verbs = [
            "list",
            "ls",
            "logs",
            "log",
            "status",
            "whoami",
            "info",
            "inspect",
            "open",
            "help",
            "version",
            "--version",
            "diff",
            "synth",
            "doctor",
            "get",
            "history",
            "describe",
            "dev",
            "validate",
            "build",
            "local",
            "link",
            "init",
        ];
        let secret_verbs = [
            "login",
            "logout",
            "secrets",
            "secret",
            "env",
            "config",
            "env:list",
            "env:get",
            "config:get",
            "functions:config:get",
            "auth",
            "token",
        ];
        match name {
            "ansible" => {
                let module = parsed
                    .value(&["-m", "--module-name"])
                    .map(|w| w.text().to_owned())
                    .unwrap_or_else(|| "command".to_owned());
                if matches!(module.as_str(), "ping" | "setup" | "gather_facts") {
                    self.ctx.add(Class::NetworkRead, "`ansible` gathers facts");
                } else {
                    self.ctx.add(
                        Class::Deploy,
                        format!("`ansible -m {module}` changes remote hosts"),
                    );
                }
            }
            "ansible-playbook" => {
                if parsed.has(&[
                    "--check",
                    "-C",
                    "--syntax-check",
                    "--list-tasks",
                    "--list-hosts",
                ]) {
                    self.ctx
                        .add(Class::NetworkRead, "`ansible-playbook --check` only plans");
                } else {
                    self.ctx
                        .add(Class::Deploy, "`ansible-playbook` changes remote hosts");
                }
            }
            "kustomize" => {
                if verb == "build" || verb == "cfg" || verb.is_empty() {
                    self.ctx
                        .add(Class::BuildTest, "`kustomize build` renders manifests");
                } else {
                    self.write_path(".", false);
                }
            }
            _ if secret_verbs
                .iter()
                .any(|v| verb == *v || verb.starts_with(&format!("{v}:"))) =>
            {
                let inner = pos.get(1).map(String::as_str).unwrap_or("");
                if matches!(inner, "ls" | "list") && !matches!(verb, "env" | "config") {
                    self.ctx.add(
                        Class::NetworkRead,
                        format!("`{name} {verb} {inner}` lists names"),
                    );
                } else {
                    self.ctx.add(
                        Class::SecretAccess,
                        format!("`{name} {verb}` handles secrets or credentials"),
                    );
                }
            }
            _ if read_verbs.contains(&verb) => {
                if matches!(
                    verb,
                    "build" | "synth" | "validate" | "dev" | "local" | "init" | "link"
                ) {
                    self.ctx
                        .add(Class::BuildTest, format!("`{name} {verb}` works locally"));
                } else {
                    self.ctx
                        .add(Class::NetworkRead, format!("`{name} {verb}` reads"));
                }
            }
            _ => {
                self.ctx.add(
                    Class::Deploy,
                    format!("`{name} {verb}` deploys or changes a hosted service"),
                );
            }
        }
        Flow::from_network()
    }
}

/// Whether an AWS-style operation name only reads.
fn is_read_verb(op: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "describe-",
        "list-",
        "get-",
        "head-",
        "lookup-",
        "search-",
        "scan",
        "query",
        "batch-get-",
        "validate-",
        "estimate-",
        "simulate-",
        "test-",
        "filter-",
        "preview-",
        "tail",
        "wait",
        "ls",
        "view-",
        "check-",
        "select-",
        "download-db-log-file-portion",
    ];
    PREFIXES.iter().any(|p| op.starts_with(p)) || op == "get"
}

#[allow(dead_code)]
fn first_positional(parsed: &Parsed) -> Option<String> {
    parsed.pos.first().and_then(|w| w.value.clone())
}
