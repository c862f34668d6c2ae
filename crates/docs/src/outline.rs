//! The numbering tree of a plan's body: Roman sections (I., II.), numbered items (1., 1.1.),
//! lettered items (a), b)), bullets (-, +) and the unnumbered paragraphs under them.
//!
//! Codes are hierarchical: a section is "II"; "1." under it is "II.1"; "1.1." under that is
//! "II.1.1" (the printed "1.1" already repeats its parent); "b)" under "II.3" is "II.3.b";
//! the second bullet under "II.1" is "II.1.-2". Items at the top of a document without
//! Roman sections have no prefix ("3", "3.a"). A code that would repeat gets "_2", "_3".

use std::collections::HashSet;

use crate::blocks::Line;
use crate::model::Section;
use crate::textutil::{key, starts_uppercase};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MarkerKind {
    Roman(u32),
    Num(Vec<u32>),
    Letter(char),
    Bullet(char),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Marker {
    pub kind: MarkerKind,
    /// The text after the marker.
    pub rest: String,
}

impl MarkerKind {
    pub fn rank(&self) -> u32 {
        match self {
            MarkerKind::Roman(_) => 1,
            MarkerKind::Num(p) => 1 + p.len().min(5) as u32,
            MarkerKind::Letter(_) => 8,
            MarkerKind::Bullet('+') => 10,
            MarkerKind::Bullet(_) => 9,
        }
    }
}

const ROMAN_DIGITS: &[(u32, &str)] = &[
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
];

pub(crate) fn to_roman(mut n: u32) -> String {
    let mut out = String::new();
    for &(v, s) in ROMAN_DIGITS {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

pub(crate) fn roman_value(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 7 || !s.chars().all(|c| "IVXLC".contains(c)) {
        return None;
    }
    let val = |c: char| match c {
        'I' => 1,
        'V' => 5,
        'X' => 10,
        'L' => 50,
        _ => 100,
    };
    let chars: Vec<i32> = s.chars().map(val).collect();
    let mut total = 0i32;
    for (i, &v) in chars.iter().enumerate() {
        if chars.get(i + 1).is_some_and(|&n| n > v) {
            total -= v;
        } else {
            total += v;
        }
    }
    let total = u32::try_from(total).ok()?;
    (total > 0 && total <= 40 && to_roman(total) == s).then_some(total)
}

/// Recognise the numbering at the start of a line. `heading_hint` allows "1 Title" (no dot),
/// which Markdown headings use.
pub(crate) fn parse_marker(text: &str, heading_hint: bool) -> Option<Marker> {
    let first = text.chars().next()?;
    if first == '-' {
        let rest = text[1..].trim_start();
        if rest.is_empty()
            || rest.starts_with('-')
            || rest.chars().next().is_some_and(|c| c.is_ascii_digit() && text[1..].starts_with(|d: char| d.is_ascii_digit()))
        {
            return None;
        }
        return Some(Marker { kind: MarkerKind::Bullet('-'), rest: rest.to_string() });
    }
    if first == '+' {
        let rest = text[1..].trim_start();
        if text[1..].starts_with(' ') && !rest.is_empty() {
            return Some(Marker { kind: MarkerKind::Bullet('+'), rest: rest.to_string() });
        }
        return None;
    }
    if let Some(m) = roman_marker(text) {
        return Some(m);
    }
    if first.is_ascii_digit() {
        return num_marker(text, heading_hint);
    }
    if first.is_lowercase() && (first.is_ascii_lowercase() || first == 'đ') {
        let after = &text[first.len_utf8()..];
        let (punct, rest) = if let Some(r) = after.strip_prefix(')') {
            (')', r)
        } else if let Some(r) = after.strip_prefix('.') {
            ('.', r)
        } else {
            return None;
        };
        if !rest.starts_with(' ') {
            return None;
        }
        let rest = rest.trim_start();
        if rest.is_empty() || (punct == '.' && !starts_uppercase(rest)) {
            return None;
        }
        return Some(Marker { kind: MarkerKind::Letter(first), rest: rest.to_string() });
    }
    None
}

fn roman_marker(text: &str) -> Option<Marker> {
    let numeral: String = text.chars().take_while(|c| "IVXLC".contains(*c)).collect();
    let value = roman_value(&numeral)?;
    let after = &text[numeral.len()..];
    let rest = match after.strip_prefix(['.', ')']) {
        Some(r) => r,
        None => after.strip_prefix(" -").or_else(|| after.strip_prefix(" –"))?,
    };
    let rest = rest.trim_start_matches(['.', ' ']);
    if rest.is_empty() || !(rest.starts_with(|c: char| c.is_uppercase() || c == '"' || c == '“')) {
        return None;
    }
    Some(Marker { kind: MarkerKind::Roman(value), rest: rest.to_string() })
}

fn num_marker(text: &str, heading_hint: bool) -> Option<Marker> {
    let b = text.as_bytes();
    let mut parts = Vec::new();
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let len = i - start;
        if len == 0 || len > 2 {
            return None;
        }
        parts.push(text[start..i].parse::<u32>().ok()?);
        if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
            i += 1;
            continue;
        }
        break;
    }
    if parts.len() > 6 {
        return None;
    }
    let after = &text[i..];
    let (explicit, rest) = if let Some(r) = after.strip_prefix(['.', ')']) {
        (true, r)
    } else if after.starts_with(' ') {
        (false, after)
    } else {
        return None;
    };
    let spaced = rest.starts_with(' ');
    let rest = rest.trim_start();
    if rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_digit() || c == '/' || c == '%') {
        return None;
    }
    let upper = rest.starts_with(|c: char| c.is_uppercase() || c == '"' || c == '“' || c == '(');
    if explicit {
        if !spaced && !upper {
            return None;
        }
    } else if !(upper && (heading_hint || parts.len() >= 2)) {
        return None;
    }
    Some(Marker { kind: MarkerKind::Num(parts), rest: rest.to_string() })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Root,
    Roman,
    Num,
    Letter,
    Bullet,
    /// An unnumbered paragraph among bullets: a bullet whose dash was lost.
    Implicit,
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub kind: Kind,
    pub nums: Vec<u32>,
    pub code: String,
    pub title: String,
    pub heading_like: bool,
    pub rank: u32,
    pub parent: usize,
    pub children: Vec<usize>,
    pub paragraphs: Vec<String>,
    pub after: Vec<String>,
}

