// Progressive enhancement of the error summary (decision 125): focus it when the page
// opens, where the browser did not already do so for its autofocus attribute, and move
// to the field itself when one of its links is followed.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (!summary) return;
  if (document.activeElement !== summary) summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var input = document.getElementById(link.getAttribute("href").slice(1));
    if (!input) return;
    event.preventDefault();
    input.scrollIntoView({ block: "center" });
    input.focus();
  });
});
