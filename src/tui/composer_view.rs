//! Draws the action composer (`c`): one popup per stage, from choosing the action to the
//! confirm screen that says, in the names the team reads, what will be sent and how.

use super::composer::{ACTIONS, Composer, Field, Stage};
use super::text::cut;
use super::widgets::centered;
use crate::sim::view::TeamView;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph, Wrap};

/// The composer's popup over the screen.
pub fn draw(frame: &mut Frame, c: &Composer, view: &TeamView, area: Rect) {
    let popup = centered(area, 100, 22);
    frame.render_widget(Clear, popup);
    let (title, prompt) = title_and_prompt(c);
    // Cut with "…" to the popup's width inside its corners, never silently.
    let room = usize::from(popup.width.saturating_sub(2));
    let block = Block::bordered()
        .title(cut(&title, room))
        .title_bottom(cut(&prompt, room))
        .style(Style::new().bg(Color::Black));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    match (&c.stage, c.field()) {
        (Stage::Confirm, _) => {
            let mut lines = vec![
                Line::from(Span::styled(
                    describe_command(&c.command(), view),
                    Style::new().bold(),
                )),
                Line::from(""),
            ];
            let route = c.route(view);
            if !route.is_empty() {
                lines.push(Line::from("How it will travel:"));
                for r in route {
                    lines.push(Line::from(format!("  → {r}")));
                }
            }
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
        }
        (_, Some(Field::Text)) => {
            let text = format!("{}▏\n\n(Enter when done; it may be empty.)", c.text);
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
        }
        _ => {
            let [filter, rest] =
                Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
            frame.render_widget(
                Paragraph::new(format!("filter: {}▏", c.filter)).dim(),
                filter,
            );
            let choices = c.choices(view);
            let empty = choices.is_empty();
            let items: Vec<ListItem> = choices
                .into_iter()
                .map(|ch| ListItem::new(ch.label))
                .collect();
            let mut state = ListState::default().with_selected((!empty).then_some(c.cursor));
            let list = if empty {
                List::new(vec![ListItem::new(c.nothing_to_choose())])
            } else {
                List::new(items).highlight_style(Style::new().reversed())
            };
            frame.render_stateful_widget(list, rest, &mut state);
        }
    }
}

/// The popup's title and the keys at its foot, for the stage the composer is at.
fn title_and_prompt(c: &Composer) -> (String, String) {
    let action = ACTIONS[c.action].0;
    match (&c.stage, c.field()) {
        (Stage::ChooseAction, _) => (
            "Compose: choose an action".to_string(),
            "↑/↓ choose · Enter next · Esc cancel".to_string(),
        ),
        (Stage::Confirm, _) => (
            format!("Compose: {action} — confirm"),
            "Enter send · Esc back".to_string(),
        ),
        (_, Some(Field::Contacts { multi: true })) => (
            format!("{action}: to whom?"),
            "type to filter · space mark several · Enter next · Esc back".to_string(),
        ),
        (_, Some(Field::Contacts { .. })) => (
            format!("{action}: to whom?"),
            "type to filter · Enter choose · Esc back".to_string(),
        ),
        (_, Some(Field::Text)) => (
            format!("{action}: your words"),
            "type the text · Enter next · Esc back".to_string(),
        ),
        (_, Some(Field::Incident { .. })) => (
            format!("{action}: which incident?"),
            "Enter choose · Esc back".to_string(),
        ),
        (_, Some(Field::Level)) => (
            format!(
                "{action}: sharing level (TLP says how far they may pass it on; it is a label, not a delay)"
            ),
            "Enter choose · Esc back".to_string(),
        ),
        (_, Some(Field::Alert)) => (
            format!("{action}: how hard our organisations watch"),
            "Enter choose · Esc back".to_string(),
        ),
        _ => (
            format!("{action}: choose"),
            "type to filter · Enter choose · Esc back".to_string(),
        ),
    }
}

