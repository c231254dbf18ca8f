-- The KPI counting trigger, cheaper per written row (issue 20: it runs in
-- every case write, and in case creation while the city's reference counter
-- is held). The same counts as before; what changed is how they are written:
-- the row's facts come from one static call per counted table (so PostgreSQL
-- keeps its plan, where the dynamic EXECUTE before planned it at every row),
-- and the counted facts are upserted in one statement instead of one each.
-- Durations (the histograms) are still written slot by slot; a new case has
-- none. The triggers still name their facts function as their argument; it is
-- no longer read (the row's type says which).

-- A row's facts, whichever counted table it is of (the trigger passes OLD
-- or NEW; NULL, the OLD of an insert, has none).
CREATE FUNCTION kpi_row_facts(r anyelement)
  RETURNS TABLE (municipality_id uuid, fiscal_year integer, month date, metric text, key text)
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF r IS NULL THEN
    RETURN;
  END IF;
  CASE pg_typeof(r)
    WHEN 'proposals'::regtype THEN RETURN QUERY SELECT * FROM kpi_case_facts(r);
    WHEN 'hearings'::regtype THEN RETURN QUERY SELECT * FROM kpi_hearing_facts(r);
    WHEN 'matches'::regtype THEN RETURN QUERY SELECT * FROM kpi_match_facts(r);
    WHEN 'trips'::regtype THEN RETURN QUERY SELECT * FROM kpi_trip_facts(r);
  END CASE;
END
$$;

CREATE OR REPLACE FUNCTION kpi_count_facts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d record;
  slot integer;
BEGIN
  -- The counted facts, in one statement (in key order, as every writer
  -- takes them, so that two writers never deadlock).
  INSERT INTO kpi_facts AS k (municipality_id, fiscal_year, month, metric, key, n)
  SELECT c.municipality_id, c.fiscal_year, c.month, c.metric, c.key, sum(c.delta)::integer
  FROM (
    SELECT f.*, -1 AS delta FROM kpi_row_facts(OLD) f
    UNION ALL
    SELECT f.*, 1 AS delta FROM kpi_row_facts(NEW) f
  ) c
  WHERE c.metric NOT LIKE 'hours:%'
  GROUP BY c.municipality_id, c.fiscal_year, c.metric, c.month, c.key
  HAVING sum(c.delta) <> 0
  ORDER BY c.municipality_id, c.fiscal_year, c.metric, c.month, c.key
  ON CONFLICT (municipality_id, fiscal_year, metric, month, key) DO UPDATE SET n = k.n + EXCLUDED.n;
  -- The durations, slot by slot (only rows whose step times are set).
  FOR d IN
    SELECT h.municipality_id, h.fiscal_year, h.month, h.metric, h.key, sum(h.delta)::integer AS delta FROM (
      SELECT f.*, -1 AS delta FROM kpi_row_facts(OLD) f
      UNION ALL
      SELECT f.*, 1 AS delta FROM kpi_row_facts(NEW) f
    ) h
    WHERE h.metric LIKE 'hours:%'
    GROUP BY h.municipality_id, h.fiscal_year, h.metric, h.month, h.key
    HAVING sum(h.delta) <> 0
    ORDER BY h.municipality_id, h.fiscal_year, h.metric, h.month, h.key
  LOOP
    slot := GREATEST(d.key::integer, 0) + 1;
    INSERT INTO kpi_histograms (municipality_id, fiscal_year, month, measure, counts)
    VALUES (d.municipality_id, d.fiscal_year, d.month, substr(d.metric, 7), '{0}')
    ON CONFLICT DO NOTHING;
    UPDATE kpi_histograms SET counts[slot] = COALESCE(counts[slot], 0) + d.delta
    WHERE municipality_id = d.municipality_id AND fiscal_year = d.fiscal_year
      AND measure = substr(d.metric, 7) AND month = d.month;
    INSERT INTO kpi_year_histograms (municipality_id, fiscal_year, measure, counts)
    VALUES (d.municipality_id, d.fiscal_year, substr(d.metric, 7), '{0}')
    ON CONFLICT DO NOTHING;
    UPDATE kpi_year_histograms SET counts[slot] = COALESCE(counts[slot], 0) + d.delta
    WHERE municipality_id = d.municipality_id AND fiscal_year = d.fiscal_year AND measure = substr(d.metric, 7);
  END LOOP;
  RETURN NULL;
END
$$;
