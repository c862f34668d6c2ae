//! DOCX reading with zip + quick-xml: paragraphs (`w:p`, `w:r/w:t`, breaks, tabs), automatic
//! numbering (`w:numPr` resolved through `word/numbering.xml`), tables (`w:tbl/w:tr/w:tc`
//! with merged cells). Not docx-rs's reader, which panics on real files.

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::DocError;
use crate::blocks::{Block, Line, Table, normalize_line};
use crate::outline::to_roman;
use crate::zipsafe::SafeZip;

/// Deepest XML nesting accepted (Word documents stay far below this).
pub const MAX_XML_DEPTH: usize = 256;

fn local(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes().with_checks(false).flatten().find_map(|a| {
        (local(a.key.as_ref().as_bytes()) == name.as_bytes())
            .then(|| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map(|v| v.into_owned()).unwrap_or_else(|_| a.value.to_string()))
    })
}

fn xml_str<'b>(bytes: &'b [u8], file: &str, entry: &str) -> Result<&'b str, DocError> {
    let b = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    std::str::from_utf8(b).map_err(|e| DocError::Xml {
        file: file.to_string(),
        entry: entry.to_string(),
        position: e.valid_up_to() as u64,
        detail: "không phải UTF-8".to_string(),
    })
}

fn xml_err(reader: &Reader<&[u8]>, file: &str, entry: &str, e: impl std::fmt::Display) -> DocError {
    DocError::Xml { file: file.to_string(), entry: entry.to_string(), position: reader.error_position(), detail: e.to_string() }
}

#[derive(Debug, Clone, Default)]
struct Level {
    fmt: String,
    text: String,
    start: u32,
}

#[derive(Debug, Default)]
struct Numbering {
    abstracts: HashMap<String, HashMap<u32, Level>>,
    nums: HashMap<String, (String, HashMap<u32, u32>)>,
    counters: HashMap<String, [Option<u32>; 9]>,
}

impl Numbering {
    fn parse(xml: &str, file: &str) -> Result<Self, DocError> {
        let entry = "word/numbering.xml";
        let mut reader = Reader::from_str(xml);
        let mut n = Numbering::default();
        let mut cur_abs: Option<String> = None;
        let mut cur_lvl: Option<u32> = None;
        let mut cur_num: Option<String> = None;
        let mut cur_override: Option<u32> = None;
        let mut depth = 0usize;
        loop {
            let ev = reader.read_event().map_err(|e| xml_err(&reader, file, entry, e))?;
            let (e, is_start) = match &ev {
                Event::Start(e) => (e, true),
                Event::Empty(e) => (e, false),
                Event::End(e) => {
                    depth = depth.saturating_sub(1);
                    match local(e.name().as_ref().as_bytes()) {
                        b"abstractNum" => cur_abs = None,
                        b"lvl" => cur_lvl = None,
                        b"num" => cur_num = None,
                        b"lvlOverride" => cur_override = None,
                        _ => {}
                    }
                    continue;
                }
                Event::Eof => break,
                _ => continue,
            };
            if is_start {
                depth += 1;
                if depth > MAX_XML_DEPTH {
                    return Err(DocError::XmlTooDeep { file: file.into(), entry: entry.into(), limit: MAX_XML_DEPTH });
                }
            }
            let name = local(e.name().as_ref().as_bytes()).to_vec();
            match name.as_slice() {
                b"abstractNum" => cur_abs = attr(e, "abstractNumId"),
                b"lvl" if cur_abs.is_some() => {
                    cur_lvl = attr(e, "ilvl").and_then(|v| v.parse().ok());
                    if let (Some(a), Some(l)) = (&cur_abs, cur_lvl) {
                        n.abstracts.entry(a.clone()).or_default().insert(l, Level { start: 1, ..Level::default() });
                    }
                }
                b"start" | b"numFmt" | b"lvlText" => {
                    let val = attr(e, "val").unwrap_or_default();
                    if let (Some(a), Some(l)) = (&cur_abs, cur_lvl)
                        && let Some(level) = n.abstracts.get_mut(a).and_then(|m| m.get_mut(&l))
                    {
                        match name.as_slice() {
                            b"start" => level.start = val.parse().unwrap_or(1),
                            b"numFmt" => level.fmt = val,
                            _ => level.text = val,
                        }
                    }
                }
                b"num" => cur_num = attr(e, "numId"),
                b"abstractNumId" => {
                    if let (Some(num), Some(a)) = (&cur_num, attr(e, "val")) {
                        n.nums.entry(num.clone()).or_default().0 = a;
                    }
                }
                b"lvlOverride" => cur_override = attr(e, "ilvl").and_then(|v| v.parse().ok()),
                b"startOverride" => {
                    if let (Some(num), Some(l), Some(v)) = (&cur_num, cur_override, attr(e, "val").and_then(|v| v.parse().ok())) {
                        n.nums.entry(num.clone()).or_default().1.insert(l, v);
                    }
                }
                _ => {}
            }
        }
        Ok(n)
    }

