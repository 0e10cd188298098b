//! Exports and the reconciliation report: Python's `csv` module reads a CSV
//! export back to exactly the rows; formulas from customers' descriptions
//! are neutralised; a search's export has exactly the search's rows; the
//! API and the mirror export the same rows; the commands keep existing
//! files and report exactly what the store totals.
//!
//! Python 3 is required (CI installs it): without it the test fails.

mod common;

use common::*;
use pik_tui::api::{ApiKey, LinkStatus, PaymentLink, Transaction};
use pik_tui::export::{self, Destination, Format};
use pik_tui::sandbox::{self, SandboxConfig, SeedSizes};
use pik_tui::store::{Account, Batch, Kinds, Place, SearchHit, SearchQuery, Selection, Store};
use pik_tui::test_support::{FORMULA_CORPUS, SEARCH_CASES, dec, link, search_fixture, t0};
use std::path::Path;

fn memory_store() -> Store {
    let account = Account::new("http://127.0.0.1:9/v1", &ApiKey::new("pik_test_exportkey000000001"));
    match Store::open(Place::Memory, &account) {
        Ok(opened) => opened.store,
        Err(err) => panic!("{err}"),
    }
}

/// Links whose descriptions and URLs are what customers and attackers type.
fn hostile_links() -> Vec<PaymentLink> {
    let mut texts: Vec<String> = FORMULA_CORPUS.iter().map(|s| s.to_string()).collect();
    texts.extend([
        "comma, \"quotes\" and\nnew lines\r\nand CRLF".to_string(),
        "escape \u{1b}]52;c;aGk=\u{7} and C1 \u{9b}31m and bidi \u{202e}txet".to_string(),
        "Café – 東京 – 🚀".to_string(),
        String::new(),
    ]);
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| PaymentLink {
            description: Some(text.clone()),
            url: Some(format!("https://pay.example/{i}?q={text}")),
            amount: dec(&format!("{}.50", 10 + i)),
            created_at: t0() - chrono::Duration::minutes(i as i64),
            ..link(&format!("pl_hostile{i:02}"))
        })
        .collect()
}

/// The search fixture, with the hostile links when asked.
async fn filled(hostile: bool) -> Store {
    let store = memory_store();
    let (mut links, transactions) = search_fixture();
    if hostile {
        links.extend(hostile_links());
    }
    assert!(store.save(Batch { links, transactions, ..Batch::default() }).await.is_ok());
    store
}

async fn export_to(store: &Store, selection: Selection, format: Format, path: &Path) -> u64 {
    let destination = Destination::File { path: path.to_path_buf(), overwrite: false };
    match export::from_store(store, selection, format, &destination, |_, _| {}).await {
        Ok(exported) => exported.rows,
        Err(err) => panic!("{err}"),
    }
}

/// Every row Python's csv module reads from `path`.
fn python_reads(path: &Path) -> Vec<Vec<String>> {
    let script = "import csv, json, sys\nwith open(sys.argv[1], newline='', encoding='utf-8') as f:\n    print(json.dumps(list(csv.reader(f))))";
    let output = std::process::Command::new("python3").args(["-c", script]).arg(path).output();
    let output = match output {
        Ok(output) => output,
        Err(err) => panic!("python3 is needed to read the CSV back (CI installs it): {err}"),
    };
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    match serde_json::from_slice(&output.stdout) {
        Ok(rows) => rows,
        Err(err) => panic!("{err}"),
    }
}

/// Every row of `selection`, as the store pages it for the screen.
async fn shown(store: &Store, query: SearchQuery) -> Vec<SearchHit> {
    let mut hits = Vec::new();
    loop {
        let page = match store.search(query.clone(), hits.len() as u64, 7).await {
            Ok(page) => page,
            Err(err) => panic!("{err}"),
        };
        let count = page.hits.len();
        hits.extend(page.hits);
        if count < 7 {
            return hits;
        }
    }
}

