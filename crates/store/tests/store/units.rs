use super::*;
use chiso_store::StoreError;
use chiso_store::units::{ImportError, NewUnit};

#[tokio::test]
async fn import_export_round_trip_and_idempotent() {
    on_each_backend(|store, label| async move {
        let sys = Scope::system("test");
        let s = store.import_units_csv(&sys, TREE).await.expect("import");
        assert_eq!((s.created, s.updated, s.unchanged), (6, 0, 0), "{label}");
        let again = store.import_units_csv(&sys, TREE).await.expect("re-import");
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 6), "{label}: import is idempotent");
        let out = store.export_units_csv(&sys).await.expect("export");
        let mut lines_in: Vec<&str> = TREE.lines().collect();
        let mut lines_out: Vec<&str> = out.lines().collect();
        lines_in.sort();
        lines_out.sort();
        assert_eq!(lines_in, lines_out, "{label}: export gives back the same rows");
        let moc_chau = store.unit_by_code(&sys, "X01").await.expect("unit");
        let parent = store.unit_by_code(&sys, "123").await.expect("parent");
        assert_eq!(moc_chau.parent_id, Some(parent.id));
        assert!(moc_chau.path.starts_with(&parent.path));
        let found = store.search_units(&sys, "chieng son").await.expect("search");
        assert_eq!(found.len(), 1, "{label}: diacritic-insensitive search");
        assert_eq!(found[0].code, "X02");
    })
    .await;
}

#[tokio::test]
async fn a_bad_file_changes_nothing_and_names_line_and_column() {
    on_each_backend(|store, label| async move {
        let sys = Scope::system("test");
        load_tree(&store).await;
        let bad =
            "code,name,level,parent_code,valid_from,valid_to\nX09,Xã Mới,commune,123,2001-01-01,\nX10,Xã Lạ,commune,NOPE,2001-01-01,\n";
        let err = store.import_units_csv(&sys, bad).await.expect_err("refused");
        match err {
            ImportError::Rows(rows) => {
                assert_eq!(rows.0.len(), 1, "{label}: {rows}");
                assert_eq!((rows.0[0].line, rows.0[0].column.as_str()), (3, "parent_code"));
            }
            other => panic!("{label}: unexpected {other}"),
        }
        assert!(store.unit_by_code(&sys, "X09").await.is_err(), "{label}: the good row was not stored either");
        let malformed = "code,name,level,parent_code,valid_from,valid_to\nX11,Xã,commune,123,01/02/2001,\n";
        assert!(store.import_units_csv(&sys, malformed).await.is_err());
        assert_eq!(store.units(&sys).await.expect("units").len(), 6, "{label}");
    })
    .await;
}

#[tokio::test]
async fn merge_closes_units_keeps_history_and_moves_children() {
    on_each_backend(|store, label| async move {
        let sys = Scope::system("test");
        load_tree(&store).await;
        store
            .import_units_csv(&sys, "code,name,level,parent_code,valid_from,valid_to\nV1,Bản Áng,village,X02,2000-01-01,\nX20,Xã Mộc Sơn,commune,123,2025-07-01,\n")
            .await
            .expect("import");
        store.merge_units(&sys, &["X02".into(), "X03".into()], "X20", "2025-07-01").await.expect("merge");
        let old = store.unit_by_code(&sys, "X02").await.expect("old unit still readable");
        let new = store.unit_by_code(&sys, "X20").await.expect("new");
        assert_eq!(old.valid_to.as_deref(), Some("2025-06-30"), "{label}");
        assert_eq!(old.successor_id, Some(new.id));
        let preds: Vec<String> = store.predecessors_of(&sys, new.id).await.expect("preds").into_iter().map(|p| p.code).collect();
        assert_eq!(preds, vec!["X02", "X03"], "{label}: a merger records the predecessors too");
        assert!(old.in_force_on("2024-12-31") && !old.in_force_on("2025-07-01"));
        let village = store.unit_by_code(&sys, "V1").await.expect("village");
        assert_eq!(village.parent_id, Some(new.id), "{label}: children move to the successor");
        assert!(village.path.starts_with(&new.path), "{label}: and their path follows");
        let log = store.audit_of(&sys, "unit", "X02").await.expect("audit");
        assert!(log.iter().any(|e| e.action == "merge"), "{label}: merge is audited");
        // Merging into one's own descendant is refused.
        assert!(store.merge_units(&sys, &["123".into()], "X01", "2025-07-01").await.is_err());
    })
    .await;
}

