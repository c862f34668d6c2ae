//! Demo data: the provinces, districts and communes named in the five seed plans, with their agencies and
//! one account of each role at different levels. Loading is idempotent: running it twice changes nothing.

use anyhow::{Context, Result};
use chiso_core::access::{Role, Scope};
use chiso_store::Store;
use chiso_store::accounts::NewUser;

const UNITS_CSV: &str = include_str!("../../../datasets/demo/units.csv");
const AGENCIES_CSV: &str = include_str!("../../../datasets/demo/agencies.csv");

/// The five seed plans (public administrative documents), with the demo unit each belongs to.
/// Seed 004 is a provincial plan whose text does not name its province; the demo files it under Sơn La.
const SEED_PLANS: &[(&str, &str, &[u8])] = &[
    ("351", "000_6af07d2827319960.txt", include_bytes!("../../../datasets/plans/000_6af07d2827319960.txt")),
    ("329.01", "001_a6cfdfd1320f5895.txt", include_bytes!("../../../datasets/plans/001_a6cfdfd1320f5895.txt")),
    ("250", "002_54a8849ad7dd6938.txt", include_bytes!("../../../datasets/plans/002_54a8849ad7dd6938.txt")),
    ("123", "003_187a403246ebc703.txt", include_bytes!("../../../datasets/plans/003_187a403246ebc703.txt")),
    ("14", "004_b2d75977fb5d80f4.txt", include_bytes!("../../../datasets/plans/004_b2d75977fb5d80f4.txt")),
];

/// The demo password of every demo account. Demo data is for trying the system, never for production.
pub const DEMO_PASSWORD: &str = "chiso-demo";

/// (username, full name, role, unit code, agency name)
pub const DEMO_ACCOUNTS: &[(&str, &str, Role, Option<&str>, Option<&str>)] = &[
    ("admin", "Quản trị hệ thống", Role::Admin, None, None),
    ("nv.sonla", "Chuyên viên Sở Nội vụ Sơn La", Role::Specialist, Some("14"), Some("Sở Nội vụ")),
    ("nv.mocchau", "Chuyên viên Phòng Nội vụ Mộc Châu", Role::Specialist, Some("123"), Some("Phòng Nội vụ")),
    ("ld.mocchau", "Chủ tịch UBND huyện Mộc Châu", Role::Leader, Some("123"), None),
    ("vhtt.mocchau", "Cán bộ Phòng Văn hóa và Thông tin Mộc Châu", Role::AgencyStaff, Some("123"), Some("Phòng Văn hóa và Thông tin")),
    ("vp.chiengson", "Công chức Văn phòng xã Chiềng Sơn", Role::Specialist, Some("123.03"), Some("Công chức Văn phòng - Thống kê")),
    ("nv.melinh", "Chuyên viên Phòng Nội vụ Mê Linh", Role::Specialist, Some("250"), Some("Phòng Nội vụ")),
    ("nv.thanhliem", "Chuyên viên Phòng Nội vụ Thanh Liêm", Role::Specialist, Some("351"), Some("Phòng Nội vụ")),
    ("vp.anthi", "Công chức Văn phòng thị trấn Ân Thi", Role::Specialist, Some("329.01"), Some("Công chức Văn phòng - Thống kê")),
    ("xem.hanoi", "Người xem Sở Nội vụ Hà Nội", Role::Viewer, Some("01"), None),
];

pub async fn load(store: &Store) -> Result<String> {
    let sys = Scope::system("demo");
    let units = store.import_units_csv(&sys, UNITS_CSV).await.map_err(|e| anyhow::anyhow!("datasets/demo/units.csv: {e}"))?;
    let mut agencies = 0;
    for (i, line) in AGENCIES_CSV.lines().enumerate().skip(1) {
        let parts: Vec<&str> = line.split(',').collect();
        let [unit_code, name, kind] = parts[..] else {
            anyhow::bail!("datasets/demo/agencies.csv dòng {}: cần 3 cột", i + 1);
        };
        let unit = store.unit_by_code(&sys, unit_code).await.with_context(|| format!("agencies.csv dòng {}", i + 1))?;
        store.ensure_agency(&sys, unit.id, name, kind).await?;
        agencies += 1;
    }
    let mut created = 0;
    for (username, full_name, role, unit, agency) in DEMO_ACCOUNTS {
        if store.user_by_username(username).await?.is_some() {
            continue;
        }
        let agency_id = match (unit, agency) {
            (Some(u), Some(a)) => {
                let unit = store.unit_by_code(&sys, u).await?;
                store.agencies(&sys, unit.id).await?.into_iter().find(|x| x.name == *a).map(|x| x.id)
            }
            _ => None,
        };
        store
            .create_user(
                &sys,
                NewUser {
                    username: (*username).into(),
                    full_name: (*full_name).into(),
                    password: DEMO_PASSWORD.into(),
                    role: *role,
                    unit_code: unit.map(String::from),
                    agency_id,
                },
            )
            .await?;
        created += 1;
    }
    let plans = load_plans(store, &sys).await?;
    Ok(format!(
        "Dữ liệu mẫu: {} đơn vị mới ({} đã có), {agencies} cơ quan, {created} tài khoản mới, {plans} kế hoạch mới.",
        units.created,
        units.unchanged + units.updated
    ))
}

pub fn accounts_help() -> String {
    let mut s = format!("Tài khoản mẫu (mật khẩu: {DEMO_PASSWORD}):\n");
    for (username, full_name, role, unit, _) in DEMO_ACCOUNTS {
        s.push_str(&format!("  {:<14} {:<22} {}{}\n", username, role.name_vi(), full_name, unit.map(|u| format!(" [{u}]")).unwrap_or_default()));
    }
    s
}

/// Import the seed plans (once), then show the cascade on the Mộc Châu plan 426/KH-UBND: two communes
/// make their plans from it, one issued on time and one late; the others have none yet.
async fn load_plans(store: &Store, sys: &Scope) -> Result<usize> {
    use chiso_store::plans::PlanFilter;
    let mut created = 0;
    for (unit, name, bytes) in SEED_PLANS {
        let existing = store.plans(sys, &PlanFilter { unit_code: Some((*unit).into()), ..Default::default() }).await?;
        if existing.iter().any(|p| p.plan.source_name.as_deref() == Some(*name)) {
            continue;
        }
        chiso_web::plans::import_document(store, sys, unit, bytes, name, Some(2023)).await.map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        created += 1;
    }
    let moc_chau = store.plans_by_number(sys, "426/KH-UBND").await?;
    if let Some(parent) = moc_chau.first()
        && store.child_plans(sys, parent.id).await?.is_empty()
    {
        for (commune, number, date) in [("123.01", "35/KH-UBND", "2022-02-19"), ("123.03", "12/KH-UBND", "2022-02-25")] {
            let child = chiso_web::plans::create_child_plan(store, sys, parent.id, commune).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            store.issue_plan(sys, child.id, number, date, child.version).await?;
            created += 1;
        }
        // One more left as a draft.
        chiso_web::plans::create_child_plan(store, sys, parent.id, "123.04").await.map_err(|e| anyhow::anyhow!("{e}"))?;
        created += 1;
    }
    Ok(created)
}
