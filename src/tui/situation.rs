//! The player's Situation tab: our infrastructure (how far out of service each asset is) and
//! the incidents we know, with who we believe did them. Both lists scroll to the selection;
//! an incident's heading wraps rather than being cut.

use super::app::App;
use super::app::Row as Cursor;
use super::text::{Column, bar, cells, cut, fit, wrap};
use super::widgets::{fitted_cells, table_selecting};
use crate::sim::view::{AssetView, KnownIncidentView, TeamView, hhmm_span};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Row};

/// What a team is told while its analysts have no suspect for an incident.
pub const NO_SUSPECT: &str =
    "no clear suspect — the evidence has not lifted any candidate well above its prior";

/// The Situation tab.
pub fn draw(frame: &mut Frame, app: &App, view: &TeamView, area: Rect) {
    let (asset, incident) = match app.situation_row() {
        Cursor::Asset(i) => (Some(i), None),
        Cursor::Incident(i) => (None, Some(i)),
        _ => (None, None),
    };
    // The incidents get the lines they need, up to three fifths of the height (or one line
    // while none is known); the assets get the rest, so neither list sits over empty rows.
    // Both lists scroll to the selection.
    let width = usize::from(area.width.saturating_sub(2));
    let (lines, shown) = incident_lines(view, incident, width);
    let incidents_need = lines.len() as u16 + 2;
    let assets_need = view.assets.len() as u16 + 3;
    let assets_height = if view.incidents.is_empty() {
        assets_need.min(area.height.saturating_sub(3))
    } else {
        let floor = area.height * 2 / 5;
        assets_need.min(area.height.saturating_sub(incidents_need).max(floor))
    };
    let [top, bottom] =
        Layout::vertical([Constraint::Length(assets_height), Constraint::Fill(1)]).areas(area);
    draw_assets(frame, view, asset, top);
    draw_incidents(frame, view, lines, shown, bottom);
}

/// The assets box: a table with headings, its columns sized to the width. What drops out
/// first when the room runs out: the sector, then the bar; the flags ("ISOLATED, safe
/// zone") are kept whole or dropped, never cut, and take no column while no asset has one.
fn draw_assets(frame: &mut Frame, view: &TeamView, selected: Option<usize>, area: Rect) {
    let width = usize::from(area.width.saturating_sub(2));
    let longest = |f: &dyn Fn(&AssetView) -> String| {
        view.assets.iter().map(|a| cells(&f(a))).max().unwrap_or(0)
    };
    let flags = longest(&asset_flags);
    let mut columns = vec![
        // The bar repeats the percentage: it gives its room to the name first.
        Column::flexible("", 4, 30, 3),
        Column::exact("out", 4, 9),
        Column::flexible("asset", 14, longest(&|a| a.name.clone()), 8),
        Column::exact("sector", longest(&|a| format!("{:?}", a.sector)), 2),
    ];
    if flags > 0 {
        columns.push(Column::exact("flags", flags, 5));
    }
    let w = fit(&columns, width);
    let rows: Vec<Row> = view
        .assets
        .iter()
        .map(|a| {
            let mut texts = vec![
                bar(a.inoperability, w[0].unwrap_or(0)),
                format!("{:>3.0}%", a.inoperability * 100.0),
                a.name.clone(),
                format!("{:?}", a.sector),
            ];
            if flags > 0 {
                texts.push(asset_flags(a));
            }
            Row::new(fitted_cells(texts, &w))
        })
        .collect();
    // The bar needs no heading: the percentage's, right-aligned, says what both show.
    let mut headings: Vec<String> = columns.iter().map(|c| c.heading.to_string()).collect();
    headings[1] = format!("{:>4}", headings[1]);
    let header = Row::new(fitted_cells(headings, &w));
    let title = assets_title(view, area);
    table_selecting(frame, header, rows, &w, &title, selected, area);
}

/// The assets box's title; it says how many there are when they do not all fit.
fn assets_title(view: &TeamView, area: Rect) -> String {
    // The borders and the headings take three rows.
    let rows = usize::from(area.height.saturating_sub(3));
    if view.assets.len() > rows {
        format!(
            "Our infrastructure: how far out of service ({} of {} shown · ↑↓ to scroll)",
            rows,
            view.assets.len()
        )
    } else {
        "Our infrastructure: how far out of service".to_string()
    }
}

/// What sets an asset apart: cut off from its dependencies, or declared a safe zone.
fn asset_flags(a: &AssetView) -> String {
    [
        a.isolated.then_some("ISOLATED"),
        a.safe_zone.then_some("safe zone"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ")
}

/// The heading of an incident the team knows: what it is and the evidence first, then
/// whether it is over, when we learnt of it and how.
pub fn incident_heading(i: &KnownIncidentView) -> String {
    let how = if i.detected_by_us {
        "detected by us".to_string()
    } else {
        format!("told by {}", i.told_by.clone().unwrap_or_default())
    };
    let state = match (i.contained_minute, i.recovered_minute) {
        (_, Some(m)) => format!(" · RECOVERED {}", hhmm_span(m)),
        (Some(m), None) => format!(" · CONTAINED {}", hhmm_span(m)),
        (None, None) => " · ongoing".to_string(),
    };
    format!(
        "{} · evidence {} ({} judged planted){state} · known since {} · {how}",
        i.title,
        i.evidence,
        i.discounted,
        hhmm_span(i.since_minute),
    )
}

/// The lines of the incidents a team knows with its suspects, and which of them (start, end)
/// belong to the selected incident.
fn incident_lines(
    view: &TeamView,
    selected: Option<usize>,
    width: usize,
) -> (Vec<Line<'static>>, (usize, usize)) {
    let mut lines: Vec<Line> = Vec::new();
    if view.incidents.is_empty() {
        lines.push(Line::from(
            "No incident known. Watch the inbox and the timeline.",
        ));
    }
    let mut shown = (0, 0);
    for (n, i) in view.incidents.iter().enumerate() {
        let start = lines.len();
        let mut style = Style::new().bold();
        if i.contained_minute.is_some() || i.recovered_minute.is_some() {
            style = style.dim();
        }
        if selected == Some(n) {
            style = style.reversed();
        }
        lines.extend(wrap("", &incident_heading(i), width, style));
        if i.beliefs.is_empty() {
            lines.extend(wrap("   ", NO_SUSPECT, width, Style::new().dim()));
        }
        let bar_width = width.saturating_sub(14).clamp(4, 20);
        for (who, p) in i.beliefs.iter().take(4) {
            lines.push(Line::from(cut(
                &format!("   {} {:>5.1}%  {who}", bar(*p, bar_width), p * 100.0),
                width,
            )));
        }
        if selected == Some(n) {
            shown = (start, lines.len());
        }
    }
    (lines, shown)
}

/// The incidents box: the selected incident (if any) is highlighted and scrolled into view.
fn draw_incidents(
    frame: &mut Frame,
    view: &TeamView,
    lines: Vec<Line<'static>>,
    shown: (usize, usize),
    area: Rect,
) {
    // Scroll just enough that the selected incident and its suspects are on screen.
    let height = usize::from(area.height.saturating_sub(2));
    let scroll = shown.1.saturating_sub(height).min(shown.0);
    let title = if view.incidents.is_empty() {
        "Incidents and who we believe did it".to_string()
    } else {
        format!(
            "Incidents and who we believe did it: {} known (↓ to select · w: why)",
            view.incidents.len()
        )
    };
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll as u16, 0))
            .block(Block::bordered().title(title)),
        area,
    );
}
