// The drill-down drawer: an identity, the Unknown pseudo-identity, a credential, an owner, a candidate.

var drawer = byId('detail'), backdrop = byId('detail-backdrop'), body = byId('detail-body'), drawerTitle = byId('detail-title');
var returnFocus = null;

function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(function (p) { return p[1] != null && p[1] !== '' && !(Array.isArray(p[1]) && !p[1].length); })
    .map(function (p) { return h('div', null, [h('dt', null, p[0]), h('dd', null, p[1])]); }));
}
function moreButton(label, onClick) { return h('button', { type: 'button', class: 'btn more', onclick: onClick }, label); }

function locationTable(c) {
  var rows = locationsOf(c);
  var tbody = h('tbody');
  var table = h('table', { class: 'locations', 'data-fingerprint': c.fingerprint }, [
    h('thead', null, h('tr', null, ['Repository', 'Path', 'Line', 'Commit', 'Date', 'Status', 'Ref']
      .map(function (t) { return h('th', { scope: 'col' }, t); }))),
    tbody]);
  var shown = 0;
  var wrap = h('div', { class: 'table-host' }, table);
  var more = null;
  function drawMore() {
    var frag = document.createDocumentFragment();
    rows.slice(shown, shown + LOCATION_CHUNK).forEach(function (l) {
      frag.append(h('tr', { class: 'loc' }, [
        h('td', null, l.repository || '—'), h('td', { class: 'path' }, l.path),
        h('td', { class: 'num' }, l.line != null ? l.line + (l.column != null ? ':' + l.column : '') : '—'),
        h('td', { class: 'mono', title: l.commit || '' }, shortCommit(l.commit) || '—'), h('td', null, day(l.date)),
        h('td', null, l.status ? h('span', { class: 'badge' }, l.status) : '—'), h('td', { class: 'mono' }, l.ref || '—'),
      ]));
    });
    tbody.append(frag);
    shown = Math.min(rows.length, shown + LOCATION_CHUNK);
    if (more) { more.remove(); more = null; }
    if (shown < rows.length) {
      more = moreButton('Show ' + num(Math.min(LOCATION_CHUNK, rows.length - shown)) + ' more locations (' +
        num(shown) + ' of ' + num(rows.length) + ' shown)', drawMore);
      wrap.append(more);
    }
  }
  if (!rows.length) { tbody.append(h('tr', null, h('td', { class: 'empty', colspan: 7 }, 'No locations recorded.'))); }
  else { drawMore(); }
  var out = [wrap];
  if (c.locations_omitted) {
    out.push(h('p', { class: 'note' }, num(c.locations_omitted) + ' more locations are not embedded in this page (it holds at most ' +
      num(doc.location_cap) + ' per credential); the JSON report lists them all.'));
  }
  return out;
}

