//! What orders do: messages put on their way, tension moved, incidents started.
//!
//! [`Effects`] is the one group of data the effects of an order can touch; the systems that
//! carry out orders (commands, doctrine, injects, comms) declare it as their parameter.
//! [`Read`] is the same data read-only, for checks and conditions, built from an
//! [`Effects`] or from the world outside the schedule (views, `Sim::submit`).

use super::command::{Actor, CommandError, Order, check, sender};
use super::constants as k;
use super::event::{Act, Audience, Cause, EventKind, EventLog};
use super::resolved::{Revisions, Topic};
use super::world::*;
use crate::scenario::{Id, OrgKind, Posture, Vector};
use bevy_ecs::prelude::{Query, Res, ResMut, World};
use bevy_ecs::system::SystemParam;
use rand::RngExt;

/// The world read-only: what checks, conditions and views look at.
#[derive(Clone, Copy)]
pub(crate) struct Read<'a> {
    pub clock: &'a Clock,
    pub region: &'a Region,
    pub facts: &'a Facts,
    pub mail: &'a Mailroom,
    pub tensions: &'a Tensions,
    pub incidents: &'a Incidents,
    pub minds: &'a Minds,
    pub pool: &'a EvidencePool,
}

impl<'a> Read<'a> {
    pub fn of(world: &'a World) -> Read<'a> {
        Read {
            clock: world.resource::<Clock>(),
            region: world.resource::<Region>(),
            facts: world.resource::<Facts>(),
            mail: world.resource::<Mailroom>(),
            tensions: world.resource::<Tensions>(),
            incidents: world.resource::<Incidents>(),
            minds: world.resource::<Minds>(),
            pool: world.resource::<EvidencePool>(),
        }
    }

    /// The state's current posture (the scenario's unless an inject changed it).
    pub fn posture(&self, state: usize) -> Posture {
        posture_of(self.minds, self.region, state)
    }
}

/// The state's current posture (the scenario's unless an inject changed it).
pub(crate) fn posture_of(minds: &Minds, region: &RegionData, state: usize) -> Posture {
    minds.0[state]
        .posture
        .unwrap_or(region.states[state].posture)
}

/// Everything the effects of an order may read or change.
#[derive(SystemParam)]
pub(crate) struct Effects<'w, 's> {
    pub clock: Res<'w, Clock>,
    pub region: Res<'w, Region>,
    pub players: Res<'w, Players>,
    pub entities: Res<'w, Entities>,
    pub rng: ResMut<'w, SimRng>,
    pub facts: ResMut<'w, Facts>,
    pub mail: ResMut<'w, Mailroom>,
    pub tensions: ResMut<'w, Tensions>,
    pub log: ResMut<'w, EventLog>,
    pub incidents: ResMut<'w, Incidents>,
    pub minds: ResMut<'w, Minds>,
    pub pool: ResMut<'w, EvidencePool>,
    pub revisions: ResMut<'w, Revisions>,
    pub contacts: Query<'w, 's, &'static mut ContactStatus>,
    pub forcing: Query<'w, 's, &'static mut Forcing>,
    pub inoperability: Query<'w, 's, &'static mut Inoperability>,
}

impl Effects<'_, '_> {
    pub fn read(&self) -> Read<'_> {
        Read {
            clock: &self.clock,
            region: &self.region,
            facts: &self.facts,
            mail: &self.mail,
            tensions: &self.tensions,
            incidents: &self.incidents,
            minds: &self.minds,
            pool: &self.pool,
        }
    }

    /// Draws with probability `p` (clamped to [0, 1]).
    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.0.random_bool(p.clamp(0.0, 1.0))
    }

    /// The window (in ticks) within which repeated de-escalating acts weigh less.
    fn relief_window(&self) -> u32 {
        self.clock.ticks_for((k::RELIEF_WINDOW_H * 60.0) as u32)
    }
}

/// What to send.
pub(crate) struct Outgoing {
    pub from_org: Option<usize>,
    pub from_label: String,
    pub to_contact: usize,
    pub kind: MessageKind,
    pub incident: Option<usize>,
    pub evidence: Vec<usize>,
    pub tlp: Tlp,
    pub subject: String,
    pub text: String,
}

