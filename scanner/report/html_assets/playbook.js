// Remediation steps per credential kind.

// one card per credential kind and provider: the steps every credential of that kind shares, in order;
// steps particular to one credential (naming its candidate, say) stay in that credential's drill-down
function drawPlaybook() {
  var groups = new Map();
  credentials.forEach(function (c) {
    var kind = c.kind || c.rule_name || c.rule_id;
    var key = kind + '\u0000' + (c.provider || '');
    var g = groups.get(key);
    if (!g) { g = { kind: kind, provider: c.provider || null, steps: c.remediation.slice(), creds: [], extra: false }; groups.set(key, g); }
    var own = new Set(c.remediation);
    var shared = g.steps.filter(function (step) { return own.has(step); });
    if (shared.length !== c.remediation.length || shared.length !== g.steps.length) { g.extra = true; }
    g.steps = shared;
    g.creds.push(c);
  });
  var list = Array.from(groups.values()).sort(function (a, b) {
    return (sevRank(worstSeverity(b.creds)) - sevRank(worstSeverity(a.creds))) || (b.creds.length - a.creds.length) ||
      collator.compare(a.kind, b.kind) || collator.compare(a.provider || '', b.provider || '');
  });
  var host = byId('playbook');
  if (!list.length) { append(host, h('p', { class: 'note' }, 'Nothing to remediate.')); return; }
  append(host, list.map(function (g) {
    return h('div', { class: 'play', 'data-kind': g.kind, 'data-provider': g.provider }, [
      h('h3', null, [h('span', null, g.provider ? [g.kind, h('span', { class: 'muted' }, ' · ' + g.provider)] : g.kind),
        h('span', null, [sevBadge(worstSeverity(g.creds)), h('span', { class: 'badge' }, plural(g.creds.length, 'credential'))])]),
      g.steps.length ? h('ol', { class: 'steps' }, g.steps.map(function (step) { return h('li', null, step); }))
        : h('p', { class: 'note' }, 'No remediation steps were given for this kind.'),
      g.extra ? h('p', { class: 'note' }, 'Some of these credentials have further steps of their own: see each one\'s drill-down.') : null,
    ]);
  }));
}
