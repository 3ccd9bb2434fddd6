//! One SSH session: its own [`App`] (screen, tabs, composer) over the shared exercise,
//! drawn into the client's terminal.
//!
//! The connection handler forwards what the client sends as [`Input`]; this task turns the
//! bytes into keys, redraws on a key, a resize or a change of the exercise (at most
//! [`FRAME_GAP`] apart for changes), and otherwise sleeps: an idle session costs nothing.

use crate::tui::app::App;
use crate::tui::ui;
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

type SshTerminal = Terminal<CrosstermBackend<Sink>>;

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

/// Runs one session until the player quits or the connection goes; returns why it ended.
pub async fn run(
    mut app: App,
    handle: Handle,
    channel: ChannelId,
    mut input: mpsc::Receiver<Input>,
    mut size: watch::Receiver<(u16, u16)>,
    mut changes: watch::Receiver<u64>,
    mut stop: watch::Receiver<bool>,
) -> &'static str {
    let mut sink = Sink::default();
    let first_size = *size.borrow_and_update();
    let mut terminal = match new_terminal(first_size, sink.clone()) {
        Ok(t) => t,
        Err(_) => return "terminal error",
    };
    let mut parser = KeyParser::default();
    // Enter the alternate screen: the player's shell comes back as it was when we leave.
    let _ = execute!(sink, terminal::EnterAlternateScreen, cursor::Hide);
    let mut dirty = true;
    let mut next_frame = Instant::now();
    // The version of the exercise this screen shows: keys that change nothing (moving,
    // typing in the composer) redraw without reading the exercise again.
    let mut seen = None;
    let why = loop {
        if dirty && Instant::now() >= next_frame {
            let version = *changes.borrow_and_update();
            if seen != Some(version) {
                app.refresh();
                seen = Some(version);
            }
            if draw(&mut terminal, &sink, &app, &handle, channel)
                .await
                .is_err()
            {
                break "connection lost";
            }
            dirty = false;
            next_frame = Instant::now() + FRAME_GAP;
        }
        tokio::select! {
            message = input.recv() => match message {
                None => break "disconnected",
                Some(Input::Bytes(bytes)) => {
                    for key in parser.feed(&bytes) {
                        app.handle_key(key);
                        if app.quit {
                            break;
                        }
                    }
                    if app.quit {
                        break "quit";
                    }
                    dirty = true;
                    next_frame = Instant::now();
                }
            },
            resized = size.changed() => {
                if resized.is_err() {
                    break "disconnected";
                }
                let (cols, rows) = *size.borrow_and_update();
                // `resize` clears the viewport by writing to the sink; nothing asks the
                // server's own terminal (`Terminal::clear` would).
                let _ = terminal.resize(Rect::new(0, 0, cols.max(1), rows.max(1)));
                dirty = true;
                next_frame = Instant::now();
            }
            changed = changes.changed(), if !dirty => {
                if changed.is_err() {
                    break "server stopping";
                }
                dirty = true;
            }
            _ = tokio::time::sleep_until(next_frame), if dirty => {}
            _ = stop.changed() => break "server stopping",
        }
    };
    let _ = execute!(sink, cursor::Show, terminal::LeaveAlternateScreen);
    if why == "server stopping" {
        use std::io::Write;
        let _ = write!(
            sink,
            "The facilitator stopped the exercise server. Your team's actions are kept in its journal.\r\n"
        );
    }
    let _ = send(&handle, channel, &sink).await;
    why
}

fn new_terminal((cols, rows): (u16, u16), sink: Sink) -> std::io::Result<SshTerminal> {
    Terminal::with_options(
        CrosstermBackend::new(sink),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, cols.max(1), rows.max(1))),
        },
    )
}

async fn draw(
    terminal: &mut SshTerminal,
    sink: &Sink,
    app: &App,
    handle: &Handle,
    channel: ChannelId,
) -> Result<(), ()> {
    terminal
        .draw(|frame| ui::draw(frame, app))
        .map_err(|_| ())?;
    send(handle, channel, sink).await
}

async fn send(handle: &Handle, channel: ChannelId, sink: &Sink) -> Result<(), ()> {
    let bytes = sink.take();
    if bytes.is_empty() {
        return Ok(());
    }
    handle.data(channel, bytes).await.map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    fn codes(keys: Vec<KeyEvent>) -> Vec<KeyCode> {
        keys.into_iter().map(|k| k.code).collect()
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
