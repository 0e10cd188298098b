//! Money rules shared by the sandbox (server-side validation), the one-shot
//! commands and the dashboard's form: what an amount string may look like and
//! what each currency allows. Money is always `Decimal`, never a float.

use rust_decimal::Decimal;

/// What PIK accepts for one currency: how many decimal places and how much.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrencyRule {
    pub code: &'static str,
    /// The most decimal places an amount may carry (the asset's precision).
    pub decimals: u32,
    /// The largest amount one payment link may ask for, as whole units.
    pub max_units: i64,
}

/// The currencies the sandbox accepts, in the order a picker offers them.
/// The first four are the common ones; the rest exist so that "another code"
/// is a real case.
pub const CURRENCIES: &[CurrencyRule] = &[
    CurrencyRule { code: "USDT", decimals: 6, max_units: 1_000_000 },
    CurrencyRule { code: "USDC", decimals: 6, max_units: 1_000_000 },
    CurrencyRule { code: "BTC", decimals: 8, max_units: 100 },
    CurrencyRule { code: "ETH", decimals: 18, max_units: 10_000 },
    CurrencyRule { code: "SOL", decimals: 9, max_units: 100_000 },
    CurrencyRule { code: "TRX", decimals: 6, max_units: 10_000_000 },
    CurrencyRule { code: "LTC", decimals: 8, max_units: 10_000 },
];

/// The rule for a currency code (case-sensitive, as the API is).
pub fn currency_rule(code: &str) -> Option<&'static CurrencyRule> {
    CURRENCIES.iter().find(|rule| rule.code == code)
}

/// Why an amount was refused. The messages name no field: callers add it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("is required")]
    Empty,
    #[error("must be a decimal number like 75.00 (digits and one dot, no commas or exponents)")]
    NotDecimal,
    #[error("must be greater than zero")]
    NotPositive,
    #[error("has too many decimal places for {currency} (at most {decimals})")]
    TooPrecise { currency: String, decimals: u32 },
    #[error("is over the maximum of {max} {currency}")]
    TooLarge { currency: String, max: i64 },
}

/// Integer digits beyond this are refused before parsing, so absurd input can
/// never overflow `Decimal` (28 significant digits).
const MAX_INTEGER_DIGITS: usize = 15;
const MAX_FRACTION_DIGITS: usize = 18;

/// Parses an amount as PIK writes it: `12`, `12.5`, `12.50`. Refuses signs,
/// exponents, thousands separators, spaces and empty parts (`.5`, `5.`).
/// Keeps the scale the user typed, so `12.50` stays `12.50`.
pub fn parse_amount(text: &str) -> Result<Decimal, AmountError> {
    if text.is_empty() {
        return Err(AmountError::Empty);
    }
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int_part, frac_part) = match unsigned.split_once('.') {
        Some((int_part, frac_part)) => (int_part, Some(frac_part)),
        None => (unsigned, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int_part) || frac_part.is_some_and(|f| !all_digits(f)) {
        return Err(AmountError::NotDecimal);
    }
    if negative {
        return Err(AmountError::NotPositive);
    }
    let significant_int = int_part.trim_start_matches('0');
    if significant_int.len() > MAX_INTEGER_DIGITS {
        return Err(AmountError::TooLarge { currency: String::new(), max: 0 });
    }
    if frac_part.is_some_and(|f| f.len() > MAX_FRACTION_DIGITS) {
        return Err(AmountError::TooPrecise { currency: String::new(), decimals: 18 });
    }
    // Exact parsing: rounding a typed amount silently would charge the wrong sum.
    let amount = Decimal::from_str_exact(unsigned)
        .map_err(|_| AmountError::TooPrecise { currency: String::new(), decimals: 18 })?;
    if amount.is_zero() {
        return Err(AmountError::NotPositive);
    }
    Ok(amount)
}

