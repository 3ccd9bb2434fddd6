//! Two timelines of one scenario compared: where they first part, and what differs after.
//!
//! Typically a branch and its parent ("we called the hotline instead of the démarche"), or
//! two played runs of the same exercise. Both journals are replayed; the first divergence is
//! the first entry (command or control) they do not share, or the start when their seeds or
//! players differ; then the outcomes are set side by side, and the events after the
//! divergence that only one of them has are listed.

use crate::exercise::replay::{self, ReplayError};
use crate::journal::{self, Journal, Line};
use crate::sim::Sim;
use crate::sim::view::hhmm_span;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Where two runs first part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Divergence {
    /// The minute they part at; none when they never do.
    pub minute: Option<u32>,
    /// What A and B did there (or why they differ from the start).
    pub a: String,
    pub b: String,
}

/// One thing that ended differently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// `objective`, `rung`, `suspect`, `public blame`, `belief in the truth`, `downtime`,
    /// `messages`, `attributions`.
    pub kind: String,
    pub what: String,
    pub a: String,
    pub b: String,
}

/// The comparison of two runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    pub a: String,
    pub b: String,
    pub divergence: Divergence,
    /// What ended differently, by kind.
    pub changes: Vec<Change>,
    /// Key events (as in the report's timeline) after the divergence that only A has, and
    /// only B has: (minute, text).
    pub only_in_a: Vec<(u32, String)>,
    pub only_in_b: Vec<(u32, String)>,
}

fn describe(line: Option<&Line>, minutes: u32) -> String {
    match line {
        Some(Line::Command {
            tick,
            team,
            command,
        }) => {
            format!("{} {team}: {command:?}", hhmm_span(tick * minutes))
        }
        Some(Line::Control { tick, control }) => {
            let what = match control {
                crate::sim::Control::Players { humans } if humans.is_empty() => {
                    "from here the engine plays every team".to_string()
                }
                crate::sim::Control::Players { humans } => {
                    format!("from here people play {}", humans.join(", "))
                }
                crate::sim::Control::Reseed { seed } => {
                    format!("from here the future is drawn from seed {seed}")
                }
                other => format!("exercise control: {other:?}"),
            };
            format!("{} {what}", hhmm_span(tick * minutes))
        }
        Some(_) => String::new(),
        None => "nothing more".into(),
    }
}

/// The entries that change something: a `Players` control that hands the teams to the
/// people already playing them (a branch taken by the same team) is left out.
fn effective(journal: &Journal) -> Vec<&Line> {
    let mut humans = journal.initial_humans();
    journal
        .entries
        .iter()
        .filter(|e| match e {
            Line::Control {
                control: crate::sim::Control::Players { humans: h },
                ..
            } => {
                let mut now = h.clone();
                now.sort();
                let mut before = humans.clone().unwrap_or_default();
                before.sort();
                let same = humans.is_some() && now == before;
                humans = Some(h.clone());
                !same
            }
            _ => true,
        })
        .collect()
}

/// The first place two journals part, as (minute, what A did, what B did).
fn divergence(a: &Journal, b: &Journal, minutes: u32) -> Divergence {
    if a.seed != b.seed || a.initial_humans() != b.initial_humans() {
        return Divergence {
            minute: Some(0),
            a: format!("seed {}, people playing {:?}", a.seed, a.initial_humans()),
            b: format!("seed {}, people playing {:?}", b.seed, b.initial_humans()),
        };
    }
    let (ea, eb) = (effective(a), effective(b));
    let n = ea.len().max(eb.len());
    for i in 0..n {
        let (x, y) = (ea.get(i).copied(), eb.get(i).copied());
        if x != y {
            let tick = [x, y]
                .iter()
                .flatten()
                .map(|l| journal::entry_tick(l))
                .min()
                .unwrap_or(0);
            return Divergence {
                minute: Some(tick * minutes),
                a: describe(x, minutes),
                b: describe(y, minutes),
            };
        }
    }
    Divergence {
        minute: None,
        a: "the same entries".into(),
        b: "the same entries".into(),
    }
}

fn rebuilt(path: &Path) -> Result<(Journal, Sim, String), ReplayError> {
    let (journal, loaded) = replay::open(path, None)?;
    let stop = if journal.end.is_some() {
        u32::MAX
    } else {
        journal.reached
    };
    let sim = replay::rebuild(&journal, &loaded.scenario, stop, path)?;
    Ok((journal, sim, loaded.hash))
}

