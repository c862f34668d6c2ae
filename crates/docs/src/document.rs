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
    /// The month when the date is incomplete: `date` `None`, `month` 6, `year` 2021 prints
    /// "ngày … tháng 6 năm 2021".
    #[serde(default)]
    pub month: Option<u8>,
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

/// One task of the appendix table (columns STT / Nội dung nhiệm vụ / Cơ quan chủ trì / Cơ quan phối hợp /
/// Thời gian hoàn thành / Sản phẩm, and Trạng thái when a row has a status).
///
/// The writers group the rows under group rows numbered I, II, … in the order the groups first appear
/// and number the rows 1, 2, 3 within each group (see [`appendix_groups`]); a row's group is its
/// `group_title`, else its `group` label, else its `dimension`. Without any, the rows are numbered
/// 1, 2, 3 without group rows. Empty fields print as empty cells.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AppendixRow {
    /// The task's code ("PL.I.3", "II.1.2"); not printed (the STT is the row's place in its group).
    pub code: String,
    pub text: String,
    /// Framework node or dimension as printed ("Nội dung 2: Công khai, minh bạch"): the group of a row
    /// that has no other.
    pub dimension: Option<String>,
    pub lead_agency: Option<String>,
    pub coordinating_agencies: Vec<String>,
    pub time: Option<String>,
    pub product: Option<String>,
    pub status: Option<String>,
    /// Group label as the source names it ("I") and the title of the group row.
    pub group: Option<String>,
    pub group_title: Option<String>,
}

/// A group of appendix rows: the group row ("I", its title) and the rows under it.
#[derive(Debug, Clone, PartialEq)]
pub struct AppendixGroup<'a> {
    /// "I", "II", … ; `None` for rows without any group (no group row is printed).
    pub numeral: Option<String>,
    pub title: String,
    pub rows: Vec<&'a AppendixRow>,
}

/// Upper-case Roman numeral of `n` (1 → "I", 14 → "XIV").
pub fn roman(mut n: u32) -> String {
    const DIGITS: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (v, d) in DIGITS {
        while n >= v {
            out.push_str(d);
            n -= v;
        }
    }
    out
}

/// The appendix rows in their groups, groups in the order they first appear and rows in their
/// order within a group; the group rows are numbered I, II, … (rows without a group come in a group
/// without numeral, printed without a group row) and titled by the first title their rows give. The
/// STT of a row is its place in its group, from 1.
pub fn appendix_groups(rows: &[AppendixRow]) -> Vec<AppendixGroup<'_>> {
    let nonempty = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    // A row's group: the label its source gives ("I": the rows under one group row), else its
    // group's title, else its dimension.
    let mut keys: Vec<Option<String>> = Vec::new();
    let mut groups: Vec<AppendixGroup<'_>> = Vec::new();
    for r in rows {
        let key = nonempty(&r.group).map(|g| format!("label:{g}")).or_else(|| nonempty(&r.group_title).map(|t| format!("title:{t}")));
        let key = key.or_else(|| nonempty(&r.dimension).map(|d| format!("dimension:{d}")));
        let title = nonempty(&r.group_title).or_else(|| if nonempty(&r.group).is_none() { nonempty(&r.dimension) } else { None });
        let i = match keys.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                keys.push(key.clone());
                groups.push(AppendixGroup { numeral: key.as_ref().map(|_| String::new()), title: String::new(), rows: Vec::new() });
                groups.len() - 1
            }
        };
        let g = &mut groups[i];
        if g.title.is_empty()
            && let Some(t) = title
        {
            g.title = t;
        }
        g.rows.push(r);
    }
    let mut n = 0;
    for g in &mut groups {
        if g.numeral.is_some() {
            n += 1;
            g.numeral = Some(roman(n));
        }
    }
    groups
}

/// "ngày 05 tháng 01 năm 2024" (Nghị định 30/2020: day and months 1, 2 with a leading zero); the
/// parts an incomplete date lacks are left blank ("ngày … tháng 6 năm 2021"), never dropped.
pub fn vn_date_line(date: Option<Date>, month: Option<u8>, year: Option<i32>) -> String {
    if let Some(d) = date {
        return chiso_core::text::vn_date_long(d);
    }
    let month = match month.filter(|m| (1..=12).contains(m)) {
        Some(m) if m <= 2 => format!("{m:02}"),
        Some(m) => m.to_string(),
        None => "…".to_string(),
    };
    let year = year.map_or_else(|| "…".to_string(), |y| y.to_string());
    format!("ngày … tháng {month} năm {year}")
}

/// The line under the appendix heading: "(Kèm theo Kế hoạch số 426/KH-UBND ngày 18/02/2022 của …)";
/// a blank number keeps its symbol ("số      /KH-UBND") and a blank date its month and year ("ngày …
/// tháng 6 năm 2021"); parts the plan lacks are left out.
pub(crate) fn attached_to(doc: &PlanDocument) -> String {
    let kind = doc.doc_type.trim().to_lowercase();
    let mut chars = kind.chars();
    let kind: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    let mut note = format!("(Kèm theo {kind}");
    match (&doc.number, &doc.symbol) {
        (Some(n), _) => note.push_str(&format!(" số {n}")),
        (None, Some(s)) => note.push_str(&format!(" số      /{s}")),
        (None, None) => {}
    }
    match doc.date {
        Some(d) => note.push_str(&format!(" ngày {}", chiso_core::text::vn_date_short(d))),
        // A date not filled in yet is left blank as in the header.
        None if doc.year.is_some() => note.push_str(&format!(" {}", vn_date_line(None, doc.month, doc.year))),
        None => {}
    }
    if !doc.issuer.trim().is_empty() {
        note.push_str(&format!(" của {}", capitalize_body(doc.issuer.trim())));
    }
    note.push(')');
    note
}

