// The uncut web page: browse and search the archive, add sources or capture
// a link, trace an excerpt and read the report. Talks to the JSON API (docs/api.md) only.
// Everything from the server is put on the page as text, never as markup;
// reports are shown in a sandboxed frame.
'use strict';

const state = {token: '', status: null, report: null, reportHtml: '', offset: 0};

// ---- small helpers --------------------------------------------------------

function $(id) { return document.getElementById(id); }

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c !== null && c !== undefined) node.append(c);
  }
  return node;
}

function show(node, on) { node.hidden = !on; }

function bytes(n) {
  if (n < 1000) return `${n} bytes`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

function authHeaders() {
  return state.token ? {'Authorization': `Bearer ${state.token}`} : {};
}

async function api(path, options = {}) {
  const headers = Object.assign({}, authHeaders(), options.headers || {});
  const res = await fetch(path, Object.assign({}, options, {headers}));
  const type = res.headers.get('Content-Type') || '';
  const body = type.startsWith('application/json') ? await res.json() : await res.text();
  if (!res.ok) {
    const message = body && body.error ? body.error.message : `HTTP ${res.status}`;
    const err = new Error(message);
    err.status = res.status;
    throw err;
  }
  return body;
}

function setError(node, err) {
  node.textContent = err ? String(err.message || err) : '';
  show(node, !!err);
}

function setProgress(box, fraction, label) {
  show(box, true);
  const bar = box.querySelector('.bar');
  if (fraction === null) {
    bar.classList.add('indeterminate');
    bar.style.width = '';
  } else {
    bar.classList.remove('indeterminate');
    bar.style.width = `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)}%`;
  }
  box.querySelector('.label').textContent = label || '';
}

function download(name, type, data) {
  const url = URL.createObjectURL(new Blob([data], {type}));
  const a = el('a', {href: url, download: name});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls a job until it has finished; calls onProgress with each snapshot.
async function waitForJob(id, onProgress) {
  for (let delay = 150; ; delay = Math.min(1000, delay * 1.5)) {
    const job = await api(`/api/jobs/${id}`);
    if (onProgress) onProgress(job);
    if (job.state === 'succeeded') return job;
    if (job.state === 'failed') {
      const err = new Error(job.error ? job.error.message : 'the job failed');
      err.job = job;  // its result may say more (an add's failures, file by file)
      throw err;
    }
    await sleep(delay);
  }
}

// ---- token ----------------------------------------------------------------

function takeTokenFromUrl() {
  const m = /(?:^|[#&])token=([0-9a-f]{32,128})/.exec(location.hash);
  if (m) {
    localStorage.setItem('uncut-token', m[1]);
    history.replaceState(null, '', location.pathname + location.search);
  }
  state.token = localStorage.getItem('uncut-token') || '';
}

async function refreshStatus() {
  try {
    state.status = await api('/api/status');
  } catch (err) {
    $('token-state').textContent = `server unreachable: ${err.message}`;
    return;
  }
  const s = state.status;
  $('footer').textContent = `uncut ${s.version}`;
  $('token-state').textContent = s.token_valid ? 'token accepted' :
      (state.token ? 'token not accepted' :
          (s.read_requires_token ? 'a token is needed' : 'read-only without a token'));
  $('token-form').classList.toggle('ok', s.token_valid);
  const clips = s.trace_kinds.includes('video') || s.trace_kinds.includes('audio');
  $('trace-clip').disabled = !clips;
  show($('clip-note'), !clips);
}

// ---- tabs -----------------------------------------------------------------

function selectTab(name) {
  for (const b of document.querySelectorAll('.tabs button')) {
    b.setAttribute('aria-selected', String(b.dataset.tab === name));
  }
  for (const t of document.querySelectorAll('.tab')) show(t, t.id === `tab-${name}`);
  if (name === 'archive') loadItems(true);
  if (name === 'jobs') loadJobs();
}

// ---- tracing --------------------------------------------------------------

function sentencesOf(report) {
  const lines = (report.summary || []).slice();
  for (const s of report.sources) {
    const segs = s.segments.length;
    const cuts = s.intervals.filter((i) => i.role === 'cut').length;
    lines.push(`${s.item.name}: ${segs} matched segment${segs === 1 ? '' : 's'}, ` +
               `${cuts} cut${cuts === 1 ? '' : 's'}, ${s.verdict.replace(/_/g, ' ')}`);
  }
  return lines;
}

async function showReport(job) {
  const report = job.result;
  state.report = report;
  state.reportHtml = await api(`/api/jobs/${job.id}/report.html`);
  const summary = $('trace-summary');
  summary.replaceChildren(
      el('p', {class: `verdict ${report.verdict}`, text: report.verdict.replace(/_/g, ' ')}),
      el('ul', {}, ...sentencesOf(report).map((t) => el('li', {text: t}))));
  if (report.saved_trace) {
    summary.append(el('p', {class: 'muted', text: `Kept in the archive as trace ${report.saved_trace}.`}));
  }
  $('report-frame').srcdoc = state.reportHtml;
  show($('trace-result'), true);
}

async function onTrace(event) {
  event.preventDefault();
  const button = $('trace-button');
  setError($('trace-error'), null);
  show($('trace-result'), false);
  button.disabled = true;
  try {
    const clip = $('trace-clip').files[0];
    let job;
    if (clip) {
      // A clip goes up as a form; the browser sets the multipart boundary.
      setProgress($('trace-progress'), null, `uploading and tracing ${clip.name}…`);
      const form = new FormData();
      form.append('context', $('trace-context').value);
      form.append('save', String($('trace-save').checked));
      form.append('clip', clip, clip.name);
      job = await api('/api/trace?wait=20', {method: 'POST', body: form});
    } else {
      setProgress($('trace-progress'), null, 'tracing…');
      const body = JSON.stringify({
        text: $('trace-text').value,
        context: Number($('trace-context').value),
        save: $('trace-save').checked,
      });
      job = await api('/api/trace?wait=20', {
        method: 'POST', body, headers: {'Content-Type': 'application/json'}});
    }
    if (job.state !== 'succeeded' && job.state !== 'failed') {
      job = await waitForJob(job.id, (j) => setProgress($('trace-progress'), null, j.progress.stage));
    }
    if (job.state === 'failed') throw new Error(job.error.message);
    await showReport(job);
  } catch (err) {
    setError($('trace-error'), err);
  } finally {
    show($('trace-progress'), false);
    button.disabled = false;
  }
}

// ---- the archive ----------------------------------------------------------

function itemLine(item) {
  const meta = [item.kind, item.format, bytes(item.size)];
  if (item.captured_at) meta.push(`captured ${item.captured_at}`);
  meta.push(`added ${item.added_at}`);
  const li = el('li', {class: 'item', 'data-id': String(item.id)},
      el('button', {class: 'link', type: 'button', text: item.name,
                    onclick: () => showItem(item.id)}),
      item.title ? el('span', {class: 'title', text: item.title}) : null,
      el('span', {class: 'muted', text: meta.join(' · ')}),
      item.source_url ? el('span', {class: 'url', text: item.source_url}) : null,
      item.snippet ? snippetLine(item.snippet) : null,
      el('code', {class: 'sha', text: item.sha256.slice(0, 16)}));
  if (item.kind === 'video') addThumbnail(li, item.id);
  return li;
}

// Where the search's words are in the item's text, the words marked.
function snippetLine(parts) {
  return el('span', {class: 'snippet'},
      ...parts.map((p) => (p.hit ? el('mark', {text: p.text}) : document.createTextNode(p.text))));
}

async function addThumbnail(li, id) {
  try {
    const res = await fetch(`/api/items/${id}/thumbnail`, {headers: authHeaders()});
    if (!res.ok) return;
    const url = URL.createObjectURL(await res.blob());
    li.prepend(el('img', {class: 'thumb', src: url, alt: ''}));
  } catch (err) { /* no thumbnail */ }
}

async function loadItems(fresh) {
  if (fresh) {
    state.offset = 0;
    $('items').replaceChildren();
  }
  const q = encodeURIComponent($('search-q').value);
  const kind = encodeURIComponent($('search-kind').value);
  try {
    const page = await api(`/api/items?q=${q}&kind=${kind}&offset=${state.offset}&limit=50`);
    for (const item of page.items) $('items').append(itemLine(item));
    state.offset += page.items.length;
    $('items-count').textContent = `${page.total} item${page.total === 1 ? '' : 's'}`;
    show($('items-more'), state.offset < page.total);
  } catch (err) {
    $('items-count').textContent = err.message;
  }
}

async function showItem(id) {
  const box = $('item-detail');
  let item;
  try {
    item = await api(`/api/items/${id}`);
  } catch (err) {
    box.replaceChildren(el('p', {class: 'error', text: err.message}));
    show(box, true);
    return;
  }
  const rows = [['id', item.id], ['SHA-256', item.sha256], ['kind', `${item.kind} (${item.format})`],
                ['size', bytes(item.size)], ['title', item.title], ['source URL', item.source_url],
                ['captured', item.captured_at], ['added', item.added_at], ['note', item.note]];
  const dl = el('dl');
  for (const [k, v] of rows) {
    if (v === null || v === undefined || v === '') continue;
    dl.append(el('dt', {text: k}), el('dd', {text: String(v)}));
  }
  const traces = el('ul');
  for (const t of item.saved_traces) {
    traces.append(el('li', {}, el('button', {class: 'link', type: 'button',
        text: `trace ${t.id} · ${t.traced_at} · ${t.verdict.replace(/_/g, ' ')}`,
        onclick: () => openSavedTrace(t.id)})));
  }
  // replaceChildren, unlike el(), would show a null child as the text "null".
  box.replaceChildren(
      el('h2', {text: item.name}), dl,
      el('div', {class: 'actions'},
          el('button', {type: 'button', text: 'Download original',
                        onclick: () => downloadOriginal(item)}),
          el('button', {type: 'button', class: 'danger', text: 'Remove from the archive',
                        onclick: () => removeItem(item)})),
      ...(item.saved_traces.length ? [el('h3', {text: 'Traces that found it'}), traces] : []));
  show(box, true);
  box.scrollIntoView({behavior: 'smooth', block: 'nearest'});
}

async function downloadOriginal(item) {
  const res = await fetch(`/api/items/${item.id}/original`, {headers: authHeaders()});
  if (!res.ok) return alert(`Download failed: HTTP ${res.status}`);
  download(item.name, 'application/octet-stream', await res.blob());
}

async function openSavedTrace(id) {
  try {
    const html = await api(`/api/traces/${id}.html`);
    state.reportHtml = html;
    $('report-frame').srcdoc = html;
    $('trace-summary').replaceChildren(el('p', {text: `Saved trace ${id}`}));
    show($('trace-result'), true);
    selectTab('trace');
  } catch (err) {
    alert(err.message);
  }
}

async function removeItem(item) {
  if (!confirm(`Remove ${item.name} (item ${item.id}) from the archive?`)) return;
  try {
    const job = await api(`/api/items/${item.id}`, {method: 'DELETE'});
    await waitForJob(job.id);
    show($('item-detail'), false);
    loadItems(true);
  } catch (err) {
    alert(err.message);
  }
}

// ---- adding sources -------------------------------------------------------

function capturedAt() {
  const v = $('add-captured').value;
  if (!v) return '';
  return new Date(v).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function upload(form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/items');
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.lengthComputable ? e.loaded / e.total : null);
    xhr.onerror = () => reject(new Error('the upload failed'));
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new Error(body && body.error ? body.error.message : `HTTP ${xhr.status}`));
    };
    xhr.send(form);
  });
}

