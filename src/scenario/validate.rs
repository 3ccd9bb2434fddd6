//! Semantic checks on a parsed scenario: ids, references, ranges, reachability.
//!
//! Every problem is collected (not only the first) and named by the path of the value it is
//! about, which [`Locations`] turns into a position in the source.

use super::diagnostic::{Diagnostic, a, suggest};
use super::locate::Locations;
use super::types::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::{self, Display};

/// What an id names; ids are unique across the whole scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IdKind {
    State,
    Organisation,
    Asset,
    Contact,
    Actor,
    Team,
    Inject,
    Objective,
}

impl IdKind {
    fn noun(self) -> &'static str {
        match self {
            IdKind::State => "state",
            IdKind::Organisation => "organisation",
            IdKind::Asset => "asset",
            IdKind::Contact => "contact",
            IdKind::Actor => "actor",
            IdKind::Team => "team",
            IdKind::Inject => "inject",
            IdKind::Objective => "objective",
        }
    }
}

/// Checks `scenario`; returns every error and warning found.
pub fn validate(scenario: &Scenario, locations: &Locations) -> Vec<Diagnostic> {
    let mut checker = Checker {
        s: scenario,
        at: locations,
        ids: HashMap::new(),
        by: Index::of(scenario),
        out: Vec::new(),
    };
    checker.collect_ids();
    for (i, todo) in scenario.meta.todo.iter().enumerate() {
        checker
            .warn(
                &format!(".meta.todo[{i}]"),
                "scenario::todo",
                format!("to complete: {todo}"),
                "left to do",
            )
            .help = Some("do it, then remove the line from `meta.todo`".into());
    }
    checker.clock();
    checker.states();
    checker.organisations();
    checker.assets();
    checker.contacts();
    checker.actors();
    checker.relations();
    checker.teams();
    checker.injects();
    checker.objectives();
    checker.reachability();
    checker.inject_cycles();
    checker.certs_per_state();
    checker.out
}

struct Checker<'a> {
    s: &'a Scenario,
    at: &'a Locations<'a>,
    ids: HashMap<&'a str, IdKind>,
    by: Index<'a>,
    out: Vec<Diagnostic>,
}

/// What the checks look up, gathered in one pass over the scenario so no check scans a whole
/// list per item. Where ids are duplicated (an error of its own), the first item wins.
#[derive(Default)]
struct Index<'a> {
    /// The state of each asset.
    asset_state: HashMap<&'a str, &'a str>,
    /// Each organisation by id.
    organisation: HashMap<&'a str, &'a Organisation>,
    /// The national CERTs of each state, in order.
    certs: HashMap<&'a str, Vec<usize>>,
    /// The indices of each organisation's contacts, in order.
    contacts_of: HashMap<&'a str, Vec<usize>>,
    /// Per contact id: how many contacts have it, and how many of those are not stale.
    contact_count: HashMap<&'a str, (usize, usize)>,
    /// The organisation of each contact, by contact id.
    contact_org: HashMap<&'a str, &'a str>,
    /// Organisations with a contact that is not stale.
    live_contact: HashSet<&'a str>,
    /// Contacts an inject restores.
    restored: HashSet<&'a str>,
    /// Ids of `Incident` injects.
    incidents: HashSet<&'a str>,
    /// The target asset of each `Incident` inject, by its id.
    incident_target: HashMap<&'a str, &'a str>,
    /// The earliest `at` of an `Incident` inject, if any has one.
    first_incident: Option<Span>,
    /// Regional bodies, in order.
    bodies: Vec<usize>,
    /// The team that plays each organisation (the first, where two do).
    team_of: HashMap<&'a str, &'a str>,
    /// Actors some incident uses.
    attacking: HashSet<&'a str>,
    /// Pairs of states with a hotline, in order.
    hotlines: HashSet<(&'a str, &'a str)>,
    /// Sectors, states and (sector, state) pairs that have an asset.
    sectors: HashSet<Sector>,
    asset_states: HashSet<&'a str>,
    sector_states: HashSet<(Sector, &'a str)>,
}

impl<'a> Index<'a> {
    fn of(s: &'a Scenario) -> Index<'a> {
        let mut by = Index::default();
        for asset in &s.assets {
            by.asset_state
                .entry(&asset.id)
                .or_insert(asset.state.as_str());
            by.sectors.insert(asset.sector);
            by.asset_states.insert(&asset.state);
            by.sector_states.insert((asset.sector, &asset.state));
        }
        for (i, org) in s.organisations.iter().enumerate() {
            by.organisation.entry(&org.id).or_insert(org);
            if org.kind == OrgKind::NationalCert {
                by.certs.entry(&org.state).or_default().push(i);
            }
            if org.kind == OrgKind::RegionalBody {
                by.bodies.push(i);
            }
        }
        for team in &s.teams {
            for org in &team.organisations {
                by.team_of.entry(org).or_insert(&team.id);
            }
        }
        for (i, contact) in s.contacts.iter().enumerate() {
            by.contacts_of
                .entry(&contact.organisation)
                .or_default()
                .push(i);
            by.contact_org
                .entry(&contact.id)
                .or_insert(&contact.organisation);
            let count = by.contact_count.entry(&contact.id).or_default();
            count.0 += 1;
            if !contact.stale {
                count.1 += 1;
                by.live_contact.insert(&contact.organisation);
            }
        }
        for inject in &s.injects {
            match &inject.kind {
                InjectKind::Incident { actor, target, .. } => {
                    by.incidents.insert(&inject.id);
                    by.incident_target.entry(&inject.id).or_insert(target);
                    by.attacking.insert(actor);
                    if let Some(at) = inject.at {
                        by.first_incident = Some(by.first_incident.map_or(at, |f| f.min(at)));
                    }
                }
                InjectKind::World(WorldChange::ContactRestored(c)) => {
                    by.restored.insert(c);
                }
                _ => {}
            }
        }
        for relation in &s.relations {
            if relation.hotline {
                by.hotlines
                    .insert(ordered_ref(&relation.between.0, &relation.between.1));
            }
        }
        by
    }
}

impl<'a> Checker<'a> {
    fn error(
        &mut self,
        path: &dyn Display,
        code: &'static str,
        message: String,
        label: &str,
    ) -> &mut Diagnostic {
        let diagnostic = Diagnostic::error(code, message).at(self.at.get(&path.to_string()), label);
        self.out.push(diagnostic);
        self.out.last_mut().expect("just pushed")
    }

    fn warn(
        &mut self,
        path: &dyn Display,
        code: &'static str,
        message: String,
        label: &str,
    ) -> &mut Diagnostic {
        let diagnostic =
            Diagnostic::warning(code, message).at(self.at.get(&path.to_string()), label);
        self.out.push(diagnostic);
        self.out.last_mut().expect("just pushed")
    }

