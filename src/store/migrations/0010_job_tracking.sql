-- Processes that run jobs (`ponte serve` with its worker, `ponte worker`). Each beats every
-- `heartbeat_seconds`; one that stops is presumed dead, and the jobs it was running are given
-- to others within seconds instead of after the job timeout (jobs/tracking.ts).
CREATE TABLE job_workers (
  id uuid PRIMARY KEY,
  host text NOT NULL,
  pid integer NOT NULL,
  heartbeat_seconds integer NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  beat_at timestamptz NOT NULL DEFAULT now()
);

-- Ponte's side of each pg-boss job (pgboss.job, same id), written in the transaction that
-- enqueues it. `line`: jobs of one line (one per link) run one at a time, by `position`.
-- `worker_id`: the worker running it now (no foreign key: a dead worker's row is deleted while its
-- jobs are handed over; the attempt's start is pgboss.job's started_on). `deferred`: put back
-- because its line was busy, to be woken when the line frees up. `interruptions`: how often a dead
-- worker cut it off.
CREATE TABLE job_tracking (
  job_id uuid PRIMARY KEY,
  queue text NOT NULL,
  line text,
  position bigint GENERATED ALWAYS AS IDENTITY,
  worker_id uuid,
  deferred boolean NOT NULL DEFAULT false,
  interruptions integer NOT NULL DEFAULT 0,
  enqueued_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_tracking_line_idx ON job_tracking (line, position) WHERE line IS NOT NULL;
CREATE INDEX job_tracking_worker_idx ON job_tracking (worker_id) WHERE worker_id IS NOT NULL;
