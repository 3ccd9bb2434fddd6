//! 8. Doctrine: how the engine plays every organisation and state no person plays.
//!
//! Short rules shaped by posture and capacity (see `docs/model.md`). The engine acts by
//! issuing the same [`Order`]s a team's commands become, so bots and people share one code
//! path. Orders carry indices: the doctrine never looks an id up.

use super::command::{Actor, Order, evidence_new_to, is_direct};
use super::constants::{self as k, per_tick};
use super::effects::{self as fx, Effects};
use super::resolved::{Topic, Topics};
use super::world::*;
use crate::scenario::{Cbm, Posture, Rung};
use bevy_ecs::prelude::Local;
use rand::RngExt;

/// (items held on the incident, items had from others, items sent to the organisation).
type FreshSizes = (usize, usize, usize);

/// Per counterpart: the strongest formed belief that it attacked a state, and on which
/// incident; with the state's belief revision it was worked out at.
type Strongest = (Option<u64>, Vec<(f64, Option<usize>)>);

/// Scratch space of the doctrine, reused every tick.
#[derive(Default)]
pub struct DoctrineScratch {
    known: Vec<(usize, Known)>,
    states: Vec<usize>,
    targets: Vec<(usize, usize)>,
    contacts: Vec<usize>,
    pairs: Vec<(usize, usize)>,
    /// Per state, per counterpart: the strongest formed belief that it attacked the state,
    /// and on which incident.
    strongest: Vec<Strongest>,
    /// Per state: the belief revision, threshold and number of accusations at which no
    /// group was a candidate to be named (no belief in a group at the threshold that the
    /// state has not named yet).
    no_group_at: Vec<Option<(u64, f64, usize)>>,
    /// Per state: what its CERT had in hand when it last found nothing to do on any
    /// incident; while all of it is unchanged and no message bounced, the CERT rests.
    cert_rest: Vec<Option<CertRest>>,
    /// Per counterpart: whether it has publicly accused the state.
    accused_by: Vec<bool>,
    /// Per state, per incident: what its CERT's doctrine worked out on earlier ticks.
    cert: Vec<Vec<CertMemo>>,
    /// Per state: the belief revision and the threshold its ministry last deliberated on
    /// (neither changed: nothing to deliberate).
    deliberated: Vec<Option<(u64, f64)>>,
}

/// What a CERT had in hand when it last rested: the revisions of what it knows, what it
/// sent and what it was given, the number of items it holds, and the engine's revision then
/// (for bounces, which re-open notices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CertRest {
    at: u64,
    known: u64,
    sent: u64,
    held: usize,
    reviewed: usize,
}

impl CertRest {
    fn of(fx: &Effects, s: usize) -> CertRest {
        let mind = &fx.minds.0[s];
        CertRest {
            at: fx.revisions.now(),
            known: mind.known_revision,
            sent: mind.sent_revision,
            held: mind.evidence.len(),
            reviewed: mind.reviewed.len(),
        }
    }

    /// Whether nothing the CERT works from changed since it rested.
    fn holds(self, fx: &Effects, s: usize) -> bool {
        let now = CertRest {
            at: self.at,
            ..CertRest::of(fx, s)
        };
        now == self
            && !fx
                .revisions
                .changed_since(Topics::of(&[Topic::Mail]), self.at)
    }
}

/// What a CERT's doctrine remembers of one incident between ticks, so that a tick where
/// nothing it reads changed costs a few comparisons. Everything here is derived: forgetting
/// it changes no decision.
#[derive(Debug, Default)]
struct CertMemo {
    /// The knowledge the owed notices were worked out for, and the organisations owed.
    owed_for: Option<Known>,
    owed: Vec<usize>,
    /// Every owed organisation had a notice on its way or delivered at this revision; only
    /// a bounce (a change of [`Topic::Mail`]) re-opens one.
    settled_at: Option<u64>,
    /// The organisations the state shares evidence with (fixed for a state and incident).
    share_to: Option<Vec<usize>>,
    /// Per organisation of `share_to`: whether the state holds evidence new to it, and the
    /// sizes it was decided at. Each only grows, so equal sizes mean the same answer.
    fresh: Vec<Option<(FreshSizes, bool)>>,
    /// No organisation of `share_to` had anything new at these (items held on the
    /// incident, items had from others, revision of what was sent): until one of them
    /// changes there is nothing to share, and nothing is drawn.
    quiet_at: Option<(usize, usize, u64)>,
}

