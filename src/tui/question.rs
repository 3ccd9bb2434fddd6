//! A discussion question in large type: the scenario asked the room to stop on it, so it
//! fills most of the screen until dismissed (Enter or Esc), for the facilitator and for the
//! teams it is put to.

use super::app::App;
use super::text::wrap;
use crate::sim::view::hhmm_span;
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

/// Draws the open question, if any, over the screen.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let Some(q) = &app.question else { return };
    let width = area.width.saturating_sub(4).min(96);
    let height = area.height.saturating_sub(4);
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    // The text is set in capitals with a blank line between its lines and a wide margin,
    // so it reads across a room; it is cut only if it could never fit.
    let inner = usize::from(width.saturating_sub(8));
    let style = Style::new().bold().fg(Color::Yellow);
    let mut lines = vec![Line::from("")];
    let who = if q.to.is_empty() {
        "for the whole room".to_string()
    } else {
        format!("for {}", q.to.join(", "))
    };
    lines.push(
        Line::from(format!(
            "Discussion question · {} · {who}",
            hhmm_span(q.minute)
        ))
        .dim(),
    );
    lines.push(Line::from(""));
    let text = wrap("", &q.text.to_uppercase(), inner, style);
    let room = usize::from(height.saturating_sub(7));
    let spaced = text.len() * 2 <= room;
    for line in text {
        lines.push(line);
        if spaced {
            lines.push(Line::from(""));
        }
    }
    lines.push(Line::from(""));
    let clock = if app.runs_clock() {
        "The clock is paused for the discussion: space runs it again once this is closed."
    } else {
        "The clock is paused for the discussion; the facilitator runs it again."
    };
    lines.extend(wrap("", clock, inner, Style::new().dim()));
    // As tall as its text, centred; never taller than the screen.
    let tall = (lines.len() as u16 + 3).min(height);
    let popup = Rect::new(popup.x, area.y + (area.height - tall) / 2, width, tall);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).alignment(Alignment::Center).block(
            Block::bordered()
                .border_type(BorderType::Double)
                .title(" DISCUSSION QUESTION ")
                .title_alignment(Alignment::Center)
                .title_bottom(" Enter or Esc: dismiss ")
                .style(Style::new().bg(Color::Black)),
        ),
        popup,
    );
}
