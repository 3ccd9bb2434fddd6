//! Snapshots of every screen of `cyberdrill play`, drawn into ratatui's `TestBackend`.
//!
//! The apps are built over the built-in flagship scenario with fixed seeds and stepped a fixed
//! number of ticks, so each screen is deterministic (no wall clock is read anywhere in `ui`).
//! Review changed snapshots with `INSTA_UPDATE=always cargo test --test tui_snapshots` and
//! `git diff tests/snapshots`.

use cyberdrill::sim::Sim;
use cyberdrill::tui::app::{App, Role};
use cyberdrill::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const TEAM: &str = "team-varesh";
const SEED: u64 = 1;
/// Ticks stepped before the snapshots, so the screens have content.
const TICKS: u32 = 40;

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

/// A player app for `team-varesh` (the engine plays the other teams), stepped `ticks` ticks.
fn player(ticks: u32) -> App {
    let scenario = flagship();
    let sim = Sim::with_players(&scenario, SEED, &[TEAM.to_string()]);
    let mut app = App::new(sim, Role::Team(TEAM.into()), teams(&scenario), None);
    for _ in 0..ticks {
        app.step();
    }
    dismiss_question(&mut app);
    app
}

/// Closes a discussion question left up by the steps (it would take the next key).
fn dismiss_question(app: &mut App) {
    if app.question.is_some() {
        key(app, KeyCode::Esc);
    }
    assert_eq!(app.question, None);
}

/// A facilitator app (the engine plays every team), stepped `ticks` ticks.
fn facilitator(ticks: u32) -> App {
    let scenario = flagship();
    let sim = Sim::with_players(&scenario, SEED, &[]);
    let mut app = App::new(sim, Role::Facilitator, teams(&scenario), None);
    for _ in 0..ticks {
        app.step();
    }
    dismiss_question(&mut app);
    app
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn typed(app: &mut App, text: &str) {
    for ch in text.chars() {
        key(app, KeyCode::Char(ch));
    }
}

/// The screen as text: one quoted line per row (ratatui's `TestBackend` Display).
fn render(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|f| ui::draw(f, app))
        .expect("draw into the test backend");
    format!("{}", terminal.backend())
}

/// Every screen keeps its status line and its key footer (the last two rows).
fn assert_chrome(screen: &str, app: &App) {
    let rows: Vec<&str> = screen.lines().collect();
    let n = rows.len();
    assert!(n >= 2, "a screen has rows:\n{screen}");
    let status: String = app.status.chars().take(20).collect();
    assert!(
        rows[n - 2].contains(&status),
        "status line `{status}` missing:\n{screen}"
    );
    // Help and quit stay visible in the footer whatever the width.
    assert!(
        rows[n - 1].contains("? help · q quit") || rows[n - 1].contains("? help · q leave"),
        "footer missing:\n{screen}"
    );
}

/// Every tab of `app` at 80×24 and 120×40, each with its name in the tabs bar and its
/// chrome, snapshotted as `{prefix}_{n}_{tab}_{w}x{h}`.
fn every_tab(app: &mut App, prefix: &str) {
    for (i, name) in app.tabs().iter().enumerate() {
        key(app, KeyCode::Char(char::from(b'1' + i as u8)));
        assert_eq!(app.tab, i);
        for (w, h) in [(120, 40), (80, 24)] {
            let screen = render(app, w, h);
            let bar = screen.lines().nth(2).unwrap_or_default();
            assert!(
                bar.contains(&format!("{} {name}", i + 1)),
                "tab {name} not in the tabs bar at {w}x{h}:\n{screen}"
            );
            assert_chrome(&screen, app);
            let slug = name.title().to_lowercase().replace(' ', "_");
            insta::assert_snapshot!(format!("{prefix}_{}_{slug}_{w}x{h}", i + 1), screen);
        }
    }
}

#[test]
fn player_tabs() {
    every_tab(&mut player(TICKS), "player");
}

/// The Situation tab at the smallest size: our assets and the incidents share it.
#[test]
fn player_situation_80x24() {
    let mut app = player(TICKS);
    key(&mut app, KeyCode::Char('2'));
    let screen = render(&app, 80, 24);
    assert_chrome(&screen, &app);
    assert!(screen.contains("Our infrastructure"), "{screen}");
    assert!(screen.contains("Incidents and who we believe"), "{screen}");
    // The assets have headings, as the Directory's columns do; names fit whole at 80.
    for heading in ["out asset", "sector", "flags"] {
        assert!(screen.contains(heading), "no `{heading}`:\n{screen}");
    }
    assert!(
        screen.contains("Varesh Commerce Bank online banking and cards Finance"),
        "{screen}"
    );
    // The flags are kept whole, or dropped, never cut.
    for w in [120, 100, 90, 80, 70, 60] {
        let screen = render(&app, w, 40);
        assert!(
            !screen.contains("safe zo…") && !screen.contains("ISOLA…"),
            "{w}: {screen}"
        );
    }
}

#[test]
fn player_directory_filtered() {
    let mut app = player(TICKS);
    key(&mut app, KeyCode::Char('3'));
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "toracert");
    // While typing, the title shows the filter with a cursor.
    let screen = render(&app, 120, 40);
    insta::assert_snapshot!("player_3_directory_filtering_120x40", screen);
}

