//! The frame around the body of an administrative document (Nghị định 30/2020, Phụ lục I):
//! the header (issuing body, number, place and date, type, title) and the footer
//! ("Nơi nhận:" list and signature block).

use crate::blocks::Line;
use crate::outline::parse_marker;
use crate::textutil::{DateMatch, capitalize_first, find_dates, is_upper, key, split_number_symbol};

/// Document types of Nghị định 30/2020 (and common plan-like ones), as folded keys with the
/// printed upper-case form. Longer names first so "chuong trinh hanh dong" wins.
const DOC_TYPES: &[(&str, &str)] = &[
    ("chuong trinh hanh dong", "CHƯƠNG TRÌNH HÀNH ĐỘNG"),
    ("ke hoach", "KẾ HOẠCH"),
    ("quyet dinh", "QUYẾT ĐỊNH"),
    ("chuong trinh", "CHƯƠNG TRÌNH"),
    ("bao cao", "BÁO CÁO"),
    ("chi thi", "CHỈ THỊ"),
    ("thong bao", "THÔNG BÁO"),
    ("huong dan", "HƯỚNG DẪN"),
    ("de an", "ĐỀ ÁN"),
    ("phuong an", "PHƯƠNG ÁN"),
    ("nghi quyet", "NGHỊ QUYẾT"),
    ("to trinh", "TỜ TRÌNH"),
    ("cong van", "CÔNG VĂN"),
    ("quy che", "QUY CHẾ"),
    ("quy dinh", "QUY ĐỊNH"),
];

/// What the header says.
#[derive(Debug, Default, Clone)]
pub(crate) struct Header {
    pub doc_type: Option<String>,
    pub number: Option<String>,
    pub symbol: Option<String>,
    pub place: Option<String>,
    pub date: Option<DateMatch>,
    pub title: String,
    pub issuer: Option<String>,
    pub parent_issuer: Option<String>,
    /// Index of the first body line.
    pub body_start: usize,
}

fn is_motto(k: &str) -> bool {
    k.starts_with("cong hoa xa hoi chu nghia") || k.starts_with("doc lap tu do hanh phuc")
}

/// Lines that open the body: the based-on sentences and numbered items.
fn opens_body(line: &Line) -> bool {
    let k = key(&line.text);
    ["can cu", "thuc hien", "trien khai", "theo "].iter().any(|p| k.starts_with(p))
        || parse_marker(&line.text, line.heading_hint).is_some_and(|m| !matches!(m.kind, crate::outline::MarkerKind::Bullet(_)))
}

/// "Mộc Châu, ngày 18 tháng 02 năm 2022" anywhere in `text`: (place, date).
fn place_date(text: &str) -> Option<(Option<String>, DateMatch)> {
    let dates = find_dates(text);
    let d = dates.into_iter().find(|d| d.long_form && d.year.is_some())?;
    let before = text[..d.start].trim_end();
    let place = before
        .strip_suffix(',')
        .map(|p| {
            // "Số: 12/KH-UBND     Mộc Châu," on one line: the place is after the number.
            let p = p.trim();
            match p.rfind("  ") {
                Some(i) => p[i..].trim().to_string(),
                None => p.rsplit_once('|').map_or(p, |(_, r)| r.trim()).to_string(),
            }
        })
        .filter(|p| !p.is_empty() && p.chars().count() <= 60 && !p.chars().any(|c| c.is_ascii_digit()));
    Some((place, d))
}

