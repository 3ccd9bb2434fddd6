//! Player actions and their checks; what they do is in [`super::effects`].
//!
//! Teams act only through points of contact (or on their own assets). A team's [`Command`]
//! names things by id; [`resolve`] checks it against what the team knows and turns it into
//! an [`Order`] with every id resolved to an index, once, when it is submitted. The engine's
//! doctrine issues the very same orders for the states it plays, so a bot and a person go
//! through one code path.

use super::effects::Read;
use super::world::*;
use crate::scenario::{Channel, Id, OrgKind};
use bevy_ecs::prelude::Resource;
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
pub(crate) fn sender(region: &RegionData, actor: Actor, prefer: OrgKind) -> Option<usize> {
    if actor.org.is_some() {
        return actor.org;
    }
    let orgs: &[usize] = match actor.team {
        Some(t) => &region.teams[t].orgs,
        None => &region.states[actor.state].orgs,
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

/// A command with every id resolved: what the effects carry out. Built by [`resolve`] from a
/// team's [`Command`], or by the doctrine directly.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Order {
    Notify {
        to: Vec<usize>,
        incident: Option<usize>,
        text: String,
    },
    ShareEvidence {
        to: Vec<usize>,
        incident: usize,
        level: Tlp,
    },
    RequestAssistance {
        to: usize,
        incident: usize,
    },
    RequestTakedown {
        to: usize,
        incident: usize,
    },
    RequestConsultation {
        to: usize,
        text: String,
    },
    Demarche {
        to: usize,
        text: String,
    },
    Acknowledge {
        message: usize,
    },
    /// `blame` is a candidate index (a state, a named group, the unknown non-state actor).
    PublicAttribution {
        incident: usize,
        blame: usize,
    },
    RestraintStatement,
    HotlineCall {
        state: usize,
    },
    ConveneRegional {
        incident: Option<usize>,
    },
    Retaliate {
        target: usize,
    },
    Isolate {
        asset: usize,
    },
    Restore {
        asset: usize,
    },
    RaiseAlert {
        level: u8,
    },
}

impl Order {
    /// A short name for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Order::Notify { .. } => "notify",
            Order::ShareEvidence { .. } => "share evidence",
            Order::RequestAssistance { .. } => "request assistance",
            Order::RequestConsultation { .. } => "request consultation",
            Order::Acknowledge { .. } => "acknowledge",
            Order::Demarche { .. } => "démarche",
            Order::PublicAttribution { .. } => "public attribution",
            Order::RestraintStatement => "restraint statement",
            Order::HotlineCall { .. } => "hotline call",
            Order::ConveneRegional { .. } => "convene regional coordination",
            Order::RequestTakedown { .. } => "request takedown",
            Order::Retaliate { .. } => "retaliate",
            Order::Isolate { .. } => "isolate asset",
            Order::Restore { .. } => "restore asset",
            Order::RaiseAlert { .. } => "raise alert",
        }
    }
}

/// Orders of teams waiting for the commands system, in submit order.
#[derive(Resource, Debug, Default)]
pub(crate) struct Pending(pub Vec<(usize, Order)>);

/// The incident an actor's state knows by this id (teams name incidents by the id of the
/// inject that started them).
pub(crate) fn known_incident(read: Read, state: usize, id: &str) -> Option<usize> {
    let mind = read.minds.0.get(state)?;
    mind.known
        .keys()
        .copied()
        .find(|&i| read.incidents.0.get(i).is_some_and(|inc| inc.id == id))
}

fn contact(region: &RegionData, id: &str) -> Result<usize, CommandError> {
    match region.ids.get(id) {
        Some(Ref::Contact(c)) => Ok(*c),
        _ => Err(CommandError::UnknownContact(id.to_string())),
    }
}

fn contacts(region: &RegionData, ids: &[Id]) -> Result<Vec<usize>, CommandError> {
    ids.iter().map(|c| contact(region, c)).collect()
}

fn state(region: &RegionData, id: &str) -> Result<usize, CommandError> {
    match region.ids.get(id) {
        Some(Ref::State(s)) => Ok(*s),
        _ => Err(CommandError::UnknownState(id.to_string())),
    }
}

fn asset(region: &RegionData, id: &str) -> Result<usize, CommandError> {
    match region.ids.get(id) {
        Some(Ref::Asset(a)) => Ok(*a),
        _ => Err(CommandError::UnknownAsset(id.to_string())),
    }
}

