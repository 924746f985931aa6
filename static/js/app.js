// Project scripts. Loaded from our own origin only; no inline scripts (Content-Security-Policy).
(function () {
  "use strict";

  // The current CSRF token, from the cookie. After logging in again (in another tab, when a
  // session ended mid-note) the token on an open page is stale; the cookie's is not. Reading
  // it at send time lets that page save the text still on it.
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (!token) return;
    event.detail.headers["X-CSRFToken"] = token;
    if (event.detail.parameters) {
      event.detail.parameters["csrfmiddlewaretoken"] = token;
    }
  });

  document.addEventListener("submit", function (event) {
    var token = csrfToken();
    if (!token || !event.target.querySelectorAll) return;
    event.target.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
      input.value = token;
    });
  }, true);
})();
