//! A directory entry as a caller may see it: the per-field visibility that
//! keeps a DV shelter's address on a need-to-know basis.
//!
//! Who sees what is the domain's [`Reader`]: desk and department callers of
//! every city see every entry (staff-only ones too) and the staff-only
//! fields; everybody else (anonymous, partners, analysts, admins) sees
//! `public` entries only. Hidden fields are for the owning city's desk and
//! those it granted confidential access ([`reader_of`] loads the caller's
//! grants); for everybody else they are `null` (a `coarse` position is
//! rounded). Which fields is decided once, by the domain's [`redact`]: rows
//! become a domain [`Entry`] here ([`stored_entry`]), and the JSON below,
//! the HSDS and CSV exports and the map render only the [`Redacted`]
//! result. Every read that returned hidden values is audited
//! ([`HiddenReads`], written by [`crate::record::audit_hidden_reads`]).

use crate::auth::MaybeCaller;
use crate::http::problem::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use living_gate_db::directory::confidential_access;
use living_gate_db::directory::resources::{self as db, Location};
use living_gate_db::AsyncPgConnection;
use living_gate_domain::directory::details::{
    AccessibilityFeature, Cost, OpeningException, OpeningPeriod, ShownLanguage, TargetGroup,
    Translation, VerificationMethod,
};
use living_gate_domain::directory::{
    redact, Details, DirectoryView, Entry, EntryVisibility, HideableField, LegalForm,
    ParticipationIntent, Place, PositionPublication, PublishConsent, Reader, Redacted,
};
use living_gate_domain::{Actor, Role};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;
use uuid::Uuid;

/// A place of an entry. For those without need-to-know, the address parts
/// (and the label) are `null` when the address is hidden, latitude and
/// longitude when the position is hidden, or rounded to two decimals (the
/// centre of a 0.01° cell) when the entry publishes it `coarse`.
#[derive(Serialize, ToSchema, Clone)]
pub struct LocationView {
    pub label: Option<String>,
    pub postal_code: Option<String>,
    pub prefecture: Option<String>,
    pub city: Option<String>,
    pub street: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01", "external_key": "zama-2026-014",
    "name": "NPO法人ざま居場所ネット", "name_kana": "ざまいばしょねっと", "other_names": ["居場所ネット"],
    "legal_form": "npo", "description": "ひきこもりの若者と家族のための居場所と就労支援",
    "municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02",
    "serves_municipality_ids": ["0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02"],
    "topics": ["hikikomori"], "forms": ["place_to_belong", "employment_support"],
    "locations": [{"label": null, "postal_code": "252-0021", "prefecture": "神奈川県", "city": "座間市",
        "street": "緑ケ丘一丁目2番3号", "latitude": 35.4886, "longitude": 139.4075}],
    "phone": "046-000-0000", "email": "info@ibasho.example.jp", "website": "https://ibasho.example.jp",
    "contact_person": null, "opening_hours": "火〜土 10:00-17:00", "target_ages": "15〜39歳",
    "languages": ["ja"], "participation_intent": "yes", "partner_organization_id": null,
    "visibility": "public", "hidden_fields": ["contact_person"], "position_publication": "exact",
    "last_verified_at": "2026-10-01T00:00:00Z", "last_verified_by": null, "verification_method": "phone",
    "publish_consent": "listed", "call_before_visiting": true, "by_appointment": false,
    "opening_periods": [{"weekday": "tue", "opens_at": "10:00", "closes_at": "12:00"}, {"weekday": "tue", "opens_at": "13:00", "closes_at": "17:00"}],
    "opening_exceptions": [{"date": "2026-12-29", "note": "年末年始休業"}],
    "accessibility": ["wheelchair_accessible", "written_communication"], "accessibility_note": "入口にスロープ",
    "target_groups": ["loneliness", "under_18"], "minimum_age": 15, "maximum_age": 39, "eligibility_note": null,
    "cost": "free", "cost_note": null,
    "translations": [{"language": "en", "name": "Zama Ibasho Net", "description": "A place to belong"}], "language": "ja",
    "created_at": "2026-10-01T00:00:00Z", "updated_at": "2026-10-01T00:00:00Z"
}))]
pub struct Resource {
    pub id: Uuid,
    /// Staff only (`null` for the public).
    pub external_key: Option<String>,
    pub name: String,
    pub name_kana: Option<String>,
    pub other_names: Vec<String>,
    pub legal_form: LegalForm,
    pub description: String,
    /// Where it is.
    pub municipality_id: Uuid,
    /// Whom it serves.
    pub serves_municipality_ids: Vec<Uuid>,
    pub topics: Vec<String>,
    pub forms: Vec<String>,
    pub locations: Vec<LocationView>,
    /// `null` for the public when hidden.
    pub phone: Option<String>,
    /// `null` for the public when hidden.
    pub email: Option<String>,
    pub website: Option<String>,
    /// `null` for the public when hidden.
    pub contact_person: Option<String>,
    pub opening_hours: Option<String>,
    pub target_ages: Option<String>,
    pub languages: Vec<String>,
    pub participation_intent: ParticipationIntent,
    /// Staff only.
    pub partner_organization_id: Option<Uuid>,
    pub visibility: EntryVisibility,
    /// Which fields only the owning city's desk and those it granted get.
    pub hidden_fields: Vec<HideableField>,
    /// What the others get of the position: `exact` (not hidden), `coarse`
    /// (rounded to a 0.01° cell) or `hidden`.
    pub position_publication: PositionPublication,
    pub last_verified_at: Option<DateTime<Utc>>,
    /// Staff only.
    pub last_verified_by: Option<Uuid>,
    /// How the last verification was made.
    pub verification_method: Option<VerificationMethod>,
    /// Whether the organization consents to be published; `visibility`
    /// follows from it (`listed` is `public`). `withdrawn` entries are staff
    /// only and in no export.
    pub publish_consent: PublishConsent,
    /// Call before visiting (事前に電話を).
    pub call_before_visiting: bool,
    /// Visits by appointment only (予約制).
    pub by_appointment: bool,
    /// Weekly opening periods (Japan time), sorted by location, weekday, time.
    pub opening_periods: Vec<OpeningPeriod>,
    /// Days that differ from the weekly periods (holidays), by date.
    pub opening_exceptions: Vec<OpeningException>,
    pub accessibility: Vec<AccessibilityFeature>,
    pub accessibility_note: Option<String>,
    /// Whom it is for (the national hotline's categories).
    pub target_groups: Vec<TargetGroup>,
    pub minimum_age: Option<i16>,
    pub maximum_age: Option<i16>,
    pub eligibility_note: Option<String>,
    pub cost: Option<Cost>,
    /// The fee, or what is free.
    pub cost_note: Option<String>,
    /// The name and description in `en` and `ja-easy` (やさしい日本語).
    pub translations: Vec<Translation>,
    /// The language `name` and `description` are in: `ja` (as written), or
    /// the translation `Accept-Language` chose (also `Content-Language`).
    #[schema(example = "ja")]
    pub language: String,
    /// In a `near=` search: metres to the nearest location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Place> for LocationView {
    fn from(p: Place) -> LocationView {
        LocationView {
            label: p.label,
            postal_code: p.postal_code,
            prefecture: p.prefecture,
            city: p.city,
            street: p.street,
            latitude: p.latitude,
            longitude: p.longitude,
        }
    }
}