/// Resolves a team's command against the world as the actor knows it, and checks it. Never
/// panics.
pub(crate) fn resolve(read: Read, actor: Actor, command: &Command) -> Result<Order, CommandError> {
    if read.clock.is_over() {
        return Err(CommandError::ExerciseOver);
    }
    let region = &**read.region;
    let incident = |id: &str| {
        known_incident(read, actor.state, id)
            .ok_or_else(|| CommandError::UnknownIncident(id.to_string()))
    };
    let order = match command {
        Command::Notify {
            to,
            incident: inc,
            text,
        } => Order::Notify {
            to: contacts(region, to)?,
            incident: inc.as_deref().map(incident).transpose()?,
            text: text.clone(),
        },
        Command::ShareEvidence {
            to,
            incident: inc,
            level,
        } => Order::ShareEvidence {
            to: contacts(region, to)?,
            incident: incident(inc)?,
            level: *level,
        },
        Command::RequestAssistance { to, incident: inc } => Order::RequestAssistance {
            to: contact(region, to)?,
            incident: incident(inc)?,
        },
        Command::RequestTakedown { to, incident: inc } => Order::RequestTakedown {
            to: contact(region, to)?,
            incident: incident(inc)?,
        },
        Command::RequestConsultation { to, text } => Order::RequestConsultation {
            to: contact(region, to)?,
            text: text.clone(),
        },
        Command::Demarche { to, text } => Order::Demarche {
            to: contact(region, to)?,
            text: text.clone(),
        },
        Command::Acknowledge { message } => Order::Acknowledge { message: *message },
        Command::PublicAttribution {
            incident: inc,
            blame,
        } => {
            let incident = incident(inc)?;
            Order::PublicAttribution {
                incident,
                blame: region
                    .candidate_by_id(blame)
                    .ok_or_else(|| CommandError::UnknownState(blame.clone()))?,
            }
        }
        Command::RestraintStatement { .. } => Order::RestraintStatement,
        Command::HotlineCall { state: s } => Order::HotlineCall {
            state: state(region, s)?,
        },
        Command::ConveneRegional { incident: inc } => Order::ConveneRegional {
            incident: inc.as_deref().map(incident).transpose()?,
        },
        Command::Retaliate { target } => Order::Retaliate {
            target: asset(region, target)?,
        },
        Command::Isolate { asset: id } => Order::Isolate {
            asset: asset(region, id)?,
        },
        Command::Restore { asset: id } => Order::Restore {
            asset: asset(region, id)?,
        },
        Command::RaiseAlert { level } => Order::RaiseAlert { level: *level },
    };
    check(read, actor, &order)?;
    Ok(order)
}

/// Checks an order against the world now: at submission, and again when it is carried out
/// (an order valid when submitted may not be once earlier ones of the same tick have run).
/// Never panics.
pub(crate) fn check(read: Read, actor: Actor, order: &Order) -> Result<(), CommandError> {
    if read.clock.is_over() {
        return Err(CommandError::ExerciseOver);
    }
    let region = &**read.region;
    let knows = |inc: usize| {
        if read.minds.0[actor.state].known.contains_key(&inc) {
            Ok(())
        } else {
            let id = read.incidents.0.get(inc).map_or("", |i| i.id.as_str());
            Err(CommandError::UnknownIncident(id.to_string()))
        }
    };
    match order {
        Order::Notify { to, incident, .. } => {
            if to.is_empty() {
                return Err(CommandError::NoRecipients);
            }
            if let Some(i) = incident {
                knows(*i)?;
            }
        }
        Order::ShareEvidence { to, incident, .. } => {
            if to.is_empty() {
                return Err(CommandError::NoRecipients);
            }
            knows(*incident)?;
            if !holds_evidence(read, actor.state, *incident) {
                let id = read.incidents.0[*incident].id.clone();
                return Err(CommandError::NoEvidence(id));
            }
        }
        Order::RequestAssistance { incident, .. } | Order::RequestTakedown { incident, .. } => {
            knows(*incident)?;
        }
        Order::RequestConsultation { to, .. } | Order::Demarche { to, .. } => {
            if region.contacts[*to].state == actor.state {
                return Err(CommandError::OwnState);
            }
        }
        Order::Acknowledge { message } => {
            let m = read
                .mail
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
        Order::PublicAttribution { incident, blame } => {
            knows(*incident)?;
            if *blame == actor.state {
                return Err(CommandError::OwnState);
            }
        }
        Order::RestraintStatement | Order::ConveneRegional { incident: None } => {}
        Order::ConveneRegional {
            incident: Some(inc),
        } => knows(*inc)?,
        Order::HotlineCall { state: other } => {
            if *other == actor.state {
                return Err(CommandError::OwnState);
            }
            let p = read.tensions.pair(actor.state, *other);
            if !(read.tensions.hotline[p] && read.tensions.hotline_up[p]) {
                let id = region.states[*other].id.clone();
                return Err(CommandError::NoHotline(id));
            }
        }
        Order::Retaliate { target } => {
            if region.assets[*target].state == actor.state {
                return Err(CommandError::OwnState);
            }
        }
        Order::Isolate { asset } | Order::Restore { asset } => {
            if region.assets[*asset].state != actor.state {
                let id = region.assets[*asset].id.clone();
                return Err(CommandError::NotYourAsset(id));
            }
        }
        Order::RaiseAlert { level } => {
            if *level > 3 {
                return Err(CommandError::BadLevel(*level));
            }
        }
    }
    Ok(())
}

/// Whether a state holds any evidence item on an incident, credited or discounted.
fn holds_evidence(read: Read, state: usize, incident: usize) -> bool {
    read.minds.0[state]
        .evidence
        .keys()
        .any(|id| read.pool.0[*id].incident == incident)
}

/// Evidence a state holds on an incident that an organisation of `their_state` does not have
/// as far as the state knows: never sent to it, and not received from its state.
pub(crate) fn evidence_new_to(
    mind: &Mind,
    incident: usize,
    org: usize,
    their_state: usize,
) -> impl Iterator<Item = usize> {
    let sent = mind.sent_items.get(&(incident, org));
    mind.held_on(incident)
        .iter()
        .copied()
        .filter(move |id| sent.is_none_or(|s| !s.contains(id)))
        .filter(move |&id| is_news_to(mind, id, their_state))
}

/// Whether a held item is news to `their_state`: it did not come from there, and nobody
/// there sent it to this state.
pub(crate) fn is_news_to(mind: &Mind, id: usize, their_state: usize) -> bool {
    mind.evidence
        .get(&id)
        .is_some_and(|held| held.from != Some(their_state))
        && !mind.reviewed.contains(&(id, their_state))
}

/// Whether a channel is a fast, direct one (for doctrine choices and the docs).
pub fn is_direct(channel: Channel) -> bool {
    !matches!(channel, Channel::DiplomaticNote)
}
