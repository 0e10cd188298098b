//! The seeded demo data: links over the last 30 days in every status, the
//! transactions that paid them or failed, some still in progress, and a few
//! webhooks. Deterministic for a seed.

use super::World;
use super::model::{EVENTS, Plan, Webhook, status};
use chrono::{DateTime, Duration as SimDuration, Utc};
use rust_decimal::Decimal;

/// How many of each item the seeded demo data holds.
#[derive(Debug, Clone, Copy)]
pub struct SeedSizes {
    pub links: usize,
    pub transactions: usize,
    pub webhooks: usize,
}

const DESCRIPTIONS: &[&str] = &[
    "Order #{n}",
    "Invoice {n}",
    "Subscription – {m}",
    "Consulting, {m}",
    "Donation",
    "Hosting renewal #{n}",
    "Ticket {n} – Berlin",
    "Café order {n}",
];
const MONTHS: &[&str] = &["January", "February", "March", "April", "May", "June"];
const SEED_WEBHOOKS: &[(&str, &[&str], &str)] = &[
    ("https://merchant.example.com/pik/webhooks", EVENTS, status::ACTIVE),
    ("https://hooks.example.org/payments", &["payment.settled"], status::ACTIVE),
    ("https://old.example.net/hook", &["payment.confirmed", "payment.failed"], status::DISABLED),
];

impl World {
    pub(super) fn random_amount(&mut self, currency: &str) -> Decimal {
        match currency {
            "BTC" => Decimal::new(self.rng.i64(10_000..5_000_000), 8).normalize(),
            "ETH" => Decimal::new(self.rng.i64(100..300_000), 5).normalize(),
            _ => {
                let cents = self.rng.i64(1..=2_500) * 100 + [0, 0, 50, 99][self.rng.usize(..4)];
                Decimal::new(cents, 2)
            }
        }
    }

    pub(super) fn random_description(&mut self) -> Option<String> {
        if self.rng.u8(..10) < 2 {
            return None;
        }
        let template = DESCRIPTIONS[self.rng.usize(..DESCRIPTIONS.len())];
        let n = self.rng.u32(1000..9999).to_string();
        let month = MONTHS[self.rng.usize(..MONTHS.len())];
        Some(template.replace("{n}", &n).replace("{m}", month))
    }

