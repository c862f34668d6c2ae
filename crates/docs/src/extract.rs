//! Facts read from the body: documents the plan is based on, deadlines, assignments of
//! agencies, index families, recurrence of tasks.

use crate::model::{Assignment, BasedOn, Deadline};
use crate::outline::{Kind, Node, is_intro};
use crate::textutil::{DateMatch, doc_number_at, find_dates, key, make_date, starts_lowercase};
use time::Date;

/// Kinds of documents a plan cites, in the case they are written in running text.
const CITED_KINDS: &[&str] = &[
    "Kế hoạch",
    "Quyết định",
    "Chỉ thị",
    "Nghị quyết",
    "Công văn",
    "Văn bản",
    "Thông tư",
    "Nghị định",
    "Hướng dẫn",
    "Thông báo",
    "Chương trình",
    "Đề án",
    "Kết luận",
    "Pháp lệnh",
    "Luật",
];

/// Words that end an issuer name after "của …".
const ISSUER_STOPS: &[&str] = &[
    " về ",
    " v/v",
    " ban hành",
    " quy định",
    " hướng dẫn",
    " triển khai",
    " thực hiện",
    " nâng cao",
    " phê duyệt",
    " và ",
    " tại ",
    " trong ",
    " nhằm ",
    " để ",
    ",",
    ";",
    ".",
    "(",
    ":",
];

#[derive(Debug, Clone)]
struct Citation {
    start: usize,
    kind: String,
    number: String,
    after_number: usize,
}

fn citations(text: &str) -> Vec<Citation> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    for kind in CITED_KINDS {
        let kl = kind.to_lowercase();
        let mut from = 0;
        while let Some(p) = lower[from..].find(&kl) {
            let start = from + p;
            from = start + kl.len();
            // Lower-casing can change byte lengths only for characters we do not expect in
            // these names; guard the index anyway.
            if !text.is_char_boundary(start) || !text.is_char_boundary(from.min(text.len())) {
                continue;
            }
            let mut rest = text[from.min(text.len())..].trim_start();
            for prefix in ["số:", "số", "Số:", "Số"] {
                if let Some(r) = rest.strip_prefix(prefix) {
                    rest = r.trim_start();
                    break;
                }
            }
            if let Some((number, len)) = doc_number_at(rest) {
                let offset = text.len() - rest.len();
                out.push(Citation { start, kind: kind.to_string(), number, after_number: offset + len });
            }
        }
    }
    out.sort_by_key(|c| c.start);
    out.dedup_by_key(|c| c.start);
    out.truncate(50);
    out
}

fn issuer_after(text: &str) -> Option<String> {
    let i = text.find("của ")?;
    if i > 80 {
        return None;
    }
    let rest = &text[i + "của ".len()..];
    let mut end = rest.len();
    for stop in ISSUER_STOPS {
        if let Some(p) = rest.find(stop) {
            end = end.min(p);
        }
    }
    let issuer = rest[..end].trim();
    (!issuer.is_empty() && issuer.chars().count() <= 80).then(|| issuer.to_string())
}

