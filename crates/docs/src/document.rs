//! [`PlanDocument`]: what the writers need to print a plan. The lead fills it from the
//! database; `From<&ParsedPlan>` builds one from a parsed document (round trips, re-export).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::model::{ParsedPlan, Section, Signer};

/// A plan ready to print in the layout of Nghị định 30/2020/NĐ-CP, Phụ lục I.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanDocument {
    /// Parent body line above the issuer ("UBND TỈNH SƠN LA"), printed upright.
    pub parent_issuer: Option<String>,
    /// Issuing body ("ỦY BAN NHÂN DÂN HUYỆN MỘC CHÂU"), printed upper case and bold.
    pub issuer: String,
    /// "426/KH-UBND"; `None` prints a blank number before the symbol.
    pub number: Option<String>,
    /// Symbol printed after a blank number ("KH-UBND").
    pub symbol: Option<String>,
    pub place: String,
    /// `None` prints "ngày … tháng … năm {year}" with blanks.
    #[serde(with = "crate::model::iso_date")]
    pub date: Option<Date>,
    pub year: Option<i32>,
    /// "KẾ HOẠCH".
    pub doc_type: String,
    pub title: String,
    /// Based-on sentences, printed first ("Căn cứ Kế hoạch số 48/KH-UBND ngày …").
    pub based_on: Vec<String>,
    /// Paragraphs before the first section.
    pub preamble: Vec<String>,
    /// The body outline: Roman sections with items, as [`Section`]s; printed labels come
    /// from the codes ("II" → "II.", "II.1.1" → "1.1.", "II.3.b" → "b)", "II.1.-2" → "-").
    pub sections: Vec<Section>,
    /// Paragraphs after the last section ("Trên đây là …").
    pub closing: Vec<String>,
    /// "Nơi nhận" entries without the trailing ";" (the last is usually "Lưu: VT, …").
    pub recipients: Vec<String>,
    pub signer: Option<Signer>,
    /// Heading of the appendix ("NHIỆM VỤ CỤ THỂ NÂNG CAO CHỈ SỐ PAPI NĂM 2022").
    pub appendix_title: Option<String>,
    /// The appendix task table; printed on a landscape page when not empty.
    pub appendix: Vec<AppendixRow>,
}

/// One task of the appendix table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AppendixRow {
    /// "PL.I.3" or "II.1.2": the last part is printed in the STT column.
    pub code: String,
    pub text: String,
    /// Framework node or dimension as printed ("Nội dung 2: Công khai, minh bạch").
    pub dimension: Option<String>,
    pub lead_agency: Option<String>,
    pub coordinating_agencies: Vec<String>,
    pub time: Option<String>,
    pub product: Option<String>,
    pub status: Option<String>,
    /// Group label ("I") and title of the group row printed above the first row of a group.
    pub group: Option<String>,
    pub group_title: Option<String>,
}

impl From<&ParsedPlan> for PlanDocument {
    fn from(p: &ParsedPlan) -> Self {
        let appendix: Vec<AppendixRow> = p
            .tasks
            .iter()
            .filter(|t| t.source == "appendix")
            .map(|t| AppendixRow {
                code: t.code.clone(),
                text: t.text.clone(),
                dimension: t.dimension_text.clone(),
                lead_agency: (!t.lead.is_empty()).then(|| t.lead.join("; ")),
                coordinating_agencies: t.coordinating_agencies.clone(),
                time: t.due_text.clone(),
                product: t.product.clone(),
                status: t.status.clone(),
                group: t.section_code.clone(),
                group_title: None,
            })
            .collect();
        PlanDocument {
            parent_issuer: p.parent_issuer.clone(),
            issuer: p.issuer.clone().unwrap_or_default(),
            number: p.number.clone(),
            symbol: p.symbol.clone(),
            place: p.place.clone().unwrap_or_default(),
            date: p.date,
            year: p.year,
            doc_type: p.doc_type.clone().unwrap_or_else(|| "KẾ HOẠCH".to_string()),
            title: p.title.clone(),
            based_on: Vec::new(),
            preamble: p.preamble.clone(),
            sections: p.sections.clone(),
            closing: p.closing.clone(),
            recipients: p.recipients.clone(),
            signer: p.signer.clone(),
            appendix_title: (!appendix.is_empty()).then(|| format!("NHIỆM VỤ CỤ THỂ {}", p.title.to_uppercase())),
            appendix,
        }
    }
}

/// The based-on sentence of a child plan: "Căn cứ Kế hoạch số 48/KH-UBND ngày 10/02/2022 của
/// UBND tỉnh Sơn La" (parts the reference lacks are left out).
pub fn based_on_sentence(b: &crate::model::BasedOn) -> String {
    let mut out = format!("Căn cứ {}", b.kind.as_deref().unwrap_or("Kế hoạch"));
    if let Some(n) = &b.number {
        out.push_str(&format!(" số {n}"));
    }
    if let Some(d) = b.date {
        out.push_str(&format!(" ngày {}", chiso_core::text::vn_date_short(d)));
    }
    if let Some(i) = &b.issuer {
        out.push_str(&format!(" của {i}"));
    }
    out
}

/// The label printed before an outline item, from its code and its parent's code.
pub(crate) fn printed_label(code: &str) -> String {
    let code = code.split('_').next().unwrap_or(code);
    let parts: Vec<&str> = code.split('.').collect();
    let Some(last) = parts.last() else { return String::new() };
    if last.starts_with('-') {
        return "-".to_string();
    }
    if crate::outline::roman_value(last).is_some() && parts.len() == 1 {
        return format!("{last}.");
    }
    if last.chars().count() == 1 && last.chars().all(|c| c.is_alphabetic() && c.is_lowercase()) {
        return format!("{last})");
    }
    let numeric: Vec<&str> = parts.iter().rev().take_while(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())).copied().collect();
    if numeric.is_empty() {
        return format!("{last}.");
    }
    let chain: Vec<&str> = numeric.into_iter().rev().collect();
    format!("{}.", chain.join("."))
}

/// The STT printed for an appendix row: the last part of its code.
pub(crate) fn appendix_stt(code: &str) -> String {
    let code = code.split('_').next().unwrap_or(code);
    code.rsplit('.').next().unwrap_or(code).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_from_codes() {
        assert_eq!(printed_label("II"), "II.");
        assert_eq!(printed_label("II.1"), "1.");
        assert_eq!(printed_label("II.1.1"), "1.1.");
        assert_eq!(printed_label("II.3.b"), "b)");
        assert_eq!(printed_label("II.1.-2"), "-");
        assert_eq!(printed_label("3"), "3.");
        assert_eq!(printed_label("II.3.b.1"), "1.");
        assert_eq!(printed_label("II.1_2"), "1.");
        assert_eq!(appendix_stt("PL.I.3"), "3");
        let b = crate::model::BasedOn {
            kind: Some("Kế hoạch".into()),
            number: Some("48/KH-UBND".into()),
            date: Date::from_calendar_date(2022, time::Month::February, 10).ok(),
            issuer: Some("UBND tỉnh Sơn La".into()),
            text: String::new(),
        };
        assert_eq!(based_on_sentence(&b), "Căn cứ Kế hoạch số 48/KH-UBND ngày 10/02/2022 của UBND tỉnh Sơn La");
    }
}
