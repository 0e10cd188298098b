//! Every response type the client decodes, fed arbitrary bytes: decoding may
//! fail, but must never panic, and what decodes must be safe to show.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pik_tui::api::{ApiError, CreatedWebhook, EventEnvelope, Page, PaymentLink, Transaction, Webhook};

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<PaymentLink>(data);
    let _ = serde_json::from_slice::<Transaction>(data);
    let _ = serde_json::from_slice::<Webhook>(data);
    let _ = serde_json::from_slice::<CreatedWebhook>(data);
    let _ = serde_json::from_slice::<EventEnvelope>(data);
    let _ = Page::<PaymentLink>::from_json(data);
    let _ = Page::<Transaction>::from_json(data);
    if let Ok(page) = Page::<Webhook>::from_json(data) {
        for hook in &page.data {
            let shown = pik_tui::sanitize::for_terminal(&hook.url);
            assert!(!shown.contains('\u{1b}'));
        }
    }
    for status in [400, 401, 429, 502] {
        let error = ApiError::from_response(status, Some("application/json"), data, None);
        let shown = error.to_string();
        assert!(!shown.contains('\u{1b}') && !shown.contains('\u{9b}'));
    }
});
