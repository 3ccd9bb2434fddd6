//! One system per dynamic, run in this order every tick (see `docs/model.md`):
//! clock → injects → incidents → cascade → detection → comms → commands → doctrine →
//! attribution → escalation → objectives.
//!
//! Each system declares what it reads (`Res`, `Query<&T>`) and writes (`ResMut`,
//! `Query<&mut T>`); those that carry out orders take the [`Effects`] group, since an order
//! can touch any of it. Scratch vectors live in `Local`s and are reused, so a tick in which
//! nothing happens allocates nothing.

use super::command::{Actor, Pending};
use super::constants::{self as k, per_tick};
use super::effects::{self as fx, Effects, IncidentSpec, Read};
use super::event::{Audience, Cause, EventKind, EventLog};
use super::resolved::{Cond, Revisions, Topic};
use super::world::*;
use crate::scenario::{EvidenceKind, InjectKind, Rung, WorldChange};
use bevy_ecs::prelude::{Local, Query, Res, ResMut, Resource};
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

/// Whether a resolved condition holds now.
pub(crate) fn holds(read: Read, condition: &Cond) -> bool {
    let facts = read.facts;
    let incident_of = |inject: usize| facts.incident_of_inject.get(&inject).copied();
    match condition {
        Cond::All(items) => items.iter().all(|c| holds(read, c)),
        Cond::Any(items) => items.iter().any(|c| holds(read, c)),
        Cond::Not(inner) => !holds(read, inner),
        Cond::InjectFired(i) => facts.fired[*i].is_some(),
        Cond::Detected { inject, state } => {
            incident_of(*inject).is_some_and(|inc| read.minds.0[*state].known.contains_key(&inc))
        }
        Cond::EvidenceShared { from, to } => facts.shared.iter().any(|&(f, t, _)| {
            from.has(f, read.region.orgs[f].state) && to.has(t, read.region.orgs[t].state)
        }),
        Cond::ObjectiveFailed(o) => facts.failed[*o].is_some(),
        Cond::ObjectiveMet(o) => facts.met[*o].is_some(),
        Cond::Contained(inject) => {
            incident_of(*inject).is_some_and(|inc| read.incidents.0[inc].contained_at.is_some())
        }
        Cond::Attributed {
            state,
            inject,
            blame,
            public,
        } => {
            let Some(inc) = incident_of(*inject) else {
                return false;
            };
            let named = |c: usize| blame.is_none_or(|b| b == Some(c));
            if *public {
                facts
                    .attributions
                    .iter()
                    .any(|a| a.1 == *state && a.2 == inc && named(a.3))
            } else {
                read.minds.0[*state]
                    .beliefs
                    .get(&inc)
                    .and_then(|b| b.top())
                    .is_some_and(|(c, _)| named(c))
            }
        }
        Cond::MessageAcknowledged { from, to } | Cond::MessageBounced { from, to } => {
            let bounced = matches!(condition, Cond::MessageBounced { .. });
            read.mail.0.iter().any(|m| {
                m.from_org
                    .zip(m.from_state)
                    .is_some_and(|(o, s)| from.has(o, s))
                    && to.has(m.to_org, m.to_state)
                    && if bounced {
                        m.status == MessageStatus::Bounced
                    } else {
                        m.acked_at.is_some()
                    }
            })
        }
        Cond::TensionAbove { a, b, value } => read.tensions.level(*a, *b) > *value,
        Cond::RungReached { pair, rung } => read.tensions.peak[*pair] >= *rung,
        Cond::RungAtLeast { pair, rung } => read.tensions.rung[*pair] >= *rung,
        Cond::Unresolved => false,
    }
}

/// Whether inject `i` may fire now as far as time and the facilitator go: not fired, not
/// skipped, its time reached, past any delay, not lapsed (or fired by the facilitator). Its
/// condition is the rest.
fn ready(read: Read, i: usize) -> Readiness {
    let facts = read.facts;
    if facts.fired[i].is_some() || facts.skipped.contains(&i) {
        return Readiness::No;
    }
    if facts.fire_now.contains(&i) {
        return Readiness::Now;
    }
    let clock = read.clock;
    let inject = &read.region.injects[i];
    let time_ok = inject.at.is_none_or(|at| at.minutes() <= clock.minutes());
    let delay_ok = facts.delayed.get(&i).is_none_or(|&t| clock.tick >= t);
    let not_lapsed = inject.until.is_none_or(|u| clock.minutes() <= u.minutes());
    if time_ok && delay_ok && not_lapsed {
        Readiness::IfCondition
    } else {
        Readiness::No
    }
}

enum Readiness {
    No,
    Now,
    IfCondition,
}

/// Injects that are due now (time reached, condition holds, not skipped), in scenario order.
pub(crate) fn due_injects(read: Read) -> Vec<usize> {
    (0..read.region.injects.len())
        .filter(|&i| match ready(read, i) {
            Readiness::No => false,
            Readiness::Now => true,
            Readiness::IfCondition => read.region.conditions[i]
                .as_ref()
                .is_none_or(|c| holds(read, c)),
        })
        .collect()
}

/// What the injects system remembers between ticks: each condition's last value and the
/// revision it was decided at, and the injects due this tick.
#[derive(Default)]
pub struct InjectWatch {
    decided: Vec<Option<(bool, u64)>>,
    due: Vec<usize>,
}

