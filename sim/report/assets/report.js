/* infrasim HTML reports: draws the charts from the JSON embedded in the page.
 *
 * The page (sim/report/html.cpp) holds the tables as static HTML, a
 * <script type="application/json" id="infrasim-data"> blob, and calls
 * infrasim.render(kind, data) with kind = run | compare | montecarlo | sweep | tables.
 * Charts are uPlot (vendored in sim/report/assets/uplot/). Every field is read
 * through get() with a default: the JSON format grows, and an older or newer
 * report must still render. When rendering ends, <html data-render="ok"> is
 * set (or "error: ..."), which scripts/check-report checks.
 */
(function () {
  'use strict';

  var COLORS = ['#2f6fdb', '#e8590c', '#2b8a3e', '#ae3ec9', '#d6336c', '#0c8599', '#f08c00', '#5c940d',
                '#495057', '#7048e8', '#c92a2a', '#1864ab'];
  var REASON_COLORS = {
    timeout: '#f08c00', no_healthy_backend: '#c92a2a', queue_full: '#e8590c', rate_limited: '#ae3ec9',
    connection_refused: '#862e9c', db_unavailable: '#d6336c', network: '#1864ab', injected_error: '#5f3dc4', circuit_open: '#e67700'
  };
  // Timeline event kinds -> marker colour and dash.
  var EVENT_STYLES = {
    fault: ['#c92a2a', []], crash: ['#c92a2a', [5, 3]], recover: ['#2b8a3e', []], ready: ['#2b8a3e', [2, 3]],
    health_down: ['#e8590c', [5, 3]], health_up: ['#0c8599', [5, 3]], scale: ['#2f6fdb', []],
    promote: ['#ae3ec9', []], detect: ['#ae3ec9', [5, 3]], reconnect: ['#ae3ec9', [2, 3]],
    failover_failed: ['#c92a2a', [2, 2]], restore: ['#862e9c', []], restored: ['#2b8a3e', [2, 3]]
  };

  // ---- small helpers -------------------------------------------------------

  function get(obj, path, dflt) {
    var cur = obj;
    var parts = path.split('.');
    for (var i = 0; i < parts.length; i++) {
      if (cur === null || cur === undefined || typeof cur !== 'object' || !(parts[i] in cur)) return dflt;
      cur = cur[parts[i]];
    }
    return cur === null || cur === undefined ? dflt : cur;
  }
  function arr(x) { return Array.isArray(x) ? x : []; }
  function num(x) { return typeof x === 'number' && isFinite(x) ? x : null; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function pad2(n) { return (n < 10 ? '0' : '') + n; }

  /** Simulated time: 0:00, 12:30, 1:05:00, 2d 3:00:00. */
  function fmtTime(s) {
    if (s === null || s === undefined) return '';
    var neg = s < 0;
    s = Math.round(Math.abs(s));
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
    var t = (h > 0 || d > 0) ? h + ':' + pad2(m) + ':' + pad2(sec) : m + ':' + pad2(sec);
    if (d > 0) t = d + 'd ' + t;
    return (neg ? '-' : '') + t;
  }
  /** A duration in seconds, as a latency: 850µs, 12.3ms, 1.20s, 2.5m. */
  function fmtDur(s) {
    if (s === null || s === undefined) return '--';
    if (s === 0) return '0';
    var a = Math.abs(s);
    if (a < 1e-3) return (s * 1e6).toFixed(0) + 'µs';
    if (a < 1) return +(s * 1e3).toPrecision(3) + 'ms';
    if (a < 120) return +s.toPrecision(3) + 's';
    return +(s / 60).toPrecision(3) + 'm';
  }
  function fmtPct(x) { return x === null || x === undefined ? '--' : +(x * 100).toPrecision(3) + '%'; }
  function fmtNum(x) {
    if (x === null || x === undefined) return '--';
    var a = Math.abs(x);
    if (a >= 1e6) return +(x / 1e6).toPrecision(3) + 'M';
    if (a >= 1e4) return +(x / 1e3).toPrecision(3) + 'k';
    return +x.toPrecision(4) + '';
  }
  var FORMATS = { time: fmtTime, duration: fmtDur, ratio: fmtPct, number: fmtNum, count: fmtNum, rate: function (x) { return x === null ? '--' : fmtNum(x) + '/s'; } };

  // ---- uPlot plugins ----------------------------------------------------------

  /** Vertical markers for timeline events, numbered at the top; events closer than 8px share a marker. */
  function markersPlugin(events) {
    return {
      hooks: {
        draw: [function (u) {
          if (!events.length) return;
          var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height, dpr = uPlot.pxRatio || 1;
          var groups = [];
          events.forEach(function (ev) {
            var x = Math.round(u.valToPos(ev.time, 'x', true));
            if (x < u.bbox.left - 1 || x > u.bbox.left + u.bbox.width + 1) return;
            var g = groups.length ? groups[groups.length - 1] : null;
            if (g && Math.abs(g.x - x) < 8 * dpr) g.items.push(ev);
            else groups.push({ x: x, items: [ev] });
          });
          ctx.save();
          ctx.font = (10 * dpr) + 'px system-ui, sans-serif';
          ctx.textBaseline = 'top';
          ctx.textAlign = 'left';
          var lastLabelEnd = -1e9, row = 0;
          groups.forEach(function (g) {
            var style = EVENT_STYLES[g.items[0].kind] || ['#868e96', [2, 2]];
            ctx.strokeStyle = style[0];
            ctx.globalAlpha = 0.85;
            ctx.lineWidth = 1.5 * dpr;
            ctx.setLineDash(style[1].map(function (v) { return v * dpr; }));
            ctx.beginPath();
            ctx.moveTo(g.x + 0.5, top);
            ctx.lineTo(g.x + 0.5, top + h);
            ctx.stroke();
            var first = g.items[0].n, last = g.items[g.items.length - 1].n;
            var label = first === last ? String(first) : first + '–' + last;
            var w = ctx.measureText(label).width + 6 * dpr;
            // Two label rows, so that neighbouring markers do not print over each other.
            row = g.x - w / 2 < lastLabelEnd ? 1 - row : 0;
            var y = top + 2 * dpr + row * 13 * dpr;
            ctx.globalAlpha = 1;
            ctx.setLineDash([]);
            ctx.fillStyle = '#ffffff';
            ctx.fillRect(g.x - w / 2, y - 1 * dpr, w, 12 * dpr);
            ctx.strokeRect(g.x - w / 2, y - 1 * dpr, w, 12 * dpr);
            ctx.fillStyle = style[0];
            ctx.fillText(label, g.x - w / 2 + 3 * dpr, y);
            if (row === 0) lastLabelEnd = g.x + w / 2;
          });
          ctx.restore();
        }]
      }
    };
  }

  /** Grey band over the warmup (excluded from headline statistics), and horizontal target lines. */
  function backdropPlugin(warmup, targets) {
    return {
      hooks: {
        drawAxes: [function (u) {
          if (!(warmup > 0)) return;
          var ctx = u.ctx, x0 = u.valToPos(u.scales.x.min, 'x', true), x1 = u.valToPos(warmup, 'x', true);
          x1 = Math.min(x1, u.bbox.left + u.bbox.width);
          if (x1 <= x0) return;
          ctx.save();
          ctx.fillStyle = 'rgba(120,130,150,0.10)';
          ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
          ctx.restore();
        }],
        draw: [function (u) {
          var dpr = uPlot.pxRatio || 1, ctx = u.ctx;
          (targets || []).forEach(function (t) {
            var y = Math.round(u.valToPos(t.value, 'y', true));
            if (y < u.bbox.top || y > u.bbox.top + u.bbox.height) return;
            ctx.save();
            ctx.strokeStyle = t.color || '#c92a2a';
            ctx.setLineDash([6 * dpr, 4 * dpr]);
            ctx.lineWidth = 1 * dpr;
            ctx.beginPath();
            ctx.moveTo(u.bbox.left, y + 0.5);
            ctx.lineTo(u.bbox.left + u.bbox.width, y + 0.5);
            ctx.stroke();
            ctx.font = (10 * dpr) + 'px system-ui, sans-serif';
            ctx.fillStyle = t.color || '#c92a2a';
            ctx.textAlign = 'right';
            ctx.textBaseline = 'bottom';
            ctx.fillText(t.label, u.bbox.left + u.bbox.width - 4 * dpr, y - 2 * dpr);
            ctx.restore();
          });
        }]
      }
    };
  }

  // ---- one chart -------------------------------------------------------------

  // Tick steps of a time axis, in seconds: whole seconds, minutes, hours, days.
  var TIME_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
                    172800, 604800, 2592000];

  var chartWidth = 0;
  function width() {
    if (!chartWidth) {
      var host = document.getElementById('charts') || document.body;
      chartWidth = Math.max(480, Math.min(1180, host.clientWidth || 1100) - 18);
    }
    return chartWidth;
  }

  /**
   * spec: {title, note, x: [...], xFormat: 'time'|'number'|fn, xLabel, yFormat, yLabel, series: [{label, values,
   * color, dash, fill, step, width, legend(valueIndex) -> text}], bands: [[hi, lo, fill]], events, warmup,
   * targets: [{value, label}], yMin, yMax}
   */
  function chart(parent, spec) {
    var box = el('div', 'chart');
    box.appendChild(el('h3', null, spec.title));
    if (spec.note) box.appendChild(el('p', 'note', spec.note));
    parent.appendChild(box);
    var xf = typeof spec.xFormat === 'function' ? spec.xFormat : FORMATS[spec.xFormat || 'time'];
    var yf = typeof spec.yFormat === 'function' ? spec.yFormat : FORMATS[spec.yFormat || 'number'];
    var data = [spec.x];
    // Legend values only while the cursor is over the plot; idle, the legend is just the series' names.
    var series = [{ label: spec.xLabel || 'time', value: function (u, v) { return v === null || v === undefined ? '' : xf(v); } }];
    spec.series.forEach(function (s, i) {
      data.push(s.values);
      var color = s.color || COLORS[i % COLORS.length];
      var opt = {
        label: s.label, stroke: color, width: s.width || 1.6, dash: s.dash, spanGaps: false,
        points: { show: s.points === true, size: 5, fill: color },
        value: function (u, v, si, idx) {
          if (idx === null || idx === undefined) return '';
          if (s.legend) return s.legend(idx);
          return v === null || v === undefined ? '--' : yf(v);
        }
      };
      if (s.fill) opt.fill = s.fill;
      if (s.step) opt.paths = uPlot.paths.stepped({ align: 1 });
      series.push(opt);
    });
    var maxY = spec.yMax;
    if (maxY === undefined) {
      var m = 0;
      spec.series.forEach(function (s) { s.values.forEach(function (v) { if (v !== null && v > m) m = v; }); });
      (spec.targets || []).forEach(function (t) { if (t.value > m) m = t.value; });
      maxY = m > 0 ? m * 1.1 : 1;
    }
    var minY = spec.yMin === undefined ? 0 : spec.yMin;
    var opts = {
      width: width(), height: spec.height || 230,
      scales: { x: { time: false }, y: { range: function () { return [minY, maxY]; } } },
      axes: [
        { values: function (u, splits) { return splits.map(function (v) { return xf(v); }); },
          label: spec.xAxisLabel, labelSize: spec.xAxisLabel ? 18 : 0, size: 34, font: '11px system-ui, sans-serif',
          splits: spec.xSplits, space: 70, incrs: (spec.xFormat || 'time') === 'time' ? TIME_INCRS : undefined },
        { values: function (u, splits) { return splits.map(function (v) { return yf(v); }); },
          size: 64, font: '11px system-ui, sans-serif', label: spec.yLabel, labelSize: 16, space: 28 }
      ],
      series: series,
      bands: (spec.bands || []).map(function (b) { return { series: [b[0], b[1]], fill: b[2] }; }),
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      plugins: [backdropPlugin(spec.warmup, spec.targets), markersPlugin(spec.events || [])]
    };
    var plot = new uPlot(opts, data, box);
    // Helper series (band edges) stay out of the legend.
    var rows = box.querySelectorAll('.u-legend .u-series');
    spec.series.forEach(function (s, i) { if (s.hideLegend && rows[i + 1]) rows[i + 1].style.display = 'none'; });
    return plot;
  }

  function section(title, note) {
    var host = document.getElementById('charts');
    var h = el('h2', null, title);
    host.appendChild(h);
    if (note) host.appendChild(el('p', 'muted', note));
    var grid = el('div', 'charts');
    host.appendChild(grid);
    return grid;
  }

  // ---- events -----------------------------------------------------------------

  /** Timeline and scale events of one report, sorted by time and numbered from 1 (as in the events table). */
  function reportEvents(report) {
    var evs = [];
    arr(get(report, 'timeline', [])).forEach(function (e) {
      evs.push({ time: num(e.time) || 0, kind: e.kind || 'event', target: e.target || '', detail: e.detail || '' });
    });
    arr(get(report, 'scale_events', [])).forEach(function (e) {
      evs.push({ time: num(e.time) || 0, kind: 'scale', target: e.component || '',
                 detail: (e.from !== undefined ? e.from + ' → ' + e.to : '') + (e.reason ? ' (' + e.reason + ')' : '') });
    });
    evs.sort(function (a, b) { return a.time - b.time; });
    evs.forEach(function (e, i) { e.n = i + 1; });
    return evs;
  }

  function eventsTable(parent, evs) {
    if (!evs.length) return;
    parent.appendChild(el('h2', null, 'Events'));
    parent.appendChild(el('p', 'muted', 'Numbered as on the charts\' markers.'));
    var t = el('table', 'events');
    var head = el('tr');
    ['#', 'time', 'event', 'target', 'detail'].forEach(function (h) { head.appendChild(el('th', null, h)); });
    t.appendChild(head);
    evs.forEach(function (e) {
      var tr = el('tr');
      tr.appendChild(el('td', 'num', String(e.n)));
      tr.appendChild(el('td', 't', fmtTime(e.time)));
      var kind = el('td');
      var key = el('span', 'marker-key');
      key.style.background = (EVENT_STYLES[e.kind] || ['#868e96'])[0];
      kind.appendChild(key);
      kind.appendChild(document.createTextNode(e.kind));
      tr.appendChild(kind);
      tr.appendChild(el('td', null, e.target));
      tr.appendChild(el('td', null, e.detail));
      t.appendChild(tr);
    });
    parent.appendChild(t);
  }

  // ---- a run's window series -------------------------------------------------------

  function windowSeconds(report) {
    var w = num(get(report, 'scenario.window', 10)) || 10;
    var merged = num(get(report, 'windows.merged_windows', 1)) || 1;
    return w * merged;
  }
  function perSecond(values, secs) { return arr(values).map(function (v) { return v === null ? null : v / secs; }); }
  function errorRates(report) {
    var c = arr(get(report, 'windows.completed', [])), f = arr(get(report, 'windows.failed', []));
    return c.map(function (v, i) { var t = v + (f[i] || 0); return t > 0 ? (f[i] || 0) / t : null; });
  }
  function targetLines(report, metrics) {
    var out = [];
    arr(get(report, 'expectations', [])).forEach(function (e) {
      if (metrics.indexOf(e.metric) >= 0 && !e['class'] && num(e.expected_value) !== null) {
        out.push({ value: e.expected_value, label: 'target ' + e.metric + ' ' + (e.expected || '') });
      }
    });
    return out;
  }

  function renderRun(report) {
    var xs = arr(get(report, 'windows.start', []));
    if (!xs.length) {
      document.getElementById('charts').appendChild(el('p', 'muted', 'No time series in this report.'));
      return;
    }
    var secs = windowSeconds(report);
    var evs = reportEvents(report);
    var warmup = num(get(report, 'scenario.warmup', 0)) || 0;
    // Counts and means are over a window: drawn at its middle. States sampled at its end (replicas): at its end.
    var mids = xs.map(function (x) { return x + secs / 2; }), ends = xs.map(function (x) { return x + secs; });
    var common = { x: mids, events: evs, warmup: warmup };
    function spec(extra) { var s = {}; var k; for (k in common) s[k] = common[k]; for (k in extra) s[k] = extra[k]; return s; }
    var wnote = 'Per metric window of ' + fmtDur(secs) + '. Shaded: warmup. Vertical lines: events (numbered as in the table below).';

    var g = section('Traffic', wnote);
    var reasons = get(report, 'windows.failed_by_reason', {});
    var names = Object.keys(reasons).sort();
    var series = [
      { label: 'arrivals/s', values: perSecond(get(report, 'windows.arrivals', []), secs), color: '#adb5bd', width: 1 },
      { label: 'completed/s', values: perSecond(get(report, 'windows.completed', []), secs), color: '#2f6fdb', width: 2 }
    ];
    var bands = [];
    var cum = xs.map(function () { return 0; });
    names.forEach(function (name, i) {
      var raw = perSecond(reasons[name], secs);
      cum = cum.map(function (v, k) { return v + (raw[k] || 0); });
      var color = REASON_COLORS[name] || COLORS[(i + 3) % COLORS.length];
      series.push({ label: 'failed/s: ' + name, values: cum.slice(), color: color, width: 1,
                    fill: i === 0 ? color + '99' : undefined,
                    legend: function (idx) { return raw[idx] === null || raw[idx] === undefined ? '--' : fmtNum(raw[idx]) + '/s'; } });
      if (i > 0) bands.push([series.length, series.length - 1, color + '99']);
    });
    chart(g, spec({ title: 'Throughput and failures', yFormat: 'rate', series: series, bands: bands,
                    note: names.length ? 'Failures stacked by reason.' : 'No request failed.' }));
    chart(g, spec({ title: 'Error rate', yFormat: 'ratio', series: [{ label: 'failed / finished', values: errorRates(report), color: '#c92a2a' }],
                    targets: targetLines(report, ['error_rate']) }));
    chart(g, spec({ title: 'Latency', yFormat: 'duration', targets: targetLines(report, ['latency_p50', 'latency_p99']),
                    series: [{ label: 'p50', values: arr(get(report, 'windows.latency_p50', [])), color: '#2f6fdb' },
                             { label: 'p99', values: arr(get(report, 'windows.latency_p99', [])), color: '#e8590c' }],
                    note: 'Of the requests completed in each window; merged windows keep their worst value.' }));

    var comps = arr(get(report, 'components', []));
    var g2 = section('Tiers');
    var withSeries = comps.filter(function (c) { return arr(get(c, 'series.utilization', [])).length; });
    if (withSeries.length) {
      chart(g2, spec({ title: 'Utilization by tier', yFormat: 'ratio', yMax: 1.05,
                       series: withSeries.map(function (c) { return { label: c.name, values: arr(c.series.utilization) }; }) }));
    }
    var scaled = comps.filter(function (c) { return arr(get(c, 'series.ready', [])).length; });
    if (scaled.length) {
      var rs = [];
      var maxR = 1;
      scaled.forEach(function (c, i) {
        var color = COLORS[i % COLORS.length];
        var ready = arr(c.series.ready), desired = arr(get(c, 'series.desired', []));
        ready.concat(desired).forEach(function (v) { if (v > maxR) maxR = v; });
        var differs = desired.some(function (v, k) { return v !== ready[k]; });
        rs.push({ label: differs ? c.name + ' ready' : c.name, values: ready, color: color, step: true, width: 2 });
        if (differs) rs.push({ label: c.name + ' desired', values: desired, color: color, step: true, dash: [5, 4], width: 1 });
      });
      chart(g2, spec({ title: 'Replicas over time', x: ends, yFormat: 'number', yMax: maxR + 1, series: rs,
                       note: 'Solid: instances ready to serve; dashed (where it differs): desired, the autoscaler\'s target or the configured count.' }));
    }
    var caches = comps.filter(function (c) { return arr(get(c, 'series.hit_ratio', [])).length; });
    if (caches.length) {
      chart(g2, spec({ title: 'Cache hit ratio', yFormat: 'ratio', yMax: 1.05,
                       series: caches.map(function (c) { return { label: c.name, values: arr(c.series.hit_ratio) }; }) }));
    }
    var dbs = comps.filter(function (c) { return arr(get(c, 'series.replication_lag_max', [])).length; });
    if (dbs.length) {
      chart(g2, spec({ title: 'Database replication lag', yFormat: 'duration',
                       targets: targetLines(report, ['replication_lag_max']),
                       series: dbs.map(function (c) { return { label: c.name + ' max lag', values: arr(c.series.replication_lag_max) }; }) }));
    }
    var queues = comps.filter(function (c) { return arr(get(c, 'series.depth', [])).length; });
    if (queues.length) {
      chart(g2, spec({ title: 'Queue depth', yFormat: 'number',
                       series: queues.map(function (c) { return { label: c.name, values: arr(c.series.depth) }; }) }));
    }
    var waits = comps.filter(function (c) { return arr(get(c, 'series.wait_mean', [])).length; });
    if (waits.length) {
      chart(g2, spec({ title: 'Queueing delay by tier', yFormat: 'duration', note: 'Mean wait for a worker per window.',
                       series: waits.map(function (c) { return { label: c.name, values: arr(c.series.wait_mean) }; }) }));
    }
    eventsTable(document.getElementById('charts'), evs);
  }

  // ---- several runs on one time axis -----------------------------------------

  /** Joins per-design series with different x arrays onto one x axis (null where a design has no point). */
  function joinSeries(list) {
    var tables = list.map(function (d) { return [d.x, d.y]; });
    if (!tables.length) return [[]];
    return uPlot.join(tables);
  }

  function overlay(grid, title, designs, pick, yFormat, events, note, targets) {
    var parts = designs.map(function (d) {
      var half = windowSeconds(d.report) / 2;
      return { x: arr(get(d.report, 'windows.start', [])).map(function (x) { return x + half; }), y: pick(d.report) };
    })
                       .filter(function (p) { return p.x.length && p.x.length === p.y.length; });
    if (!parts.length) return;
    var joined = joinSeries(parts);
    var series = [];
    designs.forEach(function (d, i) {
      if (i + 1 < joined.length) series.push({ label: d.name, values: joined[i + 1], color: d.color || COLORS[i % COLORS.length], width: d.width || 1.8 });
    });
    chart(grid, { title: title, x: joined[0], series: series, yFormat: yFormat, events: events, note: note, targets: targets,
                  warmup: num(get(designs[0].report, 'scenario.warmup', 0)) || 0 });
  }

  function faultEvents(report) {
    return reportEvents(report).filter(function (e) { return e.kind === 'fault'; })
      .map(function (e, i) { return { time: e.time, kind: e.kind, target: e.target, detail: e.detail, n: i + 1 }; });
  }

  function renderCompare(data) {
    var designs = arr(get(data, 'designs', [])).filter(function (d) { return d.report; });
    if (!designs.length) return;
    var evs = faultEvents(designs[0].report);
    var g = section('Over time, per design', 'One line per design. Vertical lines: the scenario\'s faults (numbered in the table below).');
    overlay(g, 'Latency p99', designs, function (r) { return arr(get(r, 'windows.latency_p99', [])); }, 'duration', evs, null,
            targetLines(designs[0].report, ['latency_p99']));
    overlay(g, 'Error rate', designs, errorRates, 'ratio', evs, null, targetLines(designs[0].report, ['error_rate']));
    overlay(g, 'Throughput (completed/s)', designs, function (r) { return perSecond(get(r, 'windows.completed', []), windowSeconds(r)); }, 'rate', evs);
    overlay(g, 'Latency p50', designs, function (r) { return arr(get(r, 'windows.latency_p50', [])); }, 'duration', evs);
    eventsTable(document.getElementById('charts'), evs);
  }

  function renderMonteCarlo(data) {
    var runs = arr(get(data, 'runs', [])).filter(function (r) { return r.report; });
    if (!runs.length) return;
    var shown = runs.slice(0, 40).map(function (r) {
      return { name: 'seed ' + r.seed, report: r.report, color: 'rgba(47,111,219,0.28)', width: 1 };
    });
    var g = section('Over time, every run', 'Thin lines: one per run (at most 40 shown); thick: the mean over runs per window.');
    function withMean(pick) {
      var parts = runs.map(function (r) { return pick(r.report); });
      var n = Math.max.apply(null, parts.map(function (p) { return p.length; }));
      var mean = [];
      for (var i = 0; i < n; i++) {
        var s = 0, k = 0;
        parts.forEach(function (p) { if (p[i] !== null && p[i] !== undefined) { s += p[i]; k++; } });
        mean.push(k ? s / k : null);
      }
      return mean;
    }
    var evs = faultEvents(runs[0].report);
    [['Latency p99', function (r) { return arr(get(r, 'windows.latency_p99', [])); }, 'duration', ['latency_p99']],
     ['Error rate', errorRates, 'ratio', ['error_rate']],
     ['Throughput (completed/s)', function (r) { return perSecond(get(r, 'windows.completed', []), windowSeconds(r)); }, 'rate', []]]
      .forEach(function (c) {
        var meanReport = { scenario: get(runs[0].report, 'scenario', {}),
                           windows: { start: arr(get(runs[0].report, 'windows.start', [])),
                                      merged_windows: get(runs[0].report, 'windows.merged_windows', 1) } };
        var list = shown.concat([{ name: 'mean', report: meanReport, color: '#e8590c', width: 2.5 }]);
        var mean = withMean(c[1]);
        overlay(g, c[0], list, function (r) { return r === meanReport ? mean : c[1](r); }, c[2], evs, null,
                targetLines(runs[0].report, c[3]));
      });
  }

  /** A sweep value as a number (its leading number when every value has the same unit suffix), or null. */
  function numericAxis(values) {
    var suffix = null, out = [];
    for (var i = 0; i < values.length; i++) {
      var m = /^\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*(.*)$/.exec(String(values[i]));
      if (!m) return null;
      if (suffix === null) suffix = m[2];
      if (m[2] !== suffix) return null;
      out.push(parseFloat(m[1]));
    }
    return { values: out, suffix: suffix || '' };
  }

  function shortName(path) { var p = String(path).split('.'); return p[p.length - 1]; }

  function renderSweep(data) {
    var points = arr(get(data, 'points', []));
    var params = arr(get(data, 'parameters', []));
    if (!points.length) return;
    // x: the first parameter with numeric values; one line per combination of the others.
    var xParam = -1, axis = null;
    for (var p = 0; p < params.length && xParam < 0; p++) {
      var a = numericAxis(points.map(function (pt) { return arr(pt.values)[p]; }));
      if (a) { xParam = p; axis = a; }
    }
    var groups = {}, order = [];
    points.forEach(function (pt, i) {
      var key = arr(pt.values).filter(function (v, k) { return k !== xParam; })
        .map(function (v, k) { return shortName(params.filter(function (q, j) { return j !== xParam; })[k]) + '=' + v; }).join(', ');
      if (!(key in groups)) { groups[key] = []; order.push(key); }
      groups[key].push({ x: xParam >= 0 ? axis.values[i] : i, pt: pt });
    });
    var xs = [];
    order.forEach(function (k) { groups[k].forEach(function (g) { if (xs.indexOf(g.x) < 0) xs.push(g.x); }); });
    xs.sort(function (a, b) { return a - b; });
    var xFormat = xParam >= 0 ? function (v) { return fmtNum(v) + axis.suffix; }
                              : function (v) { var pt = points[Math.round(v)]; return pt && Math.abs(v - Math.round(v)) < 1e-9 ? pt.name : ''; };
    var grid = section('Metrics by sweep point', (xParam >= 0 ? 'x: ' + params[xParam] + '. ' : 'x: sweep point. ') +
                       'Points: mean over seeds; band: min to max over seeds.');
    arr(get(data, 'metrics', [])).forEach(function (metric) {
      var series = [], bands = [];
      order.forEach(function (key, gi) {
        var color = COLORS[gi % COLORS.length];
        var mean = xs.map(function () { return null; }), lo = mean.slice(), hi = mean.slice();
        groups[key].forEach(function (g) {
          var st = get(g.pt, 'stats.' + metric.name, null);
          if (!st) return;
          var i = xs.indexOf(g.x);
          mean[i] = num(st.mean); lo[i] = num(st.min); hi[i] = num(st.max);
        });
        var label = key || metric.name;
        series.push({ label: label + ' max', values: hi, color: color + '55', width: 1, hideLegend: true });
        series.push({ label: label + ' min', values: lo, color: color + '55', width: 1, hideLegend: true });
        bands.push([series.length - 1, series.length, color + '22']);
        series.push({ label: label, values: mean, color: color, width: 2, points: true });
      });
      chart(grid, { title: metric.title || metric.name, x: xs, xFormat: xFormat, xLabel: xParam >= 0 ? params[xParam] : 'point',
                    xSplits: xParam >= 0 && xs.length > 12 ? undefined : function () { return xs; },
                    yFormat: metric.unit || 'number', series: series, bands: bands, height: 220 });
    });
  }

  // Pages made of static tables only (the chaos matrix) need no drawing.
  function renderTables() {}

  // The capacity report: growth over the months, and per tier what is needed, planned and simulated.
  function renderCapacity(data) {
    var s = get(data, 'series', null);
    if (!s) return;
    var months = arr(s.month);
    var monthFmt = function (v) { return (Math.round(v * 10) / 10) + ' mo'; };
    var g = section('Growth', 'By the plan\'s growth model, month by month.');
    chart(g, { title: 'Users', x: months, xFormat: monthFmt, xLabel: 'month', yFormat: 'number',
               series: [{ label: 'users', values: arr(s.users) }] });
    chart(g, { title: 'Peak request rate', x: months, xFormat: monthFmt, xLabel: 'month', yFormat: 'rate',
               series: [{ label: 'requests/s', values: arr(s.request_rate) }] });
    var required = get(s, 'required', {}), planned = get(s, 'planned', {});
    var horizons = arr(get(data, 'horizons', []));
    var g2 = section('Servers per tier', 'Needed by the plan\'s per-user estimates (line), planned (steps), and the ' +
                     'simulation\'s answer at each horizon (points).');
    Object.keys(required).sort().forEach(function (tier) {
      // The simulated counts sit at the horizons; elsewhere the series has gaps.
      var sim = months.map(function () { return null; });
      horizons.forEach(function (h) {
        arr(h.tiers).forEach(function (t) {
          if (t.tier !== tier || !t.simulated || t.simulated.servers === undefined) return;
          var i = months.indexOf(h.month);
          if (i >= 0) sim[i] = t.simulated.servers;
        });
      });
      var series = [{ label: 'needed (per-user estimates)', values: arr(required[tier]), color: '#c92a2a' },
                    { label: 'planned', values: arr(planned[tier]).map(function (v) { return v < 0 ? null : v; }),
                      color: '#1c7ed6', step: true }];
      if (sim.some(function (v) { return v !== null; })) series.push({ label: 'simulated', values: sim, color: '#2b8a3e', points: true, width: 0.001 });
      chart(g2, { title: 'Tier ' + tier, x: months, xFormat: monthFmt, xLabel: 'month', yFormat: 'number', series: series });
    });
  }

  var RENDERERS = { run: renderRun, compare: renderCompare, montecarlo: renderMonteCarlo, sweep: renderSweep,
                    tables: renderTables, capacity: renderCapacity };

  window.infrasim = {
    render: function (kind, data) {
      var root = document.documentElement;
      try {
        if (typeof uPlot === 'undefined') throw new Error('the chart library did not load');
        var r = RENDERERS[kind];
        if (!r) throw new Error('unknown report kind ' + kind);
        r(data);
        if (!root.getAttribute('data-render')) root.setAttribute('data-render', 'ok');
        root.setAttribute('data-height', String(Math.ceil(document.body.getBoundingClientRect().bottom + window.scrollY)));
      } catch (e) {
        root.setAttribute('data-render', 'error: ' + (e && e.message ? e.message : String(e)));
        var host = document.getElementById('charts') || document.body;
        host.appendChild(el('p', 'fail', 'Charts could not be drawn: ' + (e && e.message ? e.message : e)));
        throw e;  // also to the console, where scripts/check-report sees it
      }
    },
    fmtTime: fmtTime, fmtDur: fmtDur
  };
})();
