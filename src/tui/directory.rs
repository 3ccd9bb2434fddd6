//! The player's Directory: every point of contact, grouped by state (each group headed by
//! the state and its local time), sized to the width there is. What a player needs to write
//! to someone comes first and stays at 80 columns (who, whether the desk is open now or known
//! to bounce, staffed hours, channel, whose desk it is); the last reply drops out first when
//! the room runs out.

use super::app::App;
use super::tab::Tab;
use super::text::{Column, cells, cut, fit};
use crate::scenario::Channel;
use crate::sim::view::{ContactView, TeamView, channel_words, hhmm_span};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::widgets::{Block, Cell, Row, Table, TableState};

/// The columns, most important last-dropped (their `rank`), as wide as their content. The
/// state and its local time head each state's group of rows instead of taking columns.
fn columns(rows: &[&ContactView]) -> [Column; 6] {
    let longest =
        |f: &dyn Fn(&ContactView) -> String| rows.iter().map(|c| cells(&f(c))).max().unwrap_or(0);
    [
        // The name grows first, but only so far: the organisation says whose desk it is.
        Column::flexible("contact", 24, longest(&|c| c.name.clone()).min(32), 10),
        Column::exact("now", longest(&|c| now_words(c).into()).max(5), 9),
        Column::exact("staffed", longest(&|c| c.hours.clone()), 7),
        Column::exact("channel", longest(&|c| channel_short(c.channel).into()), 6),
        Column::flexible("organisation", 12, longest(&|c| c.organisation.clone()), 8),
        Column::exact("last ack", 8, 1),
    ]
}

/// The Directory tab: the contacts in groups by state, each group headed by the state and
/// its local time.
pub fn draw(frame: &mut Frame, app: &App, view: &TeamView, area: Rect) {
    let contacts: Vec<&ContactView> = app
        .directory_rows()
        .into_iter()
        .map(|i| &view.directory[i])
        .collect();
    let cols = columns(&contacts);
    // The highlight symbol takes no room: the row is reversed instead.
    let width = usize::from(area.width.saturating_sub(2));
    let widths = fit(&cols, width);
    let keep = |cells: [String; 6]| -> Vec<Cell<'static>> {
        cells
            .into_iter()
            .zip(&widths)
            .filter_map(|(c, w)| w.map(|w| Cell::from(cut(&c, w))))
            .collect()
    };
    let count = contacts.len();
    let cursor = app.cursor_of(Tab::Directory).min(count.saturating_sub(1));
    let mut rows: Vec<Row> = Vec::new();
    let mut selected = None;
    for (n, c) in contacts.iter().enumerate() {
        if n == 0 || contacts[n - 1].state != c.state {
            rows.push(group_heading(c, c.state == view.state_name, &keep));
        }
        if n == cursor {
            selected = Some(rows.len());
        }
        rows.push(contact_row(c, &keep));
    }
    let header =
        Row::new(keep(cols.map(|c| c.heading.to_string()))).style(Style::new().bold().underlined());
    let constraints: Vec<Constraint> = widths
        .iter()
        .flatten()
        .map(|&w| Constraint::Length(w as u16))
        .collect();
    let title = if app.filtering || !app.filter.is_empty() {
        format!(
            "Directory — filter: {}{} ({} of {})",
            app.filter,
            if app.filtering { "▏" } else { "" },
            count,
            view.directory.len()
        )
    } else {
        "Directory of points of contact (/ filter · Enter write to the contact)".to_string()
    };
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(
        Table::new(rows, constraints)
            .header(header)
            .column_spacing(1)
            .block(Block::bordered().title(title))
            .row_highlight_style(Style::new().reversed()),
        area,
        &mut state,
    );
}

/// The row above a state's contacts: its name, and the local time there under "now".
fn group_heading(
    c: &ContactView,
    ours: bool,
    keep: &dyn Fn([String; 6]) -> Vec<Cell<'static>>,
) -> Row<'static> {
    let us = if ours { " (us)" } else { "" };
    let mut cells: [String; 6] = Default::default();
    cells[0] = format!("{}{us}", c.state);
    cells[1] = c.local_time.clone();
    Row::new(keep(cells)).style(Style::new().bold())
}

/// One contact's row, red when it bounced, dim while its desk is closed.
fn contact_row(c: &ContactView, keep: &dyn Fn([String; 6]) -> Vec<Cell<'static>>) -> Row<'static> {
    let row = Row::new(keep([
        c.name.clone(),
        now_words(c).to_string(),
        c.hours.clone(),
        channel_short(c.channel).to_string(),
        c.organisation.clone(),
        c.last_response_minute.map_or("—".to_string(), hhmm_span),
    ]));
    match (c.known_stale, c.open_now) {
        (true, _) => row.style(Style::new().fg(Color::Red)),
        (_, false) => row.dim(),
        _ => row,
    }
}

/// What the "now" column says of a contact: one of ours (no need to write to it), known to
/// bounce, or whether its desk is staffed at this hour.
fn now_words(c: &ContactView) -> &'static str {
    if c.own {
        "ours"
    } else if c.known_stale {
        "BOUNCED"
    } else if c.open_now {
        "open"
    } else {
        "closed"
    }
}

/// A channel in a word or two, for a narrow column.
fn channel_short(channel: Channel) -> &'static str {
    match channel {
        Channel::DiplomaticNote => "dipl. note",
        c => channel_words(c),
    }
}
