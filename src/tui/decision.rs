//! The team's decision log: `d` opens a short form (the decision, then why), and the log's
//! entries join the team's Timeline and the facilitator's, at the moment they were written.
//! Another team never sees them (see [`crate::evaluation`]).

use super::action::Action;
use super::app::App;
use super::text::wrap;
use crate::evaluation::{Decision, MAX_NOTE_CHARS, clean_text};
use crate::journal::Line as JournalLine;
use crate::sim::view::hhmm_span;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

/// A decision being written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DecisionForm {
    /// The tick the exercise stood at when the form opened: the moment it is about.
    pub tick: u32,
    pub decision: String,
    pub rationale: String,
    /// 0: the decision, 1: the rationale.
    pub field: usize,
}

/// What a key did to the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKey {
    /// Still typing.
    Typing,
    /// Esc on the first field: thrown away.
    Cancel,
    /// Enter on the rationale: record it.
    Done,
}

impl DecisionForm {
    /// An empty form for the moment `tick`.
    pub fn new(tick: u32) -> DecisionForm {
        DecisionForm {
            tick,
            ..DecisionForm::default()
        }
    }

    /// Types into the form: Enter goes to the rationale (once the decision is written) and
    /// then records; Esc goes back a field, or cancels from the first.
    pub fn key(&mut self, key: KeyEvent) -> FormKey {
        let decided = !self.decision.trim().is_empty();
        let argued = !self.rationale.trim().is_empty();
        let text = if self.field == 0 {
            &mut self.decision
        } else {
            &mut self.rationale
        };
        match key.code {
            KeyCode::Esc if self.field == 0 => return FormKey::Cancel,
            KeyCode::Esc => self.field = 0,
            KeyCode::Enter | KeyCode::Tab if self.field == 0 && decided => self.field = 1,
            KeyCode::Enter | KeyCode::Tab if self.field == 0 => {}
            KeyCode::Enter if argued => return FormKey::Done,
            KeyCode::BackTab => self.field = 0,
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Char(c) if !c.is_control() && text.chars().count() < MAX_NOTE_CHARS => {
                text.push(c)
            }
            _ => {}
        }
        FormKey::Typing
    }
}

impl App {
    /// `d`: opens the decision form (teams only, while the exercise runs).
    pub fn open_decision(&mut self) {
        if self.clock.over {
            self.say("The exercise is over: the decision log is closed. `cyberdrill report --aar` shows it.");
            return;
        }
        self.decision = Some(DecisionForm::new(self.clock.tick));
    }

    /// A key while the decision form is open; the decision, once written, as an action.
    pub fn decision_key(&mut self, key: KeyEvent) -> Option<Action> {
        let (Some(form), super::app::Role::Team(team)) = (self.decision.as_mut(), &self.role)
        else {
            self.decision = None;
            return None;
        };
        let team = team.clone();
        match form.key(key) {
            FormKey::Typing => None,
            FormKey::Cancel => {
                self.decision = None;
                self.say("Decision discarded.");
                None
            }
            FormKey::Done => {
                let form = self.decision.take().unwrap_or_default();
                let checked = clean_text("decision", &form.decision)
                    .and_then(|d| clean_text("rationale", &form.rationale).map(|r| (d, r)));
                match checked {
                    Ok((decision, rationale)) => {
                        Some(Action::Note(JournalLine::Decision(Decision {
                            tick: form.tick,
                            team,
                            decision,
                            rationale,
                        })))
                    }
                    Err(e) => {
                        self.warn(format!("Not recorded: {e}."));
                        self.decision = Some(form);
                        None
                    }
                }
            }
        }
    }
}

/// The words a decision takes on a timeline.
pub fn timeline_text(d: &Decision, team_name: Option<&str>) -> String {
    let whose = team_name.map_or(String::new(), |n| format!(" ({n})"));
    format!("DECISION{whose}: {} — why: {}", d.decision, d.rationale)
}

