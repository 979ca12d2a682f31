//! The index folder and its format version: an index written by another format version is
//! never read; it is rebuilt from the database.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Bumped whenever the on-disk format changes; a mismatch means "rebuild".
pub const FORMAT_VERSION: u32 = 6;

const VERSION_FILE: &str = "FORMAT_VERSION";

#[derive(Debug, thiserror::Error)]
pub enum LocationError {
    #[error("index folder {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "index folder {path} holds format {found}, this build reads {FORMAT_VERSION}; run `doorstep reindex`"
    )]
    FormatMismatch { path: PathBuf, found: String },
}

/// Whether the folder was just created (and so needs a full build from the database).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexState {
    Created,
    Existing,
}

/// The index folder, checked to hold an index this build can read.
#[derive(Debug, Clone)]
pub struct IndexLocation {
    root: PathBuf,
}

impl IndexLocation {
    /// Opens `root`, creating it (and stamping the format version) if it does not exist.
    pub fn open_or_create(root: &Path) -> Result<(Self, IndexState), LocationError> {
        let io_err = |source| LocationError::Io {
            path: root.to_owned(),
            source,
        };
        fs::create_dir_all(root).map_err(io_err)?;
        let version_path = root.join(VERSION_FILE);
        let state = match fs::read_to_string(&version_path) {
            Ok(found) if found.trim() == FORMAT_VERSION.to_string() => IndexState::Existing,
            Ok(found) => {
                return Err(LocationError::FormatMismatch {
                    path: root.to_owned(),
                    found: found.trim().to_owned(),
                });
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                fs::write(&version_path, format!("{FORMAT_VERSION}\n")).map_err(io_err)?;
                IndexState::Created
            }
            Err(err) => return Err(io_err(err)),
        };
        Ok((
            Self {
                root: root.to_owned(),
            },
            state,
        ))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("doorstep-index-test-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn creates_then_reopens() {
        let dir = temp_dir("reopen");
        let (_, state) = IndexLocation::open_or_create(&dir).unwrap();
        assert_eq!(state, IndexState::Created);
        let (location, state) = IndexLocation::open_or_create(&dir).unwrap();
        assert_eq!(state, IndexState::Existing);
        assert_eq!(location.root(), dir.as_path());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refuses_another_format() {
        let dir = temp_dir("format");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(VERSION_FILE), "0\n").unwrap();
        let err = IndexLocation::open_or_create(&dir).unwrap_err();
        assert!(matches!(err, LocationError::FormatMismatch { .. }), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