/// Runs the doctrine of every engine-played state, in state order, then of every
/// engine-played regional body.
pub(crate) fn play_doctrine(mut fx: Effects, mut scratch: Local<DoctrineScratch>) {
    let region = Region::clone(&fx.region);
    let scratch = &mut *scratch;
    for s in 0..region.n_states() {
        if !fx.players.engine_plays_state(&region, s) {
            continue;
        }
        cert_doctrine(&mut fx, &region, s, scratch);
        ministry_doctrine(&mut fx, &region, s, scratch);
    }
    for &body in &region.regional_bodies {
        if fx.players.engine_plays(&region, body) {
            communication_check(&mut fx, &region, body);
            convene_doctrine(&mut fx, &region, body, scratch);
        }
    }
}

/// The actor for a regional body: it speaks as itself.
fn body_actor(region: &Region, body: usize) -> Actor {
    Actor {
        state: region.orgs[body].state,
        team: region.orgs[body].team,
        org: Some(body),
    }
}

/// Carries out one of the doctrine's orders. The doctrine issues only orders that hold when
/// it issues them; one that does not is a bug the debug build reports.
fn issue(fx: &mut Effects, actor: Actor, order: Order) {
    let result = fx::apply(fx, actor, &order);
    debug_assert!(
        result.is_ok() || fx.clock.is_over(),
        "the doctrine issued {order:?}: {result:?}"
    );
}

/// A regional body runs the communication checks its objectives ask for, at the start: it
/// notifies each contact listed in an `AcknowledgeWithin` objective set for its team (or for
/// the whole exercise), other than its own, and asks for an acknowledgement, as CERT
/// networks do in their drills.
fn communication_check(fx: &mut Effects, region: &Region, body: usize) {
    if fx.clock.tick != 1 {
        return;
    }
    let team = region.orgs[body].team;
    let mut to: Vec<usize> = Vec::new();
    for (objective, criterion) in region.objectives.iter().zip(&region.criteria) {
        let for_team = match objective.team.as_deref() {
            None => None,
            Some(id) => match region.ids.get(id) {
                Some(Ref::Team(t)) => Some(*t),
                _ => continue,
            },
        };
        if for_team != team {
            continue;
        }
        if let super::resolved::Crit::AcknowledgeWithin { listed, .. } = criterion {
            for &c in listed {
                if region.contacts[c].org != body && !to.contains(&c) {
                    to.push(c);
                }
            }
        }
    }
    if !to.is_empty() {
        issue(
            fx,
            body_actor(region, body),
            Order::Notify {
                to,
                incident: None,
                text: "Communication check: please acknowledge this message.".into(),
            },
        );
    }
}

/// A regional body convenes regional coordination, once per incident it has been told of,
/// when the incident touches two states or more (its victim and a state whose assets depend
/// on the target, or another victim of the same actor) or the victim is in a tense pair.
fn convene_doctrine(fx: &mut Effects, region: &Region, body: usize, scratch: &mut DoctrineScratch) {
    let host = region.orgs[body].state;
    scratch.known.clear();
    scratch
        .known
        .extend(fx.minds.0[host].known.iter().map(|(i, k)| (*i, *k)));
    for &(ix, _) in &scratch.known {
        if fx.minds.0[host].convened.contains(&ix) {
            continue;
        }
        let inc = &fx.incidents.0[ix];
        let (victim, target, actor) = (inc.victim, inc.target, inc.actor);
        let exposed = !region.exposed[target].is_empty();
        let spread = scratch.known.iter().any(|&(o, _)| {
            let other = &fx.incidents.0[o];
            other.victim != victim && other.actor.is_some() && other.actor == actor
        });
        let tense = (0..region.n_states())
            .any(|o| o != victim && fx.tensions.level(victim, o) >= k::DEESCALATE_FROM);
        if !(exposed || spread || tense) || !chance(fx, k::CONVENE_RATE) {
            continue;
        }
        fx.minds.0[host].convened.insert(ix);
        issue(
            fx,
            body_actor(region, body),
            Order::ConveneRegional { incident: Some(ix) },
        );
    }
}

