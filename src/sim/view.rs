//! Projections of the world: what one team knows (fog of war) and the ground truth.
//!
//! A [`TeamView`] is built only from what the team's state knows and from messages addressed
//! to or sent by the team's own organisations; never the true perpetrator, never another
//! team's inbox. The TUI and the reports draw these, never the ECS world.

use super::event::{Cause, Event, EventKind, EventLog, InjectControl};
use super::world::*;
use crate::scenario::{Channel, OrgKind, Rung, Sector};
use bevy_ecs::prelude::World;
use serde::Serialize;

/// A message in a team's inbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InboxItem {
    /// The message number, used to acknowledge it.
    pub id: usize,
    pub from: String,
    pub to_contact: String,
    pub channel: Channel,
    pub kind: MessageKind,
    pub subject: String,
    pub text: String,
    pub incident: Option<String>,
    pub evidence: usize,
    pub tlp: Tlp,
    pub received_minute: u32,
    pub acknowledged: bool,
    /// Set for a receipt of a message the team sent.
    pub receipt: Option<Receipt>,
}

/// What a receipt in the inbox reports of a message the team sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Receipt {
    /// The recipient acknowledged it.
    Acknowledged,
    /// It could not be delivered: the address is out of date.
    Bounced,
}

impl Receipt {
    /// In words: what became of the message.
    pub fn words(self) -> &'static str {
        match self {
            Receipt::Acknowledged => "acknowledged",
            Receipt::Bounced => "bounced",
        }
    }
}

/// What a sender can tell of a message it sent (delivery itself is not seen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SentStatus {
    /// Held until the government clears it.
    AwaitingClearance,
    /// On its way, or arrived and not yet acknowledged.
    Sent,
    Acknowledged,
    Bounced,
}

impl SentStatus {
    /// In words, as the Sent tab shows it.
    pub fn words(self) -> &'static str {
        match self {
            SentStatus::AwaitingClearance => "awaiting clearance",
            SentStatus::Sent => "sent",
            SentStatus::Acknowledged => "acknowledged",
            SentStatus::Bounced => "bounced",
        }
    }
}

