//! Documents parsed per second on the seed plans (text/Markdown) and on their DOCX exports:
//! `cargo run --release -p chiso-docs --example bench_parse`. A benchmark, not a test.

use std::time::{Duration, Instant};

fn seeds() -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/plans");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
                .filter_map(|e| Some((e.file_name().to_string_lossy().to_string(), std::fs::read(e.path()).ok()?)))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn bench(label: &str, docs: &[(String, Vec<u8>)]) {
    if docs.is_empty() {
        println!("{label}: no documents");
        return;
    }
    let bytes: usize = docs.iter().map(|d| d.1.len()).sum();
    // Warm up, then run for about two seconds.
    for (name, b) in docs {
        let _ = chiso_docs::parse_plan(b, name);
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(2) {
        for (name, b) in docs {
            if chiso_docs::parse_plan(b, name).is_err() {
                eprintln!("{name}: parse failed");
            }
            n += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let per_sec = n as f64 / secs;
    let mb = (bytes as f64 * n as f64 / docs.len() as f64) / secs / 1e6;
    println!("{label}: {n} documents in {secs:.2} s = {per_sec:.0} documents/s ({mb:.1} MB/s, mean {:.0} µs/document)", 1e6 / per_sec);
}

fn main() {
    let text = seeds();
    let docx: Vec<(String, Vec<u8>)> = text
        .iter()
        .filter_map(|(name, b)| {
            let plan = chiso_docs::parse_plan(b, name).ok()?;
            let bytes = chiso_docs::write_docx(&chiso_docs::PlanDocument::from(&plan)).ok()?;
            Some((format!("{name}.docx"), bytes))
        })
        .collect();
    println!("{} seed plans ({} bytes of text)", text.len(), text.iter().map(|d| d.1.len()).sum::<usize>());
    bench("text/Markdown seeds", &text);
    bench("DOCX exports of the seeds", &docx);
    let start = Instant::now();
    let mut n = 0;
    while start.elapsed() < Duration::from_secs(1) {
        for (name, b) in &text {
            if let Ok(plan) = chiso_docs::parse_plan(b, name) {
                let _ = chiso_docs::write_docx(&chiso_docs::PlanDocument::from(&plan));
                n += 1;
            }
        }
    }
    println!("DOCX writing: {:.0} documents/s", n as f64 / start.elapsed().as_secs_f64());
}
