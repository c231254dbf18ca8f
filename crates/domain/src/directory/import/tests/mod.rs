//! The import parser on its own: encodings, headers, every column's checks,
//! keys within a file, the row limit and hostile cells.

use super::*;
use crate::directory::{
    EntryVisibility, HideableField, LegalForm, ParticipationIntent, Vocabulary,
};
use uuid::Uuid;

mod encodings;
mod files;
mod headers;
mod hostile_cells;
mod rows;

struct Region {
    lookups: Lookups,
    zama: Uuid,
    ebina: Uuid,
    all: Vec<Uuid>,
}

/// The four cities of the region and a few terms, as the handler loads them.
fn region() -> Region {
    let mut lookups = Lookups::new();
    let cities = [
        ("142166", "座間市", "Zama"),
        ("142158", "海老名市", "Ebina"),
        ("142182", "綾瀬市", "Ayase"),
        ("142131", "大和市", "Yamato"),
    ];
    let mut all = Vec::new();
    for (code, name, name_en) in cities {
        let id = Uuid::now_v7();
        lookups.add_municipality(id, code, name, name_en);
        all.push(id);
    }
    for (code, label) in [
        ("child_rearing", "子育て"),
        ("loneliness", "孤独・孤立"),
        ("elderly", "高齢"),
    ] {
        lookups.add_term(Vocabulary::Topic, code, label);
    }
    for (code, label) in [
        ("food_support", "食の支援"),
        ("place_to_belong", "居場所づくり"),
    ] {
        lookups.add_term(Vocabulary::Form, code, label);
    }
    Region {
        lookups,
        zama: all[0],
        ebina: all[1],
        all,
    }
}

/// A CSV document (properly quoted) of these headers and rows.
fn csv_text(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(headers).expect("header");
    for row in rows {
        writer.write_record(row).expect("row");
    }
    String::from_utf8(writer.into_inner().expect("flush")).expect("utf-8")
}

/// The cells of a good row with every column, in [`Column::ALL`] order.
fn good_cells() -> Vec<(Column, String)> {
    let values = [
        "zama-001",
        "ざま子ども食堂",
        "ざまこどもしょくどう",
        "こども食堂ざま;ざま食堂",
        "こども食堂",
        "座間市",
        "座間市;海老名市",
        "子育て;loneliness",
        "食の支援",
        "毎月第2土曜日に開催",
        "252-0021",
        "神奈川県",
        "座間市",
        "緑ケ丘一丁目1番1号",
        "35.4886",
        "139.4075",
        "046-111-0001",
        "Info@Kodomo.example.jp",
        "https://kodomo.example.jp",
        "佐藤 一郎",
        "第2土曜 10:00-14:00",
        "0〜18歳",
        "ja;vi",
        "あり",
        "公開",
        "担当者",
        "",
    ];
    Column::ALL
        .into_iter()
        .zip(values)
        .map(|(c, v)| (c, v.to_owned()))
        .collect()
}

/// Parses one good row with `changes` made to it.
fn one_row(changes: &[(Column, &str)]) -> ParsedImport {
    let mut cells = good_cells();
    for (column, value) in changes {
        if let Some(cell) = cells.iter_mut().find(|(c, _)| c == column) {
            cell.1 = (*value).to_owned();
        }
    }
    let headers: Vec<&str> = cells.iter().map(|(c, _)| c.name()).collect();
    let row: Vec<String> = cells.into_iter().map(|(_, v)| v).collect();
    parse(&csv_text(&headers, &[row]), &region().lookups)
}

/// The (column, code) of every problem.
fn problems(parsed: &ParsedImport) -> Vec<(String, String)> {
    parsed
        .problems
        .iter()
        .map(|p| (p.column.clone(), p.code.clone()))
        .collect()
}

fn entry(parsed: &ParsedImport) -> &ImportedEntry {
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert_eq!(parsed.rows.len(), 1);
    &parsed.rows[0].entry
}
