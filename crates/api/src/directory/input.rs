//! What a client sends to create or change a directory entry, and its
//! parsing into checked values (all invalid fields reported at once).

use crate::http::problem::ApiResult;
use chrono::{DateTime, Utc};
use living_gate_db::directory::resources::{Location, ResourceContent};
use living_gate_db::{
    directory::resources, directory::taxonomy, reference::municipalities, AsyncPgConnection,
};
use living_gate_domain::directory::details::{
    self as details, AccessibilityFeature, Cost, OpeningException, OpeningPeriod, TargetGroup,
    Translation, VerificationMethod,
};
use living_gate_domain::directory::{
    language, phone, position, Details, EntryVisibility, HideableField, LegalForm,
    ParticipationIntent, PositionPublication, PublishConsent, Vocabulary,
};
use living_gate_domain::identity::{postal_code, website};
use living_gate_domain::names::bounded_text;
use living_gate_domain::validation::dedup;
use living_gate_domain::{Email, ValidationErrors};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// One place of an entry, in Japanese address form.
#[derive(Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"label": "本部", "postal_code": "252-0021", "prefecture": "神奈川県", "city": "座間市",
    "street": "緑ケ丘一丁目2番3号", "latitude": 35.4886, "longitude": 139.4075}))]
pub struct LocationInput {
    #[schema(max_length = 100)]
    pub label: Option<String>,
    #[schema(pattern = "^[0-9]{3}-[0-9]{4}$")]
    pub postal_code: Option<String>,
    #[schema(max_length = 10)]
    pub prefecture: Option<String>,
    #[schema(max_length = 50)]
    pub city: Option<String>,
    #[schema(max_length = 200)]
    pub street: Option<String>,
    #[schema(minimum = -90, maximum = 90)]
    pub latitude: Option<f64>,
    #[schema(minimum = -180, maximum = 180)]
    pub longitude: Option<f64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "external_key": "zama-2026-014", "name": "NPO法人ざま居場所ネット", "name_kana": "ざまいばしょねっと",
    "other_names": ["居場所ネット"], "legal_form": "npo",
    "description": "ひきこもりの若者と家族のための居場所と就労支援",
    "municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02",
    "serves_municipality_ids": ["0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02", "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e05"],
    "topics": ["hikikomori", "loneliness"], "forms": ["place_to_belong", "employment_support"],
    "locations": [{"postal_code": "252-0021", "prefecture": "神奈川県", "city": "座間市", "street": "緑ケ丘一丁目2番3号",
        "latitude": 35.4886, "longitude": 139.4075}],
    "phone": "046-000-0000", "email": "info@ibasho.example.jp", "website": "https://ibasho.example.jp",
    "contact_person": "山田 花子", "opening_hours": "火〜土 10:00-17:00", "target_ages": "15〜39歳",
    "languages": ["ja", "en"], "participation_intent": "yes", "introduced_ids": [],
    "visibility": "public", "hidden_fields": ["contact_person"]
}))]
pub struct CreateResource {
    /// The key in a municipality's spreadsheet (imports are idempotent by it).
    #[schema(max_length = 100)]
    pub external_key: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(max_length = 200)]
    pub name_kana: Option<String>,
    /// Other names (通称, former names); at most 10.
    #[serde(default)]
    pub other_names: Vec<String>,
    pub legal_form: LegalForm,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub description: String,
    /// The municipality where it is.
    pub municipality_id: Uuid,
    /// The municipalities it serves; when empty, its own.
    #[serde(default)]
    pub serves_municipality_ids: Vec<Uuid>,
    /// Topic codes (`GET /v1/taxonomy-terms?vocabulary=topic`).
    #[serde(default)]
    pub topics: Vec<String>,
    /// Form codes (`GET /v1/taxonomy-terms?vocabulary=form`).
    #[serde(default)]
    pub forms: Vec<String>,
    /// At most 10.
    #[serde(default)]
    pub locations: Vec<LocationInput>,
    #[schema(max_length = 30)]
    pub phone: Option<String>,
    #[schema(max_length = 254)]
    pub email: Option<String>,
    #[schema(max_length = 2000)]
    pub website: Option<String>,
    #[schema(max_length = 100)]
    pub contact_person: Option<String>,
    #[schema(max_length = 500)]
    pub opening_hours: Option<String>,
    /// Free text, e.g. `15〜39歳`, `高齢者`.
    #[schema(max_length = 100)]
    pub target_ages: Option<String>,
    /// Language tags (`ja`, `en`, `vi`, `pt-BR`…).
    #[serde(default)]
    pub languages: Vec<String>,
    pub participation_intent: Option<ParticipationIntent>,
    /// The entries this organization introduced (紹介先).
    #[serde(default)]
    pub introduced_ids: Vec<Uuid>,
    /// The partner organization of the desk that is the same body.
    pub partner_organization_id: Option<Uuid>,
    pub visibility: Option<EntryVisibility>,
    /// Fields only the owning city's desk and those it granted get. A hidden
    /// address hides the position too.
    #[serde(default)]
    pub hidden_fields: Vec<HideableField>,
    /// What others get of the position: by default `exact`, or `hidden` when
    /// the address or the position is hidden; `coarse` rounds it to a 0.01°
    /// cell. `exact` with a hidden address is 422.
    pub position_publication: Option<PositionPublication>,
    /// When the entry was last checked with the organization (by the caller).
    pub last_verified_at: Option<DateTime<Utc>>,
    /// How it was checked.
    pub verification_method: Option<VerificationMethod>,
    /// `listed` (public), `staff_only` or `withdrawn`; `visibility` follows
    /// from it (both given and contradicting: 422). Default: from `visibility`.
    pub publish_consent: Option<PublishConsent>,
    /// 事前に電話を: call before visiting.
    #[serde(default)]
    pub call_before_visiting: bool,
    /// 予約制: visits by appointment only.
    #[serde(default)]
    pub by_appointment: bool,
    /// Weekly periods, several a day if need be; overlapping ones are 422. At most 70.
    #[serde(default)]
    pub opening_periods: Vec<OpeningPeriod>,
    /// Holidays and other days that differ; one per date, at most 100.
    #[serde(default)]
    pub opening_exceptions: Vec<OpeningException>,
    #[serde(default)]
    pub accessibility: Vec<AccessibilityFeature>,
    #[schema(max_length = 500)]
    pub accessibility_note: Option<String>,
    /// The national hotline's categories.
    #[serde(default)]
    pub target_groups: Vec<TargetGroup>,
    #[schema(minimum = 0, maximum = 120)]
    pub minimum_age: Option<i16>,
    #[schema(minimum = 0, maximum = 120)]
    pub maximum_age: Option<i16>,
    #[schema(max_length = 500)]
    pub eligibility_note: Option<String>,
    pub cost: Option<Cost>,
    #[schema(max_length = 500)]
    pub cost_note: Option<String>,
    /// Name and description in `en` and `ja-easy`, one each.
    #[serde(default)]
    pub translations: Vec<Translation>,
}

