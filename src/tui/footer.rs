//! The key footer: what the keys do on this tab now, as many as fit the width. Help and quit
//! come first and always stay; then this tab's keys; then the clock's, which say whether the
//! clock runs or stands. After the end only looking around is offered.

use super::app::App;
use super::tab::Tab;
use super::text::cells;

/// The keys to offer, most important first.
fn offers(app: &App) -> Vec<&'static str> {
    let quit = if app.served() { "q leave" } else { "q quit" };
    let mut keys = vec!["? help", quit];
    let tab = app.screen();
    if app.clock.over {
        keys.push("the exercise is over");
        keys.extend(match tab {
            t if t.has_why() => &["w why"][..],
            Tab::Injects => &["Enter preview"][..],
            Tab::TeamScreens => &["Enter show this team"][..],
            Tab::Directory => &["/ filter"][..],
            _ => &[][..],
        });
        keys.push("←/→ tabs");
        return keys;
    }
    // Whether the clock runs or stands comes before this tab's keys.
    if app.runs_clock() {
        keys.push(if app.clock.paused {
            "space run"
        } else {
            "space pause"
        });
    }
    keys.extend(match (app.is_facilitator(), tab) {
        (true, Tab::Injects) => &[
            "Enter preview",
            "f fire",
            "d delay 30m",
            "s skip",
            "m message",
        ][..],
        (true, Tab::TeamScreens) => &["Enter show this team", "m message"][..],
        (true, t) if t.has_why() => &["w why", "m message a team"][..],
        (true, _) => &["m message a team"][..],
        (false, Tab::Inbox) => &["a acknowledge", "c compose"][..],
        (false, t) if t.has_why() => &["w why", "c compose"][..],
        (false, Tab::Directory) => &["/ filter", "Enter write", "c compose"][..],
        (false, _) => &["c compose an action"][..],
    });
    if app.is_facilitator() && app.wall {
        keys.push("R reveal on the wall");
    }
    if app.runs_clock() {
        keys.extend([
            "n step",
            "N next event",
            "+/- pace",
            "←/→ tabs",
            "e what N stops on",
        ]);
    } else {
        keys.extend(["←/→ tabs", "the facilitator runs the clock"]);
    }
    if !app.is_facilitator() {
        keys.push("d log a decision");
    }
    keys
}

/// The footer for `width` cells: the offers that fit, joined by ` · `.
pub fn text(app: &App, width: usize) -> String {
    let mut out = String::new();
    for (i, key) in offers(app).into_iter().enumerate() {
        let sep = if out.is_empty() { "" } else { " · " };
        // Help and quit always stay; the rest only where it fits whole.
        if i < 2 || cells(&out) + cells(sep) + cells(key) <= width {
            out.push_str(sep);
            out.push_str(key);
        }
    }
    out
}
