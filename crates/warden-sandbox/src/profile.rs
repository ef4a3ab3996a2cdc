//! The OS-neutral sandbox profile: what the sandboxed assistant may touch.
//!
//! A [`Profile`] says *what* must hold (which directories are writable,
//! which are read-only, which paths must never be reachable, which TCP
//! ports may be connected to, which controls are mandatory). It says nothing
//! about *how*: the Linux module turns it into Landlock rules, a seccomp
//! filter and mount-namespace masks; another OS would turn the same profile
//! into its own mechanism (for example a Seatbelt profile on macOS).
//!
//! Every path in a profile must be absolute. Paths that do not exist at
//! start are skipped (and listed in the [`Plan`](crate::Plan)), because an
//! allow-list rule can only be attached to an existing file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::env::EnvPolicy;

/// One kernel-enforced control. A profile lists the controls it
/// [requires](Profile::required); the [ladder](crate::Ladder) says which ones
/// this host provides; the [self-test](crate::self_test) proves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    /// The filesystem allow-list: only the listed roots are reachable, with
    /// the listed rights; links and renames cannot cross hierarchies; other
    /// processes' `/proc/PID` secrets and ptrace are out of reach.
    /// Linux: Landlock, any ABI (ABI 2 adds controlled cross-directory
    /// renames inside writable roots, ABI 3 truncation control).
    FsAllowList,
    /// TCP `connect` only to the allowed ports, TCP `bind` only to the
    /// allowed ports. Linux: Landlock ABI 4 or later.
    TcpPorts,
    /// Signals and abstract Unix sockets cannot cross the sandbox boundary.
    /// Linux: Landlock ABI 6 or later.
    IpcScope,
    /// The system-call filter: no UDP, raw, netlink or packet sockets, no
    /// ptrace, mount, bpf, keyring, module, kexec or io_uring calls.
    /// Linux: seccomp-bpf.
    Seccomp,
    /// `no_new_privs`: exec can never gain privileges (setuid binaries,
    /// file capabilities).
    NoNewPrivs,
    /// Masking in a private mount namespace: secrets inside allowed roots
    /// are hidden and governance files inside writable roots are made
    /// read-only. Linux: `unshare(CLONE_NEWNS)` as root, or an unprivileged
    /// user namespace otherwise. Only needed when the plan has masks.
    Masking,
    /// A root-launched sandbox runs without capabilities (bounding,
    /// ambient and effective sets cleared).
    DropCapabilities,
}

impl Control {
    /// Every control, in ladder order.
    pub const ALL: [Control; 7] = [
        Control::FsAllowList,
        Control::TcpPorts,
        Control::IpcScope,
        Control::Seccomp,
        Control::NoNewPrivs,
        Control::Masking,
        Control::DropCapabilities,
    ];

    /// A short, stable name (the serde name).
    pub fn name(self) -> &'static str {
        match self {
            Control::FsAllowList => "fs_allow_list",
            Control::TcpPorts => "tcp_ports",
            Control::IpcScope => "ipc_scope",
            Control::Seccomp => "seccomp",
            Control::NoNewPrivs => "no_new_privs",
            Control::Masking => "masking",
            Control::DropCapabilities => "drop_capabilities",
        }
    }

    /// One line saying what the control protects.
    pub fn describe(self) -> &'static str {
        match self {
            Control::FsAllowList => "filesystem allow-list (secrets outside allowed roots unreachable, links cannot cross)",
            Control::TcpPorts => "TCP connect/bind limited to the allowed ports (the proxy)",
            Control::IpcScope => "signals and abstract Unix sockets scoped to the sandbox",
            Control::Seccomp => "system-call filter (no UDP/raw/netlink sockets, ptrace, mount, bpf, keyrings, modules, io_uring)",
            Control::NoNewPrivs => "no_new_privs (exec never gains privileges)",
            Control::Masking => "private mount namespace masking secrets and governance files inside allowed roots",
            Control::DropCapabilities => "capabilities dropped for root",
        }
    }
}

