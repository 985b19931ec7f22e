/* Small behaviours of Tandem's pages, declared by data attributes (the Content-Security-Policy allows no
   inline scripts or event handler attributes). Delegated from the document, so they also work on content
   htmx swaps in.

   data-submit-on-change     a <select> (or any field) submits its form when changed
   data-select-on-click      a read-only field selects its whole text when clicked (copy a link)
   data-remove-form          a link that, clicked, removes its enclosing inline form instead of navigating
   data-swap-bad-request     htmx requests inside this element swap in 400 answers (forms with errors) */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var field = event.target.closest && event.target.closest("[data-submit-on-change]");
    if (field && field.form) {
      field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
    }
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest) {
      return;
    }
    var selectable = event.target.closest("[data-select-on-click]");
    if (selectable && typeof selectable.select === "function") {
      selectable.select();
    }
    var remover = event.target.closest("[data-remove-form]");
    if (remover) {
      var form = remover.closest("form");
      if (form) {
        event.preventDefault();
        form.remove();
      }
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.target;
    if (target && target.closest && target.closest("[data-swap-bad-request]") && event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
