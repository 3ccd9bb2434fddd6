//! End-to-end: the wall display of `cyberdrill serve --wall` in a real browser.
//!
//! A server runs the flagship on loopback (port 0 for SSH and for the wall: the server
//! prints both) with every team played by people, none logged in. Headless Chromium loads
//! the wall page (`--dump-dom` after a short virtual-time budget, so the page's script and
//! its server-sent events have run) while the facilitator, logged in with the real OpenSSH
//! client in tmux, starts the clock and then presses `R`. The page must show the clock
//! standing, then moving and the first news story after its inject fires; before the
//! reveal it must show nothing of any team's private events (every line of every team's
//! timeline that is not public, every team's brief and inbox, replayed from the same seed
//! through the library) and none of the ground truth; after `R` it shows the truth. The
//! page renders the state it was served with at once, then follows `/events`: a plain HTTP
//! client reads that stream and sees the clock move in it.
//! Without Chromium (or tmux and ssh) the test is skipped with a message.

use cyberdrill::sim::Sim;
use std::cell::OnceCell;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::server::{Logs, Server};
use crate::harness::tmux::{Term, Tmux};
/// How long the page or a screen may take to show what we wait for (a debug build and a
/// browser on a busy two-core machine).
const TIMEOUT: Duration = Duration::from_secs(60);
const PASSWORD: &str = "white-cell-wall-2026";
/// The flagship's first news story (its inject fires at 00:10).
const FIRST_NEWS: &str = "Serrat Shoals standoff enters fourth week";

fn browser() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
}

fn tools_available() -> Option<&'static str> {
    let Some(browser) = browser() else {
        eprintln!(
            "SKIPPED: no Chromium installed, so the wall display cannot be tested in a browser \
             (install it: apt-get install chromium)"
        );
        return None;
    };
    for (tool, arg) in [("tmux", "-V"), ("ssh", "-V")] {
        if Command::new(tool).arg(arg).output().is_err() {
            eprintln!("SKIPPED: {tool} is not installed (apt-get install tmux openssh-client)");
            return None;
        }
    }
    Some(browser)
}

/// The server, the tmux server and the test's directory; both processes die on drop.
struct Exercise {
    server: Server,
    tmux: Tmux,
    /// The facilitator's terminal, once logged in.
    white: OnceCell<Term>,
    wall: String,
    ssh_port: String,
    dir: tempfile::TempDir,
}

