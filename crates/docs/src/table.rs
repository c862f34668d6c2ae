//! Appendix task tables ("STT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian |
//! Sản phẩm"), in a DOCX or an XLSX: the header is recognised by folded keywords in any
//! order and wording; each data row becomes a task coded "PL.<group>.<STT>".

use crate::extract::agency_like;
use crate::model::Task;
use crate::outline::roman_value;
use crate::textutil::{key, starts_lowercase};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Columns {
    pub stt: Option<usize>,
    pub task: usize,
    pub dimension: Option<usize>,
    pub lead: Option<usize>,
    pub coord: Option<usize>,
    pub time: Option<usize>,
    pub product: Option<usize>,
    pub status: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Stt,
    Task,
    Dimension,
    Lead,
    Coord,
    Time,
    Product,
    Status,
    /// "Cơ quan thực hiện" spanning "Chủ trì" and "Phối hợp" in the row below.
    Agencies,
}

pub(crate) fn is_column_name(cell: &str) -> bool {
    column_kind(cell).is_some()
}

fn column_kind(cell: &str) -> Option<Col> {
    let k = key(cell);
    if k.is_empty() {
        return None;
    }
    let has = |p: &str| k.contains(p);
    Some(if matches!(k.as_str(), "stt" | "tt" | "so tt" | "so thu tu" | "s t t") {
        Col::Stt
    } else if has("trang thai") || has("tinh trang") {
        Col::Status
    } else if has("phoi hop") {
        Col::Coord
    } else if has("chu tri") || has("don vi thuc hien") || has("co quan thuc hien") && !has("phoi hop") {
        if k == "co quan thuc hien" || k == "don vi thuc hien" { Col::Agencies } else { Col::Lead }
    } else if has("chi so") || has("tieu chi") || has("linh vuc") || has("noi dung thanh phan") {
        Col::Dimension
    } else if has("nhiem vu") || has("giai phap") || has("cong viec") || has("hoat dong") || k == "noi dung" || k.starts_with("noi dung") {
        Col::Task
    } else if has("thoi gian") || has("thoi han") || has("tien do") || has("han hoan thanh") || has("moc thoi gian") {
        Col::Time
    } else if has("san pham") || has("ket qua") || has("hinh thuc") {
        Col::Product
    } else {
        return None;
    })
}

/// Find the header row within the first rows: (index of the first data row, columns).
pub(crate) fn find_header(rows: &[Vec<String>]) -> Option<(usize, Columns)> {
    for (h, row) in rows.iter().enumerate().take(15) {
        let kinds: Vec<Option<Col>> = row.iter().map(|c| column_kind(c)).collect();
        let task = kinds.iter().position(|k| *k == Some(Col::Task));
        let Some(task) = task else { continue };
        let find = |c: Col| kinds.iter().position(|k| *k == Some(c));
        let mut cols = Columns {
            stt: find(Col::Stt),
            task,
            dimension: find(Col::Dimension),
            lead: find(Col::Lead),
            coord: find(Col::Coord),
            time: find(Col::Time),
            product: find(Col::Product),
            status: find(Col::Status),
        };
        let mut data = h + 1;
        // Two-row header: "Cơ quan thực hiện" over "Chủ trì | Phối hợp".
        if let Some(next) = rows.get(h + 1) {
            let sub: Vec<Option<Col>> = next.iter().map(|c| column_kind(c)).collect();
            let lead = sub.iter().position(|k| *k == Some(Col::Lead));
            let coord = sub.iter().position(|k| *k == Some(Col::Coord));
            if (lead.is_some() || coord.is_some()) && next.get(task).is_none_or(|c| c.trim().is_empty()) {
                cols.lead = lead.or(cols.lead);
                cols.coord = coord.or(cols.coord);
                data = h + 2;
            }
        }
        if cols.lead.is_none()
            && let Some(a) = find(Col::Agencies)
        {
            cols.lead = Some(a);
        }
        if cols.lead.is_some() || cols.time.is_some() || cols.product.is_some() {
            return Some((data, cols));
        }
    }
    None
}

/// Split "Phòng Nội vụ, UBND các xã, thị trấn; Công an huyện" into agencies, keeping a
/// comma inside one name ("các xã, thị trấn", "Văn phòng Huyện ủy, HĐND và UBND huyện",
/// "các phòng, ban, ngành").
pub(crate) fn split_agencies(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split(['\n', ';']) {
        let mut first_in_part = true;
        for piece in part.split(',') {
            let p = piece.trim().trim_start_matches(['-', '+', '•']).trim().trim_end_matches(['.', ':']).trim().to_string();
            if p.is_empty() {
                continue;
            }
            if !first_in_part
                && let Some(prev) = out.last_mut()
                && continues_name(prev, &p)
            {
                prev.push_str(", ");
                prev.push_str(&p);
                continue;
            }
            out.push(p);
            first_in_part = false;
        }
    }
    out
}

/// Whether `next` (after a comma) continues the name `prev` rather than starting a new one.
fn continues_name(prev: &str, next: &str) -> bool {
    if starts_lowercase(next) || !agency_like(next) {
        return true;
    }
    let nk = key(next);
    // A one-word head ("ban", "sở") is a list inside a group name: "các phòng, ban, ngành".
    if !nk.contains(' ') {
        return true;
    }
    // "Văn phòng Huyện ủy, HĐND và UBND huyện": one office of several bodies.
    let pk = key(prev);
    pk.starts_with("van phong ")
        && ["hdnd", "ubnd", "hoi dong", "uy ban", "huyen uy", "thanh uy", "tinh uy", "dang uy"].iter().any(|h| nk.starts_with(h))
}

