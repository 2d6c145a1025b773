// The local-mode chat page: act as the demo people and talk to the bot as in Telegram.
// Everything goes through the local server's /sim/ control API; message HTML comes from the
// server already made safe (bot/localapi/webview.py), every other text is set as plain text.
"use strict";

const TEXT = {
  en: {
    "title": "ALSFRS companion · local mode",
    "skip": "Skip to the chats",
    "language": "Language",
    "layout": "Layout",
    "layout-one": "One chat",
    "layout-side": "Side by side",
    "act-as": "Act as",
    "language-hint": "The bot speaks the page's language unless a person chose another one with /language.",
    "role-staff": "Study staff",
    "role-patient": "Patient",
    "role-caregiver": "Caregiver",
    "role-stranger": "Not in the study",
    "role-user": "Telegram user",
    "demo": "Made-up study on this computer: participant {subject} and every answer are invented, and nothing is sent to Telegram. To start again from scratch:",
    "what-can": "What can this bot do?",
    "empty-hint": "Nothing here yet. Tap Start, as in Telegram.",
    "start": "Start",
    "menu": "Menu",
    "commands": "Commands",
    "no-commands": "The bot has set no commands.",
    "message": "Message",
    "send": "Send",
    "edited": "edited",
    "typing": "typing…",
    "you": "You:",
    "bot": "Bot:",
    "photo": "Picture from the bot",
    "ok": "OK",
    "cancel": "Cancel",
    "open-as": "Open this link as:",
    "no-answer": "The bot did not answer this button in time.",
    "failed": "That did not work: {error}",
    "unread": "{count} new",
    "connected": "Connected to the local server.",
    "disconnected": "Disconnected: the local server has stopped. Start it again with make run; this page reconnects by itself.",
  },
  cs: {
    "title": "Průvodce ALSFRS · místní režim",
    "skip": "Přeskočit na chaty",
    "language": "Jazyk",
    "layout": "Zobrazení",
    "layout-one": "Jeden chat",
    "layout-side": "Vedle sebe",
    "act-as": "Jednat jako",
    "language-hint": "Bot mluví jazykem stránky, pokud si daná osoba nezvolila jiný příkazem /language.",
    "role-staff": "Studijní tým",
    "role-patient": "Pacient",
    "role-caregiver": "Pečující",
    "role-stranger": "Mimo studii",
    "role-user": "Uživatel Telegramu",
    "demo": "Smyšlená studie na tomto počítači: účastník {subject} i všechny odpovědi jsou vymyšlené a nic se neposílá do Telegramu. Začít znovu od začátku:",
    "what-can": "Co tento bot umí?",
    "empty-hint": "Zatím tu nic není. Klepněte na Spustit, jako v Telegramu.",
    "start": "Spustit",
    "menu": "Menu",
    "commands": "Příkazy",
    "no-commands": "Bot nenastavil žádné příkazy.",
    "message": "Zpráva",
    "send": "Odeslat",
    "edited": "upraveno",
    "typing": "píše…",
    "you": "Vy:",
    "bot": "Bot:",
    "photo": "Obrázek od bota",
    "ok": "OK",
    "cancel": "Zrušit",
    "open-as": "Otevřít odkaz jako:",
    "no-answer": "Bot na toto tlačítko včas neodpověděl.",
    "failed": "Nepodařilo se: {error}",
    "unread": "nové: {count}",
    "connected": "Připojeno k místnímu serveru.",
    "disconnected": "Odpojeno: místní server se zastavil. Spusťte jej znovu příkazem make run; stránka se připojí sama.",
  },
};

const state = {
  lang: "en",
  layout: "side",
  active: null,
  seq: 0,
  config: null,
  panes: new Map(),
  connected: null,
  languageSync: Promise.resolve(),
};

function t(key, args = {}) {
  const table = TEXT[state.lang] || TEXT.en;
  let text = table[key] ?? TEXT.en[key] ?? key;
  for (const [name, value] of Object.entries(args)) {
    text = text.replace(`{${name}}`, String(value));
  }
  return text;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function remember(key, value) {
  try {
    localStorage.setItem(`alsfrs-local.${key}`, value);
  } catch (error) {
    // storage may be off; the page works without it
  }
}

function recall(key) {
  try {
    return localStorage.getItem(`alsfrs-local.${key}`);
  } catch (error) {
    return null;
  }
}

async function call(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    data = null;
  }
  if (!response.ok || !data || !data.ok) {
    const error = new Error((data && (data.error || data.description)) || response.statusText);
    error.status = response.status;
    throw error;
  }
  return data.result;
}