/// What a sender knows of a message it sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentItem {
    pub id: usize,
    pub to_contact: String,
    pub to: String,
    pub kind: MessageKind,
    pub subject: String,
    pub sent_minute: u32,
    pub status: SentStatus,
    pub answered_minute: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssetView {
    pub id: String,
    pub name: String,
    pub sector: Sector,
    pub inoperability: f64,
    pub isolated: bool,
    pub safe_zone: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KnownIncidentView {
    pub id: String,
    /// What a person reads: the attack, the asset and, when it is not ours, its state ("DDoS
    /// attack on Varesh Central Bank (Republic of Varesh)").
    pub title: String,
    /// Set when the incident hit one of the team's own assets.
    pub target: Option<String>,
    pub since_minute: u32,
    pub detected_by_us: bool,
    pub told_by: Option<String>,
    pub evidence: usize,
    pub discounted: usize,
    /// When the team learnt the incident was contained, and recovered from (as its
    /// timeline tells it).
    pub contained_minute: Option<u32>,
    pub recovered_minute: Option<u32>,
    /// (candidate name, probability), highest first; empty while the team's analysts have no
    /// suspect (the evidence has not yet lifted anyone above the prior).
    pub beliefs: Vec<(String, f64)>,
    /// Why the belief is what it is: each logged change (a new top suspect, or its
    /// probability moved by 2 points or more), oldest first, as
    /// (minute, text).
    pub why: Vec<(u32, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceView {
    pub id: usize,
    pub incident: String,
    pub points_to: String,
    pub reliability: f64,
    pub discounted: bool,
    pub from: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelationView {
    pub state: String,
    pub name: String,
    /// The team's own tension towards that state (how hostile it is, 0..1).
    pub tension: f64,
    pub rung: Rung,
    pub hotline: bool,
    /// Why the pair is at its rung: the cause of its last change, with the minute.
    pub why: Option<(u32, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactView {
    pub id: String,
    pub name: String,
    pub organisation: String,
    pub org_kind: OrgKind,
    pub state: String,
    pub channel: Channel,
    pub address: String,
    pub hours: String,
    pub open_now: bool,
    /// Local time at the contact, "HH:MM".
    pub local_time: String,
    /// The team has had a bounce from it.
    pub known_stale: bool,
    pub last_response_minute: Option<u32>,
    pub own: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveView {
    pub id: String,
    pub title: String,
    pub status: ObjectiveStatus,
    /// Why it was met or missed, once decided.
    pub reason: Option<String>,
    /// What it asks, in plain words: its deadline or condition.
    pub aim: String,
    /// When it was met or missed.
    pub decided_minute: Option<u32>,
    /// The team it is set for, by name (none: exercise-wide).
    pub team: Option<String>,
}

/// Where an objective stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ObjectiveStatus {
    /// Not decided yet.
    #[serde(rename = "open")]
    Open,
    #[serde(rename = "met")]
    Met,
    /// Missed (the outcome and the journal call it `failed`).
    #[serde(rename = "failed")]
    Missed,
}

impl ObjectiveStatus {
    /// Whether it has been met or missed.
    pub fn decided(self) -> bool {
        self != ObjectiveStatus::Open
    }
}

/// A discussion question the scenario has posed (its inject fired).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionView {
    /// The inject's id.
    pub inject: String,
    pub minute: u32,
    pub text: String,
    /// The scenario asks for the clock to pause while the room discusses it.
    pub pause: bool,
    /// The teams it is put to, by name (empty: the whole room).
    pub to: Vec<String>,
}

/// What a notice in a team's inbox reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NoticeKind {
    /// One of our organisations detected an incident.
    Detection,
    /// Public news.
    News,
    /// A hotline call we made or received.
    Hotline,
    /// A state declared an attack a red line crossed.
    RedLine,
    /// A public attribution.
    Attribution,
    /// Our relations with a state moved on the escalation ladder.
    Rung,
    /// An incident we know of was contained or recovered.
    IncidentEnded,
    /// One of our objectives was met or missed.
    Objective,
    /// A discussion question put to our team (or the whole room).
    Question,
}

/// Something that happened which the team can know, kept in its inbox beside the messages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    pub minute: u32,
    pub kind: NoticeKind,
    pub text: String,
}

/// One of the team's own acts that is not a message (a hotline call, an alert change, a
/// statement…), for its Sent tab.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActView {
    pub minute: u32,
    /// What kind of act, in a word or two ("hotline call").
    pub what: String,
    /// To whom or on what, in words.
    pub to: String,
    /// What came of it, as far as the team can tell.
    pub result: String,
    /// For a hotline call: whether it was answered.
    pub answered: Option<bool>,
}

/// Everything one team knows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamView {
    pub team: String,
    pub team_name: String,
    pub state: String,
    pub state_name: String,
    pub minute: u32,
    pub end_minute: u32,
    pub local_time: String,
    pub inbox: Vec<InboxItem>,
    pub sent: Vec<SentItem>,
    pub assets: Vec<AssetView>,
    pub incidents: Vec<KnownIncidentView>,
    pub evidence: Vec<EvidenceView>,
    pub relations: Vec<RelationView>,
    pub directory: Vec<ContactView>,
    pub news: Vec<(u32, String, String)>,
    pub timeline: Vec<(u32, String)>,
    pub objectives: Vec<ObjectiveView>,
    /// The named non-state groups a team may suspect or blame: (id to name in a command,
    /// public name).
    pub groups: Vec<(String, String)>,
    /// Other states' infrastructure (public knowledge: names, not their state).
    pub foreign_assets: Vec<(String, String, String, Sector)>,
    /// The team's own state's government control over its CERT (0..1).
    pub government_control: f64,
    /// UTC offset of the team's state, minutes.
    pub utc_offset_minutes: i32,
    pub title: String,
    /// What every player is told at the start (the scenario's briefing).
    pub briefing: String,
    /// What only this team is told at the start.
    pub brief: String,
    pub over: bool,
    /// What happened that the team can know and should not miss (detections, news, calls,
    /// red lines, objective results, questions), oldest first.
    pub notices: Vec<Notice>,
    /// The discussion questions addressed to this team by name, oldest first (a question
    /// to the whole room is the facilitator's to put, and may reveal the ground truth).
    pub questions: Vec<QuestionView>,
    /// The team's own acts that are not messages, oldest first.
    pub acts: Vec<ActView>,
}

impl TeamView {
    /// The scenario gives this team something to read at the start.
    pub fn has_briefing(&self) -> bool {
        !self.briefing.trim().is_empty() || !self.brief.trim().is_empty()
    }

    /// The briefing as one text: the exercise's, then the team's own.
    pub fn briefing_text(&self) -> String {
        let mut t = self.briefing.trim().to_string();
        if !self.brief.trim().is_empty() {
            if !t.is_empty() {
                t.push_str("\n\n");
            }
            t.push_str(&format!(
                "For {} only:\n{}",
                self.team_name,
                self.brief.trim()
            ));
        }
        t
    }
}

/// Formats minutes of the day as HH:MM.
pub fn hhmm(minute_of_day: u32) -> String {
    format!("{:02}:{:02}", minute_of_day / 60, minute_of_day % 60)
}

fn hours_text(hours: crate::scenario::Hours) -> String {
    match hours.window() {
        None => "24/7".to_string(),
        Some((f, t, weekdays)) => {
            format!("{f:02}–{t:02}{}", if weekdays { " Mon–Fri" } else { "" })
        }
    }
}

pub(crate) fn org_label(region: &Region, org: usize) -> String {
    let o = &region.orgs[org];
    format!("{} ({})", o.name, region.states[o.state].name)
}

fn objective_status(facts: &Facts, i: usize) -> ObjectiveStatus {
    if facts.met[i].is_some() {
        ObjectiveStatus::Met
    } else if facts.failed[i].is_some() {
        ObjectiveStatus::Missed
    } else {
        ObjectiveStatus::Open
    }
}

/// What `team` knows now.
pub fn team_view(world: &World, team: &str) -> Result<TeamView, super::CommandError> {
    let region = world.resource::<Region>();
    let Some(Ref::Team(t)) = region.ids.get(team).copied() else {
        return Err(super::CommandError::UnknownTeam(team.to_string()));
    };
    let team_def = &region.teams[t];
    let me = team_def.state;
    let clock = *world.resource::<Clock>();
    let entities = world.resource::<Entities>();
    let mind = &world.resource::<Minds>().0[me];
    let mail = world.resource::<Mailroom>();
    let pool = world.resource::<EvidencePool>();
    let facts = world.resource::<Facts>();
    let tensions = world.resource::<Tensions>();
    let minute = |tick: u32| tick * clock.tick_minutes;
    let incident_name = |inc: usize| {
        world
            .resource::<Incidents>()
            .0
            .get(inc)
            .map(|i| i.id.clone())
            .unwrap_or_default()
    };
    let ours = |org: usize| team_def.orgs.contains(&org);
    // A subject or a text names its incident as the team reads it (by its title), never by
    // the scenario's id: "Indicators (3 items) on DDoS attack on …".
    let readable = |m: &super::world::Message, words: &str| -> String {
        let incident = m
            .incident
            .and_then(|inc| world.resource::<Incidents>().0.get(inc).map(|x| (inc, x)));
        match incident {
            Some((inc, x)) if !x.id.is_empty() && words.contains(&x.id) => {
                let title = if mind.known.contains_key(&inc) {
                    incident_title(region, x, me)
                } else {
                    UNKNOWN_INCIDENT.to_string()
                };
                // "Indicators on <id> (3 items)": the count first, so a cut row keeps it.
                if let Some(count) = words
                    .strip_prefix(&format!("Indicators on {} (", x.id))
                    .and_then(|rest| rest.strip_suffix(')'))
                {
                    return format!("Indicators ({count}) on {title}");
                }
                // "activity against <asset> (<id>)" needs no more; "incident <id>" is the title.
                words
                    .replace(&format!(" ({})", x.id), "")
                    .replace(&format!("incident {}", x.id), &title)
                    .replace(&x.id, &title)
            }
            _ => words.to_string(),
        }
    };

    let inbox: Vec<InboxItem> = mail
        .0
        .iter()
        .filter(|m| {
            ours(m.to_org)
                && matches!(
                    m.status,
                    MessageStatus::Delivered | MessageStatus::Acknowledged
                )
        })
        .map(|m| InboxItem {
            id: m.id,
            from: m
                .from_org
                .map_or_else(|| m.from_label.clone(), |o| org_label(region, o)),
            to_contact: region.contacts[m.to_contact].id.clone(),
            channel: m.channel,
            kind: m.kind,
            subject: readable(m, &m.subject),
            text: readable(m, &m.text),
            incident: m.incident.map(incident_name),
            evidence: m.evidence.len(),
            tlp: m.tlp,
            received_minute: minute(m.delivered_at.unwrap_or(m.sent)),
            acknowledged: m.status == MessageStatus::Acknowledged,
            receipt: None,
        })
        .collect();
    // Receipts: the sender learns of an acknowledgement or a bounce in its inbox.
    let mut inbox = inbox;
    for m in mail.0.iter().filter(|m| m.from_org.is_some_and(ours)) {
        let (what, at) = match m.status {
            MessageStatus::Acknowledged => (Receipt::Acknowledged, m.acked_at),
            MessageStatus::Bounced => (Receipt::Bounced, m.bounced_at),
            _ => continue,
        };
        let contact = &region.contacts[m.to_contact];
        inbox.push(InboxItem {
            id: m.id,
            from: org_label(region, m.to_org),
            to_contact: contact.id.clone(),
            channel: m.channel,
            kind: m.kind,
            subject: if what == Receipt::Bounced {
                format!(
                    "BOUNCED: {} (the {} address of {} is out of date)",
                    readable(m, &m.subject),
                    channel_words(contact.channel),
                    contact.name
                )
            } else {
                format!("Acknowledged by {}: {}", contact.name, readable(m, &m.subject))
            },
            text: if what == Receipt::Bounced {
                format!("Your message to {} ({}, {} {}) could not be delivered: the address is out of date. Find another contact for {} in the directory.", contact.name, region.orgs[m.to_org].name, channel_words(contact.channel), contact.address, region.orgs[m.to_org].name)
            } else {
                format!("{} acknowledged your message sent at {}.", region.orgs[m.to_org].name, hhmm_span(minute(m.sent)))
            },
            incident: m.incident.map(incident_name),
            evidence: 0,
            tlp: m.tlp,
            received_minute: minute(at.unwrap_or(m.sent)),
            acknowledged: true,
            receipt: Some(what),
        });
    }
    inbox.sort_by_key(|i| i.received_minute);
    let sent: Vec<SentItem> = mail
        .0
        .iter()
        .filter(|m| m.from_org.is_some_and(ours))
        .map(|m| {
            let (status, answered) = match m.status {
                MessageStatus::AwaitingClearance => (SentStatus::AwaitingClearance, None),
                MessageStatus::Acknowledged => (SentStatus::Acknowledged, m.acked_at),
                MessageStatus::Bounced => (SentStatus::Bounced, m.bounced_at),
                _ => (SentStatus::Sent, None),
            };
            SentItem {
                id: m.id,
                to_contact: region.contacts[m.to_contact].id.clone(),
                to: org_label(region, m.to_org),
                kind: m.kind,
                subject: readable(m, &m.subject),
                sent_minute: minute(m.sent),
                status,
                answered_minute: answered.map(minute),
            }
        })
        .collect();
    let assets = region
        .assets
        .iter()
        .enumerate()
        .filter(|(_, a)| a.state == me)
        .map(|(i, a)| {
            let e = entities.assets[i];
            AssetView {
                id: a.id.clone(),
                name: a.name.clone(),
                sector: a.sector,
                inoperability: world.get::<Inoperability>(e).map_or(0.0, |q| q.0),
                isolated: world.get::<Forcing>(e).is_some_and(|f| f.isolated),
                safe_zone: a.safe_zone,
            }
        })
        .collect();
    let visible: Vec<&Event> = world
        .resource::<EventLog>()
        .0
        .iter()
        .filter(|e| visible_to_team(e, me, &team_def.orgs, mail, mind))
        .collect();
    let ended = |inc: usize, recovered: bool| {
        visible.iter().find_map(|e| match e.kind {
            EventKind::Contained { incident } if !recovered && incident == inc => {
                Some(minute(e.tick))
            }
            EventKind::Recovered { incident } if recovered && incident == inc => {
                Some(minute(e.tick))
            }
            _ => None,
        })
    };
    let incidents: Vec<KnownIncidentView> = mind
        .known
        .iter()
        .map(|(&inc, known)| {
            let incident = world.resource::<Incidents>().0.get(inc);
            let target = incident
                .filter(|i| i.victim == me)
                .map(|i| region.assets[i.target].name.clone());
            let title =
                incident.map_or_else(|| incident_name(inc), |i| incident_title(region, i, me));
            let held: Vec<_> = mind
                .evidence
                .iter()
                .filter(|(id, _)| pool.0[**id].incident == inc)
                .collect();
            let belief = mind.beliefs.get(&inc);
            let mut beliefs: Vec<(String, f64)> = belief
                .filter(|b| b.formed)
                .map(|b| {
                    b.p.iter()
                        .enumerate()
                        .filter(|(j, p)| *j != me && **p > 0.0)
                        .map(|(j, p)| (region.candidate_name(j).to_string(), *p))
                        .collect()
                })
                .unwrap_or_default();
            beliefs.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let why = belief
                .map(|b| {
                    b.changes
                        .iter()
                        .map(|c| (minute(c.tick), belief_change_text(world, me, c)))
                        .collect()
                })
                .unwrap_or_default();
            KnownIncidentView {
                id: incident_name(inc),
                title,
                target,
                since_minute: minute(known.since),
                detected_by_us: known.detected_by.is_some(),
                told_by: known.told_by.map(|s| region.states[s].name.clone()),
                evidence: held.len(),
                discounted: held.iter().filter(|(_, h)| h.discounted).count(),
                contained_minute: ended(inc, false),
                recovered_minute: ended(inc, true),
                beliefs,
                why,
            }
        })
        .collect();
    let evidence = mind
        .evidence
        .iter()
        .map(|(&id, held)| {
            let item = &pool.0[id];
            EvidenceView {
                id,
                incident: incident_name(item.incident),
                points_to: region.candidate_name(item.points_to).to_string(),
                reliability: item.reliability,
                discounted: held.discounted,
                from: held.from.map(|s| region.states[s].name.clone()),
            }
        })
        .collect();
    let relations = (0..region.n_states())
        .filter(|&b| b != me)
        .map(|b| {
            let p = tensions.pair(me, b);
            RelationView {
                state: region.states[b].id.clone(),
                name: region.states[b].name.clone(),
                tension: tensions.get(me, b),
                rung: tensions.rung[p],
                hotline: tensions.hotline[p] && tensions.hotline_up[p],
                why: last_rung_change(world, me, b)
                    .map(|(tick, cause)| (minute(tick), cause_text(world, &cause, Some(me)))),
            }
        })
        .collect();
    let directory = region
        .contacts
        .iter()
        .enumerate()
        .map(|(c, def)| {
            let status = world.get::<ContactStatus>(entities.contacts[c]);
            let (local, weekday) =
                clock.local_at(clock.tick, region.states[def.state].offset_minutes);
            ContactView {
                id: def.id.clone(),
                name: def.name.clone(),
                organisation: region.orgs[def.org].name.clone(),
                org_kind: region.orgs[def.org].kind,
                state: region.states[def.state].name.clone(),
                channel: def.channel,
                address: def.address.clone(),
                hours: hours_text(def.hours),
                open_now: def.channel == Channel::Hotline || staffed(def.hours, local, weekday),
                local_time: hhmm(local),
                known_stale: status.is_some_and(|s| s.known_stale_by.contains(&me)),
                last_response_minute: mail
                    .0
                    .iter()
                    .filter(|m| m.to_contact == c && m.from_org.is_some_and(ours))
                    .filter_map(|m| m.acked_at)
                    .max()
                    .map(minute),
                own: ours(def.org),
            }
        })
        .collect();
    let timeline = visible
        .iter()
        .map(|e| (minute(e.tick), describe_as(world, e, Some(me))))
        .collect();
    let notices = team_notices(world, &visible, me, &team_def.id);
    let acts = team_acts(world, &visible, me);
    let questions = questions(world)
        .into_iter()
        // A question to the room is the facilitator's to put; a team reads only those
        // addressed to it.
        .filter(|(_, to)| to.contains(&t))
        .map(|(q, _)| q)
        .collect();
    let objectives = region
        .objectives
        .iter()
        .enumerate()
        .filter(|(_, o)| o.team.as_deref().is_none_or(|x| x == team_def.id))
        .map(|(i, o)| ObjectiveView {
            id: o.id.clone(),
            title: o.title.clone(),
            status: objective_status(facts, i),
            reason: facts.reasons[i].as_ref().map(|r| r.text.clone()),
            aim: criterion_words(region, &o.criterion, &|id| {
                incidents
                    .iter()
                    .find(|k| k.id == id)
                    .map_or("an incident we do not know of yet".to_string(), |k| {
                        k.title.clone()
                    })
            }),
            decided_minute: facts.met[i].or(facts.failed[i]).map(minute),
            team: o.team.as_ref().map(|_| team_def.name.clone()),
        })
        .collect();
    let (local, _) = clock.local_at(clock.tick, region.states[me].offset_minutes);
    Ok(TeamView {
        team: team_def.id.clone(),
        team_name: team_def.name.clone(),
        state: region.states[me].id.clone(),
        state_name: region.states[me].name.clone(),
        minute: clock.minutes(),
        end_minute: clock.end_tick * clock.tick_minutes,
        local_time: hhmm(local),
        inbox,
        sent,
        assets,
        incidents,
        evidence,
        relations,
        directory,
        news: facts.news.clone(),
        timeline,
        objectives,
        groups: region
            .groups
            .iter()
            .map(|&a| {
                (
                    region.actors[a].id.clone(),
                    region.actors[a].known_as.clone(),
                )
            })
            .collect(),
        foreign_assets: region
            .assets
            .iter()
            .filter(|a| a.state != me)
            .map(|a| {
                (
                    a.id.clone(),
                    a.name.clone(),
                    region.states[a.state].name.clone(),
                    a.sector,
                )
            })
            .collect(),
        government_control: region.states[me].government_control,
        utc_offset_minutes: region.states[me].offset_minutes,
        title: region.title.clone(),
        briefing: region.briefing.clone(),
        brief: team_def.brief.clone(),
        over: clock.is_over(),
        notices,
        questions,
        acts,
    })
}

/// Whether a team may see an event: its audience includes the team's state, and a message
/// event concerns a message the team's own organisations sent or received.
fn visible_to_team(
    event: &Event,
    state: usize,
    orgs: &[usize],
    mail: &Mailroom,
    mind: &Mind,
) -> bool {
    if !event.audience.includes(state) {
        return false;
    }
    // The victim hears that an incident ended only if it knows of the incident at all.
    if let EventKind::Contained { incident } | EventKind::Recovered { incident } = &event.kind {
        return mind.known.contains_key(incident);
    }
    let message = match &event.kind {
        EventKind::MessageSent { message }
        | EventKind::Cleared { message }
        | EventKind::Delivered { message }
        | EventKind::Acknowledged { message }
        | EventKind::Bounced { message } => Some(*message),
        _ => None,
    };
    // A sender learns of delivery only from an acknowledgement (or a bounce).
    if let EventKind::Delivered { message } = &event.kind
        && !orgs.contains(&mail.0[*message].to_org)
    {
        return false;
    }
    message.is_none_or(|id| {
        let m = &mail.0[id];
        orgs.contains(&m.to_org) || m.from_org.is_some_and(|o| orgs.contains(&o))
    })
}

/// One line describing an event, in the words of an exercise log (everything, for the
/// facilitator and reports).
pub fn describe(world: &World, event: &Event) -> String {
    describe_as(world, event, None)
}

/// The viewer of a cause told to everyone (an exercise-wide objective's reason): no state's
/// own evidence or suspicion in detail.
pub const PUBLIC: usize = usize::MAX;

/// The name of a rung, in the words of the ladder.
pub fn rung_name(rung: Rung) -> &'static str {
    match rung {
        Rung::Routine => "routine relations",
        Rung::Concern => "concern raised privately",
        Rung::Demarche => "démarche",
        Rung::Sanctions => "sanctions",
        Rung::Countermeasures => "cyber countermeasures",
        Rung::Retaliation => "cyber retaliation",
        Rung::ArmedConflict => "the armed-conflict threshold",
    }
}

