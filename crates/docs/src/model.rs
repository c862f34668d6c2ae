//! The structured result of reading a plan document ([`ParsedPlan`]) and its parts.
//! Field names and shapes are the JSON contract of `chiso plan parse --json`; fields may be
//! added, never removed.

use serde::{Deserialize, Serialize};
use time::Date;

/// ISO "YYYY-MM-DD" (de)serialisation for optional dates: the JSON contract uses plain ISO
/// dates, while `time`'s default serde form is a tuple.
pub(crate) mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    use time::macros::format_description;

    const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => {
                let text = d.format(FORMAT).map_err(serde::ser::Error::custom)?;
                s.serialize_str(&text)
            }
            None => s.serialize_none(),
        }
    }

    pub fn format(d: Date) -> String {
        d.format(FORMAT).unwrap_or_default()
    }

    pub fn parse(t: &str) -> Option<Date> {
        Date::parse(t, FORMAT).ok()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        match text {
            None => Ok(None),
            Some(t) => Date::parse(&t, FORMAT).map(Some).map_err(serde::de::Error::custom),
        }
    }
}

/// A plan document as read from text, Markdown, DOCX or XLSX.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ParsedPlan {
    /// Upper-case document type, e.g. "KẾ HOẠCH"; `None` when the text names none.
    pub doc_type: Option<String>,
    /// Number and symbol, e.g. "426/KH-UBND"; `None` when blank ("Số: /KH-UBND").
    pub number: Option<String>,
    /// The symbol part alone ("KH-UBND"), also when the number is blank.
    #[serde(default)]
    pub symbol: Option<String>,
    pub place: Option<String>,
    #[serde(with = "iso_date")]
    pub date: Option<Date>,
    /// The document's year: from the date, or from "ngày tháng năm 2024" / the title /
    /// the publication date of a web page when the date is incomplete.
    pub year: Option<i32>,
    /// The month of an incomplete date ("ngày   tháng 6 năm 2021": 6), so a re-export prints
    /// "ngày … tháng 6 năm 2021"; `None` when the date is complete (see `date`) or names no month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u8>,
    pub title: String,
    /// Issuing body as printed in the header ("ỦY BAN NHÂN DÂN HUYỆN MỘC CHÂU").
    #[serde(default)]
    pub issuer: Option<String>,
    /// The parent body line above the issuer ("UBND TỈNH SƠN LA"), if printed.
    #[serde(default)]
    pub parent_issuer: Option<String>,
    /// PAPI, PAR_INDEX, SIPAS, PCI.
    pub index_families: Vec<String>,
    pub based_on: Vec<BasedOn>,
    /// Paragraphs between the title and the first section (incl. the based-on sentences).
    #[serde(default)]
    pub preamble: Vec<String>,
    pub sections: Vec<Section>,
    /// Paragraphs after the last section and before "Nơi nhận:" ("Trên đây là …").
    #[serde(default)]
    pub closing: Vec<String>,
    pub tasks: Vec<Task>,
    pub assignments: Vec<Assignment>,
    pub deadlines: Vec<Deadline>,
    pub recipients: Vec<String>,
    pub signer: Option<Signer>,
    /// Date a web page was published ("• 21/09/2023" under the headline); not the
    /// document's own date.
    #[serde(default, with = "iso_date")]
    pub published: Option<Date>,
    /// Source line of a web page ("Nguồn: Quyết định số 1732/QĐ-UBND").
    #[serde(default)]
    pub source: Option<String>,
    /// Detected input format: "text", "markdown", "docx", "xlsx".
    #[serde(default)]
    pub format: String,
    /// What the reader noticed but could not resolve (in Vietnamese).
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// A document the plan is based on ("Căn cứ Kế hoạch số 48/KH-UBND ngày 10/02/2022 của …").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BasedOn {
    /// "Kế hoạch", "Quyết định", …
    #[serde(default)]
    pub kind: Option<String>,
    pub number: Option<String>,
    #[serde(with = "iso_date")]
    pub date: Option<Date>,
    pub issuer: Option<String>,
    pub text: String,
}

/// A node of the document outline: a Roman-numeral section ("II"), a numbered item
/// ("II.1", "II.1.2", "II.3.b") or a bullet ("II.1.-2"). `title` is the heading or the
/// item's whole text; `paragraphs` are the unnumbered paragraphs right under it and `after`
/// those that follow its children.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub code: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paragraphs: Vec<String>,
    pub children: Vec<Section>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
}

