//! The common intermediate form every reader produces: lines of text with a few layout
//! hints, and tables. The outline parser works on this form only, so text, Markdown and
//! DOCX are read by the same rules.

/// One line of text. A paragraph of a DOCX is one line (its `w:br` breaks start further
/// lines with `blank_before == false`); a text file line is one line.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Line {
    pub text: String,
    /// A blank line (text) or a paragraph boundary (DOCX) precedes this line.
    pub blank_before: bool,
    /// Markdown heading, bold line or heading style: allows "1 Title" numbering without a dot.
    pub heading_hint: bool,
    /// Centred paragraph (DOCX only).
    pub centered: bool,
    /// 1-based line number in the source (text) or paragraph number (DOCX).
    pub source_line: usize,
}

/// A table: rows of cells of text (cell paragraphs joined by '\n').
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Table {
    pub rows: Vec<Vec<String>>,
    pub source_line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    Line(Line),
    Table(Table),
}

/// Bullet characters that Word, web pages and Markdown use; all become "-".
const BULLETS: &[char] = &['•', '●', '▪', '◦', '■', '□', '○', '\u{f0b7}', '\u{f0a7}', '\u{f0d8}', '➢', '✓', '–', '—', '−'];

/// Normalise the text of one line: spaces, bullet characters, spaces before punctuation.
pub(crate) fn normalize_line(s: &str) -> String {
    let mut t = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{a0}' | '\u{2007}' | '\u{202f}' | '\t' | '\u{2002}'..='\u{200a}' => t.push(' '),
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{ad}' => {}
            c if c.is_control() => t.push(' '),
            c => t.push(c),
        }
    }
    // Most text is already NFC (Word and web pages write it so): check before composing.
    let t = match unicode_normalization::is_nfc_quick(t.chars()) {
        unicode_normalization::IsNormalized::Yes => t,
        _ => chiso_core::text::nfc(&t),
    };
    let mut t = crate::textutil::squash_spaces(&t);
    if let Some(first) = t.chars().next()
        && BULLETS.contains(&first)
    {
        let rest = t[first.len_utf8()..].trim_start().to_string();
        // "– 2022" style dashes inside text are untouched: only a leading bullet changes.
        t = format!("- {rest}");
    }
    tidy_punctuation(&t)
}

/// "( Có phụ lục )" → "(Có phụ lục)", "Sở Nội vụ ;" → "Sở Nội vụ;".
pub(crate) fn tidy_punctuation(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' {
            let next = chars.get(i + 1).copied();
            let prev = out.chars().last();
            if matches!(next, Some(',' | ';' | ')' | ':')) && prev.is_some_and(|p| p != ' ') {
                // Keep "- ;" bullet residue readable: only drop the space after a word.
                if prev.is_some_and(|p| p.is_alphanumeric() || p == ')' || p == '"' || p == '”') {
                    i += 1;
                    continue;
                }
            }
            if prev == Some('(') {
                i += 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_bullets_and_spaces() {
        assert_eq!(normalize_line("  • 21/09/2023"), "- 21/09/2023");
        assert_eq!(normalize_line("( Có phụ lục gửi kèm )"), "(Có phụ lục gửi kèm)");
        assert_eq!(normalize_line("Sở Nội vụ ;\u{a0}x"), "Sở Nội vụ; x");
    }
}
