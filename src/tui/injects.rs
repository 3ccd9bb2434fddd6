//! The facilitator's Injects tab: the inject queue sorted by time, the preview of an inject
//! (Enter) and the confirmation of a fire or a skip.

use super::app::App;
use super::tab::Tab;
use super::text::{cut, wrap};
use super::widgets::centered;
use crate::sim::view::{FacilitatorView, InjectQueueItem, hhmm_span};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row as TableRow, Table, TableState};

/// The Injects tab.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let Some(f) = &app.facilitator else { return };
    draw_queue(frame, f, app.cursor_of(Tab::Injects), area);
}

/// The inject queue as a table sorted by time: each inject's earliest time (its schedule, or
/// its delay), id, kind, condition (in words where there is room) and status.
fn draw_queue(frame: &mut Frame, f: &FacilitatorView, cursor: usize, area: Rect) {
    let inner = usize::from(area.width.saturating_sub(2));
    const TIME: usize = 6;
    const KIND: usize = 12;
    const STATUS: usize = 18;
    // Column gaps (four) and the fixed columns; the id and the condition share the rest.
    let rest = inner.saturating_sub(TIME + KIND + STATUS + 4);
    let (id_width, condition_width, words) = if rest >= 30 + 24 {
        (30, rest - 30, true)
    } else {
        (rest.saturating_sub(12).max(8), 11, false)
    };
    let rows: Vec<TableRow> = f
        .injects
        .iter()
        .map(|i| {
            let condition = match &i.condition {
                None => String::new(),
                Some(c) if words => cut(&format!("if {c}"), condition_width),
                Some(_) => "conditional".to_string(),
            };
            let done = i.fired_minute.is_some() || i.status.done();
            let row = TableRow::new([
                Cell::from(i.earliest_minute.map_or("  —".to_string(), hhmm_span)),
                Cell::from(cut(&i.id, id_width)),
                Cell::from(i.kind.clone()),
                Cell::from(condition),
                Cell::from(i.status.words()),
            ]);
            if done { row.dim() } else { row }
        })
        .collect();
    let header = TableRow::new(["time", "inject", "kind", "condition", "status"])
        .style(Style::new().bold().underlined());
    let count = rows.len();
    let mut state = TableState::default().with_selected((count > 0).then(|| cursor.min(count - 1)));
    let table = Table::new(
        rows,
        [
            Constraint::Length(TIME as u16),
            Constraint::Length(id_width as u16),
            Constraint::Length(KIND as u16),
            Constraint::Length(condition_width as u16),
            Constraint::Fill(1),
        ],
    )
    .header(header)
    .block(
        Block::bordered()
            .title("Inject queue by time (Enter preview · f fire now · d delay 30 min · s skip)"),
    )
    .row_highlight_style(Style::new().reversed());
    frame.render_stateful_widget(table, area, &mut state);
}

/// The preview of an inject (Enter on the Injects tab): what it is, when and on what
/// condition it fires, whom it reaches and what it says, wrapped to fit; what does not fit
/// is cut with a last line saying so.
pub fn draw_preview(frame: &mut Frame, app: &App, area: Rect) {
    let Some(id) = &app.preview else { return };
    let width = 100.min(area.width.saturating_sub(2));
    let inner = usize::from(width.saturating_sub(2));
    let keys = "Esc close · ↑/↓ previous/next · f fire · d delay 30 min · s skip";
    let Some(i) = app.inject_row(id) else {
        let popup = centered(area, width, 3);
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new("That inject is no longer there.")
                .block(Block::bordered().title("Inject").title_bottom("Esc close")),
            popup,
        );
        return;
    };
    let mut lines = preview_lines(i, inner);
    let room = usize::from(area.height.saturating_sub(4));
    if lines.len() > room {
        lines.truncate(room.saturating_sub(1));
        lines.push(Line::from("… (cut: enlarge the terminal to read the rest)").dim());
    }
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let popup = centered(area, width, height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title(format!("Inject {}", i.id))
                .title_bottom(keys)
                .style(Style::new().bg(Color::Black)),
        ),
        popup,
    );
}

/// What the preview says of an inject, wrapped to `width`: its summary, kind, time,
/// condition, `until`, status, recipients and text.
fn preview_lines(i: &InjectQueueItem, width: usize) -> Vec<Line<'static>> {
    let plain = Style::new();
    let field = |label: &str, text: &str| wrap(&format!("{label:<11} "), text, width, plain);
    let mut lines = wrap("", &i.summary, width, Style::new().bold());
    lines.push(Line::from(""));
    lines.extend(field("Kind", &i.kind));
    let time = time_words(i);
    lines.extend(field("Time", &time));
    let condition = match &i.condition {
        Some(c) => format!(
            "{c} ({})",
            if i.condition_holds {
                "holds now"
            } else {
                "does not hold now"
            }
        ),
        None => "none".to_string(),
    };
    lines.extend(field("Condition", &condition));
    let until = i.until_minute.map_or("none".to_string(), |u| {
        format!("{}: if it has not fired by then, it lapses", hhmm_span(u))
    });
    lines.extend(field("Until", &until));
    lines.extend(field("Status", &i.status.words()));
    lines.extend(field("Reaches", &i.recipients));
    lines.push(Line::from(""));
    for (label, text) in &i.text {
        lines.extend(field(label, text));
    }
    lines
}

/// When an inject fires, in words: its time, its delay, its condition.
fn time_words(i: &InjectQueueItem) -> String {
    match (i.at_minute, i.delayed_to_minute, i.conditional) {
        (Some(at), Some(d), _) => format!(
            "not before {} (delayed by you; scheduled for {})",
            hhmm_span(d),
            hhmm_span(at)
        ),
        (None, Some(d), _) => format!("not before {} (delayed by you)", hhmm_span(d)),
        (Some(at), None, false) => hhmm_span(at),
        (Some(at), None, true) => format!(
            "{} at the earliest, once its condition holds",
            hhmm_span(at)
        ),
        (None, None, _) => "none: it fires when its condition holds".to_string(),
    }
}

/// The confirmation of a fire or a skip: the question, wrapped to fit; only `y` applies it.
pub fn draw_confirm(frame: &mut Frame, app: &App, area: Rect) {
    let Some(c) = &app.confirm else { return };
    let width = 78.min(area.width.saturating_sub(2));
    let inner = usize::from(width.saturating_sub(2));
    let lines = wrap("", &c.question, inner, Style::new().bold());
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let popup = centered(area, width, height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title("Confirm")
                .title_bottom("y yes · n or Esc no")
                .style(Style::new().bg(Color::Black)),
        ),
        popup,
    );
}