// Every file's outcome: added, already archived, or why not.
function showAddResult(r) {
  const result = $('add-result');
  for (const it of r.added || []) {
    result.append(el('li', {class: 'ok', text: `added: ${it.name} (item ${it.id})`}));
  }
  for (const it of r.existing || []) {
    result.append(el('li', {text: `already archived: ${it.name} (item ${it.id})`}));
  }
  for (const f of r.failed || []) {
    const why = f.error.startsWith(`${f.name}:`) ? f.error : `${f.name}: ${f.error}`;
    result.append(el('li', {class: 'error', text: `not added: ${why}`}));
  }
}

async function onAdd(event) {
  event.preventDefault();
  const files = $('add-files').files;
  const result = $('add-result');
  result.replaceChildren();
  setError($('add-error'), null);
  if (!files.length) return setError($('add-error'), new Error('choose at least one file'));
  const form = new FormData();
  for (const [field, id] of [['source_url', 'add-url'], ['title', 'add-title'], ['note', 'add-note']]) {
    if ($(id).value) form.append(field, $(id).value);
  }
  if (capturedAt()) form.append('captured_at', capturedAt());
  for (const f of files) form.append('file', f, f.name);
  $('add-button').disabled = true;
  try {
    const job = await upload(form, (f) => setProgress($('add-progress'), f, 'uploading…'));
    const done = await waitForJob(job.id, (j) => {
      const p = j.progress;
      setProgress($('add-progress'), p.total ? p.done / p.total : null, p.stage);
    });
    showAddResult(done.result);
    $('add-form').reset();
  } catch (err) {
    setError($('add-error'), err);
    if (err.job && err.job.result) showAddResult(err.job.result);
  } finally {
    show($('add-progress'), false);
    $('add-button').disabled = false;
  }
}