/// Fields to change; `null` clears an optional field, an absent field is
/// kept. `locations`, `introduced_ids` and the lists replace what was there.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"participation_intent": "maybe", "hidden_fields": ["address", "position"], "phone": null}))]
pub struct UpdateResource {
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub external_key: Option<Option<String>>,
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub name_kana: Option<Option<String>>,
    pub other_names: Option<Vec<String>>,
    pub legal_form: Option<LegalForm>,
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    pub municipality_id: Option<Uuid>,
    pub serves_municipality_ids: Option<Vec<Uuid>>,
    pub topics: Option<Vec<String>>,
    pub forms: Option<Vec<String>>,
    pub locations: Option<Vec<LocationInput>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<String>, max_length = 30)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<String>, max_length = 254)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub contact_person: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub opening_hours: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub target_ages: Option<Option<String>>,
    pub languages: Option<Vec<String>>,
    pub participation_intent: Option<ParticipationIntent>,
    pub introduced_ids: Option<Vec<Uuid>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<Uuid>)]
    pub partner_organization_id: Option<Option<Uuid>>,
    pub visibility: Option<EntryVisibility>,
    pub hidden_fields: Option<Vec<HideableField>>,
    /// Absent: kept while consistent (a newly hidden address hides the
    /// position). `exact` with a hidden address is 422.
    pub position_publication: Option<PositionPublication>,
    /// Sets when the entry was last checked (and that the caller checked it).
    pub last_verified_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<VerificationMethod>)]
    pub verification_method: Option<Option<VerificationMethod>>,
    /// `visibility` follows; `visibility: public` alone on a withdrawn entry is 422.
    pub publish_consent: Option<PublishConsent>,
    pub call_before_visiting: Option<bool>,
    pub by_appointment: Option<bool>,
    pub opening_periods: Option<Vec<OpeningPeriod>>,
    pub opening_exceptions: Option<Vec<OpeningException>>,
    pub accessibility: Option<Vec<AccessibilityFeature>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub accessibility_note: Option<Option<String>>,
    pub target_groups: Option<Vec<TargetGroup>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<i16>, minimum = 0, maximum = 120)]
    pub minimum_age: Option<Option<i16>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<i16>, minimum = 0, maximum = 120)]
    pub maximum_age: Option<Option<i16>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub eligibility_note: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<Cost>)]
    pub cost: Option<Option<Cost>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub cost_note: Option<Option<String>>,
    pub translations: Option<Vec<Translation>>,
}

