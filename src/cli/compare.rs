//! `cyberdrill compare A B`: two scenarios (or a scenario and a variant of it) on the same
//! seeds; every metric of `sweep` side by side with the difference and its 95% interval.

use super::sweep::{SweepReport, progress, seed_range, sweep_report};
use super::{EXIT_OK, EXIT_USAGE};
use crate::analysis::compare::{Comparison, Row, Statistic, compare};
use crate::analysis::{SCHEMA, Summary};
use crate::report::table::{fit, percent};
use serde::{Deserialize, Serialize};

/// What `compare` was asked.
#[derive(Debug, Clone)]
pub struct CompareOptions {
    pub a: String,
    /// B's scenario; A's when none (then the overrides make the difference).
    pub b: Option<String>,
    pub seeds: super::Seeds,
    pub set_a: Vec<String>,
    pub set_b: Vec<String>,
    pub json: bool,
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Side {
    /// The reference given (a file or `builtin:NAME`).
    pub source: String,
    pub scenario: String,
    pub scenario_hash: String,
    pub sets: Vec<String>,
    pub summary: Summary,
}

/// What `compare --json` writes (documented in `docs/sweep-json.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareReport {
    pub schema: u32,
    pub a: Side,
    pub b: Side,
    /// Seeds `start..end` (end excluded), run on both sides.
    pub seeds: (u64, u64),
    pub comparison: Comparison,
}

fn side(source: &str, report: SweepReport) -> Side {
    Side {
        source: source.to_string(),
        scenario: report.scenario,
        scenario_hash: report.scenario_hash,
        sets: report.sets,
        summary: report.summary,
    }
}

/// Reads a sweep JSON file (from `sweep --json` or `merge --json`); the exit code on failure.
fn read_sweep(path: &str) -> Result<SweepReport, u8> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("error: cannot read {path}: {e}");
        EXIT_USAGE
    })?;
    let report: SweepReport = serde_json::from_str(&text).map_err(|e| {
        eprintln!("error: {path} is not sweep JSON (from `sweep --json` or `merge --json`): {e}");
        super::EXIT_INVALID
    })?;
    if report.schema != SCHEMA {
        eprintln!(
            "error: {path} is sweep JSON of schema {}, this cyberdrill reads schema {SCHEMA}",
            report.schema
        );
        return Err(super::EXIT_INVALID);
    }
    Ok(report)
}

