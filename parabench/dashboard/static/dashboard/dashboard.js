/* ParaBench dashboard: make the ⓘ panels announce their state and open all number tables for
   print. Everything works without it: the charts are SVG drawn on the server, with native
   tooltips. */
(function () {
  "use strict";

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
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