impl std::fmt::Display for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Network restrictions. The default allows no TCP port and no new Unix
/// socket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkPolicy {
    /// TCP ports the sandbox may connect to (typically only the egress
    /// proxy's port on loopback). Landlock filters by port, not by address:
    /// see the crate documentation for what that leaves open.
    pub connect_tcp_ports: Vec<u16>,
    /// TCP ports the sandbox may bind (none by default; port 0 allows
    /// binding an ephemeral port, which local test servers need).
    pub bind_tcp_ports: Vec<u16>,
    /// Whether new `AF_UNIX` sockets may be created. Off by default: before
    /// Landlock ABI 9 a pathname Unix socket can be connected to without any
    /// filesystem right, so `/run/docker.sock`, an ssh-agent or a D-Bus
    /// session bus (and with it the keyring) would be reachable.
    /// `socketpair(2)` (anonymous pairs, used for pipes) is always allowed.
    pub unix_sockets: bool,
}

/// Process restrictions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProcessPolicy {
    /// Leave `ptrace`, `process_vm_readv` and `process_vm_writev` to the
    /// filesystem control alone, which (Landlock) already confines them to
    /// processes inside the sandbox. Off by default: the seccomp filter
    /// denies them outright, so debuggers do not work inside.
    pub allow_ptrace_descendants: bool,
    /// Allow creating namespaces (`unshare`, `setns`, `clone` with
    /// `CLONE_NEW*`, `clone3`). Off by default: a user namespace hands the
    /// sandbox every capability inside it, a large kernel attack surface.
    /// Nested sandboxes (bubblewrap, Chromium's sandbox) need it.
    pub allow_namespaces: bool,
    /// Allow `perf_event_open` (profilers). Off by default.
    pub allow_perf_events: bool,
    /// Drop every capability (bounding, ambient, effective, permitted,
    /// inheritable) when launched as root. On by default.
    pub drop_capabilities: bool,
    /// Mark every inherited file descriptor above 2 close-on-exec, so a
    /// descriptor the launcher opened (which Landlock would not check) does
    /// not leak in. On by default.
    pub close_inherited_fds: bool,
}

impl Default for ProcessPolicy {
    fn default() -> Self {
        ProcessPolicy {
            allow_ptrace_descendants: false,
            allow_namespaces: false,
            allow_perf_events: false,
            drop_capabilities: true,
            close_inherited_fds: true,
        }
    }
}

/// How writable roots are searched at start for secret files that the
/// allow-list cannot exclude (a `.env` in the workspace), and for hard links
/// to denied files.
///
/// Workspaces are always scanned; other writable roots only when listed in
/// [`extra_roots`](Self::extra_roots). Temp directories and package caches
/// are left out by default: walking them is slow, and they are full of test
/// fixtures named `*.pem` or `*.key` whose masking would break builds. The
/// plan lists the writable roots it did not scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScanPolicy {
    /// File or directory names (wildcards `*`, `?`; case-insensitive) that
    /// are secrets and get masked.
    pub secret_names: Vec<String>,
    /// Names that match `secret_names` but are not secrets (`.env.example`).
    pub not_secret_names: Vec<String>,
    /// Directory names not descended into (`node_modules`, `target`).
    /// A secret below them is not found: the report says so.
    pub skip_dirs: Vec<String>,
    /// Stop after this many directory entries in total; the plan then
    /// records that the scan was truncated.
    pub max_entries: usize,
    /// Writable roots to scan besides the workspaces (the assistant's state
    /// directory, say). A path not inside a writable root is ignored.
    pub extra_roots: Vec<PathBuf>,
}

impl Default for ScanPolicy {
    fn default() -> Self {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_string()).collect::<Vec<_>>();
        ScanPolicy {
            secret_names: s(&[
                ".env",
                ".env.*",
                "*.pem",
                "*.key",
                "*.p12",
                "*.pfx",
                "*.jks",
                "*.keystore",
                "*.kdbx",
                "id_rsa",
                "id_dsa",
                "id_ecdsa",
                "id_ed25519",
                "id_ecdsa_sk",
                "id_ed25519_sk",
                ".netrc",
                ".git-credentials",
                ".pypirc",
                ".vault-token",
                "credentials.json",
                "service-account*.json",
                "*.tfstate",
                "*.tfstate.backup",
            ]),
            not_secret_names: s(&["*.example", "*.sample", "*.template", "*.dist", "*.pub"]),
            skip_dirs: s(&["node_modules", "target", ".venv", "venv", "__pycache__"]),
            max_entries: 200_000,
            extra_roots: Vec::new(),
        }
    }
}

