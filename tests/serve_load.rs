//! Load test of `cyberdrill serve` on loopback: 30 concurrent SSH sessions (the facilitator
//! and 29 team sessions over the flagship's three teams) driven by scripted russh clients.
//!
//! The facilitator starts the clock; every team session then composes restraint statements
//! with unique texts (`load s07 n012`), key by key, one every 1–2 s, and counts those its
//! screen confirmed (`Sent:`). Afterwards the facilitator pauses the clock and steps the
//! exercise to its end; the server is stopped with SIGTERM and the journal is checked: every
//! confirmed command exactly once, under the right team, in each session's order, ticks never
//! going back, and `cyberdrill replay` reproducing the outcome (the journal as it was after the
//! load, without an end line, and the finished one).
//!
//! Printed (`--nocapture`): frame latency (a keystroke sent → the first screen bytes back; a
//! frame the clock caused can now and then arrive first), confirmation latency (the last
//! Enter → the `Sent:` screen), server CPU over the load phase (also per 10 s, as the cost
//! grows with the exercise's history) and over ~3 s idle with all 30 sessions connected and
//! the clock paused (asserted near zero, so a busy loop fails), screen updates, sessions,
//! commands confirmed and commands per second.
//!
//! Length: `CYBERDRILL_LOAD_SECS` seconds of load (default 20; 60 for the numbers of the
//! issue). Everything is bounded: each screen change waited for (`STEP_TIMEOUT`), the whole
//! client part (load + `HARD_EXTRA`), the server's stop and each replay; on any failure the
//! server is killed when the test unwinds.
//!
//! A client does not emulate a full terminal: [`Screen`] understands what ratatui's crossterm
//! backend writes (cursor moves, clears, colours ignored, text), enough to read the status line
//! and the composer.

use russh::client;
use russh::keys::{HashAlg, PublicKeyOrCertificate};
use russh::{ChannelMsg, Disconnect};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_cyberdrill");

const COLS: usize = 120;
const ROWS: usize = 40;
/// The status line of the TUI (0-based row): above the footer.
const STATUS_ROW: usize = ROWS - 2;

const FACILITATOR_PASS: &str = "facilitator-pass";
const TEAMS: [(&str, &str); 3] = [
    ("team-varesh", "varesh-pass-1"),
    ("team-kelmora", "kelmora-pass-1"),
    ("team-toravia", "toravia-pass-1"),
];
/// Team sessions; with the facilitator's, 30.
const TEAM_SESSIONS: usize = 29;
/// Sessions per team login: exactly what 29 sessions over 3 teams need (10, 10, 9).
const MAX_PER_TEAM: usize = TEAM_SESSIONS.div_ceil(TEAMS.len());

/// Load phase length when `CYBERDRILL_LOAD_SECS` is not set.
const DEFAULT_LOAD_SECS: u64 = 20;
/// The client part (connect, idle, load, finish) must end within the load time plus this.
const HARD_EXTRA: Duration = Duration::from_secs(120);
/// The longest wait for one screen change (a debug build on a busy 2-core machine).
const STEP_TIMEOUT: Duration = Duration::from_secs(20);
/// Pause between two keystrokes of one player, after the previous key's frame came back.
const KEY_GAP: Duration = Duration::from_millis(20);
/// The load phase's CPU is also reported per slice of this length.
const CPU_SLICE: Duration = Duration::from_secs(10);
/// How long the idle cost is measured.
const IDLE_WINDOW: Duration = Duration::from_secs(3);
/// Above this share of one core, the idle server is busy-looping.
const IDLE_CPU_LIMIT: f64 = 0.10;
/// The filter typed in the composer's action list: only "State restraint publicly" matches.
const ACTION_FILTER: &str = "restr";
/// The paces the facilitator steps through with `-`/`+` (simulated minutes per real second),
/// and the one a served exercise starts at (src/tui/app.rs).
const PACES: [u32; 6] = [1, 5, 10, 30, 60, 120];
const DEFAULT_PACE: u32 = 10;
/// The flagship: 48 simulated hours.
const EXERCISE_MINUTES: u64 = 48 * 60;
/// The longest load for which the slowest pace still leaves a fifth of the exercise.
const MAX_LOAD_SECS: u64 = EXERCISE_MINUTES * 4 / 5;

/// The fastest pace, up to the default, at which the load leaves at least a fifth of the
/// exercise to run (commands after the end would be refused).
fn pace_for(load: Duration) -> u32 {
    PACES
        .iter()
        .copied()
        .filter(|&p| p <= DEFAULT_PACE)
        .rfind(|&p| load.as_secs() * u64::from(p) <= EXERCISE_MINUTES * 4 / 5)
        .unwrap_or(PACES[0])
}

#[test]
fn thirty_sessions_under_load_lose_no_command_and_replay() {
    let load_secs = std::env::var("CYBERDRILL_LOAD_SECS")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|&s| s > 0)
        .unwrap_or(DEFAULT_LOAD_SECS);
    assert!(
        load_secs <= MAX_LOAD_SECS,
        "CYBERDRILL_LOAD_SECS={load_secs}: at most {MAX_LOAD_SECS} s, or the exercise ends during the load even at the slowest pace"
    );
    let load = Duration::from_secs(load_secs);
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut server = Server::start(dir.path());
    eprintln!(
        "serve_load: server pid {} on {}; {} s of load, {} sessions",
        server.pid,
        server.address,
        load_secs,
        TEAM_SESSIONS + 1
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let target = Target {
        address: server.address.clone(),
        fingerprint: server.fingerprint.clone(),
        journal: server.journal.clone(),
        pid: server.pid,
    };
    let outcome = runtime.block_on(async {
        tokio::time::timeout(load + HARD_EXTRA, drive(Arc::new(target), load)).await
    });
    runtime.shutdown_timeout(Duration::from_secs(5));
    let run = match outcome {
        Ok(Ok(run)) => run,
        Ok(Err(e)) => panic!("{e}\n{}", server.log_tail()),
        Err(_) => panic!(
            "the clients did not finish within {:?} (load + {HARD_EXTRA:?})\n{}",
            load + HARD_EXTRA,
            server.log_tail()
        ),
    };

    // Stop the server as an operator would.
    let stop_at = std::time::Instant::now();
    let status = server.terminate(Duration::from_secs(30));
    let stop_time = stop_at.elapsed();
    let mut failures = run.failures.clone();
    match status {
        Some(0) => {}
        other => failures.push(format!(
            "the server did not exit 0 within 30 s of SIGTERM: {other:?}"
        )),
    }
    let stdout = server.stdout();
    if !stdout
        .iter()
        .any(|l| l.starts_with("Stopped at tick") && l.contains("(the exercise is over)"))
    {
        failures.push(format!(
            "no `Stopped at tick N (the exercise is over). Journal: …` line on stdout after SIGTERM; its last lines:\n{}",
            tail(&stdout, 10)
        ));
    }

    // The journal: every confirmed command exactly once, in order, and it replays.
    let text = std::fs::read_to_string(&server.journal).expect("read the journal");
    let journal = check_journal(&text, &run.sessions, &mut failures);
    match &run.snapshot {
        Some(path) => check_replay(path, "no end line", &mut failures),
        None => failures.push("no journal snapshot was taken after the load".into()),
    }
    check_replay(&server.journal, "identical outcome", &mut failures);

    run.print(load, &journal, stop_time);
    assert!(
        failures.is_empty(),
        "{} problem(s):\n- {}\n{}",
        failures.len(),
        failures.join("\n- "),
        server.log_tail()
    );
}