    /// Every id with its kind, the list it is in and its index there.
    fn all_ids(&self) -> impl Iterator<Item = (&'a str, IdKind, &'static str, usize)> + use<'a> {
        let s = self.s;
        let each = |items: Vec<&'a str>, kind: IdKind, list: &'static str| {
            items
                .into_iter()
                .enumerate()
                .map(move |(i, id)| (id, kind, list, i))
        };
        each(
            s.states.iter().map(|x| x.id.as_str()).collect(),
            IdKind::State,
            "states",
        )
        .chain(each(
            s.organisations.iter().map(|x| x.id.as_str()).collect(),
            IdKind::Organisation,
            "organisations",
        ))
        .chain(each(
            s.assets.iter().map(|x| x.id.as_str()).collect(),
            IdKind::Asset,
            "assets",
        ))
        .chain(each(
            s.contacts.iter().map(|x| x.id.as_str()).collect(),
            IdKind::Contact,
            "contacts",
        ))
        .chain(each(
            s.actors.iter().map(|x| x.id.as_str()).collect(),
            IdKind::Actor,
            "actors",
        ))
        .chain(each(
            s.teams.iter().map(|x| x.id.as_str()).collect(),
            IdKind::Team,
            "teams",
        ))
        .chain(each(
            s.injects.iter().map(|x| x.id.as_str()).collect(),
            IdKind::Inject,
            "injects",
        ))
        .chain(each(
            s.objectives.iter().map(|x| x.id.as_str()).collect(),
            IdKind::Objective,
            "objectives",
        ))
    }

    fn collect_ids(&mut self) {
        let valid = |id: &str| {
            !id.is_empty()
                && id.len() <= 64
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        };
        if !valid(&self.s.meta.id) {
            self.error(
                &".meta.id",
                "scenario::bad-id",
                format!("`{}` is not a valid id", self.s.meta.id),
                "here",
            )
            .help = Some("ids use letters, digits, `-` and `_` (1 to 64 of them)".into());
        }
        let mut first: HashMap<&str, IdKind> = HashMap::new();
        for (id, kind, list, i) in self.all_ids().collect::<Vec<_>>() {
            let path = format_args!(".{list}[{i}].id");
            if !valid(id) {
                self.error(
                    &path,
                    "scenario::bad-id",
                    format!("`{id}` is not a valid id"),
                    "here",
                )
                .help = Some("ids use letters, digits, `-` and `_` (1 to 64 of them)".into());
                continue;
            }
            if let Some(other_kind) = first.get(id) {
                let message = if *other_kind == kind {
                    format!("duplicate {} id `{id}`", kind.noun())
                } else {
                    format!(
                        "id `{id}` is used for {} and {}",
                        a(other_kind.noun()),
                        a(kind.noun())
                    )
                };
                self.error(&path, "scenario::duplicate-id", message, "used again here")
                    .help =
                    Some("ids must be unique across the whole scenario; rename one of them".into());
                continue;
            }
            first.insert(id, kind);
            self.ids.insert(id, kind);
        }
    }

