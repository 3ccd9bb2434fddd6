//! The observer's screen and evaluation guide, drawn into ratatui's `TestBackend`: snapshots
//! at 80×24 and 120×40, the allow-list of keys, and notes that reach no team's screen.

use cyberdrill::evaluation::Seat;
use cyberdrill::exercise::{Exercise, SharedExercise};
use cyberdrill::sim::Sim;
use cyberdrill::tui::app::{App, Engine, Role};
use cyberdrill::tui::observer::ObserverScreen;
use cyberdrill::tui::screen::Screen;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::{Arc, Mutex};

fn flagship() -> cyberdrill::scenario::Valid {
    let b = cyberdrill::builtin::find("flagship").expect("built-in flagship");
    cyberdrill::scenario::from_str(b.file, b.source).expect("flagship is valid")
}

fn teams(scenario: &cyberdrill::scenario::Valid) -> Vec<(String, String)> {
    scenario
        .teams
        .iter()
        .map(|t| (t.id.clone(), t.name.clone()))
        .collect()
}

/// An exercise with Varesh played by people, stepped 30 ticks, and an observer of Varesh
/// and Kelmora over it.
fn observer() -> (ObserverScreen, SharedExercise) {
    let scenario = flagship();
    let mut exercise = Exercise::new(
        Sim::with_players(&scenario, 1, &["team-varesh".to_string()]),
        None,
    );
    for _ in 0..30 {
        exercise.step();
    }
    let shared = SharedExercise {
        exercise: Arc::new(Mutex::new(exercise)),
        changed: Arc::new(|| {}),
    };
    let seat = Seat {
        name: "eva".into(),
        watch: vec!["team-varesh".into(), "team-kelmora".into()],
        ground_truth: false,
    };
    let screen = ObserverScreen::new(shared.clone(), seat, teams(&scenario), false);
    (screen, shared)
}

fn key(s: &mut impl Screen, code: KeyCode) {
    s.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn typed(s: &mut impl Screen, text: &str) {
    for ch in text.chars() {
        key(s, KeyCode::Char(ch));
    }
}

fn render(s: &impl Screen, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|f| s.draw(f)).expect("draw");
    format!("{}", terminal.backend())
}

#[test]
fn the_observer_screen_and_guide_at_80x24_and_120x40() {
    let (mut screen, _) = observer();
    for (w, h) in [(80, 24), (120, 40)] {
        insta::assert_snapshot!(format!("observer_team_{w}x{h}"), render(&screen, w, h));
    }
    key(&mut screen, KeyCode::Char('e'));
    key(&mut screen, KeyCode::Down);
    key(&mut screen, KeyCode::Char('r'));
    key(&mut screen, KeyCode::Char('s'));
    typed(&mut screen, "Detected fast; slow to tell the bank");
    key(&mut screen, KeyCode::Enter);
    for (w, h) in [(80, 24), (120, 40)] {
        insta::assert_snapshot!(format!("observer_guide_{w}x{h}"), render(&screen, w, h));
    }
    key(&mut screen, KeyCode::Enter);
    typed(&mut screen, "Quiet room");
    for (w, h) in [(80, 24), (120, 40)] {
        insta::assert_snapshot!(format!("observer_form_{w}x{h}"), render(&screen, w, h));
    }
}

#[test]
fn every_key_but_looking_is_refused_and_notes_reach_no_team() {
    let (mut screen, shared) = observer();
    // Keys of the team's screen that act: each refused with a message, nothing journaled.
    for code in [
        KeyCode::Char('c'),
        KeyCode::Char('a'),
        KeyCode::Char('d'),
        KeyCode::Char(' '),
        KeyCode::Char('n'),
        KeyCode::Char('N'),
        KeyCode::Char('+'),
        KeyCode::Char('x'),
        KeyCode::Enter,
        KeyCode::Char('g'),
    ] {
        key(&mut screen, code);
        let shown = render(&screen, 120, 40);
        assert!(
            shown.contains("Refused") || shown.contains("does not include the ground truth"),
            "{code:?}:\n{shown}"
        );
        assert!(screen.team.composer.is_none() && screen.team.decision.is_none());
    }
    key(&mut screen, KeyCode::Char('3'));
    key(&mut screen, KeyCode::Enter);
    assert!(
        screen.team.composer.is_none(),
        "Enter on a contact writes nothing"
    );
    assert_eq!(shared.lock().sim.tick(), 30, "the clock did not move");
    // A note, then the next team.
    key(&mut screen, KeyCode::Char('e'));
    key(&mut screen, KeyCode::Enter);
    typed(&mut screen, "OBS-SECRET-4471");
    key(&mut screen, KeyCode::Enter);
    assert_eq!(shared.lock().notes.observations.len(), 1);
    key(&mut screen, KeyCode::Char('v'));
    assert_eq!(screen.team_id(), "team-kelmora");
    // No team's screen shows the note, on any tab.
    let scenario = flagship();
    for (team, _) in teams(&scenario) {
        let mut app = App::over(
            Engine::Shared(shared.clone()),
            Role::Team(team.clone()),
            teams(&scenario),
        );
        for tab in 0..7 {
            app.tab = tab;
            let shown = render(&app, 120, 40);
            assert!(!shown.contains("OBS-SECRET"), "{team} tab {tab}:\n{shown}");
        }
    }
}