// ---------------------------------------------------------------------------------------
// The scripted exercise.

/// What the clients need to know about the server.
struct Target {
    address: String,
    fingerprint: String,
    journal: PathBuf,
    pid: u32,
}

/// What one team session did.
#[derive(Debug, Default)]
struct SessionReport {
    index: usize,
    team: String,
    /// Texts of the commands its screen confirmed, in the order sent.
    confirmed: Vec<String>,
    /// (text, status line) of the commands refused.
    refused: Vec<(String, String)>,
    /// The text of a command sent but never seen confirmed or refused (the session failed).
    unresolved: Option<String>,
    /// Keystroke sent → first screen bytes back.
    frames: Vec<Duration>,
    /// Last Enter → the screen with the composer closed and the status line set.
    confirms: Vec<Duration>,
    /// Screen updates (data packets) and bytes received over the session.
    updates: usize,
    bytes: usize,
    error: Option<String>,
}

/// What the client part measured and found.
struct Run {
    sessions: Vec<SessionReport>,
    connect_time: Duration,
    idle_cpu: f64,
    idle_wall: Duration,
    load_cpu: f64,
    /// Share of one core per `CPU_SLICE` of the load phase.
    cpu_slices: Vec<f64>,
    load_wall: Duration,
    pace: u32,
    end_wall: Duration,
    end_presses: usize,
    snapshot: Option<PathBuf>,
    failures: Vec<String>,
}

async fn drive(target: Arc<Target>, load: Duration) -> Result<Run, String> {
    let mut failures = Vec::new();
    let connect_start = Instant::now();
    let mut facilitator = Term::connect(&target, "facilitator", FACILITATOR_PASS).await?;
    facilitator
        .wait_for("the facilitator's first screen", |s| {
            s.contains("FACILITATOR (ground truth)") && s.contains("⏸ PAUSED")
        })
        .await?;

    // 29 team sessions, connected at once.
    let (ready_tx, mut ready_rx) = mpsc::channel(TEAM_SESSIONS);
    let (go_tx, go_rx) = watch::channel::<Option<Instant>>(None);
    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..TEAM_SESSIONS {
        tasks.spawn(team_session(
            target.clone(),
            index,
            ready_tx.clone(),
            go_rx.clone(),
        ));
    }
    drop(ready_tx);
    let mut ready = 0;
    let mut not_ready = Vec::new();
    while ready + not_ready.len() < TEAM_SESSIONS {
        match facilitator.pump_during(ready_rx.recv()).await? {
            Some(Ok(())) => ready += 1,
            Some(Err(e)) => not_ready.push(e),
            None => break,
        }
    }
    let connect_time = connect_start.elapsed();
    if !not_ready.is_empty() {
        failures.push(format!(
            "{} team session(s) could not start: {}",
            not_ready.len(),
            not_ready.join("; ")
        ));
    }
    eprintln!(
        "serve_load: {} sessions connected in {:.2} s",
        ready + 1,
        connect_time.as_secs_f64()
    );

    // Idle: everyone connected, the clock paused, nobody typing.
    facilitator.pump_for(Duration::from_secs(1)).await?;
    let idle_start = Instant::now();
    let cpu0 = cpu_seconds(target.pid)?;
    facilitator.pump_for(IDLE_WINDOW).await?;
    let idle_cpu = cpu_seconds(target.pid)? - cpu0;
    let idle_wall = idle_start.elapsed();
    let idle_share = idle_cpu / idle_wall.as_secs_f64();
    eprintln!(
        "serve_load: idle with {} sessions: {:.3} s CPU over {:.1} s ({:.1}% of one core)",
        ready + 1,
        idle_cpu,
        idle_wall.as_secs_f64(),
        idle_share * 100.0
    );
    if idle_share > IDLE_CPU_LIMIT {
        failures.push(format!(
            "the idle server used {:.1}% of a core (limit {:.0}%) with the clock paused and nobody typing",
            idle_share * 100.0,
            IDLE_CPU_LIMIT * 100.0
        ));
    }

    // Load: the clock runs (slower for a long load, so the exercise does not end during it),
    // the teams type.
    let pace = pace_for(load);
    let mut at = DEFAULT_PACE;
    while at > pace {
        facilitator.key(b"-").await?;
        at = PACES[PACES.iter().position(|&p| p == at).unwrap_or(1) - 1];
        let want = format!("Pace: {at} simulated minutes per second.");
        facilitator
            .wait_for(&want, |s| s.row(STATUS_ROW).contains(&want))
            .await?;
    }
    let running = format!("▶ {pace} min/s");
    facilitator.key(b" ").await?;
    facilitator
        .wait_for("the clock running", |s| s.contains(&running))
        .await?;
    let load_start = Instant::now();
    let cpu0 = cpu_seconds(target.pid)?;
    go_tx.send_replace(Some(load_start + load));
    // CPU share per slice of the load, to show whether the cost grows as the exercise does.
    let cpu_slices = Arc::new(Mutex::new(Vec::new()));
    let sampler = {
        let (pid, slices) = (target.pid, cpu_slices.clone());
        tokio::spawn(async move {
            let mut last = (Instant::now(), cpu0);
            loop {
                tokio::time::sleep(CPU_SLICE).await;
                let Ok(cpu) = cpu_seconds(pid) else { break };
                let now = Instant::now();
                let share = (cpu - last.1) / (now - last.0).as_secs_f64();
                slices.lock().unwrap().push(share);
                last = (now, cpu);
            }
        })
    };
    let mut sessions = facilitator
        .pump_during(async {
            let mut reports = Vec::new();
            while let Some(joined) = tasks.join_next().await {
                match joined {
                    Ok(r) => reports.push(r),
                    Err(e) => reports.push(SessionReport {
                        error: Some(format!("the client task panicked: {e}")),
                        ..SessionReport::default()
                    }),
                }
            }
            reports
        })
        .await?;
    let load_cpu = cpu_seconds(target.pid)? - cpu0;
    sampler.abort();
    let cpu_slices = cpu_slices.lock().unwrap().clone();
    let load_wall = load_start.elapsed();
    sessions.sort_by_key(|r| r.index);
    let still_running = facilitator.screen.contains(&running);
    if !still_running {
        failures.push(format!(
            "the exercise stopped running during the load phase; the facilitator's screen:\n{}",
            facilitator.screen.text()
        ));
    }

    // Pause: the journal is quiet now; keep a copy as it is (no end line) to replay.
    facilitator.key(b" ").await?;
    facilitator
        .wait_for("the clock paused", |s| s.contains("⏸ PAUSED"))
        .await?;
    let snapshot = target.journal.with_extension("after-load.jsonl");
    let snapshot = match std::fs::copy(&target.journal, &snapshot) {
        Ok(_) => Some(snapshot),
        Err(e) => {
            failures.push(format!("cannot copy the journal: {e}"));
            None
        }
    };

    // The end: step to the next event (N) until the exercise is over.
    let end_start = Instant::now();
    let mut end_presses = 0;
    while !facilitator.screen.contains("■ ENDED") {
        if end_start.elapsed() > Duration::from_secs(60) || end_presses > 2000 {
            return Err(format!(
                "the exercise did not end after {end_presses} presses of N in 60 s; the facilitator's screen:\n{}",
                facilitator.screen.text()
            ));
        }
        // Each press moves the clock (row 1 of the header) or ends the exercise; wait for
        // that before the next press, so no press lands on an exercise already over.
        let before = facilitator.screen.row(1);
        facilitator.key(b"N").await?;
        end_presses += 1;
        facilitator
            .wait_for("the clock to move", |s| s.row(1) != before)
            .await?;
    }
    let end_wall = end_start.elapsed();
    facilitator.quit().await;

    for r in &sessions {
        if let Some(e) = &r.error {
            failures.push(format!("session {} ({}): {e}", r.index, r.team));
        }
        for (text, status) in &r.refused {
            failures.push(format!(
                "session {} ({}): `{text}` refused: {status}",
                r.index, r.team
            ));
        }
        if r.error.is_none() && r.confirmed.is_empty() {
            failures.push(format!(
                "session {} ({}) got no command through in {load:?}",
                r.index, r.team
            ));
        }
    }
    Ok(Run {
        sessions,
        connect_time,
        idle_cpu,
        idle_wall,
        load_cpu,
        cpu_slices,
        load_wall,
        pace,
        end_wall,
        end_presses,
        snapshot,
        failures,
    })
}

