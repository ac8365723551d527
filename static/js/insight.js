// Hot-topics charts: bars (this period vs the previous one) and the monthly volume trend.
(function () {
  var node = document.getElementById("topics-data");
  if (!node || typeof echarts === "undefined") return;
  var data = JSON.parse(node.textContent);
  var bars = echarts.init(document.getElementById("topics-chart"));
  bars.setOption({
    title: { text: "热点话题（本期与上期条数）", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    legend: { data: ["本期", "上期"], top: 24 },
    grid: { left: 8, right: 16, top: 56, bottom: 8, containLabel: true },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: data.labels },
    series: [
      { name: "本期", type: "bar", data: data.current, itemStyle: { color: "#b71c1c" } },
      { name: "上期", type: "bar", data: data.previous, itemStyle: { color: "#bdbdbd" } }
    ]
  });
  var trend = echarts.init(document.getElementById("trend-chart"));
  trend.setOption({
    title: { text: "社情民意月度趋势", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.trend_months },
    yAxis: { type: "value" },
    series: [{ name: "条数", type: "line", smooth: true, data: data.trend_counts, itemStyle: { color: "#b71c1c" } }]
  });
  window.addEventListener("resize", function () { bars.resize(); trend.resize(); });
})();
