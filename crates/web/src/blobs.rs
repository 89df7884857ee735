//! The blob store: document bytes in a local folder, addressed by their SHA-256.
//! Content addressing makes writes idempotent and lets a reader check what it got.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

impl BlobStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        BlobStore { root: root.into() }
    }

    fn path(&self, sha256: &str) -> Option<PathBuf> {
        let valid = sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        valid.then(|| self.root.join(&sha256[..2]).join(sha256))
    }

    /// Stores `bytes` (atomically: temp file, fsync, rename) and returns their SHA-256.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let sha = hex::encode(Sha256::digest(bytes));
        let path = self.path(&sha).expect("a hex digest is a valid key");
        if path.exists() {
            return Ok(sha);
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(".{sha}.{}.tmp", std::process::id()));
        {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        Ok(sha)
    }

    /// The bytes stored under `sha256`, checked against it; `None` when absent or invalid.
    pub fn get(&self, sha256: &str) -> std::io::Result<Option<Vec<u8>>> {
        let Some(path) = self.path(sha256) else {
            return Ok(None);
        };
        match std::fs::read(&path) {
            Ok(bytes) if hex::encode(Sha256::digest(&bytes)) == sha256 => Ok(Some(bytes)),
            Ok(_) => Err(std::io::Error::other(format!(
                "blob {sha256} is corrupt on disk"
            ))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The media type of an upload, decided by its first bytes rather than by what the client claims.
pub fn sniff_media_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_round_trip_and_refuse_bad_keys() {
        let dir = std::env::temp_dir().join(format!("sepakat-blobs-{}", uuid::Uuid::new_v4()));
        let blobs = BlobStore::new(&dir);
        let sha = blobs.put(b"%PDF-1.7 surat").unwrap();
        assert_eq!(blobs.put(b"%PDF-1.7 surat").unwrap(), sha);
        assert_eq!(blobs.get(&sha).unwrap().unwrap(), b"%PDF-1.7 surat");
        assert_eq!(blobs.get(&"0".repeat(64)).unwrap(), None);
        assert_eq!(blobs.get("../../etc/passwd").unwrap(), None);
        std::fs::write(dir.join(&sha[..2]).join(&sha), b"tampered").unwrap();
        assert!(blobs.get(&sha).is_err());
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn media_types_come_from_content() {
        assert_eq!(sniff_media_type(b"%PDF-1.4\n"), Some("application/pdf"));
        assert_eq!(
            sniff_media_type(b"\x89PNG\r\n\x1a\nxxxx"),
            Some("image/png")
        );
        assert_eq!(
            sniff_media_type(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some("image/jpeg")
        );
        assert_eq!(sniff_media_type(b"<html>%PDF-"), None);
        assert_eq!(sniff_media_type(b""), None);
    }
}
