-- The regional resource directory (seed 002): support organizations of the
-- four cities, their locations, the managed taxonomies, referral links,
-- survey campaigns, and the links from TRIPs to the organizations they support.

CREATE EXTENSION IF NOT EXISTS pg_trgm;  -- already there for proposals: the down migration keeps it
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;

-- Search text: NFKC (full-width ASCII to half-width, half-width kana to
-- full-width), katakana to hiragana, lower case. Queries go through the same
-- function, so ＤＶ, dv and DV, or サガミ and さがみ, find each other.
CREATE FUNCTION living_gate_search_normalize(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT lower(translate(normalize(coalesce(raw, ''), NFKC),
    'ァアィイゥウェエォオカガキギクグケゲコゴサザシジスズセゼソゾタダチヂッツヅテデトドナニヌネノハバパヒビピフブプヘベペホボポマミムメモャヤュユョヨラリルレロヮワヰヱヲンヴヵヶ',
    'ぁあぃいぅうぇえぉおかがきぎくぐけげこごさざしじすずせぜそぞただちぢっつづてでとどなにぬねのはばぱひびぴふぶぷへべぺほぼぽまみむめもゃやゅゆょよらりるれろゎわゐゑをんゔゕゖ'))
$$;

-- The distinct two-character substrings of a normalized text (none with
-- white space). Trigram indexes cannot answer two-character Japanese words
-- (就労, dv); a GIN index over bigrams can, for any query of two or more characters.
CREATE FUNCTION living_gate_bigrams(normalized text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}')
  FROM (SELECT substr(normalized, i, 2) AS g FROM generate_series(1, length(normalized) - 1) AS i) s
  WHERE g !~ '\s'
$$;

CREATE TABLE taxonomy_terms (
  id          uuid PRIMARY KEY,
  vocabulary  text NOT NULL CHECK (vocabulary IN ('topic', 'form')),
  code        text NOT NULL CHECK (code ~ '^[a-z0-9_-]{2,40}$'),
  parent_id   uuid REFERENCES taxonomy_terms (id),
  label_ja    text NOT NULL,
  label_en    text NOT NULL,
  version     bigint NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (vocabulary, code)
);
CREATE INDEX taxonomy_terms_parent_id_idx ON taxonomy_terms (parent_id);
CREATE TRIGGER taxonomy_terms_touch BEFORE UPDATE ON taxonomy_terms FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();

-- Seed 002's terms.
INSERT INTO taxonomy_terms (id, vocabulary, code, parent_id, label_ja, label_en) VALUES
  ('01900000-0000-7000-8000-000000000101', 'topic', 'family', NULL, '家庭', 'Family'),
  ('01900000-0000-7000-8000-000000000102', 'topic', 'single_parent', '01900000-0000-7000-8000-000000000101', 'ひとり親', 'Single parents'),
  ('01900000-0000-7000-8000-000000000103', 'topic', 'child_rearing', '01900000-0000-7000-8000-000000000101', '子育て', 'Child rearing'),
  ('01900000-0000-7000-8000-000000000104', 'topic', 'abuse', '01900000-0000-7000-8000-000000000101', '虐待', 'Abuse'),
  ('01900000-0000-7000-8000-000000000105', 'topic', 'dv', '01900000-0000-7000-8000-000000000101', 'DV', 'Domestic violence'),
  ('01900000-0000-7000-8000-000000000106', 'topic', 'hikikomori', '01900000-0000-7000-8000-000000000101', 'ひきこもり', 'Social withdrawal (hikikomori)'),
  ('01900000-0000-7000-8000-000000000107', 'topic', 'no_kin', '01900000-0000-7000-8000-000000000101', '身寄りがない人', 'People without kin'),
  ('01900000-0000-7000-8000-000000000108', 'topic', 'young_carer', '01900000-0000-7000-8000-000000000101', 'ヤングケアラー', 'Young carers'),
  ('01900000-0000-7000-8000-000000000109', 'topic', 'elderly', NULL, '高齢', 'Older people'),
  ('01900000-0000-7000-8000-00000000010a', 'topic', 'disability', NULL, '障害', 'Disability'),
  ('01900000-0000-7000-8000-00000000010b', 'topic', 'poverty', NULL, '生活困窮', 'Financial hardship'),
  ('01900000-0000-7000-8000-00000000010c', 'topic', 'loneliness', NULL, '孤独・孤立', 'Loneliness and isolation'),
  ('01900000-0000-7000-8000-00000000010d', 'topic', 'children', NULL, 'こども・若者', 'Children and young people'),
  ('01900000-0000-7000-8000-00000000010e', 'topic', 'foreign_residents', NULL, '外国人住民', 'Foreign residents'),
  ('01900000-0000-7000-8000-000000000201', 'form', 'employment_support', NULL, '就労支援', 'Employment support'),
  ('01900000-0000-7000-8000-000000000202', 'form', 'daily_life_support', NULL, '生活サポート', 'Daily-life support'),
  ('01900000-0000-7000-8000-000000000203', 'form', 'place_to_belong', NULL, '居場所づくり', 'Places to belong'),
  ('01900000-0000-7000-8000-000000000204', 'form', 'outreach', NULL, 'アウトリーチ', 'Outreach'),
  ('01900000-0000-7000-8000-000000000205', 'form', 'consultation', NULL, '相談窓口', 'Consultation desk'),
  ('01900000-0000-7000-8000-000000000206', 'form', 'volunteer_roles', NULL, 'ボランティア・役割のある場', 'Volunteering and roles'),
  ('01900000-0000-7000-8000-000000000207', 'form', 'nature_and_people', NULL, '自然や人と接する機会', 'Contact with nature and people'),
  ('01900000-0000-7000-8000-000000000208', 'form', 'safe_place', NULL, '安全に時間を過ごせる場所', 'Safe places to spend time'),
  ('01900000-0000-7000-8000-000000000209', 'form', 'food_support', NULL, '食の支援', 'Food support');

CREATE TABLE resources (
  id                       uuid PRIMARY KEY,
  -- The key of the entry in a municipality's spreadsheet: imports are idempotent by it.
  external_key             text UNIQUE,
  name                     text NOT NULL,
  name_kana                text,
  other_names              text[] NOT NULL DEFAULT '{}',
  legal_form               text NOT NULL CHECK (legal_form IN ('npo', 'social_welfare_corporation', 'general_incorporated_association',
                             'public_interest_incorporated', 'stock_company', 'cooperative', 'voluntary_group',
                             'community_general_support_center', 'childrens_cafeteria', 'public_agency', 'other')),
  description              text NOT NULL DEFAULT '',
  municipality_id          uuid NOT NULL REFERENCES municipalities (id),
  serves_municipality_ids  uuid[] NOT NULL DEFAULT '{}',
  topics                   text[] NOT NULL DEFAULT '{}',
  forms                    text[] NOT NULL DEFAULT '{}',
  phone                    text,
  email                    text,
  website                  text,
  contact_person           text,
  opening_hours            text,
  target_ages              text,
  languages                text[] NOT NULL DEFAULT '{}',
  participation_intent     text NOT NULL DEFAULT 'unknown' CHECK (participation_intent IN ('yes', 'maybe', 'no', 'unknown')),
  -- The same body as a partner organization of the desk.
  partner_organization_id  uuid REFERENCES organizations (id),
  visibility               text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'staff_only')),
  -- Fields the public never gets: address, position, phone, email, contact_person.
  hidden_fields            text[] NOT NULL DEFAULT '{}'
                             CHECK (hidden_fields <@ ARRAY['address', 'position', 'phone', 'email', 'contact_person']),
  last_verified_at         timestamptz,
  last_verified_by         uuid REFERENCES users (id),
  -- Maintained by the trigger below, from the name, kana, other names and
  -- description only (never from addresses or contacts, which may be hidden).
  search_text              text NOT NULL DEFAULT '',
  name_search              text NOT NULL DEFAULT '',
  search_bigrams           text[] NOT NULL DEFAULT '{}',
  version                  bigint NOT NULL DEFAULT 1,
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now()
);
-- With id: a city's entries in id order (the map's pages).
CREATE INDEX resources_municipality_id_idx ON resources (municipality_id, id);
CREATE INDEX resources_partner_organization_id_idx ON resources (partner_organization_id);
CREATE INDEX resources_last_verified_by_idx ON resources (last_verified_by);
CREATE INDEX resources_serves_idx ON resources USING gin (serves_municipality_ids);
CREATE INDEX resources_topics_idx ON resources USING gin (topics);
CREATE INDEX resources_forms_idx ON resources USING gin (forms);
CREATE INDEX resources_search_bigrams_idx ON resources USING gin (search_bigrams);
CREATE TRIGGER resources_touch BEFORE UPDATE ON resources FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();

