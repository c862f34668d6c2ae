//! Print the parsed JSON of a plan document: `cargo run -p chiso-docs --example parse -- FILE`.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse FILE");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    match chiso_docs::parse_plan(&bytes, &path) {
        Ok(plan) => match serde_json::to_string_pretty(&plan) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("{e}"),
        },
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
