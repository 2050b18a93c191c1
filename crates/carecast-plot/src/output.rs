//! Atomic file output for charts: render everything first, then write each
//! file to a temporary sibling and rename it into place.
//!
//! This file does not render; it calls the renderers and handles files.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Chart, Formats, PlotError};

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Writes `bytes` to `path` via a temporary file in the same directory.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PlotError> {
    let io = |error| PlotError::Io { path: path.to_path_buf(), error };
    let file_name = path
        .file_name()
        .ok_or_else(|| io(std::io::Error::new(std::io::ErrorKind::InvalidInput, "path has no file name")))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(file_name);
    tmp_name.push(format!(".{}.{}.tmp", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)));
    let tmp = path.with_file_name(tmp_name);
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(())
}

/// Renders the requested formats, then writes them; returns the paths written.
pub(crate) fn write(chart: &Chart, base: &Path, formats: Formats) -> Result<Vec<PathBuf>, PlotError> {
    let scene = crate::build::build(chart)?;
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    if formats.png {
        files.push((with_suffix(base, ".png"), crate::scene::to_png(&scene)?));
    }
    if formats.svg {
        files.push((with_suffix(base, ".svg"), crate::scene::to_svg(&scene)?.into_bytes()));
    }
    let mut written = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}
