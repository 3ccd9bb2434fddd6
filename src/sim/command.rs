//! Player actions, their checks and their effects.
//!
//! Teams act only through points of contact (or on their own assets). The engine's doctrine
//! issues the very same commands for the states it plays, so a bot and a person go through
//! one code path.

use super::constants as k;
use super::event::{Act, Audience, Cause, EventKind, EventLog};
use super::world::*;
use crate::scenario::{Channel, Id, OrgKind, Vector};
use bevy_ecs::prelude::World;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Everything a team can do. Ids are the scenario's (contacts, assets, states) and incident
/// ids as teams see them (the id of the inject that started it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Command {
    /// Tell contacts about an incident (or send a free text).
    Notify {
        to: Vec<Id>,
        incident: Option<Id>,
        text: String,
    },
    /// Share the evidence the team holds on an incident.
    ShareEvidence {
        to: Vec<Id>,
        incident: Id,
        level: Tlp,
    },
    RequestAssistance {
        to: Id,
        incident: Id,
    },
    RequestConsultation {
        to: Id,
        text: String,
    },
    /// Acknowledge a received message (by its number in the inbox).
    Acknowledge {
        message: usize,
    },
    Demarche {
        to: Id,
        text: String,
    },
    /// Blame a state (by id) or `non-state` publicly for an incident.
    PublicAttribution {
        incident: Id,
        blame: Id,
    },
    RestraintStatement {
        text: String,
    },
    HotlineCall {
        state: Id,
    },
    ConveneRegional {
        incident: Option<Id>,
    },
    RequestTakedown {
        to: Id,
        incident: Id,
    },
    /// A cyber operation against another state's asset: the dangerous one.
    Retaliate {
        target: Id,
    },
    Isolate {
        asset: Id,
    },
    Restore {
        asset: Id,
    },
    RaiseAlert {
        level: u8,
    },
}

impl Command {
    /// A short name for logs and menus.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Notify { .. } => "notify",
            Command::ShareEvidence { .. } => "share evidence",
            Command::RequestAssistance { .. } => "request assistance",
            Command::RequestConsultation { .. } => "request consultation",
            Command::Acknowledge { .. } => "acknowledge",
            Command::Demarche { .. } => "démarche",
            Command::PublicAttribution { .. } => "public attribution",
            Command::RestraintStatement { .. } => "restraint statement",
            Command::HotlineCall { .. } => "hotline call",
            Command::ConveneRegional { .. } => "convene regional coordination",
            Command::RequestTakedown { .. } => "request takedown",
            Command::Retaliate { .. } => "retaliate",
            Command::Isolate { .. } => "isolate asset",
            Command::Restore { .. } => "restore asset",
            Command::RaiseAlert { .. } => "raise alert",
        }
    }
}

/// Why a command was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommandError {
    UnknownTeam(String),
    UnknownContact(String),
    UnknownState(String),
    UnknownAsset(String),
    /// The team does not know of this incident (fog of war: it may exist).
    UnknownIncident(String),
    NotYourAsset(String),
    OwnState,
    NoRecipients,
    NoEvidence(String),
    NoHotline(String),
    NoSuchMessage(usize),
    AlreadyAcknowledged(usize),
    BadLevel(u8),
    ExerciseOver,
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::UnknownTeam(t) => write!(f, "no team `{t}` in this scenario"),
            CommandError::UnknownContact(c) => write!(f, "no contact `{c}` in the directory"),
            CommandError::UnknownState(s) => write!(f, "no state `{s}`"),
            CommandError::UnknownAsset(a) => write!(f, "no asset `{a}`"),
            CommandError::UnknownIncident(i) => write!(f, "your team knows of no incident `{i}`"),
            CommandError::NotYourAsset(a) => write!(f, "asset `{a}` is not one of your state's"),
            CommandError::OwnState => write!(f, "that action is meant for another state"),
            CommandError::NoRecipients => write!(f, "choose at least one contact"),
            CommandError::NoEvidence(i) => write!(f, "you hold no evidence on `{i}` to share"),
            CommandError::NoHotline(s) => write!(f, "there is no working hotline with `{s}`"),
            CommandError::NoSuchMessage(m) => write!(f, "no message #{m} in your inbox"),
            CommandError::AlreadyAcknowledged(m) => {
                write!(f, "message #{m} is already acknowledged")
            }
            CommandError::BadLevel(l) => write!(f, "alert level must be 0 to 3, not {l}"),
            CommandError::ExerciseOver => write!(f, "the exercise is over"),
        }
    }
}

