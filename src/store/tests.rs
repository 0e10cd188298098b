//! The store on its own: rows in and out, the search table, hostile search
//! text, and every bad file it may be handed.

use super::*;
use crate::api::{ApiKey, LinkStatus, PaymentLink, Transaction, TransactionStatus, Webhook};
use crate::test_support::{SEARCH_CASES, link, search_fixture, t0, txn};

fn account() -> Account {
    Account::new("http://127.0.0.1:9/v1", &ApiKey::new("pik_test_storekey0000000001"))
}

fn memory() -> Store {
    match Store::open(Place::Memory, &account()) {
        Ok(opened) => opened.store,
        Err(err) => panic!("{err}"),
    }
}

fn temp() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => panic!("no temp dir: {err}"),
    }
}

async fn filled() -> Store {
    let store = memory();
    let (links, transactions) = search_fixture();
    let saved = store.save(Batch { links, transactions, ..Batch::default() }).await;
    assert_eq!(saved, Ok(Upserted { inserted: 11, updated: 0, changed: Vec::new() }));
    store
}

fn ids(page: &SearchPage) -> Vec<&str> {
    page.hits.iter().map(SearchHit::id).collect()
}

#[tokio::test]
async fn the_search_table() {
    let store = filled().await;
    for (text, kinds, expected) in SEARCH_CASES {
        let page = store.search(SearchQuery::parse(text, *kinds), 0, 50).await;
        let Ok(page) = page else { panic!("{text:?}: {page:?}") };
        assert_eq!(ids(&page), *expected, "{text:?} ({kinds:?})");
        assert_eq!(page.total, expected.len() as u64, "{text:?}");
    }
}

#[tokio::test]
async fn results_come_in_windows_with_a_count() {
    let store = memory();
    let links: Vec<PaymentLink> = (0..250).map(|n| crate::test_support::numbered_link(n, LinkStatus::Active)).collect();
    assert!(store.save(Batch { links, ..Batch::default() }).await.is_ok());
    let query = SearchQuery::parse("order", Kinds::Links);
    let Ok(first) = store.search(query.clone(), 0, 20).await else { panic!() };
    let Ok(later) = store.search(query, 240, 20).await else { panic!() };
    assert_eq!((first.total, first.hits.len(), later.hits.len()), (250, 20, 10));
    assert_eq!(first.hits[0].id(), "pl_00249", "newest first");
    assert_eq!(later.hits[9].id(), "pl_00000");
}

#[tokio::test]
async fn hostile_search_text_is_plain_text() {
    let store = filled().await;
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

#[tokio::test]
async fn rows_come_back_exactly_and_statuses_only_move_forward() {
    let store = memory();
    let (links, transactions) = search_fixture();
    assert!(
        store
            .save(Batch { links: links.clone(), transactions: transactions.clone(), ..Batch::default() })
            .await
            .is_ok()
    );
    let Ok(page) = store.list_links(LinkQuery { limit: Some(100), ..LinkQuery::default() }).await else { panic!() };
    let mut expected = links.clone();
    expected.sort_by_key(|l| std::cmp::Reverse(l.created_at));
    assert_eq!(page.data, expected, "every field, newest first");
    let query = TransactionQuery { status: Some(TransactionStatus::Settled), limit: Some(100), ..Default::default() };
    let Ok(settled) = store.list_transactions(query).await else { panic!() };
    assert_eq!(settled.data.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["txn_d1", "txn_a1"]);
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

#[tokio::test]
async fn a_row_saved_again_unchanged_is_not_rewritten_and_a_changed_one_is() {
    let store = filled().await;
    let (links, transactions) = search_fixture();
    let again = store.save(Batch { links: links.clone(), transactions, ..Batch::default() }).await;
    assert_eq!(again, Ok(Upserted::default()), "a poll of unchanged rows writes nothing");
    let renamed = PaymentLink { description: Some("Renamed tutoring invoice".into()), ..links[0].clone() };
    let saved = store.save(Batch { links: vec![renamed], ..Batch::default() }).await;
    assert_eq!(saved, Ok(Upserted { inserted: 0, updated: 1, changed: Vec::new() }));
    let Ok(found) = store.search(SearchQuery::parse("renamed", Kinds::Links), 0, 5).await else { panic!() };
    assert_eq!(ids(&found), [links[0].id.as_str()], "the index follows the change");
}

#[tokio::test]
async fn a_file_is_private_and_holds_no_key_and_no_secret() {
    let dir = temp();
    let path = dir.path().join("mirror.sqlite");
    let key = ApiKey::new("pik_live_thisisthesecretkey0001");
    let opened = Store::open(Place::File(path.clone()), &Account::new("https://api.pik.global/v1", &key));
    let Ok(opened) = opened else { panic!("did not open") };
    let hook = crate::test_support::hook("wh_1");
    let batch = Batch {
        links: vec![link("pl_1")],
        transactions: vec![txn("txn_1")],
        webhooks: Some(vec![hook]),
        state: Some(("sync".into(), "{}".into())),
        report_changes: false,
    };
    assert!(opened.store.save(batch).await.is_ok());
    drop(opened);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
        assert_eq!(mode, 0o600);
    }
    let mut bytes = std::fs::read(&path).unwrap_or_default();
    bytes.extend(std::fs::read(dir.path().join("mirror.sqlite-wal")).unwrap_or_default());
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("pl_1"), "the rows are there");
    assert!(!text.contains("thisisthesecretkey") && !text.contains("pik_live_"), "no key in the file");
    assert!(!text.contains("whsec_"), "no webhook secret in the file");
}

