//! Webhook signatures: `PIK-Signature` is the lowercase hex HMAC-SHA256 of
//! the raw request body, keyed with the webhook's secret. The sandbox signs
//! with [`sign`]; receivers check with [`verify`] before parsing the body.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The header PIK puts the signature in.
pub const HEADER: &str = "PIK-Signature";

fn keyed(secret: &[u8]) -> HmacSha256 {
    match HmacSha256::new_from_slice(secret) {
        Ok(mac) => mac,
        // HMAC hashes or pads a key of any length; the error cannot happen.
        Err(_) => unreachable!("HMAC-SHA256 accepts keys of every length"),
    }
}

/// The signature of `body` under `secret`, as lowercase hex.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = keyed(secret);
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `signature` (hex, either case, surrounding spaces ignored) is the
/// signature of `body` under `secret`. The comparison is constant-time, so a
/// forger learns nothing from how long a rejection takes.
pub fn verify(secret: &[u8], body: &[u8], signature: &str) -> bool {
    let Ok(expected) = hex::decode(signature.trim()) else {
        return false;
    };
    let mut mac = keyed(secret);
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_rfc4231_test_vector() {
        // RFC 4231, test case 2.
        let signature = sign(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(signature, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assert!(verify(b"Jefe", b"what do ya want for nothing?", &signature.to_uppercase()));
    }

    #[test]
    fn rejects_a_changed_body_secret_or_garbage() {
        let signature = sign(b"whsec_1", b"{\"a\":1}");
        assert!(verify(b"whsec_1", b"{\"a\":1}", &signature));
        assert!(!verify(b"whsec_1", b"{\"a\":2}", &signature));
        assert!(!verify(b"whsec_2", b"{\"a\":1}", &signature));
        assert!(!verify(b"whsec_1", b"{\"a\":1}", "not hex"));
        assert!(!verify(b"whsec_1", b"{\"a\":1}", &signature[..10]));
    }
}
