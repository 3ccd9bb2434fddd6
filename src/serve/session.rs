//! One SSH session: its own [`App`] (screen, tabs, composer) over the shared exercise,
//! drawn into the client's terminal.
//!
//! The connection handler forwards what the client sends as [`Input`]; this task turns the
//! bytes into keys, redraws on a key, a resize or a change of the exercise (at most
//! [`FRAME_GAP`] apart for changes and resizes, `KEY_GAP` for keys), and otherwise sleeps:
//! an idle session costs nothing. At most one screen update is in flight to the client; a
//! client that does not read gets no new frames until it does (see `Outbox`).

use crate::tui::screen::Screen;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind};
use ratatui::crossterm::{cursor, execute, terminal};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use russh::ChannelId;
use russh::server::Handle;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// The shortest time between two redraws caused by the engine (keys redraw at once).
pub const FRAME_GAP: Duration = Duration::from_millis(50);
/// The longest escape sequence kept while waiting for its end.
const MAX_PENDING: usize = 64;

/// What the connection hands to its session (window sizes come on their own channel).
#[derive(Debug)]
pub enum Input {
    Bytes(Vec<u8>),
}

/// Turns the bytes a terminal sends into key events, across packet boundaries.
#[derive(Debug, Default)]
pub struct KeyParser {
    pending: Vec<u8>,
}

impl KeyParser {
    /// The keys in `bytes`. A lone ESC at the end of a packet is the Esc key; an ESC followed
    /// by more bytes starts a sequence (arrows, PageUp, Shift-Tab…). Unknown sequences are
    /// dropped.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<KeyEvent> {
        let mut keys = Vec::new();
        for (i, &b) in bytes.iter().enumerate() {
            self.pending.push(b);
            let more = i + 1 < bytes.len();
            if self.pending == [0x1b] && more {
                continue;
            }
            match mouse_report(&self.pending) {
                Mouse::Complete => {
                    self.pending.clear();
                    continue;
                }
                Mouse::Incomplete if self.pending.len() < MAX_PENDING => continue,
                Mouse::Incomplete => {
                    self.pending.clear();
                    continue;
                }
                Mouse::No => {}
            }
            match terminput::Event::parse_from(&self.pending) {
                Ok(Some(event)) => {
                    self.pending.clear();
                    if let Ok(Event::Key(key)) = terminput_crossterm::to_crossterm(event)
                        && key.kind != KeyEventKind::Release
                    {
                        keys.push(key);
                    }
                }
                Ok(None) if self.pending.len() < MAX_PENDING => {}
                _ => self.pending.clear(),
            }
        }
        keys
    }
}

/// Whether the bytes are a mouse report. The session asks for no mouse, but any client can
/// send reports; they are dropped before the parser sees them, since terminput 0.5 subtracts
/// 1 from a column or row of 0 (a panic in debug builds).
#[derive(Debug, PartialEq, Eq)]
enum Mouse {
    No,
    Incomplete,
    Complete,
}

fn mouse_report(p: &[u8]) -> Mouse {
    let Some(rest) = p.strip_prefix(b"\x1b[") else {
        return Mouse::No;
    };
    // SGR: ESC [ < b ; x ; y (M|m)
    if let Some(body) = rest.strip_prefix(b"<") {
        return match body.last() {
            Some(b'M' | b'm') => Mouse::Complete,
            _ if body.iter().all(|c| c.is_ascii_digit() || *c == b';') => Mouse::Incomplete,
            _ => Mouse::Complete,
        };
    }
    // X10: ESC [ M b x y (three raw bytes)
    if let Some(body) = rest.strip_prefix(b"M") {
        return if body.len() >= 3 {
            Mouse::Complete
        } else {
            Mouse::Incomplete
        };
    }
    // rxvt (ESC [ b ; x ; y M) and any other control sequence ending in `M`: no key ends so
    // (parameter and intermediate bytes are 0x20–0x3F).
    match rest.split_last() {
        Some((b'M', params))
            if params.first().is_some_and(u8::is_ascii_digit)
                || params.iter().all(|c| (0x20..=0x3f).contains(c)) =>
        {
            Mouse::Complete
        }
        _ => Mouse::No,
    }
}

