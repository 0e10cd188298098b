//! The sandbox's data and its simulated life: links, transactions, webhooks,
//! pending webhook deliveries, and a clock that can run faster than real time.
//!
//! Everything here is plain data behind one mutex; nothing here does I/O.
//! The HTTP layer reads and changes it, and the ticker calls [`World::step`].

use chrono::{DateTime, Duration as SimDuration, SubsecRound, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;
use std::time::Instant;

/// The documented statuses, kept as text so that test controls can plant
/// values PIK does not document (`cancelled`) to test clients.
pub mod status {
    pub const ACTIVE: &str = "active";
    pub const PAID: &str = "paid";
    pub const EXPIRED: &str = "expired";
    pub const DEACTIVATED: &str = "deactivated";
    pub const LINK: &[&str] = &[ACTIVE, PAID, EXPIRED, DEACTIVATED];

    pub const PENDING: &str = "pending";
    pub const CONFIRMED: &str = "confirmed";
    pub const SETTLED: &str = "settled";
    pub const FAILED: &str = "failed";
    pub const TRANSACTION: &[&str] = &[PENDING, CONFIRMED, SETTLED, FAILED];

    pub const DISABLED: &str = "disabled";
}

pub const EVENTS: &[&str] = &["payment.confirmed", "payment.settled", "payment.failed"];

/// The documented retry schedule after a failed delivery: 5 min, 30 min,
/// 2 h, 8 h, 24 h. The sixth failure leaves the event undelivered.
pub const DELIVERY_RETRY_DELAYS_SECS: [i64; 5] = [5 * 60, 30 * 60, 2 * 3600, 8 * 3600, 24 * 3600];

/// Deliveries kept for `/_sandbox/deliveries`; the oldest finished ones go.
const MAX_DELIVERIES_KEPT: usize = 10_000;

/// Times go on the wire with whole seconds, as in PIK's examples.
pub mod wire_time {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::Serializer;

    pub fn serialize<S: Serializer>(time: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&time.to_rfc3339_opts(SecondsFormat::Secs, true))
    }

    pub mod option {
        use super::*;
        pub fn serialize<S: Serializer>(time: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
            match time {
                Some(time) => super::serialize(time, serializer),
                None => serializer.serialize_none(),
            }
        }
    }
}

/// A clock that runs `speed` times faster than real time, plus any manual
/// advances. Simulated time never goes backwards.
#[derive(Debug, Clone)]
pub struct SimClock {
    origin_real: Instant,
    origin_sim: DateTime<Utc>,
    speed: f64,
    advanced: SimDuration,
}

impl SimClock {
    pub fn new(origin_sim: DateTime<Utc>, speed: f64) -> Self {
        let speed = if speed.is_finite() && speed >= 0.0 { speed } else { 1.0 };
        Self { origin_real: Instant::now(), origin_sim, speed, advanced: SimDuration::zero() }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let real = self.origin_real.elapsed().mul_f64(self.speed);
        let scaled = SimDuration::from_std(real).unwrap_or(SimDuration::zero());
        self.origin_sim + scaled + self.advanced
    }

    pub fn advance(&mut self, by: SimDuration) {
        if by > SimDuration::zero() {
            self.advanced += by;
        }
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub id: String,
    pub url: String,
    pub amount: Decimal,
    pub currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub status: String,
    #[serde(with = "wire_time")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "wire_time::option", skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<DateTime<Utc>>,
    /// When an active link expires by itself. Internal: the reference does not
    /// document an expiry field.
    #[serde(skip)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// What will happen to a transaction next, in simulated time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Plan {
    Confirm(DateTime<Utc>),
    Settle(DateTime<Utc>),
    Fail(DateTime<Utc>),
}

impl Plan {
    fn due(self) -> DateTime<Utc> {
        match self {
            Plan::Confirm(t) | Plan::Settle(t) | Plan::Fail(t) => t,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Transaction {
    pub id: String,
    pub payment_link_id: String,
    pub amount: Decimal,
    pub currency: String,
    pub status: String,
    pub tx_hash: Option<String>,
    #[serde(with = "wire_time")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "wire_time::option")]
    pub confirmed_at: Option<DateTime<Utc>>,
    #[serde(with = "wire_time::option")]
    pub settled_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub plan: Option<Plan>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub status: String,
    #[serde(with = "wire_time")]
    pub created_at: DateTime<Utc>,
    /// Returned once, by the create handler; never serialized with the rest.
    #[serde(skip)]
    pub secret: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Pending,
    InFlight,
    Delivered,
    Undelivered,
    /// Not attempted: the sandbox only delivers to this machine.
    Skipped,
}

/// One event on its way to one webhook. The control endpoint shows these.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub id: u64,
    pub webhook_id: String,
    pub event_id: String,
    pub event: String,
    pub url: String,
    pub attempts: u32,
    pub state: DeliveryState,
    #[serde(with = "wire_time")]
    pub next_attempt_at: DateTime<Utc>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    #[serde(skip)]
    pub body: String,
    #[serde(skip)]
    pub secret: String,
}

/// A delivery the ticker should attempt now.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: u64,
    pub url: String,
    pub body: String,
    pub secret: String,
}

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

