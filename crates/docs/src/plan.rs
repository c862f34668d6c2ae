//! Putting it together: detect the format, read blocks, find header, body and footer, and
//! derive the plan's facts.

use crate::DocError;
use crate::blocks::{Block, Line};
use crate::classify::{Family, classify_in};
use crate::extract;
use crate::frame::{parse_footer, parse_header};
use crate::model::{Deadline, ParsedPlan, Task};
use crate::outline::{Kind, Node, ancestor_titles, build_body, is_intro, is_parenthetical, parse_marker, sections};
use crate::table::{find_header, table_tasks};
use crate::text_in::{PageInfo, decode_text, text_blocks};
use crate::textutil::{is_upper, key, starts_lowercase};
use crate::zipsafe::SafeZip;

/// Largest input accepted, in bytes.
pub const MAX_INPUT_BYTES: u64 = 20 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Docx,
    Xlsx,
    Text,
}

fn extension(file: &str) -> String {
    file.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default()
}

/// Decide the format by content; the file name only words the error.
fn detect(bytes: &[u8], file: &str) -> Result<Format, DocError> {
    let ext = extension(file);
    let unsupported = |detail: &str| Err(DocError::Unsupported { file: file.to_string(), detail: detail.to_string() });
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        let z = SafeZip::open(bytes, file)?;
        if z.has("word/document.xml") {
            return Ok(Format::Docx);
        }
        if z.has("xl/workbook.xml") {
            return Ok(Format::Xlsx);
        }
        if ext == "docx" && z.has("_rels/.rels") {
            return Ok(Format::Docx);
        }
        return unsupported("tệp ZIP nhưng không phải DOCX (thiếu word/document.xml) hay XLSX (thiếu xl/workbook.xml)");
    }
    if matches!(ext.as_str(), "docx" | "xlsx" | "docm" | "xlsm") {
        return Err(DocError::Zip {
            file: file.to_string(),
            detail: format!("tệp .{ext} phải là gói ZIP Office Open XML nhưng nội dung không phải ZIP"),
        });
    }
    if bytes.starts_with(b"%PDF") {
        return unsupported("PDF chưa đọc được; hãy dùng bản DOCX hoặc văn bản (PDF is not supported)");
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return unsupported("Word/Excel 97-2003 (.doc/.xls); hãy lưu lại dạng .docx/.xlsx");
    }
    if bytes.starts_with(b"{\\rtf") {
        return unsupported("RTF; hãy lưu lại dạng .docx");
    }
    Ok(Format::Text)
}

/// Read a plan document: plain text, Markdown, web-page text, DOCX, or an XLSX task table.
/// The format is decided by the content. Never panics; every error names `file_name`.
pub fn parse_plan(bytes: &[u8], file_name: &str) -> Result<ParsedPlan, DocError> {
    if bytes.is_empty() {
        return Err(DocError::Empty { file: file_name.to_string() });
    }
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(DocError::TooLarge { file: file_name.to_string(), size: bytes.len() as u64, limit: MAX_INPUT_BYTES });
    }
    let plan = match detect(bytes, file_name)? {
        Format::Docx => {
            let blocks = crate::docx_read::read_docx(bytes, file_name)?;
            parse_blocks(blocks, "docx", PageInfo::default())
        }
        Format::Xlsx => parse_xlsx(bytes, file_name)?,
        Format::Text => {
            let text = decode_text(bytes, file_name)?;
            let (blocks, info) = text_blocks(&text);
            let format = if info.markdown { "markdown" } else { "text" };
            parse_blocks(blocks, format, info)
        }
    };
    if plan.title.is_empty() && plan.tasks.is_empty() && plan.sections.is_empty() && plan.preamble.is_empty() {
        return Err(DocError::Empty { file: file_name.to_string() });
    }
    Ok(plan)
}

