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
 * server host), registers and serves {@code process_downloads}, and answers {@code castbus.downloads.list} and
 * {@code castbus.episodes.download}.
 */
public final class DownloadsVerticle extends VerticleBase {

  public static final String PROCESS_DOWNLOADS = "process_downloads";

  private final Process process;
  private final DownloadLimits limits;
  private final WorkerOptions workerOptions;
  private OutboundHttp http;
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
    var pool = process.pool();
    var queue = new RunQueue(vertx, pool);
    var episodes = new Episodes(pool);
    var library = process.settings().downloadDir();
    http = new OutboundHttp(vertx, process.settings().networkPolicy(),
        Transfer.outbound(limits), Transfer.WORDS);
    var placement = new Placement(vertx, episodes, library);
    var downloader = new Downloader(vertx, episodes, placement, new Transfer(vertx, http, limits, library), limits);
    var service = new DownloadsService(queue, episodes);
    worker = new Worker(vertx, queue, workerOptions)
        .serve(RunTypes.DOWNLOAD_EPISODE, limits.jobOptions(), downloader::download)
        .serve(PROCESS_DOWNLOADS, JobTypeOptions.DEFAULTS.concurrency(1).clusterConcurrency(1), service::processQueue);
    return vertx.fileSystem().mkdirs(library.toString())
        .compose(v -> Future.all(
            BusService.serve(vertx, Addresses.DOWNLOADS_LIST, service::list),
            BusService.serve(vertx, Addresses.EPISODES_DOWNLOAD, service::requestDownload)))
        .compose(v -> new JobRegistry(vertx, pool).register(jobs()))
        .compose(v -> worker.start());
  }

  private static List<JobDefinition> jobs() {
    return List.of(JobDefinition.of(PROCESS_DOWNLOADS, "Process Download Queue", PROCESS_DOWNLOADS,
        Trigger.every(Duration.ofSeconds(300))).onStartup(Duration.ofSeconds(10)));
  }

  @Override
  public Future<?> stop() {
    return worker.stop().eventually(() -> http.close());
  }
}
