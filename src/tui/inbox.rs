//! The player's Inbox: the briefing, the messages and the notices (what happened that the
//! team can know: detections, news, hotline calls, red lines, objective results, questions),
//! oldest first, with the selected one read out beside them (below them on a narrow
//! screen), scrolled with the page keys.

use super::app::{App, InboxRow, inbox_rows, notice_kind_words, notice_label};
use super::tab::Tab;
use super::text::{cells, cut, wrap};
use crate::sim::MessageKind;
use crate::sim::view::{
    InboxItem, Notice, NoticeKind, Receipt, TeamView, channel_words, hhmm_span, kind_words,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph};

/// The Inbox tab.
pub fn draw(frame: &mut Frame, app: &App, view: &TeamView, area: Rect) {
    // Side by side where there is room; below 100 columns the list goes on top, so that both
    // the subjects and the message being read get the full width.
    let [left, right] = if area.width >= 100 {
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area)
    } else {
        Layout::vertical([Constraint::Percentage(45), Constraint::Fill(1)]).areas(area)
    };
    let rows = inbox_rows(view);
    let cursor = app.cursor_of(Tab::Inbox).min(rows.len().saturating_sub(1));
    // Mark, time and a short label take 18 cells ("! +00:15 email    "); the subject gets
    // the rest of the row, so its "…" shows when it is cut.
    let room = usize::from(left.width.saturating_sub(2)).saturating_sub(18);
    let items: Vec<ListItem> = rows
        .iter()
        .map(|row| match row {
            InboxRow::Briefing => ListItem::new(format!(
                "• {} {:<8} Briefing — read this first",
                hhmm_span(0),
                "brief"
            )),
            InboxRow::Message(m) => {
                let mark = match m.receipt {
                    Some(Receipt::Bounced) => "✗",
                    Some(Receipt::Acknowledged) => "↩",
                    None if m.acknowledged => "✓",
                    None if m.kind == MessageKind::Control => "•",
                    None => "!",
                };
                ListItem::new(format!(
                    "{mark} {} {:<8} {}",
                    hhmm_span(m.received_minute),
                    cut(channel_words(m.channel), 8),
                    cut(&m.subject, room)
                ))
            }
            // A notice reads once: a label only where its words do not say what it is
            // ("news", "ladder"), else its words take the label's room too.
            InboxRow::Notice(n) => {
                let (lead, room) = match notice_label(n.kind) {
                    "" => (format!("◆ {} ", hhmm_span(n.minute)), room + 9),
                    label => (format!("◆ {} {label:<8} ", hhmm_span(n.minute)), room),
                };
                ListItem::new(Line::from(vec![
                    Span::raw(lead),
                    Span::raw(cut_keeping_verb(n, &view.state_name, room)),
                ]))
                .style(Style::new().fg(Color::Cyan))
            }
            InboxRow::None => ListItem::new(""),
        })
        .collect();
    let unacknowledged = view
        .inbox
        .iter()
        .filter(|m| m.receipt.is_none() && !m.acknowledged && m.kind != MessageKind::Control)
        .count();
    let mut title = format!(
        "Inbox: {unacknowledged} to acknowledge (! to do · ✓ done · ↩ receipt · ✗ bounce · ◆ notice)"
    );
    if title.chars().count() + 2 > usize::from(left.width) {
        title = format!("Inbox: {unacknowledged} to acknowledge (a) · ◆ notice");
    }
    let mut state = ListState::default().with_selected((!items.is_empty()).then_some(cursor));
    frame.render_stateful_widget(
        List::new(items)
            .block(Block::bordered().title(cut(&title, usize::from(left.width) - 2)))
            .highlight_style(Style::new().reversed()),
        left,
        &mut state,
    );
    let (text, pane) = reading_pane(view, rows.get(cursor).copied().unwrap_or(InboxRow::None));
    draw_reading_pane(frame, &text, pane, app.reading_scroll, right);
}

/// The selected row read out, wrapped to the pane and scrolled by the page keys; the title
/// says when there is more than fits.
fn draw_reading_pane(frame: &mut Frame, text: &str, pane: &str, scroll: usize, area: Rect) {
    let width = usize::from(area.width.saturating_sub(2));
    let lines: Vec<Line> = text
        .split('\n')
        .flat_map(|line| {
            // A line's own indent (a list in a briefing) is kept, as a hanging indent.
            let body = line.trim_start_matches(' ');
            wrap(&line[..line.len() - body.len()], body, width, Style::new())
        })
        .collect();
    let height = usize::from(area.height.saturating_sub(2));
    let scroll = scroll.min(lines.len().saturating_sub(height));
    let title = if lines.len() > height {
        let last = (scroll + height).min(lines.len());
        format!(
            "{pane} (lines {}–{last} of {} · PgDn/PgUp scroll)",
            scroll + 1,
            lines.len()
        )
    } else {
        pane.to_string()
    };
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll as u16, 0))
            .block(Block::bordered().title(cut(&title, width))),
        area,
    );
}

