//! Components and resources: what the simulated region is made of.
//!
//! Static facts from the scenario live in the [`Region`] resource, indexed by position
//! (`usize` "ix" values in scenario order). Entities carry the dynamic parts: a state's mind
//! (what it knows and believes), an asset's inoperability, a contact's status, an incident's
//! progress. Append-only records (messages, evidence, events) live in ordered resources so
//! they keep a stable id and order without sorting every tick.

use crate::scenario::{
    ActorKind, Cbm, Channel, EvidenceKind, Hours, Id, Inject, Objective, OrgKind, Posture, Rung,
    Sector, Valid, Vector,
};
use bevy_ecs::prelude::{Component, Entity, Resource};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The one random generator of a run: portable, seeded, drawn from in a fixed order.
#[derive(Resource)]
pub struct SimRng(pub ChaCha8Rng);

/// Simulated time.
#[derive(Resource, Debug, Clone, Copy)]
pub struct Clock {
    /// Ticks run so far.
    pub tick: u32,
    pub tick_minutes: u32,
    /// The tick at which the exercise ends.
    pub end_tick: u32,
    /// Minutes of the UTC day at the start (0..1440) and weekday (0 = Monday).
    pub start_minute_of_day: u32,
    pub start_weekday: u32,
}

impl Clock {
    /// Minutes since the start.
    pub fn minutes(&self) -> u32 {
        self.tick * self.tick_minutes
    }

    pub fn is_over(&self) -> bool {
        self.tick >= self.end_tick
    }

    /// Ticks needed to cover `minutes` (at least one).
    pub fn ticks_for(&self, minutes: u32) -> u32 {
        minutes.div_ceil(self.tick_minutes).max(1)
    }

    /// Local (minute of day, weekday) at tick `tick` for a UTC offset in minutes.
    pub fn local_at(&self, tick: u32, offset_minutes: i32) -> (u32, u32) {
        let total = i64::from(self.start_weekday) * 1440
            + i64::from(self.start_minute_of_day)
            + i64::from(tick * self.tick_minutes)
            + i64::from(offset_minutes);
        let total = total.rem_euclid(7 * 1440);
        ((total % 1440) as u32, (total / 1440) as u32)
    }
}

/// Whether a contact with these hours is staffed at a local minute of day and weekday.
pub fn staffed(hours: Hours, minute_of_day: u32, weekday: u32) -> bool {
    match hours.window() {
        None => true,
        Some((from, to, weekdays_only)) => {
            if weekdays_only && weekday >= 5 {
                return false;
            }
            let (from, to) = (u32::from(from) * 60, u32::from(to) * 60);
            if from < to {
                (from..to).contains(&minute_of_day)
            } else {
                minute_of_day >= from || minute_of_day < to
            }
        }
    }
}

/// A state, as the scenario defines it.
#[derive(Debug, Clone)]
pub struct StateDef {
    pub id: Id,
    pub name: String,
    pub offset_minutes: i32,
    pub posture: Posture,
    pub government_control: f64,
    pub red_line_sectors: Vec<Sector>,
    pub red_line_safe_zone: bool,
    pub red_line_assets: Vec<usize>,
    pub orgs: Vec<usize>,
    pub cert: Option<usize>,
    pub ministry: Option<usize>,
    /// The organisation whose analysts judge evidence for the state: its national CERT, or
    /// without one its most capable analysing organisation.
    pub analyst: Option<usize>,
    pub team: Option<usize>,
}

/// An organisation's capacity, resolved (unset values take the default for its kind).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrgCapacity {
    pub detect: f64,
    pub analyse: f64,
    pub respond: f64,
}

