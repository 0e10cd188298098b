//! The sandbox's data and its simulated life, as plain data behind one
//! mutex; nothing here does I/O. The HTTP layer reads and changes it, and
//! the ticker calls [`World::step`]. Split by concern: the clock, the
//! records (`model`), the seed data, the simulation and webhook deliveries.

mod clock;
mod deliveries;
mod model;
mod seed;
mod simulation;

pub use clock::{SimClock, wire_time};
pub use deliveries::DELIVERY_RETRY_DELAYS_SECS;
pub use model::{
    Delivery, DeliveryResult, DeliveryState, DueDelivery, EVENTS, Link, Outcome, Plan, Transaction, Webhook, status,
};
pub use seed::SeedSizes;

use chrono::{DateTime, Duration as SimDuration, SubsecRound, Utc};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Mean times of the simulated activity, in simulated seconds.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    pub new_payment_every: f64,
    pub new_link_every: f64,
}

impl Default for Pace {
    fn default() -> Self {
        Self { new_payment_every: 30.0, new_link_every: 120.0 }
    }
}

pub struct World {
    pub clock: SimClock,
    rng: fastrand::Rng,
    /// Oldest first; lists read it backwards (newest first).
    links: Vec<Link>,
    link_index: HashMap<String, usize>,
    transactions: Vec<Transaction>,
    transaction_index: HashMap<String, usize>,
    pub webhooks: Vec<Webhook>,
    pub deliveries: Vec<Delivery>,
    next_delivery_id: u64,
    pub activity: bool,
    pace: Pace,
    next_payment_at: DateTime<Utc>,
    next_link_at: DateTime<Utc>,
    checkout_base: String,
}

impl World {
    pub fn new(seed: u64, sizes: SeedSizes, speed: f64, activity: bool, checkout_base: &str) -> Self {
        let now = Utc::now().trunc_subsecs(0);
        let mut world = World {
            clock: SimClock::new(now, speed),
            rng: fastrand::Rng::with_seed(seed),
            links: Vec::new(),
            link_index: HashMap::new(),
            transactions: Vec::new(),
            transaction_index: HashMap::new(),
            webhooks: Vec::new(),
            deliveries: Vec::new(),
            next_delivery_id: 1,
            activity,
            pace: Pace::default(),
            next_payment_at: now,
            next_link_at: now,
            checkout_base: checkout_base.trim_end_matches('/').to_string(),
        };
        world.seed(now, sizes);
        world.next_payment_at = now + world.random_interval(world.pace.new_payment_every);
        world.next_link_at = now + world.random_interval(world.pace.new_link_every);
        world
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn set_pace(&mut self, pace: Pace) {
        self.pace = pace;
        let now = self.now();
        self.next_payment_at = now + self.random_interval(pace.new_payment_every);
        self.next_link_at = now + self.random_interval(pace.new_link_every);
    }

    pub fn new_id(&mut self, prefix: &str) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let tail: String = (0..12).map(|_| ALPHABET[self.rng.usize(..ALPHABET.len())] as char).collect();
        format!("{prefix}{tail}")
    }

    pub fn new_secret(&mut self) -> String {
        let bytes: Vec<u8> = (0..24).map(|_| self.rng.u8(..)).collect();
        format!("whsec_{}", hex::encode(bytes))
    }

    /// A hash shaped as the currency's chain writes it: 64 hex digits on
    /// Bitcoin, `0x` and 64 on Ethereum (and its tokens).
    pub(super) fn new_tx_hash(&mut self, currency: &str) -> String {
        let bytes: Vec<u8> = (0..32).map(|_| self.rng.u8(..)).collect();
        if currency == "BTC" { hex::encode(bytes) } else { format!("0x{}", hex::encode(bytes)) }
    }

    /// An exponentially distributed wait with the given mean (a Poisson
    /// process), so activity arrives irregularly, as real payments do.
    pub(super) fn random_interval(&mut self, mean_secs: f64) -> SimDuration {
        let uniform = self.rng.f64().max(1e-9);
        let secs = (-uniform.ln() * mean_secs).clamp(1.0, mean_secs * 10.0);
        SimDuration::milliseconds((secs * 1000.0) as i64)
    }

    pub(super) fn seconds_between(&mut self, low: i64, high: i64) -> SimDuration {
        SimDuration::seconds(self.rng.i64(low..=high))
    }

    pub fn checkout_url(&self, id: &str) -> String {
        format!("{}/{id}", self.checkout_base)
    }

    /// A new active link (not yet stored). Links expire a day after creation.
    pub fn make_link(
        &mut self,
        amount: Decimal,
        currency: String,
        description: Option<String>,
        created_at: DateTime<Utc>,
    ) -> Link {
        let id = self.new_id("pl_");
        Link {
            url: self.checkout_url(&id),
            id,
            amount,
            currency,
            description,
            status: status::ACTIVE.to_string(),
            created_at,
            paid_at: None,
            expires_at: Some(created_at + SimDuration::hours(24)),
        }
    }

    pub(super) fn make_transaction(&mut self, link_index: usize, created_at: DateTime<Utc>) -> Transaction {
        let link = &self.links[link_index];
        let (link_id, amount, currency) = (link.id.clone(), link.amount, link.currency.clone());
        Transaction {
            id: self.new_id("txn_"),
            payment_link_id: link_id,
            amount,
            currency,
            status: status::PENDING.to_string(),
            tx_hash: None,
            created_at,
            confirmed_at: None,
            settled_at: None,
            plan: None,
        }
    }

    /// Stores a link in creation order (planted links may be back-dated).
    pub fn insert_link(&mut self, link: Link) -> usize {
        let at = self.links.partition_point(|l| l.created_at <= link.created_at);
        self.links.insert(at, link);
        if at + 1 == self.links.len() {
            let id = self.links[at].id.clone();
            self.link_index.insert(id, at);
        } else {
            self.reindex_links();
        }
        at
    }

    pub fn insert_transaction(&mut self, txn: Transaction) -> usize {
        let at = self.transactions.partition_point(|t| t.created_at <= txn.created_at);
        self.transactions.insert(at, txn);
        if at + 1 == self.transactions.len() {
            let id = self.transactions[at].id.clone();
            self.transaction_index.insert(id, at);
        } else {
            self.reindex_transactions();
        }
        at
    }

    pub(super) fn reindex_transactions(&mut self) {
        self.transaction_index = self.transactions.iter().enumerate().map(|(i, t)| (t.id.clone(), i)).collect();
    }

    pub(super) fn reindex_links(&mut self) {
        self.link_index = self.links.iter().enumerate().map(|(i, l)| (l.id.clone(), i)).collect();
    }

    pub fn links(&self) -> &[Link] {
        &self.links
    }

    pub fn transactions(&self) -> &[Transaction] {
        &self.transactions
    }

    pub fn link(&self, id: &str) -> Option<&Link> {
        self.link_index.get(id).map(|&i| &self.links[i])
    }

    pub fn link_mut(&mut self, id: &str) -> Option<&mut Link> {
        self.link_index.get(id).map(|&i| &mut self.links[i])
    }

    pub fn transaction(&self, id: &str) -> Option<&Transaction> {
        self.transaction_index.get(id).map(|&i| &self.transactions[i])
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn world(seed: u64) -> World {
        World::new(
            seed,
            SeedSizes { links: 300, transactions: 1000, webhooks: 3 },
            1.0,
            false,
            "https://pay.pik.global",
        )
    }
}
