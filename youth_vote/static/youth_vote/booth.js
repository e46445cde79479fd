/* The booth on a shared classroom device.
   - A form marked data-once can be sent only once (no double cast by a double click).
   - The page after a vote goes back to an empty start page after a minute, with a visible
     countdown that the student can start again ("More time", WCAG 2.2.1).
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
  // After a vote the page goes back to the start by itself, so that the next student does not
  // see the tracker. A visible countdown says when, and "More time" starts it again as often
  // as needed (WCAG 2.2.1); screen readers hear it once, 20 seconds before.
  var reset = document.querySelector("[data-reset-after]");
  var panel = document.querySelector("[data-reset-panel]");
  if (reset && panel) {
    var limit = parseInt(reset.getAttribute("data-reset-after"), 10) || 60;
    var text = panel.querySelector("[data-reset-text]");
    var warning = panel.querySelector("[data-reset-warning]");
    var left = limit;
    var say = function (node, seconds) {
      node.textContent = node.getAttribute("data-template").replace("__N__", String(seconds));
    };
    panel.hidden = false;
    say(text, left);
    panel.querySelector("[data-reset-more]").addEventListener("click", function () {
      left = limit;
      warning.textContent = "";
      say(text, left);
    });
    window.setInterval(function () {
      left -= 1;
      if (left <= 0) { window.location.replace(reset.getAttribute("href")); return; }
      say(text, left);
      if (left === 20) { say(warning, left); }
    }, 1000);
  }
  var error = document.getElementById("form-error");
  if (error) { error.focus(); }
  // A page from the back-forward cache must not show a previous student's screen.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });
})();
