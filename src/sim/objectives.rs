//! Objectives (system 11): each criterion is decided live, met or failed as soon as it can
//! be, and the rest at the end of the exercise.

use super::event::{Audience, EventKind, EventLog};
use super::view::hhmm_span;
use super::world::*;
use crate::scenario::Criterion;
use bevy_ecs::prelude::World;
use serde::{Deserialize, Serialize};

/// Why an objective was met or missed: a stable code (for sweeps to count) and a sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub code: ReasonCode,
    /// What the team the objective is set for may read during play.
    pub text: String,
    /// What only the facilitator and the after-action report add (the ground truth).
    pub detail: Option<String>,
}

impl Reason {
    /// The text with the facilitator's detail, for the white cell and reports.
    pub fn full(&self) -> String {
        match &self.detail {
            Some(d) => format!("{}; {d}", self.text),
            None => self.text.clone(),
        }
    }

    fn with_detail(mut self, detail: String) -> Reason {
        self.detail = Some(detail);
        self
    }
}

/// The kinds of reason, stable across versions (sweep counts them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonCode {
    /// Met in time, or held to the end.
    Met,
    /// The incident never started (its inject did not fire).
    NeverStarted,
    /// The state did not know of the incident by the deadline.
    NotDetected,
    /// The notifying state never learnt of the incident.
    NeverKnew,
    /// No notice was sent.
    NotSent,
    /// The notice was sent after the deadline.
    SentLate,
    /// The notice waited for clearance.
    HeldForClearance,
    /// The notice waited for the recipient's desk to open.
    OutOfHours,
    /// The notice went to a stale contact (or a dead line) and bounced.
    Bounced,
    /// The channel was too slow (a diplomatic note).
    SlowChannel,
    /// Too few contacts acknowledged in time.
    NotAcknowledged,
    /// The state attributed publicly before sharing evidence abroad.
    AttributedFirst,
    /// The state publicly blamed a party that did not do it.
    Wrongful,
    /// The pair went above the rung.
    RungExceeded,
    /// Downtime went over the bound.
    DowntimeExceeded,
}

impl ReasonCode {
    /// The code as written in JSON and sweep tables.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::Met => "met",
            ReasonCode::NeverStarted => "never-started",
            ReasonCode::NotDetected => "not-detected",
            ReasonCode::NeverKnew => "never-knew",
            ReasonCode::NotSent => "not-sent",
            ReasonCode::SentLate => "sent-late",
            ReasonCode::HeldForClearance => "held-for-clearance",
            ReasonCode::OutOfHours => "out-of-hours",
            ReasonCode::Bounced => "bounced",
            ReasonCode::SlowChannel => "slow-channel",
            ReasonCode::NotAcknowledged => "not-acknowledged",
            ReasonCode::AttributedFirst => "attributed-first",
            ReasonCode::Wrongful => "wrongful",
            ReasonCode::RungExceeded => "rung-exceeded",
            ReasonCode::DowntimeExceeded => "downtime-exceeded",
        }
    }
}

/// The reason when an objective's incident never started.
fn never_started(incident: &str) -> Reason {
    reason(
        ReasonCode::NeverStarted,
        "the incident never started".into(),
    )
    .with_detail(format!("inject {incident} did not fire"))
}

fn reason(code: ReasonCode, text: String) -> Reason {
    Reason {
        code,
        text,
        detail: None,
    }
}

