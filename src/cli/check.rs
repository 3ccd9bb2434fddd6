//! `cyberdrill check FILE...`

use super::{EXIT_INVALID, EXIT_OK, EXIT_USAGE, Format};
use crate::scenario::{self, Checked, Scenario};
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Checks every file; prints a line per file (and diagnostics); returns the exit code.
pub fn run(files: &[PathBuf], format: Format) -> u8 {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut code = EXIT_OK;
    let mut entries = Vec::new();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for path in files {
        let name = path.display().to_string();
        // `builtin:NAME`, as every other command takes it.
        let builtin = name
            .strip_prefix("builtin:")
            .and_then(crate::builtin::find)
            .map(|b| b.source.as_bytes().to_vec());
        let read = match builtin {
            Some(bytes) => Ok(bytes),
            None => scenario::read_file(path),
        };
        let bytes = match read {
            Ok(bytes) => bytes,
            Err(e) => {
                code = EXIT_USAGE;
                match format {
                    Format::Human => eprintln!("error: cannot read {name}: {e}"),
                    Format::Json => entries
                        .push(json!({"file": name, "valid": false, "io_error": e.to_string()})),
                }
                continue;
            }
        };
        let checked = scenario::check_bytes(&name, &bytes);
        if !checked.is_valid() && code == EXIT_OK {
            code = EXIT_INVALID;
        }
        match format {
            Format::Human => {
                eprint!("{}", checked.render(color));
                let _ = writeln!(out, "{}", summary_line(&checked));
            }
            Format::Json => entries.push(json_entry(&checked)),
        }
    }
    if format == Format::Json {
        let document = json!({ "files": entries });
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&document).unwrap_or_default()
        );
    }
    code
}

/// `ok   file: 6 states, ...` or `FAIL file: 2 errors, 1 warning`.
pub fn summary_line(checked: &Checked) -> String {
    let warnings = match checked.warnings() {
        0 => String::new(),
        1 => " (1 warning)".to_string(),
        n => format!(" ({n} warnings)"),
    };
    match (&checked.scenario, checked.is_valid()) {
        (Some(s), true) => format!("ok   {}: {}{warnings}", checked.file, counts_text(s)),
        _ => {
            let errors = checked.errors();
            let plural = if errors == 1 { "" } else { "s" };
            format!("FAIL {}: {errors} error{plural}{warnings}", checked.file)
        }
    }
}

fn counts(s: &Scenario) -> [(&'static str, usize); 8] {
    [
        ("states", s.states.len()),
        ("organisations", s.organisations.len()),
        ("assets", s.assets.len()),
        ("contacts", s.contacts.len()),
        ("actors", s.actors.len()),
        ("teams", s.teams.len()),
        ("injects", s.injects.len()),
        ("objectives", s.objectives.len()),
    ]
}

fn counts_text(s: &Scenario) -> String {
    counts(s)
        .iter()
        .map(|(name, n)| format!("{n} {name}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn json_entry(checked: &Checked) -> serde_json::Value {
    let lines = scenario::diagnostic::Lines::of(&checked.source);
    let diagnostics: Vec<_> = checked
        .diagnostics
        .iter()
        .map(|d| d.to_json_in(&checked.source, &lines))
        .collect();
    let counts = checked.scenario.as_ref().map(|s| {
        counts(s)
            .iter()
            .map(|(k, v)| ((*k).to_string(), json!(v)))
            .collect::<serde_json::Map<_, _>>()
    });
    json!({
        "file": checked.file,
        "valid": checked.is_valid(),
        "errors": checked.errors(),
        "warnings": checked.warnings(),
        "counts": counts,
        "diagnostics": diagnostics,
    })
}
