//! Amount parsing: arbitrary text never panics, and whatever is accepted is
//! a positive amount within the currency's rules that prints back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pik_tui::money;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(amount) = money::parse_amount(text) {
        assert!(amount > rust_decimal_zero());
        // The scale typed is the scale kept: "12.50" stays 12.50.
        let typed_decimals = text.split_once('.').map_or(0, |(_, fraction)| fraction.len());
        assert_eq!(amount.scale() as usize, typed_decimals);
    }
    for rule in money::CURRENCIES {
        if let Ok(amount) = money::validate_amount(text, rule) {
            assert!(amount.normalize().scale() <= rule.decimals);
            assert!(money::check_amount(amount, rule).is_ok());
        }
    }
});

fn rust_decimal_zero() -> rust_decimal::Decimal {
    rust_decimal::Decimal::ZERO
}
