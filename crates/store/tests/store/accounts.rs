use super::*;
use chiso_store::StoreError;
use chiso_store::accounts::{LoginOutcome, MAX_FAILED_LOGINS, NewUser};

fn new_user(username: &str, unit: Option<&str>, role: Role) -> NewUser {
    NewUser {
        username: username.into(),
        full_name: "Nguyễn Văn A".into(),
        password: "mat-khau-dai".into(),
        role,
        unit_code: unit.map(String::from),
        agency_id: None,
    }
}

#[tokio::test]
async fn login_sessions_and_scope() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let sys = Scope::system("test");
        let u = store.create_user(&sys, new_user("xa.x01", Some("X01"), Role::Specialist)).await.expect("user");
        assert!(matches!(store.create_user(&sys, new_user("xa.x01", Some("X01"), Role::Viewer)).await, Err(StoreError::Conflict(_))));
        assert!(matches!(store.login("xa.x01", "wrong", "1.2.3.4").await.expect("login"), LoginOutcome::BadCredentials));
        let user = match store.login("XA.X01", "mat-khau-dai", "1.2.3.4").await.expect("login") {
            LoginOutcome::Ok(u) => u,
            other => panic!("{label}: {other:?}"),
        };
        assert_eq!(user.id, u.id);
        let session = store.create_session(user.id).await.expect("session");
        let (back, csrf) = store.session_user(&session.token).await.expect("lookup").expect("live");
        assert_eq!((back.id, csrf), (user.id, session.csrf_token.clone()));
        let scope = store.scope_for(&back).await.expect("scope");
        assert!(store.unit_by_code(&scope, "X02").await.is_err(), "{label}: scope from the account");
        store.delete_session(&session.token).await.expect("logout");
        assert!(store.session_user(&session.token).await.expect("lookup").is_none(), "{label}: logged out");
    })
    .await;
}

#[tokio::test]
async fn repeated_failures_back_off_per_username_and_address() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        store.create_user(&Scope::system("t"), new_user("nv.huyen", Some("123"), Role::Specialist)).await.expect("user");
        for _ in 0..MAX_FAILED_LOGINS {
            assert!(matches!(store.login("nv.huyen", "sai-mat-khau", "9.9.9.9").await.expect("login"), LoginOutcome::BadCredentials));
        }
        // The attacker's address waits, even with the right password …
        match store.login("nv.huyen", "mat-khau-dai", "9.9.9.9").await.expect("login") {
            LoginOutcome::RateLimited(secs) => assert!((1..=30).contains(&secs), "{label}: first back-off is short: {secs}"),
            other => panic!("{label}: expected a back-off, got {other:?}"),
        }
        // … but the real user at their own address is not locked out.
        assert!(matches!(store.login("nv.huyen", "mat-khau-dai", "8.8.8.8").await.expect("login"), LoginOutcome::Ok(_)), "{label}");
        // Unknown usernames from one address lock nobody out, not even a real user behind the same address.
        for i in 0..3 * MAX_FAILED_LOGINS {
            let name = format!("khong-co-{i}");
            assert!(matches!(store.login(&name, "x", "7.7.7.7").await.expect("login"), LoginOutcome::BadCredentials));
        }
        assert!(matches!(store.login("nv.huyen", "mat-khau-dai", "7.7.7.7").await.expect("login"), LoginOutcome::Ok(_)), "{label}");
    })
    .await;
}

#[tokio::test]
async fn unknown_usernames_take_as_long_as_wrong_passwords() {
    on_each_backend(|mut store, label| async move {
        load_tree(&store).await;
        // Real Argon2 parameters: the difference the dummy verification hides is the hash itself.
        store.hash_cost = chiso_store::accounts::HashCost::Standard;
        store.create_user(&Scope::system("t"), new_user("nv.huyen", Some("123"), Role::Specialist)).await.expect("user");
        let time = |name: &'static str, client: &'static str| {
            let store = store.clone();
            async move {
                let t = std::time::Instant::now();
                for _ in 0..3 {
                    store.login(name, "sai-mat-khau", client).await.expect("login");
                }
                t.elapsed()
            }
        };
        let _warm = time("khong-co-ai", "1.1.1.1").await;
        let known = time("nv.huyen", "2.2.2.2").await;
        let unknown = time("khong-co-ai", "3.3.3.3").await;
        assert!(unknown * 2 > known, "{label}: unknown {unknown:?} vs known {known:?} reveals existence");
    })
    .await;
}