function credentialCard(c, context) {
  var fs = c.first_seen, rm = c.removed, sp = c.sprawl, m = c.match;
  var identityFact = c.identity != null
    ? (context === c.identity ? (c.identity_name || c.identity) : identityLink(c.identity))
    : h('span', { class: 'badge unknown' }, 'unknown');
  var attrs = Object.keys(c.attributes).sort();
  return h('article', { class: 'cred', 'data-fingerprint': c.fingerprint }, [
    h('div', { class: 'cred-head' }, [sevBadge(c.severity), h('h3', null, c.rule_name || c.rule_id),
      h('code', { class: 'secret' }, c.secret || '—'), statusBadges(c)]),
    facts([
      ['Fingerprint', h('span', { class: 'mono' }, c.fingerprint)], ['Rule', c.rule_id],
      ['Kind', [c.kind, c.provider].filter(Boolean).join(' · ') || null], ['Confidence', c.confidence],
      ['Identity', [identityFact, c.identity_source === 'provider' ? ' (named by its provider)' : '']],
      ['Verification', [verifiedBadge(c), c.verification ? ' ' + c.verification.provider + ', checked ' + stamp(c.verification.checked_at)
        + (c.verification.reason ? ' — ' + c.verification.reason : '') : '']],
      ['Provider identity', c.verification && (c.verification.identity || []).length
        ? c.verification.identity.map(function (p) { return p.key + '=' + p.value; }).join(', ') : null],
      ['Permissions', c.verification && (c.verification.permissions || []).length ? c.verification.permissions.join(', ') : null],
      ['Disagreement', (c.disagreements || []).length ? h('ul', { class: 'disagree' }, c.disagreements.map(function (d) { return h('li', null, d); })) : null],
      ['Revoke or rotate', c.revoke || null],
      ['Matched by', m ? m.selector + ' = ' + m.value + (m.strength != null ? ' (strength ' + m.strength + ')' : '') : null],
      ['Candidate', c.candidate ? linkButton(c.candidate, function () { navigate('candidate=' + encodeURIComponent(c.candidate)); }) : null],
      ['Owner', c.owner ? c.owner.team + (c.owner.contact ? ' · ' + c.owner.contact : '') : null],
      ['Shared by', c.shared_by.length ? c.shared_by.map(function (id, i) { return [i ? ', ' : '', identityLink(id)]; }) : null],
      ['First seen', fs ? [day(fs.date), fs.commit ? ' in ' + shortCommit(fs.commit) : '', fs.author ? ' by ' + fs.author : ''].join('') : null],
      ['First path', fs ? h('span', { class: 'path' }, fs.path) : null],
      ['Removed', rm ? day(rm.date) + (rm.commit ? ' in ' + shortCommit(rm.commit) : '') : null],
      ['Present at HEAD', c.present == null ? null : (c.present ? 'yes' : 'no, history only')],
      ['Findings', (c.rules || []).length > 1 ? c.rules.join(' + ') : null],
      ['Exposure', c.exposure_days != null ? plural(c.exposure_days, 'day') : null],
      ['Age', c.age_days != null ? plural(c.age_days, 'day') + (c.max_age_days != null ? ' (max ' + num(c.max_age_days) + ')' : '') : null],
      ['Certificate', c.cert_expired ? 'expired' : (c.cert_expires_in_days != null ? 'expires in ' + plural(c.cert_expires_in_days, 'day') : null)],
      ['Sprawl', [plural(locationCount(c), 'location'), sp.files != null ? plural(sp.files, 'file') : null,
        sp.repositories != null ? plural(sp.repositories, 'repo') : null, sp.refs != null ? plural(sp.refs, 'ref') : null].filter(Boolean).join(' · ')],
    ]),
    attrs.length ? facts(attrs.map(function (k) { return [k, c.attributes[k]]; })) : null,
    h('div', { class: 'remedy' }, [h('h4', null, 'Remediation'),
      c.remediation.length ? h('ol', { class: 'steps' }, c.remediation.map(function (step) { return h('li', null, step); }))
        : h('p', { class: 'note' }, 'No remediation steps were given.')]),
    locationTable(c),
  ]);
}

function cardList(creds, context) {
  var host = h('div', { class: 'cards-list' });
  var shown = 0, more = null;
  function drawMore() {
    creds.slice(shown, shown + CARD_CHUNK).forEach(function (c) { host.insertBefore(credentialCard(c, context), more); });
    shown = Math.min(creds.length, shown + CARD_CHUNK);
    if (shown >= creds.length && more) { more.remove(); more = null; }
    else if (more) { more.textContent = 'Show more credentials (' + num(shown) + ' of ' + num(creds.length) + ' shown)'; }
  }
  if (creds.length > CARD_CHUNK) { more = moreButton('', drawMore); host.append(more); }
  drawMore();
  return host;
}

function showDrawer(titleNodes, nodes, kind) {
  if (drawer.hidden) { returnFocus = document.activeElement; }
  drawerTitle.replaceChildren();
  append(drawerTitle, titleNodes);
  body.replaceChildren();
  append(body, nodes);
  drawer.setAttribute('data-kind', kind);
  drawer.hidden = false;
  backdrop.hidden = false;
  body.scrollTop = 0;
  byId('detail-close').focus();
}
function hideDrawer() {
  if (drawer.hidden) { return; }
  drawer.hidden = true;
  backdrop.hidden = true;
  drawer.removeAttribute('data-kind');
  if (returnFocus && returnFocus.focus) { returnFocus.focus(); }
}