type SshTerminal = Terminal<CrosstermBackend<Sink>>;

/// The shortest time between two redraws caused by keys: a client that sends thousands of
/// keys a second gets at most this many frames, a typist never notices.
const KEY_GAP: Duration = Duration::from_millis(10);
/// A screen update the client has not taken for this long is logged (once per stall).
const STALL: Duration = Duration::from_secs(5);
/// How long the last words to a client may take when the session ends.
const FAREWELL: Duration = Duration::from_secs(2);

/// Why the server ends every session at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// Ctrl-C, SIGTERM or SIGHUP on the server.
    Signal,
    /// The exercise stopped: its journal could not be written.
    Failed(String),
}

/// What one session talks through.
pub struct Io {
    pub handle: Handle,
    pub channel: ChannelId,
    /// What the client typed, from the connection.
    pub input: mpsc::Receiver<Input>,
    /// The client's terminal size (only the latest matters).
    pub size: watch::Receiver<(u16, u16)>,
    /// The exercise's version: it changed.
    pub changes: watch::Receiver<u64>,
    /// Set when the server stops.
    pub stop: watch::Receiver<Option<Stop>>,
    /// How the server's log names the session, e.g. `session 3 (team-varesh)`.
    pub label: String,
}

/// Where the terminal writes: bytes collected until they are sent as one packet.
#[derive(Clone, Default)]
struct Sink(Arc<std::sync::Mutex<Vec<u8>>>);

impl Sink {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

type Sending = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ()>> + Send>>;

/// A session's screen updates on their way to the client, one at a time. While one waits
/// (the client does not read, its SSH window or its TCP window is full), no new frame is
/// drawn: the next one, drawn once the client took the last, carries everything that changed
/// meanwhile (ratatui sends the difference from the screen last sent). So a client that
/// stops reading costs one frame here, and what the SSH layer queues (a few packets), never
/// more; and when it reads again it gets the current screen, not a backlog.
struct Outbox {
    handle: Handle,
    channel: ChannelId,
    sending: Option<Sending>,
    since: Instant,
}

impl Outbox {
    fn busy(&self) -> bool {
        self.sending.is_some()
    }

    /// Sends an update. Only when none is in flight: the caller draws only then, since
    /// ratatui counts what it drew as shown.
    fn push(&mut self, bytes: Vec<u8>) {
        debug_assert!(self.sending.is_none(), "an update is already in flight");
        if bytes.is_empty() {
            return;
        }
        let (handle, channel) = (self.handle.clone(), self.channel);
        self.sending = Some(Box::pin(async move {
            handle.data(channel, bytes).await.map_err(|_| ())
        }));
        self.since = Instant::now();
    }

    /// Waits until the update in flight is handed over (for ever when there is none).
    /// Cancel-safe: the update stays in flight.
    async fn sent(&mut self) -> Result<(), ()> {
        let Some(sending) = self.sending.as_mut() else {
            return std::future::pending().await;
        };
        let result = sending.await;
        self.sending = None;
        result
    }

