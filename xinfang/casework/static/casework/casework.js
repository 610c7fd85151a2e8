// Small progressive enhancements for the intake form. Everything works without them.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // "添加一行": clone the formset's empty form and bump TOTAL_FORMS.
  var add = document.getElementById("add-petitioner");
  var rows = document.getElementById("petitioner-rows");
  var tpl = document.getElementById("petitioner-template");
  var total = document.getElementById("id_p-TOTAL_FORMS");
  if (add && rows && tpl && total) {
    add.hidden = false;
    add.addEventListener("click", function () {
      var n = parseInt(total.value, 10);
      var html = tpl.innerHTML.replace(/__prefix__/g, String(n));
      rows.insertAdjacentHTML("beforeend", html);
      var row = rows.lastElementChild;
      var num = row.querySelector(".row-number");
      if (num) num.textContent = String(n + 1);
      total.value = String(n + 1);
      var first = row.querySelector("input");
      if (first) first.focus();
    });
  }

  // Show the accused unit/person only for 检举控告 purposes (kept visible when already filled).
  var acc = document.getElementById("accusation");
  var purpose = document.getElementById("id_purpose");
  if (acc && purpose) {
    var codes = (acc.getAttribute("data-accusation-codes") || "").split(",");
    var filled = function () {
      return Array.prototype.some.call(acc.querySelectorAll("input, select"), function (el) { return el.value; });
    };
    var toggle = function () { acc.hidden = codes.indexOf(purpose.value) < 0 && !filled(); };
    purpose.addEventListener("change", toggle);
    toggle();
  }

  // A choice in the similar-matters list fills the repeat_of field, the disposition and (if empty) the reason.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-repeat-of]");
    if (!btn) return;
    var input = document.getElementById("id_repeat_of");
    if (input) { input.value = btn.getAttribute("data-repeat-of"); }
    var disposition = btn.getAttribute("data-disposition") || "";
    var radio = document.querySelector("input[name='disposition'][value='" + disposition + "']");
    if (radio) { radio.checked = true; }
    var reason = document.getElementById("id_repeat_reason");
    if (reason && !reason.value) { reason.value = btn.getAttribute("data-reason") || ""; }
    if (reason) { reason.focus(); } else if (input) { input.focus(); }
  });
})();
