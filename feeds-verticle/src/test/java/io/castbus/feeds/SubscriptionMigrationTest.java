package io.castbus.feeds;

import static org.assertj.core.api.Assertions.assertThat;

import io.castbus.common.db.Database;
import io.castbus.common.db.Migrations;
import io.castbus.testkit.TestDatabase;
import java.sql.DriverManager;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** V14 on a database filled by the schema before it: every podcast becomes its owner's subscription, nothing lost. */
@DisplayName("The subscriptions migration moves a filled database of the previous schema without loss")
class SubscriptionMigrationTest {

  @Test
  @DisplayName("each podcast becomes a subscription with the same id, owner and settings; episodes and files stay; new ids never collide")
  void migratesFilledDatabase() throws Exception {
    try (var db = TestDatabase.create("subscriptions_migration")) {
      var database = Database.of(db.url());
      Flyway.configure(Migrations.class.getClassLoader())
          .dataSource(database.jdbcUrl(), database.user(), database.password())
          .locations("classpath:db/migration").target("13").load().migrate();
      db.execute("""
          insert into users (name, role) values ('alice', 'user'), ('bob', 'user');
          insert into podcasts (owner, owner_id, rss_url, title, max_episodes_to_keep, auto_download, folder)
          values ('alice', (select id from users where name = 'alice'), 'https://a.example/feed', 'A', 3, true, 'A'),
                 ('bob', (select id from users where name = 'bob'), 'https://b.example/feed', 'B', 7, false, 'B'),
                 (null, null, 'https://c.example/feed', 'Ownerless', 5, true, null);
          insert into episodes (podcast_id, guid, title, download_status, file_path, bytes, keep)
          select id, 'g1', 'one', 'completed', folder || '/one.mp3', 10, true from podcasts where folder is not null;
          """);
      var podcasts = db.queryLong("select count(*) from podcasts");
      var episodes = db.queryLong("select count(*) from episodes");

      assertThat(Migrations.migrate(database)).isGreaterThanOrEqualTo(1);

      try (var conn = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
          var rs = conn.createStatement().executeQuery("""
              select count(*) filter (where s.id = p.id and s.owner is not distinct from p.owner
                                        and s.owner_id is not distinct from p.owner_id
                                        and s.max_episodes_to_keep = p.max_episodes_to_keep
                                        and s.auto_download = p.auto_download),
                     count(*)
                from podcasts p left join subscriptions s on s.podcast_id = p.id""")) {
        rs.next();
        assertThat(rs.getLong(1)).as("subscriptions matching their podcast").isEqualTo(podcasts);
        assertThat(rs.getLong(2)).isEqualTo(podcasts);
      }
      assertThat(db.queryLong("select count(*) from episodes")).isEqualTo(episodes);
      assertThat(db.queryLong("select count(*) from episodes where keep and file_path is not null")).isEqualTo(2);
      db.execute("""
          insert into subscriptions (podcast_id, owner, owner_id)
          select p.id, 'bob', u.id from podcasts p, users u where p.rss_url = 'https://a.example/feed' and u.name = 'bob'
          """);
      assertThat(db.queryLong("select max(id) from subscriptions"))
          .as("a new subscription's id follows every podcast id").isGreaterThan(db.queryLong("select max(id) from podcasts"));
      assertThat(db.queryLong("select count(*) from subscriptions where podcast_id = "
          + "(select id from podcasts where rss_url = 'https://a.example/feed')")).isEqualTo(2);
    }
  }
}
