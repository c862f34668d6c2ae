//! A user whose unit was closed by a reform is told, in Vietnamese, where it went; unit pages show where a
//! unit came from and where it went, and a reused code still reaches the old unit by date.

use crate::helpers::*;
use chiso_core::access::Scope;

const NEW_UNITS: &str = "code,name,level,parent_code,valid_from,valid_to
X10,Xã Mộc Châu Mới,commune,14,2025-07-01,
X02,Xã Chiềng Sơn Mới,commune,14,2025-07-01,
";
const MAPPING: &str = "level,old_code,new_code,share,note
commune,X01,X10,whole,
commune,X02,X10,part,main
commune,X02,X02,part,
";

#[tokio::test]
async fn a_user_of_a_closed_unit_is_told_where_it_went() {
    on_each_app(|app| async move {
        let label = app.label;
        let sys = Scope::system("test");
        let s = app.store.apply_reform(&sys, NEW_UNITS, MAPPING, "2025-07-01", None).await.expect("reform");
        assert_eq!((s.created, s.closed, s.predecessors_added), (2, 2, 3), "{label}");
        assert_eq!(s.accounts_on_closed_units, 2, "{label}: xa.x01 and xem.x02 stay on their old units (nothing moved silently)");

        let c = app.login("xa.x01").await;
        let home = c.get(app.url("/")).send().await.expect("home").text().await.expect("body");
        assert!(home.contains("id=\"unit-moved\""), "{label}: {home}");
        assert!(
            home.contains("Đơn vị của bạn, <strong>Thị trấn Mộc Châu</strong>, đã hết hiệu lực sau ngày 30 tháng 6 năm 2025"),
            "{label}: {home}"
        );
        assert!(home.contains("Địa bàn đã chuyển về") && home.contains("Xã Mộc Châu Mới") && home.contains("X10 · toàn bộ"), "{label}");
        assert!(home.contains("/units/X10?on=2025-07-01"), "{label}: links to exactly the new unit");
        let page = c.get(app.url("/units/X01")).send().await.expect("unit").text().await.expect("body");
        assert!(page.contains("id=\"unit-moved\"") && page.contains("Xã Mộc Châu Mới"), "{label}: the unit page says it too");

        // The viewer of the divided commune sees both parts, the largest first.
        let v = app.login("xem.x02").await;
        let home = v.get(app.url("/")).send().await.expect("home").text().await.expect("body");
        let main = home.find("Xã Mộc Châu Mới").expect("main part");
        let other = home.find("Xã Chiềng Sơn Mới").expect("other part");
        assert!(main < other && home.contains("X10 · phần lớn nhất") && home.contains("X02 · một phần"), "{label}: {home}");

        // The administrator: X02 now names the new commune; ?on= reaches the old one; predecessors are listed.
        let a = app.login("admin").await;
        let new = a.get(app.url("/units/X02")).send().await.expect("new").text().await.expect("body");
        assert!(new.contains("Xã Chiềng Sơn Mới") && !new.contains("id=\"unit-moved\""), "{label}");
        let old = a.get(app.url("/units/X02?on=2025-06-30")).send().await.expect("old").text().await.expect("body");
        assert!(old.contains("<h1>Xã Chiềng Sơn ") && old.contains("id=\"unit-moved\""), "{label}: {old}");
        let merged = a.get(app.url("/units/X10")).send().await.expect("merged").text().await.expect("body");
        assert!(
            merged.contains("id=\"formed-from\"") && merged.contains("Thị trấn Mộc Châu") && merged.contains("Xã Chiềng Sơn"),
            "{label}"
        );
        let home = a.get(app.url("/")).send().await.expect("home").text().await.expect("body");
        assert!(!home.contains("unit-moved"), "{label}: no notice for a unit in force");
        let r = a.get(app.url("/units/X02?on=1990-01-01")).send().await.expect("none");
        assert_eq!(r.status(), 404, "{label}: no unit had that code then");
    })
    .await;
}
