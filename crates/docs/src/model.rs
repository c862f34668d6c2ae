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

/// A unit of work of the plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Hierarchical code, see the crate documentation ("II.1.1", "II.3.b", "II.1.-2",
    /// "PL.3" for an appendix row).
    pub code: String,
    pub text: String,
    /// Framework nodes the task serves, strongest first ("papi.d2", "papi.d2.2").
    pub nodes: Vec<String>,
    /// Unnumbered paragraphs that elaborate the item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
    /// Code of the section the task is in ("II"), or the group row of an appendix table.
    #[serde(default)]
    pub section_code: Option<String>,
    #[serde(default)]
    pub lead_agency: Option<String>,
    #[serde(default)]
    pub coordinating_agencies: Vec<String>,
    /// The time as written ("Quý II/2022", "Thường xuyên", "trước ngày 30/6/2022").
    #[serde(default)]
    pub due: Option<String>,
    /// A full date found in `due` or in the task text.
    #[serde(default, with = "iso_date")]
    pub due_date: Option<Date>,
    /// "thuong_xuyen", "monthly", "quarterly", "half_yearly", "yearly".
    #[serde(default)]
    pub recurrence: Option<String>,
    #[serde(default)]
    pub product: Option<String>,
    /// Framework column of an appendix table as written ("Chỉ số nội dung 1").
    #[serde(default)]
    pub dimension_text: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    /// "body" or "appendix".
    #[serde(default)]
    pub source: String,
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