impl std::error::Error for CommandError {}

/// Who is acting: a state, and the team if a person plays it.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub state: usize,
    pub team: Option<usize>,
    /// The organisation that acts, when it must be one in particular (a regional body
    /// speaks for itself, not through its host state's CERT).
    pub org: Option<usize>,
}

impl Actor {
    pub fn state(state: usize) -> Actor {
        Actor {
            state,
            team: None,
            org: None,
        }
    }
}

/// The organisation that sends for an actor: the preferred kind among those it plays.
pub fn sender(region: &Region, actor: Actor, prefer: OrgKind) -> Option<usize> {
    if actor.org.is_some() {
        return actor.org;
    }
    let orgs: Vec<usize> = match actor.team {
        Some(t) => region.teams[t].orgs.clone(),
        None => region.states[actor.state].orgs.clone(),
    };
    orgs.iter()
        .copied()
        .find(|&o| region.orgs[o].kind == prefer)
        .or_else(|| {
            orgs.iter()
                .copied()
                .find(|&o| region.orgs[o].kind == OrgKind::NationalCert)
        })
        .or_else(|| orgs.first().copied())
}

/// The incident an actor's state knows by this id.
pub fn known_incident(world: &World, state: usize, id: &str) -> Option<usize> {
    let entities = world.resource::<Entities>();
    let mind = world.get::<Mind>(entities.states[state])?;
    let incidents = world.resource::<Incidents>();
    mind.known.keys().copied().find(|&i| {
        world
            .get::<Incident>(incidents.0[i])
            .is_some_and(|inc| inc.id == id)
    })
}

fn contact(region: &Region, id: &str) -> Result<usize, CommandError> {
    match region.ids.get(id) {
        Some(Ref::Contact(c)) => Ok(*c),
        _ => Err(CommandError::UnknownContact(id.to_string())),
    }
}

fn state(region: &Region, id: &str) -> Result<usize, CommandError> {
    match region.ids.get(id) {
        Some(Ref::State(s)) => Ok(*s),
        _ => Err(CommandError::UnknownState(id.to_string())),
    }
}

fn asset(region: &Region, id: &str) -> Result<usize, CommandError> {
    match region.ids.get(id) {
        Some(Ref::Asset(a)) => Ok(*a),
        _ => Err(CommandError::UnknownAsset(id.to_string())),
    }
}