    pub(super) fn random_currency(&mut self) -> &'static str {
        // Stablecoins dominate real payment traffic.
        ["USDT", "USDT", "USDT", "USDC", "USDC", "BTC", "ETH"][self.rng.usize(..7)]
    }

    pub(super) fn seed(&mut self, now: DateTime<Utc>, sizes: SeedSizes) {
        let span = SimDuration::days(30).num_seconds();
        for i in 0..sizes.links {
            // Spread over the last 30 days, oldest first.
            let age = span - span * i as i64 / sizes.links.max(1) as i64 + self.rng.i64(0..600);
            let created_at = now - SimDuration::seconds(age.max(60));
            let currency = self.random_currency();
            let amount = self.random_amount(currency);
            let description = self.random_description();
            let roll = self.rng.u8(..100);
            let status = match roll {
                0..35 => status::ACTIVE,
                35..75 => status::PAID,
                75..90 => status::EXPIRED,
                _ => status::DEACTIVATED,
            };
            let mut link = self.make_link(amount, currency.to_string(), description, created_at);
            link.status = status.to_string();
            if status != status::ACTIVE {
                link.expires_at = None;
            } else if link.expires_at.is_some_and(|t| t <= now) {
                // An old active link gets a longer life, so the demo has some.
                link.expires_at = Some(now + self.seconds_between(3600, 7 * 86400));
            }
            self.links.push(link);
        }
        // Sorted and indexed once: inserting each in order would rebuild the
        // index per out-of-order item, quadratic for a large seed.
        self.links.sort_by_key(|link| link.created_at);
        self.reindex_links();
        self.seed_transactions(now, sizes.transactions);
        for (i, (url, events, state)) in SEED_WEBHOOKS.iter().cycle().take(sizes.webhooks).enumerate() {
            let id = self.new_id("wh_");
            let secret = self.new_secret();
            self.webhooks.push(Webhook {
                id,
                url: (*url).to_string(),
                events: events.iter().map(|e| e.to_string()).collect(),
                status: (*state).to_string(),
                created_at: now - SimDuration::days(40 - i as i64),
                secret,
            });
        }
    }

    fn seed_transactions(&mut self, now: DateTime<Utc>, count: usize) {
        if self.links.is_empty() {
            return;
        }
        // Paid links first: each gets the settled payment that paid it, of
        // exactly its amount, as nearly every order is.
        let paid: Vec<usize> = (0..self.links.len()).filter(|&i| self.links[i].status == status::PAID).collect();
        let mut payments: Vec<(usize, usize)> = Vec::new();
        for index in paid {
            if self.transactions.len() >= count {
                break;
            }
            let created_at = self.links[index].created_at + self.seconds_between(60, 3 * 3600);
            let created_at = created_at.min(now - SimDuration::minutes(30));
            let confirmed = created_at + self.seconds_between(30, 600);
            let settled = confirmed + self.seconds_between(300, 1200);
            let txn = self.settled(index, created_at, confirmed, settled);
            self.links[index].paid_at = Some(settled);
            payments.push((index, self.transactions.len()));
            self.transactions.push(txn);
        }
        self.seed_cases(now, count, &payments);
        // The rest: a dozen payments under way, each on its own recent
        // active link, so the demo moves from the start; then failed
        // attempts before a paid link's payment (the customer tried again,
        // and it went through: no case).
        let busy: std::collections::HashSet<String> =
            self.transactions.iter().map(|t| t.payment_link_id.clone()).collect();
        let mut under_way: Vec<usize> = (0..self.links.len())
            .rev()
            .filter(|&i| self.links[i].status == status::ACTIVE && !busy.contains(&self.links[i].id))
            .take(12)
            .collect();
        while self.transactions.len() < count {
            if let Some(index) = under_way.pop() {
                let pending = under_way.len().is_multiple_of(2);
                let created_at = now - self.seconds_between(5, if pending { 300 } else { 900 });
                let created_at = created_at.max(self.links[index].created_at).min(now);
                let mut txn = self.make_transaction(index, created_at);
                if pending {
                    txn.plan = Some(self.plan_for_pending(now));
                } else {
                    txn.status = status::CONFIRMED.to_string();
                    txn.tx_hash = Some(self.new_tx_hash(&txn.currency));
                    txn.confirmed_at = Some((created_at + self.seconds_between(10, 60)).min(now));
                    txn.plan = Some(Plan::Settle(now + self.seconds_between(60, 600)));
                }
                self.transactions.push(txn);
                continue;
            }
            let Some(&(index, at)) = payments.get(self.rng.usize(..payments.len().max(1))) else { break };
            let (link_created, paid_created) = (self.links[index].created_at, self.transactions[at].created_at);
            let window = (paid_created - link_created).num_seconds().max(1);
            let created_at = link_created + SimDuration::seconds(self.rng.i64(0..window));
            let mut txn = self.make_transaction(index, created_at);
            txn.status = status::FAILED.to_string();
            self.transactions.push(txn);
        }
        self.transactions.sort_by_key(|txn| txn.created_at);
        self.reindex_transactions();
    }

    /// A settled payment of the link's amount.
    fn settled(
        &mut self,
        index: usize,
        created_at: DateTime<Utc>,
        confirmed: DateTime<Utc>,
        settled: DateTime<Utc>,
    ) -> super::model::Transaction {
        let mut txn = self.make_transaction(index, created_at);
        txn.status = status::SETTLED.to_string();
        txn.tx_hash = Some(self.new_tx_hash(&txn.currency));
        txn.confirmed_at = Some(confirmed);
        txn.settled_at = Some(settled);
        txn
    }
}

