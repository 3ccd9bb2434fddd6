//! The After-Action Report and Improvement Plan (AAR/IP) in the HSEEP structure
//! (`report --aar`): exercise overview; objectives with the engine's result and the
//! observers' ratings side by side; strengths and areas for improvement drawn from the
//! observations; the teams' decision log; and the Improvement Plan, also as CSV
//! (`--ip-csv FILE`) for the planners' spreadsheet.
//!
//! The rule that sorts observations: one rated P (performed without challenges) or S (with
//! some challenges) is a strength; one rated M (major challenges) or U (unable to be
//! performed) is an area for improvement, and each area for improvement is one row of the
//! Improvement Plan. Unrated observations are listed as they are, in neither.

use super::Report;
use crate::evaluation::{Observation, Rating};
use crate::journal::{Journal, Line};
use crate::sim::view::hhmm_span;
use serde::Serialize;
use std::fmt::Write;

/// What the evaluators and the teams wrote during the run, ready for the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evaluation {
    /// Every observation, in the order written.
    pub observations: Vec<Observation>,
    /// Every decision of the decision log, in the order written, with the command it
    /// explains.
    pub decisions: Vec<LoggedDecision>,
    pub tick_minutes: u32,
}

/// A decision of a team's log, beside the command it explains.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoggedDecision {
    pub minute: u32,
    pub team: String,
    pub decision: String,
    pub rationale: String,
    /// The team's first command at or after the decision; when it sent none after, its
    /// last command before.
    pub command: Option<ExplainedCommand>,
}

/// The command a decision is shown beside.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainedCommand {
    pub minute: u32,
    /// The command's name (`notify`, `share-evidence`, …).
    pub name: String,
    /// Whether it came after the decision (false: the last one before it).
    pub after: bool,
}

impl Evaluation {
    /// The journal's notes, each decision matched to its team's command.
    pub fn from_journal(journal: &Journal, tick_minutes: u32) -> Evaluation {
        let commands: Vec<(u32, &str, String)> = journal
            .entries
            .iter()
            .filter_map(|e| match e {
                Line::Command {
                    tick,
                    team,
                    command,
                } => Some((*tick, team.as_str(), command.name().to_string())),
                _ => None,
            })
            .collect();
        let decisions = journal
            .notes
            .decisions
            .iter()
            .map(|d| {
                let mine = || commands.iter().filter(|(_, t, _)| *t == d.team);
                let explained = mine()
                    .find(|(tick, _, _)| *tick >= d.tick)
                    .map(|c| (c, true))
                    .or_else(|| {
                        mine()
                            .rev()
                            .find(|(tick, _, _)| *tick < d.tick)
                            .map(|c| (c, false))
                    });
                LoggedDecision {
                    minute: d.tick * tick_minutes,
                    team: d.team.clone(),
                    decision: d.decision.clone(),
                    rationale: d.rationale.clone(),
                    command: explained.map(|((tick, _, name), after)| ExplainedCommand {
                        minute: tick * tick_minutes,
                        name: name.clone(),
                        after,
                    }),
                }
            })
            .collect();
        Evaluation {
            observations: journal.notes.observations.clone(),
            decisions,
            tick_minutes,
        }
    }

    /// Whether nobody wrote anything.
    pub fn is_empty(&self) -> bool {
        self.observations.is_empty() && self.decisions.is_empty()
    }

    /// The latest rating each observer gave each (team, objective), sorted by team,
    /// objective and observer.
    pub fn latest_ratings(&self) -> Vec<&Observation> {
        crate::evaluation::latest_ratings(&self.observations)
    }

    /// Observations rated P or S.
    pub fn strengths(&self) -> Vec<&Observation> {
        self.rated(true)
    }

    /// Observations rated M or U: each is a row of the Improvement Plan.
    pub fn improvements(&self) -> Vec<&Observation> {
        self.rated(false)
    }

    fn rated(&self, strength: bool) -> Vec<&Observation> {
        self.observations
            .iter()
            .filter(|o| o.rating.is_some_and(|r| r.is_strength() == strength))
            .collect()
    }
}

