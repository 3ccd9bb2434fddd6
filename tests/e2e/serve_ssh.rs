//! End-to-end: `cyberdrill serve` on loopback, joined by the real OpenSSH client.
//!
//! Each test starts its own server (port 0: the OS picks one; the server prints
//! `Listening on 127.0.0.1:PORT`) in its own temporary directory, with its own teams file
//! and ed25519 keys made by `ssh-keygen`. Interactive clients run in tmux, one tmux session
//! per client, all on a tmux server private to the test (its socket in the test's temporary
//! directory); a guard kills that tmux server and the `serve` process when the test ends,
//! also on failure. Screens and the server log are polled with a timeout, never read after a
//! fixed sleep. Passwords reach `ssh` through `SSH_ASKPASS` (a two-line script), keys through
//! `-i KEY -o IdentitiesOnly=yes`. Without `tmux`, `ssh` or `ssh-keygen` on the PATH the
//! tests are skipped with a message.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::harness::server::{Launch, Server};
use crate::harness::tmux::{Term, Tmux};
use crate::harness::{BIN, TIMEOUT, missing_tools, write_script};

const FACILITATOR_PASSWORD: &str = "white-cell-2026";
const VARESH_PASSWORD: &str = "varesh-duty-desk";
const VARESH_NAME: &str = "Varesh (VarCERT + MFA)";
const KELMORA_NAME: &str = "Kelmora (KelCERT + MFA)";
const TORAVIA_NAME: &str = "Toravia (ToraCERT + MFA)";

// ------------------------------------------------------------------------------ prerequisites

fn tools_available() -> bool {
    let missing = missing_tools(&[("tmux", "-V"), ("ssh", "-V"), ("ssh-keygen", "-?")]);
    if missing.is_empty() {
        return true;
    }
    eprintln!(
        "SKIPPED: {} not installed, so the end-to-end SSH tests cannot run \
         (install them: apt-get install tmux openssh-client)",
        missing.join(", ")
    );
    false
}

// ------------------------------------------------------------------------------ the test's files

/// A test's temporary directory: keys, teams file, askpass scripts, journal, host key.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new(test: &str) -> Setup {
        let dir = crate::harness::temp_dir(&format!("cyberdrill-ssh-{test}-"));
        Setup { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A new ed25519 key pair without a passphrase: the private key's path.
    fn key(&self, name: &str) -> PathBuf {
        let path = self.path().join(name);
        if !path.exists() {
            let out = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
                .arg(&path)
                .output()
                .expect("run ssh-keygen");
            assert!(
                out.status.success(),
                "ssh-keygen failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        path
    }

    /// The `authorized_keys` line of a key made by [`Setup::key`].
    fn public_key(&self, name: &str) -> String {
        let path = self.key(name).with_extension("pub");
        std::fs::read_to_string(path)
            .expect("read .pub")
            .trim()
            .to_string()
    }

    /// A script for `SSH_ASKPASS` that answers every prompt with `password`.
    fn askpass(&self, password: &str) -> PathBuf {
        let mut n = 0;
        let path = loop {
            let p = self.path().join(format!("askpass-{n}.sh"));
            if !p.exists() {
                break p;
            }
            n += 1;
        };
        write_script(&path, &format!("#!/bin/sh\necho '{password}'\n"));
        path
    }

    /// A script for `SSH_ASKPASS` that answers the first prompt with `first` and every later
    /// one with `then` (a player who mistypes, then types it right).
    fn askpass_twice(&self, first: &str, then: &str) -> PathBuf {
        let path = self.path().join("askpass-twice.sh");
        let count = self.path().join("askpass-count");
        write_script(
            &path,
            &format!(
                "#!/bin/sh\nif [ -e '{c}' ]; then echo '{then}'; else : > '{c}'; echo '{first}'; fi\n",
                c = count.display()
            ),
        );
        path
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, text).expect("write file");
        path
    }

    /// The teams file most tests use: Varesh (password and key) and Kelmora (key only) are
    /// played by people, Toravia by the engine; the facilitator has a password and a key.
    fn teams(&self) -> PathBuf {
        let text = format!(
            r#"(
    scenario: "flagship",
    facilitator: (password: "{FACILITATOR_PASSWORD}", keys: ["{}"]),
    teams: [
        (team: "team-varesh", password: "{VARESH_PASSWORD}", keys: ["{}"]),
        (team: "team-kelmora", password: "", keys: ["{}"]),
    ],
)
"#,
            self.public_key("facilitator-key"),
            self.public_key("varesh-key"),
            self.public_key("kelmora-key"),
        );
        self.write("teams.ron", &text)
    }
}

// ------------------------------------------------------------------------------ the server

/// Starts `serve` for the flagship (seed 1) in the test's directory, on a port the OS
/// picks, and waits for its `Listening on` line.
fn serve(setup: &Setup, teams: &Path) -> Server {
    serve_with(setup, teams, &[])
}

/// As [`serve`], with more options.
fn serve_with(setup: &Setup, teams: &Path, options: &[&str]) -> Server {
    launch(setup, teams)
        .args(["--seed", "1"])
        .journal(setup.path().join("served.jsonl"))
        .args(options)
        .start()
}

/// `serve --resume` of the journal [`serve`] writes.
fn serve_resumed(setup: &Setup, teams: &Path) -> Server {
    launch(setup, teams)
        .resume(setup.path().join("served.jsonl"))
        .start()
}

/// `serve` with the teams file and the host key in the test's directory (logs in
/// `serve.out` and `serve.err` there).
fn launch(setup: &Setup, teams: &Path) -> Launch {
    Server::launch(setup.path())
        .arg("--teams")
        .arg(teams)
        .arg("--host-key")
        .arg(setup.path().join("host-key"))
}

/// Runs a command to its end (stdin closed), with a timeout; its output is read as it comes,
/// so a chatty command cannot block on a full pipe.
fn run(mut command: Command, what: &str) -> Output {
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {what}: {e}"));
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(TIMEOUT) {
        Ok(out) => out.expect("collect output"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("{what} did not finish within {TIMEOUT:?}");
        }
    }
}

/// How a client proves who it is.
#[derive(Clone, Copy)]
enum Login<'a> {
    Key(&'a Path),
    /// An `SSH_ASKPASS` script.
    Password(&'a Path),
}

/// `ssh` options for a login method, never falling back to another method or prompting on
/// the terminal.
fn login_args(login: Login) -> Vec<String> {
    match login {
        Login::Key(key) => vec![
            "-i".into(),
            key.display().to_string(),
            "-o".into(),
            "IdentitiesOnly=yes".into(),
            "-o".into(),
            "PasswordAuthentication=no".into(),
            "-o".into(),
            "KbdInteractiveAuthentication=no".into(),
            "-o".into(),
            "BatchMode=yes".into(),
        ],
        Login::Password(_) => vec![
            "-o".into(),
            "PubkeyAuthentication=no".into(),
            "-o".into(),
            "KbdInteractiveAuthentication=no".into(),
        ],
    }
}

/// A non-interactive `ssh USER@127.0.0.1 ARGS…` to the server.
fn ssh_command(server: &Server, login: Login, extra: &[&str], user: &str, args: &[&str]) -> Output {
    let mut c = Command::new("ssh");
    c.args(server.ssh_options())
        .args(login_args(login))
        .args(extra)
        .arg(format!("{user}@127.0.0.1"))
        .args(args)
        .env_remove("SSH_AUTH_SOCK");
    if let Login::Password(askpass) = login {
        c.env("SSH_ASKPASS", askpass)
            .env("SSH_ASKPASS_REQUIRE", "force");
    }
    run(c, &format!("ssh {user}@ {args:?}"))
}

/// The interactive `ssh -t` command line for a tmux pane; the shell then reports ssh's exit
/// code and stays around to be read.
fn ssh_line(server: &Server, login: Login, user: &str) -> String {
    let env = match login {
        Login::Password(askpass) => format!(
            "SSH_ASKPASS='{}' SSH_ASKPASS_REQUIRE=force ",
            askpass.display()
        ),
        Login::Key(_) => String::new(),
    };
    let args: Vec<String> = server
        .ssh_options()
        .into_iter()
        .chain(login_args(login))
        .map(|a| format!("'{a}'"))
        .collect();
    format!(
        "{env}ssh {} -t {user}@127.0.0.1; printf '\\r\\nEXITED-%s\\r\\n' $?; sleep 120",
        args.join(" ")
    )
}

// ------------------------------------------------------------------------------ tmux

/// An interactive `ssh -t` client in its own session.
fn ssh_term(tmux: &Tmux, name: &str, server: &Server, login: Login, user: &str) -> Term {
    tmux.open(name, &ssh_line(server, login, user))
}

/// The pid of the `ssh` client under the pane's shell.
fn ssh_pid(t: &Term) -> u32 {
    t.child_pid(|c| c.split(|&b| b == 0).next() == Some(b"ssh"))
        .expect("the ssh process under the pane's shell")
}

// ------------------------------------------------------------------------------ reading screens

/// Header line 2: simulated time of the whole exercise, e.g. `+01:40 of +48:00`.
fn clock(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains(" of +"))
        .map(|l| l.split("  ·").next().unwrap_or("").trim().to_string())
        .unwrap_or_default()
}

