//! The exercise core: the authoritative run that every front end (the terminal, the SSH
//! server, the wall display) drives and reads.
//!
//! An [`Exercise`] owns the engine, its journal, the pause and the pace; `play` owns one,
//! `serve` shares one between sessions as a [`SharedExercise`] whose clock task is
//! [`clock::run_clock`]. Loading a scenario reference ([`load`]), rebuilding or resuming a
//! run from its journal ([`replay`]), branching one ([`branch`]) and the start-up that
//! `play` and `serve` share ([`start`]: a new run with its journal, a run resumed from its
//! journal, a branch played on) live here too, so no front end reaches into another or into
//! `cli`.

pub mod branch;
pub mod clock;
pub mod error;
pub mod load;
pub mod replay;
pub mod start;

use crate::journal::{self, JournalWriter, Line, Mode};
use crate::sim::view::{FacilitatorView, TeamView};
use crate::sim::{Command, Control, Sim};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

pub use error::{Error, LoadError, ReplayError};

/// The scenario a command runs when none is named: a file, or `builtin:NAME`.
pub const DEFAULT_SCENARIO: &str = "builtin:flagship";

/// What an observer's watch list says for every team (`--observe all`, `watch: ["all"]`).
pub const ALL_TEAMS: &str = "all";

/// Who plays at one seat (a keyboard, an SSH session): a team, or the facilitator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    Team(String),
    Facilitator,
}

impl Role {
    /// The journal's player (the team, or the facilitator) and the teams people play when
    /// this seat is the only one: its team, none for the facilitator; the engine plays the
    /// others.
    pub fn players(&self) -> (String, Vec<String>) {
        match self {
            Role::Team(t) => (t.clone(), vec![t.clone()]),
            Role::Facilitator => (crate::scenario::FACILITATOR.to_string(), Vec::new()),
        }
    }
}

/// Pace settings, simulated minutes per real second.
pub const PACES: [u32; 6] = [1, 5, 10, 30, 60, 120];

/// The authoritative run: the engine, its journal and its clock settings.
pub struct Exercise {
    pub sim: Sim,
    journal: Option<JournalWriter>,
    pub paused: bool,
    /// Index into [`PACES`].
    pub pace: usize,
    /// Why the exercise stopped: its journal could not be written (a full disk, a removed
    /// directory). Once set, every step, command and control is refused, so nothing is
    /// accepted that the journal does not hold.
    failure: Option<String>,
    /// In `serve`: open sessions per login (team id or `facilitator`), with an entry for every
    /// login people may use. Empty in `play`. Not part of the simulation or the journal.
    pub online: std::collections::BTreeMap<String, usize>,
    /// Views built since the world last changed, so that many sessions of one team (or many
    /// facilitators) build each only once; emptied by every step, command and control.
    views: std::collections::BTreeMap<String, Arc<TeamView>>,
    facilitator_view: Option<Arc<FacilitatorView>>,
    /// `play` as one team, without a facilitator: only questions put to this team pause
    /// the clock.
    pub solo_team: Option<String>,
    /// Observers' notes and teams' decisions: journaled, never read by the engine.
    pub notes: crate::evaluation::Notes,
    /// Where the room's wall display is served (`--wall`), when it is: the facilitator's
    /// reveal key says where the truth now shows.
    pub wall: Option<String>,
    /// The facilitator has revealed the ground truth on the wall (the hot wash). Not part of
    /// the simulation or the journal: a resumed exercise starts hidden again.
    pub revealed: bool,
}

impl Exercise {
    /// A run that starts paused at the default pace.
    pub fn new(sim: Sim, journal: Option<JournalWriter>) -> Exercise {
        Exercise {
            sim,
            journal,
            paused: true,
            pace: 2,
            failure: None,
            online: std::collections::BTreeMap::new(),
            views: std::collections::BTreeMap::new(),
            facilitator_view: None,
            solo_team: None,
            notes: Default::default(),
            wall: None,
            revealed: false,
        }
    }

