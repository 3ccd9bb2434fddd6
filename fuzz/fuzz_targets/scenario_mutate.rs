//! Structure-aware: a built-in scenario's parsed form, mutated (numbers, ids, durations,
//! variants, lists, optional fields), written back as RON with `variant::to_text` (as
//! `--set`, `import` and the meaning hash write it) and checked like a file. The text must
//! read back as the same scenario; a valid one is run by the engine with commands and
//! facilitator controls the rest of the input chooses.
#![no_main]

use arbitrary::Unstructured;
use cyberdrill::scenario::{self, Scenario, variant};
use cyberdrill_fuzz::{Budget, all_ids, builtins, drive, dump_scenario, mutate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(i) = u.choose_index(builtins().len()) else {
        return;
    };
    let base = &builtins()[i].1;
    let Ok(mut value) = serde_json::to_value(&**base) else {
        return;
    };
    if mutate(&mut u, &mut value, &all_ids(base)).is_err() {
        return;
    }
    let Ok(s) = serde_json::from_value::<Scenario>(value) else {
        return;
    };
    let text = variant::to_text(&s);
    dump_scenario(text.as_bytes());
    let checked = scenario::check_bytes("mutated.ron", text.as_bytes());
    let _ = checked.render(false);
    match &checked.scenario {
        Some(back) => assert!(
            *back == s,
            "variant::to_text does not read back as the same scenario"
        ),
        None => panic!(
            "variant::to_text wrote a scenario that does not parse:\n{}",
            checked.render(false)
        ),
    }
    let Some(valid) = checked.into_valid() else {
        return;
    };
    let d = drive(
        &valid,
        &mut u,
        Budget {
            ticks: 288,
            actions: 48,
        },
    );
    d.look(&s);
});
