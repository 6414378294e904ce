/* Mail list: "select all", and new mail while the page is open (Server-Sent Events, no reload).
   The page works without this script; it only adds the live banner and unread counts. */
(function () {
  "use strict";

  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      box.form.querySelectorAll('input[name="uid"]').forEach(function (item) {
        item.checked = box.checked;
      });
    });
  });

  var live = document.getElementById("mail-live");
  var banner = document.getElementById("new-mail");
  if (!live || !banner || !window.EventSource || !window.fetch) {
    return;
  }
  var after = (parseInt(live.dataset.uidnext, 10) || 1) - 1;
  var baseTitle = document.title;
  // Stop listening once the member has been away for a while, so an open tab does not keep the
  // session alive forever (sessions expire after idle time; PRODUCT §1).
  var IDLE_MS = 25 * 60 * 1000;
  var lastActivity = Date.now();
  ["keydown", "mousedown", "touchstart", "scroll", "focus"].forEach(function (name) {
    window.addEventListener(name, function () {
      lastActivity = Date.now();
      if (!source) {
        connect();
      }
    }, { passive: true });
  });

  var source = null;
  var busy = false;
  var again = false;

  function connect() {
    source = new EventSource(live.dataset.eventsUrl + "?since=" + encodeURIComponent(live.dataset.modseq || "0"));
    source.addEventListener("changed", refresh);
  }

  function showBanner(data) {
    var text = data.new_count === 1 ? live.dataset.newOne : live.dataset.newMany.replace("{n}", String(data.new_count));
    banner.querySelector(".text").textContent = text;
    var list = banner.querySelector(".new-list");
    list.textContent = "";
    data["new"].forEach(function (item) {
      var entry = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.from + " — " + item.subject;
      entry.appendChild(link);
      list.appendChild(entry);
    });
    banner.hidden = false;
    document.title = "(" + data.new_count + ") " + baseTitle;
  }

  function refresh() {
    if (Date.now() - lastActivity > IDLE_MS) {
      source.close();
      source = null;
      return;
    }
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    var url = live.dataset.statusUrl + "?folder=" + encodeURIComponent(live.dataset.folder) + "&after=" + after;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) {
          return;
        }
        data.folders.forEach(function (folder) {
          document.querySelectorAll("[data-unseen-for]").forEach(function (count) {
            if (count.getAttribute("data-unseen-for") === folder.slug) {
              count.textContent = String(folder.unseen);
              count.hidden = !folder.unseen;
            }
          });
        });
        if (data.new_count > 0) {
          showBanner(data);
        }
      })
      .catch(function () { /* the next event retries */ })
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  connect();
})();