// --- people and panes ----------------------------------------------------------------------

function roleName(persona) {
  const role = t(`role-${persona.key}`);
  return persona.subject ? `${role} · ${persona.subject}` : role;
}

function isVisible(pane) {
  return state.layout === "side" || state.active === pane.persona.chat_id;
}

function buildPane(persona) {
  const template = document.getElementById("chat-template");
  const node = template.content.firstElementChild.cloneNode(true);
  const id = `chat-${persona.chat_id}`;
  node.id = id;
  node.dataset.persona = persona.key;
  node.dataset.chatId = String(persona.chat_id);
  const name = node.querySelector(".name");
  name.id = `${id}-name`;
  node.setAttribute("aria-labelledby", name.id);
  const dialogText = node.querySelector(".dialog-text");
  dialogText.id = `${id}-dialog`;
  node.querySelector(".dialog").setAttribute("aria-labelledby", dialogText.id);
  const avatar = node.querySelector(".avatar");
  avatar.textContent = (persona.name || "?").slice(0, 1);
  avatar.classList.add(persona.key);
  const pane = {
    persona,
    node,
    name,
    status: node.querySelector(".status"),
    list: node.querySelector(".messages"),
    empty: node.querySelector(".empty"),
    startBar: node.querySelector(".start-bar"),
    composer: node.querySelector(".composer"),
    input: node.querySelector(".composer input"),
    menuButton: node.querySelector(".menu-button"),
    menu: node.querySelector(".command-menu"),
    replyKeyboard: node.querySelector(".reply-keyboard"),
    toast: node.querySelector(".toast"),
    dialog: node.querySelector(".dialog"),
    unread: 0,
    button: null,
    typingTimer: null,
    toastTimer: null,
    view: null,
    returnFocus: null,
  };
  pane.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    sendText(pane, pane.input.value, { clear: true });
  });
  node.querySelector(".start-button").addEventListener("click", () => sendText(pane, "/start"));
  pane.menuButton.addEventListener("click", () => toggleMenu(pane));
  pane.menu.addEventListener("keydown", (event) => menuKeys(pane, event));
  pane.list.addEventListener("click", (event) => messageClick(pane, event));
  node.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      closeMenu(pane, true);
      closeDialog(pane);
    }
  });
  node.addEventListener("focusin", () => {
    if (state.layout === "side") markActive(pane.persona.chat_id);
  });
  return pane;
}

function buildPersonaButton(pane) {
  const button = el("button", "persona");
  button.type = "button";
  button.dataset.persona = pane.persona.key;
  const avatar = el("span", `avatar ${pane.persona.key}`, (pane.persona.name || "?").slice(0, 1));
  avatar.setAttribute("aria-hidden", "true");
  const label = el("span", "persona-label");
  const name = el("strong", "persona-name", pane.persona.name);
  const role = el("span", "role");
  label.append(name, role);
  const badge = el("span", "badge");
  badge.hidden = true;
  button.append(avatar, label, badge);
  button.addEventListener("click", () => selectPersona(pane, { focus: true }));
  pane.button = button;
  return button;
}

function markActive(chatId) {
  state.active = chatId;
  for (const pane of state.panes.values()) {
    const active = pane.persona.chat_id === chatId;
    pane.node.classList.toggle("active", active);
    pane.button.setAttribute("aria-pressed", String(active));
    if (active) remember("active", pane.persona.key);
  }
}

function selectPersona(pane, { focus }) {
  markActive(pane.persona.chat_id);
  applyLayout();
  pane.unread = 0;
  updateBadges();
  if (state.layout === "side") pane.node.scrollIntoView({ block: "nearest", inline: "nearest" });
  if (focus) {
    const target = pane.composer.hidden ? pane.node.querySelector(".start-button") : pane.input;
    target.focus();
  }
}

