// The dashboard's run-control views as Preact components (a WebJar, loaded as an ES module: no build step).
// app.js owns the tabs, the API client and the notices; these views render into their containers and call back
// through the handlers they are given.
import { Component, Fragment, h, render } from './vendor/preact/10.28.0/dist/preact.module.js';

const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
const Status = ({ of }) => h('span', { class: `status ${of}` }, of);

/** Renders into {@code tbody} a row per item, or one row saying {@code empty} across {@code columns}. */
function renderRows(tbody, items, row, columns, empty) {
  render(h(Fragment, null, items.length ? items.map(row)
    : h('tr', null, h('td', { colSpan: columns, class: 'muted' }, empty))), tbody);
}

const human = (bytes) => {
  if (bytes === null || bytes === undefined) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
};

/** A duration in seconds as h:mm:ss (or m:ss). */
const duration = (s) => {
  if (!s) return '—';
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const two = (n) => String(n).padStart(2, '0');
  return hh ? `${hh}:${two(mm)}:${two(s % 60)}` : `${mm}:${two(s % 60)}`;
};

/** A progress bar: {@code current} of {@code total}, full when {@code done}, with a line of text under it. */
function Bar({ current, total, done, label, tone }) {
  const pct = total ? Math.min(100, Math.round((current / total) * 100)) : (done ? 100 : 0);
  return h(Fragment, null,
    h('div', { class: done ? 'progress done' : 'progress', role: 'progressbar', 'aria-valuenow': pct,
      'aria-valuemin': 0, 'aria-valuemax': 100, title: `${pct} %` }, h('div', { style: { width: `${pct}%` } })),
    h('small', tone ? { class: tone } : null, label));
}

/**
 * A run's progress: the bytes while it runs, its last message once it has ended (never "downloading …"); a failed
 * run says why, and a run queued again after a failed attempt says what failed.
 */
function Progress({ run }) {
  const p = run.progress || {};
  if (run.error && (run.status === 'failed' || run.status === 'queued')) {
    const why = `${run.error.code}: ${run.error.message}`;
    return run.status === 'failed' ? h(Bar, { label: why, tone: 'run-error' })
      : h(Bar, { label: `retrying after attempt ${run.attempts}: ${why}` });
  }
  const label = run.status === 'running' && p.total ? `${human(p.current)} of ${human(p.total)}` : (p.message || '');
  return h(Bar, { current: p.current, total: p.total, done: run.status === 'completed', label });
}

/** A run id as the list shows it: its last eight digits, the random part (a UUIDv7 starts with its time). */
const shortId = (id) => `…${id.slice(-8)}`;

function RunRow({ run, on }) {
  const active = run.status === 'queued' || run.status === 'running';
  return h('tr', { 'data-run': run.id },
    h('td', null, h('input', { type: 'checkbox', checked: on.selected.has(run.id), 'aria-label': `select run ${run.id}`,
      onChange: () => on.toggle(run.id) })),
    h('td', null, h('a', { href: '#runs', title: run.id, onClick: () => on.open(run.id) }, shortId(run.id))),
    h('td', null, run.type, run.job_id ? h('small', null, ` (${run.job_id})`) : null,
      run.subject ? [h('br'), h('small', { class: 'subject' }, run.subject)] : null),
    h('td', { class: 'run-status' }, h(Status, { of: run.status })),
    h('td', { class: 'run-progress' }, h(Progress, { run })),
    h('td', { class: 'hide-narrow' }, when(run.created_at)),
    h('td', { class: 'actions' }, active
      ? h('button', { class: 'danger', onClick: () => on.cancel(run.id) }, 'Cancel') : null));
}

/**
 * Renders a page of runs into {@code tbody}, each with a box to select it for a bulk action; rendering again
 * with new data changes only what changed (a live update keeps focus and selection).
 */
export function renderRuns(tbody, runs, on) {
  renderRows(tbody, runs, (run) => h(RunRow, { run, on, key: run.id }), 7, 'No runs match.');
}

