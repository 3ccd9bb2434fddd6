//! One system per dynamic, run in this order every tick (see `docs/model.md`):
//! clock → injects → incidents → cascade → detection → comms → commands → doctrine →
//! attribution → escalation → objectives.

use super::command::{self as cmd, Actor, IncidentSpec};
use super::constants::{self as k, per_tick};
use super::event::{Audience, Cause, EventKind, EventLog};
use super::world::*;
use crate::scenario::{Condition, EvidenceKind, InjectKind, Rung, WorldChange};
use bevy_ecs::prelude::{Entity, Query, Res, ResMut, Resource, World};
use rand::RngExt;
use std::collections::BTreeSet;

/// 1. Advances simulated time by one tick.
pub fn advance_clock(mut clock: ResMut<Clock>) {
    clock.tick += 1;
}

/// Belief changes this tick, for escalation: (state, incident, candidate, Δbelief).
#[derive(Resource, Debug, Default)]
pub struct BeliefShifts(pub Vec<(usize, usize, usize, f64)>);

/// Red lines already reported, (state, incident).
#[derive(Resource, Debug, Default)]
pub struct RedLinesHit(pub BTreeSet<(usize, usize)>);

/// Whether a typed condition holds now.
/// Whether organisation `org` is `id`, or belongs to the state `id`.
fn org_is(region: &Region, id: &str, org: usize) -> bool {
    match region.ids.get(id) {
        Some(Ref::Org(o)) => *o == org,
        Some(Ref::State(s)) => region.orgs[org].state == *s,
        _ => false,
    }
}

/// The incident an `Incident` inject started, once it has.
fn incident_of(world: &World, inject: &str) -> Option<usize> {
    let region = world.resource::<Region>();
    let facts = world.resource::<Facts>();
    region
        .inject_index(inject)
        .and_then(|i| facts.incident_of_inject.get(&i))
        .copied()
}

pub fn holds(world: &World, condition: &Condition) -> bool {
    let region = world.resource::<Region>();
    let facts = world.resource::<Facts>();
    match condition {
        Condition::All(items) => items.iter().all(|c| holds(world, c)),
        Condition::Any(items) => items.iter().any(|c| holds(world, c)),
        Condition::Not(inner) => !holds(world, inner),
        Condition::InjectFired(id) => region
            .inject_index(id)
            .is_some_and(|i| facts.fired[i].is_some()),
        Condition::Detected { incident, by } => {
            let Some(inc) = region
                .inject_index(incident)
                .and_then(|i| facts.incident_of_inject.get(&i))
            else {
                return false;
            };
            let Some(state) = region.state_of_ref(by) else {
                return false;
            };
            let mind = world.get::<Mind>(world.resource::<Entities>().states[state]);
            mind.is_some_and(|m| m.known.contains_key(inc))
        }
        Condition::EvidenceShared { from, to } => facts
            .shared
            .iter()
            .any(|(f, t, _)| org_is(region, from, *f) && org_is(region, to, *t)),
        Condition::ObjectiveFailed(id) => region
            .objectives
            .iter()
            .position(|o| &o.id == id)
            .is_some_and(|i| facts.failed[i].is_some()),
        Condition::Contained(incident) => incident_of(world, incident)
            .and_then(|inc| world.get::<Incident>(world.resource::<Incidents>().0[inc]))
            .is_some_and(|i| i.contained_at.is_some()),
        Condition::Attributed {
            by,
            incident,
            blame,
            public,
        } => {
            let (Some(state), Some(inc)) = (region.state_of_ref(by), incident_of(world, incident))
            else {
                return false;
            };
            let named = |c: usize| blame.as_deref().is_none_or(|b| region.candidate_id(c) == b);
            if *public {
                facts
                    .attributions
                    .iter()
                    .any(|a| a.1 == state && a.2 == inc && named(a.3))
            } else {
                world
                    .get::<Mind>(world.resource::<Entities>().states[state])
                    .and_then(|m| m.beliefs.get(&inc))
                    .and_then(|b| b.top())
                    .is_some_and(|(c, _)| named(c))
            }
        }
        Condition::MessageAcknowledged { from, to } | Condition::MessageBounced { from, to } => {
            let bounced = matches!(condition, Condition::MessageBounced { .. });
            world.resource::<Mailroom>().0.iter().any(|m| {
                m.from_org.is_some_and(|f| org_is(region, from, f))
                    && org_is(region, to, m.to_org)
                    && if bounced {
                        m.status == MessageStatus::Bounced
                    } else {
                        m.acked_at.is_some()
                    }
            })
        }
        Condition::TensionAbove { between, value } => {
            match (
                region.state_of_ref(&between.0),
                region.state_of_ref(&between.1),
            ) {
                (Some(a), Some(b)) => world.resource::<Tensions>().level(a, b) > *value,
                _ => false,
            }
        }
        Condition::RungReached { between, rung } => {
            match (
                region.state_of_ref(&between.0),
                region.state_of_ref(&between.1),
            ) {
                (Some(a), Some(b)) => {
                    let t = world.resource::<Tensions>();
                    t.peak[t.pair(a, b)] >= *rung
                }
                _ => false,
            }
        }
        Condition::RungAtLeast { between, rung } => {
            match (
                region.state_of_ref(&between.0),
                region.state_of_ref(&between.1),
            ) {
                (Some(a), Some(b)) => {
                    let t = world.resource::<Tensions>();
                    t.rung[t.pair(a, b)] >= *rung
                }
                _ => false,
            }
        }
        Condition::ObjectiveMet(id) => match region.ids.get(id.as_str()) {
            Some(Ref::Objective(o)) => facts.met[*o].is_some(),
            _ => false,
        },
    }
}

/// Injects that are due now (time reached, condition holds, not skipped), in scenario order.
pub fn due_injects(world: &World) -> Vec<usize> {
    let clock = world.resource::<Clock>();
    let region = world.resource::<Region>();
    let facts = world.resource::<Facts>();
    (0..region.injects.len())
        .filter(|&i| facts.fired[i].is_none() && !facts.skipped.contains(&i))
        .filter(|&i| {
            if facts.fire_now.contains(&i) {
                return true;
            }
            let inject = &region.injects[i];
            let time_ok = inject.at.is_none_or(|at| at.minutes() <= clock.minutes());
            let delay_ok = facts.delayed.get(&i).is_none_or(|&t| clock.tick >= t);
            let not_lapsed = inject.until.is_none_or(|u| clock.minutes() <= u.minutes());
            time_ok
                && delay_ok
                && not_lapsed
                && inject.when.as_ref().is_none_or(|c| holds(world, c))
        })
        .collect()
}

