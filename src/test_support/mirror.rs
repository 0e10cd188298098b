//! A mirror in memory that answers the app's reads, and helpers to run the
//! app against it.

use super::*;

/// A mirror in memory that answers the app's reads as the worker does: a
/// real store (the same SQL as the dashboard's), on its own runtime.
pub struct TestMirror {
    runtime: tokio::runtime::Runtime,
    pub store: Store,
}

impl TestMirror {
    /// An empty mirror.
    pub fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
        let Ok(runtime) = runtime else { panic!("a test runtime") };
        let account = Account::new("http://127.0.0.1:1", &crate::api::ApiKey::new("pik_test_mirror"));
        let opened = match Store::open(Place::Memory, &account) {
            Ok(opened) => opened,
            Err(err) => panic!("a mirror in memory: {err}"),
        };
        TestMirror { runtime, store: opened.store }
    }

    /// Links `newest` down to 1 (all active), transactions 3 to 1, webhooks 2 and 1.
    pub fn numbered(newest: u64) -> Self {
        Self::holding(
            (1..=newest).rev().map(|n| numbered_link(n, LinkStatus::Active)).collect(),
            vec![
                numbered_txn(3, TransactionStatus::Pending),
                numbered_txn(2, TransactionStatus::Settled),
                numbered_txn(1, TransactionStatus::Failed),
            ],
            vec![hook("wh_2"), hook("wh_1")],
        )
    }

    pub fn holding(links: Vec<PaymentLink>, transactions: Vec<Transaction>, webhooks: Vec<Webhook>) -> Self {
        let mirror = Self::new();
        mirror.save(Batch { links, transactions, webhooks: Some(webhooks), ..Batch::default() });
        mirror
    }

    /// Writes rows as the sync would; returns what the store announced, for
    /// [`Msg::StoreChanged`].
    pub fn save(&self, batch: Batch) -> Change {
        let saved = self.runtime.block_on(self.store.save(batch));
        match saved {
            Ok(saved) => saved.change,
            Err(err) => panic!("saving to the test mirror: {err}"),
        }
    }

    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The answer to one read of the app, if `cmd` is one.
    pub fn answer(&self, cmd: &Cmd) -> Option<Msg> {
        self.block_on(read_for(&self.store, cmd))
    }
}

/// What `store` answers to one read of the app, if `cmd` is one, as the
/// worker would.
pub async fn read_for(store: &Store, cmd: &Cmd) -> Option<Msg> {
    Some(match cmd.clone() {
        Cmd::List { request, ask } => {
            let result = match ask {
                ListAsk::Window(ask) => store.window(*ask).await.map(ListRows::Window),
                ListAsk::Webhooks => store.list_webhooks().await.map(|page| ListRows::Webhooks(page.data)),
            };
            Msg::Listed { request, result: result.map_err(|e| e.to_string()) }
        }
        Cmd::Search { request, query, offset, limit } => {
            let result = store.search(query, offset, limit).await.map_err(|e| e.to_string());
            Msg::Searched { request, result }
        }
        Cmd::Record(act) => {
            let subject = act.subject.clone();
            let result = store.append_act(*act.clone()).await.map(|_| ()).map_err(|e| e.to_string());
            Msg::Recorded { subject, result }
        }
        Cmd::ReadAudit { request } => {
            let result = store.audit(crate::audit::AuditQuery::default()).await.map_err(|e| e.to_string());
            Msg::AuditRead { request, result }
        }
        Cmd::ActOnCase { request, act, facts } => {
            let done = store.act_on_case(*act.clone(), facts.clone().map(|f| *f)).await;
            Msg::CaseActed { request, result: done.map(|taken| taken.map(Box::new)).map_err(|e| e.to_string()) }
        }
        Cmd::ReadOrder { request, link_id } => {
            Msg::OrderRead { request, result: store.order(&link_id).await.map(Box::new).map_err(|e| e.to_string()) }
        }
        _ => return None,
    })
}

impl Default for TestMirror {
    fn default() -> Self {
        Self::new()
    }
}

/// Every link and transaction a store holds, newest first, read a window
/// at a time by cursor as the panes read them.
pub async fn stored(store: &Store) -> (Vec<PaymentLink>, Vec<Transaction>) {
    use crate::store::{Anchor, Kinds, ListQuery, SearchQuery, Sort, WindowAsk, Windowed};
    let mut links = Vec::new();
    let mut transactions = Vec::new();
    for kinds in [Kinds::Links, Kinds::Transactions] {
        let query = ListQuery { filter: SearchQuery::everything(kinds), sort: Sort::default() };
        let mut anchor = Anchor::First;
        loop {
            // From a cursor, the window starts with that row, read already.
            let skip = usize::from(anchor != Anchor::First);
            let ask = WindowAsk { query: query.clone(), anchor, limit: 1000, count: false };
            let (last, more) = match store.window(ask).await {
                Ok(Windowed::Links(window)) => {
                    let last = window.rows.last().map(|(cursor, _)| cursor.clone());
                    links.extend(window.rows.into_iter().skip(skip).map(|(_, row)| row));
                    (last, window.more_after)
                }
                Ok(Windowed::Transactions(window)) => {
                    let last = window.rows.last().map(|(cursor, _)| cursor.clone());
                    transactions.extend(window.rows.into_iter().skip(skip).map(|(_, row)| row));
                    (last, window.more_after)
                }
                Err(err) => panic!("reading the mirror: {err}"),
            };
            match (last, more) {
                (Some(cursor), true) => anchor = Anchor::From(cursor),
                _ => break,
            }
        }
    }
    (links, transactions)
}

/// Answers the reads in `cmds` from `mirror` at `now`, and the reads those
/// answers lead to, until none is left; returns every other command.
pub fn answer_all(app: &mut App, cmds: Vec<Cmd>, mirror: &TestMirror, now: DateTime<Utc>) -> Vec<Cmd> {
    let mut left = Vec::new();
    let mut pending = cmds;
    // A list reads a window at a time: a few rounds reach any place.
    for _ in 0..50 {
        if pending.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for cmd in pending {
            match mirror.answer(&cmd) {
                Some(msg) => next.extend(app.update(msg, now)),
                None => left.push(cmd),
            }
        }
        pending = next;
    }
    left.extend(pending);
    left
}

/// An app whose panes have read `mirror` at `t0`.
pub fn loaded_app(settings: crate::app::Settings, width: u16, height: u16, mirror: &TestMirror) -> App {
    let mut app = App::new(settings, width, height, t0());
    let cmds = app.update(Msg::Tick, t0());
    answer_all(&mut app, cmds, mirror, t0());
    app
}

/// The reads of the mirror in `cmds`.
pub fn reads(cmds: &[Cmd]) -> Vec<ListAsk> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::List { ask, .. } => Some(ask.clone()),
            _ => None,
        })
        .collect()
}

/// The request id of the first write in `cmds`.
pub fn write_request(cmds: &[Cmd]) -> Option<crate::app::list::RequestId> {
    cmds.iter().find_map(|c| match c {
        Cmd::Write { request, .. } => Some(*request),
        _ => None,
    })
}
