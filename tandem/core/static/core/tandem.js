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
   data-drop-empty           a GET form leaves its empty fields out of the URL (?owner=me, not ?owner=me&tag=)
   data-picker="<name>"      a searchable picker (core/widgets/picker.html): htmx fills its options as the user
                             types; choosing one stores its id in the hidden input and its label in the text box.
                             A picker with data-picker-depends="client" is cleared when the client changes to
                             one its choice does not belong to, and fills an empty client when chosen first. */
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

  // --- Searchable pickers ------------------------------------------------------------------------------
  function pickerParts(picker) {
    return {
      value: picker.querySelector("[data-picker-value]"),
      search: picker.querySelector("[data-picker-search]"),
      detail: picker.querySelector("[data-picker-detail]"),
      options: picker.querySelector("[data-picker-options]")
    };
  }

  function closeOptions(picker) {
    var parts = pickerParts(picker);
    parts.options.innerHTML = "";
    parts.search.setAttribute("aria-expanded", "false");
  }

  function relatedPickers(picker, selector) {
    var scope = picker.closest("form") || document;
    return Array.prototype.slice.call(scope.querySelectorAll(selector));
  }

  function choose(picker, id, label, detail, parentId, parentLabel) {
    var parts = pickerParts(picker);
    var changed = parts.value.value !== String(id);
    parts.value.value = id;
    parts.search.value = label;
    parts.detail.textContent = detail || "";
    picker.setAttribute("data-picker-parent", parentId || "");
    closeOptions(picker);
    // A dependent picker chosen first fills its empty parent (a counterparty fills its client).
    var parentName = picker.getAttribute("data-picker-depends");
    if (parentName && parentId) {
      relatedPickers(picker, "[data-picker='" + parentName + "']").forEach(function (parent) {
        if (!pickerParts(parent).value.value) {
          choose(parent, parentId, parentLabel, "", "", "");
        }
      });
    }
    if (changed) {
      parts.value.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function clearPicker(picker) {
    var parts = pickerParts(picker);
    parts.value.value = "";
    parts.search.value = "";
    parts.detail.textContent = "";
    picker.setAttribute("data-picker-parent", "");
  }

  // A new parent clears the dependent pickers whose choice belongs to another one.
  document.addEventListener("change", function (event) {
    var value = event.target;
    if (!value.matches || !value.matches("[data-picker-value]")) {
      return;
    }
    var picker = value.closest("[data-picker]");
    var name = picker.getAttribute("data-picker");
    relatedPickers(picker, "[data-picker-depends='" + name + "']").forEach(function (child) {
      var childParts = pickerParts(child);
      if (value.value && childParts.value.value && child.getAttribute("data-picker-parent") !== value.value) {
        clearPicker(child);
      }
    });
  });

  // Typing forgets the choice: the server reads the text (or the next choice).
  document.addEventListener("input", function (event) {
    var search = event.target.closest && event.target.closest("[data-picker-search]");
    if (!search) {
      return;
    }
    var picker = search.closest("[data-picker]");
    var parts = pickerParts(picker);
    if (parts.value.value) {
      parts.value.value = "";
      parts.detail.textContent = "";
      picker.setAttribute("data-picker-parent", "");
      parts.value.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest) {
      return;
    }
    var option = event.target.closest("[data-picker-option]");
    if (option) {
      choose(option.closest("[data-picker]"), option.getAttribute("data-id"), option.getAttribute("data-label"),
             option.getAttribute("data-detail"), option.getAttribute("data-parent"),
             option.getAttribute("data-parent-label"));
      return;
    }
    // A click elsewhere closes every open list of options.
    document.querySelectorAll("[data-picker]").forEach(function (picker) {
      if (!picker.contains(event.target)) {
        closeOptions(picker);
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (!event.target.closest) {
      return;
    }
    var picker = event.target.closest("[data-picker]");
    if (!picker) {
      return;
    }
    var parts = pickerParts(picker);
    var options = Array.prototype.slice.call(parts.options.querySelectorAll("[data-picker-option]"));
    var index = options.indexOf(event.target);
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      options[Math.min(index + 1, options.length - 1)].focus();
    } else if (event.key === "ArrowUp" && index >= 0) {
      event.preventDefault();
      (index === 0 ? parts.search : options[index - 1]).focus();
    } else if (event.key === "Escape") {
      closeOptions(picker);
      parts.search.focus();
    } else if (event.key === "Enter" && event.target === parts.search && options.length === 1) {
      event.preventDefault();  // one match: Enter chooses it instead of submitting the form
      options[0].click();
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var options = event.target;
    if (options && options.matches && options.matches("[data-picker-options]")) {
      var picker = options.closest("[data-picker]");
      pickerParts(picker).search.setAttribute("aria-expanded", options.children.length ? "true" : "false");
    }
  });
})();
