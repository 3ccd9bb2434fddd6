//! What the end-to-end tests share: the binary's path, the timeouts, temporary directories
//! and scripts, the skip messages for missing tools, the turn every test takes, and
//!
//! - [`server`]: one launcher of `cyberdrill serve` (logs to files or pipes, its own process
//!   group, extra arguments, a journal or `--resume`, a wrapper, a file size limit);
//! - [`tmux`]: one terminal, a tmux session on a server private to the test (a size, keys,
//!   the screen, waiting for text with a timeout, kill).

pub mod server;
pub mod tmux;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_cyberdrill");

/// How long a screen, a log line or an exit may take (a debug build on a busy two-core
/// machine, with other builds running).
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The tests of this binary run in parallel threads, except those that measure time and
/// memory (`serve_faults`): they take [`alone`], every other test takes [`alongside`], so a
/// measuring test never shares the machine with another test of this binary.
static TURN: RwLock<()> = RwLock::new(());

/// A turn shared with the other tests (held for the whole test).
pub fn alongside() -> RwLockReadGuard<'static, ()> {
    TURN.read().unwrap_or_else(|e| e.into_inner())
}

/// A turn alone: no other test of this binary runs meanwhile.
#[allow(dead_code)] // used only on Linux (serve_faults)
pub fn alone() -> RwLockWriteGuard<'static, ()> {
    TURN.write().unwrap_or_else(|e| e.into_inner())
}

/// The tools of `tools` (name, an argument that makes it exit at once) that cannot be run.
pub fn missing_tools(tools: &[(&'static str, &str)]) -> Vec<&'static str> {
    tools
        .iter()
        .filter(|(tool, arg)| {
            // `ssh-keygen -?` prints its usage and exits 1: being able to run it is enough.
            Command::new(tool)
                .arg(arg)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_err()
        })
        .map(|(tool, _)| *tool)
        .collect()
}

/// A test's temporary directory, named after the test.
pub fn temp_dir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .expect("temp dir")
}

/// Writes an executable script (mode 0700).
pub fn write_script(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
            .expect("chmod script");
    }
}
