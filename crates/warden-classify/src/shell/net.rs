//! Network tools: curl, wget, httpie, scp, rsync, ssh, netcat and friends.
//!
//! A fetch is `network_read`. Anything that carries data out is
//! `network_send`; when the data is a secret or local files going to a host
//! that is not trusted, it is `exfiltration`.

use super::opts;
use super::programs::{is_trusted_destination, token_goes_home};
use super::{Analyzer, Flow, Word};
use crate::destination;
use warden_action::{Class, Sensitivity};

/// What a network command sends, gathered while reading its arguments.
#[derive(Default)]
struct Outbound {
    /// It sends a request body or uploads something.
    sends: bool,
    /// The body holds local files.
    files: bool,
    /// The body, URL or headers hold a secret.
    secret: bool,
    /// Secret variable names that went into headers or credentials.
    header_secret_vars: Vec<String>,
    /// A secret went somewhere other than a header (body, URL).
    secret_outside_headers: bool,
}

impl Analyzer<'_, '_> {
    /// Records the hosts of URLs; returns them.
    fn url_hosts(&mut self, urls: &[String]) -> Vec<String> {
        let mut hosts = Vec::new();
        for url in urls {
            let with_scheme = if url.contains("://") {
                url.clone()
            } else {
                format!("http://{url}")
            };
            if let Some(host) = destination::host_of_url(&with_scheme) {
                self.destination(&host);
                hosts.push(host.to_ascii_lowercase());
            }
        }
        hosts
    }

    /// Whether every host is trusted to receive local data.
    fn all_trusted(&self, hosts: &[String]) -> bool {
        !hosts.is_empty()
            && hosts.iter().all(|h| {
                is_trusted_destination(destination::classify_host(h, self.env.destinations))
            })
    }

    /// Reads a file that will be sent; notes what it carries.
    fn sent_file(&mut self, raw: &str, input: &Flow, out: &mut Outbound) {
        if raw == "-" || raw == "/dev/stdin" {
            out.files |= input.files;
            out.secret |= input.secret;
            if input.secret {
                out.secret_outside_headers = true;
            }
            return;
        }
        let severity = self.source_path(raw);
        out.files = true;
        if severity == Some(Sensitivity::Secret) {
            out.secret = true;
            out.secret_outside_headers = true;
        }
    }

    /// Turns what was gathered into classes.
    fn judge_outbound(&mut self, tool: &str, hosts: &[String], out: &Outbound) {
        if out.sends {
            self.ctx.add(
                Class::NetworkSend,
                format!("`{tool}` sends data to {}", shown(hosts)),
            );
        } else {
            self.ctx.add(
                Class::NetworkRead,
                format!("`{tool}` fetches from {}", shown(hosts)),
            );
        }
        if out.secret_outside_headers {
            self.ctx.add(
                Class::Exfiltration,
                format!("`{tool}` sends a secret to {}", shown(hosts)),
            );
        } else if !out.header_secret_vars.is_empty()
            && !token_goes_home(&out.header_secret_vars, hosts)
        {
            self.ctx.add(
                Class::Exfiltration,
                format!(
                    "`{tool}` sends {} to {}, which is not the service it belongs to",
                    out.header_secret_vars.join(", "),
                    shown(hosts)
                ),
            );
        }
        if out.files && out.sends && !self.all_trusted(hosts) {
            self.ctx.add(
                Class::Exfiltration,
                format!("`{tool}` uploads local files to {}", shown(hosts)),
            );
        }
    }

