//! Drawing: a pure function of the app state. One function per screen area.

use super::app::{App, Role};
use super::composer::{Field, Stage};
use crate::sim::view::{TeamView, hhmm_span};
use crate::sim::{MessageKind, Phase};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph, Tabs, Wrap};

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
    frame.render_widget(
        Tabs::new(titles)
            .select(app.tab)
            .highlight_style(Style::new().reversed()),
        tabs,
    );
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
        Paragraph::new(footer_text(app)).style(Style::new().dim()),
        footer,
    );
    if let (Some(c), Some(view)) = (&app.composer, &app.view) {
        draw_composer(frame, c, view, area);
    }
    if app.adhoc.is_some() {
        draw_adhoc(frame, app, area);
    }
    if app.help {
        draw_help(frame, app, area);
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

fn footer_text(app: &App) -> String {
    // Help and quit come first so they survive truncation on a narrow (80-column) terminal.
    let common = if app.runs_clock() && app.served() {
        "? help · q leave · space run/pause · n step · N next event · +/- pace · ←/→ tabs"
    } else if app.runs_clock() {
        "? help · q quit · space run/pause · n step · N next event · +/- pace · ←/→ tabs"
    } else {
        "? help · q leave · ←/→ tabs · the facilitator runs the clock"
    };
    if app.is_facilitator() {
        match app.tab {
            2 => format!("f fire now · d delay 30m · s skip · m message a team · {common}"),
            4 => format!("Enter show this team's screen · m message · {common}"),
            _ => format!("m message a team · {common}"),
        }
    } else {
        match app.tab {
            0 => format!("a acknowledge · c compose · {common}"),
            2 => format!("/ filter · Enter write to contact · c compose · {common}"),
            _ => format!("c compose an action · {common}"),
        }
    }
}

fn list<'a>(
    items: Vec<ListItem<'a>>,
    title: &'a str,
    selected: usize,
    frame: &mut Frame,
    area: Rect,
) {
    let count = items.len();
    let mut state = ListState::default()
        .with_selected((count > 0).then_some(selected.min(count.saturating_sub(1))));
    let widget = List::new(items)
        .block(Block::bordered().title(title))
        .highlight_style(Style::new().reversed());
    frame.render_stateful_widget(widget, area, &mut state);
}

