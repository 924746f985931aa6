// Project scripts. Loaded from our own origin only; no inline scripts (Content-Security-Policy).
// htmx sends Django's CSRF token (from the page's form field) with every request it makes.
document.addEventListener("htmx:configRequest", function (event) {
  var input = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (input) {
    event.detail.headers["X-CSRFToken"] = input.value;
  }
});