/// 2. Fires the injects that are due.
pub fn fire_injects(world: &mut World) {
    for i in due_injects(world) {
        fire(world, i);
    }
}

/// Fires one inject now.
pub fn fire(world: &mut World, i: usize) {
    let tick = world.resource::<Clock>().tick;
    let region = world.resource::<Region>().clone();
    {
        let mut facts = world.resource_mut::<Facts>();
        facts.fired[i] = Some(tick);
        facts.fire_now.remove(&i);
    }
    world.resource_mut::<EventLog>().push(
        tick,
        EventKind::InjectFired { inject: i },
        Audience::Facilitator,
    );
    let inject = region.injects[i].clone();
    match inject.kind {
        InjectKind::Incident {
            actor,
            target,
            vector,
            severity,
            lasts,
            evidence,
        } => {
            let (Some(Ref::Actor(a)), Some(Ref::Asset(t))) = (
                region.ids.get(&actor).copied(),
                region.ids.get(&target).copied(),
            ) else {
                return;
            };
            let def = &region.actors[a];
            let clock = *world.resource::<Clock>();
            let lasts_min = lasts.map_or(k::default_lasts_h(vector) * 60, |l| l.minutes());
            let inc = cmd::spawn_incident(
                world,
                IncidentSpec {
                    id: inject.id.clone(),
                    inject: Some(i),
                    actor: Some(a),
                    responsible: def.sponsor.or(def.group).unwrap_or(region.non_state()),
                    group: def.group,
                    target: t,
                    vector,
                    severity,
                    skill: def.skill,
                    false_flag: def.false_flag,
                    ends: tick + clock.ticks_for(lasts_min),
                },
            );
            add_evidence(world, &region, inc, &evidence, false);
        }
        InjectKind::Message {
            to,
            from,
            sender,
            subject,
            body,
            about,
            evidence,
        } => {
            let incident = about
                .as_deref()
                .and_then(|a| started_incident(world, &region, a));
            let items = match incident {
                Some(inc) => add_evidence(world, &region, inc, &evidence, false),
                None => Vec::new(),
            };
            for team in to {
                let Some(Ref::Team(t)) = region.ids.get(&team).copied() else {
                    continue;
                };
                let label = sender_label(&region, sender.as_deref(), &from);
                let message = deliver_control(world, &region, t, &label, &subject, &body);
                if let (Some(inc), Some(id)) = (incident, message) {
                    world.resource_mut::<Mailroom>().0[id].incident = Some(inc);
                }
                if let Some(inc) = incident {
                    let state = region.teams[t].state;
                    cmd::learn_incident(world, state, inc, tick, None, None);
                    hand_over(world, state, inc, &items, message, tick);
                }
            }
        }
        InjectKind::News {
            headline,
            body,
            about,
            evidence,
        } => {
            if let Some(inc) = about
                .as_deref()
                .and_then(|a| started_incident(world, &region, a))
            {
                add_evidence(world, &region, inc, &evidence, true);
            }
            world
                .resource_mut::<Facts>()
                .news
                .push((tick, headline.clone(), body));
            world.resource_mut::<EventLog>().push(
                tick,
                EventKind::News { headline },
                Audience::Public,
            );
        }
        InjectKind::Question { text, .. } => {
            world.resource_mut::<EventLog>().push(
                tick,
                EventKind::Question { text },
                Audience::Facilitator,
            );
        }
        InjectKind::World(change) => apply_world_change(world, &region, &change),
    }
}

/// The incident an `Incident` inject started, if it has.
fn started_incident(world: &World, region: &Region, inject: &str) -> Option<usize> {
    let i = region.inject_index(inject)?;
    world
        .resource::<Facts>()
        .incident_of_inject
        .get(&i)
        .copied()
}

/// Puts an author's evidence items on an incident into the pool; returns their ids.
fn add_evidence(
    world: &mut World,
    region: &Region,
    incident: usize,
    specs: &[crate::scenario::EvidenceSpec],
    public: bool,
) -> Vec<usize> {
    let clock = *world.resource::<Clock>();
    let mut pool = world.resource_mut::<EvidencePool>();
    let mut ids = Vec::new();
    for e in specs {
        let id = pool.0.len();
        pool.0.push(EvidenceItem {
            id,
            incident,
            points_to: region.candidate_of(&e.points_to),
            kind: e.kind,
            reliability: e.reliability,
            planted: e.planted,
            // Claims are public the moment they are made.
            public: public || e.kind == EvidenceKind::Claim,
            available: clock.tick + e.after.map_or(0, |a| clock.ticks_for(a.minutes())),
        });
        ids.push(id);
    }
    ids
}

/// Exercise control hands evidence items to a state (with the message that carried them).
fn hand_over(
    world: &mut World,
    state: usize,
    incident: usize,
    items: &[usize],
    message: Option<usize>,
    tick: u32,
) {
    if items.is_empty() {
        return;
    }
    let e = world.resource::<Entities>().states[state];
    if let Some(mut mind) = world.get_mut::<Mind>(e) {
        for &id in items {
            if mind.evidence.contains_key(&id) {
                continue;
            }
            mind.evidence.insert(
                id,
                Held {
                    since: tick,
                    discounted: false,
                    from: None,
                    message,
                },
            );
            mind.arrived.entry(incident).or_default().push(id);
        }
        mind.dirty.insert(incident);
    }
}

/// How an inject's message names its sender: a directory contact as "name, organisation
/// (state)", an organisation as "organisation (state)", else the author's free text.
fn sender_label(region: &Region, sender: Option<&str>, from: &str) -> String {
    use super::view::org_label;
    match sender.and_then(|id| region.ids.get(id)) {
        Some(Ref::Contact(c)) => {
            let c = &region.contacts[*c];
            format!("{}, {}", c.name, org_label(region, c.org))
        }
        Some(Ref::Org(o)) => org_label(region, *o),
        _ => from.to_string(),
    }
}

/// A message from exercise control, delivered at once to a team's first contact. Returns
/// the message id (none when the team has no contact).
pub fn deliver_control(
    world: &mut World,
    region: &Region,
    team: usize,
    from: &str,
    subject: &str,
    body: &str,
) -> Option<usize> {
    let tick = world.resource::<Clock>().tick;
    let contact = region.teams[team]
        .orgs
        .iter()
        .find_map(|&o| region.contact_of(o))?;
    let c = &region.contacts[contact];
    let mut mail = world.resource_mut::<Mailroom>();
    let id = mail.0.len();
    mail.0.push(Message {
        id,
        from_org: None,
        from_state: None,
        from_label: from.to_string(),
        to_contact: contact,
        to_org: c.org,
        to_state: c.state,
        channel: c.channel,
        kind: MessageKind::Control,
        incident: None,
        evidence: Vec::new(),
        tlp: Tlp::Amber,
        subject: subject.to_string(),
        text: body.to_string(),
        sent: tick,
        status: MessageStatus::Delivered,
        needed_clearance: false,
        clear_at: tick,
        arrive_at: tick,
        delivered_at: Some(tick),
        ack_due: None,
        acked_at: None,
        bounced_at: None,
        bounce: None,
        queued_at: None,
        auto_ack: false,
    });
    world.resource_mut::<EventLog>().push(
        tick,
        EventKind::ControlMessage {
            team,
            subject: subject.to_string(),
        },
        Audience::States(vec![c.state]),
    );
    Some(id)
}