/// The documents named in the preamble's "Căn cứ …" / "Thực hiện …" sentences; an incomplete
/// issuer ("UBND tỉnh") is completed from another mention of the same number in `all_text`
/// ("UBND tỉnh Sơn La").
pub(crate) fn based_on(preamble: &[String], all_text: &[String]) -> Vec<BasedOn> {
    let mut out: Vec<BasedOn> = Vec::new();
    for para in preamble {
        let k = key(para);
        let opens =
            ["can cu", "thuc hien", "trien khai", "tren co so", "theo chi dao", "thuc hien chi dao"].iter().any(|p| k.starts_with(p));
        // "Theo Quyết định số …" cites the decision the plan follows.
        let theo = k.starts_with("theo ") && CITED_KINDS.iter().any(|c| k[5..].starts_with(&key(c)));
        if !opens && !theo {
            continue;
        }
        let cites = citations(para);
        for (idx, c) in cites.iter().enumerate() {
            if out.iter().any(|b| b.number.as_deref() == Some(c.number.as_str())) {
                continue;
            }
            let end = cites.get(idx + 1).map_or(para.len(), |n| n.start);
            let mut seg = &para[c.start..end];
            // A citation ends at the end of its sentence or clause.
            for stop in [". ", "; "] {
                if let Some(p) = seg.find(stop) {
                    seg = &seg[..p];
                }
            }
            let mut text = seg.trim().trim_end_matches(['.', ';', ',', ' ']).to_string();
            for tail in [" và Thực hiện", " và thực hiện", " và Căn cứ", " và căn cứ", " và"] {
                if let Some(t) = text.strip_suffix(tail) {
                    text = t.trim_end_matches([',', ' ']).to_string();
                }
            }
            let after = &para[c.after_number.min(para.len())..end.max(c.after_number.min(para.len()))];
            let date = find_dates(after).into_iter().find(|d| d.start < 40).and_then(|d| d.date());
            let issuer = issuer_after(after);
            out.push(BasedOn { kind: Some(c.kind.clone()), number: Some(c.number.clone()), date, issuer, text });
        }
    }
    // Complete issuers and dates from other mentions of the same document.
    for b in &mut out {
        let Some(num) = b.number.clone() else { continue };
        for para in all_text {
            let mut from = 0;
            while let Some(p) = para[from..].find(&num) {
                let at = from + p + num.len();
                from = at;
                let after = &para[at..];
                if let Some(longer) = issuer_after(after)
                    && let Some(cur) = &b.issuer
                    && longer.len() > cur.len()
                    && longer.starts_with(cur.as_str())
                {
                    b.issuer = Some(longer);
                }
                if b.issuer.is_none() {
                    b.issuer = issuer_after(after);
                }
                if b.date.is_none() {
                    b.date = find_dates(after).into_iter().find(|d| d.start < 40).and_then(|d| d.date());
                }
            }
        }
    }
    out
}

/// Phrases that make the date after them a deadline, as folded keys.
const DEADLINE_CUES: &[&str] = &[
    "cham nhat la ngay",
    "cham nhat la",
    "cham nhat ngay",
    "cham nhat vao ngay",
    "cham nhat",
    "truoc ngay",
    "truoc",
    "han chot",
    "han cuoi",
    "khong muon hon ngay",
    "khong muon hon",
    "khong qua ngay",
    "han hoan thanh",
    "thoi han",
];

/// Whether the text right before `d` announces a deadline.
fn deadline_cue(text: &str, d: &DateMatch) -> bool {
    let start = d.start;
    let mut from = start.saturating_sub(40);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = key(&text[from..start]);
    DEADLINE_CUES.iter().any(|c| before.ends_with(c) || before.ends_with(&format!("{c} la")))
}

/// The clause around a byte position: split at ';' and sentence ends; a clause that starts
/// in lower case gets the lead-in of its sentence ("Báo cáo gửi về Sở Nội vụ:").
fn clause_around(text: &str, pos: usize) -> String {
    // Look at most 1,500 bytes either side: clauses are short, paragraphs may not be.
    let mut lo = pos.saturating_sub(1500);
    while !text.is_char_boundary(lo) {
        lo += 1;
    }
    let mut hi = (pos + 1500).min(text.len());
    while !text.is_char_boundary(hi) {
        hi -= 1;
    }
    let text = &text[lo..hi];
    let pos = pos - lo;
    let mut start = 0;
    let mut end = text.len();
    for (i, c) in text.char_indices() {
        let boundary = c == ';' || (c == '.' && text[i + 1..].starts_with(' '));
        if boundary {
            if i < pos {
                start = i + 1;
            } else {
                end = i;
                break;
            }
        }
    }
    let clause = text[start..end].trim().trim_end_matches(['.', ';', ' ']);
    if starts_lowercase(clause) {
        let sentence_start = text[..start].rfind(". ").map_or(0, |p| p + 2);
        if let Some(colon) = text[sentence_start..start].find(':') {
            let lead = text[sentence_start..sentence_start + colon + 1].trim();
            return format!("{lead} {clause}");
        }
    }
    clause.to_string()
}