function updateBadges() {
  for (const pane of state.panes.values()) {
    const badge = pane.button.querySelector(".badge");
    if (isVisible(pane)) pane.unread = 0;
    badge.hidden = pane.unread === 0;
    badge.textContent = String(pane.unread);
    badge.setAttribute("aria-label", t("unread", { count: pane.unread }));
  }
}

function applyLayout() {
  const main = document.getElementById("chats");
  main.classList.toggle("side", state.layout === "side");
  main.classList.toggle("one", state.layout === "one");
  for (const pane of state.panes.values()) {
    pane.node.hidden = !isVisible(pane);
  }
  for (const button of document.querySelectorAll("[data-layout]")) {
    button.setAttribute("aria-pressed", String(button.dataset.layout === state.layout));
  }
  updateBadges();
}

function applyChrome() {
  document.documentElement.lang = state.lang;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n);
  }
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  for (const node of document.querySelectorAll("[data-i18n-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  }
  for (const button of document.querySelectorAll("[data-language]")) {
    button.setAttribute("aria-pressed", String(button.dataset.language === state.lang));
  }
  const bot = state.config ? state.config.bot : null;
  document.getElementById("bot-name").textContent = bot ? `@${bot.username}` : "";
  const banner = document.getElementById("demo-banner");
  const demo = state.config ? state.config.demo : null;
  banner.hidden = !demo;
  banner.replaceChildren();
  if (demo) {
    banner.append(
      el("strong", "", "DEMO"),
      document.createTextNode(` · ${t("demo", { subject: demo.subject })} `),
      el("code", "", demo.reset || "make demo-reset"),
    );
  }
  for (const pane of state.panes.values()) {
    pane.name.textContent = `${pane.persona.name} · ${roleName(pane.persona)}`;
    pane.button.querySelector(".role").textContent = roleName(pane.persona);
    setStatus(pane, false);
    if (pane.view) renderChat(pane, pane.view);
  }
  updateBadges();
}

function setStatus(pane, typing) {
  const bot = state.config ? state.config.bot : null;
  pane.status.classList.toggle("typing", typing);
  pane.status.textContent = typing ? t("typing") : bot ? `@${bot.username}` : "";
}

// --- rendering -----------------------------------------------------------------------------

function clock(seconds) {
  const locale = state.lang === "cs" ? "cs-CZ" : "en-GB";
  return new Date(seconds * 1000).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
}

function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function buildMessage(pane, message) {
  const mine = !message.from_bot;
  const node = el("article", mine ? "msg out" : "msg in");
  node.dataset.id = String(message.id);
  const bubble = el("div", "bubble");
  bubble.append(el("span", "sr", mine ? t("you") : t("bot")));
  if (message.reply_to) bubble.append(el("div", "reply", message.reply_to.text));
  if (message.photo) {
    const link = el("a", "photo");
    link.href = message.photo.url;
    link.target = "_blank";
    link.rel = "noopener";
    const image = el("img");
    image.src = message.photo.url;
    image.alt = t("photo");
    if (message.photo.width && message.photo.height) {
      image.width = message.photo.width;
      image.height = message.photo.height;
    }
    link.append(image);
    bubble.append(link);
  }
  if (message.document) {
    const link = el("a", "document");
    link.href = message.document.url;
    link.download = message.document.name;
    link.append(
      el("span", "", "📄"),
      el("span", "", `${message.document.name} · ${sizeText(message.document.size)}`),
    );
    bubble.append(link);
  }
  if (message.html) {
    const text = el("div", "text");
    text.innerHTML = message.html; // made safe by the server: only formatting and safe links
    bubble.append(text);
  }
  const meta = el("div", "meta");
  meta.textContent = (message.edited ? `${t("edited")} ` : "") + clock(message.date);
  bubble.append(meta);
  node.append(bubble);
  if (message.buttons.length) {
    const keyboard = el("div", "keyboard");
    message.buttons.forEach((row, r) => {
      const line = el("div", "row");
      row.forEach((button, c) => {
        let item;
        if (button.kind === "url") {
          item = el(button.url ? "a" : "span", "kb", button.label);
          if (button.url) {
            item.href = button.url;
            item.target = "_blank";
            item.rel = "noopener noreferrer";
          }
        } else {
          item = el("button", "kb", button.label);
          item.type = "button";
          item.dataset.label = button.label;
        }
        item.dataset.row = String(r);
        item.dataset.col = String(c);
        line.append(item);
      });
      keyboard.append(line);
    });
    node.append(keyboard);
  }
  return node;
}

function renderChat(pane, view) {
  pane.view = view;
  const list = pane.list;
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 120;
  const focused = document.activeElement;
  const hadFocus = focused && list.contains(focused) ? focused.closest(".msg") : null;
  const focusId = hadFocus ? hadFocus.dataset.id : null;
  const existing = new Map();
  for (const child of list.children) existing.set(child.dataset.id, child);
  let previous = null;
  let grew = false;
  for (const message of view.messages) {
    const key = String(message.id);
    const signature = `${state.lang}|${JSON.stringify(message)}`;
    let node = existing.get(key);
    if (!node || node.dataset.signature !== signature) {
      const fresh = buildMessage(pane, message);
      fresh.dataset.signature = signature;
      if (node) node.replaceWith(fresh);
      else grew = true;
      node = fresh;
    }
    existing.delete(key);
    const expected = previous ? previous.nextSibling : list.firstChild;
    if (node !== expected) list.insertBefore(node, expected);
    previous = node;
  }
  for (const stale of existing.values()) stale.remove();
  const empty = view.messages.length === 0;
  pane.empty.hidden = !empty;
  list.hidden = empty;
  pane.startBar.hidden = !empty;
  pane.composer.hidden = empty;
  renderReplyKeyboard(pane, view.reply_keyboard || []);
  const description = state.config.descriptions[state.lang] || state.config.descriptions[""] || "";
  pane.empty.querySelector(".bot-title").textContent = state.config.bot.first_name;
  pane.empty.querySelector(".what").hidden = !description;
  pane.empty.querySelector(".description").textContent = description;
  if (grew || nearBottom) list.scrollTop = list.scrollHeight;
  if (focusId !== null && !list.contains(document.activeElement)) {
    restoreFocus(pane, focusId);
  }
}

function restoreFocus(pane, messageId) {
  // The message one was using was edited (a new screen of the assessment): continue on its
  // first button, else on the newest message with buttons, else in the text box.
  const message = pane.list.querySelector(`.msg[data-id="${messageId}"]`);
  let target = message ? message.querySelector("button.kb") : null;
  if (!target) {
    const withButtons = [...pane.list.querySelectorAll(".msg")].filter((m) => m.querySelector("button.kb"));
    if (withButtons.length) target = withButtons[withButtons.length - 1].querySelector("button.kb");
  }
  if (!target && !pane.composer.hidden) target = pane.input;
  if (target) target.focus({ preventScroll: false });
}

function renderReplyKeyboard(pane, rows) {
  pane.replyKeyboard.replaceChildren();
  for (const row of rows) {
    const line = el("div", "row");
    for (const label of row) {
      const button = el("button", "kb", label);
      button.type = "button";
      button.addEventListener("click", () => sendText(pane, label));
      line.append(button);
    }
    pane.replyKeyboard.append(line);
  }
}

async function refresh(pane) {
  const view = await call("GET", `/sim/web/chats/${pane.persona.chat_id}`);
  renderChat(pane, view);
}

// --- acting ----------------------------------------------------------------------------------

async function sendText(pane, raw, { clear = false } = {}) {
  const text = raw.trim();
  if (!text) return;
  await state.languageSync;
  try {
    await call("POST", `/sim/users/${pane.persona.user_id}/send`, { text, wait: false });
    if (clear) pane.input.value = "";
  } catch (error) {
    showToast(pane, t("failed", { error: error.message }));
  }
}

async function press(pane, button) {
  if (button.getAttribute("aria-busy") === "true") return;
  const message = button.closest(".msg");
  button.setAttribute("aria-busy", "true");
  await state.languageSync;
  try {
    const answer = await call("POST", `/sim/users/${pane.persona.user_id}/press`, {
      label: button.dataset.label,
      message_id: Number(message.dataset.id),
      wait: false,
      timeout: 15,
    });
    if (answer && answer.text) {
      if (answer.show_alert) showDialog(pane, answer.text);
      else showToast(pane, answer.text);
    }
  } catch (error) {
    const late = /not answered/.test(error.message);
    showToast(pane, late ? t("no-answer") : t("failed", { error: error.message }));
  } finally {
    button.removeAttribute("aria-busy");
  }
}

function messageClick(pane, event) {
  const button = event.target.closest("button.kb");
  if (button && pane.list.contains(button)) {
    press(pane, button);
    return;
  }
  const start = event.target.closest("a.start-link");
  if (start) {
    event.preventDefault();
    openLinkAs(pane, start.dataset.start);
    return;
  }
  const spoiler = event.target.closest(".tg-spoiler");
  if (spoiler) spoiler.classList.add("revealed");
}

function openLinkAs(pane, code) {
  const actions = [...state.panes.values()].map((target) => ({
    label: `${target.persona.name} · ${roleName(target.persona)}`,
    run: async () => {
      selectPersona(target, { focus: true });
      await sendText(target, `/start ${code}`);
    },
  }));
  actions.push({ label: t("cancel"), run: () => {} });
  showDialog(pane, t("open-as"), actions);
}

// --- toasts, dialogs, the command menu -------------------------------------------------------

function showToast(pane, text) {
  pane.toast.textContent = text;
  pane.toast.hidden = false;
  clearTimeout(pane.toastTimer);
  pane.toastTimer = setTimeout(() => {
    pane.toast.hidden = true;
  }, 3500);
}

function showDialog(pane, text, actions) {
  pane.returnFocus = document.activeElement;
  pane.dialog.querySelector(".dialog-text").textContent = text;
  const box = pane.dialog.querySelector(".dialog-actions");
  box.replaceChildren();
  const list = actions || [{ label: t("ok"), run: () => {}, primary: true }];
  for (const action of list) {
    const button = el("button", action.primary ? "primary" : "", action.label);
    button.type = "button";
    button.addEventListener("click", async () => {
      closeDialog(pane);
      await action.run();
    });
    box.append(button);
  }
  pane.dialog.hidden = false;
  box.firstElementChild.focus();
}

function closeDialog(pane) {
  if (pane.dialog.hidden) return;
  pane.dialog.hidden = true;
  const back = pane.returnFocus;
  pane.returnFocus = null;
  if (back && back.isConnected) back.focus();
}

async function toggleMenu(pane) {
  if (!pane.menu.hidden) {
    closeMenu(pane, true);
    return;
  }
  const query = new URLSearchParams({
    chat_id: String(pane.persona.chat_id),
    user_id: String(pane.persona.user_id),
    language_code: state.lang,
  });
  let commands = [];
  try {
    commands = await call("GET", `/sim/web/commands?${query}`);
  } catch (error) {
    showToast(pane, t("failed", { error: error.message }));
    return;
  }
  const list = pane.menu.querySelector("ul");
  list.replaceChildren();
  if (!commands.length) list.append(el("li", "", t("no-commands")));
  for (const command of commands) {
    const item = el("li");
    const button = el("button");
    button.type = "button";
    button.append(el("span", "cmd", `/${command.command}`), el("span", "", command.description));
    button.addEventListener("click", () => {
      closeMenu(pane, false);
      sendText(pane, `/${command.command}`);
      pane.input.focus();
    });
    item.append(button);
    list.append(item);
  }
  pane.menu.hidden = false;
  pane.menuButton.setAttribute("aria-expanded", "true");
  const first = list.querySelector("button");
  if (first) first.focus();
}

function closeMenu(pane, focusButton) {
  if (pane.menu.hidden) return;
  pane.menu.hidden = true;
  pane.menuButton.setAttribute("aria-expanded", "false");
  if (focusButton) pane.menuButton.focus();
}

function menuKeys(pane, event) {
  const items = [...pane.menu.querySelectorAll("button")];
  const index = items.indexOf(document.activeElement);
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    const step = event.key === "ArrowDown" ? 1 : -1;
    const next = items[(index + step + items.length) % items.length];
    if (next) next.focus();
  }
}

