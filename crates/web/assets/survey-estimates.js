// The charts of survey estimates page (templates/survey_estimates.html); data from the page's <script type="application/json">.
(function () {
  if (typeof echarts === "undefined") return;
  var charts = JSON.parse(document.getElementById("radar-data").textContent);
  var styles = {
    hi: { lineStyle: { type: "dashed", color: "#8ab4f8" }, areaStyle: { color: "rgba(138,180,248,0.25)" }, itemStyle: { color: "#8ab4f8" }, symbol: "none" },
    lo: { lineStyle: { type: "dashed", color: "#8ab4f8" }, areaStyle: { color: "rgba(255,255,255,0.9)" }, itemStyle: { color: "#8ab4f8" }, symbol: "none" },
    estimate: { lineStyle: { width: 2, color: "#b3261e" }, itemStyle: { color: "#b3261e" } },
    official: { lineStyle: { width: 2, color: "#1e7d32" }, itemStyle: { color: "#1e7d32" }, symbol: "diamond" }
  };
  charts.forEach(function (c) {
    var el = document.getElementById(c.id);
    if (!el) return;
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { renderMode: "richText", trigger: "item" },
      legend: { bottom: 0, data: c.series.map(function (s) { return s.name; }) },
      radar: { indicator: c.axes.map(function (a) { return { name: a, min: 0, max: 10 }; }), radius: "58%", axisName: { color: "#1d1d1f", fontSize: 11 } },
      series: [{ type: "radar", data: c.series.map(function (s) {
        return Object.assign({ name: s.name, value: s.values.map(function (v) { return v === null ? "-" : v; }) }, styles[s.kind] || {});
      }) }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
