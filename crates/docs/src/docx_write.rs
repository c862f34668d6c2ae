//! DOCX writing: the OOXML is written by hand into a zip, for full control of the official
//! layout (Nghị định 30/2020/NĐ-CP, Phụ lục I): A4, margins top/bottom 20 mm, left 30 mm,
//! right 15 mm, Times New Roman 14 (header 13), page numbers centred at the top from page 2.

use std::io::Write;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::DocError;
use crate::document::{PlanDocument, appendix_groups, attached_to, printed_label, vn_date_line};
use crate::model::Section;

/// Twips per millimetre.
const MM: u32 = 57;
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
const MARGIN_TOP: u32 = 20 * MM;
const MARGIN_BOTTOM: u32 = 20 * MM;
const MARGIN_LEFT: u32 = 30 * MM;
const MARGIN_RIGHT: u32 = 15 * MM;
const TEXT_W: u32 = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT;
/// The header table (Nghị định 30/2020, Phụ lục I, ô 1–4): the issuing body and the number in the
/// left column, the Quốc hiệu, Tiêu ngữ and place/date in the right one. The right column is wide
/// enough for "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in bold 13 pt on one line (≈ 95 mm) and the
/// left one for "ỦY BAN NHÂN DÂN" in bold 13 pt (≈ 54 mm); 1.5 mm of cell margin on each side keeps
/// the two columns' texts apart however long the issuer's name.
pub(crate) const HEADER_LEFT: u32 = 3600;
pub(crate) const HEADER_RIGHT: u32 = TEXT_W - HEADER_LEFT;
/// Left and right margin inside every cell of the header and signature tables (1.5 mm).
pub(crate) const LAYOUT_CELL_MARGIN: u32 = 85;
/// The signature table: "Nơi nhận" on the left, the signer on the right (ô 7 and 9b).
pub(crate) const SIGN_LEFT: u32 = 4300;
pub(crate) const SIGN_RIGHT: u32 = TEXT_W - SIGN_LEFT;
/// First-line indent of body paragraphs (1 cm).
const INDENT: u32 = 567;
/// Sizes in half-points.
const BODY: u32 = 28;
const HEAD: u32 = 26;

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// XML-escape text and drop characters XML 1.0 cannot hold.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{fffe}' | '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[derive(Clone, Copy, Default)]
struct RunStyle {
    bold: bool,
    italic: bool,
    size: u32,
}

fn run(text: &str, st: RunStyle) -> String {
    let mut rpr = String::new();
    if st.bold {
        rpr.push_str("<w:b/><w:bCs/>");
    }
    if st.italic {
        rpr.push_str("<w:i/><w:iCs/>");
    }
    if st.size > 0 {
        rpr.push_str(&format!("<w:sz w:val=\"{0}\"/><w:szCs w:val=\"{0}\"/>", st.size));
    }
    let rpr = if rpr.is_empty() { String::new() } else { format!("<w:rPr>{rpr}</w:rPr>") };
    // Line breaks inside one paragraph become <w:br/>.
    let mut body = String::new();
    for (i, part) in text.split('\n').enumerate() {
        if i > 0 {
            body.push_str("<w:br/>");
        }
        body.push_str(&format!("<w:t xml:space=\"preserve\">{}</w:t>", esc(part)));
    }
    format!("<w:r>{rpr}{body}</w:r>")
}

#[derive(Clone, Copy, Default)]
struct ParaStyle {
    /// "center", "both", "left", "right".
    jc: &'static str,
    first_line: u32,
    before: u32,
    after: u32,
    keep_next: bool,
    /// Keep the paragraph's lines on one page.
    keep_lines: bool,
    /// Rule (top border) across the paragraph, between these left/right indents.
    rule: Option<(u32, u32)>,
}

