// Attachment previews load only when the clerk opens them: every view of a file is an audited
// personal-data view (attachment:view), so a page visit must not fetch them all.
(function () {
  "use strict";
  document.querySelectorAll("details.preview").forEach(function (details) {
    details.addEventListener("toggle", function () {
      if (!details.open) return;
      details.querySelectorAll("[data-src]").forEach(function (el) {
        if (!el.getAttribute("src")) el.setAttribute("src", el.getAttribute("data-src"));
      });
    });
  });
})();
