//! The player's Directory: every point of contact, sized to the width there is. What a
//! player needs to write to someone comes first and stays at 80 columns (who, whether the
//! desk is open now and its local time, staffed hours, channel, a bounce); the organisation,
//! state and last reply drop out first when the room runs out.

use super::app::App;
use super::tab::Tab;
use super::text::{Column, cells, cut, fit};
use crate::scenario::Channel;
use crate::sim::view::{ContactView, TeamView, channel_words, hhmm_span};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::widgets::{Block, Cell, Row, Table, TableState};

/// The columns, most important last-dropped (their `rank`), as wide as their content.
fn columns(rows: &[&ContactView]) -> [Column; 9] {
    let longest =
        |f: &dyn Fn(&ContactView) -> String| rows.iter().map(|c| cells(&f(c))).max().unwrap_or(0);
    [
        Column::flexible("contact", 14, longest(&|c| c.name.clone()), 10),
        Column::exact("now", 6, 9),
        Column::exact("local", 5, 8),
        Column::exact("staffed", longest(&|c| c.hours.clone()), 7),
        Column::exact("channel", longest(&|c| channel_short(c.channel).into()), 6),
        Column::exact("note", 7, 5),
        Column::flexible("organisation", 12, longest(&|c| c.organisation.clone()), 4),
        Column::flexible("state", 8, longest(&|c| c.state.clone()), 2),
        Column::exact("last ack", 8, 1),
    ]
}

/// The Directory tab.
pub fn draw(frame: &mut Frame, app: &App, view: &TeamView, area: Rect) {
    let contacts: Vec<&ContactView> = app
        .directory_rows()
        .into_iter()
        .map(|i| &view.directory[i])
        .collect();
    let cols = columns(&contacts);
    // The highlight symbol takes no room: the row is reversed instead.
    let widths = fit(&cols, usize::from(area.width.saturating_sub(2)));
    let keep = |cells: [String; 9]| -> Vec<Cell<'static>> {
        cells
            .into_iter()
            .zip(&widths)
            .filter_map(|(c, w)| w.map(|w| Cell::from(cut(&c, w))))
            .collect()
    };
    let rows: Vec<Row> = contacts
        .iter()
        .map(|c| {
            let note = if c.own {
                "ours"
            } else if c.known_stale {
                "BOUNCED"
            } else {
                ""
            };
            let row = Row::new(keep([
                c.name.clone(),
                if c.open_now { "open" } else { "closed" }.to_string(),
                c.local_time.clone(),
                c.hours.clone(),
                channel_short(c.channel).to_string(),
                note.to_string(),
                c.organisation.clone(),
                c.state.clone(),
                c.last_response_minute.map_or("—".to_string(), hhmm_span),
            ]));
            match (c.known_stale, c.open_now) {
                (true, _) => row.style(Style::new().fg(Color::Red)),
                (_, false) => row.dim(),
                _ => row,
            }
        })
        .collect();
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
            contacts.len(),
            view.directory.len()
        )
    } else {
        "Directory of points of contact (/ filter · Enter write to the contact)".to_string()
    };
    let count = rows.len();
    let cursor = app.cursor_of(Tab::Directory);
    let mut state = TableState::default().with_selected((count > 0).then(|| cursor.min(count - 1)));
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

/// A channel in a word or two, for a narrow column.
fn channel_short(channel: Channel) -> &'static str {
    match channel {
        Channel::DiplomaticNote => "dipl. note",
        c => channel_words(c),
    }
}
