// The charts of dashboard page (templates/dashboard.html); data from the page's <script type="application/json">.
(function () {
  if (!window.echarts) return;
  var d = JSON.parse(document.getElementById('chart-data').textContent);
  var a = echarts.init(document.getElementById('chart-progress'));
  a.setOption({ animation: false, tooltip: { renderMode: 'richText', trigger: 'axis' }, legend: { top: 0 }, grid: { left: 8, right: 8, bottom: 8, top: 32, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 }, yAxis: { type: 'category', data: d.dims, inverse: true, axisLabel: { width: 150, overflow: 'truncate' } },
    series: [ { name: 'Hoàn thành', type: 'bar', stack: 't', data: d.done, itemStyle: { color: '#1e7d32' } },
      { name: 'Đang thực hiện', type: 'bar', stack: 't', data: d.in_progress, itemStyle: { color: '#f9a825' } },
      { name: 'Quá hạn', type: 'bar', stack: 't', data: d.overdue, itemStyle: { color: '#c5221f' } },
      { name: 'Chưa thực hiện', type: 'bar', stack: 't', data: d.not_started, itemStyle: { color: '#9aa0a6' } } ] });
  var b = echarts.init(document.getElementById('chart-reports'));
  b.setOption({ animation: false, series: [ { type: 'gauge', min: 0, max: 100, center: ['25%', '60%'], radius: '80%', detail: { formatter: '{value}%', fontSize: 16 }, title: { offsetCenter: [0, '85%'] }, data: [{ value: d.completeness || 0, name: 'Đã nhận' }] },
    { type: 'gauge', min: 0, max: 100, center: ['75%', '60%'], radius: '80%', detail: { formatter: '{value}%', fontSize: 16 }, title: { offsetCenter: [0, '85%'] }, data: [{ value: d.timeliness || 0, name: 'Đúng hạn' }] } ] });
  window.addEventListener('resize', function () { a.resize(); b.resize(); });
})();
