//! The app state, the keys, and `App::apply`, which carries out the `Action`s the keys ask for.
//! Drawing is in `ui.rs` and reads only this state and the views it caches; the engine is
//! reached only through `Sim`'s public surface.
//!
//! The engine and its journal live in an [`Exercise`]. In `play` the app owns it; in `serve`
//! every SSH session has its own `App` (screen, cursor, composer) over one shared `Exercise`
//! behind a mutex, and the facilitator's sessions alone run its clock.

use super::action::Action;
use super::composer::{Composer, Field, Stage};
use super::tab::{FACILITATOR_TABS, PLAYER_TABS, Tab};
pub use crate::exercise::{Clock, Exercise, PACES, SharedExercise};
use crate::journal::JournalWriter;
use crate::sim::view::{
    FacilitatorView, InboxItem, InjectQueueItem, InjectStatus, Notice, NoticeKind, QuestionView,
    TeamView, hhmm_span,
};
use crate::sim::{Command, Control, Sim};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Who is at the keyboard (the core's seat: a team or the facilitator).
pub use crate::exercise::Role;

/// What `N` (on to the next event) stops on; `e` changes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StopOn {
    /// What matters: a message to read or answer, a notice (a detection, news, a call, a
    /// red line, an objective's result, a question) — for the facilitator, an inject fired,
    /// an objective decided, a rung or an incident's phase changed.
    #[default]
    WhatMatters,
    /// Any new inbox entry, receipts (acknowledgements, bounces) included.
    AnyMessage,
    /// Any new line on the Timeline.
    Everything,
}

impl StopOn {
    /// The next setting (`e`).
    pub fn next(self) -> StopOn {
        match self {
            StopOn::WhatMatters => StopOn::AnyMessage,
            StopOn::AnyMessage => StopOn::Everything,
            StopOn::Everything => StopOn::WhatMatters,
        }
    }

    /// In words, for the status line and the help.
    pub fn words(self, facilitator: bool) -> &'static str {
        match (self, facilitator) {
            (StopOn::WhatMatters, false) => {
                "what matters (a message to read, a notice: detection, news, call, red line, objective, question)"
            }
            (StopOn::WhatMatters, true) => {
                "what matters (an inject fired, an objective decided, a rung or an incident changed, a question)"
            }
            (StopOn::AnyMessage, false) => "any new inbox entry, receipts included",
            (StopOn::AnyMessage, true) => "any inject fired or message sent",
            (StopOn::Everything, _) => "every new line on the Timeline",
        }
    }
}

/// How long a status message stays up, in wall time (not simulated time).
pub const STATUS_TTL: Duration = Duration::from_secs(8);
/// How long an error or a discussion question stays up.
pub const LONG_STATUS_TTL: Duration = Duration::from_secs(20);

/// How much a facilitator's `d` holds an inject back.
pub const DELAY_MINUTES: u32 = 30;

/// A facilitator's control waiting for `y` (apply) or `n` (do not).
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub control: Control,
    /// The one-line question, ending in `y/n`.
    pub question: String,
}

/// What the why popup (`w`) explains. An incident is kept by its id (the list of known
/// incidents grows, in incident order, as the team learns of them); the other lists are fixed
/// for a run, so an index is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhyTarget {
    /// An incident the team knows, by id (`TeamView::incidents`).
    Incident(String),
    /// Another state: index into `TeamView::relations`.
    Relation(usize),
    /// One of the team's objectives: index into `TeamView::objectives`.
    Objective(usize),
    /// Facilitator: a pair of states, index into `FacilitatorView::pairs`.
    Pair(usize),
    /// Facilitator: an objective, index into `FacilitatorView::objectives`.
    ExerciseObjective(usize),
}

/// A row of a list made of several sections (the player's Situation tab, the facilitator's
/// Ground truth tab): which section, and the index in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Asset(usize),
    Incident(usize),
    Objective(usize),
    None,
}

/// A facilitator's ad-hoc message being typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AdHoc {
    pub team: usize,
    pub subject: String,
    pub body: String,
    /// 0: choose team, 1: subject, 2: body.
    pub stage: u8,
}

/// The exercise as one screen reaches it: its own, or shared with other SSH sessions.
pub enum Engine {
    Own(Box<Exercise>),
    Shared(SharedExercise),
    /// Its own (this screen runs the clock, as in `play`), but watched by the wall display
    /// (`play --wall`): every change is announced to it.
    Watched(SharedExercise),
}

impl Engine {
    /// Runs `f` on the exercise; a change to a shared one is announced to every session.
    fn with<T>(&mut self, change: bool, f: impl FnOnce(&mut Exercise) -> T) -> T {
        match self {
            Engine::Own(ex) => f(ex),
            Engine::Shared(shared) | Engine::Watched(shared) => {
                let out = f(&mut shared.lock());
                if change {
                    (shared.changed)();
                }
                out
            }
        }
    }
}

/// Everything the screen shows and the keys change.
pub struct App {
    pub engine: Engine,
    /// A wall display follows this exercise (`--wall`): the facilitator's `R` reveals on it.
    pub wall: bool,
    pub clock: Clock,
    pub role: Role,
    pub teams: Vec<(String, String)>,
    /// Open sessions per login, as last read (empty in `play`).
    pub online: std::collections::BTreeMap<String, usize>,
    /// Why the exercise stopped (its journal cannot be written): the screen quits and its
    /// front end says so.
    pub failure: Option<String>,
    /// Shared with other sessions of the same team in `serve` (built once per change).
    pub view: Option<Arc<TeamView>>,
    pub facilitator: Option<Arc<FacilitatorView>>,
    pub tab: usize,
    /// Highlighted row per tab.
    pub cursor: [usize; 7],
    /// What `N` stops on.
    pub stop_on: StopOn,
    /// The help's page (0: keys, 1: glossary) and how far it is scrolled.
    pub help_page: usize,
    pub help_scroll: usize,
    /// How far the Inbox's reading pane is scrolled down (lines); back to the top when the
    /// selection moves.
    pub reading_scroll: usize,
    /// A discussion question shown in large type until dismissed (Enter or Esc).
    pub question: Option<QuestionView>,
    /// How many of this screen's questions were already seen (none: not read yet; the
    /// questions posed before a screen opens are not shown again).
    questions_seen: Option<usize>,
    pub filter: String,
    pub filtering: bool,
    pub composer: Option<Composer>,
    pub adhoc: Option<AdHoc>,
    pub help: bool,
    /// The why popup (`w`), open over what was selected when it opened.
    pub why: Option<WhyTarget>,
    /// Facilitator: the preview of an inject (Enter on the Injects tab), by id.
    pub preview: Option<String>,
    /// Facilitator: a fire or skip waiting for `y`/`n`.
    pub confirm: Option<Confirm>,
    /// The status line; it clears itself after [`STATUS_TTL`] (see [`App::expire_status`]).
    pub status: String,
    /// The status text as first seen by [`App::expire_status`], and when.
    status_since: Option<(String, Instant)>,
    /// A status that stays up for [`LONG_STATUS_TTL`] (an error, a question): its text.
    long_status: Option<String>,
    /// The facilitator looks at this team's screen (Team screens tab).
    pub peek: usize,
    pub quit: bool,
    /// The team's decision being written (`d`).
    pub decision: Option<super::decision::DecisionForm>,
    /// The decisions this screen may see: a team its own, the facilitator every team's.
    pub decisions: Vec<crate::evaluation::Decision>,
    /// An observer's screen: nothing it does reaches the engine (its keys are filtered
    /// before they get here too; see `observer.rs`).
    pub read_only: bool,
}

