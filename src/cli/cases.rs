//! `pik-tui cases`: what went wrong with orders, from the mirror.

use super::MirroredArgs;
use crate::cases::CaseKind;
use clap::{Args, Subcommand};

#[derive(Debug, Clone, Args)]
pub struct CasesArgs {
    #[command(subcommand)]
    pub command: Option<CasesCommand>,
    /// Only this kind: underpaid, overpaid, paid-twice, paid-late, stuck-pending,
    /// not-credited, failed-never-paid.
    #[arg(long, value_parser = kind)]
    pub kind: Option<CaseKind>,
    /// The oldest first, or the most money at stake first.
    #[arg(long, value_enum, default_value_t = CaseOrderArg::Oldest)]
    pub order: CaseOrderArg,
    /// Which cases by their handling: open ones (resolved ones leave the
    /// list), open and claimed by you, open and claimed by no one, resolved,
    /// or resolved today (a local day of --tz).
    #[arg(long, value_enum, default_value_t = HandledArg::Open)]
    pub show: HandledArg,
    /// Read what is mirrored already, without asking PIK for anything.
    #[arg(long)]
    pub offline: bool,
    #[command(flatten)]
    pub args: MirroredArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HandledArg {
    Open,
    Mine,
    Unclaimed,
    Resolved,
    ResolvedToday,
}

#[derive(Debug, Clone, Subcommand)]
pub enum CasesCommand {
    /// One order's case: its story, every rule it meets, and the next step.
    Show {
        /// The payment link (pl_…).
        link_id: String,
        /// Read what is mirrored already, without asking PIK for anything.
        #[arg(long)]
        offline: bool,
        #[command(flatten)]
        args: MirroredArgs,
    },
    /// A balance link for what an underpaid order is missing: exactly that
    /// amount, its currency, "Balance for … (pl_…)"; printed with its QR
    /// code as `links create` does. Sent once, never retried.
    Balance {
        /// The payment link (pl_…) of the underpaid order.
        link_id: String,
        /// Print no QR code.
        #[arg(long)]
        no_qr: bool,
        /// Read what is mirrored already, without asking PIK for anything
        /// but the create.
        #[arg(long)]
        offline: bool,
        #[command(flatten)]
        args: MirroredArgs,
    },
    /// The reply to the customer for the order's case, from the template of
    /// its kind (the defaults, or `[replies]` in the config), values cleaned.
    Reply {
        /// The payment link (pl_…).
        link_id: String,
        /// Another kind's template.
        #[arg(long, value_parser = kind)]
        template: Option<CaseKind>,
        /// Read what is mirrored already, without asking PIK for anything.
        #[arg(long)]
        offline: bool,
        #[command(flatten)]
        args: MirroredArgs,
    },
    /// Claim the order's case: it is yours. A case another agent claimed is
    /// not taken from them: you are told who has it.
    Claim {
        /// The payment link (pl_…).
        link_id: String,
        #[command(flatten)]
        args: MirroredArgs,
    },
    /// Release a claim.
    Release {
        link_id: String,
        #[command(flatten)]
        args: MirroredArgs,
    },
    /// Resolve the case, with a reason on one line ("refunded outside PIK").
    /// It leaves the list, and opens again by itself when its payments change.
    Resolve {
        link_id: String,
        /// Why it is resolved, at most 200 characters.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        args: MirroredArgs,
    },
    /// Open a resolved case again.
    Reopen {
        link_id: String,
        #[command(flatten)]
        args: MirroredArgs,
    },
    /// Add a note to the case (at most 4,000 characters; several lines).
    Note {
        link_id: String,
        text: String,
        #[command(flatten)]
        args: MirroredArgs,
    },
    /// The team's handling of cases (claims, releases, resolutions,
    /// reopenings, notes) as JSON Lines, to standard output or a file.
    Export {
        /// Write to this file (it must not exist) instead of standard output.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
        #[command(flatten)]
        args: MirroredArgs,
    },
    /// Read back a file `cases export` wrote. Acts already held are skipped,
    /// so importing twice changes nothing; a bad line refuses the whole file.
    Import {
        file: std::path::PathBuf,
        #[command(flatten)]
        args: MirroredArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CaseOrderArg {
    Oldest,
    Largest,
}

fn kind(text: &str) -> Result<CaseKind, String> {
    CaseKind::parse(text).ok_or_else(|| format!("a kind of case is one of: {}", CaseKind::names()))
}

/// `pik-tui audit`: what agents did through pik-tui.
#[derive(Debug, Clone, Args)]
pub struct AuditArgs {
    /// Only this agent's acts.
    #[arg(long)]
    pub agent: Option<String>,
    /// From this moment: 2026-11-29 (a local day of --tz), yesterday, 7d, or an RFC 3339 time.
    #[arg(long)]
    pub from: Option<String>,
    /// Up to this moment (a day or word takes in the whole of it).
    #[arg(long)]
    pub to: Option<String>,
    #[command(flatten)]
    pub args: MirroredArgs,
}
