//! Logic models as data: the five columns of seed 000, comparing two
//! versions, and laying a model out as five columns for documents.

use serde::{Deserialize, Serialize};

// Whether a version is the desk's draft or shared. (Not a doc comment: the
// OpenAPI schema has had no description.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogicModelStatus {
    /// The desk's working copy: hidden from departments and the proposer.
    Draft,
    /// Visible to the matched departments and the proposer.
    Shared,
}

crate::code::codes!(LogicModelStatus {
    Draft => "draft",
    Shared => "shared",
});

/// The column lists of a logic model, in seed 000's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns {
    pub inputs: Vec<String>,
    pub activities: Vec<String>,
    pub outputs: Vec<String>,
    pub short_term_outcomes: Vec<String>,
    pub mid_term_outcomes: Vec<String>,
    pub impact: Vec<String>,
}

/// The headers of the five columns, in Japanese as the city's documents use them.
pub const HEADERS: [&str; 5] = [
    "投入資源",
    "活動",
    "直接成果",
    "成果（短期・中期）",
    "長期的成果",
];

impl Columns {
    fn named(&self) -> [(&'static str, &Vec<String>); 6] {
        [
            ("inputs", &self.inputs),
            ("activities", &self.activities),
            ("outputs", &self.outputs),
            ("short_term_outcomes", &self.short_term_outcomes),
            ("mid_term_outcomes", &self.mid_term_outcomes),
            ("impact", &self.impact),
        ]
    }

    /// Rows of five cells: the n-th item of each column; outcomes hold the
    /// short-term items (marked 短期) then the mid-term ones (marked 中期).
    pub fn five_column_rows(&self) -> Vec<[String; 5]> {
        let outcomes: Vec<String> = self
            .short_term_outcomes
            .iter()
            .map(|o| format!("短期: {o}"))
            .chain(self.mid_term_outcomes.iter().map(|o| format!("中期: {o}")))
            .collect();
        let columns = [
            &self.inputs,
            &self.activities,
            &self.outputs,
            &outcomes,
            &self.impact,
        ];
        let rows = columns.iter().map(|c| c.len()).max().unwrap_or(0);
        (0..rows)
            .map(|i| columns.map(|c| c.get(i).cloned().unwrap_or_default()))
            .collect()
    }

    /// CSV (RFC 4180) with a UTF-8 byte-order mark, so Excel in Japan opens it correctly.
    pub fn to_csv(&self) -> String {
        crate::csv::document(&HEADERS, self.five_column_rows())
    }

    /// A Markdown table of the five columns.
    pub fn to_markdown(&self) -> String {
        let cell = |c: &str| c.replace('|', "\\|").replace('\n', "<br>");
        let mut out = format!("| {} |\n|{}\n", HEADERS.join(" | "), " --- |".repeat(5));
        for row in self.five_column_rows() {
            out.push_str(&format!(
                "| {} |\n",
                row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
            ));
        }
        out
    }
}

/// What changed in one column between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ColumnDiff {
    /// `inputs`, `activities`, `outputs`, `short_term_outcomes`, `mid_term_outcomes` or `impact`.
    pub column: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// Items added and removed per column, from `old` to `new` (columns without changes are left out).
pub fn diff(old: &Columns, new: &Columns) -> Vec<ColumnDiff> {
    old.named()
        .into_iter()
        .zip(new.named())
        .filter_map(|((column, before), (_, after))| {
            let added: Vec<String> = after
                .iter()
                .filter(|i| !before.contains(i))
                .cloned()
                .collect();
            let removed: Vec<String> = before
                .iter()
                .filter(|i| !after.contains(i))
                .cloned()
                .collect();
            (!added.is_empty() || !removed.is_empty()).then(|| ColumnDiff {
                column: column.to_owned(),
                added,
                removed,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Columns {
        Columns {
            inputs: vec!["空き店舗".into(), "運営スタッフ2名".into()],
            activities: vec!["月2回の交流会".into()],
            outputs: vec!["開催回数".into()],
            short_term_outcomes: vec!["孤立感の低下".into()],
            mid_term_outcomes: vec!["見守りの拡大".into()],
            impact: vec!["誰もが居場所のある地域".into()],
        }
    }

    #[test]
    fn five_columns_with_outcomes_combined() {
        let rows = model().five_column_rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0],
            [
                "空き店舗",
                "月2回の交流会",
                "開催回数",
                "短期: 孤立感の低下",
                "誰もが居場所のある地域"
            ]
            .map(String::from)
        );
        assert_eq!(
            rows[1],
            ["運営スタッフ2名", "", "", "中期: 見守りの拡大", ""].map(String::from)
        );
    }

    #[test]
    fn csv_has_a_bom_quotes_and_crlf() {
        let mut m = model();
        m.activities = vec!["「交流会」, \"月2回\"".into()];
        let csv = m.to_csv();
        assert!(csv.starts_with("\u{feff}\"投入資源\",\"活動\""));
        assert!(csv.contains("\"「交流会」, \"\"月2回\"\"\""));
        assert_eq!(csv.matches("\r\n").count(), 3);
    }

    #[test]
    fn markdown_is_a_five_column_table() {
        let md = model().to_markdown();
        let lines: Vec<&str> = md.lines().collect();
        assert_eq!(
            lines[0],
            "| 投入資源 | 活動 | 直接成果 | 成果（短期・中期） | 長期的成果 |"
        );
        assert_eq!(lines[1], "| --- | --- | --- | --- | --- |");
        assert_eq!(
            lines[2],
            "| 空き店舗 | 月2回の交流会 | 開催回数 | 短期: 孤立感の低下 | 誰もが居場所のある地域 |"
        );
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn diff_lists_added_and_removed_items_per_column() {
        let old = model();
        let mut new = model();
        new.activities = vec!["月4回の交流会".into()];
        new.impact.push("多世代の交流".into());
        assert_eq!(
            diff(&old, &new),
            vec![
                ColumnDiff {
                    column: "activities".into(),
                    added: vec!["月4回の交流会".into()],
                    removed: vec!["月2回の交流会".into()]
                },
                ColumnDiff {
                    column: "impact".into(),
                    added: vec!["多世代の交流".into()],
                    removed: vec![]
                },
            ]
        );
        assert!(diff(&old, &old).is_empty());
    }
}
