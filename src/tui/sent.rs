//! The player's Sent tab: every message the team sent and every act that is not a message
//! (hotline calls, alert changes, restraint statements, attributions…), oldest first, with
//! what the team knows of its course. Columns are sized to the width; the subject takes what
//! is left.

use super::app::App;
use super::text::{Column, cells, cut, fit};
use crate::sim::view::{TeamView, hhmm_span, kind_words};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Style};
use ratatui::widgets::{Block, Cell, Row, Table, TableState};

/// One row of the Sent tab: a message or an act.
pub struct SentRow {
    pub minute: u32,
    pub to: String,
    pub what: String,
    pub subject: String,
    pub status: String,
    pub answered: String,
}

/// The rows of the Sent tab, messages and acts merged by time.
pub fn sent_rows(view: &TeamView) -> Vec<SentRow> {
    let name = |id: &str| {
        view.directory
            .iter()
            .find(|c| c.id == id)
            .map_or(id.to_string(), |c| c.name.clone())
    };
    let mut rows: Vec<SentRow> = view
        .sent
        .iter()
        .map(|m| SentRow {
            minute: m.sent_minute,
            to: format!("{} ({})", name(&m.to_contact), m.to),
            what: kind_words(m.kind).to_string(),
            subject: m.subject.clone(),
            status: m.status.clone(),
            answered: m.answered_minute.map_or(String::new(), hhmm_span),
        })
        .collect();
    // An act has no subject: what came of it takes that column, and it is done at once.
    rows.extend(view.acts.iter().map(|a| SentRow {
        minute: a.minute,
        to: a.to.clone(),
        what: a.what.clone(),
        subject: a.result.clone(),
        status: match a.result.as_str() {
            "answered" | "not answered" => a.result.clone(),
            _ => "done".to_string(),
        },
        answered: String::new(),
    }));
    rows.sort_by_key(|r| r.minute);
    rows
}

/// The Sent tab.
pub fn draw(frame: &mut Frame, app: &App, view: &TeamView, area: Rect) {
    let rows = sent_rows(view);
    let longest =
        |f: &dyn Fn(&SentRow) -> &str| rows.iter().map(|r| cells(f(r))).max().unwrap_or(0);
    let cols = [
        Column::exact("sent", 6, 10),
        Column::flexible("to", 14, longest(&|r| &r.to).min(40), 8),
        Column::flexible("what", 10, longest(&|r| &r.what), 8),
        Column::flexible("subject or result", 12, usize::MAX, 6),
        Column::exact("status", longest(&|r| &r.status).clamp(6, 18), 9),
        Column::exact("answered", 8, 3),
    ];
    let widths = fit(&cols, usize::from(area.width.saturating_sub(2)));
    let keep = |cells: [String; 6]| -> Vec<Cell<'static>> {
        cells
            .into_iter()
            .zip(&widths)
            .filter_map(|(c, w)| w.map(|w| Cell::from(cut(&c, w))))
            .collect()
    };
    let table_rows: Vec<Row> = rows
        .iter()
        .map(|r| {
            let row = Row::new(keep([
                hhmm_span(r.minute),
                r.to.clone(),
                r.what.clone(),
                r.subject.clone(),
                r.status.clone(),
                r.answered.clone(),
            ]));
            match r.status.as_str() {
                "bounced" | "not answered" => row.style(Style::new().fg(Color::Red)),
                "awaiting clearance" => row.style(Style::new().fg(Color::Yellow)),
                "acknowledged" | "answered" => row.style(Style::new().fg(Color::Green)),
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
    let count = table_rows.len();
    let empty = count == 0;
    let mut state =
        TableState::default().with_selected((!empty).then(|| app.cursor[4].min(count - 1)));
    let title = if empty {
        "Sent: nothing yet (c composes an action)"
    } else {
        "Sent: you learn of delivery only from an acknowledgement or a bounce"
    };
    frame.render_stateful_widget(
        Table::new(table_rows, constraints)
            .header(header)
            .column_spacing(1)
            .block(Block::bordered().title(title))
            .row_highlight_style(Style::new().reversed()),
        area,
        &mut state,
    );
}