/** Bars scaled to the largest value; each bar {value, kind, title}. */
function Bars({ label, bars }) {
  if (!bars.length) return h('p', { class: 'muted' }, 'No finished runs yet.');
  const most = Math.max(...bars.map((b) => b.value), 1);
  return h('div', { class: 'chart', role: 'img', 'aria-label': label },
    bars.map((b, i) => h('span', {
      key: i, class: `bar-${b.kind}`, title: b.title,
      style: { height: `${Math.max(2, Math.round((b.value * 100) / most))}%` },
    })));
}

function Durations({ durations }) {
  return h(Bars, {
    label: `durations of the last ${durations.length} runs`,
    bars: durations.map((d) => ({ value: d.duration_ms || 0, kind: d.status,
      title: `${d.duration_ms} ms · ${d.status} · ${when(d.finished_at)}` })),
  });
}

function Hourly({ hourly }) {
  return h(Bars, {
    label: 'outcomes per hour over the last 24 hours',
    bars: hourly.map((o) => ({ value: o.completed + o.failed + o.cancelled, kind: o.failed ? 'failed' : 'completed',
      title: `${when(o.hour)}: ${o.completed} completed, ${o.failed} failed, ${o.cancelled} cancelled` })),
  });
}

/** The cluster-wide cap of a type: a number, or empty for the workers' default. */
class CapForm extends Component {
  constructor(props) {
    super(props);
    this.state = { value: props.type.concurrency.steered ? String(props.type.concurrency.cluster) : '' };
  }

  render({ type, on }, { value }) {
    const submit = (ev) => {
      ev.preventDefault();
      on.cap(type.type, value === '' ? null : Number(value));
    };
    return h('form', { class: 'inline', onSubmit: submit },
      h('input', { type: 'number', min: 1, max: 1000, value, 'aria-label': `cap of ${type.type}`,
        placeholder: type.concurrency.cluster_default ?? 'none', onInput: (ev) => this.setState({ value: ev.target.value }) }),
      h('button', null, 'Set'));
  }
}

function RunTypeRow({ type, on }) {
  return h('tr', { 'data-type': type.type },
    h('td', null, h('a', { href: '#types', onClick: () => on.open(type.type) }, type.type),
      type.paused ? [' ', h(Status, { of: 'paused' })] : null),
    h('td', null, type.queued),
    h('td', null, type.running),
    h('td', null, type.failed_24h),
    h('td', null, h(CapForm, { type, on, key: `${type.type}:${type.updated_at}` })),
    h('td', null, type.workers.map((w) => w.host || w.id).join(', ') || '—'),
    h('td', { class: 'actions' }, type.paused
      ? h('button', { onClick: () => on.resume(type.type) }, 'Resume')
      : h('button', { class: 'danger', onClick: () => on.pause(type.type) }, 'Pause')));
}

/** Renders the run types' rows into the table body {@code tbody}. */
export function renderRunTypes(tbody, types, on) {
  renderRows(tbody, types, (type) => h(RunTypeRow, { type, on, key: type.type }), 7, 'No run types yet.');
}

/** A run type's page: its charts. */
export function renderRunType(box, type, stats, onClose) {
  render(h(Fragment, null,
    h('h3', null, type),
    h('h4', null, 'Last runs (duration)'),
    h(Durations, { durations: stats.durations }),
    h('h4', null, 'Outcomes per hour, last 24 h'),
    h(Hourly, { hourly: stats.hourly }),
    h('button', { onClick: onClose }, 'Close')), box);
}

const valueOf = (spec) => (spec.type === 'interval' ? String(spec.seconds)
  : spec.type === 'cron' ? spec.expression : spec.run_at);

/**
 * A job's schedule editor: the trigger being edited, its next fire times (asked of the scheduler, which fires by
 * the same code) shown before saving, save and reset to the job's default.
 */
class ScheduleEditor extends Component {
  constructor(props) {
    super(props);
    const spec = props.job.trigger_spec;
    this.state = { kind: spec.type, value: valueOf(spec), zone: spec.timezone || '', preview: props.job.next_run_times,
      problem: null };
  }

  trigger() {
    const { kind, value, zone } = this.state;
    const v = value.trim();
    if (kind === 'interval') return { type: 'interval', seconds: Number(v) };
    if (kind === 'cron') return { type: 'cron', expression: v, ...(zone.trim() ? { timezone: zone.trim() } : {}) };
    return { type: 'date', run_at: v };
  }

