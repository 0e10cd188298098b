//! The API key as a secret: it cannot be printed by accident. `Debug` and
//! `Display` show only which environment it belongs to.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// Which PIK environment a key belongs to, read from its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyEnvironment {
    /// `pik_live_…`: real money.
    Live,
    /// `pik_test_…`: PIK's test mode (and the sandbox).
    Test,
    /// Any other shape; PIK will most likely reject it.
    Unknown,
}

impl KeyEnvironment {
    pub fn label(self) -> &'static str {
        match self {
            KeyEnvironment::Live => "LIVE",
            KeyEnvironment::Test => "TEST",
            KeyEnvironment::Unknown => "UNKNOWN",
        }
    }
}

#[derive(Clone)]
pub struct ApiKey {
    secret: SecretString,
    environment: KeyEnvironment,
}

impl ApiKey {
    /// Wraps a key, trimming the whitespace a key file usually ends with.
    pub fn new(raw: &str) -> Self {
        let trimmed = raw.trim();
        let environment = if trimmed.starts_with("pik_live_") {
            KeyEnvironment::Live
        } else if trimmed.starts_with("pik_test_") {
            KeyEnvironment::Test
        } else {
            KeyEnvironment::Unknown
        };
        Self { secret: SecretString::from(trimmed.to_string()), environment }
    }

    pub fn environment(&self) -> KeyEnvironment {
        self.environment
    }

    pub fn is_empty(&self) -> bool {
        self.secret.expose_secret().is_empty()
    }

    /// The raw key, for the `Authorization` header and for comparing keys in
    /// the sandbox. Callers must not print or log it.
    pub fn expose(&self) -> &str {
        self.secret.expose_secret()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({}, redacted)", self.environment.label())
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} key (redacted)", self.environment.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_key() {
        let key = ApiKey::new("pik_live_s3cr3tvalue\n");
        assert_eq!(key.environment(), KeyEnvironment::Live);
        assert_eq!(key.expose(), "pik_live_s3cr3tvalue");
        for shown in [format!("{key:?}"), format!("{key}"), format!("{:?}", Some(&key))] {
            assert!(!shown.contains("s3cr3t"), "{shown}");
        }
        assert_eq!(ApiKey::new("pik_test_x").environment(), KeyEnvironment::Test);
        assert_eq!(ApiKey::new("sk_x").environment(), KeyEnvironment::Unknown);
    }
}
