//! The simulated life: payments on active links go pending → confirmed →
//! settled (or failed), links get paid or expire, new links and payments
//! arrive at random (a Poisson process), each change emits its event.

use super::World;
use super::model::{DueDelivery, Outcome, Plan, Transaction, status};
use chrono::{DateTime, Utc};

impl World {
    /// A new pending payment either confirms or, less often, fails.
    pub(super) fn plan_for_pending(&mut self, now: DateTime<Utc>) -> Plan {
        if self.rng.u8(..100) < 10 {
            Plan::Fail(now + self.seconds_between(60, 300))
        } else {
            Plan::Confirm(now + self.seconds_between(15, 90))
        }
    }

    /// Starts a payment on a link now, of the link's amount or of
    /// `amount` (a customer who sends too little or too much). Any link
    /// takes one: a paid link (paid twice), an expired one (paid late).
    /// With `outcome`, the payment runs through at once (test control);
    /// without, it follows the simulation.
    pub fn start_payment(
        &mut self,
        link_id: &str,
        outcome: Option<Outcome>,
        amount: Option<rust_decimal::Decimal>,
    ) -> Option<Transaction> {
        let index = *self.link_index.get(link_id)?;
        let now = self.now();
        let mut txn = self.make_transaction(index, now);
        if let Some(amount) = amount {
            txn.amount = amount;
        }
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
        // Now and then what support sees: a customer who sends a little too
        // little or too much, or pays an order already paid.
        let roll = self.rng.u16(..1000);
        let paid_again = || self.links.iter().rev().find(|l| l.status == status::PAID).map(|l| l.id.clone());
        if roll == 0
            && let Some(paid) = paid_again()
        {
            self.start_payment(&paid, None, None);
            return;
        }
        let amount = self.link(&pick).map(|link| link.amount).unwrap_or_default();
        // One in a thousand pays an order again; one in a hundred sends
        // too little; one in two hundred too much.
        let share = match roll {
            1..=10 => Some(rust_decimal::Decimal::new(988, 3)),
            11..=15 => Some(rust_decimal::Decimal::new(1012, 3)),
            _ => None,
        };
        let odd = share.map(|share| (amount * share).round_dp(amount.scale())).filter(|a| !a.is_zero());
        self.start_payment(&pick, None, odd);
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
                let currency = self.transactions[index].currency.clone();
                let hash = self.new_tx_hash(&currency);
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
}

#[cfg(test)]
mod tests {
    use super::super::tests::world;
    use super::super::{EVENTS, Webhook};
    use super::*;
    use chrono::Duration as SimDuration;

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
        let txn = w.start_payment(&link_id, Some(Outcome::Settle), None);
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
