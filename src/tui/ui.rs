//! Drawing: a pure function of the app state. One function per screen area.

use super::app::{App, FACILITATOR_OBJECTIVES, Role, Row, WhyTarget};
use super::composer::{Field, Stage};
use super::ladder::rung_label;
use super::objectives::status_words;
use super::situation::row_text;
use super::situation::{NO_SUSPECT, incident_heading};
use super::text::{Column, bar, cut, fit, wrap};
use crate::sim::Phase;
use crate::sim::view::{FacilitatorView, ObjectiveView, TeamView, hhmm_span, rung_name};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Cell, Clear, List, ListItem, ListState, Paragraph, Row as TableRow, Table, TableState,
    Tabs, Wrap,
};

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
        .map(|(i, t)| format!("{} {t}", i + 1))
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
    match (&app.role, app.view.as_ref()) {
        (Role::Team(_), Some(view)) => draw_player(frame, app, view, body),
        (Role::Facilitator, _) => draw_facilitator(frame, app, body),
        (Role::Team(t), None) => {
            frame.render_widget(Paragraph::new(format!("no team `{t}`")), body)
        }
    }
    frame.render_widget(
        Paragraph::new(app.status.as_str()).style(Style::new().fg(Color::Yellow)),
        status,
    );
    frame.render_widget(
        Paragraph::new(super::footer::text(app, usize::from(footer.width)))
            .style(Style::new().dim()),
        footer,
    );
    if let (Some(c), Some(view)) = (&app.composer, &app.view) {
        draw_composer(frame, c, view, area);
    }
    if app.adhoc.is_some() {
        draw_adhoc(frame, app, area);
    }
    if app.why.is_some() {
        draw_why(frame, app, area);
    }
    if app.preview.is_some() {
        draw_preview(frame, app, area);
    }
    if app.confirm.is_some() {
        draw_confirm(frame, app, area);
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

fn list<'a>(
    items: Vec<ListItem<'a>>,
    title: &'a str,
    selected: usize,
    frame: &mut Frame,
    area: Rect,
) {
    list_selecting(items, title, Some(selected), frame, area);
}

/// A list with at most one highlighted row (none when the cursor is in another section).
fn list_selecting<'a>(
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

fn draw_player(frame: &mut Frame, app: &App, view: &TeamView, area: Rect) {
    let cursor = app.cursor[app.tab.min(6)];
    match app.tab {
        0 => super::inbox::draw(frame, app, view, area),
        1 => super::situation::draw(frame, app, view, area),
        2 => super::directory::draw(frame, app, view, area),
        3 => super::ladder::draw_relations(frame, app, view, area),
        4 => super::sent::draw(frame, app, view, area),
        5 => {
            let items = timeline_items(&view.timeline, area.width);
            // The cursor counts back from the newest entry (see `App::on_timeline`).
            let selected = items.len().saturating_sub(1).saturating_sub(cursor);
            list(
                items,
                "Timeline (what our team has seen)",
                selected,
                frame,
                area,
            );
        }
        _ => super::objectives::draw_player(frame, app, area),
    }
}

/// A timeline's entries, each wrapped under its time to the width of a bordered list.
fn timeline_items(timeline: &[(u32, String)], width: u16) -> Vec<ListItem<'static>> {
    let width = usize::from(width.saturating_sub(2));
    timeline
        .iter()
        .map(|(m, t)| ListItem::new(wrap(&format!("{} ", hhmm_span(*m)), t, width, Style::new())))
        .collect()
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
            ListItem::new(format!(
                "{:<9} {}{reason}",
                status_words(&o.status),
                o.title
            ))
        })
        .collect()
}

