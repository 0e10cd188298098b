//! What the sync tells the screen: how far the mirror is, in words.

use crate::human::group_thousands;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Rows mirrored of how many PIK has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: Option<u64>,
    /// The backfill reached the end of PIK's list: the mirror holds all of
    /// this kind, and a list on screen that ends, ends there too.
    pub complete: bool,
}

/// Which rows a backfill is reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Of {
    Links,
    Transactions,
}

impl Of {
    pub fn noun(self) -> &'static str {
        match self {
            Of::Links => "links",
            Of::Transactions => "transactions",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Starting,
    /// Another pik-tui holds this mirror's sync; this one waits its turn.
    /// The progress shown is the other's, read from the store.
    Elsewhere,
    Backfilling {
        of: Of,
        eta: Option<Duration>,
    },
    /// Items that left the unfinished sets (active links, pending and
    /// confirmed payments), fetched one by one.
    Refreshing {
        done: u64,
        total: u64,
        eta: Option<Duration>,
    },
    UpToDate,
    /// Up to date with what PIK lists, but PIK counts more than it lists
    /// (rows it sent that could not be read): the counts say how many.
    Incomplete,
    /// The last step failed; it is being retried.
    Failing(String),
    /// A shared mirror that a `pik-tui sync` keeps: `at` is when that sync
    /// last said it was alive. Stale (or unreachable, with why), the
    /// dashboard shows what it holds, and says how old it is.
    Shared {
        at: Option<DateTime<Utc>>,
        trouble: Option<SharedTrouble>,
    },
}

/// Why a shared mirror is not to be read from now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SharedTrouble {
    /// No `pik-tui sync` has ever written to it.
    NeverSynced,
    /// Its sync's last heartbeat is older than three refreshes.
    Stale,
    /// The server cannot be reached, and why.
    Unreachable(String),
}

/// How PIK answers the sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Health {
    /// When PIK last answered.
    pub ok_at: Option<DateTime<Utc>>,
    /// What went wrong since, if anything.
    pub trouble: Option<Trouble>,
}

/// Why PIK did not answer, in words, and when it is asked again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trouble {
    /// "API key rejected (401)", "rate limited (429)", "PIK unreachable".
    pub summary: String,
    /// It could not be reached at all.
    pub unreachable: bool,
    pub status: Option<u16>,
    pub retry_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MirrorStatus {
    pub phase: Phase,
    pub links: Progress,
    pub transactions: Progress,
    /// When the mirror was last up to date.
    pub synced_at: Option<DateTime<Utc>>,
    pub pik: Health,
}

impl Default for MirrorStatus {
    fn default() -> Self {
        MirrorStatus {
            phase: Phase::Starting,
            links: Progress::default(),
            transactions: Progress::default(),
            synced_at: None,
            pik: Health::default(),
        }
    }
}

/// "about 2 min left", "about 40 s left".
pub fn eta_words(eta: Duration) -> String {
    let seconds = eta.as_secs().max(1);
    match seconds {
        0..90 => format!("about {seconds} s left"),
        90..5400 => format!("about {} min left", (seconds + 30) / 60),
        _ => format!("about {} h left", (seconds + 1800) / 3600),
    }
}

impl MirrorStatus {
    /// Whether the mirror is up to date: synced here, or kept by a live
    /// shared sync.
    pub fn current(&self) -> bool {
        matches!(self.phase, Phase::UpToDate | Phase::Shared { at: Some(_), trouble: None })
    }

    /// A shared mirror in trouble (no sync, or out of reach): why.
    pub fn shared_trouble(&self) -> Option<&SharedTrouble> {
        match &self.phase {
            Phase::Shared { trouble, .. } => trouble.as_ref(),
            _ => None,
        }
    }

    /// Whether the backfill is still under way, so search results may be
    /// incomplete.
    pub fn partial(&self) -> bool {
        self.synced_at.is_none()
    }

    /// How far the rows of one kind are.
    pub fn progress(&self, of: Of) -> Progress {
        match of {
            Of::Links => self.links,
            Of::Transactions => self.transactions,
        }
    }

    /// "2,450 of 20,010 links".
    fn counted(&self, of: Of) -> String {
        let progress = self.progress(of);
        // Rows that arrived since PIK counted are part of the whole too.
        let total = progress.total.map(|total| group_thousands(total.max(progress.done))).unwrap_or_else(|| "…".into());
        format!("{} of {total} {}", group_thousands(progress.done), of.noun())
    }

    /// The share of the backfill done, 0 to 1.
    pub fn ratio(&self) -> f64 {
        let total = self.links.total.unwrap_or(0) + self.transactions.total.unwrap_or(0);
        if total == 0 {
            return 0.0;
        }
        ((self.links.done + self.transactions.done) as f64 / total as f64).min(1.0)
    }

    /// The status without its times, which the screen shows only as ages
    /// (redrawn as the clock moves): what is news to the screen.
    pub fn without_times(&self) -> MirrorStatus {
        let phase = match &self.phase {
            Phase::Shared { trouble, .. } => Phase::Shared { at: None, trouble: trouble.clone() },
            other => other.clone(),
        };
        MirrorStatus { phase, synced_at: None, pik: Health { ok_at: None, ..self.pik.clone() }, ..self.clone() }
    }

