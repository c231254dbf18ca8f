-- Back to the dynamic trigger of 000009 (its argument names the facts function).
CREATE OR REPLACE FUNCTION kpi_count_facts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d record;
  slot integer;
BEGIN
  FOR d IN EXECUTE format($q$
    SELECT municipality_id, fiscal_year, month, metric, key, sum(delta)::integer AS delta FROM (
      SELECT f.*, -1 AS delta FROM %1$s($1) f WHERE $3 IN ('UPDATE', 'DELETE')
      UNION ALL
      SELECT f.*, 1 AS delta FROM %1$s($2) f WHERE $3 IN ('INSERT', 'UPDATE')
    ) d
    GROUP BY municipality_id, fiscal_year, metric, month, key
    HAVING sum(delta) <> 0
    ORDER BY municipality_id, fiscal_year, metric, month, key
  $q$, TG_ARGV[0]) USING OLD, NEW, TG_OP
  LOOP
    IF d.metric LIKE 'hours:%' THEN
      -- A negative duration (a corrected timestamp) counts as 0 hours.
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
    ELSE
      INSERT INTO kpi_facts AS k (municipality_id, fiscal_year, month, metric, key, n)
      VALUES (d.municipality_id, d.fiscal_year, d.month, d.metric, d.key, d.delta)
      ON CONFLICT (municipality_id, fiscal_year, metric, month, key) DO UPDATE SET n = k.n + EXCLUDED.n;
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;

DROP FUNCTION kpi_row_facts(anyelement);
