// Live signature count of one proposal: a websocket, and polling count.json every 10 s
// whenever the socket is not open (it never opened within 5 s, it closed, or websockets are
// not available); a closed socket is opened again later. Updates the number, the progress bar
// and what remains, and tells screen readers the new count at most every 30 s.
(function () {
  "use strict";
  var box = document.querySelector("[data-proposal-count]");
  if (!box) { return; }
  var id = box.getAttribute("data-proposal-id");
  var countUrl = box.getAttribute("data-count-url");
  var announcer = box.querySelector("[data-count-announce]");
  var sentence = box.querySelector("[data-count-sentence]");
  var lang = document.documentElement.lang || "sv";
  var format = window.Intl ? new Intl.NumberFormat(lang) : null;
  // The count the page was rendered with: only a different one is shown and announced.
  var rendered = box.querySelector("[data-count-number]");
  var shown = rendered ? parseInt(rendered.textContent.replace(/\D/g, ""), 10) : NaN;
  if (isNaN(shown)) { shown = null; }
  var POLL_MS = 10000;
  var OPEN_WAIT_MS = 5000;
  var ANNOUNCE_MS = 30000;

  function number(n) { return format ? format.format(n) : String(n); }

  // Polite announcements, no more often than every ANNOUNCE_MS: a busy proposal changes every
  // second, and a screen reader reading each change would drown everything else.
  var announcedAt = 0;
  var announceTimer = null;
  function announce() {
    if (!announcer || !sentence) { return; }
    var wait = announcedAt + ANNOUNCE_MS - Date.now();
    if (wait > 0) {
      if (announceTimer === null) {
        announceTimer = window.setTimeout(function () { announceTimer = null; announce(); }, wait);
      }
      return;
    }
    announcedAt = Date.now();
    var heading = box.querySelector("h2");
    var text = sentence.textContent.replace(/\s+/g, " ").trim();
    announcer.textContent = heading ? heading.textContent.trim() + ": " + text : text;
  }

  // The time of the newest count seen (the page's own, then each message's): an older one,
  // such as a count.json the browser still holds from before a signature, never replaces it.
  var newest = Date.parse(box.getAttribute("data-count-updated") || "") || 0;

  function show(data) {
    if (!data || typeof data.count !== "number") { return; }
    var at = Date.parse(data.updated_at || "") || 0;
    if (at && at < newest) { return; }
    if (at) { newest = at; }
    if (data.count === shown) { return; }
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
    announce();
  }

  var timer = null;
  function poll() {
    fetch(countUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(show)
      .catch(function () {});
  }
  function startPolling() {
    if (timer === null) { poll(); timer = window.setInterval(poll, POLL_MS); }
  }
  function stopPolling() {
    if (timer !== null) { window.clearInterval(timer); timer = null; }
  }

  if (!("WebSocket" in window)) { startPolling(); return; }
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  var retryMs = 5000;

  function connect() {
    var socket;
    try {
      socket = new WebSocket(scheme + window.location.host + "/ws/proposals/" + id + "/");
    } catch (e) {
      startPolling();
      return;
    }
    // A socket that neither opens nor fails (a proxy holding it) must not leave the page
    // frozen: poll until it opens.
    var openWait = window.setTimeout(startPolling, OPEN_WAIT_MS);
    socket.onopen = function () {
      window.clearTimeout(openWait);
      stopPolling();
      retryMs = 5000;
      poll(); // what changed between the page and the socket
    };
    socket.onmessage = function (event) { show(JSON.parse(event.data)); };
    socket.onclose = function () {
      window.clearTimeout(openWait);
      startPolling();
      window.setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 60000);
    };
  }
  connect();
})();
