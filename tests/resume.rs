//! Resuming a journal (`play --resume`, `serve --resume`) comes back to exactly where the
//! session stopped, with everything done at that tick; an ended exercise takes no more.

use cyberdrill::exercise::Exercise;
use cyberdrill::exercise::{self as run, load, replay};
use cyberdrill::journal::{JournalWriter, Line, Mode};
use cyberdrill::sim::{Control, Sim};

const TEAM: &str = "team-varesh";

fn start(path: &std::path::Path) -> (Exercise, load::Loaded) {
    let loaded = load::load("builtin:flagship").expect("the flagship loads");
    let mut header = run::header(&loaded, 3, Mode::Play);
    if let Line::Header { player, humans, .. } = &mut header {
        *player = Some("facilitator".into());
        *humans = Some(vec![TEAM.to_string()]);
    }
    let writer = JournalWriter::create(path, header).expect("journal");
    let sim = Sim::with_players(&loaded.scenario, 3, &[TEAM.to_string()]);
    (Exercise::new(sim, Some(writer)), loaded)
}

fn message(subject: &str) -> Control {
    Control::Message {
        team: TEAM.into(),
        subject: subject.into(),
        body: "from the white cell".into(),
    }
}

#[test]
fn resume_keeps_what_was_done_at_the_last_tick() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("served.jsonl");
    let (mut exercise, loaded) = start(&path);
    for _ in 0..3 {
        assert!(exercise.step());
    }
    // The usual break: pause, act, stop.
    assert!(exercise.control(message("Hot wash at ten")));
    exercise.mark();
    let tick = exercise.sim.tick();
    let before = exercise.sim.team_view(TEAM).unwrap();
    drop(exercise);

    let (journal, _) = replay::open(&path, None).expect("the journal reads");
    let resumed = replay::resume(&journal, &loaded.scenario, &path).expect("it resumes");
    assert_eq!(
        resumed.tick(),
        tick,
        "back at the tick reached, not past it"
    );
    let after = resumed.team_view(TEAM).unwrap();
    assert_eq!(
        format!("{:?}", after.inbox),
        format!("{:?}", before.inbox),
        "the inbox is as it was when the session stopped"
    );
    assert!(
        after.inbox.iter().any(|m| m.subject == "Hot wash at ten"),
        "the message sent at the last tick is there"
    );
}

#[test]
fn an_ended_exercise_takes_no_more_controls_and_its_journal_replays() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ended.jsonl");
    let (mut exercise, loaded) = start(&path);
    while exercise.step() {}
    assert!(exercise.sim.is_over());
    assert!(
        !exercise.control(message("Too late")),
        "a control after the end is refused"
    );
    let outcome = exercise.sim.outcome();
    drop(exercise);
    let (journal, _) = replay::open(&path, None).expect("the journal reads");
    let replayed = replay::rebuild(&journal, &loaded.scenario, u32::MAX, &path)
        .expect("nothing after the end line");
    assert_eq!(
        cyberdrill::journal::outcome_hash(&replayed.outcome()),
        cyberdrill::journal::outcome_hash(&outcome)
    );
}
