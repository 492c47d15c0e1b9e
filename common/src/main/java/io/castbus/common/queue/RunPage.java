package io.castbus.common.queue;

import io.castbus.common.PageCursor;
import io.vertx.core.json.JsonArray;

/** A page of runs and the cursor of the next page (null on the last): the last run's (created_at, id). */
public record RunPage(JsonArray runs, PageCursor next) {
}
