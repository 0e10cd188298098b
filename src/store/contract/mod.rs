//! What every store backend must do, written once: the SQLite store's
//! tests and the PostgreSQL ones (tests/shared) run these same functions,
//! each on an empty store of its own.

use super::window::{Anchor, Cursor, ListQuery, Sort, SortColumn, WindowAsk, Windowed};
use super::*;
use crate::api::{LinkStatus, PaymentLink, Transaction, TransactionStatus};
use crate::test_support::{SEARCH_CASES, search_fixture, txn};

mod case_checks;
mod list_checks;
use self::case_checks::*;
use self::list_checks::*;

/// `store`, after saving the search fixture (six links, five transactions).
pub async fn filled(store: Store) -> Store {
    let (links, transactions) = search_fixture();
    let saved = store.save(Batch { links, transactions, ..Batch::default() }).await;
    assert_eq!(saved.map(|s| (s.inserted, s.updated)), Ok((11, 0)));
    store
}

fn ids(page: &SearchPage) -> Vec<&str> {
    page.hits.iter().map(SearchHit::id).collect()
}

/// Every contract check, by name, for a runner that makes a fresh store for each.
pub const CHECKS: &[&str] = &[
    "the_search_table",
    "results_come_in_windows_with_a_count",
    "hostile_search_text_is_plain_text",
    "rows_come_back_exactly_and_statuses_only_move_forward",
    "a_row_saved_again_unchanged_is_not_rewritten_and_a_changed_one_is",
    "a_save_reports_new_and_moved_transactions_only_when_asked",
    "a_25_hour_day_has_25_hours_in_the_chart_and_the_report",
    "every_sort_order_pages_both_ways_by_keyset",
    "a_write_is_announced_once_committed_and_an_unchanged_one_is_not",
    "cases_are_kept_as_rows_arrive_in_any_order",
    "the_case_list_equals_a_recomputation_from_the_rows",
    "every_case_kind_at_its_threshold_edge",
    "a_case_filter_finds_the_orders_and_their_payments",
    "a_link_s_end_is_dated_when_the_mirror_saw_it",
    "what_agents_did_is_kept_apart_and_outlives_a_clear",
    "case_handling_is_decided_in_order_and_outlives_a_clear",
    "a_list_s_count_is_kept_and_equals_its_rows",
    "a_list_with_words_is_what_the_search_finds",
];

/// Runs the check called `name` on `store` (an empty one).
pub async fn run(name: &str, store: Store) {
    match name {
        "the_search_table" => the_search_table(store).await,
        "results_come_in_windows_with_a_count" => results_come_in_windows_with_a_count(store).await,
        "hostile_search_text_is_plain_text" => hostile_search_text_is_plain_text(store).await,
        "rows_come_back_exactly_and_statuses_only_move_forward" => {
            rows_come_back_exactly_and_statuses_only_move_forward(store).await
        }
        "a_row_saved_again_unchanged_is_not_rewritten_and_a_changed_one_is" => {
            a_row_saved_again_unchanged_is_not_rewritten_and_a_changed_one_is(store).await
        }
        "a_save_reports_new_and_moved_transactions_only_when_asked" => {
            a_save_reports_new_and_moved_transactions_only_when_asked(store).await
        }
        "a_25_hour_day_has_25_hours_in_the_chart_and_the_report" => {
            a_25_hour_day_has_25_hours_in_the_chart_and_the_report(store).await
        }
        "every_sort_order_pages_both_ways_by_keyset" => every_sort_order_pages_both_ways_by_keyset(store).await,
        "a_write_is_announced_once_committed_and_an_unchanged_one_is_not" => {
            a_write_is_announced_once_committed_and_an_unchanged_one_is_not(store).await
        }
        "cases_are_kept_as_rows_arrive_in_any_order" => cases_are_kept_as_rows_arrive_in_any_order(store).await,
        "the_case_list_equals_a_recomputation_from_the_rows" => {
            the_case_list_equals_a_recomputation_from_the_rows(store).await
        }
        "every_case_kind_at_its_threshold_edge" => every_case_kind_at_its_threshold_edge(store).await,
        "a_case_filter_finds_the_orders_and_their_payments" => {
            a_case_filter_finds_the_orders_and_their_payments(store).await
        }
        "a_link_s_end_is_dated_when_the_mirror_saw_it" => a_link_s_end_is_dated_when_the_mirror_saw_it(store).await,
        "what_agents_did_is_kept_apart_and_outlives_a_clear" => {
            what_agents_did_is_kept_apart_and_outlives_a_clear(store).await
        }
        "a_list_s_count_is_kept_and_equals_its_rows" => a_list_s_count_is_kept_and_equals_its_rows(store).await,
        "a_list_with_words_is_what_the_search_finds" => a_list_with_words_is_what_the_search_finds(store).await,
        "case_handling_is_decided_in_order_and_outlives_a_clear" => {
            case_handling_is_decided_in_order_and_outlives_a_clear(store).await
        }
        other => panic!("no contract check {other}"),
    }
}

