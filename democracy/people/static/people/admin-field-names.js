'use strict';
// The back office's fields get their names for screen readers (WCAG 1.3.1, 4.1.2):
// - an autocomplete box (select2) is named only by the value it shows, so an empty one has no
//   name: it is labelled by its field's label as well;
// - a row of a tabular inline, or of a list edited in place (list_editable), has no labels,
//   only column headings: each field is labelled by its column's heading.
// Loaded deferred on every admin page (templates/admin/base_site.html), so its ready handler
// runs after Django's autocomplete.js; again for each inline row added.
(function () {
  function labelFor(control) {
    let label = control.id ? document.querySelector('label[for="' + control.id + '"]') : null;
    if (!label) {
      const cell = control.closest('td');
      const table = cell && cell.closest('table');
      const head = table && table.tHead && table.tHead.rows[0];
      label = head ? head.cells[cell.cellIndex] || null : null;
    }
    if (label && !label.id) {
      label.id = (control.id || control.name) + '-label';
    }
    return label;
  }

  function nameControls(root) {
    root.querySelectorAll('select.admin-autocomplete').forEach((select) => {
      if (select.name.includes('__prefix__')) return;
      const box = select.nextElementSibling && select.nextElementSibling.querySelector('.select2-selection');
      const label = labelFor(select);
      if (!box || !label) return;
      const rendered = box.querySelector('.select2-selection__rendered');
      box.setAttribute('aria-labelledby', label.id + (rendered && rendered.id ? ' ' + rendered.id : ''));
      if (rendered) {
        // The value shown inside the box is part of the box's name, not a field of its own.
        rendered.removeAttribute('role');
        rendered.removeAttribute('aria-readonly');
      }
    });
    const cells = '.tabular td, #result_list td';
    root.querySelectorAll(cells.split(', ').map((c) => c + ' input, ' + c + ' select, ' + c + ' textarea').join(', ')).forEach((control) => {
      if (control.type === 'hidden' || control.name.includes('__prefix__')) return;
      if (control.labels && control.labels.length) return;
      if (control.hasAttribute('aria-label') || control.hasAttribute('aria-labelledby')) return;
      const label = labelFor(control);
      if (label) control.setAttribute('aria-labelledby', label.id);
    });
  }

  // Django's autocomplete.js starts the boxes when the document is ready; this file comes
  // after it, so its ready handler runs after theirs.
  if (window.django && window.django.jQuery) {
    window.django.jQuery(() => nameControls(document));
  } else {
    document.addEventListener('DOMContentLoaded', () => nameControls(document));
  }
  document.addEventListener('formset:added', (event) => {
    setTimeout(() => nameControls(event.target.closest('.inline-group') || document), 0);
  });
})();
