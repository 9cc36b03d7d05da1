-- A known value sealed with the encryption key (PONTE_ENCRYPTION_KEY, or the embedded server's
-- key file) by the first process that started with one. Every later start opens it: a process
-- given another key refuses to start instead of answering 500 for each stored credential and
-- failing the cluster's jobs. One row at most (`id` can only be true).
CREATE TABLE encryption_check (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  sealed text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
