//! An observer's screen: the watched team's tabs, read-only; `v` turns to the next watched
//! team, `g` to the ground truth when the seat allows it, and `e` opens the evaluation guide
//! (EEG): the team's objectives with the engine's result and the observer's rating, where
//! the observer writes timestamped observations and P/S/M/U ratings with their reason.
//!
//! Nothing typed here reaches the engine. Keys go through an allow-list before the team's
//! [`App`] sees them (moving, changing tabs, `w` why, the Directory's filter): every other
//! key is refused with a message, so a key added to the player's screen later is refused
//! here until it is listed. The team's app is also marked read-only, so even a key that
//! slipped through could not send anything. Observations are journaled as notes (see
//! [`crate::evaluation`]) that no team's view ever contains.

use super::app::{App, Engine, Role};
use super::objectives::status_words;
use super::screen::Screen;
use super::tab::Tab;
use super::text::{cells, cut, wrap};
use crate::evaluation::{MAX_NOTE_CHARS, Observation, Rating, Seat, clean_text};
use crate::exercise::SharedExercise;
use crate::journal::Line as JournalLine;
use crate::sim::view::hhmm_span;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph, Wrap};
use std::time::Instant;

/// What the observer looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Showing {
    /// The watched team's screen.
    Team,
    /// The ground truth (the facilitator's first tab), if the seat allows it.
    Truth,
    /// The evaluation guide of the watched team.
    Guide,
}

/// An observation being written in the guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservationForm {
    /// The tick the exercise stood at when the form opened: the moment observed.
    pub tick: u32,
    pub team: String,
    /// The objective it is about: (id, title); none: the team's play in general.
    pub objective: Option<(String, String)>,
    /// Rating forms ask for the rating first (P, S, M or U), then its reason.
    pub rating: Option<Rating>,
    pub wants_rating: bool,
    pub text: String,
}

/// The guide's state: the selected row (0: the team's play in general, then its
/// objectives) and the form being written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guide {
    pub cursor: usize,
    pub form: Option<ObservationForm>,
}

/// The observer's screen over a shared exercise.
pub struct ObserverScreen {
    pub seat: Seat,
    exercise: SharedExercise,
    teams: Vec<(String, String)>,
    /// Index into the seat's `watch`.
    pub current: usize,
    /// The watched team's screen, read-only.
    pub team: App,
    /// The ground truth screen, once opened.
    pub truth: Option<App>,
    pub showing: Showing,
    pub guide: Guide,
    /// `play --observe`: nobody else runs the clock, so this screen does.
    pub runs_clock: bool,
    pub help: bool,
    quit: bool,
    /// The observations on the watched teams, as last read (every observer's).
    pub observations: Vec<Observation>,
}

impl ObserverScreen {
    /// An observer's screen on the first team the seat watches.
    pub fn new(
        exercise: SharedExercise,
        seat: Seat,
        teams: Vec<(String, String)>,
        runs_clock: bool,
    ) -> ObserverScreen {
        let first = seat.watch.first().cloned().unwrap_or_default();
        let team = watch_app(&exercise, &first, &teams);
        let mut screen = ObserverScreen {
            seat,
            exercise,
            teams,
            current: 0,
            team,
            truth: None,
            showing: Showing::Team,
            guide: Guide::default(),
            runs_clock,
            help: false,
            quit: false,
            observations: Vec::new(),
        };
        let clock = if runs_clock {
            "space runs the clock; "
        } else {
            ""
        };
        screen.team.say(format!(
            "Observing {} (read-only). {clock}e opens your evaluation guide, ? lists your keys.",
            screen.team_name()
        ));
        screen.refresh();
        screen
    }

    /// The id of the team watched now.
    pub fn team_id(&self) -> &str {
        self.seat.watch.get(self.current).map_or("", String::as_str)
    }

    /// The name of the team watched now.
    pub fn team_name(&self) -> String {
        self.name_of(self.team_id())
    }

    fn name_of(&self, id: &str) -> String {
        self.teams
            .iter()
            .find(|(t, _)| t == id)
            .map_or(id.to_string(), |(_, n)| n.clone())
    }