#[derive(Debug, Clone)]
pub struct OrgDef {
    pub id: Id,
    pub name: String,
    pub state: usize,
    pub kind: OrgKind,
    pub capacity: OrgCapacity,
    pub watches: Vec<usize>,
    pub contacts: Vec<usize>,
    pub team: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct AssetDef {
    pub id: Id,
    pub name: String,
    pub state: usize,
    pub sector: Sector,
    pub operator: usize,
    pub criticality: f64,
    pub resilience: f64,
    pub depends_on: Vec<(usize, f64)>,
    pub safe_zone: bool,
}

#[derive(Debug, Clone)]
pub struct ContactDef {
    pub id: Id,
    pub org: usize,
    pub state: usize,
    pub name: String,
    pub channel: Channel,
    pub address: String,
    pub hours: Hours,
    pub ack_delay: (u32, u32),
}

#[derive(Debug, Clone)]
pub struct ActorDef {
    pub id: Id,
    pub name: String,
    pub kind: ActorKind,
    pub sponsor: Option<usize>,
    pub skill: f64,
    pub false_flag: Option<usize>,
    /// The name it is publicly known by.
    pub known_as: String,
    /// Its candidate index in beliefs when it is a non-state group.
    pub group: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct TeamDef {
    pub id: Id,
    pub name: String,
    pub state: usize,
    pub orgs: Vec<usize>,
    /// What only this team is told at the start.
    pub brief: String,
}

/// Everything static about the region, shared cheaply between systems and views.
#[derive(Resource, Debug, Clone)]
pub struct Region(pub Arc<RegionData>);

impl std::ops::Deref for Region {
    type Target = RegionData;
    fn deref(&self) -> &RegionData {
        &self.0
    }
}

impl Region {
    pub fn from_scenario(s: &Valid) -> Region {
        Region(Arc::new(RegionData::from_scenario(s)))
    }
}

/// Everything static about the region, resolved to indices.
#[derive(Debug, Clone)]
pub struct RegionData {
    pub scenario_id: Id,
    pub title: String,
    /// What every player is told at the start.
    pub briefing: String,
    pub start: String,
    pub states: Vec<StateDef>,
    pub orgs: Vec<OrgDef>,
    pub assets: Vec<AssetDef>,
    pub contacts: Vec<ContactDef>,
    pub actors: Vec<ActorDef>,
    pub teams: Vec<TeamDef>,
    pub injects: Vec<Inject>,
    pub objectives: Vec<Objective>,
    /// Baseline tension H0 per unordered pair (index with [`Region::pair`]).
    pub baseline: Vec<f64>,
    pub cbms: Vec<Vec<Cbm>>,
    /// Actor indices of the named non-state groups, in scenario order: candidates n..n+g.
    pub groups: Vec<usize>,
    /// Organisations watching each asset, in index order.
    pub watchers: Vec<Vec<usize>>,
    /// The regional bodies, in index order.
    pub regional_bodies: Vec<usize>,
    /// Per asset: the other states whose assets depend on it (exposed when it is attacked),
    /// in index order.
    pub exposed: Vec<Vec<usize>>,
    /// Per inject: its condition with the ids resolved.
    pub conditions: Vec<Option<super::resolved::Cond>>,
    /// Per objective: its criterion with the ids resolved.
    pub criteria: Vec<super::resolved::Crit>,
    /// Per objective: the state of the team it is set for (none: the whole exercise's).
    pub objective_states: Vec<Option<usize>>,
    pub ids: BTreeMap<Id, Ref>,
}

/// What an id refers to, with its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ref {
    State(usize),
    Org(usize),
    Asset(usize),
    Contact(usize),
    Actor(usize),
    Team(usize),
    Inject(usize),
    Objective(usize),
}

impl RegionData {
    /// Index of an unordered pair of distinct states.
    pub fn pair(&self, a: usize, b: usize) -> usize {
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        lo * self.states.len() + hi
    }

    pub fn n_states(&self) -> usize {
        self.states.len()
    }

    /// Candidate index for "an unknown non-state actor" in beliefs (states are 0..n, the
    /// named groups n..n+g).
    pub fn non_state(&self) -> usize {
        self.states.len() + self.groups.len()
    }

    /// Number of candidates in a belief: states, named groups, an unknown non-state actor.
    pub fn n_candidates(&self) -> usize {
        self.non_state() + 1
    }

    /// Whether a candidate is a non-state one (a named group or the unknown one).
    pub fn is_non_state(&self, c: usize) -> bool {
        c >= self.states.len()
    }

    /// The actor a candidate index names, if it is a named group.
    pub fn group_actor(&self, c: usize) -> Option<usize> {
        c.checked_sub(self.states.len())
            .and_then(|g| self.groups.get(g).copied())
    }

    /// The candidate a scenario's `Candidate` names (unknown ids: the unknown non-state one;
    /// `check` rejects them).
    pub fn candidate_of(&self, c: &crate::scenario::Candidate) -> usize {
        use crate::scenario::Candidate;
        match c {
            Candidate::State(s) => self.state_of_ref(s).unwrap_or(self.non_state()),
            Candidate::Group(g) => match self.ids.get(g.as_str()) {
                Some(Ref::Actor(a)) => self.actors[*a].group.unwrap_or(self.non_state()),
                _ => self.non_state(),
            },
            Candidate::NonState => self.non_state(),
        }
    }

    /// The states an id names: a state itself, or the state of an organisation.
    pub fn state_of_ref(&self, id: &str) -> Option<usize> {
        match self.ids.get(id)? {
            Ref::State(s) => Some(*s),
            Ref::Org(o) => Some(self.orgs[*o].state),
            _ => None,
        }
    }