fn apply_world_change(world: &mut World, region: &Region, change: &WorldChange) {
    let tick = world.resource::<Clock>().tick;
    let what = match change {
        WorldChange::ContactStale(c) | WorldChange::ContactRestored(c) => {
            let Some(Ref::Contact(ix)) = region.ids.get(c).copied() else {
                return;
            };
            let stale = matches!(change, WorldChange::ContactStale(_));
            let e = world.resource::<Entities>().contacts[ix];
            if let Some(mut status) = world.get_mut::<ContactStatus>(e) {
                status.stale = stale;
                if !stale {
                    status.known_stale_by.clear();
                }
            }
            format!(
                "contact {c} {}",
                if stale { "went stale" } else { "restored" }
            )
        }
        WorldChange::HotlineDown(a, b) | WorldChange::HotlineRestored(a, b) => {
            let (Some(x), Some(y)) = (region.state_of_ref(a), region.state_of_ref(b)) else {
                return;
            };
            let up = matches!(change, WorldChange::HotlineRestored(..));
            let mut t = world.resource_mut::<Tensions>();
            let p = t.pair(x, y);
            t.hotline_up[p] = up;
            format!("hotline {a}–{b} {}", if up { "restored" } else { "down" })
        }
        WorldChange::Posture(s, posture) => {
            let Some(ix) = region.state_of_ref(s) else {
                return;
            };
            let e = world.resource::<Entities>().states[ix];
            if let Some(mut m) = world.get_mut::<Mind>(e) {
                m.posture = Some(*posture);
            }
            format!("{s} posture now {posture:?}")
        }
        WorldChange::Outage {
            asset,
            inoperability,
        } => {
            let Some(Ref::Asset(ix)) = region.ids.get(asset).copied() else {
                return;
            };
            let e = world.resource::<Entities>().assets[ix];
            if let Some(mut q) = world.get_mut::<Inoperability>(e) {
                q.0 = q.0.max(*inoperability);
            }
            format!("outage at {asset}")
        }
    };
    world.resource_mut::<EventLog>().push(
        tick,
        EventKind::WorldChanged { what },
        Audience::Facilitator,
    );
}

/// System 3. Progresses incidents (containment, expiry, recovery, the traces they leave)
/// and sets the attack forcing on their targets.
pub fn progress_incidents(world: &mut World) {
    let clock = *world.resource::<Clock>();
    let region = world.resource::<Region>().clone();
    let entities: Vec<Entity> = world.resource::<Incidents>().0.clone();
    let mut attack = vec![0.0f64; region.assets.len()];
    for e in entities {
        let Some(mut inc) = world.get::<Incident>(e).cloned() else {
            continue;
        };
        let active = matches!(inc.phase, Phase::Latent | Phase::Detected);
        if active {
            let asset_e = world.resource::<Entities>().assets[inc.target];
            let isolated = world.get::<Forcing>(asset_e).is_some_and(|f| f.isolated);
            let mut contain = false;
            if clock.tick >= inc.ends {
                contain = true;
            } else if inc.vector != crate::scenario::Vector::PhysicalCut
                && world
                    .get::<Mind>(world.resource::<Entities>().states[inc.victim])
                    .is_some_and(|m| m.known.contains_key(&inc.ix))
            {
                // Only a victim that knows of the attack can respond to it; a physical cut
                // is repaired (it lasts its `lasts`), not contained. The operator responds,
                // supported by the national CERT.
                let respond = responder_capacity(&region, inc.target);
                let mind = world.get::<Mind>(world.resource::<Entities>().states[inc.victim]);
                let assisted = mind.is_some_and(|m| m.assisted_by.contains_key(&inc.ix));
                let mut h = k::CONTAIN_BASE * respond;
                if assisted {
                    h *= k::ASSIST_MULTIPLIER;
                }
                if isolated {
                    h *= k::ISOLATION_CONTAIN_MULTIPLIER;
                }
                if inc.taken_down {
                    h *= k::TAKEDOWN_MULTIPLIER;
                }
                contain = world
                    .resource_mut::<SimRng>()
                    .0
                    .random_bool(per_tick(h, clock.tick_minutes));
            }
            if contain {
                inc.phase = Phase::Contained;
                inc.contained_at = Some(clock.tick);
                world.resource_mut::<EventLog>().push(
                    clock.tick,
                    EventKind::Contained { incident: inc.ix },
                    Audience::States(vec![inc.victim]),
                );
            } else {
                attack[inc.target] = attack[inc.target].max(inc.severity);
                leave_traces(world, &inc, clock);
            }
        } else if inc.phase == Phase::Contained {
            let asset_e = world.resource::<Entities>().assets[inc.target];
            let q = world.get::<Inoperability>(asset_e).map_or(0.0, |q| q.0);
            if q < k::RECOVERED_BELOW {
                inc.phase = Phase::Recovered;
                inc.recovered_at = Some(clock.tick);
                world.resource_mut::<EventLog>().push(
                    clock.tick,
                    EventKind::Recovered { incident: inc.ix },
                    Audience::States(vec![inc.victim]),
                );
            }
        }
        if let Some(mut slot) = world.get_mut::<Incident>(e) {
            *slot = inc;
        }
    }
    let asset_entities = world.resource::<Entities>().assets.clone();
    for (a, e) in asset_entities.into_iter().enumerate() {
        if let Some(mut f) = world.get_mut::<Forcing>(e) {
            f.attack = attack[a];
        }
    }
}

/// The respond capacity that contains an incident on an asset: its operator's, raised by the
/// national CERT's support (docs/model.md).
pub fn responder_capacity(region: &Region, asset: usize) -> f64 {
    let def = &region.assets[asset];
    let operator = region.orgs[def.operator].capacity.respond;
    let cert = region.states[def.state]
        .cert
        .filter(|&c| c != def.operator)
        .map_or(0.0, |c| region.orgs[c].capacity.respond);
    operator + (1.0 - operator) * k::CERT_SUPPORT * cert
}

