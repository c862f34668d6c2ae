//! Field and classifier accuracy of the parser on the seed plans against the hand-written
//! expectations: `cargo run -p chiso-docs --example accuracy`.

#[path = "../tests/docs/expected.rs"]
mod expected;

use expected::{ClassScore, class_score, field_checks, load_all, pct};

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
}