    /// A point of contact as a person reads it: its name at its organisation.
    pub fn contact_label(&self, c: usize) -> String {
        let contact = &self.contacts[c];
        format!("{} at {}", contact.name, self.orgs[contact.org].name)
    }

    /// Display name of a candidate.
    pub fn candidate_name(&self, c: usize) -> &str {
        if let Some(s) = self.states.get(c) {
            return &s.name;
        }
        match self.group_actor(c) {
            Some(a) => &self.actors[a].known_as,
            None => "an unknown non-state actor",
        }
    }

    pub fn candidate_id(&self, c: usize) -> &str {
        if let Some(s) = self.states.get(c) {
            return &s.id;
        }
        match self.group_actor(c) {
            Some(a) => &self.actors[a].id,
            None => "non-state",
        }
    }

    /// The candidate an id names: a state id, a group's actor id, or `non-state`.
    pub fn candidate_by_id(&self, id: &str) -> Option<usize> {
        if id == "non-state" {
            return Some(self.non_state());
        }
        match self.ids.get(id)? {
            Ref::State(s) => Some(*s),
            Ref::Actor(a) => self.actors[*a].group,
            _ => None,
        }
    }

    /// The first contact of an organisation that is not known to be stale at the start.
    pub fn contact_of(&self, org: usize) -> Option<usize> {
        self.orgs[org].contacts.first().copied()
    }

    pub fn inject_index(&self, id: &str) -> Option<usize> {
        match self.ids.get(id)? {
            Ref::Inject(i) => Some(*i),
            _ => None,
        }
    }

