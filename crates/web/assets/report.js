// The charts of report page (templates/report.html); data from the page's <script type="application/json">.
(function () {
  var el = document.getElementById('chart-dims'); if (!el || !window.echarts) return;
  var d = JSON.parse(document.getElementById('chart-data').textContent);
  var c = echarts.init(el);
  c.setOption({ animation: false, tooltip: { renderMode: 'richText', trigger: 'axis' }, legend: { top: 0 }, grid: { left: 8, right: 8, bottom: 8, top: 32, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 }, yAxis: { type: 'category', data: d.dims, inverse: true, axisLabel: { width: 160, overflow: 'truncate' } },
    series: [
      { name: 'Hoàn thành', type: 'bar', stack: 't', data: d.done, itemStyle: { color: '#1e7d32' } },
      { name: 'Đang thực hiện', type: 'bar', stack: 't', data: d.in_progress, itemStyle: { color: '#f9a825' } },
      { name: 'Quá hạn', type: 'bar', stack: 't', data: d.overdue, itemStyle: { color: '#c5221f' } },
      { name: 'Chưa thực hiện', type: 'bar', stack: 't', data: d.not_started, itemStyle: { color: '#9aa0a6' } } ] });
  window.addEventListener('resize', function () { c.resize(); });
})();