/// A timeline with the decisions merged in by their minute (after what happened at that
/// minute); `names` gives team names to say whose decision it is (the facilitator's
/// timeline), none for a team's own.
pub fn with_decisions(
    timeline: &[(u32, String)],
    decisions: &[Decision],
    tick_minutes: u32,
    names: Option<&[(String, String)]>,
) -> Vec<(u32, String)> {
    let mut merged = timeline.to_vec();
    for d in decisions {
        let minute = d.tick * tick_minutes;
        let name = names.map(|n| {
            n.iter()
                .find(|(id, _)| *id == d.team)
                .map_or(d.team.as_str(), |(_, name)| name.as_str())
        });
        let at = merged.partition_point(|(m, _)| *m <= minute);
        merged.insert(at, (minute, timeline_text(d, name)));
    }
    merged
}

/// Draws the form over `area`, with the team's earlier decisions above it.
pub fn draw(frame: &mut Frame, app: &App, form: &DecisionForm, area: Rect) {
    let w = 90.min(area.width.saturating_sub(2));
    let h = 18.min(area.height.saturating_sub(2));
    let popup = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    frame.render_widget(Clear, popup);
    let width = usize::from(w.saturating_sub(2));
    let minute = form.tick * app.clock.tick_minutes;
    let mut lines = vec![
        Line::from(format!(
            "At {}: what did your team decide, and why? Your log is for your team and the \
             facilitator; no other team sees it.",
            hhmm_span(minute)
        )),
        Line::from(""),
    ];
    let cursor = |f: usize| if form.field == f { "▏" } else { "" };
    lines.extend(wrap(
        "Decision:  ",
        &format!("{}{}", form.decision, cursor(0)),
        width,
        Style::new(),
    ));
    lines.extend(wrap(
        "Rationale: ",
        &format!("{}{}", form.rationale, cursor(1)),
        width,
        Style::new(),
    ));
    if !app.decisions.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from("Earlier in your log (newest first):").bold());
        for d in app.decisions.iter().rev() {
            lines.extend(wrap(
                &format!("{} ", hhmm_span(d.tick * app.clock.tick_minutes)),
                &format!("{} — why: {}", d.decision, d.rationale),
                width,
                Style::new().dim(),
            ));
        }
    }
    let hint = if form.field == 0 {
        "type the decision · Enter next · Esc discard"
    } else {
        "type why · Enter record · Esc back"
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title("Decision log").title_bottom(hint)),
        popup,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyModifiers;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn the_form_needs_a_decision_and_a_rationale() {
        let mut f = DecisionForm::new(3);
        assert_eq!(f.key(key(KeyCode::Enter)), FormKey::Typing);
        assert_eq!(f.field, 0, "no rationale before a decision");
        for c in "Hold".chars() {
            f.key(key(KeyCode::Char(c)));
        }
        f.key(key(KeyCode::Enter));
        assert_eq!(f.field, 1);
        assert_eq!(
            f.key(key(KeyCode::Enter)),
            FormKey::Typing,
            "a rationale first"
        );
        f.key(key(KeyCode::Char('x')));
        assert_eq!(f.key(key(KeyCode::Enter)), FormKey::Done);
        f.key(key(KeyCode::Esc));
        assert_eq!(f.field, 0);
        assert_eq!(f.key(key(KeyCode::Esc)), FormKey::Cancel);
    }

    #[test]
    fn decisions_join_the_timeline_after_what_happened_that_minute() {
        let timeline = vec![(0, "start".to_string()), (30, "news".to_string())];
        let d = Decision {
            tick: 3,
            team: "team-a".into(),
            decision: "wait".into(),
            rationale: "no evidence".into(),
        };
        let names = vec![("team-a".to_string(), "Team A".to_string())];
        let merged = with_decisions(&timeline, std::slice::from_ref(&d), 10, Some(&names));
        assert_eq!(merged.len(), 3);
        assert_eq!(merged[2].0, 30);
        assert_eq!(merged[2].1, "DECISION (Team A): wait — why: no evidence");
        let own = with_decisions(&timeline, &[d], 5, None);
        assert_eq!(
            own[1],
            (15, "DECISION: wait — why: no evidence".to_string())
        );
    }
}