    /// Checks that `id` names something of one of the `kinds`; errors with a suggestion if not.
    fn reference(&mut self, path: &dyn Display, id: &str, kinds: &[IdKind]) -> bool {
        if self.ids.get(id).is_some_and(|k| kinds.contains(k)) {
            return true;
        }
        let nouns = kinds
            .iter()
            .map(|k| k.noun())
            .collect::<Vec<_>>()
            .join(" or ");
        let mut candidates: Vec<&str> = self
            .ids
            .iter()
            .filter(|(_, k)| kinds.contains(k))
            .map(|(id, _)| *id)
            .collect();
        // In id order, so the suggestion and the list do not depend on hashing.
        candidates.sort_unstable();
        let message = match self.ids.get(id) {
            Some(actual) => format!("`{id}` is {}, expected {}", a(actual.noun()), a(&nouns)),
            None => format!("unknown {nouns} `{id}`"),
        };
        let help = match suggest(id, candidates.iter().copied()) {
            Some(s) => Some(format!("did you mean `{s}`?")),
            None if candidates.is_empty() => Some(format!("the scenario defines no {nouns}")),
            None if candidates.len() <= 8 => Some(format!(
                "known: {}",
                candidates
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            None => None,
        };
        self.error(
            path,
            "scenario::unknown-id",
            message,
            &format!("no such {nouns}"),
        )
        .help = help;
        false
    }

    fn unit(&mut self, path: &dyn Display, value: f64, what: &str) {
        if !(0.0..=1.0).contains(&value) {
            self.error(
                path,
                "scenario::out-of-range",
                format!("{what} must be between 0 and 1, found {value}"),
                "out of range",
            )
            .help = Some(format!("use a value from 0.0 to 1.0 for {what}"));
        }
    }

    fn within_exercise(&mut self, path: &dyn Display, span: Span, what: &str) {
        let duration = self.s.clock.duration;
        if span > duration {
            self.error(
                path,
                "scenario::after-end",
                format!("{what} {span} is after the end of the exercise ({duration})"),
                "after the end",
            )
            .help = Some(format!(
                "use a time up to {duration}, or lengthen `clock.duration`"
            ));
        }
    }

    fn clock(&mut self) {
        let clock = &self.s.clock;
        if jiff::civil::DateTime::strptime("%Y-%m-%dT%H:%M", &clock.start).is_err() {
            self.error(
                &".clock.start",
                "scenario::bad-time",
                format!("`{}` is not a start time", clock.start),
                "expected YYYY-MM-DDTHH:MM",
            )
            .help = Some("write the UTC start as \"2026-03-02T08:00\"".into());
        }
        if !(1..=60).contains(&clock.tick_minutes) {
            self.error(
                &".clock.tick_minutes",
                "scenario::out-of-range",
                format!("tick_minutes must be 1 to 60, found {}", clock.tick_minutes),
                "out of range",
            )
            .help = Some("5 minutes suits most exercises".into());
        }
        let minutes = clock.duration.minutes();
        if minutes == 0 || minutes > 30 * 24 * 60 || minutes < clock.tick_minutes {
            self.error(
                &".clock.duration",
                "scenario::out-of-range",
                format!(
                    "duration must be at least one tick and at most 30 days, found {}",
                    clock.duration
                ),
                "out of range",
            );
        }
    }

    fn states(&mut self) {
        if self.s.states.is_empty() {
            self.error(
                &".states",
                "scenario::empty-list",
                "the scenario has no states".into(),
                "empty",
            )
            .help = Some("add at least one state: `(id: \"kelvar\", name: \"Kelvar\")`".into());
        }
        for (i, state) in self.s.states.iter().enumerate() {
            let path = Item("states", i);
            if !(-12.0..=14.0).contains(&state.utc_offset)
                || (state.utc_offset * 4.0).fract() != 0.0
            {
                self.error(
                    &format_args!("{path}.utc_offset"),
                    "scenario::out-of-range",
                    format!(
                        "utc_offset must be a quarter hour from -12 to 14, found {}",
                        state.utc_offset
                    ),
                    "out of range",
                );
            }
            self.unit(
                &format_args!("{path}.government_control"),
                state.government_control,
                "government_control",
            );
            for (j, line) in state.red_lines.iter().enumerate() {
                if let RedLine::Asset(asset) = line {
                    let p = format!("{path}.red_lines[{j}](0)");
                    if self.reference(&p, asset, &[IdKind::Asset]) {
                        let owner = self.by.asset_state.get(asset.as_str()).copied();
                        if owner != Some(state.id.as_str()) {
                            self.warn(
                                &p,
                                "scenario::foreign-red-line",
                                format!("red line on `{asset}`, an asset of another state"),
                                "not an asset of this state",
                            );
                        }
                    }
                }
            }
        }
    }

    fn organisations(&mut self) {
        for (i, org) in self.s.organisations.iter().enumerate() {
            let path = Item("organisations", i);
            self.reference(&format_args!("{path}.state"), &org.state, &[IdKind::State]);
            if let Some(value) = org.capacity.detect {
                self.unit(
                    &format_args!("{path}.capacity.detect"),
                    value,
                    "capacity.detect",
                );
            }
            if let Some(value) = org.capacity.analyse {
                self.unit(
                    &format_args!("{path}.capacity.analyse"),
                    value,
                    "capacity.analyse",
                );
            }
            if let Some(value) = org.capacity.respond {
                self.unit(
                    &format_args!("{path}.capacity.respond"),
                    value,
                    "capacity.respond",
                );
            }
            for (j, asset) in org.watches.iter().enumerate() {
                self.reference(
                    &format_args!("{path}.watches[{j}]"),
                    asset,
                    &[IdKind::Asset],
                );
            }
            if org.kind == OrgKind::NationalCert {
                self.default_capacity(&path, org);
            }
        }
    }

    /// A national CERT's capacity drives detection, analysis and containment for its state,
    /// so leaving part of it to the default for its kind is worth a word.
    fn default_capacity(&mut self, path: &Item, org: &Organisation) {
        let (detect, analyse, respond) = crate::sim::constants::default_capacity(org.kind);
        let fields = [
            ("detect", org.capacity.detect, detect),
            ("analyse", org.capacity.analyse, analyse),
            ("respond", org.capacity.respond, respond),
        ];
        let unset: Vec<(&str, f64)> = fields
            .iter()
            .filter(|(_, value, _)| value.is_none())
            .map(|(name, _, default)| (*name, *default))
            .collect();
        let what = match unset.as_slice() {
            [] => return,
            [_, _, _] => "its capacity".to_string(),
            some => format!(
                "capacity {}",
                some.iter()
                    .map(|(name, _)| *name)
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        };
        let defaults: Vec<String> = unset
            .iter()
            .map(|(name, default)| format!("{name} {default}"))
            .collect();
        let written: Vec<String> = fields
            .iter()
            .map(|(name, value, default)| format!("{name}: {}", value.unwrap_or(*default)))
            .collect();
        let capacity = format!("{path}.capacity");
        let at = if self.at.get(&capacity).is_some() {
            capacity
        } else {
            format!("{path}.kind")
        };
        self.warn(
            &at,
            "scenario::default-capacity",
            format!(
                "national CERT `{}` leaves {what} unset, so it gets the default for a national CERT: {}",
                org.id,
                defaults.join(", ")
            ),
            "default capacity",
        )
        .help = Some(format!(
            "a national CERT's capacity drives its state's detection, analysis and containment; write all three, e.g. `capacity: ({})`, with the values that fit it",
            written.join(", ")
        ));
    }

    fn assets(&mut self) {
        for (i, asset) in self.s.assets.iter().enumerate() {
            let path = Item("assets", i);
            self.reference(
                &format_args!("{path}.state"),
                &asset.state,
                &[IdKind::State],
            );
            self.reference(
                &format_args!("{path}.operator"),
                &asset.operator,
                &[IdKind::Organisation],
            );
            self.unit(
                &format_args!("{path}.criticality"),
                asset.criticality,
                "criticality",
            );
            self.unit(
                &format_args!("{path}.resilience"),
                asset.resilience,
                "resilience",
            );
            let mut seen = BTreeSet::new();
            let mut total = 0.0;
            for (j, dep) in asset.depends_on.iter().enumerate() {
                let p = format!("{path}.depends_on[{j}]");
                if dep.asset == asset.id {
                    self.error(
                        &format_args!("{p}.asset"),
                        "scenario::self-dependency",
                        format!("asset `{}` depends on itself", asset.id),
                        "itself",
                    )
                    .help = Some("remove this dependency".into());
                } else {
                    self.reference(&format_args!("{p}.asset"), &dep.asset, &[IdKind::Asset]);
                }
                if !seen.insert(dep.asset.as_str()) {
                    self.error(
                        &format_args!("{p}.asset"),
                        "scenario::duplicate-dependency",
                        format!("`{}` is listed twice in depends_on", dep.asset),
                        "again",
                    )
                    .help = Some("merge the two into one dependency with the summed weight".into());
                }
                if !(dep.weight > 0.0 && dep.weight <= 1.0) {
                    self.error(
                        &format_args!("{p}.weight"),
                        "scenario::out-of-range",
                        format!(
                            "dependency weight must be above 0 and at most 1, found {}",
                            dep.weight
                        ),
                        "out of range",
                    );
                }
                total += dep.weight;
            }
            if total > 1.0 + 1e-9 {
                self.warn(&format_args!("{path}.depends_on"), "scenario::heavy-dependencies", format!("dependency weights of `{}` add up to {total:.2}, above 1", asset.id), "sum above 1")
                    .help = Some("an asset cannot depend more than fully on others; weights above 1 in total make cascades saturate".into());
            }
        }
    }

    fn contacts(&mut self) {
        for (i, contact) in self.s.contacts.iter().enumerate() {
            let path = Item("contacts", i);
            self.reference(
                &format_args!("{path}.organisation"),
                &contact.organisation,
                &[IdKind::Organisation],
            );
            if let Some((from, to, _)) = contact.hours.window()
                && (from > 23 || to > 24 || to == 0 || from == to)
            {
                self.error(
                    &format_args!("{path}.hours"),
                    "scenario::bad-hours",
                    format!("staffed hours {from}..{to} are not a window of the day"),
                    "here",
                )
                .help = Some(
                    "`from` is an hour 0 to 23, `to` 1 to 24, and they differ (a window may wrap past midnight, e.g. from 22 to 6); use `Always` for a 24/7 desk"
                        .into(),
                );
            }
            let (lo, hi) = contact.ack_delay;
            if lo > hi || hi > 7 * 24 * 60 {
                self.error(
                    &format_args!("{path}.ack_delay"),
                    "scenario::out-of-range",
                    format!(
                        "ack_delay ({lo}, {hi}) must be (min, max) minutes with min ≤ max ≤ 10080"
                    ),
                    "out of range",
                );
            }
        }
    }

    fn actors(&mut self) {
        for (i, actor) in self.s.actors.iter().enumerate() {
            let path = Item("actors", i);
            self.unit(&format_args!("{path}.skill"), actor.skill, "skill");
            if let Some(sponsor) = &actor.sponsor {
                self.reference(&format_args!("{path}.sponsor"), sponsor, &[IdKind::State]);
            } else if matches!(actor.kind, ActorKind::StateUnit | ActorKind::Proxy) {
                self.warn(
                    &format_args!("{path}.kind"),
                    "scenario::no-sponsor",
                    format!(
                        "actor `{}` is {} but has no sponsor",
                        actor.id,
                        a(&format!("{:?}", actor.kind))
                    ),
                    "no sponsor",
                )
                .help = Some(
                    "add `sponsor: \"<state>\"`, or make it `Criminal` or `Hacktivist`".into(),
                );
            }
            if let Some(flag) = &actor.false_flag
                && self.reference(&format_args!("{path}.false_flag"), flag, &[IdKind::State])
                && actor.sponsor.as_ref() == Some(flag)
            {
                self.error(
                    &format_args!("{path}.false_flag"),
                    "scenario::false-flag-sponsor",
                    format!(
                        "actor `{}` plants a false flag against its own sponsor",
                        actor.id
                    ),
                    "same as sponsor",
                );
            }
            if actor.kind != ActorKind::StateUnit
                && actor.sponsor.is_some()
                && actor.known_as.is_none()
            {
                self.warn(
                    &format_args!("{path}.name"),
                    "scenario::name-reveals-sponsor",
                    format!(
                        "actor `{}` has a sponsor but no `known_as`: players see its name `{}` among the suspects",
                        actor.id, actor.name
                    ),
                    "shown to players",
                )
                .help = Some(
                    "add `known_as: \"<the name the public knows>\"`, so the name players see cannot give the sponsor away".into(),
                );
            }
            if !self.by.attacking.contains(actor.id.as_str()) {
                self.warn(
                    &format_args!("{path}.id"),
                    "scenario::unused-actor",
                    format!("actor `{}` is never used by an incident", actor.id),
                    "never used",
                )
                .help = Some("add an `Incident` inject with this actor, or remove it".into());
            }
        }
    }

    fn pair(&mut self, path: &dyn Display, pair: &(Id, Id)) -> bool {
        let a = self.reference(&format_args!("{path}(0)"), &pair.0, &[IdKind::State]);
        let b = self.reference(&format_args!("{path}(1)"), &pair.1, &[IdKind::State]);
        if a && b && pair.0 == pair.1 {
            self.error(
                path,
                "scenario::same-state",
                format!(
                    "a pair of states needs two different states, found `{}` twice",
                    pair.0
                ),
                "same state twice",
            );
            return false;
        }
        a && b
    }

    fn relations(&mut self) {
        let mut seen = BTreeSet::new();
        for (i, relation) in self.s.relations.iter().enumerate() {
            let path = Item("relations", i);
            if self.pair(&format_args!("{path}.between"), &relation.between) {
                let key = ordered(&relation.between);
                if !seen.insert(key) {
                    self.error(
                        &format_args!("{path}.between"),
                        "scenario::duplicate-relation",
                        format!(
                            "relation between `{}` and `{}` is given twice",
                            relation.between.0, relation.between.1
                        ),
                        "again",
                    );
                }
            }
            self.unit(&format_args!("{path}.tension"), relation.tension, "tension");
        }
    }

    fn teams(&mut self) {
        if self.s.teams.is_empty() {
            self.warn(&".teams", "scenario::no-teams", "the scenario defines no teams: the engine plays everyone".into(), "")
                .help = Some("add `teams: [(id: ..., name: ..., state: ..., organisations: [...])]` so people can play".into());
        }
        let mut played: BTreeMap<&str, &str> = BTreeMap::new();
        for (i, team) in self.s.teams.iter().enumerate() {
            let path = Item("teams", i);
            if team.id == super::FACILITATOR {
                self.error(
                    &format_args!("{path}.id"),
                    "scenario::reserved-id",
                    "`facilitator` is the facilitator's login in `cyberdrill serve`, not a team id"
                        .into(),
                    "reserved",
                )
                .help = Some("name the team after its state, e.g. `team-varesh`".into());
            }
            self.reference(&format_args!("{path}.state"), &team.state, &[IdKind::State]);
            if team.organisations.is_empty() {
                self.error(&format_args!("{path}.organisations"), "scenario::empty-list", format!("team `{}` plays no organisation", team.id), "empty")
                    .help = Some("list the organisations this team plays, e.g. its national CERT and foreign ministry".into());
            }
            for (j, org) in team.organisations.iter().enumerate() {
                let p = format!("{path}.organisations[{j}]");
                if !self.reference(&p, org, &[IdKind::Organisation]) {
                    continue;
                }
                if let Some(other) = played.insert(org, &team.id) {
                    self.error(
                        &p,
                        "scenario::org-in-two-teams",
                        format!("organisation `{org}` is played by team `{other}` already"),
                        "second team",
                    );
                }
            }
            let usable = team
                .organisations
                .iter()
                .any(|o| self.by.live_contact.contains(o.as_str()));
            if !team.organisations.is_empty() && !usable {
                self.error(&format_args!("{path}.id"), "scenario::team-without-contact", format!("team `{}` has no contact it can use", team.id), "no usable contact")
                    .help = Some("give one of its organisations a contact that is not stale: messages are sent and received through contacts".into());
            }
        }
    }

    fn injects(&mut self) {
        for (i, inject) in self.s.injects.iter().enumerate() {
            let path = Item("injects", i);
            if let Some(at) = inject.at {
                self.within_exercise(&format_args!("{path}.at"), at, "inject time");
            }
            if inject.at.is_none() && inject.when.is_none() {
                self.error(
                    &format_args!("{path}.id"),
                    "scenario::never-fires",
                    format!("inject `{}` has neither `at` nor `when`", inject.id),
                    "never fires",
                )
                .help =
                    Some("add `at: \"2h\"` (time after the start) or `when: <condition>`".into());
            }
            if let Some(until) = inject.until {
                self.within_exercise(&format_args!("{path}.until"), until, "lapse time");
                if inject.at.is_some_and(|at| until < at) {
                    self.error(
                        &format_args!("{path}.until"),
                        "scenario::never-fires",
                        format!(
                            "inject `{}` lapses at {until} before it may fire at {}",
                            inject.id,
                            inject.at.unwrap_or(until)
                        ),
                        "before `at`",
                    )
                    .help = Some(
                        "`until` is the latest time it may fire: make it later than `at`".into(),
                    );
                }
            }
            if let Some(when) = &inject.when {
                self.condition(&format_args!("{path}.when"), when, Some(&inject.id));
            }
            let kind = Join(&path, ".kind");
            match &inject.kind {
                InjectKind::Incident {
                    actor,
                    target,
                    severity,
                    lasts,
                    evidence,
                    ..
                } => {
                    self.reference(&format_args!("{kind}.actor"), actor, &[IdKind::Actor]);
                    self.reference(&format_args!("{kind}.target"), target, &[IdKind::Asset]);
                    self.unit(&format_args!("{kind}.severity"), *severity, "severity");
                    if lasts.is_some_and(|l| l.minutes() == 0) {
                        self.error(
                            &format_args!("{kind}.lasts"),
                            "scenario::out-of-range",
                            "an incident must last more than 0 minutes".into(),
                            "zero",
                        );
                    }
                    let victim = self.by.asset_state.get(target.as_str()).copied();
                    self.evidence(&kind, evidence, victim.map(|v| (inject.id.as_str(), v)));
                }
                InjectKind::Message {
                    about, evidence, ..
                }
                | InjectKind::News {
                    about, evidence, ..
                } => {
                    if let Some(id) = about {
                        self.incident(&format_args!("{kind}.about"), id);
                    } else if !evidence.is_empty() {
                        self.error(
                            &format_args!("{kind}.evidence"),
                            "scenario::evidence-without-incident",
                            "evidence in a message or news needs the incident it is about".into(),
                            "about which incident?",
                        )
                        .help = Some("add `about: \"<incident inject id>\"`".into());
                    }
                    let victim = about.as_deref().and_then(|id| {
                        let target = self.by.incident_target.get(id)?;
                        Some((id, *self.by.asset_state.get(target)?))
                    });
                    self.evidence(&kind, evidence, victim);
                }
                InjectKind::World(change) => self.world_change(&format_args!("{kind}(0)"), change),
                InjectKind::Question { .. } => {}
            }
            match &inject.kind {
                InjectKind::Message { to, .. } | InjectKind::Question { to, .. } => {
                    if let InjectKind::Message { from, sender, .. } = &inject.kind {
                        match sender {
                            Some(id) => {
                                self.reference(
                                    &format_args!("{kind}.sender"),
                                    id,
                                    &[IdKind::Contact, IdKind::Organisation],
                                );
                            }
                            None if from.trim().is_empty() => {
                                self.error(
                                    &format_args!("{kind}"),
                                    "scenario::missing-field",
                                    "a message needs a sender: `from` (free text) or `sender` (a contact or organisation)".into(),
                                    "from whom?",
                                )
                                .help = Some(
                                    "add `from: \"VCB SOC duty officer\"` or `sender: \"<contact id>\"`"
                                        .into(),
                                );
                            }
                            None => {}
                        }
                    }
                    for (j, team) in to.iter().enumerate() {
                        self.reference(&format_args!("{kind}.to[{j}]"), team, &[IdKind::Team]);
                    }
                    if matches!(inject.kind, InjectKind::Message { .. }) && to.is_empty() {
                        self.error(
                            &format_args!("{kind}.to"),
                            "scenario::empty-list",
                            "a message needs at least one team in `to`".into(),
                            "empty",
                        )
                        .help = Some("use `News` for something every team sees".into());
                    }
                }
                _ => {}
            }
        }
    }

    /// Evidence items: who they name, how reliable, when found. `victim` is the incident the
    /// items are about and the state it attacks, when known.
    fn evidence(
        &mut self,
        kind: &dyn Display,
        evidence: &[EvidenceSpec],
        victim: Option<(&str, &str)>,
    ) {
        for (j, item) in evidence.iter().enumerate() {
            let p = format!("{kind}.evidence[{j}]");
            match &item.points_to {
                Candidate::State(state) => {
                    if self.reference(&format_args!("{p}.points_to"), state, &[IdKind::State])
                        && let Some((incident, victim)) = victim
                        && victim == state
                    {
                        self.warn(
                            &format_args!("{p}.points_to"),
                            "scenario::evidence-points-at-victim",
                            format!(
                                "evidence on `{incident}` points at `{victim}`, the state it attacks: a state never suspects itself (nor does any state suspect the victim), so the item says nothing to `{victim}` or anyone else"
                            ),
                            "the victim",
                        )
                        .help = Some(
                            "point it at the state, group (`Group(\"<actor id>\")`) or `NonState` it should implicate (or clear, for `Exculpatory` evidence)".into(),
                        );
                    }
                }
                Candidate::Group(group) => {
                    if self.reference(&format_args!("{p}.points_to"), group, &[IdKind::Actor]) {
                        let state_unit = self
                            .s
                            .actors
                            .iter()
                            .find(|a| &a.id == group)
                            .is_some_and(|a| a.kind == ActorKind::StateUnit);
                        if state_unit {
                            self.error(
                                &format_args!("{p}.points_to"),
                                "scenario::not-a-group",
                                format!("actor `{group}` is a state unit, not a non-state group"),
                                "a state unit",
                            )
                            .help = Some(
                                "name its state with `State(\"<state id>\")`: a state unit's deeds are its state's".into(),
                            );
                        }
                    }
                }
                Candidate::NonState => {}
            }
            self.unit(
                &format_args!("{p}.reliability"),
                item.reliability,
                "reliability",
            );
            if let Some(after) = item.after {
                self.within_exercise(&format_args!("{p}.after"), after, "evidence time");
            }
        }
    }

    fn world_change(&mut self, path: &dyn Display, change: &WorldChange) {
        match change {
            WorldChange::ContactStale(c) | WorldChange::ContactRestored(c) => {
                self.reference(&format_args!("{path}(0)"), c, &[IdKind::Contact]);
            }
            WorldChange::HotlineDown(a, b) | WorldChange::HotlineRestored(a, b) => {
                let pair = (a.clone(), b.clone());
                if self.pair(path, &pair) && !self.by.hotlines.contains(&ordered_ref(a, b)) {
                    self.warn(
                        path,
                        "scenario::no-hotline",
                        format!("no hotline is defined between `{a}` and `{b}`"),
                        "no hotline here",
                    )
                    .help = Some("add a relation with `hotline: true` for this pair".into());
                }
            }
            WorldChange::Posture(state, _) => {
                self.reference(&format_args!("{path}(0)"), state, &[IdKind::State]);
            }
            WorldChange::Outage {
                asset,
                inoperability,
            } => {
                self.reference(&format_args!("{path}.asset"), asset, &[IdKind::Asset]);
                self.unit(
                    &format_args!("{path}.inoperability"),
                    *inoperability,
                    "inoperability",
                );
            }
        }
    }

    fn condition(&mut self, path: &dyn Display, condition: &Condition, inject: Option<&Id>) {
        match condition {
            Condition::All(items) | Condition::Any(items) => {
                if items.is_empty() {
                    self.warn(
                        path,
                        "scenario::empty-condition",
                        "an empty All/Any".into(),
                        "empty",
                    )
                    .help = Some(
                        "All([]) always holds and Any([]) never does; remove it or add conditions"
                            .into(),
                    );
                }
                for (i, item) in items.iter().enumerate() {
                    self.condition(&format_args!("{path}(0)[{i}]"), item, inject);
                }
            }
            Condition::Not(inner) => self.condition(&format_args!("{path}(0)"), inner, inject),
            Condition::InjectFired(id) => {
                if self.reference(&format_args!("{path}(0)"), id, &[IdKind::Inject])
                    && Some(id) == inject
                {
                    self.error(
                        &format_args!("{path}(0)"),
                        "scenario::waits-for-itself",
                        format!("inject `{id}` waits for itself to fire"),
                        "itself",
                    );
                }
            }
            Condition::Detected { incident, by } => {
                self.incident(&format_args!("{path}.incident"), incident);
                self.reference(
                    &format_args!("{path}.by"),
                    by,
                    &[IdKind::Organisation, IdKind::State],
                );
            }
            Condition::TensionAbove { between, value } => {
                self.pair(&format_args!("{path}.between"), between);
                self.unit(&format_args!("{path}.value"), *value, "tension");
            }
            Condition::RungReached { between, .. } | Condition::RungAtLeast { between, .. } => {
                self.pair(&format_args!("{path}.between"), between);
            }
            Condition::ObjectiveMet(id) | Condition::ObjectiveFailed(id) => {
                self.reference(&format_args!("{path}(0)"), id, &[IdKind::Objective]);
            }
            Condition::Contained(incident) => {
                self.incident(&format_args!("{path}(0)"), incident);
            }
            Condition::Attributed {
                by,
                incident,
                blame,
                ..
            } => {
                self.reference(&format_args!("{path}.by"), by, &[IdKind::State]);
                self.incident(&format_args!("{path}.incident"), incident);
                if let Some(b) = blame
                    && b != "non-state"
                {
                    self.reference(
                        &format_args!("{path}.blame"),
                        b,
                        &[IdKind::State, IdKind::Actor],
                    );
                }
            }
            Condition::EvidenceShared { from, to }
            | Condition::MessageAcknowledged { from, to }
            | Condition::MessageBounced { from, to } => {
                self.reference(
                    &format_args!("{path}.from"),
                    from,
                    &[IdKind::Organisation, IdKind::State],
                );
                self.reference(
                    &format_args!("{path}.to"),
                    to,
                    &[IdKind::Organisation, IdKind::State],
                );
            }
        }
    }

    /// `id` must name an `Incident` inject.
    fn incident(&mut self, path: &dyn Display, id: &Id) -> bool {
        if !self.reference(path, id, &[IdKind::Inject]) {
            return false;
        }
        let is_incident = self.by.incidents.contains(id.as_str());
        if !is_incident {
            self.error(
                path,
                "scenario::not-an-incident",
                format!("inject `{id}` is not an `Incident`"),
                "not an incident",
            );
        }
        is_incident
    }

    fn objectives(&mut self) {
        for (i, objective) in self.s.objectives.iter().enumerate() {
            let path = Item("objectives", i);
            if let Some(team) = &objective.team {
                self.reference(&format_args!("{path}.team"), team, &[IdKind::Team]);
            }
            let c = Join(&path, ".criterion");
            match &objective.criterion {
                Criterion::DetectWithin {
                    incident,
                    by,
                    within,
                } => {
                    self.incident(&format_args!("{c}.incident"), incident);
                    self.reference(
                        &format_args!("{c}.by"),
                        by,
                        &[IdKind::Organisation, IdKind::State],
                    );
                    self.span_positive(&format_args!("{c}.within"), *within);
                }
                Criterion::NotifyWithin {
                    incident,
                    from,
                    to,
                    within,
                } => {
                    self.incident(&format_args!("{c}.incident"), incident);
                    self.reference(
                        &format_args!("{c}.from"),
                        from,
                        &[IdKind::Organisation, IdKind::State],
                    );
                    if to.is_empty() {
                        self.error(
                            &format_args!("{c}.to"),
                            "scenario::empty-list",
                            "NotifyWithin needs at least one state or organisation in `to`".into(),
                            "empty",
                        );
                    }
                    for (j, target) in to.iter().enumerate() {
                        self.reference(
                            &format_args!("{c}.to[{j}]"),
                            target,
                            &[IdKind::State, IdKind::Organisation],
                        );
                    }
                    self.span_positive(&format_args!("{c}.within"), *within);
                }
                Criterion::AcknowledgeWithin {
                    contacts,
                    within,
                    share,
                    after,
                    before,
                    from,
                    kinds,
                } => {
                    if kinds.contains(&MessageKind::Control) {
                        self.warn(
                            &format_args!("{c}.kinds"),
                            "scenario::unsatisfiable",
                            "exercise control's messages never count towards an acknowledgement objective".into(),
                            "never counted",
                        )
                        .help = Some("count the players' kinds: `Notify`, `ShareEvidence`, `RequestAssistance`, …".into());
                    }
                    if let Some(f) = from {
                        self.reference(
                            &format_args!("{c}.from"),
                            f,
                            &[IdKind::Organisation, IdKind::State],
                        );
                    }
                    if let Some(b) = before {
                        self.within_exercise(&format_args!("{c}.before"), *b, "time");
                        if after.is_some_and(|a| a >= *b) {
                            self.error(
                                &format_args!("{c}.before"),
                                "scenario::empty-window",
                                format!(
                                    "no message can count: `before` ({b}) is not after `after` ({})",
                                    after.unwrap_or(*b)
                                ),
                                "not after `after`",
                            )
                            .help = Some("`after` opens the window, `before` closes it".into());
                        }
                    }
                    for (j, contact) in contacts.iter().enumerate() {
                        self.reference(
                            &format_args!("{c}.contacts[{j}]"),
                            contact,
                            &[IdKind::Contact],
                        );
                    }
                    self.span_positive(&format_args!("{c}.within"), *within);
                    self.unit(&format_args!("{c}.share"), *share, "share");
                    let (listed, reachable) = if contacts.is_empty() {
                        self.by
                            .contact_count
                            .values()
                            .fold((0, 0), |(n, r), (cn, cr)| (n + cn, r + cr))
                    } else {
                        let named: HashSet<&str> = contacts.iter().map(String::as_str).collect();
                        named
                            .iter()
                            .filter_map(|id| self.by.contact_count.get(id))
                            .fold((0, 0), |(n, r), (cn, cr)| (n + cn, r + cr))
                    };
                    if listed > 0 && (reachable as f64) < *share * listed as f64 {
                        self.warn(&format_args!("{c}.share"), "scenario::unsatisfiable", format!("only {reachable} of {listed} contacts are not stale, so a share of {share} can never be acknowledged"), "cannot be met")
                            .help = Some("stale contacts never acknowledge; lower `share` if this is meant as a test of the directory".into());
                    }
                    // The communication check sends notifications.
                    if from.is_none() && (kinds.is_empty() || kinds.contains(&MessageKind::Notify))
                    {
                        self.met_by_communication_check(&c, objective, contacts, *after);
                    }
                }
                Criterion::EvidenceBeforeAttribution { state }
                | Criterion::NoWrongfulAttribution { state } => {
                    self.reference(&format_args!("{c}.state"), state, &[IdKind::State]);
                }
                Criterion::PeakRungAtMost { between, .. } => {
                    if let Some(pair) = between {
                        self.pair(&format_args!("{c}.between"), pair);
                    }
                }
                Criterion::DowntimeBelow {
                    sector,
                    state,
                    hours,
                } => {
                    if let Some(state) = state {
                        self.reference(&format_args!("{c}.state"), state, &[IdKind::State]);
                    }
                    if !(hours.is_finite() && *hours >= 0.0) {
                        self.error(
                            &format_args!("{c}.hours"),
                            "scenario::out-of-range",
                            format!("hours must be 0 or more, found {hours}"),
                            "out of range",
                        );
                    }
                    let any = match (sector, state) {
                        (None, None) => !self.s.assets.is_empty(),
                        (Some(sector), None) => self.by.sectors.contains(sector),
                        (None, Some(state)) => self.by.asset_states.contains(state.as_str()),
                        (Some(sector), Some(state)) => {
                            self.by.sector_states.contains(&(*sector, state.as_str()))
                        }
                    };
                    if !any {
                        self.warn(&c, "scenario::unsatisfiable", "no asset matches this sector and state, so the objective is met whatever happens".into(), "always met");
                    }
                }
            }
        }
    }

    /// An engine-played regional body opens the exercise with a communication check to the
    /// contacts of the `AcknowledgeWithin` objectives set for its team (none, when no team
    /// plays it), other than its own, so such an objective can be met before anything happens
    /// (see `communication_check` in `src/sim/doctrine.rs`). A body a team plays runs the
    /// check only when the engine plays that team, standing in for its players: that is the
    /// team's own check, so it is not warned.
    fn met_by_communication_check(
        &mut self,
        path: &dyn Display,
        objective: &Objective,
        contacts: &[Id],
        after: Option<Span>,
    ) {
        let Some(first) = self.by.first_incident else {
            return;
        };
        let tick = self.s.clock.tick_minutes;
        // The check goes out in the first tick; an incident due by then starts in that tick
        // too, before the engine plays. An explicit `after` says which messages count: after
        // the first tick leaves the check out, `"0m"` counts it on purpose.
        if objective.team.is_some() || first.minutes() <= tick || after.is_some() {
            return;
        }
        let s = self.s;
        let by = &self.by;
        let body = by.bodies.iter().map(|&b| &s.organisations[b]).find(|body| {
            let reaches = |contact: &str| by.contact_org.get(contact) != Some(&body.id.as_str());
            !by.team_of.contains_key(body.id.as_str())
                && if contacts.is_empty() {
                    s.contacts.iter().any(|c| reaches(&c.id))
                } else {
                    contacts.iter().any(|c| reaches(c))
                }
        });
        let Some(body) = body else {
            return;
        };
        let message = format!(
            "objective `{}` may be met by the opening communication check of `{}` at about {}, before the first incident at {}",
            objective.id,
            body.id,
            plus_hhmm(tick),
            plus_hhmm(first.minutes())
        );
        let help = format!(
            "no team plays `{0}`, so the engine asks every contact listed here (all contacts when none are listed) except its own to acknowledge at the start; to measure the crisis instead, count only later messages (`after: \"{1}\"`) or list contacts the check skips (`{0}`'s own), or set the objective for a team that plays `{0}`",
            body.id, first
        );
        self.warn(
            path,
            "scenario::met-by-communication-check",
            message,
            "met by the opening check",
        )
        .help = Some(help);
    }

    fn span_positive(&mut self, path: &dyn Display, span: Span) {
        if span.minutes() == 0 {
            self.error(
                path,
                "scenario::out-of-range",
                "a time limit must be more than 0 minutes".into(),
                "zero",
            );
        } else {
            let duration = self.s.clock.duration;
            if span > duration {
                self.warn(
                    path,
                    "scenario::after-end",
                    format!("time limit {span} is longer than the exercise ({duration})"),
                    "longer than the exercise",
                );
            }
        }
    }

    /// Warnings for organisations nobody can reach.
    fn reachability(&mut self) {
        let s = self.s;
        for (i, org) in s.organisations.iter().enumerate() {
            let contacts = self
                .by
                .contacts_of
                .get(org.id.as_str())
                .map_or(&[][..], Vec::as_slice);
            if contacts.is_empty() {
                if matches!(org.kind, OrgKind::Operator | OrgKind::Press) {
                    continue; // reached through their national CERT or regulator, by design
                }
                self.warn(
                    &format_args!(".organisations[{i}].id"),
                    "scenario::unreachable",
                    format!("organisation `{}` has no contact in the directory", org.id),
                    "nobody can reach it",
                )
                .help = Some("add a contact for it, or remove it".into());
            } else if contacts.iter().all(|&c| s.contacts[c].stale) {
                let index = contacts[0];
                let stale_is_scripted = contacts
                    .iter()
                    .any(|&c| self.by.restored.contains(s.contacts[c].id.as_str()));
                if !stale_is_scripted {
                    self.warn(&format_args!(".contacts[{index}].stale"), "scenario::unreachable", format!("every contact of `{}` is stale: no one can reach it", org.id), "all stale")
                        .help = Some("if this is the point of the exercise, add a second, working contact players can discover".into());
                }
            }
        }
    }
}

impl Checker<'_> {
    /// Injects that can only fire after each other (A waits for B, B waits for A) never fire.
    fn inject_cycles(&mut self) {
        let index: BTreeMap<&str, usize> = self
            .s
            .injects
            .iter()
            .enumerate()
            .map(|(i, x)| (x.id.as_str(), i))
            .collect();
        let needs: Vec<Vec<usize>> = self
            .s
            .injects
            .iter()
            .map(|inj| {
                let mut out = Vec::new();
                if let Some(c) = &inj.when {
                    required_injects(c, &mut out);
                }
                out.iter()
                    .filter_map(|id| index.get(id.as_str()).copied())
                    .collect()
            })
            .collect();
        for (start, cyclic) in on_cycles(&needs).into_iter().enumerate() {
            if cyclic {
                let id = &self.s.injects[start].id;
                self.error(&format_args!(".injects[{start}].when"), "scenario::inject-cycle", format!("inject `{id}` waits for an inject that waits for it: neither can fire"), "waits in a circle")
                    .help = Some("break the circle: give one of them an `at` time without the condition, or drop one `InjectFired`".into());
            }
        }
    }

    /// The engine speaks for a state through its first national CERT.
    fn certs_per_state(&mut self) {
        let s = self.s;
        for state in &s.states {
            let certs = self
                .by
                .certs
                .get(state.id.as_str())
                .map_or(&[][..], Vec::as_slice);
            if let Some(&second) = certs.get(1) {
                self.warn(&format_args!(".organisations[{second}].kind"), "scenario::second-cert", format!("state `{}` has more than one national CERT", state.id), "second CERT")
                    .help = Some("the engine notifies and shares through the first one; make the others `Regulator` or `Operator` if they are sector CERTs".into());
            }
        }
        for (i, team) in self.s.teams.iter().enumerate() {
            for (j, org) in team.organisations.iter().enumerate() {
                let foreign = self
                    .by
                    .organisation
                    .get(org.as_str())
                    .is_some_and(|o| o.state != team.state && o.kind != OrgKind::RegionalBody);
                if foreign {
                    self.warn(&format_args!(".teams[{i}].organisations[{j}]"), "scenario::foreign-org", format!("team `{}` plays `{org}`, an organisation of another state", team.id), "another state's")
                        .help = Some("a team usually plays its own state's organisations (a regional body is the exception)".into());
                }
            }
        }
    }
}

/// For each node of a graph (`edges[v]` are the nodes `v` points to), whether it lies on a
/// circle through at least one other node: its strongly connected component has two nodes
/// or more (Tarjan's algorithm, without recursion so a long chain cannot overflow the stack).
fn on_cycles(edges: &[Vec<usize>]) -> Vec<bool> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    // Per node: when the search reached it, and the earliest node reachable from it that is
    // still on the stack.
    let mut order = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut cyclic = vec![false; n];
    let mut next_order = 0;
    // The depth-first path: each node with the index of the next edge to follow.
    let mut path: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if order[root] != UNSEEN {
            continue;
        }
        path.push((root, 0));
        while let Some(&(v, edge)) = path.last() {
            if edge == 0 && order[v] == UNSEEN {
                order[v] = next_order;
                low[v] = next_order;
                next_order += 1;
                on_stack[v] = true;
                stack.push(v);
            }
            if let Some(&w) = edges[v].get(edge) {
                if let Some(top) = path.last_mut() {
                    top.1 += 1;
                }
                if order[w] == UNSEEN {
                    path.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(order[w]);
                }
                continue;
            }
            path.pop();
            if let Some(&(parent, _)) = path.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == order[v] {
                let from = stack.iter().rposition(|&w| w == v).unwrap_or(0);
                let component = &stack[from..];
                for &w in component {
                    on_stack[w] = false;
                    cyclic[w] = component.len() > 1;
                }
                stack.truncate(from);
            }
        }
    }
    cyclic
}