fn para(runs: &str, st: ParaStyle) -> String {
    let mut ppr = String::new();
    if st.keep_next {
        ppr.push_str("<w:keepNext/>");
    }
    if st.keep_lines {
        ppr.push_str("<w:keepLines/>");
    }
    if st.rule.is_some() {
        ppr.push_str("<w:pBdr><w:top w:val=\"single\" w:sz=\"6\" w:space=\"1\" w:color=\"000000\"/></w:pBdr>");
    }
    ppr.push_str(&format!("<w:spacing w:before=\"{}\" w:after=\"{}\"/>", st.before, st.after));
    match st.rule {
        Some((l, r)) => ppr.push_str(&format!("<w:ind w:left=\"{l}\" w:right=\"{r}\"/>")),
        None if st.first_line > 0 => ppr.push_str(&format!("<w:ind w:firstLine=\"{}\"/>", st.first_line)),
        None => {}
    }
    if !st.jc.is_empty() {
        ppr.push_str(&format!("<w:jc w:val=\"{}\"/>", st.jc));
    }
    if st.rule.is_some() {
        // A tiny empty line carries the rule.
        ppr.push_str("<w:rPr><w:sz w:val=\"4\"/></w:rPr>");
    }
    format!("<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>")
}

fn centered(text: &str, st: RunStyle) -> String {
    para(&run(text, st), ParaStyle { jc: "center", ..ParaStyle::default() })
}

/// A short centred rule of `len` twips in a space `width` twips wide.
fn rule(width: u32, len: u32) -> String {
    let side = width.saturating_sub(len) / 2;
    para("", ParaStyle { jc: "center", before: 30, rule: Some((side, side)), ..ParaStyle::default() })
}

fn body_para(text: &str, bold: bool) -> String {
    para(
        &run(text, RunStyle { bold, size: BODY, ..RunStyle::default() }),
        ParaStyle { jc: "both", first_line: INDENT, after: 120, keep_next: bold, ..ParaStyle::default() },
    )
}

/// Rough printed width of bold Times New Roman text in twips: capitals ~0.7 em, spaces 0.25 em,
/// other characters ~0.47 em (the Tiêu ngữ's rule must be as long as the text).
fn text_width(text: &str, half_points: u32) -> u32 {
    let em_hundredths: u32 = text
        .chars()
        .map(|c| {
            if c.is_uppercase() {
                70
            } else if c.is_whitespace() {
                25
            } else {
                47
            }
        })
        .sum();
    // half-points × 10 = twips per em.
    em_hundredths * half_points * 10 / 100
}

fn cell(width: u32, content: &str, extra: &str) -> String {
    format!("<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>{extra}</w:tcPr>{content}</w:tc>")
}

