//! The API key, held so that it cannot be printed by accident.

use std::fmt;

/// An API key. `Debug` and `Display` print `ApiKey(***)`, never the key; the only way to
/// read it is [`ApiKey::expose`], used once, when the header is set (marked sensitive).
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wrap a key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        Self(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> Self {
        Self(key.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_printed() {
        let k = ApiKey::new("sk-sentinel-123");
        assert_eq!(
            format!("{k:?} {k} {:?}", Some(&k)),
            "ApiKey(***) *** Some(ApiKey(***))"
        );
        assert_eq!(k.expose(), "sk-sentinel-123");
    }
}
