//! Any bytes as a scenario file: decoded, parsed, validated and its diagnostics rendered (as
//! `cyberdrill check` prints them, human and JSON). A valid scenario is then run by the
//! engine, with commands derived from a hash of the input (so that editing a comment changes
//! them), for at most a simulated day.
#![no_main]

use arbitrary::Unstructured;
use cyberdrill::scenario;
use cyberdrill_fuzz::{Budget, drive, dump_scenario};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let checked = scenario::check_bytes("fuzz.ron", data);
    let _ = checked.render(false);
    let _ = checked.render(true);
    for d in &checked.diagnostics {
        let _ = d.to_json(&checked.source);
    }
    let Some(s) = checked.into_valid() else {
        return;
    };
    dump_scenario(data);
    // Commands from a hash of the input: 512 bytes of a SplitMix64 stream.
    let mut state = data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let bytes: Vec<u8> = (0..64)
        .flat_map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            (z ^ (z >> 31)).to_le_bytes()
        })
        .collect();
    let mut u = Unstructured::new(&bytes);
    let d = drive(
        &s,
        &mut u,
        Budget {
            ticks: 288,
            actions: 24,
        },
    );
    d.look(&s);
});
