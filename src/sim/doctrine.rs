//! 8. Doctrine: how the engine plays every organisation and state no person plays.
//!
//! Short rules shaped by posture and capacity (see `docs/model.md`). The engine acts by
//! issuing the same [`Command`]s a team would, so bots and people share one code path.

use super::command::{self as cmd, Actor, Command};
use super::constants::{self as k, per_tick};
use super::world::*;
use crate::scenario::{Cbm, OrgKind, Posture, Rung};
use bevy_ecs::prelude::World;
use rand::RngExt;

/// Runs the doctrine of every engine-played state, in state order.
pub fn play_doctrine(world: &mut World) {
    let region = world.resource::<Region>().clone();
    let players = world.resource::<Players>().clone();
    for s in 0..region.n_states() {
        if !players.engine_plays_state(&region, s) {
            continue;
        }
        communication_check(world, &region, s);
        cert_doctrine(world, &region, s);
        ministry_doctrine(world, &region, s);
    }
}

/// The few things the doctrine remembers, copied out of a state's mind.
struct Memory {
    notified: std::collections::BTreeSet<usize>,
    shared_upto: std::collections::BTreeMap<usize, usize>,
    asked_assistance: std::collections::BTreeSet<usize>,
    steps: std::collections::BTreeMap<(Step, usize), u32>,
    accused: std::collections::BTreeSet<(usize, usize)>,
}

/// A regional body runs the communication checks its objectives ask for, at the start: it
/// notifies each contact listed in an `AcknowledgeWithin` objective set for its team (or for
/// the whole exercise) and asks for an acknowledgement, as CERT networks do in their drills.
fn communication_check(world: &mut World, region: &Region, s: usize) {
    if world.resource::<Clock>().tick != 1 {
        return;
    }
    let bodies: Vec<usize> = region.states[s]
        .orgs
        .iter()
        .copied()
        .filter(|&o| region.orgs[o].kind == OrgKind::RegionalBody)
        .collect();
    for body in bodies {
        let team = region.orgs[body].team.map(|t| region.teams[t].id.clone());
        let mut to: Vec<String> = Vec::new();
        for objective in &region.objectives {
            if objective.team != team {
                continue;
            }
            if let crate::scenario::Criterion::AcknowledgeWithin { contacts, .. } =
                &objective.criterion
            {
                let listed: Vec<String> = if contacts.is_empty() {
                    region
                        .contacts
                        .iter()
                        .filter(|c| c.org != body)
                        .map(|c| c.id.clone())
                        .collect()
                } else {
                    contacts.clone()
                };
                for c in listed {
                    if !to.contains(&c) {
                        to.push(c);
                    }
                }
            }
        }
        if !to.is_empty() {
            let actor = Actor {
                state: s,
                team: region.orgs[body].team,
            };
            let _ = cmd::apply(
                world,
                actor,
                &Command::Notify {
                    to,
                    incident: None,
                    text: "Communication check: please acknowledge this message.".into(),
                },
            );
        }
    }
}

fn mind(world: &World, s: usize) -> Memory {
    let e = world.resource::<Entities>().states[s];
    let m = world.get::<Mind>(e);
    Memory {
        notified: m.map(|m| m.notified.clone()).unwrap_or_default(),
        shared_upto: m.map(|m| m.shared_upto.clone()).unwrap_or_default(),
        asked_assistance: m.map(|m| m.asked_assistance.clone()).unwrap_or_default(),
        steps: m.map(|m| m.steps.clone()).unwrap_or_default(),
        accused: m.map(|m| m.accused.clone()).unwrap_or_default(),
    }
}

/// The strongest belief that `b` attacked `s`, over incidents against `s`.
fn strongest_belief(world: &World, s: usize, b: usize) -> (f64, Option<usize>) {
    let e = world.resource::<Entities>().states[s];
    let Some(m) = world.get::<Mind>(e) else {
        return (0.0, None);
    };
    m.beliefs
        .iter()
        .filter(|(inc, _)| victim_of(world, **inc) == s)
        .map(|(inc, p)| (p[b], *inc))
        .fold(
            (0.0, None),
            |acc, (p, inc)| if p > acc.0 { (p, Some(inc)) } else { acc },
        )
}