/// A span of minutes as "6 h 20 min".
pub fn span_text(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

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
        if verdict != Verdict::Open {
            let why = explain(world, &region, &objective.criterion, verdict, clock);
            world.resource_mut::<Facts>().reasons[i] = Some(why);
        }
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

/// The contacts an `AcknowledgeWithin` lists (all when none).
fn listed_contacts(region: &Region, contacts: &[crate::scenario::Id]) -> Vec<usize> {
    if contacts.is_empty() {
        return (0..region.contacts.len()).collect();
    }
    contacts
        .iter()
        .filter_map(|c| match region.ids.get(c) {
            Some(Ref::Contact(c)) => Some(*c),
            _ => None,
        })
        .collect()
}

/// Whom a `NotifyWithin` must reach: a state (any of its organisations) or one
/// organisation (a regional body).
#[derive(Debug, Clone, Copy)]
enum Recipient {
    State(usize),
    Org(usize),
}

impl Recipient {
    fn of(region: &Region, id: &str) -> Option<Recipient> {
        match region.ids.get(id)? {
            Ref::State(s) => Some(Recipient::State(*s)),
            Ref::Org(o) => Some(Recipient::Org(*o)),
            _ => None,
        }
    }

    /// A message to this organisation of this state reaches the recipient.
    fn is(self, state: usize, org: usize) -> bool {
        match self {
            Recipient::State(s) => s == state,
            Recipient::Org(o) => o == org,
        }
    }

    /// A notice of the incident from the state reached the recipient by the deadline.
    fn notified(self, facts: &Facts, from: usize, incident: usize, deadline: u32) -> bool {
        facts.notifications.iter().any(|n| {
            n.from_state == from
                && n.incident == incident
                && n.tick <= deadline
                && self.is(n.to_state, n.to_org)
        })
    }

    fn name(self, region: &Region) -> String {
        match self {
            Recipient::State(s) => region.states[s].name.clone(),
            Recipient::Org(o) => region.orgs[o].name.clone(),
        }
    }
}

/// Which messages an `AcknowledgeWithin` counts (sent from `from` on, before `until`, by
/// `sender` and of `kinds` when given; never exercise control's) and how soon they must be
/// acknowledged.
struct AckWindow {
    from: u32,
    until: Option<u32>,
    /// The organisations whose messages count (none: every organisation's).
    sender: Option<Vec<bool>>,
    /// The kinds of message that count (empty: every kind).
    kinds: Vec<MessageKind>,
    limit: u32,
}

impl AckWindow {
    fn new(clock: Clock, region: &Region, criterion: &Criterion) -> Self {
        let Criterion::AcknowledgeWithin {
            within,
            after,
            before,
            from,
            kinds,
            ..
        } = criterion
        else {
            return AckWindow {
                from: 0,
                until: None,
                sender: None,
                kinds: Vec::new(),
                limit: 0,
            };
        };
        let sender = from.as_ref().map(|id| {
            (0..region.orgs.len())
                .map(|o| match region.ids.get(id) {
                    Some(Ref::Org(x)) => *x == o,
                    Some(Ref::State(s)) => region.orgs[o].state == *s,
                    _ => false,
                })
                .collect()
        });
        AckWindow {
            from: after.map_or(0, |a| a.minutes().div_ceil(clock.tick_minutes)),
            until: before.map(|b| b.minutes().div_ceil(clock.tick_minutes)),
            sender,
            kinds: kinds.clone(),
            limit: clock.ticks_for(within.minutes()),
        }
    }

    /// The message is one the objective counts.
    fn counts(&self, m: &Message) -> bool {
        m.from_state.is_some()
            && m.sent >= self.from
            && self.until.is_none_or(|u| m.sent < u)
            && (self.kinds.is_empty() || self.kinds.contains(&m.kind))
            && self.sender.as_ref().is_none_or(|s| {
                m.from_org
                    .is_some_and(|o| s.get(o).copied().unwrap_or(false))
            })
    }

    /// Some counted message to the contact was acknowledged in time.
    fn acknowledged(&self, mail: &Mailroom, contact: usize) -> bool {
        mail.0.iter().any(|m| {
            m.to_contact == contact
                && self.counts(m)
                && m.acked_at.is_some_and(|a| a <= m.sent + self.limit)
        })
    }
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
            let all = to
                .iter()
                .filter_map(|t| Recipient::of(region, t))
                .all(|t| t.notified(facts, from, inc.ix, deadline));
            decide(all, clock.tick > deadline)
        }
        Criterion::AcknowledgeWithin {
            contacts, share, ..
        } => {
            let window = AckWindow::new(clock, region, criterion);
            let listed = listed_contacts(region, contacts);
            let mail = world.resource::<Mailroom>();
            let in_time = listed
                .iter()
                .filter(|&&c| window.acknowledged(mail, c))
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
            let wrong =
                facts
                    .attributions
                    .iter()
                    .filter(|a| a.1 == s)
                    .any(|&(_, _, inc, blamed, _)| {
                        world
                            .get::<Incident>(world.resource::<Incidents>().0[inc])
                            .is_some_and(|i| !i.is_true(blamed))
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

/// Why a decided criterion came out as it did (docs/model.md, "Why").
pub fn explain(
    world: &World,
    region: &Region,
    criterion: &Criterion,
    verdict: Verdict,
    clock: Clock,
) -> Reason {
    let met = verdict == Verdict::Met;
    let at = |tick: u32| hhmm_span(tick * clock.tick_minutes);
    let facts = world.resource::<Facts>();
    let name = |s: usize| region.states[s].name.clone();
    match criterion {
        Criterion::DetectWithin {
            incident,
            by,
            within,
        } => {
            let Some(inc) = incident_of(world, region, incident) else {
                return never_started(incident);
            };
            let deadline = at(inc.start + clock.ticks_for(within.minutes()));
            let state = region.state_of_ref(by).unwrap_or(0);
            match known_since(world, state, inc.ix) {
                Some(t) if met => reason(
                    ReasonCode::Met,
                    format!("known at {} (deadline {deadline})", at(t)),
                ),
                Some(t) => reason(
                    ReasonCode::NotDetected,
                    format!("known only at {} (deadline {deadline})", at(t)),
                ),
                None => reason(
                    ReasonCode::NotDetected,
                    format!("{} did not know of the incident by {deadline}", name(state)),
                ),
            }
        }
        Criterion::NotifyWithin {
            incident,
            from,
            to,
            within,
        } => {
            let Some(inc) = incident_of(world, region, incident) else {
                return never_started(incident);
            };
            let from = region.state_of_ref(from).unwrap_or(0);
            let Some(since) = known_since(world, from, inc.ix) else {
                return reason(
                    ReasonCode::NeverKnew,
                    format!("{} never learnt of the incident", name(from)),
                );
            };
            let deadline = since + clock.ticks_for(within.minutes());
            if met {
                return reason(
                    ReasonCode::Met,
                    format!("every notice delivered by {}", at(deadline)),
                );
            }
            let mail = world.resource::<Mailroom>();
            for t in to.iter().filter_map(|t| Recipient::of(region, t)) {
                if t.notified(facts, from, inc.ix, deadline) {
                    continue;
                }
                let notices: Vec<&Message> = mail
                    .0
                    .iter()
                    .filter(|m| {
                        m.from_state == Some(from)
                            && t.is(m.to_state, m.to_org)
                            && m.incident == Some(inc.ix)
                            && matches!(
                                m.kind,
                                MessageKind::Notify
                                    | MessageKind::ShareEvidence
                                    | MessageKind::RegionalCoordination
                            )
                    })
                    .collect();
                let to_name = t.name(region);
                return notice_reason(region, &notices, from, &to_name, since, deadline, clock);
            }
            reason(ReasonCode::NotSent, "no notice in time".into())
        }
        Criterion::AcknowledgeWithin {
            contacts, within, ..
        } => {
            let window = AckWindow::new(clock, region, criterion);
            let listed = listed_contacts(region, contacts);
            let mail = world.resource::<Mailroom>();
            let late: Vec<String> = listed
                .iter()
                .filter(|&&c| !window.acknowledged(mail, c))
                .map(|&c| {
                    let contact = &region.contacts[c];
                    let got = mail
                        .0
                        .iter()
                        .filter(|m| m.to_contact == c && window.counts(m))
                        .collect::<Vec<_>>();
                    let why = if got.is_empty() {
                        "no message sent"
                    } else if got.iter().all(|m| m.status == MessageStatus::Bounced) {
                        "bounced"
                    } else if got.iter().any(|m| m.acked_at.is_some()) {
                        "late"
                    } else {
                        "never acknowledged"
                    };
                    format!("{} ({why})", contact.id)
                })
                .collect();
            let code = if met {
                ReasonCode::Met
            } else {
                ReasonCode::NotAcknowledged
            };
            let text = if late.is_empty() {
                format!(
                    "every listed contact acknowledged within {}",
                    span_text(within.minutes())
                )
            } else {
                format!(
                    "{} of {} contacts acknowledged in time; not: {}",
                    listed.len() - late.len(),
                    listed.len(),
                    late.join(", ")
                )
            };
            reason(code, text)
        }
        Criterion::EvidenceBeforeAttribution { state } => {
            let s = region.state_of_ref(state).unwrap_or(0);
            let first = facts.attributions.iter().find(|a| a.1 == s);
            match first {
                Some(a) if !met => reason(
                    ReasonCode::AttributedFirst,
                    format!(
                        "{} blamed {} publicly at {} before sharing any evidence abroad",
                        name(s),
                        region.candidate_name(a.3),
                        at(a.0)
                    ),
                ),
                Some(_) => reason(ReasonCode::Met, "evidence shared abroad first".into()),
                None => reason(ReasonCode::Met, "no public attribution".into()),
            }
        }
        Criterion::NoWrongfulAttribution { state } => {
            let s = region.state_of_ref(state).unwrap_or(0);
            let wrong = facts.attributions.iter().find(|a| {
                a.1 == s
                    && world
                        .get::<Incident>(world.resource::<Incidents>().0[a.2])
                        .is_some_and(|i| !i.is_true(a.3))
            });
            match wrong {
                Some(&(tick, _, inc, blamed, belief)) => {
                    let incident = world
                        .get::<Incident>(world.resource::<Incidents>().0[inc])
                        .map(|i| (i.id.clone(), i.responsible));
                    let (id, truth) = incident.unwrap_or_default();
                    reason(
                        ReasonCode::Wrongful,
                        format!(
                            "publicly blamed {} at {} (belief {:.0}%)",
                            region.candidate_name(blamed),
                            at(tick),
                            belief * 100.0,
                        ),
                    )
                    .with_detail(format!(
                        "{id} was the work of {}",
                        region.candidate_name(truth)
                    ))
                }
                None => reason(ReasonCode::Met, "no wrongful public attribution".into()),
            }
        }
        Criterion::PeakRungAtMost { between, rung } => {
            let pairs: Vec<(usize, usize)> = match between {
                Some((a, b)) => match (region.state_of_ref(a), region.state_of_ref(b)) {
                    (Some(a), Some(b)) => vec![(a.min(b), a.max(b))],
                    _ => Vec::new(),
                },
                None => (0..region.n_states())
                    .flat_map(|a| ((a + 1)..region.n_states()).map(move |b| (a, b)))
                    .collect(),
            };
            let log = world.resource::<EventLog>();
            let crossing = log.0.iter().find_map(|e| match &e.kind {
                super::event::EventKind::RungChanged {
                    a, b, to, cause, ..
                } if to > rung && pairs.contains(&(*a.min(b), *a.max(b))) => {
                    Some((e.tick, *a, *b, *to, cause.clone()))
                }
                _ => None,
            });
            match crossing {
                Some((tick, a, b, to, cause)) => reason(
                    ReasonCode::RungExceeded,
                    format!(
                        "{}–{} reached {} at {}: {}",
                        name(a),
                        name(b),
                        super::view::rung_name(to),
                        at(tick),
                        super::view::cause_text(world, &cause, Some(super::view::PUBLIC))
                    ),
                )
                .with_detail(format!(
                    "in full: {}",
                    super::view::cause_text(world, &cause, None)
                )),
                None => reason(
                    ReasonCode::Met,
                    format!(
                        "never went above the rung \"{}\"",
                        super::view::rung_name(*rung)
                    ),
                ),
            }
        }
        Criterion::DowntimeBelow {
            sector,
            state,
            hours,
        } => {
            let s = state.as_ref().and_then(|s| region.state_of_ref(s));
            let assets: Vec<(usize, f64)> = region
                .assets
                .iter()
                .enumerate()
                .filter(|(_, a)| {
                    sector.is_none_or(|x| a.sector == x) && s.is_none_or(|x| a.state == x)
                })
                .map(|(i, _)| (i, facts.downtime_h[i]))
                .collect();
            let total: f64 = assets.iter().map(|a| a.1).sum();
            let worst = assets
                .iter()
                .copied()
                .fold(None::<(usize, f64)>, |b, a| match b {
                    Some(x) if x.1 >= a.1 => Some(x),
                    _ => Some(a),
                });
            let largest = worst.map_or(String::new(), |(i, h)| {
                format!("; most at {} ({h:.1} h)", region.assets[i].name)
            });
            if met {
                reason(
                    ReasonCode::Met,
                    format!("{total:.1} sector-hours, bound {hours}{largest}"),
                )
            } else {
                reason(
                    ReasonCode::DowntimeExceeded,
                    format!("{total:.1} sector-hours, over the bound of {hours}{largest}"),
                )
            }
        }
    }
}

/// Why notices from `from` did not reach `to` in time: the first notice's largest delay.
fn notice_reason(
    region: &Region,
    notices: &[&Message],
    from: usize,
    to_name: &str,
    since: u32,
    deadline: u32,
    clock: Clock,
) -> Reason {
    let mins = |ticks: u32| ticks * clock.tick_minutes;
    let at = |tick: u32| hhmm_span(mins(tick));
    let Some(first) = notices.iter().find(|m| m.status != MessageStatus::Bounced) else {
        return match notices.first() {
            Some(m) => reason(
                ReasonCode::Bounced,
                format!(
                    "the notice to {to_name} bounced at {} ({})",
                    region.contacts[m.to_contact].id,
                    match m.bounce {
                        Some(Bounce::LineDown) => "line down",
                        _ => "stale contact",
                    }
                ),
            ),
            None => reason(
                ReasonCode::NotSent,
                format!("{} sent no notice to {to_name}", region.states[from].name),
            ),
        };
    };
    if first.sent > deadline {
        return reason(
            ReasonCode::SentLate,
            format!(
                "the notice to {to_name} was sent only at {}, {} after {} learnt of it",
                at(first.sent),
                span_text(mins(first.sent - since)),
                region.states[from].name
            ),
        );
    }
    let end = |t: Option<u32>| t.unwrap_or(clock.tick);
    let clearance = first.clear_at.saturating_sub(first.sent);
    let transit = first.arrive_at.saturating_sub(first.clear_at);
    let queued = first
        .queued_at
        .map_or(0, |q| end(first.delivered_at).saturating_sub(q));
    let largest = clearance.max(transit).max(queued);
    if largest == clearance && clearance > 0 {
        reason(
            ReasonCode::HeldForClearance,
            format!(
                "notice to {to_name} held {} for clearance",
                span_text(mins(clearance))
            ),
        )
    } else if largest == queued && queued > 0 {
        reason(
            ReasonCode::OutOfHours,
            format!(
                "notice to {to_name} waited {} for {} to open",
                span_text(mins(queued)),
                region.contacts[first.to_contact].name
            ),
        )
    } else {
        reason(
            ReasonCode::SlowChannel,
            format!(
                "notice to {to_name} took {} in transit ({:?})",
                span_text(mins(transit)),
                first.channel
            ),
        )
    }
}
