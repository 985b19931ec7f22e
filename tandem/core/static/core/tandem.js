/* Small behaviours of Tandem's pages, declared by data attributes (the Content-Security-Policy allows no
   inline scripts or event handler attributes). Delegated from the document, so they also work on content
   htmx swaps in.

   data-submit-on-change     a <select> (or any field) submits its form when changed
   data-select-on-click      a read-only field selects its whole text when clicked (copy a link)
   data-remove-form          a link that, clicked, removes its enclosing inline form instead of navigating
   data-swap-bad-request     htmx requests inside this element swap in 400 answers (forms with errors)
   data-kind-switch          a <select> whose value decides which boxes of its form show: a box with
                             data-kinds="meeting call_in" shows for those values only; the fields of a hidden
                             box are disabled, so they are not sent
   data-drop-empty           a GET form leaves its empty fields out of the URL (?owner=me, not ?owner=me&tag=) */
(function () {
  "use strict";

  function applyKind(select) {
    var form = select.form || select.closest("form");
    if (!form) {
      return;
    }
    form.querySelectorAll("[data-kinds]").forEach(function (box) {
      var shown = box.getAttribute("data-kinds").split(" ").indexOf(select.value) !== -1;
      box.hidden = !shown;
      box.querySelectorAll("input, select, textarea").forEach(function (field) {
        field.disabled = !shown;
      });
    });
  }

  function applyKinds(root) {
    (root || document).querySelectorAll("[data-kind-switch]").forEach(applyKind);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { applyKinds(document); });
  } else {
    applyKinds(document);
  }
  document.addEventListener("htmx:load", function (event) {
    var root = event.target && event.target.querySelectorAll ? event.target : document;
    if (root.matches && root.matches("[data-kind-switch]")) {
      applyKind(root);
    }
    applyKinds(root);
  });

  document.addEventListener("change", function (event) {
    var kind = event.target.closest && event.target.closest("[data-kind-switch]");
    if (kind) {
      applyKind(kind);
    }
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

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-drop-empty]")) {
      return;
    }
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && field.value === "" && !field.disabled) {
        field.disabled = true;
        field.setAttribute("data-dropped", "");
      }
    });
  });

  // Coming back to a page from the browser's cache: the dropped fields work again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("[data-dropped]").forEach(function (field) {
      field.disabled = false;
      field.removeAttribute("data-dropped");
    });
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.target;
    if (target && target.closest && target.closest("[data-swap-bad-request]") && event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
