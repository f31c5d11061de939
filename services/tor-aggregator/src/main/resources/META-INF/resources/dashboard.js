/*
 * TrainLedger dashboard: the runs list (index.html) and one page per run (run.html?run=ID), drawn with Chart.js
 * (served from its WebJar) from the aggregator's REST API, kept live by the run's SSE stream of reports.
 * Every chart is registered with Chart.js, so tests (and people) can read its data: Chart.getChart('tor-chart').
 */
window.TrainLedgerDashboard = (function () {
  'use strict';
  const COLORS = ['#2f6fde', '#e0663a', '#2aa876', '#9b59b6', '#d4a017', '#c0392b', '#16a2b8', '#7f8c8d', '#34495e'];
  const BUCKETS = [['queuedNanos', 'queued'], ['initNanos', 'init'], ['restoreNanos', 'restore'],
    ['checkpointStallNanos', 'checkpoint stall'], ['wastedNanos', 'wasted'], ['detectionNanos', 'detection'],
    ['restartNanos', 'restart'], ['slowdownNanos', 'slowdown'], ['otherNanos', 'other']];
  const FAILURE_BUCKETS = [['detectionNanos', 'detection'], ['restartNanos', 'restart'], ['initNanos', 'init'],
    ['restoreNanos', 'restore'], ['wastedNanos', 'wasted'], ['slowdownNanos', 'slowdown']];
  // Event kind, lane label, point style, colour. Chart.js draws 'star' and 'crossRot' with lines only (the
  // border colour), so every marker gets both colours, a thick border and a large radius: visible at a glance.
  const MARKERS = [
    ['ATTEMPT_STARTED', 'attempt started', 'triangle', '#2f6fde'],
    ['CHECKPOINT_COMMITTED', 'checkpoint committed', 'rect', '#2aa876'],
    ['CHECKPOINT_REJECTED', 'checkpoint rejected', 'crossRot', '#e0663a'],
    ['FAULT_INJECTED', 'fault injected', 'star', '#9b59b6'],
    ['FAILURE_DETECTED', 'failure detected', 'rectRot', '#c0392b'],
    ['RECOVERY_COMPLETED', 'recovery completed', 'circle', '#16a2b8'],
    ['RUN_COMPLETED', 'run ended', 'rectRounded', '#1d2330'], ['RUN_CANCELLED', 'run ended', 'rectRounded', '#1d2330']];
  const LINE_STYLES = ['star', 'crossRot', 'cross', 'line', 'dash'];
  const ENDED = ['COMPLETED', 'CANCELLED', 'REJECTED'];
  const charts = {};

  const seconds = nanos => nanos / 1e9;
  const fmt = (v, digits) => v === null || v === undefined ? '–' : Number(v).toFixed(digits);
  const pct = v => v === null || v === undefined ? '–' : (100 * v).toFixed(2) + ' %';
  const axis = text => ({display: true, text: text, font: {size: 13}});

  // Writes each bar's value above it (the model chart: a bar of height 0 must still say "0").
  const valueLabels = {
    id: 'valueLabels',
    afterDatasetsDraw(c) {
      const ctx = c.ctx;
      ctx.save();
      ctx.font = '600 13px system-ui, sans-serif';
      ctx.fillStyle = '#1d2330';
      ctx.textAlign = 'center';
      c.data.datasets.forEach((ds, i) => c.getDatasetMeta(i).data.forEach((bar, j) => {
        const v = ds.data[j];
        ctx.fillText(v === null || v === undefined ? 'n/a' : pct(v), bar.x, bar.y - 6);
      }));
      ctx.restore();
    }
  };

  function chart(id, config) {
    const canvas = document.getElementById(id);
    config.options = Object.assign({animation: false, responsive: true, maintainAspectRatio: true}, config.options);
    charts[id] = new Chart(canvas, config);
    return charts[id];
  }

  async function getJson(url) {
    const response = await fetch(url, {headers: {Accept: 'application/json'}});
    if (!response.ok) {
      throw new Error(url + ': HTTP ' + response.status);
    }
    return response.json();
  }

  // ------------------------------------------------------------------------------------------------ runs list

  async function runsPage() {
    const chartOfRuns = chart('runs-chart', {
      type: 'bar', data: {labels: [], datasets: [{label: 'TOR', data: [], backgroundColor: COLORS[0], maxBarThickness: 90}]},
      options: {scales: {x: {title: axis('run')}, y: {min: 0, max: 1, title: axis('TOR (useful time / wall time)')}}}
    });
    async function refresh() {
      const status = document.getElementById('runs-status');
      try {
        const body = await getJson('/runs');
        const tbody = document.querySelector('#runs tbody');
        tbody.replaceChildren(...body.runs.map(r => {
          const tr = document.createElement('tr');
          const link = document.createElement('a');
          link.href = '/run.html?run=' + encodeURIComponent(r.runId);
          link.textContent = r.runId;
          const cells = [link, r.status, pct(r.tor), r.preservedSteps, r.failures, r.asOfEventTime];
          cells.forEach(c => {
            const td = document.createElement('td');
            if (c instanceof Node) td.appendChild(c); else td.textContent = c;
            tr.appendChild(td);
          });
          return tr;
        }));
        chartOfRuns.data.labels = body.runs.map(r => r.runId);
        chartOfRuns.data.datasets[0].data = body.runs.map(r => r.tor);
        chartOfRuns.update();
        status.textContent = body.runs.length + (body.runs.length === 1 ? ' run' : ' runs') + (body.unreachable.length
          ? ' (unreachable instances: ' + body.unreachable.join(', ') + ')' : '');
      } catch (e) {
        status.textContent = 'the aggregator is not answering yet (' + e.message + '); retrying';
      }
    }
    await refresh();
    setInterval(refresh, 3000);
  }

  // ------------------------------------------------------------------------------------------------ one run

  function runCharts() {
    chart('tor-chart', {
      type: 'line',
      data: {datasets: [
        {label: 'TOR (cumulative)', data: [], borderColor: COLORS[0], pointRadius: 0},
        {label: 'TOR (window)', data: [], borderColor: COLORS[1], pointRadius: 0, borderDash: [4, 3]},
        {label: 'predicted TOR (model)', data: [], borderColor: COLORS[2], pointRadius: 0, borderDash: [8, 4]}]},
      options: {parsing: false, scales: {
        x: {type: 'linear', title: axis('time since submission (s)')},
        y: {min: 0, max: 1, title: axis('TOR (useful time / wall time)')}}}
    });
    chart('loss-chart', {
      type: 'line', data: {datasets: []},
      options: {parsing: false, scales: {x: {type: 'linear', title: axis('optimizer step')},
        y: {title: axis('loss (dimensionless)')}}}
    });
    chart('timeline-chart', {
      type: 'scatter',
      data: {datasets: MARKERS.filter((m, i) => MARKERS.findIndex(n => n[1] === m[1]) === i).map(m => ({
        label: m[1], data: [], pointStyle: m[2], pointRadius: 8, pointHoverRadius: 10,
        borderWidth: LINE_STYLES.includes(m[2]) ? 3 : 1.5,
        borderColor: LINE_STYLES.includes(m[2]) ? m[3] : '#ffffff', backgroundColor: m[3]}))},
      options: {parsing: false, maintainAspectRatio: false, scales: {
        x: {type: 'linear', title: axis('time since submission (s)')},
        y: {type: 'linear', min: -0.6, max: 6.6, title: axis('event'),
          ticks: {stepSize: 1, autoSkip: false, callback: v => lanes()[v] || ''}}},
        plugins: {legend: {labels: {usePointStyle: true}}, tooltip: {callbacks: {label: c => c.raw.label}}}}
    });
    chart('badput-chart', {
      type: 'bar', data: {labels: ['useful (T_opt)'].concat(BUCKETS.map(b => b[1])),
        datasets: [{label: 'seconds', data: [], backgroundColor: [COLORS[2]].concat(BUCKETS.map(() => COLORS[5]))}]},
      options: {indexAxis: 'y', plugins: {legend: {display: false}},
        scales: {x: {title: axis('time (s)')}, y: {title: axis('useful time and badput bucket')}}}
    });
    chart('failure-chart', {
      type: 'bar', data: {labels: [], datasets: FAILURE_BUCKETS.map((b, i) => ({
        label: b[1], data: [], backgroundColor: COLORS[i % COLORS.length]}))},
      options: {scales: {x: {stacked: true, title: axis('failure type (× failures)')},
        y: {stacked: true, title: axis('badput (s)')}}}
    });
    chart('model-chart', {
      type: 'bar', data: {labels: ['observed', 'predicted (exact)', 'predicted (first order)'],
        datasets: [{label: 'TOR', data: [], backgroundColor: [COLORS[0], COLORS[2], COLORS[3]]}]},
      plugins: [valueLabels],
      options: {plugins: {legend: {display: false}}, layout: {padding: {top: 18}},
        scales: {x: {title: axis('estimate')}, y: {min: 0, max: 1, title: axis('TOR (useful time / wall time)')}}}
    });
    chart('projection-chart', {
      type: 'line', data: {datasets: [{label: 'projected TOR', data: [], borderColor: COLORS[3]},
        {label: 'interval at that scale (s)', data: [], borderColor: COLORS[4], yAxisID: 'y2'}]},
      options: {parsing: false, scales: {x: {type: 'logarithmic', title: axis('hardware scale (× this run\'s)')},
        y: {min: 0, max: 1, title: axis('projected TOR (useful / wall time)')},
        y2: {position: 'right', title: axis('checkpoint interval (s)'), grid: {drawOnChartArea: false}}}}
    });
  }

  function lanes() {
    return MARKERS.map(m => m[1]).filter((l, i, all) => all.indexOf(l) === i);
  }

  /**
   * Sum over failure types of lambda_i x L_i, as libs/tor-core's TorModelFit.predictedTorFirstOrder computes it
   * (rollbacks: L_i = R_i + (tau + delta) / 2; STRAGGLER and CHECKPOINT_CORRUPT: the observed mean loss).
   */
  function firstOrderLoad(model) {
    return model.rates.filter(r => r.count > 0).reduce((sum, r) => {
      const loss = r.type === 'STRAGGLER' || r.type === 'CHECKPOINT_CORRUPT' ? r.meanLossSeconds
        : r.meanRepairSeconds + (model.tauSeconds + model.deltaSeconds) / 2;
      return sum + r.ratePerHour / 3600 * loss;
    }, 0);
  }

  function modelNote(model) {
    if (!model) return 'The model is fitted once the run has a checkpoint interval and a save time.';
    const load = firstOrderLoad(model);
    if (load >= 1) {
      return 'First order predicts ' + pct(model.predictedTorFirstOrder) + ': its failure load Σλ·L = '
        + fmt(load, 2) + ' is ≥ 1, outside the range of that form (it assumes Σλ·L ≪ 1: failures rare against '
        + 'their cost, here MTBF ' + fmt(model.mtbfSeconds, 1) + ' s vs repair ' + fmt(model.repairSeconds, 1)
        + ' s). The exact form holds.';
    }
    return 'First order: failure load Σλ·L = ' + fmt(load, 3) + '.';
  }

  function showRunStatus(status) {
    const badge = document.getElementById('run-status');
    if (badge) {
      badge.textContent = 'run ' + String(status).toLowerCase();
      badge.dataset.status = status;
    }
  }

  function showReport(report, t0) {
    document.getElementById('tor').textContent = pct(report.tor);
    document.getElementById('status').textContent = report.status;
    showRunStatus(report.status);
    document.getElementById('steps').textContent = report.preservedSteps + ' / ' + report.executedSteps;
    const model = report.model;
    document.getElementById('predicted').textContent = model ? pct(model.predictedTor) : '– (not fitted yet)';
    document.getElementById('interval').textContent = model
      ? fmt(model.tauSeconds, 1) + ' s / ' + fmt(model.youngIntervalSeconds, 1) + ' s, ' + fmt(model.dalyIntervalSeconds, 1) + ' s'
      : '–';
    document.getElementById('mtbf').textContent = model
      ? (model.mtbfSeconds === null ? 'no rollback failure' : fmt(model.mtbfSeconds, 1) + ' s') : '–';

    const badput = charts['badput-chart'];
    badput.data.datasets[0].data = [seconds(report.tOptNanos)].concat(BUCKETS.map(b => seconds(report.badput[b[0]])));
    badput.update();

    const failures = charts['failure-chart'];
    failures.data.labels = report.failures.map(f => f.type + ' ×' + f.count);
    failures.data.datasets.forEach((ds, i) => {
      ds.data = report.failures.map(f => seconds(f[FAILURE_BUCKETS[i][0]]));
    });
    failures.update();

    const modelChart = charts['model-chart'];
    modelChart.data.datasets[0].data = [report.tor, model ? model.predictedTor : null,
      model ? model.predictedTorFirstOrder : null];
    modelChart.update();
    document.getElementById('model-note').textContent = modelNote(model);

    const projection = charts['projection-chart'];
    const points = model ? model.projections : [];
    projection.data.datasets[0].data = points.map(p => ({x: p.scale, y: p.tor}));
    projection.data.datasets[1].data = points.map(p => ({x: p.scale, y: p.intervalSeconds}));
    projection.update();

    const tor = charts['tor-chart'];
    if (t0 !== null) {
      const x = (Date.parse(report.asOfEventTime) - t0) / 1000;
      const cumulative = tor.data.datasets[0].data;
      if (!cumulative.length || cumulative[cumulative.length - 1].x < x) {
        cumulative.push({x: x, y: report.tor});
        const window = report.windows.length ? report.windows[0].tor : null;
        tor.data.datasets[1].data.push({x: x, y: window});
      }
      const first = cumulative.length ? cumulative[0].x : 0;
      tor.data.datasets[2].data = model ? [{x: first, y: model.predictedTor}, {x: x, y: model.predictedTor}] : [];
      tor.update();
    }
  }

  function showTimeline(timeline, report) {
    const t0 = timelineOrigin(timeline);
    const tor = charts['tor-chart'];
    tor.data.datasets[0].data = timeline.tor.map(p => ({x: (Date.parse(p.eventTime) - t0) / 1000, y: p.tor}));
    tor.data.datasets[1].data = timeline.tor.map(p => ({x: (Date.parse(p.eventTime) - t0) / 1000, y: p.windowTor}));
    if (timeline.tor.length && timeline.tor[0].windowSeconds) {
      tor.data.datasets[1].label = 'TOR (last ' + timeline.tor[0].windowSeconds + ' s)';
    }
    tor.update();

    const loss = charts['loss-chart'];
    const series = [['loss', 'loss'], ['ceLoss', 'cross-entropy'], ['pplLoss', 'perplexity'],
      ['ipplLoss', 'inverted perplexity'], ['kgLoss', 'KgCoOp']];
    loss.data.datasets = series
      .filter(s => timeline.steps.some(p => p[s[0]] !== null && (s[0] === 'loss' || p[s[0]] !== 0)))
      .map((s, i) => ({label: s[1], borderColor: COLORS[i], pointRadius: 0,
        data: timeline.steps.map(p => ({x: p.step, y: p[s[0]]}))}));
    loss.update();

    const markers = charts['timeline-chart'];
    const laneNames = lanes();
    markers.data.datasets.forEach(ds => { ds.data = []; });
    timeline.events.forEach(e => {
      const kind = MARKERS.find(m => m[0] === e.kind);
      if (!kind) return;
      const lane = laneNames.indexOf(kind[1]);
      const text = e.kind.toLowerCase().replace(/_/g, ' ') + (e.failureType ? ' ' + e.failureType : '')
        + (e.step !== null ? ' @ step ' + e.step : '') + (e.detail ? ': ' + e.detail : '');
      markers.data.datasets[lane].data.push({x: (Date.parse(e.eventTime) - t0) / 1000, y: lane, label: text});
    });
    markers.update();
    if (report) showReport(report, t0);
    return t0;
  }

  function timelineOrigin(timeline) {
    const submitted = timeline.events.find(e => e.kind === 'RUN_SUBMITTED');
    if (submitted) return Date.parse(submitted.eventTime);
    const times = timeline.events.map(e => Date.parse(e.eventTime))
      .concat(timeline.steps.map(s => Date.parse(s.eventTime)));
    return times.length ? Math.min(...times) : Date.now();
  }

  async function runPage(runId) {
    document.getElementById('run-id').textContent = runId || '(no run given: /run.html?run=ID)';
    if (!runId) return;
    runCharts();
    const live = document.getElementById('live');
    let t0 = null;
    let refreshing = null;
    async function refreshTimeline(report) {
      try {
        t0 = showTimeline(await getJson('/runs/' + encodeURIComponent(runId) + '/timeline'), report);
      } catch (e) {
        live.dataset.state = 'unavailable';
        live.textContent = 'timeline unavailable: ' + e.message;
      }
    }
    // The run's status (header badge) comes from its reports; the connection state of the live updates is shown
    // apart from it, so a finished run reads "completed" whatever the stream is doing.
    const setLive = (state, text) => { live.dataset.state = state; live.textContent = 'updates: ' + text; };
    const initial = await getJson('/runs/' + encodeURIComponent(runId)).catch(e => {
      showRunStatus(e.message.endsWith('404') ? 'NOT FOUND' : 'UNKNOWN');
      return null;
    });
    await refreshTimeline(initial);

    const events = new EventSource('/runs/' + encodeURIComponent(runId) + '/reports');
    events.onopen = () => setLive('live', 'live (SSE connected)');
    events.addEventListener('report', message => {
      const report = JSON.parse(message.data);
      setLive('live', 'live (SSE) · ' + (ENDED.includes(report.status) ? 'final report, ' : '')
        + report.eventsFolded + ' events folded, as of ' + report.asOfEventTime);
      showReport(report, t0);
      // The loss curve and the markers come from the timeline: refresh it at most every 2 s.
      if (!refreshing) {
        refreshing = setTimeout(() => { refreshing = null; refreshTimeline(report); }, 2000);
      }
    });
    events.addEventListener('owner', message => {
      // Another aggregator instance owns this run: continue on its page.
      const owner = JSON.parse(message.data).owner;
      events.close();
      location.href = 'http://' + owner + '/run.html?run=' + encodeURIComponent(runId);
    });
    events.addEventListener('unavailable', message => {
      setLive('unavailable', 'aggregator not ready (' + JSON.parse(message.data).message + '); retrying');
    });
    events.onerror = () => {
      if (events.readyState === EventSource.CLOSED) setLive('closed', 'stream closed; reload to reconnect');
      else setLive('reconnecting', 'disconnected; reconnecting…');
    };
  }

  return {runsPage: runsPage, runPage: runPage, charts: charts};
})();
