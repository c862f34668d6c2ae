//! The page "Sắp xếp đơn vị sau sáp nhập" (`/units/moves`): a province official lists the closed units of its
//! province still to move (filtered, with their successors and what would move), moves one (a divided commune:
//! the chosen successor), then every unit with one successor at once; refused for a unit outside the scope, for
//! a role that may not manage units, without the confirmation or with a wrong CSRF token — nothing moved then.

use crate::helpers::*;
use chiso_core::access::{Role, Scope};
use chiso_store::accounts::NewUser;

const MORE_UNITS: &str = "code,name,level,parent_code,valid_from,valid_to
15,Tỉnh Lai Châu,province,,2000-01-01,
Y01,Xã Bản Lang,commune,15,2000-01-01,
";
const NEW_UNITS: &str = "code,name,level,parent_code,valid_from,valid_to
X10,Xã Mộc Châu Mới,commune,14,2025-07-01,
X02,Xã Chiềng Sơn Mới,commune,14,2025-07-01,
Y10,Xã Bản Lang Mới,commune,15,2025-07-01,
";
const MAPPING: &str = "level,old_code,new_code,share,note
commune,X01,X10,whole,
commune,X02,X10,part,main
commune,X02,X02,part,
commune,Y01,Y10,whole,
";

async fn setup(app: &TestApp) {
    let sys = Scope::system("test");
    app.store.import_units_csv(&sys, MORE_UNITS).await.expect("units");
    let accounts = [
        ("nv.tinh", "Chuyên viên Sở Nội vụ", Role::Specialist, "14"),
        ("xem.tinh", "Người xem của tỉnh", Role::Viewer, "14"),
        ("tk.banlang", "Công chức xã Bản Lang", Role::Specialist, "Y01"),
    ];
    for (username, full_name, role, unit) in accounts {
        let user = NewUser {
            username: username.into(),
            full_name: full_name.into(),
            password: PASSWORD.into(),
            role,
            unit_code: Some(unit.into()),
            agency_id: None,
        };
        app.store.create_user(&sys, user).await.expect("user");
    }
    app.store.apply_reform(&sys, NEW_UNITS, MAPPING, "2025-07-01", None).await.expect("reform");
}

/// The visible-text offences of a page (English words, raw codes, ISO dates) but the test's usernames, which
/// the page shows on purpose (the accounts moved, the person logged in).
fn offences_but_usernames(html: &str) -> Vec<crate::visible::Offence> {
    const USERNAMES: &[&str] = &["nv.tinh", "xem.x02", "xa.x01"];
    crate::visible::offences(html).into_iter().filter(|o| !USERNAMES.contains(&o.fragment.as_str())).collect()
}

async fn unit_of(app: &TestApp, username: &str) -> String {
    let u = app.store.user_by_username(username).await.expect("q").expect("user");
    let unit = app.store.unit_by_id(&Scope::system("t"), u.unit_id.expect("unit")).await.expect("unit");
    format!("{} {}", unit.code, unit.valid_from)
}