    /// Waits until nothing is in flight.
    async fn flush(&mut self) -> Result<(), ()> {
        if self.busy() {
            self.sent().await
        } else {
            Ok(())
        }
    }
}

/// Runs one session until the player quits or the connection goes; returns why it ended.
pub async fn run(mut app: impl Screen, io: Io) -> &'static str {
    let Io {
        handle,
        channel,
        mut input,
        mut size,
        mut changes,
        mut stop,
        label,
    } = io;
    let mut sink = Sink::default();
    let mut shown = *size.borrow_and_update();
    let mut terminal = match new_terminal(shown, sink.clone()) {
        Ok(t) => t,
        Err(_) => return "terminal error",
    };
    let mut parser = KeyParser::default();
    let mut out = Outbox {
        handle,
        channel,
        sending: None,
        since: Instant::now(),
    };
    // Enter the alternate screen: the player's shell comes back as it was when we leave.
    let _ = execute!(sink, terminal::EnterAlternateScreen, cursor::Hide);
    let mut dirty = true;
    let mut last_frame = Instant::now();
    let mut next_frame = last_frame;
    let mut stalled = false;
    // The version of the exercise this screen shows: keys that change nothing (moving,
    // typing in the composer) redraw without reading the exercise again.
    let mut seen = None;
    let why = loop {
        // (Also a stop sent before this session began, which `changed` does not report.)
        if let Some(why) = stopped(&stop.borrow()) {
            break why;
        }
        let now = Instant::now();
        if dirty && !out.busy() && now >= next_frame {
            // Only the latest size matters: a storm of resizes costs one redraw per frame.
            let wanted = *size.borrow_and_update();
            if wanted != shown {
                // `resize` clears the viewport by writing to the sink; nothing asks the
                // server's own terminal (`Terminal::clear` would).
                let _ = terminal.resize(Rect::new(0, 0, wanted.0.max(1), wanted.1.max(1)));
                shown = wanted;
            }
            let version = *changes.borrow_and_update();
            if seen != Some(version) {
                app.refresh();
                seen = Some(version);
                if app.quit() {
                    break if app.failure().is_some() {
                        "the journal cannot be written"
                    } else {
                        "quit"
                    };
                }
            }
            if terminal.draw(|frame| app.draw(frame)).is_err() {
                break "terminal error";
            }
            out.push(sink.take());
            dirty = false;
            last_frame = now;
            next_frame = now + FRAME_GAP;
        }
        let busy = out.busy();
        let stall_at = out.since + STALL;
        tokio::select! {
            sent = out.sent(), if busy => {
                if sent.is_err() {
                    break "connection lost";
                }
                if stalled {
                    stalled = false;
                    super::log(&format!(
                        "{label}: its client reads again after {:.0} s; it gets the current screen",
                        out.since.elapsed().as_secs_f64()
                    ));
                }
            }
            () = tokio::time::sleep_until(stall_at), if busy && !stalled => {
                stalled = true;
                super::log(&format!(
                    "{label}: its client has taken no screen update for {} s; frames are skipped until it reads again",
                    STALL.as_secs()
                ));
            }
            message = input.recv() => match message {
                None => break "disconnected",
                Some(Input::Bytes(bytes)) => {
                    for key in parser.feed(&bytes) {
                        app.handle_key(key);
                        if app.quit() {
                            break;
                        }
                    }
                    if app.quit() {
                        break "quit";
                    }
                    dirty = true;
                    next_frame = Instant::now().max(last_frame + KEY_GAP);
                }
            },
            resized = size.changed() => {
                if resized.is_err() {
                    break "disconnected";
                }
                // Drawn at the next frame (at most every FRAME_GAP), at the size then.
                dirty = true;
            }
            changed = changes.changed(), if !dirty => {
                if changed.is_err() {
                    break "server stopping";
                }
                dirty = true;
            }
            () = tokio::time::sleep_until(next_frame), if dirty && !busy => {}
            _ = stop.changed() => break stopped(&stop.borrow()).unwrap_or("server stopping"),
        }
    };
    // Last words, after the frame in flight; bounded, for a client that does not read.
    let failure = match &*stop.borrow() {
        Some(Stop::Failed(f)) => Some(f.clone()),
        _ => app.failure(),
    };
    let _ = tokio::time::timeout(FAREWELL, async {
        out.flush().await?;
        let _ = execute!(sink, cursor::Show, terminal::LeaveAlternateScreen);
        use std::io::Write;
        if let Some(f) = &failure {
            let _ = write!(
                sink,
                "The exercise has stopped: {f}.\r\nEvery action accepted before this is kept in its journal; the facilitator can resume it.\r\n"
            );
        } else if why == "server stopping" {
            let _ = write!(
                sink,
                "The facilitator stopped the exercise server. Your team's actions are kept in its journal.\r\n"
            );
        }
        out.push(sink.take());
        out.flush().await
    })
    .await;
    why
}

