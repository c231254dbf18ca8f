-- One GIN index answers a whole directory search: every entry carries the
-- tokens a search may ask for, so text, topic, form, served city and a
-- radius narrow the entries down together, in one index scan, before any
-- row is read (measured in BENCHMARKS.md: before, each filter was answered by
-- its own index and thousands of candidates were read and intersected).
--
-- `search_tokens`, from the entry itself (never ambiguous: text tokens are
-- one or two characters long, the others longer and with a colon):
--   each character and each two-character substring of the search text
--     (normalized name, kana, other names, description; none with white space);
--   `t:<code>` for each topic and each of its ancestors (filtering by a term
--     includes its descendants; terms are never moved, so ancestors are stable);
--   `f:<code>` likewise for forms;
--   `s:<uuid>` for each served municipality.
-- `position_tokens`, from its locations: for each position, at every grid
-- level `<k>:<i>:<j>`, the cell floor(latitude × k), floor(longitude × k)
-- with k cells per degree. The levels must match GRID_LEVELS in
-- crates/db/src/resource_search.rs (a test checks that the cells a search
-- asks for hold every position inside its circle).
-- Both columns are in one GIN index, so one index scan answers them together.
-- `search_points` holds the positions themselves, for the exact distance.

CREATE FUNCTION living_gate_grid_cells(latitude double precision, longitude double precision)
RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_agg(k || ':' || floor(latitude * k)::bigint || ':' || floor(longitude * k)::bigint ORDER BY k)
  FROM unnest(ARRAY[1, 2, 5, 10, 20, 50, 100, 200, 400]) AS k
$$;

-- The distinct characters and two-character substrings of a normalized text,
-- without white space (pairs each character with the next; byte order for
-- the distinct step, which is twice as fast as the database's collation).
CREATE FUNCTION living_gate_text_tokens(normalized text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g COLLATE "C"), '{}')
  FROM (SELECT string_to_array(normalized, NULL) AS a) c,
       LATERAL unnest(a, a[2:]) AS u(x, y),
       LATERAL (VALUES (x), (x || y)) AS t(g)
  WHERE g !~ '\s'
$$;

-- `prefix || item` for each item.
CREATE FUNCTION living_gate_prefixed(prefix text, items text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(prefix || i), '{}') FROM unnest(items) AS i
$$;

