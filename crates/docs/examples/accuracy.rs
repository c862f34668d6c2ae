//! Field and classifier accuracy of the parser on the seed plans against the hand-written
//! expectations: `cargo run -p chiso-docs --example accuracy`.

#[path = "../tests/docs/expected.rs"]
mod expected;

use expected::{ClassScore, class_score, field_checks, lead_score, load_all, load_leads, pct, seed_leads};

fn main() {
    let all = load_all();
    let mut per_field: Vec<(&'static str, usize, usize)> = Vec::new();
    let (mut right, mut total) = (0, 0);
    let mut class = ClassScore::default();
    for (exp, plan) in &all {
        for (name, ok, got) in field_checks(exp, plan) {
            let entry = match per_field.iter_mut().find(|e| e.0 == name) {
                Some(e) => e,
                None => {
                    per_field.push((name, 0, 0));
                    per_field.last_mut().expect("just pushed")
                }
            };
            entry.2 += 1;
            total += 1;
            if ok {
                entry.1 += 1;
                right += 1;
            } else {
                println!("MISS {} {name}: got {got}", exp.file);
            }
        }
        class_score(exp, plan, &mut class);
    }
    println!("\nField accuracy on {} seeds: {right}/{total} = {:.1}%", all.len(), pct(right, total));
    for (name, r, t) in &per_field {
        println!("  {name:<15} {r}/{t}");
    }
    println!("\nClassifier (tasks labelled by reading the seeds):");
    println!("  dimension, first node      {}/{} = {:.1}%", class.dim_right, class.dim_total, pct(class.dim_right, class.dim_total));
    println!("  dimension, any node        {}/{} = {:.1}%", class.dim_any, class.dim_total, pct(class.dim_any, class.dim_total));
    println!("  sub-dimension (labelled)   {}/{} = {:.1}%", class.sub_right, class.sub_total, pct(class.sub_right, class.sub_total));
    println!("  'no dimension' kept empty  {}/{} = {:.1}%", class.none_right, class.none_total, pct(class.none_right, class.none_total));
    for m in &class.misses {
        println!("  - {m}");
    }

    println!("\nWho does what (leads against datasets/plans/leads/, judged by reading the text):");
    leads_table(&seed_leads());
    let unseen = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/unseen");
    // The unseen documents themselves may live outside the repository (CHISO_UNSEEN_DOCS).
    let docs = std::env::var_os("CHISO_UNSEEN_DOCS").map(std::path::PathBuf::from).unwrap_or_else(|| unseen.clone());
    let unseen_leads = load_leads(&unseen, &docs);
    if unseen_leads.is_empty() {
        println!("\nUnseen plans: no document present (expectations and sources in {}; set CHISO_UNSEEN_DOCS)", unseen.display());
    } else {
        println!("\nUnseen plans ({}):", unseen.display());
        leads_table(&unseen_leads);
    }
}

fn leads_table(all: &[(expected::ExpectedLeads, chiso_docs::ParsedPlan)]) {
    println!(
        "  {:<28} {:>5} {:>13} {:>9} {:>6} {:>6} {:>7} {:>10}",
        "plan", "tasks", "duties found", "with lead", "right", "WRONG", "missed", "ambiguous"
    );
    let mut sum = expected::LeadScore::default();
    let mut misses = Vec::new();
    for (exp, plan) in all {
        let s = lead_score(exp, plan);
        println!(
            "  {:<28} {:>5} {:>8}/{:<4} {:>9} {:>6} {:>6} {:>7} {:>10}",
            exp.file, s.tasks, s.duties_found, s.duties_expected, s.with_lead, s.right, s.wrong, s.missed, s.ambiguous_led
        );
        sum.tasks += s.tasks;
        sum.duties_found += s.duties_found;
        sum.duties_expected += s.duties_expected;
        sum.with_lead += s.with_lead;
        sum.right += s.right;
        sum.wrong += s.wrong;
        sum.missed += s.missed;
        sum.ambiguous_led += s.ambiguous_led;
        misses.extend(s.misses);
    }
    println!(
        "  {:<28} {:>5} {:>8}/{:<4} {:>9} {:>6} {:>6} {:>7} {:>10}",
        "total", sum.tasks, sum.duties_found, sum.duties_expected, sum.with_lead, sum.right, sum.wrong, sum.missed, sum.ambiguous_led
    );
    for m in misses {
        println!("  - {m}");
    }
}