/// Inject ids a condition cannot hold without (the `InjectFired` at its top or inside `All`).
fn required_injects(condition: &Condition, out: &mut Vec<Id>) {
    match condition {
        Condition::InjectFired(id) => out.push(id.clone()),
        Condition::All(items) => items.iter().for_each(|c| required_injects(c, out)),
        Condition::Any(items) => {
            // Every branch needs a circle for the whole to be stuck; keep only ids all share.
            let mut per_branch = items.iter().map(|c| {
                let mut v = Vec::new();
                required_injects(c, &mut v);
                v
            });
            if let Some(first) = per_branch.next() {
                let rest: Vec<Vec<Id>> = per_branch.collect();
                out.extend(
                    first
                        .into_iter()
                        .filter(|id| rest.iter().all(|r| r.contains(id))),
                );
            }
        }
        _ => {}
    }
}

/// The path of the `index`-th item of a top-level list, e.g. `.assets[3]`; paths are only
/// written out when a diagnostic needs a position.
struct Item(&'static str, usize);

impl Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, ".{}[{}]", self.0, self.1)
    }
}

/// A path followed by more of it, e.g. `.injects[3]` and `.kind`.
struct Join<'a>(&'a dyn Display, &'static str);

impl Display for Join<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.0, self.1)
    }
}