/// Read the header from the first lines. Stops at the title, or at the first line that
/// opens the body when the document has no type line.
pub(crate) fn parse_header(lines: &[Line]) -> Header {
    let mut h = Header::default();
    let mut issuers: Vec<String> = Vec::new();
    let limit = lines.len().min(40);
    let mut i = 0;
    // Index after the last header element read; the body starts there when no type line
    // or body opening is found.
    let mut header_end = 0;
    let mut stopped = false;
    let mut seen_text = false;
    while i < limit {
        let line = &lines[i];
        let t = line.text.as_str();
        let k = key(t);
        if is_motto(&k) {
            i += 1;
            header_end = i;
            continue;
        }
        if let Some(rest) = number_line(t) {
            let value: String = rest.trim_start_matches(['.', '_', '…', ' ']).split_whitespace().next().unwrap_or("").to_string();
            let (num, sym) = split_number_symbol(value.trim_start_matches(['.', '_', '…']));
            h.number = num;
            h.symbol = sym;
            if h.date.is_none()
                && let Some((place, d)) = place_date(rest)
            {
                h.place = place;
                h.date = Some(d);
            }
            i += 1;
            header_end = i;
            continue;
        }
        if h.date.is_none()
            && k.contains("ngay")
            && t.chars().count() < 120
            && let Some((place, d)) = place_date(t)
        {
            h.place = place;
            h.date = Some(d);
            i += 1;
            header_end = i;
            continue;
        }
        if let Some((printed, rest)) = doc_type_line(t) {
            h.doc_type = Some(printed);
            let mut title_parts: Vec<String> = Vec::new();
            if !rest.is_empty() {
                title_parts.push(rest);
            }
            let mut j = i + 1;
            while j < lines.len() {
                let l = &lines[j];
                let first = title_parts.is_empty();
                let same_block = !l.blank_before || (l.centered && lines[i].centered);
                if (!first && !same_block) || opens_body(l) || is_motto(&key(&l.text)) {
                    break;
                }
                title_parts.push(l.text.clone());
                j += 1;
                if title_parts.len() >= 6 {
                    break;
                }
            }
            let title = title_parts.join(" ");
            h.title = capitalize_first(title.trim().trim_end_matches('.').trim());
            h.body_start = j;
            stopped = true;
            break;
        }
        if opens_body(line) {
            h.body_start = i;
            stopped = true;
            break;
        }
        if !seen_text && is_upper(t) && h.number.is_none() && h.date.is_none() && t.chars().count() <= 120 {
            issuers.push(t.to_string());
            header_end = i + 1;
        } else {
            seen_text = true;
        }
        i += 1;
    }
    if !stopped {
        h.body_start = header_end;
    }
    if h.doc_type.is_none() && h.title.is_empty() {
        // No type line: take a short first line that is not a numbered item as the title.
        if let Some(first) = lines.get(h.body_start).filter(|l| l.text.chars().count() <= 250 && !opens_body(l) && !l.text.ends_with(':'))
            && h.body_start <= 8
        {
            h.title = first.text.trim_end_matches('.').to_string();
            h.body_start += 1;
        }
    }
    match issuers.len() {
        0 => {}
        1 => h.issuer = issuers.pop(),
        _ => {
            h.issuer = issuers.pop();
            h.parent_issuer = Some(issuers.join(" "));
        }
    }
    h
}

/// "Số: 426/KH-UBND" → the text after "Số:".
fn number_line(t: &str) -> Option<&str> {
    let rest = t.strip_prefix("Số").or_else(|| t.strip_prefix("SỐ"))?;
    let rest = rest.trim_start();
    let rest = rest.strip_prefix(':')?;
    Some(rest.trim())
}

/// A line naming the document type: "KẾ HOẠCH" alone, "KẾ HOẠCH Nâng cao …", or the
/// headline of a web page "Kế hoạch cải thiện …". Returns the printed type and the rest.
fn doc_type_line(t: &str) -> Option<(String, String)> {
    let k = key(t);
    for &(name, printed) in DOC_TYPES {
        if k == name {
            return Some((printed.to_string(), String::new()));
        }
        if k.starts_with(name) && k.as_bytes().get(name.len()) == Some(&b' ') {
            // Split the original text after the same number of words.
            let words = name.split(' ').count();
            let mut it = t.split_whitespace();
            let head: Vec<&str> = it.by_ref().take(words).collect();
            let rest: Vec<&str> = it.collect();
            let rest = rest.join(" ");
            let head = head.join(" ");
            let typed_upper = is_upper(&head);
            // "Kế hoạch số 48/KH-UBND …" is a citation, not a heading.
            if key(&rest).starts_with("so ") || rest.is_empty() || t.chars().count() > 300 {
                return None;
            }
            if typed_upper || !t.trim_end().ends_with(':') {
                return Some((printed.to_string(), rest));
            }
        }
    }
    None
}