fn edit_mind(world: &mut World, s: usize, f: impl FnOnce(&mut Mind)) {
    let e = world.resource::<Entities>().states[s];
    if let Some(mut m) = world.get_mut::<Mind>(e) {
        f(&mut m);
    }
}

fn chance(world: &mut World, hazard: f64) -> bool {
    let minutes = world.resource::<Clock>().tick_minutes;
    world
        .resource_mut::<SimRng>()
        .0
        .random_bool(per_tick(hazard, minutes).clamp(0.0, 1.0))
}

/// The contact of an organisation this state would use: not known to be stale, a direct
/// channel before a diplomatic note.
fn reachable_contact(world: &World, region: &Region, state: usize, org: usize) -> Option<usize> {
    let entities = world.resource::<Entities>();
    let mut options: Vec<usize> = region.orgs[org]
        .contacts
        .iter()
        .copied()
        .filter(|&c| {
            world
                .get::<ContactStatus>(entities.contacts[c])
                .is_none_or(|st| !st.known_stale_by.contains(&state))
        })
        .collect();
    options.sort_by_key(|&c| (!cmd::is_direct(region.contacts[c].channel), c));
    options.first().copied()
}

fn incident_id(world: &World, inc: usize) -> String {
    let e = world.resource::<Incidents>().0[inc];
    world
        .get::<Incident>(e)
        .map_or_else(String::new, |i| i.id.clone())
}

fn victim_of(world: &World, inc: usize) -> usize {
    let e = world.resource::<Incidents>().0[inc];
    world.get::<Incident>(e).map_or(0, |i| i.victim)
}

fn best(region: &Region, s: usize, f: impl Fn(&crate::scenario::Capacity) -> f64) -> f64 {
    region.states[s]
        .orgs
        .iter()
        .map(|&o| f(&region.orgs[o].capacity))
        .fold(0.0, f64::max)
}

