-- One row per scheduler cycle that some `chiso serve` process claimed (issue 11): several processes on one
-- database run the reminder scheduler once per cycle. A process runs a cycle only if its INSERT of the
-- cycle's key succeeded (INSERT … ON CONFLICT DO NOTHING inserted one row); the others skip it. `job` is
-- the kind of work ('remind', 'digest'), `cycle_key` the cycle (the start of the time bucket, or the date of
-- a daily job), `holder` the process that ran it (host:pid), `claimed_at` ms since the epoch.
CREATE TABLE scheduler_run (
    job         TEXT NOT NULL,
    cycle_key   TEXT NOT NULL,
    holder      TEXT NOT NULL,
    claimed_at  BIGINT NOT NULL,
    PRIMARY KEY (job, cycle_key)
);
