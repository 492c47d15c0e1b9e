-- Three retries after the first attempt (waits of 2, 4 and 8 s) by default: what a run shows before its first claim.
alter table runs alter column max_attempts set default 4;
