// The overview: report facts, summary cards, severity counts.

function drawOverview() {
  var meta = ['Generated ' + stamp(doc.generated)];
  if (doc.now && doc.now !== doc.generated) { meta.push('as of ' + stamp(doc.now)); }
  if ((doc.sources || []).length) { meta.push('sources: ' + doc.sources.join(', ')); }
  meta.push(doc.inventory ? 'inventory: ' + doc.inventory : 'no inventory');
  byId('meta').textContent = meta.join(' · ');
  function pick(key, fallback) { return summary[key] != null ? summary[key] : fallback; }
  function card(id, label, value, sub, alert) {
    return h('div', { class: 'card' + (alert && value ? ' alert' : ''), id: 'card-' + id },
      [h('div', { class: 'label' }, label), h('div', { class: 'value' }, num(value)), sub ? h('div', { class: 'sub' }, sub) : null]);
  }
  append(byId('cards'), [
    card('credentials', 'Credentials', pick('credentials', credentials.length), plural(pick('occurrences', sum(credentials, locationCount)), 'occurrence')),
    card('identities', 'Identities', pick('identities', identities.length), num(pick('identities_with_leaks', 0)) + ' with leaks'),
    card('owners', 'Owners', pick('owners', owners.length)),
    card('unknown', 'Unknown credentials', pick('unknown_credentials', unknownCredentials.length),
      candidateText(pick('candidate_identities', candidates.length)), true),
    anyVerified() ? card('verified-live', 'Live (verified)', pick('verified_live', 0), 'its provider accepted it', true) : null,
    anyVerified() ? card('verified-invalid', 'Invalid (revoked or rotated)', pick('verified_invalid', 0), 'its provider rejected it') : null,
    anyVerified() ? card('unverified', 'Unverified', pick('unverified', credentials.length), 'not checked with its provider') : null,
    card('present', 'Present at HEAD', pick('present_credentials', 0), 'still in the files at HEAD', true),
    card('shared', 'Shared', pick('shared_credentials', 0), 'used by several identities', true),
    card('overdue', 'Rotation overdue', pick('rotation_overdue', 0), 'older than their maximum age', true),
    card('certs', 'Certificates expired', pick('certs_expired', 0), num(pick('certs_expiring', 0)) + ' expiring soon', true),
  ]);
  drawDoFirst();
  var bySev = summary.by_severity || {};
  append(byId('severity-strip'), SEVERITIES.map(function (sev) {
    var n = bySev[sev] != null ? bySev[sev] : credentials.filter(function (c) { return c.severity === sev; }).length;
    return h('div', { class: 'strip-item', 'data-severity': sev }, [sevBadge(sev), h('strong', null, num(n))]);
  }));
}

// the first credentials to deal with, in the document's order: present at HEAD and critical or high
// first, then by severity, exposure and sprawl
function drawDoFirst() {
  var first = credentials.slice().sort(doFirstOrder).slice(0, 10);
  var list = byId('do-first');
  if (!first.length) { append(list, h('li', { class: 'note' }, 'Nothing to do.')); return; }
  append(list, first.map(function (c) {
    var why = [VERIFIED_WORDS[c.verified || 'unverified'], c.present === true ? 'present at HEAD' : 'in history only',
      c.exposure_days != null ? 'exposed ' + plural(c.exposure_days, 'day') : null,
      plural(locationCount(c), 'location'), c.owner ? 'owner ' + c.owner.team : 'no owner'].filter(Boolean).join(' · ');
    return h('li', { 'data-fingerprint': c.fingerprint }, [sevBadge(c.severity), ' ',
      linkButton(c.rule_name || c.rule_id, function () { navigate('credential=' + encodeURIComponent(c.fingerprint)); }, { class: 'link' }),
      ' ', h('span', { class: 'muted' }, c.identity_name || c.identity || 'unknown identity'), h('div', { class: 'why' }, why)]);
  }));
}