/// For every counterpart `b`, the strongest belief that `b` attacked `s`, over incidents
/// against `s` where `s` has a suspect (a belief still at its prior does not count); the
/// first such incident on a tie.
fn strongest_beliefs<'a>(
    fx: &Effects,
    s: usize,
    memo: &'a mut Vec<Strongest>,
) -> &'a [(f64, Option<usize>)] {
    if memo.len() <= s {
        memo.resize_with(s + 1, Default::default);
    }
    let (at, strongest) = &mut memo[s];
    let revision = fx.minds.0[s].belief_revision;
    if *at == Some(revision) {
        return strongest;
    }
    *at = Some(revision);
    strongest.clear();
    strongest.resize(fx.region.n_states(), (0.0, None));
    for (&inc, belief) in &fx.minds.0[s].beliefs {
        if !belief.formed || fx.incidents.0[inc].victim != s {
            continue;
        }
        for (best, &p) in strongest.iter_mut().zip(&belief.p) {
            if p > best.0 {
                *best = (p, Some(inc));
            }
        }
    }
    strongest
}

fn chance(fx: &mut Effects, hazard: f64) -> bool {
    let minutes = fx.clock.tick_minutes;
    fx.rng
        .0
        .random_bool(per_tick(hazard, minutes).clamp(0.0, 1.0))
}

/// The contact of an organisation this state would use: not known to be stale, a direct
/// channel before a diplomatic note.
fn reachable_contact(fx: &Effects, region: &Region, state: usize, org: usize) -> Option<usize> {
    let tensions = &fx.tensions;
    region.orgs[org]
        .contacts
        .iter()
        .copied()
        .filter(|&c| {
            fx.contacts
                .get(fx.entities.contacts[c])
                .map_or(true, |st| !st.known_stale_by.contains(&state))
        })
        // A hotline handset only while the circuit between the two works.
        .filter(|&c| {
            let other = region.contacts[c].state;
            region.contacts[c].channel != crate::scenario::Channel::Hotline
                || (other != state && {
                    let p = tensions.pair(state, other);
                    tensions.hotline[p] && tensions.hotline_up[p]
                })
        })
        .min_by_key(|&c| (!is_direct(region.contacts[c].channel), c))
}

/// The organisations a CERT owes notice of an incident (docs/model.md, "Doctrine"), written
/// into `orgs`:
/// - the victim, once it has detected the incident itself: the regional bodies, the CERTs it
///   has a notification or CERT-cooperation arrangement with, and those of exposed states;
/// - a state that detected an attack on another state's asset: the victim's CERT and those
///   of exposed states;
/// - a state that was told: the exposed states it has such an arrangement with (a relay).
fn owed_notice(
    region: &Region,
    s: usize,
    inc: &Incident,
    how: Known,
    states: &mut Vec<usize>,
    orgs: &mut Vec<usize>,
) {
    let partner = |o: usize| {
        has_cbm(region, s, o, Cbm::IncidentNotification)
            || has_cbm(region, s, o, Cbm::CertCooperation)
    };
    let exposed = &region.exposed[inc.target];
    states.clear();
    orgs.clear();
    if inc.victim == s {
        if how.detected_by.is_none() {
            return;
        }
        orgs.extend(region.regional_bodies.iter().copied());
        states.extend((0..region.n_states()).filter(|&o| o != s && partner(o)));
        states.extend(exposed.iter().copied());
    } else if how.detected_by.is_some() {
        states.push(inc.victim);
        states.extend(exposed.iter().copied());
    } else {
        states.extend(exposed.iter().copied().filter(|&o| partner(o)));
    }
    states.sort_unstable();
    states.dedup();
    orgs.extend(
        states
            .iter()
            .copied()
            .filter(|&o| o != s && Some(o) != how.told_by)
            .filter_map(|o| region.states[o].cert),
    );
}

