//! Enumerations whose every value has one fixed name: the name on the wire
//! (serde), in the database (a `text` column, its CHECK constraint listing
//! the names) and in the OpenAPI document.
//!
//! The database layer reads and writes every [`Code`] generically, so a row
//! carries the domain enum itself and an unknown name in a row is an error,
//! never a default. The domain stays free of diesel: only this trait is
//! shared.

/// An enumeration stored and sent by name.
pub trait Code: Sized + Copy + Eq + std::fmt::Debug + Send + Sync + 'static {
    /// Every value, in declaration order.
    const ALL: &'static [Self];

    /// The value's name.
    fn as_str(self) -> &'static str;

    /// The value named exactly `code`: no trimming, no aliases, no default.
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == code)
    }
}

/// A name that is none of an enumeration's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{code}` is not a {what} (expected one of {expected})")]
pub struct UnknownCode {
    /// The enumeration (its Rust type name).
    pub what: &'static str,
    pub code: String,
    /// The names it has, comma-separated.
    pub expected: String,
}

/// The value named exactly `code`, or an error naming what was expected.
pub fn parse<T: Code>(code: &str) -> Result<T, UnknownCode> {
    T::from_code(code).ok_or_else(|| UnknownCode {
        what: std::any::type_name::<T>(),
        code: code.to_owned(),
        expected: T::ALL
            .iter()
            .map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// The names of every value of `T`, in declaration order.
pub fn names<T: Code>() -> Vec<&'static str> {
    T::ALL.iter().map(|v| v.as_str()).collect()
}

/// Implements `ALL`, `as_str`, [`Code`] and `Display` (the name) for an enum from its list of
/// `Variant => "name"` pairs. The match is exhaustive, so a variant without
/// a name does not compile; a test checks that the names are serde's.
macro_rules! codes {
    ($ty:ident { $($variant:ident => $code:literal,)+ }) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: [$ty; [$($code),+].len()] = [$($ty::$variant),+];

            /// The value's name: on the wire, in the database, in the OpenAPI document.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $code,)+
                }
            }
        }

        impl $crate::code::Code for $ty {
            const ALL: &'static [$ty] = &<$ty>::ALL;

            fn as_str(self) -> &'static str {
                <$ty>::as_str(self)
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use codes;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;
    use crate::{
        desk::coordination, desk::feed, desk::logic_model, desk::proposal, desk::trip,
        desk::workflow, directory, identity,
    };
    use serde::de::DeserializeOwned;
    use serde::Serialize;

    /// Names are unique, serde's, and read back; anything else is refused.
    fn check<T: Code + Serialize + DeserializeOwned>() {
        let mut seen = std::collections::HashSet::new();
        for &value in T::ALL {
            let name = value.as_str();
            assert!(seen.insert(name), "{name} twice");
            assert_eq!(
                serde_json::to_value(value).ok(),
                Some(serde_json::Value::from(name)),
                "serde's name of {value:?}"
            );
            assert_eq!(
                serde_json::from_value::<T>(serde_json::Value::from(name)).ok(),
                Some(value)
            );
            assert_eq!(T::from_code(name), Some(value));
            assert_eq!(parse::<T>(name), Ok(value));
        }
        assert!(!T::ALL.is_empty());
        for bad in ["", " ", "unknown_value_x", "RECEIVED"] {
            if let Some(v) = T::from_code(bad) {
                assert_eq!(v.as_str(), bad, "only the exact name reads");
            }
        }
        let error = parse::<T>("no such name").expect_err("unknown");
        assert_eq!(error.code, "no such name");
        assert!(error.to_string().contains(T::ALL[0].as_str()), "{error}");
    }

    #[test]
    fn every_code_enum_names_its_values_as_serde_does() {
        check::<workflow::Status>();
        check::<proposal::Kind>();
        check::<proposal::Theme>();
        check::<proposal::Channel>();
        check::<Role>();
        check::<crate::signin::ProviderAudience>();
        check::<identity::RecordStatus>();
        check::<identity::OrganizationStatus>();
        check::<identity::UserStatus>();
        check::<identity::OrganizationKind>();
        check::<coordination::HearingStatus>();
        check::<coordination::Interest>();
        check::<coordination::MatchRole>();
        check::<coordination::MatchStatus>();
        check::<logic_model::LogicModelStatus>();
        check::<trip::TripStatus>();
        check::<feed::EventKind>();
        check::<feed::Visibility>();
        check::<directory::LegalForm>();
        check::<directory::ParticipationIntent>();
        check::<directory::EntryVisibility>();
        check::<directory::HideableField>();
        check::<directory::Vocabulary>();
        check::<directory::SurveyChannel>();
        check::<crate::notify::MailKind>();
        check::<crate::notify::Language>();
        check::<crate::notify::OutboxState>();
        check::<crate::notify::AttemptOutcome>();
        check::<crate::intake::SubmissionStatus>();
        check::<crate::desk::attachment::AttachedTo>();
        check::<crate::desk::attachment::AttachmentSource>();
        check::<crate::desk::attachment::ScanStatus>();
        check::<crate::platform::referral::ReferralChannel>();
        check::<crate::platform::referral::ReferralOutcome>();
        check::<crate::platform::meeting::MeetingKind>();
        check::<crate::platform::meeting::FollowUpStatus>();
        check::<crate::platform::event::PlatformEventKind>();
        check::<crate::platform::survey::WorksOn>();
    }

    #[test]
    fn an_unknown_name_is_an_error_that_lists_the_known_ones() {
        let error = parse::<workflow::Status>("recieved").expect_err("typo");
        assert_eq!(error.code, "recieved");
        assert!(error.what.ends_with("workflow::Status"), "{}", error.what);
        assert!(error.expected.starts_with("received, organizing, hearing"));
        assert_eq!(names::<coordination::MatchRole>(), ["lead", "support"]);
    }
}