#[tokio::test]
async fn a_commune_officer_cannot_read_or_change_a_sibling_or_the_parent() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let commune = scope_of(&store, "X01", Role::Admin).await;
        // Reads.
        assert!(store.unit_by_code(&commune, "X01").await.is_ok());
        assert!(matches!(store.unit_by_code(&commune, "X02").await, Err(StoreError::OutOfScope(_))), "{label}: sibling");
        assert!(matches!(store.unit_by_code(&commune, "123").await, Err(StoreError::OutOfScope(_))), "{label}: parent");
        let visible: Vec<String> = store.units(&commune).await.expect("units").into_iter().map(|u| u.code).collect();
        assert_eq!(visible, vec!["X01".to_string()], "{label}");
        let sibling_id = store.unit_by_code(&Scope::system("t"), "X02").await.expect("u").id;
        assert!(store.unit_by_id(&commune, sibling_id).await.is_err());
        assert!(store.agencies(&commune, sibling_id).await.is_err());
        // Writes.
        let into_sibling = NewUnit {
            code: "V9".into(),
            name: "Bản".into(),
            level: "village".into(),
            parent_code: Some("X02".into()),
            valid_from: "2020-01-01".into(),
            valid_to: None,
        };
        assert!(store.create_unit(&commune, into_sibling).await.is_err(), "{label}: cannot create under a sibling");
        let rename_parent = "code,name,level,parent_code,valid_from,valid_to\n123,Huyện Đổi Tên,district,14,2000-01-01,\n";
        assert!(store.import_units_csv(&commune, rename_parent).await.is_err(), "{label}: cannot rename the parent");
        assert!(store.ensure_agency(&commune, sibling_id, "Công an xã", "police").await.is_err());
        assert!(store.merge_units(&commune, &["X02".into()], "X01", "2025-07-01").await.is_err());
        assert_eq!(store.unit_by_code(&Scope::system("t"), "123").await.expect("u").name, "Huyện Mộc Châu");
        // Within its own subtree it can work.
        let own_id = store.unit_by_code(&commune, "X01").await.expect("u").id;
        assert!(store.ensure_agency(&commune, own_id, "Công an thị trấn", "police").await.is_ok());
        // A viewer of the district sees the communes but changes nothing.
        let viewer = scope_of(&store, "123", Role::Viewer).await;
        assert_eq!(store.units(&viewer).await.expect("units").len(), 4);
        assert!(matches!(store.ensure_agency(&viewer, own_id, "Phòng X", "office").await, Err(StoreError::Forbidden(_))));
    })
    .await;
}

