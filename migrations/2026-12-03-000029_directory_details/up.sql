-- A directory people can act on (issue 19): when and how to go, who it is
-- for, what it costs, how it was verified, whether the organization agreed
-- to be listed, and its name and description in やさしい日本語 and English.
-- `resources` has the 32 columns a table may have, so the details live
-- beside it, one row per entry; an entry without a row has the defaults
-- (consent from its visibility).
CREATE TABLE resource_details (
  resource_id uuid PRIMARY KEY REFERENCES resources (id) ON DELETE CASCADE,
  -- The organization withdrew its consent to be published: the entry is
  -- staff only (the trigger below keeps it so) and in no export. `listed`
  -- and `staff_only` are the entry's `visibility`.
  consent_withdrawn boolean NOT NULL DEFAULT false,
  call_before_visiting boolean NOT NULL DEFAULT false,
  by_appointment boolean NOT NULL DEFAULT false,
  -- Domain `directory::details::OpeningPeriod` / `OpeningException` (checked there).
  opening_periods jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(opening_periods) = 'array'),
  opening_exceptions jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(opening_exceptions) = 'array'),
  -- Domain `directory::details::AccessibilityFeature`.
  accessibility text[] NOT NULL DEFAULT '{}' CHECK (accessibility <@ ARRAY['wheelchair_accessible',
    'step_free_entrance', 'accessible_toilet', 'elevator', 'accessible_parking', 'braille',
    'hearing_loop', 'written_communication', 'assistance_dogs_welcome']),
  accessibility_note text CHECK (char_length(accessibility_note) <= 500),
  -- Domain `directory::details::TargetGroup` (the national hotline's categories).
  target_groups text[] NOT NULL DEFAULT '{}' CHECK (target_groups <@ ARRAY['hardship',
    'foreign_language', 'suicidal_thoughts', 'dv_sexual_violence', 'gender_identity',
    'single_parent', 'under_18', 'loneliness']),
  minimum_age smallint CHECK (minimum_age BETWEEN 0 AND 120),
  maximum_age smallint CHECK (maximum_age BETWEEN 0 AND 120),
  eligibility_note text CHECK (char_length(eligibility_note) <= 500),
  -- Domain `directory::details::Cost`.
  cost text CHECK (cost IN ('free', 'fee')),
  cost_note text CHECK (char_length(cost_note) <= 500),
  -- How `resources.last_verified_at` was obtained. Domain `VerificationMethod`.
  verification_method text CHECK (verification_method IN ('phone', 'email', 'visit', 'survey', 'document', 'other')),
  -- Domain `directory::details::Translation`: `[{language, name, description}]`, `en` and `ja-easy`.
  translations jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(translations) = 'array'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (minimum_age IS NULL OR maximum_age IS NULL OR minimum_age <= maximum_age)
);
CREATE TRIGGER resource_details_touch BEFORE UPDATE ON resource_details
  FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();

-- A withdrawn consent keeps the entry out of the public directory, whatever
-- writes it (a PATCH, an import row that says `public`).
CREATE FUNCTION living_gate_resource_consent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.visibility = 'public' AND EXISTS (
    SELECT 1 FROM resource_details d WHERE d.resource_id = NEW.id AND d.consent_withdrawn) THEN
    NEW.visibility := 'staff_only';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER resources_consent BEFORE UPDATE ON resources
  FOR EACH ROW EXECUTE FUNCTION living_gate_resource_consent();

-- `updated_at` is when the content changed: recording a verification
-- (`last_verified_at`/`_by`, and `version` for the ETag) leaves it.
CREATE FUNCTION living_gate_resource_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  verification text[] := ARRAY['last_verified_at', 'last_verified_by', 'version', 'updated_at'];
BEGIN
  IF NEW.last_verified_at IS DISTINCT FROM OLD.last_verified_at
     AND to_jsonb(NEW) - verification = to_jsonb(OLD) - verification THEN
    NEW.updated_at := OLD.updated_at;
  ELSE
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER resources_touch ON resources;
CREATE TRIGGER resources_touch BEFORE UPDATE ON resources
  FOR EACH ROW EXECUTE FUNCTION living_gate_resource_touch();

-- The feed's new kinds, added to the current list.
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
    SELECT DISTINCT m[1] AS k
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
    WHERE c.conname = 'proposal_events_kind_check'
    UNION SELECT unnest(ARRAY['resource_verified'])
  ) s;
  ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_kind_check;
  EXECUTE format('ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_kind_check CHECK (kind IN (%s))', kinds);
END $$;
