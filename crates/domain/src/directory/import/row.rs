//! One row of an import: its cells checked into an [`ImportedEntry`], or
//! every problem found in them.

use super::{Column, Lookups, RowProblem};
use crate::directory::{
    language, phone, position, position::PositionPublication, EntryVisibility, HideableField,
    LegalForm, ParticipationIntent, Vocabulary,
};
use crate::identity::{postal_code, website};
use crate::names::bounded_text;
use crate::validation::dedup;
use crate::{Email, ValidationErrors};
use csv::StringRecord;
use std::collections::HashMap;
use uuid::Uuid;

/// An entry as a row describes it, every value checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedEntry {
    /// The key in the municipality's spreadsheet: unique in the file.
    pub external_key: String,
    pub name: String,
    pub name_kana: Option<String>,
    /// At most 10.
    pub other_names: Vec<String>,
    pub legal_form: LegalForm,
    pub description: String,
    pub municipality_id: Uuid,
    /// Never empty: the entry's own municipality when the row names none.
    pub serves_municipality_ids: Vec<Uuid>,
    /// Topic codes, each once.
    pub topics: Vec<String>,
    /// Form codes, each once.
    pub forms: Vec<String>,
    /// A row has one place at most: its address and position, if it gives any.
    pub location: Option<ImportedLocation>,
    pub phone: Option<String>,
    pub email: Option<Email>,
    pub website: Option<String>,
    pub contact_person: Option<String>,
    pub opening_hours: Option<String>,
    pub target_ages: Option<String>,
    /// Language tags, each once.
    pub languages: Vec<String>,
    pub participation_intent: ParticipationIntent,
    pub visibility: EntryVisibility,
    /// Each once, in the order of [`HideableField::ALL`]; names `position`
    /// whenever the address is hidden ([`position::settle`]).
    pub hidden_fields: Vec<HideableField>,
    pub position_publication: PositionPublication,
}

/// The place of a row.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedLocation {
    pub postal_code: Option<String>,
    pub prefecture: Option<String>,
    pub city: Option<String>,
    pub street: Option<String>,
    /// Latitude and longitude, in degrees on Earth.
    pub position: Option<(f64, f64)>,
}

/// The cells of one row, by column; a column the file lacks reads empty.
pub(super) struct Cells<'r> {
    record: &'r StringRecord,
    index: &'r HashMap<Column, usize>,
}

impl<'r> Cells<'r> {
    pub(super) fn new(record: &'r StringRecord, index: &'r HashMap<Column, usize>) -> Self {
        Cells { record, index }
    }

    fn get(&self, column: Column) -> &'r str {
        self.index
            .get(&column)
            .and_then(|i| self.record.get(*i))
            .map_or("", str::trim)
    }
}

