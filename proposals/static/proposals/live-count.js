// Live signature count of one proposal: a websocket, or polling count.json every 10 s
// when websockets are not available. Updates the number, the progress bar and what remains.
(function () {
  "use strict";
  var box = document.querySelector("[data-proposal-count]");
  if (!box) { return; }
  var id = box.getAttribute("data-proposal-id");
  var countUrl = box.getAttribute("data-count-url");
  var lang = document.documentElement.lang || "sv";
  var format = window.Intl ? new Intl.NumberFormat(lang) : null;
  var shown = null;

  function number(n) { return format ? format.format(n) : String(n); }

  function show(data) {
    if (!data || typeof data.count !== "number" || data.count === shown) { return; }
    shown = data.count;
    document.querySelectorAll("[data-count-number]").forEach(function (el) { el.textContent = number(data.count); });
    var threshold = data.threshold || 0;
    document.querySelectorAll("[data-count-progress]").forEach(function (el) {
      el.value = Math.min(data.count, el.max);
      el.textContent = number(data.count) + " / " + number(threshold);
    });
    document.querySelectorAll("[data-count-remaining]").forEach(function (el) {
      el.textContent = number(Math.max(0, threshold - data.count));
    });
  }

  var timer = null;
  function poll() {
    fetch(countUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(show)
      .catch(function () {});
  }
  function startPolling() { if (timer === null) { timer = window.setInterval(poll, 10000); } }

  if (!("WebSocket" in window)) { startPolling(); return; }
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  try {
    var socket = new WebSocket(scheme + window.location.host + "/ws/proposals/" + id + "/");
    socket.onmessage = function (event) { show(JSON.parse(event.data)); };
    socket.onclose = startPolling;
  } catch (e) {
    startPolling();
  }
})();
