//! Reminders: due and overdue tasks and reports become notifications in the application and — when an SMTP
//! relay is configured — one digest e-mail per person with everything new, not one mail per item. Reminders
//! are keyed, so several server processes or repeated runs never duplicate them. "Today" is the application's
//! clock.

use crate::{App, ServiceResult};
use chiso_core::access::Scope;
use chiso_core::progress::{ReportState, TaskStatus};
use chiso_core::text::vn_date_short;
use chiso_core::unit::parse_date;
use std::time::Duration;
use time::Date;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// A plain SMTP relay on the intranet (no authentication, no TLS), e.g. the province's mail gateway.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub addr: String,
    pub from: String,
}

const TASK_SOON_DAYS: i64 = 7;
const REPORT_SOON_DAYS: i64 = 5;

/// One pass: reminders for tasks and reports due within a week (or overdue) today. Returns how many new
/// notifications were created.
pub async fn remind(app: &App) -> ServiceResult<usize> {
    let store = &app.store;
    let today = app.today();
    let now = app.now_ms();
    let sys = Scope::system("scheduler");
    let mut created = 0;
    let units = store.units(&sys).await?;
    let today_iso = chiso_core::unit::format_date(today);
    for unit in units.iter().filter(|u| u.in_force_on(&today_iso)) {
        let tasks = store.task_progress(&sys, unit, i64::from(today.year()), None, today).await?;
        for t in &tasks {
            let Some(due) = t.task.row.due_date.as_deref().and_then(parse_date) else { continue };
            if t.status.is_done() || t.status == TaskStatus::CannotDo {
                continue;
            }
            let days = (due - today).whole_days();
            let (kind, key, title) = if t.status == TaskStatus::Overdue {
                (
                    "task_overdue",
                    format!("task-overdue:{}:{}", t.task.row.id, due),
                    format!("Quá hạn: nhiệm vụ {} (hạn {})", t.task.row.code, vn_date_short(due)),
                )
            } else if (0..=TASK_SOON_DAYS).contains(&days) {
                (
                    "task_due",
                    format!("task-due:{}:{}", t.task.row.id, due),
                    format!("Sắp đến hạn: nhiệm vụ {} (hạn {})", t.task.row.code, vn_date_short(due)),
                )
            } else {
                continue;
            };
            let mut people = store.recipients(unit.id, t.task.row.lead_agency_id, &["agency_staff"]).await?;
            if t.task.row.lead_agency_id.is_none() {
                people.clear();
            }
            people.extend(store.recipients(unit.id, None, &["specialist"]).await?);
            for p in people {
                let link = format!("/tasks/{}", t.task.row.id);
                if store.notify(p.user_id, kind, &format!("{key}:{}", p.user_id), &title, &link, now).await? {
                    created += 1;
                }
            }
        }
        // The unit's own periodic reports.
        let schedule = app.reports().schedule_for(unit, today.year()).await?;
        for sp in &schedule.periods {
            let Some(due) = sp.due_for(&unit.level) else { continue };
            let days = (due - today).whole_days();
            if !(-30..=REPORT_SOON_DAYS).contains(&days) {
                continue;
            }
            let report = store.report_of(&sys, unit, None, &sp.period.code()).await?;
            if report.is_some_and(|r| r.status == ReportState::Submitted) {
                continue;
            }
            let title = if days < 0 {
                format!("Quá hạn gửi báo cáo {} của {} (hạn {})", sp.period.label_vi(), unit.name, vn_date_short(due))
            } else {
                format!("Sắp đến hạn gửi báo cáo {} của {} (hạn {})", sp.period.label_vi(), unit.name, vn_date_short(due))
            };
            let key = format!("report:{}:{}:{}", unit.id, sp.period.code(), if days < 0 { "late" } else { "soon" });
            for p in store.recipients(unit.id, None, &["specialist", "leader"]).await? {
                let link = format!("/reports?unit={}&period={}", unit.code, sp.period.code());
                if store.notify(p.user_id, "report_due", &format!("{key}:{}", p.user_id), &title, &link, now).await? {
                    created += 1;
                }
            }
        }
    }
    Ok(created)
}

fn b64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

async fn expect(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>, code: &str) -> Result<(), String> {
    loop {
        let mut line = String::new();
        let n = tokio::time::timeout(Duration::from_secs(20), reader.read_line(&mut line))
            .await
            .map_err(|_| "SMTP: hết thời gian chờ".to_string())?
            .map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("SMTP: máy chủ đóng kết nối".into());
        }
        if !line.starts_with(code) {
            return Err(format!("SMTP: cần {code}, nhận được '{}'", line.trim()));
        }
        // Multi-line replies ("250-…") continue until "250 …".
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(());
        }
    }
}

