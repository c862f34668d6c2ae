//! Randomized input (the stable-toolchain stand-in for the fuzz target in `crates/docs/fuzz`):
//! random bytes, random zips, truncated and corrupted copies of a real DOCX, shuffled seed
//! text. Every call must return, Ok or Err, without panicking.

use chiso_docs::{PlanDocument, parse_plan, write_docx, write_xlsx};

use crate::support::{seed, zip_of};

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
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn must_return(bytes: &[u8], name: &str) {
    let r = std::panic::catch_unwind(|| parse_plan(bytes, name));
    assert!(r.is_ok(), "parse_plan panicked on {name} ({} bytes)", bytes.len());
}

fn real_docx() -> Vec<u8> {
    let (name, bytes) = seed("003");
    let plan = parse_plan(&bytes, &name).expect("seed");
    let mut doc = PlanDocument::from(&plan);
    doc.issuer = "ỦY BAN NHÂN DÂN HUYỆN MỘC CHÂU".into();
    write_docx(&doc).expect("docx")
}

#[test]
fn random_bytes() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..400 {
        let n = rng.below(4096);
        let mut b = rng.bytes(n);
        // Half of them look like zips or text so deeper code runs.
        let prefix: Vec<u8> = match i % 4 {
            0 => b"PK\x03\x04".to_vec(),
            1 => "KẾ HOẠCH\n1. ".as_bytes().to_vec(),
            _ => Vec::new(),
        };
        b.splice(0..0, prefix);
        must_return(&b, if i % 2 == 0 { "x.docx" } else { "x.txt" });
    }
}

#[test]
fn random_zips_with_office_names() {
    let mut rng = Rng(42);
    let names =
        ["word/document.xml", "word/numbering.xml", "xl/workbook.xml", "_rels/.rels", "[Content_Types].xml", "xl/worksheets/sheet1.xml"];
    let fragments = [
        "<w:p>",
        "</w:p>",
        "<w:t>",
        "</w:t>",
        "<w:tbl><w:tr><w:tc>",
        "</w:tc></w:tr></w:tbl>",
        "Kế hoạch",
        "&amp;",
        "&#x41;",
        "&bogus;",
        "<w:br/>",
        "<w:numPr><w:ilvl w:val=\"9\"/><w:numId w:val=\"1\"/></w:numPr>",
        "<![CDATA[x]]>",
        "<?pi?>",
        "<!-- c -->",
    ];
    for _ in 0..200 {
        let mut files = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let name = names[rng.below(names.len())];
            if files.iter().any(|(n, _): &(&str, Vec<u8>)| *n == name) {
                continue;
            }
            let mut body = String::new();
            for _ in 0..rng.below(40) {
                body.push_str(fragments[rng.below(fragments.len())]);
            }
            files.push((name, body.into_bytes()));
        }
        let z = zip_of(&files);
        must_return(&z, "ngau-nhien.docx");
        must_return(&z, "ngau-nhien.xlsx");
    }
}

#[test]
fn truncated_and_corrupted_real_docx() {
    let docx = real_docx();
    let mut rng = Rng(7);
    for k in 0..60 {
        let cut = docx.len() * k / 60;
        must_return(&docx[..cut], "cat.docx");
    }
    for _ in 0..150 {
        let mut b = docx.clone();
        for _ in 0..1 + rng.below(8) {
            let i = rng.below(b.len());
            b[i] = rng.next() as u8;
        }
        must_return(&b, "hong.docx");
    }
    let xlsx = write_xlsx(&PlanDocument::from(&parse_plan(&docx, "a.docx").expect("parse"))).expect("xlsx");
    for _ in 0..60 {
        let mut b = xlsx.clone();
        let i = rng.below(b.len());
        b[i] ^= 0xFF;
        must_return(&b, "hong.xlsx");
    }
}

#[test]
fn shuffled_and_mutilated_seed_text() {
    let mut rng = Rng(2024);
    for stem in ["000", "001", "002", "003", "004"] {
        let (_, bytes) = seed(stem);
        let text = String::from_utf8(bytes).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        for _ in 0..40 {
            let mut out: Vec<String> = Vec::new();
            for _ in 0..rng.below(lines.len() + 1) {
                let mut l = lines[rng.below(lines.len())].to_string();
                // Cut lines at random char boundaries and glue markers on.
                if rng.below(3) == 0 {
                    let cut = l.char_indices().map(|(i, _)| i).nth(rng.below(l.chars().count() + 1)).unwrap_or(l.len());
                    l.truncate(cut);
                }
                let prefix = ["", "- ", "1. ", "IV. ", "a) ", "**", "# ", "| ", "Nơi nhận: ", "TM. ", "Số: ", "ngày "][rng.below(12)];
                out.push(format!("{prefix}{l}"));
            }
            let joined = out.join(if rng.below(2) == 0 { "\n" } else { "\n\n" });
            must_return(joined.as_bytes(), "tron.md");
        }
    }
}
