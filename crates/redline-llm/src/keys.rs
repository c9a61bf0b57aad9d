//! API keys in the OS keyring (Secret Service on Linux, Keychain, Credential Manager), or in
//! memory for this run when the keyring is missing or locked. A key never reaches a file, a
//! log line or an error message from here.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::ApiKey;

/// Keyring entries are `(SERVICE, provider id)`.
pub const SERVICE: &str = "dev.redline.app";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// No keyring service, or it is locked: offer to keep the key in memory for this run.
    #[error(
        "The system keyring is not available ({0}). Unlock it or start a keyring service, or keep the key in memory for this run only."
    )]
    Unavailable(String),
    #[error("The system keyring refused the request: {0}")]
    Failed(String),
}

/// Where keys live.
pub trait KeyStore: Send + Sync {
    fn get(&self, provider: &str) -> Result<Option<ApiKey>, KeyError>;
    fn set(&self, provider: &str, key: &ApiKey) -> Result<(), KeyError>;
    fn delete(&self, provider: &str) -> Result<(), KeyError>;
}

/// The operating system's keyring.
#[derive(Debug, Default)]
pub struct OsKeyring;

impl OsKeyring {
    fn entry(provider: &str) -> Result<keyring::Entry, KeyError> {
        keyring::Entry::new(SERVICE, provider).map_err(classify)
    }
}

impl KeyStore for OsKeyring {
    fn get(&self, provider: &str) -> Result<Option<ApiKey>, KeyError> {
        match Self::entry(provider)?.get_password() {
            Ok(secret) => Ok(Some(ApiKey::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    fn set(&self, provider: &str, key: &ApiKey) -> Result<(), KeyError> {
        Self::entry(provider)?.set_password(key.expose()).map_err(classify)
    }

    fn delete(&self, provider: &str) -> Result<(), KeyError> {
        match Self::entry(provider)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(classify(e)),
        }
    }
}

/// The keyring's own messages describe the service, never the secret.
fn classify(e: keyring::Error) -> KeyError {
    match e {
        keyring::Error::PlatformFailure(inner) => KeyError::Unavailable(inner.to_string()),
        keyring::Error::NoStorageAccess(inner) => KeyError::Unavailable(inner.to_string()),
        other => KeyError::Failed(other.to_string()),
    }
}

/// Keys kept in memory for this run only.
#[derive(Default)]
pub struct SessionKeys {
    keys: Mutex<HashMap<String, ApiKey>>,
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKeys(…)")
    }
}

impl KeyStore for SessionKeys {
    fn get(&self, provider: &str) -> Result<Option<ApiKey>, KeyError> {
        Ok(self.keys.lock().unwrap_or_else(|e| e.into_inner()).get(provider).cloned())
    }

    fn set(&self, provider: &str, key: &ApiKey) -> Result<(), KeyError> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner()).insert(provider.to_owned(), key.clone());
        Ok(())
    }

    fn delete(&self, provider: &str) -> Result<(), KeyError> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner()).remove(provider);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_keys_round_trip_and_never_print() {
        let keys = SessionKeys::default();
        keys.set("openai", &ApiKey::new("sk-secret-1")).expect("set");
        assert_eq!(
            keys.get("openai").expect("get").map(|k| k.expose().to_owned()),
            Some("sk-secret-1".into())
        );
        assert!(!format!("{keys:?} {:?}", keys.get("openai")).contains("sk-secret-1"));
        keys.delete("openai").expect("delete");
        assert!(keys.get("openai").expect("get").is_none());
    }

    /// Against the real keyring. `scripts/test` runs it inside a D-Bus session with an unlocked
    /// gnome-keyring and sets REDLINE_KEYRING_TESTS=1; there a missing keyring is a failure.
    #[test]
    fn os_keyring_round_trip_when_a_keyring_is_provided() {
        if std::env::var_os("REDLINE_KEYRING_TESTS").is_none() {
            eprintln!("skipped: set REDLINE_KEYRING_TESTS=1 inside a keyring session (scripts/test does)");
            return;
        }
        let provider = format!("redline-test-{}", std::process::id());
        let keyring = OsKeyring;
        keyring.set(&provider, &ApiKey::new("sk-real-keyring")).expect("set in the OS keyring");
        let read = keyring.get(&provider).expect("get").expect("present");
        assert_eq!(read.expose(), "sk-real-keyring");
        keyring.delete(&provider).expect("delete");
        assert!(keyring.get(&provider).expect("get").is_none());
    }
}