/// A table without borders (header and signature blocks): fixed layout, explicit column widths and
/// cell margins; `row_pr` goes in every row's properties (`<w:cantSplit/>` keeps a row on one page).
fn layout_table(widths: &[u32], rows: &[Vec<String>], row_pr: &str) -> String {
    let grid: String = widths.iter().map(|w| format!("<w:gridCol w:w=\"{w}\"/>")).collect();
    let total: u32 = widths.iter().sum();
    let m = LAYOUT_CELL_MARGIN;
    let mut out = format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblBorders><w:top w:val=\"nil\"/><w:left w:val=\"nil\"/><w:bottom w:val=\"nil\"/><w:right w:val=\"nil\"/><w:insideH w:val=\"nil\"/><w:insideV w:val=\"nil\"/></w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"{m}\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"{m}\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
    );
    for row in rows {
        if row_pr.is_empty() {
            out.push_str("<w:tr>");
        } else {
            out.push_str(&format!("<w:tr><w:trPr>{row_pr}</w:trPr>"));
        }
        for (i, content) in row.iter().enumerate() {
            let content = if content.is_empty() { "<w:p/>".to_string() } else { content.clone() };
            out.push_str(&cell(widths.get(i).copied().unwrap_or(1000), &content, ""));
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    out
}

/// The issuing body with its fixed phrases unbreakable ("ỦY BAN NHÂN DÂN", "THỊ TRẤN", …), so a long
/// name wraps as "ỦY BAN NHÂN DÂN / THỊ TRẤN ÂN THI", never inside a phrase ("… THỊ / TRẤN …").
fn unbreakable_phrases(issuer: &str) -> String {
    const PHRASES: [&str; 6] = ["ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "THÀNH PHỐ", "THỊ TRẤN", "THỊ XÃ"];
    let mut out = issuer.to_string();
    for p in PHRASES {
        out = out.replace(p, &p.replace(' ', "\u{a0}"));
    }
    out
}

fn number_line(doc: &PlanDocument) -> String {
    match (&doc.number, &doc.symbol) {
        (Some(n), _) => format!("Số: {n}"),
        (None, Some(s)) => format!("Số:        /{s}"),
        (None, None) => "Số:        ".to_string(),
    }
}

fn place_date_line(doc: &PlanDocument) -> String {
    let date = vn_date_line(doc.date, doc.month, doc.year.or(doc.date.map(|d| d.year())));
    if doc.place.trim().is_empty() { date } else { format!("{}, {date}", doc.place.trim()) }
}

/// The header (ô 1–4): two borderless columns of fixed width, so the issuing body and the national
/// motto never run together; the number under the issuer and the italic place and date under the
/// motto share the second row.
fn header_table(doc: &PlanDocument) -> String {
    let inner = |w: u32| w - 2 * LAYOUT_CELL_MARGIN;
    let mut left = String::new();
    if let Some(p) = doc.parent_issuer.as_ref().filter(|p| !p.trim().is_empty()) {
        left.push_str(&centered(&p.to_uppercase(), RunStyle { size: HEAD, ..RunStyle::default() }));
    }
    let issuer = doc.issuer.to_uppercase();
    if !issuer.trim().is_empty() {
        left.push_str(&centered(&unbreakable_phrases(&issuer), RunStyle { bold: true, size: HEAD, ..RunStyle::default() }));
        // Rule under the issuing body: a third of its width (1/3–1/2 required).
        let len = (text_width(&issuer, HEAD).min(inner(HEADER_LEFT)) / 3).max(900);
        left.push_str(&rule(inner(HEADER_LEFT), len));
    }
    let mut right = String::new();
    right.push_str(&centered("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", RunStyle { bold: true, size: HEAD, ..RunStyle::default() }));
    let motto = "Độc lập - Tự do - Hạnh phúc";
    right.push_str(&centered(motto, RunStyle { bold: true, size: BODY, ..RunStyle::default() }));
    right.push_str(&rule(inner(HEADER_RIGHT), text_width(motto, BODY).min(inner(HEADER_RIGHT))));
    let spaced = ParaStyle { jc: "center", before: 120, ..ParaStyle::default() };
    let num = para(&run(&number_line(doc), RunStyle { size: HEAD, ..RunStyle::default() }), spaced);
    let date = para(&run(&place_date_line(doc), RunStyle { italic: true, size: BODY, ..RunStyle::default() }), spaced);
    layout_table(&[HEADER_LEFT, HEADER_RIGHT], &[vec![left, right], vec![num, date]], "")
}

fn write_outline(out: &mut String, s: &Section, top: bool) {
    let label = printed_label(&s.code);
    let title = if top { s.title.to_uppercase() } else { s.title.clone() };
    let text = if label.is_empty() { title } else { format!("{label} {title}") };
    // Sections and items that group others are headings: bold.
    out.push_str(&body_para(&text, top || !s.children.is_empty()));
    for p in &s.paragraphs {
        out.push_str(&body_para(p, false));
    }
    for c in &s.children {
        write_outline(out, c, false);
    }
    for p in &s.after {
        out.push_str(&body_para(p, false));
    }
}

/// "Nơi nhận" beside the signer (ô 7 and 9b) in one row that cannot split across pages, every
/// paragraph kept with the next and its lines together: the block moves to the next page whole.
/// Recipient notes ("(để báo cáo)") are printed as the entries hold them.
fn signature_table(doc: &PlanDocument) -> String {
    let keep = |jc: &'static str| ParaStyle { jc, keep_next: true, keep_lines: true, ..ParaStyle::default() };
    let mut left = String::new();
    if !doc.recipients.is_empty() {
        left.push_str(&para(&run("Nơi nhận:", RunStyle { bold: true, italic: true, size: 24 }), keep("left")));
        let n = doc.recipients.len();
        for (i, r) in doc.recipients.iter().enumerate() {
            let r = r.trim().trim_end_matches([';', '.']);
            let end = if i + 1 == n { "." } else { ";" };
            left.push_str(&para(&run(&format!("- {r}{end}"), RunStyle { size: 22, ..RunStyle::default() }), keep("left")));
        }
    }
    let mut right = String::new();
    if let Some(s) = &doc.signer {
        let bold = RunStyle { bold: true, size: BODY, ..RunStyle::default() };
        for line in [&s.authority, &s.delegation, &s.position].into_iter().flatten() {
            right.push_str(&para(&run(&line.to_uppercase(), bold), keep("center")));
        }
        // Room for the signature and seal.
        for _ in 0..4 {
            right.push_str(&para("", keep("center")));
        }
        if let Some(name) = &s.name {
            right.push_str(&para(&run(name, bold), ParaStyle { keep_next: false, ..keep("center") }));
        }
    }
    for cell in [&mut left, &mut right] {
        if cell.is_empty() {
            cell.push_str(&para("", keep("left")));
        }
    }
    layout_table(&[SIGN_LEFT, SIGN_RIGHT], &[vec![left, right]], "<w:cantSplit/>")
}

fn section_props(landscape: bool, first_page_no_number: bool) -> String {
    let (w, h, orient, margins) = if landscape {
        (PAGE_H, PAGE_W, " w:orient=\"landscape\"", (20 * MM, 20 * MM, 20 * MM, 20 * MM))
    } else {
        (PAGE_W, PAGE_H, "", (MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT))
    };
    format!(
        "<w:sectPr><w:headerReference w:type=\"default\" r:id=\"rId3\"/><w:pgSz w:w=\"{w}\" w:h=\"{h}\"{orient}/><w:pgMar w:top=\"{}\" w:right=\"{}\" w:bottom=\"{}\" w:left=\"{}\" w:header=\"567\" w:footer=\"567\" w:gutter=\"0\"/>{}</w:sectPr>",
        margins.0,
        margins.1,
        margins.2,
        margins.3,
        if first_page_no_number { "<w:titlePg/>" } else { "" }
    )
}

/// Column headers and widths (twips, landscape A4 less 20 mm margins = 14558) of the appendix table.
pub(crate) fn appendix_columns(with_status: bool) -> (Vec<&'static str>, Vec<u32>) {
    let mut headers = vec!["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Sản phẩm"];
    if with_status {
        headers.push("Trạng thái");
        (headers, vec![650, 4400, 2100, 2400, 1600, 1908, 1500])
    } else {
        (headers, vec![700, 5000, 2300, 2700, 1800, 2058])
    }
}

/// The appendix task table: a header row repeated on every page, a group row per group ("I", its
/// title across the other columns) and the group's tasks numbered 1, 2, 3; rows do not split
/// across pages. Unknown fields stay empty.
fn appendix_table(doc: &PlanDocument) -> String {
    let with_status = doc.appendix.iter().any(|r| r.status.is_some());
    let (headers, widths) = appendix_columns(with_status);
    let total: u32 = widths.iter().sum();
    let grid: String = widths.iter().map(|w| format!("<w:gridCol w:w=\"{w}\"/>")).collect();
    let border = "<w:tblBorders><w:top w:val=\"single\" w:sz=\"4\"/><w:left w:val=\"single\" w:sz=\"4\"/><w:bottom w:val=\"single\" w:sz=\"4\"/><w:right w:val=\"single\" w:sz=\"4\"/><w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/></w:tblBorders>";
    let mut out = format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/>{border}<w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:top w:w=\"30\" w:type=\"dxa\"/><w:left w:w=\"70\" w:type=\"dxa\"/><w:bottom w:w=\"30\" w:type=\"dxa\"/><w:right w:w=\"70\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
    );
    let small = |text: &str, bold: bool, jc: &'static str| {
        para(&run(text, RunStyle { bold, size: 24, ..RunStyle::default() }), ParaStyle { jc, ..ParaStyle::default() })
    };
    // The header row repeats on every page.
    out.push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
    for (h, w) in headers.iter().zip(&widths) {
        out.push_str(&cell(*w, &small(h, true, "center"), "<w:vAlign w:val=\"center\"/>"));
    }
    out.push_str("</w:tr>");
    for group in appendix_groups(&doc.appendix) {
        if let Some(numeral) = &group.numeral {
            // The group row stays with its first task.
            let keep = |text: &str, jc: &'static str| {
                para(
                    &run(text, RunStyle { bold: true, size: 24, ..RunStyle::default() }),
                    ParaStyle { jc, keep_next: true, ..ParaStyle::default() },
                )
            };
            out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
            out.push_str(&cell(widths[0], &keep(numeral, "center"), ""));
            let span = widths.len() - 1;
            let rest: u32 = widths[1..].iter().sum();
            out.push_str(&cell(rest, &keep(&group.title, "left"), &format!("<w:gridSpan w:val=\"{span}\"/>")));
            out.push_str("</w:tr>");
        }
        for (i, r) in group.rows.iter().enumerate() {
            let mut cells = vec![
                ((i + 1).to_string(), "center"),
                (r.text.clone(), "both"),
                (r.lead_agency.clone().unwrap_or_default(), "left"),
                (r.coordinating_agencies.join(";\n"), "left"),
                (r.time.clone().unwrap_or_default(), "center"),
                (r.product.clone().unwrap_or_default(), "left"),
            ];
            if with_status {
                cells.push((r.status.clone().unwrap_or_default(), "center"));
            }
            out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
            for ((text, jc), w) in cells.iter().zip(&widths) {
                // Each line of a multi-line cell is its own paragraph.
                let content: String =
                    if text.trim().is_empty() { "<w:p/>".to_string() } else { text.split('\n').map(|l| small(l, false, jc)).collect() };
                out.push_str(&cell(*w, &content, ""));
            }
            out.push_str("</w:tr>");
        }
    }
    out.push_str("</w:tbl>");
    out
}