/// A national CERT: notify the states it owes notice, share new evidence, ask for help.
fn cert_doctrine(fx: &mut Effects, region: &Region, s: usize, scratch: &mut DoctrineScratch) {
    let Some(cert) = region.states[s].cert else {
        return;
    };
    let respond = region.orgs[cert].capacity.respond;
    if scratch.cert_rest.len() < region.n_states() {
        scratch.cert_rest.resize(region.n_states(), None);
    }
    if scratch.cert_rest[s].is_some_and(|rest| rest.holds(fx, s)) {
        return;
    }
    let mut resting = true;
    let mut known = std::mem::take(&mut scratch.known);
    known.clear();
    known.extend(fx.minds.0[s].known.iter().map(|(i, k)| (*i, *k)));
    if scratch.cert.len() < region.n_states() {
        scratch.cert.resize_with(region.n_states(), Vec::new);
    }
    for &(inc, how) in &known {
        if scratch.cert[s].len() <= inc {
            scratch.cert[s].resize_with(inc + 1, CertMemo::default);
        }
        let mut memo = std::mem::take(&mut scratch.cert[s][inc]);
        resting &= notice(fx, region, s, inc, how, respond, &mut memo, scratch);
        resting &= share(fx, region, s, inc, respond, &mut memo, scratch);
        scratch.cert[s][inc] = memo;
        // Ask: a weak victim CERT asks the most capable CERT it is on good terms with.
        let asked = fx.minds.0[s].asked_assistance.contains(&inc);
        if fx.incidents.0[inc].victim == s
            && region.orgs[cert].capacity.analyse < k::ASK_ASSISTANCE_BELOW
            && !asked
        {
            let helper = most_capable_cert(
                region,
                (0..region.n_states()).filter(|&o| o != s && fx.tensions.level(s, o) < 0.5),
            )
            .filter(|&h| region.orgs[h].capacity.analyse > region.orgs[cert].capacity.analyse);
            fx.minds.0[s].asked_assistance.insert(inc);
            resting = false;
            if let Some(h) = helper
                && let Some(c) = reachable_contact(fx, region, s, h)
            {
                issue(
                    fx,
                    Actor::state(s),
                    Order::RequestAssistance {
                        to: c,
                        incident: inc,
                    },
                );
            }
        }
    }
    scratch.known = known;
    // Every incident ended where it will end again until something it reads changes, and
    // nothing was drawn: the CERT rests until then.
    scratch.cert_rest[s] = resting.then(|| CertRest::of(fx, s));
}

/// Sends the notices still owed: to each organisation without a notice on its way or
/// delivered (a bounced one is retried through another contact). True when nothing is
/// owed that could be sent: the same holds until the state learns more or a message
/// bounces.
#[allow(clippy::too_many_arguments)]
fn notice(
    fx: &mut Effects,
    region: &Region,
    s: usize,
    ix: usize,
    how: Known,
    respond: f64,
    memo: &mut CertMemo,
    scratch: &mut DoctrineScratch,
) -> bool {
    if memo.owed_for != Some(how) {
        owed_notice(
            region,
            s,
            &fx.incidents.0[ix],
            how,
            &mut scratch.states,
            &mut memo.owed,
        );
        memo.owed_for = Some(how);
        memo.settled_at = None;
    }
    if memo.owed.is_empty() {
        return true;
    }
    if let Some(at) = memo.settled_at
        && !fx.revisions.changed_since(Topics::of(&[Topic::Mail]), at)
    {
        return true;
    }
    scratch.targets.clear();
    let mind = &fx.minds.0[s];
    let mut owing = false;
    for &o in &memo.owed {
        let pending = mind.notices.get(&(ix, o)).is_none_or(|sent| {
            sent.iter()
                .all(|&id| fx.mail.0[id].status == MessageStatus::Bounced)
        });
        owing |= pending;
        if pending && let Some(c) = reachable_contact(fx, region, s, o) {
            scratch.targets.push((o, c));
        }
    }
    if !owing {
        memo.settled_at = Some(fx.revisions.now());
        return true;
    }
    if scratch.targets.is_empty() || !chance(fx, k::NOTIFY_RATE + respond) {
        return false;
    }
    let inc = &fx.incidents.0[ix];
    let text = if inc.victim == s {
        format!("We are handling incident {}. Indicators follow.", inc.id)
    } else {
        format!(
            "We see activity against {} ({}) that concerns you. Indicators follow.",
            region.assets[inc.target].name, inc.id
        )
    };
    let first = fx.mail.0.len();
    issue(
        fx,
        Actor::state(s),
        Order::Notify {
            to: scratch.targets.iter().map(|&(_, c)| c).collect(),
            incident: Some(ix),
            text,
        },
    );
    let mind = &mut fx.minds.0[s];
    for (&(org, _), id) in scratch.targets.iter().zip(first..fx.mail.0.len()) {
        mind.notices.entry((ix, org)).or_default().push(id);
    }
    false
}

