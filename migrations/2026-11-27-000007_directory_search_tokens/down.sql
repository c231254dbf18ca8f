CREATE FUNCTION living_gate_bigrams(normalized text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}')
  FROM (SELECT substr(normalized, i, 2) AS g FROM generate_series(1, length(normalized) - 1) AS i) s
  WHERE g !~ '\s'
$$;
DROP INDEX resources_search_idx;
ALTER TABLE resources RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_insert_scale_factor,
                             autovacuum_analyze_scale_factor);
DROP TRIGGER resource_locations_inserted ON resource_locations;
DROP TRIGGER resource_locations_updated ON resource_locations;
DROP TRIGGER resource_locations_deleted ON resource_locations;
DROP FUNCTION living_gate_resource_locations_changed();
DROP TRIGGER resources_search ON resources;
CREATE OR REPLACE FUNCTION living_gate_resources_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.name_search := living_gate_search_normalize(concat_ws(' ', NEW.name, NEW.name_kana, array_to_string(NEW.other_names, ' ')));
  NEW.search_text := NEW.name_search || ' ' || living_gate_search_normalize(NEW.description);
  NEW.search_bigrams := living_gate_bigrams(NEW.search_text);
  RETURN NEW;
END;
$$;
ALTER TABLE resources RENAME COLUMN search_tokens TO search_bigrams;
ALTER TABLE resources DROP COLUMN position_tokens;
ALTER TABLE resources DROP COLUMN search_points;
CREATE TRIGGER resources_search BEFORE INSERT OR UPDATE OF name, name_kana, other_names, description ON resources
  FOR EACH ROW EXECUTE FUNCTION living_gate_resources_search();
UPDATE resources SET name = name;
CREATE INDEX resources_search_bigrams_idx ON resources USING gin (search_bigrams);
CREATE INDEX resources_topics_idx ON resources USING gin (topics);
CREATE INDEX resources_forms_idx ON resources USING gin (forms);
CREATE INDEX resources_serves_idx ON resources USING gin (serves_municipality_ids);
CREATE INDEX resource_locations_position_idx ON resource_locations (latitude, longitude);
DROP INDEX resource_locations_resource_id_idx;
CREATE INDEX resource_locations_resource_id_idx ON resource_locations (resource_id, ordinal) INCLUDE (latitude, longitude);
DROP FUNCTION living_gate_term_tokens(text, text, text[]);
DROP FUNCTION living_gate_query_tokens(text);
DROP FUNCTION living_gate_text_tokens(text);
DROP FUNCTION living_gate_prefixed(text, text[]);
DROP FUNCTION living_gate_grid_cells(double precision, double precision);
