//! `chiso plan …`: parse a plan document, import it under a unit, export a stored plan.

use crate::data::DataArgs;
use anyhow::{Context, Result, bail};
use chiso_app::App;
use chiso_app::plans::{self as uc, ExportFormat};
use chiso_core::access::Scope;
use chiso_core::framework::FrameworkSet;
use chiso_store::Store;
use clap::Subcommand;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Subcommand)]
pub enum PlanCmd {
    /// Read a plan (text, Markdown, DOCX; XLSX task table) and print what was found.
    Parse {
        file: PathBuf,
        /// Print JSON (the default prints a short summary).
        #[arg(long)]
        json: bool,
    },
    /// Parse a plan and store it under a unit: all of it or nothing.
    Import {
        file: PathBuf,
        /// Unit code of the issuing unit.
        #[arg(long)]
        unit: String,
        /// Year of the plan when the document shows none.
        #[arg(long)]
        year: Option<i32>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Show a stored plan (document number, e.g. 426/KH-UBND, or id) of a unit with its tasks and owners:
    /// confirmed owners, and the owners read from the document that still wait for confirmation.
    Show {
        plan: String,
        /// Unit code of the plan's unit.
        #[arg(long)]
        unit: String,
        /// Print JSON (the default prints a short table).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Export a stored plan (its id or document number, e.g. 426/KH-UBND) as DOCX, XLSX or PDF.
    Export {
        plan: String,
        #[arg(long, default_value = "docx")]
        format: String,
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
}

fn app(store: Store) -> Result<App> {
    let frameworks = FrameworkSet::builtin().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(crate::data::app(store, Arc::new(frameworks)))
}

fn read(file: &PathBuf) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(file).with_context(|| format!("không đọc được {}", file.display()))?;
    if meta.len() > chiso_docs::MAX_INPUT_BYTES {
        bail!("{}: tệp quá lớn ({} byte; tối đa {} byte)", file.display(), meta.len(), chiso_docs::MAX_INPUT_BYTES);
    }
    std::fs::read(file).with_context(|| format!("không đọc được {}", file.display()))
}

pub async fn run(cmd: PlanCmd) -> Result<()> {
    let scope = Scope::system("cli");
    match cmd {
        PlanCmd::Parse { file, json } => {
            let bytes = read(&file)?;
            let name = file.display().to_string();
            let parsed = chiso_docs::parse_plan(&bytes, &name).map_err(|e| anyhow::anyhow!("{e}"))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&parsed)?);
            } else {
                println!(
                    "{} {} — {}",
                    parsed.doc_type.as_deref().unwrap_or("?"),
                    parsed.number.as_deref().unwrap_or("(chưa có số)"),
                    parsed.title
                );
                println!(
                    "{} nhiệm vụ, {} phân công, {} thời hạn, {} nơi nhận",
                    parsed.tasks.len(),
                    parsed.assignments.len(),
                    parsed.deadlines.len(),
                    parsed.recipients.len()
                );
            }
        }
        PlanCmd::Import { file, unit, year, data } => {
            let bytes = read(&file)?;
            let app = app(data.open().await?)?;
            let store = &app.store;
            let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| file.display().to_string());
            let plan = uc::import_document(&app, &scope, &unit, &bytes, &name, year)
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let tasks = store.tasks(&scope, plan.id).await?;
            println!(
                "Đã nhập kế hoạch #{} {} — {} ({} nhiệm vụ) vào đơn vị {unit}.",
                plan.id,
                plan.number.as_deref().unwrap_or("(chưa có số)"),
                plan.title,
                tasks.len()
            );
            store.close().await;
        }
        PlanCmd::Show { plan, unit, json, data } => {
            let app = app(data.open().await?)?;
            let store = &app.store;
            let u = store.unit_by_code(&scope, &unit).await?;
            let found: Vec<_> = match plan.parse::<i64>() {
                Ok(id) => vec![store.plan(&scope, id).await?],
                Err(_) => store.plans_by_number(&scope, &plan).await?,
            };
            let Some(p) = found.into_iter().find(|p| p.unit_id == u.id) else {
                bail!("đơn vị {unit} không có kế hoạch '{plan}'");
            };
            let tasks = store.tasks(&scope, p.id).await?;
            if json {
                let tasks: Vec<serde_json::Value> = tasks
                    .iter()
                    .map(|t| {
                        let confirmed = t.has_confirmed_lead();
                        serde_json::json!({
                            "code": t.row.code,
                            "text": t.row.text,
                            "source": t.row.source,
                            "lead": t.row.lead_agency,
                            "lead_agency_id": t.row.lead_agency_id,
                            "coordinators": t.coordinating_agencies,
                            "owners_confirmed": !t.row.lead_proposed,
                            "confirmed_lead": if confirmed { t.row.lead_agency.clone() } else { None },
                            "evidence": t.row.lead_evidence,
                            "confidence": t.row.lead_confidence,
                            "due": t.row.due_date,
                            "due_text": t.row.due_text,
                            "recurrence": t.row.recurrence,
                            "result": t.row.expected_result,
                            "nodes": t.nodes,
                            "notes": t.notes(),
                            "status": t.row.status,
                        })
                    })
                    .collect();
                let out = serde_json::json!({
                    "id": p.id,
                    "unit": unit,
                    "number": p.number,
                    "title": p.title,
                    "year": p.year,
                    "status": p.status,
                    "issued_on": p.issued_on,
                    "tasks": tasks,
                });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                println!("#{} {} — {} ({} nhiệm vụ)", p.id, p.number.as_deref().unwrap_or("(chưa có số)"), p.title, tasks.len());
                for t in &tasks {
                    let owner = match (&t.row.lead_agency, t.row.lead_proposed) {
                        (Some(l), false) => l.clone(),
                        (Some(l), true) => format!("{l} (đề xuất, chưa xác nhận)"),
                        (None, _) => "—".to_string(),
                    };
                    println!("{:<10} {:<50} {}", t.row.code, owner, t.row.text.chars().take(60).collect::<String>());
                }
            }
            store.close().await;
        }
        PlanCmd::Export { plan, format, output, data } => {
            let app = app(data.open().await?)?;
            let store = &app.store;
            let id = match plan.parse::<i64>() {
                Ok(id) => id,
                Err(_) => {
                    let found = store.plans_by_number(&scope, &plan).await?;
                    match found.as_slice() {
                        [p] => p.id,
                        [] => bail!("không có kế hoạch số '{plan}'"),
                        many => bail!(
                            "có {} kế hoạch số '{plan}' (ở các đơn vị khác nhau); hãy dùng mã: {}",
                            many.len(),
                            many.iter().map(|p| p.id.to_string()).collect::<Vec<_>>().join(", ")
                        ),
                    }
                }
            };
            let format = ExportFormat::parse(&format)?;
            let exported = uc::export_plan(&app, &scope, id, format).await?;
            std::fs::write(&output, exported.bytes).with_context(|| format!("không ghi được {}", output.display()))?;
            println!("Đã xuất kế hoạch #{id} ra {}.", output.display());
            store.close().await;
        }
    }
    Ok(())
}
