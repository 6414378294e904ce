// Member pages, enhancements only (everything works without them): "select all" for the bulk
// checkboxes, a confirmation before deleting, a copy button for a generated password.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const all = document.querySelector("[data-select-all]");
  if (all) {
    all.closest("label").hidden = false;
    const boxes = () => document.querySelectorAll('input[type=checkbox][name="member_id"]');
    all.addEventListener("change", () => {
      for (const box of boxes()) box.checked = all.checked;
    });
  }
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      const only = form.dataset.confirmActions;
      const action = form.querySelector('select[name="action"]');
      if (only && action && action.value !== only) return;
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
  for (const button of document.querySelectorAll("button[data-copy]")) {
    if (!navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", () => navigator.clipboard.writeText(button.dataset.copy));
  }
});
