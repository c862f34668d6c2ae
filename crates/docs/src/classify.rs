//! Which framework nodes a task serves, by keyword rules over folded Vietnamese text.
//!
//! Node codes: PAPI dimensions `papi.d1` … `papi.d8` and sub-dimensions `papi.d1.1` …
//! (numbered as in the PAPI reports since 2018); PAR INDEX areas `par.a1` … `par.a8`
//! (the eight areas of the district-level PAR index: 1 direction and management, 2 legal
//! documents, 3 administrative procedures and one-stop shops, 4 organisation of the
//! apparatus, 5 civil service, 6 public finance, 7 e-government and digital government,
//! 8 impact on socio-economic development).
//!
//! Evidence: each rule is a folded phrase with a weight. Phrases found in the task's own
//! text count fully; phrases in the headings above it count half; a heading that names a
//! dimension (e.g. 'Nội dung "Tham gia của người dân ở cấp cơ sở"') adds strong evidence.
//! The rules are general governance vocabulary, kept in the tables below.

use crate::textutil::{Words, key};

/// Index families a classification may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Papi,
    ParIndex,
}

impl Family {
    /// "PAPI" / "PAR_INDEX" as used in [`crate::ParsedPlan::index_families`].
    pub fn from_name(name: &str) -> Option<Family> {
        match name {
            "PAPI" => Some(Family::Papi),
            "PAR_INDEX" => Some(Family::ParIndex),
            _ => None,
        }
    }
}

struct Dimension {
    code: &'static str,
    family: Family,
    /// Phrases that, in a heading, name this dimension.
    names: &'static [&'static str],
    /// General vocabulary of the dimension.
    words: &'static [(&'static str, f32)],
    subs: &'static [Sub],
}

struct Sub {
    code: &'static str,
    words: &'static [(&'static str, f32)],
}

/// Weight of a heading that names a dimension.
const HEADING_NAME_WEIGHT: f32 = 8.0;
/// Weight of a dimension's name found in the task's own text.
const OWN_NAME_WEIGHT: f32 = 3.0;
/// Weight factor of keywords found in headings rather than in the task itself.
const HEADING_WORD_FACTOR: f32 = 0.5;
/// Characters of a task's text that are classified.
const MAX_CLASSIFY_CHARS: usize = 8_000;

fn prefix_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Below this score a task gets no node.
const MIN_SCORE: f32 = 1.5;
/// A second dimension is added when it scores at least this share of the best.
const SECOND_SHARE: f32 = 0.75;

