-- 014: office hours per unit (issue 14): two sessions with the lunch break
-- between, and the schedules a province switches between on fixed dates
-- (summer / winter). Hour-based limits and the working time a supplement or
-- fee wait lasted count only these hours (docs/WORKFLOW.md "Deadlines").
--
-- unit_code NULL: the default of every unit without rows of its own. A
-- unit with rows of its own uses only those. Each row applies from its
-- valid_from month-day ('MM-DD') every year until the next row's of the
-- same unit, wrapping at the year's end. Times are local (the server's
-- utc_offset_minutes). Edited by IT staff in SQL; SIGHUP (or a change of
-- the holiday calendar) reloads them.
CREATE TABLE working_hours (
  id         serial PRIMARY KEY,
  unit_code  text REFERENCES units (code),
  valid_from text NOT NULL
             CHECK (valid_from ~ '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
                    AND to_date('2024-' || valid_from, 'YYYY-MM-DD') IS NOT NULL),
  am_start   time NOT NULL,
  am_end     time NOT NULL,
  pm_start   time NOT NULL,
  pm_end     time NOT NULL,
  name       text NOT NULL DEFAULT '',
  CHECK (am_start < am_end AND am_end <= pm_start AND pm_start < pm_end)
);
CREATE UNIQUE INDEX working_hours_unit_from_idx
  ON working_hours (coalesce(unit_code, ''), valid_from);

-- (verify) Default for every unit: the usual pair of a province's decision
-- on office hours (the summer schedule opens earlier). Check the province's
-- own decision (Hà Tĩnh) for the dates and times, and add rows per unit
-- where a unit keeps other hours. Both close at 17:00, the default
-- day_end_minutes, so day-based limits still fall due at 17:00.
INSERT INTO working_hours (unit_code, valid_from, am_start, am_end, pm_start, pm_end, name) VALUES
  (NULL, '04-15', '07:00', '11:30', '13:30', '17:00', 'Giờ làm việc mùa hè (verify)'),
  (NULL, '10-15', '07:30', '11:30', '13:30', '17:00', 'Giờ làm việc mùa đông (verify)');

GRANT SELECT ON working_hours TO motcua_app;
