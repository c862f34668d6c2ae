//! Roles, permissions and scopes. A scope says *where* a user may act (a subtree of units, maybe one agency)
//! and *what* they may do (their role). The storage API takes a `Scope` on every call and enforces it, so a
//! handler that forgets a check still cannot reach outside the user's subtree.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// System administrator: manages units and accounts within reach.
    Admin,
    /// Home-affairs specialist (Sở/Phòng Nội vụ, công chức Văn phòng): plans, deadlines, reports, appraisal.
    Specialist,
    /// Agency staff (phòng ban, công chức chuyên môn): updates its agency's tasks, self-scores.
    AgencyStaff,
    /// Leader (Chủ tịch / Phó Chủ tịch UBND): reads everything in reach, approves.
    Leader,
    /// Read-only.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::Specialist, Role::AgencyStaff, Role::Leader, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Specialist => "specialist",
            Role::AgencyStaff => "agency_staff",
            Role::Leader => "leader",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị hệ thống",
            Role::Specialist => "Chuyên viên Nội vụ",
            Role::AgencyStaff => "Cán bộ cơ quan chuyên môn",
            Role::Leader => "Lãnh đạo",
            Role::Viewer => "Người xem",
        }
    }

    pub fn can(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Specialist => !matches!(p, ManageUsers | Approve | ImportResults),
            Role::AgencyStaff => matches!(p, View | UpdateTasks | SelfScore),
            Role::Leader => matches!(p, View | Approve),
            Role::Viewer => matches!(p, View),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    View,
    ManageUnits,
    ManageUsers,
    EditPlans,
    UpdateTasks,
    SelfScore,
    Appraise,
    Approve,
    /// Import official index results (national data): administrators only.
    ImportResults,
}

impl Permission {
    pub fn name_vi(self) -> &'static str {
        match self {
            Permission::View => "xem",
            Permission::ManageUnits => "quản lý đơn vị",
            Permission::ManageUsers => "quản lý tài khoản",
            Permission::EditPlans => "soạn và ban hành kế hoạch",
            Permission::UpdateTasks => "cập nhật tiến độ nhiệm vụ",
            Permission::SelfScore => "tự chấm điểm",
            Permission::Appraise => "thẩm định điểm",
            Permission::Approve => "phê duyệt",
            Permission::ImportResults => "nhập kết quả chỉ số chính thức",
        }
    }
}

/// Where a scope reaches in the unit tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reach {
    /// Every unit (the system itself, or an administrator without a home unit).
    All,
    /// A unit and all its descendants. `path` is the unit's materialised path ("/3/17/").
    Subtree { unit_id: i64, path: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct Scope {
    pub user_id: Option<i64>,
    /// Who acts, for the audit log ("nv.mocchau", or "system:cli").
    pub actor: String,
    pub role: Role,
    pub reach: Reach,
    /// Agency staff act for one agency of their unit.
    pub agency_id: Option<i64>,
}

impl Scope {
    /// The system itself (CLI batch commands, demo loader): reaches everything, audited as `actor`.
    pub fn system(actor: &str) -> Scope {
        Scope { user_id: None, actor: format!("system:{actor}"), role: Role::Admin, reach: Reach::All, agency_id: None }
    }

    /// Does this scope reach the unit with materialised path `path`?
    pub fn reaches_path(&self, path: &str) -> bool {
        match &self.reach {
            Reach::All => true,
            Reach::Subtree { path: root, .. } => path.starts_with(root.as_str()),
        }
    }

    pub fn can(&self, p: Permission) -> bool {
        self.role.can(p)
    }

    /// The path prefix to filter SQL with (`path LIKE prefix || '%'`); "/" reaches all.
    pub fn path_prefix(&self) -> &str {
        match &self.reach {
            Reach::All => "/",
            Reach::Subtree { path, .. } => path,
        }
    }
}

/// Failed logins for one username from one address allowed before the back-off starts.
pub const FREE_FAILED_LOGINS: i64 = 5;
/// The first wait after the free attempts; each further failure doubles it, up to [`MAX_LOGIN_BACKOFF_MS`].
pub const LOGIN_BACKOFF_BASE_MS: i64 = 30 * 1000;
pub const MAX_LOGIN_BACKOFF_MS: i64 = 15 * 60 * 1000;

/// How long a username+address pair must wait after its last failure, given its consecutive failures.
/// Exponential and bounded, and per pair: an attacker elsewhere (or with other usernames) slows only
/// themself, never the real user at their own address.
pub fn login_backoff_ms(failures: i64) -> i64 {
    if failures < FREE_FAILED_LOGINS {
        return 0;
    }
    let doublings = (failures - FREE_FAILED_LOGINS).min(20) as u32;
    LOGIN_BACKOFF_BASE_MS.saturating_mul(1i64 << doublings).min(MAX_LOGIN_BACKOFF_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commune_scope() -> Scope {
        Scope {
            user_id: Some(7),
            actor: "xa".into(),
            role: Role::Specialist,
            reach: Reach::Subtree { unit_id: 5, path: "/1/3/5/".into() },
            agency_id: None,
        }
    }

    #[test]
    fn subtree_reach_is_by_path_prefix_not_by_number_prefix() {
        let s = commune_scope();
        assert!(s.reaches_path("/1/3/5/"));
        assert!(s.reaches_path("/1/3/5/9/"));
        assert!(!s.reaches_path("/1/3/"), "parent is outside");
        assert!(!s.reaches_path("/1/3/6/"), "sibling is outside");
        assert!(!s.reaches_path("/1/3/55/"), "a sibling whose id starts with the same digits is outside");
        assert!(Scope::system("t").reaches_path("/1/"));
    }

    #[test]
    fn roles_grant_what_they_should() {
        assert!(Role::AgencyStaff.can(Permission::UpdateTasks));
        assert!(!Role::AgencyStaff.can(Permission::EditPlans));
        assert!(!Role::Viewer.can(Permission::UpdateTasks));
        assert!(Role::Specialist.can(Permission::Appraise));
        assert!(!Role::Specialist.can(Permission::ManageUsers));
        assert!(!Role::Specialist.can(Permission::ImportResults));
        assert!(Role::Admin.can(Permission::ImportResults));
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }

    #[test]
    fn login_backoff_is_exponential_and_bounded() {
        assert_eq!(login_backoff_ms(0), 0);
        assert_eq!(login_backoff_ms(FREE_FAILED_LOGINS - 1), 0);
        assert_eq!(login_backoff_ms(FREE_FAILED_LOGINS), LOGIN_BACKOFF_BASE_MS);
        assert_eq!(login_backoff_ms(FREE_FAILED_LOGINS + 1), 2 * LOGIN_BACKOFF_BASE_MS);
        assert_eq!(login_backoff_ms(FREE_FAILED_LOGINS + 2), 4 * LOGIN_BACKOFF_BASE_MS);
        assert_eq!(login_backoff_ms(FREE_FAILED_LOGINS + 100), MAX_LOGIN_BACKOFF_MS);
    }
}
