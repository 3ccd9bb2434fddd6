//! The terminal UI: `cyberdrill play`.
//!
//! `app.rs` holds the state and turns keys into `action.rs`'s `Action`s, which `App::apply`
//! alone carries out; `tab.rs` names the tabs each role has. `ui.rs`
//! draws the frame (a pure function of the state) and hands the tab on screen to its own
//! file: `inbox`, `situation`, `directory`, `ladder` (Relations and Escalation), `sent`,
//! `timeline`, `objectives`, `ground_truth`, `injects`, `team_screens`; the popups are
//! `composer_view`, `adhoc`, `why`, `question` and `help`, the footer `footer`. `text` and
//! `widgets` have the helpers they share, `glossary` the words; `composer.rs` builds
//! actions. This module owns the terminal: set-up, the event loop, and restoring the
//! terminal on quit, Ctrl-C, panic or error. The UI draws only `TeamView`/`FacilitatorView`
//! and sends only `Command`s and facilitator `Control`s, so the same app runs per SSH
//! session.

pub mod action;
pub mod adhoc;
pub mod app;
pub mod composer;
pub mod composer_view;
pub mod decision;
pub mod directory;
pub mod footer;
pub mod glossary;
pub mod ground_truth;
pub mod help;
pub mod inbox;
pub mod injects;
pub mod ladder;
pub mod objectives;
pub mod observer;
pub mod question;
pub mod screen;
pub mod sent;
pub mod situation;
pub mod tab;
pub mod team_screens;
pub mod text;
pub mod timeline;
pub mod ui;
pub mod why;
pub mod widgets;

use crate::exercise::{Error, default_journal, load, start, teams};
use crate::journal::JournalWriter;
use crate::sim::Sim;
use app::{App, Role};
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};
use ratatui::{DefaultTerminal, layout::Constraint, layout::Layout, style::Style, style::Stylize};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

/// Options of `cyberdrill play`.
pub struct PlayOptions {
    pub scenario: Option<String>,
    pub team: Option<String>,
    pub facilitator: bool,
    /// Observe this team (or `all`): read-only, the engine plays every team.
    pub observe: Option<String>,
    pub seed: u64,
    pub journal: Option<PathBuf>,
    pub resume: Option<PathBuf>,
    /// Play on from a moment of a journaled run.
    pub branch: Option<crate::exercise::branch::BranchFrom>,
    /// Where to serve the wall display, if anywhere.
    pub wall: Option<String>,
}

/// `cyberdrill play`.
pub fn play(options: PlayOptions) -> Result<(), Error> {
    if !std::io::stdout().is_terminal() {
        return Err(Error::Usage(
            "`play` needs an interactive terminal (for a headless run use `cyberdrill run`)".into(),
        ));
    }
    let mut prepared = prepare(&options)?;
    // The wall's port before the terminal is taken: a mistake is told on a plain screen.
    prepared.wall = options.wall.as_deref().map(crate::wall::bind).transpose()?;
    let mut terminal = ratatui::try_init()
        .map_err(|e| Error::Usage(format!("cannot set up the terminal: {e}")))?;
    let result = session(&mut terminal, prepared, &options);
    ratatui::restore();
    match result {
        Ok(Finished {
            journal,
            failure: Some(failure),
            ..
        }) => {
            let mut told = format!(
                "{failure}\nThe exercise stopped there. Everything accepted before is in the \
                 journal; nothing half-written is left in it."
            );
            if let Some(j) = journal {
                told.push_str(&format!(
                    "\nWhen the journal can be written again (free some space, restore the \
                     directory), continue with: cyberdrill play --resume {}",
                    j.display()
                ));
            }
            Err(Error::Stopped(told))
        }
        Ok(Finished {
            journal,
            quit_early,
            failure: None,
        }) => {
            if let Some(j) = journal {
                println!("Journal: {}", j.display());
                if quit_early {
                    println!(
                        "Continue later with: cyberdrill play --resume {}",
                        j.display()
                    );
                }
                println!("Check or re-run it with: cyberdrill replay {}", j.display());
            }
            Ok(())
        }
        Err(e) => Err(Error::Terminal(e)),
    }
}

/// A scenario ready to play: a resumed sim, or a new one to start once the role is known.
struct Prepared {
    sim: Option<Sim>,
    loaded: Option<load::Loaded>,
    teams: Vec<(String, String)>,
    role: Option<Role>,
    journal: Option<JournalWriter>,
    journal_path: Option<PathBuf>,
    seed: u64,
    /// What the first screen says (a resumed journal whose last line was cut off).
    notice: Option<String>,
    /// The notes (observations, decisions) journaled before, when resuming or branching.
    notes: crate::evaluation::Notes,
    /// `--observe`: the observer's seat (then there is no role).
    observe: Option<crate::evaluation::Seat>,
    /// The wall display's port (`--wall`).
    wall: Option<std::net::TcpListener>,
}

