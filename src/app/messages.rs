//! What goes in and out of [`super::App::update`]: the messages the runtime
//! and the worker send, and the commands the app asks them to run.

use super::detail::Found;
use super::dialogs::Write;
use super::forms::ExportJob;
use super::input::{Key, Mouse};
use super::list::RequestId;
use super::settings::{Environment, StoreKind};
use crate::api::{ErrorKind, EventEnvelope, Page, PaymentLink, Transaction, Webhook, WebhookSecret};
use crate::desktop_notice::Notify;
use crate::store::{Change, Overview, OverviewQuery, SearchPage, SearchQuery, WindowAsk, Windowed};
use crate::sync::{Focus, MirrorStatus};
use std::time::Duration as StdDuration;

/// An API failure as the app keeps it: plain data, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo {
    pub kind: ErrorKind,
    /// Short words, e.g. "API key rejected (401)".
    pub summary: String,
    /// The longer message (already readable, still to be sanitized).
    pub message: String,
    pub status: Option<u16>,
    pub retry_after: Option<StdDuration>,
    /// A write that was sent and then got no answer: it may have happened.
    pub may_have_happened: bool,
}

/// What a write came back with.
#[derive(Debug, Clone)]
pub enum Written {
    Link(PaymentLink),
    Deactivated(PaymentLink),
    Webhook(Webhook, WebhookSecret),
}

/// What the runtime says about a profile it switched to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileInfo {
    pub name: String,
    pub environment: Environment,
    pub read_only: bool,
    /// Where its mirror is kept.
    pub store: StoreKind,
    /// Its time zone (`--tz`, else its `tz`, else the file's or the system's).
    pub zone: crate::zone::Zone,
    /// Who is acting under it (its `agent`, else the file's, else `$USER@host`).
    pub agent: String,
}

#[derive(Debug, Clone)]
pub enum Msg {
    Key(Key),
    Mouse(Mouse),
    Paste(String),
    Resize {
        width: u16,
        height: u16,
    },
    /// Time passed (the runtime ticks a few times a second).
    Tick,
    /// Rows of a pane, read from the mirror.
    Listed {
        request: RequestId,
        result: Result<ListRows, String>,
    },
    /// An object fetched by id, for a jump or the open detail.
    Object {
        request: RequestId,
        result: Result<Found, ErrorInfo>,
    },
    /// The transactions of the link in the open detail.
    LinkTransactions {
        request: RequestId,
        link_id: String,
        result: Result<Page<Transaction>, ErrorInfo>,
    },
    /// The answer to a write.
    Written {
        request: RequestId,
        result: Result<Written, ErrorInfo>,
    },
    /// A webhook event whose signature the local listener verified.
    Event(Box<EventEnvelope>),
    /// A body the local listener refused, and why (no or a bad signature).
    Refused(String),
    /// Transactions the sync found new or moved, live (never history).
    Changes(Vec<Transaction>),
    /// The mirror changed (a write here, another process's, a shared
    /// mirror's notice): what is on screen is read again.
    StoreChanged(Change),
    /// The runtime switched profile, or says why it could not.
    ProfileSwitched(Result<ProfileInfo, String>),
    /// How far the local mirror is.
    Mirror(MirrorStatus),
    /// Something the agent should read (a mirror moved aside at start).
    Note(String),
    /// A window of search results from the mirror.
    Searched {
        request: RequestId,
        result: Result<SearchPage, String>,
    },
    /// The Overview's figures, computed by the mirror.
    Overview {
        request: RequestId,
        result: Result<Overview, String>,
    },
    /// An order's rows, read from the mirror for its case.
    OrderRead {
        request: RequestId,
        result: Result<Box<crate::cases::Order>, String>,
    },
    /// The audit log, oldest first, or why it could not be read.
    AuditRead {
        request: RequestId,
        result: Result<Vec<crate::audit::Act>, String>,
    },
    /// An act on a case: taken, refused (why), or not written (the error).
    CaseActed {
        request: RequestId,
        result: Result<Result<Box<crate::audit::Act>, String>, String>,
    },
    /// An act appended to the audit log, or why not.
    Recorded {
        subject: Option<String>,
        result: Result<(), String>,
    },
    /// How an export is going.
    Export {
        request: RequestId,
        event: ExportEvent,
    },
    /// The zone `:tz` asked for, or why it is not known.
    Zone(Result<crate::zone::Zone, String>),
    /// The config file took a saved view (the file's path), or why not.
    ViewSaved {
        name: String,
        result: Result<String, String>,
    },
}

