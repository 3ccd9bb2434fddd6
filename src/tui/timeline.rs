//! The Timeline tab: what happened, newest last, each entry wrapped under its time. A team
//! sees its own timeline (only what it can know), the facilitator everything.

use super::app::App;
use super::tab::Tab;
use super::text::wrap;
use super::widgets::list;
use crate::sim::view::hhmm_span;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::ListItem;

/// The Timeline tab of this screen's role.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let (entries, title) = match (&app.facilitator, &app.view) {
        (Some(f), _) if app.is_facilitator() => (&f.timeline, "Timeline: everything that happened"),
        (_, Some(v)) if !app.is_facilitator() => (&v.timeline, "Timeline (what our team has seen)"),
        _ => return,
    };
    // The decision log joins the timeline: the team's own, or (for the facilitator) every
    // team's, by name.
    let names = app.is_facilitator().then_some(app.teams.as_slice());
    let entries =
        super::decision::with_decisions(entries, &app.decisions, app.clock.tick_minutes, names);
    let items = items(&entries, area.width);
    // The cursor counts back from the newest entry (see `App::on_timeline`).
    let selected = items
        .len()
        .saturating_sub(1)
        .saturating_sub(app.cursor_of(Tab::Timeline));
    list(items, title, selected, frame, area);
}

/// A timeline's entries, each wrapped under its time to the width of a bordered list.
fn items(timeline: &[(u32, String)], width: u16) -> Vec<ListItem<'static>> {
    let width = usize::from(width.saturating_sub(2));
    timeline
        .iter()
        .map(|(m, t)| ListItem::new(wrap(&format!("{} ", hhmm_span(*m)), t, width, Style::new())))
        .collect()
}
