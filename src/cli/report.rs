//! `cyberdrill report JOURNAL [--format md|json|html] [-o FILE]`

use super::{EXIT_OK, EXIT_USAGE};
use crate::report;
use clap::ValueEnum;
use std::path::Path;

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Md,
    Json,
    Html,
}

/// Builds the report of a journal and writes it to stdout or a file.
pub fn run(
    journal: &Path,
    format: ReportFormat,
    output: Option<&Path>,
    scenario: Option<&str>,
    baseline: Option<u64>,
    aar: bool,
    ip_csv: Option<&Path>,
) -> u8 {
    let mut r = match report::from_journal(journal, scenario) {
        Ok(r) => r,
        Err(e) => return super::fail(e),
    };
    if let Some(n) = baseline {
        let loaded = match crate::exercise::replay::open(journal, scenario) {
            Ok((_, loaded)) => loaded,
            Err(e) => return super::fail(e),
        };
        match report::baseline::baseline(&loaded.scenario, &r.outcome, n) {
            Ok(b) => r.baseline = Some(b),
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_USAGE;
            }
        }
    }
    if let Some(path) = ip_csv {
        let csv = match report::aar::plan_csv(&r) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: cannot write the improvement plan: {e}");
                return EXIT_USAGE;
            }
        };
        let code = write_output(&csv, Some(path));
        if code != EXIT_OK {
            return code;
        }
        // The CSV alone was asked for: no report on the terminal as well.
        if !aar && output.is_none() {
            return EXIT_OK;
        }
    }
    let text = match format {
        ReportFormat::Md if aar => report::aar::markdown(&r),
        ReportFormat::Html if aar => report::aar::html(&r),
        ReportFormat::Md => report::markdown(&r),
        ReportFormat::Json => serde_json::to_string_pretty(&r).unwrap_or_default() + "\n",
        ReportFormat::Html => report::html(&r),
    };
    write_output(&text, output)
}

/// Writes `text` to stdout, or to `output` atomically (beside it, then renamed, so a failure
/// never leaves half a file).
pub fn write_output(text: &str, output: Option<&Path>) -> u8 {
    match output {
        None => {
            print!("{text}");
            EXIT_OK
        }
        Some(path) => {
            // Write beside the target and rename, so a failure never leaves half a report.
            let tmp = path.with_extension("partial");
            let written = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path));
            match written {
                Ok(()) => {
                    eprintln!("written to {}", path.display());
                    EXIT_OK
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    eprintln!("error: cannot write {}: {e}", path.display());
                    EXIT_USAGE
                }
            }
        }
    }
}