impl Node {
    fn new(kind: Kind, rank: u32, parent: usize) -> Self {
        Node {
            kind,
            nums: Vec::new(),
            code: String::new(),
            title: String::new(),
            heading_like: false,
            rank,
            parent,
            children: Vec::new(),
            paragraphs: Vec::new(),
            after: Vec::new(),
        }
    }

    pub fn is_item(&self) -> bool {
        matches!(self.kind, Kind::Num | Kind::Letter | Kind::Bullet | Kind::Implicit)
    }
}

/// The parsed body: preamble paragraphs, the tree (node 0 is the root), closing paragraphs.
#[derive(Debug, Clone)]
pub(crate) struct Body {
    pub preamble: Vec<String>,
    pub nodes: Vec<Node>,
    pub closing: Vec<String>,
}

/// Paragraphs that close a plan ("Trên đây là Kế hoạch …", "Trong quá trình thực hiện, nếu
/// có vướng mắc …"): not part of the last item.
fn is_closing(text: &str) -> bool {
    let k = key(text);
    k.starts_with("tren day la")
        || k.starts_with("tren co so ke hoach nay")
        || k.starts_with("tren co so noi dung ke hoach nay")
        || k.starts_with("de nghi cac co quan don vi nghiem tuc")
        || ((k.starts_with("trong qua trinh") || k.starts_with("qua trinh")) && (k.contains("vuong mac") || k.contains("kho khan")))
}

/// "… như sau:" introduces what follows; it is not itself a task.
pub(crate) fn is_intro(text: &str) -> bool {
    text.trim_end().ends_with(':')
}

pub(crate) fn is_parenthetical(text: &str) -> bool {
    let t = text.trim();
    t.starts_with('(') && t.ends_with(')')
}

fn heading_like(text: &str, hint: bool) -> bool {
    hint || !text.trim_end().ends_with(['.', ';', '!', '?']) || text.chars().count() <= 80
}