/// The sandbox profile. Serde-ready (for example as a `[sandbox]` table in
/// `warden.toml` or a `--profile FILE`), every field defaults to empty except
/// the scan, network, process and environment policies, which default to
/// their secure defaults, and `required`, which defaults to
/// [`Profile::default_required`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Profile {
    /// The home directory the defaults were derived from. It is never
    /// granted as a whole; a root that contains it is refused.
    pub home: Option<PathBuf>,
    /// Workspaces: read-write, scanned for secrets, and their
    /// [`workspace_governance`](Self::workspace_governance) paths protected.
    pub workspaces: Vec<PathBuf>,
    /// Other read-write roots: temp directories, the assistant's own state
    /// directory (`~/.claude`), build caches (`~/.cargo/registry`).
    pub read_write: Vec<PathBuf>,
    /// Read-only roots: system directories and toolchains.
    pub read_only: Vec<PathBuf>,
    /// Device files and directories that may be read, written and sent
    /// ioctls (`/dev/null`, `/dev/tty`, `/dev/pts`).
    pub devices: Vec<PathBuf>,
    /// Governance files or directories that must stay read-only even inside
    /// a writable root (`~/.claude/settings.json`).
    pub governance: Vec<PathBuf>,
    /// Governance paths relative to each workspace (`.git/hooks`,
    /// `.git/config`, `.claude/settings.json`).
    pub workspace_governance: Vec<PathBuf>,
    /// Paths that must never be reachable (`~/.ssh`, `~/.aws`). They must lie
    /// outside every allowed root; one inside a root is masked, or the launch
    /// is refused when masking is unavailable.
    pub denied: Vec<PathBuf>,
    /// The secret-file scan of writable roots.
    pub scan: ScanPolicy,
    /// Network restrictions.
    pub network: NetworkPolicy,
    /// Process restrictions.
    pub process: ProcessPolicy,
    /// Environment scrubbing.
    pub env: EnvPolicy,
    /// Controls without which the launch is refused.
    pub required: BTreeSet<Control>,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            home: None,
            workspaces: Vec::new(),
            read_write: Vec::new(),
            read_only: Vec::new(),
            devices: Vec::new(),
            governance: Vec::new(),
            workspace_governance: Vec::new(),
            denied: Vec::new(),
            scan: ScanPolicy::default(),
            network: NetworkPolicy::default(),
            process: ProcessPolicy::default(),
            env: EnvPolicy::default(),
            required: Profile::default_required(),
        }
    }
}

fn under(home: &Path, rel: &[&str]) -> Vec<PathBuf> {
    rel.iter().map(|r| home.join(r)).collect()
}

fn abs(paths: &[&str]) -> Vec<PathBuf> {
    paths.iter().map(PathBuf::from).collect()
}

impl Profile {
    /// Every governance path: [`governance`](Self::governance), and each
    /// of [`workspace_governance`](Self::workspace_governance) in each
    /// workspace. Refuses an absolute workspace-relative entry.
    pub fn governance_paths(&self) -> Result<Vec<PathBuf>, crate::SandboxError> {
        let mut paths = self.governance.clone();
        for ws in &self.workspaces {
            for rel in &self.workspace_governance {
                if rel.is_absolute() {
                    return Err(crate::SandboxError::RelativePath(rel.clone()));
                }
                paths.push(ws.join(rel));
            }
        }
        Ok(paths)
    }

    /// The controls required unless the profile says otherwise: the
    /// filesystem allow-list, TCP port filtering, seccomp, `no_new_privs`
    /// and masking (which only matters when the plan has something to mask).
    pub fn default_required() -> BTreeSet<Control> {
        [
            Control::FsAllowList,
            Control::TcpPorts,
            Control::Seccomp,
            Control::NoNewPrivs,
            Control::Masking,
        ]
        .into_iter()
        .collect()
    }

