//! The store on PostgreSQL: the same contract as on SQLite (the same
//! functions), the same search results, figures, reports and exports on
//! the same rows, migrations that do not race, and the server's errors as
//! one clear line.

use super::{Test, database, open, runtime};
use pik_tui::store::contract;
use pik_tui::store::{Batch, Kinds, OverviewQuery, Place, SearchQuery, Selection, Step, Store};
use pik_tui::test_support::{SEARCH_CASES, search_fixture, t0};

const BASE: &str = "http://127.0.0.1:9/v1";

pub fn tests() -> Vec<(String, Test)> {
    let mut tests: Vec<(String, Test)> = Vec::new();
    for name in contract::CHECKS {
        tests.push((
            format!("store_contract::{name}"),
            Box::new(move || {
                runtime().block_on(async {
                    let url = database(&format!("contract_{name}"));
                    contract::run(name, open(&url, BASE).await).await;
                })
            }),
        ));
    }
    tests.push(("store::the_search_table_gives_the_same_ids_in_the_same_order_on_both".into(), Box::new(same_search)));
    tests.push(("store::figures_reports_and_exports_match_sqlite".into(), Box::new(same_figures)));
    tests.push(("store::past_the_newest_rows_the_same_results_as_sqlite".into(), Box::new(same_search_at_scale)));
    tests.push(("store::two_processes_migrating_at_once_do_not_race".into(), Box::new(migrations_race)));
    tests.push(("store::a_wrong_password_is_one_clear_line".into(), Box::new(wrong_password)));
    tests.push(("store::another_servers_database_is_refused".into(), Box::new(other_server)));
    tests.push(("store::tls_through_rustls_as_sslmode_asks".into(), Box::new(tls)));
    tests.push(("store::the_audit_log_refuses_an_update_a_delete_or_a_truncation".into(), Box::new(append_only)));
    tests.push(("store::who_has_a_case_open_is_seen_until_it_lapses".into(), Box::new(presence)));
    tests
}

fn sqlite() -> Store {
    match Store::open(Place::Memory, &super::account(BASE)) {
        Ok(opened) => opened.store,
        Err(err) => panic!("{err}"),
    }
}

async fn both() -> (Store, Store) {
    let (links, transactions) = search_fixture();
    let pg = open(&database("same"), BASE).await;
    let lite = sqlite();
    for store in [&pg, &lite] {
        let batch = Batch { links: links.clone(), transactions: transactions.clone(), ..Batch::default() };
        assert!(store.save(batch).await.is_ok());
    }
    (pg, lite)
}

fn same_search() {
    runtime().block_on(async {
        let (pg, lite) = both().await;
        for (text, kinds, expected) in SEARCH_CASES {
            let query = SearchQuery::parse(text, *kinds);
            let on_pg = pg.search(query.clone(), 0, 50).await;
            let on_lite = lite.search(query, 0, 50).await;
            let ids =
                |page: &pik_tui::store::SearchPage| page.hits.iter().map(|h| h.id().to_string()).collect::<Vec<_>>();
            let (Ok(on_pg), Ok(on_lite)) = (on_pg, on_lite) else { panic!("{text:?} failed") };
            assert_eq!(ids(&on_pg), *expected, "{text:?} ({kinds:?}) on PostgreSQL");
            assert_eq!(ids(&on_pg), ids(&on_lite), "{text:?} ({kinds:?}): the two backends differ");
            assert_eq!((on_pg.total, on_pg.capped), (on_lite.total, on_lite.capped), "{text:?}");
            assert_eq!(on_pg.hits, on_lite.hits, "{text:?}: every field");
        }
    });
}

