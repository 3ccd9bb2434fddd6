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

/// Runs the doctrine of every engine-played state, in state order, then of every
/// engine-played regional body.
pub fn play_doctrine(world: &mut World) {
    let region = world.resource::<Region>().clone();
    let players = world.resource::<Players>().clone();
    for s in 0..region.n_states() {
        if !players.engine_plays_state(&region, s) {
            continue;
        }
        cert_doctrine(world, &region, s);
        ministry_doctrine(world, &region, s);
    }
    for body in 0..region.orgs.len() {
        if region.orgs[body].kind == OrgKind::RegionalBody && players.engine_plays(&region, body) {
            communication_check(world, &region, body);
            convene_doctrine(world, &region, body);
        }
    }
}

/// The actor for a regional body: it speaks as itself.
fn body_actor(region: &Region, body: usize) -> Actor {
    Actor {
        state: region.orgs[body].state,
        team: region.orgs[body].team,
        org: Some(body),
    }
}

/// A regional body runs the communication checks its objectives ask for, at the start: it
/// notifies each contact listed in an `AcknowledgeWithin` objective set for its team (or for
/// the whole exercise), other than its own, and asks for an acknowledgement, as CERT
/// networks do in their drills.
fn communication_check(world: &mut World, region: &Region, body: usize) {
    if world.resource::<Clock>().tick != 1 {
        return;
    }
    let team = region.orgs[body].team.map(|t| region.teams[t].id.clone());
    let mut to: Vec<String> = Vec::new();
    for objective in &region.objectives {
        if objective.team != team {
            continue;
        }
        if let crate::scenario::Criterion::AcknowledgeWithin { contacts, .. } = &objective.criterion
        {
            let listed: Vec<&str> = if contacts.is_empty() {
                region.contacts.iter().map(|c| c.id.as_str()).collect()
            } else {
                contacts.iter().map(String::as_str).collect()
            };
            for c in listed {
                let own = matches!(region.ids.get(c), Some(Ref::Contact(x)) if region.contacts[*x].org == body);
                if !own && !to.iter().any(|x| x == c) {
                    to.push(c.to_string());
                }
            }
        }
    }
    if !to.is_empty() {
        let _ = cmd::apply(
            world,
            body_actor(region, body),
            &Command::Notify {
                to,
                incident: None,
                text: "Communication check: please acknowledge this message.".into(),
            },
        );
    }
}

/// A regional body convenes regional coordination, once per incident it has been told of,
/// when the incident touches two states or more (its victim and a state whose assets depend
/// on the target, or another victim of the same actor) or the victim is in a tense pair.
fn convene_doctrine(world: &mut World, region: &Region, body: usize) {
    let host = region.orgs[body].state;
    let (known, convened) = {
        let e = world.resource::<Entities>().states[host];
        world.get::<Mind>(e).map_or_else(Default::default, |m| {
            (
                m.known.keys().copied().collect::<Vec<_>>(),
                m.convened.clone(),
            )
        })
    };
    let incidents: Vec<Incident> = known
        .iter()
        .filter_map(|&i| {
            world
                .get::<Incident>(world.resource::<Incidents>().0[i])
                .cloned()
        })
        .collect();
    for inc in &incidents {
        if convened.contains(&inc.ix) {
            continue;
        }
        let exposed = region
            .assets
            .iter()
            .any(|a| a.state != inc.victim && a.depends_on.iter().any(|d| d.0 == inc.target));
        let spread = incidents
            .iter()
            .any(|o| o.victim != inc.victim && o.actor.is_some() && o.actor == inc.actor);
        let tense = {
            let t = world.resource::<Tensions>();
            (0..region.n_states())
                .any(|o| o != inc.victim && t.level(inc.victim, o) >= k::DEESCALATE_FROM)
        };
        if !(exposed || spread || tense) || !chance(world, k::CONVENE_RATE) {
            continue;
        }
        edit_mind(world, host, |m| {
            m.convened.insert(inc.ix);
        });
        let _ = cmd::apply(
            world,
            body_actor(region, body),
            &Command::ConveneRegional {
                incident: Some(inc.id.clone()),
            },
        );
    }
}

