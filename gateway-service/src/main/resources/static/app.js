// Image Jobs web page: submits jobs and follows a project's jobs live over EventSource.
// Plain browser JavaScript, no build step. Every element tests rely on has a data-testid.
'use strict';

const API = '/api/v1/images';
const TOKEN_KEY = 'imagejobs.token';
const PROJECTS_KEY = 'imagejobs.projects';
const TERMINAL = new Set(['completed', 'failed', 'canceled']);
const EVENT_TYPES = ['JobRequested', 'JobStarted', 'GenerationStarted', 'GenerationAttemptFailed', 'ImageGenerated',
  'UploadStarted', 'JobCompleted', 'JobFailed', 'JobRetryRequested', 'JobCancelRequested', 'JobCanceled',
  'VariantSelected'];

const state = {
  token: null,
  project: null,
  source: null,
  jobs: new Map(),          // jobId -> latest job view
  rows: new Map(),          // jobId -> <li>
  images: new Map(),        // jobId -> sha256 of the image shown
  pendingKey: null,         // Idempotency-Key of the submission in flight, reused if it is sent again
  budgetTimer: null,        // a pending refresh of the budget line
  batch: null,              // the batch followed: { batchId, statuses: Map jobId -> status, source }
  references: [],           // chosen for the next job, in order: { jobId } or { referenceId }, with a label
  thumbs: new Map(),        // jobId -> { sha256, url: a promise of its blob URL } of the storyboard thumbnails
  storyboardTimer: null,    // a pending redraw of the storyboard
  edit: null,               // the image being edited: { jobId, maskFile, painted }
};

const $ = (id) => document.getElementById(id);

/** A failed API call, carrying the RFC 9457 problem the server answered with. */
class ApiError extends Error {
  constructor(problem) {
    super(problem.detail || problem.title || 'Request failed');
    this.problem = problem;
  }
}

async function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  if (state.token) {
    headers.set('Authorization', 'Bearer ' + state.token);
  }
  let response;
  try {
    response = await fetch(path, { ...options, headers });
  } catch (e) {
    throw new ApiError({ title: 'Network error', detail: 'The gateway could not be reached: ' + e.message });
  }
  if (response.ok) {
    return response;
  }
  let problem;
  try {
    problem = await response.json();
  } catch (e) {
    problem = { status: response.status, title: response.statusText || 'Request failed' };
  }
  if (response.status === 401) {
    Tokens.status('rejected', 'Token rejected');
  }
  throw new ApiError(problem);
}

function showError(error) {
  const box = $('error');
  box.replaceChildren();
  const problem = error instanceof ApiError
    ? error.problem
    : { title: 'Error', detail: String(error.message || error) };
  const title = document.createElement('strong');
  title.textContent = (problem.status ? problem.status + ' ' : '') + (problem.title || 'Error');
  box.append(title);
  if (problem.detail) {
    box.append(document.createTextNode(': ' + problem.detail));
  }
  if (Array.isArray(problem.errors) && problem.errors.length > 0) {
    const list = document.createElement('ul');
    for (const field of problem.errors) {
      const item = document.createElement('li');
      item.dataset.field = field.field;
      item.textContent = field.field + ' ' + field.message;
      list.append(item);
    }
    box.append(list);
  }
  box.hidden = false;
}

function clearError() {
  $('error').hidden = true;
  $('error').replaceChildren();
}

// ---- token ---------------------------------------------------------------------------------------

function useToken(token) {
  state.token = Tokens.remember(TOKEN_KEY, token);
  $('project-open').disabled = !state.token;
  if (state.token) {
    loadStyleCapsules();
    loadProjects();
    if (state.project) {
      openProject(state.project);
    }
  } else {
    closeStream();
  }
}

/** The capsules jobs may name: the open project's own and the built-in ones (only those before a project is open). */
async function loadStyleCapsules() {
  const path = state.project ? API + '/projects/' + encodeURIComponent(state.project) + '/style-capsules'
    : API + '/style-capsules';
  try {
    const capsules = await (await api(path)).json();
    const select = $('style-capsule');
    const chosen = select.value;
    select.replaceChildren(new Option('None', ''));
    for (const capsule of capsules) {
      const id = capsule.capsuleId || capsule.id;
      const option = new Option(capsule.version ? id + ' (v' + capsule.version + ')' : id, id);
      option.title = capsule.styleText;
      select.append(option);
    }
    select.value = chosen;
  } catch (e) {
    showError(e);
  }
}