/// A line that continues the previous one: it starts in lower case (and is not "a) …"), or
/// — in text files with hard-wrapped lines — the previous line ran on without punctuation.
fn join_continuations(lines: Vec<Line>, hard_wrap: bool) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    for l in lines {
        if let Some(prev) = out.last_mut() {
            let marker = parse_marker(&l.text, l.heading_hint).is_some();
            let lower = starts_lowercase(&l.text) && !marker && !is_upper(&prev.text);
            let wrapped = hard_wrap
                && !l.blank_before
                && prev.text.chars().count() >= 60
                && !prev.text.ends_with(['.', ';', ':', '!', '?'])
                && !marker
                && !is_upper(&l.text)
                && !is_upper(&prev.text);
            if lower || wrapped {
                prev.text.push(' ');
                prev.text.push_str(&l.text);
                continue;
            }
        }
        out.push(l);
    }
    out
}

/// Folded keys of headings whose items are the plan's tasks.
const TASK_WORDS: &[&str] = &["nhiem vu", "giai phap", "noi dung", "hoat dong", "chuong trinh hanh dong", "bien phap"];
/// Headings that are not task sections even when they contain a task word.
const NON_TASK_WORDS: &[&str] = &[
    "muc dich",
    "yeu cau",
    "to chuc thuc hien",
    "kinh phi",
    "che do bao cao",
    "thuc trang",
    "ket qua dat duoc",
    "danh gia ket qua",
    "khen thuong",
    "can cu",
    "quan diem",
];
const SECTION_WORDS: &[&str] = &[
    "muc dich",
    "yeu cau",
    "nhiem vu",
    "giai phap",
    "to chuc thuc hien",
    "kinh phi",
    "noi dung",
    "muc tieu",
    "quan diem",
    "thuc trang",
    "che do bao cao",
];

fn has_any(k: &str, words: &[&str]) -> bool {
    words.iter().any(|w| crate::textutil::contains_phrase(k, w))
}

fn is_task_heading(title: &str) -> bool {
    let k = key(title);
    has_any(&k, TASK_WORDS) && !has_any(&k, NON_TASK_WORDS)
}

/// The outline nodes whose items are tasks: Roman sections named like "NHIỆM VỤ, GIẢI PHÁP"
/// or "NỘI DUNG"; in a document without sections, the whole body.
fn task_areas(nodes: &[Node]) -> Vec<usize> {
    let Some(root) = nodes.first() else { return Vec::new() };
    let top = &root.children;
    let romans: Vec<usize> = top.iter().copied().filter(|&c| nodes[c].kind == Kind::Roman).collect();
    if !romans.is_empty() {
        let named: Vec<usize> = romans.iter().copied().filter(|&c| is_task_heading(&nodes[c].title)).collect();
        if !named.is_empty() {
            return named;
        }
        return romans.into_iter().filter(|&c| !has_any(&key(&nodes[c].title), NON_TASK_WORDS)).collect();
    }
    let section_like =
        top.iter().filter(|&&c| nodes[c].title.chars().count() < 80 && has_any(&key(&nodes[c].title), SECTION_WORDS)).count();
    if section_like >= 2 {
        return top.iter().copied().filter(|&c| is_task_heading(&nodes[c].title)).collect();
    }
    if top.is_empty() { Vec::new() } else { vec![0] }
}

fn leaves(nodes: &[Node], id: usize, out: &mut Vec<usize>) {
    for &c in &nodes[id].children {
        let n = &nodes[c];
        if n.children.is_empty() {
            if n.is_item() && !is_intro(&n.title) && !is_parenthetical(&n.title) {
                out.push(c);
            }
        } else {
            leaves(nodes, c, out);
        }
    }
}

fn families_of(plan_families: &[String]) -> Vec<Family> {
    plan_families.iter().filter_map(|f| Family::from_name(f)).collect()
}