/// The strongest belief that `b` attacked `s`, over incidents against `s` where `s` has a
/// suspect (a belief still at its prior does not count).
fn strongest_belief(world: &World, s: usize, b: usize) -> (f64, Option<usize>) {
    let e = world.resource::<Entities>().states[s];
    let Some(m) = world.get::<Mind>(e) else {
        return (0.0, None);
    };
    m.beliefs
        .iter()
        .filter(|(inc, belief)| belief.formed && victim_of(world, **inc) == s)
        .map(|(inc, belief)| (belief.p[b], *inc))
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

fn read_mind<T>(world: &World, s: usize, f: impl FnOnce(&Mind) -> T) -> Option<T> {
    let e = world.resource::<Entities>().states[s];
    world.get::<Mind>(e).map(f)
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
    let tensions = world.resource::<Tensions>();
    let mut options: Vec<usize> = region.orgs[org]
        .contacts
        .iter()
        .copied()
        .filter(|&c| {
            world
                .get::<ContactStatus>(entities.contacts[c])
                .is_none_or(|st| !st.known_stale_by.contains(&state))
        })
        // A hotline handset only while the circuit between the two works.
        .filter(|&c| {
            let other = region.contacts[c].state;
            region.contacts[c].channel != crate::scenario::Channel::Hotline
                || (other != state && {
                    let p = tensions.pair(state, other);
                    tensions.hotline[p] && tensions.hotline_up[p]
                })
        })
        .collect();
    options.sort_by_key(|&c| (!cmd::is_direct(region.contacts[c].channel), c));
    options.first().copied()
}

fn incident(world: &World, inc: usize) -> Option<Incident> {
    let e = world.resource::<Incidents>().0[inc];
    world.get::<Incident>(e).cloned()
}

fn victim_of(world: &World, inc: usize) -> usize {
    let e = world.resource::<Incidents>().0[inc];
    world.get::<Incident>(e).map_or(0, |i| i.victim)
}

/// The national CERT (other than `s`'s) with the highest analyse capacity among `states`.
fn most_capable_cert(region: &Region, states: impl Iterator<Item = usize>) -> Option<usize> {
    states
        .filter_map(|o| region.states[o].cert)
        .fold(None, |best: Option<usize>, c| match best {
            Some(b) if region.orgs[b].capacity.analyse >= region.orgs[c].capacity.analyse => {
                Some(b)
            }
            _ => Some(c),
        })
}

/// States other than the victim whose assets depend on the attacked asset (exposed to it).
fn exposed_states(region: &Region, target: usize, victim: usize) -> Vec<usize> {
    let mut out: Vec<usize> = region
        .assets
        .iter()
        .filter(|a| a.state != victim && a.depends_on.iter().any(|d| d.0 == target))
        .map(|a| a.state)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The organisations a CERT owes notice of an incident (docs/model.md, "Doctrine"):
/// - the victim, once it has detected the incident itself: the regional bodies, the CERTs it
///   has a notification or CERT-cooperation arrangement with, and those of exposed states;
/// - a state that detected an attack on another state's asset: the victim's CERT and those
///   of exposed states;
/// - a state that was told: the exposed states it has such an arrangement with (a relay).
fn owed_notice(region: &Region, s: usize, inc: &Incident, how: Known) -> Vec<usize> {
    let partner = |o: usize| {
        has_cbm(region, s, o, Cbm::IncidentNotification)
            || has_cbm(region, s, o, Cbm::CertCooperation)
    };
    let exposed = exposed_states(region, inc.target, inc.victim);
    let mut states: Vec<usize> = Vec::new();
    let mut orgs: Vec<usize> = Vec::new();
    if inc.victim == s {
        if how.detected_by.is_none() {
            return Vec::new();
        }
        orgs.extend(
            (0..region.orgs.len()).filter(|&o| region.orgs[o].kind == OrgKind::RegionalBody),
        );
        states.extend((0..region.n_states()).filter(|&o| o != s && partner(o)));
        states.extend(exposed);
    } else if how.detected_by.is_some() {
        states.push(inc.victim);
        states.extend(exposed);
    } else {
        states.extend(exposed.into_iter().filter(|&o| partner(o)));
    }
    states.sort_unstable();
    states.dedup();
    orgs.extend(
        states
            .into_iter()
            .filter(|&o| o != s && Some(o) != how.told_by)
            .filter_map(|o| region.states[o].cert),
    );
    orgs
}

/// A national CERT: notify the states it owes notice, share new evidence, ask for help.
fn cert_doctrine(world: &mut World, region: &Region, s: usize) {
    let Some(cert) = region.states[s].cert else {
        return;
    };
    let actor = Actor::state(s);
    let respond = region.orgs[cert].capacity.respond;
    let known: Vec<(usize, Known)> = read_mind(world, s, |m| {
        m.known.iter().map(|(i, k)| (*i, *k)).collect()
    })
    .unwrap_or_default();
    for (inc, how) in known {
        let Some(incident) = incident(world, inc) else {
            continue;
        };
        notice(world, region, s, &incident, how, respond);
        share(world, region, s, &incident, respond);
        // Ask: a weak victim CERT asks the most capable CERT it is on good terms with.
        let asked = read_mind(world, s, |m| m.asked_assistance.contains(&inc)).unwrap_or(true);
        if incident.victim == s
            && region.orgs[cert].capacity.analyse < k::ASK_ASSISTANCE_BELOW
            && !asked
        {
            let levels: Vec<f64> = {
                let t = world.resource::<Tensions>();
                (0..region.n_states()).map(|o| t.level(s, o)).collect()
            };
            let helper = most_capable_cert(
                region,
                (0..region.n_states()).filter(|&o| o != s && levels[o] < 0.5),
            )
            .filter(|&h| region.orgs[h].capacity.analyse > region.orgs[cert].capacity.analyse);
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
                        incident: incident.id.clone(),
                    },
                );
            }
        }
    }
}

