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
