//! Where an account's mirror lives by default: the platform's data
//! directory, one file per account, named by the base URL's host and a
//! fingerprint of the key: a hash prefix, from which the key cannot be had.

use super::Account;
use crate::api::ApiKey;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// A fingerprint of an API key: 16 hex digits of a salted SHA-256.
pub fn key_fingerprint(key: &ApiKey) -> String {
    let mut hash = Sha256::new();
    hash.update(b"pik-tui mirror\n");
    hash.update(key.expose().as_bytes());
    hex::encode(hash.finalize())[..16].to_string()
}

impl Account {
    pub fn new(base_url: &str, key: &ApiKey) -> Self {
        Account { base_url: base_url.trim().trim_end_matches('/').to_string(), fingerprint: key_fingerprint(key) }
    }
}

/// The host (and port) of a base URL, as safe file-name characters.
fn slug(base_url: &str) -> String {
    let host = url::Url::parse(base_url)
        .ok()
        .map(|url| match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}-{port}"),
            (Some(host), None) => host.to_string(),
            (None, _) => "pik".to_string(),
        })
        .unwrap_or_else(|| "pik".to_string());
    host.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).take(60).collect()
}

/// The folder that holds the mirrors.
pub fn mirrors_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "pik-tui").map(|dirs| dirs.data_dir().join("mirrors"))
}

/// The default mirror file of an account.
pub fn default_file(account: &Account) -> Option<PathBuf> {
    mirrors_dir().map(|dir| dir.join(format!("{}-{}.sqlite", slug(&account.base_url), account.fingerprint)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_per_account_and_no_key_in_its_name() {
        let key = ApiKey::new("pik_live_supersecretkey");
        let account = Account::new("https://api.pik.global/v1/", &key);
        let Some(path) = default_file(&account) else { return };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        assert!(name.starts_with("api.pik.global-") && name.ends_with(".sqlite"), "{name}");
        assert!(!name.contains("supersecret"));
        let other = Account::new("https://api.pik.global/v1", &ApiKey::new("pik_live_another"));
        assert_ne!(default_file(&other), Some(path.clone()), "another key, another file");
        let sandbox = Account::new("http://127.0.0.1:8787/v1", &key);
        assert_ne!(default_file(&sandbox), Some(path), "another base URL, another file");
        assert_eq!(account.base_url, "https://api.pik.global/v1");
    }
}
