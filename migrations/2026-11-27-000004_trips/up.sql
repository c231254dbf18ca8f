-- TRIPs (共創プロジェクト): what an adopted case becomes, with the
-- measurements of its logic model's indicators.

CREATE TABLE trips (
  id                           uuid PRIMARY KEY,
  proposal_id                  uuid NOT NULL UNIQUE REFERENCES proposals (id),
  title                        text NOT NULL,
  lead_department_id           uuid NOT NULL REFERENCES departments (id),
  -- KPI 5: a TRIP through which a company supports community activity.
  supports_community_activity  boolean NOT NULL DEFAULT false,
  status                       text NOT NULL DEFAULT 'planning' CHECK (status IN ('planning', 'active', 'completed', 'discontinued')),
  starts_on                    date,
  ends_on                      date,
  version                      bigint NOT NULL DEFAULT 1,
  created_at                   timestamptz NOT NULL DEFAULT now(),
  updated_at                   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT trips_dates_in_order CHECK (ends_on IS NULL OR starts_on IS NULL OR starts_on <= ends_on)
);
CREATE INDEX trips_lead_department_id_idx ON trips (lead_department_id);
CREATE TRIGGER trips_touch BEFORE UPDATE ON trips FOR EACH ROW EXECUTE FUNCTION living_gate_touch_updated_at();

CREATE TABLE trip_partners (
  trip_id          uuid NOT NULL REFERENCES trips (id),
  organization_id  uuid NOT NULL REFERENCES organizations (id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (trip_id, organization_id)
);
CREATE INDEX trip_partners_organization_id_idx ON trip_partners (organization_id);

CREATE TABLE trip_measurements (
  id            uuid PRIMARY KEY,
  trip_id       uuid NOT NULL REFERENCES trips (id),
  -- An indicator id of the case's logic model.
  indicator_id  uuid NOT NULL,
  value         double precision NOT NULL,
  measured_on   date NOT NULL,
  note          text NOT NULL DEFAULT '',
  recorded_by   uuid NOT NULL REFERENCES users (id),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trip_measurements_trip_id_idx ON trip_measurements (trip_id, indicator_id, measured_on);
CREATE INDEX trip_measurements_recorded_by_idx ON trip_measurements (recorded_by);
