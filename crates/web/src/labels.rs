//! What a person reads in place of a code: every enum value, framework family and node, survey group, unit
//! level and the values of the audit log, in Vietnamese (English when the user chose it). The one place
//! pages take labels from; the Vietnamese names of the domain enums stay in chiso-core (`name_vi`,
//! `label_vi`) and are read from there.

use crate::i18n::Lang;
use chiso_core::access::Role;
use chiso_core::framework::{FrameworkSet, Source};
use chiso_core::plan::PlanStatus;
use chiso_core::progress::{ReportState, TaskStatus};
use chiso_core::results::SheetStatus;

fn pick(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::En { en } else { vi }
}

/// A framework family as the frameworks name themselves: "PAR_INDEX" → "PAR INDEX".
pub fn family(code: &str) -> String {
    match code.trim() {
        "PAPI" | "papi" => "PAPI".into(),
        "PAR_INDEX" | "par_index" => "PAR INDEX".into(),
        "SIPAS" | "sipas" => "SIPAS".into(),
        "PCI" | "pci" => "PCI".into(),
        c => c.replace('_', " ").to_uppercase(),
    }
}

/// A list of families as stored on a plan ("PAPI,PAR_INDEX") → "PAPI, PAR INDEX".
pub fn families(codes: &str) -> String {
    codes.split([',', ';']).map(str::trim).filter(|c| !c.is_empty()).map(family).collect::<Vec<_>>().join(", ")
}

/// A framework by its code ("par_index") → how it names itself in short ("PAR INDEX"), for titles.
pub fn framework(code: &str) -> String {
    family(code)
}

/// A framework node as a person reads it: a dimension as the plan names it ("Nội dung 3 – Công khai, minh
/// bạch", "Lĩnh vực 2 – …"), a deeper node by its Vietnamese name. A code no framework knows is shown as
/// written (the pick lists refuse unknown codes; old data may hold one).
pub fn node(frameworks: &FrameworkSet, code: &str) -> String {
    let depth = code.split('.').count();
    if depth == 2 {
        return chiso_core::plan::dimension_label(frameworks, code);
    }
    frameworks.frameworks().iter().find_map(|f| f.node(code)).map(|n| n.name_vi.clone()).unwrap_or_else(|| code.to_string())
}

/// A task group as stored on a task ("improve") → its name ("Phấn đấu đạt điểm tối đa"); anything else as
/// written (a group a person typed).
pub fn task_group(code: &str) -> String {
    chiso_core::plan::parse_task_group(code).map(chiso_core::plan::task_group_vi).map(String::from).unwrap_or_else(|| code.to_string())
}

/// Where a node's score comes from.
pub fn source(lang: Lang, s: Source) -> &'static str {
    match s {
        Source::Survey => pick(lang, "Điều tra xã hội học", "Survey"),
        Source::SelfAssessment => pick(lang, "Tự đánh giá, có thẩm định", "Self-assessment, appraised"),
        Source::Computed => pick(lang, "Tổng hợp từ tiêu chí con", "Sum of its parts"),
    }
}

/// A respondent group of a survey. The shipped questionnaires' groups have names; a group a questionnaire
/// author made up is shown as written.
pub fn survey_group(lang: impl std::borrow::Borrow<Lang>, code: &str) -> String {
    let lang = *lang.borrow();
    match code {
        "nguoi_dan" => pick(lang, "Người dân", "Citizens").into(),
        "doanh_nghiep" => pick(lang, "Doanh nghiệp", "Businesses").into(),
        "can_bo_cong_chuc" => pick(lang, "Cán bộ, công chức", "Civil servants").into(),
        "to_chuc" => pick(lang, "Tổ chức", "Organisations").into(),
        c => c.to_string(),
    }
}

/// A unit level code ("commune") when no level table is at hand (the audit log).
pub fn unit_level(lang: Lang, code: &str) -> Option<&'static str> {
    Some(match code {
        "province" => pick(lang, "Cấp tỉnh", "Province"),
        "district" => pick(lang, "Cấp huyện", "District"),
        "commune" => pick(lang, "Cấp xã", "Commune"),
        _ => return None,
    })
}

