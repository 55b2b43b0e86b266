-- Wake-ups for the other server instances (issue 18, docs/SCALE.md).
-- Every instance LISTENs on two channels through one extra connection
-- (server/store/pool.c). The notification is sent by the transaction that
-- makes the change, so it is delivered only if that transaction commits,
-- and only after it did. It is a wake-up, never the data: the inbox and
-- the tables stay the truth, and an instance whose listening connection
-- was down re-reads what it would have announced.

-- An event for a unit: "<unit code> <inbox id>". The instance holding that
-- unit's links loads the entry and pushes it (DossierEvent).
CREATE FUNCTION mc_notify_inbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mc_inbox', NEW.unit_code || ' ' || NEW.id);
  RETURN NULL;
END $$;

CREATE TRIGGER inbox_notify AFTER INSERT ON inbox
  FOR EACH ROW EXECUTE FUNCTION mc_notify_inbox();

-- The data every instance caches: the catalogue (units, procedures and
-- their components), the holiday calendar and office hours. The payload
-- is the table's name; one notification per statement.
CREATE FUNCTION mc_notify_config() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mc_config', TG_TABLE_NAME);
  RETURN NULL;
END $$;

CREATE TRIGGER units_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
  FOR EACH STATEMENT EXECUTE FUNCTION mc_notify_config();
CREATE TRIGGER procedures_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON procedures
  FOR EACH STATEMENT EXECUTE FUNCTION mc_notify_config();
CREATE TRIGGER procedure_components_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
  ON procedure_components FOR EACH STATEMENT EXECUTE FUNCTION mc_notify_config();
CREATE TRIGGER calendar_days_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_days
  FOR EACH STATEMENT EXECUTE FUNCTION mc_notify_config();
CREATE TRIGGER working_hours_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON working_hours
  FOR EACH STATEMENT EXECUTE FUNCTION mc_notify_config();