/// The last rung change of a pair and its cause.
fn last_rung_change(world: &World, a: usize, b: usize) -> Option<(u32, Cause)> {
    world
        .resource::<EventLog>()
        .0
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            EventKind::RungChanged {
                a: x, b: y, cause, ..
            } if (*x == a && *y == b) || (*x == b && *y == a) => Some((e.tick, cause.clone())),
            _ => None,
        })
}

/// One logged belief change, in words: the new top suspect and what moved it.
fn belief_change_text(world: &World, viewer: usize, change: &BeliefChange) -> String {
    let region = world.resource::<Region>();
    let top = match change.top {
        Some((j, p)) => format!(
            "top suspect {} ({:.0}%)",
            region.candidate_name(j),
            p * 100.0
        ),
        None => "no clear suspect".to_string(),
    };
    format!(
        "{top} — {}",
        cause_text(
            world,
            &Cause::Evidence {
                items: change.evidence.clone()
            },
            Some(viewer)
        )
    )
}

/// A cause in words. `viewer` is the state reading it (none: the facilitator); a state is
/// told another state's suspicion only as the fact that it suspects, never the evidence.
pub fn cause_text(world: &World, cause: &Cause, viewer: Option<usize>) -> String {
    cause_text_in(super::effects::Read::of(world), cause, viewer)
}

/// [`cause_text`] over the world read-only.
pub(crate) fn cause_text_in(
    read: super::effects::Read,
    cause: &Cause,
    viewer: Option<usize>,
) -> String {
    let region = read.region;
    let state = |s: usize| region.states[s].name.clone();
    match cause {
        Cause::Evidence { items } if items.is_empty() => "no new evidence".to_string(),
        Cause::Evidence { items } => {
            let pool = read.pool;
            let holder = viewer.and_then(|v| read.minds.0.get(v));
            let parts: Vec<String> = items
                .iter()
                .map(|&id| {
                    let item = &pool.0[id];
                    let held = holder.and_then(|m| m.evidence.get(&id).copied());
                    let how = match (item.public, held.and_then(|h| h.from)) {
                        (true, _) => "public".to_string(),
                        (_, Some(from)) => format!("shared by {}", state(from)),
                        _ if held.is_some_and(|h| h.message.is_some()) => {
                            "from exercise control".to_string()
                        }
                        _ => "found by our analysts".to_string(),
                    };
                    let what = match item.kind {
                        crate::scenario::EvidenceKind::Trace => "trace pointing at",
                        crate::scenario::EvidenceKind::Claim => "claim naming",
                        crate::scenario::EvidenceKind::Exculpatory => "evidence clearing",
                    };
                    let judged = if held.is_some_and(|h| h.discounted) {
                        ", judged planted"
                    } else {
                        ""
                    };
                    format!(
                        "#{id} {what} {} ({how}{judged})",
                        if item.points_to == region.non_state() {
                            "a non-state actor"
                        } else {
                            region.candidate_name(item.points_to)
                        }
                    )
                })
                .collect();
            parts.join("; ")
        }
        // A retaliatory operation is covert: only its author (and the facilitator) knows who
        // carried it out.
        Cause::Act {
            act: super::event::Act::Retaliation,
            by,
            to: Some(to),
        } if viewer.is_some_and(|v| v != *by) => {
            format!("a cyber operation against {}", state(*to))
        }
        Cause::Act { act, by, to } => match to {
            Some(to) => format!("{} by {} towards {}", act.noun(), state(*by), state(*to)),
            None => format!("{} by {}", act.noun(), state(*by)),
        },
        Cause::Suspicion {
            state: s,
            suspect,
            incident,
            red_line,
        } => {
            let line = if *red_line { ", a red line" } else { "" };
            if viewer.is_none_or(|v| v == *s) {
                // The suspecting state reads its incident by title, the facilitator by id.
                let id = read
                    .incidents
                    .0
                    .get(*incident)
                    .map(|i| match viewer {
                        Some(v) => incident_title(region, i, v),
                        None => i.id.clone(),
                    })
                    .unwrap_or_default();
                format!(
                    "{} holds {} responsible for {id}{line}",
                    state(*s),
                    region.candidate_name(*suspect)
                )
            } else {
                format!(
                    "{} suspects {} of an attack on it{line}",
                    state(*s),
                    region.candidate_name(*suspect)
                )
            }
        }
        Cause::Drift => "tension feeding on tension (or easing back) over time".to_string(),
    }
}

