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
