//! Reminders: due and overdue tasks notify the people responsible, once (keyed), and the digest sends one
//! mail per person through a real SMTP conversation with a local sink.

use crate::helpers::*;
use chiso_app::reminders::{SmtpConfig, remind, send_digests};
use chiso_core::access::{Role, Scope};
use chiso_core::plan::{PlanDraft, PlanStatus, TaskDraft};
use chiso_store::accounts::NewUser;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A minimal SMTP server that accepts everything and keeps each message's DATA.
async fn smtp_sink() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let store = mails.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut r = BufReader::new(r);
                let _ = w.write_all(b"220 sink\r\n").await;
                let mut in_data = false;
                let mut data = String::new();
                let mut line = String::new();
                while r.read_line(&mut line).await.map(|n| n > 0).unwrap_or(false) {
                    if in_data {
                        if line == ".\r\n" {
                            in_data = false;
                            if let Ok(mut m) = store.lock() {
                                m.push(std::mem::take(&mut data));
                            }
                            let _ = w.write_all(b"250 queued\r\n").await;
                        } else {
                            data.push_str(&line);
                        }
                    } else if line.starts_with("DATA") {
                        in_data = true;
                        let _ = w.write_all(b"354 go\r\n").await;
                    } else if line.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        let _ = w.write_all(b"250 ok\r\n").await;
                    }
                    line.clear();
                }
            });
        }
    });
    (addr, mails)
}

#[tokio::test]
async fn reminders_are_keyed_and_digested_into_one_mail_per_person() {
    on_each_app(|app| async move {
        let sys = Scope::system("test");
        let store = &app.store;
        let today = time::macros::date!(2022 - 06 - 01);
        let d = store.unit_by_code(&sys, "123").await.expect("unit");
        let vh = store.ensure_agency(&sys, d.id, "Phòng Văn hóa và Thông tin", "office").await.expect("agency");
        store
            .create_user(
                &sys,
                NewUser {
                    username: "vh.staff".into(),
                    full_name: "Cán bộ VH".into(),
                    password: PASSWORD.into(),
                    role: Role::AgencyStaff,
                    unit_code: Some("123".into()),
                    agency_id: Some(vh.id),
                },
            )
            .await
            .expect("user");
        store.set_email("vh.staff", "vh@example.test").await.expect("email");
        let task = |code: &str, due: time::Date| TaskDraft {
            code: code.into(),
            text: format!("Nhiệm vụ {code}"),
            nodes: vec!["papi.d8.s1".into()],
            lead_agency: Some(vh.name.clone()),
            due_date: Some(due),
            ..Default::default()
        };
        let draft = PlanDraft {
            doc_type: "KẾ HOẠCH".into(),
            year: 2022,
            year_to: None,
            families: vec!["PAPI".into()],
            number: Some("1/KH-UBND".into()),
            place: None,
            issued_on: Some(time::macros::date!(2022 - 01 - 10)),
            title: "Kế hoạch thử".into(),
            status: PlanStatus::Issued,
            based_on: vec![],
            recipients: vec![],
            signer: None,
            child_deadline: None,
            document: serde_json::json!({}),
            tasks: vec![
                task("1", time::macros::date!(2022 - 06 - 05)),
                task("2", time::macros::date!(2022 - 05 - 20)),
                task("3", time::macros::date!(2022 - 09 - 30)),
            ],
        };
        store.create_plan(&sys, "123", &draft, None, None).await.expect("plan");
        let frameworks = std::sync::Arc::new(chiso_core::framework::FrameworkSet::builtin().expect("frameworks"));
        let service = chiso_app::App::new(store.clone(), frameworks).with_clock(chiso_app::Clock::fixed_on(today));
        let first = remind(&service).await.expect("remind");
        assert!(first >= 2, "{}: due-soon and overdue tasks notified ({first})", app.label);
        assert_eq!(remind(&service).await.expect("again"), 0, "{}: a second run creates nothing new", app.label);
        let c = app.login("vh.staff").await;
        let page = c.get(app.url("/notifications")).send().await.expect("page").text().await.expect("body");
        assert!(
            page.contains("Sắp đến hạn: nhiệm vụ 1") && page.contains("Quá hạn: nhiệm vụ 2") && !page.contains("nhiệm vụ 3"),
            "{}",
            app.label
        );
        let (addr, mails) = smtp_sink().await;
        let sent = send_digests(&service, &SmtpConfig { addr, from: "chiso@example.test".into() }).await.expect("digests");
        assert_eq!(sent, 1, "{}: one digest for the one person with an address", app.label);
        let got = mails.lock().map(|m| m.clone()).unwrap_or_default();
        assert_eq!(got.len(), 1);
        assert!(got[0].contains("nhiệm vụ 1") && got[0].contains("nhiệm vụ 2"), "both items in one mail: {}", got[0]);
        assert_eq!(
            send_digests(&service, &SmtpConfig { addr: "127.0.0.1:1".into(), from: "x@y".into() }).await.expect("none pending"),
            0,
            "already e-mailed"
        );
    })
    .await;
}
