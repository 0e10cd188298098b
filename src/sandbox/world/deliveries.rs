//! Webhook events on their way: queued for every subscribed active
//! webhook, attempted when due, retried on PIK's schedule, then given up.

use super::World;
use super::model::{Delivery, DeliveryResult, DeliveryState, DueDelivery, status};
use chrono::{DateTime, Duration as SimDuration, Utc};

/// The documented retry schedule after a failed delivery: 5 min, 30 min,
/// 2 h, 8 h, 24 h. The sixth failure leaves the event undelivered.
pub const DELIVERY_RETRY_DELAYS_SECS: [i64; 5] = [5 * 60, 30 * 60, 2 * 3600, 8 * 3600, 24 * 3600];

/// Deliveries kept for `/_sandbox/deliveries`; the oldest finished ones go.
const MAX_DELIVERIES_KEPT: usize = 10_000;

impl World {
    /// Queues the event for every active webhook subscribed to it.
    pub(super) fn emit(&mut self, txn_index: usize, event: &str, at: DateTime<Utc>) {
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

    pub(super) fn due_deliveries(&mut self, now: DateTime<Utc>) -> Vec<DueDelivery> {
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

#[cfg(test)]
mod tests {
    use super::super::Outcome;
    use super::super::tests::world;
    use super::*;

    #[test]
    fn failed_deliveries_follow_the_retry_schedule_then_give_up() {
        let mut w = world(2);
        w.webhooks.retain(|h| h.status == status::ACTIVE);
        let link_id = w.links().iter().rev().find(|l| l.status == status::ACTIVE).map(|l| l.id.clone());
        let Some(link_id) = link_id else { panic!("no active link") };
        w.start_payment(&link_id, Some(Outcome::Fail), None);
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
}
