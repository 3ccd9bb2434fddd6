//! The after-action report as Markdown.

use super::Report;
use crate::sim::view::hhmm_span;
use std::fmt::Write;

/// Renders the report as Markdown.
pub fn markdown(r: &Report) -> String {
    let mut s = String::new();
    let o = &r.outcome;
    let _ = writeln!(s, "# After-action report: {}\n", r.title);
    let _ = writeln!(
        s,
        "Scenario `{}`, seed {}, {:.1} simulated hours{}.\n",
        r.scenario,
        r.seed,
        r.hours,
        if r.finished {
            ""
        } else {
            " (the session stopped before the end)"
        }
    );
    let met = o.objectives.iter().filter(|x| x.status == "met").count();
    let _ = writeln!(s, "## Summary\n");
    let _ = writeln!(s, "- Teams: {}", r.teams.join("; "));
    let _ = writeln!(s, "- Objectives met: {met} of {}", o.objectives.len());
    let _ = writeln!(s, "- Highest rung reached: {}", o.peak_rung.label());
    let _ = writeln!(
        s,
        "- Public attributions: {} ({} wrongful)",
        o.public_attributions, o.wrongful_attributions
    );
    let total: f64 = o.downtime.values().sum();
    let _ = writeln!(s, "- Infrastructure downtime: {total:.1} sector-hours");
    let m = &o.messages;
    let _ = writeln!(
        s,
        "- Messages: {} sent, {} acknowledged, {} bounced; {:.0}% acknowledged within 2 hours; median time to acknowledge {}\n",
        m.sent,
        m.acknowledged,
        m.bounced,
        m.acked_within_2h * 100.0,
        m.median_minutes_to_ack.map_or(
            "not reached (fewer than half acknowledged)".into(),
            |x| format!("{x:.0} minutes")
        )
    );
    if let Some(b) = &r.branch {
        let _ = writeln!(s, "## A branch\n");
        let _ = writeln!(
            s,
            "This run branches from `{}` at {}: the same run up to there, then another course.\n",
            b.parent,
            hhmm_span(b.at_minute)
        );
        match &b.diff {
            Some(d) => {
                let _ = writeln!(s, "```text\n{}```\n", super::diff::text(d, 12));
            }
            None => {
                let _ = writeln!(s, "(The parent journal is not at hand to compare with.)\n");
            }
        }
    }
    if let Some(b) = &r.baseline {
        let _ = writeln!(s, "## Against the engine\n");
        let _ = writeln!(s, "{}\n", b.summary());
        let _ = writeln!(
            s,
            "| objective | this run | the engine meets it in |\n|---|---|---|"
        );
        for o in &b.objectives {
            let _ = writeln!(
                s,
                "| {} | {} | {:.0}% of runs |",
                cell(&o.title),
                o.played,
                o.engine_met * 100.0
            );
        }
        let _ = writeln!(
            s,
            "\n| measure | this run | percentile among the engine's runs | engine median (p5–p95) |\n|---|---|---|---|"
        );
        for m in &b.measures {
            let [played, percentile, engine] = m.cells();
            let _ = writeln!(s, "| {} | {played} | {percentile} | {engine} |", m.measure);
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "## What really happened\n");
    for t in &r.truth {
        let _ = writeln!(s, "- {t}");
    }
    let _ = writeln!(s, "\n## Timeline of key events\n");
    let _ = writeln!(s, "| time | kind | event |\n|---|---|---|");
    for e in &r.timeline {
        let _ = writeln!(
            s,
            "| {} | {} | {} |",
            hhmm_span(e.minute),
            e.kind,
            cell(&e.text)
        );
    }
    let _ = writeln!(s, "\n## Objectives\n");
    let _ = writeln!(
        s,
        "| team | objective | result | when | why |\n|---|---|---|---|---|"
    );
    for ob in &r.objectives {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            cell(r.name(&ob.team)),
            cell(&ob.title),
            ob.status,
            ob.at_minute.map_or("—".into(), hhmm_span),
            cell(ob.reason.as_deref().unwrap_or("—"))
        );
    }
    if !r.evaluation.decisions.is_empty() {
        let _ = writeln!(s, "\n## Decision log\n");
        let _ = write!(s, "{}", super::aar::decision_table(r));
    }
    let _ = writeln!(s, "\n## Points of contact\n");
    let _ = writeln!(
        s,
        "| contact | messages | delivered | acknowledged | bounced | acknowledged within 2 h | median minutes to acknowledge | stale found |\n|---|---|---|---|---|---|---|---|"
    );
    for c in &r.contacts {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {:.0}% | {} | {} |",
            cell(r.name(&c.contact)),
            c.messages,
            c.delivered,
            c.acknowledged,
            c.bounced,
            c.acked_within_2h * 100.0,
            c.median_minutes_to_ack
                .map_or("not reached".into(), |x| format!("{x:.0}")),
            if c.stale_found { "yes" } else { "" }
        );
    }
    let _ = writeln!(s, "\n## Beliefs over time\n");
    let _ = writeln!(
        s,
        "What each state believed about who did each incident, every six hours: candidates above 5%, the responsible party starred. States are listed once they had a clear suspect (victims always).\n"
    );
    let mut incident = "";
    for t in &r.beliefs {
        if t.incident != incident {
            incident = &t.incident;
            let _ = writeln!(s, "### `{}` (responsible: {})\n", t.incident, t.truth);
        }
        let _ = writeln!(
            s,
            "**{}**{}{}\n",
            t.state,
            if t.victim { " (victim)" } else { "" },
            t.suspect_from_hour
                .map_or(" — never a clear suspect".to_string(), |h| format!(
                    " — a clear suspect from hour {h}"
                ))
        );
        let _ = writeln!(s, "| hour | belief |\n|---|---|");
        for (hour, probs) in t
            .samples
            .iter()
            .filter(|x| x.0 % 6 == 0 || Some(*x) == t.samples.last())
        {
            let mut ranked: Vec<(&String, f64)> =
                t.candidates.iter().zip(probs.iter().copied()).collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
            let cells: Vec<String> = ranked
                .iter()
                .filter(|(_, p)| *p >= 0.05)
                .map(|(c, p)| {
                    let star = if **c == t.truth { "*" } else { "" };
                    format!("{c}{star} {:.0}%", p * 100.0)
                })
                .collect();
            let _ = writeln!(s, "| {hour} | {} |", cells.join(" · "));
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "## Who wrote to whom\n");
    let _ = writeln!(
        s,
        "| from | to | sent | acknowledged | bounced | unanswered |\n|---|---|---|---|---|---|"
    );
    for f in &r.flows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            r.name(&f.from_state),
            r.name(&f.to_state),
            f.sent,
            f.acknowledged,
            f.bounced,
            f.unanswered
        );
    }
    let _ = writeln!(s, "\n## Waiting: clearance and desk hours\n");
    for (title, waits, from, until) in [
        ("Held for clearance", &r.clearance, "sent", "cleared"),
        (
            "Queued until the desk opened",
            &r.queued,
            "queued",
            "delivered",
        ),
    ] {
        if waits.is_empty() {
            let _ = writeln!(s, "{title}: none.\n");
            continue;
        }
        let mut minutes: Vec<u32> = waits.iter().map(|w| w.minutes).collect();
        minutes.sort_unstable();
        let _ = writeln!(
            s,
            "{title}: {} {}, median wait {}, longest {}.\n",
            waits.len(),
            if waits.len() == 1 {
                "message"
            } else {
                "messages"
            },
            span(minutes[minutes.len() / 2]),
            span(minutes[minutes.len() - 1])
        );
        let _ = writeln!(
            s,
            "| message | from | to | {from} | {until} | waited |\n|---|---|---|---|---|---|"
        );
        for w in waits.iter().take(10) {
            let _ = writeln!(
                s,
                "| #{} | {} | {} ({}) | {} | {} | {} |",
                w.message,
                cell(r.name(&w.from)),
                cell(r.name(&w.to_contact)),
                r.name(&w.to_state),
                hhmm_span(w.from_minute),
                w.until_minute.map_or("still waiting".into(), hhmm_span),
                span(w.minutes)
            );
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "## Escalation paths\n");
    for p in &r.escalation {
        let path: Vec<String> = p
            .changes
            .iter()
            .map(|(m, _, to)| format!("{to} at {}", hhmm_span(*m)))
            .collect();
        let _ = writeln!(
            s,
            "- **{}–{}**: peak {}{}",
            p.a,
            p.b,
            p.peak.label(),
            if path.is_empty() {
                String::new()
            } else {
                format!("; {}", path.join(" → "))
            }
        );
    }
    let _ = writeln!(s, "\n## Infrastructure impact\n");
    let _ = writeln!(
        s,
        "| sector | downtime (sector-hours) | peak inoperability |\n|---|---|---|"
    );
    for x in &r.sectors {
        let _ = writeln!(
            s,
            "| {} | {:.1} | {:.0}% |",
            x.sector,
            x.downtime_sector_hours,
            x.peak_inoperability * 100.0
        );
    }
    let _ = writeln!(s, "\n## Questions for the lessons-learned discussion\n");
    for (i, q) in r.questions.iter().enumerate() {
        let _ = writeln!(s, "{}. {q}", i + 1);
    }
    s
}

/// Minutes as `3 h 20 min`.
fn span(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