/// A text bar of `width` cells for a value in [0,1].
pub fn bar(value: f64, width: usize) -> String {
    let filled = ((value.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

fn draw_player(frame: &mut Frame, app: &App, view: &TeamView, area: Rect) {
    let cursor = app.cursor[app.tab.min(5)];
    match app.tab {
        0 => {
            let [left, right] =
                Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                    .areas(area);
            let items: Vec<ListItem> = view
                .inbox
                .iter()
                .map(|m| {
                    let mark = match m.receipt.as_deref() {
                        Some("bounced") => "✗",
                        Some(_) => "↩",
                        None if m.acknowledged => "✓",
                        None if m.kind == MessageKind::Control => "•",
                        None => "!",
                    };
                    ListItem::new(format!(
                        "{mark} {} {:<8} {}",
                        hhmm_span(m.received_minute),
                        format!("{:?}", m.channel),
                        m.subject
                    ))
                })
                .collect();
            list(
                items,
                "Inbox (! to acknowledge · ✓ done · ↩ receipt · ✗ bounce)",
                cursor,
                frame,
                left,
            );
            let text = match view.inbox.get(cursor) {
                Some(m) => {
                    let mut t = format!(
                        "#{} {:?} · {:?} · {:?}\nFrom: {}\nTo: {}\nReceived: {}\n",
                        m.id,
                        m.kind,
                        m.channel,
                        m.tlp,
                        m.from,
                        m.to_contact,
                        hhmm_span(m.received_minute)
                    );
                    if let Some(i) = &m.incident {
                        t.push_str(&format!("Incident: {i}\n"));
                    }
                    if m.evidence > 0 {
                        t.push_str(&format!("Evidence items attached: {}\n", m.evidence));
                    }
                    t.push_str(&format!("\n{}\n\n{}", m.subject, m.text));
                    t
                }
                None => {
                    "No messages yet. Messages arrive through your points of contact.".to_string()
                }
            };
            frame.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: false })
                    .block(Block::bordered().title("Message")),
                right,
            );
        }
        1 => {
            let [top, bottom] =
                Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)])
                    .areas(area);
            let width = (top.width as usize / 4).clamp(10, 30);
            let assets: Vec<ListItem> = view
                .assets
                .iter()
                .map(|a| {
                    let flags = format!(
                        "{}{}",
                        if a.isolated { " ISOLATED" } else { "" },
                        if a.safe_zone { " (safe zone)" } else { "" }
                    );
                    ListItem::new(format!(
                        "{} {:>3.0}%  {:<32} {:?}{flags}",
                        bar(a.inoperability, width),
                        a.inoperability * 100.0,
                        a.name,
                        a.sector
                    ))
                })
                .collect();
            list(
                assets,
                "Our infrastructure (inoperability)",
                cursor,
                frame,
                top,
            );
            let mut lines: Vec<Line> = Vec::new();
            if view.incidents.is_empty() {
                lines.push(Line::from(
                    "No incident known. Watch the inbox and the timeline.",
                ));
            }
            for i in &view.incidents {
                let how = if i.detected_by_us {
                    "detected by us".to_string()
                } else {
                    format!("told by {}", i.told_by.clone().unwrap_or_default())
                };
                lines.push(Line::from(Span::styled(
                    format!(
                        "{} {}· since {} · {how} · evidence {} ({} judged planted)",
                        i.id,
                        i.target
                            .as_ref()
                            .map_or(String::new(), |t| format!("on {t} ")),
                        hhmm_span(i.since_minute),
                        i.evidence,
                        i.discounted
                    ),
                    Style::new().bold(),
                )));
                for (who, p) in i.beliefs.iter().take(4) {
                    lines.push(Line::from(format!(
                        "   {} {:>5.1}%  {who}",
                        bar(*p, 20),
                        p * 100.0
                    )));
                }
            }
            frame.render_widget(
                Paragraph::new(lines)
                    .block(Block::bordered().title("Incidents and who we believe did it")),
                bottom,
            );
        }
        2 => {
            let rows = app.directory_rows();
            let items: Vec<ListItem> = rows
                .iter()
                .map(|&i| {
                    let c = &view.directory[i];
                    let open = if c.open_now { "open  " } else { "closed" };
                    let stale = if c.known_stale { " BOUNCED" } else { "" };
                    let last = c.last_response_minute.map_or("—".to_string(), hhmm_span);
                    let own = if c.own { " (ours)" } else { "" };
                    ListItem::new(format!(
                        "{:<18} {:<26} {:<12} {:<14} {:<13} {open} {} last {last}{stale}{own}",
                        cut(&c.id, 18),
                        cut(&c.organisation, 26),
                        cut(&c.state, 12),
                        format!("{:?}", c.channel),
                        c.hours,
                        c.local_time
                    ))
                })
                .collect();
            let title = if app.filtering || !app.filter.is_empty() {
                format!(
                    "Directory — filter: {}{}",
                    app.filter,
                    if app.filtering { "▏" } else { "" }
                )
            } else {
                "Directory of points of contact (/ to filter)".to_string()
            };
            let count = items.len();
            let mut state = ListState::default()
                .with_selected((count > 0).then_some(cursor.min(count.saturating_sub(1))));
            frame.render_stateful_widget(
                List::new(items)
                    .block(Block::bordered().title(title))
                    .highlight_style(Style::new().reversed()),
                area,
                &mut state,
            );
        }
        3 => {
            let items: Vec<ListItem> = view
                .relations
                .iter()
                .map(|r| {
                    ListItem::new(format!(
                        "{:<26} {} {:.2}  {:<16} {}",
                        cut(&r.name, 26),
                        bar(r.tension, 20),
                        r.tension,
                        format!("{:?}", r.rung),
                        if r.hotline { "hotline ☎" } else { "" }
                    ))
                })
                .collect();
            list(
                items,
                "Relations: our hostility towards each state, and the rung of the escalation ladder",
                cursor,
                frame,
                area,
            );
        }
        4 => {
            let items: Vec<ListItem> = view
                .sent
                .iter()
                .map(|m| {
                    ListItem::new(format!(
                        "{} {:<14} {:<22} {:<34} {}",
                        hhmm_span(m.sent_minute),
                        m.status,
                        cut(&m.to_contact, 22),
                        cut(&m.subject, 34),
                        m.answered_minute.map_or(String::new(), hhmm_span)
                    ))
                })
                .collect();
            list(
                items,
                "Sent (you learn of delivery only by an acknowledgement or a bounce)",
                cursor,
                frame,
                area,
            );
        }
        _ => {
            let items: Vec<ListItem> = view
                .timeline
                .iter()
                .map(|(m, t)| ListItem::new(format!("{} {t}", hhmm_span(*m))))
                .collect();
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
    }
}

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!(
            "{}…",
            s.chars().take(n.saturating_sub(1)).collect::<String>()
        )
    }
}