/// Collects parse errors of one request.
pub struct Checker {
    pub errors: ValidationErrors,
}

impl Checker {
    pub fn new() -> Checker {
        Checker {
            errors: ValidationErrors::new(),
        }
    }

    pub fn text(&mut self, field: &str, raw: &str, min: usize, max: usize) -> Option<String> {
        self.errors.check(bounded_text(field, raw, min, max))
    }

    /// An optional text: blank is absent.
    pub fn optional(&mut self, field: &str, raw: Option<&str>, max: usize) -> Option<String> {
        raw.filter(|v| !v.trim().is_empty())
            .and_then(|v| self.text(field, v, 1, max))
    }

    pub fn phone(&mut self, raw: Option<&str>) -> Option<String> {
        raw.filter(|v| !v.trim().is_empty())
            .and_then(|v| self.errors.check(phone("phone", v)))
    }

    pub fn email(&mut self, raw: Option<&str>) -> Option<String> {
        raw.filter(|v| !v.trim().is_empty())
            .and_then(|v| self.errors.check(Email::parse("email", v.trim())))
            .map(|e| e.as_str().to_owned())
    }

    pub fn website(&mut self, raw: Option<&str>) -> Option<String> {
        raw.filter(|v| !v.trim().is_empty())
            .and_then(|v| self.errors.check(website("website", v.trim())))
    }