fn make_task(
    code: String,
    text: String,
    details: Vec<String>,
    headings: &[String],
    section: Option<String>,
    fams: &[Family],
    year: Option<i32>,
) -> Task {
    let mut all = text.clone();
    for d in &details {
        all.push(' ');
        all.push_str(d);
    }
    let nodes = classify_in(&all, headings, fams);
    let refs: Vec<&str> = std::iter::once(text.as_str()).chain(details.iter().map(String::as_str)).collect();
    let due = extract::first_deadline(&refs, year);
    Task {
        code,
        nodes,
        section_code: section,
        due_text: due.as_ref().map(|d| d.1.clone()),
        due_date: due.map(|d| d.0),
        recurrence: extract::recurrence(&text),
        text,
        details,
        source: "tasks".to_string(),
        ..Task::default()
    }
}

fn body_tasks(nodes: &[Node], fams: &[Family], year: Option<i32>) -> Vec<Task> {
    let mut tasks = Vec::new();
    for area in task_areas(nodes) {
        let section = (area != 0).then(|| nodes[area].code.clone());
        let mut ids = Vec::new();
        leaves(nodes, area, &mut ids);
        if ids.is_empty() {
            // A task section written as plain paragraphs: each paragraph is a task.
            let a = &nodes[area];
            let headings = if area == 0 { Vec::new() } else { vec![a.title.clone()] };
            let paras = a.paragraphs.iter().chain(a.after.iter()).filter(|p| !is_intro(p) && !is_parenthetical(p));
            for (k, p) in paras.enumerate() {
                let code = if area == 0 { format!("p{}", k + 1) } else { format!("{}.p{}", a.code, k + 1) };
                tasks.push(make_task(code, p.clone(), Vec::new(), &headings, section.clone(), fams, year));
            }
            continue;
        }
        for id in ids {
            let n = &nodes[id];
            let details: Vec<String> = n.paragraphs.iter().chain(n.after.iter()).cloned().collect();
            let mut task = make_task(n.code.clone(), n.title.clone(), details, &ancestor_titles(nodes, id), section.clone(), fams, year);
            task.group = group_heading(nodes, area, id);
            tasks.push(task);
        }
    }
    tasks
}

/// The heading of the group a task is in: the item right under the task section that holds
/// the task ("1. Nhóm chỉ số giữ nguyên điểm tối đa"), when the task is not that item itself.
fn group_heading(nodes: &[Node], area: usize, id: usize) -> Option<String> {
    let mut cur = id;
    let mut guard = 0;
    while nodes[cur].parent != area && cur != 0 && guard < 64 {
        cur = nodes[cur].parent;
        guard += 1;
    }
    (cur != id && cur != 0 && nodes[cur].parent == area).then(|| nodes[cur].title.trim_end_matches([':', '.']).trim().to_string())
}

/// All body texts in reading order (for deadlines and citations).
fn body_texts(nodes: &[Node], id: usize, out: &mut Vec<String>) {
    let n = &nodes[id];
    if id != 0 {
        out.push(n.title.clone());
    }
    out.extend(n.paragraphs.iter().cloned());
    for &c in &n.children {
        body_texts(nodes, c, out);
    }
    out.extend(n.after.iter().cloned());
}

fn classify_appendix(tasks: &mut [Task], fams: &[Family]) {
    for t in tasks {
        let headings: Vec<String> = t.dimension_text.iter().cloned().collect();
        t.nodes = classify_in(&t.text, &headings, fams);
    }
}

fn table_lines(rows: &[Vec<String>], source_line: usize) -> Vec<Line> {
    let mut out = Vec::new();
    for row in rows {
        for cell in row {
            for (i, t) in cell.split('\n').enumerate() {
                let t = t.trim();
                if t.is_empty() {
                    continue;
                }
                out.push(Line { text: t.to_string(), blank_before: i == 0, source_line, ..Line::default() });
            }
        }
    }
    out
}