CREATE FUNCTION living_gate_resources_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.name_search := living_gate_search_normalize(concat_ws(' ', NEW.name, NEW.name_kana, array_to_string(NEW.other_names, ' ')));
  NEW.search_text := NEW.name_search || ' ' || living_gate_search_normalize(NEW.description);
  NEW.search_bigrams := living_gate_bigrams(NEW.search_text);
  RETURN NEW;
END;
$$;
CREATE TRIGGER resources_search BEFORE INSERT OR UPDATE OF name, name_kana, other_names, description ON resources
  FOR EACH ROW EXECUTE FUNCTION living_gate_resources_search();

CREATE TABLE resource_locations (
  id           uuid PRIMARY KEY,
  resource_id  uuid NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
  -- Order of the locations of an entry (0 = main).
  ordinal      smallint NOT NULL DEFAULT 0,
  label        text,
  postal_code  text,
  prefecture   text,
  city         text,
  street       text,
  latitude     double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude    double precision CHECK (longitude BETWEEN -180 AND 180),
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK ((latitude IS NULL) = (longitude IS NULL))
);
-- With the position: an entry's distance to a search's centre without visiting the table.
CREATE INDEX resource_locations_resource_id_idx ON resource_locations (resource_id, ordinal) INCLUDE (latitude, longitude);
-- Radius searches take a latitude/longitude box from this index (the planner
-- estimates it from column statistics), then the exact great-circle distance
-- with earthdistance's `<@>`: measured ten times faster at 100,000 entries
-- than a GiST index over ll_to_earth(), whose cube arithmetic dominated.
CREATE INDEX resource_locations_position_idx ON resource_locations (latitude, longitude);