    /// The printed label of the next paragraph of list `num_id` at level `ilvl`.
    fn label(&mut self, num_id: &str, ilvl: u32) -> Option<String> {
        if num_id == "0" || ilvl > 8 {
            return None;
        }
        let (abs, overrides) = self.nums.get(num_id)?.clone();
        let levels = self.abstracts.get(&abs)?;
        let level = levels.get(&ilvl)?;
        if level.fmt == "bullet" {
            return Some("-".to_string());
        }
        if level.fmt == "none" {
            return None;
        }
        let counters = self.counters.entry(num_id.to_string()).or_insert([None; 9]);
        let i = ilvl as usize;
        let start = |l: u32| overrides.get(&l).copied().or_else(|| levels.get(&l).map(|x| x.start)).unwrap_or(1);
        counters[i] = Some(counters[i].map_or(start(ilvl), |c| c + 1));
        for c in counters.iter_mut().skip(i + 1) {
            *c = None;
        }
        let mut out = String::new();
        let mut chars = level.text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%'
                && let Some(d) = chars.peek().and_then(|d| d.to_digit(10))
            {
                chars.next();
                let l = d.saturating_sub(1);
                let value = counters.get(l as usize).copied().flatten().unwrap_or_else(|| start(l));
                let fmt = levels.get(&l).map_or("decimal", |x| x.fmt.as_str());
                out.push_str(&format_number(value, fmt));
            } else {
                out.push(c);
            }
        }
        let out = out.trim().to_string();
        (!out.is_empty()).then_some(out)
    }
}

fn format_number(v: u32, fmt: &str) -> String {
    let letter = |v: u32, upper: bool| {
        // Vietnamese documents letter items a, b, c … (đ after d is typed by hand).
        let idx = (v.max(1) - 1) % 26;
        let c = char::from(b'a' + idx as u8);
        if upper { c.to_ascii_uppercase().to_string() } else { c.to_string() }
    };
    match fmt {
        "upperRoman" => to_roman(v),
        "lowerRoman" => to_roman(v).to_lowercase(),
        "upperLetter" => letter(v, true),
        "lowerLetter" => letter(v, false),
        "decimalZero" => format!("{v:02}"),
        _ => v.to_string(),
    }
}

#[derive(Debug, Default)]
struct Para {
    text: String,
    centered: bool,
    style: String,
    num_id: Option<String>,
    ilvl: u32,
    bold_chars: usize,
    run_start: usize,
    run_bold: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
enum VMerge {
    #[default]
    None,
    Restart,
    Continue,
}

#[derive(Debug, Default)]
struct Cell {
    paras: Vec<String>,
    span: usize,
    vmerge: VMerge,
}

#[derive(Debug, Default)]
struct TableB {
    rows: Vec<Vec<Cell>>,
    row: Option<Vec<Cell>>,
    cell: Option<Cell>,
    first_para: usize,
}

/// Locate the main document part through `_rels/.rels` when it is not word/document.xml.
fn main_part(z: &mut SafeZip<'_>, file: &str) -> Result<String, DocError> {
    if z.has("word/document.xml") {
        return Ok("word/document.xml".to_string());
    }
    let rels = z.read("_rels/.rels")?.ok_or_else(|| DocError::MissingPart { file: file.into(), entry: "word/document.xml".into() })?;
    let xml = xml_str(&rels, file, "_rels/.rels")?;
    let mut reader = Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Empty(e) | Event::Start(e)) if local(e.name().as_ref().as_bytes()) == b"Relationship" => {
                if attr(&e, "Type").is_some_and(|t| t.ends_with("/officeDocument"))
                    && let Some(target) = attr(&e, "Target")
                {
                    return Ok(target.trim_start_matches('/').to_string());
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => return Err(xml_err(&reader, file, "_rels/.rels", e)),
            _ => {}
        }
    }
    Err(DocError::MissingPart { file: file.into(), entry: "word/document.xml".into() })
}

