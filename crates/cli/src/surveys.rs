//! `chiso survey …`: score a questionnaire and a response file with the estimation engine (no database),
//! and work with stored surveys: create, import responses, estimate, export the questionnaire, make
//! synthetic responses.

use crate::data::DataArgs;
use anyhow::{Context, Result};
use chiso_app::surveys::{self, EstimateOptions, QuestionnaireInput, SurveyRequest};
use chiso_core::access::Scope;
use chiso_stats::Report;
use clap::Subcommand;
use std::path::PathBuf;
use std::sync::Arc;

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

/// Write to stdout; a closed pipe (`chiso survey score … | head`) ends the output quietly instead of
/// panicking.
fn emit(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// "5,87 (5,61–6,10)", "5,87", or "—" when undefined.
fn with_interval(v: Option<f64>, ci: Option<[f64; 2]>) -> String {
    use chiso_core::text::vn_number;
    match (v, ci) {
        (Some(v), Some([lo, hi])) => format!("{} ({}–{})", vn_number(v, 2), vn_number(lo, 2), vn_number(hi, 2)),
        (Some(v), None) => vn_number(v, 2),
        _ => "—".into(),
    }
}

/// A short table of a report: per unit its size, total with its interval, and warnings.
fn print_table(report: &Report) -> Result<()> {
    let mut t = format!("{:<12} {:>7} {:>26}\n", "đơn vị", "n", "tổng (KTC 95%)");
    for (code, u) in &report.units.0 {
        t.push_str(&format!("{:<12} {:>7} {:>26}\n", code, u.n, with_interval(u.estimate.total, u.ci95.as_ref().and_then(|c| c.total))));
        for (d, v) in &u.estimate.dimensions.0 {
            let ci = u.ci95.as_ref().and_then(|c| c.dimensions.get(d).copied().flatten());
            t.push_str(&format!("  {:<18} {:>26}\n", d, with_interval(*v, ci)));
        }
    }
    emit(&t)?;
    for w in report.all_warnings() {
        eprintln!("Lưu ý: {w}");
    }
    Ok(())
}

pub async fn run(cmd: SurveyCmd) -> Result<()> {
    let scope = Scope::system("cli");
    match cmd {
        SurveyCmd::Score { questionnaire, responses, by_group, bootstrap, seed, year, json, frameworks_dir } => {
            let frameworks = crate::load_frameworks(frameworks_dir.as_deref())?;
            let opts = EstimateOptions { bootstrap, seed, by_group };
            let report = surveys::score_files(&frameworks, &questionnaire, &responses, year, opts).map_err(|e| anyhow::anyhow!("{e}"))?;
            if json {
                emit(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
            } else {
                print_table(&report)?;
            }
        }
        SurveyCmd::Create { unit, year, questionnaire, title, groups, data } => {
            let q = surveys::read_questionnaire(&questionnaire).map_err(|e| anyhow::anyhow!("{e}"))?;
            let title = title.or_else(|| q.title.clone()).unwrap_or_else(|| format!("Khảo sát {} năm {year}", q.framework));
            let questions = q.indicators.len();
            let app = open_app(&data).await?;
            let request = SurveyRequest {
                unit_code: unit,
                year,
                title: Some(title),
                extra_groups: groups,
                questionnaire: Some(QuestionnaireInput::Read { name: questionnaire.display().to_string(), questionnaire: q }),
                draft: false,
            };
            let s = surveys::create_survey(&app, &scope, request).await?;
            println!("Đã tạo khảo sát #{} \"{}\" của {} ({questions} câu hỏi).", s.id, s.title, s.unit_name);
            app.store.close().await;
        }
        SurveyCmd::Import { survey, file, data } => {
            let bytes = std::fs::read(&file).with_context(|| format!("không đọc được {}", file.display()))?;
            let app = open_app(&data).await?;
            let name = file.display().to_string();
            let done =
                surveys::import_file(&app, &scope, survey, bytes, &name).await.map_err(|e| anyhow::anyhow!("không nhập dòng nào: {e}"))?;
            println!("Đã nhập {} câu trả lời vào khảo sát #{survey} từ {name}.", done.summary.rows);
            for (unit, n) in &done.summary.by_unit {
                println!("  {unit}: {n}");
            }
            for w in done.warnings {
                eprintln!("Lưu ý: {w}");
            }
            app.store.close().await;
        }
        SurveyCmd::Estimate { survey, bootstrap, seed, by_group, json, data } => {
            let app = open_app(&data).await?;
            let e = surveys::compute_estimates(&app, &scope, survey, EstimateOptions { bootstrap, seed, by_group })
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let report: Report = serde_json::from_str(&e.report)?;
            if json {
                emit(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
            } else {
                emit(&format!(
                    "Ước lượng #{} của khảo sát #{survey}: {} câu trả lời, B = {}, seed = {}.\n",
                    e.id, e.responses, e.bootstrap, e.seed
                ))?;
                print_table(&report)?;
            }
            app.store.close().await;
        }
        SurveyCmd::Questionnaire { survey, data } => {
            let app = open_app(&data).await?;
            let q = app.store.survey_questionnaire(&scope, survey).await?;
            emit(&q.to_toml_string().map_err(|e| anyhow::anyhow!("{e}"))?)?;
            app.store.close().await;
        }
        SurveyCmd::Sample { questionnaire, units, groups, n, seed, prefix, output } => {
            let q = surveys::read_questionnaire(&questionnaire).map_err(|e| anyhow::anyhow!("{e}"))?;
            let groups = if groups.is_empty() { surveys::questionnaire_groups(&q) } else { groups };
            let csv = surveys::synthetic_responses_csv(&q, &units, &groups, n, seed, &prefix);
            match output {
                Some(p) => std::fs::write(&p, csv).with_context(|| format!("không ghi được {}", p.display()))?,
                None => emit(&csv)?,
            }
        }
    }
    Ok(())
}

/// The use cases over the store of `data`, with the shipped frameworks.
async fn open_app(data: &DataArgs) -> Result<chiso_app::App> {
    let frameworks = Arc::new(crate::load_frameworks(None)?);
    Ok(crate::data::app(data.open().await?, frameworks))
}

/// The demo survey (see [`chiso_app::surveys::load_demo`]). Idempotent.
pub async fn load_demo(store: &chiso_store::Store) -> Result<String> {
    let app = crate::data::app(store.clone(), Arc::new(crate::load_frameworks(None)?));
    surveys::load_demo(&app).await.map_err(|e| anyhow::anyhow!("{e}"))
}