// --- language --------------------------------------------------------------------------------

function syncLanguage(force) {
  // Everything the person does next waits for this, so the bot sees the new language.
  state.languageSync = state.languageSync.then(() => pushLanguage(force));
  return state.languageSync;
}

async function pushLanguage(force) {
  const updates = [];
  for (const pane of state.panes.values()) {
    if (force || pane.persona.language_code !== state.lang) {
      pane.persona.language_code = state.lang;
      updates.push(
        call("POST", `/sim/users/${pane.persona.user_id}/language`, { language_code: state.lang }),
      );
    }
  }
  await Promise.allSettled(updates);
}

async function setLanguage(language) {
  if (!TEXT[language]) return;
  state.lang = language;
  remember("language", language);
  applyChrome();
  for (const pane of state.panes.values()) closeMenu(pane, false);
  await syncLanguage(true);
}

// --- the live feed ---------------------------------------------------------------------------

function setConnection(up) {
  if (state.connected === up) return;
  state.connected = up;
  const line = document.getElementById("connection");
  line.classList.toggle("down", !up);
  line.textContent = up ? "" : t("disconnected");
}

function showTyping(pane) {
  setStatus(pane, true);
  clearTimeout(pane.typingTimer);
  pane.typingTimer = setTimeout(() => setStatus(pane, false), 5000);
}

