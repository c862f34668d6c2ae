// The questionnaire builder: a filter above each pick list of sub-dimensions that ignores diacritics
// ("tham gia" finds "Tham gia", "bau cu" finds "bầu cử"), and scrolling to the question a button acted on.
// Without this file the page works the same with plain pick lists.
(function () {
  'use strict';
  function fold(s) {
    return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
  }
  document.querySelectorAll('select.node-pick').forEach(function (select) {
    var input = document.createElement('input');
    input.type = 'search';
    input.className = 'node-filter';
    input.placeholder = 'Tìm nội dung thành phần (gõ có dấu hay không dấu đều được)';
    input.setAttribute('aria-label', 'Tìm nội dung thành phần');
    input.addEventListener('keydown', function (e) {
      // Enter picks the first match instead of posting the form.
      if (e.key === 'Enter') {
        e.preventDefault();
        var first = Array.prototype.find.call(select.options, function (o) { return o.value && !o.hidden; });
        if (first) { select.value = first.value; }
      }
    });
    input.addEventListener('input', function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      var only = null;
      Array.prototype.forEach.call(select.options, function (o) {
        if (!o.value || !o.dataset.s) { return; }
        var hit = words.every(function (w) { return o.dataset.s.indexOf(w) >= 0 || o.value.indexOf(w) >= 0; });
        o.hidden = !hit && !o.selected;
        if (hit) { shown += 1; only = o; }
      });
      if (shown === 1 && only) { select.value = only.value; }
    });
    select.parentNode.insertBefore(input, select);
  });
  var form = document.getElementById('builder');
  var focus = form && form.dataset.focus;
  if (focus) {
    var el = document.getElementById(focus);
    if (el) { el.scrollIntoView({ block: 'start' }); var first = el.querySelector('input, select, textarea'); if (first) { first.focus({ preventScroll: true }); } }
  }
}());