/// "ỦY BAN NHÂN DÂN HUYỆN MỘC CHÂU" → "Ủy ban nhân dân huyện Mộc Châu" for running text: the body's
/// words in lower case, the place name (after the level word) capitalised.
fn capitalize_body(issuer: &str) -> String {
    if issuer.chars().any(char::is_lowercase) {
        return issuer.to_string();
    }
    const LEVELS: [&str; 8] = ["TỈNH", "THÀNH PHỐ", "HUYỆN", "QUẬN", "THỊ XÃ", "THỊ TRẤN", "XÃ", "PHƯỜNG"];
    let level_at = LEVELS.iter().filter_map(|l| issuer.find(&format!(" {l} ")).map(|i| (i, l.len() + 2))).min();
    let cap = |w: &str| {
        let lower = w.to_lowercase();
        let mut c = lower.chars();
        c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
    };
    let (body, place) = match level_at {
        Some((i, len)) => (&issuer[..i + len], &issuer[i + len..]),
        None => (issuer, ""),
    };
    let body = cap(body.trim_end());
    let place: Vec<String> = place.split_whitespace().map(cap).collect();
    if place.is_empty() { body } else { format!("{body} {}", place.join(" ")) }
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
                time: t.due_text.clone().or_else(|| t.due_date.map(chiso_core::text::vn_date_short)),
                product: t.product.clone(),
                status: t.status.clone(),
                group: t.section_code.clone(),
                group_title: t.group.clone(),
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
            month: p.month,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(text: &str, group: Option<&str>, dimension: Option<&str>) -> AppendixRow {
        AppendixRow {
            text: text.into(),
            group_title: group.map(String::from),
            dimension: dimension.map(String::from),
            ..AppendixRow::default()
        }
    }

    #[test]
    fn appendix_rows_grouped_in_order_of_appearance() {
        let rows = vec![
            row("a", Some("Nhóm A"), Some("D1")),
            row("b", Some("Nhóm B"), None),
            row("c", Some("Nhóm A"), Some("D2")),
            row("d", None, Some("Nội dung 3")),
        ];
        // The label of the source's group row holds rows together; the title comes from any of them.
        let labelled = vec![
            AppendixRow { text: "p".into(), group: Some("A".into()), ..AppendixRow::default() },
            AppendixRow { text: "q".into(), group: Some("A".into()), group_title: Some("Nhóm A".into()), ..AppendixRow::default() },
        ];
        let g = appendix_groups(&labelled);
        assert_eq!((g.len(), g[0].numeral.as_deref(), g[0].title.as_str(), g[0].rows.len()), (1, Some("I"), "Nhóm A", 2));
        let g = appendix_groups(&rows);
        let shape: Vec<(Option<&str>, &str, Vec<&str>)> =
            g.iter().map(|g| (g.numeral.as_deref(), g.title.as_str(), g.rows.iter().map(|r| r.text.as_str()).collect())).collect();
        assert_eq!(
            shape,
            vec![(Some("I"), "Nhóm A", vec!["a", "c"]), (Some("II"), "Nhóm B", vec!["b"]), (Some("III"), "Nội dung 3", vec!["d"]),]
        );
        // No group at all: one group without numeral.
        let flat = vec![row("x", None, None), row("y", None, None)];
        let g = appendix_groups(&flat);
        assert_eq!(g.len(), 1);
        assert_eq!((g[0].numeral.as_deref(), g[0].rows.len()), (None, 2));
        assert_eq!(roman(4), "IV");
        assert_eq!(roman(9), "IX");
        assert_eq!(roman(14), "XIV");
    }

    #[test]
    fn an_incomplete_date_keeps_its_month_and_year() {
        assert_eq!(vn_date_line(None, Some(6), Some(2021)), "ngày … tháng 6 năm 2021");
        assert_eq!(vn_date_line(None, Some(2), Some(2021)), "ngày … tháng 02 năm 2021");
        assert_eq!(vn_date_line(None, None, Some(2021)), "ngày … tháng … năm 2021");
        assert_eq!(vn_date_line(Date::from_calendar_date(2022, time::Month::February, 18).ok(), None, None), "ngày 18 tháng 02 năm 2022");
        assert_eq!(capitalize_body("ỦY BAN NHÂN DÂN HUYỆN MỘC CHÂU"), "Ủy ban nhân dân huyện Mộc Châu");
        assert_eq!(capitalize_body("ỦY BAN NHÂN DÂN THỊ TRẤN AN THI"), "Ủy ban nhân dân thị trấn An Thi");
        assert_eq!(capitalize_body("UBND tỉnh Sơn La"), "UBND tỉnh Sơn La");
    }

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
