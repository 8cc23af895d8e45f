// Leadership pages: progressive enhancement only (the report prints from the browser menu too).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
