//! The vocabulary of the event log: what happened (the kind of an event) and
//! who may read it (the visibility of an event or a message).

use serde::{Deserialize, Serialize};

/// What an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A case was received.
    Created,
    StatusChanged,
    ProposalUpdated,
    HearingRequested,
    HearingAnswered,
    MessagePosted,
    MatchProposed,
    MatchAccepted,
    MatchDeclined,
    LogicModelSaved,
    TripCreated,
    TripUpdated,
    MeasurementRecorded,
    TripSupportedResourcesReplaced,
    /// The desk assigned, changed or cleared a case's coordinator (担当者;
    /// `subject_id`: the new coordinator, none when cleared). Internal.
    CoordinatorChanged,
    /// The desk set, moved or cleared the due date of a hearing's answer
    /// (`subject_id`: the hearing) or of the decision. Internal.
    DueDateChanged,
    /// The partner gave or withdrew its consent to publish its TRIP
    /// (`subject_id`: the TRIP). Shared.
    TripPublicationConsentChanged,
    /// The desk published or unpublished a TRIP (`subject_id`: the TRIP),
    /// or withdrawn consent unpublished it. Shared.
    TripPublicationChanged,
    /// Directory events: about an entry, not a case; for staff.
    ResourceCreated,
    ResourceUpdated,
    ResourceImported,
    SurveyAnswered,
    /// A correction was suggested to the entry's owning desk.
    ResourceSuggested,
    ResourceSuggestionAccepted,
    ResourceSuggestionRejected,
    /// The owning desk recorded a verification of the entry (when, how, by whom).
    ResourceVerified,
    /// Desk events: about neither a case nor an entry; for the desk.
    MunicipalityCreated,
    MunicipalityUpdated,
    DepartmentCreated,
    DepartmentUpdated,
    OrganizationCreated,
    OrganizationUpdated,
    UserInvited,
    InvitationAccepted,
    UserUpdated,
    ServiceAccountCreated,
    ServiceAccountUpdated,
    TaxonomyTermCreated,
    SurveyCreated,
    SurveyRecipientAdded,
    SurveyRecipientAnswered,
    /// A prospective survey recipient became a directory entry.
    SurveyRecipientEntered,
    KpiTargetsSet,
    ProgrammeLogicModelSaved,
    /// A city granted or revoked confidential access to its entries' hidden fields.
    ConfidentialAccessGranted,
    ConfidentialAccessRevoked,
    /// A file was attached to a case, a hearing or a logic model.
    AttachmentAdded,
    /// An uploaded file was found infected and quarantined.
    AttachmentQuarantined,
    /// The desk sent a dead message of the outbox again.
    OutboxMessageRetried,
    /// The desk recorded or revised the step-2 assessment of a case (internal).
    AssessmentRecorded,
    /// The retention rules were applied (or dry-run) on request.
    RetentionRun,
    /// A retention rule's age was set: the platform default or a city's own.
    RetentionRuleUpdated,
    /// One person's records were exported for a disclosure request (開示請求).
    PersonalDataDisclosed,
    /// One person's personal data was replaced (the account kept, disabled).
    UserAnonymized,
    /// Webhooks (desk events, `subject_id` the subscription): created,
    /// changed (paused, resumed, filters), deleted, secret rotated, replay
    /// requested, pinged, and failing (the receiver failed for too long).
    WebhookSubscriptionCreated,
    WebhookSubscriptionUpdated,
    WebhookSubscriptionDeleted,
    WebhookSecretRotated,
    WebhookReplayRequested,
    WebhookPinged,
    WebhookSubscriptionFailing,
    /// An identity provider was registered or changed (issue 17).
    IdentityProviderCreated,
    IdentityProviderUpdated,
    /// An account was linked to a provider's subject.
    IdentityLinked,
    /// An account was created at its first sign-in through a city's IdP (group mapping).
    UserProvisioned,
    /// A support worker recorded a resident's introduction to a directory
    /// entry, or its outcome (issue 19; a desk event of the worker's city).
    ReferralRecorded,
    ReferralUpdated,
    /// Step 4 with the city's network (issue 18): the desk proposed a
    /// directory entry as a partner of a case, and recorded its answer
    /// (internal: the desk and the departments involved).
    NetworkMatchProposed,
    NetworkMatchAccepted,
    NetworkMatchDeclined,
    /// A TRIP was marked as a model case, or its lessons revised (internal).
    ModelCaseRecorded,
    /// A case was linked as a follow-on of a TRIP (internal, on the TRIP's case).
    FollowOnLinked,
    /// The desk added an existing programme of its city (a desk event).
    CityProgrammeCreated,
    /// The desk set the existing programmes a case is linked to (internal).
    ProposalProgrammesReplaced,
    /// A liaison meeting of the platform was recorded (issue 19), with the
    /// follow-ups given with it.
    MeetingRecorded,
    /// A follow-up was added to a meeting, or marked done.
    FollowUpAdded,
    FollowUpDone,
    /// An event of the platform (an exhibition, a workshop …) was recorded
    /// or corrected (its attendance and questionnaire, typically).
    PlatformEventRecorded,
    PlatformEventUpdated,
}

