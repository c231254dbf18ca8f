//! A directory entry as a caller may see it: the per-field visibility that
//! keeps a DV shelter's address inside the city's staff.
//!
//! Who sees what is [`DirectoryView`]: desk and department callers see every
//! entry and field; everybody else (anonymous, partners, analysts, admins)
//! sees `public` entries only, with hidden fields as `null`.

use crate::auth::{Caller, MaybeCaller};
use crate::http::problem::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use living_gate_db::events::NewEvent;
use living_gate_db::resources::{self as db, Location};
use living_gate_db::AsyncPgConnection;
use living_gate_domain::directory::{
    DirectoryView, EntryVisibility, HideableField, LegalForm, ParticipationIntent,
};
use living_gate_domain::feed::{EventKind, Visibility};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A place of an entry. For the public, the address parts (and the label)
/// are `null` when the address is hidden, latitude and longitude when the
/// position is hidden: never rounded, never approximate.
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
    "visibility": "public", "hidden_fields": ["contact_person"],
    "last_verified_at": "2026-10-01T00:00:00Z", "last_verified_by": null,
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
    /// Which fields the public does not get.
    pub hidden_fields: Vec<HideableField>,
    pub last_verified_at: Option<DateTime<Utc>>,
    /// Staff only.
    pub last_verified_by: Option<Uuid>,
    /// In a `near=` search: metres to the nearest location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn location_view(l: &Location, hidden: &[HideableField], view: DirectoryView) -> LocationView {
    let address = view.shows(hidden, HideableField::Address);
    let position = view.shows(hidden, HideableField::Position);
    let keep = |v: &Option<String>, shown: bool| if shown { v.clone() } else { None };
    LocationView {
        label: keep(&l.label, address),
        postal_code: keep(&l.postal_code, address),
        prefecture: keep(&l.prefecture, address),
        city: keep(&l.city, address),
        street: keep(&l.street, address),
        latitude: if position { l.latitude } else { None },
        longitude: if position { l.longitude } else { None },
    }
}

impl Resource {
    /// The entry as `view` may see it (the caller has checked the entry itself is visible).
    pub fn view(
        r: db::Resource,
        locations: &[Location],
        view: DirectoryView,
        distance_m: Option<f64>,
    ) -> Resource {
        let hidden = r.hidden_fields.clone();
        let shows = |field| view.shows(&hidden, field);
        let staff = view.is_staff();
        Resource {
            id: r.id,
            external_key: if staff { r.external_key } else { None },
            name: r.name,
            name_kana: r.name_kana,
            other_names: r.other_names,
            legal_form: r.legal_form,
            description: r.description,
            municipality_id: r.municipality_id,
            serves_municipality_ids: r.serves_municipality_ids,
            topics: r.topics,
            forms: r.forms,
            locations: locations
                .iter()
                .filter(|l| l.resource_id == r.id)
                .map(|l| location_view(l, &hidden, view))
                .collect(),
            phone: r.phone.filter(|_| shows(HideableField::Phone)),
            email: r.email.filter(|_| shows(HideableField::Email)),
            website: r.website,
            contact_person: r
                .contact_person
                .filter(|_| shows(HideableField::ContactPerson)),
            opening_hours: r.opening_hours,
            target_ages: r.target_ages,
            languages: r.languages,
            participation_intent: r.participation_intent,
            partner_organization_id: if staff {
                r.partner_organization_id
            } else {
                None
            },
            visibility: r.visibility,
            hidden_fields: hidden.clone(),
            last_verified_at: r.last_verified_at,
            last_verified_by: if staff { r.last_verified_by } else { None },
            distance_m: if staff || shows(HideableField::Position) {
                distance_m
            } else {
                None
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A change-feed event about an entry (staff only).
pub fn resource_event(caller: &Caller, resource_id: Uuid, kind: EventKind) -> NewEvent {
    NewEvent {
        resource_id: Some(resource_id),
        actor_id: Some(caller.actor.id),
        actor_role: Some(caller.actor.role),
        ..NewEvent::new(kind, Visibility::Internal)
    }
}

/// What the caller may see of the directory (staff or the public).
pub fn view_of(caller: &MaybeCaller) -> DirectoryView {
    DirectoryView::of(caller.0.as_ref().map(|c| &c.actor))
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