/// More rows than PostgreSQL's search looks through first: broad and
/// narrow searches, and windows beyond them, give what SQLite gives.
fn same_search_at_scale() {
    runtime().block_on(async {
        let pg = open(&database("scale"), BASE).await;
        let lite = sqlite();
        let links: Vec<_> = (0..25_000u64)
            .map(|n| {
                let mut link = pik_tui::test_support::numbered_link(n, pik_tui::api::LinkStatus::Active);
                if n % 997 == 0 {
                    link.description = Some(format!("Rare refund {n}"));
                }
                link
            })
            .collect();
        for store in [&pg, &lite] {
            for chunk in links.chunks(5_000) {
                assert!(store.save(Batch { links: chunk.to_vec(), ..Batch::default() }).await.is_ok());
            }
        }
        for (text, offset) in
            [("rare", 0), ("order", 0), ("order", 1_200), ("order", 20_500), ("refund 1", 0), ("", 24_990)]
        {
            let query = SearchQuery::parse(text, Kinds::Links);
            let (a, b) = (pg.search(query.clone(), offset, 20).await, lite.search(query, offset, 20).await);
            let (Ok(a), Ok(b)) = (a, b) else { panic!("{text:?} failed") };
            assert!(!a.hits.is_empty(), "{text:?} at {offset}: something to compare");
            assert_eq!((a.total, a.capped), (b.total, b.capped), "{text:?} at {offset}: the count");
            assert_eq!(a.hits, b.hits, "{text:?} at {offset}: the window");
        }
    });
}

fn same_figures() {
    runtime().block_on(async {
        let (pg, lite) = both().await;
        let query = OverviewQuery {
            from: t0() - chrono::Duration::days(7),
            to: t0() + chrono::Duration::days(1),
            now: t0(),
            step: Step::Day,
            bars: (0..8).map(|d| t0() - chrono::Duration::days(7) + chrono::Duration::days(d)).collect(),
            chart_currency: None,
            rules: pik_tui::cases::CaseRules::default(),
            handling: Default::default(),
            handled: Default::default(),
        };
        let (on_pg, on_lite) = (pg.overview(query.clone()).await, lite.overview(query).await);
        assert!(on_pg.is_ok(), "{on_pg:?}");
        assert_eq!(on_pg, on_lite, "the Overview");
        assert!(on_pg.is_ok_and(|o| !o.money.is_empty()), "figures to compare");
        let (from, to) = (t0() - chrono::Duration::hours(30), t0() + chrono::Duration::minutes(7));
        let berlin = pik_tui::zone::Zone::bundled("Europe/Berlin");
        for date in pik_tui::store::DateField::ALL {
            for by_day in [None, berlin.clone()] {
                let query = pik_tui::store::ReportQuery { from, to, date, by_day };
                let (a, b) = (pg.report(query.clone()).await, lite.report(query.clone()).await);
                assert!(a.as_ref().is_ok_and(|lines| !lines.is_empty()), "{a:?}");
                assert_eq!(a, b, "the report ({query:?})");
            }
        }
        for selection in [
            Selection::Filter(SearchQuery::parse("status:settled", Kinds::Transactions)),
            Selection::Filter(SearchQuery::parse("settled:2027-01-14..2027-01-15", Kinds::Transactions)),
            Selection::Search(SearchQuery::parse("confirmed:2027-01-14..2027-01-15 txn_", Kinds::Both)),
            Selection::Filter(SearchQuery::parse("", Kinds::Links)),
            Selection::Search(SearchQuery::parse("order", Kinds::Both)),
            Selection::Search(SearchQuery::parse("amount:>=10", Kinds::Transactions)),
        ] {
            let (a, b) = (pg.export_count(selection.clone()).await, lite.export_count(selection.clone()).await);
            assert_eq!(a, b, "{selection:?}");
            let csv = |store: Store, selection: Selection| async move {
                let Ok(dir) = tempfile::tempdir() else { panic!("tempdir") };
                let path = dir.path().join("out.csv");
                let destination = pik_tui::export::Destination::File { path: path.clone(), overwrite: false };
                let format = pik_tui::export::Format::Csv;
                let done = pik_tui::export::from_store(&store, selection, format, &destination, |_, _| {}).await;
                assert!(done.is_ok(), "{done:?}");
                std::fs::read_to_string(&path).unwrap_or_default()
            };
            let (a, b) = (csv(pg.clone(), selection.clone()).await, csv(lite.clone(), selection.clone()).await);
            assert!(a.lines().count() > 1, "{selection:?}: rows to compare");
            assert_eq!(a, b, "{selection:?}: the CSV");
        }
    });
}

