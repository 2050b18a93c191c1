//! Atomic file replacement.
//!
//! What it is: the one mechanism every writer in this crate uses (and the
//! binary may reuse) to put a file in place: write to a temporary file in the
//! target's directory, flush and fsync it, then rename it over the target.
//! Readers see either the old file or the complete new one; on any error the
//! temporary file is removed and an existing target is left untouched.
//! What it is not: a lock. Two processes writing the same path concurrently
//! each produce a complete file, and the last rename wins.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::error::ReportError;

/// Write `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Write `path` atomically with content produced by `f`.
///
/// `f` writes into a buffered temporary file. If `f` returns an error, or
/// flushing, syncing or renaming fails, the temporary file is deleted and
/// the target is not created or changed.
pub fn write_atomic_with(path: &Path, f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), ReportError> {
    let err = |e: io::Error| ReportError::io(path, e);

    let file_name =
        path.file_name().ok_or_else(|| err(io::Error::new(io::ErrorKind::InvalidInput, "path has no file name")))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if path.is_dir() {
        return Err(err(io::Error::new(io::ErrorKind::InvalidInput, "path is a directory")));
    }

    // Hidden, recognisable temp name next to the target so the rename stays
    // on one filesystem.
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(file_name);
    prefix.push(".");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        // tempfile defaults to 0600; a report should get ordinary
        // permissions (0666 less the umask) like any other new file.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let tmp = builder.tempfile_in(dir).map_err(err)?;

    // From here on, returning early drops `tmp`, which deletes the file.
    {
        let mut writer = BufWriter::new(tmp.as_file());
        f(&mut writer).map_err(err)?;
        writer.flush().map_err(err)?;
    }
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;

    sync_dir(dir);
    Ok(())
}

/// Best-effort fsync of the directory so the rename itself is durable.
/// Failure is ignored: the file is complete either way and some platforms
/// cannot open directories.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}