// ---- project and stream --------------------------------------------------------------------------

/** The tenant's projects, most recently active first: the first screen, and the picker's suggestions. */
async function loadProjects() {
  let projects;
  try {
    projects = await (await api(API + '/projects')).json();
  } catch (e) {
    showError(e);
    return;
  }
  const list = $('project-list');
  list.replaceChildren();
  for (const project of projects) {
    const item = document.createElement('li');
    item.dataset.testid = 'project-item';
    item.dataset.projectId = project.projectId;
    const open = document.createElement('button');
    open.type = 'button';
    open.textContent = project.projectId;
    open.addEventListener('click', () => {
      $('project-picker').value = project.projectId;
      openProject(project.projectId);
    });
    const counts = Object.entries(project.jobsByStatus).map(([status, count]) => count + ' ' + status).join(', ');
    const detail = document.createElement('span');
    detail.className = 'muted';
    detail.textContent = ' ' + project.jobs + ' jobs (' + counts + ') · last activity '
      + new Date(project.lastActivityAt).toLocaleString();
    item.append(open, detail);
    list.append(item);
    if (![...$('project-options').options].some((option) => option.value === project.projectId)) {
      $('project-options').append(new Option(project.projectId, project.projectId));
    }
  }
  $('project-list-empty').hidden = projects.length > 0;
}

function rememberProject(projectId) {
  const known = JSON.parse(localStorage.getItem(PROJECTS_KEY) || '[]').filter((p) => p !== projectId);
  known.unshift(projectId);
  localStorage.setItem(PROJECTS_KEY, JSON.stringify(known.slice(0, 10)));
  renderProjectOptions();
}

function renderProjectOptions() {
  const list = $('project-options');
  list.replaceChildren();
  for (const project of JSON.parse(localStorage.getItem(PROJECTS_KEY) || '[]')) {
    list.append(new Option(project, project));
  }
}

function setStreamStatus(stateName, text) {
  const status = $('stream-status');
  status.dataset.state = stateName;
  status.textContent = text;
}

function closeStream() {
  if (state.source) {
    state.source.close();
    state.source = null;
  }
  setStreamStatus('closed', 'Not following');
}

async function openProject(projectId) {
  closeStream();
  clearError();
  state.project = projectId;
  state.jobs.clear();
  state.rows.clear();
  state.images.clear();
  $('job-list').replaceChildren();
  $('job-list').dataset.project = projectId;
  $('projects-panel').hidden = true;
  loadStyleCapsules();
  state.thumbs.forEach((thumb) => thumb.url.then(URL.revokeObjectURL, () => {}));
  state.thumbs.clear();
  storyboardSoon();
  $('job-fieldset').disabled = false;
  renderEmptyState();
  rememberProject(projectId);
  const url = new URL(window.location.href);
  url.searchParams.set('project', projectId);
  history.replaceState(null, '', url.pathname + url.search + url.hash);

  let lastEventId = null;
  try {
    // The newest jobs first, then the stream continues exactly where this list was read.
    const page = await (await api(API + '/jobs?limit=100&projectId=' + encodeURIComponent(projectId))).json();
    if (state.project !== projectId) {
      return;
    }
    for (const view of page.items) {
      upsert(view);
    }
    lastEventId = page.lastEventId;
  } catch (e) {
    showError(e);
    return;
  }
  follow(projectId, lastEventId);
  showBudget(projectId);
}

// ---- budget --------------------------------------------------------------------------------------

/** Shows the budget again shortly, once for a burst of events. */
function budgetSoon(projectId) {
  if (!state.budgetTimer) {
    state.budgetTimer = setTimeout(() => {
      state.budgetTimer = null;
      showBudget(projectId);
    }, 500);
  }
}

