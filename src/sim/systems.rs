//! One system per dynamic, run in this order every tick (see `docs/model.md`):
//! clock → injects → incidents → cascade → detection → comms → commands → doctrine →
//! attribution → escalation → objectives.

use super::command::{self as cmd, Actor, IncidentSpec};
use super::constants::{self as k, per_tick};
use super::event::{Audience, EventKind, EventLog};
use super::world::*;
use crate::scenario::{Candidate, Condition, InjectKind, Rung, WorldChange};
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
        Condition::EvidenceShared { from, to } => {
            let matches = |id: &str, org: usize| match region.ids.get(id) {
                Some(Ref::Org(o)) => *o == org,
                Some(Ref::State(s)) => region.orgs[org].state == *s,
                _ => false,
            };
            facts
                .shared
                .iter()
                .any(|(f, t, _)| matches(from, *f) && matches(to, *t))
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
            time_ok && delay_ok && inject.when.as_ref().is_none_or(|c| holds(world, c))
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
                    culprit: def.sponsor,
                    target: t,
                    vector,
                    severity,
                    skill: def.skill,
                    false_flag: def.false_flag,
                    ends: tick + clock.ticks_for(lasts_min),
                },
            );
            let mut pool = world.resource_mut::<EvidencePool>();
            for e in evidence {
                let points_to = match &e.points_to {
                    Candidate::State(s) => region.state_of_ref(s).unwrap_or(region.non_state()),
                    Candidate::NonState => region.non_state(),
                };
                let id = pool.0.len();
                pool.0.push(EvidenceItem {
                    id,
                    incident: inc,
                    points_to,
                    reliability: e.reliability,
                    planted: e.planted,
                    available: tick + e.after.map_or(0, |a| clock.ticks_for(a.minutes())),
                });
            }
        }
        InjectKind::Message {
            to,
            from,
            subject,
            body,
        } => {
            for team in to {
                let Some(Ref::Team(t)) = region.ids.get(&team).copied() else {
                    continue;
                };
                deliver_control(world, &region, t, &from, &subject, &body);
            }
        }
        InjectKind::News { headline, body } => {
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

/// A message from exercise control, delivered at once to a team's first contact.
pub fn deliver_control(
    world: &mut World,
    region: &Region,
    team: usize,
    from: &str,
    subject: &str,
    body: &str,
) {
    let tick = world.resource::<Clock>().tick;
    let Some(contact) = region.teams[team]
        .orgs
        .iter()
        .find_map(|&o| region.contact_of(o))
    else {
        return;
    };
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
            } else if inc.phase == Phase::Detected
                && world
                    .get::<Mind>(world.resource::<Entities>().states[inc.victim])
                    .is_some_and(|m| m.known.contains_key(&inc.ix))
            {
                // Only a victim that knows of the attack can respond to it.
                let respond = region.states[inc.victim]
                    .orgs
                    .iter()
                    .map(|&o| region.orgs[o].capacity.respond)
                    .fold(0.0, f64::max);
                let mind = world.get::<Mind>(world.resource::<Entities>().states[inc.victim]);
                let assisted = mind.is_some_and(|m| m.assisted_by.contains_key(&inc.ix));
                let mut h = k::CONTAIN_BASE * respond;
                if assisted {
                    h *= k::ASSIST_MULTIPLIER;
                }
                if isolated {
                    h *= 2.0;
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
                leave_traces(world, &region, &inc, clock);
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

/// True traces point at the real sponsor (or non-state); a false-flag actor plants more.
fn leave_traces(world: &mut World, region: &Region, inc: &Incident, clock: Clock) {
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
        new.push((inc.culprit.unwrap_or(region.non_state()), r, false));
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
            reliability,
            planted,
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
        let from_deps: f64 = def.depends_on.iter().map(|&(j, w)| w * q[j]).sum();
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
            let alert = 1.0 + 0.25 * f64::from(mind.alert);
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
                if stale {
                    {
                        let msg = &mut world.resource_mut::<Mailroom>().0[id];
                        msg.status = MessageStatus::Bounced;
                        msg.bounced_at = Some(clock.tick);
                    }
                    if let (Some(s), Some(mut c)) =
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
            .push((tick, from, to, inc));
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
    let analyse = region.states[to]
        .orgs
        .iter()
        .map(|&o| region.orgs[o].capacity.analyse)
        .fold(0.0, f64::max);
    let sender_analyse = m.from_state.map_or(0.0, |s| {
        region.states[s]
            .orgs
            .iter()
            .map(|&o| region.orgs[o].capacity.analyse)
            .fold(0.0, f64::max)
    });
    let skill = world
        .get::<Incident>(world.resource::<Incidents>().0[inc])
        .map_or(0.5, |i| i.skill);
    let e = world.resource::<Entities>().states[to];
    let sender_mind = m
        .from_state
        .map(|s| world.resource::<Entities>().states[s])
        .and_then(|se| world.get::<Mind>(se).cloned());
    for &ev in &m.evidence {
        let planted = world.resource::<EvidencePool>().0[ev].planted;
        let sender_discounts = sender_mind
            .as_ref()
            .is_some_and(|sm| sm.evidence.get(&ev).is_some_and(|h| h.discounted));
        let held = world
            .get::<Mind>(e)
            .and_then(|mind| mind.evidence.get(&ev).copied());
        let discounted = match held {
            Some(h) if h.discounted => continue,
            // Already held and credited: the sender's "planted" verdict convinces the
            // receiver with the probability that the sender's analysts are right to be trusted.
            Some(_) if sender_discounts => world
                .resource_mut::<SimRng>()
                .0
                .random_bool(sender_analyse.clamp(0.0, 1.0)),
            Some(_) => continue,
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
            let since = held.map_or(tick, |h| h.since);
            let from = held.map_or(m.from_state, |h| h.from);
            mind.evidence.insert(
                ev,
                Held {
                    since,
                    discounted,
                    from,
                },
            );
            mind.dirty.insert(inc);
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
            },
            &command,
        );
    }
}

/// 9. Analysts find traces; each state's beliefs are updated by Bayes' rule.
pub fn update_attribution(world: &mut World) {
    let clock = *world.resource::<Clock>();
    let region = world.resource::<Region>().clone();
    let n = region.n_states();
    let mut shifts = Vec::new();
    let incident_entities = world.resource::<Incidents>().0.clone();
    let skills: Vec<f64> = incident_entities
        .iter()
        .map(|&e| world.get::<Incident>(e).map_or(0.5, |i| i.skill))
        .collect();
    let victims: Vec<usize> = incident_entities
        .iter()
        .map(|&e| world.get::<Incident>(e).map_or(0, |i| i.victim))
        .collect();
    for s in 0..n {
        let e = world.resource::<Entities>().states[s];
        // Taken out of the world while it is updated (put back below), to avoid a copy.
        let Some(mind) = world
            .get_mut::<Mind>(e)
            .map(|mut m| std::mem::take(&mut *m))
        else {
            continue;
        };
        let own_analyse = region.states[s]
            .orgs
            .iter()
            .map(|&o| region.orgs[o].capacity.analyse)
            .fold(0.0, f64::max);
        let mut mind = mind;
        // Finding: the victim's analysts (and those assisting it) examine the affected systems.
        for &inc in mind.known.keys() {
            if victims[inc] != s {
                continue;
            }
            let helper = mind.assisted_by.get(&inc).map_or(0.0, |&h| {
                region.states[h]
                    .orgs
                    .iter()
                    .map(|&o| region.orgs[o].capacity.analyse)
                    .fold(0.0, f64::max)
            });
            let analyse = own_analyse.max(helper);
            let p_find = per_tick(k::FIND_RATE * analyse, clock.tick_minutes);
            let candidates: Vec<EvidenceItem> = world
                .resource::<EvidencePool>()
                .0
                .iter()
                .filter(|it| {
                    it.incident == inc
                        && it.available <= clock.tick
                        && !mind.evidence.contains_key(&it.id)
                })
                .cloned()
                .collect();
            for item in candidates {
                let mut rng = world.resource_mut::<SimRng>();
                if !rng.0.random_bool(p_find) {
                    continue;
                }
                let discounted = item.planted
                    && rng.0.random_bool(
                        (k::RECOGNISE * analyse * (1.0 - skills[inc])).clamp(0.0, 1.0),
                    );
                mind.evidence.insert(
                    item.id,
                    Held {
                        since: clock.tick,
                        discounted,
                        from: None,
                    },
                );
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
        // Bayes: prior from baseline tension, likelihood from each held, credited item.
        let pool = world.resource::<EvidencePool>();
        let dirty: Vec<usize> = std::mem::take(&mut mind.dirty).into_iter().collect();
        for inc in dirty {
            let mut log_p: Vec<f64> = (0..=n)
                .map(|j| {
                    if j == s {
                        f64::NEG_INFINITY
                    } else if j == n {
                        k::PRIOR_NON_STATE.ln()
                    } else {
                        (1.0 + k::PRIOR_TENSION * region.baseline[region.pair(s, j)]).ln()
                    }
                })
                .collect();
            let candidates = n as f64; // states other than s, plus non-state
            for (&ev, held) in &mind.evidence {
                let item = &pool.0[ev];
                if item.incident != inc || held.discounted {
                    continue;
                }
                let r = item.reliability.clamp(0.01, 0.99);
                for (j, lp) in log_p.iter_mut().enumerate() {
                    if j == s {
                        continue;
                    }
                    *lp += if j == item.points_to {
                        r.ln()
                    } else {
                        ((1.0 - r) / (candidates - 1.0).max(1.0)).ln()
                    };
                }
            }
            let max = log_p.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let weights: Vec<f64> = log_p.iter().map(|lp| (lp - max).exp()).collect();
            let total: f64 = weights.iter().sum();
            let belief: Vec<f64> = weights.iter().map(|w| w / total).collect();
            let before = mind.beliefs.get(&inc).cloned();
            for (j, &b) in belief.iter().enumerate() {
                let prior = before.as_ref().map_or(0.0, |v| v[j]);
                if (b - prior).abs() > 1e-12 && j != n && j != s {
                    shifts.push((s, inc, j, b - prior));
                }
            }
            mind.beliefs.insert(inc, belief);
        }
        if let Some(mut slot) = world.get_mut::<Mind>(e) {
            *slot = mind;
        }
    }
    world.resource_mut::<BeliefShifts>().0 = shifts;
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
        let w = if delta > 0.0 {
            k::W_ATTACK
        } else {
            k::W_EXONERATE
        };
        let asset = &region.assets[incident.target];
        let state = &region.states[s];
        let red_line = (asset.safe_zone && state.red_line_safe_zone)
            || state.red_line_sectors.contains(&asset.sector)
            || state.red_line_assets.contains(&incident.target);
        let mut dh = w * incident.severity * delta;
        if red_line && delta > 0.0 {
            dh += k::W_RED_LINE * delta;
        }
        world.resource_mut::<Tensions>().add(s, j, dh);
        if red_line && world.resource_mut::<RedLinesHit>().0.insert((s, inc)) {
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
    let dt_h = f64::from(clock.tick_minutes) / 60.0;
    let mut tensions = world.resource_mut::<Tensions>();
    let old = tensions.h.clone();
    for a in 0..n {
        for b in 0..n {
            if a == b {
                continue;
            }
            let h0 = region.baseline[region.pair(a, b)];
            let react = k::reactivity(postures[a]) * (old[b * n + a] - h0);
            let relax = k::RELAXATION * (old[a * n + b] - h0);
            tensions.add(a, b, (react - relax) * dt_h);
        }
    }
    let mut changes = Vec::new();
    for a in 0..n {
        for b in (a + 1)..n {
            let p = tensions.pair(a, b);
            let level = tensions.level(a, b);
            let current = tensions.rung[p];
            let mut next = Rung::ALL
                .iter()
                .copied()
                .filter(|r| level >= k::rung_threshold(*r))
                .max()
                .unwrap_or(Rung::Routine);
            if next < current && level >= k::rung_threshold(current) - k::RUNG_HYSTERESIS {
                next = current;
            }
            if next != current {
                tensions.rung[p] = next;
                if next > tensions.peak[p] {
                    tensions.peak[p] = next;
                }
                changes.push((a, b, current, next));
            }
        }
    }
    for (a, b, from, to) in changes {
        world.resource_mut::<EventLog>().push(
            clock.tick,
            EventKind::RungChanged { a, b, from, to },
            Audience::States(vec![a, b]),
        );
    }
}
