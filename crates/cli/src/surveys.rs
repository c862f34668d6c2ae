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

/// A short table of a report: per unit its size, total with its interval, and warnings.
fn print_table(report: &Report) -> Result<()> {
    use chiso_web::surveys::with_interval;
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
            let q = read_questionnaire(&questionnaire)?;
            let structure = chiso_web::surveys::structure_for(&frameworks, &q, year).map_err(|e| anyhow::anyhow!("{e}"))?;
            let r = read_responses(&q, &responses)?;
            let opts = ScoreOptions { bootstrap, seed, by_group, small_sample: chiso_web::surveys::SMALL_SAMPLE };
            let report = chiso_stats::score(&q, &r, &structure, &opts).map_err(|e| anyhow::anyhow!("{e}"))?;
            if json {
                emit(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
            } else {
                print_table(&report)?;
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
                .create_survey(
                    &scope,
                    &NewSurvey { unit_code: &unit, year, title: &title, questionnaire: &q, framework: fw, extra_groups: &groups },
                )
                .await?;
            println!("Đã tạo khảo sát #{} \"{}\" của {} ({} câu hỏi).", s.id, s.title, s.unit_name, q.indicators.len());
            store.close().await;
        }
        SurveyCmd::Import { survey, file, data } => {
            let bytes = read_file(&file)?;
            let store = data.open().await?;
            let name = file.display().to_string();
            let (summary, warnings) = chiso_web::surveys::import_file(&store, &scope, survey, bytes, &name)
                .await
                .map_err(|e| anyhow::anyhow!("không nhập dòng nào: {e}"))?;
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
                emit(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
            } else {
                emit(&format!(
                    "Ước lượng #{} của khảo sát #{survey}: {} câu trả lời, B = {}, seed = {}.\n",
                    e.id, e.responses, e.bootstrap, e.seed
                ))?;
                print_table(&report)?;
            }
            store.close().await;
        }
        SurveyCmd::Questionnaire { survey, data } => {
            let store = data.open().await?;
            let q = store.survey_questionnaire(&scope, survey).await?;
            emit(&q.to_toml_string().map_err(|e| anyhow::anyhow!("{e}"))?)?;
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
                None => emit(&csv)?,
            }
        }
    }
    Ok(())
}

/// Title of the demo survey (also how the loader recognises it, so loading twice adds nothing).
const DEMO_TITLE: &str = "Khảo sát ý kiến người dân xã Chiềng Sơn năm 2024 (dữ liệu mẫu)";

/// The demo survey: Xã Chiềng Sơn (Mộc Châu) asks its citizens and businesses the sample questionnaire;
/// 320 synthetic responses (generated deterministically), a few unused invitations, and estimates with
/// B = 500, seed = 1. Idempotent.
pub async fn load_demo(store: &chiso_store::Store) -> Result<String> {
    let sys = Scope::system("demo");
    let commune = "123.03";
    let existing =
        store.surveys(&sys, &chiso_store::surveys::SurveyFilter { unit_code: Some(commune.into()), ..Default::default() }).await?;
    if existing.iter().any(|s| s.survey.title == DEMO_TITLE) {
        return Ok(String::new());
    }
    let frameworks = crate::load_frameworks(None)?;
    let q = Questionnaire::from_toml_str(chiso_web::surveys::SAMPLE_QUESTIONNAIRE).map_err(|e| anyhow::anyhow!("{e}"))?;
    let fw = frameworks.get(&q.framework).context("bộ chỉ số của bảng hỏi mẫu")?;
    let groups = vec!["nguoi_dan".to_string(), "doanh_nghiep".to_string()];
    let s = store
        .create_survey(
            &sys,
            &NewSurvey { unit_code: commune, year: 2024, title: DEMO_TITLE, questionnaire: &q, framework: fw, extra_groups: &groups },
        )
        .await?;
    let csv = chiso_web::surveys::synthetic_responses_csv(&q, &[commune.to_string()], &groups, 320, 2024, "CS24-");
    chiso_web::surveys::import_file(store, &sys, s.id, csv.into_bytes(), "chieng-son-2024-mau.csv")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store.create_invitations(&sys, s.id, commune, Some("nguoi_dan"), 5).await?;
    chiso_web::surveys::compute_estimates(store, &sys, &frameworks, s.id, 500, 1, true).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(format!("Khảo sát mẫu #{} của Xã Chiềng Sơn: 320 câu trả lời, 5 phiếu mời, đã tính ước lượng.", s.id))
}