/// How a team reads an incident it knows nothing of (in a public attribution, say): no
/// internal id, and nothing of what it is or whom it hit.
pub const UNKNOWN_INCIDENT: &str = "an incident we have no report of";

/// One line describing an event, as `viewer` (a state; none: the facilitator) may read it.
pub fn describe_as(world: &World, event: &Event, viewer: Option<usize>) -> String {
    let region = world.resource::<Region>();
    let mail = world.resource::<Mailroom>();
    let state = |s: usize| region.states[s].name.clone();
    let asset = |a: usize| region.assets[a].name.clone();
    // A team reads an incident it knows by its title, as its Situation names it; the
    // facilitator by its id, as the scenario and the inject controls name it.
    let incident = |i: usize| {
        let Some(x) = world.resource::<Incidents>().0.get(i) else {
            return String::new();
        };
        match viewer {
            Some(v) if world.resource::<Minds>().0[v].known.contains_key(&i) => {
                incident_title(region, x, v)
            }
            // A team never reads an internal id, nor what it does not know of the incident.
            Some(_) => UNKNOWN_INCIDENT.to_string(),
            None => x.id.clone(),
        }
    };
    // Before an id, the word "incident"; a title needs none.
    let the_incident = if viewer.is_some() { "" } else { "incident " };
    let msg = |id: usize| {
        let m = &mail.0[id];
        let from = m
            .from_org
            .map_or_else(|| m.from_label.clone(), |o| region.orgs[o].name.clone());
        let to = &region.contacts[m.to_contact];
        format!(
            "#{id} {} from {from} to {} at {}, by {}",
            kind_words(m.kind),
            to.name,
            region.orgs[to.org].name,
            channel_words(m.channel)
        )
    };
    // The sending state reads its own messages' course as its Sent tab tells it.
    let sender = |id: usize| {
        let m = &mail.0[id];
        viewer.is_some_and(|v| m.from_org.is_some_and(|o| region.orgs[o].state == v))
    };
    let recipient = |id: usize| {
        let m = &mail.0[id];
        viewer.is_some_and(|v| region.orgs[m.to_org].state == v)
    };
    match &event.kind {
        EventKind::InjectFired { inject } => format!("inject {} fired", region.injects[*inject].id),
        EventKind::IncidentStarted {
            incident: i,
            target,
            actor,
        } => format!(
            "incident {} started against {} by {}",
            incident(*i),
            asset(*target),
            actor.map_or("an unknown party".to_string(), |a| region.actors[a]
                .name
                .clone())
        ),
        EventKind::Detected {
            incident: i, org, ..
        } => format!(
            "{} detected {the_incident}{}",
            region.orgs[*org].name,
            incident(*i)
        ),
        EventKind::Contained { incident: i } => format!("{the_incident}{} contained", incident(*i)),
        EventKind::Recovered { incident: i } => format!("{the_incident}{} recovered", incident(*i)),
        EventKind::EvidenceFound {
            state: s,
            evidence,
            incident: i,
        } if world.resource::<EvidencePool>().0[*evidence].public => format!(
            "{} takes note of public evidence #{evidence} on {}",
            state(*s),
            incident(*i)
        ),
        EventKind::EvidenceFound {
            state: s,
            evidence,
            incident: i,
        } => format!(
            "{} found evidence #{evidence} on {}",
            state(*s),
            incident(*i)
        ),
        EventKind::PlantedRecognised { state: s, evidence } => {
            format!("{} judged evidence #{evidence} to be planted", state(*s))
        }
        EventKind::MessageSent { message }
            if sender(*message) && mail.0[*message].needed_clearance =>
        {
            format!(
                "awaiting clearance: {} (our government must clear it before it leaves)",
                msg(*message)
            )
        }
        EventKind::MessageSent { message } => format!("sent {}", msg(*message)),
        EventKind::Cleared { message } if sender(*message) => {
            format!("cleared for release: {} (sent now)", msg(*message))
        }
        EventKind::Cleared { message } => format!("cleared for release: {}", msg(*message)),
        EventKind::Delivered { message } if recipient(*message) => {
            format!("received {}", msg(*message))
        }
        EventKind::Delivered { message } => format!("delivered {}", msg(*message)),
        EventKind::Acknowledged { message } => format!("acknowledged {}", msg(*message)),
        EventKind::Bounced { message } => match mail.0[*message].bounce {
            Some(Bounce::LineDown) => {
                format!("BOUNCED {}: the hotline circuit is down", msg(*message))
            }
            _ => format!("BOUNCED {}: the contact is stale", msg(*message)),
        },
        EventKind::News { headline } => format!("NEWS: {headline}"),
        EventKind::ControlMessage { team, subject } => format!(
            "exercise control to {}: {subject}",
            region.teams[*team].name
        ),
        EventKind::Question { text } => format!("QUESTION for discussion: {text}"),
        EventKind::CommandDropped {
            team,
            action,
            reason,
        } => format!(
            "{}: the {action} could not be carried out ({reason})",
            region.teams[*team].name
        ),
        EventKind::Facilitator { inject, action } => {
            let inj = &region.injects[*inject];
            match action {
                InjectControl::Fire => format!(
                    "Facilitator fired inject {} early{}",
                    inj.id,
                    match (inj.at, &inj.when) {
                        (Some(at), Some(_)) => {
                            format!(" (due at {} on a condition)", hhmm_span(at.minutes()))
                        }
                        (None, Some(_)) => " (ahead of its condition)".to_string(),
                        (Some(at), None) => format!(" (due at {})", hhmm_span(at.minutes())),
                        (None, None) => String::new(),
                    }
                ),
                InjectControl::Skip => format!(
                    "Facilitator skipped inject {}{}",
                    inj.id,
                    if matches!(inj.kind, crate::scenario::InjectKind::Incident { .. }) {
                        " (the incident will not happen)"
                    } else {
                        ""
                    }
                ),
                InjectControl::Delay { to_minute } => format!(
                    "Facilitator delayed inject {} to {}",
                    inj.id,
                    hhmm_span(*to_minute)
                ),
            }
        }
        EventKind::WorldChanged { what } => format!("world: {what}"),
        EventKind::PublicAttribution {
            by,
            incident: i,
            blamed,
            belief,
            ..
        } => format!(
            "{} publicly blames {} for {} (belief {:.0}%)",
            state(*by),
            region.candidate_name(*blamed),
            incident(*i),
            belief * 100.0
        ),
        EventKind::Demarche { from, to } => {
            format!("{} delivers a démarche to {}", state(*from), state(*to))
        }
        EventKind::RestraintStatement { by } => format!(
            "{} issues a statement of restraint: others' tension towards it eases (never below its baseline)",
            state(*by)
        ),
        EventKind::HotlineCall { from, to, answered } => format!(
            "{} calls {} on the hotline: {}",
            state(*from),
            state(*to),
            if *answered {
                "answered"
            } else {
                "not answered"
            }
        ),
        EventKind::Consultation { a, b } => {
            format!("{} and {} hold consultations", state(*a), state(*b))
        }
        EventKind::RegionalCoordination { convened_by, org } => format!(
            "{} convenes regional coordination: tension eases a little between every pair",
            org.map_or_else(|| state(*convened_by), |o| region.orgs[o].name.clone())
        ),
        EventKind::AssistanceGiven {
            by,
            to,
            incident: i,
        } => format!("{} assists {} on {}", state(*by), state(*to), incident(*i)),
        EventKind::TakedownRequested { by, of } => format!(
            "{} takes down attack infrastructure at {}'s request: the incident is contained faster",
            state(*of),
            state(*by)
        ),
        EventKind::Retaliation {
            by,
            against,
            asset: a,
            ..
        } => format!(
            "{} retaliates against {}'s {}",
            state(*by),
            state(*against),
            asset(*a)
        ),
        EventKind::RungChanged {
            a,
            b,
            from,
            to,
            cause,
        } => format!(
            "{}–{}: {} → {} (why: {})",
            state(*a),
            state(*b),
            rung_name(*from),
            rung_name(*to),
            cause_text(world, cause, viewer)
        ),
        EventKind::BeliefChanged {
            state: s,
            incident: i,
            top,
            cause,
        } => format!(
            "{}'s assessment of {}: {} (why: {})",
            state(*s),
            incident(*i),
            match top {
                Some((j, p)) => format!(
                    "top suspect {} ({:.0}%)",
                    region.candidate_name(*j),
                    p * 100.0
                ),
                None => "no clear suspect".to_string(),
            },
            cause_text(world, cause, viewer.or(Some(*s)))
        ),
        EventKind::RedLineCrossed {
            state: s, asset: a, ..
        } => format!(
            "RED LINE: {} declares the attack on {} a red line crossed",
            state(*s),
            asset(*a)
        ),
        EventKind::AssetIsolated { asset: a } => format!("{} isolated", asset(*a)),
        EventKind::AssetRestored { asset: a } => format!("{} restored to service", asset(*a)),
        EventKind::AlertRaised { state: s, level } => format!(
            "{} sets its alert level to {level}: its watchers detect {:.0}% faster",
            state(*s),
            100.0 * super::constants::ALERT_PER_LEVEL * f64::from(*level)
        ),
        EventKind::ObjectiveMet { objective } | EventKind::ObjectiveFailed { objective } => {
            let met = matches!(event.kind, EventKind::ObjectiveMet { .. });
            let why = world.resource::<Facts>().reasons[*objective]
                .as_ref()
                .map_or(String::new(), |r| {
                    format!(
                        " ({})",
                        if viewer.is_some() {
                            r.text.clone()
                        } else {
                            r.full()
                        }
                    )
                });
            format!(
                "objective {}: {}{why}",
                if met { "met" } else { "missed" },
                region.objectives[*objective].title
            )
        }
    }
}

