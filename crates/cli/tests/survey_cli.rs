//! `chiso survey …` as a user runs it: the engine's JSON on a small example computed by hand (weights,
//! missing answers, a reversed indicator, a sub-dimension absent, an undefined total), reproducible intervals,
//! errors naming line and column, and the stored-survey commands over a fresh SQLite directory.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn chiso(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chiso")).args(args).env("CHISO_LOG", "error").output().expect("run chiso")
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("chiso-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p.display().to_string()
}

/// Framework "xa" is not a shipped framework: the dimensions are those the node codes imply.
const Q: &str = r#"
framework = "xa"
[[indicator]]
code = "a"
node = "xa.d1.s1"
min = 1
max = 5
direction = 1
[[indicator]]
code = "b"
node = "xa.d1.s1"
min = 0
max = 1
direction = -1
[[indicator]]
code = "c"
node = "xa.d1.s2"
min = 1
max = 3
direction = 1
[[indicator]]
code = "d"
node = "xa.d2.s1"
min = 1
max = 4
direction = 1
"#;

const R: &str = "respondent_id,unit,group,weight,a,b,c,d\nr1,U1,,1,5,0,,4\nr2,U1,,3,1,1,,1\nr3,U2,,2,3,,3,\n";

fn close(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < 1e-9)
}