fn document_xml(doc: &PlanDocument) -> String {
    let mut b = String::new();
    b.push_str(&header_table(doc));
    let type_style = RunStyle { bold: true, size: BODY, ..RunStyle::default() };
    b.push_str(&para(&run(&doc.doc_type.to_uppercase(), type_style), ParaStyle { jc: "center", before: 360, ..ParaStyle::default() }));
    if !doc.title.trim().is_empty() {
        b.push_str(&centered(&doc.title, type_style));
        b.push_str(&rule(TEXT_W, (text_width(&doc.title, BODY).min(TEXT_W) / 3).max(1500)));
    }
    b.push_str(&para("", ParaStyle::default()));
    for t in doc.based_on.iter().chain(&doc.preamble) {
        b.push_str(&body_para(t, false));
    }
    for s in &doc.sections {
        write_outline(&mut b, s, !s.code.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '-'));
    }
    // The last closing paragraph ("Trên đây là …") stays with the signature block.
    for (i, t) in doc.closing.iter().enumerate() {
        let last = i + 1 == doc.closing.len();
        b.push_str(&para(
            &run(t, RunStyle { size: BODY, ..RunStyle::default() }),
            ParaStyle { jc: "both", first_line: INDENT, after: 120, keep_next: last, keep_lines: last, ..ParaStyle::default() },
        ));
    }
    b.push_str(&para("", ParaStyle { after: 120, keep_next: true, ..ParaStyle::default() }));
    b.push_str(&signature_table(doc));
    if !doc.appendix.is_empty() {
        // End the portrait section; the appendix is a landscape section.
        b.push_str(&format!("<w:p><w:pPr>{}</w:pPr></w:p>", section_props(false, true)));
        let bold = RunStyle { bold: true, size: BODY, ..RunStyle::default() };
        b.push_str(&centered("PHỤ LỤC", bold));
        if let Some(t) = &doc.appendix_title {
            b.push_str(&centered(t, bold));
        }
        let note = attached_to(doc);
        b.push_str(&centered(&note, RunStyle { italic: true, size: BODY, ..RunStyle::default() }));
        b.push_str(&para("", ParaStyle::default()));
        b.push_str(&appendix_table(doc));
        b.push_str(&para("", ParaStyle::default()));
        b.push_str(&section_props(true, false));
    } else {
        b.push_str(&section_props(false, true));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:body>{b}</w:body></w:document>"
    )
}