crate::code::codes!(EventKind {
    Created => "created",
    StatusChanged => "status_changed",
    ProposalUpdated => "proposal_updated",
    HearingRequested => "hearing_requested",
    HearingAnswered => "hearing_answered",
    MessagePosted => "message_posted",
    MatchProposed => "match_proposed",
    MatchAccepted => "match_accepted",
    MatchDeclined => "match_declined",
    LogicModelSaved => "logic_model_saved",
    TripCreated => "trip_created",
    TripUpdated => "trip_updated",
    MeasurementRecorded => "measurement_recorded",
    TripSupportedResourcesReplaced => "trip_supported_resources_replaced",
    CoordinatorChanged => "coordinator_changed",
    DueDateChanged => "due_date_changed",
    TripPublicationConsentChanged => "trip_publication_consent_changed",
    TripPublicationChanged => "trip_publication_changed",
    ResourceCreated => "resource_created",
    ResourceUpdated => "resource_updated",
    ResourceImported => "resource_imported",
    SurveyAnswered => "survey_answered",
    ResourceSuggested => "resource_suggested",
    ResourceSuggestionAccepted => "resource_suggestion_accepted",
    ResourceSuggestionRejected => "resource_suggestion_rejected",
    ResourceVerified => "resource_verified",
    MunicipalityCreated => "municipality_created",
    MunicipalityUpdated => "municipality_updated",
    DepartmentCreated => "department_created",
    DepartmentUpdated => "department_updated",
    OrganizationCreated => "organization_created",
    OrganizationUpdated => "organization_updated",
    UserInvited => "user_invited",
    InvitationAccepted => "invitation_accepted",
    UserUpdated => "user_updated",
    ServiceAccountCreated => "service_account_created",
    ServiceAccountUpdated => "service_account_updated",
    TaxonomyTermCreated => "taxonomy_term_created",
    SurveyCreated => "survey_created",
    SurveyRecipientAdded => "survey_recipient_added",
    SurveyRecipientAnswered => "survey_recipient_answered",
    SurveyRecipientEntered => "survey_recipient_entered",
    KpiTargetsSet => "kpi_targets_set",
    ProgrammeLogicModelSaved => "programme_logic_model_saved",
    ConfidentialAccessGranted => "confidential_access_granted",
    ConfidentialAccessRevoked => "confidential_access_revoked",
    AttachmentAdded => "attachment_added",
    AttachmentQuarantined => "attachment_quarantined",
    OutboxMessageRetried => "outbox_message_retried",
    AssessmentRecorded => "assessment_recorded",
    RetentionRun => "retention_run",
    RetentionRuleUpdated => "retention_rule_updated",
    PersonalDataDisclosed => "personal_data_disclosed",
    UserAnonymized => "user_anonymized",
    WebhookSubscriptionCreated => "webhook_subscription_created",
    WebhookSubscriptionUpdated => "webhook_subscription_updated",
    WebhookSubscriptionDeleted => "webhook_subscription_deleted",
    WebhookSecretRotated => "webhook_secret_rotated",
    WebhookReplayRequested => "webhook_replay_requested",
    WebhookPinged => "webhook_pinged",
    WebhookSubscriptionFailing => "webhook_subscription_failing",
    IdentityProviderCreated => "identity_provider_created",
    IdentityProviderUpdated => "identity_provider_updated",
    IdentityLinked => "identity_linked",
    UserProvisioned => "user_provisioned",
    ReferralRecorded => "referral_recorded",
    ReferralUpdated => "referral_updated",
    NetworkMatchProposed => "network_match_proposed",
    NetworkMatchAccepted => "network_match_accepted",
    NetworkMatchDeclined => "network_match_declined",
    ModelCaseRecorded => "model_case_recorded",
    FollowOnLinked => "follow_on_linked",
    CityProgrammeCreated => "city_programme_created",
    ProposalProgrammesReplaced => "proposal_programmes_replaced",
    MeetingRecorded => "meeting_recorded",
    FollowUpAdded => "follow_up_added",
    FollowUpDone => "follow_up_done",
    PlatformEventRecorded => "platform_event_recorded",
    PlatformEventUpdated => "platform_event_updated",
});

// Who reads an event or a message. (Not a doc comment: the OpenAPI schema
// has had no description.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// The desk and the departments involved.
    Internal,
    /// Also the proposer.
    Shared,
}

crate::code::codes!(Visibility {
    Internal => "internal",
    Shared => "shared",
});
