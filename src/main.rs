use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    restore_sigpipe();
    let cli = cyberdrill::cli::Cli::parse();
    ExitCode::from(cyberdrill::cli::run(cli))
}

/// `cyberdrill run … | head` should end quietly when the reader goes away, as other Unix
/// tools do, rather than fail on a broken pipe: restore the default SIGPIPE action that the
/// Rust runtime replaces with "ignore".
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called once at start-up, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
