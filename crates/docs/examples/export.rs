//! Parse a plan and export it again: `cargo run -p chiso-docs --example export -- FILE OUTDIR
//! ["ISSUER"] ["PARENT ISSUER"]` writes OUTDIR/plan.docx, plan.xlsx and (with LibreOffice)
//! plan.pdf.

use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: export FILE OUTDIR [ISSUER] [PARENT_ISSUER]");
        std::process::exit(2);
    }
    if let Err(e) = run(&args) {
        eprintln!("{e}");
        std::process::exit(1);
    }
}

fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let bytes = std::fs::read(&args[1])?;
    let plan = chiso_docs::parse_plan(&bytes, &args[1])?;
    let mut doc = chiso_docs::PlanDocument::from(&plan);
    if let Some(i) = args.get(3) {
        doc.issuer = i.clone();
    }
    if let Some(p) = args.get(4) {
        doc.parent_issuer = Some(p.clone());
    }
    // APPENDIX=1 copies the body tasks into the appendix table (to look at its layout).
    if std::env::var("APPENDIX").is_ok_and(|v| v == "1") {
        doc.appendix_title = Some(format!("NHIỆM VỤ CỤ THỂ {}", plan.title.to_uppercase()));
        doc.appendix = plan
            .tasks
            .iter()
            .map(|t| chiso_docs::AppendixRow {
                code: format!("PL.{}", t.code.replace('.', "_")),
                text: t.text.clone(),
                dimension: t.nodes.first().cloned(),
                lead_agency: plan.assignments.first().map(|a| a.agency.clone()),
                coordinating_agencies: plan.assignments.iter().skip(1).take(2).map(|a| a.agency.clone()).collect(),
                time: Some("Thường xuyên".to_string()),
                product: Some("Báo cáo kết quả".to_string()),
                status: None,
                group: t.section_code.clone(),
                group_title: None,
            })
            .collect();
    }
    let out = PathBuf::from(&args[2]);
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("plan.docx"), chiso_docs::write_docx(&doc)?)?;
    std::fs::write(out.join("plan.xlsx"), chiso_docs::write_xlsx(&doc)?)?;
    match chiso_docs::write_pdf(&doc) {
        Ok(pdf) => std::fs::write(out.join("plan.pdf"), pdf)?,
        Err(e) => eprintln!("PDF: {e}"),
    }
    println!("{}", out.display());
    Ok(())
}
