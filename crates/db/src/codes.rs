//! Domain enumerations in `text` columns: rows carry
//! [`workflow::Status`](living_gate_domain::desk::workflow::Status),
//! [`LegalForm`](living_gate_domain::directory::LegalForm), … themselves, and a
//! name that is none of the enum's values fails the read with an error
//! naming the column, never a default.
//!
//! The domain knows no diesel, and the orphan rule forbids implementing
//! diesel's `ToSql`/`FromSql` for a domain type here, so three wrappers of
//! ours carry the impls, once for every [`Code`]: [`DbText`] (`text`),
//! [`DbNullableText`] (nullable `text`) and [`DbTextArray`] (`text[]`). A row
//! names the wrapper in `deserialize_as` / `serialize_as` and its field is
//! the domain enum:
//!
//! ```ignore
//! #[derive(Queryable, Selectable)]
//! #[diesel(table_name = trips)]
//! pub struct Trip {
//!     #[diesel(deserialize_as = DbText<TripStatus>)]
//!     pub status: TripStatus,
//! }
//! #[derive(AsChangeset)]
//! #[diesel(table_name = trips)]
//! pub struct TripChanges {
//!     #[diesel(serialize_as = DbText<TripStatus>)]
//!     pub status: Option<TripStatus>,
//! }
//! ```
//!
//! A struct with a `serialize_as` field is inserted or applied by value (diesel
//! generates no impl for `&Struct` then); our query functions keep taking
//! references and clone, which costs nothing next to the round trip.
//!
//! Reading needs a `From<wrapper>` for the enum, which the orphan rule only
//! allows one enum at a time: [`row_codes!`] below lists every enum rows carry.

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{Array, Nullable, Text};
use living_gate_domain::code::{self, Code};

/// A [`Code`] in a `text` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct DbText<T: Code>(pub T);

/// An optional [`Code`] in a nullable `text` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub struct DbNullableText<T: Code>(pub Option<T>);

/// [`Code`]s in a `text[]` column.
#[derive(Debug, Clone, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Array<Text>)]
pub struct DbTextArray<T: Code>(pub Vec<T>);

impl<T: Code> FromSql<Text, Pg> for DbText<T> {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let raw = std::str::from_utf8(value.as_bytes())?;
        Ok(DbText(code::parse(raw)?))
    }
}

impl<T: Code> ToSql<Text, Pg> for DbText<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <str as ToSql<Text, Pg>>::to_sql(self.0.as_str(), out)
    }
}

impl<T: Code> FromSql<Nullable<Text>, Pg> for DbNullableText<T> {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let DbText(v) = <DbText<T> as FromSql<Text, Pg>>::from_sql(value)?;
        Ok(DbNullableText(Some(v)))
    }

    fn from_nullable_sql(value: Option<PgValue<'_>>) -> deserialize::Result<Self> {
        match value {
            Some(value) => Self::from_sql(value),
            None => Ok(DbNullableText(None)),
        }
    }
}

impl<T: Code> AsExpression<Nullable<Text>> for DbNullableText<T> {
    type Expression = <Option<DbText<T>> as AsExpression<Nullable<Text>>>::Expression;

    fn as_expression(self) -> Self::Expression {
        AsExpression::<Nullable<Text>>::as_expression(self.0.map(DbText))
    }
}

impl<T: Code> FromSql<Array<Text>, Pg> for DbTextArray<T> {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let values = <Vec<DbText<T>> as FromSql<Array<Text>, Pg>>::from_sql(value)?;
        Ok(DbTextArray(values.into_iter().map(|DbText(v)| v).collect()))
    }
}

impl<T: Code> ToSql<Array<Text>, Pg> for DbTextArray<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        let names: Vec<&'static str> = self.0.iter().map(|v| v.as_str()).collect();
        <Vec<&'static str> as ToSql<Array<Text>, Pg>>::to_sql(&names, &mut out.reborrow())
    }
}