pub async fn the_search_table(store: Store) {
    let store = filled(store).await;
    for (text, kinds, expected) in SEARCH_CASES {
        let page = store.search(SearchQuery::parse(text, *kinds), 0, 50).await;
        let Ok(page) = page else { panic!("{text:?}: {page:?}") };
        assert_eq!(ids(&page), *expected, "{text:?} ({kinds:?})");
        assert_eq!(page.total, expected.len() as u64, "{text:?}");
    }
}

pub async fn results_come_in_windows_with_a_count(store: Store) {
    let links: Vec<PaymentLink> = (0..250).map(|n| crate::test_support::numbered_link(n, LinkStatus::Active)).collect();
    assert!(store.save(Batch { links, ..Batch::default() }).await.is_ok());
    let query = SearchQuery::parse("order", Kinds::Links);
    let Ok(first) = store.search(query.clone(), 0, 20).await else { panic!() };
    let Ok(later) = store.search(query, 240, 20).await else { panic!() };
    assert_eq!((first.total, first.hits.len(), later.hits.len()), (250, 20, 10));
    assert_eq!(first.hits[0].id(), "pl_00249", "newest first");
    assert_eq!(later.hits[9].id(), "pl_00000");
}

pub async fn hostile_search_text_is_plain_text(store: Store) {
    let store = filled(store).await;
    let long = "x".repeat(10_000);
    let corpus = [
        "\"",
        "\"\"\"",
        "order\"",
        "*",
        "order*",
        "-order",
        "a:b:c",
        ":",
        "NEAR(order 1234)",
        "order AND 1234",
        "order OR nothing",
        "NOT order",
        "(order",
        "order)",
        "^order",
        "'; DROP TABLE links; --",
        "\" OR 1=1 --",
        "1' OR '1'='1",
        "\u{1b}]52;c;aGk=\u{7}",
        "\u{0}\u{1}\u{7f}\u{9b}",
        "\u{202e}redro",
        long.as_str(),
        "status:\"paid\" currency:'usdt'",
        "amount:>=x amount:1e5 amount:-1",
        "from:2024-13-45 to:never",
    ];
    for text in corpus {
        for kinds in [Kinds::Links, Kinds::Transactions, Kinds::Both] {
            let result = store.search(SearchQuery::parse(text, kinds), 0, 20).await;
            assert!(result.is_ok(), "{text:?}: {result:?}");
        }
    }
    // Operators are words: "order AND 1234" asks for all three words.
    let Ok(page) = store.search(SearchQuery::parse("order AND 1234", Kinds::Both), 0, 20).await else { panic!() };
    assert!(page.hits.is_empty(), "\"and\" is a word here: {:?}", ids(&page));
    // The tables are still there.
    assert!(store.stats().await.is_ok_and(|s| s.links == 6 && s.transactions == 5));
}

