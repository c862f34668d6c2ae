//! Reading entries of a ZIP container (DOCX, XLSX) with limits: declared sizes are checked
//! first and bytes are counted while inflating, so a zip bomb stops at the limit.

use std::io::{Cursor, Read};

use zip::ZipArchive;
use zip::result::ZipError;

use crate::DocError;

/// Largest decompressed size of one entry.
pub const MAX_ENTRY_BYTES: u64 = 50 * 1024 * 1024;
/// Largest decompressed size of all entries read from one file.
pub const MAX_TOTAL_BYTES: u64 = 200 * 1024 * 1024;
/// Most entries a container may have.
pub const MAX_ENTRIES: usize = 20_000;

pub(crate) struct SafeZip<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    file: String,
    total: u64,
}

impl<'a> SafeZip<'a> {
    pub fn open(bytes: &'a [u8], file: &str) -> Result<Self, DocError> {
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| DocError::Zip { file: file.to_string(), detail: e.to_string() })?;
        if archive.len() > MAX_ENTRIES {
            return Err(DocError::Zip {
                file: file.to_string(), detail: format!("{} phần, quá giới hạn {MAX_ENTRIES}", archive.len())
            });
        }
        Ok(SafeZip { archive, file: file.to_string(), total: 0 })
    }

    pub fn has(&self, name: &str) -> bool {
        self.archive.index_for_name(name).is_some()
    }

    pub fn names(&self) -> Vec<String> {
        self.archive.file_names().filter_map(|n| n.ok().map(|c| c.into_owned())).collect()
    }

    /// Read one entry; `Ok(None)` when it does not exist.
    pub fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, DocError> {
        let file = self.file.clone();
        let mut entry = match self.archive.by_name(name) {
            Ok(e) => e,
            Err(ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(DocError::Zip { file, detail: format!("{name}: {e}") }),
        };
        let bomb = || DocError::ZipBomb { file: file.clone(), entry: name.to_string(), limit: MAX_ENTRY_BYTES };
        if entry.size() > MAX_ENTRY_BYTES {
            return Err(bomb());
        }
        let mut buf = Vec::with_capacity(entry.size().min(MAX_ENTRY_BYTES) as usize);
        let read = (&mut entry)
            .take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| DocError::Zip { file: file.clone(), detail: format!("{name}: {e}") })?;
        if read as u64 > MAX_ENTRY_BYTES {
            return Err(bomb());
        }
        self.total += read as u64;
        if self.total > MAX_TOTAL_BYTES {
            return Err(DocError::ZipBomb { file, entry: name.to_string(), limit: MAX_TOTAL_BYTES });
        }
        Ok(Some(buf))
    }

    /// Read every entry once, only to enforce the limits before handing the bytes to a
    /// library that reads the container itself (calamine).
    pub fn check_all(&mut self) -> Result<(), DocError> {
        for name in self.names() {
            if name.ends_with('/') {
                continue;
            }
            self.read(&name)?;
        }
        Ok(())
    }
}