    /// Built from a checked scenario.
    /// Resolves every id of a checked scenario to its index. Validation has made sure each
    /// one names a thing of the right kind, so the fallbacks below are never taken (a debug
    /// build says so if one is).
    pub fn from_scenario(s: &Valid) -> RegionData {
        let mut ids = BTreeMap::new();
        for (i, x) in s.states.iter().enumerate() {
            ids.insert(x.id.clone(), Ref::State(i));
        }
        for (i, x) in s.organisations.iter().enumerate() {
            ids.insert(x.id.clone(), Ref::Org(i));
        }
        for (i, x) in s.assets.iter().enumerate() {
            ids.insert(x.id.clone(), Ref::Asset(i));
        }
        for (i, x) in s.contacts.iter().enumerate() {
            ids.insert(x.id.clone(), Ref::Contact(i));
        }
        for (i, x) in s.actors.iter().enumerate() {
            ids.insert(x.id.clone(), Ref::Actor(i));
        }
        for (i, x) in s.teams.iter().enumerate() {
            ids.insert(x.id.clone(), Ref::Team(i));
        }
        for (i, x) in s.injects.iter().enumerate() {
            ids.insert(x.id.clone(), Ref::Inject(i));
        }
        for (i, x) in s.objectives.iter().enumerate() {
            ids.insert(x.id.clone(), Ref::Objective(i));
        }
        let state = |id: &str| match ids.get(id) {
            Some(Ref::State(i)) => *i,
            _ => {
                debug_assert!(false, "a valid scenario has no unknown state `{id}`");
                0
            }
        };
        let org = |id: &str| match ids.get(id) {
            Some(Ref::Org(i)) => *i,
            _ => {
                debug_assert!(false, "a valid scenario has no unknown organisation `{id}`");
                0
            }
        };
        let asset = |id: &str| match ids.get(id) {
            Some(Ref::Asset(i)) => Some(*i),
            _ => None,
        };
        let team_of_org = |o: &str| {
            s.teams
                .iter()
                .position(|t| t.organisations.iter().any(|x| x == o))
        };
        let mut assets: Vec<AssetDef> = s
            .assets
            .iter()
            .map(|a| AssetDef {
                id: a.id.clone(),
                name: a.name.clone(),
                state: state(&a.state),
                sector: a.sector,
                operator: org(&a.operator),
                criticality: a.criticality,
                resilience: a.resilience,
                depends_on: a
                    .depends_on
                    .iter()
                    .filter_map(|d| asset(&d.asset).map(|j| (j, d.weight)))
                    .collect(),
                safe_zone: a.safe_zone,
            })
            .collect();
        assets
            .iter_mut()
            .for_each(|a| a.depends_on.sort_by_key(|d| d.0));
        let contacts: Vec<ContactDef> = s
            .contacts
            .iter()
            .map(|c| {
                let o = org(&c.organisation);
                ContactDef {
                    id: c.id.clone(),
                    org: o,
                    state: state(&s.organisations[o].state),
                    // A contact the scenario leaves unnamed is shown by its id (as the
                    // report does), never as an empty name.
                    name: if c.name.is_empty() {
                        c.id.clone()
                    } else {
                        c.name.clone()
                    },
                    channel: c.channel,
                    address: c.address.clone(),
                    hours: c.hours,
                    ack_delay: c.ack_delay,
                }
            })
            .collect();
        let orgs: Vec<OrgDef> = s
            .organisations
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let st = state(&o.state);
                let mut watches: BTreeSet<usize> =
                    o.watches.iter().filter_map(|a| asset(a)).collect();
                for (j, a) in assets.iter().enumerate() {
                    let own_cert = o.kind == OrgKind::NationalCert && a.state == st;
                    if own_cert || a.operator == i {
                        watches.insert(j);
                    }
                }
                let (detect, analyse, respond) = super::constants::default_capacity(o.kind);
                OrgDef {
                    id: o.id.clone(),
                    name: o.name.clone(),
                    state: st,
                    kind: o.kind,
                    capacity: OrgCapacity {
                        detect: o.capacity.detect.unwrap_or(detect),
                        analyse: o.capacity.analyse.unwrap_or(analyse),
                        respond: o.capacity.respond.unwrap_or(respond),
                    },
                    watches: watches.into_iter().collect(),
                    contacts: contacts
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| c.org == i)
                        .map(|(k, _)| k)
                        .collect(),
                    team: team_of_org(&o.id),
                }
            })
            .collect();
        let states: Vec<StateDef> = s
            .states
            .iter()
            .enumerate()
            .map(|(i, st)| {
                let mine: Vec<usize> = (0..orgs.len()).filter(|&o| orgs[o].state == i).collect();
                let first_of = |kind: OrgKind| mine.iter().copied().find(|&o| orgs[o].kind == kind);
                let mut sectors = Vec::new();
                let mut safe = false;
                let mut red_assets = Vec::new();
                for line in &st.red_lines {
                    match line {
                        crate::scenario::RedLine::Sector(sec) => sectors.push(*sec),
                        crate::scenario::RedLine::SafeZone => safe = true,
                        crate::scenario::RedLine::Asset(a) => red_assets.extend(asset(a)),
                    }
                }
                StateDef {
                    id: st.id.clone(),
                    name: st.name.clone(),
                    offset_minutes: (st.utc_offset * 60.0).round() as i32,
                    posture: st.posture,
                    government_control: st.government_control,
                    red_line_sectors: sectors,
                    red_line_safe_zone: safe,
                    red_line_assets: red_assets,
                    cert: first_of(OrgKind::NationalCert),
                    ministry: first_of(OrgKind::ForeignMinistry),
                    analyst: first_of(OrgKind::NationalCert).or_else(|| {
                        mine.iter()
                            .copied()
                            .fold(None, |best: Option<usize>, o| match best {
                                Some(b) if orgs[b].capacity.analyse >= orgs[o].capacity.analyse => {
                                    Some(b)
                                }
                                _ => Some(o),
                            })
                    }),
                    team: s.teams.iter().position(|t| t.state == st.id),
                    orgs: mine,
                }
            })
            .collect();
        let n = states.len();
        let mut baseline = vec![0.1; n * n];
        let mut cbms = vec![Vec::new(); n * n];
        for r in &s.relations {
            let (a, b) = (state(&r.between.0), state(&r.between.1));
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            baseline[lo * n + hi] = r.tension;
            cbms[lo * n + hi] = r.cbms.clone();
        }
        let watchers = (0..assets.len())
            .map(|a| {
                (0..orgs.len())
                    .filter(|&o| orgs[o].watches.contains(&a))
                    .collect()
            })
            .collect();
        let n_states = s.states.len();
        let mut groups = Vec::new();
        let actors: Vec<ActorDef> = s
            .actors
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let group = (a.kind != ActorKind::StateUnit).then(|| {
                    groups.push(i);
                    n_states + groups.len() - 1
                });
                ActorDef {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    kind: a.kind,
                    sponsor: a.sponsor.as_deref().map(state),
                    skill: a.skill,
                    false_flag: a.false_flag.as_deref().map(state),
                    known_as: a.known_as.clone().unwrap_or_else(|| a.name.clone()),
                    group,
                }
            })
            .collect();
        let exposed = (0..assets.len())
            .map(|t| {
                let victim = assets[t].state;
                let mut states: Vec<usize> = assets
                    .iter()
                    .filter(|a| a.state != victim && a.depends_on.iter().any(|d| d.0 == t))
                    .map(|a| a.state)
                    .collect();
                states.sort_unstable();
                states.dedup();
                states
            })
            .collect();
        let objective_states = s
            .objectives
            .iter()
            .map(|o| match o.team.as_deref().and_then(|t| ids.get(t)) {
                Some(Ref::Team(t)) => Some(state(&s.teams[*t].state)),
                _ => None,
            })
            .collect();
        let regional_bodies = (0..orgs.len())
            .filter(|&o| orgs[o].kind == OrgKind::RegionalBody)
            .collect();
        let mut region = RegionData {
            regional_bodies,
            exposed,
            objective_states,
            conditions: Vec::new(),
            criteria: Vec::new(),
            watchers,
            groups,
            scenario_id: s.meta.id.clone(),
            title: s.meta.title.clone(),
            briefing: s.meta.briefing.clone(),
            start: s.clock.start.clone(),
            teams: s
                .teams
                .iter()
                .map(|t| TeamDef {
                    id: t.id.clone(),
                    brief: t.brief.clone(),
                    name: t.name.clone(),
                    state: state(&t.state),
                    orgs: t.organisations.iter().map(|o| org(o)).collect(),
                })
                .collect(),
            actors,
            injects: s.injects.clone(),
            objectives: s.objectives.clone(),
            states,
            orgs,
            assets,
            contacts,
            baseline,
            cbms,
            ids,
        };
        region.conditions = s
            .injects
            .iter()
            .map(|i| {
                i.when
                    .as_ref()
                    .map(|c| super::resolved::Cond::resolve(&region, c))
            })
            .collect();
        region.criteria = s
            .objectives
            .iter()
            .map(|o| super::resolved::Crit::resolve(&region, &o.criterion, s.clock.tick_minutes))
            .collect();
        region
    }
}