/// An incident as the facilitator sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentTruth {
    pub id: String,
    pub actor: Option<String>,
    pub culprit: String,
    pub false_flag: Option<String>,
    pub target: String,
    pub victim: String,
    pub phase: Phase,
    pub start_minute: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssetTruth {
    pub id: String,
    pub name: String,
    pub state: String,
    pub sector: Sector,
    pub inoperability: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairTruth {
    pub a: String,
    pub b: String,
    pub a_to_b: f64,
    pub b_to_a: f64,
    pub rung: Rung,
    pub peak: Rung,
    pub hotline: bool,
}

/// A row of the facilitator's inject queue, with what the preview of the inject shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InjectQueueItem {
    pub id: String,
    pub kind: String,
    /// Its scheduled time (`at`).
    pub at_minute: Option<u32>,
    pub conditional: bool,
    /// Where it stands (its `words()` are the queue's status column).
    pub status: InjectStatus,
    /// The earliest time it may fire: its scheduled time, or later once delayed; none for
    /// an inject that waits only on its condition. The queue is sorted by it.
    pub earliest_minute: Option<u32>,
    /// Not before this minute: the facilitator delayed it (kept once it fired).
    pub delayed_to_minute: Option<u32>,
    pub fired_minute: Option<u32>,
    pub skipped: bool,
    /// The latest time it may fire (`until`).
    pub until_minute: Option<u32>,
    /// Its condition (`when`) in words, and whether it holds now.
    pub condition: Option<String>,
    pub condition_holds: bool,
    /// Who it reaches, in words.
    pub recipients: String,
    /// What it says or does: (label, text), e.g. ("Subject", …), ("Body", …).
    pub text: Vec<(String, String)>,
    /// What it is, in a phrase: "an incident: Ddos on Varesh Commercial Bank by …".
    pub summary: String,
}

/// Where an inject of the facilitator's queue stands; the minutes are of the exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum InjectStatus {
    Fired(u32),
    Skipped,
    /// The facilitator fired it: it fires at the next tick.
    FiresAt(u32),
    /// Its `until` passed before it fired: it never will (unless fired by hand).
    Lapsed(u32),
    /// Held back by the facilitator until then.
    DelayedTo(u32),
    /// Its time has come; it fires once its condition holds.
    Due,
    Waiting,
}

impl InjectStatus {
    /// In words: `fired at +HH:MM`, `skipped`, `lapsed at +HH:MM`, `fires at +HH:MM`,
    /// `delayed to +HH:MM`, `due` or `waiting`.
    pub fn words(self) -> String {
        match self {
            InjectStatus::Fired(m) => format!("fired at {}", hhmm_span(m)),
            InjectStatus::Skipped => "skipped".into(),
            InjectStatus::FiresAt(m) => format!("fires at {}", hhmm_span(m)),
            InjectStatus::Lapsed(m) => format!("lapsed at {}", hhmm_span(m)),
            InjectStatus::DelayedTo(m) => format!("delayed to {}", hhmm_span(m)),
            InjectStatus::Due => "due".into(),
            InjectStatus::Waiting => "waiting".into(),
        }
    }

    /// Fired, skipped or lapsed: nothing more will happen to it unless fired by hand.
    pub fn done(self) -> bool {
        matches!(
            self,
            InjectStatus::Fired(_) | InjectStatus::Skipped | InjectStatus::Lapsed(_)
        )
    }
}

/// One state's belief about one incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StateBelief {
    pub state: String,
    pub incident: String,
    /// (candidate id, probability) for every candidate, in candidate order.
    pub probabilities: Vec<(String, f64)>,
    /// The state has a suspect (the evidence lifted someone above the prior).
    pub formed: bool,
}

/// The ground truth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacilitatorView {
    pub title: String,
    pub minute: u32,
    pub end_minute: u32,
    pub incidents: Vec<IncidentTruth>,
    pub assets: Vec<AssetTruth>,
    pub pairs: Vec<PairTruth>,
    pub injects: Vec<InjectQueueItem>,
    pub teams: Vec<(String, String)>,
    pub timeline: Vec<(u32, String)>,
    pub objectives: Vec<ObjectiveView>,
    /// Every discussion question posed so far, oldest first.
    pub questions: Vec<QuestionView>,
    /// Every state's beliefs: (state, incident, [(candidate, probability)]).
    pub beliefs: Vec<StateBelief>,
    /// Every message: (id, from, to contact, kind, status).
    pub messages: Vec<(usize, String, String, MessageKind, MessageStatus)>,
    /// Every message with its times, for reports.
    pub message_log: Vec<MessageTruth>,
}

/// A message as the facilitator and the after-action report see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageTruth {
    pub id: usize,
    /// Sending organisation id (exercise control when none).
    pub from: Option<String>,
    pub from_state: Option<String>,
    pub to_contact: String,
    pub kind: MessageKind,
    pub status: MessageStatus,
    pub sent_minute: u32,
    pub needed_clearance: bool,
    /// When clearance released it (none: it needed none, or still waits).
    pub cleared_minute: Option<u32>,
    /// When it first waited for the recipient's desk to open (out of hours).
    pub queued_minute: Option<u32>,
    /// The recipient's state.
    pub to_state: String,
    pub delivered_minute: Option<u32>,
    pub acked_minute: Option<u32>,
    pub bounced_minute: Option<u32>,
    /// The evidence items it carried (ids of the evidence pool).
    pub evidence: Vec<usize>,
}

