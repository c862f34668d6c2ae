#!/usr/bin/env python3
"""Reference implementation of the survey estimation spec (issue 6) in plain vectorised NumPy.

Same input and output as `chiso survey score --json` / `survey_score`:

    numpy_score.py --questionnaire Q.toml --responses R.csv [--by-group]
                   [--bootstrap B] [--seed S] [--out report.json]

Spec: y = (x - min)/(max - min) clipped to [0, 1], 1 - y where direction = -1; indicator mean
= sum(w*y)/sum(w) over those who answered; sub-dimension value n = mean of the defined
indicator means; sub-dimension score (1 + 9n)/k with k the defined sub-dimensions of its
dimension; dimension = sum (null when none defined); total = sum of dimensions (null when any
is). Bootstrap: B replicates, n_u draws with replacement per unit, 95% interval = nanpercentile
2.5/97.5 (linear). The structure is derived from the node codes (dimension = node before its
last '.'), as `Structure::from_node_codes` does.

The point estimates must agree with the Rust engine to 1e-9; the intervals only statistically
(NumPy's PCG64 stream is not the engine's ChaCha8 stream).
"""

import argparse
import io
import json
import re
import sys
import time
import tomllib

import numpy as np


def natural_key(s):
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", s) if t]


def read_questionnaire(path):
    with open(path, "rb") as f:
        q = tomllib.load(f)
    inds = q["indicator"]
    codes = [i["code"] for i in inds]
    nodes = [i["node"] for i in inds]
    mins = np.array([float(i["min"]) for i in inds])
    maxs = np.array([float(i["max"]) for i in inds])
    dirs = np.array([int(i["direction"]) for i in inds])
    dims = {}
    for node in nodes:
        d = node.rsplit(".", 1)[0]
        dims.setdefault(d, [])
        if node not in dims[d]:
            dims[d].append(node)
    structure = [(d, sorted(dims[d], key=natural_key)) for d in sorted(dims, key=natural_key)]
    return codes, nodes, mins, maxs, dirs, structure


def read_responses(path, codes):
    with open(path, "rb") as f:
        raw = f.read()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    header_end = raw.index(b"\n")
    header = [h.strip().lower() for h in raw[:header_end].decode().split(",")]
    col = {h: i for i, h in enumerate(header)}
    lower_codes = [c.lower() for c in codes]
    # Empty cells are missing answers: write them as "nan" so that loadtxt's C parser reads them.
    body = raw[header_end + 1:]
    body = body.replace(b",,", b",nan,").replace(b",,", b",nan,")
    body = body.replace(b",\n", b",nan\n")
    if body.endswith(b","):
        body += b"nan"
    del raw
    text = io.BytesIO(body)
    ind_cols = [col[c] for c in lower_codes]
    wcol = col.get("weight")
    numeric_cols = ind_cols + ([wcol] if wcol is not None else [])
    X = np.loadtxt(text, delimiter=",", usecols=numeric_cols, dtype=np.float64, ndmin=2)
    text.seek(0)
    str_cols = [col["unit"]] + ([col["group"]] if "group" in col else [])
    S = np.loadtxt(text, delimiter=",", usecols=str_cols, dtype=str, ndmin=2)
    del body, text
    k = len(codes)
    w = X[:, k].copy() if wcol is not None else np.ones(X.shape[0])
    X = X[:, :k]
    units = S[:, 0]
    groups = S[:, 1] if S.shape[1] > 1 else None
    return X, w, units, groups