fn prefix(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Dates examined per paragraph (bounds the work on hostile input).
const MAX_DATES_PER_PARAGRAPH: usize = 200;

/// Deadlines in a paragraph. A day and month without a year takes `year` and is marked.
pub(crate) fn deadlines_in(text: &str, year: Option<i32>) -> Vec<Deadline> {
    let mut out = Vec::new();
    for d in find_dates(text).into_iter().take(MAX_DATES_PER_PARAGRAPH) {
        if !deadline_cue(text, &d) {
            continue;
        }
        let (date, inferred) = match (d.date(), d.day, d.month, d.year, year) {
            (Some(date), ..) => (Some(date), false),
            (None, Some(day), Some(month), None, Some(y)) => (make_date(y, month, day), true),
            _ => (None, false),
        };
        if date.is_none() {
            continue;
        }
        let clause = clause_around(text, d.start);
        let k = key(&clause);
        let kind = if (k.contains("ban hanh") || k.contains("xay dung")) && k.contains("ke hoach") {
            Some("plan".to_string())
        } else if k.contains("bao cao") || key(prefix(text, 600)).contains("bao cao") {
            Some("report".to_string())
        } else {
            None
        };
        out.push(Deadline { date, text: clause, year_inferred: inferred, kind });
    }
    out
}

/// First deadline of a task's text (its due date).
pub(crate) fn first_deadline(texts: &[&str], year: Option<i32>) -> Option<(Date, String)> {
    texts.iter().find_map(|t| {
        find_dates(t).into_iter().find(|d| deadline_cue(t, d)).and_then(|d| {
            let date = d.date().or_else(|| make_date(year?, d.month?, d.day?))?;
            Some((date, t[d.start..d.end].to_string()))
        })
    })
}

/// "theo quý" written as part of "theo quy định / quy chế / quy trình / quy hoạch": not a quarter.
fn quy_dinh(k: &str) -> bool {
    let mut rest = k;
    while let Some(p) = rest.find("theo quy") {
        let after = &rest[p + "theo quy".len()..];
        if !["dinh", "che", "trinh", "hoach", "mo", "chuan", "uoc", "pham"].iter().any(|w| after.starts_with(&format!(" {w}"))) {
            return false;
        }
        rest = after;
    }
    true
}

/// Recurrence named in a task: "thường xuyên", quarterly, six-monthly, yearly, monthly.
pub(crate) fn recurrence(text: &str) -> Option<String> {
    let k = key(text);
    let has = |p: &str| crate::textutil::contains_phrase(&k, p);
    let r = if has("thuong xuyen") {
        "thuong_xuyen"
    } else if has("hang quy") || has("moi quy") || has("tung quy") || has("dinh ky quy") || has("theo quy") && !quy_dinh(&k) {
        "quarterly"
    } else if has("6 thang") || has("06 thang") || has("sau thang") {
        "half_yearly"
    } else if has("hang nam") || has("hang nam") || has("moi nam") {
        "yearly"
    } else if has("hang thang") || has("moi thang") {
        "monthly"
    } else {
        return None;
    };
    Some(r.to_string())
}

/// What a time column or a duty says about when: a date (a full date, the end of the quarter /
/// month / year it names), a recurrence, and a note when the text is neither.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct When {
    pub date: Option<Date>,
    pub recurrence: Option<String>,
    pub note: Option<String>,
}

fn last_day(year: i32, month: u8) -> Option<Date> {
    let m = time::Month::try_from(month).ok()?;
    Date::from_calendar_date(year, m, m.length(year)).ok()
}