/// Simulated minutes since the start, from the header (0 when there is no header: a frame
/// caught half-drawn).
fn minutes(screen: &str) -> u32 {
    let c = clock(screen);
    let parsed = c
        .strip_prefix('+')
        .and_then(|c| c.split(' ').next())
        .and_then(|hhmm| hhmm.split_once(':'))
        .and_then(|(h, m)| Some(h.parse::<u32>().ok()? * 60 + m.parse::<u32>().ok()?));
    parsed.unwrap_or(0)
}

/// The two header rows.
fn header(screen: &str) -> String {
    screen.lines().take(2).collect::<Vec<_>>().join("\n")
}

fn has_frame(screen: &str) -> bool {
    screen.chars().any(|c| "┌┐└┘│─".contains(c))
}

/// Waits for a session's first screen: the TUI of `team_name` (or the facilitator's).
fn wait_connected(t: &Term, name: &str) -> String {
    t.wait_running(&format!("the TUI of {name}"), |s| {
        header(s).contains(name) && s.contains(" of +48:00")
    })
}

/// In the Inbox of `t`, moves down the list until the open message shows `needle`.
fn open_inbox_message(t: &Term, needle: &str) -> String {
    t.keys(&["1"]);
    t.wait_for("Inbox: ");
    for _ in 0..60 {
        let screen = t.wait("a settled inbox", |_| true);
        if screen.contains(needle) {
            return screen;
        }
        let before = open_message_id(&screen);
        t.keys(&["Down"]);
        if let Err(screen) = t.wait_within(Duration::from_secs(5), true, &|s| {
            open_message_id(s) != before
        }) {
            panic!("reached the end of the inbox without a message showing `{needle}`:\n{screen}");
        }
    }
    panic!("no message showing `{needle}` among the first 60 of the inbox");
}

/// The number of the message open in the Inbox's right pane (`#12 Notify · …`).
fn open_message_id(screen: &str) -> Option<String> {
    screen.lines().find_map(|l| {
        let (_, rest) = l.split_once("││#")?;
        Some(rest.split_whitespace().next()?.to_string())
    })
}

/// A Notify to one contact, through the composer (`c`), up to "Sent".
fn compose_notify(t: &Term, contact: &str, text: &str) {
    t.keys(&["c"]);
    t.wait_for("Compose: choose an action");
    t.keys(&["Enter"]); // the first action: Notify contacts of an incident
    t.wait_for("Notify contacts of an incident: to whom?");
    t.type_text(contact);
    t.wait_for(&format!("filter: {contact}"));
    t.keys(&["Space"]); // marks the highlighted (only) contact
    // The list shows the contact by name.
    let name = match contact {
        "kel-cert-desk" => "KelCERT incident desk",
        "tor-cert-desk" => "ToraCERT 24/7 operations",
        other => other,
    };
    t.wait_for(&format!("[x] {name}"));
    t.keys(&["Enter"]);
    t.wait_for("which incident?");
    t.keys(&["Enter"]); // (no particular incident)
    t.wait_for("your words");
    t.type_text(text);
    t.wait_for(text);
    t.keys(&["Enter"]);
    let confirm = t.wait_for("How it will travel");
    assert!(confirm.contains(name), "{confirm}");
    t.keys(&["Enter"]);
    t.wait_for("Sent: notify");
}

/// The facilitator's clock keys: `+` three times (the fastest pace, 120 simulated minutes a
/// second), then space.
fn run_fast(f: &Term) {
    f.keys(&["+", "+", "+"]);
    f.wait_for("Pace: 120 simulated minutes per second.");
    f.keys(&["Space"]);
    f.wait_for_running("▶ 120 min/s");
}

/// Space on the facilitator's screen, and waits for `⏸ PAUSED` on every screen given.
fn pause(f: &Term, screens: &[&Term]) {
    f.keys(&["Space"]);
    for t in std::iter::once(f).chain(screens.iter().copied()) {
        t.wait_for("⏸ PAUSED");
    }
}

/// Checks that a refused `ssh` printed nothing of the exercise (no screen, no team, no
/// command output); at most a line saying why not.
fn assert_no_exercise(out: &Output, what: &str) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let all = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    for word in [
        "Serrat",
        "Varesh (",
        "PAUSED",
        "Inbox",
        "+48:00",
        "\x1b[?1049h",
        "root:",
    ] {
        assert!(!all.contains(word), "{what}: ssh printed `{word}`:\n{all}");
    }
    for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            line.contains("cyberdrill runs no commands")
                || line.contains("cyberdrill needs a terminal"),
            "{what}: unexpected output:\n{stdout}"
        );
    }
}

/// Stops the server (SIGTERM) and checks that `cyberdrill replay` accepts its journal: the
/// commands of every session reached the journal in the order the engine applied them.
fn stop_and_replay(server: &mut Server) {
    let status = server.terminate();
    assert!(status.success(), "serve exits 0 on SIGTERM: {status}");
    let journal = server.journal().display().to_string();
    let log = server.log();
    assert!(log.contains(&format!(". Journal: {journal}")), "{log}");
    let mut c = Command::new(BIN);
    c.args(["replay", &journal]);
    let out = run(c, "replay");
    assert!(
        out.status.success(),
        "replay of the served journal exits 0:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Journal lines as JSON.
fn journal_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .expect("read the journal")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("journal line {l}: {e}")))
        .collect()
}

// ------------------------------------------------------------------------------ the tests

