//! The conditions that branch on what players (or the engine) do: each new inject fires
//! exactly when what it waits for has happened, and `until` lets a branch lapse.

use cyberdrill::scenario::from_str;
use cyberdrill::sim::Sim;

const EXTRA: &str = r#"
        (id: "t-failed", when: ObjectiveFailed("obj-detect-rtgs"), kind: News(headline: "failed")),
        (id: "t-contained", when: Contained("ddos-vcb"), kind: News(headline: "contained")),
        (id: "t-public", when: Attributed(by: "varesh", incident: "ddos-vcb", public: true), kind: News(headline: "public")),
        (id: "t-private", when: Attributed(by: "varesh", incident: "ddos-vcb", blame: "kelmora"), kind: News(headline: "private")),
        (id: "t-acked", when: MessageAcknowledged(from: "var-cert", to: "toravia"), kind: News(headline: "acked")),
        (id: "t-bounced", when: MessageBounced(from: "varesh", to: "lirria"), kind: News(headline: "bounced")),
        (id: "t-lapses", at: "1h", until: "2h", when: RungReached(between: ("varesh", "kelmora"), rung: Sanctions), kind: News(headline: "lapsed")),
"#;

/// The flagship with one more inject is an error with this code.
fn assert_inject_error(flagship: &str, inject: &str, code: &str) {
    let source = flagship.replacen(
        "    injects: [\n",
        &format!("    injects: [\n        {inject}\n"),
        1,
    );
    let checked = cyberdrill::scenario::check_bytes("f.ron", source.as_bytes());
    assert!(
        checked
            .diagnostics
            .iter()
            .any(|d| d.is_error() && d.code == code),
        "{inject}: {}",
        checked.render(false)
    );
}

