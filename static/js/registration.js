/* The live-call registration screen: persons without reload, shortcuts, type-ahead,
 * server-side drafts, re-login without leaving the page, one contact per save.
 * Nothing is put in localStorage or sessionStorage: the draft lives on the server. */
(function () {
  "use strict";
  var form = document.getElementById("registration-form");
  if (!form) return;
  var T = JSON.parse(document.getElementById("i18n-registration").textContent);
  // The facts the server names once: the helpline's first day, the days the code lists change.
  var facts = JSON.parse(document.getElementById("registration-facts").textContent);
  var statusEl = document.getElementById("autosave-status");
  var personsEl = document.getElementById("persons");
  var template = document.getElementById("person-template");
  var totalInput = form.querySelector("input[name='persons-TOTAL_FORMS']");
  var dialog = document.getElementById("login-dialog");
  var autosaveUrl = form.dataset.autosaveUrl;
  var sessionUrl = form.dataset.sessionUrl;
  var loginUrl = form.dataset.loginUrl;
  var edits = form.dataset.edits || null;

  var SAVE_DELAY = 2000; // a few seconds after the last change
  var RETRY_DELAY = 5000;
  var STALE_AFTER = 60000; // after a quiet minute, the next keystroke checks the session at once

  var dirty = false, inFlight = false, again = false, timer = null, expired = false;
  var closed = false, submitting = false, pendingSubmit = false;
  var lastOk = Date.now();

  /* ------------------------------------------------------------ type-ahead */
  function enhance(select) {
    if (typeof TomSelect === "undefined" || select.tomselect) return;
    var multi = select.multiple;
    var ts = new TomSelect(select, {
      maxOptions: null,
      // Search on every keystroke: with the default 300 ms throttle a fast Enter picks a stale option.
      refreshThrottle: 0,
      create: false,
      allowEmptyOption: !multi,
      selectOnTab: !multi,
      closeAfterSelect: !multi,
      hidePlaceholder: multi,
      plugins: multi ? ["remove_button"] : [],
      render: { no_results: function () { return '<div class="no-results">' + T.noResults + "</div>"; } },
      onItemAdd: function () { if (multi) this.setTextboxValue(""); },
    });
    // The original select stays only as the form's value holder: out of the accessibility tree.
    select.setAttribute("aria-hidden", "true");
    // Errors and help stay linked to what the keyboard reaches.
    ["aria-describedby", "aria-invalid"].forEach(function (name) {
      var value = select.getAttribute(name);
      if (value) ts.control_input.setAttribute(name, value);
    });
    ts.on("change", function () { changed(); });
  }
  function enhanceAll(root) {
    root.querySelectorAll("select[data-typeahead]").forEach(enhance);
  }

  /* ------------------------------------------------------------ persons */
  function visiblePersons() {
    return Array.prototype.filter.call(personsEl.querySelectorAll("[data-person]"), function (p) { return !p.hidden; });
  }
  function renumber() {
    var persons = visiblePersons();
    persons.forEach(function (p, i) { p.querySelector(".person-number").textContent = String(i + 1); });
    document.getElementById("person-count").textContent = "(" + persons.length + ")";
    document.getElementById("no-persons").hidden = persons.length > 0;
  }
  function firstField(person) {
    return person.querySelector(".ts-control input, select, input:not([type=hidden])");
  }
  function addPerson() {
    var index = parseInt(totalInput.value, 10) || 0;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var person = holder.firstElementChild;
    personsEl.appendChild(person);
    totalInput.value = String(index + 1);
    enhanceAll(person);
    renumber();
    announce(T.added);
    focusPerson(person);
    changed();
  }
  function removePerson(person) {
    var persons = visiblePersons();
    var at = persons.indexOf(person);
    person.querySelector("[data-delete]").value = "on";
    person.hidden = true;
    renumber();
    announce(T.removed);
    var rest = visiblePersons();
    if (rest.length) focusPerson(rest[Math.min(at, rest.length - 1)]);
    else document.getElementById("add-person").focus();
    changed();
  }
  function focusPerson(person) {
    var field = firstField(person);
    person.scrollIntoView({ block: "nearest" });
    if (field) field.focus();
  }
  function currentPersonIndex() {
    var persons = visiblePersons();
    var active = document.activeElement;
    for (var i = 0; i < persons.length; i++) if (persons[i].contains(active)) return i;
    return -1;
  }
  function jump(delta) {
    var persons = visiblePersons();
    if (!persons.length) return;
    var at = currentPersonIndex();
    var next = at === -1 ? (delta > 0 ? 0 : persons.length - 1) : (at + delta + persons.length) % persons.length;
    focusPerson(persons[next]);
  }
  document.getElementById("add-person").addEventListener("click", addPerson);
  personsEl.addEventListener("click", function (e) {
    var button = e.target.closest("[data-remove-person]");
    if (button) removePerson(button.closest("[data-person]"));
  });

  /* ------------------------------------------------------------ shortcuts */
  document.addEventListener("keydown", function (e) {
    if (dialog.open) return;
    if (e.altKey && !e.ctrlKey && !e.metaKey) {
      var digit = /^Digit([1-9])$/.exec(e.code);
      if (e.code === "KeyP") { e.preventDefault(); addPerson(); }
      else if (e.code === "KeyJ") { e.preventDefault(); jump(1); }
      else if (e.code === "KeyK") { e.preventDefault(); jump(-1); }
      else if (e.code === "KeyS") { e.preventDefault(); requestSubmit(); }
      else if (digit) {
        var persons = visiblePersons();
        var n = parseInt(digit[1], 10) - 1;
        if (persons[n]) { e.preventDefault(); focusPerson(persons[n]); }
      }
    } else if ((e.ctrlKey || e.metaKey) && (e.key === "s" || e.key === "Enter")) {
      e.preventDefault();
      requestSubmit();
    }
  });

  /* ------------------------------------------------------------ drafts */
  function state() {
    var data = {};
    new FormData(form).forEach(function (value, key) {
      if (key === "csrfmiddlewaretoken") return;
      (data[key] = data[key] || []).push(String(value));
    });
    return data;
  }
  function csrf() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function setCsrf(token) {
    document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (i) { i.value = token; });
  }
  function say(text) { statusEl.textContent = text; }
  function announce(text) { say(text); }

  function changed() {
    if (closed) return;
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, SAVE_DELAY);
  }
  function save() {
    clearTimeout(timer);
    if (closed || !autosaveUrl) return Promise.resolve(false);
    if (expired) { showLogin(); return Promise.resolve(false); }
    if (inFlight) { again = true; return Promise.resolve(false); }
    inFlight = true;
    say(T.saving);
    var body = JSON.stringify({ data: state(), edits: edits });
    dirty = false;
    return fetch(autosaveUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "X-Requested-With": "fetch" },
      body: body,
    }).then(function (response) {
      if (response.ok) {
        return response.json().then(function (json) {
          lastOk = Date.now();
          say(T.saved + " " + json.saved_at);
          return true;
        });
      }
      dirty = true;
      if (response.status === 409) { closed = true; say(T.registered); return false; }
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
        return checkSession().then(function (ok) {
          if (!ok) sessionEnded();
          else if (response.status === 403) setTimeout(save, 0);
          return false;
        });
      }
      say(T.offline);
      timer = setTimeout(save, RETRY_DELAY);
      return false;
    }).catch(function () {
      dirty = true;
      say(T.offline);
      timer = setTimeout(save, RETRY_DELAY);
      return false;
    }).finally(function () {
      inFlight = false;
      if (again) { again = false; if (dirty) save(); }
    });
  }
  function checkSession() {
    return fetch(sessionUrl, { credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) return false;
        return response.json().then(function (json) {
          if (json.csrf) setCsrf(json.csrf);
          return !!json.authenticated;
        });
      })
      .catch(function () { return null; });
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // Leaving a field saves at once (if something changed).
  form.addEventListener("focusout", function () { if (dirty) save(); });
  form.addEventListener("keydown", function () {
    if (Date.now() - lastOk > STALE_AFTER && !inFlight) { dirty = true; save(); }
  });

  /* ------------------------------------------------------------ session ended */
  // The session ended (30 idle minutes): everything stays on screen; a dialog logs in again
  // through the login view (and the two-factor step) by fetch, then saves.
  var loginForm = document.getElementById("login-form");
  var loginError = document.getElementById("login-error");
  var stepPassword = document.getElementById("login-step-password");
  var stepCode = document.getElementById("login-step-code");
  var otpUrl = form.dataset.otpUrl;
  var otpCsrf = null;
  function sessionEnded() {
    expired = true;
    say(T.expired);
    showLogin();
  }
  function showLogin() {
    if (dialog.open) return;
    stepPassword.hidden = false;
    stepCode.hidden = true;
    dialog.showModal();
    var user = document.getElementById("relogin-username");
    (user.value ? document.getElementById("relogin-password") : user).focus();
  }
  function loginFailed(message) {
    loginError.textContent = message || T.loginFailed;
    loginError.hidden = false;
  }
  function loggedIn() {
    expired = false;
    otpCsrf = null;
    loginError.hidden = true;
    document.getElementById("relogin-password").value = "";
    document.getElementById("relogin-code").value = "";
    dialog.close();
    dirty = true;
    return save().then(function () {
      if (pendingSubmit) { pendingSubmit = false; requestSubmit(); }
    });
  }
  function post(url, fields, token) {
    var params = new URLSearchParams();
    Object.keys(fields).forEach(function (k) { params.set(k, fields[k]); });
    params.set("csrfmiddlewaretoken", token);
    return fetch(url, {
      method: "POST", credentials: "same-origin", redirect: "manual",
      headers: { "X-CSRFToken": token }, body: params,
    });
  }
  // After the password, the two-factor page: its form carries the CSRF token the login rotated.
  function askCode() {
    return fetch(otpUrl, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
      if (!response.ok) { loginFailed(); return; }
      return response.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var input = doc.querySelector("input[name=csrfmiddlewaretoken]");
        otpCsrf = input ? input.value : csrf();
        stepPassword.hidden = true;
        stepCode.hidden = false;
        loginError.hidden = true;
        document.getElementById("relogin-code").focus();
      });
    });
  }
  function afterPassword(response) {
    if (response.type !== "opaqueredirect" && !response.redirected) { loginFailed(); return; }
    return checkSession().then(function (ok) { return ok ? loggedIn() : askCode(); });
  }
  function afterCode() {
    return checkSession().then(function (ok) {
      if (ok) return loggedIn();
      loginFailed();
    });
  }
  loginForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var request;
    if (!stepCode.hidden) {
      request = post(otpUrl, { token: document.getElementById("relogin-code").value }, otpCsrf || csrf())
        .then(afterCode);
    } else {
      request = post(loginUrl, {
        username: document.getElementById("relogin-username").value,
        password: document.getElementById("relogin-password").value,
        next: sessionUrl,
      }, csrf()).then(afterPassword);
    }
    request.catch(function () { loginFailed(T.offline); });
  });
  document.getElementById("relogin-retry").addEventListener("click", function () {
    checkSession().then(function (ok) { if (ok) loggedIn(); else loginFailed(); });
  });

  /* ------------------------------------------------------------ save (submit) */
  function requestSubmit() {
    if (submitting) return;
    if (form.requestSubmit) form.requestSubmit(); else form.dispatchEvent(new Event("submit", { cancelable: true }));
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (submitting) return; // a double click: the first save is on its way
    checkSession().then(function (ok) {
      if (ok === false) {
        pendingSubmit = true;
        sessionEnded();
        return;
      }
      submitting = true;
      closed = true;
      clearTimeout(timer);
      say(T.submitting);
      document.getElementById("save").setAttribute("aria-disabled", "true");
      HTMLFormElement.prototype.submit.call(form);
    });
  });
  // Back from the browser's cache (bfcache): allow saving again.
  window.addEventListener("pageshow", function (e) { if (e.persisted) { submitting = false; closed = false; } });

  /* ------------------------------------------------------------ codes valid on the date */
  // The options are the codes valid on the contact's date. When the date moves across a day on
  // which a code starts or ends, the draft is saved and the screen reopens it with the right lists.
  var boundaries = facts.codeBoundaries;
  var dateInput = document.getElementById("id_started_date");
  function era(day) {
    return boundaries.filter(function (b) { return day && b <= day; }).length;
  }
  var shownEra = dateInput ? era(dateInput.value) : 0;
  if (dateInput && form.dataset.resumeUrl) {
    // On leaving the field, not on "change": typing a year digit by digit passes through
    // dates like 0002-03-14 that must not reload anything.
    var reopen = function (attempt) {
      dirty = true;
      save().then(function (ok) {
        if (ok) window.location.assign(form.dataset.resumeUrl + "#id_started_date");
        else if (inFlight && attempt < 10) setTimeout(function () { reopen(attempt + 1); }, 300);
      });
    };
    dateInput.addEventListener("blur", function () {
      if (!dateInput.value || dateInput.value < facts.helplineStart || era(dateInput.value) === shownEra) return;
      reopen(0);
    });
  }

  /* ------------------------------------------------------------ start */
  enhanceAll(form);
  renumber();
  // After a failed save the summary of problems (or the conflict) takes focus and is read out.
  var summary = document.getElementById("error-summary") || document.getElementById("conflict");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  } else {
    var wanted = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    var first = wanted && form.contains(wanted) ? wanted : form.querySelector("#id_channel");
    if (first) first.focus();
  }
})();