pub(crate) fn build_body(lines: &[Line]) -> Body {
    let markers: Vec<Option<Marker>> = lines.iter().map(|l| parse_marker(&l.text, l.heading_hint)).collect();
    let has_roman = markers.iter().any(|m| matches!(m, Some(Marker { kind: MarkerKind::Roman(_), .. })));
    let start = markers
        .iter()
        .position(|m| match m {
            Some(Marker { kind: MarkerKind::Roman(_), .. }) => true,
            Some(Marker { kind: MarkerKind::Num(_), .. }) => !has_roman,
            _ => false,
        })
        .unwrap_or(lines.len());
    // Rank of the next numbered line after each line, for "does the list go on?".
    let mut next_rank = vec![None; lines.len() + 1];
    for i in (0..lines.len()).rev() {
        next_rank[i] = match &markers[i] {
            Some(m) if !matches!(m.kind, MarkerKind::Bullet(_)) => Some(m.kind.rank()),
            _ => next_rank[i + 1],
        };
    }

    let mut nodes = vec![Node::new(Kind::Root, 0, 0)];
    let mut stack: Vec<usize> = vec![0];
    let mut codes: HashSet<String> = HashSet::new();
    let preamble: Vec<String> = lines[..start].iter().map(|l| l.text.clone()).collect();
    let mut closing = Vec::new();
    for i in start..lines.len() {
        let line = &lines[i];
        if !closing.is_empty() || (markers[i].is_none() && nodes.len() > 1 && is_closing(&line.text)) {
            closing.push(line.text.clone());
            continue;
        }
        match &markers[i] {
            Some(m) => {
                let rank = m.kind.rank();
                while stack.len() > 1 && nodes[stack[stack.len() - 1]].rank >= rank {
                    stack.pop();
                }
                let parent = stack[stack.len() - 1];
                let kind = match m.kind {
                    MarkerKind::Roman(_) => Kind::Roman,
                    MarkerKind::Num(_) => Kind::Num,
                    MarkerKind::Letter(_) => Kind::Letter,
                    MarkerKind::Bullet(_) => Kind::Bullet,
                };
                let mut node = Node::new(kind, rank, parent);
                if let MarkerKind::Num(p) = &m.kind {
                    node.nums = p.clone();
                }
                node.code = unique(&mut codes, child_code(&nodes, parent, &m.kind));
                node.title = m.rest.clone();
                node.heading_like = heading_like(&m.rest, line.heading_hint);
                let id = nodes.len();
                nodes.push(node);
                nodes[parent].children.push(id);
                stack.push(id);
            }
            None => place_paragraph(&mut nodes, &mut stack, &mut codes, line.text.clone(), next_rank[i + 1]),
        }
    }
    Body { preamble, nodes, closing }
}

fn unique(codes: &mut HashSet<String>, code: String) -> String {
    if codes.insert(code.clone()) {
        return code;
    }
    let mut n = 2;
    loop {
        let c = format!("{code}_{n}");
        if codes.insert(c.clone()) {
            return c;
        }
        n += 1;
    }
}

fn bullet_count(nodes: &[Node], parent: usize) -> usize {
    nodes[parent].children.iter().filter(|&&c| matches!(nodes[c].kind, Kind::Bullet | Kind::Implicit)).count()
}

fn child_code(nodes: &[Node], parent: usize, kind: &MarkerKind) -> String {
    let p = &nodes[parent];
    let prefix = if p.kind == Kind::Root { String::new() } else { format!("{}.", p.code) };
    let own = match kind {
        MarkerKind::Roman(n) => to_roman(*n),
        MarkerKind::Num(parts) => {
            let skip = if p.kind == Kind::Num && p.nums.len() < parts.len() && parts.starts_with(&p.nums) { p.nums.len() } else { 0 };
            parts[skip..].iter().map(|n| n.to_string()).collect::<Vec<_>>().join(".")
        }
        MarkerKind::Letter(c) => c.to_string(),
        MarkerKind::Bullet(_) => format!("-{}", bullet_count(nodes, parent) + 1),
    };
    format!("{prefix}{own}")
}

fn attach(nodes: &mut [Node], id: usize, text: String) {
    if nodes[id].children.is_empty() {
        nodes[id].paragraphs.push(text);
    } else {
        nodes[id].after.push(text);
    }
}

fn sibling_had_details(nodes: &[Node], id: usize) -> bool {
    let parent = nodes[id].parent;
    nodes[parent].children.iter().take_while(|&&c| c != id).any(|&c| !nodes[c].paragraphs.is_empty())
}