async function feed() {
  let broken = false;
  for (;;) {
    const began = Date.now();
    let result;
    try {
      if (broken) {
        // Back after a failure: a restarted server has a new instance and its own sequence.
        const config = await call("GET", "/sim/web/config");
        if (config.instance !== state.config.instance) {
          window.location.reload();
          return;
        }
        broken = false;
      }
      result = await call("GET", `/sim/events?after=${state.seq}&timeout=25`);
    } catch (error) {
      broken = true;
      setConnection(false);
      await sleep(2000);
      continue;
    }
    setConnection(true);
    if (result.instance !== state.config.instance) {
      // A new server (local mode was restarted): everything starts over.
      window.location.reload();
      return;
    }
    const changed = new Set();
    for (const event of result.events) {
      state.seq = Math.max(state.seq, event.seq);
      const pane = state.panes.get(event.chat_id);
      if (!pane) continue;
      if (event.kind === "chat_action") {
        showTyping(pane);
        continue;
      }
      if (["sent", "photo", "document"].includes(event.kind)) {
        setStatus(pane, false);
        if (!isVisible(pane)) pane.unread += 1;
      }
      changed.add(pane);
    }
    for (const pane of changed) {
      try {
        await refresh(pane);
      } catch (error) {
        setConnection(false);
      }
    }
    updateBadges();
    if (!result.events.length && Date.now() - began < 500) await sleep(500);
  }
}