/// Sends the notices still owed: to each organisation without a notice on its way or
/// delivered (a bounced one is retried through another contact).
fn notice(world: &mut World, region: &Region, s: usize, inc: &Incident, how: Known, respond: f64) {
    let owed = owed_notice(region, s, inc, how);
    if owed.is_empty() {
        return;
    }
    let pending: Vec<usize> = {
        let mail = world.resource::<Mailroom>();
        read_mind(world, s, |m| {
            owed.iter()
                .copied()
                .filter(|&o| {
                    m.notices.get(&(inc.ix, o)).is_none_or(|sent| {
                        sent.iter()
                            .all(|&id| mail.0[id].status == MessageStatus::Bounced)
                    })
                })
                .collect()
        })
        .unwrap_or_default()
    };
    let targets: Vec<(usize, usize)> = pending
        .into_iter()
        .filter_map(|o| reachable_contact(world, region, s, o).map(|c| (o, c)))
        .collect();
    if targets.is_empty() || !chance(world, k::NOTIFY_RATE + respond) {
        return;
    }
    let first = world.resource::<Mailroom>().0.len();
    let _ = cmd::apply(
        world,
        Actor::state(s),
        &Command::Notify {
            to: targets
                .iter()
                .map(|&(_, c)| region.contacts[c].id.clone())
                .collect(),
            incident: Some(inc.id.clone()),
            text: if inc.victim == s {
                format!("We are handling incident {}. Indicators follow.", inc.id)
            } else {
                format!(
                    "We see activity against {} ({}) that concerns you. Indicators follow.",
                    region.assets[inc.target].name, inc.id
                )
            },
        },
    );
    let sent: Vec<usize> = (first..world.resource::<Mailroom>().0.len()).collect();
    edit_mind(world, s, |m| {
        for ((org, _), id) in targets.iter().zip(sent) {
            m.notices.entry((inc.ix, *org)).or_default().push(id);
        }
    });
}

/// Shares evidence the recipients do not have yet: a non-victim with the victim's CERT, the
/// victim with the most capable CERT in the region, both with the regional bodies.
fn share(world: &mut World, region: &Region, s: usize, inc: &Incident, respond: f64) {
    let mut to_orgs = Vec::new();
    if inc.victim != s {
        to_orgs.extend(region.states[inc.victim].cert);
    } else {
        to_orgs.extend(most_capable_cert(
            region,
            (0..region.n_states()).filter(|&o| o != s),
        ));
    }
    to_orgs
        .extend((0..region.orgs.len()).filter(|&o| {
            region.orgs[o].kind == OrgKind::RegionalBody && region.orgs[o].state != s
        }));
    let fresh: Vec<usize> = to_orgs
        .into_iter()
        .filter(|&o| !cmd::evidence_new_to(world, s, inc.ix, o).is_empty())
        .collect();
    let to: Vec<String> = fresh
        .into_iter()
        .filter_map(|o| reachable_contact(world, region, s, o))
        .map(|c| region.contacts[c].id.clone())
        .collect();
    if to.is_empty() || !chance(world, k::SHARE_RATE + respond) {
        return;
    }
    let _ = cmd::apply(
        world,
        Actor::state(s),
        &Command::ShareEvidence {
            to,
            incident: inc.id.clone(),
            level: Tlp::Amber,
        },
    );
}

/// What the ministry's rules read of its state's mind, copied out once per counterpart.
struct Memory {
    steps: std::collections::BTreeMap<(Step, usize), u32>,
    accused: std::collections::BTreeSet<(usize, usize)>,
    /// The belief on the strongest incident is ripe for a public attribution.
    ripe: bool,
}

