package io.castbus.common.queue;

import static io.castbus.testkit.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.castbus.common.ServiceError;
import io.castbus.testkit.Waits;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Run control in the queue: paused types are not claimed, caps set at run time hold, bulk actions batch")
class RunControlQueueTest {

  private static final Duration LONG = Duration.ofSeconds(60);
  private static final Duration LEASE = Duration.ofSeconds(30);

  @RegisterExtension
  static final QueueFixture fx = new QueueFixture("run_control_queue");

  private RunTypeControl control() {
    return new RunTypeControl(fx.vertx, fx.pool);
  }

  private List<java.util.UUID> enqueue(String type, int n) {
    var runs = new ArrayList<NewRun>();
    for (var i = 0; i < n; i++) {
      runs.add(NewRun.of(type, new JsonObject().put("n", i)));
    }
    return await(fx.queue.enqueueAll(runs));
  }

  @Test
  @DisplayName("a paused type is claimed by neither claim path; resumed, it is")
  void pausedTypeIsNotClaimed() {
    enqueue("steered", 3);
    var paused = await(control().pause("steered", true, "admin", null));
    assertThat(paused.getBoolean("paused")).isTrue();

    assertThat(await(fx.queue.claim("steered", "w1", 10, LEASE, 4, 0))).isEmpty();
    assertThat(await(fx.queue.claim("steered", "w1", 10, LEASE, 4, 5))).isEmpty();

    await(control().pause("steered", false, "admin", null));
    assertThat(await(fx.queue.claim("steered", "w1", 10, LEASE, 4, 0))).hasSize(3);
    assertThat(fx.count("select count(*) from run_actions where action in ('pause_type', 'resume_type') "
        + "and actor = 'admin'")).isEqualTo(2);
  }

  @Test
  @DisplayName("a cap set at run time bounds claims across workers; a worker that does not know it yet claims nothing")
  void capSetAtRunTime() {
    enqueue("capped", 5);
    await(control().cap("capped", 2, "admin", null));

    assertThat(await(fx.queue.claim("capped", "w1", 5, LEASE, 4, 0))).as("the uncapped path yields to the cap")
        .isEmpty();
    assertThat(await(fx.queue.claim("capped", "w1", 5, LEASE, 4, 2))).hasSize(2);
    assertThat(await(fx.queue.claim("capped", "w2", 5, LEASE, 4, 2))).as("another worker: the cap is full")
        .isEmpty();
    await(control().cap("capped", 3, "admin", null));
    assertThat(await(fx.queue.claim("capped", "w2", 5, LEASE, 4, 3))).hasSize(1);

    var type = await(control().get("capped"));
    assertThat(type.getJsonObject("concurrency").getInteger("cluster")).isEqualTo(3);
    assertThat(type.getJsonObject("concurrency").getBoolean("steered")).isTrue();
    assertThat(type.getLong("running")).isEqualTo(3);
    assertThat(type.getLong("queued")).isEqualTo(2);
  }

  @Test
  @DisplayName("bad steering: a cap of 0 or over 1,000 is refused, an unknown type is a 404")
  void badSteering() {
    enqueue("known", 1);
    assertThatThrownBy(() -> control().cap("known", 0, "admin", null)).isInstanceOf(ServiceError.class)
        .hasMessageContaining("between 1 and 1000");
    assertThatThrownBy(() -> control().cap("known", 1001, "admin", null)).isInstanceOf(ServiceError.class);
    assertThatThrownBy(() -> await(control().pause("no_such_type", true, "admin", null)))
        .hasMessageContaining("no run type 'no_such_type'");
  }

  @Test
  @DisplayName("two workers under a cap of 1 set while they run: never more than one run at once; paused, none "
      + "claims while another type flows; resumed, the rest run")
  void workersFollowTheSteering() {
    var now = new AtomicInteger();
    var most = new AtomicInteger();
    var ran = new AtomicInteger();
    for (var w = 0; w < 2; w++) {
      fx.deploy(vertx -> new Worker(vertx, fx.queue, QueueFixture.FAST)
          .serve("metered", JobTypeOptions.DEFAULTS.concurrency(4), ctx -> {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
            var done = io.vertx.core.Promise.<JsonObject>promise();
            ctx.vertx().setTimer(50, t -> {
              now.decrementAndGet();
              ran.incrementAndGet();
              done.complete(new JsonObject());
            });
            return done.future();
          })
          .serve("flowing", JobTypeOptions.DEFAULTS, ctx -> Future.succeededFuture(new JsonObject())));
    }
    enqueue("metered", 1);
    Waits.until(LONG, "the first run ran", () -> ran.get() == 1);

    await(control().cap("metered", 1, "admin", null));
    var metered = enqueue("metered", 8);
    Waits.until(LONG, "8 more runs ran", () -> ran.get() == 9);
    assertThat(most.get()).as("at most one at once after the cap of 1").isEqualTo(1);

    await(control().pause("metered", true, "admin", null));
    var held = enqueue("metered", 3);
    var flowing = enqueue("flowing", 3);
    Waits.until(LONG, "the other type's runs completed",
        () -> flowing.stream().allMatch(id -> "completed".equals(fx.status(id))));
    assertThat(held).allMatch(id -> "queued".equals(fx.status(id)));

    await(control().pause("metered", false, "admin", null));
    Waits.until(LONG, "the held runs ran after resume",
        () -> held.stream().allMatch(id -> "completed".equals(fx.status(id))));
    assertThat(metered).allMatch(id -> "completed".equals(fx.status(id)));
  }