#[test]
fn a_message_from_one_team_reaches_the_other_teams_inbox() {
    let _turn = crate::harness::alongside();
    if !tools_available() {
        return;
    }
    let setup = Setup::new("message");
    let mut server = serve(&setup, &setup.teams());
    let tmux = Tmux::new(setup.path());
    let (fkey, vkey, kkey) = (
        setup.key("facilitator-key"),
        setup.key("varesh-key"),
        setup.key("kelmora-key"),
    );
    let f = ssh_term(
        &tmux,
        "facilitator",
        &server,
        Login::Key(&fkey),
        "facilitator",
    );
    let v = ssh_term(&tmux, "varesh", &server, Login::Key(&vkey), "team-varesh");
    let k = ssh_term(&tmux, "kelmora", &server, Login::Key(&kkey), "team-kelmora");

    let first = wait_connected(&f, "FACILITATOR (ground truth)");
    assert!(
        first.contains("⏸ PAUSED"),
        "the clock starts paused:\n{first}"
    );
    assert!(first.contains("Ground truth"), "{first}");
    let vs = wait_connected(&v, VARESH_NAME);
    assert_eq!(clock(&vs), "+00:00 of +48:00", "{vs}");
    wait_connected(&k, KELMORA_NAME);
    let log = server.wait_log("three sessions opened", |l| {
        l.matches("session ").count() >= 3
    });
    for who in ["facilitator", "team-varesh", "team-kelmora"] {
        assert!(
            log.lines()
                .any(|l| l.contains("opened: ") && l.contains(&format!(": {who} from 127.0.0.1"))),
            "no session opened for {who}:\n{log}"
        );
        assert!(
            log.contains(&format!("login {who} (public key) from 127.0.0.1")),
            "{log}"
        );
    }

    let text = "SSH-E2E 4711: booter traffic at VCB";
    compose_notify(&v, "kel-cert-desk", text);
    // Nothing arrives before simulated time passes: the clock is paused.
    k.keys(&["6"]);
    let before = k.wait_for("Timeline (what our team has seen)");
    assert!(
        !before.contains("notification from VarCERT"),
        "delivered while the clock was paused:\n{before}"
    );

    // The facilitator runs the clock until the engine delivers it (clearance, transit, hours).
    run_fast(&f);
    let delivered = k.wait_running("the delivery on Kelmora's timeline", |s| {
        s.contains("received #")
            && s.contains("notification from VarCERT")
            && s.contains("KelCERT incident desk")
    });
    assert!(minutes(&delivered) > 0, "{delivered}");
    pause(&f, &[&v, &k]);

    let message = open_inbox_message(&k, text);
    assert!(
        message.contains("From: VarCERT (Varesh national CERT)"),
        "the inbox names the sender:\n{message}"
    );
    assert!(message.contains("To: KelCERT incident desk"), "{message}");
    assert!(
        header(&message).contains(KELMORA_NAME) && !header(&message).contains(VARESH_NAME),
        "Kelmora's screen is Kelmora's:\n{message}"
    );
    // The sender learns of delivery only by an acknowledgement: on its Sent tab, it is sent.
    v.keys(&["5"]);
    let sent = v.wait("the notify on the Sent tab", |s| {
        s.contains("Sent: you learn") && s.contains("KelCERT incident desk")
    });
    assert!(sent.contains("Notification"), "{sent}");
    // The sender's own inbox has no copy of it.
    v.keys(&["1"]);
    let own = v.wait_for("Inbox: ");
    assert!(!own.contains(text), "{own}");

    // The journal has the command, as team-varesh's.
    let lines = journal_lines(server.journal());
    let commands: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["kind"] == "command").collect();
    assert_eq!(commands.len(), 1, "{commands:?}");
    assert_eq!(commands[0]["team"], "team-varesh");
    assert!(commands[0].to_string().contains(text), "{}", commands[0]);
    stop_and_replay(&mut server);
}

#[test]
fn the_facilitators_pause_stops_the_clock_for_every_team() {
    let _turn = crate::harness::alongside();
    if !tools_available() {
        return;
    }
    let setup = Setup::new("pause");
    let mut server = serve(&setup, &setup.teams());
    let tmux = Tmux::new(setup.path());
    let (fkey, vkey, kkey) = (
        setup.key("facilitator-key"),
        setup.key("varesh-key"),
        setup.key("kelmora-key"),
    );
    let f = ssh_term(
        &tmux,
        "facilitator",
        &server,
        Login::Key(&fkey),
        "facilitator",
    );
    let v = ssh_term(&tmux, "varesh", &server, Login::Key(&vkey), "team-varesh");
    let k = ssh_term(&tmux, "kelmora", &server, Login::Key(&kkey), "team-kelmora");
    wait_connected(&f, "FACILITATOR");
    for t in [&v, &k] {
        let s = t.wait_for("⏸ PAUSED");
        assert_eq!(clock(&s), "+00:00 of +48:00", "{s}");
    }

    // Run (at the default pace): both teams see it run and their clocks advance.
    f.keys(&["Space"]);
    f.wait_for_running("▶ 10 min/s");
    for t in [&v, &k] {
        t.wait_running("the clock running", |s| {
            s.contains("▶ 10 min/s") && minutes(s) >= 10
        });
    }

    // Pause: both show it, at the same simulated time as the facilitator, and stay there.
    pause(&f, &[&v, &k]);
    let at = clock(&f.screen());
    let (v1, k1) = (v.wait_for("⏸ PAUSED"), k.wait_for("⏸ PAUSED"));
    assert_eq!(clock(&v1), at, "Varesh after pause:\n{v1}");
    assert_eq!(clock(&k1), at, "Kelmora after pause:\n{k1}");
    std::thread::sleep(Duration::from_secs(2));
    for (t, name) in [(&v, "Varesh"), (&k, "Kelmora"), (&f, "the facilitator")] {
        let s = t.screen();
        assert!(s.contains("⏸ PAUSED"), "{name} two seconds later:\n{s}");
        assert_eq!(clock(&s), at, "{name}'s clock moved while paused:\n{s}");
    }

    // Run again: it advances for both.
    f.keys(&["Space"]);
    let paused_at = minutes(&v1);
    for t in [&v, &k] {
        t.wait_running("the clock to run on after the pause", |s| {
            s.contains("▶ 10 min/s") && minutes(s) > paused_at
        });
    }
    pause(&f, &[&v, &k]);

    // Ctrl-C on the server's terminal (SIGINT) stops it where the facilitator paused.
    let tick = minutes(&f.wait_for("⏸ PAUSED")) / 5;
    let status = server.signal("INT");
    assert!(status.success(), "serve exits 0 on SIGINT: {status}");
    let log = server.log();
    assert!(log.contains(&format!("Stopped at tick {tick} (")), "{log}");
}

