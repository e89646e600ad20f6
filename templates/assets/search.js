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
  // Pagefind's field has only a title; name it by the page's visible heading and help text.
  function label() {
    var input = element.querySelector("input");
    if (!input) return false;
    input.setAttribute("aria-labelledby", "busca-titulo");
    input.setAttribute("aria-describedby", "busca-ajuda");
    return true;
  }
  if (!label()) {
    var observer = new MutationObserver(function () {
      if (label()) observer.disconnect();
    });
    observer.observe(element, { childList: true, subtree: true });
  }
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) ui.triggerSearch(query);
})();