/// One player: connects, waits for the start, then composes restraint statements until the
/// deadline, one every 1–2 s.
async fn team_session(
    target: Arc<Target>,
    index: usize,
    ready: mpsc::Sender<Result<(), String>>,
    mut go: watch::Receiver<Option<Instant>>,
) -> SessionReport {
    let (team, password) = TEAMS[index % TEAMS.len()];
    let mut report = SessionReport {
        index,
        team: team.to_string(),
        ..SessionReport::default()
    };
    let started = async {
        let mut term = Term::connect(&target, team, password).await?;
        term.wait_for("the team's first screen", |s| {
            s.row(STATUS_ROW)
                .contains("Connected. The facilitator runs the clock")
        })
        .await?;
        Ok::<Term, String>(term)
    };
    let mut term = match started.await {
        Ok(t) => {
            let _ = ready.send(Ok(())).await;
            t
        }
        Err(e) => {
            let e = format!("session {index} ({team}): {e}");
            let _ = ready.send(Err(e.clone())).await;
            report.error = Some(e);
            return report;
        }
    };
    let deadline = match term
        .pump_during(async { go.wait_for(|d| d.is_some()).await.map(|d| d.unwrap()) })
        .await
    {
        Ok(Ok(d)) => d,
        Ok(Err(_)) => return report, // the test gave up before the start
        Err(e) => {
            report.error = Some(format!("before the start: {e}"));
            return report;
        }
    };
    let mut n = 0;
    while Instant::now() < deadline {
        let cycle = Instant::now();
        n += 1;
        let text = format!("load s{index:02} n{n:03}");
        match compose(&mut term, &text).await {
            Ok(Sent::Yes(confirm)) => {
                report.confirmed.push(text);
                report.confirms.push(confirm);
            }
            Ok(Sent::No(status)) => report.refused.push((text, status)),
            Err((e, maybe_sent)) => {
                if maybe_sent {
                    report.unresolved = Some(text.clone());
                }
                report.error = Some(format!("composing `{text}`: {e}"));
                break;
            }
        }
        // The next command 1–2 s after this one started (spread over sessions and turns).
        let gap = Duration::from_millis(1000 + ((index * 37 + n * 113) % 1000) as u64);
        if let Err(e) = term.pump_until((cycle + gap).min(deadline)).await {
            report.error = Some(format!("between commands: {e}"));
            break;
        }
    }
    report.frames = std::mem::take(&mut term.frames);
    report.updates = term.updates;
    report.bytes = term.bytes;
    if report.error.is_none() {
        term.quit().await;
    }
    report
}

enum Sent {
    /// Confirmed; the time from the last Enter to the confirmation on screen.
    Yes(Duration),
    /// Refused; the status line.
    No(String),
}

