//! Logic models as data: the five columns of seed 000 and the indicators on
//! them, an indicator's identity from one version to the next, comparing two
//! versions, and laying a model out for documents (CSV, Markdown).

use crate::ValidationErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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

/// The column of the model an indicator measures.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorColumn {
    Outputs,
    ShortTermOutcomes,
    MidTermOutcomes,
    Impact,
}

impl IndicatorColumn {
    /// The column's name in the city's documents.
    pub fn label(self) -> &'static str {
        match self {
            IndicatorColumn::Outputs => "直接成果",
            IndicatorColumn::ShortTermOutcomes => "短期成果",
            IndicatorColumn::MidTermOutcomes => "中期成果",
            IndicatorColumn::Impact => "長期的成果",
        }
    }
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Stable across versions: the id of an indicator of an earlier version
    /// of this case's model, or absent for a new one (then the indicator of
    /// the latest earlier version with the same name keeps its id, else a
    /// new id is assigned).
    pub id: Option<Uuid>,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(min_length = 1, max_length = 50)]
    pub unit: String,
    pub baseline: Option<f64>,
    pub target: f64,
    pub target_date: Option<NaiveDate>,
    pub applies_to: IndicatorColumn,
}

/// The headers of the indicator table in the CSV and Markdown layouts.
pub const INDICATOR_HEADERS: [&str; 7] = [
    "指標",
    "単位",
    "基準値",
    "目標値",
    "目標期日",
    "対象の列",
    "指標ID",
];

impl Indicator {
    fn cells(&self) -> [String; 7] {
        let number = |n: f64| n.to_string();
        [
            self.name.clone(),
            self.unit.clone(),
            self.baseline.map(number).unwrap_or_default(),
            number(self.target),
            self.target_date.map(|d| d.to_string()).unwrap_or_default(),
            self.applies_to.label().to_owned(),
            self.id.map(|id| id.to_string()).unwrap_or_default(),
        ]
    }
}

/// Gives every indicator of a new version its identity, so measurements
/// bound to an indicator survive a new version. `earlier` holds the
/// indicators of the case's earlier versions, newest first.
///
/// - An indicator sent with an id keeps it; the id must be one of an earlier
///   version's indicators (ids are the server's, never invented by a client).
/// - An indicator sent without an id takes the id of the indicator with the
///   same name (compared after trimming) in the newest earlier version that
///   has one, unless another indicator of the request claims that id.
/// - Otherwise it is new and gets `mint()`.
///
/// Two indicators of one version may share neither an id nor a name.
pub fn assign_identities(
    earlier: &[Vec<Indicator>],
    new: &mut [Indicator],
    mut mint: impl FnMut() -> Uuid,
) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let known = |id: Uuid| earlier.iter().flatten().any(|i| i.id == Some(id));
    let mut claimed: Vec<Uuid> = Vec::new();
    for (n, indicator) in new.iter().enumerate() {
        if let Some(id) = indicator.id {
            if !known(id) {
                errors.add(
                    &format!("indicators[{n}].id"),
                    "unknown_reference",
                    "not an indicator of an earlier version of this logic model; leave the id out for a new indicator",
                );
            } else if claimed.contains(&id) {
                errors.add(
                    &format!("indicators[{n}].id"),
                    "duplicate",
                    "another indicator of this version has the same id",
                );
            }
            claimed.push(id);
        }
        let name = indicator.name.trim();
        if new[..n].iter().any(|other| other.name.trim() == name) {
            errors.add(
                &format!("indicators[{n}].name"),
                "duplicate",
                "another indicator of this version has the same name",
            );
        }
    }
    errors.into_result()?;
    for indicator in new.iter_mut().filter(|i| i.id.is_none()) {
        let name = indicator.name.trim();
        let inherited = earlier
            .iter()
            .find_map(|version| version.iter().find(|i| i.name.trim() == name))
            .and_then(|i| i.id)
            .filter(|id| !claimed.contains(id));
        let id = inherited.unwrap_or_else(&mut mint);
        claimed.push(id);
        indicator.id = Some(id);
    }
    Ok(())
}

/// One field of an indicator that changed between two versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldChange {
    /// `name`, `unit`, `baseline`, `target`, `target_date` or `applies_to`.
    pub field: String,
    /// The value in the older version (`null` when it had none).
    pub from: serde_json::Value,
    /// The value in the newer version (`null` when it has none).
    pub to: serde_json::Value,
}

/// An indicator present in both versions (same id) whose fields changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IndicatorChange {
    pub id: Uuid,
    /// The name in the newer version.
    pub name: String,
    /// Every field that changed, in the order of the indicator's fields.
    pub fields: Vec<FieldChange>,
}

/// Indicators added, removed and changed from `old` to `new`, matched by id.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndicatorDiff {
    pub added: Vec<Indicator>,
    pub removed: Vec<Indicator>,
    pub changed: Vec<IndicatorChange>,
}

