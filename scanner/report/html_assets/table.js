// A sortable, filterable, paged table.

function dataTable(o) {
  var state = { sortKey: null, dir: null, query: '', filter: null, page: 0, pageSize: o.pageSize || 50 };
  var view = o.rows;
  var headers = o.columns.map(function (col) {
    var sortable = col.sortable !== false;
    var th = h('th', { scope: 'col', class: [col.num ? 'num' : '', sortable ? 'sortable' : ''].join(' ').trim() || null, 'data-key': col.key },
      [col.label, sortable ? h('span', { class: 'arrow', 'aria-hidden': 'true' }, '↕') : null]);
    if (sortable) {
      th.tabIndex = 0;
      th.addEventListener('click', function () { sortBy(col); });
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(col); } });
    }
    return th;
  });
  var tbody = h('tbody');
  var table = h('table', { id: o.id, class: 'data' }, [h('thead', null, h('tr', null, headers)), tbody]);
  var info = h('span', { class: 'info' });
  var prev = h('button', { type: 'button', class: 'btn', onclick: function () { state.page -= 1; draw(); } }, '‹ Prev');
  var next = h('button', { type: 'button', class: 'btn', onclick: function () { state.page += 1; draw(); } }, 'Next ›');
  var size = h('select', { 'aria-label': 'Rows per page', onchange: function () { state.pageSize = Number(size.value); state.page = 0; draw(); } },
    PAGE_SIZES.map(function (n) { return h('option', { value: n, selected: n === state.pageSize }, n + ' / page'); }));
  var pager = h('div', { class: 'pager', id: o.id + '-pager' }, [info, h('div', { class: 'buttons' }, [size, prev, next])]);
  append(o.host, [table, pager]);

  function searchKey(row) {
    if (row.__search === undefined) { row.__search = o.searchText(row).join(' ').toLowerCase(); }
    return row.__search;
  }
  function compare(col, dir) {
    var sign = dir === 'asc' ? 1 : -1;
    return function (a, b) {
      var x = col.value(a), y = col.value(b);
      var xe = x == null || x === '', ye = y == null || y === '';
      if (xe || ye) { return xe === ye ? 0 : (xe ? 1 : -1); }  // missing values last, either way
      if (typeof x === 'number' && typeof y === 'number') { return sign * (x - y); }
      return sign * collator.compare(String(x), String(y));
    };
  }
  function sortBy(col) {
    if (state.sortKey === col.key) { state.dir = state.dir === 'asc' ? 'desc' : 'asc'; }
    else { state.sortKey = col.key; state.dir = col.firstDir || (col.num ? 'desc' : 'asc'); }
    state.page = 0;
    refresh();
  }
  function refresh() {
    var rows = o.rows;
    var q = state.query;
    if (q) { rows = rows.filter(function (r) { return searchKey(r).indexOf(q) >= 0; }); }
    if (state.filter) { rows = rows.filter(state.filter); }
    if (state.sortKey) {
      var col = o.columns.filter(function (c) { return c.key === state.sortKey; })[0];
      rows = rows.slice().sort(compare(col, state.dir));
    }
    view = rows;
    headers.forEach(function (th, i) {
      var col = o.columns[i];
      var arrow = th.querySelector('.arrow');
      if (col.key === state.sortKey) {
        th.setAttribute('aria-sort', state.dir === 'asc' ? 'ascending' : 'descending');
        arrow.textContent = state.dir === 'asc' ? '▲' : '▼';
      } else if (arrow) {
        th.removeAttribute('aria-sort');
        arrow.textContent = '↕';
      }
    });
    draw();
  }
  function draw() {
    var pages = Math.max(1, Math.ceil(view.length / state.pageSize));
    state.page = Math.max(0, Math.min(state.page, pages - 1));
    var start = state.page * state.pageSize;
    var slice = view.slice(start, start + state.pageSize);
    var frag = document.createDocumentFragment();
    slice.forEach(function (row) {
      var tr = h('tr', { class: o.open ? 'clickable' : null, 'data-key': row.key });
      o.columns.forEach(function (col) {
        var content = col.render ? col.render(row) : (col.num ? num(col.value(row)) : (col.value(row) == null ? '—' : col.value(row)));
        tr.append(h('td', { class: col.num ? 'num' : null, 'data-col': col.key }, content));
      });
      if (o.open) {
        tr.tabIndex = 0;
        tr.addEventListener('click', function () { o.open(row); });
        tr.addEventListener('keydown', function (e) { if (e.key === 'Enter' && e.target === tr) { o.open(row); } });
      }
      frag.append(tr);
    });
    if (!slice.length) {
      frag.append(h('tr', { class: 'empty-row' }, h('td', { class: 'empty', colspan: o.columns.length },
        o.rows.length ? 'No rows match the filter.' : o.emptyText)));
    }
    tbody.replaceChildren(frag);
    table.setAttribute('data-total', view.length);
    var shown = slice.length ? (num(start + 1) + '–' + num(start + slice.length) + ' of ' + num(view.length)) : '0 of ' + num(view.length);
    info.textContent = 'Showing ' + shown + (view.length !== o.rows.length ? ' (filtered from ' + num(o.rows.length) + ')' : '');
    prev.disabled = state.page === 0;
    next.disabled = state.page >= pages - 1;
  }
  refresh();
  return {
    search: function (text) { state.query = text.trim().toLowerCase(); state.page = 0; refresh(); },
    setFilter: function (f) { state.filter = f; state.page = 0; refresh(); },
  };
}