/// What every state knows and believes, by state index.
///
/// A resource rather than one component per state entity: the systems read one state's mind
/// while writing another's (a sender's verdicts while the receiver judges), and always by
/// state index; a vector gives both without entity look-ups.
#[derive(Resource, Debug, Default)]
pub struct Minds(pub Vec<Mind>);

/// What a state knows and believes. Within a state, organisations share at once.
#[derive(Debug, Clone, Default)]
pub struct Mind {
    pub posture: Option<Posture>,
    /// Incidents the state knows of, with how it learnt.
    pub known: BTreeMap<usize, Known>,
    /// Evidence items held, with the state's judgement of each. Add items with
    /// [`Mind::hold`], which keeps `held_on` in step.
    pub evidence: BTreeMap<usize, Held>,
    /// Per incident: the ids of the items held on it, ascending (what the doctrine and the
    /// sharing of evidence read, without walking every item of every incident).
    pub held_on: BTreeMap<usize, Vec<usize>>,
    /// Belief over candidates (states, named groups, an unknown non-state actor) per known
    /// incident.
    pub beliefs: BTreeMap<usize, Belief>,
    /// Evidence items that arrived since the beliefs were last computed, per incident (the
    /// cause of the next change).
    pub arrived: BTreeMap<usize, Vec<usize>>,
    /// (evidence, sender) pairs this state has received: the sender holds the item (it is
    /// never sent back), and its "planted" verdict has been weighed once.
    pub reviewed: BTreeSet<(usize, usize)>,
    /// Incidents whose evidence changed since the beliefs were last computed.
    pub dirty: BTreeSet<usize>,
    /// Actors whose campaign this state has been warned about.
    pub warned: BTreeSet<usize>,
    /// Public accusations this state has made: (incident, blamed candidate).
    pub accused: BTreeSet<(usize, usize)>,
    /// Alert level 0..=3 raised by the state.
    pub alert: u8,
    /// Notices this state's engine-played CERT sent, per (incident, recipient state): the
    /// messages (a bounced one is retried through another contact).
    pub notices: BTreeMap<(usize, usize), Vec<usize>>,
    /// Evidence items sent to each organisation, per incident (never sent twice).
    pub sent_items: BTreeMap<(usize, usize), BTreeSet<usize>>,
    /// Bumped whenever `sent_items` may have grown: equal counts mean nothing was sent.
    pub sent_revision: u64,
    /// Bumped whenever `known` changes (an incident learnt of, or detected after being
    /// told), so that the doctrine can tell "nothing new" in one comparison.
    pub known_revision: u64,
    /// Bumped whenever this state's `beliefs` are worked out again.
    pub belief_revision: u64,
    pub asked_assistance: BTreeSet<usize>,
    /// Incidents this state's engine-played regional body convened coordination on.
    pub convened: BTreeSet<usize>,
    pub assisted_by: BTreeMap<usize, usize>,
    /// Since when the engine-played ministry's belief in a candidate for an incident has been
    /// at or above its blame threshold: (incident, candidate) → tick.
    pub confident_since: BTreeMap<(usize, usize), u32>,
    /// When the engine last took a diplomatic step of a kind towards a state.
    pub steps: BTreeMap<(Step, usize), u32>,
}

