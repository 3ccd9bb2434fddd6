//! The after-action report: built by replaying a journal, rendered as Markdown, JSON or a
//! self-contained HTML page with inline SVG charts.

pub mod aar;
pub mod baseline;
pub mod diff;
pub mod graph;
mod html;
mod markdown;
pub mod table;

pub use html::html;
pub use markdown::markdown;

use crate::exercise::replay::{self, ReplayError};
use crate::sim::view::hhmm_span;
use crate::sim::{EventKind, MessageStatus, Outcome, Sim};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A belief sample: (hour, belief in the true culprit, top suspect, its belief).
type BeliefSample = (u32, f64, String, f64);
/// Series keyed by a pair of names (a pair of states, or a state and an incident).
type ByPair<T> = BTreeMap<(String, String), Vec<T>>;

/// A key event, with the truth revealed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyEvent {
    pub minute: u32,
    /// incident, detection, attribution, escalation, red-line, de-escalation, news,
    /// question, objective, world.
    pub kind: &'static str,
    pub text: String,
    /// A public attribution that blamed the wrong party.
    pub wrongful: bool,
}

/// A team's objective and how it went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveResult {
    pub team: String,
    pub title: String,
    pub status: String,
    pub at_minute: Option<u32>,
    /// Why it was met or missed ("missed: notice held 6 h 20 min for clearance").
    pub reason: Option<String>,
}

/// How one point of contact performed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactPerformance {
    pub contact: String,
    pub messages: usize,
    pub delivered: usize,
    pub acknowledged: usize,
    pub bounced: usize,
    /// Share of its messages acknowledged within 2 hours of sending.
    pub acked_within_2h: f64,
    /// Kaplan–Meier median minutes to acknowledge, unacknowledged messages censored at the
    /// end (none when fewer than half were acknowledged).
    pub median_minutes_to_ack: Option<f64>,
    /// Found to be stale during the exercise (a message bounced).
    pub stale_found: bool,
}

/// A victim's belief in the truth over time, for one incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributionTrack {
    pub state: String,
    pub incident: String,
    pub truth: String,
    /// (hour, belief in the true culprit, top suspect, its belief).
    pub samples: Vec<BeliefSample>,
}

/// One state's belief in every candidate over time, for one incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BeliefTrack {
    pub state: String,
    pub incident: String,
    /// The responsible party.
    pub truth: String,
    /// The state is the incident's victim.
    pub victim: bool,
    /// The candidates, in the order of each sample's probabilities.
    pub candidates: Vec<String>,
    /// (hour, probability of each candidate).
    pub samples: Vec<(u32, Vec<f64>)>,
    /// The hour the state first had a clear suspect (none: never).
    pub suspect_from_hour: Option<u32>,
}

/// A message that waited: for clearance, or for the recipient's desk to open.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Wait {
    pub message: usize,
    pub from: String,
    pub to_contact: String,
    pub to_state: String,
    /// When the wait began (sent, or queued) and ended (cleared, or delivered); none: still
    /// waiting at the end.
    pub from_minute: u32,
    pub until_minute: Option<u32>,
    /// Minutes waited (up to the end when still waiting).
    pub minutes: u32,
}

/// Who wrote to whom: the messages from one state to another.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flow {
    pub from_state: String,
    pub to_state: String,
    pub sent: usize,
    pub acknowledged: usize,
    pub bounced: usize,
    /// Neither acknowledged nor bounced by the end.
    pub unanswered: usize,
}

/// A branch's place in its family: the parent, the branch point, and what differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BranchInfo {
    pub parent: String,
    pub at_minute: u32,
    /// The parent compared with this run (none when the parent is not at hand).
    pub diff: Option<diff::Diff>,
}

/// The escalation path of a pair of states.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairPath {
    pub a: String,
    pub b: String,
    /// Serialised as its identifier (`Demarche`); printed as its label.
    pub peak: crate::scenario::Rung,
    /// (minute, from rung, to rung).
    pub changes: Vec<(u32, String, String)>,
    /// (hour, max(H(a→b), H(b→a))).
    pub tension: Vec<(u32, f64)>,
}

