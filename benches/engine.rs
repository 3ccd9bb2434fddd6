//! Engine benchmarks: one flagship run (48 simulated hours at 5-minute ticks), sweep
//! throughput on 1 and 2 worker threads, and one 48-hour run of a generated region at three
//! sizes (10, 20 and 30 states with ~17 assets and ~33 contacts each), whose cost should grow
//! no faster than linearly with assets and contacts.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cyberdrill::analysis::sweep;
use cyberdrill::sim::Sim;
use std::hint::black_box;

fn flagship() -> cyberdrill::scenario::Valid {
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

/// A generated region of `states` states, `assets` assets and `contacts` contacts, run for
/// 48 hours at 5-minute ticks.
fn region(states: usize, assets: usize, contacts: usize) -> cyberdrill::scenario::Valid {
    let source = cyberdrill::scenario::generate::large_scenario(states, assets, contacts, 40);
    let mut scenario = cyberdrill::scenario::from_str("generated.ron", &source)
        .expect("a valid generated region")
        .into_inner();
    scenario.clock.tick_minutes = 5;
    scenario.clock.duration = cyberdrill::scenario::Span::from_minutes(48 * 60);
    cyberdrill::scenario::Valid::check(scenario).expect("still valid at 5-minute ticks")
}

fn large_region(c: &mut Criterion) {
    let mut group = c.benchmark_group("generated region run (48 h, 5-min ticks)");
    group.sample_size(20);
    for (states, assets, contacts) in [(10, 167, 333), (20, 333, 667), (30, 500, 1000)] {
        let scenario = region(states, assets, contacts);
        let mut seed = 0;
        group.bench_function(
            format!("{states} states, {assets} assets, {contacts} contacts"),
            |b| {
                b.iter(|| {
                    seed += 1;
                    let mut sim = Sim::headless(&scenario, seed);
                    sim.run_to_end();
                    black_box(sim.outcome())
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, flagship_run, sweep_throughput, large_region);
criterion_main!(benches);