function openIdentity(row) {
  var i = row.identity;
  var repos = new Set();
  row.creds.forEach(function (c) { locationsOf(c).forEach(function (l) { if (l.repository) { repos.add(l.repository); } }); });
  showDrawer([row.name, ' ', sevBadge(row.severity)], [
    facts([
      ['Identity', h('span', { class: 'mono' }, row.id)], ['Kind', row.kind], ['Environment', row.environment],
      ['Owner', i.owner ? i.owner.team + (i.owner.contact ? ' · ' + i.owner.contact : '') : 'none'],
      ['Tags', (i.tags || []).map(function (t) { return h('span', { class: 'badge' }, t); })],
      ['Credentials', num(row.count)], ['Locations', num(row.locations)], ['Repositories', num(repos.size)],
      ['Exposure', row.exposure != null ? plural(row.exposure, 'day') : null],
      ['Rotation overdue', num(row.overdue)], ['Shared credentials', num(row.shared)],
    ]),
    h('h3', { class: 'group-title' }, plural(row.creds.length, 'credential')),
    row.creds.length ? cardList(row.creds, row.id) : h('p', { class: 'note' }, 'No leaked credentials for this identity.'),
  ], 'identity');
}

function openUnknown(row) {
  var groups = new Map();
  row.creds.forEach(function (c) {
    var key = c.candidate || '';
    if (!groups.has(key)) { groups.set(key, []); }
    groups.get(key).push(c);
  });
  var keys = Array.from(groups.keys()).sort(function (a, b) { return (a === '') - (b === '') || collator.compare(a, b); });
  showDrawer(['Unknown identity ', sevBadge(row.severity)], [
    h('p', { class: 'note' }, 'Credentials that no inventory identity claims, grouped by candidate identity ' +
      '(credentials sharing an account, key or subject).'),
    facts([['Credentials', num(row.count)], ['Locations', num(row.locations)], ['Candidates', num(keys.filter(Boolean).length)]]),
    keys.map(function (key) {
      var k = candidateById.get(key);
      var heading = key ? ['Candidate ', linkButton(key, function () { navigate('candidate=' + encodeURIComponent(key)); })] : 'No candidate';
      var basis = k ? 'Basis ' + k.basis + (factList(k.facts).length ? ': ' + factList(k.facts).join(', ') : '') : null;
      return h('section', { class: 'group', 'data-candidate': key }, [h('h3', { class: 'group-title' }, heading),
        basis ? h('p', { class: 'note' }, basis) : null, cardList(groups.get(key), null)]);
    }),
  ], 'unknown');
}

function openCredential(c) {
  showDrawer([c.rule_name || c.rule_id], [credentialCard(c, null)], 'credential');
}

function openOwner(o) {
  var rows = identityRows.filter(function (r) { return !r.pseudo && (o.identities || []).indexOf(r.id) >= 0; });
  var tbody = h('tbody', null, rows.map(function (r) {
    return h('tr', null, [h('td', null, linkButton(r.name, function () { navigate(r.route); })), h('td', null, r.kind || '—'),
      h('td', null, r.environment || '—'), h('td', { class: 'num' }, num(r.count)), h('td', { class: 'num' }, num(r.locations)),
      h('td', null, r.severity ? sevBadge(r.severity) : '—')]);
  }));
  showDrawer(['Owner ', o.team], [
    facts([['Team', o.team], ['Also written', (o.aliases || []).length ? o.aliases.join(', ') : null], ['Contact', o.contact], ['Identities', num((o.identities || []).length)], ['Credentials', num(o.credentials)],
      ['Exposure', o.exposure_days != null ? plural(o.exposure_days, 'day') : null], ['Worst severity', o.worst_severity ? sevBadge(o.worst_severity) : null]]),
    h('table', { class: 'locations owner-identities' }, [h('thead', null, h('tr', null, ['Identity', 'Kind', 'Env', 'Credentials', 'Locations', 'Worst']
      .map(function (t) { return h('th', { scope: 'col' }, t); }))), tbody]),
  ], 'owner');
}

function openCandidate(k) {
  var creds = (k.credentials || []).map(credentialRef).filter(Boolean).sort(riskOrder);
  showDrawer(['Candidate ', k.id], [
    facts([['Basis', k.basis], ['Facts', factList(k.facts).map(function (f) { return h('div', null, f); })], ['Credentials', num(creds.length)]]),
    cardList(creds, null),
  ], 'candidate');
}
