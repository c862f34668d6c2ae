//! `chiso backup --out FILE` and `chiso restore FILE`: one zip with the database and the evidence files,
//! and a manifest (rows and SHA-256 of every table, SHA-256 of every file) that the restore is checked
//! against.
//!
//! * SQLite: the database is copied with `VACUUM INTO` (a consistent snapshot while the server writes) as
//!   `chiso.db`.
//! * PostgreSQL: a logical dump through the store (every table read in one REPEATABLE READ transaction) as
//!   `tables/NAME.json`; no `pg_dump` of a matching version is needed.
//! * Either backup restores onto either backend: into a new SQLite data directory, or into an empty
//!   PostgreSQL database (created and migrated by `chiso restore`).

use crate::data::DataArgs;
use anyhow::{Context, Result, bail};
use chiso_store::Store;
use chiso_store::backup::{TableDigest, TableDump};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const FORMAT: &str = "chiso-backup";
const MANIFEST: &str = "manifest.json";
const SQLITE_ENTRY: &str = "chiso.db";

#[derive(Serialize, Deserialize)]
struct FileEntry {
    size: u64,
    sha256: String,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    format: String,
    chiso_version: String,
    created_at_ms: i64,
    /// "sqlite" (`chiso.db` in the archive) or "postgres" (`tables/*.json`).
    backend: String,
    tables: BTreeMap<String, TableDigest>,
    /// Paths under the data directory's `files/`.
    files: BTreeMap<String, FileEntry>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Every regular file under `dir`, as paths relative to it with `/` separators, sorted.
fn files_under(dir: &Path) -> Result<Vec<String>> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
        let Ok(rd) = std::fs::read_dir(dir) else { return Ok(()) };
        for e in rd {
            let e = e?;
            let p = e.path();
            let ft = e.file_type()?;
            if ft.is_dir() {
                walk(base, &p, out)?;
            } else if ft.is_file() {
                let rel = p.strip_prefix(base).context("đường dẫn tệp")?;
                let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                let rel = rel.join("/");
                // Temporary files of uploads in progress are not evidence yet.
                if !rel.rsplit('/').next().unwrap_or("").contains(".tmp") {
                    out.push(rel);
                }
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}

fn zip_options() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true)
}

fn temp_path(dir: &Path, name: &str) -> PathBuf {
    let nonce: String = chiso_store::accounts::random_bytes()[..6].iter().map(|b| format!("{b:02x}")).collect();
    dir.join(format!(".{name}-{}-{nonce}", std::process::id()))
}