fn dataset(name: &str) -> String {
    let path = format!("{}/../../datasets/units/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[tokio::test]
async fn the_2025_reform_on_the_official_lists_keeps_history_and_reused_codes_apart() {
    let (units_2024, units_2025, mergers) = (dataset("units-2024.csv"), dataset("units-2025.csv"), dataset("mergers-2025.csv"));
    on_each_backend(|store, label| {
        let (units_2024, units_2025, mergers) = (units_2024.clone(), units_2025.clone(), mergers.clone());
        async move {
            let sys = Scope::system("test");
            let t = std::time::Instant::now();
            let s = store.import_units_csv(&sys, &units_2024).await.expect("import 2024");
            eprintln!("{label}: units-2024.csv imported in {:?}", t.elapsed());
            assert_eq!(s.created, 63 + 696 + 10_035, "{label}: every unit of the 2024 list");
            assert_eq!(s.skipped_lines, vec![3828], "{label}: the source's one empty record is skipped, and said so");

            let t = std::time::Instant::now();
            let r = store.apply_reform(&sys, &units_2025, &mergers, "2025-07-01", None).await.expect("reform");
            eprintln!("{label}: reform applied in {:?}", t.elapsed());
            assert_eq!((r.created, r.predecessors_added), (34 + 3_321, 10_660), "{label}");
            assert_eq!(r.closed, 63 + 10_035, "{label}: every mapped old unit is closed once");
            assert!(r.left_open.is_empty(), "{label}: the 2024 list closes every old unit itself");

            let all = store.units(&sys).await.expect("units");
            let in_force = |level: &str, day: &str| all.iter().filter(|u| u.level == level && u.in_force_on(day)).count();
            assert_eq!((in_force("province", "2025-07-01"), in_force("commune", "2025-07-01")), (34, 3_321), "{label}");
            assert_eq!(in_force("district", "2025-07-01"), 0, "{label}: no districts after the reform");
            assert_eq!((in_force("province", "2025-06-30"), in_force("commune", "2025-06-30")), (63, 10_035), "{label}");
            let old_provinces: Vec<_> =
                all.iter().filter(|u| u.level == "province" && u.valid_to.as_deref() == Some("2025-06-30")).collect();
            assert_eq!(old_provinces.len(), 63, "{label}");
            assert!(old_provinces.iter().all(|u| u.successor_id.is_some()), "{label}: every old province has its successor");

            // Three merged provinces: Hà Nam + Nam Định + Ninh Bình → Ninh Bình (37), and two more.
            for (new, olds) in [
                ("37", vec!["Tỉnh Hà Nam", "Tỉnh Nam Định", "Tỉnh Ninh Bình"]),
                ("08", vec!["Tỉnh Hà Giang", "Tỉnh Tuyên Quang"]),
                ("79", vec!["Thành phố Hồ Chí Minh", "Tỉnh Bà Rịa - Vũng Tàu", "Tỉnh Bình Dương"]),
            ] {
                let unit = store.unit_by_code(&sys, new).await.expect("new province");
                assert_eq!(unit.valid_from, "2025-07-01", "{label}: the code now names the new province");
                let mut names: Vec<String> =
                    store.predecessors_of(&sys, unit.id).await.expect("preds").into_iter().map(|p| p.name).collect();
                names.sort();
                let mut want: Vec<String> = olds.iter().map(|s| s.to_string()).collect();
                want.sort();
                assert_eq!(names, want, "{label}: predecessors of {new}");
                for old in store.predecessors_of(&sys, unit.id).await.expect("preds") {
                    let old = store.unit_by_id(&sys, old.id).await.expect("old");
                    assert_eq!((old.valid_to.as_deref(), old.successor_id), (Some("2025-06-30"), Some(unit.id)), "{label}");
                }
            }
            let old_ninh_binh = store.unit_by_code_on(&sys, "37", "2025-06-30").await.expect("old 37");
            assert_ne!(old_ninh_binh.id, store.unit_by_code(&sys, "37").await.expect("new 37").id, "{label}: two units, one code");

            // A reused commune code.
            let before = store.unit_by_code_on(&sys, "00004", "2025-06-30").await.expect("00004 before");
            let after = store.unit_by_code_on(&sys, "00004", "2025-07-01").await.expect("00004 after");
            assert_eq!((before.name.as_str(), after.name.as_str()), ("Phường Trúc Bạch", "Phường Ba Đình"), "{label}");
            assert_eq!(store.unit_by_code(&sys, "00004").await.expect("now").id, after.id, "{label}: today's unit by default");
            let where_before = store.where_is_unit(&sys, "00004", Some("2025-06-30")).await.expect("where");
            assert_eq!(where_before.len(), 1);
            assert!(where_before[0].successors.iter().any(|s| s.id == after.id), "{label}: Trúc Bạch went to Ba Đình");
            assert_eq!(store.where_is_unit(&sys, "00004", None).await.expect("history").len(), 2, "{label}");

            // A commune divided between three new ones: all three are successors, the main part first.
            let divided = store.unit_by_code_on(&sys, "11581", "2025-06-30").await.expect("divided commune");
            let succ = store.successors_of(&sys, divided.id).await.expect("successors");
            let codes: Vec<&str> = succ.iter().map(|s| s.code.as_str()).collect();
            assert_eq!(codes.len(), 3, "{label}: {codes:?}");
            assert_eq!((codes[0], succ[0].main), ("11581", 1), "{label}: main part first");
            assert_eq!(divided.successor_id, Some(succ[0].id), "{label}: the successor is the main part");
            assert!(store.audit_of(&sys, "unit", "11581").await.expect("audit").iter().any(|e| e.action == "close"), "{label}");

            // Rerunning changes nothing.
            let again = store.apply_reform(&sys, &units_2025, &mergers, "2025-07-01", None).await.expect("rerun");
            assert_eq!((again.created, again.updated, again.closed, again.predecessors_added), (0, 0, 0, 0), "{label}: idempotent");
            assert_eq!((again.unchanged, again.already_closed), (3_355, r.closed), "{label}");
            // Re-importing the old list does not touch the new units that reuse its codes.
            let re = store.import_units_csv(&sys, &units_2024).await.expect("re-import 2024");
            assert_eq!((re.created, re.updated), (0, 0), "{label}");

            // Only a scope that reaches everything may apply a reform.
            let province = Scope {
                user_id: None,
                actor: "p".into(),
                role: Role::Admin,
                reach: Reach::Subtree { unit_id: after.id, path: after.path.clone() },
                agency_id: None,
            };
            assert!(store.apply_reform(&province, &units_2025, &mergers, "2025-07-01", None).await.is_err(), "{label}");
        }
    })
    .await;
}

#[tokio::test]
async fn foreign_keys_are_enforced_after_the_unit_table_rebuild() {
    // Migration 0007 rebuilds `unit` on SQLite with foreign keys off; they must be back on afterwards.
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        const BAD: &str = "INSERT INTO agency (unit_id, name, name_fold, kind) VALUES (999999, 'x', 'x', 'x')";
        let res = chiso_store::on_db!(&store.write, |p| sqlx::query(BAD).execute(p).await.map(|_| ()));
        assert!(res.is_err(), "{label}: an agency of a unit that does not exist is refused");
        const CODES: &str = "INSERT INTO unit (code, name, name_fold, level, parent_id, path, valid_from, created_at) \
                             VALUES ('14', 'x', 'x', 'province', NULL, '/', '2000-01-01', 0)";
        let dup = chiso_store::on_db!(&store.write, |p| sqlx::query(CODES).execute(p).await.map(|_| ()));
        assert!(dup.is_err(), "{label}: one code and one valid_from name one unit");
    })
    .await;
}