/// Composes one restraint statement key by key: `c`, filter, Enter, the text, Enter (confirm
/// screen), Enter (send). An error says whether the command may have reached the server.
///
/// First a space, which for a team only sets the status line to "The facilitator runs the
/// clock.": the `Sent:` read at the end is then this command's, not the previous one's.
async fn compose(term: &mut Term, text: &str) -> Result<Sent, (String, bool)> {
    let early = |e: String| (e, false);
    term.key(b" ").await.map_err(early)?;
    term.wait_for("the status line to be reset", |s| {
        s.row(STATUS_ROW)
            .contains("The facilitator runs the clock.")
    })
    .await
    .map_err(early)?;
    tokio::time::sleep(KEY_GAP).await;
    term.key(b"c").await.map_err(early)?;
    term.wait_for("the composer's action list", |s| {
        s.contains("Compose: choose an action")
    })
    .await
    .map_err(early)?;
    for ch in ACTION_FILTER.bytes() {
        tokio::time::sleep(KEY_GAP).await;
        term.key(&[ch]).await.map_err(early)?;
    }
    term.wait_for("the filtered action list", |s| {
        s.contains(&format!("filter: {ACTION_FILTER}▏")) && s.contains("State restraint publicly")
    })
    .await
    .map_err(early)?;
    tokio::time::sleep(KEY_GAP).await;
    term.key(b"\r").await.map_err(early)?;
    term.wait_for("the text field", |s| {
        s.contains("State restraint publicly: your words")
    })
    .await
    .map_err(early)?;
    for ch in text.bytes() {
        tokio::time::sleep(KEY_GAP).await;
        term.key(&[ch]).await.map_err(early)?;
    }
    term.wait_for("the typed text", |s| s.contains(&format!("{text}▏")))
        .await
        .map_err(early)?;
    tokio::time::sleep(KEY_GAP).await;
    term.key(b"\r").await.map_err(early)?;
    let described = format!("Issue a statement of restraint: “{text}”");
    term.wait_for("the confirm screen", |s| {
        s.contains("State restraint publicly — confirm") && s.contains(&described)
    })
    .await
    .map_err(early)?;
    tokio::time::sleep(KEY_GAP).await;
    let sent_at = Instant::now();
    // From here on the command may have been accepted.
    let late = |e: String| (e, true);
    term.key(b"\r").await.map_err(late)?;
    term.wait_for("the composer to close with a result", |s| {
        let status = s.row(STATUS_ROW);
        !s.contains("Compose:")
            && (status.trim_start().starts_with("Sent:")
                || status.trim_start().starts_with("Not sent:"))
    })
    .await
    .map_err(late)?;
    let status = term.screen.row(STATUS_ROW).trim().to_string();
    if status.starts_with("Sent: restraint statement") {
        Ok(Sent::Yes(sent_at.elapsed()))
    } else {
        Ok(Sent::No(status))
    }
}

// ---------------------------------------------------------------------------------------
// One SSH terminal session.

struct Client {
    fingerprint: String,
}

impl client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        // The key the server announced in its banner, and no other.
        Ok(match key {
            PublicKeyOrCertificate::PublicKey { key, .. } => {
                key.fingerprint(HashAlg::Sha256).to_string() == self.fingerprint
            }
            PublicKeyOrCertificate::Certificate(_) => false,
        })
    }
}

/// A logged-in session with a 120×40 terminal and what it shows.
struct Term {
    handle: client::Handle<Client>,
    channel: russh::Channel<client::Msg>,
    screen: Screen,
    /// Keystroke sent → first screen bytes back.
    frames: Vec<Duration>,
    /// Screen updates (data packets) and bytes received.
    updates: usize,
    bytes: usize,
    /// Why the server ended the session, once it did.
    closed: Option<String>,
}

impl Term {
    async fn connect(target: &Target, user: &str, password: &str) -> Result<Term, String> {
        let config = Arc::new(client::Config {
            nodelay: true,
            inactivity_timeout: None,
            ..Default::default()
        });
        let client = Client {
            fingerprint: target.fingerprint.clone(),
        };
        let steps = async {
            let mut handle = client::connect(config, target.address.as_str(), client)
                .await
                .map_err(|e| format!("connect: {e}"))?;
            let auth = handle
                .authenticate_password(user, password)
                .await
                .map_err(|e| format!("authenticate: {e}"))?;
            if !auth.success() {
                return Err(format!("the password of `{user}` was refused"));
            }
            let channel = handle
                .channel_open_session()
                .await
                .map_err(|e| format!("open a session channel: {e}"))?;
            channel
                .request_pty(true, "xterm", COLS as u32, ROWS as u32, 0, 0, &[])
                .await
                .map_err(|e| format!("request a pty: {e}"))?;
            channel
                .request_shell(true)
                .await
                .map_err(|e| format!("request a shell: {e}"))?;
            Ok(Term {
                handle,
                channel,
                screen: Screen::new(COLS, ROWS),
                frames: Vec::new(),
                updates: 0,
                bytes: 0,
                closed: None,
            })
        };
        tokio::time::timeout(STEP_TIMEOUT * 2, steps)
            .await
            .map_err(|_| format!("`{user}` could not log in within {:?}", STEP_TIMEOUT * 2))?
    }

    /// Takes one message from the server; false when it was not screen bytes.
    fn take(&mut self, message: Option<ChannelMsg>) -> Result<bool, String> {
        match message {
            Some(ChannelMsg::Data { data }) => {
                self.screen.feed(&data);
                self.updates += 1;
                self.bytes += data.len();
                Ok(true)
            }
            Some(ChannelMsg::ExitStatus { exit_status }) => {
                self.closed = Some(format!("exit status {exit_status}"));
                Ok(false)
            }
            Some(ChannelMsg::Eof) | Some(ChannelMsg::Close) | None => {
                let why = self.closed.clone().unwrap_or_else(|| "closed".into());
                Err(format!(
                    "the server ended the session ({why}); its screen:\n{}",
                    self.screen.text()
                ))
            }
            Some(_) => Ok(false),
        }
    }

    /// Takes the messages that have already arrived, without waiting.
    fn drain_ready(&mut self) -> Result<(), String> {
        loop {
            let ready = {
                let mut next = std::pin::pin!(self.channel.wait());
                let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
                next.as_mut().poll(&mut cx)
            };
            match ready {
                std::task::Poll::Ready(m) => {
                    self.take(m)?;
                }
                std::task::Poll::Pending => return Ok(()),
            }
        }
    }

