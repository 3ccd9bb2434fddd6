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
    let dir = tempfile::tempdir().unwrap();
    let j = journal(dir.path(), "builtin:comms-check", 3);
    insta::assert_snapshot!("comms_check_seed3_md", report(&j, "md"));
}

#[test]
fn json_report_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let j = journal(dir.path(), "builtin:comms-check", 3);
    let text = report(&j, "json");
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(value["scenario"], "comms-check");
    insta::assert_snapshot!("comms_check_seed3_json", text);
}

/// Non-void elements must open and close in order.
fn assert_well_formed(html: &str) {
    let void = [
        "meta", "br", "hr", "img", "input", "link", "rect", "line", "polyline", "path", "circle",
    ];
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