impl App {
    /// A new app over its own running sim; starts paused.
    pub fn new(
        sim: Sim,
        role: Role,
        teams: Vec<(String, String)>,
        journal: Option<JournalWriter>,
    ) -> App {
        let mut exercise = Exercise::new(sim, journal);
        if let Role::Team(t) = &role {
            exercise.solo_team = Some(t.clone());
        }
        App::over(Engine::Own(Box::new(exercise)), role, teams)
    }

    /// A new app over an exercise it may share.
    pub fn over(engine: Engine, role: Role, teams: Vec<(String, String)>) -> App {
        let mut engine = engine;
        let wall = engine.with(false, |ex| ex.wall.is_some());
        let status = match (&engine, &role) {
            (Engine::Shared(_), Role::Team(_)) => {
                "Connected. The facilitator runs the clock; press ? for help."
            }
            _ => "Paused. Press space to start the clock, ? for help.",
        };
        let mut app = App {
            wall,
            engine,
            clock: Clock::default(),
            online: Default::default(),
            failure: None,
            role,
            teams,
            view: None,
            facilitator: None,
            tab: 0,
            cursor: [0; 7],
            stop_on: StopOn::default(),
            help_page: 0,
            help_scroll: 0,
            reading_scroll: 0,
            question: None,
            questions_seen: None,
            filter: String::new(),
            filtering: false,
            composer: None,
            adhoc: None,
            help: false,
            why: None,
            preview: None,
            confirm: None,
            status: status.into(),
            status_since: None,
            long_status: None,
            peek: 0,
            quit: false,
            decision: None,
            decisions: Vec::new(),
            read_only: false,
        };
        app.refresh();
        app
    }

    /// Re-reads the clock and the views after the world changed.
    pub fn refresh(&mut self) {
        let role = self.role.clone();
        let peek = self.teams.get(self.peek).map(|(id, _)| id.clone());
        let (clock, view, facilitator, error, online, decisions) = self.engine.with(false, |ex| {
            let (view, facilitator, online, decisions) = match &role {
                Role::Team(t) => (
                    ex.team_view(t),
                    None,
                    Default::default(),
                    ex.notes.decisions_of(t),
                ),
                Role::Facilitator => (
                    peek.and_then(|id| ex.team_view(&id)),
                    Some(ex.facilitator_view()),
                    ex.online.clone(),
                    ex.notes.decisions.clone(),
                ),
            };
            (
                ex.clock(),
                view,
                facilitator,
                ex.failure().map(str::to_string),
                online,
                decisions,
            )
        });
        self.decisions = decisions;
        if clock.over && !self.clock.over {
            // However it ended (this screen, the clock task, another session), say so.
            self.say(Self::ENDED);
        }
        self.clock = clock;
        self.online = online;
        self.show_questions(view.as_deref(), facilitator.as_deref());
        self.view = view;
        // The Injects cursor stays on its inject when the queue is re-sorted (a delay).
        let selected = self.selected_inject().map(|i| i.id.clone());
        self.facilitator = facilitator;
        if let Some(id) = selected {
            self.select_inject(&id);
        }
        // A journal that cannot be written stops the exercise, for every screen.
        if let Some(e) = error {
            self.warn(e.clone());
            self.failure = Some(e);
            self.quit = true;
        }
        self.expire_served_status();
    }

    /// In `serve`, whose session loop wakes for keys and changes of the exercise, the status
    /// line is timed and cleared then (`play`'s loop calls [`App::expire_status`] itself).
    fn expire_served_status(&mut self) {
        if self.served() {
            self.expire_status(Instant::now());
        }
    }

    /// Sets the status line (it expires after [`STATUS_TTL`]).
    pub fn say(&mut self, text: impl Into<String>) {
        self.status = text.into();
        self.status_since = None;
        self.long_status = None;
    }

    /// Sets the status line to an error or something not to miss (it stays up for
    /// [`LONG_STATUS_TTL`]).
    pub fn warn(&mut self, text: impl Into<String>) {
        self.say(text);
        self.long_status = Some(self.status.clone());
    }

    fn status_ttl(&self) -> Duration {
        if self.long_status.as_deref() == Some(self.status.as_str()) {
            LONG_STATUS_TTL
        } else {
            STATUS_TTL
        }
    }

    /// Clears the status line once it has been up for its time, `now` being the wall
    /// clock (the event loop calls this before each frame; the engine never reads a wall
    /// clock). A status is timed from the first call that sees it.
    pub fn expire_status(&mut self, now: Instant) {
        if self.status.is_empty() {
            self.status_since = None;
            return;
        }
        match &self.status_since {
            Some((text, since)) if *text == self.status => {
                if now.saturating_duration_since(*since) >= self.status_ttl() {
                    self.status.clear();
                    self.status_since = None;
                    self.long_status = None;
                }
            }
            _ => self.status_since = Some((self.status.clone(), now)),
        }
    }

    /// When the status line is due to clear (none: it is empty, or not timed yet), for an
    /// event loop that waits for keys.
    pub fn status_deadline(&self) -> Option<Instant> {
        match &self.status_since {
            Some((text, since)) if *text == self.status && !self.status.is_empty() => {
                Some(*since + self.status_ttl())
            }
            _ => None,
        }
    }

    /// Looks at the questions posed since this screen last looked (none on its first look:
    /// the questions posed before a screen opens are not shown again). A question is easy to
    /// miss on the timeline, so the facilitator's status line shows the newest one; and the
    /// newest that asks the room to stop on it (`pause: true`) opens in large type: for the
    /// facilitator every such question, for a team those addressed to it by name.
    fn show_questions(&mut self, team: Option<&TeamView>, truth: Option<&FacilitatorView>) {
        let questions = match (&self.role, team, truth) {
            (Role::Facilitator, _, Some(f)) => &f.questions,
            (Role::Team(_), Some(v), _) => &v.questions,
            _ => return,
        };
        let len = questions.len();
        let seen = self.questions_seen.replace(len).unwrap_or(len).min(len);
        let new = &questions[seen..];
        if let (Role::Facilitator, Some(q)) = (&self.role, new.last()) {
            self.warn(format!("Discussion question now: {}", q.text));
        }
        if let Some(q) = new.iter().rev().find(|q| q.pause) {
            self.question = Some(q.clone());
        }
    }

