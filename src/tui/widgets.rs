//! Small widgets the screens share: a bordered list with its selection, a bordered table
//! with fixed headings and its selection, a popup's area.

use super::text::cut;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Block, Cell, List, ListItem, ListState, Row, Table, TableState};

/// A bordered list with its selected row highlighted.
pub fn list<'a>(
    items: Vec<ListItem<'a>>,
    title: &'a str,
    selected: usize,
    frame: &mut Frame,
    area: Rect,
) {
    list_selecting(items, title, Some(selected), frame, area);
}

/// A list with at most one highlighted row (none when the cursor is in another section).
pub fn list_selecting<'a>(
    items: Vec<ListItem<'a>>,
    title: &'a str,
    selected: Option<usize>,
    frame: &mut Frame,
    area: Rect,
) {
    let count = items.len();
    let mut state = ListState::default()
        .with_selected(selected.filter(|_| count > 0).map(|s| s.min(count - 1)));
    let widget = List::new(items)
        .block(Block::bordered().title(title))
        .highlight_style(Style::new().reversed());
    frame.render_stateful_widget(widget, area, &mut state);
}

/// The texts of one row as cells, each cut with "…" to its column's width (from
/// [`super::text::fit`]); a column that does not fit drops out.
pub fn fitted_cells(
    texts: impl IntoIterator<Item = String>,
    widths: &[Option<usize>],
) -> Vec<Cell<'static>> {
    texts
        .into_iter()
        .zip(widths)
        .filter_map(|(t, w)| w.map(|w| Cell::from(cut(&t, w))))
        .collect()
}

/// A bordered table with fixed headings, its columns `widths` wide (dropped ones left out,
/// one cell apart), the selected row (if any) highlighted and scrolled into view.
pub fn table_selecting(
    frame: &mut Frame,
    header: Row<'static>,
    rows: Vec<Row<'static>>,
    widths: &[Option<usize>],
    title: &str,
    selected: Option<usize>,
    area: Rect,
) {
    let constraints: Vec<Constraint> = widths
        .iter()
        .flatten()
        .map(|&w| Constraint::Length(w as u16))
        .collect();
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(
        Table::new(rows, constraints)
            .header(header.style(Style::new().bold().underlined()))
            .column_spacing(1)
            .block(Block::bordered().title(title.to_string()))
            .row_highlight_style(Style::new().reversed()),
        area,
        &mut state,
    );
}

/// A popup's area: `width` × `height` cells centred in `area` (smaller if it must be).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
