// The charts of results unit page (templates/results_unit.html); data from the page's <script type="application/json">.
(function () {
  if (!window.echarts) return;
  var data = JSON.parse(document.getElementById('chart-data').textContent);
  var vn = function (v) { return (v === null || v === undefined || isNaN(v)) ? '–' : Number(v).toFixed(2).replace('.', ','); };
  var charts = [];
  var radar = echarts.init(document.getElementById('chart-radar'));
  radar.setOption({
    tooltip: { renderMode: 'richText', valueFormatter: vn }, legend: { bottom: 0 },
    radar: { indicator: data.radar.indicators.map(function (i) { return { name: i.name.length > 28 ? i.name.slice(0, 27) + '…' : i.name, min: i.min, max: i.max }; }), radius: '62%', axisName: { fontSize: 10 } },
    series: [{ type: 'radar', data: [
      { name: data.me, value: data.radar.unit, areaStyle: { opacity: 0.2 }, itemStyle: { color: '#b3261e' } },
      { name: 'Trung bình toàn quốc', value: data.radar.mean, itemStyle: { color: '#5f6368' } },
      { name: 'Cao nhất', value: data.radar.best, itemStyle: { color: '#1e7d32' }, lineStyle: { type: 'dashed' } }] }]
  });
  charts.push(radar);
  // Lay out every cell of the grid first: a chart takes its size when it is created.
  var grid = document.getElementById('trend-grid');
  var cells = data.trend.dims.map(function () { var el = document.createElement('div'); el.className = 'chart small'; grid.appendChild(el); return el; });
  data.trend.dims.forEach(function (d, i) {
    var c = echarts.init(cells[i]);
    c.setOption({
      title: { text: d.label.length > 40 ? d.label.slice(0, 39) + '…' : d.label, textStyle: { fontSize: 11 } },
      tooltip: { renderMode: 'richText', trigger: 'axis', valueFormatter: vn }, grid: { left: 36, right: 10, top: 30, bottom: 24 },
      xAxis: { type: 'category', data: data.trend.years }, yAxis: { type: 'value', scale: true, axisLabel: { formatter: vn } },
      series: [{ name: data.me, type: 'line', data: d.unit, connectNulls: false, itemStyle: { color: '#b3261e' } },
               { name: 'TB toàn quốc', type: 'line', data: d.mean, lineStyle: { type: 'dashed' }, itemStyle: { color: '#5f6368' } }]
    });
    charts.push(c);
  });
  var bar = echarts.init(document.getElementById('chart-bar'));
  bar.setOption({
    tooltip: { renderMode: 'richText', trigger: 'axis', valueFormatter: vn }, grid: { left: 120, right: 50, top: 10, bottom: 30 },
    xAxis: { type: 'value', min: function (v) { return Math.floor(v.min - 1); }, axisLabel: { formatter: vn } },
    yAxis: { type: 'category', inverse: true, data: data.bar.map(function (r) { return r.name; }), axisLabel: { interval: 0, fontSize: 10 } },
    series: [{ type: 'bar', data: data.bar.map(function (r) { return { value: r.total, itemStyle: { color: r.me ? '#b3261e' : '#c6cad1' } }; }),
      label: { show: true, position: 'right', fontSize: 9, formatter: function (p) { return vn(p.value); } } }]
  });
  charts.push(bar);
  var heat = echarts.init(document.getElementById('chart-heat'));
  heat.setOption({
    tooltip: { renderMode: 'richText', formatter: function (p) { return data.heat.leaves[p.value[1]] + ' – ' + data.heat.years[p.value[0]] + '\nhạng ' + p.value[2] + '/' + p.value[4] + ', điểm ' + vn(p.value[3]); } },
    grid: { left: 230, right: 20, top: 30, bottom: 70 },
    xAxis: { type: 'category', data: data.heat.years, position: 'top' },
    yAxis: { type: 'category', inverse: true, data: data.heat.leaves, axisLabel: { interval: 0, fontSize: 10, width: 220, overflow: 'truncate' } },
    visualMap: { dimension: 2, min: 1, max: data.heat.of, calculable: true, orient: 'horizontal', left: 'center', bottom: 5, text: ['hạng cao', 'hạng thấp'],
      inRange: { color: ['#1a9850', '#fee08b', '#d73027'] } },
    series: [{ type: 'heatmap', data: data.heat.cells, label: { show: true, fontSize: 9, formatter: function (p) { return p.value[2]; } } }]
  });
  charts.push(heat);
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
