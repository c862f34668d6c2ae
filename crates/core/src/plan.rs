//! Long (~1,140 lines, 320 of them tests): the plan rules (concern of a level, child titles, checklist, node
//! codes) read each other's private helpers; a split by rule is the next step, not done in this change.
//!
//! Plans and tasks: what a plan is made of, how a child plan is derived from its parent, the
//! compliance checklist (coverage of all dimensions, concrete tasks, issued on time), who leads a task,
//! and how framework node codes written in documents are read.

use crate::framework::{Family, Framework, FrameworkSet};
use crate::text::fold;
use crate::weakness::TaskGroup;
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Draft,
    Issued,
}

impl PlanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Issued => "issued",
        }
    }
    pub fn parse(s: &str) -> Option<PlanStatus> {
        match s {
            "draft" => Some(PlanStatus::Draft),
            "issued" => Some(PlanStatus::Issued),
            _ => None,
        }
    }
    pub fn name_vi(self) -> &'static str {
        match self {
            PlanStatus::Draft => "Dự thảo",
            PlanStatus::Issued => "Đã ban hành",
        }
    }
}

/// A stored plan status that is none of [`PlanStatus`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("trạng thái kế hoạch '{0}' không hợp lệ")]
pub struct UnknownPlanStatus(pub String);

/// Rows read from the database carry the status as text.
impl TryFrom<String> for PlanStatus {
    type Error = UnknownPlanStatus;
    fn try_from(s: String) -> Result<PlanStatus, UnknownPlanStatus> {
        PlanStatus::parse(&s).ok_or(UnknownPlanStatus(s))
    }
}

/// How often a task recurs, when it is not a one-off with a due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recurrence {
    Quarterly,
    HalfYearly,
    Yearly,
    /// "thường xuyên": ongoing, reported every period.
    Continuous,
}

impl Recurrence {
    pub fn as_str(self) -> &'static str {
        match self {
            Recurrence::Quarterly => "quarterly",
            Recurrence::HalfYearly => "half_yearly",
            Recurrence::Yearly => "yearly",
            Recurrence::Continuous => "continuous",
        }
    }
    pub fn parse(s: &str) -> Option<Recurrence> {
        [Recurrence::Quarterly, Recurrence::HalfYearly, Recurrence::Yearly, Recurrence::Continuous].into_iter().find(|r| r.as_str() == s)
    }
    pub fn name_vi(self) -> &'static str {
        match self {
            Recurrence::Quarterly => "Hằng quý",
            Recurrence::HalfYearly => "6 tháng",
            Recurrence::Yearly => "Hằng năm",
            Recurrence::Continuous => "Thường xuyên",
        }
    }
    /// Recognise a recurrence in a "time" text of a plan ("Thường xuyên", "Hằng quý", "6 tháng/lần").
    pub fn from_text(s: &str) -> Option<Recurrence> {
        let f = fold(s);
        if f.contains("thuong xuyen") || f.contains("lien tuc") {
            Some(Recurrence::Continuous)
        } else if ["hang quy", "moi quy", "quy/lan", "theo quy", "tung quy"].iter().any(|w| f.contains(w)) {
            Some(Recurrence::Quarterly)
        } else if f.contains("6 thang") || f.contains("sau thang") || f.contains("nua nam") {
            Some(Recurrence::HalfYearly)
        } else if ["hang nam", "moi nam", "nam/lan"].iter().any(|w| f.contains(w)) {
            Some(Recurrence::Yearly)
        } else {
            None
        }
    }
}

pub fn task_group_str(g: TaskGroup) -> &'static str {
    match g {
        TaskGroup::Keep => "keep",
        TaskGroup::Improve => "improve",
        TaskGroup::Survey => "survey",
    }
}

pub fn parse_task_group(s: &str) -> Option<TaskGroup> {
    match s {
        "keep" => Some(TaskGroup::Keep),
        "improve" => Some(TaskGroup::Improve),
        "survey" => Some(TaskGroup::Survey),
        _ => None,
    }
}

pub fn task_group_vi(g: TaskGroup) -> &'static str {
    match g {
        TaskGroup::Keep => "Duy trì điểm tối đa",
        TaskGroup::Improve => "Phấn đấu đạt điểm tối đa",
        TaskGroup::Survey => "Nâng cao điểm điều tra XHH",
    }
}

/// A document a plan is based on ("Căn cứ Kế hoạch số 48/KH-UBND ngày 10/02/2022 của UBND tỉnh…").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Basis {
    pub number: Option<String>,
    pub date: Option<Date>,
    pub issuer: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Signer {
    pub authority: Option<String>,
    pub position: Option<String>,
    pub name: Option<String>,
}

/// A task before it is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TaskDraft {
    pub code: String,
    pub text: String,
    pub nodes: Vec<String>,
    pub section_code: Option<String>,
    pub lead_agency: Option<String>,
    pub coordinating_agencies: Vec<String>,
    pub expected_result: Option<String>,
    pub due_date: Option<Date>,
    pub due_text: Option<String>,
    pub recurrence: Option<Recurrence>,
    pub task_group: Option<TaskGroup>,
    /// The lead (and coordinators) were read from the document and wait for a person to confirm them.
    #[serde(default)]
    pub lead_proposed: bool,
    /// The sentence the proposed lead comes from.
    #[serde(default)]
    pub lead_evidence: Option<String>,
    /// How sure the reading of the lead is, 0–1.
    #[serde(default)]
    pub lead_confidence: Option<f64>,
    /// Where the task comes from in its document: "tasks", "implementation", "appendix".
    #[serde(default)]
    pub source: Option<String>,
    /// What the importer could not resolve (Vietnamese).
    #[serde(default)]
    pub notes: Vec<String>,
    /// The parent plan's task this task was made from (the cascade).
    #[serde(default)]
    pub parent_task_id: Option<i64>,
}

/// A plan before it is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanDraft {
    pub doc_type: String,
    pub year: i32,
    pub year_to: Option<i32>,
    pub families: Vec<String>,
    pub number: Option<String>,
    pub place: Option<String>,
    pub issued_on: Option<Date>,
    pub title: String,
    pub status: PlanStatus,
    pub based_on: Vec<Basis>,
    pub recipients: Vec<String>,
    pub signer: Option<Signer>,
    /// The deadline this plan sets for its children's plans.
    pub child_deadline: Option<Date>,
    /// The document's structure as read (sections, assignments, deadlines), kept for display and export.
    pub document: serde_json::Value,
    pub tasks: Vec<TaskDraft>,
}