/// Puts a message on its way: clearance, transit, then the comms system moves it.
pub(crate) fn send(fx: &mut Effects, out: Outgoing) -> usize {
    let tick = fx.clock.tick;
    let tick_minutes = fx.clock.tick_minutes;
    let region = &**fx.region;
    let to = &region.contacts[out.to_contact];
    let from_state = out.from_org.map(|o| region.orgs[o].state);
    let sharing_abroad = matches!(out.kind, MessageKind::Notify | MessageKind::ShareEvidence)
        && from_state.is_some_and(|s| s != to.state)
        && out
            .from_org
            .is_some_and(|o| region.orgs[o].kind == OrgKind::NationalCert);
    let g = from_state.map_or(0.0, |s| region.states[s].government_control);
    let p = if sharing_abroad { g } else { 0.0 };
    let transit = k::transit_minutes(to.channel);
    let auto_ack = fx.players.engine_plays(&fx.region, to.org);
    let rng = &mut fx.rng.0;
    let needs = p > 0.0 && rng.random_bool(p.clamp(0.0, 1.0));
    let clearance_min = if needs {
        (60.0 * g * (k::CLEARANCE_BASE_H + k::CLEARANCE_SPREAD_H * rng.random::<f64>())).round()
            as u32
    } else {
        0
    };
    let transit_min = rng.random_range(transit.0..=transit.1);
    let clear_at = tick + clearance_min.div_ceil(tick_minutes);
    let arrive_at = clear_at + transit_min.div_ceil(tick_minutes).max(1);
    let id = fx.mail.0.len();
    fx.mail.0.push(Message {
        id,
        from_org: out.from_org,
        from_state,
        from_label: out.from_label,
        to_contact: out.to_contact,
        to_org: to.org,
        to_state: to.state,
        channel: to.channel,
        kind: out.kind,
        incident: out.incident,
        evidence: out.evidence,
        tlp: out.tlp,
        subject: out.subject,
        text: out.text,
        sent: tick,
        status: if needs {
            MessageStatus::AwaitingClearance
        } else {
            MessageStatus::InTransit
        },
        needed_clearance: needs,
        clear_at,
        arrive_at,
        delivered_at: None,
        ack_due: None,
        acked_at: None,
        bounced_at: None,
        bounce: None,
        queued_at: None,
        auto_ack,
    });
    let audience = match from_state {
        Some(s) => Audience::States(vec![s]),
        None => Audience::Facilitator,
    };
    fx.log
        .push(tick, EventKind::MessageSent { message: id }, audience);
    id
}

