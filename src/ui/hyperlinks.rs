//! Where the links of a frame are: the texts on screen that stand for a URL
//! (a checkout URL, a transaction hash), found in the finished buffer, so
//! that the runtime can write them again inside OSC 8. A text covered by a
//! popup, cut short or wrapped elsewhere than the screen shows is simply not
//! found, and stays plain.

use crate::app::{App, Mode, Pane, Subject};
use crate::hyperlink;
use crate::sanitize::for_terminal_truncated;
use ratatui::buffer::Buffer;
use ratatui::style::Style;

/// A text drawn somewhere on screen and the URL it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub text: String,
    pub url: String,
}

/// One run of cells to write again as a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub x: u16,
    pub y: u16,
    /// The cells' symbols, as drawn.
    pub text: String,
    pub url: String,
    pub style: Style,
}

/// The shortest piece of a wrapped text worth linking.
const MIN_PIECE: usize = 8;

/// What the screen may show as a link: the result view's URL, and the
/// detail's checkout URL or transaction hash.
pub fn targets(app: &App) -> Vec<Target> {
    if !app.settings.hyperlinks {
        return Vec::new();
    }
    let checkout = |url: &str| {
        hyperlink::checkout(url).map(|target| Target { text: for_terminal_truncated(url, 500), url: target })
    };
    let mut found = Vec::new();
    if let Mode::Created(created) = app.mode() {
        found.extend(created.link.url.as_deref().and_then(checkout));
    }
    // A payment's explorer page, for its hash drawn whole or short.
    let explorer = |txn: &crate::api::Transaction, short: bool| {
        let hash = txn.tx_hash.as_ref()?;
        let text = if short { super::columns::short_hash(hash) } else { hash.clone() };
        app.settings.explorers.url(&txn.currency, hash).map(|url| Target { text, url })
    };
    let hash = |txn: &crate::api::Transaction| explorer(txn, false);
    // The case's story names each payment's hash: its explorer page.
    if let Mode::Case(view) = app.mode()
        && let Some(order) = &view.order
    {
        found.extend(order.payments.iter().filter_map(hash));
    }
    match app.subject() {
        Some(Subject::Link(link)) => found.extend(link.url.as_deref().and_then(checkout)),
        Some(Subject::Transaction(txn)) => found.extend(hash(txn)),
        _ => {}
    }
    // The tables' URL and hash columns, for the rows on screen.
    let on_screen = |list: &dyn crate::app::list::ListOps| list.scroll()..list.scroll() + app.view_height();
    match app.pane() {
        Pane::Links if app.search_view(Pane::Links).is_none() => {
            let rows = on_screen(&app.links.list).filter_map(|at| app.links.list.row(at));
            found.extend(rows.filter_map(|link| link.url.as_deref().and_then(checkout)));
        }
        Pane::Transactions if app.search_view(Pane::Transactions).is_none() => {
            let rows = on_screen(&app.transactions.list).filter_map(|at| app.transactions.list.row(at));
            found.extend(rows.filter_map(|txn| explorer(txn, true)));
        }
        _ => {}
    }
    // A text that stands for two URLs (two hashes alike in their first
    // characters) is linked to neither.
    let ambiguous: Vec<String> = found
        .iter()
        .filter(|t| found.iter().any(|o| o.text == t.text && o.url != t.url))
        .map(|t| t.text.clone())
        .collect();
    found.retain(|t| !ambiguous.contains(&t.text));
    found
}

/// Where each target's text is in `buffer`: on one row, or wrapped over
/// several (each row holding the next piece, from the same column).
pub fn place(buffer: &Buffer, targets: &[Target]) -> Vec<Placement> {
    if targets.is_empty() {
        return Vec::new();
    }
    let area = buffer.area;
    let rows: Vec<Vec<&str>> = (area.top()..area.bottom())
        .map(|y| (area.left()..area.right()).map(|x| buffer[(x, y)].symbol()).collect())
        .collect();
    let mut placed = Vec::new();
    for target in targets {
        let chars: Vec<char> = target.text.chars().collect();
        if chars.len() < MIN_PIECE {
            continue;
        }
        for (row_index, row) in rows.iter().enumerate() {
            for start in 0..row.len() {
                let Some(pieces) = match_from(&rows, row_index, start, &chars) else { continue };
                for (row_at, from, len) in pieces {
                    let y = area.top() + u16::try_from(row_at).unwrap_or(0);
                    let x = area.left() + u16::try_from(from).unwrap_or(0);
                    let text: String = rows[row_at][from..from + len].concat();
                    placed.push(Placement { x, y, text, url: target.url.clone(), style: buffer[(x, y)].style() });
                }
            }
        }
    }
    placed
}