/// The analyse capacity a state judges evidence with: its analysing organisation's.
pub fn analyst_capacity(region: &Region, state: usize) -> f64 {
    region.states[state]
        .analyst
        .map_or(0.0, |o| region.orgs[o].capacity.analyse)
}

/// True traces point at the responsible party (the sponsor, or the group itself); a
/// false-flag actor plants more.
fn leave_traces(world: &mut World, inc: &Incident, clock: Clock) {
    let true_rate = k::TRUE_TRACE_RATE * (1.0 - k::TRUE_TRACE_SKILL_DAMPING * inc.skill);
    let planted_rate = inc
        .false_flag
        .map_or(0.0, |_| k::PLANTED_TRACE_RATE * inc.skill);
    let mut rng = world.resource_mut::<SimRng>();
    let mut new = Vec::new();
    if rng.0.random_bool(per_tick(true_rate, clock.tick_minutes)) {
        let r = rng
            .0
            .random_range(k::TRUE_TRACE_RELIABILITY.0..k::TRUE_TRACE_RELIABILITY.1);
        new.push((inc.responsible, r, false));
    }
    if let Some(flag) = inc.false_flag
        && rng
            .0
            .random_bool(per_tick(planted_rate, clock.tick_minutes))
    {
        let r = rng
            .0
            .random_range(k::PLANTED_TRACE_RELIABILITY.0..k::PLANTED_TRACE_RELIABILITY.1);
        new.push((flag, r, true));
    }
    let mut pool = world.resource_mut::<EvidencePool>();
    for (points_to, reliability, planted) in new {
        let id = pool.0.len();
        pool.0.push(EvidenceItem {
            id,
            incident: inc.ix,
            points_to,
            kind: EvidenceKind::Trace,
            reliability,
            planted,
            public: false,
            available: clock.tick,
        });
    }
}

/// System 4. Propagates inoperability over dependencies (a dynamic inoperability
/// input-output model) and accumulates downtime.
pub fn propagate_cascade(
    clock: Res<Clock>,
    region: Res<Region>,
    entities: Res<Entities>,
    mut facts: ResMut<Facts>,
    mut assets: Query<(&mut Inoperability, &Forcing)>,
) {
    let dt_h = f64::from(clock.tick_minutes) / 60.0;
    let q: Vec<f64> = entities
        .assets
        .iter()
        .map(|&e| assets.get(e).map_or(0.0, |(q, _)| q.0))
        .collect();
    let rise = 1.0 - (-k::RISE_RATE * dt_h).exp();
    for (i, def) in region.assets.iter().enumerate() {
        let Ok((mut qi, forcing)) = assets.get_mut(entities.assets[i]) else {
            continue;
        };
        // Resilience damps what dependencies pass on, as well as speeding recovery.
        let damping = 1.0 - k::RESILIENCE_DAMPING * def.resilience;
        let from_deps: f64 = def.depends_on.iter().map(|&(j, w)| w * q[j]).sum::<f64>() * damping;
        let isolation = if forcing.isolated {
            k::ISOLATION_INOPERABILITY
        } else {
            0.0
        };
        let target = (from_deps + forcing.attack.max(isolation)).clamp(0.0, 1.0);
        let rate = if target > qi.0 {
            rise
        } else {
            1.0 - (-(k::RECOVERY_BASE + k::RECOVERY_PER_RESILIENCE * def.resilience) * dt_h).exp()
        };
        qi.0 = (qi.0 + rate * (target - qi.0)).clamp(0.0, 1.0);
        facts.downtime_h[i] += qi.0 * dt_h;
        facts.peak_q[i] = facts.peak_q[i].max(qi.0);
    }
}

/// 5. Organisations watching an attacked asset may detect the incident.
pub fn detect_incidents(world: &mut World) {
    let clock = *world.resource::<Clock>();
    let region = world.resource::<Region>().clone();
    let entities: Vec<Entity> = world.resource::<Incidents>().0.clone();
    for e in entities {
        let Some(inc) = world.get::<Incident>(e).cloned() else {
            continue;
        };
        if !matches!(inc.phase, Phase::Latent | Phase::Detected) {
            continue;
        }
        for &org in &region.watchers[inc.target] {
            let state = region.orgs[org].state;
            let mind_e = world.resource::<Entities>().states[state];
            let Some(mind) = world.get::<Mind>(mind_e) else {
                continue;
            };
            if mind
                .known
                .get(&inc.ix)
                .is_some_and(|k| k.detected_by.is_some())
            {
                continue;
            }
            let warned = inc.actor.is_some_and(|a| mind.warned.contains(&a))
                || mind.known.contains_key(&inc.ix);
            let alert = 1.0 + k::ALERT_PER_LEVEL * f64::from(mind.alert);
            let mut h = k::DETECT_BASE
                * region.orgs[org].capacity.detect
                * k::visibility(inc.vector)
                * (1.0 - k::STEALTH_PER_SKILL * inc.skill)
                * alert;
            if warned {
                h *= k::WARNED_MULTIPLIER;
            }
            if !world
                .resource_mut::<SimRng>()
                .0
                .random_bool(per_tick(h, clock.tick_minutes).clamp(0.0, 1.0))
            {
                continue;
            }
            cmd::learn_incident(world, state, inc.ix, clock.tick, Some(org), None);
            if let Some(mut i) = world.get_mut::<Incident>(e)
                && i.phase == Phase::Latent
            {
                i.phase = Phase::Detected;
                i.detected_at = Some(clock.tick);
            }
            world.resource_mut::<EventLog>().push(
                clock.tick,
                EventKind::Detected {
                    incident: inc.ix,
                    org,
                    state,
                },
                Audience::States(vec![state]),
            );
        }
    }
}

