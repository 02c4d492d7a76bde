// Progressive enhancement only: every page works without this file.
// After a form submission lands on a page with an alert, move focus to it so keyboard and screen-reader users hear it.
const alert = document.querySelector('[role="alert"]');
if (alert) {
  alert.setAttribute('tabindex', '-1');
  alert.focus();
}
// "g" then a letter jumps between sections (s standards, p proposals, i inbox, a audit), unless typing in a field.
let pending = false;
document.addEventListener('keydown', (event) => {
  const target = event.target;
  if (target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (pending) {
    pending = false;
    const to = { s: '/standards', p: '/proposals', i: '/inbox', a: '/audit', c: '/cycles' }[event.key];
    if (to) window.location.assign(to);
    return;
  }
  if (event.key === 'g') pending = true;
});
// "Print" links: the browser's print dialog (the print stylesheet drops navigation and forms).
for (const link of document.querySelectorAll('[data-action="print"]')) {
  link.addEventListener('click', (event) => {
    event.preventDefault();
    window.print();
  });
}