/// The title of an objective by id (its id when the scenario does not have it), or the
/// words for the team's play in general.
fn objective_title(r: &Report, id: &Option<String>) -> String {
    match id {
        None => "The team's play in general".to_string(),
        Some(id) => r
            .outcome
            .objectives
            .iter()
            .find(|o| &o.id == id)
            .map_or(id.clone(), |o| o.title.clone()),
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn ratings_of(r: &Report, team: &str, objective: &Option<String>) -> String {
    let ratings: Vec<String> = r
        .evaluation
        .latest_ratings()
        .into_iter()
        .filter(|o| o.team == team && &o.objective == objective)
        .filter_map(|o| o.rating.map(|x| format!("{} ({})", x.letter(), o.observer)))
        .collect();
    if ratings.is_empty() {
        "—".to_string()
    } else {
        ratings.join(", ")
    }
}

fn result_words(status: &str, at: Option<u32>) -> String {
    let words = match status {
        "met" => "met",
        "failed" => "missed",
        _ => "open",
    };
    at.map_or(words.to_string(), |m| {
        format!("{words} at {}", hhmm_span(m))
    })
}

fn note_line(r: &Report, o: &Observation) -> String {
    let rating = o
        .rating
        .map_or(String::new(), |x| format!(" **{}**", x.letter()));
    format!(
        "- {}{rating} · {} · {} · {}: {}",
        hhmm_span(o.tick * r.evaluation.tick_minutes),
        r.name(&o.team),
        objective_title(r, &o.objective),
        o.observer,
        o.text.replace('\n', " ")
    )
}

/// The rows of the Improvement Plan: one per area for improvement.
pub struct PlanRow {
    pub number: usize,
    pub team: String,
    pub capability: String,
    pub rating: Rating,
    pub observed_at: String,
    pub observer: String,
    pub issue: String,
}

/// The Improvement Plan's rows, in the order the observations were written.
pub fn plan(r: &Report) -> Vec<PlanRow> {
    r.evaluation
        .improvements()
        .into_iter()
        .enumerate()
        .map(|(i, o)| PlanRow {
            number: i + 1,
            team: r.name(&o.team).to_string(),
            capability: objective_title(r, &o.objective),
            rating: o.rating.unwrap_or(Rating::U),
            observed_at: hhmm_span(o.tick * r.evaluation.tick_minutes),
            observer: o.observer.clone(),
            issue: o.text.clone(),
        })
        .collect()
}

/// The columns of the Improvement Plan CSV; the last three are for the planners to fill in.
pub const PLAN_COLUMNS: [&str; 10] = [
    "Number",
    "Team",
    "Objective or capability",
    "Rating",
    "Observed at",
    "Observer",
    "Issue (area for improvement)",
    "Recommendation",
    "Responsible organisation",
    "Due date",
];

/// The Improvement Plan as CSV: a header, then one row per area for improvement.
pub fn plan_csv(r: &Report) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(PLAN_COLUMNS).map_err(|e| e.to_string())?;
    for row in plan(r) {
        w.write_record([
            row.number.to_string(),
            row.team,
            row.capability,
            format!("{} ({})", row.rating.letter(), row.rating.words()),
            row.observed_at,
            row.observer,
            row.issue,
            String::new(),
            String::new(),
            String::new(),
        ])
        .map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// The decision log as a Markdown table (also in the plain report).
pub fn decision_table(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Each decision is shown beside the team's first command at or after it (↓), or, if the team sent none after it, its last command before (↑).\n"
    );
    let _ = writeln!(
        s,
        "| Time | Team | Decision | Rationale | Command it explains |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|");
    for d in &r.evaluation.decisions {
        let command = d.command.as_ref().map_or("—".to_string(), |c| {
            format!(
                "{} `{}` at {}",
                if c.after { "↓" } else { "↑" },
                c.name,
                hhmm_span(c.minute)
            )
        });
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {command} |",
            hhmm_span(d.minute),
            cell(r.name(&d.team)),
            cell(&d.decision),
            cell(&d.rationale)
        );
    }
    s
}

/// The AAR/IP in Markdown.
pub fn markdown(r: &Report) -> String {
    let mut s = String::new();
    let e = &r.evaluation;
    let _ = writeln!(s, "# After-Action Report / Improvement Plan: {}\n", r.title);
    let _ = writeln!(s, "## Exercise overview\n");
    let _ = writeln!(
        s,
        "- Exercise: {} (scenario `{}`, seed {})",
        r.title, r.scenario, r.seed
    );
    let _ = writeln!(
        s,
        "- Duration: {:.1} simulated hours{}",
        r.hours,
        if r.finished {
            ""
        } else {
            " (the session stopped before the end)"
        }
    );
    let _ = writeln!(s, "- Participating teams: {}", r.teams.join("; "));
    let mut observers: Vec<&str> = e.observations.iter().map(|o| o.observer.as_str()).collect();
    observers.sort_unstable();
    observers.dedup();
    let _ = writeln!(
        s,
        "- Evaluators: {}",
        if observers.is_empty() {
            "none recorded observations".to_string()
        } else {
            observers.join(", ")
        }
    );
    let _ = writeln!(
        s,
        "- Observations: {} ({} strengths, {} areas for improvement); decisions logged: {}",
        e.observations.len(),
        e.strengths().len(),
        e.improvements().len(),
        e.decisions.len()
    );
    let _ = writeln!(
        s,
        "- Exercise date, location and point of contact: ________\n"
    );

    let _ = writeln!(
        s,
        "## Objectives: the engine's result and the observers' ratings\n"
    );
    let _ = writeln!(
        s,
        "Ratings (HSEEP): P performed without challenges, S performed with some challenges, M performed with major challenges, U unable to be performed. Each observer's latest rating counts.\n"
    );
    let _ = writeln!(
        s,
        "| Team | Objective | Engine's result | Observers' ratings |"
    );
    let _ = writeln!(s, "|---|---|---|---|");
    for o in &r.outcome.objectives {
        let team = o.team.clone().unwrap_or_else(|| "exercise".into());
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            cell(r.name(&team)),
            cell(&o.title),
            result_words(&o.status, o.at_minute),
            ratings_of(r, &team, &Some(o.id.clone()))
        );
    }
    // Ratings of a team's play in general (not tied to an objective).
    let mut general: Vec<&str> = e
        .latest_ratings()
        .into_iter()
        .filter(|o| o.objective.is_none())
        .map(|o| o.team.as_str())
        .collect();
    general.dedup();
    for team in general {
        let _ = writeln!(
            s,
            "| {} | The team's play in general | — | {} |",
            cell(r.name(team)),
            ratings_of(r, team, &None)
        );
    }

    let _ = writeln!(s, "\n## Analysis: strengths and areas for improvement\n");
    let _ = writeln!(
        s,
        "Drawn from the observers' notes: an observation rated P or S is a strength, one rated M or U an area for improvement (and a row of the Improvement Plan); unrated observations are listed apart.\n"
    );
    for (title, list) in [
        ("Strengths", e.strengths()),
        ("Areas for improvement", e.improvements()),
    ] {
        let _ = writeln!(s, "### {title}\n");
        if list.is_empty() {
            let _ = writeln!(s, "None recorded.\n");
        } else {
            for o in list {
                let _ = writeln!(s, "{}", note_line(r, o));
            }
            s.push('\n');
        }
    }
    let unrated: Vec<&Observation> = e
        .observations
        .iter()
        .filter(|o| o.rating.is_none())
        .collect();
    if !unrated.is_empty() {
        let _ = writeln!(s, "### Other observations (not rated)\n");
        for o in unrated {
            let _ = writeln!(s, "{}", note_line(r, o));
        }
        s.push('\n');
    }

    let _ = writeln!(s, "## Decision log\n");
    if e.decisions.is_empty() {
        let _ = writeln!(s, "No team logged a decision.\n");
    } else {
        let _ = writeln!(s, "{}", decision_table(r));
    }

    let _ = writeln!(s, "## Improvement Plan\n");
    let rows = plan(r);
    if rows.is_empty() {
        let _ = writeln!(
            s,
            "No area for improvement was recorded (no observation rated M or U).\n"
        );
    } else {
        let _ = writeln!(
            s,
            "One row per area for improvement; the recommendation, the responsible organisation and the due date are for the planners to fill in (`--ip-csv FILE` exports this table).\n"
        );
        let _ = writeln!(
            s,
            "| # | Team | Objective or capability | Issue (area for improvement) | Recommendation | Responsible organisation | Due date |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|---|");
        for row in rows {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} ({}, {} at {}) |  |  |  |",
                row.number,
                cell(&row.team),
                cell(&row.capability),
                cell(&row.issue),
                row.rating.letter(),
                row.observer,
                row.observed_at
            );
        }
        s.push('\n');
    }
    s
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The AAR/IP as one self-contained HTML page (no scripts, no external resources).
pub fn html(r: &Report) -> String {
    // The Markdown is the one source of the content; its tables, headings and lists are
    // turned into HTML line by line (it only uses those).
    let md = markdown(r);
    let mut body = String::new();
    let mut in_list = false;
    let mut in_table = false;
    for line in md.lines() {
        let is_row = line.starts_with('|');
        let is_item = line.starts_with("- ");
        if in_list && !is_item {
            body.push_str("</ul>\n");
            in_list = false;
        }
        if in_table && !is_row {
            body.push_str("</table>\n");
            in_table = false;
        }
        if let Some(h) = line.strip_prefix("### ") {
            let _ = writeln!(body, "<h3>{}</h3>", inline(h));
        } else if let Some(h) = line.strip_prefix("## ") {
            let _ = writeln!(body, "<h2>{}</h2>", inline(h));
        } else if let Some(h) = line.strip_prefix("# ") {
            let _ = writeln!(body, "<h1>{}</h1>", inline(h));
        } else if let Some(item) = line.strip_prefix("- ") {
            if !in_list {
                body.push_str("<ul>\n");
                in_list = true;
            }
            let _ = writeln!(body, "<li>{}</li>", inline(item));
        } else if is_row {
            let cells: Vec<String> = split_row(line);
            if cells.iter().all(|c| c.chars().all(|ch| ch == '-')) {
                continue;
            }
            let tag = if in_table { "td" } else { "th" };
            if !in_table {
                body.push_str("<table>\n");
                in_table = true;
            }
            body.push_str("<tr>");
            for c in cells {
                let _ = write!(body, "<{tag}>{}</{tag}>", inline(&c));
            }
            body.push_str("</tr>\n");
        } else if !line.trim().is_empty() {
            let _ = writeln!(body, "<p>{}</p>", inline(line));
        }
    }
    if in_list {
        body.push_str("</ul>\n");
    }
    if in_table {
        body.push_str("</table>\n");
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>AAR/IP: {}</title>\n<style>body{{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}}table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #999;padding:.3em .6em;vertical-align:top;text-align:left}}th{{background:#eee}}</style></head><body>\n{body}</body></html>\n",
        esc(&r.title)
    )
}

/// A Markdown table row's cells (`\|` is a bar inside a cell).
fn split_row(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut cells = Vec::new();
    let mut current = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                current.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut current).trim().to_string()),
            _ => current.push(c),
        }
    }
    cells.push(current.trim().to_string());
    cells
}

/// Escapes text and renders `**bold**` and `` `code` ``.
fn inline(text: &str) -> String {
    let escaped = esc(text);
    let mut out = String::new();
    for (i, part) in escaped.split("**").enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<strong>{part}</strong>");
        } else {
            for (j, p) in part.split('`').enumerate() {
                if j % 2 == 1 {
                    let _ = write!(out, "<code>{p}</code>");
                } else {
                    out.push_str(p);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_split_on_bars_but_not_escaped_ones() {
        assert_eq!(split_row("| a | b \\| c | d |"), vec!["a", "b | c", "d"]);
        assert_eq!(
            inline("**S** `x` <y>"),
            "<strong>S</strong> <code>x</code> &lt;y&gt;"
        );
    }
}