/// `move_to_successor`: a closed commune divided between two new ones; its accounts move to the successor the
/// operator picks (an agency account joins the successor's agency of the same name, another agency moves
/// with its account), the closed commune goes under that successor so its plans become the successor's
/// history (the successor's users reach them, the other successor's do not), all audited, rerun a no-op; a
/// unit that is not a successor is refused and nothing changes.
#[tokio::test]
async fn moving_a_closed_unit_to_its_successor() {
    use chiso_core::access::Role;
    use chiso_store::accounts::NewUser;
    on_each_backend(|store, label| async move {
        let sys = Scope::system("test");
        let old = "code,name,level,parent_code,valid_from,valid_to\n01,Thành phố Hà Nội,province,,,\n\
                   00001,Phường Cũ,commune,01,,2025-06-30\n";
        store.import_units_csv(&sys, old).await.expect("old");
        let new = "code,name,level,parent_code,valid_from,valid_to\n10001,Phường Mới Một,commune,01,2025-07-01,\n\
                   10002,Phường Mới Hai,commune,01,2025-07-01,\n10003,Phường Khác,commune,01,2025-07-01,\n";
        let map = "level,old_code,new_code,share,note\ncommune,00001,10001,part,main\ncommune,00001,10002,part,\n";
        store.apply_reform(&sys, new, map, "2025-07-01", None).await.expect("reform");
        let old_unit = store.unit_by_code(&sys, "00001").await.expect("old unit");
        let one = store.unit_by_code(&sys, "10001").await.expect("new 1");
        let office_old = store.ensure_agency(&sys, old_unit.id, "Văn phòng HĐND và UBND", "office").await.expect("agency");
        let culture_old = store.ensure_agency(&sys, old_unit.id, "Phòng Văn hóa", "office").await.expect("agency");
        let office_new = store.ensure_agency(&sys, one.id, "Văn phòng HĐND và UBND", "office").await.expect("agency");
        let user = |name: &str, role, unit: &str, agency| NewUser {
            username: name.into(),
            full_name: name.into(),
            password: "mat-khau-test".into(),
            role,
            unit_code: Some(unit.into()),
            agency_id: agency,
        };
        store.create_user(&sys, user("vp.cu", Role::Specialist, "00001", None)).await.expect("user");
        store.create_user(&sys, user("vp.cu.vp", Role::AgencyStaff, "00001", Some(office_old.id))).await.expect("user");
        store.create_user(&sys, user("vp.cu.vh", Role::AgencyStaff, "00001", Some(culture_old.id))).await.expect("user");
        store.create_user(&sys, user("vp.hai", Role::Specialist, "10002", None)).await.expect("user");
        store.create_plan(&sys, "00001", &crate::plans::draft("Kế hoạch của phường cũ", vec![]), None, None).await.expect("plan");

        // Not a successor: refused, nothing moves.
        let e = store.move_to_successor(&sys, "00001", "2025-06-30", "10003").await.expect_err("not a successor");
        assert!(e.to_string().contains("không phải đơn vị kế thừa") && e.to_string().contains("10001"), "{label}: {e}");
        // Still in force: refused.
        assert!(store.move_to_successor(&sys, "10001", "2025-07-01", "10002").await.is_err(), "{label}");
        let user_unit = |name: &'static str| {
            let store = store.clone();
            async move { store.user_by_username(name).await.expect("q").expect("user") }
        };
        assert_eq!(user_unit("vp.cu").await.unit_id, Some(old_unit.id), "{label}: nothing moved");

        let s = store.move_to_successor(&sys, "00001", "2025-06-30", "10001").await.expect("move");
        assert_eq!(s.users, ["vp.cu", "vp.cu.vh", "vp.cu.vp"], "{label}");
        assert_eq!((s.agencies_moved, s.agencies_joined), (1, 1), "{label}");
        assert_eq!((s.plans, s.unchanged), (1, false), "{label}");
        assert_eq!(s.from.parent_id, Some(one.id), "{label}: the closed unit is now under its successor");
        assert!(s.from.path.starts_with(&one.path) && s.from.valid_to.as_deref() == Some("2025-06-30"), "{label}: {:?}", s.from);
        let vp = user_unit("vp.cu.vp").await;
        assert_eq!((vp.unit_id, vp.agency_id), (Some(one.id), Some(office_new.id)), "{label}: joined the successor's office");
        let vh = user_unit("vp.cu.vh").await;
        assert_eq!((vh.unit_id, vh.agency_id), (Some(one.id), Some(culture_old.id)), "{label}: kept its agency, moved");
        assert_eq!(store.agency_by_id(&sys, culture_old.id).await.expect("agency").unit_id, one.id, "{label}");

        // The successor's specialist reaches the old plan as history; the other successor's does not.
        let scope = store.scope_for(&user_unit("vp.cu").await).await.expect("scope");
        let plans = store.plans(&scope, &chiso_store::plans::PlanFilter::default()).await.expect("plans");
        assert_eq!(plans.len(), 1, "{label}: the old commune's plan is the successor's history");
        let other = store.scope_for(&user_unit("vp.hai").await).await.expect("scope");
        assert!(store.plans(&other, &chiso_store::plans::PlanFilter::default()).await.expect("plans").is_empty(), "{label}");
        // Lists of the successor's children in force do not show the closed unit as a current unit.
        assert!(!s.from.in_force_on("2025-07-01"), "{label}");

        // Audited: each account, the agency and the unit's new place (its former parent kept).
        let unit_audit = store.audit_of(&sys, "unit", "00001").await.expect("audit");
        let moved = unit_audit.iter().find(|a| a.action == "move").expect("unit move audited");
        assert!(
            moved.old_value.as_deref().is_some_and(|v| v.contains("Hà Nội"))
                && moved.new_value.as_deref().is_some_and(|v| v.contains("10001")),
            "{label}: {moved:?}"
        );
        assert!(store.audit_of(&sys, "user", "vp.cu").await.expect("audit").iter().any(|a| a.action == "move"), "{label}");

        let again = store.move_to_successor(&sys, "00001", "2025-06-30", "10001").await.expect("rerun");
        assert!(again.unchanged && again.users.is_empty(), "{label}: rerun changes nothing");
    })
    .await;
}

