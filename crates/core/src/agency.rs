//! Which of a unit's agencies a name in a document means.
//!
//! Plans name agencies loosely: "Phòng VH-TT" for "Phòng Văn hóa – Thông tin", "UBND" for
//! "Ủy ban nhân dân", "Phòng LĐ-TB&XH huyện" for "Phòng Lao động – Thương binh và Xã hội".
//! [`canonical`] reduces a name to a key that ignores case, diacritics, punctuation, "và"/"&",
//! the common abbreviations and a trailing level word ("huyện", "thị trấn"); [`resolve`] compares
//! that key with the unit's agencies and answers **exact** (one agency has the same key),
//! **close** (candidates to choose from, best first) or **none** — it never silently picks a
//! different body: two agencies of different kinds ("Phòng …" / "Trung tâm …") are at most close.

use crate::text::fold;

/// Abbreviations as written in plans, folded, with what they stand for (folded). Multi-part
/// abbreviations ("vh-tt", "ld-tb&xh") are split at '-', '&', '.' and '/' before lookup, so each
/// part is listed alone. Context-free only: "tt" is read as "thông tin" only after "vh".
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("ubnd", "uy ban nhan dan"),
    ("hdnd", "hoi dong nhan dan"),
    ("ubmttq", "uy ban mat tran to quoc"),
    ("ubmt", "uy ban mat tran"),
    ("mttq", "mat tran to quoc"),
    ("vn", "viet nam"),
    ("tnmt", "tai nguyen moi truong"),
    ("tc", "tai chinh"),
    ("kh", "ke hoach"),
    ("tckh", "tai chinh ke hoach"),
    ("ld", "lao dong"),
    ("tb", "thuong binh"),
    ("xh", "xa hoi"),
    ("ldtbxh", "lao dong thuong binh xa hoi"),
    ("vh", "van hoa"),
    ("vhtt", "van hoa thong tin"),
    ("gd", "giao duc"),
    ("gddt", "giao duc dao tao"),
    ("tn", "tai nguyen"),
    ("mt", "moi truong"),
    ("nv", "noi vu"),
    ("tp", "tu phap"),
    ("yt", "y te"),
    ("kt", "kinh te"),
    ("ht", "ha tang"),
    ("ktht", "kinh te ha tang"),
    ("nn", "nong nghiep"),
    ("ptnt", "phat trien nong thon"),
    ("qlđt", "quan ly do thi"),
    ("qldt", "quan ly do thi"),
    ("cchc", "cai cach hanh chinh"),
    ("tthc", "thu tuc hanh chinh"),
    ("ca", "cong an"),
    ("bhxh", "bao hiem xa hoi"),
    ("tt-tt", "thong tin truyen thong"),
    ("tttt", "thong tin truyen thong"),
    ("vp", "van phong"),
    ("hu", "huyen uy"),
    ("tu", "tinh uy"),
    ("cnttt", "cong nghe thong tin"),
    ("cntt", "cong nghe thong tin"),
    ("tdtt", "the duc the thao"),
    ("tt", "thong tin"),
    ("dt", "dao tao"),
];

/// Parts read differently after a given part: "vh-tt" → "văn hóa thông tin", "gd-đt" →
/// "giáo dục đào tạo"; elsewhere "tt" and "dt" are left as they are (trung tâm, thị trấn, …).
fn only_after(part: &str) -> Option<&'static [&'static str]> {
    match part {
        "tt" => Some(&["vh", "van hoa"]),
        "dt" => Some(&["gd", "giao duc"]),
        "tb" | "xh" => Some(&["ld", "lao dong", "tb", "thuong binh"]),
        "mt" => Some(&["tn", "tai nguyen"]),
        "kh" => Some(&["tc", "tai chinh"]),
        "tc" => Some(&["phong", "so"]),
        "ht" => Some(&["kt", "kinh te"]),
        "ptnt" => Some(&["nn", "nong nghiep"]),
        "ca" => Some(&[]),
        "hu" | "tu" => Some(&[]),
        _ => None,
    }
}

/// Level words a name may end with ("Phòng Nội vụ huyện", "Công chức Tư pháp thị trấn").
const LEVEL_SUFFIXES: &[&str] = &["huyen", "thi xa", "thanh pho", "quan", "tinh", "xa", "phuong", "thi tran", "tp"];

