//! Small text helpers shared by the readers: key folding for matching, Vietnamese dates,
//! document numbers ("48/KH-UBND") and case tests.

use std::collections::HashMap;
use std::sync::OnceLock;

use chiso_core::text::fold;
use time::{Date, Month};

/// Folding of the Latin letters with diacritics (U+00C0–U+024F, U+1E00–U+1EFF), built once
/// from `chiso_core::text::fold` so both agree; a table lookup is much faster than the
/// per-call Unicode decomposition.
fn fold_table() -> &'static [(u32, Vec<char>)] {
    static TABLE: OnceLock<Vec<(u32, Vec<char>)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        [(0xC0u32, 0x24Fu32), (0x1E00, 0x1EFF)]
            .iter()
            .map(|&(lo, hi)| {
                let chars = (lo..=hi)
                    .map(|u| {
                        let c = char::from_u32(u).unwrap_or(' ');
                        let f: Vec<char> = fold(&c.to_string()).chars().collect();
                        match f.as_slice() {
                            [one] => *one,
                            _ => c.to_lowercase().next().unwrap_or(c),
                        }
                    })
                    .collect();
                (lo, chars)
            })
            .collect()
    })
}

fn fold_char(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c.to_ascii_lowercase());
    }
    // Combining marks (text that arrives decomposed) fold to nothing.
    if ('\u{300}'..='\u{36F}').contains(&c) {
        return None;
    }
    let u = c as u32;
    for (lo, chars) in fold_table() {
        if let Some(m) = u.checked_sub(*lo).and_then(|i| chars.get(i as usize)) {
            return Some(*m);
        }
    }
    Some(c.to_lowercase().next().unwrap_or(c))
}

/// Folded key for phrase matching: diacritics removed, lower case, punctuation other than
/// "/" replaced by spaces, single spaces. "Phòng, chống tham nhũng" → "phong chong tham
/// nhung".
pub(crate) fn key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.chars() {
        let Some(c) = fold_char(c) else { continue };
        if c.is_alphanumeric() || c == '/' {
            out.push(c);
            last_space = false;
        } else if !last_space {
            out.push(' ');
            last_space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// FNV-1a: the word index hashes many short words; SipHash's DoS resistance is not needed
/// for keys that only live during one parse.
#[derive(Default, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvBuild = std::hash::BuildHasherDefault<Fnv>;

/// The words of a [`key`] with an index from each word to its positions, for counting many
/// phrases in one text quickly.
pub(crate) struct Words<'a> {
    words: Vec<&'a str>,
    index: HashMap<&'a str, Vec<usize>, FnvBuild>,
}

impl<'a> Words<'a> {
    pub fn new(key: &'a str) -> Self {
        let words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
        let mut index: HashMap<&str, Vec<usize>, FnvBuild> = HashMap::default();
        for (i, w) in words.iter().enumerate() {
            index.entry(w).or_default().push(i);
        }
        Words { words, index }
    }

    /// Occurrences of `phrase` (a [`key`]), counting at most `cap`.
    pub fn count(&self, phrase: &str, cap: usize) -> usize {
        let mut parts = phrase.split(' ');
        let Some(first) = parts.next() else { return 0 };
        let Some(positions) = self.index.get(first) else { return 0 };
        let mut n = 0;
        for &p in positions {
            if parts.clone().enumerate().all(|(k, w)| self.words.get(p + 1 + k) == Some(&w)) {
                n += 1;
                if n >= cap {
                    break;
                }
            }
        }
        n
    }
}

/// Whether `phrase` (already a [`key`]) occurs in `haystack` (a [`key`]) on word boundaries.
pub(crate) fn contains_phrase(haystack: &str, phrase: &str) -> bool {
    count_phrase(haystack, phrase, 1) > 0
}

/// Occurrences of `phrase` on word boundaries, counting at most `cap`.
pub(crate) fn count_phrase(haystack: &str, phrase: &str, cap: usize) -> usize {
    if phrase.is_empty() {
        return 0;
    }
    let bytes = haystack.as_bytes();
    let mut n = 0;
    let mut from = 0;
    while let Some(pos) = haystack[from..].find(phrase) {
        let start = from + pos;
        let end = start + phrase.len();
        let before_ok = start == 0 || bytes[start - 1] == b' ';
        let after_ok = end == bytes.len() || bytes[end] == b' ';
        if before_ok && after_ok {
            n += 1;
            if n >= cap {
                break;
            }
        }
        from = start + 1;
        while from < haystack.len() && !haystack.is_char_boundary(from) {
            from += 1;
        }
        if from >= haystack.len() {
            break;
        }
    }
    n
}

/// True when the text has letters and none of them is lower case.
pub(crate) fn is_upper(s: &str) -> bool {
    let mut letters = 0;
    for c in s.chars() {
        if c.is_alphabetic() {
            if c.is_lowercase() {
                return false;
            }
            letters += 1;
        }
    }
    letters > 0
}

pub(crate) fn starts_lowercase(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_lowercase())
}

