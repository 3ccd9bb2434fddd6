//! Random key streams into the TUI's `App::handle_key`: whatever is pressed, in whatever screen
//! (composer, filter, help, ad-hoc message, an exercise that is over), nothing panics and every
//! screen still draws, at the smallest supported size and at a comfortable one.

use cyberdrill::sim::Sim;
use cyberdrill::tui::app::{App, Role};
use cyberdrill::tui::ui;
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};

fn flagship() -> cyberdrill::scenario::Valid {
    let b = cyberdrill::builtin::find("flagship").expect("built-in flagship");
    cyberdrill::scenario::from_str(b.file, b.source).expect("flagship is valid")
}

fn app(role: Role, seed: u64, to_the_end: bool) -> App {
    let scenario = flagship();
    let teams: Vec<(String, String)> = scenario
        .teams
        .iter()
        .map(|t| (t.id.clone(), t.name.clone()))
        .collect();
    let humans: Vec<String> = match &role {
        Role::Team(t) => vec![t.clone()],
        Role::Facilitator => Vec::new(),
    };
    let sim = Sim::with_players(&scenario, seed, &humans);
    let mut app = App::new(sim, role, teams, None);
    if to_the_end {
        while app.step() {}
        assert!(
            app.clock.over,
            "stepping until step() is false ends the exercise"
        );
    }
    app
}

/// Keys a person (or a cat) might press: the letters and digits the app binds, any other
/// character, and every special key the app or the composer looks at, with any modifiers.
fn key_code() -> impl Strategy<Value = KeyCode> {
    prop_oneof![
        // Bound letters and symbols, weighted up so the screens behind them are reached.
        6 => prop::sample::select(vec![
            'c', 'a', 'n', 'N', '/', '?', 'f', 'd', 's', 'm', 'w', 'j', 'k', '+', '-', '=', ' ',
            'q',
        ])
        .prop_map(KeyCode::Char),
        4 => prop::char::range('0', '9').prop_map(KeyCode::Char),
        3 => prop::char::range(' ', '~').prop_map(KeyCode::Char),
        1 => any::<char>().prop_map(KeyCode::Char),
        6 => prop::sample::select(vec![
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::PageUp,
            KeyCode::PageDown,
            KeyCode::Backspace,
            KeyCode::Home,
            KeyCode::End,
            KeyCode::Delete,
            KeyCode::Insert,
            KeyCode::Null,
        ]),
        1 => (1u8..=12).prop_map(KeyCode::F),
    ]
}

fn key_event() -> impl Strategy<Value = KeyEvent> {
    (
        key_code(),
        // Mostly no modifier, so that Ctrl-C/Ctrl-Q (quit) does not end every stream early.
        prop_oneof![
            8 => Just(KeyModifiers::NONE),
            2 => Just(KeyModifiers::SHIFT),
            1 => (0u8..16).prop_map(KeyModifiers::from_bits_truncate),
        ],
        prop_oneof![
            10 => Just(KeyEventKind::Press),
            1 => Just(KeyEventKind::Repeat),
            1 => Just(KeyEventKind::Release),
        ],
    )
        .prop_map(|(code, modifiers, kind)| KeyEvent {
            code,
            modifiers,
            kind,
            state: KeyEventState::NONE,
        })
}

/// Feeds the keys; draws at 80×24 and 120×40 after every 10 keys and at the end.
fn press_all(app: &mut App, keys: &[KeyEvent]) {
    let mut small = Terminal::new(TestBackend::new(80, 24)).expect("test terminal");
    let mut large = Terminal::new(TestBackend::new(120, 40)).expect("test terminal");
    for (i, key) in keys.iter().enumerate() {
        app.handle_key(*key);
        // The cursor may point anywhere; the drawing code clamps it.
        if i % 10 == 9 {
            small.draw(|f| ui::draw(f, app)).expect("draw 80x24");
            large.draw(|f| ui::draw(f, app)).expect("draw 120x40");
        }
    }
    small.draw(|f| ui::draw(f, app)).expect("draw 80x24");
    large.draw(|f| ui::draw(f, app)).expect("draw 120x40");
    assert!(app.tab < app.tabs().len(), "the tab stays in range");
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 160,
        // A shrunk failing stream is what we want to read; do not spend minutes shrinking.
        max_shrink_iters: 2000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn player_survives_any_keys(
        seed in 0u64..4,
        keys in prop::collection::vec(key_event(), 0..300),
    ) {
        let mut app = app(Role::Team("team-varesh".into()), seed, false);
        press_all(&mut app, &keys);
    }

    #[test]
    fn facilitator_survives_any_keys(
        seed in 0u64..4,
        keys in prop::collection::vec(key_event(), 0..300),
    ) {
        let mut app = app(Role::Facilitator, seed, false);
        press_all(&mut app, &keys);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 6,
        max_shrink_iters: 500,
        ..ProptestConfig::default()
    })]

    /// Once the exercise is over, the clock keys do nothing harmful and everything still draws.
    #[test]
    fn keys_after_the_end(
        facilitator in any::<bool>(),
        keys in prop::collection::vec(key_event(), 0..300),
    ) {
        let role = if facilitator {
            Role::Facilitator
        } else {
            Role::Team("team-kelmora".into())
        };
        let mut app = app(role, 7, true);
        let tick = app.clock.tick;
        press_all(&mut app, &keys);
        prop_assert!(app.read(|ex| ex.sim.is_over()));
        prop_assert_eq!(app.read(|ex| ex.sim.tick()), tick, "no tick after the end");
        prop_assert!(app.read(|ex| ex.paused), "an ended exercise stays paused");
    }
}

