//! Terminals for the tests: sessions on a tmux server private to one test.
//!
//! [`Tmux::new`] names a tmux server whose socket is in the test's directory (the user's
//! tmux is never touched, and tests run in parallel); [`Tmux::open`] starts a command in a
//! detached session of a given size, a [`Term`]. The server, and every session on it, is
//! killed when the last handle on it ([`Tmux`] or [`Term`]) is dropped, also on failure.
//! Screens are polled with a timeout, never read after a fixed sleep.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::TIMEOUT;

/// The size of a terminal unless told: 120 columns, 40 rows.
pub const COLS: u16 = 120;
pub const ROWS: u16 = 40;

/// A tmux server private to one test; cheap to clone.
#[derive(Clone)]
pub struct Tmux(Arc<Socket>);

struct Socket {
    path: PathBuf,
    dir: PathBuf,
}

impl Drop for Socket {
    fn drop(&mut self) {
        let _ = tmux_at(&self.path, &["kill-server"]);
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Runs tmux on the private server at `socket` (no configuration file; the test runner's
/// tmux and SSH agent do not leak into the clients' terminals).
pub fn tmux_at(socket: &Path, args: &[&str]) -> Output {
    Command::new("tmux")
        .arg("-f")
        .arg("/dev/null")
        .arg("-S")
        .arg(socket)
        .args(args)
        .env_remove("TMUX")
        .env_remove("SSH_AUTH_SOCK")
        .output()
        .expect("run tmux")
}

impl Tmux {
    /// A server with its socket `tmux.sock` in `dir`; its sessions start in `dir`.
    pub fn new(dir: &Path) -> Tmux {
        Tmux::at(&dir.join("tmux.sock"), dir)
    }

    /// A server with its socket at `socket`; its sessions start in `dir`.
    pub fn at(socket: &Path, dir: &Path) -> Tmux {
        Tmux(Arc::new(Socket {
            path: socket.to_path_buf(),
            dir: dir.to_path_buf(),
        }))
    }

    /// Runs tmux on this server.
    pub fn tmux(&self, args: &[&str]) -> Output {
        tmux_at(&self.0.path, args)
    }

    /// Starts `command` (a shell command line) in a detached 120×40 session named `name`.
    pub fn open(&self, name: &str, command: &str) -> Term {
        self.open_sized(name, COLS, ROWS, command)
    }

    /// Starts `command` in a detached session of `cols`×`rows` named `name`.
    pub fn open_sized(&self, name: &str, cols: u16, rows: u16, command: &str) -> Term {
        let out = self.tmux(&[
            "new-session",
            "-d",
            "-x",
            &cols.to_string(),
            "-y",
            &rows.to_string(),
            "-s",
            name,
            "-c",
            &self.0.dir.display().to_string(),
            command,
        ]);
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Keep the window at its size although no client is attached.
        self.tmux(&["set-option", "-t", name, "window-size", "manual"]);
        Term {
            tmux: self.clone(),
            session: name.to_string(),
        }
    }
}

/// One terminal: a tmux session (it keeps its tmux server alive).
#[derive(Clone)]
pub struct Term {
    tmux: Tmux,
    session: String,
}

impl Term {
    /// The visible pane as text.
    pub fn screen(&self) -> String {
        let out = self.tmux.tmux(&["capture-pane", "-p", "-t", &self.session]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Sends tmux key names (`Enter`, `Escape`, `Space`, `q`, …).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.session];
        args.extend_from_slice(keys);
        let out = self.tmux.tmux(&args);
        assert!(out.status.success(), "send-keys {keys:?} failed");
    }

    /// Types text literally.
    pub fn type_text(&self, text: &str) {
        let out = self
            .tmux
            .tmux(&["send-keys", "-t", &self.session, "-l", text]);
        assert!(out.status.success(), "send-keys -l {text:?} failed");
    }

    /// Waits until the screen satisfies `ok` and has settled (two captures 50 ms apart are
    /// the same, so a frame caught half-drawn is not taken); panics with the last screen
    /// after the timeout. Only for a stopped clock: a running one redraws the header on
    /// every tick.
    pub fn wait(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.wait_within(TIMEOUT, true, &ok)
            .unwrap_or_else(|screen| self.timed_out(what, &screen))
    }

    /// As [`Term::wait`], but takes the first screen that satisfies `ok`: for a running
    /// clock, whose screens never settle.
    pub fn wait_running(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.wait_within(TIMEOUT, false, &ok)
            .unwrap_or_else(|screen| self.timed_out(what, &screen))
    }

    fn timed_out(&self, what: &str, screen: &str) -> ! {
        panic!(
            "[{}] timed out waiting for {what}; the screen was:\n{screen}",
            self.session
        )
    }

    /// Polls the screen until `ok` (and, with `settle`, two captures 50 ms apart agree);
    /// returns the last screen as an error after `limit`.
    pub fn wait_within(
        &self,
        limit: Duration,
        settle: bool,
        ok: &dyn Fn(&str) -> bool,
    ) -> Result<String, String> {
        let start = Instant::now();
        let mut previous = String::new();
        loop {
            let screen = self.screen();
            if ok(&screen) && (!settle || screen == previous) {
                return Ok(screen);
            }
            previous = screen.clone();
            if start.elapsed() > limit {
                return Err(screen);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for a settled screen that contains `needle`.
    pub fn wait_for(&self, needle: &str) -> String {
        self.wait(&format!("`{needle}`"), |s| s.contains(needle))
    }

    /// Waits for the first screen that contains `needle` (a running clock).
    pub fn wait_for_running(&self, needle: &str) -> String {
        self.wait_running(&format!("`{needle}`"), |s| s.contains(needle))
    }

    /// The pid of the pane's shell.
    pub fn pane_pid(&self) -> u32 {
        let out = self
            .tmux
            .tmux(&["list-panes", "-t", &self.session, "-F", "#{pane_pid}"]);
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("pane pid")
    }

    /// The children of the pane's shell (Linux lists a task's children in /proc; `pgrep`
    /// elsewhere).
    pub fn shell_children(&self) -> Vec<u32> {
        let shell = self.pane_pid();
        let listed = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"));
        let text = match listed {
            Ok(text) => text,
            Err(_) => Command::new("pgrep")
                .arg("-P")
                .arg(shell.to_string())
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_default(),
        };
        text.split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect()
    }

    /// The first child of the pane's shell whose command line satisfies `ok` (its
    /// arguments as read from /proc, separated by NUL bytes).
    pub fn child_pid(&self, ok: impl Fn(&[u8]) -> bool) -> Option<u32> {
        self.shell_children().into_iter().find(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|c| ok(&c))
                .unwrap_or(false)
        })
    }

    /// Resizes the terminal, as a player dragging the window's corner.
    pub fn resize(&self, cols: u16, rows: u16) {
        let out = self.tmux.tmux(&[
            "resize-window",
            "-t",
            &self.session,
            "-x",
            &cols.to_string(),
            "-y",
            &rows.to_string(),
        ]);
        assert!(out.status.success(), "resize-window failed");
    }

    /// Whether the pane's terminal is in the alternate screen (a full-screen program's).
    pub fn alternate_screen(&self) -> bool {
        let out = self.tmux.tmux(&[
            "display-message",
            "-p",
            "-t",
            &self.session,
            "#{alternate_on}",
        ]);
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }

    /// Ends the session (the others on the server go on).
    #[allow(dead_code)] // every test so far ends its sessions with the server
    pub fn kill(&self) {
        let _ = self.tmux.tmux(&["kill-session", "-t", &self.session]);
    }
}
