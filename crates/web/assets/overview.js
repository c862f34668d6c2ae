// The overview page (templates/overview.html): a sortable table and a scatter chart of the lines
// (tasks done against reports on time); data from the page's <script type="application/json">.
(function () {
  var table = document.getElementById('overview');
  if (table) {
    // Column index of each sortable header: the first header row's "Đơn vị" is column 0, the second row
    // starts at column 1.
    var second = table.querySelectorAll('thead tr:last-child th');
    var bind = function (th, col) {
      if (!th.hasAttribute('data-sort')) return;
      th.classList.add('sort');
      th.setAttribute('role', 'button');
      th.setAttribute('tabindex', '0');
      var asc = th.getAttribute('data-sort') === 'text';
      var go = function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return r.cells.length > col; });
        var num = th.getAttribute('data-sort') === 'num';
        rows.sort(function (a, b) {
          var x = a.cells[col].getAttribute('data-v') || '', y = b.cells[col].getAttribute('data-v') || '';
          var c = num ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, 'vi');
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
        asc = !asc;
      };
      th.addEventListener('click', go);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); go(); } });
    };
    var first = table.querySelector('thead tr:first-child th[rowspan]');
    if (first) bind(first, 0);
    for (var i = 0; i < second.length; i++) bind(second[i], i + 1);
  }
  if (!window.echarts) return;
  var el = document.getElementById('chart-overview');
  var d = JSON.parse(document.getElementById('chart-data').textContent);
  var pts = d.points.filter(function (p) { return p.done !== null && p.timeliness !== null; });
  var chart = echarts.init(el);
  chart.setOption({ animation: false,
    tooltip: { renderMode: 'richText', formatter: function (p) { return p.data.name + '\nNhiệm vụ xong: ' + p.data.value[0] + '%\nBáo cáo đúng hạn: ' + p.data.value[1] + '%\nQuá hạn: ' + p.data.overdue + '%'; } },
    grid: { left: 8, right: 24, bottom: 8, top: 24, containLabel: true },
    xAxis: { type: 'value', name: 'Nhiệm vụ xong (%)', nameLocation: 'middle', nameGap: 28, min: 0, max: 100 },
    yAxis: { type: 'value', name: 'Báo cáo đúng hạn (%)', min: 0, max: 100 },
    series: [{ type: 'scatter', symbolSize: 10, itemStyle: { color: '#1a73e8' },
      data: pts.map(function (p) { return { name: p.name, code: p.code, overdue: p.overdue, value: [p.done, p.timeliness] }; }) }] });
  chart.on('click', function (p) { if (p.data && p.data.code) window.location.href = '/dashboard?unit=' + encodeURIComponent(p.data.code) + '&period=' + encodeURIComponent(d.period); });
  window.addEventListener('resize', function () { chart.resize(); });
})();
