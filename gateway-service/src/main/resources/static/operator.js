// Image Jobs operator dashboard: polls /api/v1/operator/overview every few seconds and shows it.
// Plain browser JavaScript, no build step. Every element tests rely on has a data-testid.
'use strict';

const OVERVIEW = '/api/v1/operator/overview';
const TOKEN_KEY = 'imagejobs.operatorToken';
const REFRESH_MS = 5000;

const state = { token: null, timer: null };
const $ = (id) => document.getElementById(id);

function useToken(token) {
  state.token = Tokens.remember(TOKEN_KEY, token);
  refresh();
}

function showError(text) {
  const box = $('error');
  box.textContent = text || '';
  box.hidden = !text;
}

/** Fills a table's body with one row per item; each cell is text, never markup. */
function fill(testId, items, cells) {
  const body = document.querySelector(`[data-testid="${testId}"] tbody`);
  body.replaceChildren(...items.map((item) => {
    const row = document.createElement('tr');
    for (const value of cells(item)) {
      const cell = document.createElement('td');
      cell.textContent = value === null || value === undefined ? '–' : String(value);
      row.append(cell);
    }
    return row;
  }));
  if (items.length === 0) {
    const row = document.createElement('tr');
    const cell = document.createElement('td');
    cell.colSpan = body.parentElement.querySelectorAll('th').length;
    cell.className = 'muted';
    cell.textContent = 'none';
    row.append(cell);
    body.append(row);
  }
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return null;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

const fixed = (value) => (value === null || value === undefined ? null : value.toFixed(2));
const bar = (count, most) => '█'.repeat(most === 0 ? 0 : Math.round((20 * count) / most));

function render(overview) {
  $('updated').textContent = new Date(overview.generatedAt).toLocaleTimeString();
  $('updated').dateTime = overview.generatedAt;
  fill('active', overview.active, (s) => [s.status, s.jobs, s.underOneMinute, s.oneToTenMinutes,
    s.tenToSixtyMinutes, s.overAnHour, duration(s.oldestSeconds)]);
  fill('queued-by-priority', overview.queuedByPriority, (q) => [q.priority, q.jobs, duration(q.oldestSeconds)]);
  fill('ended', overview.endedLastHour, (s) => [s.status, s.jobs]);
  const most = Math.max(0, ...overview.minutes.map((m) => m.completed));
  fill('minutes', overview.minutes, (m) => [m.minute.substring(11, 16), m.created, m.completed, m.failed,
    fixed(m.p50Seconds), fixed(m.p95Seconds), bar(m.completed, most)]);
  fill('stuck', overview.stuck, (j) => [j.jobId, `${j.tenantId} / ${j.projectId}`, j.status, duration(j.seconds)]);
  fill('failures', overview.failuresLastHour, (f) => [f.errorClass, f.jobs]);
  fill('generation', overview.generationInstances, (g) => [`${g.member} ${g.host}`, g.partitions.join(', '),
    g.jobsInFlight, g.backlog]);
  fill('spend', overview.spendToday, (p) => [`${p.tenantId} / ${p.projectId}`, p.jobs, p.actualUsd]);
  fill('lag', overview.lag, (l) => [l.group, l.topic, l.partition, l.committed, l.end, l.lag, l.member]);
  $('dead-total').textContent = `(${overview.deadLettersTotal} in the topic, latest shown)`;
  fill('dead-letters', overview.deadLetters, (d) => [new Date(d.at).toLocaleString(), d.jobId,
    `${d.consumerGroup || ''} ${d.sourceTopic || ''}`.trim(), d.reason]);
  const problems = $('problems');
  problems.replaceChildren(...overview.problems.map((text) => {
    const item = document.createElement('li');
    item.textContent = text;
    return item;
  }));
  problems.hidden = overview.problems.length === 0;
}

async function refresh() {
  clearTimeout(state.timer);
  if (!state.token) {
    showError('Paste a token with the operator role to see the figures.');
    return;
  }
  try {
    const response = await fetch(OVERVIEW, { headers: { Authorization: 'Bearer ' + state.token } });
    if (response.status === 401) {
      Tokens.status('rejected', 'Token rejected');
      showError('The token was rejected (expired or not signed for this gateway).');
    } else if (response.status === 403) {
      Tokens.status('rejected', 'Not an operator');
      showError('This token has no operator role: the operations figures are for operators only.');
    } else if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      showError(problem.detail || `The gateway answered ${response.status}.`);
    } else {
      showError('');
      render(await response.json());
    }
  } catch (e) {
    showError('The gateway could not be reached: ' + e.message);
  }
  state.timer = setTimeout(refresh, REFRESH_MS);
}

document.addEventListener('DOMContentLoaded', () => {
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    useToken($('token-input').value.trim());
  });
  $('token-clear').addEventListener('click', () => useToken(null));
  useToken(Tokens.fromUrl().get('token') || localStorage.getItem(TOKEN_KEY));
});
