//! `chiso units …`: import and export the unit tree, merge units, apply a reform (the 2025 one), and tell
//! what a code is or was and where a closed unit went.

use crate::data::DataArgs;
use anyhow::{Context, Result, bail};
use chiso_core::access::Scope;
use chiso_store::units::{Related, WhereIs};
use clap::Subcommand;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Subcommand)]
pub enum UnitsCmd {
    /// Import a unit tree from CSV (code,name,level,parent_code,valid_from,valid_to): all rows or none, in one
    /// transaction. An empty valid_from means "since ever" (stored as 0001-01-01). A code may appear again
    /// with another validity (codes are reused across reforms).
    Import {
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Export the unit tree as CSV (to stdout or -o FILE).
    Export {
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Merge units: close FROM units the day before DATE and make INTO their successor.
    Merge {
        #[arg(long, value_delimiter = ',', required = true)]
        from: Vec<String>,
        #[arg(long)]
        into: String,
        #[arg(long)]
        date: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Apply a reform: create the units of --units (in force from --date), link them to the old units of the
    /// --mapping (level,old_code,new_code,share,note) and close the old units the day before, with history.
    /// One transaction, audited; rerunning it changes nothing. Moves no accounts, plans or children.
    Reform {
        #[arg(long)]
        mapping: PathBuf,
        #[arg(long)]
        units: PathBuf,
        #[arg(long)]
        date: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Move a closed unit's accounts to its successor and make its history (plans, reports) the
    /// successor's: --from CODE@DATE (the unit that had CODE on DATE, closed since), --to CODE (one of its
    /// recorded successors, in force the day after; for a divided unit, pick one). One transaction,
    /// audited; rerunning it changes nothing. With --all instead: every closed unit with exactly one
    /// successor, all in one transaction (the others are listed for a person to decide).
    Move {
        #[arg(long, required_unless_present = "all", requires = "to")]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long, conflicts_with_all = ["from", "to"])]
        all: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// What a code is or was (every unit that had it, or the one in force --on DATE), where it came from and
    /// where a closed unit went.
    Where {
        code: String,
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
}

fn read(file: &Path) -> Result<String> {
    std::fs::read_to_string(file).with_context(|| format!("không đọc được {} (cần CSV UTF-8)", file.display()))
}

/// Progress on stderr for long writes (10,000 rows and more).
fn progress_bar(what: &'static str) -> impl Fn(usize, usize) + Send + Sync {
    let start = Instant::now();
    move |done, total| {
        if total >= 10_000 {
            eprint!("\r{what}: {done}/{total} dòng ({:.1} s)", start.elapsed().as_secs_f64());
            if done == total {
                eprintln!();
            }
            let _ = std::io::stderr().flush();
        }
    }
}

pub async fn units_cmd(cmd: UnitsCmd) -> Result<()> {
    let scope = Scope::system("cli");
    match cmd {
        UnitsCmd::Import { file, data } => {
            let text = read(&file)?;
            let store = data.open().await?;
            let start = Instant::now();
            let bar = progress_bar("Đang nhập");
            match store.import_units_csv_with_progress(&scope, &text, Some(&bar)).await {
                Ok(s) => {
                    println!(
                        "Đã nhập {} trong {:.1} s: {} mới, {} cập nhật, {} không đổi.",
                        file.display(),
                        start.elapsed().as_secs_f64(),
                        s.created,
                        s.updated,
                        s.unchanged
                    );
                    if !s.skipped_lines.is_empty() {
                        println!("Bỏ qua {} dòng không có mã và tên: {:?}.", s.skipped_lines.len(), s.skipped_lines);
                    }
                }
                Err(e) => bail!("{}: không nhập dòng nào:\n{e}", file.display()),
            }
            store.close().await;
        }
        UnitsCmd::Export { output, data } => {
            let store = data.open().await?;
            let csv = store.export_units_csv(&scope).await?;
            match output {
                Some(p) => std::fs::write(&p, csv).with_context(|| format!("không ghi được {}", p.display()))?,
                None => print!("{csv}"),
            }
            store.close().await;
        }
        UnitsCmd::Merge { from, into, date, data } => {
            let store = data.open().await?;
            store.merge_units(&scope, &from, &into, &date).await?;
            println!("Đã sáp nhập {} vào {} từ ngày {date}.", from.join(", "), into);
            store.close().await;
        }
        UnitsCmd::Reform { mapping, units, date, data } => {
            let (units_text, mapping_text) = (read(&units)?, read(&mapping)?);
            let store = data.open().await?;
            let start = Instant::now();
            let bar = progress_bar("Đang sắp xếp");
            let s = match store.apply_reform(&scope, &units_text, &mapping_text, &date, Some(&bar)).await {
                Ok(s) => s,
                Err(e) => bail!("{} / {}: không thay đổi gì:\n{e}", units.display(), mapping.display()),
            };
            println!("Sắp xếp đơn vị hành chính từ ngày {date} ({:.1} s):", start.elapsed().as_secs_f64());
            println!("  đơn vị mới: {} tạo, {} cập nhật, {} đã có", s.created, s.updated, s.unchanged);
            println!(
                "  đơn vị cũ: {} đóng (hết hiệu lực ngày trước đó, có đơn vị kế thừa), {} đã đóng từ trước",
                s.closed, s.already_closed
            );
            println!("  liên kết đơn vị tiền thân: {} thêm", s.predecessors_added);
            if !s.skipped_lines.is_empty() {
                println!("  bỏ qua {} dòng không có mã và tên trong {}: {:?}", s.skipped_lines.len(), units.display(), s.skipped_lines);
            }
            if !s.left_open.is_empty() {
                println!("  {} đơn vị còn hiệu lực không có trong tệp ánh xạ, giữ nguyên:", s.left_open.len());
                for u in s.left_open.iter().take(20) {
                    println!("    {} {} ({})", u.code, u.name, u.level);
                }
                if s.left_open.len() > 20 {
                    println!("    …");
                }
            }
            if s.accounts_on_closed_units > 0 || s.plans_on_closed_units > 0 {
                println!(
                    "  chưa chuyển gì: {} tài khoản và {} kế hoạch vẫn thuộc đơn vị đã hết hiệu lực",
                    s.accounts_on_closed_units, s.plans_on_closed_units
                );
            }
            store.close().await;
        }
        UnitsCmd::Move { from, to, all, data } => {
            let store = data.open().await?;
            let frameworks = std::sync::Arc::new(chiso_core::framework::FrameworkSet::builtin().map_err(|e| anyhow::anyhow!("{e}"))?);
            let app = crate::data::app(store.clone(), frameworks);
            if all {
                let b = chiso_app::units::move_all_single(&app, &scope).await?;
                println!("Đã chuyển {} đơn vị có một đơn vị kế thừa ({} tài khoản), trong một giao dịch:", b.moved.len(), b.accounts());
                for s in &b.moved {
                    print_move(s);
                }
                if !b.left.is_empty() {
                    println!("Còn {} đơn vị cần người chọn (nhiều hoặc không có đơn vị kế thừa):", b.left.len());
                    for p in &b.left {
                        let to: Vec<String> = p.successors.iter().map(|s| format!("{} {}", s.code, s.name)).collect();
                        println!(
                            "  {} {} → {}",
                            p.unit.code,
                            p.unit.name,
                            if to.is_empty() { "(không có)".into() } else { to.join(" | ") }
                        );
                    }
                }
            } else {
                let (Some(from), Some(to)) = (from, to) else { bail!("cần --from MÃ@NGÀY --to MÃ, hoặc --all") };
                let (code, on) = chiso_app::units::parse_code_on(&from)?;
                print_move(&chiso_app::units::move_one(&app, &scope, &code, &on, &to).await?);
            }
            store.close().await;
        }
        UnitsCmd::Where { code, on, json, data } => {
            let store = data.open().await?;
            let found = store.where_is_unit(&scope, code.trim(), on.as_deref()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&found)?);
            } else {
                for w in &found {
                    print_where(w);
                }
            }
            store.close().await;
        }
    }
    Ok(())
}

fn print_move(s: &chiso_store::units::MoveSummary) {
    if s.unchanged {
        println!("{} {} đã được chuyển về {} {} từ trước; không thay đổi gì.", s.from.code, s.from.name, s.to.code, s.to.name);
        return;
    }
    println!(
        "Đã chuyển {} {} (hết hiệu lực {}) về {} {}:",
        s.from.code,
        s.from.name,
        s.from.valid_to.as_deref().unwrap_or(""),
        s.to.code,
        s.to.name
    );
    println!(
        "  tài khoản chuyển: {}{}",
        s.users.len(),
        if s.users.is_empty() { String::new() } else { format!(" ({})", s.users.join(", ")) }
    );
    println!("  cơ quan: {} chuyển theo, {} nhập vào cơ quan cùng tên của đơn vị kế thừa", s.agencies_moved, s.agencies_joined);
    println!("  lịch sử: {} kế hoạch và {} báo cáo vẫn thuộc đơn vị cũ, nay nằm trong phạm vi của đơn vị kế thừa", s.plans, s.reports);
}

fn validity(from: &str, to: Option<&str>) -> String {
    let from = if from == chiso_core::unit::SINCE_EVER { "trước đây".to_string() } else { from.to_string() };
    match to {
        Some(t) => format!("hiệu lực {from} → {t}"),
        None => format!("hiệu lực từ {from}, đang có hiệu lực"),
    }
}

fn related(r: &Related) -> String {
    let share = match (r.share.as_str(), r.main) {
        ("whole", _) => "toàn bộ",
        (_, 1) => "một phần (phần chính)",
        _ => "một phần",
    };
    format!("{} {} ({}; {share})", r.code, r.name, validity(&r.valid_from, r.valid_to.as_deref()))
}

fn print_where(w: &WhereIs) {
    let u = &w.unit;
    println!("{} {} — cấp {}, {}", u.code, u.name, u.level, validity(&u.valid_from, u.valid_to.as_deref()));
    if !w.predecessors.is_empty() {
        println!("  hình thành từ:");
        for r in &w.predecessors {
            println!("    {}", related(r));
        }
    }
    if let Some(to) = &u.valid_to {
        if w.successors.is_empty() {
            println!("  hết hiệu lực sau ngày {to}; không có đơn vị kế thừa được ghi nhận");
        } else {
            println!("  hết hiệu lực sau ngày {to}, chuyển về:");
            for r in &w.successors {
                println!("    {}", related(r));
            }
        }
    }
}