/** The project's budget: spent, reserved and left, or that it has none. */
async function showBudget(projectId) {
  const line = $('budget');
  let budget = null;
  try {
    budget = await (await api(API + '/budgets/' + encodeURIComponent(projectId))).json();
  } catch (e) {
    if (!(e instanceof ApiError) || e.problem.status !== 404) {
      showError(e);
      return;
    }
  }
  if (state.project !== projectId) {
    return;
  }
  line.hidden = false;
  line.dataset.state = budget ? 'set' : 'none';
  line.textContent = budget
    ? 'Budget ' + budget.amountUsd + ' USD' + (budget.monthlyReset ? ' a month' : '') + ': ' + budget.spentUsd
      + ' spent, ' + budget.reservedUsd + ' reserved, ' + budget.remainingUsd + ' left'
    : 'No budget for this project';
}

function follow(projectId, lastEventId) {
  const params = new URLSearchParams({ projectId, access_token: state.token });
  if (lastEventId !== null && lastEventId !== undefined) {
    params.set('lastEventId', String(lastEventId));
  }
  setStreamStatus('connecting', 'Connecting…');
  // On reconnect the browser sends Last-Event-ID itself, which the server prefers over lastEventId.
  const source = new EventSource(API + '/events?' + params.toString());
  state.source = source;
  source.onopen = () => setStreamStatus('live', 'Live');
  source.onerror = () => {
    if (state.source !== source) {
      return;
    }
    if (source.readyState === EventSource.CLOSED) {
      setStreamStatus('failed', 'Stream closed');
      showError(new ApiError({ title: 'Live updates stopped',
        detail: 'The event stream was refused (is the token still valid?). Reopen the project to retry.' }));
    } else {
      setStreamStatus('reconnecting', 'Reconnecting…');
    }
  };
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (event) => {
      if (state.source === source) {
        const view = JSON.parse(event.data);
        upsert(view);
        // A new run reserves from the budget, an ended one settles: show the budget again.
        if (type === 'JobRequested' || type === 'JobRetryRequested' || TERMINAL.has(view.status)) {
          budgetSoon(projectId);
        }
      }
    });
  }
}

// ---- jobs ----------------------------------------------------------------------------------------

/** Shows a job view unless a newer one of the same job is already shown (views carry eventSeq). */
function upsert(view) {
  if (view.projectId !== state.project) {
    return;
  }
  const known = state.jobs.get(view.jobId);
  if (known && known.eventSeq > view.eventSeq) {
    return;
  }
  state.jobs.set(view.jobId, view);
  let row = state.rows.get(view.jobId);
  if (!row) {
    row = $('job-row-template').content.firstElementChild.cloneNode(true);
    row.querySelector('.retry').addEventListener('click', () => command(view.jobId, 'retry'));
    row.querySelector('.cancel').addEventListener('click', () => command(view.jobId, 'cancel'));
    row.querySelector('.use-reference').addEventListener('click',
      () => addReference({ jobId: view.jobId }, (view.assetId || view.shotId || 'job') + ' ' + view.jobId.slice(0, 8)));
    row.querySelector('.edit').addEventListener('click', () => openEditor(state.jobs.get(view.jobId)));
    state.rows.set(view.jobId, row);
    insertInOrder(row, view);
  }
  render(row, view);
  renderEmptyState();
  storyboardSoon();
}

// ---- storyboard ----------------------------------------------------------------------------------

/** Draws the storyboard again shortly, once for a burst of events. */
function storyboardSoon() {
  if (!state.storyboardTimer) {
    state.storyboardTimer = setTimeout(() => {
      state.storyboardTimer = null;
      renderStoryboard();
    }, 200);
  }
}

/** The latest completed job of each key, by completion time. */
function latestCompleted(views, keyOf) {
  const latest = new Map();
  for (const view of views) {
    if (view.status !== 'completed' || !view.image) {
      continue;
    }
    const key = keyOf(view);
    const known = latest.get(key);
    if (!known || known.completedAt < view.completedAt) {
      latest.set(key, view);
    }
  }
  return latest;
}

