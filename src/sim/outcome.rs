//! The outcome of a run: the numbers `run` prints, `sweep` aggregates and reports use.

use super::world::*;
use crate::scenario::Rung;
use bevy_ecs::prelude::World;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who a state blames for an incident at the end, and whether it is right.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blame {
    pub state: String,
    pub incident: String,
    /// The candidate with the highest belief (a state id, or `non-state`).
    pub blamed: String,
    pub probability: f64,
    pub truth: String,
    pub correct: bool,
    /// The state blamed someone publicly for this incident.
    pub public: Option<String>,
}

/// Peak rung of a pair of states.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairOutcome {
    pub a: String,
    pub b: String,
    pub peak: Rung,
    pub final_rung: Rung,
    pub final_tension: f64,
}

/// Message counts and speed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MessageStats {
    pub sent: usize,
    pub delivered: usize,
    pub acknowledged: usize,
    pub bounced: usize,
    pub in_transit: usize,
    /// Mean minutes from sending to acknowledgement, over acknowledged messages.
    pub mean_minutes_to_ack: Option<f64>,
}

/// An objective's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveOutcome {
    pub id: String,
    pub title: String,
    pub team: Option<String>,
    /// `met`, `failed` or `open` (the run stopped before the end).
    pub status: String,
    pub at_minute: Option<u32>,
}

/// An incident's course.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentOutcome {
    pub id: String,
    pub target: String,
    pub culprit: String,
    pub detected_minute: Option<u32>,
    pub contained_minute: Option<u32>,
}

/// The outcome of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub scenario: String,
    pub seed: u64,
    pub minutes: u32,
    pub finished: bool,
    pub incidents: Vec<IncidentOutcome>,
    pub blame: Vec<Blame>,
    pub public_attributions: usize,
    pub wrongful_attributions: usize,
    pub pairs: Vec<PairOutcome>,
    /// Peak rung over all pairs.
    pub peak_rung: Rung,
    /// Downtime per sector in sector-hours (Σ inoperability × hours).
    pub downtime: BTreeMap<String, f64>,
    pub messages: MessageStats,
    pub objectives: Vec<ObjectiveOutcome>,
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Reads the outcome off the world.
pub fn outcome(world: &World, seed: u64) -> Outcome {
    let region = world.resource::<Region>();
    let clock = *world.resource::<Clock>();
    let facts = world.resource::<Facts>();
    let tensions = world.resource::<Tensions>();
    let entities = world.resource::<Entities>();
    let mail = world.resource::<Mailroom>();
    let n = region.non_state();
    let incidents: Vec<Incident> = world
        .resource::<Incidents>()
        .0
        .iter()
        .filter_map(|&e| world.get::<Incident>(e).cloned())
        .collect();
    let minute = |t: u32| t * clock.tick_minutes;
    let mut blame = Vec::new();
    for s in 0..region.n_states() {
        let Some(mind) = world.get::<Mind>(entities.states[s]) else {
            continue;
        };
        for (&inc, belief) in &mind.beliefs {
            let Some(incident) = incidents.get(inc) else {
                continue;
            };
            let (top, p) = belief.iter().enumerate().filter(|(j, _)| *j != s).fold(
                (n, -1.0),
                |acc, (j, &p)| if p > acc.1 { (j, p) } else { acc },
            );
            let truth = incident.culprit.unwrap_or(n);
            let public = facts
                .attributions
                .iter()
                .find(|a| a.1 == s && a.2 == inc)
                .map(|a| region.candidate_id(a.3).to_string());
            blame.push(Blame {
                state: region.states[s].id.clone(),
                incident: incident.id.clone(),
                blamed: region.candidate_id(top).to_string(),
                probability: round(p),
                truth: region.candidate_id(truth).to_string(),
                correct: top == truth,
                public,
            });
        }
    }
    let wrongful = facts
        .attributions
        .iter()
        .filter(|a| {
            incidents
                .get(a.2)
                .is_some_and(|i| i.culprit.unwrap_or(n) != a.3)
        })
        .count();
    let mut pairs = Vec::new();
    for a in 0..region.n_states() {
        for b in (a + 1)..region.n_states() {
            let p = tensions.pair(a, b);
            pairs.push(PairOutcome {
                a: region.states[a].id.clone(),
                b: region.states[b].id.clone(),
                peak: tensions.peak[p],
                final_rung: tensions.rung[p],
                final_tension: round(tensions.level(a, b)),
            });
        }
    }
    let mut downtime = BTreeMap::new();
    for (i, asset) in region.assets.iter().enumerate() {
        *downtime.entry(format!("{:?}", asset.sector)).or_insert(0.0) += facts.downtime_h[i];
    }
    downtime.values_mut().for_each(|v| *v = round(*v));
    let acked: Vec<u32> = mail
        .0
        .iter()
        .filter(|m| m.from_org.is_some())
        .filter_map(|m| m.acked_at.map(|a| minute(a - m.sent)))
        .collect();
    let player_mail: Vec<&Message> = mail.0.iter().filter(|m| m.from_org.is_some()).collect();
    let messages = MessageStats {
        sent: player_mail.len(),
        delivered: player_mail
            .iter()
            .filter(|m| m.status.reached_recipient())
            .count(),
        acknowledged: acked.len(),
        bounced: player_mail
            .iter()
            .filter(|m| m.status == MessageStatus::Bounced)
            .count(),
        in_transit: player_mail
            .iter()
            .filter(|m| {
                matches!(
                    m.status,
                    MessageStatus::AwaitingClearance
                        | MessageStatus::InTransit
                        | MessageStatus::Queued
                )
            })
            .count(),
        mean_minutes_to_ack: (!acked.is_empty())
            .then(|| round(acked.iter().map(|&m| f64::from(m)).sum::<f64>() / acked.len() as f64)),
    };
    let objectives = region
        .objectives
        .iter()
        .enumerate()
        .map(|(i, o)| ObjectiveOutcome {
            id: o.id.clone(),
            title: o.title.clone(),
            team: o.team.clone(),
            status: if facts.met[i].is_some() {
                "met".into()
            } else if facts.failed[i].is_some() {
                "failed".into()
            } else {
                "open".into()
            },
            at_minute: facts.met[i].or(facts.failed[i]).map(minute),
        })
        .collect();
    Outcome {
        scenario: region.scenario_id.clone(),
        seed,
        minutes: clock.minutes(),
        finished: clock.is_over(),
        incidents: incidents
            .iter()
            .map(|i| IncidentOutcome {
                id: i.id.clone(),
                target: region.assets[i.target].id.clone(),
                culprit: region.candidate_id(i.culprit.unwrap_or(n)).to_string(),
                detected_minute: i.detected_at.map(minute),
                contained_minute: i.contained_at.map(minute),
            })
            .collect(),
        blame,
        public_attributions: facts.attributions.len(),
        wrongful_attributions: wrongful,
        peak_rung: tensions.peak.iter().copied().max().unwrap_or(Rung::Routine),
        pairs,
        downtime,
        messages,
        objectives,
    }
}
