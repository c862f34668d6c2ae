//! The audit log read as Vietnamese sentences: "nv.mocchau chốt phiếu chấm điểm số 2: Đã thẩm định lại →
//! Đã chốt kết quả", with the thing linked to its page and the person linked to the log of their changes.
//! Stored codes (statuses, periods, framework nodes, ISO dates, decimal points) are turned into what a
//! person reads; values that are already text stay as written.

use crate::auth::urlencode;
use crate::i18n::Lang;
use crate::labels;
use chiso_core::audit::{ActionKind, EntityKind};
use chiso_core::framework::FrameworkSet;
use chiso_core::plan::PlanStatus;
use chiso_core::progress::{ReportState, TaskStatus};
use chiso_core::results::SheetStatus;
use chiso_store::audit::AuditEntry;
use chiso_store::surveys::SurveyStatus;

/// One audit entry as a sentence.
pub struct AuditLine {
    pub id: i64,
    /// "18/02/2022 14:05", Vietnam time.
    pub when: String,
    pub actor: String,
    /// The log filtered by this person.
    pub actor_href: String,
    /// "chốt"
    pub verb: String,
    /// "phiếu chấm điểm"
    pub noun: &'static str,
    /// "số 2", "Xã Chiềng Sơn (03985)", "nv.huyen"
    pub object: String,
    /// The thing's page, when it has one.
    pub href: Option<String>,
    /// What changed: "tiêu chí 1.2 – …: 8,5 → 9" or "Đã thẩm định lại → Đã chốt kết quả".
    pub detail: String,
    pub reason: Option<String>,
    pub unit_name: Option<String>,
    pub unit_href: Option<String>,
}

