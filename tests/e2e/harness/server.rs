//! A `cyberdrill serve` started by a test: one launcher for every test that needs a server.
//!
//! [`Server::launch`] in a directory gives a [`Launch`] to which a test adds what it needs
//! (the scenario, teams file, journal or `--resume`, more options; logs to files or to
//! pipes; its own process group; a wrapper program; a file size limit), then
//! [`Launch::start`] runs it on a port the OS picks and waits for its `Listening on` line.
//! The server is killed on drop if still running (with its process group when it has one).

use std::ffi::OsString;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{BIN, TIMEOUT};

/// Where the server's output goes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Logs {
    /// `serve.out` and `serve.err` in the test's directory (they stay for a post-mortem).
    Files,
    /// Pipes read line by line as they come (nothing on the disk: for a full-disk test).
    Pipes,
}

/// A server to be started: `cyberdrill serve --listen 127.0.0.1:0 ARGS…` in a directory.
pub struct Launch {
    dir: PathBuf,
    args: Vec<OsString>,
    journal: PathBuf,
    logs: Logs,
    process_group: bool,
    wrapper: Vec<OsString>,
    file_limit: Option<u64>,
    timeout: Duration,
}

impl Launch {
    /// One more argument of `serve`.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Launch {
        self.args.push(arg.into());
        self
    }

    /// More arguments of `serve`.
    pub fn args<S: Into<OsString>>(mut self, args: impl IntoIterator<Item = S>) -> Launch {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// `--journal PATH` (and [`Server::journal`] is that path).
    pub fn journal(mut self, path: impl AsRef<Path>) -> Launch {
        let path = path.as_ref().to_path_buf();
        self.args.push("--journal".into());
        self.args.push(path.clone().into());
        self.journal = path;
        self
    }

    /// `--resume PATH` (and [`Server::journal`] is that path).
    pub fn resume(mut self, path: impl AsRef<Path>) -> Launch {
        let path = path.as_ref().to_path_buf();
        self.args.push("--resume".into());
        self.args.push(path.clone().into());
        self.journal = path;
        self
    }

    /// Where the output goes ([`Logs::Files`] unless told).
    pub fn logs(mut self, logs: Logs) -> Launch {
        self.logs = logs;
        self
    }

    /// The server leads a process group of its own, killed as a whole on drop.
    pub fn process_group(mut self) -> Launch {
        self.process_group = true;
        self
    }

    /// Runs `PROGRAM ARGS… cyberdrill serve …` instead: the server is then the wrapper's
    /// child, whose pid [`Server::pid`] gives once it listens.
    pub fn wrapped_in<S: Into<OsString>>(mut self, program: impl IntoIterator<Item = S>) -> Launch {
        self.wrapper = program.into_iter().map(Into::into).collect();
        self
    }

    /// A file size limit (RLIMIT_FSIZE) on the server.
    pub fn file_size_limit(mut self, bytes: u64) -> Launch {
        self.file_limit = Some(bytes);
        self
    }

    /// How long start-up and [`Server::wait_log`] may take ([`TIMEOUT`] unless told).
    pub fn timeout(mut self, timeout: Duration) -> Launch {
        self.timeout = timeout;
        self
    }

    /// Starts the server and waits for its `Listening on` line; panics with its output if it
    /// exits first or does not listen in time.
    pub fn start(self) -> Server {
        let mut server = self.spawn();
        if let Err(status) = server.wait_listening() {
            panic!(
                "serve exited ({status}) before listening\n{}",
                server.log_tail()
            );
        }
        server
    }

    /// Starts the server without waiting for anything.
    pub fn spawn(self) -> Server {
        let mut serve: Vec<OsString> = vec!["serve".into()];
        serve.extend(["--listen", "127.0.0.1:0"].map(OsString::from));
        serve.extend(self.args);
        let mut command = match self.wrapper.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(BIN).args(&serve);
                c
            }
            None => {
                let mut c = Command::new(BIN);
                c.args(&serve);
                c
            }
        };
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            if self.process_group {
                command.process_group(0);
            }
            if let Some(bytes) = self.file_limit {
                // SAFETY: only setrlimit between fork and exec.
                unsafe {
                    command.pre_exec(move || {
                        let limit = libc::rlimit {
                            rlim_cur: bytes,
                            rlim_max: bytes,
                        };
                        libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
                        Ok(())
                    });
                }
            }
        }
        command.current_dir(&self.dir).stdin(Stdio::null());
        let log = match self.logs {
            Logs::Files => {
                let stdout = self.dir.join("serve.out");
                let stderr = self.dir.join("serve.err");
                command
                    .stdout(File::create(&stdout).expect("create serve.out"))
                    .stderr(File::create(&stderr).expect("create serve.err"));
                Log::Files { stdout, stderr }
            }
            Logs::Pipes => {
                command.stdout(Stdio::piped()).stderr(Stdio::piped());
                Log::Pipes {
                    stdout: Arc::default(),
                    stderr: Arc::default(),
                }
            }
        };
        let mut child = command.spawn().expect("start cyberdrill serve");
        if let Log::Pipes { stdout, stderr } = &log {
            for (pipe, kept) in [
                (
                    Box::new(child.stdout.take().expect("stdout")) as Box<dyn Read + Send>,
                    stdout.clone(),
                ),
                (
                    Box::new(child.stderr.take().expect("stderr")) as Box<dyn Read + Send>,
                    stderr.clone(),
                ),
            ] {
                std::thread::spawn(move || {
                    for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                        kept.lock().unwrap().push(line);
                    }
                });
            }
        }
        Server {
            pid: child.id(),
            child,
            port: 0,
            fingerprint: String::new(),
            journal: self.journal,
            log,
            wrapped: !self.wrapper.is_empty(),
            process_group: self.process_group,
            timeout: self.timeout,
        }
    }
}

