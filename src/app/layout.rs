//! Screen geometry, computed in one place: the ui draws into these areas and
//! the app hit-tests mouse clicks against the same numbers.

use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Area {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub height: u16,
}

impl Area {
    pub fn contains(&self, column: u16, row: u16) -> bool {
        column >= self.x
            && row >= self.y
            && u32::from(column) < u32::from(self.x) + u32::from(self.width)
            && u32::from(row) < u32::from(self.y) + u32::from(self.height)
    }

    /// The area inside a one-cell border.
    pub fn inner(&self) -> Area {
        Area {
            x: self.x.saturating_add(1),
            y: self.y.saturating_add(1),
            width: self.width.saturating_sub(2),
            height: self.height.saturating_sub(2),
        }
    }
}

/// Below this the dashboard shows only "terminal too small".
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 8;
/// From this width the detail is a panel beside the table; below, a popup.
pub const SPLIT_MIN_WIDTH: u16 = 110;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Screen {
    pub too_small: bool,
    pub header: Area,
    /// The table with its border.
    pub table: Area,
    /// The detail panel beside the table (wide terminals).
    pub detail: Option<Area>,
    /// The detail popup over the table (narrow terminals, when open).
    pub popup: Option<Area>,
    pub footer: Area,
}

impl Screen {
    pub fn new(width: u16, height: u16, detail_open: bool) -> Self {
        if width < MIN_WIDTH || height < MIN_HEIGHT {
            return Screen { too_small: true, ..Screen::default() };
        }
        let header = Area { x: 0, y: 0, width, height: 1 };
        let footer = Area { x: 0, y: height - 1, width, height: 1 };
        let body = Area { x: 0, y: 1, width, height: height - 2 };
        if width >= SPLIT_MIN_WIDTH {
            let table_width = width * 62 / 100;
            let table = Area { width: table_width, ..body };
            let detail = Area { x: table_width, width: width - table_width, ..body };
            Screen { too_small: false, header, table, detail: Some(detail), popup: None, footer }
        } else {
            let popup = detail_open.then(|| {
                let margin_x = (width / 10).max(1);
                Area { x: margin_x, y: body.y + 1, width: width - 2 * margin_x, height: body.height.saturating_sub(2) }
            });
            Screen { too_small: false, header, table: body, detail: None, popup, footer }
        }
    }

    /// The rows of table data: inside the border, below the column titles.
    pub fn table_rows(&self) -> Area {
        let inner = self.table.inner();
        Area { y: inner.y.saturating_add(1), height: inner.height.saturating_sub(1), ..inner }
    }
}

/// The Overview's parts inside the table's border: the partial-data note
/// (while the mirror backfills), the money table, the chart, then the
/// needs-attention list's title and rows, which take what is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OverviewAreas {
    pub note: Option<Area>,
    pub money: Area,
    pub chart: Area,
    pub title: Area,
    pub rows: Area,
}

/// Rows cut off the top of an area, one part after another.
struct Cut {
    area: Area,
    taken: u16,
}

impl Cut {
    fn left(&self) -> u16 {
        self.area.height - self.taken
    }

    fn take(&mut self, rows: u16) -> Area {
        let rows = rows.min(self.left());
        let part = Area { y: self.area.y + self.taken, height: rows, ..self.area };
        self.taken += rows;
        part
    }
}

/// The money table: its head, settled, confirmed, pending, failed, links
/// made, links paid.
pub const MONEY_ROWS: u16 = 7;

impl OverviewAreas {
    pub fn new(table: Area, partial: bool) -> Self {
        let mut cut = Cut { area: table.inner(), taken: 0 };
        let note = partial.then(|| cut.take(1));
        let money = cut.take(MONEY_ROWS);
        // The chart gets two fifths of the rest, at least 6 rows (the axes
        // take 2), at most 16; the list keeps a title and 2 rows.
        let left = cut.left();
        let chart = cut.take((left * 2 / 5).clamp(6, 16).min(left.saturating_sub(3)));
        let title = cut.take(1);
        let rows = cut.take(cut.left());
        OverviewAreas { note, money, chart, title, rows }
    }
}

/// Where each tab label sits in the header: (first column, width).
/// Labels are drawn one after another from `start`, one space apart.
pub fn tab_spans(labels: &[String], start: u16) -> Vec<(u16, u16)> {
    let mut x = start;
    labels
        .iter()
        .map(|label| {
            let width = u16::try_from(label.width()).unwrap_or(u16::MAX);
            let span = (x, width);
            x = x.saturating_add(width).saturating_add(1);
            span
        })
        .collect()
}

/// Where the tabs start: after the product name.
pub const TABS_START: u16 = 10;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_splits_narrow_pops_up_tiny_gives_up() {
        let wide = Screen::new(160, 40, false);
        assert!(wide.detail.is_some() && wide.popup.is_none());
        assert_eq!(wide.table.width + wide.detail.map(|d| d.width).unwrap_or(0), 160);
        let narrow = Screen::new(80, 24, true);
        assert!(narrow.detail.is_none() && narrow.popup.is_some());
        assert!(Screen::new(80, 24, false).popup.is_none());
        assert!(Screen::new(1, 1, true).too_small);
        assert!(Screen::new(39, 40, false).too_small);
        let rows = narrow.table_rows();
        assert_eq!((rows.y, rows.height), (3, 24 - 2 - 3));
    }

    #[test]
    fn the_overview_fits_80_by_24_and_grows_its_list_on_tall_screens() {
        let small = OverviewAreas::new(Screen::new(80, 24, false).table, false);
        assert_eq!((small.money.height, small.chart.height, small.title.height, small.rows.height), (7, 6, 1, 6));
        assert_eq!(small.rows.y + small.rows.height, 22, "down to the table's bottom border");
        let partial = OverviewAreas::new(Screen::new(80, 24, false).table, true);
        assert_eq!((partial.note.map(|n| n.height), partial.rows.height), (Some(1), 5));
        let large = OverviewAreas::new(Screen::new(200, 50, false).table, false);
        assert_eq!((large.chart.height, large.rows.height), (15, 23));
        let tiny = OverviewAreas::new(Screen::new(40, 8, false).table, true);
        assert!(tiny.rows.y + tiny.rows.height <= 7);
    }

    #[test]
    fn tab_spans_follow_the_labels() {
        let spans = tab_spans(&["1 Links".into(), "2 Tx".into()], 10);
        assert_eq!(spans, [(10, 7), (18, 4)]);
    }
}