    /// Simulated minutes per real second.
    pub fn pace_minutes(&self) -> u32 {
        PACES[self.pace.min(PACES.len() - 1)]
    }

    /// Real time per tick at the current pace.
    pub fn tick_interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(
            f64::from(self.sim.tick_minutes()) / f64::from(self.pace_minutes().max(1)),
        )
    }

    /// Runs one tick and journals it (a mark, or the end line with the outcome hash); false
    /// when the exercise was already over.
    pub fn step(&mut self) -> bool {
        if self.failure.is_some() {
            self.paused = true;
            return false;
        }
        self.forget_views();
        if !self.sim.step() {
            self.paused = true;
            return false;
        }
        let tick = self.sim.tick();
        if self.sim.is_over() {
            self.paused = true;
            let outcome_hash = crate::journal::outcome_hash(&self.sim.outcome());
            self.write(&Line::End { tick, outcome_hash });
        } else {
            // Every tick reached is journaled, so a resumed session loses nothing.
            self.write(&Line::Mark { tick });
        }
        // A question the scenario wants discussed stops the clock (`pause: true`): always
        // where a facilitator runs it; for a team playing alone only when the question is
        // put to that team (a question to the room is the facilitator's, and is not shown).
        if self.pauses_now() {
            self.paused = true;
        }
        true
    }

    /// Whether a question posed at this tick stops this exercise's clock.
    pub fn pauses_now(&self) -> bool {
        self.sim
            .pausing_questions()
            .iter()
            .any(|(_, to)| match &self.solo_team {
                None => true,
                Some(team) => to.contains(team),
            })
    }

    /// Submits a team command; journals it when accepted, in the order accepted.
    pub fn submit(&mut self, team: &str, command: Command) -> Result<(), String> {
        if let Some(f) = &self.failure {
            return Err(format!("the exercise has stopped: {f}"));
        }
        let tick = self.sim.tick();
        self.sim
            .submit(team, command.clone())
            .map_err(|e| e.to_string())?;
        self.forget_views();
        // Accepted only once journaled: if the line cannot be written, the command is not
        // accepted (the engine that holds it is stopped and never journaled again).
        if !self.write(&Line::Command {
            tick,
            team: team.to_string(),
            command,
        }) {
            return Err(format!(
                "the exercise has stopped: {}",
                self.failure.as_deref().unwrap_or("")
            ));
        }
        Ok(())
    }

    /// Applies a facilitator control; journals it when accepted.
    pub fn control(&mut self, control: Control) -> bool {
        if self.failure.is_some() {
            return false;
        }
        let tick = self.sim.tick();
        if !self.sim.control(&control) {
            return false;
        }
        self.forget_views();
        self.write(&Line::Control { tick, control })
    }

    /// Journals an observation or a decision (see [`crate::evaluation`]) and keeps it; the
    /// simulation is not touched.
    pub fn note(&mut self, line: Line) -> Result<(), String> {
        if let Some(f) = &self.failure {
            return Err(format!("the exercise has stopped: {f}"));
        }
        if !self.write(&line) {
            return Err(format!(
                "the exercise has stopped: {}",
                self.failure.as_deref().unwrap_or("")
            ));
        }
        self.notes.record(line);
        Ok(())
    }

    /// Why the exercise stopped, once its journal could not be written.
    pub fn failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }

    /// A team's view of the world as it is now.
    pub fn team_view(&mut self, team: &str) -> Option<Arc<TeamView>> {
        if let Some(v) = self.views.get(team) {
            return Some(v.clone());
        }
        let view = Arc::new(self.sim.team_view(team).ok()?);
        self.views.insert(team.to_string(), view.clone());
        Some(view)
    }

    /// The facilitator's view of the world as it is now.
    pub fn facilitator_view(&mut self) -> Arc<FacilitatorView> {
        self.facilitator_view
            .get_or_insert_with(|| Arc::new(self.sim.facilitator_view()))
            .clone()
    }

    fn forget_views(&mut self) {
        self.views.clear();
        self.facilitator_view = None;
    }

    /// Writes a mark so a resumed session comes back to this tick.
    pub fn mark(&mut self) {
        let tick = self.sim.tick();
        self.write(&Line::Mark { tick });
    }

    /// Journals a line; false (and the exercise stopped) when it cannot be written.
    fn write(&mut self, line: &Line) -> bool {
        if self.failure.is_some() {
            return false;
        }
        if let Some(j) = self.journal.as_mut()
            && let Err(e) = j.append(line)
        {
            self.failure = Some(format!(
                "cannot write the journal {}: {e}",
                j.path().display()
            ));
            self.paused = true;
            return false;
        }
        true
    }

    /// The clock as it stands, for drawing.
    pub fn clock(&self) -> Clock {
        Clock {
            tick: self.sim.tick(),
            tick_minutes: self.sim.tick_minutes(),
            end_tick: self.sim.end_tick(),
            over: self.sim.is_over(),
            paused: self.paused,
            pace_minutes: self.pace_minutes(),
        }
    }
}