    /// Sends one keystroke and waits for the first screen bytes after it (the frame latency).
    async fn key(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.drain_ready()?;
        let sent = Instant::now();
        self.channel
            .data(bytes)
            .await
            .map_err(|e| format!("send {bytes:?}: {e}"))?;
        let deadline = sent + STEP_TIMEOUT;
        loop {
            let message = tokio::time::timeout_at(deadline, self.channel.wait())
                .await
                .map_err(|_| {
                    format!(
                        "no screen update within {STEP_TIMEOUT:?} of the key {:?}; the screen:\n{}",
                        String::from_utf8_lossy(bytes),
                        self.screen.text()
                    )
                })?;
            if self.take(message)? {
                self.frames.push(sent.elapsed());
                return Ok(());
            }
        }
    }

    /// Reads screen updates until the screen satisfies `ok`.
    async fn wait_for(&mut self, what: &str, ok: impl Fn(&Screen) -> bool) -> Result<(), String> {
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            self.drain_ready()?;
            if ok(&self.screen) {
                return Ok(());
            }
            match tokio::time::timeout_at(deadline, self.channel.wait()).await {
                Ok(m) => {
                    self.take(m)?;
                }
                Err(_) => {
                    return Err(format!(
                        "timed out ({STEP_TIMEOUT:?}) waiting for {what}; the screen:\n{}",
                        self.screen.text()
                    ));
                }
            }
        }
    }

    /// Keeps reading screen updates while `work` runs; returns its output.
    async fn pump_during<F: Future>(&mut self, work: F) -> Result<F::Output, String> {
        let mut work = std::pin::pin!(work);
        loop {
            tokio::select! {
                out = &mut work => return Ok(out),
                m = self.channel.wait() => { self.take(m)?; }
            }
        }
    }

    async fn pump_until(&mut self, until: Instant) -> Result<(), String> {
        self.pump_during(tokio::time::sleep_until(until)).await
    }

    async fn pump_for(&mut self, time: Duration) -> Result<(), String> {
        self.pump_until(Instant::now() + time).await
    }

    /// Leaves with `q` as a player would, then disconnects; best effort, bounded.
    async fn quit(mut self) {
        let _ = self.channel.data(&b"q"[..]).await;
        let _ = tokio::time::timeout(Duration::from_secs(5), async {
            while let Some(m) = self.channel.wait().await {
                if matches!(m, ChannelMsg::Close) {
                    break;
                }
            }
        })
        .await;
        let _ = self
            .handle
            .disconnect(Disconnect::ByApplication, "", "en")
            .await;
    }
}

// ---------------------------------------------------------------------------------------
// Just enough of a terminal to read ratatui's output.

/// A grid of characters fed with what the server writes: text, cursor moves (CSI H, A–D, G),
/// clears (CSI J, K); colours, modes and other sequences are skipped.
struct Screen {
    cols: usize,
    rows: usize,
    cells: Vec<Vec<char>>,
    x: usize,
    y: usize,
    /// An incomplete UTF-8 sequence at the end of the last packet.
    partial: Vec<u8>,
    escape: Escape,
}

enum Escape {
    None,
    Esc,
    Csi(String),
}

