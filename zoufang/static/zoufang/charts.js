/* Draw every chart on the page.
   <div data-chart="bar|pie|line" data-source="id">  rows from a json_script element, or
   <div data-chart="line" data-url="/…json" data-key="weeks">  rows fetched from a JSON view.
   Rows are objects; bar and pie read {label, visits}, line reads data-x and data-y (a comma-
   separated list of series, labelled by data-names). */
(function () {
  "use strict";
  var palette = ["#1d3f8f", "#e8590c", "#2b8a3e", "#862e9c", "#c92a2a"];

  function option(el, rows) {
    if (el.dataset.chart === "line") {
      var x = el.dataset.x || "label";
      var ys = (el.dataset.y || "visits").split(",");
      var names = (el.dataset.names || el.dataset.y || "visits").split(",");
      return {
        tooltip: { trigger: "axis" },
        legend: ys.length > 1 ? { top: 0 } : undefined,
        grid: { left: 50, right: 20, top: ys.length > 1 ? 30 : 15, bottom: 30 },
        xAxis: { type: "category", data: rows.map(function (r) { return r[x]; }) },
        yAxis: { type: "value" },
        series: ys.map(function (y, i) {
          return { type: "line", name: names[i], data: rows.map(function (r) { return r[y]; }),
                   itemStyle: { color: palette[i % palette.length] } };
        })
      };
    }
    if (el.dataset.chart === "pie") {
      return {
        tooltip: { trigger: "item" },
        legend: { bottom: 0 },
        series: [{ type: "pie", radius: ["35%", "65%"],
          data: rows.map(function (r) { return { name: r.label, value: r.visits }; }) }]
      };
    }
    return {
      tooltip: { trigger: "axis" },
      grid: { left: 110, right: 20, top: 10, bottom: 20 },
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.label; }) },
      series: [{ type: "bar", data: rows.map(function (r) { return r.visits; }), itemStyle: { color: palette[0] } }]
    };
  }

  function render(el, rows) {
    if (typeof echarts === "undefined") { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option(el, rows));
    el.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    if (el.dataset.url) {
      fetch(el.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) { render(el, data[el.dataset.key || "rows"] || []); });
      return;
    }
    var source = document.getElementById(el.dataset.source);
    if (source) { render(el, JSON.parse(source.textContent)); }
  });
})();
