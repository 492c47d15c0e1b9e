'use strict';

// The Castbus dashboard: the HTTP API, rendered; live through the /api/events stream (no polling).
// It logs in by trading an API key for an HttpOnly session cookie (POST /api/session); the key is not kept, and
// state-changing requests carry the session's CSRF token.

const state = { csrf: null, user: null, tab: 'jobs', runFilter: {}, runDetail: null, jobDetail: null, runs: [], selected: new Set(), episodesOf: null,
  downloads: [], refreshTimer: null };
// Earlier versions kept the raw key here.
localStorage.removeItem('castbus.key');

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'className') node.className = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function headers(method, extra = {}) {
  return method !== 'GET' && state.csrf ? { 'X-CSRF-Token': state.csrf, ...extra } : extra;
}

async function api(method, path, body, contentType = 'application/json') {
  const init = { method, headers: headers(method, body === undefined ? {} : { 'Content-Type': contentType }) };
  if (body !== undefined) init.body = contentType === 'application/json' ? JSON.stringify(body) : body;
  const response = await fetch(path, init);
  const text = await response.text();
  const json = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null;
  if (response.status === 401) {
    showLogin();
    throw new Error(json?.message || 'an API key is needed');
  }
  if (!response.ok) throw new Error(json?.message || `${method} ${path} answered ${response.status}`);
  return json ?? text;
}

function notify(message, info = false) {
  const box = document.getElementById('notice');
  box.textContent = message;
  box.className = info ? 'notice info' : 'notice';
  box.hidden = false;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => { box.hidden = true; }, info ? 4000 : 10000);
}

async function act(action, done) {
  try {
    const result = await action();
    if (done) notify(done, true);
    await load();
    return result;
  } catch (e) {
    notify(e.message);
  }
}

// The views are Preact components (views.js); they render into the containers given here.
const views = import('/ui/views.js');

// Jobs: schedule, next run, last status, health; pause, resume, trigger.

async function loadJobs() {
  const [jobs, health, v] = await Promise.all([api('GET', '/api/jobs'), api('GET', '/api/health/jobs'), views]);
  v.renderJobs(document.querySelector('#jobs tbody'), jobs.jobs, Object.fromEntries(health.jobs.map((j) => [j.id, j])), {
    trigger: (job) => act(() => api('POST', `/api/jobs/${job.id}/trigger`), `${job.name} triggered`),
    pause: (job) => act(() => api('POST', `/api/jobs/${job.id}/pause`), `${job.name} paused`),
    resume: (job) => act(() => api('POST', `/api/jobs/${job.id}/resume`), `${job.name} resumed`),
    open: showJob,
  });
  if (state.jobDetail) await showJob(state.jobDetail, false);
}


async function showJob(id, scroll = true) {
  state.jobDetail = id;
  const [job, stats, v] = await Promise.all([api('GET', `/api/jobs/${id}?preview=5`),
    api('GET', `/api/jobs/${id}/stats`), views]);
  const box = document.getElementById('job-detail');
  v.renderJob(box, job, stats, {
    preview: (job, trigger) => api('POST', `/api/jobs/${job}/preview`, { trigger, count: 5 }),
    save: async (job, trigger) => {
      if (await act(() => api('PUT', `/api/jobs/${job}`, { trigger }), 'Schedule saved')) showJob(job, false);
    },
    close: () => { state.jobDetail = null; box.hidden = true; },
  });
  box.hidden = false;
  if (scroll) box.scrollIntoView({ behavior: 'smooth' });
}

// Runs: live status and progress, filter, cancel, output and events of one run.
async function loadRuns() {
  const query = new URLSearchParams({ limit: '50', ...activeFilter() });
  const page = await api('GET', `/api/runs?${query}`);
  state.runs = page.runs;
  await drawRuns();
  if (state.runDetail) await showRun(state.runDetail, false);
}

/** The run filter's fields that are set. */
function activeFilter() {
  return Object.fromEntries(Object.entries(state.runFilter).filter(([, v]) => v));
}