/// Issue 13 item 11: a unit name a spreadsheet would run as a formula leaves the CSV export as text (a
/// leading `'`), and reads back as the same name.
#[tokio::test]
async fn the_units_export_never_hands_a_spreadsheet_a_formula() {
    on_each_backend(|store, label| async move {
        let sys = Scope::system("test");
        let name = "=HYPERLINK(\"http://evil.example\",\"Bấm vào\")";
        let csv = format!("{TREE}X09,\"{}\",commune,123,2000-01-01,\n", name.replace('"', "\"\""));
        store.import_units_csv(&sys, &csv).await.expect("import");
        assert_eq!(store.unit_by_code(&sys, "X09").await.expect("unit").name, name, "{label}");
        let out = store.export_units_csv(&sys).await.expect("export");
        let line = out.lines().find(|l| l.starts_with("X09,")).expect("exported");
        assert_eq!(line, "X09,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Bấm vào\"\")\",commune,123,2000-01-01,", "{label}");
        for l in out.lines() {
            for field in l.split(',') {
                assert!(!field.trim_start_matches('"').starts_with(['=', '+', '@']), "{label}: a formula cell in {l}");
            }
        }
        // The guard is undone on the way back in: re-importing the export changes nothing.
        let again = store.import_units_csv(&sys, &out).await.expect("re-import");
        assert_eq!((again.created, again.updated), (0, 0), "{label}");
        assert_eq!(store.unit_by_code(&sys, "X09").await.expect("unit").name, name, "{label}");
    })
    .await;
}