impl Mind {
    /// Holds an evidence item on `incident`, or changes how it is held; returns how it was
    /// held before.
    pub fn hold(&mut self, incident: usize, id: usize, held: Held) -> Option<Held> {
        let before = self.evidence.insert(id, held);
        if before.is_none() {
            let ids = self.held_on.entry(incident).or_default();
            let at = ids.partition_point(|&x| x < id);
            ids.insert(at, id);
        }
        before
    }

    /// The ids of the items held on `incident`, ascending.
    pub fn held_on(&self, incident: usize) -> &[usize] {
        self.held_on.get(&incident).map_or(&[], Vec::as_slice)
    }
}

/// Diplomatic steps the doctrine remembers, so it does not repeat them every tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Demarche,
    Consultation,
    Hotline,
    Retaliation,
    Restraint,
}

/// A state's belief about who did one incident.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Belief {
    /// Probability per candidate (0 for the state itself and the victim).
    pub p: Vec<f64>,
    /// The prior it started from.
    pub prior: Vec<f64>,
    /// The evidence has lifted some candidate to SUSPECT_LIFT × its prior: the state has a
    /// suspect. Until then nothing is shown or scored.
    pub formed: bool,
    /// Logged changes of the top suspect, oldest first.
    pub changes: Vec<BeliefChange>,
}

impl Belief {
    /// The top suspect and its probability, once the state has one.
    pub fn top(&self) -> Option<(usize, f64)> {
        if !self.formed {
            return None;
        }
        self.p
            .iter()
            .copied()
            .enumerate()
            .fold(None, |best, (j, p)| match best {
                Some((_, bp)) if bp >= p => best,
                _ => Some((j, p)),
            })
    }

    /// What the state acts on: its belief once it has a suspect, the prior before.
    pub fn effective(&self, j: usize) -> f64 {
        if self.formed {
            self.p[j]
        } else {
            self.prior[j]
        }
    }
}

/// One logged change of a belief, with its cause.
#[derive(Debug, Clone, PartialEq)]
pub struct BeliefChange {
    pub tick: u32,
    pub top: Option<(usize, f64)>,
    /// The evidence items that arrived and moved it.
    pub evidence: Vec<usize>,
}

/// How a state learnt of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    pub since: u32,
    /// Detected by one of its own organisations (which one), or told by another state.
    pub detected_by: Option<usize>,
    pub told_by: Option<usize>,
}

/// A held evidence item and the state's judgement of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub since: u32,
    /// Recognised as planted, so left out of the belief.
    pub discounted: bool,
    /// Received from this state (None: found by itself, public, or from exercise control).
    pub from: Option<usize>,
    /// The message it came with, if any.
    pub message: Option<usize>,
}

/// Inoperability q in [0,1] (DIIM).
#[derive(Component, Debug, Clone, Copy, Default)]
pub struct Inoperability(pub f64);

/// What pushes an asset's inoperability up this tick.
#[derive(Component, Debug, Clone, Copy, Default)]
pub struct Forcing {
    pub attack: f64,
    pub isolated: bool,
}

/// A contact's live status.
#[derive(Component, Debug, Clone, Default)]
pub struct ContactStatus {
    pub stale: bool,
    /// States that have learnt (by a bounce) that it is stale.
    pub known_stale_by: BTreeSet<usize>,
    pub last_response: Option<u32>,
}

/// An incident: an attack on an asset, its progress and its truth.
#[derive(Debug, Clone)]
pub struct Incident {
    pub ix: usize,
    pub id: Id,
    /// The inject that started it (none for a retaliation the engine created).
    pub inject: Option<usize>,
    pub actor: Option<usize>,
    pub target: usize,
    pub victim: usize,
    /// The candidate responsible: the sponsor state, else the group itself, else the unknown
    /// non-state actor.
    pub responsible: usize,
    /// The group that carried it out, when it is a named non-state group (blaming it is not
    /// wrong, though it may not be the whole truth).
    pub group: Option<usize>,
    pub vector: Vector,
    pub severity: f64,
    pub skill: f64,
    pub false_flag: Option<usize>,
    pub start: u32,
    pub ends: u32,
    pub phase: Phase,
    pub detected_at: Option<u32>,
    pub contained_at: Option<u32>,
    pub recovered_at: Option<u32>,
    /// Another state took down infrastructure used in it (at the victim's request).
    pub taken_down: bool,
    /// The evidence items it left, by id (in the order they entered the pool).
    pub evidence: Vec<usize>,
}

impl Incident {
    /// Whether blaming this candidate is right: the responsible party, or the group that
    /// carried it out.
    pub fn is_true(&self, candidate: usize) -> bool {
        candidate == self.responsible || self.group == Some(candidate)
    }
}

