//! The escalation ladder as each side sees it: the player's Relations (our tension towards
//! each state and our pair's rung) and the facilitator's Escalation tab (every pair, tension
//! both ways, rung now and peak). Names are never cut while the row has room.

use super::app::App;
use super::tab::Tab;
use super::text::{Column, bar, cells, fit};
use super::widgets::{fitted_cells, table_selecting};
use crate::scenario::Rung;
use crate::sim::view::{FacilitatorView, TeamView};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Row;

/// A rung in a word or two, for a column ("Démarche", "Armed conflict").
pub fn rung_label(rung: Rung) -> &'static str {
    rung.label()
}

/// A table of `cells` rows under `cols`, sized to `area`, with the row at `cursor` selected.
fn table(
    frame: &mut Frame,
    cols: &[Column],
    rows: Vec<Vec<String>>,
    cursor: usize,
    title: &str,
    area: Rect,
) {
    let widths = fit(cols, usize::from(area.width.saturating_sub(2)));
    let count = rows.len();
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|r| Row::new(fitted_cells(r, &widths)))
        .collect();
    let header = Row::new(fitted_cells(
        cols.iter().map(|c| c.heading.to_string()),
        &widths,
    ));
    let selected = (count > 0).then(|| cursor.min(count - 1));
    table_selecting(frame, header, rows, &widths, title, selected, area);
}

/// The player's Relations tab.
pub fn draw_relations(frame: &mut Frame, app: &App, view: &TeamView, area: Rect) {
    let name = view
        .relations
        .iter()
        .map(|r| cells(&r.name))
        .max()
        .unwrap_or(5);
    let mut cols = [
        Column::flexible("state", name.min(24), name, 10),
        Column::exact("tension", 4, 9),
        Column::flexible("0 calm ─ 1 on the brink", 10, 24, 3),
        Column::exact("rung of our pair", 16, 8),
        Column::exact("hotline", 9, 5),
    ];
    let bar_width = fit(&cols, usize::from(area.width.saturating_sub(2)))[2].unwrap_or(0);
    // The bar's heading says what its ends mean, in fewer words where it is narrow.
    cols[2].heading = ["0 calm ─ 1 on the brink", "0 calm ─ 1 brink", "calm─brink"]
        .into_iter()
        .find(|h| cells(h) <= bar_width)
        .unwrap_or("");
    let rows = view
        .relations
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                format!("{:.2}", r.tension),
                bar(r.tension, bar_width),
                rung_label(r.rung).to_string(),
                if r.hotline { "☎ up" } else { "" }.to_string(),
            ]
        })
        .collect();
    table(
        frame,
        &cols,
        rows,
        app.cursor_of(Tab::Relations),
        "Relations: our tension towards each state, our rung on the ladder (w: why)",
        area,
    );
}

/// The facilitator's Escalation tab.
pub fn draw_escalation(frame: &mut Frame, app: &App, f: &FacilitatorView, area: Rect) {
    let a = f.pairs.iter().map(|p| cells(&p.a)).max().unwrap_or(5);
    let b = f.pairs.iter().map(|p| cells(&p.b)).max().unwrap_or(5);
    let cols = [
        // A name up to 24 cells is never cut: other columns give way first.
        Column::flexible("state A", a.min(24), a, 10),
        Column::flexible("state B", b.min(24), b, 10),
        Column::flexible("tension", 7, 20, 2),
        Column::exact("A→B", 4, 7),
        Column::exact("B→A", 4, 7),
        Column::exact("rung now", 15, 9),
        Column::exact("peak", 15, 3),
        Column::exact("hotline", 7, 5),
    ];
    let bar_width = fit(&cols, usize::from(area.width.saturating_sub(2)))[2].unwrap_or(0);
    let rows = f
        .pairs
        .iter()
        .map(|p| {
            vec![
                p.a.clone(),
                p.b.clone(),
                bar(p.a_to_b.max(p.b_to_a), bar_width),
                format!("{:.2}", p.a_to_b),
                format!("{:.2}", p.b_to_a),
                rung_label(p.rung).to_string(),
                rung_label(p.peak).to_string(),
                if p.hotline { "☎ up" } else { "" }.to_string(),
            ]
        })
        .collect();
    table(
        frame,
        &cols,
        rows,
        app.cursor_of(Tab::Escalation),
        "Escalation ladder: every pair of states, tension both ways (w: why)",
        area,
    );
}
