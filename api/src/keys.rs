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

/// The keys resident ID numbers are encrypted and hashed under (issue 25): the configured
/// ones, or those in `keys_file` and `hash_file`, generated there if absent. Configured
/// encryption keys need a configured hash key (a generated one would not match the rows
/// other instances wrote).
pub fn identity_keys(
    configured: Option<&str>,
    configured_hash: Option<&str>,
    keys_file: &Path,
    hash_file: &Path,
) -> anyhow::Result<doorstep_domain::identity::IdentityKeys> {
    let (keys, hash) = match (configured, configured_hash) {
        (Some(text), Some(hash)) => (
            parse_key_list(text).context("identity_keys")?,
            hash.trim().as_bytes().to_vec(),
        ),
        (Some(_), None) => bail!("`identity_hash_key` is required when `identity_keys` is set"),
        (None, Some(_)) => bail!("`identity_keys` is required when `identity_hash_key` is set"),
        (None, None) => {
            if !keys_file.exists() {
                write_secret(keys_file, "i", "an identity encryption key")?;
            }
            if !hash_file.exists() {
                write_secret(hash_file, "", "the identity hash key")?;
            }
            let text = fs::read_to_string(keys_file)
                .with_context(|| format!("reading {}", keys_file.display()))?;
            let hash = fs::read_to_string(hash_file)
                .with_context(|| format!("reading {}", hash_file.display()))?;
            (
                parse_key_list(&text)
                    .with_context(|| format!("reading {}", keys_file.display()))?,
                hash.trim().as_bytes().to_vec(),
            )
        }
    };
    doorstep_domain::identity::IdentityKeys::new(keys, &hash)
        .map_err(|e| anyhow::anyhow!(e))
        .context("identity keys")
}

fn generate(file: &Path) -> anyhow::Result<()> {
    write_secret(file, "k", "an access-token signing key")
}

/// Writes a new random secret to `file` (mode 0600): `kid:secret` when `prefix` is not
/// empty (the kid is the prefix and the time), the bare secret otherwise.
fn write_secret(file: &Path, prefix: &str, what: &str) -> anyhow::Result<()> {
    let mut secret = [0u8; 48];
    rand::rng().fill_bytes(&mut secret);
    let kid = format!("{prefix}{}", chrono::Utc::now().format("%Y%m%d%H%M%S"));
    let line = if prefix.is_empty() {
        format!("{}\n", URL_SAFE_NO_PAD.encode(secret))
    } else {
        format!("{kid}:{}\n", URL_SAFE_NO_PAD.encode(secret))
    };
    if let Some(parent) = file.parent() {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
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
    tracing::info!(file = %file.display(), what, "generated a key");
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