/// The footer: recipients and the signature block.
#[derive(Debug, Default, Clone)]
pub(crate) struct Footer {
    pub recipients: Vec<String>,
    pub signer: Option<crate::model::Signer>,
    /// Index of the first footer line (the body ends here).
    pub start: usize,
}

fn signer_prefix(t: &str) -> Option<(&'static str, String)> {
    // "TM .ỦY BAN", "T/M ỦY BAN", "KT. CHỦ TỊCH", "TL.", "TUQ.", "Q."
    let up: String = t.trim().to_string();
    for (pat, norm) in
        [("TM", "TM."), ("T/M", "TM."), ("KT", "KT."), ("K/T", "KT."), ("TUQ", "TUQ."), ("TL", "TL."), ("T/L", "TL."), ("Q", "Q.")]
    {
        if let Some(rest) = up.strip_prefix(pat) {
            let r = rest.trim_start();
            let (dot, r) = match r.strip_prefix('.') {
                Some(r) => (true, r.trim_start()),
                None => (false, r),
            };
            if (dot || pat.contains('/')) && !r.is_empty() && is_upper(r) {
                return Some((norm, format!("{norm} {r}")));
            }
        }
    }
    None
}

const POSITION_WORDS: &[&str] = &[
    "chu tich",
    "giam doc",
    "truong",
    "pho",
    "bi thu",
    "chanh",
    "thu truong",
    "tong",
    "uy vien",
    "vien truong",
    "cuc truong",
    "thu ky",
    "ke toan",
    "chi huy",
];

fn is_position(t: &str) -> bool {
    if !is_upper(t) || t.chars().any(|c| c.is_ascii_digit()) || t.chars().count() > 60 {
        return false;
    }
    let k = key(t);
    POSITION_WORDS.iter().any(|w| k.starts_with(w) || k.contains(&format!(" {w}")))
}

fn is_name(t: &str) -> bool {
    let words: Vec<&str> = t.split_whitespace().collect();
    (2..=6).contains(&words.len())
        && words.iter().all(|w| w.chars().next().is_some_and(char::is_uppercase) && w.chars().all(char::is_alphabetic))
}

fn is_signature_note(t: &str) -> bool {
    let k = key(t);
    k.is_empty() || k.starts_with("da ky") || k.starts_with("ky ten") || k.starts_with("ky dong dau") || t.starts_with('[')
}

/// Whether a bracketed note is a purpose note of a recipient: "(để báo cáo)", "(b/c)", "(để T/h)".
fn is_purpose_note(note: &str) -> bool {
    let inner = key(note);
    ["de ", "b/c", "t/h", "p/h", "thuc hien", "chi dao", "bao cao", "phoi hop"].iter().any(|p| inner.starts_with(p))
}

/// A note as written, without Markdown emphasis: "(*để báo cáo*)" → "(để báo cáo)".
fn plain_note(note: &str) -> String {
    let note = note.trim().trim_start_matches('(');
    // What follows the closing bracket (the entry's ";") is not part of the note.
    let inner = note.rfind(')').map_or(note, |i| &note[..i]);
    format!("({})", inner.trim_matches(['*', '_', ' ']))
}