#[test]
fn score_prints_the_engine_json_computed_by_hand() {
    let dir = temp_dir("score");
    let q = write(&dir, "q.toml", Q);
    let r = write(&dir, "r.csv", R);
    let out = chiso(&["survey", "score", "--questionnaire", &q, "--responses", &r, "--bootstrap", "1000", "--seed", "3", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let u1 = &v["units"]["U1"];
    assert_eq!(u1["n"], 2);
    assert!(close(&u1["weight_sum"], 4.0));
    // U1: a → (1·1 + 3·0)/4 = 0.25; b reversed → (1·(1−0) + 3·(1−1))/4 = 0.25; c never answered; d → 0.25.
    let e = &u1["estimate"];
    for code in ["a", "b", "d"] {
        assert!(close(&e["indicators"][code], 0.25), "{code}: {}", e["indicators"][code]);
    }
    assert!(e["indicators"]["c"].is_null(), "no answer: undefined");
    // s1: n = 0.25, the only defined sub-dimension of d1 (k = 1): (1 + 9·0.25)/1 = 3.25; s2 undefined.
    assert!(close(&e["sub_dimensions"]["xa.d1.s1"], 3.25));
    assert!(e["sub_dimensions"]["xa.d1.s2"].is_null());
    assert!(close(&e["dimensions"]["xa.d1"], 3.25));
    assert!(close(&e["dimensions"]["xa.d2"], 3.25));
    assert!(close(&e["total"], 6.5));
    // Bootstrap of U1 draws {r1,r1} (total 20), {r2,r2} (total 2) or one of each (6.5), each pair
    // with probability ≥ 1/4: the 2.5th and 97.5th percentiles are 2 and 20.
    let ci = &u1["ci95"];
    assert!(close(&ci["total"][0], 2.0) && close(&ci["total"][1], 20.0), "{}", ci["total"]);
    assert!(close(&ci["dimensions"]["xa.d1"][0], 1.0) && close(&ci["dimensions"]["xa.d1"][1], 10.0));
    assert!(ci["sub_dimensions"]["xa.d1.s2"].is_null(), "undefined in every replicate");
    // U2: a → 0.5, c → 1; both sub-dimensions of d1 defined (k = 2): s1 = (1 + 4.5)/2 = 2.75, s2 = 5;
    // d2 undefined, so the total is undefined.
    let u2 = &v["units"]["U2"];
    assert!(close(&u2["estimate"]["sub_dimensions"]["xa.d1.s1"], 2.75));
    assert!(close(&u2["estimate"]["sub_dimensions"]["xa.d1.s2"], 5.0));
    assert!(close(&u2["estimate"]["dimensions"]["xa.d1"], 7.75));
    assert!(u2["estimate"]["dimensions"]["xa.d2"].is_null());
    assert!(u2["estimate"]["total"].is_null());
    assert!(u2["ci95"]["total"].is_null());
    // One respondent: every replicate is the same.
    assert!(close(&u2["ci95"]["dimensions"]["xa.d1"][0], 7.75) && close(&u2["ci95"]["dimensions"]["xa.d1"][1], 7.75));
    // The same seed prints the same JSON.
    let again = chiso(&["survey", "score", "--questionnaire", &q, "--responses", &r, "--bootstrap", "1000", "--seed", "3", "--json"]);
    assert_eq!(out.stdout, again.stdout, "reproducible");
    // Groups on request.
    let rg = write(&dir, "rg.csv", "respondent_id,unit,group,weight,a\nr1,U1,nd,1,5\nr2,U1,dn,1,1\n");
    let by = chiso(&["survey", "score", "--questionnaire", &q, "--responses", &rg, "--by-group", "--bootstrap", "0", "--json"]);
    let v: Value = serde_json::from_slice(&by.stdout).expect("json");
    assert!(close(&v["units"]["U1"]["groups"]["nd"]["estimate"]["indicators"]["a"], 1.0));
    assert!(v["units"]["U1"]["ci95"].is_null(), "B = 0: no intervals");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_names_line_and_column() {
    let dir = temp_dir("bad");
    let q = write(&dir, "q.toml", Q);
    let r = write(&dir, "r.csv", "respondent_id,unit,group,weight,a\nr1,U1,,1,5\nr2,U1,,1,năm\n");
    let out = chiso(&["survey", "score", "--questionnaire", &q, "--responses", &r, "--json"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("dòng 3") && err.contains("cột 5"), "{err}");
    assert!(out.stdout.is_empty(), "nothing printed on stdout");
    let bad_q = write(&dir, "bad.toml", &Q.replacen("max = 5", "max = 1", 1));
    let out = chiso(&["survey", "score", "--questionnaire", &bad_q, "--responses", &r, "--json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("dòng 7") && err.contains("min < max"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stored_survey_create_import_estimate() {
    let dir = temp_dir("store");
    let data = dir.join("data").display().to_string();
    let units = write(
        &dir,
        "units.csv",
        "code,name,level,parent_code,valid_from,valid_to\n14,Tỉnh Sơn La,province,,2000-01-01,\nX01,Xã Một,commune,14,2000-01-01,\n",
    );
    assert!(chiso(&["units", "import", &units, "--data-dir", &data]).status.success());
    let q = concat!(env!("CARGO_MANIFEST_DIR"), "/../../datasets/surveys/papi-mini.toml");
    let out = chiso(&[
        "survey",
        "create",
        "--unit",
        "X01",
        "--year",
        "2024",
        "--questionnaire",
        q,
        "--groups",
        "doanh_nghiep",
        "--data-dir",
        &data,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("#1"));
    let csv = dir.join("r.csv").display().to_string();
    let out = chiso(&["survey", "sample", "--questionnaire", q, "--units", "X01", "--n", "200", "--seed", "9", "-o", &csv]);
    assert!(out.status.success());
    let out = chiso(&["survey", "import", "--survey", "1", &csv, "--data-dir", &data]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Đã nhập 200"));
    // The same file again: every respondent id is already there; nothing is stored.
    let out = chiso(&["survey", "import", "--survey", "1", &csv, "--data-dir", &data]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("dòng 2, cột 1"));
    let out = chiso(&["survey", "estimate", "--survey", "1", "--bootstrap", "100", "--seed", "2", "--json", "--data-dir", &data]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["units"]["X01"]["n"], 200);
    let t = v["units"]["X01"]["estimate"]["total"].as_f64().expect("all 8 dimensions measured: total defined");
    assert!((8.0..=80.0).contains(&t));
    let out = chiso(&["survey", "questionnaire", "--survey", "1", "--data-dir", &data]);
    let toml = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(toml.contains("framework = \"papi\"") && toml.contains("code = \"q13\""));
    let _ = std::fs::remove_dir_all(&dir);
}
