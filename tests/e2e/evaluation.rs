//! End-to-end: observers' notes and teams' decisions in a journal change nothing in the run
//! (replay gives the identical outcome with or without them), and `report --aar` and
//! `--ip-csv` turn them into the After-Action Report and its Improvement Plan.

use std::path::Path;
use std::process::Command;

use crate::harness::BIN;

fn cyberdrill(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run cyberdrill")
}

fn ok(out: &std::process::Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A played journal of the flagship (Varesh played by people, one command at tick 2), its
/// notes, and the end line with the hash of the outcome the engine gives it.
fn journal(dir: &Path, notes: &[String]) -> std::path::PathBuf {
    let headless = dir.join("headless.jsonl");
    ok(
        &cyberdrill(
            &[
                "run",
                "builtin:flagship",
                "--seed",
                "3",
                "--journal",
                headless.to_str().unwrap(),
            ],
            dir,
        ),
        "run",
    );
    let first = std::fs::read_to_string(&headless).unwrap();
    let mut header: serde_json::Value =
        serde_json::from_str(first.lines().next().unwrap()).unwrap();
    header["mode"] = "play".into();
    header["humans"] = serde_json::json!(["team-varesh"]);
    let command = r#"{"kind":"command","tick":2,"team":"team-varesh","command":{"action":"restraint_statement","text":"We will not retaliate."}}"#;
    let mut lines = vec![header.to_string(), command.to_string()];
    lines.extend(notes.iter().cloned());
    let name = format!("played-{}.jsonl", notes.len());
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    // The end line, with the outcome the engine gives this journal.
    let (_, sim) = cyberdrill::exercise::replay::replay(&path, None, None).unwrap();
    let hash = cyberdrill::journal::outcome_hash(&sim.outcome());
    lines.push(format!(
        r#"{{"kind":"end","tick":{},"outcome_hash":"{hash}"}}"#,
        sim.tick()
    ));
    // Notes may follow the end too (an evaluator finishing the guide).
    lines.push(observation(
        "eva",
        Some("obj-notify-rtgs"),
        Some("U"),
        "Never \"closed the loop\", with Kelmora",
        200,
    ));
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn observation(
    observer: &str,
    objective: Option<&str>,
    rating: Option<&str>,
    text: &str,
    tick: u32,
) -> String {
    let mut v = serde_json::json!({
        "kind": "observation",
        "tick": tick,
        "observer": observer,
        "team": "team-varesh",
        "text": text,
    });
    if let Some(o) = objective {
        v["objective"] = o.into();
    }
    if let Some(r) = rating {
        v["rating"] = r.into();
    }
    v.to_string()
}

#[test]
fn notes_change_nothing_in_the_run_and_make_the_aar_and_its_improvement_plan() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let notes = vec![
        observation("eva", Some("obj-notify-rtgs"), Some("M"), "Held the notice for clearance, 3 h", 30),
        observation("bo", None, Some("S"), "Clear roles at the desk", 40),
        observation("eva", None, None, "Quiet room after the news inject", 50),
        observation("bo", Some("obj-notify-rtgs"), Some("P"), "Quick first contact", 60),
        r#"{"kind":"decision","tick":1,"team":"team-varesh","decision":"Publish restraint now","rationale":"Calm the markets before attribution"}"#.to_string(),
    ];
    let with = journal(dir.path(), &notes);
    let without = journal(dir.path(), &[]);
    // Replay checks the recorded outcome hash: identical with and without the notes.
    for path in [&with, &without] {
        let out = cyberdrill(&["replay", path.to_str().unwrap(), "--json"], dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        ok(&out, "replay");
        assert!(stderr.contains("identical outcome"), "{stderr}");
    }
    let outcome = |p: &Path| {
        ok(
            &cyberdrill(&["replay", p.to_str().unwrap(), "--json"], dir.path()),
            "replay",
        )
    };
    assert_eq!(
        outcome(&with),
        outcome(&without),
        "the notes changed the outcome"
    );
    let hash = |p: &Path| {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .find(|l| l.contains(r#""kind":"end""#))
            .unwrap()
            .to_string()
    };
    assert_eq!(hash(&with), hash(&without));

    // The AAR: objectives with the engine's result and the ratings side by side.
    let aar = ok(
        &cyberdrill(&["report", with.to_str().unwrap(), "--aar"], dir.path()),
        "report --aar",
    );
    for heading in [
        "## Exercise overview",
        "## Objectives: the engine's result and the observers' ratings",
        "### Strengths",
        "### Areas for improvement",
        "## Decision log",
        "## Improvement Plan",
    ] {
        assert!(aar.contains(heading), "{heading} missing:\n{aar}");
    }
    let row = aar
        .lines()
        .find(|l| l.contains("| P (bo), U (eva) |"))
        .unwrap_or_else(|| panic!("the latest rating of each observer side by side:\n{aar}"));
    assert!(row.starts_with("| Varesh"), "{row}");
    assert!(
        aar.contains("| S (bo) |"),
        "a rating of the play in general:\n{aar}"
    );
    assert!(aar.contains("Evaluators: bo, eva"), "{aar}");
    // P and S are strengths, M and U areas for improvement, unrated apart.
    let section = |from: &str, to: &str| {
        let start = aar.find(from).unwrap();
        let end = aar[start..].find(to).map_or(aar.len(), |e| start + e);
        aar[start..end].to_string()
    };
    let strengths = section("### Strengths", "### Areas");
    assert!(strengths.contains("Quick first contact") && strengths.contains("Clear roles"));
    assert!(!strengths.contains("Held the notice"), "{strengths}");
    let improvements = section("### Areas for improvement", "### Other");
    assert!(improvements.contains("Held the notice") && improvements.contains("closed the loop"));
    assert!(section("### Other", "## Decision").contains("Quiet room"));
    // The decision beside the command it explains (the next one the team sent).
    let decision = aar
        .lines()
        .find(|l| l.contains("Publish restraint now"))
        .unwrap();
    assert!(
        decision.contains("Calm the markets")
            && decision.contains("↓ `restraint statement` at +00:10"),
        "{decision}"
    );
    // The plain report has the decision log too.
    let plain = ok(
        &cyberdrill(&["report", with.to_str().unwrap()], dir.path()),
        "report",
    );
    assert!(plain.contains("## Decision log") && plain.contains("Publish restraint now"));
    assert!(
        !plain.contains("Held the notice"),
        "observations are for the AAR"
    );
    // HTML, escaped.
    let html = ok(
        &cyberdrill(
            &[
                "report",
                with.to_str().unwrap(),
                "--aar",
                "--format",
                "html",
            ],
            dir.path(),
        ),
        "report --aar html",
    );
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<h2>Improvement Plan</h2>"));
    assert!(html.contains("&quot;closed the loop&quot;"), "escaped");

    // The Improvement Plan as CSV: parses, one row per area for improvement (M and U).
    let csv_path = dir.path().join("ip.csv");
    let out = cyberdrill(
        &[
            "report",
            with.to_str().unwrap(),
            "--ip-csv",
            csv_path.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(
        ok(&out, "report --ip-csv"),
        "",
        "only the CSV was asked for"
    );
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[6], "Issue (area for improvement)");
    assert_eq!(&headers[8], "Responsible organisation");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        &rows[0][6], "Held the notice for clearance, 3 h",
        "a comma, quoted"
    );
    assert_eq!(&rows[1][6], "Never \"closed the loop\", with Kelmora");
    assert!(rows[1][3].starts_with('U'));
    assert!(
        rows.iter().all(|r| r[7].is_empty() && r[9].is_empty()),
        "to fill in"
    );
    let none = cyberdrill(&["report", without.to_str().unwrap(), "--aar"], dir.path());
    assert!(ok(&none, "aar without notes").contains("No team logged a decision."));
}