    /// The app on screen now (the guide is drawn over the team's).
    fn shown(&self) -> &App {
        match (&self.showing, &self.truth) {
            (Showing::Truth, Some(t)) => t,
            _ => &self.team,
        }
    }

    fn shown_mut(&mut self) -> &mut App {
        match (&self.showing, &mut self.truth) {
            (Showing::Truth, Some(t)) => t,
            _ => &mut self.team,
        }
    }

    fn say(&mut self, text: impl Into<String>) {
        self.shown_mut().say(text);
    }

    fn warn(&mut self, text: impl Into<String>) {
        self.shown_mut().warn(text);
    }

    /// The rows of the guide: the team's play in general, then its objectives (id, title,
    /// the engine's result).
    pub fn guide_rows(&self) -> Vec<GuideRow> {
        let mut rows = vec![GuideRow {
            objective: None,
            title: "The team's play in general".into(),
            result: String::new(),
        }];
        if let Some(v) = &self.team.view {
            rows.extend(v.objectives.iter().map(|o| GuideRow {
                objective: Some(o.id.clone()),
                title: o.title.clone(),
                result: match o.decided_minute {
                    Some(m) => format!("{} {}", status_words(o.status), hhmm_span(m)),
                    None => status_words(o.status).to_string(),
                },
            }));
        }
        rows
    }

    /// `v`: the next team the seat watches.
    fn next_team(&mut self) {
        if self.seat.watch.len() < 2 {
            self.say(format!(
                "You watch {} only (the teams file says whom each observer watches).",
                self.team_name()
            ));
            return;
        }
        self.current = (self.current + 1) % self.seat.watch.len();
        let id = self.team_id().to_string();
        let tab = self.team.tab;
        self.team = watch_app(&self.exercise, &id, &self.teams);
        self.team.tab = tab;
        self.guide = Guide::default();
        if self.showing == Showing::Truth {
            self.showing = Showing::Team;
        }
        let n = self.seat.watch.len();
        self.refresh();
        self.team.say(format!(
            "Observing {} ({} of {n}); v turns to the next.",
            self.team_name(),
            self.current + 1
        ));
    }

    /// `g`: the ground truth, or back to the team.
    fn toggle_truth(&mut self) {
        if !self.seat.ground_truth {
            self.warn(
                "Your seat does not include the ground truth (the teams file says who sees it).",
            );
            return;
        }
        if self.showing == Showing::Truth {
            self.showing = Showing::Team;
            self.say(format!("Back to {}.", self.team_name()));
            return;
        }
        if self.truth.is_none() {
            let mut truth = App::over(
                Engine::Shared(self.exercise.clone()),
                Role::Facilitator,
                self.teams.clone(),
            );
            truth.read_only = true;
            self.truth = Some(truth);
        }
        self.showing = Showing::Truth;
        self.refresh();
        self.say("The ground truth (read-only); g goes back to the team.");
    }

    /// The clock keys, where this screen runs the clock (`play --observe`).
    fn clock_key(&mut self, code: KeyCode) {
        match code {
            KeyCode::Char(' ') => {
                let paused = !self.team.clock.paused;
                self.team.set_paused(paused);
                let text = if self.team.clock.over {
                    "The exercise is over.".to_string()
                } else if paused {
                    "Paused.".to_string()
                } else {
                    format!(
                        "Running at {} simulated minutes per second.",
                        self.team.pace_minutes()
                    )
                };
                self.say(text);
            }
            KeyCode::Char('n') => {
                self.team.step();
            }
            KeyCode::Char('N') => self.team.step_to_next_event(),
            KeyCode::Char('+' | '=' | '-') => {
                let up = code != KeyCode::Char('-');
                {
                    let mut ex = self.exercise.lock();
                    ex.pace = if up {
                        (ex.pace + 1).min(crate::exercise::PACES.len() - 1)
                    } else {
                        ex.pace.saturating_sub(1)
                    };
                }
                (self.exercise.changed)();
                self.refresh();
                let pace = self.team.pace_minutes();
                self.say(format!("Pace: {pace} simulated minutes per second."));
            }
            _ => {}
        }
        self.refresh();
    }