/// `w` opens the why popup over the selected row where there is one (an incident or an
/// objective on Situation, a state on Relations; a pair or an objective for the facilitator),
/// and Esc or `w` closes it; elsewhere it only says where it works.
#[test]
fn w_opens_why_and_esc_closes_it() {
    use cyberdrill::tui::app::WhyTarget;
    let press =
        |app: &mut App, code: KeyCode| app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    let mut player = app(Role::Team("team-varesh".into()), 1, false);
    for _ in 0..40 {
        player.step();
    }
    // Inbox: nothing to explain; the status line says where `w` works.
    press(&mut player, KeyCode::Char('w'));
    assert_eq!(player.why, None);
    assert!(player.status.contains("w works on"), "{}", player.status);
    // Relations: the selected state.
    press(&mut player, KeyCode::Char('4'));
    press(&mut player, KeyCode::Down);
    press(&mut player, KeyCode::Char('w'));
    assert_eq!(player.why, Some(WhyTarget::Relation(1)));
    // While it is open, other keys do nothing (no tab change, no quit); ↑ follows the rows.
    press(&mut player, KeyCode::Char('1'));
    press(&mut player, KeyCode::Char('q'));
    assert_eq!(player.tab, 3);
    assert!(!player.quit);
    press(&mut player, KeyCode::Up);
    assert_eq!(player.why, Some(WhyTarget::Relation(0)));
    press(&mut player, KeyCode::Esc);
    assert_eq!(player.why, None);
    assert_eq!(player.tab, 3, "Esc only closes the popup");
    // Situation: an asset has no why.
    press(&mut player, KeyCode::Char('2'));
    press(&mut player, KeyCode::Char('w'));
    assert_eq!(player.why, None);
    // Objectives: every objective has one; ↓ follows the selection, and ↑ from the first
    // stays on it.
    press(&mut player, KeyCode::Char('7'));
    press(&mut player, KeyCode::Char('w'));
    assert_eq!(player.why, Some(WhyTarget::Objective(0)));
    press(&mut player, KeyCode::Up);
    assert_eq!(player.why, Some(WhyTarget::Objective(0)));
    press(&mut player, KeyCode::Down);
    assert_eq!(player.why, Some(WhyTarget::Objective(1)));
    press(&mut player, KeyCode::Char('w'));
    assert_eq!(player.why, None, "w closes it too");

    let mut facilitator = app(Role::Facilitator, 1, false);
    press(&mut facilitator, KeyCode::Char('2'));
    press(&mut facilitator, KeyCode::Char('w'));
    assert_eq!(facilitator.why, Some(WhyTarget::Pair(0)));
    press(&mut facilitator, KeyCode::Esc);
    assert_eq!(facilitator.why, None);
    press(&mut facilitator, KeyCode::Char('1'));
    let incidents = facilitator.facilitator.as_ref().unwrap().incidents.len();
    for _ in 0..incidents {
        press(&mut facilitator, KeyCode::Down);
    }
    press(&mut facilitator, KeyCode::Char('w'));
    assert_eq!(facilitator.why, Some(WhyTarget::ExerciseObjective(0)));
    press(&mut facilitator, KeyCode::Esc);
    assert_eq!(facilitator.why, None);
}

