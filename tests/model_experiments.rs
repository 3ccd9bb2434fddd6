//! Model experiments: each switches one feature of a small controlled region on and off,
//! runs 300 seeds of each variant headless, and asserts the direction of the effect the
//! model is meant to produce (docs/model.md). They are about the model, not exact numbers;
//! each prints what it measured (`cargo test --test model_experiments -- --nocapture`).

use cyberdrill::scenario::{self, InjectKind, Scenario, Valid, WorldChange};
use cyberdrill::sim::{MessageKind, Outcome, Sim};
use rayon::prelude::*;

const SEEDS: u64 = 300;

fn region() -> Scenario {
    let text = std::fs::read_to_string("tests/fixtures/experiment.ron").expect("fixture");
    scenario::from_str("tests/fixtures/experiment.ron", &text)
        .expect("fixture is valid")
        .into_inner()
}

/// A variant checked as the engine requires: each experiment's change must leave a valid
/// scenario.
fn checked(scenario: &Scenario) -> Valid {
    Valid::check(scenario.clone()).unwrap_or_else(|e| panic!("the variant is invalid: {e:?}"))
}

fn outcomes(scenario: &Scenario) -> Vec<Outcome> {
    let scenario = &checked(scenario);
    (0..SEEDS)
        .into_par_iter()
        .map(|seed| {
            let mut sim = Sim::headless(scenario, seed);
            sim.run_to_end();
            sim.outcome()
        })
        .collect()
}

fn share(outcomes: &[Outcome], pred: impl Fn(&Outcome) -> bool) -> f64 {
    outcomes.iter().filter(|o| pred(o)).count() as f64 / outcomes.len() as f64
}

/// Runs each seed and hands the finished run to `f` (for measures beyond the outcome).
fn runs_with<T: Send>(scenario: &Scenario, f: impl Fn(&Sim) -> T + Sync) -> Vec<T> {
    let scenario = &checked(scenario);
    (0..SEEDS)
        .into_par_iter()
        .map(|seed| {
            let mut sim = Sim::headless(scenario, seed);
            sim.run_to_end();
            f(&sim)
        })
        .collect()
}

/// Varo ends up suspecting (or has publicly blamed) Nedra for the intrusion.
fn varo_blames_nedra(o: &Outcome) -> bool {
    o.blame.iter().any(|b| {
        b.state == "varo"
            && b.incident == "intrusion-bank"
            && (b.blamed.as_deref() == Some("nedra") || b.public.as_deref() == Some("nedra"))
    })
}

/// Varo's top suspect for the intrusion is not the true sponsor.
fn varo_wrong(o: &Outcome) -> bool {
    o.blame
        .iter()
        .any(|b| b.state == "varo" && b.incident == "intrusion-bank" && b.correct == Some(false))
}

fn org<'a>(s: &'a mut Scenario, id: &str) -> &'a mut scenario::Organisation {
    s.organisations
        .iter_mut()
        .find(|o| o.id == id)
        .expect("organisation in the fixture")
}

#[test]
fn a_false_flag_raises_blame_on_the_flagged_innocent() {
    let with_flag = region();
    let mut without = region();
    without.actors[0].false_flag = None;
    let flagged = share(&outcomes(&with_flag), varo_blames_nedra);
    let unflagged = share(&outcomes(&without), varo_blames_nedra);
    eprintln!("Varo blames Nedra: with false flag {flagged:.2}, without {unflagged:.2}");
    assert!(
        flagged > unflagged + 0.15,
        "false flag {flagged} vs none {unflagged}"
    );
}

#[test]
fn lower_government_control_lowers_wrongful_blame() {
    let free = region();
    let mut controlled = region();
    controlled.states[0].government_control = 1.0;
    // Clearance delays the evidence Varo shares with the capable partner, so the partner's
    // correction of planted items comes later, and Varo still suspects the wrong state at the
    // end more often.
    let wrong_free = share(&outcomes(&free), varo_wrong);
    let wrong_controlled = share(&outcomes(&controlled), varo_wrong);
    eprintln!(
        "Varo suspects the wrong state at the end: control 0 {wrong_free:.2}, control 1 {wrong_controlled:.2}"
    );
    assert!(
        wrong_free + 0.03 < wrong_controlled,
        "control 0: {wrong_free}, control 1: {wrong_controlled}"
    );
}

