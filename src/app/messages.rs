//! What goes in and out of [`super::App::update`]: the messages the runtime
//! and the worker send, and the commands the app asks them to run.

use super::detail::Found;
use super::dialogs::Write;
use super::forms::ExportJob;
use super::input::{Key, Mouse};
use super::paged::RequestId;
use super::pane::{Loaded, PageRequest, Polled, Source};
use super::settings::Environment;
use crate::api::{ErrorKind, EventEnvelope, Page, PaymentLink, Transaction, Webhook, WebhookSecret};
use crate::desktop_notice::Notify;
use crate::store::{Overview, OverviewQuery, SearchPage, SearchQuery};
use crate::sync::MirrorStatus;
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

impl ErrorInfo {
    pub(super) fn is_auth(&self) -> bool {
        matches!(self.status, Some(401 | 403))
    }
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
    /// Whether its mirror opened, or why not.
    pub mirror: Result<(), String>,
    /// Its time zone (`--tz`, else its `tz`, else the file's or the system's).
    pub zone: crate::zone::Zone,
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
    Page {
        pane: Polled,
        request: RequestId,
        offset: u64,
        source: Source,
        result: Result<Loaded, ErrorInfo>,
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
    /// The shared mirror announced a change: the panes read it again now
    /// rather than at their next refresh.
    MirrorNews,
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
    /// How an export is going.
    Export {
        request: RequestId,
        event: ExportEvent,
    },
    /// The zone `:tz` asked for, or why it is not known.
    Zone(Result<crate::zone::Zone, String>),
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    FetchPage {
        request: RequestId,
        page: PageRequest,
        source: Source,
    },
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
    Write {
        request: RequestId,
        write: Write,
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
    /// Write rows to a file in the background, reporting as it goes.
    Export {
        request: RequestId,
        job: ExportJob,
    },
    /// Resolve this profile and talk to its PIK from now on.
    SwitchProfile(String),
    /// Look this zone up in the time-zone database (`:tz NAME`).
    LoadZone(String),
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
