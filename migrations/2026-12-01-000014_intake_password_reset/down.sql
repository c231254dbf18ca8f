DROP TABLE password_reset_tokens;
DROP TABLE intake_submissions;
UPDATE organizations SET status = 'disabled' WHERE status = 'pending';
ALTER TABLE organizations DROP CONSTRAINT organizations_status_check;
ALTER TABLE organizations ADD CONSTRAINT organizations_status_check
  CHECK (status IN ('active', 'disabled'));
