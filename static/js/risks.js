// Risks and AI systems: progressive enhancement only (pages work without it).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
