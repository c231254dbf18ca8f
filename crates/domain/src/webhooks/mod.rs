//! Webhooks (issue 16): what a subscription asks for, what a message is
//! called, and which addresses a callback may reach. The feed stays the
//! complete way to sync; a webhook is a thin nudge ("this changed, here is
//! its URL") that the receiver follows with its own credentials.

pub mod address;
pub mod message;

use crate::desk::feed::EventKind;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Whether a subscription is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionState {
    /// Delivered as events arrive.
    Active,
    /// Stopped by its owner or the desk; resumes from where it stopped.
    Paused,
    /// The receiver failed for longer than the give-up period; the desk was
    /// told. Resuming retries from the event that failed.
    Failing,
}

crate::code::codes!(SubscriptionState {
    Active => "active",
    Paused => "paused",
    Failing => "failing",
});

/// How one delivery attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryOutcome {
    /// The receiver answered 2xx.
    Delivered,
    /// Anything else: another status, a refused connection, a timeout.
    Failed,
}

crate::code::codes!(DeliveryOutcome {
    Delivered => "delivered",
    Failed => "failed",
});

/// Which of the owner's visible events a subscription wants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Empty: every kind.
    pub kinds: Vec<EventKind>,
    pub department_id: Option<Uuid>,
    pub proposal_id: Option<Uuid>,
    pub resource_id: Option<Uuid>,
}

/// What the filters look at in an event.
#[derive(Debug, Clone, Copy)]
pub struct EventFacts {
    pub kind: EventKind,
    pub department_id: Option<Uuid>,
    pub proposal_id: Option<Uuid>,
    pub resource_id: Option<Uuid>,
}

impl Filters {
    /// Whether the subscription wants `event` (every filter set must hold).
    pub fn wants(&self, event: &EventFacts) -> bool {
        let same = |filter: Option<Uuid>, value: Option<Uuid>| filter.is_none() || filter == value;
        (self.kinds.is_empty() || self.kinds.contains(&event.kind))
            && same(self.department_id, event.department_id)
            && same(self.proposal_id, event.proposal_id)
            && same(self.resource_id, event.resource_id)
    }
}

/// Whether a head event failing since `failing_since` has failed for longer
/// than `give_up_after` at `now`: the subscription turns failing.
pub fn gives_up(
    failing_since: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
    give_up_after: std::time::Duration,
) -> bool {
    now.signed_duration_since(failing_since)
        .to_std()
        .is_ok_and(|elapsed| elapsed >= give_up_after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind) -> EventFacts {
        EventFacts {
            kind,
            department_id: None,
            proposal_id: None,
            resource_id: None,
        }
    }

    #[test]
    fn empty_filters_want_everything_and_each_filter_narrows() {
        let case = Uuid::now_v7();
        let any = Filters::default();
        assert!(any.wants(&event(EventKind::StatusChanged)));
        let kinds = Filters {
            kinds: vec![EventKind::StatusChanged],
            ..Filters::default()
        };
        assert!(kinds.wants(&event(EventKind::StatusChanged)));
        assert!(!kinds.wants(&event(EventKind::MessagePosted)));
        let one_case = Filters {
            proposal_id: Some(case),
            ..Filters::default()
        };
        assert!(!one_case.wants(&event(EventKind::StatusChanged)));
        assert!(one_case.wants(&EventFacts {
            proposal_id: Some(case),
            ..event(EventKind::StatusChanged)
        }));
        let department = Filters {
            department_id: Some(Uuid::now_v7()),
            ..Filters::default()
        };
        assert!(!department.wants(&EventFacts {
            department_id: Some(Uuid::now_v7()),
            ..event(EventKind::HearingRequested)
        }));
    }

    #[test]
    fn a_subscription_gives_up_after_the_period_not_before() {
        let since = chrono::Utc::now();
        let day = std::time::Duration::from_secs(86_400);
        assert!(!gives_up(since, since + chrono::Duration::hours(23), day));
        assert!(gives_up(since, since + chrono::Duration::hours(24), day));
        assert!(!gives_up(since, since - chrono::Duration::hours(1), day));
    }
}