/// Two old provinces after the reform: Hà Nội's communes 00001 and 00002 merged whole into 10001, 00003 divided
/// between 10002 (main part) and 10003; Hà Giang's 00009 merged into 20001. One account on each old commune,
/// one plan on 00001.
async fn reformed_two_provinces(store: &chiso_store::Store) {
    use chiso_core::access::Role;
    use chiso_store::accounts::NewUser;
    let sys = Scope::system("test");
    let old = "code,name,level,parent_code,valid_from,valid_to\n01,Thành phố Hà Nội,province,,,\n02,Tỉnh Hà Giang,province,,,\n\
               00001,Phường Trúc Bạch,commune,01,,2025-06-30\n00002,Phường Quán Thánh,commune,01,,2025-06-30\n\
               00003,Xã Đông Anh,commune,01,,2025-06-30\n00009,Xã Lũng Cú,commune,02,,2025-06-30\n";
    store.import_units_csv(&sys, old).await.expect("old");
    let new = "code,name,level,parent_code,valid_from,valid_to\n10001,Phường Ba Đình,commune,01,2025-07-01,\n\
               10002,Xã Đông Anh Mới,commune,01,2025-07-01,\n10003,Xã Thư Lâm,commune,01,2025-07-01,\n\
               20001,Xã Lũng Cú Mới,commune,02,2025-07-01,\n";
    let map = "level,old_code,new_code,share,note\ncommune,00001,10001,whole,\ncommune,00002,10001,whole,\n\
               commune,00003,10002,part,main\ncommune,00003,10003,part,\ncommune,00009,20001,whole,\n";
    store.apply_reform(&sys, new, map, "2025-07-01", None).await.expect("reform");
    for (name, unit) in [("tk.trucbach", "00001"), ("tk.quanthanh", "00002"), ("tk.donganh", "00003"), ("tk.lungcu", "00009")] {
        let user = NewUser {
            username: name.into(),
            full_name: name.into(),
            password: "mat-khau-test".into(),
            role: Role::Specialist,
            unit_code: Some(unit.into()),
            agency_id: None,
        };
        store.create_user(&sys, user).await.expect("user");
    }
    store.create_plan(&sys, "00001", &crate::plans::draft("Kế hoạch của phường Trúc Bạch", vec![]), None, None).await.expect("plan");
}

