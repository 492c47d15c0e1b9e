package io.castbus.common.config;

import io.castbus.common.net.PrivateHosts;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The media servers told to scan the library after it changed: Plex ({@code PLEX_URL}, {@code PLEX_TOKEN},
 * {@code PLEX_SECTION_ID}), Jellyfin ({@code JELLYFIN_URL}, {@code JELLYFIN_API_KEY}) and Audiobookshelf
 * ({@code AUDIOBOOKSHELF_URL}, {@code AUDIOBOOKSHELF_TOKEN}, {@code AUDIOBOOKSHELF_LIBRARY_ID}). A server is
 * configured by its URL; its token (and library) must then be set too. The tokens never appear in
 * {@link #toString()}.
 */
public record MediaServerSettings(Server plex, Server jellyfin, Server audiobookshelf) {

  public static final MediaServerSettings NONE = new MediaServerSettings(null, null, null);

  /** One server: its kind ({@code plex}, {@code jellyfin}, {@code audiobookshelf}), base URL, token and library. */
  public record Server(String kind, String url, String token, String library) {

    public String host() {
      return URI.create(url).getHost().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
      return kind + "[" + url + (library == null ? "" : ", library " + library) + ", token ***]";
    }
  }

  public List<Server> configured() {
    var all = new ArrayList<Server>(3);
    for (var s : new Server[] {plex, jellyfin, audiobookshelf}) {
      if (s != null) {
        all.add(s);
      }
    }
    return all;
  }

  public boolean any() {
    return plex != null || jellyfin != null || audiobookshelf != null;
  }

  /** The private hosts the configured servers may be reached at: media servers live on the LAN. */
  public PrivateHosts allowing(PrivateHosts others) {
    var names = new HashSet<String>(others.names());
    configured().forEach(s -> names.add(s.host()));
    return new PrivateHosts(Set.copyOf(names), others.ranges());
  }

  @Override
  public String toString() {
    return "MediaServers" + configured();
  }

  /** Reads the three servers' settings, naming the setting that is missing or malformed. */
  static MediaServerSettings read(java.util.function.Function<String, String> get) {
    return new MediaServerSettings(
        server(get, "plex", "PLEX_URL", "PLEX_TOKEN", "PLEX_SECTION_ID"),
        server(get, "jellyfin", "JELLYFIN_URL", "JELLYFIN_API_KEY", null),
        server(get, "audiobookshelf", "AUDIOBOOKSHELF_URL", "AUDIOBOOKSHELF_TOKEN", "AUDIOBOOKSHELF_LIBRARY_ID"));
  }

  private static Server server(java.util.function.Function<String, String> get, String kind, String urlKey,
      String tokenKey, String libraryKey) {
    var url = get.apply(urlKey);
    if (url == null) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (java.net.URISyntaxException e) {
      throw new ConfigException(urlKey + " must be an http or https URL such as http://nas.home:32400, got '" + url
          + "'");
    }
    var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getUserInfo() != null
        || uri.getQuery() != null) {
      throw new ConfigException(urlKey + " must be an http or https URL such as http://nas.home:32400, got '" + url
          + "'");
    }
    var token = get.apply(tokenKey);
    if (token == null) {
      throw new ConfigException(tokenKey + " must be set when " + urlKey + " is");
    }
    String library = null;
    if (libraryKey != null) {
      library = get.apply(libraryKey);
      if (library == null || !library.matches("[A-Za-z0-9_-]{1,100}")) {
        throw new ConfigException(libraryKey + " must be set when " + urlKey + " is (letters, digits, '-' or '_')"
            + (library == null ? "" : ", got '" + library + "'"));
      }
    }
    return new Server(kind, url.replaceAll("/+$", ""), token, library);
  }
}
