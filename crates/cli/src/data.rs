//! Where the data lives, shared by every command that touches it.

use anyhow::{Context, Result};
use chiso_app::{App, Clock};
use chiso_core::framework::FrameworkSet;
use chiso_store::Store;
use clap::Args;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// The clock of this process (`--today`), set once before any command runs.
static CLOCK: OnceLock<Clock> = OnceLock::new();

pub fn set_clock(clock: Clock) {
    let _ = CLOCK.set(clock);
}

pub fn clock() -> Clock {
    CLOCK.get().copied().unwrap_or_default()
}

/// The use cases over an open store, with this process's clock.
pub fn app(store: Store, frameworks: Arc<FrameworkSet>) -> App {
    App::new(store, frameworks).with_clock(clock())
}

/// Where the data lives: a directory with the SQLite file (default ./data), or a database URL.
#[derive(Args, Clone)]
pub struct DataArgs {
    /// Directory holding the SQLite database and stored files.
    #[arg(long, default_value = "./data", env = "CHISO_DATA_DIR")]
    pub data_dir: PathBuf,
    /// Database URL (postgres://user@host/db or sqlite://file); overrides --data-dir for the database.
    #[arg(long, env = "CHISO_DATABASE_URL")]
    pub database_url: Option<String>,
}

impl DataArgs {
    pub async fn open(&self) -> Result<Store> {
        let url = match &self.database_url {
            Some(u) => u.clone(),
            None => {
                std::fs::create_dir_all(&self.data_dir)
                    .with_context(|| format!("không tạo được thư mục dữ liệu {}", self.data_dir.display()))?;
                Store::sqlite_url_for_dir(&self.data_dir)
            }
        };
        // Evidence files live beside the database (with PostgreSQL and several servers: a shared directory).
        Ok(Store::connect(&url).await.map_err(|e| anyhow::anyhow!("{e}"))?.with_files_dir(self.data_dir.join("files")))
    }
}