/// Carries out an order, after checking it again (an earlier order of the same tick may have
/// changed the world). The error says why it could not be carried out; nothing changed then.
pub(crate) fn apply(fx: &mut Effects, actor: Actor, order: &Order) -> Result<(), CommandError> {
    check(fx.read(), actor, order)?;
    let tick = fx.clock.tick;
    let region = Region::clone(&fx.region);
    let cert = sender(&region, actor, OrgKind::NationalCert);
    let ministry = sender(&region, actor, OrgKind::ForeignMinistry);
    let me = actor.state;
    let name = &region.states[me].name;
    let incident_id = |fx: &Effects, inc: usize| fx.incidents.0[inc].id.clone();
    match order {
        Order::Notify { to, incident, text } => {
            let subject = match incident {
                Some(i) => format!("Incident notification: {}", incident_id(fx, *i)),
                None => "Notification".to_string(),
            };
            for &c in to {
                send(
                    fx,
                    Outgoing {
                        from_org: cert,
                        from_label: String::new(),
                        to_contact: c,
                        kind: MessageKind::Notify,
                        incident: *incident,
                        evidence: Vec::new(),
                        tlp: Tlp::Green,
                        subject: subject.clone(),
                        text: text.clone(),
                    },
                );
            }
        }
        Order::ShareEvidence {
            to,
            incident,
            level,
        } => {
            let inc = *incident;
            let id = incident_id(fx, inc);
            // Everything held goes, with the sender's assessment: items it judged planted
            // travel flagged, so a capable partner's analysis can correct the receiver's.
            // Items the recipient's own state gave us are not echoed back.
            for &c in to {
                let org = region.contacts[c].org;
                let from_them = region.orgs[org].state;
                let mind = &mut fx.minds.0[me];
                let evidence: Vec<usize> = mind
                    .held_on(inc)
                    .iter()
                    .copied()
                    .filter(|&id| super::command::is_news_to(mind, id, from_them))
                    .collect();
                mind.sent_items
                    .entry((inc, org))
                    .or_default()
                    .extend(evidence.iter().copied());
                mind.sent_revision += 1;
                let subject = format!(
                    "Indicators on {id} ({} item{})",
                    evidence.len(),
                    if evidence.len() == 1 { "" } else { "s" }
                );
                send(
                    fx,
                    Outgoing {
                        from_org: cert,
                        from_label: String::new(),
                        to_contact: c,
                        kind: MessageKind::ShareEvidence,
                        incident: Some(inc),
                        evidence,
                        tlp: *level,
                        subject,
                        text: String::new(),
                    },
                );
            }
        }
        Order::RequestAssistance { to, incident } | Order::RequestTakedown { to, incident } => {
            let id = incident_id(fx, *incident);
            let (kind, subject) = if matches!(order, Order::RequestAssistance { .. }) {
                (
                    MessageKind::RequestAssistance,
                    format!("Request for assistance: {id}"),
                )
            } else {
                (
                    MessageKind::RequestTakedown,
                    format!("Request to take down infrastructure: {id}"),
                )
            };
            send(
                fx,
                Outgoing {
                    from_org: cert,
                    from_label: String::new(),
                    to_contact: *to,
                    kind,
                    incident: Some(*incident),
                    evidence: Vec::new(),
                    tlp: Tlp::Amber,
                    subject,
                    text: String::new(),
                },
            );
        }
        Order::RequestConsultation { to, text } | Order::Demarche { to, text } => {
            let demarche = matches!(order, Order::Demarche { .. });
            let (kind, subject) = if demarche {
                (MessageKind::Demarche, format!("Démarche from {name}"))
            } else {
                (
                    MessageKind::RequestConsultation,
                    format!("{name} requests consultations"),
                )
            };
            send(
                fx,
                Outgoing {
                    from_org: ministry,
                    from_label: String::new(),
                    to_contact: *to,
                    kind,
                    incident: None,
                    evidence: Vec::new(),
                    tlp: Tlp::Amber,
                    subject,
                    text: text.clone(),
                },
            );
            if demarche {
                let other = region.contacts[*to].state;
                push_tension(
                    fx,
                    other,
                    me,
                    k::W_DEMARCHE,
                    Cause::Act {
                        act: Act::Demarche,
                        by: me,
                        to: Some(other),
                    },
                );
                fx.log.push(
                    tick,
                    EventKind::Demarche {
                        from: me,
                        to: other,
                    },
                    Audience::States(vec![me, other]),
                );
            }
        }
        Order::Acknowledge { message } => acknowledge(fx, *message, tick),
        Order::PublicAttribution { incident, blame } => attribute(fx, me, *incident, *blame),
        Order::RestraintStatement => {
            let window = fx.relief_window();
            let n = region.n_states();
            let w =
                fx.tensions
                    .diminished(k::W_RESTRAINT, n * n + me, Act::Restraint, tick, window);
            let cause = Cause::Act {
                act: Act::Restraint,
                by: me,
                to: None,
            };
            for other in 0..n {
                relieve_tension(fx, other, me, w, &cause);
            }
            fx.log.push(
                tick,
                EventKind::RestraintStatement { by: me },
                Audience::Public,
            );
        }
        Order::HotlineCall { state: other } => {
            let other = *other;
            // An engine-played counterpart answers unless it is assertive and very hostile; a
            // person always has the call put through (what they say is up to them).
            let answered = !fx.players.engine_plays_state(&region, other) || {
                let h = fx.tensions.get(other, me);
                let posture = posture_of(&fx.minds, &region, other);
                !(posture == Posture::Assertive && h > 0.8)
            };
            if answered {
                let window = fx.relief_window();
                let p = fx.tensions.pair(me, other);
                let w = fx
                    .tensions
                    .diminished(k::W_HOTLINE, p, Act::Hotline, tick, window);
                let cause = Cause::Act {
                    act: Act::Hotline,
                    by: me,
                    to: Some(other),
                };
                relieve_tension(fx, me, other, w, &cause);
                relieve_tension(fx, other, me, w, &cause);
            }
            fx.log.push(
                tick,
                EventKind::HotlineCall {
                    from: me,
                    to: other,
                    answered,
                },
                Audience::States(vec![me, other]),
            );
        }
        Order::ConveneRegional { incident } => {
            // A regional body convenes as itself and calls every member CERT; a state's CERT
            // calls the regional bodies and the other states' CERTs.
            let by_body = cert.is_some_and(|o| region.orgs[o].kind == OrgKind::RegionalBody);
            let convener = match cert {
                Some(o) if by_body => &region.orgs[o].name,
                _ => name,
            };
            let subject = format!("{convener} convenes regional coordination");
            let bodies = region
                .regional_bodies
                .iter()
                .filter(|&&b| Some(b) != cert)
                .filter_map(|&b| region.contact_of(b));
            let certs = region
                .states
                .iter()
                .enumerate()
                .filter(|(s, _)| by_body || *s != me)
                .filter_map(|(_, st)| st.cert.and_then(|c| region.contact_of(c)));
            for c in bodies.chain(certs) {
                send(
                    fx,
                    Outgoing {
                        from_org: cert,
                        from_label: String::new(),
                        to_contact: c,
                        kind: MessageKind::RegionalCoordination,
                        incident: *incident,
                        evidence: Vec::new(),
                        tlp: Tlp::Green,
                        subject: subject.clone(),
                        text: String::new(),
                    },
                );
            }
            let window = fx.relief_window();
            let n = region.n_states();
            let cause = Cause::Act {
                act: Act::Regional,
                by: me,
                to: None,
            };
            for a in 0..n {
                for b in (a + 1)..n {
                    let p = fx.tensions.pair(a, b);
                    let w = fx
                        .tensions
                        .diminished(k::W_REGIONAL, p, Act::Regional, tick, window);
                    relieve_tension(fx, a, b, w, &cause);
                    relieve_tension(fx, b, a, w, &cause);
                }
            }
            fx.log.push(
                tick,
                EventKind::RegionalCoordination {
                    convened_by: me,
                    org: cert.filter(|_| by_body),
                },
                Audience::Public,
            );
        }
        Order::Retaliate { target } => {
            retaliate(fx, me, *target);
        }
        Order::Isolate { asset } | Order::Restore { asset } => {
            let isolate = matches!(order, Order::Isolate { .. });
            if let Ok(mut f) = fx.forcing.get_mut(fx.entities.assets[*asset]) {
                f.isolated = isolate;
            }
            let kind = if isolate {
                EventKind::AssetIsolated { asset: *asset }
            } else {
                EventKind::AssetRestored { asset: *asset }
            };
            fx.log.push(tick, kind, Audience::States(vec![me]));
        }
        Order::RaiseAlert { level } => {
            fx.minds.0[me].alert = *level;
            fx.log.push(
                tick,
                EventKind::AlertRaised {
                    state: me,
                    level: *level,
                },
                Audience::Public,
            );
        }
    }
    Ok(())
}

