/* The booth on a shared classroom device.
   - A form marked data-once can be sent only once (no double cast by a double click).
   - The page after a vote goes back to an empty start page by itself after a minute.
   - Error messages get focus so that screen readers read them at once.
   Everything works without this script too. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
    });
  });
  var reset = document.querySelector("[data-reset-after]");
  if (reset) {
    var seconds = parseInt(reset.getAttribute("data-reset-after"), 10) || 60;
    window.setTimeout(function () { window.location.replace(reset.getAttribute("href")); }, seconds * 1000);
  }
  var error = document.getElementById("form-error");
  if (error) { error.focus(); }
  // A page from the back-forward cache must not show a previous student's screen.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });
})();
