//! Objectives (system 11): each criterion is decided live, met or failed as soon as it can
//! be, and the rest at the end of the exercise.

use super::effects::Read;
use super::event::{Audience, EventKind, EventLog};
use super::resolved::{AckWindow, Crit, Recipient, Revisions, Topic};
use super::view::hhmm_span;
use super::world::*;
use crate::scenario::Criterion;
use bevy_ecs::prelude::{Local, Res, ResMut};
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

/// What the objectives system remembers between ticks: the revision each undecided
/// objective was last judged at.
#[derive(Default)]
pub struct ObjectiveWatch {
    judged: Vec<Option<u64>>,
}

/// Evaluates every undecided objective whose facts changed since it was last judged (or
/// whose deadline can pass by time alone), and every one at the end.
#[allow(clippy::too_many_arguments)]
pub(crate) fn evaluate_objectives(
    clock: Res<Clock>,
    region: Res<Region>,
    mail: Res<Mailroom>,
    tensions: Res<Tensions>,
    incidents: Res<Incidents>,
    minds: Res<Minds>,
    pool: Res<EvidencePool>,
    mut facts: ResMut<Facts>,
    mut log: ResMut<EventLog>,
    mut revisions: ResMut<Revisions>,
    mut watch: Local<ObjectiveWatch>,
) {
    let clock = *clock;
    watch.judged.resize(region.objectives.len(), None);
    for (i, criterion) in region.criteria.iter().enumerate() {
        if facts.met[i].is_some() || facts.failed[i].is_some() {
            continue;
        }
        let unchanged =
            watch.judged[i].is_some_and(|at| !revisions.changed_since(criterion.topics(), at));
        if unchanged && !criterion.has_deadline() && !clock.is_over() {
            continue;
        }
        watch.judged[i] = Some(revisions.now());
        let read = Read {
            clock: &clock,
            region: &region,
            facts: &facts,
            mail: &mail,
            tensions: &tensions,
            incidents: &incidents,
            minds: &minds,
            pool: &pool,
        };
        let verdict = judge(read, criterion);
        if verdict == Verdict::Open {
            continue;
        }
        let why = explain(read, &log, i, verdict);
        facts.reasons[i] = Some(why);
        let audience =
            region.objective_states[i].map_or(Audience::Public, |s| Audience::States(vec![s]));
        let kind = if verdict == Verdict::Met {
            facts.met[i] = Some(clock.tick);
            EventKind::ObjectiveMet { objective: i }
        } else {
            facts.failed[i] = Some(clock.tick);
            EventKind::ObjectiveFailed { objective: i }
        };
        revisions.touch(Topic::Objectives);
        log.push(clock.tick, kind, audience);
    }
}

fn incident_of<'a>(read: Read<'a>, region: &Region, inject: &str) -> Option<&'a Incident> {
    let i = region.inject_index(inject)?;
    let ix = *read.facts.incident_of_inject.get(&i)?;
    read.incidents.0.get(ix)
}