#[test]
fn facilitator_tabs() {
    every_tab(&mut facilitator(TICKS), "facilitator");
}

/// The flagship with every name of a state, organisation, contact, asset, actor and team
/// made much longer, to see what the screens cut.
fn long_named() -> cyberdrill::scenario::Valid {
    let b = cyberdrill::builtin::find("flagship").expect("built-in flagship");
    let mut out = String::new();
    let mut rest = b.source;
    while let Some(i) = rest.find("name: \"") {
        let start = i + "name: \"".len();
        // The closing quote: the first one not escaped.
        let bytes = rest.as_bytes();
        let mut end = start;
        while end < bytes.len() && (bytes[end] != b'"' || bytes[end - 1] == b'\\') {
            end += 1;
        }
        out.push_str(&rest[..end]);
        out.push_str(" of the Extended Official Designation");
        rest = &rest[end..];
    }
    out.push_str(rest);
    cyberdrill::scenario::from_str(b.file, &out).expect("the long-named flagship is valid")
}

/// Well into the second day of the long-named flagship: many incidents known, many
/// messages, a long timeline.
const LATE: u32 = 380;

fn long_app(role: Role) -> App {
    let scenario = long_named();
    let humans = match &role {
        Role::Team(t) => vec![t.clone()],
        Role::Facilitator => Vec::new(),
    };
    let sim = Sim::with_players(&scenario, SEED, &humans);
    let mut app = App::new(sim, role.clone(), teams(&scenario), None);
    for tick in 0..LATE {
        if let (Role::Team(team), 30) = (&role, tick) {
            // Messages (one abroad, which may wait for clearance) and acts that are not
            // messages, for the Sent tab.
            use cyberdrill::sim::Command;
            for command in [
                Command::Notify {
                    to: vec!["tor-cert-desk".into(), "kel-cert-desk".into()],
                    incident: Some("ddos-vcb".into()),
                    text: "Booter traffic against our bank; indicators follow.".into(),
                },
                Command::HotlineCall {
                    state: "kelmora".into(),
                },
                Command::RaiseAlert { level: 2 },
                Command::RestraintStatement {
                    text: "We will not act before the facts are established.".into(),
                },
            ] {
                app.submit(team, command);
            }
        }
        app.step();
    }
    dismiss_question(&mut app);
    app
}

/// Every tab, for a team and the facilitator, with long names and many incidents, at 80×24
/// and 120×40; what matters survives at the smallest size.
#[test]
fn every_tab_with_long_names_and_many_incidents() {
    let mut app = long_app(Role::Team(TEAM.into()));
    let v = app.view.clone().unwrap();
    assert!(
        v.incidents.len() >= 4,
        "many incidents: {}",
        v.incidents.len()
    );
    every_tab(&mut app, "long_player");
    // The Directory keeps who, open now, staffed hours and channel at 80 columns, and each
    // state's local time in the row heading its contacts.
    key(&mut app, KeyCode::Char('3'));
    let screen = render(&app, 80, 24);
    for heading in ["contact", "now", "staffed", "channel", "organisation"] {
        assert!(screen.contains(heading), "no `{heading}`:\n{screen}");
    }
    let ours = &v.directory[0];
    assert!(
        screen.contains(&format!("… {}", ours.local_time)),
        "our local time heads our contacts:\n{screen}"
    );
    assert!(screen.contains("Mon–Fri"), "staffed hours whole:\n{screen}");
    // Situation: every incident heading keeps its evidence count, whatever the width; the
    // last incident can be scrolled to.
    key(&mut app, KeyCode::Char('2'));
    for _ in 0..v.assets.len() + v.incidents.len() {
        key(&mut app, KeyCode::Down);
    }
    let last = v.incidents.last().unwrap();
    let screen = render(&app, 80, 24);
    // Players read an incident's title, not its id.
    let start: String = last.title.chars().take(24).collect();
    assert!(
        screen.contains(&start),
        "the last incident scrolled to, by its title:\n{screen}"
    );
    assert!(
        screen.contains(&format!("· evidence {} (", last.evidence)),
        "{screen}"
    );
    insta::assert_snapshot!("long_player_2_situation_last_80x24", screen);

    let mut app = long_app(Role::Facilitator);
    every_tab(&mut app, "long_facilitator");
    // Even names this long keep their start on the ladder.
    key(&mut app, KeyCode::Char('2'));
    let screen = render(&app, 80, 24);
    for p in app.facilitator.as_ref().unwrap().pairs.iter().take(10) {
        let start: String = p.b.chars().take(12).collect();
        assert!(screen.contains(&start), "{start}:\n{screen}");
    }
}

/// The facilitator's ladder keeps every state's name whole at 80 and 120 columns (the peak
/// and the bar give way first).
#[test]
fn the_ladder_never_cuts_a_state_name() {
    let mut app = facilitator(TICKS);
    key(&mut app, KeyCode::Char('2'));
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = render(&app, w, h);
        for p in &app.facilitator.as_ref().unwrap().pairs {
            let row = format!("{} ", p.a);
            assert!(
                screen.contains(&row) && screen.contains(&p.b),
                "{}:\n{screen}",
                p.a
            );
        }
    }
}