    fn new_tx_hash(&mut self) -> String {
        let bytes: Vec<u8> = (0..32).map(|_| self.rng.u8(..)).collect();
        format!("0x{}", hex::encode(bytes))
    }

    /// An exponentially distributed wait with the given mean (a Poisson
    /// process), so activity arrives irregularly, as real payments do.
    fn random_interval(&mut self, mean_secs: f64) -> SimDuration {
        let uniform = self.rng.f64().max(1e-9);
        let secs = (-uniform.ln() * mean_secs).clamp(1.0, mean_secs * 10.0);
        SimDuration::milliseconds((secs * 1000.0) as i64)
    }

    fn seconds_between(&mut self, low: i64, high: i64) -> SimDuration {
        SimDuration::seconds(self.rng.i64(low..=high))
    }

    pub fn checkout_url(&self, id: &str) -> String {
        format!("{}/{id}", self.checkout_base)
    }

    fn random_amount(&mut self, currency: &str) -> Decimal {
        match currency {
            "BTC" => Decimal::new(self.rng.i64(10_000..5_000_000), 8).normalize(),
            "ETH" => Decimal::new(self.rng.i64(100..300_000), 5).normalize(),
            _ => {
                let cents = self.rng.i64(1..=2_500) * 100 + [0, 0, 50, 99][self.rng.usize(..4)];
                Decimal::new(cents, 2)
            }
        }
    }

    fn random_description(&mut self) -> Option<String> {
        if self.rng.u8(..10) < 2 {
            return None;
        }
        let template = DESCRIPTIONS[self.rng.usize(..DESCRIPTIONS.len())];
        let n = self.rng.u32(1000..9999).to_string();
        let month = MONTHS[self.rng.usize(..MONTHS.len())];
        Some(template.replace("{n}", &n).replace("{m}", month))
    }

    fn random_currency(&mut self) -> &'static str {
        // Stablecoins dominate real payment traffic.
        ["USDT", "USDT", "USDT", "USDC", "USDC", "BTC", "ETH"][self.rng.usize(..7)]
    }

