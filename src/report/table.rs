//! Small helpers for the aligned tables `sweep` and `compare` print (and text cut to fit).

/// Prints a report as pretty JSON, or in its readable form.
pub fn emit<T: serde::Serialize>(report: &T, json: bool, human: impl FnOnce(&T) -> String) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(report).unwrap_or_default()
        );
    } else {
        print!("{}", human(report));
    }
}

/// `text` cut to `width` characters, with `…` where it was cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A share as a percentage with one decimal: `61.5%`.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// Cells joined by `gap` into lines no wider than `width` (a cell wider than that stands on
/// its own line, cut to fit).
pub fn wrap(cells: &[String], gap: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for cell in cells {
        let cell = fit(cell, width);
        let needed = line.chars().count() + gap.chars().count() + cell.chars().count();
        if !line.is_empty() && needed > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push_str(gap);
        }
        line.push_str(&cell);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Every line without trailing spaces (padded last columns leave them).
pub fn trim_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_with_an_ellipsis() {
        assert_eq!(fit("abcdef", 10), "abcdef");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("é文字ab", 3), "é文…");
    }

    #[test]
    fn wrap_keeps_lines_within_the_width() {
        let cells: Vec<String> = (0..20).map(|i| format!("cell{i} 12.5%")).collect();
        let lines = wrap(&cells, "  ", 40);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.chars().count() <= 40));
        assert_eq!(lines.join("  "), cells.join("  "));
    }
}
