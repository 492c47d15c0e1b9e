-- Runs enqueued without a job need no job index: fewer index writes per ad-hoc run.
drop index runs_job_history;
create index runs_job_history on runs (job_id, created_at desc) where job_id is not null;
drop index runs_active_job;
create index runs_active_job on runs (job_id) where job_id is not null and status in ('queued', 'running');
-- Lease renewal and hand-back find a worker's few running rows through runs_leases.
drop index runs_worker;
