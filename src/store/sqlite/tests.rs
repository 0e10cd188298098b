//! The store on SQLite on its own: rows in and out, and every bad file it
//! may be handed.

use super::super::*;
use super::schema;
use crate::api::{ApiKey, LinkStatus, PaymentLink, Transaction, TransactionStatus, Webhook};
use crate::test_support::{link, t0, txn};
use rusqlite::Connection;

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
        without_case_upkeep: false,
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
    let opened = Store::open(Place::File(path.clone()), &account());
    let Ok(opened) = opened else { panic!("did not migrate: {:?}", opened.err()) };
    let stats = opened.store.stats().await;
    assert!(
        stats.as_ref().is_ok_and(|s| s.schema == schema::latest(schema::MIGRATIONS) && s.transactions == 2),
        "{stats:?}"
    );
    let Ok(conn) = Connection::open(&path) else { panic!("sqlite") };
    let settled = conn.query_row("SELECT count, amount FROM rollup_settled", [], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    });
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
    let (a, b) = opened_twice(&path);
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

#[tokio::test]
async fn the_overview_lists_the_cases_and_the_disabled_webhooks() {
    use crate::api::WebhookStatus;
    use crate::test_support::{dec, hook};
    let store = memory();
    let order = PaymentLink { amount: dec("75.00"), currency: "USDT".into(), ..link("pl_short") };
    let short = Transaction {
        payment_link_id: Some("pl_short".into()),
        amount: dec("74.10"),
        currency: "USDT".into(),
        status: TransactionStatus::Settled,
        ..txn("txn_short")
    };
    let hooks = vec![Webhook { status: WebhookStatus::Disabled, ..hook("wh_off") }, hook("wh_on")];
    let batch = Batch { links: vec![order], transactions: vec![short], webhooks: Some(hooks), ..Batch::default() };
    assert!(store.save(batch).await.is_ok());
    let zone = crate::zone::Zone::utc();
    let today = zone.date_of(t0());
    let query = OverviewQuery::days(&zone, (today, today), t0(), Step::Hour, crate::cases::CaseRules::default());
    let Ok(overview) = store.overview(query).await else { panic!("no overview") };
    let cases: Vec<(&str, crate::cases::CaseKind)> =
        overview.cases.iter().map(|c| (c.link_id.as_str(), c.kind)).collect();
    assert_eq!(cases, [("pl_short", crate::cases::CaseKind::Underpaid)]);
    let disabled: Vec<&str> = overview.disabled.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(disabled, ["wh_off"]);
}

/// The backend contract (`contract/`), on SQLite in memory.
#[tokio::test]
async fn the_store_contract_on_sqlite() {
    for name in super::super::contract::CHECKS {
        super::super::contract::run(name, memory()).await;
    }
}

#[tokio::test]
async fn a_mirror_from_before_cases_gets_its_cases_from_the_rows_it_holds() {
    let dir = temp();
    let path = dir.path().join("mirror.sqlite");
    let Ok(opened) = Store::open(Place::File(path.clone()), &account()) else { panic!("did not open") };
    let order = PaymentLink { amount: crate::test_support::dec("75.00"), currency: "USDT".into(), ..link("pl_short") };
    let short = Transaction {
        payment_link_id: Some("pl_short".into()),
        amount: crate::test_support::dec("74.10"),
        currency: "USDT".into(),
        status: TransactionStatus::Settled,
        ..txn("txn_short")
    };
    let saved = opened.store.save(Batch { links: vec![order], transactions: vec![short], ..Batch::default() }).await;
    assert!(saved.is_ok());
    drop(opened);
    // The file as schema 5 left it: no cases anywhere.
    back_to_schema_5(&path);
    let Ok(reopened) = Store::open(Place::File(path), &account()) else { panic!("did not reopen") };
    let query = super::super::cases::CaseQuery {
        rules: crate::cases::CaseRules::default(),
        now: t0(),
        kind: None,
        order: super::super::cases::CaseOrder::Oldest,
        handled: super::super::cases::Handled::Open,
    };
    let cases = reopened.store.cases(query).await.map(|c| c.into_iter().map(|c| (c.link_id, c.kind)).collect());
    assert_eq!(cases, Ok(vec![("pl_short".to_string(), crate::cases::CaseKind::Underpaid)]));
}

