// After a form comes back with errors from the server, move the focus to them so that
// keyboard and screen-reader users learn at once that something needs fixing (WCAG 3.3.1,
// 4.1.3): to the page's error summary if it has one, else to the first field marked invalid,
// else to the first error message. Pages that place the focus themselves (the booth) do not
// load this file.
(function () {
  "use strict";
  function focusErrors() {
    if (document.activeElement && document.activeElement !== document.body) { return; }
    var target = document.querySelector("[data-form-errors]") ||
      document.querySelector("form [aria-invalid='true']") ||
      document.querySelector("form .errorlist");
    if (!target) { return; }
    if (!target.matches("input, select, textarea, button, a[href]")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
    if (target.scrollIntoView) { target.scrollIntoView({ block: "center" }); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrors);
  } else {
    focusErrors();
  }
})();