pub async fn rows_come_back_exactly_and_statuses_only_move_forward(store: Store) {
    let (links, transactions) = search_fixture();
    assert!(
        store
            .save(Batch { links: links.clone(), transactions: transactions.clone(), ..Batch::default() })
            .await
            .is_ok()
    );
    let (stored, _) = crate::test_support::stored(&store).await;
    let mut expected = links.clone();
    expected.sort_by_key(|l| std::cmp::Reverse(l.created_at));
    assert_eq!(stored, expected, "every field, newest first");
    let mut settled = SearchQuery::everything(Kinds::Transactions);
    settled.status = Some("settled".into());
    let query = ListQuery { filter: settled, sort: Sort::default() };
    let ask = WindowAsk { query, anchor: Anchor::First, limit: 100, count: true };
    let Ok(Windowed::Transactions(window)) = store.window(ask).await else { panic!() };
    let settled: Vec<&str> = window.rows.iter().map(|(_, t)| t.id.as_str()).collect();
    assert_eq!((settled, window.total), (vec!["txn_d1", "txn_a1"], Some(2)));
    // How far the mirror reaches, whatever the filter: every transaction.
    assert_eq!(window.held, Some(transactions.len() as u64));
    // A stale answer written late does not undo a newer status.
    let stale = Transaction { status: TransactionStatus::Pending, ..transactions[0].clone() };
    assert!(store.save(Batch { transactions: vec![stale], ..Batch::default() }).await.is_ok());
    let Ok(found) = store.search(SearchQuery::parse("txn_a1", Kinds::Transactions), 0, 5).await else { panic!() };
    assert!(matches!(&found.hits[0], SearchHit::Transaction(t) if t.status == TransactionStatus::Settled));
    // A forward move is taken, and the index follows it.
    let paid = PaymentLink { status: LinkStatus::Paid, ..links[1].clone() };
    assert!(store.save(Batch { links: vec![paid], ..Batch::default() }).await.is_ok());
    let Ok(found) = store.search(SearchQuery::parse("status:paid", Kinds::Links), 0, 5).await else { panic!() };
    assert_eq!(ids(&found), ["pl_8f2aaa", "pl_8f2k3m"]);
    let Ok(active) = store.ids_with_status(false, "active").await else { panic!() };
    assert!(!active.contains(&"pl_8f2aaa".to_string()));
}

pub async fn a_row_saved_again_unchanged_is_not_rewritten_and_a_changed_one_is(store: Store) {
    let store = filled(store).await;
    let (links, transactions) = search_fixture();
    let again = store.save(Batch { links: links.clone(), transactions, ..Batch::default() }).await;
    assert_eq!(again, Ok(Upserted::default()), "a poll of unchanged rows writes nothing");
    let renamed = PaymentLink { description: Some("Renamed tutoring invoice".into()), ..links[0].clone() };
    let saved = store.save(Batch { links: vec![renamed], ..Batch::default() }).await;
    assert_eq!(saved.map(|s| (s.inserted, s.updated)), Ok((0, 1)));
    let Ok(found) = store.search(SearchQuery::parse("renamed", Kinds::Links), 0, 5).await else { panic!() };
    assert_eq!(ids(&found), [links[0].id.as_str()], "the index follows the change");
}

pub async fn a_save_reports_new_and_moved_transactions_only_when_asked(store: Store) {
    let first = Batch { transactions: vec![txn("txn_a"), txn("txn_b")], ..Batch::default() };
    assert_eq!(store.save(first).await.map(|s| s.changed.len()), Ok(0), "not asked");
    let settled = Transaction { status: TransactionStatus::Settled, ..txn("txn_a") };
    let again = Batch {
        transactions: vec![settled.clone(), txn("txn_b"), txn("txn_c")],
        report_changes: true,
        ..Batch::default()
    };
    let changed = store.save(again).await.map(|s| s.changed.into_iter().map(|t| t.id).collect::<Vec<_>>());
    assert_eq!(changed, Ok(vec!["txn_a".to_string(), "txn_c".to_string()]), "moved and new, not the unchanged");
    // A status going back is refused, and so not reported.
    let back = Batch { transactions: vec![txn("txn_a")], report_changes: true, ..Batch::default() };
    assert_eq!(store.save(back).await.map(|s| s.changed.len()), Ok(0));
}

