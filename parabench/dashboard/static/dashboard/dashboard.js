/* ParaBench dashboard: draw the charts, make the ⓘ panels announce their state, open all
   number tables for print. Everything works without it except the charts themselves; their
   numbers are always in the tables next to them. */
(function () {
  "use strict";

  function drawCharts() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var script = el.nextElementSibling;
      if (!script || script.type !== "application/json") return;
      var spec = JSON.parse(script.textContent);
      window.Plotly.newPlot(el, spec.data, spec.layout, {
        displayModeBar: false,
        responsive: true
      });
      el.classList.add("drawn");
    });
  }

  function enhanceInfo() {
    document.querySelectorAll("details.info").forEach(function (details) {
      var summary = details.querySelector("summary");
      var sync = function () {
        summary.setAttribute("aria-expanded", details.open ? "true" : "false");
      };
      details.addEventListener("toggle", sync);
      details.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && details.open) {
          details.open = false;
          summary.focus();
        }
      });
      sync();
    });
  }

  // Print: every table of numbers open, so paper carries what the charts show.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.numbers").forEach(function (d) {
      d.dataset.wasOpen = d.open ? "1" : "";
      d.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details.numbers").forEach(function (d) {
      d.open = d.dataset.wasOpen === "1";
    });
  });

  function start() {
    enhanceInfo();
    drawCharts();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
