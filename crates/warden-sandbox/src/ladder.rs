//! The capability ladder: which controls this host can enforce.
//!
//! [`probe`] asks the kernel (Landlock ABI version, seccomp actions, whether
//! a user or mount namespace can be created here) without restricting the
//! calling process. [`Ladder::check_required`] and [`Ladder::check_plan`]
//! turn a missing required control into a [`Refusal`] that names it and
//! says why; `warden doctor` prints [`Ladder::render`].

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::{Control, Missing, Plan, Profile, Refusal};

/// What the host provides, as measured by [`probe`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostFacts {
    /// Landlock ABI version (0: none).
    pub landlock_abi: u32,
    /// seccomp-bpf with the `errno` action.
    pub seccomp: bool,
    /// An unprivileged user namespace can be created.
    pub user_namespaces: bool,
    /// A private mount namespace with masks can be set up (as root
    /// directly, otherwise through a user namespace).
    pub mount_masking: bool,
    /// The launcher runs as root.
    pub privileged: bool,
    /// Whether this OS has an enforcement backend at all.
    pub supported_os: bool,
}

/// One rung: a control and whether this host provides it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rung {
    /// The control.
    pub control: Control,
    /// Whether it can be enforced here.
    pub available: bool,
    /// The evidence, or why not.
    pub detail: String,
}

/// Every control and whether this host provides it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ladder {
    /// The measured facts.
    pub facts: HostFacts,
    /// One rung per [`Control`], in [`Control::ALL`] order.
    pub rungs: Vec<Rung>,
}

impl Ladder {
    /// Derive the rungs from measured (or, in tests, assumed) facts.
    pub fn from_facts(facts: HostFacts) -> Ladder {
        let abi = facts.landlock_abi;
        let os = |ok: bool, yes: String, no: String| {
            if !facts.supported_os {
                (
                    false,
                    "kernel enforcement is implemented for Linux only".to_string(),
                )
            } else if ok {
                (true, yes)
            } else {
                (false, no)
            }
        };
        let rungs = Control::ALL
            .iter()
            .map(|&control| {
                let (available, detail) = match control {
                    Control::FsAllowList => os(
                        abi >= 1,
                        format!("Landlock ABI {abi}"),
                        "Landlock is not available (kernel older than 5.13, or not enabled in the `lsm=` boot list)".into(),
                    ),
                    Control::TcpPorts => os(
                        abi >= 4,
                        format!("Landlock ABI {abi} filters TCP bind/connect by port"),
                        format!("needs Landlock ABI 4 (Linux 6.7); this kernel has ABI {abi}"),
                    ),
                    Control::IpcScope => os(
                        abi >= 6,
                        format!("Landlock ABI {abi} scopes signals and abstract Unix sockets"),
                        format!("needs Landlock ABI 6 (Linux 6.12); this kernel has ABI {abi}"),
                    ),
                    Control::Seccomp => os(
                        facts.seccomp,
                        "seccomp-bpf with the errno action".into(),
                        "seccomp filtering is not available in this kernel".into(),
                    ),
                    Control::NoNewPrivs => os(
                        true,
                        "prctl(PR_SET_NO_NEW_PRIVS)".into(),
                        String::new(),
                    ),
                    Control::Masking => os(
                        facts.mount_masking,
                        if facts.privileged {
                            "private mount namespace (root)".into()
                        } else {
                            "private mount namespace inside an unprivileged user namespace".into()
                        },
                        if facts.privileged {
                            "cannot create a private mount namespace (missing CAP_SYS_ADMIN?)".into()
                        } else {
                            "unprivileged user namespaces are disabled here (sysctl or AppArmor), so nothing can be masked".into()
                        },
                    ),
                    Control::DropCapabilities => os(
                        true,
                        if facts.privileged {
                            "root's capability sets are cleared before exec".into()
                        } else {
                            "not root: no capabilities to drop".into()
                        },
                        String::new(),
                    ),
                };
                Rung {
                    control,
                    available,
                    detail,
                }
            })
            .collect();
        Ladder { facts, rungs }
    }

    /// The rung for `control`.
    pub fn rung(&self, control: Control) -> &Rung {
        // from_facts builds one rung per control in ALL order.
        let i = Control::ALL.iter().position(|c| *c == control).unwrap_or(0);
        &self.rungs[i]
    }

