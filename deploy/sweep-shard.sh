#!/usr/bin/env bash
# One shard of a sweep: seeds INDEX*RUNS_PER_SHARD .. (INDEX+1)*RUNS_PER_SHARD of a scenario,
# written as sweep JSON to OUT_DIR/shard-INDEX.json. `cyberdrill merge OUT_DIR/shard-*.json`
# combines the shards into exactly the result of one sweep over all their seeds.
#
# The shard index comes from the first argument, or from the scheduler: SLURM_ARRAY_TASK_ID
# (a Slurm job array) or JOB_COMPLETION_INDEX (a Kubernetes Indexed Job).
#
# Environment:
#   SCENARIO        scenario file or builtin:NAME (default builtin:flagship)
#   RUNS_PER_SHARD  seeds per shard (default 500)
#   OUT_DIR         where shards go (default ./shards)
#   JOBS            threads per shard (default: all cores the shard may use)
#   SETS            --set overrides, separated by newlines (optional)
#   CYBERDRILL      the binary (default: cyberdrill on PATH)
set -euo pipefail

index="${1:-${SLURM_ARRAY_TASK_ID:-${JOB_COMPLETION_INDEX:-}}}"
if ! [[ "$index" =~ ^[0-9]+$ ]]; then
    echo "error: give the shard index (0, 1, ...) as the first argument," \
        "or run under a Slurm array or a Kubernetes Indexed Job" >&2
    exit 2
fi
scenario="${SCENARIO:-builtin:flagship}"
per="${RUNS_PER_SHARD:-500}"
out="${OUT_DIR:-shards}"
bin="${CYBERDRILL:-cyberdrill}"
if ! [[ "$per" =~ ^[1-9][0-9]*$ ]]; then
    echo "error: RUNS_PER_SHARD must be a positive number, not '$per'" >&2
    exit 2
fi

start=$((10#$index * per))
end=$((start + per))
args=(sweep "$scenario" --seeds "$start..$end" --json)
if [ -n "${JOBS:-}" ]; then
    args+=(--jobs "$JOBS")
fi
if [ -n "${SETS:-}" ]; then
    while IFS= read -r set; do
        [ -n "$set" ] && args+=(--set "$set")
    done <<< "$SETS"
fi

mkdir -p "$out"
name="$out/shard-$(printf '%05d' "$((10#$index))").json"
# Written under a temporary name and moved into place when complete, so a shard that was cut
# off (a pre-empted node, a time limit) never looks finished to `merge`.
tmp="$name.partial.$$"
trap 'rm -f "$tmp"' EXIT
"$bin" "${args[@]}" > "$tmp"
mv "$tmp" "$name"
trap - EXIT
echo "shard $index: seeds $start..$end -> $name" >&2
