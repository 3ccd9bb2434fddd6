//! Model experiments: each switches one feature of a small controlled region on and off,
//! runs 200 seeds of each variant headless, and asserts the direction of the effect the
//! model is meant to produce (docs/model.md). They are about the model, not exact numbers.

use cyberdrill::scenario::{self, InjectKind, Scenario, WorldChange};
use cyberdrill::sim::{Outcome, Sim};
use rayon::prelude::*;

const SEEDS: u64 = 200;

fn region() -> Scenario {
    let text = std::fs::read_to_string("tests/fixtures/experiment.ron").expect("fixture");
    scenario::from_str("tests/fixtures/experiment.ron", &text).expect("fixture is valid")
}

fn outcomes(scenario: &Scenario) -> Vec<Outcome> {
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

/// Varo ends up suspecting (or has publicly blamed) Nedra for the intrusion.
fn varo_blames_nedra(o: &Outcome) -> bool {
    o.blame.iter().any(|b| {
        b.state == "varo"
            && b.incident == "intrusion-bank"
            && (b.blamed == "nedra" || b.public.as_deref() == Some("nedra"))
    })
}

/// Varo's top suspect for the intrusion is not the true sponsor.
fn varo_wrong(o: &Outcome) -> bool {
    o.blame
        .iter()
        .any(|b| b.state == "varo" && b.incident == "intrusion-bank" && !b.correct)
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
    // Clearance delays the evidence a capable partner could correct, so Varo's ministry more
    // often accuses on planted evidence before the correction arrives.
    let wrongful = |o: &Outcome| o.wrongful_attributions > 0;
    let wrong_free = share(&outcomes(&free), wrongful);
    let wrong_controlled = share(&outcomes(&controlled), wrongful);
    eprintln!(
        "wrongful public attribution: control 0 {wrong_free:.2}, control 1 {wrong_controlled:.2}"
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
