-- Step 6 may end in open procurement (公募・競争による実施): a final decision
-- of the lead department, counted as decided (not adopted, no TRIP).
ALTER TABLE proposals DROP CONSTRAINT proposals_status_check;
ALTER TABLE proposals ADD CONSTRAINT proposals_status_check CHECK (status IN ('received', 'organizing', 'hearing',
  'matching', 'logic_model', 'awaiting_decision', 'adopted', 'not_adopted', 'open_procurement', 'declined', 'withdrawn', 'on_hold'));

CREATE OR REPLACE FUNCTION kpi_case_facts(p proposals)
  RETURNS TABLE (municipality_id uuid, fiscal_year integer, month date, metric text, key text)
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN QUERY SELECT p.municipality_id, p.fiscal_year, kpi.month_of(p.received_at), f.metric, f.key
  FROM (
    SELECT * FROM (VALUES ('received', 'all'), ('received', 'kind:' || p.kind), ('received', 'channel:' || p.channel),
           ('status', p.status),
           ('reached', CASE WHEN p.organizing_at IS NOT NULL THEN 'organizing' END),
           ('reached', CASE WHEN p.hearing_at IS NOT NULL THEN 'hearing' END),
           ('reached', CASE WHEN p.matching_at IS NOT NULL THEN 'matching' END),
           ('reached', CASE WHEN p.logic_model_at IS NOT NULL THEN 'logic_model' END),
           ('reached', CASE WHEN p.awaiting_decision_at IS NOT NULL THEN 'awaiting_decision' END),
           ('waiting', CASE WHEN p.coordination_started_at IS NULL
                             AND p.status NOT IN ('adopted', 'not_adopted', 'open_procurement', 'declined', 'withdrawn') THEN 'all' END),
           ('hours:first_contact_to_coordination', kpi.hours_between(p.first_contact_at, p.coordination_started_at)::text),
           ('hours:received', kpi.hours_between(p.received_at, p.organizing_at)::text),
           ('hours:organizing', kpi.hours_between(p.organizing_at, p.hearing_at)::text),
           ('hours:hearing', kpi.hours_between(p.hearing_at, p.matching_at)::text),
           ('hours:matching', kpi.hours_between(p.matching_at, p.logic_model_at)::text),
           ('hours:logic_model', kpi.hours_between(p.logic_model_at, p.awaiting_decision_at)::text),
           ('hours:awaiting_decision', CASE WHEN p.status IN ('adopted', 'not_adopted', 'open_procurement')
                                            THEN kpi.hours_between(p.awaiting_decision_at, p.closed_at)::text END),
           ('hours:receipt_to_decision', CASE WHEN p.status IN ('adopted', 'not_adopted', 'open_procurement', 'declined')
                                              THEN kpi.hours_between(p.received_at, p.closed_at)::text END)
    ) AS v
    UNION ALL
    SELECT 'received', 'theme:' || theme FROM unnest(p.themes) AS theme
  ) AS f (metric, key)
  WHERE f.key IS NOT NULL;
END
$$;

SELECT kpi_rebuild_facts();

CREATE OR REPLACE VIEW kpi.cases AS
SELECT p.id, p.reference, p.fiscal_year,
       kpi.month_of(p.received_at) AS received_month,
       p.kind, p.channel, p.themes, p.sdg_goals, p.status,
       p.status IN ('adopted', 'not_adopted', 'open_procurement', 'declined') AS decided,
       p.status = 'adopted' AS adopted,
       p.status NOT IN ('adopted', 'not_adopted', 'open_procurement', 'declined', 'withdrawn') AS open,
       p.lead_department_id,
       p.first_contact_at, p.received_at, p.coordination_started_at, p.organizing_at, p.hearing_at,
       p.matching_at, p.logic_model_at, p.awaiting_decision_at, p.closed_at,
       kpi.days_between(p.first_contact_at, p.coordination_started_at) AS days_to_coordination,
       kpi.days_between(p.received_at, p.organizing_at) AS days_in_received,
       kpi.days_between(p.organizing_at, p.hearing_at) AS days_in_organizing,
       kpi.days_between(p.hearing_at, p.matching_at) AS days_in_hearing,
       kpi.days_between(p.matching_at, p.logic_model_at) AS days_in_matching,
       kpi.days_between(p.logic_model_at, p.awaiting_decision_at) AS days_in_logic_model,
       CASE WHEN p.status IN ('adopted', 'not_adopted', 'open_procurement') THEN kpi.days_between(p.awaiting_decision_at, p.closed_at) END
         AS days_in_awaiting_decision,
       CASE WHEN p.status IN ('adopted', 'not_adopted', 'open_procurement', 'declined') THEN kpi.days_between(p.received_at, p.closed_at) END
         AS days_to_decision,
       p.municipality_id
FROM proposals p;
