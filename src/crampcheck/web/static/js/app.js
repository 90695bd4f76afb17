// Small enhancements; every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (ev) {
    var el = ev.target instanceof Element ? ev.target.closest("[data-print]") : null;
    if (el) { ev.preventDefault(); window.print(); }
  });
  // After htmx swaps a page in, move focus to the main heading so screen readers announce it.
  document.addEventListener("htmx:afterSettle", function () {
    var h = document.querySelector("main h1") || document.getElementById("main");
    if (h) {
      if (!h.hasAttribute("tabindex")) { h.setAttribute("tabindex", "-1"); }
      h.focus({ preventScroll: false });
    }
  });
})();