/** The project as a storyboard: each asset's key, and each scene's shots with their start and end frames. */
function renderStoryboard() {
  const views = [...state.jobs.values()];
  $('storyboard').hidden = !state.project;
  const assets = latestCompleted(views.filter((view) => view.jobType === 'ASSET_IMAGE_KEY'), (view) => view.assetId);
  $('storyboard-assets').replaceChildren(...[...assets.entries()].sort(([a], [b]) => a.localeCompare(b))
    .map(([assetId, view]) => thumbnail(view, assetId, 'storyboard-asset')));
  const frames = latestCompleted(views.filter((view) => view.jobType !== 'ASSET_IMAGE_KEY'),
    (view) => view.sceneId + '\u0000' + view.shotId + '\u0000' + view.jobType);
  const scenes = new Map();
  for (const view of views.filter((v) => v.jobType !== 'ASSET_IMAGE_KEY')) {
    const shots = scenes.get(view.sceneId) || new Map();
    shots.set(view.shotId, true);
    scenes.set(view.sceneId, shots);
  }
  const sceneBlocks = [];
  for (const sceneId of [...scenes.keys()].sort()) {
    const block = document.createElement('div');
    block.className = 'scene';
    block.dataset.testid = 'storyboard-scene';
    const title = document.createElement('h4');
    title.textContent = 'Scene ' + sceneId;
    block.append(title);
    for (const shotId of [...scenes.get(sceneId).keys()].sort()) {
      const shot = document.createElement('div');
      shot.className = 'thumbs shot';
      shot.dataset.testid = 'storyboard-shot';
      shot.dataset.shotId = shotId;
      for (const [type, label] of [['START_FRAME', 'start'], ['END_FRAME', 'end']]) {
        const view = frames.get(sceneId + '\u0000' + shotId + '\u0000' + type);
        shot.append(view ? thumbnail(view, 'shot ' + shotId + ' ' + label, 'storyboard-frame')
          : placeholder('shot ' + shotId + ' ' + label));
      }
      block.append(shot);
    }
    sceneBlocks.push(block);
  }
  $('storyboard-scenes').replaceChildren(...sceneBlocks);
}

function placeholder(caption) {
  const figure = document.createElement('figure');
  figure.className = 'thumb empty';
  const text = document.createElement('figcaption');
  text.textContent = caption + ': none yet';
  figure.append(text);
  return figure;
}

/** A figure with the job's image, fetched once per image with the token and shown from a blob URL. */
function thumbnail(view, caption, testId) {
  const figure = document.createElement('figure');
  figure.className = 'thumb';
  figure.dataset.testid = testId;
  figure.dataset.jobId = view.jobId;
  const image = document.createElement('img');
  image.alt = caption;
  const text = document.createElement('figcaption');
  text.textContent = caption;
  figure.append(image, text);
  let known = state.thumbs.get(view.jobId);
  if (!known || known.sha256 !== view.image.sha256) {
    // One fetch per image, shared by every redraw while it is under way.
    known = { sha256: view.image.sha256, url: api(view.image.url).then((response) => response.blob())
      .then((blob) => URL.createObjectURL(blob)) };
    state.thumbs.set(view.jobId, known);
  }
  known.url.then((url) => {
    image.src = url;
    image.dataset.loaded = 'true';
  }).catch(showError);
  return figure;
}

function insertInOrder(row, view) {
  const list = $('job-list');
  for (const other of list.children) {
    const otherView = state.jobs.get(other.dataset.jobId);
    if (otherView && otherView.createdAt < view.createdAt) {
      list.insertBefore(row, other);
      return;
    }
  }
  list.append(row);
}