/// Clean one "Nơi nhận" entry: drop the list dash and the final ";", keep a purpose note as written
/// ("Sở Nội vụ (để báo cáo)"), also when it stood in a second column ("- Sở Nội vụ; | (để báo cáo)").
fn clean_recipient(s: &str) -> Option<String> {
    let mut t = s.trim().trim_start_matches(['-', ';', ' ']).to_string();
    let mut notes: Vec<String> = Vec::new();
    if let Some(i) = t.find('|') {
        // The second column of a recipients table: the note beside the entry.
        let cell = t[i + 1..].trim().to_string();
        t.truncate(i);
        if cell.starts_with('(') && is_purpose_note(cell.trim_start_matches(['(', '*', '_'])) {
            notes.push(plain_note(&cell));
        }
    }
    // Purpose notes at the end of the entry: "(để báo cáo)", "(đ/c)", "(b/c)", "(để T/h)".
    let mut trailing: Vec<String> = Vec::new();
    while let Some(open) = t.rfind('(') {
        if is_purpose_note(t[open + 1..].trim_start_matches(['*', '_'])) {
            trailing.push(plain_note(&t[open..]));
            t.truncate(open);
            t = t.trim_end().trim_end_matches([';', ',']).to_string();
        } else {
            break;
        }
    }
    trailing.reverse();
    trailing.extend(notes);
    let name = t.trim().trim_end_matches([';', ',', '.', ':', '/', ' ']).trim().to_string();
    if name.is_empty() || !name.chars().any(char::is_alphabetic) {
        return None;
    }
    Some(if trailing.is_empty() { name } else { format!("{name} {}", trailing.join(" ")) })
}

/// Find "Nơi nhận:" and the signature block from the end of the document.
pub(crate) fn parse_footer(lines: &[Line], body_start: usize) -> Footer {
    let n = lines.len();
    let mut f = Footer { start: n, ..Footer::default() };
    let noi_nhan = (body_start..n).rev().find(|&i| key(&lines[i].text).starts_with("noi nhan"));
    let mut recipient_lines = std::collections::HashSet::new();
    if let Some(i) = noi_nhan {
        f.start = i;
        let first_rest = lines[i].text.split_once(':').map(|(_, r)| r.trim().to_string()).unwrap_or_default();
        let mut entries: Vec<String> = Vec::new();
        if !first_rest.is_empty() {
            entries.push(first_rest);
        }
        let mut j = i + 1;
        while j < n {
            let t = lines[j].text.trim();
            if t.starts_with('-') || t.starts_with('+') {
                entries.push(t.to_string());
                recipient_lines.insert(j);
                j += 1;
            } else {
                break;
            }
        }
        for e in entries {
            // "- ;- Lưu VP/" holds two entries.
            for part in e.split(";-") {
                if let Some(r) = clean_recipient(part) {
                    f.recipients.push(r);
                }
            }
        }
    }
    // The signature block: search the tail (after "Nơi nhận" or the last lines).
    let from = noi_nhan.unwrap_or_else(|| n.saturating_sub(12).max(body_start));
    let mut signer = crate::model::Signer::default();
    let mut block_start = None;
    let mut got_any = false;
    for (i, line) in lines.iter().enumerate().take(n).skip(from) {
        if recipient_lines.contains(&i) || Some(i) == noi_nhan {
            continue;
        }
        let t = line.text.trim();
        if let Some((kind, normalized)) = signer_prefix(t) {
            if kind == "TM." && signer.authority.is_none() && signer.delegation.is_none() {
                signer.authority = Some(normalized);
            } else if signer.delegation.is_none() {
                signer.delegation = Some(normalized);
            } else {
                signer.position = Some(normalized);
            }
            block_start.get_or_insert(i);
            got_any = true;
            continue;
        }
        if is_position(t) && (got_any || i + 3 >= n || lines.get(i + 1).is_some_and(|l| is_name(&l.text) || is_position(&l.text))) {
            if signer.position.is_some() && got_any && !is_position_continuation(t) {
                signer.name = Some(t.to_string());
                break;
            }
            signer.position = Some(match signer.position.take() {
                Some(p) if is_position_continuation(t) => format!("{p} {t}"),
                _ => t.to_string(),
            });
            block_start.get_or_insert(i);
            got_any = true;
            continue;
        }
        if got_any {
            if is_signature_note(t) {
                continue;
            }
            if is_name(t) {
                signer.name = Some(t.to_string());
                break;
            }
        }
    }
    if got_any {
        f.signer = Some(signer);
        if let Some(b) = block_start {
            f.start = f.start.min(b);
        }
    }
    f
}