fn migrations_race() {
    runtime().block_on(async {
        let url = database("race");
        let opens: Vec<_> = (0..4)
            .map(|_| {
                let url = url.clone();
                tokio::spawn(async move { open(&url, BASE).await.stats().await.map(|s| s.schema) })
            })
            .collect();
        for opened in opens {
            let schema = opened.await.map_err(|e| e.to_string()).and_then(|s| s.map_err(|e| e.to_string()));
            assert_eq!(schema, Ok(pik_tui::store::postgres::schema::latest()));
        }
    });
}

fn wrong_password() {
    runtime().block_on(async {
        let url = database("wrong").replace(pik_tui::test_cluster::PASSWORD, "not-the-password");
        let Ok(target) = pik_tui::store::postgres::Target::parse(&url, pik_tui::store::postgres::Given::ConfigFile)
        else {
            panic!("parse")
        };
        let opened = Store::open_place(Place::Postgres(target), &super::account(BASE)).await;
        let Err(error) = opened else { panic!("a wrong password was accepted") };
        let text = error.to_string();
        assert!(text.contains("password authentication failed"), "{text}");
        assert!(!text.contains("not-the-password") && !text.contains('\n'), "{text}");
    });
}

fn other_server() {
    runtime().block_on(async {
        let url = database("other");
        drop(open(&url, BASE).await);
        let Ok(target) = pik_tui::store::postgres::Target::parse(&url, pik_tui::store::postgres::Given::ConfigFile)
        else {
            panic!("parse")
        };
        let other = super::account("https://api.pik.global/v1");
        let opened = Store::open_place(Place::Postgres(target), &other).await;
        assert!(opened.as_ref().is_err_and(|e| e.to_string().contains("mirrors the PIK server")), "{:?}", opened.err());
    });
}

/// A CA, and a server certificate for 127.0.0.1 signed by it (PEM).
fn certificates() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let made = (|| -> Result<(String, String, String), rcgen::Error> {
        let mut ca = CertificateParams::new(Vec::<String>::new())?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_key = KeyPair::generate()?;
        let ca_cert = ca.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca, ca_key);
        let server_key = KeyPair::generate()?;
        let server = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])?
            .signed_by(&server_key, &issuer)?;
        Ok((ca_cert.pem(), server.pem(), server_key.serialize_pem()))
    })();
    match made {
        Ok(pems) => pems,
        Err(err) => panic!("certificates: {err}"),
    }
}

fn tls() {
    let (ca, cert, key) = certificates();
    let (other_ca, _, _) = certificates();
    let cluster = match pik_tui::test_cluster::start_tls(&cert, &key) {
        Ok(cluster) => cluster,
        Err(err) => panic!("{err}"),
    };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (ca_file, other_file) = (dir.path().join("ca.pem"), dir.path().join("other.pem"));
    assert!(std::fs::write(&ca_file, ca).is_ok() && std::fs::write(&other_file, other_ca).is_ok());
    let url = cluster.database("tls");
    let with = |mode: &str, roots: &std::path::Path| format!("{url}?sslmode={mode}&sslrootcert={}", roots.display());
    let attempt = |text: String| {
        runtime().block_on(async move {
            let target = pik_tui::store::postgres::Target::parse(&text, pik_tui::store::postgres::Given::ConfigFile)
                .unwrap_or_else(|e| panic!("{e}"));
            let opened = Store::open_place(Place::Postgres(target), &super::account(BASE)).await;
            match opened {
                Ok(opened) => opened.store.search(SearchQuery::parse("x", Kinds::Both), 0, 5).await.map(|_| ()),
                Err(err) => Err(err),
            }
        })
    };
    // TLS required, the server's CA trusted: it works (a plain connection
    // could not satisfy `require`).
    let trusted = attempt(with("require", &ca_file));
    assert!(trusted.is_ok(), "{trusted:?}");
    // Another CA: refused, with the reason in one line.
    let untrusted = attempt(with("require", &other_file));
    let Err(error) = untrusted else { panic!("a server signed by another CA was trusted") };
    assert!(!error.to_string().contains('\n'), "{error}");
    assert!(error.to_string().contains("certificate"), "{error}");
    // TLS required of a server without it: refused.
    let plain = super::the_cluster().database("plain");
    let refused = attempt(format!("{plain}?sslmode=require"));
    assert!(refused.is_err(), "sslmode=require was met by a server without TLS");
    cluster.stop_server();
}