/// Berlin's clocks went back on 2026-10-25: that day lasted from 22:00 UTC
/// the day before to 23:00 UTC, 25 hours. Two payments settle in every UTC
/// hour from 21:00 on the 24th to 23:59 on the 25th, the n-th of n USDT,
/// created five minutes before.
pub async fn a_25_hour_day_has_25_hours_in_the_chart_and_the_report(store: Store) {
    use crate::zone::Zone;
    use chrono::{DateTime, Duration, NaiveDate, Utc};
    let Some(berlin) = Zone::bundled("Europe/Berlin") else { panic!("Berlin") };
    let first = DateTime::parse_from_rfc3339("2026-10-24T21:10:00Z").map(|t| t.with_timezone(&Utc));
    let Ok(first) = first else { panic!("a time") };
    let payments: Vec<Transaction> = (0..54)
        .map(|n| {
            let settled = first + Duration::minutes(30 * n);
            Transaction {
                amount: rust_decimal::Decimal::from(n + 1),
                status: TransactionStatus::Settled,
                created_at: settled - Duration::minutes(5),
                confirmed_at: Some(settled - Duration::minutes(2)),
                settled_at: Some(settled),
                ..txn(&format!("txn_dst{n:02}"))
            }
        })
        .collect();
    assert!(store.save(Batch { transactions: payments.clone(), ..Batch::default() }).await.is_ok());
    let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default();
    let (sunday, end) = (day("2026-10-25"), first + Duration::days(2));
    let settled_in = |from: DateTime<Utc>, to: DateTime<Utc>| -> rust_decimal::Decimal {
        payments.iter().filter_map(|t| t.settled_at.filter(|at| from <= *at && *at < to).map(|_| t.amount)).sum()
    };
    let hours = OverviewQuery::days(&berlin, (sunday, sunday), end, Step::Hour, crate::cases::CaseRules::default());
    let Ok(overview) = store.overview(hours.clone()).await else { panic!("the Overview") };
    assert_eq!(overview.chart.len(), 25, "a bar for each of the 25 hours");
    let local: Vec<String> = overview.chart.iter().map(|(at, _)| berlin.format(*at, "%H:%M")).collect();
    assert_eq!(local[..5], ["00:00", "01:00", "02:00", "02:00", "03:00"], "02:00 twice, summer then winter time");
    for (i, (start, volume)) in overview.chart.iter().enumerate() {
        let next = overview.chart.get(i + 1).map(|(at, _)| *at).unwrap_or(hours.to);
        assert_eq!(*volume, settled_in(*start, next), "the bar of {}", berlin.stamp(*start));
        assert_eq!(next - *start, Duration::hours(1));
    }
    let settled = overview.money.iter().find(|m| m.currency == "USDT").map(|m| m.settled);
    assert_eq!(settled.map(|f| (f.count, f.amount)), Some((50, settled_in(hours.from, hours.to))), "the day's 50");
    let days = OverviewQuery::days(
        &berlin,
        (day("2026-10-24"), day("2026-10-26")),
        end,
        Step::Day,
        crate::cases::CaseRules::default(),
    );
    let Ok(by_day) = store.overview(days).await else { panic!("the Overview by day") };
    let counts: Vec<rust_decimal::Decimal> = by_day.chart.iter().map(|(_, volume)| *volume).collect();
    assert_eq!(counts, [settled_in(first, hours.from), settled_in(hours.from, hours.to), settled_in(hours.to, end)]);
    // The report by local day, on each of a payment's times.
    for date in DateField::ALL {
        let query = ReportQuery { from: first - Duration::hours(1), to: end, date, by_day: Some(berlin.clone()) };
        let Ok(lines) = store.report(query).await else { panic!("the report") };
        let counted: Vec<(String, u64)> =
            lines.iter().map(|l| (l.day.map(|d| d.to_string()).unwrap_or_default(), l.count)).collect();
        let expected = [("2026-10-24", 2), ("2026-10-25", 50), ("2026-10-26", 2)];
        assert_eq!(counted, expected.map(|(d, n)| (d.to_string(), n)), "{date:?}");
    }
}

/// Rows of every shape a sort meets: currencies, amounts written several
/// ways, statuses, descriptions missing or beyond ASCII, payments settled
/// or not, with a link or without; each created at its own second.
fn sortable() -> (Vec<PaymentLink>, Vec<Transaction>) {
    use chrono::Duration;
    use rust_decimal::Decimal;
    let t0 = crate::test_support::t0();
    let amounts = ["75", "75.00", "0.5", "120", "9.99", "1000", "75.5", "0.015", "3"];
    let currencies = ["USDT", "BTC", "USDC", "ETH"];
    let descriptions = [Some("Order #12"), None, Some("Café 3"), Some("cafe 2"), Some("Zebra"), Some("apple"), None];
    let links: Vec<PaymentLink> = (0..17)
        .map(|n: usize| PaymentLink {
            amount: amounts[n % amounts.len()].parse::<Decimal>().unwrap_or_default(),
            currency: currencies[n % currencies.len()].into(),
            status: [LinkStatus::Active, LinkStatus::Paid, LinkStatus::Expired, LinkStatus::Deactivated][n % 4].clone(),
            description: descriptions[n % descriptions.len()].map(str::to_string),
            created_at: t0 - Duration::seconds(100 * n as i64 + 7),
            ..crate::test_support::link(&format!("pl_sort{n:02}"))
        })
        .collect();
    let transactions: Vec<Transaction> = (0..19)
        .map(|n: usize| {
            let settled = n.is_multiple_of(3);
            Transaction {
                amount: amounts[(n * 5) % amounts.len()].parse::<Decimal>().unwrap_or_default(),
                currency: currencies[(n + 1) % currencies.len()].into(),
                status: if settled { TransactionStatus::Settled } else { TransactionStatus::Pending },
                payment_link_id: (!n.is_multiple_of(5)).then(|| format!("pl_sort{:02}", n % 7)),
                created_at: t0 - Duration::seconds(90 * n as i64 + 3),
                settled_at: settled.then(|| t0 - Duration::seconds(90 * n as i64 - 40 + (n as i64 % 4) * 1000)),
                ..txn(&format!("txn_sort{n:02}"))
            }
        })
        .collect();
    (links, transactions)
}

