#!/usr/bin/env python3
"""Compare two survey reports (Rust engine vs NumPy reference).

    compare.py rust.json numpy.json [--tol 1e-9]

- Point estimates (n, weight_sum, indicators, sub-dimensions, dimensions, total, per unit and
  per group): the same nulls, and |a - b| <= tol * max(1, |a|).
- Intervals: the two bootstraps use different random streams, so their 2.5/97.5 percentiles
  differ by Monte Carlo error. With B replicates the standard error of an estimated 2.5%
  quantile of a roughly normal replicate distribution is ~ sqrt(p(1-p)/B) / phi(1.96) * sd =
  0.189 sd for B = 200, so the difference of the two bounds has sd ~ 0.267 sd * sqrt(200/B),
  where sd ~ (hi - lo) / 3.92. The check: the same intervals are null; |z| > 4 for under 1%
  of the bounds; the mean z near 0 (no bias); the mean width ratio near 1.
Exit status 0 when everything agrees.
"""

import json
import math
import sys


def cells(report):
    for u, ur in report["units"].items():
        yield (u,), ur
        for g, gr in (ur.get("groups") or {}).items():
            yield (u, g), gr


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    tol = 1e-9
    if "--tol" in sys.argv:
        tol = float(sys.argv[sys.argv.index("--tol") + 1])
    a = json.load(open(args[0]))
    b = json.load(open(args[1]))
    ca = dict(cells(a))
    cb = dict(cells(b))
    problems = []
    if set(ca) != set(cb):
        problems.append(f"different units/groups: {sorted(set(ca) ^ set(cb))[:10]}")
    n_points = 0
    max_diff = 0.0
    zs = []
    ratios = []
    n_reps = None
    for key in sorted(set(ca) & set(cb)):
        x, y = ca[key], cb[key]
        if x["n"] != y["n"]:
            problems.append(f"{key}: n {x['n']} != {y['n']}")

        def close(p, q, what):
            nonlocal n_points, max_diff
            n_points += 1
            if (p is None) != (q is None):
                problems.append(f"{key} {what}: {p} vs {q}")
                return
            if p is None:
                return
            d = abs(p - q)
            max_diff = max(max_diff, d / max(1.0, abs(p)))
            if d > tol * max(1.0, abs(p)):
                problems.append(f"{key} {what}: {p!r} vs {q!r} (diff {d:.3g})")

        close(x["weight_sum"], y["weight_sum"], "weight_sum")
        ex, ey = x["estimate"], y["estimate"]
        for part in ("indicators", "sub_dimensions", "dimensions"):
            if list(ex[part]) != list(ey[part]):
                problems.append(f"{key} {part}: different codes")
            for c in ex[part]:
                close(ex[part][c], ey[part].get(c), f"{part}.{c}")
        close(ex["total"], ey["total"], "total")

        ix, iy = x.get("ci95"), y.get("ci95")
        if (ix is None) != (iy is None):
            problems.append(f"{key}: ci95 present in one report only")
            continue
        if ix is None:
            continue
        pairs = [(ix["total"], iy["total"], "total")]
        for part in ("sub_dimensions", "dimensions"):
            pairs += [(ix[part][c], iy[part].get(c), f"{part}.{c}") for c in ix[part]]
        for p, q, what in pairs:
            if (p is None) != (q is None):
                problems.append(f"{key} ci95 {what}: {p} vs {q}")
                continue
            if p is None:
                continue
            sd = ((p[1] - p[0]) + (q[1] - q[0])) / 2 / 3.92
            if sd <= 0:
                if p != q:
                    problems.append(f"{key} ci95 {what}: {p} vs {q}")
                continue
            se = 0.267 * sd * math.sqrt(200 / (n_reps or 200))
            zs += [(p[0] - q[0]) / se, (p[1] - q[1]) / se]
            ratios.append((p[1] - p[0]) / (q[1] - q[0]) if q[1] > q[0] else 1.0)

    print(f"point estimates compared: {n_points}, largest relative difference {max_diff:.3g} (tol {tol:g})")
    if zs:
        big = sum(1 for z in zs if abs(z) > 4) / len(zs)
        over3 = sum(1 for z in zs if abs(z) > 3) / len(zs)
        mean_z = sum(zs) / len(zs)
        sd_z = math.sqrt(sum((z - mean_z) ** 2 for z in zs) / len(zs))
        mean_ratio = sum(ratios) / len(ratios)
        print(f"interval bounds compared: {len(zs)}; z = (rust - numpy) / MC s.e.: mean {mean_z:+.3f}, "
              f"sd {sd_z:.3f}, |z|>3 {over3:.2%}, |z|>4 {big:.2%}; mean width ratio rust/numpy {mean_ratio:.4f}")
        if big > 0.01:
            problems.append(f"too many interval bounds differ beyond Monte Carlo error ({big:.2%} with |z| > 4)")
        if abs(mean_z) > 0.25:
            problems.append(f"interval bounds biased (mean z {mean_z:+.3f})")
        if not 0.95 <= mean_ratio <= 1.05:
            problems.append(f"interval widths differ (mean ratio {mean_ratio:.4f})")
    for p in problems[:30]:
        print("DIFF", p)
    if problems:
        print(f"FAILED: {len(problems)} differences")
        return 1
    print("OK: point estimates agree exactly (to tolerance); intervals agree statistically")
    return 0


if __name__ == "__main__":
    sys.exit(main())
