//! `?` help: the keys of this role (page 1) and the glossary (page 2), in a popup that fits
//! 80×24 and scrolls with ↑/↓ where it is longer than the screen.

use super::app::App;
use super::glossary::GLOSSARY;
use super::text::wrap;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

/// The keys page. Every line fits the popup's 76 inner columns (78 wide at 80×24).
fn keys(app: &App) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        "Keys",
        Style::new().add_modifier(Modifier::BOLD),
    ))];
    // The tabs this role has: "1-6" for the facilitator, "1-7" for a team.
    let tabs = format!("1-{}", app.tabs().len());
    if app.runs_clock() {
        lines.extend([
            Line::from(format!(
                "  space       run / pause the clock      ←/→ or {tabs:<5}switch tabs"
            )),
            Line::from("  n           one tick                   ↑/↓ j/k     move"),
            Line::from("  N           on to the next event       + / -       faster / slower"),
            Line::from("  e           what N stops on: what matters, any message, or everything"),
            Line::from(if app.served() {
                "  q or Ctrl-C leave (the exercise goes on; Ctrl-C on the server ends it)"
            } else {
                "  q or Ctrl-C quit (the journal is kept)"
            }),
        ]);
    } else {
        lines.extend([
            Line::from(format!(
                "  ←/→ or {tabs:<5}switch tabs                ↑/↓ j/k     move"
            )),
            Line::from("  q or Ctrl-C leave (the exercise goes on; log in again to come back)"),
            Line::from("  The facilitator runs the clock for every team."),
        ]);
    }
    lines.push(Line::from(""));
    if app.is_facilitator() {
        lines.extend([
            Line::from("  Injects tab: Enter previews the inject · d delays it 30 minutes more"),
            Line::from("              f fires it now · s skips it (each asks y/n first)"),
            Line::from("  m           send a message or discussion question to a team"),
            Line::from("  R           reveal the ground truth on the wall display (--wall), for"),
            Line::from("              the hot wash; R again hides it"),
            Line::from("  Team screens tab: Enter shows the chosen team's view"),
            Line::from("  w           why: a pair's rung changes (Escalation), an objective's"),
            Line::from("              reason (Ground truth, Objectives); Esc or w closes it"),
            Line::from(""),
            Line::from(
                "You see the ground truth: true perpetrators, every asset and every tension.",
            ),
            Line::from("A question that asks for a pause stops the clock: space runs it again."),
        ]);
    } else {
        lines.extend([
            Line::from("  c           compose an action: notify, share evidence, ask for help,"),
            Line::from("              consultations, démarche, attribution, hotline, retaliation…"),
            Line::from(
                "  d           log a decision and why: on your Timeline, kept for the debrief",
            ),
            Line::from("  w           why: an incident's suspects (Situation), a state's rung"),
            Line::from("              (Relations), an objective (Objectives); Esc or w closes it"),
            Line::from("  Inbox: a acknowledges the selected message · PgDn/PgUp scroll it"),
            Line::from("         ◆ marks a notice: what happened, nothing to acknowledge"),
            Line::from("  Directory: / filters as you type · Enter writes to the contact"),
            Line::from(""),
            Line::from(format!(
                "Your objectives are on tab {}. You act only through points of contact:",
                app.tabs().len()
            )),
            Line::from("a message needs the recipient's desk staffed (their local time), may wait"),
            Line::from("for your government's clearance, and bounces if the address is stale. You"),
            Line::from("learn of delivery only when they acknowledge."),
        ]);
    }
    lines
}

/// The glossary page, wrapped to `width`.
fn glossary(width: usize) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        "Glossary",
        Style::new().add_modifier(Modifier::BOLD),
    ))];
    for (term, meaning) in GLOSSARY {
        let mut entry = wrap("", &format!("{term}: {meaning}"), width, Style::new());
        if let Some(first) = entry.first_mut() {
            // The term in bold, the meaning plain.
            let text: String = first.spans.iter().map(|s| s.content.to_string()).collect();
            if let Some(rest) = text.strip_prefix(term) {
                *first = Line::from(vec![
                    Span::styled(term.to_string(), Style::new().bold()),
                    Span::raw(rest.to_string()),
                ]);
            }
        }
        lines.extend(entry);
    }
    lines
}

/// Draws the help popup over the screen.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let width = 78.min(area.width.saturating_sub(2));
    let height = 22.min(area.height.saturating_sub(2));
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    frame.render_widget(Clear, popup);
    let inner = usize::from(width.saturating_sub(2));
    let (lines, title, turn) = if app.help_page == 0 {
        (
            keys(app),
            "Help: keys (1/2)",
            "→ glossary · any other key closes",
        )
    } else {
        (
            glossary(inner),
            "Help: glossary (2/2)",
            "↑/↓ scroll · ← keys · any other key closes",
        )
    };
    let room = usize::from(height.saturating_sub(2));
    let scroll = app.help_scroll.min(lines.len().saturating_sub(room));
    let mut lines: Vec<Line> = lines.into_iter().skip(scroll).collect();
    if lines.len() > room {
        lines.truncate(room.saturating_sub(1));
        lines.push(Line::from("… ↓ for more").dim());
    }
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(title).title_bottom(turn)),
        popup,
    );
}
