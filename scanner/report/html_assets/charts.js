// Bar charts as inline SVG: leaks by month, top identities by sprawl, findings by owner.

// a whole-number grid step (1, 2 or 5 times a power of ten) giving about four lines up to the largest value
function gridStep(max) {
  var raw = Math.max(1, max) / 4;
  var p = Math.pow(10, Math.floor(Math.log10(raw)));
  var step = [1, 2, 5, 10].map(function (f) { return f * p; }).filter(function (v) { return v >= raw; })[0];
  return Math.max(1, Math.round(step));
}
function truncate(text, n) { return text.length > n ? text.slice(0, n - 1) + '…' : text; }

function columnChart(host, items, label, empty) {
  if (!items.length) { append(host, h('p', { class: 'empty' }, empty)); return; }
  var W = 960, H = 260, L = 44, R = 10, T = 18, B = 36;
  var pw = W - L - R, ph = H - T - B, slot = pw / items.length, bw = Math.max(1, slot * 0.72);
  var top = Math.max.apply(null, items.map(function (d) { return d.value; }));
  var step = gridStep(top), lines = Math.max(1, Math.ceil(top / step)), max = step * lines;
  var every = Math.ceil(items.length / 16);
  var svg = s('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': label });
  for (var t = 0; t <= lines; t++) {
    var gy = T + ph - (ph * t) / lines;
    svg.append(s('line', { class: t ? 'grid' : 'axis', x1: L, x2: W - R, y1: gy, y2: gy }));
    svg.append(s('text', { class: 'tick', x: L - 6, y: gy + 4, 'text-anchor': 'end' }, num(step * t)));
  }
  items.forEach(function (d, i) {
    var bh = (ph * d.value) / max, x = L + i * slot + (slot - bw) / 2;
    svg.append(s('rect', { class: 'bar', x: x.toFixed(2), y: (T + ph - bh).toFixed(2), width: bw.toFixed(2), height: bh.toFixed(2),
      'data-label': d.label, 'data-value': d.value }, s('title', null, d.title)));
    if (i % every === 0) {
      svg.append(s('text', { class: 'axis-label', x: (x + bw / 2).toFixed(2), y: H - B + 16, 'text-anchor': 'middle' }, d.label));
    }
    if (items.length <= 24 && d.value) {
      svg.append(s('text', { class: 'value-label', x: (x + bw / 2).toFixed(2), y: (T + ph - bh - 4).toFixed(2), 'text-anchor': 'middle' }, num(d.value)));
    }
  });
  append(host, svg);
}

function barChart(host, items, label, empty) {
  if (!items.length) { append(host, h('p', { class: 'empty' }, empty)); return; }
  var W = 480, L = 150, R = 48, row = 26, T = 4, H = T + items.length * row + 4;
  var max = Math.max(1, Math.max.apply(null, items.map(function (d) { return d.value; })));
  var svg = s('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': label });
  svg.append(s('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - 4 }));
  items.forEach(function (d, i) {
    var y = T + i * row, bw = ((W - L - R) * d.value) / max;
    var bar = s('rect', { class: 'bar ' + (d.cls || ''), x: L, y: y + 4, width: Math.max(1, bw).toFixed(2), height: row - 8, rx: 3,
      'data-label': d.label, 'data-value': d.value }, s('title', null, d.title));
    svg.append(s('text', { class: 'axis-label', x: L - 8, y: y + row / 2 + 4, 'text-anchor': 'end' }, [truncate(d.label, 24), s('title', null, d.label)]));
    if (d.open) {
      bar.setAttribute('cursor', 'pointer');
      bar.addEventListener('click', d.open);
    }
    svg.append(bar);
    svg.append(s('text', { class: 'value-label', x: (L + Math.max(1, bw) + 6).toFixed(2), y: y + row / 2 + 4 }, num(d.value)));
  });
  append(host, svg);
}

function monthSeries(timeline) {
  var counts = new Map();
  timeline.forEach(function (t) { if (/^\d{4}-\d{2}$/.test(t.month)) { counts.set(t.month, (counts.get(t.month) || 0) + t.credentials); } });
  var months = Array.from(counts.keys()).sort();
  if (!months.length) { return []; }
  var out = [];
  var y = Number(months[0].slice(0, 4)), m = Number(months[0].slice(5, 7));
  var last = months[months.length - 1];
  for (;;) {  // every month from the first to the last, months without leaks as zero
    var key = y + '-' + (m < 10 ? '0' : '') + m;
    var v = counts.get(key) || 0;
    out.push({ label: key, value: v, title: key + ': ' + plural(v, 'credential') + ' first seen' });
    if (key >= last) { break; }
    m += 1; if (m > 12) { m = 1; y += 1; }
  }
  return out;
}

function drawCharts() {
  columnChart(byId('chart-timeline').querySelector('.chart-body'), monthSeries(doc.timeline || []), 'Leaks by month first seen',
    'No first-seen dates: scan git history to date each leak.');
  var top = identityRows.filter(function (r) { return !r.pseudo && r.locations > 0; })
    .slice().sort(function (a, b) { return (b.locations - a.locations) || collator.compare(a.name, b.name); }).slice(0, 10)
    .map(function (r) {
      return { label: r.name, value: r.locations, cls: 'sev-' + (r.severity || 'none'),
        title: r.name + ': ' + plural(r.locations, 'location') + ' across ' + plural(r.count, 'credential'),
        open: function () { navigate(r.route); } };
    });
  barChart(byId('chart-sprawl').querySelector('.chart-body'), top, 'Top identities by sprawl',
    identities.length ? 'No identity has leaked credentials.' : 'No identities: no inventory was given.');
  var sorted = owners.slice().sort(function (a, b) { return (b.credentials - a.credentials) || collator.compare(a.team, b.team); });
  var shown = sorted.slice(0, sorted.length > 12 ? 11 : 12).map(function (o) {
    return { label: o.team, value: o.credentials, cls: 'sev-' + (o.worst_severity || 'none'),
      title: o.team + ': ' + plural(o.credentials, 'credential'), open: function () { navigate('owner=' + encodeURIComponent(o.team)); } };
  });
  if (sorted.length > 12) {
    var rest = sorted.slice(11);
    var n = sum(rest, function (o) { return o.credentials; });
    shown.push({ label: 'Other (' + rest.length + ' owners)', value: n, cls: 'sev-none', title: rest.length + ' more owners: ' + plural(n, 'credential') });
  }
  var unowned = credentials.filter(function (c) { return !c.owner; }).length;
  if (unowned) { shown.push({ label: 'No owner', value: unowned, cls: 'sev-none', title: 'No owner: ' + plural(unowned, 'credential') }); }
  barChart(byId('chart-owners').querySelector('.chart-body'), shown, 'Findings by owner', 'No credentials.');
}