/// Upper-case lines that continue a position ("PHÓ CHỦ TỊCH" after "KT. CHỦ TỊCH" is a new
/// line; "THƯỜNG TRỰC" after "PHÓ CHỦ TỊCH" continues it).
fn is_position_continuation(t: &str) -> bool {
    let k = key(t);
    k.starts_with("thuong truc") || k.starts_with("kiem ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(texts: &[&str]) -> Vec<Line> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Line { text: t.to_string(), blank_before: true, source_line: i + 1, ..Line::default() })
            .collect()
    }

    #[test]
    fn header_fields() {
        let l = lines(&["Số: /KH-UBND", "Thanh Liêm, ngày tháng 6 năm 2021", "KẾ HOẠCH", "Hành động", "Căn cứ X"]);
        let h = parse_header(&l);
        assert_eq!(h.number, None);
        assert_eq!(h.symbol.as_deref(), Some("KH-UBND"));
        assert_eq!(h.place.as_deref(), Some("Thanh Liêm"));
        assert_eq!(h.date.and_then(|d| d.year), Some(2021));
        assert_eq!(h.title, "Hành động");
        assert_eq!(h.body_start, 4);
    }

    #[test]
    fn footer_signer_with_delegation() {
        let l = lines(&[
            "Nơi nhận:",
            "- Sở Nội vụ; | (để báo cáo)",
            "- Lưu: VT, NV.",
            "TM. ỦY BAN NHÂN DÂN",
            "KT. CHỦ TỊCH",
            "PHÓ CHỦ TỊCH",
            "Lê Văn Khương",
        ]);
        let f = parse_footer(&l, 0);
        assert_eq!(f.recipients, vec!["Sở Nội vụ (để báo cáo)", "Lưu: VT, NV"], "the purpose note is kept as written");
        let s = f.signer.unwrap_or_default();
        assert_eq!(s.authority.as_deref(), Some("TM. ỦY BAN NHÂN DÂN"));
        assert_eq!(s.delegation.as_deref(), Some("KT. CHỦ TỊCH"));
        assert_eq!(s.position.as_deref(), Some("PHÓ CHỦ TỊCH"));
        assert_eq!(s.name.as_deref(), Some("Lê Văn Khương"));
    }

    #[test]
    fn recipient_notes_are_kept_as_written() {
        assert_eq!(clean_recipient("- Sở Nội vụ; | (*để báo cáo*)").as_deref(), Some("Sở Nội vụ (để báo cáo)"));
        assert_eq!(clean_recipient("- Thường trực HU, HĐND huyện; |").as_deref(), Some("Thường trực HU, HĐND huyện"));
        assert_eq!(clean_recipient("- Ủy ban MTTQ huyện; (*để phối hợp*)").as_deref(), Some("Ủy ban MTTQ huyện (để phối hợp)"));
        assert_eq!(clean_recipient("- UBND các xã (để T/h);").as_deref(), Some("UBND các xã (để T/h)"));
        assert_eq!(clean_recipient("- Như trên (b/c);").as_deref(), Some("Như trên (b/c)"));
        // A bracket that is part of the name stays.
        assert_eq!(clean_recipient("- Văn phòng (Bộ phận một cửa);").as_deref(), Some("Văn phòng (Bộ phận một cửa)"));
        assert_eq!(clean_recipient("- ;"), None);
    }

    #[test]
    fn odd_authority_spacing() {
        assert_eq!(signer_prefix("TM .ỦY BAN NHÂN DÂN").map(|x| x.1), Some("TM. ỦY BAN NHÂN DÂN".into()));
        assert_eq!(signer_prefix("Thanh"), None);
    }
}