/// Send one plain-text UTF-8 mail through an SMTP relay.
pub async fn send_mail(cfg: &SmtpConfig, to: &str, subject: &str, body: &str) -> Result<(), String> {
    if to.contains(['\r', '\n', '<', '>']) {
        return Err("địa chỉ e-mail không hợp lệ".into());
    }
    let stream = tokio::time::timeout(Duration::from_secs(10), TcpStream::connect(&cfg.addr))
        .await
        .map_err(|_| format!("SMTP {}: hết thời gian kết nối", cfg.addr))?
        .map_err(|e| format!("SMTP {}: {e}", cfg.addr))?;
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    expect(&mut r, "220").await?;
    for (cmd, code) in [
        ("EHLO chiso\r\n".to_string(), "250"),
        (format!("MAIL FROM:<{}>\r\n", cfg.from), "250"),
        (format!("RCPT TO:<{to}>\r\n"), "250"),
        ("DATA\r\n".to_string(), "354"),
    ] {
        w.write_all(cmd.as_bytes()).await.map_err(|e| e.to_string())?;
        expect(&mut r, code).await?;
    }
    let body = body
        .replace("\r\n", "\n")
        .lines()
        .map(|l| if l.starts_with('.') { format!(".{l}") } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\r\n");
    let msg = format!(
        "From: chiso <{}>\r\nTo: <{to}>\r\nSubject: =?UTF-8?B?{}?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n.\r\n",
        cfg.from,
        b64(subject.as_bytes())
    );
    w.write_all(msg.as_bytes()).await.map_err(|e| e.to_string())?;
    expect(&mut r, "250").await?;
    let _ = w.write_all(b"QUIT\r\n").await;
    Ok(())
}

/// One digest per person with everything new since the last one. Returns how many were sent; a mail that
/// cannot be sent is logged and tried again next time.
pub async fn send_digests(app: &App, cfg: &SmtpConfig) -> ServiceResult<usize> {
    let store = &app.store;
    let mut sent = 0;
    for (person, items) in store.pending_digests().await? {
        let Some(to) = person.email.as_deref() else { continue };
        let mut body = format!("Kính gửi {},\n\nchiso có {} việc cần anh/chị lưu ý:\n\n", person.full_name, items.len());
        for n in &items {
            body.push_str(&format!("- {} ({})\n", n.title, n.link));
        }
        body.push_str("\nThư tự động từ chiso; vui lòng không trả lời thư này.\n");
        match send_mail(cfg, to, &format!("chiso: {} việc cần lưu ý", items.len()), &body).await {
            Ok(()) => {
                store.mark_emailed(&items.iter().map(|n| n.id).collect::<Vec<_>>(), app.now_ms()).await?;
                sent += 1;
            }
            Err(e) => tracing::warn!(to, error = %e, "digest not sent"),
        }
    }
    Ok(sent)
}

/// The cycle `now_ms` falls in when the scheduler runs every `every`: the start of its time bucket (ms since
/// the epoch), with the interval, so that every process with the same interval names the same cycle.
pub fn cycle_key(now_ms: i64, every: Duration) -> String {
    let every_ms = i64::try_from(every.as_millis()).unwrap_or(i64::MAX).max(1);
    format!("{}s@{}", every.as_secs(), now_ms - now_ms.rem_euclid(every_ms))
}

/// What one process did in a scheduler cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CycleRun {
    /// This process claimed the cycle and ran it: how many new notifications.
    Ran(usize),
    /// Another process (or an earlier tick of this one) had already claimed the cycle: nothing done.
    Skipped,
}

/// One reminder cycle across processes: claim the cycle in the database (`scheduler_run`), run [`remind`]
/// only if this process got it. A failed run gives the claim back so that the next tick can retry.
pub async fn remind_cycle(app: &App, holder: &str, every: Duration) -> ServiceResult<CycleRun> {
    let now = app.now_ms();
    let key = cycle_key(now, every);
    if !app.store.claim_scheduler_cycle("remind", &key, holder, now).await? {
        return Ok(CycleRun::Skipped);
    }
    match remind(app).await {
        Ok(n) => Ok(CycleRun::Ran(n)),
        Err(e) => {
            app.store.release_scheduler_cycle("remind", &key, holder).await?;
            Err(e)
        }
    }
}

/// This process, as the scheduler's lock rows name it: host and process id.
pub fn holder_name() -> String {
    let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "chiso".to_string());
    format!("{host}:{}", std::process::id())
}

/// Run reminders every `every`, and digests once a day (at the first run after 07:00 Vietnam time), by the
/// application's clock. Several processes on one database run each cycle once: a cycle (and a day's digest)
/// is claimed in `scheduler_run` first, and only the process that claimed it does the work.
pub fn spawn(app: App, smtp: Option<SmtpConfig>, every: Duration) -> tokio::task::JoinHandle<()> {
    let holder = holder_name();
    tokio::spawn(async move {
        let mut last_digest: Option<Date> = None;
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let today = app.today();
            match remind_cycle(&app, &holder, every).await {
                Ok(CycleRun::Ran(n)) if n > 0 => tracing::info!(new = n, "reminders created"),
                Ok(CycleRun::Ran(_)) => {}
                Ok(CycleRun::Skipped) => tracing::debug!("reminder cycle already run by another process"),
                Err(e) => tracing::warn!(error = %e, "reminder run failed"),
            }
            if let Some(cfg) = &smtp
                && last_digest != Some(today)
                && app.clock.now().hour() >= 7
            {
                let day = chiso_core::unit::format_date(today);
                match app.store.claim_scheduler_cycle("digest", &day, &holder, app.now_ms()).await {
                    Ok(false) => last_digest = Some(today),
                    Ok(true) => match send_digests(&app, cfg).await {
                        Ok(n) => {
                            tracing::info!(sent = n, "digests sent");
                            last_digest = Some(today);
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "digests failed");
                            if let Err(e) = app.store.release_scheduler_cycle("digest", &day, &holder).await {
                                tracing::warn!(error = %e, "digest claim not released");
                            }
                        }
                    },
                    Err(e) => tracing::warn!(error = %e, "digest claim failed"),
                }
            }
        }
    })
}