impl Screen {
    fn new(cols: usize, rows: usize) -> Screen {
        Screen {
            cols,
            rows,
            cells: vec![vec![' '; cols]; rows],
            x: 0,
            y: 0,
            partial: Vec::new(),
            escape: Escape::None,
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        let mut buf = std::mem::take(&mut self.partial);
        buf.extend_from_slice(bytes);
        let mut rest: &[u8] = &buf;
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    s.chars().for_each(|c| self.put(c));
                    rest = &[];
                    break;
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    String::from_utf8_lossy(good)
                        .chars()
                        .for_each(|c| self.put(c));
                    match e.error_len() {
                        None => {
                            rest = bad;
                            break;
                        }
                        Some(n) => {
                            self.put('\u{fffd}');
                            rest = &bad[n..];
                        }
                    }
                }
            }
        }
        self.partial = rest.to_vec();
    }

    fn put(&mut self, c: char) {
        match std::mem::replace(&mut self.escape, Escape::None) {
            Escape::None => match c {
                '\x1b' => self.escape = Escape::Esc,
                '\r' => self.x = 0,
                '\n' => self.y = (self.y + 1).min(self.rows - 1),
                '\x08' => self.x = self.x.saturating_sub(1),
                c if c.is_control() => {}
                c => {
                    if self.y < self.rows && self.x < self.cols {
                        self.cells[self.y][self.x] = c;
                    }
                    self.x += 1;
                }
            },
            Escape::Esc => {
                if c == '[' {
                    self.escape = Escape::Csi(String::new());
                }
            }
            Escape::Csi(mut params) => {
                if ('\x40'..='\x7e').contains(&c) {
                    self.csi(&params, c);
                } else if params.len() < 64 {
                    params.push(c);
                    self.escape = Escape::Csi(params);
                }
            }
        }
    }

    fn csi(&mut self, params: &str, action: char) {
        if params.starts_with(['?', '>', '<', '=']) {
            return;
        }
        let numbers: Vec<usize> = params.split(';').map(|p| p.parse().unwrap_or(0)).collect();
        let arg = |i: usize| numbers.get(i).copied().unwrap_or(0);
        let count = |i: usize| arg(i).max(1);
        let (rows, cols) = (self.rows, self.cols);
        match action {
            'H' | 'f' => {
                self.y = (count(0) - 1).min(rows - 1);
                self.x = (count(1) - 1).min(cols - 1);
            }
            'A' => self.y = self.y.saturating_sub(count(0)),
            'B' => self.y = (self.y + count(0)).min(rows - 1),
            'C' => self.x = (self.x + count(0)).min(cols - 1),
            'D' => self.x = self.x.saturating_sub(count(0)),
            'G' => self.x = (count(0) - 1).min(cols - 1),
            'J' => {
                let (x, y) = (self.x.min(cols), self.y);
                match arg(0) {
                    0 => {
                        self.cells[y][x..].fill(' ');
                        self.cells[y + 1..].iter_mut().for_each(|r| r.fill(' '));
                    }
                    1 => {
                        self.cells[..y].iter_mut().for_each(|r| r.fill(' '));
                        self.cells[y][..(x + 1).min(cols)].fill(' ');
                    }
                    _ => self.cells.iter_mut().for_each(|r| r.fill(' ')),
                }
            }
            'K' => {
                let (x, y) = (self.x.min(cols), self.y);
                match arg(0) {
                    0 => self.cells[y][x..].fill(' '),
                    1 => self.cells[y][..(x + 1).min(cols)].fill(' '),
                    _ => self.cells[y].fill(' '),
                }
            }
            _ => {}
        }
    }

    fn row(&self, y: usize) -> String {
        self.cells[y].iter().collect()
    }

    fn text(&self) -> String {
        (0..self.rows)
            .map(|y| self.row(y).trim_end().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn contains(&self, needle: &str) -> bool {
        (0..self.rows).any(|y| self.row(y).contains(needle))
    }
}

// ---------------------------------------------------------------------------------------
// The server process.

struct Server {
    child: Child,
    pid: u32,
    address: String,
    fingerprint: String,
    journal: PathBuf,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts `cyberdrill serve` on a free loopback port and waits for its banner.
    fn start(dir: &Path) -> Server {
        let teams = dir.join("teams.ron");
        let mut file = format!(
            "(\n    scenario: \"flagship\",\n    facilitator: (password: \"{FACILITATOR_PASS}\", keys: []),\n    teams: [\n"
        );
        for (team, password) in TEAMS {
            file.push_str(&format!(
                "        (team: \"{team}\", password: \"{password}\", keys: []),\n"
            ));
        }
        file.push_str("    ],\n)\n");
        std::fs::write(&teams, file).expect("write the teams file");
        let journal = dir.join("journal.jsonl");
        let mut child = Command::new(BIN)
            .current_dir(dir)
            .args([
                "serve",
                "builtin:flagship",
                "--listen",
                "127.0.0.1:0",
                "--seed",
                "7",
            ])
            .arg("--teams")
            .arg(&teams)
            .arg("--journal")
            .arg(&journal)
            .arg("--host-key")
            .arg(dir.join("host-key"))
            .args(["--max-per-team", &MAX_PER_TEAM.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start cyberdrill serve");
        let pid = child.id();
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (line_tx, line_rx) = std::sync::mpsc::channel::<String>();
        let out = child.stdout.take().expect("stdout");
        let kept = stdout.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = line_tx.send(line.clone());
                kept.lock().unwrap().push(line);
            }
        });
        let err = child.stderr.take().expect("stderr");
        let kept = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                kept.lock().unwrap().push(line);
            }
        });
        let mut server = Server {
            child,
            pid,
            address: String::new(),
            fingerprint: String::new(),
            journal,
            stdout,
            stderr,
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while server.address.is_empty() {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match line_rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(f) = line.strip_prefix("Host key fingerprint: ") {
                        server.fingerprint = f.trim().to_string();
                    }
                    if let Some(a) = line.strip_prefix("Listening on ") {
                        server.address = a.trim().to_string();
                    }
                }
                Err(_) => panic!(
                    "the server printed no `Listening on` line within 60 s\n{}",
                    server.log_tail()
                ),
            }
        }
        assert!(
            server.fingerprint.starts_with("SHA256:"),
            "no host key fingerprint in the banner\n{}",
            server.log_tail()
        );
        server
    }

    /// SIGTERM, then waits for the exit; the exit code, or None if it did not stop in time.
    fn terminate(&mut self, within: Duration) -> Option<i32> {
        // SAFETY: a signal to our own child, which has not been reaped (we hold `child`).
        unsafe {
            libc::kill(self.pid as libc::pid_t, libc::SIGTERM);
        }
        let status = wait_with_timeout(&mut self.child, within)?;
        // Let the reader threads take the last lines.
        std::thread::sleep(Duration::from_millis(200));
        Some(status.code().unwrap_or(-1))
    }

    fn stdout(&self) -> Vec<String> {
        self.stdout.lock().unwrap().clone()
    }

    fn log_tail(&self) -> String {
        format!(
            "server stdout (last lines):\n{}\nserver stderr (last lines):\n{}",
            tail(&self.stdout(), 15),
            tail(&self.stderr.lock().unwrap(), 15)
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn wait_with_timeout(child: &mut Child, within: Duration) -> Option<std::process::ExitStatus> {
    let deadline = std::time::Instant::now() + within;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if std::time::Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn tail(lines: &[String], n: usize) -> String {
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// User + system CPU time of a process so far, in seconds (Linux `/proc/PID/stat`).
fn cpu_seconds(pid: u32) -> Result<f64, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("read /proc/{pid}/stat: {e}"))?;
    // Fields after the command name (which may hold spaces) start at field 3 (state).
    let after = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .ok_or("malformed /proc stat")?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |n: usize| -> Result<f64, String> {
        fields
            .get(n - 3)
            .and_then(|v| v.parse::<f64>().ok())
            .ok_or_else(|| format!("no field {n} in /proc/{pid}/stat"))
    };
    // SAFETY: sysconf only reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let hz = if hz > 0 { hz as f64 } else { 100.0 };
    Ok((field(14)? + field(15)?) / hz)
}

// ---------------------------------------------------------------------------------------
// Checks after the run.

/// What the journal held.
#[derive(Default)]
struct JournalSummary {
    lines: usize,
    commands: usize,
    load_commands: usize,
    marks: usize,
    controls: usize,
    end_tick: Option<u64>,
    last_tick: u64,
}

/// Every confirmed command exactly once, under its team, in its session's order; ticks never
/// go back; load commands only from confirmed ones; an end line.
fn check_journal(
    text: &str,
    sessions: &[SessionReport],
    failures: &mut Vec<String>,
) -> JournalSummary {
    let mut summary = JournalSummary::default();
    // text → (team, position in the journal)
    let mut seen: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
    let mut last_tick = 0u64;
    let mut ended = false;
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        summary.lines += 1;
        let value: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("journal line {number} is not JSON ({e}): {line}"));
                continue;
            }
        };
        let kind = value["kind"].as_str().unwrap_or("");
        if number == 1 {
            if kind != "header" {
                failures.push(format!("journal line 1 is not a header: {line}"));
            }
            continue;
        }
        let Some(tick) = value["tick"].as_u64() else {
            failures.push(format!("journal line {number} has no tick: {line}"));
            continue;
        };
        if tick < last_tick {
            failures.push(format!(
                "journal line {number} goes back in time (tick {tick} after {last_tick}): {line}"
            ));
        }
        last_tick = last_tick.max(tick);
        if ended && kind != "mark" {
            failures.push(format!(
                "journal line {number} comes after the end line: {line}"
            ));
        }
        match kind {
            "command" => {
                summary.commands += 1;
                let command = &value["command"];
                if let Some(t) = command["text"].as_str()
                    && command["action"] == "restraint_statement"
                    && t.starts_with("load s")
                {
                    summary.load_commands += 1;
                    let team = value["team"].as_str().unwrap_or("?").to_string();
                    seen.entry(t.to_string()).or_default().push((team, number));
                }
            }
            "mark" => summary.marks += 1,
            "control" => summary.controls += 1,
            "end" => {
                ended = true;
                summary.end_tick = Some(tick);
            }
            other => failures.push(format!(
                "journal line {number} has an unknown kind `{other}`: {line}"
            )),
        }
    }
    summary.last_tick = last_tick;
    if summary.end_tick.is_none() {
        failures
            .push("the journal has no end line although the exercise was run to its end".into());
    }
    let mut confirmed = BTreeSet::new();
    for r in sessions {
        let mut previous = 0;
        for text in &r.confirmed {
            confirmed.insert(text.clone());
            match seen.get(text).map(Vec::as_slice) {
                None | Some([]) => failures.push(format!(
                    "LOST: `{text}` (session {}, {}) was confirmed on screen but is not in the journal",
                    r.index, r.team
                )),
                Some([(team, line)]) => {
                    if *team != r.team {
                        failures.push(format!(
                            "`{text}` was sent by {} but journaled for {team} (line {line})",
                            r.team
                        ));
                    }
                    if *line < previous {
                        failures.push(format!(
                            "`{text}` is journaled (line {line}) before an earlier command of its session (line {previous})"
                        ));
                    }
                    previous = *line;
                }
                Some(many) => failures.push(format!(
                    "`{text}` is journaled {} times (lines {:?})",
                    many.len(),
                    many.iter().map(|(_, l)| *l).collect::<Vec<_>>()
                )),
            }
        }
    }
    let unresolved: BTreeSet<&String> = sessions
        .iter()
        .filter_map(|r| r.unresolved.as_ref())
        .collect();
    for (text, at) in &seen {
        if !confirmed.contains(text) && !unresolved.contains(text) {
            failures.push(format!(
                "`{text}` is in the journal (lines {:?}) but no session saw it confirmed",
                at.iter().map(|(_, l)| *l).collect::<Vec<_>>()
            ));
        }
    }
    summary
}

