// The report document, unpacked, and the rows every view shares.

var SEVERITIES = ['critical', 'high', 'medium', 'low'];
var SEV_RANK = { critical: 4, high: 3, medium: 2, low: 1 };
var PAGE_SIZES = [25, 50, 100, 250];
var LOCATION_CHUNK = 100;  // location rows drawn at once in a drill-down
var CARD_CHUNK = 25;       // credential cards drawn at once in a drill-down
var SVG_NS = 'http://www.w3.org/2000/svg';
var collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
var numberFormat = new Intl.NumberFormat('en-US');

var doc = JSON.parse(document.getElementById('credsprawl-data').textContent);
var remediations = doc.remediations || [];
var strings = doc.strings || [];
var locationFields = doc.location_fields || [];
var INTERNED = { repository: true, path: true, status: true, ref: true };
var credentialFields = doc.credential_fields || [];
var credentials = (doc.credentials || []).map(function (row) {  // a packed credential is an array
  if (!Array.isArray(row)) { return row; }
  var c = {};
  credentialFields.forEach(function (f, i) { if (row[i] != null) { c[f] = row[i]; } });
  return c;
});
credentials.forEach(function (c) {
  c.remediation = typeof c.remediation === 'number' ? (remediations[c.remediation] || []) : (c.remediation || []);
  c.locations = c.locations || [];
  c.sprawl = c.sprawl || {};
  c.attributes = c.attributes || {};
  c.shared_by = c.shared_by || [];
});
var byFingerprint = new Map(credentials.map(function (c) { return [c.fingerprint, c]; }));
var identities = doc.identities || [];
var owners = doc.owners || [];
var candidates = doc.candidates || [];
var certificates = doc.certificates || [];
var summary = doc.summary || {};
// identities and candidates name credentials by index into the credentials (or, unpacked, by fingerprint)
function credentialRef(ref) { return typeof ref === 'number' ? credentials[ref] : byFingerprint.get(ref); }
var identityById = new Map(identities.map(function (i) { return [i.id, i]; }));
var candidateById = new Map(candidates.map(function (k) { return [k.id, k]; }));
candidates.forEach(function (k) {  // a credential a candidate lists belongs to it even when it does not say so
  (k.credentials || []).forEach(function (ref) { var c = credentialRef(ref); if (c && c.identity == null && c.candidate == null) { c.candidate = k.id; } });
});
var unknownCredentials = credentials.filter(function (c) { return c.identity == null; });

// a packed location is an array in location_fields order; repository, path, status, ref index the string table
function locationsOf(c) {
  if (!c.__locations) {
    c.__locations = c.locations.map(function (row) {
      if (!Array.isArray(row)) { return row; }
      var loc = {};
      locationFields.forEach(function (f, i) { var v = row[i]; loc[f] = INTERNED[f] && typeof v === 'number' ? strings[v] : v; });
      return loc;
    });
  }
  return c.__locations;
}
function locationCount(c) { return c.sprawl.locations != null ? c.sprawl.locations : c.locations.length + (c.locations_omitted || 0); }
function sevRank(s) { return SEV_RANK[s] || 0; }
function worstSeverity(creds) {
  var best = null;
  creds.forEach(function (c) { if (sevRank(c.severity) > sevRank(best)) { best = c.severity; } });
  return best;
}
// the document's "do first" order (present at HEAD and critical or high first, then severity, exposure, sprawl)
function doFirstOrder(a, b) {
  return (a.priority != null && b.priority != null) ? a.priority - b.priority : riskOrder(a, b);
}
function riskOrder(a, b) {
  return (sevRank(b.severity) - sevRank(a.severity)) || (locationCount(b) - locationCount(a));
}
var claimed = new Map();  // identity id -> credentials whose identity or shared_by names it
credentials.forEach(function (c) {
  [c.identity].concat(c.shared_by).forEach(function (id) {
    if (id == null) { return; }
    if (!claimed.has(id)) { claimed.set(id, []); }
    claimed.get(id).push(c);
  });
});
function identityCredentials(identity) {
  var seen = new Set();
  var out = [];
  function add(c) { if (c && !seen.has(c.fingerprint)) { seen.add(c.fingerprint); out.push(c); } }
  (identity.credentials || []).forEach(function (ref) { add(credentialRef(ref)); });
  (claimed.get(identity.id) || []).forEach(add);
  return out.sort(riskOrder);
}
function sum(creds, f) { return creds.reduce(function (t, c) { return t + (f(c) || 0); }, 0); }
function maxOf(creds, f) { return creds.reduce(function (m, c) { var v = f(c); return v != null && v > m ? v : m; }, 0); }

var identityRows = identities.map(function (i) {
  var creds = identityCredentials(i);
  return {
    key: 'identity=' + i.id, route: 'identity=' + encodeURIComponent(i.id), identity: i, creds: creds,
    name: i.name || i.id, id: i.id, kind: i.kind, team: i.owner ? i.owner.team : null, environment: i.environment,
    count: creds.length, leaked: i.leaked != null ? i.leaked : creds.length, locations: sum(creds, locationCount),
    exposure: i.exposure_days, severity: i.worst_severity || worstSeverity(creds),
    overdue: i.rotation_overdue, shared: i.shared,
  };
});
if (unknownCredentials.length) {
  var unknownSorted = unknownCredentials.slice().sort(riskOrder);
  identityRows.push({
    key: 'unknown', route: 'unknown', pseudo: true, creds: unknownSorted, name: 'Unknown', id: null,
    kind: null, team: null, environment: null, count: unknownSorted.length, leaked: unknownSorted.length,
    locations: sum(unknownSorted, locationCount),
    exposure: maxOf(unknownSorted, function (c) { return c.exposure_days; }),
    severity: worstSeverity(unknownSorted),
    overdue: unknownSorted.filter(function (c) { return c.rotation_overdue; }).length,
    shared: unknownSorted.filter(function (c) { return c.shared; }).length,
  });
}

identityRows.sort(function (a, b) {  // riskiest first; the Unknown pseudo-identity takes its place like any other
  return (sevRank(b.severity) - sevRank(a.severity)) || (b.locations - a.locations) || collator.compare(a.name, b.name);
});
