//! TUI benchmarks: the time to draw one frame of each tab, for a player and for the
//! facilitator, at 120×40 into ratatui's `TestBackend` (no terminal I/O). The apps are built
//! and stepped once, outside the timing, 40 ticks into the flagship so the screens have content.

use criterion::{Criterion, criterion_group, criterion_main};
use cyberdrill::sim::Sim;
use cyberdrill::tui::app::{App, Role};
use cyberdrill::tui::tab::{FACILITATOR_TABS, PLAYER_TABS};
use cyberdrill::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

fn app(role: Role) -> App {
    let b = cyberdrill::builtin::find("flagship").expect("built-in flagship");
    let scenario = cyberdrill::scenario::from_str(b.file, b.source).expect("flagship is valid");
    let teams = scenario
        .teams
        .iter()
        .map(|t| (t.id.clone(), t.name.clone()))
        .collect();
    let humans: Vec<String> = match &role {
        Role::Team(t) => vec![t.clone()],
        Role::Facilitator => Vec::new(),
    };
    let mut app = App::new(Sim::with_players(&scenario, 1, &humans), role, teams, None);
    for _ in 0..40 {
        app.step();
    }
    app
}

fn frames(c: &mut Criterion) {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test terminal");
    for (role, tabs, who) in [
        (Role::Team("team-varesh".into()), &PLAYER_TABS[..], "player"),
        (Role::Facilitator, &FACILITATOR_TABS[..], "facilitator"),
    ] {
        let mut app = app(role);
        let mut group = c.benchmark_group(format!("draw 120x40 {who}"));
        for (i, tab) in tabs.iter().enumerate() {
            app.tab = i;
            group.bench_function(tab.title(), |b| {
                b.iter(|| {
                    terminal.draw(|f| ui::draw(f, &app)).expect("draw");
                    black_box(terminal.backend().buffer().area)
                })
            });
        }
        group.finish();
    }
}

/// The longest lists: the timelines once the whole 48 hours have run.
fn frames_at_the_end(c: &mut Criterion) {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test terminal");
    let mut group = c.benchmark_group("draw 120x40 at the end");
    for (role, tab, name) in [
        (Role::Team("team-varesh".into()), 5, "player Timeline"),
        (Role::Facilitator, 3, "facilitator Timeline"),
    ] {
        let mut app = app(role);
        while app.step() {}
        app.tab = tab;
        group.bench_function(name, |b| {
            b.iter(|| {
                terminal.draw(|f| ui::draw(f, &app)).expect("draw");
                black_box(terminal.backend().buffer().area)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, frames, frames_at_the_end);
criterion_main!(benches);