    pub(crate) fn curl(&mut self, args: &[Word], input: &Flow) -> Flow {
        const WITH_VALUE: &[&str] = &[
            "-o",
            "--output",
            "-d",
            "--data",
            "--data-raw",
            "--data-binary",
            "--data-urlencode",
            "--data-ascii",
            "-F",
            "--form",
            "--form-string",
            "-T",
            "--upload-file",
            "-H",
            "--header",
            "-X",
            "--request",
            "-u",
            "--user",
            "-A",
            "--user-agent",
            "-e",
            "--referer",
            "-b",
            "--cookie",
            "-c",
            "--cookie-jar",
            "--url",
            "-x",
            "--proxy",
            "--json",
            "-K",
            "--config",
            "--cacert",
            "--capath",
            "--cert",
            "--key",
            "-w",
            "--write-out",
            "--connect-timeout",
            "-m",
            "--max-time",
            "--retry",
            "--retry-delay",
            "--retry-max-time",
            "-r",
            "--range",
            "--proto",
            "--proto-redir",
            "--resolve",
            "--connect-to",
            "--output-dir",
            "-E",
            "--oauth2-bearer",
            "-D",
            "--dump-header",
            "--limit-rate",
            "--ciphers",
            "--interface",
            "-Y",
            "-y",
            "-z",
            "--max-redirs",
            "--max-filesize",
            "-U",
            "--proxy-user",
            "--variable",
            "--expand-data",
            "--aws-sigv4",
            "--unix-socket",
        ];
        let parsed = opts::parse(args, WITH_VALUE, false);
        let mut urls = parsed.pos_text();
        urls.extend(parsed.values(&["--url"]).filter_map(|w| w.value.clone()));
        let hosts = self.url_hosts(&urls);
        let mut out = Outbound::default();
        for word in &parsed.pos {
            if word.flow.secret {
                out.secret = true;
                out.secret_outside_headers = true;
            }
            if word.value.is_none() {
                self.ctx
                    .add(Class::Opaque, "`curl` reaches a URL computed at run time");
            }
        }
        for (name, value) in &parsed.opts {
            let Some(value) = value else { continue };
            let text = value.value.clone().unwrap_or_default();
            match name.as_str() {
                "-d" | "--data" | "--data-binary" | "--data-ascii" | "--json"
                | "--data-urlencode" => {
                    out.sends = true;
                    let file = text.strip_prefix('@').or_else(|| {
                        (name == "--data-urlencode")
                            .then(|| text.split_once('@').map(|(_, f)| f))
                            .flatten()
                    });
                    if let Some(file) = file {
                        self.sent_file(file, input, &mut out);
                    }
                    if value.flow.secret {
                        out.secret = true;
                        out.secret_outside_headers = true;
                    }
                    out.files |= value.flow.files;
                }
                "--data-raw" => {
                    out.sends = true;
                    if value.flow.secret {
                        out.secret_outside_headers = true;
                    }
                    out.files |= value.flow.files;
                }
                "-F" | "--form" => {
                    out.sends = true;
                    if let Some((_, v)) = text.split_once('=') {
                        if let Some(file) = v.strip_prefix('@').or_else(|| v.strip_prefix('<')) {
                            let file = file.split(';').next().unwrap_or(file);
                            self.sent_file(file, input, &mut out);
                        }
                    }
                    if value.flow.secret {
                        out.secret_outside_headers = true;
                    }
                }
                "--form-string" => out.sends = true,
                "-T" | "--upload-file" => {
                    out.sends = true;
                    self.sent_file(&text, input, &mut out);
                }
                "-X" | "--request"
                    if !matches!(
                        text.to_ascii_uppercase().as_str(),
                        "GET" | "HEAD" | "OPTIONS"
                    ) =>
                {
                    out.sends = true;
                }
                "-H" | "--header" | "-u" | "--user" | "--oauth2-bearer" | "-b" | "--cookie"
                | "--proxy-user"
                    if value.flow.secret =>
                {
                    out.header_secret_vars
                        .extend(value.flow.secret_vars.iter().cloned());
                    if value.flow.secret_vars.is_empty() {
                        out.secret_outside_headers = true;
                    }
                }
                "-o" | "--output" if text != "-" => {
                    self.write_target(value, false);
                    if let Some(raw) = &value.value {
                        let fact = self.path_fact(raw);
                        self.fetched_files.push(fact.path.into());
                    }
                }
                "-K" | "--config" => {
                    self.read_word(value);
                    self.ctx
                        .add(Class::Opaque, "`curl` takes its options from a file");
                }
                "-c" | "--cookie-jar" | "-D" | "--dump-header" if text != "-" => {
                    self.write_target(value, false);
                }
                _ => {}
            }
        }
        let remote_name = parsed.has(&["-O", "--remote-name", "--remote-name-all", "-J"]);
        if remote_name {
            let dir = parsed
                .value(&["--output-dir"])
                .and_then(|w| w.value.clone())
                .unwrap_or_else(|| ".".to_owned());
            for url in &urls {
                let file = url
                    .split(['?', '#'])
                    .next()
                    .and_then(|u| u.rsplit('/').next())
                    .filter(|f| !f.is_empty())
                    .unwrap_or("index.html");
                let target = format!("{}/{file}", dir.trim_end_matches('/'));
                self.write_path(&target, false);
                let fact = self.path_fact(&target);
                self.fetched_files.push(fact.path.into());
            }
        }
        self.judge_outbound("curl", &hosts, &out);
        Flow::from_network()
    }