    /// A key on the team's or the truth's screen: the allow-list. Returns whether it went
    /// through to the app.
    fn screen_key(&mut self, key: KeyEvent) {
        let truth = self.showing == Showing::Truth;
        let app = self.shown();
        let pass = if app.question.is_some() {
            matches!(key.code, KeyCode::Enter | KeyCode::Esc)
        } else if app.why.is_some() {
            matches!(
                key.code,
                KeyCode::Esc | KeyCode::Up | KeyCode::Down | KeyCode::Char('w' | 'j' | 'k')
            )
        } else if app.filtering {
            matches!(
                key.code,
                KeyCode::Char(_)
                    | KeyCode::Backspace
                    | KeyCode::Esc
                    | KeyCode::Enter
                    | KeyCode::Up
                    | KeyCode::Down
            )
        } else {
            match key.code {
                KeyCode::Up
                | KeyCode::Down
                | KeyCode::PageUp
                | KeyCode::PageDown
                | KeyCode::Char('j' | 'k' | 'w') => true,
                KeyCode::Tab
                | KeyCode::BackTab
                | KeyCode::Left
                | KeyCode::Right
                | KeyCode::Char('1'..='9')
                    if !truth =>
                {
                    true
                }
                // The Directory's filter only narrows the list on this screen.
                KeyCode::Char('/') if !truth && app.screen() == Tab::Directory => true,
                _ => false,
            }
        };
        if pass
            && !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            let app = self.shown_mut();
            app.handle_key(key);
            // Belt and braces: nothing an observer does may open a way to act.
            app.composer = None;
            app.adhoc = None;
            app.confirm = None;
            app.decision = None;
            app.help = false;
            return;
        }
        if app.question.is_some() || app.why.is_some() {
            // Those wait for their own keys, as on a team's screen.
            return;
        }
        let refusal = refusal(key, truth);
        self.warn(refusal);
    }

    /// A key in the evaluation guide.
    fn guide_key(&mut self, key: KeyEvent) {
        let rows = self.guide_rows();
        let last = rows.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc | KeyCode::Char('e') => {
                self.showing = Showing::Team;
                self.say(format!("Back to {}'s screen.", self.team_name()));
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.guide.cursor = self.guide.cursor.saturating_sub(1)
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.guide.cursor = (self.guide.cursor + 1).min(last)
            }
            KeyCode::Enter | KeyCode::Char('o' | 'r') => {
                let row = &rows[self.guide.cursor.min(last)];
                self.guide.form = Some(ObservationForm {
                    tick: self.team.clock.tick,
                    team: self.team_id().to_string(),
                    objective: row.objective.clone().map(|id| (id, row.title.clone())),
                    rating: None,
                    wants_rating: key.code == KeyCode::Char('r'),
                    text: String::new(),
                });
            }
            _ => self.warn(
                "In the guide: ↑/↓ choose · Enter writes an observation · r rates (P/S/M/U) · Esc back.",
            ),
        }
    }

    /// A key while an observation is written.
    fn form_key(&mut self, key: KeyEvent) {
        let Some(form) = self.guide.form.as_mut() else {
            return;
        };
        if form.wants_rating && form.rating.is_none() {
            match key.code {
                KeyCode::Esc => {
                    self.guide.form = None;
                    self.say("No rating given.");
                }
                KeyCode::Char(c) => match Rating::from_key(c) {
                    Some(r) => form.rating = Some(r),
                    None => self.warn("Rate with P, S, M or U (Esc cancels)."),
                },
                _ => {}
            }
            return;
        }
        match key.code {
            KeyCode::Esc => {
                self.guide.form = None;
                self.say("Observation discarded.");
            }
            KeyCode::Backspace => {
                form.text.pop();
            }
            KeyCode::Char(c) if !c.is_control() && form.text.chars().count() < MAX_NOTE_CHARS => {
                form.text.push(c)
            }
            KeyCode::Enter => self.record(),
            _ => {}
        }
    }

    /// Journals the observation being written.
    fn record(&mut self) {
        let Some(form) = self.guide.form.clone() else {
            return;
        };
        let what = if form.rating.is_some() {
            "reason for the rating"
        } else {
            "observation"
        };
        let text = match clean_text(what, &form.text) {
            Ok(t) => t,
            Err(e) => {
                self.warn(format!("Not recorded: {e}; type it, or Esc to discard."));
                return;
            }
        };
        let observation = Observation {
            tick: form.tick,
            observer: self.seat.name.clone(),
            team: form.team.clone(),
            objective: form.objective.as_ref().map(|(id, _)| id.clone()),
            rating: form.rating,
            text,
        };
        match self.team.note(JournalLine::Observation(observation)) {
            Ok(()) => {
                self.guide.form = None;
                self.refresh();
                let minute = form.tick * self.team.clock.tick_minutes;
                let rated = form
                    .rating
                    .map_or(String::new(), |r| format!(" (rated {})", r.letter()));
                self.say(format!(
                    "Observation at {} recorded{rated}: it goes to the after-action report, never to a team.",
                    hhmm_span(minute)
                ));
            }
            Err(e) => self.warn(format!("Not recorded: {e}.")),
        }
    }

    fn observer_help(&self) -> Vec<String> {
        let mut lines = vec![
            format!(
                "You observe as `{}`: you see the teams you watch, and can never act.",
                self.seat.name
            ),
            String::new(),
            "  v           the next team you watch".to_string(),
            "  e           your evaluation guide (EEG) for this team".to_string(),
        ];
        if self.seat.ground_truth {
            lines.push("  g           the ground truth, and back".to_string());
        }
        lines.extend([
            "  ←/→ 1-7     the team's tabs      ↑/↓ j/k  move      w  why".to_string(),
            "  q           leave (the exercise goes on)".to_string(),
        ]);
        if self.runs_clock {
            lines.push(
                "  space       run/pause the clock  n one tick  N next event  +/- pace".to_string(),
            );
        }
        lines.extend([
            String::new(),
            "In the guide: ↑/↓ choose the team's play or an objective; Enter writes an".to_string(),
            "observation; r rates it first: P performed without challenges, S with some"
                .to_string(),
            "challenges, M with major challenges, U unable to be performed; then the".to_string(),
            "reason. Each note carries the exercise's time when you opened it.".to_string(),
            String::new(),
            "Your notes go to the journal and the after-action report (`report --aar`);"
                .to_string(),
            "no team ever sees them.".to_string(),
        ]);
        lines
    }

    /// The keys to offer in the footer, most important first.
    fn offers(&self) -> Vec<String> {
        let quit = if self.runs_clock { "q quit" } else { "q leave" };
        let mut keys = vec!["? help".to_string(), quit.to_string()];
        match self.showing {
            Showing::Guide if self.guide.form.is_some() => {
                keys = vec!["type · Enter record · Esc discard".to_string()];
                return keys;
            }
            Showing::Guide => keys.extend(
                ["↑/↓ choose", "Enter observe", "r rate P/S/M/U", "Esc back"].map(String::from),
            ),
            Showing::Truth => {
                keys.extend(["g back to the team", "↑/↓ move", "w why"].map(String::from))
            }
            Showing::Team => keys.push("e evaluation guide".to_string()),
        }
        if self.runs_clock && !self.team.clock.over {
            keys.push(
                if self.team.clock.paused {
                    "space run"
                } else {
                    "space pause"
                }
                .to_string(),
            );
        }
        if self.seat.watch.len() > 1 {
            keys.push(format!(
                "v next team ({} of {})",
                self.current + 1,
                self.seat.watch.len()
            ));
        }
        if self.showing == Showing::Team {
            if self.seat.ground_truth {
                keys.push("g ground truth".to_string());
            }
            keys.push("←/→ tabs".to_string());
        }
        if self.runs_clock {
            keys.extend(["n step", "N next event", "+/- pace"].map(String::from));
        }
        keys.push("read-only".to_string());
        keys
    }

    fn footer(&self, width: usize) -> String {
        let mut out = String::new();
        for (i, key) in self.offers().into_iter().enumerate() {
            let sep = if out.is_empty() { "" } else { " · " };
            if i < 2 || cells(&out) + cells(sep) + cells(&key) <= width {
                out.push_str(sep);
                out.push_str(&key);
            }
        }
        out
    }
}