/// The record of what agents did is a file of its own: a corrupt mirror
/// moved aside, or cleared, takes none of it; and it is append-only.
#[tokio::test]
async fn the_record_lives_beside_the_mirror_and_outlives_it() {
    let dir = temp();
    let path = dir.path().join("mirror.sqlite");
    let Ok(opened) = Store::open(Place::File(path.clone()), &account()) else { panic!("did not open") };
    let act = crate::test_support::act("copied the reply", "pl_short", t0());
    assert!(opened.store.append_act(act.clone()).await.is_ok());
    drop(opened);
    let record = dir.path().join("mirror.record.sqlite");
    assert!(record.exists(), "beside the mirror");
    // The mirror damaged: moved aside, a fresh one started; the record stays.
    assert!(std::fs::write(&path, b"not a database".repeat(300)).is_ok());
    for log in ["mirror.sqlite-wal", "mirror.sqlite-shm"] {
        let _ = std::fs::remove_file(dir.path().join(log));
    }
    let Ok(reopened) = Store::open(Place::File(path.clone()), &account()) else { panic!("did not recover") };
    assert!(reopened.notes.iter().any(|n| n.contains("moved aside")), "{:?}", reopened.notes);
    assert_eq!(reopened.store.acts_about(vec!["pl_short".into()]).await, Ok(vec![act.clone()]));
    drop(reopened);
    // Append-only, whoever opens the file.
    let Ok(conn) = Connection::open(&record) else { panic!("no record") };
    for sql in ["UPDATE acts SET agent = 'mallory'", "DELETE FROM acts"] {
        let refused = conn.execute(sql, []);
        assert!(matches!(&refused, Err(e) if e.to_string().contains("append-only")), "{sql}: {refused:?}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&record).map(|m| m.permissions().mode() & 0o777).ok();
        assert_eq!(mode, Some(0o600), "as private as the mirror");
    }
}

/// Claims, resolutions, notes and every other act outlive the record's own
/// migration (ids given to the acts already there) and the mirror's (its
/// case tables dropped and rebuilt): nothing of the team's handling is lost.
#[tokio::test]
async fn case_handling_outlives_the_record_s_and_the_mirror_s_migrations() {
    use crate::audit::{Act, AuditQuery};
    use crate::cases::CaseAct;
    let dir = temp();
    let path = dir.path().join("mirror.sqlite");
    // A record as the first pik-tui with one wrote it: schema 1, no ids.
    let record = dir.path().join("mirror.record.sqlite");
    let Ok(mut conn) = Connection::open(&record) else { panic!("no record") };
    assert_eq!(schema::migrate(&mut conn, &super::record::MIGRATIONS[..1]), Ok(1));
    let inserted = conn.execute(
        "INSERT INTO acts (at, agent, profile, act, subject, outcome, request_id, detail) \
         VALUES (1, 'alice', NULL, 'noted on the case', 'pl_short', 'done', NULL, 'called the customer')",
        [],
    );
    assert_eq!(inserted, Ok(1));
    drop(conn);
    let Ok(opened) = Store::open(Place::File(path.clone()), &account()) else { panic!("did not open") };
    let claim = Act::new(t0(), "bob", None, CaseAct::Claim.name(), Some("pl_short"), String::new());
    assert!(matches!(opened.store.act_on_case(claim, None).await, Ok(Ok(_))));
    let before = opened.store.audit(AuditQuery::default()).await.unwrap_or_default();
    assert_eq!(before.len(), 2, "{before:?}");
    assert!(before.iter().all(|act| act.uid.len() == 32), "each act has an id now: {before:?}");
    drop(opened);
    // The mirror as schema 5 left it: its case tables rebuilt by the migration.
    back_to_schema_5(&path);
    let Ok(reopened) = Store::open(Place::File(path), &account()) else { panic!("did not reopen") };
    assert_eq!(reopened.store.audit(AuditQuery::default()).await, Ok(before));
    let handling = reopened.store.handling().await;
    let short = handling.get("pl_short").cloned().unwrap_or_default();
    assert_eq!((short.claimed.map(|c| c.0), short.notes.len()), (Some("bob".into()), 1));
}

/// Two dashboards on one file: an act one of them takes moves the record's
/// data version the other looks at (the watcher then reads the case again),
/// and the other reads the act.
#[tokio::test]
async fn an_act_on_one_file_is_seen_by_another_dashboard_on_it() {
    use crate::audit::{Act, AuditQuery};
    use crate::cases::CaseAct;
    let dir = temp();
    let path = dir.path().join("mirror.sqlite");
    let (one, other) = opened_twice(&path);
    let Ok(Some((mirror, record))) = other.store.data_version().await else { panic!("no data version") };
    let claim = Act::new(t0(), "alice", None, CaseAct::Claim.name(), Some("pl_short"), String::new());
    assert!(matches!(one.store.act_on_case(claim, None).await, Ok(Ok(_))));
    let Ok(Some((mirror_now, record_now))) = other.store.data_version().await else { panic!("no data version") };
    assert_eq!(mirror_now, mirror, "the mirror did not change");
    assert_ne!(record_now, record, "the record did");
    let seen = other.store.audit(AuditQuery::default()).await.map(|acts| acts.len());
    assert_eq!(seen, Ok(1));
    let second = Act::new(t0(), "bob", None, CaseAct::Claim.name(), Some("pl_short"), String::new());
    let refused = other.store.act_on_case(second, None).await;
    assert!(matches!(&refused, Ok(Err(why)) if why.starts_with("claimed by alice")), "{refused:?}");
}

/// The store opened twice on one file, as two dashboards open it.
fn opened_twice(path: &std::path::Path) -> (Opened, Opened) {
    let place = || Place::File(path.to_path_buf());
    match (Store::open(place(), &account()), Store::open(place(), &account())) {
        (Ok(one), Ok(other)) => (one, other),
        (one, other) => panic!("did not open twice: {:?} {:?}", one.err(), other.err()),
    }
}

/// The mirror's file as schema 5 left it: no case tables, no list totals.
fn back_to_schema_5(path: &std::path::Path) {
    let Ok(conn) = Connection::open(path) else { panic!("no file") };
    let back = conn.execute_batch(
        "DROP TABLE case_facts; DROP TABLE balance_links; DROP TABLE link_changes; DROP TABLE list_totals; PRAGMA user_version = 5;",
    );
    assert!(back.is_ok(), "{back:?}");
}