#[tokio::test]
async fn python_reads_the_csv_back_to_exactly_the_rows_and_formulas_are_neutralised() {
    let store = filled(true).await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // A payment's row carries its link's description and amount.
    let links: std::collections::HashMap<String, export::LinkCells> =
        shown(&store, SearchQuery::everything(Kinds::Links))
            .await
            .iter()
            .filter_map(|hit| match hit {
                SearchHit::Link(link) => Some((link.id.clone(), export::LinkCells::of(link))),
                SearchHit::Transaction(_) => None,
            })
            .collect();
    let link_of = |hit: &SearchHit| match hit {
        SearchHit::Transaction(txn) => txn.payment_link_id.as_ref().and_then(|id| links.get(id)),
        SearchHit::Link(_) => None,
    };
    let mut with_link = 0;
    for kinds in [Kinds::Links, Kinds::Transactions] {
        let path = dir.path().join(format!("{kinds:?}.csv"));
        let rows = export_to(&store, Selection::Filter(SearchQuery::everything(kinds)), Format::Csv, &path).await;
        let expected_hits = shown(&store, SearchQuery::everything(kinds)).await;
        assert_eq!(rows, expected_hits.len() as u64);
        with_link += expected_hits.iter().filter(|hit| link_of(hit).is_some()).count();
        let mut expected: Vec<Vec<String>> = vec![export::columns(kinds).iter().map(|c| c.to_string()).collect()];
        expected.extend(expected_hits.iter().map(|hit| {
            let values = export::values(hit, link_of(hit), kinds);
            values.iter().map(|v| pik_tui::sanitize::for_spreadsheet(v).into_owned()).collect()
        }));
        assert_eq!(python_reads(&path), expected, "{kinds:?}");
    }
    assert!(with_link > 0, "payments whose link is in the mirror");
    // Each formula reads back neutralised, and recognisable.
    let read = python_reads(&dir.path().join("Links.csv"));
    let description = read[0].iter().position(|c| c == "description").unwrap_or(usize::MAX);
    let cells: Vec<&String> = read.iter().filter_map(|row| row.get(description)).collect();
    for formula in FORMULA_CORPUS {
        assert!(!cells.iter().any(|c| c == formula), "{formula:?} raw");
        assert!(cells.iter().any(|c| **c == format!("'{formula}")), "{formula:?}: neutralised and recognisable");
    }
    // No raw escape or bidi character reaches the file.
    let bytes = std::fs::read_to_string(dir.path().join("Links.csv")).unwrap_or_default();
    assert!(!bytes.contains('\u{1b}') && !bytes.contains('\u{9b}') && !bytes.contains('\u{202e}'));
    assert!(bytes.contains("comma, \"\"quotes\"\" and\nnew lines"), "RFC 4180 quoting");
}

