/* Behaviour shared by every page (no inline scripts, so a strict CSP holds). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();
/* Registering an opinion: choosing "merge into" on a similar opinion fills the form's field. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.dataset && target.dataset.merge) {
      var field = document.getElementById("id_merge_into");
      if (field) { field.value = target.checked ? target.dataset.merge : ""; }
    }
  });
})();
/* Visit cards: print, and switch the unit. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
  });
  var picker = document.getElementById("card-unit");
  if (picker) {
    picker.addEventListener("submit", function (event) {
      event.preventDefault();
      window.location = picker.dataset.base.replace("CODE", encodeURIComponent(picker.elements.unit.value));
    });
  }
})();
