/* Small progressive enhancements; every page works without JavaScript. */
(function () {
  var summary = document.getElementById("error-summary");
  if (summary && summary.focus) { summary.focus(); }
})();