function render(row, view) {
  row.dataset.jobId = view.jobId;
  row.dataset.status = view.status;
  row.dataset.eventSeq = view.eventSeq;
  row.querySelector('[data-testid=job-status]').textContent = view.status
    + (view.cancelRequested && !TERMINAL.has(view.status) ? ' (cancel requested)' : '');
  row.querySelector('.job-type').textContent = view.jobType;
  row.querySelector('[data-testid=job-id]').textContent = view.jobId;
  const created = row.querySelector('.job-created');
  created.dateTime = view.createdAt;
  created.textContent = new Date(view.createdAt).toLocaleString();
  row.querySelector('.job-prompt').textContent = view.prompt;
  const target = view.jobType === 'EDIT'
    ? 'edit of ' + (view.edit ? view.edit.source.source + ' ' + view.edit.source.id.slice(0, 8) : '?')
      + (view.edit && view.edit.mask ? ' within a mask' : '')
    : view.jobType === 'ASSET_IMAGE_KEY' ? 'asset ' + view.assetId : 'scene ' + view.sceneId + ' / shot ' + view.shotId;
  row.querySelector('[data-testid=job-detail]').textContent = [target, view.aspectRatio, view.imageSize,
    view.priority && 'priority ' + view.priority, view.variantCount > 1 && view.variantCount + ' variants',
    'attempts ' + view.attemptCount, 'retries ' + view.retryCount,
    'est. $' + (view.estimatedCostMicros / 1e6).toFixed(4)].filter(Boolean).join(' · ');
  const error = row.querySelector('[data-testid=job-error]');
  error.hidden = view.status !== 'failed';
  error.textContent = view.status === 'failed'
    ? 'Failed in ' + (view.failureStage || '?') + ': ' + (view.errorClass || '') + ' ' + (view.errorMessage || '')
    : '';
  row.querySelector('.retry').hidden = view.status !== 'failed';
  row.querySelector('.cancel').hidden = TERMINAL.has(view.status) || view.cancelRequested;
  row.querySelector('.use-reference').hidden = view.status !== 'completed';
  row.querySelector('.edit').hidden = view.status !== 'completed' || !view.image;
  const image = row.querySelector('[data-testid=job-image]');
  if (view.status === 'completed' && view.image) {
    showImage(view, image);
  } else {
    image.hidden = true;
  }
  renderVariants(row, view);
}

/**
 * A job of several variants: each one, its status and cost, the stored ones as thumbnails that can
 * be chosen as the job's image (POST …/select); the chosen one is marked.
 */
function renderVariants(row, view) {
  const list = row.querySelector('[data-testid=variant-list]');
  const variants = view.variants || [];
  list.hidden = variants.length === 0;
  if (variants.length === 0) {
    list.replaceChildren();
    return;
  }
  const chosen = view.selectedVariant;
  const items = variants.map((variant) => {
    const key = variant.variant + ':' + variant.status + ':' + (variant.variant === chosen);
    let item = list.querySelector('[data-variant="' + variant.variant + '"]');
    if (item && item.dataset.key === key) {
      return item;
    }
    item = document.createElement('li');
    item.dataset.testid = 'variant';
    item.dataset.variant = variant.variant;
    item.dataset.status = variant.status;
    item.dataset.key = key;
    item.dataset.selected = String(variant.variant === chosen);
    const caption = document.createElement('span');
    caption.textContent = 'Variant ' + variant.variant + ' · ' + variant.status + ' · $'
      + (variant.actualCostMicros / 1e6).toFixed(4) + (variant.variant === chosen ? ' · chosen' : '')
      + (variant.errorMessage ? ': ' + variant.errorMessage : '');
    item.append(caption);
    if (variant.url) {
      const thumb = document.createElement('img');
      thumb.alt = 'Variant ' + variant.variant + ' of job ' + view.jobId;
      loadPrivateImage(thumb, variant.url).catch(showError);
      const choose = document.createElement('button');
      choose.type = 'button';
      choose.dataset.testid = 'choose-variant';
      choose.textContent = variant.variant === chosen ? 'Chosen' : 'Choose';
      choose.disabled = variant.variant === chosen || view.status !== 'completed';
      choose.addEventListener('click', () => selectVariant(view.jobId, variant.variant));
      item.prepend(thumb);
      item.append(choose);
    }
    return item;
  });
  list.replaceChildren(...items);
}

async function selectVariant(jobId, variant) {
  clearError();
  try {
    const response = await api(API + '/jobs/' + encodeURIComponent(jobId) + '/select', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ variant }),
    });
    upsert(await response.json());
  } catch (e) {
    showError(e);
  }
}

/**
 * Images are private: fetched with the token and shown in {@code image} from a blob URL; it says
 * data-loaded="true" once drawn.
 */
async function loadPrivateImage(image, url) {
  delete image.dataset.loaded;
  const blob = await (await api(url)).blob();
  if (image.src) {
    URL.revokeObjectURL(image.src);
  }
  image.onload = () => {
    image.dataset.loaded = 'true';
  };
  image.src = URL.createObjectURL(blob);
}