/// 6. Moves messages: clearance, transit, staffed hours, bounces, acknowledgements.
pub fn move_messages(world: &mut World) {
    let clock = *world.resource::<Clock>();
    let region = world.resource::<Region>().clone();
    let count = world.resource::<Mailroom>().0.len();
    for id in 0..count {
        let status = world.resource::<Mailroom>().0[id].status;
        let waiting_ack =
            status == MessageStatus::Delivered && world.resource::<Mailroom>().0[id].auto_ack;
        if matches!(status, MessageStatus::Acknowledged | MessageStatus::Bounced)
            || (status == MessageStatus::Delivered && !waiting_ack)
        {
            continue;
        }
        let m = world.resource::<Mailroom>().0[id].clone();
        let contact_e = world.resource::<Entities>().contacts[m.to_contact];
        match m.status {
            MessageStatus::AwaitingClearance if clock.tick >= m.clear_at => {
                world.resource_mut::<Mailroom>().0[id].status = MessageStatus::InTransit;
                let audience = Audience::States(m.from_state.into_iter().collect());
                world.resource_mut::<EventLog>().push(
                    clock.tick,
                    EventKind::Cleared { message: id },
                    audience,
                );
            }
            MessageStatus::InTransit if clock.tick >= m.arrive_at => {
                let stale = world
                    .get::<ContactStatus>(contact_e)
                    .is_some_and(|c| c.stale);
                // A hotline handset is dead while the circuit between the pair is down.
                let line_down = m.channel == crate::scenario::Channel::Hotline
                    && m.from_state.is_some_and(|s| {
                        let t = world.resource::<Tensions>();
                        let p = t.pair(s, m.to_state);
                        s != m.to_state && t.hotline[p] && !t.hotline_up[p]
                    });
                if stale || line_down {
                    {
                        let msg = &mut world.resource_mut::<Mailroom>().0[id];
                        msg.status = MessageStatus::Bounced;
                        msg.bounced_at = Some(clock.tick);
                        msg.bounce = Some(if stale {
                            Bounce::Stale
                        } else {
                            Bounce::LineDown
                        });
                    }
                    if stale
                        && let (Some(s), Some(mut c)) =
                            (m.from_state, world.get_mut::<ContactStatus>(contact_e))
                    {
                        c.known_stale_by.insert(s);
                    }
                    let audience = Audience::States(m.from_state.into_iter().collect());
                    world.resource_mut::<EventLog>().push(
                        clock.tick,
                        EventKind::Bounced { message: id },
                        audience,
                    );
                } else {
                    world.resource_mut::<Mailroom>().0[id].status = MessageStatus::Queued;
                    deliver_if_staffed(world, &region, id, clock);
                }
            }
            MessageStatus::Queued => deliver_if_staffed(world, &region, id, clock),
            MessageStatus::Delivered
                if m.auto_ack && m.ack_due.is_some_and(|t| clock.tick >= t) =>
            {
                cmd::acknowledge(world, id, clock.tick);
            }
            _ => {}
        }
    }
}

fn deliver_if_staffed(world: &mut World, region: &Region, id: usize, clock: Clock) {
    let m = world.resource::<Mailroom>().0[id].clone();
    let contact = &region.contacts[m.to_contact];
    let (minute, weekday) = clock.local_at(clock.tick, region.states[contact.state].offset_minutes);
    let open = contact.channel == crate::scenario::Channel::Hotline
        || staffed(contact.hours, minute, weekday);
    if !open {
        let msg = &mut world.resource_mut::<Mailroom>().0[id];
        msg.queued_at.get_or_insert(clock.tick);
        return;
    }
    let ack_due = if m.auto_ack && engine_will_acknowledge(world, &m) {
        let (lo, hi) = contact.ack_delay;
        let minutes = world.resource_mut::<SimRng>().0.random_range(lo..=hi);
        Some(clock.tick + minutes.div_ceil(clock.tick_minutes))
    } else {
        None
    };
    {
        let msg = &mut world.resource_mut::<Mailroom>().0[id];
        msg.status = MessageStatus::Delivered;
        msg.delivered_at = Some(clock.tick);
        msg.ack_due = ack_due;
    }
    world.resource_mut::<EventLog>().push(
        clock.tick,
        EventKind::Delivered { message: id },
        Audience::States(vec![m.to_state]),
    );
    receive(world, region, &m, clock.tick);
}

/// Engine-played recipients acknowledge everything but a consultation they refuse: an
/// assertive state that is very hostile to the requester.
fn engine_will_acknowledge(world: &World, m: &Message) -> bool {
    match (m.kind, m.from_state) {
        (MessageKind::RequestConsultation, Some(from)) => {
            let hostile = world.resource::<Tensions>().get(m.to_state, from) > 0.7;
            !(hostile && cmd::posture_of(world, m.to_state) == crate::scenario::Posture::Assertive)
        }
        _ => true,
    }
}

/// What a delivered message tells its recipient: the incident, the evidence.
fn receive(world: &mut World, region: &Region, m: &Message, tick: u32) {
    let Some(inc) = m.incident else { return };
    let to = m.to_state;
    cmd::learn_incident(world, to, inc, tick, None, m.from_state);
    if let Some(from) = m.from_state
        && matches!(
            m.kind,
            MessageKind::Notify | MessageKind::ShareEvidence | MessageKind::RegionalCoordination
        )
    {
        world
            .resource_mut::<Facts>()
            .notifications
            .push(Notification {
                tick,
                from_state: from,
                to_state: to,
                to_org: m.to_org,
                incident: inc,
            });
    }
    if m.kind != MessageKind::ShareEvidence || m.evidence.is_empty() {
        return;
    }
    if let Some(from_org) = m.from_org {
        world
            .resource_mut::<Facts>()
            .shared
            .push((from_org, m.to_org, tick));
    }
    // The organisation that reads the message analyses it: a CERT or regional body itself,
    // otherwise the state's analysing organisation. The sender's own analysts vouch for
    // their "planted" verdicts.
    let reader = region.orgs[m.to_org].kind;
    let analyse = if matches!(
        reader,
        crate::scenario::OrgKind::NationalCert | crate::scenario::OrgKind::RegionalBody
    ) {
        region.orgs[m.to_org].capacity.analyse
    } else {
        analyst_capacity(region, to)
    };
    let sender_analyse = m.from_org.map_or(0.0, |o| region.orgs[o].capacity.analyse);
    let skill = world
        .get::<Incident>(world.resource::<Incidents>().0[inc])
        .map_or(0.5, |i| i.skill);
    let e = world.resource::<Entities>().states[to];
    let sender_mind = m
        .from_state
        .map(|s| world.resource::<Entities>().states[s])
        .and_then(|se| world.get::<Mind>(se).map(|sm| sm.evidence.clone()));
    for &ev in &m.evidence {
        let planted = world.resource::<EvidencePool>().0[ev].planted;
        let sender_discounts = sender_mind
            .as_ref()
            .is_some_and(|held| held.get(&ev).is_some_and(|h| h.discounted));
        let (held, reviewed) = world
            .get::<Mind>(e)
            .map(|mind| {
                (
                    mind.evidence.get(&ev).copied(),
                    m.from_state
                        .is_some_and(|f| mind.reviewed.contains(&(ev, f))),
                )
            })
            .unwrap_or((None, false));
        // The sender holds this item: it is never sent back to it.
        if let (Some(f), false) = (m.from_state, reviewed)
            && let Some(mut mind) = world.get_mut::<Mind>(e)
        {
            mind.reviewed.insert((ev, f));
        }
        let discounted = match held {
            // Already judged planted, or an echo of what it holds: nothing new.
            Some(h) if h.discounted => continue,
            Some(_) if !sender_discounts || reviewed => continue,
            // Already held and credited: the sender's "planted" verdict convinces the
            // receiver (once per sender) with the probability that the sender's analysts are
            // right to be trusted.
            Some(_) => world
                .resource_mut::<SimRng>()
                .0
                .random_bool(sender_analyse.clamp(0.0, 1.0)),
            None => {
                let own = planted
                    && world
                        .resource_mut::<SimRng>()
                        .0
                        .random_bool((k::RECOGNISE * analyse * (1.0 - skill)).clamp(0.0, 1.0));
                let trusted = sender_discounts
                    && world
                        .resource_mut::<SimRng>()
                        .0
                        .random_bool(sender_analyse.clamp(0.0, 1.0));
                own || trusted
            }
        };
        if let Some(mut mind) = world.get_mut::<Mind>(e) {
            let new = held.is_none();
            let since = held.map_or(tick, |h| h.since);
            let from = held.map_or(m.from_state, |h| h.from);
            let message = held.map_or(Some(m.id), |h| h.message);
            mind.evidence.insert(
                ev,
                Held {
                    since,
                    discounted,
                    from,
                    message,
                },
            );
            if new || discounted {
                mind.arrived.entry(inc).or_default().push(ev);
                mind.dirty.insert(inc);
            }
        }
    }
}