/// The life of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Phase {
    Latent,
    Detected,
    Contained,
    Recovered,
}

/// Every incident, by index, in creation order (a resource: incidents are looked up by
/// index everywhere, and created in the middle of the commands that start them).
#[derive(Resource, Debug, Default)]
pub struct Incidents(pub Vec<Incident>);

/// Entities by index, built once.
#[derive(Resource, Debug, Default)]
pub struct Entities {
    pub assets: Vec<Entity>,
    pub contacts: Vec<Entity>,
}

/// One trace an incident left, true or planted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvidenceItem {
    pub id: usize,
    pub incident: usize,
    /// Candidate it points at (the unknown non-state candidate: any non-state actor).
    pub points_to: usize,
    pub kind: EvidenceKind,
    pub reliability: f64,
    pub planted: bool,
    /// Known to every state that knows of the incident, without analysis (claims, news).
    pub public: bool,
    /// Tick from which it can be found.
    pub available: u32,
}

/// All evidence in the world, by id.
#[derive(Resource, Debug, Default)]
pub struct EvidencePool(pub Vec<EvidenceItem>);

/// Traffic-light protocol sharing level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Tlp {
    Clear,
    Green,
    Amber,
    Red,
}

/// What a message is for (part of the scenario format: objectives can count by kind).
pub use crate::scenario::MessageKind;

/// Where a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MessageStatus {
    AwaitingClearance,
    InTransit,
    /// Arrived; the recipient is out of hours.
    Queued,
    Delivered,
    Acknowledged,
    Bounced,
}

impl MessageStatus {
    /// The message reached its recipient (delivered, and perhaps acknowledged).
    pub fn reached_recipient(self) -> bool {
        matches!(self, MessageStatus::Delivered | MessageStatus::Acknowledged)
    }
}

/// A message between points of contact.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Message {
    pub id: usize,
    /// Sending organisation (none: exercise control).
    pub from_org: Option<usize>,
    pub from_state: Option<usize>,
    /// Display name of the sender when it is exercise control.
    pub from_label: String,
    pub to_contact: usize,
    pub to_org: usize,
    pub to_state: usize,
    pub channel: Channel,
    pub kind: MessageKind,
    pub incident: Option<usize>,
    pub evidence: Vec<usize>,
    pub tlp: Tlp,
    pub subject: String,
    pub text: String,
    pub sent: u32,
    pub status: MessageStatus,
    pub needed_clearance: bool,
    pub clear_at: u32,
    pub arrive_at: u32,
    pub delivered_at: Option<u32>,
    pub ack_due: Option<u32>,
    pub acked_at: Option<u32>,
    pub bounced_at: Option<u32>,
    /// Why it bounced.
    pub bounce: Option<Bounce>,
    /// When it first waited for the recipient's desk to open.
    pub queued_at: Option<u32>,
    /// The recipient is an engine player and acknowledges by itself.
    pub auto_ack: bool,
}

/// A notice of an incident (a notification, shared evidence, regional coordination) that
/// reached its recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notification {
    pub tick: u32,
    pub from_state: usize,
    pub to_state: usize,
    pub to_org: usize,
    pub incident: usize,
}

/// Why a message bounced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Bounce {
    /// The contact is stale.
    Stale,
    /// The hotline circuit is down.
    LineDown,
}

/// All messages ever sent, by id.
#[derive(Resource, Debug, Default)]
pub struct Mailroom(pub Vec<Message>);

/// Tensions between states: directed H(a→b), current and peak rung per pair.
#[derive(Resource, Debug, Clone)]
pub struct Tensions {
    pub n: usize,
    /// H[a * n + b] = H(a→b).
    pub h: Vec<f64>,
    /// Baseline H0 per ordered pair (the scenario's relation tension).
    pub h0: Vec<f64>,
    pub rung: Vec<Rung>,
    pub peak: Vec<Rung>,
    /// Tick at which each pair last changed rung (none: never).
    pub since: Vec<Option<u32>>,
    pub hotline: Vec<bool>,
    pub hotline_up: Vec<bool>,
    /// Impulses on each pair since its last rung change (the candidates for "why").
    pub ledger: Vec<Vec<Impulse>>,
    /// Net change from reaction and relaxation on each pair since its last rung change.
    pub drift: Vec<f64>,
    /// Recent de-escalating acts: (tick, key, kind), for diminishing returns.
    pub reliefs: Vec<(u32, usize, super::event::Act)>,
}

/// One push on a pair's hostility, with its cause.
#[derive(Debug, Clone, PartialEq)]
pub struct Impulse {
    pub tick: u32,
    pub delta: f64,
    pub cause: super::event::Cause,
}

