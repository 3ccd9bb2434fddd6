//! The teams file of `serve`: any text read as a `TeamsFile` (RON, as `Access::load` reads
//! it), written back the way `--init-teams` writes one (it must read back the same), then
//! checked against the flagship's teams with `Access::from_file` and asked for logins.
#![no_main]

use cyberdrill::serve::access::{Access, TeamsFile, render_teams_file};
use cyberdrill_fuzz::flagship;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(file) = ron::from_str::<TeamsFile>(text) else {
        return;
    };
    let rendered = render_teams_file(&file);
    match ron::from_str::<TeamsFile>(&rendered) {
        Ok(back) => assert!(back == file, "the teams file does not read back the same"),
        Err(e) => panic!("the teams file as written does not read back: {e}\n{rendered}"),
    }
    let Ok(access) = Access::from_file(&file, flagship()) else {
        return;
    };
    let _ = access.teams();
    let _ = access.password("facilitator", &file.facilitator.password);
    for t in &file.teams {
        let _ = access.password(&t.team, &t.password);
        let _ = access.password(&t.team, "");
    }
});