#[test]
fn evidence_sharing_with_a_capable_cert_lowers_wrongful_blame() {
    let sharing = region();
    let mut alone = region();
    // Without Aster's CERT in the region, Varo has no capable partner to share with.
    alone.organisations.retain(|o| o.id != "aster-cert");
    alone.contacts.retain(|c| c.organisation != "aster-cert");
    let wrong_sharing = share(&outcomes(&sharing), varo_wrong);
    let wrong_alone = share(&outcomes(&alone), varo_wrong);
    eprintln!(
        "Varo suspects the wrong state: with a partner {wrong_sharing:.2}, alone {wrong_alone:.2}"
    );
    assert!(
        wrong_sharing + 0.05 < wrong_alone,
        "partner {wrong_sharing}, alone {wrong_alone}"
    );
}

#[test]
fn a_hotline_lowers_how_often_the_top_rungs_are_reached() {
    use cyberdrill::scenario::Rung;
    let with_hotline = region();
    let mut without = region();
    without.relations[0].hotline = false;
    let high = |o: &Outcome| o.peak_rung >= Rung::Sanctions;
    let with = share(&outcomes(&with_hotline), high);
    let none = share(&outcomes(&without), high);
    eprintln!("peak at Sanctions or above: with hotline {with:.2}, without {none:.2}");
    assert!(with + 0.05 < none, "hotline {with}, none {none}");
}

#[test]
fn knocking_out_energy_raises_inoperability_of_dependent_assets() {
    let calm = region();
    let mut outage = region();
    outage.injects.push(scenario::Inject {
        id: "grid-down".into(),
        at: Some(scenario::Span::from_minutes(120)),
        when: None,
        until: None,
        kind: InjectKind::World(WorldChange::Outage {
            asset: "varo-grid".into(),
            inoperability: 0.9,
        }),
    });
    let telecom = |runs: &[Outcome]| {
        runs.iter()
            .map(|o| o.downtime.get("Telecom").copied().unwrap_or(0.0))
            .sum::<f64>()
            / runs.len() as f64
    };
    let finance = |runs: &[Outcome]| {
        runs.iter()
            .map(|o| o.downtime.get("Finance").copied().unwrap_or(0.0))
            .sum::<f64>()
            / runs.len() as f64
    };
    let (a, b) = (outcomes(&calm), outcomes(&outage));
    eprintln!(
        "telecom downtime {:.2} → {:.2}; finance {:.2} → {:.2}",
        telecom(&a),
        telecom(&b),
        finance(&a),
        finance(&b)
    );
    assert!(telecom(&b) > telecom(&a) + 1.0);
    assert!(finance(&b) > finance(&a) + 0.5);
}

/// Item 1: analytic capacity counts where the work is done: a weaker analysing CERT (the other
/// organisations untouched, no capable partner to help) gets the attribution right less
/// often; with a capable partner in the region it asks for assistance.
#[test]
fn a_weaker_analysing_cert_gets_attribution_right_less_often_and_asks_for_help() {
    let alone = |analyse: f64| {
        let mut s = region();
        s.organisations.retain(|o| o.id != "aster-cert");
        s.contacts.retain(|c| c.organisation != "aster-cert");
        org(&mut s, "varo-cert").capacity.analyse = Some(analyse);
        s
    };
    let right = |o: &Outcome| {
        o.blame
            .iter()
            .any(|b| b.state == "varo" && b.incident == "intrusion-bank" && b.correct == Some(true))
    };
    let right_strong = share(&outcomes(&alone(0.9)), right);
    let right_weak = share(&outcomes(&alone(0.1)), right);
    let asked = |analyse: f64| {
        let mut s = region();
        org(&mut s, "varo-cert").capacity.analyse = Some(analyse);
        let asked = runs_with(&s, |sim| {
            sim.facilitator_view()
                .message_log
                .iter()
                .any(|m| m.kind == MessageKind::RequestAssistance)
        });
        asked.iter().filter(|a| **a).count() as f64 / asked.len() as f64
    };
    let (ask_strong, ask_weak) = (asked(0.9), asked(0.1));
    eprintln!(
        "Varo's top suspect is the true sponsor: analyse 0.9 {right_strong:.2}, 0.1 {right_weak:.2}; it asks for assistance: {ask_strong:.2}, {ask_weak:.2}"
    );
    assert!(
        right_weak + 0.05 < right_strong,
        "{right_weak} vs {right_strong}"
    );
    assert!(
        ask_weak > 0.8 && ask_strong < 0.05,
        "{ask_strong} vs {ask_weak}"
    );
}