    /// The standard profile for an assistant working in `workspace`, with
    /// `home` as the user's home directory and `assistant_dirs` its own
    /// state directories (for Claude Code: `~/.claude`).
    ///
    /// * read-write: the workspace, `/tmp`, `/var/tmp`, `/dev/shm`, the
    ///   assistant directories and the package caches under home
    ///   ([`default_home_read_write`]);
    /// * read-only: [`default_system_read_only`] and
    ///   [`default_home_read_only`];
    /// * devices: [`default_devices`];
    /// * denied: [`default_denied`];
    /// * governance: [`default_governance`] and
    ///   [`default_workspace_governance`];
    /// * secret scan: the workspace and the assistant directories;
    /// * network: nothing (add the proxy port to
    ///   [`NetworkPolicy::connect_tcp_ports`]).
    pub fn standard(home: &Path, workspace: &Path, assistant_dirs: &[PathBuf]) -> Profile {
        let mut read_write = abs(&["/tmp", "/var/tmp", "/dev/shm"]);
        read_write.extend(assistant_dirs.iter().cloned());
        read_write.extend(default_home_read_write(home));
        let mut read_only = default_system_read_only();
        read_only.extend(default_home_read_only(home));
        Profile {
            home: Some(home.to_path_buf()),
            workspaces: vec![workspace.to_path_buf()],
            read_write,
            read_only,
            devices: default_devices(),
            governance: default_governance(home),
            workspace_governance: default_workspace_governance(),
            denied: default_denied(home),
            scan: ScanPolicy {
                extra_roots: assistant_dirs.to_vec(),
                ..ScanPolicy::default()
            },
            ..Profile::default()
        }
    }

    /// Every path the profile grants, with its kind, in the order rules are
    /// built: read-only roots, devices, read-write roots, workspaces.
    pub fn grants(&self) -> impl Iterator<Item = (&Path, crate::Access)> {
        use crate::Access;
        self.read_only
            .iter()
            .map(|p| (p.as_path(), Access::ReadOnly))
            .chain(self.devices.iter().map(|p| (p.as_path(), Access::Device)))
            .chain(
                self.read_write
                    .iter()
                    .map(|p| (p.as_path(), Access::ReadWrite)),
            )
            .chain(
                self.workspaces
                    .iter()
                    .map(|p| (p.as_path(), Access::ReadWrite)),
            )
    }
}

/// System directories a build needs to read: binaries, libraries,
/// configuration, `/proc` and `/sys` (for CPU counts and cgroup limits).
/// `/etc` holds a few secrets (`/etc/shadow`, host keys); they are in
/// [`default_denied`] and get masked.
pub fn default_system_read_only() -> Vec<PathBuf> {
    abs(&[
        "/usr",
        "/bin",
        "/sbin",
        "/lib",
        "/lib32",
        "/lib64",
        "/libx32",
        "/etc",
        "/opt",
        "/proc",
        "/sys",
        "/nix/store",
        "/snap",
    ])
}

/// Toolchains and configuration under home that builds read but must not
/// change: rustup, cargo's binaries and config, nvm, pyenv, local binaries,
/// git's user configuration.
pub fn default_home_read_only(home: &Path) -> Vec<PathBuf> {
    under(
        home,
        &[
            ".rustup",
            ".cargo/bin",
            ".cargo/config.toml",
            ".cargo/config",
            ".nvm",
            ".pyenv",
            ".local/bin",
            ".local/lib",
            ".gitconfig",
            ".config/git",
            ".bun/bin",
            ".deno/bin",
            "go/bin",
        ],
    )
}

/// Package caches under home that builds write: cargo's registry and git
/// checkouts and its package-cache lock files, npm's and yarn's caches,
/// pip's, Go's module cache. `~/.cargo` itself is not granted, because
/// `~/.cargo/credentials.toml` holds the registry token; cargo therefore
/// warns that it cannot record last-use data in `~/.cargo/.global-cache`
/// (it cannot create the database's journal next to it), and carries on.
pub fn default_home_read_write(home: &Path) -> Vec<PathBuf> {
    under(
        home,
        &[
            ".cargo/registry",
            ".cargo/git",
            ".cargo/.package-cache",
            ".cargo/.package-cache-mutate",
            ".cargo/.global-cache",
            ".npm",
            ".cache/yarn",
            ".cache/pip",
            ".cache/go-build",
            "go/pkg/mod",
        ],
    )
}