fn draw_facilitator(frame: &mut Frame, app: &App, area: Rect) {
    let Some(f) = &app.facilitator else { return };
    let cursor = app.cursor[app.tab.min(6)];
    match app.tab {
        0 => {
            // The incidents, the objectives (one line each, `w` for the reason), the assets.
            let objectives_height = if f.objectives.is_empty() {
                0
            } else {
                (f.objectives.len() as u16 + 2).min(area.height * 3 / 10)
            };
            let [top, middle, bottom] = Layout::vertical([
                Constraint::Length((f.incidents.len() as u16 + 2).min(area.height * 7 / 20)),
                Constraint::Length(objectives_height),
                Constraint::Fill(1),
            ])
            .areas(area);
            let (incident, objective) = match app.ground_truth_row() {
                Row::Incident(i) => (Some(i), None),
                Row::Objective(i) => (None, Some(i)),
                _ => (None, None),
            };
            // Who did it and the false flag matter most; the target gives way first.
            let longest = |g: &dyn Fn(&crate::sim::view::IncidentTruth) -> usize| {
                f.incidents.iter().map(g).max().unwrap_or(0)
            };
            let truth_widths = fit(
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
                usize::from(top.width.saturating_sub(2)),
            );
            let items: Vec<ListItem> = f
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
                    ListItem::new(row_text(
                        &[
                            hhmm_span(i.start_minute),
                            i.id.clone(),
                            phase.to_string(),
                            by,
                            flag,
                            i.target.clone(),
                        ],
                        &truth_widths,
                    ))
                })
                .collect();
            list_selecting(items, "Incidents: the truth", incident, frame, top);
            if !f.objectives.is_empty() {
                list_selecting(
                    objective_items(&f.objectives),
                    "Objectives (w: why)",
                    objective,
                    frame,
                    middle,
                );
            }
            let width = 20;
            let assets: Vec<ListItem> = f
                .assets
                .iter()
                .map(|a| {
                    ListItem::new(format!(
                        "{} {:>3.0}% {:<30} {:<10} {:?}",
                        bar(a.inoperability, width),
                        a.inoperability * 100.0,
                        cut(&a.name, 30),
                        cut(&a.state, 10),
                        a.sector
                    ))
                })
                .collect();
            frame.render_widget(
                List::new(assets).block(Block::bordered().title("Every asset (inoperability)")),
                bottom,
            );
        }
        1 => super::ladder::draw_escalation(frame, app, f, area),
        2 => draw_inject_queue(frame, f, cursor, area),
        FACILITATOR_OBJECTIVES => super::objectives::draw_facilitator(frame, app, area),
        3 => {
            let items = timeline_items(&f.timeline, area.width);
            // The cursor counts back from the newest entry (see `App::on_timeline`).
            let selected = items.len().saturating_sub(1).saturating_sub(cursor);
            list(
                items,
                "Timeline: everything that happened",
                selected,
                frame,
                area,
            );
        }
        _ => {
            let [left, right] =
                Layout::horizontal([Constraint::Length(28), Constraint::Fill(1)]).areas(area);
            let items: Vec<ListItem> = app
                .teams
                .iter()
                .enumerate()
                .map(|(i, (id, name))| {
                    // In `serve`, who is connected: sessions per team, or the engine plays it.
                    let online = match app.online.get(id) {
                        _ if app.online.is_empty() => String::new(),
                        Some(0) => " ○ nobody".to_string(),
                        Some(n) => format!(" ● {n} online"),
                        None => " (engine)".to_string(),
                    };
                    let mark = if i == app.peek { "▶ " } else { "  " };
                    ListItem::new(format!("{mark}{name}{online}"))
                })
                .collect();
            let [left, right] = if app.online.is_empty() {
                [left, right]
            } else {
                Layout::horizontal([Constraint::Length(42), Constraint::Fill(1)]).areas(area)
            };
            list(items, "Teams", cursor, frame, left);
            if let Some(v) = &app.view {
                let mut lines = vec![Line::from(Span::styled(
                    format!("{} sees ({} local):", v.team_name, v.local_time),
                    Style::new().bold(),
                ))];
                lines.push(Line::from(format!(
                    "Inbox: {} messages, {} unacknowledged",
                    v.inbox.len(),
                    v.inbox.iter().filter(|m| !m.acknowledged).count()
                )));
                for i in &v.incidents {
                    let top = i
                        .beliefs
                        .first()
                        .map_or(" — no clear suspect".into(), |(w, p)| {
                            format!(" — suspects {w} {:.0}%", p * 100.0)
                        });
                    lines.push(Line::from(format!("Incident {}{top}", i.id)));
                }
                for r in v.relations.iter().filter(|r| r.tension >= 0.3) {
                    lines.push(Line::from(format!(
                        "Tension towards {}: {:.2} ({})",
                        r.name,
                        r.tension,
                        rung_label(r.rung)
                    )));
                }
                lines.push(Line::from(""));
                lines.push(Line::from(Span::styled(
                    "Latest on their timeline:",
                    Style::new().bold(),
                )));
                for (m, t) in v.timeline.iter().rev().take(12) {
                    lines.push(Line::from(format!("{} {t}", hhmm_span(*m))));
                }
                frame.render_widget(
                    Paragraph::new(lines)
                        .wrap(Wrap { trim: true })
                        .block(Block::bordered().title("Their screen, as they see it")),
                    right,
                );
            }
        }
    }
}

