// The budget grid: pasting a block copied from a spreadsheet (tab-separated rows) into a cell fills the cells
// to its right and below, and each filled cell is saved (htmx posts it on "change").
(function () {
  function cellsOf(table) {
    return Array.from(table.querySelectorAll("tbody tr")).map(function (row) {
      return Array.from(row.querySelectorAll("input"));
    });
  }
  document.addEventListener("paste", function (event) {
    var input = event.target;
    var table = input && input.closest && input.closest("#budget-grid");
    if (!table || input.tagName !== "INPUT") return;
    var text = (event.clipboardData || window.clipboardData).getData("text");
    if (!/[\t\n]/.test(text.trim())) return;
    event.preventDefault();
    var grid = cellsOf(table);
    var rowIndex = grid.findIndex(function (cells) { return cells.indexOf(input) >= 0; });
    var colIndex = grid[rowIndex].indexOf(input);
    text.replace(/\r/g, "").replace(/\n$/, "").split("\n").forEach(function (line, i) {
      var cells = grid[rowIndex + i];
      if (!cells) return;
      line.split("\t").forEach(function (value, j) {
        var cell = cells[colIndex + j];
        if (!cell) return;
        cell.value = value.trim();
        cell.dispatchEvent(new Event("change", {bubbles: true}));
      });
    });
  });
})();
