//! The store contract's checks about lists: a list with words (a saved
//! view) holds exactly what the search finds, and a window of payments
//! carries their orders' descriptions.

use super::super::window::{Anchor, ListQuery, Sort, WindowAsk, Windowed};
use super::super::*;
use crate::test_support::SEARCH_CASES;

pub async fn a_list_with_words_is_what_the_search_finds(store: Store) {
    let store = super::filled(store).await;
    let mut checked = 0;
    for (text, kinds, expected) in SEARCH_CASES.iter().filter(|(_, kinds, _)| *kinds != Kinds::Both) {
        let filter = SearchQuery::parse(text, *kinds);
        let ask = WindowAsk {
            query: ListQuery { filter, sort: Sort::default() },
            anchor: Anchor::First,
            limit: 50,
            count: true,
        };
        let read = store.window(ask).await;
        let (ids, total): (Vec<String>, Option<u64>) = match read {
            Ok(Windowed::Links(window)) => (window.rows.iter().map(|(_, l)| l.id.clone()).collect(), window.total),
            Ok(Windowed::Transactions(window)) => {
                (window.rows.iter().map(|(_, t)| t.id.clone()).collect(), window.total)
            }
            Err(err) => panic!("{text:?}: {err}"),
        };
        assert_eq!(ids, *expected, "{text:?} ({kinds:?})");
        assert_eq!(total, Some(expected.len() as u64), "{text:?}");
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} cases of one kind");
    // A payment's row carries its order's description, from its link.
    let ask = WindowAsk {
        query: ListQuery { filter: SearchQuery::everything(Kinds::Transactions), sort: Sort::default() },
        anchor: Anchor::First,
        limit: 50,
        count: false,
    };
    let Ok(Windowed::Transactions(window)) = store.window(ask).await else { panic!("no payments") };
    let (links, _) = crate::test_support::search_fixture();
    let mut described = 0;
    for (_, txn) in &window.rows {
        let link = links.iter().find(|l| Some(&l.id) == txn.payment_link_id.as_ref());
        let description = link.and_then(|l| l.description.clone());
        let about = txn.payment_link_id.as_ref().and_then(|id| window.about.get(id)).cloned();
        assert_eq!(about, description, "{}", txn.id);
        described += usize::from(description.is_some());
    }
    assert!(described > 0, "no payment of the fixture has a described link");
}
