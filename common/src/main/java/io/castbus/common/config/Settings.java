package io.castbus.common.config;

import io.castbus.common.files.NameTemplate;
import io.castbus.common.net.NetworkPolicy;
import io.castbus.common.net.PrivateHosts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Castbus settings (SPEC §6), read once from the environment and, when {@code CONFIG_FILE} names one, a YAML
 * file with the same keys. The environment wins over the file. A bad value stops start-up naming the setting.
 */
public record Settings(
    int httpPort,
    Path dataDir,
    Path downloadDir,
    String databaseUrl,
    int feedRefreshInterval,
    int maxConcurrentDownloads,
    boolean autoCleanupEnabled,
    int cleanupInterval,
    int jobExpiryDays,
    ZoneId timeZone,
    AuthMode authMode,
    String adminApiKey,
    boolean allowPrivateNetworks,
    PrivateHosts allowedPrivateHosts,
    String smtpHost,
    int smtpPort,
    String smtpUser,
    String smtpPassword,
    String smtpFrom,
    String alertEmailTo,
    String webhookUrl,
    List<String> clusterMembers,
    int clusterPort,
    String clusterK8sServiceDns,
    String clusterHost,
    String clusterSecret,
    Path clusterTlsKeystore,
    String clusterTlsPassword,
    LogFormat logFormat,
    int downloadIdleTimeout,
    int downloadMaxFileMb,
    int downloadMinFreeMb,
    int rateLimitPerMinute,
    int rateLimitPerAddressPerMinute,
    int sseStreamsPerUser,
    String publicBaseUrl,
    boolean tagFiles,
    MediaServerSettings mediaServers,
    int mediaScanQuietSeconds,
    NameTemplate folderTemplate,
    NameTemplate fileTemplate,
    String secretKey,
    String itunesSearchUrl,
    String podcastIndexUrl,
    String podcastIndexKey,
    String podcastIndexSecret,
    java.util.Set<String> webhookEvents) {

  public enum AuthMode { REQUIRED, LOCAL_OPEN }

  public enum LogFormat { TEXT, JSON }

  public static final Set<String> KEYS = Set.of(
      "HTTP_PORT", "DATA_DIR", "DOWNLOAD_DIR", "DATABASE_URL", "FEED_REFRESH_INTERVAL", "MAX_CONCURRENT_DOWNLOADS",
      "AUTO_CLEANUP_ENABLED", "CLEANUP_INTERVAL", "JOB_EXPIRY_DAYS", "TZ", "AUTH_MODE", "ADMIN_API_KEY",
      "ALLOW_PRIVATE_NETWORKS", "ALLOWED_PRIVATE_HOSTS", "SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_FROM",
      "ALERT_EMAIL_TO", "WEBHOOK_URL", "CLUSTER_MEMBERS", "CLUSTER_PORT", "CLUSTER_K8S_SERVICE_DNS",
      "CLUSTER_HOST", "CLUSTER_SECRET", "CLUSTER_TLS_KEYSTORE", "CLUSTER_TLS_PASSWORD", "LOG_FORMAT",
      "DOWNLOAD_IDLE_TIMEOUT", "DOWNLOAD_MAX_FILE_MB", "DOWNLOAD_MIN_FREE_MB",
      "RATE_LIMIT_PER_MINUTE", "RATE_LIMIT_PER_ADDRESS_PER_MINUTE", "SSE_STREAMS_PER_USER", "SSE_STREAMS_PER_KEY",
      "PUBLIC_BASE_URL", "TAG_FILES", "PLEX_URL", "PLEX_TOKEN", "PLEX_SECTION_ID", "JELLYFIN_URL", "JELLYFIN_API_KEY",
      "AUDIOBOOKSHELF_URL", "AUDIOBOOKSHELF_TOKEN", "AUDIOBOOKSHELF_LIBRARY_ID", "MEDIA_SCAN_QUIET",
      "FOLDER_TEMPLATE", "FILE_TEMPLATE", "SECRET_KEY", "ITUNES_SEARCH_URL", "PODCASTINDEX_URL", "PODCASTINDEX_KEY",
      "PODCASTINDEX_SECRET", "WEBHOOK_EVENTS");

  /** Reads the process environment (and its {@code CONFIG_FILE}). */
  public static Settings fromEnvironment(AuthMode defaultAuthMode) {
    return load(System.getenv(), defaultAuthMode);
  }

  /** Reads settings from the given variables; {@code CONFIG_FILE} among them names an optional YAML file. */
  public static Settings load(Map<String, String> env, AuthMode defaultAuthMode) {
    var values = new HashMap<String, String>();
    var file = env.get("CONFIG_FILE");
    if (file != null && !file.isBlank()) {
      values.putAll(readYaml(Path.of(file)));
    }
    env.forEach((k, v) -> {
      if (KEYS.contains(k) && v != null) {
        values.put(k, v);
      }
    });
    var r = new Values(values);
    return new Settings(
        r.integer("HTTP_PORT", 8000, 0, 65535),
        r.path("DATA_DIR", "./data"),
        r.path("DOWNLOAD_DIR", "./downloads"),
        r.databaseUrl(),
        r.integer("FEED_REFRESH_INTERVAL", 3600, 1, Integer.MAX_VALUE),
        r.integer("MAX_CONCURRENT_DOWNLOADS", 3, 1, 1000),
        r.bool("AUTO_CLEANUP_ENABLED", true),
        r.integer("CLEANUP_INTERVAL", 86400, 1, Integer.MAX_VALUE),
        r.integer("JOB_EXPIRY_DAYS", 30, 1, 36500),
        r.zone("TZ"),
        r.authMode(defaultAuthMode),
        r.string("ADMIN_API_KEY"),
        r.bool("ALLOW_PRIVATE_NETWORKS", false),
        r.privateHosts("ALLOWED_PRIVATE_HOSTS"),
        r.string("SMTP_HOST"),
        r.integer("SMTP_PORT", 587, 1, 65535),
        r.string("SMTP_USER"),
        r.string("SMTP_PASSWORD"),
        r.string("SMTP_FROM"),
        r.string("ALERT_EMAIL_TO"),
        r.string("WEBHOOK_URL"),
        r.members("CLUSTER_MEMBERS"),
        r.integer("CLUSTER_PORT", 5701, 1, 65535),
        r.string("CLUSTER_K8S_SERVICE_DNS"),
        r.string("CLUSTER_HOST"),
        r.secret("CLUSTER_SECRET", 16),
        r.keystore("CLUSTER_TLS_KEYSTORE"),
        r.tlsPassword(),
        r.logFormat(),
        r.integer("DOWNLOAD_IDLE_TIMEOUT", 60, 1, 86400),
        r.integer("DOWNLOAD_MAX_FILE_MB", 2048, 1, 16 * 1024 * 1024),
        r.integer("DOWNLOAD_MIN_FREE_MB", 1024, 0, Integer.MAX_VALUE),
        r.integer("RATE_LIMIT_PER_MINUTE", 3000, 0, Integer.MAX_VALUE),
        r.integer("RATE_LIMIT_PER_ADDRESS_PER_MINUTE", 6000, 0, Integer.MAX_VALUE),
        // SSE_STREAMS_PER_KEY is the name this setting had while the cap counted per key.
        r.integer("SSE_STREAMS_PER_USER", r.integer("SSE_STREAMS_PER_KEY", 5, 1, 10_000), 1, 10_000),
        r.baseUrl("PUBLIC_BASE_URL"),
        r.bool("TAG_FILES", true),
        MediaServerSettings.read(r::string),
        r.integer("MEDIA_SCAN_QUIET", 60, 0, 86400),
        r.template("FOLDER_TEMPLATE", NameTemplate.DEFAULT_FOLDER, true),
        r.template("FILE_TEMPLATE", NameTemplate.DEFAULT_FILE, false),
        r.secret("SECRET_KEY", 16),
        Optional.ofNullable(r.baseUrl("ITUNES_SEARCH_URL")).orElse("https://itunes.apple.com/search"),
        Optional.ofNullable(r.baseUrl("PODCASTINDEX_URL")).orElse("https://api.podcastindex.org/api/1.0"),
        r.string("PODCASTINDEX_KEY"),
        r.string("PODCASTINDEX_SECRET"),
        r.webhookEvents());
  }

  /** Which URLs feeds and downloads may fetch, as ALLOW_PRIVATE_NETWORKS and ALLOWED_PRIVATE_HOSTS say. */
  public NetworkPolicy networkPolicy() {
    return new NetworkPolicy(allowPrivateNetworks, allowedPrivateHosts);
  }

  /** Which URLs media-server scans may call: the policy above, with the configured media servers' hosts allowed. */
  public NetworkPolicy mediaServerPolicy() {
    return new NetworkPolicy(allowPrivateNetworks, mediaServers.allowing(allowedPrivateHosts));
  }

  /** The settings with secrets replaced, for logging. */
  @Override
  public String toString() {
    return "Settings[httpPort=" + httpPort + ", dataDir=" + dataDir + ", downloadDir=" + downloadDir
        + ", databaseUrl=" + (databaseUrl == null ? "embedded" : redactUrl(databaseUrl))
        + ", authMode=" + authMode + ", adminApiKey=" + (adminApiKey == null ? "unset" : "***")
        + ", clusterMembers=" + clusterMembers + ", clusterPort=" + clusterPort
        + ", clusterK8sServiceDns=" + clusterK8sServiceDns + ", clusterHost=" + clusterHost
        + ", clusterSecret=" + (clusterSecret == null ? "unset" : "***")
        + ", clusterTlsKeystore=" + (clusterTlsKeystore == null ? "unset" : clusterTlsKeystore)
        + ", clusterTlsPassword=" + (clusterTlsPassword == null ? "unset" : "***")
        + ", smtpPassword=" + (smtpPassword == null ? "unset" : "***") + ", mediaServers=" + mediaServers
        + ", secretKey=" + (secretKey == null ? "unset (DATA_DIR/secret-key)" : "***")
        + ", podcastIndexSecret=" + (podcastIndexSecret == null ? "unset" : "***") + "]";
  }

  static String redactUrl(String url) {
    return url.replaceAll("//([^:/@]+):[^@]*@", "//$1:***@");
  }

  private static Map<String, String> readYaml(Path path) {
    Object doc;
    try (var in = Files.newBufferedReader(path)) {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
    } catch (IOException e) {
      throw new ConfigException("CONFIG_FILE " + path + " cannot be read: " + e.getMessage());
    } catch (RuntimeException e) {
      throw new ConfigException("CONFIG_FILE " + path + " is not valid YAML: " + e.getMessage());
    }
    if (doc == null) {
      return Map.of();
    }
    if (!(doc instanceof Map<?, ?> map)) {
      throw new ConfigException("CONFIG_FILE " + path + " must be a YAML mapping of setting names to values");
    }
    var values = new HashMap<String, String>();
    map.forEach((k, v) -> {
      var key = String.valueOf(k).toUpperCase(Locale.ROOT);
      if (!KEYS.contains(key)) {
        throw new ConfigException("CONFIG_FILE " + path + " has an unknown setting '" + k + "'");
      }
      if (v instanceof List<?> list) {
        values.put(key, String.join(",", list.stream().map(String::valueOf).toList()));
      } else if (v != null) {
        values.put(key, String.valueOf(v));
      }
    });
    return values;
  }

  private static final class Values {
    private final Map<String, String> values;

    Values(Map<String, String> values) {
      this.values = values;
    }

    String string(String key) {
      var v = values.get(key);
      return v == null || v.isBlank() ? null : v.trim();
    }

    int integer(String key, int fallback, int min, int max) {
      var v = string(key);
      if (v == null) {
        return fallback;
      }
      try {
        var n = Integer.parseInt(v);
        if (n < min || n > max) {
          throw new ConfigException(key + " must be between " + min + " and " + max + ", got " + v);
        }
        return n;
      } catch (NumberFormatException e) {
        throw new ConfigException(key + " must be a whole number, got '" + v + "'");
      }
    }

    boolean bool(String key, boolean fallback) {
      var v = string(key);
      if (v == null) {
        return fallback;
      }
      return switch (v.toLowerCase(Locale.ROOT)) {
        case "true", "1", "yes", "on" -> true;
        case "false", "0", "no", "off" -> false;
        default -> throw new ConfigException(key + " must be true or false, got '" + v + "'");
      };
    }

    Path path(String key, String fallback) {
      var v = string(key);
      return Path.of(v == null ? fallback : v).toAbsolutePath().normalize();
    }

    Path keystore(String key) {
      var v = string(key);
      if (v == null) {
        return null;
      }
      var path = Path.of(v).toAbsolutePath().normalize();
      if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
        throw new ConfigException(key + " must name a readable PKCS#12 keystore, got '" + v + "'");
      }
      return path;
    }

    String secret(String key, int minLength) {
      var v = string(key);
      if (v != null && v.length() < minLength) {
        throw new ConfigException(key + " must be at least " + minLength + " characters long");
      }
      return v;
    }

    String tlsPassword() {
      var v = string("CLUSTER_TLS_PASSWORD");
      if (string("CLUSTER_TLS_KEYSTORE") != null && v == null) {
        throw new ConfigException("CLUSTER_TLS_PASSWORD must be set when CLUSTER_TLS_KEYSTORE is");
      }
      return v;
    }

    /** WEBHOOK_EVENTS: the good news WEBHOOK_URL gets besides alerts (episode_new, episode_downloaded). */
    java.util.Set<String> webhookEvents() {
      var v = string("WEBHOOK_EVENTS");
      if (v == null) {
        return java.util.Set.of();
      }
      var events = new java.util.TreeSet<String>();
      for (var e : v.split(",")) {
        var name = e.strip();
        if (!name.equals("episode_new") && !name.equals("episode_downloaded")) {
          throw new ConfigException("WEBHOOK_EVENTS lists episode_new and episode_downloaded (comma-separated; "
              + "failed runs reach WEBHOOK_URL as alerts), got '" + name + "'");
        }
        events.add(name);
      }
      return java.util.Set.copyOf(events);
    }

    NameTemplate template(String key, String fallback, boolean folder) {
      var v = values.get(key);
      try {
        return NameTemplate.parse(key, v == null || v.isBlank() ? fallback : v.strip(), folder);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage());
      }
    }

    /** An absolute http(s) URL with no query or fragment, without its trailing slash; null when unset. */
    String baseUrl(String key) {
      var v = string(key);
      if (v == null) {
        return null;
      }
      try {
        var uri = new java.net.URI(v);
        var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getQuery() != null
            || uri.getFragment() != null || uri.getUserInfo() != null) {
          throw new ConfigException(key + " must be an http or https URL such as https://castbus.example.org, got '"
              + v + "'");
        }
        return v.replaceAll("/+$", "");
      } catch (java.net.URISyntaxException e) {
        throw new ConfigException(key + " must be an http or https URL such as https://castbus.example.org, got '"
            + v + "'");
      }
    }

    ZoneId zone(String key) {
      var v = string(key);
      if (v == null) {
        return ZoneId.of("UTC");
      }
      try {
        return ZoneId.of(v.startsWith(":") ? v.substring(1) : v);
      } catch (DateTimeException e) {
        throw new ConfigException(key + " must be a time zone such as UTC or Europe/Paris, got '" + v + "'");
      }
    }

    String databaseUrl() {
      var v = string("DATABASE_URL");
      if (v == null) {
        return null;
      }
      if (!v.matches("(?i)^postgres(ql)?://.+")) {
        throw new ConfigException("DATABASE_URL must look like postgresql://user:pass@host:5432/db, got '"
            + redactUrl(v) + "'");
      }
      return v;
    }

    AuthMode authMode(AuthMode fallback) {
      var v = string("AUTH_MODE");
      if (v == null) {
        return fallback;
      }
      return switch (v.toLowerCase(Locale.ROOT)) {
        case "required" -> AuthMode.REQUIRED;
        case "local-open" -> AuthMode.LOCAL_OPEN;
        default -> throw new ConfigException("AUTH_MODE must be 'required' or 'local-open', got '" + v + "'");
      };
    }

    LogFormat logFormat() {
      var v = string("LOG_FORMAT");
      if (v == null) {
        return LogFormat.TEXT;
      }
      return switch (v) {
        case "text" -> LogFormat.TEXT;
        case "json" -> LogFormat.JSON;
        default -> throw new ConfigException("LOG_FORMAT must be 'text' or 'json', got '" + v + "'");
      };
    }

    PrivateHosts privateHosts(String key) {
      try {
        return PrivateHosts.parse(string(key));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(key + " must list host names and CIDR ranges, comma-separated: " + e.getMessage());
      }
    }

    List<String> members(String key) {
      var v = string(key);
      if (v == null) {
        return List.of();
      }
      var members = List.of(v.split("\\s*,\\s*"));
      for (var m : members) {
        if (!m.matches("[A-Za-z0-9.\\-\\[\\]:]+(:\\d{1,5})?")) {
          throw new ConfigException(key + " must be a comma-separated host:port list, got '" + m + "'");
        }
      }
      return members;
    }
  }
}