    /// The mirror's state in words, for the footer.
    pub fn words(&self, now: DateTime<Utc>) -> String {
        let age = |at: DateTime<Utc>| crate::human::age_words(now - at);
        match &self.phase {
            Phase::Starting => "mirror starting…".into(),
            Phase::Elsewhere => match self.synced_at {
                Some(at) => format!("mirror up to date, {} · another pik-tui syncs it", age(at)),
                None => {
                    let of = if self.links.total.is_some_and(|total| self.links.done < total) {
                        Of::Links
                    } else {
                        Of::Transactions
                    };
                    format!("another pik-tui is mirroring: {}", self.counted(of))
                }
            },
            Phase::Backfilling { of, eta } => {
                let mut words = format!("mirroring {}", self.counted(*of));
                if let Some(eta) = eta {
                    words.push_str(&format!(" · {}", eta_words(*eta)));
                }
                words
            }
            Phase::Refreshing { done, total, eta } => {
                let mut words =
                    format!("checking {} of {} items that changed", group_thousands(*done), group_thousands(*total));
                if let Some(eta) = eta {
                    words.push_str(&format!(" · {}", eta_words(*eta)));
                }
                words
            }
            Phase::UpToDate => match self.synced_at {
                Some(at) => format!("mirror up to date, {}", age(at)),
                None => "mirror up to date".into(),
            },
            Phase::Incomplete => {
                let held = |p: Progress, what: &str| {
                    p.total
                        .filter(|total| p.done < *total)
                        .map(|total| format!("{} of {} {what}", group_thousands(p.done), group_thousands(total)))
                };
                let missing: Vec<String> = [held(self.links, "links"), held(self.transactions, "transactions")]
                    .into_iter()
                    .flatten()
                    .collect();
                format!("mirror holds {}: PIK lists fewer than it counts", missing.join(" and "))
            }
            Phase::Shared { at: Some(at), trouble: None } => format!("shared mirror · synced {}", age(*at)),
            Phase::Shared { at, trouble: Some(trouble) } => {
                let why = match (trouble, at) {
                    (SharedTrouble::Stale, Some(at)) => format!("last sync {}", age(*at)),
                    (SharedTrouble::Stale | SharedTrouble::NeverSynced, _) => "no pik-tui sync has run yet".into(),
                    (SharedTrouble::Unreachable(error), _) => format!("out of reach ({error})"),
                };
                format!("shared mirror: {why} · showing what it holds")
            }
            Phase::Shared { at: None, trouble: None } => "shared mirror".into(),
            Phase::Failing(why) => match self.synced_at {
                Some(at) => format!("mirror from {}: {why}", age(at)),
                None => format!("mirror: {why}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::t0;

    #[test]
    fn the_words_say_how_far_and_how_long() {
        let mut status = MirrorStatus {
            phase: Phase::Backfilling { of: Of::Transactions, eta: Some(Duration::from_secs(125)) },
            // Links arrived since their backfill ended: it is the
            // transactions' turn all the same.
            links: Progress { done: 2_952, total: Some(3_002), complete: true },
            transactions: Progress { done: 43_210, total: Some(100_000), complete: false },
            synced_at: None,
            pik: Health::default(),
        };
        assert_eq!(status.words(t0()), "mirroring 43,210 of 100,000 transactions · about 2 min left");
        status.phase = Phase::Refreshing { done: 1_200, total: 5_000, eta: Some(Duration::from_secs(600)) };
        assert_eq!(status.words(t0()), "checking 1,200 of 5,000 items that changed · about 10 min left");
        status.phase = Phase::Elsewhere;
        assert_eq!(status.words(t0()), "another pik-tui is mirroring: 2,952 of 3,002 links");
        assert!(status.partial());
        status.phase = Phase::UpToDate;
        status.synced_at = Some(t0() - chrono::Duration::seconds(4));
        assert_eq!(status.words(t0()), "mirror up to date, just now");
        status.synced_at = Some(t0() - chrono::Duration::seconds(24));
        status.phase = Phase::Elsewhere;
        assert_eq!(status.words(t0()), "mirror up to date, 20 s ago · another pik-tui syncs it");
        assert_eq!(eta_words(Duration::from_secs(40)), "about 40 s left");
    }

    #[test]
    fn a_shared_mirror_says_how_old_it_is_or_what_is_wrong() {
        let at = t0() - chrono::Duration::seconds(3);
        let fresh = MirrorStatus { phase: Phase::Shared { at: Some(at), trouble: None }, ..MirrorStatus::default() };
        assert_eq!(fresh.words(t0()), "shared mirror · synced just now");
        assert!(fresh.current() && fresh.shared_trouble().is_none());
        let stale = MirrorStatus {
            phase: Phase::Shared { at: Some(t0() - chrono::Duration::minutes(2)), trouble: Some(SharedTrouble::Stale) },
            ..MirrorStatus::default()
        };
        assert_eq!(stale.words(t0()), "shared mirror: last sync 2 min ago · showing what it holds");
        assert!(!stale.current() && stale.shared_trouble().is_some());
    }
}
