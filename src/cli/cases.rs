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
    /// Read what is mirrored already, without asking PIK for anything.
    #[arg(long)]
    pub offline: bool,
    #[command(flatten)]
    pub args: MirroredArgs,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CaseOrderArg {
    Oldest,
    Largest,
}

fn kind(text: &str) -> Result<CaseKind, String> {
    CaseKind::parse(text).ok_or_else(|| format!("a kind of case is one of: {}", CaseKind::names()))
}