/// Checks a command against the world as the actor knows it. Never panics.
pub fn check(world: &World, actor: Actor, command: &Command) -> Result<(), CommandError> {
    if world.resource::<Clock>().is_over() {
        return Err(CommandError::ExerciseOver);
    }
    let region = world.resource::<Region>();
    let incident = |id: &str| {
        known_incident(world, actor.state, id)
            .ok_or_else(|| CommandError::UnknownIncident(id.to_string()))
    };
    match command {
        Command::Notify {
            to, incident: inc, ..
        } => {
            if to.is_empty() {
                return Err(CommandError::NoRecipients);
            }
            for c in to {
                contact(region, c)?;
            }
            if let Some(i) = inc {
                incident(i)?;
            }
        }
        Command::ShareEvidence {
            to, incident: inc, ..
        } => {
            if to.is_empty() {
                return Err(CommandError::NoRecipients);
            }
            for c in to {
                contact(region, c)?;
            }
            let i = incident(inc)?;
            if evidence_assessed(world, actor.state, i).is_empty() {
                return Err(CommandError::NoEvidence(inc.clone()));
            }
        }
        Command::RequestAssistance { to, incident: inc }
        | Command::RequestTakedown { to, incident: inc } => {
            contact(region, to)?;
            incident(inc)?;
        }
        Command::RequestConsultation { to, .. } | Command::Demarche { to, .. } => {
            let c = contact(region, to)?;
            if region.contacts[c].state == actor.state {
                return Err(CommandError::OwnState);
            }
        }
        Command::Acknowledge { message } => {
            let mail = world.resource::<Mailroom>();
            let m = mail
                .0
                .get(*message)
                .ok_or(CommandError::NoSuchMessage(*message))?;
            let mine = m.to_state == actor.state
                && actor
                    .team
                    .is_none_or(|t| region.teams[t].orgs.contains(&m.to_org))
                && matches!(
                    m.status,
                    MessageStatus::Delivered | MessageStatus::Acknowledged
                );
            if !mine {
                return Err(CommandError::NoSuchMessage(*message));
            }
            if m.status == MessageStatus::Acknowledged {
                return Err(CommandError::AlreadyAcknowledged(*message));
            }
        }
        Command::PublicAttribution {
            incident: inc,
            blame,
        } => {
            incident(inc)?;
            let c = region
                .candidate_by_id(blame)
                .ok_or_else(|| CommandError::UnknownState(blame.clone()))?;
            if c == actor.state {
                return Err(CommandError::OwnState);
            }
        }
        Command::RestraintStatement { .. } | Command::ConveneRegional { incident: None } => {}
        Command::ConveneRegional {
            incident: Some(inc),
        } => {
            incident(inc)?;
        }
        Command::HotlineCall { state: s } => {
            let other = state(region, s)?;
            if other == actor.state {
                return Err(CommandError::OwnState);
            }
            let tensions = world.resource::<Tensions>();
            let p = tensions.pair(actor.state, other);
            if !(tensions.hotline[p] && tensions.hotline_up[p]) {
                return Err(CommandError::NoHotline(s.clone()));
            }
        }
        Command::Retaliate { target } => {
            let a = asset(region, target)?;
            if region.assets[a].state == actor.state {
                return Err(CommandError::OwnState);
            }
        }
        Command::Isolate { asset: id } | Command::Restore { asset: id } => {
            let a = asset(region, id)?;
            if region.assets[a].state != actor.state {
                return Err(CommandError::NotYourAsset(id.clone()));
            }
        }
        Command::RaiseAlert { level } => {
            if *level > 3 {
                return Err(CommandError::BadLevel(*level));
            }
        }
    }
    Ok(())
}

/// Evidence ids a state holds on an incident and does not discount.
pub fn evidence_held(world: &World, state: usize, incident: usize) -> Vec<usize> {
    let entities = world.resource::<Entities>();
    let pool = world.resource::<EvidencePool>();
    world
        .get::<Mind>(entities.states[state])
        .map(|mind| {
            mind.evidence
                .iter()
                .filter(|(id, held)| !held.discounted && pool.0[**id].incident == incident)
                .map(|(id, _)| *id)
                .collect()
        })
        .unwrap_or_default()
}

/// Every evidence id a state holds on an incident, credited or discounted.
pub fn evidence_assessed(world: &World, state: usize, incident: usize) -> Vec<usize> {
    let entities = world.resource::<Entities>();
    let pool = world.resource::<EvidencePool>();
    world
        .get::<Mind>(entities.states[state])
        .map(|mind| {
            mind.evidence
                .keys()
                .copied()
                .filter(|id| pool.0[*id].incident == incident)
                .collect()
        })
        .unwrap_or_default()
}