fn year_in(toks: &[crate::textutil::Tok<'_>], from: usize) -> Option<i32> {
    toks.iter()
        .skip(from)
        .take(4)
        .find_map(|t| (t.text.len() == 4).then(|| t.text.parse::<i32>().ok()).flatten().filter(|y| (1990..=2100).contains(y)))
}

/// Read a time as written in an appendix table ("Thường xuyên", "Hằng năm", "Quý IV/2025",
/// "Trước ngày 30/11/2025", "Tháng 6/2025", "2025"). `year` completes "30/11" or "Quý II".
pub(crate) fn due_of(text: &str, year: Option<i32>) -> When {
    let t = text.trim();
    let mut w = When { recurrence: recurrence(t), ..When::default() };
    if t.is_empty() {
        return w;
    }
    // A full or day/month date.
    if let Some(d) = find_dates(t).into_iter().find(|d| d.day.is_some() && d.month.is_some()) {
        w.date = d.date().or_else(|| make_date(d.year.or(year)?, d.month?, d.day?));
        if w.date.is_some() {
            return w;
        }
    }
    let toks = crate::textutil::tokens(t);
    let lower: Vec<String> = toks.iter().map(|x| x.text.to_lowercase()).collect();
    // "Quý IV/2025", "quý 4 năm 2025", "Quý II".
    if let Some(i) = lower.iter().position(|x| x == "quý") {
        let q = toks.get(i + 1).and_then(|x| crate::outline::roman_value(x.text).or_else(|| x.text.parse::<u32>().ok()));
        if let Some(q) = q.filter(|q| (1..=4).contains(q))
            && let Some(y) = year_in(&toks, i + 2).or(year)
        {
            w.date = last_day(y, (q * 3) as u8);
            return w;
        }
    }
    // "Tháng 6/2025", "tháng 6 năm 2025", "tháng 12".
    if let Some(i) = lower.iter().position(|x| x == "tháng")
        && let Some(m) = toks.get(i + 1).and_then(|x| x.text.parse::<u8>().ok()).filter(|m| (1..=12).contains(m))
        && !lower.get(i.wrapping_sub(1)).is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
        && let Some(y) = year_in(&toks, i + 2).or(year)
    {
        w.date = last_day(y, m);
        return w;
    }
    // "6 tháng đầu năm 2025".
    let k = key(t);
    if (k.contains("6 thang dau nam") || k.contains("06 thang dau nam"))
        && let Some(y) = year_in(&toks, 0).or(year)
    {
        w.date = last_day(y, 6);
        return w;
    }
    // "Năm 2025", "2025", "Trong năm 2025", "Cuối năm 2025".
    let years: Vec<i32> = toks
        .iter()
        .filter(|x| x.text.len() == 4)
        .filter_map(|x| x.text.parse::<i32>().ok())
        .filter(|y| (1990..=2100).contains(y))
        .collect();
    let words = toks.iter().filter(|x| x.text.chars().any(char::is_alphanumeric)).count();
    if years.len() == 1 && words <= 4 && w.recurrence.is_none() {
        w.date = last_day(years[0], 12);
        return w;
    }
    // "2024-2026", "2022 - 2030": to be done by the end of the last year.
    if years.len() == 2 && words <= 4 && years[0] < years[1] && w.recurrence.is_none() {
        w.date = last_day(years[1], 12);
        return w;
    }
    if w.recurrence.is_none() && w.date.is_none() {
        w.note = Some(format!("Thời gian \"{t}\" không đọc được thành ngày hay định kỳ."));
    }
    w
}

/// Index families a text is about, strongest first. The title decides; when it names none,
/// the families the body names most often.
pub(crate) fn index_families(title: &str, body: &[String]) -> Vec<String> {
    const FAMILIES: &[(&str, &[&str])] = &[
        ("PAPI", &["papi", "hieu qua quan tri va hanh chinh cong", "chi so quan tri cong"]),
        ("PAR_INDEX", &["par index", "parindex", "chi so cai cach hanh chinh", "chi so cchc", "chi so cai cach hanh chinh cchc"]),
        ("SIPAS", &["sipas", "chi so hai long", "su hai long cua nguoi dan"]),
        ("PCI", &["pci", "nang luc canh tranh"]),
    ];
    let tk = key(title);
    let mut out: Vec<String> = FAMILIES
        .iter()
        .filter(|(_, pats)| pats.iter().any(|p| crate::textutil::contains_phrase(&tk, p)))
        .map(|(f, _)| f.to_string())
        .collect();
    if !out.is_empty() {
        return out;
    }
    let bk = key(&body.join(" "));
    let words = crate::textutil::Words::new(&bk);
    let counts: Vec<(usize, &str)> = FAMILIES.iter().map(|(f, pats)| (pats.iter().map(|p| words.count(p, 100_000)).sum(), *f)).collect();
    let max = counts.iter().map(|c| c.0).max().unwrap_or(0);
    if max == 0 {
        return out;
    }
    let mut sorted = counts;
    sorted.sort_by_key(|c| std::cmp::Reverse(c.0));
    for (c, f) in sorted {
        if c >= 2.max(max / 2) || c == max {
            out.push(f.to_string());
        }
    }
    out
}

/// First words of the names of bodies that receive assignments (folded keys).
const AGENCY_HEADS: &[&str] = &[
    "phong",
    "van phong",
    "so",
    "ban",
    "uy ban",
    "ubnd",
    "ubmttq",
    "hdnd",
    "trung tam",
    "cong an",
    "thanh tra",
    "toa an",
    "vien kiem sat",
    "cong chuc",
    "can bo",
    "truong",
    "chu tich",
    "pho chu tich",
    "cac",
    "doan",
    "hoi",
    "mat tran",
    "bao hiem",
    "chi cuc",
    "kho bac",
    "chi nhanh",
    "bo phan",
    "thu truong",
    "nguoi dung dau",
    "dang uy",
    "huyen uy",
    "thi uy",
    "tinh uy",
    "thanh uy",
    "dai",
    "co quan",
    "don vi",
    "to",
    "benh vien",
    "ban chi huy",
    "lien doan",
    "huyen doan",
    "tinh doan",
    "thanh doan",
    "buu dien",
    "dien luc",
    "ngan hang",
    "hat kiem lam",
    "vien",
    "cuc",
    "bo",
    "tram",
    "chi bo",
    "thuong truc",
    "lanh dao",
    "giam doc",
    "doi",
    "xi nghiep",
    "cong ty",
    "quy",
];

/// Verbs that start the duty after an agency name ("Tòa án nhân dân huyện tiếp tục …").
const DUTY_VERBS: &[&str] = &[
    " có trách nhiệm",
    " chịu trách nhiệm",
    " chủ trì",
    " phối hợp",
    " tiếp tục",
    " tăng cường",
    " đẩy mạnh",
    " thực hiện",
    " triển khai",
    " tham mưu",
    " theo dõi",
    " xây dựng",
    " nghiên cứu",
    " hướng dẫn",
    " kiểm tra",
    " căn cứ",
    " chỉ đạo",
    " tổ chức",
];

pub(crate) fn agency_like(name: &str) -> bool {
    let k = key(name);
    AGENCY_HEADS.iter().any(|h| k == *h || k.starts_with(&format!("{h} ")))
}

/// Split an assignment heading into (agency, inline duty).
pub(crate) fn split_agency(title: &str) -> Option<(String, Option<String>)> {
    let mut t = title.trim();
    for p in ["Giao cho ", "Giao ", "Đề nghị ", "Yêu cầu ", "Đối với "] {
        if let Some(r) = t.strip_prefix(p) {
            t = r.trim_start();
            break;
        }
    }
    let (agency, duty) = if let Some((a, d)) = t.split_once(':') {
        (a.trim().to_string(), d.trim().to_string())
    } else {
        let mut cut = t.len();
        for v in DUTY_VERBS {
            // "các tổ chức chính trị - xã hội" names bodies; "tổ chức" after "các"/"những" is no verb.
            let mut from = 0;
            while let Some(q) = t[from..].find(v) {
                let p = from + q;
                let before = t[..p].trim_end();
                if !(before.ends_with("các") || before.ends_with("Các") || before.ends_with("những")) {
                    cut = cut.min(p);
                    break;
                }
                from = p + v.len();
            }
        }
        // "Công chức Địa chính – xây dựng thị trấn" is a name; a duty is a longer phrase.
        if t[cut..].split_whitespace().count() < 6
            && !t[cut..].trim_start().starts_with("có trách nhiệm")
            && !t[cut..].trim_start().starts_with("chịu trách nhiệm")
        {
            cut = t.len();
        }
        let duty = t[cut..].trim();
        let duty = ["có trách nhiệm", "chịu trách nhiệm"]
            .iter()
            .find_map(|p| duty.strip_prefix(p))
            .unwrap_or(duty)
            .trim()
            .trim_start_matches(':')
            .trim();
        (t[..cut].trim().to_string(), duty.to_string())
    };
    let agency = crate::textutil::capitalize_first(agency.trim_end_matches(['.', ',', ';', ' ']));
    if agency.is_empty() || agency.chars().count() > 150 || !agency_like(&agency) {
        return None;
    }
    let duty = duty.trim_end_matches(' ').to_string();
    Some((agency, (!duty.is_empty()).then_some(duty)))
}

/// Nodes whose title names the implementation section ("TỔ CHỨC THỰC HIỆN").
pub(crate) fn is_implementation_heading(title: &str) -> bool {
    let k = key(title);
    k.len() <= 50
        && ["to chuc thuc hien", "trach nhiem thuc hien", "phan cong thuc hien", "phan cong nhiem vu", "trach nhiem cua cac"]
            .iter()
            .any(|p| k.contains(p))
}

fn collect_texts(nodes: &[Node], id: usize, out: &mut Vec<String>) {
    let n = &nodes[id];
    for p in &n.paragraphs {
        if !is_intro(p) {
            out.push(p.clone());
        }
    }
    for &c in &n.children {
        if !is_intro(&nodes[c].title) {
            out.push(nodes[c].title.clone());
        }
        collect_texts(nodes, c, out);
    }
    for p in &n.after {
        if !is_intro(p) {
            out.push(p.clone());
        }
    }
}

/// Assignments: the items of every implementation section that name an agency.
pub(crate) fn assignments(nodes: &[Node]) -> Vec<Assignment> {
    let mut out = Vec::new();
    for (id, n) in nodes.iter().enumerate() {
        if n.kind == Kind::Root || !is_implementation_heading(&n.title) {
            continue;
        }
        for &c in &n.children {
            let child = &nodes[c];
            if !child.is_item() {
                continue;
            }
            let Some((agency, inline)) = split_agency(&child.title) else { continue };
            let mut duties = Vec::new();
            if let Some(d) = inline {
                duties.push(d);
            }
            collect_texts(nodes, c, &mut duties);
            out.push(Assignment { agency, duties, code: child.code.clone() });
        }
        let _ = id;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn based_on_both_date_forms_and_issuer_completion() {
        let pre = vec!["Thực hiện Kế hoạch số 48/KH-UBND ngày 10 tháng 02 năm 2022 của UBND tỉnh về nâng cao chỉ số.".to_string()];
        let all = vec!["theo Kế hoạch số 48/KH-UBND ngày 10/02/2022 của UBND tỉnh Sơn La về nâng cao".to_string()];
        let b = based_on(&pre, &all);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].number.as_deref(), Some("48/KH-UBND"));
        assert_eq!(b[0].date, make_date(2022, 2, 10));
        assert_eq!(b[0].issuer.as_deref(), Some("UBND tỉnh Sơn La"));
    }

    #[test]
    fn deadlines_resolve_year() {
        let d = deadlines_in("Báo cáo gửi về Sở Nội vụ: 6 tháng đầu năm trước ngày 05/6; cả năm trước 05/12/2022.", Some(2022));
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].date, make_date(2022, 6, 5));
        assert!(d[0].year_inferred);
        assert_eq!(d[1].text, "Báo cáo gửi về Sở Nội vụ: cả năm trước 05/12/2022");
        assert_eq!(d[1].kind.as_deref(), Some("report"));
        let d = deadlines_in("Thời điểm ban hành Kế hoạch chậm nhất là ngày 20/02/2022.", None);
        assert_eq!(d[0].kind.as_deref(), Some("plan"));
        assert!(deadlines_in("Thời gian chốt số liệu tính từ ngày 01/12/2021 đến ngày 31/5/2022.", Some(2022)).is_empty());
    }

    #[test]
    fn agencies() {
        assert_eq!(split_agency("Phòng Nội vụ có trách nhiệm"), Some(("Phòng Nội vụ".into(), None)));
        assert_eq!(
            split_agency("Phòng Văn hóa và Thông tin: đẩy mạnh công tác"),
            Some(("Phòng Văn hóa và Thông tin".into(), Some("đẩy mạnh công tác".into())))
        );
        assert_eq!(split_agency("Đề nghị Tòa án nhân huyện tiếp tục đẩy mạnh cải cách").map(|x| x.0), Some("Tòa án nhân huyện".into()));
        assert_eq!(split_agency("Chế độ báo cáo"), None);
    }
}