impl PlanDraft {
    pub fn validate(&self) -> Result<(), String> {
        if self.title.trim().is_empty() {
            return Err("kế hoạch chưa có tiêu đề (trích yếu)".into());
        }
        if !(1990..=2100).contains(&self.year) {
            return Err(format!("năm {} không hợp lệ", self.year));
        }
        if let Some(to) = self.year_to
            && to < self.year
        {
            return Err(format!("năm kết thúc {to} trước năm bắt đầu {}", self.year));
        }
        if self.status == PlanStatus::Issued && self.issued_on.is_none() {
            return Err("kế hoạch đã ban hành phải có ngày ban hành".into());
        }
        let mut codes = std::collections::HashSet::new();
        for t in &self.tasks {
            if t.text.trim().is_empty() {
                return Err(format!("nhiệm vụ {} không có nội dung", t.code));
            }
            if !codes.insert(t.code.as_str()) {
                return Err(format!("mã nhiệm vụ '{}' bị trùng", t.code));
            }
        }
        Ok(())
    }
}

/// One line of the compliance checklist.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Check {
    pub code: &'static str,
    pub label: &'static str,
    /// `None` when the check does not apply (e.g. no deadline was set by a parent plan).
    pub ok: Option<bool>,
    pub detail: String,
}

/// What the checklist needs to know about a stored plan's tasks.
#[derive(Debug, Clone)]
pub struct TaskFacts {
    pub code: String,
    pub nodes: Vec<String>,
    pub has_lead: bool,
    pub has_result: bool,
    pub has_time: bool,
}

/// The dimension (or area) a framework node belongs to: "papi.d2.s3" → "papi.d2", "par.a1.c2" → "par.a1".
pub fn dimension_of(node: &str) -> String {
    let parts: Vec<&str> = node.split('.').collect();
    if parts.len() >= 2 { format!("{}.{}", parts[0], parts[1]) } else { node.to_string() }
}

/// A framework node code as the frameworks write it. The document parser numbers PAPI sub-dimensions
/// "papi.d2.2"; the PAPI framework calls them "papi.d2.s2". Every code that comes from a document or a
/// person goes through here before it is stored or searched.
pub fn normalize_node(code: &str) -> String {
    let parts: Vec<&str> = code.split('.').collect();
    if parts.len() == 3 && parts[0] == "papi" && !parts[2].is_empty() && parts[2].chars().all(|c| c.is_ascii_digit()) {
        format!("papi.{}.s{}", parts[1], parts[2])
    } else {
        code.to_string()
    }
}

/// The first of `nodes` that is not a node of the frameworks of `families` (stored family codes, e.g.
/// "PAPI"), with the reason in Vietnamese naming it; `None` when every node is known. A plan whose families
/// name no known framework is checked against every framework. Every task written to a plan — imported,
/// edited, cascaded or drafted — passes here, so a page never shows (or scripts with) a node no framework has.
pub fn unknown_node(frameworks: &FrameworkSet, families: &[String], nodes: &[String]) -> Option<String> {
    let wanted: Vec<Family> = families.iter().filter_map(|f| parse_family(f)).collect();
    let pool: Vec<&Framework> = frameworks.frameworks().iter().filter(|f| wanted.is_empty() || wanted.contains(&f.family)).collect();
    let node = nodes.iter().find(|n| !pool.iter().any(|f| f.node(n).is_some()))?;
    let names: Vec<&str> = wanted.iter().map(|f| family_name(*f)).collect();
    let shown: String = node.chars().take(60).collect();
    Some(if names.is_empty() {
        format!("mã chỉ số '{shown}' không có trong bộ chỉ số nào")
    } else {
        format!("mã chỉ số '{shown}' không có trong bộ chỉ số của kế hoạch ({})", names.join(", "))
    })
}

/// The first task of `draft` with a node its families' frameworks do not have, as a Vietnamese reason
/// naming the task and the node (see [`unknown_node`]).
pub fn unknown_node_in_draft(frameworks: &FrameworkSet, draft: &PlanDraft) -> Option<String> {
    draft.tasks.iter().find_map(|t| unknown_node(frameworks, &draft.families, &t.nodes).map(|m| format!("nhiệm vụ {}: {m}", t.code)))
}

/// How a node is written for people: "papi.d1.s2" → "D1.2", "papi.d8" → "D8", "par.a2.c3" → "A2.3" (the
/// family prefix dropped, the first level's letter kept, the others' numbers only).
pub fn node_short(code: &str) -> String {
    let parts: Vec<&str> = code.split('.').skip(1).collect();
    let Some(first) = parts.first() else { return code.to_string() };
    let mut out = first.to_uppercase();
    for p in &parts[1..] {
        out.push('.');
        out.push_str(p.trim_start_matches(|c: char| c.is_ascii_alphabetic()));
    }
    out
}

/// Every node (dimension and below) of the frameworks of a plan's `families` in force in `year`, in tree
/// order, as `(code, "D1.2 — name")`: what a person picks a task's nodes from. A plan whose families name no
/// known framework offers every framework's nodes.
pub fn node_choices(frameworks: &FrameworkSet, families: &[String], year: i32) -> Vec<(String, String)> {
    fn walk(n: &crate::framework::Node, out: &mut Vec<(String, String)>) {
        for c in &n.children {
            out.push((c.code.clone(), format!("{} — {}", node_short(&c.code), c.name_vi)));
            walk(c, out);
        }
    }
    let wanted: Vec<Family> = families.iter().filter_map(|f| parse_family(f)).collect();
    let mut out = Vec::new();
    let mut seen: Vec<Family> = Vec::new();
    for fw in frameworks.frameworks().iter().filter(|f| (wanted.is_empty() || wanted.contains(&f.family)) && f.applies_to(year)) {
        // Two frameworks of one family in force (versions): the first.
        if !seen.contains(&fw.family) {
            seen.push(fw.family);
            walk(&fw.tree_for_year(Some(year)), &mut out);
        }
    }
    out
}

/// "Nội dung 3 – Công khai, minh bạch" for any node of dimension 3 (the code itself when no framework
/// knows it).
pub fn dimension_label(frameworks: &FrameworkSet, node: &str) -> String {
    let dim = dimension_of(node);
    frameworks.frameworks().iter().find_map(|f| f.node(&dim)).map(|n| format!("{} – {}", dimension_short(&dim), n.name_vi)).unwrap_or(dim)
}

/// How plans name a dimension: "papi.d3" → "Nội dung 3"; "par.a2" → "Lĩnh vực 2".
fn dimension_short(code: &str) -> String {
    if let Some(n) = code.strip_prefix("papi.d") {
        format!("Nội dung {n}")
    } else if let Some(n) = code.strip_prefix("par.a") {
        format!("Lĩnh vực {n}")
    } else {
        code.to_string()
    }
}

/// Two agency names denote the same agency when they read the same without case and diacritics.
pub fn same_agency(a: &str, b: &str) -> bool {
    fold(a) == fold(b)
}

/// Does the agency (`agency_id`, `agency_name`) lead the task? A task's lead is resolved to an agency of the
/// unit when the plan is stored (`task_lead_id`); when the name as written (`task_lead_name`) matched no agency
/// then, the name still counts, so that an agency created later is not locked out of its tasks.
pub fn leads(task_lead_id: Option<i64>, task_lead_name: Option<&str>, agency_id: i64, agency_name: &str) -> bool {
    task_lead_id == Some(agency_id) || task_lead_name.is_some_and(|l| same_agency(l, agency_name))
}

