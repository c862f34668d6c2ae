//! Demo data: the provinces, districts and communes named in the five seed plans, with their agencies and
//! one account of each role at different levels. Loading is idempotent: running it twice changes nothing.

use anyhow::{Context, Result};
use chiso_core::access::{Role, Scope};
use chiso_store::Store;
use chiso_store::accounts::NewUser;

const UNITS_CSV: &str = include_str!("../../../datasets/demo/units.csv");
const AGENCIES_CSV: &str = include_str!("../../../datasets/demo/agencies.csv");

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
    Ok(format!(
        "Dữ liệu mẫu: {} đơn vị mới ({} đã có), {agencies} cơ quan, {created} tài khoản mới.",
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