fn scenario() -> cyberdrill::scenario::Valid {
    let b = cyberdrill::builtin::find("flagship").unwrap();
    let source = b
        .source
        .replacen("    injects: [\n", &format!("    injects: [\n{EXTRA}"), 1);
    assert_ne!(source, b.source, "the injects list was found");
    from_str("flagship-with-conditions.ron", &source).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn each_condition_fires_when_its_event_has_happened() {
    let s = scenario();
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    for seed in 0..12 {
        let mut sim = Sim::headless(&s, seed);
        sim.run_to_end();
        let o = sim.outcome();
        let fired = |id: &str| {
            o.injects
                .iter()
                .find(|i| i.id == id)
                .and_then(|i| i.fired_minute)
        };
        let tick = sim.tick_minutes();
        // Fired at the tick after the event at the latest (conditions are read each tick).
        let after = |event: Option<u32>, inject: Option<u32>, what: &str| match (event, inject) {
            (Some(e), Some(f)) => assert!(
                f >= e && f <= e + 2 * tick,
                "{what}: event {e}, fired {f} (seed {seed})"
            ),
            (None, None) => {}
            (e, f) => panic!("{what}: event {e:?} but fired {f:?} (seed {seed})"),
        };
        let failed = o
            .objectives
            .iter()
            .find(|x| x.id == "obj-detect-rtgs")
            .unwrap();
        after(
            (failed.status == "failed").then_some(failed.at_minute.unwrap()),
            fired("t-failed"),
            "ObjectiveFailed",
        );
        let ddos = o.incidents.iter().find(|i| i.id == "ddos-vcb").unwrap();
        after(ddos.contained_minute, fired("t-contained"), "Contained");
        let public = o
            .blame
            .iter()
            .find(|b| b.state == "varesh" && b.incident == "ddos-vcb");
        assert_eq!(
            public.is_some_and(|b| b.public.is_some()),
            fired("t-public").is_some(),
            "Attributed public (seed {seed})"
        );
        let log = sim.facilitator_view().message_log;
        let first = |ok: &dyn Fn(&cyberdrill::sim::view::MessageTruth) -> Option<u32>| {
            log.iter().filter_map(ok).min()
        };
        after(
            first(&|m| {
                (m.from.as_deref() == Some("var-cert") && m.to_state == "toravia")
                    .then_some(m.acked_minute)
                    .flatten()
            }),
            fired("t-acked"),
            "MessageAcknowledged",
        );
        after(
            first(&|m| {
                (m.from_state.as_deref() == Some("varesh") && m.to_state == "lirria")
                    .then_some(m.bounced_minute)
                    .flatten()
            }),
            fired("t-bounced"),
            "MessageBounced",
        );
        if let Some(f) = fired("t-lapses") {
            assert!((60..=120).contains(&f), "until: fired at {f} (seed {seed})");
        }
        for id in [
            "t-failed",
            "t-contained",
            "t-public",
            "t-private",
            "t-acked",
            "t-bounced",
            "t-lapses",
        ] {
            if fired(id).is_some() {
                *seen.entry(id).or_default() += 1;
            }
        }
    }
    // Every condition but the lapsing one is met in some runs (the tests above would pass
    // vacuously otherwise); the lapsing one never fires: Sanctions come later than +02:00.
    for id in [
        "t-failed",
        "t-contained",
        "t-public",
        "t-private",
        "t-acked",
        "t-bounced",
    ] {
        assert!(
            seen.get(id).copied().unwrap_or(0) > 0,
            "{id} never fired: {seen:?}"
        );
    }
    assert_eq!(seen.get("t-lapses"), None, "{seen:?}");
}

#[test]
fn new_conditions_are_checked_like_the_others() {
    let b = cyberdrill::builtin::find("flagship").unwrap();
    for (bad, code) in [
        (
            r#"(id: "x", when: Contained("brief-varesh"), kind: News(headline: "x")),"#,
            "scenario::not-an-incident",
        ),
        (
            r#"(id: "x", when: ObjectiveFailed("nope"), kind: News(headline: "x")),"#,
            "scenario::unknown-id",
        ),
        (
            r#"(id: "x", when: Attributed(by: "varesh", incident: "ddos-vcb", blame: "nobody"), kind: News(headline: "x")),"#,
            "scenario::unknown-id",
        ),
        (
            r#"(id: "x", when: MessageBounced(from: "varesh", to: "atlantis"), kind: News(headline: "x")),"#,
            "scenario::unknown-id",
        ),
        (
            r#"(id: "x", at: "3h", until: "2h", kind: News(headline: "x")),"#,
            "scenario::never-fires",
        ),
    ] {
        assert_inject_error(b.source, bad, code);
    }
}

/// `AcknowledgeWithin` scoped by sender and by a closing time measures exactly the messages
/// it names: the verdict equals the one worked out from the message log by hand.
#[test]
fn acknowledge_within_counts_only_the_messages_it_names() {
    let b = cyberdrill::builtin::find("comms-check").unwrap();
    let extra = r#"
        (id: "t-check-hour", title: "the first hour's messages", criterion: AcknowledgeWithin(within: "2h", share: 0.5, before: "1h")),
        (id: "t-from-rcc", title: "the RCC's messages", criterion: AcknowledgeWithin(within: "2h", share: 0.5, from: "rcc")),
        (id: "t-from-mfa", title: "a ministry that writes to no one", criterion: AcknowledgeWithin(within: "2h", share: 0.5, from: "tessaly-mfa")),
        (id: "t-notices", title: "notifications only", criterion: AcknowledgeWithin(within: "2h", share: 0.5, kinds: [Notify])),
        (id: "t-takedowns", title: "takedown requests only", criterion: AcknowledgeWithin(within: "2h", share: 0.5, kinds: [RequestTakedown, Demarche])),
"#;
    let source = b.source.replacen(
        "    objectives: [\n",
        &format!("    objectives: [\n{extra}"),
        1,
    );
    let s = from_str("comms.ron", &source).unwrap_or_else(|e| panic!("{e}"));
    for seed in 0..6 {
        let mut sim = Sim::headless(&s, seed);
        sim.run_to_end();
        let o = sim.outcome();
        let log = sim.facilitator_view().message_log;
        let contacts = s.contacts.len() as f64;
        let expected = |sender: &dyn Fn(&cyberdrill::sim::view::MessageTruth) -> bool,
                        before: u32| {
            let acked: std::collections::BTreeSet<&str> = log
                .iter()
                .filter(|m| m.from.is_some() && sender(m) && m.sent_minute < before)
                .filter(|m| m.acked_minute.is_some_and(|a| a <= m.sent_minute + 120))
                .map(|m| m.to_contact.as_str())
                .collect();
            acked.len() as f64 >= 0.5 * contacts
        };
        let status = |id: &str| {
            o.objectives
                .iter()
                .find(|x| x.id == id)
                .unwrap()
                .status
                .clone()
        };
        let verdict = |met: bool| if met { "met" } else { "failed" };
        assert_eq!(
            status("t-check-hour"),
            verdict(expected(&|_| true, 60)),
            "seed {seed}"
        );
        assert_eq!(
            status("t-from-rcc"),
            verdict(expected(&|m| m.from.as_deref() == Some("rcc"), u32::MAX)),
            "seed {seed}"
        );
        assert_eq!(status("t-from-mfa"), "failed", "seed {seed}");
        use cyberdrill::sim::MessageKind;
        assert_eq!(
            status("t-notices"),
            verdict(expected(&|m| m.kind == MessageKind::Notify, u32::MAX)),
            "seed {seed}"
        );
        assert_eq!(
            status("t-takedowns"),
            verdict(expected(
                &|m| matches!(m.kind, MessageKind::RequestTakedown | MessageKind::Demarche),
                u32::MAX
            )),
            "seed {seed}"
        );
        let reason = o.objectives.iter().find(|x| x.id == "t-from-mfa").unwrap();
        assert!(
            reason
                .reason
                .as_deref()
                .unwrap_or("")
                .contains("no message sent"),
            "{reason:?}"
        );
    }
    // A window that closes before it opens is an error.
    let bad = b.source.replacen(
        "    objectives: [\n",
        "    objectives: [\n        (id: \"x\", title: \"x\", criterion: AcknowledgeWithin(within: \"1h\", after: \"2h\", before: \"1h\")),\n",
        1,
    );
    let checked = cyberdrill::scenario::check_bytes("f.ron", bad.as_bytes());
    assert!(
        checked
            .diagnostics
            .iter()
            .any(|d| d.code == "scenario::empty-window"),
        "{}",
        checked.render(false)
    );
}

/// `NotifyWithin` can name an organisation (the regional body) as a recipient: met exactly
/// when a notice about the incident from the state reached that organisation in time.
#[test]
fn notify_within_accepts_an_organisation() {
    let b = cyberdrill::builtin::find("flagship").unwrap();
    let extra = r#"
        (id: "t-tell-mrf", title: "Varesh tells the MRF", criterion: NotifyWithin(incident: "ddos-vcb", from: "varesh", to: ["mrf-cct"], within: "2d")),
"#;
    let source = b.source.replacen(
        "    objectives: [\n",
        &format!("    objectives: [\n{extra}"),
        1,
    );
    let s = from_str("notify-org.ron", &source).unwrap_or_else(|e| panic!("{e}"));
    let mut outcomes = std::collections::BTreeSet::new();
    for seed in 0..10 {
        let mut sim = Sim::headless(&s, seed);
        sim.run_to_end();
        let o = sim.outcome();
        let log = sim.facilitator_view().message_log;
        use cyberdrill::sim::MessageKind;
        let reached = log.iter().any(|m| {
            m.from_state.as_deref() == Some("varesh")
                && m.to_contact.starts_with("mrf")
                && m.delivered_minute.is_some()
                && matches!(
                    m.kind,
                    MessageKind::Notify
                        | MessageKind::ShareEvidence
                        | MessageKind::RegionalCoordination
                )
        });
        let status = &o
            .objectives
            .iter()
            .find(|x| x.id == "t-tell-mrf")
            .unwrap()
            .status;
        outcomes.insert(status.clone());
        // A notice about another incident would also show in the log; the objective may be
        // stricter than the log, never looser.
        if status == "met" {
            assert!(
                reached,
                "seed {seed}: met without a delivered notice to the MRF"
            );
        }
    }
    assert!(
        outcomes.contains("met"),
        "never met in 10 seeds: {outcomes:?}"
    );
    // A state, an organisation: both accepted; anything else is not.
    let bad = source.replace(r#"to: ["mrf-cct"]"#, r#"to: ["var-vcb"]"#);
    let checked = cyberdrill::scenario::check_bytes("f.ron", bad.as_bytes());
    assert!(
        checked
            .diagnostics
            .iter()
            .any(|d| d.is_error() && d.code == "scenario::unknown-id"),
        "{}",
        checked.render(false)
    );
}

/// An inject's sender can be a directory entry: the team reads the contact's name and
/// organisation; an unknown one, or none at all, is an error.
#[test]
fn an_inject_sender_can_be_a_directory_contact() {
    let b = cyberdrill::builtin::find("flagship").unwrap();
    let contact = r#"(id: "t-from-contact", at: "5m", kind: Message(to: ["team-varesh"], sender: "kel-cert-desk", subject: "From a contact")),"#;
    let source = b.source.replacen(
        "    injects: [\n",
        &format!("    injects: [\n        {contact}\n"),
        1,
    );
    let s = from_str("sender.ron", &source).unwrap_or_else(|e| panic!("{e}"));
    let desk = s
        .contacts
        .iter()
        .find(|c| c.id == "kel-cert-desk")
        .expect("a KelCERT desk");
    let org = s
        .organisations
        .iter()
        .find(|o| o.id == desk.organisation)
        .unwrap();
    let mut sim = Sim::headless(&s, 1);
    while sim.facilitator_view().minute < 30 {
        sim.step();
    }
    let view = sim.team_view("team-varesh").unwrap();
    let item = view
        .inbox
        .iter()
        .find(|m| m.subject == "From a contact")
        .expect("delivered");
    assert!(
        item.from.contains(&desk.name) && item.from.contains(&org.name),
        "{}",
        item.from
    );
    for (bad, code) in [
        (
            contact.replace("kel-cert-desk", "kel-cert-dsk"),
            "scenario::unknown-id",
        ),
        (
            contact.replace(r#"sender: "kel-cert-desk", "#, ""),
            "scenario::missing-field",
        ),
    ] {
        assert_inject_error(b.source, &bad, code);
    }
}
