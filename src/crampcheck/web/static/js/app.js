// Small enhancements; every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (ev) {
    var el = ev.target instanceof Element ? ev.target.closest("[data-print]") : null;
    if (el) { ev.preventDefault(); window.print(); }
  });
  // Print everything: folded advice, causes and sources open for the printout (they are closed again after).
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("main details:not([open])"), function (d) {
      d.open = true; return true;
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
  // On a checklist, "None of these" reads "None of the others" once a box is ticked (the server reads it so
  // either way: the ticked boxes yes, every other one no).
  document.addEventListener("change", function (ev) {
    var box = ev.target instanceof Element ? ev.target.closest("input[name=tick]") : null;
    var btn = document.getElementById("none");
    if (!box || !btn || !box.form) { return; }
    var any = box.form.querySelector("input[name=tick]:checked") !== null;
    btn.textContent = any ? btn.dataset.others : btn.dataset.none;
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