    pub(crate) fn wget(&mut self, args: &[Word], input: &Flow) -> Flow {
        const WITH_VALUE: &[&str] = &[
            "-O",
            "--output-document",
            "-o",
            "--output-file",
            "-a",
            "--append-output",
            "-P",
            "--directory-prefix",
            "--post-data",
            "--post-file",
            "--body-data",
            "--body-file",
            "--method",
            "--header",
            "-U",
            "--user-agent",
            "-i",
            "--input-file",
            "--user",
            "--password",
            "--http-user",
            "--http-password",
            "-e",
            "--execute",
            "-t",
            "--tries",
            "-T",
            "--timeout",
            "-l",
            "--level",
            "-A",
            "-R",
            "--accept",
            "--reject",
            "-D",
            "--domains",
            "-Q",
            "--quota",
            "--limit-rate",
            "-w",
            "--wait",
            "--ca-certificate",
            "--certificate",
            "--private-key",
            "--load-cookies",
            "--save-cookies",
            "--referer",
        ];
        let parsed = opts::parse(args, WITH_VALUE, false);
        let urls = parsed.pos_text();
        let hosts = self.url_hosts(&urls);
        let mut out = Outbound::default();
        for (name, value) in &parsed.opts {
            let Some(value) = value else { continue };
            let text = value.value.clone().unwrap_or_default();
            match name.as_str() {
                "--post-data" | "--body-data" => {
                    out.sends = true;
                    if value.flow.secret {
                        out.secret_outside_headers = true;
                    }
                }
                "--post-file" | "--body-file" => {
                    out.sends = true;
                    self.sent_file(&text, input, &mut out);
                }
                "--method" if !matches!(text.to_ascii_uppercase().as_str(), "GET" | "HEAD") => {
                    out.sends = true;
                }
                "--header" | "--password" | "--http-password" if value.flow.secret => {
                    out.header_secret_vars
                        .extend(value.flow.secret_vars.iter().cloned());
                }
                "-i" | "--input-file" => {
                    self.read_word(value);
                }
                _ => {}
            }
        }
        let document = parsed.value(&["-O", "--output-document"]).cloned();
        let mut flow = Flow::from_network();
        match document {
            Some(word) if word.text() == "-" => {}
            Some(word) => {
                self.write_target(&word, false);
                if let Some(raw) = &word.value {
                    let fact = self.path_fact(raw);
                    self.fetched_files.push(fact.path.into());
                }
                flow.network = false;
            }
            None => {
                let dir = parsed
                    .value(&["-P", "--directory-prefix"])
                    .and_then(|w| w.value.clone())
                    .unwrap_or_else(|| ".".to_owned());
                for url in &urls {
                    let file = url
                        .split(['?', '#'])
                        .next()
                        .and_then(|u| u.rsplit('/').next())
                        .filter(|f| !f.is_empty())
                        .unwrap_or("index.html");
                    let target = format!("{}/{file}", dir.trim_end_matches('/'));
                    self.write_path(&target, false);
                    let fact = self.path_fact(&target);
                    self.fetched_files.push(fact.path.into());
                }
                flow.network = false;
            }
        }
        self.judge_outbound("wget", &hosts, &out);
        flow
    }

