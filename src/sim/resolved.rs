//! Conditions and criteria with every id resolved to an index, once, when the world is built.
//!
//! The scenario's [`Condition`]s and [`Criterion`]s name things by id. The tick loop never
//! compares those strings: [`Cond::resolve`] and [`Crit::resolve`] turn them into indices
//! when the region is built, and say which facts each one reads ([`Topics`]) so that it is
//! decided again only when one of them changed ([`Revisions`]).
//!
//! An id that resolves to nothing (a scenario that skipped `check`) becomes
//! [`Cond::Unresolved`] (never holds) or [`Crit::Unresolved`] (never met): never index 0.

use super::world::{MessageKind, Ref, RegionData};
use crate::scenario::{Condition, Criterion, Rung};
use bevy_ecs::prelude::Resource;

/// The kinds of fact conditions and objectives read, as bits of a [`Topics`] mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// An inject fired.
    Injects,
    /// A state learnt of an incident.
    Known,
    /// Evidence was shared between organisations.
    Shared,
    /// An objective was decided.
    Objectives,
    /// An incident was contained.
    Contained,
    /// A public attribution was made.
    Attributions,
    /// A state's belief about an incident changed.
    Beliefs,
    /// A message was acknowledged or bounced.
    Mail,
    /// A tension H(a→b) changed.
    Tension,
    /// A pair changed rung (or reached a new peak).
    Rungs,
    /// An asset accumulated downtime.
    Downtime,
    /// A notice of an incident reached its recipient.
    Notices,
}

const TOPICS: usize = Topic::Notices as usize + 1;

/// A set of topics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Topics(u16);

impl Topics {
    pub const NONE: Topics = Topics(0);

    pub fn of(topics: &[Topic]) -> Topics {
        Topics(topics.iter().fold(0, |m, t| m | 1 << *t as u16))
    }

    fn with(self, other: Topics) -> Topics {
        Topics(self.0 | other.0)
    }
}

/// When each topic last changed, on a counter that every change advances: whatever read its
/// facts at revision `r` needs deciding again only if one of its topics changed after `r`.
#[derive(Resource, Debug, Default)]
pub struct Revisions {
    now: u64,
    last: [u64; TOPICS],
}

impl Revisions {
    /// Records a change of `topic`.
    pub fn touch(&mut self, topic: Topic) {
        self.now += 1;
        self.last[topic as usize] = self.now;
    }

    /// The current revision.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Whether any of `topics` changed after revision `at`.
    pub fn changed_since(&self, topics: Topics, at: u64) -> bool {
        // Nothing at all changed since `at`: the common case, one comparison.
        if self.now <= at {
            return false;
        }
        let mut bits = topics.0;
        while bits != 0 {
            let t = bits.trailing_zeros() as usize;
            if self.last[t] > at {
                return true;
            }
            bits &= bits - 1;
        }
        false
    }
}

/// A party of a condition or criterion: one organisation, or any organisation of a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Org(usize),
    State(usize),
}

impl Party {
    fn resolve(region: &RegionData, id: &str) -> Option<Party> {
        match region.ids.get(id)? {
            Ref::Org(o) => Some(Party::Org(*o)),
            Ref::State(s) => Some(Party::State(*s)),
            _ => None,
        }
    }

    /// Whether organisation `org` (of state `state`) is this party.
    pub fn has(self, org: usize, state: usize) -> bool {
        match self {
            Party::Org(o) => o == org,
            Party::State(s) => s == state,
        }
    }
}

/// A [`Condition`] with its ids resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    InjectFired(usize),
    /// The incident started by inject `inject` is known to `state`.
    Detected {
        inject: usize,
        state: usize,
    },
    EvidenceShared {
        from: Party,
        to: Party,
    },
    TensionAbove {
        a: usize,
        b: usize,
        value: f64,
    },
    /// Pair index (see `RegionData::pair`) and rung.
    RungReached {
        pair: usize,
        rung: Rung,
    },
    RungAtLeast {
        pair: usize,
        rung: Rung,
    },
    ObjectiveMet(usize),
    ObjectiveFailed(usize),
    Contained(usize),
    Attributed {
        state: usize,
        inject: usize,
        /// None: any candidate; Some(None): a blame that names no candidate (never holds).
        blame: Option<Option<usize>>,
        public: bool,
    },
    MessageAcknowledged {
        from: Party,
        to: Party,
    },
    MessageBounced {
        from: Party,
        to: Party,
    },
    /// An id that names nothing of the right kind: never holds.
    Unresolved,
}

impl Cond {
    pub fn resolve(region: &RegionData, c: &Condition) -> Cond {
        Cond::try_resolve(region, c).unwrap_or(Cond::Unresolved)
    }

