//! The facilitator's Team screens tab: the teams (in `serve`, who is connected) and, beside
//! them, what the chosen team sees: its inbox, incidents, tensions and latest timeline.

use super::app::App;
use super::ladder::rung_label;
use super::tab::Tab;
use super::widgets::list;
use crate::sim::view::{TeamView, hhmm_span};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, ListItem, Paragraph, Wrap};

/// The Team screens tab.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    // Who is online takes room only in `serve`.
    let left_width = if app.online.is_empty() { 28 } else { 42 };
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_width), Constraint::Fill(1)]).areas(area);
    let items: Vec<ListItem> = app
        .teams
        .iter()
        .enumerate()
        .map(|(i, (id, name))| {
            // In `serve`, who is connected: sessions per team, or the engine plays it.
            let online = match app.online.get(id) {
                _ if app.online.is_empty() => String::new(),
                Some(0) => " ○ nobody".to_string(),
                Some(n) => format!(" ● {n} online"),
                None => " (engine)".to_string(),
            };
            let mark = if i == app.peek { "▶ " } else { "  " };
            ListItem::new(format!("{mark}{name}{online}"))
        })
        .collect();
    list(items, "Teams", app.cursor_of(Tab::TeamScreens), frame, left);
    if let Some(v) = &app.view {
        frame.render_widget(
            Paragraph::new(their_screen(v))
                .wrap(Wrap { trim: true })
                .block(Block::bordered().title("Their screen, as they see it")),
            right,
        );
    }
}

/// What a team sees, in short: its inbox, its incidents and top suspects, the tensions that
/// matter, and the latest entries of its timeline.
fn their_screen(v: &TeamView) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        format!("{} sees ({} local):", v.team_name, v.local_time),
        Style::new().bold(),
    ))];
    lines.push(Line::from(format!(
        "Inbox: {} messages, {} unacknowledged",
        v.inbox.len(),
        v.inbox.iter().filter(|m| !m.acknowledged).count()
    )));
    for i in &v.incidents {
        let top = i
            .beliefs
            .first()
            .map_or(" — no clear suspect".into(), |(w, p)| {
                format!(" — suspects {w} {:.0}%", p * 100.0)
            });
        lines.push(Line::from(format!("Incident {}{top}", i.id)));
    }
    for r in v.relations.iter().filter(|r| r.tension >= 0.3) {
        lines.push(Line::from(format!(
            "Tension towards {}: {:.2} ({})",
            r.name,
            r.tension,
            rung_label(r.rung)
        )));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Latest on their timeline:",
        Style::new().bold(),
    )));
    for (m, t) in v.timeline.iter().rev().take(12) {
        lines.push(Line::from(format!("{} {t}", hhmm_span(*m))));
    }
    lines
}