/// Changes H(a→b) and records why; conditions on tension are decided again.
fn push_tension(fx: &mut Effects, a: usize, b: usize, delta: f64, cause: Cause) {
    let tick = fx.clock.tick;
    fx.tensions.push(a, b, delta, tick, cause);
    fx.revisions.touch(Topic::Tension);
}

/// Lowers H(a→b), never below its baseline.
fn relieve_tension(fx: &mut Effects, a: usize, b: usize, w: f64, cause: &Cause) {
    let tick = fx.clock.tick;
    fx.tensions.relieve(a, b, w, tick, cause.clone());
    fx.revisions.touch(Topic::Tension);
}

/// Marks a message acknowledged and lets the sender know.
pub(crate) fn acknowledge(fx: &mut Effects, message: usize, tick: u32) {
    let Some(m) = fx.mail.0.get_mut(message) else {
        return;
    };
    if m.status != MessageStatus::Delivered {
        return;
    }
    m.status = MessageStatus::Acknowledged;
    m.acked_at = Some(tick);
    let (sender, contact, to_state) = (m.from_state, m.to_contact, m.to_state);
    fx.revisions.touch(Topic::Mail);
    if let Ok(mut c) = fx.contacts.get_mut(fx.entities.contacts[contact]) {
        c.last_response = Some(tick);
    }
    let audience = Audience::States(sender.into_iter().chain([to_state]).collect());
    fx.log
        .push(tick, EventKind::Acknowledged { message }, audience);
    consequences_of_acknowledgement(fx, message, tick);
}

