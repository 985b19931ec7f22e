/* Deal board: SortableJS drag and drop between stage columns. On drop the move is POSTed to the card's
   data-move-url (the same view the deal page uses); the answer is the redrawn board (counts and totals),
   or a refusal (4xx, plain text naming what is missing, or that the deal moved meanwhile) which is shown while
   the card goes back. */
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function showMessage(text) {
    var box = document.getElementById("board-message");
    if (!box) return;
    box.textContent = text || "";
    box.hidden = !text;
  }

  function putBack(evt) {
    var reference = evt.from.children[evt.oldIndex] || null;
    evt.from.insertBefore(evt.item, reference);
  }

  function replaceBoard(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector("#board");
    var old = document.getElementById("board");
    if (!fresh || !old) return;
    old.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    init(fresh);
  }

  function onEnd(evt) {
    if (evt.from === evt.to) return;
    var board = document.getElementById("board");
    var card = evt.item;
    showMessage("");
    card.setAttribute("aria-busy", "true");
    // The page's filters (owner, source, tag) go along, so the redrawn board shows the same deals.
    var query = board.dataset.query ? "?" + board.dataset.query : "";
    fetch(card.dataset.moveUrl + query, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfToken(),
        "X-Requested-With": "fetch",
        "Content-Type": "application/x-www-form-urlencoded"
      },
      // from_stage_id: the column the card was in; the server refuses the move when the deal is elsewhere now.
      body: new URLSearchParams({stage_id: evt.to.dataset.stageId, from_stage_id: card.dataset.stageId})
    }).then(function (response) {
      return response.text().then(function (text) {
        card.removeAttribute("aria-busy");
        if (response.ok) {
          replaceBoard(text);
        } else {
          putBack(evt);
          showMessage(response.status < 500 && text ? text : board.dataset.errorText);
        }
      });
    }).catch(function () {
      card.removeAttribute("aria-busy");
      putBack(evt);
      showMessage(board.dataset.errorText);
    });
  }

  // The board takes the height left below its top edge, so the page stays one screen high however many
  // deals there are (columns scroll inside it). Setting a property through the CSSOM is allowed by the CSP.
  function fit(board) {
    if (!board) return;
    var top = board.getBoundingClientRect().top + window.scrollY;
    var height = Math.max(288, window.innerHeight - top - 16);
    board.style.height = height + "px";
  }

  function init(root) {
    var board = root && root.id === "board" ? root : document.getElementById("board");
    fit(board);
    if (!board || !window.Sortable || board.dataset.readonly === "1") return;
    board.querySelectorAll(".deal-cards").forEach(function (list) {
      if (list.dataset.sortableReady) return;
      list.dataset.sortableReady = "1";
      window.Sortable.create(list, {group: "deals", animation: 150, draggable: ".deal-card", onEnd: onEnd});
    });
    board.dataset.ready = "1";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  document.addEventListener("htmx:afterSwap", function () { init(document); });
  window.addEventListener("resize", function () { fit(document.getElementById("board")); });
})();