/** Draws the runs already fetched (again after a live change or a selection). */
async function drawRuns() {
  const shown = new Set(state.runs.map((r) => r.id));
  for (const id of state.selected) if (!shown.has(id)) state.selected.delete(id);
  (await views).renderRuns(document.querySelector('#runs tbody'), state.runs, {
    selected: state.selected,
    open: showRun,
    cancel: (id) => act(() => api('POST', `/api/runs/${id}/cancel`), 'Cancel requested'),
    toggle: (id) => {
      if (!state.selected.delete(id)) state.selected.add(id);
      drawRuns();
    },
  });
  const all = document.getElementById('select-all-runs');
  all.checked = state.runs.length > 0 && state.selected.size === state.runs.length;
  document.getElementById('bulk-scope').textContent = state.selected.size
    ? `The ${state.selected.size} selected:` : 'Every run matching:';
}

async function showRun(id, scroll = true) {
  state.runDetail = id;
  const [run, events, v] = await Promise.all([api('GET', `/api/runs/${id}`), api('GET', `/api/runs/${id}/events`),
    views]);
  const box = document.getElementById('run-detail');
  v.renderRun(box, run, events.events, {
    open: showRun,
    retry: async (old) => {
      const retried = await act(() => api('POST', `/api/runs/${old}/retry`), 'Retry queued');
      if (retried) showRun(retried.run_id);
    },
    cancel: (active) => act(() => api('POST', `/api/runs/${active}/cancel`), 'Cancel requested'),
    close: () => { state.runDetail = null; box.hidden = true; },
  });
  box.hidden = false;
  if (scroll) box.scrollIntoView({ behavior: 'smooth' });
}

// Podcasts: add by URL, OPML import and export, episodes with download state and keep flag.
async function loadPodcasts() {
  const [list, me, v] = await Promise.all([api('GET', '/api/podcasts'), api('GET', '/api/me'), views]);
  showLibraryFeed(me.library_feed_url);
  v.renderPodcasts(document.getElementById('podcast-grid'), list.podcasts, {
    viewer: me.id,
    open: showEpisodes,
    refresh: (id) => act(() => api('POST', `/api/podcasts/${id}/refresh`), 'Refresh queued'),
    remove: (p) => confirm(`Remove ${p.title || p.rss_url}? Files are kept.`)
      && act(() => api('DELETE', `/api/podcasts/${p.id}`), 'Podcast removed'),
  });
  if (state.episodesOf) await showEpisodes(state.episodesOf, false);
}

async function showEpisodes(podcastId, scroll = true) {
  state.episodesOf = podcastId;
  const [page, v] = await Promise.all([api('GET', `/api/podcasts/${podcastId}/episodes?limit=100`), views]);
  const fresh = await settingsForm(podcastId, page.episodes);
  // Looked at only now, after the awaits: edits made while this refresh was fetching are kept too.
  const open = document.getElementById('podcast-settings');
  const form = open?.dataset.dirty && open.dataset.podcast === String(podcastId) ? open : fresh;
  const box = document.getElementById('episodes');
  let [slot, list] = box.children;
  if (!list) {
    slot = el('div');
    list = el('div', { className: 'episode-list' });
    box.replaceChildren(slot, list);
  }
  // Everything fetched first, then drawn at once: two refreshes racing each other leave one page, not two halves.
  if (slot.firstChild !== form) slot.replaceChildren(form);
  v.renderEpisodes(list, page, {
    keep: (id, keep) => act(() => api('PUT', `/api/episodes/${id}`, { keep })),
    download: (id) => act(() => api('POST', `/api/episodes/${id}/download`), 'Download queued'),
    close: () => { state.episodesOf = null; box.hidden = true; },
  });
  list.dataset.drawn = String(Number(list.dataset.drawn || 0) + 1);
  box.hidden = false;
  if (scroll) box.scrollIntoView({ behavior: 'smooth' });
}

