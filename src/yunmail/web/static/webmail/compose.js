/* Compose: auto-save the draft every few seconds while the form changed, and suggest addresses
   from the enterprise address book. Sending and saving work without this script. */
(function () {
  "use strict";
  var form = document.getElementById("compose-form");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = form.querySelector(".autosave-status");
  var csrf = form.querySelector('input[name="csrf_token"]').value;
  var draftField = form.querySelector('input[name="draft"]');
  var seconds = parseInt(form.dataset.autosaveSeconds, 10) || 15;
  var dirty = false;
  var saving = false;
  var submitting = false;
  var pendingSubmit = null;

  function markDirty() { dirty = true; }
  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);

  function keptList(items) {
    var fieldset = form.querySelector(".kept");
    var list = fieldset.querySelector(".kept-list");
    list.textContent = "";
    items.forEach(function (item) {
      var entry = document.createElement("li");
      var label = document.createElement("label");
      label.className = "check";
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = "keep";
      box.value = item.key;
      box.checked = true;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + item.name));
      entry.appendChild(label);
      list.appendChild(entry);
    });
    fieldset.hidden = items.length === 0;
  }

  function save() {
    if (!dirty || saving || submitting) {
      return;
    }
    saving = true;
    dirty = false;
    var data = new FormData(form);
    data.delete("action");
    fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, Accept: "application/json" }
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (!result.ok) {
          dirty = true;
          status.textContent = form.dataset.failed + ": " + (result.body.message || "");
          return;
        }
        draftField.value = String(result.body.draft);
        keptList(result.body.attachments);
        var files = form.querySelector('input[type="file"]');
        if (files) {
          files.value = "";  // the chosen files are in the draft now (listed above)
        }
        status.textContent = result.body.message;
        if (window.history && history.replaceState) {
          history.replaceState(null, "", "/compose?draft=" + encodeURIComponent(result.body.draft));
        }
      })
      .catch(function () {
        dirty = true;
        status.textContent = form.dataset.failed;
      })
      .then(function () {
        saving = false;
        if (pendingSubmit) {
          var button = pendingSubmit;
          pendingSubmit = null;
          form.requestSubmit(button);
        }
      });
  }

  form.addEventListener("submit", function (event) {
    if (saving) {
      // Wait for the auto-save: its draft number must go with this submission.
      event.preventDefault();
      pendingSubmit = event.submitter || null;
      return;
    }
    submitting = true;
  });
  window.setInterval(save, seconds * 1000);

  // --- address suggestions ---------------------------------------------------------------------
  var contactsUrl = form.dataset.contactsUrl;
  var SEPARATORS = /[,;，；]/;

  function lastToken(value) {
    var index = -1;
    for (var i = value.length - 1; i >= 0; i -= 1) {
      if (SEPARATORS.test(value.charAt(i))) {
        index = i;
        break;
      }
    }
    return { head: index >= 0 ? value.slice(0, index + 1) + " " : "", term: value.slice(index + 1).trim() };
  }

  form.querySelectorAll("[data-contacts]").forEach(function (input) {
    var box = document.createElement("ul");
    box.className = "suggestions";
    box.hidden = true;
    box.setAttribute("role", "listbox");
    box.setAttribute("data-testid", "suggestions-" + input.name);
    input.parentNode.insertBefore(box, input.nextSibling);
    var timer = null;
    var active = -1;

    function choose(label) {
      var parts = lastToken(input.value);
      input.value = parts.head.replace(/\s+$/, " ").replace(/^\s+/, "") + label + ", ";
      box.hidden = true;
      markDirty();
      input.focus();
    }

    function render(contacts) {
      box.textContent = "";
      active = -1;
      contacts.forEach(function (contact) {
        var item = document.createElement("li");
        item.setAttribute("role", "option");
        item.textContent = contact.kind ? contact.label + " · " + contact.kind : contact.label;
        item.dataset.label = contact.label;
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(contact.label);
        });
        box.appendChild(item);
      });
      box.hidden = contacts.length === 0;
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var term = lastToken(input.value).term;
      if (!term) {
        box.hidden = true;
        return;
      }
      timer = window.setTimeout(function () {
        fetch(contactsUrl + "?q=" + encodeURIComponent(term), {
          credentials: "same-origin",
          headers: { Accept: "application/json" }
        })
          .then(function (response) { return response.ok ? response.json() : { contacts: [] }; })
          .then(function (data) { render(data.contacts || []); })
          .catch(function () { box.hidden = true; });
      }, 150);
    });
    input.addEventListener("keydown", function (event) {
      var items = box.querySelectorAll("li");
      if (box.hidden || !items.length) {
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        active = (active + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        items.forEach(function (item, index) { item.classList.toggle("active", index === active); });
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(items[active].dataset.label);
      } else if (event.key === "Escape") {
        box.hidden = true;
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(function () { box.hidden = true; }, 150);
    });
  });
})();
