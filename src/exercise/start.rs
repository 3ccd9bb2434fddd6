//! Starting an exercise, for every front end: a new run with a new journal, a run resumed
//! from its journal, and a branch of a journaled run. `play` and `serve` decide who plays
//! (a team at the keyboard, the teams file's people) and call these; what the functions
//! cannot do they return as an [`Error`], never printed here.

use super::branch::Branch;
use super::error::Error;
use super::load::Loaded;
use super::replay;
use super::{ALL_TEAMS, Role};
use crate::journal::{Journal, JournalWriter, Mode};
use crate::sim::{Control, Sim};
use std::path::{Path, PathBuf};

/// Opens the journal of a played or served run to continue it: what it records and its
/// scenario. A headless run's journal (`cyberdrill run`) is refused as invalid:
/// "PATH records a headless run; `instead`" (what the front end's user can do instead).
pub fn open_played(path: &Path, instead: &str) -> Result<(Journal, Loaded), Error> {
    let (journal, loaded) = replay::open(path, None)?;
    if journal.mode != Mode::Play {
        return Err(Error::Invalid(format!(
            "{} records a headless run; {instead}",
            path.display()
        )));
    }
    Ok((journal, loaded))
}

/// The run `journal` (read from `path`) records, rebuilt to where it stopped, and its
/// journal opened to append to.
pub fn resume(
    journal: &Journal,
    loaded: &Loaded,
    path: &Path,
) -> Result<(Sim, JournalWriter), Error> {
    // A run that no longer replays is invalid input, whatever the replay found.
    let sim = replay::resume(journal, &loaded.scenario, path)
        .map_err(|e| Error::Invalid(e.to_string()))?;
    Ok((sim, append_to(path)?))
}

/// A branch to play on: writes its journal at `path` (the parent, the branch point, `player`
/// and the controls `then`), rebuilds the run to the branch point with `then` applied, and
/// opens the journal to append to.
pub fn branch(
    branch: &Branch,
    path: &Path,
    player: Option<&str>,
    then: &[Control],
) -> Result<(Sim, JournalWriter), Error> {
    branch.write(path, player, then).map_err(Error::Usage)?;
    let sim = branch.sim(then)?;
    Ok((sim, append_to(path)?))
}

/// Where a branch's journal goes: `given` (`--journal`), else a new name beside the user
/// ([`Branch::default_path`]: the parent's stem and the branch point's time).
pub fn branch_journal(branch: &Branch, given: Option<PathBuf>) -> PathBuf {
    let tick_minutes = branch.loaded.scenario.clock.tick_minutes.max(1);
    given.unwrap_or_else(|| branch.default_path(tick_minutes))
}

/// A new run of `loaded` from `seed` with `humans` played by people, and its new journal at
/// `path` whose header names `player` (a team, the facilitator, an observer). The error
/// says which journal could not be written (and keeps the kind of the failure).
pub fn new_run(
    loaded: &Loaded,
    seed: u64,
    player: &str,
    humans: &[String],
    path: &Path,
) -> std::io::Result<(Sim, JournalWriter)> {
    let header = super::play_header(loaded, seed, player, humans);
    let writer = JournalWriter::create(path, header).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot write the journal {}: {e}", path.display()),
        )
    })?;
    Ok((Sim::with_players(&loaded.scenario, seed, humans), writer))
}

/// An existing journal opened to append to (a resumed run, a branch just written).
pub fn append_to(path: &Path) -> Result<JournalWriter, Error> {
    JournalWriter::append_to(path)
        .map_err(|e| Error::Usage(format!("cannot continue {}: {e}", path.display())))
}

/// The role of `--as TEAM` for a new run of `reference`, whose teams are `teams` (id, name):
/// a usage error, with the nearest team id, when the scenario has no such team.
pub fn team_role(teams: &[(String, String)], team: &str, reference: &str) -> Result<Role, Error> {
    if !teams.iter().any(|(id, _)| id == team) {
        let known: Vec<&str> = teams.iter().map(|(id, _)| id.as_str()).collect();
        let hint = crate::scenario::diagnostic::suggest(team, known.iter().copied())
            .map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
        return Err(Error::Usage(format!(
            "no team `{team}` in {reference}{hint}; teams: {}",
            known.join(", ")
        )));
    }
    Ok(Role::Team(team.to_string()))
}

/// The role of a player named by the user or a journal (a team id, or the facilitator): a
/// usage error when the scenario, whose teams are `teams` (id, name), has no such team.
pub fn player_role(teams: &[(String, String)], player: &str) -> Result<Role, Error> {
    if player == crate::scenario::FACILITATOR {
        Ok(Role::Facilitator)
    } else if teams.iter().any(|(id, _)| id == player) {
        Ok(Role::Team(player.to_string()))
    } else {
        let known: Vec<&str> = teams.iter().map(|(id, _)| id.as_str()).collect();
        Err(Error::Usage(format!(
            "no team `{player}` in the scenario; teams: {}",
            known.join(", ")
        )))
    }
}

/// The seat of an observer signing as `name` who watches `team` of `scenario` (or
/// [`ALL_TEAMS`]), at a keyboard that has the whole exercise anyway (the ground truth too).
pub fn observer_seat(
    scenario: &crate::scenario::Scenario,
    name: &str,
    team: &str,
) -> Result<crate::evaluation::Seat, Error> {
    let ids: Vec<&str> = scenario.teams.iter().map(|t| t.id.as_str()).collect();
    let watch: Vec<String> = if team == ALL_TEAMS {
        ids.iter().map(|t| t.to_string()).collect()
    } else if ids.contains(&team) {
        vec![team.to_string()]
    } else {
        let hint = crate::scenario::diagnostic::suggest(team, ids.iter().copied())
            .map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
        return Err(Error::Usage(format!(
            "--observe: no team `{team}` in the scenario{hint}; teams: {} (or all)",
            ids.join(", ")
        )));
    };
    if watch.is_empty() {
        return Err(Error::Usage(
            "--observe: the scenario has no team to observe".into(),
        ));
    }
    Ok(crate::evaluation::Seat {
        name: name.to_string(),
        watch,
        ground_truth: true,
    })
}
