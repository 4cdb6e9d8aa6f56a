/* Draw every chart on the page: <div class="chart" data-chart="bar|pie" data-source="id">,
   where id names a json_script element holding [{label, visits}, ...]. */
(function () {
  "use strict";
  function draw(el) {
    var source = document.getElementById(el.dataset.source);
    if (!source || typeof echarts === "undefined") { return; }
    var rows = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    var option;
    if (el.dataset.chart === "line") {
      var x = el.dataset.x || "label", y = el.dataset.y || "visits";
      option = {
        tooltip: { trigger: "axis" },
        grid: { left: 50, right: 20, top: 20, bottom: 30 },
        xAxis: { type: "category", data: rows.map(function (r) { return r[x]; }) },
        yAxis: { type: "value" },
        series: [{ type: "line", data: rows.map(function (r) { return r[y]; }), itemStyle: { color: "#1d3f8f" } }]
      };
    } else if (el.dataset.chart === "pie") {
      option = {
        tooltip: { trigger: "item" },
        legend: { bottom: 0 },
        series: [{ type: "pie", radius: ["35%", "65%"],
          data: rows.map(function (r) { return { name: r.label, value: r.visits }; }) }]
      };
    } else {
      option = {
        tooltip: { trigger: "axis" },
        grid: { left: 110, right: 20, top: 10, bottom: 20 },
        xAxis: { type: "value" },
        yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.label; }) },
        series: [{ type: "bar", data: rows.map(function (r) { return r.visits; }), itemStyle: { color: "#1d3f8f" } }]
      };
    }
    chart.setOption(option);
    el.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