/// Impact on a sector.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectorImpact {
    pub sector: String,
    pub downtime_sector_hours: f64,
    pub peak_inoperability: f64,
    /// (hour, highest inoperability among the sector's assets).
    pub series: Vec<(u32, f64)>,
}

/// The whole after-action report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub title: String,
    pub scenario: String,
    pub seed: u64,
    pub hours: f64,
    pub finished: bool,
    pub teams: Vec<String>,
    pub truth: Vec<String>,
    pub timeline: Vec<KeyEvent>,
    pub objectives: Vec<ObjectiveResult>,
    pub contacts: Vec<ContactPerformance>,
    pub attribution: Vec<AttributionTrack>,
    pub escalation: Vec<PairPath>,
    pub sectors: Vec<SectorImpact>,
    pub outcome: Outcome,
    pub questions: Vec<String>,
    /// Every state's beliefs over time, per incident (victims first).
    pub beliefs: Vec<BeliefTrack>,
    /// Messages held for clearance, longest first.
    pub clearance: Vec<Wait>,
    /// Messages that waited for a desk to open (out of hours), longest first.
    pub queued: Vec<Wait>,
    /// Who wrote to whom.
    pub flows: Vec<Flow>,
    /// When the journal is a branch.
    pub branch: Option<BranchInfo>,
    /// With `--baseline N`: the run placed among N engine-played runs.
    pub baseline: Option<baseline::Baseline>,
    /// The observers' observations and ratings and the teams' decision log (never part of
    /// the run: the engine did not read them). Left out of the JSON when there are none.
    #[serde(skip_serializing_if = "aar::Evaluation::is_empty")]
    pub evaluation: aar::Evaluation,
    /// The picture of the world (SVG), for the HTML page.
    #[serde(skip)]
    pub world: String,
    /// Display names of the scenario's ids (states, organisations, contacts, teams), for
    /// the tables people read; the JSON keeps the ids.
    #[serde(skip)]
    pub names: BTreeMap<String, String>,
}

impl Report {
    /// The display name of an id of the scenario (the id itself when it has none).
    pub fn name<'a>(&'a self, id: &'a str) -> &'a str {
        self.names.get(id).map_or(id, String::as_str)
    }
}

/// Every id of the scenario a report table may show, with its display name.
fn display_names(scenario: &crate::scenario::Scenario) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for s in &scenario.states {
        names.insert(s.id.clone(), s.name.clone());
    }
    for o in &scenario.organisations {
        names.insert(o.id.clone(), o.name.clone());
    }
    for t in &scenario.teams {
        names.insert(t.id.clone(), t.name.clone());
    }
    for c in &scenario.contacts {
        let org = scenario
            .organisations
            .iter()
            .find(|o| o.id == c.organisation)
            .map_or(c.organisation.as_str(), |o| o.name.as_str());
        let name = if c.name.is_empty() {
            c.id.clone()
        } else {
            c.name.clone()
        };
        names.insert(c.id.clone(), format!("{name}, {org}"));
    }
    names.insert("exercise".into(), "every team (exercise-wide)".into());
    names
}