/// A national CERT: notify neighbours and the regional body, share evidence, ask for help.
fn cert_doctrine(world: &mut World, region: &Region, s: usize) {
    let Some(cert) = region.states[s].cert else {
        return;
    };
    let actor = Actor {
        state: s,
        team: None,
    };
    let respond = region.orgs[cert].capacity.respond;
    let known: Vec<(usize, Known)> = {
        let e = world.resource::<Entities>().states[s];
        world
            .get::<Mind>(e)
            .map(|m| m.known.iter().map(|(i, k)| (*i, *k)).collect())
            .unwrap_or_default()
    };
    for (inc, known_how) in known {
        let id = incident_id(world, inc);
        let victim = victim_of(world, inc);
        let m = mind(world, s);
        // Notify: the victim's CERT, once it has detected the incident itself, tells the
        // regional body and the CERTs it has notification arrangements with or whose
        // infrastructure depends on the attacked asset.
        if victim == s
            && known_how.detected_by.is_some()
            && !m.notified.contains(&inc)
            && chance(world, 0.5 + respond)
        {
            let target = world
                .get::<Incident>(world.resource::<Incidents>().0[inc])
                .map_or(0, |i| i.target);
            let mut recipients = Vec::new();
            for (o, org) in region.orgs.iter().enumerate() {
                let other = org.state;
                let wanted = match org.kind {
                    OrgKind::RegionalBody => true,
                    OrgKind::NationalCert if other != s => {
                        has_cbm(region, s, other, Cbm::IncidentNotification)
                            || has_cbm(region, s, other, Cbm::CertCooperation)
                            || region.assets.iter().any(|a| {
                                a.state == other && a.depends_on.iter().any(|d| d.0 == target)
                            })
                    }
                    _ => false,
                };
                if wanted && let Some(c) = reachable_contact(world, region, s, o) {
                    recipients.push(region.contacts[c].id.clone());
                }
            }
            edit_mind(world, s, |m| {
                m.notified.insert(inc);
            });
            if !recipients.is_empty() {
                let _ = cmd::apply(
                    world,
                    actor,
                    &Command::Notify {
                        to: recipients,
                        incident: Some(id.clone()),
                        text: format!("We are handling incident {id}. Indicators follow."),
                    },
                );
            }
        }
        // Share: new evidence goes to the regional body and to the victim (or, for the
        // victim, to the most capable CERT in the region), at traffic-light Amber.
        let held = cmd::evidence_assessed(world, s, inc);
        let already = m.shared_upto.get(&inc).copied().unwrap_or(0);
        if held.len() > already && chance(world, 0.3 + respond) {
            let mut to_orgs = Vec::new();
            if victim != s {
                to_orgs.extend(region.states[victim].cert);
            } else if let Some(best_cert) = (0..region.n_states())
                .filter(|&o| o != s)
                .filter_map(|o| region.states[o].cert)
                .max_by(|&a, &b| {
                    region.orgs[a]
                        .capacity
                        .analyse
                        .total_cmp(&region.orgs[b].capacity.analyse)
                })
            {
                to_orgs.push(best_cert);
            }
            to_orgs.extend(
                region
                    .orgs
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| o.kind == OrgKind::RegionalBody && o.state != s)
                    .map(|(i, _)| i),
            );
            let to: Vec<String> = to_orgs
                .into_iter()
                .filter_map(|o| reachable_contact(world, region, s, o))
                .map(|c| region.contacts[c].id.clone())
                .collect();
            edit_mind(world, s, |m| {
                m.shared_upto.insert(inc, held.len());
            });
            if !to.is_empty() {
                let _ = cmd::apply(
                    world,
                    actor,
                    &Command::ShareEvidence {
                        to,
                        incident: id.clone(),
                        level: Tlp::Amber,
                    },
                );
            }
        }
        // Ask: a weak victim CERT asks the most capable CERT it is on good terms with.
        let analyse = best(region, s, |c| c.analyse);
        if victim == s && analyse < k::ASK_ASSISTANCE_BELOW && !m.asked_assistance.contains(&inc) {
            let levels: Vec<f64> = {
                let t = world.resource::<Tensions>();
                (0..region.n_states()).map(|o| t.level(s, o)).collect()
            };
            let helper = (0..region.n_states())
                .filter(|&o| o != s && levels[o] < 0.5)
                .filter_map(|o| region.states[o].cert)
                .max_by(|&a, &b| {
                    region.orgs[a]
                        .capacity
                        .analyse
                        .total_cmp(&region.orgs[b].capacity.analyse)
                });
            edit_mind(world, s, |m| {
                m.asked_assistance.insert(inc);
            });
            if let Some(h) = helper
                && let Some(c) = reachable_contact(world, region, s, h)
            {
                let _ = cmd::apply(
                    world,
                    actor,
                    &Command::RequestAssistance {
                        to: region.contacts[c].id.clone(),
                        incident: id.clone(),
                    },
                );
            }
        }
    }
}

fn due(m: &Memory, step: Step, other: usize, now: u32, every_ticks: u32) -> bool {
    m.steps
        .get(&(step, other))
        .is_none_or(|&t| now >= t + every_ticks)
}

