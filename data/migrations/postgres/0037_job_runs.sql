-- Scheduled jobs run once per period across instances: the twin of
-- data/migrations/0037_job_runs.sql.
CREATE TABLE job_runs (
	job TEXT NOT NULL,
	period BIGINT NOT NULL,
	holder TEXT NOT NULL,
	started_at BIGINT NOT NULL,
	PRIMARY KEY (job, period)
);
