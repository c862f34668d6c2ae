//! The rules of importing a year of official results: who may, and what needs a confirmation.

use super::*;
use crate::access::{Permission, Reach, Scope};

/// Official results are national data (every unit's rank depends on every other unit's scores): only an
/// administrator reaching the whole system may import them. `Err` is the Vietnamese reason.
pub fn check_may_import(scope: &Scope) -> Result<(), String> {
    if scope.can(Permission::ImportResults) && scope.reach == Reach::All {
        Ok(())
    } else {
        Err(format!(
            "{}: kết quả chỉ số chính thức là dữ liệu toàn quốc, chỉ quản trị hệ thống (toàn hệ thống) được nhập",
            Permission::ImportResults.name_vi()
        ))
    }
}

/// Units published in the stored year (`old`) that the new data would leave without scores (absent from
/// the file, or listed without values): an import that removes published results must be confirmed.
pub fn removed_units(old: &YearScores, new: &YearScores) -> Vec<String> {
    old.units.keys().filter(|u| !new.units.contains_key(*u)).cloned().collect()
}
