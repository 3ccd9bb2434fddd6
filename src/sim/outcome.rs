//! The outcome of a run: the numbers `run` prints, `sweep` aggregates and reports use.

use super::world::*;
use crate::scenario::Rung;
use bevy_ecs::prelude::World;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who a state blames for an incident at the end, and whether it is right. Listed when the
/// state has a suspect (its evidence lifted someone above the prior) or blamed publicly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blame {
    pub state: String,
    pub incident: String,
    /// The top suspect (a state id, a group's actor id, or `non-state`); none while the
    /// state's belief is still its prior.
    pub blamed: Option<String>,
    pub probability: f64,
    /// The responsible party (the sponsor state, or the group).
    pub truth: String,
    /// The top suspect is the responsible party or the group that carried it out; none
    /// without a suspect.
    pub correct: Option<bool>,
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
    /// How many times the pair changed rung.
    pub rung_changes: usize,
}

/// Message counts and speed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MessageStats {
    pub sent: usize,
    pub delivered: usize,
    pub acknowledged: usize,
    pub bounced: usize,
    pub in_transit: usize,
    /// Shares of sent messages acknowledged within 1, 2 and 4 hours of sending (a message
    /// never acknowledged counts against, it is not left out).
    pub acked_within_1h: f64,
    pub acked_within_2h: f64,
    pub acked_within_4h: f64,
    /// Kaplan–Meier median minutes from sending to acknowledgement, with messages not
    /// acknowledged (bounced, refused, still waiting) censored at the end; none when fewer
    /// than half are ever acknowledged.
    pub median_minutes_to_ack: Option<f64>,
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
    /// Why, once decided: a stable code (`held-for-clearance`, `bounced`, …) and a sentence.
    pub cause: Option<String>,
    pub reason: Option<String>,
}

/// An incident's course.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentOutcome {
    pub id: String,
    pub target: String,
    pub culprit: String,
    pub detected_minute: Option<u32>,
    pub contained_minute: Option<u32>,
    /// Minutes from its start until a state other than the victim first received notice of
    /// it (a notification, shared evidence or a regional call).
    pub first_notice_abroad_minute: Option<u32>,
}

