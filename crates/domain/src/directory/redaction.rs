//! The one redaction of the directory: what a reader may see of an entry.
//!
//! Every output (JSON, HSDS, CSV, the GeoJSON map) renders a [`Redacted`]
//! entry, and only [`redact`] makes one, so no output decides visibility on
//! its own. Whether the hidden fields are shown is need-to-know
//! ([`super::may_see_hidden_fields`], through the [`Reader`]); a
//! [`Redacted`] says which hidden values it kept ([`Redacted::revealed`]),
//! which the API audits. The SQL that filters lists for those without
//! access (no hidden position in a radius search, none on the map unless
//! coarse, no label of a hidden address) names the fields with
//! [`HideableField::as_str`], the same names as here.

use super::position::{coarsen, PositionPublication};
use super::{
    DirectoryView, EntryVisibility, HideableField, LegalForm, ParticipationIntent, Reader,
};
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
    /// Which fields only those with need-to-know get (shown to everybody).
    pub hidden_fields: Vec<HideableField>,
    /// What the others get of a hidden position (`exact` when it is not hidden).
    pub position_publication: PositionPublication,
    pub last_verified_at: Option<DateTime<Utc>>,
    /// Staff only.
    pub last_verified_by: Option<Uuid>,
    /// When and how to go, whom it is for, cost, consent, translations: all public.
    pub details: super::Details,
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
    revealed: Vec<HideableField>,
}

impl Redacted {
    /// The view it was redacted for.
    pub fn view(&self) -> DirectoryView {
        self.view
    }

    /// The hidden fields whose values it kept (a privileged read, to audit).
    pub fn revealed(&self) -> &[HideableField] {
        &self.revealed
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

/// What `reader` may see of `entry`: for those who are not staff, the
/// staff-only fields (`external_key`, `partner_organization_id`,
/// `last_verified_by`) are `None`; for those without need-to-know for the
/// entry's owning city, so is every field named in `hidden_fields` (see
/// [`clear`] for what each name covers), except a `coarse` position, which
/// is rounded. The owning city's desk and those it granted see everything.
/// Whether the entry itself may be seen (`visibility`) is the caller's
/// question, answered before.
pub fn redact(mut entry: Entry, reader: &Reader) -> Redacted {
    let view = reader.view();
    if !view.is_staff() {
        entry.external_key = None;
        entry.partner_organization_id = None;
        entry.last_verified_by = None;
    }
    let revealed = if reader.sees_hidden_of(entry.municipality_id) {
        HideableField::ALL
            .into_iter()
            .filter(|f| entry.hidden_fields.contains(f) && has_value(&entry, *f))
            .collect()
    } else {
        for field in HideableField::ALL {
            if entry.hidden_fields.contains(&field) {
                clear(&mut entry, field);
            }
        }
        Vec::new()
    };
    Redacted {
        entry,
        view,
        revealed,
    }
}

/// Whether `entry` holds a value for `field` (a hidden empty field reveals nothing).
fn has_value(entry: &Entry, field: HideableField) -> bool {
    match field {
        HideableField::Address => entry.locations.iter().any(|p| {
            p.label.is_some()
                || p.postal_code.is_some()
                || p.prefecture.is_some()
                || p.city.is_some()
                || p.street.is_some()
        }),
        HideableField::Position => entry.locations.iter().any(|p| p.latitude.is_some()),
        HideableField::Phone => entry.phone.is_some(),
        HideableField::Email => entry.email.is_some(),
        HideableField::ContactPerson => entry.contact_person.is_some(),
    }
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
            let coarse = entry.position_publication == PositionPublication::Coarse;
            for place in &mut entry.locations {
                if coarse {
                    place.latitude = place.latitude.map(coarsen);
                    place.longitude = place.longitude.map(coarsen);
                } else {
                    place.latitude = None;
                    place.longitude = None;
                }
            }
            // A distance tells where the entry is, coarse or not.
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
    use crate::{Actor, Role};

    /// A staff member of `municipality`, of `role`, without any grant.
    fn staff(role: Role, municipality: Uuid) -> Reader {
        Reader::of(
            Some(&Actor {
                id: Uuid::now_v7(),
                role,
                municipality_id: Some(municipality),
                department_id: (role == Role::Department).then(Uuid::now_v7),
                organization_id: None,
                is_service_account: false,
            }),
            &[],
        )
    }

    /// The owning city's desk.
    fn owner(e: &Entry) -> Reader {
        staff(Role::Desk, e.municipality_id)
    }

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
            position_publication: if hidden.contains(&HideableField::Position) {
                PositionPublication::Hidden
            } else {
                PositionPublication::Exact
            },
            last_verified_at: Some(now),
            last_verified_by: Some(Uuid::now_v7()),
            details: Default::default(),
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
    fn the_owning_desk_sees_every_field_even_hidden_ones_and_they_are_revealed() {
        let stored = entry(&HideableField::ALL);
        let seen = redact(stored.clone(), &owner(&stored));
        assert_eq!(seen.view(), DirectoryView::Staff);
        assert_eq!(seen.revealed(), HideableField::ALL);
        assert_eq!(seen.into_entry(), stored);
        let nothing_hidden = entry(&[]);
        assert!(redact(nothing_hidden.clone(), &owner(&nothing_hidden))
            .revealed()
            .is_empty());
    }

    #[test]
    fn staff_without_need_to_know_get_staff_only_fields_but_not_hidden_ones() {
        for field in HideableField::ALL {
            let stored = entry(&[field]);
            let other_desk = staff(Role::Desk, Uuid::now_v7());
            let own_department = staff(Role::Department, stored.municipality_id);
            for reader in [other_desk, own_department] {
                let seen = redact(stored.clone(), &reader);
                assert_eq!(seen.view(), DirectoryView::Staff);
                assert!(seen.revealed().is_empty());
                assert_eq!(
                    seen.into_entry(),
                    without(stored.clone(), field),
                    "{field:?}"
                );
            }
        }
    }

    #[test]
    fn the_public_sees_no_staff_only_field_even_with_nothing_hidden() {
        let stored = entry(&[]);
        let seen = redact(stored.clone(), &Reader::anonymous());
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
                redact(stored.clone(), &Reader::anonymous()).into_entry(),
                expected,
                "{field:?}"
            );
            assert_eq!(
                redact(stored.clone(), &owner(&stored)).into_entry(),
                stored,
                "{field:?}"
            );
        }
    }

    #[test]
    fn a_coarse_position_is_rounded_for_those_without_access_and_exact_for_the_owner() {
        let mut stored = entry(&[HideableField::Address, HideableField::Position]);
        stored.position_publication = PositionPublication::Coarse;
        let seen = redact(stored.clone(), &Reader::anonymous());
        assert!(seen.locations.iter().all(|p| p.latitude == Some(35.47)
            && p.longitude == Some(139.4)
            && p.street.is_none()));
        assert_eq!(seen.distance_m, None);
        let owned = redact(stored.clone(), &owner(&stored));
        assert_eq!(owned.locations[0].latitude, Some(35.47123));
    }

    #[test]
    fn hidden_fields_combine() {
        let stored = entry(&HideableField::ALL);
        let expected = HideableField::ALL
            .into_iter()
            .fold(without_staff_only(stored.clone()), without);
        let seen = redact(stored, &Reader::anonymous());
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