struct Finished {
    journal: Option<PathBuf>,
    quit_early: bool,
    /// The exercise stopped: its journal could not be written.
    failure: Option<String>,
}

fn prepare(options: &PlayOptions) -> Result<Prepared, Error> {
    if let Some(crate::exercise::branch::BranchFrom { parent, at }) = &options.branch {
        if options.scenario.is_some() || options.resume.is_some() {
            return Err(Error::Usage(
                "--branch plays on from its journal: no scenario and no --resume with it".into(),
            ));
        }
        return prepare_branch(options, parent, at);
    }
    if let Some(path) = &options.resume {
        return prepare_resume(options, path);
    }
    prepare_new(options)
}

/// A run to continue (`--resume`): its journal replayed to where it stopped, appended to.
fn prepare_resume(options: &PlayOptions, path: &std::path::Path) -> Result<Prepared, Error> {
    let (journal, loaded) = start::open_played(path, "use `cyberdrill replay` for it")?;
    let (sim, writer) = start::resume(&journal, &loaded, path)?;
    let observe = observer_seat(options, &loaded.scenario, path)?;
    let player = options.team.clone().or(journal.player.clone());
    let role = if options.facilitator || player.as_deref() == Some(crate::scenario::FACILITATOR) {
        Some(Role::Facilitator)
    } else {
        player.map(Role::Team)
    };
    Ok(Prepared {
        teams: teams(&loaded.scenario),
        sim: Some(sim),
        loaded: None,
        journal: Some(writer),
        journal_path: Some(path.to_path_buf()),
        seed: journal.seed,
        notice: journal.torn_notice(),
        notes: journal.notes.clone(),
        role: if observe.is_some() { None } else { role },
        observe,
        wall: None,
    })
}

/// A new run of a scenario (the default one without a reference), started once the role is known.
fn prepare_new(options: &PlayOptions) -> Result<Prepared, Error> {
    let reference = options
        .scenario
        .clone()
        .unwrap_or_else(|| crate::exercise::DEFAULT_SCENARIO.to_string());
    let loaded = load::load(&reference)?;
    let teams = teams(&loaded.scenario);
    let observe = observer_seat(options, &loaded.scenario, std::path::Path::new(&reference))?;
    let role = match (&options.team, options.facilitator) {
        (_, true) => Some(Role::Facilitator),
        (Some(t), false) => Some(start::team_role(&teams, t, &reference)?),
        (None, false) => None,
    };
    if teams.is_empty() && !options.facilitator {
        return Err(Error::Usage(format!(
            "{reference} defines no teams; play it as --facilitator or run it with `cyberdrill run`"
        )));
    }
    Ok(Prepared {
        sim: None,
        loaded: Some(loaded),
        teams,
        role,
        journal: None,
        journal_path: options.journal.clone(),
        seed: options.seed,
        notice: None,
        notes: Default::default(),
        observe,
        wall: None,
    })
}

/// A branch to play: the parent's run rebuilt to the branch point, a new journal that
/// records its parent, and the team at this keyboard (or the facilitator) playing on.
fn prepare_branch(
    options: &PlayOptions,
    parent: &std::path::Path,
    at: &str,
) -> Result<Prepared, Error> {
    let branch = crate::exercise::branch::Branch::open(parent, at)?;
    let teams = teams(&branch.loaded.scenario);
    let player = if options.facilitator {
        crate::scenario::FACILITATOR.to_string()
    } else if let Some(t) = options.team.clone().or(branch.parent.player.clone()) {
        t
    } else {
        return Err(Error::Usage(
            "say who plays the branch: --as TEAM or --facilitator".into(),
        ));
    };
    let role = start::player_role(&teams, &player)?;
    let (_, humans) = role.players();
    let then = [crate::sim::Control::Players { humans }];
    let path = start::branch_journal(&branch, options.journal.clone());
    let (sim, writer) = start::branch(&branch, &path, Some(&player), &then)?;
    Ok(Prepared {
        teams,
        sim: Some(sim),
        loaded: None,
        role: Some(role),
        journal: Some(writer),
        journal_path: Some(path),
        seed: branch.parent.seed,
        notice: None,
        notes: branch.notes(),
        observe: None,
        wall: None,
    })
}