#[tokio::test]
async fn another_accounts_file_is_refused() {
    let dir = temp();
    let path = dir.path().join("mirror.sqlite");
    assert!(Store::open(Place::File(path.clone()), &account()).is_ok());
    let other = Account::new("http://127.0.0.1:9/v1", &ApiKey::new("pik_test_someoneelse"));
    let refused = Store::open(Place::File(path.clone()), &other);
    assert!(matches!(refused, Err(StoreError::Refused { ref reason, .. }) if reason.contains("another account")));
    assert!(Store::open(Place::File(path), &account()).is_ok(), "the owner still opens it");
}

#[tokio::test]
async fn a_corrupt_file_is_moved_aside_never_deleted() {
    let dir = temp();
    let path = dir.path().join("mirror.sqlite");
    let junk = b"this is not a database, it is a shopping list".repeat(200);
    assert!(std::fs::write(&path, &junk).is_ok());
    let opened = Store::open(Place::File(path.clone()), &account());
    let Ok(opened) = opened else { panic!("did not recover") };
    assert!(opened.notes.iter().any(|n| n.contains("moved aside")), "{:?}", opened.notes);
    let aside: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    let kept = aside.iter().find(|p| p.to_string_lossy().contains(".corrupt-"));
    assert_eq!(kept.and_then(|p| std::fs::read(p).ok()), Some(junk), "the old bytes are kept");
    assert!(opened.store.save(Batch { links: vec![link("pl_1")], ..Batch::default() }).await.is_ok());
}

#[tokio::test]
async fn a_newer_schema_is_refused_and_not_downgraded() {
    let dir = temp();
    let path = dir.path().join("mirror.sqlite");
    assert!(Store::open(Place::File(path.clone()), &account()).is_ok());
    {
        let Ok(conn) = Connection::open(&path) else { panic!() };
        assert!(conn.pragma_update(None, "user_version", 99).is_ok());
    }
    let refused = Store::open(Place::File(path.clone()), &account());
    assert!(
        matches!(refused, Err(StoreError::Refused { ref reason, .. }) if reason.contains("newer")),
        "{:?}",
        refused.err()
    );
    let Ok(conn) = Connection::open(&path) else { panic!() };
    assert_eq!(schema::version(&conn).ok(), Some(99));
}

