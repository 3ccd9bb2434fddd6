//! The SSH session's key parser: a byte stream (what a client's terminal sends) fed to
//! `KeyParser::feed` in chunks (network packets) whose sizes the first byte chooses.
#![no_main]

use cyberdrill::serve::session::KeyParser;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, mut rest)) = data.split_first() else {
        return;
    };
    let mut parser = KeyParser::default();
    let mut state = u32::from(first) | 1;
    while !rest.is_empty() {
        // A small LCG: chunks of 1 to 16 bytes, the first byte picking the pattern.
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = ((state >> 16) as usize % 16 + 1).min(rest.len());
        let (chunk, tail) = rest.split_at(n);
        let _ = parser.feed(chunk);
        rest = tail;
    }
    // The whole stream at once, as one packet.
    let _ = KeyParser::default().feed(&data[1..]);
});
