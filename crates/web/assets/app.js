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
// Pick lists. `data-filter-for="ID"` on a search box filters the options of the list ID as the person types,
// without case and diacritics and word by word ("so noi vu" finds "Sở Nội vụ"); chosen options always stay
// visible. The boxes are `hidden` in the page (without a script they could do nothing: the list itself is
// a plain <select>) and shown here. Keyboard: ↓ goes to the list; Enter chooses the first option shown
// (and does not submit the form); Esc clears the search.
function chisoFold(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
}
function chisoVisible(list) {
  return Array.prototype.filter.call(list.options, function (o) { return !o.hidden && !o.disabled; });
}
function chisoFilter(box, list) {
  var words = chisoFold(box.value.trim()).split(/\s+/).filter(function (w) { return w !== ''; });
  Array.prototype.forEach.call(list.options, function (o) {
    var text = chisoFold(o.textContent);
    o.hidden = words.length > 0 && !o.selected && !words.every(function (w) { return text.indexOf(w) >= 0; });
  });
}
Array.prototype.forEach.call(document.querySelectorAll('[data-filter-for]'), function (box) {
  box.hidden = false;
});
document.addEventListener('input', function (e) {
  var t = e.target;
  if (!t || !t.matches || !t.matches('[data-filter-for]')) return;
  var list = document.getElementById(t.getAttribute('data-filter-for'));
  if (list) chisoFilter(t, list);
});
document.addEventListener('keydown', function (e) {
  var t = e.target;
  if (!t || !t.matches || !t.matches('[data-filter-for]')) return;
  var list = document.getElementById(t.getAttribute('data-filter-for'));
  if (!list) return;
  if (e.key === 'Enter') {
    e.preventDefault();
    var first = chisoVisible(list).filter(function (o) { return t.value.trim() === '' || !o.selected || !list.multiple; })[0];
    if (first) {
      if (list.multiple) first.selected = true; else list.value = first.value;
      list.dispatchEvent(new Event('change', { bubbles: true }));
    }
    t.value = '';
    chisoFilter(t, list);
  } else if (e.key === 'ArrowDown') {
    e.preventDefault();
    list.focus();
  } else if (e.key === 'Escape') {
    t.value = '';
    chisoFilter(t, list);
  }
});
