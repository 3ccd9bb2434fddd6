//! The player's Sent tab: every message the team sent and every act that is not a message
//! (hotline calls, alert changes, restraint statements, attributions…), oldest first, with
//! what the team knows of its course. Columns are sized to the width; the subject takes what
//! is left.

use super::app::App;
use super::tab::Tab;
use super::text::{Column, cells, cut, fit};
use crate::sim::view::{SentStatus, TeamView, hhmm_span, kind_words};
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
    pub course: Course,
    pub answered: String,
}

/// What the team knows of the course of a row: a message's status, a call's answer, or an
/// act done at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Course {
    Message(SentStatus),
    Call { answered: bool },
    Done,
}

impl Course {
    /// In words, for the status column.
    pub fn words(self) -> &'static str {
        match self {
            Course::Message(s) => s.words(),
            Course::Call { answered: true } => "answered",
            Course::Call { answered: false } => "not answered",
            Course::Done => "done",
        }
    }

    /// The row's colour: red for a bounce or an unanswered call, yellow while it waits for
    /// clearance, green once answered.
    fn colour(self) -> Option<Color> {
        match self {
            Course::Message(SentStatus::Bounced) | Course::Call { answered: false } => {
                Some(Color::Red)
            }
            Course::Message(SentStatus::AwaitingClearance) => Some(Color::Yellow),
            Course::Message(SentStatus::Acknowledged) | Course::Call { answered: true } => {
                Some(Color::Green)
            }
            Course::Message(SentStatus::Sent) | Course::Done => None,
        }
    }
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
            course: Course::Message(m.status),
            answered: m.answered_minute.map_or(String::new(), hhmm_span),
        })
        .collect();
    // An act has no subject: what came of it takes that column, and it is done at once.
    rows.extend(view.acts.iter().map(|a| {
        SentRow {
            minute: a.minute,
            to: a.to.clone(),
            what: a.what.clone(),
            subject: a.result.clone(),
            course: a
                .answered
                .map_or(Course::Done, |answered| Course::Call { answered }),
            answered: String::new(),
        }
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
        Column::exact("status", longest(&|r| r.course.words()).clamp(6, 18), 9),
        Column::exact("answered", 8, 3),
    ];
    let widths = fit(&cols, usize::from(area.width.saturating_sub(2)));
    // The subject's heading in one word where the whole does not fit.
    let mut headings = cols.map(|c| c.heading.to_string());
    if widths[3].is_some_and(|w| w < cells(&headings[3])) {
        headings[3] = "subject".to_string();
    }
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
                r.course.words().to_string(),
                r.answered.clone(),
            ]));
            match r.course.colour() {
                Some(c) => row.style(Style::new().fg(c)),
                None => row,
            }
        })
        .collect();
    let header = Row::new(keep(headings)).style(Style::new().bold().underlined());
    let constraints: Vec<Constraint> = widths
        .iter()
        .flatten()
        .map(|&w| Constraint::Length(w as u16))
        .collect();
    let count = table_rows.len();
    let empty = count == 0;
    let mut state = TableState::default()
        .with_selected((!empty).then(|| app.cursor_of(Tab::Sent).min(count - 1)));
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
