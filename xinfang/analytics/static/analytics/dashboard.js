/* Dashboard charts: each .chart element names its JSON endpoint (same data as the table below it).
   Clicking a bar opens the list of matters behind it. Redrawn after an htmx filter refresh.
   Charts are fetched one after the other. */
(function () {
  function draw(el) {
    if (!window.echarts || !window.fetch) { return Promise.resolve(); }
    var old = window.echarts.getInstanceByDom(el);
    if (old) { old.dispose(); }
    return fetch(el.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (!d.categories || !d.categories.length) { el.style.display = "none"; el.setAttribute("data-drawn", "empty"); return; }
        el.style.display = "";
        var ranked = d.type === "ranked";
        var chart = window.echarts.init(el, null, { renderer: "svg" });
        var cat = { type: "category", data: ranked ? d.categories.slice().reverse() : d.categories };
        var val = { type: "value", minInterval: 1 };
        var option = {
          aria: { enabled: true }, animation: false,
          tooltip: { trigger: "axis" },
          legend: ranked ? undefined : { type: "scroll", top: 0 },
          grid: { left: ranked ? 110 : 40, right: 16, top: ranked ? 10 : 40, bottom: 30 },
          xAxis: ranked ? val : cat, yAxis: ranked ? cat : val,
          series: d.series.map(function (s) {
            return { name: s.name, type: "bar", stack: ranked ? undefined : "total",
                     data: ranked ? s.data.slice().reverse() : s.data,
                     links: ranked ? s.links.slice().reverse() : s.links };
          })
        };
        if (d.colors) { option.color = d.colors; }
        chart.setOption(option);
        el.setAttribute("data-drawn", "1");
        chart.on("click", function (p) {
          var s = chart.getOption().series[p.seriesIndex];
          var link = s.links && s.links[p.dataIndex];
          if (link) { window.location.href = link; }
        });
        window.addEventListener("resize", function () { chart.resize(); });
      })
      .catch(function () {});
  }
  /* One request after the other: the charts are small and the server's database is not hammered. */
  function drawAll() {
    Array.prototype.reduce.call(document.querySelectorAll(".chart[data-url]"), function (done, el) {
      return done.then(function () { return draw(el); });
    }, Promise.resolve());
  }
  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
})();