/// Item 2: an advanced neighbour that watches a weak state's asset gives it notice: the weak
/// state knows of the attack sooner.
#[test]
fn a_neighbours_notice_shortens_the_weak_certs_time_to_know() {
    let mut alone = region();
    org(&mut alone, "varo-cert").capacity.detect = Some(0.15);
    let mut watched = alone.clone();
    org(&mut watched, "aster-cert").watches = vec!["varo-bank".into()];
    let measure = |sim: &Sim| {
        let view = sim.team_view("team-varo").expect("team");
        let known = view
            .incidents
            .iter()
            .find(|i| i.id == "intrusion-bank")
            .map(|i| i.since_minute);
        let noticed = sim.facilitator_view().message_log.iter().any(|m| {
            m.from.as_deref() == Some("aster-cert")
                && m.to_contact == "c-varo-cert"
                && m.kind == MessageKind::Notify
        });
        (known, noticed)
    };
    let (a, b) = (runs_with(&alone, measure), runs_with(&watched, measure));
    // Minutes from the intrusion's start (+3h) to Varo knowing; never: the whole run.
    let mean_wait = |v: &[(Option<u32>, bool)]| {
        v.iter()
            .map(|x| f64::from(x.0.map_or(27 * 60, |m| m.saturating_sub(180))))
            .sum::<f64>()
            / v.len() as f64
    };
    let noticed = b.iter().filter(|x| x.1).count() as f64 / b.len() as f64;
    let (wait_alone, wait_watched) = (mean_wait(&a), mean_wait(&b));
    eprintln!(
        "Varo knows of the intrusion after {wait_alone:.0} min alone, {wait_watched:.0} min when Aster watches (Aster notified Varo in {noticed:.2} of runs)"
    );
    assert!(noticed > 0.8, "{noticed}");
    assert!(
        wait_watched + 60.0 < wait_alone,
        "{wait_watched} vs {wait_alone}"
    );
}

/// Item 3: named groups are suspects of their own and a claim is evidence of its own: a false
/// claim naming a hacktivist group shifts blame for the DDoS to that group.
#[test]
fn a_false_claim_naming_a_group_shifts_blame_to_that_group() {
    let mut base = region();
    base.actors.push(scenario::Actor {
        id: "free-nedra".into(),
        name: "Free Nedra Front".into(),
        kind: scenario::ActorKind::Hacktivist,
        sponsor: None,
        skill: 0.3,
        false_flag: None,
        known_as: None,
    });
    let mut claimed = base.clone();
    claimed.injects.push(scenario::Inject {
        id: "claim".into(),
        at: Some(scenario::Span::from_minutes(90)),
        when: None,
        until: None,
        kind: InjectKind::News {
            headline: "Free Nedra Front claims the bank outage".into(),
            body: String::new(),
            about: Some("ddos-bank".into()),
            evidence: vec![scenario::EvidenceSpec {
                kind: scenario::EvidenceKind::Claim,
                points_to: scenario::Candidate::Group("free-nedra".into()),
                reliability: 0.7,
                planted: true,
                after: None,
            }],
        },
    });
    // Varo's top suspect four hours in, before the traces that tell the truth pile up (by
    // the end they usually have: the claim misleads, for a while).
    let at_four_hours = |s: &Scenario| {
        let s = &checked(s);
        let named: Vec<bool> = (0..SEEDS)
            .into_par_iter()
            .map(|seed| {
                let mut sim = Sim::headless(s, seed);
                while sim.minute() < 240 && sim.step() {}
                let view = sim.team_view("team-varo").expect("team");
                view.incidents
                    .iter()
                    .find(|i| i.id == "ddos-bank")
                    .and_then(|i| i.beliefs.first())
                    .is_some_and(|(who, _)| who == "Free Nedra Front")
            })
            .collect();
        named.iter().filter(|x| **x).count() as f64 / named.len() as f64
    };
    let without = at_four_hours(&base);
    let with = at_four_hours(&claimed);
    eprintln!(
        "Varo's top suspect for the DDoS at +4h is the Free Nedra Front: no claim {without:.2}, false claim {with:.2}"
    );
    assert!(with > without + 0.3, "{without} vs {with}");
}

/// Item 4: with no evidence a state names no suspect (its belief is only the prior).
#[test]
fn without_evidence_no_suspect_is_named() {
    let mut quiet = region();
    for inject in &mut quiet.injects {
        if let InjectKind::Incident { .. } = inject.kind {
            inject.at = Some(scenario::Span::from_minutes(29 * 60 + 50));
        }
    }
    let named = share(&outcomes(&quiet), |o| {
        o.blame.iter().any(|b| b.blamed.is_some())
    });
    eprintln!("runs in which a suspect is named without evidence: {named:.2}");
    assert_eq!(named, 0.0);
}

