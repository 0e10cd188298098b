//! Sorting the Links and Transactions panes: `<` `>` `I` and `:sort`,
//! kept per pane; the mirror sorts.

use super::*;
use crate::api::PaymentLink;
use crate::store::{Sort, SortColumn};
use crate::test_support::{dec, numbered_link};

fn sort_asked(cmds: &[Cmd], kinds: Kinds) -> Option<Sort> {
    window_ask(cmds, kinds).map(|ask| ask.query.sort)
}

#[test]
fn the_arrows_step_through_the_columns_and_i_inverts() {
    let (mut app, _) = started(30);
    assert_eq!(app.sort_of(Pane::Links), Some(Sort::default()), "newest first");
    // The links' columns left to right: amount, currency, status, description, created.
    let cmds = key(&mut app, '>', t0());
    assert_eq!(sort_asked(&cmds, Kinds::Links), Some(Sort { column: SortColumn::Amount, descending: true }));
    let cmds = key(&mut app, '>', t0());
    assert_eq!(sort_asked(&cmds, Kinds::Links), Some(Sort { column: SortColumn::Currency, descending: false }));
    let cmds = key(&mut app, 'I', t0());
    assert_eq!(sort_asked(&cmds, Kinds::Links), Some(Sort { column: SortColumn::Currency, descending: true }));
    key(&mut app, '<', t0());
    let cmds = key(&mut app, '<', t0());
    assert_eq!(sort_asked(&cmds, Kinds::Links), Some(Sort::default()), "round the end");
    // Each pane keeps its own.
    key(&mut app, '>', t0());
    key(&mut app, '2', t0());
    assert_eq!(app.sort_of(Pane::Transactions), Some(Sort::default()));
    key(&mut app, '1', t0());
    assert_eq!(app.sort_of(Pane::Links).map(|s| s.column), Some(SortColumn::Amount));
}

#[test]
fn sort_by_name_and_an_unknown_column_changes_nothing() {
    let links: Vec<PaymentLink> = (1..=40)
        .map(|n| PaymentLink {
            amount: dec(&format!("{}.50", (n * 37) % 101)),
            ..numbered_link(n, crate::api::LinkStatus::Active)
        })
        .collect();
    let mirror = TestMirror::holding(links, Vec::new(), Vec::new());
    let mut app = crate::test_support::loaded_app(Settings::default(), 120, 40, &mirror);
    typed(&mut app, ":sort amount desc", t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    answer_all(&mut app, cmds, &mirror, t0());
    let amounts: Vec<rust_decimal::Decimal> = app.links.list.held().map(|(_, l)| l.amount).collect();
    assert_eq!(amounts.len(), 40);
    assert!(amounts.windows(2).all(|w| w[0] >= w[1]), "largest first, as numbers: {amounts:?}");
    assert_eq!(amounts[0], dec("100.50"));
    // An unknown column: refused, naming the columns; nothing changes.
    typed(&mut app, ":sort colour", t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    assert!(reads(&cmds).is_empty());
    let notice = app.notice().map(|n| (n.is_error, n.text.clone()));
    assert_eq!(
        notice,
        Some((true, "sort by one of: amount, currency, status, description, created (and asc or desc)".into()))
    );
    assert_eq!(app.sort_of(Pane::Links), Some(Sort { column: SortColumn::Amount, descending: true }));
}

#[test]
fn the_config_gives_each_pane_its_first_sort() {
    let amount = Sort { column: SortColumn::Amount, descending: true };
    let settled = Sort { column: SortColumn::Settled, descending: true };
    let app = App::new(Settings { sorts: [amount, settled], ..Settings::default() }, 120, 40, t0());
    assert_eq!((app.sort_of(Pane::Links), app.sort_of(Pane::Transactions)), (Some(amount), Some(settled)));
    assert_eq!(app.sort_of(Pane::Webhooks), None);
}