/// Compares two journals of the same scenario.
pub fn diff(a_path: &Path, b_path: &Path) -> Result<Diff, ReplayError> {
    let (a, sa, ha) = rebuilt(a_path)?;
    let (b, sb, hb) = rebuilt(b_path)?;
    if ha != hb {
        return Err(ReplayError::Invalid(format!(
            "{} and {} are runs of different scenarios (or versions of one); only runs of one \
             scenario can be compared",
            a_path.display(),
            b_path.display()
        )));
    }
    let minutes = sa.tick_minutes();
    let divergence = divergence(&a, &b, minutes);
    let (oa, ob) = (sa.outcome(), sb.outcome());
    let mut changes = Vec::new();
    let mut change = |kind: &str, what: String, x: String, y: String| {
        if x != y {
            changes.push(Change {
                kind: kind.into(),
                what,
                a: x,
                b: y,
            });
        }
    };
    let status = |o: &crate::sim::ObjectiveOutcome| {
        format!(
            "{}{}",
            o.status,
            o.cause
                .as_ref()
                .filter(|c| *c != "met")
                .map_or(String::new(), |c| format!(" ({c})"))
        )
    };
    for x in &oa.objectives {
        let y = ob.objectives.iter().find(|y| y.id == x.id);
        change(
            "objective",
            x.title.clone(),
            status(x),
            y.map_or("—".into(), status),
        );
    }
    for x in &oa.pairs {
        if let Some(y) = ob.pairs.iter().find(|y| y.a == x.a && y.b == x.b) {
            change(
                "rung",
                format!("{}–{} peak", x.a, x.b),
                x.peak.label().to_string(),
                y.peak.label().to_string(),
            );
        }
    }
    let key = |bl: &crate::sim::Blame| (bl.state.clone(), bl.incident.clone());
    let blame_a: BTreeMap<_, _> = oa.blame.iter().map(|x| (key(x), x)).collect();
    let blame_b: BTreeMap<_, _> = ob.blame.iter().map(|x| (key(x), x)).collect();
    let mut keys: Vec<_> = blame_a.keys().chain(blame_b.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    let none = || "no clear suspect".to_string();
    for k in keys {
        let (x, y) = (blame_a.get(&k), blame_b.get(&k));
        let what = format!("{} on {}", k.0, k.1);
        let suspect = |b: Option<&&crate::sim::Blame>| {
            b.and_then(|b| b.blamed.clone()).map_or_else(none, |s| {
                let right = b.is_some_and(|b| b.truth == s);
                format!("{s}{}", if right { " (right)" } else { " (wrong)" })
            })
        };
        change("suspect", what.clone(), suspect(x), suspect(y));
        let public = |b: Option<&&crate::sim::Blame>| {
            b.and_then(|b| b.public.clone())
                .unwrap_or_else(|| "no one".into())
        };
        change("public blame", what, public(x), public(y));
    }
    let mut sectors: Vec<&String> = oa.downtime.keys().chain(ob.downtime.keys()).collect();
    sectors.sort();
    sectors.dedup();
    for s in sectors {
        let h =
            |o: &crate::sim::Outcome| format!("{:.1} h", o.downtime.get(s).copied().unwrap_or(0.0));
        change("downtime", s.clone(), h(&oa), h(&ob));
    }
    let m = |o: &crate::sim::Outcome| {
        let m = &o.messages;
        format!(
            "{} sent, {} acknowledged, {} bounced, median {}",
            m.sent,
            m.acknowledged,
            m.bounced,
            m.median_minutes_to_ack
                .map_or("not reached".into(), |x| format!("{x:.0} min"))
        )
    };
    change("messages", "messages".into(), m(&oa), m(&ob));
    let at = |o: &crate::sim::Outcome| {
        format!(
            "{} public attributions ({} wrongful)",
            o.public_attributions, o.wrongful_attributions
        )
    };
    change("attributions", "attributions".into(), at(&oa), at(&ob));
    let from = divergence.minute.unwrap_or(u32::MAX);
    let after = |sim: &Sim| -> Vec<(u32, String)> {
        super::key_events(sim)
            .into_iter()
            .filter(|e| e.minute >= from && e.kind != "question")
            .map(|e| (e.minute, e.text))
            .collect()
    };
    let (ta, tb) = (after(&sa), after(&sb));
    let only = |x: &[(u32, String)], y: &[(u32, String)]| -> Vec<(u32, String)> {
        let mut left: BTreeMap<&(u32, String), usize> = BTreeMap::new();
        for e in y {
            *left.entry(e).or_default() += 1;
        }
        x.iter()
            .filter(|e| match left.get_mut(e) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .cloned()
            .collect()
    };
    Ok(Diff {
        a: a_path.display().to_string(),
        b: b_path.display().to_string(),
        only_in_a: only(&ta, &tb),
        only_in_b: only(&tb, &ta),
        divergence,
        changes,
    })
}

/// The comparison as text (also the body of the report's branch section).
pub fn text(d: &Diff, events: usize) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "A: {}\nB: {}\n", d.a, d.b);
    match d.divergence.minute {
        None => {
            let _ = writeln!(
                s,
                "The two runs never part: the same entries on the same seed."
            );
        }
        Some(m) => {
            let _ = writeln!(
                s,
                "They part at {}:\n  A: {}\n  B: {}",
                hhmm_span(m),
                d.divergence.a,
                d.divergence.b
            );
        }
    }
    if d.changes.is_empty() {
        let _ = writeln!(s, "\nThey end the same.");
    } else {
        let _ = writeln!(s, "\nWhat ends differently (A → B):");
        for c in &d.changes {
            let _ = writeln!(s, "  {:<13} {}: {} → {}", c.kind, c.what, c.a, c.b);
        }
    }
    for (side, events_of) in [("A", &d.only_in_a), ("B", &d.only_in_b)] {
        if events_of.is_empty() {
            continue;
        }
        let _ = writeln!(
            s,
            "\nOnly in {side} after they part ({} events{}):",
            events_of.len(),
            if events_of.len() > events {
                format!(", the first {events}")
            } else {
                String::new()
            }
        );
        for (m, e) in events_of.iter().take(events) {
            let _ = writeln!(s, "  {} {e}", hhmm_span(*m));
        }
    }
    s
}
