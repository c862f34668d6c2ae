//! `chiso`: the one binary. Thin: parses arguments, opens the store, calls the library crates.

mod backup;
mod data;
mod demo;
mod national;
mod plans;
mod reports;
mod results;
mod surveys;
mod units;

use anyhow::{Context, Result, bail};
use chiso_core::access::{Role, Scope};
use chiso_core::framework::{FrameworkSet, builtin_sources};

use chiso_web::{AppState, Application};
use clap::{Parser, Subcommand};
use data::DataArgs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use units::{UnitsCmd, units_cmd};

#[derive(Parser)]
#[command(name = "chiso", version, about = "chiso — nâng cao chỉ số PAPI, PAR INDEX, SIPAS, PCI của địa phương")]
struct Cli {
    /// Treat this day (YYYY-MM-DD, Vietnam time) as today: deadlines, lateness and default periods follow it.
    #[arg(long, global = true, env = "CHISO_TODAY")]
    today: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (pages, JSON API, OpenAPI).
    Serve {
        #[command(flatten)]
        data: DataArgs,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "CHISO_BIND")]
        bind: String,
        /// Load the demo data first (idempotent).
        #[arg(long)]
        demo: bool,
        /// Extra framework files (*.toml) to load beside the shipped ones.
        #[arg(long)]
        frameworks_dir: Option<PathBuf>,
        /// Mark cookies Secure (when served over HTTPS).
        #[arg(long)]
        secure_cookies: bool,
        /// SMTP relay (host:port) for the daily reminder digests; without it reminders stay in the application.
        #[arg(long, env = "CHISO_SMTP")]
        smtp: Option<String>,
        /// Sender address of the digests.
        #[arg(long, env = "CHISO_SMTP_FROM", default_value = "chiso@localhost")]
        smtp_from: String,
        /// Minutes between reminder runs (0 turns the scheduler off).
        #[arg(long, default_value_t = 60)]
        remind_every: u64,
        /// The address people reach this server at (links in invitations and e-mails), e.g. https://chiso.example.gov.vn
        #[arg(long, env = "CHISO_BASE_URL")]
        base_url: Option<String>,
        /// Behind a reverse proxy: the header it sets to the client's address (e.g. X-Forwarded-For; its last
        /// entry is used). Only then is the client address read from a header; without it the peer address is used.
        #[arg(long, env = "CHISO_TRUSTED_PROXY_HEADER")]
        trusted_proxy_header: Option<String>,
    },
    /// Create and migrate the database, optionally loading the demo data, without serving.
    Init {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        demo: bool,
    },
    /// Load demo data without serving: `--scale seed` (default) is the demo of `init --demo`; `--scale
    /// national` builds synthetic load-test data on the real 2025 units (34 provinces, 3,321 communes,
    /// ~340,000 tasks, ~1.3 million updates), labelled "(dữ liệu thử tải)", in minutes.
    Demo {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long, value_enum, default_value_t = DemoScale::Seed)]
        scale: DemoScale,
    },
    /// Back up the database and the evidence files into one file (a consistent snapshot, also while the
    /// server runs), with a manifest of row counts and checksums.
    Backup {
        #[command(flatten)]
        data: DataArgs,
        /// The backup file to write (a zip).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into a new data directory (SQLite) or an empty PostgreSQL database, then check that
    /// every table and every file is complete (row counts and checksums, printed).
    Restore {
        /// The backup file (from `chiso backup`).
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Index frameworks: list, show, check.
    #[command(subcommand)]
    Frameworks(FrameworksCmd),
    /// Administrative units: import, export, merge, reform, where.
    #[command(subcommand)]
    Units(UnitsCmd),
    /// Accounts: add, passwd.
    #[command(subcommand)]
    Users(UsersCmd),
    /// Plans: parse, import, export.
    #[command(subcommand)]
    Plan(plans::PlanCmd),
    /// Citizen surveys: score a questionnaire and responses, create, import, estimate.
    #[command(subcommand)]
    Survey(surveys::SurveyCmd),
    /// Periodic reports: status.
    #[command(subcommand)]
    Report(reports::ReportCmd),
    /// Index results: import published results, rankings, weak points.
    #[command(subcommand)]
    Results(results::ResultsCmd),
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DemoScale {
    /// The demo units, agencies, accounts and seed plans.
    Seed,
    /// Synthetic benchmark data for the whole country (not the demo story).
    National,
}

#[derive(Subcommand)]
enum FrameworksCmd {
    /// List the frameworks.
    List {
        #[arg(long)]
        json: bool,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Show one framework as a tree.
    Show {
        code: String,
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Validate the shipped frameworks and any files in --dir (or given FILES).
    Check {
        #[arg(long)]
        dir: Option<PathBuf>,
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum UsersCmd {
    /// Add an account. The password is read from CHISO_PASSWORD or asked on stdin.
    Add {
        username: String,
        #[arg(long)]
        role: String,
        /// Home unit code (omit only for a system administrator).
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        name: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Set an account's password (from CHISO_PASSWORD or stdin); ends its sessions.
    Passwd {
        username: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

fn load_frameworks(dir: Option<&Path>) -> Result<FrameworkSet> {
    let mut sources = builtin_sources();
    if let Some(dir) = dir {
        sources.extend(read_framework_dir(dir)?);
    }
    FrameworkSet::from_sources(&sources).map_err(|e| anyhow::anyhow!("bộ chỉ số không hợp lệ:\n{e}"))
}

fn read_framework_dir(dir: &Path) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).with_context(|| format!("không đọc được thư mục {}", dir.display()))?;
    let mut paths: Vec<PathBuf> =
        entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect();
    paths.sort();
    for p in paths {
        out.push((p.display().to_string(), std::fs::read_to_string(&p).with_context(|| format!("không đọc được {}", p.display()))?));
    }
    Ok(out)
}

fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("CHISO_PASSWORD") {
        return Ok(p);
    }
    eprint!("Mật khẩu: ");
    let mut s = String::new();
    std::io::stdin().read_line(&mut s).context("không đọc được mật khẩu từ stdin")?;
    Ok(s.trim_end_matches(['\r', '\n']).to_string())
}

#[tokio::main]
async fn main() {
    quiet_on_closed_pipe();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CHISO_LOG").unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("Lỗi: {e:#}");
        std::process::exit(1);
    }
}

/// `chiso plan parse … | head`: when the reader goes away, stop quietly (exit 0) like other command-line
/// tools, instead of panicking on "failed printing to stdout: Broken pipe".
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.starts_with("failed printing to std") && msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

async fn run(cli: Cli) -> Result<()> {
    if let Some(day) = &cli.today {
        let day = chiso_core::unit::parse_date(day).with_context(|| format!("--today {day}: cần ngày dạng YYYY-MM-DD"))?;
        data::set_clock(chiso_app::Clock::starting_on(day));
    }
    match cli.command {
        Command::Serve {
            data,
            bind,
            demo,
            frameworks_dir,
            secure_cookies,
            smtp,
            smtp_from,
            remind_every,
            base_url,
            trusted_proxy_header,
        } => {
            let frameworks = Arc::new(load_frameworks(frameworks_dir.as_deref())?);
            let store = data.open().await?;
            if demo {
                let summary = demo::load(&store).await?;
                eprintln!("{summary}");
            }
            let service = data::app(store.clone(), frameworks).with_settings(chiso_app::Settings { base_url });
            let mut state = AppState::new(service.clone(), secure_cookies);
            if let Some(h) = &trusted_proxy_header {
                state = state.with_trusted_proxy_header(h).map_err(anyhow::Error::msg)?;
            }
            let app = Application::build(state, &bind).await.with_context(|| format!("không mở được cổng {bind}"))?;
            let addr = app.local_addr()?;
            if remind_every > 0 {
                let smtp = smtp.map(|addr| chiso_app::reminders::SmtpConfig { addr, from: smtp_from });
                chiso_app::reminders::spawn(service, smtp, std::time::Duration::from_secs(remind_every * 60));
            }
            println!("chiso đang chạy tại http://{addr}/  (Ctrl+C để dừng)");
            if demo {
                println!("{}", demo::accounts_help());
            }
            app.run_until(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
            store.close().await;
        }
        Command::Init { data, demo } => {
            let store = data.open().await?;
            println!("Đã tạo và cập nhật cơ sở dữ liệu.");
            if demo {
                println!("{}", demo::load(&store).await?);
                println!("{}", demo::accounts_help());
            }
            store.close().await;
        }
        Command::Demo { data, scale } => {
            let store = data.open().await?;
            match scale {
                DemoScale::Seed => {
                    println!("{}", demo::load(&store).await?);
                    println!("{}", demo::accounts_help());
                }
                DemoScale::National => {
                    let app = data::app(store.clone(), Arc::new(load_frameworks(None)?));
                    println!("{}", national::load(&store, &app).await?);
                }
            }
            store.close().await;
        }
        Command::Backup { data, out } => backup::backup(&data, &out).await?,
        Command::Restore { file, data } => backup::restore(&data, &file).await?,
        Command::Frameworks(cmd) => frameworks_cmd(cmd)?,
        Command::Units(cmd) => units_cmd(cmd).await?,
        Command::Users(cmd) => users_cmd(cmd).await?,
        Command::Plan(cmd) => plans::run(cmd).await?,
        Command::Survey(cmd) => surveys::run(cmd).await?,
        Command::Report(cmd) => reports::run(cmd).await?,
        Command::Results(cmd) => results::run(cmd).await?,
    }
    Ok(())
}

fn frameworks_cmd(cmd: FrameworksCmd) -> Result<()> {
    match cmd {
        FrameworksCmd::List { json, dir } => {
            let set = load_frameworks(dir.as_deref())?;
            if json {
                let list: Vec<_> = set
                    .frameworks()
                    .iter()
                    .map(|f| serde_json::json!({"code": f.code, "family": f.family, "name_vi": f.name_vi, "name_en": f.name_en, "years": f.years.to_string(), "reference": f.reference}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for f in set.frameworks() {
                    println!("{:<12} {:<10} {:<12} {}", f.code, format!("{:?}", f.family), f.years.to_string(), f.name_vi);
                }
            }
        }
        FrameworksCmd::Show { code, year, json, dir } => {
            let set = load_frameworks(dir.as_deref())?;
            let Some(fw) = set.get(&code) else {
                let codes: Vec<&str> = set.frameworks().iter().map(|f| f.code.as_str()).collect();
                bail!("không có bộ chỉ số '{code}' (có: {})", codes.join(", "));
            };
            if let Some(y) = year
                && !fw.applies_to(y)
            {
                bail!("bộ chỉ số '{code}' không áp dụng cho năm {y} (áp dụng: {})", fw.years);
            }
            let tree = fw.tree_for_year(year);
            if json {
                println!("{}", serde_json::to_string_pretty(&tree)?);
            } else {
                print_tree(&tree, 0);
            }
        }
        FrameworksCmd::Check { dir, files } => {
            let mut sources = builtin_sources();
            if let Some(d) = &dir {
                sources.extend(read_framework_dir(d)?);
            }
            for f in &files {
                sources.push((
                    f.display().to_string(),
                    std::fs::read_to_string(f).with_context(|| format!("không đọc được {}", f.display()))?,
                ));
            }
            match FrameworkSet::from_sources(&sources) {
                Ok(set) => {
                    for f in set.frameworks() {
                        let nodes = f.root().walk().len().saturating_sub(1);
                        println!("OK  {:<12} {} nút, năm {} ({})", f.code, nodes, f.years, f.file);
                    }
                }
                Err(e) => bail!("bộ chỉ số không hợp lệ:\n{e}"),
            }
        }
    }
    Ok(())
}

fn print_tree(n: &chiso_core::framework::Node, depth: usize) {
    let pts = match (n.min, n.max) {
        (Some(a), Some(b)) => format!("{a}–{b}"),
        (None, Some(b)) => format!("{b}"),
        _ => String::new(),
    };
    println!("{}{:<14} {}  {}", "  ".repeat(depth), n.code, n.name_vi, pts);
    for c in &n.children {
        print_tree(c, depth + 1);
    }
}

async fn users_cmd(cmd: UsersCmd) -> Result<()> {
    let scope = Scope::system("cli");
    match cmd {
        UsersCmd::Add { username, role, unit, name, data } => {
            let role = Role::parse(&role).with_context(|| {
                format!("vai trò '{role}' không có (có: {})", Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "))
            })?;
            let password = read_password()?;
            let store = data.open().await?;
            let u = store
                .create_user(
                    &scope,
                    chiso_store::accounts::NewUser { username, full_name: name, password, role, unit_code: unit, agency_id: None },
                )
                .await?;
            println!("Đã tạo tài khoản {} ({}).", u.username, role.name_vi());
            store.close().await;
        }
        UsersCmd::Passwd { username, data } => {
            let password = read_password()?;
            let store = data.open().await?;
            store.set_password(&scope, &username, &password).await?;
            println!("Đã đổi mật khẩu của {username}.");
            store.close().await;
        }
    }
    Ok(())
}
