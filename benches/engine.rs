//! Engine benchmarks: one flagship run (48 simulated hours at 5-minute ticks), and sweep
//! throughput on 1 and 2 worker threads.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cyberdrill::analysis::sweep;
use cyberdrill::sim::Sim;
use std::hint::black_box;

fn flagship() -> cyberdrill::scenario::Scenario {
    let b = cyberdrill::builtin::find("flagship").expect("built-in flagship");
    cyberdrill::scenario::from_str(b.file, b.source).expect("flagship is valid")
}

fn flagship_run(c: &mut Criterion) {
    let scenario = flagship();
    let mut seed = 0;
    c.bench_function("flagship run (48 h, 5-min ticks)", |b| {
        b.iter(|| {
            seed += 1;
            let mut sim = Sim::headless(&scenario, seed);
            sim.run_to_end();
            black_box(sim.outcome())
        })
    });
}

fn sweep_throughput(c: &mut Criterion) {
    let scenario = flagship();
    let runs = 32;
    let mut group = c.benchmark_group("sweep flagship");
    group.throughput(Throughput::Elements(runs));
    group.sample_size(10);
    for jobs in [1, 2] {
        group.bench_function(format!("{runs} runs, {jobs} job(s)"), |b| {
            b.iter(|| black_box(sweep(&scenario, 0..runs, Some(jobs), &|| {}).expect("sweep")))
        });
    }
    group.finish();
}

criterion_group!(benches, flagship_run, sweep_throughput);
criterion_main!(benches);