  async preview() {
    try {
      const answer = await this.props.on.preview(this.props.job.id, this.trigger());
      this.setState({ preview: answer.next_run_times, problem: null });
    } catch (e) {
      this.setState({ preview: [], problem: e.message });
    }
  }

  change(field, value) {
    this.setState({ [field]: value }, () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.preview(), 300);
    });
  }

  render({ job, on }, { kind, value, zone, preview, problem }) {
    const submit = (ev) => {
      ev.preventDefault();
      on.save(job.id, this.trigger());
    };
    const reset = () => {
      const spec = job.default_trigger_spec;
      this.setState({ kind: spec.type, value: valueOf(spec), zone: spec.timezone || '' }, () => on.save(job.id, spec));
    };
    return h(Fragment, null,
      h('form', { class: 'filters', onSubmit: submit },
        h('label', null, 'Trigger ', h('select', { name: 'kind', value: kind, 'aria-label': 'trigger type',
          onChange: (ev) => this.change('kind', ev.target.value) },
        ['interval', 'cron', 'date'].map((k) => h('option', { value: k, key: k }, k)))),
        h('input', { name: 'value', value, required: true, 'aria-label': 'seconds, cron expression or date',
          placeholder: kind === 'interval' ? 'seconds' : kind === 'cron' ? '0 3 * * *' : '2026-12-24T08:00:00Z',
          onInput: (ev) => this.change('value', ev.target.value) }),
        kind === 'cron' ? h('input', { name: 'timezone', value: zone, 'aria-label': 'time zone',
          placeholder: 'Europe/Paris', onInput: (ev) => this.change('zone', ev.target.value) }) : null,
        h('button', null, 'Save'),
        h('button', { type: 'button', onClick: reset }, 'Reset to default')),
      h('h4', null, 'Next fire times'),
      problem ? h('p', { class: 'status failed', role: 'alert' }, problem) : null,
      h('ol', { class: 'preview' }, (preview || []).map((t) => h('li', { key: t }, when(t)))));
  }
}

