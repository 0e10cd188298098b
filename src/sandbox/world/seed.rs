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
        // Paid links first: each gets the settled transaction that paid it.
        let paid: Vec<usize> = (0..self.links.len()).filter(|&i| self.links[i].status == status::PAID).collect();
        let mut made = 0;
        for index in paid {
            if made >= count {
                break;
            }
            let created_at = self.links[index].created_at + self.seconds_between(60, 3 * 3600);
            let created_at = created_at.min(now - SimDuration::minutes(30));
            let mut txn = self.make_transaction(index, created_at);
            let confirmed = created_at + self.seconds_between(30, 600);
            let settled = confirmed + self.seconds_between(300, 1200);
            txn.status = status::SETTLED.to_string();
            txn.tx_hash = Some(self.new_tx_hash(&txn.currency));
            txn.confirmed_at = Some(confirmed);
            txn.settled_at = Some(settled);
            self.links[index].paid_at = Some(settled);
            self.transactions.push(txn);
            made += 1;
        }
        made += self.seed_stuck(now, count - made);
        // The rest: failed attempts anywhere, and payments on active links,
        // some of them still in progress so the demo moves from the start.
        while made < count {
            let index = self.rng.usize(..self.links.len());
            let link_created = self.links[index].created_at;
            let active = self.links[index].status == status::ACTIVE;
            let roll = self.rng.u8(..100);
            let (state, created_at) = if active && roll < 6 {
                (status::PENDING, now - self.seconds_between(5, 300))
            } else if active && roll < 10 {
                (status::CONFIRMED, now - self.seconds_between(60, 900))
            } else if roll < 40 {
                let window = (now - link_created).num_seconds().max(120);
                (status::FAILED, link_created + SimDuration::seconds(self.rng.i64(60..=window)))
            } else {
                let window = (now - link_created).num_seconds().max(3600);
                (status::SETTLED, link_created + SimDuration::seconds(self.rng.i64(60..=window - 1800).max(60)))
            };
            let created_at = created_at.max(link_created).min(now);
            let mut txn = self.make_transaction(index, created_at);
            txn.status = state.to_string();
            match state {
                status::PENDING => {
                    txn.plan = Some(self.plan_for_pending(now));
                }
                status::CONFIRMED => {
                    txn.tx_hash = Some(self.new_tx_hash(&txn.currency));
                    txn.confirmed_at = Some(created_at + self.seconds_between(10, 60));
                    txn.plan = Some(Plan::Settle(now + self.seconds_between(60, 600)));
                }
                status::SETTLED => {
                    let confirmed = created_at + self.seconds_between(30, 600);
                    txn.tx_hash = Some(self.new_tx_hash(&txn.currency));
                    txn.confirmed_at = Some(confirmed);
                    txn.settled_at = Some((confirmed + self.seconds_between(300, 1200)).min(now));
                }
                _ => {}
            }
            self.transactions.push(txn);
            made += 1;
        }
        self.transactions.sort_by_key(|txn| txn.created_at);
        self.reindex_transactions();
    }
}

impl World {
    /// A few payments stuck, as real accounts have, so the Overview has
    /// something that needs attention: pending for 47 minutes, confirmed
    /// 2 h 30 min ago and never credited, and one pending on a link that
    /// has expired since. Without a plan they stay as they are. Returns how
    /// many it made (at most `room`).
    fn seed_stuck(&mut self, now: DateTime<Utc>, room: usize) -> usize {
        // Links old enough for the payment's age.
        let old = now - SimDuration::hours(3);
        let newest =
            |world: &World, state: &str| world.links.iter().rposition(|l| l.status == state && l.created_at <= old);
        let mut made = 0;
        if let Some(active) = newest(self, status::ACTIVE).filter(|_| made < room) {
            let created_at = now - SimDuration::minutes(47);
            let txn = self.make_transaction(active, created_at);
            self.transactions.push(txn);
            made += 1;
        }
        if let Some(active) = newest(self, status::ACTIVE).filter(|_| made < room) {
            let created_at = now - SimDuration::minutes(160);
            let mut txn = self.make_transaction(active, created_at);
            txn.status = status::CONFIRMED.to_string();
            txn.tx_hash = Some(self.new_tx_hash(&txn.currency));
            txn.confirmed_at = Some(created_at + SimDuration::minutes(10));
            self.transactions.push(txn);
            made += 1;
        }
        if let Some(expired) = newest(self, status::EXPIRED).filter(|_| made < room) {
            let created_at = now - SimDuration::minutes(70);
            self.links[expired].expires_at = Some(created_at + SimDuration::minutes(10));
            let txn = self.make_transaction(expired, created_at);
            self.transactions.push(txn);
            made += 1;
        }
        made
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
}