class Spec:
    def __init__(self, codes, nodes, structure):
        self.codes = codes
        self.structure = structure
        self.sub_codes = [s for _, subs in structure for s in subs]
        self.sub_members = [[j for j, n in enumerate(nodes) if n == s] for s in self.sub_codes]
        pos = {s: i for i, s in enumerate(self.sub_codes)}
        self.dim_subs = [[pos[s] for s in subs] for _, subs in structure]

    def evaluate(self, S, W):
        """S, W: (R, k) weighted sums -> means (R, k), sub scores (R, s), dims (R, d), total (R,)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            M = np.where(W > 0, S / np.where(W > 0, W, 1.0), np.nan)
        R = S.shape[0]
        n = np.full((R, len(self.sub_codes)), np.nan)
        for si, members in enumerate(self.sub_members):
            sub = M[:, members]
            cnt = (~np.isnan(sub)).sum(axis=1)
            tot = np.nansum(sub, axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                n[:, si] = np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)
        subs = np.full_like(n, np.nan)
        dims = np.full((R, len(self.dim_subs)), np.nan)
        for di, members in enumerate(self.dim_subs):
            v = n[:, members]
            k = (~np.isnan(v)).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                sc = (1.0 + 9.0 * v) / k[:, None]
            subs[:, members] = sc
            dims[:, di] = np.where(k > 0, np.nansum(sc, axis=1), np.nan)
        total = dims.sum(axis=1)  # NaN when any dimension is undefined
        if dims.shape[1] == 0:
            total[:] = np.nan
        return M, subs, dims, total


def nan_to_none(x):
    x = float(x)
    return None if np.isnan(x) else x


def score_cell(spec, WY, WA, w, B, rng):
    n = WY.shape[0]
    S = WY.sum(axis=0)[None, :]
    W = WA.sum(axis=0)[None, :]
    M, subs, dims, total = spec.evaluate(S, W)
    out = {
        "n": int(n),
        "weight_sum": float(w.sum()),
        "estimate": {
            "indicators": {c: nan_to_none(v) for c, v in zip(spec.codes, M[0])},
            "sub_dimensions": {c: nan_to_none(v) for c, v in zip(spec.sub_codes, subs[0])},
            "dimensions": {d: nan_to_none(v) for (d, _), v in zip(spec.structure, dims[0])},
            "total": nan_to_none(total[0]),
        },
        "ci95": None,
    }
    if B > 0:
        draws = rng.integers(0, n, size=(B, n))
        flat = (np.arange(B)[:, None] * n + draws).ravel()
        C = np.bincount(flat, minlength=B * n).reshape(B, n).astype(np.float64)
        del draws, flat
        Sb = C @ WY
        Wb = C @ WA
        del C
        _, bsubs, bdims, btotal = spec.evaluate(Sb, Wb)
        vals = np.concatenate([bsubs, bdims, btotal[:, None]], axis=1)
        all_nan = np.isnan(vals).all(axis=0)
        vals[:, all_nan] = 0.0  # nanpercentile warns on all-NaN columns; they become null below
        lo, hi = np.nanpercentile(vals, [2.5, 97.5], axis=0)

        def pair(i):
            return None if all_nan[i] else [float(lo[i]), float(hi[i])]

        ns = len(spec.sub_codes)
        nd = len(spec.structure)
        out["ci95"] = {
            "sub_dimensions": {c: pair(i) for i, c in enumerate(spec.sub_codes)},
            "dimensions": {d: pair(ns + i) for i, (d, _) in enumerate(spec.structure)},
            "total": pair(ns + nd),
        }
    if n < 30:
        out["warnings"] = [f"small sample: {n} < 30"]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--questionnaire", required=True)
    ap.add_argument("--responses", required=True)
    ap.add_argument("--by-group", action="store_true")
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out")
    ap.add_argument("--timing", action="store_true")
    a = ap.parse_args()

    t0 = time.perf_counter()
    codes, nodes, mins, maxs, dirs, structure = read_questionnaire(a.questionnaire)
    X, w, units, groups = read_responses(a.responses, codes)
    t_read = time.perf_counter() - t0

    # Normalise, clip, reverse; missing answers out of both sums.
    A = ~np.isnan(X)
    Y = np.clip((X - mins) / (maxs - mins), 0.0, 1.0)
    Y = np.where(dirs < 0, 1.0 - Y, Y)
    del X
    WY = np.where(A, Y * w[:, None], 0.0)
    WA = A * w[:, None]
    del Y, A

    spec = Spec(codes, nodes, structure)
    rng = np.random.default_rng(a.seed)
    unit_codes, unit_idx = np.unique(units, return_inverse=True)
    order = sorted(range(len(unit_codes)), key=lambda i: natural_key(unit_codes[i]))
    report = {"units": {}}
    for ui in order:
        rows = np.flatnonzero(unit_idx == ui)
        r = score_cell(spec, WY[rows], WA[rows], w[rows], a.bootstrap, rng)
        if a.by_group and groups is not None:
            g_u = groups[rows]
            r["groups"] = {}
            for g in sorted(set(g_u.tolist()) - {""}, key=natural_key):
                sub = rows[g_u == g]
                r["groups"][g] = score_cell(spec, WY[sub], WA[sub], w[sub], a.bootstrap, rng)
        report["units"][str(unit_codes[ui])] = r
    t_total = time.perf_counter() - t0

    js = json.dumps(report)
    if a.out:
        with open(a.out, "w") as f:
            f.write(js)
    else:
        print(js)
    if a.timing:
        print(f"respondents {len(w)} units {len(unit_codes)} | read {t_read:.3f}s "
              f"score {t_total - t_read:.3f}s total {t_total:.3f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