/// The inject queue as a table sorted by time: each inject's earliest time (its schedule, or
/// its delay), id, kind, condition (in words where there is room) and status.
fn draw_inject_queue(frame: &mut Frame, f: &FacilitatorView, cursor: usize, area: Rect) {
    let inner = usize::from(area.width.saturating_sub(2));
    const TIME: usize = 6;
    const KIND: usize = 12;
    const STATUS: usize = 18;
    // Column gaps (four) and the fixed columns; the id and the condition share the rest.
    let rest = inner.saturating_sub(TIME + KIND + STATUS + 4);
    let (id_width, condition_width, words) = if rest >= 30 + 24 {
        (30, rest - 30, true)
    } else {
        (rest.saturating_sub(12).max(8), 11, false)
    };
    let rows: Vec<TableRow> = f
        .injects
        .iter()
        .map(|i| {
            let condition = match &i.condition {
                None => String::new(),
                Some(c) if words => cut(&format!("if {c}"), condition_width),
                Some(_) => "conditional".to_string(),
            };
            let done = i.fired_minute.is_some() || i.skipped || i.status.starts_with("lapsed");
            let row = TableRow::new([
                Cell::from(i.earliest_minute.map_or("  —".to_string(), hhmm_span)),
                Cell::from(cut(&i.id, id_width)),
                Cell::from(i.kind.clone()),
                Cell::from(condition),
                Cell::from(i.status.clone()),
            ]);
            if done { row.dim() } else { row }
        })
        .collect();
    let header = TableRow::new(["time", "inject", "kind", "condition", "status"])
        .style(Style::new().bold().underlined());
    let count = rows.len();
    let mut state = TableState::default().with_selected((count > 0).then(|| cursor.min(count - 1)));
    let table = Table::new(
        rows,
        [
            Constraint::Length(TIME as u16),
            Constraint::Length(id_width as u16),
            Constraint::Length(KIND as u16),
            Constraint::Length(condition_width as u16),
            Constraint::Fill(1),
        ],
    )
    .header(header)
    .block(
        Block::bordered()
            .title("Inject queue by time (Enter preview · f fire now · d delay 30 min · s skip)"),
    )
    .row_highlight_style(Style::new().reversed());
    frame.render_stateful_widget(table, area, &mut state);
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn draw_composer(frame: &mut Frame, c: &super::composer::Composer, view: &TeamView, area: Rect) {
    let popup = centered(area, 100, 22);
    frame.render_widget(Clear, popup);
    let action = super::composer::ACTIONS[c.action].0;
    let (title, prompt) = match (&c.stage, c.field()) {
        (Stage::ChooseAction, _) => (
            "Compose: choose an action".to_string(),
            "↑/↓ choose · Enter next · Esc cancel".to_string(),
        ),
        (Stage::Confirm, _) => (
            format!("Compose: {action} — confirm"),
            "Enter send · Esc back".to_string(),
        ),
        (_, Some(Field::Contacts { multi: true })) => (
            format!("{action}: to whom?"),
            "type to filter · space mark several · Enter next · Esc back".to_string(),
        ),
        (_, Some(Field::Contacts { .. })) => (
            format!("{action}: to whom?"),
            "type to filter · Enter choose · Esc back".to_string(),
        ),
        (_, Some(Field::Text)) => (
            format!("{action}: your words"),
            "type the text · Enter next · Esc back".to_string(),
        ),
        (_, Some(Field::Incident { .. })) => (
            format!("{action}: which incident?"),
            "Enter choose · Esc back".to_string(),
        ),
        (_, Some(Field::Level)) => (
            format!(
                "{action}: sharing level (TLP says how far they may pass it on; it is a label, not a delay)"
            ),
            "Enter choose · Esc back".to_string(),
        ),
        (_, Some(Field::Alert)) => (
            format!("{action}: how hard our organisations watch"),
            "Enter choose · Esc back".to_string(),
        ),
        _ => (
            format!("{action}: choose"),
            "type to filter · Enter choose · Esc back".to_string(),
        ),
    };
    let block = Block::bordered()
        .title(title)
        .title_bottom(prompt)
        .style(Style::new().bg(Color::Black));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    match (&c.stage, c.field()) {
        (Stage::Confirm, _) => {
            let mut lines = vec![
                Line::from(Span::styled(
                    describe_command(&c.command(), view),
                    Style::new().bold(),
                )),
                Line::from(""),
            ];
            let route = c.route(view);
            if !route.is_empty() {
                lines.push(Line::from("How it will travel:"));
                for r in route {
                    lines.push(Line::from(format!("  → {r}")));
                }
            }
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
        }
        (_, Some(Field::Text)) => {
            let text = format!("{}▏\n\n(Enter when done; it may be empty.)", c.text);
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
        }
        _ => {
            let [filter, rest] =
                Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
            frame.render_widget(
                Paragraph::new(format!("filter: {}▏", c.filter)).dim(),
                filter,
            );
            let choices = c.choices(view);
            let empty = choices.is_empty();
            let items: Vec<ListItem> = choices
                .into_iter()
                .map(|ch| ListItem::new(ch.label))
                .collect();
            let mut state = ListState::default().with_selected((!empty).then_some(c.cursor));
            let list = if empty {
                List::new(vec![ListItem::new(c.nothing_to_choose())])
            } else {
                List::new(items).highlight_style(Style::new().reversed())
            };
            frame.render_stateful_widget(list, rest, &mut state);
        }
    }
}

/// A one-line description of a command, for the confirm screen, in the names the team reads
/// (contacts, states and assets by name, never by id).
pub fn describe_command(command: &crate::sim::Command, view: &TeamView) -> String {
    use crate::sim::Command::*;
    let contact = |id: &str| {
        view.directory
            .iter()
            .find(|c| c.id == id)
            .map_or(id.to_string(), |c| {
                format!("{}, {}", c.name, c.organisation)
            })
    };
    let contacts = |ids: &[String]| {
        ids.iter()
            .map(|i| contact(i))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let state = |id: &str| {
        view.relations
            .iter()
            .find(|r| r.state == id)
            .map(|r| r.name.clone())
            .or_else(|| {
                view.groups
                    .iter()
                    .find(|(g, _)| g == id)
                    .map(|(_, n)| n.clone())
            })
            .unwrap_or_else(|| match id {
                "non-state" => "an unknown non-state actor".to_string(),
                _ => id.to_string(),
            })
    };
    let asset = |id: &str| {
        view.assets
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.clone())
            .or_else(|| {
                view.foreign_assets
                    .iter()
                    .find(|(a, ..)| a == id)
                    .map(|(_, name, st, _)| format!("{name} ({st})"))
            })
            .unwrap_or_else(|| id.to_string())
    };
    match command {
        Notify { to, incident, text } => format!(
            "Notify {} about {}: “{text}”",
            contacts(to),
            incident.as_deref().unwrap_or("(no particular incident)")
        ),
        ShareEvidence {
            to,
            incident,
            level,
        } => format!(
            "Share our evidence on {incident} with {} at {}",
            contacts(to),
            super::inbox::tlp_words(*level)
        ),
        RequestAssistance { to, incident } => {
            format!("Ask {} for assistance with {incident}", contact(to))
        }
        RequestConsultation { to, text } => {
            format!("Request consultations with {}: “{text}”", contact(to))
        }
        Acknowledge { message } => format!("Acknowledge message #{message}"),
        Demarche { to, text } => {
            format!("Deliver a démarche through {}: “{text}”", contact(to))
        }
        PublicAttribution { incident, blame } => {
            format!("Publicly attribute {incident} to {}", state(blame))
        }
        RestraintStatement { text } => format!("Issue a statement of restraint: “{text}”"),
        HotlineCall { state: s } => format!("Call {} on the hotline", state(s)),
        ConveneRegional { incident } => format!(
            "Convene regional coordination{}",
            incident
                .as_ref()
                .map_or(String::new(), |i| format!(" on {i}"))
        ),
        RequestTakedown { to, incident } => format!(
            "Ask {} to take down infrastructure used in {incident}",
            contact(to)
        ),
        Retaliate { target } => format!("RETALIATE: a cyber operation against {}", asset(target)),
        Isolate { asset: a } => format!("Isolate {} from the network", asset(a)),
        Restore { asset: a } => format!("Restore {} to service", asset(a)),
        RaiseAlert { level } => format!(
            "Set our alert level to {level}: our watchers detect {}% faster than at level 0",
            u32::from(*level) * 25
        ),
    }
}

fn draw_adhoc(frame: &mut Frame, app: &App, area: Rect) {
    let Some(a) = &app.adhoc else { return };
    let popup = centered(area, 80, 14);
    frame.render_widget(Clear, popup);
    let mut lines = vec![
        Line::from("Send a message or discussion question to a team (Esc cancels)"),
        Line::from(""),
    ];
    for (i, (_, name)) in app.teams.iter().enumerate() {
        let mark = if i == a.team { "▶" } else { " " };
        lines.push(Line::from(format!("{mark} {name}")));
    }
    lines.push(Line::from(""));
    let cursor = |stage: u8| if a.stage == stage { "▏" } else { "" };
    lines.push(Line::from(format!("Subject: {}{}", a.subject, cursor(1))));
    lines.push(Line::from(format!("Text:    {}{}", a.body, cursor(2))));
    let hint = match a.stage {
        0 => "↑/↓ team · Enter next",
        1 => "type the subject · Enter next",
        _ => "type the text · Enter send",
    };
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title("Message from exercise control")
                .title_bottom(hint),
        ),
        popup,
    );
}

