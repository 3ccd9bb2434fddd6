//! The why popup (`w`): for the selected incident, relation, objective or pair of states,
//! what it is now and the causes that made it so, newest kept when they do not all fit.

use super::app::{App, WhyTarget};
use super::ladder::rung_label;
use super::objectives::status_words;
use super::situation::{NO_SUSPECT, incident_heading};
use super::text::{bar, wrap};
use super::widgets::centered;
use crate::sim::view::{
    FacilitatorView, KnownIncidentView, ObjectiveView, PairTruth, RelationView, hhmm_span,
    rung_name,
};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

/// What the why popup shows: a title, the lines that describe the row now, and the causes,
/// oldest first (each a block of wrapped lines), with what to say when there are none.
struct Why {
    title: String,
    head: Vec<Line<'static>>,
    causes_title: &'static str,
    causes: Vec<Vec<Line<'static>>>,
    none: &'static str,
}

/// What the popup says of `target`, wrapped to `width`; none when it is no longer there.
fn why_of(app: &App, target: &WhyTarget, width: usize) -> Option<Why> {
    let team = app.view.as_deref();
    let truth = app.facilitator.as_deref();
    Some(match target {
        WhyTarget::Incident(id) => incident(team?.incidents.iter().find(|i| &i.id == id)?, width),
        WhyTarget::Relation(n) => relation(team?.relations.get(*n)?, width),
        WhyTarget::Objective(n) => objective(team?.objectives.get(*n)?, false, width),
        WhyTarget::ExerciseObjective(n) => objective(truth?.objectives.get(*n)?, true, width),
        WhyTarget::Pair(n) => {
            let f = truth?;
            pair(f, f.pairs.get(*n)?, width)
        }
    })
}

/// A cause: its time, then its text wrapped under it.
fn cause(minute: u32, text: &str, width: usize) -> Vec<Line<'static>> {
    wrap(
        &format!("{} ", hhmm_span(minute)),
        text,
        width,
        Style::new(),
    )
}

/// An objective: its title (and id, for the facilitator), status and the reason once decided.
fn objective(o: &ObjectiveView, facilitator: bool, width: usize) -> Why {
    let mut head = wrap("", &o.title, width, Style::new().bold());
    if facilitator {
        head.push(Line::from(format!("id {}", o.id)).dim());
    }
    head.push(Line::from(format!("Status: {}", status_words(o.status))));
    Why {
        title: "Why: objective".into(),
        head,
        causes_title: "Why",
        causes: o
            .reason
            .iter()
            .map(|r| wrap("", r, width, Style::new()))
            .collect(),
        none: "Not decided yet.",
    }
}

/// An incident the team knows: its heading, the likeliest suspects, and how the assessment
/// changed.
fn incident(i: &KnownIncidentView, width: usize) -> Why {
    let bold = Style::new().bold();
    let mut head = wrap("", &incident_heading(i), width, bold);
    head.push(Line::from(""));
    head.push(Line::from(Span::styled("Who we believe did it", bold)));
    if i.beliefs.is_empty() {
        head.extend(wrap("  ", NO_SUSPECT, width, Style::new()));
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
        title: format!("Why: {}", i.title),
        head,
        causes_title: "How our assessment changed, and the evidence that moved it",
        causes: i.why.iter().map(|(m, t)| cause(*m, t, width)).collect(),
        none: "No change yet.",
    }
}

/// Our relations with another state: its rung, our tension, the cause of its last change.
fn relation(r: &RelationView, width: usize) -> Why {
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
        Style::new(),
    );
    Why {
        title: format!("Why: relations with {}", r.name),
        head,
        causes_title: "Why it is at this rung: the cause of its last change",
        causes: r.why.iter().map(|(m, t)| cause(*m, t, width)).collect(),
        none: "No change of rung yet: relations are where the exercise began.",
    }
}

/// A pair of states (facilitator): its rung and peak, both tensions, its rung changes.
fn pair(f: &FacilitatorView, p: &PairTruth, width: usize) -> Why {
    let plain = Style::new();
    let mut head = vec![Line::from(Span::styled(
        format!("{} – {}", p.a, p.b),
        Style::new().bold(),
    ))];
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
            .map(|(m, t)| cause(m, t, width))
            .collect(),
        none: "No change of rung yet: the pair is where the exercise began.",
    }
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

/// The why popup (`w`) over the selected row: what it is now and why, wrapped to fit. When
/// the causes do not all fit, the newest are kept and the older ones counted.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
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