/// Shares evidence the recipients do not have yet: a non-victim with the victim's CERT, the
/// victim with the most capable CERT in the region, both with the regional bodies. True
/// when no recipient has anything new to get: the same holds until what the state holds,
/// was given or sent changes.
#[allow(clippy::too_many_arguments)]
fn share(
    fx: &mut Effects,
    region: &Region,
    s: usize,
    ix: usize,
    respond: f64,
    memo: &mut CertMemo,
    scratch: &mut DoctrineScratch,
) -> bool {
    let to_orgs = memo.share_to.get_or_insert_with(|| {
        let victim = fx.incidents.0[ix].victim;
        let mut to = Vec::new();
        if victim != s {
            to.extend(region.states[victim].cert);
        } else {
            to.extend(most_capable_cert(
                region,
                (0..region.n_states()).filter(|&o| o != s),
            ));
        }
        to.extend(
            region
                .regional_bodies
                .iter()
                .copied()
                .filter(|&o| region.orgs[o].state != s),
        );
        to
    });
    memo.fresh.resize(to_orgs.len(), None);
    let mind = &fx.minds.0[s];
    let held = mind.held_on(ix).len();
    scratch.contacts.clear();
    if held == 0 {
        return true; // nothing to share, so nothing drawn
    }
    let key = (held, mind.reviewed.len(), mind.sent_revision);
    if memo.quiet_at == Some(key) {
        return true;
    }
    let mut any_fresh = false;
    for (&o, memo_fresh) in to_orgs.iter().zip(memo.fresh.iter_mut()) {
        let sizes = (
            held,
            mind.reviewed.len(),
            mind.sent_items.get(&(ix, o)).map_or(0, |sent| sent.len()),
        );
        let fresh = match *memo_fresh {
            Some((at, fresh)) if at == sizes => fresh,
            _ => {
                let fresh = evidence_new_to(mind, ix, o, region.orgs[o].state)
                    .next()
                    .is_some();
                *memo_fresh = Some((sizes, fresh));
                fresh
            }
        };
        any_fresh |= fresh;
        if fresh && let Some(c) = reachable_contact(fx, region, s, o) {
            scratch.contacts.push(c);
        }
    }
    memo.quiet_at = (!any_fresh).then_some(key);
    if !any_fresh {
        return true;
    }
    if scratch.contacts.is_empty() || !chance(fx, k::SHARE_RATE + respond) {
        return false;
    }
    issue(
        fx,
        Actor::state(s),
        Order::ShareEvidence {
            to: scratch.contacts.clone(),
            incident: ix,
            level: Tlp::Amber,
        },
    );
    false
}

/// Whether the ministry's `step` towards `b` is due again: never taken, or taken at least
/// `every` ticks ago. Looked up only where a rule gets that far; each rule reads and
/// writes only its own step, so the order of the look-ups changes nothing.
fn step_due(fx: &Effects, s: usize, b: usize, step: Step, every: u32) -> bool {
    let tick = fx.clock.tick;
    fx.minds.0[s]
        .steps
        .get(&(step, b))
        .is_none_or(|&t| tick >= t + every)
}

