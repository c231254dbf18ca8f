//! The one redaction of the directory: what a view may see of an entry.
//!
//! Every output (JSON, HSDS, CSV, the GeoJSON map) renders a [`Redacted`]
//! entry, and only [`redact`] makes one, so no output decides visibility on
//! its own. The SQL that filters lists for the public (no hidden position in
//! a radius search or on the map, no label of a hidden address) names the
//! fields with [`HideableField::as_str`], the same names as here.

use super::{DirectoryView, EntryVisibility, HideableField, LegalForm, ParticipationIntent};
use chrono::{DateTime, Utc};
use std::ops::Deref;
use uuid::Uuid;

/// A place of an entry, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub id: Uuid,
    /// Names the place (`本部`, `ひだまり荘 1階`): hidden with the address.
    pub label: Option<String>,
    pub postal_code: Option<String>,
    pub prefecture: Option<String>,
    pub city: Option<String>,
    pub street: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// An entry's content and locations as stored: what [`redact`] starts from.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: Uuid,
    /// Staff only.
    pub external_key: Option<String>,
    pub name: String,
    pub name_kana: Option<String>,
    pub other_names: Vec<String>,
    pub legal_form: LegalForm,
    pub description: String,
    pub municipality_id: Uuid,
    pub serves_municipality_ids: Vec<Uuid>,
    pub topics: Vec<String>,
    pub forms: Vec<String>,
    pub locations: Vec<Place>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub contact_person: Option<String>,
    pub opening_hours: Option<String>,
    pub target_ages: Option<String>,
    pub languages: Vec<String>,
    pub participation_intent: ParticipationIntent,
    /// Staff only.
    pub partner_organization_id: Option<Uuid>,
    pub visibility: EntryVisibility,
    /// Which fields the public does not get (shown to everybody).
    pub hidden_fields: Vec<HideableField>,
    pub last_verified_at: Option<DateTime<Utc>>,
    /// Staff only.
    pub last_verified_by: Option<Uuid>,
    /// In a `near=` search: metres to the nearest location. It tells where
    /// the entry is, so it goes with the position.
    pub distance_m: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An entry as one view may see it. Only [`redact`] makes one; read it as
/// an [`Entry`] whose hidden and staff-only fields are `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Redacted {
    entry: Entry,
    view: DirectoryView,
}

impl Redacted {
    /// The view it was redacted for.
    pub fn view(&self) -> DirectoryView {
        self.view
    }

    pub fn into_entry(self) -> Entry {
        self.entry
    }
}

impl Deref for Redacted {
    type Target = Entry;

    fn deref(&self) -> &Entry {
        &self.entry
    }
}

/// What `view` may see of `entry`: for the public, every field named in
/// `hidden_fields` is `None` (see [`clear`] for what each name covers) and
/// so are the staff-only fields (`external_key`, `partner_organization_id`,
/// `last_verified_by`). Staff see everything. Whether the entry itself may
/// be seen (`visibility`) is the caller's question, answered before.
pub fn redact(mut entry: Entry, view: DirectoryView) -> Redacted {
    if !view.is_staff() {
        entry.external_key = None;
        entry.partner_organization_id = None;
        entry.last_verified_by = None;
        for field in HideableField::ALL {
            if !view.shows(&entry.hidden_fields, field) {
                clear(&mut entry, field);
            }
        }
    }
    Redacted { entry, view }
}