/// System 2 fires the injects that are due. A condition is decided again only when a fact
/// it reads has changed since it was last decided.
pub(crate) fn fire_injects(mut fx: Effects, mut watch: Local<InjectWatch>) {
    let region = Region::clone(&fx.region);
    let watch = &mut *watch;
    watch.decided.resize(region.injects.len(), None);
    watch.due.clear();
    {
        let read = fx.read();
        for i in 0..region.injects.len() {
            let due = match ready(read, i) {
                Readiness::No => false,
                Readiness::Now => true,
                Readiness::IfCondition => match &region.conditions[i] {
                    None => true,
                    Some(c) => match watch.decided[i] {
                        Some((value, at)) if !fx.revisions.changed_since(c.topics(), at) => value,
                        _ => {
                            let value = holds(read, c);
                            watch.decided[i] = Some((value, fx.revisions.now()));
                            value
                        }
                    },
                },
            };
            if due {
                watch.due.push(i);
            }
        }
    }
    for &i in &watch.due {
        fire(&mut fx, &region, i);
    }
}

/// Fires one inject now.
fn fire(fx: &mut Effects, region: &Region, i: usize) {
    let tick = fx.clock.tick;
    fx.facts.fired[i] = Some(tick);
    fx.facts.fire_now.remove(&i);
    fx.revisions.touch(Topic::Injects);
    fx.log.push(
        tick,
        EventKind::InjectFired { inject: i },
        Audience::Facilitator,
    );
    let inject = &region.injects[i];
    match &inject.kind {
        InjectKind::Incident {
            actor,
            target,
            vector,
            severity,
            lasts,
            evidence,
        } => {
            let (Some(Ref::Actor(a)), Some(Ref::Asset(t))) = (
                region.ids.get(actor).copied(),
                region.ids.get(target).copied(),
            ) else {
                return;
            };
            let def = &region.actors[a];
            let lasts_min = lasts.map_or(k::default_lasts_h(*vector) * 60, |l| l.minutes());
            let ends = tick + fx.clock.ticks_for(lasts_min);
            let inc = fx::spawn_incident(
                fx,
                IncidentSpec {
                    id: inject.id.clone(),
                    inject: Some(i),
                    actor: Some(a),
                    responsible: def.sponsor.or(def.group).unwrap_or(region.non_state()),
                    group: def.group,
                    target: t,
                    vector: *vector,
                    severity: *severity,
                    skill: def.skill,
                    false_flag: def.false_flag,
                    ends,
                },
            );
            add_evidence(fx, region, inc, evidence, false);
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
                .and_then(|a| started_incident(fx, region, a));
            let items = match incident {
                Some(inc) => add_evidence(fx, region, inc, evidence, false),
                None => Vec::new(),
            };
            for team in to {
                let Some(Ref::Team(t)) = region.ids.get(team).copied() else {
                    continue;
                };
                let label = sender_label(region, sender.as_deref(), from);
                let message = fx::deliver_control(fx, t, &label, subject, body);
                if let (Some(inc), Some(id)) = (incident, message) {
                    fx.mail.0[id].incident = Some(inc);
                }
                if let Some(inc) = incident {
                    let state = region.teams[t].state;
                    fx::learn_incident(fx, state, inc, tick, None, None);
                    hand_over(fx, state, inc, &items, message, tick);
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
                .and_then(|a| started_incident(fx, region, a))
            {
                add_evidence(fx, region, inc, evidence, true);
            }
            fx.facts.news.push((tick, headline.clone(), body.clone()));
            fx.log.push(
                tick,
                EventKind::News {
                    headline: headline.clone(),
                },
                Audience::Public,
            );
        }
        InjectKind::Question { text, .. } => {
            fx.log.push(
                tick,
                EventKind::Question { text: text.clone() },
                Audience::Facilitator,
            );
        }
        InjectKind::World(change) => apply_world_change(fx, region, change),
    }
}

/// The incident an `Incident` inject started, if it has.
fn started_incident(fx: &Effects, region: &Region, inject: &str) -> Option<usize> {
    let i = region.inject_index(inject)?;
    fx.facts.incident_of_inject.get(&i).copied()
}

/// Puts an author's evidence items on an incident into the pool; returns their ids.
fn add_evidence(
    fx: &mut Effects,
    region: &Region,
    incident: usize,
    specs: &[crate::scenario::EvidenceSpec],
    public: bool,
) -> Vec<usize> {
    let clock = *fx.clock;
    let mut ids = Vec::new();
    for e in specs {
        let id = fx.pool.0.len();
        fx.pool.0.push(EvidenceItem {
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
        fx.incidents.0[incident].evidence.push(id);
        ids.push(id);
    }
    ids
}

/// Exercise control hands evidence items to a state (with the message that carried them).
fn hand_over(
    fx: &mut Effects,
    state: usize,
    incident: usize,
    items: &[usize],
    message: Option<usize>,
    tick: u32,
) {
    if items.is_empty() {
        return;
    }
    let mind = &mut fx.minds.0[state];
    for &id in items {
        if mind.evidence.contains_key(&id) {
            continue;
        }
        mind.hold(
            incident,
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

fn apply_world_change(fx: &mut Effects, region: &Region, change: &WorldChange) {
    let tick = fx.clock.tick;
    let what = match change {
        WorldChange::ContactStale(c) | WorldChange::ContactRestored(c) => {
            let Some(Ref::Contact(ix)) = region.ids.get(c).copied() else {
                return;
            };
            let stale = matches!(change, WorldChange::ContactStale(_));
            if let Ok(mut status) = fx.contacts.get_mut(fx.entities.contacts[ix]) {
                status.stale = stale;
                if !stale {
                    status.known_stale_by.clear();
                }
            }
            format!(
                "contact {} {}",
                region.contact_label(ix),
                if stale { "went stale" } else { "restored" }
            )
        }
        WorldChange::HotlineDown(a, b) | WorldChange::HotlineRestored(a, b) => {
            let (Some(x), Some(y)) = (region.state_of_ref(a), region.state_of_ref(b)) else {
                return;
            };
            let up = matches!(change, WorldChange::HotlineRestored(..));
            let p = fx.tensions.pair(x, y);
            fx.tensions.hotline_up[p] = up;
            format!(
                "hotline {}–{} {}",
                region.states[x].name,
                region.states[y].name,
                if up { "restored" } else { "down" }
            )
        }
        WorldChange::Posture(s, posture) => {
            let Some(ix) = region.state_of_ref(s) else {
                return;
            };
            fx.minds.0[ix].posture = Some(*posture);
            format!("{} posture now {posture:?}", region.states[ix].name)
        }
        WorldChange::Outage {
            asset,
            inoperability,
        } => {
            let Some(Ref::Asset(ix)) = region.ids.get(asset).copied() else {
                return;
            };
            if let Ok(mut q) = fx.inoperability.get_mut(fx.entities.assets[ix]) {
                q.0 = q.0.max(*inoperability);
            }
            format!("outage at {}", region.assets[ix].name)
        }
    };
    fx.log.push(
        tick,
        EventKind::WorldChanged { what },
        Audience::Facilitator,
    );
}

/// System 3. Progresses incidents (containment, expiry, recovery, the traces they leave)
/// and sets the attack forcing on their targets.
#[allow(clippy::too_many_arguments)]
pub fn progress_incidents(
    clock: Res<Clock>,
    region: Res<Region>,
    entities: Res<Entities>,
    minds: Res<Minds>,
    mut incidents: ResMut<Incidents>,
    mut pool: ResMut<EvidencePool>,
    mut rng: ResMut<SimRng>,
    mut log: ResMut<EventLog>,
    mut revisions: ResMut<Revisions>,
    mut assets: Query<(&Inoperability, &mut Forcing)>,
    mut attack: Local<Vec<f64>>,
) {
    let clock = *clock;
    attack.clear();
    attack.resize(region.assets.len(), 0.0);
    for inc in incidents.0.iter_mut() {
        let active = matches!(inc.phase, Phase::Latent | Phase::Detected);
        let target = entities.assets[inc.target];
        if active {
            let isolated = assets.get(target).is_ok_and(|(_, f)| f.isolated);
            let mut contain = false;
            let mind = &minds.0[inc.victim];
            if clock.tick >= inc.ends {
                contain = true;
            } else if inc.vector != crate::scenario::Vector::PhysicalCut
                && mind.known.contains_key(&inc.ix)
            {
                // Only a victim that knows of the attack can respond to it; a physical cut
                // is repaired (it lasts its `lasts`), not contained. The operator responds,
                // supported by the national CERT.
                let respond = responder_capacity(&region, inc.target);
                let assisted = mind.assisted_by.contains_key(&inc.ix);
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
                contain = rng.0.random_bool(per_tick(h, clock.tick_minutes));
            }
            if contain {
                inc.phase = Phase::Contained;
                inc.contained_at = Some(clock.tick);
                revisions.touch(Topic::Contained);
                log.push(
                    clock.tick,
                    EventKind::Contained { incident: inc.ix },
                    Audience::States(vec![inc.victim]),
                );
            } else {
                attack[inc.target] = attack[inc.target].max(inc.severity);
                leave_traces(&mut rng, &mut pool, inc, clock);
            }
        } else if inc.phase == Phase::Contained {
            let q = assets.get(target).map_or(0.0, |(q, _)| q.0);
            if q < k::RECOVERED_BELOW {
                inc.phase = Phase::Recovered;
                inc.recovered_at = Some(clock.tick);
                log.push(
                    clock.tick,
                    EventKind::Recovered { incident: inc.ix },
                    Audience::States(vec![inc.victim]),
                );
            }
        }
    }
    for (a, &e) in entities.assets.iter().enumerate() {
        if let Ok((_, mut f)) = assets.get_mut(e) {
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
fn leave_traces(rng: &mut SimRng, pool: &mut EvidencePool, inc: &mut Incident, clock: Clock) {
    let true_rate = k::TRUE_TRACE_RATE * (1.0 - k::TRUE_TRACE_SKILL_DAMPING * inc.skill);
    let planted_rate = inc
        .false_flag
        .map_or(0.0, |_| k::PLANTED_TRACE_RATE * inc.skill);
    let (responsible, false_flag) = (inc.responsible, inc.false_flag);
    let ix = inc.ix;
    let mut add = |points_to: usize, reliability: f64, planted: bool| {
        let id = pool.0.len();
        inc.evidence.push(id);
        pool.0.push(EvidenceItem {
            id,
            incident: ix,
            points_to,
            kind: EvidenceKind::Trace,
            reliability,
            planted,
            public: false,
            available: clock.tick,
        });
    };
    if rng.0.random_bool(per_tick(true_rate, clock.tick_minutes)) {
        let r = rng
            .0
            .random_range(k::TRUE_TRACE_RELIABILITY.0..k::TRUE_TRACE_RELIABILITY.1);
        add(responsible, r, false);
    }
    if let Some(flag) = false_flag
        && rng
            .0
            .random_bool(per_tick(planted_rate, clock.tick_minutes))
    {
        let r = rng
            .0
            .random_range(k::PLANTED_TRACE_RELIABILITY.0..k::PLANTED_TRACE_RELIABILITY.1);
        add(flag, r, true);
    }
}

/// System 4. Propagates inoperability over dependencies (a dynamic inoperability
/// input-output model) and accumulates downtime.
#[allow(clippy::too_many_arguments)]
pub fn propagate_cascade(
    clock: Res<Clock>,
    region: Res<Region>,
    entities: Res<Entities>,
    mut facts: ResMut<Facts>,
    mut revisions: ResMut<Revisions>,
    mut assets: Query<(&mut Inoperability, &Forcing)>,
    mut q: Local<Vec<f64>>,
    mut rates: Local<CascadeRates>,
) {
    let dt_h = f64::from(clock.tick_minutes) / 60.0;
    let rates = rates.for_tick(&region, clock.tick_minutes);
    q.clear();
    q.extend(
        entities
            .assets
            .iter()
            .map(|&e| assets.get(e).map_or(0.0, |(q, _)| q.0)),
    );
    let rise = rates.rise;
    let mut downtime = false;
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
            rates.recovery[i]
        };
        let next = (qi.0 + rate * (target - qi.0)).clamp(0.0, 1.0);
        // Written only when it moves, so that change detection sees only real changes.
        if next != qi.0 {
            qi.0 = next;
        }
        if next > 0.0 {
            facts.downtime_h[i] += next * dt_h;
            facts.peak_q[i] = facts.peak_q[i].max(next);
            downtime = true;
        }
    }
    if downtime {
        revisions.touch(Topic::Downtime);
    }
}

/// The cascade's per-tick rates, worked out once for a tick length: the share of the gap
/// to its target an asset closes in one tick when rising, and per asset when recovering.
#[derive(Debug, Default)]
pub struct CascadeRates {
    tick_minutes: u32,
    rise: f64,
    recovery: Vec<f64>,
}

impl CascadeRates {
    fn for_tick(&mut self, region: &Region, tick_minutes: u32) -> &CascadeRates {
        if self.tick_minutes != tick_minutes || self.recovery.len() != region.assets.len() {
            let dt_h = f64::from(tick_minutes) / 60.0;
            self.tick_minutes = tick_minutes;
            self.rise = 1.0 - (-k::RISE_RATE * dt_h).exp();
            self.recovery.clear();
            self.recovery.extend(region.assets.iter().map(|def| {
                1.0 - (-(k::RECOVERY_BASE + k::RECOVERY_PER_RESILIENCE * def.resilience) * dt_h)
                    .exp()
            }));
        }
        self
    }
}

/// 5. Organisations watching an attacked asset may detect the incident.
#[allow(clippy::too_many_arguments)]
pub fn detect_incidents(
    clock: Res<Clock>,
    region: Res<Region>,
    mut incidents: ResMut<Incidents>,
    mut minds: ResMut<Minds>,
    mut rng: ResMut<SimRng>,
    mut log: ResMut<EventLog>,
    mut revisions: ResMut<Revisions>,
) {
    let clock = *clock;
    for ix in 0..incidents.0.len() {
        let inc = &incidents.0[ix];
        if !matches!(inc.phase, Phase::Latent | Phase::Detected) {
            continue;
        }
        let (target, actor, vector, skill) = (inc.target, inc.actor, inc.vector, inc.skill);
        for &org in &region.watchers[target] {
            let state = region.orgs[org].state;
            let mind = &minds.0[state];
            if mind.known.get(&ix).is_some_and(|k| k.detected_by.is_some()) {
                continue;
            }
            let warned =
                actor.is_some_and(|a| mind.warned.contains(&a)) || mind.known.contains_key(&ix);
            let alert = 1.0 + k::ALERT_PER_LEVEL * f64::from(mind.alert);
            let mut h = k::DETECT_BASE
                * region.orgs[org].capacity.detect
                * k::visibility(vector)
                * (1.0 - k::STEALTH_PER_SKILL * skill)
                * alert;
            if warned {
                h *= k::WARNED_MULTIPLIER;
            }
            if !rng
                .0
                .random_bool(per_tick(h, clock.tick_minutes).clamp(0.0, 1.0))
            {
                continue;
            }
            if fx::learn(
                &mut minds,
                &incidents,
                state,
                ix,
                clock.tick,
                Some(org),
                None,
            ) {
                revisions.touch(Topic::Known);
            }
            let i = &mut incidents.0[ix];
            if i.phase == Phase::Latent {
                i.phase = Phase::Detected;
                i.detected_at = Some(clock.tick);
            }
            log.push(
                clock.tick,
                EventKind::Detected {
                    incident: ix,
                    org,
                    state,
                },
                Audience::States(vec![state]),
            );
        }
    }
}

/// System 6 moves messages: clearance, transit, staffed hours, bounces, acknowledgements.
/// Only the messages still on their way are looked at.
pub(crate) fn move_messages(mut fx: Effects, mut settled: Local<usize>) {
    let clock = *fx.clock;
    let region = Region::clone(&fx.region);
    // Every message before `settled` has stopped moving, and a message that stopped never
    // moves again (statuses only go forward), so each tick starts at the first one moving.
    while fx.mail.0.get(*settled).is_some_and(|m| !in_motion(m)) {
        *settled += 1;
    }
    // Messages sent while these move (none are, today) wait for the next tick.
    for id in *settled..fx.mail.0.len() {
        let m = &fx.mail.0[id];
        if !in_motion(m) {
            continue;
        }
        let (status, to_contact, channel, from_state, to_state) =
            (m.status, m.to_contact, m.channel, m.from_state, m.to_state);
        let (clear_at, arrive_at, auto_ack, ack_due) =
            (m.clear_at, m.arrive_at, m.auto_ack, m.ack_due);
        let contact_e = fx.entities.contacts[to_contact];
        match status {
            MessageStatus::AwaitingClearance if clock.tick >= clear_at => {
                fx.mail.0[id].status = MessageStatus::InTransit;
                let audience = Audience::States(from_state.into_iter().collect());
                fx.log
                    .push(clock.tick, EventKind::Cleared { message: id }, audience);
            }
            MessageStatus::InTransit if clock.tick >= arrive_at => {
                let stale = fx.contacts.get(contact_e).is_ok_and(|c| c.stale);
                // A hotline handset is dead while the circuit between the pair is down.
                let line_down = channel == crate::scenario::Channel::Hotline
                    && from_state.is_some_and(|s| {
                        let t = &fx.tensions;
                        let p = t.pair(s, to_state);
                        s != to_state && t.hotline[p] && !t.hotline_up[p]
                    });
                if stale || line_down {
                    let msg = &mut fx.mail.0[id];
                    msg.status = MessageStatus::Bounced;
                    msg.bounced_at = Some(clock.tick);
                    msg.bounce = Some(if stale {
                        Bounce::Stale
                    } else {
                        Bounce::LineDown
                    });
                    fx.revisions.touch(Topic::Mail);
                    if stale
                        && let (Some(s), Ok(mut c)) = (from_state, fx.contacts.get_mut(contact_e))
                    {
                        c.known_stale_by.insert(s);
                    }
                    let audience = Audience::States(from_state.into_iter().collect());
                    fx.log
                        .push(clock.tick, EventKind::Bounced { message: id }, audience);
                } else {
                    fx.mail.0[id].status = MessageStatus::Queued;
                    deliver_if_staffed(&mut fx, &region, id, clock);
                }
            }
            MessageStatus::Queued => deliver_if_staffed(&mut fx, &region, id, clock),
            MessageStatus::Delivered if auto_ack && ack_due.is_some_and(|t| clock.tick >= t) => {
                fx::acknowledge(&mut fx, id, clock.tick);
            }
            _ => {}
        }
    }
}

/// Whether a message is still moving: on its way, or delivered to an engine player that has
/// yet to acknowledge it.
fn in_motion(m: &Message) -> bool {
    match m.status {
        MessageStatus::Acknowledged | MessageStatus::Bounced => false,
        MessageStatus::Delivered => m.auto_ack,
        _ => true,
    }
}

fn deliver_if_staffed(fx: &mut Effects, region: &Region, id: usize, clock: Clock) {
    let m = &fx.mail.0[id];
    let contact = &region.contacts[m.to_contact];
    let (minute, weekday) = clock.local_at(clock.tick, region.states[contact.state].offset_minutes);
    let open = contact.channel == crate::scenario::Channel::Hotline
        || staffed(contact.hours, minute, weekday);
    if !open {
        fx.mail.0[id].queued_at.get_or_insert(clock.tick);
        return;
    }
    let ack_due = if m.auto_ack && engine_will_acknowledge(fx.read(), m) {
        let (lo, hi) = contact.ack_delay;
        let minutes = fx.rng.0.random_range(lo..=hi);
        Some(clock.tick + minutes.div_ceil(clock.tick_minutes))
    } else {
        None
    };
    let msg = &mut fx.mail.0[id];
    msg.status = MessageStatus::Delivered;
    msg.delivered_at = Some(clock.tick);
    msg.ack_due = ack_due;
    let to_state = msg.to_state;
    fx.log.push(
        clock.tick,
        EventKind::Delivered { message: id },
        Audience::States(vec![to_state]),
    );
    receive(fx, region, id, clock.tick);
}

/// Engine-played recipients acknowledge everything but a consultation they refuse: an
/// assertive state that is very hostile to the requester.
fn engine_will_acknowledge(read: Read, m: &Message) -> bool {
    match (m.kind, m.from_state) {
        (MessageKind::RequestConsultation, Some(from)) => {
            let hostile = read.tensions.get(m.to_state, from) > 0.7;
            !(hostile && read.posture(m.to_state) == crate::scenario::Posture::Assertive)
        }
        _ => true,
    }
}

/// What a delivered message tells its recipient: the incident, the evidence.
fn receive(fx: &mut Effects, region: &Region, id: usize, tick: u32) {
    let m = &fx.mail.0[id];
    let Some(inc) = m.incident else { return };
    let (to, to_org, from_state, from_org, kind) =
        (m.to_state, m.to_org, m.from_state, m.from_org, m.kind);
    fx::learn_incident(fx, to, inc, tick, None, from_state);
    if let Some(from) = from_state
        && matches!(
            kind,
            MessageKind::Notify | MessageKind::ShareEvidence | MessageKind::RegionalCoordination
        )
    {
        fx.facts.notifications.push(Notification {
            tick,
            from_state: from,
            to_state: to,
            to_org,
            incident: inc,
        });
        fx.revisions.touch(Topic::Notices);
    }
    if kind != MessageKind::ShareEvidence || fx.mail.0[id].evidence.is_empty() {
        return;
    }
    if let Some(from_org) = from_org {
        fx.facts.shared.push((from_org, to_org, tick));
        fx.revisions.touch(Topic::Shared);
    }
    // The organisation that reads the message analyses it: a CERT or regional body itself,
    // otherwise the state's analysing organisation. The sender's own analysts vouch for
    // their "planted" verdicts.
    let reader = region.orgs[to_org].kind;
    let analyse = if matches!(
        reader,
        crate::scenario::OrgKind::NationalCert | crate::scenario::OrgKind::RegionalBody
    ) {
        region.orgs[to_org].capacity.analyse
    } else {
        analyst_capacity(region, to)
    };
    let sender_analyse = from_org.map_or(0.0, |o| region.orgs[o].capacity.analyse);
    let skill = fx.incidents.0.get(inc).map_or(0.5, |i| i.skill);
    // Taken out of the message while it is read (put back below), to avoid a copy.
    let evidence = std::mem::take(&mut fx.mail.0[id].evidence);
    for &ev in &evidence {
        let planted = fx.pool.0[ev].planted;
        let sender_discounts = from_state.is_some_and(|s| {
            fx.minds.0[s]
                .evidence
                .get(&ev)
                .is_some_and(|h| h.discounted)
        });
        let mind = &fx.minds.0[to];
        let held = mind.evidence.get(&ev).copied();
        let reviewed = from_state.is_some_and(|f| mind.reviewed.contains(&(ev, f)));
        // The sender holds this item: it is never sent back to it.
        if let (Some(f), false) = (from_state, reviewed) {
            fx.minds.0[to].reviewed.insert((ev, f));
        }
        let discounted = match held {
            // Already judged planted, or an echo of what it holds: nothing new.
            Some(h) if h.discounted => continue,
            Some(_) if !sender_discounts || reviewed => continue,
            // Already held and credited: the sender's "planted" verdict convinces the
            // receiver (once per sender) with the probability that the sender's analysts are
            // right to be trusted.
            Some(_) => fx.chance(sender_analyse),
            None => {
                let own = planted && fx.chance(k::RECOGNISE * analyse * (1.0 - skill));
                let trusted = sender_discounts && fx.chance(sender_analyse);
                own || trusted
            }
        };
        let mind = &mut fx.minds.0[to];
        let new = held.is_none();
        let since = held.map_or(tick, |h| h.since);
        let from = held.map_or(from_state, |h| h.from);
        let message = held.map_or(Some(id), |h| h.message);
        mind.hold(
            fx.pool.0[ev].incident,
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
    fx.mail.0[id].evidence = evidence;
}

/// Whether teams submitted commands for this tick (what `apply_commands` runs on).
pub(crate) fn commands_pending(pending: Res<Pending>) -> bool {
    !pending.0.is_empty()
}

/// System 7 carries out the commands teams submitted, in submit order. One that no longer
/// holds (an earlier one this tick changed the world) leaves an event saying why, for the
/// team.
pub(crate) fn apply_commands(mut pending: ResMut<Pending>, mut fx: Effects) {
    for (team, order) in pending.0.drain(..) {
        let state = fx.region.teams[team].state;
        let actor = Actor {
            state,
            team: Some(team),
            org: None,
        };
        if let Err(why) = fx::apply(&mut fx, actor, &order) {
            let tick = fx.clock.tick;
            fx.log.push(
                tick,
                EventKind::CommandDropped {
                    team,
                    action: order.name().to_string(),
                    reason: why.to_string(),
                },
                Audience::States(vec![state]),
            );
        }
    }
}

/// The evidence items on one incident that a state did not hold when it last looked: what
/// it finds drops out, so each tick walks only what is left to find, not every item.
#[derive(Debug, Default)]
pub struct Unheld {
    /// How many of the incident's items have been sorted into the lists.
    seen: usize,
    /// How many items the state held on the incident when the lists were last pruned (what
    /// is held only grows, so an equal count means nothing to prune).
    held: usize,
    private: Vec<usize>,
    public: Vec<usize>,
    /// This tick's candidates, ascending.
    order: Vec<usize>,
}

impl Unheld {
    /// Takes in the items added to the incident since the last look and drops those the
    /// state has come to hold (found, shared with it, handed over).
    fn catch_up(&mut self, evidence: &[usize], pool: &EvidencePool, held: &[usize]) {
        for &id in &evidence[self.seen..] {
            if pool.0[id].public {
                self.public.push(id);
            } else {
                self.private.push(id);
            }
        }
        self.seen = evidence.len();
        if held.len() != self.held {
            let is_held = |id: &usize| held.binary_search(id).is_ok();
            self.private.retain(|id| !is_held(id));
            self.public.retain(|id| !is_held(id));
            self.held = held.len();
        }
    }

    /// Fills `order` with the items to look at, ascending: the public ones, and the private
    /// ones too when the state has analysts on the incident.
    fn candidates(&mut self, private_too: bool) {
        self.order.clear();
        if !private_too {
            self.order.extend_from_slice(&self.public);
            return;
        }
        let (mut i, mut j) = (0, 0);
        while i < self.private.len() || j < self.public.len() {
            if j == self.public.len()
                || (i < self.private.len() && self.private[i] < self.public[j])
            {
                self.order.push(self.private[i]);
                i += 1;
            } else {
                self.order.push(self.public[j]);
                j += 1;
            }
        }
    }
}

/// System 9: analysts find traces, public evidence reaches everyone who knows of the
/// incident, and each state's beliefs are updated by Bayes' rule.
#[allow(clippy::too_many_arguments)]
pub fn update_attribution(
    clock: Res<Clock>,
    region: Res<Region>,
    incidents: Res<Incidents>,
    pool: Res<EvidencePool>,
    mut minds: ResMut<Minds>,
    mut rng: ResMut<SimRng>,
    mut log: ResMut<EventLog>,
    mut shifts: ResMut<BeliefShifts>,
    mut revisions: ResMut<Revisions>,
    mut unheld: Local<Vec<Vec<Unheld>>>,
) {
    let clock = *clock;
    let n = region.n_states();
    shifts.0.clear();
    if unheld.len() < minds.0.len() {
        unheld.resize_with(minds.0.len(), Vec::new);
    }
    for (s, mind) in minds.0.iter_mut().enumerate() {
        let own_analyse = analyst_capacity(&region, s);
        let Mind {
            known,
            evidence,
            held_on,
            arrived,
            dirty,
            assisted_by,
            beliefs,
            belief_revision,
            ..
        } = mind;
        for (&inc, how) in known.iter() {
            let incident = &incidents.0[inc];
            let (skill, victim) = (incident.skill, incident.victim);
            // Who examines what: the victim's analysts (or a more capable CERT assisting it)
            // look at the affected systems; a state that detected an attack on another's
            // asset sees its traffic and finds traces more slowly; the rest only hear.
            let analyse = if victim == s {
                // A more capable CERT assisting works on the samples it is sent: it lifts the
                // victim's analysis part of the way to its own, it does not replace it.
                let helper = assisted_by
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
            let held = held_on.entry(inc).or_default();
            let states_unheld = &mut unheld[s];
            if states_unheld.len() <= inc {
                states_unheld.resize_with(inc + 1, Unheld::default);
            }
            let pending = &mut states_unheld[inc];
            pending.catch_up(&incident.evidence, &pool, held);
            // Items not held, in ascending id order (the order they were found in before
            // this was kept): private ones only where the state has analysts on it.
            pending.candidates(rate > 0.0);
            for c in 0..pending.order.len() {
                let id = pending.order[c];
                let at = held.partition_point(|&h| h < id);
                let item = &pool.0[id];
                let findable = item.available <= clock.tick && (item.public || rate > 0.0);
                if !findable {
                    continue;
                }
                if !item.public && !rng.0.random_bool(p_find) {
                    continue;
                }
                let discounted = item.planted
                    && rng
                        .0
                        .random_bool((k::RECOGNISE * analyse * (1.0 - skill)).clamp(0.0, 1.0));
                evidence.insert(
                    item.id,
                    Held {
                        since: clock.tick,
                        discounted,
                        from: None,
                        message: None,
                    },
                );
                // As `Mind::hold` does (the mind is borrowed in parts here).
                held.insert(at, item.id);
                arrived.entry(inc).or_default().push(item.id);
                dirty.insert(inc);
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
        if dirty.is_empty() {
            continue;
        }
        revisions.touch(Topic::Beliefs);
        *belief_revision += 1;
        for inc in std::mem::take(dirty) {
            let victim = incidents.0[inc].victim;
            let held = incidents.0[inc]
                .evidence
                .iter()
                .filter(|id| evidence.get(id).is_some_and(|h| !h.discounted))
                .map(|id| &pool.0[*id]);
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
            let mut belief = beliefs.remove(&inc).unwrap_or_else(|| Belief {
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
                    shifts.0.push((s, inc, j, delta));
                }
            }
            let top = belief.top();
            let moved = match (top_before, top) {
                (Some((a, pa)), Some((b, pb))) => a != b || (pa - pb).abs() >= k::BELIEF_EVENT_MIN,
                (None, None) => false,
                _ => true,
            };
            let items = arrived.remove(&inc).unwrap_or_default();
            if moved {
                belief.changes.push(BeliefChange {
                    tick: clock.tick,
                    top,
                    evidence: items.clone(),
                });
                log.push(
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
            beliefs.insert(inc, belief);
        }
    }
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

/// Whether an incident against state `s` crossed one of its red lines.
fn crosses_red_line(region: &Region, s: usize, target: usize) -> bool {
    let asset = &region.assets[target];
    let state = &region.states[s];
    (asset.safe_zone && state.red_line_safe_zone)
        || state.red_line_sectors.contains(&asset.sector)
        || state.red_line_assets.contains(&target)
}

/// Scratch space of the escalation system, reused every tick.
#[derive(Default)]
pub struct EscalationScratch {
    postures: Vec<crate::scenario::Posture>,
    armed_gate: Vec<bool>,
    retaliated: Vec<bool>,
    old: Vec<f64>,
    changes: Vec<(usize, usize, Rung, Rung, Cause)>,
}

/// 10. Tension: perceived attacks, Richardson reaction and relaxation, rungs, red lines.
#[allow(clippy::too_many_arguments)]
pub fn update_escalation(
    clock: Res<Clock>,
    region: Res<Region>,
    incidents: Res<Incidents>,
    facts: Res<Facts>,
    minds: Res<Minds>,
    mut shifts: ResMut<BeliefShifts>,
    mut red_lines: ResMut<RedLinesHit>,
    mut tensions: ResMut<Tensions>,
    mut log: ResMut<EventLog>,
    mut revisions: ResMut<Revisions>,
    mut scratch: Local<EscalationScratch>,
) {
    let clock = *clock;
    let n = region.n_states();
    let tensions = &mut *tensions;
    if !shifts.0.is_empty() {
        revisions.touch(Topic::Tension);
    }
    for (s, inc, j, delta) in shifts.0.drain(..) {
        let incident = &incidents.0[inc];
        // Only the victim feels attacked; others' beliefs matter through what they share.
        if incident.victim != s {
            continue;
        }
        // A red line is crossed by an attack that hurts: a dormant implant is not one.
        let harm = incident.severity.max(facts.peak_q[incident.target]);
        let red_line = crosses_red_line(&region, s, incident.target) && harm >= k::RED_LINE_FROM;
        let cause = Cause::Suspicion {
            state: s,
            suspect: j,
            incident: inc,
            red_line: red_line && delta > 0.0,
        };
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
        if red_line && delta > 0.0 && red_lines.0.insert((s, inc)) {
            log.push(
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
    let scratch = &mut *scratch;
    let knows = |state: usize, inc: usize| minds.0[state].known.contains_key(&inc);
    scratch.postures.clear();
    scratch
        .postures
        .extend((0..n).map(|s| super::effects::posture_of(&minds, &region, s)));
    let postures = &scratch.postures;
    scratch.armed_gate.clear();
    scratch.armed_gate.resize(n * n, false);
    for a in 0..n {
        for b in (a + 1)..n {
            scratch.armed_gate[a * n + b] =
                armed_conflict_possible(&incidents, &facts, &minds, &red_lines, postures, a, b);
        }
    }
    // A retaliation counts for the ladder once its victim knows of the attack.
    scratch.retaliated.clear();
    scratch.retaliated.resize(n * n, false);
    for &(_, by, against, inc) in &facts.retaliations {
        if knows(against, inc) {
            let (lo, hi) = (by.min(against), by.max(against));
            scratch.retaliated[lo * n + hi] = true;
        }
    }
    let dt_h = f64::from(clock.tick_minutes) / 60.0;
    let dwell = clock.ticks_for((k::RUNG_DWELL_H * 60.0) as u32);
    let sustain = clock.ticks_for((k::ARMED_CONFLICT_SUSTAINED_H * 60.0) as u32);
    scratch.old.clear();
    scratch.old.extend_from_slice(&tensions.h);
    let old = &scratch.old;
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
    if tensions.h != *old {
        revisions.touch(Topic::Tension);
    }
    let changes = &mut scratch.changes;
    changes.clear();
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
            if (next == Rung::Retaliation && !scratch.retaliated[p])
                || (next == Rung::ArmedConflict && !(scratch.armed_gate[p] && sustained))
            {
                continue;
            }
            let cause = rung_cause(tensions, p, next > current);
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
    if !changes.is_empty() {
        revisions.touch(Topic::Rungs);
    }
    for (a, b, from, to, cause) in changes.drain(..) {
        log.push(
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
    incidents: &Incidents,
    facts: &Facts,
    minds: &Minds,
    red_lines: &RedLinesHit,
    postures: &[crate::scenario::Posture],
    a: usize,
    b: usize,
) -> bool {
    use crate::scenario::Posture::Assertive;
    if postures[a] != Assertive || postures[b] != Assertive {
        return false;
    }
    let knows = |state: usize, inc: usize| minds.0[state].known.contains_key(&inc);
    let struck = |x: usize, y: usize| {
        facts
            .retaliations
            .iter()
            .any(|&(_, by, on, inc)| by == x && on == y && knows(y, inc))
    };
    if !(struck(a, b) && struck(b, a)) {
        return false;
    }
    red_lines.0.iter().any(|&(victim, inc)| {
        let other = if victim == a {
            b
        } else if victim == b {
            a
        } else {
            return false;
        };
        let incident = &incidents.0[inc];
        let harmed = facts.peak_q[incident.target] >= k::HARM_FROM;
        let theta = k::blame_threshold(postures[victim]);
        let blames = minds.0[victim]
            .beliefs
            .get(&inc)
            .and_then(Belief::top)
            .is_some_and(|(j, p)| j == other && p >= theta);
        harmed && blames
    })
}