/// 7. Applies the commands teams submitted, in submit order.
pub fn apply_commands(world: &mut World) {
    let pending = std::mem::take(&mut world.resource_mut::<Pending>().0);
    for (team, command) in pending {
        let state = world.resource::<Region>().teams[team].state;
        // A command that no longer holds (an earlier one this tick changed the world) is
        // dropped; `Sim::submit` already told the team it was accepted for this tick.
        let _ = cmd::apply(
            world,
            Actor {
                state,
                team: Some(team),
                org: None,
            },
            &command,
        );
    }
}

/// System 9: analysts find traces, public evidence reaches everyone who knows of the
/// incident, and each state's beliefs are updated by Bayes' rule.
pub fn update_attribution(world: &mut World) {
    let clock = *world.resource::<Clock>();
    let region = world.resource::<Region>().clone();
    let n = region.n_states();
    let mut shifts = Vec::new();
    let incident_entities = world.resource::<Incidents>().0.clone();
    let facts_of: Vec<(f64, usize)> = incident_entities
        .iter()
        .map(|&e| {
            world
                .get::<Incident>(e)
                .map_or((0.5, 0), |i| (i.skill, i.victim))
        })
        .collect();
    for s in 0..n {
        let e = world.resource::<Entities>().states[s];
        // Taken out of the world while it is updated (put back below), to avoid a copy.
        let Some(mut mind) = world
            .get_mut::<Mind>(e)
            .map(|mut m| std::mem::take(&mut *m))
        else {
            continue;
        };
        let own_analyse = analyst_capacity(&region, s);
        let known: Vec<(usize, Known)> = mind.known.iter().map(|(i, k)| (*i, *k)).collect();
        for (inc, how) in known {
            let (skill, victim) = facts_of[inc];
            // Who examines what: the victim's analysts (or a more capable CERT assisting it)
            // look at the affected systems; a state that detected an attack on another's
            // asset sees its traffic and finds traces more slowly; the rest only hear.
            let analyse = if victim == s {
                // A more capable CERT assisting works on the samples it is sent: it lifts the
                // victim's analysis part of the way to its own, it does not replace it.
                let helper = mind
                    .assisted_by
                    .get(&inc)
                    .map_or(0.0, |&h| analyst_capacity(&region, h));
                own_analyse + k::ASSIST_SHARE * (helper - own_analyse).max(0.0)
            } else {
                own_analyse
            };
            let rate = if victim == s {
                k::FIND_RATE * analyse
            } else if how.detected_by.is_some() {
                k::FIND_RATE * k::WATCHER_FIND_FACTOR * analyse
            } else {
                0.0
            };
            let p_find = per_tick(rate, clock.tick_minutes);
            let available: Vec<EvidenceItem> = world
                .resource::<EvidencePool>()
                .0
                .iter()
                .filter(|it| {
                    it.incident == inc
                        && it.available <= clock.tick
                        && !mind.evidence.contains_key(&it.id)
                        && (it.public || rate > 0.0)
                })
                .cloned()
                .collect();
            for item in available {
                let mut rng = world.resource_mut::<SimRng>();
                if !item.public && !rng.0.random_bool(p_find) {
                    continue;
                }
                let discounted = item.planted
                    && rng
                        .0
                        .random_bool((k::RECOGNISE * analyse * (1.0 - skill)).clamp(0.0, 1.0));
                mind.evidence.insert(
                    item.id,
                    Held {
                        since: clock.tick,
                        discounted,
                        from: None,
                        message: None,
                    },
                );
                mind.arrived.entry(inc).or_default().push(item.id);
                mind.dirty.insert(inc);
                let mut log = world.resource_mut::<EventLog>();
                log.push(
                    clock.tick,
                    EventKind::EvidenceFound {
                        state: s,
                        evidence: item.id,
                        incident: inc,
                    },
                    Audience::States(vec![s]),
                );
                if discounted {
                    log.push(
                        clock.tick,
                        EventKind::PlantedRecognised {
                            state: s,
                            evidence: item.id,
                        },
                        Audience::States(vec![s]),
                    );
                }
            }
        }
        let dirty: Vec<usize> = std::mem::take(&mut mind.dirty).into_iter().collect();
        for inc in dirty {
            let victim = facts_of[inc].1;
            let pool = world.resource::<EvidencePool>();
            let held = mind
                .evidence
                .iter()
                .filter(|(_, h)| !h.discounted)
                .map(|(id, _)| &pool.0[*id])
                .filter(|item| item.incident == inc);
            let (p, prior) = posterior(&region, s, victim, held);
            // A suspect once the evidence has lifted the most likely candidate well above its
            // prior (evidence for "some non-state actor" lifts every group a little and
            // names none).
            let formed = p
                .iter()
                .zip(&prior)
                .fold(None::<(f64, f64)>, |best, (&p, &q)| match best {
                    Some((bp, _)) if bp >= p => best,
                    _ => Some((p, q)),
                })
                .is_some_and(|(p, q)| q > 0.0 && p / q >= k::SUSPECT_LIFT);
            let mut belief = mind.beliefs.remove(&inc).unwrap_or_else(|| Belief {
                p: prior.clone(),
                prior: prior.clone(),
                formed: false,
                changes: Vec::new(),
            });
            let before: Vec<f64> = (0..n).map(|j| belief.effective(j)).collect();
            let top_before = belief.top();
            belief.p = p;
            belief.prior = prior;
            belief.formed = formed;
            for (j, old) in before.iter().enumerate() {
                let delta = belief.effective(j) - old;
                if j != s && delta.abs() > 1e-12 {
                    shifts.push((s, inc, j, delta));
                }
            }
            let top = belief.top();
            let moved = match (top_before, top) {
                (Some((a, pa)), Some((b, pb))) => a != b || (pa - pb).abs() >= k::BELIEF_EVENT_MIN,
                (None, None) => false,
                _ => true,
            };
            let items = mind.arrived.remove(&inc).unwrap_or_default();
            if moved {
                belief.changes.push(BeliefChange {
                    tick: clock.tick,
                    top,
                    evidence: items.clone(),
                });
                world.resource_mut::<EventLog>().push(
                    clock.tick,
                    EventKind::BeliefChanged {
                        state: s,
                        incident: inc,
                        top,
                        cause: Cause::Evidence { items },
                    },
                    Audience::States(vec![s]),
                );
            }
            mind.beliefs.insert(inc, belief);
        }
        if let Some(mut slot) = world.get_mut::<Mind>(e) {
            *slot = mind;
        }
    }
    world.resource_mut::<BeliefShifts>().0 = shifts;
}

