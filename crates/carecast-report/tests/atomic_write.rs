//! Integration tests for atomic writes.
//!
//! What it is: checks that `write_atomic`/`write_atomic_with` leave either
//! the complete new file or nothing (no partial target, no temp file) and
//! never disturb an existing target on error. What it is not: a crash or
//! power-loss test.

use std::fs;
use std::io;
use std::path::Path;

use carecast_report::{ReportError, write_atomic, write_atomic_with};

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn atomic_write_creates_and_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.txt");
    write_atomic(&path, b"first").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"first");
    write_atomic(&path, b"second, longer").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"second, longer");
    assert_eq!(entries(dir.path()), vec!["out.txt"]);
}

#[test]
fn error_mid_write_leaves_no_target_and_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.csv");
    let err = write_atomic_with(&path, |w| {
        // Enough to get past any buffer, so bytes really hit the temp file.
        w.write_all(&vec![b'x'; 256 * 1024])?;
        Err(io::Error::other("simulated failure"))
    })
    .unwrap_err();
    assert!(matches!(err, ReportError::Io { .. }));
    let msg = err.to_string();
    assert!(msg.contains("new.csv") && msg.contains("simulated failure"), "{msg}");
    assert_eq!(err.path(), Some(path.as_path()));
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
}

#[test]
fn error_mid_write_leaves_existing_target_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("existing.xlsx");
    fs::write(&path, b"old contents").unwrap();
    let err = write_atomic_with(&path, |w| {
        w.write_all(b"new partial")?;
        Err(io::Error::other("boom"))
    });
    assert!(err.is_err());
    assert_eq!(fs::read(&path).unwrap(), b"old contents");
    assert_eq!(entries(dir.path()), vec!["existing.xlsx"]);
}

#[test]
fn missing_directory_is_an_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("f.csv");
    let err = write_atomic(&path, b"x").unwrap_err();
    assert!(err.to_string().contains("f.csv"), "{err}");
    assert!(!path.exists());
}

#[test]
fn directory_as_target_is_an_error_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sub");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("keep"), b"k").unwrap();
    assert!(write_atomic(&target, b"x").is_err());
    assert!(target.is_dir());
    assert_eq!(entries(dir.path()), vec!["sub"]);
}

/// The process umask, read from /proc on Linux.
#[cfg(target_os = "linux")]
fn umask() -> Option<u32> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Umask:"))?;
    u32::from_str_radix(line.trim_start_matches("Umask:").trim(), 8).ok()
}

#[cfg(target_os = "linux")]
#[test]
fn new_files_get_ordinary_permissions_not_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let Some(mask) = umask() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.csv");
    write_atomic(&path, b"x").unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    // Like a file created with File::create: 0666 less the umask, not
    // tempfile's private 0600.
    assert_eq!(mode, 0o666 & !mask, "mode {mode:o} umask {mask:o}");
}