fn due(m: &Memory, step: Step, other: usize, now: u32, every_ticks: u32) -> bool {
    m.steps
        .get(&(step, other))
        .is_none_or(|&t| now >= t + every_ticks)
}

/// A foreign ministry: démarche, public attribution, retaliation, and the de-escalation
/// moves (hotline, consultation, restraint), by posture.
fn ministry_doctrine(world: &mut World, region: &Region, s: usize) {
    let actor = Actor::state(s);
    let clock = *world.resource::<Clock>();
    let posture = cmd::posture_of(world, s);
    let theta = k::blame_threshold(posture);
    let day = clock.ticks_for(24 * 60);
    let six_hours = clock.ticks_for(6 * 60);
    deliberate(world, s, theta, clock.tick);
    name_groups(world, region, s, theta);
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
        let Some(m) = read_mind(world, s, |m| Memory {
            steps: m.steps.clone(),
            accused: m.accused.clone(),
            ripe: incident.is_some_and(|inc| ripe(world, m, inc, b)),
        }) else {
            continue;
        };
        let ministry_contact = region.states[b]
            .ministry
            .and_then(|o| reachable_contact(world, region, s, o));
        if let Some(inc) = incident {
            let id = self::incident(world, inc).map_or_else(String::new, |i| i.id);
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
                && m.ripe
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
        // Only once something has happened: a pair whose baseline alone is tense has
        // nothing to talk down.
        let baseline = {
            let t = world.resource::<Tensions>();
            t.h0[s * t.n + b].max(t.h0[b * t.n + s])
        };
        if level >= k::DEESCALATE_FROM
            && level >= baseline + k::SETTLED_WITHIN
            && hotline_ok
            && due(&m, Step::Hotline, b, clock.tick, six_hours)
            && chance(world, k::HOTLINE_RATE * k::hotline_willingness(posture))
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

/// Keeps, per (incident, candidate), since when the state's belief has been at or above
/// its blame threshold.
fn deliberate(world: &mut World, s: usize, theta: f64, tick: u32) {
    edit_mind(world, s, |m| {
        let confident: Vec<(usize, usize)> = m
            .beliefs
            .iter()
            .filter(|(_, b)| b.formed)
            .flat_map(|(&inc, b)| {
                b.p.iter()
                    .enumerate()
                    .filter(|(_, p)| **p >= theta)
                    .map(move |(j, _)| (inc, j))
            })
            .collect();
        m.confident_since.retain(|key, _| confident.contains(key));
        for key in confident {
            m.confident_since.entry(key).or_insert(tick);
        }
    });
}

/// Whether a public attribution of `candidate` for `inc` is ripe: the belief has held for the
/// deliberation time and rests on enough credited items.
fn ripe(world: &World, m: &Mind, inc: usize, candidate: usize) -> bool {
    let clock = world.resource::<Clock>();
    let held_for = clock.ticks_for((k::ATTRIBUTION_DELIBERATION_H * 60.0) as u32);
    let pool = world.resource::<EvidencePool>();
    let items = m
        .evidence
        .iter()
        .filter(|(id, h)| !h.discounted && pool.0[**id].incident == inc)
        .count();
    m.confident_since
        .get(&(inc, candidate))
        .is_some_and(|&t| clock.tick >= t + held_for)
        && items >= k::ATTRIBUTION_MIN_ITEMS
}

/// A state names a non-state group publicly once its belief that the group attacked it
/// reaches its blame threshold (no tension follows: there is no state to be hostile to).
fn name_groups(world: &mut World, region: &Region, s: usize, theta: f64) {
    let named: Vec<(usize, usize)> = read_mind(world, s, |m| {
        m.beliefs
            .iter()
            .filter_map(|(&inc, b)| b.top().map(|(j, p)| (inc, j, p)))
            .filter(|&(inc, j, p)| {
                p >= theta
                    && region.group_actor(j).is_some()
                    && !m.accused.contains(&(inc, j))
                    && ripe(world, m, inc, j)
            })
            .map(|(inc, j, _)| (inc, j))
            .collect()
    })
    .unwrap_or_default();
    for (inc, j) in named {
        if victim_of(world, inc) != s || !chance(world, k::DIPLOMATIC_STEP_RATE) {
            continue;
        }
        let id = incident(world, inc).map_or_else(String::new, |i| i.id);
        let _ = cmd::apply(
            world,
            Actor::state(s),
            &Command::PublicAttribution {
                incident: id,
                blame: region.candidate_id(j).to_string(),
            },
        );
    }
}

/// The asset an engine state would hit: the most critical one of the other state that is not
/// a safe zone (and, for a cautious state, not in one of the other's red-line sectors).
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
