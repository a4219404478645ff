#!/usr/bin/env python3
"""The Markdown table of a `scripts/bench-all.sh` run, from the JSON lines `scoreledger bench
--json` printed: ours, the raw limit measured in the same run, the ratio and the target."""
import json, sys

def rate(value):
    return f"{value:,.0f}"

def writers(n):
    return f"{n} writer" if n == 1 else f"{n} writers"

print()
print("| workload | log (read models) | detail | ours | raw limit, same run | ratio | target |")
print("|---|---|---|---|---|---|---|")
for line in open(sys.argv[1]):
    f = json.loads(line)
    kind = f["workload"]
    backend = f["backend"] + (f" ({f['read_models']})" if "read_models" in f else "")
    target = f.get("target")
    if isinstance(target, dict):
        target = "; ".join(
            f"≥ {v:,.0f} {f['unit']}/s" if k == "per_second" else f"{k} ≥ {v}"
            for k, v in target.items()
        )
    if kind == "append":
        detail = f"{f['via']}, {writers(f['writers'])}"
        ours = f"{rate(f['ours_per_second'])} commits/s (p50 {f['p50_ms']:.1f} / p99 {f['p99_ms']:.1f} ms)"
        raw, ratio = f"{rate(f['raw_per_second'])}/s", f"{f['ratio']:.3f}"
    elif kind in ("lag", "as-at"):
        detail = writers(f["writers"]) if kind == "lag" else f"{f['events']:,} events, {f['at']} position"
        ours = f"p50 {f['p50_ms']:.1f} / p99 {f['p99_ms']:.1f} ms"
        raw = f"p50 {f['raw_p50_ms']:.2f} / p99 {f['raw_p99_ms']:.2f} ms"
        ratio = "—"
        target = f"p99 < {f['target_p99_ms']:.0f} ms" if kind == "lag" else f"p50 < {f['target_p50_ms']:.0f}, p99 < {f['target_p99_ms']:.0f} ms"
    else:
        detail = f"{f['count']:,} {f['unit']}"
        ours = f"{rate(f['ours_per_second'])} {f['unit']}/s"
        raw, ratio = f"{rate(f['raw_per_second'])}/s ({f['raw']})", f"{f['ratio']:.3f}"
    print(f"| {kind} | {backend} | {detail} | {ours} | {raw} | {ratio} | {target or ''} |")