    fn try_resolve(region: &RegionData, c: &Condition) -> Option<Cond> {
        let inject = |id: &str| match region.ids.get(id) {
            Some(Ref::Inject(i)) => Some(*i),
            _ => None,
        };
        let objective = |id: &str| match region.ids.get(id) {
            Some(Ref::Objective(o)) => Some(*o),
            _ => None,
        };
        let pair = |a: &str, b: &str| Some((region.state_of_ref(a)?, region.state_of_ref(b)?));
        let all = |items: &[Condition]| items.iter().map(|c| Cond::resolve(region, c)).collect();
        Some(match c {
            Condition::All(items) => Cond::All(all(items)),
            Condition::Any(items) => Cond::Any(all(items)),
            Condition::Not(inner) => Cond::Not(Box::new(Cond::resolve(region, inner))),
            Condition::InjectFired(id) => Cond::InjectFired(inject(id)?),
            Condition::Detected { incident, by } => Cond::Detected {
                inject: inject(incident)?,
                state: region.state_of_ref(by)?,
            },
            Condition::EvidenceShared { from, to } => Cond::EvidenceShared {
                from: Party::resolve(region, from)?,
                to: Party::resolve(region, to)?,
            },
            Condition::TensionAbove { between, value } => {
                let (a, b) = pair(&between.0, &between.1)?;
                Cond::TensionAbove {
                    a,
                    b,
                    value: *value,
                }
            }
            Condition::RungReached { between, rung } => {
                let (a, b) = pair(&between.0, &between.1)?;
                Cond::RungReached {
                    pair: region.pair(a, b),
                    rung: *rung,
                }
            }
            Condition::RungAtLeast { between, rung } => {
                let (a, b) = pair(&between.0, &between.1)?;
                Cond::RungAtLeast {
                    pair: region.pair(a, b),
                    rung: *rung,
                }
            }
            Condition::ObjectiveMet(id) => Cond::ObjectiveMet(objective(id)?),
            Condition::ObjectiveFailed(id) => Cond::ObjectiveFailed(objective(id)?),
            Condition::Contained(id) => Cond::Contained(inject(id)?),
            Condition::Attributed {
                by,
                incident,
                blame,
                public,
            } => Cond::Attributed {
                state: region.state_of_ref(by)?,
                inject: inject(incident)?,
                blame: blame.as_deref().map(|b| region.candidate_by_id(b)),
                public: *public,
            },
            Condition::MessageAcknowledged { from, to } => Cond::MessageAcknowledged {
                from: Party::resolve(region, from)?,
                to: Party::resolve(region, to)?,
            },
            Condition::MessageBounced { from, to } => Cond::MessageBounced {
                from: Party::resolve(region, from)?,
                to: Party::resolve(region, to)?,
            },
        })
    }

    /// The topics whose facts this condition reads.
    pub fn topics(&self) -> Topics {
        use Topic::*;
        match self {
            Cond::All(items) | Cond::Any(items) => {
                items.iter().fold(Topics::NONE, |m, c| m.with(c.topics()))
            }
            Cond::Not(inner) => inner.topics(),
            Cond::InjectFired(_) => Topics::of(&[Injects]),
            // Whether an incident exists changes only when an inject fires.
            Cond::Detected { .. } => Topics::of(&[Injects, Known]),
            Cond::EvidenceShared { .. } => Topics::of(&[Shared]),
            Cond::TensionAbove { .. } => Topics::of(&[Tension]),
            Cond::RungReached { .. } | Cond::RungAtLeast { .. } => Topics::of(&[Rungs]),
            Cond::ObjectiveMet(_) | Cond::ObjectiveFailed(_) => Topics::of(&[Objectives]),
            Cond::Contained(_) => Topics::of(&[Injects, Contained]),
            Cond::Attributed { public: true, .. } => Topics::of(&[Injects, Attributions]),
            Cond::Attributed { public: false, .. } => Topics::of(&[Injects, Beliefs]),
            Cond::MessageAcknowledged { .. } | Cond::MessageBounced { .. } => Topics::of(&[Mail]),
            Cond::Unresolved => Topics::NONE,
        }
    }
}

/// A recipient of a `NotifyWithin`: a state (any of its organisations) or one organisation.
pub type Recipient = Party;

/// A [`Criterion`] with its ids resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum Crit {
    DetectWithin {
        inject: usize,
        state: usize,
        within_minutes: u32,
    },
    NotifyWithin {
        inject: usize,
        from: usize,
        to: Vec<Recipient>,
        within_minutes: u32,
    },
    AcknowledgeWithin {
        /// The contacts that must acknowledge.
        listed: Vec<usize>,
        share: f64,
        window: AckWindow,
    },
    EvidenceBeforeAttribution {
        state: usize,
    },
    NoWrongfulAttribution {
        state: usize,
    },
    PeakRungAtMost {
        /// One pair (its index), or every pair.
        pair: Option<usize>,
        rung: Rung,
    },
    DowntimeBelow {
        assets: Vec<usize>,
        hours: f64,
    },
    /// An id that names nothing of the right kind: never met (missed at the end).
    Unresolved,
}