/// The pieces (row, column, cells) of `chars` starting at `rows[row][start]`:
/// as much as the row holds up to its end or a space, then the rest from
/// the same column of the rows below.
fn match_from(rows: &[Vec<&str>], row: usize, start: usize, chars: &[char]) -> Option<Vec<(usize, usize, usize)>> {
    let mut pieces = Vec::new();
    let mut done = 0;
    let mut at_row = row;
    while done < chars.len() {
        let cells = rows.get(at_row)?;
        let mut len = 0;
        while done + len < chars.len() && start + len < cells.len() {
            let mut symbol = cells[start + len].chars();
            match (symbol.next(), symbol.next()) {
                (Some(c), None) if c == chars[done + len] => len += 1,
                _ => break,
            }
        }
        if len == 0 {
            return None;
        }
        let ends_row = start + len == cells.len() || cells[start + len] == " " || cells[start + len] == "│";
        if done + len < chars.len() && (!ends_row || len < MIN_PIECE) {
            return None;
        }
        pieces.push((at_row, start, len));
        done += len;
        at_row += 1;
    }
    // A whole text: nothing of the same run goes on after it.
    let (last_row, last_start, last_len) = *pieces.last()?;
    let after = rows[last_row].get(last_start + last_len).copied().unwrap_or(" ");
    let before = if start == 0 { " " } else { rows[row][start - 1] };
    let continues = |s: &str| s.chars().next().is_some_and(|c| !c.is_whitespace() && c != '│');
    (!continues(after) && !continues(before)).then_some(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    fn buffer(lines: &[&str]) -> Buffer {
        let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let mut buffer = Buffer::empty(Rect::new(0, 0, u16::try_from(width).unwrap_or(0), lines.len() as u16));
        for (y, line) in lines.iter().enumerate() {
            buffer.set_string(0, y as u16, line, Style::new());
        }
        buffer
    }

    fn target(text: &str) -> Target {
        Target { text: text.into(), url: format!("https://x.io/{text}") }
    }

    #[test]
    fn a_text_is_found_whole_on_a_row_or_wrapped_from_one_column() {
        let url = "https://pay.pik.global/pl_abc123xyz";
        let one = buffer(&["│url                  │", &format!("│{url}│"), "│                     │"]);
        let placed = place(&one, &[target(url)]);
        assert_eq!(placed.iter().map(|p| (p.x, p.y, p.text.as_str())).collect::<Vec<_>>(), [(1, 1, url)]);
        let wrapped = buffer(&["│https://pay.pik.glob│", "│al/pl_abc123xyz     │"]);
        let placed = place(&wrapped, &[target(url)]);
        assert_eq!(
            placed.iter().map(|p| (p.x, p.y, p.text.as_str())).collect::<Vec<_>>(),
            [(1, 0, "https://pay.pik.glob"), (1, 1, "al/pl_abc123xyz")]
        );
    }

    #[test]
    fn a_text_cut_short_or_part_of_a_longer_one_is_not_linked() {
        let url = "https://pay.pik.global/pl_abc123xyz";
        for lines in [
            &["│https://pay.pik.global/pl_abc1…│"][..],
            &["│https://pay.pik.global/pl_abc123xyz/more│"],
            &["│xhttps://pay.pik.global/pl_abc123xyz│"],
            &["│https://pay.pik.global/pl_abc123xyz"[..20].to_string().as_str(), "│nothing here│"],
        ] {
            assert!(place(&buffer(lines), &[target(url)]).is_empty(), "{lines:?}");
        }
    }
}
