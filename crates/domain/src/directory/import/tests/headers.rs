//! The header line: names, aliases, order, unknown, repeated and missing columns.

use super::*;

#[test]
fn every_name_and_alias_names_its_column() {
    for column in Column::ALL {
        assert_eq!(Column::from_header(column.name()), Some(column));
        assert!(!column.aliases().is_empty(), "{column:?}");
        for alias in column.aliases() {
            assert_eq!(Column::from_header(alias), Some(column), "{alias}");
        }
    }
    assert_eq!(Column::from_header(" 名称 "), Some(Column::Name));
    assert_eq!(
        Column::from_header("\u{feff}外部キー"),
        Some(Column::ExternalKey)
    );
    assert_eq!(Column::from_header("Name"), None, "names are exact");
}

#[test]
fn names_and_aliases_are_unambiguous() {
    let mut seen = std::collections::HashSet::new();
    for column in Column::ALL {
        for header in column.aliases().iter().chain([&column.name()]) {
            assert!(seen.insert(*header), "{header} names two columns");
        }
    }
}

#[test]
fn japanese_headers_in_any_order_read_like_english_ones() {
    let text = "所在市,法人格,団体名,管理番号,非公開項目,対象課題\r\n座間市,NPO法人,ざま食堂,z-1,住所;電話,子育て\r\n";
    let parsed = parse(text, &region().lookups);
    let entry = entry(&parsed);
    assert_eq!(entry.external_key, "z-1");
    assert_eq!(entry.name, "ざま食堂");
    assert_eq!(entry.legal_form, LegalForm::Npo);
    assert_eq!(entry.municipality_id, region_zama(&parsed));
    // A hidden address hides the position too (coordinates give it away).
    assert_eq!(
        entry.hidden_fields,
        vec![
            HideableField::Address,
            HideableField::Position,
            HideableField::Phone
        ]
    );
    assert_eq!(entry.topics, vec!["child_rearing"]);
}

/// Lookups make fresh ids each time: the Zama of this parse is the one
/// its entry serves.
fn region_zama(parsed: &ParsedImport) -> Uuid {
    parsed.rows[0].entry.serves_municipality_ids[0]
}

#[test]
fn a_bom_left_in_the_text_does_not_hide_the_first_column() {
    let text = "\u{feff}external_key,name,legal_form,municipality\r\nz-1,x,npo,Zama\r\n";
    let parsed = parse(text, &region().lookups);
    assert_eq!(entry(&parsed).external_key, "z-1");
}

#[test]
fn unknown_repeated_and_missing_columns_refuse_the_file() {
    let parsed = parse("名称,好きな色,name\r\nx,赤,y\r\n", &region().lookups);
    assert!(parsed.rows.is_empty());
    let found = problems(&parsed);
    for expected in [
        ("好きな色", "unknown_column"),
        ("name", "duplicate_column"),
        ("external_key", "missing_column"),
        ("legal_form", "missing_column"),
        ("municipality", "missing_column"),
    ] {
        assert!(
            found.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} in {found:?}"
        );
    }
    assert!(parsed.problems.iter().all(|p| p.row == 1));
    assert_eq!(parsed.rows_read(), 0, "no data row was read");
}

#[test]
fn only_the_required_columns_make_a_good_file() {
    let text = "external_key,name,legal_form,municipality\r\nz-1,ざま食堂,任意団体,zama\r\n";
    let parsed = parse(text, &region().lookups);
    let entry = entry(&parsed);
    assert_eq!(entry.legal_form, LegalForm::VoluntaryGroup);
    assert_eq!(entry.participation_intent, ParticipationIntent::Unknown);
    assert_eq!(entry.visibility, EntryVisibility::Public);
    assert_eq!(entry.location, None);
    assert_eq!(entry.description, "");
    assert!(entry.topics.is_empty() && entry.hidden_fields.is_empty());
}