/// Everything, for the white cell.
pub fn facilitator_view(world: &World) -> FacilitatorView {
    let region = world.resource::<Region>();
    let clock = *world.resource::<Clock>();
    let entities = world.resource::<Entities>();
    let facts = world.resource::<Facts>();
    let tensions = world.resource::<Tensions>();
    let due: Vec<usize> = super::systems::due_injects(super::effects::Read::of(world));
    let incidents = world
        .resource::<Incidents>()
        .0
        .iter()
        .map(|i| IncidentTruth {
            id: i.id.clone(),
            actor: i.actor.map(|a| region.actors[a].name.clone()),
            culprit: region.candidate_name(i.responsible).to_string(),
            false_flag: i.false_flag.map(|s| region.states[s].name.clone()),
            target: region.assets[i.target].name.clone(),
            victim: region.states[i.victim].name.clone(),
            phase: i.phase,
            start_minute: i.start * clock.tick_minutes,
        })
        .collect();
    let assets = region
        .assets
        .iter()
        .enumerate()
        .map(|(i, a)| AssetTruth {
            id: a.id.clone(),
            name: a.name.clone(),
            state: region.states[a.state].name.clone(),
            sector: a.sector,
            inoperability: world
                .get::<Inoperability>(entities.assets[i])
                .map_or(0.0, |q| q.0),
        })
        .collect();
    let mut pairs = Vec::new();
    for a in 0..region.n_states() {
        for b in (a + 1)..region.n_states() {
            let p = tensions.pair(a, b);
            pairs.push(PairTruth {
                a: region.states[a].name.clone(),
                b: region.states[b].name.clone(),
                a_to_b: tensions.get(a, b),
                b_to_a: tensions.get(b, a),
                rung: tensions.rung[p],
                peak: tensions.peak[p],
                hotline: tensions.hotline[p] && tensions.hotline_up[p],
            });
        }
    }
    let injects = inject_queue(world, &due);
    FacilitatorView {
        title: region.title.clone(),
        minute: clock.minutes(),
        end_minute: clock.end_tick * clock.tick_minutes,
        incidents,
        assets,
        pairs,
        injects,
        teams: region
            .teams
            .iter()
            .map(|t| (t.id.clone(), t.name.clone()))
            .collect(),
        timeline: world
            .resource::<EventLog>()
            .0
            .iter()
            .map(|e| (e.tick * clock.tick_minutes, describe(world, e)))
            .collect(),
        objectives: region
            .objectives
            .iter()
            .enumerate()
            .map(|(i, o)| ObjectiveView {
                id: o.id.clone(),
                title: o.title.clone(),
                status: objective_status(facts, i),
                reason: facts.reasons[i].as_ref().map(|r| r.full()),
                aim: criterion_words(region, &o.criterion, &|id| format!("incident {id}")),
                decided_minute: facts.met[i]
                    .or(facts.failed[i])
                    .map(|t| t * clock.tick_minutes),
                team: o.team.as_deref().map(|t| name_of(region, t)),
            })
            .collect(),
        questions: questions(world).into_iter().map(|(q, _)| q).collect(),
        beliefs: (0..region.n_states())
            .flat_map(|s| {
                let mind = world.resource::<Minds>().0.get(s);
                mind.map(|m| {
                    m.beliefs
                        .iter()
                        .map(|(&inc, b)| {
                            let id = world
                                .resource::<Incidents>()
                                .0
                                .get(inc)
                                .map(|i| i.id.clone())
                                .unwrap_or_default();
                            let probs =
                                b.p.iter()
                                    .enumerate()
                                    .map(|(j, p)| (region.candidate_id(j).to_string(), *p))
                                    .collect();
                            StateBelief {
                                state: region.states[s].id.clone(),
                                incident: id,
                                probabilities: probs,
                                formed: b.formed,
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
            })
            .collect(),
        messages: world
            .resource::<Mailroom>()
            .0
            .iter()
            .map(|m| {
                let from = m
                    .from_org
                    .map_or_else(|| m.from_label.clone(), |o| region.orgs[o].id.clone());
                (
                    m.id,
                    from,
                    region.contacts[m.to_contact].id.clone(),
                    m.kind,
                    m.status,
                )
            })
            .collect(),
        message_log: world
            .resource::<Mailroom>()
            .0
            .iter()
            .map(|m| {
                let minute = |t: u32| t * clock.tick_minutes;
                MessageTruth {
                    id: m.id,
                    from: m.from_org.map(|o| region.orgs[o].id.clone()),
                    from_state: m.from_state.map(|s| region.states[s].id.clone()),
                    to_contact: region.contacts[m.to_contact].id.clone(),
                    kind: m.kind,
                    status: m.status,
                    sent_minute: minute(m.sent),
                    needed_clearance: m.needed_clearance,
                    cleared_minute: (m.needed_clearance
                        && m.status != MessageStatus::AwaitingClearance)
                        .then(|| minute(m.clear_at)),
                    queued_minute: m.queued_at.map(minute),
                    to_state: region.states[m.to_state].id.clone(),
                    delivered_minute: m.delivered_at.map(minute),
                    acked_minute: m.acked_at.map(minute),
                    bounced_minute: m.bounced_at.map(minute),
                    evidence: m.evidence.clone(),
                }
            })
            .collect(),
    }
}

/// Minutes since the start as `+HH:MM`.
pub fn hhmm_span(minutes: u32) -> String {
    format!("+{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The facilitator's inject queue: by the earliest time each may fire (its scheduled time, or
/// its delay), then those that wait only on a condition, each group in scenario order.
fn inject_queue(world: &World, due: &[usize]) -> Vec<InjectQueueItem> {
    let region = world.resource::<Region>();
    let clock = *world.resource::<Clock>();
    let facts = world.resource::<Facts>();
    let minute = |t: u32| t * clock.tick_minutes;
    let mut rows: Vec<InjectQueueItem> = region
        .injects
        .iter()
        .enumerate()
        .map(|(i, inj)| {
            let at = inj.at.map(|a| a.minutes());
            let delayed = facts.delayed.get(&i).map(|&t| minute(t));
            let fired = facts.fired[i].map(minute);
            let skipped = facts.skipped.contains(&i);
            let until = inj.until.map(|u| u.minutes());
            let status = match (fired, until, delayed) {
                (Some(m), _, _) => InjectStatus::Fired(m),
                _ if skipped => InjectStatus::Skipped,
                _ if facts.fire_now.contains(&i) => InjectStatus::FiresAt(minute(clock.tick + 1)),
                (_, Some(u), _) if clock.minutes() > u => InjectStatus::Lapsed(u),
                (_, _, Some(d)) => InjectStatus::DelayedTo(d),
                _ if due.contains(&i) => InjectStatus::Due,
                _ => InjectStatus::Waiting,
            };
            let (summary, recipients, text) = inject_words(region, &inj.kind);
            InjectQueueItem {
                id: inj.id.clone(),
                kind: inject_kind_name(&inj.kind).to_string(),
                at_minute: at,
                conditional: inj.when.is_some(),
                status,
                earliest_minute: at.max(delayed),
                delayed_to_minute: delayed,
                fired_minute: fired,
                skipped,
                until_minute: until,
                condition: inj.when.as_ref().map(|c| condition_words(region, c)),
                condition_holds: region.conditions[i]
                    .as_ref()
                    .is_some_and(|c| super::systems::holds(super::effects::Read::of(world), c)),
                recipients,
                text,
                summary,
            }
        })
        .collect();
    // A stable sort: equal times keep scenario order.
    rows.sort_by_key(|r| (r.earliest_minute.is_none(), r.earliest_minute));
    rows
}

/// A name for an id of the scenario, as a person reads it.
fn name_of(region: &Region, id: &str) -> String {
    match region.ids.get(id) {
        Some(Ref::State(s)) => region.states[*s].name.clone(),
        Some(Ref::Org(o)) => region.orgs[*o].name.clone(),
        Some(Ref::Asset(a)) => region.assets[*a].name.clone(),
        Some(Ref::Contact(c)) => region.contacts[*c].name.clone(),
        Some(Ref::Actor(a)) => region.actors[*a].name.clone(),
        Some(Ref::Team(t)) => region.teams[*t].name.clone(),
        Some(Ref::Objective(o)) => format!("“{}”", region.objectives[*o].title),
        Some(Ref::Inject(_)) | None if id == "non-state" => "a non-state actor".into(),
        Some(Ref::Inject(_)) | None => id.to_string(),
    }
}

/// An inject's condition (`when`) in words.
pub fn condition_words(region: &Region, condition: &crate::scenario::Condition) -> String {
    use crate::scenario::Condition::*;
    let name = |id: &str| name_of(region, id);
    let list = |cs: &[crate::scenario::Condition], joint: &str| {
        cs.iter()
            .map(|c| match c {
                All(_) | Any(_) => format!("({})", condition_words(region, c)),
                _ => condition_words(region, c),
            })
            .collect::<Vec<_>>()
            .join(joint)
    };
    match condition {
        All(cs) => list(cs, " and "),
        Any(cs) => list(cs, " or "),
        Not(c) => match &**c {
            All(_) | Any(_) => format!("not ({})", condition_words(region, c)),
            _ => format!("not: {}", condition_words(region, c)),
        },
        InjectFired(id) => format!("inject {id} has fired"),
        Detected { incident, by } => format!("{} has detected incident {incident}", name(by)),
        EvidenceShared { from, to } => {
            format!("{} has shared evidence with {}", name(from), name(to))
        }
        TensionAbove { between, value } => format!(
            "tension between {} and {} is above {value:.2}",
            name(&between.0),
            name(&between.1)
        ),
        RungReached { between, rung } => format!(
            "{}–{} has reached {}",
            name(&between.0),
            name(&between.1),
            rung_name(*rung)
        ),
        RungAtLeast { between, rung } => format!(
            "{}–{} stands at {} or above",
            name(&between.0),
            name(&between.1),
            rung_name(*rung)
        ),
        ObjectiveMet(id) => format!("objective {} is met", name(id)),
        ObjectiveFailed(id) => format!("objective {} is missed", name(id)),
        Contained(id) => format!("incident {id} is contained"),
        Attributed {
            by,
            incident,
            blame,
            public,
        } => format!(
            "{} has {}attributed incident {incident}{}",
            name(by),
            if *public { "publicly " } else { "" },
            blame
                .as_deref()
                .map_or(String::new(), |b| format!(" to {}", name(b)))
        ),
        MessageAcknowledged { from, to } => format!(
            "a message from {} to {} has been acknowledged",
            name(from),
            name(to)
        ),
        MessageBounced { from, to } => {
            format!("a message from {} to {} has bounced", name(from), name(to))
        }
    }
}

/// What an inject is (a phrase), whom it reaches, and what it says, for the facilitator's
/// preview and confirmations.
fn inject_words(
    region: &Region,
    kind: &crate::scenario::InjectKind,
) -> (String, String, Vec<(String, String)>) {
    use crate::scenario::{InjectKind::*, WorldChange};
    let name = |id: &str| name_of(region, id);
    let teams = |to: &[String]| to.iter().map(|t| name(t)).collect::<Vec<_>>().join(", ");
    let owner = |asset: &str| match region.ids.get(asset) {
        Some(Ref::Asset(a)) => format!(" ({})", region.states[region.assets[*a].state].name),
        _ => String::new(),
    };
    let mut text = Vec::new();
    let mut line = |label: &str, words: String| {
        if !words.is_empty() {
            text.push((label.to_string(), words));
        }
    };
    let (summary, recipients) = match kind {
        Incident {
            actor,
            target,
            vector,
            severity,
            lasts,
            evidence,
        } => {
            let what = format!(
                "{} on {}{}",
                vector_words(*vector),
                name(target),
                owner(target)
            );
            line(
                "Attack",
                format!(
                    "{what}, severity {:.0}%{}",
                    severity * 100.0,
                    lasts.map_or(String::new(), |l| format!(
                        ", lasting {} unless contained",
                        span_words(l.minutes())
                    ))
                ),
            );
            line("By", name(actor));
            if !evidence.is_empty() {
                line(
                    "Evidence",
                    format!("{} placed by the author", items(evidence.len())),
                );
            }
            (
                format!("an incident: {what} by {}", name(actor)),
                format!(
                    "no one directly: it strikes {}; who watches it may detect it",
                    name(target)
                ),
            )
        }
        Message {
            to,
            from,
            sender,
            subject,
            body,
            about,
            evidence,
        } => {
            line("From", sender.as_deref().map_or_else(|| from.clone(), name));
            line("Subject", subject.clone());
            line("Body", body.clone());
            if let Some(a) = about {
                line("About", format!("incident {a}"));
            }
            if !evidence.is_empty() {
                line("Evidence", format!("{} handed over", items(evidence.len())));
            }
            (
                format!("a message to {}: “{subject}”", teams(to)),
                teams(to),
            )
        }
        News {
            headline,
            body,
            about,
            ..
        } => {
            line("Headline", headline.clone());
            line("Body", body.clone());
            if let Some(a) = about {
                line("About", format!("incident {a}"));
            }
            (
                format!("news: “{headline}”"),
                "every team (public news)".to_string(),
            )
        }
        World(change) => {
            let words = match change {
                WorldChange::ContactStale(c) => {
                    format!("contact {c} goes stale (its mail bounces)")
                }
                WorldChange::ContactRestored(c) => format!("contact {c} is restored"),
                WorldChange::HotlineDown(a, b) => {
                    format!("the {}–{} hotline goes down", name(a), name(b))
                }
                WorldChange::HotlineRestored(a, b) => {
                    format!("the {}–{} hotline is restored", name(a), name(b))
                }
                WorldChange::Posture(s, p) => format!("{} takes a {p:?} posture", name(s)),
                WorldChange::Outage {
                    asset,
                    inoperability,
                } => format!(
                    "an outage at {}{}, {:.0}% inoperable",
                    name(asset),
                    owner(asset),
                    inoperability * 100.0
                ),
            };
            line("Change", words.clone());
            (
                format!("a world change: {words}"),
                "no one directly: the world changes".to_string(),
            )
        }
        Question { text: q, to, pause } => {
            line("Question", q.clone());
            if *pause {
                line(
                    "Pause",
                    "yes: the clock stops when it is posed; space runs it again".to_string(),
                );
            }
            (
                format!("a discussion question: “{q}”"),
                if to.is_empty() {
                    "the room: it appears on your Timeline".to_string()
                } else {
                    format!("{} (on your Timeline)", teams(to))
                },
            )
        }
    };
    (summary, recipients, text)
}

/// An incident's title as state `me` reads it: the attack and its target, with the victim
/// state when it is not `me` ("DDoS attack on Central Bank (Varesh)").
fn incident_title(region: &Region, incident: &Incident, me: usize) -> String {
    let whose = if incident.victim == me {
        String::new()
    } else {
        format!(" ({})", region.states[incident.victim].name)
    };
    format!(
        "{} on {}{whose}",
        vector_title(incident.vector),
        region.assets[incident.target].name,
    )
}

/// An attack vector as the start of an incident's title.
fn vector_title(vector: crate::scenario::Vector) -> &'static str {
    use crate::scenario::Vector::*;
    match vector {
        Ddos => "DDoS attack",
        Intrusion => "Intrusion",
        Wiper => "Wiper attack",
        Ransomware => "Ransomware",
        Phishing => "Phishing campaign",
        SupplyChain => "Supply-chain compromise",
        PhysicalCut => "Physical cut",
    }
}

impl TeamView {
    /// The title of an incident the team knows, by id (the id itself when the team does not
    /// know it).
    pub fn incident_title<'a>(&'a self, id: &'a str) -> &'a str {
        self.incidents
            .iter()
            .find(|i| i.id == id)
            .map_or(id, |i| i.title.as_str())
    }
}

/// An attack vector in words.
fn vector_words(vector: crate::scenario::Vector) -> &'static str {
    use crate::scenario::Vector::*;
    match vector {
        Ddos => "a DDoS attack",
        Intrusion => "an intrusion",
        Wiper => "a wiper attack",
        Ransomware => "ransomware",
        Phishing => "a phishing campaign",
        SupplyChain => "a supply-chain compromise",
        PhysicalCut => "a physical cut",
    }
}

/// A length of time as an author writes it: `45m`, `2h`, `1h30m`.
fn span_words(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m:02}m"),
    }
}

/// `1 evidence item`, `3 evidence items`.
fn items(n: usize) -> String {
    format!("{n} evidence item{}", if n == 1 { "" } else { "s" })
}

fn inject_kind_name(kind: &crate::scenario::InjectKind) -> &'static str {
    use crate::scenario::InjectKind::*;
    match kind {
        Incident { .. } => "incident",
        Message { .. } => "message",
        News { .. } => "news",
        World(_) => "world change",
        Question { .. } => "question",
    }
}

/// The discussion questions whose injects have fired, oldest first, each with the teams it
/// is put to (indices into the region's teams; empty: the whole room).
fn questions(world: &World) -> Vec<(QuestionView, Vec<usize>)> {
    let region = world.resource::<Region>();
    let facts = world.resource::<Facts>();
    let tick_minutes = world.resource::<Clock>().tick_minutes;
    let mut out: Vec<(QuestionView, Vec<usize>)> = region
        .injects
        .iter()
        .enumerate()
        .filter_map(|(i, inj)| {
            let fired = facts.fired.get(i).copied().flatten()?;
            let crate::scenario::InjectKind::Question { text, to, pause } = &inj.kind else {
                return None;
            };
            let teams: Vec<usize> = to
                .iter()
                .filter_map(|id| match region.ids.get(id) {
                    Some(Ref::Team(t)) => Some(*t),
                    _ => None,
                })
                .collect();
            Some((
                QuestionView {
                    inject: inj.id.clone(),
                    minute: fired * tick_minutes,
                    text: text.clone(),
                    pause: *pause,
                    to: teams
                        .iter()
                        .map(|&t| region.teams[t].name.clone())
                        .collect(),
                },
                teams,
            ))
        })
        .collect();
    out.sort_by_key(|(q, _)| q.minute);
    out
}

/// The questions that ask for the clock to pause posed at this tick (the front ends pause
/// their clock then), each with the ids of the teams it is addressed to (empty: the room).
pub fn pausing_questions_now(world: &World) -> Vec<(String, Vec<String>)> {
    let clock = *world.resource::<Clock>();
    let region = world.resource::<Region>();
    questions(world)
        .into_iter()
        .filter(|(q, _)| q.pause && q.minute == clock.minutes())
        .map(|(q, to)| {
            (
                q.text,
                to.iter().map(|&t| region.teams[t].id.clone()).collect(),
            )
        })
        .collect()
}

/// The notices of a team: the events it can see that it should not miss, and the questions
/// put to it, oldest first.
fn team_notices(world: &World, visible: &[&Event], me: usize, team: &str) -> Vec<Notice> {
    let region = world.resource::<Region>();
    let minutes = world.resource::<Clock>().tick_minutes;
    let ours = |o: usize| {
        region.objectives[o]
            .team
            .as_deref()
            .is_none_or(|t| t == team)
    };
    let mut notices: Vec<Notice> = visible
        .iter()
        .filter_map(|e| {
            let kind = match &e.kind {
                EventKind::Detected { state, .. } if *state == me => NoticeKind::Detection,
                EventKind::News { .. } => NoticeKind::News,
                EventKind::HotlineCall { from, to, .. } if *from == me || *to == me => {
                    NoticeKind::Hotline
                }
                EventKind::RedLineCrossed { .. } => NoticeKind::RedLine,
                EventKind::PublicAttribution { .. } => NoticeKind::Attribution,
                EventKind::RungChanged { a, b, .. } if *a == me || *b == me => NoticeKind::Rung,
                EventKind::Contained { .. } | EventKind::Recovered { .. } => {
                    NoticeKind::IncidentEnded
                }
                EventKind::ObjectiveMet { objective }
                | EventKind::ObjectiveFailed { objective }
                    if ours(*objective) =>
                {
                    NoticeKind::Objective
                }
                _ => return None,
            };
            Some(Notice {
                minute: e.tick * minutes,
                kind,
                text: describe_as(world, e, Some(me)),
            })
        })
        .collect();
    let t = region.teams.iter().position(|t| t.id == team);
    notices.extend(
        questions(world)
            .into_iter()
            .filter(|(_, to)| t.is_some_and(|t| to.contains(&t)))
            .map(|(q, _)| Notice {
                minute: q.minute,
                kind: NoticeKind::Question,
                text: format!("QUESTION for discussion: {}", q.text),
            }),
    );
    // A stable sort: events keep the order they happened in.
    notices.sort_by_key(|n| n.minute);
    notices
}

/// The team's own acts that are not messages, from the events it can see.
fn team_acts(world: &World, visible: &[&Event], me: usize) -> Vec<ActView> {
    let region = world.resource::<Region>();
    let minutes = world.resource::<Clock>().tick_minutes;
    let state = |s: usize| region.states[s].name.clone();
    let asset = |a: usize| region.assets[a].name.clone();
    let known = &world.resource::<Minds>().0[me].known;
    let incident = |i: usize| match world.resource::<Incidents>().0.get(i) {
        Some(x) if known.contains_key(&i) => incident_title(region, x, me),
        Some(_) => UNKNOWN_INCIDENT.to_string(),
        None => String::new(),
    };
    visible
        .iter()
        .filter_map(|e| {
            let (what, to, result) = match &e.kind {
                EventKind::HotlineCall { from, to, answered } if *from == me => (
                    "hotline call",
                    state(*to),
                    if *answered {
                        "answered"
                    } else {
                        "not answered"
                    }
                    .to_string(),
                ),
                EventKind::AlertRaised { state: s, level } if *s == me => (
                    "alert level",
                    format!("level {level}"),
                    format!(
                        "our watchers detect {:.0}% faster",
                        100.0 * super::constants::ALERT_PER_LEVEL * f64::from(*level)
                    ),
                ),
                EventKind::RestraintStatement { by } if *by == me => (
                    "restraint statement",
                    "everyone (public)".to_string(),
                    "others' tension towards us eases".to_string(),
                ),
                EventKind::PublicAttribution {
                    by,
                    incident: i,
                    blamed,
                    ..
                } if *by == me => (
                    "public attribution",
                    format!(
                        "{} blamed for {}",
                        region.candidate_name(*blamed),
                        incident(*i)
                    ),
                    "public".to_string(),
                ),
                EventKind::Retaliation {
                    by,
                    against,
                    asset: a,
                    ..
                } if *by == me => (
                    "retaliation",
                    format!("{} ({})", asset(*a), state(*against)),
                    "carried out".to_string(),
                ),
                EventKind::AssetIsolated { asset: a } if region.assets[*a].state == me => {
                    ("isolation", asset(*a), "isolated".to_string())
                }
                EventKind::AssetRestored { asset: a } if region.assets[*a].state == me => {
                    ("restoration", asset(*a), "back in service".to_string())
                }
                _ => return None,
            };
            let answered = match &e.kind {
                EventKind::HotlineCall { answered, .. } => Some(*answered),
                _ => None,
            };
            Some(ActView {
                minute: e.tick * minutes,
                what: what.to_string(),
                to,
                result,
                answered,
            })
        })
        .collect()
}

/// An objective's criterion in plain words: what is asked, by whom, and by when.
///
/// `incident` names an incident by its inject id: a team is told only of those it knows.
pub fn criterion_words(
    region: &Region,
    criterion: &crate::scenario::Criterion,
    incident: &dyn Fn(&str) -> String,
) -> String {
    use crate::scenario::Criterion::*;
    let name = |id: &str| name_of(region, id);
    let span = |s: crate::scenario::Span| super::objectives::span_text(s.minutes());
    let names = |ids: &[String]| {
        let n: Vec<String> = ids.iter().map(|i| name(i)).collect();
        match n.len() {
            0 => String::new(),
            1 => n[0].clone(),
            _ => format!(
                "{} and {}",
                n[..n.len() - 1].join(", "),
                n.last().cloned().unwrap_or_default()
            ),
        }
    };
    match criterion {
        DetectWithin {
            incident: i,
            by,
            within,
        } => format!(
            "{} detects {} within {} of the attack starting",
            name(by),
            incident(i),
            span(*within)
        ),
        NotifyWithin {
            incident: i,
            from,
            to,
            within,
        } => format!(
            "{} notifies {} of {} within {} of detecting it",
            name(from),
            names(to),
            incident(i),
            span(*within)
        ),
        AcknowledgeWithin {
            contacts,
            within,
            share,
            after,
            before,
            from,
            kinds,
        } => {
            let who = if contacts.is_empty() {
                "the contacts written to".to_string()
            } else {
                names(contacts)
            };
            let (how_many, verb) = if *share >= 1.0 {
                (format!("every one of {who}"), "acknowledges")
            } else {
                (
                    format!("at least {:.0}% of {who}", share * 100.0),
                    "acknowledge",
                )
            };
            let mut what = "a message".to_string();
            if !kinds.is_empty() {
                let k: Vec<&str> = kinds.iter().map(|k| kind_words(*k)).collect();
                what = format!("a message ({})", k.join(" or "));
            }
            if let Some(f) = from {
                what.push_str(&format!(" from {}", name(f)));
            }
            let mut when = String::new();
            if let Some(a) = after {
                when.push_str(&format!(
                    ", counting messages sent from {}",
                    hhmm_span(a.minutes())
                ));
            }
            if let Some(b) = before {
                when.push_str(&format!(", sent before {}", hhmm_span(b.minutes())));
            }
            format!(
                "{how_many} {verb} {what} within {} of its sending{when}; missed if not by the end",
                span(*within)
            )
        }
        EvidenceBeforeAttribution { state } => format!(
            "{} shares evidence abroad before it attributes any incident publicly (or never attributes)",
            name(state)
        ),
        NoWrongfulAttribution { state } => format!(
            "{} never publicly blames anyone but the true perpetrator, to the end",
            name(state)
        ),
        PeakRungAtMost { between, rung } => format!(
            "{} never go beyond {}, to the end",
            between.as_ref().map_or_else(
                || "relations between any two states".to_string(),
                |(a, b)| format!("relations between {} and {}", name(a), name(b))
            ),
            rung_name(*rung)
        ),
        DowntimeBelow {
            sector,
            state,
            hours,
        } => format!(
            "downtime{}{} stays below {hours} sector-hours by the end",
            sector.map_or(String::new(), |s| format!(" in the {s:?} sector")),
            state
                .as_deref()
                .map_or(String::new(), |s| format!(" of {}", name(s)))
        ),
    }
}

/// A kind of message in words.
pub fn kind_words(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Notify => "notification",
        MessageKind::ShareEvidence => "shared evidence",
        MessageKind::RequestAssistance => "request for assistance",
        MessageKind::RequestConsultation => "request for consultations",
        MessageKind::Demarche => "démarche",
        MessageKind::HotlineCall => "hotline call",
        MessageKind::RegionalCoordination => "regional coordination",
        MessageKind::RequestTakedown => "takedown request",
        MessageKind::Control => "from exercise control",
    }
}

/// A channel in words.
pub fn channel_words(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "email",
        Channel::Phone => "phone",
        Channel::Portal => "portal",
        Channel::DiplomaticNote => "diplomatic note",
        Channel::Hotline => "hotline",
    }
}

