//! When the sync asks PIK what, planned against the dashboard's schedule:
//! new items of the kind on screen every refresh, of the others six times
//! less often; the unfinished sets (active links, pending and confirmed
//! payments) listed again every minute, so that a settlement anywhere
//! reaches the mirror and the alerts; unfinished rows on screen below the
//! first page every two refreshes. Pure: the time is passed in.

use super::Of;
use chrono::{DateTime, Utc};
use std::time::{Duration, Instant};

/// What a dashboard has on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shown {
    Links,
    Transactions,
    Webhooks,
}

impl Shown {
    pub fn of(of: Of) -> Shown {
        match of {
            Of::Links => Shown::Links,
            Of::Transactions => Shown::Transactions,
        }
    }
}

/// An unfinished row on screen: its status may still change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnScreen {
    pub of: Of,
    pub id: String,
    pub created_at: DateTime<Utc>,
}

/// What the dashboard is looking at, for the sync to plan by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Focus {
    /// The list on screen, if one is.
    pub shown: Option<Shown>,
    /// Rows of links and of transactions the mirror should hold, newest
    /// first: all of them for a file; with `--no-store`, what was scrolled
    /// to and a page more.
    pub wanted: [u64; 2],
    /// Unfinished rows on screen that the first page of new items does not
    /// cover (the list scrolled down, or sorted or filtered).
    pub on_screen: Vec<OnScreen>,
    /// Times the agent asked for a refresh (`r`): each one reads the kind
    /// on screen and its rows at once.
    pub asked: u64,
}

impl Default for Focus {
    fn default() -> Self {
        Focus { shown: Some(Shown::Links), wanted: [FIRST_WANTED; 2], on_screen: Vec::new(), asked: 0 }
    }
}

/// What a mirror in memory holds of each kind before anything is scrolled:
/// a page, for the tabs' counts and the first screens.
pub const FIRST_WANTED: u64 = 100;

/// A request (or a few) the sync makes on its schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Task {
    /// New items of a kind, from the top until known ones.
    New(Shown),
    /// The unfinished sets listed again, what left them fetched by id.
    Sweep,
    /// The unfinished rows on screen, read again.
    OnScreen,
}

/// The tasks in the order they are done when several are due.
const TASKS: [Task; 5] =
    [Task::New(Shown::Links), Task::New(Shown::Transactions), Task::New(Shown::Webhooks), Task::OnScreen, Task::Sweep];

#[derive(Debug, Clone)]
pub struct Schedule {
    /// The kind on screen: its new items this often.
    pub refresh: Duration,
    /// The other kinds: every this many refreshes.
    pub hidden_every: u32,
    /// The unfinished sets.
    pub sweep: Duration,
    last: std::collections::HashMap<Task, Instant>,
}

impl Schedule {
    pub fn new(refresh: Duration, hidden_every: u32, sweep: Duration) -> Schedule {
        Schedule { refresh, hidden_every: hidden_every.max(1), sweep, last: Default::default() }
    }

    /// How often a task runs while the dashboard shows `focus`.
    pub fn every(&self, task: Task, focus: &Focus) -> Option<Duration> {
        match task {
            Task::New(kind) if focus.shown == Some(kind) => Some(self.refresh),
            Task::New(_) => Some(self.refresh * self.hidden_every),
            Task::Sweep => Some(self.sweep),
            Task::OnScreen if focus.on_screen.is_empty() => None,
            Task::OnScreen => Some(self.refresh * 2),
        }
    }

    fn due_at(&self, task: Task, focus: &Focus) -> Option<Instant> {
        let every = self.every(task, focus)?;
        Some(match self.last.get(&task) {
            Some(at) => *at + every,
            // Never done: at once.
            None => Instant::now().checked_sub(Duration::from_secs(3600)).unwrap_or_else(Instant::now),
        })
    }

    /// The first task due at `now`, if any.
    pub fn due(&self, now: Instant, focus: &Focus) -> Option<Task> {
        TASKS.into_iter().find(|task| self.due_at(*task, focus).is_some_and(|at| at <= now))
    }

    /// A task was done at `now`.
    pub fn done(&mut self, task: Task, now: Instant) {
        self.last.insert(task, now);
    }

    /// Every task done at `now` (a full round, as at start).
    pub fn all_done(&mut self, now: Instant) {
        for task in TASKS {
            self.done(task, now);
        }
    }

    /// How long until the next task is due.
    pub fn wait(&self, now: Instant, focus: &Focus) -> Duration {
        TASKS
            .into_iter()
            .filter_map(|task| self.due_at(task, focus))
            .min()
            .map(|at| at.saturating_duration_since(now))
            .unwrap_or(self.refresh)
    }

    /// Requests a minute while nothing changes, each task at its pace (one
    /// request each; a sweep three: the active links, the pending and the
    /// confirmed payments), for the benchmark to print beside its count.
    pub fn per_minute(&self, focus: &Focus) -> Vec<(String, f64)> {
        let minute = Duration::from_secs(60).as_secs_f64();
        let mut lines = Vec::new();
        for task in [
            Task::New(Shown::Links),
            Task::New(Shown::Transactions),
            Task::New(Shown::Webhooks),
            Task::Sweep,
            Task::OnScreen,
        ] {
            if let Some(every) = self.every(task, focus) {
                let requests = if task == Task::Sweep { 3.0 } else { 1.0 };
                lines.push((format!("{task:?}"), requests * minute / every.as_secs_f64()));
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_on_screen_every_refresh_the_others_six_times_less_often() {
        let mut schedule = Schedule::new(Duration::from_secs(5), 6, Duration::from_secs(60));
        let focus = Focus::default();
        let start = Instant::now();
        schedule.all_done(start);
        let at = |s: u64| start + Duration::from_secs(s);
        assert_eq!(schedule.due(at(4), &focus), None);
        assert_eq!(schedule.due(at(5), &focus), Some(Task::New(Shown::Links)));
        schedule.done(Task::New(Shown::Links), at(5));
        assert_eq!(schedule.wait(at(5), &focus), Duration::from_secs(5));
        assert_eq!(schedule.due(at(30), &focus), Some(Task::New(Shown::Links)));
        schedule.done(Task::New(Shown::Links), at(30));
        assert_eq!(schedule.due(at(30), &focus), Some(Task::New(Shown::Transactions)));
        // At idle, with the links shown: at most 20 requests a minute.
        let budget: f64 = schedule.per_minute(&focus).iter().map(|(_, n)| n).sum();
        assert!(budget <= 20.0, "{budget} a minute: {:?}", schedule.per_minute(&focus));
        // Unfinished rows on screen below the first page: every two refreshes.
        let scrolled = Focus {
            on_screen: vec![OnScreen { of: Of::Links, id: "pl_1".into(), created_at: Utc::now() }],
            ..Focus::default()
        };
        assert_eq!(schedule.every(Task::OnScreen, &scrolled), Some(Duration::from_secs(10)));
        assert_eq!(schedule.every(Task::OnScreen, &focus), None);
    }
}
