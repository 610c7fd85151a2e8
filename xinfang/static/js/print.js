// 打印: the print buttons of the staff pages. A file, not inline script (the Content-Security-Policy allows
// scripts from this site only). The button stays hidden without JavaScript; Ctrl+P prints the same page.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function () {
      window.print();
    });
  }
})();
