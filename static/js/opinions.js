// Opinions pages: print button on the station poster (CSP forbids inline scripts).
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-print]");
  if (target) {
    event.preventDefault();
    window.print();
  }
});