pub fn role(lang: Lang, r: Role) -> &'static str {
    match lang {
        Lang::Vi => r.name_vi(),
        Lang::En => match r {
            Role::Admin => "Administrator",
            Role::Specialist => "Home-affairs specialist",
            Role::AgencyStaff => "Agency staff",
            Role::Leader => "Leader",
            Role::Viewer => "Viewer",
        },
    }
}

pub fn plan_status(lang: Lang, s: PlanStatus) -> &'static str {
    match (lang, s) {
        (Lang::Vi, s) => s.name_vi(),
        (Lang::En, PlanStatus::Draft) => "Draft",
        (Lang::En, PlanStatus::Issued) => "Issued",
    }
}

pub fn task_status(lang: Lang, s: TaskStatus) -> &'static str {
    if lang == Lang::En { s.label_en() } else { s.label_vi() }
}

pub fn sheet_status(lang: Lang, s: SheetStatus) -> &'static str {
    match (lang, s) {
        (Lang::Vi, s) => s.name_vi(),
        (Lang::En, SheetStatus::Draft) => "Self-scoring",
        (Lang::En, SheetStatus::Submitted) => "Submitted, awaiting appraisal",
        (Lang::En, SheetStatus::Appraised) => "Appraised",
        (Lang::En, SheetStatus::Explained) => "Explained, awaiting re-appraisal",
        (Lang::En, SheetStatus::ReAppraised) => "Re-appraised",
        (Lang::En, SheetStatus::Finalised) => "Finalised",
    }
}

pub fn report_state(lang: Lang, s: ReportState) -> &'static str {
    match s {
        ReportState::Submitted => pick(lang, "Đã gửi", "Submitted"),
        ReportState::Returned => pick(lang, "Trả lại để sửa", "Returned for correction"),
    }
}

/// An ISO date ("2022-02-25") as a Vietnamese table date ("25/02/2022"); the day before every unit list
/// (`0001-01-01`, "in force since before the list") as words.
pub fn date(lang: Lang, iso: &str) -> Option<String> {
    if iso == "0001-01-01" {
        return Some(pick(lang, "trước khi có danh mục", "before the list").to_string());
    }
    chiso_core::unit::parse_date(iso).map(chiso_core::text::vn_date_short)
}

/// A date in a table: dd/mm/yyyy, "—" for the day before every unit list (`0001-01-01`), anything that is
/// not an ISO date as written.
pub fn table_date(iso: &str) -> String {
    if iso == chiso_core::unit::SINCE_EVER {
        return "—".into();
    }
    chiso_core::unit::parse_date(iso).map(chiso_core::text::vn_date_short).unwrap_or_else(|| iso.to_string())
}

/// What an entity of the audit log is called.
pub fn audit_entity(lang: Lang, entity: &str) -> &str {
    match entity {
        "unit" => pick(lang, "Đơn vị", "Unit"),
        "agency" => pick(lang, "Cơ quan", "Agency"),
        "user" => pick(lang, "Tài khoản", "Account"),
        "plan" => pick(lang, "Kế hoạch", "Plan"),
        "task" => pick(lang, "Nhiệm vụ", "Task"),
        "report" => pick(lang, "Báo cáo", "Report"),
        "survey" => pick(lang, "Khảo sát", "Survey"),
        "assessment" => pick(lang, "Phiếu chấm điểm", "Score sheet"),
        "result" => pick(lang, "Kết quả chỉ số", "Index result"),
        "results" => pick(lang, "Bộ kết quả chỉ số", "Index results"),
        "session" => pick(lang, "Phiên đăng nhập", "Session"),
        "notification" => pick(lang, "Thông báo", "Notification"),
        e => e,
    }
}