/// Connectives that do not distinguish names.
const FILLER: &[&str] = &["va", "&", "-", "–", "—"];

/// The comparison key of an agency name: folded, punctuation and "và" dropped, abbreviations
/// expanded, a trailing level word removed. "Phòng LĐ-TB&XH huyện" → "phong lao dong thuong binh xa hoi".
pub fn canonical(name: &str) -> String {
    let f = fold(name);
    // Split into word parts; '-', '&', '.', '/', ',', '(' … separate parts.
    let mut parts: Vec<String> = Vec::new();
    for word in f.split(|c: char| {
        c.is_whitespace() || matches!(c, '-' | '–' | '—' | '&' | '.' | '/' | ',' | ';' | ':' | '(' | ')' | '"' | '“' | '”' | '\'')
    }) {
        if word.is_empty() || FILLER.contains(&word) {
            continue;
        }
        parts.push(word.to_string());
    }
    let mut out: Vec<String> = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let expansion = ABBREVIATIONS.iter().find(|(a, _)| a == p).map(|(_, e)| *e);
        let allowed = match only_after(p) {
            None => true,
            Some([]) => {
                // "CA" / "HU" only as a whole name or right after the head word.
                parts.len() <= 2 && i == parts.len() - 1
            }
            Some(prev) => {
                let before = out.join(" ");
                i > 0 && prev.iter().any(|w| before.ends_with(w))
            }
        };
        match expansion {
            Some(e) if allowed => out.extend(e.split(' ').map(str::to_string)),
            _ => out.push(p.clone()),
        }
    }
    let mut key = out.join(" ");
    // Trailing level word ("… huyện"), but never the whole name nor of a group ("… các xã, thị trấn").
    let group = key.split(' ').any(|w| w == "cac");
    for s in LEVEL_SUFFIXES.iter().filter(|_| !group) {
        if let Some(rest) = key.strip_suffix(&format!(" {s}"))
            && rest.contains(' ')
        {
            key = rest.to_string();
            break;
        }
    }
    key
}

/// The kind word a name starts with ("phong", "van phong", "trung tam", "uy ban nhan dan", …):
/// names of different kinds never match exactly.
fn head(key: &str) -> &str {
    const HEADS: &[&str] = &[
        "van phong",
        "trung tam",
        "uy ban nhan dan",
        "uy ban mat tran",
        "hoi dong nhan dan",
        "cong chuc",
        "cong an",
        "thanh tra",
        "phong",
        "ban",
        "so",
        "chi cuc",
        "doi",
        "tram",
        "toa an",
        "vien kiem sat",
    ];
    HEADS.iter().find(|h| key == **h || key.starts_with(&format!("{h} "))).copied().unwrap_or("")
}

/// How a name resolves among a unit's agencies (indices into the list given to [`resolve`]).
#[derive(Debug, Clone, PartialEq)]
pub enum AgencyMatch {
    /// Exactly one agency reads the same.
    Exact(usize),
    /// No agency reads the same; these are similar (best first) — a person must choose.
    Close(Vec<usize>),
    /// Nothing similar: propose creating the agency.
    None,
}

fn words(key: &str) -> Vec<&str> {
    key.split(' ').filter(|w| !w.is_empty()).collect()
}

/// Share of the words of the shorter key that the longer one also has, penalised when the
/// kinds differ. 1.0 means one name is the other with words added.
fn similarity(a: &str, b: &str) -> f64 {
    let wa = words(a);
    let wb = words(b);
    if wa.is_empty() || wb.is_empty() {
        return 0.0;
    }
    let common = wa.iter().filter(|w| wb.contains(w)).count() as f64;
    let jaccard = common / (wa.len() + wb.len()) as f64 * 2.0;
    if head(a) != head(b) { jaccard * 0.6 } else { jaccard }
}