impl Exercise {
    fn start() -> Exercise {
        let dir = crate::harness::temp_dir("cyberdrill-wall-");
        let teams = format!(
            "(scenario: \"flagship\", facilitator: (password: \"{PASSWORD}\"), teams: [\
             (team: \"team-varesh\", password: \"v-0123456789\"), \
             (team: \"team-kelmora\", password: \"k-0123456789\"), \
             (team: \"team-toravia\", password: \"t-0123456789\")])"
        );
        std::fs::write(dir.path().join("teams.ron"), teams).unwrap();
        let askpass = dir.path().join("askpass.sh");
        crate::harness::write_script(&askpass, &format!("#!/bin/sh\necho '{PASSWORD}'\n"));
        let server = Server::launch(dir.path())
            .args(["builtin:flagship", "--teams", "teams.ron"])
            .args(["--wall", "127.0.0.1:0"])
            .args(["--host-key", "host-key"])
            .journal("wall.jsonl")
            .logs(Logs::Pipes)
            .timeout(TIMEOUT)
            .start();
        let ssh_port = server.port().to_string();
        let wall = server.wait_line("Wall display");
        let at = wall.find("http://").expect("the wall's address");
        let wall = wall[at..]
            .split(|c: char| c == ';' || c.is_whitespace())
            .next()
            .unwrap()
            .to_string();
        Exercise {
            server,
            tmux: Tmux::new(dir.path()),
            white: OnceCell::new(),
            wall,
            ssh_port,
            dir,
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The facilitator logs in with OpenSSH, in a 120×40 tmux session.
    fn facilitator(&self) {
        let line = format!(
            "SSH_ASKPASS='{}' SSH_ASKPASS_REQUIRE=force ssh -p {} -o StrictHostKeyChecking=no \
             -o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no \
             -o KbdInteractiveAuthentication=no -o LogLevel=ERROR -t facilitator@127.0.0.1; sleep 60",
            self.path().join("askpass.sh").display(),
            self.ssh_port
        );
        let white = self.white.get_or_init(|| self.tmux.open("white", &line));
        let needle = "Ground truth";
        if let Err(screen) = white.wait_within(TIMEOUT, false, &|s| s.contains(needle)) {
            panic!(
                "the facilitator's screen never showed {needle:?}:\n{screen}\n{}",
                self.server.log_tail()
            );
        }
    }

    fn keys(&self, keys: &str) {
        self.white
            .get()
            .expect("the facilitator logged in")
            .keys(&[keys]);
    }
}

/// The page as the browser has built it, as text: tags dropped, entities decoded.
fn page_text(browser: &str, url: &str, profile: &Path) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            // The page renders the state it is served with while it loads; the dump comes
            // after the load (the open event stream does not hold it up).
            "--timeout=10000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(url)
        .output()
        .expect("run the browser");
    let html = String::from_utf8_lossy(&out.stdout);
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    // Only the document's body: the script's own source is not what the page shows.
    let body = html.split("<body>").nth(1).unwrap_or(&html);
    let body = body.split("<script>").next().unwrap_or(body);
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// Loads the page until `done` holds for its text; the last text.
fn wait_page(browser: &str, ex: &Exercise, what: &str, done: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    let profile = ex.path().join("browser");
    loop {
        let text = page_text(browser, &ex.wall, &profile);
        if done(&text) {
            return text;
        }
        assert!(
            start.elapsed() < TIMEOUT,
            "the wall never showed {what}; it shows:\n{text}"
        );
    }
}

/// Reads the wall's event stream until it has brought `count` different clock times.
fn live_times(wall: &str, count: usize) -> Vec<String> {
    use std::io::{Read, Write};
    let address = wall.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(address).expect("connect to the wall");
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    write!(
        stream,
        "GET /events HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut seen: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut buffer = [0u8; 65536];
    while seen.len() < count {
        let n = stream.read(&mut buffer).expect("the event stream");
        assert!(n > 0, "the event stream ended: {text}");
        text.push_str(&String::from_utf8_lossy(&buffer[..n]));
        for part in text.split("\"time\":\"").skip(1) {
            let time: String = part.chars().take_while(|c| *c != '"').collect();
            if time.len() == 6 && !seen.contains(&time) {
                seen.push(time);
            }
        }
    }
    assert!(text.contains("event: state"), "{text}");
    seen
}

/// The clock the page shows, in minutes since the start.
fn clock(text: &str) -> Option<u32> {
    let at = text.find('+')?;
    let (h, m) = text[at + 1..].get(..5)?.split_once(':')?;
    Some(h.parse::<u32>().ok()? * 60 + m.parse::<u32>().ok()?)
}

/// Every team's private knowledge over the whole run of the served exercise (the same
/// scenario, seed and players, nobody acting): what the wall must never show before the
/// reveal. Public lines (every team sees them) are left out; and the ground truth.
fn private_texts() -> (Vec<String>, Vec<String>) {
    let b = cyberdrill::builtin::find("flagship").expect("the flagship");
    let s = cyberdrill::scenario::from_str(b.file, b.source).expect("valid");
    let humans: Vec<String> = s.teams.iter().map(|t| t.id.clone()).collect();
    let mut sim = Sim::with_players(&s, 1, &humans);
    let mut private = std::collections::BTreeSet::new();
    let mut public = std::collections::BTreeSet::new();
    let mut tick = 0;
    loop {
        if tick % 12 == 0 || sim.is_over() {
            public.extend(sim.wall_view(false).public.into_iter().map(|e| e.text));
            for t in &s.teams {
                let view = sim.team_view(&t.id).unwrap();
                private.extend(view.timeline.into_iter().map(|(_, text)| text));
                private.extend(view.inbox.iter().map(|i| i.subject.clone()));
                private.extend(view.inbox.into_iter().map(|i| i.text));
                if !view.brief.trim().is_empty() {
                    private.insert(view.brief);
                }
            }
        }
        if !sim.step() {
            break;
        }
        tick += 1;
    }
    let truth = sim.facilitator_view();
    let out: Vec<String> = private
        .into_iter()
        .filter(|t| !public.contains(t) && t.len() > 12)
        .collect();
    assert!(out.len() > 50, "only {} private texts", out.len());
    // What only the facilitator knows: who is really behind each incident.
    let actors: Vec<String> = truth
        .incidents
        .iter()
        .filter_map(|i| i.actor.clone())
        .collect();
    assert!(!actors.is_empty());
    (out, actors)
}

#[test]
fn the_wall_shows_the_room_what_every_team_sees_and_the_truth_on_reveal() {
    let _turn = crate::harness::alongside();
    let Some(browser) = tools_available() else {
        return;
    };
    let ex = Exercise::start();
    let before = wait_page(browser, &ex, "the paused clock", |t| {
        t.contains("paused") && t.contains("Serrat Shoals")
    });
    assert_eq!(clock(&before), Some(0), "{before}");
    ex.facilitator();
    ex.keys("Space");
    let times = live_times(&ex.wall, 3);
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
    // Past the first incident (01:00), so that teams have private knowledge to keep.
    let running = wait_page(browser, &ex, "the first news story", |t| {
        t.contains(FIRST_NEWS) && clock(t).is_some_and(|m| m >= 90)
    });
    let (private, actors) = private_texts();
    for text in private.iter().chain(&actors) {
        assert!(
            !running.contains(text.as_str()),
            "the wall shows {text:?} before the reveal:\n{running}"
        );
    }
    ex.keys("R");
    wait_page(browser, &ex, "the ground truth", |t| {
        actors.iter().any(|a| t.contains(a.as_str())) && t.contains("never moved")
            || actors.iter().any(|a| t.contains(a.as_str())) && t.contains(" wrong ")
            || actors.iter().any(|a| t.contains(a.as_str())) && t.contains(" right ")
    });
}