/// What was done, in the audit log.
pub fn audit_action(lang: Lang, action: &str) -> &str {
    match action {
        "create" => pick(lang, "tạo mới", "created"),
        "update" => pick(lang, "sửa", "edited"),
        "delete" => pick(lang, "xóa", "deleted"),
        "issue" => pick(lang, "ban hành", "issued"),
        "submit" => pick(lang, "gửi", "submitted"),
        "return" => pick(lang, "trả lại", "returned"),
        "progress" => pick(lang, "cập nhật tiến độ", "progress update"),
        "estimate" => pick(lang, "ước lượng", "estimated"),
        "invite" => pick(lang, "tạo phiếu mời", "invitations made"),
        "import" => pick(lang, "nhập dữ liệu", "imported"),
        "import_responses" => pick(lang, "nhập câu trả lời", "responses imported"),
        "self_score" => pick(lang, "tự chấm", "self score"),
        "appraise" => pick(lang, "thẩm định", "appraisal"),
        "explain" | "explanation" => pick(lang, "giải trình", "explanation"),
        "evidence" => pick(lang, "tài liệu kiểm chứng", "evidence"),
        "finalise" => pick(lang, "chốt kết quả", "finalised"),
        "complete_appraisal" => pick(lang, "hoàn thành thẩm định", "appraisal completed"),
        "reopen" => pick(lang, "mở lại", "reopened"),
        "confirm" | "review" => pick(lang, "xác nhận", "confirmed"),
        "move" => pick(lang, "chuyển", "moved"),
        "close" => pick(lang, "đóng", "closed"),
        "merge" => pick(lang, "sáp nhập", "merged"),
        "link" => pick(lang, "liên kết", "linked"),
        "login" => pick(lang, "đăng nhập", "login"),
        a => a,
    }
}

/// Which field changed, in the audit log: a framework node is named, other fields translated.
pub fn audit_field(lang: Lang, frameworks: &FrameworkSet, field: &str) -> String {
    let known = match field {
        "status" => Some(pick(lang, "trạng thái", "status")),
        "estimates" => Some(pick(lang, "ước lượng", "estimates")),
        "invitations" => Some(pick(lang, "phiếu mời", "invitations")),
        "responses" => Some(pick(lang, "câu trả lời", "responses")),
        "total" => Some(pick(lang, "tổng điểm", "total")),
        "lead" | "lead_agency" => Some(pick(lang, "cơ quan chủ trì", "lead agency")),
        "due" | "due_date" => Some(pick(lang, "hạn", "due date")),
        "nodes" => Some(pick(lang, "tiêu chí", "index nodes")),
        "password" => Some(pick(lang, "mật khẩu", "password")),
        "role" => Some(pick(lang, "vai trò", "role")),
        "parent" => Some(pick(lang, "cấp trên", "parent")),
        _ => None,
    };
    match known {
        Some(k) => k.to_string(),
        None if field.contains('.') => node(frameworks, field),
        None => field.to_string(),
    }
}

