// Routing (#identity=ID, #unknown, #credential=FP, #owner=TEAM, #candidate=ID) and start-up.

var openedRoute = null;  // the route the drawer shows, so the hashchange that follows a click does nothing
function navigate(route) {
  if (!openRoute(route)) { return; }
  if (location.hash !== '#' + route) { location.hash = route; }
}
function openRoute(route) {
  var eq = route.indexOf('=');
  var kind = eq < 0 ? route : route.slice(0, eq);
  var value = null;
  try { value = eq < 0 ? null : decodeURIComponent(route.slice(eq + 1)); } catch (e) { return false; }
  openedRoute = route;
  if (kind === 'identity') {
    var row = identityRows.filter(function (r) { return !r.pseudo && r.id === value; })[0];
    if (row) { openIdentity(row); return true; }
  } else if (kind === 'unknown') {
    var u = identityRows.filter(function (r) { return r.pseudo; })[0];
    if (u) { openUnknown(u); return true; }
  } else if (kind === 'credential' && byFingerprint.has(value)) {
    openCredential(byFingerprint.get(value)); return true;
  } else if (kind === 'owner') {
    var o = owners.filter(function (x) { return x.team === value; })[0];
    if (o) { openOwner(o); return true; }
  } else if (kind === 'candidate' && candidateById.has(value)) {
    openCandidate(candidateById.get(value)); return true;
  }
  return false;
}
function onHash() {
  var route = location.hash.slice(1);
  if (route && route === openedRoute && !drawer.hidden) { return; }
  if (!route || !openRoute(route)) { hideDrawer(); }
}
function close() {
  hideDrawer();
  if (/^#(identity=|unknown$|credential=|owner=|candidate=)/.test(location.hash)) {
    try { history.replaceState(null, '', location.pathname + location.search); } catch (e) { location.hash = ''; }
  }
}


drawOverview();
drawCharts();
drawTables();
drawPlaybook();
byId('detail-close').addEventListener('click', close);
backdrop.addEventListener('click', close);
document.addEventListener('keydown', function (e) { if (e.key === 'Escape' && !drawer.hidden) { close(); } });
window.addEventListener('hashchange', onHash);
if (location.hash.length > 1) { onHash(); }
document.documentElement.setAttribute('data-ready', 'true');
