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

    // Moving the closed unit's history to its successor: explicit, refused for a unit still in force.
    let out = ok(chiso(&["units", "move", "--from", "00013@2025-06-30", "--to", "00004", "--data-dir", &data]));
    assert!(out.contains("Đã chuyển 00013 Phường Quán Thánh") && out.contains("00004 Phường Ba Đình"), "{out}");
    let again = ok(chiso(&["units", "move", "--from", "00013@2025-06-30", "--to", "00004", "--data-dir", &data]));
    assert!(again.contains("không thay đổi gì"), "{again}");
    let bad = chiso(&["units", "move", "--from", "00004@2025-07-01", "--to", "01", "--data-dir", &data]);
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("vẫn còn hiệu lực"));
    // The batch (`--all`): every other closed unit with one successor, in one transaction; a rerun moves none.
    let all = ok(chiso(&["units", "move", "--all", "--data-dir", &data]));
    assert!(all.contains("đơn vị có một đơn vị kế thừa") && !all.contains("Đã chuyển 00013"), "{all}");
    let none = ok(chiso(&["units", "move", "--all", "--data-dir", &data]));
    assert!(none.contains("Đã chuyển 0 đơn vị"), "{none}");

    // A mapping naming a unit that does not exist changes nothing and names line and column.
    let bad = write(&dir, "bad.csv", "level,old_code,new_code,share,note\ncommune,99999,00004,whole,\n");
    let out = chiso(&["units", "reform", "--mapping", &bad, "--units", &new, "--date", "2025-07-01", "--data-dir", &data]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("dòng 2, cột old_code"), "{}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The shipped files, from the workspace root.
fn dataset(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/units").join(name).display().to_string()
}

/// Issue 11's "done means" on the real files: `units import units-2024.csv`, then `units reform` with the
/// 2025 mapping gives 34 provinces and 3,321 communes in force on 2025-07-01 and no district, the 63 old
/// provinces closed on 2025-06-30 each with its successor, and the merged provinces with their
/// predecessors — on SQLite (a data directory) and on PostgreSQL (`--database-url`) when configured.
#[tokio::test(flavor = "multi_thread")]
async fn the_2025_reform_on_the_real_unit_lists() {
    use chiso_core::access::Scope;
    use chiso_store::Store;
    use chiso_store::testing::TestDb;

    let dir = temp_dir("reform-real");
    let sqlite_dir = dir.join("data").display().to_string();
    let mut targets: Vec<(&str, Vec<String>, Option<TestDb>)> = vec![("sqlite", vec!["--data-dir".into(), sqlite_dir.clone()], None)];
    if let Some(pg) = TestDb::postgres().await.expect("pg") {
        let url = pg.url().expect("url");
        targets.push(("postgres", vec!["--database-url".into(), url], Some(pg)));
    }
    let (old, new, map) = (dataset("units-2024.csv"), dataset("units-2025.csv"), dataset("mergers-2025.csv"));
    for (label, db, pg) in targets {
        let with = |args: &[&str]| -> Vec<String> { args.iter().map(|s| s.to_string()).chain(db.iter().cloned()).collect() };
        let run = |args: Vec<String>| {
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            ok(chiso(&refs))
        };
        let out = run(with(&["units", "import", &old]));
        // 63 + 696 + 10,036 rows, one of them (line 3828) an empty record of the source: skipped and said so.
        assert!(out.contains("10794 mới") && out.contains("[3828]"), "{label}: {out}");
        let out = run(with(&["units", "reform", "--mapping", &map, "--units", &new, "--date", "2025-07-01"]));
        assert!(out.contains("3355 tạo"), "{label}: 34 + 3,321 new units: {out}");

        // Counts by level of what is in force on 2025-07-01 (the export lists every unit with its validity).
        let csv = run(with(&["units", "export"]));
        let mut in_force: std::collections::BTreeMap<String, usize> = Default::default();
        for line in csv.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let (level, from, to) = (f[2], f[4], f[5]);
            if (from.is_empty() || from <= "2025-07-01") && (to.is_empty() || to >= "2025-07-01") {
                *in_force.entry(level.to_string()).or_default() += 1;
            }
        }
        assert_eq!(in_force.get("province"), Some(&34), "{label}: {in_force:?}");
        assert_eq!(in_force.get("commune"), Some(&3321), "{label}: {in_force:?}");
        assert_eq!(in_force.get("district"), None, "{label}: no district after the reform: {in_force:?}");

        // The 63 old provinces: closed on 2025-06-30, each with a successor in force from 2025-07-01.
        let url = match &pg {
            Some(p) => p.url().expect("url"),
            None => Store::sqlite_url_for_dir(Path::new(&sqlite_dir)),
        };
        let store = Store::connect(&url).await.expect("store");
        let units = store.units(&Scope::system("t")).await.expect("units");
        let by_id: std::collections::HashMap<i64, &chiso_store::units::Unit> = units.iter().map(|u| (u.id, u)).collect();
        let old_provinces: Vec<_> = units.iter().filter(|u| u.level == "province" && u.valid_to.as_deref() == Some("2025-06-30")).collect();
        assert_eq!(old_provinces.len(), 63, "{label}");
        for p in &old_provinces {
            let s = p.successor_id.and_then(|id| by_id.get(&id)).unwrap_or_else(|| panic!("{label}: {} has no successor", p.name));
            assert!(s.level == "province" && s.valid_from == "2025-07-01" && s.valid_to.is_none(), "{label}: {} → {}", p.name, s.name);
        }
        store.close().await;

        // Three merged provinces, with their predecessors (the codes are reused: 37 is Ninh Bình before and after).
        for (code, name, preds) in [
            ("37", "Tỉnh Ninh Bình", vec!["Tỉnh Hà Nam", "Tỉnh Nam Định", "Tỉnh Ninh Bình"]),
            ("08", "Tỉnh Tuyên Quang", vec!["Tỉnh Hà Giang", "Tỉnh Tuyên Quang"]),
            ("79", "Thành phố Hồ Chí Minh", vec!["Thành phố Hồ Chí Minh", "Tỉnh Bà Rịa - Vũng Tàu", "Tỉnh Bình Dương"]),
        ] {
            let json: Value = serde_json::from_str(&run(with(&["units", "where", code, "--on", "2025-07-01", "--json"]))).expect("json");
            assert_eq!(json[0]["unit"]["name"], name, "{label}");
            let mut got: Vec<&str> = json[0]["predecessors"].as_array().expect("array").iter().filter_map(|p| p["name"].as_str()).collect();
            got.sort();
            assert_eq!(got, preds, "{label}: predecessors of {name}");
        }
        // A closed old province tells where it went.
        let before = run(with(&["units", "where", "35", "--on", "2025-06-30"]));
        assert!(
            before.contains("Tỉnh Hà Nam") && before.contains("chuyển về") && before.contains("37 Tỉnh Ninh Bình"),
            "{label}: {before}"
        );
        if let Some(pg) = pg {
            pg.cleanup().await;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