/// Does the agency named `agency_name` take part in the task as a coordinating agency?
pub fn coordinates(coordinating_agencies: &[String], agency_name: &str) -> bool {
    coordinating_agencies.iter().any(|c| same_agency(c, agency_name))
}

/// "UBND huyện Mộc Châu" from the unit "Huyện Mộc Châu": the people's committee that issues the unit's plans.
pub fn authority_of(unit_name: &str) -> String {
    let mut cs = unit_name.chars();
    match cs.next() {
        Some(f) => format!("UBND {}{}", f.to_lowercase(), cs.as_str()),
        None => "UBND".into(),
    }
}

/// The place name a unit's documents are dated at: the unit's name without the word(s) naming its kind
/// ("Huyện Mộc Châu" → "Mộc Châu", "Thị trấn Mộc Châu" → "Mộc Châu").
pub fn place_of(unit_name: &str) -> String {
    split_unit_name(unit_name).1.to_string()
}

/// The words that begin a unit's name and say its kind, folded, longest first where one begins another.
const UNIT_KINDS: &[&str] =
    &["thanh pho", "thi tran", "thi xa", "dac khu", "to dan pho", "tieu khu", "khu pho", "tinh", "huyen", "quan", "xa", "phuong", "thon"];

/// A unit's name as its kind and its proper name: "Huyện Mộc Châu" → ("Huyện", "Mộc Châu"), "Thị trấn Mộc
/// Châu" → ("Thị trấn", "Mộc Châu"). A name that does not begin with a kind word: ("", the name).
pub fn split_unit_name(name: &str) -> (&str, &str) {
    let name = name.trim();
    for kind in UNIT_KINDS {
        let n = kind.split(' ').count();
        // The byte offset after the first `n` words.
        let mut words = name.split_whitespace();
        let head: Vec<&str> = words.by_ref().take(n).collect();
        if head.len() < n || words.next().is_none() || fold(&head.join(" ")) != *kind {
            continue;
        }
        let end = head.last().map(|w| w.as_ptr() as usize + w.len() - name.as_ptr() as usize).unwrap_or(0);
        return (&name[..end], name[end..].trim_start());
    }
    ("", name)
}

/// A unit's name as it stands inside a sentence: its kind in lower case ("xã Thanh Hà", "thị trấn Mộc Châu").
pub fn unit_in_sentence(name: &str) -> String {
    let (kind, proper) = split_unit_name(name);
    if kind.is_empty() { proper.to_string() } else { format!("{} {proper}", kind.to_lowercase()) }
}

/// Where `needle` (folded) occurs in `text` as whole words, read without case and diacritics: the byte range
/// in `text` of the last occurrence.
fn find_folded(text: &str, needle: &str) -> Option<(usize, usize)> {
    if needle.is_empty() {
        return None;
    }
    // The folded text, with the byte range in `text` of the character each folded byte comes from.
    let mut folded = String::new();
    let mut origin: Vec<(usize, usize)> = Vec::new();
    for (i, c) in text.char_indices() {
        let piece = if c.is_whitespace() {
            if folded.ends_with(' ') || folded.is_empty() {
                continue;
            }
            " ".to_string()
        } else {
            fold(&c.to_string())
        };
        for _ in 0..piece.len() {
            origin.push((i, i + c.len_utf8()));
        }
        folded.push_str(&piece);
    }
    let boundary = |s: &str, at: usize, before: bool| {
        let c = if before { s[..at].chars().next_back() } else { s[at..].chars().next() };
        c.is_none_or(|c| !c.is_alphanumeric())
    };
    let start = folded
        .rmatch_indices(needle)
        .map(|(i, _)| i)
        .find(|&i| boundary(&folded, i, true) && boundary(&folded, i + needle.len(), false))?;
    let end = start + needle.len();
    Some((origin[start].0, origin[end - 1].1))
}

/// The title of a child unit's plan made from its parent's: the parent's unit as the title names it ("huyện
/// Thanh Liêm", or "Thanh Liêm" alone, or "địa bàn huyện") becomes the child's ("xã Thanh Hà"); a title
/// that names no unit gets the child's before its closing year ("… hành chính công xã Chiềng Sơn năm 2022").
pub fn child_title(parent_title: &str, parent_unit: &str, child_unit: &str) -> String {
    let title = parent_title.split_whitespace().collect::<Vec<_>>().join(" ");
    let child = unit_in_sentence(child_unit);
    let (kind, proper) = split_unit_name(parent_unit);
    let full = fold(parent_unit);
    let local = format!("dia ban {}", fold(kind));
    let span = find_folded(&title, &full)
        .or_else(|| find_folded(&title, &fold(proper)))
        .map(|r| (r, false))
        .or_else(|| (!kind.is_empty()).then(|| find_folded(&title, &local)).flatten().map(|r| (r, true)));
    if let Some(((start, end), keep_dia_ban)) = span {
        let head = if keep_dia_ban {
            format!("{}{} ", &title[..start], &title[start..end].split(' ').take(2).collect::<Vec<_>>().join(" "))
        } else {
            title[..start].to_string()
        };
        return format!("{head}{child}{}", &title[end..]);
    }
    // "… năm 2022", "… giai đoạn 2021 – 2025": the child's name goes before.
    let f = title.clone();
    for marker in ["nam", "giai doan"] {
        if let Some((start, end)) = find_folded(&f, marker) {
            let rest = &f[end..];
            if !rest.trim().is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c.is_whitespace() || "-–—/".contains(c)) {
                return format!("{} {child} {}", f[..start].trim_end(), &f[start..]);
            }
        }
    }
    format!("{title} {child}")
}

/// Was a plan issued after the deadline set for it? Not when either date is unknown.
pub fn issued_late(issued_on: Option<Date>, deadline: Option<Date>) -> bool {
    matches!((issued_on, deadline), (Some(i), Some(d)) if i > d)
}

/// The code plans store for an index family ("PAPI", "PAR_INDEX", …; the same strings as `Family`'s serde form).
pub fn family_code(f: Family) -> &'static str {
    match f {
        Family::Papi => "PAPI",
        Family::ParIndex => "PAR_INDEX",
        Family::Sipas => "SIPAS",
        Family::Pci => "PCI",
    }
}

/// The index family of a stored family code; `None` for codes no framework has.
pub fn parse_family(code: &str) -> Option<Family> {
    [Family::Papi, Family::ParIndex, Family::Sipas, Family::Pci].into_iter().find(|f| family_code(*f) == code)
}

pub fn family_name(f: Family) -> &'static str {
    match f {
        Family::Papi => "PAPI",
        Family::ParIndex => "PAR INDEX",
        Family::Sipas => "SIPAS",
        Family::Pci => "PCI",
    }
}

