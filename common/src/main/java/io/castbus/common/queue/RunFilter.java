package io.castbus.common.queue;

/** Filters of the runs listing; nulls match everything. */
public record RunFilter(String status, String jobId, String type, int limit, RunPage.Cursor after) {
}