/// The order a sort gives, worked out here: the column's value, then the
/// creation time (the sort key's order, each row at its own second).
fn expected_order<T: Clone>(rows: &[T], key: impl Fn(&T) -> (String, String, i64), descending: bool) -> Vec<T> {
    let mut rows = rows.to_vec();
    rows.sort_by_key(|row| key(row));
    if descending {
        rows.reverse();
    }
    rows
}

/// Every row of a list, read a window of 4 at a time, forward from the
/// first (each window counted: the rows before it are where it starts) and
/// backward from the last.
async fn walked(store: &Store, query: &ListQuery) -> (Vec<String>, Vec<String>) {
    let ids = |windowed: Windowed| -> (Vec<(Cursor, String)>, Option<u64>) {
        match windowed {
            Windowed::Links(w) => (w.rows.into_iter().map(|(c, l)| (c, l.id)).collect(), w.before),
            Windowed::Transactions(w) => (w.rows.into_iter().map(|(c, t)| (c, t.id)).collect(), w.before),
        }
    };
    let ask = |anchor, count| WindowAsk { query: query.clone(), anchor, limit: 4, count };
    let mut forward: Vec<(Cursor, String)> = Vec::new();
    let mut anchor = Anchor::First;
    loop {
        let Ok(window) = store.window(ask(anchor.clone(), true)).await else { panic!("{query:?}") };
        let (rows, before) = ids(window);
        if let Some((_, first)) = rows.first() {
            let at = forward.iter().position(|(_, id)| id == first).unwrap_or(forward.len());
            assert_eq!(before, Some(at as u64), "{query:?}: the rows before {first}");
        }
        // From a row on, that row comes again: it is already here.
        let fresh: Vec<(Cursor, String)> =
            rows.into_iter().filter(|(_, id)| forward.last().is_none_or(|(_, last)| last != id)).collect();
        if fresh.is_empty() {
            break;
        }
        forward.extend(fresh);
        anchor = Anchor::From(forward.last().map(|(c, _)| c.clone()).unwrap_or(Cursor(Vec::new())));
    }
    let mut backward: Vec<(Cursor, String)> = Vec::new();
    let mut anchor = Anchor::Last;
    loop {
        let Ok(window) = store.window(ask(anchor.clone(), false)).await else { panic!("{query:?}") };
        let (rows, _) = ids(window);
        let fresh: Vec<(Cursor, String)> =
            rows.into_iter().filter(|(_, id)| backward.first().is_none_or(|(_, first)| first != id)).collect();
        if fresh.is_empty() {
            break;
        }
        backward.splice(0..0, fresh);
        anchor = Anchor::UpTo(backward.first().map(|(c, _)| c.clone()).unwrap_or(Cursor(Vec::new())));
    }
    (forward.into_iter().map(|(_, id)| id).collect(), backward.into_iter().map(|(_, id)| id).collect())
}

