/* Draws the statistics charts from the site's own JSON (same data as the tables on the page). */
(function () {
  var script = document.getElementById("stats-script");
  if (!script || !window.fetch) { return; }
  function draw(id, table) {
    var el = document.getElementById(id);
    if (!el || !window.echarts || !table.columns.length) { if (el) { el.style.display = "none"; } return; }
    var months = table.rows.map(function (r) { return r.label; });
    var series = table.columns.map(function (c, i) {
      return { name: c.label, type: "bar", stack: "total", data: table.rows.map(function (r) { return r.values[i]; }) };
    });
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      aria: { enabled: true },
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 40, right: 10, top: 40, bottom: 30 },
      xAxis: { type: "category", data: months },
      yAxis: { type: "value", minInterval: 1 },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  fetch(script.getAttribute("data-url"), { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) { draw("chart-channel", data.by_channel); draw("chart-class", data.by_content_class); })
    .catch(function () {});
})();
