//! Text helpers every screen shares: cell widths, cutting and wrapping to fit, bars, and
//! sizing a table's columns to the width there is.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The number of terminal cells `s` takes.
pub fn cells(s: &str) -> usize {
    Span::raw(s).width()
}

/// `s` cut to `n` characters, with `…` when something was cut.
pub fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!(
            "{}…",
            s.chars().take(n.saturating_sub(1)).collect::<String>()
        )
    }
}

/// A text bar of `width` cells for a value in [0,1].
pub fn bar(value: f64, width: usize) -> String {
    let filled = ((value.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// Wraps `text` at spaces to `width` cells: the first line starts with `lead`, the others
/// are indented under it (a hanging indent). A word longer than a line is broken.
pub fn wrap(lead: &str, text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    let indent = " ".repeat(cells(lead));
    let room = width.saturating_sub(cells(lead)).max(8);
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let need = cells(&row) + usize::from(!row.is_empty()) + cells(word);
        if need <= room {
            if !row.is_empty() {
                row.push(' ');
            }
            row.push_str(word);
            continue;
        }
        if !row.is_empty() {
            rows.push(std::mem::take(&mut row));
        }
        for ch in word.chars() {
            if cells(&row) + cells(ch.encode_utf8(&mut [0; 4])) > room {
                rows.push(std::mem::take(&mut row));
            }
            row.push(ch);
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    rows.into_iter()
        .enumerate()
        .map(|(n, r)| {
            let lead = if n == 0 {
                lead.to_string()
            } else {
                indent.clone()
            };
            Line::from(Span::styled(format!("{lead}{r}"), style))
        })
        .collect()
}

/// A column of a table sized to the screen.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub heading: &'static str,
    /// Never narrower than this (the column is dropped instead).
    pub min: usize,
    /// As wide as this when there is room (`usize::MAX`: takes whatever is left).
    pub want: usize,
    /// Which columns go first when the width runs out: the lowest rank is dropped first.
    pub rank: u8,
}

impl Column {
    /// A column whose content is at most `longest` cells: never cut, and its heading fits.
    pub fn exact(heading: &'static str, longest: usize, rank: u8) -> Column {
        let w = longest.max(cells(heading));
        Column {
            heading,
            min: w,
            want: w,
            rank,
        }
    }

    /// A column that may be cut down to `min` and grows to `want`.
    pub fn flexible(heading: &'static str, min: usize, want: usize, rank: u8) -> Column {
        let want = want.max(min);
        Column {
            heading,
            min,
            want,
            rank,
        }
    }
}

/// The width of each column in `width` cells with one cell between columns: none for a
/// column dropped because the more important ones need the room (the lowest rank goes
/// first). The room left over goes to the columns by rank up to what they want, and what
/// remains to the last column that takes whatever is left.
pub fn fit(columns: &[Column], width: usize) -> Vec<Option<usize>> {
    let mut kept: Vec<bool> = vec![true; columns.len()];
    let need = |kept: &[bool]| -> usize {
        let n = kept.iter().filter(|k| **k).count();
        columns
            .iter()
            .zip(kept)
            .filter(|(_, k)| **k)
            .map(|(c, _)| c.min)
            .sum::<usize>()
            + n.saturating_sub(1)
    };
    while need(&kept) > width {
        let Some(drop) = (0..columns.len())
            .filter(|&i| kept[i])
            .min_by_key(|&i| (columns[i].rank, std::cmp::Reverse(i)))
        else {
            break;
        };
        kept[drop] = false;
        if !kept.iter().any(|k| *k) {
            break;
        }
    }
    let mut widths: Vec<Option<usize>> = columns
        .iter()
        .zip(&kept)
        .map(|(c, k)| k.then_some(c.min))
        .collect();
    let mut spare = width.saturating_sub(need(&kept));
    let mut ranks: Vec<u8> = columns.iter().map(|c| c.rank).collect();
    ranks.sort_unstable_by(|a, b| b.cmp(a));
    ranks.dedup();
    // Columns of one rank share the room cell by cell, so none takes it all.
    for rank in ranks {
        let group: Vec<usize> = (0..columns.len())
            .filter(|&i| kept[i] && columns[i].rank == rank && columns[i].want != usize::MAX)
            .collect();
        while spare > 0 {
            let mut grew = false;
            for &i in &group {
                if let Some(w) = widths[i].as_mut()
                    && *w < columns[i].want
                    && spare > 0
                {
                    *w += 1;
                    spare -= 1;
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
    }
    if let Some(i) = (0..columns.len())
        .rev()
        .find(|&i| kept[i] && columns[i].want == usize::MAX)
        && let Some(w) = widths[i].as_mut()
    {
        *w += spare;
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_drops_the_least_important_and_shares_the_rest() {
        let cols = [
            Column::exact("time", 6, 9),
            Column::flexible("name", 10, 30, 8),
            Column::flexible("note", 10, usize::MAX, 2),
            Column::exact("state", 12, 1),
        ];
        // All fit: the name grows to what it wants, the note takes the rest.
        assert_eq!(fit(&cols, 80), vec![Some(6), Some(30), Some(29), Some(12)]);
        // Too narrow for all: the state goes first.
        assert_eq!(fit(&cols, 30), vec![Some(6), Some(12), Some(10), None]);
        // Even narrower: then the note.
        assert_eq!(fit(&cols, 20), vec![Some(6), Some(13), None, None]);
        // Nothing fits: never a panic.
        assert_eq!(fit(&cols, 0).len(), 4);
    }

    #[test]
    fn cut_and_wrap_never_overflow() {
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 4), "abc");
        for line in wrap(
            "• ",
            "a long line of words to wrap somewhere",
            12,
            Style::new(),
        ) {
            assert!(line.width() <= 12, "{line:?}");
        }
    }
}