/// Checks an amount against a currency's precision and maximum.
pub fn check_amount(amount: Decimal, rule: &CurrencyRule) -> Result<(), AmountError> {
    if amount <= Decimal::ZERO {
        return Err(AmountError::NotPositive);
    }
    if amount.normalize().scale() > rule.decimals {
        return Err(AmountError::TooPrecise { currency: rule.code.to_string(), decimals: rule.decimals });
    }
    if amount > Decimal::from(rule.max_units) {
        return Err(AmountError::TooLarge { currency: rule.code.to_string(), max: rule.max_units });
    }
    Ok(())
}

/// Parses and checks in one go, filling in the currency in size errors.
pub fn validate_amount(text: &str, rule: &CurrencyRule) -> Result<Decimal, AmountError> {
    let amount = parse_amount(text).map_err(|err| match err {
        AmountError::TooLarge { .. } => AmountError::TooLarge { currency: rule.code.to_string(), max: rule.max_units },
        AmountError::TooPrecise { .. } => {
            AmountError::TooPrecise { currency: rule.code.to_string(), decimals: rule.decimals }
        }
        other => other,
    })?;
    check_amount(amount, rule)?;
    Ok(amount)
}

/// Checks an amount for a currency code: with that currency's rules when it
/// is one we know, as a plain positive decimal otherwise (the server has the
/// last word on currencies it alone knows).
pub fn validate_amount_for(text: &str, currency: &str) -> Result<Decimal, AmountError> {
    match currency_rule(currency) {
        Some(rule) => validate_amount(text.trim(), rule),
        None => parse_amount(text.trim()),
    }
}

/// The longest currency code accepted.
pub const MAX_CURRENCY_CHARS: usize = 10;

/// Whether `code` looks like a currency code: 1 to 10 ASCII letters or digits.
pub fn is_currency_code(code: &str) -> bool {
    !code.is_empty() && code.len() <= MAX_CURRENCY_CHARS && code.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The longest description a link may carry, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 500;

#[cfg(test)]
mod tests {
    use super::*;

    fn usdt() -> &'static CurrencyRule {
        currency_rule("USDT").unwrap_or(&CURRENCIES[0])
    }

    #[test]
    fn accepts_plain_decimals_and_keeps_scale() {
        for (text, shown) in [("12", "12"), ("12.5", "12.5"), ("12.50", "12.50"), ("0.000001", "0.000001")] {
            let amount = validate_amount(text, usdt());
            assert_eq!(amount.map(|a| a.to_string()), Ok(shown.to_string()), "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        let table: &[(&str, AmountError)] = &[
            ("", AmountError::Empty),
            ("abc", AmountError::NotDecimal),
            ("-1", AmountError::NotPositive),
            ("0", AmountError::NotPositive),
            ("0.00", AmountError::NotPositive),
            ("1e5", AmountError::NotDecimal),
            ("1,000.00", AmountError::NotDecimal),
            (" 12", AmountError::NotDecimal),
            ("12.", AmountError::NotDecimal),
            (".5", AmountError::NotDecimal),
            ("+5", AmountError::NotDecimal),
            ("1.2.3", AmountError::NotDecimal),
            ("１２", AmountError::NotDecimal),
            ("1.0000001", AmountError::TooPrecise { currency: "USDT".into(), decimals: 6 }),
            ("1000000.01", AmountError::TooLarge { currency: "USDT".into(), max: 1_000_000 }),
            ("99999999999999999999999999999999", AmountError::TooLarge { currency: "USDT".into(), max: 1_000_000 }),
        ];
        for (text, expected) in table {
            assert_eq!(validate_amount(text, usdt()).as_ref(), Err(expected), "{text:?}");
        }
    }

    #[test]
    fn trailing_zeros_do_not_count_as_precision() {
        let btc = currency_rule("BTC").unwrap_or(&CURRENCIES[2]);
        assert!(validate_amount("0.1234567800", btc).is_ok());
        assert!(validate_amount("0.123456789", btc).is_err());
    }
}
