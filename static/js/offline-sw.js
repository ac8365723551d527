// The service worker of the deputies' visit pages (scope /opinions/visits/), served by
// liaison/opinions/views/offline.py with its configuration first (self.LIAISON_OFFLINE: the shell's URLs as
// collectstatic named them, the visit form, the pick lists, the version).
//
// - The app shell (styles, scripts, icon) is cached at install and served from the cache first: its URLs are
//   hashed in production, and any change makes a new version, hence a new cache.
// - The visit form and the pick lists go to the network first (the cached copy is refreshed by every good
//   answer) and fall back to the cache offline or when the link is too slow. A redirect (to the login page) or
//   an error is never cached in their place.
// - Background Sync ("visit-outbox") replays the outbox (static/js/visit-outbox.js) when the link is back, and
//   the open pages are told to redraw it. Everything else passes through untouched.
/* global LIAISON_OFFLINE, LiaisonOutbox */
"use strict";
var CONFIG = self.LIAISON_OFFLINE;
self.importScripts(CONFIG.outbox);

var CACHE = "liaison-visits-" + CONFIG.version;
var SLOW_MS = 10000; // a page that has not answered by then comes from the cache, if it is there
var pages = CONFIG.pages.concat([CONFIG.lists]);

function path(url) { return new URL(url, self.location.href).pathname; }

function good(response) { return response && response.ok && !response.redirected && response.type === "basic"; }

function fetchInto(cache, url) {
  return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
    if (good(response)) return cache.put(url, response);
    return null;
  }).catch(function () { return null; });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(CONFIG.shell).then(function () {
      return Promise.all(pages.map(function (url) { return fetchInto(cache, url); }));
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("liaison-visits-") === 0 && n !== CACHE; })
      .map(function (n) { return caches["delete"](n); }));
  }).then(function () { return self.clients.claim(); }));
});

function networkFirst(request, key) {
  return caches.open(CACHE).then(function (cache) {
    var network = fetch(request).then(function (response) {
      if (good(response)) cache.put(key, response.clone());
      return response;
    });
    var slow = new Promise(function (resolve) { setTimeout(resolve, SLOW_MS); }).then(function () {
      return cache.match(key).then(function (cached) { return cached || network; });
    });
    var offline = network["catch"](function () {
      return cache.match(key).then(function (cached) {
        return cached || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
      });
    });
    return Promise.race([offline, slow]);
  });
}

function cacheFirst(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request).then(function (cached) {
      return cached || fetch(request).then(function (response) {
        if (good(response)) cache.put(request, response.clone());
        return response;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var page = pages.filter(function (p) { return path(p) === url.pathname; })[0];
  if (page) {
    event.respondWith(networkFirst(request, page));
  } else if (CONFIG.shell.indexOf(url.pathname + url.search) >= 0 || CONFIG.shell.indexOf(url.pathname) >= 0) {
    event.respondWith(cacheFirst(request));
  }
});

function tellPages() {
  return self.clients.matchAll({ type: "window" }).then(function (all) {
    all.forEach(function (c) { c.postMessage({ type: "outbox-changed" }); });
  });
}

function replay() {
  return LiaisonOutbox.replay({ lists: CONFIG.lists, api: CONFIG.api }).then(function (done) {
    return tellPages().then(function () { return done; });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag !== "visit-outbox") return;
  // Rejected while offline or the server is down, so that the browser tries again later; signed out, it waits
  // for the deputy to sign in (the page replays on load).
  event.waitUntil(replay().then(function (done) {
    if (done.note === "offline" || done.note === "server" || done.note === "busy") throw new Error(done.note);
  }));
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "replay") event.waitUntil(replay());
});
