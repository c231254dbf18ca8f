-- The nationwide directory (issue 20): figures kept ahead, and the
-- relevance order answered a tier at a time.
--
-- 1. Names' first characters as tokens. The relevance order puts entries
--    whose name starts with the first search word first, then those whose
--    name contains it, then the rest, each tier by id. `n:<c>` and
--    `n:<c1c2>` (the first one and two characters of the normalized name)
--    let the first tier come from the search index; the other two are read
--    in id order until a page is full (crates/db/src/directory/resource_search.rs).
--    A text token is one or two characters long: `n:` ones never collide.
CREATE OR REPLACE FUNCTION living_gate_resources_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.name_search := living_gate_search_normalize(concat_ws(' ', NEW.name, NEW.name_kana, array_to_string(NEW.other_names, ' ')));
  NEW.search_text := NEW.name_search || ' ' || living_gate_search_normalize(NEW.description);
  NEW.search_tokens := living_gate_text_tokens(NEW.search_text)
    || ARRAY['n:' || left(NEW.name_search, 1), 'n:' || left(NEW.name_search, 2)]
    || living_gate_term_tokens('topic', 't:', NEW.topics)
    || living_gate_term_tokens('form', 'f:', NEW.forms)
    || living_gate_prefixed('s:', NEW.serves_municipality_ids::text[]);
  RETURN NEW;
END;
$$;
-- The tokens of the existing entries (not a change of theirs: updated_at stays).
ALTER TABLE resources DISABLE TRIGGER resources_touch;
UPDATE resources SET name = name;
ALTER TABLE resources ENABLE TRIGGER resources_touch;

-- 2. A city's figures kept ahead: for each owning city, public or not, the
--    number of entries under each dimension and key of
--    `GET /v1/resources/stats` (`total` with key '', `topic`, `topic_total`
--    (the term or a descendant: the entry's `t:` tokens, which hold its
--    terms and their ancestors; terms never move), `form`, `municipality`,
--    `served_municipality`, `legal_form`, `intent`). Counted in the writing
--    transaction by the triggers below, once per statement, so an import
--    of 1,000 rows adds its counts in one step. The figures of a city (or of
--    the whole directory) with no other filter read these rows instead of
--    the entries; staff add the rows that are not public. Counts only, of
--    every city, like the figures themselves. A withdrawn consent makes an
--    entry staff only (migration 000029), so it leaves the public rows.
CREATE TABLE resource_figures (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  -- The entry's visibility is `public`.
  public boolean NOT NULL,
  dimension text NOT NULL,
  key text NOT NULL,
  -- Never negative (no CHECK: an insert ON CONFLICT is checked before it
  -- becomes the update that subtracts).
  entries bigint NOT NULL,
  PRIMARY KEY (municipality_id, public, dimension, key)
);
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON resource_figures FROM living_gate_app;

-- What one entry counts under (several keys of a dimension: topics, forms,
-- served cities; the same unnesting as the figures' recount). Columns, not
-- the row: PostgreSQL 15's planner fails on a whole row passed to this
-- function inlined, and inlined it is 1.4 times faster than in PL/pgSQL.
CREATE FUNCTION living_gate_resource_figure_keys(municipality_id uuid, legal_form text, participation_intent text,
                                                 topics text[], forms text[], serves_municipality_ids uuid[],
                                                 search_tokens text[])
RETURNS TABLE (dimension text, key text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 'total', ''
  UNION ALL SELECT 'topic', t FROM unnest(topics) AS t
  UNION ALL SELECT 'topic_total', substr(t, 3) FROM unnest(search_tokens) AS t WHERE t LIKE 't:%'
  UNION ALL SELECT 'form', f FROM unnest(forms) AS f
  UNION ALL SELECT 'municipality', municipality_id::text
  UNION ALL SELECT 'served_municipality', s::text FROM unnest(serves_municipality_ids) AS s
  UNION ALL SELECT 'legal_form', legal_form
  UNION ALL SELECT 'intent', participation_intent
$$;

-- Adds the difference between the old and the new rows of a statement, in
-- the key's order, so that concurrent writers wait, never deadlock, within
-- a statement. An update counts only the rows whose counted columns
-- changed (an import's position-token update changes none). EXECUTE plans
-- for the transition tables' sizes.
CREATE FUNCTION living_gate_resource_figures_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  counted text := 'municipality_id, visibility, legal_form, participation_intent, topics, forms, serves_municipality_ids, search_tokens';
  changes text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    changes := format('SELECT %s, 1 AS delta FROM new_rows', counted);
  ELSIF TG_OP = 'DELETE' THEN
    changes := format('SELECT %s, -1 AS delta FROM old_rows', counted);
  ELSE
    changes := format($sql$
      WITH changed AS (
        SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE (o.municipality_id, o.visibility, o.topics, o.forms, o.serves_municipality_ids, o.legal_form,
               o.participation_intent)
              IS DISTINCT FROM (n.municipality_id, n.visibility, n.topics, n.forms, n.serves_municipality_ids,
                                n.legal_form, n.participation_intent))
      SELECT %1$s, -1 AS delta FROM old_rows WHERE id IN (SELECT id FROM changed)
      UNION ALL
      SELECT %1$s, 1 AS delta FROM new_rows WHERE id IN (SELECT id FROM changed)$sql$, counted);
  END IF;
  EXECUTE format($sql$
    INSERT INTO resource_figures AS f (municipality_id, public, dimension, key, entries)
    SELECT d.municipality_id, d.visibility = 'public', k.dimension, k.key, sum(d.delta)
    FROM (%s) d,
         living_gate_resource_figure_keys(d.municipality_id, d.legal_form, d.participation_intent, d.topics, d.forms,
                                          d.serves_municipality_ids, d.search_tokens) k
    GROUP BY 1, 2, 3, 4
    HAVING sum(d.delta) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (municipality_id, public, dimension, key) DO UPDATE SET entries = f.entries + EXCLUDED.entries$sql$,
    changes);
  RETURN NULL;
END $$;
CREATE TRIGGER resources_figures_inserted AFTER INSERT ON resources
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION living_gate_resource_figures_changed();
CREATE TRIGGER resources_figures_updated AFTER UPDATE ON resources
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION living_gate_resource_figures_changed();
CREATE TRIGGER resources_figures_deleted AFTER DELETE ON resources
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION living_gate_resource_figures_changed();

-- Recounts everything from the entries, e.g. after a bulk load with the
-- triggers disabled (bench/generate_resources.sql), and fills the table now.
CREATE FUNCTION living_gate_rebuild_resource_figures() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  LOCK TABLE resource_figures IN ACCESS EXCLUSIVE MODE;
  DELETE FROM resource_figures;
  INSERT INTO resource_figures (municipality_id, public, dimension, key, entries)
  SELECT r.municipality_id, r.visibility = 'public', k.dimension, k.key, count(*)
  FROM resources r,
       living_gate_resource_figure_keys(r.municipality_id, r.legal_form, r.participation_intent, r.topics, r.forms,
                                        r.serves_municipality_ids, r.search_tokens) k
  GROUP BY 1, 2, 3, 4;
END $$;
REVOKE EXECUTE ON FUNCTION living_gate_rebuild_resource_figures() FROM PUBLIC, living_gate_app;
SELECT living_gate_rebuild_resource_figures();
