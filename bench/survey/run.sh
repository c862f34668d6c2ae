#!/usr/bin/env bash
# Survey engine benchmark (issue 6): the Rust engine (`survey_score`, the same code as
# `chiso survey score`) against a vectorised NumPy implementation of the same spec, end to end
# (reading the CSV included), on the same generated files.
#
#   bench/survey/run.sh                    # 1,000,000 respondents, 34 units, 100 indicators, B = 200
#   N=100000 B=200 RUNS=3 bench/survey/run.sh
#
# Environment: N respondents, UNITS, B bootstrap replicates, SEED, RUNS (each program is run
# RUNS times and its fastest run is reported), REGEN=1 to regenerate the data, SKIP_NUMPY=1.
# Data and reports go to bench/out/ (git-ignored). Needs /usr/bin/time (Debian package `time`)
# and numpy (`pip install numpy`); both are installed when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${N:-1000000}
UNITS=${UNITS:-34}
B=${B:-200}
SEED=${SEED:-1}
RUNS=${RUNS:-1}
OUT=bench/out
mkdir -p "$OUT"

if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time…" >&2
    apt-get install -y time >/dev/null
fi
if ! python3 -c 'import numpy' 2>/dev/null; then
    echo "installing numpy…" >&2
    python3 -m pip install --quiet numpy
fi

cargo build --release -p chiso-stats --examples

params="respondents=$N units=$UNITS indicators=100 missing=0.05"
if [ "${REGEN:-0}" = 1 ] || [ ! -f "$OUT/responses.csv" ] || [ "$(cat "$OUT/params.txt" 2>/dev/null)" != "$params" ]; then
    target/release/examples/survey_gen --out "$OUT" --respondents "$N" --units "$UNITS"
    echo "$params" > "$OUT/params.txt"
fi
ls -l "$OUT/responses.csv"

# Run a command RUNS times under /usr/bin/time -v; keep the fastest run's figures.
measure() {
    local name=$1
    shift
    local best=""
    for i in $(seq "$RUNS"); do
        /usr/bin/time -v "$@" 2> "$OUT/$name.time.$i" >/dev/null || {
            cat "$OUT/$name.time.$i" >&2
            exit 1
        }
        local wall
        wall=$(python3 - "$OUT/$name.time.$i" <<'EOF'
import sys
for line in open(sys.argv[1]):
    if "Elapsed (wall clock)" in line:
        t = line.rsplit(" ", 1)[1].strip().split(":")
        print(sum(float(x) * 60 ** i for i, x in enumerate(reversed(t))))
EOF
)
        if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $wall < $best else 1)"; then
            best=$wall
            cp "$OUT/$name.time.$i" "$OUT/$name.time"
        fi
        rm -f "$OUT/$name.time.$i"
    done
}

common=(--questionnaire "$OUT/questionnaire.toml" --responses "$OUT/responses.csv" --bootstrap "$B" --seed "$SEED")
measure rust target/release/examples/survey_score "${common[@]}" --out "$OUT/rust.json" --timing
if [ "${SKIP_NUMPY:-0}" != 1 ]; then
    measure numpy python3 bench/survey/numpy_score.py "${common[@]}" --out "$OUT/numpy.json" --timing
fi

python3 - "$OUT" "$N" "$UNITS" "$B" <<'EOF'
import os, sys
out, n, units, b = sys.argv[1:]
def figures(name):
    path = os.path.join(out, name + ".time")
    if not os.path.exists(path):
        return None
    f = {}
    for line in open(path):
        line = line.strip()
        if line.startswith("Elapsed (wall clock)"):
            t = line.rsplit(" ", 1)[1].split(":")
            f["wall"] = sum(float(x) * 60 ** i for i, x in enumerate(reversed(t)))
        elif line.startswith("Maximum resident set size"):
            f["rss"] = int(line.rsplit(" ", 1)[1]) / 1024
        elif line.startswith("User time"):
            f["user"] = float(line.rsplit(" ", 1)[1])
        elif line.startswith("System time"):
            f["sys"] = float(line.rsplit(" ", 1)[1])
        elif line.startswith("Percent of CPU"):
            f["cpu"] = line.rsplit(" ", 1)[1]
        elif line.startswith("respondents"):
            f["phases"] = line
    return f
r, p = figures("rust"), figures("numpy")
print(f"\n{n} respondents, {units} units, 100 indicators, B = {b}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
print(f"{'':8} {'wall s':>8} {'user s':>8} {'sys s':>7} {'CPU':>6} {'peak RSS MB':>12}")
for name, f in (("rust", r), ("numpy", p)):
    if f:
        print(f"{name:8} {f['wall']:8.2f} {f['user']:8.2f} {f['sys']:7.2f} {f['cpu']:>6} {f['rss']:12.0f}")
        if "phases" in f:
            print(f"{'':8} {f['phases']}")
if r and p:
    print(f"speed-up (wall): {p['wall'] / r['wall']:.1f}x; memory: {p['rss'] / r['rss']:.1f}x less")
EOF

if [ "${SKIP_NUMPY:-0}" != 1 ]; then
    python3 bench/survey/compare.py "$OUT/rust.json" "$OUT/numpy.json"
fi
