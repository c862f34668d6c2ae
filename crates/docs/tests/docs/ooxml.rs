//! Reads the layout of a produced DOCX for the tests: body paragraphs and tables with their widths,
//! cell margins, borders, row properties (cantSplit, repeated header) and the paragraphs of each cell
//! (text, keepNext, keepLines, bold, italic). Also used by the app's export tests (`#[path]`).

#![allow(dead_code)]

use quick_xml::events::{BytesStart, Event};

pub const MOTTO: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
pub const TIEU_NGU: &str = "Độc lập - Tự do - Hạnh phúc";

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Para {
    pub text: String,
    pub keep_next: bool,
    pub keep_lines: bool,
    /// Some run of the paragraph is bold / italic.
    pub bold: bool,
    pub italic: bool,
}

#[derive(Debug, Default, Clone)]
pub struct Cell {
    pub width: Option<u32>,
    pub span: u32,
    pub paras: Vec<Para>,
}

impl Cell {
    pub fn text(&self) -> String {
        self.paras.iter().map(|p| p.text.as_str()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join("\n")
    }
}

#[derive(Debug, Default, Clone)]
pub struct Row {
    pub cant_split: bool,
    pub header: bool,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn texts(&self) -> Vec<String> {
        self.cells.iter().map(Cell::text).collect()
    }
}

#[derive(Debug, Default, Clone)]
pub struct Table {
    pub width: Option<u32>,
    pub grid: Vec<u32>,
    /// Left and right cell margins of the table (`w:tblCellMar`), twips.
    pub margin_left: Option<u32>,
    pub margin_right: Option<u32>,
    /// Every border of `w:tblBorders` is "nil" or "none".
    pub borderless: bool,
    pub fixed_layout: bool,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone)]
pub enum Block {
    Para(Para),
    Table(Table),
}

/// The body of a DOCX in order.
#[derive(Debug, Default)]
pub struct Docx {
    pub blocks: Vec<Block>,
}

impl Docx {
    pub fn tables(&self) -> Vec<&Table> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                Block::Para(_) => None,
            })
            .collect()
    }

    /// The index of the first table holding `text`, and the table.
    pub fn table_with(&self, text: &str) -> Option<(usize, &Table)> {
        self.blocks.iter().enumerate().find_map(|(i, b)| match b {
            Block::Table(t) if t.rows.iter().flat_map(|r| &r.cells).any(|c| c.text().contains(text)) => Some((i, t)),
            _ => None,
        })
    }

    /// Every paragraph in order (body paragraphs and those in table cells).
    pub fn all_text(&self) -> String {
        let mut out = Vec::new();
        for b in &self.blocks {
            match b {
                Block::Para(p) => out.push(p.text.clone()),
                Block::Table(t) => {
                    for r in &t.rows {
                        for c in &r.cells {
                            out.extend(c.paras.iter().map(|p| p.text.clone()));
                        }
                    }
                }
            }
        }
        out.join("\n")
    }
}

pub fn part(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip package");
    let mut s = String::new();
    std::io::Read::read_to_string(&mut z.by_name(name).expect(name), &mut s).expect("utf-8");
    s
}