/// The footer always fits whole items at 80 and 120 columns, for every tab and role, in
/// each phase (paused, running, over).
#[test]
fn footers_fit_and_follow_the_phase() {
    for mut app in [player(TICKS), facilitator(TICKS)] {
        for phase in ["paused", "running", "over"] {
            match phase {
                "running" => key(&mut app, KeyCode::Char(' ')),
                "over" => {
                    while app.step() {}
                    dismiss_question(&mut app);
                }
                _ => {}
            }
            for tab in 0..app.tabs().len() {
                app.tab = tab;
                for width in [80u16, 120] {
                    let text = cyberdrill::tui::footer::text(&app, usize::from(width));
                    assert!(
                        text.chars().count() <= usize::from(width),
                        "{phase} tab {tab} at {width}: {text}"
                    );
                    assert!(text.starts_with("? help · q quit"), "{text}");
                    match phase {
                        "paused" => assert!(text.contains("space run"), "{text}"),
                        "running" => assert!(text.contains("space pause"), "{text}"),
                        _ => assert!(text.contains("the exercise is over"), "{text}"),
                    }
                }
            }
        }
    }
}

#[test]
fn composer_screens_120x40() {
    // The action list.
    let mut app = player(TICKS);
    key(&mut app, KeyCode::Char('c'));
    let screen = render(&app, 120, 40);
    assert!(screen.contains("Compose: choose an action"));
    insta::assert_snapshot!("composer_1_actions_120x40", screen);

    // The contact list of a Notify.
    key(&mut app, KeyCode::Enter);
    let screen = render(&app, 120, 40);
    assert!(screen.contains("to whom?"));
    insta::assert_snapshot!("composer_2_contacts_120x40", screen);

    // From the Directory: a Notify to ToraCERT, up to the confirm screen with the route.
    let mut app = player(TICKS);
    key(&mut app, KeyCode::Char('3'));
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "tor-cert-desk");
    key(&mut app, KeyCode::Enter); // ends the filter
    key(&mut app, KeyCode::Enter); // writes to the contact
    key(&mut app, KeyCode::Enter); // Notify
    let screen = render(&app, 120, 40);
    assert!(screen.contains("which incident?"), "{screen}");
    insta::assert_snapshot!("composer_3_incident_120x40", screen);
    key(&mut app, KeyCode::Enter); // (no particular incident)
    typed(
        &mut app,
        "Suspicious traffic from a shared hosting range; please check.",
    );
    let screen = render(&app, 120, 40);
    insta::assert_snapshot!("composer_4_text_120x40", screen);
    key(&mut app, KeyCode::Enter);
    let screen = render(&app, 120, 40);
    assert!(screen.contains("confirm"), "{screen}");
    assert!(screen.contains("How it will travel"), "{screen}");
    insta::assert_snapshot!("composer_5_confirm_120x40", screen);
}

#[test]
fn help_overlays() {
    let mut app = player(TICKS);
    key(&mut app, KeyCode::Char('?'));
    assert!(app.help);
    let screen = render(&app, 80, 24);
    // No line of the help is clipped by the popup at the smallest size.
    for words in [
        "to the next event",
        "the journal is kept",
        "bounces",
        "acknowledge.",
    ] {
        assert!(screen.contains(words), "help lost `{words}`:\n{screen}");
    }
    insta::assert_snapshot!("help_player_80x24", screen);
    insta::assert_snapshot!("help_player_120x40", render(&app, 120, 40));

    let mut app = facilitator(TICKS);
    key(&mut app, KeyCode::Char('?'));
    assert!(app.help);
    insta::assert_snapshot!("help_facilitator_120x40", render(&app, 120, 40));
}

#[test]
fn facilitator_adhoc_message() {
    let mut app = facilitator(TICKS);
    key(&mut app, KeyCode::Char('m'));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    typed(&mut app, "Discussion question");
    key(&mut app, KeyCode::Enter);
    typed(
        &mut app,
        "Who in your government must clear sharing abroad?",
    );
    insta::assert_snapshot!("facilitator_adhoc_120x40", render(&app, 120, 40));
}