/// A hand-written stream through every screen, as a quick smoke test with a readable failure.
#[test]
fn every_screen_draws() {
    let script: Vec<KeyCode> = "c\r\r\r\x1b\x1b\x1b\x1b3/tor\r\r\r\rhello\r\r?x2a4 5nN6"
        .chars()
        .map(|ch| match ch {
            '\r' => KeyCode::Enter,
            '\x1b' => KeyCode::Esc,
            ch => KeyCode::Char(ch),
        })
        .chain([
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::PageDown,
            KeyCode::PageUp,
        ])
        .collect();
    let keys: Vec<KeyEvent> = script
        .into_iter()
        .map(|code| KeyEvent::new(code, KeyModifiers::NONE))
        .collect();
    let mut player = app(Role::Team("team-varesh".into()), 1, false);
    press_all(&mut player, &keys);
    assert!(
        !player
            .read(|ex| ex.sim.team_view("team-varesh"))
            .unwrap()
            .sent
            .is_empty(),
        "the scripted notify was sent: {}",
        player.status
    );
    let mut facilitator = app(Role::Facilitator, 1, false);
    // The queue, a preview, a fire declined, a delay, a skip confirmed, a team's screen, an
    // ad-hoc message, a step to the next event, the timeline.
    let keys: Vec<KeyEvent> = "3\r\x1bfndsy5\rm\rQ\rwhy?\r1N4"
        .chars()
        .map(|ch| match ch {
            '\r' => KeyCode::Enter,
            '\x1b' => KeyCode::Esc,
            ch => KeyCode::Char(ch),
        })
        .map(|code| KeyEvent::new(code, KeyModifiers::NONE))
        .collect();
    press_all(&mut facilitator, &keys);
    let skipped = facilitator
        .facilitator
        .as_ref()
        .unwrap()
        .timeline
        .iter()
        .any(|(_, l)| l.starts_with("Facilitator skipped inject"));
    assert!(
        skipped,
        "the scripted skip was applied: {}",
        facilitator.status
    );
}

/// The facilitator's `s` and `f` ask first: `n` or Esc leave the inject as it was, keys other
/// than y/n do nothing while the question is open, only `y` applies it (and it shows on the
/// facilitator's Timeline). `d` applies at once and adds up.
#[test]
fn skip_and_fire_ask_first_and_delay_adds_up() {
    let press =
        |app: &mut App, code: KeyCode| app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    let mut app = app(Role::Facilitator, 1, false);
    press(&mut app, KeyCode::Char('3'));
    let select = |app: &mut App, id: &str| {
        let at = |app: &App| {
            app.facilitator
                .as_ref()
                .unwrap()
                .injects
                .iter()
                .position(|i| i.id == id)
                .unwrap()
        };
        while app.cursor[2] < at(app) {
            press(app, KeyCode::Down);
        }
        while app.cursor[2] > at(app) {
            press(app, KeyCode::Up);
        }
    };
    let status = |app: &App, id: &str| {
        app.facilitator
            .as_ref()
            .unwrap()
            .injects
            .iter()
            .find(|i| i.id == id)
            .unwrap()
            .status
            .words()
    };
    select(&mut app, "ddos-vcb");
    press(&mut app, KeyCode::Char('s'));
    assert!(app.confirm.is_some());
    // Other keys leave the question open and change nothing.
    for code in [
        KeyCode::Char('q'),
        KeyCode::Char('3'),
        KeyCode::Enter,
        KeyCode::Down,
    ] {
        press(&mut app, code);
        assert!(app.confirm.is_some(), "{code:?} answered the question");
    }
    assert!(!app.quit);
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(app.confirm, None);
    assert_eq!(status(&app, "ddos-vcb"), "waiting");
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Esc);
    assert_eq!(status(&app, "ddos-vcb"), "waiting");
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(status(&app, "ddos-vcb"), "skipped");
    let timeline = app.facilitator.as_ref().unwrap().timeline.clone();
    assert!(
        timeline
            .iter()
            .any(|(_, l)| l == "Facilitator skipped inject ddos-vcb (the incident will not happen)"),
        "{timeline:?}"
    );
    // Skipped: no delay, no second skip; f asks to fire it after all.
    press(&mut app, KeyCode::Char('d'));
    assert!(app.status.contains("is skipped"), "{}", app.status);
    press(&mut app, KeyCode::Char('f'));
    let question = app.confirm.clone().expect("a confirmation").question;
    assert!(question.contains("(it was skipped)"), "{question}");
    assert!(
        question.contains("The incident starts at the next tick"),
        "{question}"
    );
    press(&mut app, KeyCode::Char('N'));
    assert_eq!(status(&app, "ddos-vcb"), "skipped");

    // d twice on a timed inject: an hour past its time, at once, no question.
    select(&mut app, "ddos-broadcast");
    press(&mut app, KeyCode::Char('d'));
    assert_eq!(app.confirm, None);
    press(&mut app, KeyCode::Char('d'));
    assert_eq!(status(&app, "ddos-broadcast"), "delayed to +02:30");

    // f fires q-phase1 at the next tick, ahead of its +04:00.
    select(&mut app, "q-phase1");
    press(&mut app, KeyCode::Char('f'));
    let question = app.confirm.clone().expect("a confirmation").question;
    assert!(question.contains("ahead of its time +04:00"), "{question}");
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(status(&app, "q-phase1"), "fires at +00:05");
    app.step();
    assert_eq!(status(&app, "q-phase1"), "fired at +00:05");
    press(&mut app, KeyCode::Char('f'));
    assert_eq!(app.confirm, None, "nothing to fire any more");
    assert!(app.status.contains("has fired at +00:05"), "{}", app.status);

    // On the facilitator's Timeline, in order, and only what applied.
    let lines: Vec<String> = app
        .facilitator
        .as_ref()
        .unwrap()
        .timeline
        .iter()
        .filter(|(_, l)| l.starts_with("Facilitator "))
        .map(|(_, l)| l.clone())
        .collect();
    assert_eq!(
        lines,
        [
            "Facilitator skipped inject ddos-vcb (the incident will not happen)",
            "Facilitator delayed inject ddos-broadcast to +02:00",
            "Facilitator delayed inject ddos-broadcast to +02:30",
            "Facilitator fired inject q-phase1 early (due at +04:00)",
        ]
    );
}