#[tokio::test]
async fn account_management_stays_inside_the_scope() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let district_admin = scope_of(&store, "123", Role::Admin).await;
        assert!(store.create_user(&district_admin, new_user("xa.x02", Some("X02"), Role::AgencyStaff)).await.is_ok());
        assert!(store.create_user(&district_admin, new_user("huyen.khac", Some("124"), Role::Viewer)).await.is_err(), "{label}");
        assert!(store.create_user(&district_admin, new_user("root2", None, Role::Admin)).await.is_err());
        let specialist = scope_of(&store, "123", Role::Specialist).await;
        assert!(matches!(
            store.create_user(&specialist, new_user("xa.x03", Some("X03"), Role::Viewer)).await,
            Err(StoreError::Forbidden(_))
        ));
        store.create_user(&Scope::system("t"), new_user("tinh", Some("14"), Role::Leader)).await.expect("user");
        assert!(store.set_password(&district_admin, "tinh", "mat-khau-moi-123").await.is_err(), "{label}: parent's account");
        let names: Vec<String> = store.users(&district_admin).await.expect("users").into_iter().map(|u| u.username).collect();
        assert_eq!(names, vec!["xa.x02".to_string()], "{label}");
        assert!(
            store
                .create_user(&Scope::system("t"), NewUser { password: "short".into(), ..new_user("pw.short", Some("X01"), Role::Viewer) })
                .await
                .is_err()
        );
    })
    .await;
}

/// The usernames of the accounts the system scope finds for `text`, sorted by full name.
async fn found(store: &Store, text: &str) -> Vec<String> {
    use chiso_core::list::{PageRequest, Sort, SortDir};
    use chiso_store::accounts::{UserColumn, UserFilter};
    let f = UserFilter { text: Some(text.into()), ..Default::default() };
    let sort = Sort { column: UserColumn::FullName, dir: SortDir::Asc };
    let page = store.users_page(&Scope::system("test"), &f, sort, PageRequest::new(1, 100)).await.expect("users page");
    page.items.into_iter().map(|i| i.user.username).collect()
}

#[tokio::test]
async fn accounts_are_found_by_their_full_name_without_diacritics_or_case() {
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let sys = Scope::system("test");
        for (username, name) in [("nv.an", "Nguyễn Văn An"), ("nt.binh", "NGUYỄN THỊ BÌNH"), ("tv.duc", "Trần  Văn Đức")] {
            let u = NewUser { username: username.into(), full_name: name.into(), ..new_user(username, Some("X01"), Role::Specialist) };
            store.create_user(&sys, u).await.expect("user");
        }
        // Accounts of the national benchmark data are created in bulk: folded there too.
        let x02 = store.unit_by_code(&sys, "X02").await.expect("unit").id;
        let bulk = chiso_store::bulk::BulkUser {
            username: "nv.cuong".into(),
            full_name: "Nguyễn Văn Cường".into(),
            role: Role::Viewer,
            unit_id: x02,
            agency_id: None,
        };
        assert_eq!(store.bulk_users(&sys, &[bulk], "mat-khau-dai").await.expect("bulk"), 1, "{label}");

        assert_eq!(found(&store, "nguyen van").await, ["nv.an", "nv.cuong"], "{label}: without diacritics");
        assert_eq!(found(&store, "NGUYEN").await, ["nt.binh", "nv.an", "nv.cuong"], "{label}: without case, by folded name");
        assert_eq!(found(&store, "Nguyễn Thị Bình").await, ["nt.binh"], "{label}: with diacritics, other case");
        assert_eq!(found(&store, "văn  đức").await, ["tv.duc"], "{label}: đ and repeated spaces");
        assert_eq!(found(&store, "cường").await, ["nv.cuong"], "{label}");
        assert_eq!(found(&store, "NV.A").await, ["nv.an"], "{label}: usernames still found");
        assert!(found(&store, "nguyen van binh").await.is_empty(), "{label}: a part of the name, not words in any order");
        let stored = chiso_store::testing::texts(&store, "SELECT full_name FROM app_user WHERE username = 'tv.duc'").await.expect("name");
        assert_eq!(stored, ["Trần  Văn Đức"], "{label}: the name itself is kept as written");
    })
    .await;
}