/// An inject and when it fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiredInject {
    pub id: String,
    pub fired_minute: Option<u32>,
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
    /// The earliest `first_notice_abroad_minute` over incidents.
    pub first_notice_abroad_minute: Option<u32>,
    /// Every inject, in scenario order, with the minute it fired (none: it did not).
    pub injects: Vec<FiredInject>,
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
    let mail = world.resource::<Mailroom>();
    let incidents = &world.resource::<Incidents>().0;
    let minute = |t: u32| t * clock.tick_minutes;
    let mut blame = Vec::new();
    for s in 0..region.n_states() {
        let mind = &world.resource::<Minds>().0[s];
        for (&inc, belief) in &mind.beliefs {
            let Some(incident) = incidents.get(inc) else {
                continue;
            };
            let public = facts
                .attributions
                .iter()
                .find(|a| a.1 == s && a.2 == inc)
                .map(|a| region.candidate_id(a.3).to_string());
            let top = belief.top();
            if top.is_none() && public.is_none() {
                continue;
            }
            blame.push(Blame {
                state: region.states[s].id.clone(),
                incident: incident.id.clone(),
                blamed: top.map(|(j, _)| region.candidate_id(j).to_string()),
                probability: top.map_or(0.0, |(_, p)| round(p)),
                truth: region.candidate_id(incident.responsible).to_string(),
                correct: top.map(|(j, _)| incident.is_true(j)),
                public,
            });
        }
    }
    let wrongful = facts
        .attributions
        .iter()
        .filter(|a| incidents.get(a.2).is_some_and(|i| !i.is_true(a.3)))
        .count();

    let mut rung_changes = vec![0usize; tensions.rung.len()];
    for e in &world.resource::<super::event::EventLog>().0 {
        if let super::event::EventKind::RungChanged { a, b, .. } = e.kind {
            rung_changes[tensions.pair(a, b)] += 1;
        }
    }
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
                rung_changes: rung_changes[p],
            });
        }
    }
    let mut downtime = BTreeMap::new();
    for (i, asset) in region.assets.iter().enumerate() {
        *downtime.entry(format!("{:?}", asset.sector)).or_insert(0.0) += facts.downtime_h[i];
    }
    downtime.values_mut().for_each(|v| *v = round(*v));
    let player_mail: Vec<&Message> = mail.0.iter().filter(|m| m.from_org.is_some()).collect();
    let waited: Vec<(u32, bool)> = player_mail
        .iter()
        .map(|m| match m.acked_at {
            Some(a) => (minute(a - m.sent), true),
            None => (minute(clock.tick.saturating_sub(m.sent)), false),
        })
        .collect();
    let within = |hours: u32| {
        if player_mail.is_empty() {
            return 0.0;
        }
        let n = waited
            .iter()
            .filter(|(t, acked)| *acked && *t <= hours * 60)
            .count();
        round(n as f64 / player_mail.len() as f64)
    };
    let [h1, h2, h4] = super::constants::ACK_WITHIN_H;
    let messages = MessageStats {
        sent: player_mail.len(),
        delivered: player_mail
            .iter()
            .filter(|m| m.status.reached_recipient())
            .count(),
        acknowledged: waited.iter().filter(|w| w.1).count(),
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
        acked_within_1h: within(h1),
        acked_within_2h: within(h2),
        acked_within_4h: within(h4),
        median_minutes_to_ack: kaplan_meier_median(&waited).map(f64::from),
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
            cause: facts.reasons[i]
                .as_ref()
                .map(|r| r.code.as_str().to_string()),
            reason: facts.reasons[i].as_ref().map(|r| r.full()),
        })
        .collect();
    let notice_abroad: Vec<Option<u32>> = incidents
        .iter()
        .map(|i| {
            facts
                .notifications
                .iter()
                .filter(|n| n.incident == i.ix && n.to_state != i.victim)
                .map(|n| minute(n.tick.saturating_sub(i.start)))
                .min()
        })
        .collect();
    Outcome {
        scenario: region.scenario_id.clone(),
        seed,
        minutes: clock.minutes(),
        finished: clock.is_over(),
        first_notice_abroad_minute: notice_abroad.iter().flatten().copied().min(),
        injects: region
            .injects
            .iter()
            .zip(&facts.fired)
            .map(|(inject, fired)| FiredInject {
                id: inject.id.clone(),
                fired_minute: fired.map(minute),
            })
            .collect(),
        incidents: incidents
            .iter()
            .zip(&notice_abroad)
            .map(|(i, notice)| IncidentOutcome {
                id: i.id.clone(),
                target: region.assets[i.target].id.clone(),
                culprit: region.candidate_id(i.responsible).to_string(),
                detected_minute: i.detected_at.map(minute),
                contained_minute: i.contained_at.map(minute),
                first_notice_abroad_minute: *notice,
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

/// The Kaplan–Meier median of (time, event) pairs, where `event` false means censored at
/// that time: the first time at which the estimated share still waiting falls to one half.
pub fn kaplan_meier_median(samples: &[(u32, bool)]) -> Option<u32> {
    let mut sorted = samples.to_vec();
    // Events before censorings at the same time (the usual convention).
    sorted.sort_by_key(|&(t, event)| (t, !event));
    let mut at_risk = sorted.len();
    let mut surviving = 1.0f64;
    let mut i = 0;
    while i < sorted.len() {
        let t = sorted[i].0;
        let (mut events, mut leaving) = (0usize, 0usize);
        while i < sorted.len() && sorted[i].0 == t {
            events += usize::from(sorted[i].1);
            leaving += 1;
            i += 1;
        }
        if events > 0 {
            surviving *= 1.0 - events as f64 / at_risk as f64;
            if surviving <= 0.5 {
                return Some(t);
            }
        }
        at_risk -= leaving;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::kaplan_meier_median;

    #[test]
    fn median_of_uncensored_times() {
        let s = [(10, true), (20, true), (30, true), (40, true)];
        assert_eq!(kaplan_meier_median(&s), Some(20));
    }

    #[test]
    fn censored_messages_are_not_left_out() {
        // Two fast acknowledgements and three never acknowledged: fewer than half ever
        // are, so there is no median (a mean over the acknowledged would say 10 minutes).
        let s = [
            (5, true),
            (15, true),
            (600, false),
            (600, false),
            (600, false),
        ];
        assert_eq!(kaplan_meier_median(&s), None);
        // With one more acknowledgement, half are acknowledged by 300 minutes.
        let s = [
            (5, true),
            (15, true),
            (300, true),
            (600, false),
            (600, false),
            (600, false),
        ];
        assert_eq!(kaplan_meier_median(&s), Some(300));
    }

    #[test]
    fn empty_has_no_median() {
        assert_eq!(kaplan_meier_median(&[]), None);
    }
}