/// A unit of work of the plan: a task of the tasks section (`source` "tasks"), a duty of the
/// implementation section ("implementation") or a row of an appendix table ("appendix").
///
/// Serialised through [`TaskJson`]: `lead` (list), `coordinators`, `due` (ISO date), `due_text`
/// (as written), `result`, `group`, plus the older names `lead_agency`, `coordinating_agencies`,
/// `due_date`, `product` for readers written before them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "TaskJson", from = "TaskJson")]
pub struct Task {
    /// Hierarchical code, see the crate documentation ("II.1.1", "II.3.b", "II.1.-2",
    /// "PL.3" for an appendix row, "IV.2.d1" for the first duty of implementation item IV.2).
    pub code: String,
    pub text: String,
    /// Framework nodes the task serves, strongest first ("papi.d2", "papi.d2.2").
    pub nodes: Vec<String>,
    /// Unnumbered paragraphs that elaborate the item.
    pub details: Vec<String>,
    /// Code of the section the task is in ("II"), of the implementation item ("IV.2"), or
    /// the group row of an appendix table ("I").
    pub section_code: Option<String>,
    /// Lead agencies (or groups: "UBND các xã, thị trấn") as written; several when the text
    /// names several ("Phòng Y tế huyện, Trung tâm Y tế huyện").
    pub lead: Vec<String>,
    pub coordinating_agencies: Vec<String>,
    /// The time as written ("Quý II/2022", "Thường xuyên", "chậm nhất là ngày 20/02/2022").
    pub due_text: Option<String>,
    /// The date the time stands for (a full date, the end of a quarter / month / year).
    pub due_date: Option<Date>,
    /// "thuong_xuyen", "monthly", "quarterly", "half_yearly", "yearly" — only where the text
    /// says so.
    pub recurrence: Option<String>,
    /// Expected result / product ("Sản phẩm").
    pub product: Option<String>,
    /// Framework column of an appendix table as written ("Chỉ số nội dung 1").
    pub dimension_text: Option<String>,
    pub status: Option<String>,
    /// Title of the task group the plan itself names (an appendix group row "I. …", a
    /// group heading of the tasks section).
    pub group: Option<String>,
    /// "tasks", "implementation" or "appendix".
    pub source: String,
    /// Where the lead comes from: "implementation" (the duty's agency), "appendix" (the
    /// table's column), "text" (the task's own words, "giao Phòng … chủ trì"), "duty" (an
    /// implementation duty that matches the task); `None` without lead.
    pub lead_source: Option<String>,
    /// The sentence that names the lead.
    pub evidence: Option<String>,
    /// How sure the reading of the lead is, 0–1.
    pub confidence: Option<f64>,
    /// What the reader could not resolve for this task (Vietnamese).
    pub notes: Vec<String>,
}

impl Task {
    /// The first lead, for readers that keep one.
    pub fn lead_agency(&self) -> Option<String> {
        self.lead.first().cloned()
    }
}

/// The JSON form of a [`Task`] (both the current and the older field names).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TaskJson {
    pub code: String,
    pub text: String,
    #[serde(default)]
    pub nodes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
    #[serde(default)]
    pub section_code: Option<String>,
    #[serde(default)]
    pub lead: Vec<String>,
    #[serde(default)]
    pub coordinators: Vec<String>,
    /// ISO date, or null.
    #[serde(default)]
    pub due: Option<String>,
    #[serde(default)]
    pub due_text: Option<String>,
    #[serde(default)]
    pub recurrence: Option<String>,
    #[serde(default)]
    pub result: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub lead_source: Option<String>,
    #[serde(default)]
    pub evidence: Option<String>,
    #[serde(default)]
    pub confidence: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(default)]
    pub dimension_text: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    // Older names, kept for readers written before the fields above.
    #[serde(default)]
    pub lead_agency: Option<String>,
    #[serde(default)]
    pub coordinating_agencies: Vec<String>,
    #[serde(default, with = "iso_date")]
    pub due_date: Option<Date>,
    #[serde(default)]
    pub product: Option<String>,
}

impl From<Task> for TaskJson {
    fn from(t: Task) -> Self {
        let iso = t.due_date.map(iso_date::format);
        TaskJson {
            lead_agency: t.lead.first().cloned(),
            coordinators: t.coordinating_agencies.clone(),
            coordinating_agencies: t.coordinating_agencies,
            due: iso,
            due_text: t.due_text,
            due_date: t.due_date,
            result: t.product.clone(),
            product: t.product,
            code: t.code,
            text: t.text,
            nodes: t.nodes,
            details: t.details,
            section_code: t.section_code,
            lead: t.lead,
            recurrence: t.recurrence,
            group: t.group,
            source: t.source,
            lead_source: t.lead_source,
            evidence: t.evidence,
            confidence: t.confidence,
            notes: t.notes,
            dimension_text: t.dimension_text,
            status: t.status,
        }
    }
}

impl From<TaskJson> for Task {
    fn from(j: TaskJson) -> Self {
        let lead = if j.lead.is_empty() { j.lead_agency.into_iter().collect() } else { j.lead };
        let coordinating_agencies = if j.coordinators.is_empty() { j.coordinating_agencies } else { j.coordinators };
        // `due` is ISO now; a reader of an older file finds the text there.
        let (due_date, due_text) = match (j.due_date, j.due.as_deref().and_then(iso_date::parse)) {
            (Some(d), _) | (None, Some(d)) => (Some(d), j.due_text),
            (None, None) => (None, j.due_text.or(j.due)),
        };
        let source = if j.source == "body" { "tasks".to_string() } else { j.source };
        Task {
            code: j.code,
            text: j.text,
            nodes: j.nodes,
            details: j.details,
            section_code: j.section_code,
            lead,
            coordinating_agencies,
            due_text,
            due_date,
            recurrence: j.recurrence,
            product: j.result.or(j.product),
            dimension_text: j.dimension_text,
            status: j.status,
            group: j.group,
            source,
            lead_source: j.lead_source,
            evidence: j.evidence,
            confidence: j.confidence,
            notes: j.notes,
        }
    }
}

/// Who must do what, from the "TỔ CHỨC THỰC HIỆN" section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub agency: String,
    pub duties: Vec<String>,
    /// Outline code of the item that names the agency ("IV.2").
    #[serde(default)]
    pub code: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Deadline {
    #[serde(with = "iso_date")]
    pub date: Option<Date>,
    pub text: String,
    /// True when the text gives day and month only and the year is the document's year.
    #[serde(default)]
    pub year_inferred: bool,
    /// "plan" when the deadline is for issuing (child) plans, "report" for reports, else
    /// `None`; lets a child plan carry its parent's deadline.
    #[serde(default)]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Signer {
    /// "TM. ỦY BAN NHÂN DÂN" (or None when only a position is printed).
    pub authority: Option<String>,
    /// Delegation line under the authority: "KT. CHỦ TỊCH", "TL. …", "TUQ. …", "Q. …".
    #[serde(default)]
    pub delegation: Option<String>,
    pub position: Option<String>,
    pub name: Option<String>,
}