/// The prior of state `s` about an attack on `victim`, over every candidate: no weight on
/// `s` itself or on the victim; a state weighs 1 + PRIOR_TENSION · its baseline tension with
/// the victim; the non-state actors share PRIOR_NON_STATE equally. Normalised.
pub fn prior(region: &Region, s: usize, victim: usize) -> Vec<f64> {
    let n = region.n_states();
    let non_state = (region.groups.len() + 1) as f64;
    let mut w: Vec<f64> = (0..region.n_candidates())
        .map(|j| {
            if j == s || j == victim {
                0.0
            } else if j < n {
                1.0 + k::PRIOR_TENSION * region.baseline[region.pair(victim, j)]
            } else {
                k::PRIOR_NON_STATE / non_state
            }
        })
        .collect();
    let total: f64 = w.iter().sum();
    if total > 0.0 {
        w.iter_mut().for_each(|x| *x /= total);
    }
    w
}

/// Bayes' rule over the credited items (docs/model.md): returns (posterior, prior).
pub fn posterior<'a>(
    region: &Region,
    s: usize,
    victim: usize,
    items: impl Iterator<Item = &'a EvidenceItem>,
) -> (Vec<f64>, Vec<f64>) {
    let prior = prior(region, s, victim);
    let nc = prior.len();
    let live: Vec<bool> = prior.iter().map(|&q| q > 0.0).collect();
    let mut log_p: Vec<f64> = prior
        .iter()
        .map(|&q| if q > 0.0 { q.ln() } else { f64::NEG_INFINITY })
        .collect();
    let unknown = region.non_state();
    for item in items {
        // The set an item names: one candidate, or every non-state one for "non-state".
        let named = |j: usize| {
            if item.points_to == unknown {
                region.is_non_state(j)
            } else {
                j == item.points_to
            }
        };
        let inside = (0..nc).filter(|&j| live[j] && named(j)).count();
        let outside = (0..nc).filter(|&j| live[j] && !named(j)).count();
        if inside == 0 {
            continue; // it names only the state itself or the victim: it says nothing here
        }
        let r = item.reliability.clamp(0.01, 0.99);
        for j in (0..nc).filter(|&j| live[j]) {
            log_p[j] += match (item.kind, named(j)) {
                (EvidenceKind::Trace, _) if outside == 0 => 0.0,
                (EvidenceKind::Trace, true) => (r / inside as f64).ln(),
                (EvidenceKind::Trace, false) => ((1.0 - r) / outside as f64).ln(),
                (EvidenceKind::Claim, true) => (r / inside as f64).ln(),
                (EvidenceKind::Claim, false) => k::CLAIM_FALSE.ln(),
                (EvidenceKind::Exculpatory, true) => (1.0 - r).ln(),
                (EvidenceKind::Exculpatory, false) => 0.0,
            };
        }
    }
    let max = log_p.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = log_p
        .iter()
        .map(|lp| {
            if lp.is_finite() {
                (lp - max).exp()
            } else {
                0.0
            }
        })
        .collect();
    let total: f64 = weights.iter().sum();
    let p = if total > 0.0 {
        weights.iter().map(|w| w / total).collect()
    } else {
        prior.clone()
    };
    (p, prior)
}

/// Whether a state knows of an incident.
fn knows(world: &World, state: usize, incident: usize) -> bool {
    world
        .get::<Mind>(world.resource::<Entities>().states[state])
        .is_some_and(|m| m.known.contains_key(&incident))
}

/// Whether an incident against state `s` crossed one of its red lines.
fn crosses_red_line(region: &Region, s: usize, target: usize) -> bool {
    let asset = &region.assets[target];
    let state = &region.states[s];
    (asset.safe_zone && state.red_line_safe_zone)
        || state.red_line_sectors.contains(&asset.sector)
        || state.red_line_assets.contains(&target)
}

