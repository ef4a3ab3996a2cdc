//! Scheduling, services, processes and secret managers.

use super::opts;
use super::{Analyzer, Flow, Word};
use warden_action::Class;

impl Analyzer<'_, '_> {
    pub(crate) fn crontab(&mut self, args: &[Word]) -> Flow {
        let parsed = opts::parse(args, &["-u"], false);
        if parsed.has(&["-l"]) && parsed.pos.is_empty() {
            self.ctx
                .add(Class::ReadOnly, "`crontab -l` lists scheduled jobs");
            return Flow::default();
        }
        for file in &parsed.pos {
            if file.text() != "-" {
                let file = file.clone();
                self.read_word(&file);
            }
        }
        self.ctx
            .add(Class::Persistence, "`crontab` changes scheduled jobs");
        Flow::default()
    }

    pub(crate) fn systemctl(&mut self, name: &str, args: &[Word]) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "-H",
                "--host",
                "-M",
                "--machine",
                "-t",
                "--type",
                "--state",
                "-p",
                "--property",
                "-n",
                "--lines",
                "-o",
                "--output",
                "--signal",
                "-s",
                "--root",
            ],
            false,
        );
        let pos = parsed.pos_text();
        let (verb, units): (String, Vec<String>) = if name == "service" {
            (
                pos.get(1).cloned().unwrap_or_default(),
                pos.first().cloned().into_iter().collect(),
            )
        } else {
            (
                pos.first().cloned().unwrap_or_default(),
                pos.iter().skip(1).cloned().collect(),
            )
        };
        let touches_warden = units.iter().any(|u| u.contains("warden"));
        match verb.as_str() {
            "status" | "show" | "list-units" | "list-unit-files" | "list-timers"
            | "list-sockets" | "is-active" | "is-enabled" | "is-failed" | "cat"
            | "list-dependencies" | "help" | "--version" | "" | "get-default"
            | "show-environment" => {
                self.ctx
                    .add(Class::ReadOnly, format!("`{name} {verb}` only reads"));
            }
            "enable" | "link" | "preset" | "preset-all" | "set-default" | "add-wants"
            | "add-requires" | "edit" | "set-property" | "daemon-reload" | "reenable"
            | "set-environment" | "import-environment" => {
                self.ctx.add(
                    Class::Persistence,
                    format!("`{name} {verb}` registers programs to start later"),
                );
            }
            "disable" | "mask" | "unmask" | "revert" => {
                if touches_warden {
                    self.ctx.add(
                        Class::GovernanceTamper,
                        format!("`{name} {verb}` disables warden"),
                    );
                } else {
                    self.ctx.add(
                        Class::Persistence,
                        format!("`{name} {verb}` changes what starts at boot"),
                    );
                }
            }
            _ => {
                if touches_warden {
                    self.ctx.add(
                        Class::GovernanceTamper,
                        format!("`{name} {verb}` controls warden's own service"),
                    );
                } else {
                    self.ctx.add(
                        Class::ProcessControl,
                        format!("`{name} {verb}` controls services"),
                    );
                }
            }
        }
        if parsed.has(&["--now"]) && verb == "enable" {
            self.ctx
                .add(Class::ProcessControl, "starts the service now");
        }
        Flow::default()
    }

    pub(crate) fn kill(&mut self, name: &str, args: &[Word]) -> Flow {
        let parsed = opts::parse(
            args,
            &["-s", "-n", "--signal", "-u", "-U", "-g", "-G", "-t", "-P"],
            false,
        );
        if parsed.has(&["-l", "-L", "--list", "--table"]) && parsed.pos.is_empty() {
            self.ctx.add(Class::ReadOnly, "lists signals");
            return Flow::default();
        }
        let mut aims_at_warden = false;
        for target in &parsed.pos {
            match &target.value {
                Some(text) if text.contains("warden") => aims_at_warden = true,
                Some(text) if name == "kill" && matches!(text.as_str(), "-1" | "0") => {
                    aims_at_warden = true;
                }
                Some(_) => {}
                None => {
                    if self.targets_warden {
                        aims_at_warden = true;
                    }
                }
            }
        }
        if aims_at_warden {
            self.ctx.add(
                Class::GovernanceTamper,
                format!("`{name}` is aimed at warden's processes"),
            );
        } else {
            self.ctx
                .add(Class::ProcessControl, format!("`{name}` signals processes"));
        }
        Flow::default()
    }

    pub(crate) fn secret_tool(&mut self, name: &str, args: &[Word]) -> Flow {
        let texts: Vec<&str> = args
            .iter()
            .map(Word::text)
            .filter(|t| !t.starts_with('-'))
            .collect();
        let first = texts.first().copied().unwrap_or("");
        let listing = match name {
            "security" => matches!(
                first,
                "list-keychains" | "default-keychain" | "show-keychain-info" | "verify-cert"
            ),
            "pass" | "gopass" => {
                matches!(first, "ls" | "list" | "find" | "search" | "grep" | "")
                    && !args.iter().any(|a| a.text() == "-c")
            }
            "op" => {
                matches!(first, "whoami" | "--version" | "account" | "vault")
                    || (first == "item" && texts.get(1) == Some(&"list"))
            }
            "ssh-add" => args.iter().any(|a| matches!(a.text(), "-l" | "-L")),
            "vault" => {
                matches!(first, "status" | "version" | "policy" | "secrets" | "auth")
                    && texts.get(1).is_none_or(|v| *v == "list")
            }
            "sops" => {
                !args
                    .iter()
                    .any(|a| matches!(a.text(), "-d" | "--decrypt" | "exec-env" | "exec-file"))
                    && first != "exec-env"
                    && first != "decrypt"
            }
            _ => false,
        };
        if listing {
            self.ctx.add(
                Class::ReadOnly,
                format!("`{name} {first}` lists entries without revealing them"),
            );
            return Flow::default();
        }
        if name == "sops" {
            self.write_targets(args, 0);
            return Flow::default();
        }
        self.ctx.add(
            Class::SecretAccess,
            format!("`{name}` reads or changes stored secrets"),
        );
        Flow {
            secret: true,
            ..Flow::default()
        }
    }
}
