-- Scheduled jobs (the sweep, the adoption snapshot) run once per period
-- however many instances share the database (docs/operations.md,
-- "Several instances on PostgreSQL"): an instance runs a period's job
-- only if its insert of (job, period) is the one that committed.
-- period is the period's start (unix seconds); holder names the instance
-- that ran it, for the operator.
CREATE TABLE job_runs (
	job TEXT NOT NULL,
	period INTEGER NOT NULL,
	holder TEXT NOT NULL,
	started_at INTEGER NOT NULL,
	PRIMARY KEY (job, period)
);
