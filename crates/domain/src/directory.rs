//! The regional resource directory (seed 002): the vocabulary of an entry,
//! who sees which of its fields (the one redaction, in [`redact`]), and the
//! checks on its values.

use crate::{Actor, Role, ValidationErrors};
use serde::{Deserialize, Serialize};

pub mod details;
pub mod import;
mod need_to_know;
pub mod position;
mod redaction;
pub use details::{Details, PublishConsent};
pub use need_to_know::{may_see_hidden_fields, ConfidentialGrant, Grantee, Reader};
pub use position::PositionPublication;
pub use redaction::{redact, Entry, Place, Redacted};

/// 法人格: the legal form of a directory organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LegalForm {
    /// NPO法人 (特定非営利活動法人).
    Npo,
    /// 社会福祉法人.
    SocialWelfareCorporation,
    /// 一般社団法人 / 一般財団法人.
    GeneralIncorporatedAssociation,
    /// 公益社団法人 / 公益財団法人.
    PublicInterestIncorporated,
    /// 株式会社 and other companies.
    StockCompany,
    /// 協同組合.
    Cooperative,
    /// 任意団体 (unincorporated group).
    VoluntaryGroup,
    /// 地域包括支援センター.
    CommunityGeneralSupportCenter,
    /// こども食堂.
    ChildrensCafeteria,
    /// 行政機関 (a public office).
    PublicAgency,
    Other,
}

crate::code::codes!(LegalForm {
    Npo => "npo",
    SocialWelfareCorporation => "social_welfare_corporation",
    GeneralIncorporatedAssociation => "general_incorporated_association",
    PublicInterestIncorporated => "public_interest_incorporated",
    StockCompany => "stock_company",
    Cooperative => "cooperative",
    VoluntaryGroup => "voluntary_group",
    CommunityGeneralSupportCenter => "community_general_support_center",
    ChildrensCafeteria => "childrens_cafeteria",
    PublicAgency => "public_agency",
    Other => "other",
});

impl LegalForm {
    /// The Japanese label municipalities write in their spreadsheets.
    pub fn label_ja(self) -> &'static str {
        match self {
            LegalForm::Npo => "NPO法人",
            LegalForm::SocialWelfareCorporation => "社会福祉法人",
            LegalForm::GeneralIncorporatedAssociation => "一般社団法人",
            LegalForm::PublicInterestIncorporated => "公益社団法人",
            LegalForm::StockCompany => "株式会社",
            LegalForm::Cooperative => "協同組合",
            LegalForm::VoluntaryGroup => "任意団体",
            LegalForm::CommunityGeneralSupportCenter => "地域包括支援センター",
            LegalForm::ChildrensCafeteria => "こども食堂",
            LegalForm::PublicAgency => "行政機関",
            LegalForm::Other => "その他",
        }
    }

    /// Reads the code or the Japanese label (`NPO法人`, `一般財団法人`, `子ども食堂`…).
    pub fn parse(raw: &str) -> Option<LegalForm> {
        let raw = raw.trim();
        let aliases: &[(&str, LegalForm)] = &[
            ("特定非営利活動法人", LegalForm::Npo),
            ("一般財団法人", LegalForm::GeneralIncorporatedAssociation),
            ("公益財団法人", LegalForm::PublicInterestIncorporated),
            ("合同会社", LegalForm::StockCompany),
            ("有限会社", LegalForm::StockCompany),
            ("子ども食堂", LegalForm::ChildrensCafeteria),
            ("子供食堂", LegalForm::ChildrensCafeteria),
        ];
        LegalForm::ALL
            .into_iter()
            .find(|f| f.as_str() == raw || f.label_ja() == raw)
            .or_else(|| aliases.iter().find(|(a, _)| *a == raw).map(|(_, f)| *f))
    }
}

/// 参画意向: whether the organization wants to join the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParticipationIntent {
    Yes,
    Maybe,
    No,
    Unknown,
}

crate::code::codes!(ParticipationIntent {
    Yes => "yes",
    Maybe => "maybe",
    No => "no",
    Unknown => "unknown",
});

