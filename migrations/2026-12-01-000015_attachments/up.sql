-- Attachments (issue 15): files on a case, on a hearing (its minutes) or on
-- a version of a case's logic model. The metadata lives here, the bytes in
-- `attachment_contents`, so that listing never reads content; both stay in
-- PostgreSQL, so the embedded default and a backup hold every file.
--
-- Every attachment belongs to a case (`proposal_id`), even a hearing's or a
-- logic model's: its city is the case's (filled by the trigger of 000009)
-- and row-level security keys it like a case.
CREATE TABLE attachments (
  id uuid NOT NULL,
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  proposal_id uuid NOT NULL,
  -- What it hangs off: the case itself, one of its hearings, or one
  -- version of its logic model.
  attached_to text NOT NULL CHECK (attached_to IN ('proposal', 'hearing', 'logic_model')),
  hearing_id uuid,
  logic_model_version integer,
  -- `internal`: the desk and the departments involved (a hearing's: the
  -- desk and that department); `shared`: also the proposer.
  visibility text NOT NULL CHECK (visibility IN ('internal', 'shared')),
  -- Sanitized: no path, no control characters, at most 255 bytes.
  file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
  -- What the uploader said (`Content-Type`) and what the bytes are (magic
  -- numbers; NULL when not recognised).
  declared_type text NOT NULL CHECK (length(declared_type) BETWEEN 1 AND 255),
  detected_type text CHECK (length(detected_type) <= 255),
  size_bytes bigint NOT NULL CHECK (size_bytes >= 1),
  -- Lower-case hex SHA-256 of the content.
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  -- Who brought it: staff, a partner, or the anonymous public intake.
  source text NOT NULL CHECK (source IN ('staff', 'partner', 'public')),
  scan_status text NOT NULL CHECK (scan_status IN ('not_scanned', 'clean', 'infected', 'error')),
  -- The scanner's words (`Eicar-Test-Signature`, an error), when scanned.
  scan_verdict text CHECK (length(scan_verdict) <= 500),
  scanned_at timestamptz,
  -- Nobody downloads a quarantined file's content.
  quarantined boolean NOT NULL DEFAULT false,
  -- NULL: the public intake (no account).
  uploaded_by uuid REFERENCES users (id),
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, id),
  UNIQUE (id),
  FOREIGN KEY (municipality_id, proposal_id) REFERENCES proposals (municipality_id, id),
  FOREIGN KEY (municipality_id, hearing_id) REFERENCES hearings (municipality_id, id),
  FOREIGN KEY (municipality_id, proposal_id, logic_model_version)
    REFERENCES logic_models (municipality_id, proposal_id, version),
  CONSTRAINT attachments_target CHECK (
    (attached_to = 'proposal' AND hearing_id IS NULL AND logic_model_version IS NULL)
    OR (attached_to = 'hearing' AND hearing_id IS NOT NULL AND logic_model_version IS NULL
        AND visibility = 'internal')
    OR (attached_to = 'logic_model' AND hearing_id IS NULL AND logic_model_version IS NOT NULL)),
  CONSTRAINT attachments_infected_quarantined CHECK (scan_status <> 'infected' OR quarantined),
  CONSTRAINT attachments_scanned_at CHECK ((scan_status = 'not_scanned') = (scanned_at IS NULL))
);
CREATE INDEX attachments_proposal ON attachments (municipality_id, proposal_id, created_at);
CREATE INDEX attachments_hearing ON attachments (municipality_id, hearing_id) WHERE hearing_id IS NOT NULL;
CREATE INDEX attachments_logic_model ON attachments (municipality_id, proposal_id, logic_model_version)
  WHERE logic_model_version IS NOT NULL;
CREATE INDEX attachments_uploaded_by ON attachments (uploaded_by);
CREATE TRIGGER attachments_municipality BEFORE INSERT ON attachments FOR EACH ROW
  EXECUTE FUNCTION living_gate_case_municipality();

-- The bytes, one row per attachment, written once.
CREATE TABLE attachment_contents (
  municipality_id uuid NOT NULL,
  attachment_id uuid NOT NULL,
  content bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, attachment_id),
  FOREIGN KEY (municipality_id, attachment_id) REFERENCES attachments (municipality_id, id)
    ON DELETE CASCADE
);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['attachments', 'attachment_contents'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY municipality_scope ON %I USING (living_gate_in_scope(municipality_id)) '
      'WITH CHECK (living_gate_in_scope(municipality_id))', t);
  END LOOP;
END
$$;

-- Content is written once; the metadata changes only by the service's
-- scan bookkeeping, never deleted by it.
REVOKE UPDATE, DELETE, TRUNCATE ON attachment_contents FROM living_gate_app;
REVOKE DELETE, TRUNCATE ON attachments FROM living_gate_app;