// A podcast's settings: retention, filters (with a preview of which known episodes they let in), refresh interval,
// a private feed's credentials; and the back catalogue.
async function settingsForm(podcastId, episodes) {
  const p = await api('GET', `/api/podcasts/${podcastId}`);
  const r = p.retention ?? { mode: 'newest', count: p.max_episodes_to_keep ?? 5 };
  const f = p.filters ?? {};
  const field = (label, input) => el('label', {}, label, ' ', input);
  // Edits not yet saved mark the form: a live refresh of the tab keeps it as it is (see showEpisodes).
  const form = el('form', { id: 'podcast-settings', className: 'settings', 'data-podcast': podcastId,
    oninput: () => { form.dataset.dirty = 'yes'; }, onchange: () => { form.dataset.dirty = 'yes'; } },
    el('h3', {}, `Settings of ${p.title || p.rss_url}`),
    field('keep', el('select', { name: 'mode' }, ['newest', 'days', 'all'].map((m) =>
      el('option', { value: m, selected: r.mode === m }, { newest: 'the newest', days: 'the last days', all: 'everything' }[m])))),
    field('how many / days', el('input', { name: 'amount', type: 'number', min: 1, max: 36500,
      value: r.mode === 'days' ? r.days : r.count ?? 5 })),
    field('title must match', el('input', { name: 'title_include', value: f.title_include ?? '', maxlength: 200 })),
    field('title must not match', el('input', { name: 'title_exclude', value: f.title_exclude ?? '', maxlength: 200 })),
    field('at least (min)', el('input', { name: 'min_minutes', type: 'number', min: 0, max: 1440,
      value: f.min_duration_s == null ? '' : Math.round(f.min_duration_s / 60) })),
    field('at most (min)', el('input', { name: 'max_minutes', type: 'number', min: 0, max: 1440,
      value: f.max_duration_s == null ? '' : Math.round(f.max_duration_s / 60) })),
    field('published after', el('input', { name: 'published_after', type: 'date',
      value: f.published_after ? f.published_after.slice(0, 10) : '' })),
    field('refresh every (min)', el('input', { name: 'refresh_minutes', type: 'number', min: 5,
      value: p.refresh_interval_s == null ? '' : Math.round(p.refresh_interval_s / 60), placeholder: 'default' })),
    field('feed user', el('input', { name: 'username', value: p.auth?.username ?? '', autocomplete: 'off' })),
    field('feed password', el('input', { name: 'password', type: 'password', autocomplete: 'new-password',
      placeholder: p.auth?.password_set ? '(set; type to change)' : '' })),
    el('p', { id: 'filter-preview', className: 'muted' }),
    el('button', {}, 'Save settings'),
    el('button', { type: 'button', onclick: () => act(() => api('POST', `/api/podcasts/${podcastId}/download-all`, {}),
      'The back catalogue is queued') }, 'Download all'));
  const preview = () => {
    const data = new FormData(form);
    let include;
    let exclude;
    try {
      include = data.get('title_include') ? new RegExp(data.get('title_include'), 'i') : null;
      exclude = data.get('title_exclude') ? new RegExp(data.get('title_exclude'), 'i') : null;
    } catch (e) {
      form.querySelector('#filter-preview').textContent = `Not a valid pattern: ${e.message}`;
      return;
    }
    const min = data.get('min_minutes') === '' ? null : Number(data.get('min_minutes')) * 60;
    const max = data.get('max_minutes') === '' ? null : Number(data.get('max_minutes')) * 60;
    const after = data.get('published_after') ? Date.parse(data.get('published_after')) : null;
    const kept = episodes.filter((e) => (!include || include.test(e.title ?? ''))
      && !(exclude && exclude.test(e.title ?? ''))
      && !(min != null && e.duration_s != null && e.duration_s < min)
      && !(max != null && e.duration_s != null && e.duration_s > max)
      && !(after != null && e.published_at && Date.parse(e.published_at) < after));
    form.querySelector('#filter-preview').textContent =
      `These filters let in ${kept.length} of the ${episodes.length} episodes shown` +
      (kept.length ? `: ${kept.slice(0, 3).map((e) => e.title).join(', ')}${kept.length > 3 ? ', …' : ''}` : '');
  };
  form.addEventListener('input', preview);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const amount = Number(data.get('amount'));
    const mode = data.get('mode');
    const filters = {};
    for (const k of ['title_include', 'title_exclude']) if (data.get(k)) filters[k] = data.get(k);
    if (data.get('min_minutes') !== '') filters.min_duration_s = Number(data.get('min_minutes')) * 60;
    if (data.get('max_minutes') !== '') filters.max_duration_s = Number(data.get('max_minutes')) * 60;
    if (data.get('published_after')) filters.published_after = `${data.get('published_after')}T00:00:00Z`;
    const body = {
      retention: mode === 'newest' ? { mode, count: amount } : mode === 'days' ? { mode, days: amount } : { mode },
      filters,
      refresh_interval_s: data.get('refresh_minutes') === '' ? null : Number(data.get('refresh_minutes')) * 60,
    };
    if (data.get('username') && data.get('password')) {
      body.auth = { username: data.get('username'), password: data.get('password') };
    } else if (!data.get('username') && p.auth) {
      body.auth = null;
    }
    delete form.dataset.dirty;
    act(() => api('PUT', `/api/podcasts/${podcastId}`, body), 'Settings saved');
  });
  preview();
  return form;
}