/// What acknowledging a request means: consultations are held, assistance is given.
fn consequences_of_acknowledgement(fx: &mut Effects, message: usize, tick: u32) {
    let m = &fx.mail.0[message];
    let Some(from) = m.from_state else { return };
    let (kind, to_state, incident) = (m.kind, m.to_state, m.incident);
    match kind {
        MessageKind::RequestConsultation => {
            let window = fx.relief_window();
            let p = fx.tensions.pair(from, to_state);
            let w = fx
                .tensions
                .diminished(k::W_CONSULT, p, Act::Consultation, tick, window);
            let cause = Cause::Act {
                act: Act::Consultation,
                by: from,
                to: Some(to_state),
            };
            relieve_tension(fx, from, to_state, w, &cause);
            relieve_tension(fx, to_state, from, w, &cause);
            fx.log.push(
                tick,
                EventKind::Consultation {
                    a: from,
                    b: to_state,
                },
                Audience::States(vec![from, to_state]),
            );
        }
        MessageKind::RequestTakedown => {
            // The recipient takes down the attack infrastructure it hosts: the victim
            // contains the incident faster.
            if let Some(inc) = incident {
                if let Some(i) = fx.incidents.0.get_mut(inc) {
                    i.taken_down = true;
                }
                fx.log.push(
                    tick,
                    EventKind::TakedownRequested {
                        by: from,
                        of: to_state,
                    },
                    Audience::States(vec![from, to_state]),
                );
            }
        }
        MessageKind::RequestAssistance => {
            if let Some(inc) = incident {
                let helper = to_state;
                fx.minds.0[from].assisted_by.insert(inc, helper);
                // The helper learns of the incident so its analysts can work on it.
                learn_incident(fx, helper, inc, tick, None, Some(from));
                fx.log.push(
                    tick,
                    EventKind::AssistanceGiven {
                        by: helper,
                        to: from,
                        incident: inc,
                    },
                    Audience::States(vec![from, helper]),
                );
            }
        }
        _ => {}
    }
}

/// A state learns of an incident (detected by one of its organisations, or told).
pub(crate) fn learn_incident(
    fx: &mut Effects,
    state: usize,
    incident: usize,
    tick: u32,
    detected_by: Option<usize>,
    told_by: Option<usize>,
) -> bool {
    let learnt = learn(
        &mut fx.minds,
        &fx.incidents,
        state,
        incident,
        tick,
        detected_by,
        told_by,
    );
    if learnt {
        fx.revisions.touch(Topic::Known);
    }
    learnt
}

/// A state learns of an incident; true when it is news to it.
pub(crate) fn learn(
    minds: &mut Minds,
    incidents: &Incidents,
    state: usize,
    incident: usize,
    tick: u32,
    detected_by: Option<usize>,
    told_by: Option<usize>,
) -> bool {
    let actor = incidents.0.get(incident).and_then(|i| i.actor);
    let mind = &mut minds.0[state];
    if let Some(a) = actor {
        mind.warned.insert(a);
    }
    if let Some(known) = mind.known.get_mut(&incident) {
        if detected_by.is_some() && known.detected_by.is_none() {
            known.detected_by = detected_by;
            mind.known_revision += 1;
        }
        return false;
    }
    mind.known_revision += 1;
    mind.known.insert(
        incident,
        Known {
            since: tick,
            detected_by,
            told_by,
        },
    );
    mind.dirty.insert(incident);
    true
}

