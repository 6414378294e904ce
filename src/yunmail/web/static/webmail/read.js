/* Read view: size the sandboxed body frame to its content (the frame runs no script itself). */
(function () {
  "use strict";
  var frame = document.querySelector("iframe.mail-body");
  if (!frame) {
    return;
  }
  function fit() {
    try {
      var doc = frame.contentDocument;
      if (doc && doc.body) {
        // The body's own height (the document's is at least the frame's, so it never shrinks).
        var height = Math.max(doc.body.scrollHeight, doc.body.offsetHeight);
        frame.style.height = Math.max(120, height + 4) + "px";
      }
    } catch (ignored) {
      /* not reachable: keep the stylesheet's height */
    }
  }
  frame.addEventListener("load", function () {
    fit();
    var doc = frame.contentDocument;
    if (doc && window.ResizeObserver) {
      new ResizeObserver(fit).observe(doc.body);
    }
    if (doc) {
      Array.prototype.forEach.call(doc.images, function (image) {
        image.addEventListener("load", fit);
      });
    }
  });
  fit();
})();