/// A foreign ministry: démarche, public attribution, retaliation, and the de-escalation
/// moves (hotline, consultation, restraint), by posture.
fn ministry_doctrine(fx: &mut Effects, region: &Region, s: usize, scratch: &mut DoctrineScratch) {
    let actor = Actor::state(s);
    let tick = fx.clock.tick;
    let posture = fx.read().posture(s);
    let theta = k::blame_threshold(posture);
    let day = fx.clock.ticks_for(24 * 60);
    let six_hours = fx.clock.ticks_for(6 * 60);
    deliberate(fx, s, theta, tick, scratch);
    name_groups(fx, region, s, theta, scratch);
    strongest_beliefs(fx, s, &mut scratch.strongest);
    scratch.accused_by.clear();
    scratch.accused_by.resize(region.n_states(), false);
    for &(_, by, _, blamed, _) in &fx.facts.attributions {
        if blamed == s && by < region.n_states() {
            scratch.accused_by[by] = true;
        }
    }
    for b in 0..region.n_states() {
        if b == s {
            continue;
        }
        let (belief, incident) = scratch.strongest[s].1[b];
        let accused_by_b = scratch.accused_by[b];
        let (h, level, hotline_ok) = {
            let t = &fx.tensions;
            let pair = t.pair(s, b);
            (
                t.get(s, b),
                t.level(s, b),
                t.hotline[pair] && t.hotline_up[pair],
            )
        };
        // Nothing against us from b, calm relations, no accusation: nothing to do.
        if incident.is_none() && level < k::DEESCALATE_FROM && !accused_by_b {
            continue;
        }
        // Looked up where a rule needs it (nothing an earlier rule does changes it).
        let ministry_contact = |fx: &Effects| {
            region.states[b]
                .ministry
                .and_then(|o| reachable_contact(fx, region, s, o))
        };
        if let Some(inc) = incident {
            let id = |fx: &Effects| fx.incidents.0[inc].id.clone();
            if belief >= theta
                && h >= k::rung_threshold(Rung::Concern)
                && step_due(fx, s, b, Step::Demarche, day)
                && let Some(c) = ministry_contact(fx)
                && chance(fx, k::DIPLOMATIC_STEP_RATE)
            {
                fx.minds.0[s].steps.insert((Step::Demarche, b), tick);
                let text = format!("We hold you responsible for {}.", id(fx));
                issue(fx, actor, Order::Demarche { to: c, text });
            }
            if belief >= theta
                && h >= k::rung_threshold(Rung::Demarche)
                && !fx.minds.0[s].accused.contains(&(inc, b))
                && ripe(fx, &fx.minds.0[s], inc, b)
                && chance(fx, k::DIPLOMATIC_STEP_RATE)
            {
                issue(
                    fx,
                    actor,
                    Order::PublicAttribution {
                        incident: inc,
                        blame: b,
                    },
                );
            }
            if let Some(from) = k::retaliate_from(posture)
                && belief >= theta
                && h >= from
                && step_due(fx, s, b, Step::Retaliation, day)
                && let Some(target) = retaliation_target(region, b, posture)
                && chance(fx, k::DIPLOMATIC_STEP_RATE)
            {
                fx.minds.0[s].steps.insert((Step::Retaliation, b), tick);
                issue(fx, actor, Order::Retaliate { target });
            }
            // Unsure: ask for consultations rather than accuse.
            if (0.3..theta).contains(&belief)
                && level >= k::DEESCALATE_FROM
                && step_due(fx, s, b, Step::Consultation, day)
                && let Some(c) = ministry_contact(fx)
                && chance(fx, k::DIPLOMATIC_STEP_RATE)
            {
                fx.minds.0[s].steps.insert((Step::Consultation, b), tick);
                let text = format!("We seek clarification about {}.", id(fx));
                issue(fx, actor, Order::RequestConsultation { to: c, text });
            }
        }
        // High tension: reach for the hotline, more readily the more restrained the state.
        // Only once something has happened: a pair whose baseline alone is tense has
        // nothing to talk down.
        let baseline = {
            let t = &fx.tensions;
            t.h0[s * t.n + b].max(t.h0[b * t.n + s])
        };
        if level >= k::DEESCALATE_FROM
            && level >= baseline + k::SETTLED_WITHIN
            && hotline_ok
            && step_due(fx, s, b, Step::Hotline, six_hours)
            && chance(fx, k::HOTLINE_RATE * k::hotline_willingness(posture))
        {
            fx.minds.0[s].steps.insert((Step::Hotline, b), tick);
            issue(fx, actor, Order::HotlineCall { state: b });
        }
        // Accused by b: restrained and cautious states state restraint.
        if accused_by_b && posture != Posture::Assertive && step_due(fx, s, b, Step::Restraint, day)
        {
            fx.minds.0[s].steps.insert((Step::Restraint, b), tick);
            issue(fx, actor, Order::RestraintStatement);
        }
    }
}

/// Keeps, per (incident, candidate), since when the state's belief has been at or above
/// its blame threshold.
fn deliberate(fx: &mut Effects, s: usize, theta: f64, tick: u32, scratch: &mut DoctrineScratch) {
    if scratch.deliberated.len() <= s {
        scratch.deliberated.resize(s + 1, None);
    }
    let revision = fx.minds.0[s].belief_revision;
    if scratch.deliberated[s] == Some((revision, theta)) {
        return;
    }
    scratch.deliberated[s] = Some((revision, theta));
    let m = &mut fx.minds.0[s];
    let confident = &mut scratch.pairs;
    confident.clear();
    confident.extend(
        m.beliefs
            .iter()
            .filter(|(_, b)| b.formed)
            .flat_map(|(&inc, b)| {
                b.p.iter()
                    .enumerate()
                    .filter(|(_, p)| **p >= theta)
                    .map(move |(j, _)| (inc, j))
            }),
    );
    m.confident_since.retain(|key, _| confident.contains(key));
    for &key in confident.iter() {
        m.confident_since.entry(key).or_insert(tick);
    }
}

