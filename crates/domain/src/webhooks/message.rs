//! The names a webhook message carries: its CloudEvents `type` and
//! `subject`, derived from the feed event it announces.

use crate::desk::feed::EventKind;
use uuid::Uuid;

/// The reverse-DNS prefix of every CloudEvents `type` Living Gate sends.
pub const TYPE_PREFIX: &str = "jp.zama.livinggate";

/// The `type` of a ping sent on request.
pub const PING_TYPE: &str = "jp.zama.livinggate.webhook.ping";

/// What an event is about, as the feed records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    Case(Uuid),
    Entry(Uuid),
    /// Reference data, accounts, the desk's own records (the id of what
    /// changed, when the event names one).
    Desk(Option<Uuid>),
}

impl About {
    pub fn of(
        proposal_id: Option<Uuid>,
        resource_id: Option<Uuid>,
        subject_id: Option<Uuid>,
    ) -> About {
        match (proposal_id, resource_id) {
            (Some(case), _) => About::Case(case),
            (None, Some(entry)) => About::Entry(entry),
            (None, None) => About::Desk(subject_id),
        }
    }

    fn family(self) -> &'static str {
        match self {
            About::Case(_) => "proposal",
            About::Entry(_) => "resource",
            About::Desk(_) => "desk",
        }
    }
}

/// `jp.zama.livinggate.proposal.status_changed`,
/// `jp.zama.livinggate.resource.resource_updated`,
/// `jp.zama.livinggate.desk.kpi_targets_set`.
pub fn event_type(kind: EventKind, about: About) -> String {
    format!("{TYPE_PREFIX}.{}.{}", about.family(), kind.as_str())
}

/// The CloudEvents `subject`: the resource's path under `/v1`.
pub fn subject(about: About) -> Option<String> {
    match about {
        About::Case(id) => Some(format!("proposals/{id}")),
        About::Entry(id) => Some(format!("resources/{id}")),
        About::Desk(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_name_the_family_and_the_kind() {
        let id = Uuid::now_v7();
        assert_eq!(
            event_type(EventKind::StatusChanged, About::of(Some(id), None, None)),
            "jp.zama.livinggate.proposal.status_changed"
        );
        assert_eq!(
            event_type(EventKind::ResourceUpdated, About::of(None, Some(id), None)),
            "jp.zama.livinggate.resource.resource_updated"
        );
        assert_eq!(
            event_type(EventKind::KpiTargetsSet, About::of(None, None, Some(id))),
            "jp.zama.livinggate.desk.kpi_targets_set"
        );
        assert_eq!(subject(About::Case(id)), Some(format!("proposals/{id}")));
        assert_eq!(subject(About::Desk(Some(id))), None);
    }
}