fn draw_facilitator(frame: &mut Frame, app: &App, area: Rect) {
    let Some(f) = &app.facilitator else { return };
    let cursor = app.cursor[app.tab.min(5)];
    match app.tab {
        0 => {
            let [top, bottom] =
                Layout::vertical([Constraint::Percentage(40), Constraint::Percentage(60)])
                    .areas(area);
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
                    ListItem::new(format!(
                        "{} {:<20} {:<10} on {:<26} by {} ({}){}",
                        hhmm_span(i.start_minute),
                        cut(&i.id, 20),
                        phase,
                        cut(&i.target, 26),
                        i.actor.clone().unwrap_or_else(|| "state operation".into()),
                        i.culprit,
                        i.false_flag
                            .as_ref()
                            .map_or(String::new(), |s| format!(" · false flag → {s}"))
                    ))
                })
                .collect();
            list(items, "Incidents: the truth", cursor, frame, top);
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
        1 => {
            let items: Vec<ListItem> = f
                .pairs
                .iter()
                .map(|p| {
                    ListItem::new(format!(
                        "{:<14} {:<14} {} →{:.2} ←{:.2}  {:<16} peak {:<16}{}",
                        cut(&p.a, 14),
                        cut(&p.b, 14),
                        bar(p.a_to_b.max(p.b_to_a), 16),
                        p.a_to_b,
                        p.b_to_a,
                        format!("{:?}", p.rung),
                        format!("{:?}", p.peak),
                        if p.hotline { " ☎" } else { "" }
                    ))
                })
                .collect();
            list(
                items,
                "Escalation ladder: every pair of states",
                cursor,
                frame,
                area,
            );
        }
        2 => {
            let items: Vec<ListItem> = f
                .injects
                .iter()
                .map(|i| {
                    let at = i.at_minute.map_or("  —   ".to_string(), hhmm_span);
                    ListItem::new(format!(
                        "{at} {:<28} {:<13} {:<12} {}",
                        cut(&i.id, 28),
                        i.kind,
                        if i.conditional { "conditional" } else { "" },
                        i.status
                    ))
                })
                .collect();
            list(
                items,
                "Inject queue (f fire now · d delay 30 min · s skip)",
                cursor,
                frame,
                area,
            );
        }
        3 => {
            let items: Vec<ListItem> = f
                .timeline
                .iter()
                .map(|(m, t)| ListItem::new(format!("{} {t}", hhmm_span(*m))))
                .collect();
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
                    let top = i.beliefs.first().map_or(String::new(), |(w, p)| {
                        format!(" — suspects {w} {:.0}%", p * 100.0)
                    });
                    lines.push(Line::from(format!("Incident {}{top}", i.id)));
                }
                for r in v.relations.iter().filter(|r| r.tension >= 0.3) {
                    lines.push(Line::from(format!(
                        "Towards {}: {:.2} ({:?})",
                        r.name, r.tension, r.rung
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
            format!("{action}: sharing level"),
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
                    describe_command(&c.command()),
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

/// A one-line description of a command, for the confirm screen.
pub fn describe_command(command: &crate::sim::Command) -> String {
    use crate::sim::Command::*;
    match command {
        Notify { to, incident, text } => format!(
            "Notify {} about {}: “{text}”",
            to.join(", "),
            incident.as_deref().unwrap_or("(no incident)")
        ),
        ShareEvidence {
            to,
            incident,
            level,
        } => format!(
            "Share our evidence on {incident} with {} at {level:?}",
            to.join(", ")
        ),
        RequestAssistance { to, incident } => format!("Ask {to} for assistance with {incident}"),
        RequestConsultation { to, text } => format!("Request consultations with {to}: “{text}”"),
        Acknowledge { message } => format!("Acknowledge message #{message}"),
        Demarche { to, text } => format!("Deliver a démarche through {to}: “{text}”"),
        PublicAttribution { incident, blame } => {
            format!("Publicly attribute {incident} to {blame}")
        }
        RestraintStatement { text } => format!("Issue a statement of restraint: “{text}”"),
        HotlineCall { state } => format!("Call {state} on the hotline"),
        ConveneRegional { incident } => format!(
            "Convene regional coordination{}",
            incident
                .as_ref()
                .map_or(String::new(), |i| format!(" on {i}"))
        ),
        RequestTakedown { to, incident } => {
            format!("Ask {to} to take down infrastructure used in {incident}")
        }
        Retaliate { target } => format!("RETALIATE: a cyber operation against {target}"),
        Isolate { asset } => format!("Isolate {asset} from the network"),
        Restore { asset } => format!("Restore {asset} to service"),
        RaiseAlert { level } => format!("Raise our alert level to {level}"),
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

fn draw_help(frame: &mut Frame, app: &App, area: Rect) {
    let popup = centered(area, 78, 22);
    frame.render_widget(Clear, popup);
    let mut lines = vec![
        Line::from(Span::styled(
            "Keys",
            Style::new().add_modifier(Modifier::BOLD),
        )),
        // Every line fits the popup's 76 inner columns (the popup is 78 wide at 80×24).
    ];
    if app.runs_clock() {
        lines.extend([
            Line::from("  space       run / pause the clock      ←/→ or 1-6  switch tabs"),
            Line::from("  n           one tick                   ↑/↓ j/k     move"),
            Line::from("  N           on to the next event       + / -       faster / slower"),
            Line::from(if app.served() {
                "  q or Ctrl-C leave (the exercise goes on; Ctrl-C on the server ends it)"
            } else {
                "  q or Ctrl-C quit (the journal is kept)"
            }),
            Line::from(""),
        ]);
    } else {
        lines.extend([
            Line::from("  ←/→ or 1-6  switch tabs                ↑/↓ j/k     move"),
            Line::from("  q or Ctrl-C leave (the exercise goes on; log in again to come back)"),
            Line::from("  The facilitator runs the clock for every team."),
            Line::from(""),
        ]);
    }
    if app.is_facilitator() {
        lines.extend([
            Line::from("  Injects tab: f fire now · d delay 30 minutes · s skip"),
            Line::from("  m           send a message or discussion question to a team"),
            Line::from("  Team screens tab: Enter shows the chosen team's view"),
            Line::from(""),
            Line::from(
                "You see the ground truth: true perpetrators, every asset and every tension.",
            ),
        ]);
    } else {
        lines.extend([
            Line::from("  c           compose an action: notify, share evidence, ask for help,"),
            Line::from("              consultations, démarche, attribution, hotline, retaliation…"),
            Line::from("  Inbox: a acknowledges the selected message"),
            Line::from("  Directory: / filters as you type · Enter writes to the contact"),
            Line::from(""),
            Line::from(
                "You act only through points of contact. A message needs the recipient's desk",
            ),
            Line::from(
                "to be staffed (their local time), may need government clearance, and bounces",
            ),
            Line::from(
                "if the address is stale. You learn of delivery only when they acknowledge.",
            ),
        ]);
    }
    lines.push(Line::from(""));
    lines.push(Line::from("Any key closes this help."));
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title("Help")),
        popup,
    );
}
