// Small enhancements; every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (ev) {
    var el = ev.target instanceof Element ? ev.target.closest("[data-print]") : null;
    if (el) { ev.preventDefault(); window.print(); }
  });
  // After htmx swaps a page in, move focus to the main heading so screen readers announce it.
  // A boosted swap replaces the body only: carry the page's language over to <html lang>.
  document.addEventListener("htmx:afterSwap", function () {
    var main = document.getElementById("main");
    if (main && main.dataset.lang) { document.documentElement.lang = main.dataset.lang; }
  });
  document.addEventListener("htmx:afterSettle", function () {
    var h = document.querySelector("main h1") || document.getElementById("main");
    if (h) {
      if (!h.hasAttribute("tabindex")) { h.setAttribute("tabindex", "-1"); }
      h.focus({ preventScroll: false });
    }
  });
})();