pub async fn backup(data: &DataArgs, out: &Path) -> Result<()> {
    let store = data.open().await?;
    let files_dir = data.data_dir.join("files");
    let out_dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(out_dir).with_context(|| format!("không tạo được thư mục {}", out_dir.display()))?;
    // Write beside the target, then rename: an interrupted backup never looks like a finished one.
    let partial = temp_path(out_dir, "chiso-backup-partial");
    let file = std::fs::File::create(&partial).with_context(|| format!("không tạo được {}", partial.display()))?;
    let result = async {
        let mut zip = zip::ZipWriter::new(file);
        let (backend, tables) = match store.backend() {
            chiso_store::Backend::Sqlite => {
                let snap = temp_path(out_dir, "chiso-snapshot.db");
                let res = async {
                    store.sqlite_snapshot(&snap).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                    // The manifest describes the snapshot itself.
                    let copy = Store::connect(&format!("sqlite://{}", snap.display())).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                    let digests = copy.table_digests().await.map_err(|e| anyhow::anyhow!("{e}"));
                    copy.close().await;
                    let digests = digests?;
                    zip.start_file(SQLITE_ENTRY, zip_options())?;
                    let mut f = std::fs::File::open(&snap)?;
                    std::io::copy(&mut f, &mut zip)?;
                    anyhow::Ok(digests)
                }
                .await;
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", snap.display()));
                }
                ("sqlite", res?)
            }
            chiso_store::Backend::Postgres => {
                let dumps = store.dump_tables().await.map_err(|e| anyhow::anyhow!("{e}"))?;
                let mut digests = BTreeMap::new();
                for d in &dumps {
                    digests.insert(d.name.clone(), d.digest());
                    zip.start_file(format!("tables/{}.json", d.name), zip_options())?;
                    serde_json::to_writer(&mut zip, d)?;
                }
                ("postgres", digests)
            }
        };
        let mut files = BTreeMap::new();
        for rel in files_under(&files_dir)? {
            let bytes = std::fs::read(files_dir.join(&rel)).with_context(|| format!("không đọc được tệp {rel}"))?;
            files.insert(rel.clone(), FileEntry { size: bytes.len() as u64, sha256: sha256_hex(&bytes) });
            zip.start_file(format!("files/{rel}"), zip_options())?;
            zip.write_all(&bytes)?;
        }
        let manifest = Manifest {
            format: FORMAT.into(),
            chiso_version: env!("CARGO_PKG_VERSION").into(),
            created_at_ms: chiso_store::now_ms(),
            backend: backend.into(),
            tables,
            files,
        };
        zip.start_file(MANIFEST, zip_options())?;
        zip.write_all(serde_json::to_string_pretty(&manifest)?.as_bytes())?;
        zip.finish()?.sync_all()?;
        anyhow::Ok(manifest)
    }
    .await;
    store.close().await;
    let manifest = match result {
        Ok(m) => m,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, out).with_context(|| format!("không ghi được {}", out.display()))?;
    let rows: u64 = manifest.tables.values().map(|t| t.rows).sum();
    println!(
        "Đã sao lưu vào {}: {} bảng, {rows} dòng ({}), {} tệp kiểm chứng.",
        out.display(),
        manifest.tables.len(),
        manifest.backend,
        manifest.files.len()
    );
    Ok(())
}

fn read_entry(zip: &mut zip::ZipArchive<std::fs::File>, name: &str) -> Result<Vec<u8>> {
    let mut f = zip.by_name(name).with_context(|| format!("bản sao lưu thiếu {name}"))?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)?;
    Ok(buf)
}

