//! Every importer on a few thousand mutated and random inputs, in the normal test run (issue 13): plans
//! (the document reader on text, DOCX and XLSX bytes), official results CSV (wide and long), units CSV,
//! questionnaire TOML and survey responses (CSV and XLSX). Seeded, so a failure reproduces; each input must
//! give `Ok` or `Err`, never a panic. The coverage-guided counterparts are the `cargo fuzz` targets in
//! `fuzz/` (see the README, Security).

use chiso_core::framework::FrameworkSet;
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// xorshift64*: small, deterministic, good enough to vary input.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Pieces that reach the corners of CSV, TOML and number parsing.
const TOKENS: &[&str] = &[
    ",",
    "\"",
    "\n",
    "\r\n",
    ";",
    "=",
    "[",
    "]",
    "[[indicator]]",
    "-",
    "1e308",
    "NaN",
    "-0",
    "inf",
    "9999999999999999999",
    "",
    "\u{0}",
    "\u{feff}",
    "Đ",
    "ệ",
    "2024-02-30",
    "0000-00-00",
    "  ",
    "\t",
    "#",
    "'''",
    "{",
    "}",
    "null",
    "P01",
    "123",
    ".",
];

/// One mutation of `seed`: flip, insert, delete, duplicate or splice bytes; sometimes pure noise.
fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    if rng.below(20) == 0 {
        let n = rng.below(2048);
        return (0..n).map(|_| rng.next() as u8).collect();
    }
    for _ in 0..1 + rng.below(8) {
        let len = b.len();
        let at = rng.below(len + 1);
        match rng.below(7) {
            0 if len > 0 => b[at.min(len - 1)] ^= 1 << rng.below(8),
            1 => b.insert(at, rng.next() as u8),
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                b.splice(at..at, t.iter().copied());
            }
            3 if len > 0 => {
                let end = (at + rng.below(64)).min(len);
                b.drain(at.min(end)..end);
            }
            4 if len > 0 => {
                let from = rng.below(len);
                let end = (from + rng.below(256)).min(len);
                let piece = b[from..end].to_vec();
                b.splice(at..at, piece);
            }
            5 => b.truncate(at),
            _ => {
                if len > 0 {
                    b[at.min(len - 1)] = *b"0123456789,\"\n.-".get(rng.below(16)).unwrap_or(&b'0');
                }
            }
        }
    }
    b
}

/// Run `f` on `n` mutations of each seed; a panic fails with the importer, the iteration and the input.
fn fuzz(name: &str, seed_value: u64, seeds: &[Vec<u8>], n: usize, f: impl Fn(&[u8])) {
    let mut rng = Rng(seed_value);
    for i in 0..n {
        let seed = &seeds[i % seeds.len()];
        let input = mutate(&mut rng, seed);
        if catch_unwind(AssertUnwindSafe(|| f(&input))).is_err() {
            let path = std::env::temp_dir().join(format!("chiso-fuzz-{name}-{i}.bin"));
            let _ = std::fs::write(&path, &input);
            panic!("{name}: panic on input {i} of seed {seed_value} (saved to {})", path.display());
        }
    }
}

fn root(path: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)).expect(path)
}

/// The first `n` bytes of `b`, cut at a character boundary (the seeds are kept small so parsing is quick).
fn head(b: &[u8], n: usize) -> Vec<u8> {
    let s = String::from_utf8_lossy(b);
    let mut end = n.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].as_bytes().to_vec()
}

#[test]
fn plan_documents_in_text_docx_and_xlsx() {
    let text = root("datasets/plans/003_187a403246ebc703.txt");
    let plan = chiso_docs::parse_plan(&text, "003.txt").expect("seed plan");
    let doc = chiso_docs::PlanDocument::from(&plan);
    let docx = chiso_docs::write_docx(&doc).expect("docx");
    let xlsx = chiso_docs::write_xlsx(&doc).expect("xlsx");
    let small = vec![head(&text, 3000), head(&root("datasets/plans/001_a6cfdfd1320f5895.txt"), 3000)];
    fuzz("plan-text", 1, &small, 800, |b| {
        let _ = chiso_docs::parse_plan(b, "k.txt");
        let _ = chiso_docs::parse_plan(b, "k.md");
    });
    // Zips: flipping bytes inside mostly breaks the checksum; the reader must say so, not panic.
    fuzz("plan-docx", 2, &[docx], 300, |b| {
        let _ = chiso_docs::parse_plan(b, "k.docx");
    });
    fuzz("plan-xlsx", 3, &[xlsx], 300, |b| {
        let _ = chiso_docs::parse_plan(b, "k.xlsx");
    });
}