/// What the room's wall display shows: the clock and only what every team can see on its
/// own screen (public events, the news, the questions put to every team), and once the
/// facilitator reveals it, the ground truth ([`RevealView`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WallView {
    pub title: String,
    pub minute: u32,
    pub end_minute: u32,
    pub over: bool,
    /// The news stories so far: (minute, headline, body), as every team reads them.
    pub news: Vec<(u32, String, String)>,
    /// Events whose audience is everyone, oldest first, in the words teams read them.
    pub public: Vec<PublicEvent>,
    /// Discussion questions put to every team by name, oldest first. A question to the room
    /// (no team named) is the facilitator's to put and may give the game away, so it waits
    /// for the reveal.
    pub questions: Vec<QuestionView>,
    /// The ground truth, once the facilitator has revealed it.
    pub reveal: Option<RevealView>,
}

/// An event every team sees.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicEvent {
    pub minute: u32,
    pub kind: PublicKind,
    pub text: String,
}

/// What kind of public event, for the wall to set each kind apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PublicKind {
    News,
    Attribution,
    Restraint,
    Demarche,
    RedLine,
    Alert,
    Regional,
    Objective,
    Other,
}

/// The hot wash: what really happened, each state's belief against it, and how relations
/// climbed the escalation ladder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevealView {
    pub incidents: Vec<IncidentTruth>,
    pub beliefs: Vec<BeliefTruth>,
    /// Every change of rung, oldest first: (minute, what changed and why).
    pub escalation: Vec<(u32, String)>,
    /// Every pair of states: where it stands and its peak.
    pub pairs: Vec<PairTruth>,
    /// The questions for the room, which waited for the reveal.
    pub room_questions: Vec<QuestionView>,
}