    /// A key while a question is shown: Enter or Esc dismisses it; other keys wait.
    fn question_key(&mut self, key: KeyEvent) {
        if matches!(key.code, KeyCode::Enter | KeyCode::Esc) {
            self.question = None;
            if self.runs_clock() && self.clock.paused && !self.clock.over {
                self.say("The clock is paused for the discussion: space runs it again.");
            }
        }
    }

    /// Whether the keys at this screen run the clock: always in `play`, only the
    /// facilitator's in `serve`.
    pub fn runs_clock(&self) -> bool {
        matches!(self.engine, Engine::Own(_) | Engine::Watched(_)) || self.is_facilitator()
    }

    /// Whether this screen is one of several sessions of `serve`.
    pub fn served(&self) -> bool {
        matches!(self.engine, Engine::Shared(_))
    }

    /// The exercise behind this screen, for reading (tests and the `play` loop).
    pub fn read<T>(&mut self, f: impl FnOnce(&Exercise) -> T) -> T {
        self.engine.with(false, |ex| f(ex))
    }

    pub fn is_facilitator(&self) -> bool {
        self.role == Role::Facilitator
    }

    /// This role's tabs, in the order of the tabs bar.
    pub fn tabs(&self) -> &'static [Tab] {
        if self.is_facilitator() {
            &FACILITATOR_TABS
        } else {
            &PLAYER_TABS
        }
    }

    /// The tab on screen.
    pub fn screen(&self) -> Tab {
        let tabs = self.tabs();
        tabs[self.tab.min(tabs.len() - 1)]
    }

    /// The highlighted row of a tab of this role (0 for a tab it does not have).
    pub fn cursor_of(&self, tab: Tab) -> usize {
        self.tabs()
            .iter()
            .position(|t| *t == tab)
            .map_or(0, |i| self.cursor[i])
    }

    /// The highlighted row of the tab on screen, to move.
    fn cursor_mut(&mut self) -> &mut usize {
        &mut self.cursor[self.tab.min(6)]
    }

    /// Simulated minutes per real second.
    pub fn pace_minutes(&self) -> u32 {
        self.clock.pace_minutes
    }

    /// Runs one tick; journals progress; returns false when the exercise is over.
    pub fn step(&mut self) -> bool {
        let stepped = self.engine.with(true, |ex| ex.step());
        self.refresh();
        if stepped && self.clock.over {
            self.say(Self::ENDED);
        }
        stepped
    }

    const ENDED: &str =
        "The exercise is over. Press q to quit; `cyberdrill report` makes the after-action report.";

    /// Steps until something new reaches the screen that counts for [`App::stop_on`] (or a
    /// day passes, or a question pauses the clock).
    pub fn step_to_next_event(&mut self) {
        let before = self.event_count();
        let limit = self.clock.tick + 24 * 60 / self.clock.tick_minutes.max(1);
        while self.clock.tick < limit && self.step() {
            if self.event_count() != before || self.question.is_some() {
                break;
            }
            if self.read(|ex| ex.paused && ex.pauses_now()) {
                break;
            }
        }
    }

    /// A count that grows whenever something `N` stops on happens.
    fn event_count(&self) -> usize {
        match (&self.role, &self.view, &self.facilitator) {
            (Role::Team(_), Some(v), _) => match self.stop_on {
                StopOn::WhatMatters => {
                    // Messages to read or answer (not receipts) and every notice.
                    v.inbox.iter().filter(|m| m.receipt.is_none()).count() + v.notices.len()
                }
                StopOn::AnyMessage => v.inbox.len() + v.notices.len(),
                StopOn::Everything => v.timeline.len() + v.inbox.len() + v.notices.len(),
            },
            (Role::Facilitator, _, Some(f)) => match self.stop_on {
                StopOn::WhatMatters => {
                    let fired = f
                        .injects
                        .iter()
                        .filter(|i| i.fired_minute.is_some())
                        .count();
                    let decided = f.objectives.iter().filter(|o| o.status.decided()).count();
                    // Rungs and phases only ever move on, so their sums grow with each change.
                    let rungs: usize = f
                        .pairs
                        .iter()
                        .map(|p| p.rung as usize + p.peak as usize)
                        .sum();
                    let phases: usize = f.incidents.iter().map(|i| i.phase as usize + 1).sum();
                    fired + decided + rungs + phases + f.questions.len()
                }
                StopOn::AnyMessage => {
                    f.injects
                        .iter()
                        .filter(|i| i.fired_minute.is_some())
                        .count()
                        + f.message_log.len()
                }
                StopOn::Everything => f.timeline.len(),
            },
            _ => 0,
        }
    }

    /// Journals a note (an observation or a decision); the run is not touched.
    pub fn note(&mut self, line: crate::journal::Line) -> Result<(), String> {
        let result = self.engine.with(true, |ex| ex.note(line));
        self.refresh();
        result
    }

    /// Submits a team command; journals it when accepted.
    pub fn submit(&mut self, team: &str, command: Command) {
        if self.read_only {
            self.warn("Observers cannot act: nothing was sent.");
            return;
        }
        let name = command.name();
        match self.engine.with(true, |ex| ex.submit(team, command)) {
            Ok(()) => {
                self.say(format!("Sent: {name} (takes effect at the next tick)."));
                self.refresh();
            }
            Err(e) => self.warn(format!("Not sent: {e}.")),
        }
    }

    /// Applies a facilitator control; journals it when accepted. The status line says what
    /// was done (or that it did not apply).
    pub fn control(&mut self, control: Control) -> bool {
        if self.read_only {
            self.warn("Observers cannot act: nothing was changed.");
            return false;
        }
        let inject = match &control {
            Control::FireInject { id }
            | Control::SkipInject { id }
            | Control::DelayInject { id, .. } => Some(id.clone()),
            _ => None,
        };
        let done = match &control {
            Control::Message { team, subject, .. } => {
                let name = self
                    .teams
                    .iter()
                    .find(|(id, _)| id == team)
                    .map_or(team.as_str(), |(_, n)| n.as_str());
                format!("Sent to {name}: {subject}")
            }
            _ => "Done.".to_string(),
        };
        if !self.engine.with(true, |ex| ex.control(control.clone())) {
            self.warn("That did not apply.");
            return false;
        }
        self.refresh();
        let row = inject.and_then(|id| {
            self.select_inject(&id);
            self.inject_row(&id).cloned()
        });
        let text = match (&control, row) {
            (Control::FireInject { id }, Some(r)) => {
                format!("Inject {id} {} (on your Timeline).", r.status.words())
            }
            (Control::SkipInject { id }, _) => format!("Skipped inject {id} (on your Timeline)."),
            (Control::DelayInject { id, .. }, Some(r)) => {
                let to = r.delayed_to_minute.unwrap_or_default();
                let lapse = r
                    .until_minute
                    .filter(|u| *u < to)
                    .map_or(String::new(), |u| {
                        format!(" That is past its `until` {}: it will lapse.", hhmm_span(u))
                    });
                format!(
                    "Delayed inject {id} to {}; d again holds it {DELAY_MINUTES} minutes more.{lapse}",
                    hhmm_span(to)
                )
            }
            _ => done,
        };
        self.say(text);
        true
    }

    /// The facilitator's inject row at the Injects cursor.
    pub fn selected_inject(&self) -> Option<&InjectQueueItem> {
        let f = self.facilitator.as_ref()?;
        let n = f.injects.len();
        (n > 0).then(|| &f.injects[self.cursor_of(Tab::Injects).min(n - 1)])
    }

    /// The facilitator's row of an inject, by id.
    pub fn inject_row(&self, id: &str) -> Option<&InjectQueueItem> {
        self.facilitator
            .as_ref()?
            .injects
            .iter()
            .find(|i| i.id == id)
    }

    /// Puts the Injects cursor on an inject (the queue is sorted by time, so a row moves
    /// when its inject is delayed).
    fn select_inject(&mut self, id: &str) {
        if let Some(n) = self
            .facilitator
            .as_ref()
            .and_then(|f| f.injects.iter().position(|i| i.id == id))
            && let Some(at) = self.tabs().iter().position(|t| *t == Tab::Injects)
        {
            self.cursor[at] = n;
        }
    }

    /// Writes a mark so a resumed session comes back to this tick.
    pub fn mark(&mut self) {
        self.engine.with(false, |ex| ex.mark());
    }

    /// Pauses or runs the clock (ignored once the exercise is over).
    pub fn set_paused(&mut self, paused: bool) {
        self.engine.with(true, |ex| {
            ex.paused = paused || ex.sim.is_over();
            if ex.paused {
                ex.mark();
            }
        });
        self.refresh();
    }

    fn set_pace(&mut self, delta: isize) {
        self.engine.with(true, |ex| {
            ex.pace = (ex.pace as isize + delta).clamp(0, PACES.len() as isize - 1) as usize
        });
        self.refresh();
        self.say(format!(
            "Pace: {} simulated minutes per second.",
            self.pace_minutes()
        ));
    }

    /// How many rows the cursor moves over on the tab on screen.
    fn rows(&self) -> usize {
        let v = self.view.as_ref();
        let f = self.facilitator.as_ref();
        let facilitator = self.is_facilitator();
        match self.screen() {
            Tab::Inbox => v.map_or(0, |v| inbox_len(v)),
            Tab::Situation => v.map_or(0, |v| v.assets.len() + v.incidents.len()),
            Tab::Directory => self.directory_rows().len(),
            Tab::Relations => v.map_or(0, |v| v.relations.len()),
            Tab::Sent => v.map_or(0, |v| v.sent.len() + v.acts.len()),
            Tab::Timeline if facilitator => {
                f.map_or(0, |f| f.timeline.len()) + self.decisions.len()
            }
            Tab::Timeline => v.map_or(0, |v| v.timeline.len()) + self.decisions.len(),
            Tab::Objectives if facilitator => f.map_or(0, |f| f.objectives.len()),
            Tab::Objectives => v.map_or(0, |v| v.objectives.len()),
            Tab::GroundTruth => f.map_or(0, |f| {
                f.incidents.len() + f.objectives.len() + f.assets.len()
            }),
            Tab::Escalation => f.map_or(0, |f| f.pairs.len()),
            Tab::Injects => f.map_or(0, |f| f.injects.len()),
            Tab::TeamScreens => self.teams.len(),
        }
    }

    /// The highlighted row of the player's Situation tab: our assets, then the incidents we
    /// know (last, as that list grows). Our objectives have their own tab.
    pub fn situation_row(&self) -> Row {
        let Some(v) = &self.view else {
            return Row::None;
        };
        let a = v.assets.len();
        let rows = a + v.incidents.len();
        if rows == 0 {
            return Row::None;
        }
        let c = self.cursor_of(Tab::Situation).min(rows - 1);
        if c < a {
            Row::Asset(c)
        } else {
            Row::Incident(c - a)
        }
    }

    /// The highlighted row of the facilitator's Ground truth tab: the incidents, then the
    /// objectives, then every asset (so that ↓ scrolls a region larger than the screen).
    pub fn ground_truth_row(&self) -> Row {
        let Some(f) = &self.facilitator else {
            return Row::None;
        };
        let (i, o) = (f.incidents.len(), f.objectives.len());
        let rows = i + o + f.assets.len();
        if rows == 0 {
            return Row::None;
        }
        let c = self.cursor_of(Tab::GroundTruth).min(rows - 1);
        if c < i {
            Row::Incident(c)
        } else if c < i + o {
            Row::Objective(c - i)
        } else {
            Row::Asset(c - i - o)
        }
    }

    /// What `w` explains on this tab at this cursor, if anything.
    pub fn why_target(&self) -> Option<WhyTarget> {
        let tab = self.screen();
        let last = |n: usize| (n > 0).then(|| self.cursor_of(tab).min(n - 1));
        if self.is_facilitator() {
            let f = self.facilitator.as_ref()?;
            match tab {
                Tab::GroundTruth => match self.ground_truth_row() {
                    Row::Objective(i) => Some(WhyTarget::ExerciseObjective(i)),
                    _ => None,
                },
                Tab::Escalation => last(f.pairs.len()).map(WhyTarget::Pair),
                Tab::Objectives => last(f.objectives.len()).map(WhyTarget::ExerciseObjective),
                _ => None,
            }
        } else {
            let v = self.view.as_ref()?;
            match tab {
                Tab::Situation => match self.situation_row() {
                    Row::Incident(i) => Some(WhyTarget::Incident(v.incidents[i].id.clone())),
                    _ => None,
                },
                Tab::Relations => last(v.relations.len()).map(WhyTarget::Relation),
                Tab::Objectives => last(v.objectives.len()).map(WhyTarget::Objective),
                _ => None,
            }
        }
    }

    /// `w`: opens the why popup over the selected row, or says where it works.
    fn open_why(&mut self) {
        if let Some(target) = self.why_target() {
            self.why = Some(target);
            return;
        }
        self.say(match (self.is_facilitator(), self.screen()) {
            (false, Tab::Situation) => {
                "w explains an incident: select one with ↓ (below our infrastructure)."
            }
            (false, Tab::Objectives) => "No objective is set for your team.",
            (false, _) => "w works on Situation (incidents), Relations and Objectives.",
            (true, Tab::GroundTruth) => {
                "w explains an objective: select one with ↓ (below the incidents)."
            }
            (true, Tab::Injects) => "On the Injects tab, Enter previews the selected inject.",
            (true, _) => "w works on Escalation (pairs), Ground truth and Objectives.",
        });
    }

    /// A key while the why popup is open: Esc or `w` closes it, ↑/↓ go to the previous or
    /// next row that has a why (the popup follows); other keys do nothing until it is closed.
    fn why_key(&mut self, key: KeyEvent) {
        let step = match key.code {
            KeyCode::Esc | KeyCode::Char('w') => {
                self.why = None;
                return;
            }
            KeyCode::Up | KeyCode::Char('k') => -1,
            KeyCode::Down | KeyCode::Char('j') => 1,
            _ => return,
        };
        let before = *self.cursor_mut();
        self.move_cursor(step);
        match self.why_target() {
            Some(target) => self.why = Some(target),
            // Off the rows that have a why (onto an asset): stay where we were.
            None => *self.cursor_mut() = before,
        }
    }

    /// Directory entries matching the filter (indices into the view's directory).
    pub fn directory_rows(&self) -> Vec<usize> {
        let Some(v) = &self.view else {
            return Vec::new();
        };
        let f = self.filter.to_lowercase();
        v.directory
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                f.is_empty()
                    || [&c.id, &c.name, &c.organisation, &c.state, &c.address]
                        .iter()
                        .any(|s| s.to_lowercase().contains(&f))
                    || format!("{:?}", c.channel).to_lowercase().contains(&f)
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Whether the current tab is a timeline: its cursor counts back from the newest entry,
    /// so 0 follows what is new and the first entry is reachable.
    pub fn on_timeline(&self) -> bool {
        self.screen() == Tab::Timeline
    }

    fn move_cursor(&mut self, delta: isize) {
        // On a timeline, moving up the screen goes further back from the newest entry.
        let delta = if self.on_timeline() { -delta } else { delta };
        let rows = self.rows();
        self.reading_scroll = 0;
        let c = self.cursor_mut();
        if rows == 0 {
            *c = 0;
            return;
        }
        *c = (*c as isize + delta).clamp(0, rows as isize - 1) as usize;
    }

    /// Handles one key. Never panics, whatever the key.
    pub fn handle_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        self.expire_served_status();
        if let Some(action) = self.action_for(key) {
            self.apply(action);
        }
    }

    /// Carries out what a key asked of the exercise or the session: the one place the keys
    /// reach the engine.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Submit(command) => {
                if let Some(team) = self.team_id() {
                    self.submit(&team, command);
                }
            }
            Action::Control(control) => {
                self.control(control);
            }
            Action::Note(line) => {
                let decision = matches!(line, crate::journal::Line::Decision(_));
                match self.note(line) {
                    Ok(()) if decision => self.say(
                        "Decision recorded in your log (on your Timeline; the facilitator sees it too).",
                    ),
                    Ok(()) => self.say("Recorded."),
                    Err(e) => self.warn(format!("Not recorded: {e}.")),
                }
            }
            // Each tick stepped writes its own mark to the journal.
            Action::Step => {
                self.step();
            }
            Action::NextEvent => self.step_to_next_event(),
            Action::Reveal => self.reveal_on_wall(),
            Action::TogglePause => {
                self.refresh();
                self.set_paused(!self.clock.paused);
                let text = if self.clock.over {
                    Self::ENDED.into()
                } else if self.clock.paused {
                    "Paused.".into()
                } else {
                    format!(
                        "Running at {} simulated minutes per second.",
                        self.pace_minutes()
                    )
                };
                self.say(text);
            }
            Action::Pace(delta) => self.set_pace(delta),
            Action::ShowTeam(team) => {
                self.peek = team.min(self.teams.len().saturating_sub(1));
                self.refresh();
            }
            Action::Quit => self.quit = true,
        }
    }

    /// What a key does: the open popup, the filter or the tab on screen takes it first.
    fn action_for(&mut self, key: KeyEvent) -> Option<Action> {
        if key.modifiers.contains(KeyModifiers::CONTROL)
            && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('q'))
        {
            return Some(Action::Quit);
        }
        if self.help {
            self.help_key(key);
            return None;
        }
        if self.question.is_some() {
            self.question_key(key);
            return None;
        }
        if self.why.is_some() {
            self.why_key(key);
            return None;
        }
        if self.confirm.is_some() {
            return self.confirm_key(key);
        }
        if self.preview.is_some() {
            return self.preview_key(key);
        }
        if self.decision.is_some() {
            return self.decision_key(key);
        }
        if self.composer.is_some() {
            return self.composer_key(key);
        }
        if self.adhoc.is_some() {
            return self.adhoc_key(key);
        }
        if self.filtering {
            self.filter_key(key);
            return None;
        }
        self.tab_key(key)
    }

    /// A key while the Directory's filter is being typed.
    fn filter_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Esc => {
                self.filtering = false;
                self.filter.clear();
            }
            KeyCode::Enter => self.filtering = false,
            KeyCode::Backspace => {
                self.filter.pop();
            }
            KeyCode::Char(ch) if !ch.is_control() && self.filter.len() < 40 => self.filter.push(ch),
            KeyCode::Up => self.move_cursor(-1),
            KeyCode::Down => self.move_cursor(1),
            _ => {}
        }
        let rows = self.rows();
        let c = self.cursor_mut();
        *c = (*c).min(rows.saturating_sub(1));
    }

    /// A key with no popup open: the keys every tab shares, then this role's.
    fn tab_key(&mut self, key: KeyEvent) -> Option<Action> {
        match key.code {
            KeyCode::Char('q') => return Some(Action::Quit),
            KeyCode::Char('?') => {
                self.help = true;
                self.help_page = 0;
                self.help_scroll = 0;
            }
            KeyCode::Char('e') => {
                self.stop_on = self.stop_on.next();
                let words = self.stop_on.words(self.is_facilitator());
                self.say(format!("N now stops on {words}."));
            }
            KeyCode::Char('w') => self.open_why(),
            KeyCode::Char(' ' | 'n' | 'N' | '+' | '=' | '-') if !self.runs_clock() => {
                self.say("The facilitator runs the clock.")
            }
            KeyCode::Char(' ') => return Some(Action::TogglePause),
            KeyCode::Char('n') => return Some(Action::Step),
            KeyCode::Char('N') => return Some(Action::NextEvent),
            KeyCode::Char('+') | KeyCode::Char('=') => return Some(Action::Pace(1)),
            KeyCode::Char('-') => return Some(Action::Pace(-1)),
            KeyCode::Tab | KeyCode::Right => self.tab = (self.tab + 1) % self.tabs().len(),
            KeyCode::BackTab | KeyCode::Left => {
                self.tab = (self.tab + self.tabs().len() - 1) % self.tabs().len()
            }
            KeyCode::Char(d @ '1'..='9') => {
                let i = d as usize - '1' as usize;
                if i < self.tabs().len() {
                    self.tab = i;
                }
            }
            KeyCode::Up | KeyCode::Char('k') => self.move_cursor(-1),
            KeyCode::Down | KeyCode::Char('j') => self.move_cursor(1),
            // On the Inbox, the page keys scroll the message being read.
            KeyCode::PageUp if self.screen() == Tab::Inbox => {
                self.reading_scroll = self.reading_scroll.saturating_sub(5)
            }
            KeyCode::PageDown if self.screen() == Tab::Inbox => {
                self.reading_scroll = (self.reading_scroll + 5).min(1000)
            }
            KeyCode::PageUp => self.move_cursor(-10),
            KeyCode::PageDown => self.move_cursor(10),
            _ if self.is_facilitator() => return self.facilitator_key(key),
            _ => return self.player_key(key),
        }
        None
    }

    /// A key while the help is open: →, Tab or PageDown turn to the glossary, ← or BackTab
    /// back to the keys, ↑/↓ scroll; any other key closes it.
    fn help_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Right | KeyCode::Tab | KeyCode::Char('g') => {
                self.help_page = (self.help_page + 1).min(1);
                self.help_scroll = 0;
            }
            KeyCode::Left | KeyCode::BackTab => {
                self.help_page = self.help_page.saturating_sub(1);
                self.help_scroll = 0;
            }
            KeyCode::Down | KeyCode::Char('j') | KeyCode::PageDown => {
                self.help_scroll = (self.help_scroll + 1).min(200)
            }
            KeyCode::Up | KeyCode::Char('k') | KeyCode::PageUp => {
                self.help_scroll = self.help_scroll.saturating_sub(1)
            }
            _ => self.help = false,
        }
    }

    fn team_id(&self) -> Option<String> {
        match &self.role {
            Role::Team(t) => Some(t.clone()),
            Role::Facilitator => None,
        }
    }

    /// What a key that would act says once the exercise is over.
    const OVER: &str =
        "The exercise is over: nothing more can be sent. `cyberdrill report` makes the report.";

    /// A team's own keys: compose, write to a contact, acknowledge, filter the Directory.
    fn player_key(&mut self, key: KeyEvent) -> Option<Action> {
        let tab = self.screen();
        match key.code {
            KeyCode::Char('c') if self.clock.over => self.say(Self::OVER),
            KeyCode::Enter if self.clock.over && tab == Tab::Directory => self.say(Self::OVER),
            KeyCode::Char('a') if self.clock.over && tab == Tab::Inbox => self.say(Self::OVER),
            KeyCode::Char('c') => self.composer = Some(Composer::new()),
            KeyCode::Char('d') => self.open_decision(),
            KeyCode::Char('/') if tab == Tab::Directory => {
                self.filtering = true;
                self.filter.clear();
            }
            KeyCode::Enter if tab == Tab::Directory => {
                let rows = self.directory_rows();
                let contact = rows
                    .get(self.cursor_of(Tab::Directory))
                    .and_then(|&i| self.view.as_ref().map(|v| v.directory[i].clone()));
                match contact {
                    Some(c) if !c.own => self.composer = Some(Composer::to_contact(&c.id)),
                    Some(_) => self.say("That is one of your own contacts."),
                    None => {}
                }
            }
            KeyCode::Char('a') if tab == Tab::Inbox => {
                let item = self.view.as_ref().map(|v| {
                    match inbox_row(v, self.cursor_of(Tab::Inbox)) {
                        InboxRow::Briefing => Err("The briefing needs no acknowledgement."),
                        InboxRow::Message(m) => Ok(m.clone()),
                        InboxRow::Notice(_) => Err(
                            "A notice tells you what happened; there is nothing to acknowledge.",
                        ),
                        InboxRow::None => Err("No message selected."),
                    }
                });
                match item {
                    Some(Ok(m)) => return self.acknowledge(m),
                    Some(Err(why)) => self.say(why),
                    None => self.say("No message selected."),
                }
            }
            _ => {}
        }
        None
    }

    /// `a` on a message: its acknowledgement, or why there is none to send.
    fn acknowledge(&mut self, m: InboxItem) -> Option<Action> {
        if m.receipt.is_some() {
            self.say("That is a receipt for a message you sent; nothing to acknowledge.")
        } else if m.acknowledged {
            self.say(format!("Message #{} is already acknowledged.", m.id))
        } else {
            return Some(Action::Submit(Command::Acknowledge { message: m.id }));
        }
        None
    }

    /// The facilitator's own keys: the injects, a message to a team, a team's screen.
    fn facilitator_key(&mut self, key: KeyEvent) -> Option<Action> {
        match (key.code, self.screen()) {
            (KeyCode::Char('f' | 's' | 'd' | 'm'), _) if self.clock.over => self.say(
                "The exercise is over: injects and messages no longer apply. `cyberdrill report` makes the report.",
            ),
            (KeyCode::Char('f' | 's' | 'd') | KeyCode::Enter, Tab::Injects) => {
                if let Some(id) = self.selected_inject().map(|i| i.id.clone()) {
                    return self.inject_key(key.code, &id);
                }
            }
            (KeyCode::Char('m'), _) if !self.teams.is_empty() => {
                self.adhoc = Some(AdHoc::default())
            }
            (KeyCode::Char('R'), _) => return Some(Action::Reveal),
            (KeyCode::Enter, Tab::TeamScreens) => {
                return Some(Action::ShowTeam(self.cursor_of(Tab::TeamScreens)));
            }
            _ => {}
        }
        None
    }

    /// `R`: shows the ground truth on the wall display (the hot wash), or hides it again.
    fn reveal_on_wall(&mut self) {
        let (wall, revealed) = self.engine.with(true, |ex| {
            if ex.wall.is_some() {
                ex.revealed = !ex.revealed;
            }
            (ex.wall.clone(), ex.revealed)
        });
        match (wall, revealed) {
            (None, _) => self.say(
                "No wall display is open: start with --wall ADDR:PORT to put the exercise on the room's projector.",
            ),
            (Some(url), true) => self.say(format!(
                "The wall ({url}) now shows the ground truth, each state's belief against it and the escalation path. R hides it again."
            )),
            (Some(url), false) => self.say(format!(
                "The wall ({url}) shows only what every team sees again."
            )),
        }
    }

    /// `Enter`, `f`, `s` or `d` on an inject (in the queue or its preview): the preview, a
    /// confirmation to fire or skip it, or a delay; or why that does not apply to it.
    fn inject_key(&mut self, code: KeyCode, id: &str) -> Option<Action> {
        let row = self.inject_row(id).cloned()?;
        if code == KeyCode::Enter {
            self.preview = Some(row.id);
            return None;
        }
        if self.clock.over {
            self.say("The exercise is over: injects no longer apply.");
            return None;
        }
        if let Some(text) = inject_refusal(code, &row) {
            self.say(text);
            return None;
        }
        match code {
            KeyCode::Char('d') => {
                return Some(Action::Control(Control::DelayInject {
                    id: row.id,
                    minutes: DELAY_MINUTES,
                }));
            }
            KeyCode::Char('s') => self.confirm = Some(skip_confirmation(&row)),
            KeyCode::Char('f') => self.confirm = Some(fire_confirmation(&row)),
            _ => {}
        }
        None
    }

    /// A key while a confirmation is open: only `y` applies it; `n` or Esc drop it; other
    /// keys do nothing until it is answered.
    fn confirm_key(&mut self, key: KeyEvent) -> Option<Action> {
        let confirm = self.confirm.take()?;
        match key.code {
            KeyCode::Char('y' | 'Y') => return Some(Action::Control(confirm.control)),
            KeyCode::Char('n' | 'N') | KeyCode::Esc => {
                let (verb, id) = match &confirm.control {
                    Control::FireInject { id } => ("fired", id.as_str()),
                    Control::SkipInject { id } => ("skipped", id.as_str()),
                    _ => ("changed", ""),
                };
                self.say(format!("Not {verb}: inject {id} stays as it was."));
            }
            _ => self.confirm = Some(confirm),
        }
        None
    }

    /// A key while an inject's preview is open: Esc or Enter closes it, ↑/↓ go to the
    /// previous or next inject of the queue (the preview follows), `f`, `s` and `d` act on
    /// it as in the queue.
    fn preview_key(&mut self, key: KeyEvent) -> Option<Action> {
        let id = self.preview.clone()?;
        match key.code {
            KeyCode::Esc | KeyCode::Enter => self.preview = None,
            KeyCode::Up | KeyCode::Char('k') | KeyCode::Down | KeyCode::Char('j') => {
                let n = self.facilitator.as_ref().map_or(0, |f| f.injects.len());
                let up = matches!(key.code, KeyCode::Up | KeyCode::Char('k'));
                self.select_inject(&id);
                let c = self.cursor_mut();
                *c = if up {
                    c.saturating_sub(1)
                } else {
                    (*c + 1).min(n.saturating_sub(1))
                };
                self.preview = self.selected_inject().map(|i| i.id.clone());
            }
            KeyCode::Char('f' | 's' | 'd') => return self.inject_key(key.code, &id),
            _ => {}
        }
        None
    }

    /// A key while the facilitator's message to a team is typed.
    fn adhoc_key(&mut self, key: KeyEvent) -> Option<Action> {
        let teams = self.teams.len();
        let a = self.adhoc.as_mut()?;
        match (a.stage, key.code) {
            (_, KeyCode::Esc) => {
                self.adhoc = None;
                self.say("Message discarded.");
            }
            (0, KeyCode::Up) => a.team = a.team.saturating_sub(1),
            (0, KeyCode::Down) => a.team = (a.team + 1).min(teams.saturating_sub(1)),
            (0, KeyCode::Enter) => a.stage = 1,
            (1, KeyCode::Enter) if !a.subject.trim().is_empty() => a.stage = 2,
            (1, KeyCode::Backspace) => {
                a.subject.pop();
            }
            (1, KeyCode::Char(ch)) if !ch.is_control() && a.subject.len() < 120 => {
                a.subject.push(ch)
            }
            (2, KeyCode::Backspace) => {
                a.body.pop();
            }
            (2, KeyCode::Char(ch)) if !ch.is_control() && a.body.len() < 1000 => a.body.push(ch),
            (2, KeyCode::Enter) => {
                let a = self.adhoc.take().unwrap_or_default();
                let (team, _) = self.teams.get(a.team).cloned()?;
                return Some(Action::Control(Control::Message {
                    team,
                    subject: a.subject,
                    body: a.body,
                }));
            }
            _ => {}
        }
        None
    }

    /// A key while the composer is open.
    fn composer_key(&mut self, key: KeyEvent) -> Option<Action> {
        if self.team_id().is_none() {
            self.composer = None;
            return None;
        }
        let view = self.view.clone()?;
        let c = self.composer.as_mut()?;
        let typing = matches!(c.field(), Some(Field::Text));
        match key.code {
            KeyCode::Esc if !c.back() => {
                self.composer = None;
                self.say("Action discarded.");
            }
            KeyCode::Esc => {}
            KeyCode::Up => c.cursor = c.cursor.saturating_sub(1),
            KeyCode::Down => {
                let n = c.choices(&view).len();
                c.cursor = (c.cursor + 1).min(n.saturating_sub(1));
            }
            KeyCode::Enter if c.stage == Stage::Confirm => {
                let command = c.command();
                self.composer = None;
                return Some(Action::Submit(command));
            }
            KeyCode::Enter if !c.choose(&view) => {
                self.say("Nothing to choose here: type to filter, Esc to go back.");
            }
            KeyCode::Enter => {}
            KeyCode::Char(' ')
                if !typing && matches!(c.field(), Some(Field::Contacts { multi: true })) =>
            {
                c.toggle(&view)
            }
            KeyCode::Backspace if typing => {
                c.text.pop();
            }
            KeyCode::Backspace => {
                c.filter.pop();
                c.cursor = 0;
            }
            KeyCode::Char(ch) if typing && !ch.is_control() && c.text.len() < 1000 => {
                c.text.push(ch)
            }
            KeyCode::Char(ch)
                if !typing
                    && !ch.is_control()
                    && c.stage != Stage::Confirm
                    && c.filter.len() < 40 =>
            {
                c.filter.push(ch);
                c.cursor = 0;
            }
            _ => {}
        }
        None
    }
}

