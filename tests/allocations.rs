//! Allocations per tick, counted by a global allocator: a tick in which nothing happens (no
//! event, no message moving, no belief to recompute) allocates nothing. A tick in which
//! something happens may allocate: an event is recorded, a message is written, a belief is
//! recomputed.
//!
//! Its own test binary, so that the counting allocator sees only this test (and its one
//! thread).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn scenario(name: &str) -> cyberdrill::scenario::Valid {
    let b = cyberdrill::builtin::find(name).expect("a built-in scenario");
    cyberdrill::scenario::from_str(b.file, b.source).expect("a valid scenario")
}

/// Per tick of a headless run: (allocations, events logged).
fn per_tick(name: &str, seed: u64) -> Vec<(usize, usize)> {
    let mut sim = cyberdrill::sim::Sim::headless(&scenario(name), seed);
    let mut out = Vec::new();
    loop {
        let events = sim.events().len();
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        if !sim.step() {
            break;
        }
        let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
        out.push((allocations, sim.events().len() - events));
    }
    out
}

#[test]
fn a_tick_in_which_nothing_happens_allocates_nothing() {
    for name in ["flagship", "hospital-red-line", "asean-cert-drill"] {
        for seed in 1..=5 {
            let ticks = per_tick(name, seed);
            // The first ticks size the systems' scratch space.
            let quiet: Vec<(usize, usize)> = ticks
                .iter()
                .enumerate()
                .skip(2)
                .filter(|(_, (_, events))| *events == 0)
                .map(|(t, (a, _))| (t + 1, *a))
                .collect();
            let allocating: Vec<&(usize, usize)> = quiet.iter().filter(|(_, a)| *a > 0).collect();
            assert!(
                quiet.len() * 10 > ticks.len(),
                "{name} seed {seed}: only {} of {} ticks are quiet",
                quiet.len(),
                ticks.len()
            );
            // A belief that crossed its state's blame threshold is remembered (one map
            // entry) at the next tick, which may be quiet; nothing else allocates then.
            assert!(
                allocating.len() <= 3.max(quiet.len() / 10)
                    && allocating.iter().all(|(_, a)| *a <= 8),
                "{name} seed {seed}: {} of {} quiet ticks allocate: {:?}",
                allocating.len(),
                quiet.len(),
                &allocating[..allocating.len().min(10)]
            );
        }
    }
}
