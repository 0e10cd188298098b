//! The settings of the panes' lists: their first sort (`[sort]`), the
//! tables' columns (`[columns]`) and the saved views (`[[views]]`), each
//! checked at start-up and refused naming its line.

use super::{ConfigError, ConfigFile};
use crate::app::columns::{Columns, Table as ColumnTable};
use crate::app::views::ViewDef;
use crate::store::{Kinds, Sort};
use serde::Deserialize;
use toml::Spanned;

/// `[sort]`: a column and an optional direction for each list pane.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SortTable {
    pub links: Option<Spanned<String>>,
    pub transactions: Option<Spanned<String>>,
}

/// A `[[views]]` table, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewTable {
    pub name: String,
    pub query: String,
    pub sort: Option<String>,
    pub key: Option<String>,
    /// `links` or `transactions`, when the query does not say.
    pub kind: Option<String>,
    /// This view's columns, as `[columns]` gives a table's.
    pub columns: Option<Vec<String>>,
}

/// `[columns]`: the columns of each table, in the order they are given up
/// when room is short (from the right).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnsTable {
    pub links: Option<Spanned<Vec<String>>>,
    pub transactions: Option<Spanned<Vec<String>>>,
    pub webhooks: Option<Spanned<Vec<String>>>,
    /// Every view's, unless it gives its own: the names of either kind,
    /// each view showing those of its own.
    pub views: Option<Spanned<Vec<String>>>,
}

/// The panes' first sorts (links, transactions): the file's `[sort]`, else
/// newest first. A column the pane does not have is refused, naming the line
/// and the columns.
pub fn sorts(file: Option<&ConfigFile>, path: &str) -> Result<[Sort; 2], ConfigError> {
    let table = file.and_then(|f| f.sort.as_ref().map(|table| (f, table)));
    let Some((file, table)) = table else { return Ok([Sort::default(); 2]) };
    let read = |written: &Option<Spanned<String>>, kinds: Kinds| match written {
        None => Ok(Sort::default()),
        Some(text) => Sort::parse(text.get_ref(), kinds).map_err(|e| {
            ConfigError::Setting(format!("the config file {path}, line {}: [sort] {e}", file.line_of(text.span())))
        }),
    };
    Ok([read(&table.links, Kinds::Links)?, read(&table.transactions, Kinds::Transactions)?])
}

/// The tables' columns (`[columns]`); an unknown one is refused, naming
/// its line and the names on offer.
pub fn columns(file: Option<&ConfigFile>, path: &str) -> Result<Columns, ConfigError> {
    let mut columns = Columns::default();
    let Some((file, table)) = file.and_then(|f| f.columns.as_ref().map(|table| (f, table))) else {
        return Ok(columns);
    };
    for (kind, written) in [
        (ColumnTable::Links, &table.links),
        (ColumnTable::Transactions, &table.transactions),
        (ColumnTable::Webhooks, &table.webhooks),
    ] {
        let Some(written) = written else { continue };
        let names: Vec<&str> = written.get_ref().iter().map(String::as_str).collect();
        let chosen = crate::app::columns::parse(kind, &names).map_err(|e| {
            ConfigError::Setting(format!(
                "the config file {path}, line {}: [columns] {e}",
                file.line_of(written.span())
            ))
        })?;
        columns.set(kind, chosen);
    }
    if let Some(written) = &table.views {
        let names: Vec<&str> = written.get_ref().iter().map(String::as_str).collect();
        columns.set_views(&names).map_err(|e| {
            ConfigError::Setting(format!(
                "the config file {path}, line {}: [columns] {e}",
                file.line_of(written.span())
            ))
        })?;
    }
    Ok(columns)
}

/// The saved views (`[[views]]`), each read as the search reads it; one that
/// does not read, has a name used twice, or a key used twice is refused,
/// naming its line.
pub fn views(
    file: Option<&ConfigFile>,
    path: &str,
    reading: crate::store::Reading<'_>,
    taken: &dyn Fn(char) -> Option<String>,
    columns: &Columns,
) -> Result<Vec<ViewDef>, ConfigError> {
    let Some(file) = file else { return Ok(Vec::new()) };
    let mut views: Vec<ViewDef> = Vec::new();
    for table in &file.views {
        let line = file.line_of(table.span());
        let refused =
            |why: String| ConfigError::Setting(format!("the config file {path}, line {line}: [[views]] {why}"));
        let written = table.get_ref();
        let view = ViewDef::read(
            &written.name,
            &written.query,
            written.sort.as_deref(),
            written.key.as_deref(),
            written.kind.as_deref(),
            reading,
        )
        .map_err(refused)?;
        let mut view = view;
        let kind = if view.kinds == Kinds::Links { ColumnTable::Links } else { ColumnTable::Transactions };
        view.columns = match &written.columns {
            Some(names) => {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                Some(crate::app::columns::parse(kind, &names).map_err(refused)?)
            }
            None => columns.of_views(view.kinds).map(<[_]>::to_vec),
        };
        if views.iter().any(|v| v.name.eq_ignore_ascii_case(&view.name)) {
            return Err(refused(format!("{:?} is the name of another view", view.name)));
        }
        if let Some(key) = view.key {
            if views.iter().any(|v| v.key == Some(key)) {
                return Err(refused(format!("{key:?} is the key of another view")));
            }
            if let Some(action) = taken(key) {
                return Err(refused(format!("{key:?} is the key of {action} in the panes: choose another")));
            }
        }
        views.push(view);
    }
    Ok(views)
}
