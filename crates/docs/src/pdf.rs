//! PDF export through LibreOffice headless (`soffice --headless --convert-to pdf`), which
//! renders the DOCX with the best fidelity. LibreOffice is an optional external program.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::DocError;
use crate::document::PlanDocument;

/// Longest a conversion may run.
pub const PDF_TIMEOUT: Duration = Duration::from_secs(120);

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

/// Convert DOCX bytes with the given LibreOffice program.
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
        .spawn()
        .map_err(|e| DocError::Pdf { detail: format!("{}: {e}", program.display()) })?;
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
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
