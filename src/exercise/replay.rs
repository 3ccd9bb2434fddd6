//! Rebuilding a run from its journal: for `replay`, reports, branches and resuming a
//! session.

use super::load;
use crate::journal::{self, Journal, JournalError, Line, Mode};
use crate::sim::Sim;
use std::path::Path;

pub use super::error::ReplayError;

/// Rebuilds the run a journal records; returns the sim (stopped at `until` or the end).
pub fn replay(
    path: &Path,
    until: Option<u32>,
    scenario_override: Option<&str>,
) -> Result<(Journal, Sim), ReplayError> {
    let (journal, loaded) = open(path, scenario_override)?;
    let sim = rebuild(&journal, &loaded.scenario, until.unwrap_or(u32::MAX), path)?;
    Ok((journal, sim))
}

/// Reads a journal and loads the scenario it names, checking it has not changed.
pub fn open(
    path: &Path,
    scenario_override: Option<&str>,
) -> Result<(Journal, load::Loaded), ReplayError> {
    let journal = Journal::read(path).map_err(|e| match e {
        JournalError::Io(e) => ReplayError::Usage(format!("cannot read {}: {e}", path.display())),
        corrupt => ReplayError::Invalid(format!("{}: {corrupt}", path.display())),
    })?;
    if let Some(notice) = journal.torn_notice() {
        eprintln!("note: {}: {notice}", path.display());
    }
    super::branch::verify(&journal, path)?;
    let reference = match scenario_override {
        Some(s) => s.to_string(),
        None => resolve(&journal.scenario, path),
    };
    let loaded = load::load(&reference).map_err(|source| ReplayError::Load {
        reference: reference.clone(),
        source,
    })?;
    if !loaded.matches(&journal.scenario_hash) {
        return Err(ReplayError::Invalid(format!(
            "{reference} has changed in meaning since the journal was written (its hash is {}, the journal expects {}; comments and layout do not count); replay it with the scenario as it was, or pass --scenario",
            &loaded.hash[..12],
            &journal.scenario_hash[..journal.scenario_hash.len().min(12)]
        )));
    }
    Ok((journal, loaded))
}

/// Re-creates the run a journal records, applying its entries at their ticks, and stops at
/// `stop` (or the end of the exercise).
pub fn rebuild(
    journal: &Journal,
    scenario: &crate::scenario::Valid,
    stop: u32,
    path: &Path,
) -> Result<Sim, ReplayError> {
    rebuild_watching(journal, scenario, stop, path, |_| {})
}

/// The run a journal records as it stood when the session stopped: at the furthest tick it
/// reached, with everything done at that tick applied (`play --resume`, `serve --resume`).
pub fn resume(
    journal: &Journal,
    scenario: &crate::scenario::Valid,
    path: &Path,
) -> Result<Sim, ReplayError> {
    replay_entries(journal, scenario, journal.reached, true, path, |_| {})
}

/// Like [`rebuild`], calling `watch` after every tick (reports sample the run this way).
pub fn rebuild_watching(
    journal: &Journal,
    scenario: &crate::scenario::Valid,
    stop: u32,
    path: &Path,
    watch: impl FnMut(&Sim),
) -> Result<Sim, ReplayError> {
    replay_entries(journal, scenario, stop, false, path, watch)
}

/// Applies the journal's entries at their ticks up to `stop` (entries at `stop` itself too
/// when `at_stop`), and steps to `stop` (or the end of the exercise).
fn replay_entries(
    journal: &Journal,
    scenario: &crate::scenario::Valid,
    stop: u32,
    at_stop: bool,
    path: &Path,
    mut watch: impl FnMut(&Sim),
) -> Result<Sim, ReplayError> {
    let mut sim = match (journal.mode, &journal.humans) {
        (Mode::Headless, _) => Sim::headless(scenario, journal.seed),
        (Mode::Play, Some(humans)) => Sim::with_players(scenario, journal.seed, humans),
        (Mode::Play, None) => Sim::new(scenario, journal.seed),
    };
    for (i, entry) in journal.entries.iter().enumerate() {
        let tick = journal::entry_tick(entry);
        if tick > stop || (tick == stop && !at_stop) {
            break;
        }
        while sim.tick() < tick && sim.step() {
            watch(&sim);
        }
        let refused = match entry {
            Line::Command { team, command, .. } => sim
                .submit(team, command.clone())
                .err()
                .map(|e| e.to_string()),
            Line::Control { control, .. } => {
                (!sim.control(control)).then(|| "control refused".to_string())
            }
            _ => None,
        };
        if let Some(why) = refused {
            return Err(ReplayError::Invalid(format!(
                "{}: entry {} (tick {tick}) no longer applies: {why}",
                path.display(),
                i + 1
            )));
        }
    }
    while sim.tick() < stop && sim.step() {
        watch(&sim);
    }
    Ok(sim)
}

/// A relative scenario path is tried as given, then beside the journal.
fn resolve(reference: &str, journal: &Path) -> String {
    if reference.starts_with("builtin:") || Path::new(reference).exists() {
        return reference.to_string();
    }
    match journal.parent().map(|d| d.join(reference)) {
        Some(p) if p.exists() => p.display().to_string(),
        _ => reference.to_string(),
    }
}
