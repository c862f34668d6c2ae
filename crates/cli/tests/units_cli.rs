//! `chiso units import / reform / where` as an operator runs them, on a fresh SQLite directory: counts,
//! progress on stderr, a rerun that changes nothing, and a reused code told apart by date.

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

fn ok(out: Output) -> String {
    assert!(out.status.success(), "chiso failed: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn import_reform_and_where_on_a_small_tree() {
    let dir = temp_dir("units");
    let data = dir.join("data").display().to_string();
    let old = write(
        &dir,
        "old.csv",
        "code,name,level,parent_code,valid_from,valid_to\n01,Thành phố Hà Nội,province,,,\n001,Quận Ba Đình,district,01,,2025-06-30\n\
         00004,Phường Trúc Bạch,commune,001,,\n00013,Phường Quán Thánh,commune,001,,\n,,commune,001,,\n",
    );
    let new = write(
        &dir,
        "new.csv",
        "code,name,level,parent_code,valid_from,valid_to\n01,Thành phố Hà Nội,province,,2025-07-01,\n00004,Phường Ba Đình,commune,01,2025-07-01,\n",
    );
    let map = write(
        &dir,
        "map.csv",
        "level,old_code,new_code,share,note\nprovince,01,01,whole,\ncommune,00004,00004,whole,\ncommune,00013,00004,whole,\n",
    );

    let out = ok(chiso(&["units", "import", &old, "--data-dir", &data]));
    assert!(out.contains("4 mới") && out.contains("Bỏ qua 1 dòng"), "{out}");
    let out = ok(chiso(&["units", "reform", "--mapping", &map, "--units", &new, "--date", "2025-07-01", "--data-dir", &data]));
    assert!(out.contains("2 tạo") && out.contains("3 đóng") && out.contains("3 thêm"), "{out}");
    let again = ok(chiso(&["units", "reform", "--mapping", &map, "--units", &new, "--date", "2025-07-01", "--data-dir", &data]));
    assert!(again.contains("0 tạo") && again.contains("0 đóng") && again.contains("3 đã đóng từ trước"), "rerun: {again}");

    let before = ok(chiso(&["units", "where", "00004", "--on", "2025-06-30", "--data-dir", &data]));
    assert!(before.contains("Phường Trúc Bạch") && before.contains("chuyển về") && before.contains("00004 Phường Ba Đình"), "{before}");
    let json: Value = serde_json::from_str(&ok(chiso(&["units", "where", "00004", "--json", "--data-dir", &data]))).expect("json");
    let names: Vec<&str> = json.as_array().expect("array").iter().filter_map(|w| w["unit"]["name"].as_str()).collect();
    assert_eq!(names, ["Phường Trúc Bạch", "Phường Ba Đình"], "both units that had the code, oldest first");
    assert_eq!(json[1]["predecessors"].as_array().map(Vec::len), Some(2));

    // A mapping naming a unit that does not exist changes nothing and names line and column.
    let bad = write(&dir, "bad.csv", "level,old_code,new_code,share,note\ncommune,99999,00004,whole,\n");
    let out = chiso(&["units", "reform", "--mapping", &bad, "--units", &new, "--date", "2025-07-01", "--data-dir", &data]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("dòng 2, cột old_code"), "{}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}
