// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "point", schema = "pg_catalog"))]
    pub struct Point;
}

diesel::table! {
    assessments (proposal_id) {
        municipality_id -> Uuid,
        proposal_id -> Uuid,
        policy_fit_rating -> Int2,
        policy_fit_note -> Text,
        policy_areas -> Array<Text>,
        feasibility_rating -> Int2,
        feasibility_note -> Text,
        cost_effectiveness_rating -> Int2,
        cost_effectiveness_note -> Text,
        assessed_by -> Uuid,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    attachment_contents (attachment_id) {
        municipality_id -> Uuid,
        attachment_id -> Uuid,
        content -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    attachments (id) {
        id -> Uuid,
        municipality_id -> Uuid,
        proposal_id -> Uuid,
        attached_to -> Text,
        hearing_id -> Nullable<Uuid>,
        logic_model_version -> Nullable<Int4>,
        visibility -> Text,
        file_name -> Text,
        declared_type -> Text,
        detected_type -> Nullable<Text>,
        size_bytes -> Int8,
        sha256 -> Text,
        source -> Text,
        scan_status -> Text,
        scan_verdict -> Nullable<Text>,
        scanned_at -> Nullable<Timestamptz>,
        quarantined -> Bool,
        uploaded_by -> Nullable<Uuid>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Uuid,
        occurred_at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        actor_role -> Nullable<Text>,
        action -> Text,
        target_type -> Nullable<Text>,
        target_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        client_addr -> Nullable<Text>,
        changes -> Jsonb,
        created_at -> Timestamptz,
        municipality_id -> Nullable<Uuid>,
        proposal_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    case_anonymizations (proposal_id) {
        proposal_id -> Uuid,
        municipality_id -> Uuid,
        anonymized_at -> Timestamptz,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    case_management (municipality_id, proposal_id) {
        municipality_id -> Uuid,
        proposal_id -> Uuid,
        coordinator_id -> Nullable<Uuid>,
        decision_due_on -> Nullable<Date>,
        decision_reminded_for -> Nullable<Date>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    city_programmes (id) {
        municipality_id -> Uuid,
        id -> Uuid,
        name -> Text,
        description -> Text,
        department_id -> Nullable<Uuid>,
        created_by -> Uuid,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    confidential_access_grants (id) {
        id -> Uuid,
        municipality_id -> Uuid,
        department_id -> Nullable<Uuid>,
        user_id -> Nullable<Uuid>,
        note -> Nullable<Text>,
        granted_by -> Uuid,
        granted_at -> Timestamptz,
        revoked_by -> Nullable<Uuid>,
        revoked_at -> Nullable<Timestamptz>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    departments (id) {
        id -> Uuid,
        municipality_id -> Uuid,
        code -> Text,
        name -> Text,
        name_en -> Text,
        status -> Text,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    hearings (id) {
        id -> Uuid,
        proposal_id -> Uuid,
        department_id -> Uuid,
        requested_by -> Uuid,
        proposed_dates -> Array<Date>,
        agenda -> Text,
        status -> Text,
        held_on -> Nullable<Date>,
        participants -> Array<Text>,
        interest -> Nullable<Text>,
        notes -> Text,
        answered_by -> Nullable<Uuid>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        municipality_id -> Uuid,
        answer_due_on -> Nullable<Date>,
        reminded_for -> Nullable<Date>,
    }
}

diesel::table! {
    idempotency_keys (principal, key) {
        principal -> Text,
        key -> Text,
        request_hash -> Bytea,
        status_code -> Nullable<Int4>,
        response_body -> Nullable<Bytea>,
        response_headers -> Nullable<Jsonb>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    identity_links (id) {
        id -> Uuid,
        provider_id -> Uuid,
        subject -> Text,
        user_id -> Uuid,
        last_used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    identity_providers (id) {
        id -> Uuid,
        slug -> Text,
        display_name -> Text,
        audience -> Text,
        issuer -> Text,
        client_id -> Text,
        client_secret_sealed -> Nullable<Bytea>,
        scopes -> Text,
        redirect_uri -> Text,
        municipality_id -> Nullable<Uuid>,
        claim_mapping -> Jsonb,
        group_mappings -> Jsonb,
        status -> Text,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    intake_submissions (id) {
        id -> Uuid,
        municipality_id -> Uuid,
        token_hash -> Bytea,
        code_hash -> Bytea,
        failed_attempts -> Int4,
        status -> Text,
        email -> Text,
        form -> Jsonb,
        corporate_number -> Nullable<Text>,
        terms_version -> Text,
        terms_acknowledged_at -> Timestamptz,
        declarations -> Jsonb,
        client_addr -> Nullable<Text>,
        expires_at -> Timestamptz,
        confirmed_at -> Nullable<Timestamptz>,
        proposal_id -> Nullable<Uuid>,
        organization_id -> Nullable<Uuid>,
        contact_user_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    invitations (id) {
        id -> Uuid,
        token_hash -> Bytea,
        user_id -> Uuid,
        invited_by -> Nullable<Uuid>,
        expires_at -> Timestamptz,
        accepted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    kpi_facts (municipality_id, fiscal_year, metric, month, key) {
        fiscal_year -> Int4,
        month -> Date,
        metric -> Text,
        key -> Text,
        n -> Int8,
        municipality_id -> Uuid,
    }
}

diesel::table! {
    kpi_histograms (municipality_id, fiscal_year, measure, month) {
        fiscal_year -> Int4,
        month -> Date,
        measure -> Text,
        counts -> Array<Int4>,
        municipality_id -> Uuid,
    }
}

diesel::table! {
    kpi_targets (municipality_id, fiscal_year) {
        fiscal_year -> Int4,
        trips_started -> Int4,
        community_supports -> Nullable<Int4>,
        proposals_received -> Nullable<Int4>,
        updated_by -> Nullable<Uuid>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        municipality_id -> Uuid,
    }
}

diesel::table! {
    kpi_year_histograms (municipality_id, fiscal_year, measure) {
        fiscal_year -> Int4,
        measure -> Text,
        counts -> Array<Int4>,
        municipality_id -> Uuid,
    }
}

diesel::table! {
    liaison_meetings (id) {
        id -> Uuid,
        kind -> Text,
        title -> Text,
        held_on -> Date,
        municipality_ids -> Array<Uuid>,
        resource_ids -> Array<Uuid>,
        organizations -> Array<Text>,
        agenda -> Text,
        decisions -> Array<Text>,
        recorded_by -> Uuid,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    logic_models (municipality_id, proposal_id, version) {
        proposal_id -> Uuid,
        version -> Int4,
        status -> Text,
        content -> Jsonb,
        created_by -> Uuid,
        created_at -> Timestamptz,
        municipality_id -> Uuid,
    }
}

diesel::table! {
    login_throttle (bucket) {
        bucket -> Text,
        window_started_at -> Timestamptz,
        attempts -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    matches (id) {
        id -> Uuid,
        proposal_id -> Uuid,
        department_id -> Uuid,
        role -> Text,
        status -> Text,
        note -> Text,
        reason -> Nullable<Text>,
        proposed_by -> Uuid,
        decided_by -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        municipality_id -> Uuid,
    }
}

diesel::table! {
    meeting_follow_ups (id) {
        id -> Uuid,
        meeting_id -> Uuid,
        description -> Text,
        owner_id -> Uuid,
        due_on -> Date,
        status -> Text,
        done_at -> Nullable<Timestamptz>,
        done_by -> Nullable<Uuid>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    messages (id) {
        id -> Uuid,
        proposal_id -> Uuid,
        author_id -> Uuid,
        visibility -> Text,
        body -> Text,
        created_at -> Timestamptz,
        municipality_id -> Uuid,
    }
}

diesel::table! {
    municipalities (id) {
        id -> Uuid,
        code -> Text,
        name -> Text,
        name_kana -> Text,
        name_en -> Text,
        status -> Text,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        reference_prefix -> Text,
    }
}

diesel::table! {
    network_matches (id) {
        municipality_id -> Uuid,
        id -> Uuid,
        proposal_id -> Uuid,
        resource_id -> Uuid,
        status -> Text,
        note -> Text,
        proposed_by -> Uuid,
        answered_on -> Nullable<Date>,
        answered_via -> Nullable<Text>,
        answer_note -> Nullable<Text>,
        recorded_by -> Nullable<Uuid>,
        recorded_at -> Nullable<Timestamptz>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    notification_preferences (user_id, kind) {
        user_id -> Uuid,
        kind -> Text,
        enabled -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    oidc_authorizations (id) {
        id -> Uuid,
        provider_id -> Uuid,
        state_hash -> Bytea,
        nonce -> Text,
        code_verifier_sealed -> Bytea,
        redirect_uri -> Text,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    organizations (id) {
        id -> Uuid,
        name -> Text,
        name_kana -> Nullable<Text>,
        kind -> Text,
        corporate_number -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        address -> Nullable<Text>,
        website -> Nullable<Text>,
        status -> Text,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    outbox_attempts (id) {
        id -> Uuid,
        message_id -> Uuid,
        municipality_id -> Nullable<Uuid>,
        attempt -> Int4,
        started_at -> Timestamptz,
        created_at -> Timestamptz,
        duration_ms -> Int4,
        outcome -> Text,
        detail -> Text,
    }
}

diesel::table! {
    outbox_messages (id) {
        id -> Uuid,
        municipality_id -> Nullable<Uuid>,
        kind -> Text,
        recipient_user_id -> Nullable<Uuid>,
        recipient_address -> Text,
        language -> Text,
        subject -> Text,
        body_text -> Text,
        message_id -> Text,
        event_position -> Nullable<Int8>,
        proposal_id -> Nullable<Uuid>,
        secret -> Bool,
        state -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    password_reset_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    platform_events (id) {
        id -> Uuid,
        kind -> Text,
        title -> Text,
        starts_on -> Date,
        ends_on -> Date,
        venue_municipality_id -> Uuid,
        organizer_municipality_ids -> Array<Uuid>,
        organizer_resource_ids -> Array<Uuid>,
        other_organizers -> Array<Text>,
        attendance -> Int4,
        clients_of_support -> Int4,
        questionnaire_responses -> Int4,
        felt_it -> Int4,
        recorded_by -> Uuid,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    programme_logic_models (municipality_id, fiscal_year) {
        municipality_id -> Uuid,
        fiscal_year -> Int4,
        content -> Jsonb,
        version -> Int8,
        updated_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    proposal_events (position) {
        position -> Int8,
        id -> Uuid,
        proposal_id -> Nullable<Uuid>,
        kind -> Text,
        actor_id -> Nullable<Uuid>,
        actor_role -> Nullable<Text>,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        reason -> Nullable<Text>,
        note_for_proposer -> Nullable<Text>,
        visibility -> Text,
        department_id -> Nullable<Uuid>,
        subject_id -> Nullable<Uuid>,
        occurred_at -> Timestamptz,
        created_at -> Timestamptz,
        resource_id -> Nullable<Uuid>,
        municipality_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    proposal_programmes (municipality_id, proposal_id, programme_id) {
        municipality_id -> Uuid,
        proposal_id -> Uuid,
        programme_id -> Uuid,
        linked_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    proposals (id) {
        id -> Uuid,
        reference -> Text,
        fiscal_year -> Int4,
        kind -> Text,
        title -> Text,
        summary -> Text,
        body -> Text,
        themes -> Array<Text>,
        sdg_goals -> Array<Int2>,
        policy_areas -> Array<Text>,
        desired_support -> Text,
        channel -> Text,
        organization_id -> Uuid,
        contact_user_id -> Nullable<Uuid>,
        created_by -> Uuid,
        status -> Text,
        held_from -> Nullable<Text>,
        lead_department_id -> Nullable<Uuid>,
        has_shared_logic_model -> Bool,
        first_contact_at -> Timestamptz,
        received_at -> Timestamptz,
        coordination_started_at -> Nullable<Timestamptz>,
        organizing_at -> Nullable<Timestamptz>,
        hearing_at -> Nullable<Timestamptz>,
        matching_at -> Nullable<Timestamptz>,
        logic_model_at -> Nullable<Timestamptz>,
        awaiting_decision_at -> Nullable<Timestamptz>,
        closed_at -> Nullable<Timestamptz>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        municipality_id -> Uuid,
    }
}

diesel::table! {
    reference_counters (municipality_id, fiscal_year) {
        fiscal_year -> Int4,
        last_value -> Int4,
        created_at -> Timestamptz,
        municipality_id -> Uuid,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        family_id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        spent_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    referral_counts (fiscal_year, from_municipality_id, to_municipality_id, topic, outcome) {
        fiscal_year -> Int4,
        from_municipality_id -> Uuid,
        to_municipality_id -> Uuid,
        topic -> Text,
        outcome -> Text,
        referrals -> Int8,
    }
}

diesel::table! {
    referrals (id) {
        id -> Uuid,
        municipality_id -> Uuid,
        department_id -> Nullable<Uuid>,
        recorded_by -> Uuid,
        resource_id -> Uuid,
        to_municipality_id -> Uuid,
        referred_on -> Date,
        topics -> Array<Text>,
        channel -> Text,
        outcome -> Text,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    resource_coarse_positions (resource_id) {
        resource_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    resource_details (resource_id) {
        resource_id -> Uuid,
        consent_withdrawn -> Bool,
        call_before_visiting -> Bool,
        by_appointment -> Bool,
        opening_periods -> Jsonb,
        opening_exceptions -> Jsonb,
        accessibility -> Array<Text>,
        accessibility_note -> Nullable<Text>,
        target_groups -> Array<Text>,
        minimum_age -> Nullable<Int2>,
        maximum_age -> Nullable<Int2>,
        eligibility_note -> Nullable<Text>,
        cost -> Nullable<Text>,
        cost_note -> Nullable<Text>,
        verification_method -> Nullable<Text>,
        translations -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    resource_figures (municipality_id, public, dimension, key) {
        municipality_id -> Uuid,
        public -> Bool,
        dimension -> Text,
        key -> Text,
        entries -> Int8,
    }
}

diesel::table! {
    resource_locations (id) {
        id -> Uuid,
        resource_id -> Uuid,
        ordinal -> Int2,
        label -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        prefecture -> Nullable<Text>,
        city -> Nullable<Text>,
        street -> Nullable<Text>,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    resource_referrals (from_resource_id, to_resource_id) {
        from_resource_id -> Uuid,
        to_resource_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    resource_suggestions (id) {
        id -> Uuid,
        resource_id -> Uuid,
        suggested_by -> Uuid,
        changes -> Jsonb,
        note -> Text,
        status -> Text,
        decided_by -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
        decision_note -> Nullable<Text>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Point;

    resources (id) {
        id -> Uuid,
        external_key -> Nullable<Text>,
        name -> Text,
        name_kana -> Nullable<Text>,
        other_names -> Array<Text>,
        legal_form -> Text,
        description -> Text,
        municipality_id -> Uuid,
        serves_municipality_ids -> Array<Uuid>,
        topics -> Array<Text>,
        forms -> Array<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        website -> Nullable<Text>,
        contact_person -> Nullable<Text>,
        opening_hours -> Nullable<Text>,
        target_ages -> Nullable<Text>,
        languages -> Array<Text>,
        participation_intent -> Text,
        partner_organization_id -> Nullable<Uuid>,
        visibility -> Text,
        hidden_fields -> Array<Text>,
        last_verified_at -> Nullable<Timestamptz>,
        last_verified_by -> Nullable<Uuid>,
        search_text -> Text,
        name_search -> Text,
        search_tokens -> Array<Text>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        position_tokens -> Array<Text>,
        search_points -> Array<Point>,
    }
}

diesel::table! {
    retention_rule_overrides (municipality_id, kind) {
        municipality_id -> Uuid,
        kind -> Text,
        days -> Int4,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    retention_rules (kind) {
        kind -> Text,
        days -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
    }
}

diesel::table! {
    retention_runs (id) {
        id -> Uuid,
        dry_run -> Bool,
        counts -> Jsonb,
        started_at -> Timestamptz,
        finished_at -> Timestamptz,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    revoked_access_tokens (jti) {
        jti -> Uuid,
        expires_at -> Timestamptz,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    service_accounts (id) {
        id -> Uuid,
        client_id -> Text,
        secret_hash -> Text,
        name -> Text,
        status -> Text,
        created_by -> Nullable<Uuid>,
        last_used_at -> Nullable<Timestamptz>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    survey_campaigns (id) {
        id -> Uuid,
        title -> Text,
        starts_on -> Date,
        ends_on -> Date,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    survey_recipients (id) {
        id -> Uuid,
        campaign_id -> Uuid,
        resource_id -> Nullable<Uuid>,
        prospective_name -> Nullable<Text>,
        municipality_id -> Uuid,
        channel -> Text,
        sent_on -> Date,
        answered_on -> Nullable<Date>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        activities -> Array<Text>,
        works_on -> Nullable<Text>,
        ideas -> Array<Text>,
        introduced_names -> Array<Text>,
        participation_intent -> Nullable<Text>,
    }
}

diesel::table! {
    taxonomy_terms (id) {
        id -> Uuid,
        vocabulary -> Text,
        code -> Text,
        parent_id -> Nullable<Uuid>,
        label_ja -> Text,
        label_en -> Text,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    totp_credentials (user_id) {
        user_id -> Uuid,
        seed_sealed -> Bytea,
        confirmed_at -> Nullable<Timestamptz>,
        last_used_step -> Nullable<Int8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    trip_follow_ons (municipality_id, trip_id, proposal_id) {
        municipality_id -> Uuid,
        trip_id -> Uuid,
        proposal_id -> Uuid,
        note -> Text,
        linked_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    trip_measurements (id) {
        id -> Uuid,
        trip_id -> Uuid,
        indicator_id -> Uuid,
        value -> Float8,
        measured_on -> Date,
        note -> Text,
        recorded_by -> Uuid,
        created_at -> Timestamptz,
        municipality_id -> Uuid,
    }
}

diesel::table! {
    trip_model_cases (trip_id) {
        municipality_id -> Uuid,
        trip_id -> Uuid,
        what_worked -> Text,
        what_to_repeat -> Text,
        what_to_avoid -> Text,
        marked_by -> Uuid,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    trip_partners (municipality_id, trip_id, organization_id) {
        trip_id -> Uuid,
        organization_id -> Uuid,
        created_at -> Timestamptz,
        municipality_id -> Uuid,
    }
}

diesel::table! {
    trip_supported_resources (municipality_id, trip_id, resource_id) {
        trip_id -> Uuid,
        resource_id -> Uuid,
        created_at -> Timestamptz,
        municipality_id -> Uuid,
    }
}

diesel::table! {
    trip_publications (municipality_id, trip_id) {
        municipality_id -> Uuid,
        trip_id -> Uuid,
        consented_by -> Nullable<Uuid>,
        consented_at -> Nullable<Timestamptz>,
        summary -> Text,
        published_by -> Nullable<Uuid>,
        published_at -> Nullable<Timestamptz>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    trips (id) {
        id -> Uuid,
        proposal_id -> Uuid,
        title -> Text,
        lead_department_id -> Uuid,
        supports_community_activity -> Bool,
        status -> Text,
        starts_on -> Nullable<Date>,
        ends_on -> Nullable<Date>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        municipality_id -> Uuid,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        display_name -> Text,
        role -> Text,
        municipality_id -> Nullable<Uuid>,
        department_id -> Nullable<Uuid>,
        organization_id -> Nullable<Uuid>,
        status -> Text,
        password_hash -> Nullable<Text>,
        last_login_at -> Nullable<Timestamptz>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        mail_language -> Text,
        anonymized_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        subscription_id -> Uuid,
        municipality_id -> Nullable<Uuid>,
        message_id -> Uuid,
        event_position -> Nullable<Int8>,
        event_type -> Text,
        attempt -> Int4,
        started_at -> Timestamptz,
        duration_ms -> Int4,
        status_code -> Nullable<Int4>,
        outcome -> Text,
        detail -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Uuid,
        municipality_id -> Nullable<Uuid>,
        owner_id -> Uuid,
        callback_url -> Text,
        description -> Text,
        kinds -> Array<Text>,
        department_id -> Nullable<Uuid>,
        proposal_id -> Nullable<Uuid>,
        resource_id -> Nullable<Uuid>,
        state -> Text,
        secret_sealed -> Bytea,
        previous_secret_sealed -> Nullable<Bytea>,
        previous_secret_expires_at -> Nullable<Timestamptz>,
        cursor -> Int8,
        failures -> Int4,
        failing_since -> Nullable<Timestamptz>,
        next_attempt_at -> Timestamptz,
        last_delivered_at -> Nullable<Timestamptz>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(assessments -> users (assessed_by));
diesel::joinable!(attachment_contents -> attachments (attachment_id));
diesel::joinable!(attachments -> hearings (hearing_id));
diesel::joinable!(attachments -> proposals (proposal_id));
diesel::joinable!(attachments -> users (uploaded_by));
diesel::joinable!(case_anonymizations -> municipalities (municipality_id));
diesel::joinable!(case_management -> users (coordinator_id));
diesel::joinable!(confidential_access_grants -> departments (department_id));
diesel::joinable!(confidential_access_grants -> municipalities (municipality_id));
diesel::joinable!(departments -> municipalities (municipality_id));
diesel::joinable!(hearings -> departments (department_id));
diesel::joinable!(hearings -> proposals (proposal_id));
diesel::joinable!(intake_submissions -> municipalities (municipality_id));
diesel::joinable!(intake_submissions -> organizations (organization_id));
diesel::joinable!(intake_submissions -> proposals (proposal_id));
diesel::joinable!(intake_submissions -> users (contact_user_id));
diesel::joinable!(kpi_targets -> users (updated_by));
diesel::joinable!(liaison_meetings -> users (recorded_by));
diesel::joinable!(logic_models -> proposals (proposal_id));
diesel::joinable!(platform_events -> municipalities (venue_municipality_id));
diesel::joinable!(platform_events -> users (recorded_by));
diesel::joinable!(programme_logic_models -> municipalities (municipality_id));
diesel::joinable!(programme_logic_models -> users (updated_by));
diesel::joinable!(logic_models -> users (created_by));
diesel::joinable!(matches -> departments (department_id));
diesel::joinable!(matches -> proposals (proposal_id));
diesel::joinable!(meeting_follow_ups -> liaison_meetings (meeting_id));
diesel::joinable!(messages -> proposals (proposal_id));
diesel::joinable!(messages -> users (author_id));
diesel::joinable!(notification_preferences -> users (user_id));
diesel::joinable!(outbox_attempts -> municipalities (municipality_id));
diesel::joinable!(outbox_attempts -> outbox_messages (message_id));
diesel::joinable!(outbox_messages -> municipalities (municipality_id));
diesel::joinable!(outbox_messages -> users (recipient_user_id));
diesel::joinable!(password_reset_tokens -> users (user_id));
diesel::joinable!(proposal_events -> departments (department_id));
diesel::joinable!(proposal_events -> proposals (proposal_id));
diesel::joinable!(proposal_events -> resources (resource_id));
diesel::joinable!(proposals -> departments (lead_department_id));
diesel::joinable!(proposals -> organizations (organization_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(referrals -> departments (department_id));
diesel::joinable!(referrals -> resources (resource_id));
diesel::joinable!(referrals -> users (recorded_by));
diesel::joinable!(resource_coarse_positions -> resources (resource_id));
diesel::joinable!(resource_details -> resources (resource_id));
diesel::joinable!(resource_figures -> municipalities (municipality_id));
diesel::joinable!(resource_locations -> resources (resource_id));
diesel::joinable!(resource_suggestions -> resources (resource_id));
diesel::joinable!(resources -> municipalities (municipality_id));
diesel::joinable!(resources -> organizations (partner_organization_id));
diesel::joinable!(resources -> users (last_verified_by));
diesel::joinable!(retention_rule_overrides -> municipalities (municipality_id));
diesel::joinable!(retention_rule_overrides -> retention_rules (kind));
diesel::joinable!(service_accounts -> users (created_by));
diesel::joinable!(survey_recipients -> municipalities (municipality_id));
diesel::joinable!(survey_recipients -> resources (resource_id));
diesel::joinable!(survey_recipients -> survey_campaigns (campaign_id));
diesel::joinable!(network_matches -> resources (resource_id));
diesel::joinable!(trip_measurements -> trips (trip_id));
diesel::joinable!(trip_measurements -> users (recorded_by));
diesel::joinable!(trip_partners -> organizations (organization_id));
diesel::joinable!(trip_partners -> trips (trip_id));
diesel::joinable!(trip_publications -> trips (trip_id));
diesel::joinable!(trip_supported_resources -> resources (resource_id));
diesel::joinable!(trip_supported_resources -> trips (trip_id));
diesel::joinable!(trips -> departments (lead_department_id));
diesel::joinable!(trips -> proposals (proposal_id));
diesel::joinable!(users -> departments (department_id));
diesel::joinable!(users -> municipalities (municipality_id));
diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::joinable!(webhook_subscriptions -> users (owner_id));
diesel::joinable!(identity_links -> identity_providers (provider_id));
diesel::joinable!(identity_links -> users (user_id));
diesel::joinable!(identity_providers -> municipalities (municipality_id));
diesel::joinable!(oidc_authorizations -> identity_providers (provider_id));
diesel::joinable!(totp_credentials -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    assessments,
    attachment_contents,
    attachments,
    audit_log,
    case_anonymizations,
    city_programmes,
    case_management,
    confidential_access_grants,
    departments,
    hearings,
    idempotency_keys,
    identity_links,
    identity_providers,
    intake_submissions,
    invitations,
    kpi_facts,
    kpi_histograms,
    kpi_targets,
    kpi_year_histograms,
    liaison_meetings,
    logic_models,
    login_throttle,
    matches,
    meeting_follow_ups,
    messages,
    municipalities,
    network_matches,
    notification_preferences,
    oidc_authorizations,
    organizations,
    outbox_attempts,
    outbox_messages,
    password_reset_tokens,
    platform_events,
    programme_logic_models,
    proposal_events,
    proposal_programmes,
    proposals,
    reference_counters,
    refresh_tokens,
    referral_counts,
    referrals,
    resource_coarse_positions,
    resource_details,
    resource_figures,
    resource_locations,
    resource_referrals,
    resource_suggestions,
    resources,
    retention_rule_overrides,
    retention_rules,
    retention_runs,
    revoked_access_tokens,
    service_accounts,
    survey_campaigns,
    survey_recipients,
    taxonomy_terms,
    totp_credentials,
    trip_follow_ons,
    trip_measurements,
    trip_model_cases,
    trip_partners,
    trip_publications,
    trip_supported_resources,
    trips,
    users,
    webhook_deliveries,
    webhook_subscriptions,
);
