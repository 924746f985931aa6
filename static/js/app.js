// Project scripts. Loaded from our own origin only; no inline scripts (Content-Security-Policy).
(function () {
  "use strict";

  // The current CSRF token, from the cookie. After logging in again (in another tab, when a
  // session ended mid-note) the token on an open page is stale; the cookie's is not. Reading
  // it at send time lets that page save the text still on it. The cookie's name is the one
  // the page gives (<body data-csrf-cookie>): __Host-csrftoken with HTTPS, csrftoken without.
  function csrfToken() {
    var name = document.body && document.body.getAttribute("data-csrf-cookie");
    if (!name) return null;
    var cookies = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < cookies.length; i++) {
      var cookie = cookies[i].replace(/^\s+/, "");
      var equals = cookie.indexOf("=");
      if (equals > 0 && cookie.slice(0, equals) === name) {
        return decodeURIComponent(cookie.slice(equals + 1));
      }
    }
    return null;
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

  // A draft editor (form[data-draft-editor]) numbers its saves, so that the server drops a
  // late autosave that arrives after a newer save from the same page, and stops autosaving
  // once the form is submitted: "Spara utkast" and "Signera…" supersede a pending autosave.
  function nextSeq(form) {
    var seq = (parseInt(form.dataset.seq || "0", 10) || 0) + 1;
    form.dataset.seq = String(seq);
    return seq;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("form[data-draft-editor]")) return;
    event.detail.parameters["seq"] = String(nextSeq(form));
  });

  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt;
    if (form && form.matches && form.matches("form[data-draft-editor]") &&
        form.dataset.submitting) {
      event.preventDefault();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-draft-editor]")) return;
    // An autosave already on its way is left to finish (its number is lower, so the server
    // drops it if it arrives late); no new one starts.
    form.dataset.submitting = "1";
    var seq = form.querySelector("input[name=seq]");
    if (seq) seq.value = String(nextSeq(form));
  }, true);

  // A client picker (clients/forms/pickers.py): what is typed in its search field
  // (input[data-client-search]) is sent, after a pause in the typing, to the address it
  // names (POSTed, as the client list's searches are: no identity number in a URL), and the
  // options that come back replace those of its select. The field has no name: it is not
  // sent with the form, and Enter in it searches instead of sending the form.
  var searchTimers = new WeakMap();

  function searchClients(input) {
    var select = document.getElementById(input.getAttribute("data-client-select"));
    var status = document.getElementById(input.id + "_status");
    if (!select) return;
    var url = new URL(input.getAttribute("data-client-search"), window.location.href);
    var typed = input.value;
    fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Accept": "text/html", "X-CSRFToken": csrfToken() || ""},
      body: new URLSearchParams({q: typed.trim()}),
    })
      .then(function (response) {
        // Redirected (to the login page, the session having ended) is a failure too.
        if (!response.ok || response.redirected) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        if (input.value !== typed) return;  // a newer search is on its way
        select.innerHTML = html;
        select.value = "";
        // The first option now says how many matched; the hint about the first hundred of
        // the whole list no longer holds.
        var hint = document.getElementById(input.id + "_hint");
        if (hint) hint.hidden = true;
        if (status) status.textContent = select.options.length ? select.options[0].text : "";
      })
      .catch(function () {
        if (status) status.textContent = input.getAttribute("data-client-search-failed");
        input.setCustomValidity(input.getAttribute("data-client-search-failed"));
        input.reportValidity();
        input.setCustomValidity("");
      });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-client-search]")) return;
    clearTimeout(searchTimers.get(input));
    searchTimers.set(input, setTimeout(function () { searchClients(input); }, 250));
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.matches || !input.matches("input[data-client-search]")) {
      return;
    }
    event.preventDefault();
    clearTimeout(searchTimers.get(input));
    searchClients(input);
  });

  // A print button (button[data-print]) opens the browser's print dialog; the page is laid
  // out for paper (the navigation is not printed).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-print]");
    if (button) window.print();
  });

  // A form the user sent when their session had ended was kept by the server
  // (prostenhet/keptforms.py); after logging in again, the page it was on gives its fields as
  // <script id="kept-form" type="application/json">: {action, fields: [[name, value], ...]}.
  // They go back into the form that sends to that address. Nothing is sent: the user checks the
  // form and sends it again. No events are fired, so that no autosave starts by itself.
  function keptValues(fields) {
    var values = Object.create(null);
    fields.forEach(function (field) {
      if (field[0] === "csrfmiddlewaretoken") return;
      (values[field[0]] = values[field[0]] || []).push(field[1]);
    });
    return values;
  }

  function keptMatches(form, values) {
    var matches = 0;
    Object.keys(values).forEach(function (name) {
      if (form.elements.namedItem(name)) matches++;
    });
    return matches;
  }

  function fillKeptForm(form, values) {
    var used = Object.create(null);
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || name === "csrfmiddlewaretoken") return;
      var given = values[name] || [];
      var type = element.type;
      if (type === "file" || type === "password" || type === "submit" || type === "button" ||
          type === "reset" || type === "image") return;
      if (type === "checkbox" || type === "radio") {
        // An unticked box is not sent: one the user left unticked is unticked again.
        element.checked = given.indexOf(element.value) !== -1;
      } else if (type === "select-multiple") {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = given.indexOf(option.value) !== -1;
        });
      } else if (name in values) {
        // Fields of one name take the sent values in their order.
        var index = used[name] || 0;
        if (index < given.length) {
          element.value = given[index];
          if (type === "select-one" && given[index] && element.value !== given[index]) {
            restorePickedClient(element, given[index]);
          }
        }
        used[name] = index + 1;
      }
    });
  }

  // A client found by a search in a client picker is not among the options its page starts
  // with: the picker's address gives them again with that client (when the user may still
  // pick them), and the choice is put back.
  function restorePickedClient(select, value) {
    var input = select.id && document.querySelector(
      'input[data-client-select="' + CSS.escape(select.id) + '"]');
    if (!input) return;
    fetch(new URL(input.getAttribute("data-client-search"), window.location.href), {
      method: "POST", credentials: "same-origin",
      headers: {"Accept": "text/html", "X-CSRFToken": csrfToken() || ""},
      body: new URLSearchParams({q: "", selected: value}),
    })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        select.innerHTML = html;
        select.value = value;
      })
      .catch(function () {});  // the select stays unchosen: the user picks again
  }

  // Only a form that sends to the address the kept one was sent to, and of those the one with
  // most of its names (a page may have a form per row: another row's never gets these).
  function restoreKeptForm() {
    var data = document.getElementById("kept-form");
    if (!data) return;
    var kept = JSON.parse(data.textContent);
    var values = keptValues(kept.fields);
    var best = null;
    var bestMatches = 0;
    document.querySelectorAll("form").forEach(function (form) {
      if (new URL(form.action, window.location.href).pathname !== kept.action) return;
      var matches = keptMatches(form, values);
      if (matches > bestMatches) {
        best = form;
        bestMatches = matches;
      }
    });
    if (best) fillKeptForm(best, values);
  }

  restoreKeptForm();

  // A page restored by Back (if the browser kept it) autosaves again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-draft-editor]").forEach(function (form) {
      delete form.dataset.submitting;
    });
  });
})();
