//! The examples in `docs/scenario-format.md`, `docs/authoring.md` and the scenario library stay
//! valid.
//!
//! Convention in the docs: a block fenced ```` ```ron ```` is a complete scenario that must
//! pass `check` with no errors (warnings allowed); a block fenced ```` ```ron fragment ```` is
//! a snippet and is not parsed.

use cyberdrill::scenario::{Sector, check_bytes};
use std::path::{Path, PathBuf};

/// The documents whose RON blocks are checked.
const DOCS: &[&str] = &["docs/scenario-format.md", "docs/authoring.md"];

fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn read(relative: &str) -> String {
    let path = repo_file(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// One fenced code block: the line its body starts on (1-based), its info string, its body.
struct Block {
    line: usize,
    info: String,
    body: String,
}

/// Every fenced code block of a Markdown text (``` fences only; no nesting in this doc).
fn fenced_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (index, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        match open.as_mut() {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    open = Some(Block {
                        line: index + 2,
                        info: info.trim().to_string(),
                        body: String::new(),
                    });
                }
            }
            Some(block) => {
                if trimmed.trim_end() == "```" {
                    blocks.push(open.take().expect("a block is open"));
                } else {
                    block.body.push_str(line);
                    block.body.push('\n');
                }
            }
        }
    }
    assert!(open.is_none(), "a document has an unclosed ``` fence");
    blocks
}

/// The blocks whose language is RON, complete (`ron`) or not (`ron fragment`).
fn ron_blocks(markdown: &str) -> Vec<Block> {
    fenced_blocks(markdown)
        .into_iter()
        .filter(|b| b.info.split_whitespace().next() == Some("ron"))
        .collect()
}

#[test]
fn every_ron_block_is_tagged_complete_or_fragment() {
    for path in DOCS {
        let doc = read(path);
        for block in ron_blocks(&doc) {
            assert!(
                block.info == "ron" || block.info == "ron fragment",
                "{path}:{}: unknown tag ```{} (use ```ron for a complete scenario \
                 or ```ron fragment for a snippet)",
                block.line - 1,
                block.info
            );
        }
    }
}

#[test]
fn complete_ron_examples_in_the_doc_are_valid() {
    let mut failures = Vec::new();
    for path in DOCS {
        let doc = read(path);
        let complete: Vec<Block> = ron_blocks(&doc)
            .into_iter()
            .filter(|b| b.info == "ron")
            .collect();
        assert!(
            complete.len() >= 2,
            "expected at least 2 complete ```ron examples in {path}, found {}",
            complete.len()
        );
        for block in &complete {
            let name = format!("{path} (example at line {})", block.line);
            let checked = check_bytes(&name, block.body.as_bytes());
            if !checked.is_valid() {
                failures.push(format!("{name} is not valid:\n{}", checked.render(false)));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn doc_names_every_sector_and_rung() {
    let doc = read("docs/scenario-format.md");
    for sector in Sector::ALL {
        let name = format!("`{sector:?}`");
        assert!(
            doc.contains(&name),
            "docs/scenario-format.md does not mention {name}"
        );
    }
    for rung in cyberdrill::scenario::Rung::ALL {
        let name = format!("`{rung:?}`");
        assert!(
            doc.contains(&name),
            "docs/scenario-format.md does not mention {name}"
        );
    }
}

#[test]
fn comms_check_is_valid_without_warnings() {
    let path = "scenarios/comms-check.ron";
    let bytes = std::fs::read(repo_file(path)).expect("scenarios/comms-check.ron exists");
    let checked = check_bytes(path, &bytes);
    assert!(
        checked.is_valid(),
        "{path} is not valid:\n{}",
        checked.render(false)
    );
    assert_eq!(
        checked.warnings(),
        0,
        "{path} has warnings:\n{}",
        checked.render(false)
    );
}

/// Every field that `sweep --json` and `compare --json` write is described in
/// `docs/sweep-json.md`, and so is every metric key (by its name before any `[`).
#[test]
fn the_sweep_json_schema_documents_every_field() {
    use cyberdrill::analysis::{compare::compare, summarise, sweep};
    use serde_json::Value;
    let doc = read("docs/sweep-json.md");
    let builtin = cyberdrill::builtin::find("flagship").expect("built-in");
    let scenario = cyberdrill::scenario::from_str(builtin.file, builtin.source).expect("valid");
    let runs = sweep(&scenario, 0..4, Some(1), &|| {}).expect("sweep");
    let report = cyberdrill::cli::sweep::SweepReport {
        schema: cyberdrill::analysis::SCHEMA,
        scenario: scenario.meta.id.clone(),
        scenario_hash: String::new(),
        sets: vec![],
        branch: Some(cyberdrill::cli::sweep::BranchPoint {
            journal: "j.jsonl".into(),
            tick: 0,
            minute: 0,
        }),
        summary: summarise(&runs),
        runs: runs.clone(),
    };
    let comparison = compare(&runs, &runs);
    assert!(
        doc.contains(&format!("schema {}", cyberdrill::analysis::SCHEMA)),
        "the doc names the schema version"
    );
    // Maps whose keys are data (sectors, metric keys, cause codes), not fields.
    const DATA_MAPS: &[&str] = &["downtime", "metrics", "causes"];
    fn fields(value: &Value, out: &mut std::collections::BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    out.insert(k.clone());
                    if !DATA_MAPS.contains(&k.as_str()) {
                        fields(v, out);
                    } else if let Value::Object(inner) = v {
                        inner.values().for_each(|x| fields(x, out));
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|x| fields(x, out)),
            _ => {}
        }
    }
    let mut names = std::collections::BTreeSet::new();
    fields(&serde_json::to_value(&report).unwrap(), &mut names);
    fields(&serde_json::to_value(&comparison).unwrap(), &mut names);
    for name in &names {
        assert!(
            doc.contains(&format!("`{name}`"))
                || doc.contains(&format!("`{name}[]`"))
                || doc.contains(&format!("\"{name}\"")),
            "docs/sweep-json.md does not describe the field `{name}`"
        );
    }
    for row in &comparison.rows {
        let name = row.key.split('[').next().unwrap_or(&row.key);
        assert!(
            doc.contains(&format!("`{name}")),
            "docs/sweep-json.md does not list the metric key `{}`",
            row.key
        );
    }
}