/// Replays a journal and builds its report.
pub fn from_journal(path: &Path, scenario_override: Option<&str>) -> Result<Report, ReplayError> {
    let (journal, loaded) = replay::open(path, scenario_override)?;
    let scenario = &loaded.scenario;
    let mut tension: ByPair<(u32, f64)> = BTreeMap::new();
    let mut sectors: BTreeMap<String, Vec<(u32, f64)>> = BTreeMap::new();
    let mut beliefs: ByPair<BeliefSample> = BTreeMap::new();
    let mut all_beliefs: BTreeMap<(String, String), BeliefTrack> = BTreeMap::new();
    let truth_of: BTreeMap<String, String> = BTreeMap::new();
    let mut truth_of = truth_of;
    let stop = if journal.end.is_some() {
        u32::MAX
    } else {
        journal.reached.max(1)
    };
    let mut sample = |sim: &Sim| {
        if !sim.minute().is_multiple_of(60) && !sim.is_over() {
            return;
        }
        let hour = sim.minute() / 60;
        let f = sim.facilitator_view();
        for p in &f.pairs {
            tension
                .entry((p.a.clone(), p.b.clone()))
                .or_default()
                .push((hour, p.a_to_b.max(p.b_to_a)));
        }
        let mut worst: BTreeMap<String, f64> = BTreeMap::new();
        for a in &f.assets {
            let e = worst.entry(format!("{:?}", a.sector)).or_insert(0.0);
            *e = e.max(a.inoperability);
        }
        for (sector, q) in worst {
            sectors.entry(sector).or_default().push((hour, q));
        }
        let outcome = sim.outcome();
        for i in &outcome.incidents {
            truth_of.insert(i.id.clone(), i.culprit.clone());
        }
        for belief in &f.beliefs {
            let (state, incident, probs) = (&belief.state, &belief.incident, &belief.probabilities);
            let track = all_beliefs
                .entry((incident.clone(), state.clone()))
                .or_insert_with(|| BeliefTrack {
                    state: state.clone(),
                    incident: incident.clone(),
                    truth: String::new(),
                    victim: false,
                    candidates: probs.iter().map(|p| p.0.clone()).collect(),
                    samples: Vec::new(),
                    suspect_from_hour: None,
                });
            if track.samples.last().map(|x| x.0) != Some(hour) {
                track
                    .samples
                    .push((hour, probs.iter().map(|p| p.1).collect()));
            }
            if belief.formed && track.suspect_from_hour.is_none() {
                track.suspect_from_hour = Some(hour);
            }
            // Only the victim's belief is tracked: it is the one that drives escalation.
            let victim = outcome
                .incidents
                .iter()
                .find(|i| &i.id == incident)
                .and_then(|i| scenario.assets.iter().find(|a| a.id == i.target))
                .map(|a| a.state.clone());
            if victim.as_deref() != Some(state.as_str()) {
                continue;
            }
            let truth = truth_of.get(incident).cloned().unwrap_or_default();
            let p_truth = probs.iter().find(|(c, _)| *c == truth).map_or(0.0, |x| x.1);
            // No suspect while the belief is still the prior.
            let top = probs
                .iter()
                .filter(|(c, _)| c != state && belief.formed)
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .cloned()
                .unwrap_or_else(|| ("no clear suspect".to_string(), 0.0));
            beliefs
                .entry((state.clone(), incident.clone()))
                .or_default()
                .push((hour, p_truth, top.0, top.1));
        }
    };
    let sim = replay::rebuild_watching(&journal, scenario, stop, path, &mut sample)?;
    let mut report = assemble(&sim, scenario, tension, sectors, beliefs, truth_of);
    report.beliefs = belief_tracks(all_beliefs, &report, scenario);
    report.world = graph::svg(scenario);
    report.evaluation = aar::Evaluation::from_journal(&journal, sim.tick_minutes());
    if let Some(parent) = &journal.parent {
        let found = crate::exercise::branch::find_parent(parent, path);
        report.branch = Some(BranchInfo {
            parent: parent.journal.clone(),
            at_minute: parent.at * sim.tick_minutes(),
            diff: found.and_then(|p| diff::diff(&p, path).ok()),
        });
    }
    Ok(report)
}