    fn seed(&mut self, now: DateTime<Utc>, sizes: SeedSizes) {
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
            txn.tx_hash = Some(self.new_tx_hash());
            txn.confirmed_at = Some(confirmed);
            txn.settled_at = Some(settled);
            self.links[index].paid_at = Some(settled);
            self.transactions.push(txn);
            made += 1;
        }
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
                    txn.tx_hash = Some(self.new_tx_hash());
                    txn.confirmed_at = Some(created_at + self.seconds_between(10, 60));
                    txn.plan = Some(Plan::Settle(now + self.seconds_between(60, 600)));
                }
                status::SETTLED => {
                    let confirmed = created_at + self.seconds_between(30, 600);
                    txn.tx_hash = Some(self.new_tx_hash());
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

    /// A new pending payment either confirms or, less often, fails.
    fn plan_for_pending(&mut self, now: DateTime<Utc>) -> Plan {
        if self.rng.u8(..100) < 10 {
            Plan::Fail(now + self.seconds_between(60, 300))
        } else {
            Plan::Confirm(now + self.seconds_between(15, 90))
        }
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

    fn make_transaction(&mut self, link_index: usize, created_at: DateTime<Utc>) -> Transaction {
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

    fn reindex_transactions(&mut self) {
        self.transaction_index = self.transactions.iter().enumerate().map(|(i, t)| (t.id.clone(), i)).collect();
    }

    fn reindex_links(&mut self) {
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

    /// Starts a payment on a link now. With `outcome`, the payment runs
    /// through at once (test control); without, it follows the simulation.
    pub fn start_payment(&mut self, link_id: &str, outcome: Option<Outcome>) -> Option<Transaction> {
        let index = *self.link_index.get(link_id)?;
        let now = self.now();
        let mut txn = self.make_transaction(index, now);
        txn.plan = Some(self.plan_for_pending(now));
        let at = self.insert_transaction(txn);
        match outcome {
            Some(Outcome::Settle) => {
                self.apply(at, Plan::Confirm(now));
                self.apply(at, Plan::Settle(now));
            }
            Some(Outcome::Fail) => self.apply(at, Plan::Fail(now)),
            None => {}
        }
        Some(self.transactions[at].clone())
    }

    /// Runs the simulation up to the clock's now: due status changes, new
    /// payments and links, link expiry. Returns the deliveries to attempt.
    pub fn step(&mut self) -> Vec<DueDelivery> {
        let now = self.now();
        // Bounded catch-up: a large clock jump must not create thousands of
        // items in one go.
        const MAX_ARRIVALS_PER_STEP: usize = 20;
        if self.activity {
            let mut arrivals = 0;
            while self.next_payment_at <= now && arrivals < MAX_ARRIVALS_PER_STEP {
                self.simulate_new_payment();
                let gap = self.random_interval(self.pace.new_payment_every);
                self.next_payment_at += gap;
                arrivals += 1;
            }
            if self.next_payment_at <= now {
                self.next_payment_at = now + self.random_interval(self.pace.new_payment_every);
            }
            arrivals = 0;
            while self.next_link_at <= now && arrivals < MAX_ARRIVALS_PER_STEP {
                self.simulate_new_link();
                let gap = self.random_interval(self.pace.new_link_every);
                self.next_link_at += gap;
                arrivals += 1;
            }
            if self.next_link_at <= now {
                self.next_link_at = now + self.random_interval(self.pace.new_link_every);
            }
        }
        // Planned transitions run whether or not new activity is on, so that
        // a payment started by a test control completes.
        for index in 0..self.transactions.len() {
            while let Some(plan) = self.transactions[index].plan {
                if plan.due() > now {
                    break;
                }
                self.apply(index, plan);
            }
        }
        for link in &mut self.links {
            if link.status == status::ACTIVE && link.expires_at.is_some_and(|t| t <= now) {
                link.status = status::EXPIRED.to_string();
            }
        }
        self.due_deliveries(now)
    }

    fn simulate_new_payment(&mut self) {
        // Customers pay recent links, so the top of the dashboard moves.
        let recent_active: Vec<String> =
            self.links.iter().rev().filter(|l| l.status == status::ACTIVE).take(40).map(|l| l.id.clone()).collect();
        if recent_active.is_empty() {
            return;
        }
        let pick = recent_active[self.rng.usize(..recent_active.len())].clone();
        self.start_payment(&pick, None);
    }

    fn simulate_new_link(&mut self) {
        let now = self.now();
        let currency = self.random_currency();
        let amount = self.random_amount(currency);
        let description = self.random_description();
        let link = self.make_link(amount, currency.to_string(), description, now);
        self.insert_link(link);
    }

    /// Applies one planned transition and emits its webhook event.
    fn apply(&mut self, index: usize, plan: Plan) {
        let now = plan.due();
        match plan {
            Plan::Confirm(at) => {
                let hash = self.new_tx_hash();
                let settle_in = self.seconds_between(60, 600);
                let txn = &mut self.transactions[index];
                txn.status = status::CONFIRMED.to_string();
                txn.confirmed_at = Some(at);
                txn.tx_hash = Some(hash);
                txn.plan = Some(Plan::Settle(at + settle_in));
                self.emit(index, "payment.confirmed", now);
            }
            Plan::Settle(at) => {
                let txn = &mut self.transactions[index];
                txn.status = status::SETTLED.to_string();
                txn.settled_at = Some(at);
                txn.plan = None;
                let link_id = txn.payment_link_id.clone();
                if let Some(link) = self.link_mut(&link_id)
                    && link.status == status::ACTIVE
                {
                    link.status = status::PAID.to_string();
                    link.paid_at = Some(at);
                }
                self.emit(index, "payment.settled", now);
            }
            Plan::Fail(_) => {
                let txn = &mut self.transactions[index];
                txn.status = status::FAILED.to_string();
                txn.plan = None;
                self.emit(index, "payment.failed", now);
            }
        }
    }

    /// Queues the event for every active webhook subscribed to it.
    fn emit(&mut self, txn_index: usize, event: &str, at: DateTime<Utc>) {
        let txn = &self.transactions[txn_index];
        let mut data = serde_json::json!({
            "transaction_id": txn.id,
            "payment_link_id": txn.payment_link_id,
            "amount": txn.amount.to_string(),
            "currency": txn.currency,
            "status": txn.status,
        });
        let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        if let Some(confirmed) = txn.confirmed_at {
            data["confirmed_at"] = stamp(confirmed).into();
        }
        if let Some(settled) = txn.settled_at {
            data["settled_at"] = stamp(settled).into();
        }
        let event_id = self.new_id("evt_");
        let body = serde_json::json!({
            "event": event,
            "id": event_id,
            "created_at": stamp(at),
            "data": data,
        })
        .to_string();
        let targets: Vec<(String, String, String)> = self
            .webhooks
            .iter()
            .filter(|w| w.status == status::ACTIVE && w.events.iter().any(|e| e == event))
            .map(|w| (w.id.clone(), w.url.clone(), w.secret.clone()))
            .collect();
        for (webhook_id, url, secret) in targets {
            let id = self.next_delivery_id;
            self.next_delivery_id += 1;
            self.deliveries.push(Delivery {
                id,
                webhook_id,
                event_id: event_id.clone(),
                event: event.to_string(),
                url,
                attempts: 0,
                state: DeliveryState::Pending,
                next_attempt_at: at,
                last_status: None,
                last_error: None,
                body: body.clone(),
                secret,
            });
        }
        if self.deliveries.len() > MAX_DELIVERIES_KEPT {
            let finished = |d: &Delivery| !matches!(d.state, DeliveryState::Pending | DeliveryState::InFlight);
            let excess = self.deliveries.len() - MAX_DELIVERIES_KEPT;
            let mut dropped = 0;
            self.deliveries.retain(|d| {
                if dropped < excess && finished(d) {
                    dropped += 1;
                    false
                } else {
                    true
                }
            });
        }
    }

    fn due_deliveries(&mut self, now: DateTime<Utc>) -> Vec<DueDelivery> {
        self.deliveries
            .iter_mut()
            .filter(|d| d.state == DeliveryState::Pending && d.next_attempt_at <= now)
            .map(|d| {
                d.state = DeliveryState::InFlight;
                DueDelivery { id: d.id, url: d.url.clone(), body: d.body.clone(), secret: d.secret.clone() }
            })
            .collect()
    }

    /// Records how an attempt went and plans the next one on failure.
    pub fn finish_delivery(&mut self, id: u64, result: DeliveryResult) {
        let now = self.now();
        let Some(delivery) = self.deliveries.iter_mut().find(|d| d.id == id) else {
            return;
        };
        match result {
            DeliveryResult::Skipped(reason) => {
                delivery.state = DeliveryState::Skipped;
                delivery.last_error = Some(reason);
            }
            DeliveryResult::Answered(code) if (200..300).contains(&code) => {
                delivery.attempts += 1;
                delivery.state = DeliveryState::Delivered;
                delivery.last_status = Some(code);
                delivery.last_error = None;
            }
            other => {
                delivery.attempts += 1;
                match other {
                    DeliveryResult::Answered(code) => {
                        delivery.last_status = Some(code);
                        delivery.last_error = Some(format!("answered {code}"));
                    }
                    DeliveryResult::Failed(reason) => delivery.last_error = Some(reason),
                    DeliveryResult::Skipped(_) => {}
                }
                match DELIVERY_RETRY_DELAYS_SECS.get(delivery.attempts as usize - 1) {
                    Some(delay) => {
                        delivery.state = DeliveryState::Pending;
                        delivery.next_attempt_at = now + SimDuration::seconds(*delay);
                    }
                    None => delivery.state = DeliveryState::Undelivered,
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Settle,
    Fail,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryResult {
    Answered(u16),
    Failed(String),
    Skipped(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world(seed: u64) -> World {
        World::new(
            seed,
            SeedSizes { links: 300, transactions: 1000, webhooks: 3 },
            1.0,
            false,
            "https://pay.pik.global",
        )
    }

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

    #[test]
    fn a_settled_payment_walks_the_states_pays_the_link_and_emits_events() {
        let mut w = world(1);
        w.webhooks.push(Webhook {
            id: "wh_test".into(),
            url: "http://127.0.0.1:9/hook".into(),
            events: EVENTS.iter().map(|e| e.to_string()).collect(),
            status: status::ACTIVE.into(),
            created_at: w.now(),
            secret: "whsec_x".into(),
        });
        let link_id = w.links().iter().rev().find(|l| l.status == status::ACTIVE).map(|l| l.id.clone());
        let Some(link_id) = link_id else { panic!("no active link") };
        let txn = w.start_payment(&link_id, Some(Outcome::Settle));
        assert_eq!(txn.as_ref().map(|t| t.status.as_str()), Some(status::SETTLED));
        assert!(txn.is_some_and(|t| t.tx_hash.is_some() && t.settled_at.is_some()));
        assert_eq!(w.link(&link_id).map(|l| l.status.as_str()), Some(status::PAID));
        let due = w.step();
        let events: Vec<_> =
            w.deliveries.iter().filter(|d| d.webhook_id == "wh_test").map(|d| d.event.as_str()).collect();
        assert_eq!(events, ["payment.confirmed", "payment.settled"]);
        assert!(due.iter().filter(|d| d.url.starts_with("http://127.0.0.1")).count() == 2);
    }

    #[test]
    fn failed_deliveries_follow_the_retry_schedule_then_give_up() {
        let mut w = world(2);
        w.webhooks.retain(|h| h.status == status::ACTIVE);
        let link_id = w.links().iter().rev().find(|l| l.status == status::ACTIVE).map(|l| l.id.clone());
        let Some(link_id) = link_id else { panic!("no active link") };
        w.start_payment(&link_id, Some(Outcome::Fail));
        let first = w.step();
        let Some(target) = first.first().map(|d| d.id) else { panic!("nothing due") };
        let mut waits = Vec::new();
        let mut due_now = true;
        for _ in 0..6 {
            assert!(due_now);
            let before = w.now();
            w.finish_delivery(target, DeliveryResult::Answered(500));
            let Some(d) = w.deliveries.iter().find(|d| d.id == target) else { panic!() };
            if d.state == DeliveryState::Undelivered {
                break;
            }
            let wait = (d.next_attempt_at - before).num_seconds();
            waits.push(wait);
            w.clock.advance(SimDuration::seconds(wait - 1));
            assert!(!w.step().iter().any(|d| d.id == target), "retried early");
            w.clock.advance(SimDuration::seconds(1));
            due_now = w.step().iter().any(|d| d.id == target);
        }
        assert_eq!(waits, DELIVERY_RETRY_DELAYS_SECS);
        let state = w.deliveries.iter().find(|d| d.id == target).map(|d| (d.state, d.attempts));
        assert_eq!(state, Some((DeliveryState::Undelivered, 6)));
    }

    #[test]
    fn activity_adds_payments_and_links_over_simulated_time() {
        let mut w = world(3);
        w.activity = true;
        let (links, txns) = (w.links().len(), w.transactions().len());
        for _ in 0..30 {
            w.clock.advance(SimDuration::seconds(60));
            w.step();
        }
        assert!(w.transactions().len() > txns);
        assert!(w.links().len() > links);
        // Lists stay in creation order for newest-first paging.
        assert!(w.links().windows(2).all(|p| p[0].created_at <= p[1].created_at));
    }
}
