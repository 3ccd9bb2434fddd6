//! Writes the seed corpora under `fuzz/corpus/<target>/` (the files committed with the
//! repository): `cargo run --example seeds` from `fuzz/`.
//!
//! - `scenario`: the built-in scenarios, `tests/fixtures/*.ron`, and every complete ```ron
//!   example of `docs/scenario-format.md` and `docs/authoring.md` (small, so mutations are
//!   quick);
//! - `scenario_mutate`: a few deterministic random inputs (each picks a built-in and some
//!   mutations);
//! - `journal`: for each built-in, a run with commands and controls the driver chose (as
//!   `play` or `serve` would journal them), and a headless one ending with its `end` line;
//! - `teams`: the file `serve --init-teams` writes for each built-in, and one with keys;
//! - `keys`: what terminals send: text, arrows, function keys, Alt, Shift-Tab, mouse, paste;
//! - `msel`: `tests/fixtures/msel/*`.

use arbitrary::Unstructured;
use cyberdrill::exercise::load::meaning_hash;
use cyberdrill::journal::{self, Line, Mode};
use cyberdrill::serve::access::{TeamLogin, init_teams, render_teams_file};
use cyberdrill::sim::Sim;
use cyberdrill_fuzz::{Budget, builtins, drive};
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = fuzz
        .parent()
        .expect("fuzz/ is inside the repository")
        .to_path_buf();
    let corpus = fuzz.join("corpus");
    let mut rng = 0x5eed_u64;
    let mut random = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                (rng >> 24) as u8
            })
            .collect()
    };

    // scenario
    let dir_s = dir(&corpus, "scenario");
    for b in cyberdrill::builtin::SCENARIOS {
        write(
            &dir_s,
            &format!("builtin-{}.ron", b.name),
            b.source.as_bytes(),
        );
    }
    for entry in fs::read_dir(root.join("tests/fixtures")).expect("tests/fixtures") {
        let path = entry.expect("a fixture").path();
        if path.extension().is_some_and(|e| e == "ron") {
            let name = format!("fixture-{}", path.file_name().unwrap().to_string_lossy());
            write(&dir_s, &name, &fs::read(&path).expect("readable"));
        }
    }
    for doc in ["scenario-format", "authoring"] {
        let text = fs::read_to_string(root.join(format!("docs/{doc}.md"))).expect("the docs");
        for (i, block) in text.split("```ron\n").skip(1).enumerate() {
            let body = block.split("```").next().unwrap_or("");
            write(&dir_s, &format!("doc-{doc}-{i}.ron"), body.as_bytes());
        }
    }

    // scenario_mutate
    let dir_m = dir(&corpus, "scenario_mutate");
    for i in 0..8 {
        write(&dir_m, &format!("random-{i}"), &random(2048));
    }

    // journal
    let dir_j = dir(&corpus, "journal");
    for (name, s) in builtins() {
        let hash = meaning_hash(s);
        let reference = format!("builtin:{name}");
        for (k, ticks) in [(0, 160), (1, 96)] {
            let bytes = random(2048);
            let mut u = Unstructured::new(&bytes);
            let d = drive(s, &mut u, Budget { ticks, actions: 48 });
            let (seed, mode, humans) = match &d.header {
                Line::Header {
                    seed, mode, humans, ..
                } => (*seed, *mode, humans.clone()),
                _ => unreachable!("the driver's header"),
            };
            let mut lines = vec![header(&reference, &hash, seed, mode, humans)];
            lines.extend(d.lines.iter().cloned());
            lines.push(Line::Mark { tick: d.sim.tick() });
            write(
                &dir_j,
                &format!("{name}-{k}.jsonl"),
                text(&lines).as_bytes(),
            );
        }
        let mut sim = Sim::headless(s, 7);
        sim.run_to_end();
        let lines = [
            header(&reference, &hash, 7, Mode::Headless, None),
            Line::End {
                tick: sim.tick(),
                outcome_hash: journal::outcome_hash(&sim.outcome()),
            },
        ];
        write(
            &dir_j,
            &format!("{name}-headless.jsonl"),
            text(&lines).as_bytes(),
        );
    }

    // teams
    let dir_t = dir(&corpus, "teams");
    for (name, s) in builtins() {
        let mut file = init_teams(s);
        file.scenario = format!("builtin:{name}");
        write(
            &dir_t,
            &format!("{name}.ron"),
            render_teams_file(&file).as_bytes(),
        );
    }
    let mut file = init_teams(&builtins()[0].1);
    file.facilitator.password = String::new();
    file.facilitator.keys = vec![
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII9qB910T8HAQ0lpuusW6wPMfQ4sao82xrxb4t8JljML facilitator@example".into(),
    ];
    if let Some(TeamLogin { keys, .. }) = file.teams.first_mut() {
        keys.push("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPjI/wPnS1thzsZltOIujwZqHKTyKwdIqdRL94a4W+VbXiibVkhdZVPaY9I2NIjdS/Vee34QTH0kj2S00Se6OvA= team@example".into());
        keys.push("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDqEeeb46qCO16f7bx/QqUt5psrNtDNJoFv7+2xL0acpcmx4nDuodV08FzxfeAk6ehu2+AqRi0BuK/HS/2oNpFYWpDIwLkvNXgiptUuQ7xcxFl5zuHWtZxM1vkDEvfQUXje1loJcCL+JP4boK4Pn9wKMN8MouN/1l3HzIYr3iiPjLNLsEhSVagDAKcn1dSrJwU3cAqb+RwSQL69s0OB97ct2a3zU/O4TEYVkaDHrXQ2A2damUt3FMGZxyqtssOBWMCt08Qrq7SM2mVG4ZGy2gxh3Lo3ee8BAcDFBXTvzItwqq2GYxYjG00Obx7m2yMkViQh2oNI2Qyvww64NhP83Ug7 rsa@example".into());
    }
    write(&dir_t, "keys.ron", render_teams_file(&file).as_bytes());
    write(
        &dir_t,
        "minimal.ron",
        b"(facilitator: (password: \"correct horse\"), teams: [(team: \"team-varesh\", password: \"battery staple\")])",
    );

    // keys: the first byte picks the chunking
    let dir_k = dir(&corpus, "keys");
    let streams: &[(&str, &[u8])] = &[
        ("text", b"\x07hello world\r\x7f\x7fq"),
        (
            "arrows",
            b"\x03\x1b[A\x1b[B\x1b[C\x1b[D\x1bOA\x1bOB\x1b[H\x1b[F",
        ),
        (
            "pages",
            b"\x05\x1b[5~\x1b[6~\x1b[2~\x1b[3~\x1b[1;5A\x1b[1;2B",
        ),
        ("fkeys", b"\x0b\x1bOP\x1bOQ\x1b[15~\x1b[24~\x1b[Z\t"),
        ("alt", b"\x01\x1ba\x1bx\x1b\x1b\x1b"),
        ("mouse", b"\x09\x1b[<0;10;5M\x1b[<0;10;5m\x1b[M !!"),
        ("paste", b"\x02\x1b[200~pasted text\x1b[201~"),
        ("utf8", "\x04é€😀 ctrl\x01\x1a".as_bytes()),
        ("focus", b"\x06\x1b[I\x1b[O\x1b[?1;2c"),
    ];
    for (name, bytes) in streams {
        write(&dir_k, name, bytes);
    }

    // msel
    let dir_x = dir(&corpus, "msel");
    for entry in fs::read_dir(root.join("tests/fixtures/msel")).expect("tests/fixtures/msel") {
        let path = entry.expect("a fixture").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        write(&dir_x, &name, &fs::read(&path).expect("readable"));
    }
}

fn header(reference: &str, hash: &str, seed: u64, mode: Mode, humans: Option<Vec<String>>) -> Line {
    Line::Header {
        format: journal::FORMAT.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: reference.to_string(),
        scenario_hash: hash.to_string(),
        seed,
        mode,
        player: None,
        humans,
        parent: None,
    }
}

fn text(lines: &[Line]) -> String {
    lines
        .iter()
        .map(|l| serde_json::to_string(l).expect("a journal line") + "\n")
        .collect()
}

fn dir(corpus: &Path, target: &str) -> PathBuf {
    let dir = corpus.join(target);
    fs::create_dir_all(&dir).expect("the corpus directory");
    dir
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    fs::write(dir.join(name), bytes).expect("a seed file");
}
