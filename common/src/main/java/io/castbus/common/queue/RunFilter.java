package io.castbus.common.queue;

/** Filters of the runs listing; nulls match everything. {@code ownerId} is the id of the user the runs belong to. */
public record RunFilter(String status, String jobId, String type, Long ownerId, int limit, io.castbus.common.PageCursor after) {
}
