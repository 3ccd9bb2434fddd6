//! A picture of the world a scenario sets up: states and their relations, organisations
//! with their points of contact (channel, staffed hours, stale entries marked), and assets
//! with their weighted dependencies. As Graphviz DOT, and as an SVG drawn here (no Graphviz
//! needed), which the HTML report embeds.

use crate::scenario::{Hours, Scenario};
use std::fmt::Write;

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A DOT string literal.
fn q(text: &str) -> String {
    format!(
        "\"{}\"",
        text.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    )
}

/// Staffed hours as a short text: `24/7`, `09–17`, `Mon–Fri 09–17`.
pub fn hours(h: &Hours) -> String {
    match h {
        Hours::Always => "24/7".into(),
        Hours::Office { from, to } => format!("{from:02}–{to:02}"),
        Hours::Weekdays { from, to } => format!("Mon–Fri {from:02}–{to:02}"),
    }
}

/// The world as Graphviz DOT: one cluster per state.
pub fn dot(s: &Scenario) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", q(&s.meta.id));
    let _ = writeln!(
        out,
        "  graph [rankdir=LR, compound=true, fontname=\"Helvetica\", label={}, labelloc=t];",
        q(&s.meta.title)
    );
    let _ = writeln!(out, "  node [fontname=\"Helvetica\", fontsize=10];");
    let _ = writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=9];");
    for (i, state) in s.states.iter().enumerate() {
        let _ = writeln!(out, "  subgraph {} {{", q(&format!("cluster_{i}")));
        let _ = writeln!(
            out,
            "    label={}; style=rounded; color=\"#888888\";",
            q(&format!("{} ({})", state.name, state.id))
        );
        let _ = writeln!(
            out,
            "    {} [shape=point, style=invis];",
            q(&format!("state:{}", state.id))
        );
        for o in s.organisations.iter().filter(|o| o.state == state.id) {
            let _ = writeln!(
                out,
                "    {} [shape=box, style=\"rounded,filled\", fillcolor=\"#e8f0fe\", label={}];",
                q(&format!("org:{}", o.id)),
                q(&format!("{}\n{:?}", o.name, o.kind))
            );
            for c in s.contacts.iter().filter(|c| c.organisation == o.id) {
                let stale = if c.stale { "\nSTALE" } else { "" };
                let _ = writeln!(
                    out,
                    "    {} [shape=note, {}label={}];",
                    q(&format!("contact:{}", c.id)),
                    if c.stale {
                        "color=\"#b42318\", fontcolor=\"#b42318\", "
                    } else {
                        ""
                    },
                    q(&format!(
                        "{}\n{:?} · {}{stale}",
                        c.id,
                        c.channel,
                        hours(&c.hours)
                    ))
                );
                let _ = writeln!(
                    out,
                    "    {} -> {} [arrowhead=none, style=dotted];",
                    q(&format!("org:{}", o.id)),
                    q(&format!("contact:{}", c.id))
                );
            }
        }
        for a in s.assets.iter().filter(|a| a.state == state.id) {
            let _ = writeln!(
                out,
                "    {} [shape=box3d, label={}{}];",
                q(&format!("asset:{}", a.id)),
                q(&format!(
                    "{}\n{:?} · criticality {}",
                    a.name, a.sector, a.criticality
                )),
                if a.safe_zone {
                    ", color=\"#2ca02c\""
                } else {
                    ""
                }
            );
        }
        let _ = writeln!(out, "  }}");
    }
    for a in &s.assets {
        let _ = writeln!(
            out,
            "  {} -> {} [style=dashed, arrowhead=none, color=\"#999999\", label=\"operates\"];",
            q(&format!("org:{}", a.operator)),
            q(&format!("asset:{}", a.id))
        );
        for d in &a.depends_on {
            let _ = writeln!(
                out,
                "  {} -> {} [label={}, penwidth={:.1}];",
                q(&format!("asset:{}", d.asset)),
                q(&format!("asset:{}", a.id)),
                q(&format!("{:.2}", d.weight)),
                1.0 + 3.0 * d.weight
            );
        }
    }
    for r in &s.relations {
        let (x, y) = &r.between;
        let mut label = format!("tension {:.2}", r.tension);
        if r.hotline {
            label.push_str(" · hotline");
        }
        let _ = writeln!(
            out,
            "  {} -> {} [dir=none, color=\"#d62728\", label={}];",
            q(&format!("state:{x}")),
            q(&format!("state:{y}")),
            q(&label)
        );
    }
    out.push_str("}\n");
    out
}

