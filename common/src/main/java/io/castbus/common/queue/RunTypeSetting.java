package io.castbus.common.queue;

/**
 * How a run type was steered at run time, cluster-wide: paused (no worker claims it) and the cap that replaces the
 * workers' default cluster concurrency (null: the default holds).
 */
record RunTypeSetting(boolean paused, Integer concurrency) {

  static final RunTypeSetting NONE = new RunTypeSetting(false, null);
}