/// Splits a list cell: `;`, `；`, `、`, `,` (inside the quoted cell) or `|`.
fn list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split([';', '；', '、', '|', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The problems of one row, as they are found.
struct RowCheck {
    line: usize,
    problems: Vec<RowProblem>,
}

impl RowCheck {
    fn add(&mut self, column: Column, code: &str, problem: impl Into<String>) {
        self.problems.push(RowProblem {
            row: self.line,
            column: column.name().to_owned(),
            code: code.to_owned(),
            problem: problem.into(),
        });
    }

    /// Keeps the value of a field check, or records its problems.
    fn check<T>(&mut self, column: Column, result: Result<T, ValidationErrors>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(errors) => {
                for e in errors.0 {
                    self.add(column, &e.code, e.message);
                }
                None
            }
        }
    }

    /// An optional text cell: empty is `None`, otherwise 1 to `max`
    /// characters without control characters.
    fn text(&mut self, column: Column, cell: &str, max: usize) -> Option<String> {
        if cell.is_empty() {
            return None;
        }
        self.check(column, bounded_text(column.name(), cell, 1, max))
    }

    /// A text cell that must not be empty.
    fn required_text(&mut self, column: Column, cell: &str, max: usize) -> Option<String> {
        if cell.is_empty() {
            self.add(column, "required", "must not be empty");
            return None;
        }
        self.text(column, cell, max)
    }

    /// An optional cell checked by `parse`.
    fn optional<T>(
        &mut self,
        column: Column,
        cell: &str,
        parse: impl FnOnce(&str, &str) -> Result<T, ValidationErrors>,
    ) -> Option<T> {
        if cell.is_empty() {
            return None;
        }
        self.check(column, parse(column.name(), cell))
    }
}

/// Checks every cell of a row; the entry when all are good.
pub(super) fn parse_row(
    line: usize,
    cells: &Cells<'_>,
    lookups: &Lookups,
) -> Result<ImportedEntry, Vec<RowProblem>> {
    let cell = |column: Column| cells.get(column);
    let mut c = RowCheck {
        line,
        problems: Vec::new(),
    };
    let external_key = c.required_text(Column::ExternalKey, cell(Column::ExternalKey), 100);
    let name = c.required_text(Column::Name, cell(Column::Name), 200);
    let legal_form = LegalForm::parse(cell(Column::LegalForm));
    if legal_form.is_none() {
        c.add(
            Column::LegalForm,
            "unknown_value",
            format!("not a legal form: {}", shown(cell(Column::LegalForm))),
        );
    }
    let municipality = lookups.municipality(cell(Column::Municipality));
    if municipality.is_none() {
        c.add(
            Column::Municipality,
            "unknown_reference",
            format!(
                "not one of the cities: {}",
                shown(cell(Column::Municipality))
            ),
        );
    }
    let serves = serves(&mut c, cell(Column::Serves), lookups, municipality);
    let topics = terms(
        &mut c,
        Column::Topics,
        cell(Column::Topics),
        Vocabulary::Topic,
        lookups,
    );
    let forms = terms(
        &mut c,
        Column::Forms,
        cell(Column::Forms),
        Vocabulary::Form,
        lookups,
    );
    let location = location(&mut c, cell);
    let mut languages: Vec<String> = Vec::new();
    for l in list(cell(Column::Languages)) {
        if let Some(l) = c.check(Column::Languages, language(Column::Languages.name(), l)) {
            if !languages.contains(&l) {
                languages.push(l);
            }
        }
    }
    let participation_intent = ParticipationIntent::parse(cell(Column::ParticipationIntent));
    if participation_intent.is_none() {
        c.add(
            Column::ParticipationIntent,
            "unknown_value",
            "yes, maybe, no or unknown (あり, 検討中, なし, 未回答)",
        );
    }
    let visibility = visibility(cell(Column::Visibility));
    if visibility.is_none() {
        c.add(
            Column::Visibility,
            "unknown_value",
            "public or staff_only (公開, 非公開)",
        );
    }
    let mut hidden: Vec<HideableField> = Vec::new();
    for h in list(cell(Column::HiddenFields)) {
        match hideable_field(h) {
            Some(f) => hidden.push(f),
            None => c.add(
                Column::HiddenFields,
                "unknown_value",
                format!("not a hideable field: {}", shown(h)),
            ),
        }
    }
    let hidden: Vec<HideableField> = HideableField::ALL
        .into_iter()
        .filter(|f| hidden.contains(f))
        .collect();
    let requested = match cell(Column::PositionPublication) {
        "" => None,
        raw => {
            let parsed = PositionPublication::parse(raw);
            if parsed.is_none() {
                c.add(
                    Column::PositionPublication,
                    "unknown_value",
                    "exact, coarse or hidden (正確, 概略, 非公開)",
                );
            }
            parsed
        }
    };
    let settled = c.check(
        Column::PositionPublication,
        position::settle("position_publication", requested, &hidden, true, None),
    );
    let mut other_names = Vec::new();
    for other in list(cell(Column::OtherNames)).take(10) {
        other_names.extend(c.text(Column::OtherNames, other, 200));
    }
    let name_kana = c.text(Column::NameKana, cell(Column::NameKana), 200);
    let description = c.text(Column::Description, cell(Column::Description), 4000);
    let phone = c.optional(Column::Phone, cell(Column::Phone), phone);
    let email = c.optional(Column::Email, cell(Column::Email), Email::parse);
    let website = c.optional(Column::Website, cell(Column::Website), website);
    let contact_person = c.text(Column::ContactPerson, cell(Column::ContactPerson), 100);
    let opening_hours = c.text(Column::OpeningHours, cell(Column::OpeningHours), 500);
    let target_ages = c.text(Column::TargetAges, cell(Column::TargetAges), 100);
    match (
        external_key,
        name,
        legal_form,
        municipality,
        participation_intent,
        visibility,
    ) {
        (
            Some(external_key),
            Some(name),
            Some(legal_form),
            Some(municipality_id),
            Some(participation_intent),
            Some(visibility),
        ) if c.problems.is_empty() => Ok(ImportedEntry {
            external_key,
            name,
            name_kana,
            other_names,
            legal_form,
            description: description.unwrap_or_default(),
            municipality_id,
            serves_municipality_ids: serves,
            topics,
            forms,
            location,
            phone,
            email,
            website,
            contact_person,
            opening_hours,
            target_ages,
            languages,
            participation_intent,
            visibility,
            hidden_fields: settled.as_ref().map_or(hidden, |(_, h)| h.clone()),
            position_publication: settled.map_or(PositionPublication::Hidden, |(p, _)| p),
        }),
        _ => Err(c.problems),
    }
}

/// The municipalities an entry serves: named ones, `全域` for all, or its own.
fn serves(c: &mut RowCheck, cell: &str, lookups: &Lookups, own: Option<Uuid>) -> Vec<Uuid> {
    let mut serves = Vec::new();
    for s in list(cell) {
        if matches!(s, "全域" | "全市" | "all" | "4市") {
            serves.extend_from_slice(lookups.all_municipalities());
        } else if let Some(id) = lookups.municipality(s) {
            serves.push(id);
        } else {
            c.add(
                Column::Serves,
                "unknown_reference",
                format!("not one of the cities: {}", shown(s)),
            );
        }
    }
    let mut serves = dedup(&serves);
    if serves.is_empty() {
        serves.extend(own);
    }
    serves
}

/// The codes of the terms a cell names by code or Japanese label.
fn terms(
    c: &mut RowCheck,
    column: Column,
    cell: &str,
    vocabulary: Vocabulary,
    lookups: &Lookups,
) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for raw in list(cell) {
        match lookups.term(vocabulary, raw) {
            Some(code) => {
                if !codes.iter().any(|c| c == code) {
                    codes.push(code.to_owned());
                }
            }
            None => c.add(
                column,
                "unknown_term",
                format!("no {} term {}", vocabulary.as_str(), shown(raw)),
            ),
        }
    }
    codes
}

