// Area chart of a unit's dashboard: this year against last year, in % of each area's max.
// The same numbers are in the table under the chart. The tooltip is drawn inside the SVG
// ("richText"): ECharts' HTML tooltip writes style="" attributes, which the page's Content
// Security Policy refuses.
(function () {
  var holder = document.getElementById("area-chart");
  var source = document.getElementById("chart-data");
  if (!holder || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder, null, { renderer: "svg" });
  var series = [{ name: data.current_label, type: "bar", data: data.current }];
  if (data.previous_label) {
    series.push({ name: data.previous_label, type: "bar", data: data.previous });
  }
  chart.setOption({
    tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: function (v) {
      return v == null ? "—" : v.toLocaleString("vi-VN") + "%"; } },
    legend: { top: 0 },
    grid: { left: 40, right: 16, bottom: 30, top: 40 },
    xAxis: { type: "category", data: data.labels },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: series,
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