/// Why a session ends when the server stops, once it does.
fn stopped(stop: &Option<Stop>) -> Option<&'static str> {
    match stop {
        None => None,
        Some(Stop::Signal) => Some("server stopping"),
        Some(Stop::Failed(_)) => Some("the journal cannot be written"),
    }
}

fn new_terminal((cols, rows): (u16, u16), sink: Sink) -> std::io::Result<SshTerminal> {
    Terminal::with_options(
        CrosstermBackend::new(sink),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, cols.max(1), rows.max(1))),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    fn codes(keys: Vec<KeyEvent>) -> Vec<KeyCode> {
        keys.into_iter().map(|k| k.code).collect()
    }

    #[test]
    fn mouse_reports_are_dropped_and_keys_around_them_kept() {
        let mut p = KeyParser::default();
        let mut bytes = b"a\x1b[<0;0;5Mb\x1b[41;10;0Mc\x1b[M !!d\x1b[39;0M\x1b[39;+0;5M".to_vec();
        bytes.extend(b"\x1b[A\x1b[1;5B");
        assert_eq!(
            codes(p.feed(&bytes)),
            vec![
                KeyCode::Char('a'),
                KeyCode::Char('b'),
                KeyCode::Char('c'),
                KeyCode::Char('d'),
                KeyCode::Up,
                KeyCode::Down
            ]
        );
        // Split across packets.
        let mut p = KeyParser::default();
        assert!(p.feed(b"\x1b[<0;0").is_empty());
        assert_eq!(codes(p.feed(b";5Mx")), vec![KeyCode::Char('x')]);
    }

    #[test]
    fn parses_what_terminals_send() {
        let mut p = KeyParser::default();
        assert_eq!(
            codes(p.feed(b"ab\r\x7f\t")),
            [
                KeyCode::Char('a'),
                KeyCode::Char('b'),
                KeyCode::Enter,
                KeyCode::Backspace,
                KeyCode::Tab
            ]
        );
        assert_eq!(
            codes(p.feed(b"\x1b[A\x1b[B\x1b[5~\x1b[Z")),
            [
                KeyCode::Up,
                KeyCode::Down,
                KeyCode::PageUp,
                KeyCode::BackTab
            ]
        );
        assert_eq!(codes(p.feed(b"\x1b")), [KeyCode::Esc], "a lone Esc");
        assert_eq!(codes(p.feed("é".as_bytes())), [KeyCode::Char('é')]);
        let ctrl_c = p.feed(b"\x03");
        assert_eq!(ctrl_c[0].code, KeyCode::Char('c'));
        assert!(ctrl_c[0].modifiers.contains(KeyModifiers::CONTROL));
    }

    #[test]
    fn sequences_split_across_packets() {
        let mut p = KeyParser::default();
        assert!(p.feed(b"\x1b[").is_empty());
        assert_eq!(codes(p.feed(b"A")), [KeyCode::Up]);
        let mut p = KeyParser::default();
        let e = "é".as_bytes();
        assert!(p.feed(&e[..1]).is_empty());
        assert_eq!(codes(p.feed(&e[1..])), [KeyCode::Char('é')]);
    }

    #[test]
    fn garbage_is_bounded_and_dropped() {
        let mut p = KeyParser::default();
        let mut junk = b"\x1b[".to_vec();
        junk.extend(std::iter::repeat_n(b'1', 10_000));
        let _ = p.feed(&junk);
        assert!(p.pending.len() < MAX_PENDING);
        assert_eq!(codes(p.feed(b"\rq")).last(), Some(&KeyCode::Char('q')));
    }
}