/// The world as a self-contained SVG: a column per state (its organisations with their
/// contacts, then its assets), relations as arcs between the columns' headers, dependencies
/// as arrows between assets, their width the dependency's weight.
pub fn svg(s: &Scenario) -> String {
    let (col_w, gap, row_h, top) = (270.0, 30.0, 20.0, 90.0);
    // About 6 px per character at the sizes used: text is cut to its box, in full on hover.
    let fit = |text: &str, px: f64| crate::report::table::fit(text, (px / 6.2) as usize);
    let mut body = String::new();
    let mut asset_at: std::collections::BTreeMap<&str, (f64, f64)> = Default::default();
    let mut height: f64 = top;
    for (i, state) in s.states.iter().enumerate() {
        let x = 10.0 + i as f64 * (col_w + gap);
        let _ = write!(
            body,
            r##"<rect x="{x}" y="40" width="{col_w}" height="28" rx="6" fill="#333"/><text x="{:.1}" y="59" class="st">{}</text>"##,
            x + col_w / 2.0,
            esc(&state.name)
        );
        let mut y = top;
        for o in s.organisations.iter().filter(|o| o.state == state.id) {
            let _ = write!(
                body,
                r##"<rect x="{x}" y="{y}" width="{col_w}" height="{}" rx="4" fill="#e8f0fe" stroke="#9ab"><title>{}</title></rect><text x="{:.1}" y="{:.1}" class="org">{}</text>"##,
                row_h,
                esc(&format!("{} ({}) · {:?}", o.name, o.id, o.kind)),
                x + 6.0,
                y + 14.0,
                esc(&fit(&format!("{} · {:?}", o.name, o.kind), col_w - 12.0))
            );
            y += row_h + 2.0;
            for c in s.contacts.iter().filter(|c| c.organisation == o.id) {
                let class = if c.stale { "poc stale" } else { "poc" };
                let _ = write!(
                    body,
                    r#"<text x="{:.1}" y="{:.1}" class="{class}">{}</text>"#,
                    x + 14.0,
                    y + 12.0,
                    esc(&fit(
                        &format!(
                            "{} · {:?} · {}{}",
                            c.id,
                            c.channel,
                            hours(&c.hours),
                            if c.stale { " · STALE" } else { "" }
                        ),
                        col_w - 20.0
                    ))
                );
                y += 16.0;
            }
            y += 6.0;
        }
        y += 10.0;
        for a in s.assets.iter().filter(|a| a.state == state.id) {
            let fill = if a.safe_zone { "#e6f4ea" } else { "#fff4e5" };
            let _ = write!(
                body,
                r##"<rect x="{x}" y="{y}" width="{col_w}" height="34" rx="4" fill="{fill}" stroke="#c93"/><text x="{:.1}" y="{:.1}" class="asset">{}</text><text x="{:.1}" y="{:.1}" class="poc">{}</text>"##,
                x + 6.0,
                y + 14.0,
                esc(&fit(&a.name, col_w - 12.0)),
                x + 6.0,
                y + 28.0,
                esc(&fit(
                    &format!(
                        "{} · {:?} · criticality {} · run by {}",
                        a.id, a.sector, a.criticality, a.operator
                    ),
                    col_w - 12.0
                ))
            );
            asset_at.insert(a.id.as_str(), (x, y + 17.0));
            y += 44.0;
        }
        height = height.max(y);
    }
    let mut arrows = String::new();
    for a in &s.assets {
        let Some(&(tx, ty)) = asset_at.get(a.id.as_str()) else {
            continue;
        };
        for d in &a.depends_on {
            let Some(&(fx, fy)) = asset_at.get(d.asset.as_str()) else {
                continue;
            };
            // From the right edge of the supplier to the left edge of the dependant (or the
            // other way round when the dependant is to the left), curving between columns.
            let (x1, x2) = if fx <= tx {
                (fx + col_w, tx)
            } else {
                (fx, tx + col_w)
            };
            let (x1, x2) = if (fx - tx).abs() < 1.0 {
                (fx + col_w, tx + col_w)
            } else {
                (x1, x2)
            };
            let bend = if (fx - tx).abs() < 1.0 { 40.0 } else { 0.0 };
            let _ = write!(
                arrows,
                r##"<path d="M{x1:.1},{fy:.1} C{:.1},{fy:.1} {:.1},{ty:.1} {x2:.1},{ty:.1}" fill="none" stroke="#c93" stroke-width="{:.1}" marker-end="url(#arrow)" opacity="0.8"><title>{} depends on {} (weight {:.2})</title></path>"##,
                (x1 + x2) / 2.0 + bend,
                (x1 + x2) / 2.0 + bend,
                1.0 + 3.0 * d.weight,
                esc(&a.id),
                esc(&d.asset),
                d.weight
            );
        }
    }
    let centre = |id: &str| {
        s.states
            .iter()
            .position(|st| st.id == id)
            .map(|i| 10.0 + i as f64 * (col_w + gap) + col_w / 2.0)
    };
    let mut relations = String::new();
    for r in &s.relations {
        let (Some(a), Some(b)) = (centre(&r.between.0), centre(&r.between.1)) else {
            continue;
        };
        let (a, b) = (a.min(b), a.max(b));
        let lift = 8.0 + (b - a) / (col_w + gap) * 6.0;
        // Only the relations that matter are labelled; every one has its tooltip.
        let label = if r.hotline || r.tension >= 0.3 {
            format!(
                "{:.2}{}",
                r.tension,
                if r.hotline { " · hotline" } else { "" }
            )
        } else {
            String::new()
        };
        let _ = write!(
            relations,
            r##"<path d="M{a:.1},40 Q{:.1},{:.1} {b:.1},40" fill="none" stroke="#d62728" stroke-width="{:.1}"><title>{} – {}: tension {:.2}{}</title></path><text x="{:.1}" y="{:.1}" class="rel">{}</text>"##,
            (a + b) / 2.0,
            40.0 - 2.0 * lift,
            1.0 + 3.0 * r.tension,
            esc(&r.between.0),
            esc(&r.between.1),
            r.tension,
            if r.hotline { ", hotline" } else { "" },
            (a + b) / 2.0,
            40.0 - lift - 2.0,
            esc(&label)
        );
    }
    let width = 20.0 + s.states.len() as f64 * (col_w + gap);
    let height = height + 20.0;
    format!(
        r##"<svg class="world" xmlns="http://www.w3.org/2000/svg" viewBox="0 -40 {width} {}" role="img" aria-label="The world of {}"><defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#c93"/></marker></defs><style>.st{{fill:#fff;font:600 13px sans-serif;text-anchor:middle}} .org{{font:600 11px sans-serif}} .poc{{font:10px sans-serif;fill:#444}} .stale{{fill:#b42318;text-decoration:line-through}} .asset{{font:600 11px sans-serif}} .rel{{font:10px sans-serif;fill:#d62728;text-anchor:middle}}</style>{relations}{body}{arrows}</svg>"##,
        height + 40.0,
        esc(&s.meta.title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_read_short() {
        assert_eq!(hours(&Hours::Always), "24/7");
        assert_eq!(hours(&Hours::Office { from: 8, to: 20 }), "08–20");
        assert_eq!(hours(&Hours::Weekdays { from: 9, to: 17 }), "Mon–Fri 09–17");
    }
}