/// A row of the evaluation guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideRow {
    /// The objective's id; none: the team's play in general.
    pub objective: Option<String>,
    pub title: String,
    /// The engine's result (`open`, `met +04:00`, `failed +06:00`), empty for the general row.
    pub result: String,
}

/// The watched team's app, read-only.
fn watch_app(exercise: &SharedExercise, team: &str, teams: &[(String, String)]) -> App {
    let mut app = App::over(
        Engine::Shared(exercise.clone()),
        Role::Team(team.to_string()),
        teams.to_vec(),
    );
    app.read_only = true;
    app
}

/// What an observer is told for a key that is not theirs.
fn refusal(key: KeyEvent, truth: bool) -> String {
    let name = match key.code {
        KeyCode::Char(' ') => "space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        other => other.to_string(),
    };
    match key.code {
        KeyCode::Char('c') => {
            "Refused: observers cannot compose actions (read-only). e opens your evaluation guide."
                .to_string()
        }
        KeyCode::Char('d') => {
            "Refused: the decision log is the team's; write an observation in your guide (e)."
                .to_string()
        }
        KeyCode::Char(' ' | 'n' | 'N' | '+' | '=' | '-') => {
            "Refused: the facilitator runs the clock; observers only watch.".to_string()
        }
        KeyCode::Tab
        | KeyCode::BackTab
        | KeyCode::Left
        | KeyCode::Right
        | KeyCode::Char('1'..='9')
            if truth =>
        {
            "Observers see the ground truth tab only; g goes back to the team.".to_string()
        }
        _ => format!(
            "Refused: observers cannot act (`{name}` does nothing here). e opens your evaluation guide, ? your keys."
        ),
    }
}