impl From<Redacted> for Resource {
    /// Renders what the redaction left; decides nothing itself.
    fn from(redacted: Redacted) -> Resource {
        let e = redacted.into_entry();
        let d = e.details;
        Resource {
            id: e.id,
            external_key: e.external_key,
            name: e.name,
            name_kana: e.name_kana,
            other_names: e.other_names,
            legal_form: e.legal_form,
            description: e.description,
            municipality_id: e.municipality_id,
            serves_municipality_ids: e.serves_municipality_ids,
            topics: e.topics,
            forms: e.forms,
            locations: e.locations.into_iter().map(LocationView::from).collect(),
            phone: e.phone,
            email: e.email,
            website: e.website,
            contact_person: e.contact_person,
            opening_hours: e.opening_hours,
            target_ages: e.target_ages,
            languages: e.languages,
            participation_intent: e.participation_intent,
            partner_organization_id: e.partner_organization_id,
            visibility: e.visibility,
            hidden_fields: e.hidden_fields,
            position_publication: e.position_publication,
            last_verified_at: e.last_verified_at,
            last_verified_by: e.last_verified_by,
            verification_method: d.verification_method,
            publish_consent: PublishConsent::of(e.visibility, d.consent_withdrawn),
            call_before_visiting: d.call_before_visiting,
            by_appointment: d.by_appointment,
            opening_periods: d.opening_periods,
            opening_exceptions: d.opening_exceptions,
            accessibility: d.accessibility,
            accessibility_note: d.accessibility_note,
            target_groups: d.target_groups,
            minimum_age: d.minimum_age,
            maximum_age: d.maximum_age,
            eligibility_note: d.eligibility_note,
            cost: d.cost,
            cost_note: d.cost_note,
            translations: d.translations,
            language: ShownLanguage::Original.tag().to_owned(),
            distance_m: e.distance_m,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// The hidden values a request returned, entry by entry: each is audited.
#[derive(Debug, Default)]
pub struct HiddenReads(pub Vec<(Uuid, Vec<HideableField>)>);

impl HiddenReads {
    /// Notes what `redacted` revealed, and passes it on.
    pub fn note(&mut self, redacted: Redacted) -> Redacted {
        if !redacted.revealed().is_empty() {
            self.0.push((redacted.id, redacted.revealed().to_vec()));
        }
        redacted
    }
}

impl Resource {
    /// The entry as `reader` may see it (the caller has checked the entry
    /// itself is visible); `coarse` names the entries that publish a
    /// coarse position.
    pub fn view(
        r: db::Resource,
        locations: &[Location],
        details: &HashMap<Uuid, Details>,
        reader: &Reader,
        distance_m: Option<f64>,
        coarse: &HashSet<Uuid>,
        reads: &mut HiddenReads,
    ) -> Resource {
        let places = places_of(r.id, locations);
        let publication = publication_of(&r, coarse);
        let details = details.get(&r.id).cloned().unwrap_or_default();
        Resource::from(reads.note(redact(
            stored_entry(r, places, details, distance_m, publication),
            reader,
        )))
    }

    /// The entry with its name and description in `shown`'s language when
    /// it has that translation (an empty translated description keeps the
    /// original one).
    pub fn localized(mut self, shown: ShownLanguage) -> Resource {
        if let ShownLanguage::Translated(language) = shown {
            if let Some(t) = self.translations.iter().find(|t| t.language == language) {
                self.name = t.name.clone();
                if !t.description.is_empty() {
                    self.description = t.description.clone();
                }
                self.language = shown.tag().to_owned();
            }
        }
        self
    }

    /// The languages the entry has a translation into.
    pub fn translated_into(
        &self,
    ) -> Vec<living_gate_domain::directory::details::TranslationLanguage> {
        self.translations.iter().map(|t| t.language).collect()
    }
}

/// The `Accept-Language` header of a request, if any.
pub fn accept_language(request: &actix_web::HttpRequest) -> Option<String> {
    request
        .headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// What an entry publishes of its position: `exact` unless it hides it,
/// then `coarse` when it chose that, else `hidden`.
pub fn publication_of(r: &db::Resource, coarse: &HashSet<Uuid>) -> PositionPublication {
    if !r.hidden_fields.contains(&HideableField::Position) {
        PositionPublication::Exact
    } else if coarse.contains(&r.id) {
        PositionPublication::Coarse
    } else {
        PositionPublication::Hidden
    }
}

/// A stored location as the redaction takes it.
pub fn place(l: &Location) -> Place {
    Place {
        id: l.id,
        label: l.label.clone(),
        postal_code: l.postal_code.clone(),
        prefecture: l.prefecture.clone(),
        city: l.city.clone(),
        street: l.street.clone(),
        latitude: l.latitude,
        longitude: l.longitude,
    }
}

/// The places of entry `id` among `locations`, in their order.
pub fn places_of(id: Uuid, locations: &[Location]) -> Vec<Place> {
    locations
        .iter()
        .filter(|l| l.resource_id == id)
        .map(place)
        .collect()
}

/// A stored entry and its places as the redaction takes them.
pub fn stored_entry(
    r: db::Resource,
    locations: Vec<Place>,
    details: Details,
    distance_m: Option<f64>,
    position_publication: PositionPublication,
) -> Entry {
    Entry {
        id: r.id,
        external_key: r.external_key,
        name: r.name,
        name_kana: r.name_kana,
        other_names: r.other_names,
        legal_form: r.legal_form,
        description: r.description,
        municipality_id: r.municipality_id,
        serves_municipality_ids: r.serves_municipality_ids,
        topics: r.topics,
        forms: r.forms,
        locations,
        phone: r.phone,
        email: r.email,
        website: r.website,
        contact_person: r.contact_person,
        opening_hours: r.opening_hours,
        target_ages: r.target_ages,
        languages: r.languages,
        participation_intent: r.participation_intent,
        partner_organization_id: r.partner_organization_id,
        visibility: r.visibility,
        hidden_fields: r.hidden_fields,
        position_publication,
        last_verified_at: r.last_verified_at,
        last_verified_by: r.last_verified_by,
        details,
        distance_m,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// What the caller may see of the directory (staff or the public).
pub fn view_of(caller: &MaybeCaller) -> DirectoryView {
    DirectoryView::of(caller.0.as_ref().map(|c| &c.actor))
}

/// The caller as a reader of the directory, with the active
/// confidential-access grants that name it (staff only are ever granted).
pub async fn reader_of(conn: &mut AsyncPgConnection, caller: &MaybeCaller) -> ApiResult<Reader> {
    let actor = caller.0.as_ref().map(|c| &c.actor);
    reader_for(conn, actor).await
}

/// [`reader_of`] for an actor.
pub async fn reader_for(conn: &mut AsyncPgConnection, actor: Option<&Actor>) -> ApiResult<Reader> {
    let grants = match actor {
        Some(a) if matches!(a.role, Role::Desk | Role::Department) && !a.is_service_account => {
            confidential_access::active_for(conn, a.id, a.department_id).await?
        }
        _ => Vec::new(),
    };
    Ok(Reader::of(actor, &grants))
}

/// The entry if the caller may see it (404 otherwise, also for staff-only entries).
pub async fn visible(
    conn: &mut AsyncPgConnection,
    view: DirectoryView,
    id: Uuid,
) -> ApiResult<db::Resource> {
    db::find_visible(conn, id, view.is_staff())
        .await?
        .ok_or(ApiError::NotFound)
}

/// Groups locations by entry id.
pub fn by_entry(locations: Vec<Location>) -> HashMap<Uuid, Vec<Location>> {
    let mut map: HashMap<Uuid, Vec<Location>> = HashMap::new();
    for l in locations {
        map.entry(l.resource_id).or_default().push(l);
    }
    map
}
