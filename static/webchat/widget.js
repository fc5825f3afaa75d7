/* Misafir360 web chat: one tag on the hotel's site,
   <script src="https://console.example/static/webchat/widget.js" data-key="KEY" async></script>
   Asks for name, contact and consent, then chats; agents' replies arrive by polling. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__m360chat) return;
  window.__m360chat = true;
  var key = script.getAttribute("data-key");
  var origin = new URL(script.src, location.href).origin;
  var api = origin + "/webchat/" + encodeURIComponent(key);
  var store = "m360chat:" + key;
  var T = {
    en: ["Chat with us", "Hello! How can we help?", "Your name", "E-mail or phone", "I agree that my data is processed to answer my request.", "Start", "Write a message…", "Send", "We'll answer as soon as we're back.", "Close", "Something went wrong; please try again.", "Too many messages; please wait a minute.", "Please check your name, your e-mail or phone, and the consent box."],
    tr: ["Bize yazın", "Merhaba! Size nasıl yardımcı olabiliriz?", "Adınız", "E-posta veya telefon", "Talebimin yanıtlanması için verilerimin işlenmesini kabul ediyorum.", "Başla", "Mesajınızı yazın…", "Gönder", "Ekibimiz döner dönmez yanıt verecek.", "Kapat", "Bir sorun oldu; lütfen tekrar deneyin.", "Çok fazla mesaj; lütfen bir dakika bekleyin.", "Lütfen adınızı, e-posta veya telefonunuzu ve onay kutusunu kontrol edin."],
    de: ["Schreiben Sie uns", "Hallo! Wie können wir helfen?", "Ihr Name", "E-Mail oder Telefon", "Ich bin einverstanden, dass meine Daten zur Beantwortung meiner Anfrage verarbeitet werden.", "Starten", "Nachricht schreiben…", "Senden", "Wir antworten, sobald wir wieder da sind.", "Schließen", "Etwas ist schiefgelaufen; bitte erneut versuchen.", "Zu viele Nachrichten; bitte eine Minute warten.", "Bitte prüfen Sie Name, E-Mail oder Telefon und das Einverständnis-Kästchen."],
    ru: ["Напишите нам", "Здравствуйте! Чем можем помочь?", "Ваше имя", "E-mail или телефон", "Я согласен(на) на обработку моих данных для ответа на запрос.", "Начать", "Напишите сообщение…", "Отправить", "Мы ответим, как только вернёмся.", "Закрыть", "Что-то пошло не так; попробуйте ещё раз.", "Слишком много сообщений; подождите минуту.", "Проверьте имя, e-mail или телефон и отметку согласия."]
  };
  var lang = (document.documentElement.lang || "en").slice(0, 2).toLowerCase();
  var t = T[lang] || T.en;
  var state = { token: null, last: 0, open: false, timer: null };
  try { state.token = localStorage.getItem(store); } catch (e) { /* private mode */ }

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = origin + "/static/webchat/widget.css";
  document.head.appendChild(css);

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var name in attrs || {}) node.setAttribute(name, attrs[name]);
    if (text) node.textContent = text;
    return node;
  }
  var root = el("div", { "class": "m360w" });
  var launcher = el("button", { "class": "m360w-launcher", type: "button", "aria-expanded": "false" }, t[0]);
  var panel = el("section", { "class": "m360w-panel", role: "dialog", "aria-label": t[0], hidden: "" });
  var head = el("header", { "class": "m360w-head" });
  head.appendChild(el("span", {}, t[1]));
  var close = el("button", { "class": "m360w-close", type: "button", "aria-label": t[9] }, "×");
  head.appendChild(close);
  var list = el("ol", { "class": "m360w-list", "aria-live": "polite" });
  var notice = el("p", { "class": "m360w-notice", hidden: "" }, t[8]);
  var error = el("p", { "class": "m360w-error", role: "alert", hidden: "" });

  var startForm = el("form", { "class": "m360w-start" });
  var nameInput = el("input", { name: "name", required: "", autocomplete: "name", placeholder: t[2], "aria-label": t[2] });
  var contactInput = el("input", { name: "contact", required: "", autocomplete: "email", placeholder: t[3], "aria-label": t[3] });
  var consentLabel = el("label", { "class": "m360w-consent" });
  var consent = el("input", { type: "checkbox", name: "consent", required: "" });
  consentLabel.appendChild(consent);
  consentLabel.appendChild(document.createTextNode(" " + t[4]));
  startForm.appendChild(nameInput);
  startForm.appendChild(contactInput);
  startForm.appendChild(consentLabel);
  startForm.appendChild(el("button", { type: "submit", "class": "m360w-primary" }, t[5]));

  var sendForm = el("form", { "class": "m360w-send", hidden: "" });
  var textInput = el("textarea", { name: "text", rows: "2", maxlength: "2000", placeholder: t[6], "aria-label": t[6], required: "" });
  sendForm.appendChild(textInput);
  sendForm.appendChild(el("button", { type: "submit", "class": "m360w-primary" }, t[7]));

  [head, list, notice, error, startForm, sendForm].forEach(function (n) { panel.appendChild(n); });
  root.appendChild(panel);
  root.appendChild(launcher);
  document.body.appendChild(root);

  function request(method, path, body) {
    var headers = { "Content-Type": "application/json" };
    if (state.token) headers["X-Webchat-Token"] = state.token;
    return fetch(api + path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined, credentials: "omit" })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (d) { d._status = r.status; return d; }); });
  }
  function showError(text) { error.textContent = text || ""; error.hidden = !text; }
  function ready() {
    startForm.hidden = !!state.token;
    sendForm.hidden = !state.token;
  }
  function add(message) {
    if (message.id && list.querySelector('[data-id="' + message.id + '"]')) return;
    var pending = message.id ? null : true;
    var item = el("li", { "class": "m360w-msg m360w-" + message.from }, message.text);
    if (message.id) item.setAttribute("data-id", message.id);
    if (pending) item.className += " m360w-pending";
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
  }
  function poll() {
    if (!state.token) return schedule();
    request("GET", "/messages?after=" + state.last).then(function (data) {
      if (data._status === 403) { state.token = null; try { localStorage.removeItem(store); } catch (e) {} ready(); return; }
      (data.messages || []).forEach(function (m) {
        var mine = list.querySelector(".m360w-pending");
        if (mine && m.from === "guest" && mine.textContent === m.text) mine.remove();
        add(m);
        state.last = Math.max(state.last, m.id);
      });
      notice.hidden = data.online !== false;
    }).catch(function () { /* offline for a moment: the next poll retries */ }).then(schedule);
  }
  function schedule() {
    clearTimeout(state.timer);
    state.timer = setTimeout(poll, state.open && !document.hidden ? 3000 : 15000);
  }
  function toggle(open) {
    state.open = open;
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) { (state.token ? textInput : nameInput).focus(); poll(); } else { launcher.focus(); }
  }
  launcher.addEventListener("click", function () { toggle(!state.open); });
  close.addEventListener("click", function () { toggle(false); });
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") toggle(false); });
  textInput.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); sendForm.requestSubmit(); }
  });
  startForm.addEventListener("submit", function (e) {
    e.preventDefault();
    request("POST", "/start", { name: nameInput.value, contact: contactInput.value, consent: consent.checked, language: lang })
      .then(function (data) {
        if (data._status !== 201) { showError(data.errors ? t[12] : data._status === 429 ? t[11] : t[10]); return; }
        state.token = data.token;
        try { localStorage.setItem(store, data.token); } catch (err) {}
        showError(""); ready(); textInput.focus();
      }).catch(function () { showError(t[10]); });
  });
  sendForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = textInput.value.trim();
    if (!text) return;
    var clientId = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    add({ from: "guest", text: text });
    textInput.value = "";
    request("POST", "/messages", { text: text, client_id: clientId }).then(function (data) {
      if (data._status === 429) showError(t[11]);
      else if (data._status !== 202) showError(t[10]);
      else { showError(""); poll(); }
    }).catch(function () { showError(t[10]); });
  });
  document.addEventListener("visibilitychange", schedule);
  ready();
  schedule();
})();