// ---- capturing a link -----------------------------------------------------

// The items a capture made (or found already archived), and its warnings.
function showCaptureResult(r) {
  const result = $('capture-result');
  for (const it of r.items || []) {
    const what = `${it.role}${it.title ? ` "${it.title}"` : ''} (item ${it.id}, ${it.tool})`;
    const li = el('li', {class: it.existed ? '' : 'ok',
                         text: `${it.existed ? 'already archived' : 'captured'}: ${what}`});
    li.append(' ', el('button', {class: 'link', type: 'button', text: 'show',
                                 onclick: () => { selectTab('archive'); showItem(it.id); }}));
    result.append(li);
  }
  for (const w of r.warnings || []) result.append(el('li', {class: 'muted', text: `warning: ${w}`}));
}

async function onCapture(event) {
  event.preventDefault();
  const url = $('capture-url').value.trim();
  $('capture-result').replaceChildren();
  setError($('capture-error'), null);
  $('capture-button').disabled = true;
  setProgress($('capture-progress'), null, `capturing ${url}…`);
  try {
    const job = await api('/api/captures', {
      method: 'POST', body: JSON.stringify({url}), headers: {'Content-Type': 'application/json'}});
    const done = await waitForJob(job.id, (j) => setProgress($('capture-progress'), null, j.progress.stage));
    showCaptureResult(done.result);
    $('capture-form').reset();
  } catch (err) {
    setError($('capture-error'), err);
  } finally {
    show($('capture-progress'), false);
    $('capture-button').disabled = false;
  }
}

