//! `survey_score`: the survey engine as a command, for the benchmark (the product command is
//! `chiso survey score`, which calls the same `chiso_stats::score_files`).
//!
//! ```text
//! survey_score --questionnaire Q.toml --responses R.csv [--by-group] [--bootstrap B]
//!              [--seed S] [--threads N] [--out report.json] [--timing]
//! ```

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chiso_stats::{Questionnaire, Responses, ScoreOptions, Structure, score};

struct Args {
    questionnaire: PathBuf,
    responses: PathBuf,
    out: Option<PathBuf>,
    threads: Option<usize>,
    timing: bool,
    repeat: usize,
    opts: ScoreOptions,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let (mut q, mut r, mut out, mut threads, mut timing) = (None, None, None, None, false);
    let mut repeat = 1;
    let mut opts = ScoreOptions::default();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("thiếu giá trị cho {name}"));
        match a.as_str() {
            "--questionnaire" => q = Some(PathBuf::from(value("--questionnaire")?)),
            "--responses" => r = Some(PathBuf::from(value("--responses")?)),
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--bootstrap" => opts.bootstrap = value("--bootstrap")?.parse().map_err(|_| "--bootstrap cần một số nguyên".to_string())?,
            "--seed" => opts.seed = value("--seed")?.parse().map_err(|_| "--seed cần một số nguyên".to_string())?,
            "--threads" => threads = Some(value("--threads")?.parse().map_err(|_| "--threads cần một số nguyên".to_string())?),
            "--repeat" => repeat = value("--repeat")?.parse().map_err(|_| "--repeat cần một số nguyên".to_string())?,
            "--by-group" => opts.by_group = true,
            "--json" => {}
            "--timing" => timing = true,
            other => return Err(format!("tham số không rõ: {other}")),
        }
    }
    Ok(Args {
        questionnaire: q.ok_or("thiếu --questionnaire")?,
        responses: r.ok_or("thiếu --responses")?,
        out,
        threads,
        timing,
        repeat,
        opts,
    })
}

fn run(args: &Args) -> Result<(), String> {
    let t0 = Instant::now();
    let q = Questionnaire::from_path(&args.questionnaire).map_err(|e| e.to_string())?;
    let r = Responses::from_csv_path(&q, &args.responses, None).map_err(|e| e.to_string())?;
    let t_read = t0.elapsed();
    let s = Structure::from_node_codes(&q);
    // --repeat: score several times and keep the fastest run (benchmarking on a busy machine).
    let mut best = None;
    let mut best_cpu = f64::INFINITY;
    let mut report = None;
    for _ in 0..args.repeat.max(1) {
        let t1 = Instant::now();
        let c1 = cpu_seconds();
        report = Some(score(&q, &r, &s, &args.opts).map_err(|e| e.to_string())?);
        let el = t1.elapsed();
        best_cpu = best_cpu.min(cpu_seconds() - c1);
        best = Some(best.map_or(el, |b: std::time::Duration| b.min(el)));
    }
    if args.repeat > 1 {
        eprintln!("scoring: fastest of {} runs {:.3}s wall, least CPU {best_cpu:.2}s", args.repeat, best.map_or(0.0, |b| b.as_secs_f64()));
    }
    let (Some(report), Some(t_score)) = (report, best) else {
        return Err("không có kết quả".into());
    };
    let json = serde_json::to_string(&report).map_err(|e| e.to_string())?;
    match &args.out {
        Some(p) => std::fs::write(p, json).map_err(|e| format!("{}: {e}", p.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{json}").map_err(|e| e.to_string())?;
        }
    }
    if args.timing {
        eprintln!(
            "respondents {} units {} | read {:.3}s score {:.3}s total {:.3}s",
            r.len(),
            r.unit_codes().len(),
            t_read.as_secs_f64(),
            t_score.as_secs_f64(),
            t0.elapsed().as_secs_f64()
        );
    }
    for w in report.all_warnings() {
        eprintln!("cảnh báo: {w}");
    }
    Ok(())
}

/// CPU time of this process so far (Linux; 0 elsewhere), to benchmark on a busy machine.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("lỗi: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match args.threads {
        Some(n) => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
            Ok(pool) => pool.install(|| run(&args)),
            Err(e) => Err(e.to_string()),
        },
        None => run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lỗi: {e}");
            ExitCode::FAILURE
        }
    }
}