fn parse_blocks(blocks: Vec<Block>, format: &str, info: PageInfo) -> ParsedPlan {
    let mut lines: Vec<Line> = Vec::new();
    let mut tables: Vec<(Vec<Vec<String>>, usize, crate::table::Columns)> = Vec::new();
    for b in blocks {
        match b {
            Block::Line(l) => lines.push(l),
            Block::Table(t) => match find_header(&t.rows) {
                Some((data, cols)) => tables.push((t.rows, data, cols)),
                None => lines.extend(table_lines(&t.rows, t.source_line)),
            },
        }
    }
    let lines = join_continuations(lines, format != "docx");
    let header = parse_header(&lines);
    let footer = parse_footer(&lines, header.body_start);
    let body_end = footer.start.max(header.body_start);
    let body = build_body(&lines[header.body_start.min(lines.len())..body_end.min(lines.len())]);

    let mut plan = ParsedPlan {
        doc_type: header.doc_type.clone(),
        number: header.number.clone(),
        symbol: header.symbol.clone(),
        place: header.place.clone(),
        date: header.date.and_then(|d| d.date()),
        title: header.title.clone(),
        issuer: header.issuer.clone(),
        parent_issuer: header.parent_issuer.clone(),
        recipients: footer.recipients,
        signer: footer.signer,
        published: info.published,
        source: info.source,
        format: format.to_string(),
        ..ParsedPlan::default()
    };
    plan.year = header.date.and_then(|d| d.year).or_else(|| title_year(&plan.title)).or_else(|| info.published.map(|d| d.year()));
    plan.month = header.date.filter(|d| d.date().is_none()).and_then(|d| d.month).filter(|m| (1..=12).contains(m));

    let mut texts: Vec<String> = body.preamble.clone();
    body_texts(&body.nodes, 0, &mut texts);
    texts.extend(body.closing.iter().cloned());
    plan.index_families = extract::index_families(&plan.title, &texts);
    let fams = families_of(&plan.index_families);

    plan.based_on = extract::based_on(&body.preamble, &texts);
    plan.tasks = body_tasks(&body.nodes, &fams, plan.year);
    for (rows, data, cols) in &tables {
        let mut t = table_tasks(rows, *data, *cols, plan.year);
        classify_appendix(&mut t, &fams);
        for task in t {
            merge_or_add(&mut plan.tasks, task);
        }
    }
    let duties = crate::duties::implementation_tasks(&body.nodes, &fams, plan.year);
    if duties.is_empty() {
        let mut paras: Vec<String> = body.nodes.first().map(|r| r.after.clone()).unwrap_or_default();
        paras.extend(body.closing.iter().cloned());
        plan.tasks.extend(crate::duties::paragraph_duties(&paras, &fams, plan.year));
    } else {
        plan.tasks.extend(duties);
    }
    crate::duties::propose_leads(&mut plan.tasks);
    plan.assignments = extract::assignments(&body.nodes);
    let mut deadlines: Vec<Deadline> = Vec::new();
    for t in &texts {
        for d in extract::deadlines_in(t, plan.year) {
            if !deadlines.iter().any(|x| x.date == d.date && x.text == d.text) {
                deadlines.push(d);
            }
        }
    }
    plan.deadlines = deadlines;
    plan.sections = sections(&body.nodes);
    plan.preamble = body.preamble;
    plan.closing = body.nodes.first().map(|r| r.after.clone()).unwrap_or_default();
    plan.closing.extend(body.closing);
    plan.warnings = warnings(&plan, &header, &texts, !tables.is_empty());
    plan
}

/// An appendix row that repeats a task of the body (same text, or the body task's text
/// starts with it) completes that task with its columns instead of adding a duplicate.
fn merge_or_add(tasks: &mut Vec<Task>, row: Task) {
    let rk = key(&row.text);
    let same = |t: &Task| {
        if t.source != "tasks" {
            return false;
        }
        let tk = key(&t.text);
        tk == rk || (rk.len() >= 20 && tk.starts_with(&rk))
    };
    match tasks.iter_mut().find(|t| same(t)) {
        Some(t) => {
            if t.lead.is_empty() && !row.lead.is_empty() {
                t.lead = row.lead;
                t.lead_source = row.lead_source;
                t.evidence = row.evidence;
                t.confidence = row.confidence;
            }
            if t.coordinating_agencies.is_empty() {
                t.coordinating_agencies = row.coordinating_agencies;
            }
            if row.due_text.is_some() {
                t.due_text = row.due_text;
                t.due_date = row.due_date.or(t.due_date);
            }
            t.group = t.group.take().or(row.group);
            t.notes.extend(row.notes);
            t.recurrence = row.recurrence.or(t.recurrence.take());
            t.product = t.product.take().or(row.product);
            t.status = t.status.take().or(row.status);
            t.dimension_text = t.dimension_text.take().or(row.dimension_text);
        }
        None => tasks.push(row),
    }
}