const UNITS = [[86400, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']];

/** A trigger in words: "every 5 minutes", "cron 0 3 * * * (Europe/Paris)", "once, <local time>". */
export function schedule(spec) {
  if (!spec) return '';
  if (spec.type === 'interval') {
    const [size, unit] = UNITS.find(([n]) => spec.seconds % n === 0);
    const count = spec.seconds / size;
    return count === 1 ? `every ${unit}` : `every ${count} ${unit}s`;
  }
  if (spec.type === 'cron') return `cron ${spec.expression}${spec.timezone ? ` (${spec.timezone})` : ''}`;
  return `once, ${when(spec.run_at)}`;
}

function JobRow({ job, health, on }) {
  const rate = job.stats.success_rate;
  return h('tr', { 'data-job': job.id },
    h('td', null, h('strong', null, job.name), h('br'), h('small', null, job.id)),
    h('td', null, schedule(job.trigger_spec), h('br'), h('small', null, job.trigger)),
    h('td', null, job.paused ? h(Status, { of: 'paused' }) : when(job.next_run_time)),
    h('td', null, job.last_run
      ? [h(Status, { of: job.last_run.status }), ' ', h('small', null, when(job.last_run.started_at))] : '—'),
    h('td', { title: health?.reasons?.join('\n') || '' }, health ? h(Status, { of: health.status }) : '—',
      rate === null ? null : h('small', null, ` ${Math.round(rate * 100)} % ok`)),
    h('td', { class: 'actions' },
      h('button', { onClick: () => on.trigger(job) }, 'Run now'),
      job.paused
        ? h('button', { onClick: () => on.resume(job) }, 'Resume')
        : h('button', { onClick: () => on.pause(job) }, 'Pause'),
      h('button', { onClick: () => on.open(job.id) }, 'Schedule')));
}

/** The jobs with their schedule, next and last run, health and actions, into {@code tbody}. */
export function renderJobs(tbody, jobs, healthOf, on) {
  renderRows(tbody, jobs, (job) => h(JobRow, { job, health: healthOf[job.id], on, key: job.id }), 6, 'No jobs.');
}

/** A job's page: its schedule editor with the preview, and the durations of its last runs. */
export function renderJob(box, job, stats, on) {
  render(h(Fragment, null,
    h('h3', null, job.name, ' ', h('small', null, job.trigger)),
    h(ScheduleEditor, { job, on, key: `${job.id}:${job.trigger}` }),
    h('h4', null, 'Last runs (duration)'),
    h(Durations, { durations: stats.durations }),
    h('button', { onClick: on.close }, 'Close')), box);
}

/**
 * A podcast as a card: its cover (or its initials), title, counts and actions; an admin sees whose subscription a
 * user's podcast is ({@code on.viewer}: the caller's user id, null for the local operator).
 */
function PodcastCard({ podcast, on }) {
  const others = podcast.owner_id !== null && podcast.owner_id !== undefined && podcast.owner_id !== on.viewer;
  const title = podcast.title || podcast.rss_url;
  const initials = title.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join('');
  return h('li', { 'data-podcast': podcast.id, class: 'podcast' },
    h('a', { href: '#podcasts', class: 'open', onClick: () => on.open(podcast.id), 'aria-label': `open ${title}` },
      podcast.cover_url
        ? h('img', { class: 'cover', src: podcast.cover_url, alt: '', width: 160, height: 160, loading: 'lazy' })
        : h('span', { class: 'cover placeholder', 'aria-hidden': 'true' }, initials),
      h('strong', null, title)),
    others ? h('small', { class: 'owner' }, `${podcast.owner}'s subscription`) : null,
    h('small', { class: 'url', title: podcast.rss_url }, podcast.rss_url),
    h('small', null, `${podcast.episode_count ?? '—'} episode${podcast.episode_count === 1 ? '' : 's'} · `
      + `keeps ${podcast.max_episodes_to_keep}`),
    h('small', { class: 'muted' }, `checked ${when(podcast.last_checked)}`),
    podcast.last_error ? h('small', { class: 'status failed' }, podcast.last_error) : null,
    h('span', { class: 'actions' },
      h('button', { onClick: () => on.refresh(podcast.id) }, 'Refresh'),
      h('button', { class: 'danger', onClick: () => on.remove(podcast) }, 'Remove')));
}

/** The podcasts as a grid of covers. */
export function renderPodcasts(list, podcasts, on) {
  render(h(Fragment, null, podcasts.length
    ? podcasts.map((podcast) => h(PodcastCard, { podcast, on, key: podcast.id }))
    : h('li', { class: 'muted' }, 'No podcasts yet: add one by its feed URL.')), list);
}

/** A run's page: what it is, its events, its output (tailing as it is written), retry and close. */
export function renderRun(box, run, events, on) {
  const ended = run.status === 'failed' || run.status === 'cancelled';
  render(h(Fragment, null,
    h('h3', null, `${run.type} `, h(Status, { of: run.status }), ' ', h('small', null, run.id)),
    run.subject ? h('p', { class: 'subject' }, run.subject) : null,
    h('p', null, `attempts ${run.attempts} of ${run.max_attempts} · created ${when(run.created_at)}`
      + (run.duration_ms !== null ? ` · took ${run.duration_ms} ms` : '')),
    run.status === 'running' ? h('div', { class: 'run-progress' }, h(Progress, { run })) : null,
    run.error ? h('p', { class: 'status failed' }, `${run.error.code}: ${run.error.message}`) : null,
    h('h4', null, 'Events'),
    h('ul', { class: 'events' }, events.map((e) => h('li', { class: e.level, key: e.id },
      h('small', null, when(e.at)), ` ${e.level} ${e.context}: ${e.message}`))),
    h('h4', null, 'Output'),
    h('pre', { class: 'output' }, (run.output || []).join('\n') || '(no output)'),
    run.result ? h(Fragment, null, h('h4', null, 'Result'), h('pre', null, JSON.stringify(run.result, null, 2))) : null,
    run.retry_of
      ? h('p', null, 'Retries ', h('a', { href: '#runs', onClick: () => on.open(run.retry_of) }, run.retry_of)) : null,
    ended ? h('button', { onClick: () => on.retry(run.id) }, 'Retry') : null,
    run.status === 'queued' || run.status === 'running'
      ? h('button', { class: 'danger', onClick: () => on.cancel(run.id) }, 'Cancel') : null,
    h('button', { onClick: on.close }, 'Close')), box);
}

function EpisodeRow({ episode: e, on }) {
  const title = e.title || e.guid;
  return h('tr', { 'data-episode': e.id },
    h('td', null, title,
      e.file_path ? h(Fragment, null, h('br'), h('small', null, e.file_path)) : null,
      e.library_media_url ? h(Fragment, null, h('br'), h('audio', { controls: true, preload: 'none',
        src: new URL(e.library_media_url).pathname, 'aria-label': `play ${title}` })) : null),
    h('td', null, when(e.published_at)),
    h('td', null, duration(e.duration_s)),
    h('td', null, h(Status, { of: e.download_status }), e.bytes ? h('small', null, ` ${human(e.bytes)}`) : null),
    h('td', null, h('input', { type: 'checkbox', checked: e.keep, title: 'keep: never removed by cleanup',
      'aria-label': `keep ${title}`, onChange: (ev) => on.keep(e.id, ev.target.checked) })),
    h('td', null, h('button', { onClick: () => on.download(e.id) }, 'Download')));
}

/**
 * A podcast's episodes, into {@code box}: rendering again after a live change keeps each row's elements, so an
 * episode playing goes on playing.
 */
export function renderEpisodes(box, page, on) {
  render(h(Fragment, null,
    h('h3', null, `Episodes (${page.total})`),
    h('div', { class: 'scroll' }, h('table', null,
      h('thead', null, h('tr', null, h('th', null, 'Episode'), h('th', null, 'Published'), h('th', null, 'Length'),
        h('th', null, 'Download'), h('th', null, 'Keep'), h('th', null, ''))),
      h('tbody', null, page.episodes.map((episode) => h(EpisodeRow, { episode, on, key: episode.id }))))),
    h('button', { onClick: on.close }, 'Close')), box);
}

function DownloadRow({ download: d, on }) {
  const p = d.progress ?? {};
  const active = d.run_id && ['pending', 'downloading'].includes(d.status);
  return h('tr', { 'data-run': d.run_id ?? null, 'data-episode': d.episode_id },
    h('td', null, d.episode ?? `episode ${d.episode_id}`,
      d.file_path ? h(Fragment, null, h('br'), h('small', null, d.file_path)) : null),
    h('td', null, d.podcast ?? ''),
    h('td', { class: 'run-status' }, h(Status, { of: d.status }),
      d.error ? h(Fragment, null, h('br'), h('small', null, d.error)) : null),
    h('td', { class: 'run-progress' }, h(Bar, { current: p.bytes_done, total: p.bytes_total,
      done: d.status === 'completed',
      label: p.bytes_total ? `${human(p.bytes_done)} of ${human(p.bytes_total)}` : human(d.bytes) })),
    h('td', { class: 'actions' }, active
      ? h('button', { class: 'danger', onClick: () => on.cancel(d.run_id) }, 'Cancel')
      : h('button', { onClick: () => on.download(d.episode_id) },
        d.status === 'completed' ? 'Download again' : 'Download')));
}

/** The downloads with their bars; a live progress event renders again with only that row's bytes changed. */
export function renderDownloads(tbody, downloads, on) {
  renderRows(tbody, downloads, (download) => h(DownloadRow, { download, on, key: download.episode_id }), 5,
    'Nothing downloading or queued.');
}

/** The alerts, newest first. */
export function renderAlerts(list, alerts) {
  render(h(Fragment, null, alerts.length
    ? alerts.map((a) => h('li', { 'data-alert': a.key, key: a.key },
      h('strong', null, a.subject), h('br'),
      h('small', null, `${a.kind} · seen ${a.count}× · last ${when(a.last_at)}`
        + (a.delivery ? ` · ${Object.entries(a.delivery).map(([k, v]) => `${k}: ${v}`).join(', ')}` : '')),
      h('pre', null, a.message)))
    : h('li', { class: 'muted' }, 'No alerts.')), list);
}