/// Which messages an `AcknowledgeWithin` counts (sent from tick `from` on, before `until`,
/// by `sender` and of `kinds` when given; never exercise control's) and how soon they must be
/// acknowledged.
#[derive(Debug, Clone, PartialEq)]
pub struct AckWindow {
    pub from: u32,
    pub until: Option<u32>,
    /// The organisations whose messages count (none: every organisation's).
    pub sender: Option<Party>,
    /// The kinds of message that count (empty: every kind).
    pub kinds: Vec<MessageKind>,
    pub limit: u32,
}

impl Crit {
    pub fn resolve(region: &RegionData, c: &Criterion, tick_minutes: u32) -> Crit {
        Crit::try_resolve(region, c, tick_minutes.max(1)).unwrap_or(Crit::Unresolved)
    }

    fn try_resolve(region: &RegionData, c: &Criterion, tick_minutes: u32) -> Option<Crit> {
        let inject = |id: &str| match region.ids.get(id) {
            Some(Ref::Inject(i)) => Some(*i),
            _ => None,
        };
        Some(match c {
            Criterion::DetectWithin {
                incident,
                by,
                within,
            } => Crit::DetectWithin {
                inject: inject(incident)?,
                state: region.state_of_ref(by)?,
                within_minutes: within.minutes(),
            },
            Criterion::NotifyWithin {
                incident,
                from,
                to,
                within,
            } => Crit::NotifyWithin {
                inject: inject(incident)?,
                from: region.state_of_ref(from)?,
                // A recipient that names nothing is left out, as it always was.
                to: to
                    .iter()
                    .filter_map(|t| Party::resolve(region, t))
                    .collect(),
                within_minutes: within.minutes(),
            },
            Criterion::AcknowledgeWithin {
                contacts,
                within,
                share,
                after,
                before,
                from,
                kinds,
            } => Crit::AcknowledgeWithin {
                listed: if contacts.is_empty() {
                    (0..region.contacts.len()).collect()
                } else {
                    contacts
                        .iter()
                        .filter_map(|c| match region.ids.get(c) {
                            Some(Ref::Contact(c)) => Some(*c),
                            _ => None,
                        })
                        .collect()
                },
                share: *share,
                window: AckWindow {
                    from: after.map_or(0, |a| a.minutes().div_ceil(tick_minutes)),
                    until: before.map(|b| b.minutes().div_ceil(tick_minutes)),
                    sender: match from {
                        Some(id) => Some(Party::resolve(region, id)?),
                        None => None,
                    },
                    kinds: kinds.clone(),
                    limit: within.minutes().div_ceil(tick_minutes).max(1),
                },
            },
            Criterion::EvidenceBeforeAttribution { state } => Crit::EvidenceBeforeAttribution {
                state: region.state_of_ref(state)?,
            },
            Criterion::NoWrongfulAttribution { state } => Crit::NoWrongfulAttribution {
                state: region.state_of_ref(state)?,
            },
            Criterion::PeakRungAtMost { between, rung } => Crit::PeakRungAtMost {
                pair: match between {
                    Some((a, b)) => {
                        let (a, b) = (region.state_of_ref(a)?, region.state_of_ref(b)?);
                        Some(region.pair(a, b))
                    }
                    None => None,
                },
                rung: *rung,
            },
            Criterion::DowntimeBelow {
                sector,
                state,
                hours,
            } => {
                let s = match state {
                    Some(s) => Some(region.state_of_ref(s)?),
                    None => None,
                };
                Crit::DowntimeBelow {
                    assets: (0..region.assets.len())
                        .filter(|&i| {
                            let a = &region.assets[i];
                            sector.is_none_or(|x| a.sector == x) && s.is_none_or(|x| a.state == x)
                        })
                        .collect(),
                    hours: *hours,
                }
            }
        })
    }

    /// The topics whose facts this criterion reads (besides the clock: see
    /// [`Crit::has_deadline`]).
    pub fn topics(&self) -> Topics {
        use Topic::*;
        match self {
            Crit::DetectWithin { .. } => Topics::of(&[Injects, Known]),
            Crit::NotifyWithin { .. } => Topics::of(&[Injects, Known, Notices]),
            Crit::AcknowledgeWithin { .. } => Topics::of(&[Mail]),
            Crit::EvidenceBeforeAttribution { .. } => Topics::of(&[Shared, Attributions]),
            Crit::NoWrongfulAttribution { .. } => Topics::of(&[Attributions]),
            Crit::PeakRungAtMost { .. } => Topics::of(&[Rungs]),
            Crit::DowntimeBelow { .. } => Topics::of(&[Downtime]),
            Crit::Unresolved => Topics::NONE,
        }
    }

    /// Whether the verdict can change by time alone (a deadline passing), so that it is
    /// decided again every tick.
    pub fn has_deadline(&self) -> bool {
        matches!(self, Crit::DetectWithin { .. } | Crit::NotifyWithin { .. })
    }
}