#[tokio::test]
async fn full_names_stored_before_they_were_folded_are_found_after_the_next_start() {
    // Migration 0016 adds `app_user.full_name_fold` empty; `Store::connect` fills it (`fold_user_names`).
    on_each_backend(|store, label| async move {
        load_tree(&store).await;
        let sys = Scope::system("test");
        let u = NewUser { full_name: "Lê Thị Hồng".into(), ..new_user("lt.hong", Some("X01"), Role::Specialist) };
        store.create_user(&sys, u).await.expect("user");
        assert_eq!(found(&store, "le thi hong").await, ["lt.hong"], "{label}: folded when written");
        chiso_store::testing::exec(&store, "UPDATE app_user SET full_name_fold = NULL").await.expect("as before 0016");
        assert!(found(&store, "le thi hong").await.is_empty(), "{label}: not found unfolded");
        assert_eq!(store.fold_user_names().await.expect("fold"), 1, "{label}");
        assert_eq!(store.fold_user_names().await.expect("again"), 0, "{label}: a no-op once done");
        assert_eq!(found(&store, "LE THI").await, ["lt.hong"], "{label}");
    })
    .await;
}

/// A database migrated by the previous version (0017 applied, 0016 not yet written) takes 0016 at the next
/// start: sqlx applies every migration it has not recorded, whatever its number, and `Store::connect` folds
/// the names already stored.
#[tokio::test]
async fn a_database_already_at_0017_takes_0016_and_folds_its_accounts_at_the_next_start() {
    let dir = std::env::temp_dir().join(format!("chiso-mig-{}-{}", std::process::id(), chiso_store::now_ms()));
    let mut urls = vec![("sqlite", format!("sqlite://{}", dir.join("old.db").display()), None)];
    if let Some(server) = chiso_store::testing::pg_server_url() {
        let name = format!("chiso_t_mig_{}_{}", std::process::id(), chiso_store::now_ms() % 1_000_000_000);
        let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&server).await.expect("pg");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\""))).execute(&mut admin).await.expect("create");
        urls.push(("postgres", chiso_store::testing::with_database(&server, &name), Some((server, name))));
    }
    for (label, url, pg) in urls {
        // The migrations of the previous version: every one but 0016.
        let old = dir.join(format!("migrations-{label}"));
        std::fs::create_dir_all(&old).expect("dir");
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(label);
        for e in std::fs::read_dir(&src).expect("migrations") {
            let path = e.expect("entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            if !name.starts_with("0016_") {
                std::fs::copy(&path, old.join(&name)).expect("copy");
            }
        }
        let previous = sqlx::migrate::Migrator::new(old.clone()).await.expect("old migrator");
        assert!(previous.iter().any(|m| m.version == 17) && !previous.iter().any(|m| m.version == 16), "{label}");
        const INS: &str =
            "INSERT INTO app_user (username, full_name, password_hash, role, active, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
        if label == "sqlite" {
            let opts = <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(&url).expect("url").create_if_missing(true);
            let pool = sqlx::SqlitePool::connect_with(opts).await.expect("sqlite");
            previous.run(&pool).await.expect("old migrations");
            sqlx::query(INS)
                .bind("nv.an")
                .bind("Nguyễn Văn An")
                .bind("x")
                .bind("admin")
                .bind(true)
                .bind(0i64)
                .execute(&pool)
                .await
                .expect("old row");
            pool.close().await;
        } else {
            let pool = sqlx::PgPool::connect(&url).await.expect("pg");
            previous.run(&pool).await.expect("old migrations");
            sqlx::query(INS)
                .bind("nv.an")
                .bind("Nguyễn Văn An")
                .bind("x")
                .bind("admin")
                .bind(true)
                .bind(0i64)
                .execute(&pool)
                .await
                .expect("old row");
            pool.close().await;
        }
        let store = Store::connect(&url).await.expect("next start: 0016 applied after 0017");
        let applied = chiso_store::testing::texts(&store, "SELECT CAST(version AS TEXT) FROM _sqlx_migrations WHERE version = 16")
            .await
            .expect("versions");
        assert_eq!(applied, ["16"], "{label}");
        assert_eq!(found(&store, "nguyen van").await, ["nv.an"], "{label}: folded at start");
        assert_eq!(store.fold_user_names().await.expect("fold"), 0, "{label}: nothing left to fold");
        store.close().await;
        if let Some((server, name)) = pg {
            let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&server).await.expect("pg");
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))).execute(&mut admin).await;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
