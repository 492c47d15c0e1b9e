-- The retries of a run, found by the run they retry: a bulk retry skips a run already retried, so the same call
-- after an interrupted one finishes the rest instead of retrying the same runs twice.
create index runs_retry_of on runs (retry_of) where retry_of is not null;
