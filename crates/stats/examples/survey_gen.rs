//! Synthetic survey data for the benchmark: a PAPI-shaped questionnaire (8 dimensions, 28
//! sub-dimensions as measured since 2021) and a response CSV.
//!
//! ```text
//! survey_gen --out DIR [--respondents 1000000] [--units 34] [--indicators 100]
//!            [--missing 0.05] [--seed 42]
//! ```
//! Writes `DIR/questionnaire.toml` and `DIR/responses.csv`. Respondents arrive in random unit
//! order (as a real export sorted by submission time), with 6 respondent groups, log-normal
//! weights, answers driven by a unit effect, and `missing` of the answers left empty. The last
//! unit never answers the indicators of `papi.d5.s4`, so one sub-dimension is undefined there.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chacha20::ChaCha8Rng;
use chacha20::rand_core::{Rng, SeedableRng};

/// Sub-dimensions per dimension since 2021 (5.2 construction permits dropped).
const PAPI_2021: [(u32, &[u32]); 8] = [
    (1, &[1, 2, 3, 4]),
    (2, &[1, 2, 3, 4]),
    (3, &[1, 2, 3]),
    (4, &[1, 2, 3, 4]),
    (5, &[1, 3, 4]),
    (6, &[1, 2, 3, 4]),
    (7, &[1, 2, 3]),
    (8, &[1, 2, 3]),
];

const GROUPS: [(&str, f64); 6] = [
    ("nguoi_dan", 0.50),
    ("doanh_nghiep", 0.15),
    ("can_bo_cong_chuc", 0.10),
    ("dai_bieu_hdnd", 0.05),
    ("to_chuc", 0.10),
    ("truong_thon", 0.10),
];

struct Gen(ChaCha8Rng);

