//! A whole file: keys within it, blank and short lines, the row limit.

use super::*;

const HEADER: &str = "external_key,name,legal_form,municipality";

fn file(rows: &[&str]) -> String {
    let mut text = format!("{HEADER}\r\n");
    for row in rows {
        text.push_str(row);
        text.push_str("\r\n");
    }
    text
}

#[test]
fn a_key_may_appear_once_per_file() {
    let parsed = parse(
        &file(&[
            "zama-001,一,npo,座間市",
            "zama-002,二,npo,座間市",
            "zama-001,三,npo,座間市",
            "zama-001,四,npo,座間市",
        ]),
        &region().lookups,
    );
    let names: Vec<&str> = parsed.rows.iter().map(|r| r.entry.name.as_str()).collect();
    assert_eq!(names, vec!["一", "二"], "the first of a key is kept");
    assert_eq!(
        parsed
            .problems
            .iter()
            .map(|p| (
                p.row,
                p.column.as_str(),
                p.code.as_str(),
                p.problem.as_str()
            ))
            .collect::<Vec<_>>(),
        vec![
            (4, "external_key", "duplicate_key", "the same key as line 2"),
            (5, "external_key", "duplicate_key", "the same key as line 2"),
        ]
    );
    assert_eq!(parsed.rows_read(), 4);
}

#[test]
fn keys_are_compared_after_trimming() {
    let parsed = parse(
        &file(&["zama-001,一,npo,座間市", " zama-001 ,二,npo,座間市"]),
        &region().lookups,
    );
    assert_eq!(
        problems(&parsed),
        vec![("external_key".into(), "duplicate_key".into())]
    );
}

#[test]
fn blank_lines_are_skipped_and_rows_keep_their_numbers() {
    let parsed = parse(
        &file(&["z-1,一,npo,座間市", ",,,", "", "z-2,二,宗教法人,座間市"]),
        &region().lookups,
    );
    assert_eq!(parsed.rows.len(), 1);
    // The empty line is no record at all; the line of commas is one.
    assert_eq!(parsed.problems[0].row, 4);
    assert_eq!(parsed.rows_read(), 2);
}

#[test]
fn short_rows_read_missing_cells_as_empty() {
    let parsed = parse(&file(&["z-1,一"]), &region().lookups);
    assert_eq!(
        problems(&parsed),
        vec![
            ("legal_form".into(), "unknown_value".into()),
            ("municipality".into(), "unknown_reference".into()),
        ]
    );
}

#[test]
fn at_most_max_rows_rows_are_read() {
    let rows: Vec<String> = (1..=3).map(|i| format!("z-{i},名{i},npo,座間市")).collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let parsed = parse_at_most(&file(&rows), &region().lookups, 2);
    assert_eq!(parsed.rows.len(), 2);
    assert_eq!(
        parsed.problems,
        vec![RowProblem {
            row: 4,
            column: "file".into(),
            code: "too_many_rows".into(),
            problem: "at most 2 rows per file".into(),
        }]
    );
}

#[test]
fn the_real_limit_is_a_hundred_thousand_rows() {
    // Records of empty cells count towards the limit but cost nothing to check.
    let mut text = format!("{HEADER}\r\n");
    text.push_str(&",\r\n".repeat(MAX_ROWS));
    assert!(parse(&text, &region().lookups).problems.is_empty());
    text.push_str(",\r\n");
    let parsed = parse(&text, &region().lookups);
    assert_eq!(
        problems(&parsed),
        vec![("file".into(), "too_many_rows".into())]
    );
    assert_eq!(parsed.problems[0].row, MAX_ROWS + 2);
}