/// The year a title names ("… năm 2022"): the last such year.
fn title_year(title: &str) -> Option<i32> {
    let toks = crate::textutil::tokens(title);
    toks.windows(2)
        .rev()
        .filter(|w| w[0].text.to_lowercase() == "năm" && w[1].text.len() == 4)
        .filter_map(|w| w[1].text.parse::<i32>().ok())
        .find(|y| (1990..=2100).contains(y))
}

fn warnings(plan: &ParsedPlan, header: &crate::frame::Header, texts: &[String], has_table: bool) -> Vec<String> {
    let mut w = Vec::new();
    if plan.number.is_none() && plan.symbol.is_some() {
        w.push("Số văn bản để trống (chưa cấp số).".to_string());
    }
    if let Some(d) = header.date
        && d.date().is_none()
    {
        w.push("Ngày ban hành chưa điền đủ ngày/tháng.".to_string());
    }
    if plan.doc_type.is_none() {
        w.push("Không thấy tên loại văn bản (KẾ HOẠCH, QUYẾT ĐỊNH, …).".to_string());
    }
    let mentions_appendix = texts.iter().any(|t| {
        let k = key(t);
        k.contains("phu luc") && (k.contains("kem theo") || k.contains("gui kem"))
    });
    if mentions_appendix && !has_table {
        w.push("Văn bản nhắc đến phụ lục kèm theo nhưng không có bảng phụ lục; hãy nhập tệp phụ lục (XLSX/DOCX).".to_string());
    }
    if plan.deadlines.iter().any(|d| d.year_inferred) {
        w.push("Có thời hạn chỉ ghi ngày/tháng; đã lấy năm của văn bản.".to_string());
    }
    if plan.tasks.is_empty() {
        w.push("Không nhận ra nhiệm vụ nào.".to_string());
    }
    w
}

fn parse_xlsx(bytes: &[u8], file: &str) -> Result<ParsedPlan, DocError> {
    let sheets = crate::xlsx_read::read_xlsx(bytes, file)?;
    for (_, rows) in &sheets {
        let Some((data, cols)) = find_header(rows) else { continue };
        let header_row = data.saturating_sub(1);
        let title = rows[..header_row.min(rows.len())]
            .iter()
            .filter_map(|r| r.iter().find(|c| !c.trim().is_empty()))
            .map(|c| c.trim().to_string())
            .collect::<Vec<_>>()
            .join(" ");
        let mut plan = ParsedPlan { title: title.clone(), format: "xlsx".to_string(), ..ParsedPlan::default() };
        plan.year = title_year(&title);
        let mut tasks = table_tasks(rows, data, cols, plan.year);
        let texts: Vec<String> = tasks.iter().map(|t| t.text.clone()).collect();
        plan.index_families = extract::index_families(&title, &texts);
        classify_appendix(&mut tasks, &families_of(&plan.index_families));
        plan.tasks = tasks;
        if plan.tasks.is_empty() {
            plan.warnings.push("Bảng nhiệm vụ không có dòng nào.".to_string());
        }
        return Ok(plan);
    }
    Err(DocError::NoTaskTable { file: file.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_lines_join() {
        let mk = |t: &str, blank: bool| Line { text: t.into(), blank_before: blank, ..Line::default() };
        let out = join_continuations(
            vec![mk("Tập trung tuyên truyền ở xã, thị trấn", true), mk("và tạo điều kiện", true), mk("a) Mục", true)],
            true,
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].text, "Tập trung tuyên truyền ở xã, thị trấn và tạo điều kiện");
    }
}
