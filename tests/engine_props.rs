//! Property tests of the engine over seeds: the flagship is run to the end, and every few
//! ticks the ground truth (`facilitator_view`) and the outcome are checked for invariants:
//! inoperability, beliefs and tensions within their ranges, beliefs summing to one, and
//! message accounting. A second property throws random (often invalid) commands at a
//! people-played run: they are accepted or refused with an error, never a panic, and the run
//! goes on to the end.

use cyberdrill::scenario::InjectKind;
use cyberdrill::sim::{Command, MessageStatus, Sim, Tlp};
use proptest::prelude::*;
use std::sync::OnceLock;

fn flagship() -> &'static cyberdrill::scenario::Valid {
    static SCENARIO: OnceLock<cyberdrill::scenario::Valid> = OnceLock::new();
    SCENARIO.get_or_init(|| {
        let b = cyberdrill::builtin::find("flagship").expect("built-in flagship");
        cyberdrill::scenario::from_str(b.file, b.source).expect("flagship is valid")
    })
}

/// The state whose asset an incident (by id) attacks: the scripted ones from the scenario,
/// a retaliation from its target asset (unknown here: none).
fn incident_victim(scenario: &cyberdrill::scenario::Valid, incident: &str) -> Option<String> {
    scenario.injects.iter().find_map(|i| match &i.kind {
        InjectKind::Incident { target, .. } if i.id == incident => scenario
            .assets
            .iter()
            .find(|a| &a.id == target)
            .map(|a| a.state.clone()),
        _ => None,
    })
}

