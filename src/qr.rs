//! QR codes of checkout URLs, drawn with Unicode half blocks so that one
//! text row holds two module rows and a phone can scan it off the terminal.

use qrcode::{Color, EcLevel, QrCode};

/// Modules of light margin on every side; scanners need 4.
pub const QUIET_ZONE: usize = 4;

/// A QR code as a square of modules, quiet zone included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrGrid {
    size: usize,
    /// Row-major; `true` is a dark module.
    dark: Vec<bool>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot make a QR code of this text: {0}")]
pub struct QrError(String);

impl QrGrid {
    /// Encodes `text` with medium error correction, a good balance between
    /// size (it must fit a terminal) and robustness to a phone camera.
    pub fn encode(text: &str) -> Result<Self, QrError> {
        let code =
            QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|err| QrError(err.to_string()))?;
        let inner = code.width();
        let size = inner + 2 * QUIET_ZONE;
        let colors = code.to_colors();
        let mut dark = vec![false; size * size];
        for y in 0..inner {
            for x in 0..inner {
                dark[(y + QUIET_ZONE) * size + x + QUIET_ZONE] = colors[y * inner + x] == Color::Dark;
            }
        }
        Ok(Self { size, dark })
    }

    /// Modules per side, quiet zone included.
    pub fn size(&self) -> usize {
        self.size
    }

    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.size && y < self.size && self.dark[y * self.size + x]
    }

    /// The text rows needed to draw it: two module rows per text row.
    pub fn rows(&self) -> usize {
        self.size.div_ceil(2)
    }

    /// The code as text rows of `size` columns. The block characters stand
    /// for *light* modules: drawn in the terminal's (light) foreground on a
    /// dark background this gives dark-on-light, which every scanner reads.
    /// Callers that can set colours should draw them white on black.
    pub fn half_block_lines(&self) -> Vec<String> {
        (0..self.rows())
            .map(|row| {
                (0..self.size)
                    .map(|x| {
                        let top_light = !self.is_dark(x, 2 * row);
                        // The row past an odd bottom edge counts as light margin.
                        let bottom_light = 2 * row + 1 >= self.size || !self.is_dark(x, 2 * row + 1);
                        match (top_light, bottom_light) {
                            (true, true) => '█',
                            (true, false) => '▀',
                            (false, true) => '▄',
                            (false, false) => ' ',
                        }
                    })
                    .collect()
            })
            .collect()
    }
}

/// Reads half-block text back into modules (`true` = dark): the inverse of
/// [`QrGrid::half_block_lines`], used to check what a terminal shows.
pub fn modules_from_half_blocks(lines: &[String]) -> Vec<Vec<bool>> {
    let mut grid = Vec::with_capacity(lines.len() * 2);
    for line in lines {
        let (mut top, mut bottom) = (Vec::new(), Vec::new());
        for c in line.chars() {
            let (top_light, bottom_light) = match c {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                _ => (false, false),
            };
            top.push(!top_light);
            bottom.push(!bottom_light);
        }
        grid.push(top);
        grid.push(bottom);
    }
    grid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_a_quiet_zone_and_even_rows() {
        let Ok(grid) = QrGrid::encode("https://pay.pik.global/pl_abc123xyz") else { panic!("encode failed") };
        assert!(grid.size() >= 21 + 2 * QUIET_ZONE);
        for i in 0..grid.size() {
            for edge in 0..QUIET_ZONE {
                assert!(!grid.is_dark(i, edge) && !grid.is_dark(edge, i));
            }
        }
        let lines = grid.half_block_lines();
        assert_eq!(lines.len(), grid.rows());
        assert!(lines.iter().all(|l| l.chars().count() == grid.size()));
        let back = modules_from_half_blocks(&lines);
        for (y, row) in back.iter().take(grid.size()).enumerate() {
            for (x, dark) in row.iter().enumerate() {
                assert_eq!(*dark, grid.is_dark(x, y));
            }
        }
    }
}