impl ParticipationIntent {
    /// Reads the code or the survey's answers (あり, 検討中, なし, 未回答).
    pub fn parse(raw: &str) -> Option<ParticipationIntent> {
        match raw.trim() {
            "" | "unknown" | "未回答" | "不明" => Some(ParticipationIntent::Unknown),
            "yes" | "あり" | "有" | "参画したい" | "はい" => {
                Some(ParticipationIntent::Yes)
            }
            "maybe" | "検討中" | "検討したい" => Some(ParticipationIntent::Maybe),
            "no" | "なし" | "無" | "いいえ" => Some(ParticipationIntent::No),
            _ => None,
        }
    }
}

/// Whether an entry is in the public directory at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryVisibility {
    Public,
    /// Only the desk and city departments know the entry exists.
    StaffOnly,
}

crate::code::codes!(EntryVisibility {
    Public => "public",
    StaffOnly => "staff_only",
});

/// A field of an entry that can be hidden: only the owning city's desk and
/// those it granted confidential access see it ([`may_see_hidden_fields`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HideableField {
    /// Postal code, prefecture, city and street of every location.
    Address,
    /// Latitude and longitude of every location: such an entry is also left
    /// out of `near=` searches, and of the map unless its
    /// [`PositionPublication`] is `coarse`, for those without access.
    Position,
    Phone,
    Email,
    ContactPerson,
}

crate::code::codes!(HideableField {
    Address => "address",
    Position => "position",
    Phone => "phone",
    Email => "email",
    ContactPerson => "contact_person",
});

impl HideableField {
    /// The field named `raw`, surrounding spaces ignored (spreadsheet cells).
    pub fn parse(raw: &str) -> Option<HideableField> {
        crate::code::Code::from_code(raw.trim())
    }
}

/// What of the directory a caller sees, hidden fields aside (those are
/// need-to-know, per entry: [`Reader`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryView {
    /// Desk and department users of every city: every entry (staff-only ones
    /// too) and the staff-only fields.
    Staff,
    /// Everybody else, signed in or not: public entries, public fields.
    Public,
}

impl DirectoryView {
    pub fn of(actor: Option<&Actor>) -> DirectoryView {
        match actor.map(|a| a.role) {
            Some(Role::Desk | Role::Department) => DirectoryView::Staff,
            _ => DirectoryView::Public,
        }
    }

    pub fn is_staff(self) -> bool {
        self == DirectoryView::Staff
    }
}

/// Where a suggested correction of an entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionStatus {
    /// Waiting for the owning city's desk.
    Pending,
    /// Applied to the entry through its normal update.
    Accepted,
    /// Not applied.
    Rejected,
}

crate::code::codes!(SuggestionStatus {
    Pending => "pending",
    Accepted => "accepted",
    Rejected => "rejected",
});

/// A taxonomy: topics (a hierarchy), forms of activity, or the city's
/// policy areas (ざま未来プラン) that a case's assessment refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Vocabulary {
    Topic,
    Form,
    PolicyArea,
}

crate::code::codes!(Vocabulary {
    Topic => "topic",
    Form => "form",
    PolicyArea => "policy_area",
});

/// How a survey reached a directory organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SurveyChannel {
    Email,
    Post,
    Hand,
    Fax,
}

crate::code::codes!(SurveyChannel {
    Email => "email",
    Post => "post",
    Hand => "hand",
    Fax => "fax",
});

/// A latitude/longitude pair on Earth (WGS 84 degrees).
pub fn position(
    field: &str,
    latitude: f64,
    longitude: f64,
) -> Result<(f64, f64), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if !latitude.is_finite() || !(-90.0..=90.0).contains(&latitude) {
        errors.add(
            &format!("{field}.latitude"),
            "out_of_range",
            "must be between -90 and 90",
        );
    }
    if !longitude.is_finite() || !(-180.0..=180.0).contains(&longitude) {
        errors.add(
            &format!("{field}.longitude"),
            "out_of_range",
            "must be between -180 and 180",
        );
    }
    errors.into_result().map(|()| (latitude, longitude))
}