/// What the reading pane shows for the selected row, and its title.
fn reading_pane(view: &TeamView, row: InboxRow) -> (String, &'static str) {
    match row {
        InboxRow::Briefing => (view.briefing_text(), "Briefing"),
        InboxRow::Message(m) => (message_text(view, m), "Message"),
        InboxRow::Notice(n) => (
            format!(
                "{} at {}\n\n{}\n\nA notice tells you what happened that your team can know; nothing to acknowledge.",
                notice_kind_words(n.kind),
                hhmm_span(n.minute),
                n.text
            ),
            "Notice",
        ),
        InboxRow::None => (
            "No messages yet. Messages arrive through your points of contact; notices of what happens (detections, news, calls) appear here too.".to_string(),
            "Message",
        ),
    }
}

/// A contact as a person reads it: its name and organisation (its id when unknown).
pub fn contact_words(view: &TeamView, id: &str) -> String {
    view.directory
        .iter()
        .find(|c| c.id == id)
        .map_or(id.to_string(), |c| {
            format!("{}, {}", c.name, c.organisation)
        })
}

/// The text of a message or a receipt, for the reading pane.
fn message_text(view: &TeamView, m: &InboxItem) -> String {
    let mut t = format!(
        "#{} {} · by {} · {}\n",
        m.id,
        kind_words(m.kind),
        channel_words(m.channel),
        tlp_words(m.tlp)
    );
    match m.receipt {
        Some(what) => t.push_str(&format!(
            "A receipt: your message to {} was {}.\n",
            contact_words(view, &m.to_contact),
            what.words()
        )),
        None => t.push_str(&format!(
            "From: {}\nTo: {}\n",
            m.from,
            contact_words(view, &m.to_contact)
        )),
    }
    t.push_str(&format!("Received: {}\n", hhmm_span(m.received_minute)));
    if let Some(i) = &m.incident {
        t.push_str(&format!("Incident: {}\n", view.incident_title(i)));
    }
    if m.evidence > 0 {
        t.push_str(&format!("Evidence items attached: {}\n", m.evidence));
    }
    let ack = match (&m.receipt, m.acknowledged, m.kind) {
        (Some(_), _, _) | (_, _, MessageKind::Control) => "",
        (_, true, _) => "\n✓ acknowledged",
        (_, false, _) => "\n! not acknowledged yet: press a",
    };
    t.push_str(ack);
    t.push_str(&format!("\n\n{}\n\n{}", m.subject, m.text));
    t
}

/// A TLP level as the Inbox shows it.
pub fn tlp_words(tlp: crate::sim::Tlp) -> &'static str {
    match tlp {
        crate::sim::Tlp::Clear => "TLP:CLEAR",
        crate::sim::Tlp::Green => "TLP:GREEN",
        crate::sim::Tlp::Amber => "TLP:AMBER",
        crate::sim::Tlp::Red => "TLP:RED",
    }
}

/// A notice's text cut to `room`; an incident's end keeps its last word ("… contained",
/// "… recovered"), cutting the title before it.
fn cut_keeping_verb(notice: &Notice, ours: &str, room: usize) -> String {
    let text = short(notice);
    // Our own pair on the ladder needs only the other state: "with Kingdom of Kelmora: …".
    if notice.kind == NoticeKind::Rung
        && let Some((pair, rest)) = text.split_once(": ")
        && let Some(other) = pair
            .strip_prefix(&format!("{ours}–"))
            .or_else(|| pair.strip_suffix(&format!("–{ours}")))
    {
        return cut(&format!("with {other}: {rest}"), room);
    }
    match (notice.kind, text.rsplit_once(' ')) {
        (NoticeKind::IncidentEnded, Some((title, verb))) if cells(text) > room => {
            let keep = room.saturating_sub(cells(verb) + 1);
            if keep < 8 {
                cut(text, room)
            } else {
                format!("{} {verb}", cut(title, keep))
            }
        }
        _ => cut(text, room),
    }
}

/// A notice's text without the words that repeat its label (`NEWS: `, `RED LINE: … a red
/// line crossed`…).
fn short(notice: &Notice) -> &str {
    let (prefix, suffix) = match notice.kind {
        NoticeKind::News => ("NEWS: ", ""),
        NoticeKind::RedLine => ("RED LINE: ", " a red line crossed"),
        NoticeKind::Question => ("QUESTION for discussion: ", ""),
        _ => return &notice.text,
    };
    let text = notice.text.strip_prefix(prefix).unwrap_or(&notice.text);
    text.strip_suffix(suffix).unwrap_or(text)
}
