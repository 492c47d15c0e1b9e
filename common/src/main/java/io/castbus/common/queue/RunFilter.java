package io.castbus.common.queue;

/** Filters of the runs listing; nulls match everything. {@code owner} is the name of the user the runs belong to. */
public record RunFilter(String status, String jobId, String type, String owner, int limit, RunPage.Cursor after) {
}