// Podcast search as you type: a result is added in one click.
let searchTimer = null;
document.getElementById('podcast-search').addEventListener('input', (ev) => {
  clearTimeout(searchTimer);
  const q = ev.target.value.trim();
  const list = document.getElementById('search-results');
  if (q.length < 2) {
    list.hidden = true;
    return;
  }
  searchTimer = setTimeout(async () => {
    try {
      const found = await api('GET', `/api/search/podcasts?q=${encodeURIComponent(q)}&limit=10`);
      list.replaceChildren(...found.results.map((r) => el('li', {},
        el('strong', {}, r.title ?? r.feed_url), r.author ? ` — ${r.author}` : '',
        r.episode_count != null ? el('small', {}, ` ${r.episode_count} episodes`) : '',
        el('button', { type: 'button', onclick: () => act(() => api('POST', '/api/podcasts', { rss_url: r.feed_url }),
          'Podcast added') }, 'Add'))),
        ...found.errors.map((e) => el('li', { className: 'muted' }, `${e.source}: ${e.message}`)));
      if (!found.results.length && !found.errors.length) {
        list.replaceChildren(el('li', { className: 'muted' }, 'Nothing found'));
      }
      list.hidden = false;
    } catch (e) {
      list.replaceChildren(el('li', { className: 'status failed' }, e.message));
      list.hidden = false;
    }
  }, 300);
});

// The user's library as a feed for a podcast app: the address, a copy button, and a new token on demand.
function showLibraryFeed(url) {
  const box = document.getElementById('library-feed');
  box.hidden = !url;
  document.getElementById('library-feed-url').value = url ?? '';
}

document.getElementById('copy-feed').addEventListener('click', async () => {
  const input = document.getElementById('library-feed-url');
  try {
    await navigator.clipboard.writeText(input.value);
    notify('Feed address copied: paste it into your podcast app', true);
  } catch (e) {
    input.select();
    notify('Press Ctrl+C (or ⌘C) to copy the selected address', true);
  }
});

document.getElementById('new-feed-token').addEventListener('click', () => {
  if (!confirm('Make a new feed address? Podcast apps subscribed to the old one stop receiving episodes.')) return;
  act(() => api('POST', '/api/me/feed-token'), 'New feed address made; the old one no longer works');
});

// Downloads: live progress.
async function loadDownloads() {
  const [page, v] = await Promise.all([api('GET', '/api/downloads'), views]);
  state.downloads = page.downloads;
  drawDownloads(v);
}

