//! The after-action report: snapshots of the Markdown and JSON forms for a fixed scenario and
//! seed, and a well-formedness check of the HTML page and its charts.

use assert_cmd::Command;
use std::path::Path;

fn journal(dir: &Path, scenario: &str, seed: u64) -> std::path::PathBuf {
    let path = dir.join(format!("run-{seed}.jsonl"));
    Command::cargo_bin("cyberdrill")
        .unwrap()
        .args(["run", scenario, "--seed", &seed.to_string(), "--journal"])
        .arg(&path)
        .assert()
        .success();
    path
}

fn report(journal: &Path, format: &str) -> String {
    let out = Command::cargo_bin("cyberdrill")
        .unwrap()
        .arg("report")
        .arg(journal)
        .args(["--format", format])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn markdown_report_snapshot() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let j = journal(dir.path(), "builtin:comms-check", 3);
    insta::assert_snapshot!("comms_check_seed3_md", report(&j, "md"));
}

#[test]
fn json_report_snapshot() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let j = journal(dir.path(), "builtin:comms-check", 3);
    let text = report(&j, "json");
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(value["scenario"], "comms-check");
    insta::assert_snapshot!("comms_check_seed3_json", text);
}

/// Non-void elements must open and close in order (SVG elements close themselves with `/>`
/// or with their closing tag, as in XML).
fn assert_well_formed(html: &str) {
    let void = ["meta", "br", "hr", "img", "input", "link"];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').expect("unclosed tag");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let self_closing = tag.ends_with('/');
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(open, name.trim(), "mismatched </{name}>");
        } else {
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if !self_closing && !void.contains(&name.as_str()) {
                stack.push(name);
            }
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
}

#[test]
fn html_report_is_one_well_formed_page_with_charts() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let j = journal(dir.path(), "builtin:flagship", 5);
    let out = dir.path().join("report.html");
    Command::cargo_bin("cyberdrill")
        .unwrap()
        .arg("report")
        .arg(&j)
        .args(["--format", "html", "-o"])
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert_well_formed(&html);
    // Self-contained: no scripts, no external resources.
    assert!(!html.contains("<script"));
    assert!(
        !html.contains("http://")
            || html
                .matches("http://")
                .all(|_| html.contains("xmlns=\"http://www.w3.org/2000/svg\""))
    );
    assert!(!html.contains("https://"));
    // Charts: tension (with the ladder's rungs) and inoperability, each an inline SVG with lines.
    assert!(html.contains("Tension between states over time"));
    assert!(html.contains("Inoperability over time"));
    assert!(html.matches("<svg").count() >= 2);
    assert!(html.contains("<polyline"));
    assert!(
        html.contains("Retaliation"),
        "rung guide lines are labelled"
    );
}

#[test]
fn report_of_a_missing_or_corrupt_journal_is_a_clear_error() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("cyberdrill")
        .unwrap()
        .arg("report")
        .arg(dir.path().join("nope.jsonl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{not json\n").unwrap();
    let out = Command::cargo_bin("cyberdrill")
        .unwrap()
        .arg("report")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 1"), "{stderr}");
    assert!(!stderr.contains("panicked"));
    // A failed report to a file leaves nothing behind.
    let target = dir.path().join("r.html");
    let out = Command::cargo_bin("cyberdrill")
        .unwrap()
        .arg("report")
        .arg(&bad)
        .args(["--format", "html", "-o"])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!target.exists());
}

