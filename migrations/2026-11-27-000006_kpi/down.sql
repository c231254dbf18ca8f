-- The living_gate_bi role is left in place: it belongs to the cluster and
-- may hold grants in other databases.
REVOKE ALL ON SCHEMA kpi FROM living_gate_bi;
DROP TRIGGER trips_kpi_facts ON trips;
DROP TRIGGER matches_kpi_facts ON matches;
DROP TRIGGER hearings_kpi_facts ON hearings;
DROP TRIGGER proposals_kpi_facts ON proposals;
DROP FUNCTION kpi_rebuild_facts();
DROP FUNCTION kpi_count_facts();
DROP FUNCTION kpi_trip_facts(trips);
DROP FUNCTION kpi_match_facts(matches);
DROP FUNCTION kpi_hearing_facts(hearings);
DROP FUNCTION kpi_case_facts(proposals);
DROP SCHEMA kpi CASCADE;
DROP INDEX proposals_waiting_idx;
DROP TABLE kpi_year_histograms;
DROP TABLE kpi_histograms;
DROP TABLE kpi_facts;
DROP TABLE kpi_targets;
