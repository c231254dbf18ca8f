DROP TRIGGER resources_figures_deleted ON resources;
DROP TRIGGER resources_figures_updated ON resources;
DROP TRIGGER resources_figures_inserted ON resources;
DROP FUNCTION living_gate_rebuild_resource_figures();
DROP FUNCTION living_gate_resource_figures_changed();
DROP FUNCTION living_gate_resource_figure_keys(uuid, text, text, text[], text[], uuid[], text[]);
DROP TABLE resource_figures;
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
ALTER TABLE resources DISABLE TRIGGER resources_touch;
UPDATE resources SET name = name;
ALTER TABLE resources ENABLE TRIGGER resources_touch;