/// A public attribution: tension with the blamed state, a wrongful flag if it is wrong.
pub(crate) fn attribute(fx: &mut Effects, by: usize, incident: usize, blamed: usize) {
    let tick = fx.clock.tick;
    let n = fx.region.n_states();
    let right = fx
        .incidents
        .0
        .get(incident)
        .is_some_and(|i| i.is_true(blamed));
    let mind = &mut fx.minds.0[by];
    let belief = mind.beliefs.get(&incident).map_or(0.0, |b| b.p[blamed]);
    if !mind.accused.insert((incident, blamed)) {
        return;
    }
    if blamed < n {
        let cause = Cause::Act {
            act: Act::Accusation,
            by,
            to: Some(blamed),
        };
        push_tension(fx, blamed, by, k::W_ACCUSE, cause.clone());
        push_tension(fx, by, blamed, k::W_ACCUSE / 3.0, cause);
    }
    fx.facts
        .attributions
        .push((tick, by, incident, blamed, belief));
    fx.revisions.touch(Topic::Attributions);
    fx.log.push(
        tick,
        EventKind::PublicAttribution {
            by,
            incident,
            blamed,
            belief,
            wrongful: !right,
        },
        Audience::Public,
    );
}

/// A retaliatory cyber operation: a new incident against the other state's asset.
pub(crate) fn retaliate(fx: &mut Effects, by: usize, asset: usize) -> usize {
    let tick = fx.clock.tick;
    let victim = fx.region.assets[asset].state;
    let ends = tick + fx.clock.ticks_for(k::default_lasts_h(Vector::Wiper) * 60);
    let inc = spawn_incident(
        fx,
        IncidentSpec {
            id: format!("retaliation-{}", fx.incidents.0.len() + 1),
            inject: None,
            actor: None,
            responsible: by,
            group: None,
            target: asset,
            vector: Vector::Wiper,
            severity: k::RETALIATION_SEVERITY,
            skill: 0.5,
            false_flag: None,
            ends,
        },
    );
    // Its victim feels it only once it knows of the attack and suspects the author (the
    // perceived attack, weighed more as an answer: W_RETALIATE).
    fx.facts.retaliations.push((tick, by, victim, inc));
    fx.log.push(
        tick,
        EventKind::Retaliation {
            by,
            against: victim,
            asset,
            incident: inc,
        },
        Audience::Facilitator,
    );
    inc
}

/// What starts an incident.
pub(crate) struct IncidentSpec {
    pub id: Id,
    pub inject: Option<usize>,
    pub actor: Option<usize>,
    pub responsible: usize,
    pub group: Option<usize>,
    pub target: usize,
    pub vector: Vector,
    pub severity: f64,
    pub skill: f64,
    pub false_flag: Option<usize>,
    pub ends: u32,
}

/// Starts an incident and logs it (ground truth: facilitator only).
pub(crate) fn spawn_incident(fx: &mut Effects, spec: IncidentSpec) -> usize {
    let tick = fx.clock.tick;
    let ix = fx.incidents.0.len();
    let victim = fx.region.assets[spec.target].state;
    fx.incidents.0.push(Incident {
        ix,
        id: spec.id,
        inject: spec.inject,
        actor: spec.actor,
        target: spec.target,
        victim,
        responsible: spec.responsible,
        group: spec.group,
        vector: spec.vector,
        severity: spec.severity,
        skill: spec.skill,
        false_flag: spec.false_flag,
        start: tick,
        ends: spec.ends,
        phase: Phase::Latent,
        detected_at: None,
        contained_at: None,
        recovered_at: None,
        taken_down: false,
        evidence: Vec::new(),
    });
    if let Some(i) = spec.inject {
        fx.facts.incident_of_inject.insert(i, ix);
    }
    fx.log.push(
        tick,
        EventKind::IncidentStarted {
            incident: ix,
            target: spec.target,
            actor: spec.actor,
        },
        Audience::Facilitator,
    );
    ix
}

/// A message from exercise control, delivered at once to a team's first contact. Returns
/// the message id (none when the team has no contact).
pub(crate) fn deliver_control(
    fx: &mut Effects,
    team: usize,
    from: &str,
    subject: &str,
    body: &str,
) -> Option<usize> {
    let tick = fx.clock.tick;
    let region = &**fx.region;
    let contact = region.teams[team]
        .orgs
        .iter()
        .find_map(|&o| region.contact_of(o))?;
    let c = &region.contacts[contact];
    let id = fx.mail.0.len();
    fx.mail.0.push(Message {
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
    let state = c.state;
    fx.log.push(
        tick,
        EventKind::ControlMessage {
            team,
            subject: subject.to_string(),
        },
        Audience::States(vec![state]),
    );
    Some(id)
}