async function showImage(view, image) {
  if (state.images.get(view.jobId) === view.image.sha256) {
    return;
  }
  state.images.set(view.jobId, view.image.sha256);
  try {
    await loadPrivateImage(image, view.image.url);
    image.alt = 'Image of job ' + view.jobId;
    image.hidden = false;
  } catch (e) {
    state.images.delete(view.jobId);
    showError(e);
  }
}

function renderEmptyState() {
  const empty = $('job-list-empty');
  const count = state.rows.size;
  empty.hidden = count > 0;
  empty.textContent = state.project ? 'No jobs in this project yet.' : 'Open a project to see its jobs.';
  $('job-count').textContent = state.project ? '(' + count + ')' : '';
}

async function command(jobId, action) {
  clearError();
  try {
    const response = await api(API + '/jobs/' + encodeURIComponent(jobId) + '/' + action, { method: 'POST' });
    upsert(await response.json());
  } catch (e) {
    showError(e);
  }
}

function requestBody() {
  const type = $('job-type').value;
  const body = {
    jobType: type,
    projectId: state.project,
    branchId: $('branch-id').value.trim(),
    prompt: $('prompt').value,
    aspectRatio: $('aspect-ratio').value,
  };
  if (type === 'ASSET_IMAGE_KEY') {
    body.assetId = $('asset-id').value.trim();
  } else {
    body.sceneId = $('scene-id').value.trim();
    body.shotId = $('shot-id').value.trim();
    if (type === 'END_FRAME' && $('match-start').checked) {
      body.matchStartFrame = true;
    }
  }
  if ($('image-size').value) {
    body.imageSize = $('image-size').value;
  }
  if ($('style-capsule').value) {
    body.styleCapsuleId = $('style-capsule').value;
  }
  if ($('priority').value) {
    body.priority = $('priority').value;
  }
  if (Number($('variants').value) > 1) {
    body.variants = Number($('variants').value);
  }
  if (state.references.length > 0) {
    body.references = state.references.map(({ label, ...reference }) => reference);
  }
  for (const key of Object.keys(body)) {
    if (body[key] === '') {
      delete body[key];
    }
  }
  return body;
}

/**
 * Posts a creation with an Idempotency-Key: sending the same body again (double click, retry after a
 * network error) reuses the key, so the server creates it once. Returns the answer's JSON, or null
 * after showing the error.
 */
async function create(path, payload, buttonId) {
  clearError();
  const body = JSON.stringify(payload);
  if (!state.pendingKey || state.pendingKey.body !== body) {
    state.pendingKey = { body, key: crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random() };
  }
  const button = $(buttonId);
  button.disabled = true;
  try {
    const response = await api(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': state.pendingKey.key },
      body,
    });
    const created = await response.json();
    state.pendingKey = null;
    return created;
  } catch (e) {
    if (e.problem && e.problem.status >= 400 && e.problem.status < 500) {
      state.pendingKey = null;
    }
    showError(e);
    return null;
  } finally {
    button.disabled = false;
  }
}

async function submitJob(event) {
  event.preventDefault();
  const view = await create(API + '/jobs', requestBody(), 'submit-job');
  if (view) {
    upsert(view);
    $('prompt').value = '';
    state.references = [];
    renderReferences();
  }
}

// ---- reference images ----------------------------------------------------------------------------

function addReference(reference, label) {
  clearError();
  state.references.push({ ...reference, label });
  renderReferences();
}

function renderReferences() {
  const list = $('reference-list');
  list.replaceChildren();
  state.references.forEach((reference, index) => {
    const item = document.createElement('li');
    item.dataset.testid = 'reference-chip';
    item.dataset.source = reference.jobId ? 'job' : 'upload';
    item.textContent = (index + 1) + '. ' + reference.label + ' ';
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = '×';
    remove.title = 'Remove';
    remove.addEventListener('click', () => {
      state.references.splice(index, 1);
      renderReferences();
    });
    item.append(remove);
    list.append(item);
  });
}