enum Log {
    Files {
        stdout: PathBuf,
        stderr: PathBuf,
    },
    Pipes {
        stdout: Arc<Mutex<Vec<String>>>,
        stderr: Arc<Mutex<Vec<String>>>,
    },
}

/// A running `cyberdrill serve`; killed on drop if still running.
pub struct Server {
    child: Child,
    pid: u32,
    port: u16,
    fingerprint: String,
    journal: PathBuf,
    log: Log,
    wrapped: bool,
    process_group: bool,
    timeout: Duration,
}

impl Server {
    /// A server to start in `dir` (the test's directory).
    pub fn launch(dir: &Path) -> Launch {
        Launch {
            dir: dir.to_path_buf(),
            args: Vec::new(),
            journal: PathBuf::new(),
            logs: Logs::Files,
            process_group: false,
            wrapper: Vec::new(),
            file_limit: None,
            timeout: TIMEOUT,
        }
    }

    /// Waits for the `Listening on` line (its port, and the host key's fingerprint); the exit
    /// status if the server exits first; panics after the timeout.
    pub fn wait_listening(&mut self) -> Result<(), ExitStatus> {
        let start = Instant::now();
        loop {
            let log = self.log();
            let port = log
                .lines()
                .find_map(|l| l.strip_prefix("Listening on 127.0.0.1:"))
                .and_then(|p| p.trim().parse().ok());
            if let Some(port) = port {
                self.port = port;
                self.fingerprint = log
                    .lines()
                    .find_map(|l| l.strip_prefix("Host key fingerprint: "))
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                break;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                self.settle();
                return Err(status);
            }
            assert!(
                start.elapsed() < self.timeout,
                "serve did not print `Listening on` in time\n{}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // Under a wrapper the server is the wrapper's child: its own pid for /proc and signals.
        if self.wrapped {
            let pid = self.pid;
            let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
                .unwrap_or_default();
            if let Some(p) = children.split_whitespace().find_map(|p| p.parse().ok()) {
                self.pid = p;
            }
        }
        Ok(())
    }

    /// The SSH port.
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn address(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// The server's own pid (not its wrapper's).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The host key's fingerprint as the server printed it (`SHA256:…`).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The journal given with `--journal` or `--resume`.
    pub fn journal(&self) -> &Path {
        &self.journal
    }

    /// Everything the server printed on stdout so far (banner and log).
    pub fn log(&self) -> String {
        match &self.log {
            Log::Files { stdout, .. } => std::fs::read_to_string(stdout).unwrap_or_default(),
            Log::Pipes { stdout, .. } => stdout.lock().unwrap().join("\n"),
        }
    }

    /// Everything the server printed on stderr so far.
    pub fn errors(&self) -> String {
        match &self.log {
            Log::Files { stderr, .. } => std::fs::read_to_string(stderr).unwrap_or_default(),
            Log::Pipes { stderr, .. } => stderr.lock().unwrap().join("\n"),
        }
    }

    /// The last lines of stdout and stderr, for a failure's message.
    pub fn log_tail(&self) -> String {
        let tail = |text: String| {
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(20)..]
                .iter()
                .map(|l| format!("  {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        format!(
            "server stdout (last lines):\n{}\nserver stderr (last lines):\n{}",
            tail(self.log()),
            tail(self.errors())
        )
    }

    /// Waits until the log (stdout) satisfies `ok`; panics with the log after the timeout.
    pub fn wait_log(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let log = self.log();
            if ok(&log) {
                return log;
            }
            if start.elapsed() > self.timeout {
                panic!(
                    "timed out waiting for {what} in the server log:\n{log}\nstderr:\n{}",
                    self.errors()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the log contains `needle`.
    pub fn wait_log_for(&self, needle: &str) -> String {
        self.wait_log(&format!("`{needle}`"), |l| l.contains(needle))
    }

    /// Waits until the log has a line containing `needle`: that line.
    pub fn wait_line(&self, needle: &str) -> String {
        let log = self.wait_log_for(needle);
        log.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_default()
            .to_string()
    }

    /// Waits up to `within` for the server to exit: its status, or `None` if it still runs.
    pub fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.settle();
                return Some(status);
            }
            if start.elapsed() > within {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends a signal (`TERM`, `INT`, …) to the server without waiting.
    pub fn send(&self, name: &str) {
        let sent = Command::new("kill")
            .args([&format!("-{name}"), &self.pid.to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -{name} failed");
    }

    /// Sends a signal and waits for the server to exit; kills it and panics after the timeout.
    pub fn signal(&mut self, name: &str) -> ExitStatus {
        self.send(name);
        match self.wait_exit(TIMEOUT) {
            Some(status) => status,
            None => {
                self.kill();
                panic!("serve after SIG{name} did not exit within {TIMEOUT:?}");
            }
        }
    }

    /// Sends SIGTERM and waits for the server to exit.
    pub fn terminate(&mut self) -> ExitStatus {
        self.signal("TERM")
    }

    /// `ssh` arguments (without the login) to reach this server.
    pub fn ssh_options(&self) -> Vec<String> {
        [
            "-F",
            "/dev/null",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "ConnectTimeout=20",
            "-p",
        ]
        .into_iter()
        .map(String::from)
        .chain([self.port.to_string()])
        .collect()
    }

    /// With pipes, lets the readers take the last lines after the server exited.
    fn settle(&self) {
        if matches!(self.log, Log::Pipes { .. }) {
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn kill(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            #[cfg(unix)]
            if self.process_group {
                // SAFETY: the process group of our own child (it leads it), not reaped yet.
                unsafe {
                    libc::kill(-(self.child.id() as libc::pid_t), libc::SIGKILL);
                }
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}