/// A foreign ministry: démarche, public attribution, retaliation, and the de-escalation
/// moves (hotline, consultation, restraint), by posture.
fn ministry_doctrine(world: &mut World, region: &Region, s: usize) {
    let actor = Actor {
        state: s,
        team: None,
    };
    let clock = *world.resource::<Clock>();
    let posture = cmd::posture_of(world, s);
    let theta = k::blame_threshold(posture);
    let day = clock.ticks_for(24 * 60);
    let six_hours = clock.ticks_for(6 * 60);
    for b in 0..region.n_states() {
        if b == s {
            continue;
        }
        let (belief, incident) = strongest_belief(world, s, b);
        let (h, level, hotline_ok) = {
            let t = world.resource::<Tensions>();
            let pair = t.pair(s, b);
            (
                t.get(s, b),
                t.level(s, b),
                t.hotline[pair] && t.hotline_up[pair],
            )
        };
        let accused_by_b = world
            .resource::<Facts>()
            .attributions
            .iter()
            .any(|&(_, by, _, blamed, _)| by == b && blamed == s);
        // Nothing against us from b, calm relations, no accusation: nothing to do.
        if incident.is_none() && level < k::DEESCALATE_FROM && !accused_by_b {
            continue;
        }
        let m = mind(world, s);
        let ministry_contact = region.states[b]
            .ministry
            .and_then(|o| reachable_contact(world, region, s, o));
        if let Some(inc) = incident {
            let id = incident_id(world, inc);
            if belief >= theta
                && h >= k::rung_threshold(Rung::Concern)
                && due(&m, Step::Demarche, b, clock.tick, day)
                && let Some(c) = ministry_contact
                && chance(world, k::DIPLOMATIC_STEP_RATE)
            {
                edit_mind(world, s, |m| {
                    m.steps.insert((Step::Demarche, b), clock.tick);
                });
                let _ = cmd::apply(
                    world,
                    actor,
                    &Command::Demarche {
                        to: region.contacts[c].id.clone(),
                        text: format!("We hold you responsible for {id}."),
                    },
                );
            }
            if belief >= theta
                && h >= k::rung_threshold(Rung::Demarche)
                && !m.accused.contains(&(inc, b))
                && chance(world, k::DIPLOMATIC_STEP_RATE)
            {
                let _ = cmd::apply(
                    world,
                    actor,
                    &Command::PublicAttribution {
                        incident: id.clone(),
                        blame: region.states[b].id.clone(),
                    },
                );
            }
            if let Some(from) = k::retaliate_from(posture)
                && belief >= theta
                && h >= from
                && due(&m, Step::Retaliation, b, clock.tick, day)
                && let Some(target) = retaliation_target(region, b, posture)
                && chance(world, k::DIPLOMATIC_STEP_RATE)
            {
                edit_mind(world, s, |m| {
                    m.steps.insert((Step::Retaliation, b), clock.tick);
                });
                let _ = cmd::apply(
                    world,
                    actor,
                    &Command::Retaliate {
                        target: region.assets[target].id.clone(),
                    },
                );
            }
            // Unsure: ask for consultations rather than accuse.
            if (0.3..theta).contains(&belief)
                && level >= k::DEESCALATE_FROM
                && due(&m, Step::Consultation, b, clock.tick, day)
                && let Some(c) = ministry_contact
                && chance(world, k::DIPLOMATIC_STEP_RATE)
            {
                edit_mind(world, s, |m| {
                    m.steps.insert((Step::Consultation, b), clock.tick);
                });
                let _ = cmd::apply(
                    world,
                    actor,
                    &Command::RequestConsultation {
                        to: region.contacts[c].id.clone(),
                        text: format!("We seek clarification about {id}."),
                    },
                );
            }
        }
        // High tension: reach for the hotline, more readily the more restrained the state.
        let willingness = match posture {
            Posture::Restrained => 1.5,
            Posture::Cautious => 1.0,
            Posture::Assertive => 0.3,
        };
        if level >= k::DEESCALATE_FROM
            && hotline_ok
            && due(&m, Step::Hotline, b, clock.tick, six_hours)
            && chance(world, k::HOTLINE_RATE * willingness)
        {
            edit_mind(world, s, |m| {
                m.steps.insert((Step::Hotline, b), clock.tick);
            });
            let _ = cmd::apply(
                world,
                actor,
                &Command::HotlineCall {
                    state: region.states[b].id.clone(),
                },
            );
        }
        // Accused by b: restrained and cautious states state restraint.

        if accused_by_b
            && posture != Posture::Assertive
            && due(&m, Step::Restraint, b, clock.tick, day)
        {
            edit_mind(world, s, |m| {
                m.steps.insert((Step::Restraint, b), clock.tick);
            });
            let _ = cmd::apply(
                world,
                actor,
                &Command::RestraintStatement {
                    text: "We had no part in this and call for calm.".into(),
                },
            );
        }
    }
}

/// The asset an engine state would hit: the most critical one of the other state that is not
/// a safe zone (and, for a cautious state, not in a red-line sector of the other).
fn retaliation_target(region: &Region, b: usize, posture: Posture) -> Option<usize> {
    let other = &region.states[b];
    region
        .assets
        .iter()
        .enumerate()
        .filter(|(_, a)| a.state == b && !a.safe_zone)
        .filter(|(_, a)| {
            posture == Posture::Assertive || !other.red_line_sectors.contains(&a.sector)
        })
        .max_by(|x, y| {
            x.1.criticality
                .total_cmp(&y.1.criticality)
                .then(y.0.cmp(&x.0))
        })
        .map(|(i, _)| i)
}