/// Starts a new run once the role is known: the sim and a fresh journal.
fn start_as(
    loaded: &load::Loaded,
    role: &Role,
    journal: Option<PathBuf>,
    seed: u64,
) -> std::io::Result<(Sim, JournalWriter, PathBuf)> {
    let path = journal.unwrap_or_else(|| default_journal(&loaded.scenario.meta.id, seed));
    // Only the team at this keyboard is played by a person; the engine plays the others.
    let (player, humans) = role.players();
    let (sim, writer) = start::new_run(loaded, seed, &player, &humans, &path)?;
    Ok((sim, writer, path))
}

/// The seat of `--observe TEAM` (or `all`); none without it. A journal written by an
/// observer is resumed by an observer.
fn observer_seat(
    options: &PlayOptions,
    scenario: &crate::scenario::Scenario,
    source: &std::path::Path,
) -> Result<Option<crate::evaluation::Seat>, Error> {
    let Some(team) = &options.observe else {
        if options.resume.is_some() && options.team.is_none() && !options.facilitator {
            let journal = options
                .resume
                .as_deref()
                .and_then(|p| crate::journal::Journal::read(p).ok());
            if journal.and_then(|j| j.player).as_deref() == Some(OBSERVER) {
                return Err(Error::Usage(format!(
                    "{} was written by an observer; resume it with --observe TEAM (or all)",
                    source.display()
                )));
            }
        }
        return Ok(None);
    };
    // At this keyboard the observer has the whole exercise anyway.
    start::observer_seat(scenario, OBSERVER, team).map(Some)
}

/// The name a local observer signs with, and the journal's player for `play --observe`.
pub const OBSERVER: &str = "observer";

/// `play --observe`: the engine plays every team; the observer watches, runs the clock and
/// writes the evaluation guide.
fn observe_session(
    terminal: &mut DefaultTerminal,
    prepared: Prepared,
    seat: crate::evaluation::Seat,
) -> std::io::Result<Finished> {
    let (sim, journal, path) = match (prepared.sim, &prepared.loaded) {
        (Some(sim), _) => (sim, prepared.journal, prepared.journal_path),
        (None, Some(loaded)) => {
            let path = prepared
                .journal_path
                .unwrap_or_else(|| default_journal(&loaded.scenario.meta.id, prepared.seed));
            let (sim, writer) = start::new_run(loaded, prepared.seed, OBSERVER, &[], &path)?;
            (sim, Some(writer), Some(path))
        }
        (None, None) => return Err(std::io::Error::other("nothing to observe")),
    };
    let mut exercise = crate::exercise::Exercise::new(sim, journal);
    exercise.notes = prepared.notes;
    let shared = crate::exercise::SharedExercise {
        exercise: std::sync::Arc::new(std::sync::Mutex::new(exercise)),
        changed: std::sync::Arc::new(|| {}),
    };
    let mut screen = observer::ObserverScreen::new(shared, seat, prepared.teams, true);
    if let Some(notice) = prepared.notice {
        screen.team.warn(format!("Note: {notice}."));
    }
    observer::run(terminal, &mut screen)?;
    Ok(Finished {
        journal: path,
        quit_early: !screen.team.clock.over,
        failure: screen.team.failure.clone(),
    })
}

fn session(
    terminal: &mut DefaultTerminal,
    prepared: Prepared,
    _options: &PlayOptions,
) -> std::io::Result<Finished> {
    if let Some(seat) = prepared.observe.clone() {
        return observe_session(terminal, prepared, seat);
    }
    let role = match prepared.role {
        Some(r) => r,
        None => match pick_role(terminal, &prepared.teams)? {
            Some(r) => r,
            None => {
                return Ok(Finished {
                    journal: None,
                    quit_early: true,
                    failure: None,
                });
            }
        },
    };
    let (sim, journal, path) = match (prepared.sim, &prepared.loaded) {
        (Some(sim), _) => (sim, prepared.journal, prepared.journal_path),
        (None, Some(loaded)) => {
            let (sim, writer, path) =
                start_as(loaded, &role, prepared.journal_path, prepared.seed)?;
            (sim, Some(writer), Some(path))
        }
        (None, None) => return Err(std::io::Error::other("nothing to play")),
    };
    let mut app = match prepared.wall {
        None => App::new(sim, role, prepared.teams, journal),
        Some(listener) => on_the_wall(sim, role, prepared.teams, journal, listener)?,
    };
    match &mut app.engine {
        app::Engine::Own(ex) => ex.notes = prepared.notes,
        app::Engine::Shared(shared) | app::Engine::Watched(shared) => {
            shared.lock().notes = prepared.notes
        }
    }
    app.refresh();
    if let Some(notice) = prepared.notice {
        app.warn(format!("Note: {notice}."));
    }
    run_app(terminal, &mut app)?;
    Ok(Finished {
        journal: path,
        quit_early: !app.clock.over,
        failure: app.failure.clone(),
    })
}