#[tokio::test]
async fn a_search_export_has_exactly_the_searchs_rows() {
    // The cases are written for the fixture alone.
    let store = filled(false).await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (i, (text, kinds, expected)) in SEARCH_CASES.iter().enumerate() {
        let query = SearchQuery::parse(text, *kinds);
        let path = dir.path().join(format!("search{i}.jsonl"));
        export_to(&store, Selection::Search(query.clone()), Format::Jsonl, &path).await;
        let lines = std::fs::read_to_string(&path).unwrap_or_default();
        let exported: Vec<String> = lines
            .lines()
            .map(|line| {
                serde_json::from_str::<serde_json::Value>(line).map(|v| v["id"].as_str().unwrap_or("").to_string())
            })
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{e}"));
        let searched: Vec<String> = shown(&store, query).await.iter().map(|h| h.id().to_string()).collect();
        assert_eq!(searched.len(), expected.len(), "{text:?}");
        assert_eq!(exported, searched, "{text:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_and_the_mirror_export_the_same_rows() {
    let sandbox = start(SandboxConfig {
        activity: false,
        speed: 0.0,
        rate_limit_per_sec: None,
        sizes: SeedSizes { links: 250, transactions: 700, webhooks: 1 },
        ..SandboxConfig::default()
    })
    .await;
    let client = client(&sandbox);
    let account = Account::new(&sandbox.base_url(), &ApiKey::new(sandbox::DEMO_KEY));
    let store = match Store::open(Place::Memory, &account) {
        Ok(opened) => opened.store,
        Err(err) => panic!("{err}"),
    };
    let (mut sync, _) = pik_tui::sync::Sync::new(client.clone(), store.clone(), Default::default());
    assert!(sync.catch_up().await.is_ok());
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut settled = SearchQuery::everything(Kinds::Transactions);
    settled.status = Some("settled".into());
    settled.from = Some(chrono::Utc::now() - chrono::Duration::days(12));
    let mut paid_links = SearchQuery::everything(Kinds::Links);
    paid_links.status = Some(LinkStatus::Paid.as_str().into());
    // PIK has no date filter for links: the window is applied as they come.
    let mut window = SearchQuery::everything(Kinds::Links);
    window.from = Some(chrono::Utc::now() - chrono::Duration::days(9));
    window.to = Some(chrono::Utc::now() - chrono::Duration::days(4));
    for (name, query) in [("settled", settled), ("paid", paid_links), ("links of five days", window)] {
        let mirror = dir.path().join(format!("{name}-mirror.csv"));
        let api = dir.path().join(format!("{name}-api.csv"));
        let rows = export_to(&store, Selection::Filter(query.clone()), Format::Csv, &mirror).await;
        let destination = Destination::File { path: api.clone(), overwrite: false };
        let from_api = export::from_api(&client, Selection::Filter(query), Format::Csv, &destination, |_, _| {}).await;
        assert_eq!(from_api.map(|e| e.rows).ok(), Some(rows));
        assert!(rows > 20, "{name}: {rows}");
        if name.starts_with("links") {
            assert!(rows < 250, "{name}: {rows} of 250: the window applies");
        }
        let sorted = |path: &Path| {
            let mut lines: Vec<String> =
                std::fs::read_to_string(path).unwrap_or_default().lines().map(str::to_string).collect();
            lines.sort();
            lines
        };
        assert_eq!(sorted(&mirror), sorted(&api), "{name}");
    }
    sandbox.shutdown().await;
}

fn pik_tui_command(store: &Path, args: &[&str]) -> std::process::Output {
    pik_tui_against("http://127.0.0.1:9/v1", "pik_test_exportkey000000001", store, args)
}

fn pik_tui_against(base_url: &str, key: &str, store: &Path, args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pik-tui"))
        .args(args)
        .arg("--store")
        .arg(store)
        .env("HOME", home.path())
        .env("PIK_API_KEY", key)
        .env("PIK_BASE_URL", base_url)
        .output();
    output.unwrap_or_else(|e| panic!("{e}"))
}

/// Finance's question: what was credited on a given day. The export by
/// settlement time for one local day of Europe/Berlin has exactly the
/// payments whose `settled_at` falls in it, as Python works it out with
/// its own time-zone database from the sandbox's truth; and each row
/// carries its link's description and amount.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_by_settlement_day_has_exactly_what_was_credited_that_local_day() {
    let sandbox = quiet_sandbox().await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store_path = dir.path().join("mirror.sqlite");
    let client = client(&sandbox);
    {
        let account = Account::new(&sandbox.base_url(), &ApiKey::new(sandbox::DEMO_KEY));
        let store = match Store::open(Place::File(store_path.clone()), &account) {
            Ok(opened) => opened.store,
            Err(err) => panic!("{err}"),
        };
        let (mut sync, _) = pik_tui::sync::Sync::new(client.clone(), store, Default::default());
        assert!(sync.catch_up().await.is_ok());
    }
    let (links, transactions) = truth(&client).await;
    let truth_path = dir.path().join("truth.json");
    let written = serde_json::to_vec(&serde_json::json!({"links": links, "transactions": transactions}));
    assert!(written.is_ok_and(|bytes| std::fs::write(&truth_path, bytes).is_ok()));
    // The local day with the most settlements (a fixed day before now
    // held too few of them at some times of day).
    let berlin = pik_tui::zone::Zone::bundled("Europe/Berlin").unwrap_or_default();
    let mut per_day: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for at in transactions.iter().filter_map(|t| t.settled_at) {
        *per_day.entry(berlin.date_of(at).to_string()).or_default() += 1;
    }
    let day = per_day.iter().max_by_key(|(_, n)| **n).map(|(day, _)| day.clone()).unwrap_or_default();
    let out = dir.path().join("settled.csv");
    let exported = pik_tui_against(
        &sandbox.base_url(),
        sandbox::DEMO_KEY,
        &store_path,
        &[
            "transactions",
            "export",
            "--offline",
            "--tz",
            "Europe/Berlin",
            "--date",
            "settled",
            "--from",
            &day,
            "--to",
            &day,
            "-o",
            &out.display().to_string(),
        ],
    );
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    let script = r#"
import csv, json, sys
from datetime import datetime
from zoneinfo import ZoneInfo
truth = json.load(open(sys.argv[1]))
berlin = ZoneInfo("Europe/Berlin")
def local_day(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(berlin).date().isoformat()
expected = {t["id"] for t in truth["transactions"] if t.get("settled_at") and local_day(t["settled_at"]) == sys.argv[3]}
links = {l["id"]: l for l in truth["links"]}
with open(sys.argv[2], newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
got = {r["id"] for r in rows}
assert got == expected, f"missing {sorted(expected - got)}, extra {sorted(got - expected)}"
for r in rows:
    link = links[r["payment_link_id"]]
    assert r["link_amount"] == link["amount"], (r["id"], r["link_amount"], link["amount"])
    assert r["link_description"].lstrip("'") == (link.get("description") or ""), r["id"]
print(len(rows))
"#;
    let output = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&truth_path)
        .arg(&out)
        .arg(&day)
        .output()
        .unwrap_or_else(|e| panic!("python3 is needed (CI installs it): {e}"));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let count: usize = String::from_utf8_lossy(&output.stdout).trim().parse().unwrap_or(0);
    assert!(count > 3, "a day of the seed has settlements: {count}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_export_command_keeps_an_existing_file_and_the_report_adds_up() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store_path = dir.path().join("mirror.sqlite");
    {
        let account = Account::new("http://127.0.0.1:9/v1", &ApiKey::new("pik_test_exportkey000000001"));
        let store = match Store::open(Place::File(store_path.clone()), &account) {
            Ok(opened) => opened.store,
            Err(err) => panic!("{err}"),
        };
        let (links, transactions) = search_fixture();
        assert!(store.save(Batch { links, transactions, ..Batch::default() }).await.is_ok());
    }
    let out = dir.path().join("out.csv");
    assert!(std::fs::write(&out, "keep me").is_ok());
    let out_text = out.display().to_string();
    let refused = pik_tui_command(&store_path, &["transactions", "export", "--offline", "-o", &out_text]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--overwrite"));
    assert_eq!(std::fs::read_to_string(&out).ok().as_deref(), Some("keep me"));
    let replaced =
        pik_tui_command(&store_path, &["transactions", "export", "--offline", "-o", &out_text, "--overwrite"]);
    assert!(replaced.status.success(), "{}", String::from_utf8_lossy(&replaced.stderr));
    assert!(String::from_utf8_lossy(&replaced.stdout).starts_with("wrote "));
    let (_, transactions) = search_fixture();
    assert_eq!(python_reads(&out).len(), transactions.len() + 1);
    // The report's JSON against the fixture summed here.
    let report =
        pik_tui_command(&store_path, &["report", "--from", "2000-01-01", "--to", "2100-01-01", "--offline", "--json"]);
    assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
    let value: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap_or_default();
    let mut expected: std::collections::BTreeMap<(String, String), (u64, rust_decimal::Decimal)> = Default::default();
    for txn in &transactions {
        let entry = expected.entry((txn.currency.clone(), txn.status.as_str().to_string())).or_default();
        entry.0 += 1;
        entry.1 += txn.amount;
    }
    let got: std::collections::BTreeMap<(String, String), (u64, rust_decimal::Decimal)> = value["lines"]
        .as_array()
        .map(|lines| {
            lines
                .iter()
                .map(|l| {
                    let key = (
                        l["currency"].as_str().unwrap_or("").to_string(),
                        l["status"].as_str().unwrap_or("").to_string(),
                    );
                    (key, (l["count"].as_u64().unwrap_or(0), dec(l["amount"].as_str().unwrap_or("x"))))
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(got, expected);
    let _: Vec<Transaction> = transactions;
}
