//! Reads the layout of a produced DOCX for the tests: body paragraphs and tables with their widths,
//! cell margins, borders, row properties (cantSplit, repeated header) and the paragraphs of each cell
//! (text, keepNext, keepLines, bold, italic). Also used by the app's export tests (`#[path]`).

#![allow(dead_code)]

use quick_xml::events::{BytesStart, Event};

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