/// The batch after a reform (what the page's "move every closed unit with one successor" does): the pending
/// list of a province official holds only its province's closed units (filtered without diacritics, with what
/// would move); moving the single-successor ones is one transaction — a refused move (not a successor, or a
/// unit outside the scope) leaves every other one of the batch unmoved and unaudited; a role that may not
/// manage units is refused; each account and unit moved is audited.
#[tokio::test]
async fn batch_move_is_all_or_nothing_audited_and_scoped() {
    use chiso_core::access::Role;
    use chiso_core::list::PageRequest;
    use chiso_store::units::{PendingColumn, PendingFilter};
    on_each_backend(|store, label| async move {
        let sys = Scope::system("test");
        reformed_two_provinces(&store).await;
        let today = "2025-08-01";
        let hanoi = scope_of(&store, "01", Role::Specialist).await;
        let id = |code: &'static str| {
            let store = store.clone();
            async move { store.unit_by_code_on(&Scope::system("t"), code, "2025-06-30").await.map(|u| u.id).unwrap_or(0) }
        };
        let new_id = |code: &'static str| {
            let store = store.clone();
            async move { store.unit_by_code(&Scope::system("t"), code).await.expect("new").id }
        };
        let all = |scope: Scope| {
            let store = store.clone();
            async move { store.all_pending_moves(&scope, today).await.expect("pending") }
        };

        // The province official sees its own province's closed communes only.
        let pending = all(hanoi.clone()).await;
        let codes: Vec<&str> = pending.iter().map(|p| p.unit.code.as_str()).collect();
        assert_eq!(codes, ["00002", "00001", "00003"], "{label}: sorted by name without diacritics, no Lũng Cú");
        let truc_bach = pending.iter().find(|p| p.unit.code == "00001").expect("00001");
        assert_eq!((truc_bach.accounts, truc_bach.plans, truc_bach.placed), (1, 1, false), "{label}");
        assert_eq!(truc_bach.single_successor().map(|s| s.code.as_str()), Some("10001"), "{label}");
        let dong_anh = pending.iter().find(|p| p.unit.code == "00003").expect("00003");
        let choices: Vec<&str> = dong_anh.successors.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(choices, ["10002", "10003"], "{label}: a divided commune, main part first");
        assert!(dong_anh.single_successor().is_none(), "{label}");
        let filtered = store
            .pending_moves(&hanoi, today, &PendingFilter { text: Some("truc bach".into()) }, PendingColumn::DEFAULT, PageRequest::default())
            .await
            .expect("filtered");
        assert_eq!((filtered.total, filtered.items[0].unit.code.as_str()), (1, "00001"), "{label}: diacritic-insensitive filter");
        let by_code = store
            .pending_moves(&hanoi, today, &PendingFilter { text: Some("0000".into()) }, PendingColumn::DEFAULT, PageRequest::new(2, 2))
            .await
            .expect("paged");
        assert_eq!((by_code.total, by_code.page, by_code.items.len()), (3, 2, 1), "{label}: by code, paged");
        assert!(all(sys.clone()).await.iter().any(|p| p.unit.code == "00009"), "{label}: the system sees every province");
        // Nothing is closed yet on the reform's eve.
        assert!(store.all_pending_moves(&hanoi, "2025-06-30").await.expect("eve").is_empty(), "{label}");

        let (a, b, c, d) = (id("00001").await, id("00002").await, id("00003").await, id("00009").await);
        let (n1, n2, n9) = (new_id("10001").await, new_id("10002").await, new_id("20001").await);
        let user_unit = |name: &'static str| {
            let store = store.clone();
            async move { store.user_by_username(name).await.expect("q").expect("user").unit_id }
        };
        let audit_moves = || {
            let store = store.clone();
            async move {
                let mut n = 0;
                for (entity, key) in [("user", "tk.trucbach"), ("user", "tk.quanthanh"), ("unit", "00001"), ("unit", "00002")] {
                    n += store
                        .audit_of(&Scope::system("t"), entity, key)
                        .await
                        .expect("audit")
                        .iter()
                        .filter(|e| e.action == "move")
                        .count();
                }
                n
            }
        };

        // All or nothing: the second move is refused (10001 is not a successor of 00003), so the first is undone.
        let e = store.move_units(&hanoi, &[(a, n1), (c, n1)]).await.expect_err("not a successor");
        assert!(e.to_string().contains("không phải đơn vị kế thừa") && e.to_string().contains("Xã Đông Anh (00003"), "{label}: {e}");
        assert_eq!(user_unit("tk.trucbach").await, Some(a), "{label}: the first move of the batch was rolled back");
        assert_eq!(store.unit_by_code_on(&sys, "00001", "2025-06-30").await.expect("u").parent_id, Some(new_id("01").await), "{label}");
        // Out of scope: a Hà Giang commune in a Hà Nội official's batch refuses the whole batch.
        let e = store.move_units(&hanoi, &[(b, n1), (d, n9)]).await.expect_err("out of scope");
        assert!(matches!(e, chiso_store::StoreError::OutOfScope(_)) && e.to_string().contains("00009"), "{label}: {e}");
        assert_eq!(user_unit("tk.quanthanh").await, Some(b), "{label}");
        assert_eq!(audit_moves().await, 0, "{label}: nothing audited for refused batches");
        // A role that may not manage units sees and moves nothing.
        let viewer = scope_of(&store, "01", Role::Viewer).await;
        assert!(matches!(store.move_units(&viewer, &[(a, n1)]).await, Err(chiso_store::StoreError::Forbidden(_))), "{label}");
        assert!(store.all_pending_moves(&viewer, today).await.is_err(), "{label}");

        // The batch: every pending unit with a single successor in scope, in one transaction.
        let pairs: Vec<(i64, i64)> = pending.iter().filter_map(|p| p.single_successor().map(|s| (p.unit.id, s.id))).collect();
        assert_eq!(pairs, [(b, n1), (a, n1)], "{label}");
        let moved = store.move_units(&hanoi, &pairs).await.expect("batch");
        let users: Vec<&str> = moved.iter().flat_map(|m| m.users.iter().map(String::as_str)).collect();
        assert_eq!(users, ["tk.quanthanh", "tk.trucbach"], "{label}");
        assert_eq!(moved.iter().map(|m| m.plans).sum::<i64>(), 1, "{label}");
        assert_eq!((user_unit("tk.trucbach").await, user_unit("tk.quanthanh").await), (Some(n1), Some(n1)), "{label}");
        assert_eq!(audit_moves().await, 4, "{label}: one entry per account and per unit placed");
        // Left: the divided commune only; the province official can still move it with a choice.
        let left: Vec<String> = all(hanoi.clone()).await.into_iter().map(|p| p.unit.code).collect();
        assert_eq!(left, ["00003"], "{label}");
        store.move_units(&hanoi, &[(c, n2)]).await.expect("divided, chosen");
        assert!(all(hanoi.clone()).await.is_empty(), "{label}");
        assert_eq!(all(sys.clone()).await.len(), 1, "{label}: Hà Giang's commune waits for its own province");
    })
    .await;
}

