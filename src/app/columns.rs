//! The columns of the Links, Transactions and Webhooks tables: which are on
//! offer, which the agent chose (`[columns]` in the config file), in the
//! order that is also their priority. A narrow table gives up columns from
//! the right of that order, never the id, the amount (with its currency) or
//! the status; a wide
//! one shows the later columns the default lists hold for it.

/// A column any of the tables can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Id,
    Amount,
    Currency,
    Status,
    /// A link's description; beside a payment, its link's (the order).
    Description,
    /// How long ago it was created.
    Age,
    /// A link's checkout URL, or a webhook's endpoint.
    Url,
    /// When a link was paid.
    Paid,
    /// A payment's link.
    Link,
    /// A payment's transaction hash.
    Hash,
    Confirmed,
    Settled,
    /// The events a webhook receives.
    Events,
}

/// A column as chosen: its width when the agent gave one (`"description:40"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chosen {
    pub column: Column,
    pub width: Option<u16>,
}

/// Which table a list of columns is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Links,
    Transactions,
    Webhooks,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Links => "links",
            Table::Transactions => "transactions",
            Table::Webhooks => "webhooks",
        }
    }

    /// Whether a written entry (`"description:40"`) names one of its columns.
    pub fn offers(self, written: &str) -> bool {
        let name = written.split(':').next().unwrap_or("").trim();
        self.offered().iter().any(|c| c.name().eq_ignore_ascii_case(name))
    }

    /// Every column it can show, in the default order; those after the
    /// first few show only when the table is wide enough.
    pub fn offered(self) -> &'static [Column] {
        use Column::*;
        match self {
            Table::Links => &[Id, Amount, Currency, Status, Age, Description, Paid, Url],
            Table::Transactions => &[Id, Link, Amount, Currency, Status, Age, Description, Settled, Confirmed, Hash],
            Table::Webhooks => &[Id, Url, Events, Status, Age],
        }
    }
}

const NAMES: &[(Column, &str)] = &[
    (Column::Id, "id"),
    (Column::Amount, "amount"),
    (Column::Currency, "currency"),
    (Column::Status, "status"),
    (Column::Description, "description"),
    (Column::Age, "age"),
    (Column::Url, "url"),
    (Column::Paid, "paid"),
    (Column::Link, "link"),
    (Column::Hash, "hash"),
    (Column::Confirmed, "confirmed"),
    (Column::Settled, "settled"),
    (Column::Events, "events"),
];

impl Column {
    pub fn name(self) -> &'static str {
        NAMES.iter().find(|(column, _)| *column == self).map(|(_, name)| *name).unwrap_or("?")
    }

    /// Never given up for room: what a row is, and what it is worth (an
    /// amount is not one without its currency).
    pub fn kept(self) -> bool {
        matches!(self, Column::Id | Column::Amount | Column::Currency | Column::Status)
    }
}

/// The names a view's columns may have: a link's or a payment's.
pub fn names_of_views() -> String {
    let mut names: Vec<&str> = Vec::new();
    for column in Table::Links.offered().iter().chain(Table::Transactions.offered()) {
        if !names.contains(&column.name()) {
            names.push(column.name());
        }
    }
    names.join(", ")
}

/// The columns of the three tables, and of the views (`[columns] views`:
/// names of either kind, each view taking those of its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub links: Vec<Chosen>,
    pub transactions: Vec<Chosen>,
    pub webhooks: Vec<Chosen>,
    pub views: Option<[Vec<Chosen>; 2]>,
}

impl Default for Columns {
    fn default() -> Self {
        let all = |table: Table| table.offered().iter().map(|&column| Chosen { column, width: None }).collect();
        Columns {
            links: all(Table::Links),
            transactions: all(Table::Transactions),
            webhooks: all(Table::Webhooks),
            views: None,
        }
    }
}

impl Columns {
    pub fn of(&self, table: Table) -> &[Chosen] {
        match table {
            Table::Links => &self.links,
            Table::Transactions => &self.transactions,
            Table::Webhooks => &self.webhooks,
        }
    }

    /// Every view's of a kind, when `[columns] views` gives them.
    pub fn of_views(&self, kinds: crate::store::Kinds) -> Option<&[Chosen]> {
        let [links, transactions] = self.views.as_ref()?;
        Some(if kinds == crate::store::Kinds::Links { links } else { transactions })
    }