#[tokio::test]
async fn a_province_official_moves_closed_units_to_their_successors() {
    on_each_app(|app| async move {
        let label = app.label;
        setup(&app).await;
        let c = app.login("nv.tinh").await;
        let csrf = csrf_of(&app, &c).await;

        // Linked from the units page for those who manage units.
        let units = c.get(app.url("/units")).send().await.expect("units").text().await.expect("body");
        assert!(units.contains("href=\"/units/moves\""), "{label}");

        // The list: the province's closed communes with accounts, their successors and what would move.
        let r = c.get(app.url("/units/moves")).send().await.expect("page");
        assert_eq!(r.status(), 200, "{label}");
        let page = r.text().await.expect("body");
        assert!(page.contains("<h1>Sắp xếp đơn vị sau sáp nhập"), "{label}");
        assert!(page.contains("id=\"move-X01\"") && page.contains("id=\"move-X02\""), "{label}");
        assert!(!page.contains("Bản Lang"), "{label}: another province's commune is not listed");
        assert!(page.contains("30/06/2025"), "{label}: the last day, dd/mm/yyyy");
        assert!(page.contains("Xã Mộc Châu Mới (X10, toàn bộ)"), "{label}: the one successor of X01");
        let x02 = &page[page.find("id=\"move-X02\"").expect("row")..];
        let x02 = &x02[..x02.find("</tr>").expect("end")];
        assert!(x02.contains("<select name=\"to\"") && x02.contains("Xã Chiềng Sơn Mới (X02, một phần)"), "{label}: {x02}");
        assert!(x02.contains("value=\"X10\" selected"), "{label}: the main part first: {x02}");
        assert!(x02.contains("Tôi xác nhận chuyển 1 tài khoản của Xã Chiềng Sơn"), "{label}: the confirmation text");
        let offences = offences_but_usernames(&page);
        assert!(offences.is_empty(), "{label}: {:#?}", crate::visible::describe("units to move", &offences));

        // Filter without diacritics.
        let page = c.get(app.url("/units/moves?q=chieng%20son")).send().await.expect("filter").text().await.expect("body");
        assert!(page.contains("id=\"move-X02\"") && !page.contains("id=\"move-X01\""), "{label}");
        assert!(page.contains("1 kết quả"), "{label}");

        // Refusals change nothing: wrong CSRF, no confirmation, a unit outside the scope, not a successor.
        let move_form = |code: &str, to: &str, token: &str, confirm: bool| {
            let mut f = vec![("csrf", token.to_string()), ("on", "2025-06-30".to_string()), ("to", to.to_string())];
            if confirm {
                f.push(("confirm", "1".into()));
            }
            let url = app.url(&format!("/units/{code}/move"));
            let c = c.clone();
            async move { c.post(url).form(&f).send().await.expect("post") }
        };
        assert_eq!(move_form("X02", "X02", "sai", true).await.status(), 403, "{label}: CSRF");
        let r = move_form("X02", "X02", &csrf, false).await;
        assert_eq!(r.status(), 400, "{label}");
        assert!(r.text().await.expect("body").contains("Chưa xác nhận"), "{label}");
        assert_eq!(move_form("Y01", "Y10", &csrf, true).await.status(), 403, "{label}: outside the province");
        let r = move_form("X01", "X02", &csrf, true).await;
        assert_eq!(r.status(), 422, "{label}");
        let body = r.text().await.expect("body");
        assert!(
            body.contains("không phải đơn vị kế thừa của Thị trấn Mộc Châu (X01") && body.contains("Không có gì thay đổi"),
            "{label}: {body}"
        );
        assert_eq!(unit_of(&app, "xem.x02").await, "X02 2000-01-01", "{label}");
        assert_eq!(unit_of(&app, "tk.banlang").await, "Y01 2000-01-01", "{label}");
        assert_eq!(unit_of(&app, "xa.x01").await, "X01 2000-01-01", "{label}");

        // Move one: the divided commune to the part the official picks.
        let r = move_form("X02", "X02", &csrf, true).await;
        assert_eq!(r.status(), 200, "{label}");
        let body = r.text().await.expect("body");
        assert!(body.contains("Đã chuyển Xã Chiềng Sơn (X02) về Xã Chiềng Sơn Mới (X02)"), "{label}: {body}");
        assert!(body.contains("<code>xem.x02</code>") && !body.contains("id=\"move-X02\""), "{label}");
        let offences = offences_but_usernames(&body);
        assert!(offences.is_empty(), "{label}: {:#?}", crate::visible::describe("a unit moved", &offences));
        assert_eq!(unit_of(&app, "xem.x02").await, "X02 2025-07-01", "{label}");

        // The batch: every closed unit with one successor in the scope, in one go, showing what moved.
        let r = c.post(app.url("/units/moves/all")).form(&[("csrf", csrf.as_str()), ("confirm", "1")]).send().await.expect("batch");
        assert_eq!(r.status(), 200, "{label}");
        let body = r.text().await.expect("body");
        assert!(body.contains("Đã chuyển 1 đơn vị (chỉ có một đơn vị kế thừa) và 1 tài khoản"), "{label}: {body}");
        assert!(body.contains("Thị trấn Mộc Châu (X01)") && body.contains("<code>xa.x01</code>"), "{label}");
        assert!(body.contains("Không có đơn vị đã hết hiệu lực nào cần chuyển"), "{label}: nothing left in the province");
        assert_eq!(unit_of(&app, "xa.x01").await, "X10 2025-07-01", "{label}");
        assert_eq!(unit_of(&app, "tk.banlang").await, "Y01 2000-01-01", "{label}: the other province waits for its own official");
        // Audited as the official who did it.
        let audit = app.store.audit_of(&Scope::system("t"), "user", "xa.x01").await.expect("audit");
        assert!(audit.iter().any(|e| e.action == "move" && e.actor == "nv.tinh"), "{label}: {audit:?}");
        // Again: nothing to move, nothing changes.
        let r = c.post(app.url("/units/moves/all")).form(&[("csrf", csrf.as_str()), ("confirm", "1")]).send().await.expect("batch");
        assert!(r.text().await.expect("body").contains("không thay đổi gì"), "{label}");
    })
    .await;
}