function drawDownloads(v) {
  v.renderDownloads(document.querySelector('#downloads tbody'), state.downloads, {
    cancel: (run) => act(() => api('POST', `/api/runs/${run}/cancel`), 'Cancel requested'),
    download: (episode) => act(() => api('POST', `/api/episodes/${episode}/download`), 'Download queued'),
  });
}

// Alerts.
async function loadAlerts() {
  const [page, v] = await Promise.all([api('GET', '/api/alerts?limit=100'), views]);
  v.renderAlerts(document.querySelector('#alerts ul'), page.alerts);
  await countAlerts(page);
}

async function countAlerts(page) {
  const alerts = page ?? await api('GET', '/api/alerts?limit=100');
  const day = Date.now() - 24 * 3600 * 1000;
  const recent = alerts.alerts.filter((a) => new Date(a.last_at).getTime() > day).length;
  const badge = document.getElementById('alert-count');
  badge.textContent = recent;
  badge.hidden = recent === 0;
}

// Run types: counts, workers, pause and resume across the cluster, the cluster-wide cap.
async function loadTypes() {
  const [answer, v] = await Promise.all([api('GET', '/api/run-types'), views]);
  v.renderRunTypes(document.querySelector('#types tbody'), answer.run_types, {
    open: showType,
    pause: (type) => act(() => api('POST', `/api/run-types/${type}/pause`), `${type} paused`),
    resume: (type) => act(() => api('POST', `/api/run-types/${type}/resume`), `${type} resumed`),
    cap: (type, concurrency) => act(() => api('PUT', `/api/run-types/${type}`, { concurrency }),
      `${type}: cap ${concurrency ?? 'back to the default'}`),
  });
}

async function showType(type) {
  const [stats, v] = await Promise.all([api('GET', `/api/run-types/${type}/stats`), views]);
  const box = document.getElementById('type-detail');
  v.renderRunType(box, type, stats, () => { box.hidden = true; });
  box.hidden = false;
}

const loaders = { jobs: loadJobs, runs: loadRuns, types: loadTypes, podcasts: loadPodcasts, downloads: loadDownloads, alerts: loadAlerts };

async function load() {
  try {
    await loaders[state.tab]();
  } catch (e) {
    notify(e.message);
  }
}

function refreshSoon() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(load, 250);
}

function showTab() {
  state.tab = loaders[location.hash.slice(1)] ? location.hash.slice(1) : 'jobs';
  for (const section of document.querySelectorAll('main > section')) section.hidden = section.id !== state.tab;
  for (const link of document.querySelectorAll('nav a')) link.classList.toggle('active', link.dataset.tab === state.tab);
  load();
}

function showLogin() {
  state.csrf = null;
  state.user = null;
  showUser();
  document.getElementById('login').hidden = false;
}

function showUser() {
  const who = document.getElementById('who');
  who.textContent = state.user ? state.user.name : '';
  who.hidden = !state.user;
  document.getElementById('logout').hidden = !state.csrf;
}

// Who the page acts as: a session (with its CSRF token), or the local operator under AUTH_MODE=local-open.
async function whoAmI() {
  try {
    const session = await api('GET', '/api/session');
    state.user = session.user;
    state.csrf = session.csrf_token;
    showUser();
  } catch (e) {
    // the login form is showing
  }
}

// The live stream, read with fetch so the API key can go in a header; reconnects with Last-Event-ID.
async function live() {
  const indicator = document.getElementById('live');
  let lastId = null;
  for (;;) {
    try {
      const response = await fetch('/api/events', { headers: lastId ? { 'Last-Event-ID': lastId } : {} });
      if (response.status === 401) { showLogin(); throw new Error('unauthorized'); }
      if (!response.ok) throw new Error(`stream answered ${response.status}`);
      indicator.textContent = 'live';
      indicator.classList.add('on');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = { type: 'message', data: '' };
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event.type = line.slice(6).trim();
            else if (line.startsWith('data:')) event.data += line.slice(5).trim();
            else if (line.startsWith('id:')) lastId = line.slice(3).trim();
          }
          if (event.data) onEvent(event.type, JSON.parse(event.data));
        }
      }
    } catch (e) {
      // reconnect below
    }
    indicator.textContent = 'reconnecting…';
    indicator.classList.remove('on');
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

