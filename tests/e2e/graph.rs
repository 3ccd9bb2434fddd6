//! `cyberdrill graph`: the world of every built-in scenario as DOT that a small DOT reader
//! accepts (every edge between declared nodes), and as well-formed SVG.

use assert_cmd::Command;
use std::collections::BTreeSet;

fn graph(scenario: &str, format: &str) -> String {
    let out = Command::cargo_bin("cyberdrill")
        .unwrap()
        .args(["graph", scenario, "--format", format])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The quoted strings of a DOT statement, unescaped.
fn strings(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '"' {
            let mut s = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => s.push(chars.next().expect("an escape ends a string")),
                    '"' => break,
                    other => s.push(other),
                }
            }
            out.push(s);
        }
    }
    out
}

/// A small DOT reader: a digraph, balanced braces, one statement per line ending in `;`,
/// quoted ids, strings closed on their line, edges between declared nodes.
fn check_dot(dot: &str) -> (usize, usize) {
    assert!(dot.starts_with("digraph \""), "{dot}");
    let mut depth = 0i32;
    let mut nodes = BTreeSet::new();
    let mut edges = Vec::new();
    for line in dot.lines() {
        let t = line.trim();
        let unescaped = t
            .char_indices()
            .filter(|&(k, c)| c == '"' && !t[..k].ends_with('\\'))
            .count();
        assert_eq!(unescaped % 2, 0, "a string left open: {t}");
        if t.ends_with('{') {
            depth += 1;
            continue;
        }
        if t == "}" {
            depth -= 1;
            continue;
        }
        assert!(t.ends_with(';'), "a statement without `;`: {t}");
        if t.starts_with("graph [")
            || t.starts_with("node [")
            || t.starts_with("edge [")
            || t.starts_with("label=")
        {
            continue;
        }
        let ids = strings(t);
        if t.contains(" -> ") {
            edges.push((ids[0].clone(), ids[1].clone()));
        } else {
            nodes.insert(ids[0].clone());
        }
    }
    assert_eq!(depth, 0, "braces balance");
    for (a, b) in &edges {
        assert!(nodes.contains(a), "edge from an undeclared node {a}");
        assert!(nodes.contains(b), "edge to an undeclared node {b}");
    }
    (nodes.len(), edges.len())
}

fn check_svg(svg: &str) {
    assert!(svg.starts_with("<svg"), "{}", &svg[..80.min(svg.len())]);
    let void = ["rect", "path", "line", "polyline"];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').expect("unclosed tag");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().unwrap_or("").to_string();
            if !void.contains(&name.as_str()) || !tag.ends_with('/') {
                stack.push(name);
            }
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

#[test]
fn every_builtin_world_draws_as_dot_and_svg() {
    let _turn = crate::harness::alongside();
    for b in cyberdrill::builtin::SCENARIOS {
        let name = format!("builtin:{}", b.name);
        let scenario = cyberdrill::scenario::from_str(b.file, b.source).unwrap();
        let (nodes, edges) = check_dot(&graph(&name, "dot"));
        let expected_nodes = scenario.states.len()
            + scenario.organisations.len()
            + scenario.contacts.len()
            + scenario.assets.len();
        assert_eq!(
            nodes, expected_nodes,
            "{name}: every state, organisation, contact and asset"
        );
        let deps: usize = scenario.assets.iter().map(|a| a.depends_on.len()).sum();
        assert_eq!(
            edges,
            scenario.contacts.len() + scenario.assets.len() + deps + scenario.relations.len(),
            "{name}: contacts, operators, dependencies and relations"
        );
        let svg = graph(&name, "svg");
        check_svg(svg.trim_end());
        for c in scenario.contacts.iter().filter(|c| c.stale) {
            assert!(svg.contains(&format!("{} ·", c.id)), "{name}: {}", c.id);
        }
    }
}