#[test]
fn wrong_passwords_unknown_users_and_other_teams_keys_are_refused() {
    let _turn = crate::harness::alongside();
    if !tools_available() {
        return;
    }
    let setup = Setup::new("refused");
    let server = serve(&setup, &setup.teams());
    let right = setup.askpass(VARESH_PASSWORD);
    let wrong = setup.askpass("varesh-duty-desk!");
    let facilitators = setup.askpass(FACILITATOR_PASSWORD);
    let kkey = setup.key("kelmora-key");
    let vkey = setup.key("varesh-key");
    // Refused logins wait a second each on the server: run them at once.
    let attempts: Vec<(&str, Login, &str, bool)> = vec![
        // (what, how, user, should log in)
        (
            "the right password",
            Login::Password(&right),
            "team-varesh",
            true,
        ),
        (
            "a wrong password",
            Login::Password(&wrong),
            "team-varesh",
            false,
        ),
        (
            "an unknown user",
            Login::Password(&right),
            "team-nowhere",
            false,
        ),
        (
            "a team the engine plays",
            Login::Password(&right),
            "team-toravia",
            false,
        ),
        (
            "a key for an unknown user",
            Login::Key(&kkey),
            "team-nowhere",
            false,
        ),
        (
            "Varesh's password for the facilitator",
            Login::Password(&right),
            "facilitator",
            false,
        ),
        (
            "the facilitator's password for Varesh",
            Login::Password(&facilitators),
            "team-varesh",
            false,
        ),
        (
            "Kelmora's key for Kelmora",
            Login::Key(&kkey),
            "team-kelmora",
            true,
        ),
        (
            "Kelmora's key for Varesh",
            Login::Key(&kkey),
            "team-varesh",
            false,
        ),
        (
            "Kelmora's key for the facilitator",
            Login::Key(&kkey),
            "facilitator",
            false,
        ),
        (
            "Varesh's key for Kelmora",
            Login::Key(&vkey),
            "team-kelmora",
            false,
        ),
    ];
    let results: Vec<(String, Output)> = std::thread::scope(|s| {
        let handles: Vec<_> = attempts
            .iter()
            .map(|&(what, login, user, _)| {
                let server = &server;
                // A command is refused even after login: what matters here is the login.
                s.spawn(move || {
                    (
                        what.to_string(),
                        ssh_command(
                            server,
                            login,
                            &["-o", "NumberOfPasswordPrompts=1"],
                            user,
                            &["true"],
                        ),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for ((what, out), (_, _, _, ok)) in results.iter().zip(&attempts) {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{what}: ssh succeeded?\n{stderr}");
        if *ok {
            assert!(
                !stderr.contains("Permission denied"),
                "{what} should log in:\n{stderr}"
            );
        } else {
            assert!(
                stderr.contains("Permission denied"),
                "{what} is refused with `Permission denied`:\n{stderr}"
            );
        }
        // Logged in or not, the command (`true`) is not run and nothing of the exercise shows.
        assert_no_exercise(out, what);
        if !*ok {
            assert!(out.stdout.is_empty(), "{what}: {:?}", out.stdout);
        }
    }
    let log = server.log();
    // The two good logins went in; nobody else did.
    assert!(
        log.contains("login team-varesh (password) from 127.0.0.1"),
        "{log}"
    );
    assert!(
        log.contains("login team-kelmora (public key) from 127.0.0.1"),
        "{log}"
    );
    let logins: Vec<&str> = log.lines().filter(|l| l.contains(" login ")).collect();
    assert_eq!(logins.len(), 2, "only the two good logins:\n{log}");
    assert!(!log.contains("login facilitator"), "{log}");
    assert!(!log.contains("login team-varesh (public key)"), "{log}");
    // The refused passwords are in the log, each with the user name tried.
    assert_eq!(
        log.matches("refused password for `team-varesh` from 127.0.0.1")
            .count(),
        2,
        "{log}"
    );
    assert!(
        log.contains("refused password for `team-nowhere` from 127.0.0.1"),
        "{log}"
    );
    assert!(
        log.contains("refused password for `team-toravia` from 127.0.0.1"),
        "{log}"
    );
    assert!(
        log.contains("refused password for `facilitator` from 127.0.0.1"),
        "{log}"
    );
    assert!(!log.contains("session "), "no session was opened:\n{log}");
    // The passwords tried are never written to the log.
    for p in [VARESH_PASSWORD, FACILITATOR_PASSWORD, "varesh-duty-desk!"] {
        assert!(!log.contains(p), "the log shows a password:\n{log}");
    }
}

#[test]
fn a_mistyped_password_can_be_typed_again() {
    let _turn = crate::harness::alongside();
    if !tools_available() {
        return;
    }
    let setup = Setup::new("retype");
    let server = serve(&setup, &setup.teams());
    // The first answer is wrong, the second right: as a player who mistypes once. OpenSSH asks
    // up to three times (NumberOfPasswordPrompts) if the server lets it try again.
    let askpass = setup.askpass_twice("varesh-duty-dsek", VARESH_PASSWORD);
    let out = ssh_command(
        &server,
        Login::Password(&askpass),
        &["-o", "NumberOfPasswordPrompts=3"],
        "team-varesh",
        &["true"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let log = server.log();
    assert!(
        log.contains("refused password for `team-varesh`"),
        "the first try is refused:\n{log}"
    );
    assert!(
        log.contains("login team-varesh (password)"),
        "after one mistyped password the server should let the player try again, as sshd \
         does (its config allows 6 attempts); instead ssh said:\n{stderr}\nand the log:\n{log}"
    );
}

#[test]
fn a_team_cannot_reach_another_view_or_the_ground_truth_whatever_it_types() {
    let _turn = crate::harness::alongside();
    if !tools_available() {
        return;
    }
    let setup = Setup::new("isolation");
    let mut server = serve(&setup, &setup.teams());
    let tmux = Tmux::new(setup.path());
    let (fkey, vkey) = (setup.key("facilitator-key"), setup.key("varesh-key"));
    let f = ssh_term(
        &tmux,
        "facilitator",
        &server,
        Login::Key(&fkey),
        "facilitator",
    );
    let v = ssh_term(&tmux, "varesh", &server, Login::Key(&vkey), "team-varesh");
    wait_connected(&f, "FACILITATOR");
    wait_connected(&v, VARESH_NAME);

    // The clock keys do nothing at a team's keyboard but say who runs the clock. (Between
    // two, `a` on the pinned briefing sets another status line.)
    for key in ["Space", "n", "N", "+", "-", "="] {
        v.keys(&["a"]);
        v.wait_for("The briefing needs no acknowledgement.");
        v.keys(&[key]);
        let s = v.wait_for("The facilitator runs the clock.");
        assert_eq!(
            clock(&s),
            "+00:00 of +48:00",
            "`{key}` moved the clock:\n{s}"
        );
        assert!(s.contains("⏸ PAUSED"), "`{key}`:\n{s}");
    }
    let fs = f.wait_for("⏸ PAUSED");
    assert_eq!(clock(&fs), "+00:00 of +48:00", "{fs}");

    // Ground truth worth hiding: a few simulated hours in, the actors have struck.
    run_fast(&f);
    v.wait_running("six simulated hours", |s| minutes(s) >= 6 * 60);
    pause(&f, &[&v]);
    f.keys(&["1"]);
    let truth = f.wait_for("Incidents: the truth");
    assert!(
        truth.contains("TIDECALLER"),
        "the facilitator sees the actors (so the test below means something):\n{truth}"
    );
    // Keep the clock running while the team types, so its screens keep changing.
    f.keys(&["-"]);
    f.wait_for("Pace: 60 simulated minutes per second.");
    f.keys(&["Space"]);
    f.wait_for_running("▶ 60 min/s");

    let forbidden = [
        // Other teams and the facilitator's header.
        KELMORA_NAME,
        TORAVIA_NAME,
        "FACILITATOR",
        // The facilitator's tabs and their titles.
        "Ground truth",
        "Escalation",
        "Injects",
        "Team screens",
        "Incidents: the truth",
        "Every asset",
        "Inject queue",
        "Timeline: everything",
        "Their screen, as they see it",
        "message a team",
        "QUESTION for discussion",
        // The hidden threat actors (scenarios/flagship.ron, `actors`). "Sons of the Anvil" is
        // not here: the group's public claim is in the news. Nor are the non-state groups'
        // public names ("SALTMARSH crew", "Reef Watch Collective"): they are suspects every
        // team may weigh, and show on Situation once the phishing incident is known (how far
        // the clock got before the pause decides whether they do). Their real identity is.
        "TIDECALLER",
        "Bureau 47",
        "signals directorate",
        "persona run for Corvath",
        "bank-fraud ring",
        "LATENT",
        "false flag →",
    ];
    let check = |screen: &str, after: &str| {
        let head = header(screen);
        assert!(
            head.contains(VARESH_NAME) && head.contains("Republic of Varesh"),
            "after {after} the header is not Varesh's:\n{screen}"
        );
        for word in forbidden {
            assert!(
                !screen.contains(word),
                "after {after} the team's screen shows `{word}`:\n{screen}"
            );
        }
        assert!(
            !screen.contains("EXITED-"),
            "after {after} the session ended:\n{screen}"
        );
    };

    // Every tab and every facilitator key on it, then a long pseudo-random stream. Never q,
    // Ctrl-C or Ctrl-Q: those leave.
    let facilitator_keys = ["f", "d", "s", "m", "Enter", "Space", "n", "N", "+", "-"];
    let mut sequence: Vec<&str> = Vec::new();
    for tab in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"] {
        sequence.push(tab);
        sequence.extend(facilitator_keys);
        sequence.extend(["Escape", "Down", "Enter", "Escape", "Escape"]);
    }
    let pool = [
        "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "Tab", "BTab", "Left", "Right", "Up",
        "Down", "PageUp", "PageDown", "Home", "End", "f", "d", "s", "m", "Enter", "Space", "n",
        "N", "+", "-", "=", "a", "c", "/", "?", "j", "k", "x", "Escape", "Escape", "BSpace", "M-1",
        "M-5", "F1", "F5", "C-t", "C-f", "t", "g", "p",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..400 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        sequence.push(pool[(state >> 33) as usize % pool.len()]);
    }
    for (i, key) in sequence.iter().enumerate() {
        v.keys(&[key]);
        check(&v.screen(), &format!("key #{i} `{key}`"));
    }
    // Once more on every tab, after the keys have all arrived.
    pause(&f, &[&v]);
    for tab in ["Escape", "Escape", "Escape", "1", "2", "3", "4", "5", "6"] {
        v.keys(&[tab]);
        let screen = v.wait("a settled screen", |_| true);
        check(&screen, &format!("`{tab}` at the end"));
    }

    // What the team typed reached the engine only as Varesh's own commands, and no control
    // (fire, skip, delay an inject; message a team) was applied: the facilitator sent none.
    for line in journal_lines(server.journal()) {
        match line["kind"].as_str() {
            Some("command") => assert_eq!(line["team"], "team-varesh", "{line}"),
            Some("control") => panic!("a team's keys applied a control: {line}"),
            _ => {}
        }
    }
    let log = server.log();
    assert!(
        log.contains("opened: team-varesh") && !log.contains("closed"),
        "the session stayed open throughout:\n{log}"
    );
    stop_and_replay(&mut server);
}

#[test]
fn killing_one_client_leaves_the_others_and_the_exercise_running() {
    let _turn = crate::harness::alongside();
    if !tools_available() {
        return;
    }
    let setup = Setup::new("kill");
    let mut server = serve(&setup, &setup.teams());
    let tmux = Tmux::new(setup.path());
    let (fkey, vkey, kkey) = (
        setup.key("facilitator-key"),
        setup.key("varesh-key"),
        setup.key("kelmora-key"),
    );
    let f = ssh_term(
        &tmux,
        "facilitator",
        &server,
        Login::Key(&fkey),
        "facilitator",
    );
    let v = ssh_term(&tmux, "varesh", &server, Login::Key(&vkey), "team-varesh");
    let k = ssh_term(&tmux, "kelmora", &server, Login::Key(&kkey), "team-kelmora");
    wait_connected(&f, "FACILITATOR");
    wait_connected(&v, VARESH_NAME);
    wait_connected(&k, KELMORA_NAME);
    compose_notify(&v, "kel-cert-desk", "Before the crash");
    server.wait_log_for("opened: team-varesh");

    f.keys(&["Space"]);
    v.wait_running("Varesh's clock running", |s| minutes(s) >= 5);
    // The notify took effect at the first tick: it is on the Sent tab.
    v.keys(&["5"]);
    let sent_row = |s: &str| -> Option<String> {
        s.contains("Sent: you learn")
            .then(|| s.lines().find(|l| l.contains("KelCERT incident desk")))
            .flatten()
            .map(|l| l.trim_end().to_string())
    };
    let before = v.wait_running("the notify on the Sent tab", |s| sent_row(s).is_some());
    let row_before = sent_row(&before).unwrap();
    assert!(row_before.contains("Notification"), "{before}");

    // No goodbye: SIGKILL to Varesh's ssh.
    let pid = ssh_pid(&v);
    let killed = Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let gone = v.wait_for("EXITED-");
    assert!(gone.contains("EXITED-137"), "{gone}");
    // Closed as `disconnected` or `connection lost`, depending on whether the server was
    // reading or writing when the connection went.
    let log = server.wait_log("Varesh's session closed", |l| {
        l.lines()
            .any(|l| l.contains("closed: team-varesh (") && !l.contains("(quit)"))
    });
    assert!(!log.contains("closed: team-kelmora"), "{log}");
    assert!(!log.contains("closed: facilitator"), "{log}");

    // The others still update: the clock moves on for Kelmora and the facilitator.
    for (t, name) in [(&k, "Kelmora"), (&f, "the facilitator")] {
        let now = minutes(&t.screen());
        t.wait_running(&format!("{name}'s clock to move on after the kill"), |s| {
            minutes(s) >= now + 10 && s.contains("▶ 10 min/s")
        });
    }

    // Varesh logs in again: the exercise as it is now, its message on its Sent tab.
    let v2 = ssh_term(
        &tmux,
        "varesh-again",
        &server,
        Login::Key(&vkey),
        "team-varesh",
    );
    let back = wait_connected(&v2, VARESH_NAME);
    assert!(back.contains("▶ 10 min/s"), "the clock still runs:\n{back}");
    server.wait_log("a second session for Varesh", |l| {
        l.matches("opened: team-varesh").count() == 2
    });
    pause(&f, &[&k, &v2]);
    let at = clock(&f.screen());
    assert_ne!(at, "+00:00 of +48:00");
    assert_eq!(clock(&k.screen()), at, "Kelmora");
    assert_eq!(clock(&v2.screen()), at, "Varesh after reconnecting");
    v2.keys(&["5"]);
    let sent = v2.wait("the earlier notify on the Sent tab", |s| {
        sent_row(s).is_some()
    });
    assert_eq!(
        sent_row(&sent).unwrap(),
        row_before,
        "the Sent tab after reconnecting:\n{sent}"
    );
    assert_eq!(
        sent.matches("KelCERT incident desk").count(),
        1,
        "sent once, not twice:\n{sent}"
    );

    // And a polite leave (q) is logged as such, the terminal given back.
    v2.keys(&["q"]);
    let after = v2.wait_for("EXITED-");
    assert!(after.contains("EXITED-0"), "{after}");
    assert!(!has_frame(&after), "the terminal is restored:\n{after}");
    assert!(!v2.alternate_screen(), "the alternate screen is left");
    server.wait_log("Varesh's second session closed", |l| {
        l.lines()
            .any(|l| l.contains("closed: team-varesh") && l.contains("(quit)"))
    });
    stop_and_replay(&mut server);
}

#[test]
fn commands_subsystems_and_port_forwarding_are_refused() {
    let _turn = crate::harness::alongside();
    if !tools_available() {
        return;
    }
    let setup = Setup::new("exec");
    let server = serve(&setup, &setup.teams());
    let vkey = setup.key("varesh-key");
    let key = Login::Key(&vkey);

    // A command: refused; nothing of the exercise is printed, at most why not.
    let out = ssh_command(&server, key, &[], "team-varesh", &["cat", "/etc/passwd"]);
    assert!(!out.status.success(), "a command");
    assert_no_exercise(&out, "a command");
    // The same with a terminal asked for.
    let out = ssh_command(&server, key, &["-tt"], "team-varesh", &["sh"]);
    assert!(!out.status.success(), "a command with -tt");
    assert_no_exercise(&out, "a command with -tt");
    // A subsystem (sftp).
    let out = ssh_command(&server, key, &["-s"], "team-varesh", &["sftp"]);
    assert!(!out.status.success(), "a subsystem");
    assert_no_exercise(&out, "a subsystem");

    // No terminal (-T) and no command: the shell is refused too, with the reason.
    let out = ssh_command(&server, key, &["-T"], "team-varesh", &[]);
    assert!(!out.status.success(), "a shell without a terminal");
    assert_no_exercise(&out, "a shell without a terminal");
    server.wait_log_for("turned away team-varesh: no terminal");

    let log = server.wait_log("two refused commands and a refused subsystem", |l| {
        l.matches("refused a command (exec) from team-varesh")
            .count()
            == 2
            && l.contains("refused subsystem sftp from team-varesh")
    });
    assert!(!log.contains("session "), "no session was opened:\n{log}");

    // Remote forwarding (-R): refused, and logged.
    let out = ssh_command(
        &server,
        key,
        &[
            "-N",
            "-o",
            "ExitOnForwardFailure=yes",
            "-R",
            "0:127.0.0.1:9",
        ],
        "team-varesh",
        &[],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("forwarding failed"), "{stderr}");
    server.wait_log_for("refused port forwarding (-R) from 127.0.0.1");

    // Local forwarding (-L): the client listens, but the server opens no connection for it.
    // The target is a listener of ours that would greet whoever reaches it.
    let target = std::net::TcpListener::bind("127.0.0.1:0").expect("bind target");
    target.set_nonblocking(true).expect("nonblocking");
    let target_port = target.local_addr().unwrap().port();
    let local_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().unwrap().port()
    };
    let mut forward = Command::new("ssh")
        .args(server.ssh_options())
        .args(login_args(key))
        .args([
            "-N",
            "-o",
            "ExitOnForwardFailure=yes",
            "-L",
            &format!("{local_port}:127.0.0.1:{target_port}"),
            "team-varesh@127.0.0.1",
        ])
        .env_remove("SSH_AUTH_SOCK")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start ssh -L");
    struct KillOnDrop<'a>(&'a mut Child);
    impl Drop for KillOnDrop<'_> {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let forward = KillOnDrop(&mut forward);
    let start = Instant::now();
    let mut stream = loop {
        if let Ok(s) = std::net::TcpStream::connect(("127.0.0.1", local_port)) {
            break s;
        }
        if let Ok(Some(status)) = forward.0.try_wait() {
            panic!("ssh -L exited ({status}) before listening");
        }
        assert!(start.elapsed() < TIMEOUT, "ssh -L never listened");
        std::thread::sleep(Duration::from_millis(50));
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buf = [0u8; 64];
    let read = std::io::Read::read(&mut stream, &mut buf);
    assert!(
        matches!(read, Ok(0)),
        "the forwarded connection is closed at once, nothing read: {read:?}"
    );
    assert!(
        target.accept().is_err(),
        "the server connected to the forward's target"
    );
    server.wait_log_for("refused port forwarding (-L) from 127.0.0.1");
    drop(forward);
    let log = server.log();
    assert!(!log.contains("session "), "no session was opened:\n{log}");
}

#[test]
fn a_bad_teams_file_stops_serve_before_it_listens() {
    let _turn = crate::harness::alongside();
    let setup = Setup::new("teams");
    let cases = [
        (
            "unknown team",
            r#"(facilitator: (password: "white-cell-2026"), teams: [(team: "team-varesch", password: "long-enough-1")])"#,
            "team `team-varesch` is not a team of scenario `flagship` (did you mean `team-varesh`?)",
        ),
        (
            "short team password",
            r#"(facilitator: (password: "white-cell-2026"), teams: [(team: "team-varesh", password: "short")])"#,
            "the password of `team-varesh` is shorter than 8 characters",
        ),
        (
            "short facilitator password",
            r#"(facilitator: (password: "1234567"), teams: [(team: "team-varesh", password: "long-enough-1")])"#,
            "the password of `facilitator` is shorter than 8 characters",
        ),
        (
            "a team twice",
            r#"(facilitator: (password: "white-cell-2026"), teams: [(team: "team-varesh", password: "long-enough-1"), (team: "team-varesh", password: "long-enough-2")])"#,
            "team `team-varesh` is listed twice",
        ),
        (
            "no way in",
            r#"(facilitator: (password: "white-cell-2026"), teams: [(team: "team-kelmora", password: "")])"#,
            "`team-kelmora` has neither a password nor a key",
        ),
        (
            "a bad key",
            r#"(facilitator: (password: "white-cell-2026"), teams: [(team: "team-varesh", keys: ["ssh-ed25519 AAAAnotakey varesh"])])"#,
            "a key of `team-varesh` is not an OpenSSH public key",
        ),
        (
            "not RON",
            "(facilitator: (password: \"white-cell-2026\"),\n teams: [(team: \"team-varesh\" password: \"long-enough-1\")])",
            "teams.ron:2:",
        ),
    ];
    for (what, text, message) in cases {
        let teams = setup.write("teams.ron", text);
        let journal = setup
            .path()
            .join(format!("{}.jsonl", what.replace(' ', "-")));
        let out = run(
            {
                let mut c = Command::new(BIN);
                c.arg("serve")
                    .args(["--listen", "127.0.0.1:0", "--teams"])
                    .arg(&teams)
                    .arg("--journal")
                    .arg(&journal)
                    .current_dir(setup.path());
                c
            },
            &format!("serve with {what}"),
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        // An invalid teams file is invalid input: exit 1.
        assert_eq!(out.status.code(), Some(1), "{what}: {stderr}");
        assert!(
            stderr.contains("error: ") && stderr.contains(message),
            "{what}: expected `{message}` in:\n{stderr}"
        );
        assert!(
            stderr.contains("teams.ron"),
            "{what}: the message names the file:\n{stderr}"
        );
        assert!(
            !stdout.contains("Listening on"),
            "{what}: it listened:\n{stdout}"
        );
        assert!(!journal.exists(), "{what}: a journal was started");
    }
    // A missing file says how to make one.
    let out = run(
        {
            let mut c = Command::new(BIN);
            c.args(["serve", "--listen", "127.0.0.1:0", "--teams", "nowhere.ron"])
                .current_dir(setup.path());
            c
        },
        "serve without a teams file",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot read the teams file nowhere.ron"),
        "{stderr}"
    );
    assert!(stderr.contains("--init-teams"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Listening on"));
}

#[test]
fn sigterm_stops_the_server_with_a_journal_that_replays() {
    let _turn = crate::harness::alongside();
    if !tools_available() {
        return;
    }
    let setup = Setup::new("sigterm");
    let mut server = serve(&setup, &setup.teams());
    let banner = server.log();
    assert!(banner.contains("Host key fingerprint: SHA256:"), "{banner}");
    assert!(
        banner.contains(&format!("Journal: {}", server.journal().display())),
        "{banner}"
    );
    let tmux = Tmux::new(setup.path());
    let fkey = setup.key("facilitator-key");
    let vpass = setup.askpass(VARESH_PASSWORD);
    let f = ssh_term(
        &tmux,
        "facilitator",
        &server,
        Login::Key(&fkey),
        "facilitator",
    );
    // Varesh by password this time, through the terminal.
    let v = ssh_term(
        &tmux,
        "varesh",
        &server,
        Login::Password(&vpass),
        "team-varesh",
    );
    wait_connected(&f, "FACILITATOR");
    wait_connected(&v, VARESH_NAME);
    server.wait_log_for("login team-varesh (password)");
    compose_notify(&v, "tor-cert-desk", "Replay me");
    for i in 1..=3u32 {
        f.keys(&["n"]);
        f.wait_for(&format!("+00:{:02} of +48:00", i * 5));
    }
    v.wait_for("+00:15 of +48:00");

    let status = server.terminate();
    assert!(status.success(), "serve exits 0 on SIGTERM: {status}");
    let log = server.log();
    let journal = server.journal().display().to_string();
    assert!(
        log.contains(&format!("Stopped at tick 3 (+00:15). Journal: {journal}")),
        "{log}"
    );
    assert!(
        log.contains(&format!("cyberdrill replay {journal}")),
        "{log}"
    );

    let out = run(
        {
            let mut c = Command::new(BIN);
            c.args(["replay", &journal]);
            c
        },
        "replay",
    );
    assert!(
        out.status.success(),
        "replay of the served journal exits 0:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = journal_lines(server.journal());
    assert_eq!(lines[0]["player"], "facilitator", "{}", lines[0]);
    assert!(
        lines
            .iter()
            .any(|l| l["kind"] == "command" && l["team"] == "team-varesh"),
        "the notify is journaled"
    );
    assert_eq!(
        lines.last().unwrap()["kind"],
        "mark",
        "the last line marks where it stopped"
    );
    assert_eq!(lines.last().unwrap()["tick"], 3);
}

#[test]
fn stopping_the_server_ends_every_session_and_gives_back_the_terminal() {
    let _turn = crate::harness::alongside();
    if !tools_available() {
        return;
    }
    let setup = Setup::new("stop");
    let mut server = serve(&setup, &setup.teams());
    let tmux = Tmux::new(setup.path());
    let (fkey, kkey) = (setup.key("facilitator-key"), setup.key("kelmora-key"));
    let f = ssh_term(
        &tmux,
        "facilitator",
        &server,
        Login::Key(&fkey),
        "facilitator",
    );
    let k = ssh_term(&tmux, "kelmora", &server, Login::Key(&kkey), "team-kelmora");
    wait_connected(&f, "FACILITATOR");
    wait_connected(&k, KELMORA_NAME);
    assert!(k.alternate_screen(), "the TUI runs in the alternate screen");

    let status = server.terminate();
    assert!(status.success(), "{status}");
    for (t, name) in [(&k, "Kelmora"), (&f, "the facilitator")] {
        let after = t.wait_for("EXITED-");
        assert!(
            !t.alternate_screen() && !has_frame(&after),
            "when the server stops, {name}'s ssh ends but its terminal is left in the \
             exercise's alternate screen (cursor hidden, the TUI still drawn) instead of \
             being given back:\n{after}"
        );
    }
}

#[test]
fn a_team_has_at_most_its_sessions_and_gets_its_slot_back_when_it_leaves() {
    let _turn = crate::harness::alongside();
    if !tools_available() {
        return;
    }
    let setup = Setup::new("limits");
    let server = serve_with(&setup, &setup.teams(), &["--max-per-team", "1"]);
    let tmux = Tmux::new(setup.path());
    let (vkey, kkey) = (setup.key("varesh-key"), setup.key("kelmora-key"));
    let v = ssh_term(&tmux, "varesh", &server, Login::Key(&vkey), "team-varesh");
    wait_connected(&v, VARESH_NAME);
    server.wait_log_for("opened: team-varesh");

    // A second terminal for Varesh is turned away, with the reason; Kelmora still gets in.
    let v2 = ssh_term(&tmux, "varesh-2", &server, Login::Key(&vkey), "team-varesh");
    let refused = v2.wait_for("EXITED-");
    assert!(
        refused.contains("already has 1 session open"),
        "the second session is told why:\n{refused}"
    );
    assert!(!refused.contains("EXITED-0"), "{refused}");
    assert!(!has_frame(&refused), "{refused}");
    server.wait_log_for("turned away team-varesh");
    let k = ssh_term(&tmux, "kelmora", &server, Login::Key(&kkey), "team-kelmora");
    wait_connected(&k, KELMORA_NAME);

    // Varesh leaves; its slot is free again.
    v.keys(&["q"]);
    v.wait_for("EXITED-0");
    server.wait_log_for("closed: team-varesh (quit)");
    let v3 = ssh_term(&tmux, "varesh-3", &server, Login::Key(&vkey), "team-varesh");
    wait_connected(&v3, VARESH_NAME);
    let log = server.wait_log("Varesh's second session", |l| {
        l.matches("opened: team-varesh").count() == 2
    });
    assert_eq!(log.matches("turned away").count(), 1, "{log}");
}

#[test]
fn a_resized_terminal_is_drawn_at_its_new_size() {
    let _turn = crate::harness::alongside();
    if !tools_available() {
        return;
    }
    let setup = Setup::new("resize");
    let server = serve(&setup, &setup.teams());
    let tmux = Tmux::new(setup.path());
    let vkey = setup.key("varesh-key");
    let v = ssh_term(&tmux, "varesh", &server, Login::Key(&vkey), "team-varesh");
    wait_connected(&v, VARESH_NAME);
    let width = |s: &str| {
        s.lines()
            .find(|l| l.starts_with('┌'))
            .map_or(0, |l| l.trim_end().chars().count())
    };
    assert_eq!(width(&v.screen()), 120);

    // The smallest size the screens are laid out for: everything redrawn to 80×24.
    v.resize(80, 24);
    let small = v.wait("the screen at 80×24", |s| {
        width(s) == 80 && s.lines().nth(23).is_some_and(|l| l.contains("? help"))
    });
    assert!(header(&small).contains(VARESH_NAME), "{small}");
    // Smaller: the session says so instead of drawing a broken screen.
    v.resize(60, 20);
    v.wait_for("cyberdrill needs a terminal of at least 80×24");
    // And back.
    v.resize(120, 40);
    let back = v.wait("the screen at 120×40 again", |s| {
        width(s) == 120 && header(s).contains(VARESH_NAME)
    });
    assert!(
        !back.contains("needs a terminal"),
        "nothing of the small screen is left:\n{back}"
    );
    v.keys(&["q"]);
    v.wait_for("EXITED-0");
}

#[test]
fn an_existing_journal_is_never_overwritten_by_a_new_start() {
    let _turn = crate::harness::alongside();
    let setup = Setup::new("journal-exists");
    let teams = setup.teams();
    let journal = setup.write("served.jsonl", "an exercise in progress\n");
    let out = run(
        {
            let mut c = Command::new(BIN);
            c.args(["serve", "--listen", "127.0.0.1:0", "--teams"])
                .arg(&teams)
                .arg("--journal")
                .arg(&journal)
                .current_dir(setup.path());
            c
        },
        "serve onto an existing journal",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("exists"), "{stderr}");
    assert!(
        stderr.contains("--resume"),
        "the message says how to continue:\n{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap(),
        "an exercise in progress\n",
        "the journal is untouched"
    );
    assert!(
        !setup.path().join("host-key").exists()
            && !setup.path().join("cyberdrill-host-key").exists(),
        "a failed start writes no host key"
    );
}

#[test]
fn serve_branch_goes_on_from_the_branch_point() {
    let _turn = crate::harness::alongside();
    if !tools_available() {
        return;
    }
    let setup = Setup::new("branch");
    let parent = setup.path().join("parent.jsonl");
    let out = run(
        {
            let mut c = Command::new(BIN);
            c.args(["run", "builtin:flagship", "--seed", "4", "--journal"])
                .arg(&parent);
            c
        },
        "run",
    );
    assert!(out.status.success());
    let mut server = serve_with(
        &setup,
        &setup.teams(),
        &["--branch", "parent.jsonl", "--at", "+03:00"],
    );
    let tmux = Tmux::new(setup.path());
    let fkey = setup.key("facilitator-key");
    let f = ssh_term(
        &tmux,
        "facilitator",
        &server,
        Login::Key(&fkey),
        "facilitator",
    );
    wait_connected(&f, "FACILITATOR");
    f.wait_for("+03:00 of +48:00");
    f.keys(&["n"]);
    f.wait_for("+03:05 of +48:00");
    let status = server.terminate();
    assert!(status.success(), "{status}");
    let lines = journal_lines(server.journal());
    assert_eq!(
        lines[0]["parent"]["journal"], "parent.jsonl",
        "{}",
        lines[0]
    );
    assert_eq!(lines[0]["parent"]["at"], 36, "{}", lines[0]);
    assert!(
        lines.iter().any(|l| l["control"]["action"] == "players"),
        "the teams of the served branch are journaled"
    );
    let journal = server.journal().display().to_string();
    let out = run(
        {
            let mut c = Command::new(BIN);
            c.args(["replay", &journal]).current_dir(setup.path());
            c
        },
        "replay",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// SIGKILL of the server at many moments, with a team and the facilitator connected (right
/// after a command was accepted, while the clock runs, while paused), each time resumed with
/// `serve --resume`: every command a screen showed as sent is in the journal, each resumed
/// server comes back to the tick the journal reached, and the run, played on to its end,
/// replays to the identical outcome (`replay` checks the journaled outcome hash).
#[test]
fn killed_at_many_moments_serve_loses_no_accepted_command() {
    let _turn = crate::harness::alongside();
    if !tools_available() {
        return;
    }
    let setup = Setup::new("crash");
    let teams = setup.teams();
    let tmux = Tmux::new(setup.path());
    let (fkey, vkey) = (setup.key("facilitator-key"), setup.key("varesh-key"));
    // A fixed sequence of moments (xorshift), so a failure can be replayed.
    let mut state: u64 = 0x0dd_ba11;
    let mut below = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let rounds = 4;
    let mut accepted: Vec<String> = Vec::new();
    for round in 0..=rounds {
        let mut server = if round == 0 {
            serve(&setup, &teams)
        } else {
            serve_resumed(&setup, &teams)
        };
        let f = ssh_term(
            &tmux,
            &format!("f{round}"),
            &server,
            Login::Key(&fkey),
            "facilitator",
        );
        let v = ssh_term(
            &tmux,
            &format!("v{round}"),
            &server,
            Login::Key(&vkey),
            "team-varesh",
        );
        let screen = wait_connected(&f, "FACILITATOR");
        wait_connected(&v, VARESH_NAME);
        if round > 0 {
            let reached = journal_lines(server.journal())
                .iter()
                .filter_map(|l| l["tick"].as_u64())
                .max()
                .unwrap_or(0);
            assert_eq!(
                minutes(&screen),
                reached as u32 * 5,
                "round {round}: resumed at the tick the journal reached:\n{screen}"
            );
        }
        if round == rounds {
            run_fast(&f);
            f.wait_for("+48:00 of +48:00");
            let status = server.terminate();
            assert!(status.success(), "{status}");
            break;
        }
        let text = format!("Accepted {round}");
        match below(3) {
            0 => {
                compose_notify(&v, "tor-cert-desk", &text);
                accepted.push(text);
            }
            1 => {
                compose_notify(&v, "tor-cert-desk", &text);
                accepted.push(text);
                run_fast(&f);
                std::thread::sleep(Duration::from_millis(100 + below(900)));
            }
            _ => {
                for _ in 0..=below(4) {
                    let before = minutes(&f.screen());
                    f.keys(&["n"]);
                    f.wait(&format!("a tick after minute {before}"), |s| {
                        minutes(s) > before
                    });
                }
            }
        }
        let status = server.signal("KILL");
        assert!(!status.success(), "SIGKILL ends the server: {status}");
        let journal = std::fs::read_to_string(server.journal()).expect("journal");
        for t in &accepted {
            assert!(
                journal.contains(t.as_str()),
                "round {round}: `{t}` was shown as sent but is not in the journal"
            );
        }
        drop(server);
        // The clients notice the dead server (its sockets closed) and return to their shells.
        f.wait_for("EXITED-");
        v.wait_for("EXITED-");
    }
    let out = run(
        {
            let mut c = Command::new(BIN);
            c.args(["replay"]).arg(setup.path().join("served.jsonl"));
            c
        },
        "replay",
    );
    assert!(
        out.status.success(),
        "the killed and resumed run replays to its journaled outcome:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let journal = std::fs::read_to_string(setup.path().join("served.jsonl")).expect("journal");
    assert!(journal.contains(r#""kind":"end""#), "played to its end");
    for t in &accepted {
        assert_eq!(
            journal.matches(t.as_str()).count(),
            1,
            "`{t}` journaled once"
        );
    }
}

#[test]
fn an_observer_watches_read_only_and_a_teams_decision_reaches_the_facilitator_and_the_report() {
    let _turn = crate::harness::alongside();
    if !tools_available() {
        return;
    }
    let setup = Setup::new("observer");
    let text = format!(
        r#"(
    facilitator: (password: "{FACILITATOR_PASSWORD}", keys: ["{}"]),
    teams: [(team: "team-varesh", password: "{VARESH_PASSWORD}", keys: ["{}"])],
    observers: [(name: "eva", password: "eva-evaluates-1", watch: ["team-varesh"], ground_truth: false)],
)
"#,
        setup.public_key("facilitator-key"),
        setup.public_key("varesh-key"),
    );
    let teams = setup.write("teams.ron", &text);
    let mut server = serve(&setup, &teams);
    let tmux = Tmux::new(setup.path());
    let (fkey, vkey) = (setup.key("facilitator-key"), setup.key("varesh-key"));
    let askpass = setup.askpass("eva-evaluates-1");
    let f = ssh_term(
        &tmux,
        "facilitator",
        &server,
        Login::Key(&fkey),
        "facilitator",
    );
    let v = ssh_term(&tmux, "varesh", &server, Login::Key(&vkey), "team-varesh");
    let o = ssh_term(&tmux, "observer", &server, Login::Password(&askpass), "eva");
    wait_connected(&f, "FACILITATOR");
    wait_connected(&v, VARESH_NAME);
    let first = o.wait_for("OBSERVER eva watching Varesh");
    assert!(first.contains("Inbox"), "the team's own tabs:\n{first}");

    // Every action key is refused, with a message, and nothing reaches the engine.
    for (keys, refusal) in [
        (&["c"][..], "observers cannot compose actions"),
        (&["1", "a"][..], "observers cannot act (`a`"),
        (&["d"][..], "the decision log is the team's"),
        (&["Space"][..], "the facilitator runs the clock"),
        (&["n"][..], "the facilitator runs the clock"),
        (&["3", "Enter"][..], "observers cannot act (`Enter`"),
        (&["m"][..], "observers cannot act (`m`"),
        (&["f"][..], "observers cannot act (`f`"),
    ] {
        o.keys(keys);
        let s = o.wait_for(refusal);
        assert!(!s.contains("Compose:"), "no composer for an observer:\n{s}");
    }
    // The guide: a rated observation, journaled.
    o.keys(&["e"]);
    o.wait_for("Evaluation guide: Varesh");
    o.keys(&["r", "m"]);
    o.wait_for("Rating: M");
    o.type_text("SSH-OBS slow to notify the neighbours");
    o.keys(&["Enter"]);
    o.wait_for("recorded (rated M)");
    o.wait_for("[M] eva");

    // The team records a decision.
    v.keys(&["d"]);
    v.wait_for("Decision log");
    v.type_text("SSH-DEC hold the notice");
    v.keys(&["Enter"]);
    v.type_text("wait for clearance");
    v.keys(&["Enter"]);
    v.wait_for("Decision recorded");
    v.keys(&["6"]);
    let timeline = v.wait_for("DECISION: SSH-DEC hold the notice");
    assert!(
        !timeline.contains("SSH-OBS"),
        "an observation on a team's screen:\n{timeline}"
    );
    f.keys(&["4"]);
    f.wait_for("SSH-DEC hold the notice — why: wait for clearance");
    // The observer sees the team's timeline as the team does, and its own notes never
    // reach the team: not on any of its tabs.
    o.keys(&["Escape"]);
    o.wait_for("Back to Varesh");
    o.keys(&["6"]);
    o.wait_for("DECISION: SSH-DEC");
    for tab in ["1", "2", "3", "4", "5", "6", "7"] {
        v.keys(&[tab]);
        let s = v.wait("a settled tab", |_| true);
        assert!(!s.contains("SSH-OBS"), "tab {tab}:\n{s}");
    }

    let lines = journal_lines(server.journal());
    assert!(
        lines
            .iter()
            .all(|l| l["kind"] != "command" && l["kind"] != "control"),
        "an observer's key reached the engine: {lines:?}"
    );
    let observation = lines.iter().find(|l| l["kind"] == "observation").unwrap();
    assert_eq!(observation["observer"], "eva");
    assert_eq!(observation["rating"], "M");
    assert!(
        lines
            .iter()
            .any(|l| l["kind"] == "decision" && l["team"] == "team-varesh")
    );
    stop_and_replay(&mut server);
    let mut c = Command::new(BIN);
    c.args(["report", &server.journal().display().to_string(), "--aar"]);
    let aar = String::from_utf8_lossy(&run(c, "report --aar").stdout).into_owned();
    assert!(
        aar.contains("SSH-DEC hold the notice") && aar.contains("SSH-OBS"),
        "{aar}"
    );
}
