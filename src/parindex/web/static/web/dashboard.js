// Charts of a unit's dashboard: its areas this year against last year (in % of each area's
// maximum), and its index over the years against its peer group's average. The legends name
// the years. The same numbers are in the tables under the charts, for reading without
// JavaScript and for screen readers. The tooltip is drawn inside the SVG ("richText"):
// ECharts' HTML tooltip writes style="" attributes, which the Content Security Policy refuses.
// A table wider than its box (a phone) says so: a line above it ("swipe sideways") and a
// shadow on the edge that has more columns, which goes once the table is scrolled to its end.
// The hint's text comes from the page (data-hint, translated); the body itself never scrolls.
(function () {
  function follow(box) {
    var frame = document.createElement("div");
    frame.className = "scroll-frame";
    box.parentNode.insertBefore(frame, box);
    var hint = document.createElement("p");
    hint.className = "scroll-hint";
    hint.textContent = box.getAttribute("data-hint");
    frame.appendChild(hint);
    frame.appendChild(box);
    function update() {
      var overflows = box.scrollWidth > box.clientWidth + 1;
      frame.classList.toggle("overflows", overflows);
      frame.classList.toggle("more", overflows && box.scrollLeft + box.clientWidth < box.scrollWidth - 1);
    }
    box.addEventListener("scroll", update, { passive: true });
    if (window.ResizeObserver) { new ResizeObserver(update).observe(box); }
    window.addEventListener("resize", update);
    update();
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".scroll[data-hint]"), follow);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

(function () {
  if (!window.echarts) { return; }
  var charts = [];

  function read(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function percent(v) {
    return v == null ? "—" : v.toLocaleString("vi-VN") + "%";
  }

  function start(holderId, option) {
    var holder = document.getElementById(holderId);
    if (!holder) { return; }
    var chart = echarts.init(holder, null, { renderer: "svg" });
    chart.setOption(option);
    charts.push(chart);
    // The chart follows its box (a phone turned sideways, a window resized).
    if (window.ResizeObserver) {
      new ResizeObserver(function () { chart.resize(); }).observe(holder);
    }
  }

  var narrow = window.matchMedia("(max-width: 700px)").matches;

  var areas = read("chart-data");
  if (areas) {
    var series = [{ name: areas.current_label, type: "bar", data: areas.current }];
    if (areas.previous_label) {
      // Last year first, so that the bars read left to right in time.
      series.unshift({ name: areas.previous_label, type: "bar", data: areas.previous });
    }
    start("area-chart", {
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: percent },
      legend: { top: 0 },
      grid: { left: 44, right: 12, bottom: 28, top: 36 },
      xAxis: { type: "category", data: areas.labels },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: series,
    });
  }

  var trend = read("trend-data");
  if (trend) {
    var lines = [{ name: trend.unit_label, type: "line", data: trend.unit, connectNulls: false,
                   symbolSize: 8, label: { show: !narrow, formatter: function (p) {
                     return percent(p.value); } } }];
    if (trend.average_label) {
      lines.push({ name: trend.average_label, type: "line", data: trend.average,
                   lineStyle: { type: "dashed" }, symbolSize: 6 });
    }
    start("trend-chart", {
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: percent },
      legend: { top: 0 },
      grid: { left: 44, right: 24, bottom: 28, top: 36 },
      xAxis: { type: "category", data: trend.labels, boundaryGap: false },
      yAxis: { type: "value", scale: true, axisLabel: { formatter: "{value}%" } },
      series: lines,
    });
  }

  if (!window.ResizeObserver) {
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }
})();
