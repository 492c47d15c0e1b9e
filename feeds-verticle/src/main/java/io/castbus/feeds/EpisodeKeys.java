package io.castbus.feeds;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;

/**
 * Gives every item of a feed its key inside the podcast: its GUID, else its enclosure URL, else its title and
 * publication date, else its link. Items with none of these cannot be told apart and are left out. A GUID repeated
 * inside one feed for a different episode (another enclosure or title) keeps both, the second under a key derived
 * from what differs; an exact repeat is the same episode listed twice.
 */
final class EpisodeKeys {

  record Keyed(String key, ParsedFeed.Item item) {
  }

  record Result(List<Keyed> episodes, int repeated, int unidentifiable, List<String> distinctDuplicates) {
  }

  private EpisodeKeys() {
  }

  static Result of(List<ParsedFeed.Item> items) {
    var byKey = new HashMap<String, ParsedFeed.Item>();
    var episodes = new ArrayList<Keyed>(items.size());
    var repeated = 0;
    var unidentifiable = 0;
    var duplicates = new ArrayList<String>();
    for (var item : items) {
      var key = key(item);
      if (key == null) {
        unidentifiable++;
        continue;
      }
      var first = byKey.get(key);
      if (first != null) {
        if (Objects.equals(first.enclosureUrl(), item.enclosureUrl()) && Objects.equals(first.title(), item.title())) {
          repeated++;
          continue;
        }
        duplicates.add(key);
        var derived = key + "#" + (Objects.equals(first.enclosureUrl(), item.enclosureUrl())
            ? item.title() + "|" + item.publishedAt() : item.enclosureUrl());
        var n = 2;
        var candidate = derived;
        while (byKey.containsKey(candidate)) {
          candidate = derived + "#" + n++;
        }
        key = candidate;
      }
      byKey.put(key, item);
      episodes.add(new Keyed(key, item));
    }
    return new Result(episodes, repeated, unidentifiable, duplicates);
  }

  static String key(ParsedFeed.Item item) {
    if (item.guid() != null) {
      return item.guid();
    }
    if (item.enclosureUrl() != null) {
      return item.enclosureUrl();
    }
    if (item.title() != null || item.publishedAt() != null) {
      return "title:" + Objects.toString(item.title(), "") + "|" + Objects.toString(item.publishedAt(), "");
    }
    return item.link();
  }
}