    /// Reads `[columns] views`: each entry a column of links or of
    /// payments (or both); each kind keeps its own.
    pub fn set_views(&mut self, written: &[&str]) -> Result<(), String> {
        for entry in written {
            let of = |table: Table| table.offers(entry).then(|| parse(table, &[entry])).transpose();
            let (links, transactions) = (of(Table::Links)?, of(Table::Transactions)?);
            if links.is_none() && transactions.is_none() {
                return Err(format!("{entry:?} is not a column of views: use {}", names_of_views()));
            }
        }
        let of = |table: Table| {
            let names: Vec<&str> = written.iter().copied().filter(|entry| table.offers(entry)).collect();
            parse(table, &names)
        };
        self.views = Some([of(Table::Links)?, of(Table::Transactions)?]);
        Ok(())
    }

    pub fn set(&mut self, table: Table, chosen: Vec<Chosen>) {
        match table {
            Table::Links => self.links = chosen,
            Table::Transactions => self.transactions = chosen,
            Table::Webhooks => self.webhooks = chosen,
        }
    }
}

/// Reads a table's list as written (`"id"`, `"description:40"`); what
/// goes wrong names the entry and lists the names on offer. The id, the
/// amount and the status are added where they are left out: a row is not
/// shown without them.
pub fn parse(table: Table, written: &[&str]) -> Result<Vec<Chosen>, String> {
    let offered = table.offered();
    let names = || offered.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ");
    let mut chosen: Vec<Chosen> = Vec::new();
    for entry in written {
        let (name, width) = match entry.split_once(':') {
            Some((name, width)) => (name.trim(), Some(width.trim())),
            None => (entry.trim(), None),
        };
        let column = offered.iter().copied().find(|c| c.name().eq_ignore_ascii_case(name));
        let Some(column) = column else {
            return Err(format!("{:?} is not a column of {}: use {}", entry, table.name(), names()));
        };
        let width = match width {
            None => None,
            // A cut id, amount or status would read as another.
            Some(_) if column.kept() => {
                return Err(format!("{entry:?}: the id, amount, currency and status keep their own widths"));
            }
            Some(width) => match width.parse::<u16>() {
                Ok(n) if (3..=200).contains(&n) => Some(n),
                _ => {
                    return Err(format!(
                        "{entry:?}: a width is a number of columns from 3 to 200, as in \"description:40\""
                    ));
                }
            },
        };
        if chosen.iter().any(|c| c.column == column) {
            return Err(format!("{:?} is listed twice in {}", column.name(), table.name()));
        }
        chosen.push(Chosen { column, width });
    }
    // Each one left out goes after the one before it on offer (the
    // currency after the amount), or first.
    let mut previous: Option<Column> = None;
    for kept in offered.iter().copied().filter(|c| c.kept()) {
        if !chosen.iter().any(|c| c.column == kept) {
            let at = previous.and_then(|p| chosen.iter().position(|c| c.column == p)).map_or(0, |at| at + 1);
            chosen.insert(at, Chosen { column: kept, width: None });
        }
        previous = Some(kept);
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_reads_with_widths_and_keeps_what_a_row_needs() {
        let chosen = parse(Table::Links, &["amount", "description:40", "age"]);
        let Ok(chosen) = chosen else { panic!("{chosen:?}") };
        let names: Vec<_> = chosen.iter().map(|c| (c.column.name(), c.width)).collect();
        assert_eq!(
            names,
            [
                ("id", None),
                ("amount", None),
                ("currency", None),
                ("status", None),
                ("description", Some(40)),
                ("age", None)
            ],
            "the id, the currency and the status are put back"
        );
        let unknown = parse(Table::Transactions, &["id", "colour"]);
        assert!(unknown.as_ref().is_err_and(|e| e.contains("\"colour\"") && e.contains("hash")), "{unknown:?}");
        assert!(parse(Table::Links, &["description:wide"]).is_err());
        assert!(parse(Table::Links, &["amount:3"]).is_err_and(|e| e.contains("keep their own widths")));
        assert!(parse(Table::Links, &["id", "id"]).is_err());
        assert!(parse(Table::Webhooks, &["paid"]).is_err(), "a link's column is not a webhook's");
    }
}
