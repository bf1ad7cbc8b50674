/* Field visits without a connection: keep cases on the device, encrypted, and send them when back.
 *
 * Plain script, no framework: it must load fast on a low-end phone. What waits on the device
 * (drafts, photos, the PINs of reserved references) is encrypted with AES-GCM under a key the
 * browser generated as non-extractable: script can use it but not read it out. The strings come
 * from the server in the person's language, rendered into the page the worker keeps.
 */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("fv-config").textContent);
  var T = config.strings;
  var $ = function (id) { return document.getElementById(id); };
  var DAY = 86400000;

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return String(values[name]); });
  }

  // --- storage: one IndexedDB database, three stores -------------------------------------------

  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open("suara-field", 1);
        request.onupgradeneeded = function () {
          var d = request.result;
          d.createObjectStore("meta");
          d.createObjectStore("refs", { keyPath: "reference" });
          d.createObjectStore("drafts", { keyPath: "reference" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return dbPromise;
  }

  function tx(store, mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(store, mode);
        var result = work(t.objectStore(store));
        t.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  var get = function (store, key) { return tx(store, "readonly", function (s) { return s.get(key); }); };
  var all = function (store) { return tx(store, "readonly", function (s) { return s.getAll(); }); };
  var put = function (store, value, key) {
    return tx(store, "readwrite", function (s) { return key === undefined ? s.put(value) : s.put(value, key); });
  };
  var del = function (store, key) { return tx(store, "readwrite", function (s) { return s.delete(key); }); };
  var clear = function (store) { return tx(store, "readwrite", function (s) { return s.clear(); }); };

  function wipe() {
    keyPromise = null;
    return Promise.all([clear("meta"), clear("refs"), clear("drafts")]);
  }

  // --- encryption ---------------------------------------------------------------------------------

  // One promise per page, so that two first uses cannot make two keys (data sealed under the
  // losing one could never be opened again).
  var keyPromise = null;
  function key() {
    if (!keyPromise) {
      keyPromise = get("meta", "key").then(function (existing) {
        if (existing) return existing;
        return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])
          .then(function (made) { return put("meta", made, "key").then(function () { return made; }); });
      });
    }
    return keyPromise;
  }

  function encrypt(bytes) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    return key().then(function (k) { return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, k, bytes); })
      .then(function (data) { return { iv: iv, data: data }; });
  }
  function decrypt(box) {
    return key().then(function (k) { return crypto.subtle.decrypt({ name: "AES-GCM", iv: box.iv }, k, box.data); });
  }
  var sealJson = function (value) { return encrypt(new TextEncoder().encode(JSON.stringify(value))); };
  var openJson = function (box) {
    return decrypt(box).then(function (data) { return JSON.parse(new TextDecoder().decode(data)); });
  };

  function deviceId() {
    return get("meta", "device").then(function (id) {
      if (id) return id;
      var bytes = crypto.getRandomValues(new Uint8Array(24));
      id = btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      return put("meta", id, "device").then(function () { return id; });
    });
  }

  // --- what the page shows ------------------------------------------------------------------------

  function status(text) { $("fv-status").textContent = text; }

  function refresh() {
    var now = Date.now();
    return Promise.all([all("refs"), all("drafts")]).then(function (found) {
      var refs = found[0].filter(function (r) { return !r.used && Date.parse(r.expiresAt) > now; });
      var drafts = found[1].sort(function (a, b) { return a.recordedAt < b.recordedAt ? -1 : 1; });
      $("fv-counts").textContent = fmt(T.referencesLeft, { count: refs.length }) + " · " +
        fmt(T.waiting, { count: drafts.length });
      var list = $("fv-drafts");
      list.textContent = "";
      drafts.forEach(function (draft) {
        var item = document.createElement("li");
        var title = document.createElement("strong");
        title.textContent = draft.reference;
        item.appendChild(title);
        item.appendChild(document.createTextNode(" · " + fmt(T.recordedOn, { date: new Date(draft.recordedAt).toLocaleString() })));
        if (draft.errors) {
          var reasons = document.createElement("ul");
          reasons.className = "reasons";
          var head = document.createElement("li");
          head.textContent = T.refused;
          reasons.appendChild(head);
          Object.keys(draft.errors).forEach(function (name) {
            draft.errors[name].forEach(function (message) {
              var line = document.createElement("li");
              var label = document.querySelector("label[for='id_" + name + "']");
              line.textContent = (label ? label.textContent.trim() + ": " : "") + message;
              reasons.appendChild(line);
            });
          });
          item.appendChild(reasons);
          var fix = document.createElement("button");
          fix.type = "button";
          fix.textContent = T.edit;
          fix.addEventListener("click", function () { edit(draft.reference); });
          item.appendChild(fix);
        }
        var remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = T.remove;
        remove.addEventListener("click", function () {
          if (window.confirm(T.confirmRemove)) del("drafts", draft.reference).then(refresh);
        });
        item.appendChild(document.createTextNode(" "));
        item.appendChild(remove);
        list.appendChild(item);
      });
      return { refs: refs, drafts: drafts };
    });
  }

  // --- recording ----------------------------------------------------------------------------------

  var editing = null; // the reference of a refused draft being fixed

  function readForm(form) {
    var fields = {};
    var files = [];
    new FormData(form).forEach(function (value, name) {
      if (value instanceof File) {
        if (value.size) files.push(value);
      } else {
        fields[name] = value;
      }
    });
    return { fields: fields, files: files };
  }

  function fillForm(form, fields) {
    form.reset();
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.type === "file" || !(element.name in fields)) return;
      if (element.type === "checkbox") element.checked = fields[element.name] === element.value;
      else if (element.type === "radio") element.checked = fields[element.name] === element.value;
      else element.value = fields[element.name];
    });
  }

  function sealFiles(files) {
    return Promise.all(files.map(function (file) {
      return file.arrayBuffer().then(encrypt).then(function (box) {
        return { name: file.name, type: file.type, box: box };
      });
    }));
  }

  function save(event) {
    event.preventDefault();
    var form = event.target;
    var read = readForm(form);
    var errors = $("fv-form-errors");
    if (!form.elements.description.value.trim() || !form.elements.category.value) {
      errors.hidden = false;
      errors.textContent = [form.elements.category, form.elements.description].filter(function (el) {
        return !el.value.trim();
      }).map(function (el) { return document.querySelector("label[for='" + el.id + "']").textContent.trim(); }).join(" · ");
      errors.focus();
      return;
    }
    errors.hidden = true;
    var pending = editing ? get("drafts", editing) : Promise.resolve(null);
    pending.then(function (previous) {
      if (previous) return { draft: previous, ref: null };
      return all("refs").then(function (refs) {
        var now = Date.now();
        var ref = refs.filter(function (r) { return !r.used && Date.parse(r.expiresAt) > now; })[0];
        if (!ref) throw new Error(T.noReferences);
        return { draft: null, ref: ref };
      });
    }).then(function (chosen) {
      return Promise.all([sealJson(read.fields), read.files.length ? sealFiles(read.files) : null]).then(function (boxes) {
        if (chosen.draft) {
          var draft = chosen.draft;
          draft.box = boxes[0];
          if (boxes[1]) draft.files = boxes[1];
          draft.errors = null;
          return put("drafts", draft).then(function () { return null; });
        }
        var ref = chosen.ref;
        var now = new Date().toISOString();
        ref.used = true;
        return put("refs", ref).then(function () {
          return put("drafts", {
            reference: ref.reference, recordedAt: now, organization: ref.organization,
            box: boxes[0], files: boxes[1] || [], errors: null,
          });
        }).then(function () { return openJson(ref.box); }).then(function (secret) {
          return { reference: ref.reference, pin: secret.pin, recordedAt: now, organization: ref.organizationName };
        });
      });
    }).then(function (slip) {
      editing = null;
      $("fv-photos-kept").hidden = true;
      form.reset();
      if (slip) showSlip(slip);
      return refresh().then(function () { if (navigator.onLine) sync(); });
    }).catch(function (error) {
      errors.hidden = false;
      errors.textContent = error.message;
      errors.focus();
    });
  }

  function showSlip(slip) {
    $("fv-slip-reference").textContent = slip.reference;
    $("fv-slip-pin").textContent = slip.pin;
    $("fv-slip-date").textContent = new Date(slip.recordedAt).toLocaleString();
    $("fv-slip-organization").textContent = slip.organization;
    $("fv-slip").hidden = false;
    $("fv-slip").focus();
    status(T.saved);
  }

  function edit(reference) {
    get("drafts", reference).then(function (draft) {
      return openJson(draft.box).then(function (fields) {
        editing = reference;
        fillForm($("fv-draft"), fields);
        var kept = $("fv-photos-kept");
        kept.hidden = !draft.files.length;
        kept.textContent = fmt(T.photosKept, { count: draft.files.length });
        $("fv-draft").scrollIntoView();
        $("fv-draft").elements[0].focus();
      });
    });
  }

  // --- talking to the server ----------------------------------------------------------------------

  var csrf = null;

  function checkState() {
    return fetch(config.urls.state, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (response.status === 401) { status(T.signIn); return false; }
      if (!response.ok) return false;
      return response.json().then(function (state) {
        csrf = state.csrf;
        return get("meta", "user").then(function (tag) {
          var reset = tag && tag !== state.user ? wipe().then(function () { status(T.otherPerson); }) : Promise.resolve();
          return reset.then(function () {
            return Promise.all([put("meta", state.user, "user"), put("meta", Date.now(), "seen")]);
          }).then(function () { return true; });
        });
      });
    });
  }

  function reserve(event) {
    event.preventDefault();
    var organization = $("fv-organization").value;
    checkState().then(function (ok) {
      if (!ok) return null;
      return deviceId().then(function (device) {
        return fetch(config.urls.reserve, {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
          body: JSON.stringify({ device: device, organization: organization }),
        });
      });
    }).then(function (response) {
      if (!response) return null;
      return response.json().then(function (body) {
        if (!response.ok) { status(Object.values(body.errors || {}).join(" ")); return null; }
        return Promise.all(body.references.map(function (r) {
          return sealJson({ pin: r.pin }).then(function (box) {
            return put("refs", {
              reference: r.reference, expiresAt: r.expiresAt, used: false, box: box,
              organization: body.organization.id, organizationName: body.organization.name,
            });
          });
        })).then(refresh).then(function (now) { status(fmt(T.reserved, { count: now.refs.length })); });
      });
    }).catch(function () { status(T.offline); });
  }

  var syncing = false;

  function sendOne(device, draft) {
    return Promise.all([openJson(draft.box), Promise.all(draft.files.map(function (file) {
      return decrypt(file.box).then(function (data) { return new File([data], file.name, { type: file.type }); });
    }))]).then(function (opened) {
      var body = new FormData();
      Object.keys(opened[0]).forEach(function (name) { body.append(name, opened[0][name]); });
      opened[1].forEach(function (file) { body.append("attachments", file, file.name); });
      body.append("device", device);
      body.append("reference", draft.reference);
      body.append("recorded_at", draft.recordedAt);
      body.append("language", document.documentElement.lang);
      return fetch(config.urls.sync, {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf }, body: body,
      });
    }).then(function (response) {
      if (response.status === 401) throw new Error(T.signIn);
      return response.json().then(function (result) {
        if (result.status === "created" || result.status === "already") {
          // Received: nothing about this case stays on the device.
          return Promise.all([del("drafts", draft.reference), del("refs", draft.reference)]).then(function () { return true; });
        }
        draft.errors = result.errors || { __all__: [T.refused] };
        return put("drafts", draft).then(function () { return false; });
      });
    });
  }

  function sync() {
    if (syncing) return Promise.resolve();
    syncing = true;
    var progress = $("fv-progress");
    var text = $("fv-progress-text");
    return checkState().then(function (ok) {
      if (!ok) return null;
      return Promise.all([deviceId(), all("drafts")]).then(function (found) {
        var device = found[0];
        // Refused cases wait to be fixed; the rest go in the order they were recorded.
        var queue = found[1].filter(function (d) { return !d.errors; })
          .sort(function (a, b) { return a.recordedAt < b.recordedAt ? -1 : 1; });
        if (!queue.length) return null;
        progress.hidden = false;
        progress.max = queue.length;
        var done = 0;
        var sent = 0;
        var step = function () {
          if (done === queue.length) return null;
          progress.value = done;
          text.textContent = fmt(T.sending, { done: done + 1, total: queue.length });
          return sendOne(device, queue[done]).then(function (ok) {
            done += 1;
            if (ok) sent += 1;
            return step();
          });
        };
        return step().then(function () {
          progress.value = done;
          text.textContent = fmt(T.sentCount, { count: sent }) + (sent === queue.length ? " " + T.sent : " " + T.refused);
        });
      });
    }).catch(function (error) {
      text.textContent = error && error.message === T.signIn ? T.signIn : T.interrupted;
    }).then(function () {
      syncing = false;
      return refresh();
    });
  }

  // --- housekeeping: old data goes ------------------------------------------------------------------

  function expire() {
    var limit = Date.now() - config.maxAgeDays * DAY;
    return get("meta", "seen").then(function (seen) {
      // Not in touch with the server for longer than drafts may wait: nothing here may stay.
      if (seen && seen < limit) return wipe().then(function () { return true; });
      return Promise.all([all("drafts"), all("refs")]).then(function (found) {
        var old = found[0].filter(function (d) { return Date.parse(d.recordedAt) < limit; });
        var stale = found[1].filter(function (r) { return !r.used && Date.parse(r.expiresAt) < Date.now(); });
        return Promise.all(old.map(function (d) { return del("drafts", d.reference); })
          .concat(stale.map(function (r) { return del("refs", r.reference); })))
          .then(function () { return old.length > 0; });
      });
    }).then(function (removed) { if (removed) status(fmt(T.expired, { days: config.maxAgeDays })); });
  }

  function start() {
    if (!window.indexedDB || !window.crypto || !crypto.subtle) { status(T.noStorage); return; }
    if ("serviceWorker" in navigator) navigator.serviceWorker.register(config.urls.worker).catch(function () {});
    status(navigator.onLine ? T.online : T.offline);
    $("fv-reserve").addEventListener("submit", reserve);
    $("fv-draft").addEventListener("submit", save);
    $("fv-sync").addEventListener("click", function () { sync(); });
    $("fv-print").addEventListener("click", function () { window.print(); });
    $("fv-next").addEventListener("click", function () {
      $("fv-slip").hidden = true;
      $("fv-draft").elements[0].focus();
    });
    window.addEventListener("online", function () { status(T.online); sync(); });
    window.addEventListener("offline", function () { status(T.offline); });
    expire().then(refresh).then(function () { if (navigator.onLine) return sync(); });
  }

  start();
})();