impl Gen {
    fn uniform(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(1e-300);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
    fn pick(&mut self, cumulative: &[f64]) -> usize {
        let u = self.uniform() * cumulative.last().copied().unwrap_or(1.0);
        cumulative.partition_point(|&c| c <= u).min(cumulative.len() - 1)
    }
}

struct Args {
    out: PathBuf,
    respondents: usize,
    units: usize,
    indicators: usize,
    missing: f64,
    seed: u64,
}

fn bad(flag: &str, v: &str) -> String {
    format!("giá trị không hợp lệ cho {flag}: {v}")
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args { out: PathBuf::from("bench/out"), respondents: 1_000_000, units: 34, indicators: 100, missing: 0.05, seed: 42 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let v = it.next().ok_or(format!("thiếu giá trị cho {flag}"))?;
        match flag.as_str() {
            "--out" => a.out = PathBuf::from(&v),
            "--respondents" => a.respondents = v.parse().map_err(|_| bad(&flag, &v))?,
            "--units" => a.units = v.parse().map_err(|_| bad(&flag, &v))?,
            "--indicators" => a.indicators = v.parse().map_err(|_| bad(&flag, &v))?,
            "--missing" => a.missing = v.parse().map_err(|_| bad(&flag, &v))?,
            "--seed" => a.seed = v.parse().map_err(|_| bad(&flag, &v))?,
            _ => return Err(format!("tham số không rõ: {flag}")),
        }
    }
    if a.units == 0 || a.indicators == 0 {
        return Err("--units và --indicators phải dương".into());
    }
    Ok(a)
}

/// (min, max) of indicator j's scale.
fn scale(j: usize) -> (u32, u32) {
    match j % 4 {
        0 => (0, 1),
        1 => (1, 4),
        2 => (1, 5),
        _ => (0, 10),
    }
}

fn run(a: &Args) -> Result<(), String> {
    std::fs::create_dir_all(&a.out).map_err(|e| format!("{}: {e}", a.out.display()))?;
    let subs: Vec<String> = PAPI_2021.iter().flat_map(|(d, ss)| ss.iter().map(move |s| format!("papi.d{d}.s{s}"))).collect();
    // Questionnaire.
    let mut toml = String::from("framework = \"papi\"\ntitle = \"Khảo sát tổng hợp (dữ liệu giả lập)\"\n");
    let mut node_of = Vec::with_capacity(a.indicators);
    for j in 0..a.indicators {
        let node = &subs[j % subs.len()];
        node_of.push(node.clone());
        let (lo, hi) = scale(j);
        let direction = if j % 7 == 3 { -1 } else { 1 };
        let _ = write!(
            toml,
            "\n[[indicator]]\ncode = \"q{:03}\"\nnode = \"{node}\"\nmin = {lo}\nmax = {hi}\ndirection = {direction}\ntext = \"Câu hỏi số {}\"\ngroups = []\n",
            j + 1,
            j + 1
        );
        if hi - lo <= 4 {
            let opts: Vec<String> = (lo..=hi).map(|v| format!("{{ label = \"Mức {v}\", value = {v} }}")).collect();
            let _ = writeln!(toml, "options = [{}]", opts.join(", "));
        }
    }
    let qpath = a.out.join("questionnaire.toml");
    std::fs::write(&qpath, toml).map_err(|e| format!("{}: {e}", qpath.display()))?;

    // Responses.
    let mut g = Gen(ChaCha8Rng::seed_from_u64(a.seed));
    let mut unit_cum = Vec::with_capacity(a.units);
    let mut acc = 0.0;
    let mut effect = Vec::with_capacity(a.units);
    for _ in 0..a.units {
        acc += 0.4 + g.uniform();
        unit_cum.push(acc);
        effect.push(g.uniform() * 2.0 - 1.0);
    }
    let group_cum: Vec<f64> = GROUPS
        .iter()
        .scan(0.0, |s, (_, p)| {
            *s += p;
            Some(*s)
        })
        .collect();
    let difficulty: Vec<f64> = (0..a.indicators).map(|_| g.normal() * 0.7).collect();
    let skip_last: Vec<bool> = node_of.iter().map(|n| n == "papi.d5.s4").collect();
    let rpath = a.out.join("responses.csv");
    let file = std::fs::File::create(&rpath).map_err(|e| format!("{}: {e}", rpath.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let mut line = String::from("respondent_id,unit,group,weight");
    for j in 0..a.indicators {
        let _ = write!(line, ",q{:03}", j + 1);
    }
    line.push('\n');
    let mut buf: Vec<u8> = Vec::with_capacity(512);
    w.write_all(line.as_bytes()).map_err(|e| e.to_string())?;
    for r in 0..a.respondents {
        let u = g.pick(&unit_cum);
        let grp = g.pick(&group_cum);
        let weight = (g.normal() * 0.3).exp();
        buf.clear();
        let _ = write!(Cursor(&mut buf), "R{:07},U{:02},{},{:.6}", r + 1, u + 1, GROUPS[grp].0, weight);
        let person = g.normal() * 0.8;
        for j in 0..a.indicators {
            buf.push(b',');
            if g.uniform() < a.missing || (u + 1 == a.units && skip_last[j]) {
                continue;
            }
            let (lo, hi) = scale(j);
            let z = effect[u] * 0.6 + person - difficulty[j] + g.normal();
            let p = 1.0 / (1.0 + (-z).exp());
            let steps = f64::from(hi - lo);
            let v = lo + ((p * (steps + 1.0)).floor().min(steps) as u32);
            if v >= 10 {
                buf.push(b'0' + (v / 10) as u8);
            }
            buf.push(b'0' + (v % 10) as u8);
        }
        buf.push(b'\n');
        w.write_all(&buf).map_err(|e| e.to_string())?;
    }
    w.flush().map_err(|e| e.to_string())?;
    eprintln!(
        "đã ghi {} và {} ({} người trả lời, {} đơn vị, {} chỉ tiêu)",
        qpath.display(),
        rpath.display(),
        a.respondents,
        a.units,
        a.indicators
    );
    Ok(())
}

/// `fmt::Write` into a byte buffer.
struct Cursor<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Cursor<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

fn main() -> ExitCode {
    match parse_args().and_then(|a| run(&a)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lỗi: {e}");
            ExitCode::FAILURE
        }
    }
}
