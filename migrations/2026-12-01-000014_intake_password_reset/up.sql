-- Public intake and password reset (issue 15).

-- An organization registered by a web intake waits, `pending`, until the
-- desk matches it to an existing one or accepts it.
ALTER TABLE organizations DROP CONSTRAINT organizations_status_check;
ALTER TABLE organizations ADD CONSTRAINT organizations_status_check
  CHECK (status IN ('active', 'disabled', 'pending'));

-- A submission of the public intake form, waiting for its contact to prove
-- the e-mail address with the code mailed to it. Nothing of it is in the
-- desk's list until then: the case is created on confirmation. The token is
-- the anonymous submitter's only handle on it; token and code are stored
-- as SHA-256 hashes.
CREATE TABLE intake_submissions (
  id uuid PRIMARY KEY,
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  token_hash bytea NOT NULL UNIQUE,
  code_hash bytea NOT NULL,
  -- Wrong codes so far; past the limit the submission is void.
  failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  status text NOT NULL DEFAULT 'awaiting_confirmation'
    CHECK (status IN ('awaiting_confirmation', 'confirmed', 'void')),
  email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  -- The form as validated: organization, contact, proposal.
  form jsonb NOT NULL,
  -- The corporate number declared (13 digits), kept for the desk's match.
  corporate_number text CHECK (corporate_number ~ '^[0-9]{13}$'),
  -- 提案の取り扱い: the version of the text acknowledged and when.
  terms_version text NOT NULL,
  terms_acknowledged_at timestamptz NOT NULL,
  -- The eligibility declarations as made (all true).
  declarations jsonb NOT NULL,
  client_addr text,
  expires_at timestamptz NOT NULL,
  confirmed_at timestamptz,
  proposal_id uuid,
  organization_id uuid REFERENCES organizations (id),
  contact_user_id uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT intake_submissions_proposal_fkey FOREIGN KEY (municipality_id, proposal_id)
    REFERENCES proposals (municipality_id, id),
  CONSTRAINT intake_submissions_confirmed_have_case CHECK ((status = 'confirmed') = (proposal_id IS NOT NULL))
);
CREATE INDEX intake_submissions_municipality_id_idx ON intake_submissions (municipality_id, created_at);
CREATE INDEX intake_submissions_proposal_id_idx ON intake_submissions (municipality_id, proposal_id);
CREATE INDEX intake_submissions_organization_id_idx ON intake_submissions (organization_id);
CREATE INDEX intake_submissions_contact_user_id_idx ON intake_submissions (contact_user_id);
CREATE INDEX intake_submissions_corporate_number_idx ON intake_submissions (corporate_number);
ALTER TABLE intake_submissions ENABLE ROW LEVEL SECURITY;
CREATE POLICY municipality_scope ON intake_submissions
  USING (living_gate_in_scope(municipality_id))
  WITH CHECK (living_gate_in_scope(municipality_id));
REVOKE DELETE ON intake_submissions FROM living_gate_app;

-- One-time password reset tokens (SHA-256 of the token), valid 30 minutes,
-- single use. Accounts are of no case: no row-level security, like
-- refresh_tokens and invitations.
CREATE TABLE password_reset_tokens (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  token_hash bytea NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_reset_tokens_user_id_idx ON password_reset_tokens (user_id);
REVOKE DELETE ON password_reset_tokens FROM living_gate_app;