/// The belief tracks worth showing: victims' always, others' once they had a suspect; the
/// victim first within each incident.
fn belief_tracks(
    all: BTreeMap<(String, String), BeliefTrack>,
    report: &Report,
    scenario: &crate::scenario::Scenario,
) -> Vec<BeliefTrack> {
    let mut tracks: Vec<BeliefTrack> = all
        .into_values()
        .filter_map(|mut t| {
            let incident = report
                .outcome
                .incidents
                .iter()
                .find(|i| i.id == t.incident)?;
            t.truth = report
                .outcome
                .blame
                .iter()
                .find(|b| b.incident == t.incident)
                .map_or_else(|| incident.culprit.clone(), |b| b.truth.clone());
            t.victim = scenario
                .assets
                .iter()
                .find(|a| a.id == incident.target)
                .is_some_and(|a| a.state == t.state);
            (t.victim || t.suspect_from_hour.is_some()).then_some(t)
        })
        .collect();
    tracks.sort_by(|a, b| {
        (&a.incident, !a.victim, &a.state).cmp(&(&b.incident, !b.victim, &b.state))
    });
    tracks
}

fn assemble(
    sim: &Sim,
    scenario: &crate::scenario::Scenario,
    tension: ByPair<(u32, f64)>,
    sector_series: BTreeMap<String, Vec<(u32, f64)>>,
    beliefs: ByPair<BeliefSample>,
    truth_of: BTreeMap<String, String>,
) -> Report {
    let outcome = sim.outcome();
    let f = sim.facilitator_view();
    let state_id = |name: &str| {
        scenario
            .states
            .iter()
            .find(|s| s.name == name)
            .map_or(name.to_string(), |s| s.id.clone())
    };
    let truth: Vec<String> = f
        .incidents
        .iter()
        .map(|i| {
            // A state behind it, or a group acting on its own account.
            let behind = if scenario.states.iter().any(|s| s.name == i.culprit) {
                format!("for {}", i.culprit)
            } else {
                "on its own account".to_string()
            };
            format!(
                "{} (from {}): against {} of {}, by {} {}{}",
                i.id,
                hhmm_span(i.start_minute),
                i.target,
                i.victim,
                i.actor
                    .clone()
                    .unwrap_or_else(|| "a state operation".into()),
                behind,
                i.false_flag.as_ref().map_or(String::new(), |s| format!(
                    ", planting a false flag pointing at {s}"
                ))
            )
        })
        .collect();
    let minutes = sim.tick_minutes();
    let timeline = key_events(sim);
    let objectives = outcome
        .objectives
        .iter()
        .map(|o| ObjectiveResult {
            team: o.team.clone().unwrap_or_else(|| "exercise".into()),
            title: o.title.clone(),
            status: o.status.clone(),
            at_minute: o.at_minute,
            reason: o.reason.clone(),
        })
        .collect();
    let mut contacts: Vec<ContactPerformance> = scenario
        .contacts
        .iter()
        .map(|c| {
            let to: Vec<_> = f
                .message_log
                .iter()
                .filter(|m| m.to_contact == c.id && m.from.is_some())
                .collect();
            let end = outcome.minutes;
            let waits: Vec<(u32, bool)> = to
                .iter()
                .map(|m| match m.acked_minute {
                    Some(a) => (a - m.sent_minute, true),
                    None => (end.saturating_sub(m.sent_minute), false),
                })
                .collect();
            let acknowledged = waits.iter().filter(|w| w.1).count();
            ContactPerformance {
                contact: c.id.clone(),
                messages: to.len(),
                delivered: to.iter().filter(|m| m.status.reached_recipient()).count(),
                acknowledged,
                bounced: to
                    .iter()
                    .filter(|m| m.status == MessageStatus::Bounced)
                    .count(),
                acked_within_2h: if to.is_empty() {
                    0.0
                } else {
                    waits.iter().filter(|w| w.1 && w.0 <= 120).count() as f64 / to.len() as f64
                },
                median_minutes_to_ack: crate::sim::outcome::kaplan_meier_median(&waits)
                    .map(f64::from),
                stale_found: to.iter().any(|m| m.status == MessageStatus::Bounced),
            }
        })
        .filter(|c| c.messages > 0)
        .collect();
    contacts.sort_by(|a, b| {
        b.messages
            .cmp(&a.messages)
            .then_with(|| a.contact.cmp(&b.contact))
    });
    let attribution = beliefs
        .into_iter()
        .map(|((state, incident), samples)| AttributionTrack {
            truth: truth_of.get(&incident).cloned().unwrap_or_default(),
            state,
            incident,
            samples,
        })
        .collect();
    let mut changes: ByPair<(u32, String, String)> = BTreeMap::new();
    for e in sim.events() {
        if let EventKind::RungChanged { a, b, from, to, .. } = &e.kind {
            let key = (
                scenario.states[*a].name.clone(),
                scenario.states[*b].name.clone(),
            );
            changes.entry(key).or_default().push((
                e.tick * minutes,
                format!("{from:?}"),
                format!("{to:?}"),
            ));
        }
    }
    let escalation = f
        .pairs
        .iter()
        .filter(|p| {
            changes.contains_key(&(p.a.clone(), p.b.clone()))
                || p.peak > crate::scenario::Rung::Routine
        })
        .map(|p| PairPath {
            a: state_id(&p.a),
            b: state_id(&p.b),
            peak: p.peak,
            changes: changes
                .get(&(p.a.clone(), p.b.clone()))
                .cloned()
                .unwrap_or_default(),
            tension: tension
                .get(&(p.a.clone(), p.b.clone()))
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    let sectors = sector_series
        .into_iter()
        .map(|(sector, series)| SectorImpact {
            downtime_sector_hours: outcome.downtime.get(&sector).copied().unwrap_or(0.0),
            peak_inoperability: series.iter().map(|x| x.1).fold(0.0, f64::max),
            sector,
            series,
        })
        .collect();
    let questions = questions(scenario, &outcome, &contacts);
    let end = outcome.minutes;
    let from_of = |m: &crate::sim::view::MessageTruth| {
        m.from.clone().unwrap_or_else(|| "exercise control".into())
    };
    let mut clearance: Vec<Wait> = f
        .message_log
        .iter()
        .filter(|m| m.needed_clearance)
        .map(|m| Wait {
            message: m.id,
            from: from_of(m),
            to_contact: m.to_contact.clone(),
            to_state: m.to_state.clone(),
            from_minute: m.sent_minute,
            until_minute: m.cleared_minute,
            minutes: m
                .cleared_minute
                .unwrap_or(end)
                .saturating_sub(m.sent_minute),
        })
        .collect();
    clearance.sort_by(|a, b| b.minutes.cmp(&a.minutes).then(a.message.cmp(&b.message)));
    let mut queued: Vec<Wait> = f
        .message_log
        .iter()
        .filter_map(|m| {
            let q = m.queued_minute?;
            Some(Wait {
                message: m.id,
                from: from_of(m),
                to_contact: m.to_contact.clone(),
                to_state: m.to_state.clone(),
                from_minute: q,
                until_minute: m.delivered_minute,
                minutes: m.delivered_minute.unwrap_or(end).saturating_sub(q),
            })
        })
        .collect();
    queued.sort_by(|a, b| b.minutes.cmp(&a.minutes).then(a.message.cmp(&b.message)));
    let mut flows: BTreeMap<(String, String), Flow> = BTreeMap::new();
    for m in f.message_log.iter().filter(|m| m.from.is_some()) {
        let from_state = m.from_state.clone().unwrap_or_default();
        let flow = flows
            .entry((from_state.clone(), m.to_state.clone()))
            .or_insert_with(|| Flow {
                from_state,
                to_state: m.to_state.clone(),
                sent: 0,
                acknowledged: 0,
                bounced: 0,
                unanswered: 0,
            });
        flow.sent += 1;
        if m.acked_minute.is_some() {
            flow.acknowledged += 1;
        } else if m.status == MessageStatus::Bounced {
            flow.bounced += 1;
        } else {
            flow.unanswered += 1;
        }
    }
    Report {
        title: scenario.meta.title.clone(),
        scenario: scenario.meta.id.clone(),
        seed: sim.seed(),
        hours: f64::from(sim.minute()) / 60.0,
        finished: sim.is_over(),
        teams: scenario
            .teams
            .iter()
            .map(|t| format!("{} ({})", t.name, t.id))
            .collect(),
        truth,
        timeline,
        objectives,
        contacts,
        attribution,
        escalation,
        sectors,
        outcome,
        questions,
        beliefs: Vec::new(),
        clearance,
        queued,
        flows: flows.into_values().collect(),
        branch: None,
        baseline: None,
        evaluation: aar::Evaluation::default(),
        world: String::new(),
        names: display_names(scenario),
    }
}

/// `1st`, `2nd`, `3rd`, `11th`, `92nd`.
pub fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The events that matter in a debrief (incidents, detections, attributions, escalation,
/// red lines, de-escalation, news, questions, objectives, world changes, bounces), with the
/// truth revealed.
pub fn key_events(sim: &Sim) -> Vec<KeyEvent> {
    let minutes = sim.tick_minutes();
    let mut timeline = Vec::new();
    for e in sim.events() {
        let kind = match &e.kind {
            EventKind::IncidentStarted { .. } => "incident",
            EventKind::Detected { .. } => "detection",
            EventKind::PublicAttribution { .. } | EventKind::Demarche { .. } => "attribution",
            EventKind::RungChanged { .. } | EventKind::Retaliation { .. } => "escalation",
            EventKind::RedLineCrossed { .. } => "red-line",
            EventKind::HotlineCall { .. }
            | EventKind::Consultation { .. }
            | EventKind::RestraintStatement { .. }
            | EventKind::RegionalCoordination { .. }
            | EventKind::AssistanceGiven { .. } => "de-escalation",
            EventKind::News { .. } => "news",
            EventKind::Question { .. } => "question",
            EventKind::ObjectiveMet { .. } | EventKind::ObjectiveFailed { .. } => "objective",
            EventKind::WorldChanged { .. } => "world",
            EventKind::Bounced { .. } => "bounce",
            _ => continue,
        };
        let wrongful = matches!(e.kind, EventKind::PublicAttribution { wrongful: true, .. });
        let mut text = sim.describe(e);
        if wrongful {
            text.push_str(" — WRONG: not the true perpetrator");
        }
        timeline.push(KeyEvent {
            minute: e.tick * minutes,
            kind,
            text,
            wrongful,
        });
    }
    timeline
}

/// The scenario's own discussion questions, then questions drawn from what happened.
fn questions(
    scenario: &crate::scenario::Scenario,
    outcome: &Outcome,
    contacts: &[ContactPerformance],
) -> Vec<String> {
    let mut out: Vec<String> = scenario
        .injects
        .iter()
        .filter_map(|i| match &i.kind {
            crate::scenario::InjectKind::Question { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    for b in outcome
        .blame
        .iter()
        .filter(|b| b.public.is_some() && b.public.as_deref() != Some(b.truth.as_str()))
    {
        out.push(format!(
            "{} publicly blamed {} for {}, but it was {}. Which evidence drove that, and what would have had to be shared, and with whom, to avoid it?",
            b.state,
            b.public.clone().unwrap_or_default(),
            b.incident,
            b.truth
        ));
    }
    for c in contacts.iter().filter(|c| c.stale_found) {
        out.push(format!("{} bounced {} time(s). How did the sender find another route, and how should the directory be kept current?", c.contact, c.bounced));
    }
    for p in outcome
        .pairs
        .iter()
        .filter(|p| p.peak >= crate::scenario::Rung::Sanctions)
    {
        out.push(format!("{}–{} reached {}. Which step could have stopped the climb: a consultation, the hotline, a statement of restraint?", p.a, p.b, p.peak.label()));
    }
    for o in outcome.objectives.iter().filter(|o| o.status == "failed") {
        out.push(format!("Missed: “{}”. What stood in the way?", o.title));
    }
    out
}