-- The tokens a search word must find: itself when one character long, else
-- its two-character substrings (then the search also checks the substring).
CREATE FUNCTION living_gate_query_tokens(normalized text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN length(normalized) = 1 THEN ARRAY[normalized]
              ELSE ARRAY(SELECT t FROM unnest(living_gate_text_tokens(normalized)) t WHERE length(t) = 2) END
$$;

-- `prefix || code` for the given terms and all their ancestors.
CREATE FUNCTION living_gate_term_tokens(vocab text, prefix text, codes text[]) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH RECURSIVE up(id, code, parent_id) AS (
    SELECT id, code, parent_id FROM taxonomy_terms WHERE vocabulary = vocab AND code = ANY (codes)
    UNION
    SELECT t.id, t.code, t.parent_id FROM taxonomy_terms t JOIN up ON t.id = up.parent_id)
  SELECT coalesce(array_agg(DISTINCT prefix || c), '{}')
  FROM (SELECT code FROM up UNION SELECT unnest(codes)) AS s(c)
$$;

ALTER TABLE resources RENAME COLUMN search_bigrams TO search_tokens;
ALTER TABLE resources ADD COLUMN position_tokens text[] NOT NULL DEFAULT '{}';
-- The positions of its locations as (longitude, latitude), for distances
-- without a visit to the locations.
ALTER TABLE resources ADD COLUMN search_points point[] NOT NULL DEFAULT '{}';
DROP INDEX resources_search_bigrams_idx;
DROP INDEX resources_topics_idx;
DROP INDEX resources_forms_idx;
DROP INDEX resources_serves_idx;
-- Radius searches go through the grid cells now.
DROP INDEX resource_locations_position_idx;
-- With the label: the map reads an entry's points from the index alone.
DROP INDEX resource_locations_resource_id_idx;
CREATE INDEX resource_locations_resource_id_idx ON resource_locations (resource_id, ordinal) INCLUDE (latitude, longitude, label);

-- One expression of function calls (no subquery), which PL/pgSQL evaluates
-- without the executor: measured 2.2 times faster over 10,000 inserts.
CREATE OR REPLACE FUNCTION living_gate_resources_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.name_search := living_gate_search_normalize(concat_ws(' ', NEW.name, NEW.name_kana, array_to_string(NEW.other_names, ' ')));
  NEW.search_text := NEW.name_search || ' ' || living_gate_search_normalize(NEW.description);
  NEW.search_tokens := living_gate_text_tokens(NEW.search_text)
    || living_gate_term_tokens('topic', 't:', NEW.topics)
    || living_gate_term_tokens('form', 'f:', NEW.forms)
    || living_gate_prefixed('s:', NEW.serves_municipality_ids::text[]);
  RETURN NEW;
END;
$$;
DROP TRIGGER resources_search ON resources;
CREATE TRIGGER resources_search
  BEFORE INSERT OR UPDATE OF name, name_kana, other_names, description, topics, forms, serves_municipality_ids ON resources
  FOR EACH ROW EXECUTE FUNCTION living_gate_resources_search();

-- Locations are written after their entry, in bulk: once per statement, the
-- cells and points of the entries whose locations changed. EXECUTE plans the
-- update for the tables as they are now (a plan cached while they were
-- small would visit the locations sequentially once per entry).
CREATE FUNCTION living_gate_resource_locations_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE $sql$
    UPDATE resources r SET position_tokens = c.cells, search_points = c.points
    FROM (SELECT ch.resource_id,
                 ARRAY(SELECT DISTINCT cell
                       FROM resource_locations l, unnest(living_gate_grid_cells(l.latitude, l.longitude)) AS cell
                       WHERE l.resource_id = ch.resource_id AND l.latitude IS NOT NULL) AS cells,
                 ARRAY(SELECT point(l.longitude, l.latitude) FROM resource_locations l
                       WHERE l.resource_id = ch.resource_id AND l.latitude IS NOT NULL ORDER BY l.ordinal) AS points
          FROM (SELECT DISTINCT resource_id FROM changed_locations) ch) c
    WHERE r.id = c.resource_id$sql$;
  RETURN NULL;
END;
$$;
CREATE TRIGGER resource_locations_inserted AFTER INSERT ON resource_locations
  REFERENCING NEW TABLE AS changed_locations FOR EACH STATEMENT EXECUTE FUNCTION living_gate_resource_locations_changed();
CREATE TRIGGER resource_locations_updated AFTER UPDATE ON resource_locations
  REFERENCING NEW TABLE AS changed_locations FOR EACH STATEMENT EXECUTE FUNCTION living_gate_resource_locations_changed();
CREATE TRIGGER resource_locations_deleted AFTER DELETE ON resource_locations
  REFERENCING OLD TABLE AS changed_locations FOR EACH STATEMENT EXECUTE FUNCTION living_gate_resource_locations_changed();

-- Fill the tokens of the existing entries (not a change of theirs: updated_at stays).
ALTER TABLE resources DISABLE TRIGGER resources_touch;
UPDATE resources SET name = name;
UPDATE resource_locations SET latitude = latitude;
ALTER TABLE resources ENABLE TRIGGER resources_touch;
-- GIN collects new entries in a pending list that every search scans until
-- it is merged; a 10,000-row import left 1.6 MB there and doubled the search
-- p95 until the next vacuum (BENCHMARKS.md). A 512 kB list is merged sooner,
-- by the writer; and vacuum comes after 2% of the entries changed instead
-- of 20% (an import also leaves a dead row version per entry: its locations
-- update the position tokens).
CREATE INDEX resources_search_idx ON resources USING gin (search_tokens, position_tokens)
  WITH (gin_pending_list_limit = 512);
ALTER TABLE resources SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02,
                           autovacuum_analyze_scale_factor = 0.02);
DROP FUNCTION living_gate_bigrams(text);
