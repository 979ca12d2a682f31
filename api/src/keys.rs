//! Where the access-token signing keys come from.
//!
//! Production sets `DOORSTEP_JWT_KEYS` on every instance (the same keys everywhere). The
//! embedded setup generates one key on first start and keeps it in `<data_dir>/jwt-keys`
//! (mode 0600), so restarts do not log everyone out.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use doorstep_domain::auth::KeySet;
use rand::RngCore;

/// Parses `kid:secret,kid:secret`; the secret is used as given (its UTF-8 bytes).
pub fn parse_key_list(text: &str) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut keys = Vec::new();
    for entry in text
        .split([',', '\n'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let Some((kid, secret)) = entry.split_once(':') else {
            bail!("a signing key must be written kid:secret");
        };
        keys.push((kid.trim().to_owned(), secret.trim().as_bytes().to_vec()));
    }
    Ok(keys)
}

/// The configured key list, or the one in `file`, generated there if absent.
pub fn load(configured: Option<&str>, file: &Path) -> anyhow::Result<KeySet> {
    let keys = match configured {
        Some(text) => parse_key_list(text).context("DOORSTEP_JWT_KEYS")?,
        None => {
            if !file.exists() {
                generate(file)?;
            }
            let text =
                fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
            parse_key_list(&text).with_context(|| format!("reading {}", file.display()))?
        }
    };
    KeySet::new(keys).context("signing keys")
}

/// The key one-time codes are hashed under, derived from the signing key that signs (the
/// first one). Call after [`load`], which creates the key file if needed. Putting a new key
/// first invalidates codes sent before (they last minutes; people ask for another).
pub fn code_key(configured: Option<&str>, file: &Path) -> anyhow::Result<std::sync::Arc<[u8]>> {
    let keys = match configured {
        Some(text) => parse_key_list(text)?,
        None => parse_key_list(
            &fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?,
        )?,
    };
    let (_, secret) = keys.first().context("no signing keys configured")?;
    Ok(doorstep_domain::codes::derive_key(secret))
}

fn generate(file: &Path) -> anyhow::Result<()> {
    let mut secret = [0u8; 48];
    rand::rng().fill_bytes(&mut secret);
    let kid = format!("k{}", chrono::Utc::now().format("%Y%m%d%H%M%S"));
    let line = format!("{kid}:{}\n", URL_SAFE_NO_PAD.encode(secret));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut out = options
        .open(file)
        .with_context(|| format!("creating {}", file.display()))?;
    out.write_all(line.as_bytes())?;
    tracing::info!(file = %file.display(), kid, "generated an access-token signing key");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_key_lists() {
        let keys = parse_key_list(
            "new:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, old:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        )
        .unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].0, "new");
        assert!(parse_key_list("no-colon").is_err());
    }

    #[test]
    fn generates_once_and_reuses() {
        let dir = std::env::temp_dir().join(format!("doorstep-keys-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("jwt-keys");
        let _ = fs::remove_file(&file);
        let first = load(None, &file).unwrap();
        let second = load(None, &file).unwrap();
        assert_eq!(first.active_kid(), second.active_kid());
        fs::remove_dir_all(&dir).unwrap();
    }
}