/// Resolve `name` among `agencies` (names as stored for the unit).
pub fn resolve<S: AsRef<str>>(name: &str, agencies: &[S]) -> AgencyMatch {
    let key = canonical(name);
    if key.is_empty() {
        return AgencyMatch::None;
    }
    let keys: Vec<String> = agencies.iter().map(|a| canonical(a.as_ref())).collect();
    let exact: Vec<usize> = keys.iter().enumerate().filter(|(_, k)| **k == key).map(|(i, _)| i).collect();
    if exact.len() == 1 {
        return AgencyMatch::Exact(exact[0]);
    }
    if exact.len() > 1 {
        return AgencyMatch::Close(exact);
    }
    let mut scored: Vec<(f64, usize)> = keys.iter().enumerate().map(|(i, k)| (similarity(&key, k), i)).filter(|(s, _)| *s >= 0.5).collect();
    scored.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    if scored.is_empty() { AgencyMatch::None } else { AgencyMatch::Close(scored.into_iter().take(5).map(|(_, i)| i).collect()) }
}

/// Names that stand for a group of bodies rather than one agency ("UBND các xã, thị trấn",
/// "các cơ quan, đơn vị", "Trưởng các phòng, ban, ngành"): they are kept as written.
pub fn is_group(name: &str) -> bool {
    let k = fold(name);
    k.split(' ').any(|w| w == "cac") || k.contains("cac co quan") || k.contains("toan the")
}

/// The form value of an agency in a pick list: `a` and its record id (`a12`). Any other non-empty value a
/// form posts for an agency is a name.
pub fn pick_value(agency_id: i64) -> String {
    format!("a{agency_id}")
}

