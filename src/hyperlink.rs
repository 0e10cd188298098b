//! Clickable links (OSC 8): which URLs may become one, and the block
//! explorer a transaction hash links to. A URL only ever comes from checked
//! parts: a checkout URL that parses as a well-formed https URL (as the url
//! crate writes it back: ASCII, controls percent-encoded), or an http(s)
//! explorer template from the config with a hash of hex digits only.

use std::collections::BTreeMap;

/// Where `{hash}` goes in an explorer template.
pub const HASH: &str = "{hash}";

/// The longest URL put in a link (terminals cap them; a longer one is not
/// worth the bytes).
const MAX_URL: usize = 2048;

/// What a hash of a chain looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashShape {
    /// 64 hex digits.
    Bitcoin,
    /// `0x` and 64 hex digits (Ethereum and its tokens).
    Evm,
}

impl HashShape {
    /// The chain of a currency's transactions: BTC is Bitcoin, anything else
    /// PIK takes is on an EVM chain.
    pub fn of(currency: &str) -> HashShape {
        if currency.eq_ignore_ascii_case("BTC") { HashShape::Bitcoin } else { HashShape::Evm }
    }

    pub fn fits(self, hash: &str) -> bool {
        let hex = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
        match self {
            HashShape::Bitcoin => hex(hash),
            HashShape::Evm => hash.strip_prefix("0x").is_some_and(hex),
        }
    }
}

/// Block explorers by currency code (upper case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explorers {
    templates: BTreeMap<String, String>,
}

impl Default for Explorers {
    fn default() -> Self {
        let mut templates = BTreeMap::new();
        templates.insert("BTC".to_string(), "https://mempool.space/tx/{hash}".to_string());
        for evm in ["ETH", "USDT", "USDC"] {
            templates.insert(evm.to_string(), "https://etherscan.io/tx/{hash}".to_string());
        }
        Explorers { templates }
    }
}

impl Explorers {
    /// The defaults, with the config file's `[explorers]` over them. A
    /// template must be an http(s) URL holding `{hash}` once.
    pub fn with(overrides: &BTreeMap<String, String>) -> Result<Explorers, String> {
        let mut explorers = Explorers::default();
        for (currency, template) in overrides {
            check_template(template).map_err(|why| {
                format!("[explorers] {}: {why}", crate::sanitize::for_terminal_truncated(currency, 20))
            })?;
            explorers.templates.insert(currency.to_ascii_uppercase(), template.clone());
        }
        Ok(explorers)
    }

    /// The explorer's page of a transaction, if its currency has one and the
    /// hash has the shape of that currency's chain.
    pub fn url(&self, currency: &str, hash: &str) -> Option<String> {
        let template = self.templates.get(&currency.to_ascii_uppercase())?;
        if !HashShape::of(currency).fits(hash) {
            return None;
        }
        safe_url(&template.replacen(HASH, hash, 1))
    }
}

fn check_template(template: &str) -> Result<(), String> {
    if template.matches(HASH).count() != 1 {
        return Err("the URL must hold {hash} once".into());
    }
    let sample = template.replacen(HASH, &"0".repeat(64), 1);
    match url::Url::parse(&sample) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(()),
        _ => Err("must be an http:// or https:// URL, e.g. \"https://mempool.space/tx/{hash}\"".into()),
    }
}

/// A URL as it may go inside an OSC 8 sequence: an http(s) URL with a host,
/// written back by the url crate, so nothing in it can end the sequence.
fn safe_url(text: &str) -> Option<String> {
    if text.len() > MAX_URL || text.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    let url = url::Url::parse(text).ok()?;
    let written = url.as_str();
    let printable = written.bytes().all(|b| b.is_ascii_graphic());
    (matches!(url.scheme(), "http" | "https") && url.host().is_some() && printable).then(|| written.to_string())
}

/// A checkout URL from PIK, as a link target: only a well-formed https URL.
pub fn checkout(url: &str) -> Option<String> {
    safe_url(url).filter(|u| u.starts_with("https://"))
}

/// The OSC 8 sequence around `text`. `url` must come from this module.
pub fn wrap(url: &str, text: &str) -> String {
    format!("\x1b]8;;{url}\x1b\\{text}\x1b]8;;\x1b\\")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_link_only_in_their_chains_shape() {
        let explorers = Explorers::default();
        let evm = format!("0x{}", "ab".repeat(32));
        let btc = "cd".repeat(32);
        assert_eq!(explorers.url("usdt", &evm), Some(format!("https://etherscan.io/tx/{evm}")));
        assert_eq!(explorers.url("BTC", &btc), Some(format!("https://mempool.space/tx/{btc}")));
        for (currency, hash) in [
            ("BTC", evm.as_str()),
            ("ETH", btc.as_str()),
            ("ETH", "0xabc"),
            ("ETH", &format!("0x{}zz", "a".repeat(62))),
            ("ETH", &format!("0x{}\x1b]8;;", "a".repeat(60))),
            ("DOGE", evm.as_str()),
        ] {
            assert_eq!(explorers.url(currency, hash), None, "{currency} {hash:?}");
        }
    }

    #[test]
    fn templates_are_checked_and_override_the_defaults() {
        let mut mine = BTreeMap::new();
        mine.insert("eth".to_string(), "https://eth.blockscout.com/tx/{hash}".to_string());
        let Ok(explorers) = Explorers::with(&mine) else { panic!() };
        let hash = format!("0x{}", "1".repeat(64));
        assert_eq!(explorers.url("ETH", &hash), Some(format!("https://eth.blockscout.com/tx/{hash}")));
        for bad in ["https://x.io/tx/", "javascript:alert(1)//{hash}", "ftp://x.io/{hash}", "{hash}{hash}", "x {hash}"]
        {
            let mut table = BTreeMap::new();
            table.insert("ETH".to_string(), bad.to_string());
            assert!(Explorers::with(&table).is_err(), "{bad:?} was taken");
        }
    }

    #[test]
    fn only_well_formed_https_checkout_urls_become_links() {
        assert_eq!(checkout("https://pay.pik.global/pl_abc"), Some("https://pay.pik.global/pl_abc".into()));
        for hostile in [
            "http://pay.pik.global/pl_abc",
            "https://pay.pik.global/\x1b]8;;https://evil.example\x1b\\",
            "https://pay.pik.global/a\x07b",
            "https://pay.pik.global/a b",
            "javascript:alert(1)",
            "https://",
            "pay.pik.global/pl_abc",
        ] {
            assert_eq!(checkout(hostile), None, "{hostile:?}");
        }
        assert_eq!(checkout(&format!("https://a.io/{}", "x".repeat(3000))), None);
        // What the url crate writes back is plain ASCII: a bidi override is percent-encoded.
        assert_eq!(checkout("https://a.io/\u{202e}x"), Some("https://a.io/%E2%80%AEx".into()));
    }
}
