//! The MSEL importer: any bytes read as an MSEL (CSV or T3SF-style JSON, `import::read`),
//! built into a scenario (`import::build`), on its own world or onto the flagship (a bit of
//! a hash of the input decides), and written out the way `cyberdrill import` writes it. The
//! written scenario must pass `check`: `import` says otherwise that it is a bug.
#![no_main]

use cyberdrill::scenario::{self, import, variant};
use cyberdrill_fuzz::flagship;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(msel) = import::read(data) else {
        return;
    };
    let onto = data.iter().fold(0u8, |h, &b| h.rotate_left(1) ^ b) & 1 == 1;
    let imported = import::build(&msel, "drill", onto.then(|| &**flagship()));
    let mut text = String::from("// Imported by `cyberdrill import` from drill.csv.\n");
    text.push_str(&variant::to_text(&imported.scenario));
    text.push('\n');
    let checked = scenario::check_bytes("imported.ron", text.as_bytes());
    assert!(
        checked.is_valid(),
        "the imported scenario does not pass check:\n{}",
        checked.render(false)
    );
});
