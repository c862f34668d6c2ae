//! Issue 13 (hardening) with the real binary: a closed pipe, an interrupted demo load, backup and restore.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    // The seed plan's JSON is larger than a pipe's buffer, so the writer meets the closed end.
    let plan = root().join("datasets/plans/003_187a403246ebc703.txt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(["plan", "parse", plan.to_str().expect("path"), "--json"])
        .env("CHISO_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run chiso");
    // Like `| head -c 100`: read a little, then close the pipe.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout);
    let mut err = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut err).expect("stderr");
    let status = child.wait().expect("wait");
    assert!(!err.contains("panicked"), "no panic on a closed pipe: {err}");
    assert!(status.success(), "exit status {status:?}: {err}");
}

fn chiso(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_chiso")).args(args).env("CHISO_LOG", "error").output().expect("run chiso")
}

fn ok(args: &[&str]) -> String {
    let out = chiso(args);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "chiso {}: {text}", args.join(" "));
    text
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("chiso-hardening-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Every file under `dir` (relative path → bytes).
fn files_of(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(base: &std::path::Path, dir: &std::path::Path, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).expect("prefix").display().to_string();
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    let mut out = Default::default();
    walk(dir, dir, &mut out);
    out
}

async fn sqlite_store(dir: &std::path::Path) -> chiso_store::Store {
    chiso_store::Store::connect(&chiso_store::Store::sqlite_url_for_dir(dir)).await.expect("open")
}

async fn digests(store: &chiso_store::Store) -> std::collections::BTreeMap<String, chiso_store::backup::TableDigest> {
    store.table_digests().await.expect("digests")
}

#[tokio::test]
async fn backup_and_restore_round_trip_every_table_and_every_file() {
    let dir = temp_dir("backup");
    let s = |p: &PathBuf| p.display().to_string();
    // SQLite: the demo, backed up and restored into a new directory.
    let (src, dst, zip) = (dir.join("src"), dir.join("dst"), dir.join("sao-luu.zip"));
    ok(&["init", "--demo", "--data-dir", &s(&src)]);
    let out = ok(&["backup", "--data-dir", &s(&src), "--out", &s(&zip)]);
    assert!(out.contains("Đã sao lưu"), "{out}");
    let out = ok(&["restore", &s(&zip), "--data-dir", &s(&dst)]);
    assert!(out.contains("Khôi phục đầy đủ") && out.contains("tệp kiểm chứng"), "{out}");
    let (a, b) = (sqlite_store(&src).await, sqlite_store(&dst).await);
    let source_tables = a.dump_tables().await.expect("dump");
    assert!(source_tables.iter().any(|t| t.name == "task_update" && !t.rows.is_empty()), "the demo has updates");
    assert_eq!(source_tables, b.dump_tables().await.expect("dump"), "sqlite: every table equal");
    let sqlite_digests = digests(&a).await;
    a.close().await;
    b.close().await;
    let files = files_of(&src.join("files"));
    assert!(!files.is_empty(), "the demo has evidence files");
    assert_eq!(files, files_of(&dst.join("files")), "sqlite: every file equal");
    // Restoring over existing data is refused.
    let again = chiso(&["restore", &s(&zip), "--data-dir", &s(&dst)]);
    assert!(!again.status.success(), "restore over data must be refused");
    // PostgreSQL: the same round trip through the logical dump, and the SQLite backup onto PostgreSQL.
    let Some(pg_src) = chiso_store::testing::TestDb::postgres().await.expect("pg") else { return };
    let url = pg_src.url().expect("url");
    let (psrc, pdst, pzip) = (dir.join("pg-src"), dir.join("pg-dst"), dir.join("pg.zip"));
    ok(&["init", "--demo", "--database-url", &url, "--data-dir", &s(&psrc)]);
    ok(&["backup", "--database-url", &url, "--data-dir", &s(&psrc), "--out", &s(&pzip)]);
    let pg_dst = chiso_store::testing::TestDb::postgres().await.expect("pg").expect("pg");
    let out = ok(&["restore", &s(&pzip), "--database-url", &pg_dst.url().expect("url"), "--data-dir", &s(&pdst)]);
    assert!(out.contains("Khôi phục đầy đủ"), "{out}");
    assert_eq!(pg_src.store.dump_tables().await.expect("dump"), pg_dst.store.dump_tables().await.expect("dump"), "postgres: every table");
    assert_eq!(files_of(&psrc.join("files")), files_of(&pdst.join("files")), "postgres: every file");
    // A new id after the restore does not collide with a restored one (sequences moved on).
    let sys = chiso_store::Scope::system("t");
    pg_dst
        .store
        .import_units_csv(&sys, "code,name,level,parent_code,valid_from,valid_to\nZZ9,Xã mới,commune,123,2020-01-01,\n")
        .await
        .expect("a new unit after the restore");
    let cross = chiso_store::testing::TestDb::postgres().await.expect("pg").expect("pg");
    let out = ok(&["restore", &s(&zip), "--database-url", &cross.url().expect("url"), "--data-dir", &s(&dir.join("cross"))]);
    assert!(out.contains("Khôi phục đầy đủ"), "{out}");
    assert_eq!(digests(&cross.store).await, sqlite_digests, "sqlite backup onto postgres: every table");
    pg_src.cleanup().await;
    pg_dst.cleanup().await;
    cross.cleanup().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Rows per table of the SQLite database in `dir`.
async fn row_counts(dir: &std::path::Path) -> std::collections::BTreeMap<String, u64> {
    let store = sqlite_store(dir).await;
    let d = digests(&store).await.into_iter().map(|(t, d)| (t, d.rows)).collect();
    store.close().await;
    d
}

#[tokio::test]
async fn an_interrupted_demo_load_reruns_to_the_same_data() {
    let dir = temp_dir("demo");
    let s = |p: &PathBuf| p.display().to_string();
    let clean = dir.join("clean");
    let started = std::time::Instant::now();
    ok(&["init", "--demo", "--data-dir", &s(&clean)]);
    let whole = started.elapsed();
    let want = row_counts(&clean).await;
    assert!(want.get("survey_response").copied().unwrap_or(0) > 0 && want.get("task_update").copied().unwrap_or(0) > 0);
    // kill -9 at points spread over the load, shifted by a little chance each run (printed, to reproduce).
    let jitter = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    for (k, base) in [0.05, 0.25, 0.45, 0.65, 0.85].into_iter().enumerate() {
        let frac = base + f64::from((jitter >> (k * 4)) % 16) / 100.0;
        let at = whole.mul_f64(frac);
        eprintln!("kill -9 after {at:?} ({:.0}% of a clean load)", frac * 100.0);
        let d = dir.join(format!("killed-{k}"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_chiso"))
            .args(["init", "--demo", "--data-dir", &s(&d)])
            .env("CHISO_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run chiso");
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        ok(&["init", "--demo", "--data-dir", &s(&d)]);
        assert_eq!(row_counts(&d).await, want, "killed after {at:?}: a rerun gives the clean run's data");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