/// The agency id of a pick list value (`a12` → 12), if it is one.
pub fn pick_id(value: &str) -> Option<i64> {
    let digits = value.strip_prefix('a')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// What one value chosen in an agency pick list stands for, as the name to store — the one rule of which
/// agencies a task may name: an agency of the plan's unit (`agencies`: id and name), chosen by its record
/// ([`pick_value`]) or by its name written any way that folds to it; or a name the task already carries
/// (`kept`: a group or a body "as written" in the document, which stays until a person changes it). An
/// empty value is no agency. Anything else — an id of another unit's agency, a name no list has — is
/// refused, with the reason in Vietnamese naming what was chosen and whose list it is not in.
pub fn resolve_pick(value: &str, agencies: &[(i64, &str)], kept: &[&str], unit_name: &str) -> Result<Option<String>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if let Some(id) = pick_id(value) {
        return match agencies.iter().find(|(a, _)| *a == id) {
            Some((_, name)) => Ok(Some((*name).to_string())),
            None => Err(format!("cơ quan đã chọn không có trong danh sách cơ quan của {unit_name}; hãy chọn lại trong danh sách")),
        };
    }
    let key = fold(value);
    if let Some((_, name)) = agencies.iter().find(|(_, n)| fold(n) == key) {
        return Ok(Some((*name).to_string()));
    }
    if let Some(k) = kept.iter().find(|k| fold(k) == key) {
        return Ok(Some(k.trim().to_string()));
    }
    let shown: String = value.chars().take(80).collect();
    Err(format!("«{shown}» không có trong danh sách cơ quan của {unit_name}; hãy chọn trong danh sách"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pick_is_an_agency_of_the_unit_or_a_name_the_task_already_has() {
        let agencies = [(3, "Phòng Nội vụ"), (4, "Phòng Tư pháp")];
        let kept = ["UBND các xã, thị trấn"];
        let pick = |v: &str| resolve_pick(v, &agencies, &kept, "Huyện Mộc Châu");
        assert_eq!(pick(""), Ok(None));
        assert_eq!(pick(&pick_value(4)), Ok(Some("Phòng Tư pháp".into())));
        assert_eq!(pick("phong noi vu"), Ok(Some("Phòng Nội vụ".into())), "a name written any way that folds to the agency's");
        assert_eq!(pick("UBND các xã, thị trấn"), Ok(Some("UBND các xã, thị trấn".into())), "a group the task carries stays");
        let e = pick("a99").expect_err("another unit's agency");
        assert!(e.contains("không có trong danh sách cơ quan của Huyện Mộc Châu") && !e.contains("a99"), "{e}");
        let e = pick("Sở Bịa Đặt").expect_err("a name no list has");
        assert!(e.contains("«Sở Bịa Đặt»"), "{e}");
        assert_eq!(pick_id("a12"), Some(12));
        assert_eq!(pick_id("a"), None);
        assert_eq!(pick_id("a1b"), None);
        assert_eq!(pick_id("12"), None);
    }

    const UNIT: &[&str] = &[
        "Văn phòng HĐND và UBND",
        "Phòng Nội vụ",
        "Phòng Văn hóa – Thông tin",
        "Phòng Lao động – Thương binh và Xã hội",
        "Phòng Giáo dục và Đào tạo",
        "Phòng Tài nguyên và Môi trường",
        "Phòng Tài chính – Kế hoạch",
        "Trung tâm Văn hóa – Thông tin và Thể thao",
        "Ủy ban Mặt trận Tổ quốc Việt Nam",
        "Công an huyện",
    ];

    fn exact(name: &str) -> Option<&'static str> {
        match resolve(name, UNIT) {
            AgencyMatch::Exact(i) => Some(UNIT[i]),
            _ => None,
        }
    }

    #[test]
    fn abbreviations_and_diacritics_read_the_same() {
        assert_eq!(exact("Phòng VH-TT"), Some("Phòng Văn hóa – Thông tin"));
        assert_eq!(exact("Phòng Văn hóa và Thông tin huyện"), Some("Phòng Văn hóa – Thông tin"));
        assert_eq!(exact("phong van hoa - thong tin"), Some("Phòng Văn hóa – Thông tin"));
        assert_eq!(exact("Phòng LĐ-TB&XH"), Some("Phòng Lao động – Thương binh và Xã hội"));
        assert_eq!(exact("Phòng Lao động - TB&XH huyện"), Some("Phòng Lao động – Thương binh và Xã hội"));
        assert_eq!(exact("Phòng GD&ĐT"), Some("Phòng Giáo dục và Đào tạo"));
        assert_eq!(exact("Phòng TN&MT"), Some("Phòng Tài nguyên và Môi trường"));
        assert_eq!(exact("Phòng TC-KH"), Some("Phòng Tài chính – Kế hoạch"));
        assert_eq!(exact("Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện"), Some("Văn phòng HĐND và UBND"));
        assert_eq!(exact("Văn phòng HĐND - UBND huyện"), Some("Văn phòng HĐND và UBND"));
        assert_eq!(exact("Ủy ban MTTQ Việt Nam huyện"), Some("Ủy ban Mặt trận Tổ quốc Việt Nam"));
        assert_eq!(exact("UBMTTQ VN huyện"), Some("Ủy ban Mặt trận Tổ quốc Việt Nam"));
        assert_eq!(exact("Công an huyện"), Some("Công an huyện"));
        assert_eq!(canonical("UBND các xã, thị trấn"), "uy ban nhan dan cac xa thi tran");
    }

    #[test]
    fn a_different_body_is_never_exact() {
        // Same words, different kind: a centre is not the office.
        match resolve("Trung tâm Văn hóa – Thông tin", UNIT) {
            AgencyMatch::Close(c) => assert_eq!(UNIT[c[0]], "Trung tâm Văn hóa – Thông tin và Thể thao"),
            other => panic!("{other:?}"),
        }
        assert_eq!(exact("Phòng Văn hóa, Thông tin và Thể thao"), None);
        assert_eq!(exact("Phòng Y tế"), None);
        assert!(matches!(resolve("Phòng Y tế", UNIT), AgencyMatch::None | AgencyMatch::Close(_)));
        assert_eq!(resolve("Tòa án nhân dân huyện", UNIT), AgencyMatch::None);
        assert_eq!(resolve("", UNIT), AgencyMatch::None);
        // "TT" alone is not "thông tin": "Trung tâm" stays a centre.
        assert_eq!(canonical("TT Y tế huyện"), "tt y te");
    }

    #[test]
    fn close_candidates_are_offered_best_first() {
        match resolve("Phòng Nội vụ - Lao động", UNIT) {
            AgencyMatch::Close(c) => assert_eq!(UNIT[c[0]], "Phòng Nội vụ"),
            other => panic!("{other:?}"),
        }
        // Two agencies with the same key: a person chooses.
        let twice = ["Phòng Nội vụ", "Phòng Nội Vụ huyện"];
        assert_eq!(resolve("phòng nội vụ", &twice), AgencyMatch::Close(vec![0, 1]));
    }

    #[test]
    fn groups_are_recognised() {
        assert!(is_group("UBND các xã, thị trấn"));
        assert!(is_group("Các cơ quan, đơn vị"));
        assert!(!is_group("Phòng Nội vụ"));
    }
}