fn cell(row: &[String], i: Option<usize>) -> String {
    i.and_then(|i| row.get(i)).map(|s| s.trim().to_string()).unwrap_or_default()
}

/// Rows to tasks. Rows whose STT is a Roman numeral or a capital letter, or that have only
/// a text, are group headings; their label prefixes the codes of the rows below.
pub(crate) fn table_tasks(rows: &[Vec<String>], data: usize, cols: Columns, year: Option<i32>) -> Vec<Task> {
    let mut tasks = Vec::new();
    // The header's task cell, to skip the header when it repeats on later pages.
    let header_task = rows.get(data.saturating_sub(1)).map(|r| key(&cell(r, Some(cols.task))));
    let header_task = match header_task {
        Some(k) if !k.is_empty() => Some(k),
        _ => rows.get(data.saturating_sub(2)).map(|r| key(&cell(r, Some(cols.task)))),
    };
    let mut group: Option<String> = None;
    let mut group_title: Option<String> = None;
    let mut seq = 0u32;
    let mut seen = std::collections::HashSet::new();
    for row in rows.iter().skip(data) {
        let text = cell(row, Some(cols.task));
        let stt = cell(row, cols.stt).trim_end_matches(['.', ')']).to_string();
        let others = [cols.lead, cols.coord, cols.time, cols.product].iter().any(|c| !cell(row, *c).is_empty());
        if text.is_empty() {
            continue;
        }
        // A header row repeated on each page.
        if !others && header_task.as_deref() == Some(key(&text).as_str()) {
            continue;
        }
        let is_group =
            roman_value(&stt).is_some() || (stt.len() == 1 && stt.chars().all(|c| c.is_ascii_uppercase())) || (stt.is_empty() && !others);
        if is_group {
            group = Some(if stt.is_empty() { format!("N{}", tasks.len() + 1) } else { stt.clone() });
            group_title = Some(text);
            seq = 0;
            continue;
        }
        seq += 1;
        let number = if stt.is_empty() { seq.to_string() } else { stt.replace(' ', "") };
        let mut code = match &group {
            Some(g) => format!("PL.{g}.{number}"),
            None => format!("PL.{number}"),
        };
        if !seen.insert(code.clone()) {
            let mut n = 2;
            while !seen.insert(format!("{code}_{n}")) {
                n += 1;
            }
            code = format!("{code}_{n}");
        }
        let due = cell(row, cols.time);
        let when = crate::extract::due_of(&due, year);
        let dimension_text = cols.dimension.map(|c| cell(row, Some(c))).filter(|s| !s.is_empty());
        let lead = cell(row, cols.lead);
        let product = cell(row, cols.product);
        let status = cell(row, cols.status);
        let mut notes = when.note.into_iter().collect::<Vec<_>>();
        if cols.lead.is_some() && lead.is_empty() {
            notes.push("Dòng không ghi cơ quan chủ trì.".to_string());
        }
        let leads = split_agencies(&lead);
        tasks.push(Task {
            code,
            text,
            section_code: group.clone(),
            lead_source: (!leads.is_empty()).then(|| "appendix".to_string()),
            confidence: (!leads.is_empty()).then_some(1.0),
            evidence: (!leads.is_empty()).then(|| format!("Phụ lục, cột chủ trì: {lead}")),
            lead: leads,
            coordinating_agencies: crate::duties::split_and(split_agencies(&cell(row, cols.coord))),
            recurrence: when.recurrence,
            due_text: (!due.is_empty()).then_some(due),
            due_date: when.date,
            product: (!product.is_empty()).then_some(product),
            dimension_text: dimension_text.or_else(|| group_title.clone()),
            group: group_title.clone(),
            status: (!status.is_empty()).then_some(status),
            source: "appendix".to_string(),
            notes,
            ..Task::default()
        });
    }
    tasks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn header_in_any_order_and_two_rows() {
        let rows = vec![
            row(&["PHỤ LỤC", "", "", "", ""]),
            row(&["Nội dung nhiệm vụ", "TT", "Thời hạn hoàn thành", "Cơ quan thực hiện", ""]),
            row(&["", "", "", "Chủ trì", "Phối hợp"]),
            row(&["Tham gia của người dân", "I", "", "", ""]),
            row(&["Niêm yết hộ nghèo", "1", "30/6/2022", "UBND các xã", "Phòng LĐTB&XH, UBND các xã, thị trấn"]),
        ];
        let (data, cols) = find_header(&rows).unwrap_or_default();
        assert_eq!(data, 3);
        assert_eq!((cols.task, cols.stt, cols.lead, cols.coord, cols.time), (0, Some(1), Some(3), Some(4), Some(2)));
        let t = table_tasks(&rows, data, cols, Some(2022));
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].code, "PL.I.1");
        assert_eq!(t[0].section_code.as_deref(), Some("I"));
        assert_eq!(t[0].coordinating_agencies, vec!["Phòng LĐTB&XH", "UBND các xã, thị trấn"]);
        assert_eq!(t[0].due_date, crate::textutil::make_date(2022, 6, 30));
    }
}
