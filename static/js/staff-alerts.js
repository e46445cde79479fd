// Live staff alerts: new alerts for the signed-in staff member's roles appear in the
// page's live region as they are raised. Without websockets the page still lists every
// alert on reload.
(function () {
  "use strict";
  var region = document.getElementById("live-alerts");
  if (!region || !("WebSocket" in window)) {
    return;
  }
  var list = region.querySelector("ul");
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  var url = scheme + window.location.host + region.getAttribute("data-websocket-path");

  function show(alert) {
    var item = document.createElement("li");
    item.className = "message message--warning";
    item.textContent = alert.message;
    list.insertBefore(item, list.firstChild);
    region.querySelector(".live-alerts__reload").hidden = false;
  }

  function connect(delay) {
    var socket = new WebSocket(url);
    socket.addEventListener("open", function () {
      region.setAttribute("data-connected", "true");
      delay = 2000;
    });
    socket.addEventListener("message", function (event) {
      show(JSON.parse(event.data));
    });
    socket.addEventListener("close", function () {
      region.removeAttribute("data-connected");
      window.setTimeout(function () {
        connect(Math.min(delay * 2, 60000));
      }, delay);
    });
  }

  connect(2000);
})();
