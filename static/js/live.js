/*
 * Suara live updates: a small progressive enhancement, no framework, no bundler.
 *
 * A page that can be followed live carries an element with data-live-socket
 * (the websocket path) and data-live-kind ("case", "staff" or "queue"). The
 * server sends entries rendered by the page's own template fragments; this
 * file only places them. Without JavaScript (or when the socket is refused)
 * every page still works by reloading it.
 *
 * No lost updates: each message carries an increasing id; on every
 * (re)connection the client asks for what came after the last id it saw.
 * Reconnection backs off exponentially, with jitter, up to 30 seconds.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-live-socket]");
  if (!root || !("WebSocket" in window) || !("content" in document.createElement("template"))) {
    return;
  }
  var announcer = root.querySelector("[data-live-announce]");
  var stateLine = root.querySelector("[data-live-state]");
  var reloadNotice = root.querySelector("[data-live-reload]");
  var last = parseInt(root.getAttribute("data-live-last") || "0", 10) || 0;
  // The page was rendered a moment before the socket opened: ask from a little earlier.
  var since = (parseFloat(root.getAttribute("data-live-since") || "0") || 0) - 5;
  var attempt = 0;
  var ended = false;

  function text(name) {
    return root.getAttribute("data-text-" + name) || "";
  }

  function say(message) {
    if (!announcer || !message) {
      return;
    }
    // Cleared first, so that the same words said twice are announced twice.
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = message;
    }, 50);
  }

  function showState(name) {
    if (stateLine) {
      stateLine.textContent = text(name);
    }
  }

  function askToReload(message) {
    if (reloadNotice) {
      reloadNotice.hidden = false;
    }
    say(message || text("reload"));
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function seen(id) {
    if (typeof id === "number" && id > last) {
      last = id;
    }
  }

  // --- the case pages: timeline entries, status, presence --------------------------

  function placeEvents(message) {
    var timeline = document.getElementById("timeline");
    var added = 0;
    (message.events || []).forEach(function (entry) {
      if (!timeline || document.getElementById("event-" + entry.id)) {
        return;
      }
      var item = fragment(entry.html);
      if (item) {
        item.classList.add("live-new");
        timeline.appendChild(item);
        added += 1;
      }
    });
    var status = document.querySelector("[data-live-status]");
    if (status && message.status_label && status.getAttribute("data-live-status") !== message.status) {
      status.textContent = message.status_label;
      status.setAttribute("data-live-status", message.status);
      // What the person may do now depends on the status: the forms come with a reload.
      askToReload();
    } else if (added) {
      say(message.announce);
      if (root.getAttribute("data-live-kind") === "staff" && reloadNotice) {
        // Every change moves the case's version on: the action forms on this page are now stale.
        reloadNotice.hidden = false;
      }
    }
    seen(message.id);
  }

  function showPresence(message) {
    var line = document.querySelector("[data-live-presence]");
    if (line) {
      line.textContent = message.text || "";
      line.hidden = !message.text;
    }
  }

  // --- the queue: rows appear, change and leave in place -------------------------------

  var rows = document.querySelector("[data-live-rows]");
  var params = new URLSearchParams(window.location.search);
  var tab = params.get("tab") || "open";
  var filtered = (parseInt(params.get("page") || "1", 10) || 1) > 1;
  params.forEach(function (value, key) {
    if (value && ["tab", "page", "per_page"].indexOf(key) === -1) {
      filtered = true;
    }
  });

  function belongs(message) {
    var tabs = message.tabs || [];
    if (tab === "mine") {
      return tabs.indexOf("open") !== -1 && String(message.assignee) === root.getAttribute("data-live-user");
    }
    return tabs.indexOf(tab) !== -1;
  }

  function insertRow(row, due) {
    if (tab !== "closed" && due) {
      var existing = rows.querySelectorAll("tr[data-case]");
      for (var i = 0; i < existing.length; i += 1) {
        var other = existing[i].getAttribute("data-due");
        if (!other || other > due) {
          rows.insertBefore(row, existing[i]);
          return;
        }
      }
    }
    if (tab === "closed") {
      rows.insertBefore(row, rows.firstElementChild);
    } else {
      rows.appendChild(row);
    }
  }

  function placeRow(message) {
    seen(message.id);
    var current = document.getElementById("case-row-" + message.case);
    if (current && parseInt(current.getAttribute("data-live-id") || "0", 10) > message.id) {
      return; // an older state arriving late
    }
    var inTab = belongs(message);
    if (!inTab) {
      if (current) {
        current.remove();
        say(message.announce);
      }
      return;
    }
    if (!rows || (!current && filtered)) {
      askToReload(message.announce);
      return;
    }
    var row = fragment(message.html);
    if (!row) {
      return;
    }
    row.setAttribute("data-live-id", String(message.id));
    row.classList.add("live-new");
    if (current) {
      current.replaceWith(row);
    } else {
      insertRow(row, message.due);
    }
    say(message.announce);
  }

  // --- the socket ------------------------------------------------------------------------

  function handle(message) {
    switch (message.type) {
      case "event":
        placeEvents(message);
        break;
      case "row":
        placeRow(message);
        break;
      case "presence":
        showPresence(message);
        break;
      case "synced":
        seen(message.id);
        break;
      case "reload":
        askToReload(message.text);
        break;
      default:
        break;
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    // Updates come rendered in the page's own language: the server renders once per language read.
    var path = root.getAttribute("data-live-socket");
    var lang = document.documentElement.getAttribute("lang") || "";
    if (lang) {
      path += (path.indexOf("?") < 0 ? "?" : "&") + "lang=" + encodeURIComponent(lang);
    }
    var socket = new WebSocket(scheme + window.location.host + path);
    socket.addEventListener("open", function () {
      attempt = 0;
      showState("live");
      socket.send(JSON.stringify({ resume: last ? { after: last } : { since: Math.max(0, since) } }));
    });
    socket.addEventListener("message", function (event) {
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      handle(message);
    });
    socket.addEventListener("close", function (event) {
      if (event.code === 4403) {
        // Access ended (signed out elsewhere, case no longer visible): stop, and say so.
        ended = true;
        showState("ended");
        say(text("ended"));
        return;
      }
      if (ended) {
        return;
      }
      showState("reconnecting");
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt)) * (0.5 + Math.random() / 2);
      attempt += 1;
      window.setTimeout(connect, delay);
    });
  }

  connect();
})();
