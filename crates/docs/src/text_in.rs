//! Reading plain text, Markdown and web-page text into [`Block`]s: decoding, Markdown
//! markers, tables, and the banners a web page wraps around a document.

use crate::DocError;
use crate::blocks::{Block, Line, Table, normalize_line};
use crate::textutil::{find_dates, key};
use time::Date;

/// Decode bytes as UTF-8 (BOM allowed) or UTF-16 with a BOM; reject binary content with a
/// message that says where the problem is.
pub(crate) fn decode_text(bytes: &[u8], file: &str) -> Result<String, DocError> {
    let text = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        utf8(rest, file)?
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        utf16(rest, file, u16::from_le_bytes)?
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        utf16(rest, file, u16::from_be_bytes)?
    } else {
        utf8(bytes, file)?
    };
    if let Some(pos) = text.find('\0') {
        let (line, col) = line_col(&text, pos);
        return Err(DocError::NotText {
            file: file.to_string(), detail: format!("có ký tự NUL ở dòng {line}, cột {col} — tệp nhị phân?")
        });
    }
    let controls = text.chars().filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')).count();
    if controls * 100 > text.chars().count().max(1) {
        return Err(DocError::NotText {
            file: file.to_string(), detail: format!("{controls} ký tự điều khiển — tệp nhị phân?")
        });
    }
    Ok(text)
}

fn utf8(bytes: &[u8], file: &str) -> Result<String, DocError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            let col = good.len() - good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
            Err(DocError::NotText {
                file: file.to_string(),
                detail: format!("không phải UTF-8 ở dòng {line}, cột {col} (byte {}); hãy lưu lại với mã Unicode UTF-8", e.valid_up_to()),
            })
        }
    }
}

