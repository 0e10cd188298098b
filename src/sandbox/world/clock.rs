//! A clock that runs faster than real time, and the wire format of times.

use chrono::{DateTime, Duration as SimDuration, Utc};
use std::time::Instant;

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