/// Whoever connects, the audit log's rows are never changed or removed:
/// triggers refuse it on the server, not only pik-tui's own code.
fn append_only() {
    runtime().block_on(async {
        let url = database("append_only");
        let store = open(&url, BASE).await;
        let act = pik_tui::test_support::act("copied the reply", "pl_short", t0());
        // Dated by the database's clock, not the agent's (t0 is in 2027).
        let before = chrono::Utc::now() - chrono::Duration::seconds(5);
        let act = match store.append_act(act).await {
            Ok(written) => written,
            Err(err) => panic!("{err}"),
        };
        assert!(act.at >= before && act.at <= chrono::Utc::now() + chrono::Duration::seconds(5), "{act:?}");
        let (client, connection) = match tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
            Ok(pair) => pair,
            Err(err) => panic!("{err}"),
        };
        tokio::spawn(connection);
        for sql in ["UPDATE acts SET agent = 'mallory'", "DELETE FROM acts", "TRUNCATE acts"] {
            let refused = client.batch_execute(sql).await;
            let words = refused.as_ref().err().and_then(|e| e.as_db_error()).map(|e| e.message().to_string());
            assert_eq!(words.as_deref(), Some("the audit log is append-only"), "{sql}");
            // And as an administrator would try it, with psql.
            let (went_through, said) = super::the_cluster().psql(&url, sql);
            assert!(!went_through && said.contains("the audit log is append-only"), "psql {sql}: {said}");
        }
        assert!(store.clear().await.is_ok());
        assert_eq!(store.acts_about(vec!["pl_short".into()]).await, Ok(vec![act]));
    });
}

/// Presence on a shared store: alice's heartbeat shows on bob's read of the
/// order, and goes when she closes the case or when it lapses.
fn presence() {
    runtime().block_on(async {
        let url = database("presence");
        let (alice, bob) = (open(&url, BASE).await, open(&url, BASE).await);
        let link = pik_tui::test_support::link("pl_seen");
        assert!(alice.save(Batch { links: vec![link], ..Batch::default() }).await.is_ok());
        let looking = |store: Store| async move { store.order("pl_seen").await.map(|order| order.looking) };
        assert!(alice.look_at("pl_seen", "alice", Some(chrono::Duration::seconds(30))).await.is_ok());
        let seen = looking(bob.clone()).await.unwrap_or_default();
        assert_eq!(seen.iter().map(|(who, _)| who.as_str()).collect::<Vec<_>>(), ["alice"]);
        // Closed: gone at once.
        assert!(alice.look_at("pl_seen", "alice", None).await.is_ok());
        assert_eq!(looking(bob.clone()).await, Ok(vec![]));
        // A dashboard that died: its last beat lapses.
        assert!(alice.look_at("pl_seen", "alice", Some(chrono::Duration::seconds(-1))).await.is_ok());
        assert_eq!(looking(bob).await, Ok(vec![]));
    });
}