pub(crate) fn starts_uppercase(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_uppercase())
}

/// Upper-case the first letter ("cải thiện" → "Cải thiện").
pub(crate) fn capitalize_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Collapse runs of whitespace to one space and trim.
pub(crate) fn squash_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// A token of text with its byte range: a run of letters/digits, or one other character.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
}

pub(crate) fn tokens(s: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut word_start: Option<usize> = None;
    for (i, c) in s.char_indices() {
        if c.is_alphanumeric() {
            if word_start.is_none() {
                word_start = Some(i);
            }
            continue;
        }
        if let Some(ws) = word_start.take() {
            out.push(Tok { start: ws, end: i, text: &s[ws..i] });
        }
        if !c.is_whitespace() {
            let e = i + c.len_utf8();
            out.push(Tok { start: i, end: e, text: &s[i..e] });
        }
    }
    if let Some(ws) = word_start {
        out.push(Tok { start: ws, end: s.len(), text: &s[ws..] });
    }
    out
}

fn small_number(t: &str, max_digits: usize) -> Option<u32> {
    if t.is_empty() || t.len() > max_digits || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// A date found in text. Parts the text leaves blank are `None`
/// ("ngày tháng 6 năm 2021" has month 6 and year 2021 only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateMatch {
    pub start: usize,
    pub end: usize,
    pub day: Option<u8>,
    pub month: Option<u8>,
    pub year: Option<i32>,
    /// Written "ngày … tháng … năm …" (as opposed to "10/02/2022").
    pub long_form: bool,
}

impl DateMatch {
    pub fn date(&self) -> Option<Date> {
        make_date(self.year?, self.month?, self.day?)
    }
}

pub(crate) fn make_date(year: i32, month: u8, day: u8) -> Option<Date> {
    let m = Month::try_from(month).ok()?;
    Date::from_calendar_date(year, m, day).ok()
}

fn is_word(t: &Tok<'_>, w: &str) -> bool {
    t.text.len() == w.len() && t.text.chars().flat_map(char::to_lowercase).eq(w.chars())
}

fn adjacent(a: &Tok<'_>, b: &Tok<'_>) -> bool {
    a.end == b.start
}

