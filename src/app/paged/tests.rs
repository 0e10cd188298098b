use super::*;
use crate::api::{LinkStatus, PaymentLink};
use chrono::TimeZone;

fn link(n: u32, status: LinkStatus) -> PaymentLink {
    PaymentLink {
        id: format!("pl_{n:05}"),
        url: None,
        amount: rust_decimal::Decimal::from(n),
        currency: "USDT".into(),
        description: Some(format!("Order {n}")),
        status,
        created_at: Utc.timestamp_opt(1_700_000_000 + i64::from(n), 0).single().unwrap_or_default(),
        paid_at: None,
        expires_at: None,
    }
}

/// The server's view: links numbered `newest` down to 1, newest first.
fn server_page(newest: u32, offset: u64, limit: u32) -> Page<PaymentLink> {
    let data: Vec<_> =
        (1..=newest).rev().skip(offset as usize).take(limit as usize).map(|n| link(n, LinkStatus::Active)).collect();
    Page { data, total: u64::from(newest), limit: Some(limit), offset: Some(offset as u32), skipped: 0 }
}

fn now() -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000, 0).single().unwrap_or_default()
}

fn load(list: &mut PagedList<PaymentLink>, request: RequestId, page: Page<PaymentLink>) -> Applied {
    let offset = page.offset.map(u64::from).unwrap_or(0);
    list.begin(request, offset);
    list.apply(request, offset, page, now())
}

fn ids(list: &PagedList<PaymentLink>) -> Vec<String> {
    (0..list.visible_len()).filter_map(|p| list.visible_row(p).map(|r| r.id.clone())).collect()
}

#[test]
fn prefetches_within_one_screen_of_the_end_and_never_twice() {
    let mut list = PagedList::new();
    assert_eq!(list.wanted_page(20), Some(0));
    list.begin(1, 0);
    assert_eq!(list.wanted_page(20), None, "a page is in flight");
    list.apply(1, 0, server_page(200, 0, 50), now());
    assert_eq!(list.wanted_page(20), None, "selection far from the end");
    list.select(29, 20);
    assert_eq!(list.wanted_page(20), None);
    list.select(30, 20);
    assert_eq!(list.wanted_page(20), Some(50), "within one screen of row 50");
    list.begin(2, 50);
    assert_eq!(list.wanted_page(20), None);
    // A late answer to an older request is ignored.
    assert_eq!(list.apply(1, 0, server_page(200, 0, 50), now()), Applied::default());
    list.apply(2, 50, server_page(200, 50, 50), now());
    assert_eq!(list.loaded(), 100);
    list.select(199, 20);
    load(&mut list, 3, server_page(200, 100, 50));
    load(&mut list, 4, server_page(200, 150, 50));
    assert_eq!(list.loaded(), 200);
    assert!(list.end_reached());
    assert_eq!(list.wanted_page(20), None, "nothing past the end");
}

#[test]
fn items_arriving_on_top_while_scrolling_give_no_duplicates_and_no_gaps() {
    let mut list = PagedList::new();
    load(&mut list, 1, server_page(100, 0, 50));
    // Five new links arrive; the next page is fetched with the old offset.
    let applied = load(&mut list, 2, server_page(105, 50, 50));
    assert!(applied.new.is_empty());
    // Then a poll of the first page brings the five new ones on top.
    list.select(10, 20);
    let applied = load(&mut list, 3, server_page(105, 0, 50));
    assert_eq!(applied.new.len(), 5);
    assert_eq!(list.selected(), 15, "the selection stays on the same row");
    assert_eq!(list.mark("pl_00105"), Some(Mark::New));
    // Scroll to the end.
    list.select(list.visible_len() - 1, 20);
    while let Some(offset) = list.wanted_page(20) {
        load(&mut list, 10 + offset, server_page(105, offset, 50));
        list.select(list.visible_len() - 1, 20);
    }
    let expected: Vec<String> = (1..=105).rev().map(|n| format!("pl_{n:05}")).collect();
    assert_eq!(ids(&list), expected);
}

#[test]
fn a_flood_larger_than_a_page_restarts_the_list_instead_of_leaving_a_gap() {
    let mut list = PagedList::new();
    load(&mut list, 1, server_page(100, 0, 50));
    load(&mut list, 2, server_page(180, 0, 50));
    let expected: Vec<String> = (131..=180).rev().map(|n| format!("pl_{n:05}")).collect();
    assert_eq!(ids(&list), expected);
    assert_eq!(list.wanted_page(100), Some(50));
}

#[test]
fn status_changes_are_marked_and_reported() {
    let mut list = PagedList::new();
    load(&mut list, 1, server_page(10, 0, 50));
    let mut page = server_page(10, 0, 50);
    page.data[2].status = LinkStatus::Paid;
    let applied = load(&mut list, 2, page);
    assert_eq!(applied.changed, [("pl_00008".to_string(), "active".to_string(), "paid".to_string())]);
    assert_eq!(list.mark("pl_00008"), Some(Mark::Changed));
    assert!(list.expire_marks(now() + chrono::Duration::seconds(31), chrono::Duration::seconds(30)));
    assert_eq!(list.mark("pl_00008"), None);
}

#[test]
fn the_text_filter_narrows_loaded_rows() {
    let mut list = PagedList::new();
    load(&mut list, 1, server_page(30, 0, 50));
    list.set_text_filter("ORDER 2");
    assert_eq!(
        ids(&list),
        [
            "pl_00029", "pl_00028", "pl_00027", "pl_00026", "pl_00025", "pl_00024", "pl_00023", "pl_00022", "pl_00021",
            "pl_00020", "pl_00002"
        ]
    );
    list.set_text_filter("");
    assert_eq!(list.visible_len(), 30);
}

#[test]
fn selection_stays_in_range_and_on_screen() {
    let mut list: PagedList<PaymentLink> = PagedList::new();
    list.move_selection(5, 10);
    assert_eq!((list.selected(), list.scroll()), (0, 0));
    load(&mut list, 1, server_page(30, 0, 50));
    list.move_selection(25, 10);
    assert_eq!((list.selected(), list.scroll()), (25, 16));
    list.move_selection(-100, 10);
    assert_eq!((list.selected(), list.scroll()), (0, 0));
    list.move_selection(1000, 10);
    assert_eq!(list.selected(), 29);
}