/// What the why popup shows: a title, the lines that describe the row now, and the causes,
/// oldest first (each a block of wrapped lines), with what to say when there are none.
struct Why {
    title: String,
    head: Vec<Line<'static>>,
    causes_title: &'static str,
    causes: Vec<Vec<Line<'static>>>,
    none: &'static str,
}

fn why_of(app: &App, target: &WhyTarget, width: usize) -> Option<Why> {
    let bold = Style::new().bold();
    let plain = Style::new();
    let cause =
        |minute: u32, text: &str| wrap(&format!("{} ", hhmm_span(minute)), text, width, plain);
    let objective = |o: &ObjectiveView, facilitator: bool| {
        let mut head = wrap("", &o.title, width, bold);
        if facilitator {
            head.push(Line::from(format!("id {}", o.id)).dim());
        }
        head.push(Line::from(format!("Status: {}", status_words(&o.status))));
        Why {
            title: "Why: objective".into(),
            head,
            causes_title: "Why",
            causes: o.reason.iter().map(|r| wrap("", r, width, plain)).collect(),
            none: "Not decided yet.",
        }
    };
    let team = app.view.as_deref();
    let truth = app.facilitator.as_deref();
    Some(match target {
        WhyTarget::Incident(id) => {
            let i = team?.incidents.iter().find(|i| &i.id == id)?;
            let mut head = wrap("", &incident_heading(i), width, bold);
            head.push(Line::from(""));
            head.push(Line::from(Span::styled("Who we believe did it", bold)));
            if i.beliefs.is_empty() {
                head.extend(wrap("  ", NO_SUSPECT, width, plain));
            }
            // The five likeliest; the long tail of barely-suspected candidates is summed.
            for (who, p) in i.beliefs.iter().take(5) {
                head.push(Line::from(format!(
                    "  {} {:>5.1}%  {who}",
                    bar(*p, 20),
                    p * 100.0
                )));
            }
            if i.beliefs.len() > 5 {
                let rest = &i.beliefs[5..];
                let p: f64 = rest.iter().map(|(_, p)| p).sum();
                head.push(Line::from(format!(
                    "  {} {:>5.1}%  {} others",
                    " ".repeat(20),
                    p * 100.0,
                    rest.len()
                )));
            }
            Why {
                title: format!("Why: incident {}", i.id),
                head,
                causes_title: "How our assessment changed, and the evidence that moved it",
                causes: i.why.iter().map(|(m, t)| cause(*m, t)).collect(),
                none: "No change yet.",
            }
        }
        WhyTarget::Relation(n) => {
            let r = team?.relations.get(*n)?;
            let head = wrap(
                "",
                &format!(
                    "Rung: {} ({}) · our tension towards them {} {:.2}{}",
                    rung_label(r.rung),
                    rung_name(r.rung),
                    bar(r.tension, 10),
                    r.tension,
                    if r.hotline { " · hotline ☎" } else { "" }
                ),
                width,
                plain,
            );
            Why {
                title: format!("Why: relations with {}", r.name),
                head,
                causes_title: "Why it is at this rung: the cause of its last change",
                causes: r.why.iter().map(|(m, t)| cause(*m, t)).collect(),
                none: "No change of rung yet: relations are where the exercise began.",
            }
        }
        WhyTarget::Objective(n) => objective(team?.objectives.get(*n)?, false),
        WhyTarget::ExerciseObjective(n) => objective(truth?.objectives.get(*n)?, true),
        WhyTarget::Pair(n) => {
            let f = truth?;
            let p = f.pairs.get(*n)?;
            let mut head = vec![Line::from(Span::styled(format!("{} – {}", p.a, p.b), bold))];
            head.extend(wrap(
                "",
                &format!(
                    "Rung: {} ({}) · peak {}{}",
                    rung_label(p.rung),
                    rung_name(p.rung),
                    rung_label(p.peak),
                    if p.hotline { " · hotline ☎" } else { "" }
                ),
                width,
                plain,
            ));
            head.extend(wrap(
                "",
                &format!(
                    "Tension: {} towards {} {:.2} · {} towards {} {:.2}",
                    p.a, p.b, p.a_to_b, p.b, p.a, p.b_to_a
                ),
                width,
                plain,
            ));
            Why {
                title: "Why: the rung of a pair".into(),
                head,
                causes_title: "Its rung changes, oldest first (from the timeline)",
                causes: pair_changes(f, &p.a, &p.b)
                    .map(|(m, t)| cause(m, t))
                    .collect(),
                none: "No change of rung yet: the pair is where the exercise began.",
            }
        }
    })
}

