//! `chiso report status`: reports expected, submitted, on time, late and missing, and task counts by status
//! and dimension, for a unit and each of its children, in a period.

use crate::data::DataArgs;
use anyhow::Result;
use chiso_core::access::Scope;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum ReportCmd {
    /// Reporting status of a unit and its children for a period (e.g. 2022-H1, 2022-Q3, 2022-Y).
    Status {
        #[arg(long)]
        unit: String,
        #[arg(long)]
        period: String,
        /// The day to judge on (default: today, Vietnam time, or --today).
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
}

pub async fn run(cmd: ReportCmd) -> Result<()> {
    let scope = Scope::system("cli");
    match cmd {
        ReportCmd::Status { unit, period, as_of, json, data } => {
            let as_of = match as_of {
                Some(s) => Some(chiso_core::unit::parse_date(&s).ok_or_else(|| anyhow::anyhow!("ngày '{s}' không hợp lệ (YYYY-MM-DD)"))?),
                None => None,
            };
            let store = data.open().await?;
            let frameworks = chiso_core::framework::FrameworkSet::builtin().map_err(|e| anyhow::anyhow!("{e}"))?;
            let app = crate::data::app(store.clone(), std::sync::Arc::new(frameworks));
            let status = app.reports().status(&scope, &unit, &period, as_of).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&status)?);
            } else {
                println!(
                    "{} — {} (chốt số liệu {})",
                    status.unit.name,
                    status.period_label,
                    status.window.map(|w| w.label_vi()).unwrap_or_default()
                );
                let r = &status.unit.reports;
                println!(
                    "Báo cáo: phải nhận {}, đã nhận {}, đúng hạn {}, muộn {}, chưa gửi {}",
                    r.expected, r.submitted, r.on_time, r.late, r.missing
                );
                for c in &status.children {
                    let s = c.own_report.as_ref().map(|o| o.submission.label_vi()).unwrap_or("—");
                    println!("  {:<40} {:<14} nhiệm vụ: {}", c.name, s, c.tasks.by_status.total());
                }
            }
            store.close().await;
        }
    }
    Ok(())
}