fn known_since(read: Read, state: usize, incident: usize) -> Option<u32> {
    read.minds.0[state].known.get(&incident).map(|k| k.since)
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

/// A notice of the incident from the state reached the recipient by the deadline.
fn notified(to: Recipient, facts: &Facts, from: usize, incident: usize, deadline: u32) -> bool {
    facts.notifications.iter().any(|n| {
        n.from_state == from
            && n.incident == incident
            && n.tick <= deadline
            && to.has(n.to_org, n.to_state)
    })
}

fn recipient_name(to: Recipient, region: &Region) -> String {
    match to {
        Recipient::State(s) => region.states[s].name.clone(),
        Recipient::Org(o) => region.orgs[o].name.clone(),
    }
}

impl AckWindow {
    /// The message is one the objective counts.
    fn counts(&self, m: &Message) -> bool {
        m.from_state.is_some()
            && m.sent >= self.from
            && self.until.is_none_or(|u| m.sent < u)
            && (self.kinds.is_empty() || self.kinds.contains(&m.kind))
            && self.sender.is_none_or(|s| {
                m.from_org
                    .zip(m.from_state)
                    .is_some_and(|(o, st)| s.has(o, st))
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
pub(crate) fn judge(read: Read, criterion: &Crit) -> Verdict {
    let clock = read.clock;
    let at_end = clock.is_over();
    let facts = read.facts;
    let decide = |met: bool, failed: bool| {
        if met {
            Verdict::Met
        } else if failed || at_end {
            Verdict::Failed
        } else {
            Verdict::Open
        }
    };
    // Decided missed as soon as it is broken, met if it holds to the end.
    let held_to_end = |broken: bool| {
        if broken {
            Verdict::Failed
        } else if at_end {
            Verdict::Met
        } else {
            Verdict::Open
        }
    };
    let incident_of = |inject: usize| facts.incident_of_inject.get(&inject).copied();
    match criterion {
        Crit::DetectWithin {
            inject,
            state,
            within_minutes,
        } => {
            let Some(inc) = incident_of(*inject) else {
                return decide(false, false);
            };
            let deadline = read.incidents.0[inc].start + clock.ticks_for(*within_minutes);
            let since = known_since(read, *state, inc);
            decide(since.is_some_and(|t| t <= deadline), clock.tick > deadline)
        }
        Crit::NotifyWithin {
            inject,
            from,
            to,
            within_minutes,
        } => {
            let Some(inc) = incident_of(*inject) else {
                return decide(false, false);
            };
            let Some(since) = known_since(read, *from, inc) else {
                return decide(false, false);
            };
            let deadline = since + clock.ticks_for(*within_minutes);
            let all = to.iter().all(|&t| notified(t, facts, *from, inc, deadline));
            decide(all, clock.tick > deadline)
        }
        Crit::AcknowledgeWithin {
            listed,
            share,
            window,
        } => {
            let in_time = listed
                .iter()
                .filter(|&&c| window.acknowledged(read.mail, c))
                .count();
            decide(
                !listed.is_empty() && in_time as f64 >= share * listed.len() as f64,
                false,
            )
        }
        Crit::EvidenceBeforeAttribution { state } => {
            let s = *state;
            let first_attribution = facts
                .attributions
                .iter()
                .filter(|a| a.1 == s)
                .map(|a| a.0)
                .min();
            let orgs = &read.region.orgs;
            let first_share = facts
                .shared
                .iter()
                .filter(|(from, to, _)| orgs[*from].state == s && orgs[*to].state != s)
                .map(|x| x.2)
                .min();
            held_to_end(first_attribution.is_some_and(|a| first_share.is_none_or(|sh| sh > a)))
        }
        Crit::NoWrongfulAttribution { state } => held_to_end(
            facts
                .attributions
                .iter()
                .filter(|a| a.1 == *state)
                .any(|&(_, _, inc, blamed, _)| !read.incidents.0[inc].is_true(blamed)),
        ),
        Crit::PeakRungAtMost { pair, rung } => {
            let t = read.tensions;
            held_to_end(match pair {
                Some(p) => t.peak[*p] > *rung,
                None => t.peak.iter().any(|p| p > rung),
            })
        }
        Crit::DowntimeBelow { assets, hours } => {
            let total: f64 = assets.iter().map(|&i| facts.downtime_h[i]).sum();
            held_to_end(total > *hours)
        }
        Crit::Unresolved => decide(false, false),
    }
}

/// Why a decided criterion came out as it did (docs/model.md, "Why").
fn explain(read: Read, log: &EventLog, objective: usize, verdict: Verdict) -> Reason {
    let region = read.region;
    let clock = *read.clock;
    let criterion = &region.objectives[objective].criterion;
    let met = verdict == Verdict::Met;
    let at = |tick: u32| hhmm_span(tick * clock.tick_minutes);
    let facts = read.facts;
    let name = |s: usize| region.states[s].name.clone();
    match criterion {
        Criterion::DetectWithin {
            incident,
            by,
            within,
        } => {
            let Some(inc) = incident_of(read, region, incident) else {
                return never_started(incident);
            };
            let deadline = at(inc.start + clock.ticks_for(within.minutes()));
            let state = region.state_of_ref(by).unwrap_or(0);
            match known_since(read, state, inc.ix) {
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
            within,
            ..
        } => {
            let Some(inc) = incident_of(read, region, incident) else {
                return never_started(incident);
            };
            let from = region.state_of_ref(from).unwrap_or(0);
            let Some(since) = known_since(read, from, inc.ix) else {
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
            let mail = read.mail;
            let recipients = match &region.criteria[objective] {
                Crit::NotifyWithin { to, .. } => to.as_slice(),
                _ => &[],
            };
            for &t in recipients {
                if notified(t, facts, from, inc.ix, deadline) {
                    continue;
                }
                let notices: Vec<&Message> = mail
                    .0
                    .iter()
                    .filter(|m| {
                        m.from_state == Some(from)
                            && t.has(m.to_org, m.to_state)
                            && m.incident == Some(inc.ix)
                            && matches!(
                                m.kind,
                                MessageKind::Notify
                                    | MessageKind::ShareEvidence
                                    | MessageKind::RegionalCoordination
                            )
                    })
                    .collect();
                let to_name = recipient_name(t, region);
                return notice_reason(region, &notices, from, &to_name, since, deadline, clock);
            }
            reason(ReasonCode::NotSent, "no notice in time".into())
        }
        Criterion::AcknowledgeWithin {
            contacts, within, ..
        } => {
            let Crit::AcknowledgeWithin { window, .. } = &region.criteria[objective] else {
                return reason(ReasonCode::NotAcknowledged, "an id names nothing".into());
            };
            let listed = listed_contacts(region, contacts);
            let mail = read.mail;
            let late: Vec<String> = listed
                .iter()
                .filter(|&&c| !window.acknowledged(mail, c))
                .map(|&c| {
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
                    format!("{} ({why})", region.contact_label(c))
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
            let wrong = facts
                .attributions
                .iter()
                .find(|a| a.1 == s && read.incidents.0.get(a.2).is_some_and(|i| !i.is_true(a.3)));
            match wrong {
                Some(&(tick, _, inc, blamed, belief)) => {
                    let incident = read
                        .incidents
                        .0
                        .get(inc)
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
                        super::view::cause_text_in(read, &cause, Some(super::view::PUBLIC))
                    ),
                )
                .with_detail(format!(
                    "in full: {}",
                    super::view::cause_text_in(read, &cause, None)
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
                    region.contact_label(m.to_contact),
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