/// A pair's rung changes, read from the facilitator's timeline (`A–B: from → to (why: …)`),
/// without the pair's names.
fn pair_changes<'a>(
    f: &'a FacilitatorView,
    a: &str,
    b: &str,
) -> impl Iterator<Item = (u32, &'a str)> + 'a {
    let prefixes = [format!("{a}–{b}: "), format!("{b}–{a}: ")];
    f.timeline.iter().filter_map(move |(m, line)| {
        prefixes
            .iter()
            .find_map(|p| line.strip_prefix(p.as_str()))
            .map(|rest| (*m, rest))
    })
}

/// The preview of an inject (Enter on the Injects tab): what it is, when and on what
/// condition it fires, whom it reaches and what it says, wrapped to fit; what does not fit
/// is cut with a last line saying so.
fn draw_preview(frame: &mut Frame, app: &App, area: Rect) {
    let Some(id) = &app.preview else { return };
    let width = 100.min(area.width.saturating_sub(2));
    let inner = usize::from(width.saturating_sub(2));
    let keys = "Esc close · ↑/↓ previous/next · f fire · d delay 30 min · s skip";
    let Some(i) = app.inject_row(id) else {
        let popup = centered(area, width, 3);
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new("That inject is no longer there.")
                .block(Block::bordered().title("Inject").title_bottom("Esc close")),
            popup,
        );
        return;
    };
    let plain = Style::new();
    let field = |label: &str, text: &str| wrap(&format!("{label:<11} "), text, inner, plain);
    let mut lines = wrap("", &i.summary, inner, Style::new().bold());
    lines.push(Line::from(""));
    lines.extend(field("Kind", &i.kind));
    let time = match (i.at_minute, i.delayed_to_minute, i.conditional) {
        (Some(at), Some(d), _) => format!(
            "not before {} (delayed by you; scheduled for {})",
            hhmm_span(d),
            hhmm_span(at)
        ),
        (None, Some(d), _) => format!("not before {} (delayed by you)", hhmm_span(d)),
        (Some(at), None, false) => hhmm_span(at),
        (Some(at), None, true) => format!(
            "{} at the earliest, once its condition holds",
            hhmm_span(at)
        ),
        (None, None, _) => "none: it fires when its condition holds".to_string(),
    };
    lines.extend(field("Time", &time));
    let condition = match &i.condition {
        Some(c) => format!(
            "{c} ({})",
            if i.condition_holds {
                "holds now"
            } else {
                "does not hold now"
            }
        ),
        None => "none".to_string(),
    };
    lines.extend(field("Condition", &condition));
    let until = i.until_minute.map_or("none".to_string(), |u| {
        format!("{}: if it has not fired by then, it lapses", hhmm_span(u))
    });
    lines.extend(field("Until", &until));
    lines.extend(field("Status", &i.status));
    lines.extend(field("Reaches", &i.recipients));
    lines.push(Line::from(""));
    for (label, text) in &i.text {
        lines.extend(field(label, text));
    }
    let room = usize::from(area.height.saturating_sub(4));
    if lines.len() > room {
        lines.truncate(room.saturating_sub(1));
        lines.push(Line::from("… (cut: enlarge the terminal to read the rest)").dim());
    }
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let popup = centered(area, width, height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title(format!("Inject {}", i.id))
                .title_bottom(keys)
                .style(Style::new().bg(Color::Black)),
        ),
        popup,
    );
}

