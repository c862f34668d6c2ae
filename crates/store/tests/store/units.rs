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
