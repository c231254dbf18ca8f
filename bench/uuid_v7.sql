-- Shared by the generators (`\ir uuid_v7.sql`): a time-ordered UUID (v7
-- layout, as the API assigns) for a timestamp, so ids sort like creation.
CREATE OR REPLACE FUNCTION pg_temp.uuid_v7_at(at timestamptz) RETURNS uuid LANGUAGE sql AS $$
  SELECT (lpad(to_hex(floor(extract(epoch FROM at) * 1000)::bigint), 12, '0')
          || '7' || substr(md5(random()::text), 1, 3)
          || '8' || substr(md5(random()::text), 1, 15))::uuid
$$;
