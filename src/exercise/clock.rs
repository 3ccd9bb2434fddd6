//! The clock task of a shared exercise: steps the engine in real time at the pace set.

use super::SharedExercise;
use std::sync::Arc;
use tokio::sync::{Notify, watch};

/// Steps the engine (on the tokio runtime) while the exercise runs; sleeps on `wake` while it is paused or over.
/// A change of pace or a pause takes effect at once; other changes (commands) do not move
/// the next tick.
pub async fn run_clock(
    exercise: SharedExercise,
    wake: Arc<Notify>,
    version: Arc<watch::Sender<u64>>,
    on_over: impl Fn(),
) {
    let settings = || {
        let ex = exercise.lock();
        (!ex.paused && !ex.sim.is_over(), ex.tick_interval())
    };
    loop {
        let (running, interval) = settings();
        if !running {
            wake.notified().await;
            continue;
        }
        let started = tokio::time::Instant::now();
        let mut deadline = started + interval;
        let go = loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => break true,
                _ = wake.notified() => {
                    let (running, now_interval) = settings();
                    if !running {
                        break false;
                    }
                    deadline = started + now_interval;
                }
            }
        };
        if !go {
            continue;
        }
        let (stepped, ended) = {
            let mut ex = exercise.lock();
            let stepped = !ex.paused && ex.step();
            (stepped, stepped && ex.sim.is_over())
        };
        if ended {
            on_over();
        }
        if stepped {
            version.send_modify(|v| *v += 1);
        }
    }
}
