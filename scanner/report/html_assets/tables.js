// The identity, credential, owner, candidate and certificate tables.

function drawTables() {
  var identityTable = dataTable({
    id: 'identity-table', host: byId('identity-table-host'), rows: identityRows, pageSize: 50,
    emptyText: 'No identities in this report.', open: function (r) { navigate(r.route); },
    searchText: function (r) {
      var i = r.identity || {};
      return [r.name, r.id, r.kind, r.team, i.owner && i.owner.contact, r.environment].concat(i.tags || [], r.pseudo ? ['unknown'] : []).filter(Boolean);
    },
    columns: [
      { key: 'name', label: 'Identity', value: function (r) { return r.name; }, render: function (r) {
        return [linkButton(r.name, function () { navigate(r.route); }, { class: 'link' + (r.pseudo ? ' unknown' : '') }),
          r.pseudo ? h('div', { class: 'sub-line' }, 'credentials not tied to any inventory identity')
            : (r.id !== r.name ? h('div', { class: 'sub-line' }, r.id) : null)];
      } },
      { key: 'kind', label: 'Kind', value: function (r) { return r.kind; } },
      { key: 'owner', label: 'Owner', value: function (r) { return r.team; } },
      { key: 'environment', label: 'Env', value: function (r) { return r.environment; } },
      { key: 'severity', label: 'Worst', num: false, firstDir: 'desc', value: function (r) { return sevRank(r.severity) || null; },
        render: function (r) { return r.severity ? sevBadge(r.severity) : '—'; } },
      { key: 'credentials', label: 'Credentials', num: true, value: function (r) { return r.count; } },
      { key: 'locations', label: 'Locations', num: true, value: function (r) { return r.locations; } },
      { key: 'exposure', label: 'Exposure (days)', num: true, value: function (r) { return r.exposure; } },
      { key: 'overdue', label: 'Overdue', num: true, value: function (r) { return r.overdue; } },
      { key: 'shared', label: 'Shared', num: true, value: function (r) { return r.shared; } },
    ],
  });
  byId('identity-search').addEventListener('input', function (e) { identityTable.search(e.target.value); });

  var credentialRows = credentials.slice().sort(doFirstOrder);
  credentialRows.forEach(function (c) { c.key = 'credential=' + c.fingerprint; });
  var credentialTable = dataTable({
    id: 'credential-table', host: byId('credential-table-host'), rows: credentialRows, pageSize: 50,
    emptyText: 'No credentials in this report.', open: function (c) { navigate('credential=' + encodeURIComponent(c.fingerprint)); },
    searchText: function (c) {
      return [c.rule_name, c.rule_id, c.kind, c.provider, c.secret, c.fingerprint, c.identity, c.identity_name, c.candidate,
        c.owner && c.owner.team, c.first_seen && c.first_seen.path, c.identity == null ? 'unknown' : null]
        .concat(locationsOf(c).slice(0, 50).map(function (l) { return (l.repository || '') + ' ' + l.path; })).filter(Boolean);
    },
    columns: [
      { key: 'priority', label: 'Do first', num: true, firstDir: 'asc', value: function (c) { return c.priority; } },
      { key: 'severity', label: 'Severity', firstDir: 'desc', value: function (c) { return sevRank(c.severity) || null; },
        render: function (c) { return sevBadge(c.severity); } },
      { key: 'rule', label: 'Credential', value: function (c) { return c.rule_name || c.rule_id; }, render: function (c) {
        return [h('div', null, c.rule_name || c.rule_id), h('div', { class: 'sub-line' }, [c.kind, c.provider].filter(Boolean).join(' · '))];
      } },
      { key: 'secret', label: 'Secret', value: function (c) { return c.secret; },
        render: function (c) { return h('code', { class: 'secret' }, c.secret || '—'); } },
      { key: 'identity', label: 'Identity', value: function (c) { return c.identity == null ? null : (c.identity_name || c.identity); },
        render: function (c) {
        if (c.identity != null) { return identityLink(c.identity); }
        return [h('span', { class: 'badge unknown' }, 'unknown'), c.candidate ? h('div', { class: 'sub-line' }, 'candidate ' + c.candidate) : null];
      } },
      { key: 'owner', label: 'Owner', value: function (c) { return c.owner ? c.owner.team : null; } },
      { key: 'first_seen', label: 'First seen', value: function (c) { return c.first_seen ? c.first_seen.date : null; },
        render: function (c) { return day(c.first_seen && c.first_seen.date); } },
      { key: 'exposure', label: 'Exposure (days)', num: true, value: function (c) { return c.exposure_days; } },
      { key: 'locations', label: 'Locations', num: true, value: function (c) { return locationCount(c); } },
      { key: 'repositories', label: 'Repos', num: true, value: function (c) { return c.sprawl.repositories; } },
      { key: 'status', label: 'Status', firstDir: 'desc', value: statusScore, render: statusBadges },
    ],
  });
  byId('credential-search').addEventListener('input', function (e) { credentialTable.search(e.target.value); });
  var sevSelect = byId('credential-severity'), stateSelect = byId('credential-state');
  var STATES = {
    unknown: function (c) { return c.identity == null; },
    shared: function (c) { return !!c.shared; }, overdue: function (c) { return !!c.rotation_overdue; },
    present: function (c) { return c.present === true; }, removed: function (c) { return !!c.removed; },
    'verified-live': function (c) { return c.verified === 'live'; },
    'verified-invalid': function (c) { return c.verified === 'invalid'; },
    unverified: function (c) { return (c.verified || 'unverified') === 'unverified'; },
  };
  if (anyVerified()) {  // the verification states, offered when a provider was asked about anything
    var present = stateSelect.querySelector('option[value=present]');
    [['verified-live', 'Live (verified)'], ['verified-invalid', 'Invalid (revoked or rotated)'], ['unverified', 'Unverified']]
      .forEach(function (o) { stateSelect.insertBefore(h('option', { value: o[0] }, o[1]), present); });
  }
  function applyFilters() {
    var sev = sevSelect.value, st = STATES[stateSelect.value];
    credentialTable.setFilter(sev || st ? function (c) { return (!sev || c.severity === sev) && (!st || st(c)); } : null);
  }
  sevSelect.addEventListener('change', applyFilters);
  stateSelect.addEventListener('change', applyFilters);

  var ownerRows = owners.map(function (o) {
    return Object.assign({ key: 'owner=' + o.team, route: 'owner=' + encodeURIComponent(o.team) }, o);
  });
  dataTable({
    id: 'owner-table', host: byId('owner-table-host'), rows: ownerRows, pageSize: 25, emptyText: doc.inventory ? 'No owners.' : 'No owners: no inventory was given.',
    open: function (o) { navigate(o.route); }, searchText: function (o) { return [o.team, o.contact].concat(o.aliases || []).filter(Boolean); },
    columns: [
      { key: 'team', label: 'Team', value: function (o) { return o.team; },
        render: function (o) { return [linkButton(o.team, function () { navigate(o.route); }),
          (o.aliases || []).length ? h('div', { class: 'sub-line' }, 'also ' + o.aliases.join(', ')) : null]; } },
      { key: 'contact', label: 'Contact', value: function (o) { return o.contact; } },
      { key: 'identities', label: 'Identities', num: true, value: function (o) { return (o.identities || []).length; } },
      { key: 'credentials', label: 'Credentials', num: true, value: function (o) { return o.credentials; } },
      { key: 'exposure', label: 'Exposure (days)', num: true, value: function (o) { return o.exposure_days; } },
      { key: 'severity', label: 'Worst', firstDir: 'desc', value: function (o) { return sevRank(o.worst_severity) || null; },
        render: function (o) { return o.worst_severity ? sevBadge(o.worst_severity) : '—'; } },
    ],
  });

  var candidateRows = candidates.map(function (k) {
    var creds = (k.credentials || []).map(credentialRef).filter(Boolean);
    return Object.assign({ key: 'candidate=' + k.id, route: 'candidate=' + encodeURIComponent(k.id), creds: creds, severity: worstSeverity(creds) }, k);
  });
  dataTable({
    id: 'candidate-table', host: byId('candidate-table-host'), rows: candidateRows, pageSize: 25,
    emptyText: 'No candidate identities.', open: function (k) { navigate(k.route); },
    searchText: function (k) { return [k.id, k.basis].concat(factList(k.facts)); },
    columns: [
      { key: 'id', label: 'Candidate', value: function (k) { return k.id; },
        render: function (k) { return linkButton(k.id, function () { navigate(k.route); }); } },
      { key: 'basis', label: 'Basis', value: function (k) { return k.basis; } },
      { key: 'facts', label: 'Facts', sortable: false, value: function (k) { return null; },
        render: function (k) { return factList(k.facts).map(function (f) { return h('div', { class: 'sub-line fact' }, f); }); } },
      { key: 'credentials', label: 'Credentials', num: true, value: function (k) { return k.creds.length; } },
      { key: 'locations', label: 'Locations', num: true, value: function (k) { return sum(k.creds, locationCount); } },
      { key: 'severity', label: 'Worst', firstDir: 'desc', value: function (k) { return sevRank(k.severity) || null; },
        render: function (k) { return k.severity ? sevBadge(k.severity) : '—'; } },
    ],
  });

  certificates.forEach(function (ct, i) { ct.key = 'certificate=' + i; });
  dataTable({
    id: 'certificate-table', host: byId('certificate-table-host'), rows: certificates, pageSize: 25,
    emptyText: 'No certificates found.', searchText: function (ct) { return [ct.path, ct.subject, ct.issuer, ct.serial, ct.identity].filter(Boolean); },
    columns: [
      { key: 'subject', label: 'Subject', value: function (ct) { return ct.subject; }, render: function (ct) {
        return [h('div', null, ct.subject || '—'), h('div', { class: 'sub-line' }, 'issuer ' + (ct.issuer || '—'))];
      } },
      { key: 'path', label: 'Path', value: function (ct) { return ct.path; }, render: function (ct) { return h('span', { class: 'path' }, ct.path); } },
      { key: 'not_after', label: 'Not after', value: function (ct) { return ct.not_after; }, render: function (ct) { return day(ct.not_after); } },
      { key: 'expires', label: 'Expires in (days)', num: true, firstDir: 'asc', value: function (ct) { return ct.expires_in_days; } },
      { key: 'status', label: 'Status', value: function (ct) { return ct.expired ? 0 : (ct.expires_in_days != null && ct.expires_in_days <= 30 ? 1 : 2); },
        render: function (ct) {
          if (ct.expired) { return h('span', { class: 'badge expired' }, 'expired'); }
          if (ct.expires_in_days != null && ct.expires_in_days <= 30) { return h('span', { class: 'badge expiring' }, 'expiring'); }
          return ct.expires_in_days != null ? h('span', { class: 'badge ok' }, 'valid') : '—';
        } },
      { key: 'identity', label: 'Identity', value: function (ct) { return ct.identity; },
        render: function (ct) { return ct.identity ? identityLink(ct.identity) : '—'; } },
    ],
  });
}

function factList(facts) {
  return Object.keys(facts || {}).sort().map(function (k) { return k + ' = ' + facts[k]; });
}