static RULES: &[Dimension] = &[
    Dimension {
        code: "papi.d1",
        family: Family::Papi,
        names: &["tham gia cua nguoi dan o cap co so", "tham gia cua nguoi dan", "su tham gia cua nguoi dan"],
        words: &[
            ("tham gia cua nguoi dan", 2.0),
            ("nguoi dan tham gia", 1.5),
            ("nhan dan tham gia", 1.5),
            ("dan chu o co so", 2.0),
            ("dan chu co so", 2.0),
            ("thuc hien dan chu", 2.0),
            ("quy che dan chu", 2.0),
            ("phap lenh thuc hien dan chu", 1.0),
            ("quyen lam chu", 1.5),
            ("dan biet dan ban", 2.0),
            ("duoc biet duoc ban", 2.0),
            ("nhan dan biet nhan dan ban", 2.0),
        ],
        subs: &[
            Sub {
                code: "papi.d1.1",
                words: &[
                    ("phap lenh", 1.0),
                    ("hieu biet", 1.0),
                    ("tri thuc", 1.5),
                    ("luat thuc hien dan chu", 1.5),
                    ("tuyen truyen", 0.5),
                    ("pho bien", 0.5),
                ],
            },
            Sub {
                code: "papi.d1.2",
                words: &[
                    ("bau cu", 2.0),
                    ("cu tri", 2.0),
                    ("tiep xuc cu tri", 1.0),
                    ("dai bieu hoi dong nhan dan", 1.0),
                    ("dai bieu quoc hoi", 1.5),
                ],
            },
            Sub {
                code: "papi.d1.3",
                words: &[
                    ("truong thon", 2.0),
                    ("truong ban", 1.5),
                    ("to truong to dan pho", 2.0),
                    ("truong to dan pho", 2.0),
                    ("truong khu dan cu", 2.0),
                    ("bau truong", 2.0),
                ],
            },
            Sub {
                code: "papi.d1.4",
                words: &[
                    ("dong gop", 1.5),
                    // "đóng góp ý kiến" gives opinions, not money or labour.
                    ("dong gop y kien", -1.5),
                    ("dong gop tu nguyen", 2.0),
                    ("muc dong gop", 2.0),
                    ("ban giam sat dau tu cong dong", 2.0),
                    ("giam sat dau tu cua cong dong", 2.0),
                    ("cong trinh cong cong", 1.5),
                ],
            },
        ],
    },
    Dimension {
        code: "papi.d2",
        family: Family::Papi,
        names: &["cong khai minh bach", "minh bach trong viec ra quyet dinh", "minh bach trong hoach dinh chinh sach"],
        words: &[("cong khai", 1.0), ("minh bach", 1.5), ("niem yet", 1.0), ("cong bo cong khai", 1.0)],
        subs: &[
            Sub {
                code: "papi.d2.1",
                words: &[
                    ("tiep can thong tin", 2.5),
                    ("luat tiep can thong tin", 1.0),
                    ("cung cap thong tin", 1.5),
                    ("quyen duoc biet", 1.0),
                ],
            },
            Sub {
                code: "papi.d2.2",
                words: &[("ho ngheo", 3.0), ("can ngheo", 2.0), ("giam ngheo", 2.0), ("nguoi ngheo", 2.0), ("chinh sach xa hoi", 1.0)],
            },
            Sub {
                code: "papi.d2.3",
                words: &[
                    ("ngan sach cap xa", 3.0),
                    ("ngan sach xa", 2.5),
                    ("thu chi", 2.0),
                    ("thu chi ngan sach", 1.0),
                    ("cac khoan thu", 2.0),
                    ("khoan thu", 1.0),
                    ("tai chinh tai san cong", 1.0),
                ],
            },
            Sub {
                code: "papi.d2.4",
                words: &[
                    ("quy hoach", 1.5),
                    ("ke hoach su dung dat", 3.0),
                    ("su dung dat", 1.0),
                    ("gia dat", 2.0),
                    ("khung gia", 1.5),
                    ("den bu", 2.0),
                    ("boi thuong", 1.5),
                    ("thu hoi dat", 2.0),
                    ("dat dai", 1.0),
                ],
            },
        ],
    },
    Dimension {
        code: "papi.d3",
        family: Family::Papi,
        names: &["trach nhiem giai trinh"],
        words: &[("trach nhiem giai trinh", 3.0), ("giai trinh", 1.5), ("ban thanh tra nhan dan", 1.5)],
        subs: &[
            Sub {
                code: "papi.d3.1",
                words: &[
                    ("tiep cong dan", 2.0),
                    ("doi thoai", 2.0),
                    ("tiep xuc", 1.0),
                    ("tuong tac", 1.5),
                    ("gap go", 1.0),
                    ("lich tiep", 1.0),
                ],
            },
            Sub {
                code: "papi.d3.2",
                words: &[
                    ("khieu nai", 2.0),
                    ("to cao", 1.5),
                    ("don thu", 2.0),
                    ("kien nghi", 1.0),
                    ("phan anh kien nghi", 1.0),
                    ("giai quyet khieu nai", 1.0),
                ],
            },
            Sub {
                code: "papi.d3.3",
                words: &[
                    ("dich vu tu phap", 3.0),
                    ("tranh chap", 2.0),
                    ("toa an", 2.0),
                    ("hoa giai", 2.0),
                    ("xet xu", 2.0),
                    ("tu phap", 1.0),
                ],
            },
        ],
    },
    Dimension {
        code: "papi.d4",
        family: Family::Papi,
        names: &["kiem soat tham nhung"],
        words: &[("tham nhung", 2.5), ("phong chong tham nhung", 1.0), ("tieu cuc", 1.5), ("liem chinh", 1.0)],
        subs: &[
            Sub {
                code: "papi.d4.1",
                words: &[
                    ("kiem soat tham nhung", 1.0),
                    ("loi dung chuc vu", 2.0),
                    ("cong khai bao cao ket qua phong chong tham nhung", 2.0),
                    ("ke khai tai san", 2.0),
                ],
            },
            Sub {
                code: "papi.d4.2",
                words: &[("nhung nhieu", 2.0), ("phien ha", 1.5), ("sach nhieu", 2.0), ("chi phi khong chinh thuc", 2.5), ("lam thu", 1.5)],
            },
            Sub { code: "papi.d4.3", words: &[("tuyen dung", 2.5), ("thi tuyen", 2.0), ("bo nhiem", 1.5), ("cong bang trong", 1.0)] },
            Sub {
                code: "papi.d4.4",
                words: &[
                    ("to cao hanh vi tham nhung", 2.5),
                    ("bao ve nguoi to cao", 2.5),
                    ("dau tranh phong chong", 1.5),
                    ("xu ly nghiem", 1.0),
                ],
            },
        ],
    },
    Dimension {
        code: "papi.d5",
        family: Family::Papi,
        names: &["thu tuc hanh chinh cong", "thu tuc hanh chinh"],
        words: &[
            ("thu tuc hanh chinh", 2.0),
            ("tthc", 2.0),
            ("mot cua", 1.5),
            ("mot cua lien thong", 1.0),
            ("bo phan tiep nhan va tra ket qua", 2.0),
            ("ho so", 0.5),
            ("buu chinh cong ich", 1.5),
        ],
        subs: &[
            Sub { code: "papi.d5.1", words: &[("chung thuc", 2.5), ("xac nhan", 1.5)] },
            Sub { code: "papi.d5.2", words: &[("giay phep xay dung", 3.0), ("cap phep xay dung", 3.0)] },
            Sub { code: "papi.d5.3", words: &[("quyen su dung dat", 2.5), ("giay chung nhan", 1.0), ("so do", 1.5)] },
            Sub {
                code: "papi.d5.4",
                words: &[
                    ("cap xa", 1.0),
                    ("hanh chinh cong cap xa", 2.0),
                    ("dich vu hanh chinh", 1.0),
                    ("mot cua", 0.5),
                    ("bo phan tiep nhan va tra ket qua", 1.0),
                ],
            },
        ],
    },
    Dimension {
        code: "papi.d6",
        family: Family::Papi,
        names: &["cung ung dich vu cong", "dich vu cong ich"],
        words: &[("dich vu cong ich", 1.5), ("cung ung dich vu", 2.0), ("dich vu cong", 0.5)],
        subs: &[
            Sub {
                code: "papi.d6.1",
                words: &[
                    ("y te", 2.0),
                    ("kham chua benh", 2.5),
                    ("benh vien", 2.0),
                    ("bao hiem y te", 2.0),
                    ("tram y te", 2.0),
                    ("suc khoe", 1.5),
                ],
            },
            Sub {
                code: "papi.d6.2",
                words: &[
                    ("giao duc", 2.0),
                    ("tieu hoc", 2.5),
                    ("truong hoc", 2.0),
                    ("truong lop", 2.0),
                    ("giao vien", 2.0),
                    ("hoc sinh", 2.0),
                    ("day hoc", 1.5),
                ],
            },
            Sub {
                code: "papi.d6.3",
                words: &[
                    ("ha tang", 2.0),
                    ("luoi dien", 2.5),
                    ("cap dien", 2.0),
                    ("nuoc sach", 2.0),
                    ("cap nuoc", 2.0),
                    ("duong giao thong", 2.0),
                    ("giao thong", 1.0),
                    ("thu gom", 1.0),
                    ("rac thai", 1.0),
                    ("chieu sang", 2.0),
                ],
            },
            Sub {
                code: "papi.d6.4",
                words: &[
                    ("an ninh", 2.0),
                    ("trat tu", 2.0),
                    ("toi pham", 2.5),
                    ("ma tuy", 2.0),
                    ("an toan xa hoi", 2.0),
                    ("quoc phong", 1.0),
                ],
            },
        ],
    },
    Dimension {
        code: "papi.d7",
        family: Family::Papi,
        names: &["quan tri moi truong"],
        words: &[("moi truong", 1.5), ("bao ve moi truong", 2.0), ("o nhiem", 2.0)],
        subs: &[
            Sub {
                code: "papi.d7.1",
                words: &[("bao ve moi truong", 1.0), ("chat thai", 1.5), ("xu ly chat thai", 1.0), ("san xuat sach", 1.5)],
            },
            Sub { code: "papi.d7.2", words: &[("khong khi", 2.5), ("khoi bui", 2.5), ("bui", 1.0)] },
            Sub { code: "papi.d7.3", words: &[("nguon nuoc", 2.5), ("tai nguyen nuoc", 2.5), ("nuoc thai", 2.0), ("song", 1.0)] },
        ],
    },
    Dimension {
        code: "papi.d8",
        family: Family::Papi,
        names: &["quan tri dien tu"],
        words: &[("dien tu", 1.0), ("truc tuyen", 1.0), ("quan tri dien tu", 2.0)],
        subs: &[
            Sub {
                code: "papi.d8.1",
                words: &[
                    ("cong thong tin dien tu", 2.5),
                    ("trang thong tin dien tu", 2.0),
                    ("dich vu cong truc tuyen", 2.0),
                    ("giao dien", 1.0),
                ],
            },
            Sub { code: "papi.d8.2", words: &[("internet", 2.5), ("bang thong rong", 2.5), ("vien thong", 2.0), ("thue bao", 1.5)] },
            Sub {
                code: "papi.d8.3",
                words: &[
                    ("phan hoi", 2.0),
                    ("tra loi phan anh", 2.0),
                    ("tra loi kien nghi", 2.0),
                    ("tuong tac truc tuyen", 2.0),
                    ("phan anh", 1.0),
                    ("kien nghi", 0.5),
                ],
            },
        ],
    },
    Dimension {
        code: "par.a1",
        family: Family::ParIndex,
        names: &["cong tac chi dao dieu hanh", "chi dao dieu hanh"],
        words: &[
            ("chi dao dieu hanh", 2.0),
            ("ke hoach cai cach hanh chinh", 2.0),
            ("ke hoach cchc", 2.0),
            ("kiem tra cai cach hanh chinh", 2.0),
            ("kiem tra cong tac cchc", 2.0),
            ("tuyen truyen", 1.5),
            ("thong tin tuyen truyen", 1.0),
            ("nguoi dung dau", 1.5),
            ("bao cao dinh ky", 1.5),
            ("bao cao", 0.5),
            ("sang kien", 1.5),
            ("mo hinh moi", 1.5),
            ("dieu tra xa hoi hoc", 1.0),
            ("dieu tra xhh", 1.0),
            ("cham diem", 1.0),
            ("doi thoai", 1.0),
            ("quan triet", 1.0),
            ("nguon luc", 1.0),
            ("don doc", 1.0),
            ("theo doi", 0.5),
            ("ban hanh", 0.5),
            ("trien khai thuc hien", 0.5),
        ],
        subs: &[],
    },
    Dimension {
        code: "par.a2",
        family: Family::ParIndex,
        names: &["van ban quy pham phap luat"],
        words: &[
            ("van ban quy pham phap luat", 3.0),
            ("qppl", 3.0),
            ("ra soat van ban", 2.0),
            ("thi hanh phap luat", 2.0),
            ("he thong hoa van ban", 2.0),
            ("kiem tra van ban", 2.0),
            ("thanh tra", 1.0),
            ("phap luat", 0.5),
        ],
        subs: &[],
    },
    Dimension {
        code: "par.a3",
        family: Family::ParIndex,
        names: &["cai cach thu tuc hanh chinh", "thu tuc hanh chinh"],
        words: &[
            ("thu tuc hanh chinh", 2.0),
            ("tthc", 2.0),
            ("mot cua", 2.0),
            ("bo phan tiep nhan va tra ket qua", 2.0),
            ("ho so", 1.0),
            ("rut ngan thoi gian", 1.5),
            ("ngay thu ba xanh", 2.0),
            ("iso", 1.0),
            ("tra ket qua", 1.0),
        ],
        subs: &[],
    },
    Dimension {
        code: "par.a4",
        family: Family::ParIndex,
        names: &["cai cach to chuc bo may", "to chuc bo may"],
        words: &[
            ("to chuc bo may", 3.0),
            ("sap xep", 1.5),
            ("tinh gian bien che", 2.5),
            ("bien che", 2.0),
            ("phan cap", 1.5),
            ("chuc nang nhiem vu", 0.5),
        ],
        subs: &[],
    },
    Dimension {
        code: "par.a5",
        family: Family::ParIndex,
        names: &["cai cach che do cong vu", "che do cong vu"],
        words: &[
            ("cong vu", 1.5),
            ("ky luat ky cuong", 2.0),
            ("dao duc cong vu", 2.0),
            ("van hoa cong so", 2.0),
            ("chuyen doi vi tri", 2.5),
            ("vi tri viec lam", 2.0),
            ("tuyen dung", 2.0),
            ("dao tao boi duong", 2.0),
            ("can bo cong chuc vien chuc", 1.0),
            ("co so du lieu quoc gia ve can bo", 2.0),
        ],
        subs: &[],
    },
    Dimension {
        code: "par.a6",
        family: Family::ParIndex,
        names: &["cai cach tai chinh cong", "tai chinh cong"],
        words: &[
            ("tai chinh", 1.5),
            ("ngan sach", 2.0),
            ("kinh phi", 1.5),
            ("von dau tu cong", 2.5),
            ("giai ngan", 2.0),
            ("tu chu", 2.0),
            ("chi thuong xuyen", 2.0),
            ("don vi su nghiep cong lap", 1.0),
        ],
        subs: &[],
    },
    Dimension {
        code: "par.a7",
        family: Family::ParIndex,
        names: &["chinh quyen dien tu", "chinh quyen so", "hien dai hoa hanh chinh"],
        words: &[
            ("cong nghe thong tin", 2.0),
            ("chinh quyen dien tu", 2.5),
            ("chinh quyen so", 2.5),
            ("phan mem", 1.5),
            ("gui nhan qua mang", 2.0),
            ("van ban dien tu", 2.0),
            ("dich vu cong truc tuyen", 2.0),
            ("he thong thong tin bao cao", 2.0),
            ("chu ky so", 2.0),
            ("cong thong tin dien tu", 1.5),
            ("chuyen doi so", 2.0),
        ],
        subs: &[],
    },
    Dimension {
        code: "par.a8",
        family: Family::ParIndex,
        names: &["tac dong cua cai cach hanh chinh", "tac dong cua cchc"],
        words: &[("phat trien kinh te xa hoi", 1.5), ("thu hut dau tu", 2.0), ("tac dong", 1.0), ("su hai long", 1.5), ("hai long", 1.0)],
        subs: &[],
    },
];

