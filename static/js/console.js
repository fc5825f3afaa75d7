// Keyboard for an agent on a headset: Esc closes the pop, 1–6 pick the caller
// from a pick list, Ctrl+Enter saves a note. Everything also works by mouse.
document.addEventListener("keydown", (event) => {
  const typing = event.target.closest("input, textarea, select");
  if (event.key === "Escape") {
    const close = document.querySelector("#screenpop .callpop .callbar button[type=submit]");
    if (close) { close.click(); event.preventDefault(); }
    return;
  }
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.matches("[data-submit-on-ctrl-enter]")) {
    event.target.form.requestSubmit();
    event.preventDefault();
    return;
  }
  if (!typing && /^[1-6]$/.test(event.key)) {
    const pick = document.querySelectorAll(".callpop .pickbutton")[Number(event.key) - 1];
    if (pick) { pick.click(); event.preventDefault(); }
  }
});
// A new pop takes focus so the agent can act without the mouse.
document.addEventListener("htmx:sseMessage", (event) => {
  if (event.detail.type !== "pop") return;
  const pop = document.querySelector("#screenpop .callpop");
  if (pop) { pop.scrollIntoView({block: "start"}); (pop.querySelector("[autofocus]") || pop).focus({preventScroll: true}); }
});
// Canned replies: picking one puts its text (variables filled in by the
// server) into the reply box, to edit before sending.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-canned-for]");
  if (!select) return;
  const option = select.selectedOptions[0];
  const box = document.getElementById(select.dataset.cannedFor);
  if (option && option.dataset.text && box) { box.value = option.dataset.text; box.focus(); }
  select.value = "";
});
// Toasts fade after a while; the alert stays under the bell until read.
document.addEventListener("htmx:sseMessage", (event) => {
  if (event.detail.type !== "alert") return;
  const toast = document.querySelector("#toasts .toast");
  const bell = document.querySelector(".bell");
  if (bell) {
    bell.classList.add("has-unread");
    let count = bell.querySelector(".count");
    if (!count) { count = document.createElement("b"); count.className = "count"; count.textContent = "0"; bell.append(count); }
    count.textContent = String(Number(count.textContent) + 1);
  }
  if (toast) setTimeout(() => toast.remove(), 12000);
});
// A stage picker shows only the fields its stage needs (follow-up, reason,
// reservation number); the server checks them all the same.
function showFieldsFor(select) {
  const form = select.form;
  form.querySelectorAll("[data-for]").forEach((el) => {
    el.hidden = !el.dataset.for.split(" ").includes(select.value);
  });
}
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-move]")) showFieldsFor(event.target);
});
function initMovePickers(root) { root.querySelectorAll("select[data-move]").forEach(showFieldsFor); }
document.addEventListener("DOMContentLoaded", () => initMovePickers(document));
document.addEventListener("htmx:afterSettle", (event) => initMovePickers(event.target));
// The timeline link is a real link without JS; with JS htmx loads the timeline
// in place (hx-trigger="click from:#timeline-open"), so the click must not also
// navigate. Here, not in an onclick attribute: the CSP allows no inline handler.
document.addEventListener("click", (event) => {
  if (event.target.closest("#timeline-open")) event.preventDefault();
});
// Only what a person does keeps the session alive (guestview.security, which
// names this header ACTIVITY_HEADER): htmx requests a click, a key or a form
// triggered are marked; those an SSE event, a page load or a timer triggers are not.
const PERSON_EVENTS = new Set(["click", "submit", "change", "input", "keydown", "keyup", "search"]);
document.addEventListener("htmx:configRequest", (event) => {
  const trigger = event.detail.triggeringEvent;
  if (trigger && PERSON_EVENTS.has(trigger.type)) event.detail.headers["X-Console-Activity"] = "1";
});
// A live list does not change under the hand filling in one of its forms (a
// board card's stage picker, half set): the re-read an event or the stream
// asks for waits until focus leaves that form; sent, the form answers with
// the fresh list itself.
document.addEventListener("htmx:confirm", (event) => {
  const trigger = event.detail.triggeringEvent;
  if (trigger && PERSON_EVENTS.has(trigger.type)) return;
  const list = event.detail.elt;
  const form = document.activeElement && document.activeElement.closest("form");
  if (!form || form === list || !list.contains(form)) return;
  event.preventDefault();
  if (form.dataset.rereadHeld) return;  // one held re-read reads the latest
  form.dataset.rereadHeld = "1";
  const later = (leaving) => {
    if (leaving.relatedTarget && form.contains(leaving.relatedTarget)) return;
    form.removeEventListener("focusout", later);
    delete form.dataset.rereadHeld;
    event.detail.issueRequest(true);  // dropped by htmx if the list is gone meanwhile
  };
  form.addEventListener("focusout", later);
});
// Once the session has expired the stream is refused (401) and EventSource gives
// up, while htmx's SSE extension retries for ever. Ask the sign-in page with htmx:
// signed out, it answers with HX-Redirect to itself and the console goes there;
// still signed in (the stream only failed), it answers 204 and nothing happens.
document.addEventListener("htmx:sseError", (event) => {
  if (event.detail.source.readyState !== EventSource.CLOSED) return;
  htmx.ajax("GET", "/login/", {source: document.body, swap: "none"});  // config/urls.py
});
