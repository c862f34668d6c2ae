//! Results and score-sheet use cases against a real store (SQLite, and PostgreSQL when `CHISO_TEST_PG` is
//! set): import with unit mapping, who may import and what needs a confirmation, rankings with history,
//! weak points and the plan outline; score sheets through their workflow, who does which step (the store
//! enforces core's rule), the ranking of a parent's children on their finalised sheets.

mod assessments;
mod results;

use chiso_app::App;
use chiso_core::access::{Reach, Role, Scope};
use chiso_store::Store;
use chiso_store::testing::TestDb;
use std::sync::Arc;

/// Run `f` against every backend, cleaning up afterwards.
pub async fn on_each_backend<F, Fut>(f: F)
where
    F: Fn(Store, &'static str) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDb::all().await.expect("test database") {
        f(db.store.clone(), db.label).await;
        db.cleanup().await;
    }
}

/// The app over `store` with the shipped frameworks.
pub fn app_of(store: &Store) -> App {
    App::new(store.clone(), Arc::new(results::frameworks()))
}

pub async fn scope_of(store: &Store, code: &str, role: Role) -> Scope {
    let u = store.unit_by_code(&Scope::system("test"), code).await.expect("unit");
    Scope { user_id: None, actor: format!("{code}-user"), role, reach: Reach::Subtree { unit_id: u.id, path: u.path }, agency_id: None }
}