/// Whether a public attribution of `candidate` for `inc` is ripe: the belief has held for the
/// deliberation time and rests on enough credited items.
fn ripe(fx: &Effects, m: &Mind, inc: usize, candidate: usize) -> bool {
    let clock = &fx.clock;
    let held_for = clock.ticks_for((k::ATTRIBUTION_DELIBERATION_H * 60.0) as u32);
    m.confident_since
        .get(&(inc, candidate))
        .is_some_and(|&t| clock.tick >= t + held_for)
        && fx.incidents.0[inc]
            .evidence
            .iter()
            .filter(|id| m.evidence.get(id).is_some_and(|h| !h.discounted))
            .count()
            >= k::ATTRIBUTION_MIN_ITEMS
}

/// A state names a non-state group publicly once its belief that the group attacked it
/// reaches its blame threshold (no tension follows: there is no state to be hostile to).
fn name_groups(
    fx: &mut Effects,
    region: &Region,
    s: usize,
    theta: f64,
    scratch: &mut DoctrineScratch,
) {
    if region.groups.is_empty() {
        return;
    }
    let m = &fx.minds.0[s];
    if scratch.no_group_at.len() <= s {
        scratch.no_group_at.resize(s + 1, None);
    }
    if scratch.no_group_at[s] == Some((m.belief_revision, theta, m.accused.len())) {
        return;
    }
    let candidate = |inc: usize, j: usize, p: f64| {
        p >= theta && region.group_actor(j).is_some() && !m.accused.contains(&(inc, j))
    };
    if !m
        .beliefs
        .iter()
        .filter_map(|(&inc, b)| b.top().map(|(j, p)| (inc, j, p)))
        .any(|(inc, j, p)| candidate(inc, j, p))
    {
        scratch.no_group_at[s] = Some((m.belief_revision, theta, m.accused.len()));
        return;
    }
    scratch.no_group_at[s] = None;
    scratch.pairs.clear();
    scratch.pairs.extend(
        m.beliefs
            .iter()
            .filter_map(|(&inc, b)| b.top().map(|(j, p)| (inc, j, p)))
            .filter(|&(inc, j, p)| candidate(inc, j, p) && ripe(fx, m, inc, j))
            .map(|(inc, j, _)| (inc, j)),
    );
    for i in 0..scratch.pairs.len() {
        let (inc, j) = scratch.pairs[i];
        if fx.incidents.0[inc].victim != s || !chance(fx, k::DIPLOMATIC_STEP_RATE) {
            continue;
        }
        issue(
            fx,
            Actor::state(s),
            Order::PublicAttribution {
                incident: inc,
                blame: j,
            },
        );
    }
}

/// The national CERT (other than `s`'s) with the highest analyse capacity among `states`.
fn most_capable_cert(region: &Region, states: impl Iterator<Item = usize>) -> Option<usize> {
    states
        .filter_map(|o| region.states[o].cert)
        .fold(None, |best: Option<usize>, c| match best {
            Some(b) if region.orgs[b].capacity.analyse >= region.orgs[c].capacity.analyse => {
                Some(b)
            }
            _ => Some(c),
        })
}

/// The asset an engine state would hit: the most critical one of the other state that is not
/// a safe zone (and, for a cautious state, not in one of the other's red-line sectors).
fn retaliation_target(region: &Region, b: usize, posture: Posture) -> Option<usize> {
    let other = &region.states[b];
    region
        .assets
        .iter()
        .enumerate()
        .filter(|(_, a)| a.state == b && !a.safe_zone)
        .filter(|(_, a)| {
            posture == Posture::Assertive || !other.red_line_sectors.contains(&a.sector)
        })
        .max_by(|x, y| {
            x.1.criticality
                .total_cmp(&y.1.criticality)
                .then(y.0.cmp(&x.0))
        })
        .map(|(i, _)| i)
}
