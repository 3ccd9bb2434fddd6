//! The command-line interface: argument types and one function per subcommand.
//!
//! `main.rs` only parses and dispatches; each subcommand returns the process exit code.

pub mod check;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Exit code for a valid run.
pub const EXIT_OK: u8 = 0;
/// Exit code when an input is invalid (a scenario with errors, a corrupt journal).
pub const EXIT_INVALID: u8 = 1;
/// Exit code for usage and I/O errors.
pub const EXIT_USAGE: u8 = 2;

/// cyberdrill: a tabletop cyber-crisis exercise simulator.
#[derive(Debug, Parser)]
#[command(name = "cyberdrill", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check scenario files: exit 0 if all are valid, 1 if any is invalid, 2 on I/O errors.
    Check {
        /// Scenario files (RON).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Output format: human-readable diagnostics, or JSON for editors.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

/// How `check` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// Runs the parsed command; returns the exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check { files, format } => check::run(&files, format),
    }
}