/// Removes everything `field` stands for. Exhaustive on purpose: a new
/// hideable field does not compile until it says what it hides.
fn clear(entry: &mut Entry, field: HideableField) {
    match field {
        HideableField::Address => {
            for place in &mut entry.locations {
                place.label = None;
                place.postal_code = None;
                place.prefecture = None;
                place.city = None;
                place.street = None;
            }
        }
        HideableField::Position => {
            for place in &mut entry.locations {
                place.latitude = None;
                place.longitude = None;
            }
            entry.distance_m = None;
        }
        HideableField::Phone => entry.phone = None,
        HideableField::Email => entry.email = None,
        HideableField::ContactPerson => entry.contact_person = None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place() -> Place {
        Place {
            id: Uuid::now_v7(),
            label: Some("相談室".into()),
            postal_code: Some("252-0011".into()),
            prefecture: Some("神奈川県".into()),
            city: Some("座間市".into()),
            street: Some("相武台秘密町九丁目8番7号".into()),
            latitude: Some(35.47123),
            longitude: Some(139.40456),
        }
    }

    /// An entry with every field filled in, hiding `hidden`.
    fn entry(hidden: &[HideableField]) -> Entry {
        let now = Utc::now();
        Entry {
            id: Uuid::now_v7(),
            external_key: Some("zama-001".into()),
            name: "DV相談室かながわ".into(),
            name_kana: Some("でぃーぶいそうだんしつ".into()),
            other_names: vec!["相談室".into()],
            legal_form: LegalForm::PublicAgency,
            description: "配偶者からの暴力に関する相談".into(),
            municipality_id: Uuid::now_v7(),
            serves_municipality_ids: vec![Uuid::now_v7()],
            topics: vec!["dv".into()],
            forms: vec!["consultation".into()],
            locations: vec![place(), place()],
            phone: Some("046-999-0001".into()),
            email: Some("soudan@dv.example.jp".into()),
            website: Some("https://dv.example.jp".into()),
            contact_person: Some("秘密 花子".into()),
            opening_hours: Some("平日 9:00-17:00".into()),
            target_ages: Some("18歳以上".into()),
            languages: vec!["ja".into()],
            participation_intent: ParticipationIntent::Yes,
            partner_organization_id: Some(Uuid::now_v7()),
            visibility: EntryVisibility::Public,
            hidden_fields: hidden.to_vec(),
            last_verified_at: Some(now),
            last_verified_by: Some(Uuid::now_v7()),
            distance_m: Some(12.5),
            created_at: now,
            updated_at: now,
        }
    }

    /// The entry with exactly what `field` stands for removed, written out
    /// field by field (not through [`clear`]).
    fn without(mut e: Entry, field: HideableField) -> Entry {
        match field {
            HideableField::Address => {
                e.locations = e
                    .locations
                    .into_iter()
                    .map(|p| Place {
                        id: p.id,
                        latitude: p.latitude,
                        longitude: p.longitude,
                        label: None,
                        postal_code: None,
                        prefecture: None,
                        city: None,
                        street: None,
                    })
                    .collect();
            }
            HideableField::Position => {
                e.locations = e
                    .locations
                    .into_iter()
                    .map(|p| Place {
                        latitude: None,
                        longitude: None,
                        ..p
                    })
                    .collect();
                e.distance_m = None;
            }
            HideableField::Phone => e.phone = None,
            HideableField::Email => e.email = None,
            HideableField::ContactPerson => e.contact_person = None,
        }
        e
    }

    fn without_staff_only(e: Entry) -> Entry {
        Entry {
            external_key: None,
            partner_organization_id: None,
            last_verified_by: None,
            ..e
        }
    }

    #[test]
    fn staff_see_every_field_even_hidden_ones() {
        let stored = entry(&HideableField::ALL);
        let seen = redact(stored.clone(), DirectoryView::Staff);
        assert_eq!(seen.view(), DirectoryView::Staff);
        assert_eq!(seen.into_entry(), stored);
    }

    #[test]
    fn the_public_sees_no_staff_only_field_even_with_nothing_hidden() {
        let stored = entry(&[]);
        let seen = redact(stored.clone(), DirectoryView::Public);
        assert_eq!(seen.view(), DirectoryView::Public);
        assert_eq!(seen.into_entry(), without_staff_only(stored));
    }

    #[test]
    fn each_hidden_field_is_removed_for_the_public_and_nothing_else() {
        for field in HideableField::ALL {
            let stored = entry(&[field]);
            let expected = without_staff_only(without(stored.clone(), field));
            assert_ne!(expected, without_staff_only(stored.clone()), "{field:?}");
            assert_eq!(
                redact(stored.clone(), DirectoryView::Public).into_entry(),
                expected,
                "{field:?}"
            );
            assert_eq!(
                redact(stored.clone(), DirectoryView::Staff).into_entry(),
                stored,
                "{field:?}"
            );
        }
    }

    #[test]
    fn hidden_fields_combine() {
        let stored = entry(&HideableField::ALL);
        let expected = HideableField::ALL
            .into_iter()
            .fold(without_staff_only(stored.clone()), without);
        let seen = redact(stored, DirectoryView::Public);
        assert_eq!(*seen, expected);
        assert!(seen.locations.iter().all(|p| p
            == &Place {
                id: p.id,
                label: None,
                postal_code: None,
                prefecture: None,
                city: None,
                street: None,
                latitude: None,
                longitude: None,
            }));
        // Which fields are hidden is itself public.
        assert_eq!(seen.hidden_fields, HideableField::ALL.to_vec());
    }
}