fn styles_xml() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles xmlns:w=\"{W_NS}\"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"Times New Roman\" w:cs=\"Times New Roman\"/><w:sz w:val=\"{BODY}\"/><w:szCs w:val=\"{BODY}\"/><w:lang w:val=\"vi-VN\" w:eastAsia=\"vi-VN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"264\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style><w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style></w:styles>"
    )
}

fn header_xml() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:hdr xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>2</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p></w:hdr>"
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/><Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/><Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/><Override PartName=\"/word/header1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/><Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/></Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/></Relationships>";

const DOC_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/><Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/header\" Target=\"header1.xml\"/></Relationships>";

fn settings_xml() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:settings xmlns:w=\"{W_NS}\"><w:defaultTabStop w:val=\"720\"/><w:characterSpacingControl w:val=\"doNotCompress\"/><w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat></w:settings>"
    )
}

fn core_xml(doc: &PlanDocument) -> String {
    let title = format!("{} {}", doc.doc_type, doc.title);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:creator>chiso</dc:creator><dc:language>vi-VN</dc:language></cp:coreProperties>",
        esc(title.trim())
    )
}

/// Write the plan as a DOCX in the layout of Nghị định 30/2020/NĐ-CP, Phụ lục I: header
/// table (issuing body with a short rule, Quốc hiệu and Tiêu ngữ with a rule, number and the
/// italic place and date), bold centred type and title, justified body with a first-line
/// indent, "Nơi nhận:" beside the signature block, and the appendix task table on a
/// landscape page. The output is deterministic (fixed timestamps).
pub fn write_docx(doc: &PlanDocument) -> Result<Vec<u8>, DocError> {
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated).last_modified_time(DateTime::default());
    let parts: [(&str, String); 7] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", ROOT_RELS.to_string()),
        ("word/_rels/document.xml.rels", DOC_RELS.to_string()),
        ("word/document.xml", document_xml(doc)),
        ("word/styles.xml", styles_xml()),
        ("word/settings.xml", settings_xml()),
        ("word/header1.xml", header_xml()),
    ];
    for (name, body) in parts.iter().chain(std::iter::once(&("docProps/core.xml", core_xml(doc)))) {
        zip.start_file(*name, opts).map_err(|e| DocError::write("DOCX", e))?;
        zip.write_all(body.as_bytes()).map_err(|e| DocError::write("DOCX", e))?;
    }
    let cursor = zip.finish().map_err(|e| DocError::write("DOCX", e))?;
    Ok(cursor.into_inner())
}
