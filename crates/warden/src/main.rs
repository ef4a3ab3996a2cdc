//! `warden`: govern AI coding assistants as non-human identities.
//!
//! This binary is the edge: it parses arguments, loads state from
//! `$WARDEN_HOME`, calls the one decision function in `warden-engine`, and
//! prints. Errors end here as one-line messages (anyhow stays at this edge).

mod audit;
mod check;
mod cli;
mod client;
mod commands;
mod daemon;
mod hook;
mod install;
mod launcher;
mod posture;
mod registry;
mod run;
mod session;
mod sessions_cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let is_hook = matches!(cli.command, cli::Command::Hook(_));
    if is_hook {
        // An assistant proceeds on a crash (exit 101), so a hook that
        // panics anywhere must exit 2 instead, without printing the panic
        // message (it could quote input).
        std::panic::set_hook(Box::new(|_| {
            eprintln!("warden: internal error in the hook; denied to stay safe");
            std::process::exit(2);
        }));
    }
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) if is_hook => {
            let mut line = format!("warden: {error:#}; denied to stay safe");
            line.retain(|c| c != '\n' && c != '\r');
            eprintln!("{}", warden_classify::secrets::redact(&line));
            ExitCode::from(2)
        }
        Err(error) => {
            // One line, never a secret: our errors name paths and policies,
            // not file contents.
            let mut line = format!("warden: {error:#}");
            line.retain(|c| c != '\n' && c != '\r');
            eprintln!("{line}");
            ExitCode::from(1)
        }
    }
}
