//! `chiso results …`: import published index results, print rankings and weak points.

use crate::data::DataArgs;
use anyhow::{Context, Result, bail};
use chiso_app::App;
use chiso_app::results::{ImportError, ImportRequest, Mapping, RankTable, WeakReport};
use chiso_core::access::Scope;
use chiso_core::framework::{Framework, FrameworkSet};
use chiso_core::results::{ResultsFormat, rank_change_vi};
use chiso_core::text::vn_number;
use chiso_store::results::ResultsImportSummary;
use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Subcommand)]
pub enum ResultsCmd {
    /// Import one year of published results (e.g. datasets/papi/2023.csv): all rows or none;
    /// re-importing a year replaces it (audited).
    Import {
        /// Framework code (papi, par_index, sipas).
        #[arg(long)]
        framework: String,
        #[arg(long)]
        year: i32,
        /// The results file (CSV, UTF-8).
        file: PathBuf,
        /// `wide`: a unit column then one column per leaf (Province,SC11,…); `long`: unit,node,score.
        #[arg(long, default_value = "wide")]
        format: String,
        /// CSV mapping the file's unit codes to the system's (papi_code,unit_code). For PAPI the
        /// shipped datasets/papi/province-units.csv is used when omitted.
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// The file already uses the system's unit codes (no mapping).
        #[arg(long, conflicts_with = "mapping")]
        unit_codes: bool,
        /// Confirm that the import may remove results already published for the year (units with
        /// scores that the file leaves without); without it such an import is refused.
        #[arg(long)]
        confirm_removal: bool,
        /// Extra framework files (*.toml) beside the shipped ones.
        #[arg(long)]
        frameworks_dir: Option<PathBuf>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Ranking of one year from the stored results (ties share a rank; change against the
    /// unit's previous published year).
    Rank {
        #[arg(long)]
        framework: String,
        #[arg(long)]
        year: i32,
        /// Print JSON: {"framework", "year", "ranked": [...], "not_published": [...]}.
        #[arg(long)]
        json: bool,
        #[arg(long)]
        frameworks_dir: Option<PathBuf>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Weak points of one unit: nodes by points lost, rank and change; the three task groups; the
    /// outline of next year's plan.
    Weak {
        /// Unit code (e.g. 01 for Hà Nội).
        #[arg(long)]
        unit: String,
        #[arg(long)]
        framework: String,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        frameworks_dir: Option<PathBuf>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// The imported years of a framework.
    Years {
        #[arg(long)]
        framework: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

fn framework<'a>(set: &'a FrameworkSet, code: &str) -> Result<&'a Framework> {
    set.get(code).with_context(|| {
        let codes: Vec<&str> = set.frameworks().iter().map(|f| f.code.as_str()).collect();
        format!("không có bộ chỉ số '{code}' (có: {})", codes.join(", "))
    })
}

/// Import one results file through the app. Errors name the file, line and column.
pub async fn import(app: &App, req: ImportRequest<'_>) -> Result<ResultsImportSummary> {
    let source = req.source;
    match app.results().import(&Scope::system("cli"), req).await {
        Ok(s) => Ok(s),
        Err(e @ ImportError::RemovalNotConfirmed(_)) => bail!("{source}: {e} (chạy lại với --confirm-removal để xác nhận xóa)"),
        Err(e) => bail!("{source}: {e}"),
    }
}

/// A request with the framework's default unit mapping and no removal.
#[cfg(test)]
fn request<'a>(fw: &'a Framework, year: i32, text: &'a str, source: &'a str) -> ImportRequest<'a> {
    ImportRequest { framework: fw, year, text, format: ResultsFormat::Wide, mapping: Mapping::Default, source, confirm_removal: false }
}

/// `results rank --json`: the stored ranking in its stable shape, keys in the documented order.
pub async fn rank_json(app: &App, fw: &Framework, year: i32) -> Result<String> {
    let table = app.results().rank_table(&Scope::system("cli"), fw, year).await?;
    Ok(serde_json::to_string_pretty(&table)? + "\n")
}

/// The ranking as a table for people: Vietnamese numbers and "tăng 6 bậc".
pub fn rank_text(t: &RankTable, fw: &Framework) -> String {
    let mut out = format!("Xếp hạng {} năm {} — {} đơn vị có tổng điểm\n", fw.name_vi, t.year, t.ranked.len());
    out.push_str(&format!("{:>4}  {:<6} {:<24} {:>8}  {}\n", "Hạng", "Mã", "Đơn vị", "Tổng", "So với năm trước"));
    for r in t.ranked.iter().chain(t.partially_published.iter()) {
        let change = match (r.rank_change, r.previous_rank) {
            (Some(c), Some(p)) => format!("{} (hạng {p})", rank_change_vi(c)),
            _ => "–".to_string(),
        };
        out.push_str(&format!(
            "{:>4}  {:<6} {:<24} {:>8}  {}\n",
            r.rank.map_or("–".to_string(), |x| x.to_string()),
            r.unit,
            r.name,
            r.total.map_or("một phần".to_string(), |x| vn_number(x, 2)),
            change
        ));
    }
    if !t.not_published.is_empty() {
        let names: Vec<String> = t.not_published.iter().map(|u| format!("{} ({})", u.name, u.unit)).collect();
        out.push_str(&format!("Không công bố: {}\n", names.join(", ")));
    }
    out
}

/// Weak points as text.
pub fn weak_text(w: &WeakReport) -> String {
    let mut out = format!("Điểm yếu của {} ({}) — {} năm {}\n", w.name, w.unit, w.framework, w.year);
    let basis = match w.reference {
        chiso_core::weakness::Reference::Peers => "điểm mất = trung bình toàn quốc − điểm của đơn vị",
        chiso_core::weakness::Reference::FullScore => "điểm mất = điểm tối đa − điểm đạt",
    };
    out.push_str(&format!("({basis})\n"));
    out.push_str(&format!("{:<12} {:>8} {:>9} {:>8}  {:<14} {}\n", "Mã", "Điểm", "Điểm mất", "Hạng", "Thay đổi", "Nhóm nhiệm vụ"));
    for i in &w.items {
        let group = i.group.map_or("", |g| g.label_vi(w.reference));
        out.push_str(&format!(
            "{:<12} {:>8} {:>9} {:>8}  {:<14} {}\n",
            i.code,
            vn_number(i.score, 2),
            vn_number(i.points_lost, 2),
            format!("{}/{}", i.rank, i.of),
            i.rank_change.map_or("–".to_string(), rank_change_vi),
            group
        ));
    }
    out.push_str(&format!("\nDàn ý kế hoạch năm {} (lĩnh vực yếu nhất trước):\n", w.plan.plan_year));
    for (n, s) in w.plan.sections.iter().enumerate() {
        out.push_str(&format!("{}. {} ({})\n", n + 1, s.name_vi, s.code));
        for it in &s.items {
            out.push_str(&format!("   - {} {} — {}\n", it.code, it.name_vi, it.group.label_vi(w.reference)));
        }
    }
    out
}

pub async fn run(cmd: ResultsCmd) -> Result<()> {
    match cmd {
        ResultsCmd::Import { framework: code, year, file, format, mapping, unit_codes, confirm_removal, frameworks_dir, data } => {
            let set = crate::load_frameworks(frameworks_dir.as_deref())?;
            let fw = framework(&set, &code)?;
            let format = ResultsFormat::parse(&format).with_context(|| format!("--format '{format}' không hợp lệ (wide hoặc long)"))?;
            let text = read_text(&file)?;
            let map_text = match &mapping {
                Some(p) => Some(read_text(p)?),
                None => None,
            };
            let mapping = match (&map_text, unit_codes) {
                (Some(t), _) => Mapping::File { name: "tệp ánh xạ", text: t },
                (None, true) => Mapping::None,
                (None, false) => Mapping::Default,
            };
            let store = data.open().await?;
            let app = crate::data::app(store.clone(), Arc::new(set.clone()));
            let source = file.display().to_string();
            let req = ImportRequest { framework: fw, year, text: &text, format, mapping, source: &source, confirm_removal };
            let s = import(&app, req).await;
            store.close().await;
            let s = s?;
            if s.unchanged {
                println!("{} năm {}: dữ liệu trùng với bản đã lưu, không thay đổi.", s.framework, s.year);
            } else {
                println!(
                    "Đã nhập {} năm {} từ {}: {} đơn vị có kết quả, {} không công bố, {} điểm thành phần{}.",
                    s.framework,
                    s.year,
                    file.display(),
                    s.published,
                    s.not_published,
                    s.scores,
                    if s.replaced { format!(" (thay bản cũ; {} đơn vị thay đổi)", s.changed_units) } else { String::new() }
                );
            }
        }
        ResultsCmd::Rank { framework: code, year, json, frameworks_dir, data } => {
            let set = crate::load_frameworks(frameworks_dir.as_deref())?;
            let fw = framework(&set, &code)?;
            let store = data.open().await?;
            let app = crate::data::app(store.clone(), Arc::new(set.clone()));
            let out = if json {
                rank_json(&app, fw, year).await
            } else {
                app.results().rank_table(&Scope::system("cli"), fw, year).await.map(|t| rank_text(&t, fw)).map_err(anyhow::Error::from)
            };
            store.close().await;
            print!("{}", out?);
        }
        ResultsCmd::Weak { unit, framework: code, year, json, frameworks_dir, data } => {
            let set = crate::load_frameworks(frameworks_dir.as_deref())?;
            let fw = framework(&set, &code)?;
            let store = data.open().await?;
            let app = crate::data::app(store.clone(), Arc::new(set.clone()));
            let w = app.results().next_plan_outline(&Scope::system("cli"), fw, &unit, year).await;
            store.close().await;
            let w = w?;
            if json {
                println!("{}", serde_json::to_string_pretty(&w)?);
            } else {
                print!("{}", weak_text(&w));
            }
        }
        ResultsCmd::Years { framework, data } => {
            let store = data.open().await?;
            let years = store.result_years(&Scope::system("cli"), &framework).await;
            store.close().await;
            for y in years? {
                println!("{}  {} đơn vị có kết quả, {} không công bố  (nguồn {})", y.year, y.published, y.not_published, y.source);
            }
        }
    }
    Ok(())
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("không đọc được {}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{} không phải văn bản UTF-8 (hãy lưu CSV dạng UTF-8)", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chiso_app::demo::PAPI_YEARS;
    use chiso_store::Store;

    async fn load_demo(store: &Store) -> Result<String> {
        let app = crate::data::app(store.clone(), Arc::new(FrameworkSet::builtin().expect("frameworks")));
        Ok(chiso_app::demo::load_results(&app).await?)
    }

    const UNITS: &str = include_str!("../../../datasets/demo/units.csv");

    async fn store_with_units() -> Store {
        let store = Store::connect("sqlite::memory:").await.expect("store");
        store.import_units_csv(&Scope::system("test"), UNITS).await.expect("units");
        store
    }

    #[tokio::test]
    async fn rank_json_has_the_documented_shape_and_facts() {
        let store = store_with_units().await;
        let set = FrameworkSet::builtin().expect("frameworks");
        let papi = framework(&set, "papi").expect("papi");
        let app = crate::data::app(store.clone(), Arc::new(set.clone()));
        for (year, text) in PAPI_YEARS.iter().filter(|(y, _)| *y >= 2022) {
            import(&app, request(papi, *year, text, "t.csv")).await.expect("import");
        }
        let text = rank_json(&app, papi, 2024).await.expect("json");
        // Keys in the documented order.
        let at = |k: &str| text.find(&format!("\"{k}\"")).expect(k);
        assert!(at("framework") < at("year") && at("year") < at("ranked") && at("ranked") < at("not_published"), "{text}");
        assert!(at("unit") < at("name") && at("name") < at("total") && at("total") < at("rank") && at("rank") < at("previous_rank"));
        assert!(at("previous_rank") < at("rank_change") && at("rank_change") < at("dimensions"));
        let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(v["framework"], "papi");
        assert_eq!(v["year"], 2024);
        let first = &v["ranked"][0];
        assert_eq!(first["unit"], "22");
        assert_eq!(first["name"], "Quảng Ninh");
        let total = first["total"].as_f64().expect("number");
        assert!((total - 47.82).abs() < 0.005, "{total}");
        assert_eq!(first["rank"], 1);
        assert_eq!(first["previous_rank"], 1);
        assert_eq!(first["rank_change"], 0);
        let dims = first["dimensions"].as_object().expect("dimensions");
        assert_eq!(dims.len(), 8);
        assert!((dims["papi.d1"].as_f64().expect("d1") - 5.87).abs() < 0.005);
        let obj = v.as_object().expect("object");
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["framework", "not_published", "ranked", "year"]);
        assert_eq!(v["not_published"][0]["unit"], "26");
        assert_eq!(v["not_published"][0]["name"], "Vĩnh Phúc");

        let v: serde_json::Value = serde_json::from_str(&rank_json(&app, papi, 2023).await.expect("json")).expect("valid JSON");
        assert_eq!(v["ranked"][0]["name"], "Thừa Thiên Huế");
        assert!((v["ranked"][0]["total"].as_f64().expect("total") - 46.0415).abs() < 5e-5);
        let np: Vec<&str> = v["not_published"].as_array().expect("list").iter().filter_map(|u| u["name"].as_str()).collect();
        assert_eq!(np, ["Quảng Ninh", "Bình Dương"]);
        let text = rank_text(&app.results().rank_table(&Scope::system("t"), papi, 2024).await.expect("t"), papi);
        assert!(text.contains("47,82") && text.contains("giữ nguyên (hạng 1)") && text.contains("giảm 14 bậc"), "{text}");

        // The weak points of Hà Nội, as `results weak --json` prints them.
        let w = app.results().next_plan_outline(&Scope::system("t"), papi, "01", 2024).await.expect("weak");
        let v = serde_json::to_value(&w).expect("json");
        assert_eq!(v["unit"], "01");
        assert_eq!(v["items"].as_array().map(Vec::len), Some(36));
        assert_eq!(v["plan"]["sections"].as_array().map(Vec::len), Some(8));
        assert!(v["groups"]["improve"].is_array() && v["groups"]["keep"].is_array());
        assert!(weak_text(&w).contains("Dàn ý kế hoạch năm 2025"));
    }

    #[tokio::test]
    async fn bad_files_name_line_and_column_and_the_demo_is_idempotent() {
        let store = store_with_units().await;
        let set = FrameworkSet::builtin().expect("frameworks");
        let papi = framework(&set, "papi").expect("papi");
        let app = crate::data::app(store.clone(), Arc::new(set.clone()));
        let bad = PAPI_YEARS[5].1.replacen("\nP05,", "\nP99,", 1);
        let e = import(&app, request(papi, 2023, &bad, "2023.csv")).await.expect_err("refused");
        let msg = e.to_string();
        assert!(msg.contains("2023.csv") && msg.contains("dòng 6, cột 1") && msg.contains("P99"), "{msg}");
        let no_mapping = ImportRequest { mapping: Mapping::None, ..request(papi, 2023, PAPI_YEARS[5].1, "2023.csv") };
        let e = import(&app, no_mapping).await.expect_err("no mapping");
        assert!(e.to_string().contains("P01"), "{e}");

        // Issue 13 item 2 at the command line: a header-only file is an error, and removing published
        // units needs --confirm-removal.
        import(&app, request(papi, 2023, PAPI_YEARS[5].1, "2023.csv")).await.expect("2023");
        let header = format!("{}\n", PAPI_YEARS[5].1.lines().next().expect("header"));
        let e = import(&app, request(papi, 2023, &header, "empty.csv")).await.expect_err("header only");
        assert!(e.to_string().contains("chỉ có dòng tiêu đề"), "{e}");
        let fewer: String = PAPI_YEARS[5].1.lines().filter(|l| !l.starts_with("P01,")).map(|l| format!("{l}\n")).collect();
        let e = import(&app, request(papi, 2023, &fewer, "fewer.csv")).await.expect_err("not confirmed");
        assert!(e.to_string().contains("1 đơn vị") && e.to_string().contains("--confirm-removal"), "{e}");
        let s = import(&app, ImportRequest { confirm_removal: true, ..request(papi, 2023, &fewer, "fewer.csv") }).await.expect("confirmed");
        assert_eq!(s.changed_units, 1);
        import(&app, request(papi, 2023, PAPI_YEARS[5].1, "2023.csv")).await.expect("2023 again");

        let first = load_demo(&store).await.expect("demo");
        assert!(first.contains("6 năm") && first.contains("mới"), "{first}: 2023 was imported above");
        let second = load_demo(&store).await.expect("demo again");
        assert!(second.contains("0 năm") && second.contains("đã có"), "{second}");
        let years = store.result_years(&Scope::system("t"), "papi").await.expect("years");
        assert_eq!(years.len(), 7);
        let sheet = store.assessment_for(&Scope::system("t"), "250", "par_index", 2024).await.expect("read").expect("sheet");
        assert_eq!(sheet.status, "submitted");
    }
}