/// The top-level nodes (dimensions or areas) a plan of `family` must cover in `year`.
pub fn required_nodes(fw: &Framework, year: i32) -> Vec<(String, String)> {
    fw.tree_for_year(Some(year)).children.iter().map(|n| (n.code.clone(), n.name_vi.clone())).collect()
}

/// The compliance checklist (seed 003, IV.1.1): the plan covers every dimension/area of its framework;
/// every task has a lead agency, an expected result and a time; it was issued by the parent's deadline.
pub fn compliance(
    frameworks: &[(Family, Vec<(String, String)>)],
    tasks: &[TaskFacts],
    issued_on: Option<Date>,
    parent_deadline: Option<Date>,
) -> Vec<Check> {
    let mut out = Vec::new();
    for (family, required) in frameworks {
        let missing: Vec<&(String, String)> = required
            .iter()
            .filter(|(code, _)| !tasks.iter().any(|t| t.nodes.iter().any(|n| n == code || n.starts_with(&format!("{code}.")))))
            .collect();
        let covered = required.len() - missing.len();
        out.push(Check {
            code: "covers_framework",
            label: "Bao quát đủ các nội dung của bộ chỉ số",
            ok: Some(missing.is_empty() && !required.is_empty()),
            detail: if missing.is_empty() {
                format!("{}: có nhiệm vụ cho cả {covered}/{} nội dung", family_name(*family), required.len())
            } else {
                format!(
                    "{}: {covered}/{} nội dung có nhiệm vụ; còn thiếu: {}",
                    family_name(*family),
                    required.len(),
                    missing.iter().map(|(c, n)| format!("{} – {n}", dimension_short(c))).collect::<Vec<_>>().join("; ")
                )
            },
        });
    }
    let n = tasks.len();
    let count = |f: fn(&TaskFacts) -> bool| tasks.iter().filter(|t| f(t)).count();
    let list = |f: fn(&TaskFacts) -> bool| {
        let missing: Vec<&str> = tasks.iter().filter(|t| !f(t)).map(|t| t.code.as_str()).take(12).collect();
        let more = tasks.iter().filter(|t| !f(t)).count().saturating_sub(missing.len());
        if missing.is_empty() {
            String::new()
        } else if more > 0 {
            format!("; thiếu ở: {} và {more} nhiệm vụ khác", missing.join(", "))
        } else {
            format!("; thiếu ở: {}", missing.join(", "))
        }
    };
    out.push(Check { code: "has_tasks", label: "Có nhiệm vụ cụ thể", ok: Some(n > 0), detail: format!("{n} nhiệm vụ") });
    let lead = count(|t| t.has_lead);
    out.push(Check {
        code: "tasks_have_lead",
        label: "Mỗi nhiệm vụ có cơ quan chủ trì",
        ok: Some(n > 0 && lead == n),
        detail: format!("{lead}/{n} nhiệm vụ có cơ quan chủ trì{}", list(|t| t.has_lead)),
    });
    let result = count(|t| t.has_result);
    out.push(Check {
        code: "tasks_have_result",
        label: "Mỗi nhiệm vụ có kết quả, sản phẩm cụ thể",
        ok: Some(n > 0 && result == n),
        detail: format!("{result}/{n} nhiệm vụ có kết quả dự kiến{}", list(|t| t.has_result)),
    });
    let time = count(|t| t.has_time);
    out.push(Check {
        code: "tasks_have_time",
        label: "Mỗi nhiệm vụ có mốc thời gian hoàn thành",
        ok: Some(n > 0 && time == n),
        detail: format!("{time}/{n} nhiệm vụ có thời hạn hoặc chu kỳ{}", list(|t| t.has_time)),
    });
    out.push(match (parent_deadline, issued_on) {
        (None, _) => {
            Check {
                code: "issued_on_time", label: "Ban hành đúng hạn", ok: None, detail: "kế hoạch cấp trên không đặt hạn".into()
            }
        }
        (Some(d), None) => Check {
            code: "issued_on_time",
            label: "Ban hành đúng hạn",
            ok: Some(false),
            detail: format!("chưa ban hành (hạn {})", crate::text::vn_date_short(d)),
        },
        (Some(d), Some(i)) => Check {
            code: "issued_on_time",
            label: "Ban hành đúng hạn",
            ok: Some(i <= d),
            detail: if i <= d {
                format!("ban hành {} (hạn {})", crate::text::vn_date_short(i), crate::text::vn_date_short(d))
            } else {
                format!(
                    "ban hành muộn {} ngày: {} (hạn {})",
                    (i - d).whole_days(),
                    crate::text::vn_date_short(i),
                    crate::text::vn_date_short(d)
                )
            },
        },
    });
    out
}

/// The "based on" sentence of a child plan: "Căn cứ Kế hoạch số 48/KH-UBND ngày 10/02/2022 của UBND tỉnh Sơn La về …".
pub fn basis_sentence(doc_type: &str, number: Option<&str>, date: Option<Date>, issuer: &str, title: &str) -> String {
    let kind = {
        let mut c = doc_type.to_lowercase().chars().collect::<Vec<_>>();
        if let Some(f) = c.first_mut() {
            *f = f.to_uppercase().next().unwrap_or(*f);
        }
        c.into_iter().collect::<String>()
    };
    let mut s = format!("Căn cứ {kind}");
    if let Some(n) = number {
        s.push_str(&format!(" số {n}"));
    }
    if let Some(d) = date {
        s.push_str(&format!(" ngày {}", crate::text::vn_date_short(d)));
    }
    s.push_str(&format!(" của {issuer}"));
    let t = title.trim();
    if !t.is_empty() {
        let lower: String = {
            let mut cs = t.chars();
            match cs.next() {
                Some(f) => f.to_lowercase().chain(cs).collect(),
                None => String::new(),
            }
        };
        s.push_str(&format!(" về việc {lower}"));
    }
    s.push(';');
    s
}

/// Does a "based on" reference (`basis`) cite the stored plan numbered `number`, issued on `issued_on` in
/// `year`? The numbers read the same without case and diacritics ("426/KH-UBND"); when the reference gives a
/// date, the plan was issued that day; when it gives none but its number or text names a year ("năm 2022",
/// "12/2022/NQ-HĐND"), the plan is of that year.
pub fn basis_cites(basis: &Basis, number: Option<&str>, issued_on: Option<Date>, year: i32) -> bool {
    let (Some(cited), Some(number)) = (basis.number.as_deref(), number) else { return false };
    if fold(cited).replace(' ', "") != fold(number).replace(' ', "") {
        return false;
    }
    if let Some(d) = basis.date {
        return issued_on == Some(d);
    }
    let years: Vec<i32> = format!("{cited} {}", basis.text)
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4)
        .filter_map(|w| w.parse().ok())
        .filter(|y| (1990..=2100).contains(y))
        .collect();
    years.is_empty() || years.contains(&year) || issued_on.is_some_and(|d| years.contains(&d.year()))
}