#[tokio::test]
async fn a_file_of_schema_one_is_migrated_on_open_and_its_totals_rebuilt() {
    let dir = temp();
    let path = dir.path().join("mirror.sqlite");
    // A file as an older pik-tui left it: schema 1, rows written in.
    {
        let Ok(mut conn) = Connection::open(&path) else { panic!("sqlite") };
        assert!(schema::migrate(&mut conn, &schema::MIGRATIONS[..1]).is_ok());
        let fingerprint = account().fingerprint;
        let rows = format!(
            "INSERT INTO meta VALUES ('base_url', 'http://127.0.0.1:9/v1'), ('key_fingerprint', '{fingerprint}');
             INSERT INTO transactions (sort_key, id, created_at, status, currency, amount, amount_key, mirrored_at)
             VALUES (3, 'txn_old', {at}, 'settled', 'USDT', '75.50', 'k', 0),
                    (5, 'txn_old2', {at}, 'settled', 'USDT', '0.25', 'k', 0);",
            at = t0().timestamp_micros()
        );
        assert!(conn.execute_batch(&rows).is_ok());
    }
    let Ok(opened) = Store::open(Place::File(path), &account()) else { panic!("did not migrate") };
    let stats = opened.store.stats().await;
    assert!(
        stats.as_ref().is_ok_and(|s| s.schema == schema::latest(schema::MIGRATIONS) && s.transactions == 2),
        "{stats:?}"
    );
    let settled = opened
        .store
        .with(false, |conn| {
            conn.query_row("SELECT count, amount FROM rollup_settled", [], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
        })
        .await;
    assert_eq!(settled.ok(), Some((2, "75.75".to_string())), "totals rebuilt from the rows");
}

#[tokio::test]
async fn a_place_that_cannot_be_written_is_a_clear_error() {
    // Both fail for root too: a folder that is a file, and /proc.
    let dir = temp();
    let blocker = dir.path().join("not-a-folder");
    assert!(std::fs::write(&blocker, b"x").is_ok());
    for path in [blocker.join("mirror.sqlite"), PathBuf::from("/proc/self/pik-tui-mirror/mirror.sqlite")] {
        let refused = Store::open(Place::File(path.clone()), &account());
        let Err(StoreError::Io { path: shown, message }) = refused else { panic!("{path:?}: {:?}", refused.err()) };
        assert!(shown.contains("mirror.sqlite") && !message.is_empty());
    }
}

#[tokio::test]
async fn two_stores_on_one_file_both_work() {
    let dir = temp();
    let path = dir.path().join("mirror.sqlite");
    let (Ok(a), Ok(b)) =
        (Store::open(Place::File(path.clone()), &account()), Store::open(Place::File(path), &account()))
    else {
        panic!("did not open twice")
    };
    let writes = (0..20).map(|n| {
        let store = if n % 2 == 0 { a.store.clone() } else { b.store.clone() };
        tokio::spawn(async move {
            let link = crate::test_support::numbered_link(n, LinkStatus::Active);
            store.save(Batch { links: vec![link], ..Batch::default() }).await
        })
    });
    for write in writes.collect::<Vec<_>>() {
        assert!(matches!(write.await, Ok(Ok(_))));
    }
    let search = b.store.search(SearchQuery::everything(Kinds::Links), 0, 50).await;
    assert_eq!(search.map(|p| p.total).ok(), Some(20));
    let now = t0();
    assert_eq!(a.store.take_lease("a", now, now + chrono::Duration::seconds(30)).await, Ok(true));
    assert_eq!(b.store.take_lease("b", now, now + chrono::Duration::seconds(30)).await, Ok(false), "a holds it");
    let later = now + chrono::Duration::seconds(31);
    assert_eq!(b.store.take_lease("b", later, later + chrono::Duration::seconds(30)).await, Ok(true), "expired");
}

/// One attention rule at its edge: what is stored, and whether it shows.
struct AttentionCase {
    name: &'static str,
    links: Vec<PaymentLink>,
    transactions: Vec<Transaction>,
    webhooks: Vec<Webhook>,
    shown: bool,
}

#[tokio::test]
async fn each_attention_rule_at_its_threshold_edge() {
    use crate::api::WebhookStatus;
    use crate::test_support::hook;
    use chrono::Duration;
    let now = t0();
    let from = now - Duration::hours(10);
    let second = Duration::seconds(1);
    let (pending_after, settle_after) = (Duration::minutes(30), Duration::hours(2));
    let pending = |age: Duration| Transaction { created_at: now - age, ..txn("txn_a") };
    let confirmed = |confirmed_age: Option<Duration>, created_age: Duration| Transaction {
        status: TransactionStatus::Confirmed,
        created_at: now - created_age,
        confirmed_at: confirmed_age.map(|age| now - age),
        ..txn("txn_a")
    };
    let failed =
        |at: chrono::DateTime<Utc>| Transaction { status: TransactionStatus::Failed, created_at: at, ..txn("txn_a") };
    let linked = |status: TransactionStatus| Transaction {
        status,
        payment_link_id: Some("pl_x".into()),
        created_at: now - Duration::minutes(5),
        ..txn("txn_a")
    };
    let expired = PaymentLink { status: LinkStatus::Expired, ..link("pl_x") };
    let case = |name, transactions: Vec<Transaction>, shown| AttentionCase {
        name,
        links: Vec::new(),
        transactions,
        webhooks: Vec::new(),
        shown,
    };
    let cases = vec![
        case("pending exactly 30 min", vec![pending(pending_after)], false),
        case("pending 30 min and a second", vec![pending(pending_after + second)], true),
        case("confirmed exactly 2 h ago", vec![confirmed(Some(settle_after), settle_after * 2)], false),
        case("confirmed 2 h and a second ago", vec![confirmed(Some(settle_after + second), settle_after * 2)], true),
        case("confirmed, no time, created 2 h ago", vec![confirmed(None, settle_after)], false),
        case("confirmed, no time, created 2 h 1 s ago", vec![confirmed(None, settle_after + second)], true),
        case("failed at the period's start", vec![failed(from)], true),
        case("failed a second before the period", vec![failed(from - second)], false),
        case("failed now", vec![failed(now)], true),
        case(
            "settled long ago",
            vec![Transaction { status: TransactionStatus::Settled, ..pending(Duration::days(3)) }],
            false,
        ),
        AttentionCase {
            name: "pending on an expired link",
            links: vec![expired.clone()],
            transactions: vec![linked(TransactionStatus::Pending)],
            webhooks: Vec::new(),
            shown: true,
        },
        AttentionCase {
            name: "confirmed on an expired link",
            links: vec![expired.clone()],
            transactions: vec![linked(TransactionStatus::Confirmed)],
            webhooks: Vec::new(),
            shown: true,
        },
        AttentionCase {
            name: "settled on an expired link",
            links: vec![expired],
            transactions: vec![linked(TransactionStatus::Settled)],
            webhooks: Vec::new(),
            shown: false,
        },
        AttentionCase {
            name: "pending on an active link",
            links: vec![link("pl_x")],
            transactions: vec![linked(TransactionStatus::Pending)],
            webhooks: Vec::new(),
            shown: false,
        },
        AttentionCase {
            name: "a disabled webhook",
            links: Vec::new(),
            transactions: Vec::new(),
            webhooks: vec![Webhook { status: WebhookStatus::Disabled, ..hook("wh_1") }],
            shown: true,
        },
        AttentionCase {
            name: "an active webhook",
            links: Vec::new(),
            transactions: Vec::new(),
            webhooks: vec![hook("wh_1")],
            shown: false,
        },
    ];
    let query = OverviewQuery {
        from,
        to: now + Duration::hours(1),
        now,
        step: Step::Hour,
        chart_currency: None,
        thresholds: Thresholds { pending_after, settle_after },
    };
    for case in cases {
        let store = memory();
        let batch = Batch {
            links: case.links,
            transactions: case.transactions,
            webhooks: Some(case.webhooks),
            ..Batch::default()
        };
        assert!(store.save(batch).await.is_ok(), "{}", case.name);
        let attention = store.overview(query.clone()).await.map(|o| o.attention);
        let Ok(attention) = attention else { panic!("{}: {attention:?}", case.name) };
        assert_eq!(!attention.is_empty(), case.shown, "{}: {attention:?}", case.name);
    }
}

#[tokio::test]
async fn a_save_reports_new_and_moved_transactions_only_when_asked() {
    let store = memory();
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
