//! End-to-end: the real `cyberdrill play` in a real terminal (tmux), driven by keys.
//!
//! Each test runs its own tmux server (`tmux -S <socket in a temporary directory>`) with a uniquely named
//! session, so tests run in parallel and never touch a user's tmux. A guard kills the session
//! when the test ends, also on failure. Screens are polled with a timeout rather than read
//! after fixed sleeps. Without `tmux` on the PATH the tests are skipped with a message
//! (CI installs it: see `.ci/run`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::harness::tmux::{Term, Tmux};
use crate::harness::{BIN, TIMEOUT};

fn tmux_available() -> bool {
    match Command::new("tmux").arg("-V").output() {
        Ok(o) if o.status.success() => true,
        _ => {
            eprintln!(
                "SKIPPED: `tmux` is not installed, so the end-to-end TUI tests cannot run \
                 (install it: apt-get install tmux)"
            );
            false
        }
    }
}

/// Starts `command` (a shell command line) in a detached 120×40 session on a tmux server of
/// its own (its socket in the test's temporary directory); killed on drop.
fn session(test: &str, command: &str, dir: &Path) -> Term {
    let session = format!("cyberdrill-{test}-{}", std::process::id());
    Tmux::at(&dir.join(format!("{test}.tmux")), dir).open(&session, command)
}

/// The process running in the pane's shell (the `cyberdrill` binary).
fn app_pid(t: &Term) -> u32 {
    t.child_pid(|c| String::from_utf8_lossy(c).contains("cyberdrill"))
        .expect("the cyberdrill process under the pane's shell")
}

/// `play` in a shell that reports the exit code and stays around to be read.
fn play_command(args: &str) -> String {
    format!("'{BIN}' play {args}; echo EXITED-$?; sleep 30")
}

/// The rows of the screen that belong to the TUI's frame.
fn has_frame(screen: &str) -> bool {
    screen.chars().any(|c| "┌┐└┘│─".contains(c))
}

/// Header line 2 of the player screen: simulated time of the whole exercise.
fn clock(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains(" of +"))
        .map(|l| l.split("  ·").next().unwrap_or("").trim().to_string())
        .unwrap_or_default()
}

/// From the Directory: a Notify to ToraCERT's e-mail desk, up to "Sent".
fn notify_toracert(t: &Term, text: &str) {
    t.keys(&["3"]);
    t.wait_for("Directory of points of contact");
    t.keys(&["/"]);
    t.type_text("tor-cert-desk");
    t.wait_for("Directory — filter: tor-cert-desk");
    t.keys(&["Enter"]); // ends the filter
    t.keys(&["Enter"]); // writes to the highlighted contact
    t.wait_for("Compose: choose an action");
    t.keys(&["Enter"]); // Notify contacts of an incident
    t.wait_for("which incident?");
    t.keys(&["Enter"]); // (no particular incident)
    t.wait_for("your words");
    t.type_text(text);
    t.wait_for(text);
    t.keys(&["Enter"]);
    let confirm = t.wait_for("How it will travel");
    assert!(
        confirm.contains("Notify ToraCERT 24/7 operations"),
        "{confirm}"
    );
    assert!(confirm.contains("by email to ToraCERT"), "{confirm}");
    t.keys(&["Enter"]);
    t.wait_for("Sent: notify");
}

fn temp() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("cyberdrill-tmux-")
        .tempdir()
        .expect("temp dir")
}

