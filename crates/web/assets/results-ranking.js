// The charts of results ranking page (templates/results_ranking.html); data from the page's <script type="application/json">.
(function () {
  if (!window.echarts) return;
  var data = JSON.parse(document.getElementById('chart-data').textContent);
  var vn = function (v) { return (v === null || v === undefined || isNaN(v)) ? '–' : Number(v).toFixed(2).replace('.', ','); };
  var charts = [];
  var bar = echarts.init(document.getElementById('chart-bar'));
  bar.setOption({
    tooltip: { renderMode: 'richText', trigger: 'axis', valueFormatter: vn },
    grid: { left: 120, right: 50, top: 10, bottom: 30 },
    xAxis: { type: 'value', min: function (v) { return Math.floor(v.min - 1); }, axisLabel: { formatter: vn } },
    yAxis: { type: 'category', inverse: true, data: data.bar.map(function (r) { return r.name; }), axisLabel: { interval: 0, fontSize: 10 } },
    series: [{ type: 'bar', data: data.bar.map(function (r) { return r.total; }), itemStyle: { color: '#b3261e' },
      label: { show: true, position: 'right', fontSize: 9, formatter: function (p) { return vn(p.value); } },
      markLine: data.mean === null ? undefined : { symbol: 'none', label: { formatter: 'TB ' + vn(data.mean) }, data: [{ xAxis: data.mean }] } }]
  });
  charts.push(bar);
  var cells = [], lo = Infinity, hi = -Infinity;
  data.heat.forEach(function (u, y) { u.values.forEach(function (v, x) { if (v !== null) { cells.push([x, y, v]); lo = Math.min(lo, v); hi = Math.max(hi, v); } }); });
  var heat = echarts.init(document.getElementById('chart-heat'));
  heat.setOption({
    tooltip: { renderMode: 'richText', formatter: function (p) { return data.heat[p.value[1]].name + '\n' + data.dims[p.value[0]].name + ': ' + vn(p.value[2]); } },
    grid: { left: 120, right: 20, top: 10, bottom: 80 },
    xAxis: { type: 'category', data: data.dims.map(function (d) { return d.label; }), position: 'top' },
    yAxis: { type: 'category', inverse: true, data: data.heat.map(function (u) { return u.name; }), axisLabel: { interval: 0, fontSize: 10 } },
    visualMap: { dimension: 2, min: lo === Infinity ? 0 : lo, max: hi === -Infinity ? 10 : hi, calculable: true, orient: 'horizontal', left: 'center', bottom: 10,
      inRange: { color: ['#d73027', '#fee08b', '#1a9850'] }, formatter: vn },
    series: [{ type: 'heatmap', data: cells, label: { show: true, fontSize: 9, formatter: function (p) { return vn(p.value[2]); } } }]
  });
  charts.push(heat);
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