impl<T: Code> From<T> for DbText<T> {
    fn from(value: T) -> Self {
        DbText(value)
    }
}

impl<T: Code> From<Option<T>> for DbNullableText<T> {
    fn from(value: Option<T>) -> Self {
        DbNullableText(value)
    }
}

impl<T: Code> From<Vec<T>> for DbTextArray<T> {
    fn from(values: Vec<T>) -> Self {
        DbTextArray(values)
    }
}

/// The way back from each wrapper to the enum, for `deserialize_as`.
macro_rules! row_codes {
    ($($ty:ty),+ $(,)?) => {
        $(
            impl From<DbText<$ty>> for $ty {
                fn from(DbText(value): DbText<$ty>) -> Self {
                    value
                }
            }

            impl From<DbNullableText<$ty>> for Option<$ty> {
                fn from(DbNullableText(value): DbNullableText<$ty>) -> Self {
                    value
                }
            }

            impl From<DbTextArray<$ty>> for Vec<$ty> {
                fn from(DbTextArray(values): DbTextArray<$ty>) -> Self {
                    values
                }
            }
        )+
    };
}

// Every enumeration a row carries.
row_codes!(
    living_gate_domain::desk::workflow::Status,
    living_gate_domain::desk::proposal::Kind,
    living_gate_domain::desk::proposal::Theme,
    living_gate_domain::desk::proposal::Channel,
    living_gate_domain::Role,
    living_gate_domain::identity::RecordStatus,
    living_gate_domain::identity::OrganizationStatus,
    living_gate_domain::identity::UserStatus,
    living_gate_domain::identity::OrganizationKind,
    living_gate_domain::desk::coordination::HearingStatus,
    living_gate_domain::desk::coordination::Interest,
    living_gate_domain::desk::coordination::MatchRole,
    living_gate_domain::desk::coordination::MatchStatus,
    living_gate_domain::desk::logic_model::LogicModelStatus,
    living_gate_domain::desk::trip::TripStatus,
    living_gate_domain::desk::feed::EventKind,
    living_gate_domain::desk::feed::Visibility,
    living_gate_domain::directory::LegalForm,
    living_gate_domain::directory::ParticipationIntent,
    living_gate_domain::directory::EntryVisibility,
    living_gate_domain::directory::HideableField,
    living_gate_domain::directory::Vocabulary,
    living_gate_domain::directory::SurveyChannel,
    living_gate_domain::platform::referral::ReferralChannel,
    living_gate_domain::platform::referral::ReferralOutcome,
    living_gate_domain::platform::meeting::MeetingKind,
    living_gate_domain::platform::meeting::FollowUpStatus,
    living_gate_domain::platform::event::PlatformEventKind,
    living_gate_domain::platform::survey::WorksOn,
    living_gate_domain::directory::SuggestionStatus,
    living_gate_domain::directory::details::AccessibilityFeature,
    living_gate_domain::directory::details::TargetGroup,
    living_gate_domain::directory::details::Cost,
    living_gate_domain::directory::details::VerificationMethod,
    living_gate_domain::desk::suggestions::Involvement,
    living_gate_domain::notify::MailKind,
    living_gate_domain::intake::SubmissionStatus,
    living_gate_domain::notify::Language,
    living_gate_domain::notify::OutboxState,
    living_gate_domain::notify::AttemptOutcome,
    living_gate_domain::desk::attachment::AttachedTo,
    living_gate_domain::desk::attachment::AttachmentSource,
    living_gate_domain::desk::attachment::ScanStatus,
    living_gate_domain::webhooks::SubscriptionState,
    living_gate_domain::webhooks::DeliveryOutcome,
    living_gate_domain::signin::ProviderAudience,
    living_gate_domain::desk::network::AgreementChannel,
    living_gate_domain::desk::network::PastRole,
    living_gate_domain::desk::network::HistoryKind,
);