/// The text of the highlighted row of the body (below the tabs bar), if any.
fn highlighted(app: &App, width: u16, height: u16) -> Option<String> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|f| ui::draw(f, app)).expect("draw");
    let buffer = terminal.backend().buffer();
    (4..height.saturating_sub(2)).find_map(|y| {
        buffer[(1, y)]
            .modifier
            .contains(ratatui::style::Modifier::REVERSED)
            .then(|| {
                (1..width - 1)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
    })
}

/// A timeline shows its newest entry first-hand (the cursor follows it), ↑ goes back in time
/// one entry at a time, and the very first entry can be reached.
#[test]
fn timelines_follow_the_newest_and_reach_the_first() {
    for (mut app, tab) in [(player(300), '6'), (facilitator(300), '4')] {
        key(&mut app, KeyCode::Char(tab));
        let entries: Vec<String> = if app.is_facilitator() {
            app.facilitator.as_ref().unwrap().timeline.clone()
        } else {
            app.view.as_ref().unwrap().timeline.clone()
        }
        .into_iter()
        .map(|(m, t)| format!("{} {t}", cyberdrill::sim::view::hhmm_span(m)))
        .collect();
        assert!(entries.len() > 40, "a long timeline to scroll");
        // The first line of the highlighted entry (a long entry wraps under its time).
        let row = |app: &App| highlighted(app, 200, 40).unwrap_or_default();
        let same = |row: String, entry: &String| {
            assert!(
                !row.is_empty() && entry.starts_with(&row),
                "`{row}` is not the start of `{entry}`"
            )
        };
        let n = entries.len();
        same(row(&app), &entries[n - 1]);
        key(&mut app, KeyCode::Up);
        same(row(&app), &entries[n - 2]);
        key(&mut app, KeyCode::Down);
        same(row(&app), &entries[n - 1]);
        for _ in 0..n / 10 + 1 {
            key(&mut app, KeyCode::PageUp);
        }
        same(row(&app), &entries[0]);
        key(&mut app, KeyCode::Down);
        same(row(&app), &entries[1]);
        // Stepping on keeps the selection on the newest entry only when it was there.
        for _ in 0..n / 10 + 1 {
            key(&mut app, KeyCode::PageDown);
        }
        key(&mut app, KeyCode::Char('n'));
        let newest = if app.is_facilitator() {
            app.facilitator.as_ref().unwrap().timeline.last().cloned()
        } else {
            app.view.as_ref().unwrap().timeline.last().cloned()
        }
        .map(|(m, t)| format!("{} {t}", cyberdrill::sim::view::hhmm_span(m)))
        .unwrap();
        same(row(&app), &newest);
    }
}

#[test]
fn too_small_60x20() {
    let app = player(0);
    let screen = render(&app, 60, 20);
    assert!(screen.contains("at least 80×24"), "{screen}");
    insta::assert_snapshot!("too_small_60x20", screen);
}

/// Two sessions of `serve` over one shared exercise: a team and the facilitator.
fn served() -> (App, App, cyberdrill::tui::app::SharedExercise) {
    use cyberdrill::tui::app::{Engine, Exercise, SharedExercise};
    use std::sync::{Arc, Mutex};
    let scenario = flagship();
    let humans: Vec<String> = scenario.teams.iter().map(|t| t.id.clone()).collect();
    let mut exercise = Exercise::new(Sim::with_players(&scenario, SEED, &humans), None);
    exercise.online = [("facilitator", 1), (TEAM, 2), ("team-kelmora", 0)]
        .into_iter()
        .map(|(u, n)| (u.to_string(), n))
        .collect();
    let shared = SharedExercise {
        exercise: Arc::new(Mutex::new(exercise)),
        changed: Arc::new(|| {}),
    };
    let team = App::over(
        Engine::Shared(shared.clone()),
        Role::Team(TEAM.into()),
        teams(&scenario),
    );
    let facilitator = App::over(
        Engine::Shared(shared.clone()),
        Role::Facilitator,
        teams(&scenario),
    );
    (team, facilitator, shared)
}

#[test]
fn served_team_cannot_run_the_clock() {
    let (mut team, mut facilitator, shared) = served();
    for code in [' ', 'n', 'N', '+', '-'] {
        key(&mut team, KeyCode::Char(code));
        assert_eq!(team.status, "The facilitator runs the clock.");
    }
    assert_eq!(shared.lock().sim.tick(), 0, "a team's keys never step");
    assert!(shared.lock().paused);
    // The facilitator's keys step the one exercise; the team sees it at its next refresh.
    for _ in 0..TICKS {
        key(&mut facilitator, KeyCode::Char('n'));
    }
    team.refresh();
    assert_eq!(team.clock.tick, TICKS);
    let screen = render(&team, 120, 40);
    assert_chrome(&screen, &team);
    insta::assert_snapshot!("served_team_inbox", screen);
    key(&mut team, KeyCode::Char('?'));
    insta::assert_snapshot!("served_team_help", render(&team, 120, 40));
}

#[test]
fn served_facilitator_sees_who_is_online() {
    let (_team, mut facilitator, _shared) = served();
    key(&mut facilitator, KeyCode::Char('5'));
    let screen = render(&facilitator, 120, 40);
    assert!(screen.contains("● 2 online"), "{screen}");
    assert!(screen.contains("○ nobody"), "{screen}");
    assert!(screen.contains("(engine)"), "{screen}");
    insta::assert_snapshot!("served_facilitator_team_screens", screen);
}

#[test]
fn a_discussion_question_reaches_the_facilitators_status_line() {
    let mut app = facilitator(0);
    let mut noticed = None;
    while app.step() {
        if app.status.starts_with("Discussion question now: ") {
            noticed = Some(app.status.clone());
            break;
        }
    }
    let noticed = noticed.expect("the flagship poses a discussion question");
    let newest = app
        .facilitator
        .as_ref()
        .unwrap()
        .timeline
        .iter()
        .rev()
        .find_map(|(_, l)| l.strip_prefix("QUESTION for discussion: "))
        .expect("the question is on the timeline")
        .to_string();
    assert_eq!(noticed, format!("Discussion question now: {newest}"));
    // A team never sees the facilitator's questions this way.
    let mut team = player(0);
    while team.step() {
        assert!(!team.status.starts_with("Discussion question"));
    }
}

/// Moves the Situation cursor to the first incident (below our assets).
fn to_first_incident(app: &mut App) {
    key(app, KeyCode::Char('2'));
    let v = app.view.clone().expect("a team view");
    for _ in 0..v.assets.len() {
        key(app, KeyCode::Down);
    }
}

/// The why popup (`w`) on a suspect: the selected incident, who the team suspects and each
/// change of its top suspect with the evidence that moved it; on a state: its rung,
/// hostility and the cause of its last rung change. At the comfortable size and the smallest.
#[test]
fn why_popups() {
    use cyberdrill::tui::app::WhyTarget;
    let mut app = player(TICKS);
    to_first_incident(&mut app);
    key(&mut app, KeyCode::Char('w'));
    assert_eq!(app.why, Some(WhyTarget::Incident("ddos-vcb".into())));
    let screen = render(&app, 120, 40);
    assert!(
        screen.contains("Why: DDoS attack on Varesh Commerce Bank"),
        "{screen}"
    );
    assert!(screen.contains("How our assessment changed"), "{screen}");
    assert_chrome(&screen, &app);
    insta::assert_snapshot!("why_incident_120x40", screen);
    let screen = render(&app, 80, 24);
    assert!(screen.contains("Why: DDoS attack"), "{screen}");
    insta::assert_snapshot!("why_incident_80x24", screen);

    // ↓ follows the selection: the next incident, where the team has no suspect yet.
    key(&mut app, KeyCode::Down);
    assert_eq!(app.why, Some(WhyTarget::Incident("ddos-broadcast".into())));
    let screen = render(&app, 120, 40);
    assert!(
        screen.contains(
            "no clear suspect — the evidence has not lifted any candidate well above its prior"
        ),
        "{screen}"
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.why, None);

    key(&mut app, KeyCode::Char('4'));
    key(&mut app, KeyCode::Char('w'));
    assert_eq!(app.why, Some(WhyTarget::Relation(0)));
    let screen = render(&app, 120, 40);
    assert!(
        screen.contains("Why: relations with Kingdom of Kelmora"),
        "{screen}"
    );
    assert_chrome(&screen, &app);
    insta::assert_snapshot!("why_relation_120x40", screen);
    insta::assert_snapshot!("why_relation_80x24", render(&app, 80, 24));
}

/// The why popup on an objective once it is decided (player and facilitator: status and
/// reason), and on a pair of states for the facilitator (its rung changes from the timeline).
#[test]
fn why_popups_objectives_and_pairs() {
    use cyberdrill::tui::app::WhyTarget;
    let decided = |objectives: &[cyberdrill::sim::view::ObjectiveView]| {
        objectives.iter().position(|o| o.reason.is_some())
    };
    let mut app = player(TICKS);
    let objective = loop {
        if let Some(i) = decided(&app.view.as_ref().unwrap().objectives) {
            break i;
        }
        assert!(
            app.step(),
            "an objective of team-varesh is decided before the end"
        );
    };
    dismiss_question(&mut app);
    key(&mut app, KeyCode::Char('7'));
    for _ in 0..objective {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Char('w'));
    assert_eq!(app.why, Some(WhyTarget::Objective(objective)));
    let screen = render(&app, 120, 40);
    assert!(screen.contains("Why: objective"), "{screen}");
    insta::assert_snapshot!("why_objective_player_120x40", screen);

    let mut app = facilitator(TICKS);
    key(&mut app, KeyCode::Char('2'));
    key(&mut app, KeyCode::Char('w'));
    assert_eq!(app.why, Some(WhyTarget::Pair(0)));
    let screen = render(&app, 120, 40);
    assert!(screen.contains("Why: the rung of a pair"), "{screen}");
    insta::assert_snapshot!("why_pair_facilitator_120x40", screen);
    key(&mut app, KeyCode::Esc);

    let objective = loop {
        if let Some(i) = decided(&app.facilitator.as_ref().unwrap().objectives) {
            break i;
        }
        assert!(app.step(), "an objective is decided before the end");
    };
    dismiss_question(&mut app);
    key(&mut app, KeyCode::Char('1'));
    let incidents = app.facilitator.as_ref().unwrap().incidents.len();
    for _ in 0..incidents + objective {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Char('w'));
    assert_eq!(app.why, Some(WhyTarget::ExerciseObjective(objective)));
    insta::assert_snapshot!("why_objective_facilitator_80x24", render(&app, 80, 24));
}

/// Where an inject is in the facilitator's (sorted) queue.
fn queue_row(app: &App, id: &str) -> usize {
    app.facilitator
        .as_ref()
        .unwrap()
        .injects
        .iter()
        .position(|i| i.id == id)
        .unwrap_or_else(|| panic!("no inject {id} in the queue"))
}

/// Moves the Injects cursor onto an inject with ↑/↓.
fn select(app: &mut App, id: &str) {
    let target = queue_row(app, id);
    while app.cursor[2] < target {
        key(app, KeyCode::Down);
    }
    while app.cursor[2] > target {
        key(app, KeyCode::Up);
    }
    assert_eq!(app.selected_inject().map(|i| i.id.as_str()), Some(id));
}

/// The times in the queue's first column, top to bottom ("—" for none).
fn queue_times(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter_map(|l| l.strip_prefix("\"│"))
        .map(|l| l.split(' ').next().unwrap_or("").to_string())
        .filter(|t| t.starts_with('+') || t == "—")
        .collect()
}

/// The facilitator's inject controls: the queue sorted by time with ddos-vcb delayed twice
/// (its row moves to +02:00 and the cursor goes with it), the preview of an inject, and the
/// confirmation of a skip; each at 120×40 and 80×24.
#[test]
fn facilitator_inject_queue_preview_and_confirmation() {
    let mut app = facilitator(0);
    key(&mut app, KeyCode::Char('3'));
    select(&mut app, "ddos-vcb");
    key(&mut app, KeyCode::Char('d'));
    key(&mut app, KeyCode::Char('d'));
    let row = app.selected_inject().expect("a selected inject").clone();
    assert_eq!(row.id, "ddos-vcb", "the cursor follows the delayed inject");
    assert_eq!(row.status.words(), "delayed to +02:00");
    assert_eq!(row.earliest_minute, Some(120));
    assert!(
        app.status.starts_with("Delayed inject ddos-vcb to +02:00"),
        "{}",
        app.status
    );
    // Half an hour on: the briefs and the first news have fired.
    for _ in 0..6 {
        app.step();
    }
    for (w, h) in [(120, 40), (80, 24)] {
        let screen = render(&app, w, h);
        assert_chrome(&screen, &app);
        assert!(screen.contains("delayed to +02:00"), "{screen}");
        let times = queue_times(&screen);
        assert!(times.len() > 10, "{screen}");
        let mut sorted = times.clone();
        sorted.sort();
        assert_eq!(times, sorted, "the queue is sorted by time:\n{screen}");
        insta::assert_snapshot!(format!("facilitator_injects_sorted_{w}x{h}"), screen);
    }
    assert_eq!(
        highlighted(&app, 120, 40)
            .unwrap_or_default()
            .split_whitespace()
            .nth(1),
        Some("ddos-vcb")
    );

    // Enter: the preview of the selected inject (an incident), Esc closes it.
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.preview.as_deref(), Some("ddos-vcb"));
    for (w, h) in [(120, 40), (80, 24)] {
        let screen = render(&app, w, h);
        assert!(screen.contains("Inject ddos-vcb"), "{screen}");
        assert!(screen.contains("not before +02:00"), "{screen}");
        insta::assert_snapshot!(format!("facilitator_inject_preview_{w}x{h}"), screen);
    }
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.preview, None);

    // A message's preview: its sender, subject and body, and its condition in words.
    select(&mut app, "msg-tor-botnet");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.preview.as_deref(), Some("msg-tor-botnet"));
    let screen = render(&app, 80, 24);
    assert!(screen.contains("Condition"), "{screen}");
    assert!(screen.contains("Subject"), "{screen}");
    insta::assert_snapshot!("facilitator_inject_preview_message_80x24", screen);
    key(&mut app, KeyCode::Esc);

    // `s` on ddos-vcb asks first, and says the whole incident goes.
    select(&mut app, "ddos-vcb");
    key(&mut app, KeyCode::Char('s'));
    let question = app
        .confirm
        .as_ref()
        .expect("a confirmation")
        .question
        .clone();
    assert!(
        question.starts_with("Skip inject ddos-vcb (an incident:"),
        "{question}"
    );
    assert!(
        question.contains("cancels the whole incident"),
        "{question}"
    );
    assert!(question.ends_with("y/n"), "{question}");
    for (w, h) in [(120, 40), (80, 24)] {
        let screen = render(&app, w, h);
        assert!(screen.contains("y yes · n or Esc no"), "{screen}");
        assert!(screen.contains("cancels the whole"), "{screen}");
        insta::assert_snapshot!(format!("facilitator_confirm_skip_{w}x{h}"), screen);
    }
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(app.confirm, None);
    assert_eq!(
        app.selected_inject().unwrap().status.words(),
        "delayed to +02:00"
    );
}