    /// Whether `control` can be enforced here.
    pub fn available(&self, control: Control) -> bool {
        self.rung(control).available
    }

    fn check(&self, required: impl Iterator<Item = Control>) -> Result<(), Refusal> {
        let missing: Vec<Missing> = required
            .filter(|c| !self.available(*c))
            .map(|c| Missing {
                control: c,
                why: self.rung(c).detail.clone(),
            })
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Refusal { missing })
        }
    }

    /// Refuse when `profile` requires a control this host lacks. Strict:
    /// [`Control::Masking`] counts as needed whenever it is required (use
    /// [`Ladder::check_plan`] to require it only when there is something to
    /// mask).
    pub fn check_required(&self, profile: &Profile) -> Result<(), Refusal> {
        self.check(profile.required.iter().copied())
    }

    /// Refuse when `plan` needs a required control this host lacks:
    /// [`Control::Masking`] only when the plan has masks.
    pub fn check_plan(&self, plan: &Plan) -> Result<(), Refusal> {
        self.check(
            plan.profile
                .required
                .iter()
                .copied()
                .filter(|c| *c != Control::Masking || plan.needs_masking()),
        )
    }

    /// A human-readable table for `warden doctor`.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "sandbox controls on this host (Landlock ABI {}, {}):",
            self.facts.landlock_abi,
            if self.facts.privileged {
                "running as root"
            } else {
                "unprivileged"
            }
        );
        for r in &self.rungs {
            let _ = writeln!(
                s,
                "  [{}] {:<18} {}",
                if r.available { "ok" } else { "--" },
                r.control.name(),
                r.detail
            );
        }
        s
    }
}

/// Measure this host. Forks two short-lived children (to try a user
/// namespace and a masked mount namespace) and restricts nothing in the
/// calling process.
pub fn probe() -> Ladder {
    Ladder::from_facts(host_facts())
}

#[cfg(target_os = "linux")]
fn host_facts() -> HostFacts {
    crate::linux::host_facts()
}

#[cfg(not(target_os = "linux"))]
fn host_facts() -> HostFacts {
    HostFacts {
        landlock_abi: 0,
        seccomp: false,
        user_namespaces: false,
        mount_masking: false,
        privileged: false,
        supported_os: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(abi: u32) -> HostFacts {
        HostFacts {
            landlock_abi: abi,
            seccomp: true,
            user_namespaces: false,
            mount_masking: false,
            privileged: false,
            supported_os: true,
        }
    }

    #[test]
    fn old_kernel_refuses_tcp_ports_with_a_clear_message() {
        let ladder = Ladder::from_facts(facts(3));
        let profile = Profile::default();
        let refusal = ladder.check_required(&profile).unwrap_err();
        let controls: Vec<_> = refusal.missing.iter().map(|m| m.control).collect();
        assert_eq!(controls, [Control::TcpPorts, Control::Masking]);
        let msg = refusal.to_string();
        assert!(msg.contains("refusing to start"), "{msg}");
        assert!(msg.contains("tcp_ports"), "{msg}");
        assert!(msg.contains("needs Landlock ABI 4"), "{msg}");
        assert!(msg.contains("this kernel has ABI 3"), "{msg}");
    }

    #[test]
    fn dropping_a_requirement_is_explicit() {
        let ladder = Ladder::from_facts(facts(3));
        let mut profile = Profile::default();
        profile.required.remove(&Control::TcpPorts);
        profile.required.remove(&Control::Masking);
        assert!(ladder.check_required(&profile).is_ok());
    }

    #[test]
    fn no_landlock_refuses_everything_landlock_gives() {
        let ladder = Ladder::from_facts(facts(0));
        let refusal = ladder.check_required(&Profile::default()).unwrap_err();
        assert!(refusal
            .missing
            .iter()
            .any(|m| m.control == Control::FsAllowList));
    }

    #[test]
    fn other_os_has_nothing() {
        let mut f = facts(7);
        f.supported_os = false;
        let ladder = Ladder::from_facts(f);
        assert!(ladder.rungs.iter().all(|r| !r.available));
        assert!(ladder.render().contains("Linux only"));
    }
}