fn local(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

fn val(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes().with_checks(false).flatten().find(|a| local(a.key.as_ref().as_bytes()) == name).map(|a| a.value.to_string())
}

fn on(e: &BytesStart<'_>) -> bool {
    !val(e, b"val").is_some_and(|v| matches!(v.as_str(), "0" | "false" | "off"))
}

/// Read `word/document.xml` of a DOCX.
pub fn read(bytes: &[u8]) -> Docx {
    let xml = part(bytes, "word/document.xml");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut doc = Docx::default();
    let mut table: Option<Table> = None;
    let mut row: Option<Row> = None;
    let mut cell: Option<Cell> = None;
    let mut para: Option<Para> = None;
    let (mut in_ppr, mut in_rpr, mut in_t, mut in_cellmar, mut in_borders) = (false, false, false, false, false);
    let (mut run_bold, mut run_italic) = (false, false);
    loop {
        let ev = reader.read_event().expect("well-formed XML");
        match ev {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                match local(e.name().as_ref().as_bytes()) {
                    b"tbl" => table = Some(Table { borderless: true, ..Table::default() }),
                    b"tblW" if row.is_none() => {
                        if let Some(t) = table.as_mut() {
                            t.width = val(e, b"w").and_then(|v| v.parse().ok());
                        }
                    }
                    b"tblLayout" => {
                        if let Some(t) = table.as_mut() {
                            t.fixed_layout = val(e, b"type").as_deref() == Some("fixed");
                        }
                    }
                    b"tblBorders" if !empty => in_borders = true,
                    b"top" | b"left" | b"bottom" | b"right" | b"insideH" | b"insideV" | b"start" | b"end" if in_borders => {
                        if let Some(t) = table.as_mut()
                            && !matches!(val(e, b"val").as_deref(), Some("nil" | "none"))
                        {
                            t.borderless = false;
                        }
                    }
                    b"tblCellMar" if !empty => in_cellmar = true,
                    b"left" | b"start" if in_cellmar => {
                        if let Some(t) = table.as_mut() {
                            t.margin_left = val(e, b"w").and_then(|v| v.parse().ok());
                        }
                    }
                    b"right" | b"end" if in_cellmar => {
                        if let Some(t) = table.as_mut() {
                            t.margin_right = val(e, b"w").and_then(|v| v.parse().ok());
                        }
                    }
                    b"gridCol" => {
                        if let Some(t) = table.as_mut() {
                            t.grid.push(val(e, b"w").and_then(|v| v.parse().ok()).unwrap_or(0));
                        }
                    }
                    b"tr" => row = Some(Row::default()),
                    b"cantSplit" => {
                        if let Some(r) = row.as_mut() {
                            r.cant_split = on(e);
                        }
                    }
                    b"tblHeader" => {
                        if let Some(r) = row.as_mut() {
                            r.header = on(e);
                        }
                    }
                    b"tc" => cell = Some(Cell { span: 1, ..Cell::default() }),
                    b"tcW" => {
                        if let Some(c) = cell.as_mut() {
                            c.width = val(e, b"w").and_then(|v| v.parse().ok());
                        }
                    }
                    b"gridSpan" => {
                        if let Some(c) = cell.as_mut() {
                            c.span = val(e, b"val").and_then(|v| v.parse().ok()).unwrap_or(1);
                        }
                    }
                    b"p" => {
                        let p = Para::default();
                        if empty {
                            push_para(p, &mut cell, &mut doc, table.is_some());
                        } else {
                            para = Some(p);
                        }
                    }
                    b"pPr" if !empty => in_ppr = true,
                    b"rPr" if !empty => in_rpr = true,
                    b"keepNext" if in_ppr && !in_rpr => {
                        if let Some(p) = para.as_mut() {
                            p.keep_next = on(e);
                        }
                    }
                    b"keepLines" if in_ppr && !in_rpr => {
                        if let Some(p) = para.as_mut() {
                            p.keep_lines = on(e);
                        }
                    }
                    b"r" if !empty => {
                        run_bold = false;
                        run_italic = false;
                    }
                    b"b" if in_rpr && !in_ppr => run_bold = on(e),
                    b"i" if in_rpr && !in_ppr => run_italic = on(e),
                    b"t" if !empty => in_t = true,
                    b"br" if !in_ppr => {
                        if let Some(p) = para.as_mut() {
                            p.text.push('\n');
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(ref t) if in_t => {
                if let Some(p) = para.as_mut() {
                    let text = t.xml10_content().into_owned();
                    if !text.trim().is_empty() {
                        p.bold |= run_bold;
                        p.italic |= run_italic;
                    }
                    p.text.push_str(&text);
                }
            }
            Event::GeneralRef(ref r) if in_t => {
                if let Some(p) = para.as_mut() {
                    let name = r.to_string();
                    p.text.push_str(match name.as_str() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::End(ref e) => match local(e.name().as_ref().as_bytes()) {
                b"t" => in_t = false,
                b"pPr" => in_ppr = false,
                b"rPr" => in_rpr = false,
                b"tblCellMar" => in_cellmar = false,
                b"tblBorders" => in_borders = false,
                b"p" => {
                    if let Some(p) = para.take() {
                        push_para(p, &mut cell, &mut doc, table.is_some());
                    }
                }
                b"tc" => {
                    if let (Some(c), Some(r)) = (cell.take(), row.as_mut()) {
                        r.cells.push(c);
                    }
                }
                b"tr" => {
                    if let (Some(r), Some(t)) = (row.take(), table.as_mut()) {
                        t.rows.push(r);
                    }
                }
                b"tbl" => {
                    if let Some(t) = table.take() {
                        doc.blocks.push(Block::Table(t));
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    doc
}

fn push_para(p: Para, cell: &mut Option<Cell>, doc: &mut Docx, in_table: bool) {
    match cell.as_mut() {
        Some(c) => c.paras.push(p),
        None if !in_table => doc.blocks.push(Block::Para(p)),
        None => {}
    }
}

// What every exported plan must show (Nghị định 30/2020, Phụ lục I).

/// The header: a borderless table of two fixed columns that fill the text width (A4 less 30 + 15 mm),
/// with cell margins; issuer and number on the left, motto and italic place/date on the right, each
/// line its own paragraph.
pub fn assert_header(t: &Table, issuer: &str, what: &str) {
    assert!(t.borderless, "{what}: header table without borders");
    assert!(t.fixed_layout, "{what}: fixed layout");
    assert_eq!(t.grid, vec![3600, 5741], "{what}: column widths");
    assert_eq!(t.width, Some(9341), "{what}: the table fills the text width");
    assert_eq!((t.margin_left, t.margin_right), (Some(85), Some(85)), "{what}: cell margins keep the columns apart");
    assert_eq!(t.rows.len(), 2, "{what}: two rows");
    let [left, right] = &t.rows[0].cells[..] else { panic!("{what}: two cells") };
    assert_eq!((left.width, right.width), (Some(3600), Some(5741)), "{what}: cell widths");
    if issuer.is_empty() {
        assert_eq!(left.text(), "", "{what}: no issuer printed when none is known");
    } else {
        assert!(
            left.paras.iter().any(|p| p.bold && p.text.replace('\u{a0}', " ") == issuer),
            "{what}: issuer in bold on the left: {:?}",
            left.paras
        );
        assert!(!right.text().contains(issuer), "{what}: the issuer is not in the motto's column");
    }
    assert!(!left.text().contains("CỘNG HÒA"), "{what}: the motto is not in the issuer's column");
    let lines: Vec<(&str, bool)> = right.paras.iter().filter(|p| !p.text.is_empty()).map(|p| (p.text.as_str(), p.bold)).collect();
    assert_eq!(lines, vec![(MOTTO, true), (TIEU_NGU, true)], "{what}: Quốc hiệu and Tiêu ngữ, bold, each its own line");
    let [num, date] = &t.rows[1].cells[..] else { panic!("{what}: two cells in the second row") };
    assert!(num.text().starts_with("Số:"), "{what}: the number under the issuer: {}", num.text());
    assert!(date.paras.iter().any(|p| p.italic && p.text.contains("ngày")), "{what}: italic place and date under the motto");
}

/// The signature block: "Nơi nhận" beside the signer in one row that cannot split, every line kept
/// with the next (but the last) and its lines together, and the paragraph before it kept with it.
pub fn assert_signature_block(doc: &Docx, what: &str) {
    // A plan without recipients (a web page's text) still has its signer.
    let (i, t) = doc.table_with("Nơi nhận:").or_else(|| doc.table_with("TM. ")).unwrap_or_else(|| panic!("{what}: no signature table"));
    assert!(t.borderless && t.fixed_layout, "{what}: borderless, fixed");
    assert_eq!(t.rows.len(), 1, "{what}: one row");
    assert!(t.rows[0].cant_split, "{what}: the row cannot split across pages");
    let paras: Vec<_> = t.rows[0].cells.iter().flat_map(|c| &c.paras).collect();
    assert!(paras.iter().all(|p| p.keep_lines), "{what}: lines kept together");
    for c in &t.rows[0].cells {
        let n = c.paras.len();
        assert!(c.paras[..n.saturating_sub(1)].iter().all(|p| p.keep_next), "{what}: kept with the next: {:?}", c.paras);
    }
    let Some(Block::Para(before)) = i.checked_sub(1).and_then(|j| doc.blocks.get(j)) else { panic!("{what}: a paragraph before") };
    assert!(before.keep_next, "{what}: the paragraph before the block stays with it");
    if let Some(nn) = t.rows[0].cells[0].paras.iter().find(|p| p.text == "Nơi nhận:") {
        assert!(nn.bold && nn.italic, "{what}: 'Nơi nhận:' bold italic");
    }
}

/// The appendix rows as (STT, content, lead, coordinators, time, product).
pub fn appendix_rows(t: &Table) -> Vec<Vec<String>> {
    t.rows.iter().skip(1).map(|r| r.texts()).collect()
}

pub const APPENDIX_HEADERS: [&str; 6] =
    ["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Sản phẩm"];

/// The appendix table: the header row repeats on every page and no row splits; group rows carry
/// I, II, … in order and span the other columns; the tasks under each are numbered 1, 2, 3.
/// Returns the number of task rows.
pub fn assert_appendix_numbering(t: &Table, what: &str) -> usize {
    assert_eq!(t.rows[0].texts(), APPENDIX_HEADERS, "{what}: columns");
    assert!(t.rows[0].header && t.rows[0].cant_split, "{what}: header row repeats on each page");
    assert!(t.rows.iter().all(|r| r.cant_split), "{what}: rows do not split");
    let mut group = 0u32;
    let mut next = 1u32;
    let mut tasks = 0;
    for r in &t.rows[1..] {
        let stt = r.cells[0].text();
        if r.cells.len() == 2 {
            group += 1;
            assert_eq!(stt, chiso_docs::roman(group), "{what}: group rows numbered I, II, …");
            assert_eq!(r.cells[1].span as usize, APPENDIX_HEADERS.len() - 1, "{what}: the group title spans the row");
            next = 1;
        } else {
            assert_eq!(r.cells.len(), APPENDIX_HEADERS.len(), "{what}: {:?}", r.texts());
            assert_eq!(stt, next.to_string(), "{what}: tasks numbered 1, 2, 3 within their group: {:?}", r.texts());
            next += 1;
            tasks += 1;
        }
    }
    tasks
}
