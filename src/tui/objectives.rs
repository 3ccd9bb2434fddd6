//! The Objectives tab: what each team is asked to achieve (a team sees its own and the
//! exercise-wide ones, the facilitator every team's), each with its deadline or condition in
//! plain words, its status now and, once decided, when and why.

use super::app::App;
use super::tab::Tab;
use super::text::wrap;
use crate::sim::view::{ObjectiveStatus, ObjectiveView, hhmm_span};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

/// An objective's status in words: open, met or missed.
pub fn status_words(status: ObjectiveStatus) -> &'static str {
    match status {
        ObjectiveStatus::Met => "✓ met",
        ObjectiveStatus::Missed => "✗ missed",
        ObjectiveStatus::Open => "· open",
    }
}

/// The lines of one objective: its status and title, what it asks, and the outcome.
fn objective_lines(
    o: &ObjectiveView,
    owner: Option<&str>,
    width: usize,
    selected: bool,
) -> Vec<Line<'static>> {
    let colour = match o.status {
        ObjectiveStatus::Met => Color::Green,
        ObjectiveStatus::Missed => Color::Red,
        ObjectiveStatus::Open => Color::Reset,
    };
    let mut title = Style::new().bold().fg(colour);
    if selected {
        title = title.reversed();
    }
    let lead = format!("{:<9}", status_words(o.status));
    let mut lines = wrap(&lead, &o.title, width, title);
    let pad = " ".repeat(9);
    if let Some(owner) = owner {
        lines.extend(wrap(
            &pad,
            &format!("for {owner}"),
            width,
            Style::new().dim(),
        ));
    }
    lines.extend(wrap(&format!("{pad}asks: "), &o.aim, width, Style::new()));
    let outcome = match (o.status, o.decided_minute, &o.reason) {
        (ObjectiveStatus::Open, _, _) => Some("not decided yet".to_string()),
        (s, m, r) => Some(format!(
            "{} {}{}",
            if s == ObjectiveStatus::Met {
                "met at"
            } else {
                "missed at"
            },
            m.map_or("—".into(), hhmm_span),
            r.as_ref().map_or(String::new(), |r| format!(": {r}"))
        )),
    };
    if let Some(text) = outcome {
        let style = if o.status == ObjectiveStatus::Open {
            Style::new().dim()
        } else {
            Style::new().fg(colour)
        };
        lines.extend(wrap(&pad, &text, width, style));
    }
    lines.push(Line::from(""));
    lines
}

/// The objectives as a scrolling list, the selected one kept on screen.
fn draw_list(
    frame: &mut Frame,
    objectives: &[(ObjectiveView, Option<String>)],
    cursor: usize,
    title: String,
    area: Rect,
) {
    let width = usize::from(area.width.saturating_sub(2));
    let mut lines: Vec<Line> = Vec::new();
    let mut shown = (0, 0);
    if objectives.is_empty() {
        lines.push(Line::from(
            "No objective is set for this team in this scenario.",
        ));
    }
    let selected = cursor.min(objectives.len().saturating_sub(1));
    for (n, (o, owner)) in objectives.iter().enumerate() {
        let start = lines.len();
        lines.extend(objective_lines(o, owner.as_deref(), width, n == selected));
        if n == selected {
            shown = (start, lines.len());
        }
    }
    let height = usize::from(area.height.saturating_sub(2));
    let scroll = shown.1.saturating_sub(height).min(shown.0);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll as u16, 0))
            .block(Block::bordered().title(title)),
        area,
    );
}

/// A summary for a title: `2 open · 1 met · 1 missed`.
pub fn tally(objectives: &[ObjectiveView]) -> String {
    let count = |s: ObjectiveStatus| objectives.iter().filter(|o| o.status == s).count();
    format!(
        "{} open · {} met · {} missed",
        count(ObjectiveStatus::Open),
        count(ObjectiveStatus::Met),
        count(ObjectiveStatus::Missed)
    )
}

/// The player's Objectives tab.
pub fn draw_player(frame: &mut Frame, app: &App, area: Rect) {
    let Some(v) = &app.view else { return };
    let rows: Vec<(ObjectiveView, Option<String>)> = v
        .objectives
        .iter()
        .map(|o| {
            let owner = match &o.team {
                Some(_) => None,
                None => Some("every team (exercise-wide)".to_string()),
            };
            (o.clone(), owner)
        })
        .collect();
    let title = format!("Our objectives: {} (w: why)", tally(&v.objectives));
    draw_list(frame, &rows, app.cursor_of(Tab::Objectives), title, area);
}

/// The facilitator's Objectives tab: every objective, with the team it is set for.
pub fn draw_facilitator(frame: &mut Frame, app: &App, area: Rect) {
    let Some(f) = &app.facilitator else { return };
    let rows: Vec<(ObjectiveView, Option<String>)> = f
        .objectives
        .iter()
        .map(|o| {
            let team = o.team.clone().unwrap_or_else(|| "every team".into());
            (o.clone(), Some(team))
        })
        .collect();
    let title = format!("Every team's objectives: {} (w: why)", tally(&f.objectives));
    draw_list(frame, &rows, app.cursor_of(Tab::Objectives), title, area);
}
