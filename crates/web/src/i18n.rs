//! Interface language: Vietnamese first, English second. The choice lives in a `lang` cookie.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn from_cookie(v: Option<&str>) -> Lang {
        match v {
            Some("en") => Lang::En,
            _ => Lang::Vi,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Translate a UI label. Unknown keys show the key itself, which a test catches.
    pub fn t(self, key: &str) -> &'static str {
        match DICT.iter().find(|(k, _, _)| *k == key) {
            Some((_, vi, en)) => match self {
                Lang::Vi => vi,
                Lang::En => en,
            },
            None => "??",
        }
    }
}

/// (key, Vietnamese, English)
pub const DICT: &[(&str, &str, &str)] = &[
    ("app", "chiso – Nâng cao chỉ số quản trị", "chiso – governance index improvement"),
    ("home", "Trang chủ", "Home"),
    ("my_work", "Việc của tôi", "My work"),
    ("menu", "Danh mục", "Menu"),
    ("notifications", "Thông báo", "Notifications"),
    ("unread", "chưa đọc", "unread"),
    ("units", "Đơn vị hành chính", "Administrative units"),
    ("unit", "Đơn vị", "Unit"),
    ("frameworks", "Bộ chỉ số", "Index frameworks"),
    ("framework", "Bộ chỉ số", "Framework"),
    ("plans", "Kế hoạch", "Plans"),
    ("surveys", "Khảo sát", "Surveys"),
    ("reports", "Báo cáo", "Reports"),
    ("dashboard", "Bảng điều khiển", "Dashboard"),
    ("overview", "Tổng quan", "Overview"),
    ("users", "Tài khoản", "Accounts"),
    ("audit", "Nhật ký thay đổi", "Audit log"),
    ("login", "Đăng nhập", "Log in"),
    ("logout", "Đăng xuất", "Log out"),
    ("username", "Tên đăng nhập", "Username"),
    ("password", "Mật khẩu", "Password"),
    ("welcome", "Xin chào", "Welcome"),
    ("role", "Vai trò", "Role"),
    ("scope", "Phạm vi", "Scope"),
    ("permissions", "Quyền", "Permissions"),
    ("code", "Mã", "Code"),
    ("name", "Tên", "Name"),
    ("level", "Cấp", "Level"),
    ("parent", "Cấp trên", "Parent"),
    ("valid_from", "Hiệu lực từ", "Valid from"),
    ("valid_to", "Hiệu lực đến", "Valid to"),
    ("status", "Trạng thái", "Status"),
    ("in_force", "Đang hoạt động", "In force"),
    ("closed", "Đã giải thể/sáp nhập", "Closed/merged"),
    ("successor", "Đơn vị kế thừa", "Successor"),
    ("unit_closed_after", "đã hết hiệu lực sau", "ceased to exist after"),
    ("your_unit", "Đơn vị của bạn", "Your unit"),
    ("moved_to", "Địa bàn đã chuyển về", "Its area went to"),
    ("no_successor", "Chưa ghi nhận đơn vị kế thừa.", "No successor is recorded."),
    (
        "account_stays",
        "Tài khoản và dữ liệu vẫn gắn với đơn vị cũ cho đến khi quản trị viên chuyển sang đơn vị mới.",
        "Your account and data stay with the old unit until an administrator moves them to the new one.",
    ),
    ("formed_from", "Hình thành từ", "Formed from"),
    ("unit_moves", "Sắp xếp đơn vị sau sáp nhập", "Units after a merger"),
    ("share_whole", "toàn bộ", "whole"),
    ("share_main", "phần lớn nhất", "main part"),
    ("share_part", "một phần", "part"),
    ("children", "Đơn vị trực thuộc", "Subordinate units"),
    ("agencies", "Cơ quan, đơn vị chuyên môn", "Agencies"),
    ("search", "Tìm kiếm", "Search"),
    ("filter", "Lọc", "Filter"),
    ("all_levels", "Mọi cấp", "All levels"),
    ("show_closed", "Hiện cả đơn vị đã giải thể/sáp nhập", "Show closed and merged units"),
    ("import_csv", "Nhập từ CSV", "Import CSV"),
    ("export_csv", "Xuất CSV", "Export CSV"),
    ("add_unit", "Thêm đơn vị trực thuộc", "Add a subordinate unit"),
    ("add_agency", "Thêm cơ quan", "Add an agency"),
    ("save", "Lưu", "Save"),
    ("year", "Năm", "Year"),
    ("points", "Điểm tối đa / thang điểm", "Max points / scale"),
    ("source", "Nguồn điểm", "Score source"),
    ("years", "Áp dụng các năm", "Applies to years"),
    ("nodes", "Số tiêu chí", "Nodes"),
    ("view", "Xem", "View"),
    ("none", "Không có", "None"),
    ("history", "Lịch sử", "History"),
    ("when", "Thời điểm", "When"),
    ("who", "Người thực hiện", "Who"),
    ("action", "Thao tác", "Action"),
    ("old_value", "Giá trị cũ", "Old value"),
    ("new_value", "Giá trị mới", "New value"),
    ("language", "English", "Tiếng Việt"),
    ("you_can", "Bạn được", "You may"),
    ("total_units", "đơn vị trong phạm vi", "units in scope"),
    ("full_name", "Họ và tên", "Full name"),
    ("create", "Tạo", "Create"),
    ("kind", "Loại", "Kind"),
    ("results", "Kết quả chỉ số", "Index results"),
    ("assessments", "Chấm điểm CCHC", "PAR score sheets"),
    ("ranking", "Xếp hạng", "Ranking"),
    ("rank", "Hạng", "Rank"),
    ("total", "Tổng điểm", "Total"),
    ("change", "Thay đổi", "Change"),
    ("not_published", "Không công bố", "Not published"),
    ("partially_published", "Công bố một phần", "Partially published"),
    ("national_mean", "Trung bình toàn quốc", "National mean"),
    ("best_score", "Cao nhất", "Best"),
    ("weak_points", "Điểm yếu", "Weak points"),
    ("points_lost", "Điểm mất", "Points lost"),
    ("gap_to_best", "Cách cao nhất", "Gap to best"),
    ("task_group", "Nhóm nhiệm vụ", "Task group"),
    ("plan_outline", "Dàn ý kế hoạch năm", "Plan outline for"),
    ("import_results", "Nhập kết quả", "Import results"),
    ("self_score", "Tự chấm", "Self score"),
    ("appraised_score", "Thẩm định", "Appraised"),
    ("difference", "Chênh lệch", "Difference"),
    ("evidence", "Tài liệu kiểm chứng", "Evidence"),
    ("missing_reason", "Lý do thiếu tài liệu", "Why evidence is missing"),
    ("explanation", "Giải trình", "Explanation"),
    ("reason", "Lý do", "Reason"),
    ("max_points", "Điểm tối đa", "Max points"),
    ("criterion", "Tiêu chí", "Criterion"),
    ("dimension", "Chỉ số nội dung", "Dimension"),
    ("trend", "Diễn biến qua các năm", "Trend over the years"),
    ("score_sheet", "Phiếu chấm điểm", "Score sheet"),
    ("new_sheet", "Lập phiếu chấm điểm", "New score sheet"),
    ("error", "Lỗi", "Error"),
    ("details", "Chi tiết", "Details (in Vietnamese)"),
    ("back", "Quay lại", "Back"),
];

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn keys_are_unique_and_translated() {
        let mut keys: Vec<&str> = DICT.iter().map(|d| d.0).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(n, keys.len(), "duplicate key");
        assert_eq!(Lang::Vi.t("units"), "Đơn vị hành chính");
        assert_eq!(Lang::En.t("units"), "Administrative units");
        assert_eq!(Lang::Vi.t("no-such-key"), "??");
    }
}
