package io.castbus.feeds;

import io.castbus.common.Addresses;
import io.castbus.common.BusService;
import io.castbus.common.RunTypes;
import io.castbus.common.crypto.SecretBox;
import io.castbus.common.job.JobDefinition;
import io.castbus.common.job.JobRegistry;
import io.castbus.common.job.Trigger;
import io.castbus.common.launch.Process;
import io.castbus.common.queue.JobTypeOptions;
import io.castbus.common.queue.RunQueue;
import io.castbus.common.queue.Worker;
import io.castbus.common.queue.WorkerOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.List;

/**
 * Feeds: registers {@code refresh_podcasts} (every FEED_REFRESH_INTERVAL s and on startup), serves it — one
 * {@code refresh_feed} run per podcast — and {@code refresh_feed}, and answers the podcast and episode API on the
 * {@code castbus.podcasts.*}, {@code castbus.episodes.list|update} and {@code castbus.library.*} addresses.
 */
public final class FeedsVerticle extends VerticleBase {

  public static final String REFRESH_PODCASTS = "refresh_podcasts";

  private final Process process;
  private final FetchOptions fetchOptions;
  private final JobTypeOptions refreshOptions;
  private FeedFetcher fetcher;
  private PodcastSearch search;
  private Worker worker;

  public FeedsVerticle(Process process) {
    this(process, FetchOptions.DEFAULTS, JobTypeOptions.DEFAULTS.concurrency(8));
  }

  public FeedsVerticle(Process process, FetchOptions fetchOptions, JobTypeOptions refreshOptions) {
    this.process = process;
    this.fetchOptions = fetchOptions;
    this.refreshOptions = refreshOptions;
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> SecretBox.of(process.settings()), false).compose(this::start);
  }

  private Future<?> start(SecretBox box) {
    var settings = process.settings();
    var pool = process.pool();
    var queue = new RunQueue(vertx, pool);
    fetcher = new FeedFetcher(vertx, settings.networkPolicy(), fetchOptions);
    var credentials = new StoredCredentials(pool, box);
    var refresher = new Refresher(vertx, pool, queue, fetcher, credentials,
        settings.webhookUrl() != null && settings.webhookEvents().contains(io.castbus.common.Notifications.EPISODE_NEW));
    var fanOut = new RefreshAll(pool, queue, settings.feedRefreshInterval());
    var api = new PodcastService(vertx, pool, queue, refresher, settings.downloadDir(),
        new io.castbus.common.LibraryChanges(queue, settings), credentials);
    var library = new LibraryService(pool);
    search = new PodcastSearch(vertx, settings.networkPolicy(), new PodcastSearch.Providers(settings.itunesSearchUrl(),
        settings.podcastIndexUrl(), settings.podcastIndexKey(), settings.podcastIndexSecret()));
    worker = new Worker(vertx, queue, WorkerOptions.DEFAULTS)
        .serve(RunTypes.REFRESH_FEED, refreshOptions, refresher::run)
        .serve(REFRESH_PODCASTS, JobTypeOptions.DEFAULTS.concurrency(1).clusterConcurrency(1), fanOut::run)
        .serve(RunTypes.DOWNLOAD_ALL, JobTypeOptions.DEFAULTS.concurrency(4),
            new BackCatalogue(vertx, pool, queue)::follow);
    var job = JobDefinition.of(REFRESH_PODCASTS, "Refresh Podcast Feeds", REFRESH_PODCASTS,
        Trigger.every(Duration.ofSeconds(settings.feedRefreshInterval()))).onStartup(Duration.ofSeconds(10));
    var frequent = JobDefinition.of(RefreshAll.FREQUENT_JOB, "Refresh Feeds Asked For More Often", REFRESH_PODCASTS,
        Trigger.every(Duration.ofSeconds(RefreshAll.FREQUENT_SECONDS)));
    return Future.all(List.of(
            BusService.serve(vertx, Addresses.PODCASTS_ADD, api::add),
            BusService.serve(vertx, Addresses.PODCASTS_LIST, api::list),
            BusService.serve(vertx, Addresses.PODCASTS_GET, api::get),
            BusService.serve(vertx, Addresses.PODCASTS_COVER, api::cover),
            BusService.serve(vertx, Addresses.LIBRARY_FEED, library::feed),
            BusService.serve(vertx, Addresses.SEARCH_PODCASTS, search::search),
            BusService.serve(vertx, Addresses.LIBRARY_MEDIA, library::media),
            BusService.serve(vertx, Addresses.LIBRARY_COVER, library::cover),
            BusService.serve(vertx, Addresses.PODCASTS_UPDATE, api::update),
            BusService.serve(vertx, Addresses.PODCASTS_DELETE, api::delete),
            BusService.serve(vertx, Addresses.PODCASTS_REFRESH, api::refresh),
            BusService.serve(vertx, Addresses.PODCASTS_DOWNLOAD_ALL, api::downloadAll),
            BusService.serve(vertx, Addresses.PODCASTS_IMPORT, api::importOpml),
            BusService.serve(vertx, Addresses.PODCASTS_EXPORT, api::exportOpml),
            BusService.serve(vertx, Addresses.EPISODES_LIST, api::episodes),
            BusService.serve(vertx, Addresses.EPISODES_UPDATE, api::updateEpisode)))
        .compose(v -> new JobRegistry(vertx, pool).register(List.of(job, frequent)))
        .compose(v -> worker.start());
  }

  @Override
  public Future<?> stop() {
    return worker.stop().eventually(() -> fetcher.close()).eventually(() -> search.close());
  }
}
