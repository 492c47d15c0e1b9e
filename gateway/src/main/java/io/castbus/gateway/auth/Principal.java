package io.castbus.gateway.auth;

/**
 * Who a request acts as: a user and role from an API key (its id in {@code keyId}; a dashboard session carries the
 * key it was opened with), or the local operator under {@code local-open}.
 */
public record Principal(Long userId, String name, Role role, Long keyId) {

  public enum Role {
    ADMIN, USER;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Role parse(String role) {
      return "admin".equals(role) ? ADMIN : USER;
    }
  }

  /** A loopback client under {@code AUTH_MODE=local-open}: the person at the machine. */
  public static final Principal LOCAL = new Principal(null, "local", Role.ADMIN, null);

  public boolean isAdmin() {
    return role == Role.ADMIN;
  }
}
