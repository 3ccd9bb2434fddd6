//! `cyberdrill import MSEL [-o FILE] [--base SCENARIO]`

use super::{EXIT_INVALID, EXIT_OK, EXIT_USAGE, load};
use crate::scenario::{self, import, variant};
use std::path::Path;

/// Reads the MSEL, builds the scenario, checks it, writes it.
pub fn run(msel: &Path, output: Option<&Path>, base: Option<&str>) -> u8 {
    let bytes = match std::fs::read(msel) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", msel.display());
            return EXIT_USAGE;
        }
    };
    let rows = match import::read(&bytes) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {}: {e}", msel.display());
            return EXIT_INVALID;
        }
    };
    let base = match base.map(load::load).transpose() {
        Ok(b) => b,
        Err(e) => return super::fail(e),
    };
    let name = msel
        .file_stem()
        .map_or("msel".into(), |s| s.to_string_lossy().into_owned());
    let imported = import::build(&rows, &name, base.as_ref().map(|b| &*b.scenario));
    for note in &imported.notes {
        eprintln!("import: {note}");
    }
    let mut text = format!(
        "// Imported by `cyberdrill import` from {}{}.\n// What could not be mapped is listed in `meta.todo`; `cyberdrill check` shows each line.\n",
        msel.file_name()
            .map_or(String::new(), |f| f.to_string_lossy().into_owned()),
        base.as_ref()
            .map_or(String::new(), |b| format!(" onto {}", b.source_ref))
    );
    text.push_str(&variant::to_text(&imported.scenario));
    text.push('\n');
    let checked = scenario::check_bytes("imported.ron", text.as_bytes());
    if !checked.is_valid() {
        eprint!("{}", checked.render(false));
        eprintln!(
            "error: the imported scenario does not pass check (a bug in import; please report it with the MSEL)"
        );
        return EXIT_INVALID;
    }
    for todo in &imported.scenario.meta.todo {
        eprintln!("import: to complete: {todo}");
    }
    let code = super::report::write_output(&text, output);
    if code == EXIT_OK {
        eprintln!(
            "import: {} warnings to look at with `cyberdrill check`",
            checked.warnings()
        );
    }
    code
}