/// Why `f`, `s` or `d` does not apply to an inject as it stands, if it does not.
fn inject_refusal(code: KeyCode, row: &InjectQueueItem) -> Option<String> {
    let status = row.status.words();
    match (code, row.status) {
        (_, _) if row.fired_minute.is_some() => Some(format!(
            "Inject {} has {status}: nothing to fire, skip or delay.",
            row.id
        )),
        (KeyCode::Char('f'), InjectStatus::FiresAt(_)) => {
            Some(format!("Inject {} already {status}.", row.id))
        }
        (KeyCode::Char('s' | 'd'), _) if row.skipped => Some(format!(
            "Inject {} is skipped; f fires it after all.",
            row.id
        )),
        (KeyCode::Char('s' | 'd'), InjectStatus::Lapsed(_)) => Some(format!(
            "Inject {} has {status} (its `until`): it will not fire; f fires it after all.",
            row.id
        )),
        (KeyCode::Char('d'), InjectStatus::FiresAt(_)) => {
            Some(format!("Inject {} {status} (f): nothing to delay.", row.id))
        }
        _ => None,
    }
}

/// The question before skipping an inject, saying what skipping it costs.
fn skip_confirmation(row: &InjectQueueItem) -> Confirm {
    let cost = if row.kind == "incident" {
        " It cancels the whole incident: it never happens."
    } else {
        " It will never fire."
    };
    Confirm {
        control: Control::SkipInject { id: row.id.clone() },
        question: format!("Skip inject {} ({})?{cost} y/n", row.id, row.summary),
    }
}