/// Evidence a state holds on an incident that an organisation does not have as far as the
/// state knows: never sent to it, and not received from its state.
pub fn evidence_new_to(world: &World, state: usize, incident: usize, org: usize) -> Vec<usize> {
    let region = world.resource::<Region>();
    let their_state = region.orgs[org].state;
    let entities = world.resource::<Entities>();
    let pool = world.resource::<EvidencePool>();
    world
        .get::<Mind>(entities.states[state])
        .map(|mind| {
            let sent = mind.sent_items.get(&(incident, org));
            mind.evidence
                .iter()
                .filter(|(id, held)| {
                    pool.0[**id].incident == incident
                        && held.from != Some(their_state)
                        && !mind.reviewed.contains(&(**id, their_state))
                        && sent.is_none_or(|s| !s.contains(id))
                })
                .map(|(id, _)| *id)
                .collect()
        })
        .unwrap_or_default()
}

/// What to send.
pub struct Outgoing {
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
pub fn send(world: &mut World, out: Outgoing) -> usize {
    let tick = world.resource::<Clock>().tick;
    let tick_minutes = world.resource::<Clock>().tick_minutes;
    let (from_state, to, needs_clearance_p, transit, ack_auto) = {
        let region = world.resource::<Region>();
        let players = world.resource::<Players>().clone();
        let to = region.contacts[out.to_contact].clone();
        let from_state = out.from_org.map(|o| region.orgs[o].state);
        let sharing_abroad = matches!(out.kind, MessageKind::Notify | MessageKind::ShareEvidence)
            && from_state.is_some_and(|s| s != to.state)
            && out
                .from_org
                .is_some_and(|o| region.orgs[o].kind == OrgKind::NationalCert);
        let g = from_state.map_or(0.0, |s| region.states[s].government_control);
        let p = if sharing_abroad { g } else { 0.0 };
        (
            from_state,
            to.clone(),
            (p, g),
            k::transit_minutes(to.channel),
            players.engine_plays(region, to.org),
        )
    };
    let (p, g) = needs_clearance_p;
    let rng = &mut world.resource_mut::<SimRng>().0;
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
    let mut mail = world.resource_mut::<Mailroom>();
    let id = mail.0.len();
    mail.0.push(Message {
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
        auto_ack: ack_auto,
    });
    let audience = match from_state {
        Some(s) => Audience::States(vec![s]),
        None => Audience::Facilitator,
    };
    world
        .resource_mut::<EventLog>()
        .push(tick, EventKind::MessageSent { message: id }, audience);
    id
}

/// Applies a checked command. Commands are checked again here: a command that was valid when
/// submitted may not be once earlier commands of the same tick have run, and is then dropped.
pub fn apply(world: &mut World, actor: Actor, command: &Command) -> Result<(), CommandError> {
    check(world, actor, command)?;
    let tick = world.resource::<Clock>().tick;
    let region = world.resource::<Region>().clone();
    let cert = sender(&region, actor, OrgKind::NationalCert);
    let ministry = sender(&region, actor, OrgKind::ForeignMinistry);
    let me = actor.state;
    let name = region.states[me].name.clone();
    let incident_ix =
        |world: &World, id: &Option<Id>| id.as_deref().and_then(|i| known_incident(world, me, i));
    match command {
        Command::Notify { to, incident, text } => {
            let inc = incident_ix(world, incident);
            for c in to {
                let c = contact(&region, c)?;
                send(
                    world,
                    Outgoing {
                        from_org: cert,
                        from_label: String::new(),
                        to_contact: c,
                        kind: MessageKind::Notify,
                        incident: inc,
                        evidence: Vec::new(),
                        tlp: Tlp::Green,
                        subject: match incident {
                            Some(i) => format!("Incident notification: {i}"),
                            None => "Notification".to_string(),
                        },
                        text: text.clone(),
                    },
                );
            }
        }
        Command::ShareEvidence {
            to,
            incident,
            level,
        } => {
            let inc = incident_ix(world, &Some(incident.clone()))
                .ok_or_else(|| CommandError::UnknownIncident(incident.clone()))?;
            // Everything held goes, with the sender's assessment: items it judged planted
            // travel flagged, so a capable partner's analysis can correct the receiver's.
            // Items the recipient's own state gave us are not echoed back.
            let held = evidence_assessed(world, me, inc);
            for c in to {
                let c = contact(&region, c)?;
                let org = region.contacts[c].org;
                let evidence: Vec<usize> = {
                    let from_them = region.orgs[org].state;
                    let e = world.resource::<Entities>().states[me];
                    let mind = world.get::<Mind>(e);
                    held.iter()
                        .copied()
                        .filter(|id| {
                            mind.is_none_or(|m| {
                                m.evidence.get(id).is_none_or(|h| h.from != Some(from_them))
                                    && !m.reviewed.contains(&(*id, from_them))
                            })
                        })
                        .collect()
                };
                let e = world.resource::<Entities>().states[me];
                if let Some(mut mind) = world.get_mut::<Mind>(e) {
                    mind.sent_items
                        .entry((inc, org))
                        .or_default()
                        .extend(evidence.iter().copied());
                }
                send(
                    world,
                    Outgoing {
                        from_org: cert,
                        from_label: String::new(),
                        to_contact: c,
                        kind: MessageKind::ShareEvidence,
                        incident: Some(inc),
                        evidence: evidence.clone(),
                        tlp: *level,
                        subject: format!(
                            "Indicators on {incident} ({} item{})",
                            evidence.len(),
                            if evidence.len() == 1 { "" } else { "s" }
                        ),
                        text: String::new(),
                    },
                );
            }
        }
        Command::RequestAssistance { to, incident } | Command::RequestTakedown { to, incident } => {
            let inc = incident_ix(world, &Some(incident.clone()));
            let (kind, subject) = if matches!(command, Command::RequestAssistance { .. }) {
                (
                    MessageKind::RequestAssistance,
                    format!("Request for assistance: {incident}"),
                )
            } else {
                (
                    MessageKind::RequestTakedown,
                    format!("Request to take down infrastructure: {incident}"),
                )
            };
            let c = contact(&region, to)?;
            send(
                world,
                Outgoing {
                    from_org: cert,
                    from_label: String::new(),
                    to_contact: c,
                    kind,
                    incident: inc,
                    evidence: Vec::new(),
                    tlp: Tlp::Amber,
                    subject,
                    text: String::new(),
                },
            );
        }
        Command::RequestConsultation { to, text } | Command::Demarche { to, text } => {
            let c = contact(&region, to)?;
            let (kind, subject) = if matches!(command, Command::Demarche { .. }) {
                (MessageKind::Demarche, format!("Démarche from {name}"))
            } else {
                (
                    MessageKind::RequestConsultation,
                    format!("{name} requests consultations"),
                )
            };
            send(
                world,
                Outgoing {
                    from_org: ministry,
                    from_label: String::new(),
                    to_contact: c,
                    kind,
                    incident: None,
                    evidence: Vec::new(),
                    tlp: Tlp::Amber,
                    subject,
                    text: text.clone(),
                },
            );
            if kind == MessageKind::Demarche {
                let other = region.contacts[c].state;
                world.resource_mut::<Tensions>().push(
                    other,
                    me,
                    k::W_DEMARCHE,
                    tick,
                    Cause::Act {
                        act: Act::Demarche,
                        by: me,
                        to: Some(other),
                    },
                );
                world.resource_mut::<EventLog>().push(
                    tick,
                    EventKind::Demarche {
                        from: me,
                        to: other,
                    },
                    Audience::States(vec![me, other]),
                );
            }
        }
        Command::Acknowledge { message } => {
            acknowledge(world, *message, tick);
        }
        Command::PublicAttribution { incident, blame } => {
            let inc = incident_ix(world, &Some(incident.clone()))
                .ok_or_else(|| CommandError::UnknownIncident(incident.clone()))?;
            let blamed = region
                .candidate_by_id(blame)
                .ok_or_else(|| CommandError::UnknownState(blame.clone()))?;
            attribute(world, me, inc, blamed);
        }
        Command::RestraintStatement { .. } => {
            let window = world
                .resource::<Clock>()
                .ticks_for((k::RELIEF_WINDOW_H * 60.0) as u32);
            let n = region.n_states();
            let mut tensions = world.resource_mut::<Tensions>();
            let w = tensions.diminished(k::W_RESTRAINT, n * n + me, Act::Restraint, tick, window);
            let cause = Cause::Act {
                act: Act::Restraint,
                by: me,
                to: None,
            };
            for other in 0..n {
                tensions.relieve(other, me, w, tick, cause.clone());
            }
            world.resource_mut::<EventLog>().push(
                tick,
                EventKind::RestraintStatement { by: me },
                Audience::Public,
            );
        }
        Command::HotlineCall { state: s } => {
            let other = state(&region, s)?;
            let players = world.resource::<Players>().clone();
            // An engine-played counterpart answers unless it is assertive and very hostile; a
            // person always has the call put through (what they say is up to them).
            let answered = !players.engine_plays_state(&region, other) || {
                let h = world.resource::<Tensions>().get(other, me);
                let posture = posture_of(world, other);
                !(posture == crate::scenario::Posture::Assertive && h > 0.8)
            };
            if answered {
                let window = world
                    .resource::<Clock>()
                    .ticks_for((k::RELIEF_WINDOW_H * 60.0) as u32);
                let mut t = world.resource_mut::<Tensions>();
                let p = t.pair(me, other);
                let w = t.diminished(k::W_HOTLINE, p, Act::Hotline, tick, window);
                let cause = Cause::Act {
                    act: Act::Hotline,
                    by: me,
                    to: Some(other),
                };
                t.relieve(me, other, w, tick, cause.clone());
                t.relieve(other, me, w, tick, cause);
            }
            world.resource_mut::<EventLog>().push(
                tick,
                EventKind::HotlineCall {
                    from: me,
                    to: other,
                    answered,
                },
                Audience::States(vec![me, other]),
            );
        }
        Command::ConveneRegional { incident } => {
            let inc = incident_ix(world, incident);
            // A regional body convenes as itself and calls every member CERT; a state's CERT
            // calls the regional bodies and the other states' CERTs.
            let by_body = cert.is_some_and(|o| region.orgs[o].kind == OrgKind::RegionalBody);
            let convener = match cert {
                Some(o) if by_body => region.orgs[o].name.clone(),
                _ => name.clone(),
            };
            let bodies: Vec<usize> = region
                .orgs
                .iter()
                .enumerate()
                .filter(|(i, o)| o.kind == OrgKind::RegionalBody && Some(*i) != cert)
                .filter_map(|(i, _)| region.contact_of(i))
                .collect();
            let certs: Vec<usize> = region
                .states
                .iter()
                .enumerate()
                .filter(|(s, _)| by_body || *s != me)
                .filter_map(|(_, st)| st.cert.and_then(|c| region.contact_of(c)))
                .collect();
            for c in bodies.into_iter().chain(certs) {
                send(
                    world,
                    Outgoing {
                        from_org: cert,
                        from_label: String::new(),
                        to_contact: c,
                        kind: MessageKind::RegionalCoordination,
                        incident: inc,
                        evidence: Vec::new(),
                        tlp: Tlp::Green,
                        subject: format!("{convener} convenes regional coordination"),
                        text: String::new(),
                    },
                );
            }
            let window = world
                .resource::<Clock>()
                .ticks_for((k::RELIEF_WINDOW_H * 60.0) as u32);
            let n = region.n_states();
            let mut t = world.resource_mut::<Tensions>();
            let cause = Cause::Act {
                act: Act::Regional,
                by: me,
                to: None,
            };
            for a in 0..n {
                for b in (a + 1)..n {
                    let p = t.pair(a, b);
                    let w = t.diminished(k::W_REGIONAL, p, Act::Regional, tick, window);
                    t.relieve(a, b, w, tick, cause.clone());
                    t.relieve(b, a, w, tick, cause.clone());
                }
            }
            world.resource_mut::<EventLog>().push(
                tick,
                EventKind::RegionalCoordination {
                    convened_by: me,
                    org: cert.filter(|_| by_body),
                },
                Audience::Public,
            );
        }
        Command::Retaliate { target } => {
            let a = asset(&region, target)?;
            retaliate(world, me, a);
        }
        Command::Isolate { asset: id } | Command::Restore { asset: id } => {
            let a = asset(&region, id)?;
            let isolate = matches!(command, Command::Isolate { .. });
            let e = world.resource::<Entities>().assets[a];
            if let Some(mut f) = world.get_mut::<Forcing>(e) {
                f.isolated = isolate;
            }
            let kind = if isolate {
                EventKind::AssetIsolated { asset: a }
            } else {
                EventKind::AssetRestored { asset: a }
            };
            world
                .resource_mut::<EventLog>()
                .push(tick, kind, Audience::States(vec![me]));
        }
        Command::RaiseAlert { level } => {
            let e = world.resource::<Entities>().states[me];
            if let Some(mut m) = world.get_mut::<Mind>(e) {
                m.alert = *level;
            }
            world.resource_mut::<EventLog>().push(
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

/// The state's current posture (scenario posture unless an inject changed it).
pub fn posture_of(world: &World, state: usize) -> crate::scenario::Posture {
    let e = world.resource::<Entities>().states[state];
    world
        .get::<Mind>(e)
        .and_then(|m| m.posture)
        .unwrap_or(world.resource::<Region>().states[state].posture)
}

/// Marks a message acknowledged and lets the sender know.
pub fn acknowledge(world: &mut World, message: usize, tick: u32) {
    let (sender, contact) = {
        let mut mail = world.resource_mut::<Mailroom>();
        let Some(m) = mail.0.get_mut(message) else {
            return;
        };
        if m.status != MessageStatus::Delivered {
            return;
        }
        m.status = MessageStatus::Acknowledged;
        m.acked_at = Some(tick);
        (m.from_state, m.to_contact)
    };
    let e = world.resource::<Entities>().contacts[contact];
    if let Some(mut c) = world.get_mut::<ContactStatus>(e) {
        c.last_response = Some(tick);
    }
    let to_state = world.resource::<Mailroom>().0[message].to_state;
    let audience = Audience::States(sender.into_iter().chain([to_state]).collect());
    world
        .resource_mut::<EventLog>()
        .push(tick, EventKind::Acknowledged { message }, audience);
    consequences_of_acknowledgement(world, message, tick);
}

/// What acknowledging a request means: consultations are held, assistance is given.
fn consequences_of_acknowledgement(world: &mut World, message: usize, tick: u32) {
    let m = world.resource::<Mailroom>().0[message].clone();
    let Some(from) = m.from_state else { return };
    match m.kind {
        MessageKind::RequestConsultation => {
            let window = world
                .resource::<Clock>()
                .ticks_for((k::RELIEF_WINDOW_H * 60.0) as u32);
            let mut t = world.resource_mut::<Tensions>();
            let p = t.pair(from, m.to_state);
            let w = t.diminished(k::W_CONSULT, p, Act::Consultation, tick, window);
            let cause = Cause::Act {
                act: Act::Consultation,
                by: from,
                to: Some(m.to_state),
            };
            t.relieve(from, m.to_state, w, tick, cause.clone());
            t.relieve(m.to_state, from, w, tick, cause);
            world.resource_mut::<EventLog>().push(
                tick,
                EventKind::Consultation {
                    a: from,
                    b: m.to_state,
                },
                Audience::States(vec![from, m.to_state]),
            );
        }
        MessageKind::RequestTakedown => {
            // The recipient takes down the attack infrastructure it hosts: the victim
            // contains the incident faster.
            if let Some(inc) = m.incident {
                let e = world.resource::<Incidents>().0[inc];
                if let Some(mut i) = world.get_mut::<Incident>(e) {
                    i.taken_down = true;
                }
                world.resource_mut::<EventLog>().push(
                    tick,
                    EventKind::TakedownRequested {
                        by: from,
                        of: m.to_state,
                    },
                    Audience::States(vec![from, m.to_state]),
                );
            }
        }
        MessageKind::RequestAssistance => {
            if let Some(inc) = m.incident {
                let helper = m.to_state;
                let e = world.resource::<Entities>().states[from];
                if let Some(mut mind) = world.get_mut::<Mind>(e) {
                    mind.assisted_by.insert(inc, helper);
                }
                // The helper learns of the incident so its analysts can work on it.
                learn_incident(world, helper, inc, tick, None, Some(from));
                world.resource_mut::<EventLog>().push(
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
pub fn learn_incident(
    world: &mut World,
    state: usize,
    incident: usize,
    tick: u32,
    detected_by: Option<usize>,
    told_by: Option<usize>,
) -> bool {
    let e = world.resource::<Entities>().states[state];
    let actor = world
        .get::<Incident>(world.resource::<Incidents>().0[incident])
        .and_then(|i| i.actor);
    let Some(mut mind) = world.get_mut::<Mind>(e) else {
        return false;
    };
    if let Some(a) = actor {
        mind.warned.insert(a);
    }
    if mind.known.contains_key(&incident) {
        if detected_by.is_some()
            && let Some(k) = mind.known.get_mut(&incident)
            && k.detected_by.is_none()
        {
            k.detected_by = detected_by;
        }
        return false;
    }
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
pub fn attribute(world: &mut World, by: usize, incident: usize, blamed: usize) {
    let tick = world.resource::<Clock>().tick;
    let n = world.resource::<Region>().n_states();
    let right = world
        .get::<Incident>(world.resource::<Incidents>().0[incident])
        .is_some_and(|i| i.is_true(blamed));
    let e = world.resource::<Entities>().states[by];
    let belief = world
        .get::<Mind>(e)
        .and_then(|m| m.beliefs.get(&incident).map(|b| b.p[blamed]))
        .unwrap_or(0.0);
    if let Some(mut m) = world.get_mut::<Mind>(e)
        && !m.accused.insert((incident, blamed))
    {
        return;
    }
    if blamed < n {
        let cause = Cause::Act {
            act: Act::Accusation,
            by,
            to: Some(blamed),
        };
        let mut t = world.resource_mut::<Tensions>();
        t.push(blamed, by, k::W_ACCUSE, tick, cause.clone());
        t.push(by, blamed, k::W_ACCUSE / 3.0, tick, cause);
    }
    world
        .resource_mut::<Facts>()
        .attributions
        .push((tick, by, incident, blamed, belief));
    world.resource_mut::<EventLog>().push(
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
pub fn retaliate(world: &mut World, by: usize, asset: usize) -> usize {
    let tick = world.resource::<Clock>().tick;
    let (victim, ends) = {
        let region = world.resource::<Region>();
        let clock = world.resource::<Clock>();
        (
            region.assets[asset].state,
            tick + clock.ticks_for(k::default_lasts_h(Vector::Wiper) * 60),
        )
    };
    let inc = spawn_incident(
        world,
        IncidentSpec {
            id: format!("retaliation-{}", world.resource::<Incidents>().0.len() + 1),
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
    world
        .resource_mut::<Facts>()
        .retaliations
        .push((tick, by, victim, inc));
    world.resource_mut::<EventLog>().push(
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
pub struct IncidentSpec {
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

/// Creates an incident entity and logs it (ground truth: facilitator only).
pub fn spawn_incident(world: &mut World, spec: IncidentSpec) -> usize {
    let tick = world.resource::<Clock>().tick;
    let ix = world.resource::<Incidents>().0.len();
    let victim = world.resource::<Region>().assets[spec.target].state;
    let entity = world
        .spawn(Incident {
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
        })
        .id();
    world.resource_mut::<Incidents>().0.push(entity);
    if let Some(i) = spec.inject {
        world
            .resource_mut::<Facts>()
            .incident_of_inject
            .insert(i, ix);
    }
    world.resource_mut::<EventLog>().push(
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

/// Whether a channel is a fast, direct one (for doctrine choices and the docs).
pub fn is_direct(channel: Channel) -> bool {
    !matches!(channel, Channel::DiplomaticNote)
}
