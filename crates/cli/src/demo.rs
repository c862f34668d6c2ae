//! `--demo`: the demo data through the app's use case ([`chiso_app::demo`]), then the PAPI results and the
//! demo survey. Every part is idempotent, also when interrupted.

use anyhow::Result;
use chiso_app::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD};
use chiso_store::Store;
use std::sync::Arc;

pub async fn load(store: &Store) -> Result<String> {
    let frameworks = Arc::new(chiso_core::framework::FrameworkSet::builtin().map_err(|e| anyhow::anyhow!("{e}"))?);
    let app = crate::data::app(store.clone(), frameworks);
    let summary = chiso_app::demo::load(&app).await?;
    let results = chiso_app::demo::load_results(&app).await?;
    let surveys = crate::surveys::load_demo(store).await?;
    Ok(format!("{summary}\n{results} {surveys}"))
}

pub fn accounts_help() -> String {
    let mut s = format!("Tài khoản mẫu (mật khẩu: {DEMO_PASSWORD}):\n");
    for (username, full_name, role, unit, _) in DEMO_ACCOUNTS {
        s.push_str(&format!(
            "  {:<14} {:<22} {}{}\n",
            username,
            role.name_vi(),
            full_name,
            unit.map(|u| format!(" [{u}]")).unwrap_or_default()
        ));
    }
    s
}