/// Score of one dimension and its best sub-dimension.
#[derive(Clone)]
struct Score {
    dim: &'static Dimension,
    total: f32,
    sub: Option<&'static str>,
}

fn phrase_score(text: &Words<'_>, words: &[(&str, f32)]) -> f32 {
    words
        .iter()
        .map(|(w, weight)| {
            let n = text.count(w, 3);
            if n == 0 { 0.0 } else { weight * (1.0 + 0.25 * (n as f32 - 1.0)) }
        })
        .sum()
}

fn score_dimensions(own: &Words<'_>, head_keys: &[Words<'_>], families: &[Family]) -> Vec<Score> {
    let mut out = Vec::new();
    for dim in RULES.iter().filter(|d| families.contains(&d.family)) {
        let mut total = phrase_score(own, dim.words);
        // The dimension's own name in the task text ("nâng cao trách nhiệm giải trình").
        if dim.names.iter().any(|n| own.count(n, 1) > 0) {
            total += OWN_NAME_WEIGHT;
        }
        for h in head_keys {
            total += HEADING_WORD_FACTOR * phrase_score(h, dim.words);
            if dim.names.iter().any(|n| h.count(n, 1) > 0) {
                total += HEADING_NAME_WEIGHT;
            }
        }
        let mut subs: Vec<(f32, &'static str)> = dim
            .subs
            .iter()
            .map(|s| {
                let own_s = phrase_score(own, s.words);
                let head_s: f32 = head_keys.iter().map(|h| HEADING_WORD_FACTOR * phrase_score(h, s.words)).sum();
                (own_s + head_s, s.code)
            })
            .collect();
        subs.sort_by(|a, b| b.0.total_cmp(&a.0));
        total += subs.iter().map(|s| s.0).sum::<f32>();
        let sub = match (subs.first(), subs.get(1)) {
            (Some(best), second) if best.0 >= 1.5 && second.is_none_or(|s| best.0 > s.0) => Some(best.1),
            _ => None,
        };
        out.push(Score { dim, total, sub });
    }
    out.sort_by(|a, b| b.total.total_cmp(&a.total));
    out
}

/// Classify a task in its context: `headings` are the titles above it (outermost first),
/// `families` the index families of the plan (all known families when empty).
pub fn classify_in(text: &str, headings: &[String], families: &[Family]) -> Vec<String> {
    let all = [Family::Papi, Family::ParIndex];
    let fams: &[Family] = if families.is_empty() { &all } else { families };
    // A task is a few sentences; bounding the text bounds the work on hostile input.
    let own_key = key(prefix_chars(text, MAX_CLASSIFY_CHARS));
    let own = Words::new(&own_key);
    let head_strings: Vec<String> = headings.iter().take(8).map(|h| key(prefix_chars(h, 500))).collect();
    let head_keys: Vec<Words<'_>> = head_strings.iter().map(|h| Words::new(h)).collect();
    let mut nodes = Vec::new();
    for fam in fams {
        let scores = score_dimensions(&own, &head_keys, &[*fam]);
        let Some(best) = scores.first() else { continue };
        if best.total < MIN_SCORE {
            continue;
        }
        nodes.push((best.total, best.dim.code, best.sub));
        for s in scores.iter().skip(1).take(2) {
            if s.total >= MIN_SCORE * 1.5 && s.total >= SECOND_SHARE * best.total {
                nodes.push((s.total * 0.999, s.dim.code, s.sub));
            }
        }
    }
    nodes.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out = Vec::new();
    for (_, dim, sub) in nodes {
        out.push(dim.to_string());
        if let Some(s) = sub {
            out.push(s.to_string());
        }
    }
    out
}

/// The framework nodes a task text serves, strongest first: a PAPI dimension and, where
/// clear, its sub-dimension ("papi.d2", "papi.d2.2"), and/or a PAR INDEX area ("par.a3").
pub fn classify(text: &str) -> Vec<String> {
    classify_in(text, &[], &[])
}

/// The dimension part of a node code: "papi.d2.2" → "papi.d2".
pub fn dimension_of(node: &str) -> &str {
    let mut dots = node.match_indices('.').map(|(i, _)| i);
    match (dots.next(), dots.next()) {
        (Some(_), Some(second)) => &node[..second],
        _ => node,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_and_headings() {
        let n = classify("Niêm yết công khai, đầy đủ danh sách hộ nghèo tại trụ sở Ủy ban nhân dân cấp xã");
        assert_eq!(n.first().map(String::as_str), Some("papi.d2"));
        assert!(n.contains(&"papi.d2.2".to_string()), "{n:?}");
        let n = classify_in(
            "Tập trung tổ chức tốt các cuộc gặp gỡ với nhân dân",
            &["Nội dung “Tham gia của người dân ở cấp cơ sở”".to_string()],
            &[Family::Papi],
        );
        assert_eq!(n.first().map(String::as_str), Some("papi.d1"));
        let n = classify_in("Rà soát, rút ngắn thời gian giải quyết TTHC", &[], &[Family::ParIndex]);
        assert_eq!(n.first().map(String::as_str), Some("par.a3"));
        assert!(classify("Xin chào").is_empty());
        assert_eq!(dimension_of("papi.d2.2"), "papi.d2");
        assert_eq!(dimension_of("par.a3"), "par.a3");
    }
}
