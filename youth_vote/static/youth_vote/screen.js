/* The classroom screen: fetch the current class code and turnout every few seconds.
   Without script the page still works: the "Refresh the code" link reloads it. */
(function () {
  "use strict";
  var screen = document.querySelector("[data-status-url]");
  if (!screen) { return; }
  var url = screen.getAttribute("data-status-url");
  function update() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        if (!state.open) { window.location.reload(); return; }
        screen.querySelectorAll("[data-field]").forEach(function (el) {
          var value = state[el.getAttribute("data-field")];
          if (value !== undefined && el.textContent !== String(value)) { el.textContent = value; }
        });
      })
      .catch(function () { /* keep showing the last code; the next try may work */ });
  }
  window.setInterval(update, 5000);
})();
