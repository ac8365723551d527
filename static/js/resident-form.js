// The resident's form on the station's QR page (templates/opinions/public_form.html), for weak rural links:
// photos are scaled down and re-encoded on the phone (static/js/photo-shrink.js: canvas, JPEG, about 1,600 px
// and under 300 KB; the original is kept where the browser cannot), the upload shows its progress, the button is
// disabled while sending, and a dropped link is retried with the same text, photos and idempotency key (the
// server answers a retry with the same acknowledgement). Every refusal is a Chinese message in the page.
// Without these browser features the form is submitted as a plain form.
(function () {
  "use strict";
  var form = document.querySelector("form[data-resident-form]");
  // A page answered with errors (a plain submission): focus goes to the first of them.
  var firstError = document.querySelector("#form-errors, [aria-invalid=true]");
  if (firstError) firstError.focus();
  if (!form || !window.FormData || !FormData.prototype.delete || !window.XMLHttpRequest || !window.Promise ||
      !window.DOMParser || !document.body.replaceWith || !window.LiaisonPhotos) {
    if (form) form.addEventListener("submit", function () { form.querySelector("button[type=submit]").disabled = true; });
    return;
  }

  var MAX_SIDE = parseInt(form.getAttribute("data-max-side"), 10) || 1600;
  var MAX_BYTES = parseInt(form.getAttribute("data-max-bytes"), 10) || 300 * 1024;
  var MAX_PHOTOS = parseInt(form.getAttribute("data-max-photos"), 10) || 3;
  var RETRY_DELAYS = [2, 4, 8, 15, 30, 30, 30, 30]; // seconds; then the resident taps 重新提交
  var input = form.querySelector("input[type=file]");
  var button = form.querySelector("button[type=submit]");
  var buttonText = button.textContent;
  var progress = document.getElementById("upload-progress");
  var bar = progress && progress.querySelector("progress");
  var status = document.getElementById("upload-status");
  var prepared = null; // Promise of the photos to send; the same blobs on every retry (same fingerprint)
  var busy = false;

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? "alert alert-danger mt-3" : "alert alert-info mt-3";
    status.hidden = !text;
  }

  function showProgress(fraction) {
    progress.hidden = fraction === null;
    if (fraction !== null) {
      bar.value = Math.round(fraction * 100);
      bar.textContent = bar.value + "%";
    }
  }

  // One photo scaled and re-encoded on the phone (static/js/photo-shrink.js, loaded before this file).
  function shrink(file) {
    return window.LiaisonPhotos.shrink(file, { maxSide: MAX_SIDE, maxBytes: MAX_BYTES });
  }

  function preparePhotos() {
    var files = Array.prototype.slice.call(input ? input.files : []);
    if (files.length > MAX_PHOTOS) return Promise.reject(new Error("最多上传 " + MAX_PHOTOS + " 张照片，请重新选择"));
    return Promise.all(files.map(shrink));
  }

  if (input) {
    input.addEventListener("change", function () {
      clearErrors();
      prepared = preparePhotos(); // start on choosing, so that 提交 has less to wait for
      prepared.catch(function () {});
    });
  }

  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll(".lz-error"), function (el) { el.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) {
      el.removeAttribute("aria-invalid");
      var ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return !/_error$/.test(id); });
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" ")); else el.removeAttribute("aria-describedby");
    });
    var alert = document.getElementById("form-errors");
    if (alert) alert.remove();
  }

  // The message tied to its field (aria-describedby, aria-invalid), as the server renders it.
  function fieldError(name, messages) {
    var control = form.elements[name];
    if (!control || !control.id) return null;
    var box = document.createElement("div");
    box.className = "text-danger small lz-error";
    box.id = control.id + "_error";
    messages.forEach(function (m) { var d = document.createElement("div"); d.textContent = m; box.appendChild(d); });
    control.parentNode.appendChild(box);
    control.setAttribute("aria-invalid", "true");
    var ids = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    ids.push(box.id);
    control.setAttribute("aria-describedby", ids.join(" "));
    return control;
  }

  function formError(messages) {
    var box = document.createElement("div");
    box.id = "form-errors";
    box.className = "alert alert-danger";
    box.setAttribute("role", "alert");
    box.tabIndex = -1;
    messages.forEach(function (m) { var d = document.createElement("div"); d.textContent = m; box.appendChild(d); });
    form.parentNode.insertBefore(box, form);
    return box;
  }

  // A 400 answer is the form again with its errors: show them here, keeping what the resident typed and chose.
  function applyErrors(doc) {
    clearErrors();
    var first = null;
    var alert = doc.getElementById("form-errors");
    if (alert) {
      first = formError(Array.prototype.map.call(alert.children.length ? alert.children : [alert], function (el) {
        return el.textContent.trim();
      }));
    }
    Array.prototype.forEach.call(doc.querySelectorAll(".lz-error"), function (box) {
      var name = box.id.replace(/^id_/, "").replace(/_error$/, "");
      var messages = Array.prototype.map.call(box.children, function (el) { return el.textContent.trim(); });
      var control = fieldError(name, messages);
      first = first || control;
    });
    ["token", "key"].forEach(function (name) { // a fresh fill-time token; the key stays the same
      var fresh = doc.querySelector("form [name=" + name + "]");
      if (fresh && form.elements[name]) form.elements[name].value = fresh.value;
    });
    if (!first) first = formError(["提交未成功，请核对后重新提交"]);
    first.focus();
  }

  function done(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.title = doc.title;
    document.body.replaceWith(doc.body);
    window.scrollTo(0, 0);
    var heading = document.querySelector("h1");
    if (heading) { heading.tabIndex = -1; heading.focus(); }
  }

  function finish(message) {
    busy = false;
    button.disabled = false;
    button.textContent = message ? "重新提交" : buttonText;
    showProgress(null);
    if (message) say(message, true);
  }

  function send(photos, attempt) {
    var data = new FormData(form);
    data.delete("photos");
    photos.forEach(function (p) { data.append("photos", p, p.name || "photo.jpg"); });
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) {
        showProgress(e.loaded / e.total);
        say(e.loaded < e.total ? "正在上传，请不要关闭页面……" : "已上传，正在等待登记结果……");
      }
    };
    var retry = function () {
      if (attempt >= RETRY_DELAYS.length) {
        finish("网络一直不通，未能提交。您填写的内容和照片都还在，请到信号好的地方点“重新提交”。");
        return;
      }
      var wait = RETRY_DELAYS[attempt];
      say("网络中断，" + wait + " 秒后自动重试（第 " + (attempt + 1) + " 次）。您填写的内容和照片都还在，请不要关闭页面。", true);
      var again = function () { send(photos, attempt + 1); };
      if (navigator.onLine === false) {
        window.addEventListener("online", function once() { window.removeEventListener("online", once); again(); });
      } else {
        setTimeout(again, wait * 1000);
      }
    };
    xhr.onerror = retry;
    xhr.ontimeout = retry;
    xhr.onload = function () {
      var s = xhr.status;
      if (s === 200) return done(xhr.responseText);
      if (s === 400) {
        finish(null);
        say("", false);
        return applyErrors(new DOMParser().parseFromString(xhr.responseText, "text/html"));
      }
      if (s === 413) return finish("照片太大，未能提交。请少选几张照片，或换小一些的照片后重新提交。");
      if (s === 429) return finish("提交得太频繁了，请稍后再点“重新提交”；急事请直接拨打联络站电话。");
      if (s === 403) return finish("页面已过期，请刷新页面后重新填写。");
      if (s === 0 || s === 502 || s === 503 || s === 504) return retry();
      finish("服务器暂时出了问题，未能提交。您填写的内容和照片都还在，请稍后点“重新提交”。");
    };
    xhr.send(data);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) return;
    clearErrors();
    var content = form.elements.content;
    if (content && !content.value.trim()) {
      fieldError("content", ["请填写反映内容"]).focus();
      return;
    }
    busy = true;
    button.disabled = true;
    button.textContent = "正在提交……";
    say("正在处理照片……");
    if (!prepared) prepared = preparePhotos();
    prepared.then(function (photos) {
      showProgress(0);
      send(photos, 0);
    }, function (error) {
      prepared = null;
      finish(error.message);
    });
  });
})();
