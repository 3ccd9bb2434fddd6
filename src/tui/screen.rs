//! What a session's loop needs of a screen: the player's or facilitator's [`App`], or an
//! observer's screen over one (see `observer.rs`).

use super::app::App;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use std::time::Instant;

/// A screen an event loop drives: keys in, frames out, re-read when the exercise changed.
pub trait Screen: Send {
    /// Re-reads the exercise after it changed.
    fn refresh(&mut self);
    /// Handles one key; never panics.
    fn handle_key(&mut self, key: KeyEvent);
    /// The user asked to leave, or the exercise stopped.
    fn quit(&self) -> bool;
    /// Why the exercise stopped (its journal cannot be written), once it did.
    fn failure(&self) -> Option<String>;
    /// Draws the whole screen.
    fn draw(&self, frame: &mut Frame);
    /// Clears the status line once its time is up (`now` is the wall clock).
    fn expire_status(&mut self, now: Instant);
    /// When the status line is due to clear, for a loop that waits for keys.
    fn status_deadline(&self) -> Option<Instant>;
}

impl Screen for App {
    fn refresh(&mut self) {
        App::refresh(self)
    }
    fn handle_key(&mut self, key: KeyEvent) {
        App::handle_key(self, key)
    }
    fn quit(&self) -> bool {
        self.quit
    }
    fn failure(&self) -> Option<String> {
        self.failure.clone()
    }
    fn draw(&self, frame: &mut Frame) {
        super::ui::draw(frame, self)
    }
    fn expire_status(&mut self, now: Instant) {
        App::expire_status(self, now)
    }
    fn status_deadline(&self) -> Option<Instant> {
        App::status_deadline(self)
    }
}

impl<S: Screen + ?Sized> Screen for Box<S> {
    fn refresh(&mut self) {
        (**self).refresh()
    }
    fn handle_key(&mut self, key: KeyEvent) {
        (**self).handle_key(key)
    }
    fn quit(&self) -> bool {
        (**self).quit()
    }
    fn failure(&self) -> Option<String> {
        (**self).failure()
    }
    fn draw(&self, frame: &mut Frame) {
        (**self).draw(frame)
    }
    fn expire_status(&mut self, now: Instant) {
        (**self).expire_status(now)
    }
    fn status_deadline(&self) -> Option<Instant> {
        (**self).status_deadline()
    }
}
