// The chart of a unit's results across a reform (templates/results_continuity.html): each predecessor's
// published total by year, and the derived series drawn dashed and grey (it is not published data).
(function () {
  if (!window.echarts) return;
  var el = document.getElementById('chart-continuity');
  if (!el) return;
  var data = JSON.parse(document.getElementById('chart-data').textContent);
  var vn = function (v) { return (v === null || v === undefined || isNaN(v)) ? '–' : Number(v).toFixed(2).replace('.', ','); };
  var series = data.series.map(function (s) { return { name: s.name, type: 'line', data: s.data, connectNulls: false }; });
  series.push({ name: data.derived.name, type: 'line', data: data.derived.data, connectNulls: false,
    lineStyle: { type: 'dashed', width: 2 }, itemStyle: { color: '#5f6368' }, symbol: 'emptyCircle' });
  var c = echarts.init(el);
  c.setOption({
    tooltip: { trigger: 'axis', valueFormatter: vn }, legend: { bottom: 0 },
    grid: { left: 40, right: 16, top: 16, bottom: 60 },
    xAxis: { type: 'category', data: data.years }, yAxis: { type: 'value', scale: true, axisLabel: { formatter: vn } },
    series: series
  });
  window.addEventListener('resize', function () { c.resize(); });
})();
