//! CSV for people who open it in Excel: RFC 4180 quoting, CRLF line ends and
//! a UTF-8 byte-order mark (without it, Excel in Japan reads UTF-8 as
//! Shift_JIS). Text that Excel would run as a formula is defused.

/// A whole CSV document: the header row, then the rows.
pub fn document<R>(headers: &[&str], rows: impl IntoIterator<Item = R>) -> String
where
    R: IntoIterator,
    R::Item: AsRef<str>,
{
    let mut out = String::from("\u{feff}");
    push_row(&mut out, headers.iter());
    for row in rows {
        push_row(&mut out, row.into_iter());
    }
    out
}

fn push_row<I>(out: &mut String, cells: I)
where
    I: Iterator,
    I::Item: AsRef<str>,
{
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&quote(cell.as_ref()));
    }
    out.push_str("\r\n");
}

fn quote(cell: &str) -> String {
    // A cell starting with = + - @ (or a tab / CR) is a formula to Excel;
    // numbers such as -1.5 stay numbers.
    let formula =
        cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err();
    let prefix = if formula { "'" } else { "" };
    format!("\"{prefix}{}\"", cell.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_a_bom_quotes_every_cell_and_ends_lines_with_crlf() {
        let csv = document(&["名前", "値"], [vec!["座間 \"市\"", "1,5"]]);
        assert_eq!(
            csv,
            "\u{feff}\"名前\",\"値\"\r\n\"座間 \"\"市\"\"\",\"1,5\"\r\n"
        );
    }

    #[test]
    fn defuses_formulas_but_not_negative_numbers() {
        let csv = document(
            &["a"],
            [vec!["=HYPERLINK(\"x\")"], vec!["-1.5"], vec!["@SUM(A1)"]],
        );
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""));
        assert!(csv.contains("\r\n\"-1.5\"\r\n"));
        assert!(csv.contains("\"'@SUM(A1)\""));
    }
}
