// Photos shrunk on the phone before they travel (shared by the QR form, static/js/resident-form.js, and the
// deputy's offline visit form, static/js/visit-offline.js): scaled to about `maxSide` px on the longest side and
// re-encoded as JPEG under `maxBytes` (lower quality first, then smaller); the original where the browser cannot
// decode or encode it, or when the original is already smaller. No DOM beyond a detached canvas.
(function (root) {
  "use strict";

  function loadImage(file) {
    if (root.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () {
        return createImageBitmap(file);
      });
    }
    return new Promise(function (resolve, reject) {
      var img = new Image();
      var url = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
      img.src = url;
    });
  }

  function encode(canvas, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }

  // One photo (a File or Blob) → a Promise of a File (or a named Blob where File cannot be built).
  function shrink(file, options) {
    var maxSide = (options && options.maxSide) || 1600;
    var maxBytes = (options && options.maxBytes) || 300 * 1024;
    if (file.size <= maxBytes && /jpe?g$/i.test(file.type)) return Promise.resolve(file);
    return loadImage(file).then(function (img) {
      var side = Math.max(img.width, img.height);
      var scale = Math.min(1, maxSide / side);
      var attempt = function (scale, quality) {
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(img.width * scale));
        canvas.height = Math.max(1, Math.round(img.height * scale));
        var ctx = canvas.getContext("2d");
        ctx.fillStyle = "#fff"; // a transparent PNG would turn black in JPEG
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
        return encode(canvas, quality).then(function (blob) {
          if (!blob) throw new Error("encode");
          if (blob.size <= maxBytes || (quality <= 0.5 && scale * side <= 800)) return blob;
          return quality > 0.5 ? attempt(scale, quality - 0.15) : attempt(scale * 0.75, 0.7);
        });
      };
      return attempt(scale, 0.8);
    }).then(function (blob) {
      if (blob.size >= file.size) return file;
      var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
      try { return new File([blob], name, { type: "image/jpeg" }); } catch (e) { blob.name = name; return blob; }
    }).catch(function () { return file; });
  }

  root.LiaisonPhotos = { shrink: shrink, loadImage: loadImage };
})(self);