/// The question before firing an inject now, saying what it jumps ahead of.
fn fire_confirmation(row: &InjectQueueItem) -> Confirm {
    let when = match (row.earliest_minute, row.conditional, row.skipped) {
        (_, _, true) => " (it was skipped)".to_string(),
        (Some(m), false, _) => format!(", ahead of its time {}", hhmm_span(m)),
        (Some(m), true, _) => format!(
            ", ahead of its time {} and whatever its condition",
            hhmm_span(m)
        ),
        (None, _, _) => ", whatever its condition".to_string(),
    };
    let incident = if row.kind == "incident" {
        " The incident starts at the next tick."
    } else {
        ""
    };
    Confirm {
        control: Control::FireInject { id: row.id.clone() },
        question: format!(
            "Fire inject {} ({}) now{when}?{incident} y/n",
            row.id, row.summary
        ),
    }
}

/// A row of the Inbox: the briefing, pinned first when the scenario gives one, then the
/// messages and the notices, oldest first.
#[derive(Debug, Clone, Copy)]
pub enum InboxRow<'a> {
    Briefing,
    Message(&'a InboxItem),
    Notice(&'a Notice),
    None,
}

/// Every row of the Inbox, top to bottom: messages and notices by the minute they came,
/// a message before a notice of the same minute.
pub fn inbox_rows(view: &TeamView) -> Vec<InboxRow<'_>> {
    let mut rows = Vec::with_capacity(view.inbox.len() + view.notices.len() + 1);
    if view.has_briefing() {
        rows.push(InboxRow::Briefing);
    }
    let (mut m, mut n) = (view.inbox.iter().peekable(), view.notices.iter().peekable());
    loop {
        match (m.peek(), n.peek()) {
            (Some(a), Some(b)) if a.received_minute <= b.minute => {
                rows.push(InboxRow::Message(a));
                m.next();
            }
            (_, Some(b)) => {
                rows.push(InboxRow::Notice(b));
                n.next();
            }
            (Some(a), None) => {
                rows.push(InboxRow::Message(a));
                m.next();
            }
            (None, None) => break,
        }
    }
    rows
}