/// `cyberdrill replay JOURNAL` exits 0 (within 120 s) and says `expect` on stderr.
fn check_replay(journal: &Path, expect: &str, failures: &mut Vec<String>) {
    let mut child = match Command::new(BIN)
        .arg("replay")
        .arg(journal)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            failures.push(format!("cannot run cyberdrill replay: {e}"));
            return;
        }
    };
    let stderr = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut s);
        s
    });
    let status = wait_with_timeout(&mut child, Duration::from_secs(120));
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let err = reader.join().unwrap_or_default();
    match status {
        Some(s) if s.success() && err.contains(expect) => {
            eprintln!("serve_load: replay {}: {}", journal.display(), err.trim())
        }
        Some(s) => failures.push(format!(
            "cyberdrill replay {} exited {:?} (expected 0 and `{expect}`): {}",
            journal.display(),
            s.code(),
            err.trim()
        )),
        None => failures.push(format!(
            "cyberdrill replay {} did not finish within 120 s",
            journal.display()
        )),
    }
}

// ---------------------------------------------------------------------------------------
// The numbers.

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

impl Run {
    fn print(&self, load: Duration, journal: &JournalSummary, stop_time: Duration) {
        let mut frames: Vec<Duration> = self
            .sessions
            .iter()
            .flat_map(|r| r.frames.clone())
            .collect();
        frames.sort();
        let mut confirms: Vec<Duration> = self
            .sessions
            .iter()
            .flat_map(|r| r.confirms.clone())
            .collect();
        confirms.sort();
        let confirmed: usize = self.sessions.iter().map(|r| r.confirmed.len()).sum();
        let per_session: Vec<usize> = self.sessions.iter().map(|r| r.confirmed.len()).collect();
        let wall = self.load_wall.as_secs_f64();
        eprintln!("serve_load: ===== results =====");
        eprintln!(
            "serve_load: sessions: {} (1 facilitator + {} team sessions over {} teams, --max-per-team {MAX_PER_TEAM}), connected in {:.2} s",
            self.sessions.len() + 1,
            self.sessions.len(),
            TEAMS.len(),
            self.connect_time.as_secs_f64()
        );
        eprintln!(
            "serve_load: load phase: {:.1} s (target {} s, clock at {} simulated min/s); commands confirmed: {confirmed} ({:.1}/s); per session min {} max {}; keystrokes: {}",
            wall,
            load.as_secs(),
            self.pace,
            confirmed as f64 / wall,
            per_session.iter().min().copied().unwrap_or(0),
            per_session.iter().max().copied().unwrap_or(0),
            frames.len()
        );
        let updates: usize = self.sessions.iter().map(|r| r.updates).sum();
        let bytes: usize = self.sessions.iter().map(|r| r.bytes).sum();
        eprintln!(
            "serve_load: screen updates to the team sessions: {updates} ({:.1}/s per session), {:.0} KiB/s in all",
            updates as f64 / wall / self.sessions.len().max(1) as f64,
            bytes as f64 / 1024.0 / wall
        );
        eprintln!(
            "serve_load: frame latency (key → first screen bytes): p50 {} p95 {} max {}",
            ms(percentile(&frames, 50.0)),
            ms(percentile(&frames, 95.0)),
            ms(frames.last().copied().unwrap_or_default())
        );
        eprintln!(
            "serve_load: confirmation latency (last Enter → `Sent:` on screen): p50 {} p95 {} max {}",
            ms(percentile(&confirms, 50.0)),
            ms(percentile(&confirms, 95.0)),
            ms(confirms.last().copied().unwrap_or_default())
        );
        eprintln!(
            "serve_load: server CPU over the load phase: {:.2} s = {:.1}% of one core",
            self.load_cpu,
            100.0 * self.load_cpu / wall
        );
        eprintln!(
            "serve_load: server CPU per {} s of the load (% of one core): {}",
            CPU_SLICE.as_secs(),
            self.cpu_slices
                .iter()
                .map(|s| format!("{:.0}", s * 100.0))
                .collect::<Vec<_>>()
                .join(" ")
        );
        eprintln!(
            "serve_load: server CPU idle (30 sessions, clock paused): {:.3} s over {:.1} s = {:.2}% of one core",
            self.idle_cpu,
            self.idle_wall.as_secs_f64(),
            100.0 * self.idle_cpu / self.idle_wall.as_secs_f64()
        );
        eprintln!(
            "serve_load: run to the end: {} presses of N in {:.1} s; SIGTERM → exit in {:.2} s",
            self.end_presses,
            self.end_wall.as_secs_f64(),
            stop_time.as_secs_f64()
        );
        eprintln!(
            "serve_load: journal: {} lines, {} commands ({} from the load), {} controls, {} marks, end at tick {:?} (last tick {})",
            journal.lines,
            journal.commands,
            journal.load_commands,
            journal.controls,
            journal.marks,
            journal.end_tick,
            journal.last_tick
        );
    }
}

