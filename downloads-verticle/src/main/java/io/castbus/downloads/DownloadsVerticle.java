package io.castbus.downloads;

import io.castbus.common.Addresses;
import io.castbus.common.BusService;
import io.castbus.common.RunTypes;
import io.castbus.common.net.OutboundHttp;
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
 * Episode downloads: serves {@code download_episode} (capped cluster-wide by MAX_CONCURRENT_DOWNLOADS, and per
 * server host; each file tagged before it is moved into place), {@code fetch_artwork} (the podcast covers) and
 * {@code notify_media_servers} (library scans on Plex, Jellyfin, Audiobookshelf),
 * registers and serves {@code process_downloads}, and answers {@code castbus.downloads.list} and
 * {@code castbus.episodes.download}.
 */
public final class DownloadsVerticle extends VerticleBase {

  public static final String PROCESS_DOWNLOADS = "process_downloads";

  private final Process process;
  private final DownloadLimits limits;
  private final WorkerOptions workerOptions;
  private OutboundHttp http;
  private Images images;
  private MediaServers mediaServers;
  private Worker worker;

  public DownloadsVerticle(Process process) {
    this(process, DownloadLimits.from(process.settings()), WorkerOptions.DEFAULTS);
  }

  DownloadsVerticle(Process process, DownloadLimits limits, WorkerOptions workerOptions) {
    this.process = process;
    this.limits = limits;
    this.workerOptions = workerOptions;
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> io.castbus.common.crypto.SecretBox.of(process.settings()), false)
        .compose(this::start);
  }

  private Future<?> start(io.castbus.common.crypto.SecretBox box) {
    var pool = process.pool();
    var queue = new RunQueue(vertx, pool);
    var episodes = new Episodes(pool);
    var library = process.settings().downloadDir();
    http = new OutboundHttp(vertx, process.settings().networkPolicy(),
        Transfer.outbound(limits), Transfer.WORDS);
    images = new Images(vertx, process.settings().networkPolicy(), Transfer.USER_AGENT);
    var placement = new Placement(vertx, episodes, library, process.settings().folderTemplate(),
        process.settings().fileTemplate());
    var tags = new EpisodeTags(vertx, images, placement, process.settings().tagFiles());
    var changes = new io.castbus.common.LibraryChanges(queue, process.settings());
    var downloader = new Downloader(vertx, episodes, placement, new Transfer(vertx, http, limits, library), tags,
        changes, box, limits).withAdminNews(process.settings().webhookUrl() != null
        && process.settings().webhookEvents().contains(io.castbus.common.Notifications.EPISODE_DOWNLOADED));
    mediaServers = new MediaServers(vertx, process.settings().mediaServers(), process.settings().mediaServerPolicy());
    var artwork = new Artwork(vertx, episodes, placement, images);
    var service = new DownloadsService(queue, episodes);
    worker = new Worker(vertx, queue, workerOptions)
        .serve(RunTypes.DOWNLOAD_EPISODE, limits.jobOptions(), downloader::download)
        .serve(RunTypes.FETCH_ARTWORK, JobTypeOptions.DEFAULTS.concurrency(2), artwork::fetch)
        .serve(RunTypes.NOTIFY_MEDIA_SERVERS, JobTypeOptions.DEFAULTS.concurrency(1).clusterConcurrency(1),
            mediaServers::notify)
        .serve(RunTypes.RENAME_LIBRARY, JobTypeOptions.DEFAULTS.concurrency(1).clusterConcurrency(1),
            new LibraryRename(vertx, episodes, placement)::run)
        .serve(PROCESS_DOWNLOADS, JobTypeOptions.DEFAULTS.concurrency(1).clusterConcurrency(1), service::processQueue);
    return vertx.fileSystem().mkdirs(library.toString())
        .compose(v -> Future.all(
            BusService.serve(vertx, Addresses.DOWNLOADS_LIST, service::list),
            BusService.serve(vertx, Addresses.EPISODES_DOWNLOAD, service::requestDownload)))
        .compose(v -> templatesChanged(episodes, queue))
        .compose(v -> new JobRegistry(vertx, pool).register(jobs()))
        .compose(v -> worker.start());
  }

  /**
   * When FOLDER_TEMPLATE or FILE_TEMPLATE differ from what the library was last named with, the library is
   * renamed: one {@code rename_library} run, however many replicas start at once (its dedupe key).
   */
  private Future<Void> templatesChanged(Episodes episodes, RunQueue queue) {
    var settings = process.settings();
    var now = settings.folderTemplate().text() + "\n" + settings.fileTemplate().text();
    var defaults = io.castbus.common.files.NameTemplate.DEFAULT_FOLDER + "\n"
        + io.castbus.common.files.NameTemplate.DEFAULT_FILE;
    return episodes.librarySetting(TEMPLATES).compose(before -> {
      var was = before == null ? defaults : before;
      if (was.equals(now)) {
        return before == null ? episodes.saveLibrarySetting(TEMPLATES, now) : Future.succeededFuture();
      }
      return queue.enqueue(RunTypes.rename(null)).compose(id -> episodes.saveLibrarySetting(TEMPLATES, now));
    });
  }

  private static final String TEMPLATES = "naming_templates";

  private static List<JobDefinition> jobs() {
    return List.of(JobDefinition.of(PROCESS_DOWNLOADS, "Process Download Queue", PROCESS_DOWNLOADS,
        Trigger.every(Duration.ofSeconds(300))).onStartup(Duration.ofSeconds(10)));
  }

  @Override
  public Future<?> stop() {
    return worker.stop().eventually(() -> http.close()).eventually(() -> images.close())
        .eventually(() -> mediaServers.close());
  }
}
