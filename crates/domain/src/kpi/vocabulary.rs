//! The names the database counts under: the metrics of counted facts
//! (`kpi_facts.metric`) and the measures of duration histograms
//! (`kpi_histograms.measure`, `kpi_year_histograms.measure`). The trigger
//! functions of the migration `kpi` write them as text; the db layer parses
//! them while loading, so a name this module does not know is an error, never
//! a row skipped or counted under something else. A schema test checks that
//! every name the triggers write parses and that every name here is written.

use crate::desk::workflow::Status;
use std::str::FromStr;

/// What a counted fact counts; its key says which part (`all`,
/// `kind:proposal`, a status, a step…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FactMetric {
    /// Cases received: key `all`, `kind:…`, `channel:…` or `theme:…`.
    Received,
    /// Cases received, by their current status (the key).
    Status,
    /// Cases received that entered a step (the key) at least once.
    Reached,
    /// Cases received, not final, whose coordination has not started: key `all`.
    Waiting,
    /// Hearings held and answered: key `all`.
    HearingsHeld,
    /// Matches made: key `all`.
    MatchesMade,
    /// Matches the department accepted: key `all`.
    MatchesAccepted,
    /// TRIPs started: key `all`.
    TripsStarted,
    /// TRIPs started that support community activity: key `all`.
    CommunitySupports,
}

impl FactMetric {
    pub const ALL: [FactMetric; 9] = [
        FactMetric::Received,
        FactMetric::Status,
        FactMetric::Reached,
        FactMetric::Waiting,
        FactMetric::HearingsHeld,
        FactMetric::MatchesMade,
        FactMetric::MatchesAccepted,
        FactMetric::TripsStarted,
        FactMetric::CommunitySupports,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FactMetric::Received => "received",
            FactMetric::Status => "status",
            FactMetric::Reached => "reached",
            FactMetric::Waiting => "waiting",
            FactMetric::HearingsHeld => "hearings_held",
            FactMetric::MatchesMade => "matches_made",
            FactMetric::MatchesAccepted => "matches_accepted",
            FactMetric::TripsStarted => "trips_started",
            FactMetric::CommunitySupports => "community_supports",
        }
    }
}

/// A duration, counted in whole hours as a histogram. The trigger functions
/// emit it as the fact metric `hours:<measure>` with the hours as key, and
/// `kpi_count_facts` files those under the measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Measure {
    /// From the proposer's first contact to the start of internal coordination.
    FirstContactToCoordination,
    /// In step 1, from entering it to entering the next step.
    InReceived,
    /// In step 2.
    InOrganizing,
    /// In step 3.
    InHearing,
    /// In step 4.
    InMatching,
    /// In step 5.
    InLogicModel,
    /// In step 6, from entering it to the department's decision.
    InAwaitingDecision,
    /// From receipt to the decision (adopted, not adopted or declined).
    ReceiptToDecision,
}

impl Measure {
    pub const ALL: [Measure; 8] = [
        Measure::FirstContactToCoordination,
        Measure::InReceived,
        Measure::InOrganizing,
        Measure::InHearing,
        Measure::InMatching,
        Measure::InLogicModel,
        Measure::InAwaitingDecision,
        Measure::ReceiptToDecision,
    ];

    /// The time spent in each of the six steps, in step order.
    pub const IN_STEPS: [(Status, Measure); 6] = [
        (Status::Received, Measure::InReceived),
        (Status::Organizing, Measure::InOrganizing),
        (Status::Hearing, Measure::InHearing),
        (Status::Matching, Measure::InMatching),
        (Status::LogicModel, Measure::InLogicModel),
        (Status::AwaitingDecision, Measure::InAwaitingDecision),
    ];

    /// The time in a step is stored under the step's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::FirstContactToCoordination => "first_contact_to_coordination",
            Measure::InReceived => Status::Received.as_str(),
            Measure::InOrganizing => Status::Organizing.as_str(),
            Measure::InHearing => Status::Hearing.as_str(),
            Measure::InMatching => Status::Matching.as_str(),
            Measure::InLogicModel => Status::LogicModel.as_str(),
            Measure::InAwaitingDecision => Status::AwaitingDecision.as_str(),
            Measure::ReceiptToDecision => "receipt_to_decision",
        }
    }
}

/// A name read from the database that the vocabulary does not know: a
/// trigger and the domain disagree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown KPI {vocabulary} `{name}`")]
pub struct UnknownKpiName {
    /// `fact metric` or `measure`.
    pub vocabulary: &'static str,
    pub name: String,
}

impl FromStr for FactMetric {
    type Err = UnknownKpiName;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        FactMetric::ALL
            .into_iter()
            .find(|m| m.as_str() == raw)
            .ok_or_else(|| UnknownKpiName {
                vocabulary: "fact metric",
                name: raw.to_owned(),
            })
    }
}

impl FromStr for Measure {
    type Err = UnknownKpiName;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Measure::ALL
            .into_iter()
            .find(|m| m.as_str() == raw)
            .ok_or_else(|| UnknownKpiName {
                vocabulary: "measure",
                name: raw.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::workflow::STEPS;

    #[test]
    fn every_name_round_trips_and_unknown_ones_are_errors() {
        for metric in FactMetric::ALL {
            assert_eq!(metric.as_str().parse::<FactMetric>(), Ok(metric));
        }
        for measure in Measure::ALL {
            assert_eq!(measure.as_str().parse::<Measure>(), Ok(measure));
        }
        let unknown = "hours:received".parse::<Measure>().unwrap_err();
        assert_eq!(unknown.to_string(), "unknown KPI measure `hours:received`");
        assert!("Received".parse::<FactMetric>().is_err());
        assert!("".parse::<FactMetric>().is_err());
    }

    #[test]
    fn the_time_in_steps_covers_the_six_steps_in_order() {
        let steps: Vec<Status> = Measure::IN_STEPS.iter().map(|(step, _)| *step).collect();
        assert_eq!(steps, STEPS);
        for (step, measure) in Measure::IN_STEPS {
            assert_eq!(measure.as_str(), step.as_str());
        }
    }
}
