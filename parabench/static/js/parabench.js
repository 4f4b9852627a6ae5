// Small conveniences for every page; each form also works without them. A static file, not
// inline script: the Content-Security-Policy allows scripts only from our own origin.
"use strict";

// The language menu switches as soon as a language is chosen.
document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});

// A form that must not be sent twice by a double click (the server already makes a double
// submit harmless; this only spares the user a confusing second answer).
document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    const button = form.querySelector("button[type=submit]");
    if (!button) return;
    if (button.disabled) { event.preventDefault(); return; }
    setTimeout(function () { button.disabled = true; }, 0);
  });
});