pub fn diff_indicators(old: &[Indicator], new: &[Indicator]) -> IndicatorDiff {
    let find = |list: &[Indicator], id: Option<Uuid>| list.iter().find(|i| i.id == id).cloned();
    let fields = |i: &Indicator| -> Vec<(&'static str, serde_json::Value)> {
        vec![
            ("name", i.name.clone().into()),
            ("unit", i.unit.clone().into()),
            ("baseline", serde_json::json!(i.baseline)),
            ("target", serde_json::json!(i.target)),
            ("target_date", serde_json::json!(i.target_date)),
            ("applies_to", serde_json::json!(i.applies_to)),
        ]
    };
    let changed = new
        .iter()
        .filter_map(|after| {
            let before = find(old, after.id)?;
            let fields: Vec<FieldChange> = fields(&before)
                .into_iter()
                .zip(fields(after))
                .filter(|((_, from), (_, to))| from != to)
                .map(|((field, from), (_, to))| FieldChange {
                    field: field.to_owned(),
                    from,
                    to,
                })
                .collect();
            Some(IndicatorChange {
                id: after.id?,
                name: after.name.clone(),
                fields,
            })
            .filter(|change| !change.fields.is_empty())
        })
        .collect();
    IndicatorDiff {
        added: new
            .iter()
            .filter(|i| find(old, i.id).is_none())
            .cloned()
            .collect(),
        removed: old
            .iter()
            .filter(|i| find(new, i.id).is_none())
            .cloned()
            .collect(),
        changed,
    }
}

/// Whether a measurement may carry this date: not after today in Japan
/// (`today`), not before the TRIP starts (`starts`: its `starts_on`, or the
/// day it was created when it has none).
pub fn check_measured_on(
    measured_on: NaiveDate,
    starts: NaiveDate,
    today: NaiveDate,
) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if measured_on > today {
        errors.add(
            "measured_on",
            "in_the_future",
            format!("must not be after today in Japan ({today})"),
        );
    } else if measured_on < starts {
        errors.add(
            "measured_on",
            "before_start",
            format!("must not be before the TRIP starts ({starts})"),
        );
    }
    errors.into_result()
}

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

    /// CSV (RFC 4180) with a UTF-8 byte-order mark, so Excel in Japan opens
    /// it correctly: the five columns, then (when there are indicators) an
    /// empty line and the indicator table with its own header row, as the
    /// city's documents lay them out one under the other.
    pub fn to_csv(&self, indicators: &[Indicator]) -> String {
        let mut out = crate::csv::document(&HEADERS, self.five_column_rows());
        if !indicators.is_empty() {
            out.push_str("\r\n");
            let table =
                crate::csv::document(&INDICATOR_HEADERS, indicators.iter().map(Indicator::cells));
            out.push_str(table.trim_start_matches('\u{feff}'));
        }
        out
    }

    /// A Markdown table of the five columns, then (when there are
    /// indicators) a heading 指標 and the indicator table.
    pub fn to_markdown(&self, indicators: &[Indicator]) -> String {
        let mut out = markdown_table(&HEADERS, self.five_column_rows());
        if !indicators.is_empty() {
            out.push_str("\n### 指標\n\n");
            out.push_str(&markdown_table(
                &INDICATOR_HEADERS,
                indicators.iter().map(Indicator::cells),
            ));
        }
        out
    }
}