/// Device files: the null and random devices, the terminal, ptys.
pub fn default_devices() -> Vec<PathBuf> {
    abs(&[
        "/dev/null",
        "/dev/zero",
        "/dev/full",
        "/dev/random",
        "/dev/urandom",
        "/dev/tty",
        "/dev/ptmx",
        "/dev/pts",
    ])
}

/// Secret stores and credential files that must never be reachable: ssh,
/// cloud and cluster credentials, GPG, package-registry tokens, git and
/// GitHub CLI credentials, keyrings, password stores, browser profiles,
/// and the system's own secrets.
pub fn default_denied(home: &Path) -> Vec<PathBuf> {
    let mut v = under(
        home,
        &[
            ".ssh",
            ".aws",
            ".gnupg",
            ".config/gcloud",
            ".azure",
            ".kube",
            ".docker",
            ".netrc",
            ".git-credentials",
            ".npmrc",
            ".yarnrc",
            ".pypirc",
            ".cargo/credentials",
            ".cargo/credentials.toml",
            ".config/gh",
            ".config/hub",
            ".config/op",
            ".password-store",
            ".local/share/keyrings",
            ".vault-token",
            ".terraform.d/credentials.tfrc.json",
            ".pgpass",
            ".my.cnf",
            ".mozilla",
            ".config/google-chrome",
            ".config/chromium",
            ".config/BraveSoftware",
            ".config/microsoft-edge",
            ".bash_history",
            ".zsh_history",
            ".python_history",
            ".node_repl_history",
        ],
    );
    v.extend(abs(&[
        "/etc/shadow",
        "/etc/shadow-",
        "/etc/gshadow",
        "/etc/gshadow-",
        "/etc/ssh",
        "/etc/ssl/private",
        "/etc/sudoers",
        "/etc/sudoers.d",
    ]));
    v
}

/// The assistant's governance files under home: Claude Code's user
/// settings (where warden's hooks are registered) and its hooks, commands
/// and agents directories.
pub fn default_governance(home: &Path) -> Vec<PathBuf> {
    under(
        home,
        &[
            ".claude/settings.json",
            ".claude/settings.local.json",
            ".claude/hooks",
            ".claude/commands",
            ".claude/agents",
        ],
    )
}

/// Governance paths inside each workspace: git hooks and configuration
/// (which can set `core.hooksPath`, aliases or a pager), the assistant's
/// project settings and MCP servers, and editor tasks that run on open.
pub fn default_workspace_governance() -> Vec<PathBuf> {
    abs(&[
        ".git/hooks",
        ".git/config",
        ".claude/settings.json",
        ".claude/settings.local.json",
        ".claude/hooks",
        ".mcp.json",
        ".vscode/settings.json",
        ".vscode/tasks.json",
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_round_trip_and_defaults() {
        let p = Profile::standard(
            Path::new("/home/u"),
            Path::new("/home/u/src/app"),
            &[PathBuf::from("/home/u/.claude")],
        );
        let json = serde_json::to_string(&p).expect("serialize");
        let back: Profile = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, p);
        // A minimal profile file: everything else takes its secure default.
        let min: Profile = serde_json::from_str(
            r#"{"workspaces": ["/w"], "network": {"connect_tcp_ports": [8080]}, "required": ["fs_allow_list", "seccomp"]}"#,
        )
        .expect("minimal");
        assert_eq!(min.workspaces, [PathBuf::from("/w")]);
        assert!(!min.network.unix_sockets);
        assert!(min.process.drop_capabilities);
        assert_eq!(min.required.len(), 2);
        assert!(!min.env.remove.is_empty());
        // Typos are errors, not silently ignored settings.
        assert!(serde_json::from_str::<Profile>(r#"{"workspace": ["/w"]}"#).is_err());
    }

    #[test]
    fn standard_profile_never_grants_home_and_denies_credentials() {
        let home = Path::new("/home/u");
        let p = Profile::standard(home, Path::new("/home/u/src/app"), &[]);
        assert!(p.grants().all(|(g, _)| g != home && !home.starts_with(g)));
        for d in [
            ".ssh",
            ".aws",
            ".gnupg",
            ".cargo/credentials.toml",
            ".netrc",
        ] {
            assert!(p.denied.contains(&home.join(d)), "{d}");
        }
        assert!(!p.read_write.contains(&home.join(".cargo")));
    }
}
