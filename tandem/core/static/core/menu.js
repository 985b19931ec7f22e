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
    }
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-menu-toggle]");
    if (toggle) {
      setMenuOpen(toggle, toggle.getAttribute("aria-expanded") !== "true");
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    document.querySelectorAll("[data-menu-toggle][aria-expanded=true]").forEach(function (toggle) {
      setMenuOpen(toggle, false);
      toggle.focus();
    });
  });
})();