/// 10. Tension: perceived attacks, Richardson reaction and relaxation, rungs, red lines.
pub fn update_escalation(world: &mut World) {
    let clock = *world.resource::<Clock>();
    let region = world.resource::<Region>().clone();
    let n = region.n_states();
    let shifts = std::mem::take(&mut world.resource_mut::<BeliefShifts>().0);
    let incident_entities = world.resource::<Incidents>().0.clone();
    for (s, inc, j, delta) in shifts {
        let Some(incident) = world.get::<Incident>(incident_entities[inc]).cloned() else {
            continue;
        };
        // Only the victim feels attacked; others' beliefs matter through what they share.
        if incident.victim != s {
            continue;
        }
        // A red line is crossed by an attack that hurts: a dormant implant is not one.
        let harm = incident
            .severity
            .max(world.resource::<Facts>().peak_q[incident.target]);
        let red_line = crosses_red_line(&region, s, incident.target) && harm >= k::RED_LINE_FROM;
        let cause = Cause::Suspicion {
            state: s,
            suspect: j,
            incident: inc,
            red_line: red_line && delta > 0.0,
        };
        let mut tensions = world.resource_mut::<Tensions>();
        if delta > 0.0 {
            let mut dh = k::W_ATTACK * incident.severity * delta;
            if red_line {
                dh += k::W_RED_LINE * delta;
            }
            // A retaliation is felt as an answer: more than an attack of its severity.
            if incident.inject.is_none() {
                dh += k::W_RETALIATE * delta;
            }
            tensions.push(s, j, dh, clock.tick, cause);
        } else {
            // Being cleared eases hostility, never below the baseline.
            let w = k::W_EXONERATE * incident.severity * -delta;
            tensions.relieve(s, j, w, clock.tick, cause);
        }
        if red_line && delta > 0.0 && world.resource_mut::<RedLinesHit>().0.insert((s, inc)) {
            world.resource_mut::<EventLog>().push(
                clock.tick,
                EventKind::RedLineCrossed {
                    state: s,
                    asset: incident.target,
                    incident: inc,
                },
                Audience::Public,
            );
        }
    }
    let postures: Vec<_> = (0..n).map(|s| cmd::posture_of(world, s)).collect();
    let armed_gate: Vec<bool> = {
        let mut gate = vec![false; n * n];
        for a in 0..n {
            for b in (a + 1)..n {
                gate[a * n + b] = armed_conflict_possible(world, &postures, a, b);
            }
        }
        gate
    };
    // A retaliation counts for the ladder once its victim knows of the attack.
    let retaliated: Vec<bool> = {
        let mut r = vec![false; n * n];
        for &(_, by, against, inc) in &world.resource::<Facts>().retaliations {
            if knows(world, against, inc) {
                let (lo, hi) = (by.min(against), by.max(against));
                r[lo * n + hi] = true;
            }
        }
        r
    };
    let dt_h = f64::from(clock.tick_minutes) / 60.0;
    let dwell = clock.ticks_for((k::RUNG_DWELL_H * 60.0) as u32);
    let sustain = clock.ticks_for((k::ARMED_CONFLICT_SUSTAINED_H * 60.0) as u32);
    let mut tensions = world.resource_mut::<Tensions>();
    let old = tensions.h.clone();
    for a in 0..n {
        for b in 0..n {
            if a == b {
                continue;
            }
            let h0 = tensions.h0[a * n + b];
            let h0_other = tensions.h0[b * n + a];
            let react = k::reactivity(postures[a]) * (old[b * n + a] - h0_other);
            let relax = k::RELAXATION * (old[a * n + b] - h0);
            tensions.add(a, b, (react - relax) * dt_h);
        }
    }
    let mut changes = Vec::new();
    for a in 0..n {
        for b in (a + 1)..n {
            let p = tensions.pair(a, b);
            let level = tensions.level(a, b);
            let before = old[a * n + b].max(old[b * n + a]);
            tensions.drift[p] += level - before;
            let current = tensions.rung[p];
            let mut target = Rung::ALL
                .iter()
                .copied()
                .filter(|r| level >= k::rung_threshold(*r))
                .max()
                .unwrap_or(Rung::Routine);
            // Down only a margin below the rung, or once the pair is back at its baseline
            // (the crisis is over even if the baseline sits close to the rung).
            let baseline = tensions.h0[a * n + b].max(tensions.h0[b * n + a]);
            let settled =
                level <= baseline + k::SETTLED_WITHIN && baseline < k::rung_threshold(current);
            if target < current
                && level >= k::rung_threshold(current) - k::RUNG_HYSTERESIS
                && !settled
            {
                target = current;
            }
            if target == current || tensions.since[p].is_some_and(|t| clock.tick < t + dwell) {
                continue;
            }
            // One deliberate step at a time; the top two need what the record says they
            // need (docs/model.md): a retaliation between the pair, then assertive states
            // on both sides and a red line crossed with harm.
            let next = Rung::ALL[if target > current {
                current.level() + 1
            } else {
                current.level() - 1
            }];
            let sustained = tensions.since[p].is_some_and(|t| clock.tick >= t + sustain);
            if (next == Rung::Retaliation && !retaliated[p])
                || (next == Rung::ArmedConflict && !(armed_gate[p] && sustained))
            {
                continue;
            }
            let cause = rung_cause(&tensions, p, next > current);
            tensions.rung[p] = next;
            tensions.since[p] = Some(clock.tick);
            tensions.ledger[p].clear();
            tensions.drift[p] = 0.0;
            if next > tensions.peak[p] {
                tensions.peak[p] = next;
            }
            changes.push((a, b, current, next, cause));
        }
    }
    for (a, b, from, to, cause) in changes {
        world.resource_mut::<EventLog>().push(
            clock.tick,
            EventKind::RungChanged {
                a,
                b,
                from,
                to,
                cause,
            },
            Audience::States(vec![a, b]),
        );
    }
}

/// Why a pair moved: the largest push in the direction of the move since its last change,
/// unless reaction and relaxation moved it more.
fn rung_cause(tensions: &Tensions, p: usize, up: bool) -> Cause {
    let sign = if up { 1.0 } else { -1.0 };
    let best = tensions.ledger[p]
        .iter()
        .filter(|i| i.delta * sign > 0.0)
        .fold(None::<&super::world::Impulse>, |best, i| match best {
            Some(b) if b.delta.abs() >= i.delta.abs() => Some(b),
            _ => Some(i),
        });
    match best {
        Some(i) if i.delta.abs() >= (tensions.drift[p] * sign).max(0.0) => i.cause.clone(),
        _ => Cause::Drift,
    }
}

/// The armed-conflict threshold needs both states assertive now, each to have struck the
/// other (an exchange of retaliatory operations), and a red line of one of them crossed, with
/// harm, by an attack it attributes to the other (docs/model.md).
fn armed_conflict_possible(
    world: &World,
    postures: &[crate::scenario::Posture],
    a: usize,
    b: usize,
) -> bool {
    use crate::scenario::Posture::Assertive;
    if postures[a] != Assertive || postures[b] != Assertive {
        return false;
    }
    let facts = world.resource::<Facts>();
    let struck = |x: usize, y: usize| {
        facts
            .retaliations
            .iter()
            .any(|&(_, by, on, inc)| by == x && on == y && knows(world, y, inc))
    };
    if !(struck(a, b) && struck(b, a)) {
        return false;
    }
    let entities = world.resource::<Entities>();
    let hits = &world.resource::<RedLinesHit>().0;
    hits.iter().any(|&(victim, inc)| {
        let other = if victim == a {
            b
        } else if victim == b {
            a
        } else {
            return false;
        };
        let Some(incident) = world.get::<Incident>(world.resource::<Incidents>().0[inc]) else {
            return false;
        };
        let harmed = facts.peak_q[incident.target] >= k::HARM_FROM;
        let theta = k::blame_threshold(postures[victim]);
        let blames = world
            .get::<Mind>(entities.states[victim])
            .and_then(|m| m.beliefs.get(&inc))
            .and_then(Belief::top)
            .is_some_and(|(j, p)| j == other && p >= theta);
        harmed && blames
    })
}