    pub fn texts(
        &mut self,
        field: &str,
        values: &[String],
        max_items: usize,
        max: usize,
    ) -> Vec<String> {
        if values.len() > max_items {
            self.errors
                .add(field, "too_many", format!("at most {max_items} entries"));
            return Vec::new();
        }
        let mut out: Vec<String> = Vec::new();
        for (i, v) in values.iter().enumerate() {
            if let Some(v) = self.text(&format!("{field}[{i}]"), v, 1, max) {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
        }
        out
    }

    pub fn codes(&mut self, field: &str, values: &[String]) -> Vec<String> {
        self.texts(field, values, 20, 40)
    }

    pub fn languages(&mut self, values: &[String]) -> Vec<String> {
        if values.len() > 20 {
            self.errors
                .add("languages", "too_many", "at most 20 entries");
            return Vec::new();
        }
        let mut out: Vec<String> = Vec::new();
        for (i, v) in values.iter().enumerate() {
            if let Some(v) = self.errors.check(language(&format!("languages[{i}]"), v)) {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
        }
        out
    }

    /// Locations in order; the resource id is filled in later.
    pub fn locations(&mut self, values: &[LocationInput]) -> Vec<Location> {
        if values.len() > 10 {
            self.errors
                .add("locations", "too_many", "at most 10 entries");
            return Vec::new();
        }
        let mut out = Vec::new();
        for (i, l) in values.iter().enumerate() {
            let f = |name: &str| format!("locations[{i}].{name}");
            let (latitude, longitude) = match (l.latitude, l.longitude) {
                (Some(lat), Some(lng)) => self
                    .errors
                    .check(position(&format!("locations[{i}]"), lat, lng))
                    .map_or((None, None), |(a, b)| (Some(a), Some(b))),
                (None, None) => (None, None),
                _ => {
                    self.errors.add(
                        &f("latitude"),
                        "incomplete_position",
                        "give both latitude and longitude, or neither",
                    );
                    (None, None)
                }
            };
            out.push(Location {
                id: Uuid::now_v7(),
                resource_id: Uuid::nil(),
                ordinal: i16::try_from(i).unwrap_or(i16::MAX),
                label: self.optional(&f("label"), l.label.as_deref(), 100),
                postal_code: l
                    .postal_code
                    .as_deref()
                    .filter(|v| !v.trim().is_empty())
                    .and_then(|v| self.errors.check(postal_code(&f("postal_code"), v.trim()))),
                prefecture: self.optional(&f("prefecture"), l.prefecture.as_deref(), 10),
                city: self.optional(&f("city"), l.city.as_deref(), 50),
                street: self.optional(&f("street"), l.street.as_deref(), 200),
                latitude,
                longitude,
                created_at: Utc::now(),
            });
        }
        out
    }
}

impl Default for Checker {
    fn default() -> Self {
        Self::new()
    }
}

/// A change of an entry's details: `None` keeps a field (a create names
/// every field).
struct DetailsChange<'a> {
    call_before_visiting: Option<bool>,
    by_appointment: Option<bool>,
    opening_periods: Option<&'a [OpeningPeriod]>,
    opening_exceptions: Option<&'a [OpeningException]>,
    accessibility: Option<&'a [AccessibilityFeature]>,
    accessibility_note: Option<Option<&'a str>>,
    target_groups: Option<&'a [TargetGroup]>,
    minimum_age: Option<Option<i16>>,
    maximum_age: Option<Option<i16>>,
    eligibility_note: Option<Option<&'a str>>,
    cost: Option<Option<Cost>>,
    cost_note: Option<Option<&'a str>>,
    verification_method: Option<Option<VerificationMethod>>,
    translations: Option<&'a [Translation]>,
}

/// Applies `change` to `current`, checking what changed (periods against
/// the entry's `location_count` locations).
fn apply_details(
    c: &mut Checker,
    current: &Details,
    change: DetailsChange<'_>,
    location_count: usize,
) -> Details {
    let mut next = current.clone();
    if let Some(v) = change.call_before_visiting {
        next.call_before_visiting = v;
    }
    if let Some(v) = change.by_appointment {
        next.by_appointment = v;
    }
    if let Some(v) = change.opening_periods {
        next.opening_periods = c
            .errors
            .check(details::opening_periods(v, location_count))
            .unwrap_or_default();
    } else if next.opening_periods.iter().any(|p| {
        p.location_index
            .is_some_and(|l| usize::from(l) >= location_count)
    }) {
        c.errors.add(
            "opening_periods",
            "unknown_location",
            "a period names a location the entry no longer has: send opening_periods with locations",
        );
    }
    if let Some(v) = change.opening_exceptions {
        next.opening_exceptions = c
            .errors
            .check(details::opening_exceptions(v))
            .unwrap_or_default();
    }
    if let Some(v) = change.accessibility {
        next.accessibility = AccessibilityFeature::ALL
            .into_iter()
            .filter(|f| v.contains(f))
            .collect();
    }
    if let Some(v) = change.accessibility_note {
        next.accessibility_note = c.optional("accessibility_note", v, 500);
    }
    if let Some(v) = change.target_groups {
        next.target_groups = TargetGroup::ALL
            .into_iter()
            .filter(|g| v.contains(g))
            .collect();
    }
    if let Some(v) = change.minimum_age {
        next.minimum_age = v;
    }
    if let Some(v) = change.maximum_age {
        next.maximum_age = v;
    }
    if change.minimum_age.is_some() || change.maximum_age.is_some() {
        c.errors
            .check(details::ages(next.minimum_age, next.maximum_age));
    }
    if let Some(v) = change.eligibility_note {
        next.eligibility_note = c.optional("eligibility_note", v, 500);
    }
    if let Some(v) = change.cost {
        next.cost = v;
    }
    if let Some(v) = change.cost_note {
        next.cost_note = c.optional("cost_note", v, 500);
    }
    if let Some(v) = change.verification_method {
        next.verification_method = v;
    }
    if let Some(v) = change.translations {
        next.translations = c.errors.check(details::translations(v)).unwrap_or_default();
    }
    next
}

/// The visibility and withdrawal that follow from a request's consent and
/// visibility: the consent decides (a contradicting `visibility` is 422); a
/// `visibility` alone cannot publish an entry whose consent was withdrawn.
fn settle_consent(
    errors: &mut ValidationErrors,
    consent: Option<PublishConsent>,
    visibility: Option<EntryVisibility>,
    current: (EntryVisibility, bool),
) -> (EntryVisibility, bool) {
    match (consent, visibility) {
        (Some(consent), visibility) => {
            if visibility.is_some_and(|v| v != consent.visibility()) {
                errors.add(
                    "publish_consent",
                    "inconsistent_publish_consent",
                    "visibility follows from publish_consent: listed is public, the others staff_only",
                );
            }
            (consent.visibility(), consent == PublishConsent::Withdrawn)
        }
        (None, Some(EntryVisibility::Public)) if current.1 => {
            errors.add(
                "visibility",
                "consent_withdrawn",
                "the organization withdrew its consent to be published: send publish_consent listed when it consents again",
            );
            current
        }
        (None, Some(visibility)) => (visibility, current.1),
        (None, None) => current,
    }
}

/// The hidden fields in their canonical order, each once.
pub fn hidden_fields(values: &[HideableField]) -> Vec<HideableField> {
    HideableField::ALL
        .into_iter()
        .filter(|f| values.contains(f))
        .collect()
}

/// The references of an entry that must exist: municipalities, taxonomy
/// terms, introduced entries. Adds a field error for each one that does not.
pub async fn check_references(
    conn: &mut AsyncPgConnection,
    errors: &mut ValidationErrors,
    municipality_ids: &[(String, Uuid)],
    topics: &[String],
    forms: &[String],
    introduced: &[Uuid],
) -> ApiResult<()> {
    for (field, id) in municipality_ids {
        if municipalities::find(conn, *id).await?.is_none() {
            errors.add(field, "unknown_reference", "no such municipality");
        }
    }
    for (field, vocabulary, codes) in [
        ("topics", Vocabulary::Topic, topics),
        ("forms", Vocabulary::Form, forms),
    ] {
        for unknown in taxonomy::unknown_codes(conn, vocabulary, codes).await? {
            errors.add(
                field,
                "unknown_term",
                format!("no {vocabulary} term with code {unknown}"),
            );
        }
    }
    let existing = resources::existing(conn, introduced).await?;
    if introduced.iter().any(|id| !existing.contains(id)) {
        errors.add(
            "introduced_ids",
            "unknown_reference",
            "no such directory entry",
        );
    }
    Ok(())
}

/// A checked create request.
pub struct NewResource {
    pub content: ResourceContent,
    pub details: Details,
    pub locations: Vec<Location>,
    pub introduced: Vec<Uuid>,
    pub position_publication: PositionPublication,
}

/// Settles the position publication and the hidden fields (the domain's
/// rule), recording a conflict among `errors`.
fn settle_position(
    errors: &mut ValidationErrors,
    content: &mut ResourceContent,
    requested: Option<PositionPublication>,
    hidden_fields_given: bool,
    current: Option<PositionPublication>,
) -> PositionPublication {
    match errors.check(living_gate_domain::directory::position::settle(
        "position_publication",
        requested,
        &content.hidden_fields,
        hidden_fields_given,
        current,
    )) {
        Some((publication, hidden)) => {
            content.hidden_fields = hidden;
            publication
        }
        None => current.unwrap_or(PositionPublication::Hidden),
    }
}

pub async fn parse_create(
    conn: &mut AsyncPgConnection,
    body: &CreateResource,
    verified_by: Uuid,
) -> ApiResult<NewResource> {
    let mut c = Checker::new();
    let serves = if body.serves_municipality_ids.is_empty() {
        vec![body.municipality_id]
    } else {
        dedup(&body.serves_municipality_ids)
    };
    let content = ResourceContent {
        external_key: c.optional("external_key", body.external_key.as_deref(), 100),
        name: c.text("name", &body.name, 1, 200).unwrap_or_default(),
        name_kana: c.optional("name_kana", body.name_kana.as_deref(), 200),
        other_names: c.texts("other_names", &body.other_names, 10, 200),
        legal_form: body.legal_form,
        description: if body.description.trim().is_empty() {
            String::new()
        } else {
            c.text("description", &body.description, 1, 4000)
                .unwrap_or_default()
        },
        municipality_id: body.municipality_id,
        serves_municipality_ids: serves.clone(),
        topics: c.codes("topics", &body.topics),
        forms: c.codes("forms", &body.forms),
        phone: c.phone(body.phone.as_deref()),
        email: c.email(body.email.as_deref()),
        website: c.website(body.website.as_deref()),
        contact_person: c.optional("contact_person", body.contact_person.as_deref(), 100),
        opening_hours: c.optional("opening_hours", body.opening_hours.as_deref(), 500),
        target_ages: c.optional("target_ages", body.target_ages.as_deref(), 100),
        languages: c.languages(&body.languages),
        participation_intent: body
            .participation_intent
            .unwrap_or(ParticipationIntent::Unknown),
        partner_organization_id: body.partner_organization_id,
        visibility: body.visibility.unwrap_or(EntryVisibility::Public),
        hidden_fields: hidden_fields(&body.hidden_fields),
        last_verified_at: body.last_verified_at,
        last_verified_by: body.last_verified_at.map(|_| verified_by),
    };
    let mut content = content;
    let locations = c.locations(&body.locations);
    let mut details = apply_details(
        &mut c,
        &Details::default(),
        DetailsChange {
            call_before_visiting: Some(body.call_before_visiting),
            by_appointment: Some(body.by_appointment),
            opening_periods: Some(&body.opening_periods),
            opening_exceptions: Some(&body.opening_exceptions),
            accessibility: Some(&body.accessibility),
            accessibility_note: Some(body.accessibility_note.as_deref()),
            target_groups: Some(&body.target_groups),
            minimum_age: Some(body.minimum_age),
            maximum_age: Some(body.maximum_age),
            eligibility_note: Some(body.eligibility_note.as_deref()),
            cost: Some(body.cost),
            cost_note: Some(body.cost_note.as_deref()),
            verification_method: Some(body.verification_method),
            translations: Some(&body.translations),
        },
        locations.len(),
    );
    let introduced = dedup(&body.introduced_ids);
    let mut errors = c.errors;
    (content.visibility, details.consent_withdrawn) = settle_consent(
        &mut errors,
        body.publish_consent,
        body.visibility,
        (EntryVisibility::Public, false),
    );
    let position_publication = settle_position(
        &mut errors,
        &mut content,
        body.position_publication,
        true,
        None,
    );
    let mut municipalities = vec![("municipality_id".to_owned(), body.municipality_id)];
    municipalities.extend(
        serves
            .iter()
            .enumerate()
            .map(|(i, id)| (format!("serves_municipality_ids[{i}]"), *id)),
    );
    check_references(
        conn,
        &mut errors,
        &municipalities,
        &content.topics,
        &content.forms,
        &introduced,
    )
    .await?;
    errors.into_result()?;
    Ok(NewResource {
        content,
        details,
        locations,
        introduced,
        position_publication,
    })
}

/// A checked PATCH: the whole new content, and the locations and referrals
/// when the request replaces them.
pub struct ResourceUpdate {
    pub content: ResourceContent,
    pub details: Details,
    pub locations: Option<Vec<Location>>,
    pub introduced: Option<Vec<Uuid>>,
    pub position_publication: PositionPublication,
}

/// Applies a PATCH to the current content of an entry and checks the result.
pub async fn parse_update(
    conn: &mut AsyncPgConnection,
    current: &ResourceContent,
    current_details: &Details,
    current_location_count: usize,
    current_publication: PositionPublication,
    body: &UpdateResource,
    verified_by: Uuid,
) -> ApiResult<ResourceUpdate> {
    let mut c = Checker::new();
    let mut next = current.clone();
    if let Some(v) = &body.external_key {
        next.external_key = c.optional("external_key", v.as_deref(), 100);
    }
    if let Some(v) = &body.name {
        next.name = c.text("name", v, 1, 200).unwrap_or_default();
    }
    if let Some(v) = &body.name_kana {
        next.name_kana = c.optional("name_kana", v.as_deref(), 200);
    }
    if let Some(v) = &body.other_names {
        next.other_names = c.texts("other_names", v, 10, 200);
    }
    if let Some(v) = body.legal_form {
        next.legal_form = v;
    }
    if let Some(v) = &body.description {
        next.description = if v.trim().is_empty() {
            String::new()
        } else {
            c.text("description", v, 1, 4000).unwrap_or_default()
        };
    }
    if let Some(v) = body.municipality_id {
        next.municipality_id = v;
    }
    if let Some(v) = &body.serves_municipality_ids {
        next.serves_municipality_ids = if v.is_empty() {
            vec![next.municipality_id]
        } else {
            dedup(v)
        };
    }
    if let Some(v) = &body.topics {
        next.topics = c.codes("topics", v);
    }
    if let Some(v) = &body.forms {
        next.forms = c.codes("forms", v);
    }
    if let Some(v) = &body.phone {
        next.phone = c.phone(v.as_deref());
    }
    if let Some(v) = &body.email {
        next.email = c.email(v.as_deref());
    }
    if let Some(v) = &body.website {
        next.website = c.website(v.as_deref());
    }
    if let Some(v) = &body.contact_person {
        next.contact_person = c.optional("contact_person", v.as_deref(), 100);
    }
    if let Some(v) = &body.opening_hours {
        next.opening_hours = c.optional("opening_hours", v.as_deref(), 500);
    }
    if let Some(v) = &body.target_ages {
        next.target_ages = c.optional("target_ages", v.as_deref(), 100);
    }
    if let Some(v) = &body.languages {
        next.languages = c.languages(v);
    }
    if let Some(v) = body.participation_intent {
        next.participation_intent = v;
    }
    if let Some(v) = body.partner_organization_id {
        next.partner_organization_id = v;
    }
    if let Some(v) = &body.hidden_fields {
        next.hidden_fields = hidden_fields(v);
    }
    if let Some(v) = body.last_verified_at {
        next.last_verified_at = Some(v);
        next.last_verified_by = Some(verified_by);
    }
    let locations = body.locations.as_ref().map(|l| c.locations(l));
    let mut next_details = apply_details(
        &mut c,
        current_details,
        DetailsChange {
            call_before_visiting: body.call_before_visiting,
            by_appointment: body.by_appointment,
            opening_periods: body.opening_periods.as_deref(),
            opening_exceptions: body.opening_exceptions.as_deref(),
            accessibility: body.accessibility.as_deref(),
            accessibility_note: body.accessibility_note.as_ref().map(Option::as_deref),
            target_groups: body.target_groups.as_deref(),
            minimum_age: body.minimum_age,
            maximum_age: body.maximum_age,
            eligibility_note: body.eligibility_note.as_ref().map(Option::as_deref),
            cost: body.cost,
            cost_note: body.cost_note.as_ref().map(Option::as_deref),
            verification_method: body.verification_method,
            translations: body.translations.as_deref(),
        },
        locations.as_ref().map_or(current_location_count, Vec::len),
    );
    let introduced = body.introduced_ids.as_ref().map(|ids| dedup(ids));
    let mut errors = c.errors;
    (next.visibility, next_details.consent_withdrawn) = settle_consent(
        &mut errors,
        body.publish_consent,
        body.visibility,
        (current.visibility, current_details.consent_withdrawn),
    );
    let position_publication = settle_position(
        &mut errors,
        &mut next,
        body.position_publication,
        body.hidden_fields.is_some(),
        Some(current_publication),
    );
    let mut municipalities = Vec::new();
    if body.municipality_id.is_some() {
        municipalities.push(("municipality_id".to_owned(), next.municipality_id));
    }
    if body.serves_municipality_ids.is_some() {
        municipalities.extend(
            next.serves_municipality_ids
                .iter()
                .enumerate()
                .map(|(i, id)| (format!("serves_municipality_ids[{i}]"), *id)),
        );
    }
    let topics = if body.topics.is_some() {
        next.topics.clone()
    } else {
        Vec::new()
    };
    let forms = if body.forms.is_some() {
        next.forms.clone()
    } else {
        Vec::new()
    };
    check_references(
        conn,
        &mut errors,
        &municipalities,
        &topics,
        &forms,
        introduced.as_deref().unwrap_or_default(),
    )
    .await?;
    errors.into_result()?;
    Ok(ResourceUpdate {
        content: next,
        details: next_details,
        locations,
        introduced,
        position_publication,
    })
}
