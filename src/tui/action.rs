//! What a key asks of the exercise. The keys change this screen's own state (tabs, cursors,
//! popups, typing) themselves; whatever reaches the exercise or the session comes back as an
//! [`Action`], and [`App::apply`](super::app::App::apply) alone carries it out.

use crate::sim::{Command, Control};

/// Everything a key can ask of the exercise or the session.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Submit a command for this screen's team.
    Submit(Command),
    /// Apply a facilitator's control (fire, skip or delay an inject, a message to a team).
    Control(Control),
    /// Run one tick.
    Step,
    /// Run on until something that `N` stops on happens.
    NextEvent,
    /// Pause the clock, or run it.
    TogglePause,
    /// Faster (+1) or slower (-1).
    Pace(isize),
    /// Facilitator: look at this team's screen (an index into the teams).
    ShowTeam(usize),
    /// Journal a note (a team's decision): no part of the run, see [`crate::evaluation`].
    Note(crate::journal::Line),
    /// Facilitator: show the ground truth on the wall display, or hide it again.
    Reveal,
    /// Leave this screen.
    Quit,
}