/** Uploads the chosen file to the project and adds it to the next job's references. */
async function uploadReference() {
  const input = $('reference-file');
  const file = input.files && input.files[0];
  if (!file || !state.project) {
    return;
  }
  clearError();
  try {
    const response = await api(API + '/references?projectId=' + encodeURIComponent(state.project), {
      method: 'POST',
      headers: { 'Content-Type': file.type || 'application/octet-stream', 'X-File-Name': file.name },
      body: file,
    });
    const stored = await response.json();
    addReference({ referenceId: stored.referenceId }, stored.fileName || stored.referenceId.slice(0, 8));
  } catch (e) {
    showError(e);
  } finally {
    input.value = '';
  }
}

// ---- edits and masks -----------------------------------------------------------------------------

/**
 * Opens the editor on a completed job's image: the mask is painted on a transparent canvas of the
 * image's own size, opaque where the brush went, so the PNG sent is the mask the API expects.
 */
async function openEditor(view) {
  clearError();
  state.edit = { jobId: view.jobId, maskFile: null, painted: false };
  const canvas = $('mask-canvas');
  canvas.width = view.image.width;
  canvas.height = view.image.height;
  canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
  $('edit-prompt').value = '';
  $('mask-file').value = '';
  showMaskStatus();
  $('edit-panel').hidden = false;
  $('edit-panel').scrollIntoView({ block: 'nearest' });
  try {
    await loadPrivateImage($('edit-source'), view.image.url);
  } catch (e) {
    showError(e);
  }
}

function closeEditor() {
  state.edit = null;
  $('edit-panel').hidden = true;
}

function showMaskStatus() {
  const edit = state.edit;
  const status = $('mask-status');
  status.dataset.state = !edit ? 'none' : edit.maskFile ? 'file' : edit.painted ? 'painted' : 'none';
  status.textContent = status.dataset.state === 'file' ? 'Mask: ' + edit.maskFile.name
    : status.dataset.state === 'painted' ? 'Mask painted' : 'No mask: the whole image may change';
}

/** Paints opaque white where the pointer goes while pressed, in the image's own pixels. */
function paintMask(event) {
  if (!state.edit || state.edit.maskFile || (event.type === 'pointermove' && event.buttons !== 1)) {
    return;
  }
  event.preventDefault();
  const canvas = $('mask-canvas');
  const box = canvas.getBoundingClientRect();
  const scale = canvas.width / box.width;
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.beginPath();
  context.arc((event.clientX - box.left) * scale, (event.clientY - box.top) * scale,
    Number($('brush-size').value) * scale / 2, 0, 2 * Math.PI);
  context.fill();
  if (!state.edit.painted) {
    state.edit.painted = true;
    showMaskStatus();
  }
}

function clearMask() {
  if (!state.edit) {
    return;
  }
  const canvas = $('mask-canvas');
  canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
  state.edit.painted = false;
  state.edit.maskFile = null;
  $('mask-file').value = '';
  showMaskStatus();
}

/** The mask to send, uploaded to the project: the file chosen, else the painting, else none. */
async function uploadMask() {
  const edit = state.edit;
  const mask = edit.maskFile
    || (edit.painted ? await new Promise((resolve) => $('mask-canvas').toBlob(resolve, 'image/png')) : null);
  if (!mask) {
    return null;
  }
  const response = await api(API + '/references?projectId=' + encodeURIComponent(state.project), {
    method: 'POST',
    headers: { 'Content-Type': 'image/png', 'X-File-Name': edit.maskFile ? edit.maskFile.name : 'mask.png' },
    body: mask,
  });
  return (await response.json()).referenceId;
}

async function submitEdit() {
  if (!state.edit) {
    return;
  }
  clearError();
  const edit = { source: { jobId: state.edit.jobId } };
  try {
    const mask = await uploadMask();
    if (mask) {
      edit.mask = { referenceId: mask };
    }
  } catch (e) {
    showError(e);
    return;
  }
  const view = await create(API + '/jobs', { jobType: 'EDIT', projectId: state.project,
    branchId: $('branch-id').value.trim(), prompt: $('edit-prompt').value, edit }, 'submit-edit');
  if (view) {
    upsert(view);
    closeEditor();
  }
}

// ---- batches -------------------------------------------------------------------------------------