/// What an export tells the app, from start to end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportEvent {
    /// The file is claimed (its full path): the form can close.
    Started(String),
    /// The file is there already, and replacing it was not asked for.
    Exists(String),
    Progress {
        done: u64,
        total: u64,
    },
    Done {
        rows: u64,
        path: String,
    },
    Failed(String),
}

/// A pane's rows to read from the mirror.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListAsk {
    /// A window of links or of transactions.
    Window(Box<WindowAsk>),
    /// Every webhook (PIK does not page them: there are few).
    Webhooks,
}

/// What a [`ListAsk`] read.
#[derive(Debug, Clone, PartialEq)]
pub enum ListRows {
    Window(Windowed),
    Webhooks(Vec<Webhook>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    /// Read a pane's rows from the mirror.
    List {
        request: RequestId,
        ask: ListAsk,
    },
    /// Tell the sync what is on screen, so that it reads that first.
    Focus(Focus),
    FetchLink {
        request: RequestId,
        id: String,
    },
    FetchTransaction {
        request: RequestId,
        id: String,
    },
    FetchLinkTransactions {
        request: RequestId,
        link_id: String,
    },
    /// Send this write to PIK once (`submit`), by this agent.
    Write {
        request: RequestId,
        write: Write,
        by: crate::audit::Actor,
    },
    /// Rows `offset..offset + limit` of what a query matches in the mirror.
    Search {
        request: RequestId,
        query: SearchQuery,
        offset: u64,
        limit: u32,
    },
    /// The Overview's figures for a period.
    Overview {
        request: RequestId,
        query: OverviewQuery,
    },
    /// An order's rows (its link, payments and balance links), for its case.
    ReadOrder {
        request: RequestId,
        link_id: String,
    },
    /// Write rows to a file in the background, reporting as it goes; the
    /// act goes in the audit log, by this agent.
    Export {
        request: RequestId,
        job: ExportJob,
        by: crate::audit::Actor,
    },
    /// Append this act to the audit log.
    Record(Box<crate::audit::Act>),
    /// This agent has the case of `link_id` open for `lasts` more (none:
    /// no longer), for the others on a shared store.
    LookAt {
        link_id: String,
        by: crate::audit::Actor,
        lasts: Option<chrono::Duration>,
    },
    /// Read the audit log (`:audit`).
    ReadAudit {
        request: RequestId,
    },
    /// Take this act on a case if its handling allows it (the store decides),
    /// with the order's facts now.
    ActOnCase {
        request: RequestId,
        act: Box<crate::audit::Act>,
        facts: Option<Box<crate::cases::LinkFacts>>,
    },
    /// Resolve this profile and talk to its PIK from now on.
    SwitchProfile(String),
    /// Look this zone up in the time-zone database (`:tz NAME`).
    LoadZone(String),
    /// Write a saved view into the config file (`:save`), beside it and renamed.
    SaveView {
        path: Option<String>,
        view: super::views::ViewDef,
        replace: bool,
    },
    /// Put text on the clipboard (OSC 52, so it works over SSH and in tmux).
    Copy(String),
    Bell,
    /// A desktop notification by escape sequence (the text is sanitized
    /// where the sequence is made).
    Notify {
        how: Notify,
        text: String,
    },
    Quit,
}
