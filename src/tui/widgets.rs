//! Small widgets the screens share: a bordered list with its selection, a popup's area.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, List, ListItem, ListState};

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