impl World {
    /// What goes wrong in a real account, a few of each, so the demo shows
    /// every kind of case: a payment pending for 47 minutes, one confirmed
    /// 2 h 40 min ago and never credited, one pending on a link that has
    /// expired since; orders paid short, paid over and paid twice (from the
    /// paid links' `payments`: link, payment); a payment on an expired link;
    /// failures on an expired link nobody paid. Stays within `count`.
    fn seed_cases(&mut self, now: DateTime<Utc>, count: usize, payments: &[(usize, usize)]) {
        // Links old enough for the payment's age.
        let old = now - SimDuration::hours(3);
        let newest = |world: &World, state: &str, skip: usize| {
            world
                .links
                .iter()
                .enumerate()
                .rev()
                .filter(|(_, l)| l.status == state && l.created_at <= old)
                .nth(skip)
                .map(|(i, _)| i)
        };
        let room = |world: &World| world.transactions.len() < count;
        if let Some(active) = newest(self, status::ACTIVE, 0).filter(|_| room(self)) {
            let txn = self.make_transaction(active, now - SimDuration::minutes(47));
            self.transactions.push(txn);
        }
        if let Some(active) = newest(self, status::ACTIVE, 1).filter(|_| room(self)) {
            let created_at = now - SimDuration::minutes(160);
            let mut txn = self.make_transaction(active, created_at);
            txn.status = status::CONFIRMED.to_string();
            txn.tx_hash = Some(self.new_tx_hash(&txn.currency));
            txn.confirmed_at = Some(created_at + SimDuration::minutes(10));
            self.transactions.push(txn);
        }
        if let Some(expired) = newest(self, status::EXPIRED, 0).filter(|_| room(self)) {
            let created_at = now - SimDuration::minutes(70);
            self.links[expired].expires_at = Some(created_at + SimDuration::minutes(10));
            let txn = self.make_transaction(expired, created_at);
            self.transactions.push(txn);
        }
        // Paid short (98.8 %: "I sent 74.10 of 75") and paid over, twice each.
        for (nth, share) in [(1, "0.988"), (3, "0.9"), (5, "1.012"), (7, "1.5")] {
            let Some(&(index, at)) = payments.iter().rev().nth(nth) else { continue };
            let amount = self.links[index].amount;
            let share: Decimal = share.parse().unwrap_or(Decimal::ONE);
            let paid = (amount * share).round_dp(amount.scale());
            if paid > Decimal::ZERO {
                self.transactions[at].amount = paid;
            }
        }
        // Paid twice: the same order paid again 20 minutes later.
        for nth in [9, 11] {
            let Some(&(index, at)) = payments.iter().rev().nth(nth) else { continue };
            if !room(self) {
                break;
            }
            let first = self.transactions[at].clone();
            let later = |t: DateTime<Utc>| (t + SimDuration::minutes(20)).min(now);
            let again = self.settled(
                index,
                later(first.created_at),
                later(first.confirmed_at.unwrap_or(first.created_at)),
                later(first.settled_at.unwrap_or(first.created_at)),
            );
            self.transactions.push(again);
        }
        // Paid late: a payment on a link that had expired.
        for skip in [1, 2] {
            let Some(expired) = newest(self, status::EXPIRED, skip).filter(|_| room(self)) else { continue };
            let created_at = now - SimDuration::hours(2 + skip as i64);
            let txn = self.settled(
                expired,
                created_at,
                created_at + SimDuration::minutes(3),
                created_at + SimDuration::minutes(15),
            );
            self.transactions.push(txn);
        }
        // Failed, never paid: two attempts on a link that then expired.
        if let Some(expired) = newest(self, status::EXPIRED, 3) {
            for minutes in [200, 190] {
                if room(self) {
                    let mut txn = self.make_transaction(expired, now - SimDuration::minutes(minutes));
                    txn.status = status::FAILED.to_string();
                    self.transactions.push(txn);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::world;
    use super::*;

    #[test]
    fn seeding_is_deterministic_and_complete() {
        let (a, b) = (world(7), world(7));
        let ids = |w: &World| w.links().iter().map(|l| l.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&a), ids(&b));
        assert_ne!(ids(&a), ids(&world(8)));
        assert_eq!(a.links().len(), 300);
        assert_eq!(a.transactions().len(), 1000);
        assert_eq!(a.webhooks.len(), 3);
        for state in status::LINK {
            assert!(a.links().iter().any(|l| l.status == *state), "no {state} link");
        }
        for state in status::TRANSACTION {
            assert!(a.transactions().iter().any(|t| t.status == *state), "no {state} transaction");
        }
        for currency in ["USDT", "USDC", "BTC", "ETH"] {
            assert!(a.links().iter().any(|l| l.currency == currency), "no {currency} link");
        }
        // Every paid link has its settled payment, and nothing is from the future.
        let now = a.now();
        for link in a.links().iter().filter(|l| l.status == status::PAID) {
            assert!(link.paid_at.is_some());
        }
        assert!(a.transactions().iter().all(|t| t.created_at <= now && a.link(&t.payment_link_id).is_some()));
    }

    /// The seed as the API shows it.
    fn as_api(w: &World) -> (Vec<crate::api::PaymentLink>, Vec<crate::api::Transaction>) {
        fn convert<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
            serde_json::from_value(value).unwrap_or_else(|e| panic!("{e}"))
        }
        (convert(serde_json::json!(w.links())), convert(serde_json::json!(w.transactions())))
    }

    #[test]
    fn the_seed_holds_every_kind_of_case_and_little_noise() {
        use crate::cases::CaseKind;
        let w = world(7);
        let (links, transactions) = as_api(&w);
        let cases = crate::test_support::judged(&links, &transactions, w.now());
        for kind in CaseKind::ALL {
            assert!(cases.iter().any(|c| c.kind == kind), "no {kind:?} case in the demo: {cases:?}");
        }
        assert!(cases.len() <= 20, "a few cases, not noise: {}", cases.len());
        // Most payments are exact: the failures are retries that went through.
        let failed = transactions.iter().filter(|t| t.status == crate::api::TransactionStatus::Failed).count();
        assert!(failed > 100, "the seed's failed attempts: {failed}");
    }
}