    pub(crate) fn httpie(&mut self, args: &[Word], input: &Flow) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "-a",
                "--auth",
                "-o",
                "--output",
                "--session",
                "-A",
                "--auth-type",
                "--verify",
                "--cert",
                "--cert-key",
                "--timeout",
                "--proxy",
            ],
            false,
        );
        let mut pos = parsed.pos.clone();
        let mut out = Outbound::default();
        let method = pos
            .first()
            .and_then(|w| w.value.clone())
            .filter(|m| m.chars().all(|c| c.is_ascii_uppercase()) && !m.is_empty());
        if let Some(m) = &method {
            pos.remove(0);
            if !matches!(m.as_str(), "GET" | "HEAD" | "OPTIONS") {
                out.sends = true;
            }
        }
        let url = pos.first().and_then(|w| w.value.clone());
        let hosts = match &url {
            Some(u) => self.url_hosts(std::slice::from_ref(u)),
            None => Vec::new(),
        };
        for item in pos.iter().skip(1) {
            let text = item.text();
            if text.contains("==") {
                continue;
            }
            if let Some((_, file)) = text
                .split_once("=@")
                .or_else(|| text.split_once(":=@"))
                .or_else(|| text.split_once('@'))
            {
                out.sends = true;
                self.sent_file(file, input, &mut out);
            } else if text.contains('=') {
                out.sends = true;
                if item.flow.secret {
                    out.secret_outside_headers = true;
                }
            } else if text.contains(':') && item.flow.secret {
                out.header_secret_vars
                    .extend(item.flow.secret_vars.iter().cloned());
            }
        }
        if input.files || input.secret {
            out.sends = true;
            out.files |= input.files;
            if input.secret {
                out.secret_outside_headers = true;
            }
        }
        if let Some(file) = parsed.value(&["-o", "--output"]).cloned() {
            self.write_target(&file, false);
        }
        self.judge_outbound("http", &hosts, &out);
        Flow::from_network()
    }

    pub(crate) fn scp(&mut self, name: &str, args: &[Word]) -> Flow {
        let parsed = opts::parse(
            args,
            &["-P", "-i", "-o", "-F", "-c", "-l", "-S", "-J", "-b", "-D"],
            false,
        );
        if name == "sftp" {
            if let Some(host) = parsed.pos.first().and_then(|w| w.value.clone()) {
                if let Some(h) = destination::host_of_remote_spec(&format!("{host}:")) {
                    self.destination(&h);
                }
            }
            self.ctx
                .add(Class::NetworkSend, "`sftp` opens a file transfer session");
            self.ctx.add(
                Class::Opaque,
                "what `sftp` transfers is decided interactively",
            );
            return Flow::default();
        }
        self.transfer("scp", &parsed.pos)
    }

    pub(crate) fn rsync(&mut self, args: &[Word]) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "-e",
                "--rsh",
                "--exclude",
                "--include",
                "--exclude-from",
                "--include-from",
                "--filter",
                "-f",
                "--port",
                "--password-file",
                "--chmod",
                "--log-file",
                "-T",
                "--temp-dir",
                "--partial-dir",
                "--backup-dir",
                "--suffix",
                "--timeout",
                "--bwlimit",
                "--files-from",
                "-B",
                "--block-size",
                "--rsync-path",
                "--chown",
                "--usermap",
                "--groupmap",
                "--compare-dest",
                "--copy-dest",
                "--link-dest",
            ],
            false,
        );
        self.transfer("rsync", &parsed.pos)
    }

    /// scp/rsync: sources then a destination; `host:path` is remote.
    fn transfer(&mut self, tool: &str, pos: &[Word]) -> Flow {
        let Some((dest, sources)) = pos.split_last() else {
            self.ctx
                .add(Class::ReadOnly, format!("`{tool}` without paths"));
            return Flow::default();
        };
        let remote_host = |w: &Word| -> Option<String> {
            w.value
                .as_deref()
                .and_then(destination::host_of_remote_spec)
        };
        if let Some(host) = remote_host(dest) {
            self.destination(&host);
            let hosts = vec![host.to_ascii_lowercase()];
            let mut out = Outbound {
                sends: true,
                ..Outbound::default()
            };
            for source in sources {
                match (&source.value, remote_host(source)) {
                    (_, Some(h)) => self.destination(&h),
                    (Some(raw), None) => {
                        let raw = raw.clone();
                        self.sent_file(&raw, &Flow::default(), &mut out);
                    }
                    (None, None) => self.ctx.add(
                        Class::Opaque,
                        format!("`{tool}` sends paths computed at run time"),
                    ),
                }
            }
            self.judge_outbound(tool, &hosts, &out);
        } else {
            let mut hosts = Vec::new();
            for source in sources {
                match remote_host(source) {
                    Some(h) => {
                        self.destination(&h);
                        hosts.push(h);
                    }
                    None => {
                        if let Some(raw) = &source.value {
                            let raw = raw.clone();
                            self.source_path(&raw);
                        }
                    }
                }
            }
            if !hosts.is_empty() {
                self.ctx.add(
                    Class::NetworkRead,
                    format!("`{tool}` downloads from {}", shown(&hosts)),
                );
            }
            self.write_target(dest, false);
        }
        Flow::default()
    }

    pub(crate) fn ssh(&mut self, args: &[Word], input: &Flow) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "-p", "-i", "-l", "-o", "-F", "-J", "-L", "-R", "-D", "-E", "-b", "-c", "-m", "-O",
                "-S", "-w", "-W", "-e", "-Q", "-B", "-I",
            ],
            true,
        );
        let Some(target) = parsed.pos.first() else {
            self.ctx.add(Class::ReadOnly, "`ssh` without a host");
            return Flow::default();
        };
        let mut hosts = Vec::new();
        if let Some(spec) = &target.value {
            let bare = spec.strip_prefix("ssh://").unwrap_or(spec);
            let host = bare.rsplit('@').next().unwrap_or(bare);
            let host = host.split([':', '/']).next().unwrap_or(host);
            if !host.is_empty() {
                self.destination(host);
                hosts.push(host.to_ascii_lowercase());
            }
        }
        if let Some(identity) = parsed.value(&["-i"]).cloned() {
            // Using a key is what ssh is for; it is not a read of the key by the agent.
            let _ = identity;
        }
        let out = Outbound {
            sends: true,
            files: input.files,
            secret: input.secret,
            secret_outside_headers: input.secret,
            ..Outbound::default()
        };
        self.ctx.add(
            Class::NetworkSend,
            format!("`ssh` runs commands on {}", shown(&hosts)),
        );
        self.judge_outbound("ssh", &hosts, &out);
        Flow::from_network()
    }

    pub(crate) fn netcat(&mut self, name: &str, args: &[Word], input: &Flow) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "-p", "-s", "-w", "-i", "-q", "-X", "-x", "-e", "-c", "-W", "-T",
            ],
            false,
        );
        let mut hosts = Vec::new();
        if name == "socat" {
            for word in &parsed.pos {
                let text = word.text();
                let upper = text.to_ascii_uppercase();
                if upper.starts_with("TCP")
                    || upper.starts_with("UDP")
                    || upper.starts_with("OPENSSL")
                    || upper.starts_with("SSL")
                {
                    let mut parts = text.split(':');
                    parts.next();
                    if let Some(host) = parts
                        .next()
                        .filter(|h| !h.is_empty() && !h.chars().all(|c| c.is_ascii_digit()))
                    {
                        let host = host.split(',').next().unwrap_or(host);
                        self.destination(host);
                        hosts.push(host.to_ascii_lowercase());
                    }
                }
                if upper.starts_with("EXEC") || upper.starts_with("SYSTEM") {
                    self.ctx
                        .add(Class::Opaque, "`socat` runs a program on a connection");
                }
            }
        } else if let Some(host) = parsed.pos.first().and_then(|w| w.value.clone()) {
            self.destination(&host);
            hosts.push(host.to_ascii_lowercase());
        }
        if parsed.has(&["-e", "-c"]) {
            self.ctx.add(
                Class::RemoteCodeExec,
                format!("`{name}` attaches a shell to a network connection"),
            );
        }
        if parsed.has(&["-l"]) {
            self.ctx.add(
                Class::NetworkSend,
                format!("`{name}` listens for connections"),
            );
        }
        let out = Outbound {
            sends: true,
            files: input.files,
            secret: input.secret,
            secret_outside_headers: input.secret,
            ..Outbound::default()
        };
        self.judge_outbound(name, &hosts, &out);
        Flow::from_network()
    }
}

fn shown(hosts: &[String]) -> String {
    if hosts.is_empty() {
        "an unknown host".to_owned()
    } else {
        hosts.join(", ")
    }
}
