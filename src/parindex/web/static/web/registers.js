// Month-by-month charts of a unit's dossier register: the share resolved early or on time, and
// the channels of the dossiers received (stacked to 100 %). The same numbers are in the table
// under the charts. SVG renderer and a richText tooltip: ECharts' HTML tooltip writes style=""
// attributes, which the Content Security Policy refuses. Percentages are written the way the
// page's tables write them, with the decimal separator and the suffix the server sends
// ("96,7 %", "100 %"), never the browser's locale.
(function () {
  if (!window.echarts) { return; }
  var source = document.getElementById("registers-chart");
  if (!source) { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  var format = data.percent || { decimal: ",", suffix: " %", places: 1 };
  var scale = Math.pow(10, format.places);

  function round(v) {
    return v == null ? null : Math.round(v * scale) / scale;
  }
  function percent(v) {
    if (v == null || v === "-" || isNaN(v)) { return "—"; }
    return String(round(Number(v))).replace(".", format.decimal) + format.suffix;
  }
  function start(id, option) {
    var holder = document.getElementById(id);
    if (!holder) { return; }
    var chart = echarts.init(holder, null, { renderer: "svg" });
    chart.setOption(option);
    charts.push(chart);
    if (window.ResizeObserver) {
      new ResizeObserver(function () { chart.resize(); }).observe(holder);
    }
  }
  var base = {
    tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: percent },
    legend: { top: 0 },
    grid: { left: 52, right: 12, bottom: 28, top: 36 },
    xAxis: { type: "category", data: data.labels },
  };
  start("on-time-chart", Object.assign({}, base, {
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: percent } },
    series: [{ name: data.names.on_time, type: "line", data: data.on_time.map(round),
               connectNulls: false, symbolSize: 7 }],
  }));
  start("channel-chart", Object.assign({}, base, {
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: percent } },
    series: ["online", "direct", "postal"].map(function (key) {
      return { name: data.names[key], type: "bar", stack: "channels", data: data[key].map(round) };
    }),
  }));
  if (!window.ResizeObserver) {
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }
})();
