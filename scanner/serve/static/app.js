// The one script of the triage pages (served from this origin: the CSP allows no inline script).
// "Select all" for the bulk form of a credentials table.
document.addEventListener("DOMContentLoaded", function () {
  var all = document.getElementById("select-all");
  if (!all) { return; }
  all.addEventListener("change", function () {
    var boxes = document.querySelectorAll('input[type=checkbox][name=fingerprint]');
    for (var i = 0; i < boxes.length; i++) { boxes[i].checked = all.checked; }
  });
});