/// The help counts the tabs each role has, and after the end the footer offers neither the
/// composer nor the clock.
#[test]
fn help_counts_the_tabs_and_the_footer_follows_the_phase() {
    for (mut app, tabs) in [(facilitator(0), "1-6"), (player(0), "1-7")] {
        assert_eq!(tabs, format!("1-{}", app.tabs().len()));
        key(&mut app, KeyCode::Char('?'));
        let screen = render(&app, 80, 24);
        assert!(
            screen.contains(&format!("←/→ or {tabs}  switch tabs")),
            "{screen}"
        );
        key(&mut app, KeyCode::Esc);
        let footer = |app: &App| {
            let screen = render(app, 200, 40);
            screen.lines().last().unwrap_or_default().to_string()
        };
        assert!(footer(&app).contains("space run"), "{}", footer(&app));
        while app.step() {}
        dismiss_question(&mut app);
        for tab in 0..app.tabs().len() {
            app.tab = tab;
            let f = footer(&app);
            for offer in ["space run", "n step", "compose", "f fire", "m message"] {
                assert!(
                    !f.contains(offer),
                    "tab {tab} offers `{offer}` after the end: {f}"
                );
            }
            assert!(f.contains("? help · q quit"), "{f}");
            assert!(f.contains("the exercise is over"), "{f}");
        }
        // And the keys say why they do nothing.
        app.tab = 0;
        let act = if app.is_facilitator() { 'm' } else { 'c' };
        key(&mut app, KeyCode::Char(act));
        assert!(
            app.status.starts_with("The exercise is over"),
            "{}",
            app.status
        );
        assert!(app.composer.is_none() && app.adhoc.is_none());
    }
}

