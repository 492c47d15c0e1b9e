package io.castbus.scheduler.alert;

import io.vertx.core.Future;

/** A way to tell a person: mail, a webhook. Sending never blocks; a failure says why. */
interface AlertChannel {

  String name();

  Future<Void> send(Alert alert);
}
