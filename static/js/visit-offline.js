// The deputy's visit form (templates/opinions/visit_form.html) working offline. Registers the service worker
// (static/js/offline-sw.js), fills the pick lists from the cached lists (stations by code, their villages as
// suggestions for the place, the categories by name, as POST /api/v1/visits takes them), and turns 保存走访
// into queue-then-send: the visit, its opinions and their photos (shrunk on the phone, static/js/photo-shrink.js)
// go into the outbox (static/js/visit-outbox.js) first, then are sent when there is a link — now, on the
// `online` event, on every page load, every minute while something waits, and by Background Sync from the
// worker. The outbox shows each item's status; a refused one can be loaded back into the form, fixed and sent
// again. The texts are rendered by the template (gettext), in #outbox-texts. Without IndexedDB or fetch, or
// before the pick lists have loaded, the form posts as a plain form.
(function () {
  "use strict";
  var form = document.querySelector("form[data-offline-visit-form]");
  var box = document.getElementById("outbox");
  if (!form || !box || !window.indexedDB || !window.fetch || !window.Promise || !window.FileReader ||
      !window.LiaisonOutbox || !window.LiaisonPhotos) return;
  var Outbox = window.LiaisonOutbox;
  var texts = document.getElementById("outbox-texts");
  var USER = box.getAttribute("data-user");
  var urls = { lists: box.getAttribute("data-lists-url"), api: box.getAttribute("data-api-url") };
  var PHOTOS = {
    maxSide: parseInt(form.getAttribute("data-max-side"), 10) || 1600,
    maxBytes: parseInt(form.getAttribute("data-max-bytes"), 10) || 300 * 1024,
  };
  var MAX_PHOTOS = parseInt(form.getAttribute("data-max-photos"), 10) || 3;
  var rows = Array.prototype.slice.call(form.querySelectorAll("[data-opinion-row]"));
  var button = form.querySelector("button[type=submit]");
  var buttonText = button.textContent;
  var cancel = document.getElementById("visit-edit-cancel");
  var formError = document.getElementById("visit-form-error");
  var status = document.getElementById("outbox-status");
  var list = document.getElementById("outbox-items");
  var count = document.getElementById("outbox-count");
  var lists = null; // the pick lists, once loaded (from the network or the worker's cache)
  var editing = null; // the refused item being fixed: {item, photos: [[base64…] per row]}
  var note = ""; // why the last replay left items waiting
  var busy = false;

  function t(key, n) {
    var text = texts.getAttribute("data-" + key) || key;
    return n === undefined ? text : text.replace("{n}", n);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function today() {
    var d = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function cell(row, name) { return row.querySelector("[name$='-" + name + "']"); }

  // --- the pick lists -------------------------------------------------------------------------------------

  function applyLists(data) {
    lists = data;
    var station = form.elements.station;
    var chosen = station.selectedIndex >= 0 ? station.options[station.selectedIndex].text : "";
    station.innerHTML = "";
    data.stations.forEach(function (s) { station.add(new Option(s.name, s.code, false, s.name === chosen)); });
    rows.forEach(function (row) {
      var select = cell(row, "category");
      var none = select.options.length && select.options[0].value === "" ? select.options[0].text : "";
      select.innerHTML = "";
      select.add(new Option(none, ""));
      data.categories.forEach(function (name) { select.add(new Option(name, name)); });
    });
    villages();
  }

  function villages() {
    var place = form.elements.place;
    var datalist = document.getElementById("visit-villages") || el("datalist");
    datalist.id = "visit-villages";
    datalist.innerHTML = "";
    var code = form.elements.station.value;
    (lists.stations.filter(function (s) { return s.code === code; })[0] || { villages: [] }).villages
      .forEach(function (name) { datalist.appendChild(new Option(name, name)); });
    if (!datalist.parentNode) place.parentNode.appendChild(datalist);
    place.setAttribute("list", "visit-villages");
  }

  form.elements.station.addEventListener("change", function () { if (lists) villages(); });

  // --- the form --------------------------------------------------------------------------------------------

  function showError(message, control) {
    formError.textContent = message;
    formError.hidden = false;
    if (control) {
      control.setAttribute("aria-invalid", "true");
      control.focus();
    } else {
      formError.focus();
    }
  }

  function clearError() {
    formError.hidden = true;
    formError.textContent = "";
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (c) {
      c.removeAttribute("aria-invalid");
    });
  }

  function base64(blob) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(String(reader.result).split(",")[1] || ""); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(blob);
    });
  }

  function photosOf(files) {
    return Promise.all(Array.prototype.map.call(files, function (file) {
      return window.LiaisonPhotos.shrink(file, PHOTOS).then(base64);
    }));
  }

  function keptNote(row, n) {
    var old = row.querySelector(".lz-kept-photos");
    if (old) old.remove();
    if (!n) return;
    var input = cell(row, "photos");
    input.parentNode.appendChild(el("div", "form-text lz-kept-photos", t("kept-photos", n)));
  }

  function resetForm() {
    form.reset();
    form.elements.date.value = today();
    editing = null;
    rows.forEach(function (row) { keptNote(row, 0); });
    button.textContent = buttonText;
    cancel.hidden = true;
    if (lists) villages();
  }

  // What the form holds, as the API's body, or null after showing what is missing.
  function read() {
    var f = form.elements;
    var payload = {
      station: f.station.value,
      kind: f.kind.value,
      date: f.date.value,
      place: f.place.value.trim(),
      residents_met: f.residents_met.value.trim(),
      note: f.note.value.trim(),
      opinions: [],
    };
    if (!payload.place) { showError(t("need-place"), f.place); return null; }
    var photos = [];
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var item = {};
      ["title", "content", "category", "resident_name", "resident_phone"].forEach(function (name) {
        item[name] = cell(row, name).value.trim();
      });
      var files = cell(row, "photos").files;
      var kept = (editing && editing.photos[i]) || [];
      var any = item.title || item.content || item.resident_name || item.resident_phone || files.length || kept.length;
      if (!any) continue;
      if (!item.content) { showError(t("need-content"), cell(row, "content")); return null; }
      if (files.length > MAX_PHOTOS) { showError(t("too-many-photos"), cell(row, "photos")); return null; }
      payload.opinions.push(item);
      photos.push(files.length ? photosOf(files) : Promise.resolve(kept));
    }
    return { payload: payload, photos: photos };
  }

  form.addEventListener("submit", function (event) {
    if (!lists) return; // no pick lists yet: the plain form
    event.preventDefault();
    if (busy) return;
    clearError();
    var read_ = read();
    if (!read_) return;
    busy = true;
    button.disabled = true;
    status.textContent = t("shrinking");
    var station = form.elements.station;
    Promise.all(read_.photos).then(function (photos) {
      read_.payload.opinions.forEach(function (o, i) { o.photos = photos[i]; });
      var item = editing ? editing.item : { id: Outbox.newKey(), createdAt: new Date().toISOString(), user: USER };
      item.key = Outbox.newKey(); // new content, new key (a refusal stored nothing under the old one)
      item.status = "queued";
      item.payload = read_.payload;
      item.stationName = station.options[station.selectedIndex].text;
      delete item.reason;
      delete item.note;
      return Outbox.put(item);
    }).then(function () {
      if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
      resetForm();
      status.textContent = t("saved");
      return render();
    }).then(kick, function (error) {
      showError(String((error && error.message) || error));
    }).then(function () {
      busy = false;
      button.disabled = false;
    });
  });

  cancel.addEventListener("click", function () { resetForm(); status.textContent = ""; });

  function edit(item) {
    var p = item.payload;
    resetForm();
    editing = { item: item, photos: p.opinions.map(function (o) { return o.photos || []; }) };
    var f = form.elements;
    f.station.value = p.station;
    f.kind.value = p.kind;
    f.date.value = p.date;
    f.place.value = p.place;
    f.residents_met.value = p.residents_met || "";
    f.note.value = p.note || "";
    p.opinions.forEach(function (o, i) {
      var row = rows[i];
      if (!row) return;
      ["title", "content", "category", "resident_name", "resident_phone"].forEach(function (name) {
        cell(row, name).value = o[name] || "";
      });
      keptNote(row, (o.photos || []).length);
    });
    if (lists) villages();
    button.textContent = t("resave");
    cancel.textContent = t("cancel");
    cancel.hidden = false;
    status.textContent = t("editing");
    f.date.focus();
  }

  // --- the outbox ------------------------------------------------------------------------------------------

  function line(item) {
    var s = item.payload ? Outbox.summary(item.payload) : item.summary || {};
    var parts = [s.date, s.place, item.stationName, t("opinions", s.opinions || 0)];
    if (s.photos) parts.push(t("photos", s.photos));
    return parts.filter(Boolean).join(" · ");
  }

  function entry(item) {
    var li = el("li", "border rounded bg-body p-2 mb-2 lz-outbox-item");
    li.setAttribute("data-status", item.status);
    var badge = { queued: "text-bg-secondary", refused: "text-bg-danger", sent: "text-bg-success" }[item.status];
    var head = el("div");
    head.appendChild(el("span", "badge me-1 " + badge, t(item.status)));
    head.appendChild(document.createTextNode(line(item)));
    li.appendChild(head);
    if (item.status === "queued" && item.note) li.appendChild(el("div", "small text-muted", t(item.note)));
    if (item.status === "refused") {
      li.appendChild(el("div", "small text-danger lz-reason", item.reason || t(item.note)));
      var fix = el("button", "btn btn-sm btn-outline-danger mt-1", t("fix"));
      fix.type = "button";
      fix.addEventListener("click", function () { edit(item); });
      li.appendChild(fix);
    }
    if (item.status === "sent") {
      li.appendChild(el("div", "small", t("visit-code") + " " + item.answer.code));
      if (item.answer.opinions.length) {
        var codes = el("div", "small", t("codes"));
        item.answer.opinions.forEach(function (o) {
          codes.appendChild(el("span", "d-inline-block me-2 font-monospace", o.code + "（" + t("password") + " " + o.password + "）"));
        });
        li.appendChild(codes);
      }
      var ok = el("button", "btn btn-sm btn-outline-secondary mt-1", t("dismiss"));
      ok.type = "button";
      ok.addEventListener("click", function () { Outbox.remove(item.id).then(render); });
      li.appendChild(ok);
    }
    return li;
  }

  function render() {
    return Outbox.items(USER).then(function (items) {
      var waiting = items.filter(function (i) { return i.status !== "sent"; }).length;
      count.textContent = String(waiting);
      list.innerHTML = "";
      items.forEach(function (item) { list.appendChild(entry(item)); });
      box.hidden = false;
      if (!editing && !busy) {
        status.textContent = waiting ? (note ? t(note) : "") : items.length ? t("all-sent") : "";
      }
      return items;
    });
  }

  var replaying = null;
  function replay() {
    if (navigator.onLine === false) {
      note = "offline";
      return render();
    }
    if (!replaying) {
      replaying = Outbox.replay(urls).then(function (done) {
        note = done.note;
      }, function () { note = "server"; }).then(function () {
        replaying = null;
        return render();
      });
    }
    return replaying;
  }

  // After a new item: Background Sync where the browser has it, and a try now.
  function kick() {
    if (navigator.serviceWorker) {
      navigator.serviceWorker.ready.then(function (reg) {
        return reg.sync && reg.sync.register("visit-outbox");
      }).catch(function () {});
    }
    return replay();
  }

  if (navigator.serviceWorker) {
    navigator.serviceWorker.register(box.getAttribute("data-sw-url"), { scope: box.getAttribute("data-sw-scope") })
      .catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "outbox-changed") render();
    });
  }
  window.addEventListener("online", replay);
  window.addEventListener("offline", function () { note = "offline"; render(); });
  setInterval(function () {
    if (list.querySelector("[data-status=queued]")) replay();
  }, 60000);

  form.elements.date.value = today(); // a page from the cache was made on another day
  fetch(urls.lists, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok && !r.redirected ? r.json() : null; })
    .then(function (data) { if (data) applyLists(data); })
    .catch(function () {})
    .then(render)
    .then(replay);
})();