/// Minutes after the start as `+HH:MM`, as the engine's timeline shows them.
fn plus_hhmm(minutes: u32) -> String {
    format!("+{:02}:{:02}", minutes / 60, minutes % 60)
}

/// [`ordered`] without copying the ids.
fn ordered_ref<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a <= b { (a, b) } else { (b, a) }
}

/// The pair with its ids in order, so (a, b) and (b, a) are the same relation.
pub fn ordered(pair: &(Id, Id)) -> (Id, Id) {
    if pair.0 <= pair.1 {
        pair.clone()
    } else {
        (pair.1.clone(), pair.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::check_bytes;

    const BASE: &str = r#"Scenario(
    meta: (id: "t", title: "T"),
    states: [(id: "a", name: "A"), (id: "b", name: "B")],
    organisations: [
        (id: "a-cert", name: "A CERT", state: "a", kind: NationalCert),
        (id: "b-cert", name: "B CERT", state: "b", kind: NationalCert),
    ],
    contacts: [
        (id: "c-a", organisation: "a-cert", channel: Email, hours: Always),
        (id: "c-b", organisation: "b-cert", channel: Email, hours: Always),
    ],
    teams: [(id: "team-a", name: "A", state: "a", organisations: ["a-cert"])],
    injects: [INJECTS],
)"#;

    fn codes(injects: &str) -> Vec<&'static str> {
        let text = BASE.replace("INJECTS", injects);
        check_bytes("t.ron", text.as_bytes())
            .diagnostics
            .iter()
            .map(|d| d.code)
            .collect()
    }

    #[test]
    fn injects_waiting_for_each_other_are_an_error() {
        let found = codes(
            r#"(id: "x", when: InjectFired("y"), kind: News(headline: "x")),
               (id: "y", when: All([InjectFired("x")]), kind: News(headline: "y"))"#,
        );
        assert_eq!(
            found
                .iter()
                .filter(|c| **c == "scenario::inject-cycle")
                .count(),
            2,
            "{found:?}"
        );
    }

    #[test]
    fn a_chain_without_a_circle_is_fine() {
        let found = codes(
            r#"(id: "x", at: "1h", kind: News(headline: "x")),
               (id: "y", when: Any([InjectFired("x"), InjectFired("z")]), kind: News(headline: "y")),
               (id: "z", when: InjectFired("x"), kind: News(headline: "z"))"#,
        );
        assert!(!found.contains(&"scenario::inject-cycle"), "{found:?}");
    }

    #[test]
    fn circles_are_found_without_visiting_chains_again() {
        use super::on_cycles;
        // 0 -> 1 -> 2 -> 0 is a circle; 3 waits for itself only; 4 -> 0 leads into the circle
        // without being on it; 5 and 6 wait for each other.
        let edges = vec![
            vec![1],
            vec![2],
            vec![0, 2],
            vec![3],
            vec![0],
            vec![6],
            vec![5],
        ];
        assert_eq!(
            on_cycles(&edges),
            [true, true, true, false, false, true, true]
        );
        // A long chain (each waiting for the next) has no circle, and is not walked once per
        // inject; closing it makes one circle of all.
        let n = 100_000;
        let mut chain: Vec<Vec<usize>> = (0..n).map(|i| vec![i + 1]).collect();
        chain[n - 1].clear();
        assert!(on_cycles(&chain).iter().all(|c| !c));
        chain[n - 1].push(0);
        assert!(on_cycles(&chain).iter().all(|c| *c));
    }

    #[test]
    fn a_team_playing_another_states_organisation_is_warned() {
        let text = BASE.replace("INJECTS", "").replace(
            r#"organisations: ["a-cert"]"#,
            r#"organisations: ["a-cert", "b-cert"]"#,
        );
        let checked = check_bytes("t.ron", text.as_bytes());
        assert!(
            checked
                .diagnostics
                .iter()
                .any(|d| d.code == "scenario::foreign-org")
        );
    }
}
