/* Dashboards: ECharts from the page's json_script data (strict CSP: no inline scripts). */
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function chart(id, option, height) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return null;
    if (height) el.style.height = height + "px";
    var c = echarts.init(el);
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
    return c;
  }

  var pct = { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } };

  function trend(t) {
    var series = [
      { name: "社情民意", type: "bar", data: t.opinions },
      { name: "代表建议", type: "bar", data: t.raised }
    ];
    Object.keys(t.labels).forEach(function (k) {
      series.push({ name: t.labels[k], type: "line", yAxisIndex: 1, data: t[k], connectNulls: true });
    });
    chart("chart-trend", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { top: 50, left: 40, right: 50, bottom: 30 },
      xAxis: { type: "category", data: t.months },
      yAxis: [{ type: "value", name: "件" }, Object.assign({ name: "比率" }, pct)],
      series: series
    });
  }

  function pie(id, items) {
    chart(id, {
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      series: [{ type: "pie", radius: ["35%", "65%"], data: items }]
    });
  }

  function ranking(r) {
    chart("chart-ranking", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { top: 40, left: 40, right: 20, bottom: 60 },
      xAxis: { type: "category", data: r.names, axisLabel: { rotate: r.names.length > 8 ? 40 : 0 } },
      yAxis: pct,
      series: [
        { name: "办结率", type: "bar", data: r.closed_rate },
        { name: "满意率", type: "bar", data: r.satisfaction }
      ]
    });
  }

  function map(m) {
    var select = document.getElementById("map-rate");
    var c = chart("chart-map", {}, 420);
    if (!c) return;
    function draw() {
      var key = select ? select.value : Object.keys(m.rates)[0];
      c.setOption({
        tooltip: { trigger: "item", formatter: function (p) { return p.name + "：" + (p.value == null || isNaN(p.value) ? "无数据" : p.value + "%"); } },
        visualMap: { min: 0, max: 100, text: ["100%", "0%"], calculable: true, inRange: { color: ["#fde0dc", "#b71c1c"] } },
        series: [{ name: m.rates[key], type: "map", map: "池州", label: { show: true }, data: m.data[key] }]
      }, true);
    }
    if (select) select.addEventListener("change", draw);
    draw();
  }

  var d = data("reports-data");
  if (d) {
    if (d.trend) trend(d.trend);
    if (d.channels) pie("chart-channels", d.channels);
    if (d.decisions) pie("chart-decisions", d.decisions);
    if (d.ranking) ranking(d.ranking);
    if (d.map) map(d.map);
  }

  var cmp = data("compare-data");
  if (cmp) {
    chart("chart-compare", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { top: 40, left: 45, right: 50, bottom: 70 },
      xAxis: { type: "category", data: cmp.names, axisLabel: { rotate: cmp.names.length > 6 ? 40 : 0 } },
      yAxis: [{ type: "value", name: "每千人件数" }, Object.assign({ name: "比率" }, pct)],
      series: [
        { name: "每千人件数", type: "bar", data: cmp.per_1000 },
        { name: "反馈率", type: "line", yAxisIndex: 1, data: cmp.feedback_rate },
        { name: "满意率", type: "line", yAxisIndex: 1, data: cmp.satisfaction }
      ]
    }, 380);
  }

  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
})();
