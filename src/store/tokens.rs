//! Words for the search index, made here rather than by the database, so
//! that every backend indexes and queries exactly the same tokens: runs of
//! letters, digits and `_`, lower-cased. Ids (`pl_8f2k3m`) and hashes
//! (`0x9f3c…`) stay one token each, so a prefix of one finds it.
//!
//! Each row's document also carries marker tokens for filters: its kind
//! (`k_link`, `k_txn`), status (`st_paid`), currency (`cur_usdt`), amount
//! (`amt_75`, `amt_0d015`) and link (`lnk_pl_…`), so that a search with
//! filters is one index lookup.

use crate::api::{PaymentLink, Transaction};
use rust_decimal::Decimal;

/// A token longer than this is cut: a 10,000-character "word" is noise.
const MAX_TOKEN_CHARS: usize = 80;

/// Splits text into lower-cased tokens of letters, digits and `_`.
pub fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            if current.chars().count() < MAX_TOKEN_CHARS {
                current.extend(c.to_lowercase());
            }
        } else if !current.is_empty() {
            tokens.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

pub const LINK_KIND: &str = "k_link";
pub const TRANSACTION_KIND: &str = "k_txn";

/// One token for a marker and a value: `st_` + `paid`.
pub fn marker(prefix: &str, value: &str) -> String {
    format!("{prefix}{}", tokenize(value).join("_"))
}

/// `75.00` → `amt_75`; `0.0150` → `amt_0d015` (the same token for every
/// way of writing the same amount).
pub fn amount_marker(amount: Decimal) -> String {
    format!("amt_{}", amount.normalize().to_string().replace('.', "d").replace('-', "m"))
}

pub fn link_document(link: &PaymentLink) -> String {
    let mut words = vec![LINK_KIND.to_string(), marker("lnk_", &link.id)];
    words.extend(tokenize(&link.id));
    words.push(marker("st_", link.status.as_str()));
    words.push(marker("cur_", &link.currency));
    words.push(amount_marker(link.amount));
    words.extend(tokenize(&link.amount.to_string()));
    if let Some(description) = &link.description {
        words.extend(tokenize(description));
    }
    if let Some(url) = &link.url {
        words.extend(tokenize(url));
    }
    words.join(" ")
}

pub fn transaction_document(txn: &Transaction) -> String {
    let mut words = vec![TRANSACTION_KIND.to_string()];
    words.extend(tokenize(&txn.id));
    if let Some(link) = &txn.payment_link_id {
        words.push(marker("lnk_", link));
        words.extend(tokenize(link));
    }
    words.push(marker("st_", txn.status.as_str()));
    words.push(marker("cur_", &txn.currency));
    words.push(amount_marker(txn.amount));
    words.extend(tokenize(&txn.amount.to_string()));
    if let Some(hash) = &txn.tx_hash {
        words.extend(tokenize(hash));
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_hashes_and_words_become_tokens() {
        assert_eq!(tokenize("Order #1234, café ✓"), ["order", "1234", "café"]);
        assert_eq!(tokenize("https://pay.pik.global/pl_8f2k3m"), ["https", "pay", "pik", "global", "pl_8f2k3m"]);
        assert_eq!(tokenize("0x9F3C00ab"), ["0x9f3c00ab"]);
        assert_eq!(tokenize("\u{1b}]0;x\u{7}"), ["0", "x"]);
        assert_eq!(tokenize(&"a".repeat(10_000))[0].len(), MAX_TOKEN_CHARS);
        let amount = |s: &str| amount_marker(s.parse().unwrap_or_default());
        assert_eq!(amount("75.00"), "amt_75");
        assert_eq!(amount("75"), "amt_75");
        assert_eq!(amount("0.0150"), "amt_0d015");
        assert_eq!(marker("st_", "Paid"), "st_paid");
    }

    #[test]
    fn a_document_holds_every_searchable_field() {
        let link = crate::test_support::link("pl_8f2k3m");
        let link = PaymentLink { description: Some("Order #1234".into()), ..link };
        let doc = link_document(&link);
        for token in ["k_link", "lnk_pl_8f2k3m", "pl_8f2k3m", "st_active", "cur_usdt", "amt_75", "order", "1234"] {
            assert!(doc.split(' ').any(|t| t == token), "{token} missing from {doc}");
        }
        let txn = Transaction { tx_hash: Some("0xABC".into()), ..crate::test_support::txn("txn_1") };
        let doc = transaction_document(&txn);
        for token in ["k_txn", "txn_1", "lnk_pl_00001", "st_pending", "0xabc"] {
            assert!(doc.split(' ').any(|t| t == token), "{token} missing from {doc}");
        }
    }
}