/// The row's place, if it gives an address or a position.
fn location<'r>(c: &mut RowCheck, cell: impl Fn(Column) -> &'r str) -> Option<ImportedLocation> {
    let position = position_of(c, cell(Column::Latitude), cell(Column::Longitude));
    let address = [
        Column::PostalCode,
        Column::Prefecture,
        Column::City,
        Column::Street,
    ];
    if position.is_none() && address.iter().all(|a| cell(*a).is_empty()) {
        return None;
    }
    Some(ImportedLocation {
        postal_code: c.optional(Column::PostalCode, cell(Column::PostalCode), postal_code),
        prefecture: c.text(Column::Prefecture, cell(Column::Prefecture), 10),
        city: c.text(Column::City, cell(Column::City), 50),
        street: c.text(Column::Street, cell(Column::Street), 200),
        position,
    })
}

/// Both coordinates in decimal degrees, or neither.
fn position_of(c: &mut RowCheck, latitude: &str, longitude: &str) -> Option<(f64, f64)> {
    match (latitude.is_empty(), longitude.is_empty()) {
        (true, true) => None,
        (false, false) => {
            let mut degrees = |column: Column, raw: &str| match raw.parse::<f64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    c.add(
                        column,
                        "not_a_number",
                        "must be decimal degrees, e.g. 35.4886",
                    );
                    None
                }
            };
            let lat = degrees(Column::Latitude, latitude);
            let lng = degrees(Column::Longitude, longitude);
            match position("location", lat?, lng?) {
                Ok(p) => Some(p),
                Err(errors) => {
                    for e in errors.0 {
                        let column = if e.field.ends_with("longitude") {
                            Column::Longitude
                        } else {
                            Column::Latitude
                        };
                        c.add(column, &e.code, e.message);
                    }
                    None
                }
            }
        }
        (latitude_missing, _) => {
            let missing = if latitude_missing {
                Column::Latitude
            } else {
                Column::Longitude
            };
            c.add(
                missing,
                "incomplete_position",
                "give both latitude and longitude, or neither",
            );
            None
        }
    }
}

fn visibility(cell: &str) -> Option<EntryVisibility> {
    match cell {
        "" | "public" | "公開" => Some(EntryVisibility::Public),
        "staff_only" | "非公開" | "職員のみ" => Some(EntryVisibility::StaffOnly),
        _ => None,
    }
}

/// A hideable field by its name or Japanese label (`住所`, `電話`…).
fn hideable_field(raw: &str) -> Option<HideableField> {
    HideableField::parse(raw).or(match raw {
        "住所" => Some(HideableField::Address),
        "位置" | "座標" => Some(HideableField::Position),
        "電話" | "電話番号" => Some(HideableField::Phone),
        "メール" | "メールアドレス" => Some(HideableField::Email),
        "担当者" => Some(HideableField::ContactPerson),
        _ => None,
    })
}

/// A cell as a problem quotes it: at most [`SHOWN_CHARS`] characters, so a
/// hostile cell does not swell the report.
pub(super) fn shown(cell: &str) -> String {
    match cell.char_indices().nth(SHOWN_CHARS) {
        Some((end, _)) => format!("{}…", &cell[..end]),
        None => cell.to_owned(),
    }
}

pub(super) const SHOWN_CHARS: usize = 40;
