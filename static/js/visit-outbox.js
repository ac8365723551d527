// The deputies' outbox of visits, in IndexedDB: shared by the visit form (static/js/visit-offline.js) and the
// service worker (static/js/offline-sw.js, Background Sync). No DOM here.
//
// An item is one visit with its opinions and their photos (already shrunk, base64), exactly the body of
// POST /api/v1/visits, with its own Idempotency-Key. `replay` sends the signed-in deputy's queued items one by
// one: a 2xx (the first answer, or the server's replay of it for a retry with the same key) marks the item sent
// and keeps only its codes and query passwords for the deputy to pass on; a refusal (400/403/404/409/413/422)
// marks it refused with the server's reason, to be fixed and sent again; anything else (offline, signed out,
// throttled, a server error) leaves it queued with a note and stops until the next try. Nothing leaves the
// outbox without the server's acknowledgement; a sent item leaves when the deputy dismisses it. The page and
// the worker replay under one Web Lock, and the server's idempotency makes a doubled send harmless anyway.
(function (root) {
  "use strict";
  var DB = "liaison-offline";
  var STORE = "visits";
  var LOCK = "liaison-visit-outbox";

  function request(r) {
    return new Promise(function (resolve, reject) {
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }

  function open() {
    var r = root.indexedDB.open(DB, 1);
    r.onupgradeneeded = function () {
      if (!r.result.objectStoreNames.contains(STORE)) r.result.createObjectStore(STORE, { keyPath: "id" });
    };
    return request(r);
  }

  // One transaction; `fn(store)` returns an IDBRequest (or nothing), whose result is the answer.
  function withStore(mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var r = fn(t.objectStore(STORE));
        var result;
        if (r) r.onsuccess = function () { result = r.result; };
        t.oncomplete = function () { db.close(); resolve(result); };
        t.onerror = t.onabort = function () { db.close(); reject(t.error); };
      });
    });
  }

  function items(user) {
    return withStore("readonly", function (s) { return s.getAll(); }).then(function (all) {
      return all.filter(function (i) { return i.user === user; })
        .sort(function (a, b) { return a.createdAt < b.createdAt ? -1 : 1; });
    });
  }

  function get(id) { return withStore("readonly", function (s) { return s.get(id); }); }
  function put(item) { return withStore("readwrite", function (s) { s.put(item); }); }
  function remove(id) { return withStore("readwrite", function (s) { s["delete"](id); }); }

  function newKey() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID().replace(/-/g, "");
    var bytes = new Uint8Array(16);
    root.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  function withLock(fn) {
    var locks = root.navigator && root.navigator.locks;
    return locks ? locks.request(LOCK, fn) : fn();
  }

  // The server's reason as one line: its message, or the field errors of a 422 from input validation.
  function reasonOf(status, body) {
    if (status === 413) return { note: "too_large" };
    var detail = body && body.detail;
    if (Array.isArray(detail)) {
      detail = detail.map(function (e) {
        var loc = (e.loc || []).filter(function (p) { return p !== "body" && p !== "payload"; }).join(".");
        return (loc ? loc + "：" : "") + (e.msg || "");
      }).join("；");
    }
    return { reason: String(detail || status) };
  }

  function summary(payload) {
    var photos = 0;
    (payload.opinions || []).forEach(function (o) { photos += (o.photos || []).length; });
    return { date: payload.date, place: payload.place, opinions: (payload.opinions || []).length, photos: photos };
  }

  // Who is signed in, and a fresh CSRF token: null when nobody is (the session ended), rejected when offline.
  function whoAmI(listsUrl) {
    return fetch(listsUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) {
        var json = (r.headers.get("Content-Type") || "").indexOf("json") >= 0;
        return r.ok && !r.redirected && json ? r.json() : null;
      });
  }

  function send(item, me, apiUrl) {
    return fetch(apiUrl, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "Idempotency-Key": item.key,
        "X-CSRFToken": me.csrf_token,
      },
      body: JSON.stringify(item.payload),
    }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (body) {
        var s = r.status;
        if (s >= 200 && s < 300 && body && body.code) {
          item.status = "sent";
          item.sentAt = new Date().toISOString();
          item.summary = summary(item.payload);
          item.answer = { code: body.code, opinions: body.opinions || [] };
          delete item.payload; // the residents' words, contacts and photos stay on the server only
          delete item.note;
          delete item.reason;
          return put(item).then(function () { return "sent"; });
        }
        var csrf = s === 403 && body && /csrf/i.test(String(body.detail));
        if (s === 401 || csrf) return stop(item, "login");
        if ([400, 403, 404, 409, 413, 422].indexOf(s) >= 0) {
          var why = reasonOf(s, body);
          item.status = "refused";
          item.reason = why.reason || "";
          item.note = why.note || "";
          return put(item).then(function () { return "refused"; });
        }
        return stop(item, s === 429 ? "busy" : "server");
      });
    }, function () { return stop(item, "offline"); });
  }

  function stop(item, note) {
    item.note = note;
    item.tries = (item.tries || 0) + 1;
    item.triedAt = new Date().toISOString();
    return put(item).then(function () { throw { outbox: note }; });
  }

  // Send what is queued for whoever is signed in. Answers {sent, refused, left, note}: note is "" when every
  // queued item got an answer, else why the rest waits ("offline", "login", "busy", "server").
  function replay(urls) {
    return withLock(function () {
      var done = { sent: 0, refused: 0, left: 0, note: "" };
      return whoAmI(urls.lists).then(function (me) {
        if (!me) { done.note = "login"; return done; }
        return items(me.user).then(function (all) {
          var queued = all.filter(function (i) { return i.status === "queued"; });
          var chain = Promise.resolve();
          queued.forEach(function (item) {
            chain = chain.then(function () {
              if (done.note) { done.left += 1; return null; }
              return send(item, me, urls.api).then(function (outcome) { done[outcome] += 1; }, function (e) {
                if (!e || !e.outbox) throw e;
                done.note = e.outbox;
                done.left += 1;
              });
            });
          });
          return chain.then(function () { return done; });
        });
      }, function () { done.note = "offline"; return done; });
    });
  }

  root.LiaisonOutbox = {
    items: items, get: get, put: put, remove: remove, newKey: newKey, replay: replay, summary: summary,
  };
})(self);