/// An app whose exercise the wall display follows, served on its own thread.
fn on_the_wall(
    sim: Sim,
    role: Role,
    teams: Vec<(String, String)>,
    journal: Option<JournalWriter>,
    listener: std::net::TcpListener,
) -> std::io::Result<App> {
    let url = crate::wall::url(&listener.local_addr()?);
    let mut exercise = crate::exercise::Exercise::new(sim, journal);
    if let Role::Team(t) = &role {
        exercise.solo_team = Some(t.clone());
    }
    exercise.wall = Some(url.clone());
    let (shared, changes) = crate::exercise::SharedExercise::watched(exercise);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let watched = shared.clone();
    // The thread ends with the process, when `play` is done.
    std::thread::spawn(move || runtime.block_on(crate::wall::run(listener, watched, changes)));
    let facilitator = role == Role::Facilitator;
    let mut app = App::over(app::Engine::Watched(shared), role, teams);
    app.say(if facilitator {
        format!("Wall display: {url} (R reveals the ground truth there). Press space to start the clock, ? for help.")
    } else {
        format!("Wall display: {url}. Press space to start the clock, ? for help.")
    });
    Ok(app)
}

/// The event loop: draw, wait for a key, the next tick or the status line to expire, never
/// spin while idle.
pub fn run_app(terminal: &mut DefaultTerminal, app: &mut App) -> std::io::Result<()> {
    let mut next_tick = Instant::now();
    while !app.quit {
        // The wall clock is read here, in the UI, never in the engine.
        app.expire_status(Instant::now());
        terminal.draw(|frame| ui::draw(frame, app))?;
        let wake = [
            (!app.clock.paused).then_some(next_tick),
            app.status_deadline(),
        ]
        .into_iter()
        .flatten()
        .min();
        let ready = match wake {
            None => true,
            Some(at) => event::poll(at.saturating_duration_since(Instant::now()))?,
        };
        if ready {
            match event::read()? {
                Event::Key(key) if key.kind != KeyEventKind::Release => app.handle_key(key),
                // Resizes (and anything else) simply redraw.
                _ => {}
            }
        }
        if !app.clock.paused && Instant::now() >= next_tick {
            app.step();
            next_tick = Instant::now() + app.read(|ex| ex.tick_interval());
        }
    }
    app.mark();
    Ok(())
}

/// Asks which team to play, or the facilitator. None when the user quits.
fn pick_role(
    terminal: &mut DefaultTerminal,
    teams: &[(String, String)],
) -> std::io::Result<Option<Role>> {
    let mut selected = 0usize;
    let count = teams.len() + 1;
    loop {
        terminal.draw(|frame| {
            let [top, body, foot] = Layout::vertical([Constraint::Length(3), Constraint::Fill(1), Constraint::Length(1)]).areas(frame.area());
            frame.render_widget(Paragraph::new("cyberdrill — who are you playing?\nTeams act only through their points of contact; the facilitator sees the ground truth.").wrap(Wrap { trim: true }), top);
            let mut items: Vec<ListItem> = teams.iter().map(|(id, name)| ListItem::new(format!("{name}  (next time: play --as {id})"))).collect();
            items.push(ListItem::new("Facilitator (white cell: ground truth, injects, pace)"));
            let mut state = ListState::default().with_selected(Some(selected));
            frame.render_stateful_widget(List::new(items).block(Block::bordered().title("Choose")).highlight_style(Style::new().reversed()), body, &mut state);
            frame.render_widget(Paragraph::new("↑/↓ choose · Enter start · q quit").dim(), foot);
        })?;
        if let Event::Key(key) = event::read()? {
            if key.kind == KeyEventKind::Release {
                continue;
            }
            match key.code {
                KeyCode::Up | KeyCode::Char('k') => selected = selected.saturating_sub(1),
                KeyCode::Down | KeyCode::Char('j') => selected = (selected + 1).min(count - 1),
                KeyCode::Enter => {
                    return Ok(Some(match teams.get(selected) {
                        Some((id, _)) => Role::Team(id.clone()),
                        None => Role::Facilitator,
                    }));
                }
                KeyCode::Char('q') | KeyCode::Esc => return Ok(None),
                KeyCode::Char('c')
                    if key
                        .modifiers
                        .contains(ratatui::crossterm::event::KeyModifiers::CONTROL) =>
                {
                    return Ok(None);
                }
                _ => {}
            }
        }
    }
}
