//! Objectives (system 11): each criterion is decided live, met or failed as soon as it can
//! be, and the rest at the end of the exercise.

use super::event::{Audience, EventKind, EventLog};
use super::world::*;
use crate::scenario::Criterion;
use bevy_ecs::prelude::World;

/// Whether an objective is met, failed or still open now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Open,
    Met,
    Failed,
}

/// Evaluates every undecided objective.
pub fn evaluate_objectives(world: &mut World) {
    let clock = *world.resource::<Clock>();
    let region = world.resource::<Region>().clone();
    for (i, objective) in region.objectives.iter().enumerate() {
        {
            let facts = world.resource::<Facts>();
            if facts.met[i].is_some() || facts.failed[i].is_some() {
                continue;
            }
        }
        let verdict = judge(world, &region, &objective.criterion, clock);
        let team_state = objective
            .team
            .as_ref()
            .and_then(|t| match region.ids.get(t) {
                Some(Ref::Team(t)) => Some(region.teams[*t].state),
                _ => None,
            });
        let audience = team_state.map_or(Audience::Public, |s| Audience::States(vec![s]));
        match verdict {
            Verdict::Met => {
                world.resource_mut::<Facts>().met[i] = Some(clock.tick);
                world.resource_mut::<EventLog>().push(
                    clock.tick,
                    EventKind::ObjectiveMet { objective: i },
                    audience,
                );
            }
            Verdict::Failed => {
                world.resource_mut::<Facts>().failed[i] = Some(clock.tick);
                world.resource_mut::<EventLog>().push(
                    clock.tick,
                    EventKind::ObjectiveFailed { objective: i },
                    audience,
                );
            }
            Verdict::Open => {}
        }
    }
}

fn incident_of(world: &World, region: &Region, inject: &str) -> Option<Incident> {
    let i = region.inject_index(inject)?;
    let ix = *world.resource::<Facts>().incident_of_inject.get(&i)?;
    world
        .get::<Incident>(world.resource::<Incidents>().0[ix])
        .cloned()
}

fn known_since(world: &World, state: usize, incident: usize) -> Option<u32> {
    let e = world.resource::<Entities>().states[state];
    world.get::<Mind>(e)?.known.get(&incident).map(|k| k.since)
}

/// The verdict of one criterion now.
pub fn judge(world: &World, region: &Region, criterion: &Criterion, clock: Clock) -> Verdict {
    let at_end = clock.is_over();
    let facts = world.resource::<Facts>();
    let decide = |met: bool, failed: bool| {
        if met {
            Verdict::Met
        } else if failed || at_end {
            Verdict::Failed
        } else {
            Verdict::Open
        }
    };
    match criterion {
        Criterion::DetectWithin {
            incident,
            by,
            within,
        } => {
            let (Some(inc), Some(state)) = (
                incident_of(world, region, incident),
                region.state_of_ref(by),
            ) else {
                return decide(false, false);
            };
            let deadline = inc.start + clock.ticks_for(within.minutes());
            let since = known_since(world, state, inc.ix);
            decide(since.is_some_and(|t| t <= deadline), clock.tick > deadline)
        }
        Criterion::NotifyWithin {
            incident,
            from,
            to,
            within,
        } => {
            let (Some(inc), Some(from)) = (
                incident_of(world, region, incident),
                region.state_of_ref(from),
            ) else {
                return decide(false, false);
            };
            let Some(since) = known_since(world, from, inc.ix) else {
                return decide(false, false);
            };
            let deadline = since + clock.ticks_for(within.minutes());
            let all = to.iter().filter_map(|t| region.state_of_ref(t)).all(|t| {
                facts
                    .notifications
                    .iter()
                    .any(|&(tick, f, s, i)| f == from && s == t && i == inc.ix && tick <= deadline)
            });
            decide(all, clock.tick > deadline)
        }
        Criterion::AcknowledgeWithin {
            contacts,
            within,
            share,
        } => {
            let listed: Vec<usize> = if contacts.is_empty() {
                (0..region.contacts.len()).collect()
            } else {
                contacts
                    .iter()
                    .filter_map(|c| match region.ids.get(c) {
                        Some(Ref::Contact(c)) => Some(*c),
                        _ => None,
                    })
                    .collect()
            };
            let limit = clock.ticks_for(within.minutes());
            let mail = world.resource::<Mailroom>();
            let in_time = listed
                .iter()
                .filter(|&&c| {
                    mail.0.iter().any(|m| {
                        m.to_contact == c
                            && m.from_state.is_some()
                            && m.acked_at.is_some_and(|a| a <= m.sent + limit)
                    })
                })
                .count();
            decide(
                !listed.is_empty() && in_time as f64 >= share * listed.len() as f64,
                false,
            )
        }
        Criterion::EvidenceBeforeAttribution { state } => {
            let Some(s) = region.state_of_ref(state) else {
                return decide(false, false);
            };
            let first_attribution = facts
                .attributions
                .iter()
                .filter(|a| a.1 == s)
                .map(|a| a.0)
                .min();
            let first_share = facts
                .shared
                .iter()
                .filter(|(from, to, _)| {
                    region.orgs[*from].state == s && region.orgs[*to].state != s
                })
                .map(|x| x.2)
                .min();
            let failed = first_attribution.is_some_and(|a| first_share.is_none_or(|sh| sh > a));
            if failed {
                Verdict::Failed
            } else if at_end {
                Verdict::Met
            } else {
                Verdict::Open
            }
        }
        Criterion::NoWrongfulAttribution { state } => {
            let Some(s) = region.state_of_ref(state) else {
                return decide(false, false);
            };
            let n = region.non_state();
            let wrong =
                facts
                    .attributions
                    .iter()
                    .filter(|a| a.1 == s)
                    .any(|&(_, _, inc, blamed, _)| {
                        let truth = world
                            .get::<Incident>(world.resource::<Incidents>().0[inc])
                            .and_then(|i| i.culprit)
                            .unwrap_or(n);
                        blamed != truth
                    });
            if wrong {
                Verdict::Failed
            } else if at_end {
                Verdict::Met
            } else {
                Verdict::Open
            }
        }
        Criterion::PeakRungAtMost { between, rung } => {
            let t = world.resource::<Tensions>();
            let exceeded = match between {
                Some((a, b)) => match (region.state_of_ref(a), region.state_of_ref(b)) {
                    (Some(a), Some(b)) => t.peak[t.pair(a, b)] > *rung,
                    _ => false,
                },
                None => t.peak.iter().any(|p| p > rung),
            };
            if exceeded {
                Verdict::Failed
            } else if at_end {
                Verdict::Met
            } else {
                Verdict::Open
            }
        }
        Criterion::DowntimeBelow {
            sector,
            state,
            hours,
        } => {
            let s = state.as_ref().and_then(|s| region.state_of_ref(s));
            let total: f64 = region
                .assets
                .iter()
                .enumerate()
                .filter(|(_, a)| {
                    sector.is_none_or(|x| a.sector == x) && s.is_none_or(|x| a.state == x)
                })
                .map(|(i, _)| facts.downtime_h[i])
                .sum();
            if total > *hours {
                Verdict::Failed
            } else if at_end {
                Verdict::Met
            } else {
                Verdict::Open
            }
        }
    }
}