/// An exercise shared by the sessions of `serve`; `changed` tells all of them to redraw.
#[derive(Clone)]
pub struct SharedExercise {
    pub exercise: Arc<Mutex<Exercise>>,
    pub changed: Arc<dyn Fn() + Send + Sync>,
}

impl SharedExercise {
    /// An exercise shared with watchers that follow its changes (the wall display of
    /// `play --wall`): every change announced moves the counter on.
    pub fn watched(exercise: Exercise) -> (SharedExercise, tokio::sync::watch::Receiver<u64>) {
        let (changes, watcher) = tokio::sync::watch::channel(0u64);
        let shared = SharedExercise {
            exercise: Arc::new(Mutex::new(exercise)),
            changed: Arc::new(move || changes.send_modify(|v| *v += 1)),
        };
        (shared, watcher)
    }

    /// The exercise, even if a session panicked while holding it (the data stays valid:
    /// every change to it is one engine call).
    pub fn lock(&self) -> MutexGuard<'_, Exercise> {
        self.exercise.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The clock as last read, for drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Clock {
    pub tick: u32,
    pub tick_minutes: u32,
    pub end_tick: u32,
    pub over: bool,
    pub paused: bool,
    pub pace_minutes: u32,
}

/// The journal header for a loaded scenario.
pub fn header(loaded: &load::Loaded, seed: u64, mode: Mode) -> Line {
    Line::Header {
        format: journal::FORMAT.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: loaded.source_ref.clone(),
        scenario_hash: loaded.hash.clone(),
        seed,
        mode,
        player: None,
        humans: None,
        parent: None,
    }
}

/// The header of a journal people play: who is at the keyboard and which teams people play
/// (the engine plays the others). `play` and `serve` both start their journals with it.
pub fn play_header(loaded: &load::Loaded, seed: u64, player: &str, humans: &[String]) -> Line {
    let mut line = header(loaded, seed, Mode::Play);
    if let Line::Header {
        player: p,
        humans: h,
        ..
    } = &mut line
    {
        *p = Some(player.to_string());
        *h = Some(humans.to_vec());
    }
    line
}

/// The teams of a scenario: (id, name), in scenario order.
pub fn teams(scenario: &crate::scenario::Scenario) -> Vec<(String, String)> {
    scenario
        .teams
        .iter()
        .map(|t| (t.id.clone(), t.name.clone()))
        .collect()
}

/// `cyberdrill-<scenario>-seed<N>.jsonl`, with `-2`, `-3`… rather than overwrite a journal.
pub fn default_journal(scenario: &str, seed: u64) -> PathBuf {
    journal::free_path(&format!("cyberdrill-{scenario}-seed{seed}"))
}
