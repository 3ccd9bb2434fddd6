//! The after-action report as one self-contained HTML page: inline CSS, inline SVG charts
//! (tension and inoperability over time), no scripts, no external resources.

use super::Report;
use crate::scenario::Rung;
use crate::sim::constants::rung_threshold;
use crate::sim::view::hhmm_span;
use std::fmt::Write;

const COLORS: [&str; 10] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f",
];

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A line chart of series over hours, values in [0,1], with optional labelled guide lines.
pub fn chart(
    title: &str,
    hours: f64,
    series: &[(String, Vec<(u32, f64)>)],
    guides: &[(f64, String)],
) -> String {
    let (w, h, left, right, top, bottom) = (760.0, 300.0, 46.0, 170.0, 26.0, 30.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let hours = hours.max(1.0);
    let x = |hour: f64| left + pw * hour / hours;
    let y = |v: f64| top + ph * (1.0 - v.clamp(0.0, 1.0));
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-label="{}">"#,
        esc(title)
    );
    let _ = write!(
        s,
        r#"<text x="{left}" y="16" class="ct">{}</text>"#,
        esc(title)
    );
    let _ = write!(
        s,
        r##"<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#ccc"/>"##
    );
    for (v, label) in guides {
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#bbb" stroke-dasharray="3,3"/><text x="{}" y="{:.1}" class="gl">{}</text>"##,
            left + pw,
            left + 4.0,
            y(*v) - 3.0,
            esc(label),
            yy = y(*v)
        );
    }
    for tick in 0..=4 {
        let v = f64::from(tick) / 4.0;
        let _ = write!(
            s,
            r#"<text x="{}" y="{:.1}" class="ax" text-anchor="end">{v:.2}</text>"#,
            left - 4.0,
            y(v) + 3.0
        );
    }
    let step = if hours > 24.0 { 12.0 } else { 6.0 };
    let mut hour = 0.0;
    while hour <= hours + 0.01 {
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{}" class="ax" text-anchor="middle">{hour:.0}h</text>"#,
            x(hour),
            h - 10.0
        );
        hour += step;
    }
    for (i, (name, points)) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let path: Vec<String> = points
            .iter()
            .map(|(hh, v)| format!("{:.1},{:.1}", x(f64::from(*hh)), y(*v)))
            .collect();
        if !path.is_empty() {
            let _ = write!(
                s,
                r#"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"/>"#,
                path.join(" ")
            );
        }
        if guides.is_empty() || i < 14 {
            let ly = top + 14.0 * i as f64 + 8.0;
            let _ = write!(
                s,
                r#"<rect x="{}" y="{:.1}" width="10" height="3" fill="{color}"/><text x="{}" y="{:.1}" class="lg">{}</text>"#,
                left + pw + 60.0,
                ly,
                left + pw + 74.0,
                ly + 4.0,
                esc(name)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Horizontal stacked bars, one per pair of states that wrote: acknowledged, bounced,
/// unanswered.
fn flow_chart(flows: &[super::Flow]) -> String {
    let most = flows.iter().map(|f| f.sent).max().unwrap_or(0).max(1) as f64;
    let (w, row, left, right) = (760.0, 18.0, 190.0, 150.0);
    let h = 34.0 + row * flows.len() as f64;
    let pw = w - left - right;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart flows" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-label="Messages between states"><text x="{left}" y="16" class="ct">Messages between states: acknowledged, bounced, unanswered</text>"#
    );
    for (i, f) in flows.iter().enumerate() {
        let y = 26.0 + row * i as f64;
        let _ = write!(
            s,
            r#"<text x="{}" y="{:.1}" class="ax" text-anchor="end">{} → {}</text>"#,
            left - 6.0,
            y + 11.0,
            esc(&f.from_state),
            esc(&f.to_state)
        );
        let mut x = left;
        for (n, color) in [
            (f.acknowledged, "#2ca02c"),
            (f.bounced, "#d62728"),
            (f.unanswered, "#bbbbbb"),
        ] {
            let bw = pw * n as f64 / most;
            if n > 0 {
                let _ = write!(
                    s,
                    r#"<rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{}" fill="{color}"/>"#,
                    row - 4.0
                );
            }
            x += bw;
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" class="lg">{} sent</text>"#,
            x + 6.0,
            y + 11.0,
            f.sent
        );
    }
    s.push_str("</svg>");
    s
}

/// Renders the report as a self-contained HTML page.
pub fn html(r: &Report) -> String {
    let o = &r.outcome;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>After-action report: {title}</title>
<style>
body{{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}}
h1{{font-size:1.6em;margin-bottom:.2em}} h2{{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}}
table{{border-collapse:collapse;width:100%;margin:.6em 0}} th,td{{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}}
th{{background:#f3f3f3}} .wrong{{background:#fde2e2}} .met{{color:#1a7f37;font-weight:600}} .failed{{color:#b42318;font-weight:600}}
.kpi{{display:flex;flex-wrap:wrap;gap:.8em}} .kpi div{{border:1px solid #ddd;border-radius:6px;padding:.5em .9em}} .kpi b{{display:block;font-size:1.4em}}
svg.chart{{width:100%;height:auto;margin:.5em 0}} svg.world{{width:100%;height:auto;margin:.5em 0;border:1px solid #eee}} .ct{{font-weight:600;font-size:13px}} .ax,.gl,.lg{{font-size:11px;fill:#555}}
.muted{{color:#666}}
</style></head><body>
<h1>After-action report: {title}</h1>
<p class="muted">Scenario <code>{scenario}</code> · seed {seed} · {hours:.1} simulated hours{stopped}</p>
"#,
        title = esc(&r.title),
        scenario = esc(&r.scenario),
        seed = r.seed,
        hours = r.hours,
        stopped = if r.finished {
            ""
        } else {
            " · the session stopped before the end"
        }
    );
    let met = o.objectives.iter().filter(|x| x.status == "met").count();
    let total: f64 = o.downtime.values().sum();
    let _ = write!(
        s,
        r#"<h2>Summary</h2><div class="kpi"><div><b>{met} / {}</b>objectives met</div><div><b>{}</b>highest rung</div><div><b>{} ({} wrong)</b>public attributions</div><div><b>{total:.1}</b>sector-hours of downtime</div><div><b>{} / {}</b>messages acknowledged / bounced</div></div>
<p>Teams: {}</p>"#,
        o.objectives.len(),
        o.peak_rung.label(),
        o.public_attributions,
        o.wrongful_attributions,
        o.messages.acknowledged,
        o.messages.bounced,
        esc(&r.teams.join("; "))
    );
    if let Some(b) = &r.branch {
        let _ = write!(
            s,
            "<h2>A branch</h2><p>This run branches from <code>{}</code> at {}: the same run up to there, then another course.</p>",
            esc(&b.parent),
            hhmm_span(b.at_minute)
        );
        match &b.diff {
            Some(d) => {
                let _ = write!(s, "<pre>{}</pre>", esc(&super::diff::text(d, 12)));
            }
            None => s.push_str(
                "<p class=\"muted\">The parent journal is not at hand to compare with.</p>",
            ),
        }
    }
    if let Some(b) = &r.baseline {
        let _ = write!(
            s,
            "<h2>Against the engine</h2><p>{}</p><table><tr><th>objective</th><th>this run</th><th>the engine meets it in</th></tr>",
            esc(&b.summary())
        );
        for o in &b.objectives {
            let _ = write!(
                s,
                r#"<tr><td>{}</td><td class="{}">{}</td><td>{:.0}% of runs</td></tr>"#,
                esc(&o.title),
                esc(&o.played),
                esc(&o.played),
                o.engine_met * 100.0
            );
        }
        s.push_str("</table><table><tr><th>measure</th><th>this run</th><th>percentile</th><th>engine median (p5–p95)</th></tr>");
        for m in &b.measures {
            let [played, percentile, engine] = m.cells();
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{played}</td><td>{percentile}</td><td>{}</td></tr>",
                esc(&m.measure),
                esc(&engine)
            );
        }
        s.push_str("</table>");
    }
    if !r.world.is_empty() {
        s.push_str("<h2>The world</h2><p class=\"muted\">States and their relations (tension, hotline), organisations with their points of contact (channel, staffed hours; stale entries struck through), assets with what they depend on (arrow width: the dependency's weight).</p>");
        s.push_str(&r.world);
    }
    s.push_str("<h2>What really happened</h2><ul>");
    for t in &r.truth {
        let _ = write!(s, "<li>{}</li>", esc(t));
    }
    s.push_str("</ul>");
    let guides: Vec<(f64, String)> = Rung::ALL
        .iter()
        .skip(1)
        .map(|r| (rung_threshold(*r), r.label().to_string()))
        .collect();
    let tension: Vec<(String, Vec<(u32, f64)>)> = r
        .escalation
        .iter()
        .map(|p| (format!("{}–{}", p.a, p.b), p.tension.clone()))
        .collect();
    s.push_str("<h2>Escalation</h2>");
    s.push_str(&chart(
        "Tension between states over time (with the rungs of the ladder)",
        r.hours,
        &tension,
        &guides,
    ));
    s.push_str("<table><tr><th>pair</th><th>peak</th><th>path</th></tr>");
    for p in &r.escalation {
        let path: Vec<String> = p
            .changes
            .iter()
            .map(|(m, _, to)| format!("{to} at {}", hhmm_span(*m)))
            .collect();
        let _ = write!(
            s,
            "<tr><td>{}–{}</td><td>{}</td><td>{}</td></tr>",
            esc(&p.a),
            esc(&p.b),
            esc(p.peak.label()),
            esc(&path.join(" → "))
        );
    }
    s.push_str("</table>");
    let inop: Vec<(String, Vec<(u32, f64)>)> = r
        .sectors
        .iter()
        .filter(|x| x.peak_inoperability > 0.0)
        .map(|x| (x.sector.clone(), x.series.clone()))
        .collect();
    s.push_str("<h2>Infrastructure impact</h2>");
    s.push_str(&chart(
        "Inoperability over time (worst asset per sector)",
        r.hours,
        &inop,
        &[],
    ));
    s.push_str("<table><tr><th>sector</th><th>downtime (sector-hours)</th><th>peak inoperability</th></tr>");
    for x in &r.sectors {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{:.1}</td><td>{:.0}%</td></tr>",
            esc(&x.sector),
            x.downtime_sector_hours,
            x.peak_inoperability * 100.0
        );
    }
    s.push_str("</table><h2>Objectives</h2><table><tr><th>team</th><th>objective</th><th>result</th><th>when</th><th>why</th></tr>");
    for ob in &r.objectives {
        let _ = write!(
            s,
            r#"<tr><td>{}</td><td>{}</td><td class="{}">{}</td><td>{}</td><td>{}</td></tr>"#,
            esc(r.name(&ob.team)),
            esc(&ob.title),
            esc(&ob.status),
            esc(&ob.status),
            ob.at_minute.map_or("—".into(), hhmm_span),
            esc(ob.reason.as_deref().unwrap_or("—"))
        );
    }
    s.push_str("</table><h2>Beliefs over time</h2><p class=\"muted\">Per incident, each state's belief that the responsible party did it (states shown once they had a clear suspect; victims always), and the victim's belief in every candidate.</p>");
    let mut incidents: Vec<&str> = r.beliefs.iter().map(|t| t.incident.as_str()).collect();
    incidents.dedup();
    for incident in incidents {
        let tracks: Vec<&super::BeliefTrack> = r
            .beliefs
            .iter()
            .filter(|t| t.incident == incident)
            .collect();
        let truth = tracks.first().map_or("", |t| t.truth.as_str());
        let series: Vec<(String, Vec<(u32, f64)>)> = tracks
            .iter()
            .map(|t| {
                let i = t.candidates.iter().position(|c| c == truth);
                let points = t
                    .samples
                    .iter()
                    .map(|(h, p)| (*h, i.and_then(|i| p.get(i).copied()).unwrap_or(0.0)))
                    .collect();
                let victim = if t.victim { " (victim)" } else { "" };
                (format!("{}{victim}", t.state), points)
            })
            .collect();
        s.push_str(&chart(
            &format!("{incident}: belief that {truth} did it (the truth)"),
            r.hours,
            &series,
            &[],
        ));
        if let Some(v) = tracks.iter().find(|t| t.victim) {
            let series: Vec<(String, Vec<(u32, f64)>)> = v
                .candidates
                .iter()
                .enumerate()
                .filter(|(i, _)| {
                    v.samples
                        .iter()
                        .any(|(_, p)| p.get(*i).is_some_and(|x| *x >= 0.05))
                })
                .map(|(i, c)| {
                    let star = if c == truth { " (truth)" } else { "" };
                    (
                        format!("{c}{star}"),
                        v.samples
                            .iter()
                            .map(|(h, p)| (*h, p.get(i).copied().unwrap_or(0.0)))
                            .collect(),
                    )
                })
                .collect();
            s.push_str(&chart(
                &format!("{incident}: {}'s belief in each candidate", v.state),
                r.hours,
                &series,
                &[],
            ));
        }
    }
    s.push_str("<h2>Who wrote to whom</h2>");
    s.push_str(&flow_chart(&r.flows));
    s.push_str("<table><tr><th>from</th><th>to</th><th>sent</th><th>acknowledged</th><th>bounced</th><th>unanswered</th></tr>");
    for f in &r.flows {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(r.name(&f.from_state)),
            esc(r.name(&f.to_state)),
            f.sent,
            f.acknowledged,
            f.bounced,
            f.unanswered
        );
    }
    s.push_str("</table><h2>Waiting: clearance and desk hours</h2>");
    for (title, waits, from, until) in [
        ("Held for clearance", &r.clearance, "sent", "cleared"),
        (
            "Queued until the desk opened",
            &r.queued,
            "queued",
            "delivered",
        ),
    ] {
        let _ = write!(s, "<h3>{title} ({})</h3>", waits.len());
        if waits.is_empty() {
            continue;
        }
        let _ = write!(
            s,
            "<table><tr><th>message</th><th>from</th><th>to</th><th>{from}</th><th>{until}</th><th>waited (min)</th></tr>"
        );
        for w in waits.iter().take(15) {
            let _ = write!(
                s,
                "<tr><td>#{}</td><td>{}</td><td>{} ({})</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                w.message,
                esc(r.name(&w.from)),
                esc(r.name(&w.to_contact)),
                esc(r.name(&w.to_state)),
                hhmm_span(w.from_minute),
                w.until_minute.map_or("still waiting".into(), hhmm_span),
                w.minutes
            );
        }
        s.push_str("</table>");
    }
    s.push_str("<h2>Points of contact</h2><table><tr><th>contact</th><th>messages</th><th>delivered</th><th>acknowledged</th><th>bounced</th><th>acknowledged within 2 h</th><th>median minutes to acknowledge</th><th>stale found</th></tr>");
    for c in &r.contacts {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.0}%</td><td>{}</td><td>{}</td></tr>",
            esc(r.name(&c.contact)),
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
    s.push_str("</table><h2>Timeline of key events</h2><table><tr><th>time</th><th>kind</th><th>event</th></tr>");
    for e in &r.timeline {
        let class = if e.wrongful { r#" class="wrong""# } else { "" };
        let _ = write!(
            s,
            "<tr{class}><td>{}</td><td>{}</td><td>{}</td></tr>",
            hhmm_span(e.minute),
            e.kind,
            esc(&e.text)
        );
    }
    s.push_str("</table><h2>Questions for the lessons-learned discussion</h2><ol>");
    for q in &r.questions {
        let _ = write!(s, "<li>{}</li>", esc(q));
    }
    s.push_str("</ol></body></html>\n");
    s
}