/// A plan can be the parent of a plan of another unit only when its unit is above that unit in the tree
/// (`parent_path` is a proper prefix of `child_path`, materialised paths "/3/17/").
pub fn is_superior_unit(parent_path: &str, child_path: &str) -> bool {
    child_path.len() > parent_path.len() && child_path.starts_with(parent_path)
}

/// How an imported plan's citation of its parent plan was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParentLink {
    /// Exactly one stored plan is cited (or several are, one per superior unit: the nearest unit's).
    Linked(i64),
    /// The plan cites no plan by number.
    NoCitation,
    /// Why no plan was linked, in Vietnamese, asking a person to choose.
    Unresolved(String),
}

/// A stored plan that could be the parent of an imported one: a plan of a superior unit.
#[derive(Debug, Clone)]
pub struct ParentCandidate {
    pub id: i64,
    pub number: Option<String>,
    pub issued_on: Option<Date>,
    pub year: i32,
    /// The depth of its unit in the tree (the nearest superior unit is the deepest).
    pub depth: usize,
}

/// Which stored plan an imported plan's "based on" references cite. Each reference with a number is matched
/// against the candidates ([`basis_cites`]). One reference that matches several plans is ambiguous: no link,
/// a note that asks. References that each match one plan (a commune plan citing the province's and the
/// district's) link to the nearest superior unit's plan; two at the same depth are ambiguous too.
pub fn resolve_parent(based_on: &[Basis], candidates: &[ParentCandidate]) -> ParentLink {
    let cited: Vec<&Basis> = based_on.iter().filter(|b| b.number.is_some()).collect();
    if cited.is_empty() {
        return ParentLink::NoCitation;
    }
    let mut single: Vec<&ParentCandidate> = Vec::new();
    for b in &cited {
        let hits: Vec<&ParentCandidate> = candidates.iter().filter(|c| basis_cites(b, c.number.as_deref(), c.issued_on, c.year)).collect();
        if hits.len() > 1 {
            return ParentLink::Unresolved(format!(
                "Văn bản căn cứ {} nhưng có {} kế hoạch cùng số này của cấp trên; hãy chọn kế hoạch cấp trên.",
                cited_name(b),
                hits.len()
            ));
        }
        single.extend(hits);
    }
    let deepest = single.iter().map(|c| c.depth).max();
    let nearest: Vec<&&ParentCandidate> = single.iter().filter(|c| Some(c.depth) == deepest).collect();
    match nearest.as_slice() {
        [one] => ParentLink::Linked(one.id),
        [] => ParentLink::Unresolved(format!(
            "Văn bản căn cứ {} nhưng khi nhập không có kế hoạch nào như vậy của cấp trên trong phạm vi người nhập được xem; hãy chọn kế hoạch cấp trên nếu có.",
            cited.iter().map(|b| cited_name(b)).collect::<Vec<_>>().join("; ")
        )),
        _ => ParentLink::Unresolved("Văn bản căn cứ nhiều kế hoạch cùng cấp đã lưu; hãy chọn kế hoạch cấp trên.".into()),
    }
}

/// "số 426/KH-UBND ngày 18/02/2022" for a note.
fn cited_name(b: &Basis) -> String {
    let mut s = format!("số {}", b.number.as_deref().unwrap_or("?"));
    if let Some(d) = b.date {
        s.push_str(&format!(" ngày {}", crate::text::vn_date_short(d)));
    }
    s
}

/// Words that name the units of a level as a whole, folded, matched as whole words: "UBND các xã, thị
/// trấn", "cấp xã", "chính quyền cơ sở". A village is part of a commune, so what a plan asks of villages
/// ("bản, tiểu khu", "khu dân cư") the commune does.
fn level_words(level: &str) -> &'static [&'static str] {
    match level {
        "commune" => &[
            "cap xa",
            "cac xa",
            "ubnd xa",
            "uy ban nhan dan xa",
            "xa, thi tran",
            "xa, phuong",
            "phuong, thi tran",
            "cac phuong",
            "thi tran",
            "cap co so",
            "o co so",
            "tai co so",
            "chinh quyen co so",
            "cac cap",
            "khu dan cu",
            "ban, tieu khu",
            "tieu khu",
            "to dan pho",
            "thon",
        ],
        "district" => &["cap huyen", "cac huyen", "ubnd huyen", "huyen, thi xa", "huyen, thanh pho", "huyen, quan", "cac quan", "cac cap"],
        "village" => &["thon", "ban, tieu khu", "tieu khu", "to dan pho", "khu dan cu", "khu pho"],
        _ => &[],
    }
}

/// Does `hay` (folded) contain `needle` (folded) as whole words?
fn has_words(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
    })
}

/// Does the sentence (folded) name the units of `level` as a whole?
fn names_level(folded: &str, level: &str) -> bool {
    level_words(level).iter().any(|w| has_words(folded, w))
}

/// Does a parent plan hand its tasks to the units of `child_level` as a whole? It does when one of its
/// sentences — the preamble, the closing, an implementation duty — names that level and tells it to carry
/// out or make concrete the plan's tasks ("UBND các xã, thị trấn … cụ thể hóa, xây dựng và triển khai thực
/// hiện các nhiệm vụ"; "UBND cấp huyện và UBND cấp xã thực hiện đồng bộ các nhiệm vụ và giải pháp sau";
/// "Đề nghị … UBND các xã, thị trấn nghiêm túc triển khai thực hiện"). Then every task of its tasks section
/// concerns the child, not only those that name the child's level.
pub fn plan_addresses_level<'a>(sentences: impl IntoIterator<Item = &'a str>, child_level: &str) -> bool {
    const VERBS: &[&str] = &[
        "cu the hoa",
        "xay dung ke hoach",
        "xay dung va trien khai",
        "trien khai thuc hien",
        "thuc hien dong bo",
        "to chuc thuc hien",
        "trien khai ke hoach",
    ];
    sentences.into_iter().map(fold).any(|f| names_level(&f, child_level) && VERBS.iter().any(|v| f.contains(v)))
}

