/* The header's menu button (base.html, narrow screens): [data-menu-toggle] opens and closes the module links
   it names in aria-controls; Escape closes them. Delegated from the document; no inline script (the
   Content-Security-Policy allows none). */
(function () {
  "use strict";

  function setMenuOpen(toggle, open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    var menu = document.getElementById(toggle.getAttribute("aria-controls"));
    if (menu) {
      menu.classList.toggle("is-open", open);
      // On a narrow screen the opened menu lists every module's pages: its groups unfold with it.
      menu.querySelectorAll("details[data-menu-group]").forEach(function (group) {
        group.open = open;
      });
    }
  }

  function closeGroups(except) {
    document.querySelectorAll("details[data-menu-group][open]").forEach(function (group) {
      if (group !== except) {
        group.open = false;
      }
    });
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-menu-toggle]");
    if (toggle) {
      setMenuOpen(toggle, toggle.getAttribute("aria-expanded") !== "true");
      return;
    }
    // On a wide screen a module's dropdown closes when another opens or the click lands elsewhere.
    if (!document.querySelector("[data-menu-toggle][aria-expanded=true]")) {
      closeGroups(event.target.closest && event.target.closest("details[data-menu-group]"));
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    closeGroups(null);
    document.querySelectorAll("[data-menu-toggle][aria-expanded=true]").forEach(function (toggle) {
      setMenuOpen(toggle, false);
      toggle.focus();
    });
  });
})();