pub async fn every_sort_order_pages_both_ways_by_keyset(store: Store) {
    let (links, transactions) = sortable();
    let saved =
        store.save(Batch { links: links.clone(), transactions: transactions.clone(), ..Batch::default() }).await;
    assert!(saved.is_ok());
    let created = |t: chrono::DateTime<chrono::Utc>| t.timestamp_micros();
    for descending in [true, false] {
        for column in SortColumn::LINKS {
            let key = |l: &PaymentLink| -> (String, String, i64) {
                match column {
                    SortColumn::Created => (String::new(), String::new(), created(l.created_at)),
                    SortColumn::Amount => {
                        (l.currency.clone(), super::rows::amount_key(l.amount), created(l.created_at))
                    }
                    SortColumn::Currency => (l.currency.clone(), String::new(), created(l.created_at)),
                    SortColumn::Status => (l.status.as_str().to_string(), String::new(), created(l.created_at)),
                    _ => (l.description.clone().unwrap_or_default(), String::new(), created(l.created_at)),
                }
            };
            let expected: Vec<String> = expected_order(&links, key, descending).into_iter().map(|l| l.id).collect();
            let query =
                ListQuery { filter: SearchQuery::everything(Kinds::Links), sort: Sort { column: *column, descending } };
            let (forward, backward) = walked(&store, &query).await;
            assert_eq!(forward, expected, "links by {column:?}, descending {descending}, forward");
            assert_eq!(backward, expected, "links by {column:?}, descending {descending}, backward");
        }
        for column in SortColumn::TRANSACTIONS {
            let key = |t: &Transaction| -> (String, String, i64) {
                let at = created(t.created_at);
                match column {
                    SortColumn::Created => (String::new(), String::new(), at),
                    SortColumn::Amount => (t.currency.clone(), super::rows::amount_key(t.amount), at),
                    SortColumn::Currency => (t.currency.clone(), String::new(), at),
                    SortColumn::Status => (t.status.as_str().to_string(), String::new(), at),
                    SortColumn::Settled => {
                        (format!("{:020}", t.settled_at.map(|s| s.timestamp_micros()).unwrap_or(0)), String::new(), at)
                    }
                    _ => (t.payment_link_id.clone().unwrap_or_default(), String::new(), at),
                }
            };
            let expected: Vec<String> =
                expected_order(&transactions, key, descending).into_iter().map(|t| t.id).collect();
            let query = ListQuery {
                filter: SearchQuery::everything(Kinds::Transactions),
                sort: Sort { column: *column, descending },
            };
            let (forward, backward) = walked(&store, &query).await;
            assert_eq!(forward, expected, "transactions by {column:?}, descending {descending}, forward");
            assert_eq!(backward, expected, "transactions by {column:?}, descending {descending}, backward");
        }
    }
    // A filter and a sort together, counted, with the rows before a window.
    let mut filter = SearchQuery::everything(Kinds::Transactions);
    filter.status = Some("pending".into());
    let query = ListQuery { filter, sort: Sort { column: SortColumn::Amount, descending: true } };
    let pending: Vec<&Transaction> = transactions.iter().filter(|t| t.status == TransactionStatus::Pending).collect();
    let (forward, _) = walked(&store, &query).await;
    assert_eq!(forward.len(), pending.len());
    let Some(third) = forward.get(2) else { panic!("three pending") };
    let Ok(Windowed::Transactions(first)) =
        store.window(WindowAsk { query: query.clone(), anchor: Anchor::First, limit: 3, count: true }).await
    else {
        panic!("a window")
    };
    assert_eq!(
        (first.total, first.before, first.more_before, first.more_after),
        (Some(pending.len() as u64), Some(0), false, true)
    );
    let Some((cursor, row)) = first.rows.get(2) else { panic!("three rows") };
    assert_eq!(&row.id, third);
    let ask = WindowAsk { query, anchor: Anchor::From(cursor.clone()), limit: 50, count: true };
    let Ok(Windowed::Transactions(later)) = store.window(ask).await else { panic!("a later window") };
    assert_eq!((later.before, later.more_after), (Some(2), false), "two rows before the third; none after the end");
}