/// Does a parent's task concern a child unit of `child_level` named `child_name`? A task concerns it when it
/// names the child, in its text or its owners, or when
/// - a task of the tasks section (or appendix) names the child's level as a whole ("UBND các xã, thị trấn",
///   "cấp xã", "ở cơ sở", "các cấp", "khu dân cư"), or the parent plan hands its tasks to that level
///   (`addressed`, see [`plan_addresses_level`]);
/// - an implementation duty is given to the child's level (its owners name the level), or to a group
///   ("các cơ quan, đơn vị") in a sentence that names the level. A duty of one named body ("Phòng Nội vụ:
///   theo dõi, đôn đốc …", "Trung tâm Truyền thông: tuyên truyền … ở xã, thị trấn") is that body's.
///
/// `owners`: every body the document names as the task's owners (the lead as stored is the first of them).
pub fn task_concerns_child(task: &TaskDraft, owners: &[String], child_level: &str, child_name: &str, addressed: bool) -> bool {
    let key = fold(child_name);
    let text = fold(&task.text);
    let owners: Vec<String> = task.lead_agency.iter().chain(&task.coordinating_agencies).chain(owners).map(|s| fold(s)).collect();
    if !key.is_empty() && (has_words(&text, &key) || owners.iter().any(|h| has_words(h, &key))) {
        return true;
    }
    if owners.iter().any(|o| names_level(o, child_level)) {
        return true;
    }
    if task.source.as_deref() == Some("implementation") {
        let group_lead = task.lead_agency.as_deref().is_none_or(crate::agency::is_group);
        return group_lead && names_level(&text, child_level);
    }
    addressed || names_level(&text, child_level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_node_must_be_a_node_of_the_plans_frameworks() {
        let fws = FrameworkSet::builtin().expect("frameworks");
        let papi = vec!["PAPI".to_string()];
        let ok = vec!["papi.d1".to_string(), "papi.d2.s2".to_string()];
        assert_eq!(unknown_node(&fws, &papi, &ok), None);
        let bad = vec!["papi.d1".to_string(), "papi.d99".to_string()];
        let msg = unknown_node(&fws, &papi, &bad).expect("refused");
        assert!(msg.contains("'papi.d99'") && msg.contains("PAPI"), "{msg}");
        // Another family's node is not the plan's.
        let par = vec!["par.a2".to_string()];
        assert!(unknown_node(&fws, &papi, &par).is_some());
        assert_eq!(unknown_node(&fws, &[], &par), None, "no family: any framework's node");
        let script = vec!["papi.d1</script>\u{2028}".to_string()];
        assert!(unknown_node(&fws, &papi, &script).is_some());
        let draft = PlanDraft {
            families: papi.clone(),
            tasks: vec![TaskDraft { code: "II.3".into(), nodes: bad, ..Default::default() }],
            doc_type: "KẾ HOẠCH".into(),
            year: 2025,
            year_to: None,
            number: None,
            place: None,
            issued_on: None,
            title: "Kế hoạch".into(),
            status: PlanStatus::Draft,
            based_on: vec![],
            recipients: vec![],
            signer: None,
            child_deadline: None,
            document: serde_json::json!({}),
        };
        let msg = unknown_node_in_draft(&fws, &draft).expect("refused");
        assert!(msg.starts_with("nhiệm vụ II.3:") && msg.contains("papi.d99"), "{msg}");
    }
    use time::macros::date;

    fn t(code: &str, nodes: &[&str], lead: bool, result: bool, time: bool) -> TaskFacts {
        TaskFacts {
            code: code.into(),
            nodes: nodes.iter().map(|s| s.to_string()).collect(),
            has_lead: lead,
            has_result: result,
            has_time: time,
        }
    }

    fn papi_dims() -> Vec<(String, String)> {
        (1..=8).map(|i| (format!("papi.d{i}"), format!("Nội dung {i}"))).collect()
    }

    #[test]
    fn coverage_names_missing_dimensions() {
        let tasks: Vec<TaskFacts> = (1..=7).map(|i| t(&format!("II.{i}"), &[&format!("papi.d{i}.s1")], true, true, true)).collect();
        let checks = compliance(&[(Family::Papi, papi_dims())], &tasks, Some(date!(2022 - 02 - 18)), Some(date!(2022 - 02 - 20)));
        let cover = &checks[0];
        assert_eq!(cover.ok, Some(false));
        assert!(cover.detail.contains("7/8") && cover.detail.contains("Nội dung 8"), "{}", cover.detail);
        assert!(!cover.detail.contains("papi.d8"), "named, not coded: {}", cover.detail);
        assert!(checks.iter().filter(|c| c.code != "covers_framework").all(|c| c.ok == Some(true)));
    }

    #[test]
    fn tasks_without_lead_result_or_time_and_late_issue_fail_with_reasons() {
        let mut tasks: Vec<TaskFacts> = (1..=8).map(|i| t(&format!("T{i}"), &[&format!("papi.d{i}")], true, true, true)).collect();
        tasks[2].has_lead = false;
        tasks[5].has_result = false;
        tasks[5].has_time = false;
        let checks = compliance(&[(Family::Papi, papi_dims())], &tasks, Some(date!(2022 - 02 - 25)), Some(date!(2022 - 02 - 20)));
        let by = |code: &str| checks.iter().find(|c| c.code == code).expect("check");
        assert_eq!(by("covers_framework").ok, Some(true));
        assert_eq!(by("tasks_have_lead").ok, Some(false));
        assert!(by("tasks_have_lead").detail.contains("7/8") && by("tasks_have_lead").detail.contains("T3"));
        assert_eq!(by("tasks_have_result").ok, Some(false));
        assert_eq!(by("tasks_have_time").ok, Some(false));
        assert_eq!(by("issued_on_time").ok, Some(false));
        assert!(by("issued_on_time").detail.contains("muộn 5 ngày"), "{}", by("issued_on_time").detail);
        let none = compliance(&[], &tasks, None, None);
        assert_eq!(none.iter().find(|c| c.code == "issued_on_time").map(|c| c.ok), Some(None));
    }

    #[test]
    fn basis_sentence_reads_like_a_plan() {
        let s = basis_sentence(
            "KẾ HOẠCH",
            Some("426/KH-UBND"),
            Some(date!(2022 - 02 - 18)),
            "UBND huyện Mộc Châu",
            "Nâng cao chỉ số PAPI năm 2022",
        );
        assert_eq!(s, "Căn cứ Kế hoạch số 426/KH-UBND ngày 18/02/2022 của UBND huyện Mộc Châu về việc nâng cao chỉ số PAPI năm 2022;");
    }

    #[test]
    fn parser_sub_dimension_codes_become_framework_codes() {
        assert_eq!(normalize_node("papi.d2.2"), "papi.d2.s2");
        assert_eq!(normalize_node("papi.d10.12"), "papi.d10.s12");
        assert_eq!(normalize_node("papi.d2.s2"), "papi.d2.s2");
        assert_eq!(normalize_node("papi.d2"), "papi.d2");
        assert_eq!(normalize_node("par.a1.2"), "par.a1.2");
        assert_eq!(normalize_node("papi.d2."), "papi.d2.");
        assert_eq!(normalize_node(""), "");
    }

    #[test]
    fn an_agency_leads_by_id_or_by_name_written_differently() {
        assert!(leads(Some(7), None, 7, "Phòng Nội vụ"));
        assert!(!leads(Some(8), Some("Phòng Tư pháp"), 7, "Phòng Nội vụ"));
        assert!(leads(None, Some("PHÒNG NỘI VỤ"), 7, "Phòng Nội vụ"));
        assert!(leads(None, Some("Phong Noi vu"), 7, "Phòng Nội vụ"));
        assert!(!leads(None, None, 7, "Phòng Nội vụ"));
        let co = vec!["Phòng Tư pháp".to_string(), "UBND các xã".to_string()];
        assert!(coordinates(&co, "phòng tư pháp"));
        assert!(!coordinates(&co, "Phòng Nội vụ"));
    }

    #[test]
    fn unit_names_give_authority_and_place() {
        assert_eq!(authority_of("Huyện Mộc Châu"), "UBND huyện Mộc Châu");
        assert_eq!(authority_of(""), "UBND");
        assert_eq!(place_of("Huyện Mộc Châu"), "Mộc Châu");
        assert!(issued_late(Some(date!(2022 - 02 - 24)), Some(date!(2022 - 02 - 20))));
        assert!(!issued_late(Some(date!(2022 - 02 - 20)), Some(date!(2022 - 02 - 20))));
        assert!(!issued_late(None, Some(date!(2022 - 02 - 20))));
    }

    #[test]
    fn family_codes_round_trip_as_serde_writes_them() {
        for f in [Family::Papi, Family::ParIndex, Family::Sipas, Family::Pci] {
            assert_eq!(parse_family(family_code(f)), Some(f));
            assert_eq!(serde_json::to_value(f).ok(), Some(serde_json::Value::String(family_code(f).into())));
        }
        assert_eq!(parse_family("PAR INDEX"), None);
        assert_eq!(PlanStatus::try_from("issued".to_string()), Ok(PlanStatus::Issued));
        assert!(PlanStatus::try_from("cancelled".to_string()).is_err());
    }

    #[test]
    fn dimension_labels_name_the_dimension_of_any_node() {
        let fws = FrameworkSet::builtin().expect("frameworks");
        assert_eq!(dimension_label(&fws, "papi.d8.s1"), "Nội dung 8 – Quản trị điện tử");
        assert_eq!(dimension_label(&fws, "xyz"), "xyz");
    }

    #[test]
    fn an_imported_plan_links_to_the_one_plan_it_cites() {
        let basis = |n: &str, d: Option<Date>, text: &str| Basis { number: Some(n.into()), date: d, issuer: None, text: text.into() };
        let cand = |id, n: &str, d: Option<Date>, year, depth| ParentCandidate { id, number: Some(n.into()), issued_on: d, year, depth };
        let district =
            basis("426/KH-UBND", Some(date!(2022 - 02 - 18)), "Căn cứ Kế hoạch số 426/KH-UBND ngày 18/02/2022 của UBND huyện Mộc Châu");
        let plan_426 = cand(7, "426/KH-UBND", Some(date!(2022 - 02 - 18)), 2022, 2);
        assert_eq!(resolve_parent(std::slice::from_ref(&district), std::slice::from_ref(&plan_426)), ParentLink::Linked(7));
        // Case and diacritics of the symbol do not matter; the date does.
        assert!(basis_cites(&district, Some("426/kh-ubnd"), Some(date!(2022 - 02 - 18)), 2022));
        assert!(!basis_cites(&district, Some("426/KH-UBND"), Some(date!(2021 - 02 - 18)), 2021));
        // No date: the year of the text decides.
        let undated = basis("426/KH-UBND", None, "Căn cứ Kế hoạch số 426/KH-UBND năm 2022");
        assert!(basis_cites(&undated, Some("426/KH-UBND"), Some(date!(2022 - 02 - 18)), 2022));
        assert!(!basis_cites(&undated, Some("426/KH-UBND"), Some(date!(2023 - 02 - 18)), 2023));
        // The same number twice: ambiguous, a note asks.
        let twin = cand(8, "426/KH-UBND", Some(date!(2022 - 02 - 18)), 2022, 2);
        let ParentLink::Unresolved(note) = resolve_parent(std::slice::from_ref(&district), &[plan_426.clone(), twin]) else {
            panic!("ambiguous")
        };
        assert!(note.contains("426/KH-UBND") && note.contains("2 kế hoạch"), "{note}");
        // None stored: a note; no citation: nothing to say.
        assert!(
            matches!(resolve_parent(std::slice::from_ref(&district), &[]), ParentLink::Unresolved(n) if n.contains("không có kế hoạch"))
        );
        assert_eq!(
            resolve_parent(
                &[Basis { text: "Căn cứ Luật Tổ chức chính quyền địa phương".into(), ..Default::default() }],
                std::slice::from_ref(&plan_426)
            ),
            ParentLink::NoCitation
        );
        // The province's and the district's plans cited: the district's (nearest) is the parent.
        let province = basis("48/KH-UBND", Some(date!(2022 - 02 - 10)), "Căn cứ Kế hoạch số 48/KH-UBND");
        let plan_48 = cand(3, "48/KH-UBND", Some(date!(2022 - 02 - 10)), 2022, 1);
        assert_eq!(resolve_parent(&[province, district], &[plan_48, plan_426]), ParentLink::Linked(7));
        assert!(is_superior_unit("/1/", "/1/2/") && !is_superior_unit("/1/2/", "/1/2/") && !is_superior_unit("/1/3/", "/1/2/"));
    }

    #[test]
    fn node_choices_are_the_plans_framework_nodes_labelled_for_people() {
        assert_eq!(node_short("papi.d1.s2"), "D1.2");
        assert_eq!(node_short("papi.d8"), "D8");
        assert_eq!(node_short("par.a2.c3"), "A2.3");
        let fws = FrameworkSet::builtin().expect("frameworks");
        let papi = node_choices(&fws, &["PAPI".to_string()], 2022);
        assert_eq!(papi.iter().filter(|(c, _)| c.split('.').count() == 2).count(), 8, "8 dimensions");
        assert!(papi.iter().all(|(c, _)| c.starts_with("papi.")), "only the plan's framework");
        assert!(papi.iter().any(|(c, l)| c == "papi.d8" && l.starts_with("D8 — ")), "{papi:?}");
        assert!(
            papi.iter().all(|(c, _)| unknown_node(&fws, &["PAPI".to_string()], std::slice::from_ref(c)).is_none()),
            "every choice is accepted"
        );
        assert!(!papi.iter().any(|(c, _)| c == "papi.d5.s2"), "2021 on: no 5.2");
    }

    #[test]
    fn a_child_plan_is_titled_for_the_child_unit() {
        assert_eq!(split_unit_name("Thị trấn Mộc Châu"), ("Thị trấn", "Mộc Châu"));
        assert_eq!(split_unit_name("Huyện Thanh Liêm"), ("Huyện", "Thanh Liêm"));
        assert_eq!(split_unit_name("Mộc Châu"), ("", "Mộc Châu"));
        assert_eq!(place_of("Thị trấn Mộc Châu"), "Mộc Châu");
        assert_eq!(unit_in_sentence("Xã Thanh Hà"), "xã Thanh Hà");
        // The parent's unit named in full, in another case and layout.
        assert_eq!(
            child_title(
                "Hành động nâng cao Chỉ số hiệu quả Quản trị và Hành chính công (PAPI) huyện Thanh Liêm năm 2021",
                "Huyện Thanh Liêm",
                "Xã Thanh Hà"
            ),
            "Hành động nâng cao Chỉ số hiệu quả Quản trị và Hành chính công (PAPI) xã Thanh Hà năm 2021"
        );
        assert_eq!(
            child_title("Nâng cao Chỉ số Cải cách hành chính\nHUYỆN MÊ LINH năm 2024", "Huyện Mê Linh", "Xã Tráng Việt"),
            "Nâng cao Chỉ số Cải cách hành chính xã Tráng Việt năm 2024"
        );
        // The proper name alone, and "địa bàn huyện".
        assert_eq!(
            child_title("Nâng cao chỉ số PAPI của Mộc Châu năm 2022", "Huyện Mộc Châu", "Thị trấn Nông trường"),
            "Nâng cao chỉ số PAPI của thị trấn Nông trường năm 2022"
        );
        assert_eq!(
            child_title("Nâng cao chỉ số PAPI trên địa bàn huyện năm 2022", "Huyện Mộc Châu", "Xã Chiềng Sơn"),
            "Nâng cao chỉ số PAPI trên địa bàn xã Chiềng Sơn năm 2022"
        );
        // No unit named: the child's before the closing year, or at the end.
        assert_eq!(
            child_title("Nâng cao chỉ số hiệu quả quản trị và hành chính công năm 2022", "Huyện Mộc Châu", "Xã Chiềng Sơn"),
            "Nâng cao chỉ số hiệu quả quản trị và hành chính công xã Chiềng Sơn năm 2022"
        );
        assert_eq!(
            child_title("Cải cách hành chính giai đoạn 2021 – 2025", "Tỉnh Sơn La", "Huyện Mộc Châu"),
            "Cải cách hành chính huyện Mộc Châu giai đoạn 2021 – 2025"
        );
        assert_eq!(child_title("Nâng cao chỉ số PAPI", "Huyện Mộc Châu", "Xã Chiềng Sơn"), "Nâng cao chỉ số PAPI xã Chiềng Sơn");
    }

    #[test]
    fn a_plan_that_hands_its_tasks_to_a_level_gives_them_all() {
        let duty = "Các cơ quan, đơn vị, UBND các xã, thị trấn căn cứ … trên cơ sở nội dung kế hoạch này, cụ thể hóa, xây dựng và triển khai thực hiện các nhiệm vụ nâng cao Chỉ số PAPI năm 2022.";
        assert!(plan_addresses_level([duty], "commune"));
        assert!(!plan_addresses_level([duty], "district"), "communes are told, not districts");
        assert!(!plan_addresses_level(["Phòng Nội vụ: theo dõi, đôn đốc, tổng hợp kết quả thực hiện"], "commune"));
        assert!(plan_addresses_level(
            ["UBND tỉnh yêu cầu các sở, ban, ngành, UBND cấp huyện và UBND cấp xã thực hiện đồng bộ các nhiệm vụ và giải pháp sau:"],
            "district"
        ));
        let solution = TaskDraft {
            code: "7.2".into(),
            text: "Tăng cường kiểm tra, giám sát các doanh nghiệp".into(),
            source: Some("tasks".into()),
            ..Default::default()
        };
        assert!(!task_concerns_child(&solution, &[], "commune", "Xã Chiềng Sơn", false));
        assert!(task_concerns_child(&solution, &[], "commune", "Xã Chiềng Sơn", true));
        let duty_of_one = TaskDraft {
            code: "IV.2".into(),
            text: "Phòng Nội vụ: theo dõi, đôn đốc".into(),
            lead_agency: Some("Phòng Nội vụ".into()),
            source: Some("implementation".into()),
            ..Default::default()
        };
        assert!(!task_concerns_child(&duty_of_one, &[], "commune", "Xã Chiềng Sơn", true));
        // A duty given to a group and the communes (the lead as stored is the first owner the text names).
        let report = TaskDraft {
            text: "Định kỳ báo cáo kết quả thực hiện về UBND huyện".into(),
            lead_agency: Some("Các cơ quan, đơn vị".into()),
            source: Some("implementation".into()),
            ..Default::default()
        };
        assert!(!task_concerns_child(&report, &[], "commune", "Xã Chiềng Sơn", true));
        assert!(task_concerns_child(
            &report,
            &["Các cơ quan, đơn vị".into(), "UBND các xã, thị trấn".into()],
            "commune",
            "Xã Chiềng Sơn",
            true
        ));
        // A duty of one body whose topic is the communes stays that body's.
        let media = TaskDraft {
            text: "Tăng cường tuyên truyền pháp lệnh thực hiện dân chủ ở xã, thị trấn".into(),
            lead_agency: Some("Trung tâm Truyền thông - Văn hóa huyện".into()),
            source: Some("implementation".into()),
            ..Default::default()
        };
        assert!(!task_concerns_child(&media, &[], "commune", "Xã Chiềng Sơn", true));
        // "làm cơ sở" (as a basis) and "cơ sở vật chất" are no level; "ở cơ sở" is.
        let basis = TaskDraft {
            text: "cập nhật kết quả rà soát hộ nghèo làm cơ sở thực hiện chính sách; đầu tư cơ sở vật chất".into(),
            ..Default::default()
        };
        assert!(!task_concerns_child(&basis, &[], "commune", "Xã Chiềng Sơn", false));
        let grassroots =
            TaskDraft { text: "Công khai báo cáo trên hệ thống truyền thanh ở cơ sở".into(), ..Default::default() };
        assert!(task_concerns_child(&grassroots, &[], "commune", "Xã Chiềng Sơn", false));
        // Whole words: "thông" is no "thôn".
        let info = TaskDraft { text: "Tăng cường thông tin".into(), ..Default::default() };
        assert!(!task_concerns_child(&info, &[], "commune", "Xã Chiềng Sơn", false));
    }

    #[test]
    fn child_concern_by_level_or_name() {
        let task = TaskDraft {
            code: "1".into(),
            text: "UBND các xã, thị trấn niêm yết công khai danh sách hộ nghèo".into(),
            ..Default::default()
        };
        assert!(task_concerns_child(&task, &[], "commune", "Xã Chiềng Sơn", false));
        let district_only =
            TaskDraft { code: "2".into(), text: "Phòng Nội vụ tổng hợp báo cáo UBND tỉnh".into(), ..Default::default() };
        assert!(!task_concerns_child(&district_only, &[], "commune", "Xã Chiềng Sơn", false));
        let named = TaskDraft { code: "3".into(), text: "Hỗ trợ xã Chiềng Sơn".into(), ..Default::default() };
        assert!(task_concerns_child(&named, &[], "village", "Xã Chiềng Sơn", false));
        assert_eq!(Recurrence::from_text("Thường xuyên"), Some(Recurrence::Continuous));
        assert_eq!(Recurrence::from_text("Định kỳ hằng quý"), Some(Recurrence::Quarterly));
    }
}