/// A facilitator app over comms-check (the engine plays every team).
fn comms_check_facilitator() -> App {
    let b = cyberdrill::builtin::find("comms-check").expect("built-in comms-check");
    let scenario = cyberdrill::scenario::from_str(b.file, b.source).expect("valid");
    let sim = Sim::with_players(&scenario, SEED, &[]);
    App::new(sim, Role::Facilitator, teams(&scenario), None)
}

/// A question with `pause: true` stops the clock when it is posed and fills the screen until
/// dismissed (comms-check's q-silent-contacts at +01:00); `N` stops there.
#[test]
fn a_pausing_question_stops_the_clock_and_shows_large() {
    let mut app = comms_check_facilitator();
    key(&mut app, KeyCode::Char(' '));
    assert!(!app.clock.paused);
    while app.question.is_none() {
        assert!(app.step(), "comms-check poses a pausing question");
    }
    assert!(app.clock.paused, "the question paused the clock");
    assert_eq!(app.clock.tick * app.clock.tick_minutes, 60, "at +01:00");
    for (w, h) in [(120, 40), (80, 24)] {
        let screen = render(&app, w, h);
        assert!(screen.contains("DISCUSSION QUESTION"), "{screen}");
        assert!(screen.contains("WHICH NATIONAL CERTS"), "{screen}");
        assert!(screen.contains("for RCC coordination team"), "{screen}");
        insta::assert_snapshot!(format!("question_facilitator_{w}x{h}"), screen);
    }
    // Other keys wait; Esc dismisses it and the clock stays paused until space.
    key(&mut app, KeyCode::Char('3'));
    assert_eq!(app.tab, 0);
    assert!(app.question.is_some());
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.question, None);
    assert!(app.clock.paused);
    assert!(app.status.contains("space runs it again"), "{}", app.status);
    // The preview of the inject says it pauses.
    let row = app.inject_row("q-silent-contacts").unwrap();
    assert!(
        row.text.iter().any(|(label, _)| label == "Pause"),
        "{:?}",
        row.text
    );

    // N from the start stops on the question at the latest.
    let mut app = comms_check_facilitator();
    for _ in 0..20 {
        key(&mut app, KeyCode::Char('N'));
        if app.question.is_some() {
            break;
        }
    }
    assert_eq!(
        app.question.map(|q| q.inject).as_deref(),
        Some("q-silent-contacts")
    );
    assert_eq!(app.clock.tick * app.clock.tick_minutes, 60);
}

