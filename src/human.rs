//! Numbers and ages written the way people read them, for the screen and
//! the one-shot commands alike.

use chrono::Duration;

/// 1004 → "1,004".
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "just now" (under 10 s), "20 s ago" (in tens), "2 min ago", "5 h ago".
pub fn age_words(age: Duration) -> String {
    let seconds = age.num_seconds().max(0);
    match seconds {
        // A sync answers every few seconds: a count of seconds would change
        // (and redraw the screen, over SSH too) every second for nothing.
        0..10 => "just now".into(),
        10..60 => format!("{} s ago", seconds / 10 * 10),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86400 => format!("{} h ago", seconds / 3600),
        _ => format!("{} d ago", seconds / 86400),
    }
}
