use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cyberdrill::cli::Cli::parse();
    ExitCode::from(cyberdrill::cli::run(cli))
}