pub async fn restore(data: &DataArgs, file: &Path) -> Result<()> {
    let f = std::fs::File::open(file).with_context(|| format!("không mở được {}", file.display()))?;
    let mut zip = zip::ZipArchive::new(f).with_context(|| format!("{} không phải bản sao lưu chiso (zip)", file.display()))?;
    let manifest: Manifest = serde_json::from_slice(&read_entry(&mut zip, MANIFEST)?).context("manifest.json không hợp lệ")?;
    if manifest.format != FORMAT {
        bail!("{} không phải bản sao lưu chiso", file.display());
    }
    let files_dir = data.data_dir.join("files");
    // Never restore over data.
    if data.database_url.is_none() && data.data_dir.join("chiso.db").exists() {
        bail!("{} đã có cơ sở dữ liệu: hãy khôi phục vào một thư mục mới (--data-dir)", data.data_dir.display());
    }
    if !files_under(&files_dir)?.is_empty() {
        bail!("{} đã có tệp kiểm chứng: hãy khôi phục vào một thư mục mới (--data-dir)", files_dir.display());
    }
    std::fs::create_dir_all(&data.data_dir).with_context(|| format!("không tạo được {}", data.data_dir.display()))?;
    // The database.
    let target_sqlite = data.database_url.is_none();
    if manifest.backend == "sqlite" && target_sqlite {
        let target = data.data_dir.join("chiso.db");
        let partial = temp_path(&data.data_dir, "chiso-restore.db");
        {
            let mut entry = zip.by_name(SQLITE_ENTRY).context("bản sao lưu thiếu chiso.db")?;
            let mut out = std::fs::File::create(&partial)?;
            std::io::copy(&mut entry, &mut out)?;
            out.sync_all()?;
        }
        std::fs::rename(&partial, &target)?;
    } else {
        let dumps: Vec<TableDump> = if manifest.backend == "sqlite" {
            // A SQLite backup onto PostgreSQL: read the snapshot's tables.
            let snap = temp_path(&data.data_dir, "chiso-restore-src.db");
            std::fs::write(&snap, read_entry(&mut zip, SQLITE_ENTRY)?)?;
            let src = Store::connect(&format!("sqlite://{}", snap.display())).await.map_err(|e| anyhow::anyhow!("{e}"));
            let dumps = match src {
                Ok(src) => {
                    let d = src.dump_tables().await.map_err(|e| anyhow::anyhow!("{e}"));
                    src.close().await;
                    d
                }
                Err(e) => Err(e),
            };
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", snap.display()));
            }
            dumps?
        } else {
            let mut v = Vec::new();
            for name in manifest.tables.keys() {
                let bytes = read_entry(&mut zip, &format!("tables/{name}.json"))?;
                v.push(serde_json::from_slice(&bytes).with_context(|| format!("tables/{name}.json không hợp lệ"))?);
            }
            v
        };
        let store = data.open().await?;
        let res = async {
            if !store.is_empty_for_restore().await.map_err(|e| anyhow::anyhow!("{e}"))? {
                bail!("cơ sở dữ liệu đích đã có dữ liệu: hãy khôi phục vào một cơ sở dữ liệu mới, trống");
            }
            store.load_tables(&dumps).await.map_err(|e| anyhow::anyhow!("{e}"))
        }
        .await;
        store.close().await;
        res?;
    }
    // The files, each checked against its checksum.
    let mut bad_files = Vec::new();
    for (rel, entry) in &manifest.files {
        if rel.split('/').any(|c| c.is_empty() || c == "." || c == "..") || rel.contains('\\') {
            bail!("đường dẫn tệp không hợp lệ trong bản sao lưu: {rel}");
        }
        let bytes = read_entry(&mut zip, &format!("files/{rel}"))?;
        if sha256_hex(&bytes) != entry.sha256 || bytes.len() as u64 != entry.size {
            bad_files.push(rel.clone());
            continue;
        }
        let path = files_dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &bytes).with_context(|| format!("không ghi được {}", path.display()))?;
    }
    // The completeness check: every table and every file as the manifest says.
    let store = data.open().await?;
    let restored = store.table_digests().await.map_err(|e| anyhow::anyhow!("{e}"));
    store.close().await;
    let restored = restored?;
    println!("{:<28} {:>10} {:>10}  kiểm tra", "bảng", "sao lưu", "khôi phục");
    let mut bad_tables = Vec::new();
    for (name, want) in &manifest.tables {
        let got = restored.get(name);
        let ok = got == Some(want);
        if !ok {
            bad_tables.push(name.clone());
        }
        println!(
            "{name:<28} {:>10} {:>10}  {}",
            want.rows,
            got.map(|g| g.rows.to_string()).unwrap_or("—".into()),
            if ok { "đúng" } else { "KHÁC" }
        );
    }
    let mut files_ok = 0;
    for (rel, entry) in &manifest.files {
        match std::fs::read(files_dir.join(rel)) {
            Ok(b) if sha256_hex(&b) == entry.sha256 => files_ok += 1,
            _ => {
                if !bad_files.contains(rel) {
                    bad_files.push(rel.clone());
                }
            }
        }
    }
    println!("tệp kiểm chứng: {files_ok}/{} đúng mã SHA-256", manifest.files.len());
    if !bad_tables.is_empty() || !bad_files.is_empty() {
        bail!("khôi phục KHÔNG đầy đủ: bảng khác ({}), tệp sai hoặc thiếu ({})", bad_tables.join(", "), bad_files.join(", "));
    }
    println!("Khôi phục đầy đủ từ {}: {} bảng, {} tệp.", file.display(), manifest.tables.len(), manifest.files.len());
    Ok(())
}