  @Test
  @DisplayName("a bulk retry of 2,500 failed runs goes in batches of 1,000, counted in one recorded action; the "
      + "completed ones and those already retried are skipped; a user's bulk action touches only their runs")
  void bulkRetryInBatches() {
    fx.rows("insert into users (id, name, role) values (1, 'alice', 'user'), (2, 'bob', 'user') "
        + "on conflict do nothing");
    fx.rows("""
        insert into runs (id, type, status, owner_id, error, finished_at)
        select gen_random_uuid(), 'bulky', case when g <= 2500 then 'failed' else 'completed' end,
               case when g % 2 = 0 then 1 else 2 end, jsonb_build_object('message', 'boom ' || g), now()
          from generate_series(1, 2600) g""");
    var bulk = new BulkActions(fx.queue);

    var mine = await(bulk.run(BulkActions.Action.RETRY, RunSearch.from(new JsonObject().put("type", "bulky"), 1L),
        "alice", 1L));
    assertThat(mine.getInteger("matched")).isEqualTo(1300);
    assertThat(mine.getInteger("done")).isEqualTo(1250);
    assertThat(mine.getInteger("skipped")).isEqualTo(50);
    assertThat(fx.count("select count(*) from runs where type = 'bulky' and retry_of is not null and owner_id = 1"))
        .isEqualTo(1250);
    assertThat(fx.count("select count(*) from runs where type = 'bulky' and retry_of is not null and owner_id = 2"))
        .isZero();
    var again = await(bulk.run(BulkActions.Action.RETRY, RunSearch.from(new JsonObject().put("type", "bulky"), 1L),
        "alice", 1L));
    assertThat(again.getInteger("done")).as("runs already retried are not retried twice").isZero();
    assertThat(again.getInteger("skipped")).isEqualTo(again.getInteger("matched"));
    assertThat(fx.count("select count(*) from runs where type = 'bulky' and retry_of is not null")).isEqualTo(1250);

    var all = await(bulk.run(BulkActions.Action.CANCEL,
        RunSearch.from(new JsonObject().put("type", "bulky").put("status", "queued"), null), "admin", null));
    assertThat(all.getInteger("matched")).isEqualTo(1250);
    assertThat(all.getInteger("done")).isEqualTo(1250);
    var recorded = await(bulk.recent(null, 10));
    assertThat(recorded.getJsonObject(0).getString("action")).isEqualTo("bulk_cancel");
    assertThat(recorded.getJsonObject(0).getString("actor")).isEqualTo("admin");
    assertThat(recorded.getJsonObject(0).getString("state")).isEqualTo("finished");
    assertThat(recorded.getJsonObject(1).getString("actor")).isEqualTo("alice");
    assertThat(recorded.getJsonObject(1).getInteger("done")).isZero();
    assertThat(recorded.getJsonObject(2).getString("actor")).isEqualTo("alice");
    assertThat(recorded.getJsonObject(2).getInteger("done")).isEqualTo(1250);
    assertThat(await(bulk.recent(1L, 10))).hasSize(2);

    var none = await(bulk.run(BulkActions.Action.DELETE,
        RunSearch.from(new JsonObject().put("type", "nothing_like_it"), null), "admin", null));
    assertThat(none.getInteger("matched")).isZero();
  }

  @Test
  @DisplayName("a bulk action matching more than 100,000 runs is refused before it touches any")
  void bulkLimit() {
    fx.rows("""
        insert into runs (id, type, status, finished_at)
        select gen_random_uuid(), 'huge', 'failed', now() from generate_series(1, 100001)""");
    assertThatThrownBy(() -> await(new BulkActions(fx.queue).run(BulkActions.Action.DELETE,
        RunSearch.from(new JsonObject().put("type", "huge"), null), "admin", null)))
        .hasMessageContaining("more than 100000 runs; narrow it");
    assertThat(fx.count("select count(*) from runs where type = 'huge'")).isEqualTo(100001);
    assertThatThrownBy(() -> RunSearch.from(new JsonObject().put("colour", "red"), null))
        .hasMessageContaining("unknown filter field 'colour'");
    assertThatThrownBy(() -> BulkActions.Action.parse("explode")).hasMessageContaining("unknown action 'explode'");
  }

  @Test
  @DisplayName("a bulk action cut short by a failing batch leaves that batch untouched and every earlier one done, "
      + "and says how many")
  void bulkCutShortKeepsBatchesWhole() {
    fx.rows("""
        insert into runs (id, type, status, finished_at)
        select gen_random_uuid(), 'cut_short', 'failed', now() from generate_series(1, 1500)""");
    // A row elsewhere that holds the 1,200th run (in the second batch): deleting it is refused by the database.
    fx.rows("create table if not exists holds (run_id uuid references runs (id))");
    fx.rows("insert into holds select id from runs where type = 'cut_short' order by id offset 1199 limit 1");
    try {
      assertThatThrownBy(() -> await(new BulkActions(fx.queue).run(BulkActions.Action.DELETE,
          RunSearch.from(new JsonObject().put("type", "cut_short"), null), "admin", null)))
          .hasMessageContaining("stopped after 1000 of 1500 runs, each fully acted on");
      assertThat(fx.count("select count(*) from runs where type = 'cut_short'")).as("the second batch whole")
          .isEqualTo(500);
      var action = fx.rows("select state, done, matched from run_actions order by id desc limit 1").get(0);
      assertThat(action.getString("state")).isEqualTo("running");
      assertThat(action.getInteger("done")).isEqualTo(1000);
      assertThat(action.getInteger("matched")).isEqualTo(1500);
      assertThat(await(new BulkActions(fx.queue).recent(null, 1)).getJsonObject(0).getString("state"))
          .as("listed as interrupted: no one holds its lock any more").isEqualTo("interrupted");
    } finally {
      fx.rows("drop table holds");
    }
  }
}