/// Read a DOCX into blocks.
pub(crate) fn read_docx(bytes: &[u8], file: &str) -> Result<Vec<Block>, DocError> {
    let mut z = SafeZip::open(bytes, file)?;
    let part = main_part(&mut z, file)?;
    let doc = z.read(&part)?.ok_or_else(|| DocError::MissingPart { file: file.into(), entry: part.clone() })?;
    let mut numbering = match z.read("word/numbering.xml")? {
        Some(b) => Numbering::parse(xml_str(&b, file, "word/numbering.xml")?, file)?,
        None => Numbering::default(),
    };
    parse_document(xml_str(&doc, file, &part)?, &mut numbering, file, &part)
}

fn finish_para(p: Para, numbering: &mut Numbering, counter: &mut usize) -> Option<Vec<Line>> {
    *counter += 1;
    let mut text = p.text;
    if let Some(num) = &p.num_id
        && let Some(label) = numbering.label(num, p.ilvl)
    {
        text = format!("{label} {text}");
    }
    let total = text.chars().filter(|c| !c.is_whitespace()).count();
    let bold = total > 0 && p.bold_chars * 2 > total;
    let style = p.style.to_lowercase();
    let heading = bold || style.contains("heading") || style.contains("title");
    let mut lines = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let t = normalize_line(raw);
        if t.is_empty() {
            continue;
        }
        lines.push(Line {
            text: t,
            blank_before: i == 0 || lines.is_empty(),
            heading_hint: heading,
            centered: p.centered,
            source_line: *counter,
        });
    }
    (!lines.is_empty()).then_some(lines)
}

