// Copy buttons for selectable values (DNS records, API token secrets, client passwords, TOTP keys).
// Progressive enhancement: without JavaScript the values stay plain, selectable text; with it each
// [data-copy] element gets a small "Copy" button. The copied text is data-copy-text when present,
// else the element's own text.
(function () {
  "use strict";
  var zh = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0;
  var LABEL = zh ? "复制" : "Copy";
  var DONE = zh ? "已复制" : "Copied";
  var FAILED = zh ? "请手动选择复制" : "Select and copy by hand";

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen-copy";
    area.style.position = "fixed";
    area.style.top = "-1000px";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () {
        return fallbackCopy(text);
      });
    }
    return Promise.resolve(fallbackCopy(text));
  }

  function attach(element) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button secondary";
    button.textContent = LABEL;
    button.setAttribute("data-testid", "copy-button");
    button.addEventListener("click", function () {
      var text = element.getAttribute("data-copy-text") || element.textContent.trim();
      copyText(text).then(function (ok) {
        button.textContent = ok ? DONE : FAILED;
        button.setAttribute("data-copied", ok ? "yes" : "no");
        window.setTimeout(function () { button.textContent = LABEL; }, 2000);
      });
    });
    element.insertAdjacentElement("afterend", button);
  }

  function init() {
    var elements = document.querySelectorAll("[data-copy]");
    for (var i = 0; i < elements.length; i++) { attach(elements[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