/// One state's belief about one incident, against the truth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BeliefTruth {
    pub state: String,
    pub incident: String,
    /// Its top suspect and the probability it gives it (none: no suspect formed).
    pub suspect: Option<(String, f64)>,
    /// Who was responsible, and the probability the state gives them.
    pub culprit: String,
    pub on_culprit: f64,
    /// The top suspect is the one responsible.
    pub right: bool,
}

/// The wall's view of the world; the reveal only when `revealed`.
pub fn wall_view(world: &World, revealed: bool) -> WallView {
    let region = world.resource::<Region>();
    let clock = *world.resource::<Clock>();
    let facts = world.resource::<Facts>();
    // Public events read the same for every team; they are worded as a team reads them
    // (the facilitator's wording of an objective's result can name the ground truth).
    let viewer = region.teams.first().map(|t| t.state);
    let public = world
        .resource::<EventLog>()
        .0
        .iter()
        .filter(|e| matches!(e.audience, super::event::Audience::Public))
        .filter_map(|e| {
            let kind = match &e.kind {
                EventKind::News { .. } => PublicKind::News,
                EventKind::PublicAttribution { .. } => PublicKind::Attribution,
                EventKind::RestraintStatement { .. } => PublicKind::Restraint,
                EventKind::Demarche { .. } => PublicKind::Demarche,
                EventKind::RedLineCrossed { .. } => PublicKind::RedLine,
                EventKind::AlertRaised { .. } => PublicKind::Alert,
                EventKind::RegionalCoordination { .. } => PublicKind::Regional,
                EventKind::ObjectiveMet { .. } | EventKind::ObjectiveFailed { .. } => {
                    // Without a team there is no team's wording to use.
                    viewer?;
                    PublicKind::Objective
                }
                _ => PublicKind::Other,
            };
            Some(PublicEvent {
                minute: e.tick * clock.tick_minutes,
                kind,
                text: describe_as(world, e, viewer),
            })
        })
        .collect();
    let every_team = |to: &[usize]| !region.teams.is_empty() && to.len() == region.teams.len();
    let (questions, room): (Vec<_>, Vec<_>) = questions(world)
        .into_iter()
        .filter(|(_, to)| to.is_empty() || every_team(to))
        .partition(|(_, to)| !to.is_empty());
    WallView {
        title: region.title.clone(),
        minute: clock.minutes(),
        end_minute: clock.end_tick * clock.tick_minutes,
        over: clock.is_over(),
        news: facts.news.clone(),
        public,
        questions: questions.into_iter().map(|(q, _)| q).collect(),
        reveal: revealed.then(|| reveal_view(world, room.into_iter().map(|(q, _)| q).collect())),
    }
}

fn reveal_view(world: &World, room_questions: Vec<QuestionView>) -> RevealView {
    let region = world.resource::<Region>();
    let clock = *world.resource::<Clock>();
    let truth = facilitator_view(world);
    let incidents = &world.resource::<Incidents>().0;
    let mut beliefs = Vec::new();
    for (s, mind) in world.resource::<Minds>().0.iter().enumerate() {
        for (&inc, b) in &mind.beliefs {
            let Some(incident) = incidents.get(inc) else {
                continue;
            };
            let top =
                b.p.iter()
                    .enumerate()
                    .max_by(|x, y| x.1.total_cmp(y.1).then(y.0.cmp(&x.0)))
                    .filter(|_| b.formed);
            beliefs.push(BeliefTruth {
                state: region.states[s].name.clone(),
                incident: incident.id.clone(),
                suspect: top.map(|(j, p)| (region.candidate_name(j).to_string(), *p)),
                culprit: region.candidate_name(incident.responsible).to_string(),
                on_culprit: b.p.get(incident.responsible).copied().unwrap_or(0.0),
                right: top.is_some_and(|(j, _)| j == incident.responsible),
            });
        }
    }
    let escalation = world
        .resource::<EventLog>()
        .0
        .iter()
        .filter(|e| matches!(e.kind, EventKind::RungChanged { .. }))
        .map(|e| (e.tick * clock.tick_minutes, describe(world, e)))
        .collect();
    RevealView {
        incidents: truth.incidents,
        beliefs,
        escalation,
        pairs: truth.pairs,
        room_questions,
    }
}