/// Where an unnumbered paragraph belongs; see the crate documentation for the rules.
fn place_paragraph(nodes: &mut Vec<Node>, stack: &mut Vec<usize>, codes: &mut HashSet<String>, text: String, next_rank: Option<u32>) {
    let top = stack[stack.len() - 1];
    match nodes[top].kind {
        Kind::Bullet | Kind::Implicit => {
            stack.pop();
            let parent = stack[stack.len() - 1];
            if is_intro(&text) || is_parenthetical(&text) {
                attach(nodes, parent, text);
                return;
            }
            let mut node = Node::new(Kind::Implicit, 9, parent);
            node.code = unique(codes, child_code(nodes, parent, &MarkerKind::Bullet('-')));
            node.title = text;
            let id = nodes.len();
            nodes.push(node);
            nodes[parent].children.push(id);
            stack.push(id);
        }
        Kind::Num | Kind::Letter => {
            let n = &nodes[top];
            let list_goes_on = next_rank.is_some_and(|r| r >= n.rank);
            if !n.children.is_empty() || n.heading_like || !n.paragraphs.is_empty() || list_goes_on || sibling_had_details(nodes, top) {
                attach(nodes, top, text);
            } else {
                stack.pop();
                let parent = stack[stack.len() - 1];
                attach(nodes, parent, text);
            }
        }
        Kind::Roman | Kind::Root => attach(nodes, top, text),
    }
}

/// The tree below the root as [`Section`]s.
pub(crate) fn sections(nodes: &[Node]) -> Vec<Section> {
    fn conv(nodes: &[Node], id: usize) -> Section {
        let n = &nodes[id];
        Section {
            code: n.code.clone(),
            title: n.title.clone(),
            paragraphs: n.paragraphs.clone(),
            children: n.children.iter().map(|&c| conv(nodes, c)).collect(),
            after: n.after.clone(),
        }
    }
    nodes.first().map_or_else(Vec::new, |root| root.children.iter().map(|&c| conv(nodes, c)).collect())
}

/// Titles of the ancestors of `id`, outermost first (root excluded).
pub(crate) fn ancestor_titles(nodes: &[Node], id: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = nodes[id].parent;
    while cur != 0 {
        out.push(nodes[cur].title.clone());
        cur = nodes[cur].parent;
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(t: &str) -> Option<MarkerKind> {
        parse_marker(t, false).map(|m| m.kind)
    }

    #[test]
    fn markers() {
        assert_eq!(kind("II. NHIỆM VỤ"), Some(MarkerKind::Roman(2)));
        assert_eq!(kind("IV - TỔ CHỨC"), Some(MarkerKind::Roman(4)));
        assert_eq!(kind("IV. TỔ CHỨC THỰC HIỆN"), Some(MarkerKind::Roman(4)));
        assert_eq!(kind("IX. KHÁC"), Some(MarkerKind::Roman(9)));
        assert_eq!(kind("IIII. X"), None);
        assert_eq!(kind("1.1. Tập trung"), Some(MarkerKind::Num(vec![1, 1])));
        assert_eq!(kind("3. Phòng Văn hóa: đẩy mạnh"), Some(MarkerKind::Num(vec![3])));
        assert_eq!(kind("a) Công khai"), Some(MarkerKind::Letter('a')));
        assert_eq!(kind("đ) Khác"), Some(MarkerKind::Letter('đ')));
        assert_eq!(kind("- Sở Nội vụ;"), Some(MarkerKind::Bullet('-')));
        assert_eq!(kind("1 Công chức"), None);
        assert_eq!(parse_marker("1 Công chức", true).map(|m| m.kind), Some(MarkerKind::Num(vec![1])));
        assert_eq!(kind("2021 là năm"), None);
        assert_eq!(kind("1.5 triệu đồng"), None);
        assert_eq!(kind("Ví dụ"), None);
        assert_eq!(kind("VIệt"), None);
        assert_eq!(kind("-5% so với"), None);
    }

    fn lines(texts: &[&str]) -> Vec<Line> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Line { text: t.to_string(), blank_before: true, source_line: i + 1, ..Line::default() })
            .collect()
    }

    #[test]
    fn tree_codes_and_details() {
        let b = build_body(&lines(&[
            "Mở đầu.",
            "I. MỤC ĐÍCH",
            "- Một",
            "II. NHIỆM VỤ",
            "1. Công khai",
            "a) Hộ nghèo",
            "Chi tiết hộ nghèo.",
            "b) Ngân sách",
            "- Thu chi",
            "Niêm yết công khai.",
            "1.1. Con",
            "Trên đây là Kế hoạch.",
        ]));
        assert_eq!(b.preamble, vec!["Mở đầu."]);
        let codes: Vec<&str> = b.nodes.iter().skip(1).map(|n| n.code.as_str()).collect();
        assert_eq!(codes, vec!["I", "I.-1", "II", "II.1", "II.1.a", "II.1.b", "II.1.b.-1", "II.1.b.-2", "II.1.1"]);
        assert_eq!(b.nodes[5].paragraphs, vec!["Chi tiết hộ nghèo."]);
        assert_eq!(b.closing, vec!["Trên đây là Kế hoạch."]);
    }
}