fn markdown_table<const N: usize>(
    headers: &[&str; N],
    rows: impl IntoIterator<Item = [String; N]>,
) -> String {
    let cell = |c: &str| c.replace('|', "\\|").replace('\n', "<br>");
    let mut out = format!("| {} |\n|{}\n", headers.join(" | "), " --- |".repeat(N));
    for row in rows {
        out.push_str(&format!(
            "| {} |\n",
            row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
    out
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
        let csv = m.to_csv(&[]);
        assert!(csv.starts_with("\u{feff}\"投入資源\",\"活動\""));
        assert!(csv.contains("\"「交流会」, \"\"月2回\"\"\""));
        assert_eq!(csv.matches("\r\n").count(), 3);
    }

    #[test]
    fn markdown_is_a_five_column_table() {
        let md = model().to_markdown(&[]);
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

    fn indicator(id: Option<Uuid>, name: &str, target: f64) -> Indicator {
        Indicator {
            id,
            name: name.into(),
            unit: "回".into(),
            baseline: Some(0.0),
            target,
            target_date: None,
            applies_to: IndicatorColumn::Outputs,
        }
    }

    fn fixed(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn an_indicator_sent_without_its_id_keeps_it_by_name() {
        let earlier = vec![
            vec![indicator(Some(fixed(2)), "開催回数", 24.0)],
            vec![
                indicator(Some(fixed(1)), "開催回数", 12.0),
                indicator(Some(fixed(3)), "参加者数", 100.0),
            ],
        ];
        let mut new = vec![
            indicator(None, " 開催回数 ", 30.0),
            indicator(None, "参加者数", 120.0),
            indicator(None, "満足度", 80.0),
        ];
        assign_identities(&earlier, &mut new, || fixed(9)).expect("valid");
        // The newest earlier version with that name wins; an indicator
        // dropped in between keeps its id when it comes back.
        assert_eq!(
            new.iter().map(|i| i.id).collect::<Vec<_>>(),
            vec![Some(fixed(2)), Some(fixed(3)), Some(fixed(9))]
        );
    }

    #[test]
    fn an_id_claimed_explicitly_is_not_inherited_by_name() {
        // 開催回数 (id 1) was renamed to 開催日数, and a new 開催回数 is added.
        let earlier = vec![vec![indicator(Some(fixed(1)), "開催回数", 24.0)]];
        let mut new = vec![
            indicator(Some(fixed(1)), "開催日数", 24.0),
            indicator(None, "開催回数", 10.0),
        ];
        assign_identities(&earlier, &mut new, || fixed(9)).expect("valid");
        assert_eq!(new[0].id, Some(fixed(1)));
        assert_eq!(new[1].id, Some(fixed(9)));
    }

    #[test]
    fn invented_duplicate_ids_and_duplicate_names_are_refused() {
        let earlier = vec![vec![indicator(Some(fixed(1)), "開催回数", 24.0)]];
        let fields = |mut new: Vec<Indicator>| {
            assign_identities(&earlier, &mut new, || fixed(9))
                .expect_err("refused")
                .0
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            fields(vec![indicator(Some(fixed(5)), "a", 1.0)]),
            vec![(
                "indicators[0].id".to_owned(),
                "unknown_reference".to_owned()
            )]
        );
        assert_eq!(
            fields(vec![
                indicator(Some(fixed(1)), "a", 1.0),
                indicator(Some(fixed(1)), "b", 1.0)
            ]),
            vec![("indicators[1].id".to_owned(), "duplicate".to_owned())]
        );
        assert_eq!(
            fields(vec![indicator(None, "a", 1.0), indicator(None, "a ", 1.0)]),
            vec![("indicators[1].name".to_owned(), "duplicate".to_owned())]
        );
    }

    #[test]
    fn the_indicator_diff_names_each_changed_field() {
        let old = vec![
            indicator(Some(fixed(1)), "開催回数", 24.0),
            indicator(Some(fixed(2)), "参加者数", 100.0),
        ];
        let mut changed = indicator(Some(fixed(1)), "開催回数", 30.0);
        changed.unit = "件".into();
        changed.baseline = None;
        let new = vec![changed, indicator(Some(fixed(3)), "満足度", 80.0)];
        let d = diff_indicators(&old, &new);
        assert_eq!(
            d.added.iter().map(|i| i.id).collect::<Vec<_>>(),
            vec![Some(fixed(3))]
        );
        assert_eq!(
            d.removed.iter().map(|i| i.id).collect::<Vec<_>>(),
            vec![Some(fixed(2))]
        );
        assert_eq!(
            d.changed,
            vec![IndicatorChange {
                id: fixed(1),
                name: "開催回数".into(),
                fields: vec![
                    FieldChange {
                        field: "unit".into(),
                        from: "回".into(),
                        to: "件".into()
                    },
                    FieldChange {
                        field: "baseline".into(),
                        from: serde_json::json!(0.0),
                        to: serde_json::Value::Null
                    },
                    FieldChange {
                        field: "target".into(),
                        from: serde_json::json!(24.0),
                        to: serde_json::json!(30.0)
                    },
                ]
            }]
        );
        assert_eq!(diff_indicators(&old, &old), IndicatorDiff::default());
    }

    #[test]
    fn exports_carry_the_indicators_under_the_columns() {
        let indicators = vec![indicator(Some(fixed(1)), "開催回数", 24.0)];
        let csv = model().to_csv(&indicators);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[3], "");
        assert_eq!(
            lines[4],
            "\"指標\",\"単位\",\"基準値\",\"目標値\",\"目標期日\",\"対象の列\",\"指標ID\""
        );
        assert_eq!(
            lines[5],
            "\"開催回数\",\"回\",\"0\",\"24\",\"\",\"直接成果\",\"00000000-0000-0000-0000-000000000001\""
        );
        assert_eq!(csv.matches('\u{feff}').count(), 1);
        let md = model().to_markdown(&indicators);
        assert!(md.contains("\n### 指標\n\n| 指標 | 単位 | 基準値 | 目標値 | 目標期日 | 対象の列 | 指標ID |\n| --- | --- | --- | --- | --- | --- | --- |\n| 開催回数 | 回 | 0 | 24 |  | 直接成果 | 00000000-0000-0000-0000-000000000001 |\n"));
    }

    #[test]
    fn measurements_are_dated_between_the_start_and_today() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let (starts, today) = (day("2026-07-01"), day("2026-12-02"));
        assert!(check_measured_on(day("2026-12-02"), starts, today).is_ok());
        assert!(check_measured_on(day("2026-07-01"), starts, today).is_ok());
        let code = |on| {
            check_measured_on(day(on), starts, today)
                .expect_err("refused")
                .0[0]
                .code
                .clone()
        };
        assert_eq!(code("2026-12-03"), "in_the_future");
        assert_eq!(code("2026-06-30"), "before_start");
    }
}
