// The diary charts, drawn as SVG from the page's JSON data block (#diary-chart-data). Without this file
// the same numbers show as tables. Bars and rows can be reached with Tab and the arrow keys; pointing at
// or focusing one shows its value, and each has a text label for screen readers.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var W = 360;

  function svgEl(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function text(parent, x, y, s, anchor) {
    var t = svgEl("text", { x: x, y: y, "text-anchor": anchor || "start" }, parent);
    t.textContent = s;
    return t;
  }

  function shorten(s, n) { return s.length > n ? s.slice(0, n - 1) + "…" : s; }

  function makeSvg(container, height, labelId) {
    var svg = svgEl("svg", {
      viewBox: "0 0 " + W + " " + height, role: "group", "aria-labelledby": labelId, focusable: "false"
    });
    container.appendChild(svg);
    return svg;
  }

  // A tooltip inside the SVG (no inline styles needed): dark box with white text, kept within the chart.
  function makeTip(svg) {
    var g = svgEl("g", { "class": "tip hidden", "aria-hidden": "true" }, svg);
    var box = svgEl("rect", { rx: 4, ry: 4, height: 20 }, g);
    var label = svgEl("text", {}, g);
    return {
      show: function (s, x, y) {
        label.textContent = s;
        g.setAttribute("class", "tip");
        var w = (label.getComputedTextLength ? label.getComputedTextLength() : s.length * 6) + 12;
        var left = Math.max(0, Math.min(W - w, x - w / 2));
        var top = Math.max(0, y - 26);
        box.setAttribute("x", left); box.setAttribute("y", top); box.setAttribute("width", w);
        label.setAttribute("x", left + 6); label.setAttribute("y", top + 14);
        svg.appendChild(g); // on top of everything
      },
      hide: function () { g.setAttribute("class", "tip hidden"); }
    };
  }

  // One tab stop per chart; the arrow keys, Home and End move between its items.
  function roving(items) {
    items.forEach(function (item, i) {
      item.setAttribute("tabindex", i === 0 ? "0" : "-1");
      item.addEventListener("keydown", function (ev) {
        var j = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: items.length - 1 }[ev.key];
        if (j === undefined) { return; }
        ev.preventDefault();
        j = Math.max(0, Math.min(items.length - 1, j));
        items[i].setAttribute("tabindex", "-1");
        items[j].setAttribute("tabindex", "0");
        items[j].focus();
      });
    });
  }

  function interactive(item, tip, label, tipText, x, y) {
    svgEl("title", {}, item).textContent = label;
    item.setAttribute("role", "img");
    item.setAttribute("aria-label", label);
    var show = function () { tip.show(tipText, x, y); };
    item.addEventListener("mouseenter", show);
    item.addEventListener("focus", show);
    item.addEventListener("mouseleave", function () { if (document.activeElement !== item) { tip.hide(); } });
    item.addEventListener("blur", tip.hide);
  }

  function niceMax(m) {
    if (m <= 5) { return Math.max(1, m); }
    var p = Math.pow(10, Math.floor(Math.log10(m)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) { if (steps[i] * p >= m) { return steps[i] * p; } }
    return 10 * p;
  }

  function isoShort(s) { return /^\d{4}-\d{2}-\d{2}$/.test(s) ? s.slice(5) : s; }

  // Vertical bars (over time, by hour).
  function columns(container, rows, data, labelId) {
    var H = 210, ml = 30, mr = 6, mt = 28, mb = 34;
    var svg = makeSvg(container, H, labelId);
    var tip = makeTip(svg);
    var max = niceMax(Math.max.apply(null, rows.map(function (r) { return r.count; }).concat([1])));
    var pw = W - ml - mr, ph = H - mt - mb, bw = pw / rows.length;
    var y = function (v) { return mt + ph - (v / max) * ph; };
    var axis = svgEl("g", { "class": "axis", "aria-hidden": "true" }, svg);
    [0, max / 2, max].forEach(function (v) {
      svgEl("line", { x1: ml, x2: W - mr, y1: y(v), y2: y(v), "class": "grid" }, axis);
      text(axis, ml - 4, y(v) + 4, String(Math.round(v * 10) / 10), "end");
    });
    var wide = rows.length && isoShort(rows[0].label).length > 5; // "2024-05" per month is wider than "05-01"
    var every = Math.max(1, Math.ceil(rows.length / (wide ? 5 : 8)));
    var items = [];
    rows.forEach(function (r, i) {
      var x = ml + i * bw;
      var g = svgEl("g", { "class": "bar" }, svg);
      svgEl("rect", { x: x, width: bw, y: mt, height: ph, "class": "hit" }, g); // easier to point at
      svgEl("rect", { x: x + bw * 0.12, width: Math.max(1, bw * 0.76), y: y(r.count), height: Math.max(0, mt + ph - y(r.count)), "class": "val" }, g);
      if (i % every === 0) { text(axis, x + bw / 2, H - mb + 14, isoShort(r.label), "middle"); }
      var label = r.label + " — " + data.labels.count + ": " + r.count;
      interactive(g, tip, label, isoShort(r.label) + ": " + r.count, x + bw / 2, y(r.count));
      items.push(g);
    });
    roving(items);
  }

  // Horizontal bars (by muscle): long names fit on the left.
  function horizontal(container, rows, data, labelId) {
    var rh = 30, ml = 110, mr = 30, mt = 26;
    var H = mt + rows.length * rh + 8;
    var svg = makeSvg(container, H, labelId);
    var tip = makeTip(svg);
    var max = niceMax(Math.max.apply(null, rows.map(function (r) { return r.count; }).concat([1])));
    var pw = W - ml - mr;
    var items = [];
    rows.forEach(function (r, i) {
      var top = mt + i * rh;
      var g = svgEl("g", { "class": "bar" }, svg);
      var w = (r.count / max) * pw;
      svgEl("rect", { x: 0, y: top, height: rh, width: W, "class": "hit" }, g);
      svgEl("rect", { x: ml, y: top + 5, height: rh - 10, width: Math.max(1, w), "class": "val" }, g);
      text(g, ml - 6, top + rh / 2 + 4, shorten(r.label, 16), "end").setAttribute("aria-hidden", "true");
      text(g, ml + w + 4, top + rh / 2 + 4, String(r.count)).setAttribute("aria-hidden", "true");
      interactive(g, tip, r.label + " — " + data.labels.count + ": " + r.count, r.label + ": " + r.count, ml + w / 2, top + 5);
      items.push(g);
    });
    roving(items);
  }

  var TICKS = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20];

  function fmt(v) { return v < 10 ? v.toFixed(2) : v.toPrecision(3); }

  // Forest plot: each factor's odds ratio (square) and 95% interval (line) on a log scale; 1 = no effect.
  function forest(container, effects, data, labelId) {
    var rows = effects.filter(function (e) { return e.odds_ratio !== null && e.ci_low !== null && e.ci_high !== null; });
    if (!rows.length) { return false; }
    var rh = 32, ml = 150, mr = 12, mt = 30, mb = 30;
    var H = mt + rows.length * rh + mb;
    var svg = makeSvg(container, H, labelId);
    var tip = makeTip(svg);
    var lo = Math.min.apply(null, rows.map(function (e) { return e.ci_low; }).concat([1])) / 1.15;
    var hi = Math.max.apply(null, rows.map(function (e) { return e.ci_high; }).concat([1])) * 1.15;
    lo = Math.max(lo, TICKS[0]); hi = Math.min(hi, TICKS[TICKS.length - 1]);
    var pw = W - ml - mr;
    var x = function (v) {
      var c = Math.max(lo, Math.min(hi, v));
      return ml + (Math.log(c) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) * pw;
    };
    var axis = svgEl("g", { "class": "axis", "aria-hidden": "true" }, svg);
    TICKS.filter(function (t) { return t >= lo && t <= hi; }).forEach(function (t) {
      svgEl("line", { x1: x(t), x2: x(t), y1: mt - 6, y2: H - mb, "class": "grid" }, axis);
      text(axis, x(t), H - mb + 14, String(t), "middle");
    });
    text(axis, ml + pw / 2, H - 4, data.labels.odds_ratio + " (" + data.labels.interval + ")", "middle");
    svgEl("line", { x1: x(1), x2: x(1), y1: mt - 6, y2: H - mb, "class": "one" }, axis);
    var items = [];
    rows.forEach(function (e, i) {
      var cy = mt + i * rh + rh / 2;
      var g = svgEl("g", { "class": "row is-" + e.verdict }, svg);
      svgEl("rect", { x: 0, y: cy - rh / 2, width: W, height: rh, "class": "hit" }, g);
      text(g, ml - 8, cy + 4, shorten(e.label, 22), "end");
      svgEl("line", { x1: x(e.ci_low), x2: x(e.ci_high), y1: cy, y2: cy, "class": "ci v-" + e.verdict }, g);
      svgEl("rect", { x: x(e.odds_ratio) - 5, y: cy - 5, width: 10, height: 10, "class": "v-" + e.verdict }, g);
      var summary = data.labels.odds_ratio + " " + fmt(e.odds_ratio) + " (" + fmt(e.ci_low) + " – " + fmt(e.ci_high) + ")";
      interactive(g, tip, e.label + ": " + summary + ", " + e.verdict_text, summary, x(e.odds_ratio), cy - 6);
      items.push(g);
    });
    roving(items);
    return true;
  }

  function draw() {
    var block = document.getElementById("diary-chart-data");
    if (!block) { return; }
    var data;
    try { data = JSON.parse(block.textContent || "{}"); } catch (err) { return; }
    document.querySelectorAll(".chart-canvas[data-chart]").forEach(function (c) {
      if (c.getAttribute("data-drawn")) { return; }
      var key = c.getAttribute("data-chart");
      var labelId = c.getAttribute("data-label-id");
      var drawn = false;
      if (key === "effects") {
        drawn = forest(c, data.effects || [], data, labelId);
      } else if ((data[key] || []).length) {
        (key === "by_muscle" ? horizontal : columns)(c, data[key], data, labelId);
        drawn = true;
      }
      if (drawn) {
        c.setAttribute("data-drawn", "1");
        var table = c.parentNode.querySelector("details.chart-table");
        if (table) { table.removeAttribute("open"); } // the numbers stay one click away
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  document.addEventListener("htmx:afterSettle", draw);
})();
