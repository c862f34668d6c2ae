// Behaviour that would otherwise be inline event handlers, which the Content-Security-Policy forbids.
// `data-autosubmit` on a form control submits its form when it changes; `data-back` on a link goes back in
// the history when there is one (its href is the fallback).
document.addEventListener('change', function (e) {
  var t = e.target;
  if (t && t.matches && t.matches('[data-autosubmit]') && t.form) t.form.submit();
});
document.addEventListener('click', function (e) {
  var a = e.target && e.target.closest ? e.target.closest('a[data-back]') : null;
  if (a && window.history.length > 1) { e.preventDefault(); window.history.back(); }
});
// `data-filter-for="ID"` on a text input filters the options of the list ID as the person types, without
// case and diacritics ("cong khai" finds "Công khai"); chosen options always stay visible.
function chisoFold(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
}
document.addEventListener('input', function (e) {
  var t = e.target;
  if (!t || !t.matches || !t.matches('[data-filter-for]')) return;
  var list = document.getElementById(t.getAttribute('data-filter-for'));
  if (!list) return;
  var q = chisoFold(t.value.trim());
  Array.prototype.forEach.call(list.options, function (o) {
    o.hidden = q !== '' && !o.selected && chisoFold(o.textContent).indexOf(q) < 0;
  });
});