/// `lat,lng` as in `near=35.488,139.407`.
pub fn parse_near(field: &str, raw: &str) -> Result<(f64, f64), ValidationErrors> {
    let parsed = raw
        .split_once(',')
        .and_then(|(a, b)| Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?)));
    match parsed {
        Some((lat, lng)) => position(field, lat, lng),
        None => Err(ValidationErrors::single(
            field,
            "invalid_position",
            "must be latitude,longitude in degrees, e.g. 35.488,139.407",
        )),
    }
}

/// A Japanese telephone number as written (`046-252-7966`, `0120-000-000`,
/// `+81 46 252 7966`): digits with optional hyphens, spaces, parentheses.
pub fn phone(field: &str, raw: &str) -> Result<String, ValidationErrors> {
    let value = raw.trim();
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '(' | ')' | '+'));
    if allowed && (8..=15).contains(&digits) {
        Ok(value.to_owned())
    } else {
        Err(ValidationErrors::single(
            field,
            "invalid_phone",
            "must be a telephone number: 8 to 15 digits, with optional -, spaces, () and +",
        ))
    }
}

/// A BCP 47 language tag of the simple kind (`ja`, `en`, `pt-BR`, `zh-Hans`).
pub fn language(field: &str, raw: &str) -> Result<String, ValidationErrors> {
    let value = raw.trim();
    let mut parts = value.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_lowercase()));
    let rest_ok =
        parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if primary_ok && rest_ok {
        Ok(value.to_owned())
    } else {
        Err(ValidationErrors::single(
            field,
            "invalid_language",
            "must be a language tag such as ja, en, vi, pt-BR",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn actor(role: Role) -> Actor {
        Actor {
            id: Uuid::now_v7(),
            role,
            municipality_id: None,
            department_id: None,
            organization_id: None,
            is_service_account: false,
        }
    }

    #[test]
    fn only_desk_and_departments_are_staff() {
        for role in Role::ALL {
            let expected = matches!(role, Role::Desk | Role::Department);
            assert_eq!(
                DirectoryView::of(Some(&actor(role))).is_staff(),
                expected,
                "{role}"
            );
        }
        assert_eq!(DirectoryView::of(None), DirectoryView::Public);
    }

    #[test]
    fn legal_forms_read_codes_and_japanese_labels() {
        assert_eq!(LegalForm::parse("NPO法人"), Some(LegalForm::Npo));
        assert_eq!(LegalForm::parse("特定非営利活動法人"), Some(LegalForm::Npo));
        assert_eq!(
            LegalForm::parse("地域包括支援センター"),
            Some(LegalForm::CommunityGeneralSupportCenter)
        );
        assert_eq!(
            LegalForm::parse("childrens_cafeteria"),
            Some(LegalForm::ChildrensCafeteria)
        );
        assert_eq!(LegalForm::parse("宗教法人?"), None);
        for form in LegalForm::ALL {
            assert_eq!(LegalForm::parse(form.as_str()), Some(form));
            assert_eq!(LegalForm::parse(form.label_ja()), Some(form));
        }
    }

    #[test]
    fn intents_read_survey_answers() {
        assert_eq!(
            ParticipationIntent::parse("あり"),
            Some(ParticipationIntent::Yes)
        );
        assert_eq!(
            ParticipationIntent::parse(""),
            Some(ParticipationIntent::Unknown)
        );
        assert_eq!(ParticipationIntent::parse("たぶん"), None);
    }

    #[test]
    fn positions_phones_and_languages_are_checked() {
        assert_eq!(parse_near("near", "35.488, 139.407"), Ok((35.488, 139.407)));
        assert!(parse_near("near", "35.4").is_err());
        assert!(parse_near("near", "95,139").is_err());
        assert!(parse_near("near", "NaN,139").is_err());
        assert!(phone("phone", "046-252-7966").is_ok());
        assert!(phone("phone", "+81 46 252 7966").is_ok());
        assert!(phone("phone", "call me").is_err());
        assert!(phone("phone", "123").is_err());
        assert!(language("languages[0]", "pt-BR").is_ok());
        assert!(language("languages[0]", "japanese").is_err());
    }
}