-- 紹介先: `from` introduced `to` (the survey snowballed through referrals).
CREATE TABLE resource_referrals (
  from_resource_id  uuid NOT NULL REFERENCES resources (id),
  to_resource_id    uuid NOT NULL REFERENCES resources (id),
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (from_resource_id, to_resource_id),
  CHECK (from_resource_id <> to_resource_id)
);
CREATE INDEX resource_referrals_to_resource_id_idx ON resource_referrals (to_resource_id);

-- A TRIP's supported directory organizations.
CREATE TABLE trip_supported_resources (
  trip_id      uuid NOT NULL REFERENCES trips (id),
  resource_id  uuid NOT NULL REFERENCES resources (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (trip_id, resource_id)
);
CREATE INDEX trip_supported_resources_resource_id_idx ON trip_supported_resources (resource_id);

-- Survey campaigns (seed 002: 157 distributed, 63 answered).
CREATE TABLE survey_campaigns (
  id          uuid PRIMARY KEY,
  title       text NOT NULL,
  starts_on   date NOT NULL,
  ends_on     date NOT NULL,
  version     bigint NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (starts_on <= ends_on)
);
CREATE TRIGGER survey_campaigns_touch BEFORE UPDATE ON survey_campaigns FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();

CREATE TABLE survey_recipients (
  id                uuid PRIMARY KEY,
  campaign_id       uuid NOT NULL REFERENCES survey_campaigns (id),
  -- An entry of the directory, or an organization not (yet) in it.
  resource_id       uuid REFERENCES resources (id),
  prospective_name  text,
  municipality_id   uuid NOT NULL REFERENCES municipalities (id),
  channel           text NOT NULL CHECK (channel IN ('email', 'post', 'hand', 'fax')),
  sent_on           date NOT NULL,
  answered_on       date,
  version           bigint NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (resource_id IS NOT NULL OR prospective_name IS NOT NULL),
  UNIQUE (campaign_id, resource_id)
);
CREATE INDEX survey_recipients_resource_id_idx ON survey_recipients (resource_id);
CREATE INDEX survey_recipients_municipality_id_idx ON survey_recipients (municipality_id);
CREATE TRIGGER survey_recipients_touch BEFORE UPDATE ON survey_recipients FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();

-- The change feed carries directory writes too: an event is about a case or about an entry.
ALTER TABLE proposal_events ALTER COLUMN proposal_id DROP NOT NULL;
ALTER TABLE proposal_events ADD COLUMN resource_id uuid REFERENCES resources (id);
CREATE INDEX proposal_events_resource_id_idx ON proposal_events (resource_id);
ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_subject_check CHECK ((proposal_id IS NULL) <> (resource_id IS NULL));
ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (
  'created', 'status_changed', 'hearing_requested', 'hearing_answered', 'message_posted',
  'match_proposed', 'match_accepted', 'match_declined', 'logic_model_saved',
  'resource_created', 'resource_updated', 'resource_imported', 'survey_answered'));