/// Numeric date "10/02/2022", "22-8-2023", "05/6" starting at token `i`.
fn numeric_date_at(toks: &[Tok<'_>], i: usize) -> Option<DateMatch> {
    let d = small_number(toks.get(i)?.text, 2)?;
    let sep = toks.get(i + 1)?;
    if !matches!(sep.text, "/" | "-" | ".") || !adjacent(&toks[i], sep) {
        return None;
    }
    let mt = toks.get(i + 2)?;
    if !adjacent(sep, mt) {
        return None;
    }
    let m = small_number(mt.text, 2)?;
    if !(1..=31).contains(&d) || !(1..=12).contains(&m) {
        return None;
    }
    let mut end = mt.end;
    let mut year = None;
    if let (Some(s2), Some(yt)) = (toks.get(i + 3), toks.get(i + 4))
        && s2.text == sep.text
        && adjacent(mt, s2)
        && adjacent(s2, yt)
        && yt.text.len() == 4
        && let Some(y) = small_number(yt.text, 4)
    {
        year = Some(y as i32);
        end = yt.end;
    } else if let Some(next) = toks.get(i + 3)
        && adjacent(mt, next)
        && matches!(next.text, "/" | "-")
    {
        // "6/2022"-like month/year or a document number: not a day/month date.
        return None;
    }
    // A bare "1.5" is a decimal number, not a date.
    if year.is_none() && sep.text != "/" {
        return None;
    }
    Some(DateMatch { start: toks[i].start, end, day: Some(d as u8), month: Some(m as u8), year, long_form: false })
}

/// "ngày 18 tháng 02 năm 2022" (day/month may be blank) or "ngày 10/02/2022" at token `i`.
/// A mark that stands for a part of a date left blank: "…", ".", "_".
fn is_blank_mark(t: &Tok<'_>) -> bool {
    matches!(t.text, "…" | "." | "_")
}

fn long_date_at(toks: &[Tok<'_>], i: usize) -> Option<DateMatch> {
    if !is_word(toks.get(i)?, "ngày") {
        return None;
    }
    let start = toks[i].start;
    let mut j = i + 1;
    if let Some(mut m) = numeric_date_at(toks, j) {
        m.start = start;
        return Some(m);
    }
    // "ngày … tháng 6 năm 2021": the day left blank.
    while toks.get(j).is_some_and(is_blank_mark) {
        j += 1;
    }
    let mut day = None;
    if let Some(t) = toks.get(j)
        && let Some(d) = small_number(t.text, 2)
    {
        if (1..=31).contains(&d) {
            day = Some(d as u8);
        }
        j += 1;
    }
    if !toks.get(j).is_some_and(|t| is_word(t, "tháng")) {
        return None;
    }
    j += 1;
    while toks.get(j).is_some_and(is_blank_mark) {
        j += 1;
    }
    let mut month = None;
    let mut end = toks[j - 1].end;
    if let Some(t) = toks.get(j)
        && let Some(m) = small_number(t.text, 2)
    {
        if (1..=12).contains(&m) {
            month = Some(m as u8);
        }
        end = t.end;
        j += 1;
    }
    let mut year = None;
    if toks.get(j).is_some_and(|t| is_word(t, "năm"))
        && let Some(t) = toks.get(j + 1)
        && t.text.len() == 4
        && let Some(y) = small_number(t.text, 4)
    {
        year = Some(y as i32);
        end = t.end;
    }
    if day.is_none() && month.is_none() && year.is_none() {
        return None;
    }
    Some(DateMatch { start, end, day, month, year, long_form: true })
}

/// Every date in `s`, in order.
pub(crate) fn find_dates(s: &str) -> Vec<DateMatch> {
    // Every date form has a digit.
    if !s.bytes().any(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    let toks = tokens(s);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let found = long_date_at(&toks, i).or_else(|| {
            // A numeric date must not continue a longer number like "1.2.3.4".
            if i > 0 && adjacent(&toks[i - 1], &toks[i]) && matches!(toks[i - 1].text, "/" | "." | "-") {
                None
            } else {
                numeric_date_at(&toks, i)
            }
        });
        match found {
            Some(m) => {
                while i < toks.len() && toks[i].start < m.end {
                    i += 1;
                }
                out.push(m);
            }
            None => i += 1,
        }
    }
    out
}

/// Document number and symbol at the start of `s`: "48/KH-UBND", "59/2019/NĐ-CP",
/// "24-CT/TU". Returns the number and its byte length.
pub(crate) fn doc_number_at(s: &str) -> Option<(String, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == 0 || i > 6 {
        return None;
    }
    // Optional letter suffix like "12a/".
    if i < b.len() && b[i].is_ascii_lowercase() && b.get(i + 1) == Some(&b'/') {
        i += 1;
    }
    let first_sep = *b.get(i)?;
    if first_sep != b'/' && first_sep != b'-' {
        return None;
    }
    // The symbol: upper-case letters (incl. Đ), digits, '-', '/', '&', '.'.
    let rest = &s[i..];
    let mut end = i;
    let mut letters = 0;
    let mut prev = ' ';
    for (k, c) in rest.char_indices() {
        // Lower-case letters only inside an upper-case symbol part: "225/QĐ-TTg", "CT-TTg".
        let lower_in_symbol = c.is_lowercase() && prev.is_alphabetic() && letters > 0;
        prev = c;
        let ok = c.is_uppercase() || lower_in_symbol || c.is_ascii_digit() || matches!(c, '-' | '/' | '&' | '.');
        if !ok {
            break;
        }
        if c.is_uppercase() {
            letters += 1;
        }
        end = i + k + c.len_utf8();
    }
    let mut number = s[..end].to_string();
    while number.ends_with(['.', '-', '/']) {
        number.pop();
    }
    if letters == 0 || !number.contains('/') {
        return None;
    }
    let len = number.len();
    Some((number, len))
}

/// Parse "Số: 426/KH-UBND" values: ("426/KH-UBND", Some("KH-UBND")); "/KH-UBND" has no
/// number but a symbol.
pub(crate) fn split_number_symbol(value: &str) -> (Option<String>, Option<String>) {
    let v = value.trim().trim_end_matches(['.', ',', ';']);
    if v.is_empty() {
        return (None, None);
    }
    if let Some(sym) = v.strip_prefix('/') {
        let sym = sym.trim();
        return (None, (!sym.is_empty()).then(|| sym.to_string()));
    }
    match v.split_once('/') {
        Some((num, sym)) if num.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
            (Some(v.to_string()), (!sym.is_empty()).then(|| sym.to_string()))
        }
        _ => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_key_agrees_with_core_fold() {
        for s in ["Phòng Nội vụ", "ĐẢNG ủy  Đông", "Thủ tục hành chính công; Ủy ban", "Quản trị điện tử", "ẮẰẲẴẶ ỹỷỵ Ơ Ư"]
        {
            assert_eq!(key(s), fold(s).replace([',', ';'], ""), "{s}");
        }
        // Decomposed input folds the same.
        assert_eq!(key("Nội vụ"), key("No\u{323}\u{302}i vu\u{323}"));
        let k = key("công khai hộ nghèo, công khai ngân sách");
        let w = Words::new(&k);
        assert_eq!(w.count("cong khai", 5), 2);
        assert_eq!(w.count("ho ngheo", 5), 1);
        assert_eq!(w.count("ngheo cong", 5), 1);
        assert_eq!(w.count("ngan sach xa", 5), 0);
    }

    #[test]
    fn keys_and_phrases() {
        assert_eq!(key("Phòng, chống tham nhũng"), "phong chong tham nhung");
        assert!(contains_phrase(&key("công khai hộ nghèo"), "ho ngheo"));
        assert!(!contains_phrase(&key("hộ nghèoxyz"), "ho ngheo"));
    }

    #[test]
    fn dates_in_all_forms() {
        let d = find_dates("ngày 18 tháng 02 năm 2022");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].date(), make_date(2022, 2, 18));
        let d = find_dates("Thanh Liêm, ngày tháng 6 năm 2021");
        assert_eq!((d[0].day, d[0].month, d[0].year), (None, Some(6), Some(2021)));
        let d = find_dates("ngày tháng năm 2024");
        assert_eq!((d[0].day, d[0].month, d[0].year), (None, None, Some(2024)));
        // Blanks printed as "…" (as the writers print them).
        let d = find_dates("Thanh Liêm, ngày … tháng 6 năm 2021");
        assert_eq!((d[0].day, d[0].month, d[0].year), (None, Some(6), Some(2021)));
        let d = find_dates("ngày … tháng … năm 2024");
        assert_eq!((d[0].day, d[0].month, d[0].year), (None, None, Some(2024)));
        let d = find_dates("trước ngày 05/6; cả năm trước 05/12/2022.");
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].day, d[0].month, d[0].year), (Some(5), Some(6), None));
        assert_eq!(d[1].date(), make_date(2022, 12, 5));
        assert!(find_dates("Nghị định số 59/2019/NĐ-CP và 48/KH-UBND, tỷ lệ 1.5").is_empty());
        assert!(find_dates("mức độ 3,4 trong 6 tháng/lần").is_empty());
    }

    #[test]
    fn document_numbers_keep_lower_case_letters_of_the_symbol() {
        assert_eq!(doc_number_at("225/QĐ-TTg ngày 04/02/2016").map(|x| x.0).as_deref(), Some("225/QĐ-TTg"));
        assert_eq!(doc_number_at("06/CT-TTg;").map(|x| x.0).as_deref(), Some("06/CT-TTg"));
        assert_eq!(doc_number_at("48/KH-UBND ngày").map(|x| x.0).as_deref(), Some("48/KH-UBND"));
    }

    #[test]
    fn document_numbers() {
        assert_eq!(doc_number_at("48/KH-UBND ngày"), Some(("48/KH-UBND".into(), 10)));
        assert_eq!(doc_number_at("59/2019/NĐ-CP;").map(|x| x.0), Some("59/2019/NĐ-CP".into()));
        assert_eq!(doc_number_at("24-CT/TU ngày").map(|x| x.0), Some("24-CT/TU".into()));
        assert_eq!(doc_number_at("2021 năm"), None);
        assert_eq!(split_number_symbol("/KH-UBND"), (None, Some("KH-UBND".into())));
        assert_eq!(split_number_symbol("426/KH-UBND"), (Some("426/KH-UBND".into()), Some("KH-UBND".into())));
    }
}