function onEvent(type, data) {
  if (type === 'progress') {
    showProgress(data);
    return;
  }
  if (type === 'alert') {
    if (state.tab === 'alerts') refreshSoon(); else countAlerts().catch(() => {});
    return;
  }
  refreshSoon();
}

/** A run's progress, into the row that shows it: the runs list's or the downloads'. */
function showProgress(data) {
  const run = state.tab === 'runs' && state.runs.find((r) => r.id === data.run_id);
  if (run) {
    run.progress = data.progress;
    drawRuns();
    return;
  }
  const download = state.tab === 'downloads' && state.downloads.find((d) => d.run_id === data.run_id);
  if (download && data.progress) {
    download.progress = { ...download.progress, bytes_done: data.progress.current, bytes_total: data.progress.total };
    views.then(drawDownloads);
  }
}

document.getElementById('login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const form = ev.target;
  try {
    const session = await api('POST', '/api/session', { api_key: new FormData(form).get('key').trim() });
    state.user = session.user;
    state.csrf = session.csrf_token;
    form.reset();
    form.hidden = true;
    showUser();
    load();
    countAlerts().catch(() => {});
  } catch (e) {
    notify(e.message);
  }
});

document.getElementById('logout').addEventListener('click', async () => {
  try {
    await api('DELETE', '/api/session');
  } catch (e) {
    // ended already
  }
  showLogin();
  for (const body of document.querySelectorAll('main tbody')) body.replaceChildren();
});

document.getElementById('run-filter').addEventListener('submit', (ev) => {
  ev.preventDefault();
  state.runFilter = Object.fromEntries(new FormData(ev.target));
  load();
});

document.getElementById('select-all-runs').addEventListener('change', (ev) => {
  state.selected = new Set(ev.target.checked ? state.runs.map((r) => r.id) : []);
  drawRuns();
});

for (const button of document.querySelectorAll('#run-bulk button')) {
  button.addEventListener('click', async () => {
    const action = button.dataset.bulk;
    const chosen = [...state.selected];
    const filter = chosen.length ? { ids: chosen } : activeFilter();
    const what = chosen.length ? `the ${chosen.length} selected runs` : `every run matching ${JSON.stringify(filter)}`;
    if (!window.confirm(`${action} ${what}?`)) return;
    notify(`${action}: under way…`, true);
    const done = await act(() => api('POST', '/api/runs/bulk', { action, filter }));
    if (done) {
      state.selected.clear();
      notify(`${action}: ${done.done} of ${done.matched} matched runs done, ${done.skipped} skipped`, true);
    }
  });
}

document.getElementById('add-podcast').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const form = new FormData(ev.target);
  act(() => api('POST', '/api/podcasts', { rss_url: form.get('rss_url').trim(),
    max_episodes_to_keep: Number(form.get('max_episodes_to_keep')), auto_download: form.get('auto_download') === 'on' }),
  'Podcast added').then((p) => p && ev.target.reset());
});

document.getElementById('import-opml').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const file = ev.target.file.files[0];
  if (!file) return notify('Choose an OPML file first.');
  const result = await act(() => api('POST', '/api/podcasts/import', file, 'text/xml'));
  if (result) notify(`Imported: ${JSON.stringify(result)}`, true);
});

document.getElementById('export-opml').addEventListener('click', async (ev) => {
  ev.preventDefault();
  try {
    const opml = await api('GET', '/api/podcasts/export');
    const link = el('a', { href: URL.createObjectURL(new Blob([opml], { type: 'text/xml' })), download: 'castbus.opml' });
    link.click();
  } catch (e) {
    notify(e.message);
  }
});

window.addEventListener('hashchange', showTab);
whoAmI();
showTab();
countAlerts().catch(() => {});
live();
