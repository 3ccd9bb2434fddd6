//! The facilitator's Ground truth tab: the incidents as they really are (who did them, the
//! false flag), the objectives one line each (`w` for the reason), and every asset.

use super::app::{self, App};
use super::objectives::status_words;
use super::text::{Column, bar, fit};
use super::widgets::{fitted_cells, list_selecting, table_selecting};
use crate::sim::Phase;
use crate::sim::view::{AssetTruth, FacilitatorView, IncidentTruth, ObjectiveView, hhmm_span};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{ListItem, Row};

/// The Ground truth tab.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let Some(f) = &app.facilitator else { return };
    let objectives_height = if f.objectives.is_empty() {
        0
    } else {
        (f.objectives.len() as u16 + 2).min(area.height * 3 / 10)
    };
    let [top, middle, bottom] = Layout::vertical([
        // The borders and the headings take three rows.
        Constraint::Length((f.incidents.len() as u16 + 3).min(area.height * 7 / 20)),
        Constraint::Length(objectives_height),
        Constraint::Fill(1),
    ])
    .areas(area);
    let (incident, objective, asset) = match app.ground_truth_row() {
        app::Row::Incident(i) => (Some(i), None, None),
        app::Row::Objective(i) => (None, Some(i), None),
        app::Row::Asset(i) => (None, None, Some(i)),
        app::Row::None => (None, None, None),
    };
    draw_incidents(frame, f, incident, top);
    if !f.objectives.is_empty() {
        list_selecting(
            objective_items(&f.objectives),
            "Objectives (w: why)",
            objective,
            frame,
            middle,
        );
    }
    draw_assets(frame, f, asset, bottom);
}

/// The columns of the incidents' table: who did it and the false flag matter most; the
/// target gives way first.
fn truth_columns(f: &FacilitatorView, width: usize) -> Vec<Option<usize>> {
    let longest =
        |g: &dyn Fn(&IncidentTruth) -> usize| f.incidents.iter().map(g).max().unwrap_or(0);
    fit(
        &[
            Column::exact("start", 6, 9),
            Column::flexible("incident", 12, longest(&|i| i.id.len()), 8),
            Column::exact("phase", 9, 9),
            Column::flexible(
                "by",
                20,
                longest(&|i| {
                    i.actor.as_ref().map_or(15, |a| a.chars().count())
                        + i.culprit.chars().count()
                        + 3
                })
                .min(48),
                7,
            ),
            Column::flexible(
                "false flag",
                12,
                longest(&|i| i.false_flag.as_ref().map_or(0, |s| s.chars().count() + 2)),
                6,
            ),
            Column::flexible("target", 10, usize::MAX, 3),
        ],
        width,
    )
}

/// Every incident: when it started, its phase, who really did it, the false flag, the target.
/// A table whose headings stay while it scrolls to the selected incident.
fn draw_incidents(frame: &mut Frame, f: &FacilitatorView, selected: Option<usize>, area: Rect) {
    let widths = truth_columns(f, usize::from(area.width.saturating_sub(2)));
    let headings = ["start", "incident", "phase", "by", "false flag", "target"].map(String::from);
    let header = Row::new(fitted_cells(headings, &widths));
    let rows: Vec<Row> = f
        .incidents
        .iter()
        .map(|i| {
            let phase = match i.phase {
                Phase::Latent => "LATENT",
                Phase::Detected => "detected",
                Phase::Contained => "contained",
                Phase::Recovered => "recovered",
            };
            let by = format!(
                "{} ({})",
                i.actor.clone().unwrap_or_else(|| "state operation".into()),
                i.culprit
            );
            let flag = i
                .false_flag
                .as_ref()
                .map_or(String::new(), |s| format!("→ {s}"));
            Row::new(fitted_cells(
                [
                    hhmm_span(i.start_minute),
                    i.id.clone(),
                    phase.to_string(),
                    by,
                    flag,
                    i.target.clone(),
                ],
                &widths,
            ))
        })
        .collect();
    table_selecting(
        frame,
        header,
        rows,
        &widths,
        &incidents_title(f, area),
        selected,
        area,
    );
}

/// The incidents box's title; it says how many there are when they do not all fit.
fn incidents_title(f: &FacilitatorView, area: Rect) -> String {
    // The borders and the headings take three rows.
    let rows = usize::from(area.height.saturating_sub(3));
    if f.incidents.len() > rows {
        format!(
            "Incidents: the truth ({rows} of {} shown · ↓ to scroll)",
            f.incidents.len()
        )
    } else {
        "Incidents: the truth".to_string()
    }
}

/// One line per objective: status, title and, once decided, why.
fn objective_items(objectives: &[ObjectiveView]) -> Vec<ListItem<'static>> {
    objectives
        .iter()
        .map(|o| {
            let reason = o
                .reason
                .as_ref()
                .map_or(String::new(), |r| format!(" — {r}"));
            ListItem::new(format!("{:<9} {}{reason}", status_words(o.status), o.title))
        })
        .collect()
}

/// The assets box's title; it says how many there are, and how to see the rest, when they
/// do not all fit.
fn assets_title(f: &FacilitatorView, area: Rect) -> String {
    // The borders and the headings take three rows.
    let rows = usize::from(area.height.saturating_sub(3));
    if f.assets.len() > rows {
        format!(
            "Every asset: how far out of service ({rows} of {} shown · ↓ to scroll)",
            f.assets.len()
        )
    } else {
        "Every asset: how far out of service".to_string()
    }
}

/// Every asset of the region, with how far out of service it is, in columns sized to the
/// width: the name and the state are cut only when the row is full. A table whose headings
/// stay while the selected asset (if any) is highlighted and scrolled into view.
fn draw_assets(frame: &mut Frame, f: &FacilitatorView, selected: Option<usize>, area: Rect) {
    let longest = |g: &dyn Fn(&AssetTruth) -> usize| f.assets.iter().map(g).max().unwrap_or(0);
    let widths = fit(
        &[
            Column::flexible("", 4, 20, 3),
            Column::exact("out", 4, 9),
            Column::flexible("asset", 16, longest(&|a| a.name.chars().count()), 8),
            Column::flexible("state", 10, longest(&|a| a.state.chars().count()), 5),
            Column::exact("sector", longest(&|a| format!("{:?}", a.sector).len()), 6),
        ],
        usize::from(area.width.saturating_sub(2)),
    );
    // Headings as the Situation's: the percentage's, right-aligned, says what the bar shows.
    let header = Row::new(fitted_cells(
        ["", " out", "asset", "state", "sector"].map(String::from),
        &widths,
    ));
    let rows: Vec<Row> = f
        .assets
        .iter()
        .map(|a| {
            Row::new(fitted_cells(
                [
                    bar(a.inoperability, widths[0].unwrap_or(0)),
                    format!("{:>3.0}%", a.inoperability * 100.0),
                    a.name.clone(),
                    a.state.clone(),
                    format!("{:?}", a.sector),
                ],
                &widths,
            ))
        })
        .collect();
    let title = assets_title(f, area);
    table_selecting(frame, header, rows, &widths, &title, selected, area);
}
