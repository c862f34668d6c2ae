//! PDF export through LibreOffice headless (`soffice --headless --convert-to pdf`), which
//! renders the DOCX with the best fidelity. LibreOffice is an optional external program.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::DocError;
use crate::document::PlanDocument;

/// Longest a conversion may run (and longest a request waits for a free converter).
pub const PDF_TIMEOUT: Duration = Duration::from_secs(120);
/// Conversions running at once; more wait (LibreOffice takes a core and hundreds of MB each).
pub const MAX_PDF_CONVERSIONS: usize = 2;

/// A counting semaphore for the blocking converter threads.
pub(crate) struct Slots {
    free: std::sync::Mutex<usize>,
    freed: std::sync::Condvar,
}

pub(crate) struct Slot<'a>(&'a Slots);

impl Slots {
    pub(crate) const fn new(n: usize) -> Slots {
        Slots { free: std::sync::Mutex::new(n), freed: std::sync::Condvar::new() }
    }

    /// Take a slot, waiting at most `timeout`; None when none came free in time.
    pub(crate) fn acquire(&self, timeout: Duration) -> Option<Slot<'_>> {
        let deadline = Instant::now() + timeout;
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        while *free == 0 {
            let left = deadline.checked_duration_since(Instant::now())?;
            free = self.freed.wait_timeout(free, left).unwrap_or_else(|p| p.into_inner()).0;
        }
        *free -= 1;
        Some(Slot(self))
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.0.freed.notify_one();
    }
}

static CONVERTERS: Slots = Slots::new(MAX_PDF_CONVERSIONS);

/// Kill a converter and everything it started: it runs as the leader of its own process group, and
/// LibreOffice forks helpers (`oosplash` → `soffice.bin`) that a plain kill of the child would leave running.
fn kill_group(child: &mut std::process::Child) {
    let pgid = child.id();
    let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pgid}")]).stdout(Stdio::null()).stderr(Stdio::null()).status();
    let _ = child.kill();
    let _ = child.wait();
}

/// The LibreOffice program on `PATH` (`soffice` or `libreoffice`), if installed.
pub fn find_libreoffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["soffice", "libreoffice"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Write the plan as PDF: the DOCX of [`crate::write_docx`] converted by LibreOffice
/// headless in a private temporary directory, with its own user profile (so conversions can
/// run side by side) and a time limit of [`PDF_TIMEOUT`].
///
/// Needs LibreOffice (`soffice` or `libreoffice` on `PATH`); without it the error is
/// [`DocError::LibreOfficeMissing`].
pub fn write_pdf(doc: &PlanDocument) -> Result<Vec<u8>, DocError> {
    let program = find_libreoffice().ok_or(DocError::LibreOfficeMissing)?;
    let docx = crate::write_docx(doc)?;
    let _slot = CONVERTERS.acquire(PDF_TIMEOUT).ok_or(DocError::PdfTimeout { seconds: PDF_TIMEOUT.as_secs() })?;
    docx_to_pdf(&program, &docx, PDF_TIMEOUT)
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir() -> Result<TempDir, DocError> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!("chiso-pdf-{}-{n}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| DocError::Pdf { detail: format!("{}: {e}", dir.display()) })?;
    Ok(TempDir(dir))
}

/// Convert DOCX bytes with the given LibreOffice program, in its own process group; past `timeout` the
/// whole group is killed.
pub(crate) fn docx_to_pdf(program: &Path, docx: &[u8], timeout: Duration) -> Result<Vec<u8>, DocError> {
    let tmp = temp_dir()?;
    let input = tmp.0.join("ke-hoach.docx");
    std::fs::write(&input, docx).map_err(|e| DocError::Pdf { detail: format!("{}: {e}", input.display()) })?;
    let profile = tmp.0.join("profile");
    // stderr goes to a file: a pipe nobody reads could fill up and stall LibreOffice.
    let log_path = tmp.0.join("stderr.txt");
    let log = std::fs::File::create(&log_path).map_err(|e| DocError::Pdf { detail: format!("{}: {e}", log_path.display()) })?;
    let mut child = Command::new(program)
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--norestore", "--nologo", "--convert-to", "pdf", "--outdir"])
        .arg(&tmp.0)
        .arg(&input)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .process_group(0)
        .spawn()
        .map_err(|e| DocError::Pdf { detail: format!("{}: {e}", program.display()) })?;
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > timeout => {
                kill_group(&mut child);
                return Err(DocError::PdfTimeout { seconds: timeout.as_secs() });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(DocError::Pdf { detail: e.to_string() }),
        }
    };
    let output = tmp.0.join("ke-hoach.pdf");
    match std::fs::read(&output) {
        Ok(bytes) if bytes.starts_with(b"%PDF") => Ok(bytes),
        _ => {
            let stderr = std::fs::read_to_string(&log_path).unwrap_or_default();
            Err(DocError::Pdf { detail: format!("{status}; {}", stderr.trim()) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn alive(pid: &str) -> bool {
        // A zombie waiting for its reaper is as good as gone.
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.split(") ").nth(1).is_some_and(|r| r.starts_with('Z')))
    }

    #[test]
    fn a_hanging_converter_is_killed_with_everything_it_started() {
        let dir = temp_dir().expect("dir");
        let pid_file = dir.0.join("helper.pid");
        let fake = dir.0.join("soffice");
        // Like LibreOffice: the program starts a helper process and waits for it.
        std::fs::write(&fake, format!("#!/bin/sh\nsleep 600 &\necho $! > {}\nwait\n", pid_file.display())).expect("script");
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let started = Instant::now();
        let err = docx_to_pdf(&fake, b"PK", Duration::from_millis(700)).expect_err("times out");
        assert!(matches!(err, DocError::PdfTimeout { .. }), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(10));
        let pid = std::fs::read_to_string(&pid_file).expect("helper pid").trim().to_string();
        let gone_by = Instant::now() + Duration::from_secs(5);
        while alive(&pid) && Instant::now() < gone_by {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(!alive(&pid), "the converter's helper process {pid} was left running");
    }

    #[test]
    fn at_most_n_conversions_run_at_once() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let slots = Arc::new(Slots::new(2));
        let (now, max) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let (slots, now, max) = (slots.clone(), now.clone(), max.clone());
                std::thread::spawn(move || {
                    let _slot = slots.acquire(Duration::from_secs(30)).expect("slot");
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    max.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(50));
                    now.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        assert_eq!(max.load(Ordering::SeqCst), 2);
        // With every slot taken, a caller gives up after its timeout instead of waiting for ever.
        let _a = slots.acquire(Duration::from_secs(1)).expect("a");
        let _b = slots.acquire(Duration::from_secs(1)).expect("b");
        assert!(slots.acquire(Duration::from_millis(100)).is_none());
    }
}