impl Screen for ObserverScreen {
    fn refresh(&mut self) {
        self.team.refresh();
        if let Some(t) = self.truth.as_mut() {
            t.refresh();
        }
        self.observations = self.exercise.lock().notes.observations_on(&self.seat.watch);
        let last = self.guide_rows().len().saturating_sub(1);
        self.guide.cursor = self.guide.cursor.min(last);
    }

    fn handle_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        if key.modifiers.contains(KeyModifiers::CONTROL)
            && matches!(key.code, KeyCode::Char('c' | 'q'))
        {
            self.quit = true;
            return;
        }
        if self.help {
            self.help = false;
            return;
        }
        if self.guide.form.is_some() {
            self.form_key(key);
            return;
        }
        let app = self.shown();
        let modal = app.question.is_some() || app.why.is_some() || app.filtering;
        if self.showing != Showing::Guide && modal {
            self.screen_key(key);
            return;
        }
        match key.code {
            KeyCode::Char('q') => self.quit = true,
            KeyCode::Char('?') => self.help = true,
            KeyCode::Char('v') => self.next_team(),
            KeyCode::Char('g') if self.showing != Showing::Guide => self.toggle_truth(),
            KeyCode::Char('e') if self.showing != Showing::Guide => {
                self.showing = Showing::Guide;
                self.say(format!(
                    "Evaluation guide for {}: Enter writes an observation, r rates.",
                    self.team_name()
                ));
            }
            KeyCode::Char(' ' | 'n' | 'N' | '+' | '=' | '-') if self.runs_clock => {
                self.clock_key(key.code)
            }
            _ if self.showing == Showing::Guide => self.guide_key(key),
            _ => self.screen_key(key),
        }
    }

    fn quit(&self) -> bool {
        self.quit || self.team.quit
    }

    fn failure(&self) -> Option<String> {
        self.team.failure.clone()
    }

    fn draw(&self, frame: &mut Frame) {
        let app = self.shown();
        super::ui::draw(frame, app);
        let area = frame.area();
        if area.width < super::ui::MIN_WIDTH || area.height < super::ui::MIN_HEIGHT {
            return;
        }
        let [header, tabs, body, _status, footer] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        draw_watching(frame, self, header);
        draw_showing(frame, self, tabs, body);
        frame.render_widget(Clear, footer);
        frame.render_widget(
            Paragraph::new(self.footer(usize::from(footer.width))).style(Style::new().dim()),
            footer,
        );
        if let Some(form) = &self.guide.form {
            draw_form(frame, self, form, area);
        }
        if self.help {
            draw_observer_help(frame, self, area);
        }
    }

    fn expire_status(&mut self, now: Instant) {
        self.team.expire_status(now);
        if let Some(t) = self.truth.as_mut() {
            t.expire_status(now);
        }
    }

    fn status_deadline(&self) -> Option<Instant> {
        self.shown().status_deadline()
    }
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Whose screen this is, over the team's own first header line.
fn draw_watching(frame: &mut Frame, screen: &ObserverScreen, header: Rect) {
    let watching = match screen.showing {
        Showing::Truth => "the ground truth".to_string(),
        _ => match &screen.team.view {
            Some(v) => format!("{} · {}", v.team_name, v.state_name),
            None => screen.team_name(),
        },
    };
    let title = screen
        .team
        .view
        .as_ref()
        .map_or(String::new(), |v| v.title.clone());
    let line = Line::from(vec![
        // Who watches whom comes first: at 80 columns the title is what gets cut.
        Span::styled(
            format!(
                "OBSERVER {} watching {watching} (read-only)",
                screen.seat.name
            ),
            Style::new().fg(Color::Magenta).bold(),
        ),
        Span::raw("  ·  "),
        Span::styled(title, Style::new().bold()),
    ]);
    let top = Rect::new(header.x, header.y, header.width, 1);
    frame.render_widget(Clear, top);
    frame.render_widget(Paragraph::new(line), top);
}

