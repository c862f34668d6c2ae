//! Storage tests. Every test runs on SQLite and, when `CHISO_TEST_PG` is set, on PostgreSQL.

mod accounts;
mod bulk;
mod plans;
mod progress;
mod revision;
mod surveys;
mod units;

use chiso_core::access::{Reach, Role, Scope};
use chiso_store::Store;
use chiso_store::testing::TestDb;

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

pub const TREE: &str = "code,name,level,parent_code,valid_from,valid_to
14,Tỉnh Sơn La,province,,2000-01-01,
123,Huyện Mộc Châu,district,14,2000-01-01,
124,Huyện Yên Châu,district,14,2000-01-01,
X01,Thị trấn Mộc Châu,commune,123,2000-01-01,
X02,Xã Chiềng Sơn,commune,123,2000-01-01,
X03,Xã Tân Lập,commune,123,2000-01-01,
";

pub async fn load_tree(store: &Store) {
    store.import_units_csv(&Scope::system("test"), TREE).await.expect("import tree");
}

pub async fn scope_of(store: &Store, code: &str, role: Role) -> Scope {
    let u = store.unit_by_code(&Scope::system("test"), code).await.expect("unit");
    Scope { user_id: None, actor: format!("{code}-user"), role, reach: Reach::Subtree { unit_id: u.id, path: u.path }, agency_id: None }
}