fn utf16(bytes: &[u8], file: &str, conv: fn([u8; 2]) -> u16) -> Result<String, DocError> {
    let units = bytes.chunks_exact(2).map(|c| conv([c[0], c[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|e| DocError::NotText { file: file.to_string(), detail: format!("UTF-16 hỏng: {e}") })
}

fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let before = &text[..pos];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Facts a web page gives outside the document text.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct PageInfo {
    pub published: Option<Date>,
    pub source: Option<String>,
    pub markdown: bool,
}

/// Split text into blocks: one [`Line`] per non-empty line, Markdown tables as [`Table`]s.
pub(crate) fn text_blocks(text: &str) -> (Vec<Block>, PageInfo) {
    let mut info = PageInfo::default();
    let mut blocks = Vec::new();
    let mut blank = true;
    let mut in_bold = false;
    let mut table: Option<Table> = None;
    for (idx, raw) in text.split('\n').enumerate() {
        let raw = raw.trim_end_matches('\r');
        let trimmed = raw.trim();
        let md_row = trimmed.starts_with('|') && trimmed.len() > 1 && trimmed[1..].contains('|');
        // A row of a table a web page rendered as "TT | Nhiệm vụ | Chủ trì | …" (four cells or more).
        let pipe_row = !md_row && trimmed.matches(" | ").count() >= 3;
        if md_row || pipe_row {
            info.markdown |= md_row;
            let cells: Vec<String> =
                split_table_row(trimmed).into_iter().map(|c| normalize_line(&clean_markdown(&c, &mut false).0)).collect();
            let t = table.get_or_insert_with(|| Table { rows: Vec::new(), source_line: idx + 1 });
            if !cells.iter().all(|c| is_separator_cell(c)) {
                t.rows.push(cells);
            }
            continue;
        }
        // A blank line between rows does not end a table (web pages put one after every row).
        if trimmed.is_empty() {
            blank = true;
            continue;
        }
        if let Some(t) = table.take() {
            blocks.push(Block::Table(t));
            blank = true;
        }
        let (cleaned, heading, bold, md) = clean_markdown(raw, &mut in_bold);
        info.markdown |= md;
        let text = normalize_line(&cleaned);
        if text.is_empty() || is_rule(&text) {
            blank = true;
            continue;
        }
        blocks.push(Block::Line(Line { text, blank_before: blank, heading_hint: heading || bold, centered: false, source_line: idx + 1 }));
        blank = false;
    }
    if let Some(t) = table.take() {
        blocks.push(Block::Table(t));
    }
    strip_banners(&mut blocks, &mut info);
    (pipe_tables(blocks), info)
}

/// Whether a line is a lone cell separator of a table flattened by a legal web site.
fn is_pipe(b: &Block) -> bool {
    matches!(b, Block::Line(l) if l.text.trim() == "|")
}

fn line_text(b: &Block) -> &str {
    match b {
        Block::Line(l) => l.text.as_str(),
        Block::Table(_) => "",
    }
}

/// STT-like cell: "1", "12", "I", "IV", "A".
fn stt_like(c: &str) -> bool {
    let c = c.trim().trim_end_matches(['.', ')']);
    !c.is_empty()
        && (c.chars().all(|ch| ch.is_ascii_digit()) && c.len() <= 3
            || crate::outline::roman_value(c).is_some()
            || c.len() == 1 && c.chars().all(|ch| ch.is_ascii_uppercase()))
}

/// Tables that a legal web site flattened into text, one cell per line (or a few lines)
/// with a lone "|" line between cells and the row ends lost: the header row (recognised
/// column names) gives the width, group rows ("I | Title") are shorter; rebuilt as tables.
/// Runs without a recognisable task header are left as lines.
fn pipe_tables(blocks: Vec<Block>) -> Vec<Block> {
    if !blocks.iter().any(is_pipe) {
        return blocks;
    }
    let mut out: Vec<Block> = Vec::with_capacity(blocks.len());
    let mut i = 0;
    while i < blocks.len() {
        if !is_pipe(&blocks[i]) {
            out.push(blocks[i].clone());
            i += 1;
            continue;
        }
        // A run of cells: the cell before the first "|" is the last line already output.
        let mut cells: Vec<Vec<usize>> = Vec::new();
        let first_cell = i.checked_sub(1).filter(|&p| matches!(blocks[p], Block::Line(_)));
        if let Some(p) = first_cell {
            cells.push(vec![p]);
        }
        let mut j = i;
        while j < blocks.len() && is_pipe(&blocks[j]) {
            let mut cell = Vec::new();
            let mut k = j + 1;
            // A cell is a few consecutive lines: a blank line ends it.
            while k < blocks.len()
                && !is_pipe(&blocks[k])
                && matches!(&blocks[k], Block::Line(l) if !l.blank_before || cell.is_empty())
                && cell.len() < 30
            {
                cell.push(k);
                k += 1;
            }
            // The cell after the last "|" is its first line and its lower-case continuations.
            if k >= blocks.len() || !is_pipe(&blocks[k]) {
                let keep =
                    cell.iter().take_while(|&&x| x == j + 1 || crate::textutil::starts_lowercase(line_text(&blocks[x]))).count().max(1);
                cell.truncate(keep.min(cell.len()));
                k = j + 1 + cell.len();
            }
            cells.push(cell);
            j = k;
        }
        let texts: Vec<String> = cells
            .iter()
            .map(|c| {
                let mut s = String::new();
                for &x in c {
                    let t = line_text(&blocks[x]).trim();
                    if !s.is_empty() {
                        s.push(if crate::textutil::starts_lowercase(t) { ' ' } else { '\n' });
                    }
                    s.push_str(t);
                }
                s
            })
            .collect();
        match rebuild(&texts) {
            Some((before, rows)) => {
                if first_cell.is_some() && before == 0 {
                    out.pop();
                }
                let src = match blocks.get(i) {
                    Some(Block::Line(l)) => l.source_line,
                    _ => 0,
                };
                // Cells before the header stay lines (except the one already output).
                let skip_first = usize::from(first_cell.is_some());
                for c in cells.iter().take(before).skip(skip_first) {
                    for &x in c {
                        out.push(blocks[x].clone());
                    }
                }
                out.push(Block::Table(Table { rows, source_line: src }));
            }
            None => {
                for b in &blocks[i..j] {
                    out.push(b.clone());
                }
            }
        }
        i = j.max(i + 1);
    }
    out
}

/// Rows of a flattened table: (number of cells before the header, rows incl. the header).
fn rebuild(cells: &[String]) -> Option<(usize, Vec<Vec<String>>)> {
    for h in 0..cells.len() {
        let width = cells[h..].iter().take_while(|c| crate::table::is_column_name(c)).count();
        if width < 3 {
            continue;
        }
        let header: Vec<String> = cells[h..h + width].to_vec();
        crate::table::find_header(std::slice::from_ref(&header))?;
        let mut rows = vec![header];
        let mut k = h + width;
        while k < cells.len() {
            // A row runs to the next STT-like cell at a row width; group rows are shorter.
            let fits = |n: usize| k + n == cells.len() || cells.get(k + n).is_some_and(|c| stt_like(c));
            let n = if fits(width) { width } else { (2..width).find(|&n| fits(n)).unwrap_or(width) };
            let end = (k + n).min(cells.len());
            let mut row: Vec<String> = cells[k..end].to_vec();
            row.resize(width, String::new());
            rows.push(row);
            k = end;
        }
        return Some((h, rows));
    }
    None
}

fn split_table_row(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner.split('|').map(|c| c.trim().replace("<br>", "\n").replace("<br/>", "\n")).collect()
}

fn is_separator_cell(c: &str) -> bool {
    !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' '))
}

/// A horizontal rule or a line of filler characters.
pub(crate) fn is_rule(s: &str) -> bool {
    s.chars().all(|c| matches!(c, '-' | '_' | '=' | '*' | '.' | '~' | ' ' | '…'))
}

/// Remove Markdown markup from one line. Returns (text, heading?, bold?, had markdown?).
fn clean_markdown(raw: &str, in_bold: &mut bool) -> (String, bool, bool, bool) {
    let mut s = raw.trim().to_string();
    let mut md = false;
    while let Some(rest) = s.strip_prefix('>') {
        s = rest.trim_start().to_string();
        md = true;
    }
    let mut heading = false;
    let hashes = s.chars().take_while(|&c| c == '#').count();
    if (1..=6).contains(&hashes) && s[hashes..].starts_with([' ', '*', '_']) {
        s = s[hashes..].trim_start().to_string();
        heading = true;
        md = true;
    }
    let starts_bold = *in_bold || s.starts_with("**") || s.starts_with("__");
    let bold_marks = s.matches("**").count() + s.matches("__").count();
    if bold_marks > 0 {
        md = true;
    }
    if bold_marks % 2 == 1 {
        *in_bold = !*in_bold;
    }
    s = s.replace("**", "").replace("__", "");
    if let Some(rest) = s.strip_prefix("* ") {
        s = format!("- {rest}");
        md = true;
    }
    if s.contains('*') {
        md = true;
        s = s.replace('*', "");
    }
    let s = unescape_and_links(&s, &mut md);
    let s = s.trim_end_matches('\\').trim().to_string();
    (s, heading, starts_bold, md)
}

/// Backslash escapes, links, images and simple HTML tags.
fn unescape_and_links(s: &str, md: &mut bool) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && chars.get(i + 1).is_some_and(|n| n.is_ascii_punctuation()) {
            out.push(chars[i + 1]);
            i += 2;
            *md = true;
            continue;
        }
        if (c == '[' || (c == '!' && chars.get(i + 1) == Some(&'[')))
            && let Some((text, next)) = link_at(&chars, if c == '!' { i + 1 } else { i })
        {
            if c != '!' {
                out.push_str(&text);
            }
            i = next;
            *md = true;
            continue;
        }
        if c == '<'
            && let Some(close) = chars[i..].iter().take(40).position(|&x| x == '>')
        {
            let tag: String = chars[i + 1..i + close].iter().collect();
            let name = tag.trim_start_matches('/');
            if name.chars().next().is_some_and(|x| x.is_ascii_alphabetic())
                && name.chars().all(|x| x.is_ascii_alphanumeric() || " =\"'/-:;.#".contains(x))
            {
                out.push(' ');
                i += close + 1;
                *md = true;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// `[text](url)` starting at `chars[i] == '['`: returns the text and the index after it.
fn link_at(chars: &[char], i: usize) -> Option<(String, usize)> {
    let close = chars[i..].iter().take(400).position(|&c| c == ']')? + i;
    if chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let end = chars[close + 1..].iter().take(600).position(|&c| c == ')')? + close + 1;
    let url: String = chars[close + 2..end].iter().collect();
    if url.contains(' ') && !url.starts_with("http") {
        return None;
    }
    Some((chars[i + 1..close].iter().collect(), end + 1))
}

/// Start of a line that web portals print around an article (font-size switches, view
/// counters, share buttons); kept as folded keys.
const BANNER_PREFIXES: &[&str] = &[
    "co chu",
    "font size",
    "luot xem",
    "so luot xem",
    "luot truy cap",
    "in bai viet",
    "in trang",
    "ban in",
    "gui email",
    "gui bai viet",
    "chia se",
    "share",
    "tweet",
    "facebook",
    "zalo",
    "quay lai",
    "quay ve",
    "len dau trang",
    "ve dau trang",
    "tu khoa",
    "tags",
    "danh gia bai viet",
    "binh luan",
    "trang chu",
    "ban quyen",
    "copyright",
];

/// Headings after which a web page lists other articles: everything after them is dropped.
const TRAILER_MARKERS: &[&str] =
    &["tin lien quan", "cac tin khac", "tin khac", "tin cung chuyen muc", "bai viet lien quan", "cac bai viet khac", "y kien ban doc"];

const PUBLISHED_PREFIXES: &[&str] = &["ngay dang", "dang ngay", "cap nhat", "ngay cap nhat", "thoi gian dang", "ngay xuat ban"];

fn strip_banners(blocks: &mut Vec<Block>, info: &mut PageInfo) {
    let mut keep: Vec<Block> = Vec::with_capacity(blocks.len());
    let total = blocks.len();
    for (i, b) in blocks.drain(..).enumerate() {
        let Block::Line(line) = &b else {
            keep.push(b);
            continue;
        };
        let t = line.text.as_str();
        let k = key(t);
        let short = t.chars().count() < 140;
        if short && TRAILER_MARKERS.iter().any(|m| k == *m || k.starts_with(&format!("{m} "))) && i * 2 > total {
            break;
        }
        if short && BANNER_PREFIXES.iter().any(|p| k == *p || k.starts_with(&format!("{p} "))) {
            continue;
        }
        // "(Nguồn: Quyết định số 1732/QĐ-UBND)"
        let inner = t.trim_start_matches('(').trim_end_matches([')', '.']);
        if short && key(inner).starts_with("nguon") && inner.contains(':') {
            if let Some((_, src)) = inner.split_once(':') {
                info.source = Some(src.trim().to_string());
            }
            continue;
        }
        if short && PUBLISHED_PREFIXES.iter().any(|p| k.starts_with(p)) {
            if let Some(d) = find_dates(t).first().and_then(|d| d.date()) {
                info.published.get_or_insert(d);
            }
            continue;
        }
        // A bullet or line holding only a date/time or a counter: "• 21/09/2023", "• 156".
        let bare = t.trim_start_matches('-').trim();
        if !bare.is_empty() && bare.chars().all(|c| c.is_ascii_digit() || " /:.-,".contains(c)) {
            let date = find_dates(bare).first().and_then(|d| d.date());
            if let Some(d) = date {
                info.published.get_or_insert(d);
                continue;
            }
            if t.starts_with('-') && bare.chars().all(|c| c.is_ascii_digit() || c == '.') {
                continue;
            }
        }
        keep.push(b);
    }
    *blocks = keep;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text_blocks(text)
            .0
            .into_iter()
            .filter_map(|b| match b {
                Block::Line(l) => Some(l.text),
                Block::Table(_) => None,
            })
            .collect()
    }

    #[test]
    fn markdown_markers_go() {
        let l = lines("## **II. NỘI DUNG**\n\n- Sở Nội vụ; | (*để báo cáo*)\n*( Có phụ lục)*\n1\\. Mục đích");
        assert_eq!(l, vec!["II. NỘI DUNG", "- Sở Nội vụ; | (để báo cáo)", "(Có phụ lục)", "1. Mục đích"]);
    }

    #[test]
    fn banners_go_and_give_facts() {
        let (b, info) = text_blocks(
            "Cỡ chữ: Giảm (A-) Mặc định (A) Tăng (A+)\n\nTiêu đề\n\n  • 21/09/2023\n  • 156\n\nNội dung.\n\n(Nguồn: Quyết định số 1732/QĐ-UBND)",
        );
        assert_eq!(b.len(), 2);
        assert_eq!(info.published, crate::textutil::make_date(2023, 9, 21));
        assert_eq!(info.source.as_deref(), Some("Quyết định số 1732/QĐ-UBND"));
    }

    #[test]
    fn rejects_binary_and_bad_utf8() {
        assert!(matches!(decode_text(b"abc\0def", "x.txt"), Err(DocError::NotText { .. })));
        let e = decode_text(b"ok\nab\xff", "x.txt").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("dòng 2, cột 3"), "{e}");
        assert_eq!(decode_text(&[0xFF, 0xFE, b'A', 0], "x").ok().as_deref(), Some("A"));
    }
}