#[test]
fn official_results_csv() {
    let fws = FrameworkSet::builtin().expect("frameworks");
    let papi = fws.get("papi").expect("papi");
    let wide = head(&root("datasets/papi/2023.csv"), 4000);
    let long = b"unit,node,score\nP01,1,5.1\nP01,1.1,1.32\nP02,2,4,9\nP03,8.3,0.5\n".to_vec();
    fuzz("results", 4, &[wide, long], 3000, |b| {
        let text = String::from_utf8_lossy(b);
        let _ = chiso_core::results::parse_wide_csv(papi, 2023, &text);
        let _ = chiso_core::results::parse_long_csv(papi, 2021, &text);
        let _ = chiso_core::results::parse_unit_mapping(&text);
    });
}

#[test]
fn units_csv() {
    let levels: Vec<String> = ["province", "district", "commune", "village"].iter().map(|s| s.to_string()).collect();
    let units = head(&root("datasets/demo/units.csv"), 4000);
    let mergers = b"from,into,date\nA,B,2025-07-01\nC,B,2025-07-01\n".to_vec();
    fuzz("units", 5, &[units, mergers], 3000, |b| {
        let text = String::from_utf8_lossy(b);
        let _ = chiso_core::unit::parse_units_file(&text, &levels);
        let _ = chiso_core::unit::parse_units_csv(&text, &levels);
        let _ = chiso_core::unit::parse_mergers_csv(&text);
    });
}

#[test]
fn questionnaire_toml() {
    let seed = chiso_app::surveys::SAMPLE_QUESTIONNAIRE.as_bytes().to_vec();
    fuzz("questionnaire", 6, &[seed], 3000, |b| {
        let _ = chiso_stats::Questionnaire::from_toml_str(&String::from_utf8_lossy(b));
    });
}

#[test]
fn survey_responses_csv_and_xlsx() {
    let q = chiso_stats::Questionnaire::from_toml_str(chiso_app::surveys::SAMPLE_QUESTIONNAIRE).expect("questionnaire");
    let units = vec!["04012".to_string(), "03985".to_string()];
    let groups = chiso_app::surveys::questionnaire_groups(&q);
    let csv = chiso_app::surveys::synthetic_responses_csv(&q, &units, &groups, 40, 7, "r").into_bytes();
    let valid: HashSet<String> = units.iter().cloned().collect();
    fuzz("responses-csv", 7, std::slice::from_ref(&csv), 3000, |b| {
        let r = chiso_app::surveys::read_responses(&q, b, "r.csv", &valid, &groups);
        check_problem_lines(b, &r);
        let _ = chiso_app::surveys::read_responses(&q, b, "r.csv", &valid, &[]);
    });
    // XLSX: a real workbook of the same rows, mutated.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (r, line) in String::from_utf8_lossy(&csv).lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            sheet.write_string(r as u32, c as u16, cell).expect("cell");
        }
    }
    let xlsx = wb.save_to_buffer().expect("xlsx");
    fuzz("responses-xlsx", 8, &[xlsx], 300, |b| {
        let _ = chiso_app::surveys::read_responses(&q, b, "r.xlsx", &valid, &groups);
    });
}

/// Every problem a response file is refused for names a line of the file after the header (issue 12: lines
/// as a spreadsheet shows them), at most a thousand are listed, and the count adds up.
fn check_problem_lines(bytes: &[u8], r: &Result<chiso_app::surveys::ParsedResponses, chiso_app::surveys::ReadError>) {
    if let Err(chiso_app::surveys::ReadError::Rows(p)) = r {
        let lone_cr = bytes.iter().enumerate().filter(|&(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n')).count();
        let lines = 1 + (bytes.iter().filter(|&&b| b == b'\n').count() + lone_cr) as u64;
        assert!(!p.problems.is_empty() && p.problems.len() <= chiso_app::surveys::MAX_LISTED, "{p}");
        assert_eq!(p.count(), p.problems.len() + p.more);
        for x in &p.problems {
            assert!((2..=lines).contains(&x.line), "line {} of a file of {lines} lines: {p}", x.line);
        }
        assert!(p.problems.windows(2).all(|w| w[0].line <= w[1].line), "in file order: {p}");
    }
}