fn parse_document(xml: &str, numbering: &mut Numbering, file: &str, entry: &str) -> Result<Vec<Block>, DocError> {
    let mut reader = Reader::from_str(xml);
    let mut blocks: Vec<Block> = Vec::new();
    let mut paras: Vec<Para> = Vec::new();
    let mut tables: Vec<TableB> = Vec::new();
    let mut depth = 0usize;
    let mut skip_until: Option<usize> = None;
    let (mut in_t, mut in_ppr, mut in_rpr, mut in_tcpr) = (false, false, false, false);
    let mut counter = 0usize;
    loop {
        let ev = reader.read_event().map_err(|e| xml_err(&reader, file, entry, e))?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_start = matches!(ev, Event::Start(_));
                if is_start {
                    depth += 1;
                    if depth > MAX_XML_DEPTH {
                        return Err(DocError::XmlTooDeep { file: file.into(), entry: entry.into(), limit: MAX_XML_DEPTH });
                    }
                }
                if skip_until.is_some() {
                    continue;
                }
                let name = local(e.name().as_ref().as_bytes()).to_vec();
                match name.as_slice() {
                    // Text boxes are stored twice (DrawingML and VML fallback): read one.
                    b"Fallback" if is_start => skip_until = Some(depth - 1),
                    b"p" if is_start => paras.push(Para::default()),
                    b"pPr" if is_start => in_ppr = true,
                    b"rPr" if is_start => in_rpr = true,
                    b"tcPr" if is_start => in_tcpr = true,
                    b"jc" if in_ppr && !in_rpr => {
                        if let Some(p) = paras.last_mut() {
                            p.centered = attr(e, "val").is_some_and(|v| v == "center");
                        }
                    }
                    b"pStyle" if in_ppr => {
                        if let Some(p) = paras.last_mut() {
                            p.style = attr(e, "val").unwrap_or_default();
                        }
                    }
                    b"ilvl" if in_ppr => {
                        if let Some(p) = paras.last_mut() {
                            p.ilvl = attr(e, "val").and_then(|v| v.parse().ok()).unwrap_or(0);
                        }
                    }
                    b"numId" if in_ppr => {
                        if let Some(p) = paras.last_mut() {
                            p.num_id = attr(e, "val");
                        }
                    }
                    b"r" if is_start => {
                        if let Some(p) = paras.last_mut() {
                            p.run_start = p.text.len();
                            p.run_bold = false;
                        }
                    }
                    b"b" if in_rpr && !in_ppr => {
                        if let Some(p) = paras.last_mut() {
                            p.run_bold = !attr(e, "val").is_some_and(|v| matches!(v.as_str(), "0" | "false" | "off"));
                        }
                    }
                    b"t" if is_start => in_t = true,
                    b"tab" if !in_ppr => {
                        if let Some(p) = paras.last_mut() {
                            p.text.push(' ');
                        }
                    }
                    b"br" | b"cr" if !in_ppr => {
                        if let Some(p) = paras.last_mut() {
                            p.text.push('\n');
                        }
                    }
                    b"tbl" if is_start => tables.push(TableB { first_para: counter + 1, ..TableB::default() }),
                    b"tr" if is_start => {
                        if let Some(t) = tables.last_mut() {
                            t.row = Some(Vec::new());
                        }
                    }
                    b"tc" if is_start => {
                        if let Some(t) = tables.last_mut() {
                            t.cell = Some(Cell { span: 1, ..Cell::default() });
                        }
                    }
                    b"gridSpan" if in_tcpr => {
                        if let Some(c) = tables.last_mut().and_then(|t| t.cell.as_mut()) {
                            c.span = attr(e, "val").and_then(|v| v.parse().ok()).unwrap_or(1).clamp(1, 64);
                        }
                    }
                    b"vMerge" if in_tcpr => {
                        if let Some(c) = tables.last_mut().and_then(|t| t.cell.as_mut()) {
                            c.vmerge = if attr(e, "val").is_some_and(|v| v == "restart") { VMerge::Restart } else { VMerge::Continue };
                        }
                    }
                    _ => {}
                }
            }
            Event::End(ref e) => {
                depth = depth.saturating_sub(1);
                if let Some(d) = skip_until {
                    if depth == d {
                        skip_until = None;
                    }
                    continue;
                }
                match local(e.name().as_ref().as_bytes()) {
                    b"t" => in_t = false,
                    b"pPr" => in_ppr = false,
                    b"rPr" => in_rpr = false,
                    b"tcPr" => in_tcpr = false,
                    b"r" => {
                        if let Some(p) = paras.last_mut()
                            && p.run_bold
                        {
                            p.bold_chars += p.text[p.run_start.min(p.text.len())..].chars().filter(|c| !c.is_whitespace()).count();
                        }
                    }
                    b"p" => {
                        let Some(p) = paras.pop() else { continue };
                        let Some(lines) = finish_para(p, numbering, &mut counter) else { continue };
                        match tables.last_mut().and_then(|t| t.cell.as_mut()) {
                            Some(cell) => cell.paras.push(lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n")),
                            None => blocks.extend(lines.into_iter().map(Block::Line)),
                        }
                    }
                    b"tc" => {
                        if let Some(t) = tables.last_mut()
                            && let Some(cell) = t.cell.take()
                        {
                            t.row.get_or_insert_with(Vec::new).push(cell);
                        }
                    }
                    b"tr" => {
                        if let Some(t) = tables.last_mut()
                            && let Some(row) = t.row.take()
                        {
                            t.rows.push(row);
                        }
                    }
                    b"tbl" => {
                        let Some(t) = tables.pop() else { continue };
                        let table = finish_table(t);
                        match tables.last_mut().and_then(|o| o.cell.as_mut()) {
                            // A table inside a cell: its text joins the cell.
                            Some(cell) => {
                                for row in table.rows {
                                    cell.paras.extend(row.into_iter().filter(|c| !c.is_empty()));
                                }
                            }
                            None => blocks.push(Block::Table(table)),
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_t && skip_until.is_none() => {
                if let Some(p) = paras.last_mut() {
                    p.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) if in_t && skip_until.is_none() => {
                if let Some(p) = paras.last_mut() {
                    p.text.push_str(&t.into_inner());
                }
            }
            Event::GeneralRef(r) if in_t && skip_until.is_none() => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match &*r {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                if let (Some(p), Some(c)) = (paras.last_mut(), c) {
                    p.text.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(blocks)
}

/// Cells to text: spans padded with empty cells, vertically merged cells repeat the value
/// above so each row stands alone.
fn finish_table(t: TableB) -> Table {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for row in t.rows {
        let mut out: Vec<String> = Vec::new();
        for cell in row {
            let col = out.len();
            let mut text = cell.paras.join("\n");
            if cell.vmerge == VMerge::Continue
                && text.is_empty()
                && let Some(prev) = rows.last().and_then(|r| r.get(col))
            {
                text = prev.clone();
            }
            out.push(text);
            for _ in 1..cell.span {
                out.push(String::new());
            }
        }
        rows.push(out);
    }
    Table { rows, source_line: t.first_para }
}
