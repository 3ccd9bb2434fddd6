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
    let _ = writeln!(s, "- Highest rung reached: {:?}", o.peak_rung);
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
            ob.team,
            cell(&ob.title),
            ob.status,
            ob.at_minute.map_or("—".into(), hhmm_span),
            cell(ob.reason.as_deref().unwrap_or("—"))
        );
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
            c.contact,
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
    let _ = writeln!(s, "\n## Attribution over time\n");
    let _ = writeln!(
        s,
        "Each victim's belief in the true perpetrator, and its top suspect, every six hours.\n"
    );
    for a in &r.attribution {
        let _ = writeln!(
            s,
            "**{}** on `{}` (truth: {})\n",
            a.state, a.incident, a.truth
        );
        let _ = writeln!(
            s,
            "| hour | belief in the truth | top suspect |\n|---|---|---|"
        );
        for (hour, p, top, pt) in a
            .samples
            .iter()
            .filter(|x| x.0 % 6 == 0 || Some(*x) == a.samples.last())
        {
            let _ = writeln!(
                s,
                "| {hour} | {:.0}% | {top} ({:.0}%) |",
                p * 100.0,
                pt * 100.0
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
            p.peak,
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

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
