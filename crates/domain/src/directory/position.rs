//! Where an entry's position is published when it hides it (issue 14):
//! coordinates give a street away, so an entry that hides its address hides
//! its position too, or publishes it coarsened to a grid cell of about a
//! kilometre, when it chooses that.

use super::HideableField;
use crate::ValidationErrors;
use serde::{Deserialize, Serialize};

/// What those without access to the hidden fields get of the position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PositionPublication {
    /// The exact latitude and longitude (the position is not hidden).
    Exact,
    /// Rounded to the centre of its 0.01° × 0.01° cell (at 35.5° N, 1.11 km
    /// north–south by 0.91 km east–west): on the map, never in `near=`.
    Coarse,
    /// Nothing: not on the map, not in `near=`.
    Hidden,
}

crate::code::codes!(PositionPublication {
    Exact => "exact",
    Coarse => "coarse",
    Hidden => "hidden",
});

impl PositionPublication {
    /// Reads the code or a spreadsheet's Japanese (正確, 概略, 非公開).
    pub fn parse(raw: &str) -> Option<PositionPublication> {
        match raw.trim() {
            "exact" | "正確" | "公開" => Some(PositionPublication::Exact),
            "coarse" | "概略" | "おおよそ" => Some(PositionPublication::Coarse),
            "hidden" | "非公開" => Some(PositionPublication::Hidden),
            _ => None,
        }
    }
}

/// Cells per degree of the coarse grid: 100, i.e. 0.01° (two decimals).
pub const COARSE_CELLS_PER_DEGREE: f64 = 100.0;

/// A latitude or longitude rounded to the centre of its coarse cell: the
/// published value is at most 0.005° from the true one, and every position
/// of a cell publishes the same value.
pub fn coarsen(degrees: f64) -> f64 {
    (degrees * COARSE_CELLS_PER_DEGREE).round() / COARSE_CELLS_PER_DEGREE
}

/// The position publication an entry ends up with, and its hidden fields
/// (which name `position` exactly when the position is not `exact`).
///
/// - `requested`: what the change asks for, if anything;
/// - `hidden_fields`: the entry's hidden fields after the change;
/// - `hidden_fields_given`: whether the change itself named them;
/// - `current`: the entry's publication before the change (`None` on create).
///
/// Without a request, it is derived: an entry that hides its address or its
/// position keeps a `coarse` choice it made, else `hidden`; an entry that
/// hides neither is `exact`. An explicit `exact` with a hidden address is
/// refused, and so is `exact` together with `position` in the same change's
/// hidden fields: the field `field` names the 422.
pub fn settle(
    field: &str,
    requested: Option<PositionPublication>,
    hidden_fields: &[HideableField],
    hidden_fields_given: bool,
    current: Option<PositionPublication>,
) -> Result<(PositionPublication, Vec<HideableField>), ValidationErrors> {
    let hides = |f: HideableField| hidden_fields.contains(&f);
    let publication = match requested {
        Some(PositionPublication::Exact) if hides(HideableField::Address) => {
            return Err(ValidationErrors::single(
                field,
                "inconsistent_position_publication",
                "an entry that hides its address cannot publish its exact position \
                 (coordinates give the street away): choose hidden or coarse",
            ));
        }
        Some(PositionPublication::Exact)
            if hidden_fields_given && hides(HideableField::Position) =>
        {
            return Err(ValidationErrors::single(
                field,
                "inconsistent_position_publication",
                "exact publishes the position that hidden_fields hides: choose one",
            ));
        }
        Some(p) => p,
        None if hides(HideableField::Address) || hides(HideableField::Position) => match current {
            Some(PositionPublication::Coarse) => PositionPublication::Coarse,
            _ => PositionPublication::Hidden,
        },
        None => PositionPublication::Exact,
    };
    let hidden = HideableField::ALL
        .into_iter()
        .filter(|f| match f {
            HideableField::Position => publication != PositionPublication::Exact,
            f => hides(*f),
        })
        .collect();
    Ok((publication, hidden))
}

#[cfg(test)]
mod tests {
    use super::*;
    use HideableField::{Address, Phone, Position};
    use PositionPublication::{Coarse, Exact, Hidden};

    #[test]
    fn a_hidden_address_hides_the_position_unless_the_entry_chooses_coarse() {
        assert_eq!(
            settle("p", None, &[Address], true, None),
            Ok((Hidden, vec![Address, Position]))
        );
        assert_eq!(
            settle("p", Some(Coarse), &[Address], true, None),
            Ok((Coarse, vec![Address, Position]))
        );
        assert_eq!(
            settle("p", None, &[Phone], true, None),
            Ok((Exact, vec![Phone]))
        );
        // A coarse choice is kept by a change that does not name it.
        assert_eq!(
            settle("p", None, &[Address, Position], false, Some(Coarse)),
            Ok((Coarse, vec![Address, Position]))
        );
        // Showing the position again is asking for exact.
        assert_eq!(
            settle("p", Some(Exact), &[Position, Phone], false, Some(Hidden)),
            Ok((Exact, vec![Phone]))
        );
        assert_eq!(
            settle("p", None, &[], true, Some(Coarse)),
            Ok((Exact, vec![]))
        );
    }

    #[test]
    fn an_exact_position_with_a_hidden_address_is_refused() {
        let refused = settle("position_publication", Some(Exact), &[Address], true, None)
            .expect_err("refused");
        assert_eq!(refused.0[0].code, "inconsistent_position_publication");
        assert_eq!(refused.0[0].field, "position_publication");
        assert!(settle("p", Some(Exact), &[Position], true, None).is_err());
    }

    #[test]
    fn coarse_positions_are_the_centres_of_hundredth_degree_cells() {
        assert_eq!(coarsen(35.47123), 35.47);
        assert_eq!(coarsen(139.40456), 139.4);
        assert_eq!(coarsen(35.476), 35.48);
        assert!((coarsen(35.47123) - 35.47123).abs() <= 0.005);
        assert_eq!(PositionPublication::parse("概略"), Some(Coarse));
        assert_eq!(PositionPublication::parse("roughly"), None);
    }
}