/// How many rows the Inbox has.
pub fn inbox_len(view: &TeamView) -> usize {
    view.inbox.len() + view.notices.len() + usize::from(view.has_briefing())
}

/// The Inbox row at the cursor.
pub fn inbox_row(view: &TeamView, cursor: usize) -> InboxRow<'_> {
    inbox_rows(view)
        .get(cursor)
        .copied()
        .unwrap_or(InboxRow::None)
}

/// The short word in the Inbox's label column that says what kind of notice a row is, where
/// the notice's own words do not already say it (or say it last, where a narrow row cuts
/// it): a headline needs "news", but "Varesh Commerce Bank detected …", "… contained" or
/// "objective met: …" read once, with no word before them.
pub fn notice_label(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::News => "news",
        NoticeKind::Rung => "ladder",
        NoticeKind::Question => "question",
        NoticeKind::RedLine => "red line",
        NoticeKind::Detection
        | NoticeKind::Hotline
        | NoticeKind::Attribution
        | NoticeKind::IncidentEnded
        | NoticeKind::Objective => "",
    }
}

/// What kind of notice it is, in words, for the reading pane's heading.
pub fn notice_kind_words(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::Detection => "Detection",
        NoticeKind::News => "News",
        NoticeKind::Hotline => "Hotline call",
        NoticeKind::RedLine => "Red line",
        NoticeKind::Attribution => "Public attribution",
        NoticeKind::Rung => "Escalation ladder",
        NoticeKind::IncidentEnded => "Incident contained or recovered",
        NoticeKind::Objective => "Objective",
        NoticeKind::Question => "Discussion question",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEvent;

    fn app(role: Role) -> App {
        let b = crate::builtin::find("flagship").expect("the flagship");
        let scenario = crate::scenario::from_str(b.file, b.source).expect("shipped");
        let teams = crate::tui::teams(&scenario);
        App::new(Sim::headless(&scenario, 1), role, teams, None)
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn keys_that_reach_the_exercise_become_actions() {
        let mut app = app(Role::Team("team-varesh".into()));
        assert_eq!(
            app.action_for(key(KeyCode::Char(' '))),
            Some(Action::TogglePause)
        );
        assert_eq!(app.action_for(key(KeyCode::Char('n'))), Some(Action::Step));
        assert_eq!(
            app.action_for(key(KeyCode::Char('N'))),
            Some(Action::NextEvent)
        );
        assert_eq!(
            app.action_for(key(KeyCode::Char('+'))),
            Some(Action::Pace(1))
        );
        assert_eq!(app.action_for(key(KeyCode::Char('q'))), Some(Action::Quit));
        // Moving around is the screen's own business: no action, and the tick stays.
        assert_eq!(app.action_for(key(KeyCode::Right)), None);
        assert_eq!(app.tab, 1);
        assert_eq!(app.clock.tick, 0);
        // Only `apply` moves the exercise on.
        app.apply(Action::Step);
        assert_eq!(app.clock.tick, 1);
    }

    #[test]
    fn a_confirmed_skip_is_a_control_action() {
        let mut app = app(Role::Facilitator);
        app.tab = 2;
        let id = app.selected_inject().expect("an inject").id.clone();
        assert_eq!(app.action_for(key(KeyCode::Char('s'))), None);
        assert!(app.confirm.is_some(), "skip asks first");
        assert_eq!(
            app.action_for(key(KeyCode::Char('y'))),
            Some(Action::Control(Control::SkipInject { id }))
        );
    }
}