// ---------------------------------------------------------------------------------------
// The test's own tools, checked without a server.

#[test]
fn screen_reads_what_ratatui_writes() {
    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::Rect;
    use ratatui::style::{Color, Style};
    use ratatui::widgets::{Block, Paragraph};
    use ratatui::{Terminal, TerminalOptions, Viewport};
    /// What the terminal writes, kept where the test can take it (as the server's sink).
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink::default();
    let mut terminal = Terminal::with_options(
        CrosstermBackend::new(sink.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 40, 8)),
        },
    )
    .unwrap();
    let mut screen = Screen::new(40, 8);
    let frame = |terminal: &mut Terminal<CrosstermBackend<Sink>>,
                 screen: &mut Screen,
                 title: &str,
                 body: &str| {
        terminal
            .draw(|f| {
                f.render_widget(
                    Paragraph::new(body)
                        .style(Style::new().fg(Color::Yellow))
                        .block(Block::bordered().title(title)),
                    f.area(),
                )
            })
            .unwrap();
        let bytes = std::mem::take(&mut *sink.0.lock().unwrap());
        // Split mid-sequence and mid-character, as packets may be.
        let cut = bytes.len() / 2;
        screen.feed(&bytes[..cut]);
        screen.feed(&bytes[cut..]);
        screen.text()
    };
    let first = frame(
        &mut terminal,
        &mut screen,
        "Compose: confirm",
        "Sent: “load s01 n001” ▏",
    );
    assert!(first.starts_with("┌Compose: confirm"), "{first}");
    assert!(
        screen.row(1).starts_with("│Sent: “load s01 n001” ▏"),
        "{first}"
    );
    // Only the changed cells are sent; the screen keeps the rest.
    let second = frame(
        &mut terminal,
        &mut screen,
        "Compose: confirm",
        "Sent: “load s01 n002” ▏",
    );
    assert!(
        screen.row(1).starts_with("│Sent: “load s01 n002” ▏"),
        "{second}"
    );
    assert!(second.lines().last().unwrap().starts_with('└'), "{second}");
}

#[test]
fn journal_check_finds_lost_doubled_misplaced_and_unordered_commands() {
    let session = |index: usize, team: &str, confirmed: &[&str]| SessionReport {
        index,
        team: team.into(),
        confirmed: confirmed.iter().map(|s| s.to_string()).collect(),
        ..SessionReport::default()
    };
    let command = |tick: u32, team: &str, text: &str| {
        format!(
            r#"{{"kind":"command","tick":{tick},"team":"{team}","command":{{"action":"restraint_statement","text":"{text}"}}}}"#
        )
    };
    let header = r#"{"kind":"header","format":"cyberdrill-journal-1"}"#;
    let end = r#"{"kind":"end","tick":576,"outcome_hash":"x"}"#;
    let journal = |lines: &[String]| {
        let mut all = vec![header.to_string()];
        all.extend_from_slice(lines);
        all.push(end.to_string());
        all.join("\n")
    };
    let sessions = [
        session(0, "team-varesh", &["load s00 n001", "load s00 n002"]),
        session(1, "team-kelmora", &["load s01 n001"]),
    ];
    let problems = |text: &str| {
        let mut failures = Vec::new();
        check_journal(text, &sessions, &mut failures);
        failures
    };
    let good = journal(&[
        command(1, "team-varesh", "load s00 n001"),
        r#"{"kind":"mark","tick":2}"#.to_string(),
        command(2, "team-kelmora", "load s01 n001"),
        command(2, "team-varesh", "load s00 n002"),
    ]);
    assert_eq!(problems(&good), Vec::<String>::new());
    let bad = journal(&[
        command(3, "team-varesh", "load s00 n002"),
        command(2, "team-varesh", "load s00 n001"),
        command(2, "team-varesh", "load s01 n001"),
        command(3, "team-varesh", "load s01 n001"),
        command(3, "team-toravia", "load s09 n001"),
    ]);
    let found = problems(&bad).join("\n");
    for expected in [
        "goes back in time",
        "before an earlier command of its session",
        "journaled 2 times",
        "but no session saw it confirmed",
    ] {
        assert!(
            found.contains(expected),
            "missing `{expected}` in:\n{found}"
        );
    }
    let lost = journal(&[command(1, "team-kelmora", "load s00 n001")]);
    let found = problems(&lost).join("\n");
    assert!(found.contains("LOST: `load s00 n002`"), "{found}");
    assert!(found.contains("journaled for team-kelmora"), "{found}");
    let unfinished = good.replace(end, "");
    assert!(problems(&unfinished).join("\n").contains("no end line"));
}

#[test]
fn long_loads_slow_the_clock_so_the_exercise_outlasts_them() {
    assert_eq!(pace_for(Duration::from_secs(20)), 10);
    assert_eq!(pace_for(Duration::from_secs(60)), 10);
    assert_eq!(pace_for(Duration::from_secs(300)), 5);
    assert_eq!(pace_for(Duration::from_secs(MAX_LOAD_SECS)), 1);
}
