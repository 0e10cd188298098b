//! The store on its own: rows in and out, the search table, hostile search
//! text, and every bad file it may be handed.

use super::*;
use crate::api::{ApiKey, LinkStatus, TransactionStatus};
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
    assert_eq!(saved, Ok(Upserted { inserted: 11, updated: 0 }));
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
async fn a_file_of_schema_one_is_migrated_on_open() {
    let dir = temp();
    let path = dir.path().join("mirror.sqlite");
    let opened = Store::open_with(Place::File(path.clone()), &account(), &schema::MIGRATIONS[..1]);
    let Ok(opened) = opened else { panic!("v1 did not open") };
    assert!(opened.store.save(Batch { links: vec![link("pl_old")], ..Batch::default() }).await.is_ok());
    drop(opened);
    let Ok(opened) = Store::open(Place::File(path), &account()) else { panic!("did not migrate") };
    let stats = opened.store.stats().await;
    assert!(stats.as_ref().is_ok_and(|s| s.schema == schema::latest(schema::MIGRATIONS) && s.links == 1), "{stats:?}");
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
