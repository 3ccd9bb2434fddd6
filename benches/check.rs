//! How long `cyberdrill check` takes on a large scenario.
//!
//! `check_bytes` alone, then the whole per-file path of the binary (read the file, check,
//! render the diagnostics, the summary line), on a valid scenario and on one with errors.

use criterion::{Criterion, criterion_group, criterion_main};
use cyberdrill::cli::check::summary_line;
use cyberdrill::scenario::{check_bytes, generate::large_scenario};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

/// What `cyberdrill check FILE` does per file, without printing.
fn check_file(path: &Path) -> (String, String) {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).expect("read the scenario");
    let checked = check_bytes(&name, &bytes);
    let rendered = checked.render(false);
    (rendered, summary_line(&checked))
}

fn bench_check(c: &mut Criterion) {
    let text = large_scenario(100, 2000, 3000, 5000);
    let valid = check_bytes("large.ron", text.as_bytes());
    assert!(
        valid.is_valid() && valid.warnings() == 0,
        "{}",
        valid.render(false)
    );

    // The same scenario with an out-of-range severity in one incident of nine (139 errors):
    // rendering costs more than checking.
    let broken = text.replace("severity: 0.5", "severity: 1.5");
    let errors = check_bytes("broken.ron", broken.as_bytes()).errors();
    assert!(errors > 100, "{errors} errors");

    let dir = tempfile::tempdir().expect("temp dir");
    let valid_path = dir.path().join("large.ron");
    let broken_path = dir.path().join("broken.ron");
    std::fs::write(&valid_path, &text).expect("write");
    std::fs::write(&broken_path, &broken).expect("write");

    let mut group = c.benchmark_group(format!("check {} KB", text.len() / 1024));
    group.sample_size(20);
    group.bench_function("check_bytes", |b| {
        b.iter(|| check_bytes("large.ron", black_box(text.as_bytes())))
    });
    group.bench_function("file: read, check, render", |b| {
        b.iter(|| check_file(black_box(&valid_path)))
    });
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function(
        format!("file with {errors} errors: read, check, render"),
        |b| b.iter(|| check_file(black_box(&broken_path))),
    );
    group.finish();
}

criterion_group!(benches, bench_check);
criterion_main!(benches);
