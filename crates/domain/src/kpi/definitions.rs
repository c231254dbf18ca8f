//! What each figure counts, in words: shipped beside every figure (JSON
//! `definition`, the CSV's last column) so a reader never has to guess.

pub const PROPOSALS_RECEIVED: &str = "Cases (proposals and consultations) registered by the desk with a receipt time in the period (Asia/Tokyo), whatever happened to them later; by kind, theme (a case may have several) and channel.";
pub const COORDINATION_LEAD_TIME: &str = "Days from the proposer's first contact to the start of internal coordination (the first hearing request or the move to `hearing`), for cases received in the period whose coordination has started. Durations are counted in whole hours; median and p90 interpolate linearly between the nearest ranks.";
pub const WAITING: &str = "Cases received in the period, not final (withdrawn, declined, adopted, not adopted, open procurement), whose internal coordination has not started; age is days since first contact.";
pub const CONVERSION: &str = "Of the cases received in the period: adopted ÷ received (all cases, including withdrawn, declined and still open ones) and adopted ÷ decided (decided = adopted + not adopted + open procurement + declined by the desk; withdrawn and open cases are left out).";
pub const TRIPS_STARTED: &str = "Co-creation projects (TRIPs) whose start date falls in the period (the planned start date, or the day of adoption when none is set), against the target set for the fiscal year.";
pub const COMMUNITY_SUPPORTS: &str = "TRIPs started in the period through which a company supports community activity (supports_community_activity), and the distinct directory organizations they support.";
pub const FUNNEL: &str = "Of the cases received in the period, how many entered each of the six steps at least once, and how many were adopted; share = cases ÷ received.";
pub const STEP_DURATIONS: &str = "Days a case spent in each step, from entering it to entering the next step (for `awaiting_decision`: to the department's decision), for cases received in the period that left the step; and from receipt to the decision (adopted, not adopted, open procurement or declined). Whole hours, reported in days.";
pub const HEARINGS_HELD: &str = "Hearings with departments held (answered with a date) in the period, by the date they were held.";
pub const MATCHES: &str = "Matches of cases with departments made in the period, and how many of them the department accepted.";
pub const INDICATORS: &str = "Each TRIP indicator measured in the period: its latest measurement in the period against its target in the latest shared logic model; progress = (latest − baseline) ÷ (target − baseline).";
