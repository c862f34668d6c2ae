//! `chiso survey …`: score a questionnaire and a response file with the estimation engine (no database),
//! and work with stored surveys: create, import responses, estimate, export the questionnaire, make
//! synthetic responses.

use crate::data::DataArgs;
use anyhow::{Context, Result, bail};
use chiso_core::access::Scope;
use chiso_stats::{Questionnaire, Report, Responses, ScoreOptions};
use chiso_store::surveys::NewSurvey;
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum SurveyCmd {
    /// Estimate from a questionnaire (TOML) and responses (CSV, or XLSX): per unit (and group) the indicator
    /// means, sub-dimension, dimension and total scores, with bootstrap 95% intervals. The dimensions are
    /// those of the questionnaire's framework (for --year, else its latest methodology) when it is a known
    /// framework.
    Score {
        #[arg(long)]
        questionnaire: PathBuf,
        #[arg(long)]
        responses: PathBuf,
        /// Also estimate within each respondent group of each unit.
        #[arg(long)]
        by_group: bool,
        /// Bootstrap replicates B (0: no intervals).
        #[arg(long, default_value_t = 1000)]
        bootstrap: usize,
        /// Seed of the bootstrap: the same seed gives the same intervals on any machine.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Framework year whose dimensions are used.
        #[arg(long)]
        year: Option<i32>,
        /// Print the engine's JSON report (the default prints a table).
        #[arg(long)]
        json: bool,
        /// Extra framework files (*.toml) to load beside the shipped ones.
        #[arg(long)]
        frameworks_dir: Option<PathBuf>,
    },
    /// Create a survey of a unit from a questionnaire (TOML).
    Create {
        #[arg(long)]
        unit: String,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        questionnaire: PathBuf,
        /// Title (default: the questionnaire's title).
        #[arg(long)]
        title: Option<String>,
        /// Respondent groups besides those the questionnaire names, comma separated.
        #[arg(long, value_delimiter = ',')]
        groups: Vec<String>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Import responses (CSV or XLSX) into a stored survey: every row or none.
    Import {
        #[arg(long)]
        survey: i64,
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Estimate a stored survey and store the report; prints it with --json.
    Estimate {
        #[arg(long)]
        survey: i64,
        #[arg(long, default_value_t = 1000)]
        bootstrap: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        by_group: bool,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Print a stored survey's questionnaire as TOML.
    Questionnaire {
        #[arg(long)]
        survey: i64,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Write synthetic responses to a questionnaire as CSV (for trying the system), reproducibly.
    Sample {
        #[arg(long)]
        questionnaire: PathBuf,
        /// Unit codes, comma separated.
        #[arg(long, value_delimiter = ',', required = true)]
        units: Vec<String>,
        /// Respondent groups, comma separated (default: the questionnaire's groups).
        #[arg(long, value_delimiter = ',')]
        groups: Vec<String>,
        #[arg(long, default_value_t = 1000)]
        n: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Prefix of the respondent ids.
        #[arg(long, default_value = "R")]
        prefix: String,
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

fn read_questionnaire(path: &Path) -> Result<Questionnaire> {
    Questionnaire::from_path(path).map_err(|e| anyhow::anyhow!("{e}"))
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("không đọc được {}", path.display()))
}

/// Responses from a CSV (streamed by the engine) or the first sheet of an XLSX file. There is no database
/// here, so any unit code is accepted.
fn read_responses(q: &Questionnaire, path: &Path) -> Result<Responses> {
    let name = path.display().to_string();
    if !name.to_lowercase().ends_with(".xlsx") {
        return Responses::from_csv_path(q, path, None).map_err(|e| anyhow::anyhow!("{e}"));
    }
    let bytes = std::fs::read(path).with_context(|| format!("không đọc được {name}"))?;
    let mut builder: Option<chiso_stats::ResponsesBuilder<'_>> = None;
    chiso_web::surveys::for_each_row(&bytes, &name, |line, fields| {
        match builder.as_mut() {
            None => builder = Some(Responses::builder(q, fields, None)?),
            Some(b) => b.push_row_at(line, fields)?,
        }
        Ok(())
    })
    .map_err(|e| anyhow::anyhow!("{}", e.message(&name)))?;
    let builder = builder.with_context(|| format!("{name}: tệp trống, không có dòng tiêu đề"))?;
    builder.finish().map_err(|e| anyhow::anyhow!("{name}: {e}"))
}

/// A short table of a report: per unit its size, total with its interval, and warnings.
fn print_table(report: &Report) {
    use chiso_web::surveys::with_interval;
    println!("{:<12} {:>7} {:>26}", "đơn vị", "n", "tổng (KTC 95%)");
    for (code, u) in &report.units.0 {
        println!("{:<12} {:>7} {:>26}", code, u.n, with_interval(u.estimate.total, u.ci95.as_ref().and_then(|c| c.total)));
        for (d, v) in &u.estimate.dimensions.0 {
            let ci = u.ci95.as_ref().and_then(|c| c.dimensions.get(d).copied().flatten());
            println!("  {:<18} {:>26}", d, with_interval(*v, ci));
        }
    }
    for w in report.all_warnings() {
        eprintln!("Lưu ý: {w}");
    }
}

pub async fn run(cmd: SurveyCmd) -> Result<()> {
    let scope = Scope::system("cli");
    match cmd {
        SurveyCmd::Score { questionnaire, responses, by_group, bootstrap, seed, year, json, frameworks_dir } => {
            let frameworks = crate::load_frameworks(frameworks_dir.as_deref())?;
            let q = read_questionnaire(&questionnaire)?;
            let structure = chiso_web::surveys::structure_for(&frameworks, &q, year).map_err(|e| anyhow::anyhow!("{e}"))?;
            let r = read_responses(&q, &responses)?;
            let opts = ScoreOptions { bootstrap, seed, by_group, small_sample: chiso_web::surveys::SMALL_SAMPLE };
            let report = chiso_stats::score(&q, &r, &structure, &opts).map_err(|e| anyhow::anyhow!("{e}"))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print_table(&report);
            }
        }
        SurveyCmd::Create { unit, year, questionnaire, title, groups, data } => {
            let frameworks = crate::load_frameworks(None)?;
            let q = read_questionnaire(&questionnaire)?;
            let Some(fw) = frameworks.get(&q.framework) else {
                bail!("{}: bộ chỉ số \"{}\" chưa có trong hệ thống", questionnaire.display(), q.framework);
            };
            let title = title.or_else(|| q.title.clone()).unwrap_or_else(|| format!("Khảo sát {} năm {year}", fw.code));
            let store = data.open().await?;
            let s = store
                .create_survey(&scope, &NewSurvey { unit_code: &unit, year, title: &title, questionnaire: &q, framework: fw, extra_groups: &groups })
                .await?;
            println!("Đã tạo khảo sát #{} \"{}\" của {} ({} câu hỏi).", s.id, s.title, s.unit_name, q.indicators.len());
            store.close().await;
        }
        SurveyCmd::Import { survey, file, data } => {
            let bytes = read_file(&file)?;
            let store = data.open().await?;
            let name = file.display().to_string();
            let (summary, warnings) =
                chiso_web::surveys::import_file(&store, &scope, survey, bytes, &name).await.map_err(|e| anyhow::anyhow!("không nhập dòng nào: {e}"))?;
            println!("Đã nhập {} câu trả lời vào khảo sát #{survey} từ {name}.", summary.rows);
            for (unit, n) in &summary.by_unit {
                println!("  {unit}: {n}");
            }
            for w in warnings {
                eprintln!("Lưu ý: {w}");
            }
            store.close().await;
        }
        SurveyCmd::Estimate { survey, bootstrap, seed, by_group, json, data } => {
            let frameworks = crate::load_frameworks(None)?;
            let store = data.open().await?;
            let e = chiso_web::surveys::compute_estimates(&store, &scope, &frameworks, survey, bootstrap, seed, by_group)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let report: Report = serde_json::from_str(&e.report)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!("Ước lượng #{} của khảo sát #{survey}: {} câu trả lời, B = {}, seed = {}.", e.id, e.responses, e.bootstrap, e.seed);
                print_table(&report);
            }
            store.close().await;
        }
        SurveyCmd::Questionnaire { survey, data } => {
            let store = data.open().await?;
            let q = store.survey_questionnaire(&scope, survey).await?;
            print!("{}", q.to_toml_string().map_err(|e| anyhow::anyhow!("{e}"))?);
            store.close().await;
        }
        SurveyCmd::Sample { questionnaire, units, groups, n, seed, prefix, output } => {
            let q = read_questionnaire(&questionnaire)?;
            let groups = if groups.is_empty() {
                let mut g: Vec<String> = Vec::new();
                for x in q.indicators.iter().flat_map(|i| i.groups.iter()) {
                    if !g.contains(x) {
                        g.push(x.clone());
                    }
                }
                g
            } else {
                groups
            };
            let csv = chiso_web::surveys::synthetic_responses_csv(&q, &units, &groups, n, seed, &prefix);
            match output {
                Some(p) => std::fs::write(&p, csv).with_context(|| format!("không ghi được {}", p.display()))?,
                None => print!("{csv}"),
            }
        }
    }
    Ok(())
}