// --- start -----------------------------------------------------------------------------------

async function init() {
  const line = document.getElementById("connection");
  let config;
  try {
    config = await call("GET", "/sim/web/config");
  } catch (error) {
    line.classList.add("down");
    line.textContent = TEXT.en.disconnected;
    await sleep(2000);
    return init();
  }
  state.config = config;
  state.seq = config.last_seq;
  const storedLanguage = recall("language");
  state.lang = TEXT[storedLanguage] ? storedLanguage : TEXT[config.language] ? config.language : "en";
  const storedLayout = recall("layout");
  state.layout = storedLayout === "one" || storedLayout === "side"
    ? storedLayout
    : window.innerWidth >= 1100 ? "side" : "one";
  const main = document.getElementById("chats");
  const bar = document.getElementById("persona-buttons");
  for (const persona of config.personas) {
    const pane = buildPane(persona);
    state.panes.set(persona.chat_id, pane);
    main.append(pane.node);
    bar.append(buildPersonaButton(pane));
  }
  for (const button of document.querySelectorAll("[data-language]")) {
    button.addEventListener("click", () => setLanguage(button.dataset.language));
  }
  for (const button of document.querySelectorAll("[data-layout]")) {
    button.addEventListener("click", () => {
      state.layout = button.dataset.layout;
      remember("layout", state.layout);
      applyLayout();
    });
  }
  const panes = [...state.panes.values()];
  const wanted = recall("active");
  const first = panes.find((pane) => pane.persona.key === wanted) || panes[0];
  if (first) markActive(first.persona.chat_id);
  applyChrome();
  applyLayout();
  await syncLanguage(false);
  await Promise.all(panes.map((pane) => refresh(pane).catch(() => setConnection(false))));
  setConnection(true);
  document.body.dataset.ready = "true";
  feed();
}

document.addEventListener("DOMContentLoaded", init);