/// A one-line description of a command, for the confirm screen, in the names the team reads
/// (contacts, states and assets by name, never by id).
pub fn describe_command(command: &crate::sim::Command, view: &TeamView) -> String {
    use crate::sim::Command::*;
    let names = Names(view);
    let contact = |id: &str| names.contact(id);
    let contacts = |ids: &[String]| names.contacts(ids);
    let state = |id: &str| names.state(id);
    let asset = |id: &str| names.asset(id);
    // An incident by its title, as the Situation tab names it.
    let incident = |id: &String| view.incident_title(id).to_string();
    match command {
        Notify {
            to,
            incident: i,
            text,
        } => format!(
            "Notify {} about {}: “{text}”",
            contacts(to),
            i.as_ref()
                .map_or("(no particular incident)".to_string(), incident)
        ),
        ShareEvidence {
            to,
            incident: i,
            level,
        } => format!(
            "Share our evidence on {} with {} at {}",
            incident(i),
            contacts(to),
            super::inbox::tlp_words(*level)
        ),
        RequestAssistance { to, incident: i } => {
            format!("Ask {} for assistance with {}", contact(to), incident(i))
        }
        RequestConsultation { to, text } => {
            format!("Request consultations with {}: “{text}”", contact(to))
        }
        Acknowledge { message } => format!("Acknowledge message #{message}"),
        Demarche { to, text } => {
            format!("Deliver a démarche through {}: “{text}”", contact(to))
        }
        PublicAttribution { incident: i, blame } => {
            format!("Publicly attribute {} to {}", incident(i), state(blame))
        }
        RestraintStatement { text } => format!("Issue a statement of restraint: “{text}”"),
        HotlineCall { state: s } => format!("Call {} on the hotline", state(s)),
        ConveneRegional { incident: i } => format!(
            "Convene regional coordination{}",
            i.as_ref()
                .map_or(String::new(), |i| format!(" on {}", incident(i)))
        ),
        RequestTakedown { to, incident: i } => format!(
            "Ask {} to take down infrastructure used in {}",
            contact(to),
            incident(i)
        ),
        Retaliate { target } => format!("RETALIATE: a cyber operation against {}", asset(target)),
        Isolate { asset: a } => format!("Isolate {} from the network", asset(a)),
        Restore { asset: a } => format!("Restore {} to service", asset(a)),
        RaiseAlert { level } => format!(
            "Set our alert level to {level}: our watchers detect {}% faster than at level 0",
            u32::from(*level) * 25
        ),
    }
}

/// The names a team reads for the ids of a command, from its view (the id itself when the
/// view does not know it).
struct Names<'a>(&'a TeamView);

impl Names<'_> {
    /// A contact: its name and organisation.
    fn contact(&self, id: &str) -> String {
        self.0
            .directory
            .iter()
            .find(|c| c.id == id)
            .map_or(id.to_string(), |c| {
                format!("{}, {}", c.name, c.organisation)
            })
    }

    /// Several contacts, one after the other.
    fn contacts(&self, ids: &[String]) -> String {
        ids.iter()
            .map(|i| self.contact(i))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A state or a group (or an unknown non-state actor).
    fn state(&self, id: &str) -> String {
        let view = self.0;
        view.relations
            .iter()
            .find(|r| r.state == id)
            .map(|r| r.name.clone())
            .or_else(|| {
                view.groups
                    .iter()
                    .find(|(g, _)| g == id)
                    .map(|(_, n)| n.clone())
            })
            .unwrap_or_else(|| match id {
                "non-state" => "an unknown non-state actor".to_string(),
                _ => id.to_string(),
            })
    }

    /// One of our assets, or another state's (with that state).
    fn asset(&self, id: &str) -> String {
        let view = self.0;
        view.assets
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.clone())
            .or_else(|| {
                view.foreign_assets
                    .iter()
                    .find(|(a, ..)| a == id)
                    .map(|(_, name, st, _)| format!("{name} ({st})"))
            })
            .unwrap_or_else(|| id.to_string())
    }
}