/// The confirmation of a fire or a skip: the question, wrapped to fit; only `y` applies it.
fn draw_confirm(frame: &mut Frame, app: &App, area: Rect) {
    let Some(c) = &app.confirm else { return };
    let width = 78.min(area.width.saturating_sub(2));
    let inner = usize::from(width.saturating_sub(2));
    let lines = wrap("", &c.question, inner, Style::new().bold());
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let popup = centered(area, width, height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title("Confirm")
                .title_bottom("y yes · n or Esc no")
                .style(Style::new().bg(Color::Black)),
        ),
        popup,
    );
}

/// The why popup (`w`) over the selected row: what it is now and why, wrapped to fit. When
/// the causes do not all fit, the newest are kept and the older ones counted.
fn draw_why(frame: &mut Frame, app: &App, area: Rect) {
    let Some(target) = &app.why else { return };
    let width = 100.min(area.width.saturating_sub(2));
    let inner = usize::from(width.saturating_sub(2));
    let Some(why) = why_of(app, target, inner) else {
        // Not expected (what was selected stays in the views), but never a hidden popup
        // that swallows keys.
        let popup = centered(area, width, 3);
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new("That row is no longer there.").block(
                Block::bordered()
                    .title("Why")
                    .title_bottom("Esc or w close"),
            ),
            popup,
        );
        return;
    };
    let room = usize::from(area.height.saturating_sub(4));
    let mut lines = why.head;
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        why.causes_title,
        Style::new().bold(),
    )));
    if why.causes.is_empty() {
        lines.extend(wrap("", why.none, inner, Style::new()));
    }
    let left = room.saturating_sub(lines.len());
    let total: usize = why.causes.iter().map(Vec::len).sum();
    let mut kept = why.causes.len();
    if total > left {
        // Keep the newest causes that fit under a line counting the others.
        let mut used = 1;
        kept = 0;
        for c in why.causes.iter().rev() {
            if used + c.len() > left {
                break;
            }
            used += c.len();
            kept += 1;
        }
        let earlier = why.causes.len() - kept;
        lines.push(
            Line::from(format!(
                "… {earlier} earlier {} (the timeline has every one)",
                if earlier == 1 { "change" } else { "changes" }
            ))
            .dim(),
        );
    }
    let skip = why.causes.len() - kept;
    lines.extend(why.causes.into_iter().skip(skip).flatten());
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let popup = centered(area, width, height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title(why.title)
                .title_bottom("Esc or w close · ↑/↓ the previous or next row")
                .style(Style::new().bg(Color::Black)),
        ),
        popup,
    );
}
