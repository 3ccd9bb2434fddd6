//! The facilitator's message to a team (`m`): choose the team, type a subject and a text.

use super::app::App;
use super::widgets::centered;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

/// The message being typed, over the screen.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let Some(a) = &app.adhoc else { return };
    let popup = centered(area, 80, 14);
    frame.render_widget(Clear, popup);
    let mut lines = vec![
        Line::from("Send a message or discussion question to a team (Esc cancels)"),
        Line::from(""),
    ];
    for (i, (_, name)) in app.teams.iter().enumerate() {
        let mark = if i == a.team { "▶" } else { " " };
        lines.push(Line::from(format!("{mark} {name}")));
    }
    lines.push(Line::from(""));
    let cursor = |stage: u8| if a.stage == stage { "▏" } else { "" };
    lines.push(Line::from(format!("Subject: {}{}", a.subject, cursor(1))));
    lines.push(Line::from(format!("Text:    {}{}", a.body, cursor(2))));
    let hint = match a.stage {
        0 => "↑/↓ team · Enter next",
        1 => "type the subject · Enter next",
        _ => "type the text · Enter send",
    };
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title("Message from exercise control")
                .title_bottom(hint),
        ),
        popup,
    );
}