/// A team sees a pausing question only when it is addressed to it by name (comms-check's
/// q-silent-contacts goes to the coordination team); another team playing alone neither
/// sees it nor stops for it.
#[test]
fn a_pausing_question_reaches_only_the_team_it_is_for() {
    let b = cyberdrill::builtin::find("comms-check").expect("built-in comms-check");
    let scenario = cyberdrill::scenario::from_str(b.file, b.source).expect("valid");
    let others: Vec<String> = scenario
        .teams
        .iter()
        .map(|t| t.id.clone())
        .filter(|t| t != "coordination")
        .collect();
    let mut seen = Vec::new();
    for team in ["coordination".to_string()].into_iter().chain(others) {
        let sim = Sim::with_players(&scenario, SEED, std::slice::from_ref(&team));
        let mut app = App::new(sim, Role::Team(team.clone()), teams(&scenario), None);
        let mut question = None;
        while app.step() {
            if let Some(q) = app.question.clone() {
                question = Some((q, app.clock.paused));
                break;
            }
            if app.clock.tick * app.clock.tick_minutes > 3 * 60 {
                break;
            }
        }
        if team == "coordination" {
            let (q, paused) = question
                .clone()
                .expect("the coordinators see their question");
            assert_eq!(q.inject, "q-silent-contacts");
            assert!(paused);
            let screen = render(&app, 80, 24);
            assert!(screen.contains("WHICH NATIONAL CERTS"), "{screen}");
            insta::assert_snapshot!("question_team_80x24", screen);
            let inbox = &app.view.as_ref().unwrap().notices;
            assert!(
                inbox
                    .iter()
                    .any(|n| n.text.starts_with("QUESTION for discussion: Which")),
                "the question is kept as a notice in the Inbox"
            );
        } else {
            assert!(question.is_none(), "{team} saw {question:?}");
            assert!(
                app.view.as_ref().unwrap().questions.is_empty(),
                "{team} holds no question"
            );
        }
        seen.push(team);
    }
    assert!(seen.len() >= 2, "{seen:?}");
}

