//! The directory's CSV import, without IO: the columns of the format
//! ([`Column`]), the file's encoding ([`decode`]), and its rows parsed into
//! checked entries or problems by row and column ([`parse`]).
//!
//! The caller reads the body, loads the [`Lookups`] (municipalities and
//! taxonomy terms), and plans and writes what [`parse`] returns; a row that
//! parsed is valid, so nothing after it checks a cell again.

mod columns;
mod encoding;
mod lookups;
mod row;
#[cfg(test)]
mod tests;

pub use columns::Column;
pub use encoding::{decode, CsvEncoding, DecodeError, Decoded};
pub use lookups::Lookups;
pub use row::{ImportedEntry, ImportedLocation};

use serde::Serialize;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

/// Most data rows a file may have.
pub const MAX_ROWS: usize = 100_000;

/// One problem of one row.
#[derive(Serialize, ToSchema, Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// The line in the file, the header being line 1.
    pub row: usize,
    /// The column's English name (`file` for the file as a whole).
    pub column: String,
    /// A stable code, e.g. `required`, `unknown_term`, `duplicate_key`.
    pub code: String,
    pub problem: String,
}

impl RowProblem {
    fn file(row: usize, code: &str, problem: impl Into<String>) -> RowProblem {
        RowProblem {
            row,
            column: "file".to_owned(),
            code: code.to_owned(),
            problem: problem.into(),
        }
    }
}

/// A row that parsed: an entry to create or to replace the one with its key.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// The line in the file, the header being line 1.
    pub line: usize,
    pub entry: ImportedEntry,
}

/// A whole file: the rows that parsed and the problems of the others. A
/// file with problems is written not at all.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedImport {
    pub rows: Vec<ImportRow>,
    pub problems: Vec<RowProblem>,
}

impl ParsedImport {
    /// The data rows read: those that parsed and those with problems.
    pub fn rows_read(&self) -> usize {
        let with_problems: HashSet<usize> = self
            .problems
            .iter()
            .filter(|p| p.row > 1)
            .map(|p| p.row)
            .collect();
        self.rows.len() + with_problems.len()
    }

    fn refused(problems: Vec<RowProblem>) -> ParsedImport {
        ParsedImport {
            rows: Vec::new(),
            problems,
        }
    }
}

/// Parses the decoded text of a file: the header (columns in any order,
/// English or Japanese names), then every row, each checked on its own;
/// an `external_key` may appear once per file.
pub fn parse(text: &str, lookups: &Lookups) -> ParsedImport {
    parse_at_most(text, lookups, MAX_ROWS)
}

fn parse_at_most(text: &str, lookups: &Lookups, max_rows: usize) -> ParsedImport {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return ParsedImport::refused(vec![RowProblem::file(
                1,
                "unreadable",
                format!("the header line cannot be read: {e}"),
            )])
        }
    };
    let (index, problems) = header_index(&headers);
    if !problems.is_empty() {
        return ParsedImport::refused(problems);
    }
    let mut parsed = ParsedImport::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        if n >= max_rows {
            parsed.problems.push(RowProblem::file(
                line,
                "too_many_rows",
                format!("at most {max_rows} rows per file"),
            ));
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                parsed.problems.push(RowProblem::file(
                    line,
                    "unreadable",
                    format!("the line cannot be read: {e}"),
                ));
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells = row::Cells::new(&record, &index);
        match row::parse_row(line, &cells, lookups) {
            Ok(entry) => match seen.get(&entry.external_key) {
                Some(first) => parsed.problems.push(RowProblem {
                    row: line,
                    column: Column::ExternalKey.name().to_owned(),
                    code: "duplicate_key".to_owned(),
                    problem: format!("the same key as line {first}"),
                }),
                None => {
                    seen.insert(entry.external_key.clone(), line);
                    parsed.rows.push(ImportRow { line, entry });
                }
            },
            Err(problems) => parsed.problems.extend(problems),
        }
    }
    parsed
}

/// Where each column is in the file; problems for unknown, repeated and
/// missing required columns.
fn header_index(headers: &csv::StringRecord) -> (HashMap<Column, usize>, Vec<RowProblem>) {
    let mut index = HashMap::new();
    let mut problems = Vec::new();
    let mut header_problem = |column: &str, code: &str, problem: &str| {
        problems.push(RowProblem {
            row: 1,
            column: column.to_owned(),
            code: code.to_owned(),
            problem: problem.to_owned(),
        });
    };
    for (i, header) in headers.iter().enumerate() {
        match Column::from_header(header) {
            Some(column) => {
                if index.insert(column, i).is_some() {
                    header_problem(
                        column.name(),
                        "duplicate_column",
                        "the column appears more than once",
                    );
                }
            }
            None => header_problem(
                &row::shown(header.trim().trim_start_matches('\u{feff}')),
                "unknown_column",
                "not a column of the import format",
            ),
        }
    }
    for required in Column::REQUIRED {
        if !index.contains_key(&required) {
            header_problem(required.name(), "missing_column", "this column is required");
        }
    }
    (index, problems)
}