/// The tab bar's caption for the truth or the guide, and the guide over the body.
fn draw_showing(frame: &mut Frame, screen: &ObserverScreen, tabs: Rect, body: Rect) {
    match screen.showing {
        Showing::Truth => {
            frame.render_widget(Clear, tabs);
            frame.render_widget(
                Paragraph::new(" Ground truth (observer, read-only)").reversed(),
                tabs,
            );
        }
        Showing::Guide => {
            frame.render_widget(Clear, tabs);
            frame.render_widget(
                Paragraph::new(format!(" Evaluation guide: {}", screen.team_name())).reversed(),
                tabs,
            );
            frame.render_widget(Clear, body);
            draw_guide(frame, screen, body);
        }
        Showing::Team => {}
    }
}

/// The observer's keys, in a popup.
fn draw_observer_help(frame: &mut Frame, screen: &ObserverScreen, area: Rect) {
    let lines: Vec<Line> = screen.observer_help().into_iter().map(Line::from).collect();
    let popup = centered(area, 80, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title("Observer keys")
                .title_bottom("any key closes"),
        ),
        popup,
    );
}

/// The guide: the objectives with the engine's result and this observer's latest rating,
/// then the observations on this team, newest first.
fn draw_guide(frame: &mut Frame, screen: &ObserverScreen, area: Rect) {
    let rows = screen.guide_rows();
    let team = screen.team_id();
    let mine: Vec<&Observation> = screen
        .observations
        .iter()
        .filter(|o| o.team == team)
        .collect();
    let height = (rows.len() as u16 + 3).min(area.height / 2).max(4);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(height), Constraint::Fill(1)]).areas(area);
    draw_guide_objectives(frame, screen, &rows, &mine, top);
    draw_guide_observations(frame, screen, &rows, &mine, bottom);
}

/// The objectives, each with the engine's result and this observer's latest rating.
fn draw_guide_objectives(
    frame: &mut Frame,
    screen: &ObserverScreen,
    rows: &[GuideRow],
    mine: &[&Observation],
    top: Rect,
) {
    let rating_of = |objective: &Option<String>| {
        mine.iter()
            .rev()
            .filter(|o| o.observer == screen.seat.name && &o.objective == objective)
            .find_map(|o| o.rating)
            .map_or("—".to_string(), |r| r.letter().to_string())
    };
    let inner = usize::from(top.width.saturating_sub(2));
    let rating_w = 6;
    let result_w = 14.min(inner / 4);
    let title_w = inner.saturating_sub(rating_w + result_w + 4);
    let mut items = vec![ListItem::new(
        format!(
            "  {:<title_w$} {:<result_w$} {:>rating_w$}",
            "Objective", "Engine", "Yours"
        )
        .bold(),
    )];
    items.extend(rows.iter().map(|r| {
        ListItem::new(format!(
            "  {:<title_w$} {:<result_w$} {:>rating_w$}",
            cut(&r.title, title_w),
            cut(&r.result, result_w),
            rating_of(&r.objective)
        ))
    }));
    let mut state = ListState::default().with_selected(Some(screen.guide.cursor + 1));
    frame.render_stateful_widget(
        List::new(items)
            .block(Block::bordered().title(format!(
                "What {} is to achieve (P/S/M/U: your latest rating)",
                screen.team_name()
            )))
            .highlight_style(Style::new().reversed()),
        top,
        &mut state,
    );
}