pub async fn a_write_is_announced_once_committed_and_an_unchanged_one_is_not(store: Store) {
    let mut notices = store.changes();
    let payment = Transaction { status: TransactionStatus::Confirmed, ..txn("txn_n1") };
    assert!(store.save(Batch { transactions: vec![payment.clone()], ..Batch::default() }).await.is_ok());
    let Ok(change) = notices.try_recv() else { panic!("no notice") };
    assert!(change.transactions && !change.links && !change.webhooks, "{change:?}");
    assert!(change.ids.contains(&"txn_n1".to_string()), "{change:?}");
    // The same row again: nothing changed, nothing said.
    assert!(store.save(Batch { transactions: vec![payment], ..Batch::default() }).await.is_ok());
    assert!(notices.try_recv().is_err(), "an unchanged row is no news");
    let hooks = vec![crate::test_support::hook("wh_n1")];
    assert!(store.save(Batch { webhooks: Some(hooks.clone()), ..Batch::default() }).await.is_ok());
    assert!(notices.try_recv().is_ok_and(|c| c.webhooks && !c.transactions));
    assert!(store.save(Batch { webhooks: Some(hooks), ..Batch::default() }).await.is_ok());
    assert!(notices.try_recv().is_err(), "the same webhooks are no news");
}

/// A list's count (no filter, a status, a currency, both) comes from totals
/// kept as rows are written; it equals a count of the rows themselves (a
/// date filter counts them), through new rows, moved statuses, rewrites.
pub async fn a_list_s_count_is_kept_and_equals_its_rows(store: Store) {
    use crate::test_support::{link, t0};
    let mut rng = fastrand::Rng::with_seed(18);
    let link_statuses = [LinkStatus::Active, LinkStatus::Paid, LinkStatus::Expired];
    let txn_statuses = [TransactionStatus::Pending, TransactionStatus::Confirmed, TransactionStatus::Settled];
    for round in 0..6 {
        // A row's currency never changes at PIK; its status moves, forward.
        let currency = |n: usize| ["USDT", "BTC"][n % 2].to_string();
        let picks: Vec<(usize, usize)> = (0..30).map(|_| (rng.usize(..40), rng.usize(..3))).collect();
        let links: Vec<PaymentLink> = picks
            .iter()
            .map(|&(n, s)| PaymentLink {
                currency: currency(n),
                status: link_statuses[s].clone(),
                description: Some(format!("round {round}")),
                ..link(&format!("pl_count{n:02}"))
            })
            .collect();
        let transactions: Vec<Transaction> = picks
            .iter()
            .map(|&(n, s)| Transaction {
                currency: currency(n),
                status: txn_statuses[(s + round) % 3].clone(),
                ..txn(&format!("txn_count{n:02}"))
            })
            .collect();
        assert!(store.save(Batch { links, transactions, ..Batch::default() }).await.is_ok());
    }
    let long_ago = t0() - chrono::Duration::days(365 * 20);
    for kinds in [Kinds::Links, Kinds::Transactions] {
        for status in [None, Some("active"), Some("PAID"), Some("settled"), Some("pending"), Some("expired")] {
            for currency in [None, Some("usdt"), Some("BTC")] {
                let mut filter = SearchQuery::everything(kinds);
                filter.status = status.map(String::from);
                filter.currency = currency.map(String::from);
                let kept = store.count(filter.clone()).await;
                // A date filter is not in the totals: the rows are counted.
                let counted = store.count(SearchQuery { from: Some(long_ago), ..filter }).await;
                assert_eq!(kept, counted, "{kinds:?} {status:?} {currency:?}");
            }
        }
    }
    let all = store.count(SearchQuery::everything(Kinds::Links)).await;
    assert!(all.as_ref().is_ok_and(|n| *n > 20), "{all:?}");
    // Marked rows, by id: exactly those the mirror holds, of the kind asked.
    let links = vec![link("pl_marked_a"), link("pl_marked_b"), link("pl_marked_c")];
    assert!(store.save(Batch { links, ..Batch::default() }).await.is_ok());
    let mut marked = SearchQuery::everything(Kinds::Links);
    marked.ids = Some(["pl_marked_a", "pl_marked_c", "pl_nosuchrow", "txn_marked_a"].map(String::from).to_vec());
    assert_eq!(store.count(marked.clone()).await, Ok(2), "marked links");
    // Ten thousand marked: one statement still takes them all.
    let many: Vec<String> = (0..10_000).map(|n| format!("pl_marked_{n}")).chain(["pl_marked_a".into()]).collect();
    marked.ids = Some(many);
    assert_eq!(store.count(marked.clone()).await, Ok(1), "ten thousand marked links");
    marked.ids = Some(Vec::new());
    assert_eq!(store.count(marked).await, Ok(0), "nothing marked is nothing");
    assert!(store.clear().await.is_ok());
    assert_eq!(store.count(SearchQuery::everything(Kinds::Transactions)).await, Ok(0), "cleared with the rows");
}
