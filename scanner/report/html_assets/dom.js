// Building DOM nodes (text, never markup) and formatting values.

function append(node, children) {
  (Array.isArray(children) ? children : [children]).forEach(function (child) {
    if (child == null || child === false) { return; }
    if (Array.isArray(child)) { append(node, child); return; }
    node.append(typeof child === 'object' ? child : document.createTextNode(String(child)));
  });
  return node;
}
function setAttrs(node, attrs) {
  Object.keys(attrs || {}).forEach(function (name) {
    var value = attrs[name];
    if (value == null || value === false) { return; }
    if (typeof value === 'function') { node.addEventListener(name.replace(/^on/, ''), value); }
    else { node.setAttribute(name, value === true ? '' : String(value)); }
  });
  return node;
}
function h(tag, attrs, children) { return append(setAttrs(document.createElement(tag), attrs), children); }
function s(tag, attrs, children) { return append(setAttrs(document.createElementNS(SVG_NS, tag), attrs), children); }
function byId(id) { return document.getElementById(id); }

function num(v) { return v == null ? '—' : numberFormat.format(v); }
function day(iso) { return iso ? String(iso).slice(0, 10) : '—'; }
function stamp(iso) { return iso ? String(iso).replace('T', ' ').replace(/(\.\d+)?(Z|\+00:00)$/, ' UTC') : '—'; }
function shortCommit(c) { return c ? String(c).slice(0, 10) : null; }
function candidateText(n) { return num(n) + (n === 1 ? ' candidate identity' : ' candidate identities'); }
function plural(n, word) { return num(n) + ' ' + word + (n === 1 ? '' : 's'); }
function title(s) { return s ? s.charAt(0).toUpperCase() + s.slice(1) : s; }
function sevBadge(sev) { return sev ? h('span', { class: 'badge sev-' + sev }, title(sev)) : h('span', { class: 'badge' }, 'none'); }
function linkButton(text, onClick, attrs) {
  return h('button', Object.assign({ type: 'button', class: 'link', onclick: function (e) { e.stopPropagation(); onClick(); } }, attrs || {}), text);
}
function identityLink(id) {
  var identity = identityById.get(id);
  return linkButton(identity ? (identity.name || id) : id, function () { navigate('identity=' + encodeURIComponent(id)); });
}

// what the provider said, in words no other state uses: live (verified), invalid (revoked or rotated),
// unverified; "present at HEAD" is a fact of git, shown apart
var VERIFIED_WORDS = { live: 'live (verified)', invalid: 'invalid (revoked or rotated)', unverified: 'unverified' };
function anyVerified() { return credentials.some(function (c) { return c.verified === 'live' || c.verified === 'invalid'; }); }
function verifiedBadge(c) {
  var v = c.verified || 'unverified', ver = c.verification;
  var tip = ver ? (ver.provider + ' answered ' + ver.status + ' at ' + (ver.checked_at || '?') + (ver.reason ? ': ' + ver.reason : ''))
    : 'not checked with its provider (--verify)';
  return h('span', { class: 'badge verified-' + v, title: tip }, VERIFIED_WORDS[v] || v);
}
function statusBadges(c) {
  var out = [verifiedBadge(c)];
  if (c.present === true) { out.push(h('span', { class: 'badge present', title: 'still in the files at HEAD (not checked with the provider)' }, 'present at HEAD')); }
  if (c.shared) { out.push(h('span', { class: 'badge shared', title: 'used by ' + c.shared_by.join(', ') }, 'shared')); }
  if (c.rotation_overdue) { out.push(h('span', { class: 'badge overdue' }, 'rotation overdue')); }
  if (c.cert_expired) { out.push(h('span', { class: 'badge expired' }, 'cert expired')); }
  else if (c.cert_expires_in_days != null && c.cert_expires_in_days <= 30) {
    out.push(h('span', { class: 'badge expiring' }, 'cert expires in ' + c.cert_expires_in_days + 'd'));
  }
  if (c.removed) { out.push(h('span', { class: 'badge removed', title: 'removed ' + day(c.removed.date) }, 'removed')); }
  return out;
}
function statusScore(c) {
  return (c.verified === 'live' ? 32 : 0) + (c.present === true ? 16 : 0) + (c.cert_expired ? 8 : 0) + (c.rotation_overdue ? 4 : 0) + (c.shared ? 2 : 0) + (c.removed ? 0 : 1);
}