/// Checks the invariants of the world as it is now; `what` says where (seed and tick).
fn check_invariants(sim: &Sim, scenario: &cyberdrill::scenario::Valid, what: &str) {
    let view = sim.facilitator_view();
    assert_eq!(view.assets.len(), scenario.assets.len(), "{what}");
    for asset in &view.assets {
        assert!(
            (0.0..=1.0).contains(&asset.inoperability),
            "{what}: inoperability of {} is {}",
            asset.id,
            asset.inoperability
        );
    }
    // States, the named non-state groups, and an unknown non-state actor.
    let groups = scenario
        .actors
        .iter()
        .filter(|a| a.kind != cyberdrill::scenario::ActorKind::StateUnit)
        .count();
    let n_candidates = scenario.states.len() + groups + 1;
    for belief in &view.beliefs {
        let (state, incident, probs) = (&belief.state, &belief.incident, &belief.probabilities);
        assert_eq!(
            probs.len(),
            n_candidates,
            "{what}: {state}'s belief on {incident} has the wrong number of candidates"
        );
        let sum: f64 = probs.iter().map(|(_, p)| p).sum();
        assert!(
            (sum - 1.0).abs() <= 1e-9,
            "{what}: {state}'s beliefs on {incident} sum to {sum}: {probs:?}"
        );
        for (candidate, p) in probs {
            assert!(
                p.is_finite() && (0.0..=1.0).contains(p),
                "{what}: {state}'s belief that {candidate} did {incident} is {p}"
            );
        }
        // No state ever suspects itself, nor the victim of the attack.
        let own = probs.iter().find(|(c, _)| c == state).map_or(0.0, |x| x.1);
        assert_eq!(own, 0.0, "{what}: {state} suspects itself of {incident}");
        let victim = incident_victim(scenario, incident);
        if let Some(victim) = victim {
            let p = probs
                .iter()
                .find(|(c, _)| *c == victim)
                .map_or(0.0, |x| x.1);
            assert_eq!(
                p, 0.0,
                "{what}: {state} suspects the victim {victim} of {incident}"
            );
        }
    }
    let n = scenario.states.len();
    assert_eq!(view.pairs.len(), n * (n - 1) / 2, "{what}");
    for pair in &view.pairs {
        for (dir, h) in [("a_to_b", pair.a_to_b), ("b_to_a", pair.b_to_a)] {
            assert!(
                h.is_finite() && (0.0..=1.0).contains(&h),
                "{what}: tension {dir} of {}–{} is {h}",
                pair.a,
                pair.b
            );
        }
        assert!(pair.peak >= pair.rung, "{what}: {pair:?}");
    }

    // Message accounting. Every message in the mailroom is listed, with its id as its
    // position (so none is lost or duplicated), and each has a status.
    for (i, m) in view.messages.iter().enumerate() {
        assert_eq!(m.0, i, "{what}: message ids are not the mailroom positions");
    }
    let outcome = sim.outcome();
    let stats = &outcome.messages;
    assert_eq!(
        stats.sent,
        stats.delivered + stats.bounced + stats.in_transit,
        "{what}: message accounting is off: {stats:?}"
    );
    assert!(stats.acknowledged <= stats.delivered, "{what}: {stats:?}");
    // The outcome counts the messages organisations sent (not exercise control's): check its
    // figures against the facilitator's list of every message.
    let is_org = |from: &str| scenario.organisations.iter().any(|o| o.id == from);
    let player: Vec<_> = view.messages.iter().filter(|m| is_org(&m.1)).collect();
    let count = |f: &dyn Fn(MessageStatus) -> bool| player.iter().filter(|m| f(m.4)).count();
    assert_eq!(stats.sent, player.len(), "{what}");
    assert_eq!(
        stats.delivered,
        count(&|s| matches!(s, MessageStatus::Delivered | MessageStatus::Acknowledged)),
        "{what}"
    );
    assert_eq!(
        stats.acknowledged,
        count(&|s| s == MessageStatus::Acknowledged),
        "{what}"
    );
    assert_eq!(
        stats.bounced,
        count(&|s| s == MessageStatus::Bounced),
        "{what}"
    );
    assert_eq!(
        stats.in_transit,
        count(&|s| matches!(
            s,
            MessageStatus::AwaitingClearance | MessageStatus::InTransit | MessageStatus::Queued
        )),
        "{what}"
    );
    // Messages from exercise control are delivered at once and never bounce.
    for m in view.messages.iter().filter(|m| !is_org(&m.1)) {
        assert!(
            matches!(m.4, MessageStatus::Delivered | MessageStatus::Acknowledged),
            "{what}: control message {m:?}"
        );
    }
    if let Some(median) = stats.median_minutes_to_ack {
        assert!(median >= 0.0 && stats.acknowledged > 0, "{what}: {stats:?}");
    }
    assert!(
        stats.acked_within_1h <= stats.acked_within_2h
            && stats.acked_within_2h <= stats.acked_within_4h
            && stats.acked_within_4h <= 1.0,
        "{what}: {stats:?}"
    );
    assert_eq!(outcome.minutes, view.minute, "{what}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// A headless flagship run (the engine plays every team) keeps its invariants at every
    /// few ticks and at the end.
    #[test]
    fn flagship_invariants_hold_over_seeds(seed in any::<u64>(), every in 3u32..8) {
        let scenario = flagship();
        let mut sim = Sim::headless(scenario, seed);
        check_invariants(&sim, scenario, &format!("seed {seed}, start"));
        let mut last_minute = 0;
        while sim.step() {
            if sim.tick().is_multiple_of(every) {
                check_invariants(&sim, scenario, &format!("seed {seed}, tick {}", sim.tick()));
                let now = sim.facilitator_view().minute;
                prop_assert!(now > last_minute);
                last_minute = now;
            }
        }
        check_invariants(&sim, scenario, &format!("seed {seed}, end"));
        // No pair changes rung twice within the dwell time, and it moves one rung at a time.
        let dwell = (cyberdrill::sim::constants::RUNG_DWELL_H * 60.0) as u32;
        let mut last: std::collections::BTreeMap<(usize, usize), u32> = Default::default();
        for e in sim.events() {
            if let cyberdrill::sim::EventKind::RungChanged { a, b, from, to, .. } = &e.kind {
                let minute = e.tick * sim.tick_minutes();
                if let Some(before) = last.insert((*a, *b), minute) {
                    prop_assert!(minute >= before + dwell, "seed {seed}: {a}-{b} changed at {before} and {minute}");
                }
                prop_assert_eq!(from.level().abs_diff(to.level()), 1, "seed {}: a jump {:?} → {:?}", seed, from, to);
            }
        }
        prop_assert!(sim.is_over());
        prop_assert_eq!(sim.tick(), sim.end_tick());
        prop_assert!(!sim.step(), "step after the end did something");
        let outcome = sim.outcome();
        prop_assert!(outcome.finished);
        prop_assert_eq!(outcome.seed, seed);
        prop_assert_eq!(outcome.minutes, 48 * 60);
        // Every scripted incident that is due fired; every incident has a culprit.
        for i in &outcome.incidents {
            prop_assert!(!i.culprit.is_empty());
            if let (Some(d), Some(c)) = (i.detected_minute, i.contained_minute) {
                prop_assert!(c >= d, "{i:?}");
            }
        }
        for b in &outcome.blame {
            prop_assert!((0.0..=1.0).contains(&b.probability), "{b:?}");
        }
        for d in outcome.downtime.values() {
            prop_assert!(d.is_finite() && *d >= 0.0);
        }
    }

    /// The same holds when people play the teams and do nothing (the engine plays the rest).
    #[test]
    fn idle_teams_keep_the_invariants(seed in any::<u64>()) {
        let scenario = flagship();
        let mut sim = Sim::new(scenario, seed);
        while sim.step() {
            if sim.tick().is_multiple_of(6) {
                check_invariants(&sim, scenario, &format!("play seed {seed}, tick {}", sim.tick()));
            }
        }
        check_invariants(&sim, scenario, &format!("play seed {seed}, end"));
    }
}

/// The pieces random commands are made from: real ids of every kind, and junk.
struct Pieces {
    contacts: Vec<String>,
    assets: Vec<String>,
    incidents: Vec<String>,
    states: Vec<String>,
    teams: Vec<String>,
}

fn pieces(scenario: &cyberdrill::scenario::Valid) -> Pieces {
    let junk = [
        "",
        "nope",
        "team-varesh",
        "VAR-CERT-DESK",
        "var-cert-desk ",
        "🦀",
    ];
    let mut contacts: Vec<String> = scenario.contacts.iter().map(|c| c.id.clone()).collect();
    let mut assets: Vec<String> = scenario.assets.iter().map(|a| a.id.clone()).collect();
    let mut incidents: Vec<String> = scenario
        .injects
        .iter()
        .filter(|i| matches!(i.kind, InjectKind::Incident { .. }))
        .map(|i| i.id.clone())
        .collect();
    incidents.extend(["retaliation-1", "retaliation-7", "brief-varesh"].map(String::from));
    let mut states: Vec<String> = scenario.states.iter().map(|s| s.id.clone()).collect();
    states.push("non-state".into());
    for list in [&mut contacts, &mut assets, &mut incidents, &mut states] {
        list.extend(junk.iter().map(|s| s.to_string()));
    }
    // Ids of the wrong kind.
    contacts.push("var-grid".into());
    assets.push("var-cert-desk".into());
    states.push("var-cert".into());
    Pieces {
        contacts,
        assets,
        incidents,
        states,
        teams: scenario.teams.iter().map(|t| t.id.clone()).collect(),
    }
}

/// Raw random choices; turned into a `Command` with [`build`].
type Choice = (u8, [usize; 3], u8, usize, bool);

fn build(p: &Pieces, (action, ix, level, message, flag): Choice) -> Command {
    let pick = |list: &[String], i: usize| list[i % list.len()].clone();
    let contact = pick(&p.contacts, ix[0]);
    let incident = pick(&p.incidents, ix[1]);
    let tlp = [Tlp::Clear, Tlp::Green, Tlp::Amber, Tlp::Red][ix[2] % 4];
    let to: Vec<String> = if flag {
        (0..1 + ix[2] % 3)
            .map(|k| pick(&p.contacts, ix[0] + k * 7))
            .collect()
    } else if ix[2] % 5 == 0 {
        Vec::new()
    } else {
        vec![contact.clone()]
    };
    let text = "test".repeat(ix[2] % 4);
    match action % 15 {
        0 => Command::Notify {
            to,
            incident: flag.then_some(incident),
            text,
        },
        1 => Command::ShareEvidence {
            to,
            incident,
            level: tlp,
        },
        2 => Command::RequestAssistance {
            to: contact,
            incident,
        },
        3 => Command::RequestConsultation { to: contact, text },
        4 => Command::Acknowledge { message },
        5 => Command::Demarche { to: contact, text },
        6 => Command::PublicAttribution {
            incident,
            blame: pick(&p.states, ix[2]),
        },
        7 => Command::RestraintStatement { text },
        8 => Command::HotlineCall {
            state: pick(&p.states, ix[0]),
        },
        9 => Command::ConveneRegional {
            incident: flag.then_some(incident),
        },
        10 => Command::RequestTakedown {
            to: contact,
            incident,
        },
        11 => Command::Retaliate {
            target: pick(&p.assets, ix[0]),
        },
        12 => Command::Isolate {
            asset: pick(&p.assets, ix[0]),
        },
        13 => Command::Restore {
            asset: pick(&p.assets, ix[0]),
        },
        _ => Command::RaiseAlert { level },
    }
}

fn choice() -> impl Strategy<Value = Choice> {
    (
        any::<u8>(),
        [0usize..64, 0usize..64, 0usize..64],
        0u8..10,
        0usize..300,
        any::<bool>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random commands from real teams, at random ticks: each is accepted or refused with a
    /// `CommandError`; nothing panics (submit, step, views, outcome) and the run reaches its
    /// end.
    #[test]
    fn random_commands_never_panic(
        seed in any::<u64>(),
        plan in prop::collection::vec((0u32..580, 0usize..3, choice()), 1..60),
    ) {
        let scenario = flagship();
        let p = pieces(scenario);
        let mut plan = plan;
        let submitted = plan.len();
        plan.sort_by_key(|(tick, _, _)| *tick);
        let mut sim = Sim::new(scenario, seed);
        let (mut accepted, mut refused) = (0, 0);
        for (tick, team, raw) in plan {
            while sim.tick() < tick && sim.step() {
                if sim.tick().is_multiple_of(50) {
                    for t in &p.teams {
                        prop_assert!(sim.team_view(t).is_ok());
                    }
                }
            }
            let team = &p.teams[team % p.teams.len()];
            let command = build(&p, raw);
            match sim.submit(team, command.clone()) {
                Ok(()) => accepted += 1,
                Err(e) => {
                    refused += 1;
                    prop_assert!(!e.to_string().is_empty(), "{command:?}: empty error");
                    if sim.is_over() {
                        prop_assert_eq!(e, cyberdrill::sim::CommandError::ExerciseOver);
                    }
                }
            }
            // An unknown team is always refused.
            prop_assert!(sim.submit("team-nobody", command).is_err());
        }
        sim.run_to_end();
        prop_assert!(sim.is_over());
        prop_assert_eq!(sim.tick(), sim.end_tick());
        for t in &p.teams {
            let view = sim.team_view(t);
            prop_assert!(view.is_ok());
            serde_json::to_string(&view.unwrap()).expect("team view serialises");
        }
        check_invariants(&sim, scenario, &format!("random commands, seed {seed}"));
        let outcome = sim.outcome();
        prop_assert!(outcome.finished);
        serde_json::to_string(&outcome).expect("outcome serialises");
        prop_assert_eq!(accepted + refused, submitted);
        prop_assert!(!sim.events().is_empty());
    }
}

/// Commands a team could sensibly make, each applied: a sanity check that the property above
/// is not vacuous (that valid commands are accepted).
#[test]
fn valid_commands_are_accepted() {
    let scenario = flagship();
    let mut sim = Sim::new(scenario, 5);
    sim.step();
    let ok = |sim: &mut Sim, team: &str, c: Command| {
        sim.submit(team, c.clone())
            .unwrap_or_else(|e| panic!("{team} {c:?} refused: {e}"));
    };
    ok(
        &mut sim,
        "team-varesh",
        Command::Notify {
            to: vec!["tor-cert-desk".into()],
            incident: None,
            text: "hi".into(),
        },
    );
    ok(&mut sim, "team-varesh", Command::RaiseAlert { level: 3 });
    ok(
        &mut sim,
        "team-kelmora",
        Command::HotlineCall {
            state: "varesh".into(),
        },
    );
    ok(
        &mut sim,
        "team-toravia",
        Command::Isolate {
            asset: "tor-grid".into(),
        },
    );
    ok(
        &mut sim,
        "team-kelmora",
        Command::RestraintStatement {
            text: "calm".into(),
        },
    );
    // And refusals say why.
    let refuse = |sim: &mut Sim, team: &str, c: Command| {
        assert!(
            sim.submit(team, c.clone()).is_err(),
            "{team} {c:?} accepted"
        );
    };
    refuse(&mut sim, "team-varesh", Command::RaiseAlert { level: 4 });
    refuse(
        &mut sim,
        "team-toravia",
        Command::Isolate {
            asset: "var-grid".into(),
        },
    );
    refuse(
        &mut sim,
        "team-varesh",
        Command::HotlineCall {
            state: "varesh".into(),
        },
    );
    refuse(
        &mut sim,
        "team-varesh",
        Command::Notify {
            to: vec![],
            incident: None,
            text: String::new(),
        },
    );
    refuse(
        &mut sim,
        "team-varesh",
        Command::Acknowledge { message: 9999 },
    );
    sim.run_to_end();
    assert!(sim.outcome().messages.sent >= 1);
    refuse(&mut sim, "team-varesh", Command::RaiseAlert { level: 1 });
}