/// Enter opens the preview of the selected inject; ↑/↓ move it along the queue; Esc closes
/// it; while it is open the tab keys do nothing.
#[test]
fn enter_previews_an_inject() {
    let press =
        |app: &mut App, code: KeyCode| app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    let mut app = app(Role::Facilitator, 1, false);
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Enter);
    let first = app.facilitator.as_ref().unwrap().injects[0].id.clone();
    let second = app.facilitator.as_ref().unwrap().injects[1].id.clone();
    assert_eq!(app.preview.as_deref(), Some(first.as_str()));
    press(&mut app, KeyCode::Char('1'));
    assert_eq!(app.tab, 2);
    press(&mut app, KeyCode::Down);
    assert_eq!(app.preview.as_deref(), Some(second.as_str()));
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Up);
    assert_eq!(app.preview.as_deref(), Some(first.as_str()));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.preview, None);
    assert_eq!(app.tab, 2);
}

/// The status line clears itself after about 8 seconds of wall time, an error after a
/// little longer; a new message starts its own time. (The times are given, so the test does
/// not wait.)
#[test]
fn status_messages_expire() {
    use cyberdrill::tui::app::{LONG_STATUS_TTL, STATUS_TTL};
    use std::time::{Duration, Instant};
    let mut app = app(Role::Facilitator, 1, false);
    let t0 = Instant::now();
    app.say("Paused.");
    app.expire_status(t0);
    assert_eq!(app.status_deadline(), Some(t0 + STATUS_TTL));
    app.expire_status(t0 + STATUS_TTL - Duration::from_millis(1));
    assert_eq!(app.status, "Paused.");
    // The same words said again are a new message.
    app.say("Paused.");
    app.expire_status(t0 + Duration::from_secs(5));
    app.expire_status(t0 + STATUS_TTL + Duration::from_secs(1));
    assert_eq!(app.status, "Paused.", "timed from when it was said again");
    app.expire_status(t0 + Duration::from_secs(5) + STATUS_TTL);
    assert_eq!(app.status, "");
    assert_eq!(app.status_deadline(), None);

    app.warn("That did not apply.");
    app.expire_status(t0);
    app.expire_status(t0 + STATUS_TTL + Duration::from_secs(1));
    assert_eq!(app.status, "That did not apply.", "an error stays longer");
    app.expire_status(t0 + LONG_STATUS_TTL);
    assert_eq!(app.status, "");
    assert!(LONG_STATUS_TTL > STATUS_TTL);

    // A status set directly (not through say) is timed from when it is first seen.
    app.status = "Note: something.".into();
    app.expire_status(t0 + Duration::from_secs(100));
    app.expire_status(t0 + Duration::from_secs(107));
    assert_eq!(app.status, "Note: something.");
    app.expire_status(t0 + Duration::from_secs(108));
    assert_eq!(app.status, "");
}
