//! `warden`: govern AI coding assistants as non-human identities.
//!
//! This binary is the edge: it parses arguments, loads state from
//! `$WARDEN_HOME`, calls the one decision function in `warden-engine`, and
//! prints. Errors end here as one-line messages (anyhow stays at this edge).

mod check;
mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
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
