/* "Mijn concepten": Delete on a draft's "Verder registreren" link opens the question whether to
 * discard it. The "Weggooien…" link itself stays off the Tab path, so Tab, Enter never reaches it. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Delete" || e.altKey || e.ctrlKey || e.metaKey) return;
    var link = e.target.closest && e.target.closest("a[data-discard-url]");
    if (!link) return;
    e.preventDefault();
    window.location.assign(link.dataset.discardUrl);
  });
})();