#[tokio::test]
async fn the_moves_page_refuses_roles_and_scopes_that_may_not_move() {
    on_each_app(|app| async move {
        let label = app.label;
        setup(&app).await;
        // A viewer of the province: no page, no batch, no move; the units page has no link.
        let v = app.login("xem.tinh").await;
        let csrf = csrf_of(&app, &v).await;
        assert_eq!(v.get(app.url("/units/moves")).send().await.expect("page").status(), 403, "{label}");
        let units = v.get(app.url("/units")).send().await.expect("units").text().await.expect("body");
        assert!(!units.contains("href=\"/units/moves\""), "{label}");
        let r = v.post(app.url("/units/moves/all")).form(&[("csrf", csrf.as_str()), ("confirm", "1")]).send().await.expect("batch");
        assert_eq!(r.status(), 403, "{label}");
        let r = v
            .post(app.url("/units/X01/move"))
            .form(&[("csrf", csrf.as_str()), ("on", "2025-06-30"), ("to", "X10"), ("confirm", "1")])
            .send()
            .await
            .expect("move");
        assert_eq!(r.status(), 403, "{label}");
        let body = r.text().await.expect("body");
        assert!(body.contains("quản lý đơn vị"), "{label}: says which permission is missing: {body}");
        assert_eq!(unit_of(&app, "xa.x01").await, "X01 2000-01-01", "{label}");

        // The administrator of the closed commune X01 sees it, but its successor is outside that scope: no
        // button, a note, and a forced move is refused.
        let a = app.login("xa.x01").await;
        let csrf = csrf_of(&app, &a).await;
        let page = a.get(app.url("/units/moves")).send().await.expect("page").text().await.expect("body");
        assert!(page.contains("id=\"move-X01\"") && page.contains("nằm ngoài phạm vi của bạn"), "{label}");
        assert!(!page.contains("action=\"/units/X01/move\""), "{label}");
        let r = a
            .post(app.url("/units/X01/move"))
            .form(&[("csrf", csrf.as_str()), ("on", "2025-06-30"), ("to", "X10"), ("confirm", "1")])
            .send()
            .await
            .expect("move");
        assert_eq!(r.status(), 403, "{label}");
        let r = a.post(app.url("/units/moves/all")).form(&[("csrf", csrf.as_str()), ("confirm", "1")]).send().await.expect("batch");
        assert!(r.text().await.expect("body").contains("không thay đổi gì"), "{label}: its only successor is out of reach");
        assert_eq!(unit_of(&app, "xa.x01").await, "X01 2000-01-01", "{label}");
    })
    .await;
}