/// The Inbox keeps notices of what the team can know beside its messages, and N stops on
/// them rather than on receipts (the default), or on everything once `e` says so.
#[test]
fn notices_in_the_inbox_and_what_n_stops_on() {
    let mut app = player(0);
    let mut notices = 0;
    for _ in 0..12 {
        key(&mut app, KeyCode::Char('N'));
        dismiss_question(&mut app);
        let v = app.view.as_ref().unwrap();
        notices = notices.max(v.notices.len());
    }
    let v = app.view.clone().unwrap();
    assert!(notices > 0, "notices reach the inbox");
    let kinds: Vec<_> = v.notices.iter().map(|n| n.kind).collect();
    use cyberdrill::sim::view::NoticeKind;
    assert!(kinds.contains(&NoticeKind::News), "{kinds:?}");
    assert!(kinds.contains(&NoticeKind::Detection), "{kinds:?}");
    let screen = render(&app, 120, 40);
    assert!(screen.contains("◆"), "{screen}");
    // Each notice reads once: no label repeating its words ("detected X detected …").
    for row in screen.lines().filter(|r| r.contains("◆")) {
        let notice = row.split('│').nth(1).unwrap_or_default();
        for word in ["detected", "hotline", "objective", "incident", "red line"] {
            assert!(notice.matches(word).count() <= 1, "`{word}` twice: {row}");
        }
    }
    insta::assert_snapshot!("player_inbox_notices_120x40", screen);
    // `e` cycles what N stops on and says so.
    key(&mut app, KeyCode::Char('e'));
    assert_eq!(app.stop_on, cyberdrill::tui::app::StopOn::AnyMessage);
    assert!(
        app.status.starts_with("N now stops on any new inbox entry"),
        "{}",
        app.status
    );
    key(&mut app, KeyCode::Char('e'));
    assert_eq!(app.stop_on, cyberdrill::tui::app::StopOn::Everything);
    let before = app.view.as_ref().unwrap().timeline.len();
    key(&mut app, KeyCode::Char('N'));
    let after = app.view.as_ref().unwrap().timeline.len();
    assert!(
        after > before || app.clock.over,
        "N stops on the next timeline line"
    );
}

/// The glossary is the second page of the help, and scrolls.
#[test]
fn help_has_a_glossary_page() {
    let mut app = player(TICKS);
    key(&mut app, KeyCode::Char('?'));
    key(&mut app, KeyCode::Right);
    assert!(app.help);
    let screen = render(&app, 80, 24);
    assert!(screen.contains("Help: glossary (2/2)"), "{screen}");
    assert!(screen.contains("TLP (Traffic Light Protocol)"), "{screen}");
    insta::assert_snapshot!("help_glossary_80x24", screen);
    for _ in 0..40 {
        key(&mut app, KeyCode::Down);
    }
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("Inject"),
        "scrolled to the last term:\n{screen}"
    );
    key(&mut app, KeyCode::Char('x'));
    assert!(!app.help, "another key closes it");
}

/// At 80 columns the Inbox puts the list above the reading pane, both full width; a message
/// longer than the pane says so in its title and scrolls with the page keys, back to the top
/// when the selection moves.
#[test]
fn the_reading_pane_scrolls_at_80x24() {
    let mut app = player(40);
    key(&mut app, KeyCode::Char('1'));
    let top = render(&app, 80, 24);
    assert!(top.contains("Briefing (lines 1–"), "{top}");
    let first = app.view.as_ref().unwrap().briefing_text();
    let first_words: String = first.split(' ').take(4).collect::<Vec<_>>().join(" ");
    assert!(top.contains(&first_words), "{top}");
    key(&mut app, KeyCode::PageDown);
    let scrolled = render(&app, 80, 24);
    // Five lines down, or as far as the last line lets it.
    assert!(
        !scrolled.contains("Briefing (lines 1–") && scrolled.contains("Briefing (lines "),
        "{scrolled}"
    );
    assert!(scrolled.contains("be out of date."), "{scrolled}");
    assert!(!scrolled.contains(&first_words), "{scrolled}");
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Up);
    assert!(render(&app, 80, 24).contains("Briefing (lines 1–"));
}

#[test]
fn the_facilitators_assets_scroll_at_80x24() {
    let mut app = facilitator(40);
    key(&mut app, KeyCode::Char('1'));
    let f = app.facilitator.clone().expect("the facilitator's view");
    let last = f.assets.last().expect("assets").name.clone();
    let top = render(&app, 80, 24);
    assert!(top.contains("shown · ↓ to scroll"), "{top}");
    assert!(
        !top.contains(&last),
        "the last asset is below the fold: {top}"
    );
    // Down past the incidents and the objectives, to the last asset.
    for _ in 0..f.incidents.len() + f.objectives.len() + f.assets.len() {
        key(&mut app, KeyCode::Down);
    }
    let bottom = render(&app, 80, 24);
    assert!(bottom.contains(&last), "{bottom}");
    assert_eq!(
        highlighted(&app, 80, 24)
            .as_deref()
            .map(|h| h.contains(&last)),
        Some(true)
    );
}
