// The search page: Pagefind's UI in Portuguese, served from the site itself. "?q=termo" in the
// address runs that search at once.
(function () {
  "use strict";
  var element = document.getElementById("busca");
  if (!element) return;
  if (typeof PagefindUI !== "function") {
    element.hidden = true;
    var note = document.getElementById("busca-indisponivel");
    if (note) note.hidden = false;
    return;
  }
  var ui = new PagefindUI({
    element: "#busca",
    bundlePath: element.getAttribute("data-bundle-path"),
    baseUrl: element.getAttribute("data-base-url"),
    showImages: false,
    showSubResults: true,
    autofocus: true
  });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) ui.triggerSearch(query);
})();