/// The observations on this team, newest first.
fn draw_guide_observations(
    frame: &mut Frame,
    screen: &ObserverScreen,
    rows: &[GuideRow],
    mine: &[&Observation],
    bottom: Rect,
) {
    let width = usize::from(bottom.width.saturating_sub(2));
    let title_of = |id: &Option<String>| {
        rows.iter()
            .find(|r| &r.objective == id)
            .map_or("the team's play".to_string(), |r| r.title.clone())
    };
    let tick_minutes = screen.team.clock.tick_minutes;
    let mut lines: Vec<Line> = Vec::new();
    for o in mine.iter().rev() {
        let rating = o
            .rating
            .map_or(String::new(), |r| format!("[{}] ", r.letter()));
        lines.extend(wrap(
            &format!("{} ", hhmm_span(o.tick * tick_minutes)),
            &format!(
                "{rating}{} · {}: {}",
                o.observer,
                title_of(&o.objective),
                o.text
            ),
            width,
            Style::new(),
        ));
    }
    if lines.is_empty() {
        lines.push(Line::from(
            "No observation yet. Choose a row and press Enter to write one, r to rate it.",
        ));
    }
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title("Observations on this team (newest first; no team sees them)")
                .title_bottom("P without challenges · S some · M major · U unable to perform"),
        ),
        bottom,
    );
}

/// The observation form, over the guide.
fn draw_form(frame: &mut Frame, screen: &ObserverScreen, form: &ObservationForm, area: Rect) {
    let popup = centered(area, 90, 14);
    frame.render_widget(Clear, popup);
    let minute = form.tick * screen.team.clock.tick_minutes;
    let about = form
        .objective
        .as_ref()
        .map_or("the team's play in general".to_string(), |(_, t)| t.clone());
    let width = usize::from(popup.width.saturating_sub(2));
    let mut lines = wrap(
        "",
        &format!(
            "{} at {}, on {about}.",
            screen.name_of(&form.team),
            hhmm_span(minute)
        ),
        width,
        Style::new().bold(),
    );
    lines.push(Line::from(""));
    let (hint, title) = if form.wants_rating && form.rating.is_none() {
        for r in Rating::ALL {
            lines.push(Line::from(format!("  {}  {}", r.letter(), r.words())));
        }
        ("press P, S, M or U · Esc cancel", "Rate")
    } else {
        if let Some(r) = form.rating {
            lines.push(Line::from(format!(
                "Rating: {} ({})",
                r.letter(),
                r.words()
            )));
        }
        let label = if form.rating.is_some() {
            "Reason: "
        } else {
            "Observation: "
        };
        lines.extend(wrap(label, &format!("{}▏", form.text), width, Style::new()));
        ("type · Enter record · Esc discard", "Observation")
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(title).title_bottom(hint)),
        popup,
    );
}

/// `play --observe`: the observer's event loop, running the clock itself (the engine plays
/// every team).
pub fn run(
    terminal: &mut ratatui::DefaultTerminal,
    screen: &mut ObserverScreen,
) -> std::io::Result<()> {
    use ratatui::crossterm::event::{self, Event};
    let mut next_tick = Instant::now();
    while !screen.quit() {
        screen.expire_status(Instant::now());
        terminal.draw(|frame| screen.draw(frame))?;
        let running = !screen.team.clock.paused;
        let wake = [running.then_some(next_tick), screen.status_deadline()]
            .into_iter()
            .flatten()
            .min();
        let ready = match wake {
            None => true,
            Some(at) => event::poll(at.saturating_duration_since(Instant::now()))?,
        };
        if ready && let Event::Key(key) = event::read()? {
            screen.handle_key(key);
        }
        if !screen.team.clock.paused && Instant::now() >= next_tick {
            screen.team.step();
            screen.refresh();
            next_tick = Instant::now() + screen.team.read(|ex| ex.tick_interval());
        }
    }
    screen.team.mark();
    Ok(())
}
