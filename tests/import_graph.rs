//! The layers of the crate, checked from its sources: the engine (`sim`) and the scenario
//! format (`scenario`) know no front end and not the exercise core; the core (`exercise`)
//! knows no front end; the terminal UI does not import `serve` and the wall neither of them;
//! and nothing imports `cli`, which sits on top and only parses arguments and calls in.
//!
//! Each file under `src/` belongs to the top-level module it is in (`src/sim/view.rs` to
//! `sim`); every `crate::NAME` path in its code (in `use` lines, grouped `use crate::{…}`,
//! or inline) is an import of module NAME. Comments are skipped.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The front ends: each drives the exercise for some people.
const FRONT_ENDS: [&str; 4] = ["tui", "serve", "wall", "cli"];

/// Modules `module` must not import.
fn forbidden(module: &str) -> Vec<&'static str> {
    let mut out = vec!["cli"];
    match module {
        "sim" | "scenario" => out.extend(["tui", "serve", "wall", "exercise"]),
        "exercise" | "journal" | "exit" => out.extend(FRONT_ENDS),
        // `serve` runs terminal screens over SSH, never the other way round; the wall
        // shows only what the core projects.
        "tui" => out.push("serve"),
        "wall" => out.extend(["tui", "serve"]),
        _ => {}
    }
    out
}

/// The top-level modules a piece of Rust source names with `crate::`.
fn imports(source: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in source.lines() {
        let code = match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        };
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            // `cyberdrill::crate::` cannot occur; but `my_crate::x` must not count.
            let before = rest[..at].chars().next_back();
            rest = &rest[at + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                let inside = group.split('}').next().unwrap_or("");
                for item in inside.split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        found.insert(name);
                    }
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        }
    }
    found
}

/// Grouped imports spanning lines (`use crate::{\n a,\n b\n}`) are joined onto one line
/// first, so that [`imports`] sees them whole.
fn join_groups(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut depth = 0usize;
    let mut in_group = false;
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        if !in_group && code.contains("crate::{") {
            in_group = true;
            depth = 0;
        }
        if in_group {
            depth += code.matches('{').count();
            depth = depth.saturating_sub(code.matches('}').count());
            out.push_str(code.trim());
            out.push(' ');
            if depth == 0 {
                in_group = false;
                out.push('\n');
            }
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every violation of the layers in the sources under `src`: (file, module imported).
fn violations(src: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    assert!(files.len() > 20, "found only {} files in src/", files.len());
    let mut out = Vec::new();
    for file in files {
        let relative = file.strip_prefix(src).expect("under src/");
        let first = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or("");
        let module = first.trim_end_matches(".rs");
        if module == "cli" || module == "main" || module == "lib" {
            continue;
        }
        let source = std::fs::read_to_string(&file).expect("a source file is readable");
        let imported = imports(&join_groups(&source));
        for bad in forbidden(module) {
            if imported.contains(bad) {
                out.push((relative.display().to_string(), bad.to_string()));
            }
        }
    }
    out
}

#[test]
fn the_layers_hold() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(
        found.is_empty(),
        "imports against the layers (file: module imported):\n{}",
        found
            .iter()
            .map(|(f, m)| format!("  src/{f}: crate::{m}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_scanner_sees_every_form_of_import() {
    let source = "use crate::cli::load;\n\
                  use crate::{journal, tui::app::App};\n\
                  use crate::{\n    serve::Hub,\n    sim::Sim,\n};\n\
                  fn f() { crate::wall::serve(); }\n\
                  // crate::exercise in a comment\n\
                  let x = my_crate::exercise::y;\n";
    let found = imports(&join_groups(source));
    let expected: BTreeSet<String> = ["cli", "journal", "tui", "serve", "sim", "wall"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn a_forbidden_import_is_reported() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let src = dir.path();
    std::fs::create_dir_all(src.join("sim")).unwrap();
    std::fs::create_dir_all(src.join("report")).unwrap();
    for i in 0..20 {
        std::fs::write(src.join(format!("m{i}.rs")), "").unwrap();
    }
    std::fs::write(src.join("sim/view.rs"), "use crate::tui::app::App;\n").unwrap();
    std::fs::write(src.join("report/mod.rs"), "fn f() { crate::cli::run(); }\n").unwrap();
    std::fs::write(src.join("cli.rs"), "use crate::tui;\n").unwrap();
    std::fs::create_dir_all(src.join("tui")).unwrap();
    std::fs::write(
        src.join("tui/app.rs"),
        "use crate::serve::access::ALL_TEAMS;\n",
    )
    .unwrap();
    let found = violations(src);
    assert_eq!(
        found,
        vec![
            ("report/mod.rs".to_string(), "cli".to_string()),
            ("sim/view.rs".to_string(), "tui".to_string()),
            ("tui/app.rs".to_string(), "serve".to_string()),
        ]
    );
}
