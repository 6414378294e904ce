// Import pages: stop a second submit while a file is checked or imported (they can take a while).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll('form[method="post"]')) {
    form.addEventListener("submit", () => {
      for (const button of form.querySelectorAll("button[type=submit]")) {
        window.setTimeout(() => { button.disabled = true; }, 0);
      }
    });
  }
});