fn run_json(args: &[&str]) -> serde_json::Value {
    let out = Command::cargo_bin("cyberdrill")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn baseline_places_a_headless_run_inside_its_own_distribution() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let j = journal(dir.path(), "builtin:comms-check", 3);
    let path = j.display().to_string();
    let r = run_json(&["report", &path, "--baseline", "20", "--format", "json"]);
    let b = &r["baseline"];
    assert_eq!(b["runs"], 20);
    // Seed 3 is one of the engine's 20 runs: every measure lies within their range.
    for m in b["measures"].as_array().unwrap() {
        let Some(v) = m["played"].as_f64() else {
            continue;
        };
        let (lo, hi) = (
            m["engine_min"].as_f64().unwrap(),
            m["engine_max"].as_f64().unwrap(),
        );
        assert!(lo <= v && v <= hi, "{m}");
        let p = m["percentile"].as_f64().unwrap();
        assert!(p > 0.0 && p < 1.0, "{m}");
    }
    for o in b["objectives"].as_array().unwrap() {
        let share = o["engine_met"].as_f64().unwrap();
        match o["played"].as_str().unwrap() {
            "met" => assert!(share > 0.0, "{o}"),
            "failed" => assert!(share < 1.0, "{o}"),
            _ => {}
        }
    }
    let md = Command::cargo_bin("cyberdrill")
        .unwrap()
        .args(["report", &path, "--baseline", "20"])
        .output()
        .unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.contains("## Against the engine"), "{md}");
    assert!(md.contains("the engine meets it in"), "{md}");
}

/// A headless flagship run (seed 2) and its branch at +06:00 re-rolled from seed 11.
fn branch_of_flagship(dir: &Path) -> std::path::PathBuf {
    let parent = journal(dir, "builtin:flagship", 2);
    let branch = dir.join("branch.jsonl");
    Command::cargo_bin("cyberdrill")
        .unwrap()
        .arg("run")
        .arg("--branch")
        .arg(&parent)
        .args(["--at", "+06:00", "--seed", "11", "--journal"])
        .arg(&branch)
        .assert()
        .success();
    branch
}

#[test]
fn the_report_of_a_branch_shows_its_parent_and_what_differs() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let branch = branch_of_flagship(dir.path());
    let md = report(&branch, "md");
    assert!(md.contains("## A branch"), "{md}");
    assert!(md.contains("at +06:00"), "{md}");
    assert!(md.contains("They part at +06:00"), "{md}");
    assert!(
        md.contains("from here the future is drawn from seed 11"),
        "{md}"
    );
    let json: serde_json::Value = serde_json::from_str(&report(&branch, "json")).unwrap();
    assert_eq!(json["branch"]["at_minute"], 360);
    assert!(json["branch"]["diff"]["changes"].is_array());
    // The new sections are there too: beliefs per state, who wrote to whom, waits.
    assert!(md.contains("## Beliefs over time"), "{md}");
    assert!(md.contains("## Who wrote to whom"), "{md}");
    assert!(md.contains("Held for clearance"), "{md}");
    assert!(!json["beliefs"].as_array().unwrap().is_empty());
    assert!(!json["flows"].as_array().unwrap().is_empty());
}

fn browser() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// The HTML report in a real browser: it loads offline, its charts are there, and the
/// browser reports no error (a malformed SVG attribute is a console error in Chromium).
#[test]
fn the_html_report_renders_in_a_real_browser() {
    let _turn = crate::harness::alongside();
    let Some(browser) = browser() else {
        eprintln!(
            "SKIPPED: no Chromium found, so the HTML report is not checked in a browser \
             (install it: apt-get install chromium)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let branch = branch_of_flagship(dir.path());
    let page = dir.path().join("report.html");
    Command::cargo_bin("cyberdrill")
        .unwrap()
        .arg("report")
        .arg(&branch)
        .args(["--format", "html", "--baseline", "10", "-o"])
        .arg(&page)
        .assert()
        .success();
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("the browser runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(dom.contains("After-action report"), "no page: {log}");
    let charts = dom.matches("<svg").count();
    assert!(charts >= 6, "{charts} charts");
    for needle in [
        "Against the engine",
        "A branch",
        "Beliefs over time",
        "Who wrote to whom",
    ] {
        assert!(dom.contains(needle), "{needle}");
    }
    let errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught") || l.contains("Error: <"))
        .collect();
    assert!(errors.is_empty(), "the browser reported: {errors:#?}");
}