impl Tensions {
    pub fn get(&self, a: usize, b: usize) -> f64 {
        self.h[a * self.n + b]
    }

    /// Changes H(a→b) by `delta` (clamped to [0,1]) without recording a cause (the drift).
    pub fn add(&mut self, a: usize, b: usize, delta: f64) {
        if a != b {
            let v = &mut self.h[a * self.n + b];
            *v = (*v + delta).clamp(0.0, 1.0);
        }
    }

    /// Changes H(a→b) by `delta` and records why, for the pair's next rung change.
    pub fn push(&mut self, a: usize, b: usize, delta: f64, tick: u32, cause: super::event::Cause) {
        if a == b {
            return;
        }
        let before = self.get(a, b);
        self.add(a, b, delta);
        let applied = self.get(a, b) - before;
        if applied != 0.0 {
            let p = self.pair(a, b);
            self.ledger[p].push(Impulse {
                tick,
                delta: applied,
                cause,
            });
        }
    }

    /// Lowers H(a→b) by `w`, never below its baseline.
    pub fn relieve(&mut self, a: usize, b: usize, w: f64, tick: u32, cause: super::event::Cause) {
        if a == b {
            return;
        }
        let room = (self.get(a, b) - self.h0[a * self.n + b]).max(0.0);
        self.push(a, b, -w.min(room), tick, cause);
    }

    /// The effect of the n-th de-escalating act of `kind` under `key` within the window:
    /// w / n. Records this act.
    pub fn diminished(
        &mut self,
        w: f64,
        key: usize,
        kind: super::event::Act,
        tick: u32,
        window_ticks: u32,
    ) -> f64 {
        self.reliefs.retain(|&(t, _, _)| t + window_ticks > tick);
        let n = 1 + self
            .reliefs
            .iter()
            .filter(|&&(_, k, a)| k == key && a == kind)
            .count();
        self.reliefs.push((tick, key, kind));
        w / n as f64
    }

    /// max(H(a→b), H(b→a)).
    pub fn level(&self, a: usize, b: usize) -> f64 {
        self.get(a, b).max(self.get(b, a))
    }

    pub fn pair(&self, a: usize, b: usize) -> usize {
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        lo * self.n + hi
    }
}

/// Facts conditions and objectives look at.
#[derive(Resource, Debug, Default)]
pub struct Facts {
    pub fired: Vec<Option<u32>>,
    /// Injects the facilitator skipped or delayed (to this tick).
    pub skipped: BTreeSet<usize>,
    pub delayed: BTreeMap<usize, u32>,
    pub fire_now: BTreeSet<usize>,
    /// Incident index by the id of the inject that created it.
    pub incident_of_inject: BTreeMap<usize, usize>,
    /// (from org, to org, tick) of evidence shared.
    pub shared: Vec<(usize, usize, u32)>,
    /// Objectives: met at tick / failed at tick, and why.
    pub met: Vec<Option<u32>>,
    pub failed: Vec<Option<u32>>,
    pub reasons: Vec<Option<super::objectives::Reason>>,
    /// Public attributions: (tick, by state, incident, blamed candidate, belief).
    pub attributions: Vec<(u32, usize, usize, usize, f64)>,
    /// Notices of incidents delivered.
    pub notifications: Vec<Notification>,
    /// Public news: (tick, headline, body).
    pub news: Vec<(u32, String, String)>,
    /// Downtime per asset, in hours of full inoperability.
    pub downtime_h: Vec<f64>,
    /// Highest inoperability each asset has reached.
    pub peak_q: Vec<f64>,
    /// Retaliatory operations: (tick, by state, against state, incident).
    pub retaliations: Vec<(u32, usize, usize, usize)>,
}

/// Which teams people play; the engine's doctrine plays everything else.
#[derive(Resource, Debug, Clone)]
pub struct Players {
    /// Per team (scenario order): played by a person.
    pub human: Vec<bool>,
}

impl Players {
    /// True when the engine plays this organisation.
    pub fn engine_plays(&self, region: &Region, org: usize) -> bool {
        region.orgs[org]
            .team
            .is_none_or(|t| !self.human.get(t).copied().unwrap_or(false))
    }

    /// True when the engine plays this state (no person plays a team of it).
    pub fn engine_plays_state(&self, region: &Region, state: usize) -> bool {
        !region
            .teams
            .iter()
            .enumerate()
            .any(|(t, team)| team.state == state && self.human.get(t).copied().unwrap_or(false))
    }
}

/// Whether two states have agreed a confidence-building measure.
pub fn has_cbm(region: &Region, a: usize, b: usize, cbm: Cbm) -> bool {
    a != b && region.cbms[region.pair(a, b)].contains(&cbm)
}