// ---- jobs -----------------------------------------------------------------

async function loadJobs() {
  try {
    const {jobs} = await api('/api/jobs');
    $('jobs').replaceChildren(...jobs.map((j) => {
      const p = j.progress;
      const pct = p.total ? ` ${Math.round(100 * p.done / p.total)}%` : '';
      return el('li', {class: `job ${j.state}`},
          el('b', {text: `${j.kind} · ${j.state}${pct}`}),
          el('span', {class: 'muted', text: ` ${p.stage || ''} · ${j.created_at}`}),
          j.error ? el('div', {class: 'error', text: j.error.message}) : null);
    }));
  } catch (err) {
    $('jobs').replaceChildren(el('li', {class: 'error', text: err.message}));
  }
}

// ---- start ----------------------------------------------------------------

function start() {
  takeTokenFromUrl();
  $('token-input').value = state.token;
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.token = $('token-input').value.trim();
    localStorage.setItem('uncut-token', state.token);
    refreshStatus();
  });
  for (const b of document.querySelectorAll('.tabs button')) {
    b.addEventListener('click', () => selectTab(b.dataset.tab));
  }
  $('trace-form').addEventListener('submit', onTrace);
  // With a clip chosen, the clip is traced and the text box is not needed.
  $('trace-clip').addEventListener('change', () => {
    $('trace-text').required = !$('trace-clip').files.length;
  });
  $('search-form').addEventListener('submit', (e) => { e.preventDefault(); loadItems(true); });
  $('items-more').addEventListener('click', () => loadItems(false));
  $('add-form').addEventListener('submit', onAdd);
  $('capture-form').addEventListener('submit', onCapture);
  $('jobs-refresh').addEventListener('click', loadJobs);
  $('report-html').addEventListener('click',
      () => download('uncut-report.html', 'text/html', state.reportHtml));
  $('report-json').addEventListener('click',
      () => download('uncut-report.json', 'application/json', JSON.stringify(state.report, null, 2)));
  $('report-open').addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([state.reportHtml], {type: 'text/html'}));
    window.open(url, '_blank', 'noopener');
  });
  refreshStatus();
}

document.addEventListener('DOMContentLoaded', start);
