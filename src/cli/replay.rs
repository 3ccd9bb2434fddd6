//! `cyberdrill replay JOURNAL [--until TICK]`: re-run a journal, verify the outcome.

use super::run::print_outcome;
use super::{EXIT_INVALID, EXIT_OK};
use crate::exercise::replay::replay;
use crate::journal;
use crate::sim::Outcome;
use std::path::Path;

/// The CLI entry point.
pub fn run(path: &Path, until: Option<u32>, scenario: Option<&str>, json: bool) -> u8 {
    let (journal, sim) = match replay(path, until, scenario) {
        Ok(r) => r,
        Err(e) => return super::fail(e),
    };
    let outcome: Outcome = sim.outcome();
    print_outcome(&outcome, json);
    // A stop at or past the end of the exercise is a full replay, and is checked as one.
    let until = until.filter(|_| !sim.is_over());
    match (&journal.end, until) {
        (Some((tick, hash)), None) => {
            if *hash == journal::outcome_hash(&outcome) && *tick == sim.tick() {
                eprintln!(
                    "replay: identical outcome ({} commands, {} ticks)",
                    journal.entries.len(),
                    sim.tick()
                );
                EXIT_OK
            } else {
                eprintln!(
                    "error: replay diverged: the outcome differs from the one recorded in {}",
                    path.display()
                );
                EXIT_INVALID
            }
        }
        (None, None) => {
            eprintln!(
                "replay: the journal has no end line (the session did not finish); replayed its {} entries and ran to the end",
                journal.entries.len()
            );
            EXIT_OK
        }
        (_, Some(t)) => {
            eprintln!("replay: stopped at tick {t}");
            EXIT_OK
        }
    }
}
