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

  // A pause in the typing saves; continuous typing saves at least every SAVE_EVERY ms, so at most
  // the last few seconds (request included) are not yet on the server.
  var SAVE_PAUSE = 2000;
  var SAVE_EVERY = 3000;
  var RETRY_FIRST = 5000, RETRY_MAX = 60000; // after an error, wait longer each time
  var STALE_AFTER = 60000; // after a quiet minute, the next keystroke checks the session at once
  var LOGIN_PAUSE = 2000; // the session dialog takes the focus only after this pause in the typing

  var dirty = false, inFlight = false, again = false, timer = null, expired = false;
  var unsavedSince = 0; // when the oldest change the server does not hold yet was made
  var retryDelay = 0, retryAt = 0, stopped = false, refreshedToken = false;
  var statusKind = "", lastKey = 0, loginTimer = null;
  var closed = false, submitting = false, pendingSubmit = false;
  var lastOk = Date.now();

  /* ------------------------------------------------------------ type-ahead */
  // Ranking: every typed word must match the option's code, its label or its search words
  // (data-search, from the code lists). A whole word beats the start of a word, which beats a
  // match inside a word ("ouder": 1200 (stief)ouder(s) before 6300 ouderen, before grootouder);
  // ties keep the list's order ("zelf": 1100 slachtoffer zelf before 2100 dader zelf).
  function fold(text) {
    return String(text || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  function wordsOf(text) {
    return fold(text).split(/[^a-z0-9]+/).filter(Boolean);
  }
  function matchQuality(term, words) {
    var best = 0;
    for (var i = 0; i < words.length && best < 3; i++) {
      var at = words[i].indexOf(term);
      if (at === 0) best = Math.max(best, words[i].length === term.length ? 3 : 2);
      else if (at > 0) best = Math.max(best, 1);
    }
    return best;
  }
  function rank(query) {
    var terms = wordsOf(query);
    return function (item) {
      if (!terms.length) return 1;
      var words = wordsOf([item.value, item.text, item.search].join(" "));
      var total = 0;
      for (var i = 0; i < terms.length; i++) {
        var quality = matchQuality(terms[i], words);
        if (!quality) return 0;
        total += quality;
      }
      return total;
    };
  }

  function enhance(select) {
    if (typeof TomSelect === "undefined" || select.tomselect) return;
    var multi = select.multiple;
    var ts = new TomSelect(select, {
      maxOptions: null,
      // Search on every keystroke: with the default 300 ms throttle a fast Enter picks a stale option.
      refreshThrottle: 0,
      create: false,
      allowEmptyOption: !multi,
      // Tab is handled in typeaheadKeys: it keeps what was typed and still moves on in one press.
      selectOnTab: false,
      closeAfterSelect: !multi,
      hidePlaceholder: multi,
      plugins: multi ? ["remove_button"] : [],
      score: rank,
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
    typeaheadKeys(ts);
  }
  function enhanceAll(root) {
    root.querySelectorAll("select[data-typeahead]").forEach(enhance);
  }

  /* ------------------------------------------------------------ Enter and Tab in fields */
  // Enter never saves: in a type-ahead it chooses what the counsellor picked, anywhere else it
  // moves to the next field, as Tab does (only Alt+S, Ctrl+S or the button save). A type-ahead
  // opens on focus, so "picked" means typed or moved with the arrows since the last choice:
  // passing through costs one Tab and chooses nothing, and a second Enter moves on.
  function typeaheadKeys(ts) {
    var picked = false;
    function typing() {
      picked = ts.control_input.value !== "";
      // While typing, the control shows the typed text only, not the current choice ("— leeg —").
      ts.wrapper.classList.toggle("typing", picked);
    }
    function reset() { picked = false; ts.wrapper.classList.remove("typing"); }
    ts.control_input.addEventListener("input", typing);
    ts.on("item_add", reset);
    ts.on("focus", reset);
    ts.on("blur", reset);
    ts.on("dropdown_open", function () { keepClear(ts.dropdown); });
    // Capture: runs before tom-select's own handler on its input.
    ts.wrapper.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") { picked = true; return; }
      if (e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return;
      if (e.key === "Tab") {
        // Tab keeps what was typed ("seks"+Tab) in single and multi-choice lists alike.
        if (picked && ts.isOpen && ts.activeOption && ts.canSelect(ts.activeOption)) ts.onOptionSelect(e, ts.activeOption);
        return; // and the browser moves on
      }
      if (e.key !== "Enter") return;
      if (picked && ts.isOpen) return; // tom-select chooses (or stays put when nothing matches)
      e.preventDefault();
      e.stopPropagation();
      ts.close();
      moveOn(ts.control_input);
    }, true);
  }
  function fields() {
    return Array.prototype.filter.call(form.querySelectorAll("input, select, textarea"), function (el) {
      return el.type !== "hidden" && !el.disabled && el.tabIndex >= 0 && el.getAttribute("aria-hidden") !== "true" &&
        el.getClientRects().length > 0;
    });
  }
  function moveOn(from) {
    var list = fields();
    var next = list[list.indexOf(from) + 1];
    if (next) next.focus();
  }
  form.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || e.defaultPrevented || e.isComposing) return;
    var el = e.target;
    // A new line in the summary; a press of the focused button (Opslaan is the save button).
    if (el.tagName === "TEXTAREA" || el.tagName === "BUTTON" || el.tagName === "A") return;
    if (el.tagName === "INPUT" && /^(submit|button|reset|image)$/.test(el.type)) return;
    e.preventDefault(); // no implicit submission from a field, with or without Ctrl
    if (!e.altKey && !e.ctrlKey && !e.metaKey && !e.shiftKey) moveOn(el);
  });

  /* ------------------------------------------------------------ nothing under the save bar */
  // The save bar sticks to the bottom of the window; the browser scrolls a focused field only
  // just into view, which is under the bar. Scroll it (and an opened list) clear of the bar.
  var savebar = form.querySelector(".savebar");
  function keepClear(el) {
    if (!savebar || !el || savebar.contains(el)) return;
    var box = el.getBoundingClientRect();
    var barTop = savebar.getBoundingClientRect().top;
    if (box.height && box.bottom > barTop - 8) window.scrollBy(0, Math.min(box.bottom - barTop + 16, box.top - 8));
  }
  form.addEventListener("focusin", function (e) {
    var el = e.target;
    keepClear(el.closest(".ts-wrapper") || el.closest("label.check") || el);
  });

  /* ------------------------------------------------------------ selects show their options whole */
  // A short list's select is as wide as its grid cell; when its longest option does not fit,
  // the field takes the whole row, so the chosen option is never cut off.
  var measure = document.createElement("canvas").getContext("2d");
  function fitSelects(root) {
    root.querySelectorAll(".field > select:not([data-typeahead]):not([multiple])").forEach(function (select) {
      var field = select.parentElement;
      if (field.classList.contains("wide") && !field.hasAttribute("data-widened")) return;
      field.classList.remove("wide");
      field.removeAttribute("data-widened");
      if (!select.getClientRects().length) return;
      var style = getComputedStyle(select);
      measure.font = style.font;
      var longest = 0;
      Array.prototype.forEach.call(select.options, function (o) { longest = Math.max(longest, measure.measureText(o.text).width); });
      // Padding, borders and the arrow of the closed select.
      var need = longest + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) + 34;
      if (need > select.getBoundingClientRect().width) {
        field.classList.add("wide");
        field.setAttribute("data-widened", "");
      }
    });
  }
  var fitTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(fitTimer);
    fitTimer = setTimeout(function () { fitSelects(form); }, 150);
  });

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
    fitSelects(person);
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
    if (button) askRemove(button.closest("[data-person]"));
  });
  // Removing a person drops all that was typed for them: never on one key. The button is off the
  // Tab path (Alt+Shift+P reaches it from the keyboard) and asks first, with "no" focused.
  var confirmDialog = document.getElementById("confirm-dialog");
  var confirmFor = null, confirmFrom = null;
  function askRemove(person) {
    if (!person || confirmDialog.open) return;
    confirmFor = person;
    confirmFrom = document.activeElement;
    var n = visiblePersons().indexOf(person) + 1;
    document.getElementById("confirm-question").textContent = T.removeQuestion.replace("%(n)s", String(n));
    confirmDialog.returnValue = "";
    confirmDialog.showModal();
    document.getElementById("confirm-no").focus();
  }
  confirmDialog.addEventListener("close", function () {
    // "close" comes a task later: a quick second question may already be open; it answers later.
    if (confirmDialog.open) return;
    var person = confirmFor;
    confirmFor = null;
    if (!person) return;
    if (confirmDialog.returnValue === "yes") removePerson(person);
    else if (confirmFrom && person.contains(confirmFrom) && confirmFrom.tabIndex >= 0) confirmFrom.focus();
    else focusPerson(person);
  });

  /* ------------------------------------------------------------ shortcuts */
  function toSummary() {
    var text = document.getElementById("id_summary");
    if (!text) return;
    text.focus();
    text.setSelectionRange(text.value.length, text.value.length); // go on typing at the end
  }
  document.addEventListener("keydown", function (e) {
    if (dialog.open || confirmDialog.open) return;
    if (e.altKey && !e.ctrlKey && !e.metaKey) {
      var digit = /^Digit([1-9])$/.exec(e.code);
      if (e.code === "KeyP" && e.shiftKey) { e.preventDefault(); askRemove(visiblePersons()[currentPersonIndex()]); }
      else if (e.code === "KeyP") { e.preventDefault(); addPerson(); }
      else if (e.code === "KeyT") { e.preventDefault(); toSummary(); }
      else if (e.code === "KeyJ") { e.preventDefault(); jump(1); }
      else if (e.code === "KeyK") { e.preventDefault(); jump(-1); }
      else if (e.code === "KeyS") { e.preventDefault(); requestSubmit(); }
      else if (digit) {
        var persons = visiblePersons();
        var n = parseInt(digit[1], 10) - 1;
        if (persons[n]) { e.preventDefault(); focusPerson(persons[n]); }
      }
    } else if ((e.ctrlKey || e.metaKey) && e.key === "s") {
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
  // The status line is a polite live region: set it only when its text changes, so typing is
  // not talked over by the same message again and again.
  function say(text, kind) {
    statusKind = kind || "";
    if (statusEl.textContent !== text) statusEl.textContent = text;
  }
  function announce(text) { say(text, "note"); }

  function changed() {
    if (closed) return;
    dirty = true;
    if (!unsavedSince) unsavedSince = Date.now();
    // "bewaard om …" is said only while the server holds what the screen shows.
    if (statusKind === "saved") say(T.saving);
    schedule();
  }
  function schedule() {
    if (closed || stopped) return;
    clearTimeout(timer);
    var now = Date.now();
    var at = Math.max(Math.min(now + SAVE_PAUSE, (unsavedSince || now) + SAVE_EVERY), retryAt);
    timer = setTimeout(save, Math.max(0, at - now));
  }
  function unsaved() {
    dirty = true;
    if (!unsavedSince) unsavedSince = Date.now();
  }
  function backoff(message) {
    retryDelay = retryDelay ? Math.min(retryDelay * 2, RETRY_MAX) : RETRY_FIRST;
    retryAt = Date.now() + retryDelay;
    say(message, "error");
    schedule();
  }
  function stop(message) {
    // Refused (403) or gone (404): trying again cannot help. Everything stays on the screen.
    stopped = true;
    clearTimeout(timer);
    say(message, "error");
  }
  function request(body, keepalive) {
    return fetch(autosaveUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "X-Requested-With": "fetch" },
      body: body,
    });
  }
  function save() {
    clearTimeout(timer);
    timer = null;
    if (closed || stopped || !autosaveUrl) return Promise.resolve(false);
    if (expired) { showLogin(); return Promise.resolve(false); }
    if (inFlight) { again = true; return Promise.resolve(false); }
    if (retryAt - 50 > Date.now()) { schedule(); return Promise.resolve(false); } // backing off
    inFlight = true;
    if (statusKind !== "error") say(T.saving);
    var body = JSON.stringify({ data: state(), edits: edits });
    dirty = false;
    unsavedSince = 0;
    return request(body).then(function (response) {
      if (response.ok) {
        return response.json().then(function (json) {
          lastOk = Date.now();
          retryDelay = retryAt = 0;
          refreshedToken = false;
          if (!dirty) say(T.saved + " " + json.saved_at, "saved");
          else say(T.saving);
          return true;
        });
      }
      unsaved();
      if (response.status === 409) { closed = true; say(T.registered, "error"); return false; }
      if (response.type === "opaqueredirect" || response.status === 401) {
        return checkSession().then(function (ok) {
          if (ok === false) sessionEnded();
          else backoff(T.offline);
          return false;
        });
      }
      if (response.status === 403) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          // The server's own refusal: this draft is not (or no longer) the counsellor's to save.
          if (json.reason === "forbidden" || refreshedToken) { stop(T.stoppedForbidden); return false; }
          // Else the CSRF check (the token rotated with a login elsewhere): once more with a fresh one.
          refreshedToken = true;
          return checkSession().then(function (ok) {
            if (ok === false) sessionEnded();
            else if (ok) again = true;
            else backoff(T.offline);
            return false;
          });
        });
      }
      if (response.status === 404) { stop(T.stoppedMissing); return false; }
      if (response.status === 400) {
        // A NUL or an invalid character in what was typed (helpline/bad_bytes.py): say so, the
        // server's message is translated; the next try after an edit may well succeed.
        return response.json().catch(function () { return {}; }).then(function (json) {
          backoff(json.reason === "invalid_characters" && json.detail ? json.detail : T.failed);
          return false;
        });
      }
      backoff(T.failed);
      return false;
    }).catch(function () {
      unsaved();
      backoff(T.offline);
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
    if (Date.now() - lastOk > STALE_AFTER && !inFlight && !retryAt) { unsaved(); save(); }
  });
  // The tab closes (or navigates away) with changes not yet sent: send them on the way out.
  window.addEventListener("pagehide", function () {
    if (!dirty || closed || stopped || expired || submitting || !autosaveUrl) return;
    request(JSON.stringify({ data: state(), edits: edits }), true).catch(function () {});
  });
  // Every key, wherever it goes: the session dialog waits for a pause in the typing.
  document.addEventListener("keydown", function () { lastKey = Date.now(); }, true);

  /* ------------------------------------------------------------ session ended */
  // The session ended (30 idle minutes): everything stays on screen; a dialog logs in again
  // through the login view (and the two-factor step) by fetch, then saves.
  var loginForm = document.getElementById("login-form");
  var loginError = document.getElementById("login-error");
  var stepPassword = document.getElementById("login-step-password");
  var stepCode = document.getElementById("login-step-code");
  var otpUrl = form.dataset.otpUrl;
  var otpCsrf = null;
  // Announced at once in the status line; the dialog (which takes the focus) opens only after a
  // pause in the typing, so keys meant for a field never land in the password (unless the
  // counsellor just asked to save: then it opens at once).
  function sessionEnded(now) {
    expired = true;
    say(T.expired, "error");
    showLogin(now);
  }
  function showLogin(now) {
    if (dialog.open) return;
    clearTimeout(loginTimer);
    var wait = LOGIN_PAUSE - (Date.now() - lastKey);
    if (!now && wait > 0) { loginTimer = setTimeout(showLogin, wait); return; }
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
    unsaved();
    retryAt = 0;
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
    // A second press while the first save is on its way (even while its session check is still
    // out) does nothing: one save, one answer.
    if (submitting) return;
    submitting = true;
    checkSession().then(function (ok) {
      if (ok === false) {
        submitting = false;
        pendingSubmit = true;
        sessionEnded(true); // the counsellor asked to save: the dialog at once
        return;
      }
      closed = true;
      clearTimeout(timer);
      say(T.submitting);
      document.getElementById("save").setAttribute("aria-disabled", "true");
      // This history entry becomes the draft's own address: shown again from history (Back, a
      // reload) it asks the server, which says the contact was saved instead of offering a new form.
      if (!edits && form.dataset.resumeUrl) history.replaceState(history.state, "", form.dataset.resumeUrl);
      HTMLFormElement.prototype.submit.call(form);
    });
  });
  // Back from the browser's cache (bfcache) after a save: ask the server what became of it.
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) return;
    if (closed && !edits) { window.location.reload(); return; }
    submitting = false;
    closed = false;
  });

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
  fitSelects(form);
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