/// A value of the audit log as a person reads it. Values are written when the change is made, as short
/// texts that may start with a code ("draft — Kế hoạch …", "in_progress (30%)", "specialist (Nguyễn Văn A)",
/// "Xã Lóng Sập | commune | 0001-01-01", "issued 12/KH-UBND ngày 2022-02-25", "44.5217"): every word that
/// is a known code becomes its label, ISO dates become dd/mm/yyyy, decimal points decimal commas. Text that
/// a person wrote (a title, a reason) is left alone except for those.
pub fn audit_value(lang: Lang, frameworks: &FrameworkSet, entity: &str, value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            out.push_str(&audit_word(lang, frameworks, entity, word));
            word.clear();
        }
    };
    for c in value.chars() {
        if c.is_whitespace() || matches!(c, '(' | ')' | ',' | ';' | '|' | '—') {
            // A trailing full stop or colon stays outside the word.
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn audit_word(lang: Lang, frameworks: &FrameworkSet, entity: &str, word: &str) -> String {
    let (core, tail) = match word.strip_suffix([':', '.']) {
        Some(c) if !c.is_empty() && !c.ends_with(|ch: char| ch.is_ascii_digit()) => (c, &word[c.len()..]),
        _ => (word, ""),
    };
    let label: Option<String> = match entity {
        "plan" => PlanStatus::parse(core).map(|s| plan_status(lang, s).to_string()),
        "task" => TaskStatus::parse(core).map(|s| task_status(lang, s).to_string()),
        "report" => ReportState::parse(core).map(|s| report_state(lang, s).to_string()),
        "assessment" => SheetStatus::parse(core).map(|s| sheet_status(lang, s).to_string()),
        "survey" => match core {
            "open" => Some(pick(lang, "Đang nhận phiếu", "Open").into()),
            "closed" => Some(pick(lang, "Đã đóng", "Closed").into()),
            _ => None,
        },
        "user" => Role::parse(core).map(|r| role(lang, r).to_string()),
        "unit" => unit_level(lang, core).map(String::from),
        _ => None,
    };
    if let Some(l) = label {
        return format!("{l}{tail}");
    }
    if let Some(d) = date(lang, core) {
        return format!("{d}{tail}");
    }
    if let Some(p) = core.contains('-').then(|| chiso_core::period::Period::parse(core).ok()).flatten() {
        return format!("{}{tail}", if lang == Lang::En { p.label_en() } else { p.label_vi() });
    }
    if core.contains('_') && core.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        let g = survey_group(lang, core);
        if g != core {
            return format!("{g}{tail}");
        }
        // A framework code ("par_index").
        if frameworks.frameworks().iter().any(|f| f.code == core) {
            return format!("{}{tail}", framework(core));
        }
    }
    if core.contains('.')
        && core.starts_with(|c: char| c.is_ascii_lowercase())
        && frameworks.frameworks().iter().any(|f| f.node(core).is_some())
    {
        return format!("{}{tail}", node(frameworks, core));
    }
    if frameworks.frameworks().iter().any(|f| f.code == core) {
        return format!("{}{tail}", framework(core));
    }
    match decimal(core) {
        Some(d) => format!("{d}{tail}"),
        None => word.to_string(),
    }
}

/// "44.5217" → "44,5217"; anything else None.
fn decimal(s: &str) -> Option<String> {
    let (int, frac) = s.split_once('.')?;
    let digits = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    let int_ok = digits(int.strip_prefix('-').unwrap_or(int));
    (int_ok && digits(frac)).then(|| format!("{int},{frac}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_values_read_in_vietnamese() {
        let fw = FrameworkSet::builtin().expect("frameworks");
        let v = |entity: &str, value: &str| audit_value(Lang::Vi, &fw, entity, value);
        assert_eq!(v("task", "in_progress (30%)"), "Đang thực hiện (30%)");
        assert_eq!(v("plan", "issued 12/KH-UBND ngày 2022-02-25"), "Đã ban hành 12/KH-UBND ngày 25/02/2022");
        assert_eq!(v("unit", "Xã Lóng Sập | commune | 0001-01-01"), "Xã Lóng Sập | Cấp xã | trước khi có danh mục");
        assert_eq!(v("result", "44.5217"), "44,5217");
        assert_eq!(v("user", "specialist (Nguyễn Văn A)"), "Chuyên viên Nội vụ (Nguyễn Văn A)");
        assert_eq!(v("survey", "5 phiếu mời, nhóm nguoi_dan"), "5 phiếu mời, nhóm Người dân");
        assert_eq!(v("assessment", "draft"), "Đang tự chấm");
        // A title someone wrote keeps its words: "draft" is a code only where a status is.
        assert_eq!(v("plan", "draft — Kế hoạch số 1.5"), "Dự thảo — Kế hoạch số 1,5");
        assert_eq!(audit_value(Lang::En, &fw, "task", "done (100%)"), "Done (100%)");
    }

    #[test]
    fn nodes_and_families_are_named() {
        let fw = FrameworkSet::builtin().expect("frameworks");
        assert!(node(&fw, "papi.d1").starts_with("Nội dung 1 – "));
        assert!(!node(&fw, "papi.d1.s1").contains("papi"));
        assert_eq!(families("PAPI,PAR_INDEX"), "PAPI, PAR INDEX");
        assert_eq!(task_group("improve"), "Phấn đấu đạt điểm tối đa");
        assert_eq!(task_group("Nhóm riêng"), "Nhóm riêng");
        assert_eq!(framework("par_index"), "PAR INDEX");
        assert_eq!(audit_value(Lang::Vi, &fw, "", "par_index năm 2024"), "PAR INDEX năm 2024");
    }
}