impl AuditLine {
    /// The whole sentence as plain text (CSV export, tests).
    pub fn sentence(&self) -> String {
        let mut s = format!("{} {} {} {}", self.actor, self.verb, self.noun, self.object);
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

pub fn lines(entries: Vec<AuditEntry>, frameworks: &FrameworkSet) -> Vec<AuditLine> {
    entries.into_iter().map(|e| line(e, frameworks)).collect()
}

pub fn line(e: AuditEntry, frameworks: &FrameworkSet) -> AuditLine {
    let entity = EntityKind::parse(&e.entity);
    let action = ActionKind::parse(&e.action);
    let verb = match action {
        Some(a) => a.verb_vi().to_string(),
        None => "thay đổi".to_string(),
    };
    let noun = entity.map(EntityKind::noun_vi).unwrap_or("mục");
    let (object, href) = object_of(entity, &e);
    let field = field_label(entity, e.field.as_deref(), frameworks);
    let old = e.old_value.as_deref().map(|v| value_vi(entity, &e.entity, v, frameworks)).filter(|v| !v.is_empty());
    let new = e.new_value.as_deref().map(|v| value_vi(entity, &e.entity, v, frameworks)).filter(|v| !v.is_empty());
    let change = match (old, new) {
        (Some(o), Some(n)) => format!("{o} → {n}"),
        (None, Some(n)) => n,
        (Some(o), None) => format!("{o} → (bỏ trống)"),
        (None, None) => String::new(),
    };
    let detail = match field {
        Some(f) if !change.is_empty() => format!("{f}: {change}"),
        Some(f) => f,
        None => change,
    };
    AuditLine {
        id: e.id,
        when: crate::pages::format_ms(e.at),
        actor_href: format!("/audit?actor={}", urlencode(&e.actor)),
        actor: e.actor,
        verb,
        noun,
        object,
        href,
        detail,
        // A reason is written by a person, or by the system with codes in it ("par_index năm 2024").
        reason: e.reason.filter(|r| !r.trim().is_empty()).map(|r| labels::audit_value(Lang::Vi, frameworks, "", &r)),
        unit_href: e.unit_code.as_deref().map(|c| format!("/units/{}", urlencode(c))),
        unit_name: e.unit_name,
    }
}

fn object_of(entity: Option<EntityKind>, e: &AuditEntry) -> (String, Option<String>) {
    let id = e.entity_id.as_str();
    let numbered = || format!("số {id}");
    let numeric = id.parse::<i64>().is_ok();
    match entity {
        Some(EntityKind::Plan) if numeric => (numbered(), Some(format!("/plans/{id}"))),
        Some(EntityKind::Task) if numeric => (numbered(), Some(format!("/tasks/{id}"))),
        Some(EntityKind::Assessment) if numeric => (numbered(), Some(format!("/assessments/{id}"))),
        Some(EntityKind::Survey) if numeric => (numbered(), Some(format!("/surveys/{id}"))),
        Some(EntityKind::Report) if numeric => (numbered(), e.unit_code.as_deref().map(|c| format!("/reports?unit={}", urlencode(c)))),
        Some(EntityKind::Unit) => {
            let name = match (&e.unit_name, &e.unit_code) {
                (Some(n), Some(c)) if c == id => format!("{n} ({id})"),
                _ => id.to_string(),
            };
            (name, Some(format!("/units/{}", urlencode(id))))
        }
        Some(EntityKind::Agency) if numeric => (numbered(), e.unit_code.as_deref().map(|c| format!("/units/{}", urlencode(c)))),
        Some(EntityKind::User) if id != "bulk" => (id.to_string(), Some(format!("/audit?actor={}", urlencode(id)))),
        Some(EntityKind::Results) => {
            let (fw, year) = id.split_once('/').unwrap_or((id, ""));
            (format!("{} năm {year}", fw.to_uppercase()), Some(format!("/results/{}/{}", urlencode(fw), urlencode(year))))
        }
        Some(EntityKind::Result) => {
            let mut parts = id.splitn(3, '/');
            let (fw, year, code) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let name = e.unit_name.clone().unwrap_or_else(|| code.to_string());
            (format!("{} năm {year} của {name}", fw.to_uppercase()), Some(format!("/results/{}/{}", urlencode(fw), urlencode(year))))
        }
        _ if id == "bulk" => ("(dữ liệu thử tải)".to_string(), None),
        _ => (id.to_string(), None),
    }
}

/// What the entry's field is, in words: the status is said by its values; a framework node by its name.
fn field_label(entity: Option<EntityKind>, field: Option<&str>, frameworks: &FrameworkSet) -> Option<String> {
    let field = field?.trim();
    match field {
        "" | "status" | "unit_id" | "parent_id" | "parent_plan_id" | "invitations" | "responses" | "estimates" => None,
        "total" => Some("điểm tổng".into()),
        node if entity == Some(EntityKind::Assessment) => Some(node_label(node, frameworks)),
        other => Some(other.to_string()),
    }
}

/// "A1.2 – Ban hành kế hoạch …" for a framework node; the code itself if no framework has it.
fn node_label(code: &str, frameworks: &FrameworkSet) -> String {
    match frameworks.frameworks().iter().find_map(|f| f.node(code)) {
        Some(n) => format!("{} – {}", chiso_core::plan::node_short(code), n.name_vi),
        None => code.to_string(),
    }
}

/// A stored value as a person reads it: the status at its head by its name, then every code, ISO date,
/// period and decimal point as [`labels::audit_value`] reads them (the one place for that).
fn value_vi(entity: Option<EntityKind>, entity_raw: &str, v: &str, frameworks: &FrameworkSet) -> String {
    let v = v.trim();
    // A status code at the start ("issued 426/KH-UBND ngày 2022-02-18", "submitted 2022-H1 (muộn)").
    let (head, rest) = match v.split_once(' ') {
        Some((h, r)) => (h, Some(r)),
        None => (v, None),
    };
    let label = match entity {
        Some(EntityKind::Assessment) => SheetStatus::parse(head).map(SheetStatus::name_vi),
        Some(EntityKind::Task) => TaskStatus::parse(head).map(TaskStatus::label_vi),
        Some(EntityKind::Report) => ReportState::parse(head).map(report_state_vi),
        Some(EntityKind::Plan) => PlanStatus::parse(head).map(PlanStatus::name_vi),
        Some(EntityKind::Survey) => SurveyStatus::parse(head).map(SurveyStatus::name_vi),
        _ => None,
    };
    let text = match (label, rest) {
        (Some(l), Some(r)) => format!("{l} {r}"),
        (Some(l), None) => l.to_string(),
        (None, _) => v.to_string(),
    };
    labels::audit_value(Lang::Vi, frameworks, entity_raw, &text)
}

fn report_state_vi(s: ReportState) -> &'static str {
    match s {
        ReportState::Submitted => "Đã gửi",
        ReportState::Returned => "Bị trả lại để chỉnh sửa",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(entity: &str, id: &str, action: &str, field: Option<&str>, old: Option<&str>, new: Option<&str>) -> AuditEntry {
        AuditEntry {
            id: 1,
            at: 1_645_150_000_000,
            actor: "nv.mocchau".into(),
            unit_id: Some(3),
            entity: entity.into(),
            entity_id: id.into(),
            action: action.into(),
            field: field.map(String::from),
            old_value: old.map(String::from),
            new_value: new.map(String::from),
            reason: None,
            unit_code: Some("123".into()),
            unit_name: Some("Huyện Mộc Châu".into()),
        }
    }

    #[test]
    fn entries_read_as_vietnamese_sentences_with_links() {
        let fw = FrameworkSet::builtin().expect("frameworks");
        let l = line(entry("assessment", "2", "finalise", Some("status"), Some("re_appraised"), Some("finalised")), &fw);
        assert_eq!(l.sentence(), "nv.mocchau chốt phiếu chấm điểm số 2: Đã thẩm định lại → Đã chốt kết quả");
        assert_eq!(l.href.as_deref(), Some("/assessments/2"));
        assert_eq!(l.actor_href, "/audit?actor=nv.mocchau");
        assert_eq!(l.unit_href.as_deref(), Some("/units/123"));
        let l = line(entry("plan", "7", "issue", Some("status"), Some("draft"), Some("issued 426/KH-UBND ngày 2022-02-18")), &fw);
        assert_eq!(l.sentence(), "nv.mocchau ban hành kế hoạch số 7: Dự thảo → Đã ban hành 426/KH-UBND ngày 18/02/2022");
        assert_eq!(l.href.as_deref(), Some("/plans/7"));
        let l = line(entry("report", "4", "submit", Some("status"), None, Some("submitted 2022-H1 (muộn)")), &fw);
        assert!(l.sentence().contains("gửi báo cáo số 4: Đã gửi 6 tháng đầu năm 2022 (muộn)"), "{}", l.sentence());
        let l = line(entry("task", "9", "progress", Some("status"), Some("not_started"), Some("in_progress (40%)")), &fw);
        assert!(l.sentence().ends_with("Chưa thực hiện → Đang thực hiện (40%)"), "{}", l.sentence());
        let l = line(entry("assessment", "2", "self_score", Some("par.a1.c1"), Some("1.5"), Some("2.25")), &fw);
        assert!(l.detail.ends_with(": 1,5 → 2,25") && !l.detail.contains("par.a1"), "{}", l.detail);
        let l = line(entry("unit", "123", "update", None, None, Some("x")), &fw);
        assert_eq!(l.object, "Huyện Mộc Châu (123)");
    }

    #[test]
    fn unknown_kinds_still_read_as_a_sentence() {
        let fw = FrameworkSet::builtin().expect("frameworks");
        let l = line(entry("widget", "5", "frobnicate", None, None, None), &fw);
        assert_eq!(l.sentence(), "nv.mocchau thay đổi mục 5");
        let l = line(entry("unit", "04045", "create", None, None, Some("Xã Lóng Sập | commune | 0001-01-01")), &fw);
        assert!(!l.detail.contains("commune") && !l.detail.contains("0001"), "{}", l.detail);
    }
}