async function submitBatch() {
  clearError();
  const prompts = $('batch-prompts').value.split('\n').map((line) => line.trim()).filter(Boolean);
  if (prompts.length === 0) {
    showError(new ApiError({ title: 'No prompts', detail: 'Write one prompt per line.' }));
    return;
  }
  const single = requestBody();
  const batch = await create(API + '/batches', { jobs: prompts.map((prompt) => ({ ...single, prompt })) },
    'submit-batch');
  if (batch) {
    $('batch-prompts').value = '';
    batch.jobs.forEach(upsert);
    followBatch(batch);
  }
}

/** Follows a batch's own stream, which ends once every job of the batch has ended. */
function followBatch(batch) {
  if (state.batch && state.batch.source) {
    state.batch.source.close();
  }
  const followed = { batchId: batch.batchId, statuses: new Map(batch.jobs.map((job) => [job.jobId, job.status])) };
  state.batch = followed;
  renderBatch(followed);
  const params = new URLSearchParams({ access_token: state.token });
  const source = new EventSource(API + '/batches/' + encodeURIComponent(batch.batchId) + '/events?' + params);
  followed.source = source;
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (event) => {
      const view = JSON.parse(event.data);
      followed.statuses.set(view.jobId, view.status);
      upsert(view);
      renderBatch(followed);
    });
  }
  source.onerror = () => {
    // The server ends the stream when every job has ended, and answers 204 to the reconnection.
    if (ended(followed) || source.readyState === EventSource.CLOSED) {
      source.close();
      renderBatch(followed);
    }
  };
}

function ended(batch) {
  return [...batch.statuses.values()].every((status) => TERMINAL.has(status));
}

function renderBatch(batch) {
  if (state.batch !== batch) {
    return;
  }
  const counts = new Map();
  for (const status of batch.statuses.values()) {
    counts.set(status, (counts.get(status) || 0) + 1);
  }
  const done = ended(batch);
  const line = $('batch-status');
  line.hidden = false;
  line.dataset.batchId = batch.batchId;
  line.dataset.state = done ? 'ended' : 'running';
  line.textContent = 'Batch ' + batch.batchId.slice(0, 8) + ': ' + batch.statuses.size + ' jobs · '
    + [...counts].map(([status, count]) => count + ' ' + status).join(' · ') + (done ? ' — ended' : '');
}

function showTargetFields() {
  const asset = $('job-type').value === 'ASSET_IMAGE_KEY';
  $('asset-fields').hidden = !asset;
  $('frame-fields').hidden = asset;
  $('match-start-label').hidden = $('job-type').value !== 'END_FRAME';
}

document.addEventListener('DOMContentLoaded', () => {
  renderProjectOptions();
  showTargetFields();
  $('job-type').addEventListener('change', showTargetFields);
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    clearError();
    useToken($('token-input').value.trim());
  });
  $('token-clear').addEventListener('click', () => useToken(null));
  $('project-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (!state.token) {
      showError(new ApiError({ title: 'No token', detail: 'Paste an access token first.' }));
      return;
    }
    openProject($('project-picker').value.trim());
  });
  $('job-form').addEventListener('submit', submitJob);
  $('submit-batch').addEventListener('click', submitBatch);
  $('reference-file').addEventListener('change', uploadReference);
  $('mask-canvas').addEventListener('pointerdown', paintMask);
  $('mask-canvas').addEventListener('pointermove', paintMask);
  $('clear-mask').addEventListener('click', clearMask);
  $('mask-file').addEventListener('change', () => {
    const file = $('mask-file').files[0];
    if (state.edit && file) {
      state.edit.maskFile = file;
      showMaskStatus();
    }
  });
  $('submit-edit').addEventListener('click', submitEdit);
  $('close-edit').addEventListener('click', closeEditor);

  const fromUrl = Tokens.fromUrl();
  if (fromUrl.get('project')) {
    $('project-picker').value = fromUrl.get('project');
    state.project = fromUrl.get('project');
  }
  useToken(fromUrl.get('token') || localStorage.getItem(TOKEN_KEY));
  if (!state.token) {
    showError(new ApiError({ title: 'No token',
      detail: 'Paste an access token (./local-stack prints one) to use the API.' }));
  }
});
