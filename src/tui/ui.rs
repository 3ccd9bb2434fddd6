//! Drawing: a pure function of the app state. This file draws the frame around the tabs
//! (header, tabs bar, status line, footer) and hands the body to the file of the tab on
//! screen and each open popup to its own file.

use super::app::{App, Role};
use super::tab::Tab;
use super::text::{cells, cut};
use crate::sim::view::hhmm_span;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs, Wrap};

/// The smallest terminal the screens are laid out for.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "cyberdrill needs a terminal of at least {MIN_WIDTH}×{MIN_HEIGHT}.\nThis one is {}×{}: please enlarge it.\n\nq quits.",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let [header, tabs, body, status, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(frame, app, header);
    let titles: Vec<String> = app
        .tabs()
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{} {}", i + 1, t.title()))
        .collect();
    let wide: usize = titles.iter().map(|t| t.chars().count() + 3).sum();
    let bar = Tabs::new(titles)
        .select(app.tab)
        .highlight_style(Style::new().reversed());
    // At 80 columns the tabs lose their padding rather than their names.
    let bar = if wide > usize::from(tabs.width) {
        bar.padding("", "").divider("│")
    } else {
        bar
    };
    frame.render_widget(bar, tabs);
    draw_body(frame, app, body);
    frame.render_widget(
        Paragraph::new(app.status.as_str()).style(Style::new().fg(Color::Yellow)),
        status,
    );
    frame.render_widget(
        Paragraph::new(super::footer::text(app, usize::from(footer.width)))
            .style(Style::new().dim()),
        footer,
    );
    // The popups, over the tab, in the order they stack.
    if let (Some(c), Some(view)) = (&app.composer, &app.view) {
        super::composer_view::draw(frame, c, view, area);
    }
    if app.adhoc.is_some() {
        super::adhoc::draw(frame, app, area);
    }
    if let Some(form) = &app.decision {
        super::decision::draw(frame, app, form, area);
    }
    if app.why.is_some() {
        super::why::draw(frame, app, area);
    }
    if app.preview.is_some() {
        super::injects::draw_preview(frame, app, area);
    }
    if app.confirm.is_some() {
        super::injects::draw_confirm(frame, app, area);
    }
    if app.question.is_some() {
        super::question::draw(frame, app, area);
    }
    if app.help {
        super::help::draw(frame, app, area);
    }
}

fn draw_header(frame: &mut Frame, app: &App, area: Rect) {
    let minute = app.clock.tick * app.clock.tick_minutes;
    let end = app.clock.end_tick * app.clock.tick_minutes;
    let clock = if app.clock.over {
        "■ ENDED".to_string()
    } else if app.clock.paused {
        "⏸ PAUSED".to_string()
    } else {
        format!("▶ {} min/s", app.pace_minutes())
    };
    let (who, title, local) = match (&app.role, &app.view) {
        (Role::Team(_), Some(v)) => (
            format!("{} · {}", v.team_name, v.state_name),
            v.title.clone(),
            format!(
                "local {} (UTC{})",
                v.local_time,
                offset(v.utc_offset_minutes)
            ),
        ),
        _ => (
            "FACILITATOR (ground truth)".to_string(),
            app.facilitator
                .as_ref()
                .map_or(String::new(), |f| f.title.clone()),
            String::new(),
        ),
    };
    // Who is at this screen matters more than the scenario's title: at 80 columns the title
    // gives way first.
    let room = usize::from(area.width).saturating_sub(cells(&who) + 5);
    let title = if cells(&title) > room && room >= 12 {
        cut(&title, room)
    } else {
        title
    };
    let line1 = Line::from(vec![
        Span::styled(title, Style::new().bold()),
        Span::raw("  ·  "),
        Span::styled(who, Style::new().fg(Color::Cyan)),
    ]);
    let parts: Vec<String> = [
        format!("{} of {}", hhmm_span(minute), hhmm_span(end)),
        local,
        clock,
    ]
    .into_iter()
    .filter(|p| !p.is_empty())
    .collect();
    let line2 = Line::from(parts.join("  ·  "));
    frame.render_widget(Paragraph::new(vec![line1, line2]), area);
}

fn offset(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.unsigned_abs();
    if m.is_multiple_of(60) {
        format!("{sign}{}", m / 60)
    } else {
        format!("{sign}{}:{:02}", m / 60, m % 60)
    }
}

/// The tab on screen. A team's tabs draw its view; the facilitator's draw the ground truth.
fn draw_body(frame: &mut Frame, app: &App, area: Rect) {
    let view = match (&app.role, app.view.as_deref()) {
        (Role::Team(_), Some(view)) => Some(view),
        (Role::Team(t), None) => {
            frame.render_widget(Paragraph::new(format!("no team `{t}`")), area);
            return;
        }
        (Role::Facilitator, _) if app.facilitator.is_none() => return,
        (Role::Facilitator, _) => None,
    };
    match (app.screen(), view) {
        (Tab::Inbox, Some(v)) => super::inbox::draw(frame, app, v, area),
        (Tab::Situation, Some(v)) => super::situation::draw(frame, app, v, area),
        (Tab::Directory, Some(v)) => super::directory::draw(frame, app, v, area),
        (Tab::Relations, Some(v)) => super::ladder::draw_relations(frame, app, v, area),
        (Tab::Sent, Some(v)) => super::sent::draw(frame, app, v, area),
        (Tab::Timeline, _) => super::timeline::draw(frame, app, area),
        (Tab::Objectives, Some(_)) => super::objectives::draw_player(frame, app, area),
        (Tab::Objectives, None) => super::objectives::draw_facilitator(frame, app, area),
        (Tab::GroundTruth, _) => super::ground_truth::draw(frame, app, area),
        (Tab::Escalation, _) => {
            if let Some(f) = &app.facilitator {
                super::ladder::draw_escalation(frame, app, f, area)
            }
        }
        (Tab::Injects, _) => super::injects::draw(frame, app, area),
        (Tab::TeamScreens, _) => super::team_screens::draw(frame, app, area),
        // A team's tab without its view: nothing to draw.
        (_, None) => {}
    }
}