/// Compares two sweeps already made (merged shards, for instance): both sides are JSON.
fn run_from_files(o: &CompareOptions, b: &str) -> u8 {
    if o.seeds.runs.is_some()
        || o.seeds.seeds.is_some()
        || !o.set_a.is_empty()
        || !o.set_b.is_empty()
    {
        eprintln!(
            "error: A and B are sweep results; --runs, --seeds and --set apply only when \
             compare runs scenarios itself"
        );
        return EXIT_USAGE;
    }
    let (a_report, b_report) = match (read_sweep(&o.a), read_sweep(b)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let seeds = |r: &SweepReport| {
        r.runs
            .iter()
            .map(|x| x.seed)
            .collect::<std::collections::BTreeSet<_>>()
    };
    let (sa, sb) = (seeds(&a_report), seeds(&b_report));
    let common: Vec<u64> = sa.intersection(&sb).copied().collect();
    if common.is_empty() {
        eprintln!(
            "error: {} and {b} share no seed; runs are paired by seed",
            o.a
        );
        return super::EXIT_INVALID;
    }
    if common.len() < sa.len().max(sb.len()) {
        eprintln!(
            "note: {} seeds are on both sides; the others are left out",
            common.len()
        );
    }
    let comparison = compare(&a_report.runs, &b_report.runs);
    let range = (common[0], common[common.len() - 1] + 1);
    print(
        &CompareReport {
            schema: SCHEMA,
            a: side(&o.a, a_report),
            b: side(b, b_report),
            seeds: range,
            comparison,
        },
        o.json,
    );
    EXIT_OK
}

fn print(report: &CompareReport, json: bool) {
    crate::report::table::emit(report, json, human);
}

/// The CLI entry point.
pub fn run(o: &CompareOptions) -> u8 {
    if let Some(b) = &o.b
        && o.a.ends_with(".json")
        && b.ends_with(".json")
    {
        return run_from_files(o, b);
    }
    let range = match seed_range(&o.seeds) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let b_source = o.b.clone().unwrap_or_else(|| o.a.clone());
    if o.b.is_none() && o.set_a.is_empty() && o.set_b.is_empty() {
        eprintln!(
            "note: comparing {} with itself (give B, or --set PATH=VALUE for a variant)",
            o.a
        );
    }
    let n = range.end - range.start;
    let bar = progress(2 * n, "(A, then B)");
    let a = match sweep_report(&o.a, &o.set_a, range.clone(), o.seeds.jobs, &bar) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let b = match sweep_report(&b_source, &o.set_b, range.clone(), o.seeds.jobs, &bar) {
        Ok(r) => r,
        Err(code) => return code,
    };
    bar.finish_and_clear();
    let comparison = compare(&a.runs, &b.runs);
    let report = CompareReport {
        schema: SCHEMA,
        a: side(&o.a, a),
        b: side(&b_source, b),
        seeds: (range.start, range.end),
        comparison,
    };
    print(&report, o.json);
    EXIT_OK
}

fn describe(side: &Side) -> String {
    let mut s = side.source.clone();
    for set in &side.sets {
        s.push_str(&format!(" --set {set}"));
    }
    s
}

fn value(row: &Row, x: f64) -> String {
    match row.statistic {
        Statistic::Share => percent(x),
        _ => format!("{x:.2}"),
    }
}

fn difference(row: &Row, x: f64) -> String {
    match row.statistic {
        Statistic::Share => format!("{:+.1}pp", x * 100.0),
        _ => format!("{x:+.2}"),
    }
}

/// The readable comparison: one line per metric, no wider than 100 columns.
pub fn human(report: &CompareReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "A: {}", fit(&describe(&report.a), 97));
    let _ = writeln!(out, "B: {}", fit(&describe(&report.b), 97));
    let (start, end) = report.seeds;
    let _ = writeln!(
        out,
        "{} runs on each side, seeds {start}..{end}, paired by seed. 95% intervals of B − A; \
         * where the\ninterval excludes zero (means: normal approximation; medians and \
         shares: bootstrap).",
        end - start
    );
    let _ = writeln!(
        out,
        "\n  {:<38} {:<6} {:>9} {:>9} {:>9}  {:<19}",
        "metric", "", "A", "B", "B − A", "95% interval"
    );
    let mut hidden = 0;
    let mut significant = 0;
    // Rows grouped under headings, groups in the order they first appear.
    let mut groups: Vec<(String, Vec<(String, &Row)>)> = Vec::new();
    for row in &report.comparison.rows {
        if row.statistic == Statistic::Share && row.a == 0.0 && row.b == 0.0 {
            hidden += 1;
            continue;
        }
        let (group, label) = heading(&row.key);
        match groups.iter_mut().find(|g| g.0 == group) {
            Some(g) => g.1.push((label, row)),
            None => groups.push((group, vec![(label, row)])),
        }
    }
    for (group, rows) in &groups {
        let indent = if group.is_empty() {
            ""
        } else {
            let _ = writeln!(out, "  {}", fit(group, 96));
            "  "
        };
        let width = 38 - indent.len();
        let mut last = "";
        for (label, row) in rows {
            let interval = row.interval.map_or("—".to_string(), |i| {
                format!("[{}, {}]", difference(row, i.low), difference(row, i.high))
            });
            let mark = if row.excludes_zero {
                significant += 1;
                "*"
            } else {
                ""
            };
            let stat = match row.statistic {
                Statistic::Mean => "mean",
                Statistic::Median => "median",
                Statistic::Share => "share",
            };
            // The median row follows its mean row: the label once.
            let shown = if label == last { "" } else { label.as_str() };
            last = label;
            let _ = writeln!(
                out,
                "  {indent}{:<width$} {:<6} {:>9} {:>9} {:>9}  {:<19}{mark}",
                fit(shown, width),
                stat,
                value(row, row.a),
                value(row, row.b),
                difference(row, row.difference),
                fit(&interval, 19)
            );
        }
    }
    let _ = writeln!(
        out,
        "\n  {significant} of {} metrics differ (interval excludes zero).",
        report.comparison.rows.len()
    );
    if hidden > 0 {
        let _ = writeln!(
            out,
            "  {hidden} shares that are 0% on both sides are not shown (see --json)."
        );
    }
    for (side, keys) in [
        ("A", &report.comparison.only_in_a),
        ("B", &report.comparison.only_in_b),
    ] {
        if !keys.is_empty() {
            let _ = writeln!(out, "  only in {side} (not compared):");
            for line in crate::report::table::wrap(keys, ", ", 94) {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    crate::report::table::trim_lines(&out)
}

/// The heading a metric is listed under and its label there: `objective[obj-x].met` is
/// `obj-x` under "objective met", `pair[a,b].reached[Sanctions]` is `Sanctions` under
/// "pair a–b reaching". Plain metrics have no heading.
pub fn heading(key: &str) -> (String, String) {
    let inner = |s: &str| -> Option<(String, String)> {
        let open = s.find('[')?;
        let close = open + s[open..].find(']')?;
        Some((s[..open].to_string(), s[open + 1..close].to_string()))
    };
    let Some((name, first)) = inner(key) else {
        return (String::new(), key.to_string());
    };
    let rest = &key[key.find(']').map_or(key.len(), |i| i + 1)..];
    let (a, b) = first.split_once(',').unwrap_or((first.as_str(), ""));
    match name.as_str() {
        "objective" => ("objective met".into(), first),
        "inject" => ("inject fired".into(), first),
        "reached" => ("any pair reaching".into(), rung_label(&first)),
        "pair" => (
            format!("pair {a}–{b} reaching"),
            inner(rest).map_or(rest.to_string(), |x| rung_label(&x.1)),
        ),
        "blame" => (
            format!("blame for {b} by {a}"),
            inner(rest).map_or(rest.to_string(), |(what, who)| {
                format!("{} {who}", what.trim_start_matches('.'))
            }),
        ),
        _ => (name, first),
    }
}

/// A rung's identifier in a key (`Demarche`) as tables print it (`Démarche`).
fn rung_label(id: &str) -> String {
    crate::scenario::Rung::from_id(id).map_or(id.to_string(), |r| r.label().to_string())
}

#[cfg(test)]
mod tests {
    use super::heading;

    #[test]
    fn keys_are_listed_under_headings() {
        let h = |k: &str| {
            let (g, l) = heading(k);
            format!("{g}|{l}")
        };
        assert_eq!(h("peak_rung"), "|peak_rung");
        assert_eq!(h("objective[obj-a].met"), "objective met|obj-a");
        assert_eq!(h("inject[q1].fired"), "inject fired|q1");
        assert_eq!(h("reached[Sanctions]"), "any pair reaching|Sanctions");
        assert_eq!(
            h("pair[v,k].reached[Demarche]"),
            "pair v–k reaching|Démarche"
        );
        assert_eq!(
            h("blame[v,ddos].suspect[k]"),
            "blame for ddos by v|suspect k"
        );
        assert_eq!(h("blame[v,ddos].public[k]"), "blame for ddos by v|public k");
        assert_eq!(
            h("downtime_sector_hours[Energy]"),
            "downtime_sector_hours|Energy"
        );
    }
}