/// Issue: "old tasks keep lead agency name after move" — decided in the doc of the store's moves module: an
/// agency account that joins the successor's agency of the same name leaves the closed commune's tasks led, as
/// written, by the old agency (still on the closed unit, same name); the successor's agency does not get them
/// in its work list (task progress of its own unit); the successor's users read them as history.
#[tokio::test]
async fn moving_keeps_old_tasks_as_history() {
    use chiso_core::access::Role;
    use chiso_store::accounts::NewUser;
    on_each_backend(|store, label| async move {
        let sys = Scope::system("test");
        reformed_two_provinces(&store).await;
        let old = store.unit_by_code_on(&sys, "00001", "2025-06-30").await.expect("old");
        let new = store.unit_by_code(&sys, "10001").await.expect("new");
        let office = "Văn phòng HĐND và UBND";
        let office_old = store.ensure_agency(&sys, old.id, office, "office").await.expect("agency");
        let office_new = store.ensure_agency(&sys, new.id, office, "office").await.expect("agency");
        let staff = NewUser {
            username: "vp.trucbach".into(),
            full_name: "Văn phòng Trúc Bạch".into(),
            password: "mat-khau-test".into(),
            role: Role::AgencyStaff,
            unit_code: Some("00001".into()),
            agency_id: Some(office_old.id),
        };
        store.create_user(&sys, staff).await.expect("staff");
        let mut d = crate::plans::draft(
            "Kế hoạch PAPI của phường Trúc Bạch",
            vec![crate::plans::task("1", "Niêm yết công khai", &[], Some(office))],
        );
        d.number = Some("427/KH-UBND".into());
        let plan = store.create_plan(&sys, "00001", &d, None, None).await.expect("plan");
        let task = store.tasks(&sys, plan.id).await.expect("tasks").remove(0);
        assert_eq!(task.row.lead_agency_id, Some(office_old.id), "{label}");

        let s = store.move_to_successor(&sys, "00001", "2025-06-30", "10001").await.expect("move");
        assert_eq!(s.agencies_joined, 1, "{label}");
        let moved = store.user_by_username("vp.trucbach").await.expect("q").expect("user");
        assert_eq!((moved.unit_id, moved.agency_id), (Some(new.id), Some(office_new.id)), "{label}: joined the successor's office");

        // History as written: the task still names the old office, which stays on the closed unit.
        let after = store.task(&sys, task.row.id).await.expect("task");
        assert_eq!((after.row.lead_agency_id, after.row.lead_agency.as_deref()), (Some(office_old.id), Some(office)), "{label}");
        let kept = store.agency_by_id(&sys, office_old.id).await.expect("old office");
        assert_eq!((kept.unit_id, kept.name.as_str()), (old.id, office), "{label}");
        // The successor's users read it as history …
        let successor_scope = store.scope_for(&moved).await.expect("scope");
        assert_eq!(store.task(&successor_scope, task.row.id).await.expect("readable").row.text, "Niêm yết công khai", "{label}");
        // … but it is not the successor office's work: its task list (its own unit's plans) does not hold it.
        let today = time::macros::date!(2025 - 08 - 01);
        let work = store.task_progress(&successor_scope, &new, 2022, Some(&office_new), today).await.expect("progress");
        assert!(work.iter().all(|t| t.task.row.id != task.row.id), "{label}");
    })
    .await;
}
