//! Cells written to hurt: formulas, NUL and control characters, huge text, broken quoting.

use super::*;

#[test]
fn formula_like_text_is_kept_as_text() {
    // Defusing is the CSV export's job; the directory stores what was written.
    let formula = "=HYPERLINK(\"https://evil.example\",\"x\")";
    let parsed = one_row(&[
        (Column::Name, formula),
        (Column::Description, "+cmd|' /C calc'!A0"),
        (Column::ContactPerson, "@SUM(1+1)"),
        (Column::OpeningHours, "-2+3"),
    ]);
    let entry = entry(&parsed);
    assert_eq!(entry.name, formula);
    assert_eq!(entry.description, "+cmd|' /C calc'!A0");
    assert_eq!(entry.contact_person.as_deref(), Some("@SUM(1+1)"));
    assert_eq!(entry.opening_hours.as_deref(), Some("-2+3"));
}

#[test]
fn formulas_do_not_pass_as_references_or_values() {
    let parsed = one_row(&[
        (Column::LegalForm, "=1+1"),
        (Column::Municipality, "=座間市"),
        (Column::Phone, "=0462527966"),
        (Column::Website, "=HYPERLINK(\"https://x.example\")"),
    ]);
    assert_eq!(
        problems(&parsed),
        [
            ("legal_form", "unknown_value"),
            ("municipality", "unknown_reference"),
            ("phone", "invalid_phone"),
            ("website", "invalid_url"),
        ]
        .map(|(c, k)| (c.to_owned(), k.to_owned()))
    );
}

#[test]
fn nul_and_control_characters_never_reach_an_entry() {
    for column in [
        Column::ExternalKey,
        Column::Name,
        Column::NameKana,
        Column::OtherNames,
        Column::Description,
        Column::Prefecture,
        Column::City,
        Column::Street,
        Column::ContactPerson,
        Column::OpeningHours,
        Column::TargetAges,
    ] {
        for hostile in ["a\u{0}b", "\u{0}", "a\u{7f}", "a\rb"] {
            let parsed = one_row(&[(column, hostile)]);
            assert!(parsed.rows.is_empty(), "{column:?} {hostile:?}");
            assert_eq!(parsed.problems[0].code, "control_characters");
        }
    }
    // Lists and references do not match a name with a NUL in it.
    let parsed = one_row(&[
        (Column::Topics, "子育て\u{0}"),
        (Column::Languages, "ja\u{0}"),
        (Column::HiddenFields, "住所\u{0}"),
    ]);
    assert_eq!(parsed.problems.len(), 3, "{:?}", parsed.problems);
}

#[test]
fn line_breaks_and_tabs_inside_quoted_cells_are_text() {
    let parsed = one_row(&[(Column::Description, "見守り訪問\n(月2回)\t毎週")]);
    assert_eq!(entry(&parsed).description, "見守り訪問\n(月2回)\t毎週");
}

#[test]
fn very_long_cells_are_refused_without_being_echoed() {
    let huge = "長".repeat(1 << 20);
    for column in [
        Column::Name,
        Column::LegalForm,
        Column::Municipality,
        Column::Topics,
        Column::HiddenFields,
        Column::Phone,
        Column::Email,
    ] {
        let parsed = one_row(&[(column, &huge)]);
        assert!(parsed.rows.is_empty(), "{column:?}");
        let text = &parsed.problems[0].problem;
        assert!(
            text.chars().count() < 120,
            "{column:?} echoes {} chars",
            text.len()
        );
    }
    let header = format!("{},name\r\nx,y\r\n", "列".repeat(1 << 16));
    let parsed = parse(&header, &region().lookups);
    assert!(parsed.problems[0].column.chars().count() <= row::SHOWN_CHARS + 1);
}

#[test]
fn an_unterminated_quote_swallows_the_rest_but_does_not_panic() {
    let text = "external_key,name,legal_form,municipality\r\nz-1,\"ざま食堂,npo,座間市\r\nz-2,二,npo,座間市\r\n";
    let parsed = parse(text, &region().lookups);
    assert!(parsed.rows.is_empty());
    assert!(!parsed.problems.is_empty());
}