/// Item 5: cyber-only crises rarely cross into force: with default (cautious) postures and no
/// hotline, the armed-conflict threshold is never reached, and Retaliation stays rare.
#[test]
fn armed_conflict_stays_rare_in_a_cyber_only_crisis_with_default_postures() {
    use cyberdrill::scenario::{Posture, Rung};
    let mut s = region();
    for state in &mut s.states {
        state.posture = Posture::Cautious;
    }
    s.relations[0].hotline = false;
    let runs = outcomes(&s);
    let armed = share(&runs, |o| o.peak_rung >= Rung::ArmedConflict);
    let retaliation = share(&runs, |o| o.peak_rung >= Rung::Retaliation);
    let thrash = runs
        .iter()
        .map(|o| o.pairs.iter().map(|p| p.rung_changes).max().unwrap_or(0))
        .max()
        .unwrap_or(0);
    eprintln!(
        "cautious states, no hotline: armed conflict {armed:.3}, retaliation {retaliation:.3}, most rung changes of a pair in a run {thrash}"
    );
    assert_eq!(armed, 0.0);
    assert!(retaliation < 0.1, "{retaliation}");
    // 30 hours and a dwell of 4: at most 8 changes, and far fewer in practice.
    assert!(thrash <= 8, "{thrash}");
}

/// Item 6: stale contacts raise the time to acknowledge (censored: unacknowledged messages count
/// against, they are not left out of the measure).
#[test]
fn stale_contacts_lower_the_share_acknowledged_in_time() {
    // A regional body runs a communication check of every contact at the start (the
    // measure POC drills use).
    let mut fresh = region();
    fresh.organisations.push(scenario::Organisation {
        id: "forum-cct".into(),
        name: "Forum CERT team".into(),
        state: "aster".into(),
        kind: scenario::OrgKind::RegionalBody,
        capacity: Default::default(),
        watches: Vec::new(),
    });
    fresh.contacts.push(scenario::Contact {
        id: "c-forum".into(),
        organisation: "forum-cct".into(),
        name: String::new(),
        channel: scenario::Channel::Portal,
        address: String::new(),
        hours: scenario::Hours::Always,
        ack_delay: (10, 60),
        stale: false,
    });
    fresh.objectives.push(scenario::Objective {
        id: "comm-check".into(),
        title: "Every contact acknowledges within 2 hours".into(),
        team: None,
        criterion: scenario::Criterion::AcknowledgeWithin {
            contacts: Vec::new(),
            within: scenario::Span::from_minutes(120),
            share: 1.0,
            after: None,
            before: None,
            from: None,
            kinds: Vec::new(),
        },
    });
    let mut stale = fresh.clone();
    for c in &mut stale.contacts {
        if ["c-nedra-cert", "c-sabra-cert", "c-aster-mfa", "c-nedra-mfa"].contains(&c.id.as_str()) {
            c.stale = true;
        }
    }
    let within = |runs: &[Outcome]| {
        runs.iter().map(|o| o.messages.acked_within_2h).sum::<f64>() / runs.len() as f64
    };
    let median = |runs: &[Outcome]| {
        // A run with no median (fewer than half acknowledged) counts as the whole run.
        runs.iter()
            .map(|o| o.messages.median_minutes_to_ack.unwrap_or(30.0 * 60.0))
            .sum::<f64>()
            / runs.len() as f64
    };
    let (a, b) = (outcomes(&fresh), outcomes(&stale));
    eprintln!(
        "acknowledged within 2 h: fresh {:.2}, half stale {:.2}; median minutes {:.0} → {:.0}",
        within(&a),
        within(&b),
        median(&a),
        median(&b)
    );
    assert!(within(&b) + 0.1 < within(&a));
    assert!(median(&b) > median(&a));
}

/// Resilience damps what a dependency passes on: more resilient dependants lose less.
#[test]
fn resilience_cuts_cascade_downtime() {
    let with_outage = |resilience: f64| {
        let mut s = region();
        for a in &mut s.assets {
            a.resilience = resilience;
        }
        s.injects.push(scenario::Inject {
            id: "grid-down".into(),
            at: Some(scenario::Span::from_minutes(120)),
            when: None,
            until: None,
            kind: InjectKind::World(WorldChange::Outage {
                asset: "varo-grid".into(),
                inoperability: 0.9,
            }),
        });
        s
    };
    let telecom = |runs: &[Outcome]| {
        runs.iter()
            .map(|o| o.downtime.get("Telecom").copied().unwrap_or(0.0))
            .sum::<f64>()
            / runs.len() as f64
    };
    let (low, high) = (outcomes(&with_outage(0.5)), outcomes(&with_outage(0.9)));
    eprintln!(
        "telecom downtime after a grid outage: resilience 0.5 {:.2}, 0.9 {:.2}",
        telecom(&low),
        telecom(&high)
    );
    assert!(telecom(&high) < 0.6 * telecom(&low));
}
