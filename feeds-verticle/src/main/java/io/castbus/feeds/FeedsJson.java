package io.castbus.feeds;

import static io.castbus.common.queue.RunJson.time;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

/** The API shape of podcasts and episodes (SPEC §3), built from database rows. */
final class FeedsJson {

  private FeedsJson() {
  }

  static JsonObject podcast(Row row) {
    return new JsonObject()
        .put("id", row.getLong("id"))
        .put("title", row.getString("title"))
        .put("rss_url", row.getString("rss_url"))
        .put("description", row.getString("description"))
        .put("site_url", row.getString("site_url"))
        .put("image_url", row.getString("image_url"))
        .put("author", row.getString("author"))
        .put("language", row.getString("language"))
        .put("folder", row.getString("folder"))
        .put("cover_url", row.getString("cover_path") == null ? null
            : "/api/podcasts/" + row.getLong("id") + "/cover")
        .put("folder_template", row.getString("folder_template"))
        .put("file_template", row.getString("file_template"))
        .put("max_episodes_to_keep", "newest".equals(row.getString("retention_mode"))
            ? row.getInteger("max_episodes_to_keep") : null)
        .put("retention", Choices.of(null, row.getString("retention_mode"), row.getInteger("max_episodes_to_keep"),
            row.getInteger("retention_days")).retention().toJson())
        .put("filters", row.getJsonObject("filters"))
        .put("refresh_interval_s", row.getInteger("refresh_interval_s"))
        .put("auth", FeedCredentials.shown(row.getString("auth_username"), row.getBoolean("password_set")))
        .put("auto_download", row.getBoolean("auto_download"))
        .put("owner", row.getString("owner"))
        .put("owner_id", row.getLong("owner_id"))
        .put("episode_count", row.getLong("episode_count"))
        .put("last_checked", time(row.getOffsetDateTime("last_checked")))
        .put("last_success", time(row.getOffsetDateTime("last_success")))
        .put("last_error", row.getString("last_error"))
        .put("consecutive_failures", row.getInteger("consecutive_failures"))
        .put("next_refresh_after", time(row.getOffsetDateTime("next_refresh_after")))
        .put("created_at", time(row.getOffsetDateTime("created_at")))
        .put("updated_at", time(row.getOffsetDateTime("updated_at")));
  }

  static JsonObject episode(Row row) {
    return new JsonObject()
        .put("id", row.getLong("id"))
        .put("podcast_id", row.getLong("podcast_id"))
        .put("guid", row.getString("guid"))
        .put("title", row.getString("title"))
        .put("description", row.getString("description"))
        .put("published_at", time(row.getOffsetDateTime("published_at")))
        .put("duration_s", row.getInteger("duration_s"))
        .put("enclosure_url", row.getString("enclosure_url"))
        .put("enclosure_type", row.getString("enclosure_type"))
        .put("enclosure_length", row.getLong("enclosure_length"))
        .put("download_status", row.getString("download_status"))
        .put("download_error", row.getString("download_error"))
        .put("file_path", row.getString("file_path"))
        .put("bytes", row.getLong("bytes"))
        .put("keep", row.getBoolean("keep"))
        .put("image_url", row.getString("image_url"))
        .put("episode_number", row.getInteger("episode_number"))
        .put("season_number", row.getInteger("season_number"))
        .put("downloaded_at", time(row.getOffsetDateTime("downloaded_at")))
        .put("created_at", time(row.getOffsetDateTime("created_at")))
        .put("updated_at", time(row.getOffsetDateTime("updated_at")));
  }
}