#[test]
fn notify_is_acknowledged_and_quit_restores_the_terminal() {
    let _turn = crate::harness::alongside();
    if !tmux_available() {
        return;
    }
    let dir = temp();
    let journal = dir.path().join("j.jsonl");
    let t = session(
        "ack",
        &play_command(&format!(
            "--seed 1 --as team-varesh --journal '{}'",
            journal.display()
        )),
        dir.path(),
    );
    let first = t.wait_for("⏸ PAUSED");
    assert!(first.contains("Varesh (VarCERT + MFA)"), "{first}");
    assert_eq!(clock(&first), "+00:00 of +48:00", "{first}");

    notify_toracert(&t, "Booter traffic towards VCB; please check Meridian Gate");

    // On to the next event a few times: the acknowledgement comes back as a receipt.
    for _ in 0..4 {
        let before = clock(&t.screen());
        t.keys(&["N"]);
        t.wait(&format!("the clock to move on from {before}"), |s| {
            clock(s) != before
        });
    }
    t.keys(&["1"]);
    // The list cuts a long subject at 120 columns ("… operation…"): its start is enough.
    let inbox = t.wait_for("Acknowledged by ToraCERT 24/7");
    assert!(inbox.contains("↩"), "a receipt is marked as one:\n{inbox}");

    t.keys(&["q"]);
    let after = t.wait_for("EXITED-");
    assert!(after.contains("EXITED-0"), "play exits 0:\n{after}");
    assert!(
        after.contains(&format!("Journal: {}", journal.display())),
        "the journal path is printed:\n{after}"
    );
    assert!(
        after.contains("cyberdrill play --resume"),
        "how to continue is printed:\n{after}"
    );
    assert!(
        !has_frame(&after),
        "the terminal is restored (no TUI frame left on the screen):\n{after}"
    );

    let text = std::fs::read_to_string(&journal).expect("journal written");
    assert!(text.lines().any(|l| l.contains(r#""kind":"command""#)
        && l.contains("tor-cert-desk")
        && l.contains(r#""action":"notify""#)));
    assert!(text.lines().any(|l| l.contains(r#""kind":"mark""#)));
}

#[test]
fn resume_after_sigkill_comes_back_to_the_same_state() {
    let _turn = crate::harness::alongside();
    if !tmux_available() {
        return;
    }
    let dir = temp();
    let journal: PathBuf = dir.path().join("j.jsonl");
    let t = session(
        "kill",
        &play_command(&format!(
            "--seed 1 --as team-varesh --journal '{}'",
            journal.display()
        )),
        dir.path(),
    );
    t.wait_for("⏸ PAUSED");
    notify_toracert(&t, "Resume me");

    // 20 ticks of 5 minutes, one key each (each tick is journaled as it is reached).
    for i in 1..=20u32 {
        t.keys(&["n"]);
        let want = format!("+{:02}:{:02} of +48:00", i * 5 / 60, i * 5 % 60);
        t.wait_for(&want);
    }
    t.keys(&["5"]);
    // The Sent tab lists recipient and subject (not the text typed).
    let sent_before = t.wait("the notify on the Sent tab", |s| {
        s.contains("Sent: you learn") && s.contains("ToraCERT 24/7")
    });
    assert_eq!(clock(&sent_before), "+01:40 of +48:00");
    t.keys(&["1"]);
    let inbox_before = t.wait_for("Inbox: ");

    // No chance to clean up: SIGKILL.
    let pid = app_pid(&t);
    let killed = Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    t.wait_for("EXITED-137");
    drop(t);

    let r = session(
        "resume",
        &play_command(&format!("--resume '{}'", journal.display())),
        dir.path(),
    );
    let inbox_after = r.wait_for("⏸ PAUSED");
    assert_eq!(
        clock(&inbox_after),
        "+01:40 of +48:00",
        "the resumed session is at the same simulated time:\n{inbox_after}"
    );
    r.keys(&["5"]);
    let sent_after = r.wait("the notify on the Sent tab", |s| {
        s.contains("Sent: you learn") && s.contains("ToraCERT 24/7")
    });
    // The same state: every row but the status line reads the same as before the kill.
    assert_eq!(
        without_status(&sent_after),
        without_status(&sent_before),
        "Sent tab after resume differs"
    );
    assert_eq!(
        without_status(&inbox_after),
        without_status(&inbox_before),
        "Inbox after resume differs"
    );
    r.keys(&["q"]);
    let after = r.wait_for("EXITED-");
    assert!(after.contains("EXITED-0"), "{after}");
    drop(r);

    // The journal of the killed-and-resumed session replays cleanly.
    let out = Command::new(BIN)
        .args(["replay", &journal.display().to_string(), "--json"])
        .output()
        .expect("run replay");
    assert!(
        out.status.success(),
        "replay exits 0: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("replay --json prints JSON");
    assert_eq!(json["seed"], 1);
    let text = std::fs::read_to_string(&journal).expect("journal");
    assert!(
        text.contains("Resume me"),
        "the notify is journaled once:\n{text}"
    );
    assert_eq!(text.matches("Resume me").count(), 1, "{text}");
}

/// The screen without its status line (the second-to-last non-empty row).
fn without_status(screen: &str) -> Vec<String> {
    let rows: Vec<String> = screen.lines().map(|l| l.trim_end().to_string()).collect();
    let last = rows.iter().rposition(|l| !l.is_empty()).unwrap_or(0);
    rows.into_iter()
        .enumerate()
        .filter(|(i, _)| *i + 1 != last)
        .map(|(_, l)| l)
        .collect()
}

/// `w` on the Relations tab opens the why popup over the selected state in a real terminal,
/// and Escape closes it (the screen behind comes back).
#[test]
fn w_explains_a_rung_and_escape_closes_it() {
    let _turn = crate::harness::alongside();
    if !tmux_available() {
        return;
    }
    let dir = temp();
    let journal = dir.path().join("j.jsonl");
    let t = session(
        "why",
        &play_command(&format!(
            "--seed 1 --as team-varesh --journal '{}'",
            journal.display()
        )),
        dir.path(),
    );
    t.wait_for("⏸ PAUSED");
    t.keys(&["4"]);
    t.wait_for("Relations: our tension");
    t.keys(&["w"]);
    let popup = t.wait_for("Why: relations with Kingdom of Kelmora");
    assert!(popup.contains("No change of rung yet"), "{popup}");
    t.keys(&["Escape"]);
    t.wait("the popup to close", |s| {
        !s.contains("Why: relations with") && s.contains("Relations: our tension")
    });
    t.keys(&["q"]);
    let after = t.wait_for("EXITED-");
    assert!(after.contains("EXITED-0"), "{after}");
}

/// `play --branch`: the parent's run comes back at the branch point, the team plays on from
/// there, and the branch journal names its parent and replays.
#[test]
fn play_branch_goes_on_from_the_branch_point() {
    let _turn = crate::harness::alongside();
    if !tmux_available() {
        return;
    }
    let dir = temp();
    let parent = dir.path().join("parent.jsonl");
    let out = Command::new(BIN)
        .args(["run", "builtin:flagship", "--seed", "2", "--journal"])
        .arg(&parent)
        .output()
        .expect("run");
    assert!(out.status.success());
    let branch = dir.path().join("branch.jsonl");
    let t = session(
        "branch",
        &play_command(&format!(
            "--branch '{}' --at +06:30 --as team-varesh --journal '{}'",
            parent.display(),
            branch.display()
        )),
        dir.path(),
    );
    let screen = t.wait_for("⏸ PAUSED");
    assert_eq!(clock(&screen), "+06:30 of +48:00", "{screen}");
    notify_toracert(&t, "Branch decision");
    t.keys(&["n"]);
    t.wait_for("+06:35 of +48:00");
    t.keys(&["q"]);
    t.wait_for("EXITED-0");
    let text = std::fs::read_to_string(&branch).expect("the branch journal");
    let header = text.lines().next().unwrap_or_default();
    assert!(header.contains("\"parent\""), "{header}");
    assert!(header.contains("\"at\":78"), "{header}");
    assert!(
        text.contains("Branch decision"),
        "the decision is journaled"
    );
    let replay = Command::new(BIN)
        .arg("replay")
        .arg(&branch)
        .output()
        .expect("replay");
    assert!(
        replay.status.success(),
        "{}",
        String::from_utf8_lossy(&replay.stderr)
    );
}

/// Mounts a tmpfs of one page (4 KiB) at `dir`; false (and why) when this machine does not
/// let the test mount one (not root, no mount namespace).
fn mount_tiny_tmpfs(dir: &Path) -> bool {
    std::fs::create_dir_all(dir).expect("mount point");
    match Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4k", "tmpfs"])
        .arg(dir)
        .output()
    {
        Ok(o) if o.status.success() => true,
        Ok(o) => {
            eprintln!(
                "SKIPPED: cannot mount a small tmpfs to fill ({}); the full-disk test needs root",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            false
        }
        Err(e) => {
            eprintln!("SKIPPED: cannot run mount ({e}); the full-disk test needs it");
            false
        }
    }
}

/// Unmounts on drop, also when the test fails.
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// The last tick a journal reached (its last mark, entry or end).
fn reached(journal: &str) -> u32 {
    journal
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["tick"].as_u64())
        .max()
        .unwrap_or(0) as u32
}

fn hhmm(tick: u32) -> String {
    format!("+{:02}:{:02} of +48:00", tick * 5 / 60, tick * 5 % 60)
}

/// The disk fills while the clock runs: `play` stops with a message that says what happened
/// and how to go on, exits 1, restores the terminal, and leaves a journal of whole lines that
/// `--resume` continues from where it stopped.
#[test]
fn a_full_disk_stops_play_with_a_journal_that_resumes() {
    let _turn = crate::harness::alongside();
    if !tmux_available() {
        return;
    }
    let dir = temp();
    let disk = dir.path().join("disk");
    if !mount_tiny_tmpfs(&disk) {
        return;
    }
    let mounted = Mounted(disk.clone());
    let journal = disk.join("j.jsonl");
    let t = session(
        "full",
        &play_command(&format!(
            "--seed 3 --as team-varesh --journal '{}'",
            journal.display()
        )),
        dir.path(),
    );
    t.wait_for("⏸ PAUSED");
    notify_toracert(&t, "Before the disk fills");
    for _ in 0..6 {
        t.keys(&["+"]);
    }
    t.keys(&["Space"]);
    let after = t.wait_for("EXITED-");
    assert!(after.contains("EXITED-1"), "play exits 1:\n{after}");
    assert!(
        after.contains("cannot write the journal") && after.contains("No space left"),
        "says what failed:\n{after}"
    );
    assert!(
        after.contains("continue with: cyberdrill play --resume"),
        "says how to go on:\n{after}"
    );
    assert!(!has_frame(&after), "the terminal is restored:\n{after}");
    drop(t);

    // Whole lines only, the accepted command among them.
    let text = std::fs::read_to_string(&journal).expect("journal");
    assert!(text.ends_with('\n'), "no half-written line:\n{text}");
    for line in text.lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("a line that does not parse ({e}): {line}"));
    }
    assert_eq!(text.matches("Before the disk fills").count(), 1);
    let stopped = reached(&text);
    assert!(
        stopped > 20,
        "the clock ran before the disk filled: {stopped}"
    );

    // On a disk with room, the session goes on from where it stopped.
    let moved = dir.path().join("j.jsonl");
    std::fs::write(&moved, &text).expect("copy the journal");
    drop(mounted);
    let r = session(
        "full-resume",
        &play_command(&format!("--resume '{}'", moved.display())),
        dir.path(),
    );
    let screen = r.wait_for("⏸ PAUSED");
    assert_eq!(clock(&screen), hhmm(stopped), "{screen}");
    r.keys(&["n"]);
    r.wait_for(&hhmm(stopped + 1));
    r.keys(&["q"]);
    let out = r.wait_for("EXITED-");
    assert!(out.contains("EXITED-0"), "{out}");
}

/// A small deterministic generator for the moments of the kills (xorshift).
struct Moments(u64);

impl Moments {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// SIGKILL at many moments (right after a command was accepted, while the clock runs, while
/// paused), each time resumed from the journal: no accepted command is ever lost, each
/// resumed session comes back to the tick the journal reached, and the run, played on to its
/// end, replays to the identical outcome (`replay` checks the journaled outcome hash).
#[test]
fn killed_at_many_moments_play_loses_no_accepted_command() {
    let _turn = crate::harness::alongside();
    if !tmux_available() {
        return;
    }
    let dir = temp();
    let journal = dir.path().join("j.jsonl");
    let mut moments = Moments(0x5eed_cafe);
    let mut accepted = 0usize;
    let rounds = 8;
    for round in 0..=rounds {
        let args = if round == 0 {
            format!(
                "--seed 2 --as team-varesh --journal '{}'",
                journal.display()
            )
        } else {
            format!("--resume '{}'", journal.display())
        };
        let t = session(&format!("crash{round}"), &play_command(&args), dir.path());
        let screen = t.wait_for("⏸ PAUSED");
        if round > 0 {
            let text = std::fs::read_to_string(&journal).expect("journal");
            assert_eq!(
                clock(&screen),
                hhmm(reached(&text)),
                "round {round}: resumed at the tick the journal reached"
            );
        }
        if round == rounds {
            // Play on to the end, then quit.
            for _ in 0..6 {
                t.keys(&["+"]);
            }
            t.keys(&["Space"]);
            t.wait_for("+48:00 of +48:00");
            t.keys(&["q"]);
            let out = t.wait_for("EXITED-");
            assert!(out.contains("EXITED-0"), "{out}");
            break;
        }
        let text = format!("Accepted {round}");
        match moments.below(3) {
            // Killed right after the command was accepted.
            0 => {
                notify_toracert(&t, &text);
                accepted += 1;
            }
            // Killed while the clock runs, some ticks after a command.
            1 => {
                notify_toracert(&t, &text);
                accepted += 1;
                t.keys(&["+", "+", "Space"]);
                std::thread::sleep(Duration::from_millis(100 + moments.below(900)));
            }
            // Killed after a few single ticks.
            _ => {
                for _ in 0..=moments.below(5) {
                    let before = clock(&t.screen());
                    t.keys(&["n"]);
                    t.wait(&format!("a tick after {before}"), |s| clock(s) != before);
                }
            }
        }
        let pid = app_pid(&t);
        assert!(
            Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status()
                .expect("kill")
                .success()
        );
        // The killed TUI leaves its screen behind, and the shell's line may land anywhere in
        // it (even split at the edge): wait for the process itself to be gone.
        let start = Instant::now();
        while std::path::Path::new(&format!("/proc/{pid}")).exists() {
            assert!(start.elapsed() < TIMEOUT, "play did not die of SIGKILL");
            std::thread::sleep(Duration::from_millis(20));
        }
        let text = std::fs::read_to_string(&journal).expect("journal");
        let journaled = (0..=round)
            .filter(|r| text.contains(&format!("Accepted {r}")))
            .count();
        assert_eq!(
            journaled, accepted,
            "round {round}: every accepted command is in the journal"
        );
    }
    let out = Command::new(BIN)
        .args(["replay", &journal.display().to_string()])
        .output()
        .expect("run replay");
    assert!(
        out.status.success(),
        "the killed and resumed run replays to its journaled outcome: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&journal).expect("journal");
    assert!(
        text.contains(r#""kind":"end""#),
        "the run was played to its end"
    );
    assert_eq!(
        (0..rounds)
            .filter(|r| text.contains(&format!("Accepted {r}")))
            .count(),
        accepted
    );
}

/// The row of the screen that shows this inject in the facilitator's queue.
fn queue_row<'a>(screen: &'a str, id: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some(id))
        .unwrap_or("")
}

/// In the facilitator's Injects tab, opens the preview and walks the queue with ↓ until it
/// shows `id`, then closes it: the queue's cursor is then on `id`.
fn select_inject(t: &Term, id: &str) {
    t.keys(&["Enter"]);
    t.wait_for("Esc close · ↑/↓ previous/next");
    for _ in 0..60 {
        if t.screen().contains(&format!("┌Inject {id}─")) {
            t.keys(&["Escape"]);
            t.wait("the preview to close", |s| !s.contains("Esc close · ↑/↓"));
            return;
        }
        let before = t.screen();
        t.keys(&["Down"]);
        t.wait("the preview to move on", |s| s != before);
    }
    panic!("no inject {id} in the queue:\n{}", t.screen());
}

/// Steps one tick at a time with `n` up to `target` (+HH:MM).
fn step_to(t: &Term, target: &str) {
    for _ in 0..200 {
        let screen = t.screen();
        if clock(&screen).starts_with(target) {
            return;
        }
        let before = clock(&screen);
        t.keys(&["n"]);
        t.wait(&format!("a tick after {before}"), |s| clock(s) != before);
    }
    panic!("never reached {target}");
}

/// The facilitator delays ddos-vcb (due at +01:00) at +00:00 and sees it fire at +01:30,
/// labelled delayed until then; `s` then `n` leaves an inject be, `s` then `y` skips it; all
/// of it is on the facilitator's Timeline and in the journal, which replays; and the status
/// line clears itself after a few seconds.
#[test]
fn facilitator_delays_an_inject_and_sees_it_fire_late() {
    let _turn = crate::harness::alongside();
    if !tmux_available() {
        return;
    }
    let dir = temp();
    let journal = dir.path().join("j.jsonl");
    let t = session(
        "delay",
        &play_command(&format!(
            "--seed 1 --facilitator --journal '{}'",
            journal.display()
        )),
        dir.path(),
    );
    t.wait_for("⏸ PAUSED");
    t.keys(&["3"]);
    t.wait_for("Inject queue by time");
    select_inject(&t, "ddos-vcb");
    t.keys(&["d"]);
    let screen = t.wait_for("Delayed inject ddos-vcb to +01:30");
    assert!(
        queue_row(&screen, "ddos-vcb").contains("delayed to +01:30"),
        "{screen}"
    );
    assert!(
        queue_row(&screen, "ddos-vcb")
            .trim_start_matches('│')
            .starts_with("+01:30"),
        "the queue shows the new earliest time:\n{screen}"
    );

    // At +01:00, when it was due, it has not fired, and it still says delayed.
    step_to(&t, "+01:00");
    let screen = t.screen();
    assert!(
        queue_row(&screen, "ddos-vcb").contains("delayed to +01:30"),
        "{screen}"
    );
    t.keys(&["4"]);
    let timeline = t.wait_for("Timeline: everything that happened");
    assert!(
        timeline.contains("+00:00 Facilitator delayed inject ddos-vcb to +01:30"),
        "{timeline}"
    );
    assert!(!timeline.contains("inject ddos-vcb fired"), "{timeline}");

    // At +01:30 it fires.
    step_to(&t, "+01:30");
    let timeline = t.wait_for("+01:30 inject ddos-vcb fired");
    assert!(timeline.contains("incident ddos-vcb started"), "{timeline}");
    t.keys(&["3"]);
    let screen = t.wait_for("Inject queue by time");
    assert!(
        queue_row(&screen, "ddos-vcb").contains("fired at +01:30"),
        "{screen}"
    );

    // `s` asks first; `n` leaves the inject as it was.
    select_inject(&t, "intrusion-rtgs");
    t.keys(&["s"]);
    let ask = t.wait_for("y yes · n or Esc no");
    assert!(
        ask.contains("Skip inject intrusion-rtgs (an incident:"),
        "{ask}"
    );
    assert!(ask.contains("cancels the whole incident"), "{ask}");
    t.keys(&["n"]);
    let screen = t.wait_for("Not skipped: inject intrusion-rtgs stays as it was.");
    assert!(
        queue_row(&screen, "intrusion-rtgs").contains("waiting"),
        "{screen}"
    );
    // `s` then `y` skips it.
    t.keys(&["s"]);
    t.wait_for("y yes · n or Esc no");
    t.keys(&["y"]);
    let screen = t.wait_for("Skipped inject intrusion-rtgs");
    assert!(
        queue_row(&screen, "intrusion-rtgs").contains("skipped"),
        "{screen}"
    );
    t.keys(&["4"]);
    t.wait_for("Facilitator skipped inject intrusion-rtgs (the incident will not happen)");

    // The status line goes by itself (about 8 s of wall time, the clock paused).
    t.keys(&["3"]);
    t.wait_for("Inject queue by time");
    t.wait("the status line to clear", |s| {
        !s.contains("Skipped inject intrusion-rtgs")
    });

    t.keys(&["q"]);
    let after = t.wait_for("EXITED-");
    assert!(after.contains("EXITED-0"), "{after}");
    let text = std::fs::read_to_string(&journal).expect("journal");
    let controls: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(r#""kind":"control""#))
        .collect();
    assert_eq!(controls.len(), 2, "one delay, one skip:\n{text}");
    assert!(
        controls[0].contains(r#""action":"delay_inject""#) && controls[0].contains("ddos-vcb"),
        "{}",
        controls[0]
    );
    assert!(
        controls[1].contains(r#""action":"skip_inject""#) && controls[1].contains("intrusion-rtgs"),
        "{}",
        controls[1]
    );
    let out = Command::new(BIN)
        .arg("replay")
        .arg(&journal)
        .output()
        .expect("replay");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
